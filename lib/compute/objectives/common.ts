/**
 * The contract between the engines (the chunk runner of `../chunks.ts`, the PPO and SAC training
 * steps) and an objective (a loss of one network's θ over a data set): how an objective lays out
 * its memory when planned, and what it does with one chunk of samples on any thread.
 *
 * @module
 */
import type { Arena } from "../arena.ts";
import type { Kernels, Ptr, RealArray } from "../kernels.ts";
import type { Network } from "../network.ts";
import { type NetPlan, planNet, refreshTransposes, stageDirections } from "../ops.ts";

/**
 * Where an objective places things while an engine plans the device memory. All arenas use the
 * device's element size.
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import type { PlanContext } from "./common.ts";
 * const ctx: PlanContext = { fixed: new Arena(64), state: new Arena(0), scratch: new Arena(0), rows: 256, maxBlock: 4 };
 * ```
 */
export interface PlanContext {
  /** Absolute allocations shared by all threads (data, θ, transposed weights, directions). */
  fixed: Arena;
  /** Per-chunk state, offsets relative to a chunk's state base. */
  state: Arena;
  /** Per-thread scratch, offsets relative to a thread's scratch base. */
  scratch: Arena;
  /** Samples per chunk. */
  rows: number;
  /** Most directions per R-pass (0: the objective is used for gradients only). */
  maxBlock: number;
}

/**
 * A device as an objective's code sees it: the kernels of this thread and views of the memory.
 *
 * The contract that lets the same code drive an asynchronous device (WebGPU, whose views are of
 * a host mirror): host code reads what kernels wrote only after yielding a
 * {@linkcode DownloadRequest} for it, and writes only through views taken since the last kernel
 * call (a view taken before a kernel is for reading; take a new one to write after it).
 *
 * @example
 * ```ts
 * import type { DeviceContext } from "./common.ts";
 * function first(d: DeviceContext, ptr: number) { return d.real(ptr, 1)[0]; }
 * ```
 */
export interface DeviceContext {
  /** Kernels bound to this thread. */
  kernels: Kernels;
  /** Bytes of one real. */
  E: 4 | 8;
  /** A view of `n` reals at `ptr`. */
  real(ptr: Ptr, n: number): RealArray;
  /** A view of `n` float64 values at `ptr`. */
  f64(ptr: Ptr, n: number): Float64Array;
}

/**
 * An objective planned on the main thread.
 *
 * @example
 * ```ts
 * import type { PlannedObjective } from "./common.ts";
 * function size(p: PlannedObjective) { return p.size; }
 * ```
 */
export interface PlannedObjective {
  /** The objective kind (the key of its runtime factory). */
  kind: string;
  /** Serialisable plan handed to every thread's runtime. */
  plan: unknown;
  /** Length of θ. */
  size: number;
  /** Samples of the data set. */
  samples: number;
  /** Byte offset of θ on the device (θ order, the device's reals). */
  theta: Ptr;
  /** Byte offset of the direction staging (maxBlock θ-sized vectors; 0 without R-passes). */
  directions: Ptr;
  /** The data columns on the device by name: row-major, `width` reals per sample. */
  columns: Record<string, { ptr: Ptr; width: number }>;
  /** Writes the data and θ into the device and prepares the weights (called once). */
  load(dev: DeviceContext): void;
  /** After θ changed on the device (an optimiser step): refreshes what depends on it. */
  refresh(dev: DeviceContext): void;
  /** After `b` directions were written to `directions`: prepares them. */
  stage(dev: DeviceContext, b: number): void;
  /** Multiply-adds per sample of one gradient and of one R-pass (b = 1), for FLOP counts. */
  macsPerSample: { forwardBackward: number; rPass: number };
}

/**
 * Device ranges (`[ptr, reals]`) that host code is about to read after kernels wrote them. A
 * device whose kernels run asynchronously (WebGPU) downloads them before the objective goes on;
 * on the WebAssembly and CPU devices the memory is the host's and nothing is to be done.
 *
 * @example
 * ```ts
 * import type { DownloadRequest } from "./common.ts";
 * const outputs: DownloadRequest = [[4096, 256]];
 * ```
 */
export type DownloadRequest = readonly (readonly [Ptr, number])[];

/**
 * The steps of one objective operation on a chunk: a generator that yields a
 * {@linkcode DownloadRequest} wherever host code reads what kernels just wrote.
 *
 * @example
 * ```ts
 * import type { ObjectiveSteps } from "./common.ts";
 * function* nothing(): ObjectiveSteps {}
 * ```
 */
