/**
 * numpy's bounded-integer samplers (`random_bounded_uint64_fill` and friends): a uniform integer
 * in [0, rng] for an inclusive range `rng`, drawn from a {@linkcode BitGenerator}.
 *
 * - `Generator.integers` uses Lemire's multiply-shift with rejection: for rng < 2^32 − 1 on
 *   32-bit draws (`nextUint32`, so PCG64's buffered halves), for larger ranges on 64-bit draws;
 *   rng = 2^32 − 1 takes one 32-bit draw as is, rng = 0 draws nothing.
 * - `RandomState.randint` (legacy) uses masked rejection: draw, AND with the smallest all-ones
 *   mask ≥ rng, retry while above rng.
 *
 * Ranges are limited to what JavaScript numbers hold exactly: the bounds of a call are safe
 * integers, so rng < 2^54. Wider-than-32-bit ranges are passed as two 32-bit words.
 *
 * @module
 */
import type { BitGenerator } from "./bit_generator.ts";

const TWO32 = 4294967296;
const UINT32_MAX = 4294967295;

/**
 * A range split into 32-bit words, with the offset added to draws: the value range is
 * [off, off + rng] as signed 64-bit integers.
 *
 * @example
 * ```ts
 * import { integerRange } from "./bounded_integers.ts";
 * const r = integerRange(-3, 5); // values -3..4
 * r.rngHi === 0 && r.rngLo === 7; // true
 * ```
 */
export interface IntegerRange {
  /** The lowest value (a safe integer). */
  low: number;
  /** High 32 bits of the inclusive range rng = high − 1 − low. */
  rngHi: number;
  /** Low 32 bits of rng. */
  rngLo: number;
}

/**
 * The inclusive range of [low, high) for safe integers low < high (rng = high − 1 − low, which
 * may exceed 2^53 and is therefore computed exactly in words).
 *
 * @example
 * ```ts
 * import { integerRange } from "./bounded_integers.ts";
 * integerRange(0, 2 ** 32 + 1); // { low: 0, rngHi: 1, rngLo: 0 }
 * ```
 */
export function integerRange(low: number, high: number): IntegerRange {
  const span = high - low; // exact when below 2^53 (a rounded result below 2^53 was exact)
  if (span < 9007199254740992) {
    const rng = span - 1;
    const rngHi = Math.floor(rng / TWO32);
    return { low, rngHi, rngLo: rng - rngHi * TWO32 };
  }
  const rng = BigInt(high) - 1n - BigInt(low);
  return { low, rngHi: Number(rng >> 32n), rngLo: Number(rng & 0xffffffffn) };
}

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHi32(x: number, y: number): number {
  const yHi = y >>> 16;
  const yLo = y & 0xffff;
  const p = x * yHi; // < 2^48
  const q = x * yLo; // < 2^48
  const pHi = Math.floor(p / 65536);
  // x·y = p·2^16 + q = pHi·2^32 + ((p − pHi·2^16)·2^16 + q)
  return pHi + Math.floor(((p - pHi * 65536) * 65536 + q) / TWO32);
}

/**
 * Lemire's method on 32-bit draws for an inclusive range 0 < rng < 2^32 − 1 (numpy's
 * `buffered_bounded_lemire_uint32`).
 *
 * @example
 * ```ts
 * import { lemireUint32 } from "./bounded_integers.ts";
 * import { PCG64 } from "./pcg64.ts";
 * lemireUint32(new PCG64(0), 9); // 8, numpy's default_rng(0).integers(0, 10)
 * ```
 */
export function lemireUint32(bg: BitGenerator, rng: number): number {
  const excl = rng + 1;
  let x = bg.nextUint32();
  let leftover = Math.imul(x, excl) >>> 0;
  if (leftover < excl) {
    const threshold = (UINT32_MAX - rng) % excl;
    while (leftover < threshold) {
      x = bg.nextUint32();
      leftover = Math.imul(x, excl) >>> 0;
    }
  }
  return mulHi32(x, excl);
}

// Scratch for the 64×64 → 128-bit product in lemireUint64: four 32-bit words, low first.
const product = new Float64Array(4);

/** x · y for 64-bit x = (xh, xl) and y = (yh, yl), into `product` (16-bit columns, exact). */
function mul64(xh: number, xl: number, yh: number, yl: number): void {
  const x0 = xl & 0xffff, x1 = xl >>> 16, x2 = xh & 0xffff, x3 = xh >>> 16;
  const y0 = yl & 0xffff, y1 = yl >>> 16, y2 = yh & 0xffff, y3 = yh >>> 16;
  let t = x0 * y0;
  let c = Math.floor(t / 65536);
  const n0 = t - c * 65536;
  t = x0 * y1 + x1 * y0 + c;
  c = Math.floor(t / 65536);
  const n1 = t - c * 65536;
  t = x0 * y2 + x1 * y1 + x2 * y0 + c;
  c = Math.floor(t / 65536);
  const n2 = t - c * 65536;
  t = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0 + c;
  c = Math.floor(t / 65536);
  const n3 = t - c * 65536;
  t = x1 * y3 + x2 * y2 + x3 * y1 + c;
  c = Math.floor(t / 65536);
  const n4 = t - c * 65536;
  t = x2 * y3 + x3 * y2 + c;
  c = Math.floor(t / 65536);
  const n5 = t - c * 65536;
  t = x3 * y3 + c;
  c = Math.floor(t / 65536);
  const n6 = t - c * 65536;
  product[0] = n1 * 65536 + n0;
  product[1] = n3 * 65536 + n2;
  product[2] = n5 * 65536 + n4;
  product[3] = c * 65536 + n6;
}

