// The tfjs reference of SAC's losses (tests/reference/sac_losses_tfjs.ts) against the
// independent float64 reference (tests/agents/sac/_reference.ts):
// policy outputs, targets, loss values, gradients by central differences, Hessian bilinear forms
// by mixed differences, the paper-era detached actor loss, the α loss, and (when a torch venv
// exists) a PyTorch re-implementation of SB3's SAC.train (tools/sb3_sac_loss.py).
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  sacActorLoss,
  sacCriticLoss,
  sacCriticTargets,
  sacEntCoefLoss,
  sacPolicyOutputs,
  sacQValues,
} from "./sac_losses_tfjs.ts";
import { makeSacSpec } from "../../lib/agents/sac/policy.ts";
import {
  fdBilinear,
  fdGradient,
  makeSacProblem,
  refActorLoss,
  refCriticLoss,
  refLogProbs,
  refMinQ,
  refPolicySample,
  refQ,
  type RefSacBatch,
  type RefSacNet,
  refSacSizes,
  refTargets,
  relativeMaxError,
} from "../agents/sac/_reference.ts";
import { Rng } from "../../lib/rng.ts";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { scoped } from "./tfjs.ts";
import { runOracle, torchPython } from "../python_oracles.ts";

await initRuntime({ backend: "cpu" });

const NET: RefSacNet = { obsDim: 3, actDim: 2, hidden: [6, 5] };
const spec = makeSacSpec(NET.obsDim, NET.actDim, { netArch: NET.hidden });
const { actor, critic, target, batch } = makeSacProblem(NET);
const ALPHA = 0.37, GAMMA = 0.97;

function tensors(b: RefSacBatch) {
  const { obsDim: O, actDim: A } = NET;
  return {
    obs: tf.tensor2d(b.obs, [b.n, O]),
    actions: tf.tensor2d(b.actions, [b.n, A]),
    rewards: tf.tensor1d(b.rewards),
    nextObs: tf.tensor2d(b.nextObs, [b.n, O]),
    dones: tf.tensor1d(b.dones),
    noise: tf.tensor2d(b.noise, [b.n, A]),
    nextNoise: tf.tensor2d(b.nextNoise, [b.n, A]),
  };
}

const refY = refTargets(NET, actor, target, batch, ALPHA, GAMMA);

Deno.test("layouts have the documented sizes and block order", () => {
  const sizes = refSacSizes(NET);
  assertEquals(spec.actorLayout.size, sizes.actor);
  assertEquals(spec.criticLayout.size, sizes.critic);
  assertEquals(spec.qfSize, sizes.qf);
  assertEquals(spec.actorLayout.names(), [
    "latent_pi.0.weight",
    "latent_pi.0.bias",
    "latent_pi.1.weight",
    "latent_pi.1.bias",
    "mu.weight",
    "mu.bias",
    "log_std.weight",
    "log_std.bias",
  ]);
  assertEquals(spec.criticLayout.names().slice(0, 2), ["qf0.0.weight", "qf0.0.bias"]);
  assertEquals(spec.criticLayout.block("qf1.0.weight").offset, sizes.qf);
});

Deno.test("policy outputs and Q-values match the reference (log σ clamp exercised)", () => {
  const out = scoped(() => {
    const t = tensors(batch);
    const pi = sacPolicyOutputs(spec, tf.tensor1d(actor), t.obs, t.noise);
    const [q0, q1] = sacQValues(spec, tf.tensor1d(critic), t.obs, t.actions);
    return {
      a: pi.actions.dataSync().slice(),
      lp: pi.logProbs.dataSync().slice(),
      ls: pi.logStd.dataSync().slice(),
      q0: q0.dataSync().slice(),
      q1: q1.dataSync().slice(),
    };
  });
  let clamped = 0;
  for (let b = 0; b < batch.n; b++) {
    const obs = Array.from(batch.obs.subarray(b * 3, b * 3 + 3));
    const ref = refPolicySample(
      NET,
      actor,
      obs,
      Array.from(batch.noise.subarray(b * 2, b * 2 + 2)),
    );
    for (let d = 0; d < 2; d++) {
      assertAlmostEquals(out.a[b * 2 + d], ref.action[d], 2e-6);
      assertAlmostEquals(out.ls[b * 2 + d], ref.logStd[d], 2e-6);
      if (ref.logStd[d] === 2) clamped++;
    }
    assertAlmostEquals(out.lp[b], ref.logProb, 2e-4 * Math.max(1, Math.abs(ref.logProb)));
    const act = Array.from(batch.actions.subarray(b * 2, b * 2 + 2));
    assertAlmostEquals(out.q0[b], refQ(NET, critic, 0, obs, act), 1e-5);
    assertAlmostEquals(out.q1[b], refQ(NET, critic, 1, obs, act), 1e-5);
  }
  assert(clamped > 0 && clamped < batch.n, `clamp active for ${clamped} of ${batch.n} samples`);
});

