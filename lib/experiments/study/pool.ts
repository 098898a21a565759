/**
 * The local engine: runs a study's jobs on this machine, in dependency order. With one worker the
 * jobs run in this process, in plan order (a run's training, then its analysis, ..., then the
 * aggregation), with live progress: what `deno task reproduce` does. With N workers, up to N jobs
 * run at once as separate processes (`spawn` gives each job's command line), each job as soon as
 * its run's training is done. Jobs already done are skipped; a failed job's dependants are not
 * started; the aggregation always runs last and lists what is missing.
 *
 * @module
 */
import { type AggregateSummary, readJobStates, runJob, type RunJobOptions } from "./jobs.ts";
import { readStudy, type StudyJob } from "./plan.ts";
import { readJson } from "../../io/files.ts";
import { formatDuration } from "../progress.ts";

/** Options of {@linkcode runStudyLocal}. */
export interface LocalPoolOptions extends RunJobOptions {
  /** Jobs at once (default 1: in this process). */
  workers?: number;
  /** The command line of one job in a separate process (needed for more than one worker). */
  spawn?: (job: StudyJob) => { command: string; args: string[] };
  /** Run the aggregation (default true; false leaves the report to the caller). */
  aggregate?: boolean;
}

/** What {@linkcode runStudyLocal} did. */
export interface LocalPoolResult {
  /** Jobs run to completion in this call. */
  ran: string[];
  /** Jobs skipped because they were done. */
  skipped: string[];
  /** Jobs that failed, with their error. */
  failed: { id: string; error: string }[];
  /** Jobs not started because a job they need failed. */
  blocked: string[];
  /** The aggregation's summary (null when the aggregation failed). */
  aggregate: AggregateSummary | null;
}

/**
 * Runs every job of the study in `studyDir` (module doc).
 *
 * @example
 * ```ts
 * import { runStudyLocal } from "./pool.ts";
 * // const result = await runStudyLocal("runs/reproduce-quick", { log: console.log });
 * ```
 */
export async function runStudyLocal(
  studyDir: string,
  options: LocalPoolOptions = {},
): Promise<LocalPoolResult> {
  const root = studyDir.replace(/\/+$/, "");
  const { plan } = await readStudy(root);
  const workers = Math.max(1, options.workers ?? 1);
  if (workers > 1 && !options.spawn) {
    throw new Error("runStudyLocal: more than one worker needs `spawn` (a job's command line)");
  }
  const initial = await readJobStates(root, plan);
  const result: LocalPoolResult = {
    ran: [],
    skipped: [],
    failed: [],
    blocked: [],
    aggregate: null,
  };
  const ended = new Set<string>(); // done, failed or blocked in this call
  const ok = new Set<string>(
    plan.jobs.filter((j) => initial.get(j.id) === "done").map((j) => j.id),
  );
  const bad = new Set<string>();
  const waiting = plan.jobs.filter((j) => options.aggregate !== false || j.stage !== "aggregate");
  const running = new Map<string, Promise<void>>();
  const log = options.log ?? (() => {});

  const settle = (job: StudyJob, outcome: "ran" | "skipped" | "failed", error?: string) => {
    ended.add(job.id);
    if (outcome === "failed") {
      bad.add(job.id);
      result.failed.push({ id: job.id, error: error ?? "unknown error" });
    } else {
      ok.add(job.id);
      result[outcome].push(job.id);
    }
  };
  const start = (job: StudyJob): Promise<void> => {
    if (workers === 1 || job.stage === "aggregate" && !options.spawn) {
      return runJob(root, job, options).then(
        (r) => settle(job, r.outcome === "skipped" ? "skipped" : "ran"),
        (e) => {
          if (options.signal?.aborted) throw e;
          settle(job, "failed", e instanceof Error ? e.message : String(e));
          log(`job ${job.id} failed: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
        },
      );
    }
    return runProcess(job, options).then(({ code, stderr, seconds }) => {
      if (code === 0) {
        settle(job, "ran");
        log(`done    ${job.id} (${formatDuration(seconds)})`);
      } else {
        const error = stderr.trim().split("\n").filter((l) => l.trim()).slice(-2).join(" ") ||
          `exit code ${code}`;
        settle(job, "failed", error);
        log(`failed  ${job.id}: ${error}`);
      }
    });
  };

  while (waiting.length > 0 || running.size > 0) {
    let progressed = false;
    for (let i = 0; i < waiting.length && running.size < workers; i++) {
      const job = waiting[i];
      if (job.stage === "aggregate") {
        // After every other job ended, whatever its outcome (Slurm's afterany).
        if (waiting.length > 1 || running.size > 0) continue;
      } else {
        if (ok.has(job.id) && workers > 1) {
          // Done before this call: nothing to start (in-process runs print "reused").
          waiting.splice(i--, 1);
          settle(job, "skipped");
          progressed = true;
          continue;
        }
        if (job.dependsOn.some((d) => bad.has(d))) {
          waiting.splice(i--, 1);
          ended.add(job.id);
          bad.add(job.id);
          result.blocked.push(job.id);
          log(`blocked ${job.id}: needs ${job.dependsOn.find((d) => bad.has(d))}, which failed`);
          progressed = true;
          continue;
        }
        if (!job.dependsOn.every((d) => ok.has(d))) continue;
      }
      waiting.splice(i--, 1);
      if (workers > 1 && job.stage !== "aggregate") log(`start   ${job.id}`);
      const p = start(job).finally(() => running.delete(job.id));
      running.set(job.id, p);
      progressed = true;
      if (workers === 1) await p; // in plan order, one at a time
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (!progressed) {
      throw new Error(
        `runStudyLocal: jobs ${waiting.map((j) => j.id).join(", ")} wait on jobs outside the plan`,
      );
    }
  }
  result.aggregate = await readJson<AggregateSummary>(`${root}/aggregate.json`).catch(() => null);
  return result;
}

async function runProcess(
  job: StudyJob,
  options: LocalPoolOptions,
): Promise<{ code: number; stderr: string; seconds: number }> {
  const t0 = performance.now();
  const { command, args } = options.spawn!(job);
  const child = new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).spawn();
  const abort = () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
  };
  options.signal?.addEventListener("abort", abort);
  try {
    const out = await child.output();
    return {
      code: out.code,
      stderr: new TextDecoder().decode(out.stderr),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
}
