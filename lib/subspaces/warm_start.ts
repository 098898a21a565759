/**
 * What {@link lanczosTopK} and {@link blockLanczosTopK} share for **warm starts** and for the
 * **explicit residual check** of their results.
 *
 * **Warm start.** A solve at checkpoint t can start from the top-k eigenvectors W of the previous
 * checkpoint. {@link blockLanczosTopK} does a Rayleigh–Ritz step on span W and keeps the pairs
 * that already meet tol (its module doc); {@link lanczosTopK} uses W only through its start
 * vector ({@linkcode warmStartVectors}): a unit vector of span W (a seeded random combination of
 * all of W) plus a seeded random unit vector scaled by {@linkcode WARM_START_RANDOM_WEIGHT}, so an
 * eigenvector that is new at checkpoint t (absent from W) still grows in the Krylov space. Either
 * way the stopping test is unchanged: a warm start changes the cost, not the answer. A start
 * vector at angle φ from the wanted space saves only about log(1/φ)/log(1/tol) of the steps, which
 * is why the single-vector warm start saves little (README: 1.00×); the block solver's saving
 * comes from pairs that need no iteration at all.
 *
 * **Verification.** `verify: true` recomputes ‖H yᵢ − θᵢ yᵢ‖ with the operator (k extra products)
 * and throws when a pair misses the bound tol·max(|θᵢ|, ε^{2/3}·‖T‖₂) of the stopping test: the
 * Krylov residual estimate cannot see noise inside the operator or lost orthogonality, so a
 * verified solve is one whose returned pairs were checked, not only estimated. With an inexact
 * operator (`operatorPrecision`, e.g. {@linkcode FLOAT32_ROUNDOFF} for float32 Hessian-vector
 * products), a residual at the operator's noise floor also passes and is counted as
 * noise-limited: for eigenvalues ~10⁻³·‖H‖ and below, float32 products cannot show tol·|θ|.
 *
 * @module
 */
import type { Rng } from "../rng.ts";

/**
 * Weight of the seeded random unit vector added to every warm-start vector (see the module doc):
 * small enough that the start stays close to the warm space, large enough that directions absent
 * from it are present at a quarter of a cold start's weight. `bench/warm_start.ts` measured 0, 0.1
 * and 1 at the same cost.
 */
export const WARM_START_RANDOM_WEIGHT = 0.25;

const EPS23 = (2 ** -52) ** (2 / 3);

/**
 * `count` start vectors (rows of a count × n row-major array, each of unit norm, not orthogonalised)
 * from a warm-start basis, as described in the module doc.
 *
 * @param basis warm-start vectors (e.g. the previous checkpoint's eigenvectors), each of length n.
 * @param rng seeded generator for the combinations and the random parts.
 * @param who the caller, for error messages.
 * @throws RangeError when the basis is empty, a vector has the wrong length, or is zero or not
 *   finite.
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { warmStartVectors } from "./warm_start.ts";
 * const e = (i: number) => Float64Array.from({ length: 50 }, (_, j) => (i === j ? 1 : 0));
 * const start = warmStartVectors([e(0), e(1), e(2)], 50, 2, new Rng(0), "example");
 * start.length; // 2 · 50
 * ```
 */
export function warmStartVectors(
  basis: readonly ArrayLike<number>[],
  n: number,
  count: number,
  rng: Rng,
  who: string,
): Float64Array {
  const warm = normalizedWarmVectors(basis, n, who);
  const out = new Float64Array(count * n);
  const random = new Float64Array(n);
  for (let r = 0; r < count; r++) {
    const row = out.subarray(r * n, (r + 1) * n);
    if (warm.length <= count) {
      if (r < warm.length) row.set(warm[r]);
    } else {
      for (const w of warm) {
        const g = rng.normal();
        for (let c = 0; c < n; c++) row[c] += g * w[c];
      }
    }
    const s = norm(row);
    if (s > 0) { for (let c = 0; c < n; c++) row[c] /= s; }
    rng.fillNormal(random);
    // Completion rows (more start vectors than warm ones) are purely random.
    const weight = s > 0 ? WARM_START_RANDOM_WEIGHT / norm(random) : 1 / norm(random);
    for (let c = 0; c < n; c++) row[c] += weight * random[c];
    const t = norm(row);
    for (let c = 0; c < n; c++) row[c] /= t;
  }
  return out;
}

