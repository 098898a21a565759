import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type BitGenerator,
  Generator,
  PCG64,
  zigguratStandardNormal,
} from "../../lib/np_random/mod.ts";
import { type Call, type Case, differences, numpyPython, numpyReference, ours } from "./_numpy.ts";
import { oracle, sameNumbers } from "./_oracle.ts";

const rngOf = (seed: number | bigint) => new Generator(new PCG64(seed));

Deno.test({
  name:
    "Generator: random, uniform, standard_normal, integers and the mixed sequence equal the oracle",
  ignore: oracle === null,
  fn: () => {
    for (const c of oracle.pcg64) {
      const s = BigInt(c.seed);
      assert(sameNumbers(rngOf(s).random(8), c.random_8), `random, seed ${c.seed}`);
      assert(sameNumbers(rngOf(s).uniform(-0.1, 0.1, 8), c["uniform_-0.1_0.1_8"]));
      assert(sameNumbers(rngOf(s).standardNormal(8), c.standard_normal_8));
      assertEquals(rngOf(s).integers(0, 10, 8), c.integers_0_10_8);
      // one generator, calls interleaved: integers(3, 5) after a uniform uses the buffered
      // high half of the first integers' draw
      const g = rngOf(s);
      for (const call of c.mixed_sequence_one_generator) {
        const size = call.kwargs.size;
        const [a, b] = call.args;
        const got = call.method === "integers"
          ? g.integers(a, b, size)
          : call.method === "uniform"
          ? g.uniform(a, b, size)
          : call.method === "normal"
          ? g.normal(a, b, size)
          : call.method === "random"
          ? g.random(size)
          : g.standardNormal(size);
        const want = call.value;
        assert(
          Array.isArray(want) ? sameNumbers(got as ArrayLike<number>, want) : Object.is(got, want),
          `seed ${c.seed}: ${call.method}(${call.args}) = ${got}, numpy ${want}`,
        );
      }
    }
  },
});

Deno.test("Generator: sizes give arrays drawn like repeated scalar calls; defaults as numpy", () => {
  const a = rngOf(11), b = rngOf(11);
  assert(sameNumbers(a.uniform(2, 3, 5), Array.from({ length: 5 }, () => b.uniform(2, 3))));
  assertEquals(a.integers(7, undefined, 4), Array.from({ length: 4 }, () => b.integers(7)));
  assert(sameNumbers(a.normal(1, 2, 3), Array.from({ length: 3 }, () => b.normal(1, 2))));
  assertEquals(a.random(0).length, 0);
  assertEquals(rngOf(4).uniform(), rngOf(4).random());
  assertEquals(rngOf(4).normal(), rngOf(4).standardNormal());
  assertEquals(rngOf(4).integers(0, 1, 3), [0, 0, 0]); // range 1 draws nothing
  const g = rngOf(4);
  g.integers(0, 1);
  assertEquals(g.getState(), rngOf(4).getState());
});

Deno.test("Generator: bad arguments are one-line errors like numpy's", () => {
  const g = rngOf(0);
  assertThrows(() => g.uniform(5, 1), RangeError, "high - low < 0");
  assertThrows(() => g.uniform(Number.NaN, 1), RangeError, "not finite");
  assertThrows(() => g.uniform(0, Infinity), RangeError, "not finite");
  assertThrows(() => g.integers(5, 5), RangeError, "low >= high");
  assertThrows(() => g.integers(6, 5), RangeError, "low >= high");
  assertThrows(() => g.integers(0), RangeError, "high <= 0");
  assertThrows(() => g.integers(Number.NaN, 3), RangeError, "finite number");
  assertThrows(() => g.integers(0, 2 ** 60), RangeError, "2^53");
  assertThrows(() => g.normal(0, -1), RangeError, "scale < 0");
  assertThrows(() => g.normal(Number.NaN, 1), RangeError, "finite");
  assertThrows(() => g.random(-1), RangeError, "size");
  assertThrows(() => g.random(1.5), RangeError, "size");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => new Generator({} as any), TypeError, "PCG64");
  for (const f of [() => g.uniform(5, 1), () => g.integers(5, 5)]) {
    try {
      f();
    } catch (e) {
      assert(!(e as Error).message.includes("\n"), "one line");
    }
  }
});

Deno.test("Generator: getState/setState round-trip through JSON mid-buffer", () => {
  const g = rngOf(77);
  g.integers(0, 10); // leaves a buffered high half
  const saved = JSON.parse(JSON.stringify(g.getState()));
  assertEquals(saved.hasUint32, true);
  const expected = [g.integers(0, 1000), g.standardNormal(), g.uniform(-1, 1)];
  const h = rngOf(0);
  h.setState(saved);
  assertEquals([h.integers(0, 1000), h.standardNormal(), h.uniform(-1, 1)], expected);
});

