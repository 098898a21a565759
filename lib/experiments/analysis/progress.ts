/**
 * Progress of an analysis: the snapshot {@linkcode AnalyzeProgress} passed to `onProgress`, the
 * tracker that keeps its counters and ETA, and the one-line format of the CLI.
 *
 * @module
 */
import type { DataEstimator, NetworkName } from "../../subspaces/mod.ts";
import { formatDuration } from "../progress.ts";

/**
 * A progress snapshot of {@linkcode analyzeRun}.
 *
 * @example
 * ```ts
 * import { type AnalyzeProgress, formatAnalyzeProgress } from "./progress.ts";
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
 * Counts the solves and HVPs of one {@linkcode analyzeRun} call and turns partial reports into
 * full {@linkcode AnalyzeProgress} snapshots (the ETA from the mean time per finished solve).
 *
 * @example
 * ```ts
 * import { AnalyzeProgressTracker } from "./progress.ts";
 * const tracker = new AnalyzeProgressTracker(4, (p) => console.log(p.phase, p.etaSeconds));
 * tracker.solved(120, 2.5);
 * tracker.report({ phase: "gradients", step: 0 });
 * ```
 */
export class AnalyzeProgressTracker {
  /** Solves (eigen + spectra) finished. */
  solvesDone = 0;
  /** HVPs of the finished solves. */
  hvpsTotal = 0;
  #solveSeconds = 0;

  /**
   * @param solvesTotal solves planned.
   * @param onProgress where snapshots go (none: reports are dropped).
   * @param startedAt `performance.now()` when the call started (elapsed time counts from it).
   */
  constructor(
    readonly solvesTotal: number,
    readonly onProgress?: (progress: AnalyzeProgress) => void,
    readonly startedAt: number = performance.now(),
  ) {}

  /** Records a finished solve. */
  solved(hvps: number, seconds: number): void {
    this.hvpsTotal += hvps;
    this.#solveSeconds += seconds;
    this.solvesDone++;
  }

  /** Sends a snapshot: `p` plus the counters (fields `p` omits are null or 0). */
  report(p: Partial<AnalyzeProgress> & Pick<AnalyzeProgress, "phase">): void {
    if (!this.onProgress) return;
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const eta = this.solvesDone > 0
      ? (this.#solveSeconds / this.solvesDone) * (this.solvesTotal - this.solvesDone)
      : Infinity;
    this.onProgress({
      step: null,
      network: null,
      estimator: null,
      hvps: 0,
      converged: 0,
      wanted: 0,
      ...p,
      solvesDone: this.solvesDone,
      solvesTotal: this.solvesTotal,
      hvpsTotal: this.hvpsTotal,
      elapsedSeconds: elapsed,
      etaSeconds: p.phase === "done" ? 0 : eta,
    });
  }
}

/**
 * One progress line for {@linkcode AnalyzeProgress}, e.g.
 * `[######..........] 3/8 solves  step 50000 actor precise: 412 HVPs, 37/100 converged  ETA 1:02:03`.
 *
 * @example
 * ```ts
 * import { formatAnalyzeProgress } from "./progress.ts";
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
