/**
 * SAC's analysis data and losses (paper notes §3.2, §5.3, §5.4), on the compute layer's
 * regression and reparameterised-actor objectives.
 *
 * **Data.**
 * - precise: the whole replay buffer at the checkpoint (all min(t, buffer_size) transitions).
 *   When the buffer is empty (step 0) the paper collects 50,000 transitions with uniformly
 *   random actions first; {@linkcode collectRandomTransitions} does that. `preciseSamples` below
 *   the buffer size takes a uniform subsample without replacement (a documented deviation for
 *   cheap runs; the default keeps the whole buffer).
 * - mini-batch: ⌊2048 / batch_size⌋ batches of batch_size transitions drawn uniformly with
 *   replacement (SB3's `ReplayBuffer.sample`); the mini-batch Hessian is taken on their union.
 *
 * **Losses** (one network's θ each; critic parameters and targets constant):
 *   L_c(θ_c) = ½ Σ_{j=0,1} mean[(Q_j(s, a) − y)²],
 *   y = r + (1 − d)·γ·(min_j Q̄_j(s′, ã′) − α·log π(ã′|s′))   (computed once per data set),
 *   L_a(θ_a) = mean[α·log π(ã|s) − min_j Q_j(s, ã)],  ã = tanh(μ + σ⊙ε),
 * with α = exp(log α) of the checkpoint (detached), the next-action noise ε′ and the actor noise
 * ε drawn once per transition of a data set — so they are the same in every HVP of a solve and
 * a mini-batch gradient sees the same noise as the union's Hessian. `sacActorDetachQ` (§3.2
 * quirk) differentiates only α·log π.
 *
 * **gSDE** (SB3 `use_sde`, e.g. the BipedalWalker preset): ã = tanh(μ + hᵀE) with one exploration
 * matrix E = σ(L) ⊙ ξ per data set (ξ drawn once, used for ã′ of the targets and ã of the actor
 * loss, as SB3 uses one matrix for both in a gradient step; mini-batches share the union's ξ);
 * the log-std matrix L is part of θ_actor.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import { type Env, makeEnv } from "../envs/mod.ts";
import {
  EnvCollector,
  makeSacSpec,
  type ReplayBufferState,
  type SacNetArch,
  type SacSpec,
  type TransitionBatch,
} from "../agents/mod.ts";
import type { ChunkedLoss } from "./hvp.ts";
import { softBellmanTargets, stateActionRows } from "../compute/objectives/mod.ts";
import { forwardBatch } from "../compute/forward.ts";
import { SquashedGaussianHead } from "../compute/heads.ts";
import { SquashedGsdeHead } from "../compute/gsde.ts";
import type * as est from "./estimators.ts";

/**
 * Transitions collected at step 0 when the replay buffer is empty (§5.3).
 *
 * @example
 * ```ts
 * import { SAC_STEP0_TRANSITIONS } from "./sac_estimators.ts";
 * SAC_STEP0_TRANSITIONS; // 50000
 * ```
 */
export const SAC_STEP0_TRANSITIONS = 50_000;
/**
 * The mini-batch estimate uses ⌊this / batch_size⌋ batches (2048: PPO's default rollout).
 *
 * @example
 * ```ts
 * import { SAC_MINIBATCH_SAMPLES } from "./sac_estimators.ts";
 * Math.floor(SAC_MINIBATCH_SAMPLES / 256); // 8 mini-batches of 256
 * ```
 */
export const SAC_MINIBATCH_SAMPLES = 2048;

/**
 * Replay transitions as flat float32 arrays (row-major).
 *
 * @example
 * ```ts
 * import type { SacTransitions } from "./sac_estimators.ts";
 * function terminalFraction(t: SacTransitions): number {
 *   return t.dones.reduce((a, b) => a + b, 0) / t.n;
 * }
 * ```
 */
export interface SacTransitions extends TransitionBatch {
  /** s′ (the terminal observation when the episode ended), n·obsDim. */
  nextObservations: Float32Array;
  /** Done mask d = terminated ∧ ¬time-out (SB3 `handle_timeout_termination`), n. */
  dones: Float32Array;
}

