/**
 * PPO training throughput on `Pendulum-v1` with the `ppo/Pendulum-v1` preset (n_steps 4096,
 * batch 64, 10 epochs, 64×64 tanh): a full run of rollouts and updates, with the time split
 * between the two phases, against the SB3 figures quoted in the issue for this machine
 * (SB3 1.8 on CPU: ≈ 2,100 env steps/s overall, rollout ≈ 3,700 steps/s, update ≈ 8.4 s per
 * 40,960 steps). Target: ≥ 2x SB3 overall.
 *
 * Usage: `deno run --allow-read --allow-env bench/ppo.ts [--steps N] [--engine cpu|tfjs]
 *   [--backend cpu|wasm|webgpu]` (the backend only matters for the tfjs engine).
 *
 * @module
 */
import { makeEnv } from "../lib/envs/mod.ts";
import { PpoAgent, resolvePreset } from "../lib/agents/mod.ts";
import { initRuntime } from "../lib/runtime/mod.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const STEPS = Number(arg("--steps", "40960"));
const ENGINE = arg("--engine", "cpu");
if (!Number.isSafeInteger(STEPS) || STEPS < 4096) {
  throw new RangeError("--steps must be an integer ≥ 4096 (one Pendulum rollout)");
}
if (ENGINE !== "cpu" && ENGINE !== "tfjs") throw new RangeError("--engine must be cpu or tfjs");
const runtime = ENGINE === "tfjs"
  ? await initRuntime({ backend: arg("--backend", "wasm") as "cpu" | "wasm" | "webgpu" })
  : null;

// SB3 reference figures on this machine, as given in the issue.
const SB3 = { overall: 2100, rollout: 3700, updateSecondsPer40960: 8.4 };

const { config } = resolvePreset("ppo/Pendulum-v1", { gradientEngine: ENGINE });
const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 0 });
const start = performance.now();
agent.learn(STEPS);
const wallSeconds = (performance.now() - start) / 1e3;

const steps = agent.numTimesteps;
const rolloutSeconds = agent.timing.rolloutMs / 1e3;
const updateSeconds = agent.timing.updateMs / 1e3;
const overall = steps / wallSeconds;
const rollout = steps / rolloutSeconds;
const updatePer40960 = updateSeconds * 40960 / steps;
const fmt = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

console.log(
  `PPO Pendulum-v1, preset ppo/Pendulum-v1, ${
    fmt(steps)
  } env steps (${agent.iteration} updates), ` +
    `gradient engine ${ENGINE}${runtime ? ` (tfjs ${runtime.summary})` : ""}`,
);
console.log("| quantity | ours | SB3 reference (issue) | ours vs SB3 |");
console.log("|---|---:|---:|---:|");
console.log(
  `| overall env steps/s | ${fmt(overall)} | ≈ ${fmt(SB3.overall)} | ` +
    `${(overall / SB3.overall).toFixed(2)}x |`,
);
console.log(
  `| rollout env steps/s | ${fmt(rollout)} | ≈ ${fmt(SB3.rollout)} | ` +
    `${(rollout / SB3.rollout).toFixed(2)}x |`,
);
console.log(
  `| update s per 40,960 steps | ${fmt(updatePer40960, 2)} | ≈ ${SB3.updateSecondsPer40960} | ` +
    `${(SB3.updateSecondsPer40960 / updatePer40960).toFixed(2)}x |`,
);
console.log(
  `| wall time (s): rollout / update / total | ${fmt(rolloutSeconds, 2)} / ` +
    `${fmt(updateSeconds, 2)} / ${fmt(wallSeconds, 2)} | | |`,
);
