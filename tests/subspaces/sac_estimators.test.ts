// SAC analysis data and losses (paper notes §3.2, §5.3, §5.4) against independent float64
// references (tests/subspaces/_reference.ts; the SAC parameter layout is the documented block
// order: latent MLP, mu, log_std; qf0 then qf1): critic targets, critic-loss gradient and HVP,
// actor-loss gradient (with and without the detached-Q quirk) and HVP, the gSDE actor (targets,
// value, gradient and HVP with the data set's exploration matrix), replay-buffer reading,
// step-0 random transitions and the mini-batch layout.
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { makeEnv } from "../../lib/envs/mod.ts";
import { Rng } from "../../lib/rng.ts";
import { makeSacSpec } from "../../lib/agents/sac/policy.ts";
import { ReplayBuffer } from "../../lib/agents/sac/replay_buffer.ts";
import {
  collectRandomTransitions,
  makeHessianOperator,
  makeSacDataSet,
  sacActorChunkedLoss,
  type SacAnalysisInput,
  sacAnalysisInputFromState,
  SacCheckpointProblem,
  sacCriticChunkedLoss,
  type SacTransitions,
  transitionsFromReplayState,
} from "../../lib/subspaces/mod.ts";
import {
  fdGradient,
  fdHvp,
  mlp,
  mlpSize,
  relativeError,
  squashedActorReference,
  squashedGsdeActorReference,
  squashedGsdeProblem,
  squashedProblem,
  unitVector,
} from "./_reference.ts";
import { sacGsdeRef } from "../reference/float64.ts";

await initRuntime({ backend: "cpu" });

const HIDDEN = [6, 5];
const GAMMA = 0.97;

/** A SAC problem whose parameters and actor noise come from the float64 reference's problem. */
function sacProblem(n: number, seed: number) {
  const ref = squashedProblem(3, 1, HIDDEN, "relu", n, seed);
  const rng = new Rng(seed, 3);
  const transitions: SacTransitions = {
    n,
    obsDim: 3,
    actDim: 1,
    observations: ref.obs,
    actions: rng.fillUniform(new Float32Array(n), -1, 1),
    rewards: rng.fillNormal(new Float32Array(n)),
    nextObservations: rng.fillNormal(new Float32Array(3 * n)),
    dones: Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)),
  };
  const target = ref.critic.map((x, i) => x + 0.05 * Math.sin(i));
  const input: SacAnalysisInput = {
    spec: makeSacSpec(3, 1, { netArch: HIDDEN }),
    thetaActor: ref.actor,
    thetaCritic: ref.critic,
    thetaCriticTarget: target,
    alpha: ref.alpha,
    gamma: GAMMA,
    batchSize: 256,
    transitions,
  };
  return { ref, input };
}

const qDims = [4, ...HIDDEN, 1];

/** y = r + (1 − d)γ(min Q̄(s′, ã′) − α log π(ã′|s′)) in float64, ε′ given. */
function referenceTargets(
  input: SacAnalysisInput,
  nextNoise: Float32Array,
): Float64Array {
  const t = input.transitions;
  const h = HIDDEN[HIDDEN.length - 1];
  const head = mlpSize([3, ...HIDDEN]);
  const y = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const s2 = t.nextObservations.subarray(3 * i, 3 * i + 3);
    const z = mlp(input.thetaActor, 0, [3, ...HIDDEN], "relu", s2, true);
    let mu = input.thetaActor[head + h], ls = input.thetaActor[head + 2 * h + 1];
    for (let j = 0; j < h; j++) {
      mu += z[j] * input.thetaActor[head + j];
      ls += z[j] * input.thetaActor[head + h + 1 + j];
    }
    ls = Math.min(Math.max(ls, -20), 2);
    const eps = nextNoise[i];
    const a = Math.tanh(mu + Math.exp(ls) * eps);
    const logProb = -0.5 * eps * eps - ls - 0.5 * Math.log(2 * Math.PI) -
      Math.log(1 - a * a + 1e-6);
    const x = [...s2, a];
    const q = Math.min(
      mlp(input.thetaCriticTarget, 0, qDims, "relu", x)[0],
      mlp(input.thetaCriticTarget, mlpSize(qDims), qDims, "relu", x)[0],
    );
    y[i] = t.rewards[i] + (1 - t.dones[i]) * GAMMA * (q - input.alpha * logProb);
  }
  return y;
}

