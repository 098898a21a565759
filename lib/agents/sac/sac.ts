/**
 * SAC (Haarnoja et al. 2018) with Stable-Baselines3 semantics (1.8 / 2.x), for one environment,
 * written as a resumable state machine at environment-step granularity like the PPO agent.
 *
 * SB3's `learn()` loop alternates `collect_rollouts` (train_freq environment steps) and `train`
 * (gradient_steps gradient steps, only once num_timesteps > learning_starts):
 * - acting: uniform-random actions in the Box for the first `learningStarts` steps, then
 *   tanh-squashed Gaussian samples rescaled to the Box; the replay buffer stores actions in
 *   [−1, 1], the terminal observation as next observation, and the time-out flag;
 * - training: per gradient step a uniform batch (with replacement) and the update of
 *   {@linkcode SacEngine.gradientStep}; the targets are Polyak-averaged when the step's index
 *   within the training phase is a multiple of `targetUpdateInterval` (SB3's
 *   `gradient_step % target_update_interval == 0`).
 *
 * SB3's callbacks (evaluation, checkpoints) run after each environment step, before the
 * training that the step may trigger. {@linkcode SacAgent.step} keeps that order: the call that
 * completes `trainFreq` steps returns with the training pending (parameters as a callback sees
 * them); the next `step()` (or {@linkcode SacAgent.update}) runs it first.
 *
 * Everything needed to resume bit-exactly (parameters, target critics, Adam moments, log α,
 * generator states, the environment, the replay buffer, counters) is in
 * {@linkcode SacAgent.getState}.
 *
 * @module
 */
import { Rng, type RngState } from "../../rng.ts";
import type { Env, EnvState } from "../../envs/mod.ts";
import {
  type CollectorState,
  EnvCollector,
  type EpisodeInfo,
  singleEnvCollectorState,
} from "../common/collector.ts";
import { gradientStepsPerPhase, makeSacConfig, type SacConfig } from "./config.ts";
import { scheduleValue } from "../common/config_schema.ts";
import * as base from "../common/agent.ts";
import {
  SacEngine,
  type SacEngineState,
  type SacGradientStats,
  type SacStepCoefficients,
} from "./engine.ts";
import { hasRealGpu } from "../../compute/webgpu/device.ts";
import {
  initSacParams,
  makeSacSpec,
  SacActorCpu,
  type SacSpec,
  scaleAction,
  unscaleAction,
} from "./policy.ts";
import { ReplayBuffer, type ReplayBufferState } from "./replay_buffer.ts";

/**
 * Options of {@linkcode SacAgent}.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import type { SacAgentOptions } from "./sac.ts";
 * const opts: SacAgentOptions = { env: makeEnv("Pendulum-v1"), config: { learning_rate: 1e-3 }, seed: 0 };
 * ```
 */
export interface SacAgentOptions extends base.AgentOptions {
  /** The training environment, already wrapped in its TimeLimit (e.g. `makeEnv(id)`). */
  env: Env;
  /** Hyperparameters: a SacConfig, or overrides of the SB3 defaults (camelCase or snake_case). */
  config?: Partial<SacConfig> | Record<string, unknown>;
  /**
   * Threads of the gradient engine: 1 (default) or 2 (a worker thread; identical results;
   * call {@linkcode SacAgent.close} when done).
   */
  threads?: 1 | 2;
}

/**
 * Statistics of one training phase (SB3's `train/*` log keys: means over its gradient steps).
 *
 * @example
 * ```ts
 * import type { SacUpdateStats } from "./sac.ts";
 * const s: SacUpdateStats = { numTimesteps: 200, iteration: 100, nUpdates: 100, gradientSteps: 1, learningRate: 1e-3, actorLoss: 3.2, criticLoss: 0.4, entCoef: 0.9, entCoefLoss: -0.1 };
 * ```
 */
