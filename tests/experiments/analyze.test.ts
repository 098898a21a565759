// End to end: a tiny Pendulum PPO run trained and analysed (eigen caches, S_frac rows for every
// estimator and k, overlaps, full spectrum), checked against a dense eigendecomposition of the
// explicit precise Hessian built independently of the pipeline; resume, partial recomputation,
// settings separation, no tensor leaks; the CLI parser.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { trainRun } from "../../lib/experiments/train.ts";
import {
  type AnalyzeOptions,
  analyzeRun,
  formatAnalyzeProgress,
  loadEigenCache,
  readAnalysis,
  selectAnalysisSteps,
} from "../../lib/experiments/analyze.ts";
import { loadCheckpointState } from "../../lib/experiments/train.ts";
import { symmetricEigen } from "../../lib/linalg/symmetric_eigen.ts";
import {
  explicitHessian,
  gradientSubspaceFraction,
  makeHessianOperator,
  measureCheckpoint,
  PpoCheckpointProblem,
  sacAnalysis,
  subspaceOverlap,
} from "../../lib/subspaces/mod.ts";
import { readJson } from "../../lib/io/files.ts";
import { parseAnalyzeArgs } from "../../tools/analyze.ts";

const runDir = await Deno.makeTempDir({ prefix: "pgsubspace-analyze-" });
await trainRun({
  algo: "ppo",
  envId: "Pendulum-v1",
  seed: 2,
  totalSteps: 600,
  outDir: runDir,
  evalFreq: 0,
  checkpointEvery: 300,
  checkpointExtra: [],
  overrides: { n_steps: 200, batch_size: 64, n_epochs: 2, net_arch: [8], learning_rate: 3e-3 },
  backend: "cpu",
});

const OPTIONS: AnalyzeOptions = {
  runDir,
  preciseSamples: 500,
  ks: [1, 2, 5],
  tol: 1e-4,
  seed: 3,
  chunkSize: 256,
  spectrumSteps: "last",
  backend: "cpu",
};

