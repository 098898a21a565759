/**
 * The algorithm-independent contract between the analysis pipeline and an RL algorithm
 * (paper notes §4.2, §5): which networks there are, and each network's loss on the data of the
 * "precise" and the "mini-batch" estimate, as {@linkcode ChunkedLoss}es.
 *
 * An algorithm plugs in by implementing {@linkcode AnalysisAlgorithm}: `prepare` turns a
 * checkpoint's agent state into a {@linkcode CheckpointProblem} (collecting rollouts for PPO,
 * reading the replay buffer for SAC); the pipeline then only asks for losses:
 *
 * | quantity | loss |
 * |---|---|
 * | precise Hessian, precise gradient | `loss(net, "precise")` |
 * | mini-batch Hessian | `loss(net, "minibatch")` (the union of the mini-batches) |
 * | mini-batch gradients (S_frac averaged over them) | `miniBatchLoss(net, i)`, i < `miniBatchCount` |
 *
 * @module
 */
import type { ChunkedLoss } from "./hvp.ts";

/**
 * A network whose Hessian is analysed (never both at once: cross terms are not used).
 *
 * @example
 * ```ts
 * import type { NetworkName } from "./estimators.ts";
 * const nets: NetworkName[] = ["actor", "critic"];
 * ```
 */
export type NetworkName = "actor" | "critic";

/**
 * Which data a gradient or Hessian is estimated from.
 *
 * @example
 * ```ts
 * import type { DataEstimator } from "./estimators.ts";
 * const hessianData: DataEstimator = "precise";
 * ```
 */
export type DataEstimator = "precise" | "minibatch";

/**
 * A (gradient, Hessian) estimator pair, keyed `<gradient>/<hessian>`.
 *
 * @example
 * ```ts
 * import { ESTIMATOR_COMBINATIONS, type EstimatorCombination } from "./estimators.ts";
 * const plotted: EstimatorCombination[] = ESTIMATOR_COMBINATIONS.slice(0, 3);
 * ```
 */
export interface EstimatorCombination {
  /** `<gradient>/<hessian>`, e.g. `minibatch/precise`: the `estimator` of result rows. */
  key: `${DataEstimator}/${DataEstimator}`;
  /** Data of the gradient. */
  gradient: DataEstimator;
  /** Data of the Hessian (whose top eigenvectors span P_k). */
  hessian: DataEstimator;
  /** The paper's legend (Fig. 2), or a note that it is logged only. */
  legend: string;
}

/**
 * The four estimator combinations of §4.2, the three plotted in the paper first.
 *
 * @example
 * ```ts
 * import { ESTIMATOR_COMBINATIONS } from "./estimators.ts";
 * ESTIMATOR_COMBINATIONS.map((c) => c.key);
 * // ["precise/precise", "minibatch/precise", "minibatch/minibatch", "precise/minibatch"]
 * ```
 */
export const ESTIMATOR_COMBINATIONS: readonly EstimatorCombination[] = Object.freeze(
  [
    {
      key: "precise/precise",
      gradient: "precise",
      hessian: "precise",
      legend: "Precise gradient, precise Hessian",
    },
    {
      key: "minibatch/precise",
      gradient: "minibatch",
      hessian: "precise",
      legend: "Mini-batch gradient, precise Hessian",
    },
    {
      key: "minibatch/minibatch",
      gradient: "minibatch",
      hessian: "minibatch",
      legend: "Mini-batch gradient, mini-batch Hessian",
    },
    {
      key: "precise/minibatch",
      gradient: "precise",
      hessian: "minibatch",
      legend: "Precise gradient, mini-batch Hessian (logged by the paper's code, not plotted)",
    },
  ] as const,
);

/**
 * Where the paper's code has a known quirk, the correct behaviour is the default and the quirk is
 * available behind these switches (all default false).
 *
 * @example
 * ```ts
 * import type { EstimatorQuirks } from "./estimators.ts";
 * const asInThePapersCode: EstimatorQuirks = { ppoMiniBatchDefaultGae: true, sacActorDetachQ: true };
 * ```
 */
export interface EstimatorQuirks {
  /**
   * §5.2: the reference builds the PPO mini-batch rollout buffer without the agent's γ/λ, so its
   * GAE uses SB3's defaults γ = 0.99, λ = 1 (the time-out bootstrap still uses the agent's γ).
   */
  ppoMiniBatchDefaultGae?: boolean;
  /**
   * §3.2: before 2024-02-27 the reference computed the Q term of the SAC actor loss under
   * `no_grad`, so the actor gradient/Hessian contained only the entropy term α·log π.
   */
  sacActorDetachQ?: boolean;
}

