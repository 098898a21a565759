/**
 * The tfjs reference of the compute layer: networks and losses written as tfjs graphs over a
 * flat parameter tensor and differentiated by tfjs's autodiff (gradients by backprop, Hessian-vector
 * products by double backprop). The compute layer's engines are tested against it; it is not a
 * production path.
 *
 * Importing this module installs the runtime's second-order-safe gradients for tanh, exp,
 * sigmoid, softmax and elu (`lib/runtime/second_order_gradients.ts`): tfjs 4.22 differentiates the
 * saved outputs of those ops as constants, which makes double backprop silently wrong.
 *
 * min and clamp are written with ReLU (min(a, b) = a − relu(a − b), clamp(x, lo, hi) =
 * x − relu(x − hi) + relu(lo − x)): tfjs's `minimum` and `clipByValue` have gradients built from
 * comparisons that have no gradient themselves, so they cannot be differentiated twice.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installSecondOrderSafeGradients } from "../../lib/runtime/second_order_gradients.ts";
import type { ParamLayout } from "../../lib/compute/layout.ts";
import { mlpNetwork, type MlpSpec, type Network } from "../../lib/compute/network.ts";

installSecondOrderSafeGradients();

/** Block `name` of θ, sliced and reshaped to the block's shape (differentiable). */
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
 * y = net_θ(x) for a batch x [batch, inputDim]: each layer's column groups sliced from θ and
 * concatenated, the hidden activation after every layer but the last.
 */
export function networkForwardTf(theta: tf.Tensor1D, net: Network, x: tf.Tensor2D): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  net.layers.forEach((l, i) => {
    const parts = l.groups.map((g) => {
      const w = tf.reshape(tf.slice(theta, g.weight, l.fanIn * g.width), [l.fanIn, g.width]);
      return tf.add(tf.matMul(h, w as tf.Tensor2D), tf.slice(theta, g.bias, g.width));
    });
    h = (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
    if (i < net.layers.length - 1) h = net.activation === "tanh" ? tf.tanh(h) : tf.relu(h);
  });
  return h;
}

/**
 * y = MLP_θ(x) for an MLP spec whose blocks live in `layout` (with `activateOutput`, the output
 * is activated too).
 */
export function mlpForwardTf(
  theta: tf.Tensor1D,
  layout: ParamLayout,
  spec: MlpSpec,
  x: tf.Tensor2D,
): tf.Tensor2D {
  checkThetaSize(theta, layout);
  if (x.rank !== 2 || x.shape[1] !== spec.inputDim) {
    throw new Error(
      `mlpForwardTf "${spec.prefix}": input has shape [${x.shape}] but [batch, ${spec.inputDim}] ` +
        `is needed`,
    );
  }
  const y = networkForwardTf(theta, mlpNetwork({ ...spec, activateOutput: false }, layout), x);
  if (!spec.activateOutput) return y;
  return spec.activation === "tanh" ? tf.tanh(y) : tf.relu(y);
}

// Identity forward, zero gradient.
const stopGradientOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** x in the forward pass, no gradient flows back (torch's `detach()`). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/** min(a, b) = a − relu(a − b), differentiable to any order (gradient to a at a tie). */
export function minTf<T extends tf.Tensor>(a: T, b: T): T {
  return tf.sub(a, tf.relu(tf.sub(a, b))) as T;
}

/** clamp(x, lo, hi) = x − relu(x − hi) + relu(lo − x), differentiable to any order. */
export function clampTf<T extends tf.Tensor>(x: T, lo: number, hi: number): T {
  return tf.add(tf.sub(x, tf.relu(tf.sub(x, hi))), tf.relu(tf.sub(lo, x))) as T;
}

/**
 * Runs fn in a tfjs scope that disposes every tensor it made; fn returns plain JS values.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { scoped } from "./tfjs.ts";
 * const sum = scoped(() => tf.tensor1d([1, 2]).sum().dataSync()[0]); // 3, no tensor left
 * ```
 */
export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
