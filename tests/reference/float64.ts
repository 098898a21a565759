/**
 * The tests' one float64 reference MLP and what every loss reference shares: written in plain
 * JavaScript from the published equations and sharing no code with lib/ (only the documented
 * parameter block order of an MLP: per layer W (in × out, row-major, y = x·W + b), then b), the
 * Gaussian and tanh-squashed Gaussian densities, advantage normalisation, finite differences and
 * error measures. The PPO, SAC and analysis references (`tests/agents/ppo/_reference.ts`,
 * `tests/agents/sac/_reference.ts`, `tests/subspaces/_reference.ts`) build their losses on it;
 * the tfjs graph (`./tfjs.ts`) is the second, autodiff reference.
 *
 * @module
 */
import { Rng } from "../../lib/rng.ts";

/** Hidden nonlinearity. */
export type Act = "tanh" | "relu";

/** ½·log 2π (written here, not imported from lib/). */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Number of parameters of an MLP with the given widths (weights and biases). */
export function mlpSize(dims: number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < dims.length; i++) n += dims[i] * dims[i + 1] + dims[i + 1];
  return n;
}

/**
 * y = MLP(x) in float64, the blocks starting at `offset`; the activation follows every layer
 * but the last (and the last too with `activateLast`, for a latent network).
 */
export function mlp(
  theta: ArrayLike<number>,
  offset: number,
  dims: number[],
  act: Act,
  x: ArrayLike<number>,
  activateLast = false,
): number[] {
  let h = Array.from(x);
  let off = offset;
  for (let l = 0; l + 1 < dims.length; l++) {
    const fi = dims[l], fo = dims[l + 1];
    const out: number[] = [];
    for (let j = 0; j < fo; j++) {
      let s = theta[off + fi * fo + j];
      for (let i = 0; i < fi; i++) s += h[i] * theta[off + i * fo + j];
      const last = l + 2 === dims.length;
      out.push(!last || activateLast ? (act === "tanh" ? Math.tanh(s) : Math.max(0, s)) : s);
    }
    off += fi * fo + fo;
    h = out;
  }
  return h;
}

/** Σ_d log N(a_d; μ_d, σ_d²), σ = exp(log σ): Σ −½((a − μ)/σ)² − log σ − ½ log 2π. */
export function gaussianLogProb(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  action: ArrayLike<number>,
): number {
  let lp = 0;
  for (let d = 0; d < mean.length; d++) {
    const z = (action[d] - mean[d]) / Math.exp(logStd[d]);
    lp += -0.5 * z * z - logStd[d] - HALF_LOG_2PI;
  }
  return lp;
}

/**
 * One sample of SB3's squashed Gaussian: log σ = clamp(ρ, −20, 2), u = μ + σε, a = tanh(u),
 * log π = Σ log N(u; μ, σ) − Σ log(1 − a² + 1e-6), log N written as torch's Normal.log_prob.
 */
export function squashedSample(
  mean: number[],
  rawLogStd: number[],
  eps: ArrayLike<number>,
): { action: number[]; logProb: number; logStd: number[] } {
  const logStd = rawLogStd.map((v) => Math.min(Math.max(v, -20), 2));
  const action: number[] = [];
  let logProb = 0;
  for (let d = 0; d < mean.length; d++) {
    const std = Math.exp(logStd[d]);
    const u = mean[d] + std * eps[d];
    const a = Math.tanh(u);
    action.push(a);
    logProb += -((u - mean[d]) ** 2) / (2 * std * std) - logStd[d] - HALF_LOG_2PI;
    logProb -= Math.log(1 - a * a + 1e-6);
  }
  return { action, logProb, logStd };
}

/** (A − mean)/(unbiased std + 1e-8) in float64 (a single value is returned unchanged). */
export function normalized(a: ArrayLike<number>): number[] {
  const xs = Array.from(a);
  const n = xs.length;
  if (n < 2) return xs;
  const m = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  return xs.map((x) => (x - m) / (sd + 1e-8));
}

/** Central finite-difference gradient of f at x (float64), step h. */
export function fdGradient(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  h: number,
): Float64Array {
  const p = Float64Array.from(x);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const xi = p[i];
    p[i] = xi + h;
    const fp = f(p);
    p[i] = xi - h;
    const fm = f(p);
    p[i] = xi;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** uᵀ H v by mixed central differences of f at x (float64), step h. */
export function fdBilinear(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  h: number,
): number {
  const p = new Float64Array(x.length);
  const at = (su: number, sv: number) => {
    for (let i = 0; i < p.length; i++) p[i] = x[i] + h * (su * u[i] + sv * v[i]);
    return f(p);
  };
  return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
}

/** (H v)_i by mixed central differences of f (error O(h²) + O(ε/h²)), step h. */
export function fdHvp(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-4,
): Float64Array {
  const n = theta.length;
  const out = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e[i] = 1;
    out[i] = fdBilinear(f, theta, e, v, h);
    e[i] = 0;
  }
  return out;
}

/** max_i |a_i − b_i| / max(max_i |b_i|, floor). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let num = 0, den = floor;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** ‖a − b‖₂ / ‖b‖₂. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** A seeded unit vector. */
export function unitVector(n: number, seed: number): Float64Array {
  const v = new Rng(seed, 7).fillNormal(new Float64Array(n));
  const s = Math.hypot(...v);
  return v.map((x) => x / s);
}

