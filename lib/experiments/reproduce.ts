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
 * Before it starts, a reproduction prints its plan (what will be trained, continued, analysed or
 * reused) with a rough total ETA. It writes `reproduction.json` (the settings the report checks
 * against) and, at the end, builds the report from what is on disk (reproduction_report.ts), so
 * a report can be rebuilt with `--report-only` without training or analysing anything.
 *
 * @module
 */
import {
  checkpointSchedule,
  listCheckpoints,
  type RunInfo,
  type TrainRunOptions,
} from "./train.ts";
import type { AnalyzeOptions } from "./analyze.ts";
import { formatDuration } from "./progress.ts";
import {
  loadReproductionData,
  type ReproductionData,
  type ReproductionManifest,
  reproductionReport,
} from "./reproduction_report.ts";
import { writeReport } from "../plot/mod.ts";
import type { BackendChoice } from "../runtime/mod.ts";
import { exists, readJson } from "../io/files.ts";

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
  /** Analysed checkpoints: 0, the last and the multiples of N (default: every checkpoint). */
  analysisEvery?: number;
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
  /** Full spectra for every seed ("all") or for the first seed of each experiment (default). */
  spectrumSeeds?: "all" | "first";
  /** Why the preset exists, stated in the report's caveat (e.g. "CI smoke test"). */
  purpose?: string;
}

/**
 * PPO with the paper's preset on `envId`, as the paper-sized presets train it: 3 seeds, a
 * checkpoint every 50k steps (and at `checkpointExtra`), 10 evaluation episodes every 10k steps.
 *
 * @example
 * ```ts
 * import { paperPpoExperiment } from "./reproduce.ts";
 * paperPpoExperiment("Pendulum-v1", 100_000, [10_000]).checkpointEvery; // 50_000
 * ```
 */
export function paperPpoExperiment(
  envId: string,
  totalSteps: number,
  checkpointExtra: number[],
): ReproductionExperiment {
  return {
    algo: "ppo",
    envId,
    seeds: [0, 1, 2],
    totalSteps,
    checkpointEvery: 50_000,
    checkpointExtra,
    evalFreq: 10_000,
    evalEpisodes: 10,
  };
}

/**
 * The analysis of the paper-sized presets (paper-notes §14): Lanczos tolerance 1e-4, analysis
 * seed 0, full spectra at the last checkpoint of each experiment's first seed, t1 = 10k and the
 * paper's ±20k return smoothing, with the preset's precise-gradient samples, subspace sizes `ks`
 * and headline subspace dimension `k`.
 *
 * @example
 * ```ts
 * import { paperAnalysis } from "./reproduce.ts";
 * paperAnalysis(10_000, [1, 2, 5, 10, 20], 20).smoothingSteps; // 20_000
 * ```
 */
export function paperAnalysis(
  preciseSamples: number,
  ks: number[],
  k: number,
): Pick<ReproductionSettings, "analysis" | "k" | "t1" | "smoothingSteps" | "spectrumSeeds"> {
  return {
    analysis: { preciseSamples, ks, tol: 1e-4, seed: 0, spectrumSteps: "last" },
    k,
    t1: 10_000,
    smoothingSteps: 20_000,
    spectrumSeeds: "first",
  };
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
        spectrumSeeds: "all",
        purpose: "preset quick: a smoke test for CI and a first look, minutes on a laptop",
      };
    case "pendulum":
      // PPO with the paper's preset; SAC with the paper's "SAC (PPO network size)" ablation
      // (64×64), as paper-notes §14 suggests for a 2-core CPU.
      return {
        name,
        experiments: [paperPpoExperiment("Pendulum-v1", 100_000, [10_000, 25_000]), {
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
        ...paperAnalysis(10_000, [1, 2, 5, 10, 20], 20),
        purpose: "preset pendulum: paper-notes §14's reduced settings, about 10 minutes on 2 CPUs",
      };
    case "paper-pendulum":
      return {
        name,
        experiments: [paperPpoExperiment("Pendulum-v1", 300_000, [10_000, 25_000, 150_000])],
        ...paperAnalysis(100_000, [1, 2, 5, 10, 20, 50, 100], 100),
        purpose: "preset paper-pendulum: paper-notes §14's settings in full",
      };
    default:
      throw new Error(
        `Unknown reproduction preset "${name}": expected one of ${REPRODUCTION_PRESETS.join(", ")}`,
      );
  }
}

