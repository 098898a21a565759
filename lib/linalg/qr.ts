/**
 * Householder QR decomposition of a dense float64 matrix.
 *
 * For an m×n matrix A (row-major) with k = min(m, n) this returns the *thin* ("reduced") factors
 * A = Q·R with Q m×k having orthonormal columns and R k×n upper triangular (upper trapezoidal when
 * n > m). This is the shape contract of `torch.linalg.qr(A, mode="reduced")` and
 * `numpy.linalg.qr(A)`, for tall and wide matrices alike.
 *
 * Sign convention: the reflector for column j maps (a_jj, …, a_mj) onto β·e_1 with
 * β = −sign(a_jj)·‖(a_jj, …, a_mj)‖ (sign(0) taken as +1), as LAPACK's `dgeqrf`/`dlarfg` do, so
 * R's diagonal has the same signs as torch's and numpy's CPU results. Columns that are already zero
 * below the diagonal get the identity reflector (τ = 0). Callers that need the unique factorisation
 * with a positive diagonal (e.g. orthogonal initialisation) multiply by sign(diag R) themselves.
 *
 * Work is O(m·n·k); the matrix is copied into column-major scratch so every reflector touches
 * contiguous memory. Everything is float64.
 *
 * @module
 */

/** Thin QR factors of an m×n matrix, both row-major. */
export interface QrResult {
  /** m×k matrix with orthonormal columns, row-major. */
  q: Float64Array;
  /** k×n upper-triangular (trapezoidal when n > m) matrix, row-major. */
  r: Float64Array;
  /** m, the number of rows of A and of Q. */
  rows: number;
  /** n, the number of columns of A and of R. */
  cols: number;
  /** k = min(m, n): columns of Q and rows of R. */
  k: number;
}

/**
 * Thin Householder QR of the row-major `rows`×`cols` matrix `a` (not modified).
 *
 * @throws RangeError when the dimensions are not positive integers, do not match `a.length`, or
 *   `a` contains NaN/±Infinity.
 *
 * @example
 * ```ts
 * import { householderQr } from "./qr.ts";
 * // A = [[3, 1], [4, 2]]
 * const { q, r } = householderQr(new Float64Array([3, 1, 4, 2]), 2, 2);
 * // r[0] = -5 (LAPACK sign), Q·R reproduces A, QᵀQ = I.
 * ```
 */
export function householderQr(a: Float64Array, rows: number, cols: number): QrResult {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(
      `householderQr: rows and cols must be positive integers, got ${rows}×${cols}`,
    );
  }
  if (a.length !== rows * cols) {
    throw new RangeError(
      `householderQr: matrix has ${a.length} entries but ${rows}×${cols} = ${rows * cols} were ` +
        `declared; pass the row-major data of exactly that shape`,
    );
  }
  const m = rows, n = cols, k = Math.min(m, n);
  // Column-major working copy: column c occupies w[c*m .. c*m+m).
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n; c++) {
      const value = a[i * n + c];
      if (!Number.isFinite(value)) {
        throw new RangeError(
          `householderQr: entry (${i}, ${c}) is ${value}; the matrix must be finite`,
        );
      }
      w[c * m + i] = value;
    }
  }
  const tau = new Float64Array(k);

  for (let j = 0; j < k; j++) {
    const col = j * m;
    const alpha = w[col + j];
    const xnorm = scaledNorm(w, col + j + 1, col + m);
    if (xnorm === 0) {
      tau[j] = 0; // already upper triangular in this column: H = I
      continue;
    }
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    tau[j] = (beta - alpha) / beta;
    // v = (1, x/(alpha − beta)); the implicit leading 1 is not stored, R's β takes its place.
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) w[col + i] *= scale;
    w[col + j] = beta;
    // Apply H = I − τ v vᵀ to the trailing columns.
    for (let c = j + 1; c < n; c++) {
      const cc = c * m;
      let s = w[cc + j];
      for (let i = j + 1; i < m; i++) s += w[col + i] * w[cc + i];
      s *= tau[j];
      w[cc + j] -= s;
      for (let i = j + 1; i < m; i++) w[cc + i] -= s * w[col + i];
    }
  }

  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) {
    for (let c = i; c < n; c++) r[i * n + c] = w[c * m + i];
  }

  // Q = H_0 H_1 … H_{k−1} applied to the first k columns of I, accumulated backwards so that
  // reflector j only touches columns j..k−1 (column-major scratch qc).
  const qc = new Float64Array(m * k);
  for (let c = 0; c < k; c++) qc[c * m + c] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const t = tau[j];
    if (t === 0) continue;
    const col = j * m;
    for (let c = j; c < k; c++) {
      const cc = c * m;
      let s = qc[cc + j];
      for (let i = j + 1; i < m; i++) s += w[col + i] * qc[cc + i];
      s *= t;
      qc[cc + j] -= s;
      for (let i = j + 1; i < m; i++) qc[cc + i] -= s * w[col + i];
    }
  }
  const q = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < k; c++) q[i * k + c] = qc[c * m + i];
  }
  return { q, r, rows: m, cols: n, k };
}

/** ‖x[start..end)‖₂ with max-abs scaling, so squares cannot overflow or underflow. */
function scaledNorm(x: Float64Array, start: number, end: number): number {
  let maxAbs = 0;
  for (let i = start; i < end; i++) {
    const v = Math.abs(x[i]);
    if (v > maxAbs) maxAbs = v;
  }
  if (maxAbs === 0) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = x[i] / maxAbs;
    sum += v * v;
  }
  return maxAbs * Math.sqrt(sum);
}
