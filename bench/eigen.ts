/**
 * Eigensolver benchmark (one core, float64). Prints two tables:
 *
 * 1. Dense `symmetricEigen` (values + vectors) on random symmetric Gaussian matrices at
 *    N = 500, 1000, 2000, and the N = 4,500 time extrapolated from N = 2000 by N³.
 * 2. `lanczosTopK` for the top 100 eigenpairs (tol 1e-4, ncv 201, "LA") of an explicit
 *    N = 4,500 symmetric matrix with a Hessian-like decaying spectrum: operator calls, restarts,
 *    wall time, and the worst true relative residual ‖Ay − θy‖/|θ|.
 *
 * Run: `deno run bench/eigen.ts` (about half a minute).
 *
 * @module
 */

import { Rng } from "../lib/rng.ts";
import { symmetricEigen } from "../lib/linalg/symmetric_eigen.ts";
import { lanczosTopK } from "../lib/subspaces/lanczos.ts";
// The known-spectrum matrices of the eigensolver tests.
import { reflectorConjugated } from "../tests/linalg/_fixtures.ts";

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  }
  return a;
}

function matVec(a: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s0 = 0;
    let s1 = 0;
    const o = i * n;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      s0 += a[o + j] * x[j];
      s1 += a[o + j + 1] * x[j + 1];
    }
    if (j < n) s0 += a[o + j] * x[j];
    y[i] = s0 + s1;
  }
  return y;
}

const rng = new Rng(2024);
const fmt = (s: number) => s.toFixed(2).padStart(8);

console.log("Dense symmetricEigen (values + vectors), random symmetric Gaussian matrix, 1 core");
console.log("       N   time [s]   max ‖Av − λv‖");
let t2000 = 0;
for (const n of [500, 1000, 2000]) {
  const a = randomSymmetric(n, rng);
  const t0 = performance.now();
  const { values, vectors } = symmetricEigen(a, n);
  const seconds = (performance.now() - t0) / 1000;
  if (n === 2000) t2000 = seconds;
  let worst = 0;
  for (const j of [0, n >> 1, n - 1]) {
    const v = vectors!.subarray(j * n, (j + 1) * n);
    const av = matVec(a, v);
    let r = 0;
    for (let i = 0; i < n; i++) r += (av[i] - values[j] * v[i]) ** 2;
    worst = Math.max(worst, Math.sqrt(r));
  }
  console.log(`${String(n).padStart(8)} ${fmt(seconds)}   ${worst.toExponential(1)}`);
}
console.log(`    4500 ${fmt(t2000 * (4500 / 2000) ** 3)}   (extrapolated ∝ N³ from N = 2000)`);

const n = 4500;
const lambda = new Float64Array(n);
for (let i = 0; i < n; i++) lambda[i] = 0.05 * rng.normal(); // bulk near zero
for (let i = 0; i < 300; i++) lambda[i] = 100 / (i + 1) ** 0.8; // decaying outliers
for (let i = 0; i < 20; i++) lambda[n - 1 - i] = -20 / (i + 1); // negative curvature
const tb = performance.now();
const a = reflectorConjugated(lambda, 4, rng).a;
const buildSeconds = (performance.now() - tb) / 1000;
const t0 = performance.now();
const result = await lanczosTopK((v) => matVec(a, v), n, { k: 100, tol: 1e-4, seed: 0 });
const lanczosSeconds = (performance.now() - t0) / 1000;
let worstRel = 0;
for (let i = 0; i < 100; i++) {
  const y = result.eigenvectors[i];
  const ay = matVec(a, y);
  let r = 0;
  for (let j = 0; j < n; j++) r += (ay[j] - result.eigenvalues[i] * y[j]) ** 2;
  worstRel = Math.max(worstRel, Math.sqrt(r) / Math.abs(result.eigenvalues[i]));
}
const t1 = performance.now();
for (let i = 0; i < 10; i++) matVec(a, result.eigenvectors[i]);
const matVecMs = (performance.now() - t1) / 10;

console.log();
console.log(
  `Lanczos top-100 "LA", tol 1e-4, ncv 201, explicit N = ${n} matrix (built in ${
    buildSeconds.toFixed(1)
  } s)`,
);
console.log("spectrum: 300 outliers 100/i^0.8, bulk N(0, 0.05²), 20 negative −20/i");
console.log("  op calls  restarts  converged  time [s]  of which matvec [s]  max ‖Ay − θy‖/|θ|");
console.log(
  `${String(result.hvpCount).padStart(10)}${String(result.restarts).padStart(10)}${
    String(result.converged).padStart(11)
  }${fmt(lanczosSeconds)}  ${fmt((result.hvpCount * matVecMs) / 1000)}           ${
    worstRel.toExponential(1)
  }`,
);
