/**
 * Observation and reward normalisation with SB3 1.8.0 `VecNormalize` semantics, for one
 * environment or `nEnvs` environments stepped together (each environment has its own running
 * return G; the statistics merge the batch of all environments' values at each step, as SB3).
 *
 * - Running statistics ({@linkcode RunningMeanStd}) are float64, start at mean 0, var 1,
 *   count ε = 1e-4, and merge batches with the parallel-variance formula.
 * - Observation: (obs − μ)/√(σ² + 1e-8), clipped to ±clipObs (10).
 * - Reward: r/√(Var[G] + 1e-8), clipped to ±clipReward (10), where G is the running discounted
 *   return G ← γ_norm·G + r (γ_norm = 0.99, not the agent's γ), reset to 0 when an episode ends.
 *
 * Order within one step (as SB3's `step_wait`, with DummyVecEnv's auto-reset in front of it):
 * 1. the observation returned for the next step (the **reset** observation when the episode
 *    ended) updates the obs statistics (when `training`), then is normalised;
 * 2. G is updated with the raw reward and its statistics updated (when `training`), then the
 *    reward is normalised;
 * 3. the terminal observation of an ended episode is normalised with the updated statistics
 *    (it never enters the statistics);
 * 4. G is reset to 0 when the episode ended.
 *
 * The rollout buffer stores the normalised observations and rewards, and the time-out bootstrap
 * evaluates V on the normalised terminal observation.
 *
 * @module
 */

/**
 * Serialisable {@linkcode RunningMeanStd} state (float64 values as JS numbers).
 *
 * @example
 * ```ts
 * import { RunningMeanStd, type RunningMeanStdState } from "./vec_normalize.ts";
 * const s: RunningMeanStdState = new RunningMeanStd(3).getState(); // mean 0, var 1, count 1e-4
 * ```
 */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Running mean and variance of a vector stream (SB3's `RunningMeanStd`).
 *
 * Merging a batch of n samples with mean m_b and (population) variance v_b into (μ, σ², c):
 *   δ = m_b − μ, c' = c + n,
 *   μ' = μ + δ·n/c',
 *   σ²' = (σ²·c + v_b·n + δ²·c·n/c') / c'.
 *
 * @example
 * ```ts
 * import { RunningMeanStd } from "./vec_normalize.ts";
 * const rms = new RunningMeanStd(1);
 * rms.update([2]);
 * rms.mean[0]; // 2·1/(1 + 1e-4) ≈ 1.9998
 * ```
 */
export class RunningMeanStd {
  /** Running mean (float64). */
  readonly mean: Float64Array;
  /** Running population variance (float64). */
  readonly var: Float64Array;
  /** Number of samples merged, starting at `epsilon`. */
  count: number;

  constructor(dim: number, epsilon = 1e-4) {
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = epsilon;
  }

  /** Merges one sample (a batch of one: batch variance 0). */
  update(x: ArrayLike<number>): void {
    this.#checkDim(x.length);
    const n = 1;
    const tot = this.count + n;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = x[i] - this.mean[i];
      const m2 = this.var[i] * this.count + delta * delta * this.count * n / tot;
      this.mean[i] += delta * n / tot;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }

  /**
   * Merges `count` samples stored row after row in `x` (`count × dim`): their mean and population
   * variance (float64), as SB3's `update(batch)`. One row is {@linkcode RunningMeanStd.update}.
   */
  updateBatch(x: ArrayLike<number>, count: number): void {
    const dim = this.mean.length;
    this.#checkDim(x.length / count);
    if (count === 1) {
      this.update(x);
      return;
    }
    const m = new Float64Array(dim), v = new Float64Array(dim);
    for (let r = 0; r < count; r++) for (let i = 0; i < dim; i++) m[i] += x[r * dim + i];
    for (let i = 0; i < dim; i++) m[i] /= count;
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < dim; i++) v[i] += (x[r * dim + i] - m[i]) ** 2;
    }
    for (let i = 0; i < dim; i++) v[i] /= count;
    this.updateFromMoments(m, v, count);
  }

  /** Merges a batch of `batchCount` samples given its mean and population variance. */
  updateFromMoments(
    batchMean: ArrayLike<number>,
    batchVar: ArrayLike<number>,
    batchCount: number,
  ): void {
    this.#checkDim(batchMean.length);
    this.#checkDim(batchVar.length);
    const tot = this.count + batchCount;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = batchMean[i] - this.mean[i];
      const m2 = this.var[i] * this.count + batchVar[i] * batchCount +
        delta * delta * this.count * batchCount / tot;
      this.mean[i] += delta * batchCount / tot;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }

  /** A copy of the statistics. */
  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restores statistics from {@linkcode RunningMeanStd.getState}. */
  setState(s: RunningMeanStdState): void {
    if (
      !Array.isArray(s?.mean) || s.mean.length !== this.mean.length ||
      !Array.isArray(s.var) || s.var.length !== this.var.length || typeof s.count !== "number"
    ) {
      throw new TypeError(
        `RunningMeanStd.setState: expected { mean, var } of length ${this.mean.length} and a count`,
      );
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }

  #checkDim(n: number): void {
    if (n !== this.mean.length) {
      throw new RangeError(
        `RunningMeanStd: got a vector of length ${n}, the statistics have ${this.mean.length}`,
      );
    }
  }
}