/**
 * Data settings shared by all algorithms.
 *
 * @example
 * ```ts
 * import type { EstimatorSettings } from "./estimators.ts";
 * const s: EstimatorSettings = { preciseSamples: 1_000_000, chunkSize: 8192, seed: 0, quirks: {} };
 * ```
 */
export interface EstimatorSettings {
  /**
   * PPO: fresh on-policy samples of the precise estimate (paper 10⁶). SAC: an upper bound on the
   * replay-buffer transitions used (uniform subsample; ≥ the buffer size means the whole buffer,
   * as in the paper).
   */
  preciseSamples: number;
  /** Samples per tfjs chunk (memory/speed only; results agree to float32 rounding). */
  chunkSize: number;
  /** Seed of everything random in the analysis (rollouts, mini-batch split, SAC noise). */
  seed: number;
  /** Opt-in reproductions of the reference code's quirks. */
  quirks: EstimatorQuirks;
}

/**
 * The analysis data of one checkpoint of one run: losses per network and estimator.
 *
 * @example
 * ```ts
 * import type { CheckpointProblem } from "./estimators.ts";
 * import { HessianOperator } from "./hvp.ts";
 * async function preciseGradientNorm(p: CheckpointProblem): Promise<number> {
 *   const loss = p.loss("critic", "precise");
 *   const op = new HessianOperator(loss);
 *   try {
 *     return Math.hypot(...await op.gradient());
 *   } finally {
 *     op.dispose();
 *     loss.dispose();
 *   }
 * }
 * ```
 */
export interface CheckpointProblem {
  /** Algorithm id, e.g. "ppo". */
  readonly algo: string;
  /** The checkpoint's environment step. */
  readonly step: number;
  /** The analysed networks, in the order they are processed. */
  readonly networks: readonly NetworkName[];
  /** Number of mini-batch gradients averaged by the mini-batch-gradient estimators. */
  readonly miniBatchCount: number;
  /** Parameter count N of a network. */
  parameterCount(network: NetworkName): number;
  /** Samples behind the loss of an estimator (precise batch, or the union of the mini-batches). */
  sampleCount(estimator: DataEstimator): number;
  /**
   * The network's loss on all data of an estimator: the Hessian's loss, and for "precise" also
   * the precise gradient's. The caller disposes it.
   */
  loss(network: NetworkName, estimator: DataEstimator): ChunkedLoss;
  /** The network's loss on mini-batch `index` (one mini-batch gradient). The caller disposes it. */
  miniBatchLoss(network: NetworkName, index: number): ChunkedLoss;
  /** Facts about the data for the metadata (sample counts, episodes, returns, settings used). */
  describe(): Record<string, unknown>;
  /** Frees whatever the problem holds. */
  dispose(): void;
}

/**
 * Arguments of {@linkcode AnalysisAlgorithm.prepare}.
 *
 * @example
 * ```ts
 * import type { PrepareArgs } from "./estimators.ts";
 * const args: PrepareArgs = {
 *   state: {}, envId: "Pendulum-v1", step: 0,
 *   settings: { preciseSamples: 10_000, chunkSize: 4096, seed: 0, quirks: {} },
 * };
 * ```
 */
export interface PrepareArgs {
  /** The agent state stored in the checkpoint (`loadCheckpointState`). */
  state: unknown;
  /** The run's environment id. */
  envId: string;
  /** The run's environment options (`makeEnv` options; e.g. Ant-v4's `use_contact_forces`). */
  envOptions?: Record<string, unknown>;
  /** The checkpoint's step. */
  step: number;
  /** Data settings. */
  settings: EstimatorSettings;
}

/**
 * How one RL algorithm provides its analysis losses.
 *
 * @example
 * ```ts
 * import type { AnalysisAlgorithm } from "./estimators.ts";
 * function describeAlgorithm(a: AnalysisAlgorithm): string {
 *   return `${a.algo}: networks ${a.networks.join(", ")}`;
 * }
 * ```
 */
export interface AnalysisAlgorithm {
  /** Algorithm id as in `run.json` (`algo`). */
  readonly algo: string;
  /** The networks its problems analyse. */
  readonly networks: readonly NetworkName[];
  /** Builds the analysis data of one checkpoint. */
  prepare(args: PrepareArgs): Promise<CheckpointProblem>;
}
