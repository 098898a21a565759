import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { axpy, copy, dot, norm, orthogonalize, scale } from "../../lib/linalg/vector.ts";
import { rng } from "./_fixtures.ts";

Deno.test("vector: dot, norm, axpy, scale, copy", () => {
  const x = new Float64Array([1, -2, 3]);
  const y = new Float64Array([4, 5, -6]);
  assertEquals(dot(x, y), 4 - 10 - 18);
  assertAlmostEquals(norm(x), Math.sqrt(14), 1e-15);
  assertEquals(norm(new Float64Array([1e200, 1e200])), Math.SQRT2 * 1e200); // no overflow
  assertEquals(norm(new Float64Array([3e-200, 4e-200])), 5e-200); // no underflow
  assertEquals(norm(new Float64Array(3)), 0);
  assertEquals(Array.from(axpy(2, x, y.slice())), [6, 1, 0]);
  assertEquals(Array.from(scale(-1, x.slice())), [-1, 2, -3]);
  const c = copy(new Float32Array([0.5, 1.5]));
  assertEquals(c instanceof Float64Array, true);
  assertEquals(Array.from(c), [0.5, 1.5]);
  assertThrows(() => dot(x, new Float64Array(2)), RangeError, "lengths differ");
});

Deno.test("orthogonalize: result orthogonal to a nearly-parallel basis to working precision", () => {
  const n = 200;
  const r = rng(9);
  // Orthonormal basis of 5 vectors.
  const basis: Float64Array[] = [];
  for (let j = 0; j < 5; j++) {
    const v = r.fillNormal(new Float64Array(n));
    for (const q of basis) axpy(-dot(q, v), q, v);
    scale(1 / norm(v), v);
    basis.push(v);
  }
  // x almost inside the span: one classical pass would leave O(1e-8) relative error here.
  const x = new Float64Array(n);
  basis.forEach((q, j) => axpy(j + 1, q, x));
  const tiny = r.fillNormal(new Float64Array(n));
  axpy(1e-8, tiny, x);
  const coefficients = new Float64Array(5);
  orthogonalize(basis, x, coefficients);
  for (const q of basis) assertAlmostEquals(dot(q, x) / norm(x), 0, 1e-14);
  coefficients.forEach((c, j) => assertAlmostEquals(c, j + 1, 1e-7));
});
