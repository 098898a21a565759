/**
 * The subspace analysis of a training run (paper §4, notes §4–§6, §9.2): for every analysed
 * checkpoint and every network (actor, critic), the top-k_max Hessian eigenpairs of the precise
 * and the mini-batch loss, the precise and mini-batch gradients, S_frac for the four (gradient,
 * Hessian) estimator combinations and every k, optionally the full Hessian spectrum; and finally
 * S_overlap(t1, t2; k) between the precise top-k eigenspaces of analysed steps t1 < t2.
 *
 * This is the pipeline: it owns the settings (`settings.ts`), the files (`store.ts`), resuming
 * and progress (`progress.ts`). The numbers come from `measureCheckpoint` of
 * `lib/subspaces/measure.ts`, so the walk of one step reads: load the checkpoint → measure →
 * write. Every eigensolve is written as it finishes, so a killed analysis resumes where it
 * stopped: a rerun skips finished steps and cached eigenpairs. Data is drawn from generators
 * seeded by (seed, step), so a resumed step sees the same data as before.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { prepareEnv } from "../../envs/mod.ts";
import { initRuntime } from "../../runtime/mod.ts";
import {
  type AnalysisAlgorithm,
  type CheckpointMeasurement,
  type CheckpointProblem,
  type DataEstimator,
  type Eigenpairs,
  type EstimatorSettings,
  type HessianSpectrum,
  HVP_ENGINES,
  measureCheckpoint,
  type MeasureSettings,
  type NetworkName,
  overlapsBetweenSteps,
  ppoAnalysis,
  sacAnalysis,
  type SolveKey,
} from "../../subspaces/mod.ts";
import { exists, readJson } from "../../io/files.ts";
import { machineInfo, toolkitVersions } from "../../provenance.ts";
import { listCheckpoints, loadCheckpointState } from "../train.ts";
import {
  analysisIdOf,
  type AnalysisSettings,
  type AnalyzeOptions,
  resolveSettings,
} from "./settings.ts";
import { AnalyzeProgressTracker } from "./progress.ts";
import {
  eigenCacheFiles,
  eigenCacheInfoOf,
  loadEigenCache,
  makeAnalysisDir,
  type OverlapRow,
  previousEigenCache,
  readSpectrum,
  type ResultRow,
  saveEigenCache,
  spectrumPath,
  type StepRecord,
  stepRecordPath,
  writeManifestOnce,
  writeOverlaps,
  writeResults,
  writeSpectrum,
  writeStepRecord,
} from "./store.ts";

const ALGORITHMS = new Map<string, AnalysisAlgorithm>([
  ["ppo", ppoAnalysis],
  ["sac", sacAnalysis],
]);

/**
 * Makes an algorithm's analysis available to {@linkcode analyzeRun} (by its `algo` id).
 *
 * @example
 * ```ts
 * import { registerAnalysisAlgorithm } from "./pipeline.ts";
 * import { ppoAnalysis } from "../../subspaces/mod.ts";
 * registerAnalysisAlgorithm(ppoAnalysis); // already registered; shown for the API
 * ```
 */
export function registerAnalysisAlgorithm(algorithm: AnalysisAlgorithm): void {
  ALGORITHMS.set(algorithm.algo, algorithm);
}

/**
 * The analysis of an algorithm id (as in `run.json`), with an error that lists the known ones.
 *
 * @example
 * ```ts
 * import { analysisAlgorithmOf } from "./pipeline.ts";
 * analysisAlgorithmOf("ppo").networks; // ["actor", "critic"]
 * ```
 */
export function analysisAlgorithmOf(algo: string): AnalysisAlgorithm {
  const algorithm = ALGORITHMS.get(algo);
  if (!algorithm) {
    throw new Error(
      `No analysis is available for algorithm "${algo}" (known: ${[...ALGORITHMS.keys()]})`,
    );
  }
  return algorithm;
}

/**
 * What {@linkcode analyzeRun} returns.
 *
 * @example
 * ```ts
 * import type { AnalyzeResult } from "./pipeline.ts";
 * const summary = (r: AnalyzeResult) => `${r.analysisId}: ${r.steps.length} steps, ${r.hvpCount} HVPs`;
 * ```
 */
