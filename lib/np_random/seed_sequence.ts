/**
 * numpy's `SeedSequence` (numpy ≥ 1.17, O'Neill's seed_seq design): turns an integer seed (or an
 * array of them) into well-mixed 32-bit words for seeding bit generators.
 *
 * The entropy is split into 32-bit words (least significant first; array elements one after the
 * other), hashed into a pool of 4 words (`hashmix` with an evolving multiplier, then every pool
 * word mixed with every other), and `generateState` hashes the pool cyclically into as many words
 * as asked. All arithmetic is on unsigned 32-bit integers (`Math.imul`).
 *
 * @module
 */
import { describeValue } from "./bit_generator.ts";

const POOL_SIZE = 4;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;

/**
 * A seed: a non-negative integer (number up to 2^53 − 1, or any bigint), or an array of them.
 *
 * @example
 * ```ts
 * import type { SeedEntropy } from "./seed_sequence.ts";
 * const a: SeedEntropy = 42;
 * const b: SeedEntropy = [1, 2n ** 100n];
 * ```
 */
export type SeedEntropy = number | bigint | readonly (number | bigint)[];

/** The 32-bit words of one non-negative integer, least significant first ([0] for 0). */
function integerWords(x: number | bigint, what: string): number[] {
  let big: bigint;
  if (typeof x === "bigint") big = x;
  else if (Number.isSafeInteger(x)) big = BigInt(x);
  else {
    throw new RangeError(
      `${what}: expected a non-negative integer (numbers up to 2^53 - 1, larger as bigint), got ` +
        describeValue(x),
    );
  }
  if (big < 0n) {
    throw new RangeError(`${what}: expected a non-negative integer, got ${describeValue(x)}`);
  }
  if (big === 0n) return [0];
  const out: number[] = [];
  while (big > 0n) {
    out.push(Number(big & 0xffffffffn));
    big >>= 32n;
  }
  return out;
}

/**
 * The entropy as 32-bit words, as numpy's `_coerce_to_uint32_array` makes them.
 *
 * @example
 * ```ts
 * import { entropyWords } from "./seed_sequence.ts";
 * entropyWords(2 ** 40); // [0, 256]
 * entropyWords([1, 2 ** 40]); // [1, 0, 256]
 * ```
 */
export function entropyWords(entropy: SeedEntropy, what = "SeedSequence"): number[] {
  if (Array.isArray(entropy)) {
    return (entropy as readonly (number | bigint)[]).flatMap((x) => integerWords(x, what));
  }
  if (typeof entropy !== "number" && typeof entropy !== "bigint") {
    throw new TypeError(
      `${what}: expected an integer or an array of integers as entropy, got ` +
        describeValue(entropy),
    );
  }
  return integerWords(entropy as number | bigint, what);
}

/**
 * 128 bits from the operating system's entropy source, as numpy draws for an unseeded
 * `SeedSequence()`.
 *
 * @example
 * ```ts
 * import { osEntropy } from "./seed_sequence.ts";
 * osEntropy() < 2n ** 128n; // true
 * ```
 */
export function osEntropy(): bigint {
  const w = crypto.getRandomValues(new Uint32Array(4));
  return (BigInt(w[3]) << 96n) | (BigInt(w[2]) << 64n) | (BigInt(w[1]) << 32n) | BigInt(w[0]);
}

/**
 * numpy's `SeedSequence(entropy)` with the default pool size 4 and no spawn key.
 *
 * @example
 * ```ts
 * import { SeedSequence } from "./seed_sequence.ts";
 * const ss = new SeedSequence(0);
 * ss.pool; // Uint32Array [4265667335, 1328953910, 1320288413, 3365567143]
 * ss.generateState(4, "uint64"); // BigUint64Array [15793235383387715774n, ...]
 * ```
 */
export class SeedSequence {
  /** The entropy as given (for an unseeded sequence: the 128 bits drawn from the OS). */
  readonly entropy: number | bigint | readonly (number | bigint)[];
  /** The mixed pool of 4 unsigned 32-bit words. */
  readonly pool: Uint32Array;

  /**
   * @param entropy a non-negative integer or an array of them; omitted: 128 bits of OS entropy.
   */
  constructor(entropy?: SeedEntropy) {
    this.entropy = entropy === undefined
      ? osEntropy()
      : Array.isArray(entropy)
      ? Object.freeze([...entropy])
      : entropy as number | bigint;
    this.pool = mixEntropy(entropyWords(this.entropy));
  }

  /**
   * `nWords` words of state, as numpy's `generate_state(n_words, dtype)`: unsigned 32-bit words,
   * or 64-bit words each made of two consecutive 32-bit words (the first one low).
   */
  generateState(nWords: number, dtype?: "uint32"): Uint32Array;
  /** 64-bit words as a `BigUint64Array`. */
  generateState(nWords: number, dtype: "uint64"): BigUint64Array;
  /** Either kind, chosen at run time. */
  generateState(nWords: number, dtype: "uint32" | "uint64"): Uint32Array | BigUint64Array;
  generateState(
    nWords: number,
    dtype: "uint32" | "uint64" = "uint32",
  ): Uint32Array | BigUint64Array {
    if (!Number.isSafeInteger(nWords) || nWords < 0) {
      throw new RangeError(
        `SeedSequence.generateState: nWords must be a non-negative integer, got ` +
          describeValue(nWords),
      );
    }
    if (dtype === "uint32") return this.generateWords(nWords);
    if (dtype !== "uint64") {
      throw new TypeError(
        `SeedSequence.generateState: dtype must be "uint32" or "uint64", got ${
          describeValue(dtype)
        }`,
      );
    }
    const w = this.generateWords(2 * nWords);
    const out = new BigUint64Array(nWords);
    for (let i = 0; i < nWords; i++) out[i] = (BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]);
    return out;
  }

  /**
   * `n` unsigned 32-bit words of state (what `generateState(n, "uint32")` returns), without
   * BigInts: a uint64 state word k is `words[2k] + 2^32 · words[2k + 1]`.
   */
  generateWords(n: number): Uint32Array {
    const out = new Uint32Array(n);
    let hashConst = INIT_B;
    for (let i = 0; i < n; i++) {
      let v = this.pool[i % POOL_SIZE] ^ hashConst;
      hashConst = Math.imul(hashConst, MULT_B);
      v = Math.imul(v, hashConst);
      out[i] = v ^ (v >>> 16);
    }
    return out;
  }
}

/** numpy's `mix_entropy`: hash the entropy words into the pool, then mix the pool with itself. */
function mixEntropy(entropy: readonly number[]): Uint32Array {
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value ^= hashConst;
    hashConst = Math.imul(hashConst, MULT_A);
    value = Math.imul(value, hashConst);
    return value ^ (value >>> 16);
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) | 0;
    return r ^ (r >>> 16);
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  return pool;
}
