/**
 * Reacher-v4 / Reacher-v5 (Gymnasium 1.3): move the arm's fingertip to a random target.
 *
 * | quantity       | definition                                                                |
 * | -------------- | ------------------------------------------------------------------------- |
 * | `reward_dist`  | `−reward_dist_weight · ‖fingertip − target‖` (body positions, 3-D)        |
 * | `reward_ctrl`  | `−reward_control_weight · Σ aᵢ²`                                           |
 * | reward         | `reward_dist + reward_ctrl`                                               |
 * | termination    | never; `makeEnv` truncates at 50 steps                                    |
 * | observation    | `cos qpos[0:2]`, `sin qpos[0:2]`, `qpos[2:]` (target), `qvel[0:2]`, `fingertip − target`: x, y, z in v4 (11), x, y in v5 (10) |
 * | reset          | `qpos = U(−0.1, 0.1) + qpos0`; target (x, y) ~ U(−0.2, 0.2)², redrawn until ‖·‖ < 0.2, into `qpos[2:4]`; `qvel = U(−0.005, 0.005)` with the target's two set to 0 |
 *
 * v4 computes the reward *before* simulating (from the body positions of the previous step's
 * last forward pass) and has no options; v5 computes it after simulating and takes
 * `reward_dist_weight`, `reward_control_weight` (both 1), `xml_file` and `frame_skip`. Info:
 * `reward_dist`, `reward_ctrl`. dt = 0.02 s (frame_skip 2 × 0.01 s).
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import type { StepResult } from "../env.ts";
import { sharedArrayPool } from "../pool.ts";
import type { Box } from "../spaces.ts";
import {
  bodyId,
  checkMujocoOptions,
  type MujocoBaseOptions,
  MujocoEnv,
  mujocoOptionChecks as c,
  observationBox,
} from "./mujoco_env.ts";
import { controlCost } from "./reductions.ts";

/**
 * Options of Reacher-v5 (v4 takes none).
 *
 * @example
 * ```ts
 * import type { ReacherOptions } from "./reacher.ts";
 * const o: ReacherOptions = { reward_control_weight: 0.1 };
 * ```
 */
export interface ReacherOptions extends MujocoBaseOptions {
  /** Weight of the distance term (default 1). */
  reward_dist_weight?: number;
  /** Weight of the control term (default 1). */
  reward_control_weight?: number;
}

const V5_OPTIONS = {
  xml_file: c.file,
  frame_skip: c.positiveInteger,
  reward_dist_weight: c.number,
  reward_control_weight: c.number,
};

/**
 * Reacher-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { ReacherEnv } from "./reacher.ts";
 * await loadMujoco();
 * const env = new ReacherEnv("v5");
 * env.reset({ seed: 0 });
 * env.step(new Float64Array(2)).info.reward_dist; // −distance to the target
 * env.close();
 * ```
 */
export class ReacherEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (11,), float64) in v4, (10,) in v5. */
  readonly observationSpace: Box;
  readonly #distWeight: number;
  readonly #ctrlWeight: number;
  readonly #fingertip: number;
  readonly #target: number;

  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: ReacherOptions = {}) {
    const id = `Reacher-${version}`;
    checkMujocoOptions(id, options, version === "v4" ? {} : V5_OPTIONS);
    super(id, options.xml_file ?? "reacher.xml", options.frame_skip ?? 2);
    this.version = version;
    this.#distWeight = options.reward_dist_weight ?? 1;
    this.#ctrlWeight = options.reward_control_weight ?? 1;
    this.#fingertip = bodyId(this, "fingertip");
    this.#target = bodyId(this, "target");
    this.observationSpace = observationBox(version === "v4" ? 11 : 10);
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    let rewardDist: number, rewardCtrl: number;
    if (this.version === "v4") {
      rewardDist = -this.#distance();
      rewardCtrl = -controlCost(1, action);
      this.doSimulation(action);
    } else {
      this.doSimulation(action);
      rewardDist = -this.#distance() * this.#distWeight;
      rewardCtrl = action instanceof Float32Array
        ? Math.fround(-controlCost(1, action) * Math.fround(this.#ctrlWeight))
        : -controlCost(1, action) * this.#ctrlWeight;
    }
    return {
      obs: this.observation(),
      reward: rewardDist + rewardCtrl,
      terminated: false,
      truncated: false,
      info: { reward_dist: rewardDist, reward_ctrl: rewardCtrl },
    };
  }

  /** The reset of the module doc. */
  protected resetModel(rng: Generator): Float64Array {
    const qpos = this.initQpos.map((q) => rng.uniform(-0.1, 0.1) + q);
    let gx: number, gy: number;
    do {
      gx = rng.uniform(-0.2, 0.2);
      gy = rng.uniform(-0.2, 0.2);
    } while (!(Math.sqrt(gx * gx + gy * gy) < 0.2));
    qpos[this.nq - 2] = gx;
    qpos[this.nq - 1] = gy;
    const qvel = this.initQvel.map((v) => v + rng.uniform(-0.005, 0.005));
    qvel[this.nv - 2] = 0;
    qvel[this.nv - 1] = 0;
    return this.setPhysicalState(qpos, qvel);
  }

  /** cos, sin of the arm angles, target position, arm velocities, fingertip − target. */
  protected observation(): Float64Array {
    const { qpos, qvel, xpos } = this.views;
    const obs = sharedArrayPool.float64(this.observationSpace.size);
    obs[0] = Math.cos(qpos[0]);
    obs[1] = Math.cos(qpos[1]);
    obs[2] = Math.sin(qpos[0]);
    obs[3] = Math.sin(qpos[1]);
    let k = 4;
    for (let i = 2; i < qpos.length; i++) obs[k++] = qpos[i];
    obs[k++] = qvel[0];
    obs[k++] = qvel[1];
    const f = 3 * this.#fingertip, t = 3 * this.#target;
    const dims = this.version === "v4" ? 3 : 2;
    for (let d = 0; d < dims; d++) obs[k++] = xpos[f + d] - xpos[t + d];
    return obs;
  }

  /** ‖fingertip − target‖ from the body positions of the last forward pass. */
  #distance(): number {
    const xpos = this.views.xpos;
    const f = 3 * this.#fingertip, t = 3 * this.#target;
    const dx = xpos[f] - xpos[t], dy = xpos[f + 1] - xpos[t + 1], dz = xpos[f + 2] - xpos[t + 2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}
