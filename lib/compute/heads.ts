/**
 * Heads: what turns a network's last-layer outputs z into a policy or a value, with the
 * per-sample mathematics every engine needs — sampling for acting, log-probabilities and
 * entropies, and their first and second derivatives for gradients and Hessian-vector products.
 *
 * | head | network output z | parameters of its own | used by |
 * |---|---|---|---|
 * | {@linkcode GaussianHead} | μ (act) | log σ (act, state-independent) | PPO actor |
 * | {@linkcode SquashedGaussianHead} | [μ \| ρ] (2·act), log σ = clamp(ρ, −20, 2) | — | SAC actor |
 * | value (identity) | V or Q (1) | — | PPO critic, SAC twin Q |
 *
 * A policy head used by the policy-gradient objective implements {@linkcode LikelihoodHead}: the
 * log-likelihood of stored actions as a function of z, of the head's own parameters and, for heads
 * whose distribution depends on the last hidden activations h (gSDE, where σ(s)² = Σ_j h_j²·σ_jd²),
 * of h. The objective then only needs the head's value, vector-Jacobian product, Jacobian-vector
 * product and second-order term; a new head (gSDE) plugs in without changing any engine.
 *
 * @module
 */
import type { RealArray } from "./kernels.ts";
import type { Rng } from "../rng.ts";

/**
 * ½·log(2π).
 *
 * @example
 * ```ts
 * import { HALF_LOG_2PI } from "./heads.ts";
 * HALF_LOG_2PI; // 0.9189385332046727
 * ```
 */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The log-probability `logProb` of sample `r` of a squashed head, checked: a non-finite one
 * throws, naming the head, the sample and the actor `outputs` that must have diverged.
 *
 * @example
 * ```ts
 * import { finiteLogProb } from "./heads.ts";
 * finiteLogProb(-1.5, 0, "squashed Gaussian", "actor outputs μ/log σ"); // -1.5
 * ```
 */
export function finiteLogProb(logProb: number, r: number, head: string, outputs: string): number {
  if (!Number.isFinite(logProb)) {
    throw new Error(
      `${head}: the log-probability of sample ${r} is ${logProb} (${outputs} non-finite); the ` +
        `actor diverged`,
    );
  }
  return logProb;
}

/**
 * Lower clamp of the squashed Gaussian's log standard deviation (SB3 `LOG_STD_MIN`).
 *
 * @example
 * ```ts
 * import { LOG_STD_MIN } from "./heads.ts";
 * LOG_STD_MIN; // -20
 * ```
 */
export const LOG_STD_MIN = -20;

/**
 * Upper clamp of the squashed Gaussian's log standard deviation (SB3 `LOG_STD_MAX`).
 *
 * @example
 * ```ts
 * import { LOG_STD_MAX } from "./heads.ts";
 * LOG_STD_MAX; // 2
 * ```
 */
export const LOG_STD_MAX = 2;

/**
 * The ε inside the tanh log-probability correction −Σ log(1 − tanh(u)² + ε) (SB3
 * `SquashedDiagGaussianDistribution.epsilon`).
 *
 * @example
 * ```ts
 * import { TANH_LOG_EPS } from "./heads.ts";
 * TANH_LOG_EPS; // 1e-6
 * ```
 */
export const TANH_LOG_EPS = 1e-6;

/**
 * One chunk of samples as a likelihood head sees it. Arrays are row-major; `z` rows have the
 * network's output width (stride `zStride`), `actions` rows `actDim` entries.
 *
 * @example
 * ```ts
 * import type { HeadChunk } from "./heads.ts";
 * function rows(c: HeadChunk) { return c.n; }
 * ```
 */
export interface HeadChunk {
  /** Samples in the chunk. */
  n: number;
  /** Action dimensions. */
  actDim: number;
  /** Network outputs, n × zStride. */
  z: RealArray;
  /** Row stride of `z`. */
  zStride: number;
  /** Stored actions, n × actDim (read from `actionsOffset`). */
  actions: ArrayLike<number>;
  /** Index of the chunk's first action value in `actions`. */
  actionsOffset: number;
  /** The head's own parameters (θ values, in their block order). */
  params: ArrayLike<number>;
  /** Per-sample state the head keeps between its passes, n × stateWidth. */
  state: RealArray;
  /** Last hidden activations n × latentDim (heads with `usesLatent` only). */
  latent?: RealArray;
}

