import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { MountainCarContinuousEnv } from "../../../lib/envs/classic_control/mountain_car_continuous.ts";
import { Rng } from "../../../lib/rng.ts";
import { oracle } from "../../np_random/_oracle.ts";

/**
 * MountainCarContinuous-v0 from the published equations (Gymnasium docs), in float64, storing the
 * state as float32 after each step as Gymnasium does:
 *   f = clip(a, -1, 1); v' = clip(v + 0.0015 f - 0.0025 cos(3p), ±0.07); p' = clip(p + v', -1.2, 0.6)
 *   v' = 0 if p' = -1.2 and v' < 0; done = p' ≥ 0.45 and v' ≥ goalVelocity; r = 100·done - 0.1 a²
 */
function referenceStep(p: number, v: number, a: number, goalVelocity = 0) {
  const f = Math.min(1, Math.max(-1, a));
  let vNext = v + 0.0015 * f - 0.0025 * Math.cos(3 * p);
  vNext = Math.min(0.07, Math.max(-0.07, vNext));
  let pNext = Math.min(0.6, Math.max(-1.2, p + vNext));
  if (pNext <= -1.2 && vNext < 0) {
    pNext = -1.2;
    vNext = 0;
  }
  const done = pNext >= 0.45 && vNext >= goalVelocity;
  return {
    p: Math.fround(pNext),
    v: Math.fround(vNext),
    reward: (done ? 100 : 0) - 0.1 * a * a,
    terminated: done,
  };
}

function started(options: { goal_velocity?: number } = {}): MountainCarContinuousEnv {
  const env = new MountainCarContinuousEnv(options);
  env.reset({ seed: 0 });
  return env;
}

Deno.test("MountainCarContinuous-v0 follows the published equations from set states", () => {
  const rng = new Rng(4);
  for (const [p0, v0] of [[-0.5, 0], [-1.0, 0.03], [0.2, -0.05], [-0.3, 0.069]]) {
    const env = started();
    env.setPhysicalState([p0, v0]);
    let p = p0;
    let v = v0;
    for (let t = 0; t < 80; t++) {
      const a = rng.uniform(-2, 2); // half out of range
      const ref = referenceStep(p, v, a);
      const r = env.step([a]);
      assertAlmostEquals(r.obs[0], ref.p, 1e-6);
      assertAlmostEquals(r.obs[1], ref.v, 1e-6);
      assertAlmostEquals(r.reward, ref.reward, 1e-12);
      assertEquals(r.terminated, ref.terminated);
      assertEquals(r.truncated, false);
      [p, v] = env.physicalState; // follow the env so float32 rounding does not accumulate
      if (r.terminated) break;
    }
  }
});

Deno.test("MountainCarContinuous-v0: the left wall stops the car (position -1.2, velocity 0)", () => {
  const env = started();
  env.setPhysicalState([-1.19, -0.05]);
  const r = env.step(new Float32Array([-1]));
  // -1.19 + (−0.05 − 0.0015 − 0.0025 cos(−3.57)) < −1.2: clipped, and the velocity is zeroed.
  assertEquals(r.obs[0], Math.fround(-1.2));
  assertEquals(r.obs[1], 0);
  assertEquals(r.terminated, false);
  assertAlmostEquals(r.reward, -0.1, 1e-12);
  // At the wall the slope pulls right harder (0.0025·|cos(-3.6)| ≈ 0.00224) than full reverse
  // thrust pushes left (0.0015), so the car leaves the wall even when pushing left.
  const again = env.step(new Float32Array([-1]));
  const ref = referenceStep(Math.fround(-1.2), 0, -1);
  assertAlmostEquals(again.obs[0], ref.p, 1e-7);
  assertAlmostEquals(again.obs[1], 0.0015 * -1 - 0.0025 * Math.cos(-3.6), 1e-7);
  assert(again.obs[0] > -1.2 && again.obs[1] > 0);
  // From a state moving left slowly near the wall, the wall is hit again and the velocity zeroed.
  env.setPhysicalState([-1.1995, -0.01]);
  const hit = env.step([-1]);
  assertEquals([...hit.obs], [Math.fround(-1.2), 0]);
});

Deno.test("MountainCarContinuous-v0: reaching the goal terminates with +100", () => {
  const env = started();
  env.setPhysicalState([0.449, 0.01]);
  const r = env.step(new Float32Array([0.5]));
  assertEquals(r.terminated, true);
  assertEquals(r.reward, 100 - 0.1 * 0.5 * 0.5);
  assert(r.obs[0] >= 0.45);
  // Not yet at the goal: no bonus.
  env.setPhysicalState([0.3, 0.01]);
  const before = env.step([0.5]);
  assertEquals(before.terminated, false);
  assertEquals(before.reward, -0.1 * 0.25);
  // goal_velocity demands a minimum speed at the goal.
  const strict = started({ goal_velocity: 0.05 });
  strict.setPhysicalState([0.449, 0.01]);
  assertEquals(strict.step([0.5]).terminated, false);
  // The right boundary clips the position to 0.6 (and the goal is reached).
  env.setPhysicalState([0.59, 0.07]);
  const edge = env.step([1]);
  assertEquals(edge.obs[0], Math.fround(0.6));
  assertEquals(edge.terminated, true);
});

