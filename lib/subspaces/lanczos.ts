/**
 * Top-k eigenpairs (largest **algebraic** eigenvalues, ARPACK's `which="LA"`) of a large symmetric
 * operator given only as a matrix-vector product, e.g. a Hessian-vector product.
 *
 * Method: Lanczos with **full reorthogonalisation** and **thick restart** (Wu & Simon 2000), the
 * symmetric special case of Krylov–Schur. This is what the paper's `scipy.sparse.linalg.eigsh`
 * (ARPACK implicitly restarted Lanczos) computes, with the same defaults:
 * `ncv = min(n, max(2k + 1, 20))`, `tol = 1e-4`, `maxiter = 500` restart cycles, and ARPACK's
 * convergence test on the Ritz residual.
 *
 * One cycle, with V = [v₀ … v_{m−1}] orthonormal (m = ncv) and T = VᵀHV:
 * 1. Extend the basis from its current size to m vectors: w = H v_j, orthogonalise w against
 *    all previous vectors with classical Gram–Schmidt applied twice, β_j = ‖w‖,
 *    v_{j+1} = w/β_j. Then H V = V T + β_{m−1} v_m e_mᵀ holds to working precision.
 * 2. Rayleigh–Ritz: T = U Θ Uᵀ. The Ritz pair (θᵢ, yᵢ = V uᵢ) has residual
 *    ‖H yᵢ − θᵢ yᵢ‖ = |β_{m−1}| · |uᵢ[m−1]| (no extra operator calls).
 * 3. Stop when each of the k largest Ritz values satisfies
 *    ‖H y − θ y‖ ≤ tol · max(|θ|, ε^{2/3} · ‖T‖₂)   (ε = 2⁻⁵², ‖T‖₂ = max |θᵢ|).
 *    This is ARPACK's test ‖r‖ ≤ tol·max(ε^{2/3}, |θ|), except that the floor guarding θ ≈ 0 is
 *    relative to the operator's scale, so the result does not depend on the units of H.
 * 4. Otherwise thick-restart: keep the p largest Ritz vectors (p = k + min(n_conv, ⌊(m−k)/2⌋),
 *    ARPACK's adjustment), and v_m; the new T is diag(θ₁…θ_p) bordered by the couplings
 *    sᵢ = β_{m−1} uᵢ[m−1]; continue Lanczos from v_m.
 *
 * Breakdown (β_j ≈ 0: the Krylov space is invariant) continues with a fresh seeded random vector
 * orthogonal to the basis, so eigenvalues outside the first invariant subspace are still found.
 * All vectors and T are float64; operator outputs may be float32 and are widened.
 *
 * Limitation shared with ARPACK: a single-vector Krylov method sees an exactly repeated eigenvalue
 * only through rounding errors, so copies of a multiple eigenvalue can emerge late or be missed.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import { symmetricEigen } from "../linalg/symmetric_eigen.ts";
import {
  exactResidualVerification,
  type ResidualVerification,
  residualVerification,
  warmStartVectors,
} from "./warm_start.ts";

/** A symmetric linear operator v ↦ Av (e.g. a Hessian-vector product); may be async. */
export type SymmetricOperator = (
  v: Float64Array,
) => Float64Array | Float32Array | Promise<Float64Array | Float32Array>;

/** Progress report passed to {@link LanczosOptions.onProgress} after every restart cycle. */
export interface LanczosProgress {
  /** Restart cycle just finished (1-based). */
  iteration: number;
  /** Operator calls so far. */
  hvpCount: number;
  /** How many of the k wanted Ritz pairs meet the tolerance. */
  converged: number;
  /** k, the number of wanted pairs. */
  wanted: number;
}

