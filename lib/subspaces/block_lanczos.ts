/**
 * Top-k eigenpairs (largest **algebraic** eigenvalues, ARPACK's `which="LA"`) of a symmetric
 * operator that multiplies a whole **block** of vectors per call, e.g. a Hessian engine that
 * computes H·[v₁ … v_b] in one pass over 10⁶ samples. The cost that matters is the number of
 * passes (operator calls), not the number of vectors per pass.
 *
 * Method: **block Krylov–Schur**, i.e. thick-restart block Lanczos with full reorthogonalisation
 * (Stewart 2001; Zhou & Saad 2008). It is {@link lanczosTopK} with blocks, plus locking and a
 * convergence test after every pass; at b = 1 it is that single-vector method again.
 *
 * One cycle, with an orthonormal active basis V = [V₀ … V_{j−1}] (blocks of b vectors), the open
 * block Q (b vectors, not yet multiplied) and T = VᵀHV:
 * 1. Extend by one block per pass: W = H·Q (one operator call); orthogonalise W against all basis
 *    vectors and locked vectors (block classical Gram–Schmidt, twice); T gains the diagonal block
 *    QᵀHQ; the QR factorisation W = Q′B (column-wise Gram–Schmidt twice) gives the next open block
 *    Q′ and the coupling B. Then H V = V T + Q′ B Eᵀ (E: the last b columns) holds to working
 *    precision, for every basis size j, so convergence can be tested after every pass.
 * 2. Rayleigh–Ritz: T = U Θ Uᵀ (`symmetricEigen`; T is banded with an arrow from the restart).
 *    The Ritz pair (θᵢ, yᵢ = V uᵢ) has residual ‖H yᵢ − θᵢ yᵢ‖² = ‖B uᵢ[last b]‖² + ‖L uᵢ‖²
 *    (no operator calls; L is the leak towards locked vectors, see 4).
 * 3. Stop when each of the k wanted pairs satisfies ‖H y − θ y‖ ≤ tol · max(|θ|, ε^{2/3}·‖T‖₂),
 *    the test of {@link lanczosTopK} (ARPACK's, with the θ ≈ 0 floor relative to the scale of H).
 *    The test runs after every pass, not only at the cycle end as in ARPACK, which saves up to a
 *    cycle of passes; in a cycle with a deflated block (below) only the cycle-end test counts.
 * 4. At the end of a cycle (basis size m), **lock** converged pairs whose coupling sᵢ = B uᵢ[last b]
 *    is tiny: they leave the active basis (later blocks are orthogonalised against them, so the
 *    iteration continues on (I − YYᵀ) H (I − YYᵀ)). Dropping sᵢ is not an approximation the
 *    stopping test ignores: the leak L = YᵀHV is measured every pass and enters the residuals
 *    above, and locking is allowed only while √(Σ‖sᵢ‖²) ≤ 0.1 · tol · (smallest wanted |θ|), so the
 *    leak takes at most a tenth of any wanted pair's tolerance. Locked vectors are never touched
 *    again.
 * 5. **Thick restart**: keep the p largest unlocked Ritz vectors (p = k_active + min(n_conv,
 *    ⌊(m − k_active)/2⌋), ARPACK's rule) and the open block; the new T is diag(θ) bordered by the
 *    couplings sᵢ; continue from the open block.
 *
 * **Warm start** (`initialVectors`, e.g. the previous checkpoint's top-k eigenvectors W):
 * 1. Rayleigh–Ritz on span W, block by block: b more warm vectors are orthonormalised and
 *    multiplied per pass, T_W = WᵀHW and the Gram matrix (HW)ᵀHW give every Ritz pair's residual;
 *    the warm basis stops being consumed once a block adds fewer converged pairs than half its
 *    width (a basis that has drifted costs one pass, not |W| products).
 * 2. The pairs that meet tol with their explicit residuals R = (HW)U − ZΘ are kept as the
 *    thick-restart basis Z, T = diag(θ); the others are dropped. Their residuals are not in a
 *    b-wide block, so they are kept exactly as a **defect**: R = F D with F orthonormal and
 *    orthogonal to the basis, and H V = V T + Q S + F D holds with S = B Eᵀ as in a cold solve
 *    plus what each new block absorbs of F: with C = Q Fᵀ, F D = Q (C D) + (F − CᵀQ) D, so S gains
 *    C D and F − CᵀQ is re-orthonormalised (F R, D ← R D). Each Ritz residual is then
 *    √(‖S uᵢ‖² + ‖D uᵢ‖² + leak²), still without operator calls, and the search space is not
 *    restricted (orthogonalising new blocks against F instead would cut f random-looking
 *    directions out of every eigenvector that is not kept: measured, they never converge).
 * 3. The open block is seeded random (orthogonal to Z and F) and the iteration is the cold one,
 *    with the stopping test unchanged, after at least {@linkcode WARM_START_MIN_PRODUCTS} products
 *    of exploration: an eigenvector missing from W grows there and enters the wanted set.
 * 4. When all k wanted pairs were kept and the grown basis' top-k Ritz values still equal them
 *    to tol (nothing new appeared), the kept warm pairs themselves are returned: their residuals
 *    came from operator products, so `verify` checks them without further products.
 * Correcting unconverged warm Ritz vectors was measured and dropped: expanding their residual
 * directions (b per pass, Davidson-like, or whole residual blocks) cost up to 8× a cold solve on
 * real checkpoints whose eigenspaces rotate (README), while a cold Krylov space finds those pairs
 * at its usual cost. So a drifted basis costs one extra pass, a near-invariant one saves most of
 * the solve.
 *
 * **Rank-deficient blocks** (a column of W numerically in the span of the basis: the block Krylov
 * space has become invariant in that direction, e.g. at a multiple eigenvalue or a breakdown) are
 * deflated by giving that column a zero coupling and replacing it by a fresh seeded random vector
 * orthogonal to everything, so every pass stays b vectors wide and the search keeps growing.
 *
 * Why block Krylov–Schur rather than LOBPCG: for "top-100 at tol 1e-4 in few passes" LOBPCG must
 * carry a block of ≥ k + guard ≈ 120 vectors (every pass multiplies all of them, even the converged
 * ones unless they are locked) and its per-pass progress is that of a 3-term recurrence, while
 * the Krylov basis keeps every product it ever computed and extracts the optimal polynomial from
 * it. Block Krylov–Schur also lets the caller choose the block width b from what the Hessian
 * engine does well, and it reproduces the single-vector method of the paper at b = 1.
 *
 * **Block size.** A block method needs more products in total than single-vector Lanczos (a block
 * Krylov space of b·d vectors holds polynomials of degree d only) but far fewer passes. Measured
 * for the top 100 of N = 4,500 Hessian-like spectra (`bench/block_eigen.ts`), the default b = 16
 * needs about 10× fewer passes than {@link lanczosTopK} needs calls, at about 1.5× the products;
 * b = 8 needs 6–7× fewer passes at 1.1–1.3× the products; b = 32 saves another third of the
 * passes at about 2× the products, b = 64 little more at 3–4×. b = 16 also resolves eigenvalue
 * multiplicities up to 16. Prefer b = 4–8 when a pass costs about b single products (a
 * compute-bound engine), b = 16–32 when the pass itself dominates (10⁶ samples per pass). The
 * basis grows with b (default m = max(2k + b, k + 6b)) so that a cycle holds several blocks.
 *
 * Memory: (k + m + b)·n doubles for the vectors (the restart works in place), m² for T.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import { symmetricEigen } from "../linalg/symmetric_eigen.ts";
import type { LanczosResult, SymmetricOperator } from "./lanczos.ts";
import {
  exactResidualVerification,
  normalizedWarmVectors,
  type ResidualVerification,
  residualVerification,
} from "./warm_start.ts";

/**
 * A symmetric linear operator applied to a block of vectors: returns [Av₁, …, Av_b] for
 * [v₁, …, v_b] (e.g. Hessian-vector products computed in one pass over the data); may be async.
 * The input arrays are fresh copies the operator may keep or modify.
 */
