import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { tridiagonalEigen } from "../../lib/linalg/tridiagonal_eigen.ts";
import { inner, rng } from "./_fixtures.ts";

/** T x for T = tridiag(e, d, e). */
function triMul(d: ArrayLike<number>, e: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = d.length;
  return Float64Array.from(
    { length: n },
    (_, i) => d[i] * x[i] + (i > 0 ? e[i - 1] * x[i - 1] : 0) + (i + 1 < n ? e[i] * x[i + 1] : 0),
  );
}

Deno.test("tridiagonalEigen: 1-2-1 matrix, analytic eigenpairs", () => {
  const n = 300;
  const d = new Float64Array(n).fill(2);
  const e = new Float64Array(n - 1).fill(-1);
  const { values, vectors } = tridiagonalEigen(d, e);
  for (let j = 1; j <= n; j++) {
    // Descending: values[0] is the largest, j = n.
    const lambda = 2 - 2 * Math.cos((j * Math.PI) / (n + 1));
    assertAlmostEquals(values[n - j], lambda, 1e-12);
    const exact = Float64Array.from(
      { length: n },
      (_, i) => Math.sqrt(2 / (n + 1)) * Math.sin(((i + 1) * j * Math.PI) / (n + 1)),
    );
    assertAlmostEquals(
      Math.abs(inner(vectors!.subarray((n - j) * n, (n - j + 1) * n), exact)),
      1,
      1e-10,
    );
  }
});

Deno.test("tridiagonalEigen: random T, residuals, orthonormality, ascending order", () => {
  const n = 80;
  const r = rng(4);
  const d = Float64Array.from({ length: n }, () => r.normal());
  const e = Float64Array.from({ length: n - 1 }, () => r.normal());
  e[30] = 0; // a split into two independent blocks
  const { values, vectors } = tridiagonalEigen(d, e, { order: "ascending" });
  let trace = 0;
  for (let i = 0; i < n; i++) trace += d[i];
  assertAlmostEquals(values.reduce((a, b) => a + b, 0), trace, 1e-12);
  for (let i = 0; i < n; i++) {
    if (i > 0) assert(values[i] >= values[i - 1]);
    const v = vectors!.subarray(i * n, (i + 1) * n);
    const tv = triMul(d, e, v);
    let res = 0;
    for (let k = 0; k < n; k++) res += (tv[k] - values[i] * v[k]) ** 2;
    assert(Math.sqrt(res) < 1e-13, `residual of pair ${i}`);
    for (let j = 0; j <= i; j++) {
      assertAlmostEquals(inner(v, vectors!.subarray(j * n, (j + 1) * n)), i === j ? 1 : 0, 1e-13);
    }
  }
  const valuesOnly = tridiagonalEigen(d, e, { vectors: false, order: "ascending" });
  assertEquals(valuesOnly.vectors, undefined);
  for (let i = 0; i < n; i++) assertAlmostEquals(valuesOnly.values[i], values[i], 1e-13);
});

Deno.test("tridiagonalEigen: 2 × 2 closed form and edge cases", () => {
  // [[a, b], [b, c]]: (a + c)/2 ± √(((a − c)/2)² + b²)
  const [a, b, c] = [1.5, -0.25, -3];
  const { values } = tridiagonalEigen([a, c], [b]);
  const mid = (a + c) / 2;
  const rad = Math.hypot((a - c) / 2, b);
  assertAlmostEquals(values[0], mid + rad, 1e-15);
  assertAlmostEquals(values[1], mid - rad, 1e-15);
  assertEquals(tridiagonalEigen([], []).values.length, 0);
  assertEquals(Array.from(tridiagonalEigen([7], []).values), [7]);
  assertThrows(() => tridiagonalEigen([1, 2], [1, 1]), RangeError, "n − 1");
  assertThrows(() => tridiagonalEigen([1, NaN], [1]), RangeError, "non-finite");
});
