import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  fractionBarsOfRuns,
  fractionOverTimeOfRuns,
  learningCurvesOfRuns,
  loadAnalysedRun,
  overlapOfRuns,
} from "../../lib/experiments/paper_figures.ts";

// Synthetic analysed runs on disk: a training curve that is flat at −1000 until 50k, rises
// linearly to 0 at 200k and stays there (300k steps), and S_frac / overlap rows with known values
// at steps deep inside each phase (0: initial, 120k: training, 280k: convergence).
const STEPS = [0, 120_000, 280_000];
function curve(t: number): number {
  return t <= 50_000 ? -1000 : t >= 200_000 ? 0 : -1000 + (1000 * (t - 50_000)) / 150_000;
}
async function writeRun(
  dir: string,
  algo: string,
  seed: number,
  fractions: number[],
  overlap: number[],
) {
  await Deno.mkdir(`${dir}/analysis/a1`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/run.json`,
    JSON.stringify({ format: "pgsubspace-run/1", algo, envId: "Pendulum-v1", seed }),
  );
  const metrics = [];
  for (let t = 0; t <= 300_000; t += 10_000) {
    metrics.push({ event: "train", step: t, "rollout/ep_rew_mean": curve(t) });
    metrics.push({ event: "eval", step: t, "eval/mean_reward": curve(t) + 10 * seed });
  }
  await Deno.writeTextFile(
    `${dir}/metrics.jsonl`,
    metrics.map((m) => JSON.stringify(m)).join("\n"),
  );
  const results = [];
  for (const network of ["actor", "critic"]) {
    for (const estimator of ["precise/precise", "minibatch/precise", "minibatch/minibatch"]) {
      for (let i = 0; i < STEPS.length; i++) {
        const value = fractions[i] * (network === "critic" ? 1 : 0.5);
        results.push({
          task: "Pendulum-v1",
          algo,
          seed,
          step: STEPS[i],
          network,
          estimator,
          k: 10,
          value,
          n: 1000,
        });
      }
    }
  }
  await Deno.writeTextFile(
    `${dir}/analysis/a1/results.jsonl`,
    results.map((r) => JSON.stringify(r)).join("\n"),
  );
  const overlaps = [120_000, 280_000].map((t2, i) => ({
    task: "Pendulum-v1",
    algo,
    seed,
    network: "critic",
    t1: 0,
    t2,
    k: 10,
    value: overlap[i],
  }));
  await Deno.writeTextFile(
    `${dir}/analysis/a1/overlaps.jsonl`,
    overlaps.map((r) => JSON.stringify(r)).join("\n"),
  );
}

const root = await Deno.makeTempDir();
await writeRun(`${root}/ppo0`, "ppo", 0, [0.2, 0.4, 0.6], [0.8, 0.6]);
await writeRun(`${root}/ppo1`, "ppo", 1, [0.4, 0.8, 0.7], [0.6, 0.4]);
await writeRun(`${root}/sac0`, "sac", 0, [0.9, 0.9, 0.9], [0.9, 0.9]);
const ppo = [await loadAnalysedRun(`${root}/ppo0`), await loadAnalysedRun(`${root}/ppo1`)];
const sac = await loadAnalysedRun(`${root}/sac0`);

type Trace = {
  type?: string;
  name?: string;
  y?: number[];
  customdata?: number[];
  error_y?: { array?: number[] };
};
/** The mean line of a band (bandTraces: "<name> + std", "<name> − std", then the mean). */
const meanLines = (data: unknown[]) =>
  (data as Trace[]).filter((t) => t.customdata !== undefined && !/ [+−] std$/.test(t.name ?? ""));

Deno.test("Fig. 2 bars: per-phase means over seeds with population std, baseline k/N", () => {
  const fig = fractionBarsOfRuns([...ppo, sac], { k: 10 });
  const bars = (fig.data as Trace[]).filter((t) => t.type === "bar");
  // Critic, PPO group (x = 0): initial (0.2, 0.4) → 0.3 ± 0.1; training (0.4, 0.8) → 0.6 ± 0.2;
  // convergence (0.6, 0.7) → 0.65 ± 0.05. Actor values are half of those.
  const pairs = bars.map((t) => [t.y![0], t.error_y!.array![0]] as const);
  for (const [mean, std] of [[0.3, 0.1], [0.6, 0.2], [0.65, 0.05], [0.15, 0.05], [0.3, 0.1]]) {
    assert(
      pairs.some(([m, s]) => Math.abs(m - mean) < 1e-12 && Math.abs(s - std) < 1e-12),
      `no bar with ${mean} ± ${std}`,
    );
  }
  const baselines = (fig.data as Trace[]).filter((t) => t.type === "scatter");
  assert(baselines.length > 0, "no baseline trace");
  for (const b of baselines) {
    assert(b.y!.every((y) => y === null || Math.abs(y - 10 / 1000) < 1e-15), `baseline ${b.y}`);
  }
  assertThrows(() => fractionBarsOfRuns(ppo, { k: 100 }), Error, "k = 100");
});

Deno.test("Fig. 3 overlap: mean ± population std over seeds at each t2, starting at (t1, 1)", () => {
  const fig = overlapOfRuns(ppo, { t1: 0, k: 10 });
  const means = meanLines(fig.data);
  assert(
    means.some((t) =>
      Math.abs(t.y![0] - 1) < 1e-12 && Math.abs(t.y![1] - 0.7) < 1e-12 &&
      Math.abs(t.y![2] - 0.5) < 1e-12
    ),
    "mean curve 1, 0.7, 0.5",
  );
  assertThrows(() => overlapOfRuns(ppo, { t1: 5, k: 10 }), Error, "t1 = 5");
});

Deno.test("learning curves and S_frac over time group seeds by algorithm and task", () => {
  const lc = learningCurvesOfRuns([...ppo, sac]);
  const names = new Set((lc.data as { name?: string }[]).map((t) => t.name ?? ""));
  assert([...names].some((n) => n.includes("PPO")) && [...names].some((n) => n.includes("SAC")));
  const fot = fractionOverTimeOfRuns(ppo, "critic", [10], ["precise/precise"]);
  const [mean] = meanLines(fot.data);
  [0.3, 0.6, 0.65].forEach((v, i) => assertAlmostEquals(mean.y![i], v, 1e-12));
  [0.1, 0.2, 0.05].forEach((v, i) => assertAlmostEquals(mean.customdata![i], v, 1e-12));
  assertThrows(() => fractionOverTimeOfRuns([...ppo, sac], "critic", [10]), Error, "one algorithm");
});

Deno.test("loadAnalysedRun names what is missing", async () => {
  await Deno.mkdir(`${root}/plain`, { recursive: true });
  await Deno.writeTextFile(`${root}/plain/run.json`, "{}");
  await Deno.writeTextFile(`${root}/plain/metrics.jsonl`, "");
  await assertRejects(() => loadAnalysedRun(`${root}/plain`), Error, "run analyzeRun first");
  await Deno.mkdir(`${root}/ppo0/analysis/a2`);
  await assertRejects(() => loadAnalysedRun(`${root}/ppo0`), Error, "pass the analysisId");
  assertEquals((await loadAnalysedRun(`${root}/ppo0`, "a1")).results.length, 18);
});

globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
