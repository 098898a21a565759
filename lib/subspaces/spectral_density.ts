/**
 * Spectral density of a large symmetric operator (e.g. a full Hessian) by **stochastic Lanczos
 * quadrature** (SLQ; Golub & Meurant; Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019).
 *
 * For a unit probe vector v, m Lanczos steps give T_m = U Θ Uᵀ; the Gauss quadrature nodes are
 * the Ritz values θᵢ and the weights τᵢ = (U[i][0])² (first components, Σᵢ τᵢ = 1), and
 *
 *   vᵀ f(A) v ≈ Σᵢ τᵢ f(θᵢ),   exact for polynomials f of degree ≤ 2m − 1.
 *
 * Averaging over P random probes (Rademacher ±1/√n or normalised Gaussian, both with
 * E[v vᵀ] = I/n) estimates the normalised trace and the spectral density:
 *
 *   tr f(A) / n ≈ (1/P) Σₚ Σᵢ τᵢ⁽ᵖ⁾ f(θᵢ⁽ᵖ⁾),
 *   φ(t) ≈ (1/P) Σₚ Σᵢ τᵢ⁽ᵖ⁾ g_σ(t − θᵢ⁽ᵖ⁾),   g_σ(x) = exp(−x²/2σ²)/(σ√(2π)).
 *
 * φ integrates to 1 (it is a density over eigenvalues, i.e. the fraction of eigenvalues per unit).
 * Each probe's Lanczos run uses full reorthogonalisation; a breakdown (invariant subspace) ends it
 * early, in which case its quadrature is exact.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import { symmetricEigen } from "../linalg/symmetric_eigen.ts";
import type { SymmetricOperator } from "./lanczos.ts";

/** Options of {@link stochasticLanczosQuadrature}. */
export interface SlqOptions {
  /** Number of random probe vectors P (ignored when `probeVectors` is given). */
  probes: number;
  /** Lanczos steps m per probe (capped at n); ~80–100 for Hessian spectra. */
  steps: number;
  /** Seed of the probe vectors (default 0). */
  seed?: number;
  /** Probe distribution (default "rademacher", entries ±1/√n). */
  distribution?: "rademacher" | "gaussian";
  /** Explicit probe vectors (each normalised internally); overrides `probes` and `seed`. */
  probeVectors?: Float64Array[];
  /** Called after each probe, e.g. for a progress bar. */
  onProgress?: (progress: { probe: number; probes: number; hvpCount: number }) => void;
}

/** Quadrature nodes and weights per probe. */
export interface SlqResult {
  /** Dimension n of the operator. */
  n: number;
  /** nodes[p]: Ritz values θᵢ of probe p (descending). */
  nodes: Float64Array[];
  /** weights[p]: Gauss weights τᵢ of probe p (sum to 1). */
  weights: Float64Array[];
  /** Operator calls made. */
  hvpCount: number;
}

/** Options of {@link spectralDensity}. */
export interface SpectralDensityOptions {
  /** Gaussian kernel width σ (default 1% of the node range; see {@link defaultSigma}). */
  sigma?: number;
  /** Number of grid points (default 1000); ignored when `grid` is given. */
  gridSize?: number;
  /** Evaluation grid; default uniform on [min node − 6σ, max node + 6σ]. */
  grid?: Float64Array;
}

const BREAKDOWN = 1e-12;

/**
 * Runs stochastic Lanczos quadrature: m Lanczos steps from each of P random unit probes, returning
 * the quadrature nodes (Ritz values) and weights per probe. See the module doc for the formulas.
 *
 * @example
 * ```ts
 * import { slqTrace, stochasticLanczosQuadrature } from "./spectral_density.ts";
 * const n = 100;
 * const op = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
 * const slq = await stochasticLanczosQuadrature(op, n, { probes: 10, steps: 30, seed: 0 });
 * const meanEigenvalue = slqTrace(slq, (x) => x); // ≈ 50.5
 * ```
 */
