/**
 * The environment interface (Gymnasium's `Env` API) and {@linkcode BaseEnv}, the base class that
 * gives every environment Gymnasium's seeding and ordering semantics:
 *
 * - `reset({ seed })` installs `npRandom(seed)` (numpy's `Generator(PCG64(SeedSequence(seed)))`),
 *   exactly as Gymnasium 1.3's `Env.reset(seed=seed)` does, so the same seed draws the same
 *   numbers as in Gymnasium; `reset()` without a seed continues the current stream, and an
 *   environment that was never seeded gets a generator from OS entropy on first use (as
 *   Gymnasium's `np_random`).
 * - `step` before the first `reset` is an error (Gymnasium's `OrderEnforcing` wrapper).
 * - observations are fresh `Float32Array`s, so callers may keep them (each is a distinct region
 *   that is never handed out again; for speed, small arrays share an underlying `ArrayBuffer`,
 *   see `pool.ts`).
 * - `getState()` / `setState()` snapshot everything needed to resume exactly mid-episode (physics,
 *   the generator, wrapper counters) as plain JSON. States saved before the move to numpy's
 *   generator (`rng` as four xoshiro128** words) still load and continue their old stream
 *   (`xoshiro_generator.ts`).
 *
 * @module
 */
import { describeValue, Generator, type GeneratorState, npRandom } from "../np_random/mod.ts";
import type { Box } from "./spaces.ts";
import { isXoshiroState, XoshiroCompatGenerator } from "./xoshiro_generator.ts";

/**
 * A JSON value: what `JSON.stringify` / `JSON.parse` round-trip.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "./env.ts";
 * const v: JsonValue = { a: [1, 2, null], b: "x" };
 * ```
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | {
  [key: string]: JsonValue;
};

/**
 * A JSON-serialisable snapshot of an environment (or wrapper chain): physics state, the
 * environment's generator state and wrapper counters. `setState(getState())` on an environment
 * made with the same options continues the episode exactly.
 *
 * @example
 * ```ts
 * import type { EnvState } from "./env.ts";
 * const s: EnvState = { env: "Pendulum-v1", physics: { theta: 0, thetaDot: 0 } };
 * ```
 */
export type EnvState = { [key: string]: JsonValue };

/**
 * Arguments of {@linkcode Env.reset}.
 *
 * @example
 * ```ts
 * import type { ResetOptions } from "./env.ts";
 * const opts: ResetOptions = { seed: 0, options: { x_init: 1 } };
 * ```
 */
export interface ResetOptions {
  /** Non-negative integer seed; reseeds the environment's generator with `npRandom(seed)`. */
  seed?: number;
  /** Environment-specific reset options (Gymnasium's `options` dict). */
  options?: Record<string, unknown>;
}

/**
 * An observation: a flat array whose element type is the observation space's dtype (float32 for
 * the classic-control tasks, float64 for MuJoCo, as in Gymnasium). Agents cast it to float32 at
 * their input, as Stable-Baselines3's policies do.
 *
 * @example
 * ```ts
 * import type { Observation } from "./env.ts";
 * const a: Observation = new Float32Array(3);
 * const b: Observation = new Float64Array(17);
 * ```
 */
export type Observation = Float32Array | Float64Array;

/**
 * `obs` as a Float32Array: itself when it already is one, else a float32 copy (what a PyTorch
 * policy's `obs.float()` sees).
 *
 * @example
 * ```ts
 * import { asFloat32 } from "./env.ts";
 * asFloat32(new Float64Array([0.1])); // Float32Array [0.10000000149011612]
 * ```
 */
export function asFloat32(obs: Observation): Float32Array {
  return obs instanceof Float32Array ? obs : Float32Array.from(obs);
}

/**
 * What {@linkcode Env.reset} returns.
 *
 * @example
 * ```ts
 * import type { ResetResult } from "./env.ts";
 * const r: ResetResult = { obs: new Float32Array(3), info: {} };
 * ```
 */
export interface ResetResult {
  /** First observation of the episode (fresh array). */
  obs: Observation;
  /** Auxiliary information. */
  info: Record<string, unknown>;
}

/**
 * What {@linkcode Env.step} returns (Gymnasium's 5-tuple).
 *
 * @example
 * ```ts
 * import type { StepResult } from "./env.ts";
 * const r: StepResult = {
 *   obs: new Float32Array(3), reward: -1, terminated: false, truncated: false, info: {},
 * };
 * ```
 */
export interface StepResult {
  /** Observation after the step (fresh array). */
  obs: Observation;
  /** Reward of the transition. */
  reward: number;
  /** True when a terminal state of the MDP was reached. */
  terminated: boolean;
  /** True when the episode was cut short (time limit). */
  truncated: boolean;
  /** Auxiliary information; wrappers may add keys such as `episode`. */
  info: Record<string, unknown>;
}

