/**
 * {@linkcode SyncVectorEnv}: n environments stepped in sequence with Stable-Baselines3
 * `DummyVecEnv` semantics (same-step auto-reset).
 *
 * When env i finishes (terminated or truncated) during `step`, it is reset at once without a seed
 * (its generator continues), the returned `obs` row holds the *reset* observation, and
 * `infos[i].terminalObservation` holds the final observation of the finished episode (SB3's
 * `terminal_observation`, needed to bootstrap time-outs). `reset({ seed })` seeds env i with
 * `seed + i` (SB3's `VecEnv.seed`).
 *
 * @module
 */
import {
  describe,
  type Env,
  type EnvState,
  type Observation,
  type ResetOptions,
  type StepResult,
} from "./env.ts";
import { sharedArrayPool } from "./pool.ts";
import type { Box } from "./spaces.ts";

/**
 * What {@linkcode SyncVectorEnv.reset} returns.
 *
 * @example
 * ```ts
 * import type { VectorResetResult } from "./vector.ts";
 * const r: VectorResetResult = { obs: new Float32Array(2 * 3), infos: [{}, {}] };
 * ```
 */
export interface VectorResetResult {
  /**
   * Observations, env-major: row i is `obs.subarray(i * obsDim, (i + 1) * obsDim)`; of the
   * observation space's dtype.
   */
  obs: Observation;
  /** One reset info per env. */
  infos: Record<string, unknown>[];
}

/**
 * What {@linkcode SyncVectorEnv.step} returns. All arrays are fresh, so callers may keep them.
 *
 * @example
 * ```ts
 * import type { VectorStepResult } from "./vector.ts";
 * const r: VectorStepResult = {
 *   obs: new Float32Array(6), rewards: new Float64Array(2), terminated: new Uint8Array(2),
 *   truncated: new Uint8Array(2), infos: [{}, {}],
 * };
 * ```
 */
export interface VectorStepResult {
  /** Next observations (env-major); for finished envs the first observation of the new episode. */
  obs: Observation;
  /** Rewards. */
  rewards: Float64Array;
  /** 1 where the env reached a terminal state. */
  terminated: Uint8Array;
  /** 1 where the env was truncated (time limit). */
  truncated: Uint8Array;
  /** Step infos; finished envs carry `terminalObservation` (and `episode` when recorded). */
  infos: Record<string, unknown>[];
}

/**
 * What every vector env offers ({@linkcode SyncVectorEnv}, and `ThreadedVectorEnv`, which steps
 * its envs on several threads with the same results).
 *
 * @example
 * ```ts
 * import type { VectorEnv } from "./vector.ts";
 * function meanReward(venv: VectorEnv): number {
 *   venv.reset({ seed: 0 });
 *   const { rewards } = venv.step(new Float64Array(venv.numEnvs * venv.actDim));
 *   return rewards.reduce((a, b) => a + b, 0) / venv.numEnvs;
 * }
 * ```
 */
export interface VectorEnv {
  /** Number of environments. */
  readonly numEnvs: number;
  /** Observation space of one env. */
  readonly singleObservationSpace: Box;
  /** Action space of one env. */
  readonly singleActionSpace: Box;
  /** Elements of one observation. */
  readonly obsDim: number;
  /** Elements of one action. */
  readonly actDim: number;
  /** Resets every env (env i with `seed + i`). */
  reset(opts?: ResetOptions): VectorResetResult;
  /** Steps every env and auto-resets the finished ones. */
  step(actions: ArrayLike<number>): VectorStepResult;
  /** JSON snapshot of every env. */
  getState(): EnvState;
  /** Restores {@linkcode VectorEnv.getState}'s snapshot. */
  setState(s: EnvState): void;
  /** Closes every env. */
  close(): void;
}

/**
 * One step of a vector env's env with SB3's same-step auto-reset: when the episode ends, the info
 * gets `terminalObservation` (the final observation) and the env is reset without a seed; `obs`
 * is then the reset observation.
 *
 * @example
 * ```ts
 * import { stepWithAutoReset } from "./vector.ts";
 * import { TimeLimit } from "./wrappers.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * const env = new TimeLimit(new PendulumEnv(), 1);
 * env.reset({ seed: 0 });
 * const { result, obs } = stepWithAutoReset(env, [0]);
 * result.info.terminalObservation !== undefined; // true; obs is the next episode's first
 * ```
 */
