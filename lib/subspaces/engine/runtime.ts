/**
 * What every engine thread runs: the kernels bound to the shared memory, the loss family's
 * per-chunk code, and the chunk loop of one operation. The main thread and the worker
 * (`worker.ts`) build the same {@linkcode ChunkRunner} from the same serialisable
 * {@linkcode EnginePlan}.
 *
 * Threads take chunks one at a time from a shared counter, so a thread that the operating system
 * deschedules (the machines are shared) delays nothing but its current chunk. Each thread
 * accumulates into its own float64 buffers and the main thread adds the threads' sums; which
 * thread summed which chunk changes the result only by float64 rounding (≈ 1e-16 relative).
 *
 * @module
 */
import type { FamilyFactory, FamilyRuntime } from "./family.ts";
import type { Kern } from "./mlp.ts";
import type { JobFactory } from "../../compute/wasm/threads.ts";
import { ppoActorRuntime, ppoCriticRuntime } from "./ppo.ts";
import { sacActorRuntime, sacCriticRuntime } from "./sac.ts";

/**
 * Family runtimes by name.
 *
 * @example
 * ```ts
 * import { FAMILY_RUNTIMES } from "./runtime.ts";
 * Object.keys(FAMILY_RUNTIMES); // ["ppo-actor", "ppo-critic", "sac-actor", "sac-critic"]
 * ```
 */
export const FAMILY_RUNTIMES: Readonly<Record<string, FamilyFactory>> = Object.freeze({
  "ppo-actor": ppoActorRuntime,
  "ppo-critic": ppoCriticRuntime,
  "sac-actor": sacActorRuntime,
  "sac-critic": sacCriticRuntime,
});

/**
 * Per-thread buffers (absolute byte pointers).
 *
 * @example
 * ```ts
 * import type { ThreadBuffers } from "./runtime.ts";
 * const t: ThreadBuffers = { state: 0, scratch: 0, out: 0, acc: 0, value: 0, elementwise: 0 };
 * ```
 */
export interface ThreadBuffers {
  /** Chunk state of chunks that are not cached. */
  state: number;
  /** R-pass scratch. */
  scratch: number;
  /** float32 packed output of one chunk (maxBlock vectors). */
  out: number;
  /** float64 accumulators (maxBlock vectors). */
  acc: number;
  /** float64 value slot. */
  value: number;
  /** Element-wise kernel scratch. */
  elementwise: number;
}

/**
 * Everything a thread needs, as plain data.
 *
 * @example
 * ```ts
 * import type { EnginePlan } from "./runtime.ts";
 * function chunkCount(p: EnginePlan) { return p.chunks; }
 * ```
 */
export interface EnginePlan {
  /** Family name (key of {@linkcode FAMILY_RUNTIMES}). */
  family: string;
  /** The family's own plan. */
  familyPlan: unknown;
  /** Packed parameter count. */
  packedSize: number;
  /** Samples per chunk. */
  rows: number;
  /** Total samples. */
  samples: number;
  /** ⌈samples/rows⌉. */
  chunks: number;
  /** Chunks 0..cachedChunks−1 keep their state in the cache. */
  cachedChunks: number;
  /** Byte address of the cache. */
  cacheBase: number;
  /** Bytes of one chunk's state (stride of the cache). */
  stateBytes: number;
  /** Most vectors per R-pass. */
  maxBlock: number;
  /** One entry per thread. */
  threads: ThreadBuffers[];
}

/**
 * Operation codes of {@linkcode ChunkRunner.run}.
 *
 * @example
 * ```ts
 * import { OP } from "./runtime.ts";
 * OP.HVP; // 2
 * ```
 */
export const OP = Object.freeze({ PREPARE: 0, GRADIENT: 1, HVP: 2 });

/**
 * One thread's executor of engine operations over its share of the chunks.
 *
 * @example
 * ```ts
 * import { ChunkRunner, type EnginePlan, OP } from "./runtime.ts";
 * import type { Kern } from "./mlp.ts";
import type { JobFactory } from "../../compute/wasm/threads.ts";
 * function gradientOnOneThread(plan: EnginePlan, k: Kern) {
 *   let c = 0;
 *   new ChunkRunner(plan, k, 0).run(OP.GRADIENT, 1, () => c++);
 * }
 * ```
 */
export class ChunkRunner {
  readonly #plan: EnginePlan;
  readonly #k: Kern;
  readonly #t: ThreadBuffers;
  readonly #family: FamilyRuntime;
  readonly #acc: Float64Array;
  readonly #value: Float64Array;

  constructor(plan: EnginePlan, kern: Kern, thread: number) {
    const factory = FAMILY_RUNTIMES[plan.family];
    if (!factory) throw new Error(`engine: unknown loss family "${plan.family}"`);
    this.#plan = plan;
    this.#t = plan.threads[thread];
    this.#k = kern;
    this.#family = factory(plan.familyPlan, this.#k, plan.packedSize);
    const buf = kern.memory.buffer;
    this.#acc = new Float64Array(buf, this.#t.acc, plan.maxBlock * plan.packedSize);
    this.#value = new Float64Array(buf, this.#t.value, 1);
  }

  /**
   * Runs `op` on the chunks that `next()` hands out (until it returns a chunk past the last):
   * PREPARE fills the cache of the cached chunks; GRADIENT and HVP (with `b` staged vectors)
   * zero and then fill this thread's accumulators.
   */
  run(op: number, b: number, next: () => number): void {
    const p = this.#plan, t = this.#t, k = this.#k, f = this.#family;
    const size = p.packedSize;
    if (op !== OP.PREPARE) {
      this.#acc.fill(0, 0, b * size);
      this.#value[0] = 0;
    }
    const last = op === OP.PREPARE ? p.cachedChunks : p.chunks;
    for (let c = next(); c < last; c = next()) {
      const start = c * p.rows;
      const n = Math.min(p.rows, p.samples - start);
      const cached = c < p.cachedChunks;
      const st = cached ? p.cacheBase + c * p.stateBytes : t.state;
      if (op === OP.PREPARE || !cached) f.prepare(start, n, st, t.scratch);
      if (op === OP.GRADIENT) {
        f.gradient(start, n, st, t.out, this.#acc, this.#value);
        k.accumulateF64(t.acc, t.out, size);
      } else if (op === OP.HVP) {
        f.hvp(start, n, st, t.scratch, b, t.out, this.#acc);
        k.accumulateF64(t.acc, t.out, b * size);
      }
    }
  }
}

/**
 * The engine's job for {@linkcode WasmThreads} (`lib/compute/wasm/threads.ts`): thread
 * `init.thread`'s chunk loop, `(op, b) => runner.run(op, b, next)`, taking chunks from the shared
 * counter `init.counter`.
 *
 * @example
 * ```ts
 * import { createJob } from "./runtime.ts";
 * typeof createJob; // "function"
 * ```
 */
export const createJob: JobFactory = (init, context) => {
  const { plan, thread, counter } = init as {
    plan: EnginePlan;
    thread: number;
    counter: Int32Array;
  };
  const kern: Kern = {
    ...context.kernels(plan.threads[thread].elementwise),
    memory: context.memory,
  };
  const runner = new ChunkRunner(plan, kern, thread);
  return (op, b) => runner.run(op, b, () => Atomics.add(counter, 0, 1));
};
