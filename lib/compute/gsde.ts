/**
 * Generalised state-dependent exploration (gSDE, Raffin et al. 2022) as Stable-Baselines3 1.8
 * implements it (`StateDependentNoiseDistribution`), for PPO's unsquashed policy: one head of
 * the {@linkcode LikelihoodHead} family, used by the training update, the acting path and the
 * analysis HVPs alike.
 *
 * The policy network's last hidden activations h (n_latent) are the gSDE features. The head's own
 * parameters are a log-std matrix L (n_latent × act with `full_std`, else n_latent × 1 shared by
 * every action dimension), ς = std(L) elementwise, with std = exp, or with `use_expln`
 * std(L) = exp(L) for L ≤ 0 and log(1 + L + 10⁻⁶) + 1 for L > 0. Then
 *
 *   v_d(s) = Σ_j h_j(s)²·ς_jd² + 10⁻⁶,   π(·|s) = N(μ(s), diag v(s)),
 *   log π(a|s) = Σ_d [ −½ (a_d − μ_d)²/v_d − ½ log v_d − ½ log 2π ],
 *   H(s) = Σ_d [ ½ + ½ log 2π + ½ log v_d ].
 *
 * Exploration: a noise matrix E (n_latent × act), E_jd ~ N(0, ς_jd²), is drawn at the start of
 * every rollout and every `sde_sample_freq` steps (SB3 `reset_noise`); the action is
 * a = μ(s) + hᵀE (deterministic: μ). PPO uses `learn_features = False`: h is detached inside v
 * (the variance differentiates through L only; μ through the whole network).
 *
 * Derivatives (m = a − μ, u = m/v, p = ∂log π/∂v = (m²/v − 1)/(2v), J_dk = ∂v_d/∂L_k =
 * 2h_j²ς_kς′_k for the parameter k = (j, d or 0), J2_k = 2h_j²(ς′_k² + ς_kς″_k)):
 *   ∂log π/∂μ_d = u_d, ∂log π/∂L_k = Σ_d p_d J_dk,
 *   ∂u/∂μ = −1/v, ∂u/∂v = −m/v², ∂p/∂μ = −u/v, ∂p/∂v = −m²/v³ + 1/(2v²),
 *   ∂H/∂v_d = 1/(2v_d), ∂²H/∂v_d² = −1/(2v_d²).
 *
 * @module
 */
import { HALF_LOG_2PI, type HeadChunk, type LikelihoodHead } from "./heads.ts";
import type { RealArray } from "./kernels.ts";
import type { Rng } from "../rng.ts";

/**
 * SB3's ε of gSDE: added to the variance and inside `expln`.
 *
 * @example
 * ```ts
 * import { GSDE_EPS } from "./gsde.ts";
 * GSDE_EPS; // 1e-6
 * ```
 */
export const GSDE_EPS = 1e-6;

/**
 * gSDE's settings (SB3 names in brackets).
 *
 * @example
 * ```ts
 * import type { GsdeOptions } from "./gsde.ts";
 * const o: GsdeOptions = { latentDim: 64, fullStd: true, useExpln: false };
 * ```
 */
export interface GsdeOptions {
  /** Width of the features h: the policy network's last hidden layer. */
  latentDim: number;
  /** One σ per (feature, action) pair (`full_std`, default true), else one per feature. */
  fullStd: boolean;
  /** std = expln(L) instead of exp(L) (`use_expln`). */
  useExpln: boolean;
}

/**
 * Number of gSDE log-std parameters: n_latent × act (`full_std`) or n_latent.
 *
 * @example
 * ```ts
 * import { gsdeParamCount } from "./gsde.ts";
 * gsdeParamCount({ latentDim: 64, fullStd: true, useExpln: false }, 1); // 64
 * ```
 */
export function gsdeParamCount(o: GsdeOptions, actDim: number): number {
  return o.latentDim * (o.fullStd ? actDim : 1);
}

/**
 * ς = std(L) and its first two derivatives, into `out[0..2]` (see the module doc).
 *
 * @example
 * ```ts
 * import { gsdeStd } from "./gsde.ts";
 * gsdeStd(0.5, true)[0]; // log(1.500001) + 1
 * ```
 */
