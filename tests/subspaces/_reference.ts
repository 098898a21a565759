/**
 * Independent float64 references for the Hessian tests: small MLP losses from the published
 * equations (paper-notes §3.1, §3.2) on the tests' shared float64 MLP
 * (`tests/reference/float64.ts`), and finite differences. Shares no code with lib/ — only the
 * documented parameter block order of an MLP: for each layer, W (in × out, row-major,
 * y = x·W + b) then b.
 *
 * @module
 */
import { Rng } from "../../lib/rng.ts";
import type { PpoRollout } from "../../lib/subspaces/mod.ts";
import {
  type Act,
  fdGradient as fdGradient64,
  gaussianLogProb,
  gsdeEntropyRef,
  gsdeLogProbRef,
  type GsdeRef,
  HALF_LOG_2PI,
  mlp,
  mlpSize,
  normalized as normalizedAdv,
  type SacGsdeRef,
  sacGsdeRef,
  squashedSample,
} from "../reference/float64.ts";

export {
  type Act,
  fdHvp,
  mlp,
  mlpSize,
  normalized,
  relativeError,
  unitVector,
} from "../reference/float64.ts";

/** A PPO-style Gaussian actor-critic problem in float32 arrays. */
export interface GaussianProblem {
  obsDim: number;
  actDim: number;
  hidden: number[];
  act: Act;
  n: number;
  obs: Float32Array;
  actions: Float32Array;
  /** Raw advantages (the loss normalises them over the whole batch). */
  advantages: Float32Array;
  returns: Float32Array;
  actor: Float32Array;
  critic: Float32Array;
}

/** A reproducible random Gaussian actor-critic problem. */
export function gaussianProblem(
  obsDim: number,
  actDim: number,
  hidden: number[],
  act: Act,
  n: number,
  seed: number,
): GaussianProblem {
  const rng = new Rng(seed);
  const actor = new Float32Array(mlpSize([obsDim, ...hidden, actDim]) + actDim);
  const critic = new Float32Array(mlpSize([obsDim, ...hidden, 1]));
  rng.fillNormal(actor, 0, 0.5);
  rng.fillNormal(critic, 0, 0.5);
  for (let d = 0; d < actDim; d++) actor[actor.length - actDim + d] = -0.4 + 0.3 * d;
  return {
    obsDim,
    actDim,
    hidden,
    act,
    n,
    obs: rng.fillNormal(new Float32Array(n * obsDim)),
    actions: rng.fillNormal(new Float32Array(n * actDim)),
    advantages: rng.fillNormal(new Float32Array(n), 0.2, 1.3),
    returns: rng.fillNormal(new Float32Array(n), 0.5, 1),
    actor,
    critic,
  };
}

/** log N(a; μ_θ(s), diag σ²) per sample. */
export function gaussianLogProbs(p: GaussianProblem, actor: ArrayLike<number>): number[] {
  const dims = [p.obsDim, ...p.hidden, p.actDim];
  const logStd = Array.from(actor).slice(actor.length - p.actDim);
  const out: number[] = [];
  for (let b = 0; b < p.n; b++) {
    const mu = mlp(actor, 0, dims, p.act, p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim));
    const action = p.actions.subarray(b * p.actDim, (b + 1) * p.actDim);
    out.push(gaussianLogProb(mu, logStd, action));
  }
  return out;
}

/**
 * PPO actor loss at the analysis point as a float64 function of θ, with the log-probs ℓ0 of
 * θ0 held fixed: −mean[Â·exp(log π_θ − ℓ0)] − c_ent·Σ_d(½ + ½ log 2π + log σ_d), Â normalised
 * over the batch. At θ = θ0 its value, gradient and Hessian are those of the stop-gradient form.
 */
export function ppoActorReference(p: GaussianProblem, entCoef: number) {
  const logProbs0 = gaussianLogProbs(p, p.actor);
  const adv = normalizedAdv(p.advantages);
  return (theta: ArrayLike<number>): number => {
    const lp = gaussianLogProbs(p, theta);
    let s = 0;
    for (let b = 0; b < p.n; b++) s += adv[b] * Math.exp(lp[b] - logProbs0[b]);
    let h = 0;
    for (let d = 0; d < p.actDim; d++) {
      h += 0.5 + HALF_LOG_2PI + theta[theta.length - p.actDim + d];
    }
    return -s / p.n - entCoef * h;
  };
}

/**
 * A gSDE actor problem: a Gaussian problem's network with gSDE's log_std matrix
 * ([last hidden, act], or [last hidden, 1]) instead of the log_std vector, entries in
 * [−0.8, 0.2] (above 0 for some, so `use_expln` takes both branches; none within 0.1 of 0, where
 * they meet).
 */