Deno.test("analyzeRun: rows, caches, overlaps and spectrum; eigenpairs and S_frac match a dense reference; resumes", async () => {
  const tensorsBefore = tf.memory().numTensors;
  const phases = new Set<string>();
  const first = await analyzeRun({ ...OPTIONS, onProgress: (p) => phases.add(p.phase) });
  assertEquals(tf.memory().numTensors, tensorsBefore, "the analysis leaked tensors");
  for (const phase of ["data", "hessian", "gradients", "spectrum", "overlaps", "done"]) {
    assert(phases.has(phase), `no progress report for phase ${phase}`);
  }
  assertEquals(first.steps, [0, 300, 600]);
  assertEquals(first.computedSteps, [0, 300, 600]);
  assert(first.hvpCount > 0);

  // 3 steps × 2 networks × 4 estimator combinations × 3 k's.
  assertEquals(first.results.length, 72);
  for (const r of first.results) {
    assertEquals([r.task, r.algo, r.seed], ["Pendulum-v1", "ppo", 2]);
    assert(r.value >= 0 && r.value <= 1 + 1e-9, `S_frac ${r.value} outside [0, 1]`);
    // The preset's gSDE: the actor's log_std is an 8×1 matrix (41 + 8; plain Gaussian 42).
    assertEquals(r.n, r.network === "actor" ? 49 : 41);
  }
  for (const step of first.steps) {
    for (const network of ["actor", "critic"]) {
      for (
        const e of [
          "precise/precise",
          "minibatch/precise",
          "minibatch/minibatch",
          "precise/minibatch",
        ]
      ) {
        const v = [1, 2, 5].map((k) =>
          first.results.find((r) =>
            r.step === step && r.network === network && r.estimator === e && r.k === k
          )!.value
        );
        assert(v[0] <= v[1] + 1e-12 && v[1] <= v[2] + 1e-12, `S_frac not monotone in k: ${v}`);
      }
    }
  }
  // Overlaps: (0, 300), (0, 600), (300, 600) × 2 networks × 3 k's.
  assertEquals(first.overlaps.length, 18);
  for (const o of first.overlaps) assert(o.t1 < o.t2 && o.value >= 0 && o.value <= 1 + 1e-9);

  // Independent reference for step 300, critic, precise Hessian: the same data (seeded by
  // (seed, step)), the explicit Hessian from N unit-vector HVPs and a dense eigendecomposition.
  const problem = new PpoCheckpointProblem({
    state: await loadCheckpointState(runDir, 300),
    envId: "Pendulum-v1",
    step: 300,
    settings: { preciseSamples: 500, chunkSize: 500, seed: 3, quirks: {} },
  });
  const loss = problem.loss("critic", "precise");
  const op = makeHessianOperator(loss, { engine: "cpu" });
  const n = op.n;
  const dense = symmetricEigen((await explicitHessian(op.asOperator(), n)).matrix, n);
  const gradient = await op.gradient();
  op.dispose();
  loss.dispose();
  const cache = (await loadEigenCache(first.analysisDir, 300, "critic", "precise"))!;
  assertEquals([cache.info.k, cache.info.n, cache.info.samples], [5, 41, 500]);
  for (let i = 0; i < 5; i++) {
    const rel = Math.abs(cache.info.eigenvalues[i] - dense.values[i]) / Math.abs(dense.values[i]);
    assert(
      rel < 1e-4,
      `eigenvalue ${i}: cached ${cache.info.eigenvalues[i]} vs dense ${dense.values[i]}`,
    );
  }
  const denseTop = Array.from({ length: 5 }, (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n));
  for (const k of [1, 2, 5]) {
    const expected = gradientSubspaceFraction(denseTop, gradient, k);
    const row = first.results.find((r) =>
      r.step === 300 && r.network === "critic" && r.estimator === "precise/precise" && r.k === k
    )!;
    assertAlmostEquals(row.value, expected, 1e-3, `S_frac(k=${k}) ${row.value} vs ${expected}`);
  }
  // The full spectrum of the last step: all N eigenvalues, its top = the Lanczos top.
  const spectrum = first.spectra["600/critic"];
  if (spectrum?.kind !== "explicit") throw new Error("no explicit spectrum for step 600");
  assertEquals(spectrum.eigenvalues.length, 41);
  const top600 = (await loadEigenCache(first.analysisDir, 600, "critic", "precise"))!;
  assertAlmostEquals(
    spectrum.eigenvalues[0],
    top600.info.eigenvalues[0],
    1e-4 * Math.abs(spectrum.eigenvalues[0]),
  );

  // Files.
  const files = ["analysis.json", "results.jsonl", "overlaps.jsonl", "steps/step_0000300.json"];
  for (const f of files) await Deno.stat(`${first.analysisDir}/${f}`);
  await Deno.stat(`${first.analysisDir}/eigen/step_0000000_actor_minibatch.bin`);
  await Deno.stat(`${first.analysisDir}/spectrum/step_0000600_actor.json`);
  const onDisk = await readAnalysis(first.analysisDir);
  assertEquals(onDisk.results, first.results);
  assertEquals(onDisk.overlaps, first.overlaps);

  // Rerun: nothing to compute, same rows.
  const again = await analyzeRun(OPTIONS);
  assertEquals(again.computedSteps, []);
  assertEquals(again.hvpCount, 0);
  assertEquals(again.results, first.results);
  assertEquals(again.spectra["600/actor"]?.kind, "explicit");

  // A kill after step 300's eigen cache but before its step record: only the missing parts are
  // recomputed, and the seeded data reproduces the same numbers.
  await Deno.remove(`${first.analysisDir}/steps/step_0000300.json`);
  await Deno.remove(`${first.analysisDir}/eigen/step_0000300_actor_minibatch.json`);
  const resumed = await analyzeRun(OPTIONS);
  assertEquals(resumed.computedSteps, [300]);
  assert(resumed.hvpCount > 0 && resumed.hvpCount < first.hvpCount / 3);
  assertEquals(resumed.results.length, first.results.length);
  resumed.results.forEach((r, i) => assertAlmostEquals(r.value, first.results[i].value, 1e-9));

  // Other settings go to another directory.
  const other = await analyzeRun({ ...OPTIONS, steps: [600], spectrumSteps: undefined, tol: 1e-3 });
  assert(other.analysisId !== first.analysisId);
  assertEquals(other.steps, [600]);
  assertEquals(other.overlaps, []);
});