/**
 * Validated, normalised copies of warm-start vectors (float64, unit norm, in the given order).
 *
 * @param basis warm-start vectors, each of length n (float32 is fine, e.g. as cached).
 * @param who the caller, for error messages.
 * @throws RangeError when the basis is empty, a vector has the wrong length, or is zero or not
 *   finite.
 *
 * @example
 * ```ts
 * import { normalizedWarmVectors } from "./warm_start.ts";
 * normalizedWarmVectors([new Float32Array([3, 4])], 2, "example"); // [Float64Array [0.6, 0.8]]
 * ```
 */
export function normalizedWarmVectors(
  basis: readonly ArrayLike<number>[],
  n: number,
  who: string,
): Float64Array[] {
  if (basis.length === 0) {
    throw new RangeError(`${who}: initialVectors is empty; omit it for a cold start`);
  }
  return basis.map((v, i) => {
    if (v.length !== n) {
      throw new RangeError(
        `${who}: initialVectors[${i}] has length ${v.length}, the operator's dimension is ${n}`,
      );
    }
    const x = Float64Array.from(v);
    const s = norm(x);
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new RangeError(`${who}: initialVectors[${i}] must be finite and non-zero`);
    }
    for (let c = 0; c < n; c++) x[c] /= s;
    return x;
  });
}

/**
 * Unit roundoff of float32 arithmetic, 2⁻²⁴: the `operatorPrecision` of Hessian-vector products
 * computed in float32 (the fast engine and tfjs; their sums are float64, their per-sample work is
 * not).
 */
export const FLOAT32_ROUNDOFF = 2 ** -24;

/**
 * A recomputed residual within this many operator roundoffs of ‖T‖₂ is at the operator's noise
 * floor (measured: about 1·2⁻²⁴·‖H‖ for the fast engine's float32 products, so 16 leaves a wide
 * margin while staying far below tol·|θ| for every pair but those ~10⁻³·‖H‖ and smaller).
 */
export const NOISE_FLOOR_ROUNDOFFS = 16;

/**
 * What the explicit residual check of a verified solve found.
 *
 * @example
 * ```ts
 * import type { ResidualVerification } from "./warm_start.ts";
 * const line = (v: ResidualVerification) => `${v.hvpCount} HVPs, max ${v.maxRelativeResidual}`;
 * ```
 */
export interface ResidualVerification {
  /** Operator products spent on the check (k; 0 on the explicit-matrix path). */
  hvpCount: number;
  /** Passes (operator calls) spent on the check (⌈k/b⌉ for a block operator). */
  passes: number;
  /** max over pairs of ‖H yᵢ − θᵢ yᵢ‖ / max(|θᵢ|, ε^{2/3}‖T‖₂). */
  maxRelativeResidual: number;
  /**
   * Pairs above tol·|θ| whose residual is within the operator's noise floor
   * ({@linkcode NOISE_FLOOR_ROUNDOFFS}·operatorPrecision·‖T‖₂): as exact as the operator allows,
   * so they pass; reported so that they are not mistaken for tol-accurate pairs.
   */
  noiseLimited: number;
}

/**
 * The largest relative residual ‖H yᵢ − θᵢ yᵢ‖ / max(|θᵢ|, ε^{2/3}·scale) and the pair it belongs
 * to (the quantity the stopping test bounds by tol).
 *
 * @param scale ‖T‖₂, the largest |Ritz value| the solve saw (the floor guarding θ ≈ 0).
 *
 * @example
 * ```ts
 * import { maxRelativeResidual } from "./warm_start.ts";
 * maxRelativeResidual(new Float64Array([10, 5]), new Float64Array([1e-4, 2e-4]), 10); // { value: 4e-5, index: 1 }
 * ```
 */
export function maxRelativeResidual(
  eigenvalues: ArrayLike<number>,
  residuals: ArrayLike<number>,
  scale: number,
): { value: number; index: number } {
  let value = 0, index = -1;
  for (let i = 0; i < eigenvalues.length; i++) {
    const rel = residuals[i] / Math.max(Math.abs(eigenvalues[i]), EPS23 * scale);
    // NaN (a non-finite residual) wins and stays.
    if (!(rel <= value) && !Number.isNaN(value)) {
      value = rel;
      index = i;
    }
  }
  return { value, index };
}

/**
 * The bound of a verification: the stopping test's ‖H y − θ y‖ ≤ tol·max(|θ|, ε^{2/3}·scale), or
 * the operator's noise floor {@linkcode NOISE_FLOOR_ROUNDOFFS}·precision·scale, whichever is
 * larger (no solver can push a residual below the rounding of the products that measure it).
 *
 * @example
 * ```ts
 * import type { ResidualBound } from "./warm_start.ts";
 * const bound: ResidualBound = { tol: 1e-4, scale: 3.2, precision: 2 ** -24 };
 * ```
 */
