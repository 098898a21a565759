/**
 * The tfjs reference of PPO's losses (SB3 1.8.0 `PPO.train`, paper-notes §3.1): pure tfjs
 * functions of the flat parameter vectors θ_actor / θ_critic and a batch of data tensors,
 * differentiable to second order (see `tfjs.ts`).
 *
 * Two families:
 * - the **training loss** (clipped surrogate + c_vf·value MSE + c_ent·entropy loss), used by the
 *   update phase (tfjs gradient engine) and as the reference the fast CPU engine is tested
 *   against;
 * - the **analysis-point losses** of the subspace analysis, each a function of ONE θ:
 *   L_a(θ_a) = −mean[Â·exp(log π_θ − stop(log π_θ))] − c_ent·mean H(π_θ)
 *   L_c(θ_c) = c_vf·mean[(R̂ − V_θ)²]
 *   At the analysis point the ratio is 1 and the clip is inactive, so value, gradient and Hessian
 *   equal those of the training loss's actor and critic parts.
 *
 * The caller owns disposal of returned tensors (wrap calls in `tf.tidy`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { HALF_LOG_2PI } from "../../lib/compute/heads.ts";
import type { ActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import type { PpoLossCoefficients } from "../../lib/agents/ppo/minibatch.ts";
import { mlpForwardTf, stopGradient } from "./tfjs.ts";

/**
 * A mini-batch for the training loss. Shapes: [B, obsDim], [B, actDim], and [B] vectors.
 */
export interface PpoBatchTf {
  /** Observations (normalised if VecNormalize is on). */
  obs: tf.Tensor2D;
  /** Unclipped actions. */
  actions: tf.Tensor2D;
  /** log π_old(a|s) from collection. */
  oldLogProbs: tf.Tensor1D;
  /** GAE advantages (raw; normalised inside when `normalizeAdvantage`). */
  advantages: tf.Tensor1D;
  /** λ-returns R̂. */
  returns: tf.Tensor1D;
  /** V_old(s) from collection (only read when clipRangeVf is set). */
  oldValues: tf.Tensor1D;
}

/**
 * Action means μ_θ(s), shape [B, actDim].
 */
export function actionMeanTf(
  spec: ActorCriticSpec,
  thetaActor: tf.Tensor1D,
  obs: tf.Tensor2D,
): tf.Tensor2D {
  return mlpForwardTf(thetaActor, spec.actorLayout, spec.pi, obs);
}

/**
 * Values V_θ(s), shape [B].
 */
export function valuesTf(
  spec: ActorCriticSpec,
  thetaCritic: tf.Tensor1D,
  obs: tf.Tensor2D,
): tf.Tensor1D {
  const v = mlpForwardTf(thetaCritic, spec.criticLayout, spec.vf, obs);
  return tf.reshape(v, [v.shape[0]]) as tf.Tensor1D;
}

/** The `log_std` block of θ_actor, shape [actDim]. */
function logStdTf(spec: ActorCriticSpec, thetaActor: tf.Tensor1D): tf.Tensor1D {
  return tf.slice(thetaActor, spec.logStdOffset, spec.actDim);
}

/**
 * Per-sample log π_θ(a|s) of the diagonal Gaussian, summed over action dimensions, shape [B]:
 * Σ_d [−½((a_d − μ_d)·exp(−log σ_d))² − log σ_d − ½ log 2π].
 */
export function gaussianLogProbTf(
  spec: ActorCriticSpec,
  thetaActor: tf.Tensor1D,
  obs: tf.Tensor2D,
  actions: tf.Tensor2D,
): tf.Tensor1D {
  const mean = actionMeanTf(spec, thetaActor, obs);
  const logStd = logStdTf(spec, thetaActor);
  const z = tf.mul(tf.sub(actions, mean), tf.exp(tf.neg(logStd)));
  const perDim = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), HALF_LOG_2PI);
  return tf.sum(perDim, 1) as tf.Tensor1D;
}