/** a < b for 64-bit (ah, al) and (bh, bl). */
function less64(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && al < bl);
}

/**
 * Lemire's method on 64-bit draws for an inclusive range rng ≥ 2^32 (numpy's
 * `bounded_lemire_uint64`), rng given as words; returns the 64-bit result as words in `out`.
 *
 * @example
 * ```ts
 * import { lemireUint64 } from "./bounded_integers.ts";
 * import { PCG64 } from "./pcg64.ts";
 * const out = [0, 0];
 * lemireUint64(new PCG64(0), 255, 0xffffffff, out); // rng = 2^40 − 1
 * ```
 */
export function lemireUint64(bg: BitGenerator, rngHi: number, rngLo: number, out: number[]): void {
  // excl = rng + 1 (no overflow: rng < 2^54 here)
  let exclLo = rngLo + 1;
  let exclHi = rngHi;
  if (exclLo === TWO32) {
    exclLo = 0;
    exclHi += 1;
  }
  bg.next64();
  mul64(bg.outHi, bg.outLo, exclHi, exclLo);
  if (less64(product[1], product[0], exclHi, exclLo)) {
    // threshold = (2^64 − 1 − rng) mod excl = (2^64 − excl) mod excl
    const excl = (BigInt(exclHi) << 32n) | BigInt(exclLo);
    const threshold = ((1n << 64n) - excl) % excl;
    const thHi = Number(threshold >> 32n);
    const thLo = Number(threshold & 0xffffffffn);
    while (less64(product[1], product[0], thHi, thLo)) {
      bg.next64();
      mul64(bg.outHi, bg.outLo, exclHi, exclLo);
    }
  }
  out[0] = product[3];
  out[1] = product[2];
}

/**
 * The smallest all-ones mask ≥ x for 0 ≤ x < 2^32 (numpy's `gen_mask`).
 *
 * @example
 * ```ts
 * import { mask32 } from "./bounded_integers.ts";
 * mask32(9); // 15
 * ```
 */
export function mask32(x: number): number {
  let m = x >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

/**
 * Masked rejection on 32-bit draws for an inclusive range 0 < rng < 2^32 (numpy's legacy
 * `buffered_bounded_masked_uint32` and `random_interval`).
 *
 * @example
 * ```ts
 * import { maskedUint32 } from "./bounded_integers.ts";
 * import { MT19937 } from "./mt19937.ts";
 * maskedUint32(new MT19937(0), 9); // 5, numpy's RandomState(0).randint(10)
 * ```
 */
export function maskedUint32(bg: BitGenerator, rng: number): number {
  const mask = mask32(rng);
  let v = (bg.nextUint32() & mask) >>> 0;
  while (v > rng) v = (bg.nextUint32() & mask) >>> 0;
  return v;
}

/**
 * Masked rejection on 64-bit draws for an inclusive range rng ≥ 2^32 (numpy's legacy
 * `bounded_masked_uint64`); the result as words in `out` ([hi, lo]).
 *
 * @example
 * ```ts
 * import { maskedUint64 } from "./bounded_integers.ts";
 * import { MT19937 } from "./mt19937.ts";
 * const out = [0, 0];
 * maskedUint64(new MT19937(0), 1, 0, out); // rng = 2^32
 * ```
 */
export function maskedUint64(bg: BitGenerator, rngHi: number, rngLo: number, out: number[]): void {
  const maskHi = mask32(rngHi);
  for (;;) {
    bg.next64();
    const vh = (bg.outHi & maskHi) >>> 0;
    const vl = bg.outLo;
    if (!less64(rngHi, rngLo, vh, vl)) {
      out[0] = vh;
      out[1] = vl;
      return;
    }
  }
}

/**
 * One integer in [range.low, range.low + rng], as numpy's `random_bounded_uint64_fill` draws it:
 * `masked` selects the legacy masked rejection, otherwise Lemire's method.
 *
 * @example
 * ```ts
 * import { boundedInteger, integerRange } from "./bounded_integers.ts";
 * import { PCG64 } from "./pcg64.ts";
 * boundedInteger(new PCG64(0), integerRange(0, 10), false); // 8
 * ```
 */
export function boundedInteger(bg: BitGenerator, range: IntegerRange, masked: boolean): number {
  const { low, rngHi, rngLo } = range;
  if (rngHi === 0) {
    if (rngLo === 0) return low;
    if (rngLo === UINT32_MAX) return low + bg.nextUint32();
    return low + (masked ? maskedUint32(bg, rngLo) : lemireUint32(bg, rngLo));
  }
  const words = scratchWords;
  if (masked) maskedUint64(bg, rngHi, rngLo, words);
  else lemireUint64(bg, rngHi, rngLo, words);
  // low + value, where low + value is a safe integer: add as 64-bit words, read back as int64
  const lowBig = BigInt.asUintN(64, BigInt(low));
  let lo = Number(lowBig & 0xffffffffn) + words[1];
  let hi = Number(lowBig >> 32n) + words[0];
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  }
  return (hi | 0) * TWO32 + lo;
}
const scratchWords = [0, 0];
