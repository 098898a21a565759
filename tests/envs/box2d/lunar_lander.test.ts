import { assert, assertEquals, assertThrows } from "@std/assert";
import { envSpec, LunarLanderEnv, makeEnv, TimeLimit } from "../../../lib/envs/mod.ts";
import {
  type RecordedDraw,
  replayEnv,
  replayEnvFor,
  replayEpisode,
} from "../../../lib/envs/box2d/recording.ts";
import {
  assertSpaceEquals,
  checkRecordedEpisodes,
  checkSeededDraws,
  loadRecording,
  loggingDraws,
} from "./recordings.ts";
import type { RecordedDraw as Draw } from "../../../lib/envs/box2d/recording.ts";
import { RecordEpisodeStatistics } from "../../../lib/envs/mod.ts";

const recording = loadRecording("LunarLanderContinuous-v3");

Deno.test("LunarLanderContinuous-v3 sine episodes equal Gymnasium 1.3 + pybox2d 2.3.10 exactly", () => {
  // Every seed: the same draws, and every observation, reward and termination flag bit for bit.
  checkRecordedEpisodes(recording, "sine");
});

Deno.test("LunarLanderContinuous-v3 heuristic landings equal Gymnasium's, to the +100 at rest", () => {
  checkRecordedEpisodes(recording, "heuristic");
  // The landings end with Box2D putting the lander to sleep: reward +100 on the same step.
  for (const episode of recording.heuristic_episodes) {
    assertEquals(episode.steps.at(-1)!.reward, 100);
  }
});

Deno.test("replayEpisode names the first value that is not Gymnasium's bit for bit", () => {
  const episode = structuredClone(recording.episodes[2]);
  assertEquals(replayEpisode(recording, episode).mismatch, null);
  // One ulp off in one observation entry, then a reward: each is caught and named.
  const obs = episode.steps[9].obs;
  obs[3] = obs[3] + Math.abs(obs[3]) * 2 ** -23;
  assert(replayEpisode(recording, episode).mismatch!.startsWith("step 10: obs[3]"));
  episode.steps[9].obs = recording.episodes[2].steps[9].obs;
  episode.steps[40].reward += 1e-12;
  assert(replayEpisode(recording, episode).mismatch!.startsWith("step 41: reward"));
});

Deno.test("LunarLanderContinuous-v3 terrain: the recorded helipad, and the moon under the legs", () => {
  for (const episode of recording.episodes) {
    const env = replayEnv(recording, episode);
    env.reset({ seed: episode.seed });
    const frame = (env as LunarLanderEnv).frame();
    assertEquals(frame.helipad, episode.helipad);
    assertEquals(frame.terrain.x.length, 11);
    // The five chunks around the helipad are flattened to its height (0.33·3·H/4 after smoothing).
    for (const i of [4, 5, 6]) assert(Math.abs(frame.terrain.y[i] - 0.99 * (10 / 3)) < 1e-12);
  }
});

Deno.test("LunarLanderContinuous-v3 spaces, ids and time limits equal Gymnasium's", () => {
  const env = new LunarLanderEnv();
  assertSpaceEquals(env.observationSpace, recording.observation_space);
  assertSpaceEquals(env.actionSpace, recording.action_space);
  for (const id of ["LunarLanderContinuous-v3", "LunarLanderContinuous-v2"]) {
    assertEquals(envSpec(id).maxEpisodeSteps, recording.spec_max_episode_steps);
    assertEquals(envSpec(id).rewardThreshold, 200);
    const made = makeEnv(id);
    assert(made instanceof TimeLimit);
    assertEquals(made.id, id);
    assertSpaceEquals(made.observationSpace, recording.observation_space);
  }
  assertEquals(makeEnv("LunarLander-v3", { continuous: true }).id, "LunarLander-v3");
});

Deno.test("LunarLander options: Gymnasium's checks, with errors that name the fix", () => {
  assertThrows(() => makeEnv("LunarLander-v3"), RangeError, "continuous: true");
  assertThrows(() => new LunarLanderEnv({ gravity: -12 }), RangeError, "(-12, 0)");
  assertThrows(() => new LunarLanderEnv({ gravity: 0 }), RangeError, "(-12, 0)");
  assertThrows(
    () => new LunarLanderEnv({ gravty: -10 } as never),
    TypeError,
    'did you mean "gravity"',
  );
  const env = new LunarLanderEnv();
  assertThrows(() => env.step([0, 0]), Error, "before reset");
});

Deno.test("LunarLander wind: two integers(-9999, 9999) after the push, then a force each step", () => {
  const episode = recording.episodes[0];
  const draws: RecordedDraw[] = [
    ...episode.reset_rng.slice(0, 3),
    { method: "integers", args: [-9999, 9999], value: 1234 },
    { method: "integers", args: [-9999, 9999], value: -77 },
    ...episode.reset_rng.slice(3),
    ...episode.steps.flatMap((s) => s.rng),
  ];
  class Windy extends LunarLanderEnv {
    readonly replay = replayEnvFor("LunarLanderContinuous-v3", draws).replay;
    constructor() {
      super({ enable_wind: true, wind_power: 15, turbulence_power: 1.5 });
    }
    protected override get draws() {
      return this.replay;
    }
  }
  const windy = new Windy();
  const calm = replayEnv(recording, episode);
  const a = windy.reset({ seed: 0 }).obs;
  const b = calm.reset({ seed: 0 }).obs;
  // Wind acts from the reset step on: tanh(sin(0.02·1234) + sin(0.01π·1234))·15 along x.
  assert(Math.abs(a[2] - b[2]) > 1e-4);
  for (let t = 0; t < 20; t++) windy.step(episode.steps[t].action);
  assertEquals(windy.replay.used, 5 + 2 + 2 * 20);
});

