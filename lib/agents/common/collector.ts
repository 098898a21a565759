/**
 * One environment collector for every agent and for evaluation and analysis sampling: it steps
 * `nEnvs` environments together with SB3's `DummyVecEnv` + `Monitor` (+ `VecNormalize`)
 * semantics and keeps the bookkeeping that PPO's and SAC's rollouts, the evaluation episodes and
 * the analysis samples share.
 *
 * One {@linkcode EnvCollector.step} (one SB3 environment step, `nEnvs` transitions):
 * 1. each environment i steps with row i of the actions (already in the environment's units:
 *    clipped or rescaled by the agent);
 * 2. Monitor: the raw reward adds to the episode's return and length; an ended episode
 *    (terminated or truncated) becomes an {@linkcode EpisodeInfo};
 * 3. DummyVecEnv: an ended episode's last observation is kept as the terminal observation and
 *    the environment resets at once (its reset observation is what the next action sees);
 *    `autoReset: false` leaves the environment ended instead (evaluation episodes);
 * 4. VecNormalize (when given): as its `stepBatch` (statistics from the reset observations,
 *    rewards normalised, terminal observations normalised, never in the statistics).
 *
 * Afterwards `obs` holds the observations the next actions are chosen from, `prevObs` the ones
 * the step's actions were chosen from, and `episodeStarts` flags the rows of `obs` that start an
 * episode (SB3's `_last_episode_starts`). The arrays of a {@linkcode CollectedStep} are reused by
 * the next step.
 *
 * @module
 */
import { asFloat32, type Env, type EnvState } from "../../envs/mod.ts";
import type { VecNormalize } from "./vec_normalize.ts";

/**
 * A finished episode (Monitor semantics: raw, unnormalised rewards).
 *
 * @example
 * ```ts
 * import type { EpisodeInfo } from "./collector.ts";
 * const e: EpisodeInfo = { return: -1234.5, length: 200, endTimestep: 200, terminated: false, truncated: true };
 * ```
 */
export interface EpisodeInfo {
  /** Sum of raw rewards. */
  return: number;
  /** Number of steps. */
  length: number;
  /** The agent's step count (`numTimesteps`) after the step that ended it. */
  endTimestep: number;
  /** Ended by a terminal state. */
  terminated: boolean;
  /** Ended by the time limit. */
  truncated: boolean;
}

/**
 * What one {@linkcode EnvCollector.step} produced (arrays reused by the next step).
 *
 * @example
 * ```ts
 * import type { CollectedStep } from "./collector.ts";
 * const ended = (s: CollectedStep, i: number) => s.dones[i] === 1;
 * ```
 */
export interface CollectedStep {
  /** Rewards, normalised when VecNormalize is on (float64). */
  rewards: Float64Array;
  /** Raw rewards. */
  rawRewards: Float64Array;
  /** 1 where the episode ended by a terminal state. */
  terminated: Uint8Array;
  /** 1 where the episode ended by the time limit. */
  truncated: Uint8Array;
  /** 1 where the episode ended (terminated or truncated). */
  dones: Uint8Array;
  /** The last observation of each ended episode (normalised when VecNormalize is on); null elsewhere. */
  terminalObs: (Float32Array | null)[];
  /** Episodes this step finished, in environment order. */
  episodes: EpisodeInfo[];
}

/**
 * Transitions as row-major float32 columns: what a rollout (PPO) and a set of replay transitions
 * (SAC) have in common.
 *
 * @example
 * ```ts
 * import type { TransitionBatch } from "./collector.ts";
 * const meanReward = (t: TransitionBatch) => t.rewards.reduce((a, b) => a + b, 0) / t.n;
 * ```
 */
export interface TransitionBatch {
  /** Number of transitions. */
  n: number;
  /** Observation length. */
  obsDim: number;
  /** Action length. */
  actDim: number;
  /** Observations the actions were chosen from, n·obsDim. */
  observations: Float32Array;
  /** Actions as the agent stores them, n·actDim. */
  actions: Float32Array;
  /** Rewards, n. */
  rewards: Float32Array;
}

/**
 * Serialisable {@linkcode EnvCollector} state.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { EnvCollector, type CollectorState } from "./collector.ts";
 * const c = new EnvCollector({ envs: [makeEnv("Pendulum-v1")] });
 * c.reset(0);
 * const s: CollectorState = c.getState();
 * ```
 */
export interface CollectorState {
  /** Each environment's state. */
  envs: EnvState[];
  /** The observations the next actions are chosen from (nEnvs rows). */
  obs: Float32Array;
  /** 1 where `obs` starts an episode. */
  episodeStarts: number[];
  /** Raw return of each environment's running episode. */
  episodeReturns: number[];
  /** Length of each environment's running episode. */
  episodeLengths: number[];
}

