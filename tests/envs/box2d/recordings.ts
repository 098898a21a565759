/**
 * The Gymnasium 1.3 + pybox2d 2.3.10 recordings of the Box2D tasks (`../shared/oracles/box2d/`,
 * beside the repository) and the conformance checks the task tests share.
 *
 * @module
 */
import { assert, assertEquals } from "@std/assert";
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

/** What {@linkcode checkRecordedEpisodes} asserts for every episode of one policy. */
export interface Tolerances {
  /** Bound on |Δobs| of the reset observation. */
  resetObs: number;
  /** Bound on |Δobs| over the first `horizon` steps. */
  obs: number;
  /** Steps over which `obs` is checked. */
  horizon: number;
  /**
   * Minimum number of seeds (of 5) with the same termination step and a return within 1 %, or
   * null to leave termination and return unchecked.
   */
  matchingSeeds: number | null;
}

/**
 * Replays every episode of one policy and asserts: Gymnasium's draws (method, arguments, size,
 * order; all of them), the reset observation, the observations over the first steps, and (when
 * asked) the termination step and return on enough seeds.
 */
export function checkRecordedEpisodes(
  recording: Recording,
  policy: "sine" | "heuristic",
  tol: Tolerances,
): void {
  const episodes = policy === "sine" ? recording.episodes : recording.heuristic_episodes;
  assertEquals(episodes.length, 5);
  let matching = 0;
  const report: string[] = [];
  for (const episode of episodes) {
    const c = replayEpisode(recording, episode);
    const where = `${recording.env_id} ${policy} seed ${episode.seed}`;
    assertEquals(c.drawsLeft, 0, `${where}: Gymnasium made draws our env did not`);
    assert(c.resetObsError <= tol.resetObs, `${where}: reset obs off by ${c.resetObsError}`);
    const early = Math.max(0, ...c.stepObsError.slice(0, tol.horizon));
    assert(early <= tol.obs, `${where}: obs off by ${early} within ${tol.horizon} steps`);
    const same = c.terminationStep === c.recordedTerminationStep &&
      Math.abs(c.episodeReturn - c.recordedReturn) <= 0.01 * Math.abs(c.recordedReturn);
    if (same) matching++;
    report.push(
      `seed ${episode.seed}: step ${c.terminationStep} vs ${c.recordedTerminationStep}, return ` +
        `${c.episodeReturn.toFixed(3)} vs ${c.recordedReturn.toFixed(3)}`,
    );
  }
  if (tol.matchingSeeds !== null) {
    assert(
      matching >= tol.matchingSeeds,
      `${recording.env_id} ${policy}: ${matching}/5 seeds end at the same step with a return ` +
        `within 1 % (need ${tol.matchingSeeds}): ${report.join("; ")}`,
    );
  }
}

/**
 * Runs every recorded episode with the env's own numpy generator (`reset({ seed })`, no replay)
 * and asserts that it makes Gymnasium's draws with Gymnasium's values, and that the reset
 * observation equals the recorded one to 1e-5. `make` builds an env whose `draws` go through
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
    let d = 0;
    obs.forEach((v, i) => (d = Math.max(d, Math.abs(v - episode.reset_obs[i]))));
    assert(d <= 1e-5, `${recording.env_id} seed ${episode.seed}: reset obs off by ${d}`);
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
