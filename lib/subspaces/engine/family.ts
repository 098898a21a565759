/**
 * The contract between the engine's scheduler (`runtime.ts`, `operator.ts`) and a loss family
 * (`ppo.ts`, `sac.ts`): how a family lays out its memory on the main thread, and what it does
 * with one chunk of samples on any thread.
 *
 * @module
 */
import type { Arena, Kern } from "./mlp.ts";

/**
 * Where a family places things while the engine plans its memory.
 *
 * @example
 * ```ts
 * import { Arena } from "./mlp.ts";
 * import type { PlanContext } from "./family.ts";
 * const ctx: PlanContext = { fixed: new Arena(64), state: new Arena(0), scratch: new Arena(0), rows: 256, maxBlock: 4 };
 * ```
 */
export interface PlanContext {
  /** Absolute allocations shared by all threads (data, weights, direction staging). */
  fixed: Arena;
  /** Per-chunk state, offsets relative to a chunk's state base. */
  state: Arena;
  /** Per-thread scratch, offsets relative to a thread's scratch base. */
  scratch: Arena;
  /** Samples per chunk. */
  rows: number;
  /** Most vectors per R-pass. */
  maxBlock: number;
}

/**
 * A planned family on the main thread.
 *
 * @example
 * ```ts
 * import type { PlannedFamily } from "./family.ts";
 * function size(p: PlannedFamily) { return p.packedSize; }
 * ```
 */
export interface PlannedFamily {
  /** Family name (the registry key of its runtime). */
  name: string;
  /** Serialisable plan handed to every thread's runtime. */
  plan: unknown;
  /** Length of the packed parameter vector. */
  packedSize: number;
  /** θ index of every packed index. */
  packedToTheta: Int32Array;
  /** Writes data and weights into the memory (called once, after it is created). */
  load(kern: Kern): void;
  /** Writes the direction of `b` vectors (packed order) into the staging buffers. */
  stage(kern: Kern, packed: readonly Float32Array[]): void;
  /** Terms that do not depend on the data (entropy bonus): added once to value and gradient. */
  constantTerms(): { value: number; gradient: Float64Array | null };
  /** Multiply-adds per sample of one gradient and of one R-pass (b = 1), for FLOP counts. */
  macsPerSample: { forwardBackward: number; rPass: number };
}

/**
 * What a family does with one chunk, on any thread. Buffers: `st` the chunk's state base,
 * `sc` the thread's scratch base, `out` the thread's float32 packed output (b vectors,
 * stride packedSize), `acc` the thread's float64 accumulators (same layout), `value` its
 * float64 value slot.
 *
 * @example
 * ```ts
 * import type { FamilyRuntime } from "./family.ts";
 * function once(r: FamilyRuntime, st: number) { r.prepare(0, 256, st, 0); }
 * ```
 */
export interface FamilyRuntime {
  /** Forward pass, loss-head state and backward pass of samples [start, start + n). */
  prepare(start: number, n: number, st: number, sc: number): void;
  /** Value and gradient of the prepared chunk: network parts into `out`, the rest into `acc`. */
  gradient(
    start: number,
    n: number,
    st: number,
    out: number,
    acc: Float64Array,
    value: Float64Array,
  ): void;
  /** R-pass of `b` staged vectors: network parts into `out`, the rest into `acc`. */
  hvp(
    start: number,
    n: number,
    st: number,
    sc: number,
    b: number,
    out: number,
    acc: Float64Array,
  ): void;
}

/**
 * Builds a family's runtime from its plan on one thread.
 *
 * @example
 * ```ts
 * import type { FamilyFactory } from "./family.ts";
 * function build(f: FamilyFactory) { return f; }
 * ```
 */
export type FamilyFactory = (plan: unknown, kern: Kern, packedSize: number) => FamilyRuntime;
