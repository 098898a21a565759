/**
 * Hessian benchmark of the PPO 64×64 actor and critic losses (Pendulum-v1 sizes: N_actor = 4,482,
 * N_critic = 4,481) on realistic data (a rollout of the initial policy). Prints one table:
 *
 * 1. one HVP (exact, chunked, float64 accumulation) of the actor and critic loss at 10⁴ and 10⁵
 *    samples, and whether `tf.memory().numTensors` stays flat;
 * 2. a top-100 Lanczos solve (largest algebraic, tol 1e-4, ncv 201: the paper's eigsh settings)
 *    of the actor loss on `--eig-samples` samples (default 2,048, PPO's mini-batch Hessian): HVP
 *    count and wall time;
 * 3. the full spectrum of the same Hessian (N HVPs + dense symmetric eigensolver): wall time;
 *
 * next to the same measurements on the same θ and data with PyTorch (double backprop with a
 * retained graph, as the paper's code) and scipy `eigsh` (ARPACK) / `torch.linalg.eigh`, run from
 * `bench/hvp_torch.py` with `<repo>/.venv/bin/python` when torch and scipy are importable.
 *
 * Run: `deno run --allow-read --allow-write --allow-env --allow-run bench/hvp.ts`
 * (about 15–25 minutes on 2 shared cores). Options: `--backend wasm|cpu|webgpu|auto` (default
 * auto), `--eig-samples N`, `--chunk-size N` (8192), `--skip-full` (no full spectrum),
 * `--skip-lanczos`, `--no-python`, `--python PATH`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initRuntime } from "../lib/runtime/mod.ts";
import { makeEnv } from "../lib/envs/mod.ts";
import { Rng } from "../lib/rng.ts";
import { initActorCritic, makeActorCriticSpec } from "../lib/agents/ppo/policy.ts";
import { symmetricEigen } from "../lib/linalg/symmetric_eigen.ts";
import {
  collectPpoRollout,
  explicitHessian,
  HessianOperator,
  lanczosTopK,
  ppoActorLoss,
  ppoCriticLoss,
  type PpoRollout,
} from "../lib/subspaces/mod.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const backend = option("backend", "auto") as "auto";
const eigSamples = Number(option("eig-samples", "2048"));
const chunkSize = Number(option("chunk-size", "8192"));
const python = option("python", new URL("../.venv/bin/python", import.meta.url).pathname);

const runtime = await initRuntime({ backend });
console.error(`backend: ${runtime.summary}`);

// ---- Realistic data: the initial SB3-style 64×64 policy acting on Pendulum-v1.
const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
const total = 100_000;
const rollout = collectPpoRollout({
  spec,
  thetaActor: actor,
  thetaCritic: critic,
  env: makeEnv("Pendulum-v1"),
  vecNormalize: null,
  samples: total,
  gamma: 0.99,
  gaeLambda: 0.95,
  envSeed: 1,
  rng: new Rng(2),
});
const ENT_COEF = 0, VF_COEF = 0.5;

function prefix(r: PpoRollout, n: number): PpoRollout {
  return {
    ...r,
    n,
    observations: r.observations.subarray(0, n * r.obsDim),
    actions: r.actions.subarray(0, n * r.actDim),
    advantages: r.advantages.subarray(0, n),
    returns: r.returns.subarray(0, n),
  };
}

function makeOp(network: "actor" | "critic", samples: number) {
  const data = prefix(rollout, samples);
  const loss = network === "actor"
    ? ppoActorLoss(spec, actor, data, ENT_COEF, { chunkSize })
    : ppoCriticLoss(spec, critic, data, VF_COEF, { chunkSize });
  const op = new HessianOperator(loss);
  return { op, dispose: () => (op.dispose(), loss.dispose()) };
}

const rows: { what: string; ts: string; torch: string }[] = [];
const seconds = (ms: number) => (ms / 1000).toFixed(3) + " s";

// ---- 1. One HVP.
const hvpTimes: Record<string, number> = {};
let leakFree = true;
for (const samples of [10_000, 100_000]) {
  for (const network of ["actor", "critic"] as const) {
    const { op, dispose } = makeOp(network, samples);
    const v = new Rng(5).fillNormal(new Float64Array(op.n));
    await op.hvp(v); // warm-up (kernel compilation, memory growth)
    const tensors = tf.memory().numTensors;
    const reps = samples >= 100_000 ? 2 : 4;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await op.hvp(v);
    const ms = (performance.now() - t0) / reps;
    if (tf.memory().numTensors !== tensors) leakFree = false;
    dispose();
    hvpTimes[`${network}_${samples}`] = ms;
    console.error(`HVP ${network} ${samples}: ${seconds(ms)}`);
  }
}

// ---- 2. Lanczos top-100.
let lanczos: { hvps: number; ms: number; top: number[] } | null = null;
if (!flag("skip-lanczos")) {
  const { op, dispose } = makeOp("actor", eigSamples);
  const t0 = performance.now();
  const r = await lanczosTopK(op.asOperator(), op.n, {
    k: 100,
    tol: 1e-4,
    seed: 0,
    onNotConverged: "warn",
    onProgress: (p) => console.error(`lanczos: ${p.hvpCount} HVPs, ${p.converged}/100`),
  });
  lanczos = { hvps: r.hvpCount, ms: performance.now() - t0, top: Array.from(r.eigenvalues) };
  dispose();
}

// ---- 3. Full spectrum: explicit Hessian (N HVPs), then every eigenvalue.
let full: { hessianMs: number; eigMs: number; top: number[]; n: number } | null = null;
if (!flag("skip-full")) {
  const { op, dispose } = makeOp("actor", eigSamples);
  let done = 0;
  const column = async (v: Float64Array) => {
    const out = await op.hvp(v);
    if (++done % 500 === 0) console.error(`full spectrum: ${done}/${op.n} columns`);
    return out;
  };
  const t0 = performance.now();
  const h = await explicitHessian(column, op.n);
  const t1 = performance.now();
  const eig = symmetricEigen(h.matrix, op.n, { vectors: false, overwriteInput: true });
  const t2 = performance.now();
  full = { hessianMs: t1 - t0, eigMs: t2 - t1, top: Array.from(eig.values.slice(0, 5)), n: op.n };
  dispose();
}

// ---- PyTorch + scipy reference on the same θ and data.
let torchResult: Record<string, number | number[] | string> | null = null;
if (!flag("no-python")) {
  const dir = await Deno.makeTempDir({ prefix: "pgsubspace-bench-" });
  const write = (name: string, a: Float32Array) =>
    Deno.writeFile(`${dir}/${name}.f32`, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  await write("actor", actor);
  await write("critic", critic);
  await write("obs", rollout.observations);
  await write("actions", rollout.actions);
  await write("advantages", rollout.advantages);
  await write("returns", rollout.returns);
  await Deno.writeTextFile(
    `${dir}/meta.json`,
    JSON.stringify({
      obsDim: 3,
      actDim: 1,
      hidden: [64, 64],
      samples: total,
      eigSamples,
      entCoef: ENT_COEF,
      vfCoef: VF_COEF,
      lanczos: !flag("skip-lanczos"),
      full: !flag("skip-full"),
    }),
  );
  try {
    const out = await new Deno.Command(python, {
      args: [new URL("./hvp_torch.py", import.meta.url).pathname, dir],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (out.success) torchResult = JSON.parse(text.split("\n").at(-1)!);
    else console.error(`bench/hvp_torch.py failed (exit ${out.code}); PyTorch column left empty`);
  } catch (e) {
    console.error(`PyTorch reference not run: ${(e as Error).message}`);
  }
  await Deno.remove(dir, { recursive: true });
}

const t = (key: string) =>
  torchResult && typeof torchResult[key] === "number" ? seconds(torchResult[key] as number) : "—";
for (const samples of [10_000, 100_000]) {
  for (const network of ["actor", "critic"]) {
    rows.push({
      what: `one HVP, ${network}, ${samples.toLocaleString("en-US")} samples`,
      ts: seconds(hvpTimes[`${network}_${samples}`]),
      torch: t(`hvp_${network}_${samples}`),
    });
  }
}
rows.push({ what: "numTensors flat across HVPs", ts: leakFree ? "yes" : "NO", torch: "n/a" });
if (lanczos) {
  rows.push({
    what: `Lanczos top-100 (tol 1e-4), actor, ${eigSamples} samples: HVPs`,
    ts: String(lanczos.hvps),
    torch: torchResult ? String(torchResult.eigsh_matvecs) : "—",
  });
  rows.push({
    what: "  wall time",
    ts: seconds(lanczos.ms),
    torch: t("eigsh_ms"),
  });
}
if (full) {
  rows.push({
    what: `full spectrum, actor N = ${full.n}: explicit Hessian (N HVPs)`,
    ts: seconds(full.hessianMs),
    torch: t("hessian_ms"),
  });
  rows.push({
    what: "  all eigenvalues (dense symmetric eig)",
    ts: seconds(full.eigMs),
    torch: t("eigh_ms"),
  });
  rows.push({
    what: "  total",
    ts: seconds(full.hessianMs + full.eigMs),
    torch: t("full_ms"),
  });
}
const width = Math.max(...rows.map((r) => r.what.length));
console.log(
  `\nPPO 64×64 Hessian benchmark — pgsubspace: ${runtime.summary}; torch: ${
    torchResult
      ? `${torchResult.torch} (${torchResult.threads} threads), scipy ${torchResult.scipy}`
      : "not run"
  }\n`,
);
console.log(`| ${"measurement".padEnd(width)} | pgsubspace (tfjs) | PyTorch + scipy |`);
console.log(`|${"-".repeat(width + 2)}|-------------------|-----------------|`);
for (const r of rows) {
  console.log(`| ${r.what.padEnd(width)} | ${r.ts.padStart(17)} | ${r.torch.padStart(15)} |`);
}
const show = (xs: unknown) =>
  Array.isArray(xs) ? xs.slice(0, 3).map((x: number) => x.toPrecision(6)).join(", ") : "—";
if (lanczos) {
  console.log(
    `\ntop-3 eigenvalues, Lanczos: pgsubspace [${show(lanczos.top)}]  eigsh [${
      show(torchResult?.eigsh_top)
    }]`,
  );
}
if (full) {
  console.log(
    `top-3 eigenvalues, full: pgsubspace [${show(full.top)}]  torch eigh [${
      show(torchResult?.eigh_top)
    }]`,
  );
}
