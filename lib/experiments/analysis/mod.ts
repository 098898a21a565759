/**
 * The analysis pipeline over a training run's checkpoints: settings and their id
 * (`settings.ts`), the files under `<run>/analysis/<analysisId>/` (`store.ts`), progress
 * (`progress.ts`) and {@linkcode analyzeRun} (`pipeline.ts`), which calls
 * `lib/subspaces/measure.ts` for the numbers.
 *
 * @example
 * ```ts
 * import { analyzeRun, formatAnalyzeProgress } from "./mod.ts";
 * const { results } = await analyzeRun({
 *   runDir: "runs/ppo-pendulum-0", ks: [1, 10], onProgress: (p) => console.log(formatAnalyzeProgress(p)),
 * });
 * ```
 *
 * @module
 */
export {
  analysisAlgorithmOf,
  type AnalyzeResult,
  analyzeRun,
  registerAnalysisAlgorithm,
} from "./pipeline.ts";
export {
  analysisIdOf,
  type AnalysisSettings,
  type AnalyzeOptions,
  resolveSettings,
  selectAnalysisSteps,
} from "./settings.ts";
export { type AnalyzeProgress, AnalyzeProgressTracker, formatAnalyzeProgress } from "./progress.ts";
export {
  type EigenCache,
  type EigenCacheInfo,
  loadEigenCache,
  type OverlapRow,
  readAnalysis,
  readSpectrum,
  type ResultRow,
  type StepRecord,
} from "./store.ts";
