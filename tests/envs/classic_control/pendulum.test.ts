import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { angleNormalize, PendulumEnv } from "../../../lib/envs/classic_control/pendulum.ts";
import { Rng } from "../../../lib/rng.ts";
import { oracle } from "../../np_random/_oracle.ts";

/**
 * Pendulum-v1 written out from the published equations (Gymnasium docs / paper notes §9.4), in
 * plain float64, with the angle wrapped through atan2 instead of a modulo:
 *   u = clip(a, -2, 2); θ̇' = clip(θ̇ + (3g/2·sin θ + 3u)·0.05, -8, 8); θ' = θ + θ̇'·0.05
 *   r = -(wrap(θ)² + 0.1 θ̇² + 0.001 u²); obs = [cos θ', sin θ', θ̇']
 */
function referenceStep(theta: number, thetaDot: number, a: number, g = 10) {
  const u = Math.min(2, Math.max(-2, a));
  const wrapped = Math.atan2(Math.sin(theta), Math.cos(theta));
  const reward = -(wrapped ** 2 + 0.1 * thetaDot ** 2 + 0.001 * u ** 2);
  const newThetaDot = Math.min(
    8,
    Math.max(-8, thetaDot + (1.5 * g * Math.sin(theta) + 3 * u) * 0.05),
  );
  const newTheta = theta + newThetaDot * 0.05;
  return {
    theta: newTheta,
    thetaDot: newThetaDot,
    reward,
    obs: [Math.cos(newTheta), Math.sin(newTheta), newThetaDot],
  };
}

function started(g?: number): PendulumEnv {
  const env = new PendulumEnv(g === undefined ? {} : { g });
  env.reset({ seed: 0 });
  return env;
}

Deno.test("Pendulum-v1 follows the published equations from set states with fixed actions", () => {
  const rng = new Rng(2);
  for (const g of [10, 9.81]) {
    for (const [theta0, thetaDot0] of [[Math.PI, 0], [0.3, -2], [-2.5, 6.5], [12, 1]]) {
      const env = started(g);
      env.setPhysicalState([theta0, thetaDot0]);
      let theta = theta0;
      let thetaDot = thetaDot0;
      for (let t = 0; t < 60; t++) {
        const a = rng.uniform(-3, 3); // a third of the actions are out of range
        const ref = referenceStep(theta, thetaDot, a, g);
        const r = env.step([a]); // a plain array is a float64 action
        assertAlmostEquals(r.reward, ref.reward, 1e-9);
        for (let i = 0; i < 3; i++) assertAlmostEquals(r.obs[i], ref.obs[i], 1e-6);
        const [envTheta, envThetaDot] = env.physicalState;
        assertAlmostEquals(envTheta, ref.theta, 1e-9);
        assertAlmostEquals(envThetaDot, ref.thetaDot, 1e-9);
        assertEquals(r.terminated, false);
        assertEquals(r.truncated, false);
        theta = ref.theta;
        thetaDot = ref.thetaDot;
      }
    }
  }
});

Deno.test("Pendulum-v1: float32 actions agree with the equations to float32 precision", () => {
  const env = started();
  env.setPhysicalState([1, 0]);
  let theta = 1;
  let thetaDot = 0;
  for (let t = 0; t < 20; t++) {
    const a = Math.fround(1.7 * Math.sin(t));
    const ref = referenceStep(theta, thetaDot, a);
    const r = env.step(new Float32Array([a]));
    assertAlmostEquals(r.reward, ref.reward, 1e-6);
    for (let i = 0; i < 3; i++) assertAlmostEquals(r.obs[i], ref.obs[i], 1e-5);
    [theta, thetaDot] = env.physicalState; // follow the env so rounding does not accumulate
  }
});

Deno.test("Pendulum-v1 clips the speed to ±8 and the torque to ±2", () => {
  // θ = π/2: gravity adds 15·0.05 = 0.75, torque 2 adds 0.3: 7.9 + 1.05 > 8.
  const env = started();
  env.setPhysicalState([Math.PI / 2, 7.9]);
  const r = env.step([2]);
  assertEquals(r.obs[2], 8);
  assertEquals(env.physicalState, [Math.PI / 2 + 8 * 0.05, 8]);
  assertAlmostEquals(r.reward, -((Math.PI / 2) ** 2 + 0.1 * 7.9 ** 2 + 0.001 * 4), 1e-12);
  env.setPhysicalState([-Math.PI / 2, -7.9]);
  assertEquals(env.step([-2]).obs[2], -8);

  // Out-of-range torques act like the bound, in the dynamics and in the cost.
  for (const [a, bound] of [[5, 2], [-7, -2], [2.0000001, 2]]) {
    const x = started();
    const y = started();
    x.setPhysicalState([0.4, -1]);
    y.setPhysicalState([0.4, -1]);
    const rx = x.step([a]);
    const ry = y.step([bound]);
    assertEquals([...rx.obs], [...ry.obs]);
    assertEquals(rx.reward, ry.reward);
    assertEquals(x.lastU, bound);
  }
});