/**
 * Entropy of the diagonal Gaussian summed over dimensions (the same for every state), a scalar:
 * H = Σ_d (½ + ½ log 2π + log σ_d).
 */
export function gaussianEntropyTf(spec: ActorCriticSpec, thetaActor: tf.Tensor1D): tf.Scalar {
  return tf.add(tf.sum(logStdTf(spec, thetaActor)), spec.actDim * (0.5 + HALF_LOG_2PI));
}

/**
 * SB3's per-batch advantage normalisation, (Â − mean Â)/(std Â + 1e-8) with the unbiased std
 * (divide by N − 1); returned unchanged for a batch of one (SB3 skips it there).
 */
export function normalizeAdvantagesTf(advantages: tf.Tensor1D): tf.Tensor1D {
  const n = advantages.shape[0];
  if (n < 2) return advantages;
  const mean = tf.mean(advantages);
  const centered = tf.sub(advantages, mean);
  const std = tf.sqrt(tf.div(tf.sum(tf.square(centered)), n - 1));
  return tf.div(centered, tf.add(std, 1e-8));
}

/**
 * Every term of the training loss for one mini-batch (scalars unless noted).
 */
export interface PpoLossTerms {
  /** policyLoss + entCoef·entropyLoss + vfCoef·valueLoss. */
  loss: tf.Scalar;
  /** −mean[min(Â·r, Â·clip(r, 1−ε, 1+ε))]. */
  policyLoss: tf.Scalar;
  /** mean[(R̂ − V_pred)²] (V_pred clipped around V_old when clipRangeVf is set). */
  valueLoss: tf.Scalar;
  /** −mean H. */
  entropyLoss: tf.Scalar;
  /** log π_θ(a|s), shape [B]. */
  logProbs: tf.Tensor1D;
  /** r = exp(log π_θ − log π_old), shape [B]. */
  ratio: tf.Tensor1D;
}

/**
 * All terms of SB3's PPO loss on one mini-batch:
 *
 *   Â ← (Â − mean)/(std + 1e-8)  (if normalizeAdvantage and B > 1)
 *   r = exp(log π_θ(a|s) − log π_old)
 *   L_pg = −mean[min(Â·r, Â·clip(r, 1 − ε, 1 + ε))]
 *   V_pred = V_θ(s), or V_old + clip(V_θ(s) − V_old, −ε_vf, ε_vf)
 *   L_vf = mean[(R̂ − V_pred)²],  L_ent = −mean H
 *   L = L_pg + c_ent·L_ent + c_vf·L_vf
 */
export function ppoLossTerms(
  spec: ActorCriticSpec,
  thetaActor: tf.Tensor1D,
  thetaCritic: tf.Tensor1D,
  batch: PpoBatchTf,
  coefs: PpoLossCoefficients,
): PpoLossTerms {
  const advantages = coefs.normalizeAdvantage
    ? normalizeAdvantagesTf(batch.advantages)
    : batch.advantages;
  const logProbs = gaussianLogProbTf(spec, thetaActor, batch.obs, batch.actions);
  const ratio = tf.exp(tf.sub(logProbs, batch.oldLogProbs) as tf.Tensor1D);
  const eps = coefs.clipRange;
  const surrogate = tf.minimum(
    tf.mul(advantages, ratio),
    tf.mul(advantages, tf.clipByValue(ratio, 1 - eps, 1 + eps)),
  );
  const policyLoss = tf.neg(tf.mean(surrogate)) as tf.Scalar;
  const values = valuesTf(spec, thetaCritic, batch.obs);
  const valuesPred = coefs.clipRangeVf === null ? values : tf.add(
    batch.oldValues,
    tf.clipByValue(tf.sub(values, batch.oldValues), -coefs.clipRangeVf, coefs.clipRangeVf),
  );
  const valueLoss = tf.mean(tf.square(tf.sub(batch.returns, valuesPred))) as tf.Scalar;
  const entropyLoss = tf.neg(gaussianEntropyTf(spec, thetaActor)) as tf.Scalar;
  const loss = tf.add(
    tf.add(policyLoss, tf.mul(coefs.entCoef, entropyLoss)),
    tf.mul(coefs.vfCoef, valueLoss),
  ) as tf.Scalar;
  return { loss, policyLoss, valueLoss, entropyLoss, logProbs, ratio };
}

