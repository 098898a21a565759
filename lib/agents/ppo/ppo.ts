/**
 * PPO (Schulman et al. 2017) with Stable-Baselines3 1.8.0 semantics, for one environment
 * (n_envs = 1, as in the paper) or `n_envs` stepped together, written as a resumable state
 * machine at environment-step granularity (one step = n_envs transitions).
 *
 * One iteration of SB3's `learn()` loop is
 *   (1) ROLLOUT: n_steps environment steps (sample, clip for env.step, auto-reset, VecNormalize,
 *       time-out bootstrap, store: `./rollout.ts`), then GAE per environment on the full buffer;
 *   (2) UPDATE: n_epochs passes over fresh permutations in mini-batches, clipped surrogate +
 *       value MSE + entropy, global grad-norm clip, Adam.
 * SB3's callbacks (evaluation, checkpoints) fire after each environment step, *before* the update
 * that a full buffer triggers. {@linkcode PpoAgent.step} reproduces that order: the call that
 * completes a rollout returns with the update pending (parameters unchanged, as a callback at
 * that step sees them); the next `step()` runs the pending update first. {@linkcode PpoAgent.update}
 * runs it explicitly (SB3's final `train()` at the end of `learn`), and {@linkcode PpoAgent.learn}
 * does the whole loop.
 *
 * Everything needed to resume bit-exactly (parameters, Adam moments, generator states, the
 * environment, VecNormalize statistics, the partial rollout buffer, counters) is in
 * {@linkcode PpoAgent.getState}.
 *
 * @module
 */
import { Rng } from "../../rng.ts";
import type { Env, EnvState } from "../../envs/mod.ts";
import { Adam, type AdamState, clipGradNorm, globalGradNorm } from "../../compute/mod.ts";
import { hasRealGpu } from "../../compute/webgpu/device.ts";
import {
  type CollectorState,
  EnvCollector,
  type EpisodeInfo,
  singleEnvCollectorState,
} from "../common/collector.ts";
import { RolloutBuffer, type RolloutBufferState } from "../common/rollout_buffer.ts";
import { VecNormalize, type VecNormalizeState } from "../common/vec_normalize.ts";
import * as base from "../common/agent.ts";
import { makePpoConfig, type PpoConfig, scheduleValue } from "./config.ts";
import {
  type MiniBatchStats,
  type PpoLossCoefficients,
  PpoMinibatchGradient,
} from "./minibatch.ts";
import {
  ActorCriticCpu,
  type ActorCriticSpec,
  initActorCritic,
  logStdSize,
  makeActorCriticSpec,
} from "./policy.ts";
import { PpoRolloutCollector } from "./rollout.ts";

export type { EpisodeInfo };

/**
 * Options of {@linkcode PpoAgent}.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import type { PpoAgentOptions } from "./ppo.ts";
 * const opts: PpoAgentOptions = { env: makeEnv("Pendulum-v1"), config: { learning_rate: "lin_3e-4" }, seed: 0, totalTimesteps: 100_000 };
 * ```
 */
export interface PpoAgentOptions extends base.AgentOptions {
  /** Hyperparameters: a PpoConfig, or overrides of the SB3 defaults (camelCase or snake_case). */
  config?: Partial<PpoConfig> | Record<string, unknown>;
}

/**
 * Statistics of one update phase (SB3's `train/*` log keys).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { PpoAgent, type PpoUpdateStats } from "./ppo.ts";
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { n_steps: 64 }, seed: 0 });
 * while (!agent.updatePending) agent.step();
 * const stats: PpoUpdateStats = agent.update();
 * ```
 */
