/**
 * The measurement of one checkpoint (paper §4, notes §4–§6), as a function of a
 * {@linkcode CheckpointProblem} (networks, losses, data) and settings: no files, no caches, no
 * run directories. For every measured network,
 *
 * 1. the top-k_max Hessian eigenpairs of the precise and of the mini-batch loss (thick-restart
 *    Lanczos, or block Krylov–Schur; largest algebraic, ARPACK's stopping test);
 * 2. the precise gradient (and loss) and the mini-batch gradients;
 * 3. S_frac(P_k, g) = ‖P_k g‖²/‖g‖² (Eq. 5) for the four (gradient, Hessian) estimator
 *    combinations and every k, averaged over the mini-batch gradients for the mini-batch ones;
 *
 * optionally the full precise-Hessian spectrum, and S_overlap (Eq. 7) between the eigenbases of
 * two checkpoints ({@linkcode eigenspaceOverlaps}, {@linkcode overlapsBetweenSteps}).
 *
 * Eigenvectors come back rounded to float32, the precision they are stored in: a measurement that
 * is handed eigenpairs it computed before (`known`, e.g. read back from a cache) gives the same
 * S_frac to the last bit as the one that computed them. Each solve's start vectors are seeded by
 * (seed, step, network, data), so any solve can be repeated alone.
 *
 * The pipeline over a run's checkpoints (settings ids, caches, result files, resume) is
 * `lib/experiments/analysis/`.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import { lanczosTopK } from "./lanczos.ts";
import { blockLanczosTopK } from "./block_lanczos.ts";
import { FLOAT32_ROUNDOFF, type ResidualVerification } from "./warm_start.ts";
import { gradientSubspaceFractions, subspaceOverlaps } from "./metrics.ts";
import { type HessianSpectrum, hessianSpectrum } from "./full_spectrum.ts";
import {
  type HessianOperatorLike,
  type HessianOperatorOptions,
  makeHessianOperator,
} from "./hvp.ts";
import {
  type CheckpointProblem,
  type DataEstimator,
  ESTIMATOR_COMBINATIONS,
  type EstimatorCombination,
  type NetworkName,
} from "./estimators.ts";
import type { ChunkedLoss } from "./hvp.ts";

/**
 * How a checkpoint is measured (everything but the data).
 *
 * @example
 * ```ts
 * import type { MeasureSettings } from "./measure.ts";
 * const paper: MeasureSettings = { ks: [1, 2, 5, 10, 20, 50, 100], tol: 1e-4, maxIter: 500, seed: 0 };
 * ```
 */
export interface MeasureSettings {
  /** Subspace dimensions k of S_frac; max(ks) eigenpairs are computed (at most N). */
  ks: readonly number[];
  /** Relative residual tolerance of the eigensolver (the paper's 1e-4). */
  tol: number;
  /** Restart cycles of the eigensolver (the paper's 500). */
  maxIter: number;
  /** Lanczos basis size (default ARPACK's min(N, max(2k + 1, 20))); single-vector solver only. */
  ncv?: number | null;
  /** Block size of block Krylov–Schur; absent or null: single-vector thick-restart Lanczos. */
  blockSize?: number | null;
  /** Seed of the start vectors (see {@linkcode solveSeed}) and of SLQ probes. */
  seed: number;
  /** Engine of gradients and HVPs (default "auto"). */
  hessian?: HessianOperatorOptions;
  /** "warn" (default): unconverged pairs come back with `converged: false`; "throw": stop. */
  onNotConverged?: "warn" | "throw";
  /**
   * Verify every solve: residuals recomputed with the operator (k extra HVPs), a pair above the
   * bound is an error; float32 HVP noise passes (`FLOAT32_ROUNDOFF`). Default false.
   */
  verify?: boolean;
  /** Full-spectrum method (default "auto": explicit up to N = 6,000, else SLQ). */
  spectrumMethod?: "auto" | "explicit" | "slq";
}

/**
 * A (network, Hessian data) pair, the key of one eigensolve: `actor/precise`, `critic/minibatch`…
 *
 * @example
 * ```ts
 * import type { SolveKey } from "./measure.ts";
 * const key: SolveKey = "critic/precise";
 * ```
 */
export type SolveKey = `${NetworkName}/${DataEstimator}`;

