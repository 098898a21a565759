/**
 * The reproduction: train several seeds per algorithm × task, analyse their checkpoints, and
 * write the paper's figures into one standalone HTML report. Every stage reuses what is on disk
 * (training runs resume, analyses skip cached work), so an interrupted reproduction continues
 * where it stopped and a finished one only rebuilds the report.
 *
 * Presets:
 * - `quick`: PPO and SAC with 16×16 networks and few samples, for CI and a first look (a
 *   minute or two);
 * - `pendulum`: PPO with the paper's Pendulum-v1 preset and SAC with 64×64 networks (the paper's
 *   "SAC (PPO network size)" ablation), reduced horizons and sample counts (paper-notes §14);
 *   about 10 minutes on a 2-core CPU;
 * - `paper-pendulum`: §14's suggested settings in full (precise estimates from 10^5 samples,
 *   k up to 100, 300k steps); a few hours on a 2-core CPU.
 *
 * @module
 */
import { trainRun, type TrainRunOptions } from "./train.ts";
import { type AnalyzeOptions, analyzeRun } from "./analyze.ts";
import {
  type AnalysedRun,
  fractionBarsOfRuns,
  fractionOverTimeOfRuns,
  learningCurvesOfRuns,
  loadAnalysedRun,
  overlapOfRuns,
  spectrumFiguresOfRun,
} from "./paper_figures.ts";
import { type PlotlyFigure, type ReportBlock, writeReport } from "../plot/mod.ts";
import type { BackendChoice } from "../runtime/mod.ts";

/** One algorithm × task of a reproduction. */
export interface ReproductionExperiment {
  /** Algorithm. */
  algo: TrainRunOptions["algo"];
  /** Environment id. */
  envId: string;
  /** Training seeds. */
  seeds: number[];
  /** Training steps per seed. */
  totalSteps: number;
  /** Preset field overrides. */
  overrides?: Record<string, unknown>;
  /** Checkpoint (= analysed) steps besides 0 and the last: every N steps. */
  checkpointEvery: number;
  /** Extra checkpoint steps. */
  checkpointExtra: number[];
  /** Evaluation frequency and episodes. */
  evalFreq: number;
  /** Deterministic episodes per evaluation. */
  evalEpisodes: number;
}

/** Settings of a reproduction. */
export interface ReproductionSettings {
  /** Preset name (part of the output directory). */
  name: string;
  /** What is trained. */
  experiments: ReproductionExperiment[];
  /** Analysis settings shared by all runs. */
  analysis: Pick<AnalyzeOptions, "preciseSamples" | "ks" | "tol" | "seed" | "spectrumSteps">;
  /** Subspace dimension of the headline figures (Fig. 2, Fig. 3). */
  k: number;
  /** t1 of the overlap figure (an analysed step of every experiment). */
  t1: number;
  /** Half-width of the return smoothing of the phase split (§4.6: 20k; shorter for short runs). */
  smoothingSteps: number;
}

/** The names of {@linkcode reproductionPreset}. */
export const REPRODUCTION_PRESETS = ["quick", "pendulum", "paper-pendulum"] as const;

/**
 * A named reproduction preset (module doc).
 *
 * @example
 * ```ts
 * import { reproductionPreset } from "./reproduce.ts";
 * const quick = reproductionPreset("quick");
 * quick.experiments[0].seeds; // [0, 1]
 * ```
 */
