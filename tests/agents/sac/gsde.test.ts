/**
 * SAC with gSDE (SB3 1.8 `use_sde=True`): the engine's gradient step against the float64
 * reference written from SB3's equations (`sacGsdeRef` in `tests/reference/float64.ts`): critic
 * loss through the s′ actions of the same exploration matrix, actor loss and its gradient with
 * respect to every actor parameter (latent layers, μ, the log-std matrix) by finite differences;
 * the agent's noise schedule (rollout start, every sde_sample_freq steps, warm-up), acting,
 * checkpoints, the analysis of a gSDE checkpoint, and a short BipedalWalker-v3 run.
 */
import { assert, assertAlmostEquals, assertEquals, assertNotEquals } from "@std/assert";
import { SacEngine } from "../../../lib/agents/sac/engine.ts";
import { initSacParams, makeSacSpec } from "../../../lib/agents/sac/policy.ts";
import { SacAgent } from "../../../lib/agents/sac/sac.ts";
import { resolveSacPreset } from "../../../lib/agents/presets.ts";
import { makeEnv } from "../../../lib/envs/mod.ts";
import { Rng } from "../../../lib/rng.ts";
import {
  makeHessianOperator,
  sacAnalysisInputFromState,
  SacCheckpointProblem,
} from "../../../lib/subspaces/mod.ts";
import {
  fdGradient,
  mlp,
  mlpSize,
  relativeMaxError,
  type SacGsdeRef,
  sacGsdeRef,
} from "../../reference/float64.ts";
import { ACT, B, COEFS, HIDDEN, OBS } from "./_fixtures.ts";

const H = HIDDEN[HIDDEN.length - 1];

/** The reference actor: latent MLP (ReLU), μ layer, log-std matrix (documented block order). */
function refActor(
  actor: ArrayLike<number>,
  obs: ArrayLike<number>,
  xi: ArrayLike<number>,
  o: SacGsdeRef,
) {
  const n = obs.length / OBS, dims = [OBS, ...HIDDEN], end = mlpSize(dims);
  const z: number[] = [], latent: number[] = [];
  for (let b = 0; b < n; b++) {
    const h = mlp(actor, 0, dims, "relu", Array.from(obs).slice(b * OBS, (b + 1) * OBS), true);
    latent.push(...h);
    z.push(...mlp(actor, end, [H, ACT], "relu", h));
  }
  const logStd = Array.from(actor).slice(end + H * ACT + ACT);
  return sacGsdeRef(z, latent, logStd, xi, ACT, o);
}

function refQ(critic: ArrayLike<number>, j: number, s: number[], a: number[]): number {
  const dims = [OBS + ACT, ...HIDDEN, 1];
  return mlp(critic, j * mlpSize(dims), dims, "relu", [...s, ...a])[0];
}

const row = (a: ArrayLike<number>, b: number, w: number) => Array.from(a).slice(b * w, (b + 1) * w);

