/**
 * The environment registry: {@linkcode registerEnv}, {@linkcode makeEnv} (Gymnasium's `gym.make`:
 * builds the env and wraps it in a `TimeLimit`), {@linkcode makeVecEnv} and {@linkcode listEnvs}.
 * Importing `lib/envs/mod.ts` registers the built-in environments.
 *
 * Some environments need an asynchronous setup before `makeEnv` can build them synchronously (the
 * MuJoCo tasks load a WebAssembly module): `await prepareEnv(id)` does it, and is a no-op for the
 * others, so code that takes any id can always call it first.
 *
 * @module
 */
import {
  checkOptions,
  closestMatch,
  describe,
  type Env,
  type OptionCheck,
  optionChecks,
} from "./env.ts";
import { SyncVectorEnv } from "./vector.ts";
import { RecordEpisodeStatistics, TimeLimit } from "./wrappers.ts";

/**
 * A registered environment (Gymnasium's `EnvSpec`).
 *
 * @example
 * ```ts
 * import type { EnvSpec } from "./registry.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * const spec: EnvSpec = {
 *   id: "Pendulum-v1", entryPoint: (o) => new PendulumEnv(o), maxEpisodeSteps: 200,
 * };
 * ```
 */
export interface EnvSpec {
  /** Unique id such as `"Pendulum-v1"`. */
  id: string;
  /** Builds the raw environment from its options; should reject unknown options. */
  // deno-lint-ignore no-explicit-any
  entryPoint: (options: any) => Env;
  /** Default time limit; `makeEnv` wraps the env in `TimeLimit` with it (none when absent). */
  maxEpisodeSteps?: number;
  /** Return at which the task counts as solved (informational). */
  rewardThreshold?: number;
  /** Asynchronous setup that must finish before `entryPoint` can run (see `prepareEnv`). */
  prepare?: () => Promise<unknown>;
  /** True once `prepare` has finished (required with `prepare`). */
  isPrepared?: () => boolean;
  /**
   * The id this one is another name for (it builds the same environment), e.g.
   * `dmc_Finger-spin-v1` for `dmc/finger-spin`; see {@linkcode canonicalEnvId}.
   */
  aliasOf?: string;
}

/**
 * Options of {@linkcode makeEnv}: the wrapper options below plus the environment's own options
 * (e.g. `g` for Pendulum-v1), which go to its entry point.
 *
 * @example
 * ```ts
 * import type { MakeEnvOptions } from "./registry.ts";
 * const opts: MakeEnvOptions = { maxEpisodeSteps: 100, recordEpisodeStatistics: true, g: 9.81 };
 * ```
 */
export interface MakeEnvOptions {
  /** Overrides the registered time limit. */
  maxEpisodeSteps?: number;
  /** Wraps the env (outside the time limit) in `RecordEpisodeStatistics`. */
  recordEpisodeStatistics?: boolean;
  /** Environment-specific options. */
  [envOption: string]: unknown;
}

const registry = new Map<string, EnvSpec>();

/**
 * Registers an environment under `spec.id`. Registering an existing id is an error.
 *
 * @example
 * ```ts
 * import { registerEnv } from "./registry.ts";
 * import { PendulumEnv } from "./classic_control/pendulum.ts";
 * registerEnv({ id: "ShortPendulum-v0", entryPoint: (o) => new PendulumEnv(o), maxEpisodeSteps: 50 });
 * ```
 */
export function registerEnv(spec: EnvSpec): void {
  if (spec === null || typeof spec !== "object") {
    throw new TypeError(`registerEnv: expected { id, entryPoint, ... }, got ${describe(spec)}`);
  }
  const checks: Record<string, OptionCheck> = {
    id: (v) => typeof v === "string" && v.length > 0 ? null : "must be a non-empty string",
    entryPoint: (v) => typeof v === "function" ? null : "must be a function (options) => Env",
    maxEpisodeSteps: optionChecks.positiveInteger,
    rewardThreshold: optionChecks.finiteNumber,
    prepare: (v) => typeof v === "function" ? null : "must be a function () => Promise",
    isPrepared: (v) => typeof v === "function" ? null : "must be a function () => boolean",
    aliasOf: (v) => typeof v === "string" && v.length > 0 ? null : "must be a non-empty string",
  };
  checkOptions("registerEnv", spec, checks);
  if (spec.id === undefined || spec.entryPoint === undefined) {
    throw new TypeError(`registerEnv: "id" and "entryPoint" are required`);
  }
  if ((spec.prepare === undefined) !== (spec.isPrepared === undefined)) {
    throw new TypeError(`registerEnv: give both "prepare" and "isPrepared", or neither`);
  }
  if (registry.has(spec.id)) {
    throw new Error(`registerEnv: "${spec.id}" is already registered; choose another id`);
  }
  registry.set(spec.id, { ...spec });
}

/**
 * The ids of all registered environments, sorted.
 *
 * @example
 * ```ts
 * import { listEnvs } from "./mod.ts";
 * listEnvs(); // ["Ant-v4", "Ant-v5", "HalfCheetah-v4", ..., "Pendulum-v1", ..., "Walker2d-v5"]
 * ```
 */
