// The WebAssembly SAC engine: one gradient step against the tfjs losses (gradients, loss values,
// Adam, the α update, Polyak), several steps against a PyTorch run of SB3's SAC.train (when
// torch is importable), 1 vs 2 threads, fixed α, target-update flag, NaN detection and flat
// memory over 1,000 gradient steps.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { SacEngine } from "../../../lib/agents/sac/engine.ts";
import { initSacParams, makeSacSpec, type SacSpec } from "../../../lib/agents/sac/policy.ts";
import {
  sacActorLoss,
  sacCriticLoss,
  sacCriticTargets,
  sacPolicyOutputs,
} from "../../reference/sac_losses_tfjs.ts";
import { Adam } from "../../../lib/compute/mod.ts";
import { Rng } from "../../../lib/rng.ts";
import { initRuntime } from "../../../lib/runtime/mod.ts";
import { relativeMaxError } from "./_reference.ts";
import { ACT, B, COEFS, HIDDEN, OBS } from "./_fixtures.ts";
import { runOracle, torchPython } from "../../python_oracles.ts";

await initRuntime({ backend: "cpu" });

// Ragged sizes on purpose (kernel tails): see _fixtures.ts.

interface Data {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  dones: Float32Array;
  noise: Float32Array;
  nextNoise: Float32Array;
}

function makeData(rng: Rng): Data {
  return {
    obs: rng.fillNormal(new Float32Array(B * OBS)),
    actions: rng.fillUniform(new Float32Array(B * ACT), -1, 1),
    rewards: rng.fillNormal(new Float32Array(B)),
    nextObs: rng.fillNormal(new Float32Array(B * OBS)),
    dones: Float32Array.from({ length: B }, (_, b) => (b % 4 === 2 ? 1 : 0)),
    noise: rng.fillNormal(new Float32Array(B * ACT)),
    nextNoise: rng.fillNormal(new Float32Array(B * ACT)),
  };
}

function load(engine: SacEngine, d: Data): void {
  engine.batch.obs.set(d.obs);
  engine.batch.actions.set(d.actions);
  engine.batch.rewards.set(d.rewards);
  engine.batch.nextObs.set(d.nextObs);
  engine.batch.dones.set(d.dones);
  engine.noise.current.set(d.noise);
  engine.noise.next.set(d.nextNoise);
}

function setup(threads: 1 | 2 = 1, entCoefInit = 0.6) {
  const spec = makeSacSpec(OBS, ACT, { netArch: HIDDEN });
  const engine = new SacEngine(spec, { batchSize: B, adamEps: 1e-8, entCoefInit, threads });
  const rng = new Rng(17);
  const { actor, critic } = initSacParams(spec, rng);
  engine.setParameters(actor, critic);
  // A target critic that differs from the critic, as after some training.
  for (let i = 0; i < critic.length; i++) engine.thetaCriticTarget[i] += rng.normal(0, 0.02);
  return { spec, engine, rng };
}

function tensorsOf(d: Data) {
  return {
    obs: tf.tensor2d(d.obs, [B, OBS]),
    actions: tf.tensor2d(d.actions, [B, ACT]),
    rewards: tf.tensor1d(d.rewards),
    nextObs: tf.tensor2d(d.nextObs, [B, OBS]),
    dones: tf.tensor1d(d.dones),
    noise: tf.tensor2d(d.noise, [B, ACT]),
    nextNoise: tf.tensor2d(d.nextNoise, [B, ACT]),
  };
}

/** Adam's first step from zero moments, as lib/nn applies it. */
function adamFirstStep(theta: Float32Array, grad: ArrayLike<number>, lr: number): Float32Array {
  const out = theta.slice();
  new Adam(theta.length, { lr, eps: 1e-8 }).step(out, Float64Array.from(grad));
  return out;
}

/** Max |Δours − Δref| over entries whose gradient is not negligible (Adam's first step ≈ lr·sign g). */
function stepError(
  before: Float32Array,
  ours: Float32Array,
  ref: Float32Array,
  grad: ArrayLike<number>,
): number {
  let gmax = 0;
  for (let i = 0; i < grad.length; i++) gmax = Math.max(gmax, Math.abs(grad[i]));
  let err = 0;
  for (let i = 0; i < before.length; i++) {
    if (Math.abs(grad[i]) < 1e-3 * gmax) continue;
    err = Math.max(err, Math.abs((ours[i] - before[i]) - (ref[i] - before[i])));
  }
  return err;
}

function sameSpecCheck(spec: SacSpec) {
  assertEquals(spec.criticLayout.size, 2 * spec.qfSize);
}

