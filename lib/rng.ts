/**
 * Deterministic, seedable pseudo-random numbers for everything in pgsubspace that draws at random
 * (environment resets, action sampling, mini-batch permutations, initialisation, Lanczos start
 * vectors).
 *
 * Algorithm: **xoshiro128\*\*** (Blackman & Vigna, 2018) on four 32-bit words, seeded by running
 * **SplitMix32** over the seed. It has period 2^128 − 1, passes BigCrush, and needs only 32-bit
 * integer arithmetic, which JavaScript does exactly and fast (`Math.imul`, `>>>`).
 *
 * - `uniform()` takes two 32-bit outputs and builds a float64 in [0, 1) with 53 random bits,
 *   the same construction as numpy's `random_sample` (27 + 26 bits).
 * - `normal()` uses the Box–Muller transform on two fresh uniforms and returns one of the two
 *   variates (no cached spare), so the complete state is the four words returned by `getState()`.
 *
 * The same seed gives the same sequence on every platform and backend.
 *
 * @module
 */

/** Serialisable generator state: the four xoshiro128** words as unsigned 32-bit integers. */
export type RngState = [number, number, number, number];

/** SplitMix32 step: used only to expand a seed into the four xoshiro words. */
function splitMix32(x: number): [number, number] {
  const next = (x + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/**
 * A seeded xoshiro128** generator.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const rng = new Rng(42);
 * const u = rng.uniform(); // in [0, 1)
 * const x = rng.normal(); // standard normal
 * const again = new Rng(42).uniform(); // === u
 * ```
 */
export class Rng {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  /**
   * @param seed a non-negative safe integer (up to 2^53 − 1). Both 32-bit halves enter the state.
   * @param stream an optional stream number: `new Rng(seed, 1)` is independent of `new Rng(seed)`.
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`Rng seed must be a non-negative safe integer, got ${seed}`);
    }
    if (!Number.isSafeInteger(stream) || stream < 0) {
      throw new RangeError(`Rng stream must be a non-negative safe integer, got ${stream}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    // Mix seed halves and stream into one 32-bit SplitMix start; SplitMix then decorrelates.
    let x = lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitMix32(x);
      x = next;
      words.push(out);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // all-zero is a fixed point
    this.setState(words as RngState);
  }

  /** The next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.#s2 = s2 ^ s0;
    this.#s3 = s3 ^ s1;
    this.#s1 = s1 ^ this.#s2;
    this.#s0 = s0 ^ this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return r >>> 0;
  }

  /** A float64 uniform in [low, high) (default [0, 1)), with 53 random bits. */
  uniform(low = 0, high = 1): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    const u = (a * 67108864 + b) / 9007199254740992;
    return low + (high - low) * u;
  }

  /** A standard normal variate (Box–Muller), scaled to mean `mean` and std `std`. */
  normal(mean = 0, std = 1): number {
    // 1 − u lies in (0, 1], so the log is finite.
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n), without modulo bias (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new RangeError(`Rng.int needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fills `out` with uniforms in [low, high) and returns it. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Fills `out` with normals N(mean, std²) and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A fresh non-negative 31-bit integer seed, for seeding child generators or environments. */
  seed(): number {
    return this.nextUint32() >>> 1;
  }

  /** The complete state (for checkpoints). */
  getState(): RngState {
    return [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0];
  }

  /** Restores a state from `getState()`; the sequence then continues exactly. */
  setState(state: RngState): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !isUint32(w))) {
      throw new TypeError(
        `Rng state must be four unsigned 32-bit integers, got ${JSON.stringify(state)}`,
      );
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      throw new RangeError("Rng state must not be all zeros (xoshiro's fixed point)");
    }
    this.#s0 = state[0] | 0;
    this.#s1 = state[1] | 0;
    this.#s2 = state[2] | 0;
    this.#s3 = state[3] | 0;
  }

  /** An independent copy with the same state. */
  clone(): Rng {
    const r = new Rng(0);
    r.setState(this.getState());
    return r;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function isUint32(w: unknown): w is number {
  return typeof w === "number" && Number.isInteger(w) && w >= 0 && w < 2 ** 32;
}
