import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import { type LanczosProgress, lanczosTopK } from "../../lib/subspaces/lanczos.ts";
import { symmetricEigen } from "../../lib/linalg/symmetric_eigen.ts";
import {
  conjugateDiagonal,
  driftingAfterConvergence,
  inner,
  matVec,
  overlapOf,
  randomOrthogonal,
  reflectorConjugated,
  residualNorm,
  rng,
  warmStartBases,
} from "../linalg/_fixtures.ts";

/**
 * Spectrum like a Hessian's: a few large positive outliers decaying as 1/i, a small bulk around 0,
 * and negative eigenvalues larger in magnitude than the wanted positive ones (so "largest
 * algebraic" and "largest magnitude" differ).
 */
function hessianLikeSpectrum(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const lambda = new Float64Array(n);
  for (let i = 0; i < n; i++) lambda[i] = 0.05 * r.normal();
  for (let i = 0; i < 40; i++) lambda[i] = 50 / (i + 1);
  for (let i = 0; i < 5; i++) lambda[n - 1 - i] = -200 - 30 * i;
  return lambda;
}

/** Checks a Lanczos result against a dense decomposition of `a` (values, subspace, residuals). */
function checkAgainstDense(
  a: Float64Array,
  n: number,
  result: Awaited<ReturnType<typeof lanczosTopK>>,
  k: number,
  tol: number,
): void {
  const dense = symmetricEigen(a, n);
  assert(result.converged);
  assertEquals(result.eigenvalues.length, k);
  assertEquals(result.eigenvectors.length, k);
  for (let i = 0; i < k; i++) {
    const rel = Math.abs(result.eigenvalues[i] - dense.values[i]) / Math.abs(dense.values[i]);
    assert(rel <= 1e-4, `eigenvalue ${i}: ${result.eigenvalues[i]} vs ${dense.values[i]}`);
    if (i > 0) assert(result.eigenvalues[i] <= result.eigenvalues[i - 1], "descending");
    // Reported and true residuals both meet ARPACK's criterion.
    const bound = tol * Math.abs(result.eigenvalues[i]);
    assert(result.residuals[i] <= bound, `reported residual ${i}`);
    assert(
      residualNorm(a, result.eigenvectors[i], result.eigenvalues[i]) <= bound,
      `residual ${i}`,
    );
    for (let j = 0; j <= i; j++) {
      assertAlmostEquals(
        inner(result.eigenvectors[i], result.eigenvectors[j]),
        i === j ? 1 : 0,
        1e-10,
      );
    }
  }
  const denseVectors = Array.from(
    { length: k },
    (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n),
  );
  assert(overlapOf(result.eigenvectors, denseVectors) >= 0.999);
}

Deno.test("lanczosTopK: top-20 of a random symmetric matrix with large negative eigenvalues", async () => {
  const n = 400;
  const lambda = hessianLikeSpectrum(n, 1);
  const a = conjugateDiagonal(randomOrthogonal(n, rng(2)), lambda);
  let calls = 0;
  const op = (v: Float64Array) => {
    calls++;
    return matVec(a, v);
  };
  const result = await lanczosTopK(op, n, { k: 20, tol: 1e-4, seed: 7 });
  checkAgainstDense(a, n, result, 20, 1e-4);
  assertStrictEquals(result.hvpCount, calls);
  // "LA", not "LM": every returned value is one of the positive ones.
  assert(result.eigenvalues.every((x) => x > 0));
  const top = [...lambda].sort((x, y) => y - x);
  for (let i = 0; i < 20; i++) assertAlmostEquals(result.eigenvalues[i], top[i], 1e-4 * top[i]);
});

Deno.test("lanczosTopK: N = 1,600 explicit matrix, top-20", async () => {
  const n = 1600;
  const lambda = hessianLikeSpectrum(n, 3);
  const { a, eigenvector } = reflectorConjugated(lambda, 6, rng(4));
  const result = await lanczosTopK((v) => matVec(a, v), n, { k: 20, seed: 1 });
  assert(result.converged);
  const order = Array.from(lambda.keys()).sort((i, j) => lambda[j] - lambda[i]);
  for (let i = 0; i < 20; i++) {
    const rel = Math.abs(result.eigenvalues[i] - lambda[order[i]]) / lambda[order[i]];
    assert(rel <= 1e-4, `eigenvalue ${i}`);
    assert(
      residualNorm(a, result.eigenvectors[i], result.eigenvalues[i]) <=
        1e-4 * result.eigenvalues[i],
    );
  }
  const exact = order.slice(0, 20).map(eigenvector);
  assert(overlapOf(result.eigenvectors, exact) >= 0.999);
});