/**
 * SB3's PPO training loss (the `loss` of {@linkcode ppoLossTerms}), a scalar function of
 * (θ_actor, θ_critic) for `tf.grads`.
 */
export function ppoTrainingLoss(
  spec: ActorCriticSpec,
  thetaActor: tf.Tensor1D,
  thetaCritic: tf.Tensor1D,
  batch: PpoBatchTf,
  coefs: PpoLossCoefficients,
): tf.Scalar {
  return ppoLossTerms(spec, thetaActor, thetaCritic, batch, coefs).loss;
}

/**
 * Data of the actor analysis loss.
 */
export interface ActorAnalysisBatchTf {
  /** Observations, [B, obsDim]. */
  obs: tf.Tensor2D;
  /** Actions, [B, actDim]. */
  actions: tf.Tensor2D;
  /** Advantages, [B]: raw (normalised inside) or pre-normalised, see `advantageNormalization`. */
  advantages: tf.Tensor1D;
}

/**
 * Options of {@linkcode actorAnalysisLoss}.
 */
export interface ActorAnalysisOptions {
  /** Entropy coefficient c_ent. */
  entCoef: number;
  /**
   * `"batch"`: normalise the advantages over the batch passed in (unbiased std + 1e-8), as SB3
   * does for the batch it is given; `"none"`: the caller pre-normalised them over the full data
   * set (chunked evaluation: L = Σ_c (n_c/N)·L_c).
   */
  advantageNormalization: "batch" | "none";
}

/**
 * The PPO actor loss at the analysis point (ratio ≡ 1), a function of θ_actor only:
 *
 *   L_a(θ) = −mean_B[Â · exp(log π_θ(a|s) − stop(log π_θ(a|s)))] − c_ent · mean_B H(π_θ)
 *
 * Its value is −mean Â − c_ent·H, its gradient −mean[Â ∇log π] − c_ent ∇H and its Hessian
 * −mean[Â (∇² log π + ∇log π ∇log πᵀ)] − c_ent ∇²H.
 */
export function actorAnalysisLoss(
  spec: ActorCriticSpec,
  thetaActor: tf.Tensor1D,
  batch: ActorAnalysisBatchTf,
  options: ActorAnalysisOptions,
): tf.Scalar {
  const advantages = options.advantageNormalization === "batch"
    ? normalizeAdvantagesTf(batch.advantages)
    : batch.advantages;
  const logProbs = gaussianLogProbTf(spec, thetaActor, batch.obs, batch.actions);
  const ratio = tf.exp(tf.sub(logProbs, stopGradient(logProbs)));
  const surrogate = tf.neg(tf.mean(tf.mul(advantages, ratio)));
  const entropy = gaussianEntropyTf(spec, thetaActor);
  return tf.sub(surrogate, tf.mul(options.entCoef, entropy)) as tf.Scalar;
}

/**
 * Data of the critic analysis loss.
 */
export interface CriticAnalysisBatchTf {
  /** Observations, [B, obsDim]. */
  obs: tf.Tensor2D;
  /** λ-returns R̂, [B]. */
  returns: tf.Tensor1D;
}

/**
 * The PPO critic loss (no value clipping), a function of θ_critic only:
 *
 *   L_c(θ) = c_vf · mean_B[(R̂ − V_θ(s))²]
 */
export function criticAnalysisLoss(
  spec: ActorCriticSpec,
  thetaCritic: tf.Tensor1D,
  batch: CriticAnalysisBatchTf,
  options: { vfCoef: number },
): tf.Scalar {
  const values = valuesTf(spec, thetaCritic, batch.obs);
  return tf.mul(options.vfCoef, tf.mean(tf.square(tf.sub(batch.returns, values)))) as tf.Scalar;
}