Deno.test("analyzeRun writes what measureCheckpoint measures: the same S_frac rows to the bit, overlaps of the cached bases", async () => {
  const analysis = await analyzeRun(OPTIONS);
  assertEquals(analysis.computedSteps, [], "the first test's analysis is reused");
  const problem = new PpoCheckpointProblem({
    state: await loadCheckpointState(runDir, 600),
    envId: "Pendulum-v1",
    step: 600,
    settings: { preciseSamples: 500, chunkSize: 256, seed: 3, quirks: {} },
  });
  try {
    const m = await measureCheckpoint(problem, {
      ks: [1, 2, 5],
      tol: 1e-4,
      maxIter: 500,
      seed: 3,
      hessian: { engine: "auto", fast: { threads: "auto" } },
    });
    const rows = analysis.results.filter((r) => r.step === 600);
    const measured = m.networks.flatMap((net) =>
      net.fractions.flatMap((f) =>
        [1, 2, 5].map((k, j) => ({
          network: net.network,
          estimator: f.estimator,
          k,
          value: f.values[j],
          n: net.n,
        }))
      )
    );
    assertEquals(
      rows.map(({ network, estimator, k, value, n }) => ({ network, estimator, k, value, n })),
      measured,
    );
  } finally {
    problem.dispose();
  }
  const [a, b] = await Promise.all(
    [0, 600].map((s) => loadEigenCache(analysis.analysisDir, s, "actor", "precise")),
  );
  const row = analysis.overlaps.find((o) =>
    o.network === "actor" && o.t1 === 0 && o.t2 === 600 && o.k === 5
  )!;
  assertAlmostEquals(row.value, subspaceOverlap(a!.eigenvectors, b!.eigenvectors, 5), 1e-12);
});

Deno.test("analyzeRun: clear errors for a missing step, a non-run directory and bad settings", async () => {
  await assertRejects(
    () => analyzeRun({ ...OPTIONS, steps: [123] }),
    Error,
    "No checkpoint at step 123",
  );
  await assertRejects(
    () => analyzeRun({ ...OPTIONS, runDir: "/tmp" }),
    Error,
    "not a run directory",
  );
  await assertRejects(() => analyzeRun({ ...OPTIONS, ks: [0] }), RangeError, "ks");
  await assertRejects(
    () => analyzeRun({ ...OPTIONS, networks: ["qf" as "actor"] }),
    RangeError,
    "subset",
  );
  await assertRejects(
    () => analyzeRun({ ...OPTIONS, quirks: { nope: true } as never }),
    RangeError,
    "unknown quirk",
  );
});

Deno.test("step grid, progress line and CLI parser", () => {
  assertEquals(selectAnalysisSteps([0, 10_000, 50_000, 100_000, 150_000, 200_000], 100_000), [
    0,
    100_000,
    200_000,
  ]);
  assertEquals(selectAnalysisSteps([0, 10_000, 50_000], 10_000, 10_000), [10_000, 50_000]);
  const line = formatAnalyzeProgress({
    phase: "hessian",
    step: 50_000,
    network: "actor",
    estimator: "precise",
    solvesDone: 1,
    solvesTotal: 4,
    hvps: 120,
    hvpsTotal: 400,
    converged: 3,
    wanted: 10,
    elapsedSeconds: 60,
    etaSeconds: 180,
  });
  assert(line.includes("1/4 solves") && line.includes("120 HVPs") && line.includes("ETA 3:00"));
  const { options, minInterval } = parseAnalyzeArgs([
    "--run",
    "runs/x",
    "--k",
    "1,10",
    "--tol",
    "1e-3",
    "--precise-samples",
    "100000",
    "--spectrum",
    "last",
    "--ppo-minibatch-default-gae",
    "--min-interval",
    "50000",
  ]);
  assertEquals(options.ks, [1, 10]);
  assertEquals(options.tol, 1e-3);
  assertEquals(options.preciseSamples, 100_000);
  assertEquals(options.spectrumSteps, "last");
  assertEquals(options.quirks, { ppoMiniBatchDefaultGae: true, sacActorDetachQ: false });
  assertEquals(minInterval, 50_000);
  assertThrows(() => parseAnalyzeArgs(["--k", "1"]), Error, "missing --run");
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--bogus", "1"]), Error, "unknown option");
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--k", "a"]), Error, "integers");
  assertEquals(parseAnalyzeArgs(["--run", "x", "--networks", "critic"]).options.networks, [
    "critic",
  ]);
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--networks", "qf"]), Error, "actor and/or");
  const engine = parseAnalyzeArgs(["--run", "x", "--engine", "cpu", "--engine-threads", "1"]);
  assertEquals([engine.options.engine, engine.options.engineThreads], ["cpu", 1]);
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--engine", "gpu"]), Error, "--engine");
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--engine-threads", "3"]), Error, "threads");
  const blockArgs = parseAnalyzeArgs(["--run", "x", "--eigensolver", "block", "--block-size", "8"]);
  assertEquals([blockArgs.options.eigensolver, blockArgs.options.blockSize], ["block", 8]);
  assertThrows(() => parseAnalyzeArgs(["--run", "x", "--eigensolver", "qr"]), Error, "eigensolver");
});

