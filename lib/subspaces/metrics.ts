/**
 * The paper's subspace metrics as pure float64 functions (paper notes §4.2–§4.4).
 *
 * A basis is an array of orthonormal vectors, ordered by descending eigenvalue:
 * `eigenvectors[i]` = vᵢ with λ₁ ≥ λ₂ ≥ … (as returned by `lanczosTopK`); V_k = [v₁ … v_k] and the
 * projector is P_k = V_k V_kᵀ. Orthonormality is assumed, not checked. Vectors may be float32
 * (straight from tfjs); every sum is accumulated in float64.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import { householderQr } from "../linalg/qr.ts";
import type { VectorLike } from "../linalg/vector.ts";

/**
 * The subspace dimensions k analysed in the paper.
 *
 * @example
 * ```ts
 * import { SUBSPACE_DIMENSIONS } from "./metrics.ts";
 * SUBSPACE_DIMENSIONS.at(-1); // 100, the k of the headline figures
 * ```
 */
export const SUBSPACE_DIMENSIONS: readonly number[] = [1, 2, 5, 10, 20, 50, 100];

function checkBasis(who: string, basis: readonly VectorLike[], k: number, n?: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`${who}: k must be a positive integer, got ${k}`);
  }
  if (k > basis.length) {
    throw new RangeError(
      `${who}: k = ${k} but only ${basis.length} eigenvectors were given; compute at least k`,
    );
  }
  const len = n ?? basis[0].length;
  for (let i = 0; i < k; i++) {
    if (basis[i].length !== len) {
      throw new RangeError(
        `${who}: eigenvector ${i} has length ${basis[i].length}, expected ${len} ` +
          "(gradient and eigenvectors must come from the same network)",
      );
    }
  }
}

function squaredNormChecked(who: string, g: VectorLike): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) {
    const x = g[i];
    if (!Number.isFinite(x)) {
      throw new RangeError(`${who}: gradient entry ${i} is ${x}; the gradient must be finite`);
    }
    s += x * x;
  }
  if (s === 0) {
    throw new RangeError(
      `${who}: the gradient is zero, so S_frac = ‖P_k g‖²/‖g‖² is 0/0 (undefined); ` +
        "skip this gradient or check that the loss depends on these parameters",
    );
  }
  return s;
}

function dotF64(a: VectorLike, b: VectorLike): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Gradient subspace fraction (paper Eq. 5):
 *
 *   S_frac(P_k, g) = ‖P_k g‖² / ‖g‖² = ‖V_kᵀ g‖² / ‖g‖² = Σ_{i≤k} (vᵢᵀg)² / ‖g‖² ∈ [0, 1],
 *
 * the fraction of the gradient's squared norm inside the span of the top-k Hessian eigenvectors.
 *
 * @param eigenvectors orthonormal eigenvectors v₁, v₂, … (descending eigenvalue).
 * @param g gradient of the same loss w.r.t. the same parameters.
 * @param k subspace dimension (default: all given eigenvectors).
 * @throws RangeError for a zero or non-finite gradient, mismatched lengths, or k too large.
 *
 * @example
 * ```ts
 * import { gradientSubspaceFraction } from "./metrics.ts";
 * const e1 = new Float64Array([1, 0]);
 * gradientSubspaceFraction([e1], new Float64Array([3, 4]), 1); // 9 / 25 = 0.36
 * ```
 */
export function gradientSubspaceFraction(
  eigenvectors: readonly VectorLike[],
  g: VectorLike,
  k: number = eigenvectors.length,
): number {
  const who = "gradientSubspaceFraction";
  checkBasis(who, eigenvectors, k, g.length);
  const g2 = squaredNormChecked(who, g);
  let s = 0;
  for (let i = 0; i < k; i++) s += dotF64(eigenvectors[i], g) ** 2;
  return s / g2;
}

/**
 * S_frac(P_k, g) for several k at once (default the paper's k ∈ {1, 2, 5, 10, 20, 50, 100}),
 * sharing the projections: with cᵢ = (vᵢᵀg)², S_frac(k) = Σ_{i≤k} cᵢ / ‖g‖².
 *
 * @returns fractions aligned with `ks`.
 * @throws RangeError if max(ks) exceeds the number of eigenvectors (see {@link gradientSubspaceFraction}).
 *
 * @example
 * ```ts
 * import { gradientSubspaceFractions } from "./metrics.ts";
 * const basis = [new Float64Array([1, 0, 0]), new Float64Array([0, 1, 0])];
 * gradientSubspaceFractions(basis, new Float64Array([1, 1, 2]), [1, 2]); // [1/6, 2/6]
 * ```
 */
export function gradientSubspaceFractions(
  eigenvectors: readonly VectorLike[],
  g: VectorLike,
  ks: readonly number[] = SUBSPACE_DIMENSIONS,
): number[] {
  const who = "gradientSubspaceFractions";
  if (ks.length === 0) throw new RangeError(`${who}: ks is empty`);
  const kmax = Math.max(...ks);
  for (const k of ks) checkBasis(who, eigenvectors, k, g.length);
  const g2 = squaredNormChecked(who, g);
  const cumulative = new Float64Array(kmax + 1);
  for (let i = 0; i < kmax; i++) {
    cumulative[i + 1] = cumulative[i] + dotF64(eigenvectors[i], g) ** 2;
  }
  return ks.map((k) => cumulative[k] / g2);
}