export interface ResidualBound {
  /** Relative tolerance of the stopping test. */
  tol: number;
  /** ‖T‖₂, the largest |Ritz value| the solve saw. */
  scale: number;
  /** Relative rounding error of one operator product (0 for an exact operator). */
  precision?: number;
}

/**
 * Checks recomputed residuals against a {@linkcode ResidualBound}.
 *
 * @returns the largest relative residual and the number of pairs that passed only at the noise
 *   floor.
 * @throws Error naming the worst pair when a residual exceeds the bound.
 *
 * @example
 * ```ts
 * import { checkResidualBound } from "./warm_start.ts";
 * checkResidualBound(new Float64Array([10, 5]), new Float64Array([1e-4, 2e-4]), { tol: 1e-4, scale: 10 }, "example");
 * // { maxRelativeResidual: 4e-5, noiseLimited: 0 }
 * ```
 */
export function checkResidualBound(
  eigenvalues: ArrayLike<number>,
  residuals: ArrayLike<number>,
  bound: ResidualBound,
  who: string,
): { maxRelativeResidual: number; noiseLimited: number } {
  const { tol, scale } = bound;
  const floor = NOISE_FLOOR_ROUNDOFFS * (bound.precision ?? 0) * scale;
  let noiseLimited = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    const r = residuals[i];
    if (r <= tol * Math.max(Math.abs(eigenvalues[i]), EPS23 * scale)) continue;
    if (r <= floor) {
      noiseLimited++;
      continue;
    }
    const rel = r / Math.max(Math.abs(eigenvalues[i]), EPS23 * scale);
    throw new Error(
      `${who}: verification failed: pair ${i} (θ = ${eigenvalues[i]}) has ‖Hy − θy‖ = ${r}, ` +
        `${rel.toExponential(2)} relative, above tol = ${tol} and above the operator's noise ` +
        `floor ${floor.toExponential(2)} (recomputed with the operator; the Krylov estimate had ` +
        "met tol). Lost orthogonality, or an operator noisier than its stated precision; " +
        "loosen tol or lower k",
    );
  }
  return {
    maxRelativeResidual: maxRelativeResidual(eigenvalues, residuals, scale).value,
    noiseLimited,
  };
}

/**
 * The verification of a Krylov solve from its recomputed residuals: the bound is checked when the
 * solve converged; an unconverged one (`onNotConverged: "warn"`) is reported, not checked.
 *
 * @param cost the products and passes the recomputation took.
 * @throws Error as {@linkcode checkResidualBound}.
 *
 * @example
 * ```ts
 * import { residualVerification } from "./warm_start.ts";
 * residualVerification(new Float64Array([2]), new Float64Array([1e-5]), { tol: 1e-4, scale: 2 }, true, { hvpCount: 1, passes: 1 }, "example");
 * ```
 */
export function residualVerification(
  eigenvalues: ArrayLike<number>,
  residuals: ArrayLike<number>,
  bound: ResidualBound,
  converged: boolean,
  cost: { hvpCount: number; passes: number },
  who: string,
): ResidualVerification {
  const found = converged ? checkResidualBound(eigenvalues, residuals, bound, who) : {
    maxRelativeResidual: maxRelativeResidual(eigenvalues, residuals, bound.scale).value,
    noiseLimited: 0,
  };
  return { ...cost, ...found };
}

/**
 * The verification of a result computed from the explicit matrix, whose residuals are exact
 * already: no extra products, the bound checked with ‖T‖₂ = max |θ|.
 *
 * @throws Error as {@linkcode checkResidualBound}.
 *
 * @example
 * ```ts
 * import { exactResidualVerification } from "./warm_start.ts";
 * exactResidualVerification(new Float64Array([2, 1]), new Float64Array([0, 1e-15]), { tol: 1e-4 }, "example");
 * // { hvpCount: 0, passes: 0, maxRelativeResidual: 1e-15, noiseLimited: 0 }
 * ```
 */
export function exactResidualVerification(
  eigenvalues: ArrayLike<number>,
  residuals: ArrayLike<number>,
  bound: Omit<ResidualBound, "scale">,
  who: string,
): ResidualVerification {
  let scale = 0;
  for (let i = 0; i < eigenvalues.length; i++) scale = Math.max(scale, Math.abs(eigenvalues[i]));
  return {
    hvpCount: 0,
    passes: 0,
    ...checkResidualBound(eigenvalues, residuals, { ...bound, scale }, who),
  };
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
