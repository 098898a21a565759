/**
 * The fused multiply-add of C's `fma` (a·b + c rounded once), emulated exactly in float64
 * arithmetic. glibc's FMA-compiled math functions (the ones numpy's samplers and pybox2d's
 * `sinf`/`cosf` run on x86-64) use it; reproducing them bit for bit needs it.
 *
 * @module
 */

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting constant for doubles
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: words[0] low, words[1] high

/** The rounding error of a + b (Knuth's TwoSum): a + b = (a ⊕ b) + twoSumError exactly. */
function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** The rounding error of a·b (Dekker's TwoProduct), exact for |a·b| well inside the range. */
function twoProductError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** x + y rounded to odd: the truncation of the exact sum, with the last bit set if inexact. */
function addRoundToOdd(x: number, y: number): number {
  const s = x + y;
  const err = twoSumError(x, y, s);
  if (err === 0) return s;
  bits[0] = s;
  if ((words[0] & 1) === 1) return s; // already odd: the truncation is s or s's neighbour
  // s rounded to an even neighbour; the odd neighbour on err's side is the rounded-to-odd sum.
  const awayFromZero = (err > 0) === (s > 0);
  if (awayFromZero) {
    words[0] = (words[0] + 1) >>> 0;
    if (words[0] === 0) words[1] = (words[1] + 1) >>> 0;
  } else {
    if (words[0] === 0) words[1] = (words[1] - 1) >>> 0;
    words[0] = (words[0] - 1) >>> 0;
  }
  return bits[0];
}

/**
 * The fused multiply-add a·b + c with a single rounding (C's `fma`), emulated exactly with
 * Boldo and Melquiond's rounding-to-odd algorithm (IEEE Trans. Computers 57(4), 2008): the exact
 * product as a double-double, an exact sum with c, the low parts added with rounding to odd, and
 * one final rounding. Exact for arguments whose product neither overflows nor underflows.
 *
 * @example
 * ```ts
 * import { fma } from "./fma.ts";
 * const a = 1 + 2 ** -30;
 * fma(a, a, -1); // 2^-29 + 2^-60 exactly, where a * a - 1 loses the 2^-60
 * ```
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || p === 0 || c === 0) return p + c;
  const pl = twoProductError(a, b, p);
  const th = c + p;
  const tl = twoSumError(c, p, th);
  return th + addRoundToOdd(tl, pl);
}