export async function stochasticLanczosQuadrature(
  op: SymmetricOperator,
  n: number,
  options: SlqOptions,
): Promise<SlqResult> {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`stochasticLanczosQuadrature: n must be a positive integer, got ${n}`);
  }
  const { steps } = options;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(
      `stochasticLanczosQuadrature: steps must be a positive integer, got ${steps}`,
    );
  }
  const distribution = options.distribution ?? "rademacher";
  if (distribution !== "rademacher" && distribution !== "gaussian") {
    throw new RangeError(`stochasticLanczosQuadrature: unknown distribution "${distribution}"`);
  }
  const explicit = options.probeVectors;
  const probes = explicit ? explicit.length : options.probes;
  if (!Number.isInteger(probes) || probes < 1) {
    throw new RangeError(
      `stochasticLanczosQuadrature: probes must be a positive integer, got ${probes}`,
    );
  }
  const m = Math.min(steps, n);
  const rng = new Rng(options.seed ?? 0);
  const basis = new Float64Array((m + 1) * n);
  const w = new Float64Array(n);
  const input = new Float64Array(n);
  const coef = new Float64Array(m + 1);
  let hvpCount = 0;
  const nodes: Float64Array[] = [];
  const weights: Float64Array[] = [];

  for (let p = 0; p < probes; p++) {
    const v0 = basis.subarray(0, n);
    if (explicit) {
      if (explicit[p].length !== n) {
        throw new RangeError(
          `stochasticLanczosQuadrature: probe vector ${p} must have length ${n}`,
        );
      }
      v0.set(explicit[p]);
    } else if (distribution === "rademacher") {
      for (let i = 0; i < n; i++) v0[i] = rng.uniform() < 0.5 ? -1 : 1;
    } else {
      rng.fillNormal(v0);
    }
    const nv = norm2(v0);
    if (!(nv > 0) || !Number.isFinite(nv)) {
      throw new RangeError(`stochasticLanczosQuadrature: probe ${p} is zero or not finite`);
    }
    for (let i = 0; i < n; i++) v0[i] /= nv;

    const alpha: number[] = [];
    const beta: number[] = [];
    let anorm = 0;
    for (let j = 0; j < m; j++) {
      input.set(basis.subarray(j * n, (j + 1) * n));
      const out = await op(input);
      hvpCount++;
      if (!out || out.length !== n) {
        throw new RangeError(
          `stochasticLanczosQuadrature: operator returned length ${out?.length}, expected ${n}`,
        );
      }
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(out[i])) {
          throw new RangeError(
            `stochasticLanczosQuadrature: operator returned ${out[i]} at index ${i}`,
          );
        }
        w[i] = out[i];
      }
      // Full reorthogonalisation: classical Gram–Schmidt twice against v₀ … v_j.
      coef.fill(0);
      for (let pass = 0; pass < 2; pass++) {
        for (let r = 0; r <= j; r++) {
          const o = r * n;
          let s = 0;
          for (let i = 0; i < n; i++) s += basis[o + i] * w[i];
          for (let i = 0; i < n; i++) w[i] -= s * basis[o + i];
          coef[r] += s;
        }
      }
      alpha.push(coef[j]);
      const b = norm2(w);
      anorm = Math.max(anorm, Math.abs(coef[j]) + b + (j > 0 ? beta[j - 1] : 0));
      if (j === m - 1 || b <= BREAKDOWN * anorm) break; // done, or invariant subspace: exact
      beta.push(b);
      const next = basis.subarray((j + 1) * n, (j + 2) * n);
      for (let i = 0; i < n; i++) next[i] = w[i] / b;
    }
    const size = alpha.length;
    const t = new Float64Array(size * size);
    for (let i = 0; i < size; i++) {
      t[i * size + i] = alpha[i];
      if (i + 1 < size) {
        t[i * size + i + 1] = beta[i];
        t[(i + 1) * size + i] = beta[i];
      }
    }
    const eig = symmetricEigen(t, size, { order: "descending" });
    const tau = new Float64Array(size);
    for (let i = 0; i < size; i++) tau[i] = eig.vectors![i * size] ** 2;
    nodes.push(eig.values);
    weights.push(tau);
    options.onProgress?.({ probe: p + 1, probes, hvpCount });
  }
  return { n, nodes, weights, hvpCount };
}

