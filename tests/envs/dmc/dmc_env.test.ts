// The DeepMind Control env API: registry ids and aliases, RandomState seeding, the step limit,
// dmc2gym's action mapping, exact snapshots, physics errors, heap growth, options and closing.
import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import {
  BallInCupCatchEnv,
  type DmcEnv,
  type Env,
  FingerSpinEnv,
  heapGrew,
  listEnvs,
  makeEnv,
  makeVecEnv,
  mujoco,
  prepareEnv,
} from "../../../lib/envs/mod.ts";
import { RandomState } from "../../../lib/np_random/mod.ts";

await prepareEnv("dmc_Finger-spin-v1");

const IDS = ["dmc_Finger-spin-v1", "dmc_Ball_in_cup-catch-v1"];

/** Actions in [−1, 1] from a seeded RandomState. */
function actions(n: number, seed: number): Float32Array[] {
  const rs = new RandomState(seed);
  return Array.from({ length: n }, () => Float32Array.from(rs.uniform(-1, 1, 2)));
}

function roll(env: Env, acts: ArrayLike<number>[]): number[][] {
  return acts.map((a) => {
    const r = env.step(a);
    return [...r.obs, r.reward, r.terminated ? 1 : 0, r.truncated ? 1 : 0];
  });
}

Deno.test("registry: the paper's ids and readable aliases build the same env with TimeLimit(1000)", () => {
  for (
    const [id, alias] of [["dmc_Finger-spin-v1", "dmc/finger-spin"], [
      "dmc_Ball_in_cup-catch-v1",
      "dmc/ball_in_cup-catch",
    ]]
  ) {
    assert(listEnvs().includes(id) && listEnvs().includes(alias), id);
    const a = makeEnv(id), b = makeEnv(alias);
    assertEquals(a.id, id);
    assertEquals(b.id, id, "an alias builds the env of the paper's id");
    assertEquals(a.getState().maxEpisodeSteps, 1000);
    assertEquals(Array.from(a.reset({ seed: 7 }).obs), Array.from(b.reset({ seed: 7 }).obs));
    const acts = actions(20, 1);
    assertEquals(roll(a, acts), roll(b, acts));
    b.setState(a.getState()); // snapshots are interchangeable
    a.close();
    b.close();
  }
});

Deno.test("seeding: reset({ seed }) is RandomState(seed), reset() continues it, bad seeds are rejected first", () => {
  const env = new FingerSpinEnv();
  const first = Array.from(env.reset({ seed: 1 }).obs);
  const random = env.random!;
  const second = Array.from(env.reset().obs);
  assert(env.random === random, "reset() keeps drawing from the same RandomState");
  assertNotEquals(second, first);
  assertEquals(Array.from(env.reset({ seed: 1 }).obs), first);
  assertEquals(Array.from(env.reset().obs), second);
  // Seed 1 takes two attempts (6 draws): the stream after reset is RandomState(1) after 6 uniforms.
  env.reset({ seed: 1 });
  const expected = new RandomState(1);
  expected.uniform(0, 1, 6);
  assertEquals(env.random!.getState(), expected.getState());
  for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) {
    const err = assertThrows(() => env.reset({ seed }), RangeError, "2**32 - 1");
    assert(err.message.includes("RandomState"), err.message);
  }
  assert(env.random === random || env.random !== null);
  assertEquals(Array.from(env.reset().obs), second, "a rejected seed changes nothing");
  const unseeded = new BallInCupCatchEnv();
  const obs = unseeded.reset().obs; // OS entropy, like RandomState(None)
  assert(obs.every(Number.isFinite) && unseeded.random !== null);
  env.close();
  unseeded.close();
});

Deno.test("step limit: 1000 steps then truncated with step_type 2 and discount 1; never terminated", () => {
  for (const id of IDS) {
    const raw = makeEnv(id, { maxEpisodeSteps: 5000 }); // only dm_control's own limit applies
    const info = raw.reset({ seed: 0 }).info;
    assertEquals(info, { step_type: 0 });
    const zero = new Float32Array(2);
    for (let t = 1; t <= 1000; t++) {
      const r = raw.step(zero);
      assertEquals(r.terminated, false);
      assertEquals(r.truncated, t === 1000, `step ${t}`);
      assertEquals(r.info, { discount: 1, step_type: t === 1000 ? 2 : 1 });
    }
    raw.close();
  }
  const short = makeEnv("dmc_Ball_in_cup-catch-v1", { time_limit: 0.1 });
  short.reset({ seed: 0 });
  const flags = Array.from({ length: 5 }, () => short.step([0, 0]).truncated);
  assertEquals(flags, [false, false, false, false, true]);
  assertEquals((short.unwrapped as DmcEnv).stepLimit, 5);
  short.close();
});

Deno.test("actions: dmc2gym maps [-1, 1] to the action spec in float32 and rejects the rest", () => {
  const env = new FingerSpinEnv();
  env.reset({ seed: 0 });
  for (const a of [1e-10, -1, 1, 0.3, -0.7777777777777777]) {
    env.step([a, -a]);
    // dmc2gym: float32(((a − low) / (high − low)) · (max − min) + min), all bounds float32 ±1
    const expected = [a, -a].map((x) => Math.fround(((x + 1) / 2) * 2 + -1));
    assertEquals(Array.from(env.data.ctrl as Float64Array), expected);
  }
  assertEquals(Math.fround(((1e-10 + 1) / 2) * 2 - 1) === Math.fround(1e-10), false);
  assertThrows(() => env.step([1.0000001, 0]), RangeError, "dmc2gym rejects it");
  assertThrows(() => env.step([Number.NaN, 0]), TypeError, "element 0 is NaN");
  assertThrows(() => env.step([0]), TypeError, "shape [2]");
  env.close();

  // dm_control's own actions: float64 into ctrl unchanged, clamped by MuJoCo to ctrlrange.
  const native = new FingerSpinEnv({ normalize_actions: false });
  const clamped = new FingerSpinEnv({ normalize_actions: false });
  native.reset({ seed: 2 });
  clamped.reset({ seed: 2 });
  assertEquals(native.step([0.1, 1.5]).obs, clamped.step([0.1, 1]).obs);
  assertEquals(Array.from(native.data.ctrl as Float64Array), [0.1, 1.5]);
  assertEquals(native.actionSpace.toString(), "Box(-1.0, 1.0, (2,), float64)");
  native.close();
  clamped.close();
});

