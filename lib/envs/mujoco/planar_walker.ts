/**
 * What Hopper and Walker2d share (Gymnasium 1.3 gives them the same reward, termination,
 * observation and reset; they differ in the model, the defaults and the health test):
 *
 * - reward = `forward_weight · Δx/dt + healthy_reward − ctrl_cost_weight · Σ aᵢ²`, x = `qpos[0]`;
 *   the healthy reward is paid while healthy, and in v4 also when unhealthy if
 *   `terminate_when_unhealthy` (the episode then ends anyway);
 * - terminated = not healthy, when `terminate_when_unhealthy`;
 * - observation = `qpos[1:]` (all of qpos when positions are not excluded), `clip(qvel, −10, 10)`;
 * - reset: `qpos = qpos0 + U(−s, s)`, `qvel = U(−s, s)`;
 * - info: v4 `x_position`, `x_velocity`; v5 also `z_distance_from_origin` (`qpos[1] − qpos0[1]`),
 *   `reward_forward`, `reward_ctrl`, `reward_survive`, and the reset info `x_position`,
 *   `z_distance_from_origin`.
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import type { StepResult } from "../env.ts";
import type { Box } from "../spaces.ts";
import {
  checkMujocoOptions,
  type MujocoBaseOptions,
  MujocoEnv,
  mujocoOptionChecks as c,
  observationBox,
  withV5Options,
} from "./mujoco_env.ts";
import { controlCost } from "./reductions.ts";

/**
 * Options Hopper and Walker2d share (Gymnasium's keyword arguments; `xml_file` and `frame_skip`
 * are v5 only). Defaults differ per task.
 *
 * @example
 * ```ts
 * import type { PlanarWalkerOptions } from "./planar_walker.ts";
 * const o: PlanarWalkerOptions = { terminate_when_unhealthy: false };
 * ```
 */
export interface PlanarWalkerOptions extends MujocoBaseOptions {
  /** Weight of the forward reward (default 1). */
  forward_reward_weight?: number;
  /** Weight of the control cost (default 0.001). */
  ctrl_cost_weight?: number;
  /** Reward per healthy step (default 1). */
  healthy_reward?: number;
  /** End the episode when unhealthy (default true). */
  terminate_when_unhealthy?: boolean;
  /** Open interval for the torso height `qpos[1]`. */
  healthy_z_range?: [number, number];
  /** Open interval for the torso angle `qpos[2]`. */
  healthy_angle_range?: [number, number];
  /** Scale of the initial-state noise (default 0.005). */
  reset_noise_scale?: number;
  /** Leave rootx out of the observation (default true). */
  exclude_current_positions_from_observation?: boolean;
}

/**
 * The v4 option validators of {@linkcode PlanarWalkerOptions}.
 *
 * @example
 * ```ts
 * import { PLANAR_WALKER_V4_OPTIONS } from "./planar_walker.ts";
 * PLANAR_WALKER_V4_OPTIONS.healthy_z_range([0.8, 2]); // null (valid)
 * ```
 */
export const PLANAR_WALKER_V4_OPTIONS = {
  forward_reward_weight: c.number,
  ctrl_cost_weight: c.number,
  healthy_reward: c.number,
  terminate_when_unhealthy: c.boolean,
  healthy_z_range: c.range,
  healthy_angle_range: c.range,
  reset_noise_scale: c.number,
  exclude_current_positions_from_observation: c.boolean,
};

/**
 * The task-specific part of a planar walker.
 *
 * @example
 * ```ts
 * import type { PlanarWalkerTask } from "./planar_walker.ts";
 * const t: PlanarWalkerTask = {
 *   name: "Walker2d", xml: { v4: "walker2d.xml", v5: "walker2d_v5.xml" },
 *   healthyZ: [0.8, 2], healthyAngle: [-1, 1],
 * };
 * ```
 */
export interface PlanarWalkerTask {
  /** Task name, e.g. `"Hopper"`. */
  name: string;
  /** Model file per version. */
  xml: { v4: string; v5: string };
  /** Default `healthy_z_range`. */
  healthyZ: [number, number];
  /** Default `healthy_angle_range`. */
  healthyAngle: [number, number];
  /** Extra option validators (both versions). */
  extraOptions?: Record<string, (v: unknown) => string | null>;
}

