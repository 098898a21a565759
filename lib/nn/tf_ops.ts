/**
 * TF.js helpers for networks written functionally over a flat parameter tensor.
 *
 * Every network built here is differentiated twice (Hessian-vector products), so importing this
 * module installs the runtime's second-order-safe gradients for tanh, exp, sigmoid, softmax and
 * elu (see `lib/runtime/second_order_gradients.ts`): plain `tf.tanh` and `tf.exp` then have exact
 * second derivatives even where `initRuntime` was not called.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { installSecondOrderSafeGradients } from "../runtime/second_order_gradients.ts";
import type { ParamLayout } from "./layout.ts";

installSecondOrderSafeGradients();

/**
 * Block `name` of the flat parameter tensor `theta`, sliced and reshaped to the block's shape.
 * Differentiable (to any order) with respect to `theta`.
 *
 * @throws Error when `theta` does not have the layout's size, or the block does not exist.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { LayoutBuilder } from "./layout.ts";
 * import { blockTensor } from "./tf_ops.ts";
 * const layout = new LayoutBuilder().add("w", [2, 2]).add("log_std", [2]).build();
 * const theta = tf.tensor1d(layout.zeros());
 * const logStd = blockTensor(theta, layout, "log_std"); // shape [2]
 * ```
 */
export function blockTensor(theta: tf.Tensor1D, layout: ParamLayout, name: string): tf.Tensor {
  checkThetaSize(theta, layout);
  const b = layout.block(name);
  const flat = tf.slice(theta, b.offset, b.size);
  return b.shape.length === 1 ? flat : tf.reshape(flat, [...b.shape]);
}

/** Throws a clear error when `theta` is not a rank-1 tensor of the layout's size. */
export function checkThetaSize(theta: tf.Tensor, layout: ParamLayout): void {
  if (theta.rank !== 1 || theta.size !== layout.size) {
    throw new Error(
      `parameter tensor has shape [${theta.shape}] but the layout needs a rank-1 tensor of ` +
        `${layout.size} elements; build it with tf.tensor1d(flatParams)`,
    );
  }
}
