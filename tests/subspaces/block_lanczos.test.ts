import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertStrictEquals,
} from "@std/assert";
import {
  type BlockLanczosProgress,
  type BlockLanczosResult,
  blockLanczosTopK,
  type BlockOperator,
  blockOperatorFromSingle,
} from "../../lib/subspaces/block_lanczos.ts";
import { lanczosTopK } from "../../lib/subspaces/lanczos.ts";
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
 * Hessian-like spectrum: `outliers` large positive eigenvalues decaying as 1/i, a bulk around 0,
 * and negative eigenvalues larger in magnitude than the wanted positive ones (so "largest
 * algebraic" and "largest magnitude" differ).
 */
function hessianLikeSpectrum(n: number, outliers: number, seed: number): Float64Array {
  const r = rng(seed);
  const lambda = new Float64Array(n);
  for (let i = 0; i < n; i++) lambda[i] = 0.05 * r.normal();
  for (let i = 0; i < outliers; i++) lambda[i] = 50 / (i + 1) ** 0.8;
  for (let i = 0; i < 5; i++) lambda[n - 1 - i] = -200 - 30 * i;
  return lambda;
}

/** Block operator of an explicit matrix that counts passes and products. */
function counted(a: Float64Array): BlockOperator & { passes: number; products: number } {
  const op = (vs: Float64Array[]) => {
    op.passes++;
    op.products += vs.length;
    return vs.map((v) => matVec(a, v));
  };
  op.passes = 0;
  op.products = 0;
  return op;
}

/**
 * Checks a result against reference eigenpairs (values descending, vectors): eigenvalues to 1e-4
 * relative, subspace overlap ≥ 0.999, orthonormality, and ARPACK's criterion on the residuals,
 * both the reported ones and ‖Ay − θy‖ recomputed here (which they must match).
 */
function checkAgainst(
  a: Float64Array,
  result: BlockLanczosResult,
  values: ArrayLike<number>,
  vectors: ArrayLike<number>[],
  k: number,
  tol: number,
): void {
  assert(result.converged);
  assertEquals(result.eigenvalues.length, k);
  assertEquals(result.eigenvectors.length, k);
  for (let i = 0; i < k; i++) {
    const rel = Math.abs(result.eigenvalues[i] - values[i]) / Math.abs(values[i]);
    assert(rel <= 1e-4, `eigenvalue ${i}: ${result.eigenvalues[i]} vs ${values[i]}`);
    if (i > 0) assert(result.eigenvalues[i] <= result.eigenvalues[i - 1], "descending");
    const bound = tol * Math.abs(result.eigenvalues[i]);
    const trueResidual = residualNorm(a, result.eigenvectors[i], result.eigenvalues[i]);
    assert(trueResidual <= bound, `residual ${i}: ${trueResidual} > ${bound}`);
    assert(result.residuals[i] <= bound, `reported residual ${i}`);
    // The reported residual is the true one (Krylov part + leak to locked vectors), not a bound.
    assertAlmostEquals(result.residuals[i], trueResidual, 1e-3 * bound + 1e-11);
    for (let j = 0; j <= i; j++) {
      assertAlmostEquals(
        inner(result.eigenvectors[i], result.eigenvectors[j]),
        i === j ? 1 : 0,
        1e-10,
      );
    }
  }
  assert(overlapOf(result.eigenvectors, vectors) >= 0.999, "subspace overlap");
}

function denseReference(a: Float64Array, n: number, k: number) {
  const dense = symmetricEigen(a, n);
  const vectors = Array.from({ length: k }, (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n));
  return { values: dense.values, vectors };
}

Deno.test("blockLanczosTopK: top-20 vs dense eigendecomposition, large negative eigenvalues", async () => {
  const n = 500;
  const lambda = hessianLikeSpectrum(n, 40, 1);
  const a = conjugateDiagonal(randomOrthogonal(n, rng(2)), lambda);
  const op = counted(a);
  const result = await blockLanczosTopK(op, n, { k: 20, blockSize: 8, seed: 7 });
  const ref = denseReference(a, n, 20);
  checkAgainst(a, result, ref.values, ref.vectors, 20, 1e-4);
  assertStrictEquals(result.passes, op.passes);
  assertStrictEquals(result.hvpCount, op.products);
  assertEquals(result.hvpCount, 8 * result.passes);
  assertEquals(result.blockSize, 8);
  // "LA", not "LM": every returned value is one of the positive ones, not −200 … −320.
  assert(result.eigenvalues.every((x) => x > 0));
});

Deno.test("blockLanczosTopK: top-100 vs dense eigendecomposition, bulk inside the wanted set", async () => {
  // 30 outliers: the wanted 100 reach 70 values deep into the clustered bulk near 0.1.
  const n = 700;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(3)), hessianLikeSpectrum(n, 30, 4));
  const result = await blockLanczosTopK(counted(a), n, { k: 100, blockSize: 16, seed: 1 });
  const ref = denseReference(a, n, 100);
  checkAgainst(a, result, ref.values, ref.vectors, 100, 1e-4);
  assert(result.locked > 0, "converged outliers are locked");
});