for (const fullStd of [true, false]) {
  Deno.test(`gSDE gradient step (full_std ${fullStd}) equals the float64 reference`, () => {
    const o: SacGsdeRef = { fullStd, useExpln: false, clipMean: 2 };
    const spec = makeSacSpec(OBS, ACT, { netArch: HIDDEN, useSde: true, fullStd });
    const P = H * (fullStd ? ACT : 1);
    assertEquals(spec.actorLayout.size, mlpSize([OBS, ...HIDDEN]) + H * ACT + ACT + P);
    const engine = new SacEngine(spec, { batchSize: B, adamEps: 1e-8, entCoefInit: 0.6 });
    try {
      const rng = new Rng(23);
      const { actor, critic } = initSacParams(spec, rng, -0.5);
      // A μ layer larger than torch's init so μ leaves the clip range for some samples.
      for (let i = spec.heads.muWeight; i < spec.heads.logStdWeight; i++) actor[i] *= 5;
      // log-std entries that differ (the default fill is one value).
      for (let k = 0; k < P; k++) actor[spec.heads.logStdWeight + k] = -0.2 - 0.15 * k;
      engine.setParameters(actor, critic);
      for (let i = 0; i < critic.length; i++) engine.thetaCriticTarget[i] += rng.normal(0, 0.02);
      const t0 = engine.thetaCriticTarget.slice();
      rng.fillNormal(engine.batch.obs);
      rng.fillUniform(engine.batch.actions, -1, 1);
      rng.fillNormal(engine.batch.rewards);
      rng.fillNormal(engine.batch.nextObs);
      engine.batch.dones.set(Float32Array.from({ length: B }, (_, b) => b % 4 === 2 ? 1 : 0));
      rng.fillNormal(engine.noise.sde);
      assertEquals([engine.noise.current.length, engine.noise.sde.length], [0, H * ACT]);
      const xi = engine.noise.sde.slice();
      const a0 = engine.thetaActor.slice(), c0 = engine.thetaCritic.slice();
      const alpha = engine.entCoef("auto");
      const c = COEFS;
      const stats = engine.gradientStep(c);
      const c1 = engine.thetaCritic.slice();
      const { obs, actions, rewards, nextObs, dones } = engine.batch;

      // Critic loss: targets from ã′ = tanh(μ(s′) + h(s′)ᵀE) with the *same* E as the actor loss.
      const next = refActor(a0, nextObs, xi, o);
      let lc = 0;
      for (let b = 0; b < B; b++) {
        const s2 = row(nextObs, b, OBS), a2 = next.actions[b];
        const q = Math.min(refQ(t0, 0, s2, a2), refQ(t0, 1, s2, a2));
        const y = rewards[b] + (1 - dones[b]) * c.gamma * (q - alpha * next.logProbs[b]);
        for (let j = 0; j < 2; j++) {
          lc += (refQ(c0, j, row(obs, b, OBS), row(actions, b, ACT)) - y) ** 2;
        }
      }
      lc *= 0.5 / B;
      assertAlmostEquals(stats.criticLoss, lc, 1e-4 * Math.max(1, Math.abs(lc)));

      // Actor loss mean(α log π − min_j Q_j(s, ã)) with the updated critic, and its gradient.
      const actorLoss = (theta: ArrayLike<number>) => {
        const cur = refActor(theta, obs, xi, o);
        let l = 0;
        for (let b = 0; b < B; b++) {
          const s = row(obs, b, OBS), a = cur.actions[b];
          l += alpha * cur.logProbs[b] - Math.min(refQ(c1, 0, s, a), refQ(c1, 1, s, a));
        }
        return l / B;
      };
      assertAlmostEquals(
        stats.actorLoss,
        actorLoss(a0),
        1e-4 * Math.max(1, Math.abs(stats.actorLoss)),
      );
      const want = fdGradient(actorLoss, Float64Array.from(a0), 1e-6);
      const err = relativeMaxError(engine.grad.actor, want);
      assert(err < 2e-5, `actor gradient relative error ${err.toExponential(2)}`);
      // The log-std matrix and the last hidden layer get gradient (learn_features).
      const off = spec.heads.logStdWeight;
      assert(engine.grad.actor.subarray(off).some((g) => Math.abs(g) > 1e-3));
      // μ left the clip range for some sample (else the hardtanh is not tested): its μ-layer
      // gradient then vanishes for that row, which the differences confirm above.
      const unclipped = refActor(a0, obs, xi, { ...o, clipMean: 0 }).logProbs;
      assert(unclipped.some((lp, b) => Math.abs(lp - refActor(a0, obs, xi, o).logProbs[b]) > 1e-6));
    } finally {
      engine.close();
    }
  });
}

const SMALL = {
  net_arch: [16, 16],
  batch_size: 16,
  learning_starts: 20,
  learning_rate: 1e-3,
  use_sde: true,
  train_freq: 8,
  gradient_steps: 2,
};

/** Steps the agent `n` times, recording ξ of the acting exploration matrix after each step. */
function noiseTrace(agent: SacAgent, n: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    agent.step();
    out.push(agent.actor.noise.slice());
  }
  return out;
}

const changedAt = (trace: Float32Array[], from: number) =>
  trace.flatMap((x, i) => (i > 0 && x.some((v, k) => v !== trace[i - 1][k]) ? [from + i] : []));

Deno.test("gSDE noise schedule: rollout start and every sde_sample_freq steps; warm-up uniform", () => {
  // Steps with t = numTimesteps before the step; rollouts (train_freq 8) start at t = 24, 32.
  for (const [freq, want] of [[3, [22, 24, 27, 30, 32, 35, 38]], [-1, [24, 32]]] as const) {
    const agent = new SacAgent({
      env: makeEnv("Pendulum-v1"),
      config: { ...SMALL, sde_sample_freq: freq },
      seed: 3,
    });
    // Warm-up (20 uniform steps): no exploration matrix is drawn.
    noiseTrace(agent, 20);
    assert(!agent.actor.hasNoise);
    // t = 20..39: the first policy step (t = 20, inside the rollout 16..23) draws a matrix, then
    // the schedule: k = t mod 8 = 0, or k % sde_sample_freq = 0.
    const trace = noiseTrace(agent, 20);
    assert(agent.actor.hasNoise);
    assertEquals(changedAt(trace, 20), [...want]);
    agent.close();
  }
  // use_sde_at_warmup: the policy acts from the first step.
  const agent = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, use_sde_at_warmup: true },
    seed: 3,
  });
  noiseTrace(agent, 1);
  assert(agent.actor.hasNoise);
  agent.close();
});

