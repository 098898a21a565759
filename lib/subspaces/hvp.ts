/**
 * Exact gradients and Hessian-vector products of a loss given as a pure tfjs function of one
 * network's flat parameter vector θ, on a data set of any size, in fixed memory.
 *
 * **Chunking.** The data set of N samples is cut into chunks c of n_c samples; each chunk
 * contributes the mean loss L_c(θ) over its samples, and
 *
 *   L(θ) = Σ_c (n_c/N)·L_c(θ),   ∇L = Σ_c (n_c/N)·∇L_c,   H v = Σ_c (n_c/N)·H_c v.
 *
 * This is exact for every loss that is a mean of per-sample terms plus terms that do not depend
 * on the data (an entropy bonus, say): anything that couples samples (advantage normalisation,
 * SAC targets) must be computed over the whole data set first and enter the chunks as constants.
 *
 * **HVP.** Pearlmutter's double backprop, H v = ∇_θ(∇_θL_c(θ) · v), with tfjs's nested
 * `tf.grad`; `initRuntime` (lib/runtime) must have installed the second-order-safe gradients of
 * tanh/exp, otherwise the result is silently wrong.
 *
 * **Precision.** tfjs computes in float32; every chunk result is read with `await t.data()`
 * (works on every backend, WebGPU included) and accumulated in float64 with the weight n_c/N.
 *
 * **Memory.** The chunk data tensors are created once, when the {@linkcode ChunkedLoss}'s chunks
 * are first used, and freed by its `dispose()`; θ is uploaded once per {@linkcode HessianOperator};
 * every intermediate tensor of an HVP is freed before it returns (`tf.memory().numTensors` stays
 * flat).
 *
 * **Engines.** This tfjs double-backprop path is the reference. Losses of the paper's families
 * also carry their compute `objective`, which {@linkcode makeHessianOperator} hands to the fast engine
 * (`./engine/`: the R-operator on WebAssembly-SIMD kernels, block HVPs, two threads) unless
 * `engine: "tfjs"` is asked for; then the tfjs chunks are never built.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type FastEngineOptions, FastHessianOperator } from "./engine/mod.ts";
import type { ObjectiveSpec } from "../compute/objectives/mod.ts";

/**
 * One chunk of a {@linkcode ChunkedLoss}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LossChunk } from "./hvp.ts";
 * const chunk: LossChunk = { samples: 3, loss: (t) => tf.sum(tf.square(t)) as tf.Scalar };
 * ```
 */
export interface LossChunk {
  /** Number of samples n_c in this chunk (its weight is n_c/N). */
  readonly samples: number;
  /** Mean loss over this chunk's samples, a twice-differentiable function of θ. */
  readonly loss: (theta: tf.Tensor1D) => tf.Scalar;
}

/**
 * One network's loss on one data set, split into chunks: L(θ) = Σ_c (n_c/N)·L_c(θ).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { ChunkedLoss } from "./hvp.ts";
 * // ½‖θ‖² as a one-chunk loss.
 * const loss: ChunkedLoss = {
 *   label: "toy",
 *   theta: new Float32Array([1, 2]),
 *   chunks: [{ samples: 1, loss: (t) => tf.mul(0.5, tf.sum(tf.square(t))) as tf.Scalar }],
 *   dispose: () => {},
 * };
 * ```
 */
export interface ChunkedLoss {
  /** What this is, for messages, e.g. "actor (precise)". */
  readonly label: string;
  /** θ (float32, length N_θ), the point where everything is evaluated; fixed for the solve. */
  readonly theta: Float32Array;
  /** The chunks; N = Σ n_c. */
  readonly chunks: readonly LossChunk[];
  /** The same loss for the fast engine, when it belongs to one of its families. */
  readonly objective?: ObjectiveSpec;
  /** Frees the chunks' data tensors. Idempotent. */
  dispose(): void;
}

/**
 * Options of {@linkcode makeChunkedLoss}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { MakeChunkedLossOptions } from "./hvp.ts";
 * const options: MakeChunkedLossOptions = {
 *   label: "toy", theta: new Float32Array(2), samples: 100, chunkSize: 32,
 *   chunk: () => ({ loss: (t) => tf.sum(tf.square(t)) as tf.Scalar, tensors: [] }),
 * };
 * ```
 */
