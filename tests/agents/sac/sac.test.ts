// The SAC agent: SB3 acting (uniform warm-up, squashed and rescaled actions, [−1, 1] storage),
// replay contents (terminal observations, time-outs), the training schedule (learning_starts,
// train_freq, gradient_steps, target_update_interval), callback timing, determinism, exact
// resume, predict and config errors.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { makeEnv, type StepResult, Wrapper } from "../../../lib/envs/mod.ts";
import { SacAgent, type SacUpdateStats } from "../../../lib/agents/sac/sac.ts";
import { makeSacConfig } from "../../../lib/agents/sac/config.ts";
import type { SacStepCoefficients } from "../../../lib/agents/sac/engine.ts";

const SMALL = { net_arch: [16, 16], batch_size: 16, learning_starts: 20, learning_rate: 1e-3 };

class Recorder extends Wrapper {
  actions: number[][] = [];
  results: StepResult[] = [];
  constructor(env: ReturnType<typeof makeEnv>) {
    super(env, "Recorder");
  }
  override step(action: ArrayLike<number>): StepResult {
    this.actions.push(Array.from(action));
    const r = this.env.step(action);
    this.results.push({ ...r, obs: r.obs.slice() });
    return r;
  }
}

function collect(agent: SacAgent, steps: number): SacUpdateStats[] {
  const updates: SacUpdateStats[] = [];
  for (let i = 0; i < steps; i++) {
    const info = agent.step();
    if (info.update) updates.push(info.update);
  }
  return updates;
}

Deno.test("warm-up actions are uniform in the Box; later actions are rescaled tanh samples", () => {
  const env = new Recorder(makeEnv("Pendulum-v1"));
  const agent = new SacAgent({ env, config: { ...SMALL, learning_starts: 400 }, seed: 2 });
  collect(agent, 400);
  const warm = env.actions.map((a) => a[0]);
  assert(warm.every((a) => a >= -2 && a <= 2));
  const mean = warm.reduce((s, a) => s + a, 0) / warm.length;
  const outside = warm.filter((a) => Math.abs(a) > 1.5).length / warm.length; // uniform: 0.25
  assert(Math.abs(mean) < 0.2 && outside > 0.18 && outside < 0.32, `mean ${mean}, ${outside}`);
  // The buffer stores the same actions rescaled to [−1, 1].
  for (let t = 0; t < 400; t++) {
    assertAlmostEquals(agent.replayBuffer.actions[t], warm[t] / 2, 1e-6);
  }
  // After learning_starts: actions from the policy, in (−2, 2), stored as tanh values.
  collect(agent, 5);
  for (let t = 400; t < 405; t++) {
    const stored = agent.replayBuffer.actions[t];
    assert(Math.abs(stored) < 1);
    assertAlmostEquals(env.actions[t][0], 2 * stored, 1e-6);
  }
});

Deno.test("replay contents: obs chain, terminal observation and time-out flags", () => {
  const env = new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: 5 }));
  const agent = new SacAgent({ env, config: SMALL, seed: 4 });
  collect(agent, 12);
  const b = agent.replayBuffer;
  for (let t = 0; t < 12; t++) {
    const r = env.results[t];
    assertEquals(Array.from(b.nextObservations.subarray(3 * t, 3 * t + 3)), Array.from(r.obs));
    assertEquals(b.rewards[t], Math.fround(r.reward));
    assertEquals(b.dones[t], r.truncated || r.terminated ? 1 : 0);
    assertEquals(b.timeouts[t], r.truncated && !r.terminated ? 1 : 0);
    const ended = t % 5 === 4;
    assertEquals(b.dones[t], ended ? 1 : 0);
    if (!ended && t + 1 < 12) {
      // Next observation is the following transition's observation (no reset in between).
      assertEquals(
        Array.from(b.observations.subarray(3 * (t + 1), 3 * (t + 1) + 3)),
        Array.from(r.obs),
      );
    }
  }
});