/** Counts what the ziggurat asks of the bit generator. */
class Counting implements BitGenerator {
  draws64 = 0;
  doubles = 0;
  constructor(readonly inner: PCG64) {}
  get outHi(): number {
    return this.inner.outHi;
  }
  get outLo(): number {
    return this.inner.outLo;
  }
  next64(): void {
    this.draws64++;
    this.inner.next64();
  }
  nextUint32(): number {
    return this.inner.nextUint32();
  }
  nextDouble(): number {
    this.doubles++;
    return this.inner.nextDouble();
  }
}

/** Interleaved scalar calls that exercise the buffered 32-bit half across double draws. */
function mixedCalls(seed: number, n: number): Call[] {
  const pick = rngOf((seed % 1000) + 1000);
  const menu: Call[] = [
    { method: "integers", args: [0, 10] },
    { method: "integers", args: [-7, 3] },
    { method: "integers", args: [0, 2 ** 32 - 1] },
    { method: "integers", args: [0, 2 ** 32] },
    { method: "integers", args: [0, 2 ** 32 + 1] },
    { method: "integers", args: [5.0, 10] },
    { method: "uniform", args: [-1, 1] },
    { method: "random", args: [] },
    { method: "standard_normal", args: [] },
    { method: "normal", args: [3, 0.25] },
    { method: "integers", args: [0, 10], kwargs: { size: 3 } },
  ];
  return Array.from({ length: n }, () => menu[pick.integers(0, menu.length)]);
}

Deno.test({
  name: "Generator equals numpy: 12 seeds, every method, integer ranges 1 .. 2^54, mixed sequences",
  ignore: numpyPython === null,
  fn: async () => {
    const cases: Case[] = [];
    for (const seed of [0, 1, 2, 3, 42, 99, 1234, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1, 7, 8]) {
      const calls: Call[] = [
        { method: "random", kwargs: { size: 2000 } },
        { method: "uniform", args: [-3, 7], kwargs: { size: 2000 } },
        { method: "uniform", args: [2.5, 2.5], kwargs: { size: 3 } },
        { method: "standard_normal", kwargs: { size: 5000 } },
        { method: "normal", args: [-2, 0.5], kwargs: { size: 500 } },
        { method: "integers", args: [0, 1], kwargs: { size: 10 } },
        { method: "integers", args: [0, 2], kwargs: { size: 500 } },
        { method: "integers", args: [0, 2 ** 32 - 1], kwargs: { size: 500 } },
        { method: "integers", args: [0, 2 ** 32], kwargs: { size: 500 } },
        { method: "integers", args: [0, 2 ** 32 + 1], kwargs: { size: 500 } },
        { method: "integers", args: [-(2 ** 40), 2 ** 40], kwargs: { size: 500 } },
        { method: "integers", args: [-(2 ** 53 - 1), 2 ** 53 - 1], kwargs: { size: 500 } },
        { method: "integers", args: [2 ** 33 + 1, 2 ** 34 + 3], kwargs: { size: 500 } },
        { method: "integers", args: [-5.5, 10.9], kwargs: { size: 200 } },
        { method: "integers", args: [1000] },
        { method: "integers", args: [3, 4] },
        // numpy raises these, so must we
        { method: "uniform", args: [5, 1] },
        { method: "uniform", args: [0, -0.0] },
        { method: "uniform", args: [Number.NaN, 1] },
        { method: "integers", args: [5, 5] },
        { method: "integers", args: [0] },
        { method: "integers", args: [-3] },
        { method: "normal", args: [0, -1] },
        ...mixedCalls(seed, 400),
      ];
      cases.push({ kind: "generator", seed, calls });
    }
    const ref = await numpyReference(numpyPython!, cases);
    const mine = ours(cases);
    assertEquals(differences(cases, mine.outcomes, ref.outcomes), []);
    mine.gens.forEach((g, k) => {
      const { bitGenerator: _, ...s } = (g as Generator).getState();
      assertEquals(s, ref.states[k], `final state, case ${k}`);
    });
  },
});

Deno.test({
  name: "Generator.standardNormal equals numpy over 2·10^6 draws, tail and wedge paths included",
  ignore: numpyPython === null,
  fn: async () => {
    const n = 2_000_000;
    const cases: Case[] = [{
      kind: "generator",
      seed: 2024,
      calls: [{ method: "standard_normal", kwargs: { size: n } }],
    }];
    const ref = await numpyReference(numpyPython!, cases);
    const counting = new Counting(new PCG64(2024));
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = zigguratStandardNormal(counting);
    const want = (ref.outcomes[0][0] as { values: Float64Array }).values;
    let mismatches = 0;
    for (let i = 0; i < n; i++) if (!Object.is(z[i], want[i])) mismatches++;
    assertEquals(mismatches, 0);
    const tail = z.filter((x) => Math.abs(x) > 3.6541528853610088).length;
    assert(tail > 200, `tail values: ${tail}`); // P(|x| > r) ≈ 2.6e-4
    assert(counting.doubles > 10_000, `wedge/tail uniforms: ${counting.doubles}`);
    assert(counting.draws64 > n, "some candidates were rejected and redrawn");
    // the public method gives the same stream
    assert(sameNumbers(rngOf(2024).standardNormal(1000), want.subarray(0, 1000)));
  },
});