Deno.test("analyzeRun: the fast engine and the float64 cpu engine give the same results", async () => {
  const options = { ...OPTIONS, steps: [300], seed: 4, spectrumSteps: undefined };
  const fast = await analyzeRun({ ...options, engine: "fast", engineThreads: 2 });
  await Deno.remove(fast.analysisDir, { recursive: true });
  const reference = await analyzeRun({ ...options, engine: "cpu" });
  assertEquals(reference.analysisDir, fast.analysisDir);
  assertEquals(reference.results.length, fast.results.length);
  reference.results.forEach((r, i) => {
    assertEquals([r.step, r.network, r.estimator, r.k], [
      fast.results[i].step,
      fast.results[i].network,
      fast.results[i].estimator,
      fast.results[i].k,
    ]);
    assertAlmostEquals(r.value, fast.results[i].value, 1e-4, `${r.network} ${r.estimator}`);
  });
  await assertRejects(
    () => analyzeRun({ ...options, engine: "gpu" as "fast" }),
    RangeError,
    "engine",
  );
});

Deno.test("analyzeRun: the block eigensolver reproduces the single-vector Lanczos results", async () => {
  const options = { ...OPTIONS, steps: [300], seed: 5, spectrumSteps: undefined };
  const single = await analyzeRun(options);
  const block = await analyzeRun({ ...options, eigensolver: "block", blockSize: 4 });
  assert(block.analysisDir !== single.analysisDir, "the block size is part of the settings id");
  assertEquals(block.results.length, single.results.length);
  single.results.forEach((r, i) => {
    const b = block.results[i];
    assertEquals([r.step, r.network, r.estimator, r.k], [b.step, b.network, b.estimator, b.k]);
    assertAlmostEquals(r.value, b.value, 1e-3, `${r.network} ${r.estimator} k=${r.k}`);
  });
  await assertRejects(
    () => analyzeRun({ ...options, eigensolver: "arnoldi" as "block" }),
    RangeError,
    "eigensolver",
  );
});