Deno.test("lanczosTopK: async operator gives the same result as the sync one", async () => {
  const n = 200;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(5)), hessianLikeSpectrum(n, 6));
  const sync = await lanczosTopK((v) => matVec(a, v), n, { k: 10, seed: 3 });
  const asyncResult = await lanczosTopK(
    async (v) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return new Float32Array(matVec(a, v)).map((x) => x); // float32 output is accepted too
    },
    n,
    { k: 10, seed: 3 },
  );
  assert(asyncResult.converged);
  for (let i = 0; i < 10; i++) {
    assertAlmostEquals(asyncResult.eigenvalues[i], sync.eigenvalues[i], 1e-5 * sync.eigenvalues[i]);
  }
  // trueResiduals: k extra calls, and the recomputed residuals see the float32 rounding.
  let calls = 0;
  const f32 = await lanczosTopK(
    (v) => {
      calls++;
      return new Float32Array(matVec(a, v));
    },
    n,
    { k: 10, seed: 3, trueResiduals: true },
  );
  assertEquals(f32.hvpCount, calls);
  assertEquals(f32.hvpCount, asyncResult.hvpCount + 10);
  for (let i = 0; i < 10; i++) {
    const exact = residualNorm(a, f32.eigenvectors[i], f32.eigenvalues[i]);
    assert(f32.residuals[i] > 1e-12, "float32 noise is visible");
    assertAlmostEquals(f32.residuals[i], exact, 1e-5 * f32.eigenvalues[i]);
  }
  const exactSync = await lanczosTopK(async (v) => await Promise.resolve(matVec(a, v)), n, {
    k: 10,
    seed: 3,
  });
  assertEquals(exactSync.eigenvalues, sync.eigenvalues); // same arithmetic, same seed
  assertEquals(exactSync.hvpCount, sync.hvpCount);
});

Deno.test("lanczosTopK: clustered and repeated eigenvalues converge", async () => {
  const n = 300;
  const lambda = Float64Array.from({ length: n }, (_, i) => 2 * 0.97 ** i - 1);
  [10, 10, 10, 8, 8, 6, 6 + 1e-9, 6 + 2e-9, 4, 4].forEach((x, i) => (lambda[i] = x));
  const a = conjugateDiagonal(randomOrthogonal(n, rng(8)), lambda);
  const result = await lanczosTopK((v) => matVec(a, v), n, { k: 10, seed: 2 });
  checkAgainstDense(a, n, result, 10, 1e-4);
});

Deno.test("lanczosTopK: invariant Krylov subspace (breakdown) continues with fresh vectors", async () => {
  // Diagonal operator with three distinct eigenvalues: any Krylov space has dimension ≤ 3.
  const n = 30;
  const diag = Float64Array.from({ length: n }, (_, i) => (i < 4 ? 5 : [3, 1][i % 2]));
  const op = (v: Float64Array) => v.map((x, i) => diag[i] * x);
  const result = await lanczosTopK(op, n, { k: 6, seed: 4 });
  assert(result.converged);
  for (let i = 0; i < 6; i++) {
    assertAlmostEquals(result.eigenvalues[i], i < 4 ? 5 : 3, 1e-12);
    const y = result.eigenvectors[i];
    for (let j = 0; j < n; j++) {
      assertAlmostEquals(diag[j] * y[j], result.eigenvalues[i] * y[j], 1e-10);
    }
  }
  // The four vectors for λ = 5 span exactly that eigenspace (coordinates 0–3).
  const e = (i: number) => Float64Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));
  assertAlmostEquals(overlapOf(result.eigenvectors.slice(0, 4), [0, 1, 2, 3].map(e)), 1, 1e-12);
  // Zero operator: everything is an invariant subspace, all eigenvalues are 0.
  const zero = await lanczosTopK((v) => new Float64Array(v.length), 25, { k: 3, seed: 0 });
  assert(zero.converged);
  assertEquals(Array.from(zero.eigenvalues), [0, 0, 0]);
});

Deno.test("lanczosTopK: k ≥ n and tiny n use/handle the whole space", async () => {
  const a = new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]); // eigenvalues 2 + √2, 2, 2 − √2
  let calls = 0;
  const op = (v: Float64Array) => {
    calls++;
    return matVec(a, v);
  };
  const all = await lanczosTopK(op, 3, { k: 5 });
  assertEquals(all.eigenvalues.length, 3);
  assertEquals(calls, 3);
  assertEquals(all.hvpCount, 3);
  [2 + Math.SQRT2, 2, 2 - Math.SQRT2].forEach((x, i) =>
    assertAlmostEquals(all.eigenvalues[i], x, 1e-14)
  );
  const two = await lanczosTopK((v) => new Float64Array([3 * v[0] + v[1], v[0] + 3 * v[1]]), 2, {
    k: 1,
  });
  assertAlmostEquals(two.eigenvalues[0], 4, 1e-12);
  assertAlmostEquals(Math.abs(two.eigenvectors[0][0]), Math.SQRT1_2, 1e-10);
  const one = await lanczosTopK((v) => v.map((x) => -3 * x), 1, { k: 1 });
  assertEquals(Array.from(one.eigenvalues), [-3]);
});