/**
 * Top-k eigenpairs: descending eigenvalues and their eigenvectors (float32, length N each).
 *
 * @example
 * ```ts
 * import type { Eigenpairs } from "./measure.ts";
 * const pairs: Eigenpairs = { eigenvalues: [2, 1], eigenvectors: [new Float32Array([1, 0]), new Float32Array([0, 1])] };
 * ```
 */
export interface Eigenpairs {
  /** Descending eigenvalues. */
  eigenvalues: ArrayLike<number>;
  /** Orthonormal eigenvectors, `eigenvectors[i]` belonging to `eigenvalues[i]`. */
  eigenvectors: readonly Float32Array[];
}

/**
 * What identifies one eigensolve and what it cost (the scalars; an eigen cache stores them too).
 *
 * @example
 * ```ts
 * import type { EigenSolveFacts } from "./measure.ts";
 * const cost = (f: EigenSolveFacts) => `${f.network} ${f.estimator}: ${f.hvpCount} HVPs in ${f.seconds} s`;
 * ```
 */
export interface EigenSolveFacts {
  /** The checkpoint's step. */
  step: number;
  /** Network. */
  network: NetworkName;
  /** Data of the Hessian. */
  estimator: DataEstimator;
  /** Parameter count N. */
  n: number;
  /** Eigenpairs computed, min(max(ks), N). */
  k: number;
  /** Samples behind the Hessian. */
  samples: number;
  /** Whether every pair met the tolerance. */
  converged: boolean;
  /** HVPs of the solve (a verification's included). */
  hvpCount: number;
  /** Restart cycles. */
  restarts: number;
  /** Wall-clock seconds of the solve. */
  seconds: number;
}

/**
 * One eigensolve of a measurement: its eigenpairs and what it cost.
 *
 * @example
 * ```ts
 * import type { EigenSolve } from "./measure.ts";
 * const line = (s: EigenSolve) => `${s.network} ${s.estimator}: ${s.hvpCount} HVPs, λ₁ = ${s.eigenvalues[0]}`;
 * ```
 */
export interface EigenSolve extends Eigenpairs, EigenSolveFacts {
  /** Descending eigenvalues. */
  eigenvalues: Float64Array;
  /** Residual norms ‖Hv − λv‖ (the solver's estimates, or recomputed when verified). */
  residuals: Float64Array;
  /** Whether the solve started from `startVectors`. */
  warmStarted: boolean;
  /** The explicit residual check (`verify`). */
  verification?: ResidualVerification;
}

/**
 * S_frac of one estimator combination: `values[j]` for `ks[j]` of the settings.
 *
 * @example
 * ```ts
 * import type { SubspaceFractions } from "./measure.ts";
 * const headline = (f: SubspaceFractions) => f.estimator === "precise/precise" ? f.values.at(-1) : undefined;
 * ```
 */
export interface SubspaceFractions {
  /** `<gradient>/<hessian>`. */
  estimator: EstimatorCombination["key"];
  /** S_frac per k (for k > N, the value at k = N). */
  values: number[];
}

/**
 * What {@linkcode measureCheckpoint} found for one network.
 *
 * @example
 * ```ts
 * import type { NetworkMeasurement } from "./measure.ts";
 * const top = (m: NetworkMeasurement) => m.eigen.precise.eigenvalues[0];
 * ```
 */
export interface NetworkMeasurement {
  /** Network. */
  network: NetworkName;
  /** Parameter count N. */
  n: number;
  /** The eigenpairs used per Hessian data (solved now or `known`). */
  eigen: Record<DataEstimator, Eigenpairs>;
  /** The solves of this call (none for `known` pairs). */
  solves: EigenSolve[];
  /** ‖∇L‖ of the precise loss. */
  preciseGradientNorm: number;
  /** The precise loss. */
  preciseLoss: number;
  /** ‖g_i‖ of every mini-batch gradient. */
  miniBatchGradientNorms: number[];
  /** Mini-batch gradients left out of S_frac because they are zero (S_frac is 0/0 there). */
  skippedZeroGradients: number;
  /** S_frac per estimator combination, in {@linkcode ESTIMATOR_COMBINATIONS} order. */
  fractions: SubspaceFractions[];
}

/**
 * A full precise-Hessian spectrum of {@linkcode measureCheckpoint}.
 *
 * @example
 * ```ts
 * import type { SpectrumMeasurement } from "./measure.ts";
 * const label = (s: SpectrumMeasurement) => `${s.network}: ${s.spectrum.kind}, ${s.spectrum.hvpCount} HVPs`;
 * ```
 */
