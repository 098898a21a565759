/**
 * `Pendulum-v1`: Gymnasium 1.3's inverted-pendulum swing-up, reproduced to the bit pattern of its
 * NumPy 2 arithmetic.
 *
 * Dynamics (g = 10, m = l = 1, dt = 0.05, max speed 8, max torque 2), with u = clip(a, −2, 2):
 *
 *     θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m l²)·u)·dt, −8, 8),   θ' = θ + θ̇'·dt
 *     r  = −(norm(θ)² + 0.1·θ̇² + 0.001·u²),   norm(θ) = ((θ + π) mod 2π) − π
 *     obs = [cos θ', sin θ', θ̇'] as float32
 *
 * The state (θ, θ̇) is float64. NumPy promotion rules matter for the action terms: with a float32
 * action (a `Float32Array`, as SB3 passes) `u`, `u²`, `0.001·u²` and `3·u` are float32 products
 * (Python scalars are "weak" under NEP 50) and join the float64 state only when added to it; with
 * any other array (float64 in NumPy) everything is float64. Reset: θ ~ U[−x, x], θ̇ ~ U[−y, y],
 * x = π and y = 1 unless the reset options `x_init` / `y_init` say otherwise. Episodes never
 * terminate; `makeEnv` adds the 200-step `TimeLimit`.
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import {
  BaseEnv,
  checkOptions,
  checkPhysicalState,
  describe,
  type EnvState,
  optionChecks,
  type ResetOptions,
  type StepResult,
} from "../env.ts";
import { sharedArrayPool } from "../pool.ts";
import { Box } from "../spaces.ts";

const ID = "Pendulum-v1";
const F32_0_001 = Math.fround(0.001);
const TWO_PI = 2 * Math.PI;

/**
 * Constructor options of {@linkcode PendulumEnv} (Gymnasium's `gym.make` keyword arguments).
 *
 * @example
 * ```ts
 * import type { PendulumOptions } from "./pendulum.ts";
 * const opts: PendulumOptions = { g: 9.81 };
 * ```
 */
export interface PendulumOptions {
  /** Gravitational acceleration in m/s² (default 10.0). */
  g?: number;
}

/**
 * Gymnasium's `angle_normalize`: `((x + π) mod 2π) − π` with NumPy's floored modulo (the result
 * takes the sign of the divisor), so the angle lands in [−π, π).
 *
 * @example
 * ```ts
 * import { angleNormalize } from "./pendulum.ts";
 * angleNormalize(3 * Math.PI / 2); // -π/2
 * ```
 */
export function angleNormalize(x: number): number {
  const y = x + Math.PI;
  // fmod(y, 2π) is y itself when |y| < 2π (fmod is exact), which skips the slow `%` in most steps.
  let r = y > -TWO_PI && y < TWO_PI ? y : y % TWO_PI;
  if (r < 0) r += TWO_PI;
  else if (r === 0) r = 0; // NumPy returns +0 (sign of the divisor)
  return r - Math.PI;
}

/**
 * `Pendulum-v1` with Gymnasium 1.3's exact dynamics, reward, bounds and reset distribution.
 *
 * @example
 * ```ts
 * import { PendulumEnv } from "./pendulum.ts";
 * const env = new PendulumEnv();
 * const { obs } = env.reset({ seed: 0 }); // [cos θ, sin θ, θ̇]
 * env.setPhysicalState([Math.PI, 0]); // hanging down, at rest
 * const r = env.step(new Float32Array([2])); // full torque
 * r.reward; // -(π² + 0 + 0.001·4)
 * ```
 */
