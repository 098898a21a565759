/**
 * `dmc_Finger-spin-v1` (DeepMind Control Suite 1.0.44 `finger/spin`, through dmc2gym): spin the
 * free body on the hinge with the two-link finger, as fast as possible, clockwise.
 *
 * | quantity    | definition                                                                       |
 * | ----------- | -------------------------------------------------------------------------------- |
 * | reward      | 1 when the hinge velocity ≤ −15 rad/s, else 0 (sparse)                           |
 * | termination | never; truncated after 1000 steps (20 s)                                         |
 * | observation | `position`: proximal and distal angles, tip − spinner centre (x, z) (4); `velocity`: proximal, distal, hinge (3); `touch`: log1p of the touchtop and touchbottom sensors (2); all read from sensors |
 * | reset       | hinge damping 0.5 → 0.03 and the `target` and `tip` sites made invisible (alpha 0); proximal, distal ~ U(±110°) and hinge ~ U(±π) from the `RandomState`, redrawn (3 draws per attempt, at most 1000 attempts) until nothing touches; velocities 0 |
 *
 * Physics: time step 0.01 s, 2 physics steps per action (0.02 s). Actions: proximal and distal
 * motors in [−1, 1] (gears 30 and 15). Info: `discount` 1, `step_type`.
 *
 * @module
 */
import { log1p, type RandomState } from "../../np_random/mod.ts";
import { sharedArrayPool } from "../pool.ts";
import { DmcEnv, type DmcOptions } from "./dmc_env.ts";

/** Hinge velocity (rad/s) at or below which the body counts as spinning (`_SPIN_VELOCITY`). */
const SPIN_VELOCITY = 15;
/** Hinge damping during a spin episode (`Spin.initialize_episode`). */
const SPIN_HINGE_DAMPING = 0.03;
/** Attempts of `_set_random_joint_angles` before it gives up. */
const MAX_ATTEMPTS = 1000;

/**
 * `dmc_Finger-spin-v1` (see the module doc).
 *
 * @example
 * ```ts
 * import { loadMujoco } from "../mujoco/runtime.ts";
 * import { FingerSpinEnv } from "./finger.ts";
 * await loadMujoco();
 * const env = new FingerSpinEnv();
 * const { obs } = env.reset({ seed: 0 }); // Float64Array(9): position, velocity, touch
 * const { reward } = env.step(new Float32Array([1, -1]));
 * env.close();
 * ```
 */
export class FingerSpinEnv extends DmcEnv {
  readonly #sensor: Record<
    | "proximal"
    | "distal"
    | "tip"
    | "spinner"
    | "proximalVelocity"
    | "distalVelocity"
    | "hingeVelocity"
    | "touchtop"
    | "touchbottom",
    number
  >;
  readonly #hingeDof: number;
  readonly #invisibleSites: number[];

  /** Builds the env; unknown or malformed options are errors. */
  constructor(options: DmcOptions = {}) {
    super({
      id: "dmc_Finger-spin-v1",
      domain: "finger",
      task: "spin",
      xmlFile: "finger.xml",
      controlTimestep: 0.02,
      observationKeys: [
        { key: "position", size: 4 },
        { key: "velocity", size: 3 },
        { key: "touch", size: 2 },
      ],
      modelFields: ["dof_damping", "site_rgba"],
    }, options);
    const s = (name: string) => this.sensorAddress(name);
    this.#sensor = {
      proximal: s("proximal"),
      distal: s("distal"),
      tip: s("tip"),
      spinner: s("spinner"),
      proximalVelocity: s("proximal_velocity"),
      distalVelocity: s("distal_velocity"),
      hingeVelocity: s("hinge_velocity"),
      touchtop: s("touchtop"),
      touchbottom: s("touchbottom"),
    };
    this.#hingeDof = (this.model.jnt_dofadr as Int32Array)[this.elementId("mjOBJ_JOINT", "hinge")];
    this.#invisibleSites = ["target", "tip"].map((n) => this.elementId("mjOBJ_SITE", n));
  }

  /** `Spin.initialize_episode`: model fields, then `_set_random_joint_angles`. */
  protected initializeEpisode(random: RandomState): void {
    const rgba = this.model.site_rgba as Float32Array;
    for (const site of this.#invisibleSites) rgba[4 * site + 3] = 0;
    (this.model.dof_damping as Float64Array)[this.#hingeDof] = SPIN_HINGE_DAMPING;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.randomizeLimitedAndRotationalJoints(random);
      this.afterReset();
      if (this.ncon === 0) return;
    }
    throw new Error(
      `${this.id}: could not find a collision-free state after ${MAX_ATTEMPTS} attempts`,
    );
  }

  /** position (4), velocity (3), touch (2), from the sensors. */
  protected observation(): Float64Array {
    const d = this.views.sensordata, s = this.#sensor;
    const obs = sharedArrayPool.float64(9);
    obs[0] = d[s.proximal];
    obs[1] = d[s.distal];
    obs[2] = d[s.tip] - d[s.spinner];
    obs[3] = d[s.tip + 2] - d[s.spinner + 2];
    obs[4] = d[s.proximalVelocity];
    obs[5] = d[s.distalVelocity];
    obs[6] = d[s.hingeVelocity];
    obs[7] = log1p(d[s.touchtop]);
    obs[8] = log1p(d[s.touchbottom]);
    return obs;
  }

  /** 1 while the body spins at −15 rad/s or faster (clockwise), else 0. */
  protected reward(): number {
    return this.views.sensordata[this.#sensor.hingeVelocity] <= -SPIN_VELOCITY ? 1 : 0;
  }
}
