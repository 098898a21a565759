/**
 * The subspace analysis of a training run (paper §4, notes §4–§6, §9.2): for every analysed
 * checkpoint and every network (actor, critic),
 *
 * 1. the top-k_max Hessian eigenpairs (thick-restart Lanczos, largest algebraic, tol 1e-4 by
 *    default) of the precise and of the mini-batch loss;
 * 2. the precise gradient and the mini-batch gradients;
 * 3. S_frac for the four (gradient, Hessian) estimator combinations and every k;
 * 4. optionally the full Hessian spectrum (explicit, or SLQ for large networks);
 *
 * and finally S_overlap(t1, t2; k) between the precise top-k eigenspaces of analysed steps
 * t1 < t2.
 *
 * Everything goes under `<run>/analysis/<analysisId>/`, where the id encodes the settings (so
 * different settings never mix):
 * - `analysis.json`: settings, run identity, versions;
 * - `eigen/step_XXXXXXX_<network>_<estimator>.json` + `.bin`: eigenvalues, residuals, HVP counts
 *   (JSON) and the eigenvectors as little-endian float32, k rows of N (bin). The JSON is sealed
 *   and records the bin's size and SHA-256 (lib/io/checksum.ts): a damaged cache is reported
 *   with its path, never used (caches written before checksums load with a note);
 * - `steps/step_XXXXXXX.json`: a finished step (data summary, gradient norms, its result rows);
 * - `spectrum/step_XXXXXXX_<network>.json`: every eigenvalue, or SLQ nodes and weights;
 * - `results.jsonl`: rows `{task, algo, seed, step, network, estimator, k, value, n}`
 *   (`estimator` = `<gradient>/<hessian>`, value = S_frac, n = parameter count so that the random
 *   baseline k/n is at hand);
 * - `overlaps.jsonl`: rows `{task, algo, seed, network, t1, t2, k, value}`.
 *
 * Every file is written atomically. A rerun skips finished steps and cached eigenpairs, so a
 * killed analysis resumes where it stopped. Data is drawn from generators seeded by
 * (seed, step), so a resumed step sees the same data as before.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../rng.ts";
import { prepareEnv } from "../envs/mod.ts";
import { type BackendChoice, initRuntime } from "../runtime/mod.ts";
import {
  type AnalysisAlgorithm,
  blockLanczosTopK,
  type CheckpointProblem,
  type DataEstimator,
  ESTIMATOR_COMBINATIONS,
  type EstimatorQuirks,
  type EstimatorSettings,
  FLOAT32_ROUNDOFF,
  gradientSubspaceFractions,
  type HessianSpectrum,
  hessianSpectrum,
  lanczosTopK,
  type NetworkName,
  ppoAnalysis,
  type ResidualVerification,
  sacAnalysis,
  SUBSPACE_DIMENSIONS,
  subspaceOverlaps,
  type WarmStartReport,
} from "../subspaces/mod.ts";
import {
  type HessianOperatorOptions,
  HVP_ENGINES,
  type HvpEngine,
  makeHessianOperator,
} from "../subspaces/hvp.ts";
import { exists, readJson, readJsonl, writeFileAtomic, writeJsonAtomic } from "../io/files.ts";
import {
  DataIntegrityError,
  type Digest,
  digestOf,
  noteUnverified,
  readSealedJson,
  verifyDigest,
  writeSealedJson,
} from "../io/checksum.ts";
import { machineInfo, toolkitVersions } from "../provenance.ts";
import { formatDuration } from "./progress.ts";
import { checkpointDirName, listCheckpoints, loadCheckpointState } from "./train.ts";

/** The algorithms the pipeline knows (by `run.json`'s `algo`). */
const ALGORITHMS = new Map<string, AnalysisAlgorithm>([
  ["ppo", ppoAnalysis],
  ["sac", sacAnalysis],
]);

/**
 * Makes an algorithm's analysis available to {@linkcode analyzeRun} (by its `algo` id).
 *
 * @example
 * ```ts
 * import { registerAnalysisAlgorithm } from "./analyze.ts";
 * import { ppoAnalysis } from "../subspaces/mod.ts";
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
 * import { analysisAlgorithmOf } from "./analyze.ts";
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
 * Options of {@linkcode analyzeRun}.
 *
 * @example
 * ```ts
 * import type { AnalyzeOptions } from "./analyze.ts";
 * const cheap: AnalyzeOptions = { runDir: "runs/ppo-pendulum-0", preciseSamples: 50_000, ks: [1, 10, 50], tol: 1e-3 };
 * ```
 */
