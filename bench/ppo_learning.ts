/**
 * Learning check of `ppo/Pendulum-v1` (the paper's preset, with gSDE, sde_sample_freq 4) against
 * the SB3 reference: trains seeds 0-2 for 200k steps (evaluations every 10k, 10
 * deterministic episodes) and prints, per seed, the evaluation returns at 20k/40k and the mean of
 * the evaluations at 160k, 180k and 200k, with the median over seeds. SB3 2.x, same
 * hyperparameters without gSDE, on this machine class: −667, −184, −235 (median ≈ −235).
 * Target: the last-three mean better than −400 for at least 2 of the 3 seeds.
 *
 * Run: `deno run -A bench/ppo_learning.ts [--out runs/ppo-learning] [--steps 200000]`.
 *
 * @module
 */
import { trainRun } from "../lib/experiments/train.ts";

const args = Deno.args;
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = opt("--out", "runs/ppo-learning");
const steps = Number(opt("--steps", "200000"));
const rows: { seed: number; at20k: number; at40k: number; last3: number; seconds: number }[] = [];
for (const seed of [0, 1, 2]) {
  const r = await trainRun({
    algo: "ppo",
    envId: "Pendulum-v1",
    seed,
    totalSteps: steps,
    outDir: `${out}/seed${seed}`,
    resume: true,
  });
  const evals = new Map(
    r.metrics.filter((m) => m.event === "eval").map((m) => [m.step, Number(m["eval/mean_reward"])]),
  );
  const last3 = [steps - 40_000, steps - 20_000, steps].map((s) => evals.get(s) ?? NaN);
  rows.push({
    seed,
    at20k: evals.get(20_000) ?? NaN,
    at40k: evals.get(40_000) ?? NaN,
    last3: last3.reduce((a, b) => a + b, 0) / 3,
    seconds: r.seconds,
  });
  console.error(`seed ${seed}: done in ${r.seconds.toFixed(0)} s`);
}
const median = rows.map((r) => r.last3).sort((a, b) => a - b)[1];
console.log("| seed | eval @20k | eval @40k | mean eval @160k/180k/200k | train s |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.seed} | ${r.at20k.toFixed(1)} | ${r.at40k.toFixed(1)} | ${r.last3.toFixed(1)} | ${
      r.seconds.toFixed(0)
    } |`,
  );
}
const better = rows.filter((r) => r.last3 > -400).length;
console.log(
  `median over seeds: ${median.toFixed(1)} (SB3 without gSDE ≈ −235); seeds better than −400: ` +
    `${better}/3 (target ≥ 2: ${better >= 2 ? "met" : "NOT met"})`,
);