Deno.test("gSDE training: a new matrix per gradient step; actions tanh(μ + hᵀE); resume", () => {
  const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 4 });
  // Training is pending after step 24 (t > 20, every 8 steps) and runs before the next step.
  for (let i = 0; i < 25; i++) agent.step();
  assertEquals(agent.nUpdates, 2);
  const xi1 = agent.engine.noise.sde.slice();
  for (let i = 0; i < 8; i++) agent.step();
  assertEquals(agent.nUpdates, 4);
  assertNotEquals([...agent.engine.noise.sde], [...xi1]);
  // The deterministic action is tanh(hardtanh(μ)); a stochastic one uses the current matrix.
  const obs = new Float32Array([0.3, -0.2, 0.5]);
  const z = agent.actor.outputs(agent.thetaActor, obs);
  const det = agent.predict(obs, true);
  assertAlmostEquals(det[0], 2 * Math.tanh(Math.min(2, Math.max(-2, z[0]))), 1e-6);
  // Resume: the restored agent acts and trains as the original.
  const state = agent.getState();
  assert(state.sdeNoise !== undefined);
  const twin = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 99 });
  twin.setState(structuredClone(state));
  assertEquals([...twin.predict(obs)], [...agent.predict(obs)]);
  for (let i = 0; i < 8; i++) {
    agent.step();
    twin.step();
  }
  assertEquals([...twin.thetaActor], [...agent.thetaActor]);
  // A state without the matrix (written before any policy step) loads; one is drawn on use.
  const { sdeNoise: _, ...old } = structuredClone(state);
  const third = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 98 });
  third.setState(old);
  third.step();
  assert(third.actor.hasNoise);
  for (const a of [agent, twin, third]) a.close();
});

Deno.test("gSDE with two engine threads: the same run as one thread", () => {
  const one = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 8 });
  const two = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 8, threads: 2 });
  try {
    for (let i = 0; i < 41; i++) {
      one.step();
      two.step();
    }
    assertEquals(one.nUpdates, 6);
    assertEquals([...two.thetaActor], [...one.thetaActor]);
  } finally {
    one.close();
    two.close();
  }
});

Deno.test("a gSDE checkpoint is analysed: the actor loss includes the log-std matrix", async () => {
  const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 6 });
  for (let i = 0; i < 40; i++) agent.step();
  const input = sacAnalysisInputFromState(agent.getState(), "Pendulum-v1");
  assert(input.spec.sde !== null);
  const problem = await SacCheckpointProblem.create(input, {
    step: 40,
    settings: { preciseSamples: 40, chunkSize: 16, seed: 0, quirks: {} },
  });
  const loss = problem.loss("actor", "precise");
  const op = makeHessianOperator(loss);
  try {
    const g = await op.gradient();
    assertEquals(g.length, agent.thetaActor.length);
    const off = agent.spec.heads.logStdWeight;
    assert(g.subarray(off).some((x) => x !== 0), "no gradient on the log-std matrix");
    const v = new Float64Array(g.length).fill(0);
    v[off] = 1;
    const hv = await op.hvp(v);
    assert(hv.every(Number.isFinite) && hv.some((x) => x !== 0));
  } finally {
    op.dispose();
    loss.dispose();
    agent.close();
  }
});

Deno.test("BipedalWalker-v3 with the paper's gSDE preset: a short run trains without NaN", () => {
  const p = resolveSacPreset("sac/BipedalWalker-v3", {
    learning_starts: 64,
    batch_size: 32,
    train_freq: 32,
    gradient_steps: 8,
  });
  assert(p.config.useSde && p.config.logStdInit === -3);
  const agent = new SacAgent({ env: makeEnv(p.envId), config: p.config, seed: 0 });
  try {
    assertEquals(agent.thetaActor.length, 132_704);
    let updates = 0;
    for (let i = 0; i < 256; i++) {
      const info = agent.step();
      if (info.update) {
        updates++;
        for (const v of [info.update.actorLoss, info.update.criticLoss, info.update.entCoef]) {
          assert(Number.isFinite(v), `non-finite training value ${v} at step ${i}`);
        }
      }
    }
    assert(updates >= 5, `${updates} training phases`);
    assert(agent.thetaActor.every(Number.isFinite));
    // The log-std matrix moved from −3.
    const ls = agent.thetaActor.subarray(agent.spec.heads.logStdWeight);
    assertEquals(ls.length, 300 * 4);
    assert(ls.some((x) => x !== -3));
  } finally {
    agent.close();
  }
});
