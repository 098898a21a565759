/**
 * NumPy's `np.sum(np.square(x))` with its exact rounding: NumPy 2 reduces contiguous arrays by
 * pairwise summation (plain accumulation below 8 elements, 8 interleaved partial sums up to 128,
 * halves above), in the array's dtype. Gymnasium's control and contact costs are such sums, so
 * matching the order keeps our rewards bit-identical to Gymnasium's rather than merely close.
 *
 * @module
 */

/**
 * `np.sum(np.square(x))` for `x[offset .. offset + n)`: in float64, or in float32 (every product
 * and partial sum rounded to float32) when `float32` is set, as NumPy computes it for a float32
 * array (e.g. an action from a float32 policy).
 *
 * @example
 * ```ts
 * import { sumOfSquares } from "./reductions.ts";
 * sumOfSquares([1, 2, 3]); // 14
 * sumOfSquares(new Float32Array([0.1, 0.2]), true); // Math.fround(Math.fround(0.1 ** 2) + ...)
 * ```
 */
export function sumOfSquares(
  x: ArrayLike<number>,
  float32 = false,
  offset = 0,
  n = x.length - offset,
): number {
  return float32 ? pairwise32(x, offset, n) : pairwise64(x, offset, n);
}

function pairwise64(x: ArrayLike<number>, i0: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = i0; i < i0 + n; i++) res += x[i] * x[i];
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = x[i0 + j] * x[i0 + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += x[i0 + i + j] * x[i0 + i + j];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += x[i0 + i] * x[i0 + i];
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise64(x, i0, half) + pairwise64(x, i0 + half, n - half);
}

function pairwise32(x: ArrayLike<number>, i0: number, n: number): number {
  const f = Math.fround;
  const sq = (v: number) => f(f(v) * f(v));
  if (n < 8) {
    let res = -0;
    for (let i = i0; i < i0 + n; i++) res = f(res + sq(x[i]));
    return res;
  }
  if (n <= 128) {
    const r = new Float32Array(8);
    for (let j = 0; j < 8; j++) r[j] = sq(x[i0 + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += sq(x[i0 + i + j]);
    }
    let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) res = f(res + sq(x[i0 + i]));
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f(pairwise32(x, i0, half) + pairwise32(x, i0 + half, n - half));
}

/**
 * Gymnasium's control cost `weight * np.sum(np.square(action))`: float32 arithmetic for a
 * `Float32Array` action (NumPy keeps the float32 dtype and rounds the weight to float32), float64
 * otherwise.
 *
 * @example
 * ```ts
 * import { controlCost } from "./reductions.ts";
 * controlCost(0.1, [1, 2]); // 0.5
 * ```
 */
export function controlCost(weight: number, action: ArrayLike<number>): number {
  if (action instanceof Float32Array) {
    return Math.fround(Math.fround(weight) * pairwise32(action, 0, action.length));
  }
  return weight * pairwise64(action, 0, action.length);
}
