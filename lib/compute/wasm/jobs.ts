/**
 * The program job of {@linkcode WasmThreads}: a recorded list of kernel calls replayed with its
 * arguments bound once (the SAC training step's phases are such programs).
 *
 * @module
 */
import type { KernelCall, Ptr } from "../kernels.ts";
import { bindCalls, bindKernels } from "./module.ts";
import type { JobFactory, ThreadJob } from "./threads.ts";
import type { WasmDevice } from "./device.ts";

/** What a program job is built from. */
interface ProgramInit {
  calls: KernelCall[];
  scratch: Ptr;
}

/**
 * Builds a program job on a worker (the `createJob` of this module).
 *
 * @example
 * ```ts
 * import { createJob } from "./jobs.ts";
 * typeof createJob; // "function"
 * ```
 */
export const createJob: JobFactory = (init, context) => {
  const { calls, scratch } = init as ProgramInit;
  const bound = bindCalls(context.exports, calls, scratch);
  return () => {
    for (let i = 0; i < bound.length; i++) bound[i]();
  };
};

/**
 * A program as a {@linkcode ThreadJob}: bound on the caller for `local`, and described for the
 * worker.
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { WasmDevice } from "./device.ts";
 * import { programJob } from "./jobs.ts";
 * const dev = new WasmDevice(new Arena(64).top, { shared: true });
 * const job = programJob(dev, [], 0);
 * job.local(0, 0); // runs nothing
 * ```
 */
export function programJob(
  device: { exports: WasmDevice["exports"]; memory: WebAssembly.Memory },
  calls: readonly KernelCall[],
  scratch: Ptr,
): ThreadJob {
  const init: ProgramInit = { calls: [...calls], scratch };
  const { exports, memory } = device;
  return {
    local: createJob(init, { memory, exports, kernels: (s) => bindKernels(exports, s) }),
    remote: { module: import.meta.url, init },
  };
}
