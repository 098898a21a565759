/**
 * The MuJoCo WebAssembly runtime (`@mujoco/mujoco` 3.14, the official build): one module instance
 * per thread, loaded on demand.
 *
 * Emscripten instantiates the module asynchronously, while `makeEnv` and the `Env` API are
 * synchronous, and importing `lib/envs/mod.ts` must stay cheap for users of the classic-control
 * tasks. So nothing here runs at import time: {@linkcode loadMujoco} (or `prepareEnv(id)` from
 * the registry, which calls it for MuJoCo ids) loads the package and compiles its WebAssembly
 * once (about 0.1 s), and everything after that is synchronous. Using a MuJoCo environment before
 * that fails with an error that says what to call.
 *
 * Typed-array views into the module's memory (`data.qpos`, ...) are detached when the WebAssembly
 * heap grows (which any allocation in the same thread can cause: a new model, a new data, another
 * environment); {@linkcode heapGrew} tells whether a cached view went stale.
 *
 * @module
 */
import type { MainModule, MjData, MjModel } from "@mujoco/mujoco";

/**
 * The loaded MuJoCo module (the default export's resolved value).
 *
 * @example
 * ```ts
 * import { loadMujoco, type Mujoco } from "./runtime.ts";
 * const mj: Mujoco = await loadMujoco();
 * ```
 */
export type Mujoco = MainModule;

let instance: Mujoco | null = null;
let loading: Promise<Mujoco> | null = null;

/**
 * Loads the MuJoCo WebAssembly module once per thread and returns it; later calls return the same
 * instance. Needs read access to `node_modules` (Deno's `--allow-read`).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * const mj = await loadMujoco();
 * mj.mj_versionString(); // "3.14.0"
 * ```
 */
export function loadMujoco(): Promise<Mujoco> {
  if (instance !== null) return Promise.resolve(instance);
  loading ??= (async () => {
    try {
      const { default: factory } = await import("@mujoco/mujoco");
      instance = await factory();
      return instance;
    } catch (e) {
      loading = null;
      throw new Error(
        `could not load the MuJoCo WebAssembly module (@mujoco/mujoco): ${(e as Error).message}` +
          `; it needs read access to node_modules (--allow-read) and \`deno install\` to have ` +
          `fetched the package`,
        { cause: e },
      );
    }
  })();
  return loading;
}

/**
 * True once {@linkcode loadMujoco} has finished in this thread.
 *
 * @example
 * ```ts
 * import { loadMujoco, mujocoLoaded } from "./runtime.ts";
 * if (!mujocoLoaded()) await loadMujoco();
 * ```
 */
export function mujocoLoaded(): boolean {
  return instance !== null;
}

/**
 * The loaded module; throws an error naming the fix when {@linkcode loadMujoco} has not finished.
 *
 * @param who what needs it, for the error message (e.g. `"Walker2d-v4"`).
 * @example
 * ```ts
 * import { loadMujoco, mujoco } from "./runtime.ts";
 * await loadMujoco();
 * const mj = mujoco("my code");
 * ```
 */
export function mujoco(who = "MuJoCo"): Mujoco {
  if (instance === null) {
    throw new Error(
      `${who} needs the MuJoCo WebAssembly module, which loads asynchronously: run ` +
        `\`await prepareEnv(id)\` (lib/envs/mod.ts) or \`await loadMujoco()\` ` +
        `(lib/envs/mujoco/mod.ts) once before creating the environment`,
    );
  }
  return instance;
}

/**
 * True when `view` (a typed array over the MuJoCo heap) was detached by a heap growth and must be
 * fetched again. A zero-length view over a live heap is not stale.
 *
 * @example
 * ```ts
 * import { heapGrew } from "./runtime.ts";
 * const view = new Float64Array(4);
 * heapGrew(view); // false
 * ```
 */
export function heapGrew(view: ArrayBufferView): boolean {
  return view.buffer.byteLength === 0;
}

