/**
 * Environment wrappers with Gymnasium 1.3 semantics: a forwarding {@linkcode Wrapper} base,
 * {@linkcode TimeLimit} and {@linkcode RecordEpisodeStatistics}. Wrappers mutate and pass on the
 * inner step result rather than copying it, so wrapping costs no allocation per step.
 *
 * @module
 */
import {
  describe,
  type Env,
  type EnvState,
  type JsonValue,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from "./env.ts";
import type { Box } from "./spaces.ts";

/**
 * A wrapper that forwards everything to the inner environment. Subclasses override `step` /
 * `reset` and keep their own counters in {@linkcode Wrapper.wrapperState} /
 * {@linkcode Wrapper.restoreWrapperState}, so `getState` / `setState` cover the whole chain.
 *
 * @example
 * ```ts
 * import { Wrapper } from "./wrappers.ts";
 * import type { StepResult } from "./env.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 *
 * class ScaleReward extends Wrapper {
 *   override step(action: ArrayLike<number>): StepResult {
 *     const r = this.env.step(action);
 *     r.reward *= 0.1;
 *     return r;
 *   }
 * }
 * const env = new ScaleReward(new PendulumEnv());
 * env.reset({ seed: 0 });
 * env.step([0]).reward; // a tenth of Pendulum's reward
 * ```
 */
export class Wrapper implements Env {
  /** The wrapped environment. */
  readonly env: Env;
  /** Name recorded in state snapshots; `setState` checks it. */
  readonly wrapperName: string;

  /**
   * Wraps `env`.
   *
   * @param env the environment to wrap.
   * @param wrapperName the name recorded in state snapshots.
   */
  constructor(env: Env, wrapperName = "Wrapper") {
    if (env === null || typeof env !== "object" || typeof env.step !== "function") {
      throw new TypeError(`${wrapperName}: expected an Env to wrap, got ${describe(env)}`);
    }
    this.env = env;
    this.wrapperName = wrapperName;
  }

  /** The inner environment's id. */
  get id(): string | undefined {
    return this.env.id;
  }
  /** The inner observation space. */
  get observationSpace(): Box {
    return this.env.observationSpace;
  }
  /** The inner action space. */
  get actionSpace(): Box {
    return this.env.actionSpace;
  }
  /** The innermost environment. */
  get unwrapped(): Env {
    return this.env.unwrapped;
  }

  /** Forwards to the inner environment. */
  reset(opts?: ResetOptions): ResetResult {
    return this.env.reset(opts);
  }
  /** Forwards to the inner environment. */
  step(action: ArrayLike<number>): StepResult {
    return this.env.step(action);
  }

  /** `{ wrapper, ...own counters, env: inner state }`. */
  getState(): EnvState {
    return { wrapper: this.wrapperName, ...this.wrapperState(), env: this.env.getState() };
  }
  /** Restores the inner state, then this wrapper's counters. */
  setState(s: EnvState): void {
    if (s === null || typeof s !== "object" || s.wrapper !== this.wrapperName) {
      throw new TypeError(
        `${this.wrapperName}.setState: expected a state taken from a ${this.wrapperName} wrapper ` +
          `(state.wrapper === "${this.wrapperName}"), got ${describe(s)}`,
      );
    }
    const inner = s.env;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) {
      throw new TypeError(`${this.wrapperName}.setState: state.env must be an object`);
    }
    this.env.setState(inner);
    this.restoreWrapperState(s);
  }
  /** Closes the inner environment. */
  close(): void {
    this.env.close();
  }

  /** This wrapper's own counters (none by default). */
  protected wrapperState(): EnvState {
    return {};
  }
  /** Restores this wrapper's own counters (none by default). */
  protected restoreWrapperState(_s: EnvState): void {}
}

/**
 * Gymnasium's `TimeLimit`: counts steps since the last reset and sets `truncated = true` once the
 * count reaches `maxEpisodeSteps`; `terminated` keeps the inner environment's value.
 *
 * @example
 * ```ts
 * import { TimeLimit } from "./wrappers.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * const env = new TimeLimit(new PendulumEnv(), 200);
 * env.reset({ seed: 0 });
 * let r = env.step([0]);
 * for (let t = 1; t < 200; t++) r = env.step([0]);
 * r.truncated; // true at step 200
 * ```
 */