/** Progress messages of {@linkcode runReproduction}. */
export type ReproductionLog = (message: string) => void;

/** One run of a reproduction plan. */
export interface PlannedRun {
  /** Algorithm. */
  algo: string;
  /** Environment id. */
  envId: string;
  /** Seed. */
  seed: number;
  /** Run directory. */
  runDir: string;
  /** Training: "train" (new), "continue" (from `fromStep`) or "reused" (complete on disk). */
  training: "train" | "continue" | "reused";
  /** The last checkpoint on disk (continue), else 0. */
  fromStep: number;
  /** Steps to reach. */
  totalSteps: number;
  /** Analysed checkpoints (all of the schedule). */
  checkpoints: number;
  /** Whether a full spectrum is computed for this seed. */
  spectrum: boolean;
  /** Analysis: "analyse" or "reused" (results.jsonl of a matching analysis covers every checkpoint). */
  analysis: "analyse" | "reused";
  /** Estimated seconds of the work left (training + analysis). */
  etaSeconds: number;
}

/**
 * Rough cost model of a 2-core CPU, calibrated on the quick preset (PPO 16×16: 45k steps/s;
 * SAC 16×16: 6k steps/s; both falling with the square of the width) and on the HVP benchmark
 * (2·10⁻¹⁰ s per sample and parameter, plus 0.2 ms per product; full spectra in blocks of HVPs,
 * about 4× cheaper per product): environment steps per second of training, Lanczos solves and
 * full spectra of the analysis, as functions of the network width and the sample counts. Good
 * to a factor of ~2; the ETA is a plan, not a promise.
 */
function estimateSeconds(
  e: ReproductionExperiment,
  settings: ReproductionSettings,
  work: { steps: number; checkpoints: number; spectrum: boolean },
): number {
  const width = Math.max(...((e.overrides?.net_arch as number[] | undefined) ?? [64, 64]));
  const stepsPerSecond = e.algo === "sac"
    ? 6_000 * ((16 + 8) / (width + 8)) ** 2
    : 45_000 * ((16 + 8) / (width + 8)) ** 2;
  // Parameters of one network (SAC: the critic holds two Q-networks, so 1.5× on average).
  const n = (width * width + 12 * width) * (e.algo === "sac" ? 1.5 : 1);
  const precise = settings.analysis.preciseSamples ?? 1_000_000;
  const miniBatch = e.algo === "sac" ? 2_048 : ((e.overrides?.n_steps as number) ?? 4_096);
  const kmax = Math.max(...(settings.analysis.ks ?? [100]));
  const perHvp = (samples: number) => 2e-10 * samples * n + 2e-4;
  const solve = (samples: number) => (6 * kmax + 40) * perHvp(samples) + 0.05;
  const perCheckpoint = 2 * (solve(precise) + solve(miniBatch)); // actor and critic
  const spectrum = work.spectrum ? (2 * n * perHvp(precise)) / 4 : 0;
  return work.steps / stepsPerSecond + work.checkpoints * perCheckpoint + spectrum;
}

/**
 * The checkpoints an experiment analyses (its schedule, thinned by `analysisEvery`).
 *
 * @example
 * ```ts
 * import { analysedSteps } from "./reproduce.ts";
 * analysedSteps({
 *   algo: "ppo", envId: "Pendulum-v1", seeds: [0], totalSteps: 300_000, checkpointEvery: 50_000,
 *   checkpointExtra: [10_000], analysisEvery: 100_000, evalFreq: 10_000, evalEpisodes: 10,
 * }); // [0, 100000, 200000, 300000]
 * ```
 */
