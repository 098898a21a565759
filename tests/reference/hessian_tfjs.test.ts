// The tfjs reference Hessian operator (tests/reference/hessian_tfjs.ts: double backprop, chunked)
// against central finite differences of independent float64 references
// (tests/subspaces/_reference.ts): PPO actor (Gaussian) and critic losses with tanh and relu built
// from the compute objectives, and a SAC-style squashed-Gaussian actor loss with frozen Q-nets and
// fixed noise written out in tfjs. Also: chunked == unchunked, no tensor leaks, clear errors.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertRejects, assertThrows } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { ppoLoss } from "../../lib/subspaces/mod.ts";
import {
  HessianOperator,
  makeTfjsChunkedLoss as makeChunkedLoss,
  type TfjsChunkedLoss as ChunkedLoss,
  tfjsChunkedLoss,
} from "./hessian_tfjs.ts";
import {
  type Act,
  fdGradient,
  fdHvp,
  type GaussianProblem,
  gaussianProblem,
  mlpSize,
  ppoActorReference,
  ppoCriticReference,
  relativeError,
  rolloutOf,
  squashedActorReference,
  type SquashedProblem,
  squashedProblem,
  unitVector,
} from "../subspaces/_reference.ts";

await initRuntime({ backend: "cpu" });

function ppoLosses(p: GaussianProblem, chunkSize: number, entCoef = 0.01, vfCoef = 0.5) {
  const spec = makeActorCriticSpec(p.obsDim, p.actDim, { netArch: p.hidden, activation: p.act });
  const rollout = rolloutOf(p);
  return {
    actor: tfjsChunkedLoss(ppoLoss("actor", spec, p.actor, rollout, entCoef), chunkSize),
    critic: tfjsChunkedLoss(ppoLoss("critic", spec, p.critic, rollout, vfCoef), chunkSize),
  };
}

/** tfjs MLP over θ blocks [W0, b0, W1, b1, ...] starting at `offset`. */
function mlpTf(
  theta: tf.Tensor1D,
  offset: number,
  dims: number[],
  act: Act,
  x: tf.Tensor2D,
  activateLast = false,
): tf.Tensor2D {
  let h = x;
  let off = offset;
  for (let l = 0; l + 1 < dims.length; l++) {
    const fi = dims[l], fo = dims[l + 1];
    const w = tf.reshape(tf.slice(theta, off, fi * fo), [fi, fo]) as tf.Tensor2D;
    const b = tf.slice(theta, off + fi * fo, fo);
    h = tf.add(tf.matMul(h, w), b);
    if (l + 2 < dims.length || activateLast) h = act === "tanh" ? tf.tanh(h) : tf.relu(h);
    off += fi * fo + fo;
  }
  return h;
}

/**
 * clamp(x, lo, hi) = x − relu(x − hi) + relu(lo − x). tfjs's clipByValue and minimum/maximum
 * cannot be differentiated twice (their gradients use LogicalAnd/LessEqual, which have no
 * gradient), relu can.
 */
function clamp(x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.add(tf.sub(x, tf.relu(tf.sub(x, hi))), tf.relu(tf.sub(lo, x)));
}

/** The squashed-Gaussian SAC actor loss in tfjs (the same equations as the reference). */
function squashedLoss(p: SquashedProblem, chunkSize: number): ChunkedLoss {
  const h = p.hidden[p.hidden.length - 1];
  const latentDims = [p.obsDim, ...p.hidden];
  const qDims = [p.obsDim + p.actDim, ...p.hidden, 1];
  const headOff = mlpSize(latentDims);
  const critic = tf.tensor1d(p.critic);
  const loss = makeChunkedLoss({
    label: "squashed actor",
    theta: p.actor,
    samples: p.n,
    chunkSize,
    chunk: (start, count) => {
      const obs = tf.tensor2d(p.obs.subarray(start * p.obsDim, (start + count) * p.obsDim), [
        count,
        p.obsDim,
      ]);
      const noise = tf.tensor2d(p.noise.subarray(start * p.actDim, (start + count) * p.actDim), [
        count,
        p.actDim,
      ]);
      const f = (theta: tf.Tensor1D) => {
        const z = mlpTf(theta, 0, latentDims, p.act, obs, true);
        const head = (off: number) =>
          tf.add(
            tf.matMul(
              z,
              tf.reshape(tf.slice(theta, off, h * p.actDim), [h, p.actDim]) as tf.Tensor2D,
            ),
            tf.slice(theta, off + h * p.actDim, p.actDim),
          );
        const mu = head(headOff);
        const logStd = clamp(head(headOff + h * p.actDim + p.actDim), -20, 2);
        const a = tf.tanh(tf.add(mu, tf.mul(tf.exp(logStd), noise)));
        const gauss = tf.sub(
          tf.sub(tf.mul(-0.5, tf.square(noise)), logStd),
          0.5 * Math.log(2 * Math.PI),
        );
        const logProb = tf.sum(tf.sub(gauss, tf.log(tf.add(tf.sub(1, tf.square(a)), 1e-6))), 1);
        const x = tf.concat([obs, a], 1) as tf.Tensor2D;
        const q1 = mlpTf(critic, 0, qDims, p.act, x);
        const q2 = mlpTf(critic, mlpSize(qDims), qDims, p.act, x);
        const q = tf.reshape(tf.sub(q2, tf.relu(tf.sub(q2, q1))), [count]); // min(q1, q2)
        return tf.mean(tf.sub(tf.mul(p.alpha, logProb), q)) as tf.Scalar;
      };
      return { loss: f, tensors: [obs, noise] };
    },
  });
  return { ...loss, dispose: () => (loss.dispose(), critic.dispose()) };
}

