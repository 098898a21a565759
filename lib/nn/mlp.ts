/**
 * Multi-layer perceptrons over a flat parameter vector.
 *
 * An MLP with spec `{ prefix, inputDim, hidden: [h1, …, hL], outputDim }` has L+1 linear layers
 * i = 0..L with widths inputDim → h1 → … → hL → outputDim. Layer i owns two blocks, stored in this
 * order: `"<prefix>.<i>.weight"` with shape [in, out] (row-major, so y = x·W + b) and
 * `"<prefix>.<i>.bias"` with shape [out]. The activation follows every layer except the last
 * (unless `activateOutput` is set, for a latent network that feeds several heads).
 *
 * Compared with a torch `nn.Linear`, our W is torch's `weight.T`; layer i corresponds to SB3's
 * `Sequential` index 2i (activations sit at the odd indices).
 *
 * Two forward passes read the same vector:
 * - {@link mlpForwardTf}: TF.js, differentiable to second order with respect to θ (for losses,
 *   gradients and Hessian-vector products);
 * - {@link mlpForwardCpu}: plain TypeScript for acting in rollouts (no tensors, no allocation).
 *
 * @example
 * ```ts
 * import { LayoutBuilder, mlpBlockSpecs, initMlp, mlpForwardCpu } from "./mod.ts";
 * import { Rng } from "../rng.ts";
 * // SB3 PPO actor for Pendulum: pi MLP 3→64→64→1 (last layer = action head) + log_std.
 * const pi = { prefix: "pi", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = new LayoutBuilder().addAll(mlpBlockSpecs(pi)).add("log_std", [1]).build();
 * const theta = layout.zeros();
 * initMlp(theta, layout, pi, { orthoInit: true, outputGain: 0.01, rng: new Rng(0) });
 * const mean = mlpForwardCpu(theta, layout, pi, new Float32Array([1, 0, 0]), 1);
 * ```
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../rng.ts";
import { orthogonalInit, torchDefaultLinearInit } from "./init.ts";
import { ParamLayout } from "./layout.ts";
import type { ParamBlockSpec } from "./layout.ts";
import { checkThetaSize } from "./tf_ops.ts";

/** Hidden-layer nonlinearity. */
export type Activation = "tanh" | "relu";

/** Architecture of one MLP and where its blocks live in a layout. */
export interface MlpSpec {
  /** Block-name prefix: layer i owns `"<prefix>.<i>.weight"` and `"<prefix>.<i>.bias"`. */
  readonly prefix: string;
  /** Input width (observation size, or obs + action size for a Q-network). */
  readonly inputDim: number;
  /** Hidden widths in order, e.g. [64, 64]; empty for a single linear layer. */
  readonly hidden: readonly number[];
  /** Output width (action size for a mean head, 1 for a value or Q head). */
  readonly outputDim: number;
  /** Nonlinearity after each hidden layer. */
  readonly activation: Activation;
  /** Also apply the activation after the last layer (latent nets feeding heads). Default false. */
  readonly activateOutput?: boolean;
}

/**
 * Checks an MLP spec and returns its layer widths as [in, out] pairs.
 *
 * @example
 * ```ts
 * import { mlpLayerDims } from "./mlp.ts";
 * mlpLayerDims({ prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" });
 * // [[3, 64], [64, 64], [64, 1]]
 * ```
 */
export function mlpLayerDims(spec: MlpSpec): [number, number][] {
  if (typeof spec.prefix !== "string" || spec.prefix.length === 0) {
    throw new Error('MlpSpec.prefix must be a non-empty string such as "pi" or "qf0"');
  }
  const widths = [spec.inputDim, ...spec.hidden, spec.outputDim];
  for (const w of widths) {
    if (!Number.isInteger(w) || w < 1) {
      throw new Error(
        `MlpSpec "${spec.prefix}": widths must be positive integers, got ` +
          `inputDim ${spec.inputDim}, hidden [${spec.hidden}], outputDim ${spec.outputDim}`,
      );
    }
  }
  if (spec.activation !== "tanh" && spec.activation !== "relu") {
    throw new Error(
      `MlpSpec "${spec.prefix}": activation must be "tanh" or "relu", got "${spec.activation}"`,
    );
  }
  const dims: [number, number][] = [];
  for (let i = 0; i + 1 < widths.length; i++) dims.push([widths[i], widths[i + 1]]);
  return dims;
}