Deno.test("LunarLander getState/setState (JSON) continues a replayed episode bit-identically", () => {
  for (const episode of [recording.episodes[1], recording.heuristic_episodes[0]]) {
    const all = [...episode.reset_rng, ...episode.steps.flatMap((s) => s.rng)];
    const a = replayEnv(recording, episode);
    a.reset({ seed: episode.seed });
    const k = 120; // mid-descent for the heuristic (legs touch down later), airborne for the sine
    for (let t = 0; t < k; t++) a.step(episode.steps[t].action);
    const raw = a.getState();
    const state = JSON.parse(JSON.stringify(raw));
    assertEquals(state, raw); // plain JSON: nothing undefined, NaN or typed
    const b = replayEnvFor(recording.env_id, all.slice(a.replay.used));
    b.setState(state);
    for (let t = k; t < episode.n_steps; t++) {
      const ra = a.step(episode.steps[t].action);
      const rb = b.step(episode.steps[t].action);
      assertEquals(Array.from(rb.obs), Array.from(ra.obs), `step ${t + 1}`);
      assertEquals(rb.reward, ra.reward);
      assertEquals(rb.terminated, ra.terminated);
      if (ra.terminated) break;
    }
    assertEquals(JSON.stringify(b.getState()), JSON.stringify(a.getState()));
  }
});

Deno.test("LunarLander setState rejects a state of other options or another env", () => {
  const episode = recording.episodes[0];
  const a = replayEnv(recording, episode);
  a.reset({ seed: 0 });
  const state = a.getState();
  assertThrows(() => new LunarLanderEnv({ gravity: -9 }).setState(state), RangeError, "options");
  const bad = structuredClone(state);
  (bad.physics as Record<string, unknown>).episode = { height: [1, 2] };
  assertThrows(() => new LunarLanderEnv().setState(bad), TypeError, "malformed");
});

Deno.test("LunarLander frame(): outlines, leg contacts and helipad for plotting", () => {
  const episode = recording.heuristic_episodes[0];
  const c = replayEpisode(recording, episode);
  const frame = (c.env as LunarLanderEnv).frame();
  assertEquals(frame.task, "LunarLander");
  assertEquals(frame.bodies.map((b) => b.name), ["lander", "leg-right", "leg-left"]);
  assertEquals(frame.bodies[0].polygon.length, 6);
  assertEquals(frame.bodies[1].polygon.length, 4);
  // Landed: both legs on the ground, as the last recorded observation says.
  const last = episode.steps.at(-1)!.obs;
  assertEquals(frame.contacts, { "leg-right": last[6] === 1, "leg-left": last[7] === 1 });
  // The outline follows the pose: its centroid is within the hull around the body origin.
  const [cx, cy] = frame.bodies[0].polygon.reduce(([x, y], [px, py]) => [x + px / 6, y + py / 6], [
    0,
    0,
  ]);
  assert(Math.hypot(cx - frame.bodies[0].x, cy - frame.bodies[0].y) < 0.2);
});

Deno.test("LunarLander with its own np_random: Gymnasium's draws, values and reset obs per seed", () => {
  checkSeededDraws(recording, (log: (d: Draw) => void) => {
    class Logged extends LunarLanderEnv {
      protected override get draws() {
        return loggingDraws(this.npRandom, log);
      }
    }
    return new Logged();
  });
  // And through makeEnv, as a user would: the reset observation of every seed.
  const env = makeEnv("LunarLanderContinuous-v3");
  for (const episode of recording.heuristic_episodes) {
    const { obs } = env.reset({ seed: episode.seed });
    assertEquals(Array.from(obs), episode.reset_obs);
  }
});

Deno.test("LunarLander: makeEnv chain getState/setState resumes exactly, generator included", () => {
  const make = () =>
    new RecordEpisodeStatistics(makeEnv("LunarLanderContinuous-v3", { enable_wind: true }));
  const a = make();
  a.reset({ seed: 7 });
  const act = (t: number) => [Math.sin(0.1 * t), Math.cos(0.07 * t)];
  for (let t = 0; t < 30; t++) a.step(act(t));
  const b = make();
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  for (let t = 30; t < 1000; t++) {
    const ra = a.step(act(t));
    const rb = b.step(act(t));
    assertEquals(Array.from(rb.obs), Array.from(ra.obs));
    assertEquals(rb.reward, ra.reward);
    if (ra.terminated || ra.truncated) {
      assertEquals(rb.terminated, ra.terminated);
      // The next episodes draw from the restored generator too.
      assertEquals(Array.from(b.reset().obs), Array.from(a.reset().obs));
      break;
    }
  }
});
