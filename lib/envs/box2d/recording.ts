/**
 * Replaying Gymnasium recordings of the Box2D tasks: the oracle format of
 * `shared/oracles/box2d/*.json` (episodes with their actions, observations, rewards and every
 * `np_random` call), {@linkcode ReplayDraws} (answers the env's draws from the recording and fails
 * on the first call that differs from Gymnasium's in method, arguments or size), and
 * {@linkcode replayEpisode}, which steps our env through a recorded episode and measures how far
 * it drifts from Gymnasium.
 *
 * @module
 */
import { BipedalWalkerEnv } from "./bipedal_walker.ts";
import type { Box2DDraws } from "./draws.ts";
import { LunarLanderEnv } from "./lunar_lander.ts";

/**
 * One `numpy.random.Generator` call as recorded: method, positional arguments, keyword `size`,
 * and the value it returned.
 *
 * @example
 * ```ts
 * import type { RecordedDraw } from "./recording.ts";
 * const d: RecordedDraw = { method: "uniform", args: [-1, 1], value: 0.25 };
 * ```
 */
export interface RecordedDraw {
  /** "uniform", "integers" or "random". */
  method: string;
  /** Positional arguments (numbers). */
  args: number[];
  /** Keyword arguments (only `size` occurs). */
  kwargs?: { size?: number[] };
  /** The returned value (a list when `size` was given). */
  value: number | number[];
}

/**
 * One recorded `env.step`.
 *
 * @example
 * ```ts
 * import type { RecordedStep } from "./recording.ts";
 * const s: RecordedStep = {
 *   t: 0, action: [0, 1], obs: [0, 1.4, 0.6, -0.5, 0, -0.2, 0, 0], reward: -2,
 *   terminated: false, truncated: false, rng: [],
 * };
 * ```
 */
export interface RecordedStep {
  /** Index of the step after reset. */
  t: number;
  /** The action passed to `env.step` (float64, possibly outside the action box). */
  action: number[];
  /** The returned observation (float32 values widened to float64). */
  obs: number[];
  /** The returned reward. */
  reward: number;
  /** `terminated`. */
  terminated: boolean;
  /** `truncated`. */
  truncated: boolean;
  /** The draws made during the step. */
  rng: RecordedDraw[];
}

/**
 * One recorded episode (`episodes[i]` or `heuristic_episodes[i]` of an oracle file).
 *
 * @example
 * ```ts
 * import type { RecordedEpisode } from "./recording.ts";
 * const e: RecordedEpisode = {
 *   seed: 0, policy: "sine", n_steps: 0, ended_by: "cap", reset_obs: [], reset_rng: [], steps: [],
 * };
 * ```
 */
export interface RecordedEpisode {
  /** The seed of `env.reset(seed=…)`. */
  seed: number;
  /** "sine" or "heuristic". */
  policy: string;
  /** Number of recorded steps. */
  n_steps: number;
  /** "terminated", "truncated" or "cap". */
  ended_by: string;
  /** The observation `reset` returned. */
  reset_obs: number[];
  /** The draws made during `reset`. */
  reset_rng: RecordedDraw[];
  /** The steps. */
  steps: RecordedStep[];
  /** BipedalWalker: the terrain polyline x (float64). */
  terrain_x?: number[];
  /** BipedalWalker: the terrain polyline y (float64). */
  terrain_y?: number[];
  /** LunarLander: the helipad. */
  helipad?: { x1: number; x2: number; y: number };
}

/**
 * An oracle file (`shared/oracles/box2d/<env>.json`).
 *
 * @example
 * ```ts
 * import type { Recording } from "./recording.ts";
 * const load = (path: string) => JSON.parse(Deno.readTextFileSync(path)) as Recording;
 * ```
 */
export interface Recording {
  /** Our id of the task, e.g. "BipedalWalkerHardcore-v3". */
  env_id: string;
  /** The `gym.make` call. */
  make: { id: string; kwargs: Record<string, unknown> };
  /** `spec.max_episode_steps`. */
  spec_max_episode_steps: number;
  /** Observation space: shape, dtype and float32 bounds. */
  observation_space: { shape: number[]; dtype: string; low: number[]; high: number[] };
  /** Action space. */
  action_space: { shape: number[]; dtype: string; low: number[]; high: number[] };
  /** Software versions of the recording. */
  versions: Record<string, string>;
  /** Sine-policy episodes. */
  episodes: RecordedEpisode[];
  /** Gymnasium's heuristic-controller episodes. */
  heuristic_episodes: RecordedEpisode[];
}