export interface SpectrumMeasurement {
  /** Network. */
  network: NetworkName;
  /** Every eigenvalue, or SLQ nodes and weights. */
  spectrum: HessianSpectrum;
  /** Samples behind the Hessian. */
  samples: number;
  /** Wall-clock seconds. */
  seconds: number;
}

/**
 * A progress report of {@linkcode measureCheckpoint}.
 *
 * @example
 * ```ts
 * import type { MeasureProgress } from "./measure.ts";
 * const line = (p: MeasureProgress) => `${p.phase} ${p.network} ${p.estimator}: ${p.hvps} HVPs`;
 * ```
 */
export interface MeasureProgress {
  /** What is running. */
  phase: "hessian" | "gradients" | "spectrum";
  /** Network. */
  network: NetworkName;
  /** Data of the Hessian or gradient. */
  estimator: DataEstimator;
  /** HVPs of the current solve. */
  hvps: number;
  /** Converged pairs of the current eigensolve (0 otherwise). */
  converged: number;
  /** Wanted pairs of the current eigensolve (0 otherwise). */
  wanted: number;
}

/**
 * What to measure in {@linkcode measureCheckpoint}, and what is known already.
 *
 * @example
 * ```ts
 * import type { MeasureRequest } from "./measure.ts";
 * const criticOnly: MeasureRequest = { networks: ["critic"], spectra: ["critic"] };
 * ```
 */
export interface MeasureRequest {
  /** Networks whose eigenpairs, gradients and S_frac are measured (default: all the problem's). */
  networks?: readonly NetworkName[];
  /** Networks whose full precise-Hessian spectrum is computed (default none). */
  spectra?: readonly NetworkName[];
  /** Eigenpairs known already (e.g. read from a cache): those solves are skipped. */
  known?: Partial<Record<SolveKey, Eigenpairs>>;
  /** Warm-start bases (e.g. an earlier checkpoint's eigenvectors) of the solves that run. */
  startVectors?: Partial<Record<SolveKey, readonly ArrayLike<number>[]>>;
  /**
   * Called after every eigensolve, and awaited before the measurement goes on: a pipeline
   * persists the solve here, so that an interrupted measurement keeps what it finished.
   */
  onSolve?: (solve: EigenSolve) => void | Promise<void>;
  /** Called after every full spectrum, and awaited (see `onSolve`). */
  onSpectrum?: (spectrum: SpectrumMeasurement) => void | Promise<void>;
  /** Progress of solves and gradients. */
  onProgress?: (progress: MeasureProgress) => void;
}

/**
 * What {@linkcode measureCheckpoint} returns.
 *
 * @example
 * ```ts
 * import type { CheckpointMeasurement } from "./measure.ts";
 * const cost = (m: CheckpointMeasurement) => `${m.hvpCount} HVPs in ${m.seconds.toFixed(1)} s`;
 * ```
 */
export interface CheckpointMeasurement {
  /** The checkpoint's step. */
  step: number;
  /** The measured networks, in the problem's order. */
  networks: NetworkMeasurement[];
  /** The full spectra, in the problem's order. */
  spectra: SpectrumMeasurement[];
  /** HVPs of the eigensolves and spectra of this call. */
  hvpCount: number;
  /** Wall-clock seconds of this call. */
  seconds: number;
}

const HESSIAN_DATA: readonly DataEstimator[] = ["precise", "minibatch"];

/**
 * The seed of one eigensolve's start vectors: a stream of `seed` per (step, network, data), so
 * every solve of an analysis starts differently and reproducibly.
 *
 * @example
 * ```ts
 * import { solveSeed } from "./measure.ts";
 * solveSeed(0, 100_000, "critic", "precise") === solveSeed(0, 100_000, "critic", "precise"); // true
 * ```
 */
export function solveSeed(
  seed: number,
  step: number,
  network: NetworkName,
  estimator: DataEstimator,
): number {
  const stream = 4 * step + 2 * (network === "actor" ? 0 : 1) + (estimator === "precise" ? 0 : 1);
  return new Rng(seed, stream).seed();
}

