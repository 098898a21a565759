/**
 * WebGPU vs WebAssembly on the compute layer's objectives: the PPO actor (Pendulum, 64×64 tanh,
 * 4,482 parameters) and the SAC critic (two 256×256 ReLU Q-networks, 134,658 parameters).
 *
 * Per objective and sample count: one Hessian-vector product, a block of 8 (per vector), one
 * gradient, and gradient evaluations per second on a training batch (the SAC critic at batch
 * 256, the PPO actor at batch 64: the objective part of a training step, without Adam). Then the
 * training steps themselves: PPO's update phase on Pendulum (64×64, mini-batch 64: actor and
 * critic gradients on the device, clipping and Adam on the host) in mini-batch steps/s against
 * the float64 CPU and float32 WebAssembly devices, and SAC's gradient step (256×256, batch 256)
 * in steps/s against the WebAssembly engine, from the same data. The GPU
 * runs whatever adapter exists — on a machine without a GPU that is the software adapter
 * (llvmpipe), which measures correctness and overheads, not GPU speed.
 *
 * Run: `deno run -A bench/webgpu.ts` (a few minutes on the software adapter). Options:
 * `--samples` (PPO actor; default 100000,1000000 on a GPU, 10000 on a software adapter),
 * `--sac-samples` (SAC critic; default 100000,1000000 on a GPU, 2000 on a software adapter),
 * `--budget S` (skip larger sizes of a device after one product took more than S seconds,
 * default 60), `--threads 1|2` (WebAssembly threads, default 1), `--ppo-steps N` (rollout length
 * of the timed PPO update, default 2048 on a GPU, 256 on a software adapter), `--sac-steps N`
 * (timed SAC gradient steps, default 50 on a GPU, 3 on a software adapter), `--only hvp|train`.
 *
 * @module
 */
import { initActorCritic, makeActorCriticSpec } from "../lib/agents/ppo/policy.ts";
import { PpoAgent } from "../lib/agents/ppo/ppo.ts";
import { SacEngine } from "../lib/agents/sac/engine.ts";
import { makeEnv } from "../lib/envs/mod.ts";
import { initSacParams, makeSacSpec } from "../lib/agents/sac/policy.ts";
import { ObjectiveEvaluator } from "../lib/compute/evaluator.ts";
import type { ObjectiveSpec } from "../lib/compute/objectives/mod.ts";
import { stateActionRows } from "../lib/compute/objectives/mod.ts";
import { webGpuAdapter } from "../lib/compute/webgpu/device.ts";
import { Rng } from "../lib/rng.ts";

