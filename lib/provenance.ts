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
  /** Host name (from /etc/hostname), when readable. */
  hostname: string | null;
  /** Operating system and architecture, e.g. "linux x86_64". */
  platform: string;
  /** Logical CPUs. */
  cpus: number;
  /** CPU model (from /proc/cpuinfo), when readable. */
  cpuModel: string | null;
  /** Total memory in GiB (from /proc/meminfo), when readable. */
  memoryGiB: number | null;
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null; // not Linux, or no read permission
  }
}

/**
 * The machine this process runs on (fields that cannot be read are null).
 *
 * @example
 * ```ts
 * import { machineInfo } from "./provenance.ts";
 * const m = machineInfo(); // { hostname: "node-3", platform: "linux x86_64", cpus: 2, … }
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpuinfo = readText("/proc/cpuinfo");
  const meminfo = readText("/proc/meminfo");
  const model = cpuinfo ? /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? null : null;
  const kb = meminfo ? /^MemTotal:\s*(\d+)\s*kB/m.exec(meminfo)?.[1] : undefined;
  return {
    hostname: readText("/etc/hostname")?.trim() || null,
    platform: `${Deno.build.os} ${Deno.build.arch}`,
    cpus: navigator.hardwareConcurrency,
    cpuModel: model,
    memoryGiB: kb ? Math.round((Number(kb) / 1024 / 1024) * 10) / 10 : null,
  };
}
