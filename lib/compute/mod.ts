/**
 * The compute layer: everything that evaluates networks, under both `agents/` and `subspaces/`
 * (it imports neither).
 *
 * - `network.ts`, `layout.ts`, `init.ts`: one description of an MLP family (dense layers with
 *   column groups over θ in place), its parameter blocks and SB3's initialisations, and the
 *   float64 acting path `forwardCpu`;
 * - `ops.ts`: forward, backward, gradients and the R-operator passes on any device;
 * - `heads.ts`: likelihood heads (Gaussian, squashed Gaussian; an interface for more);
 *   `gsde.ts`: gSDE's state-dependent head;
 * - `objectives/`: the policy-gradient, regression and reparameterised-actor objectives, each
 *   written once; `evaluator.ts` (values, gradients, block HVPs), `batch.ts` (mini-batches),
 *   `forward.ts` (batched outputs);
 * - `kernels.ts`: the typed kernel interface every device implements, and a recorder for
 *   kernel programs; `arena.ts`: the one allocator of device memory;
 * - devices: `wasm/` (float32 WebAssembly SIMD: assembler, one kernel module, worker pool, phase
 *   runner), `cpu/` (float64), `webgpu/` (float32 WGSL, asynchronous reads);
 * - `adam.ts`, `clip.ts`: the optimiser and gradient clipping on float64 gradients.
 *
 * @example
 * ```ts
 * import { Arena, GEMM, WasmDevice } from "./mod.ts";
 * const plan = new Arena(64);
 * const x = plan.f32(6), w = plan.f32(6), y = plan.f32(4), b = plan.f32(2);
 * const dev = new WasmDevice(plan.top);
 * dev.kernels.gemmRow(x, w, y, b, 0, 2, 2, 3, 3, 2, 2, GEMM.BIAS | GEMM.RELU); // y = relu(x·W + b)
 * ```
 *
 * @module
 */
export { LayoutBuilder, ParamLayout } from "./layout.ts";
export type { ParamBlock, ParamBlockSpec } from "./layout.ts";
export { orthogonalInit, torchDefaultLinearInit, transpose } from "./init.ts";
export type { LinearParams } from "./init.ts";
export {
  forwardCpu,
  initMlp,
  makeNetwork,
  mlpBlockSpecs,
  mlpLayerDims,
  mlpLayout,
  mlpNetwork,
  mlpNetworkWithHeads,
  mlpParamCount,
} from "./network.ts";
export type { Activation, DenseGroup, DenseLayer, MlpInit, MlpSpec, Network } from "./network.ts";
export { Adam } from "./adam.ts";
export type { AdamConfig, AdamState } from "./adam.ts";
export { clipGradNorm, globalGradNorm } from "./clip.ts";
export type { GradVector } from "./clip.ts";
export { Arena, ARENA_SLACK } from "./arena.ts";
export { GEMM, KERNEL_NAMES, ProgramRecorder } from "./kernels.ts";
export type { GemmKernel, KernelCall, KernelName, Kernels, Ptr, RealArray } from "./kernels.ts";
export { WASM_MAX_PAGES, WASM_PAGE, WasmDevice } from "./wasm/device.ts";
export type { WasmDeviceOptions } from "./wasm/device.ts";
export { programJob } from "./wasm/jobs.ts";
export { WasmThreads } from "./wasm/threads.ts";
export type { Job, JobContext, JobFactory, JobSpec, ThreadJob } from "./wasm/threads.ts";
export * as ops from "./ops.ts";
export type { ActCode, GroupPlan, InputWindow, LayerOp, LayerPlan, NetPlan, RPass } from "./ops.ts";
export * from "./heads.ts";
export * from "./gsde.ts";
export * from "./objectives/mod.ts";
export { ObjectiveEvaluator, OP } from "./evaluator.ts";
export type { EvaluatorOptions } from "./evaluator.ts";
export { BatchObjective } from "./batch.ts";
export type { BatchDevice } from "./batch.ts";
export { forwardBatch } from "./forward.ts";
export { CpuDevice } from "./cpu/device.ts";
export { PhaseRunner } from "./wasm/phases.ts";
export type { Program } from "./wasm/phases.ts";
export { hasRealGpu, webGpuAdapter, WebGpuDevice } from "./webgpu/device.ts";
export type { WebGpuDeviceOptions } from "./webgpu/device.ts";