/**
 * The transitions held by a replay-buffer state (its single data chunk).
 *
 * @example
 * ```ts
 * import { ReplayBuffer } from "../agents/mod.ts";
 * import { transitionsFromReplayState } from "./sac_estimators.ts";
 * const buffer = new ReplayBuffer({ capacity: 10, obsDim: 3, actDim: 1 });
 * buffer.add([1, 0, 0], [0.9, 0.1, 0.2], [0.5], -1.2, false, false);
 * transitionsFromReplayState(buffer.getState()).n; // 1
 * ```
 */
export function transitionsFromReplayState(state: ReplayBufferState): SacTransitions {
  const d = state.data;
  if (!d) {
    throw new Error(
      "SAC analysis: the replay-buffer state holds no transitions inline (saved as chunks); " +
        "restore it into a ReplayBuffer and pass getState() of that",
    );
  }
  const n = d.to - d.from;
  const dones = new Float32Array(n);
  for (let i = 0; i < n; i++) dones[i] = d.dones[i] === 1 && d.timeouts[i] !== 1 ? 1 : 0;
  return {
    n,
    obsDim: d.obsDim,
    actDim: d.actDim,
    observations: d.observations,
    actions: d.actions,
    rewards: d.rewards,
    nextObservations: d.nextObservations,
    dones,
  };
}

/**
 * `n` transitions with uniformly random actions (SB3's warm-up: a ~ U(action box), stored
 * scaled to [−1, 1]), auto-resetting episodes, s′ = the terminal observation at an episode end,
 * done mask d = terminated ∧ ¬truncated.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../envs/mod.ts";
 * import { collectRandomTransitions } from "./sac_estimators.ts";
 * const t = collectRandomTransitions(makeEnv("Pendulum-v1"), 400, 0);
 * t.n; // 400
 * ```
 */
export function collectRandomTransitions(env: Env, n: number, seed: number): SacTransitions {
  const obsDim = env.observationSpace.size, actDim = env.actionSpace.size;
  const { low, high } = env.actionSpace;
  const rng = new Rng(seed, 1);
  const t: SacTransitions = {
    n,
    obsDim,
    actDim,
    observations: new Float32Array(n * obsDim),
    actions: new Float32Array(n * actDim),
    rewards: new Float32Array(n),
    nextObservations: new Float32Array(n * obsDim),
    dones: new Float32Array(n),
  };
  const collector = new EnvCollector({ envs: [env] });
  collector.reset(seed);
  const envAction = new Float32Array(actDim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < actDim; d++) {
      t.actions[i * actDim + d] = rng.uniform(-1, 1);
      const stored = t.actions[i * actDim + d]; // the env sees exactly the stored action, unscaled
      envAction[d] = low[d] + 0.5 * (stored + 1) * (high[d] - low[d]);
    }
    const step = collector.step(envAction, i + 1);
    t.observations.set(collector.prevObs, i * obsDim);
    t.nextObservations.set(step.dones[0] ? step.terminalObs[0]! : collector.obs, i * obsDim);
    t.rewards[i] = step.rewards[0];
    t.dones[i] = step.terminated[0] && !step.truncated[0] ? 1 : 0;
  }
  return t;
}

/**
 * What the SAC analysis of one checkpoint needs.
 *
 * @example
 * ```ts
 * import type { SacAnalysisInput } from "./sac_estimators.ts";
 * function withAlpha(input: SacAnalysisInput, alpha: number): SacAnalysisInput {
 *   return { ...input, alpha };
 * }
 * ```
 */
export interface SacAnalysisInput {
  /** Network geometry. */
  spec: SacSpec;
  /** θ_actor. */
  thetaActor: Float32Array;
  /** θ_critic (both Q-networks). */
  thetaCritic: Float32Array;
  /** The target critic (for the targets y only; never analysed). */
  thetaCriticTarget: Float32Array;
  /** α = exp(log α) at the checkpoint, treated as a constant. */
  alpha: number;
  /** Discount γ. */
  gamma: number;
  /** SAC batch size (the mini-batch estimate draws ⌊2048/batch_size⌋ batches of it). */
  batchSize: number;
  /** The replay buffer's transitions (empty at step 0). */
  transitions: SacTransitions;
}

