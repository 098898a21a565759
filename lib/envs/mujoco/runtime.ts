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
import type { MainModule } from "@mujoco/mujoco";

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
