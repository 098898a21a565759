/**
 * Block eigensolver benchmark (one core, float64): `blockLanczosTopK` at several block sizes vs
 * single-vector `lanczosTopK`, top-100 "LA" eigenpairs at tol 1e-4 of explicit N = 4,500
 * symmetric matrices with Hessian-like spectra (decaying positive outliers, a bulk near 0,
 * negative curvature), built as A = Q diag(λ) Qᵀ with Q a product of random Householder
 * reflections, so the exact eigenvalues are known.
 *
 * The block operator multiplies all vectors of a block while reading A once (a matrix–matrix
 * product), like a Hessian engine that computes H·[v₁ … v_b] in one pass over the data; its time
 * is reported separately. The rest of the wall time is the solver's own work (orthogonalisation,
 * Rayleigh–Ritz), which for a real Hessian over 10⁶ samples is small next to the passes. Per spectrum and solver: passes (operator calls), products (vectors
 * multiplied), restarts, locked pairs, wall time, operator time, the worst true relative residual
 * ‖Ay − θy‖/|θ| and the worst relative eigenvalue error.
 *
 * Run: `deno run bench/block_eigen.ts [--quick]` (a few minutes; --quick: the first spectrum and
 * b ∈ {8, 16, 32} only).
 *
 * @module
 */

import { Rng } from "../lib/rng.ts";
import { type LanczosResult, lanczosTopK } from "../lib/subspaces/lanczos.ts";
import { blockLanczosTopK } from "../lib/subspaces/block_lanczos.ts";
// The known-spectrum matrices of the eigensolver tests.
import { reflectorConjugated } from "../tests/linalg/_fixtures.ts";

const N = 4500;
const K = 100;
const TOL = 1e-4;
const quick = Deno.args.includes("--quick");

/**
 * [A x₁ … A x_b]: each row of A is read once for the whole block (it stays in cache) and each
 * entry once per group of four vectors, so the cost per product falls with the block size, as
 * for a Hessian engine whose pass over the data is shared by the block.
 */
function blockMatVec(a: Float64Array, xs: Float64Array[]): Float64Array[] {
  const n = xs[0].length;
  const b = xs.length;
  const ys = xs.map(() => new Float64Array(n));
  const grouped = b - (b % 4);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let v = 0; v < grouped; v += 4) {
      const x0 = xs[v];
      const x1 = xs[v + 1];
      const x2 = xs[v + 2];
      const x3 = xs[v + 3];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < n; j++) {
        const aij = a[o + j];
        s0 += aij * x0[j];
        s1 += aij * x1[j];
        s2 += aij * x2[j];
        s3 += aij * x3[j];
      }
      ys[v][i] = s0;
      ys[v + 1][i] = s1;
      ys[v + 2][i] = s2;
      ys[v + 3][i] = s3;
    }
    for (let v = grouped; v < b; v++) {
      const x = xs[v];
      let s0 = 0;
      let s1 = 0;
      let j = 0;
      for (; j + 1 < n; j += 2) {
        s0 += a[o + j] * x[j];
        s1 += a[o + j + 1] * x[j + 1];
      }
      if (j < n) s0 += a[o + j] * x[j];
      ys[v][i] = s0 + s1;
    }
  }
  return ys;
}

interface Spectrum {
  name: string;
  lambda: Float64Array;
}

function spectra(rng: Rng): Spectrum[] {
  const wide = new Float64Array(N);
  for (let i = 0; i < N; i++) wide[i] = 0.05 * rng.normal();
  for (let i = 0; i < 300; i++) wide[i] = 100 / (i + 1) ** 0.8;
  for (let i = 0; i < 20; i++) wide[N - 1 - i] = -20 / (i + 1);
  const narrow = new Float64Array(N);
  for (let i = 0; i < N; i++) narrow[i] = 0.05 * rng.normal();
  for (let i = 0; i < 30; i++) narrow[i] = 100 / (i + 1);
  for (let i = 0; i < 20; i++) narrow[N - 1 - i] = -20 / (i + 1);
  const all = [
    {
      name: "300 outliers 100/i^0.8, bulk N(0, 0.05²), 20 negative −20/i (bench/eigen.ts)",
      lambda: wide,
    },
    {
      name: "30 outliers 100/i, bulk N(0, 0.05²), 20 negative −20/i (70 wanted pairs in the bulk)",
      lambda: narrow,
    },
  ];
  return quick ? all.slice(0, 1) : all;
}

const rng = new Rng(2024);
const blockSizes = quick ? [8, 16, 32] : [4, 8, 16, 32, 64];
const pad = (x: string | number, w: number) => String(x).padStart(w);

for (const { name, lambda } of spectra(rng)) {
  const tb = performance.now();
  const a = reflectorConjugated(lambda, 4, rng).a;
  const exact = [...lambda].sort((x, y) => y - x);
  console.log(
    `\nTop-${K} "LA", tol ${TOL}, explicit N = ${N} (built in ${
      ((performance.now() - tb) / 1000).toFixed(1)
    } s)\nspectrum: ${name}`,
  );
  console.log(
    "solver                 b   passes  products  restarts  locked  time [s]  operator [s]" +
      "  max ‖Ay−θy‖/|θ|  max |θ−λ|/|λ|",
  );
  const runs: { label: string; b: number }[] = [
    { label: "lanczosTopK", b: 1 },
    ...blockSizes.map((b) => ({ label: "blockLanczosTopK", b })),
  ];
  for (const { label, b } of runs) {
    let operatorMs = 0;
    const t0 = performance.now();
    let result: LanczosResult & { passes?: number; locked?: number };
    if (label === "lanczosTopK") {
      result = await lanczosTopK(
        (v) => {
          const t = performance.now();
          const y = blockMatVec(a, [v])[0];
          operatorMs += performance.now() - t;
          return y;
        },
        N,
        { k: K, tol: TOL, seed: 0 },
      );
    } else {
      result = await blockLanczosTopK(
        (vs) => {
          const t = performance.now();
          const ys = blockMatVec(a, vs);
          operatorMs += performance.now() - t;
          return ys;
        },
        N,
        { k: K, tol: TOL, seed: 0, blockSize: b },
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    let worstResidual = 0;
    let worstValue = 0;
    for (let i0 = 0; i0 < K; i0 += 20) {
      const ys = blockMatVec(a, result.eigenvectors.slice(i0, i0 + 20));
      ys.forEach((ay, r) => {
        const i = i0 + r;
        const y = result.eigenvectors[i];
        const theta = result.eigenvalues[i];
        let s = 0;
        for (let j = 0; j < N; j++) s += (ay[j] - theta * y[j]) ** 2;
        worstResidual = Math.max(worstResidual, Math.sqrt(s) / Math.abs(theta));
        worstValue = Math.max(worstValue, Math.abs(theta - exact[i]) / Math.abs(exact[i]));
      });
    }
    const passes = result.passes ?? result.hvpCount;
    const locked = result.locked ?? "-";
    console.log(
      `${label.padEnd(20)}${pad(b, 4)}${pad(passes, 9)}${pad(result.hvpCount, 10)}${
        pad(result.restarts, 10)
      }${pad(locked, 8)}${pad(seconds.toFixed(1), 10)}${pad((operatorMs / 1000).toFixed(1), 14)}${
        pad(worstResidual.toExponential(1), 17)
      }${pad(worstValue.toExponential(1), 15)}${result.converged ? "" : "  NOT CONVERGED"}`,
    );
  }
}
