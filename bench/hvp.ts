/**
 * Hessian-vector-product benchmark: the fast R-operator engine (`lib/subspaces/engine`) on one
 * and two threads and with blocks of 8 vectors, the tfjs double-backprop reference, and PyTorch
 * (double backprop with a retained graph, as the paper's code; one thread and the default
 * thread count) measured in the same run by `tools/hvp_torch.py` with `<repo>/.venv/bin/python`
 * when torch and scipy are importable.
 *
 * Losses (Pendulum-v1 sizes): PPO 64×64 tanh actor (N = 4,482) and critic (N = 4,481) on a
 * rollout of the initial SB3-style policy (10⁵ collected steps, tiled beyond); SAC 256×256 ReLU
 * actor with frozen twin Q (N = 67,330) and twin-Q critic (N = 134,658) on those observations
 * with uniform actions, Gaussian noise and random targets.
 *
 * Also printed: the floor of one HVP — its multiply-adds (×2 FLOPs) divided by the sustained
 * GFLOP/s of the float32 matrix kernel on the layer shape that dominates (measured here; two
 * threads counted as twice one), and the same FLOPs at torch.mm's GFLOP/s — and how close each
 * path gets; and the engine memory and process RSS at the largest sample count.
 *
 * Run: `deno run --allow-read --allow-write --allow-env --allow-run bench/hvp.ts` (about 10–15
 * minutes on 2 shared cores). Options: `--samples 10000,100000,1000000` (PPO),
 * `--sac-samples 10000,100000,1000000`, `--tfjs-max N` (largest PPO size for tfjs, 100000),
 * `--sac-tfjs-max N` (10000), `--torch-sac-max N` (100000; PyTorch's SAC graph at 10⁶ needs
 * > 10 GB), `--no-sac`, `--no-python`, `--python PATH`, `--backend wasm|cpu|auto` (tfjs),
 * `--lanczos` / `--full` (top-100 Lanczos and the full spectrum of the PPO actor on
 * `--eig-samples N` samples, vs scipy eigsh / torch eigvalsh).
 *
 * @module
 */
import { initRuntime } from "../lib/runtime/mod.ts";
import { makeEnv } from "../lib/envs/mod.ts";
import { Rng } from "../lib/rng.ts";
import { initActorCritic, makeActorCriticSpec } from "../lib/agents/ppo/policy.ts";
import { initSacParams, makeSacSpec } from "../lib/agents/sac/policy.ts";
import { Arena } from "../lib/compute/arena.ts";
import { WasmDevice } from "../lib/compute/wasm/device.ts";
import { symmetricEigen } from "../lib/linalg/symmetric_eigen.ts";
import {
  type ChunkedLoss,
  collectPpoRollout,
  explicitHessian,
  lanczosTopK,
  ppoLoss,
  type PpoRollout,
  sacActorChunkedLoss,
  sacCriticChunkedLoss,
  type SacDataSet,
} from "../lib/subspaces/mod.ts";
import { makeHessianOperator } from "../lib/subspaces/hvp.ts";
// The tfjs double-backprop reference (a test reference, not a production path) for comparison.
import { tfjsReference } from "../tests/reference/hessian_tfjs.ts";
import { FastHessianOperator } from "../lib/subspaces/engine/mod.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const list = (name: string, fallback: string) => option(name, fallback).split(",").map(Number);
const ppoSizes = list("samples", "10000,100000,1000000");
const sacSizes = flag("no-sac") ? [] : list("sac-samples", "10000,100000,1000000");
const tfjsMax = Number(option("tfjs-max", "100000"));
const sacTfjsMax = Number(option("sac-tfjs-max", "10000"));
const torchSacMax = Number(option("torch-sac-max", "100000"));
const eigSamples = Number(option("eig-samples", "2048"));
const python = option("python", new URL("../.venv/bin/python", import.meta.url).pathname);
const BLOCK = 8;

const runtime = await initRuntime({ backend: option("backend", "auto") as "auto" });
console.error(`tfjs backend: ${runtime.summary}`);

