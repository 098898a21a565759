/**
 * A study is a plan of independent jobs (issue 14). A reproduction's settings expand into:
 *
 * - one training job per run, `train/<task>/<algo>/s<seed>`;
 * - its analysis: one job per run, `analyze/<task>/<algo>/s<seed>` (the default: the run's
 *   checkpoints in order, so warm starts can chain from one checkpoint's eigenvectors to the
 *   next), or one job per analysed checkpoint, `analyze/<task>/<algo>/s<seed>/t<step>`; each
 *   depends only on its own run's training;
 * - one `aggregate` job that reads every result and builds the report, listing the jobs that
 *   are missing or failed.
 *
 * Jobs write only under their run directory and `jobs/<id>/` of the study directory (status.json,
 * log.txt and the `done` marker; a job whose marker exists is skipped, so requeued or repeated jobs
 * are idempotent). The study directory holds `study.json` (settings, job layout, calibration),
 * `plan.json` (this module's {@linkcode StudyPlan}, format `pgsubspace-plan/1`) and
 * `reproduction.json` (what the report reads). Each job carries an estimate of its CPU time and
 * memory from the calibration (calibration.ts).
 *
 * @module
 */
import {
  analysedSteps,
  reproductionManifest,
  type ReproductionSettings,
  runDirName,
} from "../reproduce.ts";
import { exists, readJson, writeJsonAtomic } from "../../io/files.ts";
import { REPRODUCTION_MANIFEST, type ReproductionManifest } from "../reproduction_report.ts";
import { formatDuration } from "../progress.ts";
import { type Calibration, calibrationKey, estimateJob } from "./calibration.ts";

/** Format tag of plan.json. */
export const PLAN_FORMAT = "pgsubspace-plan/1";
/** Format tag of study.json. */
export const STUDY_FORMAT = "pgsubspace-study/1";

/** A job's stage. */
export type JobStage = "train" | "analyze" | "aggregate";

/** How a study is cut into jobs and run. */
export interface StudyLayout {
  /** Analysis jobs: one per run (default; warm-start chains) or one per analysed checkpoint. */
  analysisJobs: "run" | "checkpoint";
  /** CPUs of one job (training and analysis engines use 2 threads when given 2; default 2). */
  cpusPerJob: number;
  /** Warm-start each top-k solve from the previous analysed checkpoint (per-run jobs only). */
  warmStart: boolean;
}

/** study.json: what a study directory runs. */
export interface StudyFile {
  /** Format tag. */
  format: typeof STUDY_FORMAT;
  /** The reproduction's settings. */
  settings: ReproductionSettings;
  /** Job layout. */
  layout: StudyLayout;
  /** Cost calibration measured on the planning machine (or the built-in model). */
  calibration: Calibration;
}

/** One job of a plan. */
export interface StudyJob {
  /** Deterministic id (module doc). */
  id: string;
  /** Stage. */
  stage: JobStage;
  /** Index within its stage (the Slurm array index). */
  index: number;
  /** Training and analysis: the run. */
  run?: {
    algo: "ppo" | "sac";
    envId: string;
    seed: number;
    /** Run directory relative to the study directory. */
    dir: string;
  };
  /** Analysis: the checkpoints this job analyses. */
  steps?: number[];
  /** Analysis: checkpoints whose full spectrum this job computes. */
  spectrumSteps?: number[];
  /** Jobs that must be done first (aggregation: that must have ended). */
  dependsOn: string[];
  /** CPUs. */
  cpus: number;
  /** Estimated wall seconds on its CPUs and peak memory (CPU time: seconds × cpus). */
  estimate: { seconds: number; memoryMiB: number };
}

/** plan.json. */
export interface StudyPlan {
  /** Format tag. */
  format: typeof PLAN_FORMAT;
  /** Settings name. */
  name: string;
  /** Job layout. */
  layout: StudyLayout;
  /** Where the calibration came from ("measured on <host>" or "built-in model"). */
  calibration: string;
  /** Jobs in execution order (a run's training, then its analysis; aggregation last). */
  jobs: StudyJob[];
}

/** Default layout. */
export const DEFAULT_LAYOUT: StudyLayout = { analysisJobs: "run", cpusPerJob: 2, warmStart: false };

/**
 * The id of a run's job: `train/<task>/<algo>/s<seed>`, `analyze/...` or `analyze/.../t<step>`.
 *
 * @example
 * ```ts
 * import { jobId } from "./plan.ts";
 * jobId("train", { envId: "Pendulum-v1", algo: "ppo", seed: 0 }); // "train/Pendulum-v1/ppo/s0"
 * ```
 */