export interface SacUpdateStats {
  /** `numTimesteps` when the training phase ran. */
  numTimesteps: number;
  /** Training phases run so far. */
  iteration: number;
  /** SB3 `train/n_updates`: gradient steps so far. */
  nUpdates: number;
  /** Gradient steps in this phase. */
  gradientSteps: number;
  /** Learning rate used. */
  learningRate: number;
  /** Mean actor loss. */
  actorLoss: number;
  /** Mean critic loss. */
  criticLoss: number;
  /** Mean α used. */
  entCoef: number;
  /** Mean α loss, or null for a fixed α (SB3 then logs none). */
  entCoefLoss: number | null;
}

/**
 * What one {@linkcode SacAgent.step} did.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { SacAgent, type SacStepInfo } from "./sac.ts";
 * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [16] }, seed: 0 });
 * const info: SacStepInfo = agent.step();
 * ```
 */
export interface SacStepInfo {
  /** Environment steps taken so far (after this step). */
  numTimesteps: number;
  /** The episode this step finished, or null. */
  episode: EpisodeInfo | null;
  /** This step completed `trainFreq` collection steps (a training phase follows when t > learningStarts). */
  rolloutComplete: boolean;
  /** Stats of the pending training phase this call ran before stepping, or null. */
  update: SacUpdateStats | null;
}

/**
 * Everything needed to resume exactly. JSON plus typed arrays; `replayBuffer.data` is null in
 * states taken with `getState({ replayData: false })` (checkpoints store the transitions as
 * incremental chunks).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { SacAgent, type SacAgentState } from "./sac.ts";
 * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [16] }, seed: 0 });
 * const state: SacAgentState = agent.getState();
 * ```
 */
export interface SacAgentState extends base.AgentCounters {
  /** Format version (version-1 states, from before the collector, are still read). */
  version: 2;
  /** Algorithm tag (distinguishes SAC from PPO states). */
  algo: "sac";
  config: SacConfig;
  /** Parameters, target critics, optimisers and log α. */
  engine: SacEngineState;
  /**
   * α at the snapshot: exp(log α) as float32 when learned, else the fixed value (informational:
   * the value the next gradient step uses; `setState` restores α from `engine.logEntCoef`).
   */
  entCoef: number;
  /** Replay sampling and reparameterisation noise of the gradient steps. */
  trainRng: RngState;
  /** The environment, its last observation and running episode. */
  collector: CollectorState;
  replayBuffer: ReplayBufferState;
  stepsSinceTrain: number;
  /** gSDE: ξ of the collection's exploration matrix (absent: none drawn yet, or no gSDE). */
  sdeNoise?: Float32Array;
}

/** A state written before the collector. */
interface SacAgentStateV1 extends Omit<SacAgentState, "version" | "collector"> {
  version: 1;
  env: EnvState;
  lastObs: Float32Array;
  episodeReturn: number;
  episodeLength: number;
}

/**
 * A SAC agent on one environment.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { SacAgent } from "./sac.ts";
 * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { learning_rate: 1e-3, net_arch: [64, 64] }, seed: 0 });
 * for (let t = 0; t < 1000; t++) {
 *   const info = agent.step();
 *   if (info.episode) console.log(t, info.episode.return);
 * }
 * const action = agent.predict(new Float32Array([1, 0, 0]), true);
 * const snapshot = agent.getState(); // resume later with agent.setState(snapshot)
 * agent.close();
 * ```
 */
export class SacAgent extends base.OnlineAgent<SacUpdateStats, SacStepInfo> {
  /** Validated hyperparameters. */
  readonly config: SacConfig;
  /** The training environment. */
  readonly env: Env;
  /** Network geometry and layouts. */
  readonly spec: SacSpec;
  /**
   * Parameters, optimisers and the gradient step (WebAssembly; with `gradientEngine` `"webgpu"`,
   * or `"auto"` on a real GPU, replaced by a WebGPU engine holding the same state on the first
   * {@linkcode SacAgent.updateAsync}).
   */
  engine: SacEngine;
  /** The replay buffer. */
  readonly replayBuffer: ReplayBuffer;
  /** Acting path. */
  readonly actor: SacActorCpu;
  /** H̄ of the α loss (−dim(A) for "auto"). */
  readonly targetEntropy: number;