/**
 * Options of {@linkcode VecNormalize} (SB3 defaults).
 *
 * @example
 * ```ts
 * import { VecNormalize, type VecNormalizeOptions } from "./vec_normalize.ts";
 * const opts: VecNormalizeOptions = { normReward: false };
 * const vn = new VecNormalize(17, opts);
 * ```
 */
export interface VecNormalizeOptions {
  /** Normalise observations (default true). */
  normObs?: boolean;
  /** Normalise rewards (default true). */
  normReward?: boolean;
  /** Clip normalised observations to ±clipObs (default 10). */
  clipObs?: number;
  /** Clip normalised rewards to ±clipReward (default 10). */
  clipReward?: number;
  /** Discount of the return whose variance scales rewards (default 0.99, independent of PPO's γ). */
  gamma?: number;
  /** Added to the variances before the square root (default 1e-8). */
  epsilon?: number;
  /** Environments stepped together (default 1). */
  nEnvs?: number;
}

/**
 * Serialisable {@linkcode VecNormalize} state.
 *
 * @example
 * ```ts
 * import { VecNormalize, type VecNormalizeState } from "./vec_normalize.ts";
 * const s: VecNormalizeState = new VecNormalize(3).getState();
 * ```
 */
export interface VecNormalizeState {
  obsRms: RunningMeanStdState;
  retRms: RunningMeanStdState;
  /** The running discounted return G of the current episode (an array when nEnvs > 1). */
  returns: number | number[];
  training: boolean;
}

/**
 * SB3's VecNormalize. See the module doc for the order of operations. `processReset` and
 * `processStep` handle one environment; {@linkcode VecNormalize.resetBatch} and
 * {@linkcode VecNormalize.stepBatch} handle all `nEnvs` at once (the same arithmetic when
 * `nEnvs` is 1).
 *
 * @example
 * ```ts
 * import { VecNormalize } from "./vec_normalize.ts";
 * const vn = new VecNormalize(3);
 * const obs0 = vn.processReset(new Float32Array([1, 0, 0.5]));
 * const step = vn.processStep(new Float32Array([0.9, 0.1, 0.4]), -1.2, false, null);
 * step.obs; step.reward; // normalised
 * vn.training = false; // freeze statistics (evaluation, analysis)
 * ```
 */
export class VecNormalize {
  /** Observation length. */
  readonly obsDim: number;
  /** Whether observations are normalised. */
  readonly normObs: boolean;
  /** Whether rewards are normalised. */
  readonly normReward: boolean;
  /** Observation clip. */
  readonly clipObs: number;
  /** Reward clip. */
  readonly clipReward: number;
  /** Discount of the return accumulator. */
  readonly gamma: number;
  /** Variance offset. */
  readonly epsilon: number;
  /** Observation statistics. */
  readonly obsRms: RunningMeanStd;
  /** Discounted-return statistics. */
  readonly retRms: RunningMeanStd;
  /** Environments stepped together. */
  readonly nEnvs: number;
  /** Running discounted return G of each environment. */
  readonly returnsAll: Float64Array;
  /** When false, statistics and G are frozen (SB3 `training = False`). */
  training = true;

  constructor(obsDim: number, options: VecNormalizeOptions = {}) {
    this.obsDim = obsDim;
    this.nEnvs = options.nEnvs ?? 1;
    if (!Number.isSafeInteger(this.nEnvs) || this.nEnvs < 1) {
      throw new RangeError(`VecNormalize: nEnvs must be a positive integer, got ${this.nEnvs}`);
    }
    this.returnsAll = new Float64Array(this.nEnvs);
    this.normObs = options.normObs ?? true;
    this.normReward = options.normReward ?? true;
    this.clipObs = options.clipObs ?? 10;
    this.clipReward = options.clipReward ?? 10;
    this.gamma = options.gamma ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-8;
    this.obsRms = new RunningMeanStd(obsDim);
    this.retRms = new RunningMeanStd(1);
  }

  /**
   * (obs − μ)/√(σ² + ε) clipped to ±clipObs, into `out` (a new array by default); a copy of
   * `obs` when `normObs` is false. Never updates statistics.
   */
  normalizeObs(
    obs: ArrayLike<number>,
    out: Float32Array = new Float32Array(this.obsDim),
  ): Float32Array {
    if (!this.normObs) {
      out.set(obs);
      return out;
    }
    const { mean, var: v } = this.obsRms;
    const c = this.clipObs;
    for (let i = 0; i < this.obsDim; i++) {
      const z = (obs[i] - mean[i]) / Math.sqrt(v[i] + this.epsilon);
      out[i] = z < -c ? -c : z > c ? c : z;
    }
    return out;
  }