/** ½ Σ_j mean[(Q_j(s, a) − y)²] in float64. */
function criticReference(input: SacAnalysisInput, y: ArrayLike<number>) {
  const t = input.transitions;
  return (theta: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < t.n; i++) {
      const x = [...t.observations.subarray(3 * i, 3 * i + 3), t.actions[i]];
      for (const off of [0, mlpSize(qDims)]) {
        s += (mlp(theta, off, qDims, "relu", x)[0] - y[i]) ** 2;
      }
    }
    return 0.5 * s / t.n;
  };
}

const rowsOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

Deno.test("SAC critic: targets, gradient and HVP match the float64 reference", async () => {
  const { input } = sacProblem(40, 1);
  const rng = new Rng(9);
  const data = await makeSacDataSet(input, rowsOf(40), rng.clone(), 16);
  const nextNoise = rng.fillNormal(new Float32Array(40)); // the data set's first draw
  const y = referenceTargets(input, nextNoise);
  // float32 log(1 − ã² + 1e-6) loses digits where tanh saturates (as in SB3): ~1e-4 abs. there.
  assert(relativeError(data.targets, y) < 1e-4, "critic targets differ from the reference");
  assert(input.transitions.dones.some((d) => d === 1)); // the (1 − d) mask is exercised

  const loss = sacCriticChunkedLoss(input.spec, input.thetaCritic, data);
  const op = makeHessianOperator(loss);
  const ref = criticReference(input, data.targets);
  const theta = Float64Array.from(input.thetaCritic);
  const { value, gradient } = await op.valueAndGradient();
  assertAlmostEquals(value, ref(theta), 1e-5 * Math.abs(value));
  assert(relativeError(gradient, fdGradient(ref, theta)) < 1e-4, "critic gradient");
  const v = unitVector(theta.length, 2);
  const err = relativeError(await op.hvp(v), fdHvp(ref, theta, v));
  assert(err < 1e-4, `critic HVP relative error ${err}`);
  op.dispose();
  loss.dispose();
});

Deno.test("SAC actor: gradient matches the float64 reference, with and without the detached-Q quirk", async () => {
  const { ref, input } = sacProblem(32, 2);
  const data = await makeSacDataSet(input, rowsOf(32), new Rng(4), 32);
  // The reference with the data set's actor noise; Q ≡ 0 (zero critic) gives the detached form.
  const withNoise = { ...ref, noise: data.noise };
  const full = squashedActorReference(withNoise);
  const detached = squashedActorReference({
    ...withNoise,
    critic: new Float32Array(ref.critic.length),
  });
  const theta = Float64Array.from(input.thetaActor);
  for (const [detachQ, reference] of [[false, full], [true, detached]] as const) {
    const loss = sacActorChunkedLoss(input, data, { detachQ });
    const op = makeHessianOperator(loss);
    const g = await op.gradient();
    const err = relativeError(g, fdGradient(reference, theta));
    assert(err < 1e-4, `actor gradient (detachQ ${detachQ}) relative error ${err}`);
    op.dispose();
    loss.dispose();
  }
});

