/**
 * The tfjs reference of the analysis's Hessian operator: exact gradients and Hessian-vector
 * products by tfjs's double backprop, H v = ∇_θ(∇_θL_c(θ)·v), chunked over the data
 * (L = Σ_c (n_c/N)·L_c) with float64 accumulation, and the same losses as the compute layer's
 * objectives, built as tfjs graphs from an objective description
 * ({@linkcode tfjsLossOfObjective}). The engines are tested against it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ObjectiveSpec } from "../../lib/compute/objectives/mod.ts";
import type { ChunkedLoss } from "../../lib/subspaces/hvp.ts";
import { HALF_LOG_2PI, LOG_STD_MAX, LOG_STD_MIN, TANH_LOG_EPS } from "../../lib/compute/heads.ts";
import { clampTf, minTf, networkForwardTf, stopGradient } from "./tfjs.ts";

/**
 * One chunk of a {@linkcode TfjsChunkedLoss}.
 */
export interface LossChunk {
  /** Number of samples n_c in this chunk (its weight is n_c/N). */
  readonly samples: number;
  /** Mean loss over this chunk's samples, a twice-differentiable function of θ. */
  readonly loss: (theta: tf.Tensor1D) => tf.Scalar;
}

/**
 * One network's loss on one data set, split into chunks: L(θ) = Σ_c (n_c/N)·L_c(θ).
 */
export interface TfjsChunkedLoss {
  /** What this is, for messages, e.g. "actor (precise)". */
  readonly label: string;
  /** θ (float32, length N_θ), the point where everything is evaluated; fixed for the solve. */
  readonly theta: Float32Array;
  /** The chunks; N = Σ n_c. */
  readonly chunks: readonly LossChunk[];
  /** Frees the chunks' data tensors. Idempotent. */
  dispose(): void;
}

/**
 * Options of {@linkcode makeTfjsChunkedLoss}.
 */
export interface MakeTfjsChunkedLossOptions {
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
}

/**
 * Builds a {@linkcode TfjsChunkedLoss} over N samples cut into chunks of `chunkSize`.
 */
export function makeTfjsChunkedLoss(options: MakeTfjsChunkedLossOptions): TfjsChunkedLoss {
  const { label, theta, samples, chunkSize } = options;
  if (!Number.isSafeInteger(samples) || samples < 1) {
    throw new RangeError(`makeTfjsChunkedLoss(${label}): need at least one sample, got ${samples}`);
  }
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(
      `makeTfjsChunkedLoss(${label}): chunkSize must be a positive integer, got ${chunkSize}`,
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
  const build = (): LossChunk[] => {
    if (chunks) return chunks;
    if (disposed) throw new Error(`makeTfjsChunkedLoss(${label}): used after dispose()`);
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
    dispose,
  };
}

/**
 * Gradient and Hessian-vector products of a {@linkcode TfjsChunkedLoss} at its θ (see the module
 * doc for the formulas). Results are float64; operator calls are counted.
 */
export class HessianOperator {
  /** "tfjs". */
  readonly engine = "tfjs" as const;
  /** The loss. */
  readonly loss: TfjsChunkedLoss;
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

  constructor(loss: TfjsChunkedLoss) {
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

/** Rows [start, start + count) of a row-major array of width `w`, as a tensor. */
function rows(a: ArrayLike<number>, w: number, start: number, count: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: count * w }, (_, i) => a[start * w + i]), [
    count,
    w,
  ]);
}

/**
 * The mean loss of samples [start, start + count) of an objective as a tfjs function of θ, and
 * its data tensors: the tfjs reference of `lib/compute/objectives` (analysis point for the
 * policy-gradient objective; regression without value clipping).
 */