Deno.test("one gradient step matches the tfjs losses: gradients, losses, Adam, α and Polyak", () => {
  const { spec, engine, rng } = setup();
  sameSpecCheck(spec);
  const d = makeData(rng);
  load(engine, d);
  const a0 = engine.thetaActor.slice(), c0 = engine.thetaCritic.slice();
  const t0 = engine.thetaCriticTarget.slice(), logAlpha0 = engine.logEntCoef;
  const alpha0 = engine.entCoef("auto");
  const stats = engine.gradientStep(COEFS);
  const c1 = engine.thetaCritic.slice();

  const ref = tf.tidy(() => {
    const t = tensorsOf(d);
    const y = sacCriticTargets(spec, tf.tensor1d(a0), tf.tensor1d(t0), t, t.nextNoise, {
      alpha: alpha0,
      gamma: COEFS.gamma,
    });
    const lc = (c: tf.Tensor) => sacCriticLoss(spec, c as tf.Tensor1D, t, y);
    const la = (a: tf.Tensor) =>
      sacActorLoss(spec, a as tf.Tensor1D, tf.tensor1d(c1), t, t.noise, alpha0);
    const lp = sacPolicyOutputs(spec, tf.tensor1d(a0), t.obs, t.noise).logProbs;
    return {
      criticLoss: lc(tf.tensor1d(c0)).dataSync()[0],
      actorLoss: la(tf.tensor1d(a0)).dataSync()[0],
      gc: tf.grad(lc)(tf.tensor1d(c0)).dataSync().slice(),
      ga: tf.grad(la)(tf.tensor1d(a0)).dataSync().slice(),
      logProbs: lp.dataSync().slice(),
    };
  });
  assertAlmostEquals(stats.criticLoss, ref.criticLoss, 1e-5 * Math.max(1, ref.criticLoss));
  assertAlmostEquals(stats.actorLoss, ref.actorLoss, 1e-5 * Math.max(1, Math.abs(ref.actorLoss)));
  assertEquals(stats.entCoef, alpha0);
  assert(relativeMaxError(engine.grad.critic, ref.gc) < 1e-5, "critic gradient");
  assert(relativeMaxError(engine.grad.actor, ref.ga) < 1e-5, "actor gradient");
  assert(relativeMaxError(engine.last.logProbs, ref.logProbs) < 1e-5, "log-probabilities");

  // Adam (PyTorch rule, first step) on both networks.
  const lr = COEFS.learningRate;
  assert(stepError(c0, c1, adamFirstStep(c0, ref.gc, lr), ref.gc) < 1e-5, "critic Adam");
  const a1Ref = adamFirstStep(a0, ref.ga, lr);
  assert(stepError(a0, engine.thetaActor, a1Ref, ref.ga) < 1e-5, "actor Adam");
  // α: the loss uses α before the update; log α moves by Adam's first step ≈ −lr·sign(mean(log π + H̄)).
  const meanShift = Array.from(ref.logProbs).reduce((s, x) => s + x + COEFS.targetEntropy, 0) / B;
  assertAlmostEquals(stats.entCoefLoss, -logAlpha0 * meanShift, 1e-5);
  assertAlmostEquals(engine.logEntCoef, logAlpha0 + lr * Math.sign(meanShift), 1e-6);
  // Polyak with the updated critic.
  for (let i = 0; i < t0.length; i++) {
    assertAlmostEquals(
      engine.thetaCriticTarget[i],
      (1 - COEFS.tau) * t0[i] + COEFS.tau * c1[i],
      1e-6,
    );
  }
  engine.close();
});

Deno.test("fixed α and no Polyak step: α constant, no α loss, targets untouched", () => {
  const { engine, rng } = setup();
  load(engine, makeData(rng));
  const t0 = engine.thetaCriticTarget.slice(), logAlpha0 = engine.logEntCoef;
  const stats = engine.gradientStep({ ...COEFS, entCoef: 0.2, polyak: false });
  assertEquals(stats.entCoef, 0.2);
  assert(Number.isNaN(stats.entCoefLoss));
  assertEquals(engine.logEntCoef, logAlpha0);
  assertEquals(engine.thetaCriticTarget, t0);
});

Deno.test("one and two threads give bit-identical trajectories", () => {
  // Widths large enough that the two halves of each phase really overlap in time.
  const run = (threads: 1 | 2, hidden: number[], batch: number) => {
    const spec = makeSacSpec(OBS, ACT, { netArch: hidden });
    const engine = new SacEngine(spec, {
      batchSize: batch,
      adamEps: 1e-8,
      entCoefInit: 1,
      threads,
    });
    const rng = new Rng(2);
    const { actor, critic } = initSacParams(spec, rng);
    engine.setParameters(actor, critic);
    const stats = [];
    for (let i = 0; i < 5; i++) {
      rng.fillNormal(engine.batch.obs);
      rng.fillUniform(engine.batch.actions, -1, 1);
      rng.fillNormal(engine.batch.rewards);
      rng.fillNormal(engine.batch.nextObs);
      rng.fillNormal(engine.noise.current);
      rng.fillNormal(engine.noise.next);
      stats.push(engine.gradientStep(COEFS));
    }
    const state = engine.getState();
    engine.close();
    return { stats, state };
  };
  for (const [hidden, batch] of [[[7, 5], 13], [[96, 80, 64], 64]] as const) {
    const one = run(1, [...hidden], batch), two = run(2, [...hidden], batch);
    assertEquals(two.stats, one.stats);
    assertEquals(two.state, one.state);
  }
});