/** The fields a SAC checkpoint state must have (top level, or `engine` / `replayBuffer`). */
interface SacStateLike {
  config: {
    gamma: number;
    batchSize: number;
    netArch: SacNetArch;
    useSde?: boolean;
    fullStd?: boolean;
    useExpln?: boolean;
    clipMean?: number;
  };
  thetaActor?: Float32Array;
  thetaCritic?: Float32Array;
  thetaCriticTarget?: Float32Array;
  logEntCoef?: number;
  /** α at the snapshot (SacAgentState): exp(log α) as float32, or the fixed coefficient. */
  entCoef?: number;
  engine?: {
    thetaActor: Float32Array;
    thetaCritic: Float32Array;
    thetaCriticTarget: Float32Array;
    logEntCoef: number;
  };
  replayBuffer?: ReplayBufferState;
}

/**
 * Reads a SAC checkpoint state (`SacAgentState`, as `loadCheckpointState` returns it with the
 * replay buffer restored inline): `config` {gamma, batchSize, netArch}; θ_actor, θ_critic,
 * θ_critic_target and log α at the top level or under `engine` (the SacEngine state); α from
 * `entCoef` when present (the fixed coefficient, or exp(log α) as float32), else exp(log α); the
 * replay buffer as `replayBuffer` (a ReplayBufferState with inline data).
 *
 * @example
 * ```ts
 * import { sacAnalysisInputFromState } from "./sac_estimators.ts";
 * function input(state: unknown) {
 *   return sacAnalysisInputFromState(state, "Pendulum-v1");
 * }
 * ```
 */
export function sacAnalysisInputFromState(
  state: unknown,
  envId: string,
  envOptions: Record<string, unknown> = {},
): SacAnalysisInput {
  const s = state as SacStateLike | null;
  const source = s?.engine ?? s;
  const missing: string[] = [];
  if (!s?.config || typeof s.config.gamma !== "number") missing.push("config");
  for (const k of ["thetaActor", "thetaCritic", "thetaCriticTarget"] as const) {
    if (!(source?.[k] instanceof Float32Array)) missing.push(k);
  }
  if (typeof source?.logEntCoef !== "number") missing.push("logEntCoef");
  if (!s?.replayBuffer) missing.push("replayBuffer");
  if (missing.length > 0) {
    throw new TypeError(
      `SAC analysis: the checkpoint state lacks ${missing.join(", ")} (see ` +
        "sacAnalysisInputFromState for the expected fields); is this a SAC run?",
    );
  }
  const probe = makeEnv(envId, { ...envOptions });
  const spec = makeSacSpec(probe.observationSpace.size, probe.actionSpace.size, s!.config);
  probe.close();
  return {
    spec,
    thetaActor: source!.thetaActor!,
    thetaCritic: source!.thetaCritic!,
    thetaCriticTarget: source!.thetaCriticTarget!,
    alpha: typeof s!.entCoef === "number" ? s!.entCoef : Math.exp(source!.logEntCoef!),
    gamma: s!.config.gamma,
    batchSize: s!.config.batchSize,
    transitions: transitionsFromReplayState(s!.replayBuffer!),
  };
}

/** Rows of a row-major array. */
function gather(src: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    out.set(src.subarray(rows[i] * dim, (rows[i] + 1) * dim), i * dim);
  }
  return out;
}

/**
 * The data of one estimate: selected transitions with their constant targets and noise.
 *
 * @example
 * ```ts
 * import type { SacDataSet } from "./sac_estimators.ts";
 * function meanTarget(d: SacDataSet): number {
 *   return d.targets.reduce((a, b) => a + b, 0) / d.n;
 * }
 * ```
 */
export interface SacDataSet {
  /** Transitions (gathered rows). */
  n: number;
  /** s. */
  observations: Float32Array;
  /** a. */
  actions: Float32Array;
  /** Critic targets y (constants). */
  targets: Float32Array;
  /** Actor reparameterisation noise ε, n·actDim (fixed for the solve; empty with gSDE). */
  noise: Float32Array;
  /** gSDE: ξ of the data set's exploration matrix (n_latent·actDim, fixed); else absent/null. */
  sdeNoise?: Float32Array | null;
}