export type ObjectiveSteps = Generator<DownloadRequest, void, undefined>;

/**
 * Runs steps on a device whose memory the host shares (WebAssembly, CPU): the download requests
 * need nothing.
 *
 * @example
 * ```ts
 * import { runSteps } from "./common.ts";
 * runSteps((function* () { yield [[0, 4]]; })());
 * ```
 */
export function runSteps(steps: ObjectiveSteps): void {
  for (let r = steps.next(); !r.done; r = steps.next());
}

/**
 * What an objective does with one chunk, on any thread. Buffers: `st` the chunk's state base,
 * `sc` the thread's scratch base, `out` the thread's θ-sized output (device reals; b vectors,
 * stride θ), `acc` its float64 accumulators (same layout, host memory), `value` its float64
 * value slot. The network parts of a gradient or HVP are written to `out` (then accumulated by
 * the engine), the head parts are added to `acc` directly. Each operation is a generator of
 * {@linkcode ObjectiveSteps} (see {@linkcode DownloadRequest}).
 *
 * @example
 * ```ts
 * import { type ObjectiveRuntime, runSteps } from "./common.ts";
 * function once(r: ObjectiveRuntime, st: number) { runSteps(r.prepare(0, 256, st, 0)); }
 * ```
 */
export interface ObjectiveRuntime {
  /** Forward pass, loss-head state and backward pass of samples [start, start + n). */
  prepare(start: number, n: number, st: Ptr, sc: Ptr): ObjectiveSteps;
  /** Value and gradient of the prepared chunk. */
  gradient(
    start: number,
    n: number,
    st: Ptr,
    out: Ptr,
    acc: Float64Array,
    value: Float64Array,
  ): ObjectiveSteps;
  /** R-pass of `b` staged directions. */
  hvp(
    start: number,
    n: number,
    st: Ptr,
    sc: Ptr,
    b: number,
    out: Ptr,
    acc: Float64Array,
  ): ObjectiveSteps;
}

/**
 * Plans an objective (main thread): its spec, θ and the planning context in, the planned
 * objective with its serialisable plan `P` out.
 *
 * @example
 * ```ts
 * import type { Planner } from "./common.ts";
 * import type { RegressionSpec } from "./regression.ts";
 * const plans = (p: Planner<RegressionSpec, unknown>) => p;
 * ```
 */
export type Planner<S, P> = (
  spec: S,
  theta: ArrayLike<number>,
  ctx: PlanContext,
) => PlannedObjective & { plan: P };

/**
 * Builds an objective's runtime from its plan on one thread.
 *
 * @example
 * ```ts
 * import type { RuntimeFactory } from "./common.ts";
 * function build(f: RuntimeFactory) { return f; }
 * ```
 */
export type RuntimeFactory = (plan: unknown, dev: DeviceContext) => ObjectiveRuntime;

/** Copies `src` (any numbers) into the device reals at `ptr`. */
export function upload(dev: DeviceContext, ptr: Ptr, src: ArrayLike<number>): void {
  const view = dev.real(ptr, src.length);
  for (let i = 0; i < src.length; i++) view[i] = src[i];
}

/** Checks that every value of `theta` is finite (a clear error naming the label otherwise). */
export function checkFinite(label: string, theta: ArrayLike<number>): void {
  for (let i = 0; i < theta.length; i++) {
    if (!Number.isFinite(theta[i])) {
      throw new RangeError(
        `${label}: θ[${i}] is ${theta[i]}; the checkpoint's parameters must be finite`,
      );
    }
  }
}

/**
 * θ of an objective (its values, and where it lives on the device), its direction staging and
 * the networks that read θ in place.
 *
 * @example
 * ```ts
 * import type { PlannedParameters } from "./common.ts";
 * const size = (p: PlannedParameters) => p.size;
 * ```
 */
export interface PlannedParameters {
  /** Length of θ. */
  size: number;
  /** θ's values (uploaded by `load`). */
  values: ArrayLike<number>;
  /** Byte offset of θ on the device. */
  theta: Ptr;
  /** Byte offset of the direction staging (0 without R-passes). */
  directions: Ptr;
  /** The trained networks, planned over θ. */
  nets: NetPlan[];
}

/**
 * θ of an objective on the device (checked finite), its direction staging, and the networks
 * that read θ in place, planned.
 *
 * @example
 * ```ts
 * import { planParameters, type PlanContext } from "./common.ts";
 * import type { Network } from "../network.ts";
 * function plan(net: Network, theta: Float32Array, ctx: PlanContext) {
 *   return planParameters("my objective", [net], theta, ctx).nets[0];
 * }
 * ```
 */
