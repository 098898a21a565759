/**
 * A tiny study on the real Slurm test cluster (issue 14, part of `deno task slurm-test`):
 * 2 tasks × 2 algorithms × 2 seeds at toy scale, emitted and submitted with
 * `deno task study slurm --submit` as a training array, an `aftercorr` analysis array and an
 * `afterany` aggregation. One training task (a longer run) is `scancel`led while it runs; the
 * checks, with `sacct` and the study's files:
 *
 * - every other training and analysis task COMPLETED; the cancelled task's analysis was cancelled
 *   without running (`--kill-on-invalid-dep`); the aggregation COMPLETED after all of them;
 * - the aggregation saw 7 runs and lists the cancelled run's training and analysis as missing;
 * - running submit.sh again completes the study: the finished tasks skip, the cancelled training
 *   resumes, the aggregation then sees all 8 runs and nothing missing.
 *
 * @module
 */
import { readJson } from "../../lib/io/files.ts";
import type { AggregateSummary, StudyPlan } from "../../lib/experiments/study/mod.ts";
import { selectStudy, studyPreset } from "../../lib/experiments/study/mod.ts";

const REPO = new URL("../..", import.meta.url).pathname.replace(/\/+$/, "");

/** Helpers of the smoke test this scenario runs inside. */
export interface ScenarioContext {
  /** SLURM_CONF for the clients. */
  env: Record<string, string>;
  /** A fresh directory for the study. */
  work: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Runs a command; throws with its stderr when it fails. */
  must: (cmd: string, args: string[], env: Record<string, string>) => Promise<string>;
  /** Polls until `probe` returns non-null. */
  until: <T>(what: string, seconds: number, probe: () => Promise<T | null>) => Promise<T>;
  /** Final sacct rows of jobs. */
  sacct: (
    ids: string[],
    env: Record<string, string>,
  ) => Promise<{ jobId: string; state: string; start: number; end: number }[]>;
  /** Throws "Slurm smoke test: <message>" unless `condition`. */
  check: (condition: boolean, message: string) => void;
}

/** What the scenario measured. */
export interface StudyScenarioReport {
  /** Seconds of the first submission (until the aggregation ended) and of the resubmission. */
  seconds: { first: number; resubmission: number };
  /** sacct states of the first submission by job/task id. */
  states: Record<string, string>;
}

function parseJobs(stdout: string): { train: string; analyze: string; aggregate: string } {
  const m = /^jobs: train=(\S+) analyze=(\S+) aggregate=(\S+)$/m.exec(stdout);
  if (!m) throw new Error(`Slurm study: no "jobs:" line in submit output:\n${stdout}`);
  return { train: m[1], analyze: m[2], aggregate: m[3] };
}

/**
 * Runs the scenario of the module doc on a running cluster.
 *
 * @example
 * ```ts
 * import { runStudyScenario } from "./study_scenario.ts";
 * // await runStudyScenario({ env, work, log, must, until, sacct, check });
 * ```
 */