Deno.test("blockLanczosTopK: N = 1,500, top-100 with known eigenpairs", async () => {
  const n = 1500;
  const lambda = hessianLikeSpectrum(n, 150, 5);
  const { a, eigenvector } = reflectorConjugated(lambda, 5, rng(6));
  const result = await blockLanczosTopK(counted(a), n, { k: 100, seed: 2 });
  const order = Array.from(lambda.keys()).sort((i, j) => lambda[j] - lambda[i]).slice(0, 100);
  checkAgainst(a, result, order.map((i) => lambda[i]), order.map(eigenvector), 100, 1e-4);
  assertEquals(result.blockSize, 16, "default block size");
});

Deno.test("blockLanczosTopK: multiplicities up to the block size are resolved", async () => {
  const n = 300;
  const lambda = Float64Array.from({ length: n }, (_, i) => 2 * 0.97 ** i - 1);
  const top = [10, 10, 10, 10, 10, 10, 8, 8, 8, 6, 6 + 1e-9, 6 + 2e-9, 4, 4];
  top.forEach((x, i) => (lambda[i] = x));
  const q = randomOrthogonal(n, rng(8));
  const a = conjugateDiagonal(q, lambda);
  const result = await blockLanczosTopK(counted(a), n, { k: 14, blockSize: 8, seed: 2 });
  const ref = denseReference(a, n, 14);
  checkAgainst(a, result, ref.values, ref.vectors, 14, 1e-4);
  // The six vectors for λ = 10 span exactly its eigenspace (columns 0–5 of Q).
  const column = (j: number) => Float64Array.from({ length: n }, (_, i) => q[i * n + j]);
  const eigenspace = [0, 1, 2, 3, 4, 5].map(column);
  assertAlmostEquals(overlapOf(result.eigenvectors.slice(0, 6), eigenspace), 1, 1e-8);
  result.eigenvalues.slice(0, 6).forEach((x) => assertAlmostEquals(x, 10, 1e-9));
});

