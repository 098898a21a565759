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

Deno.test("reset({seed}) reseeds with new Rng(seed); reset() continues that stream", () => {
  const env = new PendulumEnv();
  const first = env.reset({ seed: 7 }).obs;
  const second = env.reset().obs;
  const third = env.reset({ seed: 7 }).obs;
  // Independent derivation: θ ~ U[-π, π] then θ̇ ~ U[-1, 1], consecutive draws of Rng(7).
  const rng = new Rng(7);
  const expected1 = pendulumObs(rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1));
  const expected2 = pendulumObs(rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1));
  assertEquals([...first], expected1);
  assertEquals([...second], expected2);
  assertEquals([...third], expected1);
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
    "malformed",
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
