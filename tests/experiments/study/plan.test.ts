// Planning a study: job ids, dependencies, array indices, scales, and the cost model's arithmetic.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type CalibrationEntry,
  DEFAULT_LAYOUT,
  defaultCalibration,
  estimateJob,
  fitHvpCost,
  planStudy,
  selectStudy,
  studyPreset,
} from "../../../lib/experiments/study/mod.ts";
import { analysedSteps, type ReproductionSettings } from "../../../lib/experiments/reproduce.ts";

const toy = () =>
  selectStudy(studyPreset("quick"), {
    scale: "toy",
    tasks: ["Pendulum-v1", "LunarLanderContinuous-v2"],
    seeds: [0, 1],
  });
const study = (settings: ReproductionSettings, layout = DEFAULT_LAYOUT) => ({
  format: "pgsubspace-study/1" as const,
  settings,
  layout,
  calibration: defaultCalibration(settings),
});

Deno.test("study plan: one training and one analysis job per run, analysis after its own run", () => {
  const plan = planStudy(study(toy()));
  const train = plan.jobs.filter((j) => j.stage === "train");
  const analyze = plan.jobs.filter((j) => j.stage === "analyze");
  assertEquals(train.length, 8); // 2 tasks × 2 algos × 2 seeds
  assertEquals(analyze.length, 8);
  assertEquals(plan.jobs.at(-1)!.id, "aggregate");
  assertEquals(plan.jobs.at(-1)!.dependsOn.length, 16);
  assertEquals(train.map((j) => j.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(analyze.map((j) => j.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(new Set(plan.jobs.map((j) => j.id)).size, plan.jobs.length);
  assert(train.some((j) => j.id === "train/LunarLanderContinuous-v2/sac/s1"));
  for (const a of analyze) {
    // aftercorr: analysis task i depends on training task i, of the same run, and nothing else.
    const t = train[a.index];
    assertEquals(a.dependsOn, [t.id]);
    assertEquals(a.id, t.id.replace(/^train\//, "analyze/"));
    assertEquals(a.run, t.run);
    assertEquals(a.steps, [0, 1024, 2048]);
  }
  // Full spectra for each experiment's first seed, at its last analysed step.
  assertEquals(analyze.filter((j) => j.spectrumSteps!.length > 0).map((j) => j.run!.seed), [
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("study plan: per-checkpoint analysis jobs", () => {
  const plan = planStudy(study(toy(), { ...DEFAULT_LAYOUT, analysisJobs: "checkpoint" }));
  const analyze = plan.jobs.filter((j) => j.stage === "analyze");
  assertEquals(analyze.length, 8 * 3);
  assertEquals(analyze.slice(0, 3).map((j) => j.id), [
    "analyze/Pendulum-v1/ppo/s0/t0",
    "analyze/Pendulum-v1/ppo/s0/t1024",
    "analyze/Pendulum-v1/ppo/s0/t2048",
  ]);
  for (const a of analyze) {
    assertEquals(a.steps!.length, 1);
    assertEquals(a.dependsOn, [a.id.replace(/^analyze\//, "train/").replace(/\/t\d+$/, "")]);
    // The spectrum is computed by the last checkpoint's job only.
    assertEquals(a.spectrumSteps!.length > 0, a.steps![0] === 2048 && a.run!.seed === 0);
  }
});

Deno.test("study settings: paper scale follows paper-notes §7.1, §7.4, §7.5", () => {
  const s = selectStudy(studyPreset("main-text"), { scale: "paper" });
  assertEquals(s.name, "main-text-paper");
  assertEquals([...new Set(s.experiments.map((e) => e.envId))], [
    "Walker2d-v4",
    "dmc_Finger-spin-v1",
  ]);
  const walker = s.experiments.find((e) => e.envId === "Walker2d-v4" && e.algo === "sac")!;
  assertEquals(walker.totalSteps, 3_000_000);
  assertEquals(walker.seeds.length, 10);
  const steps = analysedSteps(walker);
  assertEquals(steps.length, 31);
  assertEquals(steps.slice(0, 3), [0, 100_000, 200_000]);
  assertEquals(walker.checkpointEvery, 50_000);
  assertEquals(walker.checkpointExtra, [10_000]);
  assertEquals(s.analysis.preciseSamples, 1_000_000);
  assertEquals(Math.max(...s.analysis.ks!), 100);
  assertEquals(s.k, 100);
  const finger = s.experiments.find((e) => e.envId === "dmc_Finger-spin-v1")!;
  assertEquals(finger.totalSteps, 1_000_000);
  assertEquals(planStudy(study(s)).jobs.length, 4 * 10 * 2 + 1);
});

Deno.test("study settings: bad tasks, algorithms, scales and presets name the valid ones", () => {
  const base = studyPreset("quick");
  assertThrows(() => selectStudy(base, { tasks: ["Pendulum-v9"] }), Error, "valid tasks are");
  assertThrows(() => selectStudy(base, { algos: ["td3"] }), Error, "valid algorithms are ppo, sac");
  assertThrows(() => selectStudy(base, { scale: "huge" }), Error, "valid scales are preset, toy");
  assertThrows(() => studyPreset("nope"), Error, "valid presets are quick, pendulum");
  const twice = { ...base, experiments: [base.experiments[0], base.experiments[0]] };
  assertThrows(() => planStudy(study(twice)), Error, "two experiments train ppo on Pendulum-v1");
});

/** A calibration entry with round numbers for hand-computed estimates. */
const handEntry = (n: CalibrationEntry["n"]): CalibrationEntry => ({
  stepsPerSecond: 1_000,
  hvpSecondsPerSampleParam: 1e-6,
  hvpSecondsFixed: 0,
  n,
  baseMemoryMiB: 300,
  transitionBytes: 200,
});

Deno.test("study estimates: the cost model's arithmetic, by hand", () => {
  const s = toy();
  const e = s.experiments[0]; // PPO Pendulum, n_steps 256, precise 300, ks [1, 3]
  const cal = handEntry({ actor: 100, critic: 50 });
  assertEquals(estimateJob(cal, e, s, { train: true }), { seconds: 2 + 2.048, memoryMiB: 300 });
  const k = 3, solve = 6 * k + 40; // HVPs per top-k solve
  const expected = 2 + 300 / 2_000 + // start, fresh rollouts
    solve * (1e-6 * 300 * 100 + 1e-6 * 256 * 100) + // actor: precise + mini-batch
    solve * (1e-6 * 300 * 50 + 1e-6 * 256 * 50); // critic
  const got = estimateJob(cal, e, s, { steps: [1024] });
  assert(Math.abs(got.seconds - expected) < 1e-9, `${got.seconds} vs ${expected}`);
  // Two checkpoints cost twice the analysis work of one.
  const two = estimateJob(cal, e, s, { steps: [0, 1024] });
  assert(Math.abs(two.seconds - 2 - 2 * (expected - 2)) < 1e-9);
});

Deno.test("study estimates: SAC analyses the buffer at t (step 0: 50k random), capped", () => {
  const base = toy();
  const e = base.experiments.find((x) => x.algo === "sac")!;
  const cal = handEntry({ actor: 10, critic: 20 });
  const analysisSeconds = (precise: number, t: number) => {
    const s = { ...base, analysis: { ...base.analysis, preciseSamples: precise, ks: [1] } };
    return estimateJob(cal, e, s, { steps: [t] }).seconds - 2;
  };
  const miniBatch = 2_048, solve = 6 * 1 + 40; // HVPs of a top-1 solve
  const expected = (samples: number) => solve * 1e-6 * (samples + miniBatch) * (10 + 20);
  const close = (a: number, b: number) => assert(Math.abs(a - b) < 1e-9 * b, `${a} vs ${b}`);
  close(analysisSeconds(1_000_000, 3_000), expected(3_000)); // the whole buffer at t
  close(analysisSeconds(2_000, 3_000), expected(2_000)); // subsampled to preciseSamples
  close(analysisSeconds(1_000_000, 0), expected(50_000)); // step 0: the random transitions
  close(analysisSeconds(2_000, 0), expected(2_000));
});

Deno.test("fitHvpCost: exact timings give both costs back; else the fit through 0", () => {
  const timed = (samples: number, n: number, a: number, f: number, hvps = 20) => ({
    hvpCount: hvps,
    seconds: hvps * (a * samples * n + f),
    samples,
    n,
  });
  const fit = fitHvpCost([
    timed(1_000, 400, 2e-10, 3e-4),
    timed(8_000, 400, 2e-10, 3e-4, 50),
    timed(2_048, 700, 2e-10, 3e-4, 30),
  ])!;
  assert(Math.abs(fit.perSampleParam - 2e-10) < 1e-16, `${fit.perSampleParam}`);
  assert(Math.abs(fit.fixed - 3e-4) < 1e-12, `${fit.fixed}`);
  // One distinct samples × n: the ratio through the origin (fixed 0), which over-estimates.
  assertEquals(fitHvpCost([timed(1_000, 400, 1e-9, 0)]), { perSampleParam: 1e-9, fixed: 0 });
  // Timings that would need a negative fixed cost are fitted through the origin.
  const negative = fitHvpCost([timed(1_000, 100, 1e-9, 0), timed(2_000, 100, 3e-9, 0)])!;
  assertEquals(negative.fixed, 0);
  assert(negative.perSampleParam > 0);
  assertEquals(fitHvpCost([]), null);
});
