/**
 * Dense float64 vector kernels used by the eigensolvers and the subspace metrics.
 *
 * Conventions for all of `lib/linalg` and `lib/subspaces`:
 * - A vector is a `Float64Array` (inputs that are only read may also be `Float32Array`, e.g. a
 *   gradient straight from tfjs; every reduction still runs in float64).
 * - A matrix is a row-major `Float64Array` of length `rows × cols`: entry (i, j) is `a[i * cols + j]`.
 * - A basis (a set of k vectors of length n) is a `Float64Array[]` of k vectors.
 *
 * Lengths are checked: a mismatch throws a `RangeError` that names both lengths.
 *
 * @module
 */

/** A read-only numeric vector: float64, or float32 as it comes out of tfjs. */
export type VectorLike = Float64Array | Float32Array;

function checkSameLength(a: VectorLike, b: VectorLike, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${what}: vector lengths differ (${a.length} vs ${b.length}); pass vectors of the same dimension`,
    );
  }
}

/**
 * Inner product xᵀy = Σᵢ xᵢ yᵢ, accumulated in float64.
 *
 * @example
 * ```ts
 * import { dot } from "./vector.ts";
 * dot(new Float64Array([1, 2]), new Float64Array([3, 4])); // 11
 * ```
 */
export function dot(x: VectorLike, y: VectorLike): number {
  checkSameLength(x, y, "dot");
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/**
 * Euclidean norm ‖x‖₂ = √(Σᵢ xᵢ²). Scaled by max |xᵢ| first, so it neither overflows nor
 * underflows for extreme entries.
 *
 * @example
 * ```ts
 * import { norm } from "./vector.ts";
 * norm(new Float64Array([3, 4])); // 5
 * ```
 */
export function norm(x: VectorLike): number {
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > scale) scale = a;
  }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  const inv = 1 / scale;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] * inv;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/**
 * y ← y + αx (in place); returns `y`.
 *
 * @example
 * ```ts
 * import { axpy } from "./vector.ts";
 * const y = new Float64Array([1, 1]);
 * axpy(2, new Float64Array([1, 2]), y); // y = [3, 5]
 * ```
 */
export function axpy(alpha: number, x: VectorLike, y: Float64Array): Float64Array {
  checkSameLength(x, y, "axpy");
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
  return y;
}

/**
 * x ← αx (in place); returns `x`.
 *
 * @example
 * ```ts
 * import { scale } from "./vector.ts";
 * scale(0.5, new Float64Array([2, 4])); // [1, 2]
 * ```
 */
export function scale(alpha: number, x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
  return x;
}

/**
 * A float64 copy of `x` (also converts a `Float32Array`).
 *
 * @example
 * ```ts
 * import { copy } from "./vector.ts";
 * const y = copy(new Float32Array([1, 2])); // Float64Array [1, 2]
 * ```
 */
export function copy(x: VectorLike): Float64Array {
  return Float64Array.from(x);
}

/**
 * Removes from `x` (in place) its components along the orthonormal vectors `basis`:
 * x ← (I − Q Qᵀ) x with Q = [q₁ … q_m].
 *
 * Classical Gram–Schmidt applied **twice** ("twice is enough", Kahan–Parlett): the first pass
 * leaves an error of order ε·‖x‖·κ, the second pass removes it, so the result is orthogonal to
 * the basis to working precision even when x lies almost inside span(Q). Each pass computes all
 * coefficients Qᵀx first and then subtracts, which streams through the basis vectors.
 *
 * @param basis orthonormal vectors (not checked); only the first `count` are used when given.
 * @param x the vector to orthogonalise, overwritten.
 * @param coefficients optional output: receives the total coefficients Qᵀx₀ (sum of both passes).
 * @returns `x`.
 *
 * @example
 * ```ts
 * import { orthogonalize } from "./vector.ts";
 * const e1 = new Float64Array([1, 0, 0]);
 * orthogonalize([e1], new Float64Array([3, 4, 0])); // [0, 4, 0]
 * ```
 */
export function orthogonalize(
  basis: readonly VectorLike[],
  x: Float64Array,
  coefficients?: Float64Array,
  count: number = basis.length,
): Float64Array {
  if (count > basis.length) {
    throw new RangeError(`orthogonalize: count ${count} exceeds the basis size ${basis.length}`);
  }
  const h = new Float64Array(count);
  if (coefficients) coefficients.fill(0, 0, count);
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < count; j++) h[j] = dot(basis[j], x);
    for (let j = 0; j < count; j++) {
      const q = basis[j];
      const c = h[j];
      for (let i = 0; i < x.length; i++) x[i] -= c * q[i];
      if (coefficients) coefficients[j] += c;
    }
  }
  return x;
}