  readonly #trainRng: Rng;
  readonly #low: Float32Array;
  readonly #high: Float32Array;
  readonly #bufferAction: Float32Array;
  readonly #envAction: Float32Array;
  readonly #indices: Int32Array;
  /** The environment's collector (Monitor, auto-reset). */
  readonly collector: EnvCollector;
  #stepsSinceTrain = 0;
  /** The first training phase chose the engine (`gradientEngine` `"webgpu"`/`"auto"`). */
  #engineChosen = false;

  constructor(options: SacAgentOptions) {
    const cfg = makeSacConfig(options.config ?? {});
    const { envs, totalTimesteps } = base.checkAgentOptions("SacAgent", options, {
      schedules: { "learning-rate": cfg.learningRateSchedule },
    });
    super(options.seed, totalTimesteps);
    this.config = cfg;
    const env = envs[0], seed = options.seed;
    this.env = env;
    const actSpace = env.actionSpace;
    if (!actSpace.isBounded("both")) {
      throw new Error(
        "SacAgent: the action Box must be bounded (SAC squashes actions with tanh and rescales " +
          "them to [low, high]); wrap the environment to bound its actions",
      );
    }
    this.#low = Float32Array.from(actSpace.low);
    this.#high = Float32Array.from(actSpace.high);
    const obsDim = env.observationSpace.size, actDim = actSpace.size;
    this.spec = makeSacSpec(obsDim, actDim, cfg);
    this.targetEntropy = cfg.targetEntropy === "auto" ? -actDim : cfg.targetEntropy;
    this.engine = new SacEngine(this.spec, {
      batchSize: cfg.batchSize,
      adamEps: cfg.adamEps,
      entCoefInit: cfg.entCoefInit,
      threads: options.threads ?? 1,
    });
    const init = initSacParams(this.spec, new Rng(seed, 1), cfg.logStdInit);
    this.engine.setParameters(init.actor, init.critic);
    this.replayBuffer = new ReplayBuffer({ capacity: cfg.bufferSize, obsDim, actDim });
    this.actor = new SacActorCpu(this.spec);
    this.#trainRng = new Rng(seed, 4);
    this.#bufferAction = new Float32Array(actDim);
    this.#envAction = new Float32Array(actDim);
    this.#indices = new Int32Array(cfg.batchSize);
    this.collector = new EnvCollector({ envs: [env] });
    this.collector.reset(seed);
  }

  /** θ_actor (latent MLP, mu head, log_std head); a live view, updated in place. */
  get thetaActor(): Float32Array {
    return this.engine.thetaActor;
  }

  /** θ_critic (qf0 then qf1); a live view. */
  get thetaCritic(): Float32Array {
    return this.engine.thetaCritic;
  }

  /** The target critics (same layout as θ_critic); a live view. */
  get thetaCriticTarget(): Float32Array {
    return this.engine.thetaCriticTarget;
  }

  /** Current α (exp(log α) as float32, or the fixed value). */
  get entCoef(): number {
    return this.engine.entCoef(this.config.entCoef);
  }

