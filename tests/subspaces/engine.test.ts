// The fast R-operator engine (lib/subspaces/engine) against two independent references: the tfjs
// double-backprop HessianOperator (relative error ≤ 1e-5: both are float32) and central finite
// differences of the float64 losses in _reference.ts (≤ 1e-4). Random networks (tanh and ReLU,
// one to three hidden layers, several observation/action sizes), random batches and vectors.
// Also: block HVPs, chunking/caching/threads invariance, engine selection, bad input.
import { assert, assertAlmostEquals, assertRejects, assertThrows } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { type ChunkedLoss, ppoLoss } from "../../lib/subspaces/mod.ts";
import { tfjsReference } from "../reference/hessian_tfjs.ts";
import { makeHessianOperator } from "../../lib/subspaces/hvp.ts";
import { type FastEngineOptions, FastHessianOperator } from "../../lib/subspaces/engine/mod.ts";
import {
  type Act,
  fdGradient,
  fdHvp,
  type GaussianProblem,
  gaussianProblem,
  ppoActorReference,
  ppoCriticReference,
  relativeError,
  rolloutOf,
  unitVector,
} from "./_reference.ts";

await initRuntime({ backend: "cpu" });

const ENT = 0.01, VF = 0.5;

function ppoLosses(p: GaussianProblem) {
  const spec = makeActorCriticSpec(p.obsDim, p.actDim, { netArch: p.hidden, activation: p.act });
  const rollout = rolloutOf(p);
  return {
    actor: ppoLoss("actor", spec, p.actor, rollout, ENT),
    critic: ppoLoss("critic", spec, p.critic, rollout, VF),
  };
}

function fastOf(loss: ChunkedLoss, options: FastEngineOptions = {}): FastHessianOperator {
  const objective = loss.objective;
  if (!objective) throw new Error(`${loss.label} carries no compute objective`);
  return new FastHessianOperator(
    { label: loss.label, theta: loss.theta, objective },
    { threads: 1, chunkRows: 16, maxBlock: 3, ...options },
  );
}

/** Fast vs tfjs: value, gradient, single and block HVPs. */
async function checkAgainstTfjs(label: string, loss: ChunkedLoss, seeds: number[]) {
  const fast = fastOf(loss);
  const { op: ref, loss: refLoss } = tfjsReference(loss, 16);
  try {
    const a = await fast.valueAndGradient(), b = await ref.valueAndGradient();
    assertAlmostEquals(a.value, b.value, 1e-6 * Math.max(1, Math.abs(b.value)), label);
    const gErr = relativeError(a.gradient, b.gradient);
    assert(gErr <= 1e-5, `${label}: gradient vs tfjs ${gErr.toExponential(2)} > 1e-5`);
    const vs = seeds.map((s) => unitVector(fast.n, s));
    const block = await fast.hvpBlock(vs);
    for (let i = 0; i < vs.length; i++) {
      const want = await ref.hvp(vs[i]);
      const err = relativeError(block[i], want);
      assert(err <= 1e-5, `${label}: HVP ${i} vs tfjs ${err.toExponential(2)} > 1e-5`);
    }
  } finally {
    fast.dispose();
    ref.dispose();
    refLoss.dispose();
  }
}

/** Fast vs float64 finite differences. */
async function checkAgainstFd(
  label: string,
  loss: ChunkedLoss,
  reference: (theta: Float64Array) => number,
  seed: number,
) {
  const fast = fastOf(loss);
  try {
    const theta = Float64Array.from(loss.theta);
    const { value, gradient } = await fast.valueAndGradient();
    assertAlmostEquals(value, reference(theta), 1e-5 * Math.max(1, Math.abs(value)), label);
    const gErr = relativeError(gradient, fdGradient(reference, theta));
    assert(gErr <= 1e-4, `${label}: gradient vs FD ${gErr.toExponential(2)} > 1e-4`);
    const v = unitVector(theta.length, seed);
    const err = relativeError(await fast.hvp(v), fdHvp(reference, theta, v));
    assert(err <= 1e-4, `${label}: HVP vs FD ${err.toExponential(2)} > 1e-4`);
  } finally {
    fast.dispose();
  }
}