/**
 * A policy head for the policy-gradient objective: log π_θ(a|s) of stored actions and its
 * derivatives (see the module doc). `g` and `R{g}` below are per-sample ∂ℓ/∂log π and its
 * directional derivative, supplied by the loss.
 *
 * @example
 * ```ts
 * import { GaussianHead, type LikelihoodHead } from "./heads.ts";
 * const head: LikelihoodHead = new GaussianHead(2);
 * head.paramCount; // 2 (log σ)
 * ```
 */
export interface LikelihoodHead {
  /** Name for messages and plans. */
  readonly name: string;
  /** Network output width the head reads per sample. */
  readonly outputWidth: number;
  /** Number of the head's own parameters (a contiguous θ block). */
  readonly paramCount: number;
  /** Per-sample floats of state kept between the passes of a chunk. */
  readonly stateWidth: number;
  /** Whether log π depends on the last hidden activations (then `latent` must be given). */
  readonly usesLatent: boolean;
  /** log π of each sample into `logp` (length n); fills the state. */
  logProb(c: HeadChunk, logp: Float64Array): void;
  /**
   * Mean entropy over the chunk's samples; adds `coef`·∂(mean H)/∂θ_head into `gradParams`
   * (and into `gradLatent`, n × latentDim, for heads with `usesLatent`).
   */
  entropy(c: HeadChunk, coef: number, gradParams: Float64Array, gradLatent?: RealArray): number;
  /**
   * Vector-Jacobian product: `deltaZ` (n rows, stride `zStride`) = g_n·∂log π_n/∂z_n;
   * `gradParams` += Σ_n g_n·∂log π_n/∂θ_head; `gradLatent` (heads with `usesLatent`) +=
   * g_n·∂log π_n/∂h_n.
   */
  backward(
    c: HeadChunk,
    g: Float64Array,
    deltaZ: RealArray,
    gradParams: Float64Array,
    gradLatent?: RealArray,
  ): void;
  /**
   * Jacobian-vector products for b directions: R{log π}_{j,n} from R{z} ([b, n, zStride]), the
   * directions of the head parameters `vParams` ([b, paramCount]) and R{h} ([b, n, latentDim]).
   */
  jvp(
    c: HeadChunk,
    b: number,
    rz: RealArray,
    vParams: ArrayLike<number>,
    out: Float64Array,
    rLatent?: RealArray,
  ): void;
  /**
   * Second-order pass for b directions: overwrites `rz` with R{δ_z} = J_zᵀ R{g} + g·∇²_z log π·v
   * and adds (H v)_θhead into `hvParams` ([b, paramCount]) (and R{∂ℓ/∂h} into `rGradLatent`).
   * `entropyCoef` adds the entropy term's second derivatives.
   */
  rBackward(
    c: HeadChunk,
    b: number,
    g: Float64Array,
    rg: Float64Array,
    rz: RealArray,
    vParams: ArrayLike<number>,
    hvParams: Float64Array,
    entropyCoef: number,
    rLatent?: RealArray,
    rGradLatent?: RealArray,
  ): void;
}

/**
 * The diagonal Gaussian N(μ(s), diag σ²) with a state-independent log σ (SB3's
 * `DiagGaussianDistribution`, PPO's default policy):
 *
 *   log π(a|s) = Σ_d [ −½ z_d² − log σ_d − ½ log 2π ],   z_d = (a_d − μ_d)/σ_d,
 *   H = Σ_d (½ + ½ log 2π + log σ_d).
 *
 * Derivatives with u_d = (a_d − μ_d)/σ_d² and q_d = z_d² − 1: ∂log π/∂μ_d = u_d,
 * ∂log π/∂log σ_d = q_d, ∂²/∂μ_d² = −1/σ_d², ∂²/∂μ_d∂log σ_d = −2u_d,
 * ∂²/∂(log σ_d)² = −2(q_d + 1); ∂H/∂log σ_d = 1, no second derivative.
 *
 * @example
 * ```ts
 * import { GaussianHead } from "./heads.ts";
 * import { Rng } from "../rng.ts";
 * const head = new GaussianHead(1);
 * const action = new Float32Array(1);
 * const logProb = head.sample([0.3], [-0.5], 0, new Rng(1), action); // a ~ N(0.3, e^{-1})
 * ```
 */
