/**
 * The policy-gradient objective: Stable-Baselines3's PPO policy loss (paper notes §3.1) on a
 * likelihood head (`../heads.ts`), written once for the training update and the subspace
 * analysis:
 *
 *   r_n = exp(log π_θ(a_n|s_n) − log π_old,n)
 *   L = −(1/N) Σ_n min(Â_n·r_n, Â_n·clip(r_n, 1 − ε, 1 + ε)) − c_ent·mean_n H(π_θ(·|s_n))
 *
 * with the advantages normalised over the data set first when asked ((Â − mean)/(unbiased std
 * + 1e-8), skipped for one sample). Without old log-probabilities the objective is taken at the
 * *analysis point*, log π_old = log π_θ (r ≡ 1, the clip inactive): there its value, gradient and
 * Hessian are those of −mean[Â·exp(log π_θ − stop(log π_θ))] − c_ent·mean H.
 *
 * Per sample, with g_n = ∂L/∂log π_n = −Â_n·r_n/N where the unclipped branch is the minimum
 * (Â·r ≤ Â·clip(r); ties as torch) and 0 where the clip is, the second derivative is
 * ∂²L/∂log π_n² = g_n, so R{g_n} = g_n·R{log π_n}. The head turns these into δ_z and its own
 * parameter gradient; the network layer differentiates the rest.
 *
 * @module
 */
import { GaussianHead, type HeadChunk, type LikelihoodHead } from "../heads.ts";
import { GsdeHead, type GsdeOptions } from "../gsde.ts";
import type { Network } from "../network.ts";
import * as ops from "../ops.ts";
import type { Ptr } from "../kernels.ts";
import * as common from "./common.ts";

/**
 * SB3's advantage normalisation (Â − mean Â)/(std Â + 1e-8) with the unbiased std (divide by
 * n − 1), over `n` values of `src` from `offset`, computed in float64 and written to `out`
 * (a new Float32Array by default); unchanged for n < 2 (SB3 skips one sample).
 *
 * @example
 * ```ts
 * import { normalizeAdvantages } from "./policy_gradient.ts";
 * normalizeAdvantages([1, 2, 3]); // Float32Array [-1, 0, 1]
 * ```
 */
export function normalizeAdvantages<T extends Float32Array | Float64Array = Float32Array>(
  src: ArrayLike<number>,
  offset = 0,
  n = src.length - offset,
  out: T = new Float32Array(n) as T,
): T {
  for (let r = 0; r < n; r++) out[r] = src[offset + r];
  if (n < 2) return out;
  let mean = 0;
  for (let r = 0; r < n; r++) mean += out[r];
  mean /= n;
  let ss = 0;
  for (let r = 0; r < n; r++) ss += (out[r] - mean) ** 2;
  const denom = Math.sqrt(ss / (n - 1)) + 1e-8;
  for (let r = 0; r < n; r++) out[r] = (out[r] - mean) / denom;
  return out;
}

/**
 * Likelihood heads by name (plans name their head; a new head registers here). `latentDim` is
 * the width of the policy network's last hidden layer; `options` the head's settings.
 *
 * @example
 * ```ts
 * import { LIKELIHOOD_HEADS } from "./policy_gradient.ts";
 * LIKELIHOOD_HEADS.gaussian(2, 64).paramCount; // 2
 * LIKELIHOOD_HEADS.gsde(1, 64, { fullStd: true, useExpln: false }).paramCount; // 64
 * ```
 */
export const LIKELIHOOD_HEADS: Readonly<
  Record<string, (actDim: number, latentDim: number, options?: HeadOptions) => LikelihoodHead>
> = Object.freeze({
  gaussian: (actDim: number) => new GaussianHead(actDim),
  gsde: (actDim: number, latentDim: number, options?: HeadOptions) =>
    new GsdeHead(actDim, {
      latentDim,
      fullStd: options?.fullStd ?? true,
      useExpln: options?.useExpln ?? false,
    }),
});

/**
 * Settings of a likelihood head (gSDE's `full_std` and `use_expln`; ignored by the Gaussian).
 *
 * @example
 * ```ts
 * import type { HeadOptions } from "./policy_gradient.ts";
 * const o: HeadOptions = { fullStd: true, useExpln: false };
 * ```
 */
export type HeadOptions = Partial<Pick<GsdeOptions, "fullStd" | "useExpln">>;