const ARCHITECTURES: { obs: number; act: number; hidden: number[]; n: number }[] = [
  { obs: 3, act: 1, hidden: [6, 5], n: 53 },
  { obs: 5, act: 3, hidden: [7], n: 40 },
  { obs: 2, act: 2, hidden: [4, 6, 3], n: 35 },
];

for (const act of ["tanh", "relu"] as Act[]) {
  Deno.test(`PPO actor and critic (${act}): engine == tfjs double backprop on random networks`, async () => {
    for (const [i, a] of ARCHITECTURES.entries()) {
      const p = gaussianProblem(a.obs, a.act, a.hidden, act, a.n, 100 + i);
      const { actor, critic } = ppoLosses(p);
      const arch = `${act} ${a.obs}→[${a.hidden}]→${a.act}`;
      try {
        await checkAgainstTfjs(`actor ${arch}`, actor, [1, 2, 3, 4]);
        await checkAgainstTfjs(`critic ${arch}`, critic, [5, 6]);
      } finally {
        actor.dispose();
        critic.dispose();
      }
    }
  });
}

for (const act of ["tanh", "relu"] as Act[]) {
  Deno.test(`PPO actor and critic (${act}): engine matches float64 finite differences`, async () => {
    // The configuration of hvp.test.ts, whose ReLU kinks stay clear of the FD steps.
    const p = gaussianProblem(3, 2, [6, 5], act, 48, act === "tanh" ? 11 : 12);
    const { actor, critic } = ppoLosses(p);
    await checkAgainstFd(`actor ${act}`, actor, ppoActorReference(p, ENT), 1);
    await checkAgainstFd(`critic ${act}`, critic, ppoCriticReference(p, VF), 2);
    actor.dispose();
    critic.dispose();
  });
}

Deno.test("block HVP == one HVP per vector; blocks larger than maxBlock are split", async () => {
  const p = gaussianProblem(4, 2, [8, 8], "tanh", 70, 3);
  const { actor, critic } = ppoLosses(p);
  critic.dispose();
  const op = fastOf(actor, { maxBlock: 3 });
  const vs = [1, 2, 3, 4, 5, 6, 7].map((s) => unitVector(op.n, s));
  const block = await op.hvpBlock(vs);
  assert(block.length === 7 && op.hvpCount === 7);
  for (let i = 0; i < vs.length; i++) {
    const single = await op.hvp(vs[i]);
    const err = relativeError(block[i], single);
    assert(err < 1e-6, `vector ${i}: block vs single ${err.toExponential(2)}`);
  }
  op.dispose();
  actor.dispose();
});

Deno.test("chunk size, cache, and 1 vs 2 threads give the same results", async () => {
  const p = gaussianProblem(3, 2, [8, 8], "tanh", 301, 4);
  const { actor, critic } = ppoLosses(p);
  for (const loss of [actor, critic]) {
    const v = [unitVector(loss.theta.length, 1), unitVector(loss.theta.length, 2)];
    const runs: { hv: Float64Array[]; g: Float64Array; value: number }[] = [];
    const configs: FastEngineOptions[] = [
      { chunkRows: 301, cacheBytes: 2 ** 30 },
      { chunkRows: 7, cacheBytes: 0 }, // every chunk recomputed
      { chunkRows: 16, cacheBytes: 8 * 1024 }, // some cached, some not
      { chunkRows: 16, threads: 2 },
      { chunkRows: 1, threads: 2, cacheBytes: 0 },
    ];
    for (const c of configs) {
      const op = fastOf(loss, c);
      assert(op.threads === (c.threads ?? 1));
      const hv = await op.hvpBlock(v);
      const { value, gradient } = await op.valueAndGradient();
      runs.push({ hv, g: gradient, value });
      op.dispose();
    }
    for (const r of runs.slice(1)) {
      assertAlmostEquals(r.value, runs[0].value, 1e-6);
      assert(relativeError(r.g, runs[0].g) < 1e-6, `${loss.label}: gradient differs`);
      for (let j = 0; j < v.length; j++) {
        assert(relativeError(r.hv[j], runs[0].hv[j]) < 1e-6, `${loss.label}: HVP differs`);
      }
    }
    loss.dispose();
  }
});

