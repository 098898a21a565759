/**
 * What PPO and SAC share as agents: the checks of their options, the SB3 step state machine
 * (a call to `step()` first runs the update that the previous step made pending, then collects
 * one environment step, so that callbacks after a step see the parameters before the update,
 * as SB3's do), the counters and the check of a saved state's config.
 *
 * @module
 */
import type { Env } from "../../envs/mod.ts";
import { Rng, type RngState } from "../../rng.ts";
import type { CollectorState, EnvCollector } from "./collector.ts";
import type { Schedule } from "./config_schema.ts";

/**
 * The options every agent takes.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import type { AgentOptions } from "./agent.ts";
 * const o: AgentOptions = { env: makeEnv("Pendulum-v1"), seed: 0, totalTimesteps: 10_000 };
 * ```
 */
export interface AgentOptions {
  /** The training environment (wrapped in its TimeLimit), or one per environment of n_envs. */
  env: Env | readonly Env[];
  /** Seed of the environments' first reset, the initialisation and the agent's generators. */
  seed: number;
  /** SB3 `learn(total_timesteps)`: the T of progress_remaining = 1 − t/T (linear schedules). */
  totalTimesteps?: number;
}

/**
 * Checks the options every agent shares against its config and returns the environments and
 * T: a non-negative integer seed, a positive integer T (needed by linear schedules), one
 * environment per `nEnvs` (default 1), flat Box spaces.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { checkAgentOptions } from "./agent.ts";
 * const { envs, totalTimesteps } = checkAgentOptions("PpoAgent", { env: makeEnv("Pendulum-v1"), seed: 0 }, {});
 * ```
 */
export function checkAgentOptions(
  agent: string,
  options: AgentOptions,
  config: { nEnvs?: number; schedules?: Readonly<Record<string, Schedule>> },
): { envs: readonly Env[]; totalTimesteps: number | null } {
  const { env, seed } = options;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`${agent}: seed must be a non-negative integer, got ${seed}`);
  }
  const total = options.totalTimesteps ?? null;
  if (total !== null && (!Number.isSafeInteger(total) || total < 1)) {
    throw new RangeError(`${agent}: totalTimesteps must be a positive integer, got ${total}`);
  }
  const linear = Object.entries(config.schedules ?? {}).filter(([, s]) => s === "linear");
  if (total === null && linear.length > 0) {
    throw new Error(
      `${agent}: a linear ${linear.map(([name]) => name).join(" and ")} schedule needs ` +
        `totalTimesteps (SB3's learn(total_timesteps)); pass it in the options`,
    );
  }
  const envs: readonly Env[] = Array.isArray(env) ? env : [env as Env];
  const nEnvs = config.nEnvs ?? 1;
  if (envs.length !== nEnvs) {
    throw new Error(
      `${agent}: the config has n_envs = ${nEnvs}, got ${envs.length} environment(s); pass ` +
        `one environment per n_envs`,
    );
  }
  const { observationSpace, actionSpace } = envs[0];
  if (observationSpace.shape.length !== 1 || actionSpace.shape.length !== 1) {
    throw new Error(
      `${agent}: needs flat Box spaces, got observation shape [${observationSpace.shape}] and ` +
        `action shape [${actionSpace.shape}]`,
    );
  }
  return { envs, totalTimesteps: total };
}

/**
 * SB3's progress_remaining = 1 − t/T, clamped at 0 (SB3 would go negative in a last rollout
 * that overshoots T, a negative learning rate; we use 0 there), 1 without a T.
 *
 * @example
 * ```ts
 * import { progressRemaining } from "./agent.ts";
 * progressRemaining(250, 1000); // 0.75
 * ```
 */
export function progressRemaining(numTimesteps: number, totalTimesteps: number | null): number {
  return totalTimesteps === null ? 1 : Math.max(0, 1 - numTimesteps / totalTimesteps);
}

/**
 * Throws when a saved state's config (fields added since it was written take their defaults)
 * differs from the agent's.
 *
 * @example
 * ```ts
 * import { checkSavedConfig } from "./agent.ts";
 * checkSavedConfig("PpoAgent", { gamma: 0.99 }, { gamma: 0.99 }); // ok
 * ```
 */
export function checkSavedConfig<C extends object>(agent: string, current: C, saved: C): void {
  const mismatch = Object.keys(current).filter((k) =>
    JSON.stringify(current[k as keyof C]) !== JSON.stringify(saved[k as keyof C])
  );
  if (mismatch.length > 0) {
    throw new Error(
      `${agent}.setState: the state was saved with a different config (${mismatch.join(", ")}); ` +
        `construct the agent with the saved config (state.config)`,
    );
  }
}

/**
 * The counters and generator states every agent state holds.
 *
 * @example
 * ```ts
 * import type { AgentCounters } from "./agent.ts";
 * import { Rng } from "../../rng.ts";
 * const rng = new Rng(0).getState();
 * const c: AgentCounters = { seed: 0, totalTimesteps: null, numTimesteps: 0, nUpdates: 0, iteration: 0, updatePending: false, rng, predictRng: rng };
 * ```
 */
export interface AgentCounters {
  seed: number;
  totalTimesteps: number | null;
  numTimesteps: number;
  nUpdates: number;
  iteration: number;
  updatePending: boolean;
  /** Action sampling (and PPO's mini-batch permutations). */
  rng: RngState;
  /** Sampling of stochastic `predict` calls. */
  predictRng: RngState;
}

