/**
 * numpy's `Generator` (`numpy.random.Generator`), the methods environments use, with numpy's
 * exact algorithms on a {@linkcode PCG64}:
 *
 * - `random`: `next_double`; `uniform(low, high)`: `low + (high − low) · next_double`.
 * - `standardNormal`: numpy's ziggurat (`ziggurat.ts`); `normal(loc, scale)`: `loc + scale · z`.
 * - `integers(low, high)`: [low, high) as int64, Lemire's method (`bounded_integers.ts`): ranges
 *   below 2^32 on PCG64's buffered 32-bit halves, wider ranges on 64-bit draws.
 *
 * Without `size` a method returns one number; with `size` an array of `size` values, drawn in the
 * same order as numpy fills its array (so `uniform(a, b, 3)` equals three scalar calls).
 *
 * @module
 */
import { describeValue } from "./bit_generator.ts";
import { boundedInteger, integerRange } from "./bounded_integers.ts";
import { PCG64, type PCG64State } from "./pcg64.ts";
import { standardNormal } from "./ziggurat.ts";

/**
 * The exact state of a {@linkcode Generator}: its PCG64's state (JSON-serialisable, 128-bit words
 * as decimal strings).
 *
 * @example
 * ```ts
 * import { npRandom } from "./np_random.ts";
 * import type { GeneratorState } from "./generator.ts";
 * const s: GeneratorState = npRandom(0).getState();
 * JSON.parse(JSON.stringify(s)); // round-trips exactly
 * ```
 */
export type GeneratorState = PCG64State;

/**
 * Checks an optional `size` argument: undefined, or a non-negative integer.
 *
 * @example
 * ```ts
 * import { checkSize } from "./generator.ts";
 * checkSize("Generator.random", 3); // ok
 * // checkSize("Generator.random", -1) throws a RangeError naming the method
 * ```
 */
export function checkSize(where: string, size: number | undefined): void {
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new RangeError(
      `${where}: size must be a non-negative integer, got ${describeValue(size)}`,
    );
  }
}

/**
 * A bound of an integer range, converted as numpy converts it (`int(x)`: truncated toward zero)
 * and checked to be an exact JavaScript integer.
 *
 * @example
 * ```ts
 * import { integerBound } from "./generator.ts";
 * integerBound("Generator.integers", "low", 5.7); // 5
 * integerBound("Generator.integers", "low", -5.5); // -5
 * ```
 */
export function integerBound(where: string, name: string, x: number): number {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new RangeError(`${where}: ${name} must be a finite number, got ${describeValue(x)}`);
  }
  const t = Math.trunc(x) + 0; // + 0 turns -0 into 0
  if (!Number.isSafeInteger(t)) {
    throw new RangeError(
      `${where}: ${name} = ${x} is outside ±(2^53 - 1), the integers JavaScript numbers hold ` +
        `exactly; use a smaller range`,
    );
  }
  return t;
}

/**
 * The [low, high) range of `integers` / `randint` with numpy's argument rules and errors: one
 * argument means [0, low); bounds are truncated toward zero; the range must not be empty.
 *
 * @example
 * ```ts
 * import { integerArguments } from "./generator.ts";
 * integerArguments("Generator.integers", 10, undefined); // { low: 0, high: 10 }
 * ```
 */
export function integerArguments(
  where: string,
  low: number,
  high: number | undefined,
): { low: number; high: number } {
  let lo = integerBound(where, high === undefined ? "high" : "low", low);
  let hi: number;
  if (high === undefined) {
    hi = lo;
    lo = 0;
  } else hi = integerBound(where, "high", high);
  if (lo >= hi) {
    throw new RangeError(
      `${where}: ${lo === 0 ? "high <= 0" : "low >= high"} (low = ${lo}, high = ${hi}); ` +
        `the range [low, high) must contain at least one integer`,
    );
  }
  return { low: lo, high: hi };
}

/**
 * numpy's `Generator` over a {@linkcode PCG64}: the same seed gives the same numbers as numpy.
 *
 * @example
 * ```ts
 * import { Generator, PCG64 } from "./mod.ts";
 * const rng = new Generator(new PCG64(0)); // = np.random.default_rng(0)
 * rng.integers(0, 10); // 8
 * rng.uniform(-1, 1); // -0.4604265724722594
 * rng.integers(3, 5); // 4 (the buffered high half of the first draw)
 * rng.standardNormal(3); // Float64Array(3)
 * ```
 */
export class Generator {
  /** The underlying bit generator (numpy's `Generator.bit_generator`). */
  readonly bitGenerator: PCG64;
  readonly #bg: PCG64;

  /** Wraps a bit generator (numpy's `Generator(bit_generator)`). */
  constructor(bitGenerator: PCG64) {
    if (!(bitGenerator instanceof PCG64)) {
      throw new TypeError(
        `Generator: expected a PCG64 bit generator, got ${describeValue(bitGenerator)}; ` +
          `use npRandom(seed) or new Generator(new PCG64(seed))`,
      );
    }
    this.bitGenerator = bitGenerator;
    this.#bg = bitGenerator;
  }

