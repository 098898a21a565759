/**
 * Choosing and initialising the tfjs backend.
 *
 * One call, {@linkcode initRuntime}, picks the backend, checks that it really initialised
 * (`tf.setBackend` resolves to `false` on failure while `tf.getBackend()` may still name the
 * backend), silences the tfjs "running in Node.js" banner, installs the second-order-safe
 * gradients, and reports what it chose.
 *
 * - `auto`: WebGPU when a real (non-fallback) GPU adapter exists, else WASM, else the plain-JS CPU
 *   backend. A software adapter (llvmpipe, SwiftShader) is 10-30x slower than WASM, so `auto`
 *   never picks it; ask for `webgpu` explicitly to use it anyway.
 * - an explicit `webgpu`, `wasm` or `cpu`, by option or by the environment variable
 *   `PGSUBSPACE_BACKEND` (the option wins unless it is `auto`). An explicit choice that fails to
 *   initialise is an error, never a silent fallback.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { installSecondOrderSafeGradients } from "./second_order_gradients.ts";

/** A tfjs backend pgsubspace supports. */
export type BackendName = "webgpu" | "wasm" | "cpu";
/** A backend request: a concrete backend or `auto`. */
export type BackendChoice = BackendName | "auto";

/** The environment variable that selects the backend when no explicit option is given. */
export const BACKEND_ENV_VAR = "PGSUBSPACE_BACKEND";

const BACKENDS: readonly BackendName[] = ["webgpu", "wasm", "cpu"];

/** Options of {@linkcode initRuntime}. */
export interface RuntimeOptions {
  /** Backend to use; `auto` (default) or absent defers to `PGSUBSPACE_BACKEND`, then auto-detects. */
  backend?: BackendChoice;
}

/** A GPU adapter as reported by WebGPU. */
export interface GpuAdapterDescription {
  /** Human-readable description, e.g. "NVIDIA H200" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  /** Vendor string or PCI vendor id. */
  vendor: string;
  /** Architecture string when the driver reports one. */
  architecture: string;
  /** True for software (CPU-emulated) adapters, which `auto` skips. */
  isFallbackAdapter: boolean;
}

/** What {@linkcode initRuntime} chose. */
export interface RuntimeInfo {
  /** The backend now active in tfjs. */
  backend: BackendName;
  /** What was asked for after resolving the option and the environment variable. */
  requested: BackendChoice;
  /** Where the request came from. */
  source: "option" | "environment" | "default";
  /** The WebGPU adapter, when one was found (also reported when not used). */
  adapter: GpuAdapterDescription | null;
  /** The tfjs-core version. */
  tfjsVersion: string;
  /** One line for logs and run metadata, e.g. "wasm (auto; GPU adapter llvmpipe ... is a software fallback)". */
  summary: string;
}

let lastInfo: RuntimeInfo | null = null;

/**
 * Initialises tfjs: selects and checks the backend, silences the Node banner and installs the
 * second-order-safe gradients. Safe to call again (e.g. to switch backend).
 *
 * @example
 * ```ts
 * import { initRuntime } from "./backend.ts";
 * const info = await initRuntime({ backend: "auto" });
 * console.log(info.summary); // e.g. "wasm (auto; no WebGPU adapter)"
 * ```
 */