Deno.test("getState/setState continue a trajectory exactly", () => {
  const a = setup().engine, b = setup().engine;
  const rng = new Rng(3);
  const data = [makeData(rng), makeData(rng), makeData(rng)];
  load(a, data[0]);
  a.gradientStep(COEFS);
  b.setState(a.getState());
  for (const d of data.slice(1)) {
    load(a, d);
    load(b, d);
    assertEquals(b.gradientStep(COEFS), a.gradientStep(COEFS));
  }
  assertEquals(b.getState(), a.getState());
});

Deno.test("NaN parameters or data throw an error naming the quantity", () => {
  const { engine, rng } = setup();
  load(engine, makeData(rng));
  engine.thetaCritic[3] = NaN;
  assertThrows(() => engine.gradientStep(COEFS), Error, "critic loss is NaN");
  const fresh = setup();
  load(fresh.engine, makeData(fresh.rng));
  fresh.engine.thetaActor[0] = Infinity;
  assertThrows(() => fresh.engine.gradientStep(COEFS), Error, "log-probability");
});

Deno.test("memory is flat over 1,000 gradient steps (no tensors, fixed wasm memory and views)", () => {
  const { engine, rng } = setup();
  const tensors = tf.memory().numTensors;
  const buffer = engine.thetaActor.buffer, bytes = buffer.byteLength;
  const views = [engine.thetaActor, engine.thetaCritic, engine.grad.critic, engine.batch.obs];
  load(engine, makeData(rng));
  for (let i = 0; i < 1000; i++) {
    rng.fillNormal(engine.noise.current);
    engine.gradientStep(COEFS);
  }
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(engine.thetaActor.buffer.byteLength, bytes);
  assert(engine.thetaActor.buffer === buffer, "the memory was never reallocated");
  assert(
    [engine.thetaActor, engine.thetaCritic, engine.grad.critic, engine.batch.obs]
      .every((v, i) => v === views[i] && v.byteLength > 0),
    "views stay attached",
  );
});

Deno.test({
  name: "several gradient steps match SB3's SAC.train in PyTorch",
  ignore: torchPython === null,
  fn: async () => {
    const { spec, engine, rng } = setup(1, 1.0);
    const a0 = engine.thetaActor.slice(), c0 = engine.thetaCritic.slice();
    const t0 = engine.thetaCriticTarget.slice();
    const data = Array.from({ length: 6 }, () => makeData(rng));
    const interval = 2; // Polyak at gradient steps 0, 2, 4 of the phase
    const ours = data.map((d, i) => {
      load(engine, d);
      return engine.gradientStep({ ...COEFS, polyak: i % interval === 0 });
    });
    const torch = await runOracle(torchPython!, "sb3_sac_loss", {
      mode: "step",
      obs_dim: OBS,
      act_dim: ACT,
      hidden: HIDDEN,
      actor: Array.from(a0),
      critic: Array.from(c0),
      critic_target: Array.from(t0),
      log_ent_coef: 0,
      target_entropy: COEFS.targetEntropy,
      gamma: COEFS.gamma,
      tau: COEFS.tau,
      learning_rate: COEFS.learningRate,
      adam_eps: 1e-8,
      target_update_interval: interval,
      batches: data.map((d) => ({
        obs: Array.from(d.obs),
        actions: Array.from(d.actions),
        rewards: Array.from(d.rewards),
        next_obs: Array.from(d.nextObs),
        dones: Array.from(d.dones),
        noise: Array.from(d.noise),
        next_noise: Array.from(d.nextNoise),
      })),
    }) as {
      steps: { actor_loss: number; critic_loss: number; ent_coef: number; ent_coef_loss: number }[];
      actor: number[];
      critic: number[];
      critic_target: number[];
      log_ent_coef: number;
    };
    torch.steps.forEach((s, i) => {
      assertAlmostEquals(
        ours[i].criticLoss,
        s.critic_loss,
        1e-4 * Math.max(1, s.critic_loss),
        `step ${i}`,
      );
      assertAlmostEquals(
        ours[i].actorLoss,
        s.actor_loss,
        1e-4 * Math.max(1, Math.abs(s.actor_loss)),
      );
      assertAlmostEquals(ours[i].entCoef, s.ent_coef, 1e-6);
      assertAlmostEquals(ours[i].entCoefLoss, s.ent_coef_loss, 1e-5);
    });
    assertAlmostEquals(engine.logEntCoef, torch.log_ent_coef, 1e-6);
    // Parameters after 6 Adam steps of size ≈ lr = 1e-3 agree to float32 rounding (≈ 3e-8 here).
    const maxDiff = (a: Float32Array, b: number[]) =>
      a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
    assert(maxDiff(engine.thetaCritic, torch.critic) < 1e-6, "critic vs torch");
    assert(maxDiff(engine.thetaActor, torch.actor) < 1e-6, "actor vs torch");
    assert(maxDiff(engine.thetaCriticTarget, torch.critic_target) < 1e-6, "targets vs torch");
    assertEquals(spec.actDim, ACT);
    engine.close();
  },
});