Deno.test("blockLanczosTopK: rank-deficient blocks (invariant subspaces) are deflated", async () => {
  // Diagonal operator with three distinct eigenvalues: any block Krylov space from a block of 4
  // has dimension ≤ 12 and holds only 4 directions of each eigenspace, so the blocks become rank
  // deficient and the 6-fold eigenvalue and 4 more copies of λ = 3 need fresh directions.
  const n = 40;
  const diag = Float64Array.from({ length: n }, (_, i) => (i < 6 ? 5 : [3, 1][i % 2]));
  const op: BlockOperator = (vs) => vs.map((v) => v.map((x, i) => diag[i] * x));
  const result = await blockLanczosTopK(op, n, { k: 10, blockSize: 4, seed: 4 });
  assert(result.converged);
  for (let i = 0; i < 10; i++) {
    assertAlmostEquals(result.eigenvalues[i], i < 6 ? 5 : 3, 1e-12);
    const y = result.eigenvectors[i];
    for (let j = 0; j < n; j++) {
      assertAlmostEquals(diag[j] * y[j], result.eigenvalues[i] * y[j], 1e-10);
    }
  }
  const e = (i: number) => Float64Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));
  const top6 = [0, 1, 2, 3, 4, 5].map(e);
  assertAlmostEquals(overlapOf(result.eigenvectors.slice(0, 6), top6), 1, 1e-12);
  // Zero operator: every block is deflated at once; all eigenvalues are 0.
  const zero = await blockLanczosTopK((vs) => vs.map((v) => new Float64Array(v.length)), 60, {
    k: 3,
    blockSize: 4,
  });
  assert(zero.converged);
  assertEquals(Array.from(zero.eigenvalues), [0, 0, 0]);
});

Deno.test("blockLanczosTopK: k ≥ n and small n use the explicit matrix", async () => {
  const a = new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]); // eigenvalues 2 + √2, 2, 2 − √2
  const op = counted(a);
  const all = await blockLanczosTopK(op, 3, { k: 5 });
  assertEquals(all.eigenvalues.length, 3);
  assertEquals([op.passes, op.products], [1, 3]);
  assertEquals([all.passes, all.hvpCount], [1, 3]);
  [2 + Math.SQRT2, 2, 2 - Math.SQRT2].forEach((x, i) =>
    assertAlmostEquals(all.eigenvalues[i], x, 1e-14)
  );
  // n = 40 < k + 3b: ⌈40/16⌉ = 3 passes of unit vectors, then a dense solve.
  const n = 40;
  const diag = Float64Array.from({ length: n }, (_, i) => (i % 7) - 0.5 * i);
  const small = await blockLanczosTopK((vs) => vs.map((v) => v.map((x, i) => diag[i] * x)), n, {
    k: 5,
  });
  assertEquals([small.passes, small.hvpCount], [3, 40]);
  const sorted = [...diag].sort((x, y) => y - x);
  for (let i = 0; i < 5; i++) assertAlmostEquals(small.eigenvalues[i], sorted[i], 1e-12);
  const one = await blockLanczosTopK((vs) => vs.map((v) => v.map((x) => -3 * x)), 1, { k: 1 });
  assertEquals(Array.from(one.eigenvalues), [-3]);
});

Deno.test("blockLanczosTopK: async float32 operator; trueResiduals; single-vector adapter", async () => {
  const n = 300;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(5)), hessianLikeSpectrum(n, 40, 6));
  const sync = await blockLanczosTopK(counted(a), n, { k: 10, blockSize: 4, seed: 3 });
  const asyncOp: BlockOperator = async (vs) => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return vs.map((v) => new Float32Array(matVec(a, v)));
  };
  const f32 = await blockLanczosTopK(asyncOp, n, {
    k: 10,
    blockSize: 4,
    seed: 3,
    trueResiduals: true,
  });
  assert(f32.converged);
  for (let i = 0; i < 10; i++) {
    assertAlmostEquals(f32.eigenvalues[i], sync.eigenvalues[i], 1e-5 * sync.eigenvalues[i]);
    // Recomputed residuals see the float32 rounding of the operator and match an exact recompute.
    const exact = residualNorm(a, f32.eigenvectors[i], f32.eigenvalues[i]);
    assert(f32.residuals[i] > 1e-12, "float32 noise is visible");
    assertAlmostEquals(f32.residuals[i], exact, 1e-5 * f32.eigenvalues[i]);
  }
  const plain = await blockLanczosTopK(asyncOp, n, { k: 10, blockSize: 4, seed: 3 });
  assertEquals(f32.passes, plain.passes + 3, "⌈10/4⌉ extra passes for the true residuals");
  assertEquals(f32.hvpCount, plain.hvpCount + 10);

  // A single-vector operator through the adapter, with b = 1: the block method degenerates to
  // thick-restart Lanczos and agrees with lanczosTopK.
  let calls = 0;
  const single = (v: Float64Array) => {
    calls++;
    return matVec(a, v);
  };
  const b1 = await blockLanczosTopK(blockOperatorFromSingle(single), n, {
    k: 10,
    blockSize: 1,
    seed: 3,
  });
  assertEquals(b1.hvpCount, calls);
  assertEquals(b1.passes, calls);
  const reference = await lanczosTopK((v) => matVec(a, v), n, { k: 10, seed: 3 });
  for (let i = 0; i < 10; i++) {
    assertAlmostEquals(
      b1.eigenvalues[i],
      reference.eigenvalues[i],
      1e-6 * reference.eigenvalues[i],
    );
  }
  calls = 0;
  const b5 = await blockLanczosTopK(blockOperatorFromSingle(single), n, { k: 10, blockSize: 5 });
  assertEquals([b5.hvpCount, calls], [5 * b5.passes, 5 * b5.passes]);
});

