/**
 * The environment collector shared by PPO, SAC, evaluation and analysis: Monitor bookkeeping,
 * DummyVecEnv auto-reset with terminal observations, VecNormalize in the loop, several
 * environments, state round trip, and the evaluation episodes.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { makeEnv, type Observation, type StepResult, Wrapper } from "../../../lib/envs/mod.ts";
import { clipToBox, EnvCollector, evaluatePolicy } from "../../../lib/agents/common/collector.ts";
import { VecNormalize } from "../../../lib/agents/common/vec_normalize.ts";

/** Records resets (with their options) and step results (copied). */
class Recorder extends Wrapper {
  resets: (number | undefined)[] = [];
  resetObs: Observation[] = [];
  results: StepResult[] = [];
  constructor(env: ReturnType<typeof makeEnv>) {
    super(env, "Recorder");
  }
  override reset(opts?: Parameters<Wrapper["reset"]>[0]) {
    this.resets.push(opts?.seed);
    const r = this.env.reset(opts);
    this.resetObs.push(r.obs.slice());
    return r;
  }
  override step(action: ArrayLike<number>): StepResult {
    const r = this.env.step(action);
    this.results.push({ ...r, obs: r.obs.slice() });
    return r;
  }
}

const pendulum = (steps: number) =>
  new Recorder(makeEnv("Pendulum-v1", { maxEpisodeSteps: steps }));

Deno.test("one environment: Monitor episodes, auto-reset, terminal observation, prevObs", () => {
  const env = pendulum(3);
  const c = new EnvCollector({ envs: [env] });
  c.reset(5);
  assertEquals(env.resets, [5]);
  assertEquals(Array.from(c.episodeStarts), [1]);
  assertEquals(c.obs, env.resetObs[0]);
  const episodes = [];
  for (let t = 1; t <= 7; t++) {
    const before = c.obs.slice();
    const s = c.step(new Float32Array([0.5]), 10 * t);
    assertEquals(c.prevObs, before);
    const r = env.results.at(-1)!;
    assertEquals(s.rewards[0], r.reward);
    assertEquals(s.rawRewards[0], r.reward);
    if (t % 3 === 0) {
      assertEquals(s.dones[0], 1);
      assertEquals(s.truncated[0], 1);
      assertEquals(s.terminalObs[0], r.obs);
      assertEquals(c.obs, env.resetObs.at(-1)); // reset at once
      assertEquals(c.episodeStarts[0], 1);
      episodes.push(...s.episodes);
    } else {
      assertEquals([s.dones[0], s.terminalObs[0], s.episodes.length], [0, null, 0]);
      assertEquals(c.obs, r.obs);
      assertEquals(c.episodeStarts[0], 0);
    }
  }
  assertEquals(episodes.map((e) => [e.length, e.endTimestep, e.truncated]), [
    [3, 30, true],
    [3, 60, true],
  ]);
  const first = env.results.slice(0, 3).reduce((a, r) => a + r.reward, 0);
  assertAlmostEquals(episodes[0].return, first, 1e-12);
  assertEquals(env.resets, [5, undefined, undefined]);
});

Deno.test("several environments: seeds seed + i, rows per environment, per-env episodes", () => {
  const envs = [pendulum(2), pendulum(3)];
  const c = new EnvCollector({ envs });
  c.reset(10);
  assertEquals(envs.map((e) => e.resets), [[10], [11]]);
  const actions = new Float32Array([1, -1]);
  const ended: number[][] = [];
  for (let t = 1; t <= 6; t++) {
    const s = c.step(actions, 2 * t);
    ended.push(Array.from(s.dones));
    assertEquals(s.episodes.length, s.dones.reduce((a, b) => a + b, 0));
    for (let i = 0; i < 2; i++) {
      const r = envs[i].results.at(-1)!;
      assertEquals(s.rawRewards[i], r.reward);
      assertEquals(c.obsOf(i), s.dones[i] ? envs[i].resetObs.at(-1) : r.obs);
    }
  }
  assertEquals(ended, [[0, 0], [1, 0], [0, 1], [1, 0], [0, 0], [1, 1]]);
  assertEquals(envs[0].results.map((r) => Array.from(r.obs).length), [3, 3, 3, 3, 3, 3]);
});

