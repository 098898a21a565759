/**
 * Ant-v4 / Ant-v5 (Gymnasium 1.3): a quadruped runs forward without flipping or jumping too high.
 *
 * | quantity          | definition                                                              |
 * | ----------------- | ----------------------------------------------------------------------- |
 * | `forward_reward`  | `forward_reward_weight · Δx / dt` of the main body (v4: the torso, weight 1) |
 * | `healthy_reward`  | `healthy_reward` while healthy (v4: also when unhealthy, if `terminate_when_unhealthy`) |
 * | `ctrl_cost`       | `ctrl_cost_weight · Σ aᵢ²` (weight 0.5)                                  |
 * | `contact_cost`    | `contact_cost_weight · Σ clip(cfrc_ext, contact_force_range)²` over all bodies (weight 5e-4); v4 only with `use_contact_forces` |
 * | reward            | `forward_reward + healthy_reward − (ctrl_cost + contact_cost)`           |
 * | healthy           | `qpos`, `qvel` finite and z = `qpos[2]` in [0.2, 1] (`healthy_z_range`, closed) |
 * | termination       | not healthy, when `terminate_when_unhealthy`; `makeEnv` truncates at 1000 |
 * | observation       | `qpos[2:]` (13), `qvel` (14), then the clipped contact forces: v4 with `use_contact_forces` all 14 bodies × 6 (111 in all, v3's observation), v5 with `include_cfrc_ext_in_observation` (default) bodies 1..13 (105); 27 without; +2 with x, y |
 * | reset             | `qpos = qpos0 + U(−s, s)`, `qvel = s · N(0, 1)`, s = `reset_noise_scale` (0.1) |
 *
 * The contact forces `cfrc_ext` are those `mj_rnePostConstraint` computes after the last
 * simulation step. Info: `reward_forward`, `reward_ctrl`, `reward_survive`, `x_position`,
 * `y_position`, `distance_from_origin`, `x_velocity`, `y_velocity`; v4 also `forward_reward` and,
 * as Gymnasium 1.3 does, reports `reward_ctrl = −contact_cost` when `use_contact_forces`; v4's
 * positions are the torso's, v5's are `qpos[0:2]`; v5 also `reward_contact` and a reset info with
 * the positions and the distance. dt = 0.05 s (frame_skip 5 × 0.01 s).
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import type { StepResult } from "../env.ts";
import type { Box } from "../spaces.ts";
import {
  bodyId,
  checkMujocoOptions,
  type MujocoBaseOptions,
  MujocoEnv,
  mujocoOptionChecks as c,
  observationBox,
  planarPositionInfo,
} from "./mujoco_env.ts";
import { controlCost, sumOfSquares } from "./reductions.ts";

/**
 * Options of Ant (Gymnasium's keyword arguments; see the module doc for which version has which).
 *
 * @example
 * ```ts
 * import type { AntOptions } from "./ant.ts";
 * const v3Observation: AntOptions = { use_contact_forces: true }; // Ant-v4, 111 dims
 * ```
 */
export interface AntOptions extends MujocoBaseOptions {
  /** v5: weight of the forward reward (default 1). */
  forward_reward_weight?: number;
  /** Weight of the control cost (default 0.5). */
  ctrl_cost_weight?: number;
  /** v4: observe the contact forces and pay the contact cost (default false). */
  use_contact_forces?: boolean;
  /** Weight of the contact cost (default 5e-4). */
  contact_cost_weight?: number;
  /** Reward per healthy step (default 1). */
  healthy_reward?: number;
  /** v5: the body whose displacement is rewarded, by id or name (default 1, the torso). */
  main_body?: number | string;
  /** End the episode when unhealthy (default true). */
  terminate_when_unhealthy?: boolean;
  /** Closed interval for the torso height (default [0.2, 1]). */
  healthy_z_range?: [number, number];
  /** Clip range of the contact forces (default [-1, 1]). */
  contact_force_range?: [number, number];
  /** Scale of the initial-state noise (default 0.1). */
  reset_noise_scale?: number;
  /** Leave x and y out of the observation (default true). */
  exclude_current_positions_from_observation?: boolean;
  /** v5: observe the contact forces of bodies 1.. (default true). */
  include_cfrc_ext_in_observation?: boolean;
}

const COMMON = {
  xml_file: c.file,
  ctrl_cost_weight: c.number,
  contact_cost_weight: c.number,
  healthy_reward: c.number,
  terminate_when_unhealthy: c.boolean,
  healthy_z_range: c.range,
  contact_force_range: c.range,
  reset_noise_scale: c.number,
  exclude_current_positions_from_observation: c.boolean,
};
const V4_OPTIONS = { ...COMMON, use_contact_forces: c.boolean };
const V5_OPTIONS = {
  ...COMMON,
  frame_skip: c.positiveInteger,
  forward_reward_weight: c.number,
  main_body: (v: unknown) =>
    (Number.isSafeInteger(v) && (v as number) >= 0) || (typeof v === "string" && v.length > 0)
      ? null
      : "must be a body id (non-negative integer) or a body name",
  include_cfrc_ext_in_observation: c.boolean,
};

/**
 * Ant-v4 or -v5 (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { AntEnv } from "./ant.ts";
 * await loadMujoco();
 * const env = new AntEnv("v4", { use_contact_forces: true });
 * env.observationSpace.size; // 111
 * env.reset({ seed: 0 });
 * env.step(new Float64Array(8));
 * env.close();
 * ```
 */
