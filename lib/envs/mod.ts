/**
 * Reinforcement-learning environments with Gymnasium semantics: `Box` spaces, the `Env` API and
 * base class, wrappers (`TimeLimit`, `RecordEpisodeStatistics`), the SB3-style `SyncVectorEnv`,
 * the registry (`makeEnv`, `makeVecEnv`, `prepareEnv`), the classic-control tasks `Pendulum-v1`
 * and `MountainCarContinuous-v0`, and the MuJoCo tasks (Ant, HalfCheetah, Hopper, Walker2d,
 * Swimmer, Reacher; v4 and v5) and the DeepMind Control tasks (`dmc_Finger-spin-v1`,
 * `dmc_Ball_in_cup-catch-v1`), which importing this module registers. The MuJoCo and DeepMind
 * Control tasks need `await prepareEnv(id)` once before `makeEnv` (it loads the MuJoCo WebAssembly
 * module; importing this module does not). The Box2D tasks `LunarLanderContinuous-v3` (also as
 * `LunarLanderContinuous-v2` and `LunarLander-v3` with `continuous: true`), `BipedalWalker-v3` and
 * `BipedalWalkerHardcore-v3` are registered too.
 *
 * @example
 * ```ts
 * import { listEnvs, makeEnv, makeVecEnv } from "./mod.ts";
 * listEnvs(); // ["Ant-v4", "Ant-v5", "HalfCheetah-v4", ..., "Pendulum-v1", ..., "Walker2d-v5"]
 * const env = makeEnv("Pendulum-v1"); // with TimeLimit(200), like gym.make
 * env.reset({ seed: 0 });
 * const { obs, reward, terminated, truncated } = env.step(new Float32Array([1]));
 * const venv = makeVecEnv("MountainCarContinuous-v0", 4);
 * venv.reset({ seed: 0 });
 * ```
 *
 * @module
 */
import {
  MountainCarContinuousEnv,
  type MountainCarContinuousOptions,
  PendulumEnv,
  type PendulumOptions,
} from "./classic_control/mod.ts";
import { DMC_ENV_SPECS } from "./dmc/mod.ts";
import { MUJOCO_ENV_SPECS } from "./mujoco/mod.ts";
import {
  BipedalWalkerEnv,
  type BipedalWalkerOptions,
  LunarLanderEnv,
  type LunarLanderOptions,
} from "./box2d/mod.ts";
import { listEnvs, registerEnv } from "./registry.ts";

export * from "./spaces.ts";
export * from "./env.ts";
export * from "./wrappers.ts";
export * from "./vector.ts";
export { ThreadedVectorEnv, type ThreadedVectorEnvOptions } from "./threaded_vector.ts";
export * from "./registry.ts";
export * from "./classic_control/mod.ts";
export * from "./mujoco/mod.ts";
export * from "./box2d/mod.ts";
export * from "./dmc/mod.ts";
export * from "./xoshiro_generator.ts";
// Generator types in the public signatures: BaseEnv.npRandom and resetPhysics (numpy's
// Generator), Box.sample (either generator).
export type { Generator, GeneratorState } from "../np_random/mod.ts";
export type { Rng, RngState } from "../rng.ts";

// Gymnasium 1.3's registrations (gymnasium/envs/__init__.py).
if (!listEnvs().includes("Pendulum-v1")) {
  registerEnv({
    id: "Pendulum-v1",
    entryPoint: (options: PendulumOptions) => new PendulumEnv(options),
    maxEpisodeSteps: 200,
  });
}
if (!listEnvs().includes("MountainCarContinuous-v0")) {
  registerEnv({
    id: "MountainCarContinuous-v0",
    entryPoint: (options: MountainCarContinuousOptions) => new MountainCarContinuousEnv(options),
    maxEpisodeSteps: 999,
    rewardThreshold: 90.0,
  });
}
for (const spec of [...MUJOCO_ENV_SPECS, ...DMC_ENV_SPECS]) {
  if (!listEnvs().includes(spec.id)) registerEnv(spec);
}

// Box2D tasks (gymnasium/envs/__init__.py). LunarLander-v3 keeps Gymnasium's default
// continuous=False, which LunarLanderEnv rejects (Box action spaces only) with a hint;
// LunarLanderContinuous-v2, the paper's id, is v3 (see lunar_lander.ts for what v3 changed).
const box2dTasks: {
  id: string;
  make: (o: Record<string, unknown>) => LunarLanderEnv | BipedalWalkerEnv;
  steps: number;
  threshold: number;
  aliasOf?: string;
}[] = [
  {
    id: "LunarLander-v3",
    make: (o) =>
      new LunarLanderEnv({ continuous: false, ...o } as LunarLanderOptions, "LunarLander-v3"),
    steps: 1000,
    threshold: 200,
  },
  {
    id: "LunarLanderContinuous-v3",
    make: (o) => new LunarLanderEnv({ continuous: true, ...o } as LunarLanderOptions),
    steps: 1000,
    threshold: 200,
  },
  {
    id: "LunarLanderContinuous-v2",
    make: (o) =>
      new LunarLanderEnv(
        { continuous: true, ...o } as LunarLanderOptions,
        "LunarLanderContinuous-v2",
      ),
    steps: 1000,
    threshold: 200,
    aliasOf: "LunarLanderContinuous-v3",
  },
  {
    id: "BipedalWalker-v3",
    make: (o) => new BipedalWalkerEnv(o as BipedalWalkerOptions),
    steps: 1600,
    threshold: 300,
  },
  {
    id: "BipedalWalkerHardcore-v3",
    make: (o) => new BipedalWalkerEnv({ hardcore: true, ...o } as BipedalWalkerOptions),
    steps: 2000,
    threshold: 300,
  },
];
for (const task of box2dTasks) {
  if (!listEnvs().includes(task.id)) {
    registerEnv({
      id: task.id,
      entryPoint: task.make,
      maxEpisodeSteps: task.steps,
      rewardThreshold: task.threshold,
      ...(task.aliasOf ? { aliasOf: task.aliasOf } : {}),
    });
  }
}
