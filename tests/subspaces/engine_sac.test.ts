// The fast engine's SAC families against the tfjs double-backprop reference (relative error
// ≤ 1e-5) and central finite differences of the float64 squashed-Gaussian reference (≤ 1e-4):
// actor with frozen twin Q (ReLU and tanh Q-networks, log σ clamp active on some samples,
// detachQ), twin-Q critic; block HVPs and two threads.
import { assert, assertAlmostEquals } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { LayoutBuilder, mlpBlockSpecs, type MlpSpec } from "../../lib/nn/mod.ts";
import { initSacParams, makeSacSpec } from "../../lib/agents/sac/policy.ts";
import { Rng } from "../../lib/rng.ts";
import {
  type ChunkedLoss,
  HessianOperator,
  sacActorChunkedLoss,
  sacCriticChunkedLoss,
  type SacDataSet,
} from "../../lib/subspaces/mod.ts";
import {
  type FastEngineOptions,
  FastHessianOperator,
  mlpNetBlocks,
  type NetBlocks,
} from "../../lib/subspaces/engine/mod.ts";
import {
  type Act,
  fdGradient,
  fdHvp,
  relativeError,
  squashedActorReference,
  squashedProblem,
  unitVector,
} from "./_reference.ts";

await initRuntime({ backend: "cpu" });

function fastOf(loss: ChunkedLoss, options: FastEngineOptions = {}): FastHessianOperator {
  const fast = loss.fast;
  if (!fast) throw new Error(`${loss.label} carries no fast description`);
  return new FastHessianOperator(
    { label: loss.label, theta: loss.theta, fast },
    { threads: 1, chunkRows: 16, maxBlock: 4, ...options },
  );
}

for (const act of ["relu", "tanh"] as Act[]) {
  Deno.test(`squashed-Gaussian actor with frozen Q (${act}): engine matches finite differences`, async () => {
    // The reference's layout: θ = [latent MLP, W_μ, b_μ, W_σ, b_σ]; two Q-nets in θ_critic.
    const p = squashedProblem(3, 2, [5, 4], act, 32, 21);
    const h = p.hidden[p.hidden.length - 1], a = p.actDim;
    const latent: MlpSpec = {
      prefix: "latent",
      inputDim: p.obsDim,
      hidden: p.hidden.slice(0, -1),
      outputDim: h,
      activation: act,
      activateOutput: true,
    };
    const layout = new LayoutBuilder().addAll(mlpBlockSpecs(latent))
      .add("mu.w", [h, a]).add("mu.b", [a]).add("ls.w", [h, a]).add("ls.b", [a]).build();
    const net = mlpNetBlocks(latent, layout);
    net.layers.push({
      fanIn: h,
      fanOut: 2 * a,
      groups: [
        { width: a, weight: layout.block("mu.w").offset, bias: layout.block("mu.b").offset },
        { width: a, weight: layout.block("ls.w").offset, bias: layout.block("ls.b").offset },
      ],
    });
    const q = (j: number): MlpSpec => ({
      prefix: `q${j}`,
      inputDim: p.obsDim + a,
      hidden: p.hidden,
      outputDim: 1,
      activation: act,
    });
    const critic = new LayoutBuilder().addAll(mlpBlockSpecs(q(0))).addAll(mlpBlockSpecs(q(1)))
      .build();
    const qNets: [NetBlocks, NetBlocks] = [mlpNetBlocks(q(0), critic), mlpNetBlocks(q(1), critic)];
    const op = new FastHessianOperator({
      label: `squashed ${act}`,
      theta: p.actor,
      fast: {
        kind: "sac-actor",
        net,
        qNets,
        criticTheta: p.critic,
        obs: p.obs,
        noise: p.noise,
        alpha: p.alpha,
        detachQ: false,
      },
    }, { threads: 1, chunkRows: 8 });
    const f = squashedActorReference(p);
    const theta = Float64Array.from(p.actor);
    const { value, gradient } = await op.valueAndGradient();
    assertAlmostEquals(value, f(theta), 1e-5 * Math.max(1, Math.abs(value)));
    const gErr = relativeError(gradient, fdGradient(f, theta));
    assert(gErr <= 1e-4, `gradient vs FD ${gErr.toExponential(2)}`);
    for (const seed of [1, 2]) {
      const v = unitVector(op.n, seed);
      const err = relativeError(await op.hvp(v), fdHvp(f, theta, v));
      assert(err <= 1e-4, `HVP vs FD ${err.toExponential(2)}`);
    }
    op.dispose();
  });
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
  const ref = new HessianOperator(loss);
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
  }
}

Deno.test("SAC actor (frozen twin Q, clamp active, detachQ) and critic: engine == tfjs", async () => {
  for (const [obsDim, actDim, hidden, n] of [[3, 2, [9, 7], 45], [4, 1, [6], 30]] as const) {
    const { spec, actor, critic, data } = sacProblem(obsDim, actDim, [...hidden], n, 3 + n);
    for (const detachQ of [false, true]) {
      const loss = sacActorChunkedLoss(
        { spec, thetaActor: actor, thetaCritic: critic, alpha: 0.2 },
        data,
        { chunkSize: 16, detachQ },
      );
      await checkAgainstTfjs(`actor ${hidden} detachQ=${detachQ}`, loss, {});
      loss.dispose();
    }
    const loss = sacCriticChunkedLoss(spec, critic, data, 16);
    await checkAgainstTfjs(`critic ${hidden}`, loss, {});
    loss.dispose();
  }
});

Deno.test("SAC: two threads, uncached chunks and one thread agree", async () => {
  const { spec, actor, critic, data } = sacProblem(3, 2, [8, 8], 260, 5);
  const losses = [
    sacActorChunkedLoss({ spec, thetaActor: actor, thetaCritic: critic, alpha: 0.1 }, data, {
      chunkSize: 64,
      detachQ: false,
    }),
    sacCriticChunkedLoss(spec, critic, data, 64),
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
