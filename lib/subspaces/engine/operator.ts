/**
 * {@linkcode FastHessianOperator}: exact gradients and (block) Hessian-vector products of the
 * analysis losses on the compute layer's engine (`lib/compute/evaluator.ts`: Pearlmutter's
 * R-operator on the objectives of `lib/compute/objectives`, chunked, cached, on float32
 * WebAssembly SIMD with float64 accumulation, one or two threads; or on the float64 CPU device),
 * as the analysis's `HessianOperatorLike`.
 *
 * @module
 */
import { type EvaluatorOptions, ObjectiveEvaluator } from "../../compute/evaluator.ts";
import type { ObjectiveSpec } from "../../compute/objectives/mod.ts";

/**
 * Engine options (those of the compute layer's evaluator).
 *
 * @example
 * ```ts
 * import type { FastEngineOptions } from "./operator.ts";
 * const o: FastEngineOptions = { threads: 2, chunkRows: 256, maxBlock: 8 };
 * ```
 */
export type FastEngineOptions = EvaluatorOptions;

/**
 * Gradient and Hessian-vector products of one objective at its θ.
 *
 * @example
 * ```ts
 * import { makeActorCriticSpec } from "../../agents/mod.ts";
 * import { FastHessianOperator } from "./operator.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
 * const theta = spec.criticLayout.zeros().map((_, i) => Math.sin(i));
 * const op = new FastHessianOperator({
 *   label: "critic", theta,
 *   objective: {
 *     kind: "regression", nets: [spec.criticNet], inputs: new Float32Array([1, 0, 0, 0, 1, 0]),
 *     targets: new Float32Array([1, 2]), coef: 0.5, clip: null,
 *   },
 * }, { threads: 1 });
 * const hv = await op.hvp(new Float64Array(op.n).fill(1));
 * op.dispose();
 * ```
 */
export class FastHessianOperator {
  // Implements HessianOperatorLike (lib/subspaces/hvp.ts), which imports this module.
  /** "fast" (float32 WebAssembly, or a GPU that `auto` found), "cpu" (float64) or "webgpu". */
  readonly engine: "fast" | "cpu" | "webgpu";
  /** What this is, for messages. */
  readonly label: string;
  /** Dimension of θ. */
  readonly n: number;
  /** Total samples N. */
  readonly samples: number;
  /** Hessian-vector products computed so far (a block of b counts b). */
  hvpCount = 0;
  /** Gradients computed so far. */
  gradientCount = 0;
  readonly #evaluator: ObjectiveEvaluator;

  constructor(
    loss: { label: string; theta: Float32Array; objective: ObjectiveSpec },
    options: FastEngineOptions = {},
  ) {
    this.label = loss.label;
    this.engine = options.device === "cpu"
      ? "cpu"
      : options.device === "webgpu"
      ? "webgpu"
      : "fast";
    this.#evaluator = new ObjectiveEvaluator(loss.objective, loss.theta, options, loss.label);
    this.n = this.#evaluator.n;
    this.samples = this.#evaluator.samples;
  }

  /** The evaluator's device: "wasm", "cpu", "webgpu", or "auto" before the first product. */
  get device(): string {
    return this.#evaluator.device;
  }

  /** Threads used (1 after a failed worker start with threads "auto"). */
  get threads(): 1 | 2 {
    return this.#evaluator.threads;
  }

  /** Chunks whose state is cached. */
  get cachedChunks(): number {
    return this.#evaluator.cachedChunks;
  }

  /** All chunks. */
  get chunks(): number {
    return this.#evaluator.chunks;
  }

  /** Bytes of the engine memory. */
  get memoryBytes(): number {
    return this.#evaluator.memoryBytes;
  }

  /** Multiply-adds of one gradient pass and of one R-pass per vector, over all samples. */
  get macs(): { forwardBackward: number; rPass: number } {
    return this.#evaluator.macs;
  }

  /** H v, float64. */
  async hvp(v: ArrayLike<number>): Promise<Float64Array> {
    return (await this.hvpBlock([v]))[0];
  }

  /**
   * H·[v_1 … v_b] in one pass over the data per group of `maxBlock` vectors.
   *
   * @throws RangeError for a wrong length or a non-finite result.
   */
  async hvpBlock(vectors: readonly ArrayLike<number>[]): Promise<Float64Array[]> {
    const out = await this.#evaluator.hvpBlock(vectors);
    this.hvpCount += vectors.length;
    return out;
  }

  /** ∇L, float64. */
  async gradient(): Promise<Float64Array> {
    return (await this.valueAndGradient()).gradient;
  }

  /** L and ∇L in one pass over the data. */
  async valueAndGradient(): Promise<{ value: number; gradient: Float64Array }> {
    const out = await this.#evaluator.valueAndGradient();
    this.gradientCount++;
    return out;
  }

  /** This operator as a plain function for `lanczosTopK` / `stochasticLanczosQuadrature`. */
  asOperator(): (v: Float64Array) => Promise<Float64Array> {
    return (v) => this.hvp(v);
  }

  /** The block form [v_1 … v_b] ↦ [H v_1 … H v_b] (one pass over the data per maxBlock vectors). */
  asBlockOperator(): (vectors: readonly Float64Array[]) => Promise<Float64Array[]> {
    return (vectors) => this.hvpBlock(vectors);
  }

  /** Stops the worker and drops the memory. Idempotent. */
  dispose(): void {
    this.#evaluator.dispose();
  }
}