export interface AnalyzeOptions {
  /** The run directory (holds `run.json` and `checkpoints/`). */
  runDir: string;
  /** Checkpoint steps to analyse, or "all" (default). */
  steps?: number[] | "all";
  /** PPO: fresh on-policy samples of the precise estimate (default 10⁶, the paper's). SAC: cap on the replay buffer (default: the whole buffer). */
  preciseSamples?: number;
  /** Subspace dimensions k (default the paper's 1, 2, 5, 10, 20, 50, 100); max(ks) eigenpairs are computed. */
  ks?: number[];
  /** Lanczos relative residual tolerance (default 1e-4, the paper's). */
  tol?: number;
  /** Lanczos restart cycles (default 500, the paper's maxiter). */
  maxIter?: number;
  /** Lanczos basis size (default ARPACK's min(N, max(2k + 1, 20))). */
  ncv?: number;
  /**
   * Eigensolver: "lanczos" (default; single-vector thick restart, as ARPACK) or "block" (block
   * Krylov–Schur on block HVPs: far fewer passes over the data, somewhat more HVPs).
   */
  eigensolver?: "lanczos" | "block";
  /** Block size of the block eigensolver (default 16). */
  blockSize?: number;
  /**
   * Warm-start every top-k solve from the cached eigenvectors of the same network and estimator
   * at the previous analysed step of this analysis, when there is one, and verify every solve
   * (its residuals recomputed with k extra HVPs, or taken from the warm products; a pair above
   * tol is an error). Same tolerance, same answer; the cost and the start step are recorded in
   * the eigen cache. The block solver keeps the previous pairs that still meet tol (most of a
   * solve saved when the eigenspace barely moved, one pass lost when it moved); Lanczos uses
   * them only through its start vector. Default false (README: Warm-started eigensolves).
   */
  warmStart?: boolean;
  /** Seed of the analysis's data and start vectors (default 0). */
  seed?: number;
  /** Networks to analyse (default all of the algorithm's: actor and critic). */
  networks?: NetworkName[];
  /** Samples per chunk of the SAC target computation (default 8192; memory and speed only). */
  chunkSize?: number;
  /** t1 values of S_overlap (must be analysed steps); default every analysed step. */
  overlapT1?: number[] | "all";
  /** Steps whose full Hessian spectrum (precise loss) is computed: a list, "last", or none (default). */
  spectrumSteps?: number[] | "last";
  /** Full-spectrum method (default "auto": explicit up to N = 6,000, else SLQ). */
  spectrumMethod?: "auto" | "explicit" | "slq";
  /** Opt-in reproductions of the paper code's quirks (defaults: the correct behaviour). */
  quirks?: EstimatorQuirks;
  /** tfjs backend (default: `PGSUBSPACE_BACKEND`, else auto). */
  backend?: BackendChoice;
  /**
   * Gradient/HVP engine: "auto" (default) or "fast" (the R-operator engine on float32
   * WebAssembly), or "cpu" (the same in float64, slower).
   * Results agree to float32 rounding.
   */
  engine?: HvpEngine;
  /** Threads of the fast engine: 1, 2 or "auto" (default: 2 on machines with ≥ 2 cores). */
  engineThreads?: 1 | 2 | "auto";
  /** "warn" (default): keep unconverged eigenpairs, flagged in the cache; "throw": stop. */
  onNotConverged?: "warn" | "throw";
  /** Progress callback (a progress bar in the CLI). */
  onProgress?: (progress: AnalyzeProgress) => void;
}

/**
 * A progress snapshot of {@linkcode analyzeRun}.
 *
 * @example
 * ```ts
 * import { type AnalyzeProgress, formatAnalyzeProgress } from "./analyze.ts";
 * const log = (p: AnalyzeProgress) => console.log(formatAnalyzeProgress(p));
 * ```
 */
export interface AnalyzeProgress {
  /** What is running. */
  phase: "data" | "hessian" | "gradients" | "spectrum" | "overlaps" | "done";
  /** Current checkpoint step, if any. */
  step: number | null;
  /** Current network, if any. */
  network: NetworkName | null;
  /** Current Hessian data, if any. */
  estimator: DataEstimator | null;
  /** Hessian solves (eigen + spectra) finished in this call. */
  solvesDone: number;
  /** Hessian solves planned in this call. */
  solvesTotal: number;
  /** HVPs of the current solve. */
  hvps: number;
  /** HVPs in this call so far. */
  hvpsTotal: number;
  /** Converged / wanted eigenpairs of the current Lanczos solve. */
  converged: number;
  /** See `converged`. */
  wanted: number;
  /** Seconds since the call started. */
  elapsedSeconds: number;
  /** Estimated seconds to go (Infinity before the first solve ends). */
  etaSeconds: number;
}

/**
 * One S_frac value.
 *
 * @example
 * ```ts
 * import type { ResultRow } from "./analyze.ts";
 * const headline = (rows: ResultRow[]) => rows.filter((r) => r.k === 100 && r.estimator === "precise/precise");
 * ```
 */
export interface ResultRow {
  /** Environment id. */
  task: string;
  /** Algorithm. */
  algo: string;
  /** Training seed of the run. */
  seed: number;
  /** Checkpoint step. */
  step: number;
  /** Network. */
  network: NetworkName;
  /** `<gradient>/<hessian>` estimator combination. */
  estimator: string;
  /** Subspace dimension. */
  k: number;
  /** S_frac. */
  value: number;
  /** Parameter count N of the network (random baseline k/N). */
  n: number;
}

/**
 * One S_overlap value.
 *
 * @example
 * ```ts
 * import type { OverlapRow } from "./analyze.ts";
 * const fig3 = (rows: OverlapRow[]) => rows.filter((r) => r.t1 === 100_000 && r.k === 100);
 * ```
 */
export interface OverlapRow {
  /** Environment id. */
  task: string;
  /** Algorithm. */
  algo: string;
  /** Training seed of the run. */
  seed: number;
  /** Network. */
  network: NetworkName;
  /** Earlier step. */
  t1: number;
  /** Later step. */
  t2: number;
  /** Subspace dimension. */
  k: number;
  /** S_overlap of the precise top-k eigenspaces. */
  value: number;
}