export class TimeLimit extends Wrapper {
  /** The step count at which episodes are truncated. */
  readonly maxEpisodeSteps: number;
  #elapsedSteps = 0;

  /**
   * Wraps `env` with a step limit.
   *
   * @param maxEpisodeSteps a positive integer: the step at which episodes are truncated.
   */
  constructor(env: Env, maxEpisodeSteps: number) {
    super(env, "TimeLimit");
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(
        `TimeLimit: maxEpisodeSteps must be a positive integer, got ${describe(maxEpisodeSteps)}`,
      );
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken since the last reset. */
  get elapsedSteps(): number {
    return this.#elapsedSteps;
  }

  /** Resets the step counter and the inner environment. */
  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    this.#elapsedSteps = 0;
    return r;
  }

  /** Steps the inner environment; truncates when the count reaches the limit. */
  override step(action: ArrayLike<number>): StepResult {
    const r = this.env.step(action);
    this.#elapsedSteps++;
    if (this.#elapsedSteps >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }

  /** The limit and the step counter. */
  protected override wrapperState(): EnvState {
    return { maxEpisodeSteps: this.maxEpisodeSteps, elapsedSteps: this.#elapsedSteps };
  }
  /** Restores the step counter (the limit must match). */
  protected override restoreWrapperState(s: EnvState): void {
    if (s.maxEpisodeSteps !== this.maxEpisodeSteps) {
      throw new RangeError(
        `TimeLimit.setState: the state has maxEpisodeSteps ${describe(s.maxEpisodeSteps)}, this ` +
          `wrapper ${this.maxEpisodeSteps}; restore into an env made with the same limit`,
      );
    }
    if (!Number.isSafeInteger(s.elapsedSteps) || (s.elapsedSteps as number) < 0) {
      throw new TypeError(`TimeLimit.setState: bad elapsedSteps ${describe(s.elapsedSteps)}`);
    }
    this.#elapsedSteps = s.elapsedSteps as number;
  }
}

/**
 * The statistics {@linkcode RecordEpisodeStatistics} puts in `info.episode` when an episode ends.
 *
 * @example
 * ```ts
 * import type { EpisodeStatistics } from "./wrappers.ts";
 * const e: EpisodeStatistics = { r: -1234.5, l: 200, t: 0.0123 };
 * ```
 */
export interface EpisodeStatistics {
  /** Undiscounted return (sum of rewards). */
  r: number;
  /** Length in steps. */
  l: number;
  /** Wall-clock seconds since the episode started, rounded to 6 decimals. */
  t: number;
}

/**
 * Options of {@linkcode RecordEpisodeStatistics}.
 *
 * @example
 * ```ts
 * import type { RecordEpisodeStatisticsOptions } from "./wrappers.ts";
 * const o: RecordEpisodeStatisticsOptions = { bufferLength: 100 };
 * ```
 */
export interface RecordEpisodeStatisticsOptions {
  /** How many recent episodes `returnQueue`, `lengthQueue` and `timeQueue` keep (default 100). */
  bufferLength?: number;
}

/**
 * Gymnasium's `RecordEpisodeStatistics`: on the step that ends an episode (terminated or
 * truncated) it sets `info.episode = { r, l, t }` (return, length, elapsed seconds) and appends to
 * the recent-episode queues.
 *
 * @example
 * ```ts
 * import { RecordEpisodeStatistics, TimeLimit } from "./wrappers.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * const env = new RecordEpisodeStatistics(new TimeLimit(new PendulumEnv(), 3));
 * env.reset({ seed: 0 });
 * env.step([0]);
 * env.step([0]);
 * const { info } = env.step([0]);
 * info.episode; // { r: <sum of the three rewards>, l: 3, t: <seconds> }
 * ```
 */
export class RecordEpisodeStatistics extends Wrapper {
  /** Capacity of the recent-episode queues. */
  readonly bufferLength: number;
  /** Returns of the most recent episodes (oldest first). */
  readonly returnQueue: number[] = [];
  /** Lengths of the most recent episodes (oldest first). */
  readonly lengthQueue: number[] = [];
  /** Durations (seconds) of the most recent episodes (oldest first). */
  readonly timeQueue: number[] = [];
  #episodeReturn = 0;
  #episodeLength = 0;
  #episodeCount = 0;
  #episodeStartMs = performance.now();

  /**
   * Wraps `env` and starts recording.
   *
   * @param options see {@linkcode RecordEpisodeStatisticsOptions}.
   */
  constructor(env: Env, options: RecordEpisodeStatisticsOptions = {}) {
    super(env, "RecordEpisodeStatistics");
    const bufferLength = options.bufferLength ?? 100;
    if (!Number.isSafeInteger(bufferLength) || bufferLength <= 0) {
      throw new RangeError(
        `RecordEpisodeStatistics: bufferLength must be a positive integer, got ` +
          `${describe(bufferLength)}`,
      );
    }
    this.bufferLength = bufferLength;
  }

  /** Return accumulated in the current episode. */
  get episodeReturn(): number {
    return this.#episodeReturn;
  }
  /** Steps taken in the current episode. */
  get episodeLength(): number {
    return this.#episodeLength;
  }
  /** Episodes completed so far. */
  get episodeCount(): number {
    return this.#episodeCount;
  }

  /** Resets the inner environment and the episode accumulators. */
  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    this.#episodeStartMs = performance.now();
    this.#episodeReturn = 0;
    this.#episodeLength = 0;
    return r;
  }

  /** Steps and, at the end of an episode, records `info.episode`. */
  override step(action: ArrayLike<number>): StepResult {
    const r = this.env.step(action);
    this.#episodeReturn += r.reward;
    this.#episodeLength++;
    if (r.terminated || r.truncated) {
      if ("episode" in r.info) {
        throw new Error(
          `RecordEpisodeStatistics: info already has an "episode" key; the env is wrapped twice`,
        );
      }
      const now = performance.now();
      const t = Math.round((now - this.#episodeStartMs) * 1e3) / 1e6;
      const stats: EpisodeStatistics = { r: this.#episodeReturn, l: this.#episodeLength, t };
      r.info.episode = stats;
      push(this.returnQueue, stats.r, this.bufferLength);
      push(this.lengthQueue, stats.l, this.bufferLength);
      push(this.timeQueue, t, this.bufferLength);
      this.#episodeCount++;
      this.#episodeStartMs = now;
    }
    return r;
  }

  /** Accumulators, elapsed episode time and the recent-episode queues. */
  protected override wrapperState(): EnvState {
    return {
      bufferLength: this.bufferLength,
      episodeReturn: this.#episodeReturn,
      episodeLength: this.#episodeLength,
      episodeCount: this.#episodeCount,
      episodeElapsedSeconds: (performance.now() - this.#episodeStartMs) / 1e3,
      returnQueue: [...this.returnQueue],
      lengthQueue: [...this.lengthQueue],
      timeQueue: [...this.timeQueue],
    };
  }
  /** Restores the accumulators; the episode clock resumes from the saved elapsed time. */
  protected override restoreWrapperState(s: EnvState): void {
    const numbers = (v: JsonValue) => Array.isArray(v) && v.every((x) => typeof x === "number");
    if (
      typeof s.episodeReturn !== "number" || !Number.isSafeInteger(s.episodeLength) ||
      !Number.isSafeInteger(s.episodeCount) || typeof s.episodeElapsedSeconds !== "number" ||
      !numbers(s.returnQueue) || !numbers(s.lengthQueue) || !numbers(s.timeQueue)
    ) {
      throw new TypeError(`RecordEpisodeStatistics.setState: malformed state ${describe(s)}`);
    }
    this.#episodeReturn = s.episodeReturn;
    this.#episodeLength = s.episodeLength as number;
    this.#episodeCount = s.episodeCount as number;
    this.#episodeStartMs = performance.now() - s.episodeElapsedSeconds * 1e3;
    for (
      const [queue, saved] of [
        [this.returnQueue, s.returnQueue],
        [this.lengthQueue, s.lengthQueue],
        [this.timeQueue, s.timeQueue],
      ] as [number[], number[]][]
    ) {
      queue.length = 0;
      for (const x of saved.slice(-this.bufferLength)) queue.push(x);
    }
  }
}

function push(queue: number[], value: number, capacity: number): void {
  queue.push(value);
  if (queue.length > capacity) queue.shift();
}
