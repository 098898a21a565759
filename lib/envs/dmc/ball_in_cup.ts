/**
 * `dmc_Ball_in_cup-catch-v1` (DeepMind Control Suite 1.0.44 `ball_in_cup/catch`, through
 * dmc2gym): swing the ball on its string into the cup by moving the cup in the plane.
 *
 * | quantity    | definition                                                                       |
 * | ----------- | -------------------------------------------------------------------------------- |
 * | reward      | 1 while the ball is in the cup, else 0 (sparse): abs(target − ball) < target half-size − ball radius in x and z, with the cup's `target` site (a box) and the ball body's position |
 * | termination | never; truncated after 1000 steps (20 s)                                         |
 * | observation | `position`: qpos (cup x, cup z, ball x, ball z) (4); `velocity`: qvel (4)        |
 * | reset       | ball x ~ U(−0.2, 0.2), then ball z ~ U(0.2, 0.5) from the `RandomState`, redrawn (at most 1000 attempts) until nothing touches; the cup at rest at 0; velocities 0; no model field changes |
 *
 * Physics: time step 0.002 s, 10 physics steps per action (0.02 s). Actions: cup x and z motors
 * in [−1, 1] (gear 5). Info: `discount` 1, `step_type`.
 *
 * @module
 */
import type { RandomState } from "../../np_random/mod.ts";
import { sharedArrayPool } from "../pool.ts";
import { DmcEnv, type DmcOptions } from "./dmc_env.ts";

/** Attempts at a collision-free ball position before giving up (dm_control tries forever). */
const MAX_ATTEMPTS = 1000;

/**
 * `dmc_Ball_in_cup-catch-v1` (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "../mujoco/runtime.ts";
 * import { BallInCupCatchEnv } from "./ball_in_cup.ts";
 * await loadMujoco();
 * const env = new BallInCupCatchEnv();
 * const { obs } = env.reset({ seed: 0 }); // Float64Array(8): qpos, qvel
 * const { reward } = env.step(new Float32Array([0, 1]));
 * env.close();
 * ```
 */
export class BallInCupCatchEnv extends DmcEnv {
  readonly #ballX: number;
  readonly #ballZ: number;
  readonly #ball: number;
  readonly #target: number;
  /** Largest |target − ball| (x, z) with the ball inside: half-size minus ball radius. */
  readonly #slack: [number, number];

  /** Builds the env; unknown or malformed options are errors. */
  constructor(options: DmcOptions = {}) {
    super({
      id: "dmc_Ball_in_cup-catch-v1",
      domain: "ball_in_cup",
      task: "catch",
      xmlFile: "ball_in_cup.xml",
      controlTimestep: 0.02,
      observationKeys: [{ key: "position", size: 4 }, { key: "velocity", size: 4 }],
      modelFields: [],
    }, options);
    this.#ballX = this.jointQposAddress("ball_x");
    this.#ballZ = this.jointQposAddress("ball_z");
    this.#ball = this.elementId("mjOBJ_BODY", "ball");
    this.#target = this.elementId("mjOBJ_SITE", "target");
    const siteSize = this.model.site_size as Float64Array;
    const radius = (this.model.geom_size as Float64Array)[3 * this.elementId("mjOBJ_GEOM", "ball")];
    this.#slack = [siteSize[3 * this.#target] - radius, siteSize[3 * this.#target + 2] - radius];
  }

  /** `BallInCup.initialize_episode`: a random collision-free ball position. */
  protected initializeEpisode(random: RandomState): void {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const qpos = this.views.qpos;
      qpos[this.#ballX] = random.uniform(-0.2, 0.2);
      qpos[this.#ballZ] = random.uniform(0.2, 0.5);
      this.afterReset();
      if (this.ncon === 0) return;
    }
    throw new Error(
      `${this.id}: could not find a collision-free ball position after ${MAX_ATTEMPTS} attempts`,
    );
  }

  /** position = qpos (4), velocity = qvel (4). */
  protected observation(): Float64Array {
    const { qpos, qvel } = this.views;
    const obs = sharedArrayPool.float64(8);
    obs.set(qpos);
    obs.set(qvel, 4);
    return obs;
  }

  /** 1 while the ball is inside the cup's target box, else 0. */
  protected reward(): number {
    const { xpos, siteXpos } = this.views;
    const t = 3 * this.#target, b = 3 * this.#ball;
    const dx = Math.abs(siteXpos[t] - xpos[b]), dz = Math.abs(siteXpos[t + 2] - xpos[b + 2]);
    return dx < this.#slack[0] && dz < this.#slack[1] ? 1 : 0;
  }
}
