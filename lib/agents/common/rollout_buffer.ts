/**
 * On-policy rollout storage with SB3 1.8.0 `RolloutBuffer` semantics for one or `nEnvs`
 * environments, plus GAE and the time-out bootstrap as pure functions.
 *
 * With several environments the rows are stored in the order SB3's `swap_and_flatten` gives the
 * update: environment e's step t is row e·size + t (each environment's steps contiguous), and GAE
 * runs per environment over its own rows.
 *
 * What is stored at step t (exactly what SB3 stores):
 * - `observations[t]`: the observation the action was chosen from (normalised when VecNormalize
 *   is on);
 * - `actions[t]`: the sampled action, **unclipped** (clipping is only applied for `env.step`);
 * - `rewards[t]`: the (normalised) reward, plus γ·V(terminal obs) when the step was a time-out;
 * - `episodeStarts[t]`: 1 when `observations[t]` is the first of an episode;
 * - `values[t]`, `logProbs[t]`: V(s_t) and log π(a_t|s_t) at collection time.
 *
 * @module
 */

/**
 * Generalised advantage estimation over one rollout, SB3's `compute_returns_and_advantage`:
 *
 *   m_t = 1 − episodeStarts[t+1] for t < T−1, m_{T−1} = 1 − lastDone
 *   v_{t+1} = values[t+1] for t < T−1, v_T = lastValue
 *   δ_t = r_t + γ·m_t·v_{t+1} − V(s_t)
 *   Â_t = δ_t + γλ·m_t·Â_{t+1}      (Â_T = 0)
 *   R̂_t = Â_t + V(s_t)
 *
 * Computed in float64, stored in the given float32 outputs.
 *
 * @example
 * ```ts
 * import { computeGae } from "./rollout_buffer.ts";
 * const adv = new Float32Array(2), ret = new Float32Array(2);
 * computeGae({
 *   rewards: new Float32Array([1, 1]), values: new Float32Array([0, 0]),
 *   episodeStarts: new Float32Array([1, 0]), lastValue: 0, lastDone: true,
 *   gamma: 0.5, gaeLambda: 1, advantages: adv, returns: ret,
 * });
 * // adv = [1.5, 1], ret = [1.5, 1]
 * ```
 */
export function computeGae(args: {
  rewards: ArrayLike<number>;
  values: ArrayLike<number>;
  episodeStarts: ArrayLike<number>;
  lastValue: number;
  lastDone: boolean;
  gamma: number;
  gaeLambda: number;
  advantages: Float32Array;
  returns: Float32Array;
  length?: number;
}): void {
  const { rewards, values, episodeStarts, lastValue, lastDone, gamma, gaeLambda } = args;
  const n = args.length ?? rewards.length;
  let lastGaeLam = 0;
  for (let t = n - 1; t >= 0; t--) {
    let nextNonTerminal: number;
    let nextValue: number;
    if (t === n - 1) {
      nextNonTerminal = lastDone ? 0 : 1;
      nextValue = lastValue;
    } else {
      nextNonTerminal = 1 - episodeStarts[t + 1];
      nextValue = values[t + 1];
    }
    const delta = rewards[t] + gamma * nextValue * nextNonTerminal - values[t];
    lastGaeLam = delta + gamma * gaeLambda * nextNonTerminal * lastGaeLam;
    args.advantages[t] = lastGaeLam;
    args.returns[t] = lastGaeLam + values[t];
  }
}

/**
 * SB3's time-out bootstrap, applied at collection time: when an episode ends by truncation (and
 * not by a terminal state), the reward of the last transition becomes r + γ·V(terminal obs), so
 * that GAE, which treats every episode end as terminal, still bootstraps through the time limit.
 *
 * Formula: r' = r + γ·V(s_terminal) if truncated ∧ ¬terminated, else r.
 *
 * @example
 * ```ts
 * import { timeoutBootstrap } from "./rollout_buffer.ts";
 * timeoutBootstrap(-1, 0.9, -10, { terminated: false, truncated: true }); // -10
 * ```
 */
export function timeoutBootstrap(
  reward: number,
  gamma: number,
  terminalValue: number,
  end: { terminated: boolean; truncated: boolean },
): number {
  return end.truncated && !end.terminated ? reward + gamma * terminalValue : reward;
}

/**
 * Serialisable contents of a {@linkcode RolloutBuffer} (typed arrays are copies).
 *
 * @example
 * ```ts
 * import { RolloutBuffer, type RolloutBufferState } from "./rollout_buffer.ts";
 * const buf = new RolloutBuffer({ size: 4, obsDim: 3, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
 * const s: RolloutBufferState = buf.getState();
 * ```
 */