Deno.test("angleNormalize maps to [-π, π) like ((x + π) mod 2π) - π", () => {
  assertEquals(angleNormalize(0), 0);
  assertAlmostEquals(angleNormalize(1.5 * Math.PI), -0.5 * Math.PI, 1e-15);
  assertAlmostEquals(angleNormalize(-1.5 * Math.PI), 0.5 * Math.PI, 1e-15);
  assertEquals(angleNormalize(Math.PI), -Math.PI); // the upper end wraps to -π
  assertEquals(angleNormalize(-Math.PI), -Math.PI);
  for (const x of [7, -7, 100, -100, 1e4, 3.2, -3.2]) {
    const y = angleNormalize(x);
    assert(y >= -Math.PI && y < Math.PI);
    assertAlmostEquals(Math.cos(y), Math.cos(x), 1e-9);
    assertAlmostEquals(Math.sin(y), Math.sin(x), 1e-9);
  }
});

Deno.test("Pendulum-v1 spaces, reset distribution and reset options", () => {
  const env = new PendulumEnv();
  assertEquals([...env.observationSpace.low], [-1, -1, -8]);
  assertEquals([...env.observationSpace.high], [1, 1, 8]);
  assertEquals([...env.actionSpace.low], [-2]);
  assertEquals([...env.actionSpace.high], [2]);
  assertEquals(env.observationSpace.dtype, "float32");
  for (let seed = 0; seed < 200; seed++) {
    env.reset({ seed });
    const [theta, thetaDot] = env.physicalState;
    assert(Math.abs(theta) <= Math.PI && Math.abs(thetaDot) <= 1);
  }
  env.reset({ seed: 5, options: { x_init: 0.5, y_init: 0.1 } });
  const [theta, thetaDot] = env.physicalState;
  assert(Math.abs(theta) <= 0.5 && Math.abs(thetaDot) <= 0.1);
  assertEquals(env.lastU, null);
  env.reset({ seed: 5, options: { y_init: 0 } }); // x_init keeps its default π
  assertEquals(env.physicalState[1], 0);
  assertThrows(() => env.reset({ options: { x_init: -1 } }), RangeError, "high - low < 0");
  assertThrows(() => env.reset({ options: { x_init: "a" } }), TypeError, `option "x_init"`);
  assertThrows(() => env.reset({ options: { xinit: 1 } }), TypeError, `did you mean "x_init"`);
});

Deno.test({
  name: "Pendulum-v1 seeded resets draw Gymnasium's values (reset options included)",
  ignore: oracle === null,
  fn: () => {
    // np_random(seed) is default_rng(seed), whose first doubles u the oracle holds; Gymnasium
    // draws uniform(low=-high, high=high) for high = [x_init, y_init]: -h + (h - -h)·u.
    const u = (seed: string) =>
      oracle.pcg64.find((c: { seed: string }) => c.seed === seed).random_8 as number[];
    const env = new PendulumEnv();
    const draw = (h: number, v: number) => -h + (h - -h) * v;
    env.reset({ seed: 1, options: { x_init: 0.5, y_init: 0.1 } });
    assertEquals(env.physicalState, [draw(0.5, u("1")[0]), draw(0.1, u("1")[1])]);
    env.reset({ seed: 42, options: { y_init: 0 } });
    assertEquals(env.physicalState, [draw(Math.PI, u("42")[0]), 0]);
    env.reset({ seed: 2147483647 });
    assertEquals(env.physicalState, [
      draw(Math.PI, u("2147483647")[0]),
      draw(1, u("2147483647")[1]),
    ]);
  },
});

Deno.test("Pendulum-v1 seeded determinism", () => {
  const rollout = (seed: number | undefined, env = new PendulumEnv()) => {
    const out: number[] = [...env.reset(seed === undefined ? {} : { seed }).obs];
    for (let t = 0; t < 50; t++) {
      const r = env.step(new Float32Array([Math.sin(t) * 2.5]));
      out.push(...r.obs, r.reward);
    }
    return out;
  };
  assertEquals(rollout(42), rollout(42));
  assertNotEquals(rollout(42), rollout(43));
  // reset() without a seed continues the stream: it equals the second episode after seeding.
  const env = new PendulumEnv();
  rollout(9, env);
  const continued = rollout(undefined, env);
  const reference = new PendulumEnv();
  reference.reset({ seed: 9 });
  assertEquals(continued, rollout(undefined, reference));
});

Deno.test("Pendulum-v1 invalid actions and options are clear errors", () => {
  const env = started();
  assertThrows(() => env.step([1, 2]), TypeError, "Pendulum-v1.step: invalid action [1, 2]");
  assertThrows(() => env.step([Number.NaN]), TypeError, "element 0 is NaN");
  assertThrows(() => env.step(new Float32Array([Infinity])), TypeError, "shape [1]");
  assertThrows(() => env.step([]), TypeError, "Box(-2.0, 2.0, (1,), float32)");
  assertThrows(() => env.step(["1"] as unknown as number[]), TypeError, "Pendulum-v1");
  assertThrows(() => new PendulumEnv({ g: Number.NaN }), TypeError, `option "g"`);
  assertThrows(
    () => new PendulumEnv({ gravity: 9.8 } as unknown as { g: number }),
    TypeError,
    `unknown option "gravity"`,
  );
  assertThrows(() => env.setPhysicalState([1]), TypeError, "[theta, thetaDot]");
  assertThrows(() => env.setPhysicalState([1, Number.NaN]), TypeError, "finite");
});

Deno.test("Pendulum-v1 never terminates on its own", () => {
  const env = started();
  for (let t = 0; t < 500; t++) assertEquals(env.step([2]).terminated, false);
});
