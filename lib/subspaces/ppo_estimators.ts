/**
 * PPO's analysis data and losses (paper notes §3.1, §5.1, §5.2).
 *
 * **Rollouts.** The checkpoint's *stochastic* policy acts on a fresh environment (CPU acting path)
 * exactly as during SB3 training, except that VecNormalize (when the run used it) is loaded from
 * the checkpoint and **frozen** (SB3 `training = False`): observations are normalised with the
 * frozen statistics and clipped to ±10, rewards are divided by the frozen return std and clipped
 * to ±10 — this is what SB3 does with a frozen VecNormalize and what the paper's analysis does
 * (after its 2023-11-16 fix). Sampled actions are clipped to the action box only for `env.step`
 * and stored unclipped. On a time-limit truncation the reward becomes r + γ·V(terminal obs)
 * (agent's γ). Episodes start at reset, so the data consists of whole episodes cut at the sample
 * count; GAE runs over the buffer with V(next obs) as the bootstrap at its end (0 when the last
 * step ends an episode).
 *
 * **Estimators.**
 * - precise: `preciseSamples` fresh samples (paper 10⁶), one batch; GAE with the agent's γ/λ;
 *   advantages normalised over the whole batch (unbiased std + 1e-8).
 * - mini-batch: a fresh rollout of n_steps × n_envs samples (n_envs environments stepped
 *   together, SB3's layout), split by a random permutation into mini-batches of batch_size (the last may be smaller), SB3's `RolloutBuffer.get`. Each
 *   mini-batch gradient normalises advantages over its mini-batch; the mini-batch Hessian is
 *   taken on the whole rollout with advantages normalised over it. GAE uses the agent's γ/λ, or
 *   SB3's defaults γ = 0.99, λ = 1 with the quirk `ppoMiniBatchDefaultGae` (§5.2).
 *
 * **Losses** (functions of one network's θ, at the analysis point where ratio ≡ 1):
 *   L_a(θ_a) = −mean[Â·exp(log π_θ − stop(log π_θ))] − c_ent·H(π_θ),
 *   L_c(θ_c) = c_vf·mean[(R̂ − V_θ(s))²].
 * Advantages are normalised over the loss's whole data set first, then the data is chunked, so
 * L = Σ_c L_c exactly. The losses are the compute layer's policy-gradient objective (at the
 * analysis point) and regression objective.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import { type Env, makeEnv } from "../envs/mod.ts";
import {
  type ActorCriticSpec,
  actorHead,
  collectRollout,
  makeActorCriticSpec,
  makePpoConfig,
  type PpoAgentState,
  type PpoConfig,
  type PpoRollout,
  type PpoRolloutOptions,
} from "../agents/mod.ts";
import { normalizeAdvantages, type ObjectiveSpec } from "../compute/objectives/mod.ts";
import type { ChunkedLoss } from "./hvp.ts";
import type * as est from "./estimators.ts";

/**
 * SB3's `RolloutBuffer` defaults, used by the reference's mini-batch buffer (§5.2 quirk).
 *
 * @example
 * ```ts
 * import { SB3_DEFAULT_GAE } from "./ppo_estimators.ts";
 * SB3_DEFAULT_GAE.gaeLambda; // 1
 * ```
 */
export const SB3_DEFAULT_GAE = Object.freeze({ gamma: 0.99, gaeLambda: 1 });

export type { PpoRollout, PpoRolloutOptions };

/**
 * Rolls out the checkpoint's stochastic policy with SB3's collection semantics and a frozen
 * VecNormalize, then computes GAE: the agents' {@linkcode collectRollout} (one collector for
 * training and analysis).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../envs/mod.ts";
 * import { initActorCritic, makeActorCriticSpec } from "../agents/mod.ts";
 * import { Rng } from "../rng.ts";
 * import { collectPpoRollout } from "./ppo_estimators.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * const rollout = collectPpoRollout({
 *   spec, thetaActor: actor, thetaCritic: critic, env: makeEnv("Pendulum-v1"), vecNormalize: null,
 *   samples: 1000, gamma: 0.9, gaeLambda: 0.95, envSeed: 1, rng: new Rng(2),
 * });
 * rollout.episodeReturns.length; // 5 Pendulum episodes of 200 steps
 * ```
 */
