import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  eigenvalueIndexFigure,
  eigenvalueTrajectoryFigure,
  ESTIMATOR_LABELS,
  learningCurveFigure,
  NETWORK_COLORS,
  PHASE_LABELS,
  type PlotlyTrace,
  spectrumHistogramFigure,
  subsampleIndices,
  subspaceFractionBarsFigure,
  subspaceFractionOverTimeFigure,
  subspaceOverlapFigure,
  symlog,
} from "../../lib/plot/mod.ts";
import { figureProblems } from "../../lib/plot/validate.ts";
import { phaseStatistics } from "../../lib/subspaces/phases.ts";
import { sampleFigures } from "./fixtures/sample_figures.ts";

const bar = (data: PlotlyTrace[], phase: string, estimator: string) => {
  const t = data.find((d) => {
    const meta = d.meta as { phase?: string; estimator?: string } | undefined;
    return meta?.phase === phase && meta?.estimator === estimator;
  });
  if (!t) throw new Error(`no bar trace for ${phase} × ${estimator}`);
  return t;
};

Deno.test("spectrumHistogramFigure: bars hold the symlog-bin counts, one panel per network", () => {
  const actor = [0.5, -0.5, 0.005, 0, 300, 301, 2];
  const fig = spectrumHistogramFigure([
    { network: "actor", eigenvalues: actor },
    { network: "critic", eigenvalues: [1, 2, 3] },
  ], { linthresh: 0.01, binsPerDecade: 1 });
  assertEquals(fig.data.length, 2);
  const [a, c] = fig.data;
  assertEquals(a.xaxis, "x");
  assertEquals(c.xaxis, "x2");
  assertEquals((a.marker as { color: string }).color, NETWORK_COLORS.actor);
  // U = log10(1 + 301/0.01) ≈ 4.48 → 5 bins per side of width U/5 in u.
  const U = symlog(301, 0.01);
  assertEquals(a.x!.length, 10);
  const counts = a.y!.map((y) => (y === null ? 0 : y as number));
  assertEquals(counts.reduce((s, n) => s + n, 0), actor.length);
  // Independent bin assignment: bin index of u = symlog(x) is ⌊(u + U)/(U/5)⌋ (clamped).
  const expected = new Array(10).fill(0);
  for (const x of actor) expected[Math.min(9, Math.floor((symlog(x, 0.01) + U) / (U / 5)))]++;
  assertEquals(counts, expected);
  assert(a.y!.includes(null), "empty bins are left out of the log axis");
  assertEquals((fig.layout.yaxis as { type: string }).type, "log");
  assertEquals(figureProblems(fig), []);
});

Deno.test("eigenvalueIndexFigure: sorted descending, paper subsampling", () => {
  assertEquals(subsampleIndices(10, 2, 2, 3), [0, 1, 2, 5, 8, 9]);
  const n = 1000;
  const values = Array.from({ length: n }, (_, i) => (i * 7919) % n - 500); // a permutation
  const fig = eigenvalueIndexFigure([{ network: "critic", eigenvalues: values }]);
  const t = fig.data[0];
  // 200 head + 200 tail + every 10th of the 600 in between (indices 200, 210, …, 790) = 460.
  assertEquals(t.x!.length, 460);
  assertEquals(t.x![0], 1);
  assertEquals(t.x!.at(-1), n);
  const lambdas = t.customdata as number[];
  assertEquals(lambdas[0], 499);
  assertEquals(lambdas.at(-1), -500);
  for (let i = 1; i < lambdas.length; i++) assert(lambdas[i] <= lambdas[i - 1]);
  assertAlmostEquals(t.y![0] as number, symlog(499), 1e-12);
});

/**
 * Ramp learning curve of tests/subspaces/phases.test.ts: last initial step 240k, convergence
 * from 560k (worked by hand there).
 */
function rampCurve() {
  const curveSteps = Array.from({ length: 100 }, (_, j) => j * 10_000);
  const curveReturns = curveSteps.map((_, j) => (j < 20 ? 0 : j > 60 ? 100 : 2.5 * (j - 20)));
  return { curveSteps, curveReturns };
}

