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
export const MUJOCO_ENV_SPECS: readonly EnvSpec[] = (["v4", "v5"] as const).flatMap((v) => {
  // name, constructor, time limit, reward threshold (none for Walker2d).
  const tasks: [string, EnvSpec["entryPoint"], number, number | undefined][] = [
    ["Ant", (o: AntOptions) => new AntEnv(v, o), 1000, 6000],
    ["HalfCheetah", (o: HalfCheetahOptions) => new HalfCheetahEnv(v, o), 1000, 4800],
    ["Hopper", (o: HopperOptions) => new HopperEnv(v, o), 1000, 3800],
    ["Walker2d", (o: Walker2dOptions) => new Walker2dEnv(v, o), 1000, undefined],
    ["Swimmer", (o: SwimmerOptions) => new SwimmerEnv(v, o), 1000, 360],
    ["Reacher", (o: ReacherOptions) => new ReacherEnv(v, o), 50, -3.75],
  ];
  return tasks.map(([name, entryPoint, maxEpisodeSteps, rewardThreshold]) => ({
    id: `${name}-${v}`,
    entryPoint,
    maxEpisodeSteps,
    ...(rewardThreshold === undefined ? {} : { rewardThreshold }),
    ...prepare,
  }));
}).sort((a, b) => a.id.localeCompare(b.id));
