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
import { finiteLogProb, HALF_LOG_2PI, type HeadChunk, type LikelihoodHead } from "./heads.ts";
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

/**
 * torch's float32 machine ε (2⁻²³): SB3's `TanhBijector.inverse` clamps ã to [−1 + ε, 1 − ε]
 * before atanh.
 *
 * @example
 * ```ts
 * import { FLOAT32_EPS } from "./gsde.ts";
 * FLOAT32_EPS; // 2 ** -23
 * ```
 */
export const FLOAT32_EPS = 2 ** -23;

/**
 * Settings of SAC's squashed gSDE actor (SB3 `Actor` with `use_sde`).
 *
 * @example
 * ```ts
 * import type { SquashedGsdeOptions } from "./gsde.ts";
 * const o: SquashedGsdeOptions = { latentDim: 300, fullStd: true, useExpln: false, clipMean: 2 };
 * ```
 */
export interface SquashedGsdeOptions extends GsdeOptions {
  /** μ = hardtanh(z, ±clipMean) when > 0 (`clip_mean`, SB3 default 2); ≤ 0: no clip. */
  clipMean: number;
}

/**
 * Per-sample values of {@linkcode SquashedGsdeHead.sample} kept for the backward pass; row-major
 * n × act arrays (n entries for `logProbs`).
 *
 * @example
 * ```ts
 * import { SquashedGsdeHead } from "./gsde.ts";
 * const head = new SquashedGsdeHead(1, { latentDim: 2, fullStd: true, useExpln: false, clipMean: 2 });
 * const s = head.newSample(8); // room for 8 rows
 * ```
 */
export interface SquashedGsdeSample {
  /** ã = tanh(u) (float32 values), u = μ + hᵀE. */
  actions: RealArray;
  /** μ = hardtanh(z). */
  mean: RealArray;
  /** m = atanh(clamp(ã)) − μ (SB3 evaluates the density at the inverted action). */
  dev: RealArray;
  /** v = Σ_j h_j²ς_jd² + 10⁻⁶. */
  variance: RealArray;
  /** 1 where the clamp before atanh passes its gradient (|ã| ≤ 1 − 2⁻²³), else 0. */
  inside: RealArray;
  /** log π(ã|s). */
  logProbs: RealArray;
}

/**
 * What one batch of {@linkcode SquashedGsdeHead} is computed from: the same for sampling and for
 * every derivative pass over that sample.
 *
 * @example
 * ```ts
 * import type { SquashedGsdeBatch } from "./gsde.ts";
 * const x: SquashedGsdeBatch = {
 *   n: 1,
 *   z: [0.3],
 *   zStride: 1,
 *   latent: [0.5, 1.2],
 *   params: [-3, -3],
 *   paramsOffset: 0,
 *   xi: [0.1, -0.4],
 * };
 * ```
 */
export interface SquashedGsdeBatch {
  /** Rows. */
  n: number;
  /** Network outputs: row r's z at `z[r · zStride ..]` (act columns). */
  z: ArrayLike<number>;
  /** Row stride of `z`. */
  zStride: number;
  /** Features h (n × n_latent). */
  latent: ArrayLike<number>;
  /** The vector that holds the log-std matrix L. */
  params: ArrayLike<number>;
  /** Where L starts in `params`. */
  paramsOffset: number;
  /** The standard-normal matrix ξ (n_latent × act) shared by every row. */
  xi: ArrayLike<number>;
}

/**
 * b directions (R{z}, R{h}, R{L}) of a {@linkcode SquashedGsdeBatch} for the second-order
 * passes.
 *
 * @example
 * ```ts
 * import type { SquashedGsdeDirections } from "./gsde.ts";
 * const dir: SquashedGsdeDirections = {
 *   b: 1, rz: new Float64Array(1), rLatent: new Float64Array(2), rParams: new Float64Array(2),
 * };
 * ```
 */
export interface SquashedGsdeDirections {
  /** Directions. */
  b: number;
  /** R{z}: [b, n, zStride] (overwritten with R{δz} by `rBackward`). */
  rz: RealArray;
  /** R{h}: [b, n, n_latent]. */
  rLatent: ArrayLike<number>;
  /** R{L}: [b, P]. */
  rParams: ArrayLike<number>;
}

