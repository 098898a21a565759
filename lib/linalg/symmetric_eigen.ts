/**
 * Dense symmetric eigensolver in float64: Householder tridiagonalisation followed by implicit QR
 * sweeps with Wilkinson shifts (the structure of EISPACK's tred2 + tql2 and LAPACK's dsteqr path),
 * written for row-major storage.
 *
 * Steps, for A = Aᵀ (n × n, row-major, only the **lower triangle** is read):
 * 1. Reduce A to tridiagonal T = Qᵀ A Q with n − 2 Householder reflections, working from the last
 *    row upwards (row i's entries left of the diagonal are annihilated, so every inner loop runs
 *    along a contiguous row). Cost ≈ 4n³/3 flops.
 * 2. If eigenvectors are wanted, form Qᵀ explicitly (≈ 4n³/3 flops, again row-wise).
 * 3. Diagonalise T by implicit QR; each Givens rotation combines two contiguous rows of Qᵀ, so the
 *    rows end up as the eigenvectors of A.
 *
 * Eigenvectors are returned **one per row** (`vectors.subarray(j * n, (j + 1) * n)` belongs to
 * `values[j]`), eigenvalues in **descending** order by default (`order: "ascending"` gives numpy's
 * `eigh` order).
 *
 * Timing on one core: see `bench/eigen.ts`.
 *
 * @module
 */

import {
  type EigenDecomposition,
  type EigenOrder,
  sortEigenpairs,
  tridiagonalQrIteration,
} from "./tridiagonal_eigen.ts";

export type { EigenDecomposition, EigenOrder } from "./tridiagonal_eigen.ts";

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Compute eigenvectors as well (default true). Values only is about 3× faster. */
  vectors?: boolean;
  /** Sort order of the eigenvalues (default "descending"; numpy's `eigh` uses "ascending"). */
  order?: EigenOrder;
  /**
   * Use the input array as workspace instead of copying it (default false). Saves n² doubles
   * (200 MB at n = 5,000); the input is destroyed.
   */
  overwriteInput?: boolean;
}

/** Result of {@link tridiagonalize}. */
export interface Tridiagonalization {
  /** Matrix dimension n. */
  n: number;
  /** Diagonal of T (length n). */
  diag: Float64Array;
  /** Off-diagonal of T (length n − 1): offdiag[i] = T[i][i+1]. */
  offdiag: Float64Array;
  /** Qᵀ, row-major n × n (A = Q T Qᵀ); present only when requested. */
  qt?: Float64Array;
}

