/**
 * The MuJoCo tasks of the paper on the official MuJoCo WebAssembly build (`@mujoco/mujoco`
 * 3.14): Ant, HalfCheetah, Hopper, Walker2d, Swimmer and Reacher in Gymnasium 1.3's v4 and v5,
 * with every constructor option Gymnasium has. `lib/envs/mod.ts` registers them
 * ({@linkcode MUJOCO_ENV_SPECS}); `await prepareEnv(id)` (or {@linkcode loadMujoco}) loads the
 * WebAssembly module once before the first `makeEnv`.
 *
 * @example
 * ```ts
 * import { makeEnv, prepareEnv } from "../mod.ts";
 * await prepareEnv("Ant-v4");
 * const env = makeEnv("Ant-v4", { use_contact_forces: true }); // v3's 111-dim observation
 * env.reset({ seed: 0 });
 * env.step(new Float64Array(8));
 * env.close();
 * ```
 *
 * @module
 */
import type { EnvSpec } from "../registry.ts";
import { AntEnv, type AntOptions } from "./ant.ts";
import { HalfCheetahEnv, type HalfCheetahOptions } from "./half_cheetah.ts";
import { HopperEnv, type HopperOptions } from "./hopper.ts";
import { ReacherEnv, type ReacherOptions } from "./reacher.ts";
import { loadMujoco, mujocoLoaded } from "./runtime.ts";
import { SwimmerEnv, type SwimmerOptions } from "./swimmer.ts";
import { Walker2dEnv, type Walker2dOptions } from "./walker2d.ts";

export * from "./runtime.ts";
export * from "./mujoco_env.ts";
export * from "./planar_walker.ts";
export * from "./runner.ts";
export * from "./ant.ts";
export * from "./half_cheetah.ts";
export * from "./hopper.ts";
export * from "./walker2d.ts";
export * from "./swimmer.ts";
export * from "./reacher.ts";

const prepare = { prepare: loadMujoco, isPrepared: mujocoLoaded };

/**
 * Gymnasium 1.3's registrations of the six tasks (ids, time limits, reward thresholds).
 *
 * @example
 * ```ts
 * import { MUJOCO_ENV_SPECS } from "./mod.ts";
 * MUJOCO_ENV_SPECS.map((s) => s.id); // ["Ant-v4", "Ant-v5", "HalfCheetah-v4", ...]
 * ```
 */
export const MUJOCO_ENV_SPECS: readonly EnvSpec[] = (["v4", "v5"] as const).flatMap((v) => [
  {
    id: `Ant-${v}`,
    entryPoint: (o: AntOptions) => new AntEnv(v, o),
    maxEpisodeSteps: 1000,
    rewardThreshold: 6000,
    ...prepare,
  },
  {
    id: `HalfCheetah-${v}`,
    entryPoint: (o: HalfCheetahOptions) => new HalfCheetahEnv(v, o),
    maxEpisodeSteps: 1000,
    rewardThreshold: 4800,
    ...prepare,
  },
  {
    id: `Hopper-${v}`,
    entryPoint: (o: HopperOptions) => new HopperEnv(v, o),
    maxEpisodeSteps: 1000,
    rewardThreshold: 3800,
    ...prepare,
  },
  {
    id: `Walker2d-${v}`,
    entryPoint: (o: Walker2dOptions) => new Walker2dEnv(v, o),
    maxEpisodeSteps: 1000,
    ...prepare,
  },
  {
    id: `Swimmer-${v}`,
    entryPoint: (o: SwimmerOptions) => new SwimmerEnv(v, o),
    maxEpisodeSteps: 1000,
    rewardThreshold: 360,
    ...prepare,
  },
  {
    id: `Reacher-${v}`,
    entryPoint: (o: ReacherOptions) => new ReacherEnv(v, o),
    maxEpisodeSteps: 50,
    rewardThreshold: -3.75,
    ...prepare,
  },
]).sort((a, b) => a.id.localeCompare(b.id));
