/**
 * Test matrices with known spectra, shared by the linalg and subspaces tests.
 *
 * @module
 */

import { Rng } from "../../lib/rng.ts";
import { householderQr } from "../../lib/linalg/qr.ts";

/** A Haar-like random orthogonal n × n matrix (row-major), from the QR of a Gaussian matrix. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  return householderQr(rng.fillNormal(new Float64Array(n * n)), n, n).q;
}

/** A = Q diag(λ) Qᵀ (row-major); column j of Q is the eigenvector of λⱼ. O(n³). */
export function conjugateDiagonal(q: Float64Array, lambda: ArrayLike<number>): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < n; l++) scaled[l] = q[i * n + l] * lambda[l];
    for (let j = 0; j <= i; j++) {
      let s = 0;
      const qj = j * n;
      for (let l = 0; l < n; l++) s += scaled[l] * q[qj + l];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** Column j of a row-major n × n matrix. */
export function column(q: Float64Array, n: number, j: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = q[i * n + j];
  return v;
}

/**
 * A = Q diag(λ) Qᵀ with Q = H₁ H₂ ⋯ H_r a product of r random Householder reflections, built in
 * O(r n²) — for large n where a full random orthogonal matrix costs too much. Returns A and a
 * function giving the eigenvector Q eⱼ of λⱼ.
 */
export function reflectorConjugated(
  lambda: ArrayLike<number>,
  reflections: number,
  rng: Rng,
): { a: Float64Array; eigenvector: (j: number) => Float64Array } {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = lambda[i];
  const us: Float64Array[] = [];
  for (let r = 0; r < reflections; r++) {
    const u = rng.fillNormal(new Float64Array(n));
    const s = Math.sqrt(u.reduce((acc, x) => acc + x * x, 0));
    for (let i = 0; i < n; i++) u[i] /= s;
    us.push(u);
  }
  // A ← H A H with H = I − 2uuᵀ, applied for H_r first so that A = H₁⋯H_r D H_r⋯H₁.
  const au = new Float64Array(n);
  for (let r = reflections - 1; r >= 0; r--) {
    const u = us[r];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * u[j];
      au[i] = s;
    }
    let uau = 0;
    for (let i = 0; i < n; i++) uau += u[i] * au[i];
    // HAH = A − 2u(Au)ᵀ − 2(Au)uᵀ + 4(uᵀAu)uuᵀ
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        a[i * n + j] += -2 * u[i] * au[j] - 2 * au[i] * u[j] + 4 * uau * u[i] * u[j];
      }
    }
  }
  const eigenvector = (j: number) => {
    const v = new Float64Array(n);
    v[j] = 1;
    for (let r = reflections - 1; r >= 0; r--) {
      const u = us[r];
      let s = 0;
      for (let i = 0; i < n; i++) s += u[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= 2 * s * u[i];
    }
    return v;
  };
  return { a, eigenvector };
}

/** y = A x for a row-major n × n matrix. */
export function matVec(a: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * n;
    for (let j = 0; j < n; j++) s += a[o + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** ‖A v − λ v‖₂. */
export function residualNorm(a: Float64Array, v: Float64Array, lambda: number): number {
  const av = matVec(a, v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (av[i] - lambda * v[i]) ** 2;
  return Math.sqrt(s);
}

/** xᵀy. */
export function inner(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** ‖V1ᵀ V2‖_F² / k for two sets of k vectors (computed directly, independent of lib/subspaces). */
export function overlapOf(v1: ArrayLike<number>[], v2: ArrayLike<number>[]): number {
  let s = 0;
  for (const a of v1) for (const b of v2) s += inner(a, b) ** 2;
  return s / v1.length;
}

/**
 * Warm-start bases for a top-k solve, from the dense eigenvectors `vectors` (descending, at least
 * 3k + 1): the exact top-k; the top-k with noise; an unrelated random basis; the top-k with
 * eigenvector `missing` replaced by a bulk one (an eigenvector that is new at this checkpoint).
 */
export function warmStartBases(
  vectors: ArrayLike<number>[],
  k: number,
  missing: number,
  seed: number,
): Record<"exact" | "noisy" | "unrelated" | "withoutOne", Float64Array[]> {
  const n = vectors[0].length;
  const r = new Rng(seed);
  const top = vectors.slice(0, k).map((v) => Float64Array.from(v));
  return {
    exact: top,
    noisy: top.map((v) => v.map((x) => x + (0.3 / Math.sqrt(n)) * r.normal())),
    unrelated: Array.from({ length: k }, () => r.fillNormal(new Float64Array(n))),
    withoutOne: top.map((v, i) => (i === missing ? Float64Array.from(vectors[3 * k]) : v)),
  };
}

/**
 * The matrix-vector product of `a`, exact until `onProgress` reports a converged solve and 0.1%
 * too large afterwards: noise inside an operator that a Krylov residual estimate cannot see, so a
 * verification's recomputed residuals must disagree with the Ritz pairs.
 */
export function driftingAfterConvergence(a: Float64Array): {
  op: (v: Float64Array) => Float64Array;
  onProgress: (p: { converged: number; wanted: number }) => void;
} {
  let drift = 1;
  return {
    op: (v) => matVec(a, v).map((x) => drift * x),
    onProgress: (p) => {
      if (p.converged === p.wanted) drift = 1.001;
    },
  };
}

/** A fresh generator (re-exported so tests need one import). */
export function rng(seed: number): Rng {
  return new Rng(seed);
}
