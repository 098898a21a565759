/**
 * The files of an analysis, under `<run>/analysis/<analysisId>/` (every one written atomically):
 *
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
 * @module
 */
import {
  type DataEstimator,
  type EigenSolve,
  type EigenSolveFacts,
  type HessianSpectrum,
  type NetworkName,
  type ResidualVerification,
  type SpectrumMeasurement,
} from "../../subspaces/mod.ts";
import { exists, readJsonl, writeFileAtomic, writeJsonAtomic } from "../../io/files.ts";
import {
  DataIntegrityError,
  type Digest,
  digestOf,
  noteUnverified,
  readSealedJson,
  verifyDigest,
  writeSealedJson,
} from "../../io/checksum.ts";
import { checkpointDirName } from "../train.ts";

/**
 * One S_frac value.
 *
 * @example
 * ```ts
 * import type { ResultRow } from "./store.ts";
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
 * import type { OverlapRow } from "./store.ts";
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
 * Metadata of one cached eigen-decomposition.
 *
 * @example
 * ```ts
 * import type { EigenCacheInfo } from "./store.ts";
 * const converged = (info: EigenCacheInfo) => info.converged && info.k === info.eigenvalues.length;
 * ```
 */
export interface EigenCacheInfo extends EigenSolveFacts {
  /** Format tag. */
  format: "pgsubspace-eigen/1";
  /** Descending eigenvalues. */
  eigenvalues: number[];
  /** Lanczos residual estimates ‖Hv − λv‖. */
  residuals: number[];
  /** Tolerance used. */
  tol: number;
  /** The step whose eigenvectors started the solve (`warmStart`), or null for a cold start. */
  warmStartStep?: number | null;
  /** The explicit residual check of the solve (`warmStart`), its HVPs included in hvpCount. */
  verification?: ResidualVerification;
  /** Size and SHA-256 of the `.bin` (absent in caches written before checksums). */
  bin?: Digest;
}

/**
 * A cached eigen-decomposition: metadata and float32 eigenvectors.
 *
 * @example
 * ```ts
 * import { type EigenCache, loadEigenCache } from "./store.ts";
 * const cache: EigenCache | null = await loadEigenCache("runs/x/analysis/ID", 0, "actor", "precise");
 * ```
 */
export interface EigenCache {
  /** Metadata. */
  info: EigenCacheInfo;
  /** k eigenvectors of length n (views into one float32 buffer). */
  eigenvectors: Float32Array[];
}

/**
 * A finished step of an analysis (`steps/step_XXXXXXX.json`): its presence marks the step done.
 *
 * @example
 * ```ts
 * import type { StepRecord } from "./store.ts";
 * const norms = (r: StepRecord) => Object.values(r.networks).map((x) => x.preciseGradientNorm);
 * ```
 */
export interface StepRecord {
  /** Format tag. */
  format: "pgsubspace-analysis-step/1";
  /** Checkpoint step. */
  step: number;
  /** The problem's description of its data (sample counts, episodes, settings used). */
  data: Record<string, unknown>;
  /** Gradient facts per network. */
  networks: Record<string, {
    n: number;
    preciseGradientNorm: number;
    preciseLoss: number;
    miniBatchGradientNorms: number[];
    skippedZeroGradients: number;
  }>;
  /** The step's result rows. */
  rows: ResultRow[];
  /** Wall-clock seconds of the step. */
  seconds: number;
}

/**
 * The canonical file name part of a step, `step_XXXXXXX` (as a checkpoint's directory).
 *
 * @example
 * ```ts
 * import { stepName } from "./store.ts";
 * stepName(300); // "step_0000300"
 * ```
 */
export function stepName(step: number): string {
  return checkpointDirName(step);
}

function eigenBase(dir: string, step: number, network: string, estimator: string): string {
  return `${dir}/eigen/${stepName(step)}_${network}_${estimator}`;
}

/**
 * The path of a step record.
 *
 * @example
 * ```ts
 * import { stepRecordPath } from "./store.ts";
 * stepRecordPath("runs/x/analysis/ID", 300); // "runs/x/analysis/ID/steps/step_0000300.json"
 * ```
 */
export function stepRecordPath(analysisDir: string, step: number): string {
  return `${analysisDir}/steps/${stepName(step)}.json`;
}

