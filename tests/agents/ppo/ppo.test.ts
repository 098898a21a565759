// The PPO agent: SB3 rollout semantics (clipping, auto-reset, time-out bootstrap, VecNormalize
// order), callback timing, determinism, exact resume, gradient engines, NaN detection and tfjs
// memory.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { makeEnv, type StepResult, Wrapper } from "../../../lib/envs/mod.ts";
import { PpoAgent, type PpoUpdateStats } from "../../../lib/agents/ppo/ppo.ts";
import { explainedVarianceOf } from "../../../lib/agents/ppo/ppo.ts";
import { ActorCriticCpu } from "../../../lib/agents/ppo/policy.ts";
import { computeGae } from "../../../lib/agents/common/rollout_buffer.ts";
import { Rng } from "../../../lib/rng.ts";

const SMALL = { n_steps: 64, batch_size: 16, n_epochs: 2, net_arch: [16, 16] };

/** Records every action the agent sends and every step result (copied). */
class Recorder extends Wrapper {
  actions: number[][] = [];
  results: (StepResult & { obs: Float32Array })[] = [];
  resets = 0;
  resetObs: Float32Array[] = [];
  resetSeeds: (number | undefined)[] = [];
  constructor(env: ReturnType<typeof makeEnv>) {
    super(env, "Recorder");
  }
  override reset(opts?: Parameters<Wrapper["reset"]>[0]) {
    this.resets++;
    this.resetSeeds.push(opts?.seed);
    const r = this.env.reset(opts);
    this.resetObs.push(Float32Array.from(r.obs));
    return r;
  }
  override step(action: ArrayLike<number>): StepResult {
    this.actions.push(Array.from(action));
    const r = this.env.step(action);
    this.results.push({ ...r, obs: Float32Array.from(r.obs) });
    return r;
  }
}

function runUpdates(agent: PpoAgent, updates: number): PpoUpdateStats[] {
  const stats: PpoUpdateStats[] = [];
  while (stats.length < updates) {
    const info = agent.step();
    if (info.update) stats.push(info.update);
  }
  return stats;
}

Deno.test("same seed, same run: identical update stats and parameters; other seed differs", () => {
  const make = (seed: number) => new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed });
  const a = make(7), b = make(7), c = make(8);
  const sa = runUpdates(a, 2), sb = runUpdates(b, 2), sc = runUpdates(c, 2);
  assertEquals(sa, sb);
  assertEquals(a.thetaActor, b.thetaActor);
  assertEquals(a.thetaCritic, b.thetaCritic);
  assert(sa[1].policyGradientLoss !== sc[1].policyGradientLoss);
  assertEquals(sa[1].nUpdates, 4); // 2 epochs per update
  assertEquals(sa[1].numTimesteps, 128); // runs at the start of step 129, after 128 steps
});

Deno.test("callbacks see pre-update parameters at a rollout boundary (SB3 order)", () => {
  const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 1 });
  let info = agent.step();
  while (!info.rolloutComplete) info = agent.step();
  assertEquals(info.numTimesteps, 64);
  assert(agent.updatePending);
  assertEquals(agent.rolloutBuffer.pos, 64);
  const before = agent.thetaActor.slice();
  assertEquals(agent.thetaActor, before);
  const next = agent.step();
  assert(next.update !== null);
  assertEquals(next.numTimesteps, 65);
  assert(!agent.thetaActor.every((x, i) => x === before[i]));
  assertEquals(agent.rolloutBuffer.pos, 1);
  assertThrows(() => agent.update(), Error, "no update pending");
});