  /** One environment step into the replay buffer (uniform actions before learning_starts). */
  protected collectStep(update: SacUpdateStats | null): SacStepInfo {
    const cfg = this.config, collector = this.collector;
    const bufferAction = this.#bufferAction, envAction = this.#envAction;
    let step;
    try {
      if (this.numTimesteps < cfg.learningStarts && !(cfg.useSde && cfg.useSdeAtWarmup)) {
        // action_space.sample(): uniform in the Box; the buffer stores it rescaled to [−1, 1].
        for (let d = 0; d < envAction.length; d++) {
          envAction[d] = this.rng.uniform(this.#low[d], this.#high[d]);
        }
        scaleAction(envAction, this.#low, this.#high, bufferAction);
      } else {
        // gSDE (SB3 collect_rollouts): a new exploration matrix at the start of each rollout
        // (trainFreq steps) and every sdeSampleFreq steps within it.
        const k = this.#stepsSinceTrain, freq = cfg.sdeSampleFreq;
        if (this.spec.sde && (k === 0 || (freq > 0 && k % freq === 0) || !this.actor.hasNoise)) {
          this.actor.resetNoise(this.rng);
        }
        this.actor.sample(this.thetaActor, collector.obs, this.rng, bufferAction);
      }
      unscaleAction(bufferAction, this.#low, this.#high, envAction);
      step = collector.step(envAction, this.numTimesteps + 1);
    } catch (e) {
      throw new Error(`SAC rollout at step ${this.numTimesteps + 1}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.numTimesteps++;
    const done = step.dones[0] === 1;
    // SB3 stores infos["terminal_observation"] as the next observation of an ended episode.
    this.replayBuffer.add(
      collector.prevObs,
      done ? step.terminalObs[0]! : collector.obs,
      bufferAction,
      step.rewards[0],
      done,
      step.truncated[0] === 1 && step.terminated[0] === 0,
    );
    const episode: EpisodeInfo | null = step.episodes[0] ?? null;
    let rolloutComplete = false;
    if (++this.#stepsSinceTrain === cfg.trainFreq) {
      this.#stepsSinceTrain = 0;
      rolloutComplete = true;
      if (this.numTimesteps > cfg.learningStarts && gradientStepsPerPhase(cfg) > 0) {
        this.pending = true;
      }
    }
    return { numTimesteps: this.numTimesteps, episode, rolloutComplete, update };
  }

  /**
   * Runs the pending training phase (SB3 `SAC.train(gradient_steps, batch_size)`).
   *
   * @throws Error when no training is pending, or when a loss or gradient is NaN/Inf (naming
   *   the environment step, the gradient step and the quantity).
   */
  update(): SacUpdateStats {
    if (this.pending && this.asyncUpdate) {
      throw new Error(
        `SacAgent.update: gradientEngine "${this.config.gradientEngine}" reads the GPU ` +
          `asynchronously; call await agent.updateAsync() or agent.stepAsync(), or choose "wasm"`,
      );
    }
    const engine = this.engine;
    const phase = this.#trainingPhase();
    let r = phase.next();
    while (!r.done) {
      let stats;
      try {
        stats = engine.gradientStep(r.value);
      } catch (e) {
        phase.throw(e); // the phase names the environment and gradient step, and rethrows
        throw e;
      }
      r = phase.next(stats);
    }
    return r.value;
  }

  /**
   * {@linkcode SacAgent.update} on any `gradientEngine`, WebGPU included (each gradient step's
   * reads awaited; θ and the Adam moments are copied back to the host after the phase, for
   * acting and checkpoints). `"auto"` decides on the first call: WebGPU on a real GPU adapter,
   * else the WebAssembly engine.
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { SacAgent } from "./sac.ts";
   * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [16], learning_starts: 10, gradient_engine: "auto" }, seed: 0 });
   * while (!agent.updatePending) agent.step();
   * await agent.updateAsync();
   * agent.close();
   * ```
   */
  override async updateAsync(): Promise<SacUpdateStats> {
    // The engine is chosen before the phase fills its batch.
    const engine = this.pending ? await this.#chooseEngine() : this.engine;
    const phase = this.#trainingPhase();
    let r = phase.next();
    while (!r.done) {
      let stats;
      try {
        stats = await engine.gradientStepAsync(r.value);
      } catch (e) {
        phase.throw(e); // the phase names the environment and gradient step, and rethrows
        throw e;
      }
      r = phase.next(stats);
    }
    await engine.sync();
    return r.value;
  }

  /** Whether training needs {@linkcode SacAgent.updateAsync} (a WebGPU or auto engine). */
  override get asyncUpdate(): boolean {
    return this.engine.device === "webgpu" ||
      (!this.#engineChosen && this.config.gradientEngine !== "wasm");
  }

  /** The engine of `gradientEngine` (a WebGPU one takes over the WebAssembly engine's state). */
  async #chooseEngine(): Promise<SacEngine> {
    if (this.#engineChosen) return this.engine;
    const choice = this.config.gradientEngine;
    if (choice === "webgpu" || (choice === "auto" && (await hasRealGpu()))) {
      const gpu = await SacEngine.create(this.spec, {
        batchSize: this.config.batchSize,
        adamEps: this.config.adamEps,
        entCoefInit: this.config.entCoefInit,
        device: "webgpu",
        // An explicit "webgpu" is honoured on a software adapter too (slow, but what was asked).
        allowFallbackGpu: choice === "webgpu",
      });
      gpu.setState(this.engine.getState());
      this.engine.close();
      this.engine = gpu;
    }
    this.#engineChosen = true;
    return this.engine;
  }

  /**
   * The training phase as steps: yields the coefficients of each gradient step after filling
   * the engine's batch and noise, and returns the statistics.
   */
  *#trainingPhase(): Generator<SacStepCoefficients, SacUpdateStats, SacGradientStats> {
    if (!this.pending) {
      throw new Error(
        `SacAgent.update: no training pending at step ${this.numTimesteps} (training follows ` +
          `every trainFreq = ${this.config.trainFreq} steps once t > learningStarts = ` +
          `${this.config.learningStarts}); call step()`,
      );
    }
    const t0 = performance.now();
    const cfg = this.config;
    const n = gradientStepsPerPhase(cfg);
    const engine = this.engine, rng = this.#trainRng;
    // SB3's train() sets the optimisers' lr at the progress_remaining of the last environment
    // step (clamped at 0, as PPO here).
    const learningRate = scheduleValue(
      cfg.learningRateSchedule,
      cfg.learningRate,
      base.progressRemaining(this.numTimesteps, this.totalTimesteps),
    );
    let actorLoss = 0, criticLoss = 0, entCoef = 0, entCoefLoss = 0;
    for (let g = 0; g < n; g++) {
      this.replayBuffer.sampleIndices(cfg.batchSize, rng, this.#indices);
      this.replayBuffer.gather(this.#indices, engine.batch);
      // gSDE: SB3's actor.reset_noise() before every gradient step (one matrix for the batch).
      if (this.spec.sde) rng.fillNormal(engine.noise.sde);
      else {
        rng.fillNormal(engine.noise.current);
        rng.fillNormal(engine.noise.next);
      }
      let s;
      try {
        s = yield {
          gamma: cfg.gamma,
          learningRate,
          tau: cfg.tau,
          polyak: g % cfg.targetUpdateInterval === 0,
          entCoef: cfg.entCoef,
          targetEntropy: this.targetEntropy,
        };
      } catch (e) {
        throw new Error(
          `SAC training at environment step ${this.numTimesteps} (gradient step ` +
            `${this.nUpdates + 1}): ${(e as Error).message}`,
          { cause: e },
        );
      }
      this.nUpdates++;
      actorLoss += s.actorLoss;
      criticLoss += s.criticLoss;
      entCoef += s.entCoef;
      entCoefLoss += s.entCoefLoss;
    }
    return this.finishUpdate(t0, {
      gradientSteps: n,
      learningRate,
      actorLoss: actorLoss / n,
      criticLoss: criticLoss / n,
      entCoef: entCoef / n,
      entCoefLoss: cfg.entCoef === "auto" ? entCoefLoss / n : null,
    });
  }

  /**
   * SB3 `learn(totalTimesteps)`: steps until at least `totalTimesteps` environment steps are
   * taken and the current `trainFreq` collection is complete (SB3's `collect_rollouts` always
   * collects `train_freq` steps), then runs the training phase that the last step made due.
   * Calls `onStep` after every step.
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { SacAgent } from "./sac.ts";
   * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [16] }, seed: 0 });
   * agent.learn(300, (info) => { if (info.episode) console.log(info.episode.return); });
   * ```
   */
  learn(totalTimesteps: number, onStep?: (info: SacStepInfo, agent: SacAgent) => void): void {
    while (this.numTimesteps < totalTimesteps || this.#stepsSinceTrain !== 0) {
      const info = this.step();
      onStep?.(info, this);
    }
    if (this.pending) this.update();
  }

  /**
   * The action for an observation, in the environment's Box: tanh(μ) rescaled
   * (`deterministic`), or a squashed sample from a generator separate from training's.
   *
   * @example
   * ```ts
   * import { makeEnv } from "../../envs/mod.ts";
   * import { SacAgent } from "./sac.ts";
   * const agent = new SacAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [16] }, seed: 0 });
   * const a = agent.predict(new Float32Array([1, 0, 0]), true); // Float32Array(1) in [-2, 2]
   * ```
   */
  predict(obs: ArrayLike<number>, deterministic = false): Float32Array {
    const { obsDim, actDim } = this.spec;
    if (obs.length !== obsDim) {
      throw new RangeError(
        `SacAgent.predict: observation has length ${obs.length}, expected ${obsDim}`,
      );
    }
    const x = Float32Array.from(obs);
    const squashed = new Float32Array(actDim);
    if (deterministic) this.actor.deterministic(this.thetaActor, x, squashed);
    else this.actor.sample(this.thetaActor, x, this.predictRng, squashed);
    return unscaleAction(squashed, this.#low, this.#high, new Float32Array(actDim));
  }

  /**
   * A deep copy of everything needed to resume exactly. `replayData: false` leaves the
   * transitions out (checkpoints store them as incremental chunks).
   */
  getState(options: { replayData?: boolean } = {}): SacAgentState {
    return {
      version: 2,
      algo: "sac",
      config: structuredClone(this.config),
      ...this.counters(),
      engine: this.engine.getState(),
      entCoef: this.entCoef,
      trainRng: this.#trainRng.getState(),
      collector: this.collector.getState(),
      replayBuffer: this.replayBuffer.getState(options.replayData ?? true),
      stepsSinceTrain: this.#stepsSinceTrain,
      ...(this.actor.hasNoise ? { sdeNoise: this.actor.noise.slice() } : {}),
    };
  }

  /**
   * Restores {@linkcode SacAgent.getState} into an agent built with the same environment id and
   * config (the constructor's seed is overwritten). The state must hold the replay data (a
   * checkpoint loaded with `loadCheckpointState` does). Version-1 states are read too.
   */
  setState(state: SacAgentState | SacAgentStateV1): void {
    if ((state?.version !== 1 && state?.version !== 2) || state.algo !== "sac") {
      throw new TypeError(
        `SacAgent.setState: not a SAC agent state (version ${
          (state as { version?: unknown })?.version
        }, algo ${state?.algo})`,
      );
    }
    const s: SacAgentState = state.version === 2 ? state : upgradeStateV1(state);
    if (s.sdeNoise !== undefined && s.sdeNoise.length !== this.actor.noise.length) {
      throw new RangeError(
        `SacAgent.setState: sdeNoise has ${s.sdeNoise.length} entries, expected ` +
          `${this.actor.noise.length} (n_latent × act of this agent's gSDE actor)`,
      );
    }
    // Fields added since the state was written take their defaults (as the constructor does).
    this.restoreShared(s, this.config, makeSacConfig(s.config));
    this.replayBuffer.setState(s.replayBuffer);
    this.engine.setState(s.engine);
    this.#trainRng.setState(s.trainRng);
    this.#stepsSinceTrain = s.stepsSinceTrain;
    if (s.sdeNoise !== undefined && this.spec.sde) {
      this.actor.noise.set(s.sdeNoise);
      this.actor.noiseRestored();
    }
  }

  /** Releases the engine's worker thread (with `threads: 2`) or GPU memory. Idempotent. */
  close(): void {
    this.engine.close();
  }
}

/** A version-1 state in the version-2 layout (SAC does not use episode starts). */
function upgradeStateV1(s: SacAgentStateV1): SacAgentState {
  const { env, lastObs, episodeReturn, episodeLength, ...rest } = s;
  const episodeStart = episodeLength === 0;
  return {
    ...rest,
    version: 2,
    collector: singleEnvCollectorState({
      env,
      lastObs,
      episodeStart,
      episodeReturn,
      episodeLength,
    }),
  };
}
