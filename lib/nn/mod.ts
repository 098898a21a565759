/**
 * TF.js helpers over flat parameter tensors (differentiable to second order). Transitional: the
 * networks themselves are described by `lib/compute`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mlpForwardTf } from "./mod.ts";
 * import { mlpLayout } from "../compute/network.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [8], outputDim: 1, activation: "tanh" } as const;
 * const y = mlpForwardTf(tf.tensor1d(mlpLayout(spec).zeros()), mlpLayout(spec), spec, tf.ones([2, 3]));
 * ```
 *
 * @module
 */
export { blockTensor, checkThetaSize, mlpForwardTf } from "./tf_ops.ts";