// ---- Data.
const ppoSpec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
const ppoTheta = initActorCritic(ppoSpec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
const maxPpo = Math.max(...ppoSizes, eigSamples);
const collected = collectPpoRollout({
  spec: ppoSpec,
  thetaActor: ppoTheta.actor,
  thetaCritic: ppoTheta.critic,
  env: makeEnv("Pendulum-v1"),
  vecNormalize: null,
  samples: Math.min(maxPpo, 100_000),
  gamma: 0.99,
  gaeLambda: 0.95,
  envSeed: 1,
  rng: new Rng(2),
});
const tile = (a: Float32Array, n: number, dim: number) => {
  const out = new Float32Array(n * dim);
  for (let s = 0; s < n * dim; s += a.length) {
    out.set(a.subarray(0, Math.min(a.length, n * dim - s)), s);
  }
  return out;
};
const rollout: PpoRollout = {
  ...collected,
  n: maxPpo,
  observations: tile(collected.observations, maxPpo, 3),
  actions: tile(collected.actions, maxPpo, 1),
  advantages: tile(collected.advantages, maxPpo, 1),
  returns: tile(collected.returns, maxPpo, 1),
};
const prefix = (n: number): PpoRollout => ({
  ...rollout,
  n,
  observations: rollout.observations.subarray(0, 3 * n),
  actions: rollout.actions.subarray(0, n),
  advantages: rollout.advantages.subarray(0, n),
  returns: rollout.returns.subarray(0, n),
});
const ENT_COEF = 0, VF_COEF = 0.5;

const sacSpec = makeSacSpec(3, 1, { netArch: [256, 256] });
const sacTheta = initSacParams(sacSpec, new Rng(3));
const SAC_ALPHA = 0.2;
const maxSac = Math.max(0, ...sacSizes);
const sacRng = new Rng(4);
const sacData: SacDataSet = {
  n: maxSac,
  observations: tile(rollout.observations, maxSac, 3),
  actions: sacRng.fillUniform(new Float32Array(maxSac), -1, 1),
  targets: sacRng.fillNormal(new Float32Array(maxSac), -5, 3),
  noise: sacRng.fillNormal(new Float32Array(maxSac)),
};
const sacPrefix = (n: number): SacDataSet => ({
  n,
  observations: sacData.observations.subarray(0, 3 * n),
  actions: sacData.actions.subarray(0, n),
  targets: sacData.targets.subarray(0, n),
  noise: sacData.noise.subarray(0, n),
});

type Kind = "ppo-actor" | "ppo-critic" | "sac-actor" | "sac-critic";
function makeLoss(kind: Kind, n: number): ChunkedLoss {
  switch (kind) {
    case "ppo-actor":
      return ppoLoss("actor", ppoSpec, ppoTheta.actor, prefix(n), ENT_COEF);
    case "ppo-critic":
      return ppoLoss("critic", ppoSpec, ppoTheta.critic, prefix(n), VF_COEF);
    case "sac-actor":
      return sacActorChunkedLoss(
        {
          spec: sacSpec,
          thetaActor: sacTheta.actor,
          thetaCritic: sacTheta.critic,
          alpha: SAC_ALPHA,
        },
        sacPrefix(n),
        { detachQ: false },
      );
    case "sac-critic":
      return sacCriticChunkedLoss(sacSpec, sacTheta.critic, sacPrefix(n));
  }
}

// ---- Measurements.
const vectors = (n: number, count: number) =>
  Array.from({ length: count }, (_, i) => new Rng(10 + i).fillNormal(new Float64Array(n)));

interface FastTiming {
  ms: number;
  firstMs: number;
  memory: number;
  flops: number;
  cached: string;
}

async function timeFast(loss: ChunkedLoss, threads: 1 | 2, block: number): Promise<FastTiming> {
  const op = new FastHessianOperator(
    { label: loss.label, theta: loss.theta, objective: loss.objective },
    { threads, maxBlock: BLOCK },
  );
  try {
    const vs = vectors(op.n, block);
    let t0 = performance.now();
    await op.hvpBlock(vs);
    const firstMs = performance.now() - t0;
    const reps = Math.max(1, Math.min(5, Math.ceil(1500 / firstMs)));
    t0 = performance.now();
    for (let i = 0; i < reps; i++) await op.hvpBlock(vs);
    return {
      ms: (performance.now() - t0) / reps / block,
      firstMs,
      memory: op.memoryBytes,
      flops: 2 * op.macs.rPass,
      cached: `${op.cachedChunks}/${op.chunks}`,
    };
  } finally {
    op.dispose();
  }
}

async function timeTfjs(analysisLoss: ChunkedLoss): Promise<number> {
  const { op, loss } = tfjsReference(analysisLoss, 8192);
  try {
    const [v] = vectors(op.n, 1);
    const t0 = performance.now();
    await op.hvp(v);
    const first = performance.now() - t0;
    if (first > 3000) return first; // one warm HVP is enough for slow sizes
    const reps = Math.max(1, Math.min(4, Math.ceil(3000 / first)));
    const t1 = performance.now();
    for (let i = 0; i < reps; i++) await op.hvp(v);
    return (performance.now() - t1) / reps;
  } finally {
    op.dispose();
    loss.dispose();
  }
}

/**
 * Sustained single-thread GFLOP/s of the float32 kernel on C[m×n] = A[m×k]·B[k×n]: the better
 * of A row- and column-major, best of three 300 ms windows (the machine is shared).
 */
function kernelGflops(m: number, k: number, n: number): number {
  const plan = new Arena(64);
  const a = plan.f32(m * k), b = plan.f32(k * n), c = plan.f32(m * n);
  const wk = new WasmDevice(plan.top);
  new Rng(1).fillNormal(wk.f32(a, m * k));
  new Rng(2).fillNormal(wk.f32(b, k * n));
  let best = 0;
  for (const layout of ["row", "col"] as const) {
    const lda = layout === "row" ? k : m;
    const gemm = layout === "row" ? wk.kernels.gemmRow : wk.kernels.gemmCol;
    const call = () => gemm(a, b, c, 0, 0, m, n, k, lda, n, n, 0);
    for (let i = 0; i < 100; i++) call();
    for (let window = 0; window < 3; window++) {
      let reps = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 300) {
        for (let i = 0; i < 20; i++) call();
        reps += 20;
      }
      best = Math.max(best, (2 * m * n * k * reps) / ((performance.now() - t0) * 1e6));
    }
  }
  return best;
}

