/**
 * Test matrices with known spectra for the eigensolver benchmarks.
 *
 * @module
 */
import type { Rng } from "../lib/rng.ts";

/** A = Q diag(λ) Qᵀ, Q a product of `reflections` random Householder reflections; O(r N²). */
export function conjugated(lambda: Float64Array, reflections: number, rng: Rng): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = lambda[i];
  const u = new Float64Array(n);
  const au = new Float64Array(n);
  for (let r = 0; r < reflections; r++) {
    rng.fillNormal(u);
    const s = Math.sqrt(u.reduce((acc, x) => acc + x * x, 0));
    for (let i = 0; i < n; i++) u[i] /= s;
    let uau = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      for (let j = 0; j < n; j++) t += a[i * n + j] * u[j];
      au[i] = t;
      uau += u[i] * t;
    }
    for (let i = 0; i < n; i++) {
      const c1 = -2 * u[i];
      const c2 = -2 * au[i] + 4 * uau * u[i];
      for (let j = 0; j < n; j++) a[i * n + j] += c1 * au[j] + c2 * u[j];
    }
  }
  return a;
}
