/**
 * numpy's legacy `RandomState` (MT19937), the generator dm_control's tasks draw from, with
 * numpy's legacy algorithms:
 *
 * - `randomSample` / `uniform(low, high)`: `low + (high − low) · next_double` (no low ≤ high check,
 *   as numpy).
 * - `standardNormal` / `randn` / `normal`: the polar Box–Muller method (Marsaglia): draw
 *   x₁, x₂ = 2u − 1 until 0 < r² = x₁² + x₂² < 1, f = √(−2 ln r² / r²); return f·x₂ and keep f·x₁
 *   as the cached spare for the next call (part of the state).
 * - `randint(low, high)`: masked rejection (`bounded_integers.ts`).
 * - `choice(a, size, replace, p)`: as numpy's legacy `choice` (inverse CDF with `searchsorted`
 *   for p, `randint` without p, a shuffled permutation without replacement).
 *
 * @module
 */
import { describeValue } from "./bit_generator.ts";
import { boundedInteger, integerRange, maskedUint32 } from "./bounded_integers.ts";
import { checkNormalArguments, checkSize, integerArguments } from "./generator.ts";
import { log } from "./libm.ts";
import { MT19937 } from "./mt19937.ts";

/**
 * The exact state of a {@linkcode RandomState} (numpy's `get_state()`), JSON-serialisable.
 *
 * @example
 * ```ts
 * import { RandomState } from "./random_state.ts";
 * const s = new RandomState(0).getState();
 * s.key.length; // 624
 * s.hasGauss; // false
 * ```
 */
export type RandomStateState = {
  /** Always "MT19937". */
  bitGenerator: "MT19937";
  /** The 624 MT19937 state words. */
  key: number[];
  /** The MT19937 position (624 right after seeding). */
  pos: number;
  /** Whether a cached normal variate is waiting (numpy's `has_gauss`). */
  hasGauss: boolean;
  /** The cached variate (numpy's `cached_gaussian`; 0 when none). */
  gauss: number;
};

const SQRT_EPS = Math.sqrt(2 ** -52); // numpy's atol for sum(p) = 1

/**
 * numpy's legacy `RandomState(seed)`: same seed, same numbers.
 *
 * @example
 * ```ts
 * import { RandomState } from "./random_state.ts";
 * const rs = new RandomState(0);
 * rs.uniform(-Math.PI, Math.PI); // 0.3067042906681201
 * rs.randn(2); // Float64Array(2)
 * rs.choice(3, undefined, true, [0.2, 0.5, 0.3]); // an index 0..2
 * ```
 */
export class RandomState {
  readonly #mt: MT19937;
  #hasGauss = false;
  #gauss = 0;