Deno.test("critic targets match the reference and carry no gradient", () => {
  const { y, g } = scoped(() => {
    const t = tensors(batch);
    const ta = tf.tensor1d(actor), tt = tf.tensor1d(target);
    const targets = (a: tf.Tensor) =>
      sacCriticTargets(spec, a as tf.Tensor1D, tt, t, t.nextNoise, { alpha: ALPHA, gamma: GAMMA });
    const g = tf.grad((a: tf.Tensor) => tf.sum(targets(a)))(ta);
    return { y: targets(ta).dataSync().slice(), g: g.dataSync().slice() };
  });
  assert(relativeMaxError(y, refY) < 1e-5, `targets ${y} vs ${refY}`);
  assert(g.every((x) => x === 0));
});

Deno.test("critic loss: value and gradient match the reference", () => {
  const ref = refCriticLoss(NET, critic, batch, refY);
  const refGrad = fdGradient((c) => refCriticLoss(NET, c, batch, refY), critic);
  const out = scoped(() => {
    const t = tensors(batch);
    const y = tf.tensor1d(refY);
    const f = (c: tf.Tensor) => sacCriticLoss(spec, c as tf.Tensor1D, t, y);
    return {
      v: f(tf.tensor1d(critic)).dataSync()[0],
      g: tf.grad(f)(tf.tensor1d(critic)).dataSync(),
    };
  });
  assertAlmostEquals(out.v, ref, 1e-5 * Math.max(1, ref));
  assert(relativeMaxError(out.g, refGrad) < 1e-4, "critic gradient");
});

Deno.test("actor loss (HEAD): value and gradient through ã into min Q, critic frozen", () => {
  const ref = refActorLoss(NET, actor, critic, batch, ALPHA);
  const refGrad = fdGradient((a) => refActorLoss(NET, a, critic, batch, ALPHA), actor);
  const out = scoped(() => {
    const t = tensors(batch);
    const tc = tf.tensor1d(critic);
    const f = (a: tf.Tensor) => sacActorLoss(spec, a as tf.Tensor1D, tc, t, t.noise, ALPHA);
    // The critic is a constant: no gradient reaches it even when differentiated.
    const gc = tf.grad((c: tf.Tensor) =>
      sacActorLoss(spec, tf.tensor1d(actor), c as tf.Tensor1D, t, t.noise, ALPHA)
    )(tc);
    return {
      v: f(tf.tensor1d(actor)).dataSync()[0],
      g: tf.grad(f)(tf.tensor1d(actor)).dataSync(),
      gc: gc.dataSync(),
    };
  });
  assertAlmostEquals(out.v, ref, 2e-5 * Math.max(1, Math.abs(ref)));
  assert(
    relativeMaxError(out.g, refGrad) < 2e-4,
    `actor gradient ${relativeMaxError(out.g, refGrad)}`,
  );
  assert(out.gc.every((x) => x === 0), "critic parameters are frozen");
});