/**
 * Mini-batch gradient subspace fraction (§4.2): S_frac is computed for every mini-batch gradient
 * separately and then averaged — the **mean of ratios**, not the ratio of means:
 *
 *   S̄_frac(P_k) = (1/B) Σ_{b=1..B} ‖P_k g_b‖² / ‖g_b‖².
 *
 * @throws RangeError if `gradients` is empty or any gradient is zero (see {@link gradientSubspaceFraction}).
 *
 * @example
 * ```ts
 * import { meanGradientSubspaceFraction } from "./metrics.ts";
 * const e1 = new Float64Array([1, 0]);
 * const gs = [new Float64Array([1, 0]), new Float64Array([0, 5])];
 * meanGradientSubspaceFraction([e1], gs, 1); // (1 + 0) / 2 = 0.5
 * ```
 */
export function meanGradientSubspaceFraction(
  eigenvectors: readonly VectorLike[],
  gradients: readonly VectorLike[],
  k: number,
): number {
  if (gradients.length === 0) {
    throw new RangeError("meanGradientSubspaceFraction: no gradients given (need ≥ 1 mini-batch)");
  }
  let s = 0;
  for (const g of gradients) s += gradientSubspaceFraction(eigenvectors, g, k);
  return s / gradients.length;
}

/**
 * Subspace overlap (paper Eq. 7) between the top-k eigenspaces at two times:
 *
 *   S_overlap = (1/k) Σ_{i≤k} ‖P_k⁽¹⁾ vᵢ⁽²⁾‖² = ‖V_k⁽¹⁾ᵀ V_k⁽²⁾‖_F² / k ∈ [0, 1].
 *
 * @example
 * ```ts
 * import { subspaceOverlap } from "./metrics.ts";
 * const e = (i: number) => Float64Array.from({ length: 4 }, (_, j) => (j === i ? 1 : 0));
 * subspaceOverlap([e(0), e(1)], [e(0), e(2)], 2); // 0.5
 * ```
 */
export function subspaceOverlap(
  v1: readonly VectorLike[],
  v2: readonly VectorLike[],
  k: number,
): number {
  return subspaceOverlaps(v1, v2, [k])[0];
}

/**
 * {@link subspaceOverlap} for several k at once: with Mᵢⱼ = vᵢ⁽¹⁾ᵀvⱼ⁽²⁾,
 * S_overlap(k) = Σ_{i,j≤k} Mᵢⱼ² / k.
 *
 * @returns overlaps aligned with `ks`.
 *
 * @example
 * ```ts
 * import { subspaceOverlaps } from "./metrics.ts";
 * const e = (i: number) => Float64Array.from({ length: 3 }, (_, j) => (j === i ? 1 : 0));
 * subspaceOverlaps([e(0), e(1)], [e(0), e(2)], [1, 2]); // [1, 0.5]
 * ```
 */
export function subspaceOverlaps(
  v1: readonly VectorLike[],
  v2: readonly VectorLike[],
  ks: readonly number[] = SUBSPACE_DIMENSIONS,
): number[] {
  const who = "subspaceOverlap";
  if (ks.length === 0) throw new RangeError(`${who}: ks is empty`);
  const kmax = Math.max(...ks);
  for (const k of ks) {
    checkBasis(who, v1, k);
    checkBasis(who, v2, k, v1[0].length);
  }
  // prefix[k] = Σ_{i,j<k} Mᵢⱼ², grown one row and column at a time.
  const prefix = new Float64Array(kmax + 1);
  const m = new Float64Array(kmax * kmax);
  for (let i = 0; i < kmax; i++) {
    for (let j = 0; j < kmax; j++) m[i * kmax + j] = dotF64(v1[i], v2[j]) ** 2;
  }
  for (let k = 1; k <= kmax; k++) {
    let add = m[(k - 1) * kmax + (k - 1)];
    for (let i = 0; i < k - 1; i++) add += m[i * kmax + (k - 1)] + m[(k - 1) * kmax + i];
    prefix[k] = prefix[k - 1] + add;
  }
  return ks.map((k) => prefix[k] / k);
}

/**
 * Random-subspace baseline (§4.4): an orthonormal basis of a uniformly random k-dimensional
 * subspace of Rⁿ, from the thin QR of an n × k standard Gaussian matrix (as in the authors'
 * rebuttal check). For any fixed g, E[S_frac] = k/n ({@link expectedRandomFraction}).
 *
 * @returns k orthonormal vectors of length n.
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { gradientSubspaceFraction, randomSubspaceBaseline } from "./metrics.ts";
 * const basis = randomSubspaceBaseline(1000, 10, new Rng(0));
 * gradientSubspaceFraction(basis, new Float64Array(1000).fill(1)); // ≈ 10/1000
 * ```
 */
export function randomSubspaceBaseline(n: number, k: number, rng: Rng): Float64Array[] {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(
      `randomSubspaceBaseline: need integers 1 ≤ k ≤ n, got n = ${n}, k = ${k}`,
    );
  }
  const gauss = rng.fillNormal(new Float64Array(n * k));
  const { q } = householderQr(gauss, n, k); // n × k, row-major
  const basis: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = q[i * k + j];
    basis.push(v);
  }
  return basis;
}

/**
 * Expected gradient subspace fraction (and expected overlap) of a uniformly random k-dimensional
 * subspace of Rⁿ: E[S_frac] = k/n.
 *
 * @example
 * ```ts
 * import { expectedRandomFraction } from "./metrics.ts";
 * expectedRandomFraction(4932, 100); // ≈ 0.0203
 * ```
 */
export function expectedRandomFraction(n: number, k: number): number {
  if (!(n > 0) || !(k >= 0) || k > n) {
    throw new RangeError(
      `expectedRandomFraction: need 0 ≤ k ≤ n and n > 0, got n = ${n}, k = ${k}`,
    );
  }
  return k / n;
}
