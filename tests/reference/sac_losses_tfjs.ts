/**
 * The tfjs reference of SAC's losses (Stable-Baselines3's `SAC.train`, paper-notes §3.2): pure
 * tfjs functions of ONE flat parameter vector each, differentiable to second order (see
 * `tfjs.ts`).
 *
 * Notation: B samples; ε ~ N(0, I) noise of shape [B, act] is an input (fixed across HVPs);
 * α is a number (the detached entropy coefficient).
 *
 *   latent = MLP_latent(s);  μ = latent·W_μ + b_μ;  log σ = clamp(latent·W_ls + b_ls, −20, 2)
 *   u = μ + σ ⊙ ε;  ã = tanh(u)
 *   log π(ã|s) = Σ_d [−½ε_d² − log σ_d − ½ log 2π] − Σ_d log(1 − ã_d² + 1e-6)
 *
 * The first sum is torch's Normal(μ, σ).log_prob(u): since (u − μ)/σ ≡ ε as a function of θ,
 * writing −½ε² is the same function (value, gradient and Hessian), with less cancellation.
 *
 * - Critic targets (no gradient): y = r + (1 − d)·γ·(min_j Q̄_j(s′, ã′) − α·log π(ã′|s′)),
 *   with the target critics Q̄ and the next-action noise ε′; d is the done mask (terminal and
 *   not a time-out).
 * - Critic loss: L_c(θ_c) = ½ Σ_{j=0,1} mean_B[(Q_j(s, a) − y)²].
 * - Actor loss: L_a(θ_a) = mean_B[α·log π(ã|s) − min_j Q_j(s, ã)] with the critic parameters
 *   frozen (constants): the gradient flows through ã into min Q (SB3, and the paper's code at
 *   HEAD). `detachQ: true` treats min Q as a constant (the paper's code before 2024-02-27, where
 *   the Q term ran under `torch.no_grad()`, so only α·log π is differentiated).
 * - Entropy-coefficient loss: L_α(log α) = −mean_B[log α · stop(log π(ã|s) + H̄)].
 *
 * min and clamp are written with ReLU (min(a, b) = a − relu(a − b), clamp(x, lo, hi) =
 * x − relu(x − hi) + relu(lo − x)): tfjs's `minimum`, `maximum` and `clipByValue` have
 * gradients built from comparisons (LessEqual, LogicalAnd) that have no gradient themselves, so
 * they cannot be differentiated twice; ReLU's can. Gradients are torch's: at a tie of min the
 * gradient goes to Q_0, and clamp passes the gradient at the bounds (inclusive). The clamped
 * value may differ from the bound by one rounding of x − hi when |x| ≫ |hi|.
 * The caller owns disposal of returned tensors (wrap calls in `tf.tidy`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HALF_LOG_2PI, LOG_STD_MAX, LOG_STD_MIN, TANH_LOG_EPS } from "../../lib/compute/heads.ts";
import type { SacSpec } from "../../lib/agents/sac/policy.ts";
import { blockTensor, clampTf, minTf, mlpForwardTf, stopGradient } from "./tfjs.ts";

/**
 * Replay-buffer samples as tensors. Shapes: [B, obsDim], [B, actDim] and [B].
 */
export interface SacBatchTf {
  /** Observations s. */
  obs: tf.Tensor2D;
  /** Stored actions a, in [−1, 1]. */
  actions: tf.Tensor2D;
  /** Rewards r. */
  rewards: tf.Tensor1D;
  /** Next observations s′ (the terminal observation when the episode ended). */
  nextObs: tf.Tensor2D;
  /** Done mask d: 1 for a terminal transition that was not a time-out, else 0. */
  dones: tf.Tensor1D;
}

/**
 * The squashed-Gaussian policy's outputs for observations and noise.
 */
export interface SacPolicyOutputsTf {
  /** ã = tanh(μ + σ ⊙ ε), [B, act]. */
  actions: tf.Tensor2D;
  /** log π(ã|s), [B]. */
  logProbs: tf.Tensor1D;
  /** μ(s), [B, act]. */
  mean: tf.Tensor2D;
  /** Clamped log σ(s), [B, act]. */
  logStd: tf.Tensor2D;
}

/**
 * Actions and log-probabilities of the actor θ_actor on `obs` with reparameterisation noise
 * `noise` (see the module doc for the formulas).
 */
export function sacPolicyOutputs(
  spec: SacSpec,
  thetaActor: tf.Tensor1D,
  obs: tf.Tensor2D,
  noise: tf.Tensor2D,
): SacPolicyOutputsTf {
  checkShape("noise", noise, [obs.shape[0], spec.actDim]);
  const latent = mlpForwardTf(thetaActor, spec.actorLayout, spec.latent, obs);
  const layout = spec.actorLayout;
  const mean = tf.add(
    tf.matMul(latent, blockTensor(thetaActor, layout, "mu.weight") as tf.Tensor2D),
    blockTensor(thetaActor, layout, "mu.bias"),
  ) as tf.Tensor2D;
  const logStdRaw = tf.add(
    tf.matMul(latent, blockTensor(thetaActor, layout, "log_std.weight") as tf.Tensor2D),
    blockTensor(thetaActor, layout, "log_std.bias"),
  );
  const logStd = clampTf(logStdRaw, LOG_STD_MIN, LOG_STD_MAX) as tf.Tensor2D;
  const u = tf.add(mean, tf.mul(tf.exp(logStd), noise));
  const actions = tf.tanh(u) as tf.Tensor2D;
  const gaussian = tf.sub(tf.sub(tf.mul(-0.5, tf.square(noise)), logStd), HALF_LOG_2PI);
  const correction = tf.log(tf.add(tf.sub(1, tf.square(actions)), TANH_LOG_EPS));
  const logProbs = tf.sum(tf.sub(gaussian, correction), 1) as tf.Tensor1D;
  return { actions, logProbs, mean, logStd };
}