Deno.test("blockLanczosTopK: top-100 costs far fewer passes than single-vector Lanczos calls", async () => {
  const n = 1000;
  const lambda = hessianLikeSpectrum(n, 30, 11);
  const { a } = reflectorConjugated(lambda, 4, rng(12));
  const single = await lanczosTopK((v) => matVec(a, v), n, { k: 100, tol: 1e-4, seed: 0 });
  const block = await blockLanczosTopK(counted(a), n, { k: 100, tol: 1e-4, seed: 0 });
  console.log(
    `  N = ${n}, top-100, tol 1e-4: lanczosTopK ${single.hvpCount} calls; blockLanczosTopK ` +
      `(b = ${block.blockSize}) ${block.passes} passes, ${block.hvpCount} products`,
  );
  assert(single.converged && block.converged);
  assert(block.passes < single.hvpCount / 2, "passes < calls / 2");
  const top = [...lambda].sort((x, y) => y - x);
  for (let i = 0; i < 100; i++) {
    assert(Math.abs(block.eigenvalues[i] - top[i]) <= 1e-4 * Math.abs(top[i]), `eigenvalue ${i}`);
  }
});

Deno.test("blockLanczosTopK: maxIter exceeded throws or warns; onProgress reports", async () => {
  const n = 300;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(9)), hessianLikeSpectrum(n, 40, 10));
  const op = counted(a);
  await assertRejects(
    () => blockLanczosTopK(op, n, { k: 30, blockSize: 4, tol: 1e-12, maxIter: 1, seed: 1 }),
    Error,
    "raise maxIter",
  );
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const r = await blockLanczosTopK(op, n, {
      k: 30,
      blockSize: 4,
      tol: 1e-12,
      maxIter: 1,
      onNotConverged: "warn",
    });
    assertEquals(r.converged, false);
    assertEquals(r.restarts, 0);
    assertEquals(r.eigenvalues.length, 30);
  } finally {
    console.warn = originalWarn;
  }
  assertEquals(warnings.length, 1);

  const progress: BlockLanczosProgress[] = [];
  const r = await blockLanczosTopK(op, n, {
    k: 10,
    blockSize: 2,
    basisSize: 20,
    seed: 1,
    onProgress: (p) => progress.push(p),
  });
  assert(r.restarts >= 2, "small basis forces restarts");
  assertEquals(progress.length, r.restarts + 1);
  assertEquals(progress.at(-1)!.passes, r.passes);
  assertEquals(progress.at(-1)!.hvpCount, r.hvpCount);
  assertEquals(progress.at(-1)!.converged, 10);
  assertEquals(progress.at(-1)!.locked, r.locked);
  for (let i = 1; i < progress.length; i++) {
    assert(progress[i].passes > progress[i - 1].passes);
    assertEquals(progress[i].iteration, i + 1);
  }
});

