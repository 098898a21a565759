/**
 * Independent float64 reference of SB3's PPO loss for the loss tests: a tiny MLP actor-critic
 * written out in plain JavaScript from the published equations (paper-notes §3.1, §7.2), with
 * central finite differences for gradients and mixed differences for Hessian bilinear forms.
 * It shares no code with lib/agents (only the documented parameter block order).
 *
 * @module
 */
import { Rng } from "../../../lib/rng.ts";

/** Geometry of the reference network. */
export interface RefNet {
  obsDim: number;
  hidden: number[];
  actDim: number;
  activation: "tanh" | "relu";
}

/** A data batch in float32 arrays (row-major). */
export interface RefBatch {
  n: number;
  obs: Float32Array;
  actions: Float32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
}

/** Loss coefficients. */
export interface RefCoefs {
  clipRange: number;
  clipRangeVf: number | null;
  entCoef: number;
  vfCoef: number;
  normalizeAdvantage: boolean;
}

/** Parameter counts: actor = MLP(obs → hidden → act) + log_std; critic = MLP(obs → hidden → 1). */
export function refSizes(net: RefNet): { actor: number; critic: number } {
  const count = (dims: number[]) => {
    let n = 0;
    for (let i = 0; i + 1 < dims.length; i++) n += dims[i] * dims[i + 1] + dims[i + 1];
    return n;
  };
  return {
    actor: count([net.obsDim, ...net.hidden, net.actDim]) + net.actDim,
    critic: count([net.obsDim, ...net.hidden, 1]),
  };
}

/** y = MLP(x) with blocks [W0 (in×out), b0, W1, b1, ...] starting at theta[0]. */
function mlp(
  theta: ArrayLike<number>,
  dims: number[],
  act: "tanh" | "relu",
  x: number[],
): number[] {
  let h = x;
  let off = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    const fi = dims[l], fo = dims[l + 1];
    const out: number[] = [];
    for (let j = 0; j < fo; j++) {
      let s = theta[off + fi * fo + j];
      for (let i = 0; i < fi; i++) s += h[i] * theta[off + i * fo + j];
      out.push(l + 2 < dims.length ? (act === "tanh" ? Math.tanh(s) : Math.max(0, s)) : s);
    }
    off += fi * fo + fo;
    h = out;
  }
  return h;
}

/** Per-sample log π(a|s) = Σ_d −½((a−μ)/σ)² − log σ − ½ log 2π, σ = exp(log_std). */
export function refLogProbs(net: RefNet, actor: ArrayLike<number>, batch: RefBatch): number[] {
  const dims = [net.obsDim, ...net.hidden, net.actDim];
  const logStdOff = refSizes(net).actor - net.actDim;
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const x = Array.from(batch.obs.subarray(b * net.obsDim, (b + 1) * net.obsDim));
    const mu = mlp(actor, dims, net.activation, x);
    let lp = 0;
    for (let d = 0; d < net.actDim; d++) {
      const ls = actor[logStdOff + d];
      const z = (batch.actions[b * net.actDim + d] - mu[d]) / Math.exp(ls);
      lp += -0.5 * z * z - ls - 0.5 * Math.log(2 * Math.PI);
    }
    out.push(lp);
  }
  return out;
}

/** V(s) per sample. */
export function refValues(net: RefNet, critic: ArrayLike<number>, batch: RefBatch): number[] {
  const dims = [net.obsDim, ...net.hidden, 1];
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const x = Array.from(batch.obs.subarray(b * net.obsDim, (b + 1) * net.obsDim));
    out.push(mlp(critic, dims, net.activation, x)[0]);
  }
  return out;
}

/** Entropy Σ_d (½ + ½ log 2π + log σ_d). */
export function refEntropy(net: RefNet, actor: ArrayLike<number>): number {
  const off = refSizes(net).actor - net.actDim;
  let h = 0;
  for (let d = 0; d < net.actDim; d++) h += 0.5 + 0.5 * Math.log(2 * Math.PI) + actor[off + d];
  return h;
}

/** (A − mean)/(unbiased std + 1e-8). */
export function refNormalize(a: ArrayLike<number>): number[] {
  const n = a.length;
  const xs = Array.from(a);
  if (n < 2) return xs;
  const m = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  return xs.map((x) => (x - m) / (sd + 1e-8));
}