/**
 * Gathers `rows` of the transitions, draws the next-action noise ε′ and the actor noise ε once
 * per row, and computes the critic targets y with the target critic (chunked, no gradient).
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { makeSacDataSet, type SacAnalysisInput } from "./sac_estimators.ts";
 * function all(input: SacAnalysisInput) {
 *   const rows = Int32Array.from({ length: input.transitions.n }, (_, i) => i);
 *   return makeSacDataSet(input, rows, new Rng(0), 4096);
 * }
 * ```
 */
export function makeSacDataSet(
  input: SacAnalysisInput,
  rows: Int32Array,
  rng: Rng,
  chunkSize: number,
): SacDataSet {
  const t = input.transitions;
  const { obsDim, actDim } = t;
  const n = rows.length;
  const observations = gather(t.observations, obsDim, rows);
  const actions = gather(t.actions, actDim, rows);
  const nextObs = gather(t.nextObservations, obsDim, rows);
  const rewards = gather(t.rewards, 1, rows);
  const dones = gather(t.dones, 1, rows);
  const sde = input.spec.sde;
  const sdeNoise = sde ? rng.fillNormal(new Float32Array(sde.latentDim * actDim)) : null;
  const nextNoise = rng.fillNormal(new Float32Array(sde ? 0 : n * actDim));
  const noise = rng.fillNormal(new Float32Array(sde ? 0 : n * actDim));
  // ã′ ~ π(·|s′) with the next-action noise, then the target critics at [s′, ã′].
  const chunkRows = Math.max(1, chunkSize);
  const next = {
    actions: new Float32Array(n * actDim),
    sigmaEps: new Float32Array(n * actDim),
    inside: new Float32Array(n * actDim),
    logProbs: new Float64Array(n),
  };
  try {
    if (sde) {
      const head = new SquashedGsdeHead(actDim, sde), s = head.newSample(chunkRows);
      const off = input.spec.heads.logStdWeight;
      forwardBatch(input.spec.actorNet, input.thetaActor, nextObs, n, {
        chunkRows,
        onChunk: (start, count, z, latent) => {
          head.sample({
            n: count,
            z,
            zStride: actDim,
            latent,
            params: input.thetaActor,
            paramsOffset: off,
            xi: sdeNoise!,
          }, s);
          next.actions.set(s.actions.subarray(0, count * actDim), start * actDim);
          next.logProbs.set(s.logProbs.subarray(0, count), start);
        },
      });
    } else {
      const z = forwardBatch(input.spec.actorNet, input.thetaActor, nextObs, n, { chunkRows });
      new SquashedGaussianHead(actDim).sample(z, 2 * actDim, nextNoise, 0, n, next);
    }
  } catch (e) {
    throw new RangeError(`SAC analysis: critic targets: ${(e as Error).message}`, { cause: e });
  }
  const qIn = stateActionRows(nextObs, obsDim, next.actions, actDim);
  const [q0, q1] = input.spec.qNets.map((q) =>
    forwardBatch(q, input.thetaCriticTarget, qIn, n, { chunkRows })
  );
  const targets = softBellmanTargets(
    rewards,
    dones,
    q0,
    q1,
    next.logProbs,
    input.alpha,
    input.gamma,
    n,
  ) as Float32Array;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(targets[i])) {
      throw new RangeError(`SAC analysis: critic target of transition ${rows[i]} is ${targets[i]}`);
    }
  }
  return { n, observations, actions, targets, noise, sdeNoise };
}

/**
 * The SAC critic loss on a data set (targets constant): the regression objective on the twin Q.
 *
 * @example
 * ```ts
 * import { sacCriticChunkedLoss, type SacAnalysisInput, type SacDataSet } from "./sac_estimators.ts";
 * function loss(input: SacAnalysisInput, data: SacDataSet) {
 *   return sacCriticChunkedLoss(input.spec, input.thetaCritic, data);
 * }
 * ```
 */
export function sacCriticChunkedLoss(
  spec: SacSpec,
  thetaCritic: Float32Array,
  data: SacDataSet,
  label = "SAC critic",
): ChunkedLoss {
  const { obsDim, actDim } = spec;
  return {
    label,
    theta: thetaCritic,
    objective: {
      kind: "regression",
      nets: spec.qNets,
      inputs: stateActionRows(data.observations, obsDim, data.actions, actDim),
      targets: data.targets,
      coef: 0.5,
      clip: null,
    },
    dispose: () => {},
  };
}