Deno.test("blockLanczosTopK: bad input and bad operators give clear errors", async () => {
  const id: BlockOperator = (vs) => vs.map((v) => v.slice());
  await assertRejects(() => blockLanczosTopK(id, 100, { k: 0 }), RangeError, "k must be");
  await assertRejects(() => blockLanczosTopK(id, 0, { k: 1 }), RangeError, "n must be");
  await assertRejects(
    () => blockLanczosTopK(id, 100, { k: 2, blockSize: 0 }),
    RangeError,
    "blockSize",
  );
  await assertRejects(
    () => blockLanczosTopK(id, 100, { k: 10, blockSize: 8, basisSize: 17 }),
    RangeError,
    "basisSize",
  );
  await assertRejects(
    () => blockLanczosTopK(id, 100, { k: 10, blockSize: 8, basisSize: 93 }),
    RangeError,
    "basisSize",
  );
  await assertRejects(
    () => blockLanczosTopK((vs) => vs.slice(1), 100, { k: 2, blockSize: 4 }),
    RangeError,
    "one product per input vector",
  );
  await assertRejects(
    () => blockLanczosTopK((vs) => vs.map((v) => v.subarray(1)), 100, { k: 2, blockSize: 4 }),
    RangeError,
    "length",
  );
  await assertRejects(
    () => blockLanczosTopK((vs) => vs.map((v) => v.map(() => NaN)), 100, { k: 2, blockSize: 4 }),
    RangeError,
    "must be finite",
  );
});

