/**
 * Running one job of a study, by any engine (the local pool, a Slurm array task, a shell):
 * `runJob(studyDir, id)` trains, analyses or aggregates, keeping `jobs/<id>/status.json`
 * (state, times, host, Slurm ids, the error of a failure), appending its messages to
 * `jobs/<id>/log.txt`, and writing the `done` marker last. A job whose marker exists is skipped,
 * so a requeued or resubmitted task does nothing twice; an interrupted one continues where it
 * stopped (training resumes from its last checkpoint, analysis reuses its eigen caches).
 *
 * Aggregation reads every job's state, lists the jobs that are missing (never ran, killed,
 * cancelled) or failed, builds the report from the runs whose training finished (the report
 * says which jobs are missing instead of silently averaging fewer seeds), and writes
 * `aggregate.json`. It is `done` only when every other job is.
 *
 * @module
 */
import { trainRun, type TrainRunOptions } from "../train.ts";
import { type AnalyzeOptions, analyzeRun } from "../analyze.ts";
import { formatDuration } from "../progress.ts";
import { loadReproductionData, reproductionReport } from "../reproduction_report.ts";
import { writeReport } from "../../plot/mod.ts";
import type { BackendChoice } from "../../runtime/mod.ts";
import { exists, readJson, writeFileAtomic, writeJsonAtomic } from "../../io/files.ts";
import { readStudy, type StudyFile, type StudyJob, type StudyPlan } from "./plan.ts";

/** status.json of a job. */
export interface JobStatus {
  /** Job id. */
  id: string;
  /** running, completed, failed, interrupted (a signal), or incomplete (aggregation only). */
  state: "running" | "completed" | "failed" | "interrupted" | "incomplete";
  /** ISO times. */
  startedAt: string;
  endedAt: string | null;
  /** Seconds of this attempt. */
  seconds: number | null;
  /** Host and process. */
  host: string;
  pid: number;
  /** Slurm job and array task, when run by Slurm. */
  slurm: { jobId: string; arrayJobId?: string; arrayTaskId?: string } | null;
  /** The error of a failed attempt. */
  error?: string;
  /** Attempts so far (this one included). */
  attempts: number;
}

/** A job's state as read from disk. */
export type JobState = "done" | "failed" | "running" | "interrupted" | "incomplete" | "pending";

/** `jobs/<id>` of a study directory. */
export function jobDir(studyDir: string, id: string): string {
  return `${studyDir.replace(/\/+$/, "")}/jobs/${id}`;
}

/**
 * A job's state: `done` (marker present), else the state of its last attempt, or `pending`.
 *
 * @example
 * ```ts
 * import { readJobState } from "./jobs.ts";
 * // const { state, status } = await readJobState("runs/reproduce-quick", "aggregate");
 * ```
 */
export async function readJobState(
  studyDir: string,
  id: string,
): Promise<{ state: JobState; status: JobStatus | null }> {
  const dir = jobDir(studyDir, id);
  const status = (await exists(`${dir}/status.json`))
    ? await readJson<JobStatus>(`${dir}/status.json`)
    : null;
  if (await exists(`${dir}/done`)) return { state: "done", status };
  if (!status) return { state: "pending", status };
  return { state: status.state === "completed" ? "running" : status.state, status };
}

/**
 * The state of every job of a plan, by id.
 *
 * @example
 * ```ts
 * import { readJobStates } from "./jobs.ts";
 * // const states = await readJobStates("runs/reproduce-quick", plan);
 * ```
 */
export async function readJobStates(
  studyDir: string,
  plan: StudyPlan,
): Promise<Map<string, JobState>> {
  const out = new Map<string, JobState>();
  for (const j of plan.jobs) out.set(j.id, (await readJobState(studyDir, j.id)).state);
  return out;
}

/** Options of {@linkcode runJob}. */
export interface RunJobOptions {
  /** tfjs backend. */
  backend?: BackendChoice;
  /** Messages (also appended to the job's log.txt). */
  log?: (message: string) => void;
  /** Training progress. */
  onTrainProgress?: TrainRunOptions["onProgress"];
  /** Analysis progress. */
  onAnalyzeProgress?: AnalyzeOptions["onProgress"];
  /** Stops training at the next step (the job is then recorded as interrupted). */
  signal?: AbortSignal;
}

/** What {@linkcode runJob} did. */
export interface RunJobResult {
  /** The job. */
  job: StudyJob;
  /** "skipped" (already done), "done", or "incomplete" (aggregation with missing jobs). */
  outcome: "skipped" | "done" | "incomplete";
  /** Seconds. */
  seconds: number;
}

