/**
 * The Gymnasium 1.3 + pybox2d 2.3.10 recordings of the Box2D tasks (`../shared/oracles/box2d/`,
 * beside the repository) and the conformance checks the task tests share.
 *
 * @module
 */
import { assertEquals } from "@std/assert";
import type { RecordedDraw, Recording } from "../../../lib/envs/box2d/recording.ts";
import { replayEpisode } from "../../../lib/envs/box2d/recording.ts";
import type { Box2DDraws } from "../../../lib/envs/box2d/draws.ts";
import type { Env } from "../../../lib/envs/env.ts";
import type { Box } from "../../../lib/envs/spaces.ts";

const ORACLES = new URL("../../../../shared/oracles/box2d/", import.meta.url);

/** The recording of one task (throws with the expected path when it is missing). */
export function loadRecording(envId: string): Recording {
  const url = new URL(`${envId}.json`, ORACLES);
  try {
    return JSON.parse(Deno.readTextFileSync(url)) as Recording;
  } catch (e) {
    throw new Error(
      `cannot read the Gymnasium recording ${url.pathname} (${(e as Error).message}); the ` +
        `oracles live in ../shared/oracles beside the repository`,
    );
  }
}

/** Asserts that a Box equals a recorded float32 space exactly (shape and bounds). */
export function assertSpaceEquals(
  box: Box,
  recorded: { shape: number[]; dtype: string; low: number[]; high: number[] },
): void {
  assertEquals(recorded.dtype, "float32");
  assertEquals([...box.shape], recorded.shape);
  assertEquals(Array.from(box.low), recorded.low);
  assertEquals(Array.from(box.high), recorded.high);
  // -0.0 lower bounds stay -0.0.
  recorded.low.forEach((v, i) => assertEquals(Object.is(v, -0), Object.is(box.low[i], -0)));
}

/**
 * Replays every episode of one policy and asserts that it is Gymnasium's, bit for bit: the same
 * draws (method, arguments, size, order; all of them), the same reset observation, and on every
 * recorded step the same observation, reward and termination flag (`Object.is` on every float).
 * This implies the acceptance bounds of issue 13 (reset ≤ 1e-5, observations ≤ 1e-4 over 100
 * steps, the same termination step and return on at least 4 of 5 seeds) with zero error.
 */
export function checkRecordedEpisodes(recording: Recording, policy: "sine" | "heuristic"): void {
  const episodes = policy === "sine" ? recording.episodes : recording.heuristic_episodes;
  assertEquals(episodes.length, 5);
  for (const episode of episodes) {
    const where = `${recording.env_id} ${policy} seed ${episode.seed}`;
    const c = replayEpisode(recording, episode);
    assertEquals(c.mismatch, null, `${where}: not Gymnasium's bit for bit`);
    assertEquals(c.terminationStep, c.recordedTerminationStep, `${where}: termination step`);
    assertEquals(c.drawsLeft, 0, `${where}: Gymnasium made draws our env did not`);
  }
}

/**
 * Runs every recorded episode with the env's own numpy generator (`reset({ seed })`, no replay)
 * and asserts that it makes Gymnasium's draws with Gymnasium's values, and that the reset
 * observation equals the recorded one bit for bit. `make` builds an env whose `draws` go through
 * the given logger.
 */
export function checkSeededDraws(
  recording: Recording,
  make: (log: (d: RecordedDraw) => void) => Env,
): void {
  for (const episode of [...recording.episodes, ...recording.heuristic_episodes]) {
    const made: RecordedDraw[] = [];
    const env = make((d) => made.push(d));
    const { obs } = env.reset({ seed: episode.seed });
    assertEquals(Array.from(obs), episode.reset_obs, `${recording.env_id} seed ${episode.seed}`);
    const expected = [...episode.reset_rng];
    for (const step of episode.steps.slice(0, 20)) {
      env.step(step.action);
      expected.push(...step.rng);
    }
    assertEquals(
      made.map((m) => [m.method, m.args, m.kwargs?.size ?? null, m.value]),
      expected.map((m) => [m.method, m.args, m.kwargs?.size ?? null, m.value]),
      `${recording.env_id} ${episode.policy} seed ${episode.seed}: draws differ from Gymnasium's`,
    );
  }
}

/** A {@linkcode Box2DDraws} that forwards to a generator and logs every call with its value. */
export function loggingDraws(generator: Box2DDraws, log: (d: RecordedDraw) => void): Box2DDraws {
  return {
    uniform(low: number, high: number, size?: number) {
      const value = size === undefined
        ? generator.uniform(low, high)
        : generator.uniform(low, high, size);
      log({
        method: "uniform",
        args: [low, high],
        ...(size === undefined ? {} : { kwargs: { size: [size] } }),
        value: typeof value === "number" ? value : Array.from(value),
      });
      return value;
    },
    integers(low: number, high: number) {
      const value = generator.integers(low, high);
      log({ method: "integers", args: [low, high], value });
      return value;
    },
    random() {
      const value = generator.random();
      log({ method: "random", args: [], value });
      return value;
    },
  } as Box2DDraws;
}