/** All terms of SB3's PPO training loss. */
export function refPpoLoss(
  net: RefNet,
  actor: ArrayLike<number>,
  critic: ArrayLike<number>,
  batch: RefBatch,
  c: RefCoefs,
): { loss: number; policyLoss: number; valueLoss: number; entropyLoss: number } {
  const adv = c.normalizeAdvantage ? refNormalize(batch.advantages) : Array.from(batch.advantages);
  const lp = refLogProbs(net, actor, batch);
  let surrogate = 0;
  for (let b = 0; b < batch.n; b++) {
    const r = Math.exp(lp[b] - batch.oldLogProbs[b]);
    const rc = Math.min(Math.max(r, 1 - c.clipRange), 1 + c.clipRange);
    surrogate += Math.min(adv[b] * r, adv[b] * rc);
  }
  const policyLoss = -surrogate / batch.n;
  const v = refValues(net, critic, batch);
  let sq = 0;
  for (let b = 0; b < batch.n; b++) {
    let pred = v[b];
    if (c.clipRangeVf !== null) {
      const old = batch.oldValues[b];
      pred = old + Math.min(Math.max(v[b] - old, -c.clipRangeVf), c.clipRangeVf);
    }
    sq += (batch.returns[b] - pred) ** 2;
  }
  const valueLoss = sq / batch.n;
  const entropyLoss = -refEntropy(net, actor);
  return {
    loss: policyLoss + c.entCoef * entropyLoss + c.vfCoef * valueLoss,
    policyLoss,
    valueLoss,
    entropyLoss,
  };
}

/**
 * The analysis-point actor loss as a function of θ with the reference log-probs ℓ0 = log π_θ0
 * held fixed: −mean[Â exp(log π_θ − ℓ0)] − c_ent H(θ). At θ = θ0 its value, gradient and Hessian
 * are those of the stop-gradient form.
 */
export function refActorAnalysisLoss(
  net: RefNet,
  actor: ArrayLike<number>,
  batch: RefBatch,
  logProbs0: number[],
  advantages: number[],
  entCoef: number,
): number {
  const lp = refLogProbs(net, actor, batch);
  let s = 0;
  for (let b = 0; b < batch.n; b++) s += advantages[b] * Math.exp(lp[b] - logProbs0[b]);
  return -s / batch.n - entCoef * refEntropy(net, actor);
}

/** c_vf · mean[(R̂ − V)²]. */
export function refCriticLoss(
  net: RefNet,
  critic: ArrayLike<number>,
  batch: RefBatch,
  vfCoef: number,
): number {
  const v = refValues(net, critic, batch);
  let s = 0;
  for (let b = 0; b < batch.n; b++) s += (batch.returns[b] - v[b]) ** 2;
  return vfCoef * s / batch.n;
}

/** Central finite-difference gradient of f at x (float64). */
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

/** uᵀ H v by mixed central differences of f at x (float64). */
export function fdBilinear(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-3,
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
 * A fixed test problem: float32 parameters (log σ = [−0.3, 0.2]), a batch whose ratios lie
 * well inside and well outside the clip range with advantages of both signs, and old values
 * around the current values (inside and outside the value clip).
 */
export function makeProblem(net: RefNet, n = 10, seed = 3) {
  const rng = new Rng(seed);
  const sizes = refSizes(net);
  const actor = new Float32Array(sizes.actor);
  const critic = new Float32Array(sizes.critic);
  rng.fillNormal(actor, 0, 0.6);
  rng.fillNormal(critic, 0, 0.6);
  for (let d = 0; d < net.actDim; d++) actor[sizes.actor - net.actDim + d] = d % 2 ? 0.2 : -0.3;
  const batch: RefBatch = {
    n,
    obs: rng.fillNormal(new Float32Array(n * net.obsDim)),
    actions: rng.fillNormal(new Float32Array(n * net.actDim)),
    oldLogProbs: new Float32Array(n),
    advantages: rng.fillNormal(new Float32Array(n), 0.3, 1.5),
    returns: rng.fillNormal(new Float32Array(n)),
    oldValues: new Float32Array(n),
  };
  // log r = −offset: ratios 0.61, 0.90, 1, 1.05, 1.35 (ε = 0.2: two far outside, three inside).
  const offsets = [0.5, 0.1, 0, -0.05, -0.3];
  const lp = refLogProbs(net, actor, batch);
  const v = refValues(net, critic, batch);
  const vOffsets = [0.3, -0.05, 0.02, -0.4];
  for (let b = 0; b < n; b++) {
    batch.oldLogProbs[b] = lp[b] + offsets[b % offsets.length];
    batch.oldValues[b] = v[b] + vOffsets[b % vOffsets.length];
  }
  return { actor, critic, batch };
}
