import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { clipGradNorm, globalGradNorm } from "../../lib/compute/clip.ts";

Deno.test("clipGradNorm: scales by max_norm/(norm + 1e-6) above the threshold", () => {
  const actor = new Float32Array([3, 0, 0]);
  const critic = new Float64Array([0, 4]);
  const norm = clipGradNorm([actor, critic], 0.5);
  assertEquals(norm, 5); // returns the pre-clip norm, as torch
  const coef = 0.5 / (5 + 1e-6);
  assertAlmostEquals(actor[0], Math.fround(3 * coef), 1e-7);
  assertAlmostEquals(critic[1], 4 * coef, 1e-15);
  assertAlmostEquals(globalGradNorm([actor, critic]), 0.5, 1e-6);
});

Deno.test("clipGradNorm: leaves small gradients unchanged; torch's 1e-6 window is honoured", () => {
  const g = new Float32Array([0.3, 0.4]);
  assertAlmostEquals(clipGradNorm(g, 1), 0.5, 1e-7);
  assertEquals(Array.from(g), [Math.fround(0.3), Math.fround(0.4)]);
  // norm = max_norm exactly: coef = 1/(1 + 1e-6) < 1, so torch scales by a hair.
  const h = new Float64Array([0.6, 0.8]);
  clipGradNorm(h, 1);
  assertAlmostEquals(h[0], 0.6 / (1 + 1e-6), 1e-15);
});

Deno.test("globalGradNorm: float64 accumulation survives float32-overflowing squares", () => {
  // 1e20² = 1e40 overflows float32 but not float64.
  const g = new Float32Array([1e20, 1e20]);
  assertAlmostEquals(globalGradNorm(g) / 1e20, Math.SQRT2, 1e-6);
  // Many small terms: float32 accumulation would drift by ~1e-4 relative here.
  const many = new Float32Array(1_000_000).fill(0.001);
  assertAlmostEquals(globalGradNorm(many), Math.sqrt(1e6 * Math.fround(0.001) ** 2), 1e-9);
});

Deno.test("clipGradNorm: NaN/Inf gradients and bad max_norm throw", () => {
  assertThrows(() => clipGradNorm(new Float32Array([1, NaN]), 1), RangeError, "NaN");
  assertThrows(() => clipGradNorm(new Float32Array([Infinity]), 1), RangeError, "Infinity");
  assertThrows(() => clipGradNorm(new Float32Array([1]), 0), RangeError, "maxNorm");
  assert(Number.isFinite(clipGradNorm([], 1)));
});