export function analysedSteps(e: ReproductionExperiment): number[] {
  const schedule = checkpointSchedule(e.totalSteps, e.checkpointEvery, e.checkpointExtra);
  const every = e.analysisEvery;
  if (!every) return schedule;
  return schedule.filter((t) => t === 0 || t === e.totalSteps || t % every === 0);
}

/**
 * The run directory of one seed of an experiment, relative to the reproduction's directory.
 *
 * @example
 * ```ts
 * import { runDirName } from "./reproduce.ts";
 * runDirName({ algo: "ppo", envId: "Pendulum-v1" }, 0); // "ppo-Pendulum-v1-seed0"
 * ```
 */
export function runDirName(
  e: Pick<ReproductionExperiment, "algo" | "envId">,
  seed: number,
): string {
  return `${e.algo}-${e.envId}-seed${seed}`;
}

function runDirOf(outRoot: string, e: ReproductionExperiment, seed: number): string {
  return `${outRoot}/${runDirName(e, seed)}`;
}

/**
 * What a reproduction will do, read from disk without changing it: per run whether it is
 * trained, continued or reused, whether its analysis is computed or reused, and an ETA.
 *
 * @example
 * ```ts
 * import { formatPlan, reproductionPlan, reproductionPreset } from "./reproduce.ts";
 * const plan = await reproductionPlan(reproductionPreset("quick"), "runs/reproduce-quick");
 * console.log(formatPlan(plan));
 * ```
 */
export async function reproductionPlan(
  settings: ReproductionSettings,
  outRoot: string,
): Promise<PlannedRun[]> {
  const data = await loadReproductionData(outRoot).catch(() => null);
  const plan: PlannedRun[] = [];
  for (const e of settings.experiments) {
    const schedule = analysedSteps(e);
    for (const seed of e.seeds) {
      const runDir = runDirOf(outRoot, e, seed);
      let training: PlannedRun["training"] = "train", fromStep = 0;
      if (await exists(`${runDir}/run.json`)) {
        const info = await readJson<RunInfo>(`${runDir}/run.json`);
        if (info.status === "completed" && info.totalSteps === e.totalSteps) training = "reused";
        else {
          training = "continue";
          fromStep = (await listCheckpoints(runDir)).at(-1) ?? 0;
        }
      }
      const spectrum = settings.spectrumSeeds === "all" || seed === e.seeds[0];
      const analysed = data?.runs.find((r) => r.runDir === runDir);
      const steps = new Set(analysed?.results.map((r) => r.step) ?? []);
      const hasSpectrum = !spectrum || (analysed?.spectra.length ?? 0) > 0;
      const analysis = training === "reused" && schedule.every((t) => steps.has(t)) && hasSpectrum
        ? "reused"
        : "analyse";
      const remainingCheckpoints = analysis === "reused"
        ? 0
        : schedule.filter((t) => !steps.has(t)).length;
      plan.push({
        algo: e.algo,
        envId: e.envId,
        seed,
        runDir,
        training,
        fromStep,
        totalSteps: e.totalSteps,
        checkpoints: schedule.length,
        spectrum,
        analysis,
        etaSeconds: estimateSeconds(e, settings, {
          steps: training === "reused" ? 0 : e.totalSteps - fromStep,
          checkpoints: remainingCheckpoints,
          spectrum: spectrum && analysis === "analyse" && !hasSpectrum,
        }),
      });
    }
  }
  return plan;
}

/**
 * The plan as text: one line per run and the total ETA.
 *
 * @example
 * ```ts
 * import { formatPlan } from "./reproduce.ts";
 * formatPlan([]); // "plan: nothing to do"
 * ```
 */