Deno.test("rollout: unclipped actions stored, clipped sent; auto-reset; time-out bootstrap", () => {
  const env = new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: 5 }));
  // log σ = 1 (σ ≈ 2.7) so that many samples fall outside Pendulum's [−2, 2].
  const agent = new PpoAgent({
    env,
    config: { ...SMALL, n_steps: 20, log_std_init: 1, gamma: 0.9 },
    seed: 3,
  });
  const episodes = [];
  for (let t = 0; t < 20; t++) {
    const info = agent.step();
    if (info.episode) episodes.push(info.episode);
  }
  assert(agent.updatePending);
  const buf = agent.rolloutBuffer;
  let outside = 0;
  for (let t = 0; t < 20; t++) {
    const a = buf.actions[t];
    if (Math.abs(a) > 2) outside++;
    assertEquals(env.actions[t][0], Math.fround(Math.min(2, Math.max(-2, a))));
    // Episode starts at t = 0, 5, 10, 15.
    assertEquals(buf.episodeStarts[t], t % 5 === 0 ? 1 : 0);
    const raw = env.results[t].reward;
    if (t % 5 === 4) {
      // Truncation: r + γ·V(terminal obs) with the agent's γ and the current critic.
      assert(env.results[t].truncated && !env.results[t].terminated);
      const v = agent.policy.value(agent.thetaCritic, env.results[t].obs);
      assertAlmostEquals(buf.rewards[t], raw + 0.9 * v, 1e-4);
      assert(Math.abs(v) > 1e-3); // the bootstrap is not trivially zero
    } else {
      assertEquals(buf.rewards[t], Math.fround(raw));
    }
  }
  assert(outside > 0, "no sampled action exceeded the bounds");
  // 1 seeded reset + 4 auto-resets.
  assertEquals(env.resets, 5);
  assertEquals(episodes.length, 4);
  assertEquals(episodes.map((e) => e.length), [5, 5, 5, 5]);
  const firstReturn = env.results.slice(0, 5).reduce((s, r) => s + r.reward, 0);
  assertAlmostEquals(episodes[0].return, firstReturn, 1e-9);
  assertEquals(agent.rolloutEpisodes.length, 4);
  // The observation stored after a truncation is the reset observation (not the terminal one).
  assertEquals(Array.from(buf.observations.subarray(5 * 3, 6 * 3)), Array.from(env.resetObs[1]));
});

Deno.test("VecNormalize in the loop: stats see reset + every next obs; buffer holds normalised", () => {
  const env = new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: 7 }));
  const agent = new PpoAgent({ env, config: { ...SMALL, n_steps: 20, normalize: true }, seed: 4 });
  for (let t = 0; t < 20; t++) agent.step();
  const vn = agent.vecNormalize!;
  // Count: ε + 1 (first reset) + 20 next observations (reset obs replace terminal ones).
  assertAlmostEquals(vn.obsRms.count, 21 + 1e-4, 1e-9);
  // Stats see exactly: the first reset obs, then per step the next obs (the reset obs after an
  // episode end, never the terminal one). Pooled mean with the ε-weighted zero prior:
  const fed: Float32Array[] = [env.resetObs[0]];
  let k = 1;
  for (const r of env.results) fed.push(r.terminated || r.truncated ? env.resetObs[k++] : r.obs);
  assertEquals(k, env.resetObs.length);
  for (let d = 0; d < 3; d++) {
    const sum = fed.reduce((s, o) => s + o[d], 0);
    assertAlmostEquals(vn.obsRms.mean[d], sum / (fed.length + 1e-4), 1e-9);
  }
  const maxAbs = Math.max(...Array.from(agent.rolloutBuffer.observations).map(Math.abs));
  assert(maxAbs <= 10);
  assertEquals(vn.training, true);
  // predict() uses frozen statistics.
  const before = structuredClone(vn.getState());
  agent.predict(new Float32Array([1, 0, 0]), false);
  assertEquals(vn.getState(), before);
});

Deno.test("getState/setState mid-rollout continues exactly like an uninterrupted agent", () => {
  for (const [normalize, sde] of [[false, false], [true, false], [false, true]]) {
    for (const cut of [102, 128]) { // mid-rollout (mid-noise period with gSDE), update pending
      const config = sde
        ? { ...SMALL, use_sde: true, sde_sample_freq: 4 }
        : { ...SMALL, normalize };
      const a = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 11 });
      for (let t = 0; t < cut; t++) a.step();
      const snapshot = structuredClone(a.getState());
      const statsA: PpoUpdateStats[] = [];
      for (let t = cut; t < 300; t++) {
        const u = a.step().update;
        if (u) statsA.push(u);
      }
      const b = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 999 });
      b.setState(snapshot);
      const statsB: PpoUpdateStats[] = [];
      for (let t = cut; t < 300; t++) {
        const u = b.step().update;
        if (u) statsB.push(u);
      }
      const label = `normalize=${normalize} gSDE=${sde} cut=${cut}`;
      assert(statsA.length >= 2, label);
      assertEquals(statsB, statsA, label);
      assertEquals(b.thetaActor, a.thetaActor, label);
      assertEquals(b.thetaCritic, a.thetaCritic, label);
      assertEquals(b.getState(), a.getState(), label);
    }
  }
});

