/**
 * Headless Chromium for static export and screenshots. Uses the Debian `chromium` package
 * (`/usr/bin/chromium`; install with `apt-get install chromium`), or the executable named by the
 * environment variable `PGSUBSPACE_CHROMIUM`. Every run gets a fresh temporary profile directory
 * (removed afterwards) and flags that keep Chromium off the network and quiet.
 *
 * @module
 */

/** Candidate executables, in order of preference (after `PGSUBSPACE_CHROMIUM`). */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Path of the Chromium executable, or null when none is installed.
 *
 * @example
 * ```ts
 * import { findChromium } from "./chromium.ts";
 * const chromium = findChromium(); // "/usr/bin/chromium" or null
 * ```
 */
export function findChromium(): string | null {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("PGSUBSPACE_CHROMIUM");
  } catch {
    fromEnv = undefined; // no --allow-env
  }
  if (fromEnv) return isFile(fromEnv) ? fromEnv : null;
  return CANDIDATES.find(isFile) ?? null;
}

/**
 * Like {@link findChromium}, but throws an Error that says how to install Chromium.
 *
 * @example
 * ```ts
 * import { requireChromium } from "./chromium.ts";
 * try {
 *   requireChromium();
 * } catch (e) {
 *   console.error((e as Error).message); // "... apt-get install chromium ..."
 * }
 * ```
 */
export function requireChromium(): string {
  const path = findChromium();
  if (path === null) {
    throw new Error(
      "headless Chromium is needed for SVG/PNG export and screenshots but was not found at " +
        `${CANDIDATES.join(" or ")} (or $PGSUBSPACE_CHROMIUM). Install it with ` +
        "`sudo apt-get install chromium` (Debian/Ubuntu), or export figures as HTML instead.",
    );
  }
  return path;
}

/**
 * The fixed flags of every headless run: headless, no sandbox (containers run as root), no GPU,
 * no network side traffic (QUIC, background networking, component updates, sync), no first-run UI,
 * and a fresh profile in `userDataDir`.
 *
 * @example
 * ```ts
 * import { chromiumFlags } from "./chromium.ts";
 * chromiumFlags("/tmp/profile").includes("--headless"); // true
 * ```
 */
export function chromiumFlags(userDataDir: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-crash-reporter",
    "--hide-scrollbars",
    "--mute-audio",
    `--user-data-dir=${userDataDir}`,
  ];
}

/** Options of {@link runChromium}. */
export interface RunChromiumOptions {
  /** Kill Chromium after this many milliseconds (default 120,000). */
  timeoutMs?: number;
  /** Executable (default {@link requireChromium}). */
  chromium?: string;
}

/** Output of {@link runChromium}. */
export interface ChromiumOutput {
  /** Exit code. */
  code: number;
  /** Standard output (e.g. the DOM with `--dump-dom`). */
  stdout: string;
  /** Standard error (Chromium logs). */
  stderr: string;
}

/**
 * Runs headless Chromium with {@link chromiumFlags}, a fresh temporary profile and `args`
 * (e.g. `["--dump-dom", "file:///tmp/page.html"]`).
 *
 * @throws Error when Chromium is missing (install hint) or exceeds the timeout.
 *
 * @example
 * ```ts
 * import { runChromium } from "./chromium.ts";
 * const { stdout } = await runChromium(["--dump-dom", "data:text/html,<p>hi</p>"]);
 * ```
 */
export async function runChromium(
  args: string[],
  options: RunChromiumOptions = {},
): Promise<ChromiumOutput> {
  const chromium = options.chromium ?? requireChromium();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const profile = await Deno.makeTempDir({ prefix: "pgsubspace-chromium-" });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const out = await new Deno.Command(chromium, {
      args: [...chromiumFlags(profile), ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    if (controller.signal.aborted) {
      throw new Error(
        `headless Chromium did not finish within ${timeoutMs} ms (${args.join(" ")})`,
      );
    }
    const decoder = new TextDecoder();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