Deno.test("blockLanczosTopK: warm starts (exact, perturbed, unrelated, partial, one eigenvector missing) change the cost, not the answer", async () => {
  const n = 700, k = 100, b = 16;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(21)), hessianLikeSpectrum(n, 150, 22));
  const dense = symmetricEigen(a, n);
  const all = Array.from({ length: n }, (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n));
  const cold = await blockLanczosTopK(counted(a), n, { k, seed: 1, verify: true });
  checkAgainst(a, cold, dense.values, all, k, 1e-4);
  const r = rng(24);
  const bases = {
    ...warmStartBases(all, k, 7, 23),
    // An invariant subspace to 1e-8 (as a previous solve's eigenvectors of a nearby Hessian).
    tiny: all.slice(0, k).map((v) => v.map((x) => x + (1e-8 / Math.sqrt(n)) * r.normal())),
    // 60 exact eigenvectors, then 40 random vectors.
    partial: [...all.slice(0, 60), ...warmStartBases(all, 40, 0, 25).unrelated],
  };
  const runs: Record<string, BlockLanczosResult> = {};
  for (const [name, basis] of Object.entries(bases)) {
    const op = counted(a);
    const warm = await blockLanczosTopK(op, n, { k, seed: 1, initialVectors: basis, verify: true });
    // The same pairs as the dense decomposition, with reported residuals equal to the true ones
    // (the kept warm pairs' residuals are carried exactly, not estimated).
    checkAgainst(a, warm, dense.values, all, k, 1e-4);
    assertEquals(warm.hvpCount, op.products, name);
    assert(warm.verification!.maxRelativeResidual <= 1e-4, name);
    runs[name] = warm;
  }
  const cost = Object.fromEntries(Object.entries(runs).map(([x, y]) => [x, y.hvpCount]));
  console.log(
    `  N = ${n}, top-${k}, b = ${b}, HVPs incl. verification: cold ${cold.hvpCount}, ` +
      JSON.stringify(cost),
  );
  // Near-invariant bases: k products of Rayleigh–Ritz, 48 of exploration, and the returned warm
  // pairs need no verification products.
  for (const name of ["exact", "tiny"]) {
    assertEquals(runs[name].warmStart, {
      vectors: k,
      hvpCount: k,
      converged: k,
      kept: k,
      returned: true,
    }, name);
    assertEquals(runs[name].verification!.hvpCount, 0, name);
    assertEquals(runs[name].hvpCount, k + 3 * b, name);
    assert(runs[name].hvpCount < 0.4 * cold.hvpCount, `${name} saves most of the solve`);
  }
  // A drifted basis costs one pass of warm products, then the cold iteration exactly.
  for (const name of ["noisy", "unrelated"]) {
    assertEquals(runs[name].warmStart!.vectors, b, `${name}: one block of the basis is tried`);
    assertEquals(runs[name].warmStart!.kept, 0, name);
    assertEquals(runs[name].hvpCount, cold.hvpCount + b, name);
  }
  // Partly good: the basis is taken until a block adds no converged pairs (5 blocks), the 60
  // exact pairs are kept and the Krylov space finds the other 40. The top pairs converge cheaply
  // in a cold solve too, so this saves little: the bound is a cold solve plus the warm products.
  assertEquals(runs.partial.warmStart!.vectors, 5 * b);
  assertEquals(runs.partial.warmStart!.kept, 60);
  assertEquals(runs.partial.warmStart!.returned, false);
  assert(runs.partial.hvpCount <= cold.hvpCount + runs.partial.warmStart!.hvpCount);
  // One top eigenvector (index 7) missing from an otherwise exact basis: the exploration finds
  // it, so the warm pairs are not returned as they are, and the answer is still the dense one.
  assertEquals(runs.withoutOne.warmStart!.kept, k);
  assertEquals(runs.withoutOne.warmStart!.returned, false);
  assertEquals(runs.withoutOne.verification!.hvpCount, k);
  // Float32 warm vectors (as cached) and fewer vectors than wanted are accepted too.
  const few = await blockLanczosTopK(counted(a), n, {
    k: 10,
    seed: 2,
    initialVectors: all.slice(0, 5).map((v) => Float32Array.from(v)),
  });
  checkAgainst(a, few, dense.values, all, 10, 1e-4);
  assertEquals(few.warmStart!.kept, 5);
  // extraVectors: the next Ritz vectors, orthonormal to the wanted ones.
  const extra = await blockLanczosTopK(counted(a), n, { k: 20, seed: 3, extraVectors: 10 });
  assertEquals(extra.extraVectors!.length, 10);
  for (const v of extra.extraVectors!) {
    assertAlmostEquals(inner(v, v), 1, 1e-10);
    for (const y of extra.eigenvectors) assertAlmostEquals(inner(v, y), 0, 1e-10);
  }
});

Deno.test("blockLanczosTopK: verify throws when the recomputed residuals miss the bound", async () => {
  const n = 300;
  const a = conjugateDiagonal(randomOrthogonal(n, rng(31)), hessianLikeSpectrum(n, 40, 32));
  const drifting = driftingAfterConvergence(a);
  await assertRejects(
    () =>
      blockLanczosTopK(blockOperatorFromSingle(drifting.op), n, {
        k: 10,
        blockSize: 4,
        seed: 1,
        verify: true,
        onProgress: drifting.onProgress,
      }),
    Error,
    "verification failed",
  );
  const op = counted(a);
  const ok = await blockLanczosTopK(op, n, { k: 10, blockSize: 4, seed: 1, verify: true });
  assert(ok.verification!.maxRelativeResidual <= 1e-4);
  // The explicit-matrix path verifies for free.
  const dense = await blockLanczosTopK(op, 30, { k: 40, verify: true });
  assertEquals(dense.verification!.hvpCount, 0);
  await assertRejects(
    () => blockLanczosTopK(op, n, { k: 2, initialVectors: [new Float64Array(n - 1)] }),
    RangeError,
    "initialVectors[0] has length",
  );
  await assertRejects(
    () => blockLanczosTopK(op, n, { k: 2, initialVectors: [new Float64Array(n)] }),
    RangeError,
    "non-zero",
  );
});
