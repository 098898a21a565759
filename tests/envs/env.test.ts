import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import {
  checkAction,
  checkOptions,
  closestMatch,
  describe,
  entropySeed,
  optionChecks,
} from "../../lib/envs/env.ts";
import { PendulumEnv } from "../../lib/envs/classic_control/pendulum.ts";
import { Rng } from "../../lib/rng.ts";
import { Generator, npRandom } from "../../lib/np_random/mod.ts";
import { makeEnv } from "../../lib/envs/mod.ts";
import { oracle } from "../np_random/_oracle.ts";

/** Pendulum's reset observation for initial state (θ, θ̇), straight from its definition. */
function pendulumObs(theta: number, thetaDot: number): number[] {
  return [Math.fround(Math.cos(theta)), Math.fround(Math.sin(theta)), Math.fround(thetaDot)];
}

Deno.test("step before reset is an error that says to call reset (OrderEnforcing)", () => {
  const env = new PendulumEnv();
  assertThrows(() => env.step([0]), Error, "before reset()");
  env.reset({ seed: 0 });
  env.step([0]);
});

Deno.test({
  name: "reset({seed}) installs Gymnasium's np_random(seed); reset() continues that stream",
  ignore: oracle === null,
  fn: () => {
    const env = new PendulumEnv();
    const first = env.reset({ seed: 0 }).obs;
    const second = env.reset().obs;
    const third = env.reset({ seed: 0 }).obs;
    // Gymnasium's np_random(0) is numpy's default_rng(0), whose first doubles the oracle holds;
    // Pendulum draws θ ~ U(−π, π) then θ̇ ~ U(−1, 1), numpy computing low + (high − low)·u.
    const u = oracle.pcg64.find((c: { seed: string }) => c.seed === "0").random_8;
    const draw = (k: number, h: number) => -h + (h - -h) * u[k];
    assertEquals([...first], pendulumObs(draw(0, Math.PI), draw(1, 1)));
    assertEquals([...second], pendulumObs(draw(2, Math.PI), draw(3, 1)));
    assertEquals([...third], [...first]);
  },
});

Deno.test("env.npRandom is the env's numpy Generator: npRandom(seed) after reset({ seed })", () => {
  const env = new PendulumEnv();
  env.reset({ seed: 5 });
  const reference = npRandom(5);
  reference.uniform(-Math.PI, Math.PI);
  reference.uniform(-1, 1);
  assert(env.npRandom instanceof Generator);
  assertEquals(env.npRandom.getState(), reference.getState());
  assertEquals(env.getState().rng, reference.getState());
});

Deno.test("an env that was never seeded draws its seed from OS entropy", () => {
  const a = new PendulumEnv().reset().obs;
  const b = new PendulumEnv().reset().obs;
  assertNotEquals([...a], [...b]);
  const s = entropySeed();
  assert(Number.isSafeInteger(s) && s >= 0);
});

Deno.test("observations are fresh arrays that later steps do not overwrite", () => {
  const env = new PendulumEnv();
  const o0 = env.reset({ seed: 1 }).obs;
  const copy0 = [...o0];
  const o1 = env.step([1]).obs;
  const copy1 = [...o1];
  for (let t = 0; t < 2000; t++) env.step([1]); // cycle through many pooled chunks
  assert(o0 !== o1);
  assertEquals([...o0], copy0);
  assertEquals([...o1], copy1);
  o1[0] = 123; // callers may write into their copy
  assertEquals([...o0], copy0);
});

Deno.test("bad reset arguments are errors that name the argument", () => {
  const env = new PendulumEnv();
  assertThrows(() => env.reset({ seed: -1 }), TypeError, `option "seed"`);
  assertThrows(() => env.reset({ seed: 1.5 }), TypeError, "non-negative integer");
  assertThrows(() => env.reset({ seed: "3" as unknown as number }), TypeError, "seed");
  assertThrows(
    () => env.reset({ sed: 3 } as unknown as { seed: number }),
    TypeError,
    `unknown option "sed" (did you mean "seed"?)`,
  );
  assertThrows(() => env.reset({ options: [] as unknown as Record<string, unknown> }), TypeError);
});