export function formatPlan(plan: readonly PlannedRun[]): string {
  if (plan.length === 0) return "plan: nothing to do";
  const lines = plan.map((p) => {
    const train = p.training === "reused"
      ? `reuse the trained run (${p.totalSteps.toLocaleString("en-US")} steps)`
      : p.training === "continue"
      ? `continue training from step ${p.fromStep.toLocaleString("en-US")} to ${
        p.totalSteps.toLocaleString("en-US")
      }`
      : `train ${p.totalSteps.toLocaleString("en-US")} steps`;
    const analyse = p.analysis === "reused"
      ? "reuse its analysis"
      : `analyse ${p.checkpoints} checkpoints${p.spectrum ? " + full spectra" : ""}`;
    return `  ${p.algo.toUpperCase()} ${p.envId} seed ${p.seed}: ${train}; ${analyse}`;
  });
  const total = plan.reduce((a, p) => a + p.etaSeconds, 0);
  const todo = plan.filter((p) => p.training !== "reused" || p.analysis !== "reused").length;
  return `plan (${plan.length} runs, ${todo} with work left; ETA about ${
    formatDuration(total)
  } on a 2-core CPU):\n${lines.join("\n")}`;
}

/** What {@linkcode runReproduction} returns. */
export interface ReproductionResult {
  /** The data the report was built from. */
  data: ReproductionData;
  /** The report path, when one was written. */
  reportPath: string | null;
  /** The plan that was executed. */
  plan: PlannedRun[];
}

/**
 * The `reproduction.json` of a settings object (what the report reads).
 *
 * @example
 * ```ts
 * import { reproductionManifest, reproductionPreset } from "./reproduce.ts";
 * reproductionManifest(reproductionPreset("quick")).k; // 10
 * ```
 */
export function reproductionManifest(settings: ReproductionSettings): ReproductionManifest {
  return {
    format: "pgsubspace-reproduction/1",
    name: settings.name,
    purpose: settings.purpose,
    k: settings.k,
    t1: settings.t1,
    smoothingSteps: settings.smoothingSteps,
    analysis: {
      preciseSamples: settings.analysis.preciseSamples,
      ks: settings.analysis.ks,
      tol: settings.analysis.tol,
      seed: settings.analysis.seed,
    },
    experiments: settings.experiments.map((e) => ({
      algo: e.algo,
      envId: e.envId,
      seeds: e.seeds,
      totalSteps: e.totalSteps,
    })),
  };
}

/**
 * Trains, analyses and reports (module doc). Runs go to `<outRoot>/<algo>-<env>-seed<s>/`; the
 * report to `<outRoot>/report.html`, built from the files on disk.
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
    signal?: AbortSignal;
  },
): Promise<ReproductionResult> {
  // The study modules build on this one: imported when a reproduction runs.
  const study = await import("./study/mod.ts");
  const log = options.log ?? (() => {});
  const outRoot = options.outRoot.replace(/\/+$/, "");
  // A study already planned here keeps its job layout and calibration.
  const saved = await exists(`${outRoot}/study.json`)
    ? await readJson<StudyFileLike>(`${outRoot}/study.json`)
    : null;
  const same = saved !== null && JSON.stringify(saved.settings) === JSON.stringify(settings);
  await study.writeStudy(outRoot, {
    format: study.STUDY_FORMAT,
    settings,
    layout: saved?.layout ?? study.DEFAULT_LAYOUT,
    calibration: same ? saved.calibration : study.defaultCalibration(settings),
  });
  const plan = await reproductionPlan(settings, outRoot);
  log(formatPlan(plan));
  const result = await study.runStudyLocal(outRoot, {
    workers: 1,
    backend: options.backend,
    log,
    onTrainProgress: options.onTrainProgress,
    onAnalyzeProgress: options.onAnalyzeProgress,
    signal: options.signal,
    aggregate: options.report !== false,
  });
  const failed = [
    ...result.failed.map((f) => `${f.id}: ${f.error.split("\n")[0]}`),
    ...result.blocked.map((id) => `${id} (not started)`),
  ];
  if (failed.length > 0) {
    throw new Error(
      `${result.failed.length} job(s) of the reproduction failed: ${failed[0]}` +
        `${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ""}\n` +
        `see ${outRoot}/jobs/<id>/log.txt; run the same command again to retry`,
    );
  }
  const data = await loadReproductionData(outRoot);
  const reportPath = options.report !== false ? `${outRoot}/report.html` : null;
  return { data, reportPath, plan };
}

/** The parts of a study directory's study.json that a reproduction keeps. */
interface StudyFileLike {
  settings: ReproductionSettings;
  layout: import("./study/plan.ts").StudyLayout;
  calibration: import("./study/calibration.ts").Calibration;
}