/**
 * SAC's gSDE actor head as SB3 1.8 builds it (`Actor(use_sde=True)`:
 * `StateDependentNoiseDistribution(squash_output=True, learn_features=True)`, μ behind
 * `Hardtanh(±clip_mean)`). The network outputs z (act columns) from its last hidden activations
 * h (n_latent; the gSDE features *and* the input of the μ layer); the head's parameters are the
 * log-std matrix L of {@linkcode GsdeHead} (ς = std(L) by {@linkcode gsdeStd}). One noise matrix
 * E = ς ⊙ ξ (ξ standard normal, n_latent × act; the reparameterisation trick, so E
 * differentiates into L) serves every row of a batch. Then
 *
 *   μ = hardtanh(z), u = μ + hᵀE, ã = tanh(u), y = atanh(clamp(ã, ±(1 − 2⁻²³))),
 *   v_d = Σ_j h_j²ς_jd² + 10⁻⁶,
 *   log π(ã|s) = Σ_d [ −½ (y_d − μ_d)²/v_d − ½ log v_d − ½ log 2π − log(1 − tanh(y_d)² + 10⁻⁶) ].
 *
 * Nothing is detached (`learn_features=True`): h gets gradient through hᵀE and v as well as
 * through μ. For ℓ = Σ_r [wα·log π_r + f(ã_r)] with g = ∂f/∂ã, m = y − μ, c = 1 inside the
 * clamp (else 0), t = clamp(ã):
 *   G_d = ∂ℓ/∂u_d = g_d(1 − ã_d²) + wα·c_d·(−m_d/v_d + 2t_d(1 − t_d²)/(1 − t_d² + 10⁻⁶)),
 *   W_d = ∂ℓ/∂v_d = wα(m_d²/v_d − 1)/(2v_d),
 *   δz_d = [|z_d| < clip]·(G_d + wα·m_d/v_d),
 *   δh_j = Σ_d [G_d·ς_jd·ξ_jd + 2W_d·h_j·ς_jd²],
 *   δL_k = Σ_{d of k} [G_d·h_j·ς′_k·ξ_jd + 2W_d·h_j²·ς_k·ς′_k].
 *
 * Along a direction (R{z}, R{h}, R{L}; the analysis HVP), with s = 1 − t², D = s + 10⁻⁶ and
 * ψ″ = s·((2s − 4t²)D + 4t²s)/D² (the second derivative of −log D in y):
 *   R{μ} = [|z| < clip]·R{z}, R{E_jd} = ς′ξ·R{L}, R{u} = R{μ} + Σ_j (R{h_j}E_jd + h_j·R{E_jd}),
 *   R{ã} = (1 − ã²)R{u}, R{y} = c·R{u}, R{m} = R{y} − R{μ},
 *   R{v} = Σ_j (2h_j·R{h_j}ς² + 2h_j²ςς′·R{L}),
 *   R{q} = −R{m}/v + m·R{v}/v² + c·ψ″·R{y}  (q = ∂log π/∂y),
 *   R{G} = R{g}(1 − ã²) − 2g·ã·R{ã} + wα·c·R{q},
 *   R{W} = wα(m·R{m}/v² − m²·R{v}/v³ + R{v}/(2v²)),
 * and R{δz}, R{δh}, R{δL} follow from the product rule on the formulas above.
 *
 * @example
 * ```ts
 * import { SquashedGsdeHead } from "./gsde.ts";
 * import { Rng } from "../rng.ts";
 * const head = new SquashedGsdeHead(1, { latentDim: 2, fullStd: true, useExpln: false, clipMean: 2 });
 * const logStd = [-3, -3], xi = new Rng(0).fillNormal(new Float64Array(2));
 * const s = head.newSample(1);
 * const x = { n: 1, z: [0.3], zStride: 1, latent: [0.5, 1.2], paramsOffset: 0, xi };
 * head.sample({ ...x, params: logStd }, s); // s.actions[0] = tanh(0.3 + hᵀE)
 * head.deterministicAction([0.3], new Float32Array(1)); // tanh(0.3)
 * ```
 */
export class SquashedGsdeHead {
  readonly name = "squashed-gsde";
  /** Action dimensions. */
  readonly actDim: number;
  /** The settings. */
  readonly options: Readonly<SquashedGsdeOptions>;
  /** Network output width: μ only (act). */
  readonly outputWidth: number;
  /** Entries of L. */
  readonly paramCount: number;
  #s = new Float64Array(0);
  #tmp = new Float64Array(3);
  /** E = ς ⊙ ξ of the last pass (n_latent × act). */
  #e = new Float64Array(0);