async function checkAgainstReference(
  label: string,
  loss: ChunkedLoss,
  reference: (theta: Float64Array) => number,
  seeds = [1, 2],
): Promise<void> {
  const op = new HessianOperator(loss);
  try {
    const theta = Float64Array.from(loss.theta);
    const { value, gradient } = await op.valueAndGradient();
    assertAlmostEquals(value, reference(theta), 1e-5 * Math.max(1, Math.abs(value)), label);
    const gErr = relativeError(gradient, fdGradient(reference, theta));
    assert(gErr <= 1e-4, `${label}: gradient relative error ${gErr.toExponential(2)} > 1e-4`);
    for (const seed of seeds) {
      const v = unitVector(theta.length, seed);
      const hv = await op.hvp(v);
      const err = relativeError(hv, fdHvp(reference, theta, v));
      assert(err <= 1e-4, `${label}: HVP relative error ${err.toExponential(2)} > 1e-4`);
    }
  } finally {
    op.dispose();
    loss.dispose();
  }
}

for (const act of ["tanh", "relu"] as const) {
  Deno.test(`PPO actor and critic (${act}): gradient and HVP match finite differences`, async () => {
    const p = gaussianProblem(3, 2, [6, 5], act, 48, act === "tanh" ? 11 : 12);
    const { actor, critic } = ppoLosses(p, 20);
    await checkAgainstReference(`actor ${act}`, actor, ppoActorReference(p, 0.01));
    await checkAgainstReference(`critic ${act}`, critic, ppoCriticReference(p, 0.5));
  });
}

for (const act of ["relu", "tanh"] as const) {
  Deno.test(`squashed-Gaussian actor with frozen Q (${act}): gradient and HVP match finite differences`, async () => {
    const p = squashedProblem(3, 2, [5, 4], act, 32, 21);
    await checkAgainstReference(`squashed ${act}`, squashedLoss(p, 10), squashedActorReference(p));
  });
}

Deno.test("chunked == unchunked: any chunk size gives the same gradient and HVP", async () => {
  const p = gaussianProblem(3, 1, [8, 8], "tanh", 101, 5);
  const v = unitVector(p.actor.length, 3);
  const results: { g: Float64Array; hv: Float64Array; value: number }[] = [];
  for (const chunkSize of [101, 1, 7, 64]) {
    const { actor, critic } = ppoLosses(p, chunkSize);
    critic.dispose();
    assert(actor.chunks.length === Math.ceil(101 / chunkSize));
    const op = new HessianOperator(actor);
    const { value, gradient } = await op.valueAndGradient();
    results.push({ g: gradient, hv: await op.hvp(v), value });
    op.dispose();
    actor.dispose();
  }
  for (const r of results.slice(1)) {
    assertAlmostEquals(r.value, results[0].value, 1e-6);
    assert(relativeError(r.g, results[0].g) < 1e-5, "gradient differs between chunkings");
    assert(relativeError(r.hv, results[0].hv) < 1e-5, "HVP differs between chunkings");
  }
});

Deno.test("no tensor leaks: numTensors flat across HVPs and gradients, back to baseline", async () => {
  const before = tf.memory().numTensors;
  const p = gaussianProblem(3, 1, [8], "tanh", 50, 6);
  const { actor, critic } = ppoLosses(p, 16);
  critic.dispose();
  const op = new HessianOperator(actor);
  const v = unitVector(p.actor.length, 1);
  await op.hvp(v);
  await op.gradient();
  const during = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    await op.hvp(v);
    await op.valueAndGradient();
  }
  assert(tf.memory().numTensors === during, "tensors leaked by hvp/gradient");
  assert(op.hvpCount === 6 && op.gradientCount === 6);
  op.dispose();
  actor.dispose();
  actor.dispose(); // idempotent
  assert(tf.memory().numTensors === before, "tensors left after dispose");
});

Deno.test("bad input: wrong vector length, non-finite θ, use after dispose, empty data", async () => {
  const p = gaussianProblem(3, 1, [4], "tanh", 10, 7);
  const { actor, critic } = ppoLosses(p, 4);
  critic.dispose();
  const op = new HessianOperator(actor);
  await assertRejects(() => op.hvp(new Float64Array(3)), RangeError, "length 3");
  op.dispose();
  await assertRejects(() => op.gradient(), Error, "after dispose");
  const bad = { ...actor, theta: actor.theta.map((x, i) => (i === 2 ? NaN : x)) };
  assertThrows(() => new HessianOperator(bad), RangeError, "θ[2] is NaN");
  actor.dispose();
  assertThrows(
    () =>
      makeChunkedLoss({
        label: "empty",
        theta: new Float32Array(1),
        samples: 0,
        chunkSize: 4,
        chunk: () => ({ loss: (t) => tf.sum(t) as tf.Scalar, tensors: [] }),
      }),
    RangeError,
    "at least one sample",
  );
});

Deno.test("non-finite derivatives and values are reported, not returned", async () => {
  const logLoss = (theta: number[]) =>
    makeChunkedLoss({
      label: "log",
      theta: new Float32Array(theta),
      samples: 1,
      chunkSize: 1,
      chunk: () => ({ loss: (t) => tf.sum(tf.log(t)) as tf.Scalar, tensors: [] }),
    });
  const atZero = new HessianOperator(logLoss([0, 2]));
  await assertRejects(() => atZero.gradient(), RangeError, "non-finite derivatives");
  await assertRejects(() => atZero.hvp([1, 0]), RangeError, "non-finite derivatives");
  atZero.dispose();
  const negative = new HessianOperator(logLoss([-1, 2]));
  await assertRejects(() => negative.valueAndGradient(), RangeError, "loss value is NaN");
  negative.dispose();
});
