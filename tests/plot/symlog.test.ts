import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  histogramCounts,
  inverseSymlog,
  symlog,
  symlogBinEdges,
  symlogTicks,
} from "../../lib/plot/symlog.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("symlog: analytic values and inverse", () => {
  // log10(1 + 0.09/0.01) = log10(10) = 1; log10(1 + 0.99/0.01) = 2.
  assertAlmostEquals(symlog(0.09, 0.01), 1, 1e-12);
  assertAlmostEquals(symlog(-0.99, 0.01), -2, 1e-12);
  assertEquals(symlog(0), 0);
  // Near 0 it is linear with slope 1/(c ln 10).
  assertAlmostEquals(symlog(1e-9, 0.01) / 1e-9, 1 / (0.01 * Math.LN10), 1e-4);
  for (const x of [-1234.5, -0.3, 0, 2e-5, 7, 1e6]) {
    assertAlmostEquals(inverseSymlog(symlog(x, 0.5), 0.5), x, Math.abs(x) * 1e-12 + 1e-15);
  }
  assertThrows(() => symlog(1, 0), RangeError, "linthresh");
});

function spectrum(n: number): number[] {
  const rng = new Rng(3);
  return Array.from(
    { length: n },
    (_, i) =>
      i < 5 ? 10 ** rng.uniform(1, 3) : i < 40 ? -(10 ** rng.uniform(-4, 0)) : rng.normal(0, 1e-3),
  );
}

Deno.test("symlogBinEdges: monotone, symmetric, uniform in u, covers the data", () => {
  const values = spectrum(2000);
  const c = 0.01;
  const edges = symlogBinEdges(values, { linthresh: c, binsPerDecade: 4 });
  const m = edges.length - 1;
  assertEquals(m % 2, 0, "an even number of bins, 0 is the middle edge");
  assertEquals(edges[m / 2], 0);
  for (let j = 1; j <= m; j++) assert(edges[j] > edges[j - 1], `edge ${j} not increasing`);
  for (let j = 0; j <= m; j++) assertEquals(edges[j], -edges[m - j], `edge ${j} not symmetric`);
  const maxAbs = Math.max(...values.map(Math.abs));
  assertEquals(edges[m], maxAbs);
  assert(Math.min(...values) >= edges[0] && Math.max(...values) <= edges[m]);
  // Uniform width in u: U/n with n = ⌈U · 4⌉ bins per side.
  const U = Math.log10(1 + maxAbs / c);
  assertEquals(m / 2, Math.ceil(U * 4));
  for (let j = 0; j < m; j++) {
    assertAlmostEquals(symlog(edges[j + 1], c) - symlog(edges[j], c), U / (m / 2), 1e-9);
  }
});

Deno.test("symlogBinEdges: degenerate inputs", () => {
  assertEquals(symlogBinEdges([0, 0, 0], { linthresh: 0.01 }).at(-1), 0.01);
  assertEquals(symlogBinEdges([5], { binsPerDecade: 0.01 }), [-5, 0, 5]);
  assertThrows(() => symlogBinEdges([]), RangeError, "no values");
  assertThrows(() => symlogBinEdges([1, NaN]), RangeError, "value 1 is NaN");
});

Deno.test("histogramCounts: hand example, closed last bin, counts sum to N", () => {
  assertEquals(histogramCounts([0, 0.5, 1, 2, 1.999], [0, 1, 2]), [2, 3]);
  assertEquals(histogramCounts([-1, 0, 1], [-1, 0, 1]), [1, 2]);
  assertThrows(() => histogramCounts([3], [0, 1, 2]), RangeError, "outside");
  const values = spectrum(5000);
  const edges = symlogBinEdges(values);
  const counts = histogramCounts(values, edges);
  assertEquals(counts.reduce((a, b) => a + b, 0), values.length);
  // Independent count of one bin by a linear scan.
  const j = counts.findIndex((n) => n > 0);
  assertEquals(counts[j], values.filter((x) => x >= edges[j] && x < edges[j + 1]).length);
});

Deno.test("symlogTicks: labelled powers of ten inside the range, symmetric", () => {
  const t = symlogTicks(symlog(1000, 0.01), 0.01);
  assertEquals(t.ticktext, [
    "−10<sup>3</sup>",
    "−10<sup>2</sup>",
    "−10<sup>1</sup>",
    "−1",
    "−10<sup>-1</sup>",
    "0",
    "10<sup>-1</sup>",
    "1",
    "10<sup>1</sup>",
    "10<sup>2</sup>",
    "10<sup>3</sup>",
  ]);
  assertAlmostEquals(t.tickvals[6], Math.log10(11), 1e-12); // u of 0.1 with c = 0.01
  const wide = symlogTicks(symlog(1e12, 0.01), 0.01, 4);
  assert(wide.ticktext.includes("10<sup>12</sup>"));
  assert(wide.tickvals.length <= 9);
});
