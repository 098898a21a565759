/**
 * `MountainCarContinuous-v0`: Gymnasium 1.3's continuous mountain car, reproduced to the bit
 * pattern of its Python/NumPy 2 arithmetic.
 *
 * Dynamics with force f = min(max(a, −1), 1), power 0.0015:
 *
 *     v' = clip(v + f·0.0015 − 0.0025·cos(3p), −0.07, 0.07)
 *     p' = clip(p + v', −1.2, 0.6);  v' = 0 if p' = −1.2 and v' < 0 (inelastic left wall)
 *     terminated = p' ≥ 0.45 and v' ≥ goal_velocity (default 0)
 *     r = 100·[terminated] − 0.1·a²   (note: the *unclipped* action)
 *
 * Gymnasium stores the state as float32 after every step but as float64 right after a reset, and
 * computes with a mix of Python floats (float64, "weak" under NEP 50), NumPy float32 scalars (the
 * state and a float32 action) and float64 scalars. Which precision each intermediate gets depends
 * on these types (e.g. `f·0.0015 − 0.0025·cos(3p)` is a float32 subtraction when `a` is a float32
 * in range, but float64 when the action was clipped to the Python float ±1.0), and this module
 * follows the same type rules, including comparisons of float32 values against Python constants
 * (which NumPy makes in float32). A `Float32Array` action behaves like a float32 NumPy array (what
 * SB3 passes); any other array like a float64 one.
 *
 * Reset: p ~ U[low, high] (default [−0.6, −0.4], reset options `low` / `high`), v = 0.
 * `makeEnv` adds the 999-step `TimeLimit`.
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

const ID = "MountainCarContinuous-v0";

// NumPy scalar kinds: a float32 scalar, a float64 scalar ("strong"), or a Python float ("weak":
// it adopts the float32 type when combined with a float32 scalar).
const F32 = 0;
const F64 = 1;
const PY = 2;

const POWER = 0.0015;
const MAX_SPEED = 0.07;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const GOAL_POSITION = 0.45;
const F32_POWER = Math.fround(POWER);
const F32_MAX_SPEED = Math.fround(MAX_SPEED);
const F32_MIN_POSITION = Math.fround(MIN_POSITION);
const F32_MAX_POSITION = Math.fround(MAX_POSITION);
const F32_GOAL_POSITION = Math.fround(GOAL_POSITION);

/** A NumPy scalar being computed: its value and its kind (F32, F64 or PY). */
interface Scalar {
  value: number;
  kind: number;
}

/**
 * `x + dx` into `out`, for a state element x (float32 or float64 by `stateKind`) and an increment
 * of kind `dxKind`: a float32 sum unless a float64 scalar takes part (NEP 50 promotion).
 */
function addToState(x: number, stateKind: number, dx: number, dxKind: number, out: Scalar): void {
  if (stateKind === F32 && dxKind !== F64) {
    out.value = Math.fround(x + (dxKind === F32 ? dx : Math.fround(dx)));
    out.kind = F32;
  } else {
    out.value = x + dx;
    out.kind = F64;
  }
}

/**
 * Gymnasium's `if x > high: x = high`, then `if x < low: x = low`, with the Python-float bounds
 * compared in float32 (`low32`, `high32`) while x is a float32 scalar; a bound that wins makes x a
 * Python float.
 */
function clampToBounds(x: Scalar, low: number, high: number, low32: number, high32: number): void {
  if (x.value > (x.kind === F32 ? high32 : high)) {
    x.value = high;
    x.kind = PY;
  }
  if (x.value < (x.kind === F32 ? low32 : low)) {
    x.value = low;
    x.kind = PY;
  }
}

/**
 * Constructor options of {@linkcode MountainCarContinuousEnv} (Gymnasium's `gym.make` keyword
 * arguments).
 *
 * @example
 * ```ts
 * import type { MountainCarContinuousOptions } from "./mountain_car_continuous.ts";
 * const opts: MountainCarContinuousOptions = { goal_velocity: 0 };
 * ```
 */
export interface MountainCarContinuousOptions {
  /** Minimum velocity at the goal position for termination (Gymnasium's `goal_velocity`, 0). */
  goal_velocity?: number;
}

/**
 * `MountainCarContinuous-v0` with Gymnasium 1.3's exact dynamics, reward, bounds, reset
 * distribution and termination.
 *
 * @example
 * ```ts
 * import { MountainCarContinuousEnv } from "./mountain_car_continuous.ts";
 * const env = new MountainCarContinuousEnv();
 * env.reset({ seed: 0 }); // position in [-0.6, -0.4], velocity 0
 * env.setPhysicalState([0.449, 0.02]); // just below the goal, moving right
 * const r = env.step(new Float32Array([0.5]));
 * r.terminated; // true: reached position >= 0.45
 * r.reward; // 100 - 0.1 * 0.25
 * ```
 */
