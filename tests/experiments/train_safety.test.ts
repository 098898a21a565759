// Data safety of training runs: damaged checkpoints are named and never used, a rejected resume
// leaves the run directory byte-identical, failed runs say why in run.json, and a finished run
// continues to more steps exactly as if it had been trained that long at once.
import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  checkpointDirName,
  listCheckpoints,
  loadCheckpointState,
  type RunInfo,
  trainRun,
} from "../../lib/experiments/train.ts";
import { readJson } from "../../lib/io/files.ts";
import { snapshotDir } from "./_disk.ts";
import { SAC_SMALL, SMALL } from "./_runs.ts";

const PPO = SMALL;

const SAC = SAC_SMALL;

for (const [name, base, more] of [["PPO", PPO, 4_100], ["SAC", SAC, 2_100]] as const) {
  Deno.test(`${name}: resume --steps M continues a finished run exactly like a direct M-step run`, async () => {
    const direct = await Deno.makeTempDir(), continued = await Deno.makeTempDir();
    await trainRun({ ...base, totalSteps: more, outDir: direct });
    const first = await trainRun({ ...base, outDir: continued });
    assert(first.completed);
    const again = await trainRun({ ...base, outDir: continued, resume: true });
    assertEquals(again.stepsThisCall, 0); // already finished: reused, nothing trained
    const extended = await trainRun({ ...base, totalSteps: more, outDir: continued, resume: true });
    assert(extended.completed);
    assertEquals(extended.stepsThisCall, more - base.totalSteps);
    assertEquals(
      await Deno.readTextFile(`${continued}/metrics.jsonl`),
      await Deno.readTextFile(`${direct}/metrics.jsonl`),
    );
    assertEquals(
      await loadCheckpointState(continued, more),
      await loadCheckpointState(direct, more),
    );
    const info = await readJson<RunInfo>(`${continued}/run.json`);
    assertEquals(info.status, "completed");
    assertEquals(info.totalSteps, more);
    // The old end point stays a checkpoint of the run.
    assert(info.checkpointSteps.includes(base.totalSteps));
    assert((await listCheckpoints(continued)).includes(base.totalSteps));
    assert(info.trainSeconds! > 0);
    for (const d of [direct, continued]) await Deno.remove(d, { recursive: true });
  });
}

