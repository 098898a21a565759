/**
 * The gSDE head against the float64 reference written from SB3 1.8's
 * `StateDependentNoiseDistribution` equations (`tests/reference/float64.ts`): log-probabilities,
 * entropies, sampled actions and noise matrices, and the head's first and second derivatives
 * against finite differences, for `full_std` on and off and `use_expln` on and off; SAC's squashed
 * gSDE head (features learned, μ clipped, one noise matrix per batch) likewise.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  GsdeHead,
  type GsdeOptions,
  SquashedGsdeHead,
  type SquashedGsdeOptions,
} from "../../lib/compute/gsde.ts";
import type { HeadChunk } from "../../lib/compute/heads.ts";
import { Rng } from "../../lib/rng.ts";
import {
  fdGradient,
  fdHvp,
  gsdeEntropyRef,
  gsdeLogProbRef,
  gsdeStdRef,
  gsdeVarianceRef,
  relativeError,
  relativeMaxError,
  sacGsdeRef,
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

// ---- SAC's squashed gSDE head (SB3 `Actor(use_sde=True)`).

const SN = 6;
/** Pre-clip outputs: row 2 has |z| > clip_mean (μ clipped, no gradient into z). */
const sz = Float64Array.from([0.3, -0.8, 1.1, 0.4, 2.6, -3.1, -0.2, 0.9, 0.5, -1.5, 0.1, 0.2]);
/**
 * ReLU-like features: non-negative, one zero; row 4 large enough to saturate tanh (the clamp),
 * row 5 close to saturation (float32 rounding of ã matters).
 */
const sLatent = Float64Array.from([
  ...[0.4, 0, 1.3],
  ...[0.9, 0.2, 0.5],
  ...[0.1, 0.7, 0.3],
  ...[1.6, 0.8, 0],
  ...[400, 350, 450],
  ...[4, 3.5, 4.5],
]);
const sXi = new Rng(13).fillNormal(new Float64Array(H * A));
/** The squashed head's batch of these rows with the log-std matrix L. */
const batch = (L: ArrayLike<number>) => ({
  n: SN,
  z: sz,
  zStride: A,
  latent: sLatent,
  params: L,
  paramsOffset: 0,
  xi: sXi,
});
const q = new Rng(14).fillNormal(new Float64Array(SN * A));
const kq = new Rng(15).fillNormal(new Float64Array(SN * A), 0, 0.5);
const W_ALPHA = 0.37;

/** F(z, h, L) = Σ_r [wα·log π_r + Σ_d (q·ã + ½κ·ã²)] from the float64 reference. */
function sacReferenceF(o: SquashedGsdeOptions) {
  return (x: Float64Array) => {
    const z = x.subarray(0, SN * A), h = x.subarray(SN * A, SN * (A + H));
    const { actions: acts, logProbs } = sacGsdeRef(z, h, x.subarray(SN * (A + H)), sXi, A, o);
    let f = 0;
    for (let r = 0; r < SN; r++) {
      f += W_ALPHA * logProbs[r];
      for (let d = 0; d < A; d++) {
        const a = acts[r][d], i = r * A + d;
        f += q[i] * a + 0.5 * kq[i] * a * a;
      }
    }
    return f;
  };
}

