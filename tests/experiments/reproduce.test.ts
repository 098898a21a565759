import { assert, assertEquals, assertThrows } from "@std/assert";
import { REPRODUCTION_PRESETS, reproductionPreset } from "../../lib/experiments/reproduce.ts";
import { checkpointSchedule } from "../../lib/experiments/train.ts";

Deno.test("reproduction presets: t1 is an analysed step of every experiment; k is analysed", () => {
  for (const name of REPRODUCTION_PRESETS) {
    const s = reproductionPreset(name);
    assert(s.analysis.ks!.includes(s.k), `${name}: k = ${s.k} not in ks`);
    for (const e of s.experiments) {
      const steps = checkpointSchedule(e.totalSteps, e.checkpointEvery, e.checkpointExtra);
      assert(steps.includes(s.t1), `${name}/${e.algo}: t1 ${s.t1} not a checkpoint (${steps})`);
      assert(steps.some((t) => t > s.t1), `${name}/${e.algo}: no checkpoint after t1`);
      assert(e.seeds.length >= 2, `${name}: mean ± std needs several seeds`);
    }
  }
  // deno-lint-ignore no-explicit-any
  assertThrows(() => reproductionPreset("huge" as any), Error, "quick, pendulum, paper-pendulum");
});

Deno.test("runReproduction: plan first, 'reused' for what is on disk, report from the files", async () => {
  const { runReproduction, reproductionPlan, formatPlan, rebuildReport } = await import(
    "../../lib/experiments/reproduce.ts"
  );
  const tiny = {
    name: "tiny",
    experiments: [{
      algo: "ppo" as const,
      envId: "Pendulum-v1",
      seeds: [0, 1],
      totalSteps: 2_048,
      overrides: { net_arch: [8], n_steps: 256, batch_size: 64, n_epochs: 2 },
      checkpointEvery: 1_024,
      checkpointExtra: [],
      evalFreq: 1_024,
      evalEpisodes: 1,
    }],
    analysis: {
      preciseSamples: 300,
      ks: [1, 3],
      tol: 1e-4,
      seed: 0,
      spectrumSteps: "last" as const,
    },
    k: 3,
    t1: 1_024,
    smoothingSteps: 256,
    spectrumSeeds: "first" as const,
  };
  const out = await Deno.makeTempDir();
  const logs: string[] = [];
  const first = await runReproduction(tiny, {
    outRoot: out,
    backend: "cpu",
    log: (m) => logs.push(m),
  });
  assert(logs[0].startsWith("plan (2 runs, 2 with work left; ETA about "), logs[0]);
  assert(
    logs[0].includes(
      "PPO Pendulum-v1 seed 0: train 2,048 steps; analyse 3 checkpoints + full spectra",
    ),
  );
  assert(logs.some((l) => l.startsWith("  trained 2,048 steps in ")), logs.join("\n"));
  assert(first.reportPath !== null);
  const html = await Deno.readTextFile(first.reportPath!);
  assert(html.includes("Reduced-scale reproduction"));
  // Everything on disk: the plan and the log say "reuse"/"reused", nothing is trained again.
  const plan = await reproductionPlan(tiny, out);
  assertEquals(plan.map((p) => [p.training, p.analysis]), [["reused", "reused"], [
    "reused",
    "reused",
  ]]);
  assert(formatPlan(plan).includes("0 with work left"));
  logs.length = 0;
  await runReproduction(tiny, { outRoot: out, backend: "cpu", log: (m) => logs.push(m) });
  assert(
    logs.some((l) => l.includes("seed 0: training reused (2,048 steps on disk)")),
    logs.join("\n"),
  );
  assert(logs.some((l) => l.includes("analysis reused (3 checkpoints on disk)")), logs.join("\n"));
  assert(!logs.some((l) => l.startsWith("  trained")), logs.join("\n"));
  // Other settings into the same directory are refused; the report rebuilds from disk alone.
  const { assertRejects } = await import("@std/assert");
  await assertRejects(
    () => runReproduction({ ...tiny, k: 1 }, { outRoot: out, backend: "cpu" }),
    Error,
    "holds a reproduction with other settings",
  );
  await Deno.remove(first.reportPath!);
  assertEquals(await rebuildReport(out), `${out}/report.html`);
  await Deno.remove(out, { recursive: true });
});