/**
 * Rebuilds `<outRoot>/report.html` from the files on disk (no training or analysis).
 *
 * @example
 * ```ts
 * import { rebuildReport } from "./reproduce.ts";
 * const path = await rebuildReport("runs/reproduce-quick");
 * ```
 */
export async function rebuildReport(outRoot: string): Promise<string> {
  const data = await loadReproductionData(outRoot);
  const path = `${outRoot.replace(/\/+$/, "")}/report.html`;
  await writeReport(path, reproductionReport(data));
  return path;
}

/** Changes to a preset that a notebook or script may make (all optional). */
export interface PresetChanges {
  /** Task of every experiment (a `makeEnv` id with `ppo/<id>` and `sac/<id>` presets). */
  envId?: string;
  /** Keep only these algorithms. */
  algos?: ("ppo" | "sac")[];
  /** Headline subspace dimension (added to `ks` when missing). */
  k?: number;
  /** Subspace dimensions analysed. */
  ks?: number[];
  /** Samples of the precise estimate. */
  preciseSamples?: number;
  /** Seeds of every experiment. */
  seeds?: number[];
}

/**
 * A preset with changes applied; its name (and so its output directory) records the changes, so
 * changed settings never mix with the preset's runs on disk.
 *
 * @example
 * ```ts
 * import { customizePreset, reproductionPreset } from "./reproduce.ts";
 * const s = customizePreset(reproductionPreset("quick"), { algos: ["ppo"], k: 5 });
 * s.name; // "quick-ppo-k5"
 * ```
 */
export function customizePreset(
  base: ReproductionSettings,
  changes: PresetChanges = {},
): ReproductionSettings {
  const parts: string[] = [];
  let experiments = base.experiments.map((e) => ({ ...e }));
  if (changes.envId && changes.envId !== experiments[0]?.envId) {
    experiments = experiments.map((e) => ({ ...e, envId: changes.envId! }));
    parts.push(changes.envId);
  }
  if (changes.algos) {
    const unknown = changes.algos.filter((a) => a !== "ppo" && a !== "sac");
    if (unknown.length > 0) {
      throw new RangeError(`algos: unknown ${unknown.join(", ")}; use ppo, sac`);
    }
    experiments = experiments.filter((e) => changes.algos!.includes(e.algo));
    if (experiments.length === 0) throw new RangeError("algos: no experiment left in the preset");
    if (experiments.length !== base.experiments.length) parts.push(changes.algos.join("+"));
  }
  if (changes.seeds) {
    experiments = experiments.map((e) => ({ ...e, seeds: [...changes.seeds!] }));
    parts.push(`seeds${changes.seeds.join(".")}`);
  }
  let ks = [...(base.analysis.ks ?? [])];
  if (changes.ks) {
    ks = [...new Set(changes.ks)].sort((a, b) => a - b);
    parts.push(`ks${ks.join(".")}`);
  }
  const k = changes.k ?? (changes.ks ? Math.max(...ks) : base.k);
  if (!ks.includes(k)) ks = [...ks, k].sort((a, b) => a - b);
  if (k !== base.k) parts.push(`k${k}`);
  const analysis = { ...base.analysis, ks };
  if (
    changes.preciseSamples !== undefined && changes.preciseSamples !== base.analysis.preciseSamples
  ) {
    analysis.preciseSamples = changes.preciseSamples;
    parts.push(`n${changes.preciseSamples}`);
  }
  return {
    ...base,
    name: [base.name, ...parts].join("-"),
    experiments,
    analysis,
    k,
  };
}
