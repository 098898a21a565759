// ThreadedVectorEnv gives exactly SyncVectorEnv's results (SB3 auto-reset, terminal observations,
// infos, seeds), for float32 and float64 actions, classic-control and MuJoCo envs.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type MakeEnvOptions,
  makeVecEnv,
  prepareEnv,
  ThreadedVectorEnv,
  type VectorEnv,
  type VectorStepResult,
} from "../../lib/envs/mod.ts";
import { Rng } from "../../lib/rng.ts";

/** A step result as plain data, without the wall-clock `episode.t`. */
function plain(r: VectorStepResult) {
  return {
    obs: Array.from(r.obs),
    obsType: r.obs.constructor.name,
    rewards: Array.from(r.rewards),
    terminated: Array.from(r.terminated),
    truncated: Array.from(r.truncated),
    infos: r.infos.map((info) => {
      const { terminalObservation, episode, ...rest } = info as Record<string, unknown>;
      const t = terminalObservation as Float32Array | Float64Array | undefined;
      const e = episode as { r: number; l: number } | undefined;
      return {
        ...rest,
        terminal: t ? [t.constructor.name, ...t] : null,
        episode: e ? [e.r, e.l] : null,
      };
    }),
  };
}

function compare(
  id: string,
  options: MakeEnvOptions,
  threads: number,
  steps: number,
  f32: boolean,
): number {
  const threaded: VectorEnv = new ThreadedVectorEnv(id, 8, { threads, ...options });
  const sync: VectorEnv = makeVecEnv(id, 8, options);
  try {
    const a = threaded.reset({ seed: 7 }), b = sync.reset({ seed: 7 });
    assertEquals(Array.from(a.obs), Array.from(b.obs));
    assertEquals(a.infos, b.infos);
    const rng = new Rng(3);
    const { low, high } = sync.singleActionSpace;
    let ends = 0;
    for (let t = 0; t < steps; t++) {
      const values = Array.from({ length: 8 * sync.actDim }, (_, j) => {
        const k = j % sync.actDim;
        return rng.uniform(1.2 * low[k], 1.2 * high[k]);
      });
      const actions = f32 ? Float32Array.from(values) : Float64Array.from(values);
      const x = plain(threaded.step(actions)), y = plain(sync.step(actions));
      assertEquals(x, y, `${id} step ${t}`);
      ends += y.terminated.filter(Boolean).length + y.truncated.filter(Boolean).length;
    }
    return ends;
  } finally {
    threaded.close();
    sync.close();
  }
}

Deno.test("ThreadedVectorEnv equals SyncVectorEnv on Pendulum-v1 (float32 obs, episode statistics)", () => {
  const ends = compare(
    "Pendulum-v1",
    { maxEpisodeSteps: 13, recordEpisodeStatistics: true },
    2,
    60,
    true,
  );
  assert(ends > 20, "episodes ended and were auto-reset");
});

Deno.test("ThreadedVectorEnv equals SyncVectorEnv on MuJoCo tasks (terminations, 2 and 3 threads)", async () => {
  await prepareEnv("Hopper-v5");
  const ends = compare("Hopper-v5", { recordEpisodeStatistics: true }, 3, 150, false);
  assert(ends > 8, `only ${ends} episodes ended`);
  compare("Ant-v4", { use_contact_forces: true, maxEpisodeSteps: 20 }, 2, 45, true);
});

Deno.test("ThreadedVectorEnv: snapshots move between vector envs; errors name the env", async () => {
  await prepareEnv("Walker2d-v4");
  const threaded = new ThreadedVectorEnv("Walker2d-v4", 5, { threads: 2 });
  const sync = makeVecEnv("Walker2d-v4", 5);
  try {
    threaded.reset({ seed: 1 });
    const zero = new Float64Array(5 * 6);
    for (let t = 0; t < 10; t++) threaded.step(zero.map((_, j) => Math.sin(t + j)));
    sync.setState(JSON.parse(JSON.stringify(threaded.getState())));
    const acts = new Float64Array(5 * 6).fill(0.3);
    assertEquals(plain(threaded.step(acts)), plain(sync.step(acts)));
    threaded.setState(sync.getState());
    assertEquals(plain(threaded.step(acts)), plain(sync.step(acts)));
    const bad = new Float64Array(5 * 6);
    bad[4 * 6 + 2] = NaN; // env 4 is a worker's
    assertThrows(() => threaded.step(bad), Error, "env 4");
    bad.fill(0);
    bad[1] = NaN; // env 1 is the caller's
    assertThrows(() => threaded.step(bad), Error, "env 0");
    assertThrows(() => threaded.step(new Float64Array(3)), TypeError, "expected 30 actions");
    threaded.step(acts); // still usable
  } finally {
    threaded.close();
    sync.close();
  }
  assertThrows(() => new ThreadedVectorEnv("Walker2d-v4", 0), RangeError, "numEnvs");
  assertThrows(() => new ThreadedVectorEnv("Nope-v1", 2), Error, "Unknown environment");
});
