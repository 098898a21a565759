/**
 * The subspace analysis of a training run: {@linkcode analyzeRun} and what goes with it. This is
 * the entry point other code imports; the pipeline lives in `./analysis/` (settings, files,
 * progress, the walk over checkpoints) and the measurement of one checkpoint in
 * `lib/subspaces/measure.ts`.
 *
 * @example
 * ```ts
 * import { analyzeRun } from "./analyze.ts";
 * const { results, overlaps } = await analyzeRun({ runDir: "runs/ppo-pendulum-0", ks: [1, 10] });
 * ```
 *
 * @module
 */
export * from "./analysis/mod.ts";
