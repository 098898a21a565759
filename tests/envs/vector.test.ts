import { assert, assertEquals, assertThrows } from "@std/assert";
import { SyncVectorEnv } from "../../lib/envs/vector.ts";
import { RecordEpisodeStatistics, TimeLimit } from "../../lib/envs/wrappers.ts";
import { PendulumEnv } from "../../lib/envs/classic_control/pendulum.ts";
import { MountainCarContinuousEnv } from "../../lib/envs/classic_control/mountain_car_continuous.ts";
import type { Env } from "../../lib/envs/env.ts";
import { Rng } from "../../lib/rng.ts";

const shortPendulum = (limit: number) => () => new TimeLimit(new PendulumEnv(), limit);

Deno.test("SyncVectorEnv.reset seeds env i with seed + i", () => {
  const venv = new SyncVectorEnv([shortPendulum(200), shortPendulum(200), shortPendulum(200)]);
  const { obs, infos } = venv.reset({ seed: 10 });
  assertEquals(obs.length, 9);
  assertEquals(infos.length, 3);
  for (let i = 0; i < 3; i++) {
    const single = new PendulumEnv().reset({ seed: 10 + i }).obs;
    assertEquals([...obs.subarray(3 * i, 3 * i + 3)], [...single]);
  }
});

Deno.test("SyncVectorEnv auto-resets like SB3 DummyVecEnv and keeps terminalObservation", () => {
  // Env i has time limit 3 + i, so the envs finish on different steps.
  const n = 3;
  const venv = new SyncVectorEnv(Array.from({ length: n }, (_, i) => shortPendulum(3 + i)));
  const refs = Array.from({ length: n }, (_, i) => new TimeLimit(new PendulumEnv(), 3 + i));
  venv.reset({ seed: 100 });
  refs.forEach((r, i) => r.reset({ seed: 100 + i }));
  const rng = new Rng(0);
  let finished = 0;
  for (let t = 0; t < 20; t++) {
    const actions = rng.fillUniform(new Float32Array(n), -2.5, 2.5);
    const out = venv.step(actions);
    for (let i = 0; i < n; i++) {
      // The reference: a single env stepped with the same float32 action, reset by hand.
      const r = refs[i].step(actions.subarray(i, i + 1));
      assertEquals(out.rewards[i], r.reward);
      assertEquals(out.terminated[i], r.terminated ? 1 : 0);
      assertEquals(out.truncated[i], r.truncated ? 1 : 0);
      const row = [...out.obs.subarray(3 * i, 3 * i + 3)];
      if (r.terminated || r.truncated) {
        finished++;
        const terminal = out.infos[i].terminalObservation as Float32Array;
        assertEquals([...terminal], [...r.obs]);
        assertEquals(row, [...refs[i].reset().obs]); // the reset observation, generator continued
      } else {
        assertEquals(row, [...r.obs]);
        assert(!("terminalObservation" in out.infos[i]));
      }
    }
  }
  assertEquals(finished, Math.floor(20 / 3) + Math.floor(20 / 4) + Math.floor(20 / 5));
});

Deno.test("SyncVectorEnv reports termination, episode statistics and float64 actions", () => {
  const cars = [0, 1].map(() => new RecordEpisodeStatistics(new MountainCarContinuousEnv()));
  const venv = new SyncVectorEnv(cars);
  venv.reset({ seed: 0 });
  (cars[1].unwrapped as MountainCarContinuousEnv).setPhysicalState([0.449, 0.01]);
  const out = venv.step([0, 0.5]); // a plain array: float64 actions
  assertEquals([...out.terminated], [0, 1]);
  assertEquals([...out.truncated], [0, 0]);
  assertEquals(out.rewards[1], 100 - 0.1 * 0.25);
  assertEquals((out.infos[1].episode as { l: number }).l, 1);
  const final = out.infos[1].terminalObservation as Float32Array;
  assert(final[0] >= 0.45);
  const resetObs = out.obs.subarray(2, 4);
  assert(resetObs[0] >= -0.6 && resetObs[0] <= -0.4 && resetObs[1] === 0);
});

Deno.test("SyncVectorEnv returns fresh arrays each step", () => {
  const venv = new SyncVectorEnv([shortPendulum(200), shortPendulum(200)]);
  venv.reset({ seed: 1 });
  const a = venv.step(new Float32Array([1, -1]));
  const copy = [[...a.obs], [...a.rewards]];
  for (let t = 0; t < 500; t++) venv.step(new Float32Array([1, -1]));
  assertEquals([[...a.obs], [...a.rewards]], copy);
});

Deno.test("SyncVectorEnv getState / setState resumes mid-episode exactly", () => {
  const make = () => new SyncVectorEnv([shortPendulum(50), shortPendulum(70)]);
  const venv = make();
  venv.reset({ seed: 5 });
  const rng = new Rng(9);
  for (let t = 0; t < 30; t++) venv.step(rng.fillUniform(new Float32Array(2), -2, 2));
  const saved = JSON.parse(JSON.stringify(venv.getState()));
  const play = (v: SyncVectorEnv, seed: number) => {
    const r = new Rng(seed);
    const out: unknown[] = [];
    for (let t = 0; t < 60; t++) { // crosses both time limits and auto-resets
      const s = v.step(r.fillUniform(new Float32Array(2), -2, 2));
      out.push(
        [...s.obs],
        [...s.rewards],
        [...s.truncated],
        s.infos.map((i) =>
          i.terminalObservation ? [...(i.terminalObservation as Float32Array)] : null
        ),
      );
    }
    return out;
  };
  const expected = play(venv, 77);
  const restored = make();
  restored.setState(saved);
  assertEquals(play(restored, 77), expected);
  assertThrows(() => new SyncVectorEnv([shortPendulum(50)]).setState(saved), RangeError, "2 envs");
});

Deno.test("SyncVectorEnv input errors", () => {
  assertThrows(() => new SyncVectorEnv([]), RangeError, "non-empty");
  assertThrows(
    () => new SyncVectorEnv([new PendulumEnv(), new MountainCarContinuousEnv()]),
    RangeError,
    "same spaces",
  );
  assertThrows(() => new SyncVectorEnv([{} as Env]), TypeError, "envs[0] is not an Env");
  const venv = new SyncVectorEnv([shortPendulum(5), shortPendulum(5)]);
  assertThrows(() => venv.step(new Float32Array(2)), Error, "before reset()");
  venv.reset({ seed: 0 });
  assertThrows(() => venv.step(new Float32Array(3)), TypeError, "expected 2 actions (2 envs x 1)");
  assertThrows(
    () => venv.step([0, Number.NaN]),
    TypeError,
    "env 1: Pendulum-v1.step: invalid action",
  );
  assertThrows(() => venv.reset({ seed: -2 }), TypeError, "seed");
  venv.close();
});
