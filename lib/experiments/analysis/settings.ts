/**
 * The settings of an analysis: the options {@linkcode AnalyzeOptions} a caller passes, the
 * {@linkcode AnalysisSettings} they resolve to (everything that changes the numbers), and the
 * analysis id that names them on disk, so that different settings never mix.
 *
 * @module
 */
import type { BackendChoice } from "../../runtime/mod.ts";
import {
  type AnalysisAlgorithm,
  type EstimatorQuirks,
  type HvpEngine,
  type NetworkName,
  SUBSPACE_DIMENSIONS,
} from "../../subspaces/mod.ts";
import type { AnalyzeProgress } from "./progress.ts";

/**
 * Options of {@linkcode analyzeRun}.
 *
 * @example
 * ```ts
 * import type { AnalyzeOptions } from "./settings.ts";
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
   * (its residuals recomputed with k extra HVPs; a pair above tol is an error). Same tolerance,
   * same answer; the cost and the start step are recorded in the eigen cache. Default false.
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
 * Settings that define an analysis (everything that changes its numbers).
 *
 * @example
 * ```ts
 * import type { AnalysisSettings } from "./settings.ts";
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
 * The analysis id of a set of settings: readable parts plus a hash of all of them, e.g.
 * `ppo-n1000000-k100-tol0.0001-s0-3f2a9c1e`.
 *
 * @example
 * ```ts
 * import { analysisIdOf } from "./settings.ts";
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
 * import { selectAnalysisSteps } from "./settings.ts";
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

/**
 * Validates options and resolves their defaults into the settings of an analysis.
 *
 * @throws RangeError naming the bad option and what it accepts.
 *
 * @example
 * ```ts
 * import { resolveSettings } from "./settings.ts";
 * import { ppoAnalysis } from "../../subspaces/mod.ts";
 * resolveSettings(ppoAnalysis, { runDir: "runs/x", ks: [10, 1] }).ks; // [1, 10]
 * ```
 */
export function resolveSettings(algorithm: AnalysisAlgorithm, o: AnalyzeOptions): AnalysisSettings {
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