/**
 * A {@linkcode Box2DDraws} that answers from a recorded list of `np_random` calls, checking that
 * each call has the recorded method, arguments and size (so it also tests that an env makes
 * exactly Gymnasium's calls in Gymnasium's order).
 *
 * @example
 * ```ts
 * import { ReplayDraws } from "./recording.ts";
 * const draws = new ReplayDraws([{ method: "uniform", args: [-1, 1], value: 0.5 }]);
 * draws.uniform(-1, 1); // 0.5
 * draws.remaining; // 0
 * // draws.random() throws: no recorded draw left
 * ```
 */
export class ReplayDraws implements Box2DDraws {
  readonly #draws: readonly RecordedDraw[];
  #next = 0;

  /** Replays `draws` in order. */
  constructor(draws: readonly RecordedDraw[]) {
    this.#draws = draws;
  }

  /** Draws answered so far. */
  get used(): number {
    return this.#next;
  }

  /** Recorded draws not yet asked for. */
  get remaining(): number {
    return this.#draws.length - this.#next;
  }

  #take(method: string, args: number[], size?: number): RecordedDraw {
    const k = this.#next;
    const d = this.#draws[k];
    const call = `${method}(${args.join(", ")}${size === undefined ? "" : `, size=${size}`})`;
    if (d === undefined) {
      throw new Error(`ReplayDraws: call ${k} ${call} has no recorded draw left`);
    }
    const recordedSize = d.kwargs?.size;
    if (
      d.method !== method || d.args.length !== args.length ||
      d.args.some((a, i) => a !== args[i]) ||
      (recordedSize === undefined ? size !== undefined : recordedSize[0] !== size)
    ) {
      throw new Error(
        `ReplayDraws: call ${k} is ${call}, but Gymnasium made ${d.method}(${d.args.join(", ")}` +
          `${recordedSize === undefined ? "" : `, size=${recordedSize}`})`,
      );
    }
    this.#next++;
    return d;
  }

  /** The recorded `uniform(low, high[, size])`. */
  uniform(low: number, high: number): number;
  uniform(low: number, high: number, size: number): Float64Array;
  uniform(low: number, high: number, size?: number): number | Float64Array {
    const d = this.#take("uniform", [low, high], size);
    return size === undefined ? d.value as number : Float64Array.from(d.value as number[]);
  }

  /** The recorded `integers(low, high)`. */
  integers(low: number, high: number): number {
    return this.#take("integers", [low, high]).value as number;
  }

  /** The recorded `random()`. */
  random(): number {
    return this.#take("random", []).value as number;
  }
}

/** A Box2D task env answering its draws from a {@linkcode ReplayDraws}. */
export type ReplayEnv = (LunarLanderEnv | BipedalWalkerEnv) & { readonly replay: ReplayDraws };

class ReplayLunarLander extends LunarLanderEnv {
  constructor(readonly replay: ReplayDraws) {
    super({ continuous: true });
  }
  protected override get draws(): Box2DDraws {
    return this.replay;
  }
}

class ReplayBipedalWalker extends BipedalWalkerEnv {
  constructor(readonly replay: ReplayDraws, hardcore: boolean) {
    super({ hardcore });
  }
  protected override get draws(): Box2DDraws {
    return this.replay;
  }
}

/**
 * Our env for a recording's task, drawing from the episode's recorded `np_random` calls (reset
 * draws, then each step's).
 *
 * @example
 * ```ts
 * import { replayEnv, type Recording } from "./recording.ts";
 * declare const recording: Recording;
 * const env = replayEnv(recording, recording.episodes[0]);
 * env.reset({ seed: recording.episodes[0].seed });
 * ```
 */
export function replayEnv(recording: Recording, episode: RecordedEpisode): ReplayEnv {
  return replayEnvFor(recording.env_id, [
    ...episode.reset_rng,
    ...episode.steps.flatMap((s) => s.rng),
  ]);
}

/**
 * The env of task `envId` (LunarLanderContinuous-v3, BipedalWalker-v3 or
 * BipedalWalkerHardcore-v3) answering its draws from `draws`, in order.
 *
 * @example
 * ```ts
 * import { replayEnvFor } from "./recording.ts";
 * const env = replayEnvFor("BipedalWalker-v3", []);
 * env.replay.remaining; // 0
 * ```
 */
export function replayEnvFor(envId: string, draws: readonly RecordedDraw[]): ReplayEnv {
  const replay = new ReplayDraws(draws);
  switch (envId) {
    case "LunarLanderContinuous-v3":
      return new ReplayLunarLander(replay);
    case "BipedalWalker-v3":
      return new ReplayBipedalWalker(replay, false);
    case "BipedalWalkerHardcore-v3":
      return new ReplayBipedalWalker(replay, true);
    default:
      throw new RangeError(
        `replayEnvFor: no Box2D task "${envId}"; expected LunarLanderContinuous-v3, ` +
          `BipedalWalker-v3 or BipedalWalkerHardcore-v3`,
      );
  }
}

