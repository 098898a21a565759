import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  checkpointDirName,
  checkpointSchedule,
  listCheckpoints,
  loadCheckpointReplayBuffer,
  loadCheckpointState,
  trainRun,
} from "../../lib/experiments/train.ts";
import { readJson } from "../../lib/io/files.ts";
import { makeEnv } from "../../lib/envs/mod.ts";
import { SacAgent, type SacAgentState } from "../../lib/agents/sac/sac.ts";
import { SAC_SMALL, SMALL } from "./_runs.ts";

Deno.test("checkpointSchedule: 0, extras, multiples and the last step", () => {
  assertEquals(checkpointSchedule(120_000, 50_000, [10_000]), [
    0,
    10_000,
    50_000,
    100_000,
    120_000,
  ]);
  assertEquals(checkpointSchedule(100, 0, []), [0, 100]);
});

Deno.test("same seed, same backend: byte-identical metrics; the run directory is complete", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  await trainRun({ ...SMALL, outDir: a });
  await trainRun({ ...SMALL, outDir: b });
  const ma = await Deno.readTextFile(`${a}/metrics.jsonl`);
  assertEquals(ma, await Deno.readTextFile(`${b}/metrics.jsonl`));
  const rows = ma.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.filter((r) => r.event === "eval").map((r) => r.step), [0, 1000, 2000]);
  assertEquals(rows.filter((r) => r.event === "train").map((r) => r.step), [
    512,
    1024,
    1536,
    2048,
    2560,
  ]);
  assertEquals(await listCheckpoints(a), [0, 1000, 2000, 2600]);
  const info = await readJson<{ status: string; config: { nSteps: number } }>(`${a}/run.json`);
  assertEquals(info.status, "completed");
  assertEquals(info.config.nSteps, 512);
  await assertRejects(() => trainRun({ ...SMALL, outDir: a }), Error, "--resume");
  for (const d of [a, b]) await Deno.remove(d, { recursive: true });
});