Deno.test("MountainCarContinuous-v0 clips speed and force, but the cost uses the raw action", () => {
  const env = started();
  env.setPhysicalState([-0.52, 0.0695]); // cos(3p) < 0, so gravity and force both push right
  const r = env.step([1]);
  assertEquals(r.obs[1], Math.fround(0.07));
  env.setPhysicalState([-0.1, -0.0695]);
  assertEquals(env.step([-1]).obs[1], Math.fround(-0.07));

  const x = started();
  const y = started();
  x.setPhysicalState([-0.4, 0.01]);
  y.setPhysicalState([-0.4, 0.01]);
  const rx = x.step([3]);
  const ry = y.step([1]);
  assertEquals([...rx.obs], [...ry.obs]); // force is clipped to 1
  assertAlmostEquals(rx.reward, -0.9, 1e-12); // -0.1 · 3²
  assertAlmostEquals(ry.reward, -0.1, 1e-12);
});

Deno.test("MountainCarContinuous-v0 spaces, reset distribution and reset options", () => {
  const env = new MountainCarContinuousEnv();
  assertEquals([...env.observationSpace.low], [Math.fround(-1.2), Math.fround(-0.07)]);
  assertEquals([...env.observationSpace.high], [Math.fround(0.6), Math.fround(0.07)]);
  assertEquals([...env.actionSpace.low], [-1]);
  assertEquals([...env.actionSpace.high], [1]);
  for (let seed = 0; seed < 100; seed++) {
    const { obs } = env.reset({ seed });
    const [p, v] = env.physicalState;
    assert(p >= -0.6 && p <= -0.4);
    assertEquals(v, 0);
    assertEquals([...obs], [Math.fround(p), 0]);
  }
  env.reset({ seed: 8, options: { low: -0.7, high: -0.5 } });
  assert(env.physicalState[0] >= -0.7 && env.physicalState[0] <= -0.5);
  assertThrows(() => env.reset({ options: { low: 0, high: -1 } }), RangeError, `"low"`);
  assertThrows(() => env.reset({ options: { low: "x" } }), TypeError, `option "low"`);
  assertThrows(() => env.reset({ options: { lo: 0 } }), TypeError, `did you mean "low"`);
});

Deno.test({
  name: "MountainCarContinuous-v0 seeded resets draw Gymnasium's values (reset options included)",
  ignore: oracle === null,
  fn: () => {
    // np_random(seed) = default_rng(seed): position = low + (high - low)·u with the oracle's u.
    const u = (seed: string) =>
      oracle.pcg64.find((c: { seed: string }) => c.seed === seed).random_8 as number[];
    const env = new MountainCarContinuousEnv();
    const draw = (low: number, high: number, v: number) => low + (high - low) * v;
    assertEquals([...env.reset({ seed: 0 }).obs], [Math.fround(draw(-0.6, -0.4, u("0")[0])), 0]);
    assertEquals(env.physicalState, [draw(-0.6, -0.4, u("0")[0]), 0]);
    assertEquals([...env.reset().obs], [Math.fround(draw(-0.6, -0.4, u("0")[1])), 0]);
    env.reset({ seed: 42, options: { low: -0.7, high: -0.5 } });
    assertEquals(env.physicalState, [draw(-0.7, -0.5, u("42")[0]), 0]);
    env.reset({ seed: 1, options: { high: -0.55 } });
    assertEquals(env.physicalState, [draw(-0.6, -0.55, u("1")[0]), 0]);
  },
});

Deno.test("MountainCarContinuous-v0 seeded determinism and state round trip", () => {
  const rollout = (env: MountainCarContinuousEnv, seed?: number) => {
    const out: number[] = [...env.reset(seed === undefined ? {} : { seed }).obs];
    for (let t = 0; t < 100; t++) {
      const r = env.step(new Float32Array([Math.sin(t / 7)]));
      out.push(...r.obs, r.reward);
    }
    return out;
  };
  assertEquals(
    rollout(new MountainCarContinuousEnv(), 1),
    rollout(new MountainCarContinuousEnv(), 1),
  );
  assertNotEquals(
    rollout(new MountainCarContinuousEnv(), 1),
    rollout(new MountainCarContinuousEnv(), 2),
  );

  // Mid-episode snapshot (float32 state after steps) resumes exactly; so does a fresh-reset one.
  for (const steps of [0, 37]) {
    const env = started();
    for (let t = 0; t < steps; t++) env.step(new Float32Array([0.9]));
    const saved = JSON.parse(JSON.stringify(env.getState()));
    const restored = new MountainCarContinuousEnv();
    restored.setState(saved);
    assertEquals(rollout(restored), rollout(env));
  }
  assertThrows(
    () => new MountainCarContinuousEnv({ goal_velocity: 0.1 }).setState(started().getState()),
    RangeError,
    "same options",
  );
});

Deno.test("MountainCarContinuous-v0 invalid actions and options are clear errors", () => {
  const env = started();
  assertThrows(
    () => env.step([0.1, 0.2]),
    TypeError,
    "MountainCarContinuous-v0.step: invalid action [0.1, 0.2]",
  );
  assertThrows(() => env.step([Number.NaN]), TypeError, "element 0 is NaN");
  assertThrows(() => env.step([-Infinity]), TypeError, "Box(-1.0, 1.0, (1,), float32)");
  assertThrows(() => env.step({ length: 1 } as unknown as number[]), TypeError, "undefined");
  assertThrows(
    () => new MountainCarContinuousEnv({ goal_velocity: Number.NaN }),
    TypeError,
    "goal_velocity",
  );
  assertThrows(() => env.setPhysicalState([0]), TypeError, "[position, velocity]");
});