Deno.test("VecNormalize: the collector's rewards and observations are the normaliser's", () => {
  const envs = [pendulum(4), pendulum(4)];
  const twins = [pendulum(4), pendulum(4)];
  const vn = new VecNormalize(3, { nEnvs: 2 }), ref = new VecNormalize(3, { nEnvs: 2 });
  const c = new EnvCollector({ envs, vecNormalize: vn });
  c.reset(1);
  const raw0 = new Float32Array(6);
  raw0.set(twins[0].reset({ seed: 1 }).obs, 0);
  raw0.set(twins[1].reset({ seed: 2 }).obs, 3);
  assertEquals(c.obs, ref.resetBatch(raw0, new Float32Array(6)));
  const actions = new Float32Array([0.3, -0.7]);
  for (let t = 1; t <= 5; t++) {
    const s = c.step(actions, 2 * t);
    const next = new Float32Array(6), rewards = new Float64Array(2), dones = [0, 0];
    const terminal: (Observation | null)[] = [null, null];
    for (let i = 0; i < 2; i++) {
      const r = twins[i].step(actions.subarray(i, i + 1));
      rewards[i] = r.reward;
      const done = r.terminated || r.truncated;
      dones[i] = done ? 1 : 0;
      if (done) terminal[i] = r.obs;
      next.set(done ? twins[i].reset().obs : r.obs, 3 * i);
    }
    const obs = new Float32Array(6);
    const terminalOut = terminal.map((x) => x && new Float32Array(3));
    ref.stepBatch(obs, next, rewards, dones, terminal, terminalOut);
    assertEquals(c.obs, obs);
    assertEquals(Array.from(s.rewards), Array.from(rewards));
    assertEquals(s.terminalObs, terminalOut);
  }
  assertEquals(vn.getState(), ref.getState());
});

Deno.test("time-out bootstrap only where the episode was truncated", () => {
  const c = new EnvCollector({ envs: [pendulum(2), pendulum(3)] });
  c.reset(0);
  c.step(new Float32Array([0, 0]), 2);
  const s = c.step(new Float32Array([0, 0]), 4);
  const before = Array.from(s.rewards);
  c.bootstrapTimeouts(s, 0.5, () => 10);
  assertEquals(Array.from(s.rewards), [before[0] + 5, before[1]]);
});

Deno.test("state round trip; autoReset off; bad input", () => {
  const a = new EnvCollector({ envs: [pendulum(5)] });
  a.reset(3);
  for (let t = 1; t <= 7; t++) a.step(new Float32Array([0.1 * t]), t);
  const state = structuredClone(a.getState());
  const b = new EnvCollector({ envs: [pendulum(5)] });
  b.setState(state);
  for (let t = 8; t <= 12; t++) {
    const sa = a.step(new Float32Array([0.1 * t]), t);
    const ra = Array.from(sa.rewards), ea = structuredClone(sa.episodes);
    const sb = b.step(new Float32Array([0.1 * t]), t);
    assertEquals([Array.from(sb.rewards), sb.episodes], [ra, ea]);
    assertEquals(b.obs, a.obs);
  }
  assertThrows(() => b.setState({ ...state, episodeStarts: [1, 1] }), TypeError, "collector of 1");

  const once = new EnvCollector({ envs: [pendulum(2)], autoReset: false });
  once.reset();
  once.step(new Float32Array([0]), 1);
  const end = once.step(new Float32Array([0]), 2);
  assertEquals(end.episodes.length, 1);
  assertEquals(once.obs, end.terminalObs[0]); // no reset: the terminal observation stays
  assertThrows(() => once.step(new Float32Array([0]), 3), Error, "autoReset is off");

  assertThrows(() => new EnvCollector({ envs: [] }), RangeError, "at least one");
  assertThrows(
    () => new EnvCollector({ envs: [makeEnv("Pendulum-v1"), makeEnv("MountainCarContinuous-v0")] }),
    RangeError,
    "envs[1]",
  );
  assertThrows(
    () =>
      new EnvCollector({
        envs: [makeEnv("Pendulum-v1")],
        vecNormalize: new VecNormalize(3, { nEnvs: 2 }),
      }),
    RangeError,
    "VecNormalize",
  );
});

Deno.test("clipToBox clips row by row", () => {
  const out = clipToBox(
    new Float32Array([3, -3, 0.5, 9]),
    new Float32Array([-2, 0]),
    new Float32Array([2, 1]),
    new Float32Array(4),
  );
  assertEquals(Array.from(out), [2, 0, 0.5, 1]);
});

Deno.test("evaluatePolicy: seeded first reset, whole episodes, population std", () => {
  const env = pendulum(4);
  const agent = { predict: (obs: Float32Array) => new Float32Array([obs[0]]) };
  const r = evaluatePolicy(agent, env, 3, 9);
  assertEquals(env.resets, [9, undefined, undefined]); // no reset after the last episode
  assertEquals(r.returns.length, 3);
  assertEquals(r.meanLength, 4);
  const mean = r.returns.reduce((a, b) => a + b, 0) / 3;
  assertAlmostEquals(r.meanReward, mean, 1e-12);
  const std = Math.sqrt(r.returns.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  assertAlmostEquals(r.stdReward, std, 1e-12);
  // Episode returns are the sums of the rewards the environment gave.
  for (let e = 0; e < 3; e++) {
    const sum = env.results.slice(4 * e, 4 * e + 4).reduce((a, x) => a + x.reward, 0);
    assertAlmostEquals(r.returns[e], sum, 1e-12);
  }
  assert(new Set(r.returns).size > 1);
});
