import { assertEquals, assertThrows } from "@std/assert";
import { PCG64, SeedSequence } from "../../lib/np_random/mod.ts";
import { type Case, differences, numpyPython, numpyReference, ours } from "./_numpy.ts";
import { oracle } from "./_oracle.ts";

/** PCG XSL-RR 128/64 written directly in BigInt: an independent check of the 16-bit-limb code. */
class BigIntPcg64 {
  static readonly M = 0x2360ed051fc65da44385df649fccf645n;
  static readonly MASK = (1n << 128n) - 1n;
  constructor(public state: bigint, public inc: bigint) {}
  next(): bigint {
    this.state = (this.state * BigIntPcg64.M + this.inc) & BigIntPcg64.MASK;
    const hi = this.state >> 64n;
    const x = hi ^ (this.state & 0xffffffffffffffffn);
    const rot = hi >> 58n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & 0xffffffffffffffffn;
  }
}

Deno.test({
  name: "PCG64: seeding and random_raw equal the numpy oracle",
  ignore: oracle === null,
  fn: () => {
    for (const c of oracle.pcg64) {
      const bg = new PCG64(BigInt(c.seed));
      const s = bg.getState();
      assertEquals({ state: s.state, inc: s.inc }, c.pcg64_initial_state, `seed ${c.seed}`);
      assertEquals(Array.from(bg.randomRaw(8), String), c.pcg64_random_raw_8);
      const fresh = new PCG64(new SeedSequence(BigInt(c.seed)));
      assertEquals(Array.from({ length: 8 }, () => fresh.nextDouble()), c.random_8);
    }
  },
});

Deno.test("PCG64: the limb arithmetic equals a BigInt LCG from random and extreme states", () => {
  const seeds = new PCG64(99);
  for (let k = 0; k < 20; k++) {
    const state = (seeds.randomRaw() << 64n) | seeds.randomRaw();
    const inc = (((seeds.randomRaw() << 64n) | seeds.randomRaw()) | 1n) & BigIntPcg64.MASK;
    const bg = new PCG64(0);
    bg.setState({
      bitGenerator: "PCG64",
      state: `${state}`,
      inc: `${inc}`,
      hasUint32: false,
      uinteger: 0,
    });
    const ref = new BigIntPcg64(state, inc);
    for (let i = 0; i < 1000; i++) assertEquals(bg.randomRaw(), ref.next());
  }
  // states where the rotation is 0, 32 and > 32 and words overflow: all-ones and powers of two
  for (const state of [0n, BigIntPcg64.MASK, 1n << 127n, (1n << 96n) - 1n]) {
    const bg = new PCG64(0);
    bg.setState({
      bitGenerator: "PCG64",
      state: `${state}`,
      inc: `${BigIntPcg64.MASK}`,
      hasUint32: false,
      uinteger: 0,
    });
    const ref = new BigIntPcg64(state, BigIntPcg64.MASK);
    for (let i = 0; i < 20000; i++) assertEquals(bg.randomRaw(), ref.next());
  }
});

Deno.test("PCG64: nextUint32 hands out the low half, then the buffered high half; doubles skip it", () => {
  const a = new PCG64(5);
  const raw = new PCG64(5).randomRaw(3);
  assertEquals(a.nextUint32(), Number(raw[0] & 0xffffffffn));
  const d = a.nextDouble(); // consumes raw[1], keeps the buffer
  assertEquals(d, Number(raw[1] >> 11n) * 2 ** -53);
  assertEquals(a.getState().hasUint32, true);
  assertEquals(a.nextUint32(), Number(raw[0] >> 32n));
  assertEquals(a.nextUint32(), Number(raw[2] & 0xffffffffn));
});

Deno.test("PCG64: getState/setState round-trip through JSON and continue exactly", () => {
  const a = new PCG64(12345);
  a.randomRaw(10);
  a.nextUint32();
  const saved = JSON.parse(JSON.stringify(a.getState()));
  const expected = [a.nextUint32(), a.nextDouble(), String(a.randomRaw())];
  const b = new PCG64(1);
  b.setState(saved);
  assertEquals([b.nextUint32(), b.nextDouble(), String(b.randomRaw())], expected);
  assertThrows(() => b.setState({ ...saved, inc: "2" }), TypeError, "odd");
  assertThrows(() => b.setState({ ...saved, state: "-1" }), TypeError, "decimal");
  assertThrows(() => b.setState({ ...saved, state: (1n << 128n).toString() }), TypeError, "2^128");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => b.setState({ ...saved, bitGenerator: "MT19937" } as any), TypeError, "PCG64");
  assertThrows(() => new PCG64(-3), RangeError, "non-negative");
});

Deno.test({
  name: "PCG64: 50 seeds (small, 64-bit, 128-bit, arrays) give numpy's random_raw streams",
  ignore: numpyPython === null,
  fn: async () => {
    const seeds: Case["seed"][] = [];
    for (let s = 0; s < 30; s++) seeds.push(s);
    for (let s = 0; s < 10; s++) seeds.push(2n ** 64n - 1n - BigInt(s) * 1234567n);
    for (let s = 0; s < 5; s++) seeds.push(2n ** 128n + BigInt(s));
    for (let s = 0; s < 5; s++) seeds.push([s, 1, 2, 3, 4, 5]);
    const cases: Case[] = seeds.map((seed, k) => ({
      kind: "pcg64",
      seed,
      calls: [{ method: "random_raw", kwargs: { size: k === 0 ? 100_000 : 2000 } }],
    }));
    const ref = await numpyReference(numpyPython!, cases);
    const mine = ours(cases);
    assertEquals(differences(cases, mine.outcomes, ref.outcomes), []);
    mine.gens.forEach((g, k) => {
      const s = (g as PCG64).getState();
      assertEquals({ state: s.state, inc: s.inc }, {
        state: ref.states[k]!.state,
        inc: ref.states[k]!.inc,
      });
    });
  },
});
