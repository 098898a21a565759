/**
 * The compute layer's likelihood heads against the float64 reference densities and finite
 * differences: the Gaussian head (log π, δ_z and the log σ gradient, the JVP and the
 * second-order pass) and the squashed Gaussian (samples, δ_z with the clamp, R{ã}).
 */
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  gaussianEntropy,
  GaussianHead,
  type HeadChunk,
  LOG_STD_MAX,
  SquashedGaussianHead,
  type SquashedSample,
} from "../../lib/compute/heads.ts";
import { Rng } from "../../lib/rng.ts";
import {
  fdGradient,
  gaussianLogProb as refLogProb,
  relativeMaxError,
  squashedSample,
} from "../reference/float64.ts";

const n = 5, A = 2;
const rng = new Rng(3);
const z0 = rng.fillNormal(new Float64Array(n * A));
const actions = rng.fillNormal(new Float64Array(n * A));
const logStd0 = Float64Array.from([-0.3, 0.4]);
const g = rng.fillNormal(new Float64Array(n));

function gaussianChunk(z: ArrayLike<number>, params: ArrayLike<number>): HeadChunk {
  return {
    n,
    actDim: A,
    z: Float64Array.from(z),
    zStride: A,
    actions,
    actionsOffset: 0,
    params,
    state: new Float64Array(n * 2 * A),
  };
}

/** Σ_n g_n·log π_n as a float64 function of [z | log σ]. */
function weightedLogProb(x: Float64Array): number {
  let s = 0;
  for (let r = 0; r < n; r++) {
    const mu = x.subarray(r * A, (r + 1) * A), ls = x.subarray(n * A, n * A + A);
    s += g[r] * refLogProb(mu, ls, actions.subarray(r * A, (r + 1) * A));
  }
  return s;
}

/** [δ_z | ∂/∂log σ] of Σ g·log π from the head. */
function headGradient(x: Float64Array): Float64Array {
  const head = new GaussianHead(A);
  const c = gaussianChunk(x.subarray(0, n * A), x.subarray(n * A));
  head.logProb(c, new Float64Array(n));
  const dz = new Float64Array(n * A), dp = new Float64Array(A);
  head.backward(c, g, dz, dp);
  return Float64Array.from([...dz, ...dp]);
}

Deno.test("GaussianHead: log π, δ_z and ∂/∂log σ equal the float64 reference and its differences", () => {
  const head = new GaussianHead(A);
  const c = gaussianChunk(z0, logStd0);
  const logp = new Float64Array(n);
  head.logProb(c, logp);
  for (let r = 0; r < n; r++) {
    const want = refLogProb(
      z0.subarray(r * A, r * A + A),
      logStd0,
      actions.subarray(r * A, r * A + A),
    );
    assertAlmostEquals(logp[r], want, 1e-12);
  }
  const x = Float64Array.from([...z0, ...logStd0]);
  assert(relativeMaxError(headGradient(x), fdGradient(weightedLogProb, x, 1e-6)) < 1e-7);
  // Entropy: mean H and coef·∂H/∂log σ = coef per dimension.
  const grad = new Float64Array(A);
  assertAlmostEquals(head.entropy(c, 0.5, grad), gaussianEntropy(logStd0), 1e-12);
  assertEquals(Array.from(grad), [0.5, 0.5]);
});