const kinds: { kind: Kind; sizes: number[]; tfjsMax: number; shape: [number, number, number] }[] = [
  { kind: "ppo-actor", sizes: ppoSizes, tfjsMax, shape: [256, 64, 64] },
  { kind: "ppo-critic", sizes: ppoSizes, tfjsMax, shape: [256, 64, 64] },
  { kind: "sac-actor", sizes: sacSizes, tfjsMax: sacTfjsMax, shape: [256, 256, 256] },
  { kind: "sac-critic", sizes: sacSizes, tfjsMax: sacTfjsMax, shape: [256, 256, 256] },
].filter((k) => k.sizes.length > 0) as {
  kind: Kind;
  sizes: number[];
  tfjsMax: number;
  shape: [number, number, number];
}[];

const gflops: Record<string, number> = {};
for (const { shape } of kinds) {
  const key = shape.join("x");
  if (key in gflops) continue;
  gflops[key] = kernelGflops(...shape);
  console.error(`kernel ${key}: ${gflops[key].toFixed(1)} GFLOP/s (one thread)`);
}

interface Row {
  kind: Kind;
  samples: number;
  n: number;
  fast1: FastTiming | null;
  fast2: FastTiming | null;
  fastBlock: FastTiming | null;
  tfjs: number | null;
}
const rows: Row[] = [];
let peakRss = 0;
for (const { kind, sizes, tfjsMax: tMax } of kinds) {
  for (const samples of sizes) {
    const loss = makeLoss(kind, samples);
    const largeSac = kind.startsWith("sac") && samples >= 1_000_000;
    const row: Row = {
      kind,
      samples,
      n: loss.theta.length,
      fast1: largeSac ? null : await timeFast(loss, 1, 1),
      fast2: await timeFast(loss, 2, 1),
      fastBlock: largeSac ? null : await timeFast(loss, 2, BLOCK),
      tfjs: samples <= tMax ? await timeTfjs(loss) : null,
    };
    loss.dispose();
    peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    rows.push(row);
    const f = (t: FastTiming | null) => (t ? `${t.ms.toFixed(1)} ms` : "—");
    console.error(
      `${kind} ${samples}: fast 1T ${f(row.fast1)}, 2T ${f(row.fast2)}, 2T×${BLOCK} ` +
        `${f(row.fastBlock)}, tfjs ${row.tfjs?.toFixed(1) ?? "—"} ms ` +
        `(first HVP incl. cache ${row.fast2?.firstMs.toFixed(0)} ms, cached ${row.fast2?.cached})`,
    );
  }
}

