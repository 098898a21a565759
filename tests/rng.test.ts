import { assert, assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { Rng } from "../lib/rng.ts";

/** A generator in the given raw xoshiro state. */
function fromState(state: [number, number, number, number]): Rng {
  const rng = new Rng(0);
  rng.setState(state);
  return rng;
}

function moments(xs: Float64Array): { mean: number; variance: number; skew: number; kurt: number } {
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skew: m3 / m2 ** 1.5, kurt: m4 / (m2 * m2) };
}

Deno.test("xoshiro128** matches the reference C implementation from state [1, 2, 3, 4]", () => {
  // Outputs of Blackman & Vigna's xoshiro128starstar.c seeded with s = {1, 2, 3, 4}.
  const expected = [
    11520,
    0,
    5927040,
    70819200,
    2031721883,
    1637235492,
    1287239034,
    3734860849,
  ];
  const rng = fromState([1, 2, 3, 4]);
  assertEquals(expected.map(() => rng.nextUint32()), expected);
});

Deno.test("uniform() builds 53-bit doubles from two outputs like numpy (27 + 26 bits)", () => {
  const rng = fromState([1, 2, 3, 4]);
  // First two outputs 11520 and 0, then 5927040 and 70819200.
  const first = ((11520 >>> 5) * 2 ** 26 + (0 >>> 6)) / 2 ** 53;
  const second = ((5927040 >>> 5) * 2 ** 26 + (70819200 >>> 6)) / 2 ** 53;
  assertEquals(rng.uniform(), first);
  assertEquals(rng.uniform(), second);
  // Low bits are used: some of many draws are not multiples of 2^-32.
  const r = new Rng(7);
  let fineBits = 0;
  for (let i = 0; i < 100; i++) if (!Number.isInteger(r.uniform() * 2 ** 32)) fineBits++;
  assert(fineBits > 90);
});

Deno.test("uniform: range, mean 1/2 and variance 1/12; uniform(low, high) stays in range", () => {
  const n = 200_000;
  const rng = new Rng(123);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = rng.uniform();
    assert(xs[i] >= 0 && xs[i] < 1);
  }
  const m = moments(xs);
  // Standard errors: sqrt(1/12/n) ≈ 6.5e-4 for the mean; ≈ 1.9e-4 for the variance.
  assert(Math.abs(m.mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${m.mean}`);
  assert(Math.abs(m.variance - 1 / 12) < 1e-3, `variance ${m.variance}`);
  for (let i = 0; i < 10_000; i++) {
    const x = rng.uniform(-3, 5);
    assert(x >= -3 && x < 5);
  }
});

Deno.test("normal: moments of N(0, 1) and of N(mean, std)", () => {
  const n = 200_000;
  const rng = new Rng(99);
  const m = moments(rng.fillNormal(new Float64Array(n)));
  assert(Math.abs(m.mean) < 5 / Math.sqrt(n), `mean ${m.mean}`);
  assert(Math.abs(m.variance - 1) < 5 * Math.sqrt(2 / n), `variance ${m.variance}`);
  assert(Math.abs(m.skew) < 5 * Math.sqrt(6 / n), `skew ${m.skew}`);
  assert(Math.abs(m.kurt - 3) < 5 * Math.sqrt(24 / n), `kurtosis ${m.kurt}`);
  const s = moments(rng.fillNormal(new Float64Array(n), 2, 0.5));
  assert(Math.abs(s.mean - 2) < 5 * 0.5 / Math.sqrt(n));
  assert(Math.abs(Math.sqrt(s.variance) - 0.5) < 0.01);
});

Deno.test("int: range and a chi-square check of uniformity", () => {
  const rng = new Rng(5);
  const k = 10;
  const n = 100_000;
  const counts = new Array(k).fill(0);
  for (let i = 0; i < n; i++) {
    const v = rng.int(k);
    assert(Number.isInteger(v) && v >= 0 && v < k);
    counts[v]++;
  }
  const expected = n / k;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert(chi2 < 33.7, `chi2 ${chi2}`); // 0.9999 quantile with 9 degrees of freedom ≈ 33.7
  assertThrows(() => rng.int(0), RangeError);
  assertThrows(() => rng.int(2.5), RangeError);
});

Deno.test("permutation: each index exactly once, and all orders of 3 appear about equally", () => {
  const rng = new Rng(11);
  for (const n of [0, 1, 2, 17, 1000]) {
    const p = rng.permutation(n);
    assertEquals(p.length, n);
    assertEquals([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  }
  const counts = new Map<string, number>();
  for (let i = 0; i < 60_000; i++) {
    const key = rng.permutation(3).join("");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  assertEquals(counts.size, 6);
  for (const c of counts.values()) assert(Math.abs(c - 10_000) < 500, `count ${c}`);
});

Deno.test("state round trip, clone and seeds", () => {
  const rng = new Rng(2024);
  for (let i = 0; i < 10; i++) rng.uniform();
  const saved = JSON.parse(JSON.stringify(rng.getState()));
  const clone = rng.clone();
  const a = Array.from({ length: 20 }, () => rng.normal());
  const b = Array.from({ length: 20 }, () => clone.normal());
  assertEquals(a, b);
  const restored = new Rng(0);
  restored.setState(saved);
  assertEquals(Array.from({ length: 20 }, () => restored.normal()), a);

  // Same seed → same stream; other seeds and streams differ.
  const draw = (r: Rng) => Array.from({ length: 5 }, () => r.nextUint32());
  assertEquals(draw(new Rng(42)), draw(new Rng(42)));
  assertNotEquals(draw(new Rng(42)), draw(new Rng(43)));
  assertNotEquals(draw(new Rng(42)), draw(new Rng(42, 1)));
  assertNotEquals(draw(new Rng(2 ** 32)), draw(new Rng(0)));
  const s = new Rng(1).seed();
  assert(Number.isInteger(s) && s >= 0 && s < 2 ** 31);
});

Deno.test("invalid seeds and states are rejected", () => {
  assertThrows(() => new Rng(-1), RangeError);
  assertThrows(() => new Rng(1.5), RangeError);
  assertThrows(() => new Rng(2 ** 53), RangeError);
  const rng = new Rng(0);
  assertThrows(() => rng.setState([0, 0, 0, 0]), RangeError);
  assertThrows(() => rng.setState([1, 2, 3] as unknown as [number, number, number, number]));
  assertThrows(() => rng.setState([1, 2, 3, 2 ** 32]), TypeError);
});