Deno.test("gSDE: the noise matrix is redrawn at rollout start and every sde_sample_freq steps", () => {
  for (const freq of [4, -1]) {
    const config = {
      n_steps: 12,
      batch_size: 6,
      net_arch: [8],
      use_sde: true,
      sde_sample_freq: freq,
    };
    const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 2 });
    assertEquals(agent.thetaActor.length, 3 * 8 + 8 + 8 + 1 + 8); // log_std: 8×1
    let prev = agent.policy.noise, draws = 0;
    const changedAt: number[] = [];
    for (let t = 0; t < 24; t++) {
      const pos = t % 12; // the step's row in its rollout (the pending update empties the buffer)
      agent.step();
      const now = agent.policy.noise;
      if (prev.length !== now.length || prev.some((x, i) => x !== now[i])) {
        changedAt.push(pos);
        draws++;
      }
      prev = now;
    }
    const want = freq === 4 ? [0, 4, 8, 0, 4, 8] : [0, 0];
    assertEquals(changedAt, want, `sde_sample_freq ${freq}`);
    assertEquals(draws, want.length);
  }
});

Deno.test("setState refuses a state from a different config", () => {
  const a = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 1 });
  const b = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, gamma: 0.9 },
    seed: 1,
  });
  assertThrows(() => b.setState(a.getState()), Error, "gamma");
});

Deno.test("float32 WebAssembly and float64 CPU devices produce the same update", () => {
  const make = (engine: "cpu" | "wasm") =>
    new PpoAgent({
      env: makeEnv("Pendulum-v1"),
      config: { ...SMALL, batch_size: 32, gradientEngine: engine },
      seed: 5,
    });
  const cpu = make("cpu"), wasm = make("wasm");
  const [sc] = runUpdates(cpu, 1), [sw] = runUpdates(wasm, 1);
  for (const k of ["policyGradientLoss", "valueLoss", "entropyLoss", "approxKl"] as const) {
    assertAlmostEquals(sw[k], sc[k], 1e-5 * Math.max(1, Math.abs(sc[k])), k);
  }
  assertEquals(sw.clipFraction, sc.clipFraction);
  for (let i = 0; i < cpu.thetaActor.length; i++) {
    assertAlmostEquals(wasm.thetaActor[i], cpu.thetaActor[i], 1e-5);
  }
  for (let i = 0; i < cpu.thetaCritic.length; i++) {
    assertAlmostEquals(wasm.thetaCritic[i], cpu.thetaCritic[i], 1e-5);
  }
});

Deno.test("a NaN loss is reported with the step and the quantity", () => {
  const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 1 });
  while (!agent.updatePending) agent.step();
  agent.thetaCritic[0] = Number.NaN;
  const err = assertThrows(() => agent.update()) as Error;
  assert(err.message.includes("step 64"), err.message);
  assert(err.message.includes("valueLoss is NaN"), err.message);
  // And in the rollout: a NaN parameter is caught before the environment sees an action.
  const b = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 1 });
  b.thetaActor.fill(Number.NaN);
  assertThrows(() => b.step(), Error, "PPO rollout at step 1");
});

Deno.test("learn(): whole rollouts, final update run; linear schedule uses progress_remaining", () => {
  const agent = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, learning_rate: "lin_1e-3" },
    seed: 0,
    totalTimesteps: 100,
  });
  const lrs: number[] = [];
  agent.learn(100, (info) => {
    if (info.update) lrs.push(info.update.learningRate);
  });
  assertEquals(agent.numTimesteps, 128); // SB3 finishes the rollout that crosses the total
  assertEquals(agent.iteration, 2);
  assert(!agent.updatePending);
  // First update after 64 steps: 1e-3·(1 − 64/100); the last one (run by learn) isn't reported.
  assertAlmostEquals(lrs[0], 1e-3 * (1 - 64 / 100), 1e-15);
  assertThrows(
    () =>
      new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { learning_rate: "lin_1e-3" }, seed: 0 }),
    Error,
    "totalTimesteps",
  );
});