export function stepWithAutoReset(
  env: Env,
  action: ArrayLike<number>,
): { result: StepResult; obs: Observation } {
  const result = env.step(action);
  let obs = result.obs;
  if (result.terminated || result.truncated) {
    result.info.terminalObservation = obs;
    obs = env.reset().obs;
  }
  return { result, obs };
}

/**
 * Validates the argument of a vector env's `reset` (a non-negative integer seed, if any).
 *
 * @param who the method, for messages, e.g. `"SyncVectorEnv.reset"`.
 * @example
 * ```ts
 * import { checkVectorReset } from "./vector.ts";
 * checkVectorReset({ seed: 3 }, "MyVectorEnv.reset"); // { seed: 3, options: undefined }
 * ```
 */
export function checkVectorReset(opts: ResetOptions, who: string): ResetOptions {
  if (opts === null || typeof opts !== "object") {
    throw new TypeError(`${who}: expected { seed?, options? }, got ${describe(opts)}`);
  }
  const { seed, options } = opts;
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new TypeError(`${who}: seed must be a non-negative integer, got ${describe(seed)}`);
  }
  return { seed, options };
}

/**
 * n environments with identical spaces, stepped one after another with SB3 `DummyVecEnv`
 * semantics (see the module doc).
 *
 * @example
 * ```ts
 * import { SyncVectorEnv } from "./vector.ts";
 * import { TimeLimit } from "./wrappers.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * const venv = new SyncVectorEnv(Array.from({ length: 4 }, () => new TimeLimit(new PendulumEnv(), 200)));
 * venv.reset({ seed: 0 }); // env i seeded with i
 * const { obs, rewards, infos } = venv.step(new Float32Array(4)); // zero torque everywhere
 * obs.length; // 4 * 3
 * ```
 */
export class SyncVectorEnv implements VectorEnv {
  /** The environments. */
  readonly envs: readonly Env[];
  /** Number of environments. */
  readonly numEnvs: number;
  /** Observation space of one env. */
  readonly singleObservationSpace: Box;
  /** Action space of one env. */
  readonly singleActionSpace: Box;
  /** Elements of one observation. */
  readonly obsDim: number;
  /** Elements of one action. */
  readonly actDim: number;

  #hasReset = false;
  // Per-env action buffers: a float32 one (Float32Array input keeps float32 semantics) and a
  // float64 one (any other input), reused every step.
  readonly #actions32: Float32Array[];
  readonly #actions64: Float64Array[];

  /**
   * Builds the vector env.
   *
   * @param envs the environments, or factories that create them (SB3 passes factories); all must
   * have the same observation and action sizes.
   */
  constructor(envs: ReadonlyArray<Env | (() => Env)>) {
    if (!Array.isArray(envs) || envs.length === 0) {
      throw new RangeError(`SyncVectorEnv: needs a non-empty array of envs, got ${describe(envs)}`);
    }
    this.envs = envs.map((e, i) => {
      const env = typeof e === "function" ? e() : e;
      if (env === null || typeof env !== "object" || typeof env.step !== "function") {
        throw new TypeError(`SyncVectorEnv: envs[${i}] is not an Env (got ${describe(env)})`);
      }
      return env;
    });
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    this.obsDim = this.singleObservationSpace.size;
    this.actDim = this.singleActionSpace.size;
    this.envs.forEach((env, i) => {
      if (env.observationSpace.size !== this.obsDim || env.actionSpace.size !== this.actDim) {
        throw new RangeError(
          `SyncVectorEnv: envs[${i}] has observation/action sizes ${env.observationSpace.size}/` +
            `${env.actionSpace.size}, envs[0] has ${this.obsDim}/${this.actDim}; all envs must ` +
            `have the same spaces`,
        );
      }
      if (env.observationSpace.dtype !== this.singleObservationSpace.dtype) {
        throw new RangeError(
          `SyncVectorEnv: envs[${i}] observes ${env.observationSpace.dtype}, envs[0] ` +
            `${this.singleObservationSpace.dtype}; all envs must have the same spaces`,
        );
      }
    });
    this.#actions32 = this.envs.map(() => new Float32Array(this.actDim));
    this.#actions64 = this.envs.map(() => new Float64Array(this.actDim));
  }

