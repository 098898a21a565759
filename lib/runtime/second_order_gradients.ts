/**
 * Second-order-safe gradients for tfjs 4.22.
 *
 * tfjs registers the gradients of Tanh, Exp, Sigmoid, Softmax and Elu in terms of the
 * op's *saved output* y (e.g. d tanh = dy·(1 − y²)). When a gradient is differentiated again
 * (double backprop, as in a Hessian-vector product), the saved output is a detached clone, so the
 * second derivative silently misses every term that flows through y: a Gaussian-policy HVP comes
 * out several percent off and stays symmetric, so a symmetry check does not catch it.
 *
 * `tf.logSoftmax` is a `customGrad` op, not a kernel: its gradient cannot be differentiated again
 * at all (tfjs throws "Cannot compute gradient"), so second-order code uses `tf.log(tf.softmax(x))`.
 *
 * The gradients registered here recompute the same quantities from the saved *input* x, with
 * ordinary differentiable ops, so nested `tf.grad` calls see the whole dependency on x. First-order
 * results are unchanged (the same formula evaluated on the same value); the cost is one extra
 * elementwise op per backward pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type Attrs = Record<string, unknown>;

/** The kernels whose gradients {@linkcode installSecondOrderSafeGradients} replaces. */
export const SECOND_ORDER_SAFE_KERNELS = [
  "Tanh",
  "Exp",
  "Sigmoid",
  "Softmax",
  "Elu",
] as const;

const configs: tf.GradConfig[] = [
  {
    kernelName: "Tanh",
    inputsToSave: ["x"],
    // d tanh(x)/dx = 1 − tanh(x)², with tanh recomputed from x.
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
    },
  },
  {
    kernelName: "Exp",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x)) };
    },
  },
  {
    kernelName: "Sigmoid",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return {
        x: () => {
          const s = tf.sigmoid(x);
          return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
        },
      };
    },
  },
  {
    kernelName: "Softmax",
    inputsToSave: ["logits"],
    // J·dy for y = softmax(x): y ⊙ (dy − Σ dy ⊙ y).
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved;
      const dim = (attrs as Attrs).dim as number;
      return {
        logits: () => {
          const y = tf.softmax(logits, dim);
          const dyTimesY = tf.mul(dy as tf.Tensor, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  },
  {
    kernelName: "Elu",
    inputsToSave: ["x"],
    // d elu(x)/dx = exp(min(x, 0)) (1 for x > 0); min(x, 0) = −relu(−x) keeps it differentiable,
    // whereas tfjs's EluGrad kernel and comparison masks have no gradient.
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(tf.neg(tf.relu(tf.neg(x))))) };
    },
  },
];

/**
 * Comparison and logical kernels are piecewise constant, so their derivative is zero almost
 * everywhere; tfjs registers no gradient for them. The gradients of `clipByValue`, `minimum`,
 * `maximum`, `relu6` and `where` build masks with these kernels, so a second derivative through
 * those ops reaches them and tfjs throws "gradient function not found". Registering the zero
 * gradient makes clamps and element-wise min/max twice differentiable (exactly, away from ties).
 */
export const PIECEWISE_CONSTANT_KERNELS = [
  "Greater",
  "GreaterEqual",
  "Less",
  "LessEqual",
  "Equal",
  "NotEqual",
  "LogicalAnd",
  "LogicalOr",
] as const;

const zeroGradients: tf.GradConfig[] = PIECEWISE_CONSTANT_KERNELS.map((kernelName) => ({
  kernelName,
  inputsToSave: ["a", "b"],
  gradFunc: (_dy, saved) => {
    const [a, b] = saved;
    // tfjs requires float32 gradients, also for boolean inputs of the logical kernels.
    return { a: () => tf.zeros(a.shape, "float32"), b: () => tf.zeros(b.shape, "float32") };
  },
}));

let installed = false;

/**
 * Re-registers the gradients of {@linkcode SECOND_ORDER_SAFE_KERNELS} in terms of their saved
 * inputs, and registers zero gradients for {@linkcode PIECEWISE_CONSTANT_KERNELS}, so that
 * Hessian-vector products by double backprop are exact (also through clamps and min/max).
 * Idempotent; applies to every backend (gradients are backend-independent in tfjs).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { installSecondOrderSafeGradients } from "./second_order_gradients.ts";
 * installSecondOrderSafeGradients();
 * const f = (x: tf.Tensor) => tf.sum(tf.tanh(x));
 * const second = tf.grad((x: tf.Tensor) => tf.sum(tf.grad(f)(x))); // d²/dx² tanh, now exact
 * second(tf.tensor1d([0.3])).print();
 * ```
 */
export function installSecondOrderSafeGradients(): void {
  if (installed) return;
  for (const config of [...configs, ...zeroGradients]) tf.registerGradient(config);
  installed = true;
}