export function gsdeStd(
  logStd: number,
  useExpln: boolean,
  out: Float64Array = new Float64Array(3),
): Float64Array {
  if (useExpln && logStd > 0) {
    const x = 1 + logStd + GSDE_EPS;
    out[0] = Math.log(x) + 1;
    out[1] = 1 / x;
    out[2] = -1 / (x * x);
  } else {
    const s = Math.exp(logStd);
    out[0] = s;
    out[1] = s;
    out[2] = s;
  }
  return out;
}

/**
 * The gSDE likelihood head (PPO: unsquashed, features detached in the variance). `z` is μ (act
 * columns); `latent` the features h; `params` the log-std matrix L, row-major.
 *
 * @example
 * ```ts
 * import { GsdeHead } from "./gsde.ts";
 * import { Rng } from "../rng.ts";
 * const head = new GsdeHead(1, { latentDim: 2, fullStd: true, useExpln: false });
 * const logStd = [-0.5, -0.5], noise = new Float64Array(2), action = new Float32Array(1);
 * head.sampleNoise(logStd, 0, new Rng(0), noise);
 * const logProb = head.sample([0.3], [0.5, -0.2], logStd, 0, noise, action); // a = μ + hᵀE
 * ```
 */
export class GsdeHead implements LikelihoodHead {
  readonly name = "gsde";
  readonly usesLatent = true;
  /** Action dimensions. */
  readonly actDim: number;
  /** The settings. */
  readonly options: Readonly<GsdeOptions>;
  readonly outputWidth: number;
  readonly paramCount: number;
  readonly stateWidth: number;
  /** Per parameter: ς, ς′, ς″ (refreshed from the parameters at every pass). */
  #s = new Float64Array(0);
  #tmp = new Float64Array(3);
  #v: Float64Array;
  #rv: Float64Array;

  constructor(actDim: number, options: GsdeOptions) {
    if (!Number.isInteger(options.latentDim) || options.latentDim < 1) {
      throw new RangeError(
        `gSDE: the policy network needs a hidden layer (features of width ≥ 1); got ` +
          `${options.latentDim}`,
      );
    }
    this.actDim = actDim;
    this.options = Object.freeze({ ...options });
    this.outputWidth = actDim;
    this.paramCount = gsdeParamCount(options, actDim);
    this.stateWidth = 2 * actDim; // a − μ, v
    this.#v = new Float64Array(actDim);
    this.#rv = new Float64Array(actDim);
  }

