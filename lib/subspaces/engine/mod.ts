/**
 * The fast Hessian-vector-product engine: Pearlmutter's R-operator fused per layer for the
 * networks and losses of the paper (PPO actor/critic, SAC actor/critic), on WebAssembly-SIMD
 * kernels, chunked, with block HVPs and two threads. See `operator.ts`.
 *
 * @example
 * ```ts
 * import { makeActorCriticSpec } from "../../agents/ppo/policy.ts";
 * import { FastHessianOperator, mlpNetBlocks } from "./mod.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
 * const theta = spec.criticLayout.zeros().map((_, i) => Math.cos(i));
 * const op = new FastHessianOperator({
 *   label: "critic", theta,
 *   fast: { kind: "ppo-critic", net: mlpNetBlocks(spec.vf, spec.criticLayout), obs: new Float32Array(3).fill(1), returns: new Float32Array([1]), vfCoef: 0.5 },
 * }, { threads: 1 });
 * const [h1, h2] = await op.hvpBlock([new Float64Array(op.n).fill(1), new Float64Array(op.n)]);
 * op.dispose();
 * ```
 *
 * @module
 */
export { FastHessianOperator } from "./operator.ts";
export type { FastEngineOptions, FastLossSpec } from "./operator.ts";
export type { PpoActorEngineSpec, PpoCriticEngineSpec } from "./ppo.ts";
export type { SacActorEngineSpec, SacCriticEngineSpec } from "./sac.ts";
export { mlpNetBlocks, sacActorNetBlocks } from "./mlp.ts";
export type { LayerBlocks, NetBlocks } from "./mlp.ts";