Deno.test("target_kl: SB3's 1.5·target_kl rule stops the epochs early", () => {
  const agent = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...SMALL, n_epochs: 5, target_kl: 1e-9 },
    seed: 0,
  });
  const [s] = runUpdates(agent, 1);
  assert(s.earlyStopped);
  // The first mini-batch has ratio 1 (KL 0) and steps; the second exceeds the limit.
  assertEquals(s.epochs, 1);
  assertEquals(s.nUpdates, 1);
});

Deno.test("predict: deterministic = clipped mean action; stochastic leaves training RNG alone", () => {
  const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 0 });
  agent.thetaActor[agent.spec.actorLayout.block("pi.2.bias").offset] = 5; // mean ≫ 2
  const a = agent.predict([1, 0, 0], true);
  assertEquals(a[0], 2);
  const twin = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: SMALL, seed: 0 });
  for (let i = 0; i < 10; i++) agent.predict([0, 1, 0], false);
  twin.thetaActor.set(agent.thetaActor);
  for (let t = 0; t < 70; t++) {
    agent.step();
    twin.step();
  }
  assertEquals(agent.thetaActor, twin.thetaActor);
  assertThrows(() => agent.predict([1, 0]), RangeError, "length 2");
});

Deno.test("explained variance: 1 − Var[y − ŷ]/Var[y], NaN for constant targets", () => {
  assertAlmostEquals(explainedVarianceOf([0, 0, 0, 0], [1, 2, 3, 4]), 0, 1e-12);
  // residual [0.5, −0.5, 0.5, −0.5]: Var 0.25; Var[y] = 1.25 → 0.8.
  assertAlmostEquals(explainedVarianceOf([0.5, 2.5, 2.5, 4.5], [1, 2, 3, 4]), 0.8, 1e-12);
  assert(Number.isNaN(explainedVarianceOf([1, 2], [3, 3])));
});