export class PendulumEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string = ID;
  /** Velocity limit (rad/s). */
  readonly maxSpeed = 8;
  /** Torque limit. */
  readonly maxTorque = 2.0;
  /** Integration step (s). */
  readonly dt = 0.05;
  /** Gravity (m/s²). */
  readonly g: number;
  /** Mass. */
  readonly m = 1.0;
  /** Length. */
  readonly l = 1.0;
  /** Box([−1, −1, −8], [1, 1, 8]). */
  readonly observationSpace: Box = new Box({ low: [-1, -1, -8], high: [1, 1, 8] });
  /** Box(−2, 2, (1,)). */
  readonly actionSpace: Box = new Box({ low: -2, high: 2, shape: [1] });

  #theta = 0;
  #thetaDot = 0;
  /** Math.sin(#theta), kept from the last observation so the next step need not recompute it. */
  #sinTheta = 0;
  #lastU: number | null = null;
  readonly #gravityTerm: number;
  readonly #torqueTerm: number;

  /** Builds the env from Gymnasium's keyword arguments; unknown keys are errors. */
  constructor(options: PendulumOptions = {}) {
    super();
    checkOptions(ID, options, { g: optionChecks.finiteNumber });
    this.g = options.g ?? 10.0;
    // Gymnasium evaluates `3 * g / (2 * l) * sin(th) + 3.0 / (m * l**2) * u` left to right.
    this.#gravityTerm = (3 * this.g) / (2 * this.l);
    this.#torqueTerm = 3.0 / (this.m * this.l ** 2);
  }

  /** The physical state `[θ, θ̇]` (float64). */
  get physicalState(): [number, number] {
    return [this.#theta, this.#thetaDot];
  }

  /** The last applied (clipped) torque, or null right after a reset (Gymnasium's `last_u`). */
  get lastU(): number | null {
    return this.#lastU;
  }

  /**
   * Sets the physical state `[θ, θ̇]` (as assigning Gymnasium's `env.unwrapped.state`) and returns
   * the matching observation. The env must still be reset once before stepping.
   */
  setPhysicalState(state: ArrayLike<number>): Float32Array {
    checkPhysicalState(ID, state, "[theta, thetaDot]");
    this.#theta = state[0];
    this.#thetaDot = state[1];
    return this.#observation();
  }

  /** Samples the initial state (see the module doc) and returns the first observation. */
  protected resetPhysics(rng: Generator, options: ResetOptions["options"]): Float32Array {
    checkOptions(`${ID}.reset`, options, {
      x_init: optionChecks.finiteNumber,
      y_init: optionChecks.finiteNumber,
    });
    const x = (options?.x_init as number | undefined) ?? Math.PI;
    const y = (options?.y_init as number | undefined) ?? 1.0;
    // np_random.uniform(low=-high, high=high) draws element 0 then element 1.
    this.#theta = rng.uniform(-x, x);
    this.#thetaDot = rng.uniform(-y, y);
    this.#lastU = null;
    return this.#observation();
  }

  /** One Gymnasium step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const a = action[0];
    const th = this.#theta;
    const thDot = this.#thetaDot;
    const u = a < -2 ? -2 : a > 2 ? 2 : a; // np.clip keeps the array's dtype
    let uCost: number;
    let uAccel: number;
    if (action instanceof Float32Array) {
      uCost = Math.fround(F32_0_001 * Math.fround(u * u));
      uAccel = Math.fround(this.#torqueTerm * u);
    } else {
      uCost = 0.001 * (u * u);
      uAccel = this.#torqueTerm * u;
    }
    const n = angleNormalize(th);
    const costs = n * n + 0.1 * (thDot * thDot) + uCost;
    let newThDot = thDot + (this.#gravityTerm * this.#sinTheta + uAccel) * this.dt;
    newThDot = newThDot < -8 ? -8 : newThDot > 8 ? 8 : newThDot;
    this.#theta = th + newThDot * this.dt;
    this.#thetaDot = newThDot;
    this.#lastU = u;
    return {
      obs: this.#observation(),
      reward: -costs,
      terminated: false,
      truncated: false,
      info: {},
    };
  }

  /** The physical state and the options it depends on, as JSON. */
  protected getPhysicsState(): EnvState {
    return { g: this.g, theta: this.#theta, thetaDot: this.#thetaDot, lastU: this.#lastU };
  }

  /** Restores a physical state from {@linkcode getPhysicsState}. */
  protected setPhysicsState(s: EnvState): void {
    if (s.g !== this.g) {
      throw new RangeError(
        `${ID}.setState: the state was taken with g = ${describe(s.g)}, this env has g = ` +
          `${this.g}; restore into an env made with the same options`,
      );
    }
    if (
      !Number.isFinite(s.theta) || !Number.isFinite(s.thetaDot) ||
      !(s.lastU === null || Number.isFinite(s.lastU))
    ) {
      throw new TypeError(`${ID}.setState: malformed physics state ${describe(s)}`);
    }
    this.#theta = s.theta as number;
    this.#thetaDot = s.thetaDot as number;
    this.#sinTheta = Math.sin(this.#theta);
    this.#lastU = s.lastU as number | null;
  }

  #observation(): Float32Array {
    const obs = sharedArrayPool.float32(3);
    const sinTheta = Math.sin(this.#theta);
    this.#sinTheta = sinTheta;
    obs[0] = Math.cos(this.#theta);
    obs[1] = sinTheta;
    obs[2] = this.#thetaDot;
    return obs;
  }
}