/**
 * The collector state of one environment from the fields an agent state kept before the
 * collector (version-1 states): the environment, its last observation, whether that observation
 * starts an episode, and the running episode's return and length.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { singleEnvCollectorState } from "./collector.ts";
 * const env = makeEnv("Pendulum-v1");
 * const obs = env.reset({ seed: 0 }).obs;
 * singleEnvCollectorState({ env: env.getState(), lastObs: obs, episodeStart: true, episodeReturn: 0, episodeLength: 0 });
 * ```
 */
export function singleEnvCollectorState(s: {
  env: EnvState;
  lastObs: ArrayLike<number>;
  episodeStart: boolean;
  episodeReturn: number;
  episodeLength: number;
}): CollectorState {
  return {
    envs: [s.env],
    obs: Float32Array.from(s.lastObs),
    episodeStarts: [s.episodeStart ? 1 : 0],
    episodeReturns: [s.episodeReturn],
    episodeLengths: [s.episodeLength],
  };
}

/**
 * Options of {@linkcode EnvCollector}.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import type { EnvCollectorOptions } from "./collector.ts";
 * const o: EnvCollectorOptions = { envs: [makeEnv("Pendulum-v1"), makeEnv("Pendulum-v1")] };
 * ```
 */
export interface EnvCollectorOptions {
  /** The environments (same spaces), each wrapped in its TimeLimit. */
  envs: readonly Env[];
  /** SB3 VecNormalize over all environments (training or frozen), or null. */
  vecNormalize?: VecNormalize | null;
  /** Reset an ended episode's environment at once (DummyVecEnv; default true). */
  autoReset?: boolean;
}

/** The episodes of a step in which none ended (shared, never written). */
const NO_EPISODES: EpisodeInfo[] = Object.freeze([]) as unknown as EpisodeInfo[];

/**
 * Steps environments for an agent, an evaluation or an analysis (see the module doc).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { EnvCollector } from "./collector.ts";
 * const c = new EnvCollector({ envs: [makeEnv("Pendulum-v1")] });
 * c.reset(0);
 * const step = c.step(new Float32Array([0.5]), 1);
 * step.rewards[0]; // the reward of the first step
 * ```
 */
export class EnvCollector {
  /** The environments. */
  readonly envs: readonly Env[];
  /** Number of environments. */
  readonly nEnvs: number;
  /** Observation length of one environment. */
  readonly obsDim: number;
  /** Action length of one environment. */
  readonly actDim: number;
  /** VecNormalize, or null. */
  readonly vecNormalize: VecNormalize | null;
  /** Whether ended episodes reset at once. */
  readonly autoReset: boolean;
  /** 1 where the row of `obs` starts an episode. */
  readonly episodeStarts: Uint8Array;
  #obs: Float32Array;
  #prevObs: Float32Array;
  readonly #raw: Float32Array;
  readonly #returns: Float64Array;
  readonly #lengths: Int32Array;
  readonly #ended: Uint8Array;
  readonly #step: CollectedStep;
  readonly #rawTerminal: (Float32Array | null)[];