const args = Deno.args;
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const list = (name: string, fallback: string) => option(name, fallback).split(",").map(Number);
const adapter = await webGpuAdapter();
const fallback = adapter !== null && Boolean(
  (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ||
    (adapter as { info?: { isFallbackAdapter?: boolean } }).info?.isFallbackAdapter,
);
// A software adapter is about 100× slower than the WebAssembly device: smaller defaults there.
const ppoSizes = list("samples", fallback ? "10000" : "100000,1000000");
const sacSizes = list("sac-samples", fallback ? "2000" : "100000,1000000");
const budget = Number(option("budget", "60")) * 1000;
const wasmThreads = Number(option("threads", "1")) as 1 | 2;
const ppoSteps = Number(option("ppo-steps", fallback ? "256" : "2048"));
const sacSteps = Number(option("sac-steps", fallback ? "3" : "50"));
const only = option("only", "all");

const gpuName = adapter === null
  ? null
  : `${(adapter as { info?: { description?: string } }).info?.description ?? "GPU"}${
    fallback ? " (software fallback adapter)" : ""
  }`;

// ---- Problems.
const rng = new Rng(7);
const ppoSpec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
const ppo = initActorCritic(ppoSpec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
const sacSpec = makeSacSpec(3, 1, { netArch: [256, 256] });
const sac = initSacParams(sacSpec, new Rng(3));

function ppoActor(n: number): ObjectiveSpec {
  const advantages = rng.fillNormal(new Float32Array(n));
  return {
    kind: "policy-gradient",
    net: ppoSpec.actorNet,
    head: "gaussian",
    headOffset: ppoSpec.logStdOffset,
    obs: rng.fillNormal(new Float32Array(3 * n)),
    actions: rng.fillNormal(new Float32Array(n)),
    advantages,
    oldLogProbs: null,
    clipRange: 0.2,
    entCoef: 0,
    normalizeAdvantage: false,
  };
}

function sacCritic(n: number): ObjectiveSpec {
  const obs = rng.fillNormal(new Float32Array(3 * n));
  const actions = rng.fillUniform(new Float32Array(n), -1, 1);
  return {
    kind: "regression",
    nets: sacSpec.qNets,
    inputs: stateActionRows(obs, 3, actions, 1),
    targets: rng.fillNormal(new Float32Array(n), -5, 3),
    coef: 0.5,
    clip: null,
  };
}

const problems = [
  { name: "ppo-actor", theta: ppo.actor, make: ppoActor, sizes: ppoSizes, batch: 64 },
  { name: "sac-critic", theta: sac.critic, make: sacCritic, sizes: sacSizes, batch: 256 },
];

// ---- Measurements.
const devices: ("wasm" | "webgpu")[] = gpuName === null ? ["wasm"] : ["wasm", "webgpu"];
const fmt = (ms: number) => ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
const rows: string[][] = [];
const trainRows: string[][] = [];

async function timed<T>(f: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

for (const p of only === "train" ? [] : problems) {
  const over: Record<string, boolean> = {};
  for (const n of p.sizes) {
    const spec = p.make(n);
    const v = rng.fillNormal(new Float64Array(p.theta.length));
    const block = Array.from({ length: 8 }, () => rng.fillNormal(new Float64Array(p.theta.length)));
    const row = [p.name, n.toLocaleString("en-US")];
    for (const device of devices) {
      if (over[device]) {
        row.push("—", "—", "—");
        continue;
      }
      const ev = new ObjectiveEvaluator(spec, p.theta, {
        device,
        allowFallbackGpu: true,
        threads: device === "wasm" ? wasmThreads : 1,
      });
      try {
        await ev.hvpBlock([v]); // warm-up: device, pipelines, cache
        const one = await timed(() => ev.hvpBlock([v]));
        const eight = (await timed(() => ev.hvpBlock(block))) / 8;
        const grad = await timed(() => ev.valueAndGradient());
        row.push(fmt(one), fmt(eight), fmt(grad));
        if (one > budget) over[device] = true;
        console.error(
          `${p.name} ${n} ${device}: HVP ${fmt(one)}, block/8 ${fmt(eight)}, grad ${fmt(grad)}`,
        );
      } finally {
        ev.dispose();
      }
    }
    rows.push(row);
  }
  // Gradient evaluations per second on one training batch.
  const spec = p.make(p.batch);
  const trow = [p.name, String(p.batch)];
  for (const device of devices) {
    const ev = new ObjectiveEvaluator(spec, p.theta, {
      device,
      allowFallbackGpu: true,
      threads: 1,
      chunkRows: p.batch,
    });
    try {
      await ev.valueAndGradient();
      const reps = device === "webgpu" ? 20 : 200;
      const ms = await timed(async () => {
        for (let r = 0; r < reps; r++) await ev.valueAndGradient();
      });
      trow.push((reps / (ms / 1000)).toFixed(0));
    } finally {
      ev.dispose();
    }
  }
  trainRows.push(trow);
}

// ---- Tables.
const date = new Date().toISOString().slice(0, 10);
console.log(
  `\nWebGPU vs WebAssembly (${date}); WebAssembly ${wasmThreads} thread(s); GPU: ${
    gpuName ?? "none (no WebGPU adapter)"
  }\n`,
);
const header = ["objective", "samples"];
for (const d of devices) {
  header.push(`${d} HVP`, `${d} HVP (block of 8, per vector)`, `${d} gradient`);
}
const table = (h: string[], body: string[][]) => {
  console.log(`| ${h.join(" | ")} |`);
  console.log(`|${h.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
  for (const r of body) console.log(`| ${r.join(" | ")} |`);
};
table(header, rows);
console.log(
  "\nGradient evaluations per second on one training batch (the objective part of a training step)\n",
);
table(["objective", "batch", ...devices.map((d) => `${d} gradients/s`)], trainRows);

// ---- Training steps: PPO's update phase and SAC's gradient step, per device.
if (only !== "hvp") {
  const ppoDevices: ("cpu" | "wasm" | "webgpu")[] = gpuName === null
    ? ["cpu", "wasm"]
    : ["cpu", "wasm", "webgpu"];
  const ppoRow = ["PPO update (Pendulum 64×64, mini-batch 64)", `${ppoSteps} × 2 epochs`];
  for (const device of ppoDevices) {
    const agent = new PpoAgent({
      env: makeEnv("Pendulum-v1"),
      config: {
        n_steps: ppoSteps,
        batch_size: 64,
        n_epochs: 2,
        net_arch: [64, 64],
        gradientEngine: device,
      },
      seed: 0,
    });
    try {
      // A first update warms the device up (pipelines, memory); the second is timed.
      for (let u = 0; u < 2; u++) {
        while (!agent.updatePending) agent.step();
        const ms = await timed(() => agent.updateAsync());
        if (u === 1) {
          const miniBatches = 2 * Math.ceil(ppoSteps / 64);
          ppoRow.push(`${(miniBatches / (ms / 1000)).toFixed(1)}`);
          console.error(`PPO update ${device}: ${fmt(ms)} for ${miniBatches} mini-batches`);
        }
      }
    } finally {
      agent.close();
    }
  }
  const sacDevices: ("wasm" | "webgpu")[] = gpuName === null ? ["wasm"] : ["wasm", "webgpu"];
  const sacRow = ["SAC gradient step (256×256, batch 256)", `${sacSteps} steps`];
  const spec = makeSacSpec(3, 1, { netArch: [256, 256] });
  for (const device of sacDevices) {
    const engine = await SacEngine.create(spec, {
      batchSize: 256,
      adamEps: 1e-8,
      entCoefInit: 1,
      device,
      allowFallbackGpu: true,
    });
    try {
      engine.setParameters(sac.actor, sac.critic);
      const data = new Rng(5);
      const coefs = {
        gamma: 0.99,
        learningRate: 3e-4,
        tau: 0.005,
        polyak: true,
        entCoef: "auto" as const,
        targetEntropy: -1,
      };
      const step = async () => {
        data.fillNormal(engine.batch.obs);
        data.fillUniform(engine.batch.actions, -1, 1);
        data.fillNormal(engine.batch.rewards);
        data.fillNormal(engine.batch.nextObs);
        data.fillNormal(engine.noise.current);
        data.fillNormal(engine.noise.next);
        await engine.gradientStepAsync(coefs);
      };
      await step(); // warm-up
      const ms = await timed(async () => {
        for (let i = 0; i < sacSteps; i++) await step();
        await engine.sync();
      });
      sacRow.push(`${(sacSteps / (ms / 1000)).toFixed(1)}`);
      console.error(`SAC gradient step ${device}: ${fmt(ms / sacSteps)} per step`);
    } finally {
      engine.close();
    }
  }
  console.log(
    "\nTraining steps per second (PPO: mini-batch steps of the update phase; SAC: gradient steps)\n",
  );
  const h = ["training step", "work", ...ppoDevices.map((d) => `${d} steps/s`)];
  console.log(`| ${h.join(" | ")} |`);
  console.log(`|${h.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
  console.log(`| ${ppoRow.join(" | ")} |`);
  // SAC has no float64 CPU engine: its row starts at the WebAssembly column.
  console.log(`| ${[sacRow[0], sacRow[1], "—", ...sacRow.slice(2)].join(" | ")} |`);
}