/**
 * Q_0(s, a) and Q_1(s, a) of the critic θ_critic (or a target critic), each [B].
 */
export function sacQValues(
  spec: SacSpec,
  thetaCritic: tf.Tensor1D,
  obs: tf.Tensor2D,
  actions: tf.Tensor2D,
): [tf.Tensor1D, tf.Tensor1D] {
  checkShape("actions", actions, [obs.shape[0], spec.actDim]);
  const input = tf.concat([obs, actions], 1) as tf.Tensor2D;
  const q = spec.qf.map((qf) => {
    const out = mlpForwardTf(thetaCritic, spec.criticLayout, qf, input);
    return tf.reshape(out, [out.shape[0]]) as tf.Tensor1D;
  });
  return [q[0], q[1]];
}

/**
 * SAC critic targets y = r + (1 − d)·γ·(min_j Q̄_j(s′, ã′) − α·log π(ã′|s′)), ã′ from the actor
 * θ_actor with next-action noise `nextNoise`, Q̄ the target critics. Computed without gradient
 * (the result is a constant for {@linkcode sacCriticLoss}).
 */
export function sacCriticTargets(
  spec: SacSpec,
  thetaActor: tf.Tensor1D,
  thetaCriticTarget: tf.Tensor1D,
  batch: Pick<SacBatchTf, "rewards" | "nextObs" | "dones">,
  nextNoise: tf.Tensor2D,
  coefs: { alpha: number; gamma: number },
): tf.Tensor1D {
  return tf.tidy(() => {
    const next = sacPolicyOutputs(
      spec,
      stopGradient(thetaActor),
      batch.nextObs,
      nextNoise,
    );
    const [q0, q1] = sacQValues(
      spec,
      stopGradient(thetaCriticTarget),
      batch.nextObs,
      next.actions,
    );
    const nextQ = tf.sub(minTf(q0, q1), tf.mul(coefs.alpha, next.logProbs));
    const notDone = tf.sub(1, batch.dones);
    return stopGradient(
      tf.add(batch.rewards, tf.mul(tf.mul(notDone, coefs.gamma), nextQ)) as tf.Tensor1D,
    );
  });
}

/**
 * SAC critic loss L_c(θ_critic) = ½ Σ_{j=0,1} mean_B[(Q_j(s, a) − y)²] with constant targets y
 * (from {@linkcode sacCriticTargets}). θ_critic is both Q-networks, qf0 then qf1.
 */
export function sacCriticLoss(
  spec: SacSpec,
  thetaCritic: tf.Tensor1D,
  batch: Pick<SacBatchTf, "obs" | "actions">,
  targets: tf.Tensor1D,
): tf.Scalar {
  checkShape("targets", targets, [batch.obs.shape[0]]);
  const [q0, q1] = sacQValues(spec, thetaCritic, batch.obs, batch.actions);
  const mse = (q: tf.Tensor1D) => tf.mean(tf.square(tf.sub(q, targets)));
  return tf.mul(0.5, tf.add(mse(q0), mse(q1))) as tf.Scalar;
}

/**
 * Options of {@linkcode sacActorLoss}.
 */
export interface SacActorLossOptions {
  /**
   * Treat min_j Q_j(s, ã) as a constant (the paper's code before 2024-02-27: only α·log π is
   * differentiated). Default false (SB3, and the paper's code at HEAD).
   */
  detachQ?: boolean;
}

/**
 * SAC actor loss L_a(θ_actor) = mean_B[α·log π(ã|s) − min_j Q_j(s, ã)], ã = tanh(μ + σ ⊙ ε),
 * with the critic parameters `thetaCriticFrozen` held constant (only θ_actor is differentiated;
 * the gradient flows through ã into Q unless `detachQ`).
 */
export function sacActorLoss(
  spec: SacSpec,
  thetaActor: tf.Tensor1D,
  thetaCriticFrozen: tf.Tensor1D,
  batch: Pick<SacBatchTf, "obs">,
  noise: tf.Tensor2D,
  alpha: number,
  options: SacActorLossOptions = {},
): tf.Scalar {
  const pi = sacPolicyOutputs(spec, thetaActor, batch.obs, noise);
  const [q0, q1] = sacQValues(spec, stopGradient(thetaCriticFrozen), batch.obs, pi.actions);
  let minQ = minTf(q0, q1);
  if (options.detachQ === true) minQ = stopGradient(minQ);
  return tf.mean(tf.sub(tf.mul(alpha, pi.logProbs), minQ)) as tf.Scalar;
}

/**
 * SB3's entropy-coefficient loss L(log α) = −mean_B[log α · stop(log π + H̄)], H̄ the target
 * entropy; its gradient with respect to log α is −mean(log π + H̄).
 */
export function sacEntCoefLoss(
  logEntCoef: tf.Scalar,
  logProbs: tf.Tensor1D,
  targetEntropy: number,
): tf.Scalar {
  const shifted = stopGradient(tf.add(logProbs, targetEntropy));
  return tf.neg(tf.mean(tf.mul(logEntCoef, shifted))) as tf.Scalar;
}

function checkShape(name: string, t: tf.Tensor, shape: number[]): void {
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`SAC loss: ${name} has shape [${t.shape}] but [${shape}] is needed`);
  }
}
