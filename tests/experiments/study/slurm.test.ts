// The emitted sbatch scripts: arrays, throttle, resources, the job each task runs, and the
// dependencies submit.sh passes to sbatch (run against a stand-in sbatch that records its calls).
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  DEFAULT_LAYOUT,
  defaultCalibration,
  planStudy,
  selectStudy,
  slurmScripts,
  stageResources,
  studyPreset,
} from "../../../lib/experiments/study/mod.ts";

const settings = selectStudy(studyPreset("quick"), {
  scale: "toy",
  tasks: ["Pendulum-v1", "LunarLanderContinuous-v2"],
  seeds: [0, 1],
});
const planOf = (analysisJobs: "run" | "checkpoint") =>
  planStudy({
    format: "pgsubspace-study/1",
    settings,
    layout: { ...DEFAULT_LAYOUT, analysisJobs, cpusPerJob: 1 },
    calibration: defaultCalibration(settings),
  });
const options = { studyDir: "/shared/st", repoDir: "/shared/pgs", throttle: 3 };

/** Runs submit.sh with a stand-in sbatch (ids 100, 101, ...) and returns each call's arguments. */
async function submitCalls(files: Record<string, string>): Promise<string[][]> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/sbatch`,
    '#!/bin/bash\nn=$(wc -l < "$CALLS" 2>/dev/null || echo 0)\necho "$*" >> "$CALLS"\n' +
      'echo "$((100 + n));cluster"\n',
  );
  await Deno.chmod(`${dir}/bin/sbatch`, 0o755);
  const script = files["submit.sh"].replace(/^mkdir -p .*$/m, ":"); // no /shared here
  await Deno.writeTextFile(`${dir}/submit.sh`, script);
  const out = await new Deno.Command("bash", {
    args: [`${dir}/submit.sh`],
    env: { PATH: `${dir}/bin:${Deno.env.get("PATH")}`, CALLS: `${dir}/calls` },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert(out.success, new TextDecoder().decode(out.stderr));
  assertStringIncludes(stdout, "follow: squeue -j");
  const calls = (await Deno.readTextFile(`${dir}/calls`)).trim().split("\n").map((l) =>
    l.split(" ")
  );
  await Deno.remove(dir, { recursive: true });
  return calls;
}

Deno.test("slurm scripts: one array per stage, aftercorr analysis, afterany aggregation", async () => {
  const plan = planOf("run");
  const files = slurmScripts(plan, options);
  const train = files["train.sbatch"], analyze = files["analyze.sbatch"];
  assertStringIncludes(train, "#SBATCH --array=0-7%3\n");
  assertStringIncludes(analyze, "#SBATCH --array=0-7%3\n");
  assertStringIncludes(analyze, "#SBATCH --kill-on-invalid-dep=yes\n");
  // Task i runs the plan's job with index i, through `deno task study job` in the checkout.
  assertStringIncludes(
    train,
    "cd '/shared/pgs'\nexec deno task study job --dir '/shared/st' --stage train " +
      '--index "$SLURM_ARRAY_TASK_ID"\n',
  );
  assertStringIncludes(train, "#   5: train/LunarLanderContinuous-v2/ppo/s1\n");
  assertStringIncludes(train, "#SBATCH --output=/shared/st/logs/train_%A_%a.out\n");
  assertStringIncludes(files["aggregate.sbatch"], "--stage aggregate --index 0");
  // Resources: the stage's largest estimate (memory +25%, time 2x + 10 min).
  const r = stageResources(plan, "analyze");
  const jobs = plan.jobs.filter((j) => j.stage === "analyze");
  assertEquals(r.memoryMiB, Math.ceil(1.25 * Math.max(...jobs.map((j) => j.estimate.memoryMiB))));
  assertEquals(
    r.minutes,
    Math.ceil(2 * Math.max(...jobs.map((j) => j.estimate.seconds)) / 60) + 10,
  );
  assertStringIncludes(analyze, `#SBATCH --mem=${r.memoryMiB}M\n#SBATCH --time=${r.minutes}\n`);
  assertStringIncludes(analyze, "#SBATCH --cpus-per-task=1\n");
  const calls = await submitCalls(files);
  assertEquals(calls, [
    ["--parsable", "train.sbatch"],
    ["--parsable", "--dependency=aftercorr:100", "analyze.sbatch"],
    ["--parsable", "--dependency=afterany:100:101", "aggregate.sbatch"],
  ]);
});

Deno.test("slurm scripts: per-checkpoint analysis slices depend on their own training task", async () => {
  const plan = planOf("checkpoint");
  const files = slurmScripts(plan, options);
  assert(!files["analyze.sbatch"].includes("#SBATCH --array"));
  const calls = await submitCalls(files);
  assertEquals(calls.length, 1 + 8 + 1);
  for (let run = 0; run < 8; run++) {
    // Run r's three checkpoints are analysis indices 3r..3r+2, after training task r.
    assertEquals(calls[1 + run], [
      "--parsable",
      `--array=${3 * run}-${3 * run + 2}%3`,
      `--dependency=afterok:100_${run}`,
      "analyze.sbatch",
    ]);
  }
  const analysisIds = Array.from({ length: 8 }, (_, i) => 101 + i).join(":");
  assertEquals(calls[9], [
    "--parsable",
    `--dependency=afterany:100:${analysisIds}`,
    "aggregate.sbatch",
  ]);
});
