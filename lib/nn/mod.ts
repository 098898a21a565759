/**
 * Neural-network building blocks over flat parameter vectors: layouts, PyTorch-compatible
 * initialisers, MLP forward passes (TF.js, differentiable to second order; plain TypeScript for
 * acting), second-order-safe TF.js ops, Adam and gradient clipping.
 *
 * @example
 * ```ts
 * import { Adam, initMlp, LayoutBuilder, mlpBlockSpecs, mlpForwardCpu } from "./mod.ts";
 * import { Rng } from "../rng.ts";
 * const vf = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const critic = new LayoutBuilder().addAll(mlpBlockSpecs(vf)).build();
 * const theta = critic.zeros();
 * initMlp(theta, critic, vf, { orthoInit: true, outputGain: 1, rng: new Rng(0) });
 * const adam = new Adam(critic.size, { lr: 3e-4, eps: 1e-5 });
 * ```
 *
 * @module
 */

export { LayoutBuilder, ParamLayout } from "./layout.ts";
export type { ParamBlock, ParamBlockSpec } from "./layout.ts";
export { orthogonalInit, torchDefaultLinearInit, transpose } from "./init.ts";
export type { LinearParams } from "./init.ts";
export {
  initMlp,
  mlpBlockSpecs,
  mlpForwardCpu,
  mlpForwardTf,
  mlpLayerDims,
  mlpLayout,
  mlpParamCount,
} from "./mlp.ts";
export type { Activation, MlpInit, MlpSpec } from "./mlp.ts";
export { blockTensor, checkThetaSize } from "./tf_ops.ts";
export { Adam } from "./adam.ts";
export type { AdamConfig, AdamState } from "./adam.ts";
export { clipGradNorm, globalGradNorm } from "./clip.ts";
export type { GradVector } from "./clip.ts";