export interface RolloutBufferState extends RolloutColumns {
  /** Number of steps stored so far. */
  pos: number;
  /** Whether GAE has been computed for the current contents. */
  computed: boolean;
}

/**
 * The columns of a rollout (row-major float32, one row per transition): what the buffer stores
 * and the update and the analysis read.
 *
 * @example
 * ```ts
 * import { RolloutBuffer, type RolloutColumns } from "./rollout_buffer.ts";
 * const columns: RolloutColumns = new RolloutBuffer({ size: 8, obsDim: 3, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
 * ```
 */
export interface RolloutColumns {
  /** Observations the actions were chosen from (normalised when VecNormalize is on). */
  observations: Float32Array;
  /** Sampled actions, unclipped. */
  actions: Float32Array;
  /** Rewards (normalised; with the time-out bootstrap). */
  rewards: Float32Array;
  /** 1 where an episode starts. */
  episodeStarts: Float32Array;
  /** V(s) at collection. */
  values: Float32Array;
  /** log π(a|s) at collection. */
  logProbs: Float32Array;
  /** GAE advantages (not normalised). */
  advantages: Float32Array;
  /** λ-returns Â + V. */
  returns: Float32Array;
}

/**
 * The {@linkcode RolloutColumns} that hold one number per transition (all but observations and
 * actions), in storage order.
 *
 * @example
 * ```ts
 * import { ROLLOUT_SCALAR_COLUMNS } from "./rollout_buffer.ts";
 * ROLLOUT_SCALAR_COLUMNS.includes("logProbs"); // true
 * ```
 */
export const ROLLOUT_SCALAR_COLUMNS = [
  "rewards",
  "episodeStarts",
  "values",
  "logProbs",
  "advantages",
  "returns",
] as const;

/**
 * Fixed-size storage for one rollout of `size` steps of `nEnvs` environments (default 1):
 * `size · nEnvs` rows, environment e's step t at row e·size + t.
 *
 * @example
 * ```ts
 * import { RolloutBuffer } from "./rollout_buffer.ts";
 * const buf = new RolloutBuffer({ size: 2, obsDim: 1, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
 * buf.add([0.1], [0.5], -1, true, 0.2, -0.9);
 * buf.add([0.2], [0.4], -1, false, 0.1, -0.8);
 * buf.computeReturnsAndAdvantage(0.0, false);
 * buf.advantages; // GAE
 * ```
 */
export class RolloutBuffer {
  /** Steps per rollout (per environment). */
  readonly size: number;
  /** Environments stepped together. */
  readonly nEnvs: number;
  /** Observation length. */
  readonly obsDim: number;
  /** Action length. */
  readonly actDim: number;
  /** Discount γ used by GAE. */
  readonly gamma: number;
  /** GAE λ. */
  readonly gaeLambda: number;
  /** size×obsDim observations (row-major). */
  readonly observations: Float32Array;
  /** size×actDim unclipped actions. */
  readonly actions: Float32Array;
  /** Rewards after normalisation and the time-out bootstrap. */
  readonly rewards: Float32Array;
  /** 1 where the observation starts an episode. */
  readonly episodeStarts: Float32Array;
  /** V(s_t) at collection time. */
  readonly values: Float32Array;
  /** log π(a_t|s_t) at collection time. */
  readonly logProbs: Float32Array;
  /** GAE advantages (after {@linkcode RolloutBuffer.computeReturnsAndAdvantage}). */
  readonly advantages: Float32Array;
  /** λ-returns Â + V. */
  readonly returns: Float32Array;
  #pos = 0;
  #computed = false;

