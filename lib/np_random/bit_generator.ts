/**
 * What numpy's samplers need from a bit generator (numpy's `bitgen_t`): 64-bit outputs, 32-bit
 * outputs and doubles in [0, 1). {@linkcode PCG64} and {@linkcode MT19937} implement it.
 *
 * @module
 */

/**
 * A source of raw random bits in numpy's sense. A 64-bit output is read as two unsigned 32-bit
 * halves (JavaScript numbers are exact up to 2^53, so a whole uint64 would need a BigInt):
 * `next64()` draws one and leaves it in `outHi` / `outLo`.
 *
 * @example
 * ```ts
 * import type { BitGenerator } from "./bit_generator.ts";
 * import { PCG64 } from "./pcg64.ts";
 * const bg: BitGenerator = new PCG64(0);
 * bg.next64();
 * const raw = (BigInt(bg.outHi) << 32n) | BigInt(bg.outLo); // 11749869230777074271n
 * ```
 */
export interface BitGenerator {
  /** Draws the next 64-bit output into {@linkcode outHi} and {@linkcode outLo}. */
  next64(): void;
  /** High 32 bits of the last `next64()` output, as an unsigned integer. */
  readonly outHi: number;
  /** Low 32 bits of the last `next64()` output, as an unsigned integer. */
  readonly outLo: number;
  /** The next 32-bit output (numpy's `next_uint32`), as an unsigned integer. */
  nextUint32(): number;
  /** The next double in [0, 1) (numpy's `next_double`). */
  nextDouble(): number;
}

/**
 * 2^-53: scales a 53-bit integer to a double in [0, 1).
 *
 * @example
 * ```ts
 * import { TWO_POW_MINUS_53 } from "./bit_generator.ts";
 * (2 ** 53 - 1) * TWO_POW_MINUS_53 < 1; // true
 * ```
 */
export const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/**
 * Describes a value for an error message (short, JSON where possible).
 *
 * @example
 * ```ts
 * import { describeValue } from "./bit_generator.ts";
 * describeValue(Number.NaN); // "NaN"
 * describeValue([1, 2]); // "[1,2]"
 * ```
 */
export function describeValue(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  try {
    const text = JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(v);
  }
}