  /** @param seed an integer in [0, 2^32 − 1]; omitted: OS entropy. */
  constructor(seed?: number) {
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new RangeError(
        `RandomState: the seed must be an integer between 0 and 2**32 - 1, got ` +
          describeValue(seed),
      );
    }
    this.#mt = new MT19937(seed);
  }

  /** A double in [0, 1) (numpy's `random_sample()`). */
  randomSample(): number;
  /** `size` doubles in [0, 1). */
  randomSample(size: number): Float64Array;
  /** One double, or `size` of them. */
  randomSample(size?: number): number | Float64Array;
  randomSample(size?: number): number | Float64Array {
    checkSize("RandomState.randomSample", size);
    const mt = this.#mt;
    if (size === undefined) return mt.nextDouble();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = mt.nextDouble();
    return out;
  }

  /** numpy's `rand(size)`: the same as {@linkcode RandomState.randomSample}. */
  rand(): number;
  /** `size` doubles in [0, 1). */
  rand(size: number): Float64Array;
  rand(size?: number): number | Float64Array {
    return this.randomSample(size);
  }

  /** `low + (high − low) · randomSample()`; low > high is allowed, as in numpy. */
  uniform(low?: number, high?: number): number;
  /** `size` such doubles. */
  uniform(low: number, high: number, size: number): Float64Array;
  /** One double, or `size` of them. */
  uniform(low?: number, high?: number, size?: number): number | Float64Array;
  uniform(low = 0.0, high = 1.0, size?: number): number | Float64Array {
    checkSize("RandomState.uniform", size);
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new RangeError(
        `RandomState.uniform: high - low is not finite (low = ${describeValue(low)}, high = ` +
          `${describeValue(high)}); pass finite bounds`,
      );
    }
    const mt = this.#mt;
    if (size === undefined) return low + range * mt.nextDouble();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = low + range * mt.nextDouble();
    return out;
  }

  /** One legacy Gaussian: the cached spare if there is one, else a fresh polar pair. */
  #gaussian(): number {
    if (this.#hasGauss) {
      const spare = this.#gauss;
      this.#hasGauss = false;
      this.#gauss = 0;
      return spare;
    }
    const mt = this.#mt;
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2.0 * mt.nextDouble() - 1.0;
      x2 = 2.0 * mt.nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt(-2.0 * log(r2) / r2);
    this.#gauss = f * x1;
    this.#hasGauss = true;
    return f * x2;
  }

  /** A standard normal variate (legacy polar Box–Muller with the cached spare). */
  standardNormal(): number;
  /** `size` standard normal variates. */
  standardNormal(size: number): Float64Array;
  /** One variate, or `size` of them. */
  standardNormal(size?: number): number | Float64Array;
  standardNormal(size?: number): number | Float64Array {
    checkSize("RandomState.standardNormal", size);
    if (size === undefined) return this.#gaussian();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.#gaussian();
    return out;
  }

  /** numpy's `randn()`: one standard normal variate. */
  randn(): number;
  /** numpy's `randn(size)`. */
  randn(size: number): Float64Array;
  randn(size?: number): number | Float64Array {
    checkSize("RandomState.randn", size);
    return this.standardNormal(size);
  }

  /** N(loc, scale²) from the legacy Gaussian (numpy's `RandomState.normal`). */
  normal(loc?: number, scale?: number): number;
  /** `size` such variates. */
  normal(loc: number, scale: number, size: number): Float64Array;
  normal(loc = 0.0, scale = 1.0, size?: number): number | Float64Array {
    checkSize("RandomState.normal", size);
    checkNormalArguments("RandomState.normal", loc, scale);
    if (size === undefined) return loc + scale * this.#gaussian();
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = loc + scale * this.#gaussian();
    return out;
  }

  /** A uniform integer in [low, high) (`randint(n)`: [0, n)), by masked rejection. */
  randint(low: number, high?: number): number;
  /** `size` such integers. */
  randint(low: number, high: number | undefined, size: number): number[];
  /** One integer, or `size` of them. */
  randint(low: number, high?: number, size?: number): number | number[];
  randint(low: number, high?: number, size?: number): number | number[] {
    checkSize("RandomState.randint", size);
    const args = integerArguments("RandomState.randint", low, high);
    const range = integerRange(args.low, args.high);
    if (size === undefined) return boundedInteger(this.#mt, range, true);
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) out[i] = boundedInteger(this.#mt, range, true);
    return out;
  }

  /** A random permutation of 0..n−1 (numpy's legacy `permutation(n)`: Fisher–Yates, last first). */
  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
      throw new RangeError(
        `RandomState.permutation: n must be a non-negative integer below 2^32, got ${
          describeValue(n)
        }`,
      );
    }
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = maskedUint32(this.#mt, i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /**
   * numpy's legacy `choice`: an element of `a` (or of 0..a−1 for an integer `a`), with replacement
   * unless `replace` is false, with probabilities `p` when given (must sum to 1 within 1.5e-8).
   */
  choice(
    a: number | readonly number[],
    size?: undefined,
    replace?: boolean,
    p?: readonly number[],
  ): number;
  /** `size` elements. */
  choice(
    a: number | readonly number[],
    size: number,
    replace?: boolean,
    p?: readonly number[],
  ): number[];
  /** One element, or `size` of them. */
  choice(
    a: number | readonly number[],
    size?: number,
    replace?: boolean,
    p?: readonly number[],
  ): number | number[];
  choice(
    a: number | readonly number[],
    size?: number,
    replace = true,
    p?: readonly number[],
  ): number | number[] {
    checkSize("RandomState.choice", size);
    const count = size ?? 1;
    let popSize: number;
    if (typeof a === "number") {
      if (!Number.isSafeInteger(a)) {
        throw new TypeError(
          `RandomState.choice: a must be an integer or an array, got ${describeValue(a)}`,
        );
      }
      if (a <= 0 && count !== 0) {
        throw new RangeError(
          `RandomState.choice: a must be greater than 0 unless no samples are taken, got ${a}`,
        );
      }
      popSize = a;
    } else if (Array.isArray(a)) {
      popSize = a.length;
      if (popSize === 0 && count !== 0) {
        throw new RangeError(
          "RandomState.choice: 'a' cannot be empty unless no samples are taken",
        );
      }
    } else {
      throw new TypeError(
        `RandomState.choice: a must be an integer or an array of numbers, got ${describeValue(a)}`,
      );
    }
    let probs: Float64Array | null = null;
    if (p !== undefined) probs = checkProbabilities(p, popSize);

    let idx: number[];
    if (replace) {
      if (probs !== null) {
        const cdf = normalisedCdf(probs);
        const u = this.randomSample(count);
        idx = Array.from(u, (x) => searchSortedRight(cdf, x));
      } else {
        idx = this.randint(0, popSize, count);
      }
    } else {
      if (count > popSize) {
        throw new RangeError(
          `RandomState.choice: cannot take a larger sample (${count}) than the population ` +
            `(${popSize}) when replace is false`,
        );
      }
      if (probs !== null) idx = this.#choiceWithoutReplacement(probs, count);
      else idx = this.permutation(popSize).slice(0, count);
    }
    const values = typeof a === "number" ? idx : idx.map((i) => a[i]);
    return size === undefined ? values[0] : values;
  }

  /** numpy's loop: draw, drop repeats (keeping first occurrences), zero the chosen p, repeat. */
  #choiceWithoutReplacement(probs: Float64Array, count: number): number[] {
    let positive = 0;
    for (const q of probs) if (q > 0) positive++;
    if (positive < count) {
      throw new RangeError(
        `RandomState.choice: fewer non-zero entries in p (${positive}) than size (${count})`,
      );
    }
    const p = Float64Array.from(probs);
    const found: number[] = [];
    while (found.length < count) {
      const x = this.randomSample(count - found.length);
      for (const i of found) p[i] = 0;
      const cdf = normalisedCdf(p);
      const seen = new Set<number>();
      for (const u of x) {
        const j = searchSortedRight(cdf, u);
        if (!seen.has(j)) {
          seen.add(j);
          found.push(j);
        }
      }
    }
    return found;
  }

  /** The exact state (numpy's `get_state()`), JSON-serialisable. */
  getState(): RandomStateState {
    const { key, pos } = this.#mt.getState();
    return { bitGenerator: "MT19937", key, pos, hasGauss: this.#hasGauss, gauss: this.#gauss };
  }

  /** Restores a state from {@linkcode RandomState.getState}. */
  setState(s: RandomStateState): void {
    if (
      s === null || typeof s !== "object" || s.bitGenerator !== "MT19937" ||
      typeof s.hasGauss !== "boolean" || typeof s.gauss !== "number" || !Number.isFinite(s.gauss)
    ) {
      throw new TypeError(
        `RandomState.setState: expected getState()'s object ({ bitGenerator: "MT19937", key, ` +
          `pos, hasGauss, gauss }), got ${describeValue(s)}`,
      );
    }
    this.#mt.setState({ key: s.key, pos: s.pos });
    this.#hasGauss = s.hasGauss;
    this.#gauss = s.gauss;
  }
}