Deno.test("a damaged checkpoint is named and the rejected resume changes nothing on disk", async () => {
  const dir = await Deno.makeTempDir();
  await trainRun({ ...PPO, outDir: dir, stopAtStep: 2_300 });
  const ckpt = `${dir}/checkpoints/${checkpointDirName(2_000)}`;
  const good = await Deno.readFile(`${ckpt}/agent.bin`);
  const cases: [string, () => Promise<void>, string][] = [
    ["zeroed bytes", async () => {
      const bad = good.slice();
      bad.fill(0, 64, 192);
      await Deno.writeFile(`${ckpt}/agent.bin`, bad);
    }, `${ckpt}/agent.bin is corrupt (SHA-256 checksum mismatch): delete ${ckpt}`],
    ["truncated", async () => {
      await Deno.writeFile(`${ckpt}/agent.bin`, good.subarray(0, 1000));
    }, `${ckpt}/agent.bin is truncated (1000 of ${good.length} bytes)`],
    ["run state edited", async () => {
      await Deno.writeFile(`${ckpt}/agent.bin`, good);
      const text = await Deno.readTextFile(`${ckpt}/run_state.json`);
      await Deno.writeTextFile(
        `${ckpt}/run_state.json`,
        text.replace(/"metricsRows": \d+/, '"metricsRows": 1'),
      );
    }, `${ckpt}/run_state.json is corrupt`],
  ];
  for (const [what, damage, message] of cases) {
    await damage();
    const before = await snapshotDir(dir);
    await assertRejects(() => trainRun({ ...PPO, outDir: dir, resume: true }), Error, message);
    assertEquals(await snapshotDir(dir), before, `${what}: the directory changed`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad resumes are rejected before anything on disk changes", async () => {
  const dir = await Deno.makeTempDir();
  await trainRun({ ...PPO, outDir: dir, stopAtStep: 2_300 });
  const before = await snapshotDir(dir);
  const rejected: [Parameters<typeof trainRun>[0], string][] = [
    [{ ...PPO, outDir: dir }, "pass resume (--resume)"],
    [{ ...PPO, seed: 4, outDir: dir, resume: true }, "seed was 3"],
    [
      { ...PPO, overrides: { n_steps: 256 }, outDir: dir, resume: true },
      "nSteps 512 → 256",
    ],
    [{ ...PPO, totalSteps: 2_000, outDir: dir, resume: true }, "pass --steps 2600 or more"],
  ];
  for (const [options, message] of rejected) {
    await assertRejects(() => trainRun(options), Error, message);
    assertEquals(await snapshotDir(dir), before, message);
  }
  // metrics.jsonl lost rows: the checkpoint cannot be matched, nothing is rewound.
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  await Deno.writeTextFile(`${dir}/metrics.jsonl`, text.split("\n").slice(0, 2).join("\n") + "\n");
  const cut = await snapshotDir(dir);
  await assertRejects(
    () => trainRun({ ...PPO, outDir: dir, resume: true }),
    Error,
    "metrics.jsonl has 2 rows, the checkpoint at step 2000 expects",
  );
  assertEquals(await snapshotDir(dir), cut);
  // A directory with other files is not taken over (and no checkpoints/ appears in it).
  const other = await Deno.makeTempDir();
  await Deno.writeTextFile(`${other}/notes.txt`, "mine");
  const mine = await snapshotDir(other);
  await assertRejects(
    () => trainRun({ ...PPO, outDir: other }),
    Error,
    "is not empty and holds no run.json (found notes.txt)",
  );
  assertEquals(await snapshotDir(other), mine);
  for (const d of [dir, other]) await Deno.remove(d, { recursive: true });
});

Deno.test("failed runs record status failed and the reason; an interrupted run resumes exactly", async () => {
  const full = await Deno.makeTempDir(), stopped = await Deno.makeTempDir();
  await trainRun({ ...PPO, outDir: full });
  const controller = new AbortController();
  await assertRejects(
    () =>
      trainRun({
        ...PPO,
        outDir: stopped,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.step >= 1_500) controller.abort("SIGINT");
        },
      }),
    Error,
    "interrupted by SIGINT",
  );
  const failed = await readJson<RunInfo>(`${stopped}/run.json`);
  assertEquals(failed.status, "failed");
  assertEquals(failed.failure?.reason, "interrupted by SIGINT");
  assert(failed.failure!.step >= 1_500 && failed.failure!.step < 2_600);
  const resumed = await trainRun({ ...PPO, outDir: stopped, resume: true });
  assert(resumed.completed);
  assertEquals(
    await Deno.readTextFile(`${stopped}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  const after = await readJson<RunInfo>(`${stopped}/run.json`);
  assertEquals([after.status, after.failure], ["completed", null]);
  assertEquals(after.pastFailures?.map((f) => f.reason), ["interrupted by SIGINT"]);

  // Divergence: an absurd learning rate makes the losses NaN; the run says so. (Without gSDE:
  // gSDE's variance floor of 1e-6 keeps its log-probabilities finite at any log_std.)
  const nan = await Deno.makeTempDir();
  const absurd = { ...PPO.overrides, use_sde: false, learning_rate: 1e30 };
  await assertRejects(
    () => trainRun({ ...PPO, overrides: absurd, outDir: nan }),
    Error,
    "NaN",
  );
  const diverged = await readJson<RunInfo>(`${nan}/run.json`);
  assertEquals(diverged.status, "failed");
  assert(diverged.failure!.reason.includes("NaN"), diverged.failure!.reason);
  for (const d of [full, stopped, nan]) await Deno.remove(d, { recursive: true });
});

Deno.test("checkpoints written before checksums (state format 1) still resume, with a note", async () => {
  const full = await Deno.makeTempDir(), old = await Deno.makeTempDir();
  await trainRun({ ...PPO, outDir: full });
  await trainRun({ ...PPO, outDir: old, stopAtStep: 2_300 });
  for (const step of await listCheckpoints(old)) {
    const ckpt = `${old}/checkpoints/${checkpointDirName(step)}`;
    const agent = JSON.parse(await Deno.readTextFile(`${ckpt}/agent.json`));
    delete agent.checksum;
    delete agent.blob;
    agent.format = "pgsubspace-state/1";
    await Deno.writeTextFile(`${ckpt}/agent.json`, JSON.stringify(agent));
    const runState = JSON.parse(await Deno.readTextFile(`${ckpt}/run_state.json`));
    delete runState.checksum;
    await Deno.writeTextFile(`${ckpt}/run_state.json`, JSON.stringify(runState));
  }
  const resumed = await trainRun({ ...PPO, outDir: old, resume: true });
  assert(resumed.completed);
  assertEquals(
    await Deno.readTextFile(`${old}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  for (const d of [full, old]) await Deno.remove(d, { recursive: true });
});

Deno.test("Ctrl-C on the train CLI: exit 130, two lines, run.json failed with the signal", async () => {
  const dir = await Deno.makeTempDir();
  const cli = new URL("../../tools/train.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      cli,
      ...["--algo", "ppo", "--env", "Pendulum-v1", "--seed", "3", "--steps", "200000"],
      ...["--eval-freq", "2000", "--eval-episodes", "1", "--checkpoint-every", "2000"],
      ...["--checkpoint-extra", "none", "--backend", "cpu", "--out", dir],
      ...["--set", "n_steps=512", "--set", "batch_size=128", "--set", "n_epochs=1"],
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 60_000;
  while (!(await listCheckpoints(dir)).includes(2_000) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill("SIGINT");
  const { code, stderr } = await child.output();
  assertEquals(code, 130);
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assertEquals(lines.slice(-2), [
    'error: training interrupted by SIGINT; run.json records status "failed"',
    "continue from the last checkpoint with the same command and --resume",
  ]);
  const info = await readJson<RunInfo>(`${dir}/run.json`);
  assertEquals([info.status, info.failure?.reason], ["failed", "interrupted by SIGINT"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SAC: a corrupted replay-buffer chunk is named; the rejected resume changes nothing", async () => {
  const dir = await Deno.makeTempDir();
  await trainRun({ ...SAC, outDir: dir, stopAtStep: 1_000 });
  // The resume rebuilds the buffer at step 800 (its last 300 transitions: the chunk of 800).
  const chunk = `${dir}/checkpoints/${checkpointDirName(800)}/replay.bin`;
  const bytes = await Deno.readFile(chunk);
  bytes.fill(0, 100, 400);
  await Deno.writeFile(chunk, bytes);
  const before = await snapshotDir(dir);
  await assertRejects(
    () => trainRun({ ...SAC, outDir: dir, resume: true }),
    Error,
    `${chunk} is corrupt (SHA-256 checksum mismatch)`,
  );
  assertEquals(await snapshotDir(dir), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a run made before a config field existed resumes (the field's default fills it in)", async () => {
  const dir = await Deno.makeTempDir();
  await trainRun({ ...SAC, outDir: dir, stopAtStep: 1_200 });
  // As saved by a version without gSDE: the SAC config had none of its fields.
  const info = await readJson<RunInfo>(`${dir}/run.json`);
  const config = info.config as Record<string, unknown>;
  for (const k of ["useSde", "sdeSampleFreq", "useSdeAtWarmup", "fullStd", "useExpln"]) {
    assert(k in config, k);
    delete config[k];
  }
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify(info, null, 2));
  const result = await trainRun({ ...SAC, outDir: dir, resume: true });
  assert(result.completed);
  // A real change is still refused, and named.
  await assertRejects(
    () =>
      trainRun({
        ...SAC,
        overrides: { ...SAC.overrides, gamma: 0.5 },
        totalSteps: 4_000,
        outDir: dir,
        resume: true,
      }),
    Error,
    "differ from the run's (gamma 0.",
  );
  await Deno.remove(dir, { recursive: true });
});