export function gsdeProblem(p: GaussianProblem, o: GsdeRef): GaussianProblem {
  const H = p.hidden[p.hidden.length - 1], P = H * (o.fullStd ? p.actDim : 1);
  const base = mlpSize([p.obsDim, ...p.hidden, p.actDim]);
  const actor = new Float32Array(base + P);
  actor.set(p.actor.subarray(0, base));
  for (let k = 0; k < P; k++) {
    const x = -0.3 + 0.5 * Math.sin(1.7 * k + p.n);
    actor[base + k] = Math.abs(x) < 0.1 ? x + 0.2 : x; // expln's branches meet at 0: stay clear
  }
  return { ...p, actor };
}

/**
 * SB3's PPO gSDE actor loss at the analysis point as a float64 function of θ (log π_θ0 fixed):
 * −mean[Â·exp(log π_θ − ℓ0)] − c_ent·mean H_θ, log π from μ_θ(s) and the variance
 * Σ_j h_j²·std(L)_jd² + 1e-6 whose features h are those of θ0 (SB3's `learn_features=False`
 * detaches them), L the log_std matrix at the end of θ.
 */
export function gsdeActorReference(p: GaussianProblem, entCoef: number, o: GsdeRef) {
  const dims = [p.obsDim, ...p.hidden, p.actDim];
  const H = p.hidden[p.hidden.length - 1], P = H * (o.fullStd ? p.actDim : 1);
  const latent0: number[][] = [];
  for (let b = 0; b < p.n; b++) {
    const s = p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim);
    latent0.push(mlp(p.actor, 0, [p.obsDim, ...p.hidden], p.act, s, true));
  }
  const logProbs = (theta: ArrayLike<number>) => {
    const L = Array.from(theta).slice(theta.length - P);
    return latent0.map((h, b) => {
      const mu = mlp(theta, 0, dims, p.act, p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim));
      return gsdeLogProbRef(mu, h, L, p.actions.subarray(b * p.actDim, (b + 1) * p.actDim), o);
    });
  };
  const logProbs0 = logProbs(p.actor);
  const adv = normalizedAdv(p.advantages);
  return (theta: ArrayLike<number>): number => {
    const lp = logProbs(theta);
    const L = Array.from(theta).slice(theta.length - P);
    let s = 0, h = 0;
    for (let b = 0; b < p.n; b++) {
      s += adv[b] * Math.exp(lp[b] - logProbs0[b]);
      h += gsdeEntropyRef(latent0[b], L, p.actDim, o);
    }
    return -s / p.n - entCoef * h / p.n;
  };
}

/** PPO critic loss c_vf·mean[(R̂ − V_θ(s))²]. */
export function ppoCriticReference(p: GaussianProblem, vfCoef: number) {
  const dims = [p.obsDim, ...p.hidden, 1];
  return (theta: ArrayLike<number>): number => {
    let s = 0;
    for (let b = 0; b < p.n; b++) {
      const v = mlp(theta, 0, dims, p.act, p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim))[0];
      s += (p.returns[b] - v) ** 2;
    }
    return vfCoef * s / p.n;
  };
}

/**
 * A SAC-style squashed-Gaussian actor problem: latent = MLP(s) (activated), μ = latent·W_μ + b_μ,
 * log σ = latent·W_σ + b_σ (inside the clamp range [−20, 2]), ã = tanh(μ + σ⊙ε) with ε fixed,
 * log π = Σ[−½ε² − log σ − ½ log 2π] − Σ log(1 − ã² + 1e-6), and two frozen Q-nets on
 * concat(s, ã). θ = [latent MLP, W_μ, b_μ, W_σ, b_σ].
 */
export interface SquashedProblem {
  obsDim: number;
  actDim: number;
  hidden: number[];
  act: Act;
  n: number;
  alpha: number;
  obs: Float32Array;
  noise: Float32Array;
  actor: Float32Array;
  /** Two Q-nets, each an MLP(obs + act → hidden → 1), concatenated. */
  critic: Float32Array;
}

/** A reproducible squashed-Gaussian problem. */
export function squashedProblem(
  obsDim: number,
  actDim: number,
  hidden: number[],
  act: Act,
  n: number,
  seed: number,
): SquashedProblem {
  const rng = new Rng(seed);
  const h = hidden[hidden.length - 1];
  const actor = new Float32Array(mlpSize([obsDim, ...hidden]) + 2 * (h * actDim + actDim));
  rng.fillNormal(actor, 0, 0.25);
  const critic = new Float32Array(2 * mlpSize([obsDim + actDim, ...hidden, 1]));
  rng.fillNormal(critic, 0, 0.6);
  return {
    obsDim,
    actDim,
    hidden,
    act,
    n,
    alpha: 0.3,
    obs: rng.fillNormal(new Float32Array(n * obsDim)),
    noise: rng.fillNormal(new Float32Array(n * actDim)),
    actor,
    critic,
  };
}

