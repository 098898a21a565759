/**
 * The fast Hessian-vector-product engine of the analysis: the compute layer's objectives and
 * evaluator (`lib/compute`) behind the analysis's operator interface. See `operator.ts`.
 *
 * @example
 * ```ts
 * import { makeActorCriticSpec } from "../../agents/mod.ts";
 * import { FastHessianOperator } from "./mod.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
 * const theta = spec.criticLayout.zeros().map((_, i) => Math.cos(i));
 * const op = new FastHessianOperator({
 *   label: "critic", theta,
 *   objective: { kind: "regression", nets: [spec.criticNet], inputs: new Float32Array(3).fill(1), targets: new Float32Array([1]), coef: 0.5, clip: null },
 * }, { threads: 1 });
 * const [h1, h2] = await op.hvpBlock([new Float64Array(op.n).fill(1), new Float64Array(op.n)]);
 * op.dispose();
 * ```
 *
 * @module
 */
export { FastHessianOperator } from "./operator.ts";
export type { FastEngineOptions } from "./operator.ts";
