/**
 * The whole Hessian spectrum (paper Fig. 1, notes §4.5).
 *
 * - **Explicit** (N up to a few thousand, e.g. PPO 64×64 nets with N ≈ 4.5k–6k): column j of H is
 *   H e_j, so N operator calls give the matrix A; it is symmetrised, H = (A + Aᵀ)/2 (float32
 *   rounding makes A slightly asymmetric; the defect is reported), and decomposed by the dense
 *   symmetric eigensolver. Every eigenvalue comes back, plus as many leading eigenvectors as
 *   asked for.
 * - **Spectral density** (networks too large to form H, e.g. SAC 256×256 with N ≈ 70k–140k):
 *   stochastic Lanczos quadrature (`spectral_density.ts`), a smoothed density of eigenvalues
 *   from P·m operator calls.
 *
 * @module
 */
import { symmetricEigen } from "../linalg/symmetric_eigen.ts";
import type { SymmetricOperator } from "./lanczos.ts";
import { type SlqResult, stochasticLanczosQuadrature } from "./spectral_density.ts";

/**
 * Options of {@linkcode explicitHessian}.
 *
 * @example
 * ```ts
 * import type { ExplicitHessianOptions } from "./full_spectrum.ts";
 * const options: ExplicitHessianOptions = { onProgress: (done, n) => console.log(`${done}/${n}`) };
 * ```
 */
export interface ExplicitHessianOptions {
  /** Called after every column with (columns done, n). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Result of {@linkcode explicitHessian}.
 *
 * @example
 * ```ts
 * import { type ExplicitHessian, explicitHessian } from "./full_spectrum.ts";
 * const h: ExplicitHessian = await explicitHessian((v) => v.map((x) => 2 * x), 3);
 * h.matrix; // 2·I
 * ```
 */
export interface ExplicitHessian {
  /** Dimension n. */
  n: number;
  /** The symmetrised matrix (A + Aᵀ)/2, row-major n × n. */
  matrix: Float64Array;
  /** max |A − Aᵀ| / max |A|: how far the raw operator was from symmetric (float32 noise). */
  asymmetry: number;
  /** Operator calls made (n). */
  hvpCount: number;
}

/**
 * Forms the explicit matrix of a symmetric operator from its n columns H e_j and symmetrises it.
 *
 * @example
 * ```ts
 * import { explicitHessian } from "./full_spectrum.ts";
 * const op = (v: Float64Array) => new Float64Array([2 * v[0] + v[1], v[0] + 3 * v[1]]);
 * const { matrix } = await explicitHessian(op, 2); // [2, 1, 1, 3]
 * ```
 */
export async function explicitHessian(
  op: SymmetricOperator,
  n: number,
  options: ExplicitHessianOptions = {},
): Promise<ExplicitHessian> {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`explicitHessian: n must be a positive integer, got ${n}`);
  }
  const a = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = await op(e);
    if (!col || col.length !== n) {
      throw new RangeError(`explicitHessian: column ${j} has length ${col?.length}, expected ${n}`);
    }
    for (let i = 0; i < n; i++) {
      const x = col[i];
      if (!Number.isFinite(x)) {
        throw new RangeError(`explicitHessian: column ${j} is ${x} at row ${i}`);
      }
      a[i * n + j] = x;
    }
    options.onProgress?.(j + 1, n);
  }
  let maxAbs = 0, maxDiff = 0;
  for (let i = 0; i < n; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i * n + i]));
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j], y = a[j * n + i];
      maxAbs = Math.max(maxAbs, Math.abs(x), Math.abs(y));
      maxDiff = Math.max(maxDiff, Math.abs(x - y));
      const s = 0.5 * (x + y);
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return { n, matrix: a, asymmetry: maxAbs > 0 ? maxDiff / maxAbs : 0, hvpCount: n };
}

/**
 * Options of {@linkcode fullSpectrum}.
 *
 * @example
 * ```ts
 * import type { FullSpectrumOptions } from "./full_spectrum.ts";
 * const options: FullSpectrumOptions = { vectors: 100 };
 * ```
 */
export interface FullSpectrumOptions extends ExplicitHessianOptions {
  /** How many leading eigenvectors to return (default 0: eigenvalues only, about 3× faster). */
  vectors?: number;
}

/**
 * Result of {@linkcode fullSpectrum}.
 *
 * @example
 * ```ts
 * import { type FullSpectrum, fullSpectrum } from "./full_spectrum.ts";
 * const s: FullSpectrum = await fullSpectrum((v) => v.map((x, i) => i * x), 5, { vectors: 1 });
 * s.eigenvalues; // [4, 3, 2, 1, 0]
 * ```
 */