Deno.test("training schedule: after learning_starts, every train_freq steps, gradient_steps each", () => {
  const agent = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, train_freq: 4, gradient_steps: 3 },
    seed: 1,
  });
  const at: number[] = [];
  for (let i = 0; i < 40; i++) {
    const before = agent.numTimesteps;
    const info = agent.step();
    if (info.update) {
      at.push(before);
      assertEquals(info.update.numTimesteps, before);
      assertEquals(info.update.gradientSteps, 3);
    }
  }
  // Phases end at multiples of 4; training needs t > 20: first due after step 24.
  assertEquals(at, [24, 28, 32, 36]);
  assertEquals(agent.nUpdates, 12);
  assert(agent.updatePending); // due after step 40, runs on the next call
  const stats = agent.update();
  assertEquals(stats.nUpdates, 15);
  assertThrows(() => agent.update(), Error, "no training pending");
  // gradient_steps −1: as many as steps collected.
  const all = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, learning_starts: 0, train_freq: 5, gradient_steps: -1 },
    seed: 1,
  });
  assertEquals(collect(all, 11).map((u) => u.gradientSteps), [5, 5]);
});

Deno.test("callbacks see pre-training parameters; the first training runs after step learning_starts + 1", () => {
  const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 3 });
  collect(agent, 20);
  assert(!agent.updatePending);
  const info = agent.step(); // step 21 > learning_starts: training due
  assert(info.rolloutComplete && agent.updatePending);
  const before = agent.thetaActor.slice();
  const next = agent.step();
  assert(next.update !== null);
  assert(!agent.thetaActor.every((x, i) => x === before[i]));
});

Deno.test("target_update_interval counts gradient steps within a training phase (SB3)", () => {
  const flags = (gradientSteps: number, interval: number) => {
    const agent = new SacAgent({
      env: makeEnv("Pendulum-v1"),
      config: {
        ...SMALL,
        train_freq: gradientSteps,
        gradient_steps: gradientSteps,
        target_update_interval: interval,
      },
      seed: 0,
    });
    const seen: boolean[] = [];
    const step = agent.engine.gradientStep.bind(agent.engine);
    agent.engine.gradientStep = (c: SacStepCoefficients) => {
      seen.push(c.polyak);
      return step(c);
    };
    collect(agent, 20 + 3 * gradientSteps);
    return seen;
  };
  // gradient_steps 1: the index is always 0, so every step updates the targets.
  assert(flags(1, 2).every((f) => f));
  assertEquals(flags(4, 2).slice(0, 8), [true, false, true, false, true, false, true, false]);
});

Deno.test("same seed, same trajectory; exact resume from getState/setState mid-run", () => {
  const make = (seed: number) =>
    new SacAgent({ env: makeEnv("Pendulum-v1"), config: { ...SMALL, train_freq: 3 }, seed });
  const a = make(7), b = make(7), c = make(8);
  const sa = collect(a, 60), sb = collect(b, 60), sc = collect(c, 60);
  assertEquals(sa, sb);
  assert(sa.at(-1)!.actorLoss !== sc.at(-1)!.actorLoss);
  // Snapshot in the middle of a train_freq chunk, with a pending phase elsewhere.
  collect(a, 1);
  const snapshot = a.getState();
  const resumed = make(99);
  resumed.setState(structuredClone(snapshot));
  assertEquals(resumed.getState(), snapshot);
  assertEquals(collect(resumed, 50), collect(a, 50));
  assertEquals(resumed.getState(), a.getState());
  assertEquals(resumed.replayBuffer.observations, a.replayBuffer.observations);
});

