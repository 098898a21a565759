import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { symmetricEigen, tridiagonalize } from "../../lib/linalg/symmetric_eigen.ts";
import { conjugateDiagonal, inner, randomOrthogonal, residualNorm, rng } from "./_fixtures.ts";

const row = (v: Float64Array, n: number, j: number) => v.subarray(j * n, (j + 1) * n);

/** 1-2-1 matrix tridiag(−1, 2, −1), dense. */
function oneTwoOne(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 2;
    if (i + 1 < n) {
      a[i * n + i + 1] = -1;
      a[(i + 1) * n + i] = -1;
    }
  }
  return a;
}

Deno.test("symmetricEigen: 1-2-1 matrix matches λⱼ = 2 − 2cos(jπ/(n+1)) and sin eigenvectors", () => {
  const n = 120;
  const { values, vectors } = symmetricEigen(oneTwoOne(n), n, { order: "ascending" });
  for (let j = 1; j <= n; j++) {
    assertAlmostEquals(values[j - 1], 2 - 2 * Math.cos((j * Math.PI) / (n + 1)), 1e-12);
    const exact = Float64Array.from(
      { length: n },
      (_, i) => Math.sqrt(2 / (n + 1)) * Math.sin(((i + 1) * j * Math.PI) / (n + 1)),
    );
    // Eigenvectors are unique up to sign.
    assertAlmostEquals(Math.abs(inner(row(vectors!, n, j - 1), exact)), 1, 1e-10);
  }
});

/** Roots of the secular equation 1 + ρ Σ zᵢ²/(dᵢ − λ) = 0 by bisection (d ascending, ρ > 0). */
function secularRoots(d: number[], z: number[], rho: number): number[] {
  const f = (x: number) => 1 + rho * d.reduce((s, di, i) => s + z[i] ** 2 / (di - x), 0);
  const zz = z.reduce((s, x) => s + x * x, 0);
  const roots: number[] = [];
  for (let i = 0; i < d.length; i++) {
    let lo = d[i];
    let hi = i + 1 < d.length ? d[i + 1] : d[i] + rho * zz;
    // f increases from −∞ to +∞ on (dᵢ, dᵢ₊₁); bisect to the last representable step.
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (f(mid) < 0) lo = mid;
      else hi = mid;
    }
    roots.push(0.5 * (lo + hi));
  }
  return roots;
}

Deno.test("symmetricEigen: diagonal + rank-one matches the secular-equation roots", () => {
  const n = 60;
  const r = rng(11);
  const d = Array.from({ length: n }, (_, i) => i + 0.5 * r.uniform()).sort((a, b) => a - b);
  const z = Array.from({ length: n }, () => 0.2 + r.uniform());
  const rho = 0.7;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? d[i] : 0) + rho * z[i] * z[j];
  }
  const { values, vectors } = symmetricEigen(a, n, { order: "ascending" });
  const roots = secularRoots(d, z, rho);
  for (let i = 0; i < n; i++) {
    assertAlmostEquals(values[i], roots[i], 1e-10);
    // Eigenvector ∝ (D − λI)⁻¹ z.
    const v = Float64Array.from(z, (zi, k) => zi / (d[k] - roots[i]));
    const nv = Math.sqrt(inner(v, v));
    assertAlmostEquals(Math.abs(inner(row(vectors!, n, i), v)) / nv, 1, 1e-9);
  }
});

Deno.test("symmetricEigen: Q D Qᵀ with random orthogonal Q (values, vectors, residuals, order)", () => {
  const n = 150;
  const r = rng(3);
  const lambda = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -1 : 1) * (1 + i * 0.37));
  lambda[5] = lambda[6] = 4.2; // a repeated eigenvalue
  const q = randomOrthogonal(n, r);
  const a = conjugateDiagonal(q, lambda);
  const copyOfA = a.slice();
  const { values, vectors } = symmetricEigen(a, n);
  assertEquals(a, copyOfA, "input must not be modified");
  const sorted = [...lambda].sort((x, y) => y - x);
  const scale = Math.max(...lambda.map(Math.abs));
  for (let i = 0; i < n; i++) {
    assertAlmostEquals(values[i], sorted[i], 1e-10 * scale);
    if (i > 0) assert(values[i] <= values[i - 1], "descending by default");
    const v = row(vectors!, n, i);
    assert(residualNorm(a, v, values[i]) <= 1e-12 * scale);
    for (let j = 0; j <= i; j++) {
      assertAlmostEquals(inner(v, row(vectors!, n, j)), i === j ? 1 : 0, 1e-12);
    }
  }
  // Distinct eigenvalues: the eigenvector equals ±q_j.
  const j = lambda.indexOf(sorted[0]);
  const qj = Float64Array.from({ length: n }, (_, i) => q[i * n + j]);
  assertAlmostEquals(Math.abs(inner(row(vectors!, n, 0), qj)), 1, 1e-10);

  const asc = symmetricEigen(a, n, { order: "ascending", vectors: false });
  assertEquals(asc.vectors, undefined);
  for (let i = 0; i < n; i++) assertAlmostEquals(asc.values[i], sorted[n - 1 - i], 1e-10 * scale);
});