/** Options of {@link lanczosTopK}. */
export interface LanczosOptions {
  /** Number of wanted eigenpairs (largest algebraic eigenvalues). */
  k: number;
  /** Relative residual tolerance: ‖Hy − θy‖ ≤ tol·|θ| (default 1e-4, the paper's setting). */
  tol?: number;
  /** Maximum number of restart cycles (default 500, the paper's `maxiter`). */
  maxIter?: number;
  /** Krylov subspace size m (default min(n, max(2k + 1, 20)), ARPACK's ncv); k < ncv ≤ n. */
  ncv?: number;
  /** Seed of the start vector and of breakdown vectors (default 0). */
  seed?: number;
  /** Which eigenvalues: only "LA" (largest algebraic), as in the paper. */
  which?: "LA";
  /** Start vector instead of a seeded Gaussian one (length n, non-zero). */
  startVector?: Float64Array;
  /**
   * Warm start: a basis the wanted eigenvectors are expected to lie close to, e.g. the top-k
   * eigenvectors of the previous checkpoint. The start vector is a seeded combination of them
   * plus a seeded random part (`warm_start.ts`); the stopping test is unchanged, so only the cost
   * differs from a cold start. Not together with `startVector`.
   */
  initialVectors?: readonly ArrayLike<number>[];
  /** On hitting maxIter: "throw" an Error (default, like scipy) or "warn" and return converged=false. */
  onNotConverged?: "throw" | "warn";
  /** Called after each restart cycle, e.g. for a progress bar. */
  onProgress?: (progress: LanczosProgress) => void;
  /**
   * Recompute the returned residuals as ‖H yᵢ − θᵢ yᵢ‖ with k extra operator calls (default
   * false). The Lanczos estimate cannot see rounding noise inside the operator (e.g. float32
   * Hessian-vector products), so this is the honest number when the operator is not exact.
   */
  trueResiduals?: boolean;
  /**
   * Verify the result (default false): recompute the residuals as with `trueResiduals` and throw
   * an Error when a pair of a converged solve misses tol·max(|θ|, ε^{2/3}‖T‖₂). The check's cost
   * and the largest relative residual are reported in `verification`.
   */
  verify?: boolean;
  /**
   * Relative rounding error of one operator product, for `verify` (default 0: exact). With
   * float32 Hessian-vector products pass `FLOAT32_ROUNDOFF`: residuals at that noise floor then
   * pass as noise-limited instead of failing.
   */
  operatorPrecision?: number;
}

/** Result of {@link lanczosTopK}. */
export interface LanczosResult {
  /** The k largest eigenvalues, descending (λ₁ ≥ λ₂ ≥ …). */
  eigenvalues: Float64Array;
  /** k orthonormal eigenvectors of length n; eigenvectors[i] belongs to eigenvalues[i]. */
  eigenvectors: Float64Array[];
  /**
   * Residual norms ‖H yᵢ − θᵢ yᵢ‖: the Lanczos estimate |β_{m−1} uᵢ[m−1]| by default (it omits
   * rounding, about ε‖H‖, and any noise of the operator itself), or recomputed with the operator
   * when `trueResiduals` is set; exact (dense) on the k ≥ n path.
   */
  residuals: Float64Array;
  /** Number of operator calls (Hessian-vector products). */
  hvpCount: number;
  /** Number of thick restarts performed. */
  restarts: number;
  /** Whether every wanted pair met the tolerance. */
  converged: boolean;
  /** The explicit residual check, when `verify` was set (its products are in hvpCount). */
  verification?: ResidualVerification;
}

const EPS = 2 ** -52;
const EPS23 = EPS ** (2 / 3);
/** β below this fraction of ‖T‖ counts as a breakdown (invariant Krylov subspace). */
const BREAKDOWN = 1e-12;

/**
 * Computes the k largest-algebraic eigenpairs of the symmetric operator `op` on Rⁿ by thick-restart
 * Lanczos with full reorthogonalisation (see the module documentation for the algorithm and the
 * convergence criterion ‖Hy − θy‖ ≤ tol·max(|θ|, ε^{2/3}‖T‖₂)).
 *
 * If k ≥ n, the operator is applied to the n unit vectors, the explicit matrix is symmetrised
 * ((A + Aᵀ)/2) and decomposed densely; all n eigenpairs are returned (k is clamped to n).
 *
 * @param op symmetric operator v ↦ Hv; must not keep or modify `v` (it receives a copy anyway).
 * @param n dimension of the space.
 * @throws Error when maxIter is exceeded and `onNotConverged` is "throw" (the default), or when
 *   the operator returns a vector of the wrong length or with NaN/Infinity.
 *
 * @example
 * ```ts
 * import { lanczosTopK } from "./lanczos.ts";
 * // Diagonal operator with eigenvalues 1..100: the top 3 are 100, 99, 98.
 * const n = 100;
 * const op = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
 * const { eigenvalues, eigenvectors, hvpCount } = await lanczosTopK(op, n, { k: 3, seed: 1 });
 * ```
 */