Deno.test("actor loss with detachQ: only α·log π is differentiated (paper-era quirk)", () => {
  const minQ0 = refMinQ(NET, actor, critic, batch);
  const refGrad = fdGradient((a) => refActorLoss(NET, a, critic, batch, ALPHA, minQ0), actor);
  const headGrad = fdGradient((a) => refActorLoss(NET, a, critic, batch, ALPHA), actor);
  const out = scoped(() => {
    const t = tensors(batch);
    const tc = tf.tensor1d(critic);
    const f = (a: tf.Tensor) =>
      sacActorLoss(spec, a as tf.Tensor1D, tc, t, t.noise, ALPHA, { detachQ: true });
    return { v: f(tf.tensor1d(actor)).dataSync()[0], g: tf.grad(f)(tf.tensor1d(actor)).dataSync() };
  });
  assertAlmostEquals(out.v, refActorLoss(NET, actor, critic, batch, ALPHA), 2e-5);
  assert(relativeMaxError(out.g, refGrad) < 2e-4, "detached gradient");
  assert(relativeMaxError(out.g, headGrad) > 1e-2, "the Q term changes the gradient");
});

Deno.test("entropy-coefficient loss: value and gradient −mean(log π + H̄)", () => {
  const lp = refLogProbs(NET, actor, batch);
  const H = -2, logAlpha = Math.log(ALPHA);
  const mean = lp.reduce((s, x) => s + x + H, 0) / lp.length;
  const out = scoped(() => {
    const t = tensors(batch);
    const logProbs = sacPolicyOutputs(spec, tf.tensor1d(actor), t.obs, t.noise).logProbs;
    const f = (la: tf.Tensor) => sacEntCoefLoss(la as tf.Scalar, logProbs, H);
    return {
      v: f(tf.scalar(logAlpha)).dataSync()[0],
      g: tf.grad(f)(tf.scalar(logAlpha)).dataSync()[0],
    };
  });
  assertAlmostEquals(out.v, -logAlpha * mean, 1e-4);
  assertAlmostEquals(out.g, -mean, 1e-4);
});

/** uᵀ H v of f at x by double backpropagation (tfjs). */
function hvpBilinear(
  f: (t: tf.Tensor1D) => tf.Scalar,
  x: Float32Array,
  u: Float64Array,
  v: Float64Array,
): number {
  return scoped(() => {
    const vt = tf.tensor1d(Float32Array.from(v));
    const gradDotV = (t: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((s: tf.Tensor) => f(s as tf.Tensor1D))(t), vt));
    const hv = tf.grad(gradDotV)(tf.tensor1d(x)).dataSync();
    let s = 0;
    for (let i = 0; i < u.length; i++) s += u[i] * hv[i];
    return s;
  });
}

Deno.test("Hessian bilinear forms uᵀHv (double backprop) match mixed finite differences", () => {
  const rng = new Rng(21);
  const dir = (n: number) => rng.fillNormal(new Float64Array(n));
  // Critic loss (targets constant).
  {
    const u = dir(critic.length), v = dir(critic.length);
    const ref = fdBilinear((c) => refCriticLoss(NET, c, batch, refY), critic, u, v);
    const ours = hvpBilinear(
      (c) => {
        const tb = tensors(batch);
        return sacCriticLoss(spec, c, tb, tf.tensor1d(refY));
      },
      critic,
      u,
      v,
    );
    assertAlmostEquals(ours, ref, 2e-3 * Math.max(1, Math.abs(ref)), `critic: ${ours} vs ${ref}`);
  }
  // Actor loss, HEAD and detached.
  for (const detachQ of [false, true]) {
    const u = dir(actor.length), v = dir(actor.length);
    const minQ0 = refMinQ(NET, actor, critic, batch);
    const ref = fdBilinear(
      (a) => refActorLoss(NET, a, critic, batch, ALPHA, detachQ ? minQ0 : undefined),
      actor,
      u,
      v,
    );
    const ours = hvpBilinear(
      (a) => {
        const tb = tensors(batch);
        return sacActorLoss(spec, a, tf.tensor1d(critic), tb, tb.noise, ALPHA, { detachQ });
      },
      actor,
      u,
      v,
    );
    assertAlmostEquals(
      ours,
      ref,
      3e-3 * Math.max(1, Math.abs(ref)),
      `actor (detachQ ${detachQ}): ${ours} vs ${ref}`,
    );
  }
});