export function planParameters(
  label: string,
  nets: readonly Network[],
  theta: ArrayLike<number>,
  ctx: PlanContext,
): PlannedParameters {
  checkFinite(label, theta);
  const size = theta.length;
  const thetaPtr = ctx.fixed.real(size);
  const directions = ctx.maxBlock > 0 ? ctx.fixed.real(size * ctx.maxBlock) : 0;
  const plans = nets.map((net) => planNet(net, thetaPtr, size, directions, ctx));
  return { size, values: theta, theta: thetaPtr, directions, nets: plans };
}

/**
 * A data column on the device: row-major, `width` reals per sample, and the values it holds.
 *
 * @example
 * ```ts
 * import type { DataColumn } from "./common.ts";
 * const c: DataColumn = { ptr: 0, width: 3, values: new Float32Array(30) };
 * ```
 */
export interface DataColumn {
  /** Byte offset on the device. */
  ptr: Ptr;
  /** Reals per sample. */
  width: number;
  /** The data set's values (uploaded by `load`). */
  values: ArrayLike<number>;
}

/**
 * Allocates the data columns of `n` samples (`[values, width]` each; null entries are absent).
 *
 * @example
 * ```ts
 * import { dataColumns, type PlanContext } from "./common.ts";
 * function columns(ctx: PlanContext, obs: Float32Array, returns: Float32Array) {
 *   return dataColumns(ctx, returns.length, { obs: [obs, 3], returns: [returns, 1] });
 * }
 * ```
 */
export function dataColumns<K extends string>(
  ctx: PlanContext,
  n: number,
  columns: Record<K, readonly [ArrayLike<number>, number] | null>,
): Record<K, DataColumn> {
  const out: Partial<Record<K, DataColumn>> = {};
  for (
    const [name, column] of Object.entries(columns) as [
      K,
      readonly [ArrayLike<number>, number] | null,
    ][]
  ) {
    if (column === null) continue;
    const [values, width] = column;
    out[name] = { ptr: ctx.fixed.real(n * width), width, values };
  }
  return out as Record<K, DataColumn>;
}

/**
 * The planned objective from its parts: the kind and serialisable plan (with its sample count),
 * θ and its trained networks (from `planParameters`), the data columns, the multiply-adds per
 * sample, the networks over constant parameters (`frozen`) and other constants (`[ptr, values]`).
 * Its hooks: `load` writes θ, the constants and the columns, then every network's transposed
 * weights; `refresh` redoes the trained networks' transposes after θ changed; `stage` prepares b
 * written directions.
 *
 * @example
 * ```ts
 * import { dataColumns, planned, planParameters, type PlanContext } from "./common.ts";
 * import type { Network } from "../network.ts";
 * function plan(net: Network, theta: Float32Array, obs: Float32Array, ctx: PlanContext) {
 *   const p = planParameters("my objective", [net], theta, ctx);
 *   const columns = dataColumns(ctx, obs.length / 3, { obs: [obs, 3] });
 *   const macsPerSample = { forwardBackward: 0, rPass: 0 };
 *   return planned({ kind: "mine", plan: { samples: obs.length / 3 }, parameters: p, columns, macsPerSample });
 * }
 * ```
 */
export function planned<P extends { samples: number }>(o: {
  kind: string;
  plan: P;
  parameters: PlannedParameters;
  columns: Readonly<Record<string, DataColumn>>;
  macsPerSample: { forwardBackward: number; rPass: number };
  frozen?: readonly NetPlan[];
  constants?: readonly (readonly [Ptr, ArrayLike<number>])[];
}): PlannedObjective & { plan: P } {
  const { parameters: p, columns } = o;
  const all = [...p.nets, ...(o.frozen ?? [])];
  return {
    kind: o.kind,
    plan: o.plan,
    size: p.size,
    samples: o.plan.samples,
    theta: p.theta,
    directions: p.directions,
    columns,
    load(dev) {
      upload(dev, p.theta, p.values);
      for (const [ptr, values] of o.constants ?? []) upload(dev, ptr, values);
      for (const c of Object.values(columns)) upload(dev, c.ptr, c.values);
      for (const net of all) refreshTransposes(dev.kernels, net);
    },
    refresh(dev) {
      for (const net of p.nets) refreshTransposes(dev.kernels, net);
    },
    stage(dev, b) {
      for (const net of p.nets) stageDirections(dev.kernels, net, b);
    },
    macsPerSample: o.macsPerSample,
  };
}