export const collectPpoRollout: (options: PpoRolloutOptions) => PpoRollout = collectRollout;

/**
 * SB3's `RolloutBuffer.get(batch_size)` split: a random permutation of 0..n−1 cut into chunks of
 * `batchSize` (the last may be smaller).
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { miniBatchIndices } from "./ppo_estimators.ts";
 * miniBatchIndices(10, 4, new Rng(0)).map((b) => b.length); // [4, 4, 2]
 * ```
 */
export function miniBatchIndices(n: number, batchSize: number, rng: Rng): Int32Array[] {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `miniBatchIndices: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const perm = rng.permutation(n);
  const out: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) out.push(perm.slice(s, Math.min(n, s + batchSize)));
  return out;
}

/** Rows `indices` of a row-major array with `dim` columns (all rows, unchanged, when null). */
function gatherRows(src: Float32Array, dim: number, indices: Int32Array | null): Float32Array {
  if (indices === null) return src;
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    for (let d = 0; d < dim; d++) out[i * dim + d] = src[r * dim + d];
  }
  return out;
}

/**
 * Options of {@linkcode ppoLoss}.
 *
 * @example
 * ```ts
 * import type { PpoLossOptions } from "./ppo_estimators.ts";
 * const firstRows: PpoLossOptions = { indices: Int32Array.from([0, 1, 2]) };
 * ```
 */
export interface PpoLossOptions {
  /** What this is, for messages. */
  label?: string;
  /** Rows of the rollout forming the data set (a mini-batch); null: the whole rollout. */
  indices?: Int32Array | null;
}

/**
 * A PPO analysis loss of one network on (a subset of) a rollout (see the module doc):
 * - `"actor"`: the policy-gradient objective at the analysis point (no old log-probabilities),
 *   with the advantages normalised over the whole subset first; `coef` = c_ent;
 * - `"critic"`: the regression objective c_vf·mean[(R̂ − V_θ(s))²] on the value network;
 *   `coef` = c_vf.
 *
 * @example
 * ```ts
 * import type { ActorCriticSpec } from "../agents/mod.ts";
 * import { makeHessianOperator } from "./hvp.ts";
 * import { ppoLoss, type PpoRollout } from "./ppo_estimators.ts";
 * async function actorGradient(spec: ActorCriticSpec, theta: Float32Array, rollout: PpoRollout) {
 *   const op = makeHessianOperator(ppoLoss("actor", spec, theta, rollout, 0));
 *   const g = await op.gradient();
 *   op.dispose();
 *   return g;
 * }
 * // The critic loss of a mini-batch: ppoLoss("critic", spec, θ_c, rollout, 0.5, { indices })
 * ```
 */
export function ppoLoss(
  network: est.NetworkName,
  spec: ActorCriticSpec,
  theta: Float32Array,
  rollout: PpoRollout,
  coef: number,
  options: PpoLossOptions = {},
): ChunkedLoss {
  const indices = options.indices ?? null;
  const obs = gatherRows(rollout.observations, rollout.obsDim, indices);
  let objective: ObjectiveSpec;
  if (network === "actor") {
    objective = {
      kind: "policy-gradient",
      net: spec.actorNet,
      ...actorHead(spec),
      obs,
      actions: gatherRows(rollout.actions, rollout.actDim, indices),
      advantages: normalizeAdvantages(gatherRows(rollout.advantages, 1, indices)),
      oldLogProbs: null,
      clipRange: 0,
      entCoef: coef,
      normalizeAdvantage: false,
    };
  } else if (network === "critic") {
    const targets = gatherRows(rollout.returns, 1, indices);
    objective = {
      kind: "regression",
      nets: [spec.criticNet],
      inputs: obs,
      targets,
      coef,
      clip: null,
    };
  } else {
    throw new RangeError(`PPO analysis: unknown network "${network}" (actor or critic)`);
  }
  return { label: options.label ?? `PPO ${network}`, theta, objective, dispose: () => {} };
}

function checkPpoState(state: unknown): PpoAgentState {
  const s = state as Partial<PpoAgentState> | null;
  if (
    !s || typeof s !== "object" || !(s.thetaActor instanceof Float32Array) ||
    !(s.thetaCritic instanceof Float32Array) || typeof s.config !== "object" || s.config === null
  ) {
    throw new TypeError(
      "PPO analysis: the checkpoint state is not a PpoAgentState (thetaActor, thetaCritic, " +
        "config); is this a PPO run?",
    );
  }
  return s as PpoAgentState;
}

/**
 * The analysis data of one PPO checkpoint: the precise and the mini-batch rollouts (collected
 * when constructed) and the losses on them.
 *
 * @example
 * ```ts
 * import { loadCheckpointState } from "../experiments/train.ts";
 * import { PpoCheckpointProblem } from "./ppo_estimators.ts";
 * const state = await loadCheckpointState("runs/ppo-pendulum-0", 50_000);
 * const problem = new PpoCheckpointProblem({
 *   state, envId: "Pendulum-v1", step: 50_000,
 *   settings: { preciseSamples: 100_000, chunkSize: 8192, seed: 0, quirks: {} },
 * });
 * problem.miniBatchCount; // n_steps · n_envs / batch_size
 * ```
 */
export class PpoCheckpointProblem implements est.CheckpointProblem {
  /** "ppo". */
  readonly algo = "ppo";
  /** The checkpoint's step. */
  readonly step: number;
  /** Actor, then critic. */
  readonly networks: readonly est.NetworkName[] = ["actor", "critic"];
  /** The agent's config. */
  readonly config: PpoConfig;
  /** Network geometry. */
  readonly spec: ActorCriticSpec;
  /** θ_actor. */
  readonly thetaActor: Float32Array;
  /** θ_critic. */
  readonly thetaCritic: Float32Array;
  /** The precise rollout. */
  readonly precise: PpoRollout;
  /** The mini-batch rollout (n_steps × n_envs samples). */
  readonly miniBatchRollout: PpoRollout;
  /** Row indices of each mini-batch of the mini-batch rollout. */
  readonly miniBatches: Int32Array[];
  /** GAE (γ, λ) of the mini-batch rollout. */
  readonly miniBatchGae: { gamma: number; gaeLambda: number };
  readonly #quirk: boolean;

  constructor(args: est.PrepareArgs) {
    const state = checkPpoState(args.state);
    const { settings } = args;
    this.step = args.step;
    this.config = makePpoConfig(state.config); // fields added since the run take defaults
    const makeRunEnv = () => makeEnv(args.envId, { ...args.envOptions });
    const probe = makeRunEnv();
    this.spec = makeActorCriticSpec(
      probe.observationSpace.size,
      probe.actionSpace.size,
      this.config,
    );
    probe.close();
    this.thetaActor = state.thetaActor;
    this.thetaCritic = state.thetaCritic;
    if (
      this.thetaActor.length !== this.spec.actorLayout.size ||
      this.thetaCritic.length !== this.spec.criticLayout.size
    ) {
      throw new Error(
        `PPO analysis: θ sizes ${this.thetaActor.length}/${this.thetaCritic.length} do not match ` +
          `${args.envId} with net_arch ${JSON.stringify(this.config.netArch)} ` +
          `(${this.spec.actorLayout.size}/${this.spec.criticLayout.size})`,
      );
    }
    if (!Number.isSafeInteger(settings.preciseSamples) || settings.preciseSamples < 2) {
      throw new RangeError(
        `PPO analysis: preciseSamples must be an integer ≥ 2, got ${settings.preciseSamples}`,
      );
    }
    this.#quirk = settings.quirks.ppoMiniBatchDefaultGae === true;
    // One generator per (seed, step): the same checkpoint always gets the same data.
    const root = new Rng(settings.seed, args.step + 1);
    const common = {
      spec: this.spec,
      thetaActor: this.thetaActor,
      thetaCritic: this.thetaCritic,
      vecNormalize: state.vecNormalize ?? null,
      gamma: this.config.gamma,
      sdeSampleFreq: this.config.sdeSampleFreq,
    };
    this.precise = collectPpoRollout({
      ...common,
      env: makeRunEnv(),
      samples: settings.preciseSamples,
      gaeLambda: this.config.gaeLambda,
      envSeed: root.seed(),
      rng: new Rng(root.seed()),
    });
    this.miniBatchGae = this.#quirk
      ? { ...SB3_DEFAULT_GAE }
      : { gamma: this.config.gamma, gaeLambda: this.config.gaeLambda };
    const nEnvs = this.config.nEnvs;
    const envs: Env[] = Array.from({ length: nEnvs }, makeRunEnv);
    this.miniBatchRollout = collectPpoRollout({
      ...common,
      env: envs,
      samples: this.config.nSteps * nEnvs,
      gaeGamma: this.miniBatchGae.gamma,
      gaeLambda: this.miniBatchGae.gaeLambda,
      envSeed: root.seed(),
      rng: new Rng(root.seed()),
    });
    this.miniBatches = miniBatchIndices(this.config.nSteps * nEnvs, this.config.batchSize, root);
  }

  /** Number of mini-batches (⌈n_steps · n_envs / batch_size⌉). */
  get miniBatchCount(): number {
    return this.miniBatches.length;
  }

  /** N of the actor or critic. */
  parameterCount(network: est.NetworkName): number {
    return network === "actor" ? this.thetaActor.length : this.thetaCritic.length;
  }

  /** Precise samples, or n_steps × n_envs. */
  sampleCount(estimator: est.DataEstimator): number {
    return estimator === "precise" ? this.precise.n : this.miniBatchRollout.n;
  }

  /** See {@linkcode CheckpointProblem.loss}. */
  loss(network: est.NetworkName, estimator: est.DataEstimator): ChunkedLoss {
    const rollout = estimator === "precise" ? this.precise : this.miniBatchRollout;
    return this.#loss(network, rollout, null, `${network} (${estimator})`);
  }

  /** See {@linkcode CheckpointProblem.miniBatchLoss}. */
  miniBatchLoss(network: est.NetworkName, index: number): ChunkedLoss {
    const indices = this.miniBatches[index];
    if (!indices) {
      throw new RangeError(
        `PPO analysis: mini-batch ${index} does not exist (there are ${this.miniBatches.length})`,
      );
    }
    return this.#loss(network, this.miniBatchRollout, indices, `${network} (mini-batch ${index})`);
  }

  /** Sample counts, episodes and the settings that shaped the data. */
  describe(): Record<string, unknown> {
    const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    return {
      preciseSamples: this.precise.n,
      preciseEpisodes: this.precise.episodeReturns.length,
      preciseMeanEpisodeReturn: mean(this.precise.episodeReturns),
      miniBatchSamples: this.miniBatchRollout.n,
      miniBatches: this.miniBatches.length,
      batchSize: this.config.batchSize,
      gamma: this.config.gamma,
      gaeLambda: this.config.gaeLambda,
      miniBatchGae: this.miniBatchGae,
      vecNormalize: this.config.normalize,
      entCoef: this.config.entCoef,
      vfCoef: this.config.vfCoef,
    };
  }

  /** Nothing to free: the losses own their tensors. */
  dispose(): void {}

  #loss(
    network: est.NetworkName,
    rollout: PpoRollout,
    indices: Int32Array | null,
    label: string,
  ): ChunkedLoss {
    const actor = network === "actor";
    const theta = actor ? this.thetaActor : this.thetaCritic;
    const coef = actor ? this.config.entCoef : this.config.vfCoef;
    return ppoLoss(network, this.spec, theta, rollout, coef, { indices, label: `PPO ${label}` });
  }
}

/**
 * PPO's {@linkcode AnalysisAlgorithm}.
 *
 * @example
 * ```ts
 * import { ppoAnalysis } from "./ppo_estimators.ts";
 * ppoAnalysis.networks; // ["actor", "critic"]
 * ```
 */
export const ppoAnalysis: est.AnalysisAlgorithm = Object.freeze({
  algo: "ppo",
  networks: ["actor", "critic"] as const,
  prepare: (args: est.PrepareArgs): Promise<est.CheckpointProblem> =>
    Promise.resolve(new PpoCheckpointProblem(args)),
});