export class GaussianHead implements LikelihoodHead {
  readonly name = "gaussian";
  readonly usesLatent = false;
  /** Action dimensions. */
  readonly actDim: number;
  readonly outputWidth: number;
  readonly paramCount: number;
  readonly stateWidth: number;

  constructor(actDim: number) {
    this.actDim = actDim;
    this.outputWidth = actDim;
    this.paramCount = actDim;
    this.stateWidth = 2 * actDim;
  }

  /**
   * Samples a = μ + σ·ε with one `rng.normal()` per dimension into `out` (float32) and returns
   * log π(a) computed from the stored float32 action. `logStd` is read at `logStdOffset`.
   */
  sample(
    mean: ArrayLike<number>,
    logStd: ArrayLike<number>,
    logStdOffset: number,
    rng: Rng,
    out: Float32Array,
  ): number {
    for (let d = 0; d < this.actDim; d++) {
      out[d] = mean[d] + Math.exp(logStd[logStdOffset + d]) * rng.normal();
    }
    return gaussianLogProb(mean, logStd, out, this.actDim, 0, logStdOffset);
  }

  logProb(c: HeadChunk, logp: Float64Array): void {
    const A = this.actDim, s = c.params, { z, zStride, actions, actionsOffset, state } = c;
    for (let r = 0; r < c.n; r++) {
      let lp = 0;
      for (let d = 0; d < A; d++) {
        const ls = s[d];
        const invStd = Math.exp(-ls);
        const diff = actions[actionsOffset + r * A + d] - z[r * zStride + d];
        const zz = diff * invStd;
        lp += -0.5 * zz * zz - ls - HALF_LOG_2PI;
        state[r * 2 * A + d] = zz * invStd; // u = (a − μ)/σ²
        state[r * 2 * A + A + d] = zz * zz - 1; // q = z² − 1
      }
      logp[r] = lp;
    }
  }

  entropy(_c: HeadChunk, coef: number, gradParams: Float64Array): number {
    let h = 0;
    for (let d = 0; d < this.actDim; d++) {
      h += 0.5 + HALF_LOG_2PI + _c.params[d];
      gradParams[d] += coef;
    }
    return h;
  }

  backward(c: HeadChunk, g: Float64Array, deltaZ: RealArray, gradParams: Float64Array): void {
    const A = this.actDim, s = c.params, { z, zStride, actions, actionsOffset } = c;
    for (let r = 0; r < c.n; r++) {
      const gr = g[r];
      for (let d = 0; d < A; d++) {
        const invStd = Math.exp(-s[d]);
        const zz = (actions[actionsOffset + r * A + d] - z[r * zStride + d]) * invStd;
        deltaZ[r * zStride + d] = gr * zz * invStd;
        gradParams[d] += gr * (zz * zz - 1);
      }
    }
  }

  /** See {@linkcode LikelihoodHead.jvp}. */
  jvp: LikelihoodHead["jvp"] = (c, b, rz, vParams, out) => {
    const A = this.actDim, n = c.n, zs = c.zStride, st = c.state;
    for (let j = 0; j < b; j++) {
      for (let r = 0; r < n; r++) {
        const o = (j * n + r) * zs;
        let rf = 0;
        for (let d = 0; d < A; d++) {
          rf += st[r * 2 * A + d] * rz[o + d] + st[r * 2 * A + A + d] * vParams[j * A + d];
        }
        out[j * n + r] = rf;
      }
    }
  };