Deno.test("subspaceFractionBarsFigure: phase grouping, population std, baseline at k/N", () => {
  const analysedSteps = [0, 100_000, 300_000, 500_000, 600_000, 900_000];
  const stats = phaseStatistics([
    { ...rampCurve(), analysedSteps, values: [0.1, 0.3, 0.5, 0.7, 0.8, 1.0] },
    { ...rampCurve(), analysedSteps, values: [0.3, 0.3, 0.4, 0.4, 0.6, 0.6] },
  ]);
  // Seed means: initial (0, 100k) 0.2 / 0.3; training (300k, 500k) 0.6 / 0.4; convergence
  // (600k, 900k) 0.9 / 0.6 → means 0.25, 0.5, 0.75; population stds 0.05, 0.1, 0.15.
  const fig = subspaceFractionBarsFigure({
    k: 100,
    panels: [
      {
        network: "actor",
        groups: [{ label: "PPO · Ramp", baseline: 100 / 5000, values: { precise: stats.phases } }],
      },
      {
        network: "critic",
        groups: [
          { label: "PPO · Ramp", baseline: 100 / 4000, values: { minibatch: stats.phases } },
          { label: "SAC · Ramp", values: { minibatch: { training: { mean: 0.9, std: null } } } },
        ],
      },
    ],
  });
  const expected = { initial: [0.25, 0.05], training: [0.5, 0.1], convergence: [0.75, 0.15] };
  for (const [phase, [mean, std]] of Object.entries(expected)) {
    const t = bar(fig.data.filter((d) => d.xaxis === "x"), phase, "precise");
    assertEquals(t.name, PHASE_LABELS[phase as "initial"]);
    assertEquals(t.legendgroup, "precise");
    assertEquals((t.legendgrouptitle as { text: string }).text, ESTIMATOR_LABELS.precise);
    assertAlmostEquals(t.y![0] as number, mean, 1e-12);
    assertAlmostEquals((t.error_y as { array: number[] }).array[0], std, 1e-12);
  }
  // Critic panel: two groups at x = 0, 1; the SAC group only has a training bar.
  const critic = fig.data.filter((d) => d.xaxis === "x2" && d.type === "bar");
  assertEquals(critic.length, 3, "estimator/phase combinations without values get no trace");
  const training = bar(critic, "training", "minibatch");
  assertEquals(training.x, [0, 1]);
  assertAlmostEquals(training.y![0] as number, 0.5, 1e-12);
  assertEquals(training.y![1], 0.9);
  assertEquals(bar(critic, "initial", "minibatch").y, [
    0.25,
    null,
  ]);
  // Baselines: a dashed segment at k/N across each group that has one.
  const baselines = fig.data.filter((d) => d.name === "Random subspace (k/N)");
  assertEquals(baselines.length, 2);
  assertEquals(baselines[0].y, [0.02, 0.02]);
  assertEquals(baselines[0].x, [-0.45, 0.45]);
  assertEquals(baselines[1].y, [0.025, 0.025]);
  assertEquals((baselines[1].line as { dash: string }).dash, "dash");
  assertEquals(fig.layout.barmode, "group");
  assertEquals((fig.layout.xaxis2 as { ticktext: string[] }).ticktext, [
    "PPO · Ramp",
    "SAC · Ramp",
  ]);
  assertEquals(figureProblems(fig), []);
});

Deno.test("subspaceOverlapFigure: (t1, 1) inserted, bands = mean ± std, dashed line at t1", () => {
  const fig = subspaceOverlapFigure({
    t1: 100_000,
    k: 100,
    curves: [{
      network: "critic",
      algo: "sac",
      band: { steps: [200_000, 300_000], mean: [0.6, 0.5], std: [0.1, 0.05], seeds: 3 },
    }],
  });
  const [upper, lower, mean] = fig.data;
  assertEquals(mean.name, "SAC Critic");
  assertEquals(mean.x, [100_000, 200_000, 300_000]);
  assertEquals(mean.y, [1, 0.6, 0.5]);
  assertEquals(upper.y, [1, 0.7, 0.55]);
  assertEquals(lower.y, [1, 0.5, 0.45]);
  assertEquals(lower.fill, "tonexty");
  assertEquals((mean.line as { color: string; dash: string }).color, NETWORK_COLORS.critic);
  assertEquals((mean.line as { dash: string }).dash, "dash"); // SAC
  const shape = fig.layout.shapes![0];
  assertEquals([shape.x0, shape.x1], [100_000, 100_000]);
  assertEquals((shape.line as { dash: string }).dash, "dash");
  assertThrows(
    () =>
      subspaceOverlapFigure({
        t1: 100_000,
        k: 1,
        curves: [{
          network: "actor",
          algo: "ppo",
          band: { steps: [50_000], mean: [0.5], std: [0], seeds: 1 },
        }],
      }),
    RangeError,
    "defined for t2 > t1",
  );
});