Deno.test("two threads: the idle worker stops (a live one would keep the process alive) and restarts", async () => {
  const p = gaussianProblem(3, 1, [8], "tanh", 200, 10);
  const { actor, critic } = ppoLosses(p);
  critic.dispose();
  const op = fastOf(actor, { threads: 2, chunkRows: 8 });
  const v = unitVector(op.n, 1);
  const first = await op.hvp(v);
  await new Promise((resolve) => setTimeout(resolve, 2300)); // > the 2 s idle limit
  const again = await op.hvp(v);
  assert(op.threads === 2 && relativeError(again, first) < 1e-12);
  op.dispose();
  actor.dispose();
});

Deno.test("makeHessianOperator: auto and fast are float32 WebAssembly, cpu is float64", async () => {
  const p = gaussianProblem(3, 1, [5], "tanh", 20, 8);
  const { actor, critic } = ppoLosses(p);
  critic.dispose();
  const auto = makeHessianOperator(actor);
  const cpu = makeHessianOperator(actor, { engine: "cpu" });
  assert(auto.engine === "fast" && cpu.engine === "cpu");
  const v = unitVector(actor.theta.length, 1);
  assert(relativeError(await auto.hvp(v), await cpu.hvp(v)) < 1e-5);
  auto.dispose();
  cpu.dispose();
  assertThrows(
    () => makeHessianOperator(actor, { engine: "tfjs" as "fast" }),
    RangeError,
    "tests/reference",
  );
  assertThrows(
    () => makeHessianOperator(actor, { engine: "gpu" as "fast" }),
    RangeError,
    "engine must be one of",
  );
  actor.dispose();
});

Deno.test("bad input: wrong vector length, non-finite θ, use after dispose, bad options", async () => {
  const p = gaussianProblem(3, 1, [4], "tanh", 10, 9);
  const { actor, critic } = ppoLosses(p);
  critic.dispose();
  const op = fastOf(actor);
  await assertRejects(() => op.hvp(new Float64Array(3)), RangeError, "length 3");
  op.dispose();
  await assertRejects(() => op.gradient(), Error, "after dispose");
  const theta = actor.theta.map((x, i) => (i === 2 ? NaN : x));
  assertThrows(() => fastOf({ ...actor, theta }), RangeError, "θ[2] is NaN");
  assertThrows(() => fastOf(actor, { chunkRows: 0 }), RangeError, "chunkRows");
  const short = { ...actor, theta: actor.theta.subarray(1) };
  assertThrows(() => fastOf(short), RangeError, "block");
  const objective = actor.objective!;
  if (objective.kind !== "policy-gradient") throw new Error("expected the actor");
  const obs = objective.obs as Float32Array, actions = objective.actions as Float32Array;
  const broken = { ...actor, objective: { ...objective, obs: obs.subarray(1) } };
  assertThrows(() => fastOf(broken), RangeError, "observation");
  // A non-finite data value surfaces as a clear error, not as NaN in the result.
  const nanData = { ...actor, objective: { ...objective, actions: actions.map(() => NaN) } };
  const nanOp = fastOf(nanData);
  await assertRejects(() => nanOp.hvp(unitVector(nanOp.n, 1)), RangeError, "non-finite");
  nanOp.dispose();
  actor.dispose();
});