export async function lanczosTopK(
  op: SymmetricOperator,
  n: number,
  options: LanczosOptions,
): Promise<LanczosResult> {
  const k = options.k;
  const tol = options.tol ?? 1e-4;
  const maxIter = options.maxIter ?? 500;
  const which = options.which ?? "LA";
  const onNotConverged = options.onNotConverged ?? "throw";
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`lanczosTopK: n must be a positive integer, got ${n}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`lanczosTopK: k must be a positive integer, got ${k}`);
  }
  if (which !== "LA") {
    throw new RangeError(`lanczosTopK: only which = "LA" (largest algebraic) is supported`);
  }
  if (!(tol > 0)) throw new RangeError(`lanczosTopK: tol must be > 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`lanczosTopK: maxIter must be a positive integer, got ${maxIter}`);
  }
  if (onNotConverged !== "throw" && onNotConverged !== "warn") {
    throw new RangeError(`lanczosTopK: onNotConverged must be "throw" or "warn"`);
  }

  let hvpCount = 0;
  const input = new Float64Array(n);
  /** Applies op to v (a copy is passed) and writes the validated result into `out`. */
  const apply = async (v: Float64Array, out: Float64Array): Promise<void> => {
    input.set(v);
    const result = await op(input);
    hvpCount++;
    if (!result || result.length !== n) {
      throw new RangeError(
        `lanczosTopK: operator returned length ${result?.length} for a vector of length ${n}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const x = result[i];
      if (!Number.isFinite(x)) {
        throw new RangeError(
          `lanczosTopK: operator call ${hvpCount} returned ${x} at index ${i}; ` +
            "the Hessian-vector product must be finite",
        );
      }
      out[i] = x;
    }
  };

  if (k >= n) {
    const dense = await denseAll(apply, n, options.onProgress, () => hvpCount);
    // The dense residuals are exact already: verification costs nothing more.
    if (options.verify) {
      dense.verification = exactResidualVerification(
        dense.eigenvalues,
        dense.residuals,
        { tol, precision: options.operatorPrecision },
        "lanczosTopK",
      );
    }
    return dense;
  }

  const m = options.ncv ?? Math.min(n, Math.max(2 * k + 1, 20));
  if (!Number.isInteger(m) || m <= k || m > n) {
    throw new RangeError(
      `lanczosTopK: ncv must be an integer with k < ncv ≤ n (k = ${k}, n = ${n}), got ${m}`,
    );
  }

  const rng = new Rng(options.seed ?? 0);
  const basis = new Float64Array((m + 1) * n); // rows v₀ … v_m
  const spare = new Float64Array((m + 1) * n); // workspace for the restart
  const t = new Float64Array(m * m); // projected matrix T = VᵀHV
  const w = new Float64Array(n);
  const h = new Float64Array(m + 1);
  const row = (j: number) => basis.subarray(j * n, (j + 1) * n);

  // Start vector.
  const v0 = row(0);
  if (options.startVector && options.initialVectors) {
    throw new RangeError("lanczosTopK: give startVector or initialVectors, not both");
  }
  if (options.initialVectors) {
    v0.set(warmStartVectors(options.initialVectors, n, 1, rng, "lanczosTopK"));
  } else if (options.startVector) {
    if (options.startVector.length !== n) {
      throw new RangeError(`lanczosTopK: startVector must have length ${n}`);
    }
    v0.set(options.startVector);
  } else {
    rng.fillNormal(v0);
  }
  const v0norm = norm2(v0);
  if (!(v0norm > 0) || !Number.isFinite(v0norm)) {
    throw new RangeError("lanczosTopK: startVector must be finite and non-zero");
  }
  scaleInPlace(v0, 1 / v0norm);

  let current = basis;
  let other = spare;
  let j0 = 0; // basis vectors kept from the last restart
  let anorm = 0; // running estimate of ‖T‖ for the breakdown test
  let betaLast = 0;
  let theta: Float64Array = new Float64Array(0);
  let ritz: Float64Array = new Float64Array(0); // rows = eigenvectors of T
  let nconv = 0;
  let iteration = 0;
  let tnorm = 0;

  for (iteration = 1; iteration <= maxIter; iteration++) {
    // 1. Extend the Lanczos basis to m vectors.
    for (let j = j0; j < m; j++) {
      const vj = current.subarray(j * n, (j + 1) * n);
      await apply(vj, w);
      gramSchmidtTwice(current, n, j + 1, w, h);
      const alpha = h[j];
      t[j * m + j] = alpha;
      let beta = norm2(w);
      anorm = Math.max(anorm, Math.abs(alpha) + beta + (j > 0 ? Math.abs(t[j * m + j - 1]) : 0));
      const next = current.subarray((j + 1) * n, (j + 2) * n);
      if (beta <= BREAKDOWN * anorm) {
        beta = 0;
        if (j + 1 < m) {
          freshOrthogonalVector(current, n, j + 1, next, rng);
        } else {
          next.fill(0);
        }
      } else {
        for (let i = 0; i < n; i++) next[i] = w[i] / beta;
      }
      if (j + 1 < m) {
        t[j * m + j + 1] = beta;
        t[(j + 1) * m + j] = beta;
      } else {
        betaLast = beta;
      }
    }

    // 2. Rayleigh–Ritz on T.
    const eig = symmetricEigen(Float64Array.from(t), m, { order: "descending" });
    theta = eig.values;
    ritz = eig.vectors!;
    tnorm = Math.max(Math.abs(theta[0]), Math.abs(theta[m - 1]));
    nconv = 0;
    for (let i = 0; i < k; i++) {
      const res = Math.abs(betaLast * ritz[i * m + m - 1]);
      if (res <= tol * Math.max(Math.abs(theta[i]), EPS23 * tnorm)) nconv++;
    }
    options.onProgress?.({ iteration, hvpCount, converged: nconv, wanted: k });
    if (nconv === k || iteration === maxIter) break;

    // 4. Thick restart with the p largest Ritz vectors.
    let p = k + Math.min(nconv, Math.floor((m - k) / 2));
    if (p === 1 && m >= 6) p = Math.floor(m / 2);
    else if (p === 1 && m > 2) p = 2;
    p = Math.min(p, m - 1);
    combineRows(current, ritz, m, p, n, other);
    other.set(current.subarray(m * n, (m + 1) * n), p * n);
    [current, other] = [other, current];
    t.fill(0);
    for (let i = 0; i < p; i++) {
      t[i * m + i] = theta[i];
      const s = betaLast * ritz[i * m + m - 1];
      t[i * m + p] = s;
      t[p * m + i] = s;
    }
    j0 = p;
  }

  const converged = nconv === k;
  const restarts = Math.min(iteration, maxIter) - 1;
  if (!converged) {
    const message = `lanczosTopK: only ${nconv} of ${k} eigenpairs met tol = ${tol} after ` +
      `${maxIter} restart cycles (${hvpCount} operator calls); raise maxIter or ncv, or loosen tol`;
    if (onNotConverged === "throw") throw new Error(message);
    console.warn(message);
  }
  const vectors = new Float64Array(k * n);
  combineRows(current, ritz, m, k, n, vectors);
  const eigenvectors: Float64Array[] = [];
  const residuals = new Float64Array(k);
  const before = hvpCount;
  for (let i = 0; i < k; i++) {
    const y = vectors.subarray(i * n, (i + 1) * n);
    scaleInPlace(y, 1 / norm2(y));
    eigenvectors.push(y);
    residuals[i] = Math.abs(betaLast * ritz[i * m + m - 1]);
    if (options.trueResiduals || options.verify) {
      await apply(y, w);
      let r2 = 0;
      for (let c = 0; c < n; c++) r2 += (w[c] - theta[i] * y[c]) ** 2;
      residuals[i] = Math.sqrt(r2);
    }
  }
  const eigenvalues = theta.slice(0, k);
  let verification: ResidualVerification | undefined;
  if (options.verify) {
    verification = residualVerification(
      eigenvalues,
      residuals,
      { tol, scale: tnorm, precision: options.operatorPrecision },
      converged,
      { hvpCount: hvpCount - before, passes: hvpCount - before },
      "lanczosTopK",
    );
  }
  return {
    eigenvalues,
    eigenvectors,
    residuals,
    hvpCount,
    restarts,
    converged,
    ...(verification ? { verification } : {}),
  };
}

/** k ≥ n: build the explicit matrix with n operator calls and decompose it densely. */
async function denseAll(
  apply: (v: Float64Array, out: Float64Array) => Promise<void>,
  n: number,
  onProgress: LanczosOptions["onProgress"],
  count: () => number,
): Promise<LanczosResult> {
  const a = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    await apply(e, col);
    for (let i = 0; i < n; i++) a[i * n + j] = col[i];
  }
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sym[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  }
  const eig = symmetricEigen(sym, n, { order: "descending" });
  const eigenvectors: Float64Array[] = [];
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = eig.vectors!.subarray(i * n, (i + 1) * n);
    eigenvectors.push(y);
    let r2 = 0;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += sym[r * n + c] * y[c];
      const d = s - eig.values[i] * y[r];
      r2 += d * d;
    }
    residuals[i] = Math.sqrt(r2);
  }
  onProgress?.({ iteration: 1, hvpCount: count(), converged: n, wanted: n });
  return {
    eigenvalues: eig.values,
    eigenvectors,
    residuals,
    hvpCount: count(),
    restarts: 0,
    converged: true,
  };
}

function norm2(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

function scaleInPlace(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= a;
}

/**
 * w ← (I − VVᵀ)w against the first `count` rows of `basis`, classical Gram–Schmidt twice;
 * h[0..count) receives the total coefficients.
 */
function gramSchmidtTwice(
  basis: Float64Array,
  n: number,
  count: number,
  w: Float64Array,
  h: Float64Array,
): void {
  h.fill(0, 0, count);
  const c = new Float64Array(count);
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < count; j++) {
      const o = j * n;
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        s0 += basis[o + i] * w[i];
        s1 += basis[o + i + 1] * w[i + 1];
      }
      if (i < n) s0 += basis[o + i] * w[i];
      c[j] = s0 + s1;
    }
    for (let j = 0; j < count; j++) {
      const o = j * n;
      const cj = c[j];
      for (let i = 0; i < n; i++) w[i] -= cj * basis[o + i];
      h[j] += cj;
    }
  }
}

/** A seeded Gaussian vector orthogonal to the first `count` rows of `basis`, normalised. */
function freshOrthogonalVector(
  basis: Float64Array,
  n: number,
  count: number,
  out: Float64Array,
  rng: Rng,
): void {
  const h = new Float64Array(count);
  for (let attempt = 0; attempt < 10; attempt++) {
    rng.fillNormal(out);
    const before = norm2(out);
    gramSchmidtTwice(basis, n, count, out, h);
    const after = norm2(out);
    if (after > 1e-8 * before) {
      scaleInPlace(out, 1 / after);
      return;
    }
  }
  throw new Error(`lanczosTopK: could not extend a basis of ${count} vectors in R^${n}`);
}

/** out[i] = Σ_j coef[i][j] · basis[j] for i < rows (coef rows of length m, basis rows of length n). */
function combineRows(
  basis: Float64Array,
  coef: Float64Array,
  m: number,
  rows: number,
  n: number,
  out: Float64Array,
): void {
  out.fill(0, 0, rows * n);
  // Column blocks keep a slice of every basis row and of every output row in cache.
  const block = 512;
  for (let c0 = 0; c0 < n; c0 += block) {
    const c1 = Math.min(n, c0 + block);
    for (let i = 0; i < rows; i++) {
      const oi = i * n;
      for (let j = 0; j < m; j++) {
        const a = coef[i * m + j];
        if (a === 0) continue;
        const oj = j * n;
        for (let c = c0; c < c1; c++) out[oi + c] += a * basis[oj + c];
      }
    }
  }
}