  /** r/√(Var[G] + ε) clipped to ±clipReward; `reward` itself when `normReward` is false. */
  normalizeReward(reward: number): number {
    if (!this.normReward) return reward;
    const z = reward / Math.sqrt(this.retRms.var[0] + this.epsilon);
    const c = this.clipReward;
    return z < -c ? -c : z > c ? c : z;
  }

  /** Running discounted return G (of the first environment). */
  get returns(): number {
    return this.returnsAll[0];
  }
  set returns(g: number) {
    this.returnsAll[0] = g;
  }

  /** After `env.reset()` of one environment: G ← 0, update obs statistics (if training), return normalised obs. */
  processReset(obs: ArrayLike<number>): Float32Array {
    return this.resetBatch(obs, new Float32Array(this.obsDim));
  }

  /**
   * After the reset of all environments (`obs`: rows of obsDim, one per environment): every
   * G ← 0, the rows update the obs statistics as one batch (if training); the normalised rows go
   * to `out`.
   */
  resetBatch(obs: ArrayLike<number>, out: Float32Array): Float32Array {
    const n = obs.length / this.obsDim;
    this.returnsAll.fill(0);
    if (this.training && this.normObs) this.obsRms.updateBatch(obs, n);
    this.#normalizeRows(obs, n, out);
    return out;
  }

  /**
   * After one environment step of one environment.
   * @param nextObs the observation the next action is chosen from (the reset observation when
   *   the episode ended).
   * @param reward the raw reward.
   * @param done the episode ended (terminated or truncated).
   * @param terminalObs the last observation of the ended episode, or null.
   */
  processStep(
    nextObs: ArrayLike<number>,
    reward: number,
    done: boolean,
    terminalObs: ArrayLike<number> | null,
  ): { obs: Float32Array; reward: number; terminalObs: Float32Array | null } {
    const obs = new Float32Array(this.obsDim);
    const rewards = new Float64Array([reward]);
    const terminal = [done && terminalObs !== null ? new Float32Array(this.obsDim) : null];
    this.stepBatch(obs, nextObs, rewards, [done ? 1 : 0], [terminalObs], terminal);
    return { obs, reward: rewards[0], terminalObs: terminal[0] };
  }

  /**
   * After one step of all environments, in place.
   * @param obsOut the normalised next observations (rows of obsDim, one per environment).
   * @param nextObs the raw observations the next actions are chosen from (reset observations
   *   where an episode ended).
   * @param rewards the raw rewards, replaced by the normalised ones.
   * @param dones 1 where the episode ended (terminated or truncated).
   * @param terminalObs the raw last observation of each ended episode (null elsewhere).
   * @param terminalOut where the normalised terminal observations go (used where an episode
   *   ended and has a terminal observation).
   */
  stepBatch(
    obsOut: Float32Array,
    nextObs: ArrayLike<number>,
    rewards: Float64Array,
    dones: ArrayLike<number>,
    terminalObs: readonly (ArrayLike<number> | null)[],
    terminalOut: readonly (Float32Array | null)[],
  ): void {
    const n = rewards.length, g = this.returnsAll;
    if (this.training && this.normObs) this.obsRms.updateBatch(nextObs, n);
    this.#normalizeRows(nextObs, n, obsOut);
    if (this.training) {
      for (let i = 0; i < n; i++) g[i] = g[i] * this.gamma + rewards[i];
      this.retRms.updateBatch(g.subarray(0, n), n);
    }
    for (let i = 0; i < n; i++) {
      rewards[i] = this.normalizeReward(rewards[i]);
      const t = terminalObs[i], out = terminalOut[i];
      if (dones[i] && t !== null && out !== null) this.normalizeObs(t, out);
      if (dones[i]) g[i] = 0;
    }
  }

  #normalizeRows(obs: ArrayLike<number>, n: number, out: Float32Array): void {
    const d = this.obsDim;
    if (n === 1) {
      this.normalizeObs(obs, out);
      return;
    }
    for (let r = 0; r < n; r++) {
      const row = Array.prototype.slice.call(obs, r * d, (r + 1) * d) as number[];
      this.normalizeObs(row, out.subarray(r * d, (r + 1) * d));
    }
  }

  /** A copy of the statistics, the return accumulator and the training flag. */
  getState(): VecNormalizeState {
    return {
      obsRms: this.obsRms.getState(),
      retRms: this.retRms.getState(),
      returns: this.nEnvs === 1 ? this.returnsAll[0] : Array.from(this.returnsAll),
      training: this.training,
    };
  }

  /** Restores {@linkcode VecNormalize.getState}. */
  setState(s: VecNormalizeState): void {
    this.obsRms.setState(s.obsRms);
    this.retRms.setState(s.retRms);
    const returns = typeof s.returns === "number" ? [s.returns] : s.returns;
    if (
      !Array.isArray(returns) || returns.length !== this.nEnvs || typeof s.training !== "boolean"
    ) {
      throw new TypeError(
        `VecNormalize.setState: returns must be ${
          this.nEnvs === 1 ? "a number" : `${this.nEnvs} numbers`
        } and training a boolean`,
      );
    }
    this.returnsAll.set(returns);
    this.training = s.training;
  }
}