/**
 * The policy-gradient objective's description.
 *
 * @example
 * ```ts
 * import type { PolicyGradientSpec } from "./policy_gradient.ts";
 * function samples(s: PolicyGradientSpec) { return s.advantages.length; }
 * ```
 */
export interface PolicyGradientSpec {
  kind: "policy-gradient";
  /** The policy network (its output is what the head reads). */
  net: Network;
  /** Head name (a key of {@linkcode LIKELIHOOD_HEADS}). */
  head: string;
  /** Settings of the head (gSDE). */
  headOptions?: HeadOptions;
  /** θ offset of the head's own parameters (e.g. log_std). */
  headOffset: number;
  /** Observations, N × obsDim. */
  obs: ArrayLike<number>;
  /** Actions, N × actDim. */
  actions: ArrayLike<number>;
  /** Advantages Â. */
  advantages: ArrayLike<number>;
  /** log π_old(a|s) of collection, or null for the analysis point (ratio ≡ 1). */
  oldLogProbs: ArrayLike<number> | null;
  /** Surrogate clip ε (ignored at the analysis point). */
  clipRange: number;
  /** Entropy coefficient c_ent. */
  entCoef: number;
  /** Normalise the advantages over the data set (one chunk only). */
  normalizeAdvantage: boolean;
}

/**
 * Scalars of the last prepared chunk (SB3's `train/*` values of one mini-batch).
 *
 * @example
 * ```ts
 * import type { PolicyGradientStats } from "./policy_gradient.ts";
 * const s: PolicyGradientStats = { policyLoss: 0, entropyLoss: -1.4, approxKl: 0, clipFraction: 0 };
 * ```
 */
export interface PolicyGradientStats {
  /** Clipped-surrogate loss −mean[min(Â·r, Â·clip(r))]. */
  policyLoss: number;
  /** −mean H. */
  entropyLoss: number;
  /** SB3's approx KL: mean[(r − 1) − log r]. */
  approxKl: number;
  /** Fraction of samples with |r − 1| > ε. */
  clipFraction: number;
}

interface PgPlan {
  /** Samples N of the data set (the weights 1/N; at most `capacity`). */
  samples: number;
  /** Rows the data buffers hold. */
  capacity: number;
  net: ops.NetPlan;
  head: string;
  headOptions: HeadOptions;
  /** Width of the last hidden layer (the features a head may read). */
  latentDim: number;
  actDim: number;
  obsDim: number;
  headOffset: number;
  paramCount: number;
  size: number;
  theta: Ptr;
  obs: Ptr;
  actions: Ptr;
  advantages: Ptr;
  oldLogProbs: Ptr;
  hasOld: boolean;
  clipRange: number;
  entCoef: number;
  normalize: boolean;
  /** Chunk state: the head's state, ∂L/∂log π and the loss term of each sample. */
  headState: number;
  g: number;
  term: number;
}

type PolicyGradientPlanner = common.Planner<PolicyGradientSpec, PgPlan>;

/**
 * Plans the policy-gradient objective (main thread); `theta` is θ of the whole actor.
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./common.ts";
 * import { planPolicyGradient, type PolicyGradientSpec } from "./policy_gradient.ts";
 * function plan(spec: PolicyGradientSpec, theta: Float32Array, ctx: PlanContext) { return planPolicyGradient(spec, theta, ctx); }
 * ```
 */