/**
 * Base class of Hopper and Walker2d (see the module doc); subclasses add their health test.
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { Walker2dEnv } from "./walker2d.ts";
 * await loadMujoco();
 * const env = new Walker2dEnv("v4");
 * env.reset({ seed: 0 });
 * env.isHealthy; // true
 * env.close();
 * ```
 */
export abstract class PlanarWalkerEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (nq − 1 + nv,), float64), or nq + nv with x. */
  readonly observationSpace: Box;
  /** Forward reward weight. */
  protected readonly forwardWeight: number;
  /** Control cost weight. */
  protected readonly ctrlWeight: number;
  /** Healthy reward. */
  protected readonly healthyReward: number;
  /** Whether an unhealthy state ends the episode. */
  protected readonly terminateWhenUnhealthy: boolean;
  /** Open interval for the torso height. */
  protected readonly healthyZ: readonly [number, number];
  /** Open interval for the torso angle. */
  protected readonly healthyAngle: readonly [number, number];
  readonly #noise: number;
  readonly #skip: number;

  /** Validates the options and builds the env. */
  constructor(
    task: PlanarWalkerTask,
    version: "v4" | "v5",
    options: PlanarWalkerOptions,
  ) {
    const id = `${task.name}-${version}`;
    const v4 = { ...PLANAR_WALKER_V4_OPTIONS, ...task.extraOptions };
    checkMujocoOptions(id, options, version === "v4" ? v4 : withV5Options(v4));
    super(id, options.xml_file ?? task.xml[version], options.frame_skip ?? 4);
    this.version = version;
    this.forwardWeight = options.forward_reward_weight ?? 1;
    this.ctrlWeight = options.ctrl_cost_weight ?? 0.001;
    this.healthyReward = options.healthy_reward ?? 1;
    this.terminateWhenUnhealthy = options.terminate_when_unhealthy ?? true;
    this.healthyZ = options.healthy_z_range ?? task.healthyZ;
    this.healthyAngle = options.healthy_angle_range ?? task.healthyAngle;
    this.#noise = options.reset_noise_scale ?? 0.005;
    this.#skip = (options.exclude_current_positions_from_observation ?? true) ? 1 : 0;
    this.observationSpace = observationBox(this.nq + this.nv - this.#skip);
  }

  /** Torso height and angle strictly inside their ranges (and the task's own conditions). */
  get isHealthy(): boolean {
    const qpos = this.views.qpos;
    const [minZ, maxZ] = this.healthyZ;
    const [minAngle, maxAngle] = this.healthyAngle;
    const z = qpos[1], angle = qpos[2];
    return minZ < z && z < maxZ && minAngle < angle && angle < maxAngle;
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const { x: xAfter, xVelocity } = this.simulateTracking(action, "qpos", 0);
    const qpos = this.views.qpos;
    const forwardReward = this.forwardWeight * xVelocity;
    const healthy = this.isHealthy;
    const paid = healthy || (this.version === "v4" && this.terminateWhenUnhealthy);
    const healthyReward = paid ? this.healthyReward : 0;
    const ctrlCost = controlCost(this.ctrlWeight, action);
    const info: Record<string, unknown> = this.version === "v4"
      ? { x_position: xAfter, x_velocity: xVelocity }
      : {
        x_position: xAfter,
        z_distance_from_origin: qpos[1] - this.initQpos[1],
        x_velocity: xVelocity,
        reward_forward: forwardReward,
        reward_ctrl: -ctrlCost,
        reward_survive: healthyReward,
      };
    return {
      obs: this.observation(),
      reward: forwardReward + healthyReward - ctrlCost,
      terminated: !healthy && this.terminateWhenUnhealthy,
      truncated: false,
      info,
    };
  }

  /** `qpos = qpos0 + U(−s, s)`, then `qvel = 0 + U(−s, s)`. */
  protected resetModel(rng: Generator): Float64Array {
    return this.resetWithNoise(rng, this.#noise, "uniform");
  }

  /** `qpos[skip:]` then `clip(qvel, −10, 10)`. */
  protected observation(): Float64Array {
    return this.jointObservation(this.observationSpace.size, this.#skip, 10);
  }

  /** v5: `{ x_position, z_distance_from_origin }`. */
  protected override resetInfo(): Record<string, unknown> {
    if (this.version === "v4") return {};
    const qpos = this.views.qpos;
    return { x_position: qpos[0], z_distance_from_origin: qpos[1] - this.initQpos[1] };
  }
}
