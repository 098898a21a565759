/**
 * Independent float64 references for the Hessian tests: small MLP losses written out in plain
 * JavaScript from the published equations (paper-notes §3.1, §3.2), and finite differences.
 * Shares no code with lib/ — only the documented parameter block order of an MLP: for each
 * layer, W (in × out, row-major, y = x·W + b) then b.
 *
 * @module
 */
import { Rng } from "../../lib/rng.ts";
import type { PpoRollout } from "../../lib/subspaces/mod.ts";

/** Hidden nonlinearity. */
export type Act = "tanh" | "relu";

/** Number of parameters of an MLP with the given widths. */
export function mlpSize(dims: number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < dims.length; i++) n += dims[i] * dims[i + 1] + dims[i + 1];
  return n;
}

/** y = MLP(x), blocks starting at `offset`; the activation follows every layer but the last. */
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

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

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

/** (A − mean)/(unbiased std + 1e-8) in float64. */
export function normalized(a: ArrayLike<number>): number[] {
  const xs = Array.from(a);
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  return xs.map((x) => (x - m) / (sd + 1e-8));
}

/** log N(a; μ_θ(s), diag σ²) per sample. */
export function gaussianLogProbs(p: GaussianProblem, actor: ArrayLike<number>): number[] {
  const dims = [p.obsDim, ...p.hidden, p.actDim];
  const ls0 = actor.length - p.actDim;
  const out: number[] = [];
  for (let b = 0; b < p.n; b++) {
    const mu = mlp(actor, 0, dims, p.act, p.obs.subarray(b * p.obsDim, (b + 1) * p.obsDim));
    let lp = 0;
    for (let d = 0; d < p.actDim; d++) {
      const ls = actor[ls0 + d];
      const z = (p.actions[b * p.actDim + d] - mu[d]) / Math.exp(ls);
      lp += -0.5 * z * z - ls - HALF_LOG_2PI;
    }
    out.push(lp);
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
  const adv = normalized(p.advantages);
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
      let logProb = 0;
      const a: number[] = [];
      for (let d = 0; d < p.actDim; d++) {
        let mu = theta[headOff + h * p.actDim + d];
        let ls = theta[headOff + 2 * h * p.actDim + p.actDim + d];
        for (let i = 0; i < h; i++) {
          mu += z[i] * theta[headOff + i * p.actDim + d];
          ls += z[i] * theta[headOff + h * p.actDim + p.actDim + i * p.actDim + d];
        }
        ls = Math.min(Math.max(ls, -20), 2);
        const eps = p.noise[b * p.actDim + d];
        const ad = Math.tanh(mu + Math.exp(ls) * eps);
        a.push(ad);
        logProb += -0.5 * eps * eps - ls - HALF_LOG_2PI - Math.log(1 - ad * ad + 1e-6);
      }
      const x = [...s, ...a];
      const q1 = mlp(p.critic, 0, qDims, p.act, x)[0];
      const q2 = mlp(p.critic, qSize, qDims, p.act, x)[0];
      total += p.alpha * logProb - Math.min(q1, q2);
    }
    return total / p.n;
  };
}

/** (H v)_i by mixed central differences of a float64 loss: error O(h²) + O(ε/h²). */
export function fdHvp(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-4,
): Float64Array {
  const n = theta.length;
  const out = new Float64Array(n);
  const p = new Float64Array(n);
  const at = (si: number, i: number, sv: number) => {
    for (let j = 0; j < n; j++) p[j] = theta[j] + sv * h * v[j];
    p[i] += si * h;
    return f(p);
  };
  for (let i = 0; i < n; i++) {
    out[i] = (at(1, i, 1) - at(1, i, -1) - at(-1, i, 1) + at(-1, i, -1)) / (4 * h * h);
  }
  return out;
}

/** Central finite-difference gradient. */
export function fdGradient(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  h = 1e-5,
): Float64Array {
  const p = Float64Array.from(theta);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    p[i] = x + h;
    const fp = f(p);
    p[i] = x - h;
    const fm = f(p);
    p[i] = x;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
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