/** The SAC actor loss mean[α·log π(ã|s) − min(Q₁, Q₂)(s, ã)] as a float64 function of θ. */
export function squashedActorReference(p: SquashedProblem) {
  const h = p.hidden[p.hidden.length - 1];
  const latentDims = [p.obsDim, ...p.hidden];
  const qDims = [p.obsDim + p.actDim, ...p.hidden, 1];
  const qSize = mlpSize(qDims);
  const headOff = mlpSize(latentDims);
  return (theta: ArrayLike<number>): number => {
    let total = 0;
    for (let b = 0; b < p.n; b++) {
      const s = p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim);
      const z = mlp(theta, 0, latentDims, p.act, s, true);
      // The heads: μ = z·W_μ + b_μ, ρ = z·W_σ + b_σ (one-layer maps of the latent).
      const mu = mlp(theta, headOff, [h, p.actDim], p.act, z);
      const rho = mlp(theta, headOff + h * p.actDim + p.actDim, [h, p.actDim], p.act, z);
      const eps = p.noise.subarray(b * p.actDim, (b + 1) * p.actDim);
      const { action: a, logProb } = squashedSample(mu, rho, eps);
      const x = [...s, ...a];
      const q1 = mlp(p.critic, 0, qDims, p.act, x)[0];
      const q2 = mlp(p.critic, qSize, qDims, p.act, x)[0];
      total += p.alpha * logProb - Math.min(q1, q2);
    }
    return total / p.n;
  };
}

/**
 * SAC's gSDE actor on a squashed problem: θ = latent MLP, μ layer, log-std matrix (`full_std`:
 * h × act, else h), ξ one standard-normal h × act matrix for all samples (the problem's ε unused).
 */
export function squashedGsdeProblem(p: SquashedProblem, o: SacGsdeRef, seed: number) {
  const rng = new Rng(seed);
  const h = p.hidden[p.hidden.length - 1], A = p.actDim;
  const P = h * (o.fullStd ? A : 1);
  const netSize = mlpSize([p.obsDim, ...p.hidden]) + h * A + A;
  const actor = new Float32Array(netSize + P);
  actor.set(p.actor.subarray(0, netSize));
  for (let k = 0; k < P; k++) actor[netSize + k] = -0.7 + 0.5 * rng.uniform(-1, 1);
  const xi = rng.fillNormal(new Float32Array(h * A));
  return { problem: { ...p, actor, noise: new Float32Array(0) }, xi, headOffset: netSize };
}

/** The SAC gSDE actor loss mean[α·log π(ã|s) − min(Q₁, Q₂)(s, ã)] as a float64 function of θ. */
export function squashedGsdeActorReference(
  p: SquashedProblem,
  xi: ArrayLike<number>,
  o: SacGsdeRef,
) {
  const h = p.hidden[p.hidden.length - 1], A = p.actDim;
  const latentDims = [p.obsDim, ...p.hidden];
  const qDims = [p.obsDim + A, ...p.hidden, 1];
  const qSize = mlpSize(qDims);
  const headOff = mlpSize(latentDims), lsOff = headOff + h * A + A;
  return (theta: ArrayLike<number>): number => {
    const z: number[] = [], latent: number[] = [];
    for (let b = 0; b < p.n; b++) {
      const s = p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim);
      const f = mlp(theta, 0, latentDims, p.act, s, true);
      latent.push(...f);
      z.push(...mlp(theta, headOff, [h, A], p.act, f));
    }
    const logStd = Array.from(theta).slice(lsOff);
    const { actions, logProbs } = sacGsdeRef(z, latent, logStd, xi, A, o);
    let total = 0;
    for (let b = 0; b < p.n; b++) {
      const x = [...p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim), ...actions[b]];
      const q1 = mlp(p.critic, 0, qDims, p.act, x)[0];
      const q2 = mlp(p.critic, qSize, qDims, p.act, x)[0];
      total += p.alpha * logProbs[b] - Math.min(q1, q2);
    }
    return total / p.n;
  };
}

/** Central finite-difference gradient. */
export function fdGradient(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  h = 1e-5,
): Float64Array {
  return fdGradient64(f, theta, h);
}

/** A PPO rollout holding a Gaussian problem's batch (the fields the analysis losses read). */
export function rolloutOf(p: GaussianProblem): PpoRollout {
  const zeros = new Float32Array(p.n);
  return {
    n: p.n,
    obsDim: p.obsDim,
    actDim: p.actDim,
    observations: p.obs,
    actions: p.actions,
    rewards: zeros,
    episodeStarts: zeros,
    values: zeros,
    logProbs: zeros,
    advantages: p.advantages,
    returns: p.returns,
    episodeReturns: [],
  };
}