  /** Index of ς for feature j and action dimension d. */
  #k(j: number, d: number): number {
    return this.options.fullStd ? j * this.actDim + d : j;
  }

  /** ς, ς′, ς″ of every parameter from L (at `offset`). */
  #stds(params: ArrayLike<number>, offset = 0): Float64Array {
    const P = this.paramCount;
    if (this.#s.length < 3 * P) this.#s = new Float64Array(3 * P);
    for (let k = 0; k < P; k++) {
      gsdeStd(params[offset + k], this.options.useExpln, this.#tmp);
      this.#s[3 * k] = this.#tmp[0];
      this.#s[3 * k + 1] = this.#tmp[1];
      this.#s[3 * k + 2] = this.#tmp[2];
    }
    return this.#s;
  }

  /** v_d = Σ_j h_j²·ς_jd² + ε for one row of features (at `hOff`), into `out`. */
  #variance(s: Float64Array, h: ArrayLike<number>, hOff: number, out: Float64Array): void {
    const A = this.actDim, H = this.options.latentDim;
    for (let d = 0; d < A; d++) {
      let v = GSDE_EPS;
      for (let j = 0; j < H; j++) {
        const hj = h[hOff + j], sj = s[3 * this.#k(j, d)];
        v += hj * hj * sj * sj;
      }
      out[d] = v;
    }
  }

  /**
   * Draws a noise matrix E (n_latent × act, row-major), E_jd = ς_jd·ξ with one `rng.normal()`
   * per entry in row-major order (SB3 `sample_weights`), into `out`.
   */
  sampleNoise(
    params: ArrayLike<number>,
    paramsOffset: number,
    rng: Rng,
    out: Float64Array | Float32Array,
  ): void {
    const A = this.actDim, H = this.options.latentDim;
    const s = this.#stds(params, paramsOffset);
    for (let j = 0; j < H; j++) {
      for (let d = 0; d < A; d++) out[j * A + d] = s[3 * this.#k(j, d)] * rng.normal();
    }
  }

  /**
   * Acting: a = μ + hᵀE (E from {@linkcode GsdeHead.sampleNoise}) into `out` (float32) and
   * log π(a|s) of the stored float32 action.
   */
  sample(
    mean: ArrayLike<number>,
    latent: ArrayLike<number>,
    params: ArrayLike<number>,
    paramsOffset: number,
    noise: ArrayLike<number>,
    out: Float32Array,
  ): number {
    const A = this.actDim, H = this.options.latentDim;
    for (let d = 0; d < A; d++) {
      let e = 0;
      for (let j = 0; j < H; j++) e += latent[j] * noise[j * A + d];
      out[d] = mean[d] + e;
    }
    return this.logDensity(mean, latent, params, paramsOffset, out);
  }

  /** log π(a|s) of one sample from μ, h, L (at `paramsOffset`) and a. */
  logDensity(
    mean: ArrayLike<number>,
    latent: ArrayLike<number>,
    params: ArrayLike<number>,
    paramsOffset: number,
    action: ArrayLike<number>,
  ): number {
    const s = this.#stds(params, paramsOffset), v = this.#v;
    this.#variance(s, latent, 0, v);
    let lp = 0;
    for (let d = 0; d < this.actDim; d++) {
      const m = action[d] - mean[d];
      lp += -0.5 * m * m / v[d] - 0.5 * Math.log(v[d]) - HALF_LOG_2PI;
    }
    return lp;
  }

  /** The per-sample standard deviations √v_d(s) of one sample, into `out`. */
  std(
    latent: ArrayLike<number>,
    params: ArrayLike<number>,
    paramsOffset: number,
    out: Float64Array,
  ): Float64Array {
    this.#variance(this.#stds(params, paramsOffset), latent, 0, out);
    for (let d = 0; d < this.actDim; d++) out[d] = Math.sqrt(out[d]);
    return out;
  }

  #latent(c: HeadChunk): RealArray {
    if (!c.latent) throw new Error("gSDE head: the chunk carries no latent features");
    return c.latent;
  }

  logProb(c: HeadChunk, logp: Float64Array): void {
    const A = this.actDim, H = this.options.latentDim, h = this.#latent(c);
    const s = this.#stds(c.params), v = this.#v;
    const { z, zStride, actions, actionsOffset, state } = c;
    for (let r = 0; r < c.n; r++) {
      this.#variance(s, h, r * H, v);
      let lp = 0;
      for (let d = 0; d < A; d++) {
        const m = actions[actionsOffset + r * A + d] - z[r * zStride + d];
        lp += -0.5 * m * m / v[d] - 0.5 * Math.log(v[d]) - HALF_LOG_2PI;
        state[r * 2 * A + d] = m;
        state[r * 2 * A + A + d] = v[d];
      }
      logp[r] = lp;
    }
  }

  /**
   * Adds Σ_d w_d(r)·J_dk into `grad` for every parameter k of sample r (features at `hOff`).
   */
  #addThroughVariance(
    s: Float64Array,
    h: ArrayLike<number>,
    hOff: number,
    w: ArrayLike<number>,
    grad: Float64Array,
    gOff: number,
  ): void {
    const A = this.actDim, H = this.options.latentDim;
    for (let j = 0; j < H; j++) {
      const c2 = 2 * h[hOff + j] * h[hOff + j];
      for (let d = 0; d < A; d++) {
        const k = this.#k(j, d);
        grad[gOff + k] += w[d] * c2 * s[3 * k] * s[3 * k + 1];
      }
    }
  }

  entropy(c: HeadChunk, coef: number, gradParams: Float64Array): number {
    const A = this.actDim, H = this.options.latentDim, h = this.#latent(c);
    const s = this.#stds(c.params), v = this.#v, w = this.#rv;
    let sum = 0;
    for (let r = 0; r < c.n; r++) {
      this.#variance(s, h, r * H, v);
      for (let d = 0; d < A; d++) {
        sum += 0.5 + HALF_LOG_2PI + 0.5 * Math.log(v[d]);
        w[d] = coef / c.n / (2 * v[d]);
      }
      if (coef !== 0) this.#addThroughVariance(s, h, r * H, w, gradParams, 0);
    }
    return c.n > 0 ? sum / c.n : 0;
  }

  backward(c: HeadChunk, g: Float64Array, deltaZ: RealArray, gradParams: Float64Array): void {
    const A = this.actDim, H = this.options.latentDim, h = this.#latent(c);
    const s = this.#stds(c.params), v = this.#v, w = this.#rv;
    const { z, zStride, actions, actionsOffset } = c;
    for (let r = 0; r < c.n; r++) {
      this.#variance(s, h, r * H, v);
      const gr = g[r];
      for (let d = 0; d < A; d++) {
        const m = actions[actionsOffset + r * A + d] - z[r * zStride + d];
        deltaZ[r * zStride + d] = gr * m / v[d];
        w[d] = gr * (m * m / v[d] - 1) / (2 * v[d]);
      }
      this.#addThroughVariance(s, h, r * H, w, gradParams, 0);
    }
  }

  /** R{v_d} = Σ_j J_dk·R{L_k} for sample r and direction `vOff`, into `#rv`. */
  #rVariance(
    s: Float64Array,
    h: ArrayLike<number>,
    hOff: number,
    vp: ArrayLike<number>,
    vOff: number,
  ) {
    const A = this.actDim, H = this.options.latentDim, rv = this.#rv;
    rv.fill(0);
    for (let j = 0; j < H; j++) {
      const c2 = 2 * h[hOff + j] * h[hOff + j];
      for (let d = 0; d < A; d++) {
        const k = this.#k(j, d);
        rv[d] += c2 * s[3 * k] * s[3 * k + 1] * vp[vOff + k];
      }
    }
    return rv;
  }

  /** See {@linkcode LikelihoodHead.jvp}. */
  jvp: LikelihoodHead["jvp"] = (c, b, rz, vParams, out) => {
    const A = this.actDim, H = this.options.latentDim, P = this.paramCount, n = c.n;
    const zs = c.zStride, st = c.state, h = this.#latent(c), s = this.#stds(c.params);
    for (let j = 0; j < b; j++) {
      for (let r = 0; r < n; r++) {
        const rv = this.#rVariance(s, h, r * H, vParams, j * P);
        const o = (j * n + r) * zs;
        let rf = 0;
        for (let d = 0; d < A; d++) {
          const m = st[r * 2 * A + d], v = st[r * 2 * A + A + d];
          rf += (m / v) * rz[o + d] + ((m * m / v - 1) / (2 * v)) * rv[d];
        }
        out[j * n + r] = rf;
      }
    }
  };

  /** See {@linkcode LikelihoodHead.rBackward} (the features are constants: SB3 detaches them). */
  rBackward: LikelihoodHead["rBackward"] = (
    c,
    b,
    g,
    rg,
    rz,
    vParams,
    hvParams,
    entropyCoef,
  ) => {
    const A = this.actDim, H = this.options.latentDim, P = this.paramCount, n = c.n;
    const zs = c.zStride, st = c.state, h = this.#latent(c), s = this.#stds(c.params);
    const e = n > 0 ? entropyCoef / n : 0;
    const w1 = new Float64Array(A); // weight of J_dk: R{∂ℓ/∂v_d}
    const w2 = new Float64Array(A); // weight of J2_k·R{L_k}: ∂ℓ/∂v_d
    for (let j = 0; j < b; j++) {
      for (let r = 0; r < n; r++) {
        const rv = this.#rVariance(s, h, r * H, vParams, j * P);
        const o = (j * n + r) * zs;
        const gr = g[r], rgr = rg[j * n + r];
        for (let d = 0; d < A; d++) {
          const m = st[r * 2 * A + d], v = st[r * 2 * A + A + d];
          const u = m / v, p = (m * m / v - 1) / (2 * v);
          const rm = rz[o + d];
          const ru = -rm / v - (m / (v * v)) * rv[d];
          const rp = -(u / v) * rm + (-m * m / (v * v * v) + 1 / (2 * v * v)) * rv[d];
          rz[o + d] = rgr * u + gr * ru;
          w1[d] = rgr * p + gr * rp - e * rv[d] / (2 * v * v);
          w2[d] = gr * p + e / (2 * v);
        }
        for (let q = 0; q < H; q++) {
          const c2 = 2 * h[r * H + q] * h[r * H + q];
          for (let d = 0; d < A; d++) {
            const k = this.#k(q, d);
            const sg = s[3 * k], s1 = s[3 * k + 1], s2 = s[3 * k + 2];
            hvParams[j * P + k] += w1[d] * c2 * sg * s1 +
              w2[d] * c2 * (s1 * s1 + sg * s2) * vParams[j * P + k];
          }
        }
      }
    }
  };
}