  /** See {@linkcode LikelihoodHead.rBackward} (the entropy bonus has no second derivatives here). */
  rBackward: LikelihoodHead["rBackward"] = (c, b, g, rg, rz, vParams, hvParams) => {
    const A = this.actDim, n = c.n, zs = c.zStride, st = c.state, s = c.params;
    for (let d = 0; d < A; d++) {
      const e2 = Math.exp(-2 * s[d]);
      for (let j = 0; j < b; j++) {
        const v = vParams[j * A + d];
        let hs = 0;
        for (let r = 0; r < n; r++) {
          const o = (j * n + r) * zs + d;
          const u = st[r * 2 * A + d], q = st[r * 2 * A + A + d];
          const gr = g[r], rgr = rg[j * n + r], rm = rz[o];
          rz[o] = gr * (-e2 * rm - 2 * u * v) + rgr * u;
          hs += gr * (-2 * u * rm - 2 * (q + 1) * v) + rgr * q;
        }
        hvParams[j * A + d] += hs;
      }
    }
  };
}

/**
 * log N(a; μ, diag(σ²)) summed over the `actDim` dimensions, σ = exp(log_std):
 *
 *   log π(a|s) = Σ_d [ −½((a_d − μ_d)/σ_d)² − log σ_d − ½ log 2π ].
 *
 * Reads `mean`/`action` at `offset` (for batches) and `logStd` at `logStdOffset`.
 *
 * @example
 * ```ts
 * import { gaussianLogProb } from "./heads.ts";
 * gaussianLogProb([0], [0], [0], 1); // −½ log 2π ≈ −0.9189
 * ```
 */
export function gaussianLogProb(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  action: ArrayLike<number>,
  actDim: number,
  offset = 0,
  logStdOffset = 0,
): number {
  let lp = 0;
  for (let d = 0; d < actDim; d++) {
    const ls = logStd[logStdOffset + d];
    const z = (action[offset + d] - mean[offset + d]) * Math.exp(-ls);
    lp += -0.5 * z * z - ls - HALF_LOG_2PI;
  }
  return lp;
}

/**
 * Analytic entropy of the diagonal Gaussian, summed over dimensions (state-independent):
 *
 *   H = Σ_d ( ½ + ½ log 2π + log σ_d ).
 *
 * @example
 * ```ts
 * import { gaussianEntropy } from "./heads.ts";
 * gaussianEntropy([0]); // ½ + ½ log 2π ≈ 1.4189
 * ```
 */
export function gaussianEntropy(
  logStd: ArrayLike<number>,
  actDim = logStd.length,
  offset = 0,
): number {
  let h = 0;
  for (let d = 0; d < actDim; d++) h += 0.5 + HALF_LOG_2PI + logStd[offset + d];
  return h;
}

/**
 * Per-sample quantities of the squashed Gaussian at one reparameterised sample, kept between the
 * passes: ã, σ·ε, the clamp's derivative c ∈ {0, 1}, and log π(ã|s).
 *
 * @example
 * ```ts
 * import type { SquashedSample } from "./heads.ts";
 * function saturated(s: SquashedSample, i: number) { return Math.abs(s.actions[i]) === 1; }
 * ```
 */
export interface SquashedSample {
  /** ã = tanh(μ + σ·ε), n × act (float32-rounded values). */
  actions: RealArray;
  /** σ·ε, n × act. */
  sigmaEps: RealArray;
  /** 1 where ρ lies inside [−20, 2] (the clamp passes its gradient), else 0; n × act. */
  inside: RealArray;
  /** log π(ã|s), n. */
  logProbs: RealArray | Float64Array;
}