Deno.test("learningCurveFigure: EMA per seed (train), then mean ± population std", () => {
  const seeds = [
    { steps: [0, 1, 2], values: [0, 10, 10] },
    { steps: [0, 1, 2], values: [10, 0, 10] },
  ];
  const fig = learningCurveFigure({
    series: [
      { label: "PPO", kind: "eval", seeds },
      { label: "PPO", kind: "train", seeds },
    ],
  });
  const evalMean = fig.data.find((d) => d.name === "PPO (eval)")!;
  assertEquals(evalMean.y, [5, 5, 10]);
  assertEquals(evalMean.customdata, [5, 5, 0]);
  // EMA 0.6: seed 0 → [0, 4, 6.4]; seed 1 → [10, 6, 7.6]; mean [5, 5, 7]; std [5, 1, 0.6].
  const train = fig.data.find((d) => d.name === "PPO (train, EMA 0.6)")!;
  [5, 5, 7].forEach((v, i) => assertAlmostEquals(train.y![i] as number, v, 1e-12));
  [5, 1, 0.6].forEach((v, i) => assertAlmostEquals((train.customdata as number[])[i], v, 1e-12));
  assertEquals((train.line as { dash: string }).dash, "dot");
  assertEquals(
    (train.line as { color: string }).color,
    (evalMean.line as { color: string }).color,
    "same label, same colour",
  );
});

Deno.test("subspaceFractionOverTimeFigure and eigenvalueTrajectoryFigure", () => {
  const band = { steps: [0, 10], mean: [0.2, 0.4], std: [0, 0], seeds: 1 };
  const fig = subspaceFractionOverTimeFigure({
    series: [{ k: 10, estimator: "precise", band }, { k: 1, estimator: "minibatch", band }],
    parameterCount: 1000,
  });
  const random = fig.data.filter((d) => String(d.name).startsWith("random"));
  assertEquals(random.map((d) => d.y), [[0.001, 0.001], [0.01, 0.01]]);
  const traj = eigenvalueTrajectoryFigure({
    runs: [
      { steps: [0, 5], eigenvalues: [[9, 4, 1], [7, 5, 2]] },
      { steps: [0, 5], eigenvalues: [[11, 2, 1], [9, 3, 2]] },
    ],
    indices: [1, 2],
  });
  const l1 = traj.data.find((d) => d.name === "λ<sub>1</sub>")!;
  assertEquals(l1.y, [10, 8]);
  assertEquals(l1.customdata, [1, 1]);
  assertThrows(
    () => eigenvalueTrajectoryFigure({ runs: [{ steps: [0], eigenvalues: [[1]] }], indices: [2] }),
    RangeError,
    "index 2",
  );
});

Deno.test("builders reject non-finite input instead of emitting null", () => {
  assertThrows(
    () => spectrumHistogramFigure([{ network: "actor", eigenvalues: [1, NaN] }]),
    RangeError,
    "actor eigenvalue 1 is NaN",
  );
  assertThrows(
    () =>
      subspaceFractionBarsFigure({
        k: 1,
        panels: [{
          network: "actor",
          groups: [{ label: "g", values: { precise: { initial: { mean: Infinity } } } }],
        }],
      }),
    RangeError,
    "Infinity",
  );
});

Deno.test("sample figures: every builder's output is finite and uses the shared palette", () => {
  const figs = sampleFigures();
  for (const [name, fig] of Object.entries(figs)) assertEquals(figureProblems(fig), [], name);
  const colorOf = (t: PlotlyTrace) =>
    (t.line as { color?: string } | undefined)?.color ??
      (t.marker as { color?: string } | undefined)?.color;
  assertEquals(colorOf(figs.spectrumHistogram.data[1]), NETWORK_COLORS.critic);
  assertEquals(
    colorOf(figs.overlap.data.find((d) => d.name === "PPO Critic")!),
    NETWORK_COLORS.critic,
  );
});