// ---- Lanczos / full spectrum (opt-in).
let lanczos: { hvps: number; ms: number; top: number[] } | null = null;
let full: { hessianMs: number; eigMs: number; top: number[]; n: number } | null = null;
if (flag("lanczos") || flag("full")) {
  const loss = makeLoss("ppo-actor", eigSamples);
  const op = makeHessianOperator(loss, { engine: "fast" });
  if (flag("lanczos")) {
    const t0 = performance.now();
    const r = await lanczosTopK(op.asOperator(), op.n, {
      k: 100,
      tol: 1e-4,
      seed: 0,
      onNotConverged: "warn",
    });
    lanczos = { hvps: r.hvpCount, ms: performance.now() - t0, top: Array.from(r.eigenvalues) };
  }
  if (flag("full")) {
    const t0 = performance.now();
    const h = await explicitHessian(op.asOperator(), op.n);
    const t1 = performance.now();
    const eig = symmetricEigen(h.matrix, op.n, { vectors: false, overwriteInput: true });
    const t2 = performance.now();
    full = { hessianMs: t1 - t0, eigMs: t2 - t1, top: Array.from(eig.values.slice(0, 5)), n: op.n };
  }
  op.dispose();
  loss.dispose();
}

// ---- PyTorch on the same θ and data.
type TorchOut = {
  torch: string;
  scipy: string;
  defaultThreads: number;
  hvp: Record<string, { ms: number; graphMs: number }>;
  gflops: Record<string, number>;
  [key: string]: unknown;
};
let torch: TorchOut | null = null;
if (!flag("no-python")) {
  const dir = await Deno.makeTempDir({ prefix: "pgsubspace-bench-" });
  const write = (name: string, a: Float32Array) =>
    Deno.writeFile(`${dir}/${name}.f32`, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  await write("ppo_actor", ppoTheta.actor);
  await write("ppo_critic", ppoTheta.critic);
  await write("ppo_obs", rollout.observations);
  await write("ppo_actions", rollout.actions);
  await write("ppo_advantages", rollout.advantages);
  await write("ppo_returns", rollout.returns);
  const jobs: { kind: Kind; samples: number; threads: number }[] = [];
  for (const { kind, sizes } of kinds) {
    for (const samples of sizes) {
      if (kind.startsWith("sac") && samples > torchSacMax) continue;
      for (const threads of [1, 2]) jobs.push({ kind, samples, threads });
    }
  }
  const meta: Record<string, unknown> = {
    ppo: {
      obsDim: 3,
      actDim: 1,
      hidden: [64, 64],
      activation: "tanh",
      entCoef: ENT_COEF,
      vfCoef: VF_COEF,
    },
    jobs,
    gemmShapes: [...new Set(kinds.map((k) => k.shape.join("x")))].map((s) =>
      s.split("x").map(Number)
    ),
    eigSamples,
    lanczos: flag("lanczos"),
    full: flag("full"),
  };
  if (sacSizes.length > 0) {
    await write("sac_actor", sacTheta.actor);
    await write("sac_critic", sacTheta.critic);
    await write("sac_obs", sacData.observations);
    await write("sac_actions", sacData.actions);
    await write("sac_targets", sacData.targets);
    await write("sac_noise", sacData.noise);
    meta.sac = { obsDim: 3, actDim: 1, hidden: [256, 256], alpha: SAC_ALPHA };
  }
  await Deno.writeTextFile(`${dir}/meta.json`, JSON.stringify(meta));
  try {
    const out = await new Deno.Command(python, {
      args: [new URL("../tools/hvp_torch.py", import.meta.url).pathname, dir],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (out.success) torch = JSON.parse(text.split("\n").at(-1)!);
    else console.error(`tools/hvp_torch.py failed (exit ${out.code}); PyTorch columns left empty`);
  } catch (e) {
    console.error(`PyTorch reference not run: ${(e as Error).message}`);
  }
  await Deno.remove(dir, { recursive: true });
}

// ---- Tables.
const ms = (x: number | null | undefined) =>
  x === null || x === undefined
    ? "—"
    : x >= 1000
    ? `${(x / 1000).toFixed(2)} s`
    : `${x.toFixed(1)} ms`;
const torchMs = (kind: Kind, samples: number, threads: number) =>
  torch?.hvp[`${kind}/${samples}/${threads}`]?.ms ?? null;
const best = (r: Row) =>
  Math.min(...[r.fast1, r.fast2, r.fastBlock].filter((t) => t !== null).map((t) => t!.ms));
const table = (header: string[], body: string[][]) => {
  const w = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
};

console.log(
  `\nHVP benchmark (one Hessian-vector product, float64 accumulation) — tfjs: ${runtime.summary}; ` +
    `torch: ${torch ? `${torch.torch}, default ${torch.defaultThreads} threads` : "not run"}\n`,
);
table(
  [
    "loss",
    "N",
    "samples",
    "fast 1T",
    "fast 2T",
    `fast 2T, block of ${BLOCK} (per vector)`,
    "tfjs",
    "torch 1T",
    "torch 2T",
    "torch 1T / best fast",
    "torch 2T / best fast",
  ],
  rows.map((r) => {
    const t1 = torchMs(r.kind, r.samples, 1), t2 = torchMs(r.kind, r.samples, 2);
    return [
      r.kind,
      r.n.toLocaleString("en-US"),
      r.samples.toLocaleString("en-US"),
      ms(r.fast1?.ms),
      ms(r.fast2?.ms),
      ms(r.fastBlock?.ms),
      ms(r.tfjs),
      ms(t1),
      ms(t2),
      t1 === null ? "—" : `${(t1 / best(r)).toFixed(2)}×`,
      t2 === null ? "—" : `${(t2 / best(r)).toFixed(2)}×`,
    ];
  }),
);

console.log(
  "\nFloor: FLOPs of one HVP (2 × multiply-adds of the R-pass with the chunk state cached) / " +
    "sustained GFLOP/s of one float32 product of the dominant layer shape (this engine's kernel " +
    "on one thread, two threads = twice that; torch.mm on one thread). 'Achieved' = floor / time.\n",
);
table(
  [
    "loss",
    "samples",
    "GFLOP / HVP",
    "kernel GFLOP/s (1T)",
    "floor 1T",
    "fast 1T achieved",
    "floor 2T",
    "best fast 2T achieved",
    "torch.mm GFLOP/s (1T)",
    "torch floor 1T",
    "torch 1T achieved",
  ],
  rows.map((r) => {
    const shape = kinds.find((k) => k.kind === r.kind)!.shape;
    const g = gflops[shape.join("x")];
    const flops = (r.fast2 ?? r.fast1)!.flops;
    const floor1 = flops / (g * 1e6), floor2 = floor1 / 2;
    const tg = torch?.gflops[`${shape.join("x")}/1`] ?? null;
    const tFloor = tg ? flops / (tg * 1e6) : null;
    const t1 = torchMs(r.kind, r.samples, 1);
    const best2 = Math.min(...[r.fast2, r.fastBlock].filter((t) => t !== null).map((t) => t!.ms));
    return [
      r.kind,
      r.samples.toLocaleString("en-US"),
      (flops / 1e9).toFixed(2),
      g.toFixed(1),
      ms(floor1),
      r.fast1 ? `${((100 * floor1) / r.fast1.ms).toFixed(0)}%` : "—",
      ms(floor2),
      `${((100 * floor2) / best2).toFixed(0)}%`,
      tg ? tg.toFixed(1) : "—",
      ms(tFloor),
      tFloor && t1 ? `${((100 * tFloor) / t1).toFixed(0)}%` : "—",
    ];
  }),
);
console.log(
  "\n(The SAC actor's R-pass FLOPs cover the actor network only: with ReLU Q-networks " +
    "∂Q/∂ã is piecewise constant, so the frozen critic enters the HVP only through the cached " +
    "first-order terms; PyTorch's double backprop still traverses both Q-networks.)",
);
const big = rows.filter((r) => r.samples >= 1_000_000);
for (const r of big) {
  const t = r.fast2 ?? r.fast1;
  console.log(
    `memory, ${r.kind} at ${r.samples.toLocaleString("en-US")} samples: engine ` +
      `${(t!.memory / 2 ** 30).toFixed(2)} GiB (chunks cached ${t!.cached})`,
  );
}
console.log(`peak RSS of this benchmark process: ${(peakRss / 2 ** 30).toFixed(2)} GiB`);
if (lanczos) {
  console.log(
    `\nLanczos top-100 (tol 1e-4), PPO actor, ${eigSamples} samples: ${lanczos.hvps} HVPs, ` +
      `${ms(lanczos.ms)} (eigsh: ${torch?.eigsh_matvecs ?? "—"} matvecs, ` +
      `${ms(torch?.eigsh_ms as number | undefined)})`,
  );
}
if (full) {
  console.log(
    `full spectrum, PPO actor N = ${full.n}: explicit Hessian ${ms(full.hessianMs)}, eig ` +
      `${ms(full.eigMs)} (torch: ${ms(torch?.hessian_ms as number | undefined)}, ` +
      `${ms(torch?.eigh_ms as number | undefined)})`,
  );
}