/**
 * SB3's squashed diagonal Gaussian with a state-dependent, clamped log σ (SAC's actor): the
 * network outputs z = [μ | ρ] (2·act columns), log σ = clamp(ρ, −20, 2), u = μ + σ ⊙ ε,
 * ã = tanh(u), and
 *
 *   log π(ã|s) = Σ_d [ −½ ε_d² − log σ_d − ½ log 2π − log(1 − ã_d² + 10⁻⁶) ].
 *
 * (the first sum is torch's Normal(μ, σ).log_prob(u), since (u − μ)/σ ≡ ε). With D = 1 − ã² +
 * 10⁻⁶, φ = −log D: φ′ = 2ã/D, φ″ = 2/D + 4ã²/D²; ∂ã/∂u = 1 − ã²; ∂u/∂μ = 1, ∂u/∂ρ = c·σε
 * (c the clamp's derivative, second derivative 0).
 *
 * The reparameterised objective ℓ = w·α·log π(ã) + f(ã) with a loss f of the action (SAC:
 * −w·min_j Q_j(s, ã)) has, with g = ∂f/∂ã, P = wαφ′ + g and G = P·(1 − ã²) = ∂ℓ/∂u:
 *   δ_μ = G,   δ_ρ = c·(−wα + G·σε),
 * and along a direction, with R{ℓ} = c·R{ρ}, R{u} = R{μ} + σε·R{ℓ}, R{ã} = (1 − ã²)·R{u}:
 *   R{P} = wα·φ″·R{ã} + R{g},  R{G} = R{P}(1 − ã²) − 2P·ã·R{ã},
 *   R{δ_μ} = R{G},  R{δ_ρ} = c·σε·(R{G} + G·R{ℓ}).
 *
 * @example
 * ```ts
 * import { SquashedGaussianHead } from "./heads.ts";
 * import { Rng } from "../rng.ts";
 * const head = new SquashedGaussianHead(1);
 * const a = new Float32Array(1);
 * head.sampleAction([0.2, -1], new Rng(0), a); // tanh(0.2 + e^{-1}·ε) in (−1, 1)
 * head.deterministicAction([0.2, -1], a); // tanh(0.2)
 * ```
 */
export class SquashedGaussianHead {
  readonly name = "squashed-gaussian";
  /** Action dimensions. */
  readonly actDim: number;
  /** Network output width: μ then ρ. */
  readonly outputWidth: number;

  constructor(actDim: number) {
    this.actDim = actDim;
    this.outputWidth = 2 * actDim;
  }

  /** log σ = clamp(ρ, −20, 2). */
  static clampLogStd(rho: number): number {
    return rho < LOG_STD_MIN ? LOG_STD_MIN : rho > LOG_STD_MAX ? LOG_STD_MAX : rho;
  }

  /** tanh(μ + σ·ε) with one `rng.normal()` per dimension, into `out` (acting). */
  sampleAction(z: ArrayLike<number>, rng: Rng, out: Float32Array): Float32Array {
    const A = this.actDim;
    for (let d = 0; d < A; d++) {
      const logStd = SquashedGaussianHead.clampLogStd(z[A + d]);
      out[d] = Math.tanh(z[d] + Math.exp(logStd) * rng.normal());
    }
    return out;
  }

  /** The deterministic action tanh(μ), into `out`. */
  deterministicAction(z: ArrayLike<number>, out: Float32Array): Float32Array {
    for (let d = 0; d < this.actDim; d++) out[d] = Math.tanh(z[d]);
    return out;
  }

  /**
   * Reparameterised samples of `n` rows: from z (stride `zStride`) and the noise ε (n × act),
   * fills `s` (ã rounded to float32 as torch's float32 computation rounds it: σ, σε, μ + σε and
   * tanh each rounded) and, when given, writes ã into the action columns [col, col + act) of
   * `qInput` (row stride `qStride`: the Q-networks' input). Throws naming the sample when a
   * log-probability is not finite.
   */
  sample(
    z: ArrayLike<number>,
    zStride: number,
    noise: ArrayLike<number>,
    noiseOffset: number,
    n: number,
    s: SquashedSample,
    qInput?: { array: RealArray; stride: number; col: number },
  ): void {
    const A = this.actDim;
    for (let r = 0; r < n; r++) {
      let lp = 0;
      for (let d = 0; d < A; d++) {
        const i = r * A + d;
        const rho = z[r * zStride + A + d];
        const inside = rho >= LOG_STD_MIN && rho <= LOG_STD_MAX;
        const ls = inside ? rho : rho < LOG_STD_MIN ? LOG_STD_MIN : LOG_STD_MAX;
        const eps = noise[noiseOffset + i];
        const se = Math.fround(Math.fround(Math.exp(ls)) * eps);
        const a = Math.fround(Math.tanh(Math.fround(z[r * zStride + d] + se)));
        s.actions[i] = a;
        s.sigmaEps[i] = se;
        s.inside[i] = inside ? 1 : 0;
        if (qInput) qInput.array[r * qInput.stride + qInput.col + d] = a;
        lp += -0.5 * eps * eps - ls - HALF_LOG_2PI - Math.log(1 - a * a + TANH_LOG_EPS);
      }
      s.logProbs[r] = finiteLogProb(lp, r, "squashed Gaussian", "actor outputs μ/log σ");
    }
  }