export interface MakeChunkedLossOptions {
  /** What this is, for messages. */
  label: string;
  /** θ (float32). */
  theta: Float32Array;
  /** Number of samples N of the data set. */
  samples: number;
  /** Samples per chunk (the last chunk may be smaller). */
  chunkSize: number;
  /**
   * Builds the data tensors of samples [start, start + count) — called once per chunk, when the
   * chunks are first used — and returns the chunk's mean loss and the tensors to free on
   * `dispose()`.
   */
  chunk: (
    start: number,
    count: number,
  ) => { loss: (theta: tf.Tensor1D) => tf.Scalar; tensors: tf.Tensor[] };
  /** The same loss for the fast engine (see {@linkcode ChunkedLoss.objective}). */
  objective?: ObjectiveSpec;
}

/**
 * Builds a {@linkcode ChunkedLoss} over N samples cut into chunks of `chunkSize`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { makeChunkedLoss } from "./hvp.ts";
 * // Least squares ½·mean[(xᵢ·θ − yᵢ)²] on 10 samples, chunks of 4, 4 and 2.
 * const x = new Float32Array(20).map((_, i) => Math.sin(i)), y = new Float32Array(10).fill(1);
 * const loss = makeChunkedLoss({
 *   label: "least squares", theta: new Float32Array(2), samples: 10, chunkSize: 4,
 *   chunk: (start, count) => {
 *     const xs = tf.tensor2d(x.subarray(2 * start, 2 * (start + count)), [count, 2]);
 *     const ys = tf.tensor1d(y.subarray(start, start + count));
 *     const loss = (t: tf.Tensor1D) =>
 *       tf.mul(0.5, tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(xs, tf.reshape(t, [2, 1])), [1]), ys)))) as tf.Scalar;
 *     return { loss, tensors: [xs, ys] };
 *   },
 * });
 * loss.chunks.length; // 3
 * loss.dispose();
 * ```
 */
export function makeChunkedLoss(options: MakeChunkedLossOptions): ChunkedLoss {
  const { label, theta, samples, chunkSize } = options;
  if (!Number.isSafeInteger(samples) || samples < 1) {
    throw new RangeError(`makeChunkedLoss(${label}): need at least one sample, got ${samples}`);
  }
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(
      `makeChunkedLoss(${label}): chunkSize must be a positive integer, got ${chunkSize}`,
    );
  }
  let chunks: LossChunk[] | null = null;
  const tensors: tf.Tensor[] = [];
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const t of tensors) t.dispose();
  };
  // Chunks (and their tensors) are built on first use: the fast engine never needs them.
  const build = (): LossChunk[] => {
    if (chunks) return chunks;
    if (disposed) throw new Error(`makeChunkedLoss(${label}): used after dispose()`);
    const built: LossChunk[] = [];
    try {
      for (let start = 0; start < samples; start += chunkSize) {
        const count = Math.min(chunkSize, samples - start);
        const made = options.chunk(start, count);
        tensors.push(...made.tensors);
        built.push({ samples: count, loss: made.loss });
      }
    } catch (e) {
      for (const t of tensors.splice(0)) t.dispose();
      throw e;
    }
    chunks = built;
    return chunks;
  };
  return {
    label,
    theta,
    get chunks() {
      return build();
    },
    ...(options.objective ? { objective: options.objective } : {}),
    dispose,
  };
}

/**
 * Gradient and Hessian-vector products of a {@linkcode ChunkedLoss} at its θ (see the module
 * doc for the formulas). Results are float64; operator calls are counted.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { initRuntime } from "../runtime/mod.ts";
 * import { HessianOperator } from "./hvp.ts";
 * await initRuntime({ backend: "cpu" });
 * // L(θ) = θ₀²θ₁: gradient (2θ₀θ₁, θ₀²), Hessian [[2θ₁, 2θ₀], [2θ₀, 0]].
 * const op = new HessianOperator({
 *   label: "toy", theta: new Float32Array([1, 3]), dispose: () => {},
 *   chunks: [{ samples: 1, loss: (t) => tf.mul(tf.square(tf.slice(t, 0, 1)), tf.slice(t, 1, 1)).sum() as tf.Scalar }],
 * });
 * await op.gradient(); // [6, 1]
 * await op.hvp(new Float64Array([1, 0])); // [6, 2]
 * op.dispose();
 * ```
 */
export class HessianOperator implements HessianOperatorLike {
  /** "tfjs". */
  readonly engine = "tfjs" as const;
  /** The loss. */
  readonly loss: ChunkedLoss;
  /** Dimension of θ. */
  readonly n: number;
  /** Total samples N. */
  readonly samples: number;
  /** Hessian-vector products computed so far. */
  hvpCount = 0;
  /** Gradients computed so far. */
  gradientCount = 0;
  readonly #weights: Float64Array;
  #theta: tf.Tensor1D | null;