export async function initRuntime(options: RuntimeOptions = {}): Promise<RuntimeInfo> {
  const { requested, source } = resolveRequest(options.backend);
  installSecondOrderSafeGradients();
  const adapter = await probeWebGpuAdapter();

  let backend: BackendName;
  let why: string;
  if (requested === "auto") {
    const candidates: BackendName[] = adapter && !adapter.isFallbackAdapter
      ? ["webgpu", "wasm", "cpu"]
      : ["wasm", "cpu"];
    why = adapter === null
      ? "no WebGPU adapter"
      : adapter.isFallbackAdapter
      ? `GPU adapter "${adapter.description}" is a software fallback`
      : `GPU adapter "${adapter.description}"`;
    const failures: string[] = [];
    let chosen: BackendName | null = null;
    for (const name of candidates) {
      const error = await trySetBackend(name);
      if (error === null) {
        chosen = name;
        break;
      }
      failures.push(`${name}: ${error}`);
    }
    if (chosen === null) {
      throw new Error(`No tfjs backend could be initialised (${failures.join("; ")}).`);
    }
    if (failures.length > 0) why += `; skipped ${failures.join("; ")}`;
    backend = chosen;
  } else {
    if (requested === "webgpu" && adapter === null) {
      throw new Error(
        "Backend 'webgpu' was requested but no WebGPU adapter is available. Use " +
          `backend "auto" or "wasm" (option or ${BACKEND_ENV_VAR}=wasm).`,
      );
    }
    const error = await trySetBackend(requested);
    if (error !== null) {
      throw new Error(
        `Backend '${requested}' did not initialise: ${error}.` + hintFor(requested),
      );
    }
    backend = requested;
    why = source === "environment" ? `${BACKEND_ENV_VAR}=${requested}` : "requested";
    if (backend === "webgpu" && adapter?.isFallbackAdapter) {
      why += `; adapter "${adapter.description}" is a software fallback (slow)`;
    }
  }
  silenceNodeBanner();
  const adapterText = backend === "webgpu" && adapter ? `, adapter "${adapter.description}"` : "";
  lastInfo = {
    backend,
    requested,
    source,
    adapter,
    tfjsVersion: tf.version_core,
    summary: `${backend}${adapterText} (${requested === "auto" ? "auto; " : ""}${why})`,
  };
  return lastInfo;
}

/**
 * The result of the last {@linkcode initRuntime} call, or null before the first.
 *
 * @example
 * ```ts
 * import { currentRuntime } from "./backend.ts";
 * console.log(currentRuntime()?.backend ?? "not initialised");
 * ```
 */
export function currentRuntime(): RuntimeInfo | null {
  return lastInfo;
}

/**
 * Parses a backend name (case-insensitive), with an error that lists the valid names.
 *
 * @example
 * ```ts
 * import { parseBackendChoice } from "./backend.ts";
 * parseBackendChoice("WASM"); // "wasm"
 * ```
 */
export function parseBackendChoice(value: string, origin = "backend"): BackendChoice {
  const v = value.trim().toLowerCase();
  if (v === "auto" || (BACKENDS as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(
    `Unknown ${origin} "${value}": expected one of auto, ${BACKENDS.join(", ")}.`,
  );
}

function resolveRequest(
  option: BackendChoice | undefined,
): { requested: BackendChoice; source: RuntimeInfo["source"] } {
  if (option !== undefined && option !== "auto") {
    return { requested: parseBackendChoice(option), source: "option" };
  }
  const fromEnv = readEnv(BACKEND_ENV_VAR);
  if (fromEnv) {
    return { requested: parseBackendChoice(fromEnv, BACKEND_ENV_VAR), source: "environment" };
  }
  return { requested: "auto", source: option === "auto" ? "option" : "default" };
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}

async function trySetBackend(name: BackendName): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return "tf.setBackend returned false";
    await tf.ready();
    if (tf.getBackend() !== name) return `tfjs reports backend '${tf.getBackend()}'`;
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function hintFor(name: BackendName): string {
  if (name === "wasm") {
    return " The WASM binary is read from node_modules: run Deno with --allow-read.";
  }
  if (name === "webgpu") return ' Check the GPU driver, or use backend "wasm".';
  return "";
}

interface GpuLike {
  requestAdapter(opts?: unknown): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Partial<{ description: string; vendor: string; architecture: string }> & {
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

async function probeWebGpuAdapter(): Promise<GpuAdapterDescription | null> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return null;
    const info = adapter.info ?? {};
    return {
      description: info.description || "unknown adapter",
      vendor: info.vendor ?? "",
      architecture: info.architecture ?? "",
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    };
  } catch {
    return null;
  }
}

/** The CPU backend prints a "you are running TensorFlow.js in Node.js" banner on first use. */
function silenceNodeBanner(): void {
  const cpu = tf.engine().registry["cpu"] as unknown as { firstUse?: boolean } | undefined;
  if (cpu) cpu.firstUse = false;
}
