/**
 * Hopper-v4 / Hopper-v5 (Gymnasium 1.3): hop forward without falling.
 *
 * | quantity          | definition                                                               |
 * | ----------------- | ------------------------------------------------------------------------ |
 * | `forward_reward`  | `forward_reward_weight · Δx / dt`, x = `qpos[0]`                         |
 * | `healthy_reward`  | `healthy_reward` while healthy (v4: also when unhealthy, if `terminate_when_unhealthy`) |
 * | `ctrl_cost`       | `ctrl_cost_weight · Σ aᵢ²` (weight 0.001)                                 |
 * | reward            | `forward_reward + healthy_reward − ctrl_cost`                            |
 * | healthy           | every element of `(qpos[2:], qvel)` in (−100, 100) (`healthy_state_range`), z = `qpos[1]` in (0.7, ∞), angle = `qpos[2]` in (−0.2, 0.2), all open intervals |
 * | termination       | not healthy, when `terminate_when_unhealthy`; `makeEnv` truncates at 1000 |
 * | observation (11)  | `qpos[1:]` (5), `clip(qvel, −10, 10)` (6); 12 with x when not excluded   |
 * | reset             | `qpos = qpos0 + U(−s, s)`, `qvel = U(−s, s)`, s = `reset_noise_scale` (0.005) |
 *
 * Info: v4 `x_position`, `x_velocity`; v5 also `z_distance_from_origin`, `reward_forward`,
 * `reward_ctrl`, `reward_survive`, and a reset info. dt = 0.008 s (frame_skip 4 × 0.002 s).
 * The shared mechanics are in `planar_walker.ts`.
 *
 * @module
 */
import { mujocoOptionChecks as c } from "./mujoco_env.ts";
import { PlanarWalkerEnv, type PlanarWalkerOptions } from "./planar_walker.ts";

/**
 * Options of Hopper (Gymnasium's keyword arguments; `xml_file` and `frame_skip` are v5 only).
 *
 * @example
 * ```ts
 * import type { HopperOptions } from "./hopper.ts";
 * const o: HopperOptions = { healthy_state_range: [-50, 50] };
 * ```
 */
export interface HopperOptions extends PlanarWalkerOptions {
  /** Open interval for `qpos[2:]` and `qvel` (default [-100, 100]). */
  healthy_state_range?: [number, number];
}

/**
 * Hopper-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { HopperEnv } from "./hopper.ts";
 * await loadMujoco();
 * const env = new HopperEnv("v4");
 * env.reset({ seed: 0 });
 * const { reward, terminated } = env.step(new Float64Array(3));
 * env.close();
 * ```
 */
export class HopperEnv extends PlanarWalkerEnv {
  readonly #stateRange: readonly [number, number];

  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: HopperOptions = {}) {
    super(
      {
        name: "Hopper",
        xml: { v4: "hopper.xml", v5: "hopper.xml" },
        healthyZ: [0.7, Infinity],
        healthyAngle: [-0.2, 0.2],
        extraOptions: { healthy_state_range: c.range },
      },
      version,
      options,
    );
    this.#stateRange = options.healthy_state_range ?? [-100, 100];
  }

  /** Height and angle in range, and every element of `(qpos[2:], qvel)` in the state range. */
  override get isHealthy(): boolean {
    const { qpos, qvel } = this.views;
    const [lo, hi] = this.#stateRange;
    for (let i = 2; i < qpos.length; i++) if (!(lo < qpos[i] && qpos[i] < hi)) return false;
    for (let i = 0; i < qvel.length; i++) if (!(lo < qvel[i] && qvel[i] < hi)) return false;
    return super.isHealthy;
  }
}