/**
 * A reinforcement-learning environment with Gymnasium's API and continuous (Box) spaces.
 *
 * @example
 * ```ts
 * import type { Env } from "./env.ts";
 * function rollout(env: Env, steps: number): number {
 *   env.reset({ seed: 0 });
 *   let ret = 0;
 *   for (let t = 0; t < steps; t++) ret += env.step(new Float32Array(env.actionSpace.size)).reward;
 *   return ret;
 * }
 * ```
 */
export interface Env {
  /** Registered id such as `"Pendulum-v1"`. */
  readonly id?: string;
  /** The observation space. */
  readonly observationSpace: Box;
  /** The action space. */
  readonly actionSpace: Box;
  /** The innermost environment (itself for an unwrapped environment). */
  readonly unwrapped: Env;
  /** Starts a new episode. */
  reset(opts?: ResetOptions): ResetResult;
  /** Advances one time step. */
  step(action: ArrayLike<number>): StepResult;
  /** JSON snapshot of everything needed to resume exactly. */
  getState(): EnvState;
  /** Restores a snapshot from {@linkcode Env.getState}. */
  setState(s: EnvState): void;
  /** Releases resources. */
  close(): void;
}

/**
 * A fresh seed from OS entropy (`crypto.getRandomValues`), a non-negative safe integer.
 *
 * @example
 * ```ts
 * import { entropySeed } from "./env.ts";
 * const seed = entropySeed(); // e.g. 6227149120370931
 * ```
 */
export function entropySeed(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * 2 ** 32 + words[1];
}

