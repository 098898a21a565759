// PPO analysis data (paper notes §5.1, §5.2): rollouts replayed step by step on an independent
// environment with the published VecNormalize, time-out and GAE formulas written out here in
// float64; the mini-batch split; the losses on the data against the tfjs reference's per-batch
// normalisation.
import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { makeEnv } from "../../lib/envs/mod.ts";
import { Rng } from "../../lib/rng.ts";
import { PpoAgent, type PpoAgentState } from "../../lib/agents/ppo/ppo.ts";
import { actorAnalysisLoss } from "../reference/ppo_losses_tfjs.ts";
import {
  collectPpoRollout,
  makeHessianOperator,
  miniBatchIndices,
  ppoAnalysis,
  PpoCheckpointProblem,
  type PpoRollout,
} from "../../lib/subspaces/mod.ts";
import { mlp, relativeError } from "./_reference.ts";

await initRuntime({ backend: "cpu" });

const CONFIG = { n_steps: 96, batch_size: 40, net_arch: [8], gamma: 0.9, gae_lambda: 0.8 };

function agentState(normalize: boolean, warmupSteps: number): PpoAgentState {
  const agent = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...CONFIG, normalize, ent_coef: 0.01 },
    seed: 4,
  });
  // Moves the VecNormalize statistics (and updates θ every 96 steps).
  for (let t = 0; t < warmupSteps; t++) agent.step();
  return agent.getState();
}

/** GAE of notes §9.4 in float64. */
function referenceGae(
  r: PpoRollout,
  lastValue: number,
  lastDone: boolean,
  gamma: number,
  lambda: number,
): Float64Array {
  const adv = new Float64Array(r.n);
  let next = 0;
  for (let t = r.n - 1; t >= 0; t--) {
    const m = t === r.n - 1 ? (lastDone ? 0 : 1) : 1 - r.episodeStarts[t + 1];
    const vNext = t === r.n - 1 ? lastValue : r.values[t + 1];
    const delta = r.rewards[t] + gamma * m * vNext - r.values[t];
    next = delta + gamma * lambda * m * next;
    adv[t] = next;
  }
  return adv;
}