Deno.test("getState / setState restore physics, generator and order state through JSON", () => {
  const env = new PendulumEnv();
  env.reset({ seed: 3 });
  for (let t = 0; t < 17; t++) env.step([Math.sin(t)]);
  const saved = JSON.parse(JSON.stringify(env.getState()));
  const continuation = (e: PendulumEnv) => {
    const out: number[] = [];
    for (let t = 0; t < 30; t++) {
      const r = e.step(new Float32Array([Math.cos(t) * 3]));
      out.push(...r.obs, r.reward);
    }
    out.push(...e.reset().obs); // the generator continues identically too
    return out;
  };
  const expected = continuation(env);
  const restored = new PendulumEnv();
  restored.setState(saved);
  assertEquals(continuation(restored), expected);
  // A never-reset env's state keeps step() forbidden after restoring.
  const fresh = new PendulumEnv();
  const other = new PendulumEnv();
  other.setState(fresh.getState());
  assertThrows(() => other.step([0]), Error, "before reset()");
});

Deno.test("setState rejects states of other envs or malformed ones", () => {
  const env = new PendulumEnv();
  assertThrows(() => env.setState({ env: "MountainCarContinuous-v0" }), TypeError, "Pendulum-v1");
  assertThrows(
    () => env.setState({ env: "Pendulum-v1", hasReset: true, rng: [0, 0], physics: {} }),
    TypeError,
    "state.rng must be null",
  );
  assertThrows(
    () =>
      env.setState({
        env: "Pendulum-v1",
        hasReset: true,
        rng: { bitGenerator: "PCG64", state: "1", inc: "2", hasUint32: false, uinteger: 0 },
        physics: { g: 10, theta: 0, thetaDot: 0, lastU: null },
      }),
    TypeError,
    "inc must be odd",
  );
  const s = env.getState();
  assertThrows(
    () => new PendulumEnv({ g: 9.81 }).setState(s),
    RangeError,
    "same options",
  );
});

Deno.test("checkAction names the env, the action and the expected shape", () => {
  const space = "Box(-2.0, 2.0, (1,), float32)";
  checkAction("X-v0", new Float32Array([0.5]), 1, space);
  assertThrows(
    () => checkAction("X-v0", [1, 2], 1, space),
    TypeError,
    "X-v0.step: invalid action [1, 2]",
  );
  assertThrows(() => checkAction("X-v0", [Number.NaN], 1, space), TypeError, "element 0 is NaN");
  assertThrows(() => checkAction("X-v0", [Infinity], 1, space), TypeError, "shape [1]");
  assertThrows(() => checkAction("X-v0", ["1"] as unknown as number[], 1, space), TypeError, `"1"`);
  assertThrows(() => checkAction("X-v0", null as unknown as number[], 1, space), TypeError, "null");
  assertThrows(() => checkAction("X-v0", 0.5 as unknown as number[], 1, space), TypeError, space);
});

Deno.test("checkOptions, optionChecks, closestMatch and describe", () => {
  checkOptions("E", { g: 1 }, { g: optionChecks.finiteNumber });
  checkOptions("E", undefined, { g: optionChecks.finiteNumber });
  assertThrows(
    () => checkOptions("E", { gg: 1 }, { g: optionChecks.finiteNumber }),
    TypeError,
    `E: unknown option "gg" (did you mean "g"?); valid options are: g`,
  );
  assertThrows(
    () => checkOptions("E", { g: Number.NaN }, { g: optionChecks.finiteNumber }),
    TypeError,
    `option "g" must be a finite number, got NaN`,
  );
  assertThrows(() => checkOptions("E", { x: 1 }, {}), TypeError, "it takes no options");
  assertThrows(() => checkOptions("E", 5, {}), TypeError, "plain object");
  assertEquals(optionChecks.positiveInteger(0), "must be a positive integer");
  assertEquals(optionChecks.positiveInteger(3), null);
  assertEquals(optionChecks.boolean(1), "must be true or false");
  assertEquals(
    closestMatch("pendulum-v0", ["Pendulum-v1", "MountainCarContinuous-v0"]),
    "Pendulum-v1",
  );
  assertEquals(closestMatch("CartPole-v1", ["Pendulum-v1", "MountainCarContinuous-v0"]), undefined);
  assertEquals(describe(new Float32Array([1, 2])), "Float32Array [1, 2]");
  assertEquals(describe([1, "a", null]), `[1, "a", null]`);
  assertEquals(describe({ a: 1 }), `{"a":1}`);
});

