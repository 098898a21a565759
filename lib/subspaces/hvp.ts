/**
 * Exact gradients and Hessian-vector products of one network's loss on a data set of any size,
 * in fixed memory: the analysis's view of the compute layer.
 *
 * A {@linkcode ChunkedLoss} names a compute objective (`lib/compute/objectives`: the network, the
 * head, the loss and the data) at its θ; {@linkcode makeHessianOperator} evaluates it on the
 * chosen engine — the chunked R-operator of `lib/compute/evaluator.ts`, float32 WebAssembly SIMD
 * with float64 accumulation (`"fast"`), or float64 on the CPU device (`"cpu"`, a reference and the
 * float64 path). The data set of N samples is cut into chunks c of n_c samples; each chunk
 * contributes its per-sample terms with weight 1/N, so
 *
 *   L(θ) = Σ_c L_c(θ),   ∇L = Σ_c ∇L_c,   H v = Σ_c H_c v
 *
 * exactly. Anything that couples samples (advantage normalisation, SAC targets) is computed over
 * the whole data set first and enters the chunks as constants.
 *
 * The tfjs double-backprop implementation of the same losses is the reference the engines are
 * tested against (`tests/reference/`), not a production path.
 *
 * @module
 */
import type { ObjectiveSpec } from "../compute/objectives/mod.ts";
import { type FastEngineOptions, FastHessianOperator } from "./engine/mod.ts";

/**
 * One network's loss on one data set at a fixed θ.
 *
 * @example
 * ```ts
 * import type { ChunkedLoss } from "./hvp.ts";
 * import { makeNetwork } from "../compute/network.ts";
 * const net = makeNetwork([{ fanIn: 1, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 1 }] }], "tanh");
 * // ½·mean[(θ₀x + θ₁ − y)²] on two samples.
 * const loss: ChunkedLoss = {
 *   label: "toy",
 *   theta: new Float32Array([1, 2]),
 *   objective: { kind: "regression", nets: [net], inputs: [1, 2], targets: [0, 1], coef: 0.5, clip: null },
 *   dispose: () => {},
 * };
 * ```
 */
export interface ChunkedLoss {
  /** What this is, for messages, e.g. "actor (precise)". */
  readonly label: string;
  /** θ (float32, length N_θ), the point where everything is evaluated; fixed for the solve. */
  readonly theta: Float32Array;
  /** The loss as a compute objective (network geometry, head, loss coefficients, data). */
  readonly objective: ObjectiveSpec;
  /** Frees what the loss holds (nothing for the compute objectives). Idempotent. */
  dispose(): void;
}

/**
 * What the analysis needs from a Hessian operator.
 *
 * @example
 * ```ts
 * import type { HessianOperatorLike } from "./hvp.ts";
 * async function rayleigh(op: HessianOperatorLike, v: Float64Array) {
 *   const hv = await op.hvp(v);
 *   return hv.reduce((s, x, i) => s + x * v[i], 0);
 * }
 * ```
 */
export interface HessianOperatorLike {
  /** Which engine computes the products. */
  readonly engine: "fast" | "cpu" | "webgpu";
  /** Dimension of θ. */
  readonly n: number;
  /** Total samples N. */
  readonly samples: number;
  /** Hessian-vector products computed so far. */
  hvpCount: number;
  /** Gradients computed so far. */
  gradientCount: number;
  /** H v (float64). */
  hvp(v: ArrayLike<number>): Promise<Float64Array>;
  /** H·[v_1 … v_b]. */
  hvpBlock(vectors: readonly ArrayLike<number>[]): Promise<Float64Array[]>;
  /** ∇L. */
  gradient(): Promise<Float64Array>;
  /** L and ∇L. */
  valueAndGradient(): Promise<{ value: number; gradient: Float64Array }>;
  /** v ↦ H v for the eigensolvers. */
  asOperator(): (v: Float64Array) => Promise<Float64Array>;
  /** [v_1 … v_b] ↦ [H v_1 … H v_b] (a block in one pass over the data). */
  asBlockOperator(): (vectors: readonly Float64Array[]) => Promise<Float64Array[]>;
  /** Frees what the operator holds (not the loss). */
  dispose(): void;
}

/**
 * Which engine computes gradients and HVPs: `"fast"` (float32 WebAssembly SIMD, one or two
 * threads), `"cpu"` (float64, one thread), `"webgpu"` (float32 on a GPU; accepts a software
 * adapter when asked for explicitly) or `"auto"` (WebGPU on a real, non-fallback GPU adapter,
 * else the fast engine; decided at the first product).
 *
 * @example
 * ```ts
 * import type { HvpEngine } from "./hvp.ts";
 * const engine: HvpEngine = "auto";
 * ```
 */
export type HvpEngine = "auto" | "fast" | "cpu" | "webgpu";

/**
 * The engines {@linkcode makeHessianOperator} accepts.
 *
 * @example
 * ```ts
 * import { HVP_ENGINES } from "./hvp.ts";
 * HVP_ENGINES.includes("cpu"); // true
 * ```
 */
export const HVP_ENGINES: readonly HvpEngine[] = Object.freeze(["auto", "fast", "cpu", "webgpu"]);

/**
 * Options of {@linkcode makeHessianOperator}.
 *
 * @example
 * ```ts
 * import type { HessianOperatorOptions } from "./hvp.ts";
 * const o: HessianOperatorOptions = { engine: "auto", fast: { threads: 2 } };
 * ```
 */
export interface HessianOperatorOptions {
  /** Engine choice (default "auto"). */
  engine?: HvpEngine;
  /** Options of the engine (threads, chunk rows, block size, cache). */
  fast?: FastEngineOptions;
}

/**
 * The Hessian operator of a loss on the chosen engine (see {@linkcode HvpEngine}).
 *
 * @example
 * ```ts
 * import type { ChunkedLoss } from "./hvp.ts";
 * import { makeHessianOperator } from "./hvp.ts";
 * async function gradientOf(loss: ChunkedLoss) {
 *   const op = makeHessianOperator(loss, { engine: "auto" });
 *   try {
 *     return await op.gradient();
 *   } finally {
 *     op.dispose();
 *   }
 * }
 * ```
 */
export function makeHessianOperator(
  loss: ChunkedLoss,
  options: HessianOperatorOptions = {},
): HessianOperatorLike {
  const engine = options.engine ?? "auto";
  if (!HVP_ENGINES.includes(engine)) {
    throw new RangeError(
      `makeHessianOperator: engine must be one of ${HVP_ENGINES.join(", ")}, got "${engine}"` +
        (String(engine) === "tfjs"
          ? " (the tfjs double-backprop reference lives in tests/reference/)"
          : ""),
    );
  }
  const device = { auto: "auto", fast: "wasm", cpu: "cpu", webgpu: "webgpu" } as const;
  return new FastHessianOperator(
    { label: loss.label, theta: loss.theta, objective: loss.objective },
    { ...options.fast, device: device[engine], allowFallbackGpu: engine === "webgpu" },
  );
}