export type BlockOperator = (
  vectors: Float64Array[],
) =>
  | ReadonlyArray<Float64Array | Float32Array>
  | Promise<ReadonlyArray<Float64Array | Float32Array>>;

/** Progress report passed to {@link BlockLanczosOptions.onProgress} after every restart cycle. */
export interface BlockLanczosProgress {
  /** Restart cycle just finished (1-based). */
  iteration: number;
  /** Block-operator calls (passes over the data) so far. */
  passes: number;
  /** Vectors multiplied so far (Hessian-vector products). */
  hvpCount: number;
  /** How many of the k wanted pairs meet the tolerance (locked ones included). */
  converged: number;
  /** How many pairs are locked. */
  locked: number;
  /** k, the number of wanted pairs. */
  wanted: number;
}

/** Options of {@link blockLanczosTopK}. */
export interface BlockLanczosOptions {
  /** Number of wanted eigenpairs (largest algebraic eigenvalues). */
  k: number;
  /** Vectors per operator call b (default 16; b = 1 is single-vector thick-restart Lanczos). */
  blockSize?: number;
  /** Relative residual tolerance: ‖Hy − θy‖ ≤ tol·|θ| (default 1e-4, the paper's setting). */
  tol?: number;
  /** Maximum number of restart cycles (default 500, the paper's `maxiter`). */
  maxIter?: number;
  /**
   * Active basis size m before a restart (default min(n − b, max(2k + b, k + 6b)): ARPACK's
   * ncv = 2k + 1 widened by one block, and room for several blocks per cycle when b is large);
   * k + b ≤ m ≤ n − b. Locked vectors are stored outside it.
   */
  basisSize?: number;
  /** Seed of the start block and of the vectors replacing deflated columns (default 0). */
  seed?: number;
  /**
   * Warm start: a basis the wanted eigenvectors are expected to lie close to, e.g. the top-k (or
   * more, see `extraVectors`) Ritz vectors of the previous checkpoint, best first (vectors of
   * length n, at most basisSize − blockSize are used; float32 is fine). The solve begins with a
   * Rayleigh–Ritz step on their span and keeps the pairs that already meet tol (module doc); the
   * stopping test is unchanged, so only the cost differs from a cold start.
   */
  initialVectors?: readonly ArrayLike<number>[];
  /**
   * Also return this many Ritz vectors beyond the k wanted ones from the final basis (default 0),
   * in `extraVectors`: a larger warm-start basis for the next solve. Fewer when the final active
   * basis holds fewer.
   */
  extraVectors?: number;
  /** On hitting maxIter: "throw" an Error (default, like scipy) or "warn" and return converged=false. */
  onNotConverged?: "throw" | "warn";
  /** Called after each restart cycle, e.g. for a progress bar. */
  onProgress?: (progress: BlockLanczosProgress) => void;
  /**
   * Recompute the returned residuals as ‖H yᵢ − θᵢ yᵢ‖ with ⌈k/b⌉ extra passes (default false): the
   * Krylov estimate cannot see noise inside the operator (e.g. float32 Hessian-vector products).
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

/** Result of {@link blockLanczosTopK}: {@link LanczosResult} plus the pass count. */
export interface BlockLanczosResult extends LanczosResult {
  /** Number of block-operator calls (passes over the data). */
  passes: number;
  /** Number of pairs that were locked before the end. */
  locked: number;
  /** The block size b used. */
  blockSize: number;
  /** The explicit residual check, when `verify` was set (its products are in hvpCount). */
  verification?: ResidualVerification;
  /** Ritz vectors beyond the k wanted ones (`extraVectors`), descending Ritz value. */
  extraVectors?: Float64Array[];
  /** The warm start's Rayleigh–Ritz step, when `initialVectors` were given. */
  warmStart?: WarmStartReport;
}

/** What the Rayleigh–Ritz step of a warm start found (in {@link BlockLanczosResult.warmStart}). */
export interface WarmStartReport {
  /** Warm vectors used (after dropping linearly dependent ones). */
  vectors: number;
  /** Products spent on the Rayleigh–Ritz step (one per warm vector; in hvpCount). */
  hvpCount: number;
  /** How many of its Ritz pairs met tol (estimated from the Gram matrix of the products). */
  converged: number;
  /** How many of them, with explicit residuals, were kept as the start of the thick restart. */
  kept: number;
  /**
   * Whether the returned pairs are the kept warm ones (the Krylov exploration found no new
   * wanted direction): their residuals come from the warm products, so `verify` costs nothing.
   */
  returned: boolean;
}

const EPS = 2 ** -52;
const EPS23 = EPS ** (2 / 3);
/** A column whose norm after orthogonalisation is below this fraction of ‖H‖ is deflated. */
const DEFLATE = 1e-12;
/** Locked couplings may total at most this fraction of tol·(smallest wanted |θ|). */
const LOCK_FRACTION = 0.1;
/** Column width of the cache-blocked kernels. */
const COLS = 256;
/**
 * After a warm start, the products the solve spends at least (in whole passes, ⌈48/b⌉ of them)
 * before it may stop: from the random open block they grow a Krylov space in the complement of
 * the kept warm vectors, where an eigenvector absent from the warm basis shows up as a new wanted
 * Ritz value (and the warm pairs are then not returned as they are).
 */
export const WARM_START_MIN_PRODUCTS = 48;

/**
 * Computes the k largest-algebraic eigenpairs of the symmetric block operator `op` on Rⁿ by block
 * Krylov–Schur (thick-restart block Lanczos, full reorthogonalisation, locking; see the module
 * documentation), with the stopping test of {@link lanczosTopK}:
 * ‖Hy − θy‖ ≤ tol·max(|θ|, ε^{2/3}‖T‖₂) for every wanted pair.
 *
 * When k ≥ n, or n is too small for a basis of k + 3b vectors (and no basisSize is given), the
 * operator is applied to the n unit vectors (⌈n/b⌉ passes), the explicit matrix is symmetrised and
 * decomposed densely; min(k, n) pairs are returned.
 *
 * @param op block operator [v₁ … v_b] ↦ [Hv₁ … Hv_b].
 * @param n dimension of the space.
 * @throws Error when maxIter is exceeded and `onNotConverged` is "throw" (the default); RangeError
 *   for bad options or when the operator returns the wrong number or length of vectors, or
 *   NaN/Infinity.
 *
 * @example
 * ```ts
 * import { blockLanczosTopK } from "./block_lanczos.ts";
 * // Diagonal operator with eigenvalues 1..500: the top 3 are 500, 499, 498.
 * const n = 500;
 * const op = (vs: Float64Array[]) => vs.map((v) => v.map((x, i) => (i + 1) * x));
 * const { eigenvalues, passes, hvpCount } = await blockLanczosTopK(op, n, { k: 3, blockSize: 4 });
 * ```
 */
export async function blockLanczosTopK(
  op: BlockOperator,
  n: number,
  options: BlockLanczosOptions,
): Promise<BlockLanczosResult> {
  const who = "blockLanczosTopK";
  const k = options.k;
  const b = options.blockSize ?? 16;
  const tol = options.tol ?? 1e-4;
  const maxIter = options.maxIter ?? 500;
  const onNotConverged = options.onNotConverged ?? "throw";
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${who}: n must be a positive integer, got ${n}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`${who}: k must be a positive integer, got ${k}`);
  }
  if (!Number.isInteger(b) || b < 1) {
    throw new RangeError(`${who}: blockSize must be a positive integer, got ${b}`);
  }
  if (!(tol > 0)) throw new RangeError(`${who}: tol must be > 0, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`${who}: maxIter must be a positive integer, got ${maxIter}`);
  }
  if (onNotConverged !== "throw" && onNotConverged !== "warn") {
    throw new RangeError(`${who}: onNotConverged must be "throw" or "warn"`);
  }

  let passes = 0;
  let hvpCount = 0;
  /** H applied to `rows` consecutive vectors of `src`; validated results written to `out`. */
  const applyBlock = async (src: Float64Array, rows: number, out: Float64Array): Promise<void> => {
    const vectors: Float64Array[] = [];
    for (let r = 0; r < rows; r++) vectors.push(src.slice(r * n, (r + 1) * n));
    const result = await op(vectors);
    passes++;
    hvpCount += rows;
    if (!result || result.length !== rows) {
      throw new RangeError(
        `${who}: the block operator returned ${result?.length} vectors for a block of ${rows}; ` +
          "it must return one product per input vector, in order",
      );
    }
    for (let r = 0; r < rows; r++) {
      const y = result[r];
      if (!y || y.length !== n) {
        throw new RangeError(
          `${who}: the block operator returned length ${y?.length} for a vector of length ${n}`,
        );
      }
      const o = r * n;
      for (let i = 0; i < n; i++) {
        const x = y[i];
        if (!Number.isFinite(x)) {
          throw new RangeError(
            `${who}: operator pass ${passes} returned ${x} at vector ${r}, index ${i}; ` +
              "the Hessian-vector products must be finite",
          );
        }
        out[o + i] = x;
      }
    }
  };

  const defaultBasis = Math.min(n - b, Math.max(2 * k + b, k + 6 * b));
  if (k >= n || (options.basisSize === undefined && defaultBasis < k + 2 * b)) {
    const dense = await denseTopK(applyBlock, n, Math.min(k, n), Math.min(b, n), {
      onProgress: options.onProgress,
      counts: () => ({ passes, hvpCount }),
    });
    // The dense residuals are exact already: verification costs nothing more.
    if (options.verify) {
      dense.verification = exactResidualVerification(
        dense.eigenvalues,
        dense.residuals,
        { tol, precision: options.operatorPrecision },
        who,
      );
    }
    return dense;
  }
  const m = options.basisSize ?? defaultBasis;
  if (!Number.isInteger(m) || m < k + b || m + b > n) {
    throw new RangeError(
      `${who}: basisSize must be an integer with k + blockSize ≤ basisSize ≤ n − blockSize ` +
        `(k = ${k}, blockSize = ${b}, n = ${n}), got ${m}; lower blockSize or omit basisSize`,
    );
  }

  const rng = new Rng(options.seed ?? 0);
  const maxLocked = Math.max(0, Math.min(k, n - m - b));
  // Active rows 0..j, the open block, and its product (which becomes the next open block).
  const basis = new Float64Array((m + b) * n);
  const locked = new Float64Array(Math.max(maxLocked, 1) * n);
  const lockedTheta: number[] = [];
  const lockedResidual: number[] = [];
  let lockedLeakSq = 0; // Σ‖sᵢ‖² over locked pairs: bounds their leak into the active space
  const t = new Float64Array(m * m); // T = VᵀHV of the active basis (stride m)
  const leak = new Float64Array(Math.max(maxLocked, 1) * m); // L = YᵀHV (stride m)
  const coef = new Float64Array((m + b) * b);
  const lockedCoef = new Float64Array(Math.max(maxLocked, 1) * b);
  let bLast = new Float64Array(b * b);
  let anorm = 0;

  let j = 0; // active basis size (vectors whose products are in T); open block at rows j..j+b
  let iteration = 0;
  let ritz: RitzState | undefined;
  let finished = false;
  // Defect of a warm start (module doc): f orthonormal vectors F, orthogonal to the active basis,
  // the locked vectors and (once it has absorbed its part) the open block, and D = FᵀHV (f × m,
  // stride m); a cold solve has none.
  const warmCount = options.initialVectors ? Math.min(options.initialVectors.length, m - b) : 0;
  const defect = new Float64Array(Math.max(warmCount, 1) * n);
  const dmat = new Float64Array(Math.max(warmCount, 1) * m);
  let f = 0;
  // S: the open block's coefficients in H V (b × m, stride m), H V = V T + Q S + F D.
  const smat = new Float64Array(b * m);
  let minPasses = 0; // no stop before this many passes (warm starts)
  let warmReport: Omit<WarmStartReport, "returned"> | undefined;
  // The kept warm pairs with their explicit residuals, when they cover all k wanted ones.
  let warmPairs: { theta: number[]; vectors: Float64Array; residuals: number[] } | undefined;
  if (options.initialVectors) {
    // Warm start (module doc). 1: progressive Rayleigh–Ritz on the warm vectors (rows 0..w of the
    // basis, orthonormalised, dependent ones dropped), their products computed b per pass; stop
    // taking more of them once a block adds fewer pairs that meet tol than half its width.
    const warm = normalizedWarmVectors(options.initialVectors, n, who);
    let w = 0;
    let next = 0; // next warm vector to orthonormalise
    const hw = new Float64Array(warmCount * n);
    const t0 = new Float64Array(warmCount * warmCount); // WᵀHW
    const g0 = new Float64Array(warmCount * warmCount); // (HW)ᵀHW
    let eig: { values: Float64Array; vectors: Float64Array } | undefined;
    let warmConverged = 0;
    const ritzResidualSq = (e: { values: Float64Array; vectors: Float64Array }, i: number) => {
      // ‖HWu − θWu‖² = uᵀ(HW)ᵀHWu − θ² (W orthonormal, uᵀWᵀHWu = θ): ample for the decision.
      const u = e.vectors.subarray(i * w, (i + 1) * w);
      let s = 0;
      for (let r = 0; r < w; r++) {
        let x = 0;
        for (let c = 0; c < w; c++) x += g0[r * warmCount + c] * u[c];
        s += u[r] * x;
      }
      return Math.max(0, s - e.values[i] ** 2);
    };
    while (next < warm.length && w < warmCount) {
      const w0 = w;
      const convergedBefore = warmConverged;
      while (w < Math.min(warmCount, w0 + b) && next < warm.length) {
        basis.set(warm[next++], w * n);
        orthogonalizeVector(basis, w, basis, w * n, n);
        const s = Math.sqrt(dotRange(basis, w * n, basis, w * n, n));
        if (s <= 1e-8) continue; // (numerically) in the span of the earlier ones
        for (let c = 0; c < n; c++) basis[w * n + c] /= s;
        w++;
      }
      if (w === w0) break;
      await applyBlock(basis.subarray(w0 * n, w * n), w - w0, hw.subarray(w0 * n));
      for (let r = 0; r < w; r++) {
        for (let c = Math.max(r, w0); c < w; c++) {
          const x = 0.5 *
            (dotRange(basis, r * n, hw, c * n, n) + dotRange(basis, c * n, hw, r * n, n));
          t0[r * warmCount + c] = t0[c * warmCount + r] = x;
          const y = dotRange(hw, r * n, hw, c * n, n);
          g0[r * warmCount + c] = g0[c * warmCount + r] = y;
        }
      }
      const tw = new Float64Array(w * w);
      for (let r = 0; r < w; r++) tw.set(t0.subarray(r * warmCount, r * warmCount + w), r * w);
      const e = symmetricEigen(tw, w, { order: "descending", overwriteInput: true });
      eig = { values: e.values, vectors: e.vectors! };
      const tn = Math.max(Math.abs(e.values[0]), Math.abs(e.values[w - 1]));
      warmConverged = 0;
      for (let i = 0; i < w; i++) {
        const bound = tol * Math.max(Math.abs(e.values[i]), EPS23 * tn);
        if (ritzResidualSq(eig, i) <= bound * bound) warmConverged++;
      }
      if (2 * (warmConverged - convergedBefore) < w - w0) break;
    }
    const warmProducts = hvpCount;
    // 2. Ritz vectors Z = W U and their explicit residuals R = (HW)U − ZΘ (rows of hw).
    let p = 0;
    if (eig) {
      const theta = eig.values;
      const all = Array.from({ length: w }, (_, i) => i);
      restartInPlace(basis, w, n, eig.vectors, all, [], locked, 0);
      restartInPlace(hw, w, n, eig.vectors, all, [], locked, 0);
      const tnorm = Math.max(Math.abs(theta[0]), Math.abs(theta[w - 1]));
      // 3. Keep the pairs that meet tol (up to m − 2b of them, best first), as the kept vectors
      // of a thick restart; the others are dropped (correcting them costs more than a cold
      // start finding them, measured in README). Their residuals span the defect F.
      const keptTheta: number[] = [];
      const keptResidual: number[] = [];
      for (let i = 0; i < w && p < m - 2 * b; i++) {
        let r2 = 0;
        for (let c = 0; c < n; c++) {
          const x = hw[i * n + c] - theta[i] * basis[i * n + c];
          hw[i * n + c] = x;
          r2 += x * x;
        }
        anorm = Math.max(anorm, Math.abs(theta[i]) + Math.sqrt(r2));
        if (Math.sqrt(r2) > tol * Math.max(Math.abs(theta[i]), EPS23 * tnorm)) continue;
        if (i !== p) {
          basis.copyWithin(p * n, i * n, (i + 1) * n);
          hw.copyWithin(p * n, i * n, (i + 1) * n);
        }
        keptTheta.push(theta[i]);
        keptResidual.push(Math.sqrt(r2));
        p++;
      }
      if (p >= k && keptTheta.slice(0, k).every((x, i) => x === theta[i])) {
        warmPairs = {
          theta: keptTheta.slice(0, k),
          vectors: basis.slice(0, k * n),
          residuals: keptResidual.slice(0, k),
        };
      }
      // F: orthonormal basis of span R (rows of `defect`), D = C with R = F C; R ⟂ Z up to
      // rounding, removed here so that F ⟂ V exactly.
      const prev = new Float64Array(p);
      for (let q = 0; q < p; q++) {
        orthogonalizeVector(basis, p, hw, q * n, n);
        orthogonalizeVector(defect, f, hw, q * n, n, prev);
        for (let r = 0; r < f; r++) dmat[r * m + q] = prev[r];
        const s = Math.sqrt(dotRange(hw, q * n, hw, q * n, n));
        if (s <= DEFLATE * anorm) continue; // a residual at rounding level
        dmat[f * m + q] = s;
        for (let c = 0; c < n; c++) defect[f * n + c] = hw[q * n + c] / s;
        f++;
      }
      t.fill(0);
      for (let q = 0; q < p; q++) t[q * m + q] = keptTheta[q];
    }
    // 4. The open block: seeded random columns orthogonal to the kept vectors and F.
    for (let row = p; row < p + b; row++) {
      rng.fillNormal(basis.subarray(row * n, (row + 1) * n));
      orthogonalizeVector(basis, p, basis, row * n, n);
      if (f > 0) orthogonalizeVector(defect, f, basis, row * n, n);
    }
    orthonormalizeBlock(basis, p, b, n, locked, 0, new Float64Array(b * b), rng, 0, who, defect, f);
    j = p;
    minPasses = passes + Math.ceil(WARM_START_MIN_PRODUCTS / b);
    warmReport = { vectors: w, hvpCount: warmProducts, converged: warmConverged, kept: p };
  } else {
    // Cold start: b seeded Gaussian vectors, orthonormalised.
    rng.fillNormal(basis.subarray(0, b * n));
    orthonormalizeBlock(basis, 0, b, n, locked, 0, new Float64Array(b * b), rng, 0, who);
  }

  const nLocked = () => lockedTheta.length;
  const rayleighRitz = (): RitzState => {
    const tj = new Float64Array(j * j);
    for (let r = 0; r < j; r++) tj.set(t.subarray(r * m, r * m + j), r * j);
    const eig = symmetricEigen(tj, j, { order: "descending", overwriteInput: true });
    const theta = eig.values;
    const u = eig.vectors!;
    const coupling = new Float64Array(j * b); // sᵢ = B uᵢ[last b]
    const residual = new Float64Array(j);
    const krylovSq = new Float64Array(j);
    const defectCoef = new Float64Array(j * f); // dᵢ = D uᵢ (j × f)
    const nl = nLocked();
    for (let i = 0; i < j; i++) {
      const ui = u.subarray(i * j, (i + 1) * j);
      let s2 = 0;
      for (let a = 0; a < b; a++) {
        // sᵢ = S uᵢ: only the last block's columns (B) in a cold solve, all after a warm start.
        let s = 0;
        const o = a * m;
        for (let c = 0; c < j; c++) if (smat[o + c] !== 0) s += smat[o + c] * ui[c];
        coupling[i * b + a] = s;
        s2 += s * s;
      }
      for (let r = 0; r < f; r++) {
        let s = 0;
        const o = r * m;
        for (let c = 0; c < j; c++) s += dmat[o + c] * ui[c];
        defectCoef[i * f + r] = s;
        s2 += s * s;
      }
      let l2 = 0;
      for (let r = 0; r < nl; r++) {
        let s = 0;
        const o = r * m;
        for (let c = 0; c < j; c++) s += leak[o + c] * ui[c];
        l2 += s * s;
      }
      krylovSq[i] = s2;
      residual[i] = Math.sqrt(s2 + l2);
    }
    let tnorm = Math.max(Math.abs(theta[0]), Math.abs(theta[j - 1]));
    for (const x of lockedTheta) tnorm = Math.max(tnorm, Math.abs(x));
    const wanted = k - nl;
    let nconv = 0;
    const converged = new Uint8Array(wanted);
    for (let i = 0; i < wanted; i++) {
      if (residual[i] <= tol * Math.max(Math.abs(theta[i]), EPS23 * tnorm)) {
        converged[i] = 1;
        nconv++;
      }
    }
    return {
      theta,
      u,
      coupling,
      defect: defectCoef,
      residual,
      krylovSq,
      converged,
      nconv,
      tnorm,
      size: j,
    };
  };

  for (iteration = 1; iteration <= maxIter; iteration++) {
    // 1. Extend the active basis block by block up to m vectors, testing after every pass.
    let deflatedThisCycle = false;
    while (j + b <= m) {
      const open = j;
      const next = j + b;
      const w = basis.subarray(next * n, (next + b) * n);
      await applyBlock(basis.subarray(open * n, next * n), b, w);
      // Orthogonalise W against every active vector (open block included) and the locked ones.
      projectOut(basis, next, w, b, n, coef);
      const nl = nLocked();
      if (nl > 0) projectOut(locked, nl, w, b, n, lockedCoef);
      let diagNorm = 0;
      for (let a = 0; a < b; a++) {
        for (let c = 0; c < b; c++) {
          const x = 0.5 * (coef[(open + a) * b + c] + coef[(open + c) * b + a]);
          t[(open + a) * m + open + c] = x;
          diagNorm += x * x;
        }
      }
      for (let r = 0; r < nl; r++) {
        for (let a = 0; a < b; a++) leak[r * m + open + a] = lockedCoef[r * b + a];
      }
      let prevCoupling = 0;
      for (const x of bLast) prevCoupling += x * x;
      anorm = Math.max(anorm, Math.sqrt(diagNorm) + Math.sqrt(prevCoupling) + frobenius(w));
      const bNew = new Float64Array(b * b);
      const deflated = orthonormalizeBlock(
        basis,
        next,
        b,
        n,
        locked,
        nl,
        bNew,
        rng,
        DEFLATE * anorm,
        who,
      );
      smat.fill(0);
      for (let a = 0; a < b; a++) {
        for (let c = a; c < b; c++) smat[a * m + open + c] = bNew[a * b + c];
      }
      // Warm start: the new block absorbs its part of the defect (module doc).
      const warmPass = f > 0;
      if (warmPass) {
        f = absorbDefect(basis, next, b, defect, f, dmat, smat, m, n, next, DEFLATE * anorm);
      }
      if (next + b <= m && warmPass) {
        for (let a = 0; a < b; a++) {
          for (let c = 0; c < next; c++) {
            t[(next + a) * m + c] = smat[a * m + c];
            t[c * m + next + a] = smat[a * m + c];
          }
        }
      } else if (next + b <= m) {
        for (let a = 0; a < b; a++) {
          for (let c = 0; c < b; c++) {
            t[(next + a) * m + open + c] = bNew[a * b + c];
            t[(open + c) * m + next + a] = bNew[a * b + c];
          }
        }
      }
      if (deflated > 0) deflatedThisCycle = true;
      bLast = bNew;
      j = next;
      if (j >= k - nl) {
        ritz = rayleighRitz();
        // A deflated column means the Krylov space became invariant, and its exact Ritz pairs can
        // hide eigenvectors it never touched: then wait for the cycle end (like lanczosTopK),
        // so the fresh vectors that replaced the column have grown a Krylov space of their own.
        if (ritz.nconv === k - nl && !deflatedThisCycle && passes >= minPasses) {
          finished = true;
          break;
        }
      }
    }
    ritz ??= rayleighRitz();
    options.onProgress?.({
      iteration,
      passes,
      hvpCount,
      converged: ritz.nconv + nLocked(),
      locked: nLocked(),
      wanted: k,
    });
    if (finished || iteration === maxIter) break;

    // 2. Lock converged pairs with tiny couplings, then thick-restart with the best of the rest.
    const wanted = k - nLocked();
    let scale = EPS23 * ritz.tnorm;
    let smallest = Infinity;
    for (let i = 0; i < wanted; i++) smallest = Math.min(smallest, Math.abs(ritz.theta[i]));
    for (const x of lockedTheta) smallest = Math.min(smallest, Math.abs(x));
    scale = Math.max(scale, smallest);
    const budget = (LOCK_FRACTION * tol * scale) ** 2;
    const toLock: number[] = [];
    for (let i = 0; i < wanted; i++) {
      if (!ritz.converged[i] || nLocked() + toLock.length >= maxLocked) continue;
      if (lockedLeakSq + ritz.krylovSq[i] > budget) continue;
      lockedLeakSq += ritz.krylovSq[i];
      toLock.push(i);
    }
    const wantedAfter = wanted - toLock.length;
    const lockSet = new Set(toLock);
    const candidates: number[] = [];
    for (let i = 0; i < j; i++) if (!lockSet.has(i)) candidates.push(i);
    const convAfter = ritz.nconv - toLock.length;
    let p = wantedAfter + Math.min(convAfter, Math.floor((m - wantedAfter) / 2));
    p = Math.min(p, Math.max(wantedAfter, m - 2 * b), m - b, candidates.length);
    const keep = candidates.slice(0, p);
    restartInPlace(basis, j, n, ritz.u, keep, toLock, locked, nLocked());
    // Open block j..j+b moves behind the kept Ritz vectors.
    basis.copyWithin(p * n, j * n, (j + b) * n);
    // New leak matrix: old locked rows transform with U, newly locked rows start at zero.
    const nlOld = nLocked();
    const newLeak = new Float64Array(leak.length);
    for (let r = 0; r < nlOld; r++) {
      for (let q = 0; q < p; q++) {
        const ui = ritz.u.subarray(keep[q] * j, (keep[q] + 1) * j);
        let s = 0;
        for (let c = 0; c < j; c++) s += leak[r * m + c] * ui[c];
        newLeak[r * m + q] = s;
      }
    }
    leak.set(newLeak);
    for (const i of toLock) {
      lockedTheta.push(ritz.theta[i]);
      lockedResidual.push(ritz.residual[i]);
    }
    t.fill(0);
    for (let q = 0; q < p; q++) {
      const i = keep[q];
      t[q * m + q] = ritz.theta[i];
      for (let a = 0; a < b; a++) {
        const s = ritz.coupling[i * b + a];
        t[(p + a) * m + q] = s;
        t[q * m + p + a] = s;
      }
    }
    if (f > 0) {
      // Warm start: the defect's coefficients of the kept vectors (as their couplings above).
      dmat.fill(0);
      for (let q = 0; q < p; q++) {
        for (let r = 0; r < f; r++) dmat[r * m + q] = ritz.defect[keep[q] * f + r];
      }
    }
    j = p;
    ritz = undefined;
  }

  const state = ritz!;
  const nl = nLocked();
  const wanted = k - nl;
  const nconv = state.nconv + nl;
  const converged = nconv === k;
  const restarts = Math.min(iteration, maxIter) - 1;
  if (!converged) {
    const message = `${who}: only ${nconv} of ${k} eigenpairs met tol = ${tol} after ${maxIter} ` +
      `restart cycles (${passes} passes, ${hvpCount} products); raise maxIter, basisSize or ` +
      "blockSize, or loosen tol";
    if (onNotConverged === "throw") throw new Error(message);
    console.warn(message);
  }

  if (warmPairs && converged && nl === 0 && state.size >= k) {
    // Warm start whose Krylov exploration found nothing new: the top-k Ritz values of the grown
    // basis are the kept warm ones to tol (a new wanted direction would shift them), so the
    // warm Rayleigh–Ritz pairs are returned, with residuals computed from operator products.
    let scale = state.tnorm;
    const same = warmPairs.theta.every((x, i) => {
      scale = Math.max(scale, Math.abs(x));
      return Math.abs(state.theta[i] - x) <= tol * Math.max(Math.abs(x), EPS23 * state.tnorm);
    });
    if (same) {
      const eigenvalues = Float64Array.from(warmPairs.theta);
      const residuals = Float64Array.from(warmPairs.residuals);
      const vectors = warmPairs.vectors;
      return {
        eigenvalues,
        eigenvectors: Array.from({ length: k }, (_, i) => vectors.subarray(i * n, (i + 1) * n)),
        residuals,
        hvpCount,
        passes,
        restarts,
        converged,
        locked: 0,
        blockSize: b,
        ...(options.verify
          ? {
            verification: residualVerification(
              eigenvalues,
              residuals,
              { tol, scale, precision: options.operatorPrecision },
              converged,
              { hvpCount: 0, passes: 0 },
              who,
            ),
          }
          : {}),
        ...(options.extraVectors
          ? { extraVectors: ritzVectors(basis, state, n, k, k + options.extraVectors) }
          : {}),
        ...(warmReport ? { warmStart: { ...warmReport, returned: true } } : {}),
      };
    }
  }

  // Assemble locked pairs and the wanted active Ritz pairs, sorted descending.
  const active = new Float64Array(wanted * n);
  combineRows(basis, state.size, n, state.u, Array.from({ length: wanted }, (_, i) => i), active);
  const pairs: { theta: number; vector: Float64Array; residual: number }[] = [];
  for (let i = 0; i < nl; i++) {
    pairs.push({
      theta: lockedTheta[i],
      vector: locked.slice(i * n, (i + 1) * n),
      residual: lockedResidual[i],
    });
  }
  for (let i = 0; i < wanted; i++) {
    const vector = active.subarray(i * n, (i + 1) * n);
    const s = Math.sqrt(dotRange(vector, 0, vector, 0, n));
    for (let c = 0; c < n; c++) vector[c] /= s;
    pairs.push({ theta: state.theta[i], vector, residual: state.residual[i] });
  }
  pairs.sort((x, y) => y.theta - x.theta);
  const eigenvalues = Float64Array.from(pairs, (q) => q.theta);
  const eigenvectors = pairs.map((q) => q.vector);
  const extraVectors = options.extraVectors
    ? ritzVectors(basis, state, n, wanted, wanted + options.extraVectors)
    : undefined;
  const residuals = Float64Array.from(pairs, (q) => q.residual);
  const before = { passes, hvpCount };
  if (options.trueResiduals || options.verify) {
    const src = new Float64Array(b * n);
    const out = new Float64Array(b * n);
    for (let i0 = 0; i0 < k; i0 += b) {
      const rows = Math.min(b, k - i0);
      for (let r = 0; r < rows; r++) src.set(eigenvectors[i0 + r], r * n);
      await applyBlock(src, rows, out);
      for (let r = 0; r < rows; r++) {
        const y = eigenvectors[i0 + r];
        const th = eigenvalues[i0 + r];
        let s = 0;
        for (let c = 0; c < n; c++) s += (out[r * n + c] - th * y[c]) ** 2;
        residuals[i0 + r] = Math.sqrt(s);
      }
    }
  }
  let verification: ResidualVerification | undefined;
  if (options.verify) {
    let scale = state.tnorm;
    for (const x of eigenvalues) scale = Math.max(scale, Math.abs(x));
    verification = residualVerification(
      eigenvalues,
      residuals,
      { tol, scale, precision: options.operatorPrecision },
      converged,
      { hvpCount: hvpCount - before.hvpCount, passes: passes - before.passes },
      who,
    );
  }
  return {
    eigenvalues,
    eigenvectors,
    residuals,
    hvpCount,
    passes,
    restarts,
    converged,
    locked: nl,
    blockSize: b,
    ...(verification ? { verification } : {}),
    ...(extraVectors ? { extraVectors } : {}),
    ...(warmReport ? { warmStart: { ...warmReport, returned: false } } : {}),
  };
}

/**
 * Adapts a single-vector operator to a {@link BlockOperator} by calling it once per vector (in
 * order, awaiting each): for tests and for operators without a block path. Outputs are copied.
 *
 * @example
 * ```ts
 * import { blockLanczosTopK, blockOperatorFromSingle } from "./block_lanczos.ts";
 * const hvp = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
 * const { eigenvalues } = await blockLanczosTopK(blockOperatorFromSingle(hvp), 200, { k: 2 });
 * // eigenvalues ≈ [200, 199]
 * ```
 */
export function blockOperatorFromSingle(op: SymmetricOperator): BlockOperator {
  return async (vectors: Float64Array[]) => {
    const out: Float64Array[] = [];
    for (const v of vectors) out.push(Float64Array.from(await op(v)));
    return out;
  };
}

/** Rayleigh–Ritz state at active basis size `size`. */
interface RitzState {
  /** Ritz values, descending. */
  theta: Float64Array;
  /** Eigenvectors of T as rows (size × size). */
  u: Float64Array;
  /** sᵢ = B uᵢ[last b] (size × b). */
  coupling: Float64Array;
  /** dᵢ = D uᵢ, the residual in the defect of a warm start (size × f). */
  defect: Float64Array;
  /** ‖H yᵢ − θᵢ yᵢ‖ including the leak towards locked vectors. */
  residual: Float64Array;
  /** ‖sᵢ‖² + ‖dᵢ‖², the part of the residual outside the locked vectors. */
  krylovSq: Float64Array;
  /** converged[i] for the wanted (top k − locked) pairs. */
  converged: Uint8Array;
  nconv: number;
  /** max |θ| over active and locked Ritz values. */
  tnorm: number;
  size: number;
}

/** k ≥ n (or a tiny n): explicit matrix from ⌈n/b⌉ passes, dense decomposition. */
async function denseTopK(
  applyBlock: (src: Float64Array, rows: number, out: Float64Array) => Promise<void>,
  n: number,
  k: number,
  b: number,
  extra: {
    onProgress: BlockLanczosOptions["onProgress"];
    counts: () => { passes: number; hvpCount: number };
  },
): Promise<BlockLanczosResult> {
  const a = new Float64Array(n * n);
  const src = new Float64Array(b * n);
  const out = new Float64Array(b * n);
  for (let c0 = 0; c0 < n; c0 += b) {
    const rows = Math.min(b, n - c0);
    src.fill(0);
    for (let r = 0; r < rows; r++) src[r * n + c0 + r] = 1;
    await applyBlock(src, rows, out);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < n; i++) a[i * n + c0 + r] = out[r * n + i];
    }
  }
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < n; c++) sym[i * n + c] = 0.5 * (a[i * n + c] + a[c * n + i]);
  }
  const eig = symmetricEigen(sym, n, { order: "descending" });
  const eigenvectors: Float64Array[] = [];
  const residuals = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const y = eig.vectors!.slice(i * n, (i + 1) * n);
    eigenvectors.push(y);
    let r2 = 0;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += sym[r * n + c] * y[c];
      r2 += (s - eig.values[i] * y[r]) ** 2;
    }
    residuals[i] = Math.sqrt(r2);
  }
  const { passes, hvpCount } = extra.counts();
  extra.onProgress?.({ iteration: 1, passes, hvpCount, converged: k, locked: 0, wanted: k });
  return {
    eigenvalues: eig.values.slice(0, k),
    eigenvectors,
    residuals,
    hvpCount,
    passes,
    restarts: 0,
    converged: true,
    locked: 0,
    blockSize: b,
  };
}

function dotRange(x: Float64Array, ox: number, y: Float64Array, oy: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    s0 += x[ox + i] * y[oy + i];
    s1 += x[ox + i + 1] * y[oy + i + 1];
  }
  if (i < len) s0 += x[ox + i] * y[oy + i];
  return s0 + s1;
}

function frobenius(x: Float64Array): number {
  return Math.sqrt(dotRange(x, 0, x, 0, x.length));
}

/**
 * W ← (I − VVᵀ)W for the first `count` rows V of `basis` and the b rows of `w`, block classical
 * Gram–Schmidt applied twice; coef[r·b + a] receives the total coefficient ⟨v_r, w_a⟩.
 */
function projectOut(
  basis: Float64Array,
  count: number,
  w: Float64Array,
  b: number,
  n: number,
  coef: Float64Array,
): void {
  coef.fill(0, 0, count * b);
  const c = new Float64Array(count * b);
  for (let pass = 0; pass < 2; pass++) {
    c.fill(0);
    for (let c0 = 0; c0 < n; c0 += COLS) {
      const len = Math.min(COLS, n - c0);
      for (let r = 0; r < count; r++) {
        for (let a = 0; a < b; a++) c[r * b + a] += dotRange(basis, r * n + c0, w, a * n + c0, len);
      }
    }
    for (let c0 = 0; c0 < n; c0 += COLS) {
      const c1 = Math.min(n, c0 + COLS);
      for (let a = 0; a < b; a++) {
        const oa = a * n;
        for (let r = 0; r < count; r++) {
          const x = c[r * b + a];
          if (x === 0) continue;
          const or = r * n;
          for (let i = c0; i < c1; i++) w[oa + i] -= x * basis[or + i];
        }
      }
    }
    for (let i = 0; i < count * b; i++) coef[i] += c[i];
  }
}

/** x ← x − Σ coef·row against `count` rows of `rows` (starting at row 0), Gram–Schmidt twice. */
function orthogonalizeVector(
  rows: Float64Array,
  count: number,
  x: Float64Array,
  xo: number,
  n: number,
  coefOut?: Float64Array,
): void {
  if (coefOut) coefOut.fill(0, 0, count);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < count; r++) {
      const s = dotRange(rows, r * n, x, xo, n);
      if (s === 0) continue;
      for (let i = 0; i < n; i++) x[xo + i] -= s * rows[r * n + i];
      if (coefOut) coefOut[r] += s;
    }
  }
}

/**
 * QR of the b rows starting at row `start` of `basis`, which are already orthogonal to rows
 * 0..start and to the locked vectors: rows become orthonormal and R (b × b, upper triangular,
 * row-major) is written to `r`. A column whose norm falls to ≤ `threshold` is deflated: R's
 * diagonal entry is 0 and the row is replaced by a seeded random vector orthogonal to everything.
 * Returns the number of deflated columns.
 */
function orthonormalizeBlock(
  basis: Float64Array,
  start: number,
  b: number,
  n: number,
  locked: Float64Array,
  nLocked: number,
  r: Float64Array,
  rng: Rng,
  threshold: number,
  who: string,
  defect?: Float64Array,
  nDefect = 0,
): number {
  r.fill(0);
  let deflated = 0;
  const prev = new Float64Array(b);
  for (let a = 0; a < b; a++) {
    const row = start + a;
    const o = row * n;
    const before = Math.sqrt(dotRange(basis, o, basis, o, n));
    // Against the earlier columns of this block (rows start..row of `basis`).
    const blockRows = basis.subarray(start * n);
    orthogonalizeVector(blockRows, a, basis, o, n, prev);
    for (let c = 0; c < a; c++) r[c * b + a] = prev[c];
    let norm = Math.sqrt(dotRange(basis, o, basis, o, n));
    if (norm > threshold && norm < 1e-3 * before) {
      // Heavy cancellation inside the block: clean the column against everything once more.
      orthogonalizeVector(basis, start, basis, o, n);
      if (nLocked > 0) orthogonalizeVector(locked, nLocked, basis, o, n);
      if (nDefect > 0) orthogonalizeVector(defect!, nDefect, basis, o, n);
      orthogonalizeVector(blockRows, a, basis, o, n, prev);
      for (let c = 0; c < a; c++) r[c * b + a] += prev[c];
      norm = Math.sqrt(dotRange(basis, o, basis, o, n));
    }
    if (norm > threshold) {
      r[a * b + a] = norm;
      for (let i = 0; i < n; i++) basis[o + i] /= norm;
      continue;
    }
    // Deflation: the column is (numerically) in the span of the basis.
    deflated++;
    let ok = false;
    for (let attempt = 0; attempt < 10 && !ok; attempt++) {
      const x = basis.subarray(o, o + n);
      rng.fillNormal(x);
      const size = Math.sqrt(dotRange(basis, o, basis, o, n));
      orthogonalizeVector(basis, row, basis, o, n);
      if (nLocked > 0) orthogonalizeVector(locked, nLocked, basis, o, n);
      if (nDefect > 0) orthogonalizeVector(defect!, nDefect, basis, o, n);
      orthogonalizeVector(basis, row, basis, o, n);
      const after = Math.sqrt(dotRange(basis, o, basis, o, n));
      if (after > 1e-8 * size) {
        for (let i = 0; i < n; i++) basis[o + i] /= after;
        ok = true;
      }
    }
    if (!ok) {
      throw new Error(`${who}: could not extend a basis of ${row + nLocked} vectors in R^${n}`);
    }
  }
  return deflated;
}

/**
 * out row q = Σ_l u[idx[q]][l] · basis row l (l < size), cache-blocked over columns.
 */
function combineRows(
  basis: Float64Array,
  size: number,
  n: number,
  u: Float64Array,
  idx: number[],
  out: Float64Array,
): void {
  out.fill(0, 0, idx.length * n);
  for (let c0 = 0; c0 < n; c0 += COLS) {
    const c1 = Math.min(n, c0 + COLS);
    for (let q = 0; q < idx.length; q++) {
      const oq = q * n;
      const ou = idx[q] * size;
      for (let l = 0; l < size; l++) {
        const x = u[ou + l];
        if (x === 0) continue;
        const ol = l * n;
        for (let i = c0; i < c1; i++) out[oq + i] += x * basis[ol + i];
      }
    }
  }
}

/**
 * Restart in place: basis rows 0..keep.length ← Ritz vectors V u_keep, and the Ritz vectors of
 * `toLock` are appended to `locked` after its first `lockedCount` rows. Works one column block at
 * a time, so no second copy of the basis is needed.
 */
function restartInPlace(
  basis: Float64Array,
  size: number,
  n: number,
  u: Float64Array,
  keep: number[],
  toLock: number[],
  locked: Float64Array,
  lockedCount: number,
): void {
  const idx = [...keep, ...toLock];
  const tmp = new Float64Array(idx.length * COLS);
  for (let c0 = 0; c0 < n; c0 += COLS) {
    const len = Math.min(COLS, n - c0);
    tmp.fill(0);
    for (let q = 0; q < idx.length; q++) {
      const oq = q * COLS;
      const ou = idx[q] * size;
      for (let l = 0; l < size; l++) {
        const x = u[ou + l];
        if (x === 0) continue;
        const ol = l * n + c0;
        for (let i = 0; i < len; i++) tmp[oq + i] += x * basis[ol + i];
      }
    }
    for (let q = 0; q < keep.length; q++) {
      basis.set(tmp.subarray(q * COLS, q * COLS + len), q * n + c0);
    }
    for (let q = 0; q < toLock.length; q++) {
      const src = (keep.length + q) * COLS;
      locked.set(tmp.subarray(src, src + len), (lockedCount + q) * n + c0);
    }
  }
}

/** Unit Ritz vectors `from`..`to` (fewer if the basis is smaller) of a Rayleigh–Ritz state. */
function ritzVectors(
  basis: Float64Array,
  state: RitzState,
  n: number,
  from: number,
  to: number,
): Float64Array[] {
  const idx: number[] = [];
  for (let i = from; i < Math.min(state.size, to); i++) idx.push(i);
  const out = new Float64Array(idx.length * n);
  combineRows(basis, state.size, n, state.u, idx, out);
  return idx.map((_, q) => {
    const v = out.subarray(q * n, (q + 1) * n);
    const s = Math.sqrt(dotRange(v, 0, v, 0, n));
    for (let c = 0; c < n; c++) v[c] /= s;
    return v;
  });
}

/**
 * Warm start: the open block Q (rows `row`..row + b of `basis`, orthonormal, orthogonal to the
 * active basis) absorbs its part of the defect F: with C = Q Fᵀ, F D = Q (C D) + (F − Cᵀ Q) D, so
 * S (b × m, stride m) gains C D over the first `cols` columns; F − CᵀQ is re-orthonormalised
 * (Gram–Schmidt twice, F − CᵀQ = F′ R, D ← R D), and directions that carry no residual any more
 * (absorbed, or with ‖row of D‖ ≤ threshold) are dropped. Returns the new f.
 */
function absorbDefect(
  basis: Float64Array,
  row: number,
  b: number,
  defect: Float64Array,
  f: number,
  dmat: Float64Array,
  smat: Float64Array,
  m: number,
  n: number,
  cols: number,
  threshold: number,
): number {
  const c = new Float64Array(f * b); // Fᵀ Q coefficients, f × b
  const q = basis.subarray(row * n, (row + b) * n);
  projectOut(q, b, defect.subarray(0, f * n), f, n, c);
  for (let a = 0; a < b; a++) {
    for (let r = 0; r < f; r++) {
      const x = c[a * f + r];
      if (x === 0) continue;
      for (let col = 0; col < cols; col++) smat[a * m + col] += x * dmat[r * m + col];
    }
  }
  // QR of the remaining defect rows: row r = Σ_{l ≤ r} R[l][r] F′_l.
  const rmat = new Float64Array(f * f);
  const prev = new Float64Array(f);
  let kept = 0;
  for (let r = 0; r < f; r++) {
    orthogonalizeVector(defect, kept, defect, r * n, n, prev);
    const s = Math.sqrt(dotRange(defect, r * n, defect, r * n, n));
    for (let l = 0; l < kept; l++) rmat[l * f + r] = prev[l];
    if (s <= 1e-10) continue; // absorbed
    for (let i = 0; i < n; i++) defect[kept * n + i] = defect[r * n + i] / s;
    rmat[kept * f + r] = s;
    kept++;
  }
  // D ← R D over the first `cols` columns.
  const dnew = new Float64Array(kept * cols);
  for (let l = 0; l < kept; l++) {
    for (let r = 0; r < f; r++) {
      const x = rmat[l * f + r];
      if (x === 0) continue;
      for (let col = 0; col < cols; col++) dnew[l * cols + col] += x * dmat[r * m + col];
    }
  }
  dmat.fill(0);
  let f2 = 0;
  for (let l = 0; l < kept; l++) {
    let e = 0;
    for (let col = 0; col < cols; col++) e += dnew[l * cols + col] ** 2;
    if (!(Math.sqrt(e) > threshold)) continue; // carries no residual any more
    if (l !== f2) defect.copyWithin(f2 * n, l * n, (l + 1) * n);
    dmat.set(dnew.subarray(l * cols, (l + 1) * cols), f2 * m);
    f2++;
  }
  return f2;
}
