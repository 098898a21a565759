import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  expectedRandomFraction,
  gradientSubspaceFraction,
  gradientSubspaceFractions,
  meanGradientSubspaceFraction,
  randomSubspaceBaseline,
  SUBSPACE_DIMENSIONS,
  subspaceOverlap,
  subspaceOverlaps,
} from "../../lib/subspaces/metrics.ts";
import { inner, rng } from "../linalg/_fixtures.ts";

const e = (i: number, n = 4) => Float64Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));

Deno.test("subspaceOverlap: the reference unit cases (notes §4.3)", () => {
  const v1 = [e(0), e(1)];
  assertEquals(subspaceOverlap(v1, [e(0), e(1)], 2), 1);
  assertEquals(subspaceOverlap(v1, [e(0), e(2)], 2), 0.5);
  assertEquals(subspaceOverlap(v1, [e(2), e(3)], 2), 0);
  const h = Math.SQRT1_2;
  const v2 = [new Float64Array([h, h, 0, 0]), new Float64Array([0, h, h, 0])];
  assertAlmostEquals(subspaceOverlap(v1, v2, 2), 0.75, 1e-15);
  // Rotating within the span does not change the overlap.
  assertAlmostEquals(
    subspaceOverlap(v1, [new Float64Array([h, h, 0, 0]), new Float64Array([h, -h, 0, 0])], 2),
    1,
    1e-15,
  );
  // Several k at once match the one-k calls.
  const ks = [1, 2];
  assertEquals(subspaceOverlaps(v1, v2, ks), ks.map((k) => subspaceOverlap(v1, v2, k)));
  assertAlmostEquals(subspaceOverlaps(v1, v2, [1])[0], 0.5, 1e-15); // ⟨e1, (h, h, 0, 0)⟩² = 0.5
});

Deno.test("gradientSubspaceFraction: inside → 1, orthogonal → 0, partial = ‖V_kᵀg‖²/‖g‖²", () => {
  const basis = [e(0), e(1)];
  assertAlmostEquals(gradientSubspaceFraction(basis, new Float64Array([3, -4, 0, 0])), 1, 1e-15);
  assertEquals(gradientSubspaceFraction(basis, new Float64Array([0, 0, 2, 7])), 0);
  assertAlmostEquals(
    gradientSubspaceFraction(basis, new Float64Array([1, 2, 2, 0]), 1),
    1 / 9,
    1e-15,
  );
  assertAlmostEquals(
    gradientSubspaceFraction(basis, new Float32Array([1, 2, 2, 0]), 2),
    5 / 9,
    1e-15,
  );
  // All k at once, on a random orthonormal basis of R^120 (k up to 100).
  const n = 120;
  const v = randomSubspaceBaseline(n, 100, rng(1));
  const g = rng(2).fillNormal(new Float64Array(n));
  const all = gradientSubspaceFractions(v, g);
  assertEquals(all.length, SUBSPACE_DIMENSIONS.length);
  SUBSPACE_DIMENSIONS.forEach((k, i) => {
    let s = 0;
    for (let j = 0; j < k; j++) s += inner(v[j], g) ** 2;
    assertAlmostEquals(all[i], s / inner(g, g), 1e-14);
    assertAlmostEquals(all[i], gradientSubspaceFraction(v, g, k), 1e-14);
  });
});

Deno.test("meanGradientSubspaceFraction: mean of ratios, not ratio of means", () => {
  const basis = [e(0)];
  const gs = [new Float64Array([1, 0, 0, 0]), new Float64Array([0, 10, 0, 0])];
  assertEquals(meanGradientSubspaceFraction(basis, gs, 1), 0.5);
  // The ratio of means would be ‖P ḡ‖²/‖ḡ‖² = 0.25/25.25 ≈ 0.0099 instead.
  assertThrows(() => meanGradientSubspaceFraction(basis, [], 1), RangeError, "no gradients");
});

Deno.test("metrics: zero / non-finite gradients and bad shapes give clear errors", () => {
  const basis = [e(0), e(1)];
  assertThrows(() => gradientSubspaceFraction(basis, new Float64Array(4)), RangeError, "zero");
  assertThrows(
    () => gradientSubspaceFraction(basis, new Float64Array([NaN, 0, 0, 1])),
    RangeError,
    "finite",
  );
  assertThrows(
    () => gradientSubspaceFraction(basis, new Float64Array(3).fill(1)),
    RangeError,
    "length",
  );
  assertThrows(
    () => gradientSubspaceFraction(basis, new Float64Array(4).fill(1), 3),
    RangeError,
    "k = 3",
  );
  assertThrows(
    () => gradientSubspaceFractions(basis, new Float64Array(4).fill(1)),
    RangeError,
    "k = 5",
  );
  assertThrows(() => subspaceOverlap(basis, [e(0)], 2), RangeError, "k = 2");
  assertThrows(() => randomSubspaceBaseline(3, 4, rng(0)), RangeError, "1 ≤ k ≤ n");
});

Deno.test("randomSubspaceBaseline: orthonormal, and mean S_frac within 3σ of k/N", () => {
  const n = 60;
  const k = 6;
  const r = rng(11);
  const first = randomSubspaceBaseline(n, k, r);
  assertEquals(first.length, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      assertAlmostEquals(inner(first[i], first[j]), i === j ? 1 : 0, 1e-13);
    }
  }
  const g = rng(12).fillNormal(new Float64Array(n));
  const draws = 500;
  let sum = 0;
  for (let d = 0; d < draws; d++) {
    sum += gradientSubspaceFraction(randomSubspaceBaseline(n, k, r), g);
  }
  const mean = sum / draws;
  // S_frac of a fixed g on a uniform random k-subspace is Beta(k/2, (N − k)/2):
  // Var = 2k(N − k) / (N²(N + 2)).
  const sigma = Math.sqrt((2 * k * (n - k)) / (n * n * (n + 2)) / draws);
  assertEquals(expectedRandomFraction(n, k), k / n);
  assert(Math.abs(mean - k / n) < 3 * sigma, `mean ${mean} vs ${k / n} (σ = ${sigma})`);
  // The overlap of two random subspaces has the same expectation k/N.
  let overlap = 0;
  for (let d = 0; d < 100; d++) {
    overlap += subspaceOverlap(randomSubspaceBaseline(n, k, r), randomSubspaceBaseline(n, k, r), k);
  }
  assert(Math.abs(overlap / 100 - k / n) < 0.02);
});