Deno.test("GaussianHead: JVP and second-order pass equal differences of log π and of the gradient", () => {
  const head = new GaussianHead(A);
  const v = new Rng(9).fillNormal(new Float64Array(n * A + A));
  const x = Float64Array.from([...z0, ...logStd0]);
  const h = 1e-5;
  const shifted = (s: number) => x.map((xi, i) => xi + s * h * v[i]);
  // JVP: R{log π_n} = ∂log π_n/∂x · v.
  const c = gaussianChunk(z0, logStd0);
  head.logProb(c, new Float64Array(n));
  const rz = Float64Array.from(v.subarray(0, n * A));
  const jvp = new Float64Array(n);
  head.jvp(c, 1, rz, v.subarray(n * A), jvp);
  const logpAt = (y: Float64Array) => {
    const lp = new Float64Array(n);
    head.logProb(gaussianChunk(y.subarray(0, n * A), y.subarray(n * A)), lp);
    return lp;
  };
  const lpPlus = logpAt(shifted(1)), lpMinus = logpAt(shifted(-1));
  for (let r = 0; r < n; r++) assertAlmostEquals(jvp[r], (lpPlus[r] - lpMinus[r]) / (2 * h), 1e-7);
  // R{δ_z} and (H v)_log σ with R{g} = 0: the directional derivative of the head's gradient.
  head.logProb(c, new Float64Array(n));
  const hv = new Float64Array(A);
  head.rBackward(c, 1, g, new Float64Array(n), rz, v.subarray(n * A), hv, 0);
  const fd = headGradient(shifted(1)).map((gp, i) => (gp - headGradient(shifted(-1))[i]) / (2 * h));
  assert(relativeMaxError([...rz, ...hv], fd) < 1e-6);
});

/** A squashed sample's arrays for n rows. */
function squashed(): SquashedSample {
  return {
    actions: new Float64Array(n * A),
    sigmaEps: new Float64Array(n * A),
    inside: new Float64Array(n * A),
    logProbs: new Float64Array(n),
  };
}

Deno.test("SquashedGaussianHead: samples and log π as the float64 reference; δ_z with the clamp", () => {
  const head = new SquashedGaussianHead(A);
  // z = [μ | ρ]; sample 1's ρ_0 lies above the clamp (its gradient is cut).
  const z = new Rng(5).fillNormal(new Float64Array(n * 2 * A), 0, 0.5);
  z[1 * 2 * A + A] = LOG_STD_MAX + 1;
  const eps = new Rng(6).fillNormal(new Float64Array(n * A));
  const s = squashed();
  head.sample(z, 2 * A, eps, 0, n, s);
  for (let r = 0; r < n; r++) {
    const mu = Array.from(z.subarray(r * 2 * A, r * 2 * A + A));
    const rho = Array.from(z.subarray(r * 2 * A + A, (r + 1) * 2 * A));
    const ref = squashedSample(mu, rho, eps.subarray(r * A, r * A + A));
    for (let d = 0; d < A; d++) assertAlmostEquals(s.actions[r * A + d], ref.action[d], 1e-6);
    assertAlmostEquals(s.logProbs[r], ref.logProb, 1e-4);
  }
  assertEquals(s.inside[1 * A], 0);
  // δ_z of ℓ = wα·Σ log π (g = 0) equals the differences of the float64 reference.
  const wAlpha = 0.3;
  const dz = new Float64Array(n * 2 * A);
  head.backward(s, n, wAlpha, null, dz, 2 * A);
  const f = (x: Float64Array) => {
    let total = 0;
    for (let r = 0; r < n; r++) {
      const mu = Array.from(x.subarray(r * 2 * A, r * 2 * A + A));
      const rho = Array.from(x.subarray(r * 2 * A + A, (r + 1) * 2 * A));
      total += wAlpha * squashedSample(mu, rho, eps.subarray(r * A, r * A + A)).logProb;
    }
    return total;
  };
  // The head works on float32-rounded ã and σε (as torch): agreement to float32 precision.
  assert(relativeMaxError(dz, fdGradient(f, z, 1e-5)) < 1e-4);
  assertEquals(dz[1 * 2 * A + A], 0); // the clamped ρ passes no gradient
  // R{ã} = ∂ã/∂z · v.
  const v = new Rng(7).fillNormal(new Float64Array(n * 2 * A));
  const rActions = new Float64Array(n * A);
  head.jvp(s, n, 1, v, 2 * A, rActions);
  const actionsAt = (x: Float64Array) => {
    const t = squashed();
    head.sample(x, 2 * A, eps, 0, n, t);
    return t.actions;
  };
  const h = 1e-3;
  const plus = actionsAt(z.map((x, i) => x + h * v[i]));
  const minus = actionsAt(z.map((x, i) => x - h * v[i]));
  for (let i = 0; i < n * A; i++) {
    assertAlmostEquals(rActions[i], (plus[i] - minus[i]) / (2 * h), 2e-3);
  }
});
