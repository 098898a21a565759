/**
 * Eigen-decomposition of a real symmetric tridiagonal matrix by the implicit QR algorithm with
 * Wilkinson shifts (Golub & Van Loan, *Matrix Computations*, §8.3), in float64.
 *
 * The tridiagonal matrix T (n × n) is given by its diagonal `diag` (length n) and its
 * off-diagonal `offdiag` (length n − 1, `offdiag[i]` = T[i][i+1] = T[i+1][i]).
 *
 * Eigenvectors are returned **row-major with one eigenvector per row**: `vectors[j * n + i]` is
 * component i of the eigenvector of `values[j]`, so `vectors.subarray(j * n, (j + 1) * n)` is
 * that eigenvector. Storing eigenvectors as rows makes every Givens rotation of the QR sweeps
 * combine two contiguous rows, which keeps the O(n³) part cache-friendly.
 *
 * Used by the Lanczos solvers (small T) and, through {@link tridiagonalQrIteration}, by the dense
 * symmetric eigensolver (after Householder tridiagonalisation).
 *
 * @module
 */

/** Order of returned eigenvalues. */
export type EigenOrder = "ascending" | "descending";

/** Result of a symmetric eigen-decomposition. */
export interface EigenDecomposition {
  /** Matrix dimension n. */
  n: number;
  /** The n eigenvalues, sorted as requested (default: descending, λ₁ ≥ λ₂ ≥ …). */
  values: Float64Array;
  /**
   * Orthonormal eigenvectors, row-major n × n with **row j = eigenvector of `values[j]`**
   * (`vectors.subarray(j * n, (j + 1) * n)`); absent when `vectors: false` was requested.
   */
  vectors?: Float64Array;
}

/** Options of {@link tridiagonalEigen}. */
export interface TridiagonalEigenOptions {
  /** Compute eigenvectors as well (default true). Without them the cost is O(n²). */
  vectors?: boolean;
  /** Sort order of the eigenvalues (default "descending", the order used throughout pgsubspace). */
  order?: EigenOrder;
}

const EPS = 2 ** -52;
const TINY = 1e-300;

/** √(a² + b²) without needless overflow/underflow; fast path for ordinary magnitudes. */
function hypot(a: number, b: number): number {
  const s = a * a + b * b;
  if (s > 1e-290 && s < 1e290) return Math.sqrt(s);
  return Math.hypot(a, b);
}

/**
 * Diagonalises a symmetric tridiagonal matrix **in place** by implicit QR sweeps with Wilkinson
 * shifts. On return `d` holds the (unsorted) eigenvalues and `e` is zero.
 *
 * If `zt` is given (n rows of length `rowLength`, row-major), every rotation G applied as
 * T ← G T Gᵀ is also applied to the rows of `zt` (zt ← G zt). Starting from zt = I this
 * accumulates the eigenvectors of T as rows; starting from zt = Qᵀ (Q from a tridiagonalisation
 * A = Q T Qᵀ) it gives the eigenvectors of A as rows.
 *
 * Deflation: `e[i]` is set to zero once |e[i]| ≤ ε·(|d[i]| + |d[i+1]|) or |e[i]| ≤ ε·‖T‖∞
 * (ε = 2⁻⁵²), so eigenvalues are accurate to about ε·‖T‖ absolutely.
 *
 * For n ≥ 32 with rows to rotate, all eigenvalues are computed first without rotations (O(n²))
 * and then used as shifts (see `qrIterate`), which cuts the O(n³) rotation work by roughly 30%.
 *
 * @param d diagonal (length n), overwritten by the eigenvalues.
 * @param e off-diagonal (length ≥ n − 1; e[i] couples i and i + 1), overwritten by zeros.
 * @param zt optional rows to rotate (length n × rowLength).
 * @param rowLength length of each row of `zt` (default n).
 * @throws Error if an eigenvalue needs more than 30 sweeps on average (does not happen for finite
 *   input in practice).
 *
 * @example
 * ```ts
 * import { tridiagonalQrIteration } from "./tridiagonal_eigen.ts";
 * const d = new Float64Array([2, 2]), e = new Float64Array([1]);
 * tridiagonalQrIteration(d, e); // d = {3, 1} in some order
 * ```
 */
