/**
 * The subspace analysis.
 *
 * - Numerical core, independent of tfjs: top-k Hessian eigenpairs by thick-restart Lanczos,
 *   spectral density by stochastic Lanczos quadrature, the paper's subspace metrics (S_frac,
 *   S_overlap, random baseline) and the training-phase aggregation of Fig. 2.
 * - Hessians of network losses: exact chunked gradients and Hessian-vector products of the
 *   compute layer's objectives (`hvp.ts`), the full spectrum (`full_spectrum.ts`).
 * - Estimators (§5): the algorithm-independent contract (`estimators.ts`), PPO's data and
 *   losses (`ppo_estimators.ts`) and SAC's (`sac_estimators.ts`).
 * - The measurement of one checkpoint (`measure.ts`): given its problem (networks, losses, data)
 *   and settings, the top-k eigenpairs, gradients and S_frac per estimator, full spectra, and
 *   S_overlap between eigenbases; no files. The pipeline over a run's checkpoints (settings,
 *   caches, result files, resume) is `lib/experiments/analysis/`.
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
export * from "./block_lanczos.ts";
export {
  checkResidualBound,
  exactResidualVerification,
  FLOAT32_ROUNDOFF,
  maxRelativeResidual,
  NOISE_FLOOR_ROUNDOFFS,
  type ResidualBound,
  type ResidualVerification,
  residualVerification,
  WARM_START_RANDOM_WEIGHT,
  warmStartVectors,
} from "./warm_start.ts";
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
export {
  type ChunkedLoss,
  type HessianOperatorLike,
  type HessianOperatorOptions,
  HVP_ENGINES,
  type HvpEngine,
  makeHessianOperator,
} from "./hvp.ts";
export { FastHessianOperator } from "./engine/mod.ts";
export type { FastEngineOptions } from "./engine/mod.ts";
export {
  type ExplicitHessian,
  explicitHessian,
  type ExplicitHessianOptions,
  type FullSpectrum,
  fullSpectrum,
  type FullSpectrumOptions,
  type HessianSpectrum,
  hessianSpectrum,
  type HessianSpectrumOptions,
} from "./full_spectrum.ts";
export {
  type AnalysisAlgorithm,
  type CheckpointProblem,
  type DataEstimator,
  ESTIMATOR_COMBINATIONS,
  type EstimatorCombination,
  type EstimatorQuirks,
  type EstimatorSettings,
  type NetworkName,
  type PrepareArgs,
} from "./estimators.ts";
export {
  type CheckpointMeasurement,
  type Eigenpairs,
  type EigenSolve,
  type EigenSolveFacts,
  eigenspaceOverlaps,
  estimatorFractions,
  measureCheckpoint,
  type MeasureProgress,
  type MeasureRequest,
  type MeasureSettings,
  type NetworkMeasurement,
  overlapsBetweenSteps,
  type SolveKey,
  solveSeed,
  type SpectrumMeasurement,
  type SubspaceFractions,
} from "./measure.ts";
export {
  collectPpoRollout,
  miniBatchIndices,
  ppoAnalysis,
  PpoCheckpointProblem,
  ppoLoss,
  type PpoLossOptions,
  type PpoRollout,
  type PpoRolloutOptions,
  SB3_DEFAULT_GAE,
} from "./ppo_estimators.ts";
export {
  collectRandomTransitions,
  makeSacDataSet,
  SAC_MINIBATCH_SAMPLES,
  SAC_STEP0_TRANSITIONS,
  sacActorChunkedLoss,
  sacAnalysis,
  type SacAnalysisInput,
  sacAnalysisInputFromState,
  SacCheckpointProblem,
  sacCriticChunkedLoss,
  type SacDataSet,
  type SacTransitions,
  transitionsFromReplayState,
} from "./sac_estimators.ts";