export function tfjsChunkOfObjective(
  spec: ObjectiveSpec,
  start: number,
  count: number,
): { loss: (theta: tf.Tensor1D) => tf.Scalar; tensors: tf.Tensor[] } {
  switch (spec.kind) {
    case "policy-gradient": {
      if (spec.oldLogProbs !== null || spec.normalizeAdvantage) {
        throw new Error("tfjs reference: only the analysis point with normalised advantages");
      }
      const obsDim = spec.net.layers[0].fanIn, A = spec.actions.length / spec.advantages.length;
      const obs = rows(spec.obs, obsDim, start, count), act = rows(spec.actions, A, start, count);
      const adv = tf.tensor1d(
        Float32Array.from({ length: count }, (_, i) => spec.advantages[start + i]),
      );
      const loss = (theta: tf.Tensor1D) => {
        const mean = networkForwardTf(theta, spec.net, obs);
        const logStd = tf.slice(theta, spec.headOffset, A);
        const z = tf.mul(tf.sub(act, mean), tf.exp(tf.neg(logStd)));
        const logp = tf.sum(tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), HALF_LOG_2PI), 1);
        const ratio = tf.exp(tf.sub(logp, stopGradient(logp)));
        const entropy = tf.add(tf.sum(logStd), A * (0.5 + HALF_LOG_2PI));
        return tf.sub(
          tf.neg(tf.mean(tf.mul(adv, ratio))),
          tf.mul(spec.entCoef, entropy),
        ) as tf.Scalar;
      };
      return { loss, tensors: [obs, act, adv] };
    }
    case "regression": {
      if (spec.clip) throw new Error("tfjs reference: regression without value clipping only");
      const inDim = spec.nets[0].layers[0].fanIn;
      const x = rows(spec.inputs, inDim, start, count);
      const y = tf.tensor1d(
        Float32Array.from({ length: count }, (_, i) => spec.targets[start + i]),
      );
      const loss = (theta: tf.Tensor1D) => {
        const terms = spec.nets.map((net) =>
          tf.mean(tf.square(tf.sub(tf.reshape(networkForwardTf(theta, net, x), [count]), y)))
        );
        return tf.mul(spec.coef, tf.addN(terms)) as tf.Scalar;
      };
      return { loss, tensors: [x, y] };
    }
    case "reparameterized": {
      if (spec.gsde) throw new Error("tfjs reference: SAC's gSDE actor is not written here");
      const obsDim = spec.net.layers[0].fanIn, A = spec.noise.length / (spec.obs.length / obsDim);
      const obs = rows(spec.obs, obsDim, start, count), eps = rows(spec.noise, A, start, count);
      const critic = tf.tensor1d(Float32Array.from(spec.criticTheta));
      const loss = (theta: tf.Tensor1D) => {
        const out = networkForwardTf(theta, spec.net, obs);
        const mean = tf.slice(out, [0, 0], [count, A]);
        const logStd = clampTf(tf.slice(out, [0, A], [count, A]), LOG_STD_MIN, LOG_STD_MAX);
        const actions = tf.tanh(tf.add(mean, tf.mul(tf.exp(logStd), eps))) as tf.Tensor2D;
        const gaussian = tf.sub(tf.sub(tf.mul(-0.5, tf.square(eps)), logStd), HALF_LOG_2PI);
        const correction = tf.log(tf.add(tf.sub(1, tf.square(actions)), TANH_LOG_EPS));
        const logp = tf.sum(tf.sub(gaussian, correction), 1);
        const x = tf.concat([obs, actions], 1) as tf.Tensor2D;
        const frozen = stopGradient(critic);
        const [q0, q1] = spec.qNets.map((q) => tf.reshape(networkForwardTf(frozen, q, x), [count]));
        let minQ = minTf(q0, q1);
        if (spec.detachQ) minQ = stopGradient(minQ);
        return tf.mean(tf.sub(tf.mul(spec.alpha, logp), minQ)) as tf.Scalar;
      };
      return { loss, tensors: [obs, eps, critic] };
    }
  }
}

/** The tfjs chunks of an analysis loss (its objective built as tfjs graphs). */
export function tfjsChunkedLoss(loss: ChunkedLoss, chunkSize = 64): TfjsChunkedLoss {
  const spec = loss.objective;
  const samples = spec.kind === "policy-gradient"
    ? spec.advantages.length
    : spec.kind === "regression"
    ? spec.targets.length
    : spec.obs.length / spec.net.layers[0].fanIn;
  return makeTfjsChunkedLoss({
    label: `${loss.label} (tfjs)`,
    theta: loss.theta,
    samples,
    chunkSize,
    chunk: (start, count) => tfjsChunkOfObjective(spec, start, count),
  });
}

/**
 * The tfjs reference operator of an analysis loss, chunked in `chunkSize` samples. Dispose the
 * operator and the returned loss.
 */
export function tfjsReference(
  loss: ChunkedLoss,
  chunkSize = 64,
): { op: HessianOperator; loss: TfjsChunkedLoss } {
  const chunked = tfjsChunkedLoss(loss, chunkSize);
  return { op: new HessianOperator(chunked), loss: chunked };
}