/**
 * The candidate with the smallest (case-insensitive) edit distance to `name`, or `undefined` when
 * none is reasonably close; used for "did you mean" hints.
 *
 * @example
 * ```ts
 * import { closestMatch } from "./env.ts";
 * closestMatch("Pendulum-v0", ["Pendulum-v1", "MountainCarContinuous-v0"]); // "Pendulum-v1"
 * ```
 */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const a = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(a, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * A validator for one option: returns an error text for a bad value, or null when it is fine.
 *
 * @example
 * ```ts
 * import type { OptionCheck } from "./env.ts";
 * const probability: OptionCheck = (v) =>
 *   typeof v === "number" && v >= 0 && v <= 1 ? null : "must be a number in [0, 1]";
 * ```
 */
export type OptionCheck = (value: unknown) => string | null;

/**
 * Option validators for {@linkcode checkOptions}.
 *
 * @example
 * ```ts
 * import { optionChecks } from "./env.ts";
 * optionChecks.finiteNumber(Number.NaN); // "must be a finite number"
 * optionChecks.finiteNumber(2); // null
 * ```
 */
export const optionChecks = {
  /** A finite number. */
  finiteNumber: (v: unknown): string | null =>
    typeof v === "number" && Number.isFinite(v) ? null : "must be a finite number",
  /** A positive integer. */
  positiveInteger: (v: unknown): string | null =>
    Number.isSafeInteger(v) && (v as number) > 0 ? null : "must be a positive integer",
  /** A boolean. */
  boolean: (v: unknown): string | null => typeof v === "boolean" ? null : "must be true or false",
};

/**
 * Validates an options object against named validators. Unknown keys and bad values throw an
 * error that names the option, the offending value and the valid choices.
 *
 * @param where who is asking, e.g. `"Pendulum-v1"` or `"Pendulum-v1.reset"`.
 * @example
 * ```ts
 * import { checkOptions, optionChecks } from "./env.ts";
 * checkOptions("Pendulum-v1", { g: 9.81 }, { g: optionChecks.finiteNumber }); // ok
 * // checkOptions("Pendulum-v1", { gravity: 9.81 }, { g: optionChecks.finiteNumber }) throws
 * ```
 */
export function checkOptions(
  where: string,
  options: unknown,
  checks: Record<string, OptionCheck>,
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be a plain object, got ${describe(options)}`);
  }
  const names = Object.keys(checks);
  for (const [key, value] of Object.entries(options)) {
    const check = checks[key];
    if (check === undefined || !Object.hasOwn(checks, key)) {
      const hint = closestMatch(key, names);
      throw new TypeError(
        `${where}: unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; ` +
          (names.length ? `valid options are: ${names.join(", ")}` : "it takes no options"),
      );
    }
    if (value === undefined) continue;
    const problem = check(value);
    if (problem !== null) {
      throw new TypeError(`${where}: option "${key}" ${problem}, got ${describe(value)}`);
    }
  }
}

/**
 * A short, printable rendering of any value for error messages.
 *
 * @example
 * ```ts
 * import { describe } from "./env.ts";
 * describe(new Float32Array([1, 2])); // "Float32Array [1, 2]"
 * describe(Number.NaN); // "NaN"
 * ```
 */
export function describe(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined || typeof value === "boolean") return String(value);
  if (typeof value === "function") return "a function";
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const arr = value as ArrayLike<unknown>;
    const items = Array.from({ length: Math.min(arr.length, 8) }, (_, i) => describe(arr[i]));
    const name = Array.isArray(value) ? "" : `${value.constructor.name} `;
    return `${name}[${items.join(", ")}${arr.length > 8 ? `, … (${arr.length} items)` : ""}]`;
  }
  try {
    const s = JSON.stringify(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * Checks that `action` is an array of `size` finite numbers; throws an error naming the env, the
 * action and the expected shape otherwise. Runs on every step, so it is a plain loop.
 *
 * @example
 * ```ts
 * import { checkAction } from "./env.ts";
 * checkAction("Pendulum-v1", new Float32Array([0.5]), 1, "Box(-2, 2, (1,), float32)"); // ok
 * // checkAction("Pendulum-v1", [Number.NaN], 1, "Box(-2, 2, (1,), float32)") throws
 * ```
 */
export function checkAction(
  envId: string,
  action: ArrayLike<number>,
  size: number,
  spaceText: string,
): void {
  if (action === null || typeof action !== "object" || action.length !== size) {
    throw new TypeError(
      `${envId}.step: invalid action ${describe(action)}: expected an array of ${size} finite ` +
        `number(s), shape [${size}], in ${spaceText}`,
    );
  }
  for (let i = 0; i < size; i++) {
    const a = action[i];
    if (typeof a !== "number" || a - a !== 0) {
      throw new TypeError(
        `${envId}.step: invalid action ${describe(action)}: element ${i} is ${describe(a)}; ` +
          `expected ${size} finite number(s), shape [${size}], in ${spaceText}`,
      );
    }
  }
}

/**
 * Base class of the built-in environments: Gymnasium's seeding (`np_random`), step-before-reset
 * check, the action check, and the state snapshot. Subclasses implement the physics in {@linkcode BaseEnv.resetPhysics},
 * {@linkcode BaseEnv.stepPhysics}, {@linkcode BaseEnv.getPhysicsState} and
 * {@linkcode BaseEnv.setPhysicsState}.
 *
 * @example
 * ```ts
 * import { BaseEnv, type EnvState, type ResetOptions, type StepResult } from "./env.ts";
 * import { Box } from "./spaces.ts";
 * import type { Generator } from "../np_random/mod.ts";
 *
 * class Coin extends BaseEnv {
 *   readonly id = "Coin-v0";
 *   readonly observationSpace = new Box({ low: 0, high: 1, shape: [1] });
 *   readonly actionSpace = new Box({ low: -1, high: 1, shape: [1] });
 *   #x = 0;
 *   protected resetPhysics(rng: Generator, _options: ResetOptions["options"]): Float32Array {
 *     this.#x = rng.uniform(); // rng is Gymnasium's self.np_random
 *     return new Float32Array([this.#x]);
 *   }
 *   protected stepPhysics(_action: ArrayLike<number>): StepResult {
 *     return { obs: new Float32Array([this.#x]), reward: this.#x, terminated: true, truncated: false, info: {} };
 *   }
 *   protected getPhysicsState(): EnvState { return { x: this.#x }; }
 *   protected setPhysicsState(s: EnvState): void { this.#x = s.x as number; }
 * }
 * new Coin().reset({ seed: 1 });
 * ```
 */
export abstract class BaseEnv implements Env {
  /** The registered id, used in error messages and state snapshots. */
  abstract readonly id: string;
  /** The observation space. */
  abstract readonly observationSpace: Box;
  /** The action space. */
  abstract readonly actionSpace: Box;

  #rng: Generator | null = null;
  #hasReset = false;
  #actionSpaceText: string | null = null;

  /** Itself: a base environment is the innermost one. */
  get unwrapped(): Env {
    return this;
  }

  /** True once `reset` has been called (Gymnasium's `OrderEnforcing.has_reset`). */
  get hasReset(): boolean {
    return this.#hasReset;
  }

  /**
   * The environment's generator (Gymnasium's `env.np_random`): `npRandom(seed)` after
   * `reset({ seed })`; created from OS entropy on first use if the environment was never seeded.
   */
  get npRandom(): Generator {
    if (this.#rng === null) this.#rng = npRandom();
    return this.#rng;
  }

  /** Starts an episode; see the module doc for the seeding rules. */
  reset(opts: ResetOptions = {}): ResetResult {
    checkOptions(`${this.id}.reset`, opts, RESET_ARGUMENT_CHECKS);
    if (opts.seed !== undefined) this.#rng = npRandom(opts.seed);
    const obs = this.resetPhysics(this.npRandom, opts.options);
    this.#hasReset = true;
    return { obs, info: {} };
  }

  /**
   * Advances one step; throws before the first `reset`, and on an action that is not
   * `actionSpace.size` finite numbers ({@linkcode checkAction}), so `stepPhysics` gets a valid one.
   */
  step(action: ArrayLike<number>): StepResult {
    if (!this.#hasReset) {
      throw new Error(
        `${this.id}: cannot call step() before reset(); call env.reset() (optionally with a seed) ` +
          `to start an episode`,
      );
    }
    checkAction(this.id, action, this.actionSpace.size, this.#actionText());
    return this.stepPhysics(action);
  }

  /** The action space as text, for action errors (made once, on the first step). */
  #actionText(): string {
    return this.#actionSpaceText ??= this.actionSpace.toString();
  }

  /**
   * Snapshot: `{ env, hasReset, rng, physics }`, with `rng` the generator's exact state (a
   * `GeneratorState`), null before the generator was first used, or the four xoshiro128** words
   * of an old state that has not been reseeded since it was loaded.
   */
  getState(): EnvState {
    const rng = this.#rng;
    return {
      env: this.id,
      hasReset: this.#hasReset,
      rng: rng === null
        ? null
        : rng instanceof XoshiroCompatGenerator
        ? rng.xoshiroState
        : rng.getState(),
      physics: this.getPhysicsState(),
    };
  }

  /** Restores a snapshot taken by {@linkcode BaseEnv.getState} on an env with the same id. */
  setState(s: EnvState): void {
    if (s === null || typeof s !== "object" || s.env !== this.id) {
      throw new TypeError(
        `${this.id}.setState: expected a state taken from a ${this.id} environment ` +
          `(state.env === "${this.id}"), got ${describe(s)}`,
      );
    }
    if (typeof s.hasReset !== "boolean") {
      throw new TypeError(`${this.id}.setState: malformed state ${describe(s)}`);
    }
    const physics = s.physics;
    if (physics === null || typeof physics !== "object" || Array.isArray(physics)) {
      throw new TypeError(`${this.id}.setState: state.physics must be an object`);
    }
    const rng = this.#generatorFromState(s.rng);
    this.setPhysicsState(physics);
    this.#rng = rng;
    this.#hasReset = s.hasReset;
  }

  /** The generator a saved `rng` describes (validated before anything is changed). */
  #generatorFromState(rng: JsonValue | undefined): Generator | null {
    if (rng === null) return null;
    if (isXoshiroState(rng)) return new XoshiroCompatGenerator(rng);
    if (rng !== undefined && typeof rng === "object" && !Array.isArray(rng)) {
      const g = npRandom(0);
      try {
        g.setState(rng as GeneratorState);
        return g;
      } catch (e) {
        throw new TypeError(`${this.id}.setState: state.rng: ${(e as Error).message}`);
      }
    }
    throw new TypeError(
      `${this.id}.setState: state.rng must be null, a generator state ({ bitGenerator: "PCG64", ` +
        `... }) or an old state's four xoshiro128** words, got ${describeValue(rng)}`,
    );
  }

  /** Nothing to release for pure-TS environments. */
  close(): void {}

  /**
   * Samples the initial physical state with `rng` (the env's `npRandom`, Gymnasium's
   * `self.np_random`) and returns the first observation.
   */
  protected abstract resetPhysics(rng: Generator, options: ResetOptions["options"]): Observation;
  /** One transition (called only after a reset). Must validate the action. */
  protected abstract stepPhysics(action: ArrayLike<number>): StepResult;
  /** The physical state as JSON. */
  protected abstract getPhysicsState(): EnvState;
  /** Restores the physical state; must validate it. */
  protected abstract setPhysicsState(s: EnvState): void;
}

const RESET_ARGUMENT_CHECKS: Record<string, OptionCheck> = {
  seed: checkSeed,
  options: checkPlainObject,
};

function checkSeed(v: unknown): string | null {
  return Number.isSafeInteger(v) && (v as number) >= 0
    ? null
    : "must be a non-negative integer (at most 2^53 - 1)";
}

function checkPlainObject(v: unknown): string | null {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? null
    : "must be a plain object of reset options";
}

/**
 * Checks the argument of a classic-control env's `setPhysicalState`: two finite numbers (the
 * names say which, for the message).
 *
 * @throws TypeError naming the env, the expected state and what was given.
 * @example
 * ```ts
 * import { checkPhysicalState } from "./env.ts";
 * checkPhysicalState("Pendulum-v1", [0.5, 0], "[theta, thetaDot]"); // ok
 * ```
 */
export function checkPhysicalState(id: string, state: ArrayLike<number>, names: string): void {
  if (
    state === null || typeof state !== "object" || state.length !== 2 ||
    !Number.isFinite(state[0]) || !Number.isFinite(state[1])
  ) {
    throw new TypeError(
      `${id}.setPhysicalState: expected ${names} as two finite numbers, got ${describe(state)}`,
    );
  }
}