function checkSquareSymmetricInput(a: Float64Array, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${who}: n must be a non-negative integer, got ${n}`);
  }
  if (a.length !== n * n) {
    throw new RangeError(
      `${who}: matrix must be row-major n × n = ${n * n} entries, got ${a.length}`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new RangeError(
        `${who}: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}; the matrix must be finite`,
      );
    }
  }
}

/**
 * Householder reduction of a symmetric matrix to tridiagonal form, A = Q T Qᵀ.
 *
 * Only the lower triangle of `a` is read. `a` itself is overwritten (it becomes workspace holding
 * the Householder vectors); pass a copy if you need it afterwards.
 *
 * @param a row-major n × n symmetric matrix, destroyed.
 * @param n dimension.
 * @param wantQt whether to form Qᵀ.
 *
 * @example
 * ```ts
 * import { tridiagonalize } from "./symmetric_eigen.ts";
 * const a = new Float64Array([4, 1, 2, 1, 3, 0, 2, 0, 1]);
 * const { diag, offdiag, qt } = tridiagonalize(a, 3, true);
 * ```
 */
export function tridiagonalize(a: Float64Array, n: number, wantQt: boolean): Tridiagonalization {
  checkSquareSymmetricInput(a, n, "tridiagonalize");
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n, 1)); // e[i] couples i and i + 1 (e[n−1] unused)
  const hs = new Float64Array(n); // hs[i] = h of reflector i (0: no reflection)
  const p = new Float64Array(n);
  // Pending rank-2 updates of the current panel: B_current = B_stored − Σₖ (uₖ wₖᵀ + wₖ uₖᵀ).
  // Applying them once per panel instead of once per reflector means each step reads the trailing
  // matrix once (for B u) and the full read–write update happens only every PANEL steps.
  const us = new Float64Array(PANEL * n);
  const ws = new Float64Array(PANEL * n);
  let pending = 0;

  for (let i = n - 1; i >= 2; i--) {
    const row = i * n;
    const l = i - 1;
    // Bring row i (entries 0..i) up to date with the pending updates.
    for (let k = 0; k < pending; k++) {
      const uk = k * n;
      const ui = us[uk + i];
      const wi = ws[uk + i];
      for (let c = 0; c <= i; c++) a[row + c] -= ui * ws[uk + c] + wi * us[uk + c];
    }
    d[i] = a[row + i];
    // Scale row i left of the diagonal to avoid over/underflow in the norm.
    let scale = 0;
    let below = 0; // largest entry that must be annihilated (left of the subdiagonal)
    for (let j = 0; j <= l; j++) {
      const v = Math.abs(a[row + j]);
      if (v > scale) scale = v;
      if (j < l && v > below) below = v;
    }
    if (below === 0) {
      // Row already tridiagonal: no reflection needed.
      e[l] = a[row + l];
      hs[i] = 0;
      if (i === 2 && pending > 0) applyPanel(a, n, i, us, ws, pending);
      continue;
    }
    const inv = 1 / scale;
    let sigma2 = 0;
    for (let j = 0; j <= l; j++) {
      const u = a[row + j] * inv;
      a[row + j] = u;
      sigma2 += u * u;
    }
    const ul = a[row + l];
    const g = ul >= 0 ? -Math.sqrt(sigma2) : Math.sqrt(sigma2);
    e[l] = scale * g;
    const h = sigma2 - ul * g; // = ‖u‖²/2 after the update below
    a[row + l] = ul - g;
    hs[i] = h;
    const uOff = pending * n;
    const u = us.subarray(uOff, uOff + i);
    u.set(a.subarray(row, row + i));
    // p = B_stored u over the lower triangle: row r adds B[r][c]·u[c] to p[r] and B[r][c]·u[r]
    // to p[c] for c < r (two accumulators break the dependency chain of the dot product).
    p.fill(0, 0, i);
    for (let r = 0; r <= l; r++) {
      const br = r * n;
      const ur = u[r];
      let s0 = 0;
      let s1 = 0;
      let c = 0;
      for (; c + 1 < r; c += 2) {
        const b0 = a[br + c];
        const b1 = a[br + c + 1];
        s0 += b0 * u[c];
        s1 += b1 * u[c + 1];
        p[c] += b0 * ur;
        p[c + 1] += b1 * ur;
      }
      for (; c < r; c++) {
        const b0 = a[br + c];
        s0 += b0 * u[c];
        p[c] += b0 * ur;
      }
      p[r] += s0 + s1 + a[br + r] * ur;
    }
    // Pending corrections: p −= Σₖ uₖ (wₖᵀu) + wₖ (uₖᵀu).
    for (let k = 0; k < pending; k++) {
      const uk = k * n;
      let wu = 0;
      let uu = 0;
      for (let c = 0; c < i; c++) {
        wu += ws[uk + c] * u[c];
        uu += us[uk + c] * u[c];
      }
      for (let c = 0; c < i; c++) p[c] -= us[uk + c] * wu + ws[uk + c] * uu;
    }
    // w = p/h − K u with K = uᵀp / (2h²).
    const invH = 1 / h;
    let up = 0;
    for (let r = 0; r < i; r++) {
      p[r] *= invH;
      up += u[r] * p[r];
    }
    const kk = up * invH * 0.5;
    const w = ws.subarray(uOff, uOff + n);
    for (let r = 0; r < i; r++) w[r] = p[r] - kk * u[r];
    // Entries ≥ i of u, w are outside the block; zero them so row updates above stay exact.
    us.fill(0, uOff + i, uOff + n);
    w.fill(0, i);
    pending++;
    if (pending === PANEL || i === 2) {
      applyPanel(a, n, i, us, ws, pending);
      pending = 0;
    }
  }
  if (n >= 2) {
    e[0] = a[n];
    d[1] = a[n + 1];
  }
  if (n >= 1) d[0] = a[0];

  let qt: Float64Array | undefined;
  if (wantQt) qt = formQt(a, n, hs);
  return { n, diag: d, offdiag: e.subarray(0, Math.max(n - 1, 0)), qt };
}

/** Reflectors per panel of the tridiagonalisation and per block of the Qᵀ accumulation. */
const PANEL = 16;

/** B[0:m, 0:m] (lower triangle) −= Σₖ (uₖ wₖᵀ + wₖ uₖᵀ), two updates per pass over a row. */
function applyPanel(
  a: Float64Array,
  n: number,
  m: number,
  us: Float64Array,
  ws: Float64Array,
  count: number,
): void {
  for (let r = 0; r < m; r++) {
    const br = r * n;
    let k = 0;
    for (; k + 1 < count; k += 2) {
      const o0 = k * n;
      const o1 = o0 + n;
      const u0 = us[o0 + r];
      const w0 = ws[o0 + r];
      const u1 = us[o1 + r];
      const w1 = ws[o1 + r];
      for (let c = 0; c <= r; c++) {
        a[br + c] -= u0 * ws[o0 + c] + w0 * us[o0 + c] + u1 * ws[o1 + c] + w1 * us[o1 + c];
      }
    }
    if (k < count) {
      const o0 = k * n;
      const u0 = us[o0 + r];
      const w0 = ws[o0 + r];
      for (let c = 0; c <= r; c++) a[br + c] -= u0 * ws[o0 + c] + w0 * us[o0 + c];
    }
  }
}

/**
 * Forms Qᵀ = H₂ H₃ ⋯ H_{n−1} from the reflectors stored in the rows of `a` (Hᵢ = I − uᵢuᵢᵀ/hᵢ,
 * uᵢ = a[i, 0:i]). Reflectors are applied in blocks of PANEL to one row of Qᵀ at a time, so each
 * row is loaded once per block and stays in cache while the block's reflectors act on it.
 */
function formQt(a: Float64Array, n: number, hs: Float64Array): Float64Array {
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  // g[j] = uⱼᵀuⱼ₊₁, used to apply Hⱼ and Hⱼ₊₁ to a row in one pass.
  const g = new Float64Array(n);
  for (let j = 2; j + 1 < n; j++) {
    let s = 0;
    for (let c = 0; c < j; c++) s += a[j * n + c] * a[(j + 1) * n + c];
    g[j] = s;
  }
  for (let j0 = 2; j0 < n; j0 += PANEL) {
    const j1 = Math.min(j0 + PANEL, n);
    for (let r = 0; r < j1; r++) {
      const mr = r * n;
      // Hⱼ changes row r only if j > r (row r is still e_rᵀ on indices ≥ r before that).
      let j = Math.max(j0, r + 1);
      while (j < j1) {
        const h1 = hs[j];
        const h2 = j + 1 < j1 ? hs[j + 1] : 0;
        if (h1 !== 0 && h2 !== 0) {
          // m ← m H_j H_{j+1}: s₁ = m·uⱼ, s₂ = m·uⱼ₊₁ in one pass; then
          // a₁ = s₁/h₁, a₂ = (s₂ − a₁ uⱼ·uⱼ₊₁)/h₂ and m −= a₁uⱼ + a₂uⱼ₊₁ in one pass.
          const u1 = j * n;
          const u2 = u1 + n;
          let s1a = 0;
          let s1b = 0;
          let s2a = 0;
          let s2b = 0;
          let c = 0;
          for (; c + 1 < j; c += 2) {
            const m0 = qt[mr + c];
            const m1 = qt[mr + c + 1];
            s1a += m0 * a[u1 + c];
            s1b += m1 * a[u1 + c + 1];
            s2a += m0 * a[u2 + c];
            s2b += m1 * a[u2 + c + 1];
          }
          for (; c < j; c++) {
            s1a += qt[mr + c] * a[u1 + c];
            s2a += qt[mr + c] * a[u2 + c];
          }
          const a1 = (s1a + s1b) / h1;
          const a2 = (s2a + s2b + qt[mr + j] * a[u2 + j] - a1 * g[j]) / h2;
          for (c = 0; c < j; c++) qt[mr + c] -= a1 * a[u1 + c] + a2 * a[u2 + c];
          qt[mr + j] -= a2 * a[u2 + j];
          j += 2;
          continue;
        }
        if (h1 !== 0) {
          const uj = j * n;
          let s0 = 0;
          let s1 = 0;
          let c = 0;
          for (; c + 1 < j; c += 2) {
            s0 += qt[mr + c] * a[uj + c];
            s1 += qt[mr + c + 1] * a[uj + c + 1];
          }
          if (c < j) s0 += qt[mr + c] * a[uj + c];
          const s = (s0 + s1) / h1;
          if (s !== 0) { for (c = 0; c < j; c++) qt[mr + c] -= s * a[uj + c]; }
        }
        j++;
      }
    }
  }
  return qt;
}

/**
 * All eigenvalues (and optionally eigenvectors) of a dense real symmetric matrix:
 * A vⱼ = λⱼ vⱼ, VᵀV = I.
 *
 * Only the **lower triangle** of `a` is read, so an approximately symmetric matrix (e.g. an
 * explicit Hessian assembled from float32 Hessian-vector products) is treated as the symmetric
 * matrix with that lower triangle; symmetrise it first with (A + Aᵀ)/2 if both halves matter.
 *
 * @param a row-major n × n matrix (entry (i, j) at `a[i * n + j]`); not modified unless
 *   `overwriteInput` is set.
 * @param n dimension (inferred as √a.length when omitted).
 * @returns values sorted per `order` (default **descending**) and eigenvectors **as rows**
 *   (row j ↔ values[j]).
 * @throws RangeError for a non-square or non-finite matrix.
 *
 * @example
 * ```ts
 * import { symmetricEigen } from "./symmetric_eigen.ts";
 * const a = new Float64Array([2, 1, 1, 2]); // eigenvalues 3 and 1
 * const { values, vectors } = symmetricEigen(a);
 * values; // [3, 1]
 * const v0 = vectors!.subarray(0, 2); // ±[1, 1]/√2
 * ```
 */
export function symmetricEigen(
  a: Float64Array,
  n: number = Math.round(Math.sqrt(a.length)),
  options: SymmetricEigenOptions = {},
): EigenDecomposition {
  const wantVectors = options.vectors ?? true;
  const order = options.order ?? "descending";
  checkSquareSymmetricInput(a, n, "symmetricEigen");
  const work = options.overwriteInput ? a : Float64Array.from(a);
  const tri = tridiagonalize(work, n, wantVectors);
  const d = tri.diag;
  const e = new Float64Array(Math.max(n, 1));
  e.set(tri.offdiag);
  tridiagonalQrIteration(d, e, tri.qt, n);
  sortEigenpairs(d, tri.qt, n, order);
  return wantVectors ? { n, values: d, vectors: tri.qt } : { n, values: d };
}
