/**
 * Swimmer-v4 / Swimmer-v5 (Gymnasium 1.3): swim forward through a viscous fluid.
 *
 * | quantity          | definition                                                              |
 * | ----------------- | ----------------------------------------------------------------------- |
 * | `forward_reward`  | `forward_reward_weight · Δx / dt`, (x, y) = `qpos[0:2]`                 |
 * | `ctrl_cost`       | `ctrl_cost_weight · Σ aᵢ²` (weight 1e-4)                                 |
 * | reward            | `forward_reward − ctrl_cost`                                            |
 * | termination       | never; `makeEnv` truncates at 1000 steps                                |
 * | observation (8)   | `qpos[2:]` (3), `qvel` (5); 10 with x, y when not excluded              |
 * | reset             | `qpos = qpos0 + U(−s, s)`, `qvel = U(−s, s)`, s = `reset_noise_scale` (0.1) |
 *
 * Info: `x_position`, `y_position`, `distance_from_origin` (‖(x, y)‖), `x_velocity`, `y_velocity`,
 * `reward_ctrl` (= −ctrl_cost) and the forward reward, as `reward_fwd` and `forward_reward` (v4)
 * or `reward_forward` (v5); v5's reset info has the positions and the distance. dt = 0.04 s
 * (frame_skip 4 × 0.01 s).
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
 * Options of Swimmer (Gymnasium's keyword arguments; `xml_file` and `frame_skip` are v5 only):
 * `forward_reward_weight` (1), `ctrl_cost_weight` (1e-4), `reset_noise_scale` (0.1),
 * `exclude_current_positions_from_observation` (true: leaves x and y out).
 *
 * @example
 * ```ts
 * import type { SwimmerOptions } from "./swimmer.ts";
 * const o: SwimmerOptions = { ctrl_cost_weight: 0 };
 * ```
 */
export type SwimmerOptions = RunnerOptions;

/**
 * Swimmer-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { SwimmerEnv } from "./swimmer.ts";
 * await loadMujoco();
 * const env = new SwimmerEnv("v5");
 * env.reset({ seed: 0 });
 * env.step(new Float64Array([1, -1])).info.x_velocity;
 * env.close();
 * ```
 */
export class SwimmerEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (8,), float64), or 10 with x, y. */
  readonly observationSpace: Box;
  readonly #forwardWeight: number;
  readonly #ctrlWeight: number;
  readonly #noise: number;
  readonly #skip: number;

  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: SwimmerOptions = {}) {
    const id = `Swimmer-${version}`;
    checkMujocoOptions(
      id,
      options,
      version === "v4" ? RUNNER_V4_OPTIONS : withV5Options(RUNNER_V4_OPTIONS),
    );
    super(id, options.xml_file ?? "swimmer.xml", options.frame_skip ?? 4);
    this.version = version;
    this.#forwardWeight = options.forward_reward_weight ?? 1;
    this.#ctrlWeight = options.ctrl_cost_weight ?? 1e-4;
    this.#noise = options.reset_noise_scale ?? 0.1;
    this.#skip = (options.exclude_current_positions_from_observation ?? true) ? 2 : 0;
    this.observationSpace = observationBox(this.nq + this.nv - this.#skip);
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const { x, y, xVelocity, yVelocity } = this.simulateTracking(action, "qpos", 0);
    const forwardReward = this.#forwardWeight * xVelocity;
    const ctrlCost = controlCost(this.#ctrlWeight, action);
    const positions = {
      x_position: x,
      y_position: y,
      distance_from_origin: Math.sqrt(x * x + y * y),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
    };
    const info: Record<string, unknown> = this.version === "v4"
      ? {
        reward_fwd: forwardReward,
        reward_ctrl: -ctrlCost,
        ...positions,
        forward_reward: forwardReward,
      }
      : { ...positions, reward_forward: forwardReward, reward_ctrl: -ctrlCost };
    return {
      obs: this.observation(),
      reward: forwardReward - ctrlCost,
      terminated: false,
      truncated: false,
      info,
    };
  }

  /** `qpos = qpos0 + U(−s, s)`, then `qvel = 0 + U(−s, s)`. */
  protected resetModel(rng: Generator): Float64Array {
    return this.resetWithNoise(rng, this.#noise, "uniform");
  }

  /** `qpos[skip:]` then `qvel`. */
  protected observation(): Float64Array {
    return this.jointObservation(this.observationSpace.size, this.#skip);
  }

  /** v5: `{ x_position, y_position, distance_from_origin }`. */
  protected override resetInfo(): Record<string, unknown> {
    if (this.version === "v4") return {};
    const [x, y] = this.views.qpos;
    return { x_position: x, y_position: y, distance_from_origin: Math.sqrt(x * x + y * y) };
  }
}