/**
 * Finds a job of a plan by id, or by stage and array index.
 *
 * @throws Error listing some valid ids when there is no such job.
 * @example
 * ```ts
 * import { findJob } from "./jobs.ts";
 * // findJob(plan, "aggregate"); findJob(plan, { stage: "train", index: 3 });
 * ```
 */
export function findJob(
  plan: StudyPlan,
  which: string | { stage: string; index: number },
): StudyJob {
  const job = typeof which === "string"
    ? plan.jobs.find((j) => j.id === which)
    : plan.jobs.find((j) => j.stage === which.stage && j.index === which.index);
  if (job) return job;
  const what = typeof which === "string" ? `"${which}"` : `${which.stage} #${which.index}`;
  const ids = plan.jobs.map((j) => j.id);
  throw new Error(
    `plan ${plan.name} has no job ${what}: its ${ids.length} jobs are ${
      ids.slice(0, 4).join(", ")
    }${ids.length > 4 ? `, … ${ids[ids.length - 1]}` : ""} (\`deno task study plan\` lists them)`,
  );
}

function slurmIds(): JobStatus["slurm"] {
  const get = (k: string) => {
    try {
      return Deno.env.get(k);
    } catch {
      return undefined;
    }
  };
  const jobId = get("SLURM_JOB_ID");
  if (!jobId) return null;
  return { jobId, arrayJobId: get("SLURM_ARRAY_JOB_ID"), arrayTaskId: get("SLURM_ARRAY_TASK_ID") };
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/**
 * Runs one job of the study in `studyDir` (module doc).
 *
 * @throws Error when a dependency is not done (naming the command that runs it), or the job's
 *   own error (recorded in its status.json first).
 * @example
 * ```ts
 * import { runJob } from "./jobs.ts";
 * // await runJob("runs/reproduce-quick", "train/Pendulum-v1/ppo/s0", { log: console.log });
 * ```
 */
export async function runJob(
  studyDir: string,
  which: string | StudyJob,
  options: RunJobOptions = {},
): Promise<RunJobResult> {
  const t0 = performance.now();
  const root = studyDir.replace(/\/+$/, "");
  const { study, plan } = await readStudy(root);
  const job = typeof which === "string" ? findJob(plan, which) : which;
  const dir = jobDir(root, job.id);
  const logFile = `${dir}/log.txt`;
  const log = (m: string) => {
    options.log?.(m);
    Deno.writeTextFileSync(logFile, `${new Date().toISOString()} ${m}\n`, { append: true });
  };
  await Deno.mkdir(dir, { recursive: true });
  if (await exists(`${dir}/done`)) {
    const message = skippedMessage(study, job);
    if (message) options.log?.(message);
    return { job, outcome: "skipped", seconds: 0 };
  }
  if (job.stage !== "aggregate") {
    for (const dep of job.dependsOn) {
      if ((await readJobState(root, dep)).state !== "done") {
        throw new Error(
          `job ${job.id} needs ${dep}, which has not finished: run it first ` +
            `(deno task study job --dir ${root} ${dep})`,
        );
      }
    }
  }
  const previous = (await exists(`${dir}/status.json`))
    ? await readJson<JobStatus>(`${dir}/status.json`)
    : null;
  const status: JobStatus = {
    id: job.id,
    state: "running",
    startedAt: new Date().toISOString(),
    endedAt: null,
    seconds: null,
    host: hostname(),
    pid: Deno.pid,
    slurm: slurmIds(),
    attempts: (previous?.attempts ?? 0) + 1,
  };
  await writeJsonAtomic(`${dir}/status.json`, status);
  const finish = async (state: JobStatus["state"], error?: string) => {
    await writeJsonAtomic(`${dir}/status.json`, {
      ...status,
      state,
      endedAt: new Date().toISOString(),
      seconds: (performance.now() - t0) / 1000,
      ...(error ? { error } : {}),
    });
  };
  try {
    let outcome: RunJobResult["outcome"] = "done";
    if (job.stage === "train") await train({ root, study, job, options, log });
    else if (job.stage === "analyze") await analyse({ root, study, job, options, log });
    else outcome = (await aggregate(root, study, plan, log)).complete ? "done" : "incomplete";
    if (outcome === "done") {
      await finish("completed");
      await writeFileAtomic(`${dir}/done`, `${new Date().toISOString()}\n`);
    } else await finish("incomplete");
    return { job, outcome, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await finish(options.signal?.aborted ? "interrupted" : "failed", message);
    throw e;
  }
}

function describeRun(job: StudyJob): string {
  return `${job.run!.algo.toUpperCase()} ${job.run!.envId} seed ${job.run!.seed}`;
}

/** The message of a job skipped because it is done (the wording of a reused stage). */
function skippedMessage(study: StudyFile, job: StudyJob): string | null {
  if (job.stage === "train") {
    const steps = experimentOf(study, job).totalSteps.toLocaleString("en-US");
    return `${describeRun(job)}: training reused (${steps} steps on disk)`;
  }
  if (job.stage === "analyze") {
    return `  analysis reused (${job.steps?.length ?? 0} checkpoints on disk)`;
  }
  return null;
}

function experimentOf(study: StudyFile, job: StudyJob) {
  const e = study.settings.experiments.find((x) =>
    x.algo === job.run!.algo && x.envId === job.run!.envId
  );
  if (!e) throw new Error(`study.json has no ${job.run!.algo} experiment on ${job.run!.envId}`);
  return e;
}

/** What the train and analyse stages of a job run with. */
interface StageContext {
  /** The study directory. */
  root: string;
  /** Its study.json. */
  study: StudyFile;
  /** The job. */
  job: StudyJob;
  /** The options of {@linkcode runJob}. */
  options: RunJobOptions;
  /** Progress messages. */
  log: (m: string) => void;
}

async function train(
  { root, study, job, options, log }: StageContext,
): Promise<void> {
  const e = experimentOf(study, job);
  const outDir = `${root}/${job.run!.dir}`;
  const what = describeRun(job);
  const finished = await exists(`${outDir}/run.json`) &&
    (await readJson<{ status: string; totalSteps: number }>(`${outDir}/run.json`)).status ===
      "completed";
  log(
    finished
      ? `${what}: training reused (${e.totalSteps.toLocaleString("en-US")} steps on disk)`
      : `${what}: training ${e.totalSteps.toLocaleString("en-US")} steps → ${outDir}`,
  );
  const trained = await trainRun({
    algo: e.algo,
    envId: e.envId,
    seed: job.run!.seed,
    totalSteps: e.totalSteps,
    outDir,
    overrides: e.overrides ?? {},
    evalFreq: e.evalFreq,
    evalEpisodes: e.evalEpisodes,
    checkpointEvery: e.checkpointEvery,
    checkpointExtra: e.checkpointExtra,
    resume: true,
    backend: options.backend,
    threads: job.cpus >= 2 ? "auto" : 1,
    onProgress: options.onTrainProgress,
    signal: options.signal,
  });
  if (!trained.completed) {
    throw new Error(`${what}: training stopped at a checkpoint before its last step`);
  }
  if (trained.stepsThisCall > 0) {
    log(
      `  trained ${trained.stepsThisCall.toLocaleString("en-US")} steps in ${
        formatDuration(trained.seconds)
      }`,
    );
  }
}

async function analyse(
  { root, study, job, options, log }: StageContext,
): Promise<void> {
  const s = study.settings;
  const analysed = await analyzeRun({
    runDir: `${root}/${job.run!.dir}`,
    ...s.analysis,
    steps: job.steps,
    spectrumSteps: job.spectrumSteps?.length ? job.spectrumSteps : undefined,
    overlapT1: [s.t1],
    warmStart: study.layout.warmStart || undefined,
    engineThreads: job.cpus >= 2 ? "auto" : 1,
    backend: options.backend,
    onProgress: options.onAnalyzeProgress,
  });
  log(
    analysed.computedSteps.length === 0 && analysed.hvpCount === 0
      ? `  analysis reused (${analysed.steps.length} checkpoints on disk)`
      : `  analysed ${analysed.computedSteps.length} checkpoints in ${
        formatDuration(analysed.seconds)
      } (${analysed.hvpCount.toLocaleString("en-US")} HVPs)`,
  );
}

/** aggregate.json: what the aggregation saw. */
export interface AggregateSummary {
  /** Format tag. */
  format: "pgsubspace-aggregate/1";
  /** Every other job is done. */
  complete: boolean;
  /** Jobs besides the aggregation, and how many are done. */
  jobs: number;
  done: number;
  /** Jobs without their done marker that did not fail (never ran, running, killed, cancelled). */
  missing: { id: string; state: JobState; startedAt?: string; slurm?: JobStatus["slurm"] }[];
  /** Jobs whose last attempt failed, with the error. */
  failed: { id: string; error: string }[];
  /** Run directories in the report (relative to the study directory). */
  runs: string[];
  /** The report, when one was written. */
  report: string | null;
  /** When. */
  at: string;
}

/**
 * The aggregation (module doc): reads every job's state, finalises per-checkpoint analyses
 * (results and overlaps over their finished checkpoints), writes the report and aggregate.json,
 * and returns the summary.
 *
 * @example
 * ```ts
 * import { aggregate } from "./jobs.ts";
 * import { readStudy } from "./plan.ts";
 * // const { study, plan } = await readStudy(dir); const summary = await aggregate(dir, study, plan);
 * ```
 */
export async function aggregate(
  root: string,
  study: StudyFile,
  plan: StudyPlan,
  log: (m: string) => void = () => {},
): Promise<AggregateSummary> {
  const others = plan.jobs.filter((j) => j.stage !== "aggregate");
  const missing: AggregateSummary["missing"] = [];
  const failed: AggregateSummary["failed"] = [];
  const done = new Set<string>();
  for (const j of others) {
    const { state, status } = await readJobState(root, j.id);
    if (state === "done") done.add(j.id);
    else if (state === "failed") failed.push({ id: j.id, error: status?.error ?? "unknown error" });
    else {
      missing.push({
        id: j.id,
        state,
        ...(status ? { startedAt: status.startedAt, slurm: status.slurm } : {}),
      });
    }
  }
  // Per-checkpoint analyses: results.jsonl and overlaps over the finished checkpoints only.
  if (study.layout.analysisJobs === "checkpoint") {
    for (const train of others.filter((j) => j.stage === "train" && done.has(j.id))) {
      const steps = others
        .filter((j) => j.stage === "analyze" && j.dependsOn[0] === train.id && done.has(j.id))
        .flatMap((j) => j.steps ?? []);
      if (steps.length === 0) continue;
      await analyzeRun({
        runDir: `${root}/${train.run!.dir}`,
        ...study.settings.analysis,
        steps,
        spectrumSteps: undefined,
        overlapT1: [study.settings.t1],
      });
    }
  }
  const trainedDirs = new Set(
    others.filter((j) => j.stage === "train" && done.has(j.id)).map((j) => `${root}/${j.run!.dir}`),
  );
  let report: string | null = null;
  let runs: string[] = [];
  if (trainedDirs.size > 0) {
    const data = await loadReproductionData(root);
    data.runs = data.runs.filter((r) => trainedDirs.has(r.runDir));
    runs = data.runs.map((r) => r.runDir.slice(root.length + 1));
    const built = reproductionReport(data);
    if (missing.length + failed.length > 0) {
      built.blocks.unshift({ markdown: incompleteNote(others.length, done.size, missing, failed) });
    }
    report = `${root}/report.html`;
    await writeReport(report, built);
  }
  const summary: AggregateSummary = {
    format: "pgsubspace-aggregate/1",
    complete: done.size === others.length,
    jobs: others.length,
    done: done.size,
    missing,
    failed,
    runs,
    report,
    at: new Date().toISOString(),
  };
  await writeJsonAtomic(`${root}/aggregate.json`, summary);
  log(formatAggregate(summary));
  if (report) log(`report → ${report}`);
  return summary;
}

function incompleteNote(
  total: number,
  done: number,
  missing: AggregateSummary["missing"],
  failed: AggregateSummary["failed"],
): string {
  const lines = [
    `> **Incomplete study:** ${done} of ${total} jobs finished. Figures, tables and verdicts ` +
    'use only the runs whose training finished (listed under "What was run"); seeds of the ' +
    "jobs below are missing from the means. Resubmit the study (finished jobs are skipped) to " +
    "complete it.",
    "",
    ...missing.map((m) => `- missing: \`${m.id}\` (${m.state})`),
    ...failed.map((f) => `- failed: \`${f.id}\`: ${f.error.split("\n")[0]}`),
  ];
  return lines.join("\n");
}

/**
 * One or a few lines on what an aggregation saw.
 *
 * @example
 * ```ts
 * import { formatAggregate } from "./jobs.ts";
 * formatAggregate({
 *   format: "pgsubspace-aggregate/1", complete: true, jobs: 4, done: 4, missing: [], failed: [],
 *   runs: ["a", "b"], report: null, at: "",
 * }); // "aggregation: all 4 jobs done; 2 runs in the report"
 * ```
 */
export function formatAggregate(s: AggregateSummary): string {
  if (s.complete) {
    return `aggregation: all ${s.jobs} jobs done; ${s.runs.length} runs in the report`;
  }
  const lines = [
    `aggregation: ${s.done} of ${s.jobs} jobs done, ${s.missing.length} missing, ${s.failed.length} failed; ${s.runs.length} runs in the report`,
  ];
  for (const m of s.missing) lines.push(`  missing ${m.id} (${m.state})`);
  for (const f of s.failed) lines.push(`  failed  ${f.id}: ${f.error.split("\n")[0]}`);
  return lines.join("\n");
}