  /** A double in [0, 1) (numpy's `random()`). */
  random(): number;
  /** `size` doubles in [0, 1). */
  random(size: number): Float64Array;
  /** One double, or `size` of them. */
  random(size?: number): number | Float64Array;
  random(size?: number): number | Float64Array {
    checkSize("Generator.random", size);
    const bg = this.#bg;
    if (size === undefined) return bg.nextDouble();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = bg.nextDouble();
    return out;
  }

  /** A double in [low, high): `low + (high − low) · random()`; needs low ≤ high (as numpy). */
  uniform(low?: number, high?: number): number;
  /** `size` such doubles. */
  uniform(low: number, high: number, size: number): Float64Array;
  /** One double, or `size` of them. */
  uniform(low?: number, high?: number, size?: number): number | Float64Array;
  uniform(low = 0.0, high = 1.0, size?: number): number | Float64Array {
    checkSize("Generator.uniform", size);
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new RangeError(
        `Generator.uniform: high - low is not finite (low = ${describeValue(low)}, high = ` +
          `${describeValue(high)}); pass finite bounds`,
      );
    }
    if (range < 0 || Object.is(range, -0)) {
      throw new RangeError(
        `Generator.uniform: high - low < 0 (low = ${low}, high = ${high}); pass low <= high`,
      );
    }
    const bg = this.#bg;
    if (size === undefined) return low + range * bg.nextDouble();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = low + range * bg.nextDouble();
    return out;
  }

  /** A standard normal variate from numpy's ziggurat (numpy's `standard_normal()`). */
  standardNormal(): number;
  /** `size` standard normal variates. */
  standardNormal(size: number): Float64Array;
  /** One variate, or `size` of them. */
  standardNormal(size?: number): number | Float64Array;
  standardNormal(size?: number): number | Float64Array {
    checkSize("Generator.standardNormal", size);
    const bg = this.#bg;
    if (size === undefined) return standardNormal(bg);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = standardNormal(bg);
    return out;
  }

  /** N(loc, scale²): `loc + scale · standardNormal()`; scale ≥ 0 (defaults 0 and 1). */
  normal(loc?: number, scale?: number): number;
  /** `size` such variates. */
  normal(loc: number, scale: number, size: number): Float64Array;
  /** One variate, or `size` of them. */
  normal(loc?: number, scale?: number, size?: number): number | Float64Array;
  normal(loc = 0.0, scale = 1.0, size?: number): number | Float64Array {
    checkSize("Generator.normal", size);
    checkNormalArguments("Generator.normal", loc, scale);
    const bg = this.#bg;
    if (size === undefined) return loc + scale * standardNormal(bg);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = loc + scale * standardNormal(bg);
    return out;
  }

  /**
   * A uniform integer in [low, high) (numpy's `integers(low, high)`, int64); `integers(n)` is
   * [0, n). Float bounds are truncated toward zero, as numpy does.
   */
  integers(low: number, high?: number): number;
  /** `size` such integers. */
  integers(low: number, high: number | undefined, size: number): number[];
  /** One integer, or `size` of them. */
  integers(low: number, high?: number, size?: number): number | number[];
  integers(low: number, high?: number, size?: number): number | number[] {
    checkSize("Generator.integers", size);
    const args = integerArguments("Generator.integers", low, high);
    const range = integerRange(args.low, args.high);
    const bg = this.#bg;
    if (size === undefined) return boundedInteger(bg, range, false);
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) out[i] = boundedInteger(bg, range, false);
    return out;
  }

  /** The exact state, JSON-serialisable (numpy's `bit_generator.state`). */
  getState(): GeneratorState {
    return this.#bg.getState();
  }

  /** Restores a state from {@linkcode Generator.getState}. */
  setState(s: GeneratorState): void {
    this.#bg.setState(s);
  }
}

/**
 * Rejects NaN / infinite parameters and a negative scale (numpy: "scale < 0"; numpy lets NaN
 * through and returns NaN, we refuse it).
 *
 * @example
 * ```ts
 * import { checkNormalArguments } from "./generator.ts";
 * checkNormalArguments("Generator.normal", 0, 1); // ok
 * ```
 */
export function checkNormalArguments(where: string, loc: number, scale: number): void {
  if (!Number.isFinite(loc) || !Number.isFinite(scale)) {
    throw new RangeError(
      `${where}: loc and scale must be finite numbers, got loc = ${describeValue(loc)}, scale = ` +
        describeValue(scale),
    );
  }
  if (scale < 0 || Object.is(scale, -0)) {
    throw new RangeError(
      `${where}: scale < 0 (got ${describeValue(scale)}); pass a standard deviation >= 0`,
    );
  }
}
