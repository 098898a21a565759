// The tfjs reference of PPO's losses (tests/reference/ppo_losses_tfjs.ts) against the
// independent float64 reference (tests/agents/ppo/_reference.ts): values, gradients by central
// differences, Hessian bilinear forms by mixed differences. (The compute layer's PPO loss against
// PyTorch: tests/agents/ppo/minibatch.test.ts.)
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  actorAnalysisLoss,
  criticAnalysisLoss,
  gaussianEntropyTf,
  normalizeAdvantagesTf,
  ppoLossTerms,
} from "./ppo_losses_tfjs.ts";
import { stopGradient } from "./tfjs.ts";
import { normalizeAdvantages } from "../../lib/compute/objectives/mod.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import {
  fdBilinear,
  fdGradient,
  makeProblem,
  refActorAnalysisLoss,
  type RefBatch,
  type RefCoefs,
  refCriticLoss,
  refEntropy,
  refLogProbs,
  type RefNet,
  refNormalize,
  refPpoLoss,
  relativeMaxError,
} from "../agents/ppo/_reference.ts";
import { Rng } from "../../lib/rng.ts";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { scoped } from "./tfjs.ts";

await initRuntime({ backend: "cpu" });

const NET: RefNet = { obsDim: 3, hidden: [5, 4], actDim: 2, activation: "tanh" };
const spec = makeActorCriticSpec(NET.obsDim, NET.actDim, {
  netArch: NET.hidden,
  activation: NET.activation,
});

function batchTensors(b: RefBatch) {
  return {
    obs: tf.tensor2d(b.obs, [b.n, NET.obsDim]),
    actions: tf.tensor2d(b.actions, [b.n, NET.actDim]),
    oldLogProbs: tf.tensor1d(b.oldLogProbs),
    advantages: tf.tensor1d(b.advantages),
    returns: tf.tensor1d(b.returns),
    oldValues: tf.tensor1d(b.oldValues),
  };
}

const COEF_CASES: RefCoefs[] = [
  { clipRange: 0.2, clipRangeVf: null, entCoef: 0, vfCoef: 0.5, normalizeAdvantage: true },
  { clipRange: 0.2, clipRangeVf: 0.1, entCoef: 0.01, vfCoef: 0.8, normalizeAdvantage: true },
  { clipRange: 0.3, clipRangeVf: null, entCoef: 0.05, vfCoef: 0.5, normalizeAdvantage: false },
];

Deno.test("training loss: values and gradients match the float64 reference", () => {
  const { actor, critic, batch } = makeProblem(NET);
  for (const coefs of COEF_CASES) {
    const ref = refPpoLoss(NET, actor, critic, batch, coefs);
    const gA = fdGradient((a) => refPpoLoss(NET, a, critic, batch, coefs).loss, actor);
    const gC = fdGradient((c) => refPpoLoss(NET, actor, c, batch, coefs).loss, critic);
    const out = scoped(() => {
      const bt = batchTensors(batch);
      const ta = tf.tensor1d(actor), tc = tf.tensor1d(critic);
      const terms = ppoLossTerms(spec, ta, tc, bt, coefs);
      const [ga, gc] = tf.grads((a: tf.Tensor, c: tf.Tensor) =>
        ppoLossTerms(spec, a as tf.Tensor1D, c as tf.Tensor1D, bt, coefs).loss
      )([ta, tc]);
      return {
        loss: terms.loss.dataSync()[0],
        policyLoss: terms.policyLoss.dataSync()[0],
        valueLoss: terms.valueLoss.dataSync()[0],
        entropyLoss: terms.entropyLoss.dataSync()[0],
        ga: ga.dataSync(),
        gc: gc.dataSync(),
      };
    });
    const label = JSON.stringify(coefs);
    assertAlmostEquals(out.loss, ref.loss, 1e-5, label);
    assertAlmostEquals(out.policyLoss, ref.policyLoss, 1e-5, label);
    assertAlmostEquals(out.valueLoss, ref.valueLoss, 1e-5, label);
    assertAlmostEquals(out.entropyLoss, ref.entropyLoss, 1e-5, label);
    assert(relativeMaxError(out.ga, gA) < 1e-4, `actor grad ${label}`);
    assert(relativeMaxError(out.gc, gC) < 1e-4, `critic grad ${label}`);
    // The problem exercises both clip branches: some actor gradient entries must be non-zero.
    assert(gA.some((g) => Math.abs(g) > 1e-3));
  }
});

