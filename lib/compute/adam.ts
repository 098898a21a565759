/**
 * Adam on a flat Float32Array parameter vector, with PyTorch's update rule
 * (`torch.optim.Adam`, no weight decay, no AMSGrad):
 *
 *   t ← t + 1
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
 *
 * Note where eps sits: it is added to the bias-corrected √v̂, as in torch (TF/Keras add it to
 * the uncorrected √v, and TF.js defaults eps to 1e-7). SB3 uses eps = 1e-5 for PPO and 1e-8 for
 * SAC.
 *
 * The moments m and v are kept in float64 (torch keeps float32); the parameter update is
 * computed in float64 and rounded once when stored into the float32 parameters.
 *
 * @module
 */

/** Adam hyperparameters. */
export interface AdamConfig {
  /** Default learning rate, used when `step` is called without one. */
  lr: number;
  /** Decay of the first moment (torch default 0.9). */
  beta1?: number;
  /** Decay of the second moment (torch default 0.999). */
  beta2?: number;
  /** Added to √v̂ in the denominator (torch default 1e-8; SB3 PPO uses 1e-5). */
  eps?: number;
}

/** Checkpointable optimiser state (copies; safe to keep). */
export interface AdamState {
  /** Number of steps taken (torch's `state["step"]`). */
  step: number;
  /** First-moment estimate m. */
  m: Float64Array;
  /** Second-moment estimate v. */
  v: Float64Array;
}

/**
 * Adam optimiser for one flat parameter vector of fixed size.
 *
 * @example
 * ```ts
 * import { Adam } from "./adam.ts";
 * const params = new Float32Array([1, -2]);
 * const adam = new Adam(params.length, { lr: 3e-4, eps: 1e-5 });
 * adam.step(params, new Float32Array([0.5, -0.1])); // each entry moves by ≈ lr against its gradient sign
 * adam.step(params, new Float32Array([0.4, 0.2]), 1e-4); // learning rate for this step only
 * const saved = adam.getState();
 * ```
 */
export class Adam {
  /** Number of parameters this optimiser updates. */
  readonly size: number;
  /** Default learning rate (may be reassigned, e.g. by a schedule). */
  lr: number;
  /** First-moment decay β1. */
  readonly beta1: number;
  /** Second-moment decay β2. */
  readonly beta2: number;
  /** Denominator constant eps. */
  readonly eps: number;
  #step = 0;
  #m: Float64Array;
  #v: Float64Array;

  constructor(size: number, config: AdamConfig) {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`Adam: size must be a non-negative integer, got ${size}`);
    }
    const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = config;
    checkLr(lr);
    for (const [name, beta] of [["beta1", beta1], ["beta2", beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) {
        throw new RangeError(`Adam: ${name} must lie in [0, 1), got ${beta}`);
      }
    }
    if (!(eps > 0) || !Number.isFinite(eps)) {
      throw new RangeError(`Adam: eps must be a positive finite number, got ${eps}`);
    }
    this.size = size;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.#m = new Float64Array(size);
    this.#v = new Float64Array(size);
  }

  /** Number of steps taken so far. */
  get stepCount(): number {
    return this.#step;
  }

  /**
   * One Adam update of `params` in place with gradient `grad` (of the loss being minimised).
   *
   * @param lr learning rate for this step (default: `this.lr`); it does not change `this.lr`.
   * @throws RangeError when lengths differ from `size`, or `grad` holds NaN/±Infinity (the state
   *   is left unchanged, so the caller can skip the batch or stop).
   */
  step(params: Float32Array, grad: Float32Array | Float64Array, lr: number = this.lr): void {
    if (params.length !== this.size || grad.length !== this.size) {
      throw new RangeError(
        `Adam.step: optimiser has ${this.size} parameters but got params of length ` +
          `${params.length} and grad of length ${grad.length}`,
      );
    }
    checkLr(lr);
    for (let i = 0; i < grad.length; i++) {
      if (!Number.isFinite(grad[i])) {
        throw new RangeError(
          `Adam.step: gradient entry ${i} is ${grad[i]}; refusing to update (check the loss ` +
            `for NaN/Inf before stepping)`,
        );
      }
    }
    const t = ++this.#step;
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps;
    const stepSize = lr / (1 - Math.pow(b1, t));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, t));
    const m = this.#m, v = this.#v;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = params[i] - stepSize * mi / (Math.sqrt(vi) / sqrtBc2 + eps);
    }
  }

  /** A copy of the optimiser state, for checkpoints. */
  getState(): AdamState {
    return { step: this.#step, m: this.#m.slice(), v: this.#v.slice() };
  }

  /** Restores a state from {@link getState} (copied in). */
  setState(state: AdamState): void {
    if (state.m.length !== this.size || state.v.length !== this.size) {
      throw new RangeError(
        `Adam.setState: state is for ${state.m.length} parameters but this optimiser has ` +
          `${this.size}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new RangeError(`Adam.setState: step must be a non-negative integer, got ${state.step}`);
    }
    this.#step = state.step;
    this.#m = Float64Array.from(state.m);
    this.#v = Float64Array.from(state.v);
  }

  /** Forgets all moments (as a freshly constructed optimiser). */
  reset(): void {
    this.#step = 0;
    this.#m.fill(0);
    this.#v.fill(0);
  }
}

function checkLr(lr: number): void {
  if (!(lr >= 0) || !Number.isFinite(lr)) {
    throw new RangeError(`Adam: learning rate must be a finite number ≥ 0, got ${lr}`);
  }
}