/**
 * What {@linkcode analyzeRun} returns.
 *
 * @example
 * ```ts
 * import type { AnalyzeResult } from "./analyze.ts";
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

/**
 * Settings that define an analysis (everything that changes its numbers).
 *
 * @example
 * ```ts
 * import type { AnalysisSettings } from "./analyze.ts";
 * const paper: AnalysisSettings = {
 *   algo: "ppo", preciseSamples: 1_000_000, ks: [1, 2, 5, 10, 20, 50, 100], tol: 1e-4, maxIter: 500,
 *   ncv: null, seed: 0, quirks: {},
 * };
 * ```
 */
export interface AnalysisSettings {
  /** Algorithm id. */
  algo: string;
  /** See {@linkcode AnalyzeOptions.preciseSamples}. */
  preciseSamples: number;
  /** Sorted unique k's. */
  ks: number[];
  /** Lanczos tolerance. */
  tol: number;
  /** Lanczos restart cycles. */
  maxIter: number;
  /** Lanczos basis size, or null for the default. */
  ncv: number | null;
  /** Seed. */
  seed: number;
  /** Quirks switched on (only true entries). */
  quirks: EstimatorQuirks;
  /** Analysed networks, or null for all of the algorithm's. */
  networks?: NetworkName[] | null;
  /** The block eigensolver's block size; absent for single-vector Lanczos. */
  blockSize?: number | null;
}

/**
 * Metadata of one cached eigen-decomposition.
 *
 * @example
 * ```ts
 * import type { EigenCacheInfo } from "./analyze.ts";
 * const converged = (info: EigenCacheInfo) => info.converged && info.k === info.eigenvalues.length;
 * ```
 */
export interface EigenCacheInfo {
  /** Format tag. */
  format: "pgsubspace-eigen/1";
  /** Checkpoint step. */
  step: number;
  /** Network. */
  network: NetworkName;
  /** Data of the Hessian. */
  estimator: DataEstimator;
  /** Parameter count. */
  n: number;
  /** Eigenpairs stored. */
  k: number;
  /** Samples behind the Hessian. */
  samples: number;
  /** Descending eigenvalues. */
  eigenvalues: number[];
  /** Lanczos residual estimates ‖Hv − λv‖. */
  residuals: number[];
  /** Whether every pair met the tolerance. */
  converged: boolean;
  /** HVPs of the solve. */
  hvpCount: number;
  /** Restart cycles. */
  restarts: number;
  /** Tolerance used. */
  tol: number;
  /** Wall-clock seconds of the solve. */
  seconds: number;
  /** The step whose eigenvectors started the solve (`warmStart`), or null for a cold start. */
  warmStartStep?: number | null;
  /** The explicit residual check of the solve (`warmStart`), its HVPs included in hvpCount. */
  verification?: ResidualVerification;
  /** What the block solver's warm start did (`warmStart` with `eigensolver: "block"`). */
  warmStartReport?: WarmStartReport;
  /** Size and SHA-256 of the `.bin` (absent in caches written before checksums). */
  bin?: Digest;
}

/**
 * A cached eigen-decomposition: metadata and float32 eigenvectors.
 *
 * @example
 * ```ts
 * import { type EigenCache, loadEigenCache } from "./analyze.ts";
 * const cache: EigenCache | null = await loadEigenCache("runs/x/analysis/ID", 0, "actor", "precise");
 * ```
 */
export interface EigenCache {
  /** Metadata. */
  info: EigenCacheInfo;
  /** k eigenvectors of length n (views into one float32 buffer). */
  eigenvectors: Float32Array[];
}

interface StepRecord {
  format: "pgsubspace-analysis-step/1";
  step: number;
  data: Record<string, unknown>;
  networks: Record<string, {
    n: number;
    preciseGradientNorm: number;
    preciseLoss: number;
    miniBatchGradientNorms: number[];
    skippedZeroGradients: number;
  }>;
  rows: ResultRow[];
  seconds: number;
}

interface RunJson {
  algo: string;
  envId: string;
  /** Environment options of the run (absent in runs made before they were recorded). */
  envOptions?: Record<string, unknown>;
  seed: number;
}

const HESSIAN_ESTIMATORS: readonly DataEstimator[] = ["precise", "minibatch"];

/**
 * The analysis id of a set of settings: readable parts plus a hash of all of them, e.g.
 * `ppo-n1000000-k100-tol0.0001-s0-3f2a9c1e`.
 *
 * @example
 * ```ts
 * import { analysisIdOf } from "./analyze.ts";
 * const id = await analysisIdOf({
 *   algo: "ppo", preciseSamples: 1_000_000, ks: [1, 2, 5, 10, 20, 50, 100], tol: 1e-4,
 *   maxIter: 500, ncv: null, seed: 0, quirks: {},
 * });
 * ```
 */
export async function analysisIdOf(settings: AnalysisSettings): Promise<string> {
  const canonical = JSON.stringify({
    algo: settings.algo,
    preciseSamples: settings.preciseSamples,
    ks: settings.ks,
    tol: settings.tol,
    maxIter: settings.maxIter,
    ncv: settings.ncv,
    seed: settings.seed,
    ...(settings.networks ? { networks: settings.networks } : {}),
    ...(settings.blockSize ? { blockSize: settings.blockSize } : {}),
    quirks: Object.fromEntries(
      Object.entries(settings.quirks).filter(([, v]) => v === true).sort(([a], [b]) =>
        a < b ? -1 : 1
      ),
    ),
  });
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)),
  );
  const hash = Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  const quirks = Object.entries(settings.quirks).filter(([, v]) => v === true).map(([k]) => k);
  const kmax = Math.max(...settings.ks);
  return [
    settings.algo,
    `n${settings.preciseSamples}`,
    `k${kmax}`,
    `tol${settings.tol}`,
    `s${settings.seed}`,
    ...(settings.networks ? settings.networks : []),
    ...(quirks.length > 0 ? ["quirks"] : []),
    hash,
  ].join("-");
}

