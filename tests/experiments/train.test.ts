import { assert, assertEquals, assertRejects } from "@std/assert";
import { checkpointSchedule, listCheckpoints, trainRun } from "../../lib/experiments/train.ts";
import { readJson } from "../../lib/experiments/files.ts";

const SMALL = {
  algo: "ppo" as const,
  envId: "Pendulum-v1",
  seed: 3,
  totalSteps: 2_600,
  evalFreq: 1_000,
  evalEpisodes: 2,
  checkpointEvery: 1_000,
  checkpointExtra: [],
  overrides: { n_steps: 512, batch_size: 128, n_epochs: 2 },
  backend: "cpu" as const,
};

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
    ...["--checkpoint-extra", "", "--backend", "cpu", "--out", killed],
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
