/**
 * TF.js helpers for networks written functionally over a flat parameter tensor.
 *
 * **Second-order-safe elementwise ops.** In tfjs-core 4.22, ops whose gradient reuses the op's
 * *output* (`tf.tanh`, `tf.exp`, `tf.sigmoid`, also `elu`, `softmax`, `logSoftmax`) give wrong
 * or missing *second* derivatives under nested `tf.grad`: the engine saves a clone of the output
 * and records that clone on the tape *before* the op itself, so the tape never links the clone
 * to the op's input and the dependency is dropped. Depending on the graph this throws "Cannot
 * compute gradient of y=f(x)" or silently returns a wrong Hessian-vector product (e.g. d²/dx²
 * of `1 − 2/(exp(2x)+1)` comes out as −2.18 instead of −0.197 at x = 0.1).
 *
 * The versions here are `tf.customGrad` ops that save only their *input* and recompute the
 * derivative from it, so first and second derivatives are exact (third ones are not needed and
 * not supported). Use them in every loss that is differentiated twice (HVPs, Lanczos).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { ParamLayout } from "./layout.ts";

/**
 * A unary customGrad op f whose backward pass is dy·f'(x), with f' recomputed from the saved
 * *input* x (never from the saved output; see the module doc).
 */
function unaryOpSavingInput(
  forward: (x: tf.Tensor) => tf.Tensor,
  derivative: (x: tf.Tensor) => tf.Tensor,
): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([x]);
    return {
      value: forward(x),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, derivative(saved[0])),
    };
  });
  return (x) => op(x);
}

const tanhOp = unaryOpSavingInput(tf.tanh, (x) => tf.sub(1, tf.square(tf.tanh(x))));
const expOp = unaryOpSavingInput(tf.exp, tf.exp);
const sigmoidOp = unaryOpSavingInput(tf.sigmoid, (x) => {
  const s = tf.sigmoid(x);
  return tf.mul(s, tf.sub(1, s));
});

/**
 * tanh with exact first and second derivatives under nested gradients (d/dx = 1 − tanh²x).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { secondOrderTanh } from "./tf_ops.ts";
 * const d2 = tf.grad((x: tf.Tensor) => tf.grad((y: tf.Tensor) => secondOrderTanh(y).sum())(x).sum());
 * d2(tf.tensor1d([0.1])).print(); // −2·tanh(0.1)·(1 − tanh²(0.1)) ≈ −0.1974
 * ```
 */
export function secondOrderTanh<T extends tf.Tensor>(x: T): T {
  return tanhOp(x) as T;
}

/**
 * exp with exact first and second derivatives under nested gradients (d/dx = exp x).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { secondOrderExp } from "./tf_ops.ts";
 * const std = secondOrderExp(tf.tensor1d([0, -2])); // [1, e^-2]
 * ```
 */
export function secondOrderExp<T extends tf.Tensor>(x: T): T {
  return expOp(x) as T;
}

/**
 * Logistic sigmoid with exact first and second derivatives under nested gradients
 * (d/dx = σ(x)(1 − σ(x))).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { secondOrderSigmoid } from "./tf_ops.ts";
 * secondOrderSigmoid(tf.tensor1d([0])).print(); // 0.5
 * ```
 */
export function secondOrderSigmoid<T extends tf.Tensor>(x: T): T {
  return sigmoidOp(x) as T;
}

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