/**
 * The blocks of one MLP in storage order: weight then bias for each layer.
 *
 * @example
 * ```ts
 * import { mlpBlockSpecs } from "./mlp.ts";
 * mlpBlockSpecs({ prefix: "qf0", inputDim: 4, hidden: [256], outputDim: 1, activation: "relu" })
 *   .map((b) => b.name); // ["qf0.0.weight", "qf0.0.bias", "qf0.1.weight", "qf0.1.bias"]
 * ```
 */
export function mlpBlockSpecs(spec: MlpSpec): ParamBlockSpec[] {
  return mlpLayerDims(spec).flatMap(([fanIn, fanOut], i) => [
    { name: `${spec.prefix}.${i}.weight`, shape: [fanIn, fanOut] },
    { name: `${spec.prefix}.${i}.bias`, shape: [fanOut] },
  ]);
}

/**
 * Number of parameters (weights and biases) of one MLP: Σ_i (in_i + 1)·out_i.
 *
 * @example
 * ```ts
 * import { mlpParamCount } from "./mlp.ts";
 * mlpParamCount({ prefix: "vf", inputDim: 17, hidden: [64, 64], outputDim: 1, activation: "tanh" }); // 5377
 * ```
 */
export function mlpParamCount(spec: MlpSpec): number {
  return mlpLayerDims(spec).reduce((n, [fanIn, fanOut]) => n + (fanIn + 1) * fanOut, 0);
}

/**
 * A layout holding just this MLP.
 *
 * @example
 * ```ts
 * import { mlpLayout } from "./mlp.ts";
 * const layout = mlpLayout({ prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" });
 * layout.size; // 4481
 * ```
 */
export function mlpLayout(spec: MlpSpec): ParamLayout {
  return new ParamLayout(mlpBlockSpecs(spec));
}

/** Resolved layer geometry of one MLP inside one layout. */
interface MlpPlan {
  layout: ParamLayout;
  inDims: Int32Array;
  outDims: Int32Array;
  weightOffsets: Int32Array;
  biasOffsets: Int32Array;
  /** 1 when layer i is followed by the activation. */
  activated: Uint8Array;
  maxWidth: number;
}

// Plans are cached per spec object (specs are treated as immutable), so the acting path does not
// build block-name strings or look them up on every call.
const planCache = new WeakMap<MlpSpec, MlpPlan>();

function mlpPlan(layout: ParamLayout, spec: MlpSpec): MlpPlan {
  const cached = planCache.get(spec);
  if (cached !== undefined && cached.layout === layout) return cached;
  const dims = mlpLayerDims(spec);
  const n = dims.length;
  const plan: MlpPlan = {
    layout,
    inDims: new Int32Array(n),
    outDims: new Int32Array(n),
    weightOffsets: new Int32Array(n),
    biasOffsets: new Int32Array(n),
    activated: new Uint8Array(n),
    maxWidth: 0,
  };
  dims.forEach(([fanIn, fanOut], i) => {
    const w = layout.block(`${spec.prefix}.${i}.weight`);
    const b = layout.block(`${spec.prefix}.${i}.bias`);
    if (w.shape.length !== 2 || w.shape[0] !== fanIn || w.shape[1] !== fanOut) {
      throw new Error(
        `block "${w.name}" has shape [${w.shape}] but MlpSpec "${spec.prefix}" needs ` +
          `[${fanIn}, ${fanOut}]; build the layout from mlpBlockSpecs(spec)`,
      );
    }
    if (b.shape.length !== 1 || b.shape[0] !== fanOut) {
      throw new Error(
        `block "${b.name}" has shape [${b.shape}] but MlpSpec "${spec.prefix}" needs ` +
          `[${fanOut}]; build the layout from mlpBlockSpecs(spec)`,
      );
    }
    plan.inDims[i] = fanIn;
    plan.outDims[i] = fanOut;
    plan.weightOffsets[i] = w.offset;
    plan.biasOffsets[i] = b.offset;
    plan.activated[i] = i < n - 1 || spec.activateOutput === true ? 1 : 0;
    plan.maxWidth = Math.max(plan.maxWidth, fanIn, fanOut);
  });
  planCache.set(spec, plan);
  return plan;
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
 * import { mlpLayout, mlpForwardTf } from "./mlp.ts";
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
  const plan = mlpPlan(layout, spec);
  if (x.rank !== 2 || x.shape[1] !== spec.inputDim) {
    throw new Error(
      `mlpForwardTf "${spec.prefix}": input has shape [${x.shape}] but [batch, ${spec.inputDim}] ` +
        `is needed`,
    );
  }
  let h: tf.Tensor2D = x;
  for (let i = 0; i < plan.inDims.length; i++) {
    const fanIn = plan.inDims[i], fanOut = plan.outDims[i];
    const w = tf.reshape(tf.slice(theta, plan.weightOffsets[i], fanIn * fanOut), [fanIn, fanOut]);
    const b = tf.slice(theta, plan.biasOffsets[i], fanOut);
    h = tf.add(tf.matMul(h, w as tf.Tensor2D), b);
    if (plan.activated[i] === 1) {
      h = spec.activation === "tanh" ? tf.tanh(h) : tf.relu(h);
    }
  }
  return h;
}