export const planPolicyGradient: PolicyGradientPlanner = (spec, theta, ctx) => {
  const make = LIKELIHOOD_HEADS[spec.head];
  if (!make) throw new Error(`policy-gradient objective: unknown head "${spec.head}"`);
  const n = spec.advantages.length;
  const layers = spec.net.layers;
  const obsDim = layers[0].fanIn;
  const outWidth = layers[layers.length - 1].fanOut;
  const actDim = spec.actions.length / Math.max(n, 1);
  const latentDim = layers[layers.length - 1].fanIn;
  const headOptions = { ...spec.headOptions };
  const head = make(actDim, latentDim, headOptions);
  if (
    !Number.isInteger(actDim) || spec.obs.length !== n * obsDim || head.outputWidth !== outWidth ||
    (spec.oldLogProbs !== null && spec.oldLogProbs.length !== n)
  ) {
    throw new RangeError(
      `policy-gradient objective: ${n} advantages need ${n * obsDim} observation values, ` +
        `${n}·act action values and a network output of the head's width; got ` +
        `${spec.obs.length}, ${spec.actions.length} and ${outWidth}`,
    );
  }
  if (spec.normalizeAdvantage && ctx.rows < n) {
    throw new RangeError(
      "policy-gradient objective: per-batch advantage normalisation needs the data in one " +
        "chunk; normalise the advantages over the data set first",
    );
  }
  if (head.usesLatent && layers.length < 2) {
    throw new Error(
      `policy-gradient objective: head "${spec.head}" reads the last hidden layer; the policy ` +
        `network has none`,
    );
  }
  const size = theta.length;
  if (spec.headOffset + head.paramCount > size) {
    throw new RangeError(
      `policy-gradient objective: θ has ${size} entries but the head's block ends at ` +
        `${spec.headOffset + head.paramCount}`,
    );
  }
  const parameters = common.planParameters("policy-gradient objective", [spec.net], theta, ctx);
  const thetaPtr = parameters.theta, net = parameters.nets[0];
  const columns = common.dataColumns(ctx, n, {
    obs: [spec.obs, obsDim],
    actions: [spec.actions, actDim],
    advantages: [spec.advantages, 1],
    oldLogProbs: spec.oldLogProbs && [spec.oldLogProbs, 1],
  });
  const plan: PgPlan = {
    samples: n,
    capacity: n,
    net,
    head: spec.head,
    headOptions,
    latentDim,
    actDim,
    obsDim,
    headOffset: spec.headOffset,
    paramCount: head.paramCount,
    size,
    theta: thetaPtr,
    obs: columns.obs.ptr,
    actions: columns.actions.ptr,
    advantages: columns.advantages.ptr,
    oldLogProbs: columns.oldLogProbs?.ptr ?? 0,
    hasOld: spec.oldLogProbs !== null,
    clipRange: spec.clipRange,
    entCoef: spec.entCoef,
    normalize: spec.normalizeAdvantage,
    headState: ctx.state.real(ctx.rows * head.stateWidth),
    g: ctx.state.f64(ctx.rows),
    term: ctx.state.f64(ctx.rows),
  };
  const macsPerSample = ops.networkMacs(spec.net);
  return common.planned({ kind: "policy-gradient", plan, parameters, columns, macsPerSample });
};

/**
 * The policy-gradient objective's per-chunk work (any thread), with the statistics of the last
 * prepared chunk.
 *
 * @example
 * ```ts
 * import type { DeviceContext } from "./common.ts";
 * import { policyGradientRuntime } from "./policy_gradient.ts";
 * function make(plan: unknown, dev: DeviceContext) { return policyGradientRuntime(plan, dev); }
 * ```
 */