for (const normalize of [false, true]) {
  Deno.test(`rollout (VecNormalize ${normalize ? "frozen" : "off"}) replays exactly; time-outs bootstrap; GAE as published`, () => {
    const state = agentState(normalize, normalize ? 300 : 0);
    const config = state.config;
    const probe = new PpoCheckpointProblem({
      state,
      envId: "Pendulum-v1",
      step: 0,
      settings: { preciseSamples: 10, chunkSize: 8, seed: 0, quirks: {} },
    });
    const frozenBefore = JSON.stringify(state.vecNormalize);
    const samples = 450; // two full episodes and a cut third one
    const r = collectPpoRollout({
      spec: probe.spec,
      thetaActor: state.thetaActor,
      thetaCritic: state.thetaCritic,
      env: makeEnv("Pendulum-v1"),
      vecNormalize: state.vecNormalize,
      samples,
      gamma: config.gamma,
      gaeLambda: config.gaeLambda,
      envSeed: 77,
      rng: new Rng(5),
    });
    assertEquals(JSON.stringify(state.vecNormalize), frozenBefore);
    assertEquals(r.episodeReturns.length, 2);

    const vn = state.vecNormalize;
    const normObs = (raw: ArrayLike<number>) =>
      Array.from(raw, (x, i) => {
        if (!vn) return x;
        const z = (x - vn.obsRms.mean[i]) / Math.sqrt(vn.obsRms.var[i] + 1e-8);
        return Math.min(Math.max(z, -10), 10);
      });
    const normReward = (x: number) =>
      vn ? Math.min(Math.max(x / Math.sqrt(vn.retRms.var[0] + 1e-8), -10), 10) : x;
    const value = (o: ArrayLike<number>) => mlp(state.thetaCritic, 0, [3, 8, 1], "tanh", o)[0];

    const env = makeEnv("Pendulum-v1");
    let raw = env.reset({ seed: 77 }).obs;
    let rawReturn = 0;
    const returns: number[] = [];
    for (let t = 0; t < samples; t++) {
      const o = r.observations.subarray(3 * t, 3 * t + 3);
      const expected = normObs(raw);
      for (let i = 0; i < 3; i++) assertAlmostEquals(o[i], expected[i], 1e-5);
      assertEquals(r.episodeStarts[t], t % 200 === 0 ? 1 : 0);
      const a = r.actions[t];
      const step = env.step([Math.min(Math.max(a, -2), 2)]); // clipped only for the env
      rawReturn += step.reward;
      let reward = normReward(step.reward);
      if (step.truncated) {
        reward += config.gamma * value(normObs(step.obs)); // agent's γ, normalised terminal obs
        returns.push(rawReturn);
        rawReturn = 0;
        raw = env.reset().obs;
      } else {
        raw = step.obs;
      }
      assertAlmostEquals(r.rewards[t], reward, 1e-4 * Math.max(1, Math.abs(reward)));
      assertAlmostEquals(r.values[t], value(o), 1e-5);
    }
    assertEquals(
      r.episodeReturns.map((x) => Math.round(x * 1e3)),
      returns.map((x) => Math.round(x * 1e3)),
    );
    // Unclipped actions are stored: N(μ, 1) samples exceed the ±2 box now and then.
    assert(r.actions.some((a) => Math.abs(a) > 2), "no stored action outside the action box");
    const adv = referenceGae(r, value(normObs(raw)), false, config.gamma, config.gaeLambda);
    assert(relativeError(r.advantages, adv) < 1e-5, "GAE differs from the published recursion");
    for (let t = 0; t < samples; t++) {
      assertAlmostEquals(r.returns[t], adv[t] + r.values[t], 1e-4 * Math.max(1, Math.abs(adv[t])));
    }
  });
}

Deno.test("mini-batch rollout: agent's γ/λ by default, SB3's 0.99/1 with the §5.2 quirk", () => {
  const state = agentState(false, 0);
  const settings = { preciseSamples: 64, chunkSize: 32, seed: 1 };
  const a = new PpoCheckpointProblem({
    state,
    envId: "Pendulum-v1",
    step: 10,
    settings: { ...settings, quirks: {} },
  });
  const b = new PpoCheckpointProblem({
    state,
    envId: "Pendulum-v1",
    step: 10,
    settings: { ...settings, quirks: { ppoMiniBatchDefaultGae: true } },
  });
  assertEquals(a.miniBatchGae, { gamma: 0.9, gaeLambda: 0.8 });
  assertEquals(b.miniBatchGae, { gamma: 0.99, gaeLambda: 1 });
  // Same data (same seeds); only the GAE of the mini-batch rollout differs.
  assertEquals(a.precise.advantages, b.precise.advantages);
  assertEquals(a.miniBatchRollout.observations, b.miniBatchRollout.observations);
  assertEquals(a.miniBatchRollout.rewards, b.miniBatchRollout.rewards); // bootstrap keeps agent γ
  const r = b.miniBatchRollout;
  const adv = referenceGae(r, nextValue(b), false, 0.99, 1);
  assert(relativeError(r.advantages, adv) < 1e-5, "quirk GAE is not γ = 0.99, λ = 1");
  assert(relativeError(a.miniBatchRollout.advantages, adv) > 1e-2);
});

/** V(next obs) after the last sample, recovered from the stored last advantage. */
function nextValue(p: PpoCheckpointProblem): number {
  const r = p.miniBatchRollout;
  const t = r.n - 1;
  // Â_{T−1} = r + γ·V_next − V (no episode ends at sample 96 of Pendulum) ⇒ V_next.
  return (r.advantages[t] - r.rewards[t] + r.values[t]) / p.miniBatchGae.gamma;
}