export function reproductionPreset(
  name: (typeof REPRODUCTION_PRESETS)[number],
): ReproductionSettings {
  switch (name) {
    case "quick":
      // 16×16 networks learn Pendulum within 40k (PPO) and 20k (SAC) steps, enough for the
      // phase split (with ±5k smoothing instead of the paper's ±20k for these short runs);
      // N < 800 keeps full spectra and Lanczos solves to seconds.
      return {
        name,
        experiments: [{
          algo: "ppo",
          envId: "Pendulum-v1",
          seeds: [0, 1],
          totalSteps: 40_960,
          overrides: { net_arch: [16, 16], n_steps: 1024 },
          checkpointEvery: 10_240,
          checkpointExtra: [],
          evalFreq: 10_240,
          evalEpisodes: 3,
        }, {
          algo: "sac",
          envId: "Pendulum-v1",
          seeds: [0, 1],
          totalSteps: 20_480,
          overrides: { net_arch: [16, 16] },
          checkpointEvery: 5_120,
          checkpointExtra: [],
          evalFreq: 5_120,
          evalEpisodes: 3,
        }],
        analysis: {
          preciseSamples: 2_000,
          ks: [1, 5, 10],
          tol: 1e-4,
          seed: 0,
          spectrumSteps: "last",
        },
        k: 10,
        t1: 10_240,
        smoothingSteps: 5_000,
      };
    case "pendulum":
      // PPO with the paper's preset; SAC with the paper's "SAC (PPO network size)" ablation
      // (64×64), as paper-notes §14 suggests for a 2-core CPU.
      return {
        name,
        experiments: [{
          algo: "ppo",
          envId: "Pendulum-v1",
          seeds: [0, 1, 2],
          totalSteps: 100_000,
          checkpointEvery: 50_000,
          checkpointExtra: [10_000, 25_000],
          evalFreq: 10_000,
          evalEpisodes: 10,
        }, {
          algo: "sac",
          envId: "Pendulum-v1",
          seeds: [0, 1, 2],
          totalSteps: 50_000,
          overrides: { net_arch: [64, 64] },
          checkpointEvery: 25_000,
          checkpointExtra: [10_000],
          evalFreq: 5_000,
          evalEpisodes: 10,
        }],
        analysis: {
          preciseSamples: 10_000,
          ks: [1, 2, 5, 10, 20],
          tol: 1e-4,
          seed: 0,
          spectrumSteps: "last",
        },
        k: 20,
        t1: 10_000,
        smoothingSteps: 20_000,
      };
    case "paper-pendulum":
      return {
        name,
        experiments: [{
          algo: "ppo",
          envId: "Pendulum-v1",
          seeds: [0, 1, 2],
          totalSteps: 300_000,
          checkpointEvery: 50_000,
          checkpointExtra: [10_000, 25_000, 150_000],
          evalFreq: 10_000,
          evalEpisodes: 10,
        }],
        analysis: {
          preciseSamples: 100_000,
          ks: [1, 2, 5, 10, 20, 50, 100],
          tol: 1e-4,
          seed: 0,
          spectrumSteps: "last",
        },
        k: 100,
        t1: 10_000,
        smoothingSteps: 20_000,
      };
    default:
      throw new Error(
        `Unknown reproduction preset "${name}": expected one of ${REPRODUCTION_PRESETS.join(", ")}`,
      );
  }
}

/** Progress messages of {@linkcode runReproduction}. */
export type ReproductionLog = (message: string) => void;

/** What {@linkcode runReproduction} returns. */
export interface ReproductionResult {
  /** The analysed runs. */
  runs: AnalysedRun[];
  /** The figures, by name. */
  figures: Record<string, PlotlyFigure>;
  /** The report path, when one was written. */
  reportPath: string | null;
}

/**
 * Trains, analyses and reports (module doc). Runs go to `<outRoot>/<algo>-<env>-seed<s>/`; the
 * report to `<outRoot>/report.html`.
 *
 * @example
 * ```ts
 * import { reproductionPreset, runReproduction } from "./reproduce.ts";
 * const result = await runReproduction(reproductionPreset("quick"), { outRoot: "runs/reproduce-quick" });
 * console.log(result.reportPath);
 * ```
 */
export async function runReproduction(
  settings: ReproductionSettings,
  options: {
    outRoot: string;
    backend?: BackendChoice;
    log?: ReproductionLog;
    report?: boolean;
    onTrainProgress?: TrainRunOptions["onProgress"];
    onAnalyzeProgress?: AnalyzeOptions["onProgress"];
  },
): Promise<ReproductionResult> {
  const log = options.log ?? (() => {});
  const runs: AnalysedRun[] = [];
  for (const e of settings.experiments) {
    for (const seed of e.seeds) {
      const outDir = `${options.outRoot}/${e.algo}-${e.envId}-seed${seed}`;
      log(`train ${e.algo} ${e.envId} seed ${seed} (${e.totalSteps} steps) → ${outDir}`);
      const trained = await trainRun({
        algo: e.algo,
        envId: e.envId,
        seed,
        totalSteps: e.totalSteps,
        outDir,
        overrides: e.overrides ?? {},
        evalFreq: e.evalFreq,
        evalEpisodes: e.evalEpisodes,
        checkpointEvery: e.checkpointEvery,
        checkpointExtra: e.checkpointExtra,
        resume: true,
        backend: options.backend,
        onProgress: options.onTrainProgress,
      });
      log(
        `  trained in ${
          trained.seconds.toFixed(0)
        } s; analysing ${trained.checkpoints.length} checkpoints`,
      );
      // Fig. 1 shows one seed: the full spectrum (N exact HVPs) is computed for the first only.
      const analysed = await analyzeRun({
        runDir: outDir,
        ...settings.analysis,
        spectrumSteps: seed === e.seeds[0] ? settings.analysis.spectrumSteps : undefined,
        overlapT1: [settings.t1],
        backend: options.backend,
        onProgress: options.onAnalyzeProgress,
      });
      log(`  analysed in ${analysed.seconds.toFixed(0)} s (${analysed.hvpCount} HVPs)`);
      runs.push(await loadAnalysedRun(outDir, analysed.analysisId));
    }
  }
  const figures = await reproductionFigures(runs, settings);
  let reportPath: string | null = null;
  if (options.report !== false) {
    reportPath = `${options.outRoot}/report.html`;
    await writeReport(reportPath, {
      title: `pgsubspace reproduction (${settings.name})`,
      blocks: reportBlocks(settings, runs, figures),
    });
    log(`report → ${reportPath}`);
  }
  return { runs, figures, reportPath };
}