/**
 * The SAC actor loss on a data set (critic frozen, noise fixed): the reparameterised actor
 * objective.
 *
 * @example
 * ```ts
 * import { sacActorChunkedLoss, type SacAnalysisInput, type SacDataSet } from "./sac_estimators.ts";
 * function loss(input: SacAnalysisInput, data: SacDataSet) {
 *   return sacActorChunkedLoss(input, data, { detachQ: false });
 * }
 * ```
 */
export function sacActorChunkedLoss(
  input: Pick<SacAnalysisInput, "spec" | "thetaActor" | "thetaCritic" | "alpha">,
  data: SacDataSet,
  options: { detachQ: boolean; label?: string },
): ChunkedLoss {
  const { spec } = input;
  if (spec.sde && !data.sdeNoise) {
    throw new Error(
      "SAC analysis: a gSDE actor needs the data set's exploration matrix (sdeNoise); build the " +
        "data set with makeSacDataSet",
    );
  }
  return {
    label: options.label ?? "SAC actor",
    theta: input.thetaActor,
    objective: {
      kind: "reparameterized",
      net: spec.actorNet,
      qNets: spec.qNets,
      criticTheta: input.thetaCritic,
      obs: data.observations,
      noise: data.noise,
      gsde: spec.sde && {
        options: spec.sde,
        headOffset: spec.heads.logStdWeight,
        xi: data.sdeNoise!,
      },
      alpha: input.alpha,
      detachQ: options.detachQ,
    },
    dispose: () => {},
  };
}

/**
 * The analysis data of one SAC checkpoint (see the module doc).
 *
 * @example
 * ```ts
 * import { SacCheckpointProblem, type SacAnalysisInput } from "./sac_estimators.ts";
 * async function problem(input: SacAnalysisInput) {
 *   return await SacCheckpointProblem.create(input, {
 *     step: 0, settings: { preciseSamples: 1_000_000, chunkSize: 8192, seed: 0, quirks: {} },
 *   });
 * }
 * ```
 */
export class SacCheckpointProblem implements est.CheckpointProblem {
  /** "sac". */
  readonly algo = "sac";
  /** Actor, then critic (both Q-networks). */
  readonly networks: readonly est.NetworkName[] = ["actor", "critic"];
  /** Size of each mini-batch (batch_size). */
  readonly miniBatchSize: number;

  private constructor(
    /** The inputs. */
    readonly input: SacAnalysisInput,
    /** The checkpoint's step. */
    readonly step: number,
    /** Precise data (the whole buffer, or its subsample). */
    readonly precise: SacDataSet,
    /** The union of the mini-batches. */
    readonly miniBatchUnion: SacDataSet,
    /** Whether the step-0 random transitions replaced an empty buffer. */
    readonly randomWarmup: boolean,
    private readonly detachQ: boolean,
  ) {
    this.miniBatchSize = input.batchSize;
  }