/**
 * Steps chosen like the paper's analysis script: the checkpoints ≥ `first`, keeping a step only
 * when it is at least `minInterval` after the last kept one.
 *
 * @example
 * ```ts
 * import { selectAnalysisSteps } from "./analyze.ts";
 * selectAnalysisSteps([0, 10_000, 50_000, 100_000, 150_000, 200_000], 100_000); // [0, 100000, 200000]
 * ```
 */
export function selectAnalysisSteps(
  checkpoints: readonly number[],
  minInterval: number,
  first = 0,
): number[] {
  const out: number[] = [];
  for (const s of [...checkpoints].sort((a, b) => a - b)) {
    if (s < first) continue;
    if (out.length === 0 || s - out[out.length - 1] >= minInterval) out.push(s);
  }
  return out;
}

function stepName(step: number): string {
  return checkpointDirName(step);
}

function eigenBase(dir: string, step: number, network: string, estimator: string): string {
  return `${dir}/eigen/${stepName(step)}_${network}_${estimator}`;
}

/**
 * Reads a cached eigen-decomposition, or null when it is not (completely) there.
 *
 * @example
 * ```ts
 * import { loadEigenCache } from "./analyze.ts";
 * const cache = await loadEigenCache("runs/x/analysis/ppo-n1000000-k100-tol0.0001-s0-3f2a9c1e", 100_000, "critic", "precise");
 * cache?.info.eigenvalues.slice(0, 5);
 * ```
 */
export async function loadEigenCache(
  analysisDir: string,
  step: number,
  network: NetworkName,
  estimator: DataEstimator,
): Promise<EigenCache | null> {
  const base = eigenBase(analysisDir, step, network, estimator);
  if (!(await exists(`${base}.json`)) || !(await exists(`${base}.bin`))) return null;
  const fix = `delete ${base}.json and ${base}.bin to recompute them`;
  const info = await readSealedJson<EigenCacheInfo>(`${base}.json`, {
    fix,
    onUnverified: noteUnverified,
  });
  const bytes = await Deno.readFile(`${base}.bin`);
  if (info.bin) await verifyDigest(`${base}.bin`, bytes, info.bin, fix);
  if (info.format !== "pgsubspace-eigen/1" || bytes.length !== 4 * info.k * info.n) {
    throw new DataIntegrityError(
      `${base}.bin`,
      bytes.length < 4 * info.k * info.n ? "truncated" : "corrupt",
      `expected ${info.k}×${info.n} float32 = ${4 * info.k * info.n} bytes, found ${bytes.length}`,
      fix,
    );
  }
  const all = new Float32Array(info.k * info.n);
  new Uint8Array(all.buffer).set(bytes);
  if (!littleEndian()) byteSwap32(all);
  const eigenvectors: Float32Array[] = [];
  for (let i = 0; i < info.k; i++) eigenvectors.push(all.subarray(i * info.n, (i + 1) * info.n));
  return { info, eigenvectors };
}

/**
 * The cached eigenpairs of the latest step before `step` (among `steps`) for this network and
 * estimator: the warm start of a solve at `step`. Null when there is none.
 */
async function previousEigenCache(
  analysisDir: string,
  steps: readonly number[],
  step: number,
  network: NetworkName,
  estimator: DataEstimator,
): Promise<EigenCache | null> {
  const earlier = steps.filter((s) => s < step).sort((a, b) => b - a);
  for (const s of earlier) {
    const cache = await loadEigenCache(analysisDir, s, network, estimator);
    if (cache) return cache;
  }
  return null;
}

async function saveEigenCache(
  analysisDir: string,
  info: EigenCacheInfo,
  vectors: readonly Float64Array[],
): Promise<EigenCache> {
  const base = eigenBase(analysisDir, info.step, info.network, info.estimator);
  const all = new Float32Array(info.k * info.n);
  vectors.forEach((v, i) => all.set(v, i * info.n));
  const stored = all.slice();
  if (!littleEndian()) byteSwap32(stored);
  const bytes = new Uint8Array(stored.buffer);
  // The bin first: the JSON's presence marks a complete cache entry.
  await writeFileAtomic(`${base}.bin`, bytes);
  await writeSealedJson(`${base}.json`, { ...info, bin: await digestOf(bytes) });
  const eigenvectors: Float32Array[] = [];
  for (let i = 0; i < info.k; i++) eigenvectors.push(all.subarray(i * info.n, (i + 1) * info.n));
  return { info, eigenvectors };
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function byteSwap32(a: Float32Array): void {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < b.length; i += 4) {
    [b[i], b[i + 1], b[i + 2], b[i + 3]] = [b[i + 3], b[i + 2], b[i + 1], b[i]];
  }
}

function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