export function listEnvs(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The spec registered under `id` (throws like {@linkcode makeEnv} for unknown ids).
 *
 * @example
 * ```ts
 * import { envSpec } from "./mod.ts";
 * envSpec("Pendulum-v1").maxEpisodeSteps; // 200
 * ```
 */
export function envSpec(id: string): EnvSpec {
  const spec = registry.get(id);
  if (spec === undefined) {
    const known = listEnvs();
    const hint = typeof id === "string" ? closestMatch(id, known) : undefined;
    throw new Error(
      `Unknown environment id ${describe(id)}${hint ? `; did you mean "${hint}"?` : ""} ` +
        `Known ids: ${known.length ? known.join(", ") : "(none registered)"}` +
        (known.length ? "" : "; import lib/envs/mod.ts to register the built-in environments"),
    );
  }
  return { ...spec };
}

/**
 * The canonical id of `id`: the id a registered alias stands for (`dmc/finger-spin` →
 * `dmc_Finger-spin-v1`, `LunarLanderContinuous-v2` → `LunarLanderContinuous-v3`), else `id`
 * itself (also for ids that are not registered).
 *
 * @example
 * ```ts
 * import { canonicalEnvId } from "./mod.ts";
 * canonicalEnvId("dmc/finger-spin"); // "dmc_Finger-spin-v1"
 * canonicalEnvId("Walker2d-v4"); // "Walker2d-v4"
 * ```
 */
export function canonicalEnvId(id: string): string {
  return registry.get(id)?.aliasOf ?? id;
}

/**
 * Runs the asynchronous setup an environment needs before {@linkcode makeEnv} (loading the MuJoCo
 * WebAssembly module for the MuJoCo tasks; nothing for the others). Call it once per id and
 * thread; further calls return at once.
 *
 * @example
 * ```ts
 * import { makeEnv, prepareEnv } from "./mod.ts";
 * await prepareEnv("Walker2d-v4");
 * const env = makeEnv("Walker2d-v4");
 * ```
 */
export async function prepareEnv(id: string): Promise<void> {
  const spec = envSpec(id);
  if (spec.prepare !== undefined && !spec.isPrepared!()) await spec.prepare();
}

const MAKE_OPTION_CHECKS: Record<string, OptionCheck> = {
  maxEpisodeSteps: optionChecks.positiveInteger,
  recordEpisodeStatistics: optionChecks.boolean,
};

/**
 * Builds a registered environment like `gym.make`: the raw env from its entry point, wrapped in
 * `TimeLimit(maxEpisodeSteps ?? spec.maxEpisodeSteps)` and, when asked, in
 * `RecordEpisodeStatistics` outside it.
 *
 * @example
 * ```ts
 * import { makeEnv } from "./mod.ts";
 * const env = makeEnv("Pendulum-v1"); // TimeLimit(200)
 * env.reset({ seed: 0 });
 * const r = env.step(new Float32Array([0.5]));
 * const short = makeEnv("Pendulum-v1", { maxEpisodeSteps: 50, recordEpisodeStatistics: true });
 * ```
 */
export function makeEnv(id: string, options: MakeEnvOptions = {}): Env {
  const spec = envSpec(id);
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(
      `makeEnv("${id}"): options must be a plain object, got ${describe(options)}`,
    );
  }
  const { maxEpisodeSteps, recordEpisodeStatistics, ...envOptions } = options;
  checkOptions(
    `makeEnv("${id}")`,
    { maxEpisodeSteps, recordEpisodeStatistics },
    MAKE_OPTION_CHECKS,
  );
  if (spec.isPrepared !== undefined && !spec.isPrepared()) {
    throw new Error(
      `makeEnv("${id}"): this environment needs an asynchronous setup first; run ` +
        `\`await prepareEnv("${id}")\` once (per thread) before makeEnv`,
    );
  }
  let env = spec.entryPoint(envOptions);
  if (env === null || typeof env !== "object" || typeof env.step !== "function") {
    throw new TypeError(`makeEnv("${id}"): the entry point returned ${describe(env)}, not an Env`);
  }
  const limit = (maxEpisodeSteps as number | undefined) ?? spec.maxEpisodeSteps;
  if (limit !== undefined) env = new TimeLimit(env, limit);
  if (recordEpisodeStatistics === true) env = new RecordEpisodeStatistics(env);
  return env;
}

/**
 * `numEnvs` copies of `makeEnv(id, options)` in a {@linkcode SyncVectorEnv} (SB3's
 * `make_vec_env` with `DummyVecEnv`).
 *
 * @example
 * ```ts
 * import { makeVecEnv } from "./mod.ts";
 * const venv = makeVecEnv("Pendulum-v1", 8, { recordEpisodeStatistics: true });
 * venv.reset({ seed: 0 }); // env i seeded with i
 * ```
 */
export function makeVecEnv(
  id: string,
  numEnvs: number,
  options: MakeEnvOptions = {},
): SyncVectorEnv {
  if (!Number.isSafeInteger(numEnvs) || numEnvs <= 0) {
    throw new RangeError(
      `makeVecEnv: numEnvs must be a positive integer, got ${describe(numEnvs)}`,
    );
  }
  return new SyncVectorEnv(Array.from({ length: numEnvs }, () => makeEnv(id, options)));
}