  /**
   * Resets every env: env i with seed `seed + i` when a seed is given, otherwise continuing its
   * generator; `options` go to every env.
   */
  reset(opts: ResetOptions = {}): VectorResetResult {
    const { seed, options } = checkVectorReset(opts, "SyncVectorEnv.reset");
    const obs = this.singleObservationSpace.dtype === "float64"
      ? new Float64Array(this.numEnvs * this.obsDim)
      : new Float32Array(this.numEnvs * this.obsDim);
    const infos: Record<string, unknown>[] = new Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i].reset({ seed: seed === undefined ? undefined : seed + i, options });
      obs.set(r.obs, i * this.obsDim);
      infos[i] = r.info;
    }
    this.#hasReset = true;
    return { obs, infos };
  }

  /**
   * Steps env i with `actions[i * actDim, (i + 1) * actDim)` and auto-resets finished envs.
   * A `Float32Array` keeps float32 action semantics; other arrays are float64.
   */
  step(actions: ArrayLike<number>): VectorStepResult {
    if (!this.#hasReset) {
      throw new Error("SyncVectorEnv: cannot call step() before reset(); call venv.reset() first");
    }
    const n = this.numEnvs;
    const actDim = this.actDim;
    const obsDim = this.obsDim;
    if (actions === null || typeof actions !== "object" || actions.length !== n * actDim) {
      throw new TypeError(
        `SyncVectorEnv.step: expected ${n * actDim} actions (${n} envs x ${actDim}), got ` +
          describe(actions),
      );
    }
    const buffers = actions instanceof Float32Array ? this.#actions32 : this.#actions64;
    const obs = this.singleObservationSpace.dtype === "float64"
      ? sharedArrayPool.float64(n * obsDim)
      : sharedArrayPool.float32(n * obsDim);
    const rewards = sharedArrayPool.float64(n);
    const terminated = sharedArrayPool.uint8(n);
    const truncated = sharedArrayPool.uint8(n);
    const infos: Record<string, unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const action = buffers[i];
      for (let j = 0; j < actDim; j++) action[j] = actions[i * actDim + j];
      let r, o;
      try {
        ({ result: r, obs: o } = stepWithAutoReset(this.envs[i], action));
      } catch (e) {
        if (e instanceof Error) e.message = `SyncVectorEnv.step: env ${i}: ${e.message}`;
        throw e;
      }
      rewards[i] = r.reward;
      if (r.terminated) terminated[i] = 1;
      if (r.truncated) truncated[i] = 1;
      obs.set(o, i * obsDim);
      infos[i] = r.info;
    }
    return { obs, rewards, terminated, truncated, infos };
  }

  /** `{ vector: "SyncVectorEnv", hasReset, envs: [each env's state] }`. */
  getState(): EnvState {
    return {
      vector: "SyncVectorEnv",
      hasReset: this.#hasReset,
      envs: this.envs.map((e) => e.getState()),
    };
  }

  /** Restores a snapshot from {@linkcode SyncVectorEnv.getState} (same number of envs). */
  setState(s: EnvState): void {
    if (
      s === null || typeof s !== "object" || s.vector !== "SyncVectorEnv" ||
      typeof s.hasReset !== "boolean" || !Array.isArray(s.envs)
    ) {
      throw new TypeError(`SyncVectorEnv.setState: malformed state ${describe(s)}`);
    }
    if (s.envs.length !== this.numEnvs) {
      throw new RangeError(
        `SyncVectorEnv.setState: the state has ${s.envs.length} envs, this vector env ` +
          `${this.numEnvs}`,
      );
    }
    s.envs.forEach((e, i) => {
      if (e === null || typeof e !== "object" || Array.isArray(e)) {
        throw new TypeError(`SyncVectorEnv.setState: state.envs[${i}] must be an object`);
      }
      this.envs[i].setState(e);
    });
    this.#hasReset = s.hasReset;
  }

  /** Closes every env. */
  close(): void {
    for (const env of this.envs) env.close();
  }
}