  constructor(loss: ChunkedLoss) {
    if (loss.chunks.length === 0) {
      throw new RangeError(`HessianOperator(${loss.label}): the loss has no chunks (no data)`);
    }
    let total = 0;
    for (const c of loss.chunks) {
      if (!Number.isSafeInteger(c.samples) || c.samples < 1) {
        throw new RangeError(
          `HessianOperator(${loss.label}): every chunk needs ≥ 1 sample, got ${c.samples}`,
        );
      }
      total += c.samples;
    }
    for (let i = 0; i < loss.theta.length; i++) {
      if (!Number.isFinite(loss.theta[i])) {
        throw new RangeError(
          `HessianOperator(${loss.label}): θ[${i}] is ${loss.theta[i]}; the checkpoint's ` +
            "parameters must be finite",
        );
      }
    }
    this.loss = loss;
    this.n = loss.theta.length;
    this.samples = total;
    this.#weights = Float64Array.from(loss.chunks, (c) => c.samples / total);
    this.#theta = tf.tensor1d(loss.theta);
  }

  /** The uploaded θ (throws after dispose). */
  get #thetaTensor(): tf.Tensor1D {
    if (this.#theta === null) {
      throw new Error(`HessianOperator(${this.loss.label}): used after dispose()`);
    }
    return this.#theta;
  }

  /**
   * H v = Σ_c (n_c/N)·∇_θ(∇_θL_c · v), accumulated in float64.
   *
   * @throws RangeError for a wrong length or a non-finite result.
   */
  async hvp(v: ArrayLike<number>): Promise<Float64Array> {
    if (v.length !== this.n) {
      throw new RangeError(
        `HessianOperator(${this.loss.label}).hvp: vector has length ${v.length}, θ has ${this.n}`,
      );
    }
    const theta = this.#thetaTensor;
    const vt = tf.tensor1d(Float32Array.from(v));
    try {
      const out = await this.#accumulate((chunk) =>
        tf.tidy(() => {
          const gradDotV = (t: tf.Tensor) =>
            tf.sum(tf.mul(tf.grad((u: tf.Tensor) => chunk.loss(u as tf.Tensor1D))(t), vt));
          return tf.grad(gradDotV)(theta);
        }), "Hessian-vector product");
      this.hvpCount++;
      return out;
    } catch (e) {
      throw explainSecondOrder(e, this.loss.label);
    } finally {
      vt.dispose();
    }
  }

  /** H·[v_1 … v_b], one {@linkcode HessianOperator.hvp} per vector. */
  async hvpBlock(vectors: readonly ArrayLike<number>[]): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    for (const v of vectors) out.push(await this.hvp(v));
    return out;
  }

  /** ∇L = Σ_c (n_c/N)·∇L_c, accumulated in float64. */
  async gradient(): Promise<Float64Array> {
    return (await this.valueAndGradient()).gradient;
  }

  /** L and ∇L in one pass over the chunks. */
  async valueAndGradient(): Promise<{ value: number; gradient: Float64Array }> {
    const theta = this.#thetaTensor;
    const values: tf.Scalar[] = [];
    try {
      const gradient = await this.#accumulate((chunk) =>
        tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad((u: tf.Tensor) => chunk.loss(u as tf.Tensor1D))(
            theta,
          );
          values.push(tf.keep(value));
          return grad;
        }), "gradient");
      let value = 0;
      for (let c = 0; c < values.length; c++) {
        value += this.#weights[c] * (await values[c].data())[0];
      }
      if (!Number.isFinite(value)) {
        throw new RangeError(`HessianOperator(${this.loss.label}): the loss value is ${value}`);
      }
      this.gradientCount++;
      return { value, gradient };
    } finally {
      for (const t of values) t.dispose();
    }
  }

  /** This operator as a plain function for `lanczosTopK` / `stochasticLanczosQuadrature`. */
  asOperator(): (v: Float64Array) => Promise<Float64Array> {
    return (v) => this.hvp(v);
  }

  /** The block form [v_1 … v_b] ↦ [H v_1 … H v_b], for block eigensolvers. */
  asBlockOperator(): (vectors: readonly Float64Array[]) => Promise<Float64Array[]> {
    return (vectors) => this.hvpBlock(vectors);
  }

  /** Frees θ (the loss's data belongs to the loss: call `loss.dispose()` separately). */
  dispose(): void {
    this.#theta?.dispose();
    this.#theta = null;
  }

  /**
   * Σ_c w_c·compute(chunk_c) in float64. The next chunk's kernels are queued before the previous
   * result is read, so an asynchronous backend (WebGPU) computes while JavaScript accumulates.
   */
  async #accumulate(
    compute: (chunk: LossChunk) => tf.Tensor,
    what: string,
  ): Promise<Float64Array> {
    const out = new Float64Array(this.n);
    const chunks = this.loss.chunks;
    const consume = async (p: { tensor: tf.Tensor; index: number }) => {
      let data: ArrayLike<number>;
      try {
        data = await p.tensor.data();
      } finally {
        p.tensor.dispose();
      }
      if (data.length !== this.n) {
        throw new RangeError(
          `HessianOperator(${this.loss.label}): ${what} of chunk ${p.index} has length ` +
            `${data.length}, θ has ${this.n}`,
        );
      }
      const w = this.#weights[p.index];
      for (let i = 0; i < this.n; i++) {
        const x = data[i];
        if (!Number.isFinite(x)) {
          throw new RangeError(
            `HessianOperator(${this.loss.label}): ${what} of chunk ${p.index} is ${x} at index ` +
              `${i}; the loss or the data produce non-finite derivatives`,
          );
        }
        out[i] += w * x;
      }
    };
    let pending: { tensor: tf.Tensor; index: number } | null = null;
    try {
      for (let c = 0; c < chunks.length; c++) {
        const tensor = compute(chunks[c]); // on a throw, `pending` is freed below
        const previous = pending;
        pending = { tensor, index: c };
        if (previous) await consume(previous); // consume frees `previous` even when it throws
      }
      if (pending) {
        const last = pending;
        pending = null;
        await consume(last);
      }
    } finally {
      pending?.tensor.dispose();
    }
    return out;
  }
}

