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
import type { ParamLayout } from "../compute/layout.ts";
import { mlpNetwork, type MlpSpec } from "../compute/network.ts";

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

/**
 * TF.js forward pass y = MLP_θ(x) for a batch `x` of shape [batch, inputDim], reading the weights
 * from the flat parameter tensor `theta` (shape [layout.size]). Differentiable with respect to
 * `theta` and `x`, including nested (second-order) gradients: tanh's gradient is the
 * second-order-safe one that importing this module installs; relu's second derivative is zero
 * almost everywhere.
 *
 * The caller owns disposal (wrap in `tf.tidy`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mlpLayout } from "../compute/network.ts";
 * import { mlpForwardTf } from "./tf_ops.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [8], outputDim: 1, activation: "tanh" } as const;
 * const layout = mlpLayout(spec);
 * const x = tf.ones([4, 3]) as tf.Tensor2D;
 * const loss = (theta: tf.Tensor) => mlpForwardTf(theta as tf.Tensor1D, layout, spec, x).square().mean();
 * const grad = tf.grad(loss)(tf.randomNormal([layout.size])); // shape [layout.size]
 * ```
 */
export function mlpForwardTf(
  theta: tf.Tensor1D,
  layout: ParamLayout,
  spec: MlpSpec,
  x: tf.Tensor2D,
): tf.Tensor2D {
  checkThetaSize(theta, layout);
  const layers = mlpNetwork({ ...spec, activateOutput: false }, layout).layers;
  if (x.rank !== 2 || x.shape[1] !== spec.inputDim) {
    throw new Error(
      `mlpForwardTf "${spec.prefix}": input has shape [${x.shape}] but [batch, ${spec.inputDim}] ` +
        `is needed`,
    );
  }
  let h: tf.Tensor2D = x;
  for (let i = 0; i < layers.length; i++) {
    const { fanIn, fanOut } = layers[i], g = layers[i].groups[0];
    const w = tf.reshape(tf.slice(theta, g.weight, fanIn * fanOut), [fanIn, fanOut]);
    const b = tf.slice(theta, g.bias, fanOut);
    h = tf.add(tf.matMul(h, w as tf.Tensor2D), b);
    if (i < layers.length - 1 || spec.activateOutput === true) {
      h = spec.activation === "tanh" ? tf.tanh(h) : tf.relu(h);
    }
  }
  return h;
}