Deno.test("training loss ratio: exp(logπ − logπ_old) equals the reference ratios", () => {
  const { actor, critic, batch } = makeProblem(NET);
  const coefs = COEF_CASES[0];
  const ratio = scoped(() =>
    ppoLossTerms(spec, tf.tensor1d(actor), tf.tensor1d(critic), batchTensors(batch), coefs)
      .ratio.dataSync()
  );
  // makeProblem sets log r = −offset with offsets [0.5, 0.1, 0, −0.05, −0.3].
  const expected = [0.5, 0.1, 0, -0.05, -0.3].map((o) => Math.exp(-o));
  for (let b = 0; b < 5; b++) assertAlmostEquals(ratio[b], expected[b], 1e-5);
});

Deno.test("advantage normalisation: unbiased std + 1e-8, skipped for one sample", () => {
  const adv = [1, 2, 3, 10];
  const expected = refNormalize(adv);
  const tfOut = scoped(() => normalizeAdvantagesTf(tf.tensor1d(adv)).dataSync());
  const jsOut = normalizeAdvantages(adv);
  for (let i = 0; i < adv.length; i++) {
    assertAlmostEquals(tfOut[i], expected[i], 1e-6);
    assertAlmostEquals(jsOut[i], expected[i], 1e-6);
  }
  assertEquals(Array.from(normalizeAdvantages([5])), [5]);
  // (1 − 2)/(std([1,2,3]) = 1) = −1 exactly by hand.
  assertAlmostEquals(normalizeAdvantages([1, 2, 3])[0], -1, 1e-7);
});

Deno.test("entropy is Σ_d (½ + ½ log 2π + log σ_d)", () => {
  const { actor } = makeProblem(NET);
  const h = scoped(() => gaussianEntropyTf(spec, tf.tensor1d(actor)).dataSync()[0]);
  assertAlmostEquals(h, refEntropy(NET, actor), 1e-5);
  assertAlmostEquals(h, 2 * (0.5 + 0.5 * Math.log(2 * Math.PI)) - 0.1, 1e-5);
});

Deno.test("stopGradient: identity forward, zero gradient", () => {
  const g = scoped(() =>
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, stopGradient(x))))(tf.tensor1d([3, -2])).dataSync()
  );
  assertEquals(Array.from(g), [3, -2]);
});

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Gradient and H·v of a scalar tfjs function of one flat vector (double backprop). */
function gradAndHvp(f: (t: tf.Tensor1D) => tf.Scalar, theta: Float32Array, v: Float64Array) {
  return scoped(() => {
    const t = tf.tensor1d(theta);
    const vt = tf.tensor1d(Float32Array.from(v));
    const g = tf.grad((x: tf.Tensor) => f(x as tf.Tensor1D))(t);
    const hv = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((y: tf.Tensor) => f(y as tf.Tensor1D))(x), vt))
    )(t);
    return {
      value: f(t).dataSync()[0],
      g: Float64Array.from(g.dataSync()),
      hv: Float64Array.from(hv.dataSync()),
    };
  });
}

Deno.test("actor analysis loss: value, gradient and Hessian bilinear forms vs reference", () => {
  const { actor, batch } = makeProblem(NET);
  const rng = new Rng(11);
  const entCoef = 0.01;
  // The reference holds ℓ0 = log π_θ0 fixed; at θ0 it has the stop-gradient form's derivatives.
  const logProbs0 = refLogProbs(NET, actor, batch);
  const advantages = refNormalize(batch.advantages);
  const ref = (a: ArrayLike<number>) =>
    refActorAnalysisLoss(NET, a, batch, logProbs0, advantages, entCoef);
  const f = (t: tf.Tensor1D) =>
    actorAnalysisLoss(
      spec,
      t,
      {
        obs: tf.tensor2d(batch.obs, [batch.n, NET.obsDim]),
        actions: tf.tensor2d(batch.actions, [batch.n, NET.actDim]),
        advantages: tf.tensor1d(batch.advantages),
      },
      { entCoef, advantageNormalization: "batch" },
    );
  const v = rng.fillNormal(new Float64Array(actor.length));
  const u = rng.fillNormal(new Float64Array(actor.length));
  const out = gradAndHvp(f, actor, v);
  // Value: −mean Â_norm (= 0 up to rounding) − c_ent·H.
  assertAlmostEquals(out.value, ref(actor), 1e-5);
  assert(relativeMaxError(out.g, fdGradient(ref, actor)) < 1e-4, "actor analysis gradient");
  const uHv = dot(out.hv, u);
  const vHv = dot(out.hv, v);
  const uHvRef = fdBilinear(ref, actor, u, v);
  const vHvRef = fdBilinear(ref, actor, v, v);
  assertAlmostEquals(uHv, uHvRef, 1e-3 * Math.max(1, Math.abs(uHvRef)));
  assertAlmostEquals(vHv, vHvRef, 1e-3 * Math.max(1, Math.abs(vHvRef)));
});