/**
 * SLQ estimate of the normalised trace tr f(A) / n = (1/P) Σₚ Σᵢ τᵢ⁽ᵖ⁾ f(θᵢ⁽ᵖ⁾)
 * (e.g. f(x) = x gives the mean eigenvalue, f(x) = x² gives ‖A‖_F²/n).
 *
 * @example
 * ```ts
 * import { slqTrace, type SlqResult } from "./spectral_density.ts";
 * const slq: SlqResult = {
 *   n: 2,
 *   nodes: [new Float64Array([3, 1])],
 *   weights: [new Float64Array([0.5, 0.5])],
 *   hvpCount: 2,
 * };
 * slqTrace(slq, (x) => x * x); // 5
 * ```
 */
export function slqTrace(result: SlqResult, f: (x: number) => number): number {
  let total = 0;
  for (let p = 0; p < result.nodes.length; p++) {
    const th = result.nodes[p];
    const tau = result.weights[p];
    for (let i = 0; i < th.length; i++) total += tau[i] * f(th[i]);
  }
  return total / result.nodes.length;
}

/**
 * Default kernel width: 1% of the range of all nodes (or 10⁻³·max(|node|, 1) if they coincide).
 *
 * @example
 * ```ts
 * import { defaultSigma } from "./spectral_density.ts";
 * defaultSigma({ n: 2, nodes: [new Float64Array([3, 1])], weights: [], hvpCount: 0 }); // 0.02
 * ```
 */
export function defaultSigma(result: SlqResult): number {
  const [lo, hi] = nodeRange(result);
  const range = hi - lo;
  return range > 0 ? range / 100 : 1e-3 * Math.max(Math.abs(hi), 1);
}

function nodeRange(result: SlqResult): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const th of result.nodes) {
    for (const x of th) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (!Number.isFinite(lo)) throw new RangeError("SLQ result has no nodes");
  return [lo, hi];
}

/**
 * Gaussian-smoothed spectral density on a grid:
 * φ(t) = (1/P) Σₚ Σᵢ τᵢ⁽ᵖ⁾ exp(−(t − θᵢ⁽ᵖ⁾)²/(2σ²)) / (σ√(2π)); ∫φ = 1.
 *
 * @example
 * ```ts
 * import { spectralDensity, type SlqResult } from "./spectral_density.ts";
 * const slq: SlqResult = {
 *   n: 2,
 *   nodes: [new Float64Array([3, 1])],
 *   weights: [new Float64Array([0.5, 0.5])],
 *   hvpCount: 2,
 * };
 * const { grid, density } = spectralDensity(slq, { sigma: 0.1, gridSize: 200 });
 * ```
 */
export function spectralDensity(
  result: SlqResult,
  options: SpectralDensityOptions = {},
): { grid: Float64Array; density: Float64Array; sigma: number } {
  const sigma = options.sigma ?? defaultSigma(result);
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new RangeError(`spectralDensity: sigma must be a positive number, got ${sigma}`);
  }
  let grid = options.grid;
  if (!grid) {
    const size = options.gridSize ?? 1000;
    if (!Number.isInteger(size) || size < 2) {
      throw new RangeError(`spectralDensity: gridSize must be an integer ≥ 2, got ${size}`);
    }
    const [lo, hi] = nodeRange(result);
    const a = lo - 6 * sigma;
    const b = hi + 6 * sigma;
    grid = new Float64Array(size);
    for (let i = 0; i < size; i++) grid[i] = a + ((b - a) * i) / (size - 1);
  }
  const density = new Float64Array(grid.length);
  const norm = 1 / (sigma * Math.sqrt(2 * Math.PI) * result.nodes.length);
  const inv2s2 = 1 / (2 * sigma * sigma);
  for (let p = 0; p < result.nodes.length; p++) {
    const th = result.nodes[p];
    const tau = result.weights[p];
    for (let i = 0; i < th.length; i++) {
      const c = tau[i] * norm;
      for (let g = 0; g < grid.length; g++) {
        const x = grid[g] - th[i];
        density[g] += c * Math.exp(-x * x * inv2s2);
      }
    }
  }
  return { grid, density, sigma };
}

function norm2(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