  constructor(
    opts: {
      size: number;
      obsDim: number;
      actDim: number;
      gamma: number;
      gaeLambda: number;
      nEnvs?: number;
    },
  ) {
    const { size, obsDim, actDim } = opts;
    const nEnvs = opts.nEnvs ?? 1;
    for (const [k, v] of Object.entries({ size, obsDim, actDim, nEnvs })) {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new RangeError(`RolloutBuffer: ${k} must be a positive integer, got ${v}`);
      }
    }
    this.size = size;
    this.nEnvs = nEnvs;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.gamma = opts.gamma;
    this.gaeLambda = opts.gaeLambda;
    const rows = size * nEnvs;
    this.observations = new Float32Array(rows * obsDim);
    this.actions = new Float32Array(rows * actDim);
    this.rewards = new Float32Array(rows);
    this.episodeStarts = new Float32Array(rows);
    this.values = new Float32Array(rows);
    this.logProbs = new Float32Array(rows);
    this.advantages = new Float32Array(rows);
    this.returns = new Float32Array(rows);
  }

  /** Rows of a full rollout: size · nEnvs. */
  get rows(): number {
    return this.size * this.nEnvs;
  }

  /** Number of steps stored. */
  get pos(): number {
    return this.#pos;
  }

  /** True when `size` steps are stored. */
  get full(): boolean {
    return this.#pos === this.size;
  }

  /** True once GAE has been computed for the stored rollout. */
  get computed(): boolean {
    return this.#computed;
  }

  /** Empties the buffer (contents are overwritten by later `add` calls). */
  reset(): void {
    this.#pos = 0;
    this.#computed = false;
  }

  /**
   * Stores environment `env`'s transition of the current step (row env·size + pos); the step
   * ends with the last environment's (env = nEnvs − 1; with one environment every call).
   * Throws when full.
   */
  add(
    obs: ArrayLike<number>,
    action: ArrayLike<number>,
    reward: number,
    episodeStart: boolean,
    value: number,
    logProb: number,
    env = 0,
  ): void {
    if (this.#pos >= this.size) {
      throw new Error(`RolloutBuffer.add: buffer is full (${this.size} steps); call reset() first`);
    }
    if (!Number.isInteger(env) || env < 0 || env >= this.nEnvs) {
      throw new RangeError(`RolloutBuffer.add: env ${env} outside [0, ${this.nEnvs})`);
    }
    const t = env * this.size + this.#pos;
    this.observations.set(obs, t * this.obsDim);
    this.actions.set(action, t * this.actDim);
    this.rewards[t] = reward;
    this.episodeStarts[t] = episodeStart ? 1 : 0;
    this.values[t] = value;
    this.logProbs[t] = logProb;
    if (env === this.nEnvs - 1) this.#pos++;
  }

  /**
   * Fills `advantages` and `returns` by {@linkcode computeGae}, per environment.
   * @param lastValue V(next observation) after the last stored step (one per environment).
   * @param lastDone whether the last stored step ended an episode (one per environment).
   */
  computeReturnsAndAdvantage(
    lastValue: number | ArrayLike<number>,
    lastDone: boolean | ArrayLike<number | boolean>,
  ): void {
    if (!this.full) {
      throw new Error(
        `RolloutBuffer: GAE needs a full rollout (${this.#pos}/${this.size} steps stored)`,
      );
    }
    const n = this.size;
    for (let e = 0; e < this.nEnvs; e++) {
      const rows = (a: Float32Array) => this.nEnvs === 1 ? a : a.subarray(e * n, (e + 1) * n);
      computeGae({
        rewards: rows(this.rewards),
        values: rows(this.values),
        episodeStarts: rows(this.episodeStarts),
        lastValue: typeof lastValue === "number" ? lastValue : lastValue[e],
        lastDone: typeof lastDone === "boolean" ? lastDone : Boolean(lastDone[e]),
        gamma: this.gamma,
        gaeLambda: this.gaeLambda,
        advantages: rows(this.advantages),
        returns: rows(this.returns),
      });
    }
    this.#computed = true;
  }

  /** A copy of the contents, for checkpoints. */
  getState(): RolloutBufferState {
    return {
      pos: this.#pos,
      computed: this.#computed,
      observations: this.observations.slice(),
      actions: this.actions.slice(),
      rewards: this.rewards.slice(),
      episodeStarts: this.episodeStarts.slice(),
      values: this.values.slice(),
      logProbs: this.logProbs.slice(),
      advantages: this.advantages.slice(),
      returns: this.returns.slice(),
    };
  }

  /** Restores contents from {@linkcode RolloutBuffer.getState} of a buffer with the same sizes. */
  setState(s: RolloutBufferState): void {
    if (!Number.isSafeInteger(s.pos) || s.pos < 0 || s.pos > this.size) {
      throw new RangeError(`RolloutBuffer.setState: pos ${s.pos} outside [0, ${this.size}]`);
    }
    const arrays = ["observations", "actions", ...ROLLOUT_SCALAR_COLUMNS] as const;
    for (const k of arrays) {
      const src = s[k];
      if (!(src instanceof Float32Array) || src.length !== this[k].length) {
        throw new TypeError(
          `RolloutBuffer.setState: ${k} must be a Float32Array of length ${this[k].length}; the ` +
            `state comes from a buffer with different sizes`,
        );
      }
    }
    for (const k of arrays) this[k].set(s[k]);
    this.#pos = s.pos;
    this.#computed = s.computed;
  }
}
