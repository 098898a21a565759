/**
 * Independent float64 reference of SB3's SAC losses for the SAC tests, from the published
 * equations (paper-notes §3.2, §7.2, SB3's SquashedDiagGaussianDistribution) on the tests' shared
 * float64 MLP (`tests/reference/float64.ts`). It shares no code with lib/agents; only the
 * documented block order is assumed:
 *   actor  = latent_pi MLP (ReLU after every layer), mu.weight [h, act], mu.bias,
 *            log_std.weight [h, act], log_std.bias
 *   critic = qf0 MLP (ReLU hidden, linear scalar output) then qf1, each on concat(obs, action)
 * with weights stored [in, out] row-major followed by the bias.
 *
 * @module
 */
import { Rng } from "../../../lib/rng.ts";
import {
  fdBilinear as fdBilinear64,
  fdGradient as fdGradient64,
  mlp,
  mlpSize,
  squashedSample,
} from "../../reference/float64.ts";

export { relativeMaxError } from "../../reference/float64.ts";

/** Geometry of the reference networks. */
export interface RefSacNet {
  obsDim: number;
  actDim: number;
  hidden: number[];
}

/** A batch (float32 arrays, row-major) with noise. */
export interface RefSacBatch {
  n: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  /** Done mask (terminal and not a time-out). */
  dones: Float32Array;
  /** ε for the actions at obs, [n, act]. */
  noise: Float32Array;
  /** ε′ for the actions at nextObs, [n, act]. */
  nextNoise: Float32Array;
}

/** Parameter counts of actor, one Q-network and the critic (two Q-networks). */
export function refSacSizes(net: RefSacNet): { actor: number; qf: number; critic: number } {
  const h = net.hidden[net.hidden.length - 1];
  const actor = mlpSize([net.obsDim, ...net.hidden]) + 2 * (h * net.actDim + net.actDim);
  const qf = mlpSize([net.obsDim + net.actDim, ...net.hidden, 1]);
  return { actor, qf, critic: 2 * qf };
}

/**
 * One sample of the squashed Gaussian: log σ = clamp(·, −20, 2), u = μ + σε, a = tanh(u),
 * log π = Σ log N(u; μ, σ) − Σ log(1 − a² + 1e-6) with log N written as torch's Normal.log_prob
 * (−(u − μ)²/(2σ²) − log σ − ½ log 2π).
 */
export function refPolicySample(
  net: RefSacNet,
  actor: ArrayLike<number>,
  obs: number[],
  eps: number[],
): { action: number[]; logProb: number; mean: number[]; logStd: number[] } {
  const latentDims = [net.obsDim, ...net.hidden];
  const latent = mlp(actor, 0, latentDims, "relu", obs, true);
  const end = mlpSize(latentDims);
  const h = net.hidden[net.hidden.length - 1], A = net.actDim;
  // The two heads are one-layer maps of the latent: [W (h × A), b] each.
  const mean = mlp(actor, end, [h, A], "relu", latent);
  const rawLogStd = mlp(actor, end + h * A + A, [h, A], "relu", latent);
  const { action, logProb, logStd } = squashedSample(mean, rawLogStd, eps);
  return { action, logProb, mean, logStd };
}

/** Q_j(obs, action) of Q-network j ∈ {0, 1} of `critic`. */
export function refQ(
  net: RefSacNet,
  critic: ArrayLike<number>,
  j: number,
  obs: number[],
  action: number[],
): number {
  const dims = [net.obsDim + net.actDim, ...net.hidden, 1];
  const off = j * refSacSizes(net).qf;
  return mlp(critic, off, dims, "relu", [...obs, ...action])[0];
}

function row(a: Float32Array, b: number, width: number): number[] {
  return Array.from(a.subarray(b * width, (b + 1) * width));
}

/** y_b = r + (1 − d)·γ·(min_j Q̄_j(s′, ã′) − α log π(ã′|s′)). */
export function refTargets(
  net: RefSacNet,
  actor: ArrayLike<number>,
  targetCritic: ArrayLike<number>,
  batch: RefSacBatch,
  alpha: number,
  gamma: number,
): number[] {
  const y: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const s2 = row(batch.nextObs, b, net.obsDim);
    const pi = refPolicySample(net, actor, s2, row(batch.nextNoise, b, net.actDim));
    const q = Math.min(
      refQ(net, targetCritic, 0, s2, pi.action),
      refQ(net, targetCritic, 1, s2, pi.action),
    );
    y.push(batch.rewards[b] + (1 - batch.dones[b]) * gamma * (q - alpha * pi.logProb));
  }
  return y;
}

