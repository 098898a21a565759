/**
 * Global L2 gradient-norm clipping, as `torch.nn.utils.clip_grad_norm_` (used by SB3's PPO with
 * `max_grad_norm`).
 *
 * @module
 */

/** A flat gradient vector. */
export type GradVector = Float32Array | Float64Array;

/**
 * The global L2 norm ‖g‖ = √(Σ_k Σ_i g_k[i]²) over one vector or several (e.g. actor and critic
 * gradients of one optimiser), accumulated in float64.
 *
 * @example
 * ```ts
 * import { globalGradNorm } from "./clip.ts";
 * globalGradNorm([new Float32Array([3]), new Float32Array([4])]); // 5
 * ```
 */
export function globalGradNorm(grads: GradVector | readonly GradVector[]): number {
  const list = isGradVector(grads) ? [grads] : grads;
  let sum = 0;
  for (const g of list) {
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  return Math.sqrt(sum);
}

/**
 * Scales the gradients in place so that their global L2 norm is at most `maxNorm`, exactly as
 * torch: coef = maxNorm / (‖g‖ + 1e-6); when coef < 1 every entry is multiplied by coef. (So a
 * norm within 1e-6 below maxNorm is also scaled, by a factor just under 1, as in torch.)
 *
 * Pass all gradients that share one optimiser together: SB3's PPO clips actor and critic
 * gradients jointly.
 *
 * @returns the total norm *before* clipping (torch's return value).
 * @throws RangeError when `maxNorm` is not positive, or the norm is NaN/∞ (a diverged loss;
 *   torch would silently propagate it).
 *
 * @example
 * ```ts
 * import { clipGradNorm } from "./clip.ts";
 * const actor = new Float32Array([3, 0]), critic = new Float32Array([0, 4]);
 * const norm = clipGradNorm([actor, critic], 0.5); // 5; now actor ≈ [0.3, 0], critic ≈ [0, 0.4]
 * ```
 */
export function clipGradNorm(grads: GradVector | readonly GradVector[], maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new RangeError(`clipGradNorm: maxNorm must be a positive finite number, got ${maxNorm}`);
  }
  const norm = globalGradNorm(grads);
  if (!Number.isFinite(norm)) {
    throw new RangeError(
      `clipGradNorm: gradient norm is ${norm}; the loss or its gradient contains NaN/Inf`,
    );
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const g of isGradVector(grads) ? [grads] : grads) {
      for (let i = 0; i < g.length; i++) g[i] *= coef;
    }
  }
  return norm;
}

function isGradVector(x: GradVector | readonly GradVector[]): x is GradVector {
  return x instanceof Float32Array || x instanceof Float64Array;
}
