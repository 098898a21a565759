/**
 * The Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998) as numpy's legacy `RandomState`
 * runs it: 624 32-bit words of state and a position; integer seeds use the reference
 * `init_genrand` (key[0] = seed, key[i] = 1812433253 · (key[i−1] ⊕ key[i−1] >> 30) + i), with the
 * position at 624 so that the first draw regenerates the whole block.
 *
 * As a {@linkcode BitGenerator}: `nextUint32` is one tempered output; `next64` takes two, the
 * first as the high half; `nextDouble` takes two, a 27-bit and a 26-bit part
 * ((a >> 5) · 2^26 + (b >> 6)) / 2^53.
 *
 * @module
 */
import { type BitGenerator, describeValue, TWO_POW_MINUS_53 } from "./bit_generator.ts";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * The exact state of an {@linkcode MT19937}: the 624 key words and the position.
 *
 * @example
 * ```ts
 * import { MT19937 } from "./mt19937.ts";
 * const { key, pos } = new MT19937(0).getState();
 * key.slice(0, 4); // [0, 1, 1812433255, 1900727105]
 * pos; // 624
 * ```
 */
export interface MT19937State {
  /** The 624 state words, unsigned 32-bit integers. */
  key: number[];
  /** Index of the next word to temper (624: regenerate first). */
  pos: number;
}

/**
 * MT19937 with numpy's legacy integer seeding.
 *
 * @example
 * ```ts
 * import { MT19937 } from "./mt19937.ts";
 * const mt = new MT19937(5489);
 * mt.nextUint32(); // 3499211612, the reference implementation's first output
 * ```
 */
export class MT19937 implements BitGenerator {
  readonly #key = new Uint32Array(N);
  #pos = N;
  /** High 32 bits of the last {@linkcode MT19937.next64} output. */
  outHi = 0;
  /** Low 32 bits of the last {@linkcode MT19937.next64} output. */
  outLo = 0;

  /**
   * @param seed an integer in [0, 2^32 − 1] (numpy's `RandomState(seed)`); omitted: 624 words
   *   from the OS entropy source.
   */
  constructor(seed?: number) {
    if (seed === undefined) {
      crypto.getRandomValues(this.#key);
      this.#key[0] |= UPPER_MASK; // never the all-zero state
      return;
    }
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(
        `MT19937: the seed must be an integer between 0 and 2**32 - 1, got ${describeValue(seed)}`,
      );
    }
    const key = this.#key;
    key[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = key[i - 1];
      key[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
  }

  /** Regenerates the 624 words (the "twist"). */
  #twist(): void {
    const key = this.#key;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M] ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A);
    }
    for (; i < N - 1; i++) {
      const y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M - N] ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A);
    }
    const y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[N - 1] = key[M - 1] ^ (y >>> 1) ^ ((y & 1) === 0 ? 0 : MATRIX_A);
    this.#pos = 0;
  }

  /** The next tempered 32-bit output, unsigned. */
  nextUint32(): number {
    if (this.#pos === N) this.#twist();
    let y = this.#key[this.#pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Two outputs as one 64-bit value, the first one high (numpy's `mt19937_next64`). */
  next64(): void {
    this.outHi = this.nextUint32();
    this.outLo = this.nextUint32();
  }

  /** A double in [0, 1) with 53 random bits from two outputs. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * TWO_POW_MINUS_53;
  }

  /** The exact state (a copy). */
  getState(): MT19937State {
    return { key: Array.from(this.#key), pos: this.#pos };
  }

  /** Restores a state from {@linkcode MT19937.getState}. */
  setState(s: MT19937State): void {
    if (
      s === null || typeof s !== "object" || !Array.isArray(s.key) || s.key.length !== N ||
      !s.key.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      !Number.isInteger(s.pos) || s.pos < 0 || s.pos > N
    ) {
      throw new TypeError(
        `MT19937.setState: expected { key: 624 unsigned 32-bit integers, pos: 0..624 }, got ` +
          describeValue(s),
      );
    }
    this.#key.set(s.key);
    this.#pos = s.pos;
  }
}
