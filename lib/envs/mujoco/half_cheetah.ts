/**
 * HalfCheetah-v4 / HalfCheetah-v5 (Gymnasium 1.3): run forward.
 *
 * | quantity          | definition                                                        |
 * | ----------------- | ----------------------------------------------------------------- |
 * | `forward_reward`  | `forward_reward_weight · Δx / dt`, x = `qpos[0]` (rootx)          |
 * | `ctrl_cost`       | `ctrl_cost_weight · Σ aᵢ²`                                         |
 * | reward            | `forward_reward − ctrl_cost`                                      |
 * | termination       | never; `makeEnv` truncates at 1000 steps                          |
 * | observation (17)  | `qpos[1:]` (8), `qvel` (9); 18 with x when not excluded           |
 * | reset             | `qpos = qpos0 + U(−s, s)`, `qvel = s · N(0, 1)`, s = `reset_noise_scale` |
 *
 * Info: `x_position`, `x_velocity`, `reward_ctrl` (= −ctrl_cost) and the forward reward as
 * `reward_run` (v4) or `reward_forward` (v5); v5's reset info has `x_position`. dt = 0.05 s
 * (frame_skip 5 × 0.01 s).
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import type { StepResult } from "../env.ts";
import { sharedArrayPool } from "../pool.ts";
import type { Box } from "../spaces.ts";
import {
  checkMujocoOptions,
  type MujocoBaseOptions,
  MujocoEnv,
  mujocoOptionChecks as c,
  observationBox,
} from "./mujoco_env.ts";
import { controlCost } from "./reductions.ts";

/**
 * Options of HalfCheetah (Gymnasium's keyword arguments; `xml_file` and `frame_skip` are v5 only).
 *
 * @example
 * ```ts
 * import type { HalfCheetahOptions } from "./half_cheetah.ts";
 * const o: HalfCheetahOptions = { ctrl_cost_weight: 0.05 };
 * ```
 */
export interface HalfCheetahOptions extends MujocoBaseOptions {
  /** Weight of the forward reward (default 1). */
  forward_reward_weight?: number;
  /** Weight of the control cost (default 0.1). */
  ctrl_cost_weight?: number;
  /** Scale of the initial-state noise (default 0.1). */
  reset_noise_scale?: number;
  /** Leave rootx out of the observation (default true). */
  exclude_current_positions_from_observation?: boolean;
}

const V4_OPTIONS = {
  forward_reward_weight: c.number,
  ctrl_cost_weight: c.number,
  reset_noise_scale: c.number,
  exclude_current_positions_from_observation: c.boolean,
};
const V5_OPTIONS = { ...V4_OPTIONS, xml_file: c.file, frame_skip: c.positiveInteger };

/**
 * HalfCheetah-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { HalfCheetahEnv } from "./half_cheetah.ts";
 * await loadMujoco();
 * const env = new HalfCheetahEnv("v5");
 * env.reset({ seed: 0 });
 * const { reward, info } = env.step(new Float64Array(6));
 * info.x_velocity; // Δx / 0.05
 * env.close();
 * ```
 */
export class HalfCheetahEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (17,), float64), or 18 with x. */
  readonly observationSpace: Box;
  readonly #forwardWeight: number;
  readonly #ctrlWeight: number;
  readonly #noise: number;
  readonly #skip: number;

  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: HalfCheetahOptions = {}) {
    const id = `HalfCheetah-${version}`;
    checkMujocoOptions(id, options, version === "v4" ? V4_OPTIONS : V5_OPTIONS);
    super(id, options.xml_file ?? "half_cheetah.xml", options.frame_skip ?? 5);
    this.version = version;
    this.#forwardWeight = options.forward_reward_weight ?? 1;
    this.#ctrlWeight = options.ctrl_cost_weight ?? 0.1;
    this.#noise = options.reset_noise_scale ?? 0.1;
    this.#skip = (options.exclude_current_positions_from_observation ?? true) ? 1 : 0;
    this.observationSpace = observationBox(this.nq + this.nv - this.#skip);
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const xBefore = this.views.qpos[0];
    this.doSimulation(action);
    const xAfter = this.views.qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forwardReward = this.#forwardWeight * xVelocity;
    const ctrlCost = controlCost(this.#ctrlWeight, action);
    const info: Record<string, unknown> = { x_position: xAfter, x_velocity: xVelocity };
    info[this.version === "v4" ? "reward_run" : "reward_forward"] = forwardReward;
    info.reward_ctrl = -ctrlCost;
    return {
      obs: this.observation(),
      reward: forwardReward - ctrlCost,
      terminated: false,
      truncated: false,
      info,
    };
  }

  /** `qpos = qpos0 + U(−s, s)`, `qvel = 0 + s · N(0, 1)`. */
  protected resetModel(rng: Generator): Float64Array {
    const s = this.#noise;
    const qpos = this.initQpos.map((q) => q + rng.uniform(-s, s));
    const qvel = this.initQvel.map((v) => v + s * rng.standardNormal());
    return this.setPhysicalState(qpos, qvel);
  }

  /** `qpos[skip:]` then `qvel`. */
  protected observation(): Float64Array {
    const { qpos, qvel } = this.views;
    const obs = sharedArrayPool.float64(this.observationSpace.size);
    obs.set(this.#skip ? qpos.subarray(this.#skip) : qpos);
    obs.set(qvel, this.nq - this.#skip);
    return obs;
  }

  /** v5: `{ x_position }`. */
  protected override resetInfo(): Record<string, unknown> {
    return this.version === "v4" ? {} : { x_position: this.views.qpos[0] };
  }
}