export function policyGradientRuntime(
  planIn: unknown,
  dev: common.DeviceContext,
): common.ObjectiveRuntime & { stats: PolicyGradientStats } {
  const p = planIn as PgPlan;
  const k = dev.kernels, E = dev.E;
  const { net, actDim: A, obsDim, capacity, paramCount: P } = p;
  const head = LIKELIHOOD_HEADS[p.head](A, p.latentDim, p.headOptions);
  const last = net.layers[net.layers.length - 1];
  // The last hidden activations (the features of a head with `usesLatent`).
  const hidden = head.usesLatent ? net.layers[net.layers.length - 2] : null;
  const zStride = last.fanOut;
  const actions = dev.real(p.actions, capacity * A);
  const adv = dev.real(p.advantages, capacity);
  const old = p.hasOld ? dev.real(p.oldLogProbs, capacity) : null;
  const params = dev.real(p.theta + E * p.headOffset, P);
  const sink = new Float64Array(P);
  let logp = new Float64Array(0), normAdv = new Float64Array(0);
  let vHead = new Float64Array(0), rLogp = new Float64Array(0), hv = new Float64Array(0);
  const obsAt = (start: number) => p.obs + E * start * obsDim;
  const stats: PolicyGradientStats = {
    policyLoss: 0,
    entropyLoss: 0,
    approxKl: 0,
    clipFraction: 0,
  };
  const chunk = (start: number, n: number, st: Ptr): HeadChunk => ({
    n,
    actDim: A,
    z: dev.real(st + last.a, n * zStride),
    zStride,
    actions,
    actionsOffset: start * A,
    params,
    state: dev.real(st + p.headState, n * head.stateWidth),
    latent: hidden ? dev.real(st + hidden.a, n * p.latentDim) : undefined,
  });
  return {
    stats,
    *prepare(start, n, st) {
      const N = p.samples;
      ops.forward(k, net, obsAt(start), n, st);
      yield hidden
        ? [[st + last.a, n * zStride], [st + hidden.a, n * p.latentDim]]
        : [[st + last.a, n * zStride]];
      const c = chunk(start, n, st);
      if (logp.length < n) {
        logp = new Float64Array(n);
        normAdv = new Float64Array(n);
      }
      head.logProb(c, logp);
      // Advantages (normalised over the data set when asked: one chunk holds it all).
      const a = normAdv;
      if (p.normalize) normalizeAdvantages(adv, start, n, a);
      else for (let r = 0; r < n; r++) a[r] = adv[start + r];
      // Per sample: the loss term, ∂L/∂log π, and SB3's diagnostics.
      const g = dev.f64(st + p.g, n), term = dev.f64(st + p.term, n);
      const eps = p.clipRange;
      let surrogateSum = 0, klSum = 0, clipped = 0;
      for (let r = 0; r < n; r++) {
        if (old === null) {
          surrogateSum += a[r];
          term[r] = -a[r] / N;
          g[r] = -a[r] / N;
          continue;
        }
        const logRatio = logp[r] - old[start + r];
        const ratio = Math.exp(logRatio);
        const clippedRatio = ratio < 1 - eps ? 1 - eps : ratio > 1 + eps ? 1 + eps : ratio;
        const unclippedTerm = a[r] * ratio, clippedTerm = a[r] * clippedRatio;
        const unclippedActive = unclippedTerm <= clippedTerm;
        const surrogate = unclippedActive ? unclippedTerm : clippedTerm;
        surrogateSum += surrogate;
        term[r] = -surrogate / N;
        g[r] = unclippedActive ? -unclippedTerm / N : 0;
        klSum += (ratio - 1) - logRatio;
        if (Math.abs(ratio - 1) > eps) clipped++;
      }
      stats.policyLoss = -surrogateSum / n;
      stats.entropyLoss = -head.entropy(c, 0, sink);
      stats.approxKl = klSum / n;
      stats.clipFraction = clipped / n;
      head.backward(c, g, dev.real(st + last.d, n * zStride), sink);
      ops.backward(k, net, n, st);
    },
    // A generator like the other phases, although this one reads no device range.
    // deno-lint-ignore require-yield
    *gradient(start, n, st, out, acc, value) {
      const N = p.samples;
      const c = chunk(start, n, st);
      const g = dev.f64(st + p.g, n), term = dev.f64(st + p.term, n);
      const w = n / N; // this chunk's share of the mean entropy
      // Head parameters: the entropy bonus first, then Σ g·∂log π/∂θ_head (SB3's order).
      const hp = acc.subarray(p.headOffset, p.headOffset + P);
      const meanH = head.entropy(c, -p.entCoef * w, hp);
      head.backward(c, g, dev.real(st + last.d, n * zStride), hp);
      let v = 0;
      for (let r = 0; r < n; r++) v += term[r];
      value[0] += v - p.entCoef * w * meanH;
      ops.gradient(k, net, obsAt(start), n, st, out);
    },
    *hvp(start, n, st, sc, b, out, acc) {
      const N = p.samples;
      const x0 = obsAt(start);
      ops.rForward(k, net, x0, n, st, sc, b);
      yield [[sc + last.rz, n * b * zStride]];
      const c = chunk(start, n, st);
      const rz = dev.real(sc + last.rz, n * b * zStride);
      if (vHead.length < b * P) {
        vHead = new Float64Array(b * P);
        hv = new Float64Array(b * P);
      }
      if (rLogp.length < b * n) rLogp = new Float64Array(b * n);
      for (let j = 0; j < b; j++) {
        const dir = dev.real(net.directions + E * (j * p.size + p.headOffset), P);
        for (let d = 0; d < P; d++) vHead[j * P + d] = dir[d];
      }
      head.jvp(c, b, rz, vHead, rLogp);
      const g = dev.f64(st + p.g, n);
      // R{g} = ∂²L/∂log π² · R{log π} = g · R{log π}.
      for (let j = 0; j < b; j++) for (let r = 0; r < n; r++) rLogp[j * n + r] *= g[r];
      hv.fill(0, 0, b * P);
      head.rBackward(c, b, g, rLogp, rz, vHead, hv, -p.entCoef * n / N);
      for (let j = 0; j < b; j++) {
        for (let d = 0; d < P; d++) acc[j * p.size + p.headOffset + d] += hv[j * P + d];
      }
      ops.rBackward(k, net, x0, n, st, sc, b, out, p.size);
    },
  };
}
