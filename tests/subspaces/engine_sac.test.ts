// The fast engine's SAC losses against the tfjs double-backprop reference (relative error
// ≤ 1e-5): actor with frozen twin Q (log σ clamp active on some samples, detachQ), twin-Q critic;
// block HVPs and two threads. (Finite differences of the float64 squashed-Gaussian reference, with
// ReLU and tanh Q-networks: tests/compute/evaluator.test.ts.)
import { assert, assertAlmostEquals } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { initSacParams, makeSacSpec } from "../../lib/agents/sac/policy.ts";
import { Rng } from "../../lib/rng.ts";
import {
  type ChunkedLoss,
  sacActorChunkedLoss,
  sacCriticChunkedLoss,
  type SacDataSet,
} from "../../lib/subspaces/mod.ts";
import { tfjsReference } from "../reference/hessian_tfjs.ts";
import { type FastEngineOptions, FastHessianOperator } from "../../lib/subspaces/engine/mod.ts";
import { relativeError, unitVector } from "./_reference.ts";

await initRuntime({ backend: "cpu" });

function fastOf(loss: ChunkedLoss, options: FastEngineOptions = {}): FastHessianOperator {
  const objective = loss.objective;
  if (!objective) throw new Error(`${loss.label} carries no compute objective`);
  return new FastHessianOperator(
    { label: loss.label, theta: loss.theta, objective },
    { threads: 1, chunkRows: 16, maxBlock: 4, ...options },
  );
}

/** A SAC problem with the library's networks (ReLU), random data and targets. */
function sacProblem(obsDim: number, actDim: number, hidden: number[], n: number, seed: number) {
  const spec = makeSacSpec(obsDim, actDim, { netArch: hidden });
  const rng = new Rng(seed);
  const { actor, critic } = initSacParams(spec, rng);
  // Push log σ towards both clamp bounds so that some samples sit outside [−20, 2] (first
  // problem: 40 of 45 above in dimension 0, 23 below in dimension 1, 27 of 90 values inside).
  const lsBias = spec.heads.logStdBias;
  actor[lsBias] = 1.75;
  if (actDim > 1) actor[lsBias + 1] = -19.85;
  for (let i = spec.heads.logStdWeight; i < lsBias; i++) actor[i] *= 3;
  const data: SacDataSet = {
    n,
    observations: rng.fillNormal(new Float32Array(n * obsDim)),
    actions: rng.fillUniform(new Float32Array(n * actDim), -1, 1),
    targets: rng.fillNormal(new Float32Array(n), 0.5, 2),
    noise: rng.fillNormal(new Float32Array(n * actDim)),
  };
  return { spec, actor, critic, data };
}

async function checkAgainstTfjs(label: string, loss: ChunkedLoss, options: FastEngineOptions) {
  const fast = fastOf(loss, options);
  const { op: ref, loss: refLoss } = tfjsReference(loss, 16);
  try {
    const a = await fast.valueAndGradient(), b = await ref.valueAndGradient();
    assertAlmostEquals(a.value, b.value, 1e-6 * Math.max(1, Math.abs(b.value)), label);
    const gErr = relativeError(a.gradient, b.gradient);
    assert(gErr <= 1e-5, `${label}: gradient vs tfjs ${gErr.toExponential(2)}`);
    const vs = [1, 2, 3].map((s) => unitVector(fast.n, s));
    const block = await fast.hvpBlock(vs);
    for (let i = 0; i < vs.length; i++) {
      const err = relativeError(block[i], await ref.hvp(vs[i]));
      assert(err <= 1e-5, `${label}: HVP ${i} vs tfjs ${err.toExponential(2)}`);
    }
  } finally {
    fast.dispose();
    ref.dispose();
    refLoss.dispose();
  }
}

Deno.test("SAC actor (frozen twin Q, clamp active, detachQ) and critic: engine == tfjs", async () => {
  for (const [obsDim, actDim, hidden, n] of [[3, 2, [9, 7], 45], [4, 1, [6], 30]] as const) {
    const { spec, actor, critic, data } = sacProblem(obsDim, actDim, [...hidden], n, 3 + n);
    for (const detachQ of [false, true]) {
      const loss = sacActorChunkedLoss(
        { spec, thetaActor: actor, thetaCritic: critic, alpha: 0.2 },
        data,
        { detachQ },
      );
      await checkAgainstTfjs(`actor ${hidden} detachQ=${detachQ}`, loss, {});
      loss.dispose();
    }
    const loss = sacCriticChunkedLoss(spec, critic, data);
    await checkAgainstTfjs(`critic ${hidden}`, loss, {});
    loss.dispose();
  }
});

Deno.test("SAC: two threads, uncached chunks and one thread agree", async () => {
  const { spec, actor, critic, data } = sacProblem(3, 2, [8, 8], 260, 5);
  const losses = [
    sacActorChunkedLoss({ spec, thetaActor: actor, thetaCritic: critic, alpha: 0.1 }, data, {
      detachQ: false,
    }),
    sacCriticChunkedLoss(spec, critic, data),
  ];
  for (const loss of losses) {
    const vs = [unitVector(loss.theta.length, 1), unitVector(loss.theta.length, 2)];
    const one = fastOf(loss), two = fastOf(loss, { threads: 2, cacheBytes: 0 });
    const [a, b] = [await one.hvpBlock(vs), await two.hvpBlock(vs)];
    for (let j = 0; j < vs.length; j++) assert(relativeError(a[j], b[j]) < 1e-6);
    assert(relativeError(await one.gradient(), await two.gradient()) < 1e-6);
    one.dispose();
    two.dispose();
    loss.dispose();
  }
});