export function tridiagonalQrIteration(
  d: Float64Array,
  e: Float64Array,
  zt?: Float64Array,
  rowLength: number = d.length,
): void {
  const n = d.length;
  if (n <= 1) return;
  if (e.length < n - 1) {
    throw new RangeError(`tridiagonal off-diagonal needs length ${n - 1}, got ${e.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(d[i]) || (i < n - 1 && !Number.isFinite(e[i]))) {
      throw new RangeError(
        "tridiagonal matrix has a non-finite entry (NaN or ±Infinity); check the input",
      );
    }
  }
  if (zt && zt.length < n * rowLength) {
    throw new RangeError(`eigenvector rows need length ${n * rowLength}, got ${zt.length}`);
  }
  let known: KnownEigenvalues | undefined;
  if (zt && n >= PERFECT_SHIFT_MIN_N) {
    // Eigenvalues first (O(n²)), then use them as shifts for the O(n³) sweeps with vectors.
    const values = d.slice();
    qrIterate(values, e.slice(), undefined, rowLength, undefined);
    values.sort();
    known = { values, used: new Uint8Array(n) };
  }
  qrIterate(d, e, zt, rowLength, known);
}

/** Smallest n for which eigenvalues are precomputed and used as shifts (see qrIterate). */
const PERFECT_SHIFT_MIN_N = 32;

/** Eigenvalues of T computed beforehand (ascending) and which of them have deflated already. */
interface KnownEigenvalues {
  values: Float64Array;
  used: Uint8Array;
}

/** Index of the unused known eigenvalue nearest to x (−1 if all are used). */
function nearestUnused(known: KnownEigenvalues, x: number): number {
  const { values, used } = known;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  let left = lo - 1;
  let right = lo;
  while (left >= 0 && used[left]) left--;
  while (right < values.length && used[right]) right++;
  if (left < 0) return right < values.length ? right : -1;
  if (right >= values.length) return left;
  return x - values[left] <= values[right] - x ? left : right;
}

/**
 * The QR iteration proper. Shifts: Wilkinson's, or — when the eigenvalues are `known` — the known
 * eigenvalue nearest to Wilkinson's shift (a "perfect" shift), which deflates the bottom of the
 * block in about one sweep instead of two and so halves the rotations applied to `zt`. Any shift
 * keeps the iteration an exact orthogonal similarity, so accuracy is unaffected; if two perfect-
 * shift sweeps do not deflate (forward instability of the bulge chase), Wilkinson shifts take over.
 */
function qrIterate(
  d: Float64Array,
  e: Float64Array,
  zt: Float64Array | undefined,
  rowLength: number,
  known: KnownEigenvalues | undefined,
): void {
  const n = d.length;
  const maxSweeps = 30 * n;
  let sweeps = 0;
  let stuck = 0; // sweeps since the last deflation at the bottom
  let hi = n - 1;
  // e[i] is negligible if tiny relative to its neighbours or to ‖T‖∞ (the Householder reduction of
  // a dense matrix already perturbs every eigenvalue by about ε‖A‖, so this loses nothing there).
  let tnorm = 0;
  for (let i = 0; i < n; i++) {
    tnorm = Math.max(
      tnorm,
      Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0),
    );
  }
  const absolute = Math.max(EPS * tnorm, TINY);
  const negligible = (i: number) => {
    const a = Math.abs(e[i]);
    return a <= absolute || a <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1]));
  };
  while (hi > 0) {
    // Deflate a negligible coupling at the bottom of the active block.
    if (negligible(hi - 1)) {
      e[hi - 1] = 0;
      if (known) {
        const j = nearestUnused(known, d[hi]);
        if (j >= 0) known.used[j] = 1;
      }
      hi--;
      stuck = 0;
      continue;
    }
    // Find the top of the unreduced block [lo, hi].
    let lo = hi - 1;
    while (lo > 0) {
      if (negligible(lo - 1)) {
        e[lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (++sweeps > maxSweeps) {
      throw new Error(
        `tridiagonal QR iteration did not converge after ${maxSweeps} sweeps (n = ${n}); ` +
          "the input may contain extreme magnitudes",
      );
    }
    // Wilkinson shift: the eigenvalue of the trailing 2 × 2 block closer to d[hi].
    const b = e[hi - 1];
    const delta = (d[hi - 1] - d[hi]) / 2;
    const den = delta + (delta >= 0 ? 1 : -1) * hypot(delta, b);
    let mu = den === 0 ? d[hi] : d[hi] - b * (b / den);
    if (known && stuck < 2) {
      const j = nearestUnused(known, mu);
      if (j >= 0) mu = known.values[j];
    }
    stuck++;
    qrSweep(d, e, lo, hi, mu, zt, rowLength);
  }
}

/** One implicit QR sweep with shift mu on the unreduced block [lo, hi] (bulge chase). */
function qrSweep(
  d: Float64Array,
  e: Float64Array,
  lo: number,
  hi: number,
  mu: number,
  zt: Float64Array | undefined,
  rowLength: number,
): void {
  let x = d[lo] - mu;
  let z = e[lo];
  for (let k = lo; k < hi; k++) {
    // Rotation G on rows/cols (k, k+1) that maps (x, z) to (r, 0).
    const r = hypot(x, z);
    let c = 1;
    let s = 0;
    if (r !== 0) {
      c = x / r;
      s = z / r;
    }
    if (k > lo) e[k - 1] = r;
    const dk = d[k];
    const dk1 = d[k + 1];
    const ek = e[k];
    const cc = c * c;
    const ss = s * s;
    const cs = c * s;
    d[k] = cc * dk + 2 * cs * ek + ss * dk1;
    d[k + 1] = ss * dk - 2 * cs * ek + cc * dk1;
    e[k] = cs * (dk1 - dk) + (cc - ss) * ek;
    if (k < hi - 1) {
      // The rotation pushes the bulge one step down: entry (k+2, k) = s·e[k+1].
      x = e[k];
      z = s * e[k + 1];
      e[k + 1] *= c;
    }
    if (zt) {
      let p = k * rowLength;
      let q = p + rowLength;
      const end = q;
      for (; p < end; p++, q++) {
        const a = zt[p];
        const bb = zt[q];
        zt[p] = c * a + s * bb;
        zt[q] = c * bb - s * a;
      }
    }
  }
}

/**
 * Sorts eigenvalues (in place) and permutes the matching rows of `zt` the same way.
 *
 * @example
 * ```ts
 * import { sortEigenpairs } from "./tridiagonal_eigen.ts";
 * const values = new Float64Array([1, 3, 2]);
 * sortEigenpairs(values, undefined, 0, "descending"); // values = [3, 2, 1]
 * ```
 */
export function sortEigenpairs(
  values: Float64Array,
  zt: Float64Array | undefined,
  rowLength: number,
  order: EigenOrder,
): void {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  const sign = order === "descending" ? -1 : 1;
  idx.sort((a, b) => sign * (values[a] - values[b]) || a - b);
  const sortedValues = Float64Array.from(idx, (i) => values[i]);
  values.set(sortedValues);
  if (!zt) return;
  // Apply the permutation to the rows by following cycles with one spare row.
  const done = new Uint8Array(n);
  const tmp = new Float64Array(rowLength);
  for (let start = 0; start < n; start++) {
    if (done[start] || idx[start] === start) {
      done[start] = 1;
      continue;
    }
    tmp.set(zt.subarray(start * rowLength, (start + 1) * rowLength));
    let dst = start;
    for (;;) {
      done[dst] = 1;
      const src = idx[dst];
      if (src === start) {
        zt.set(tmp, dst * rowLength);
        break;
      }
      zt.copyWithin(dst * rowLength, src * rowLength, (src + 1) * rowLength);
      dst = src;
    }
  }
}

/**
 * Eigenvalues and (optionally) eigenvectors of the symmetric tridiagonal matrix with diagonal
 * `diag` and off-diagonal `offdiag`: T = tridiag(offdiag, diag, offdiag), T vⱼ = λⱼ vⱼ.
 *
 * Inputs are not modified. Cost O(n²) for values only, O(n³) with vectors.
 *
 * @returns values sorted per `order` (default descending) and, if requested, eigenvectors as rows
 *   (row j ↔ values[j]; see module doc).
 *
 * @example
 * ```ts
 * import { tridiagonalEigen } from "./tridiagonal_eigen.ts";
 * // 1-2-1 matrix of size 3: eigenvalues 2 + √2, 2, 2 − √2.
 * const { values, vectors } = tridiagonalEigen(
 *   new Float64Array([2, 2, 2]),
 *   new Float64Array([-1, -1]),
 * );
 * const v0 = vectors!.subarray(0, 3); // eigenvector of values[0] = 2 + √2
 * ```
 */
export function tridiagonalEigen(
  diag: ArrayLike<number>,
  offdiag: ArrayLike<number>,
  options: TridiagonalEigenOptions = {},
): EigenDecomposition {
  const n = diag.length;
  if (n > 0 && offdiag.length !== n - 1) {
    throw new RangeError(
      `tridiagonalEigen: offdiag must have length n − 1 = ${n - 1} (got ${offdiag.length})`,
    );
  }
  const wantVectors = options.vectors ?? true;
  const order = options.order ?? "descending";
  const d = Float64Array.from(diag);
  const e = new Float64Array(Math.max(n, 1));
  for (let i = 0; i < n - 1; i++) e[i] = offdiag[i];
  let zt: Float64Array | undefined;
  if (wantVectors) {
    zt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  }
  tridiagonalQrIteration(d, e, zt, n);
  sortEigenpairs(d, zt, n, order);
  return wantVectors ? { n, values: d, vectors: zt } : { n, values: d };
}