export interface PpoUpdateStats {
  /** `numTimesteps` when the update ran. */
  numTimesteps: number;
  /** Completed update phases (rollout/update iterations). */
  iteration: number;
  /** SB3 `train/n_updates`: epochs run so far, over all updates. */
  nUpdates: number;
  /** Learning rate used (after its schedule). */
  learningRate: number;
  /** Clip ε used. */
  clipRange: number;
  /** Value clip used, or null. */
  clipRangeVf: number | null;
  /** Mean clipped-surrogate loss over all mini-batches. */
  policyGradientLoss: number;
  /** Mean value loss (before c_vf) over all mini-batches. */
  valueLoss: number;
  /** Mean entropy loss (−H) over all mini-batches. */
  entropyLoss: number;
  /** Total loss of the last mini-batch. */
  loss: number;
  /** Mean approx KL, mean[(r − 1) − log r], over the mini-batches of the LAST epoch (as SB3). */
  approxKl: number;
  /** Mean clip fraction over all mini-batches. */
  clipFraction: number;
  /** 1 − Var[R̂ − V]/Var[R̂] over the rollout (NaN when Var[R̂] = 0, as SB3). */
  explainedVariance: number;
  /** mean(exp(log_std)) after the update (over gSDE's whole matrix, as SB3). */
  std: number;
  /** Epochs started in this update. */
  epochs: number;
  /** Whether the target-KL rule stopped the update early. */
  earlyStopped: boolean;
  /** Mean global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * What one {@linkcode PpoAgent.step} did.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { PpoAgent, type PpoStepInfo } from "./ppo.ts";
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), seed: 0 });
 * const info: PpoStepInfo = agent.step();
 * ```
 */
export interface PpoStepInfo {
  /** Environment steps taken so far (after this step). */
  numTimesteps: number;
  /** The first episode this step finished, or null. */
  episode: EpisodeInfo | null;
  /** Every episode this step finished (several environments may end at the same step). */
  episodes: EpisodeInfo[];
  /** This step filled the rollout buffer; the update is pending until the next call. */
  rolloutComplete: boolean;
  /** Stats of the pending update this call ran before stepping, or null. */
  update: PpoUpdateStats | null;
}

/**
 * Everything needed to resume an agent exactly. JSON plus typed arrays.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { PpoAgent, type PpoAgentState } from "./ppo.ts";
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), seed: 0 });
 * const state: PpoAgentState = agent.getState();
 * new PpoAgent({ env: makeEnv("Pendulum-v1"), config: state.config, seed: 0 }).setState(state);
 * ```
 */
export interface PpoAgentState extends base.AgentCounters {
  /** Format version (version-1 states, from before the collector, are still read). */
  version: 2;
  config: PpoConfig;
  thetaActor: Float32Array;
  thetaCritic: Float32Array;
  adamActor: AdamState;
  adamCritic: AdamState;
  /** The environments, their last observations and running episodes. */
  collector: CollectorState;
  vecNormalize: VecNormalizeState | null;
  buffer: RolloutBufferState;
  rolloutEpisodes: EpisodeInfo[];
  /** gSDE's current noise matrices (one per environment); absent without gSDE and in older states. */
  sdeNoise?: Float32Array;
}

/** A state written before the collector (one environment). */
interface PpoAgentStateV1 extends Omit<PpoAgentState, "version" | "collector"> {
  version: 1;
  env: EnvState;
  lastObs: Float32Array;
  lastEpisodeStart: boolean;
  episodeReturn: number;
  episodeLength: number;
}

/**
 * A PPO agent on one environment.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { resolvePreset } from "../presets.ts";
 * import { PpoAgent } from "./ppo.ts";
 * const { config } = resolvePreset("ppo/Pendulum-v1");
 * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 0 });
 * for (let t = 0; t < 10_000; t++) {
 *   const info = agent.step();
 *   if (info.update) console.log(info.numTimesteps, info.update.approxKl);
 * }
 * const action = agent.predict(new Float32Array([1, 0, 0]), true);
 * const snapshot = agent.getState(); // resume later with agent.setState(snapshot)
 * ```
 */
export class PpoAgent extends base.OnlineAgent<PpoUpdateStats, PpoStepInfo> {
  /** Validated hyperparameters. */
  readonly config: PpoConfig;
  /** The (first) training environment. */
  readonly env: Env;
  /** All training environments (`config.nEnvs`). */
  readonly envs: readonly Env[];
  /** Network geometry and parameter layouts. */
  readonly spec: ActorCriticSpec;
  /** θ_actor (pi MLP + action head + log_std); updated in place. */
  readonly thetaActor: Float32Array;
  /** θ_critic (vf MLP + value head); updated in place. */
  readonly thetaCritic: Float32Array;
  /** VecNormalize, when `config.normalize`. */
  readonly vecNormalize: VecNormalize | null;
  /** The rollout storage. */
  readonly rolloutBuffer: RolloutBuffer;
  /** CPU acting path. */
  readonly policy: ActorCriticCpu;
  /** The environments' collector (Monitor, auto-reset, VecNormalize). */
  readonly collector: EnvCollector;
  /** Episodes finished during the current rollout (cleared when a rollout starts, as the paper's FixEpInfoBufferCallback). */
  rolloutEpisodes: EpisodeInfo[] = [];