export function jobId(
  stage: "train" | "analyze",
  run: { envId: string; algo: string; seed: number },
  step?: number,
): string {
  return `${stage}/${run.envId}/${run.algo}/s${run.seed}${step === undefined ? "" : `/t${step}`}`;
}

/**
 * Expands a study into its jobs (module doc), with estimates from its calibration.
 *
 * @throws Error when two experiments train the same algorithm on the same task (their runs would
 *   share directories and job ids).
 * @example
 * ```ts
 * import { planStudy } from "./plan.ts";
 * import { defaultCalibration } from "./calibration.ts";
 * import { studyPreset } from "./settings.ts";
 * const settings = studyPreset("quick");
 * const plan = planStudy({
 *   format: "pgsubspace-study/1", settings, calibration: defaultCalibration(settings),
 *   layout: { analysisJobs: "run", cpusPerJob: 2, warmStart: false },
 * });
 * plan.jobs.map((j) => j.id); // train/Pendulum-v1/ppo/s0, analyze/Pendulum-v1/ppo/s0, ..., aggregate
 * ```
 */
export function planStudy(study: StudyFile): StudyPlan {
  const { settings, layout, calibration } = study;
  const seen = new Set<string>();
  for (const e of settings.experiments) {
    const key = `${e.algo}/${e.envId}`;
    if (seen.has(key)) {
      throw new Error(
        `${settings.name}: two experiments train ${e.algo} on ${e.envId}; a study runs one ` +
          "experiment per algorithm and task (put variants in separate studies)",
      );
    }
    seen.add(key);
  }
  const jobs: StudyJob[] = [];
  const index = { train: 0, analyze: 0, aggregate: 0 };
  const add = (job: Omit<StudyJob, "index">) => {
    jobs.push({ ...job, index: index[job.stage]++ } as StudyJob);
  };
  const cpus = layout.cpusPerJob;
  for (const e of settings.experiments) {
    const cal = calibration.entries[calibrationKey(e)];
    if (!cal) throw new Error(`calibration has no entry for ${calibrationKey(e)}: plan again`);
    const steps = analysedSteps(e);
    for (const seed of e.seeds) {
      const run = { algo: e.algo, envId: e.envId, seed, dir: runDirName(e, seed) };
      const train = jobId("train", run);
      add({
        id: train,
        stage: "train",
        run,
        dependsOn: [],
        cpus,
        estimate: estimateJob(cal, e, settings, { train: true }),
      });
      const spectrum = settings.analysis.spectrumSteps !== undefined &&
          (settings.spectrumSeeds === "all" || seed === e.seeds[0])
        ? (settings.analysis.spectrumSteps === "last"
          ? [steps[steps.length - 1]]
          : settings.analysis.spectrumSteps.filter((t) => steps.includes(t)))
        : [];
      const groups = layout.analysisJobs === "run" ? [steps] : steps.map((t) => [t]);
      for (const group of groups) {
        const spectrumSteps = spectrum.filter((t) => group.includes(t));
        add({
          id: layout.analysisJobs === "run"
            ? jobId("analyze", run)
            : jobId("analyze", run, group[0]),
          stage: "analyze",
          run,
          steps: group,
          spectrumSteps,
          dependsOn: [train],
          cpus,
          estimate: estimateJob(cal, e, settings, { steps: group, spectrumSteps }),
        });
      }
    }
  }
  add({
    id: "aggregate",
    stage: "aggregate",
    dependsOn: jobs.map((j) => j.id),
    cpus: 1,
    estimate: { seconds: 5 + 0.5 * jobs.length, memoryMiB: 1_024 },
  });
  return {
    format: PLAN_FORMAT,
    name: settings.name,
    layout,
    calibration: calibration.source,
    jobs,
  };
}

/**
 * Writes study.json, plan.json and reproduction.json into `studyDir`, after checking that it holds
 * no study with other settings (nothing is changed then). A saved calibration is kept.
 *
 * @throws Error naming the directory when it holds another study.
 * @example
 * ```ts
 * import { writeStudy } from "./plan.ts";
 * // const plan = await writeStudy("runs/reproduce-quick", study);
 * ```
 */