Deno.test("n_envs = 4: evaluations and checkpoints where a step count is reached or crossed", async () => {
  const dir = await Deno.makeTempDir();
  // 4 × 128 = 512 transitions per rollout; one agent step is 4 environment steps: 998 is
  // crossed at step 1000, 1996 reached exactly; checkpoints at 1000, 2000, 2600 are reached.
  await trainRun({
    ...SMALL,
    outDir: dir,
    evalFreq: 998,
    overrides: { ...SMALL.overrides, n_steps: 128, n_envs: 4 },
  });
  const rows = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assertEquals(rows.filter((r) => r.event === "eval").map((r) => r.step), [0, 1000, 1996]);
  assertEquals(rows.filter((r) => r.event === "train").map((r) => r.step), [
    512,
    1024,
    1536,
    2048,
    2560,
  ]);
  assertEquals(await listCheckpoints(dir), [0, 1000, 2000, 2600]);
  await Deno.remove(dir, { recursive: true });
});
Deno.test("resume after a kill mid-rollout continues exactly", async () => {
  const full = await Deno.makeTempDir(), killed = await Deno.makeTempDir();
  await trainRun({ ...SMALL, outDir: full });
  // Stop at 2300: the last checkpoint (2000) is in the middle of the 4th rollout, and the rows
  // written after it must be dropped on resume.
  const partial = await trainRun({ ...SMALL, outDir: killed, stopAtStep: 2_300 });
  assert(!partial.completed);
  await Deno.writeTextFile(`${killed}/metrics.jsonl`, '{"event":"tr', { append: true }); // cut line
  const resumed = await trainRun({ ...SMALL, outDir: killed, resume: true });
  assert(resumed.completed);
  assertEquals(resumed.stepsThisCall, 600);
  assertEquals(
    await Deno.readTextFile(`${killed}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  await assertRejects(
    () => trainRun({ ...SMALL, seed: 4, outDir: killed, resume: true }),
    Error,
    "seed was 3",
  );
  for (const d of [full, killed]) await Deno.remove(d, { recursive: true });
});

Deno.test("a SIGKILLed CLI run resumes from its last checkpoint to the uninterrupted result", async () => {
  const full = await Deno.makeTempDir(), killed = await Deno.makeTempDir();
  const common = { ...SMALL, totalSteps: 12_000, checkpointEvery: 2_000, evalFreq: 2_000 };
  await trainRun({ ...common, outDir: full });
  const cli = new URL("../../tools/train.ts", import.meta.url).pathname;
  const args = [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    cli,
    ...["--algo", "ppo", "--env", "Pendulum-v1", "--seed", "3", "--steps", "12000"],
    ...["--eval-freq", "2000", "--eval-episodes", "2", "--checkpoint-every", "2000"],
    ...["--checkpoint-extra", "none", "--backend", "cpu", "--out", killed],
    ...["--set", "n_steps=512", "--set", "batch_size=128", "--set", "n_epochs=2"],
  ];
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" })
    .spawn();
  const deadline = Date.now() + 60_000;
  while (!(await listCheckpoints(killed)).includes(4_000) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill("SIGKILL");
  await child.status;
  const before = await listCheckpoints(killed);
  assert(before.includes(4_000) && !before.includes(12_000), `checkpoints ${before}`);
  const resume = new Deno.Command(Deno.execPath(), {
    args: [...args, "--resume"],
    stdout: "null",
    stderr: "piped",
  });
  const out = await resume.output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  assertEquals(
    await Deno.readTextFile(`${killed}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  for (const d of [full, killed]) await Deno.remove(d, { recursive: true });
});

// ---- SAC runs: metrics by episode, incremental replay-buffer checkpoints, exact resume.

Deno.test("SAC: byte-identical metrics, train rows per episode, replay chunks of new transitions only", async () => {
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  await trainRun({ ...SAC_SMALL, outDir: a });
  await trainRun({ ...SAC_SMALL, outDir: b });
  const ma = await Deno.readTextFile(`${a}/metrics.jsonl`);
  assertEquals(ma, await Deno.readTextFile(`${b}/metrics.jsonl`));
  const rows = ma.trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(rows.filter((r) => r.event === "eval").map((r) => r.step), [0, 400, 800, 1200]);
  const train = rows.filter((r) => r.event === "train");
  assertEquals(train.map((r) => r.step), [200, 400, 600, 800, 1000, 1200]);
  // Training phases ran after steps 101..199 when the first episode ended at 200.
  assertEquals(train[0]["train/n_updates"], 99);
  assertEquals(train[0]["rollout/ep_len_mean"], 200);
  for (const k of ["actor_loss", "critic_loss", "ent_coef", "ent_coef_loss", "learning_rate"]) {
    assert(Number.isFinite(train[0][`train/${k}`]), k);
  }
  assertEquals(await listCheckpoints(a), [0, 400, 800, 1200, 1300]);
  // Chunk k holds the transitions since checkpoint k−1, capped at the 300 the buffer keeps:
  // 34 bytes each (Pendulum: 4·(3 + 3 + 1 + 1) + 2 flags) plus < 8 bytes of alignment.
  const expected = [0, 300, 300, 300, 100];
  const steps = await listCheckpoints(a);
  for (const [i, step] of steps.entries()) {
    const dir = `${a}/checkpoints/${checkpointDirName(step)}`;
    const bytes = (await Deno.stat(`${dir}/replay.bin`)).size;
    assert(bytes >= 34 * expected[i] && bytes < 34 * expected[i] + 8, `step ${step}: ${bytes}`);
    const agentBytes = (await Deno.stat(`${dir}/agent.bin`)).size;
    assert(agentBytes < (await Deno.stat(`${a}/checkpoints/step_0000000/agent.bin`)).size + 64);
  }
  // The buffer rebuilt at step 800 equals that of an agent trained directly to step 800.
  const info = await readJson<{ config: Record<string, unknown> }>(`${a}/run.json`);
  const direct = new SacAgent({ env: makeEnv("Pendulum-v1"), config: info.config, seed: 5 });
  for (let t = 0; t < 800; t++) direct.step();
  const rebuilt = await loadCheckpointReplayBuffer(a, 800);
  assertEquals(rebuilt.getState(), direct.replayBuffer.getState());
  const state = (await loadCheckpointState(a, 800)) as SacAgentState;
  assertEquals(state.replayBuffer, direct.replayBuffer.getState());
  assertEquals(state.engine.thetaActor, direct.thetaActor);
  for (const d of [a, b]) await Deno.remove(d, { recursive: true });
});

Deno.test("SAC: resume after a kill continues exactly, replay buffer included", async () => {
  const full = await Deno.makeTempDir(), killed = await Deno.makeTempDir();
  await trainRun({ ...SAC_SMALL, outDir: full });
  const partial = await trainRun({ ...SAC_SMALL, outDir: killed, stopAtStep: 1_000 });
  assert(!partial.completed);
  await Deno.writeTextFile(`${killed}/metrics.jsonl`, '{"event":"tr', { append: true });
  const resumed = await trainRun({ ...SAC_SMALL, outDir: killed, resume: true });
  assert(resumed.completed);
  assertEquals(resumed.stepsThisCall, 500); // from the checkpoint at 800
  assertEquals(
    await Deno.readTextFile(`${killed}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  assertEquals(await loadCheckpointState(killed, 1_300), await loadCheckpointState(full, 1_300));
  for (const d of [full, killed]) await Deno.remove(d, { recursive: true });
});

Deno.test("SAC: a SIGKILLed CLI run resumes to the uninterrupted result", async () => {
  const full = await Deno.makeTempDir(), killed = await Deno.makeTempDir();
  const common = { ...SAC_SMALL, totalSteps: 6_000, checkpointEvery: 1_000, evalFreq: 1_000 };
  await trainRun({ ...common, outDir: full });
  const cli = new URL("../../tools/train.ts", import.meta.url).pathname;
  const args = [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    cli,
    ...["--algo", "sac", "--env", "Pendulum-v1", "--seed", "5", "--steps", "6000"],
    ...["--eval-freq", "1000", "--eval-episodes", "1", "--checkpoint-every", "1000"],
    ...["--checkpoint-extra", "none", "--backend", "cpu", "--log-interval", "1", "--out", killed],
    ...["--set", "net_arch=[16,16]", "--set", "batch_size=32", "--set", "buffer_size=300"],
    ...["--set", "learning_starts=100", "--threads", "1"],
  ];
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" })
    .spawn();
  const deadline = Date.now() + 60_000;
  while (!(await listCheckpoints(killed)).includes(2_000) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill("SIGKILL");
  await child.status;
  const before = await listCheckpoints(killed);
  assert(before.includes(2_000) && !before.includes(6_000), `checkpoints ${before}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, "--resume"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  assertEquals(
    await Deno.readTextFile(`${killed}/metrics.jsonl`),
    await Deno.readTextFile(`${full}/metrics.jsonl`),
  );
  assertEquals(await loadCheckpointState(killed, 6_000), await loadCheckpointState(full, 6_000));
  for (const d of [full, killed]) await Deno.remove(d, { recursive: true });
});

Deno.test("MuJoCo run: the preset's envOptions reach the envs (Ant-v4: 111 dims); resume is exact", async () => {
  const options = {
    algo: "ppo" as const,
    envId: "Ant-v4",
    seed: 1,
    totalSteps: 900,
    evalFreq: 450,
    evalEpisodes: 1,
    checkpointEvery: 300,
    checkpointExtra: [],
    overrides: { n_steps: 256, batch_size: 64, n_epochs: 1 },
    backend: "cpu" as const,
  };
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  try {
    await trainRun({ ...options, outDir: a });
    const info = await readJson<{ envOptions: unknown }>(`${a}/run.json`);
    assertEquals(info.envOptions, { use_contact_forces: true });
    const state = await loadCheckpointState(a, 900) as { thetaActor: Float32Array };
    // 111 inputs, 64x64 tanh, 8 means and 8 log-stds (paper-notes §7.2: 11,856).
    assertEquals(state.thetaActor.length, 11_856);
    await trainRun({ ...options, outDir: b, stopAtStep: 500 });
    await trainRun({ ...options, outDir: b, resume: true });
    assertEquals(
      await Deno.readTextFile(`${b}/metrics.jsonl`),
      await Deno.readTextFile(`${a}/metrics.jsonl`),
    );
    await assertRejects(
      () => trainRun({ ...options, outDir: b, resume: true, envOptions: {} }),
      Error,
      "envOptions",
    );
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});