/**
 * Typed-array views of the `mjData` fields our environments read, valid until the heap grows.
 *
 * @example
 * ```ts
 * import type { DataViews } from "./runtime.ts";
 * const height = (v: DataViews) => v.qpos[1];
 * ```
 */
export interface DataViews {
  /** `qpos`. */
  qpos: Float64Array;
  /** `qvel`. */
  qvel: Float64Array;
  /** `act`. */
  act: Float64Array;
  /** `ctrl`. */
  ctrl: Float64Array;
  /** `sensordata`. */
  sensordata: Float64Array;
  /** `xpos` (bodies × 3). */
  xpos: Float64Array;
  /** `site_xpos` (sites × 3). */
  siteXpos: Float64Array;
  /** `cfrc_ext` (bodies × 6). */
  cfrcExt: Float64Array;
}

function dataViews(data: MjData): DataViews {
  return {
    qpos: data.qpos,
    qvel: data.qvel,
    act: data.act,
    ctrl: data.ctrl,
    sensordata: data.sensordata,
    xpos: data.xpos,
    siteXpos: data.site_xpos,
    cfrcExt: data.cfrc_ext,
  };
}

/**
 * An environment's own `mjData` and its {@linkcode DataViews} (fetched again when the heap has
 * grown), until {@linkcode LiveData.close} deletes it; using it after that is an error that names
 * the environment.
 *
 * @example
 * ```ts
 * import { LiveData, loadMujoco } from "./runtime.ts";
 * const mj = await loadMujoco();
 * const model = mj.MjModel.from_xml_string("<mujoco><worldbody/></mujoco>");
 * const live = new LiveData(new mj.MjData(model), "empty");
 * live.views.qpos.length; // 0
 * live.close();
 * live.closed; // true; live.data would now throw "empty: the environment was closed; ..."
 * model.delete();
 * ```
 */
export class LiveData {
  readonly #who: string;
  #data: MjData | null;
  #views: DataViews;

  /** Takes ownership of `data`; `who` (the env id) names it in errors. */
  constructor(data: MjData, who: string) {
    this.#data = data;
    this.#who = who;
    this.#views = dataViews(data);
  }

  /** The data; an error once closed. */
  get data(): MjData {
    if (this.#data === null) {
      throw new Error(`${this.#who}: the environment was closed; create a new one`);
    }
    return this.#data;
  }

  /** The views, fetched again when the heap has grown; an error once closed. */
  get views(): DataViews {
    const data = this.data;
    if (heapGrew(this.#views.qpos)) this.#views = dataViews(data);
    return this.#views;
  }

  /** Whether {@linkcode LiveData.close} was called. */
  get closed(): boolean {
    return this.#data === null;
  }

  /** Deletes the data; idempotent. */
  close(): void {
    this.#data?.delete();
    this.#data = null;
  }
}

/**
 * `mj_getState(model, data, spec)` as a plain array (e.g. `mjSTATE_INTEGRATION`, what a snapshot
 * needs to continue bit for bit).
 *
 * @example
 * ```ts
 * import { loadMujoco, physicsState } from "./runtime.ts";
 * const mj = await loadMujoco();
 * const model = mj.MjModel.from_xml_string("<mujoco><worldbody/></mujoco>");
 * const data = new mj.MjData(model);
 * physicsState(mj, model, data, mj.mjtState.mjSTATE_INTEGRATION.value).length; // 1: the time
 * data.delete();
 * model.delete();
 * ```
 */
export function physicsState(mj: Mujoco, model: MjModel, data: MjData, spec: number): number[] {
  const buffer = new mj.DoubleBuffer(mj.mj_stateSize(model, spec));
  try {
    mj.mj_getState(model, data, buffer, spec);
    return Array.from(buffer.GetView() as Float64Array);
  } finally {
    buffer.delete();
  }
}