// Two ping-pong float64 buffers for hidden activations, grown on demand. JavaScript runs one
// call at a time, so sharing them between calls is safe and keeps the acting path allocation-free.
let scratchA = new Float64Array(256);
let scratchB = new Float64Array(256);

/**
 * Plain-TypeScript forward pass for a batch of `batch` inputs stored row-major in `x`
 * (length batch·inputDim). Writes batch·outputDim outputs, row-major, into `out` (allocated when
 * omitted) and returns it.
 *
 * Precision: each dot product is accumulated in **float64** (float32 weights times float64
 * activations, summed as JavaScript numbers), hidden activations are kept in float64, and only
 * the outputs are rounded to float32. It therefore agrees with the float32 TF.js pass to about
 * float32 rounding (≈1e-6 relative), and is slightly more accurate than it.
 *
 * A NaN/±Inf output throws (it means diverged parameters or a bad observation).
 *
 * Speed: no allocation when `out` is given (after the first call with a given width); layer
 * geometry is cached per spec object.
 *
 * @example
 * ```ts
 * import { mlpLayout, mlpForwardCpu } from "./mlp.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = mlpLayout(spec);
 * const theta = layout.zeros();
 * const value = new Float32Array(1);
 * mlpForwardCpu(theta, layout, spec, new Float32Array([1, 0, 0.5]), 1, value);
 * ```
 */
export function mlpForwardCpu(
  params: Float32Array,
  layout: ParamLayout,
  spec: MlpSpec,
  x: Float32Array,
  batch: number,
  out?: Float32Array,
): Float32Array {
  const plan = mlpPlan(layout, spec);
  const inputDim = spec.inputDim, outputDim = spec.outputDim;
  if (params.length !== layout.size) {
    throw new Error(
      `mlpForwardCpu "${spec.prefix}": parameter vector has length ${params.length} but the ` +
        `layout has ${layout.size}`,
    );
  }
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * inputDim) {
    throw new Error(
      `mlpForwardCpu "${spec.prefix}": input has length ${x.length} but batch ${batch} × ` +
        `inputDim ${inputDim} = ${batch * inputDim} was declared`,
    );
  }
  const y = out ?? new Float32Array(batch * outputDim);
  if (y.length !== batch * outputDim) {
    throw new Error(
      `mlpForwardCpu "${spec.prefix}": output buffer has length ${y.length} but batch ${batch} ` +
        `× outputDim ${outputDim} = ${batch * outputDim} is needed`,
    );
  }
  if (scratchA.length < plan.maxWidth) {
    scratchA = new Float64Array(plan.maxWidth);
    scratchB = new Float64Array(plan.maxWidth);
  }
  const nLayers = plan.inDims.length;
  const useTanh = spec.activation === "tanh";
  for (let s = 0; s < batch; s++) {
    let h = scratchA, next = scratchB;
    const xOff = s * inputDim;
    for (let i = 0; i < inputDim; i++) h[i] = x[xOff + i];
    for (let l = 0; l < nLayers; l++) {
      const fanIn = plan.inDims[l], fanOut = plan.outDims[l];
      const wOff = plan.weightOffsets[l], bOff = plan.biasOffsets[l];
      // next[j] = b[j] + Σ_i h[i]·W[i, j], four outputs at a time so the four running sums stay
      // in registers and each weight row is read contiguously (≈1.5× faster than one at a time).
      let j = 0;
      for (; j + 3 < fanOut; j += 4) {
        let a0 = params[bOff + j], a1 = params[bOff + j + 1];
        let a2 = params[bOff + j + 2], a3 = params[bOff + j + 3];
        for (let i = 0, r = wOff + j; i < fanIn; i++, r += fanOut) {
          const hi = h[i];
          a0 += hi * params[r];
          a1 += hi * params[r + 1];
          a2 += hi * params[r + 2];
          a3 += hi * params[r + 3];
        }
        next[j] = a0;
        next[j + 1] = a1;
        next[j + 2] = a2;
        next[j + 3] = a3;
      }
      for (; j < fanOut; j++) {
        let a = params[bOff + j];
        for (let i = 0, r = wOff + j; i < fanIn; i++, r += fanOut) a += h[i] * params[r];
        next[j] = a;
      }
      if (plan.activated[l] === 1) {
        if (useTanh) {
          for (let j = 0; j < fanOut; j++) next[j] = Math.tanh(next[j]);
        } else {
          for (let j = 0; j < fanOut; j++) if (next[j] < 0) next[j] = 0;
        }
      }
      const t = h;
      h = next;
      next = t;
    }
    const yOff = s * outputDim;
    for (let j = 0; j < outputDim; j++) {
      if (!Number.isFinite(h[j])) {
        throw new Error(
          `mlpForwardCpu "${spec.prefix}": output ${j} of sample ${s} is ${h[j]}; the ` +
            `parameters or the input contain NaN/Inf or overflow (check the loss and observations)`,
        );
      }
      y[yOff + j] = h[j];
    }
  }
  return y;
}

