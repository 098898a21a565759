import { assert, assertEquals, assertThrows } from "@std/assert";
import { RandomState } from "../../lib/np_random/mod.ts";
import { type Call, type Case, differences, numpyPython, numpyReference, ours } from "./_numpy.ts";
import { oracle, sameNumbers } from "./_oracle.ts";

Deno.test({
  name:
    "RandomState: MT19937 key, uniform, randn and dm_control's scalar uniforms equal the oracle",
  ignore: oracle === null,
  fn: () => {
    for (const c of oracle.randomstate) {
      const fresh = () => new RandomState(c.seed);
      const s = fresh().getState();
      assertEquals(s.key.slice(0, 4), c.mt19937_key_first4);
      assertEquals(s.pos, c.mt19937_pos);
      assert(sameNumbers(fresh().uniform(0, 1, 8), c.uniform_8), `uniform, seed ${c.seed}`);
      assert(sameNumbers(fresh().randn(8), c.randn_8), `randn, seed ${c.seed}`);
      assert(sameNumbers(fresh().uniform(-0.2, 0.2, 8), c["uniform_-0.2_0.2_8"]));
      const one = fresh();
      const scalars = [0, 1, 2, 3].map(() => one.uniform(-Math.PI, Math.PI));
      assert(sameNumbers(scalars, c["uniform_-pi_pi_4_scalar_calls"]));
    }
  },
});

Deno.test("RandomState: the cached Gaussian spare is handed out by the next call and saved", () => {
  const a = new RandomState(3);
  const pair = a.randn(2);
  const b = new RandomState(3);
  assertEquals(b.randn(), pair[0]);
  const saved = JSON.parse(JSON.stringify(b.getState()));
  assertEquals(saved.hasGauss, true);
  assertEquals(saved.gauss, pair[1]);
  const c = new RandomState(0);
  c.setState(saved);
  assertEquals(c.standardNormal(), pair[1]); // the spare, no draw
  assertEquals(c.getState().hasGauss, false);
  assertEquals(c.getState().key, saved.key);
});

Deno.test("RandomState: bad arguments are one-line errors like numpy's", () => {
  const r = new RandomState(0);
  assertThrows(() => new RandomState(-1), RangeError, "between 0 and 2**32 - 1");
  assertThrows(() => new RandomState(2 ** 32), RangeError, "between 0 and 2**32 - 1");
  assertThrows(() => r.randint(5, 1), RangeError, "low >= high");
  assertThrows(() => r.randint(Number.NaN, 1), RangeError, "finite");
  assertThrows(() => r.uniform(Number.NaN, 1), RangeError, "not finite");
  assertThrows(() => r.choice(0), RangeError, "greater than 0");
  assertThrows(() => r.choice([]), RangeError, "cannot be empty");
  assertThrows(() => r.choice(3, undefined, true, [0.5, 0.6, 0.1]), RangeError, "sum to 1");
  assertThrows(() => r.choice(3, undefined, true, [0.5, 0.5]), RangeError, "same size");
  assertThrows(() => r.choice(3, undefined, true, [1.5, -0.5, 0]), RangeError, "non-negative");
  assertThrows(() => r.choice(3, 5, false), RangeError, "larger sample");
  assertThrows(() => r.choice(3, 2, false, [1, 0, 0]), RangeError, "non-zero entries");
  assertEquals(r.uniform(5, 1) <= 5, true); // low > high is allowed in the legacy API
});

Deno.test({
  name: "RandomState equals numpy: 8 seeds, every method, spare caching across calls, choice",
  ignore: numpyPython === null,
  fn: async () => {
    const cases: Case[] = [];
    for (const seed of [0, 1, 2, 5, 42, 1234, 2 ** 31 + 5, 2 ** 32 - 1]) {
      const calls: Call[] = [
        { method: "random_sample", kwargs: { size: 1000 } },
        { method: "uniform", args: [-3, 7], kwargs: { size: 1000 } },
        { method: "uniform", args: [5, 1], kwargs: { size: 10 } }, // low > high: allowed
        { method: "randn", args: [3] }, // odd count: leaves a spare
        { method: "randn", args: [] }, // the spare
        { method: "randn", args: [] }, // fresh pair
        { method: "standard_normal", kwargs: { size: 5 } }, // starts with the spare
        { method: "normal", args: [1, 2], kwargs: { size: 3 } },
        { method: "uniform", args: [] }, // a uniform between Gaussians keeps the spare
        { method: "randn", args: [1001] },
        { method: "randint", args: [0, 1], kwargs: { size: 5 } },
        { method: "randint", args: [10] },
        { method: "randint", args: [-7, 3], kwargs: { size: 500 } },
        { method: "randint", args: [0, 2 ** 32 - 1], kwargs: { size: 300 } },
        { method: "randint", args: [0, 2 ** 32], kwargs: { size: 300 } },
        { method: "randint", args: [0, 2 ** 32 + 1], kwargs: { size: 300 } },
        { method: "randint", args: [-(2 ** 45), 2 ** 45 + 3], kwargs: { size: 300 } },
        { method: "choice", args: [5] },
        { method: "choice", args: [7], kwargs: { size: 20 } },
        { method: "choice", args: [[10, 20, 30.5]], kwargs: { size: 6 } },
        { method: "choice", args: [4], kwargs: { size: 50, p: [0.1, 0.2, 0.3, 0.4] } },
        { method: "choice", args: [3], kwargs: { p: [0.5, 0, 0.5] } },
        { method: "choice", args: [10], kwargs: { size: 6, replace: false } },
        {
          method: "choice",
          args: [6],
          kwargs: { size: 4, replace: false, p: [0.3, 0.3, 0.1, 0.1, 0.1, 0.1] },
        },
        { method: "permutation", args: [17] },
        { method: "randint", args: [3, 3] }, // numpy raises
        { method: "choice", args: [3], kwargs: { p: [0.5, 0.6, 0.1] } }, // numpy raises
        { method: "randn", args: [] },
      ];
      cases.push({ kind: "randomstate", seed, calls });
    }
    cases.push({ kind: "randomstate", seed: 7, calls: [{ method: "randn", args: [1_000_001] }] });
    const ref = await numpyReference(numpyPython!, cases);
    const mine = ours(cases);
    assertEquals(differences(cases, mine.outcomes, ref.outcomes), []);
    mine.gens.forEach((g, k) => {
      const { bitGenerator: _, ...s } = (g as RandomState).getState();
      assertEquals(s, ref.states[k], `final state, case ${k}`);
    });
  },
});
