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
import type { Box } from "../spaces.ts";
import {
  checkMujocoOptions,
  MujocoEnv,
  observationBox,
  RUNNER_V4_OPTIONS,
  type RunnerOptions,
  withV5Options,
} from "./mujoco_env.ts";
import { controlCost } from "./reductions.ts";

/**
 * Options of HalfCheetah (Gymnasium's keyword arguments; `xml_file` and `frame_skip` are v5 only):
 * `forward_reward_weight` (1), `ctrl_cost_weight` (0.1), `reset_noise_scale` (0.1),
 * `exclude_current_positions_from_observation` (true).
 *
 * @example
 * ```ts
 * import type { HalfCheetahOptions } from "./half_cheetah.ts";
 * const o: HalfCheetahOptions = { ctrl_cost_weight: 0.05 };
 * ```
 */
export type HalfCheetahOptions = RunnerOptions;

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
    checkMujocoOptions(
      id,
      options,
      version === "v4" ? RUNNER_V4_OPTIONS : withV5Options(RUNNER_V4_OPTIONS),
    );
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
    const { x: xAfter, xVelocity } = this.simulateTracking(action, "qpos", 0);
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
    return this.resetWithNoise(rng, this.#noise, "normal");
  }

  /** `qpos[skip:]` then `qvel`. */
  protected observation(): Float64Array {
    return this.jointObservation(this.observationSpace.size, this.#skip);
  }

  /** v5: `{ x_position }`. */
  protected override resetInfo(): Record<string, unknown> {
    return this.version === "v4" ? {} : { x_position: this.views.qpos[0] };
  }
}