export async function runStudyScenario(c: ScenarioContext): Promise<StudyScenarioReport> {
  const { env, work, log, must, until, check } = c;
  // Toy settings; SAC on LunarLander trains longer so that one of its tasks can be cancelled
  // while it runs.
  const settings = selectStudy(studyPreset("quick"), {
    scale: "toy",
    tasks: ["Pendulum-v1", "LunarLanderContinuous-v2"],
    seeds: [0, 1],
  });
  const long = settings.experiments.find((e) =>
    e.algo === "sac" && e.envId === "LunarLanderContinuous-v2"
  )!;
  long.totalSteps = 12_288;
  long.checkpointEvery = 4_096;
  settings.name = "slurm-ci";
  await Deno.writeTextFile(`${work}/settings.json`, JSON.stringify(settings, null, 2));
  const studyDir = `${work}/study`, emit = `${work}/slurm`;
  const cli = [
    "task",
    "--quiet",
    "study",
    "slurm",
    "--settings",
    `${work}/settings.json`,
    "--dir",
    studyDir,
    "--emit",
    emit,
    "--cpus",
    "1",
    "--throttle",
    "2",
    "--calibration",
    "default",
    "--submit",
  ];
  const t0 = performance.now();
  const submitted = await new Deno.Command(Deno.execPath(), {
    args: cli,
    cwd: REPO,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(submitted.stdout);
  if (!submitted.success) {
    throw new Error(
      `Slurm study: submission failed: ${new TextDecoder().decode(submitted.stderr).trim()}`,
    );
  }
  const jobs = parseJobs(out);
  const plan = await readJson<StudyPlan>(`${studyDir}/plan.json`);
  const victim = plan.jobs.find((j) =>
    j.stage === "train" && j.run?.algo === "sac" && j.run.envId === long.envId &&
    j.run.seed === 1
  )!;
  const victimAnalysis = plan.jobs.find((j) =>
    j.stage === "analyze" && j.dependsOn[0] === victim.id
  )!;
  log(`study submitted: ${out.split("\n").find((l) => l.startsWith("submitted:"))}`);

  // Cancel the long training task once its job has started training.
  const task = `${jobs.train}_${victim.index}`;
  await until(`${task} to start training`, 240, async () => {
    try {
      const s = await readJson<{ state: string }>(`${studyDir}/jobs/${victim.id}/status.json`);
      const running = await must("squeue", ["-h", "-t", "R", "-o", "%i", "-j", task], env);
      return s.state === "running" && running.includes(task) ? true : null;
    } catch {
      return null;
    }
  });
  await must("scancel", [task], env);
  log(`scancelled ${task} (${victim.id}) while it ran`);
  const all = [jobs.train, jobs.analyze, jobs.aggregate];
  await until("the study's jobs to end", 420, async () => {
    const q = await must("squeue", ["-h", "-o", "%i", "-j", all.join(",")], env);
    return q.trim() === "" ? true : null;
  });
  const first = (performance.now() - t0) / 1000;
  const trainCount = plan.jobs.filter((j) => j.stage === "train").length;
  const expected = [
    ...Array.from({ length: trainCount }, (_, i) => `${jobs.train}_${i}`),
    ...Array.from({ length: trainCount }, (_, i) => `${jobs.analyze}_${i}`),
    jobs.aggregate,
  ];
  const rows = await until("sacct to record every task", 60, async () => {
    const r = await c.sacct(all, env);
    const ids = new Set(r.filter((x) => !/^(PENDING|RUNNING)/.test(x.state)).map((x) => x.jobId));
    return expected.every((id) => ids.has(id)) ? r : null;
  });
  const byId = new Map(rows.map((r) => [r.jobId, r]));
  const states = Object.fromEntries(expected.map((id) => [id, byId.get(id)!.state]));
  const seen = JSON.stringify(states);
  for (const id of expected) {
    const cancelled = id === task || id === `${jobs.analyze}_${victimAnalysis.index}`;
    check(
      cancelled ? states[id].startsWith("CANCELLED") : states[id] === "COMPLETED",
      `study task ${id} should be ${cancelled ? "CANCELLED" : "COMPLETED"}; ${seen}`,
    );
  }
  check(
    !(byId.get(`${jobs.analyze}_${victimAnalysis.index}`)!.start > 0),
    "the cancelled run's analysis should never start",
  );
  for (let i = 0; i < trainCount; i++) {
    if (i === victim.index) continue;
    check(
      byId.get(`${jobs.analyze}_${i}`)!.start >= byId.get(`${jobs.train}_${i}`)!.end,
      `aftercorr: analysis ${i} started before training ${i} ended`,
    );
  }
  const agg = await readJson<AggregateSummary>(`${studyDir}/aggregate.json`);
  check(!agg.complete, "the first aggregation should see an incomplete study");
  check(agg.runs.length === trainCount - 1, `aggregation saw ${agg.runs.length} runs, expected 7`);
  check(
    JSON.stringify(agg.missing.map((m) => m.id).sort()) ===
      JSON.stringify([victimAnalysis.id, victim.id].sort()),
    `aggregation should list ${victim.id} and its analysis as missing, listed ${
      JSON.stringify(agg.missing)
    }`,
  );
  log(
    `first submission: ${first.toFixed(0)} s; aggregation: ${agg.done}/${agg.jobs} done, ` +
      `missing ${agg.missing.map((m) => m.id).join(", ")}`,
  );

  // Resubmission completes it: finished tasks skip, the cancelled training resumes.
  const t1 = performance.now();
  const again = parseJobs(await must("bash", [`${emit}/submit.sh`], env));
  const all2 = [again.train, again.analyze, again.aggregate];
  await until("the resubmitted jobs to end", 420, async () => {
    const q = await must("squeue", ["-h", "-o", "%i", "-j", all2.join(",")], env);
    return q.trim() === "" ? true : null;
  });
  const resubmission = (performance.now() - t1) / 1000;
  const rows2 = await until("sacct to record the resubmission", 60, async () => {
    const r = await c.sacct(all2, env);
    return r.length >= expected.length && r.every((x) => !/^(PENDING|RUNNING)/.test(x.state))
      ? r
      : null;
  });
  check(
    rows2.every((r) => r.state === "COMPLETED"),
    `every resubmitted task should complete: ${
      JSON.stringify(rows2.map((r) => [r.jobId, r.state]))
    }`,
  );
  const agg2 = await readJson<AggregateSummary>(`${studyDir}/aggregate.json`);
  check(
    agg2.complete && agg2.runs.length === trainCount && agg2.missing.length === 0,
    `after the resubmission the aggregation should see all ${trainCount} runs: ${
      JSON.stringify(agg2)
    }`,
  );
  log(`resubmission: ${resubmission.toFixed(0)} s; aggregation saw all ${agg2.runs.length} runs`);
  return { seconds: { first, resubmission }, states };
}
