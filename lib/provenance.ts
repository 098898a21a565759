/**
 * Provenance recorded with every run and analysis: the versions of the toolkit and of the
 * components it ran on, and the machine. Lower layers that load a versioned component (e.g. a
 * physics engine) register its version here, so run files and reports list it.
 *
 * @module
 */

/** pgsubspace's version, recorded in run and analysis metadata. */
export const PGSUBSPACE_VERSION = "0.1.0";

const components = new Map<string, string>();

/**
 * Records the version of a component this process uses (e.g. `("mujoco", "3.14.0")`), so that
 * {@linkcode toolkitVersions} lists it.
 *
 * @example
 * ```ts
 * import { registerComponentVersion, toolkitVersions } from "./provenance.ts";
 * registerComponentVersion("mujoco", "3.14.0");
 * toolkitVersions().mujoco; // "3.14.0"
 * ```
 */
export function registerComponentVersion(name: string, version: string): void {
  components.set(name, version);
}

/**
 * Versions of pgsubspace, Deno, V8, TypeScript and every registered component (plus `extra`).
 *
 * @example
 * ```ts
 * import { toolkitVersions } from "./provenance.ts";
 * const v = toolkitVersions({ tfjs: "4.22.0" }); // { pgsubspace: "0.1.0", deno: "2.9.6", … }
 * ```
 */
export function toolkitVersions(extra: Record<string, string> = {}): Record<string, string> {
  return {
    pgsubspace: PGSUBSPACE_VERSION,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    ...Object.fromEntries(components),
    ...extra,
  };
}

/** The machine a stage ran on. */
export interface MachineInfo {
  /** Host name, when permitted (`--allow-sys`). */
  hostname: string | null;
  /** Operating system, kernel release and architecture, e.g. "linux 6.1.0 x86_64". */
  platform: string;
  /** Logical CPUs. */
  cpus: number;
  /** CPU model (from /proc/cpuinfo), when readable (Deno needs --allow-all for /proc). */
  cpuModel: string | null;
  /** Total memory in GiB, when permitted (`--allow-sys`). */
  memoryGiB: number | null;
}

function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null; // not permitted (Deno's --allow-sys / --allow-all) or not available here
  }
}

/**
 * The machine this process runs on (fields that cannot be read are null; the tasks grant
 * `--allow-sys` for host name, kernel release and memory).
 *
 * @example
 * ```ts
 * import { machineInfo } from "./provenance.ts";
 * const m = machineInfo(); // { hostname: "node-3", platform: "linux 6.1.0 x86_64", cpus: 2, … }
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpuinfo = attempt(() => Deno.readTextFileSync("/proc/cpuinfo"));
  const release = attempt(() => Deno.osRelease());
  const memory = attempt(() => Deno.systemMemoryInfo().total);
  return {
    hostname: attempt(() => Deno.hostname()),
    platform: [Deno.build.os, release, Deno.build.arch].filter((x) => x).join(" "),
    cpus: navigator.hardwareConcurrency,
    cpuModel: cpuinfo ? /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? null : null,
    memoryGiB: memory === null ? null : Math.round((memory / 1024 ** 3) * 10) / 10,
  };
}
