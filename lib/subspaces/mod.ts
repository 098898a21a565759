/**
 * The numerical core of the subspace analysis, independent of tfjs: top-k Hessian eigenpairs by
 * thick-restart Lanczos, spectral density by stochastic Lanczos quadrature, the paper's subspace
 * metrics (S_frac, S_overlap, random baseline) and the training-phase aggregation of Fig. 2.
 *
 * @example
 * ```ts
 * import { gradientSubspaceFraction, lanczosTopK } from "./mod.ts";
 * const n = 50;
 * const hvp = (v: Float64Array) => v.map((x, i) => (n - i) * x); // eigenvalues 50, 49, …
 * const { eigenvectors } = await lanczosTopK(hvp, n, { k: 5, seed: 0 });
 * const g = new Float64Array(n).fill(1);
 * gradientSubspaceFraction(eigenvectors, g, 5); // ≈ 5/50
 * ```
 *
 * @module
 */

export {
  type LanczosOptions,
  type LanczosProgress,
  type LanczosResult,
  lanczosTopK,
  type SymmetricOperator,
} from "./lanczos.ts";
export {
  defaultSigma,
  type SlqOptions,
  type SlqResult,
  slqTrace,
  spectralDensity,
  type SpectralDensityOptions,
  stochasticLanczosQuadrature,
} from "./spectral_density.ts";
export {
  expectedRandomFraction,
  gradientSubspaceFraction,
  gradientSubspaceFractions,
  meanGradientSubspaceFraction,
  randomSubspaceBaseline,
  SUBSPACE_DIMENSIONS,
  subspaceOverlap,
  subspaceOverlaps,
} from "./metrics.ts";
export {
  aggregatePhaseMeans,
  type PhaseAggregate,
  type PhaseMeans,
  phaseMeans,
  phasesOfStep,
  type PhaseSplit,
  type PhaseSplitOptions,
  type PhaseStatistics,
  phaseStatistics,
  type PhaseStatisticsOptions,
  type SeedRun,
  splitTrainingPhases,
  TRAINING_PHASES,
  type TrainingPhase,
} from "./phases.ts";
