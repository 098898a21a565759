/**
 * Walker2d-v4 / Walker2d-v5 (Gymnasium 1.3): walk forward without falling.
 *
 * | quantity          | definition                                                               |
 * | ----------------- | ------------------------------------------------------------------------ |
 * | `forward_reward`  | `forward_reward_weight · Δx / dt`, x = `qpos[0]`                         |
 * | `healthy_reward`  | `healthy_reward` while healthy (v4: also when unhealthy, if `terminate_when_unhealthy`) |
 * | `ctrl_cost`       | `ctrl_cost_weight · Σ aᵢ²` (weight 0.001)                                 |
 * | reward            | `forward_reward + healthy_reward − ctrl_cost`                            |
 * | healthy           | z = `qpos[1]` in (0.8, 2) and angle = `qpos[2]` in (−1, 1), open intervals |
 * | termination       | not healthy, when `terminate_when_unhealthy`; `makeEnv` truncates at 1000 |
 * | observation (17)  | `qpos[1:]` (8), `clip(qvel, −10, 10)` (9); 18 with x when not excluded   |
 * | reset             | `qpos = qpos0 + U(−s, s)`, `qvel = U(−s, s)`, s = `reset_noise_scale` (0.005) |
 *
 * Info: v4 `x_position`, `x_velocity`; v5 also `z_distance_from_origin`, `reward_forward`,
 * `reward_ctrl`, `reward_survive`, and a reset info. dt = 0.008 s (frame_skip 4 × 0.002 s). v5
 * simulates `walker2d_v5.xml`, in which both feet have friction 1.9 (v4: right foot 0.9). The
 * shared mechanics are in `planar_walker.ts`.
 *
 * @module
 */
import { PlanarWalkerEnv, type PlanarWalkerOptions } from "./planar_walker.ts";

/**
 * Options of Walker2d (Gymnasium's keyword arguments; `xml_file` and `frame_skip` are v5 only).
 *
 * @example
 * ```ts
 * import type { Walker2dOptions } from "./walker2d.ts";
 * const o: Walker2dOptions = { healthy_z_range: [0.7, 2.1] };
 * ```
 */
export type Walker2dOptions = PlanarWalkerOptions;

/**
 * Walker2d-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { Walker2dEnv } from "./walker2d.ts";
 * await loadMujoco();
 * const env = new Walker2dEnv("v4");
 * env.reset({ seed: 0 });
 * const { reward, terminated } = env.step(new Float64Array(6));
 * env.close();
 * ```
 */
export class Walker2dEnv extends PlanarWalkerEnv {
  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: Walker2dOptions = {}) {
    super(
      {
        name: "Walker2d",
        xml: { v4: "walker2d.xml", v5: "walker2d_v5.xml" },
        healthyZ: [0.8, 2],
        healthyAngle: [-1, 1],
      },
      version,
      options,
    );
  }
}
