// Running a study's jobs: dependencies, the done marker (idempotent skip), the local pool, and an
// aggregation that lists missing and failed jobs instead of averaging fewer seeds.
import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  aggregate,
  DEFAULT_LAYOUT,
  defaultCalibration,
  readJobState,
  readStudy,
  runJob,
  runStudyLocal,
  selectStudy,
  studyPreset,
  writeStudy,
} from "../../../lib/experiments/study/mod.ts";
import { snapshotDir } from "../_disk.ts";

async function toyStudy(): Promise<string> {
  const settings = selectStudy(studyPreset("quick"), {
    scale: "toy",
    algos: ["ppo"],
    seeds: [0, 1],
  });
  const dir = await Deno.makeTempDir({ prefix: "pgsubspace-study-" });
  await writeStudy(dir, {
    format: "pgsubspace-study/1",
    settings,
    layout: { ...DEFAULT_LAYOUT, cpusPerJob: 1 },
    calibration: defaultCalibration(settings),
  });
  return dir;
}

Deno.test("study jobs: dependencies, idempotent skip, missing and failed jobs in the aggregation", async () => {
  const dir = await toyStudy();
  const { study, plan } = await readStudy(dir);
  assertEquals(plan.format, "pgsubspace-plan/1");
  const [t0, a0, t1, a1] = [
    "train/Pendulum-v1/ppo/s0",
    "analyze/Pendulum-v1/ppo/s0",
    "train/Pendulum-v1/ppo/s1",
    "analyze/Pendulum-v1/ppo/s1",
  ];
  assertEquals(plan.jobs.map((j) => j.id), [t0, a0, t1, a1, "aggregate"]);
  // An analysis before its training: refused, nothing recorded as started.
  await assertRejects(() => runJob(dir, a0, { backend: "cpu" }), Error, `needs ${t0}`);
  assertEquals((await readJobState(dir, a0)).state, "pending");

  assertEquals((await runJob(dir, t0, { backend: "cpu" })).outcome, "done");
  assertEquals((await runJob(dir, a0, { backend: "cpu" })).outcome, "done");
  assertEquals((await readJobState(dir, a0)).state, "done");
  // Done jobs are skipped: nothing under the run or the job changes.
  const before = await snapshotDir(dir);
  const logs: string[] = [];
  assertEquals((await runJob(dir, t0, { log: (m) => logs.push(m) })).outcome, "skipped");
  assertEquals((await runJob(dir, a0)).outcome, "skipped");
  assertEquals(await snapshotDir(dir), before);
  assertEquals(logs, ["PPO Pendulum-v1 seed 0: training reused (2,048 steps on disk)"]);

  // Seed 1: training done, then its run directory breaks, so its analysis fails.
  await runJob(dir, t1, { backend: "cpu" });
  await Deno.rename(`${dir}/ppo-Pendulum-v1-seed1/run.json`, `${dir}/run-s1.json`);
  await assertRejects(() => runJob(dir, a1, { backend: "cpu" }), Error, "not a run directory");
  const failed = await readJobState(dir, a1);
  assertEquals(failed.state, "failed");
  assert(failed.status!.error!.includes("not a run directory"));
  await Deno.rename(`${dir}/run-s1.json`, `${dir}/ppo-Pendulum-v1-seed1/run.json`);
  const summary = await aggregate(dir, study, plan);
  assertEquals(summary.complete, false);
  assertEquals(summary.done, 3);
  assertEquals(summary.failed.map((f) => f.id), [a1]);
  assertEquals(summary.missing, []);
  const html = await Deno.readTextFile(`${dir}/report.html`);
  assert(html.includes("Incomplete study"), "the report says the study is incomplete");
  assert(html.includes(a1), "the report names the failed job");

  // Remove seed 1's training marker: its jobs are now missing, its run left out of the report.
  await Deno.remove(`${dir}/jobs/${t1}/done`);
  const s2 = await aggregate(dir, study, plan);
  assertEquals(s2.missing.map((m) => m.id), [t1]);
  assertEquals(s2.runs, ["ppo-Pendulum-v1-seed0"]);

  // The local pool finishes the rest (training resumes its finished run; analysis runs) and
  // aggregates; the aggregation is done only now that every job is.
  assertEquals((await readJobState(dir, "aggregate")).state, "pending");
  const result = await runStudyLocal(dir, { backend: "cpu" });
  assertEquals(result.failed, []);
  assertEquals(result.ran.sort(), [a1, "aggregate", t1].sort());
  assertEquals(result.skipped.sort(), [a0, t0].sort());
  assertEquals(result.aggregate?.complete, true);
  assertEquals(result.aggregate?.runs, ["ppo-Pendulum-v1-seed0", "ppo-Pendulum-v1-seed1"]);
  assertEquals((await readJobState(dir, "aggregate")).state, "done");
  assert(!(await Deno.readTextFile(`${dir}/report.html`)).includes("Incomplete study"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("study pool: a failed training blocks its analysis, the aggregation still runs", async () => {
  const dir = await toyStudy();
  // A file where seed 1's run directory should be: its training fails.
  await Deno.writeTextFile(`${dir}/ppo-Pendulum-v1-seed1`, "not a directory");
  const logs: string[] = [];
  const result = await runStudyLocal(dir, { backend: "cpu", log: (m) => logs.push(m) });
  assertEquals(result.failed.map((f) => f.id), ["train/Pendulum-v1/ppo/s1"]);
  assertEquals(result.blocked, ["analyze/Pendulum-v1/ppo/s1"]);
  assertEquals(result.aggregate?.complete, false);
  assertEquals(result.aggregate?.failed.map((f) => f.id), ["train/Pendulum-v1/ppo/s1"]);
  assertEquals(result.aggregate?.missing.map((m) => m.id), ["analyze/Pendulum-v1/ppo/s1"]);
  assert(logs.some((l) => l.startsWith("blocked analyze/Pendulum-v1/ppo/s1")), logs.join("\n"));
  await Deno.remove(dir, { recursive: true });
});
