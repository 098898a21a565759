/**
 * Progress of a training run shown live: in a notebook one display updated in place (a progress
 * line and a small learning-curve figure), elsewhere a progress line on stderr.
 *
 * @module
 */
import { formatTrainProgress } from "./progress.ts";
import type { TrainProgress } from "./train.ts";
import { type AnalyzeProgress, formatAnalyzeProgress } from "./analyze.ts";
import { learningCurveFigure, LiveDisplay, type PlotlyFigure } from "../plot/mod.ts";

/** Options of {@linkcode liveTrainingProgress}. */
export interface LiveTrainingProgressOptions {
  /** Legend label of the curves, e.g. "PPO Pendulum-v1 seed 0". */
  label: string;
  /** The display to update (default: a new {@linkcode LiveDisplay}). */
  live?: LiveDisplay;
}

/** The callback for `trainRun({ onProgress })` plus a `done()` that sends the final state. */
export interface LiveTrainingProgress {
  /** Pass this as `onProgress`. */
  onProgress: (progress: TrainProgress) => void;
  /** Sends the final line and figure (await it at the end of the cell). */
  done: () => Promise<void>;
  /** The current learning-curve figure (null before the first point). */
  figure: () => PlotlyFigure | null;
}

/**
 * Collects the evaluation and training returns that a run reports and keeps a live display
 * up to date with them.
 *
 * @example
 * ```ts
 * import { liveTrainingProgress } from "./live_progress.ts";
 * import { trainRun } from "./train.ts";
 * const view = liveTrainingProgress({ label: "PPO Pendulum-v1" });
 * await trainRun({ algo: "ppo", envId: "Pendulum-v1", seed: 0, totalSteps: 20_000,
 *   outDir: "runs/nb-demo", onProgress: view.onProgress });
 * await view.done();
 * ```
 */
export function liveTrainingProgress(options: LiveTrainingProgressOptions): LiveTrainingProgress {
  const live = options.live ?? new LiveDisplay();
  const evals = { steps: [] as number[], values: [] as number[] };
  const train = { steps: [] as number[], values: [] as number[] };
  let line = "";
  const figure = (): PlotlyFigure | null => {
    const series = [];
    if (evals.steps.length > 0) {
      series.push({ label: options.label, kind: "eval" as const, seeds: [evals] });
    }
    if (train.steps.length > 0) {
      series.push({ label: options.label, kind: "train" as const, seeds: [train] });
    }
    return series.length > 0 ? learningCurveFigure({ series }) : null;
  };
  return {
    onProgress: (p) => {
      let changed = false;
      if (p.event === "eval" && p.lastEval !== null) {
        evals.steps.push(p.step);
        evals.values.push(p.lastEval);
        changed = true;
      }
      if (p.event === "train" && p.recentReturn !== null) {
        train.steps.push(p.step);
        train.values.push(p.recentReturn);
        changed = true;
      }
      line = formatTrainProgress(p);
      const fig = changed ? figure() : null;
      live.update(line, fig ?? undefined);
    },
    done: () => live.done(line, figure() ?? undefined),
    figure,
  };
}

/**
 * Callbacks for `runReproduction` that keep one notebook display up to date: the current stage
 * (training or analysis of which run) and its progress line.
 *
 * @example
 * ```ts
 * import { liveReproductionProgress } from "./live_progress.ts";
 * import { reproductionPreset, runReproduction } from "./reproduce.ts";
 * const progress = liveReproductionProgress();
 * await runReproduction(reproductionPreset("quick"), { outRoot: "runs/reproduce-quick", ...progress });
 * await progress.done();
 * ```
 */
export function liveReproductionProgress(live: LiveDisplay = new LiveDisplay()): {
  log: (message: string) => void;
  onTrainProgress: (p: TrainProgress) => void;
  onAnalyzeProgress: (p: AnalyzeProgress) => void;
  done: () => Promise<void>;
} {
  let stage = "";
  let line = "";
  const render = () => live.update(`${stage}\n${line}`);
  return {
    log: (message) => {
      if (!message.startsWith(" ")) stage = message;
      line = message.startsWith(" ") ? message.trim() : "";
      render();
    },
    onTrainProgress: (p) => {
      line = formatTrainProgress(p, false);
      render();
    },
    onAnalyzeProgress: (p) => {
      line = formatAnalyzeProgress(p);
      render();
    },
    done: () => live.done(`${stage}\n${line}\nfinished`),
  };
}
