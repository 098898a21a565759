/**
 * The gSDE head against the float64 reference written from SB3 1.8's
 * `StateDependentNoiseDistribution` equations (`tests/reference/float64.ts`): log-probabilities,
 * entropies, sampled actions and noise matrices, and the head's first and second derivatives
 * against finite differences, for `full_std` on and off and `use_expln` on and off.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { GsdeHead, type GsdeOptions } from "../../lib/compute/gsde.ts";
import type { HeadChunk } from "../../lib/compute/heads.ts";
import { Rng } from "../../lib/rng.ts";
import {
  fdGradient,
  fdHvp,
  gsdeEntropyRef,
  gsdeLogProbRef,
  gsdeStdRef,
  relativeError,
  relativeMaxError,
  unitVector,
} from "../reference/float64.ts";

const n = 4, A = 2, H = 3;
const SETTINGS: GsdeOptions[] = [
  { latentDim: H, fullStd: true, useExpln: false },
  { latentDim: H, fullStd: false, useExpln: false },
  { latentDim: H, fullStd: true, useExpln: true },
  { latentDim: H, fullStd: false, useExpln: true },
];
const rng = new Rng(5);
const z0 = rng.fillNormal(new Float64Array(n * A));
const latent = rng.fillNormal(new Float64Array(n * H)).map(Math.tanh);
const actions = rng.fillNormal(new Float64Array(n * A));
const g = rng.fillNormal(new Float64Array(n));
const kappa = rng.fillNormal(new Float64Array(n), 0, 0.3);
/** log-std entries on both sides of 0 (expln's two branches). */
const logStdOf = (P: number) => Float64Array.from({ length: P }, (_, k) => -0.6 + 0.45 * k);
const ENT = 0.3;

const row = (a: ArrayLike<number>, r: number, w: number) => Array.from(a).slice(r * w, (r + 1) * w);

/** The head's view of the samples: μ = z, the features, the stored actions, L. */
function chunk(head: GsdeHead, z: ArrayLike<number>, params: ArrayLike<number>): HeadChunk {
  const state = new Float64Array(n * head.stateWidth);
  return {
    n,
    actDim: A,
    zStride: A,
    z: Float64Array.from(z),
    latent,
    actions,
    params,
    state,
    actionsOffset: 0,
  };
}

/**
 * F(z, L) = Σ_n [g_n·log π_n + ½κ_n·(log π_n)²] + ENT·mean H from the reference: its gradient has
 * the per-sample weights g + κ·log π, its Hessian a curvature term through R{g} = κ·R{log π}.
 */
function referenceF(o: GsdeOptions) {
  return (x: Float64Array) => {
    const L = x.subarray(n * A);
    let f = 0, h = 0;
    for (let r = 0; r < n; r++) {
      const lp = gsdeLogProbRef(row(x, r, A), row(latent, r, H), L, row(actions, r, A), o);
      f += g[r] * lp + 0.5 * kappa[r] * lp * lp;
      h += gsdeEntropyRef(row(latent, r, H), L, A, o);
    }
    return f + ENT * h / n;
  };
}

