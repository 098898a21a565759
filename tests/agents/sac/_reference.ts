/**
 * Independent float64 reference of SB3's SAC losses for the SAC tests, written in plain
 * JavaScript from the published equations (paper-notes §3.2, §7.2, SB3's
 * SquashedDiagGaussianDistribution). It shares no code with lib/agents; only the documented
 * block order is assumed:
 *   actor  = latent_pi MLP (ReLU after every layer), mu.weight [h, act], mu.bias,
 *            log_std.weight [h, act], log_std.bias
 *   critic = qf0 MLP (ReLU hidden, linear scalar output) then qf1, each on concat(obs, action)
 * with weights stored [in, out] row-major followed by the bias.
 *
 * @module
 */
import { Rng } from "../../../lib/rng.ts";

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

function layerCount(dims: number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < dims.length; i++) n += dims[i] * dims[i + 1] + dims[i + 1];
  return n;
}

/** Parameter counts of actor, one Q-network and the critic (two Q-networks). */
export function refSacSizes(net: RefSacNet): { actor: number; qf: number; critic: number } {
  const h = net.hidden[net.hidden.length - 1];
  const actor = layerCount([net.obsDim, ...net.hidden]) + 2 * (h * net.actDim + net.actDim);
  const qf = layerCount([net.obsDim + net.actDim, ...net.hidden, 1]);
  return { actor, qf, critic: 2 * qf };
}

/** Linear layers in sequence from `off`; ReLU after layer i when `relu(i)`. */
function mlp(
  theta: ArrayLike<number>,
  off: number,
  dims: number[],
  x: number[],
  relu: (i: number) => boolean,
): { y: number[]; end: number } {
  let h = x;
  for (let l = 0; l + 1 < dims.length; l++) {
    const fi = dims[l], fo = dims[l + 1];
    const out: number[] = [];
    for (let j = 0; j < fo; j++) {
      let s = theta[off + fi * fo + j];
      for (let i = 0; i < fi; i++) s += h[i] * theta[off + i * fo + j];
      out.push(relu(l) ? Math.max(0, s) : s);
    }
    off += fi * fo + fo;
    h = out;
  }
  return { y: h, end: off };
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
  const { y: latent, end } = mlp(actor, 0, [net.obsDim, ...net.hidden], obs, () => true);
  const h = net.hidden[net.hidden.length - 1], A = net.actDim;
  const head = (off: number) => {
    const out: number[] = [];
    for (let d = 0; d < A; d++) {
      let s = actor[off + h * A + d];
      for (let i = 0; i < h; i++) s += latent[i] * actor[off + i * A + d];
      out.push(s);
    }
    return out;
  };
  const mean = head(end);
  const logStd = head(end + h * A + A).map((v) => Math.min(Math.max(v, -20), 2));
  const action: number[] = [];
  let logProb = 0;
  for (let d = 0; d < A; d++) {
    const std = Math.exp(logStd[d]);
    const u = mean[d] + std * eps[d];
    const a = Math.tanh(u);
    action.push(a);
    logProb += -((u - mean[d]) ** 2) / (2 * std * std) - logStd[d] - 0.5 * Math.log(2 * Math.PI);
    logProb -= Math.log(1 - a * a + 1e-6);
  }
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
  return mlp(critic, off, dims, [...obs, ...action], (i) => i + 2 < dims.length).y[0];
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

/** uᵀ H v by mixed central differences (float64). */
export function fdBilinear(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-4,
): number {
  const p = new Float64Array(x.length);
  const at = (su: number, sv: number) => {
    for (let i = 0; i < p.length; i++) p[i] = x[i] + h * (su * u[i] + sv * v[i]);
    return f(p);
  };
  return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
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