export interface FullSpectrum {
  /** All n eigenvalues, descending. */
  eigenvalues: Float64Array;
  /** The eigenvectors of the `vectors` largest eigenvalues (unit length). */
  eigenvectors: Float64Array[];
  /** Operator calls made (n). */
  hvpCount: number;
  /** See {@linkcode ExplicitHessian.asymmetry}. */
  asymmetry: number;
}

/**
 * Every eigenvalue of a symmetric operator: explicit matrix from n operator calls, then the dense
 * symmetric eigensolver (Householder tridiagonalisation + implicit QR), descending order.
 *
 * @example
 * ```ts
 * import { fullSpectrum } from "./full_spectrum.ts";
 * const op = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
 * const { eigenvalues } = await fullSpectrum(op, 4); // [4, 3, 2, 1]
 * ```
 */
export async function fullSpectrum(
  op: SymmetricOperator,
  n: number,
  options: FullSpectrumOptions = {},
): Promise<FullSpectrum> {
  const vectors = options.vectors ?? 0;
  if (!Number.isInteger(vectors) || vectors < 0 || vectors > n) {
    throw new RangeError(`fullSpectrum: vectors must be an integer in [0, ${n}], got ${vectors}`);
  }
  const h = await explicitHessian(op, n, options);
  const eig = symmetricEigen(h.matrix, n, {
    vectors: vectors > 0,
    order: "descending",
    overwriteInput: true,
  });
  const eigenvectors: Float64Array[] = [];
  for (let i = 0; i < vectors; i++) eigenvectors.push(eig.vectors!.slice(i * n, (i + 1) * n));
  return { eigenvalues: eig.values, eigenvectors, hvpCount: h.hvpCount, asymmetry: h.asymmetry };
}

/**
 * Options of {@linkcode hessianSpectrum}.
 *
 * @example
 * ```ts
 * import type { HessianSpectrumOptions } from "./full_spectrum.ts";
 * const options: HessianSpectrumOptions = { method: "slq", probes: 10, steps: 100 };
 * ```
 */
export interface HessianSpectrumOptions {
  /** "explicit", "slq", or "auto" (default): explicit when n ≤ `maxExplicit`. */
  method?: "auto" | "explicit" | "slq";
  /** Largest n for which "auto" forms the explicit Hessian (default 6,000: 288 MB of float64). */
  maxExplicit?: number;
  /** SLQ probes (default 10). */
  probes?: number;
  /** SLQ Lanczos steps per probe (default 100). */
  steps?: number;
  /** SLQ probe seed (default 0). */
  seed?: number;
  /** Called with (operator calls done, operator calls planned). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A Hessian spectrum: every eigenvalue (`kind: "explicit"`), or SLQ quadrature nodes and weights
 * (`kind: "slq"`; turn them into a density with `spectralDensity`).
 *
 * @example
 * ```ts
 * import type { HessianSpectrum } from "./full_spectrum.ts";
 * function largest(s: HessianSpectrum): number {
 *   return s.kind === "explicit" ? s.eigenvalues[0] : Math.max(...s.slq.nodes.map((x) => x[0]));
 * }
 * ```
 */
export type HessianSpectrum =
  | { kind: "explicit"; n: number; eigenvalues: Float64Array; asymmetry: number; hvpCount: number }
  | { kind: "slq"; n: number; slq: SlqResult; hvpCount: number };

/**
 * The spectrum of a Hessian operator by the explicit route when it fits, else by SLQ (see the
 * module doc).
 *
 * @example
 * ```ts
 * import { hessianSpectrum } from "./full_spectrum.ts";
 * const op = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
 * const s = await hessianSpectrum(op, 100, { method: "slq", probes: 4, steps: 20 });
 * s.kind; // "slq"
 * ```
 */
export async function hessianSpectrum(
  op: SymmetricOperator,
  n: number,
  options: HessianSpectrumOptions = {},
): Promise<HessianSpectrum> {
  const method = options.method ?? "auto";
  if (method !== "auto" && method !== "explicit" && method !== "slq") {
    throw new RangeError(`hessianSpectrum: method must be "auto", "explicit" or "slq"`);
  }
  const explicit = method === "explicit" ||
    (method === "auto" && n <= (options.maxExplicit ?? 6000));
  if (explicit) {
    const s = await fullSpectrum(op, n, { onProgress: options.onProgress });
    return {
      kind: "explicit",
      n,
      eigenvalues: s.eigenvalues,
      asymmetry: s.asymmetry,
      hvpCount: s.hvpCount,
    };
  }
  const probes = options.probes ?? 10, steps = options.steps ?? 100;
  const planned = probes * Math.min(steps, n);
  const slq = await stochasticLanczosQuadrature(op, n, {
    probes,
    steps,
    seed: options.seed ?? 0,
    onProgress: (p) => options.onProgress?.(p.hvpCount, planned),
  });
  return { kind: "slq", n, slq, hvpCount: slq.hvpCount };
}