for (const o of SETTINGS) {
  const label = `full_std ${o.fullStd}, use_expln ${o.useExpln}`;
  const head = new GsdeHead(A, o);
  const P = head.paramCount;
  const L0 = logStdOf(P);

  Deno.test(`gSDE head (${label}): log π and entropy equal SB3's equations in float64`, () => {
    assertEquals(P, o.fullStd ? H * A : H);
    const c = chunk(head, z0, L0);
    const logp = new Float64Array(n);
    head.logProb(c, logp);
    let meanH = 0;
    for (let r = 0; r < n; r++) {
      const want = gsdeLogProbRef(row(z0, r, A), row(latent, r, H), L0, row(actions, r, A), o);
      assertAlmostEquals(logp[r], want, 1e-12);
      meanH += gsdeEntropyRef(row(latent, r, H), L0, A, o) / n;
    }
    assertAlmostEquals(head.entropy(c, 0, new Float64Array(P)), meanH, 1e-12);
  });

  Deno.test(`gSDE head (${label}): δ_z, ∂/∂L and the second-order pass match differences`, () => {
    const f = referenceF(o);
    const x0 = Float64Array.from([...z0, ...L0]);
    const c = chunk(head, z0, L0);
    const logp = new Float64Array(n);
    head.logProb(c, logp);
    const w = g.map((gr, r) => gr + kappa[r] * logp[r]);
    // Gradient: backward with the weights, plus the entropy term.
    const dz = new Float64Array(n * A), dp = new Float64Array(P);
    head.backward(c, w, dz, dp);
    head.entropy(c, ENT, dp);
    const grad = Float64Array.from([...dz, ...dp]);
    assert(relativeMaxError(grad, fdGradient(f, x0, 1e-6)) < 1e-7);
    // HVP along two directions at once: JVP, R{w} = κ·R{log π}, second-order pass.
    const b = 2, dim = n * A + P;
    const vs = [unitVector(dim, 3), unitVector(dim, 4)];
    const rz = new Float64Array(b * n * A), vp = new Float64Array(b * P);
    vs.forEach((v, j) => {
      rz.set(v.subarray(0, n * A), j * n * A);
      vp.set(v.subarray(n * A), j * P);
    });
    const rlp = new Float64Array(b * n);
    head.jvp(c, b, rz, vp, rlp);
    for (let j = 0; j < b; j++) {
      // The JVP against the directional difference of log π.
      for (let r = 0; r < n; r++) {
        const at = (s: number) => {
          const x = x0.map((xi, i) => xi + s * vs[j][i]);
          return gsdeLogProbRef(
            row(x, r, A),
            row(latent, r, H),
            x.subarray(n * A),
            row(actions, r, A),
            o,
          );
        };
        assertAlmostEquals(rlp[j * n + r], (at(1e-6) - at(-1e-6)) / 2e-6, 1e-7);
      }
      for (let r = 0; r < n; r++) rlp[j * n + r] *= kappa[r];
    }
    const hv = new Float64Array(b * P);
    head.rBackward(c, b, w, rlp, rz, vp, hv, ENT);
    for (let j = 0; j < b; j++) {
      const got = Float64Array.from([
        ...rz.subarray(j * n * A, (j + 1) * n * A),
        ...hv.subarray(j * P, (j + 1) * P),
      ]);
      const err = relativeError(got, fdHvp(f, x0, vs[j], 1e-4));
      assert(err < 1e-6, `HVP ${j}: ${err.toExponential(2)}`);
    }
  });

  Deno.test(`gSDE head (${label}): noise matrices and sampled actions follow SB3`, () => {
    const noise = new Float64Array(H * A);
    head.sampleNoise(L0, 0, new Rng(9), noise);
    // E_jd = std(L)_jd·ξ, ξ the generator's normals in row-major order.
    const xi = new Rng(9).fillNormal(new Float64Array(H * A));
    for (let j = 0; j < H; j++) {
      for (let d = 0; d < A; d++) {
        const std = gsdeStdRef(L0[o.fullStd ? j * A + d : j], o.useExpln);
        assertAlmostEquals(noise[j * A + d], std * xi[j * A + d], 1e-15);
      }
    }
    const mu = row(z0, 0, A), h = row(latent, 0, H);
    const a = new Float32Array(A);
    const lp = head.sample(mu, h, L0, 0, noise, a);
    for (let d = 0; d < A; d++) {
      let e = 0;
      for (let j = 0; j < H; j++) e += h[j] * noise[j * A + d];
      assertEquals(a[d], Math.fround(mu[d] + e));
    }
    assertAlmostEquals(lp, gsdeLogProbRef(mu, h, L0, a, o), 1e-12);
    // The standard deviation reported for a state: √(Σ h²·std² + 1e-6).
    const std = head.std(h, L0, 0, new Float64Array(A));
    for (let d = 0; d < A; d++) {
      let v = 1e-6;
      for (let j = 0; j < H; j++) {
        v += h[j] ** 2 * gsdeStdRef(L0[o.fullStd ? j * A + d : j], o.useExpln) ** 2;
      }
      assertAlmostEquals(std[d], Math.sqrt(v), 1e-14);
    }
  });
}

Deno.test("gSDE head: the empirical action covariance of many noise matrices is diag v(s)", () => {
  const o = SETTINGS[0];
  const head = new GsdeHead(A, o);
  const L0 = logStdOf(head.paramCount);
  const mu = [0.2, -0.4], h = row(latent, 1, H);
  const noise = new Float64Array(H * A), a = new Float32Array(A);
  const r = new Rng(11), m = 40_000;
  const sum = [0, 0], sq = [0, 0];
  for (let i = 0; i < m; i++) {
    head.sampleNoise(L0, 0, r, noise);
    head.sample(mu, h, L0, 0, noise, a);
    for (let d = 0; d < A; d++) {
      sum[d] += a[d];
      sq[d] += (a[d] - mu[d]) ** 2;
    }
  }
  const std = head.std(h, L0, 0, new Float64Array(A));
  for (let d = 0; d < A; d++) {
    assertAlmostEquals(sum[d] / m, mu[d], 4 * std[d] / Math.sqrt(m));
    // Var of a sample variance of m normals: 2σ⁴/m.
    assertAlmostEquals(sq[d] / m, std[d] ** 2, 4 * Math.SQRT2 * std[d] ** 2 / Math.sqrt(m));
  }
});

Deno.test("gSDE head: a network without a hidden layer is refused", () => {
  assertThrows(
    () => new GsdeHead(1, { latentDim: 0, fullStd: true, useExpln: false }),
    RangeError,
    "hidden layer",
  );
});
