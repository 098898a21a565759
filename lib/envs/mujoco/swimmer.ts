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
import { planarPositionInfo, type RunnerOptions } from "./mujoco_env.ts";
import { RunnerEnv, type RunnerStep } from "./runner.ts";

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
export class SwimmerEnv extends RunnerEnv {
  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: SwimmerOptions = {}) {
    super(
      {
        name: "Swimmer",
        xml: "swimmer.xml",
        frameSkip: 4,
        ctrlCostWeight: 1e-4,
        rootPositions: 2,
        velocityNoise: "uniform",
      },
      version,
      options,
    );
  }

  /** The positions, distance and velocities, the forward reward and `reward_ctrl`. */
  protected stepInfo(step: RunnerStep): Record<string, unknown> {
    const { forwardReward, ctrlCost } = step;
    const positions = {
      ...planarPositionInfo(step.x, step.y),
      x_velocity: step.xVelocity,
      y_velocity: step.yVelocity,
    };
    return this.version === "v4"
      ? {
        reward_fwd: forwardReward,
        reward_ctrl: -ctrlCost,
        ...positions,
        forward_reward: forwardReward,
      }
      : { ...positions, reward_forward: forwardReward, reward_ctrl: -ctrlCost };
  }

  /** v5: `{ x_position, y_position, distance_from_origin }`. */
  protected override resetInfo(): Record<string, unknown> {
    if (this.version === "v4") return {};
    const [x, y] = this.views.qpos;
    return planarPositionInfo(x, y);
  }
}