  readonly #adamActor: Adam;
  readonly #adamCritic: Adam;
  #gradient: PpoMinibatchGradient | null = null;
  readonly #rollout: PpoRolloutCollector;
  readonly #gradActor: Float64Array;
  readonly #gradCritic: Float64Array;

  constructor(options: PpoAgentOptions) {
    const cfg = makePpoConfig(options.config ?? {});
    const { envs, totalTimesteps } = base.checkAgentOptions("PpoAgent", options, {
      nEnvs: cfg.nEnvs,
      schedules: { "learning-rate": cfg.learningRateSchedule, "clip-range": cfg.clipRangeSchedule },
    });
    super(options.seed, totalTimesteps);
    this.config = cfg;
    const seed = options.seed;
    this.envs = envs;
    this.env = envs[0];
    const obsDim = this.env.observationSpace.size, actDim = this.env.actionSpace.size;
    this.spec = makeActorCriticSpec(obsDim, actDim, cfg);
    const init = initActorCritic(this.spec, cfg, new Rng(seed, 1));
    this.thetaActor = init.actor;
    this.thetaCritic = init.critic;
    // SB3 uses one torch Adam over all policy parameters; Adam is per-coordinate, so one Adam per
    // vector with the same settings and step count is the same optimiser.
    const adam = { lr: cfg.learningRate, beta1: 0.9, beta2: 0.999, eps: cfg.adamEps };
    this.#adamActor = new Adam(this.thetaActor.length, adam);
    this.#adamCritic = new Adam(this.thetaCritic.length, adam);
    this.vecNormalize = cfg.normalize ? new VecNormalize(obsDim, { nEnvs: cfg.nEnvs }) : null;
    this.rolloutBuffer = new RolloutBuffer({
      size: cfg.nSteps,
      nEnvs: cfg.nEnvs,
      obsDim,
      actDim,
      gamma: cfg.gamma,
      gaeLambda: cfg.gaeLambda,
    });
    this.policy = new ActorCriticCpu(this.spec);
    this.collector = new EnvCollector({ envs, vecNormalize: this.vecNormalize });
    this.#rollout = new PpoRolloutCollector(
      this.collector,
      this.policy,
      this.rolloutBuffer,
      cfg.sdeSampleFreq,
    );
    this.#gradActor = new Float64Array(this.thetaActor.length);
    this.#gradCritic = new Float64Array(this.thetaCritic.length);
    // SB3 _setup_learn: seed the envs (seed + i) through their first reset; all episodes start
    // flagged.
    this.collector.reset(seed);
  }

