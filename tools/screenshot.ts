/**
 * Saves a PNG screenshot of a local HTML file (a pgsubspace report, an nbconvert notebook export)
 * as rendered by headless Chromium, to check that its figures really draw.
 *
 * Usage:
 *   deno run --allow-read --allow-write --allow-run --allow-env tools/screenshot.ts PAGE.html \
 *     [--out PAGE.png] [--width 1280] [--height 2400] [--wait-ms 15000]
 *
 * Needs Chromium (`apt-get install chromium`).
 *
 * @module
 */

import { screenshotHtml } from "../lib/plot/static_export.ts";

const USAGE = "usage: tools/screenshot.ts PAGE.html [--out PAGE.png] [--width 1280] " +
  "[--height 2400] [--wait-ms 15000]";

/** Parsed command line. */
interface Args {
  page: string;
  out: string;
  width: number;
  height: number;
  waitMs: number;
}

function parseArgs(argv: string[]): Args {
  const rest: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (a.startsWith("--")) {
      const [key, inline] = a.slice(2).split("=", 2);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${key} needs a value\n${USAGE}`);
      opts[key] = value;
    } else rest.push(a);
  }
  if (rest.length !== 1) throw new Error(USAGE);
  const num = (key: string, fallback: number) => {
    if (opts[key] === undefined) return fallback;
    const v = Number(opts[key]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--${key} must be a positive integer`);
    return v;
  };
  for (const key of Object.keys(opts)) {
    if (!["out", "width", "height", "wait-ms"].includes(key)) {
      throw new Error(`unknown option --${key}\n${USAGE}`);
    }
  }
  const page = rest[0];
  return {
    page,
    out: opts.out ?? page.replace(/\.html?$/i, "") + ".png",
    width: num("width", 1280),
    height: num("height", 2400),
    waitMs: num("wait-ms", 15_000),
  };
}

if (import.meta.main) {
  try {
    const args = parseArgs(Deno.args);
    await screenshotHtml(args.page, args.out, {
      width: args.width,
      height: args.height,
      waitMs: args.waitMs,
    });
    console.log(`wrote ${args.out} (${args.width}×${args.height})`);
  } catch (e) {
    console.error(`screenshot: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
