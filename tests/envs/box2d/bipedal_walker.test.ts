import { assert, assertEquals, assertThrows } from "@std/assert";
import { BipedalWalkerEnv, envSpec, makeEnv, TimeLimit } from "../../../lib/envs/mod.ts";
import { replayEnv, replayEnvFor, replayEpisode } from "../../../lib/envs/box2d/recording.ts";
import {
  assertSpaceEquals,
  checkRecordedEpisodes,
  checkSeededDraws,
  loadRecording,
  loggingDraws,
} from "./recordings.ts";
import type { RecordedDraw } from "../../../lib/envs/box2d/recording.ts";

const normal = loadRecording("BipedalWalker-v3");
const hardcore = loadRecording("BipedalWalkerHardcore-v3");

// The walker amplifies rounding differences about tenfold every 20 to 40 steps, so only a
// physics step that computes exactly what pybox2d computes (float32 in Box2D's operation order,
// glibc's sinf/cosf) follows its long heuristic walks; ours does, to the bit.
for (const recording of [normal, hardcore]) {
  const id = recording.env_id;

  Deno.test(`${id} sine episodes equal Gymnasium 1.3 + pybox2d 2.3.10 exactly`, () => {
    checkRecordedEpisodes(recording, "sine");
  });

  Deno.test(`${id} heuristic walks equal Gymnasium's exactly, 600 steps included`, () => {
    checkRecordedEpisodes(recording, "heuristic");
  });

  Deno.test(`${id} with its own np_random: Gymnasium's draws, values and reset obs`, () => {
    checkSeededDraws(recording, (log: (d: RecordedDraw) => void) => {
      class Logged extends BipedalWalkerEnv {
        protected override get draws() {
          return loggingDraws(this.npRandom, log);
        }
      }
      return new Logged({ hardcore: id.includes("Hardcore") });
    });
  });

  Deno.test(`${id} terrain equals Gymnasium's float64 polyline exactly`, () => {
    for (const episode of [...recording.episodes, ...recording.heuristic_episodes]) {
      const env = replayEnv(recording, episode);
      env.reset({ seed: episode.seed });
      const frame = (env as BipedalWalkerEnv).frame();
      assertEquals(frame.terrain.x, episode.terrain_x);
      assertEquals(frame.terrain.y, episode.terrain_y);
    }
  });

  Deno.test(`${id} spaces and time limit equal Gymnasium's`, () => {
    const env = new BipedalWalkerEnv({ hardcore: id.includes("Hardcore") });
    assertSpaceEquals(env.observationSpace, recording.observation_space);
    assertSpaceEquals(env.actionSpace, recording.action_space);
    assertEquals(env.id, id);
    const made = makeEnv(id);
    assert(made instanceof TimeLimit);
    assertSpaceEquals(made.observationSpace, recording.observation_space);
    assertEquals(envSpec(id).rewardThreshold, 300);
  });

  Deno.test(`${id} getState/setState (JSON) continues a replayed episode bit-identically`, () => {
    const episode = recording.heuristic_episodes[0];
    const all = [...episode.reset_rng, ...episode.steps.flatMap((s) => s.rng)];
    const a = replayEnv(recording, episode);
    a.reset({ seed: episode.seed });
    const k = 60; // mid-stride: both feet touching and warm-starting impulses in the state
    for (let t = 0; t < k; t++) a.step(episode.steps[t].action);
    const raw = a.getState();
    const state = JSON.parse(JSON.stringify(raw));
    assertEquals(state, raw); // plain JSON: nothing undefined, NaN or typed
    const b = replayEnvFor(id, all.slice(a.replay.used));
    b.setState(state);
    for (let t = k; t < episode.n_steps; t++) {
      const ra = a.step(new Float32Array(episode.steps[t].action));
      const rb = b.step(new Float32Array(episode.steps[t].action));
      assertEquals(Array.from(rb.obs), Array.from(ra.obs), `step ${t + 1}`);
      assertEquals(rb.reward, ra.reward);
      if (ra.terminated) break;
    }
    assertEquals(JSON.stringify(b.getState()), JSON.stringify(a.getState()));
  });
}

Deno.test("BipedalWalker-v3 and hardcore have Gymnasium's time limits", () => {
  assertEquals(envSpec("BipedalWalker-v3").maxEpisodeSteps, normal.spec_max_episode_steps);
  // The recording's spec is BipedalWalker-v3 made with hardcore=True (1600 steps); the
  // registered BipedalWalkerHardcore-v3 has 2000.
  assertEquals(envSpec("BipedalWalkerHardcore-v3").maxEpisodeSteps, 2000);
  assertThrows(() => new BipedalWalkerEnv({ hard: true } as never), TypeError, "hardcore");
});

Deno.test("BipedalWalker torque cost: float32 with a Float32Array action, as numpy computes it", () => {
  const episode = normal.episodes[1];
  const action = episode.steps[0].action.map(Math.fround);
  const run = (a: ArrayLike<number>) => {
    const env = replayEnv(normal, episode);
    env.reset({ seed: episode.seed });
    return env.step(a).reward;
  };
  const r64 = run(action);
  const r32 = run(new Float32Array(action));
  // float64 action: reward = Δshaping − Σ 0.028·clip(|aᵢ|). float32 action (numpy, NEP 50): the
  // Python-float reward meets a float32 cost, so each subtraction happens in float32.
  const f = Math.fround;
  const cost = (a: number) => Math.min(Math.abs(a), 1);
  const shapingDelta = r64 + action.reduce((sum, a) => sum + 0.00035 * 80 * cost(a), 0);
  let expected = shapingDelta;
  for (const a of action) expected = f(f(expected) - f(f(0.00035 * 80) * cost(a)));
  assertEquals(r32, expected);
  assert(r32 !== r64);
});

Deno.test("BipedalWalker frame(): hull, leg segments, lidar and hardcore obstacles", () => {
  const c = replayEpisode(hardcore, hardcore.heuristic_episodes[0]);
  const frame = (c.env as BipedalWalkerEnv).frame();
  assertEquals(frame.task, "BipedalWalker");
  assertEquals(frame.bodies.map((b) => b.name), [
    "hull",
    "upper-leg-1",
    "lower-leg-1",
    "upper-leg-2",
    "lower-leg-2",
  ]);
  assertEquals(frame.bodies[0].polygon.length, 5);
  assert(frame.obstacles.length > 0);
  assertEquals(frame.lidar!.length, 10);
  // The last observation's lidar fractions are the rays' fractions.
  const c2 = replayEpisode(normal, normal.episodes[2]);
  const f2 = (c2.env as BipedalWalkerEnv).frame();
  const last = normal.episodes[2].steps.at(-1)!.obs.slice(14);
  f2.lidar!.forEach((ray, k) => assertEquals(ray.fraction, last[k]));
  for (const ray of f2.lidar!) assert(ray.fraction > 0 && ray.fraction <= 1);
});
