import { assert, assertEquals, assertThrows } from "@std/assert";
import { Generator, npRandom, PCG64, SeedSequence } from "../../lib/np_random/mod.ts";
import { type Case, differences, gymPython, numpyReference, ours } from "./_numpy.ts";
import { oracle, sameNumbers } from "./_oracle.ts";

Deno.test({
  name: "npRandom(seed) equals gymnasium's seeding.np_random(seed) in the oracle",
  ignore: oracle === null,
  fn: () => {
    for (const c of oracle.gymnasium_np_random) {
      assert(
        sameNumbers(npRandom(c.seed).uniform(-1, 1, 8), c["uniform_-1_1_8"]),
        `seed ${c.seed}`,
      );
    }
  },
});

Deno.test("npRandom: Generator(PCG64(SeedSequence(seed))); unseeded draws OS entropy; bad seeds", () => {
  assertEquals(npRandom(5).getState(), new Generator(new PCG64(new SeedSequence(5))).getState());
  assertEquals(npRandom(2n ** 80n).getState(), new Generator(new PCG64(2n ** 80n)).getState());
  assert(npRandom().getState().state !== npRandom().getState().state);
  assertThrows(() => npRandom(-1), RangeError, "non-negative integer");
  assertThrows(() => npRandom(1.5), RangeError, "non-negative integer");
  assertThrows(() => npRandom(Number.NaN), RangeError, "non-negative integer");
});

Deno.test({
  name: "npRandom equals gymnasium's np_random for 40 seeds (uniform, normal, integers, state)",
  ignore: gymPython === null,
  fn: async () => {
    const seeds = [
      ...Array.from({ length: 30 }, (_, i) => i),
      2 ** 31 - 1,
      2 ** 32,
      2 ** 40 + 3,
      2 ** 53 - 1,
      123456789,
      987654321,
      10 ** 15,
      31337,
      271828,
      314159,
    ];
    const cases: Case[] = seeds.map((seed) => ({
      kind: "gym",
      seed,
      calls: [
        { method: "uniform", args: [-1, 1], kwargs: { size: 8 } },
        { method: "uniform", args: [-Math.PI, Math.PI] },
        { method: "standard_normal", kwargs: { size: 17 } },
        { method: "integers", args: [5.0, 10] },
        { method: "uniform", args: [-0.6, -0.4] },
      ],
    }));
    const ref = await numpyReference(gymPython!, cases);
    const mine = ours(cases);
    assertEquals(differences(cases, mine.outcomes, ref.outcomes), []);
    mine.gens.forEach((g, k) => {
      const { bitGenerator: _, ...s } = (g as Generator).getState();
      assertEquals(s, ref.states[k]);
    });
  },
});