/** How to initialise an MLP. */
export type MlpInit =
  | {
    /** SB3 `ortho_init=True`: orthogonal weights, zero biases. */
    orthoInit: true;
    /** Gain of every layer but the last (SB3: √2, the default). */
    hiddenGain?: number;
    /** Gain of the last layer (SB3: 0.01 action head, 1 value head, √2 latent net). */
    outputGain: number;
    /** Random source. */
    rng: Rng;
  }
  | {
    /** PyTorch nn.Linear default: weights and biases ~ U(±1/√fan_in) (SB3 SAC, rl-zoo PPO). */
    orthoInit: false;
    /** Random source. */
    rng: Rng;
  };

/**
 * Initialises the blocks of one MLP inside `params` (other blocks are left untouched), layer by
 * layer in storage order.
 *
 * - `orthoInit: true` (SB3 PPO): W_i = orthogonal_(gain_i) drawn in torch's (out, in) shape and
 *   stored transposed; gain_i = hiddenGain (default √2) for all but the last layer, outputGain for
 *   the last; biases 0.
 * - `orthoInit: false` (SB3 SAC): {@link torchDefaultLinearInit} per layer.
 *
 * @example
 * ```ts
 * import { initMlp, mlpLayout } from "./mlp.ts";
 * import { Rng } from "../rng.ts";
 * const vf = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = mlpLayout(vf);
 * const theta = layout.zeros();
 * initMlp(theta, layout, vf, { orthoInit: true, outputGain: 1, rng: new Rng(1) });
 * ```
 */
export function initMlp(
  params: Float32Array,
  layout: ParamLayout,
  spec: MlpSpec,
  init: MlpInit,
): void {
  const plan = mlpPlan(layout, spec);
  if (params.length !== layout.size) {
    throw new Error(
      `initMlp "${spec.prefix}": parameter vector has length ${params.length} but the layout ` +
        `has ${layout.size}`,
    );
  }
  const nLayers = plan.inDims.length;
  for (let l = 0; l < nLayers; l++) {
    const fanIn = plan.inDims[l], fanOut = plan.outDims[l];
    const wOff = plan.weightOffsets[l], bOff = plan.biasOffsets[l];
    if (init.orthoInit) {
      const gain = l < nLayers - 1 ? init.hiddenGain ?? Math.SQRT2 : init.outputGain;
      const torchWeight = orthogonalInit(fanOut, fanIn, gain, init.rng); // (out, in)
      for (let o = 0; o < fanOut; o++) {
        for (let i = 0; i < fanIn; i++) params[wOff + i * fanOut + o] = torchWeight[o * fanIn + i];
      }
      params.fill(0, bOff, bOff + fanOut);
    } else {
      const { weight, bias } = torchDefaultLinearInit(fanIn, fanOut, init.rng);
      params.set(weight, wOff);
      params.set(bias, bOff);
    }
  }
}