export class MountainCarContinuousEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string = ID;
  /** Minimum velocity at the goal for termination. */
  readonly goalVelocity: number;
  /** Box([−1.2, −0.07], [0.6, 0.07]). */
  readonly observationSpace: Box = new Box({
    low: [MIN_POSITION, -MAX_SPEED],
    high: [MAX_POSITION, MAX_SPEED],
  });
  /** Box(−1, 1, (1,)). */
  readonly actionSpace: Box = new Box({ low: -1, high: 1, shape: [1] });

  #position = 0;
  #velocity = 0;
  /** The state array's dtype: float64 after reset / setPhysicalState, float32 after a step. */
  #stateIsFloat32 = false;
  readonly #goalVelocityF32: number;

  /** Builds the env from Gymnasium's keyword arguments; unknown keys are errors. */
  constructor(options: MountainCarContinuousOptions = {}) {
    super();
    checkOptions(ID, options, { goal_velocity: optionChecks.finiteNumber });
    this.goalVelocity = options.goal_velocity ?? 0;
    this.#goalVelocityF32 = Math.fround(this.goalVelocity);
  }

  /** The physical state `[position, velocity]`. */
  get physicalState(): [number, number] {
    return [this.#position, this.#velocity];
  }

  /**
   * Sets `[position, velocity]` as a float64 state (like assigning
   * `env.unwrapped.state = np.array([p, v])` in Gymnasium) and returns the matching observation.
   * The env must still be reset once before stepping.
   */
  setPhysicalState(state: ArrayLike<number>): Float32Array {
    checkPhysicalState(ID, state, "[position, velocity]");
    this.#position = state[0];
    this.#velocity = state[1];
    this.#stateIsFloat32 = false;
    return this.#observation();
  }

  /** Samples the initial state (see the module doc) and returns the first observation. */
  protected resetPhysics(rng: Generator, options: ResetOptions["options"]): Float32Array {
    checkOptions(`${ID}.reset`, options, {
      low: optionChecks.finiteNumber,
      high: optionChecks.finiteNumber,
    });
    const low = (options?.low as number | undefined) ?? -0.6;
    const high = (options?.high as number | undefined) ?? -0.4;
    if (low > high) {
      throw new RangeError(
        `${ID}.reset: option "low" (${low}) must not exceed option "high" (${high})`,
      );
    }
    this.#position = rng.uniform(low, high);
    this.#velocity = 0;
    this.#stateIsFloat32 = false;
    return this.#observation();
  }

  /** One Gymnasium step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const a = action[0];
    const stateKind = this.#stateIsFloat32 ? F32 : F64;
    let p = this.#position;
    let v = this.#velocity;

    // force = min(max(a, -1.0), 1.0): Python keeps the NumPy scalar unless a bound wins.
    let force = a;
    let forceKind = action instanceof Float32Array ? F32 : F64;
    if (-1.0 > force) {
      force = -1.0;
      forceKind = PY;
    }
    if (1.0 < force) {
      force = 1.0;
      forceKind = PY;
    }

    // velocity += force * power - 0.0025 * math.cos(3 * position)
    const push = forceKind === F32 ? Math.fround(force * F32_POWER) : force * POWER;
    const angle = stateKind === F32 ? Math.fround(3 * p) : 3 * p;
    const gravity = 0.0025 * Math.cos(angle); // math.cos returns a Python float
    let dv: number;
    let dvKind: number;
    if (forceKind === F32) {
      dv = Math.fround(push - Math.fround(gravity));
      dvKind = F32;
    } else {
      dv = push - gravity;
      dvKind = forceKind;
    }
    const sum = { value: 0, kind: F64 };
    addToState(v, stateKind, dv, dvKind, sum);
    clampToBounds(sum, -MAX_SPEED, MAX_SPEED, -F32_MAX_SPEED, F32_MAX_SPEED);
    v = sum.value;
    let vKind = sum.kind;

    // position += velocity, then the walls
    addToState(p, stateKind, v, vKind, sum);
    clampToBounds(sum, MIN_POSITION, MAX_POSITION, F32_MIN_POSITION, F32_MAX_POSITION);
    p = sum.value;
    const pKind = sum.kind;
    if (p === (pKind === F32 ? F32_MIN_POSITION : MIN_POSITION) && v < 0) {
      v = 0;
      vKind = PY;
    }

    const terminated = p >= (pKind === F32 ? F32_GOAL_POSITION : GOAL_POSITION) &&
      v >= (vKind === F32 ? this.#goalVelocityF32 : this.goalVelocity);
    // reward = 100.0 * terminated - math.pow(action[0], 2) * 0.1 (unclipped action)
    const reward = (terminated ? 100.0 : 0) - (a * a) * 0.1;

    this.#position = Math.fround(p);
    this.#velocity = Math.fround(v);
    this.#stateIsFloat32 = true;
    return { obs: this.#observation(), reward, terminated, truncated: false, info: {} };
  }

  /** The physical state and the options it depends on, as JSON. */
  protected getPhysicsState(): EnvState {
    return {
      goalVelocity: this.goalVelocity,
      position: this.#position,
      velocity: this.#velocity,
      dtype: this.#stateIsFloat32 ? "float32" : "float64",
    };
  }

  /** Restores a physical state from {@linkcode getPhysicsState}. */
  protected setPhysicsState(s: EnvState): void {
    if (s.goalVelocity !== this.goalVelocity) {
      throw new RangeError(
        `${ID}.setState: the state was taken with goal_velocity = ${describe(s.goalVelocity)}, ` +
          `this env has ${this.goalVelocity}; restore into an env made with the same options`,
      );
    }
    if (
      !Number.isFinite(s.position) || !Number.isFinite(s.velocity) ||
      (s.dtype !== "float32" && s.dtype !== "float64")
    ) {
      throw new TypeError(`${ID}.setState: malformed physics state ${describe(s)}`);
    }
    this.#position = s.position as number;
    this.#velocity = s.velocity as number;
    this.#stateIsFloat32 = s.dtype === "float32";
  }

  #observation(): Float32Array {
    const obs = sharedArrayPool.float32(2);
    obs[0] = this.#position;
    obs[1] = this.#velocity;
    return obs;
  }
}