/**
 * SB3's step state machine and counters, shared by the agents. A subclass collects one
 * environment step in `collectStep` (setting `pending` when an update is due) and runs the
 * update in `update` (clearing `pending`).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { PpoAgent } from "../ppo/ppo.ts";
 * import type { OnlineAgent } from "./agent.ts";
 * const agent: OnlineAgent<unknown, unknown> = new PpoAgent({ env: makeEnv("Pendulum-v1"), seed: 0 });
 * agent.step();
 * ```
 */
export abstract class OnlineAgent<Update, Info> {
  /** The seed of this run (given at construction, or restored by `setState`). */
  seed: number;
  /** T of the linear schedules (SB3's `learn(total_timesteps)`), or null. */
  readonly totalTimesteps: number | null;
  /** Environment steps taken (transitions over all environments). */
  numTimesteps = 0;
  /** SB3 `_n_updates`: PPO's epochs, SAC's gradient steps, over all updates. */
  nUpdates = 0;
  /** Completed update phases. */
  iteration = 0;
  /** Wall-clock milliseconds spent in rollout steps and in updates (not part of the state). */
  readonly timing = { rolloutMs: 0, updateMs: 0 };
  /** An update is due and has not run yet. */
  protected pending = false;
  /** Action sampling (and PPO's mini-batch permutations): stream 2 of the seed. */
  protected readonly rng: Rng;
  /** Sampling of stochastic `predict` calls (leaves training alone): stream 3 of the seed. */
  protected readonly predictRng: Rng;

  /** The environments' collector. */
  abstract readonly collector: EnvCollector;

  constructor(seed: number, totalTimesteps: number | null) {
    this.seed = seed;
    this.totalTimesteps = totalTimesteps;
    this.rng = new Rng(seed, 2);
    this.predictRng = new Rng(seed, 3);
  }

  /** True when an update is due and has not run yet. */
  get updatePending(): boolean {
    return this.pending;
  }

  /** The observation(s) the next action will be chosen from (one row per environment). */
  get lastObs(): Float32Array {
    return this.collector.obs.slice();
  }

  /**
   * Advances one environment step, running a pending update first (SB3 runs it after the step's
   * callbacks).
   */
  step(): Info {
    const update = this.pending ? this.update() : null;
    const t0 = performance.now();
    const info = this.collectStep(update);
    this.timing.rolloutMs += performance.now() - t0;
    return info;
  }

  /**
   * {@linkcode OnlineAgent.step} with the pending update run by
   * {@linkcode OnlineAgent.updateAsync} (the path of devices that read the GPU asynchronously).
   */
  async stepAsync(): Promise<Info> {
    const update = this.pending ? await this.updateAsync() : null;
    const t0 = performance.now();
    const info = this.collectStep(update);
    this.timing.rolloutMs += performance.now() - t0;
    return info;
  }

  /**
   * Runs the pending update phase on any device; agents whose update can run on a GPU override
   * it (here: {@linkcode OnlineAgent.update}).
   */
  updateAsync(): Promise<Update> {
    try {
      return Promise.resolve(this.update());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Whether the update must run through {@linkcode OnlineAgent.updateAsync} (a GPU device). */
  get asyncUpdate(): boolean {
    return false;
  }

  /** The counters of a state (see {@linkcode AgentCounters}). */
  protected counters(): AgentCounters {
    return {
      seed: this.seed,
      totalTimesteps: this.totalTimesteps,
      numTimesteps: this.numTimesteps,
      nUpdates: this.nUpdates,
      iteration: this.iteration,
      updatePending: this.pending,
      rng: this.rng.getState(),
      predictRng: this.predictRng.getState(),
    };
  }

  /**
   * Restores what every agent state holds: checks the saved config (`saved`, with the defaults of
   * fields added since it was written) against `current`, then restores the counters (T must be
   * this agent's) and the collector.
   */
  protected restoreShared(
    s: AgentCounters & { collector: CollectorState },
    current: object,
    saved: object,
  ): void {
    const name = this.constructor.name;
    checkSavedConfig(name, current, saved);
    if (s.collector.obs.length !== this.collector.obs.length) {
      throw new Error(`${name}.setState: observation sizes differ from this agent's`);
    }
    this.restoreCounters(s);
    this.collector.setState(s.collector);
  }

  /** Restores {@linkcode OnlineAgent.counters}; T must be this agent's. */
  protected restoreCounters(s: AgentCounters): void {
    if (s.totalTimesteps !== this.totalTimesteps) {
      throw new Error(
        `${this.constructor.name}.setState: state has totalTimesteps ${s.totalTimesteps}, this ` +
          `agent ${this.totalTimesteps}`,
      );
    }
    this.seed = s.seed;
    this.numTimesteps = s.numTimesteps;
    this.nUpdates = s.nUpdates;
    this.iteration = s.iteration;
    this.pending = s.updatePending;
    this.rng.setState(s.rng);
    this.predictRng.setState(s.predictRng);
  }

  /** Runs the pending update phase. */
  abstract update(): Update;

  /**
   * Ends an update phase that started at `t0` (performance.now()): clears `pending`, counts the
   * iteration and the time; returns the counters followed by `stats`.
   */
  protected finishUpdate<S extends object>(
    t0: number,
    stats: S,
  ): { numTimesteps: number; iteration: number; nUpdates: number } & S {
    this.pending = false;
    this.iteration++;
    this.timing.updateMs += performance.now() - t0;
    return {
      numTimesteps: this.numTimesteps,
      iteration: this.iteration,
      nUpdates: this.nUpdates,
      ...stats,
    };
  }

  /** Collects one environment step; `update` is what `step()` ran before it, or null. */
  protected abstract collectStep(update: Update | null): Info;
}