Deno.test("getState/setState: JSON snapshots continue bit for bit, with the model fields and the RandomState", () => {
  for (const id of IDS) {
    const env = makeEnv(id);
    const acts = actions(120, 3);
    env.reset({ seed: 4 });
    roll(env, acts.slice(0, 60));
    const snapshot = JSON.parse(JSON.stringify(env.getState()));
    const rest = roll(env, acts.slice(60));
    const warm = Array.from((env.unwrapped as DmcEnv).data.qacc_warmstart as Float64Array);
    const restored = makeEnv(id);
    const damping = Array.from((restored.unwrapped as DmcEnv).model.dof_damping as Float64Array);
    restored.setState(snapshot);
    assertEquals(roll(restored, acts.slice(60)), rest, id);
    const inner = restored.unwrapped as DmcEnv;
    assertEquals(Array.from(inner.data.qacc_warmstart as Float64Array), warm);
    if (id === "dmc_Finger-spin-v1") {
      assertEquals(damping[2], 0.5, "a fresh finger env has the model's damping");
      assertEquals(
        (inner.model.dof_damping as Float64Array)[2],
        0.03,
        "restored with the snapshot",
      );
    }
    // The RandomState is part of the snapshot: the next seedless reset matches too.
    assertEquals(Array.from(restored.reset().obs), Array.from(env.reset().obs), id);
    env.close();
    restored.close();
  }
  // A snapshot right after reset (the touch sensors of the reset's forward pass included).
  const a = new FingerSpinEnv(), b = new FingerSpinEnv();
  a.reset({ seed: 1 });
  b.setState(a.getState());
  const acts = actions(30, 8);
  assertEquals(roll(b, acts), roll(a, acts));
  const bad = structuredClone(a.getState()) as { physics: { sensordata: number[] } };
  bad.physics.sensordata = [1, 2];
  assertThrows(() => b.setState(bad), TypeError, "malformed physics state");
  assertThrows(() => new BallInCupCatchEnv().setState(a.getState()), TypeError, "dmc_Finger");
  a.close();
  b.close();
});

Deno.test("physics errors: an unstable state throws like dm_control's PhysicsError", () => {
  const env = new FingerSpinEnv();
  env.reset({ seed: 0 });
  env.step([0, 0]);
  (env.data.qvel as Float64Array)[2] = 1e11; // MuJoCo resets the simulation and warns
  assertThrows(() => env.step([0, 0]), Error, "physics state became invalid");
  env.reset({ seed: 0 });
  (env.data.qvel as Float64Array)[0] = Number.NaN; // on an episode's first step
  assertThrows(() => env.step([0, 0]), Error, "MuJoCo warnings mjWARN_BADQ");
  env.reset({ seed: 0 });
  assert(env.step([0.5, 0.5]).obs.every(Number.isFinite), "a reset recovers");
  env.close();
});

Deno.test("heap growth detaches views; the env fetches them again and steps exactly as before", () => {
  const acts = actions(40, 9);
  const reference = new BallInCupCatchEnv();
  reference.reset({ seed: 3 });
  const expected = roll(reference, acts);
  const env = new BallInCupCatchEnv();
  env.reset({ seed: 3 });
  const first = roll(env, acts.slice(0, 20));
  const stale: Float64Array = env.data.qpos;
  const mj = mujoco();
  const grown = Array.from({ length: 8 }, () => new mj.DoubleBuffer(4_000_000));
  try {
    assert(heapGrew(stale), "256 MB of buffers did not grow the heap; the test needs more");
    assertEquals([...first, ...roll(env, acts.slice(20))], expected);
  } finally {
    grown.forEach((b) => b.delete());
    env.close();
    reference.close();
  }
});

Deno.test("options, closing and vector envs", () => {
  assertThrows(() => new FingerSpinEnv({ frame_skip: 2 } as never), TypeError, `"frame_skip"`);
  assertThrows(() => makeEnv("dmc/finger-spin", { render_mode: "rgb_array" }), TypeError, "render");
  assertThrows(() => new FingerSpinEnv({ time_limit: -1 }), TypeError, "time_limit");
  assertThrows(
    () => new FingerSpinEnv({ normalize_actions: "yes" } as never),
    TypeError,
    "normalize_actions",
  );
  const env = new FingerSpinEnv();
  env.reset({ seed: 0 });
  assertThrows(() => env.reset({ seed: 0, options: { x: 1 } }), TypeError, "unknown option");
  env.close();
  env.close(); // idempotent
  assertThrows(() => env.reset(), Error, "closed");
  const venv = makeVecEnv("dmc_Ball_in_cup-catch-v1", 2);
  venv.reset({ seed: 0 });
  const r = venv.step(Float32Array.from([0, 1, 0, -1]));
  assertEquals(r.rewards.length, 2);
  venv.close();
});