// Env states written by the code before lib/np_random (commit ef67449, main at the time): the
// generator was xoshiro128** and its four words were saved as `rng`. Captured by running that
// code: makeEnv(id), reset({ seed }), one step, getState(); then reset(), step, reset() and the
// final getState().
const OLD_STATES = {
  "Pendulum-v1": {
    action: 0.5,
    state: {
      wrapper: "TimeLimit",
      maxEpisodeSteps: 200,
      elapsedSteps: 1,
      env: {
        env: "Pendulum-v1",
        hasReset: true,
        rng: [2362957616, 475099406, 1798749426, 871644055],
        physics: { g: 10, theta: 2.4200996317546304, thetaDot: 1.2194106824151345, lastU: 0.5 },
      },
    },
    continuation: [
      [-0.5466310381889343, -0.8373736143112183, 0.09651757776737213],
      [-0.565600574016571, -0.8246793150901794, -0.4565126299858093],
      [-0.7963170409202576, 0.6048794388771057, -0.547707200050354],
    ],
    after: {
      wrapper: "TimeLimit",
      maxEpisodeSteps: 200,
      elapsedSteps: 0,
      env: {
        env: "Pendulum-v1",
        hasReset: true,
        rng: [3734417271, 127394780, 181122622, 1399722759],
        physics: { g: 10, theta: 2.4919781559919754, thetaDot: -0.547707181987249, lastU: null },
      },
    },
  },
  "MountainCarContinuous-v0": {
    action: -0.25,
    state: {
      wrapper: "TimeLimit",
      maxEpisodeSteps: 999,
      elapsedSteps: 1,
      env: {
        env: "MountainCarContinuous-v0",
        hasReset: true,
        rng: [791995062, 896807020, 3943421676, 533205543],
        physics: {
          goalVelocity: 0,
          position: -0.48837998509407043,
          velocity: -0.0006434482056647539,
          dtype: "float32",
        },
      },
    },
    continuation: [
      [-0.45761263370513916, 0],
      [-0.4584793150424957, -0.0008666701032780111],
      [-0.4550270140171051, 0],
    ],
    after: {
      wrapper: "TimeLimit",
      maxEpisodeSteps: 999,
      elapsedSteps: 0,
      env: {
        env: "MountainCarContinuous-v0",
        hasReset: true,
        rng: [3434397878, 3882592028, 2953970356, 2473188952],
        physics: { goalVelocity: 0, position: -0.4550270126516064, velocity: 0, dtype: "float64" },
      },
    },
  },
};

Deno.test("old env states (rng = four xoshiro128** words) load and continue as the old code did", () => {
  for (const [id, old] of Object.entries(OLD_STATES)) {
    const env = makeEnv(id);
    env.setState(structuredClone(old.state));
    const got = [
      [...env.reset().obs],
      [...env.step(new Float32Array([old.action])).obs],
      [...env.reset().obs],
    ];
    assertEquals(got, old.continuation, id);
    assertEquals(env.getState(), old.after, `${id}: saved again in the old format`);
    // the next seeded reset switches to Gymnasium's generator
    env.reset({ seed: 1 });
    const inner = env.getState().env as { rng: { bitGenerator: string } };
    assertEquals(inner.rng.bitGenerator, "PCG64");
  }
});

Deno.test("an old state built with lib/rng.ts continues its stream through reset()", () => {
  // What the old BaseEnv saved after reset({ seed: 11 }) on Pendulum-v1: new Rng(11) drew θ, θ̇.
  const rng = new Rng(11);
  const theta = rng.uniform(-Math.PI, Math.PI);
  const thetaDot = rng.uniform(-1, 1);
  const env = new PendulumEnv();
  env.setState({
    env: "Pendulum-v1",
    hasReset: true,
    rng: rng.getState(),
    physics: { g: 10, theta, thetaDot, lastU: null },
  });
  assertEquals(env.physicalState, [theta, thetaDot]);
  const expected = pendulumObs(rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1));
  assertEquals([...env.reset().obs], expected);
  assertEquals(env.getState().rng, rng.getState());
  assert(env.npRandom instanceof Generator);
  assertThrows(() => env.npRandom.getState(), TypeError, "xoshiro128**");
});