for (const base of SETTINGS) {
  const o: SquashedGsdeOptions = { ...base, clipMean: 2 };
  const label = `full_std ${o.fullStd}, use_expln ${o.useExpln}`;
  const head = new SquashedGsdeHead(A, o);
  const P = head.paramCount;
  const L0 = logStdOf(P).map((l) => l - 1);

  Deno.test(`squashed gSDE head (${label}): ã and log π equal SB3's equations in float64`, () => {
    const s = head.newSample(SN);
    head.sample(batch(L0), s);
    const ref = sacGsdeRef(sz, sLatent, L0, sXi, A, o);
    for (let r = 0; r < SN; r++) {
      for (let d = 0; d < A; d++) {
        assertAlmostEquals(s.actions[r * A + d], ref.actions[r][d], 2e-7);
      }
      // torch rounds u and ã to float32 (as the head does): |δã| ≲ 2⁻²⁴(1 + |u|), and log π as
      // a function of ã has slope (m/v)/(1 − ã²) + 2ã/(1 − ã² + 1e-6) (steep near saturation).
      const h = sLatent.subarray(r * H, (r + 1) * H);
      const v = gsdeVarianceRef(h, L0, A, o);
      let tol = 1e-12;
      for (let d = 0; d < A; d++) {
        const a = Math.min(Math.abs(ref.actions[r][d]), 1 - 2 ** -23), tp = 1 - a * a;
        const mu = Math.min(Math.max(sz[r * A + d], -2), 2);
        const m = Math.abs(Math.atanh(a) - Math.sign(ref.actions[r][d]) * mu);
        tol += (m / v[d] / tp + 2 * a / (tp + 1e-6)) * 2 ** -24 * (2 + Math.atanh(a));
      }
      assertAlmostEquals(s.logProbs[r], ref.logProbs[r], tol);
    }
    // Row 4 saturates: the clamp holds ã at 1 − 2⁻²³ inside the density.
    assertEquals(s.inside[4 * A], 0);
    assertEquals(Math.abs(s.actions[4 * A]), 1);
    // Row 2: μ clipped to ±2.
    assertEquals([...s.mean.subarray(2 * A, 3 * A)], [2, -2]);
    const det = head.deterministicAction(sz.subarray(2 * A, 3 * A), new Float32Array(A));
    assertEquals([...det], [Math.fround(Math.tanh(2)), Math.fround(Math.tanh(-2))]);
  });

  Deno.test(`squashed gSDE head (${label}): δz, δh, δL match differences of the reference`, () => {
    const s = head.newSample(SN);
    head.sample(batch(L0), s);
    const gAct = new Float64Array(SN * A).map((_, i) => q[i] + kq[i] * s.actions[i]);
    const dz = new Float64Array(SN * A), dh = new Float64Array(SN * H), dp = new Float64Array(P);
    head.backward(batch(L0), s, W_ALPHA, gAct, { deltaZ: dz, deltaLatent: dh, gradParams: dp });
    const got = Float64Array.from([...dz, ...dh, ...dp]);
    const x0 = Float64Array.from([...sz, ...sLatent, ...L0]);
    const want = fdGradient(sacReferenceF(o), x0, 1e-6);
    const err = relativeMaxError(got, want);
    assert(err < 1e-5, `relative error ${err.toExponential(2)}`);
    // The clipped μ (row 2) passes no gradient; the features do get gradient (learn_features).
    assertEquals([...dz.subarray(2 * A, 3 * A)], [0, 0]);
    assert(dh.some((x) => x !== 0));
  });
}

for (const base of SETTINGS) {
  const o: SquashedGsdeOptions = { ...base, clipMean: 2 };
  const label = `full_std ${o.fullStd}, use_expln ${o.useExpln}`;
  Deno.test(`squashed gSDE head (${label}): R{ã} and the HVP in (z, h, L) match differences`, () => {
    const head = new SquashedGsdeHead(A, o);
    const P = head.paramCount;
    const L0 = logStdOf(P).map((l) => l - 1);
    const s = head.newSample(SN);
    head.sample(batch(L0), s);
    const gAct = new Float64Array(SN * A).map((_, i) => q[i] + kq[i] * s.actions[i]);
    const x0 = Float64Array.from([...sz, ...sLatent, ...L0]);
    const nz = SN * A, nh = SN * H, dim = nz + nh + P, b = 2;
    const vs = [unitVector(dim, 21), unitVector(dim, 22)];
    const rz = new Float64Array(b * nz),
      rh = new Float64Array(b * nh),
      rp = new Float64Array(b * P);
    vs.forEach((v, j) => {
      rz.set(v.subarray(0, nz), j * nz);
      rh.set(v.subarray(nz, nz + nh), j * nh);
      rp.set(v.subarray(nz + nh), j * P);
    });
    // R{ã} against directional differences of the reference actions.
    const ra = new Float64Array(b * nz);
    const dir = { b, rz, rLatent: rh, rParams: rp };
    head.jvp(batch(L0), s, dir, ra);
    const actionsAt = (x: Float64Array) =>
      sacGsdeRef(x.subarray(0, nz), x.subarray(nz, nz + nh), x.subarray(nz + nh), sXi, A, o)
        .actions.flat();
    for (let j = 0; j < b; j++) {
      const e = 1e-6;
      const ap = actionsAt(x0.map((xi, i) => xi + e * vs[j][i]));
      const am = actionsAt(x0.map((xi, i) => xi - e * vs[j][i]));
      const want = ap.map((p, i) => (p - am[i]) / (2 * e));
      const err = relativeMaxError(ra.subarray(j * nz, (j + 1) * nz), want);
      assert(err < 1e-5, `R{ã} ${j}: ${err.toExponential(2)}`);
    }
    // f = q·ã + ½κ·ã²: R{g} = κ·R{ã}.
    const rg = ra.map((x, i) => kq[i % nz] * x);
    const rdh = new Float64Array(b * nh), hv = new Float64Array(b * P);
    head.rBackward(batch(L0), s, dir, W_ALPHA, gAct, rg, { rDeltaLatent: rdh, hvParams: hv });
    for (let j = 0; j < b; j++) {
      const got = Float64Array.from([
        ...rz.subarray(j * nz, (j + 1) * nz),
        ...rdh.subarray(j * nh, (j + 1) * nh),
        ...hv.subarray(j * P, (j + 1) * P),
      ]);
      const err = relativeError(got, fdHvp(sacReferenceF(o), x0, vs[j], 1e-4));
      assert(err < 1e-4, `HVP ${j}: ${err.toExponential(2)}`);
    }
  });
}