export interface AnalyzeResult {
  /** The settings id (directory name). */
  analysisId: string;
  /** `<run>/analysis/<analysisId>`. */
  analysisDir: string;
  /** All result rows of the analysis (every finished step, not only this call's). */
  results: ResultRow[];
  /** All overlap rows. */
  overlaps: OverlapRow[];
  /** Steps finished (all calls). */
  steps: number[];
  /** Steps computed in this call. */
  computedSteps: number[];
  /** Full spectra computed or found, keyed `<step>/<network>`. */
  spectra: Record<string, HessianSpectrum>;
  /** HVPs in this call. */
  hvpCount: number;
  /** Wall-clock seconds of this call. */
  seconds: number;
}

interface RunJson {
  algo: string;
  envId: string;
  /** Environment options of the run (absent in runs made before they were recorded). */
  envOptions?: Record<string, unknown>;
  seed: number;
}

/** One analysis, opened: its run, settings and directory. */
interface Analysis {
  options: AnalyzeOptions;
  runDir: string;
  run: RunJson;
  algorithm: AnalysisAlgorithm;
  settings: AnalysisSettings;
  /** The measurement settings passed to `measureCheckpoint`. */
  measure: MeasureSettings;
  estimatorSettings: EstimatorSettings;
  networks: readonly NetworkName[];
  /** The steps of this call, ascending. */
  steps: number[];
  spectrumSteps: number[];
  analysisId: string;
  dir: string;
}

/** A step with work to do: its analysis (unless finished) and the spectra still missing. */
interface PlannedStep {
  step: number;
  analyse: boolean;
  spectra: NetworkName[];
}

const HESSIAN_DATA: readonly DataEstimator[] = ["precise", "minibatch"];

/**
 * Analyses the checkpoints of a run (see the module doc for what is computed and written).
 * Resumable, and usable from a notebook: it returns the rows and never exits the process.
 *
 * @example
 * ```ts
 * import { analyzeRun } from "./pipeline.ts";
 * const { results, overlaps } = await analyzeRun({
 *   runDir: "runs/ppo-pendulum-0", preciseSamples: 100_000, ks: [1, 10, 50], tol: 1e-3,
 *   onProgress: (p) => console.log(p.phase, p.step, p.hvps),
 * });
 * results.filter((r) => r.k === 50 && r.estimator === "precise/precise");
 * ```
 */
