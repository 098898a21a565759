import { assertEquals, assertThrows } from "@std/assert";
import { entropyWords, SeedSequence } from "../../lib/np_random/mod.ts";
import { type Case, differences, numpyPython, numpyReference, ours } from "./_numpy.ts";
import { oracle } from "./_oracle.ts";

Deno.test({
  name: "SeedSequence: pools and generate_state(4, uint64) equal the numpy oracle",
  ignore: oracle === null,
  fn: () => {
    for (const c of oracle.pcg64) {
      const ss = new SeedSequence(BigInt(c.seed));
      assertEquals(Array.from(ss.pool), c.seedsequence_pool_uint32, `seed ${c.seed}`);
      assertEquals(
        Array.from(ss.generateState(4, "uint64"), String),
        c.seedsequence_generate_state_4_uint64,
      );
    }
  },
});

Deno.test("SeedSequence: entropy words as numpy splits them; uint64 words pair uint32 words", () => {
  assertEquals(entropyWords(0), [0]);
  assertEquals(entropyWords(2 ** 40), [0, 256]);
  assertEquals(entropyWords([1, 2 ** 40]), [1, 0, 256]);
  assertEquals(entropyWords(2n ** 64n + 5n), [5, 0, 1]);
  // a number and the same bigint are the same seed; a list [1, 2^40] is the words [1, 0, 256]
  assertEquals(new SeedSequence(12345).pool, new SeedSequence(12345n).pool);
  assertEquals(new SeedSequence([1, 2 ** 40]).pool, new SeedSequence([1, 0, 256]).pool);
  const ss = new SeedSequence(7);
  const w = ss.generateState(6, "uint32");
  const u = ss.generateState(3, "uint64");
  for (let k = 0; k < 3; k++) assertEquals(u[k], (BigInt(w[2 * k + 1]) << 32n) | BigInt(w[2 * k]));
  // unseeded: 128 bits of OS entropy, different each time
  const a = new SeedSequence();
  assertEquals(typeof a.entropy, "bigint");
  assertEquals(a.pool.length, 4);
});

Deno.test("SeedSequence: bad entropy is a one-line error", () => {
  assertThrows(() => new SeedSequence(-1), RangeError, "non-negative integer");
  assertThrows(() => new SeedSequence(1.5), RangeError, "non-negative integer");
  assertThrows(() => new SeedSequence([1, -2n]), RangeError, "non-negative integer");
  assertThrows(() => new SeedSequence(2 ** 53), RangeError, "as bigint");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new SeedSequence("3" as any), TypeError, "integer");
  assertThrows(() => new SeedSequence(1).generateState(-1), RangeError, "nWords");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new SeedSequence(1).generateState(2, "uint16" as any), TypeError, "dtype");
});

Deno.test({
  name: "SeedSequence equals numpy for 60 entropies (ints, 128-bit ints, arrays, long arrays)",
  ignore: numpyPython === null,
  fn: async () => {
    const seeds: Case["seed"][] = [];
    for (let s = 0; s < 30; s++) seeds.push(s * 7919 + (s % 3 === 0 ? 2 ** 40 : 0));
    for (let s = 0; s < 10; s++) seeds.push((2n ** 127n) / BigInt(s + 1) + BigInt(s));
    for (let s = 0; s < 10; s++) seeds.push(Array.from({ length: s + 1 }, (_, i) => i * 1000 + s));
    for (let s = 0; s < 10; s++) seeds.push([s, 2n ** 70n + BigInt(s), 0, 12345678901234]);
    const cases: Case[] = seeds.map((seed) => ({
      kind: "seedsequence",
      seed,
      calls: [
        { method: "generate_state", args: [9, "uint32"] },
        { method: "generate_state", args: [5, "uint64"] },
      ],
    }));
    const ref = await numpyReference(numpyPython!, cases);
    const mine = ours(cases);
    assertEquals(differences(cases, mine.outcomes, ref.outcomes), []);
    mine.gens.forEach((g, k) => {
      assertEquals(Array.from((g as SeedSequence).pool), ref.states[k]!.pool, `pool ${k}`);
    });
  },
});