Deno.test("bad shapes give clear errors; loss evaluation leaks no tensors", () => {
  const before = tf.memory().numTensors;
  scoped(() => {
    const t = tensors(batch);
    assertThrows(
      () =>
        sacPolicyOutputs(spec, tf.tensor1d(actor), t.obs, tf.zeros([batch.n, 3]) as tf.Tensor2D),
      Error,
      "noise has shape",
    );
    assertThrows(
      () => sacCriticLoss(spec, tf.tensor1d(critic), t, tf.zeros([batch.n + 1]) as tf.Tensor1D),
      Error,
      "targets has shape",
    );
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        const y = sacCriticTargets(spec, tf.tensor1d(actor), tf.tensor1d(target), t, t.nextNoise, {
          alpha: ALPHA,
          gamma: GAMMA,
        });
        tf.grad((c: tf.Tensor) => sacCriticLoss(spec, c as tf.Tensor1D, t, y))(tf.tensor1d(critic));
      });
    }
  });
  assertEquals(tf.memory().numTensors, before);
});

// ---- PyTorch cross-check (SB3's SAC.train re-implemented in torch by tools/sb3_sac_loss.py).

Deno.test({
  name: "losses and gradients match a PyTorch SB3 re-implementation",
  ignore: torchPython === null,
  fn: async () => {
    const torch = await runOracle(torchPython!, "sb3_sac_loss", {
      mode: "losses",
      obs_dim: NET.obsDim,
      act_dim: NET.actDim,
      hidden: NET.hidden,
      actor: Array.from(actor),
      critic: Array.from(critic),
      critic_target: Array.from(target),
      batch: {
        obs: Array.from(batch.obs),
        actions: Array.from(batch.actions),
        rewards: Array.from(batch.rewards),
        next_obs: Array.from(batch.nextObs),
        dones: Array.from(batch.dones),
        noise: Array.from(batch.noise),
        next_noise: Array.from(batch.nextNoise),
      },
      log_ent_coef: Math.log(ALPHA),
      target_entropy: -2,
      gamma: GAMMA,
    }) as Record<string, number & number[]>;
    const ours = scoped(() => {
      const t = tensors(batch);
      const ta = tf.tensor1d(actor), tc = tf.tensor1d(critic), tt = tf.tensor1d(target);
      const alpha = Math.fround(Math.exp(Math.fround(Math.log(ALPHA))));
      const y = sacCriticTargets(spec, ta, tt, t, t.nextNoise, { alpha, gamma: GAMMA });
      const lc = (c: tf.Tensor) => sacCriticLoss(spec, c as tf.Tensor1D, t, y);
      const la = (a: tf.Tensor) => sacActorLoss(spec, a as tf.Tensor1D, tc, t, t.noise, alpha);
      const lp = sacPolicyOutputs(spec, ta, t.obs, t.noise).logProbs;
      const le = (x: tf.Tensor) => sacEntCoefLoss(x as tf.Scalar, lp, -2);
      const logAlpha = tf.scalar(Math.log(ALPHA));
      return {
        targets: y.dataSync().slice(),
        criticLoss: lc(tc).dataSync()[0],
        actorLoss: la(ta).dataSync()[0],
        entLoss: le(logAlpha).dataSync()[0],
        gc: tf.grad(lc)(tc).dataSync(),
        ga: tf.grad(la)(ta).dataSync(),
        ge: tf.grad(le)(logAlpha).dataSync()[0],
        logProbs: lp.dataSync().slice(),
      };
    });
    assert(relativeMaxError(ours.targets, torch.targets) < 1e-5, "targets vs torch");
    assert(relativeMaxError(ours.logProbs, torch.log_prob) < 1e-5, "log-probs vs torch");
    assertAlmostEquals(ours.criticLoss, torch.critic_loss, 1e-5 * Math.max(1, torch.critic_loss));
    assertAlmostEquals(
      ours.actorLoss,
      torch.actor_loss,
      1e-5 * Math.max(1, Math.abs(torch.actor_loss)),
    );
    assertAlmostEquals(ours.entLoss, torch.ent_coef_loss, 1e-5);
    assertAlmostEquals(ours.ge, torch.grad_log_ent_coef, 1e-5);
    assert(relativeMaxError(ours.gc, torch.grad_critic) < 1e-5, "critic gradient vs torch");
    assert(relativeMaxError(ours.ga, torch.grad_actor) < 1e-4, "actor gradient vs torch");
  },
});