export async function analyzeRun(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const a = await openAnalysis(options);
  const { todo, solvesTotal } = await planSteps(a);
  const progress = new AnalyzeProgressTracker(solvesTotal, options.onProgress, t0);
  const computedSteps: number[] = [];
  const spectra: Record<string, HessianSpectrum> = {};
  for (const item of todo) {
    const m = await analyseStep(a, item, progress);
    if (item.analyse) computedSteps.push(item.step);
    for (const s of m.spectra) spectra[`${item.step}/${s.network}`] = s.spectrum;
  }

  // Results and overlaps over every finished step of this analysis.
  const { rows: results, steps } = await writeResults(a.dir);
  progress.report({ phase: "overlaps" });
  const overlaps = await overlapRows(a, steps);
  await writeOverlaps(a.dir, overlaps);
  for (const s of a.spectrumSteps) {
    for (const network of a.networks) {
      const found = spectra[`${s}/${network}`] ?? (await readSpectrum(a.dir, s, network));
      if (found) spectra[`${s}/${network}`] = found;
    }
  }
  progress.report({ phase: "done" });
  return {
    analysisId: a.analysisId,
    analysisDir: a.dir,
    results,
    overlaps,
    steps,
    computedSteps,
    spectra,
    hvpCount: progress.hvpsTotal,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * One step: load the checkpoint → measure (each eigensolve and spectrum written as it finishes)
 * → write the step record and the results.
 */
async function analyseStep(
  a: Analysis,
  item: PlannedStep,
  progress: AnalyzeProgressTracker,
): Promise<CheckpointMeasurement> {
  const { step } = item;
  const tStep = performance.now();
  progress.report({ phase: "data", step });
  const problem = await a.algorithm.prepare({
    state: await loadCheckpointState(a.runDir, step),
    envId: a.run.envId,
    envOptions: a.run.envOptions ?? {},
    step,
    settings: a.estimatorSettings,
  });
  try {
    const data = problem.describe();
    const eigen = item.analyse ? await eigenInputs(a, step) : { known: {}, warmFrom: {} };
    const m = await measureCheckpoint(problem, a.measure, {
      networks: item.analyse ? a.networks : [],
      spectra: item.spectra,
      known: eigen.known,
      startVectors: eigen.startVectors,
      onSolve: async (solve) => {
        progress.solved(solve.hvpCount, solve.seconds);
        const warm = a.options.warmStart
          ? { fromStep: eigen.warmFrom[`${solve.network}/${solve.estimator}`] ?? null }
          : undefined;
        await saveEigenCache(
          a.dir,
          eigenCacheInfoOf(solve, a.settings.tol, warm),
          solve.eigenvectors,
        );
      },
      onSpectrum: async (s) => {
        progress.solved(s.spectrum.hvpCount, s.seconds);
        await writeSpectrum(a.dir, step, s);
      },
      onProgress: (p) => progress.report({ ...p, step }),
    });
    if (item.analyse) {
      await writeStepRecord(a.dir, stepRecordOf(a, problem, data, m, tStep));
      await writeResults(a.dir);
    }
    return m;
  } finally {
    problem.dispose();
  }
}

/**
 * What a step's measurement starts from: the cached eigenpairs (their solves are skipped) and,
 * with `warmStart`, the previous analysed step's eigenvectors for each solve that runs.
 */
async function eigenInputs(a: Analysis, step: number): Promise<{
  known: Partial<Record<SolveKey, Eigenpairs>>;
  startVectors?: Partial<Record<SolveKey, readonly Float32Array[]>>;
  warmFrom: Partial<Record<SolveKey, number>>;
}> {
  const known: Partial<Record<SolveKey, Eigenpairs>> = {};
  const startVectors: Partial<Record<SolveKey, readonly Float32Array[]>> = {};
  const warmFrom: Partial<Record<SolveKey, number>> = {};
  for (const network of a.networks) {
    for (const estimator of HESSIAN_DATA) {
      const key: SolveKey = `${network}/${estimator}`;
      const cached = await loadEigenCache(a.dir, step, network, estimator);
      if (cached) {
        known[key] = { eigenvalues: cached.info.eigenvalues, eigenvectors: cached.eigenvectors };
      } else if (a.options.warmStart) {
        const warm = await previousEigenCache(a.dir, a.steps, step, network, estimator);
        if (warm) {
          startVectors[key] = warm.eigenvectors;
          warmFrom[key] = warm.info.step;
        }
      }
    }
  }
  return { known, startVectors, warmFrom };
}

/** The step record of a measured step: data, gradient facts and the S_frac rows. */
function stepRecordOf(
  a: Analysis,
  problem: CheckpointProblem,
  data: Record<string, unknown>,
  m: CheckpointMeasurement,
  tStep: number,
): StepRecord {
  const record: StepRecord = {
    format: "pgsubspace-analysis-step/1",
    step: problem.step,
    data,
    networks: {},
    rows: [],
    seconds: 0,
  };
  for (const net of m.networks) {
    for (const f of net.fractions) {
      a.settings.ks.forEach((k, j) => {
        record.rows.push({
          task: a.run.envId,
          algo: a.run.algo,
          seed: a.run.seed,
          step: problem.step,
          network: net.network,
          estimator: f.estimator,
          k,
          value: f.values[j],
          n: net.n,
        });
      });
    }
    record.networks[net.network] = {
      n: net.n,
      preciseGradientNorm: net.preciseGradientNorm,
      preciseLoss: net.preciseLoss,
      miniBatchGradientNorms: net.miniBatchGradientNorms,
      skippedZeroGradients: net.skippedZeroGradients,
    };
  }
  record.seconds = (performance.now() - tStep) / 1000;
  return record;
}

/** S_overlap rows between the cached precise eigenbases of the finished steps. */
async function overlapRows(a: Analysis, steps: number[]): Promise<OverlapRow[]> {
  const t1s = a.options.overlapT1 === undefined || a.options.overlapT1 === "all"
    ? steps
    : a.options.overlapT1.filter((t) => steps.includes(t));
  const rows: OverlapRow[] = [];
  for (const network of a.networks) {
    const bases = new Map<number, Float32Array[]>();
    for (const s of steps) {
      const cache = await loadEigenCache(a.dir, s, network, "precise");
      if (cache) bases.set(s, cache.eigenvectors);
    }
    for (const o of overlapsBetweenSteps(bases, t1s, a.settings.ks)) {
      rows.push({ task: a.run.envId, algo: a.run.algo, seed: a.run.seed, network, ...o });
    }
  }
  return rows;
}

/**
 * Validates the options against the run, resolves the settings, starts the runtime, and creates
 * the analysis directory with its manifest.
 */
async function openAnalysis(options: AnalyzeOptions): Promise<Analysis> {
  const runDir = options.runDir.replace(/\/+$/, "");
  if (!(await exists(`${runDir}/run.json`))) {
    throw new Error(`${runDir} is not a run directory (no run.json); pass --run runs/<name>`);
  }
  const run = await readJson<RunJson>(`${runDir}/run.json`);
  const algorithm = analysisAlgorithmOf(run.algo);
  const settings = resolveSettings(algorithm, options);
  await prepareEnv(run.envId);
  const chunkSize = options.chunkSize ?? 8192;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`analyzeRun: chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const engine = options.engine ?? "auto";
  if (!HVP_ENGINES.includes(engine)) {
    throw new RangeError(`analyzeRun: engine must be ${HVP_ENGINES.join(", ")}, got "${engine}"`);
  }
  const runtime = await initRuntime(options.backend ? { backend: options.backend } : {});

  const checkpoints = await listCheckpoints(runDir);
  const steps = options.steps === undefined || options.steps === "all"
    ? checkpoints
    : [...new Set(options.steps)].sort((a, b) => a - b);
  for (const s of steps) {
    if (!checkpoints.includes(s)) {
      throw new Error(
        `No checkpoint at step ${s} in ${runDir}; available: ${checkpoints.join(", ") || "none"}`,
      );
    }
  }
  if (steps.length === 0) throw new Error(`${runDir} has no checkpoints to analyse`);
  const spectrumSteps = options.spectrumSteps === undefined
    ? []
    : options.spectrumSteps === "last"
    ? [steps[steps.length - 1]]
    : options.spectrumSteps;
  for (const s of spectrumSteps) {
    if (!steps.includes(s)) {
      throw new Error(`spectrumSteps: step ${s} is not among the analysed steps [${steps}]`);
    }
  }

  const analysisId = await analysisIdOf(settings);
  const dir = `${runDir}/analysis/${analysisId}`;
  await makeAnalysisDir(dir);
  await writeManifestOnce(dir, {
    format: "pgsubspace-analysis/1",
    analysisId,
    settings,
    run: { algo: run.algo, envId: run.envId, seed: run.seed },
    versions: toolkitVersions({ tfjs: tf.version_core }),
    backend: runtime.summary,
    machine: machineInfo(),
    engine,
    chunkSize,
    createdAt: new Date().toISOString(),
  });
  return {
    options,
    runDir,
    run,
    algorithm,
    settings,
    measure: {
      ks: settings.ks,
      tol: settings.tol,
      maxIter: settings.maxIter,
      ncv: settings.ncv,
      blockSize: settings.blockSize,
      seed: settings.seed,
      hessian: { engine, fast: { threads: options.engineThreads ?? "auto" } },
      onNotConverged: options.onNotConverged ?? "warn",
      verify: options.warmStart === true,
      spectrumMethod: options.spectrumMethod ?? "auto",
    },
    estimatorSettings: {
      preciseSamples: settings.preciseSamples,
      chunkSize,
      seed: settings.seed,
      quirks: settings.quirks,
    },
    networks: settings.networks ?? algorithm.networks,
    steps,
    spectrumSteps,
    analysisId,
    dir,
  };
}

/**
 * Which steps need work, and how many solves that is. A finished step whose eigen cache was
 * deleted (to recompute it) is analysed again.
 */
async function planSteps(a: Analysis): Promise<{ todo: PlannedStep[]; solvesTotal: number }> {
  const todo: PlannedStep[] = [];
  let solvesTotal = 0;
  for (const step of a.steps) {
    let cachesComplete = true, missingSolves = 0;
    for (const network of a.networks) {
      for (const estimator of HESSIAN_DATA) {
        const files = await eigenCacheFiles(a.dir, step, network, estimator);
        if (!files.complete) cachesComplete = false;
        if (!files.json) missingSolves++;
      }
    }
    const analyse = !cachesComplete || !(await exists(stepRecordPath(a.dir, step)));
    const spectra: NetworkName[] = [];
    if (a.spectrumSteps.includes(step)) {
      for (const network of a.networks) {
        if (!(await exists(spectrumPath(a.dir, step, network)))) spectra.push(network);
      }
    }
    if (!analyse && spectra.length === 0) continue;
    todo.push({ step, analyse, spectra });
    if (analyse) solvesTotal += missingSolves;
    solvesTotal += spectra.length;
  }
  return { todo, solvesTotal };
}