export class AntEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (n,), float64), n as in the module doc. */
  readonly observationSpace: Box;
  readonly #forwardWeight: number;
  readonly #ctrlWeight: number;
  readonly #contactWeight: number;
  readonly #healthyReward: number;
  readonly #terminate: boolean;
  readonly #z: readonly [number, number];
  readonly #force: readonly [number, number];
  readonly #noise: number;
  readonly #skip: number;
  /** Contact forces: observed from this body on (v4: 0, v5: 1), or −1 when not observed. */
  readonly #forcesFrom: number;
  /** Whether the contact cost is paid (always in v5). */
  readonly #payContact: boolean;
  readonly #mainBody: number;
  /** Clipped `cfrc_ext` of the current step. */
  readonly #clipped: Float64Array;

  /** Builds the env; unknown or malformed options are errors. */
  constructor(version: "v4" | "v5" = "v5", options: AntOptions = {}) {
    const id = `Ant-${version}`;
    checkMujocoOptions(id, options, version === "v4" ? V4_OPTIONS : V5_OPTIONS);
    super(id, options.xml_file ?? "ant.xml", options.frame_skip ?? 5);
    this.version = version;
    this.#forwardWeight = options.forward_reward_weight ?? 1;
    this.#ctrlWeight = options.ctrl_cost_weight ?? 0.5;
    this.#contactWeight = options.contact_cost_weight ?? 5e-4;
    this.#healthyReward = options.healthy_reward ?? 1;
    this.#terminate = options.terminate_when_unhealthy ?? true;
    this.#z = options.healthy_z_range ?? [0.2, 1];
    this.#force = options.contact_force_range ?? [-1, 1];
    this.#noise = options.reset_noise_scale ?? 0.1;
    this.#skip = (options.exclude_current_positions_from_observation ?? true) ? 2 : 0;
    if (version === "v4") {
      this.#payContact = options.use_contact_forces ?? false;
      this.#forcesFrom = this.#payContact ? 0 : -1;
      this.#mainBody = bodyId(this, "torso");
    } else {
      this.#payContact = true;
      this.#forcesFrom = (options.include_cfrc_ext_in_observation ?? true) ? 1 : -1;
      this.#mainBody = bodyId(this, options.main_body ?? 1);
    }
    this.#clipped = new Float64Array(6 * this.nbody);
    const forces = this.#forcesFrom < 0 ? 0 : 6 * (this.nbody - this.#forcesFrom);
    this.observationSpace = observationBox(this.nq + this.nv - this.#skip + forces);
  }

  /** `qpos`, `qvel` finite and z = `qpos[2]` in the closed healthy range. */
  get isHealthy(): boolean {
    const { qpos, qvel } = this.views;
    for (let i = 0; i < qpos.length; i++) if (!Number.isFinite(qpos[i])) return false;
    for (let i = 0; i < qvel.length; i++) if (!Number.isFinite(qvel[i])) return false;
    return this.#z[0] <= qpos[2] && qpos[2] <= this.#z[1];
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const { x: xAfter, y: yAfter, xVelocity, yVelocity } = this.simulateTracking(
      action,
      "xpos",
      3 * this.#mainBody,
    );
    this.#clipForces();
    const healthy = this.isHealthy;
    const forwardReward = xVelocity * this.#forwardWeight;
    const paid = healthy || (this.version === "v4" && this.#terminate);
    const healthyReward = paid ? this.#healthyReward : 0;
    const ctrlCost = controlCost(this.#ctrlWeight, action);
    const contactCost = this.#payContact ? this.#contactWeight * sumOfSquares(this.#clipped) : 0;
    const reward = forwardReward + healthyReward - (ctrlCost + contactCost);
    const terminated = !healthy && this.#terminate;
    const obs = this.observation();
    let info: Record<string, unknown>;
    if (this.version === "v4") {
      info = {
        reward_forward: forwardReward,
        reward_ctrl: this.#payContact ? -contactCost : -ctrlCost,
        reward_survive: healthyReward,
        ...planarPositionInfo(xAfter, yAfter),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
        forward_reward: forwardReward,
      };
    } else {
      info = {
        ...this.resetInfo(),
        x_velocity: xVelocity,
        y_velocity: yVelocity,
        reward_forward: forwardReward,
        reward_ctrl: -ctrlCost,
        reward_contact: -contactCost,
        reward_survive: healthyReward,
      };
    }
    return { obs, reward, terminated, truncated: false, info };
  }

  /** `qpos = qpos0 + U(−s, s)`, `qvel = 0 + s · N(0, 1)`. */
  protected resetModel(rng: Generator): Float64Array {
    return this.resetWithNoise(rng, this.#noise, "normal");
  }

  /** `qpos[skip:]`, `qvel`, then the clipped contact forces when observed. */
  protected observation(): Float64Array {
    const obs = this.jointObservation(this.observationSpace.size, this.#skip);
    if (this.#forcesFrom >= 0) {
      this.#clipForces();
      obs.set(this.#clipped.subarray(6 * this.#forcesFrom), this.nq - this.#skip + this.nv);
    }
    return obs;
  }

  /** v5: `{ x_position, y_position, distance_from_origin }` from `qpos[0:2]`. */
  protected override resetInfo(): Record<string, unknown> {
    if (this.version === "v4") return {};
    const [x, y] = this.views.qpos;
    return planarPositionInfo(x, y);
  }

  /** `clip(cfrc_ext, contact_force_range)` into `#clipped`. */
  #clipForces(): void {
    const raw = this.views.cfrcExt, out = this.#clipped;
    const [lo, hi] = this.#force;
    for (let i = 0; i < out.length; i++) {
      const f = raw[i];
      out[i] = f < lo ? lo : f > hi ? hi : f;
    }
  }
}