export async function writeStudy(studyDir: string, study: StudyFile): Promise<StudyPlan> {
  const dir = studyDir.replace(/\/+$/, "");
  const manifest = reproductionManifest(study.settings);
  const manifestPath = `${dir}/${REPRODUCTION_MANIFEST}`;
  if (await exists(manifestPath)) {
    const previous = await readJson<ReproductionManifest>(manifestPath);
    if (JSON.stringify(previous) !== JSON.stringify(manifest)) {
      throw new Error(
        `${dir} holds a reproduction with other settings (preset ${previous.name}): ` +
          "choose another --out directory or remove it",
      );
    }
  }
  if (await exists(`${dir}/study.json`)) {
    const previous = await readJson<StudyFile>(`${dir}/study.json`);
    if (JSON.stringify(previous.layout) !== JSON.stringify(study.layout)) {
      throw new Error(
        `${dir} holds this study with other job options (${JSON.stringify(previous.layout)}): ` +
          "use the same options, or another --out directory",
      );
    }
  }
  const plan = planStudy(study);
  await Deno.mkdir(dir, { recursive: true });
  await writeJsonAtomic(manifestPath, manifest);
  await writeJsonAtomic(`${dir}/study.json`, study);
  await writeJsonAtomic(`${dir}/plan.json`, plan);
  return plan;
}

/**
 * Reads a study directory's study.json and plan.json.
 *
 * @throws Error naming the command that creates them when they are missing.
 * @example
 * ```ts
 * import { readStudy } from "./plan.ts";
 * // const { study, plan } = await readStudy("runs/reproduce-quick");
 * ```
 */
export async function readStudy(studyDir: string): Promise<{ study: StudyFile; plan: StudyPlan }> {
  const dir = studyDir.replace(/\/+$/, "");
  if (!(await exists(`${dir}/plan.json`)) || !(await exists(`${dir}/study.json`))) {
    throw new Error(
      `${dir} holds no study (plan.json): create it with \`deno task study plan --out ${dir}\``,
    );
  }
  const plan = await readJson<StudyPlan>(`${dir}/plan.json`);
  if (plan.format !== PLAN_FORMAT) {
    throw new Error(`${dir}/plan.json: format "${plan.format}", expected "${PLAN_FORMAT}"`);
  }
  return { study: await readJson<StudyFile>(`${dir}/study.json`), plan };
}

/**
 * The plan as text: one line per job (estimated CPU time and memory, dependencies, and its state
 * when `states` is given), then totals per stage and per task.
 *
 * @example
 * ```ts
 * import { formatStudyPlan } from "./plan.ts";
 * // console.log(formatStudyPlan(plan));
 * ```
 */
export function formatStudyPlan(plan: StudyPlan, states?: Map<string, string>): string {
  const width = Math.max(...plan.jobs.map((j) => j.id.length));
  const lines = plan.jobs.map((j) => {
    const deps = j.stage === "aggregate" ? "every other job ended" : j.dependsOn.join(", ") || "-";
    const state = states ? `${(states.get(j.id) ?? "pending").padEnd(9)} ` : "";
    return `  ${state}${j.id.padEnd(width)}  ${formatDuration(j.estimate.seconds).padStart(9)}  ${
      mib(j.estimate.memoryMiB).padStart(8)
    }  ${j.cpus} cpu  after: ${deps}`;
  });
  const byStage = new Map<string, number>();
  const byTask = new Map<string, number>();
  const cpu = (j: StudyJob) => j.estimate.seconds * j.cpus;
  for (const j of plan.jobs) {
    byStage.set(j.stage, (byStage.get(j.stage) ?? 0) + cpu(j));
    if (j.run) byTask.set(j.run.envId, (byTask.get(j.run.envId) ?? 0) + cpu(j));
  }
  const total = plan.jobs.reduce((a, j) => a + cpu(j), 0);
  const counts = (s: string) => plan.jobs.filter((j) => j.stage === s).length;
  return [
    `plan ${plan.name}: ${plan.jobs.length} jobs (${counts("train")} training, ${
      counts("analyze")
    } analysis, 1 aggregation); estimates from the ${plan.calibration}`,
    `  ${states ? "state     " : ""}${"job".padEnd(width)}  ${"time".padStart(9)}  ${
      "memory".padStart(8)
    }`,
    ...lines,
    `total ${cpuHours(total)} (${
      [...byStage].map(([s, v]) => `${s} ${cpuHours(v)}`).join(", ")
    }); on one 2-CPU machine about ${formatDuration(total / 2)}`,
    `per task: ${[...byTask].map(([t, v]) => `${t} ${cpuHours(v)}`).join(", ")}`,
  ].join("\n");
}

function cpuHours(seconds: number): string {
  const h = seconds / 3600;
  return `${h >= 10 ? h.toFixed(0) : h >= 0.1 ? h.toFixed(1) : h.toFixed(2)} CPU-h`;
}

function mib(m: number): string {
  return m >= 1024 ? `${(m / 1024).toFixed(1)} GiB` : `${Math.round(m)} MiB`;
}