  constructor(options: EnvCollectorOptions) {
    const { envs } = options;
    if (!Array.isArray(envs) || envs.length === 0) {
      throw new RangeError("EnvCollector: needs at least one environment");
    }
    this.envs = envs;
    this.nEnvs = envs.length;
    this.obsDim = envs[0].observationSpace.size;
    this.actDim = envs[0].actionSpace.size;
    envs.forEach((env, i) => {
      if (env.observationSpace.size !== this.obsDim || env.actionSpace.size !== this.actDim) {
        throw new RangeError(
          `EnvCollector: envs[${i}] has observation/action sizes ${env.observationSpace.size}/` +
            `${env.actionSpace.size}, envs[0] ${this.obsDim}/${this.actDim}`,
        );
      }
    });
    this.vecNormalize = options.vecNormalize ?? null;
    if (this.vecNormalize && this.vecNormalize.nEnvs !== this.nEnvs) {
      throw new RangeError(
        `EnvCollector: VecNormalize is for ${this.vecNormalize.nEnvs} environments, got ` +
          `${this.nEnvs}`,
      );
    }
    this.autoReset = options.autoReset ?? true;
    const n = this.nEnvs, rows = n * this.obsDim;
    this.#obs = new Float32Array(rows);
    this.#prevObs = new Float32Array(rows);
    this.#raw = new Float32Array(rows);
    this.episodeStarts = new Uint8Array(n);
    this.#returns = new Float64Array(n);
    this.#lengths = new Int32Array(n);
    this.#ended = new Uint8Array(n);
    this.#rawTerminal = new Array(n).fill(null);
    this.#step = {
      rewards: new Float64Array(n),
      rawRewards: new Float64Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
      dones: new Uint8Array(n),
      terminalObs: new Array(n).fill(null),
      episodes: [],
    };
  }

  /** The observations the next actions are chosen from (nEnvs rows; a live view). */
  get obs(): Float32Array {
    return this.#obs;
  }

  /** The observations the last step's actions were chosen from (a live view). */
  get prevObs(): Float32Array {
    return this.#prevObs;
  }

  /** Row `i` of {@linkcode EnvCollector.obs} (a live view). */
  obsOf(i: number): Float32Array {
    if (this.nEnvs === 1) return this.#obs;
    return this.#obs.subarray(i * this.obsDim, (i + 1) * this.obsDim);
  }

  /** Row `i` of {@linkcode EnvCollector.prevObs} (a live view). */
  prevObsOf(i: number): Float32Array {
    if (this.nEnvs === 1) return this.#prevObs;
    return this.#prevObs.subarray(i * this.obsDim, (i + 1) * this.obsDim);
  }

  /**
   * Resets every environment (environment i with `seed + i` when a seed is given, as SB3's
   * `VecEnv.seed`), the episode counters and VecNormalize's returns; every row starts an episode.
   */
  reset(seed?: number): void {
    const d = this.obsDim;
    for (let i = 0; i < this.nEnvs; i++) {
      const r = this.envs[i].reset(seed === undefined ? {} : { seed: seed + i });
      this.#raw.set(r.obs, i * d);
    }
    if (this.vecNormalize) this.vecNormalize.resetBatch(this.#raw, this.#obs);
    else this.#obs.set(this.#raw);
    this.episodeStarts.fill(1);
    this.#returns.fill(0);
    this.#lengths.fill(0);
    this.#ended.fill(0);
  }

  /**
   * One step of every environment with `actions` (nEnvs rows, in the environments' units).
   * `endTimestep` is the agent's step count after this step (for {@linkcode EpisodeInfo}).
   *
   * @throws Error when a reward is not finite, or when an ended environment is stepped again
   *   without `autoReset`.
   */
  step(actions: Float32Array, endTimestep: number): CollectedStep {
    const n = this.nEnvs, d = this.obsDim, a = this.actDim;
    const out = this.#step;
    const raw = this.#raw;
    const previous = this.#obs;
    this.#obs = this.#prevObs;
    this.#prevObs = previous;
    out.episodes = NO_EPISODES;
    for (let i = 0; i < n; i++) {
      if (this.#ended[i]) {
        throw new Error(
          `EnvCollector: environment ${i} ended its episode and autoReset is off; call reset()`,
        );
      }
      const env = this.envs[i];
      const result = env.step(n === 1 ? actions : actions.subarray(i * a, (i + 1) * a));
      const reward = result.reward;
      if (!Number.isFinite(reward)) {
        throw new Error(`reward is ${reward}${n > 1 ? ` (environment ${i})` : ""}`);
      }
      out.rawRewards[i] = reward;
      out.rewards[i] = reward;
      out.terminated[i] = result.terminated ? 1 : 0;
      out.truncated[i] = result.truncated ? 1 : 0;
      this.#returns[i] += reward;
      this.#lengths[i]++;
      const done = result.terminated || result.truncated;
      out.dones[i] = done ? 1 : 0;
      this.#rawTerminal[i] = null;
      let next = result.obs;
      if (done) {
        if (out.episodes === NO_EPISODES) out.episodes = [];
        out.episodes.push({
          return: this.#returns[i],
          length: this.#lengths[i],
          endTimestep,
          terminated: result.terminated,
          truncated: result.truncated,
        });
        this.#returns[i] = 0;
        this.#lengths[i] = 0;
        this.#rawTerminal[i] = asFloat32(result.obs);
        if (this.autoReset) next = env.reset().obs;
        else this.#ended[i] = 1;
      }
      for (let j = 0, o = i * d; j < d; j++) raw[o + j] = next[j]; // (faster than set() here)
      this.episodeStarts[i] = done ? 1 : 0;
    }
    if (this.vecNormalize) {
      for (let i = 0; i < n; i++) {
        out.terminalObs[i] = this.#rawTerminal[i] === null
          ? null
          : (out.terminalObs[i] ?? new Float32Array(d));
      }
      this.vecNormalize.stepBatch(
        this.#obs,
        raw,
        out.rewards,
        out.dones,
        this.#rawTerminal,
        out.terminalObs,
      );
    } else {
      const obs = this.#obs;
      for (let j = 0; j < n * d; j++) obs[j] = raw[j];
      for (let i = 0; i < n; i++) out.terminalObs[i] = this.#rawTerminal[i];
    }
    return out;
  }

  /**
   * SB3's time-out bootstrap on `step.rewards`: where an episode ended by the time limit (and
   * not a terminal state), r ← r + γ·V(terminal observation).
   */
  bootstrapTimeouts(
    step: CollectedStep,
    gamma: number,
    value: (terminalObs: Float32Array) => number,
  ): void {
    for (let i = 0; i < this.nEnvs; i++) {
      const terminal = step.terminalObs[i];
      if (step.dones[i] && terminal !== null && step.truncated[i] && !step.terminated[i]) {
        step.rewards[i] = step.rewards[i] + gamma * value(terminal);
      }
    }
  }

  /** A copy of everything needed to resume (environments, observations, episode counters). */
  getState(): CollectorState {
    return {
      envs: this.envs.map((e) => e.getState()),
      obs: this.#obs.slice(),
      episodeStarts: Array.from(this.episodeStarts),
      episodeReturns: Array.from(this.#returns),
      episodeLengths: Array.from(this.#lengths),
    };
  }

  /** Restores {@linkcode EnvCollector.getState} of a collector with the same environments. */
  setState(s: CollectorState): void {
    const n = this.nEnvs;
    if (
      !Array.isArray(s?.envs) || s.envs.length !== n || s.obs?.length !== n * this.obsDim ||
      s.episodeStarts?.length !== n || s.episodeReturns?.length !== n ||
      s.episodeLengths?.length !== n
    ) {
      throw new TypeError(
        `EnvCollector.setState: the state is not from a collector of ${n} environment(s) with ` +
          `observations of length ${this.obsDim}`,
      );
    }
    s.envs.forEach((e, i) => this.envs[i].setState(e));
    this.#obs.set(s.obs);
    this.episodeStarts.set(s.episodeStarts);
    this.#returns.set(s.episodeReturns);
    this.#lengths.set(s.episodeLengths);
    this.#ended.fill(0);
  }
}

/**
 * Clips actions to a Box, row by row (`actions` holds whole rows of `low.length`): what PPO
 * sends to `env.step` (the buffer keeps the unclipped sample).
 *
 * @example
 * ```ts
 * import { clipToBox } from "./collector.ts";
 * clipToBox(new Float32Array([3, -3]), new Float32Array([-2]), new Float32Array([2]), new Float32Array(2)); // [2, -2]
 * ```
 */
export function clipToBox(
  actions: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  out: Float32Array,
): Float32Array {
  const a = low.length;
  for (let k = 0; k < actions.length; k++) {
    const d = k % a, v = actions[k];
    out[k] = v < low[d] ? low[d] : v > high[d] ? high[d] : v;
  }
  return out;
}

/**
 * Result of {@linkcode evaluatePolicy}.
 *
 * @example
 * ```ts
 * import type { EvaluationResult } from "./collector.ts";
 * const r: EvaluationResult = { meanReward: -150, stdReward: 20, meanLength: 200, returns: [-150] };
 * ```
 */
export interface EvaluationResult {
  /** Mean episode return. */
  meanReward: number;
  /** Population standard deviation of the returns (numpy's default, as SB3). */
  stdReward: number;
  /** Mean episode length. */
  meanLength: number;
  /** Each episode's return. */
  returns: number[];
}

/**
 * Runs `episodes` deterministic episodes of `agent.predict` on `env` (SB3's
 * `evaluate_policy`); `seed` seeds the first reset, later resets continue the environment's
 * generator.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { evaluatePolicy } from "./collector.ts";
 * const zero = { predict: () => new Float32Array([0]) };
 * evaluatePolicy(zero, makeEnv("Pendulum-v1"), 2, 1).meanLength; // 200
 * ```
 */
export function evaluatePolicy(
  agent: { predict(obs: Float32Array, deterministic: boolean): Float32Array },
  env: Env,
  episodes: number,
  seed?: number,
): EvaluationResult {
  const collector = new EnvCollector({ envs: [env], autoReset: false });
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    collector.reset(e === 0 ? seed : undefined);
    for (;;) {
      const step = collector.step(agent.predict(collector.obs, true), 0);
      if (step.episodes.length > 0) {
        returns.push(step.episodes[0].return);
        lengths.push(step.episodes[0].length);
        break;
      }
    }
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes;
  return {
    meanReward: mean,
    stdReward: Math.sqrt(variance),
    meanLength: lengths.reduce((a, b) => a + b, 0) / episodes,
    returns,
  };
}