Deno.test("analyzeRun: warm starts from the previous step's eigenvectors, verified, same answer", async () => {
  const options = {
    ...OPTIONS,
    seed: 6,
    spectrumSteps: undefined,
    eigensolver: "block" as const,
    blockSize: 4,
  };
  const cold = await analyzeRun(options);
  const coldCaches = await Promise.all(
    cold.steps.map((s) => loadEigenCache(cold.analysisDir, s, "critic", "precise")),
  );
  await Deno.remove(cold.analysisDir, { recursive: true });
  const warm = await analyzeRun({ ...options, warmStart: true });
  assertEquals(warm.analysisDir, cold.analysisDir, "a solver-cost option, not a setting");
  assertEquals(warm.steps, [0, 300, 600]);
  for (const [i, step] of warm.steps.entries()) {
    for (const network of ["actor", "critic"] as const) {
      for (const estimator of ["precise", "minibatch"] as const) {
        const info = (await loadEigenCache(warm.analysisDir, step, network, estimator))!.info;
        assertEquals(info.warmStartStep, i === 0 ? null : warm.steps[i - 1], `${step} ${network}`);
        assertEquals(info.verification!.hvpCount, info.k);
        assert(
          info.verification!.maxRelativeResidual <= 1e-4 || info.verification!.noiseLimited > 0,
        );
      }
    }
    const c = coldCaches[i]!.info.eigenvalues;
    const w = (await loadEigenCache(warm.analysisDir, step, "critic", "precise"))!.info.eigenvalues;
    w.forEach((x, j) => assertAlmostEquals(x, c[j], 1e-4 * Math.abs(c[j])));
  }
  cold.results.forEach((r, i) =>
    assertAlmostEquals(
      warm.results[i].value,
      r.value,
      1e-3,
      `${r.step} ${r.network} ${r.estimator}`,
    )
  );
  assertEquals(parseAnalyzeArgs(["--run", "x", "--warm-start"]).options.warmStart, true);
});

// ---- SAC: the whole replay buffer (50k random transitions at step 0) and 2048//bs mini-batches.
const sacDir = await Deno.makeTempDir({ prefix: "pgsubspace-analyze-sac-" });
await trainRun({
  algo: "sac",
  envId: "Pendulum-v1",
  seed: 1,
  totalSteps: 400,
  outDir: sacDir,
  evalFreq: 0,
  checkpointEvery: 200,
  checkpointExtra: [],
  overrides: { net_arch: [8], batch_size: 256, buffer_size: 300, learning_starts: 100 },
  backend: "cpu",
});

Deno.test("analyzeRun on a SAC run: buffer-based estimators; critic rows vs a dense reference", async () => {
  const result = await analyzeRun({
    runDir: sacDir,
    preciseSamples: 400,
    ks: [1, 3],
    seed: 0,
    backend: "cpu",
  });
  assertEquals(result.steps, [0, 200, 400]);
  // steps × estimator combinations × ks × networks (actor and critic)
  assertEquals(result.results.length, 3 * 4 * 2 * 2);
  assertEquals(new Set(result.results.map((r) => r.network)), new Set(["actor", "critic"]));
  const step0 = await readJson<{ data: Record<string, unknown> }>(
    `${result.analysisDir}/steps/step_0000000.json`,
  );
  assertEquals(step0.data.randomWarmup, true);
  assertEquals(step0.data.bufferTransitions, 50_000);
  assertEquals(step0.data.miniBatches, 8); // ⌊2048 / 256⌋
  const step400 = await readJson<{ data: Record<string, unknown> }>(
    `${result.analysisDir}/steps/step_0000400.json`,
  );
  assertEquals(step400.data.bufferTransitions, 300); // min(t, buffer_size)
  assertEquals(step400.data.preciseSamples, 300); // the whole buffer

  // Dense reference of the precise critic Hessian at step 400 (same seeded targets).
  const problem = await sacAnalysis.prepare({
    state: await loadCheckpointState(sacDir, 400),
    envId: "Pendulum-v1",
    step: 400,
    settings: { preciseSamples: 400, chunkSize: 512, seed: 0, quirks: {} },
  });
  const loss = problem.loss("critic", "precise");
  const op = makeHessianOperator(loss, { engine: "cpu" });
  const n = op.n;
  const dense = symmetricEigen((await explicitHessian(op.asOperator(), n)).matrix, n);
  const gradient = await op.gradient();
  op.dispose();
  loss.dispose();
  const top = Array.from({ length: 3 }, (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n));
  const row = result.results.find((r) =>
    r.network === "critic" && r.step === 400 && r.estimator === "precise/precise" && r.k === 3
  )!;
  assertEquals(row.n, 2 * (4 * 8 + 8 + 8 + 1));
  assertAlmostEquals(row.value, gradientSubspaceFraction(top, gradient, 3), 1e-3);
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(runDir, { recursive: true });
  Deno.removeSync(sacDir, { recursive: true });
});
