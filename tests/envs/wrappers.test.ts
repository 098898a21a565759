import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { RecordEpisodeStatistics, TimeLimit, Wrapper } from "../../lib/envs/wrappers.ts";
import { PendulumEnv } from "../../lib/envs/classic_control/pendulum.ts";
import { MountainCarContinuousEnv } from "../../lib/envs/classic_control/mountain_car_continuous.ts";
import type { StepResult } from "../../lib/envs/env.ts";

Deno.test("TimeLimit truncates exactly when the step count reaches the limit", () => {
  for (const limit of [1, 5, 200]) {
    const env = new TimeLimit(new PendulumEnv(), limit);
    env.reset({ seed: 0 });
    for (let t = 1; t <= limit; t++) {
      const r = env.step([0]);
      assertEquals(r.truncated, t === limit, `step ${t} of ${limit}`);
      assertEquals(r.terminated, false);
      assertEquals(env.elapsedSteps, t);
    }
    // Stepping past the limit (allowed in Gymnasium) keeps reporting truncation.
    assertEquals(env.step([0]).truncated, true);
    env.reset();
    assertEquals(env.elapsedSteps, 0);
    assertEquals(env.step([0]).truncated, limit === 1);
  }
});

Deno.test("TimeLimit keeps terminated from the env, also when both happen on the same step", () => {
  const car = new MountainCarContinuousEnv();
  const env = new TimeLimit(car, 2);
  env.reset({ seed: 0 });
  car.setPhysicalState([0.446, 0.0015]); // reaches the goal on the 2nd step with full thrust
  const first = env.step([1]);
  assertEquals([first.terminated, first.truncated], [false, false]);
  const second = env.step([1]);
  assertEquals([second.terminated, second.truncated], [true, true]);
  const early = new TimeLimit(new MountainCarContinuousEnv(), 100);
  early.reset({ seed: 0 });
  (early.unwrapped as MountainCarContinuousEnv).setPhysicalState([0.449, 0.01]);
  const r = early.step([1]);
  assertEquals([r.terminated, r.truncated], [true, false]);
  assertThrows(() => new TimeLimit(new PendulumEnv(), 0), RangeError, "maxEpisodeSteps");
  assertThrows(() => new TimeLimit(new PendulumEnv(), 2.5), RangeError, "positive integer");
});

Deno.test("RecordEpisodeStatistics reports return, length and time at episode end", () => {
  const env = new RecordEpisodeStatistics(new TimeLimit(new PendulumEnv(), 10), {
    bufferLength: 2,
  });
  env.reset({ seed: 3 });
  const rewards: number[] = [];
  let last: StepResult | undefined;
  for (let t = 0; t < 10; t++) {
    last = env.step([t % 2 ? 1 : -1]);
    rewards.push(last.reward);
    if (t < 9) assert(!("episode" in last.info));
  }
  const episode = last!.info.episode as { r: number; l: number; t: number };
  assertAlmostEquals(episode.r, rewards.reduce((a, b) => a + b, 0), 1e-12);
  assertEquals(episode.l, 10);
  assert(episode.t >= 0 && episode.t < 60);
  assertEquals(Math.round(episode.t * 1e6) / 1e6, episode.t); // rounded to microseconds
  assertEquals(env.episodeCount, 1);
  assertEquals(env.returnQueue, [episode.r]);
  // The accumulators restart on reset; queues keep the last bufferLength episodes.
  for (let e = 0; e < 2; e++) {
    env.reset();
    for (let t = 0; t < 10; t++) env.step([0]);
  }
  assertEquals(env.lengthQueue, [10, 10]);
  assertEquals(env.returnQueue.length, 2);
  assertEquals(env.episodeCount, 3);
  // A terminated episode is recorded too (MountainCar reaching the goal).
  const car = new RecordEpisodeStatistics(new MountainCarContinuousEnv());
  car.reset({ seed: 0 });
  (car.unwrapped as MountainCarContinuousEnv).setPhysicalState([0.449, 0.01]);
  const goal = car.step([0.5]);
  assertEquals((goal.info.episode as { l: number }).l, 1);
  assertAlmostEquals((goal.info.episode as { r: number }).r, 99.975, 1e-12);
  // Wrapping twice would overwrite the statistics: Gymnasium asserts, we throw.
  const twice = new RecordEpisodeStatistics(
    new RecordEpisodeStatistics(new TimeLimit(new PendulumEnv(), 1)),
  );
  twice.reset({ seed: 0 });
  assertThrows(() => twice.step([0]), Error, "wrapped twice");
});

Deno.test("Wrapper forwards spaces, id, unwrapped and close; subclasses can modify steps", () => {
  class Halve extends Wrapper {
    override step(action: ArrayLike<number>): StepResult {
      const r = this.env.step(action);
      r.reward /= 2;
      return r;
    }
  }
  const inner = new PendulumEnv();
  const env = new Halve(new TimeLimit(inner, 3));
  assertEquals(env.id, "Pendulum-v1");
  assert(env.unwrapped === inner);
  assert(env.observationSpace === inner.observationSpace);
  assert(env.actionSpace === inner.actionSpace);
  const plain = new PendulumEnv();
  env.reset({ seed: 4 });
  plain.reset({ seed: 4 });
  assertEquals(env.step([1]).reward, plain.step([1]).reward / 2);
  env.close();
  assertThrows(() => new Wrapper(null as unknown as PendulumEnv), TypeError, "expected an Env");
});

Deno.test("getState / setState of a wrapper chain resumes mid-episode exactly", () => {
  const make = () => new RecordEpisodeStatistics(new TimeLimit(new PendulumEnv(), 200));
  const env = make();
  env.reset({ seed: 11 });
  for (let t = 0; t < 150; t++) env.step([Math.sin(t)]);
  const saved = JSON.parse(JSON.stringify(env.getState()));
  const play = (e: RecordEpisodeStatistics) => {
    const out: unknown[] = [];
    for (let t = 0; t < 120; t++) { // crosses the truncation at step 200 and the auto-reset
      const r = e.step(new Float32Array([Math.cos(t)]));
      out.push([...r.obs], r.reward, r.terminated, r.truncated);
      if (r.truncated) {
        const ep = r.info.episode as { r: number; l: number };
        out.push(ep.r, ep.l, [...e.reset().obs]);
      }
    }
    return out;
  };
  const expected = play(env);
  const restored = make();
  restored.setState(saved);
  const actual = play(restored);
  assertEquals(actual, expected);
  assert(actual.includes(200), "the episode length 200 was recorded");
  assertThrows(() => new TimeLimit(new PendulumEnv(), 100).setState(saved), TypeError, "wrapper");
  const limited = new TimeLimit(new PendulumEnv(), 100);
  assertThrows(() => limited.setState(saved.env), RangeError, "same limit");
});