Deno.test("mini-batches: SB3 split (permutation, batch_size chunks, last smaller), deterministic per (seed, step)", () => {
  const batches = miniBatchIndices(10, 4, new Rng(0));
  assertEquals(batches.map((b) => b.length), [4, 4, 2]);
  assertEquals([...batches.flatMap((b) => [...b])].sort((x, y) => x - y), [...Array(10).keys()]);
  assertThrows(() => miniBatchIndices(10, 0, new Rng(0)), RangeError, "batchSize");

  const state = agentState(false, 0);
  const make = (seed: number, step: number) =>
    new PpoCheckpointProblem({
      state,
      envId: "Pendulum-v1",
      step,
      settings: { preciseSamples: 50, chunkSize: 16, seed, quirks: {} },
    });
  const p = make(0, 100);
  assertEquals(p.miniBatchCount, 3); // 96 = 40 + 40 + 16
  assertEquals(p.miniBatches.map((b) => b.length), [40, 40, 16]);
  assertEquals(p.sampleCount("precise"), 50);
  assertEquals(p.sampleCount("minibatch"), 96);
  assertEquals(p.parameterCount("actor"), 3 * 8 + 8 + 8 + 1 + 1);
  assertEquals(make(0, 100).precise.observations, p.precise.observations);
  assert(relativeError(make(0, 200).precise.observations, p.precise.observations) > 0.1);
  assert(relativeError(make(1, 100).precise.observations, p.precise.observations) > 0.1);
  assertThrows(() => p.miniBatchLoss("actor", 3), RangeError, "does not exist");
});

Deno.test("losses: mini-batch gradient == tfjs per-batch normalisation; precise loss normalises over the whole batch", async () => {
  const state = agentState(false, 0);
  const p = await ppoAnalysis.prepare({
    state,
    envId: "Pendulum-v1",
    step: 0,
    settings: { preciseSamples: 300, chunkSize: 64, seed: 2, quirks: {} },
  }) as PpoCheckpointProblem;
  // Mini-batch 1 through the problem vs actorAnalysisLoss with "batch" normalisation in one piece.
  const rows = p.miniBatches[1];
  const r = p.miniBatchRollout;
  const pick = (src: Float32Array, dim: number) =>
    Float32Array.from(
      { length: rows.length * dim },
      (_, i) => src[rows[Math.floor(i / dim)] * dim + (i % dim)],
    );
  const ref = tf.tidy(() => {
    const batch = {
      obs: tf.tensor2d(pick(r.observations, 3), [rows.length, 3]),
      actions: tf.tensor2d(pick(r.actions, 1), [rows.length, 1]),
      advantages: tf.tensor1d(pick(r.advantages, 1)),
    };
    return tf.grad((t: tf.Tensor) =>
      actorAnalysisLoss(p.spec, t as tf.Tensor1D, batch, {
        entCoef: 0.01,
        advantageNormalization: "batch",
      })
    )(tf.tensor1d(p.thetaActor));
  });
  const expected = await ref.data();
  ref.dispose();
  const loss = p.miniBatchLoss("actor", 1);
  const op = makeHessianOperator(loss);
  const g = await op.gradient();
  op.dispose();
  loss.dispose();
  assert(
    relativeError(g, expected) < 1e-5,
    "mini-batch gradient differs from per-batch normalisation",
  );

  // Precise actor loss value: −mean(normalised Â) − c_ent·H = −c_ent·H (normalised advantages
  // have mean 0), whatever the chunking.
  const precise = p.loss("actor", "precise");
  const opP = makeHessianOperator(precise, { fast: { chunkRows: 64 } });
  const { value } = await opP.valueAndGradient();
  opP.dispose();
  precise.dispose();
  const entropy = 0.5 + 0.5 * Math.log(2 * Math.PI) + state.thetaActor[p.spec.logStdOffset];
  assertAlmostEquals(value, -0.01 * entropy, 1e-6);
  const d = p.describe();
  assertEquals(d.preciseSamples, 300);
  assertEquals(d.miniBatches, 3);
});
