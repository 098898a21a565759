/**
 * The objectives of the compute layer — each loss written once, for training updates and for the
 * subspace analysis — and their registry.
 *
 * | kind | loss | networks | used by |
 * |---|---|---|---|
 * | `policy-gradient` | SB3's clipped surrogate + entropy bonus on a likelihood head | policy | PPO actor |
 * | `regression` | κ·Σ_j mean (ŷ_j − y)², optional value clip | value / twin Q | PPO critic, SAC critic |
 * | `reparameterized` | mean[α·log π(ã) − min_j Q_j(s, ã)], critic frozen | actor (+ twin Q) | SAC actor |
 *
 * @example
 * ```ts
 * import { OBJECTIVE_RUNTIMES } from "./mod.ts";
 * Object.keys(OBJECTIVE_RUNTIMES); // ["policy-gradient", "regression", "reparameterized"]
 * ```
 *
 * @module
 */
import type { PlanContext, PlannedObjective, RuntimeFactory } from "./common.ts";
import {
  planPolicyGradient,
  policyGradientRuntime,
  type PolicyGradientSpec,
} from "./policy_gradient.ts";
import { planRegression, regressionRuntime, type RegressionSpec } from "./regression.ts";
import {
  planReparameterized,
  reparameterizedRuntime,
  type ReparameterizedSpec,
} from "./reparameterized.ts";

export * from "./common.ts";
export * from "./policy_gradient.ts";
export * from "./regression.ts";
export * from "./reparameterized.ts";

/**
 * An objective's description: network geometry, data and coefficients.
 *
 * @example
 * ```ts
 * import type { ObjectiveSpec } from "./mod.ts";
 * function kind(s: ObjectiveSpec) { return s.kind; }
 * ```
 */
export type ObjectiveSpec = PolicyGradientSpec | RegressionSpec | ReparameterizedSpec;

/**
 * Runtime factories by objective kind (every thread builds its runtime from a plan).
 *
 * @example
 * ```ts
 * import { OBJECTIVE_RUNTIMES } from "./mod.ts";
 * typeof OBJECTIVE_RUNTIMES.regression; // "function"
 * ```
 */
export const OBJECTIVE_RUNTIMES: Readonly<Record<string, RuntimeFactory>> = Object.freeze({
  "policy-gradient": policyGradientRuntime,
  "regression": regressionRuntime,
  "reparameterized": reparameterizedRuntime,
});

/**
 * Plans an objective on a device (main thread).
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { makeNetwork } from "../network.ts";
 * import { planObjective } from "./mod.ts";
 * const net = makeNetwork([{ fanIn: 2, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 2 }] }], "tanh");
 * const ctx = { fixed: new Arena(64), state: new Arena(0), scratch: new Arena(0), rows: 8, maxBlock: 1 };
 * planObjective({ kind: "regression", nets: [net], inputs: [1, 2], targets: [0], coef: 0.5, clip: null }, [0.1, 0.2, 0], ctx);
 * ```
 */
export function planObjective(
  spec: ObjectiveSpec,
  theta: ArrayLike<number>,
  ctx: PlanContext,
): PlannedObjective {
  switch (spec.kind) {
    case "policy-gradient":
      return planPolicyGradient(spec, theta, ctx);
    case "regression":
      return planRegression(spec, theta, ctx);
    case "reparameterized":
      return planReparameterized(spec, theta, ctx);
    default:
      throw new Error(`compute: unknown objective "${(spec as { kind: string }).kind}"`);
  }
}

/**
 * Samples of an objective's data set.
 *
 * @example
 * ```ts
 * import { objectiveSamples } from "./mod.ts";
 * objectiveSamples({ kind: "regression", nets: [], inputs: [], targets: [1, 2], coef: 1, clip: null }); // 2
 * ```
 */
export function objectiveSamples(spec: ObjectiveSpec): number {
  switch (spec.kind) {
    case "policy-gradient":
      return spec.advantages.length;
    case "regression":
      return spec.targets.length;
    case "reparameterized":
      return spec.obs.length / spec.net.layers[0].fanIn;
  }
}