/**
 * How our env compares with a recorded Gymnasium episode (see {@linkcode replayEpisode}).
 *
 * @example
 * ```ts
 * import type { EpisodeComparison } from "./recording.ts";
 * const c: EpisodeComparison = {
 *   resetObsError: 1e-7, stepObsError: [2e-7], terminationStep: 1, recordedTerminationStep: 1,
 *   episodeReturn: -100, recordedReturn: -100, drawsLeft: 0, mismatch: "step 1: obs[0]",
 * };
 * ```
 */
export interface EpisodeComparison {
  /** max |Δ| of the reset observation. */
  resetObsError: number;
  /** max |Δ| of the observation after each replayed step (index t = step t + 1). */
  stepObsError: number[];
  /** The step (1-based) at which our episode terminated, or null if it ran to the recording's end. */
  terminationStep: number | null;
  /** The step at which Gymnasium's terminated, or null (cap or truncation). */
  recordedTerminationStep: number | null;
  /** Our return over the replayed steps. */
  episodeReturn: number;
  /** Gymnasium's return over the recorded steps. */
  recordedReturn: number;
  /** Draws recorded for the replayed steps that the env did not ask for (0 when it made all). */
  drawsLeft: number;
  /**
   * The first value that is not bit-identical to Gymnasium's (`Object.is`): an observation
   * entry, a reward or a termination flag, e.g. "step 12: reward -0.1 vs -0.2" ("reset: …" for
   * the reset observation); null when the whole episode is identical.
   */
  mismatch: string | null;
}

/**
 * Resets our env with the episode's seed and replays the recorded actions (not recomputed) until
 * it terminates or the recording ends, answering the draws from the recording. Throws at the
 * first draw that differs from Gymnasium's in method, arguments or size.
 *
 * @example
 * ```ts
 * import { replayEpisode, type Recording } from "./recording.ts";
 * declare const recording: Recording;
 * const c = replayEpisode(recording, recording.episodes[0]);
 * c.terminationStep === c.recordedTerminationStep;
 * ```
 */
export function replayEpisode(
  recording: Recording,
  episode: RecordedEpisode,
): EpisodeComparison & { env: ReplayEnv } {
  const env = replayEnv(recording, episode);
  const { obs } = env.reset({ seed: episode.seed });
  const resetObsError = maxAbsDiff(obs, episode.reset_obs);
  let mismatch = firstObsMismatch("reset", obs, episode.reset_obs);
  const stepObsError: number[] = [];
  let episodeReturn = 0;
  let terminationStep: number | null = null;
  let replayed = 0;
  for (const step of episode.steps) {
    replayed++;
    const r = env.step(step.action);
    stepObsError.push(maxAbsDiff(r.obs, step.obs));
    const where = `step ${step.t + 1}`;
    mismatch ??= firstObsMismatch(where, r.obs, step.obs) ??
      (Object.is(r.reward, step.reward)
        ? null
        : `${where}: reward ${r.reward} vs ${step.reward}`) ??
      (r.terminated === step.terminated ? null : `${where}: terminated ${r.terminated}`);
    episodeReturn += r.reward;
    if (r.terminated) {
      terminationStep = step.t + 1;
      break;
    }
  }
  if (replayed < episode.steps.length) {
    mismatch ??= `step ${replayed}: terminated early (Gymnasium ran ${episode.n_steps} steps)`;
  }
  const recordedReturn = episode.steps.reduce((sum, s) => sum + s.reward, 0);
  return {
    env,
    resetObsError,
    stepObsError,
    terminationStep,
    recordedTerminationStep: episode.ended_by === "terminated" ? episode.n_steps : null,
    episodeReturn,
    recordedReturn,
    drawsLeft: env.replay.remaining -
      episode.steps.slice(replayed).reduce((n, s) => n + s.rng.length, 0),
    mismatch,
  };
}

/** "where: obs[i] ours vs theirs" for the first entry that is not the same IEEE value, or null. */
function firstObsMismatch(
  where: string,
  ours: ArrayLike<number>,
  theirs: readonly number[],
): string | null {
  for (let i = 0; i < theirs.length; i++) {
    if (!Object.is(ours[i], theirs[i])) return `${where}: obs[${i}] ${ours[i]} vs ${theirs[i]}`;
  }
  return null;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`observation length ${a.length} differs from the recorded ${b.length}`);
  }
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