Deno.test("SAC gSDE: targets with the data set's exploration matrix, actor value, gradient and HVP", async () => {
  const o = { fullStd: true, useExpln: false, clipMean: 2 };
  const base = sacProblem(40, 6);
  const { problem: ref } = squashedGsdeProblem(base.ref, o, 7);
  const input: SacAnalysisInput = {
    ...base.input,
    spec: makeSacSpec(3, 1, { netArch: HIDDEN, useSde: true }),
    thetaActor: ref.actor,
  };
  assertEquals(input.spec.actorLayout.size, ref.actor.length);
  // Chunks of 16 rows: ã′ is sampled chunk by chunk with the one matrix.
  const data = await makeSacDataSet(input, rowsOf(40), new Rng(9), 16);
  assertEquals([data.noise.length, data.sdeNoise!.length], [0, HIDDEN[1]]);
  const t = input.transitions, h = HIDDEN[HIDDEN.length - 1], head = mlpSize([3, ...HIDDEN]);
  const z: number[] = [], latent: number[] = [];
  for (let i = 0; i < t.n; i++) {
    const f = mlp(
      ref.actor,
      0,
      [3, ...HIDDEN],
      "relu",
      t.nextObservations.subarray(3 * i, 3 * i + 3),
      true,
    );
    latent.push(...f);
    z.push(mlp(ref.actor, head, [h, 1], "relu", f)[0]);
  }
  const next = sacGsdeRef(z, latent, ref.actor.subarray(head + h + 1), data.sdeNoise!, 1, o);
  const y = next.logProbs.map((lp, i) => {
    const x = [...t.nextObservations.subarray(3 * i, 3 * i + 3), ...next.actions[i]];
    const q = Math.min(
      mlp(input.thetaCriticTarget, 0, qDims, "relu", x)[0],
      mlp(input.thetaCriticTarget, mlpSize(qDims), qDims, "relu", x)[0],
    );
    return t.rewards[i] + (1 - t.dones[i]) * GAMMA * (q - input.alpha * lp);
  });
  assert(relativeError(data.targets, y) < 1e-4, "gSDE critic targets differ from the reference");

  const loss = sacActorChunkedLoss(input, data, { detachQ: false });
  const op = makeHessianOperator(loss);
  const reference = squashedGsdeActorReference(ref, data.sdeNoise!, o);
  const theta = Float64Array.from(input.thetaActor);
  const { value, gradient } = await op.valueAndGradient();
  assertAlmostEquals(value, reference(theta), 1e-5 * Math.max(1, Math.abs(value)));
  const gErr = relativeError(gradient, fdGradient(reference, theta));
  assert(gErr < 1e-4, `gSDE actor gradient relative error ${gErr}`);
  const v = unitVector(theta.length, 3);
  const err = relativeError(await op.hvp(v), fdHvp(reference, theta, v));
  assert(err < 1e-4, `gSDE actor HVP relative error ${err}`);
  op.dispose();
  loss.dispose();
});

// The actor loss clamps log σ and takes min over the twin Q-nets (the clamp's and the min's
// derivatives are piecewise constant).
Deno.test({
  name: "SAC actor: HVP matches finite differences of the float64 reference",
  fn: async () => {
    const { ref, input } = sacProblem(32, 2);
    const data = await makeSacDataSet(input, rowsOf(32), new Rng(4), 32);
    const reference = squashedActorReference({ ...ref, noise: data.noise });
    const loss = sacActorChunkedLoss(input, data, { detachQ: false });
    const op = makeHessianOperator(loss);
    const theta = Float64Array.from(input.thetaActor);
    const v = unitVector(theta.length, 5);
    const err = relativeError(await op.hvp(v), fdHvp(reference, theta, v));
    assert(err < 1e-4, `actor HVP relative error ${err}`);
    op.dispose();
    loss.dispose();
  },
});

Deno.test("replay buffer: done mask excludes time-outs; random warm-up transitions follow the env", () => {
  const buffer = new ReplayBuffer({ capacity: 8, obsDim: 3, actDim: 1 });
  buffer.add([1, 0, 0], [0, 1, 0], [0.5], -1, true, false); // terminal
  buffer.add([0, 1, 0], [0, 0, 1], [-0.5], -2, true, true); // time-out
  buffer.add([0, 0, 1], [1, 1, 1], [0.1], -3, false, false);
  const t = transitionsFromReplayState(buffer.getState());
  assertEquals(t.n, 3);
  assertEquals(Array.from(t.dones), [1, 0, 0]);
  assertEquals(Array.from(t.rewards), [-1, -2, -3]);

  const r = collectRandomTransitions(makeEnv("Pendulum-v1"), 450, 7);
  const env = makeEnv("Pendulum-v1");
  let obs = env.reset({ seed: 7 }).obs;
  for (let i = 0; i < r.n; i++) {
    const a = r.actions[i];
    assert(a >= -1 && a <= 1);
    for (let d = 0; d < 3; d++) assertEquals(r.observations[3 * i + d], obs[d]);
    const step = env.step(Float32Array.of(2 * a)); // Pendulum box [−2, 2]; float32 as SB3 passes
    assertAlmostEquals(r.rewards[i], step.reward, 1e-5);
    for (let d = 0; d < 3; d++) assertEquals(r.nextObservations[3 * i + d], step.obs[d]);
    assertEquals(r.dones[i], 0); // Pendulum ends by time-outs only
    obs = step.truncated ? env.reset().obs : step.obs;
  }
});