/**
 * Measures one checkpoint (see the module doc): for each requested network, the precise and
 * mini-batch top-k eigenpairs (unless `known`), the precise and mini-batch gradients and S_frac
 * for the four estimator combinations; then the requested full spectra. The problem's losses are
 * asked for in a fixed order and disposed; the problem itself is the caller's.
 *
 * @throws Error when every mini-batch gradient or the precise gradient is zero (S_frac is
 *   undefined), or when a solve does not converge and `onNotConverged` is "throw".
 *
 * @example
 * ```ts
 * import { measureCheckpoint, type MeasureSettings } from "./measure.ts";
 * import type { CheckpointProblem } from "./estimators.ts";
 * async function headline(problem: CheckpointProblem, settings: MeasureSettings) {
 *   const m = await measureCheckpoint(problem, settings);
 *   return m.networks.map((net) => [net.network, net.fractions[0].values.at(-1)]);
 * }
 * ```
 */
export async function measureCheckpoint(
  problem: CheckpointProblem,
  settings: MeasureSettings,
  request: MeasureRequest = {},
): Promise<CheckpointMeasurement> {
  const t0 = performance.now();
  const wanted = request.networks ?? problem.networks;
  const spectra = request.spectra ?? [];
  const out: CheckpointMeasurement = {
    step: problem.step,
    networks: [],
    spectra: [],
    hvpCount: 0,
    seconds: 0,
  };
  for (const network of problem.networks) {
    if (wanted.includes(network)) {
      const m = await measureNetwork(problem, network, settings, request);
      out.hvpCount += m.solves.reduce((s, x) => s + x.hvpCount, 0);
      out.networks.push(m);
    }
    if (spectra.includes(network)) {
      const s = await measureSpectrum(problem, network, settings, request);
      out.hvpCount += s.spectrum.hvpCount;
      out.spectra.push(s);
      await request.onSpectrum?.(s);
    }
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

async function measureNetwork(
  problem: CheckpointProblem,
  network: NetworkName,
  settings: MeasureSettings,
  request: MeasureRequest,
): Promise<NetworkMeasurement> {
  const { step } = problem;
  const n = problem.parameterCount(network);
  const progress = (p: Partial<MeasureProgress> & Pick<MeasureProgress, "phase" | "estimator">) =>
    request.onProgress?.({ network, hvps: 0, converged: 0, wanted: 0, ...p });
  const eigen: Partial<Record<DataEstimator, Eigenpairs>> = {};
  const solves: EigenSolve[] = [];
  let preciseGradient: Float64Array | null = null;
  let preciseLoss = NaN;
  for (const estimator of HESSIAN_DATA) {
    const known = request.known?.[`${network}/${estimator}`];
    // The precise loss is needed anyway for the precise gradient.
    if (known && estimator !== "precise") {
      eigen[estimator] = known;
      continue;
    }
    await withOperator(problem.loss(network, estimator), settings, async (op) => {
      if (known) {
        eigen[estimator] = known;
      } else {
        const solve = await solveTopK(op, problem, network, estimator, settings, {
          startVectors: request.startVectors?.[`${network}/${estimator}`],
          onProgress: (p) => progress({ phase: "hessian", estimator, ...p }),
        });
        solves.push(solve);
        eigen[estimator] = solve;
        await request.onSolve?.(solve);
      }
      if (estimator === "precise") {
        progress({ phase: "gradients", estimator });
        const vg = await op.valueAndGradient();
        preciseGradient = vg.gradient;
        preciseLoss = vg.value;
      }
    });
  }
  progress({ phase: "gradients", estimator: "minibatch" });
  const miniBatchGradients: Float64Array[] = [];
  const miniBatchGradientNorms: number[] = [];
  for (let i = 0; i < problem.miniBatchCount; i++) {
    const g = await withOperator(
      problem.miniBatchLoss(network, i),
      settings,
      (op) => op.gradient(),
    );
    miniBatchGradientNorms.push(norm(g));
    if (norm(g) > 0) miniBatchGradients.push(g);
  }
  if (miniBatchGradients.length === 0) {
    throw new Error(
      `Step ${step}, ${network}: every mini-batch gradient is zero, S_frac is undefined`,
    );
  }
  const g = preciseGradient as Float64Array | null;
  if (!g || !(norm(g) > 0)) {
    throw new Error(`Step ${step}, ${network}: the precise gradient is zero`);
  }
  const bases = eigen as Record<DataEstimator, Eigenpairs>;
  return {
    network,
    n,
    eigen: bases,
    solves,
    preciseGradientNorm: norm(g),
    preciseLoss,
    miniBatchGradientNorms,
    skippedZeroGradients: miniBatchGradientNorms.length - miniBatchGradients.length,
    fractions: estimatorFractions(
      bases,
      { precise: [g], minibatch: miniBatchGradients },
      settings.ks,
    ),
  };
}

/**
 * S_frac for the four estimator combinations: for each, the mean over its gradients of
 * S_frac(P_k, g) = ‖V_kᵀ g‖²/‖g‖² (Eq. 5), V_k the top-k eigenvectors of its Hessian data, for
 * every k (k > N is measured at k = N).
 *
 * @param bases eigenvectors per Hessian data (at least min(max(ks), N) of them).
 * @param gradients non-zero gradients per data: one precise gradient, the mini-batch gradients.
 *
 * @example
 * ```ts
 * import { estimatorFractions } from "./measure.ts";
 * const e = (i: number) => Float32Array.from([0, 1, 2], (j) => (i === j ? 1 : 0));
 * const basis = { eigenvalues: [3, 2, 1], eigenvectors: [e(0), e(1), e(2)] };
 * const g = new Float64Array([3, 4, 0]);
 * estimatorFractions({ precise: basis, minibatch: basis }, { precise: [g], minibatch: [g] }, [1, 2]);
 * // every combination: [0.36, 1]
 * ```
 */
export function estimatorFractions(
  bases: Record<DataEstimator, Eigenpairs>,
  gradients: Record<DataEstimator, readonly Float64Array[]>,
  ks: readonly number[],
): SubspaceFractions[] {
  return ESTIMATOR_COMBINATIONS.map((combo) => {
    const vectors = bases[combo.hessian].eigenvectors;
    const grads = gradients[combo.gradient];
    const n = vectors[0].length;
    const clamped = ks.map((k) => Math.min(k, n));
    const sums = new Float64Array(ks.length);
    for (const grad of grads) {
      const f = gradientSubspaceFractions(vectors, grad, clamped);
      for (let j = 0; j < ks.length; j++) sums[j] += f[j];
    }
    return { estimator: combo.key, values: ks.map((_, j) => sums[j] / grads.length) };
  });
}

/** Runs `body` on the Hessian operator of `loss`, then disposes both. */
async function withOperator<T>(
  loss: ChunkedLoss,
  settings: MeasureSettings,
  body: (op: HessianOperatorLike) => Promise<T>,
): Promise<T> {
  try {
    const op = makeHessianOperator(loss, settings.hessian);
    try {
      return await body(op);
    } finally {
      op.dispose();
    }
  } finally {
    loss.dispose();
  }
}

async function solveTopK(
  op: HessianOperatorLike,
  problem: CheckpointProblem,
  network: NetworkName,
  estimator: DataEstimator,
  settings: MeasureSettings,
  extra: {
    startVectors?: readonly ArrayLike<number>[];
    onProgress: (p: { hvps: number; converged: number; wanted: number }) => void;
  },
): Promise<EigenSolve> {
  const t0 = performance.now();
  const n = problem.parameterCount(network);
  const k = Math.min(Math.max(...settings.ks), n);
  const solverOptions = {
    k,
    tol: settings.tol,
    maxIter: settings.maxIter,
    seed: solveSeed(settings.seed, problem.step, network, estimator),
    onNotConverged: settings.onNotConverged ?? "warn",
    // Every engine computes products in float32: residuals at that noise floor pass.
    ...(settings.verify ? { verify: true, operatorPrecision: FLOAT32_ROUNDOFF } : {}),
    ...(extra.startVectors ? { initialVectors: extra.startVectors } : {}),
    onProgress: (p: { hvpCount: number; converged: number; wanted: number }) =>
      extra.onProgress({ hvps: p.hvpCount, converged: p.converged, wanted: p.wanted }),
  };
  // The block solver passes the data once per block of vectors (block HVPs).
  const result = settings.blockSize
    ? await blockLanczosTopK(op.asBlockOperator(), n, {
      ...solverOptions,
      blockSize: settings.blockSize,
    })
    : await lanczosTopK(op.asOperator(), n, { ...solverOptions, ncv: settings.ncv ?? undefined });
  const seconds = (performance.now() - t0) / 1000;
  return {
    step: problem.step,
    network,
    estimator,
    n,
    k,
    samples: problem.sampleCount(estimator),
    eigenvalues: result.eigenvalues,
    eigenvectors: float32Rows(result.eigenvectors, n),
    residuals: result.residuals,
    converged: result.converged,
    hvpCount: result.hvpCount,
    restarts: result.restarts,
    seconds,
    warmStarted: extra.startVectors !== undefined,
    ...(result.verification ? { verification: result.verification } : {}),
  };
}

/** The vectors rounded to float32, as views into one k × n buffer (the layout of a cache). */
function float32Rows(vectors: readonly Float64Array[], n: number): Float32Array[] {
  const all = new Float32Array(vectors.length * n);
  vectors.forEach((v, i) => all.set(v, i * n));
  return vectors.map((_, i) => all.subarray(i * n, (i + 1) * n));
}

async function measureSpectrum(
  problem: CheckpointProblem,
  network: NetworkName,
  settings: MeasureSettings,
  request: MeasureRequest,
): Promise<SpectrumMeasurement> {
  const t0 = performance.now();
  const n = problem.parameterCount(network);
  const spectrum = await withOperator(
    problem.loss(network, "precise"),
    settings,
    (op) =>
      hessianSpectrum(op.asOperator(), n, {
        method: settings.spectrumMethod ?? "auto",
        seed: settings.seed,
        onProgress: (done) =>
          request.onProgress?.({
            phase: "spectrum",
            network,
            estimator: "precise",
            hvps: done,
            converged: 0,
            wanted: 0,
          }),
      }),
  );
  return {
    network,
    spectrum,
    samples: problem.sampleCount("precise"),
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * S_overlap(t1, t2; k) = ‖V_k(t1)ᵀ V_k(t2)‖_F² / k (Eq. 7) between two eigenbases, for every k of
 * `ks` that both hold (the others are left out).
 *
 * @param prev eigenvectors at t1 (descending eigenvalue).
 * @param now eigenvectors at t2.
 *
 * @example
 * ```ts
 * import { eigenspaceOverlaps } from "./measure.ts";
 * const e = (i: number) => Float32Array.from([0, 1, 2], (j) => (i === j ? 1 : 0));
 * eigenspaceOverlaps([e(0), e(1)], [e(1), e(0)], [1, 2, 5]); // [{ k: 1, value: 0 }, { k: 2, value: 1 }]
 * ```
 */
export function eigenspaceOverlaps(
  prev: readonly Float32Array[],
  now: readonly Float32Array[],
  ks: readonly number[],
): { k: number; value: number }[] {
  const usable = ks.filter((k) => k <= Math.min(prev.length, now.length));
  if (usable.length === 0) return [];
  const values = subspaceOverlaps(prev, now, usable);
  return usable.map((k, j) => ({ k, value: values[j] }));
}

/**
 * S_overlap between the eigenbases of every pair of steps t1 < t2 with t1 among `t1s`, in the
 * order (t1 as given, t2 ascending, k ascending).
 *
 * @param bases eigenvectors per step (one network, one Hessian data).
 *
 * @example
 * ```ts
 * import { overlapsBetweenSteps } from "./measure.ts";
 * const e = (i: number) => Float32Array.from([0, 1, 2], (j) => (i === j ? 1 : 0));
 * const bases = new Map([[0, [e(0)]], [10, [e(0)]], [20, [e(1)]]]);
 * overlapsBetweenSteps(bases, [0], [1]); // t1 = 0: t2 = 10 → 1, t2 = 20 → 0
 * ```
 */
export function overlapsBetweenSteps(
  bases: ReadonlyMap<number, readonly Float32Array[]>,
  t1s: readonly number[],
  ks: readonly number[],
): { t1: number; t2: number; k: number; value: number }[] {
  const steps = [...bases.keys()].sort((a, b) => a - b);
  const rows: { t1: number; t2: number; k: number; value: number }[] = [];
  for (const t1 of t1s) {
    const v1 = bases.get(t1);
    if (!v1) continue;
    for (const t2 of steps) {
      if (t2 <= t1) continue;
      for (const o of eigenspaceOverlaps(v1, bases.get(t2)!, ks)) rows.push({ t1, t2, ...o });
    }
  }
  return rows;
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