function resolveSettings(algorithm: AnalysisAlgorithm, o: AnalyzeOptions): AnalysisSettings {
  const algo = algorithm.algo;
  const ks = [...new Set(o.ks ?? SUBSPACE_DIMENSIONS)].sort((a, b) => a - b);
  if (ks.length === 0 || ks.some((k) => !Number.isSafeInteger(k) || k < 1)) {
    throw new RangeError(`analyzeRun: ks must be positive integers, got [${o.ks}]`);
  }
  const preciseSamples = o.preciseSamples ?? 1_000_000;
  if (!Number.isSafeInteger(preciseSamples) || preciseSamples < 2) {
    throw new RangeError(
      `analyzeRun: preciseSamples must be an integer ≥ 2, got ${preciseSamples}`,
    );
  }
  const tol = o.tol ?? 1e-4;
  if (!(tol > 0 && tol < 1)) throw new RangeError(`analyzeRun: tol must be in (0, 1), got ${tol}`);
  const maxIter = o.maxIter ?? 500;
  if (!Number.isSafeInteger(maxIter) || maxIter < 1) {
    throw new RangeError(`analyzeRun: maxIter must be a positive integer, got ${maxIter}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`analyzeRun: seed must be a non-negative integer, got ${seed}`);
  }
  const quirks: EstimatorQuirks = {};
  for (const [k, v] of Object.entries(o.quirks ?? {})) {
    if (k !== "ppoMiniBatchDefaultGae" && k !== "sacActorDetachQ") {
      throw new RangeError(
        `analyzeRun: unknown quirk "${k}" (known: ppoMiniBatchDefaultGae, sacActorDetachQ)`,
      );
    }
    if (v === true) quirks[k] = true;
  }
  let networks: NetworkName[] | null = null;
  if (o.networks !== undefined) {
    const known = algorithm.networks;
    if (o.networks.length === 0 || o.networks.some((n) => !known.includes(n))) {
      throw new RangeError(
        `analyzeRun: networks must be a non-empty subset of [${known}], got [${o.networks}]`,
      );
    }
    networks = known.filter((n) => o.networks!.includes(n));
    if (networks.length === known.length) networks = null;
  }
  const eigensolver = o.eigensolver ?? "lanczos";
  if (eigensolver !== "lanczos" && eigensolver !== "block") {
    throw new RangeError(
      `analyzeRun: eigensolver must be "lanczos" or "block", got "${eigensolver}"`,
    );
  }
  let blockSize: number | null = null;
  if (eigensolver === "block") {
    blockSize = o.blockSize ?? 16;
    if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
      throw new RangeError(`analyzeRun: blockSize must be a positive integer, got ${blockSize}`);
    }
  }
  return {
    algo,
    preciseSamples,
    ks,
    tol,
    maxIter,
    ncv: o.ncv ?? null,
    seed,
    quirks,
    networks,
    blockSize,
  };
}

/**
 * Analyses the checkpoints of a run (see the module doc for what is computed and written).
 * Resumable, and usable from a notebook: it returns the rows and never exits the process.
 *
 * @example
 * ```ts
 * import { analyzeRun } from "./analyze.ts";
 * const { results, overlaps } = await analyzeRun({
 *   runDir: "runs/ppo-pendulum-0", preciseSamples: 100_000, ks: [1, 10, 50], tol: 1e-3,
 *   onProgress: (p) => console.log(p.phase, p.step, p.hvps),
 * });
 * results.filter((r) => r.k === 50 && r.estimator === "precise/precise");
 * ```
 */
export async function analyzeRun(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const runDir = options.runDir.replace(/\/+$/, "");
  if (!(await exists(`${runDir}/run.json`))) {
    throw new Error(`${runDir} is not a run directory (no run.json); pass --run runs/<name>`);
  }
  const run = await readJson<RunJson>(`${runDir}/run.json`);
  const algorithm = analysisAlgorithmOf(run.algo);
  const settings = resolveSettings(algorithm, options);
  await prepareEnv(run.envId);
  const networks = settings.networks ?? algorithm.networks;
  const kmax = Math.max(...settings.ks);
  const chunkSize = options.chunkSize ?? 8192;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`analyzeRun: chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const onNotConverged = options.onNotConverged ?? "warn";
  const engine = options.engine ?? "auto";
  if (!HVP_ENGINES.includes(engine)) {
    throw new RangeError(`analyzeRun: engine must be ${HVP_ENGINES.join(", ")}, got "${engine}"`);
  }
  const hessianOptions: HessianOperatorOptions = {
    engine,
    fast: { threads: options.engineThreads ?? "auto" },
  };
  const runtime = await initRuntime(options.backend ? { backend: options.backend } : {});

  const checkpoints = await listCheckpoints(runDir);
  const wanted = options.steps === undefined || options.steps === "all"
    ? checkpoints
    : [...new Set(options.steps)].sort((a, b) => a - b);
  for (const s of wanted) {
    if (!checkpoints.includes(s)) {
      throw new Error(
        `No checkpoint at step ${s} in ${runDir}; available: ${checkpoints.join(", ") || "none"}`,
      );
    }
  }
  if (wanted.length === 0) throw new Error(`${runDir} has no checkpoints to analyse`);
  const spectrumSteps = options.spectrumSteps === undefined
    ? []
    : options.spectrumSteps === "last"
    ? [wanted[wanted.length - 1]]
    : options.spectrumSteps;
  for (const s of spectrumSteps) {
    if (!wanted.includes(s)) {
      throw new Error(`spectrumSteps: step ${s} is not among the analysed steps [${wanted}]`);
    }
  }

  const analysisId = await analysisIdOf(settings);
  const dir = `${runDir}/analysis/${analysisId}`;
  for (const sub of ["eigen", "steps", "spectrum"]) {
    await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  }
  const manifest = `${dir}/analysis.json`;
  if (!(await exists(manifest))) {
    await writeJsonAtomic(manifest, {
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
  }
  const estimatorSettings: EstimatorSettings = {
    preciseSamples: settings.preciseSamples,
    chunkSize,
    seed: settings.seed,
    quirks: settings.quirks,
  };

  // ---- Plan: which steps need data, and how many solves that is.
  const stepFile = (s: number) => `${dir}/steps/${stepName(s)}.json`;
  const spectrumFile = (s: number, net: string) => `${dir}/spectrum/${stepName(s)}_${net}.json`;
  const todo: { step: number; analyse: boolean; spectra: NetworkName[] }[] = [];
  let solvesTotal = 0;
  for (const s of wanted) {
    // A finished step whose eigen cache was deleted (to recompute it) is analysed again.
    let cachesComplete = true;
    for (const net of networks) {
      for (const e of HESSIAN_ESTIMATORS) {
        const base = eigenBase(dir, s, net, e);
        if (!(await exists(`${base}.json`)) || !(await exists(`${base}.bin`))) {
          cachesComplete = false;
        }
      }
    }
    const analyse = !cachesComplete || !(await exists(stepFile(s)));
    const spectra: NetworkName[] = [];
    if (spectrumSteps.includes(s)) {
      for (const net of networks) {
        if (!(await exists(spectrumFile(s, net)))) spectra.push(net);
      }
    }
    if (!analyse && spectra.length === 0) continue;
    todo.push({ step: s, analyse, spectra });
    if (analyse) {
      for (const net of networks) {
        for (const e of HESSIAN_ESTIMATORS) {
          if (!(await exists(`${eigenBase(dir, s, net, e)}.json`))) solvesTotal++;
        }
      }
    }
    solvesTotal += spectra.length;
  }

  let solvesDone = 0, hvpsTotal = 0, solveSeconds = 0;
  const report = (p: Partial<AnalyzeProgress> & Pick<AnalyzeProgress, "phase">) => {
    if (!options.onProgress) return;
    const elapsed = (performance.now() - t0) / 1000;
    const eta = solvesDone > 0
      ? (solveSeconds / solvesDone) * (solvesTotal - solvesDone)
      : Infinity;
    options.onProgress({
      step: null,
      network: null,
      estimator: null,
      hvps: 0,
      converged: 0,
      wanted: 0,
      ...p,
      solvesDone,
      solvesTotal,
      hvpsTotal,
      elapsedSeconds: elapsed,
      etaSeconds: p.phase === "done" ? 0 : eta,
    });
  };

  const computedSteps: number[] = [];
  const spectra: Record<string, HessianSpectrum> = {};
  for (const item of todo) {
    const { step } = item;
    const tStep = performance.now();
    report({ phase: "data", step });
    const state = await loadCheckpointState(runDir, step);
    const problem: CheckpointProblem = await algorithm.prepare({
      state,
      envId: run.envId,
      envOptions: run.envOptions ?? {},
      step,
      settings: estimatorSettings,
    });
    try {
      const record: StepRecord = {
        format: "pgsubspace-analysis-step/1",
        step,
        data: problem.describe(),
        networks: {},
        rows: [],
        seconds: 0,
      };
      for (const network of problem.networks.filter((n) => networks.includes(n))) {
        const n = problem.parameterCount(network);
        const caches = new Map<DataEstimator, EigenCache>();
        let preciseGradient: Float64Array | null = null;
        let preciseLoss = NaN;
        if (item.analyse) {
          for (const estimator of HESSIAN_ESTIMATORS) {
            const cached = await loadEigenCache(dir, step, network, estimator);
            const needGradient = estimator === "precise";
            if (cached && !needGradient) {
              caches.set(estimator, cached);
              continue;
            }
            const loss = problem.loss(network, estimator);
            const op = makeHessianOperator(loss, hessianOptions);
            try {
              if (cached) {
                caches.set(estimator, cached);
              } else {
                const tSolve = performance.now();
                const k = Math.min(kmax, n);
                const warm = options.warmStart
                  ? await previousEigenCache(dir, wanted, step, network, estimator)
                  : null;
                const solverOptions = {
                  k,
                  tol: settings.tol,
                  maxIter: settings.maxIter,
                  seed: new Rng(
                    settings.seed,
                    4 * step + 2 * networkIndex(network) +
                      (estimator === "precise" ? 0 : 1),
                  ).seed(),
                  onNotConverged,
                  // Both engines compute products in float32: residuals at that noise floor pass.
                  ...(options.warmStart
                    ? { verify: true, operatorPrecision: FLOAT32_ROUNDOFF }
                    : {}),
                  ...(warm ? { initialVectors: warm.eigenvectors } : {}),
                  onProgress: (p: { hvpCount: number; converged: number; wanted: number }) =>
                    report({
                      phase: "hessian",
                      step,
                      network,
                      estimator,
                      hvps: p.hvpCount,
                      converged: p.converged,
                      wanted: p.wanted,
                    }),
                };
                // The block solver passes the data once per block of vectors (block HVPs).
                const lanczos = settings.blockSize
                  ? await blockLanczosTopK(op.asBlockOperator(), n, {
                    ...solverOptions,
                    blockSize: settings.blockSize,
                  })
                  : await lanczosTopK(op.asOperator(), n, {
                    ...solverOptions,
                    ncv: settings.ncv ?? undefined,
                  });
                const seconds = (performance.now() - tSolve) / 1000;
                hvpsTotal += lanczos.hvpCount;
                solveSeconds += seconds;
                solvesDone++;
                caches.set(
                  estimator,
                  await saveEigenCache(dir, {
                    format: "pgsubspace-eigen/1",
                    step,
                    network,
                    estimator,
                    n,
                    k,
                    samples: problem.sampleCount(estimator),
                    eigenvalues: Array.from(lanczos.eigenvalues),
                    residuals: Array.from(lanczos.residuals),
                    converged: lanczos.converged,
                    hvpCount: lanczos.hvpCount,
                    restarts: lanczos.restarts,
                    tol: settings.tol,
                    seconds,
                    ...(options.warmStart
                      ? {
                        warmStartStep: warm?.info.step ?? null,
                        verification: lanczos.verification,
                        ...("warmStart" in lanczos && lanczos.warmStart
                          ? { warmStartReport: lanczos.warmStart as WarmStartReport }
                          : {}),
                      }
                      : {}),
                  }, lanczos.eigenvectors),
                );
              }
              if (needGradient) {
                report({ phase: "gradients", step, network, estimator });
                const vg = await op.valueAndGradient();
                preciseGradient = vg.gradient;
                preciseLoss = vg.value;
              }
            } finally {
              op.dispose();
              loss.dispose();
            }
          }
          // Mini-batch gradients.
          report({ phase: "gradients", step, network, estimator: "minibatch" });
          const miniBatchGradients: Float64Array[] = [];
          const miniBatchNorms: number[] = [];
          for (let i = 0; i < problem.miniBatchCount; i++) {
            const loss = problem.miniBatchLoss(network, i);
            const op = makeHessianOperator(loss, hessianOptions);
            try {
              const g = await op.gradient();
              miniBatchNorms.push(norm(g));
              if (norm(g) > 0) miniBatchGradients.push(g);
            } finally {
              op.dispose();
              loss.dispose();
            }
          }
          if (miniBatchGradients.length === 0) {
            throw new Error(
              `Step ${step}, ${network}: every mini-batch gradient is zero, S_frac is undefined`,
            );
          }
          const g = preciseGradient!;
          if (!(norm(g) > 0)) {
            throw new Error(`Step ${step}, ${network}: the precise gradient is zero`);
          }
          const ks = settings.ks.map((k) => Math.min(k, n));
          for (const combo of ESTIMATOR_COMBINATIONS) {
            const vectors = caches.get(combo.hessian)!.eigenvectors;
            const gradients = combo.gradient === "precise" ? [g] : miniBatchGradients;
            const sums = new Float64Array(ks.length);
            for (const grad of gradients) {
              const f = gradientSubspaceFractions(vectors, grad, ks);
              for (let j = 0; j < ks.length; j++) sums[j] += f[j];
            }
            settings.ks.forEach((k, j) => {
              record.rows.push({
                task: run.envId,
                algo: run.algo,
                seed: run.seed,
                step,
                network,
                estimator: combo.key,
                k,
                value: sums[j] / gradients.length,
                n,
              });
            });
          }
          record.networks[network] = {
            n,
            preciseGradientNorm: norm(g),
            preciseLoss,
            miniBatchGradientNorms: miniBatchNorms,
            skippedZeroGradients: miniBatchNorms.length - miniBatchGradients.length,
          };
        }
        if (item.spectra.includes(network)) {
          const tSolve = performance.now();
          const loss = problem.loss(network, "precise");
          const op = makeHessianOperator(loss, hessianOptions);
          try {
            const spectrum = await hessianSpectrum(op.asOperator(), n, {
              method: options.spectrumMethod ?? "auto",
              seed: settings.seed,
              onProgress: (done) =>
                report({ phase: "spectrum", step, network, estimator: "precise", hvps: done }),
            });
            hvpsTotal += spectrum.hvpCount;
            solveSeconds += (performance.now() - tSolve) / 1000;
            solvesDone++;
            spectra[`${step}/${network}`] = spectrum;
            await writeSealedJson(
              spectrumFile(step, network),
              spectrumToJson(spectrum, {
                step,
                network,
                samples: problem.sampleCount("precise"),
                seconds: (performance.now() - tSolve) / 1000,
              }),
            );
          } finally {
            op.dispose();
            loss.dispose();
          }
        }
      }
      if (item.analyse) {
        record.seconds = (performance.now() - tStep) / 1000;
        await writeSealedJson(stepFile(step), record);
        computedSteps.push(step);
        await writeResults(dir);
      }
    } finally {
      problem.dispose();
    }
  }

  // ---- Results and overlaps over every finished step of this analysis.
  const { rows: results, steps } = await writeResults(dir);
  report({ phase: "overlaps" });
  const overlaps = await computeOverlaps(dir, run, networks, steps, settings.ks, options);
  await writeFileAtomic(
    `${dir}/overlaps.jsonl`,
    overlaps.map((r) => JSON.stringify(r) + "\n").join(""),
  );
  for (const s of spectrumSteps) {
    for (const net of networks) {
      const key = `${s}/${net}`;
      if (!spectra[key] && (await exists(spectrumFile(s, net)))) {
        spectra[key] = spectrumFromJson(await readSealedJson(spectrumFile(s, net)));
      }
    }
  }
  report({ phase: "done" });
  return {
    analysisId,
    analysisDir: dir,
    results,
    overlaps,
    steps,
    computedSteps,
    spectra,
    hvpCount: hvpsTotal,
    seconds: (performance.now() - t0) / 1000,
  };
}

function networkIndex(network: NetworkName): number {
  return network === "actor" ? 0 : 1;
}

/** Rewrites results.jsonl from the finished step records; returns rows and steps. */
async function writeResults(dir: string): Promise<{ rows: ResultRow[]; steps: number[] }> {
  const steps: number[] = [];
  for await (const e of Deno.readDir(`${dir}/steps`)) {
    const m = /^step_(\d+)\.json$/.exec(e.name);
    if (e.isFile && m) steps.push(Number(m[1]));
  }
  steps.sort((a, b) => a - b);
  const rows: ResultRow[] = [];
  for (const s of steps) {
    rows.push(...(await readSealedJson<StepRecord>(`${dir}/steps/${stepName(s)}.json`)).rows);
  }
  await writeFileAtomic(`${dir}/results.jsonl`, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  return { rows, steps };
}

async function computeOverlaps(
  dir: string,
  run: RunJson,
  networks: readonly NetworkName[],
  steps: number[],
  ks: number[],
  options: AnalyzeOptions,
): Promise<OverlapRow[]> {
  const t1s = options.overlapT1 === undefined || options.overlapT1 === "all"
    ? steps
    : options.overlapT1.filter((t) => steps.includes(t));
  const rows: OverlapRow[] = [];
  for (const network of networks) {
    const bases = new Map<number, Float32Array[]>();
    for (const s of steps) {
      const cache = await loadEigenCache(dir, s, network, "precise");
      if (cache) bases.set(s, cache.eigenvectors);
    }
    for (const t1 of t1s) {
      const v1 = bases.get(t1);
      if (!v1) continue;
      for (const t2 of steps) {
        const v2 = bases.get(t2);
        if (t2 <= t1 || !v2) continue;
        const usable = ks.filter((k) => k <= Math.min(v1.length, v2.length));
        if (usable.length === 0) continue;
        const values = subspaceOverlaps(v1, v2, usable);
        usable.forEach((k, j) =>
          rows.push({
            task: run.envId,
            algo: run.algo,
            seed: run.seed,
            network,
            t1,
            t2,
            k,
            value: values[j],
          })
        );
      }
    }
  }
  return rows;
}

function spectrumToJson(
  s: HessianSpectrum,
  meta: { step: number; network: NetworkName; samples: number; seconds: number },
): Record<string, unknown> {
  const base = {
    format: "pgsubspace-spectrum/1",
    ...meta,
    kind: s.kind,
    n: s.n,
    hvpCount: s.hvpCount,
  };
  if (s.kind === "explicit") {
    return { ...base, asymmetry: s.asymmetry, eigenvalues: Array.from(s.eigenvalues) };
  }
  return {
    ...base,
    nodes: s.slq.nodes.map((x) => Array.from(x)),
    weights: s.slq.weights.map((x) => Array.from(x)),
  };
}

function spectrumFromJson(j: Record<string, unknown>): HessianSpectrum {
  const n = j.n as number, hvpCount = j.hvpCount as number;
  if (j.kind === "explicit") {
    return {
      kind: "explicit",
      n,
      hvpCount,
      asymmetry: j.asymmetry as number,
      eigenvalues: Float64Array.from(j.eigenvalues as number[]),
    };
  }
  const nodes = (j.nodes as number[][]).map((x) => Float64Array.from(x));
  const weights = (j.weights as number[][]).map((x) => Float64Array.from(x));
  return { kind: "slq", n, hvpCount, slq: { n, nodes, weights, hvpCount } };
}

/**
 * Reads the rows of a finished (or partial) analysis without computing anything.
 *
 * @example
 * ```ts
 * import { readAnalysis } from "./analyze.ts";
 * const { results, overlaps } = await readAnalysis("runs/x/analysis/ppo-n1000000-k100-tol0.0001-s0-3f2a9c1e");
 * ```
 */
export async function readAnalysis(
  analysisDir: string,
): Promise<{ results: ResultRow[]; overlaps: OverlapRow[] }> {
  const results = (await exists(`${analysisDir}/results.jsonl`))
    ? await readJsonl<ResultRow>(`${analysisDir}/results.jsonl`)
    : [];
  const overlaps = (await exists(`${analysisDir}/overlaps.jsonl`))
    ? await readJsonl<OverlapRow>(`${analysisDir}/overlaps.jsonl`)
    : [];
  return { results, overlaps };
}

/**
 * One progress line for {@linkcode AnalyzeProgress}, e.g.
 * `[######..........] 3/8 solves  step 50000 actor precise: 412 HVPs, 37/100 converged  ETA 1:02:03`.
 *
 * @example
 * ```ts
 * import { formatAnalyzeProgress } from "./analyze.ts";
 * formatAnalyzeProgress({
 *   phase: "hessian", step: 0, network: "actor", estimator: "precise", solvesDone: 1, solvesTotal: 4,
 *   hvps: 120, hvpsTotal: 400, converged: 3, wanted: 10, elapsedSeconds: 60, etaSeconds: 180,
 * });
 * ```
 */
export function formatAnalyzeProgress(p: AnalyzeProgress, width = 16): string {
  const frac = p.solvesTotal > 0 ? Math.min(1, p.solvesDone / p.solvesTotal) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  let what = p.phase as string;
  if (p.step !== null) what = `step ${p.step}`;
  if (p.network) what += ` ${p.network}`;
  if (p.estimator) what += ` ${p.estimator}`;
  let detail = "";
  if (p.phase === "hessian") detail = `: ${p.hvps} HVPs, ${p.converged}/${p.wanted} converged`;
  else if (p.phase === "spectrum") detail = `: spectrum, ${p.hvps} HVPs`;
  else if (p.phase !== "done") detail = `: ${p.phase}`;
  return `${bar} ${p.solvesDone}/${p.solvesTotal} solves  ${what}${detail}  ` +
    `${p.hvpsTotal} HVPs total  elapsed ${formatDuration(p.elapsedSeconds)}  ETA ${
      formatDuration(p.etaSeconds)
    }`;
}