/** ½ Σ_j mean_b (Q_j(s, a) − y)². */
export function refCriticLoss(
  net: RefSacNet,
  critic: ArrayLike<number>,
  batch: RefSacBatch,
  y: number[],
): number {
  let s = 0;
  for (let b = 0; b < batch.n; b++) {
    const o = row(batch.obs, b, net.obsDim), a = row(batch.actions, b, net.actDim);
    for (let j = 0; j < 2; j++) s += (refQ(net, critic, j, o, a) - y[b]) ** 2;
  }
  return 0.5 * s / batch.n;
}

/**
 * mean_b [α log π(ã|s) − min_j Q_j(s, ã)]; with `fixedMinQ` the Q term is those constants
 * (the detached, paper-era loss).
 */
export function refActorLoss(
  net: RefSacNet,
  actor: ArrayLike<number>,
  critic: ArrayLike<number>,
  batch: RefSacBatch,
  alpha: number,
  fixedMinQ?: number[],
): number {
  let s = 0;
  for (let b = 0; b < batch.n; b++) {
    const o = row(batch.obs, b, net.obsDim);
    const pi = refPolicySample(net, actor, o, row(batch.noise, b, net.actDim));
    const q = fixedMinQ
      ? fixedMinQ[b]
      : Math.min(refQ(net, critic, 0, o, pi.action), refQ(net, critic, 1, o, pi.action));
    s += alpha * pi.logProb - q;
  }
  return s / batch.n;
}

/** min_j Q_j(s, ã) per sample at the given actor (for the detached loss). */
export function refMinQ(
  net: RefSacNet,
  actor: ArrayLike<number>,
  critic: ArrayLike<number>,
  batch: RefSacBatch,
): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const o = row(batch.obs, b, net.obsDim);
    const pi = refPolicySample(net, actor, o, row(batch.noise, b, net.actDim));
    out.push(Math.min(refQ(net, critic, 0, o, pi.action), refQ(net, critic, 1, o, pi.action)));
  }
  return out;
}

/** log π(ã|s) per sample. */
export function refLogProbs(net: RefSacNet, actor: ArrayLike<number>, batch: RefSacBatch) {
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    out.push(
      refPolicySample(net, actor, row(batch.obs, b, net.obsDim), row(batch.noise, b, net.actDim))
        .logProb,
    );
  }
  return out;
}

/** Central finite-difference gradient (float64). */
export function fdGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6) {
  return fdGradient64(f, x, h);
}

/** uᵀ H v by mixed central differences (float64). */
export function fdBilinear(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-4,
): number {
  return fdBilinear64(f, x, u, v, h);
}

/**
 * A fixed problem: uniform weights (larger than PyTorch's so the nets are not near-linear), a
 * log_std head whose bias puts action dimension 0 above the clamp at 2 for some samples (its
 * noise is scaled by 0.3 so tanh does not saturate to float32 precision), done flags on every
 * third sample, and a target critic near but not equal to the critic.
 */
export function makeSacProblem(net: RefSacNet, n = 8, seed = 7) {
  const rng = new Rng(seed);
  const sizes = refSacSizes(net);
  const actor = new Float32Array(sizes.actor);
  const critic = new Float32Array(sizes.critic);
  const target = new Float32Array(sizes.critic);
  rng.fillUniform(actor, -0.7, 0.7);
  rng.fillUniform(critic, -0.7, 0.7);
  for (let i = 0; i < target.length; i++) target[i] = critic[i] + rng.normal(0, 0.05);
  // log_std bias: dimension 0 above the clamp at 2 for some samples, below for others.
  const lsBias = sizes.actor - net.actDim;
  for (let d = 0; d < net.actDim; d++) actor[lsBias + d] = d === 0 ? 1.0 : -0.5;
  const A = net.actDim;
  const batch: RefSacBatch = {
    n,
    obs: rng.fillNormal(new Float32Array(n * net.obsDim)),
    actions: rng.fillUniform(new Float32Array(n * A), -0.95, 0.95),
    rewards: rng.fillNormal(new Float32Array(n)),
    nextObs: rng.fillNormal(new Float32Array(n * net.obsDim)),
    dones: Float32Array.from({ length: n }, (_, b) => (b % 3 === 1 ? 1 : 0)),
    noise: rng.fillNormal(new Float32Array(n * A)),
    nextNoise: rng.fillNormal(new Float32Array(n * A)),
  };
  for (let b = 0; b < n; b++) {
    batch.noise[b * A] *= 0.1;
    batch.nextNoise[b * A] *= 0.1;
  }
  return { actor, critic, target, batch };
}