  /** One environment step (n_envs transitions) into the rollout buffer (see `./rollout.ts`). */
  protected collectStep(update: PpoUpdateStats | null): PpoStepInfo {
    const buffer = this.rolloutBuffer;
    if (buffer.pos === 0) this.rolloutEpisodes = []; // rollout start
    const endTimestep = this.numTimesteps + this.envs.length;
    let collected;
    try {
      collected = this.#rollout.step(
        this.thetaActor,
        this.thetaCritic,
        this.rng,
        this.config.gamma,
        endTimestep,
      );
    } catch (e) {
      throw new Error(`PPO rollout at step ${endTimestep}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.numTimesteps = endTimestep;
    const episodes = collected.step.episodes;
    for (const e of episodes) this.rolloutEpisodes.push(e);
    // ---- Rollout complete (GAE computed): the update waits for the next call.
    const rolloutComplete = collected.rolloutComplete;
    if (rolloutComplete) this.pending = true;
    return {
      numTimesteps: this.numTimesteps,
      episode: episodes[0] ?? null,
      episodes,
      rolloutComplete,
      update,
    };
  }

  /**
   * Runs the pending update phase (SB3 `PPO.train`) on the full rollout buffer and empties it, on
   * the CPU or WebAssembly device (`gradientEngine` `"cpu"`/`"wasm"`; for `"webgpu"` and `"auto"`
   * use {@linkcode PpoAgent.updateAsync}).
   *
   * @throws Error when no update is pending, or when a loss or gradient is NaN/Inf (naming the
   *   step, epoch, mini-batch and quantity).
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { PpoAgent } from "./ppo.ts";
   * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { n_steps: 64, batch_size: 32 }, seed: 1 });
   * while (!agent.updatePending) agent.step();
   * console.log(agent.update().explainedVariance);
   * ```
   */
  update(): PpoUpdateStats {
    // Checked before the phase draws its permutation (nothing changes when refused).
    const engine = this.pending ? this.#syncGradient() : null;
    const phase = this.#updatePhase();
    let r = phase.next();
    if (r.done || engine === null) return r.value as PpoUpdateStats;
    for (; !r.done; r = phase.next(this.#computeWith(engine, r.value)));
    return r.value;
  }

  /**
   * {@linkcode PpoAgent.update} on any `gradientEngine`, WebGPU included: each mini-batch's
   * actor and critic gradients are computed on the device and read back asynchronously; clipping
   * and Adam run on the host, as on the other devices. `"auto"` decides on the first call
   * (WebGPU on a real GPU adapter, else the float64 CPU device).
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { PpoAgent } from "./ppo.ts";
   * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { n_steps: 64, gradientEngine: "auto" }, seed: 1 });
   * while (!agent.updatePending) agent.step();
   * const stats = await agent.updateAsync();
   * agent.close();
   * ```
   */
  override async updateAsync(): Promise<PpoUpdateStats> {
    const phase = this.#updatePhase();
    let r = phase.next();
    if (r.done) return r.value;
    const engine = await this.#asyncGradient();
    while (!r.done) {
      const q = r.value;
      r = phase.next(await engine.computeAsync(...this.#miniBatchArgs(q)));
    }
    return r.value;
  }

  /** Whether the update needs {@linkcode PpoAgent.updateAsync} (a WebGPU or auto engine). */
  override get asyncUpdate(): boolean {
    const e = this.#gradient?.device ?? this.config.gradientEngine;
    return e === "webgpu" || e === "auto";
  }

  /** Releases the update's GPU memory (WebGPU). Idempotent. */
  close(): void {
    this.#gradient?.dispose();
    this.#gradient = null;
  }

  /**
   * The update phase as steps: yields each mini-batch whose loss terms and gradients (into
   * #gradActor/#gradCritic) it needs, and returns the statistics.
   */
  *#updatePhase(): Generator<MiniBatchRequest, PpoUpdateStats, MiniBatchStats> {
    if (!this.pending) {
      throw new Error(
        `PpoAgent.update: no update pending (${this.rolloutBuffer.pos}/${this.config.nSteps} ` +
          `rollout steps collected); call step() until a rollout completes`,
      );
    }
    const t0 = performance.now();
    const cfg = this.config;
    const buffer = this.rolloutBuffer;
    // ---- Schedules at SB3's progress_remaining (evaluated after the rollout).
    const progress = base.progressRemaining(this.numTimesteps, this.totalTimesteps);
    const learningRate = scheduleValue(cfg.learningRateSchedule, cfg.learningRate, progress);
    const clipRange = scheduleValue(cfg.clipRangeSchedule, cfg.clipRange, progress);
    const coefs: PpoLossCoefficients = {
      clipRange,
      clipRangeVf: cfg.clipRangeVf,
      entCoef: cfg.entCoef,
      vfCoef: cfg.vfCoef,
      normalizeAdvantage: cfg.normalizeAdvantage,
    };

    const pgLosses: number[] = [], valueLosses: number[] = [], entropyLosses: number[] = [];
    const clipFractions: number[] = [];
    let approxKls: number[] = [];
    let lastLoss = NaN, gradNormSum = 0, gradSteps = 0, epochs = 0;
    let continueTraining = true;
    const n = buffer.rows;
    for (let epoch = 0; epoch < cfg.nEpochs && continueTraining; epoch++) {
      epochs++;
      approxKls = [];
      // ---- One pass over a fresh permutation, batch_size chunks (the last may be smaller).
      const perm = this.rng.permutation(n);
      for (let start = 0, mb = 0; start < n; start += cfg.batchSize, mb++) {
        const count = Math.min(cfg.batchSize, n - start);
        const stats = yield { perm, start, count, coefs };
        const where = () =>
          `PPO update at step ${this.numTimesteps} (epoch ${epoch}, mini-batch ${mb})`;
        for (const key of ["policyLoss", "valueLoss", "entropyLoss", "loss"] as const) {
          if (!Number.isFinite(stats[key])) throw new Error(`${where()}: ${key} is ${stats[key]}`);
        }
        pgLosses.push(stats.policyLoss);
        valueLosses.push(stats.valueLoss);
        entropyLosses.push(stats.entropyLoss);
        clipFractions.push(stats.clipFraction);
        lastLoss = stats.loss;
        approxKls.push(stats.approxKl);
        // SB3 checks the KL rule on the mini-batch before its optimiser step.
        if (cfg.targetKl !== null && stats.approxKl > 1.5 * cfg.targetKl) {
          continueTraining = false;
          break;
        }
        const norm = globalGradNorm([this.#gradActor, this.#gradCritic]);
        if (!Number.isFinite(norm)) {
          const bad = firstNonFinite(this.#gradActor) >= 0 ? "actor" : "critic";
          throw new Error(`${where()}: ${bad} gradient contains NaN/Inf (global norm ${norm})`);
        }
        gradNormSum += norm;
        gradSteps++;
        clipGradNorm([this.#gradActor, this.#gradCritic], cfg.maxGradNorm);
        this.#adamActor.step(this.thetaActor, this.#gradActor, learningRate);
        this.#adamCritic.step(this.thetaCritic, this.#gradCritic, learningRate);
      }
      this.nUpdates++; // SB3 ≥ 1.8.0 counts epochs actually run
    }

    const explainedVariance = explainedVarianceOf(buffer.values, buffer.returns);
    let std = 0;
    const nStd = logStdSize(this.spec);
    for (let d = 0; d < nStd; d++) std += Math.exp(this.thetaActor[this.spec.logStdOffset + d]);
    std /= nStd;
    buffer.reset();
    return this.finishUpdate(t0, {
      learningRate,
      clipRange,
      clipRangeVf: cfg.clipRangeVf,
      policyGradientLoss: mean(pgLosses),
      valueLoss: mean(valueLosses),
      entropyLoss: mean(entropyLosses),
      loss: lastLoss,
      approxKl: mean(approxKls),
      clipFraction: mean(clipFractions),
      explainedVariance,
      std,
      epochs,
      earlyStopped: !continueTraining,
      gradNorm: gradSteps > 0 ? gradNormSum / gradSteps : NaN,
    });
  }

  /**
   * SB3 `learn(totalTimesteps)`: steps until at least `totalTimesteps` environment steps are
   * taken and the current rollout is complete, then runs its update. Calls `onStep` after every
   * environment step (where SB3's callbacks fire).
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { PpoAgent } from "./ppo.ts";
   * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { n_steps: 256 }, seed: 0 });
   * agent.learn(1024, (info) => { if (info.episode) console.log(info.episode.return); });
   * ```
   */
  learn(totalTimesteps: number, onStep?: (info: PpoStepInfo, agent: PpoAgent) => void): void {
    if (
      this.numTimesteps >= totalTimesteps && !this.pending && this.rolloutBuffer.pos === 0
    ) {
      return;
    }
    while (!(this.numTimesteps >= totalTimesteps && this.pending)) {
      const info = this.step();
      onStep?.(info, this);
    }
    this.update();
  }

  /**
   * The action for a raw observation: observation normalised with the frozen VecNormalize
   * statistics, then the mean action (`deterministic`) or a sample (from a generator separate
   * from training's; gSDE: with a noise matrix drawn for the call), clipped to the action Box
   * (SB3 `predict`).
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { PpoAgent } from "./ppo.ts";
   * const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), seed: 0 });
   * const a = agent.predict(new Float32Array([1, 0, 0]), true); // Float32Array(1) in [-2, 2]
   * ```
   */
  predict(obs: ArrayLike<number>, deterministic = false): Float32Array {
    const { obsDim, actDim } = this.spec;
    if (obs.length !== obsDim) {
      throw new RangeError(
        `PpoAgent.predict: observation has length ${obs.length}, expected ${obsDim}`,
      );
    }
    const x = this.vecNormalize ? this.vecNormalize.normalizeObs(obs) : Float32Array.from(obs);
    const out = new Float32Array(actDim);
    if (deterministic) this.policy.actionMean(this.thetaActor, x, out);
    else this.policy.sampleFresh(this.thetaActor, x, this.predictRng, out);
    const { low, high } = this.env.actionSpace;
    for (let d = 0; d < actDim; d++) out[d] = Math.min(Math.max(out[d], low[d]), high[d]);
    return out;
  }

  /** A deep copy of everything needed to resume exactly (see {@linkcode PpoAgentState}). */
  getState(): PpoAgentState {
    return {
      version: 2,
      config: structuredClone(this.config),
      ...this.counters(),
      thetaActor: this.thetaActor.slice(),
      thetaCritic: this.thetaCritic.slice(),
      adamActor: this.#adamActor.getState(),
      adamCritic: this.#adamCritic.getState(),
      collector: this.collector.getState(),
      vecNormalize: this.vecNormalize ? this.vecNormalize.getState() : null,
      buffer: this.rolloutBuffer.getState(),
      rolloutEpisodes: structuredClone(this.rolloutEpisodes),
      ...(this.spec.sde ? { sdeNoise: this.policy.noise } : {}),
    };
  }

  /**
   * Restores {@linkcode PpoAgent.getState} into an agent built with the same environment id and
   * config (the seed given to the constructor is irrelevant: everything, the seed included, is
   * overwritten). Version-1 states (one environment, before the collector) are read too.
   */
  setState(state: PpoAgentState | PpoAgentStateV1): void {
    if (state?.version !== 1 && state?.version !== 2) {
      throw new TypeError(
        `PpoAgent.setState: unsupported state version ${(state as { version?: unknown })?.version}`,
      );
    }
    const s: PpoAgentState = state.version === 2 ? state : upgradeStateV1(state);
    if (
      s.thetaActor.length !== this.thetaActor.length ||
      s.thetaCritic.length !== this.thetaCritic.length
    ) {
      throw new Error("PpoAgent.setState: parameter sizes differ from this agent's");
    }
    if ((s.vecNormalize === null) !== (this.vecNormalize === null)) {
      throw new Error("PpoAgent.setState: VecNormalize presence differs from this agent's config");
    }
    // Fields added since the state was written take their defaults (as the constructor does).
    this.restoreShared(s, this.config, makePpoConfig(s.config));
    this.thetaActor.set(s.thetaActor);
    this.thetaCritic.set(s.thetaCritic);
    this.#adamActor.setState(s.adamActor);
    this.#adamCritic.setState(s.adamCritic);
    if (this.vecNormalize && s.vecNormalize) this.vecNormalize.setState(s.vecNormalize);
    this.rolloutBuffer.setState(s.buffer);
    this.rolloutEpisodes = structuredClone(s.rolloutEpisodes);
    // gSDE: a state saved mid-rollout carries its noise matrices; the next rollout redraws them.
    if (this.spec.sde) this.policy.noise = s.sdeNoise ?? new Float32Array(0);
  }

  /** The gradient engine of the synchronous update (CPU or WebAssembly). */
  #syncGradient(): PpoMinibatchGradient {
    const device = this.#gradient?.device ?? this.config.gradientEngine;
    if (device !== "cpu" && device !== "wasm") {
      throw new Error(
        `PpoAgent.update: gradientEngine "${device}" reads the GPU asynchronously; call ` +
          `await agent.updateAsync() or agent.stepAsync(), or choose "cpu" or "wasm"`,
      );
    }
    this.#gradient ??= new PpoMinibatchGradient(
      this.spec,
      this.config.batchSize,
      this.config,
      device,
    );
    return this.#gradient;
  }

  /** The gradient engine of any device (created, and `"auto"` decided, on first use). */
  async #asyncGradient(): Promise<PpoMinibatchGradient> {
    if (this.#gradient !== null) return this.#gradient;
    const choice = this.config.gradientEngine;
    const device = choice === "auto" ? ((await hasRealGpu()) ? "webgpu" : "cpu") : choice;
    // An explicit "webgpu" is honoured on a software adapter too (slow, but what was asked).
    this.#gradient = await PpoMinibatchGradient.create(
      this.spec,
      this.config.batchSize,
      this.config,
      device,
      { allowFallbackGpu: choice === "webgpu" },
    );
    return this.#gradient;
  }

  /** Loss terms of one mini-batch on a synchronous engine; gradients into #gradActor/#gradCritic. */
  #computeWith(engine: PpoMinibatchGradient, q: MiniBatchRequest): MiniBatchStats {
    return engine.compute(...this.#miniBatchArgs(q));
  }

  /** The arguments of `compute`/`computeAsync` for a mini-batch request. */
  #miniBatchArgs(q: MiniBatchRequest): Parameters<PpoMinibatchGradient["compute"]> {
    const { perm, start, count, coefs } = q;
    const data = this.rolloutBuffer;
    const grads = [this.#gradActor, this.#gradCritic] as const;
    return [this.thetaActor, this.thetaCritic, data, perm, start, count, coefs, ...grads];
  }
}

/** A mini-batch the update phase asks the gradient engine for. */
interface MiniBatchRequest {
  perm: Int32Array;
  start: number;
  count: number;
  coefs: PpoLossCoefficients;
}

/**
 * SB3's `explained_variance(y_pred, y_true)` = 1 − Var[y_true − y_pred]/Var[y_true] (population
 * variances, float64); NaN when Var[y_true] = 0.
 *
 * @example
 * ```ts
 * import { explainedVarianceOf } from "./ppo.ts";
 * explainedVarianceOf([1, 2, 3], [1, 2, 3]); // 1
 * ```
 */
export function explainedVarianceOf(yPred: ArrayLike<number>, yTrue: ArrayLike<number>): number {
  const n = yTrue.length;
  let my = 0, md = 0;
  for (let i = 0; i < n; i++) {
    my += yTrue[i];
    md += yTrue[i] - yPred[i];
  }
  my /= n;
  md /= n;
  let vy = 0, vd = 0;
  for (let i = 0; i < n; i++) {
    vy += (yTrue[i] - my) ** 2;
    vd += (yTrue[i] - yPred[i] - md) ** 2;
  }
  return vy === 0 ? NaN : 1 - vd / vy;
}

function mean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** A version-1 state (one environment) in the version-2 layout. */
function upgradeStateV1(s: PpoAgentStateV1): PpoAgentState {
  const { env, lastObs, lastEpisodeStart, episodeReturn, episodeLength, ...rest } = s;
  const episodeStart = lastEpisodeStart;
  const collector = singleEnvCollectorState({
    env,
    lastObs,
    episodeStart,
    episodeReturn,
    episodeLength,
  });
  return { ...rest, version: 2, collector };
}