/** Validates p as numpy's `choice` does; returns it as doubles. */
function checkProbabilities(p: readonly number[], popSize: number): Float64Array {
  if (!Array.isArray(p) && !ArrayBuffer.isView(p)) {
    throw new TypeError(
      `RandomState.choice: p must be an array of numbers, got ${describeValue(p)}`,
    );
  }
  if (p.length !== popSize) {
    throw new RangeError(
      `RandomState.choice: 'a' and 'p' must have the same size (${popSize} vs ${p.length})`,
    );
  }
  const probs = Float64Array.from(p);
  // numpy checks the sum with Kahan summation
  let sum = probs.length > 0 ? probs[0] : 0;
  let c = 0;
  for (let i = 1; i < probs.length; i++) {
    const y = probs[i] - c;
    const t = sum + y;
    c = (t - sum) - y;
    sum = t;
  }
  if (Number.isNaN(sum)) throw new RangeError("RandomState.choice: probabilities contain NaN");
  if (probs.some((q) => q < 0)) {
    throw new RangeError("RandomState.choice: probabilities are not non-negative");
  }
  if (Math.abs(sum - 1) > SQRT_EPS) {
    throw new RangeError(`RandomState.choice: probabilities do not sum to 1 (sum = ${sum})`);
  }
  return probs;
}

/** cumsum(p) / cumsum(p)[-1], as numpy computes it. */
function normalisedCdf(p: Float64Array): Float64Array {
  const cdf = new Float64Array(p.length);
  let acc = 0;
  for (let i = 0; i < p.length; i++) cdf[i] = acc += p[i];
  const total = cdf[p.length - 1];
  for (let i = 0; i < p.length; i++) cdf[i] /= total;
  return cdf;
}

/** The number of entries ≤ x in the sorted `cdf` (numpy's `searchsorted(x, side="right")`). */
function searchSortedRight(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