Deno.test("analysis actor loss equals the training loss's actor part at ratio 1", () => {
  // With ℓ_old = log π_θ the clip is inactive: gradients of both losses agree.
  const { actor, critic, batch } = makeProblem(NET);
  const coefs = { ...COEF_CASES[0], entCoef: 0.02 };
  const same: RefBatch = {
    ...batch,
    oldLogProbs: Float32Array.from(refLogProbs(NET, actor, batch)),
  };
  const [gTrain, gAnalysis] = scoped(() => {
    const bt = batchTensors(same);
    const tc = tf.tensor1d(critic);
    const actorPart = (a: tf.Tensor) => {
      const t = ppoLossTerms(spec, a as tf.Tensor1D, tc, bt, coefs);
      return tf.add(t.policyLoss, tf.mul(coefs.entCoef, t.entropyLoss)) as tf.Scalar;
    };
    const analysis = (a: tf.Tensor) =>
      actorAnalysisLoss(spec, a as tf.Tensor1D, bt, {
        entCoef: coefs.entCoef,
        advantageNormalization: "batch",
      });
    return [
      tf.grad(actorPart)(tf.tensor1d(actor)).dataSync(),
      tf.grad(analysis)(tf.tensor1d(actor)).dataSync(),
    ];
  });
  assert(relativeMaxError(gAnalysis, gTrain) < 1e-5);
});

Deno.test("critic analysis loss: value, gradient and Hessian bilinear forms vs reference", () => {
  const { critic, batch } = makeProblem(NET);
  const rng = new Rng(12);
  const ref = (c: ArrayLike<number>) => refCriticLoss(NET, c, batch, 0.5);
  const f = (t: tf.Tensor1D) =>
    criticAnalysisLoss(
      spec,
      t,
      { obs: tf.tensor2d(batch.obs, [batch.n, NET.obsDim]), returns: tf.tensor1d(batch.returns) },
      { vfCoef: 0.5 },
    );
  const v = rng.fillNormal(new Float64Array(critic.length));
  const u = rng.fillNormal(new Float64Array(critic.length));
  const out = gradAndHvp(f, critic, v);
  assertAlmostEquals(out.value, ref(critic), 1e-5);
  assert(relativeMaxError(out.g, fdGradient(ref, critic)) < 1e-4, "critic analysis gradient");
  const uHv = dot(out.hv, u);
  const uHvRef = fdBilinear(ref, critic, u, v);
  assertAlmostEquals(uHv, uHvRef, 1e-3 * Math.max(1, Math.abs(uHvRef)));
});

Deno.test("chunked actor loss with pre-normalised advantages equals the whole-batch loss", () => {
  const { actor, batch } = makeProblem(NET, 12);
  const pre = normalizeAdvantages(batch.advantages);
  const whole = (t: tf.Tensor1D) =>
    actorAnalysisLoss(spec, t, {
      obs: tf.tensor2d(batch.obs, [12, NET.obsDim]),
      actions: tf.tensor2d(batch.actions, [12, NET.actDim]),
      advantages: tf.tensor1d(batch.advantages),
    }, { entCoef: 0.01, advantageNormalization: "batch" });
  const chunked = (t: tf.Tensor1D) => {
    let total: tf.Scalar = tf.scalar(0);
    for (const [s, e] of [[0, 5], [5, 12]]) {
      const lc = actorAnalysisLoss(spec, t, {
        obs: tf.tensor2d(batch.obs.subarray(s * 3, e * 3), [e - s, 3]),
        actions: tf.tensor2d(batch.actions.subarray(s * 2, e * 2), [e - s, 2]),
        advantages: tf.tensor1d(pre.subarray(s, e)),
      }, { entCoef: 0.01, advantageNormalization: "none" });
      total = tf.add(total, tf.mul((e - s) / 12, lc));
    }
    return total;
  };
  const v = new Rng(5).fillNormal(new Float64Array(actor.length));
  const a = gradAndHvp(whole, actor, v), b = gradAndHvp(chunked, actor, v);
  assertAlmostEquals(a.value, b.value, 1e-5);
  assert(relativeMaxError(b.g, a.g) < 1e-5);
  assert(relativeMaxError(b.hv, a.hv) < 1e-4);
});

Deno.test("losses do not leak tensors", () => {
  const { actor, critic, batch } = makeProblem(NET);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    scoped(() => {
      const bt = batchTensors(batch);
      tf.grads((a: tf.Tensor, c: tf.Tensor) =>
        ppoLossTerms(spec, a as tf.Tensor1D, c as tf.Tensor1D, bt, COEF_CASES[1]).loss
      )([tf.tensor1d(actor), tf.tensor1d(critic)]);
    });
  }
  assertEquals(tf.memory().numTensors, before);
});