  /**
   * Builds the data sets (collecting step-0 transitions when the buffer is empty). Errors reject
   * the promise.
   */
  static create(
    input: SacAnalysisInput,
    args: Pick<est.PrepareArgs, "step" | "settings" | "envOptions"> & { envId?: string },
  ): Promise<SacCheckpointProblem> {
    try {
      return Promise.resolve(SacCheckpointProblem.#build(input, args));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  static #build(
    input: SacAnalysisInput,
    args: Pick<est.PrepareArgs, "step" | "settings" | "envOptions"> & { envId?: string },
  ): SacCheckpointProblem {
    const { settings } = args;
    const root = new Rng(settings.seed, args.step + 1);
    let randomWarmup = false;
    if (input.transitions.n === 0) {
      if (!args.envId) throw new Error("SAC analysis: empty replay buffer and no envId to fill it");
      input = {
        ...input,
        transitions: collectRandomTransitions(
          makeEnv(args.envId, { ...args.envOptions }),
          SAC_STEP0_TRANSITIONS,
          root.seed(),
        ),
      };
      randomWarmup = true;
    }
    const n = input.transitions.n;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    let preciseRows = all;
    if (settings.preciseSamples < n) {
      preciseRows = root.permutation(n).slice(0, settings.preciseSamples).sort();
    }
    const batches = Math.max(1, Math.floor(SAC_MINIBATCH_SAMPLES / input.batchSize));
    const unionRows = new Int32Array(batches * input.batchSize);
    for (let i = 0; i < unionRows.length; i++) unionRows[i] = root.int(n);
    const precise = makeSacDataSet(input, preciseRows, new Rng(root.seed()), settings.chunkSize);
    const union = makeSacDataSet(input, unionRows, new Rng(root.seed()), settings.chunkSize);
    const detachQ = settings.quirks.sacActorDetachQ === true;
    return new SacCheckpointProblem(input, args.step, precise, union, randomWarmup, detachQ);
  }

  /** ⌊2048 / batch_size⌋. */
  get miniBatchCount(): number {
    return this.miniBatchUnion.n / this.miniBatchSize;
  }

  /** N of the actor or the critic (both Q-networks). */
  parameterCount(network: est.NetworkName): number {
    return network === "actor" ? this.input.thetaActor.length : this.input.thetaCritic.length;
  }

  /** Transitions behind an estimator. */
  sampleCount(estimator: est.DataEstimator): number {
    return estimator === "precise" ? this.precise.n : this.miniBatchUnion.n;
  }

  /** See {@linkcode CheckpointProblem.loss}. */
  loss(network: est.NetworkName, estimator: est.DataEstimator): ChunkedLoss {
    const data = estimator === "precise" ? this.precise : this.miniBatchUnion;
    return this.#loss(network, data, `${network} (${estimator})`);
  }

  /** See {@linkcode CheckpointProblem.miniBatchLoss}: rows [i·bs, (i+1)·bs) of the union. */
  miniBatchLoss(network: est.NetworkName, index: number): ChunkedLoss {
    if (!Number.isInteger(index) || index < 0 || index >= this.miniBatchCount) {
      throw new RangeError(
        `SAC analysis: mini-batch ${index} does not exist (there are ${this.miniBatchCount})`,
      );
    }
    const bs = this.miniBatchSize, u = this.miniBatchUnion, { obsDim, actDim } = this.input.spec;
    const slice: SacDataSet = {
      n: bs,
      observations: u.observations.subarray(index * bs * obsDim, (index + 1) * bs * obsDim),
      actions: u.actions.subarray(index * bs * actDim, (index + 1) * bs * actDim),
      targets: u.targets.subarray(index * bs, (index + 1) * bs),
      noise: u.noise.subarray(index * bs * actDim, (index + 1) * bs * actDim),
      sdeNoise: u.sdeNoise,
    };
    return this.#loss(network, slice, `${network} (mini-batch ${index})`);
  }

  /** Sample counts and settings. */
  describe(): Record<string, unknown> {
    return {
      bufferTransitions: this.input.transitions.n,
      randomWarmup: this.randomWarmup,
      preciseSamples: this.precise.n,
      miniBatches: this.miniBatchCount,
      batchSize: this.miniBatchSize,
      alpha: this.input.alpha,
      gamma: this.input.gamma,
      actorDetachQ: this.detachQ,
    };
  }

  /** Nothing to free: the losses own their tensors. */
  dispose(): void {}

  #loss(network: est.NetworkName, data: SacDataSet, label: string): ChunkedLoss {
    if (network === "critic") {
      return sacCriticChunkedLoss(this.input.spec, this.input.thetaCritic, data, `SAC ${label}`);
    }
    if (network === "actor") {
      return sacActorChunkedLoss(this.input, data, {
        detachQ: this.detachQ,
        label: `SAC ${label}`,
      });
    }
    throw new RangeError(`SAC analysis: unknown network "${network}" (actor or critic)`);
  }
}

/**
 * SAC's {@linkcode AnalysisAlgorithm}: the checkpoint state is read by
 * {@linkcode sacAnalysisInputFromState}.
 *
 * @example
 * ```ts
 * import { sacAnalysis } from "./sac_estimators.ts";
 * sacAnalysis.algo; // "sac"
 * ```
 */
export const sacAnalysis: est.AnalysisAlgorithm = Object.freeze({
  algo: "sac",
  networks: ["actor", "critic"] as const,
  prepare: (args: est.PrepareArgs): Promise<est.CheckpointProblem> =>
    SacCheckpointProblem.create(
      sacAnalysisInputFromState(args.state, args.envId, args.envOptions),
      args,
    ),
});