Deno.test("predict: deterministic tanh(μ) rescaled; stochastic predict leaves training untouched", () => {
  const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 5 });
  collect(agent, 30);
  const obs = new Float32Array([0.6, -0.8, 1.3]);
  const det = agent.predict(obs, true);
  const mean = agent.actor.outputs(agent.thetaActor, obs); // [μ | ρ]
  assertAlmostEquals(det[0], 2 * Math.tanh(mean[0]), 1e-6);
  const state = agent.getState();
  for (let i = 0; i < 20; i++) {
    const a = agent.predict(obs);
    assert(a[0] > -2 && a[0] < 2);
  }
  const after = agent.getState();
  assertEquals(after.rng, state.rng);
  assertEquals(after.trainRng, state.trainRng);
  assertThrows(() => agent.predict([1, 2]), RangeError, "length 2");
});

Deno.test("diverged parameters throw naming the step; config errors are explicit", () => {
  const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 5 });
  collect(agent, 25);
  agent.thetaCritic.fill(NaN);
  assertThrows(() => collect(agent, 2), Error, "SAC training at environment step");
  assertThrows(() => makeSacConfig({ activation_fn: "tanh" }), RangeError, "activation");
  assertThrows(() => makeSacConfig({ tau: 1.5 }), RangeError, "tau = 1.5");
  assertThrows(() => makeSacConfig({ train_freq: [1, "episode"] }), Error, "count steps");
  assertEquals(makeSacConfig({ learning_rate: "lin_3e-4" }).learningRateSchedule, "linear");
  assertThrows(
    () =>
      new SacAgent({ env: makeEnv("Pendulum-v1"), config: { learning_rate: "lin_3e-4" }, seed: 0 }),
    Error,
    "totalTimesteps",
  );
  assertThrows(() => makeSacConfig({ bufer_size: 10 }), Error, "unknown field");
  assertEquals(makeSacConfig({ ent_coef: "auto_0.1" }).entCoefInit, 0.1);
  assertEquals(makeSacConfig({ ent_coef: 0.05 }).entCoef, 0.05);
  assertEquals(makeSacConfig({ train_freq: [8, "step"] }).trainFreq, 8);
  // α = exp(log α) with log α a float32 parameter, as torch's log_ent_coef.
  const withInit = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, ent_coef: "auto_0.1" },
    seed: 0,
  });
  assertAlmostEquals(withInit.entCoef, 0.1, 1e-7);
});

Deno.test("two engine threads: same run as one thread", () => {
  const run = (threads: 1 | 2) => {
    const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 9, threads });
    const stats = collect(agent, 40);
    const state = agent.getState();
    agent.close();
    return { stats, state };
  };
  assertEquals(run(2), run(1));
});

Deno.test("learn completes the last train_freq collection and its training phase (SB3)", () => {
  const agent = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, train_freq: 8, gradient_steps: 2 },
    seed: 0,
  });
  agent.learn(50);
  assertEquals(agent.numTimesteps, 56); // next multiple of train_freq
  assert(!agent.updatePending);
  assertEquals(agent.nUpdates, 2 * 5); // phases after steps 24, 32, 40, 48, 56 (t > 20)
});

Deno.test("linear learning-rate schedule: lr · (1 − t/T) at each training phase (SB3 lin_)", () => {
  const agent = new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, learning_rate: "lin_1e-3" },
    seed: 0,
    totalTimesteps: 100,
  });
  const rates: [number, number][] = [];
  agent.learn(40, (info) => {
    if (info.update) rates.push([info.update.numTimesteps, info.update.learningRate]);
  });
  agent.close();
  assert(rates.length > 0);
  for (const [t, lr] of rates) assertAlmostEquals(lr, 1e-3 * (1 - t / 100), 1e-15);
});

Deno.test("version-1 states (before the collector) resume exactly", () => {
  const a = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 5 });
  collect(a, 230);
  const { collector, ...rest } = structuredClone(a.getState());
  const v1 = {
    ...rest,
    version: 1 as const,
    env: collector.envs[0],
    lastObs: collector.obs,
    episodeReturn: collector.episodeReturns[0],
    episodeLength: collector.episodeLengths[0],
  };
  const b = new SacAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 0 });
  b.setState(v1 as never);
  assertEquals(collect(b, 60), collect(a, 60));
  assertEquals(b.getState(), a.getState());
  a.close();
  b.close();
});
