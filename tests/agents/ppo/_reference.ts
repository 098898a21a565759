/**
 * Independent float64 reference of SB3's PPO loss for the loss tests: a tiny MLP actor-critic
 * from the published equations (paper-notes §3.1, §7.2) on the tests' shared float64 MLP
 * (`tests/reference/float64.ts`), with central finite differences for gradients and mixed
 * differences for Hessian bilinear forms. It shares no code with lib/agents (only the documented
 * parameter block order).
 *
 * @module
 */
import { Rng } from "../../../lib/rng.ts";
import {
  fdBilinear as fdBilinear64,
  fdGradient as fdGradient64,
  gaussianLogProb,
  mlp,
  mlpSize,
  normalized,
} from "../../reference/float64.ts";

export { relativeMaxError } from "../../reference/float64.ts";

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
  return {
    actor: mlpSize([net.obsDim, ...net.hidden, net.actDim]) + net.actDim,
    critic: mlpSize([net.obsDim, ...net.hidden, 1]),
  };
}

/** Per-sample log π(a|s) = Σ_d −½((a−μ)/σ)² − log σ − ½ log 2π, σ = exp(log_std). */
export function refLogProbs(net: RefNet, actor: ArrayLike<number>, batch: RefBatch): number[] {
  const dims = [net.obsDim, ...net.hidden, net.actDim];
  const logStd = Array.from(actor).slice(refSizes(net).actor - net.actDim);
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const x = batch.obs.subarray(b * net.obsDim, (b + 1) * net.obsDim);
    const action = batch.actions.subarray(b * net.actDim, (b + 1) * net.actDim);
    out.push(gaussianLogProb(mlp(actor, 0, dims, net.activation, x), logStd, action));
  }
  return out;
}

/** V(s) per sample. */
export function refValues(net: RefNet, critic: ArrayLike<number>, batch: RefBatch): number[] {
  const dims = [net.obsDim, ...net.hidden, 1];
  const out: number[] = [];
  for (let b = 0; b < batch.n; b++) {
    const x = batch.obs.subarray(b * net.obsDim, (b + 1) * net.obsDim);
    out.push(mlp(critic, 0, dims, net.activation, x)[0]);
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
export const refNormalize: (a: ArrayLike<number>) => number[] = normalized;

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
  return fdGradient64(f, x, h);
}

/** uᵀ H v by mixed central differences of f at x (float64). */
export function fdBilinear(
  f: (x: Float64Array) => number,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  h = 1e-3,
): number {
  return fdBilinear64(f, x, u, v, h);
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