  /**
   * δ_z of ℓ = wα·log π(ã) + f(ã) (see the class doc): writes δ_μ, δ_ρ for `n` rows into `deltaZ`
   * (stride `zStride`) from g = ∂f/∂ã (n × act, or null for f = 0), and keeps P in `p`.
   */
  backward(
    s: SquashedSample,
    n: number,
    wAlpha: number,
    g: ArrayLike<number> | null,
    deltaZ: RealArray,
    zStride: number,
    p?: RealArray,
  ): void {
    const A = this.actDim;
    for (let r = 0; r < n; r++) {
      for (let d = 0; d < A; d++) {
        const i = r * A + d;
        const a = s.actions[i];
        const P = wAlpha * 2 * a / (1 - a * a + TANH_LOG_EPS) + (g === null ? 0 : g[i]);
        const G = P * (1 - a * a);
        if (p) p[i] = P;
        deltaZ[r * zStride + d] = G;
        deltaZ[r * zStride + A + d] = s.inside[i] * (-wAlpha + G * s.sigmaEps[i]);
      }
    }
  }

  /**
   * R{ã} for b directions (written to `rActions`, [b, n, act]) from R{z} ([b, n, zStride]).
   */
  jvp(
    s: SquashedSample,
    n: number,
    b: number,
    rz: RealArray,
    zStride: number,
    rActions: RealArray,
  ) {
    const A = this.actDim;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < b; j++) {
        const o = (j * n + r) * zStride;
        for (let d = 0; d < A; d++) {
          const i = r * A + d;
          const rl = s.inside[i] * rz[o + A + d];
          const t = s.actions[i];
          rActions[(j * n + r) * A + d] = (1 - t * t) * (rz[o + d] + s.sigmaEps[i] * rl);
        }
      }
    }
  }

  /**
   * R{δ_z} for b directions, overwriting `rz` ([b, n, zStride], holding R{z}) from R{ã}
   * (`rActions`), P (`p`) and R{g} ([b, n, act], or null where f's Hessian term vanishes).
   */
  rBackward(
    s: SquashedSample,
    n: number,
    b: number,
    wAlpha: number,
    p: ArrayLike<number>,
    rActions: ArrayLike<number>,
    rg: ArrayLike<number> | null,
    rz: RealArray,
    zStride: number,
  ): void {
    const A = this.actDim;
    for (let r = 0; r < n; r++) {
      for (let d = 0; d < A; d++) {
        const i = r * A + d;
        const a = s.actions[i], tp = 1 - a * a, D = tp + TANH_LOG_EPS;
        const phi2 = 2 / D + 4 * a * a / (D * D);
        const P = p[i], G = P * tp, c = s.inside[i], se = s.sigmaEps[i];
        for (let j = 0; j < b; j++) {
          const o = (j * n + r) * zStride;
          const q = (j * n + r) * A + d;
          const rT = rActions[q];
          const rP = wAlpha * phi2 * rT + (rg === null ? 0 : rg[q]);
          const rG = rP * tp - 2 * P * a * rT;
          const rl = c * rz[o + A + d];
          rz[o + d] = rG;
          rz[o + A + d] = c * se * (rG + G * rl);
        }
      }
    }
  }
}
