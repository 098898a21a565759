/**
 * DeepMind Control Suite tasks (dm_control 1.0.44 semantics, exposed as dmc2gym exposes them) on
 * the MuJoCo WebAssembly build: `finger/spin` and `ball_in_cup/catch` under the paper's ids
 * `dmc_Finger-spin-v1` and `dmc_Ball_in_cup-catch-v1`, plus the aliases `dmc/finger-spin` and
 * `dmc/ball_in_cup-catch`, and dm_control's reward helper `tolerance`. `lib/envs/mod.ts`
 * registers them ({@linkcode DMC_ENV_SPECS}); `await prepareEnv(id)` loads the WebAssembly module
 * once before the first `makeEnv`.
 *
 * @example
 * ```ts
 * import { makeEnv, prepareEnv } from "../mod.ts";
 * await prepareEnv("dmc_Finger-spin-v1");
 * const env = makeEnv("dmc_Finger-spin-v1"); // TimeLimit(1000)
 * env.reset({ seed: 0 }); // RandomState(0), as suite.load("finger", "spin", task_kwargs={"random": 0})
 * env.step(new Float32Array([0.3, -0.7]));
 * env.close();
 * ```
 *
 * @module
 */
import type { EnvSpec } from "../registry.ts";
import { loadMujoco, mujocoLoaded } from "../mujoco/runtime.ts";
import { BallInCupCatchEnv } from "./ball_in_cup.ts";
import type { DmcOptions } from "./dmc_env.ts";
import { FingerSpinEnv } from "./finger.ts";

export * from "./rewards.ts";
export * from "./dmc_env.ts";
export * from "./finger.ts";
export * from "./ball_in_cup.ts";

const common = { maxEpisodeSteps: 1000, prepare: loadMujoco, isPrepared: mujocoLoaded };

/**
 * The DeepMind Control registrations: the paper's dmc2gym ids (time limit 1000 steps) and the
 * readable aliases, which build the same environments.
 *
 * @example
 * ```ts
 * import { DMC_ENV_SPECS } from "./mod.ts";
 * DMC_ENV_SPECS.map((s) => s.id);
 * // ["dmc/ball_in_cup-catch", "dmc/finger-spin", "dmc_Ball_in_cup-catch-v1", "dmc_Finger-spin-v1"]
 * ```
 */
export const DMC_ENV_SPECS: readonly EnvSpec[] = [
  ["dmc_Finger-spin-v1", "dmc/finger-spin", (o: DmcOptions) => new FingerSpinEnv(o)],
  [
    "dmc_Ball_in_cup-catch-v1",
    "dmc/ball_in_cup-catch",
    (o: DmcOptions) => new BallInCupCatchEnv(o),
  ],
].flatMap(([id, alias, entryPoint]) =>
  [id, alias].map((name) => ({
    id: name as string,
    entryPoint: entryPoint as EnvSpec["entryPoint"],
    ...common,
    ...(name === id ? {} : { aliasOf: id as string }),
  }))
).sort((a, b) => a.id.localeCompare(b.id));
