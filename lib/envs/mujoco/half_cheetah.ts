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
import type { RunnerOptions } from "./mujoco_env.ts";
import { RunnerEnv, type RunnerStep } from "./runner.ts";

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
export class HalfCheetahEnv extends RunnerEnv {
  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: HalfCheetahOptions = {}) {
    super(
      {
        name: "HalfCheetah",
        xml: "half_cheetah.xml",
        frameSkip: 5,
        ctrlCostWeight: 0.1,
        rootPositions: 1,
        velocityNoise: "normal",
      },
      version,
      options,
    );
  }

  /** `x_position`, `x_velocity`, the forward reward (v4 `reward_run`), `reward_ctrl`. */
  protected stepInfo(
    { x, xVelocity, forwardReward, ctrlCost }: RunnerStep,
  ): Record<string, unknown> {
    const info: Record<string, unknown> = { x_position: x, x_velocity: xVelocity };
    info[this.version === "v4" ? "reward_run" : "reward_forward"] = forwardReward;
    info.reward_ctrl = -ctrlCost;
    return info;
  }

  /** v5: `{ x_position }`. */
  protected override resetInfo(): Record<string, unknown> {
    return this.version === "v4" ? {} : { x_position: this.views.qpos[0] };
  }
}