Deno.test("n_envs = 2: SB3's (n_steps, n_envs) rollout, swap_and_flatten rows, GAE and bootstrap per env", () => {
  // Episodes of 3 and 5 steps end at different steps in the two environments.
  const envs = [
    new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: 3 })),
    new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: 5 })),
  ];
  const nSteps = 8, gamma = 0.9, seed = 6;
  const config = { ...SMALL, n_steps: nSteps, n_envs: 2, batch_size: 4, gamma, log_std_init: 1 };
  const agent = new PpoAgent({ env: envs, config, seed });
  assertEquals(envs.map((e) => e.resetSeeds), [[6], [7]]); // VecEnv.seed: seed + i
  const theta = { actor: agent.thetaActor.slice(), critic: agent.thetaCritic.slice() };
  const episodes = [];
  for (let t = 0; t < nSteps; t++) {
    const info = agent.step();
    assertEquals(info.numTimesteps, 2 * (t + 1)); // one env step = n_envs transitions
    episodes.push(...info.episodes);
    assertEquals(info.rolloutComplete, t === nSteps - 1);
  }
  // Env 0 ends at steps 3, 6; env 1 at step 5 (endTimestep counts both envs' transitions).
  assertEquals(episodes.map((e) => [e.length, e.endTimestep]), [[3, 6], [5, 10], [3, 12]]);
  const buf = agent.rolloutBuffer;
  const policy = new ActorCriticCpu(agent.spec);
  const rng = new Rng(seed, 2); // the agent's action generator: env 0's noise first each step
  const action = new Float32Array(1);
  const obsAt = (e: number, t: number) => {
    if (t === 0) return envs[e].resetObs[0];
    const prev = envs[e].results[t - 1];
    const ends = envs[e].results.slice(0, t).filter((r) => r.truncated).length;
    return prev.truncated ? envs[e].resetObs[ends] : prev.obs;
  };
  for (let t = 0; t < nSteps; t++) {
    for (let e = 0; e < 2; e++) {
      const row = e * nSteps + t; // swap_and_flatten: env-major
      const obs = obsAt(e, t);
      assertEquals(Array.from(buf.observations.subarray(3 * row, 3 * row + 3)), Array.from(obs));
      const logProb = policy.sample(theta.actor, obs, rng, action);
      assertEquals(buf.actions[row], action[0]);
      assertEquals(buf.logProbs[row], Math.fround(logProb));
      assertEquals(buf.values[row], Math.fround(policy.value(theta.critic, obs)));
      assertEquals(envs[e].results.length, nSteps);
      const r = envs[e].results[t];
      const reward = r.truncated ? r.reward + gamma * policy.value(theta.critic, r.obs) : r.reward;
      assertEquals(buf.rewards[row], Math.fround(reward));
      const start = t === 0 || envs[e].results[t - 1].truncated;
      assertEquals(buf.episodeStarts[row], start ? 1 : 0);
    }
  }
  // GAE per environment with V(last obs) and the last done flag of that environment.
  for (let e = 0; e < 2; e++) {
    const rows = (a: Float32Array) => a.subarray(e * nSteps, (e + 1) * nSteps);
    const adv = new Float32Array(nSteps), ret = new Float32Array(nSteps);
    const last = envs[e].results[nSteps - 1];
    computeGae({
      rewards: rows(buf.rewards),
      values: rows(buf.values),
      episodeStarts: rows(buf.episodeStarts),
      lastValue: policy.value(theta.critic, obsAt(e, nSteps)),
      lastDone: last.truncated,
      gamma,
      gaeLambda: agent.config.gaeLambda,
      advantages: adv,
      returns: ret,
    });
    assertEquals(rows(buf.advantages), adv);
    assertEquals(rows(buf.returns), ret);
  }
  // The update permutes all n_steps · n_envs rows: 16 / 4 = 4 mini-batches per epoch.
  const stats = agent.update();
  assertEquals(stats.nUpdates, 2);
  assertThrows(
    () => new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed }),
    Error,
    "n_envs = 2",
  );
});

Deno.test("n_envs = 4 with VecNormalize: same run twice, exact resume mid-rollout", () => {
  const config = { ...SMALL, n_steps: 16, n_envs: 4, normalize: true };
  const make = () =>
    new PpoAgent({ env: Array.from({ length: 4 }, () => makeEnv("Pendulum-v1")), config, seed: 2 });
  const a = make();
  runUpdates(a, 1);
  for (let t = 0; t < 5; t++) a.step();
  const snapshot = structuredClone(a.getState());
  const statsA = runUpdates(a, 2);
  const b = make();
  b.setState(snapshot);
  assertEquals(runUpdates(b, 2), statsA);
  assertEquals(b.getState(), a.getState());
  // Statistics: the 4 reset observations, then 4 per step (49 steps: 3 updates run at 17, 33, 49).
  assertEquals(a.vecNormalize!.obsRms.count, 4 * (1 + 49) + 1e-4);
  const c = make();
  runUpdates(c, 1);
  for (let t = 0; t < 5; t++) c.step();
  assertEquals(runUpdates(c, 2), statsA);
});

Deno.test("version-1 states (before the collector) resume exactly", () => {
  const config = { ...SMALL, normalize: true };
  const a = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 5 });
  for (let t = 0; t < 90; t++) a.step();
  const { collector, ...rest } = structuredClone(a.getState());
  const v1 = {
    ...rest,
    version: 1 as const,
    env: collector.envs[0],
    lastObs: collector.obs,
    lastEpisodeStart: collector.episodeStarts[0] === 1,
    episodeReturn: collector.episodeReturns[0],
    episodeLength: collector.episodeLengths[0],
  };
  const { nEnvs: _, ...oldConfig } = v1.config; // written before n_envs existed
  const b = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: oldConfig, seed: 0 });
  b.setState({ ...v1, config: oldConfig } as never);
  assertEquals(runUpdates(b, 2), runUpdates(a, 2));
  assertEquals(b.getState(), a.getState());
});