/**
 * The path of a full-spectrum file.
 *
 * @example
 * ```ts
 * import { spectrumPath } from "./store.ts";
 * spectrumPath("runs/x/analysis/ID", 300, "critic"); // "…/spectrum/step_0000300_critic.json"
 * ```
 */
export function spectrumPath(analysisDir: string, step: number, network: NetworkName): string {
  return `${analysisDir}/spectrum/${stepName(step)}_${network}.json`;
}

/**
 * Creates the folders of an analysis directory (idempotent).
 *
 * @example
 * ```ts
 * import { makeAnalysisDir } from "./store.ts";
 * await makeAnalysisDir(await Deno.makeTempDir());
 * ```
 */
export async function makeAnalysisDir(analysisDir: string): Promise<void> {
  for (const sub of ["eigen", "steps", "spectrum"]) {
    await Deno.mkdir(`${analysisDir}/${sub}`, { recursive: true });
  }
}

/**
 * Writes `analysis.json` unless it is there (the first call's settings and provenance stay).
 *
 * @example
 * ```ts
 * import { writeManifestOnce } from "./store.ts";
 * await writeManifestOnce(await Deno.makeTempDir(), { format: "pgsubspace-analysis/1" });
 * ```
 */
export async function writeManifestOnce(
  analysisDir: string,
  manifest: Record<string, unknown>,
): Promise<void> {
  const path = `${analysisDir}/analysis.json`;
  if (!(await exists(path))) await writeJsonAtomic(path, manifest);
}

/**
 * Which files of an eigen cache entry exist: `json` (the solve finished) and `complete` (JSON and
 * bin: the entry can be read). Nothing is read or verified.
 *
 * @example
 * ```ts
 * import { eigenCacheFiles } from "./store.ts";
 * const { complete } = await eigenCacheFiles("runs/x/analysis/ID", 0, "actor", "precise");
 * ```
 */
export async function eigenCacheFiles(
  analysisDir: string,
  step: number,
  network: NetworkName,
  estimator: DataEstimator,
): Promise<{ json: boolean; complete: boolean }> {
  const base = eigenBase(analysisDir, step, network, estimator);
  const json = await exists(`${base}.json`);
  return { json, complete: json && (await exists(`${base}.bin`)) };
}

/**
 * Reads a cached eigen-decomposition, or null when it is not (completely) there.
 *
 * @throws DataIntegrityError naming the file and the fix when the cache is damaged.
 *
 * @example
 * ```ts
 * import { loadEigenCache } from "./store.ts";
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
 *
 * @example
 * ```ts
 * import { previousEigenCache } from "./store.ts";
 * const warm = await previousEigenCache("runs/x/analysis/ID", [0, 300, 600], 600, "actor", "precise");
 * warm?.info.step; // 300 when step 300's cache is there
 * ```
 */