  constructor(actDim: number, options: SquashedGsdeOptions) {
    new GsdeHead(actDim, options); // validates the geometry
    this.actDim = actDim;
    this.options = Object.freeze({ ...options });
    this.outputWidth = actDim;
    this.paramCount = gsdeParamCount(options, actDim);
  }

  /** Room for `n` rows of {@linkcode SquashedGsdeHead.sample}. */
  newSample(n: number): SquashedGsdeSample {
    const A = this.actDim;
    return {
      actions: new Float32Array(n * A),
      mean: new Float64Array(n * A),
      dev: new Float64Array(n * A),
      variance: new Float64Array(n * A),
      inside: new Float32Array(n * A),
      logProbs: new Float64Array(n),
    };
  }

  #k(j: number, d: number): number {
    return this.options.fullStd ? j * this.actDim + d : j;
  }

  /** ς, ς′, ς″ per parameter, and E = ς ⊙ ξ. */
  #prepare({ params, paramsOffset: offset, xi }: SquashedGsdeBatch): void {
    const P = this.paramCount, A = this.actDim, H = this.options.latentDim;
    if (this.#s.length < 3 * P) this.#s = new Float64Array(3 * P);
    if (this.#e.length < H * A) this.#e = new Float64Array(H * A);
    for (let k = 0; k < P; k++) {
      gsdeStd(params[offset + k], this.options.useExpln, this.#tmp);
      this.#s.set(this.#tmp, 3 * k);
    }
    for (let j = 0; j < H; j++) {
      for (let d = 0; d < A; d++) this.#e[j * A + d] = this.#s[3 * this.#k(j, d)] * xi[j * A + d];
    }
  }

  /** μ = hardtanh(z) (identity when `clipMean` ≤ 0). */
  #mean(z: number): number {
    const c = this.options.clipMean;
    return c > 0 ? Math.min(c, Math.max(-c, z)) : z;
  }

  /** Whether the hardtanh on μ passes the gradient at z. */
  #passes(z: number): boolean {
    const c = this.options.clipMean;
    return c <= 0 || (z > -c && z < c);
  }

  /**
   * G = ∂ℓ/∂u, W = ∂ℓ/∂v and t = clamp(ã) of row r (into `G`, `W`, `t`): the first-order
   * quantities that backward and its R-pass share.
   */
  #firstOrder(
    s: SquashedGsdeSample,
    r: number,
    wAlpha: number,
    g: ArrayLike<number> | null,
    G: Float64Array,
    W: Float64Array,
    t: Float64Array,
  ): void {
    const A = this.actDim, lim = 1 - FLOAT32_EPS;
    for (let d = 0; d < A; d++) {
      const i = r * A + d;
      const a = s.actions[i], m = s.dev[i], v = s.variance[i];
      const td = s.inside[i] ? a : a < 0 ? -lim : lim, tp = 1 - td * td;
      t[d] = td;
      G[d] = (g === null ? 0 : g[i]) * (1 - a * a) +
        wAlpha * s.inside[i] * (-m / v + 2 * td * tp / (tp + GSDE_EPS));
      W[d] = wAlpha * (m * m / v - 1) / (2 * v);
    }
  }

  /** The deterministic action tanh(μ), μ = hardtanh(z), into `out` (SB3 `mode`). */
  deterministicAction(z: ArrayLike<number>, out: Float32Array): Float32Array {
    for (let d = 0; d < this.actDim; d++) out[d] = Math.tanh(this.#mean(z[d]));
    return out;
  }

  /**
   * Reparameterised samples of the batch's rows (z, h, L and the one ξ shared by all rows):
   * fills `s` (u and ã rounded to float32 as torch computes them). Throws naming the sample when
   * a log-probability is not finite.
   */
  sample(x: SquashedGsdeBatch, s: SquashedGsdeSample): void {
    const A = this.actDim, H = this.options.latentDim, { n, z, zStride, latent } = x;
    this.#prepare(x);
    const sd = this.#s, E = this.#e, lim = 1 - FLOAT32_EPS;
    for (let r = 0; r < n; r++) {
      let lp = 0;
      for (let d = 0; d < A; d++) {
        let noise = 0, v = GSDE_EPS;
        for (let j = 0; j < H; j++) {
          const hj = latent[r * H + j], sj = sd[3 * this.#k(j, d)];
          noise += hj * E[j * A + d];
          v += hj * hj * sj * sj;
        }
        const i = r * A + d;
        const mu = this.#mean(z[r * zStride + d]);
        const a = Math.fround(Math.tanh(Math.fround(mu + Math.fround(noise))));
        const inside = a >= -lim && a <= lim;
        const t = inside ? a : a < 0 ? -lim : lim;
        const m = Math.atanh(t) - mu;
        s.actions[i] = a;
        s.mean[i] = mu;
        s.dev[i] = m;
        s.variance[i] = v;
        s.inside[i] = inside ? 1 : 0;
        lp += -0.5 * m * m / v - 0.5 * Math.log(v) - HALF_LOG_2PI -
          Math.log(1 - t * t + GSDE_EPS);
      }
      s.logProbs[r] = finiteLogProb(lp, r, "squashed gSDE", "actor outputs or log-std");
    }
  }

  /**
   * Gradients of ℓ = Σ_r [wα·log π_r + f(ã_r)] (see the class doc) for the rows of `x` that
   * {@linkcode SquashedGsdeHead.sample} drew into `s`: writes δz into `out.deltaZ` (stride
   * `zStride`), *adds* δh into `out.deltaLatent` (n × n_latent) and δL into `out.gradParams`
   * (at `out.gradOffset`, default 0), from g = ∂f/∂ã (n × act, or null for f = 0).
   */
  backward(
    x: SquashedGsdeBatch,
    s: SquashedGsdeSample,
    wAlpha: number,
    g: ArrayLike<number> | null,
    out: { deltaZ: RealArray; deltaLatent: RealArray; gradParams: RealArray; gradOffset?: number },
  ): void {
    const A = this.actDim, H = this.options.latentDim, { n, z, zStride, latent, xi } = x;
    const { deltaZ, deltaLatent, gradParams, gradOffset = 0 } = out;
    this.#prepare(x);
    const sd = this.#s;
    const G = new Float64Array(A), W = new Float64Array(A), t = new Float64Array(A);
    for (let r = 0; r < n; r++) {
      this.#firstOrder(s, r, wAlpha, g, G, W, t);
      for (let d = 0; d < A; d++) {
        const i = r * A + d;
        deltaZ[r * zStride + d] = this.#passes(z[r * zStride + d])
          ? G[d] + wAlpha * s.dev[i] / s.variance[i]
          : 0;
      }
      for (let j = 0; j < H; j++) {
        const hj = latent[r * H + j];
        let dh = 0;
        for (let d = 0; d < A; d++) {
          const k = this.#k(j, d), sg = sd[3 * k], s1 = sd[3 * k + 1], xjd = xi[j * A + d];
          dh += G[d] * sg * xjd + 2 * W[d] * hj * sg * sg;
          gradParams[gradOffset + k] += G[d] * hj * s1 * xjd + 2 * W[d] * hj * hj * sg * s1;
        }
        deltaLatent[r * H + j] += dh;
      }
    }
  }

  /**
   * R{ã} along the directions `dir` of the rows of `x` that {@linkcode SquashedGsdeHead.sample}
   * drew into `s`, into `rActions` ([b, n, act]).
   */
  jvp(
    x: SquashedGsdeBatch,
    s: SquashedGsdeSample,
    dir: SquashedGsdeDirections,
    rActions: RealArray,
  ): void {
    const A = this.actDim, n = x.n;
    this.#prepare(x);
    const ru = new Float64Array(A);
    for (let j = 0; j < dir.b; j++) {
      for (let r = 0; r < n; r++) {
        this.#rForward(x, dir, r, j, ru, null);
        for (let d = 0; d < A; d++) {
          const a = s.actions[r * A + d];
          rActions[(j * n + r) * A + d] = (1 - a * a) * ru[d];
        }
      }
    }
  }

  /** R{u} (and R{μ}, R{v} when `rmv` is given: [R{μ} | R{v}]) of row r, direction j. */
  #rForward(
    { n, z, zStride, latent, xi }: SquashedGsdeBatch,
    { rz, rLatent, rParams }: SquashedGsdeDirections,
    r: number,
    j: number,
    ru: Float64Array,
    rmv: Float64Array | null,
  ): void {
    const A = this.actDim, H = this.options.latentDim, P = this.paramCount;
    const sd = this.#s, E = this.#e;
    const hOff = r * H, rhOff = (j * n + r) * H, rzOff = (j * n + r) * zStride;
    for (let d = 0; d < A; d++) {
      const rmu = this.#passes(z[r * zStride + d]) ? rz[rzOff + d] : 0;
      let rn = 0, rv = 0;
      for (let q = 0; q < H; q++) {
        const k = this.#k(q, d), h = latent[hOff + q], rh = rLatent[rhOff + q];
        const sg = sd[3 * k], s1 = sd[3 * k + 1], rl = rParams[j * P + k];
        rn += rh * E[q * A + d] + h * s1 * xi[q * A + d] * rl;
        rv += 2 * h * rh * sg * sg + 2 * h * h * sg * s1 * rl;
      }
      ru[d] = rmu + rn;
      if (rmv) {
        rmv[d] = rmu;
        rmv[A + d] = rv;
      }
    }
  }

  /**
   * The second-order pass of {@linkcode SquashedGsdeHead.backward} along the directions `dir`:
   * overwrites `dir.rz` (R{z} in, R{δz} out; [b, n, zStride]), writes R{δh} into
   * `out.rDeltaLatent` ([b, n, n_latent]) and adds R{δL} into `out.hvParams` ([b, P]), from
   * g = ∂f/∂ã (n × act, or null) and R{g} ([b, n, act], or null where f's Hessian term vanishes).
   */
  rBackward(
    x: SquashedGsdeBatch,
    s: SquashedGsdeSample,
    dir: SquashedGsdeDirections,
    wAlpha: number,
    g: ArrayLike<number> | null,
    rg: ArrayLike<number> | null,
    out: { rDeltaLatent: RealArray; hvParams: RealArray },
  ): void {
    const A = this.actDim, H = this.options.latentDim, P = this.paramCount;
    const { n, z, zStride, latent, xi } = x, { b, rz, rLatent, rParams } = dir;
    const { rDeltaLatent, hvParams } = out;
    this.#prepare(x);
    const sd = this.#s, E = this.#e;
    const ru = new Float64Array(A), rmv = new Float64Array(2 * A);
    const G = new Float64Array(A), W = new Float64Array(A), T = new Float64Array(A);
    const RG = new Float64Array(A), RW = new Float64Array(A);
    for (let r = 0; r < n; r++) {
      this.#firstOrder(s, r, wAlpha, g, G, W, T);
      for (let j = 0; j < b; j++) {
        this.#rForward(x, dir, r, j, ru, rmv);
        const rzOff = (j * n + r) * zStride;
        for (let d = 0; d < A; d++) {
          const i = r * A + d;
          const a = s.actions[i], m = s.dev[i], v = s.variance[i], cin = s.inside[i];
          const t = T[d], tp = 1 - t * t, D = tp + GSDE_EPS;
          const psi2 = tp * ((2 * tp - 4 * t * t) * D + 4 * t * t * tp) / (D * D);
          const gi = g === null ? 0 : g[i];
          const rmu = rmv[d], rv = rmv[A + d];
          const ra = (1 - a * a) * ru[d], ry = cin * ru[d], rm = ry - rmu;
          const rq = -rm / v + m * rv / (v * v) + cin * psi2 * ry;
          RG[d] = (rg === null ? 0 : rg[(j * n + r) * A + d]) * (1 - a * a) - 2 * gi * a * ra +
            wAlpha * cin * rq;
          RW[d] = wAlpha * (m * rm / (v * v) - m * m * rv / (v * v * v) + rv / (2 * v * v));
          rz[rzOff + d] = this.#passes(z[r * zStride + d])
            ? RG[d] + wAlpha * (rm / v - m * rv / (v * v))
            : 0;
        }
        const hOff = r * H, rhOff = (j * n + r) * H;
        for (let qj = 0; qj < H; qj++) {
          const h = latent[hOff + qj], rh = rLatent[rhOff + qj];
          let rdh = 0;
          for (let d = 0; d < A; d++) {
            const k = this.#k(qj, d), xjd = xi[qj * A + d];
            const sg = sd[3 * k], s1 = sd[3 * k + 1], s2 = sd[3 * k + 2];
            const rl = rParams[j * P + k], rE = s1 * xjd * rl;
            rdh += RG[d] * E[qj * A + d] + G[d] * rE + 2 * RW[d] * h * sg * sg +
              2 * W[d] * rh * sg * sg + 4 * W[d] * h * sg * s1 * rl;
            hvParams[j * P + k] += RG[d] * h * s1 * xjd + G[d] * rh * s1 * xjd +
              G[d] * h * s2 * xjd * rl + 2 * RW[d] * h * h * sg * s1 +
              4 * W[d] * h * rh * sg * s1 + 2 * W[d] * h * h * (s1 * s1 + sg * s2) * rl;
          }
          rDeltaLatent[rhOff + qj] = rdh;
        }
      }
    }
  }
}