/**
 * The report's figures from analysed runs: learning curves, Fig. 1 of the first run at its last
 * analysed step, Fig. 2 at k, Fig. 3 at (t1, k), S_frac over time per network.
 *
 * @example
 * ```ts
 * import { reproductionFigures, reproductionPreset } from "./reproduce.ts";
 * import { loadAnalysedRun } from "./paper_figures.ts";
 * const runs = [await loadAnalysedRun("runs/reproduce-quick/ppo-Pendulum-v1-seed0")];
 * const figures = await reproductionFigures(runs, reproductionPreset("quick"));
 * ```
 */
export async function reproductionFigures(
  runs: AnalysedRun[],
  settings: Pick<ReproductionSettings, "k" | "t1" | "analysis" | "smoothingSteps">,
): Promise<Record<string, PlotlyFigure>> {
  const ks = settings.analysis.ks ?? [settings.k];
  const lastStep = Math.max(...runs[0].results.map((r) => r.step));
  const spectrum = await spectrumFiguresOfRun(runs[0], lastStep);
  const figures: Record<string, PlotlyFigure> = {
    learningCurves: learningCurvesOfRuns(runs),
    spectrumHistogram: spectrum.histogram,
    spectrumByIndex: spectrum.byIndex,
    fractionBars: fractionBarsOfRuns(runs, {
      k: settings.k,
      smoothingSteps: settings.smoothingSteps,
    }),
    overlap: overlapOfRuns(runs, { t1: settings.t1, k: settings.k }),
  };
  // S_frac over time: one figure per algorithm × task × network (seeds aggregated).
  for (const [group, groupRuns] of Map.groupBy(runs, (r) => `${r.info.algo}/${r.info.envId}`)) {
    for (const network of ["actor", "critic"] as const) {
      figures[`fractionOverTime:${group}:${network}`] = fractionOverTimeOfRuns(
        groupRuns,
        network,
        ks,
      );
    }
  }
  return figures;
}

function reportBlocks(
  settings: ReproductionSettings,
  runs: AnalysedRun[],
  figures: Record<string, PlotlyFigure>,
): ReportBlock[] {
  const e = settings.experiments
    .map((x) =>
      `- ${x.algo.toUpperCase()} on ${x.envId}: seeds ${x.seeds.join(", ")}, ${
        x.totalSteps.toLocaleString("en-US")
      } steps${x.overrides ? `, overrides \`${JSON.stringify(x.overrides)}\`` : ""}`
    )
    .join("\n");
  const a = settings.analysis;
  return [
    {
      markdown:
        `Schneider et al. (ICLR 2024) ask three questions of the actor and the critic of PPO and SAC: is the curvature concentrated in a few directions, does the gradient lie in the span of the top-k Hessian eigenvectors, and does that subspace change slowly? This report answers them for the runs below (preset **${settings.name}**).\n\n${e}\n\nAnalysis: precise estimates from ${
          a.preciseSamples?.toLocaleString("en-US")
        } samples, k ∈ {${
          (a.ks ?? []).join(", ")
        }}, Lanczos tolerance ${a.tol}. ${runs.length} runs analysed.`,
    },
    {
      markdown:
        "## Learning curves\n\nEvaluation return (10 deterministic episodes, solid) and training return (dotted), mean ± std over seeds.",
    },
    { figure: figures.learningCurves },
    {
      markdown:
        "## Curvature is concentrated (Fig. 1)\n\nThe full Hessian spectrum of the actor and critic losses at the last analysed checkpoint: a few large eigenvalues, a bulk near zero.",
    },
    { figure: figures.spectrumHistogram },
    { figure: figures.spectrumByIndex },
    {
      markdown:
        `## The gradient lies in the high-curvature subspace (Fig. 2)\n\nS_frac for k = ${settings.k} per training phase and estimator, mean ± std over seeds; the dashed line is the random-subspace expectation k/N.`,
    },
    { figure: figures.fractionBars },
    ...Object.entries(figures)
      .filter(([name]) => name.startsWith("fractionOverTime:"))
      .map(([name, figure]) => ({ figure, caption: name.split(":").slice(1).join(" · ") })),
    {
      markdown: `## The subspace changes slowly (Fig. 3)\n\nS_overlap(t1 = ${
        settings.t1.toLocaleString("en-US")
      }, t2) of the precise top-${settings.k} eigenspaces.`,
    },
    { figure: figures.overlap },
  ];
}