Deno.test("SacCheckpointProblem: 2048//bs mini-batches from the buffer, precise = whole buffer, step-0 warm-up", async () => {
  const { input } = sacProblem(300, 4);
  const settings = { preciseSamples: 1_000_000, chunkSize: 512, seed: 0, quirks: {} };
  const p = await SacCheckpointProblem.create({ ...input, batchSize: 100 }, { step: 5, settings });
  assertEquals(p.miniBatchCount, 20); // ⌊2048 / 100⌋
  assertEquals(p.sampleCount("minibatch"), 2000);
  assertEquals(p.sampleCount("precise"), 300);
  assertEquals(p.precise.observations, input.transitions.observations);
  assertThrows(() => p.miniBatchLoss("critic", 20), RangeError, "does not exist");
  const mb = p.miniBatchLoss("critic", 3);
  const objective = mb.objective;
  assertEquals(objective.kind === "regression" ? objective.targets.length : -1, 100);
  mb.dispose();
  const sub = await SacCheckpointProblem.create(input, {
    step: 5,
    settings: { ...settings, preciseSamples: 120 },
  });
  assertEquals(sub.sampleCount("precise"), 120);
  assertEquals(sub.miniBatchCount, 8); // ⌊2048 / 256⌋

  const empty = { ...input, transitions: { ...input.transitions, n: 0 } };
  const warm = await SacCheckpointProblem.create(empty, {
    step: 0,
    envId: "Pendulum-v1",
    settings: { ...settings, preciseSamples: 200 },
  });
  assert(warm.randomWarmup);
  assertEquals(warm.describe().bufferTransitions, 50_000);
  assertEquals(warm.sampleCount("precise"), 200);
});

Deno.test("sacAnalysisInputFromState: reads engine-style states, names missing fields", async () => {
  const { input } = sacProblem(10, 5);
  const buffer = new ReplayBuffer({ capacity: 16, obsDim: 3, actDim: 1 });
  for (let i = 0; i < 10; i++) buffer.add([i, 0, 0], [i + 1, 0, 0], [0], -i, false, false);
  const state = {
    config: { gamma: 0.99, batchSize: 64, netArch: HIDDEN },
    engine: {
      thetaActor: input.thetaActor,
      thetaCritic: input.thetaCritic,
      thetaCriticTarget: input.thetaCriticTarget,
      logEntCoef: Math.log(0.25),
    },
    replayBuffer: buffer.getState(),
  };
  const read = sacAnalysisInputFromState(state, "Pendulum-v1");
  assertAlmostEquals(read.alpha, 0.25, 1e-12);
  assertEquals([read.transitions.n, read.batchSize, read.gamma], [10, 64, 0.99]);
  assertThrows(
    () => sacAnalysisInputFromState({ config: { gamma: 0.9 } }, "Pendulum-v1"),
    TypeError,
    "thetaActor, thetaCritic, thetaCriticTarget, logEntCoef, replayBuffer",
  );
  await assertRejects(
    () =>
      SacCheckpointProblem.create({ ...input, transitions: { ...input.transitions, n: 0 } }, {
        step: 0,
        settings: { preciseSamples: 10, chunkSize: 8, seed: 0, quirks: {} },
      }),
    Error,
    "empty replay buffer",
  );
});