/**
 * tfjs throws "gradient function not found for X" when an op's gradient cannot be differentiated
 * again (clipByValue → LogicalAnd, minimum/maximum → LessEqual/GreaterEqual); say what to do.
 */
function explainSecondOrder(e: unknown, label: string): unknown {
  const m = /gradient function not found for (\w+)/.exec((e as Error)?.message ?? "");
  if (!m) return e;
  return new Error(
    `HessianOperator(${label}): tfjs cannot differentiate the loss twice: kernel ${m[1]} has no ` +
      "gradient. Write the loss with second-order-safe ops (e.g. clamp(x, lo, hi) = x − " +
      "relu(x − hi) + relu(lo − x) instead of clipByValue, min(a, b) = b − relu(b − a) instead " +
      "of minimum), or register a gradient for that kernel",
    { cause: e },
  );
}

/**
 * What the analysis needs from a Hessian operator; implemented by the tfjs reference
 * ({@linkcode HessianOperator}) and the fast engine (`FastHessianOperator`).
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
  readonly engine: "tfjs" | "fast";
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
  /** [v_1 … v_b] ↦ [H v_1 … H v_b] (the fast engine does a block in one pass over the data). */
  asBlockOperator(): (vectors: readonly Float64Array[]) => Promise<Float64Array[]>;
  /** Frees what the operator holds (not the loss). */
  dispose(): void;
}

/**
 * Which engine computes gradients and HVPs: `"fast"` (the R-operator engine; an error for a
 * loss it does not support), `"tfjs"` (double backprop, the reference) or `"auto"` (fast where
 * supported, else tfjs).
 *
 * @example
 * ```ts
 * import type { HvpEngine } from "./hvp.ts";
 * const engine: HvpEngine = "auto";
 * ```
 */
export type HvpEngine = "auto" | "fast" | "tfjs";

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
  /** Options of the fast engine. */
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
  if (engine !== "auto" && engine !== "fast" && engine !== "tfjs") {
    throw new RangeError(
      `makeHessianOperator: engine must be "auto", "fast" or "tfjs", got "${engine}"`,
    );
  }
  if (engine === "tfjs" || (engine === "auto" && !loss.objective)) return new HessianOperator(loss);
  if (!loss.objective) {
    throw new Error(
      `makeHessianOperator(${loss.label}): the fast engine does not support this loss; use ` +
        `engine "auto" or "tfjs"`,
    );
  }
  return new FastHessianOperator(
    { label: loss.label, theta: loss.theta, objective: loss.objective },
    options.fast,
  );
}