Deno.test("symmetricEigen: diagonal and block-diagonal input (already tridiagonal rows)", () => {
  const n = 7;
  const diag = [3, -1, 4, 1, -5, 9, 2];
  const a = new Float64Array(n * n);
  diag.forEach((x, i) => (a[i * n + i] = x));
  const { values, vectors } = symmetricEigen(a, n);
  assertEquals(Array.from(values), [...diag].sort((x, y) => y - x));
  for (let i = 0; i < n; i++) {
    const k = diag.indexOf(values[i]);
    assertAlmostEquals(Math.abs(vectors![i * n + k]), 1, 1e-15);
  }
  // 2×2 blocks [[2,1],[1,2]] along the diagonal: eigenvalues 3 and 1, each 3 times.
  const m = 6;
  const b = new Float64Array(m * m);
  for (let k = 0; k < m; k += 2) {
    b[k * m + k] = b[(k + 1) * m + k + 1] = 2;
    b[k * m + k + 1] = b[(k + 1) * m + k] = 1;
  }
  const eb = symmetricEigen(b, m);
  for (let i = 0; i < m; i++) assertAlmostEquals(eb.values[i], i < 3 ? 3 : 1, 1e-14);
  for (let i = 0; i < m; i++) assert(residualNorm(b, row(eb.vectors!, m, i), eb.values[i]) < 1e-14);
});

Deno.test("symmetricEigen: tiny sizes, overwriteInput, lower triangle only", () => {
  assertEquals(symmetricEigen(new Float64Array(0), 0).values.length, 0);
  const one = symmetricEigen(new Float64Array([-2.5]));
  assertEquals(Array.from(one.values), [-2.5]);
  assertEquals(Array.from(one.vectors!), [1]);
  // Upper triangle ignored: [[1, junk], [2, 1]] is treated as [[1, 2], [2, 1]] → 3, −1.
  const a = new Float64Array([1, 99, 2, 1]);
  const r = symmetricEigen(a, 2, { overwriteInput: true });
  assertAlmostEquals(r.values[0], 3, 1e-14);
  assertAlmostEquals(r.values[1], -1, 1e-14);
});

Deno.test("tridiagonalize: Qᵀ is orthogonal and Qᵀ A Q is the returned tridiagonal", () => {
  const n = 40;
  const r = rng(8);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r.normal();
  }
  const { diag, offdiag, qt } = tridiagonalize(a.slice(), n, true);
  // T = Qᵀ A Q with rows of Qᵀ as the q vectors: T_ij = q_iᵀ A q_j.
  for (let i = 0; i < n; i++) {
    const qi = row(qt!, n, i);
    const aqi = Float64Array.from(
      { length: n },
      (_, k) => inner(a.subarray(k * n, (k + 1) * n), qi),
    );
    for (let j = 0; j < n; j++) {
      const qj = row(qt!, n, j);
      assertAlmostEquals(inner(qi, qj), i === j ? 1 : 0, 1e-13);
      const expected = i === j ? diag[i] : Math.abs(i - j) === 1 ? offdiag[Math.min(i, j)] : 0;
      assertAlmostEquals(inner(qj, aqi), expected, 1e-12);
    }
  }
});

Deno.test("symmetricEigen: bad input gives clear errors", () => {
  assertThrows(() => symmetricEigen(new Float64Array(6), 2), RangeError, "n × n");
  assertThrows(() => symmetricEigen(new Float64Array([1, NaN, NaN, 1])), RangeError, "finite");
});