Deno.test("lanczosTopK: maxIter exceeded throws or warns; onProgress reports", async () => {
  const n = 300;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(9)), hessianLikeSpectrum(n, 10));
  const op = (v: Float64Array) => matVec(a, v);
  await assertRejects(
    () => lanczosTopK(op, n, { k: 30, tol: 1e-10, maxIter: 1, seed: 1 }),
    Error,
    "raise maxIter",
  );
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const r = await lanczosTopK(op, n, { k: 30, tol: 1e-10, maxIter: 1, onNotConverged: "warn" });
    assertEquals(r.converged, false);
    assertEquals(r.restarts, 0);
    assertEquals(r.eigenvalues.length, 30);
  } finally {
    console.warn = originalWarn;
  }
  assertEquals(warnings.length, 1);

  const progress: LanczosProgress[] = [];
  const r = await lanczosTopK(op, n, { k: 10, seed: 1, onProgress: (p) => progress.push(p) });
  assertEquals(progress.length, r.restarts + 1);
  assertEquals(progress.at(-1)!.hvpCount, r.hvpCount);
  assertEquals(progress.at(-1)!.converged, 10);
  for (let i = 1; i < progress.length; i++) {
    assert(progress[i].hvpCount > progress[i - 1].hvpCount);
    assertEquals(progress[i].iteration, i + 1);
  }
});

Deno.test("lanczosTopK: a start vector inside an eigenspace still finds the top pairs", async () => {
  const n = 50;
  const diag = Float64Array.from({ length: n }, (_, i) => n - i);
  const start = new Float64Array(n);
  start[n - 1] = 1; // eigenvector of the smallest eigenvalue: immediate breakdown
  const r = await lanczosTopK((v) => v.map((x, i) => diag[i] * x), n, { k: 3, startVector: start });
  assertEquals(Array.from(r.eigenvalues).map((x) => Math.round(x * 1e9) / 1e9), [50, 49, 48]);
});

Deno.test("lanczosTopK: bad input and bad operators give clear errors", async () => {
  const id = (v: Float64Array) => v.slice();
  await assertRejects(() => lanczosTopK(id, 10, { k: 0 }), RangeError, "k must be");
  await assertRejects(() => lanczosTopK(id, 10, { k: 2, ncv: 2 }), RangeError, "ncv");
  await assertRejects(() => lanczosTopK(id, 10, { k: 2, ncv: 11 }), RangeError, "ncv");
  await assertRejects(() => lanczosTopK(id, 0, { k: 1 }), RangeError, "n must be");
  await assertRejects(() => lanczosTopK((v) => v.subarray(1), 10, { k: 2 }), RangeError, "length");
  await assertRejects(
    () => lanczosTopK((v) => v.map(() => NaN), 10, { k: 2 }),
    RangeError,
    "must be finite",
  );
  await assertRejects(
    () => lanczosTopK(id, 10, { k: 2, startVector: new Float64Array(10) }),
    RangeError,
    "non-zero",
  );
});

Deno.test("lanczosTopK: warm starts (exact, perturbed, unrelated, one eigenvector missing) give the dense answer; verify", async () => {
  const n = 400, k = 20;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(41)), hessianLikeSpectrum(n, 42));
  const dense = symmetricEigen(a, n);
  const top = Array.from(
    { length: 3 * k + 1 },
    (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n),
  );
  // Eigenvector 3 is new at this checkpoint in "withoutOne".
  const bases = warmStartBases(top, k, 3, 43);
  for (const [name, initialVectors] of Object.entries(bases)) {
    const warm = await lanczosTopK((v) => matVec(a, v), n, {
      k,
      seed: 5,
      initialVectors,
      verify: true,
    });
    checkAgainstDense(a, n, warm, k, 1e-4);
    assertEquals(warm.verification!.hvpCount, k, name);
    assert(warm.verification!.maxRelativeResidual <= 1e-4, name);
  }
  await assertRejects(
    () =>
      lanczosTopK((v) => matVec(a, v), n, {
        k: 2,
        startVector: new Float64Array(n).fill(1),
        initialVectors: bases.exact,
      }),
    RangeError,
    "not both",
  );
  // A drift of the operator after convergence (noise the Lanczos estimate cannot see) fails verify.
  const drifting = driftingAfterConvergence(a);
  await assertRejects(
    () =>
      lanczosTopK(drifting.op, n, { k: 5, seed: 1, verify: true, onProgress: drifting.onProgress }),
    Error,
    "verification failed",
  );
});