export async function previousEigenCache(
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

/**
 * The cache entry of an eigensolve: its metadata, and with `warmStart` the step it started from
 * (null for a cold start) and its verification.
 *
 * @example
 * ```ts
 * import { eigenCacheInfoOf } from "./store.ts";
 * import type { EigenSolve } from "../../subspaces/mod.ts";
 * const info = (solve: EigenSolve) => eigenCacheInfoOf(solve, 1e-4);
 * ```
 */
export function eigenCacheInfoOf(
  solve: EigenSolve,
  tol: number,
  warmStart?: { fromStep: number | null },
): EigenCacheInfo {
  return {
    format: "pgsubspace-eigen/1",
    step: solve.step,
    network: solve.network,
    estimator: solve.estimator,
    n: solve.n,
    k: solve.k,
    samples: solve.samples,
    eigenvalues: Array.from(solve.eigenvalues),
    residuals: Array.from(solve.residuals),
    converged: solve.converged,
    hvpCount: solve.hvpCount,
    restarts: solve.restarts,
    tol,
    seconds: solve.seconds,
    ...(warmStart ? { warmStartStep: warmStart.fromStep, verification: solve.verification } : {}),
  };
}

/**
 * Writes an eigen cache entry: the float32 bin first, then the sealed JSON with the bin's digest
 * (the JSON's presence marks a complete entry).
 *
 * @example
 * ```ts
 * import { type EigenCacheInfo, saveEigenCache } from "./store.ts";
 * const save = (dir: string, info: EigenCacheInfo, vectors: Float32Array[]) => saveEigenCache(dir, info, vectors);
 * ```
 */
export async function saveEigenCache(
  analysisDir: string,
  info: EigenCacheInfo,
  vectors: readonly Float32Array[],
): Promise<void> {
  const base = eigenBase(analysisDir, info.step, info.network, info.estimator);
  const stored = new Float32Array(info.k * info.n);
  vectors.forEach((v, i) => stored.set(v, i * info.n));
  if (!littleEndian()) byteSwap32(stored);
  const bytes = new Uint8Array(stored.buffer);
  await writeFileAtomic(`${base}.bin`, bytes);
  await writeSealedJson(`${base}.json`, { ...info, bin: await digestOf(bytes) });
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

/**
 * Writes a step record (sealed): the step is finished.
 *
 * @example
 * ```ts
 * import { type StepRecord, writeStepRecord } from "./store.ts";
 * const done = (dir: string, record: StepRecord) => writeStepRecord(dir, record);
 * ```
 */
export async function writeStepRecord(analysisDir: string, record: StepRecord): Promise<void> {
  await writeSealedJson(stepRecordPath(analysisDir, record.step), record);
}

/**
 * Rewrites `results.jsonl` from the finished step records; returns the rows and the steps.
 *
 * @example
 * ```ts
 * import { writeResults } from "./store.ts";
 * const { rows, steps } = await writeResults("runs/x/analysis/ID");
 * ```
 */
export async function writeResults(
  analysisDir: string,
): Promise<{ rows: ResultRow[]; steps: number[] }> {
  const steps: number[] = [];
  for await (const e of Deno.readDir(`${analysisDir}/steps`)) {
    const m = /^step_(\d+)\.json$/.exec(e.name);
    if (e.isFile && m) steps.push(Number(m[1]));
  }
  steps.sort((a, b) => a - b);
  const rows: ResultRow[] = [];
  for (const s of steps) {
    rows.push(...(await readSealedJson<StepRecord>(stepRecordPath(analysisDir, s))).rows);
  }
  await writeJsonl(`${analysisDir}/results.jsonl`, rows);
  return { rows, steps };
}

/**
 * Writes `overlaps.jsonl`.
 *
 * @example
 * ```ts
 * import { writeOverlaps } from "./store.ts";
 * await writeOverlaps(await Deno.makeTempDir(), []);
 * ```
 */
export async function writeOverlaps(analysisDir: string, rows: OverlapRow[]): Promise<void> {
  await writeJsonl(`${analysisDir}/overlaps.jsonl`, rows);
}

async function writeJsonl(path: string, rows: readonly object[]): Promise<void> {
  await writeFileAtomic(path, rows.map((r) => JSON.stringify(r) + "\n").join(""));
}

/**
 * Writes a full spectrum (sealed JSON: every eigenvalue, or SLQ nodes and weights).
 *
 * @example
 * ```ts
 * import { writeSpectrum } from "./store.ts";
 * import type { SpectrumMeasurement } from "../../subspaces/mod.ts";
 * const save = (dir: string, step: number, m: SpectrumMeasurement) => writeSpectrum(dir, step, m);
 * ```
 */
export async function writeSpectrum(
  analysisDir: string,
  step: number,
  m: SpectrumMeasurement,
): Promise<void> {
  const s = m.spectrum;
  const base = {
    format: "pgsubspace-spectrum/1",
    step,
    network: m.network,
    samples: m.samples,
    seconds: m.seconds,
    kind: s.kind,
    n: s.n,
    hvpCount: s.hvpCount,
  };
  const json = s.kind === "explicit"
    ? { ...base, asymmetry: s.asymmetry, eigenvalues: Array.from(s.eigenvalues) }
    : {
      ...base,
      nodes: s.slq.nodes.map((x) => Array.from(x)),
      weights: s.slq.weights.map((x) => Array.from(x)),
    };
  await writeSealedJson(spectrumPath(analysisDir, step, m.network), json);
}

/**
 * Reads a full spectrum written by {@linkcode writeSpectrum}, or null when there is none.
 *
 * @example
 * ```ts
 * import { readSpectrum } from "./store.ts";
 * const s = await readSpectrum("runs/x/analysis/ID", 600, "critic");
 * ```
 */
export async function readSpectrum(
  analysisDir: string,
  step: number,
  network: NetworkName,
): Promise<HessianSpectrum | null> {
  const path = spectrumPath(analysisDir, step, network);
  if (!(await exists(path))) return null;
  const j = await readSealedJson<Record<string, unknown>>(path);
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
 * import { readAnalysis } from "./store.ts";
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