/** SB3 gSDE settings of the reference density. */
export interface GsdeRef {
  /** log_std has n_latent × act entries (true) or n_latent (false, broadcast over actions). */
  fullStd: boolean;
  /** std = expln(log_std) instead of exp(log_std). */
  useExpln: boolean;
}

/**
 * SB3's `StateDependentNoiseDistribution.get_std`, elementwise: exp(L), or with `use_expln`
 * exp(L) for L ≤ 0 and log1p(L + 1e-6) + 1 for L > 0.
 */
export function gsdeStdRef(logStd: number, useExpln: boolean): number {
  if (!useExpln || logStd <= 0) return Math.exp(logStd);
  return Math.log1p(logStd + 1e-6) + 1;
}

/**
 * gSDE's per-dimension variance v_d = Σ_j latent_j²·std(L)_jd² + 1e-6 (SB3's
 * `th.mm(latent_sde ** 2, get_std(log_std) ** 2)` plus ε; L row-major [n_latent, act or 1]).
 */
export function gsdeVarianceRef(
  latent: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actDim: number,
  o: GsdeRef,
): number[] {
  const v: number[] = [];
  for (let d = 0; d < actDim; d++) {
    let s = 0;
    for (let j = 0; j < latent.length; j++) {
      const std = gsdeStdRef(logStd[o.fullStd ? j * actDim + d : j], o.useExpln);
      s += latent[j] ** 2 * std ** 2;
    }
    v.push(s + 1e-6);
  }
  return v;
}

/**
 * gSDE's log π(a|s) = Σ_d log Normal(a_d; μ_d, √v_d) written as torch's `Normal.log_prob`:
 * −(a − μ)²/(2σ²) − log σ − ½ log 2π, σ = √v.
 */
export function gsdeLogProbRef(
  mean: ArrayLike<number>,
  latent: ArrayLike<number>,
  logStd: ArrayLike<number>,
  action: ArrayLike<number>,
  o: GsdeRef,
): number {
  const v = gsdeVarianceRef(latent, logStd, mean.length, o);
  let lp = 0;
  for (let d = 0; d < mean.length; d++) {
    const sigma = Math.sqrt(v[d]);
    lp += -((action[d] - mean[d]) ** 2) / (2 * sigma * sigma) - Math.log(sigma) - HALF_LOG_2PI;
  }
  return lp;
}

/** gSDE's entropy Σ_d ½ + ½ log 2π + log σ_d (torch's `Normal.entropy`, σ = √v). */
export function gsdeEntropyRef(
  latent: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actDim: number,
  o: GsdeRef,
): number {
  return gsdeVarianceRef(latent, logStd, actDim, o)
    .reduce((h, v) => h + 0.5 + HALF_LOG_2PI + Math.log(Math.sqrt(v)), 0);
}

/** SAC's gSDE actor settings of the reference (SB3 `Actor(use_sde=True)`). */
export interface SacGsdeRef extends GsdeRef {
  /** μ = hardtanh(z, ±clipMean) when > 0. */
  clipMean: number;
}

/**
 * One batch of SB3's SAC gSDE actor (`StateDependentNoiseDistribution(squash_output=True,
 * learn_features=True)` behind `Hardtanh(±clip_mean)`), written from SB3 1.8's equations in
 * float64: μ = hardtanh(z); E = std(L) ⊙ ξ (one `rsample` for the whole batch); u = μ + h·E;
 * a = tanh(u); the density is evaluated at `TanhBijector.inverse(a)` = atanh(clamp(a, ±(1 −
 * float32 eps))) with Normal(μ, √(h²·std² + 1e-6)), minus Σ log(1 − tanh(y)² + 1e-6). Rows of
 * `z` (act) and `latent` (n_latent) are samples.
 */
export function sacGsdeRef(
  z: ArrayLike<number>,
  latent: ArrayLike<number>,
  logStd: ArrayLike<number>,
  xi: ArrayLike<number>,
  actDim: number,
  o: SacGsdeRef,
): { actions: number[][]; logProbs: number[] } {
  const H = xi.length / actDim, n = z.length / actDim;
  const lim = 1 - 2 ** -23; // th.finfo(th.float32).eps
  const actions: number[][] = [], logProbs: number[] = [];
  for (let r = 0; r < n; r++) {
    const h = Array.from(latent).slice(r * H, (r + 1) * H);
    const mean = Array.from(z).slice(r * actDim, (r + 1) * actDim)
      .map((x) => o.clipMean > 0 ? Math.min(Math.max(x, -o.clipMean), o.clipMean) : x);
    const variance = gsdeVarianceRef(h, logStd, actDim, o);
    const a: number[] = [];
    let lp = 0;
    for (let d = 0; d < actDim; d++) {
      let noise = 0;
      for (let j = 0; j < H; j++) {
        const std = gsdeStdRef(logStd[o.fullStd ? j * actDim + d : j], o.useExpln);
        noise += h[j] * std * xi[j * actDim + d];
      }
      const ad = Math.tanh(mean[d] + noise);
      a.push(ad);
      const c = Math.min(Math.max(ad, -lim), lim);
      const y = 0.5 * (Math.log1p(c) - Math.log1p(-c));
      const sigma = Math.sqrt(variance[d]);
      lp += -((y - mean[d]) ** 2) / (2 * sigma * sigma) - Math.log(sigma) - HALF_LOG_2PI;
      lp -= Math.log(1 - Math.tanh(y) ** 2 + 1e-6);
    }
    actions.push(a);
    logProbs.push(lp);
  }
  return { actions, logProbs };
}
