/**
 * PPO's rollout collection, SB3 1.8.0 `collect_rollouts`, written once for training
 * ({@linkcode PpoAgent}) and for the analysis' fresh rollouts ({@linkcode collectRollout}).
 *
 * One step of `nEnvs` environments:
 * 0. with gSDE, new noise matrices (one per environment) at the rollout's first step and every
 *    `sdeSampleFreq` steps (SB3 `reset_noise`; −1 or 0: only at the rollout's start);
 * 1. each environment's action is sampled from the current policy on its (normalised) last
 *    observation, with V(s) and log π(a|s) (environment 0's noise first, as torch samples a
 *    batch row by row);
 * 2. the environments step with the actions clipped to the Box (the buffer keeps the unclipped
 *    sample), through the {@linkcode EnvCollector} (Monitor, auto-reset, VecNormalize);
 * 3. time-out bootstrap: r ← r + γ·V(terminal obs) where an episode was truncated;
 * 4. each environment's transition goes to its rows of the rollout buffer, with the
 *    episode-start flag of the observation the action was chosen from.
 * When the buffer is full, GAE runs per environment with V(next obs) and the last done flags.
 *
 * @module
 */
import type { Rng } from "../../rng.ts";
import type { Env } from "../../envs/mod.ts";
import {
  clipToBox,
  type CollectedStep,
  EnvCollector,
  type TransitionBatch,
} from "../common/collector.ts";
import { RolloutBuffer, type RolloutColumns } from "../common/rollout_buffer.ts";
import { VecNormalize, type VecNormalizeState } from "../common/vec_normalize.ts";
import { ActorCriticCpu, type ActorCriticSpec } from "./policy.ts";

/**
 * What one {@linkcode PpoRolloutCollector.step} did.
 *
 * @example
 * ```ts
 * import type { PpoCollectedStep } from "./rollout.ts";
 * const done = (s: PpoCollectedStep) => s.rolloutComplete;
 * ```
 */
export interface PpoCollectedStep {
  /** The environments' step (rewards after the bootstrap; reused by the next step). */
  step: CollectedStep;
  /** The step filled the buffer and GAE was computed. */
  rolloutComplete: boolean;
}

/**
 * Collects PPO rollouts into a {@linkcode RolloutBuffer} (see the module doc).
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { Rng } from "../../rng.ts";
 * import { EnvCollector } from "../common/collector.ts";
 * import { RolloutBuffer, type RolloutColumns } from "../common/rollout_buffer.ts";
 * import { ActorCriticCpu, initActorCritic, makeActorCriticSpec } from "./policy.ts";
 * import { PpoRolloutCollector } from "./rollout.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * const collector = new EnvCollector({ envs: [makeEnv("Pendulum-v1")] });
 * collector.reset(0);
 * const buffer = new RolloutBuffer({ size: 4, obsDim: 3, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
 * const rollout = new PpoRolloutCollector(collector, new ActorCriticCpu(spec), buffer);
 * for (let t = 1; t <= 4; t++) rollout.step(actor, critic, new Rng(1), 0.99, t);
 * buffer.computed; // true
 * ```
 */
export class PpoRolloutCollector {
  /** The environments. */
  readonly collector: EnvCollector;
  /** The CPU acting path. */
  readonly policy: ActorCriticCpu;
  /** Where the transitions go. */
  readonly buffer: RolloutBuffer;
  readonly #actions: Float32Array;
  readonly #envActions: Float32Array;
  readonly #values: Float64Array;
  readonly #logProbs: Float64Array;
  readonly #starts: Uint8Array;
  /** gSDE's resampling period in steps (≤ 0: at rollout start only). */
  readonly sdeSampleFreq: number;

  constructor(
    collector: EnvCollector,
    policy: ActorCriticCpu,
    buffer: RolloutBuffer,
    sdeSampleFreq = -1,
  ) {
    if (buffer.nEnvs !== collector.nEnvs) {
      throw new RangeError(
        `PpoRolloutCollector: the buffer has ${buffer.nEnvs} environments, the collector ` +
          `${collector.nEnvs}`,
      );
    }
    this.collector = collector;
    this.policy = policy;
    this.buffer = buffer;
    const n = collector.nEnvs;
    this.#actions = new Float32Array(n * collector.actDim);
    this.#envActions = new Float32Array(n * collector.actDim);
    this.#values = new Float64Array(n);
    this.#logProbs = new Float64Array(n);
    this.#starts = new Uint8Array(n);
    this.sdeSampleFreq = sdeSampleFreq;
  }

  /**
   * One step of every environment into the buffer; computes GAE when the buffer fills.
   *
   * @param gamma the agent's γ (time-out bootstrap).
   * @param endTimestep the agent's step count after this step.
   * @throws Error on a non-finite policy output or reward (the message names the quantity).
   */
  step(
    thetaActor: Float32Array,
    thetaCritic: Float32Array,
    rng: Rng,
    gamma: number,
    endTimestep: number,
  ): PpoCollectedStep {
    const { collector, policy, buffer } = this;
    const n = collector.nEnvs, a = collector.actDim;
    const actions = this.#actions;
    const freq = this.sdeSampleFreq, pos = buffer.pos;
    if (
      policy.spec.sde && (pos === 0 || (freq > 0 && pos % freq === 0) || !policy.hasNoise(n))
    ) {
      policy.resetNoise(thetaActor, rng, n);
    }
    for (let i = 0; i < n; i++) {
      const obs = collector.obsOf(i);
      const action = n === 1 ? actions : actions.subarray(i * a, (i + 1) * a);
      const logProb = policy.sample(thetaActor, obs, rng, action, i);
      const value = policy.value(thetaCritic, obs);
      if (!Number.isFinite(logProb) || !Number.isFinite(value)) {
        throw new Error(
          `non-finite policy output (log-prob ${logProb}, value ${value}, action [${action}]` +
            `${n > 1 ? `, environment ${i}` : ""}); the parameters diverged`,
        );
      }
      this.#logProbs[i] = logProb;
      this.#values[i] = value;
    }
    const { low, high } = collector.envs[0].actionSpace;
    clipToBox(actions, low, high, this.#envActions);
    for (let i = 0; i < n; i++) this.#starts[i] = collector.episodeStarts[i];
    const step = collector.step(this.#envActions, endTimestep);
    collector.bootstrapTimeouts(step, gamma, (obs) => policy.value(thetaCritic, obs));
    for (let i = 0; i < n; i++) {
      buffer.add(
        collector.prevObsOf(i),
        n === 1 ? actions : actions.subarray(i * a, (i + 1) * a),
        step.rewards[i],
        this.#starts[i] === 1,
        this.#values[i],
        this.#logProbs[i],
        i,
      );
    }
    const rolloutComplete = buffer.full;
    if (rolloutComplete) {
      const lastValues = new Float64Array(n);
      for (let i = 0; i < n; i++) lastValues[i] = policy.value(thetaCritic, collector.obsOf(i));
      buffer.computeReturnsAndAdvantage(n === 1 ? lastValues[0] : lastValues, step.dones);
    }
    return { step, rolloutComplete };
  }
}

/**
 * Options of {@linkcode collectRollout}.
 *
 * @example
 * ```ts
 * import type { PpoRolloutOptions } from "./rollout.ts";
 * function withSamples(o: PpoRolloutOptions, samples: number): PpoRolloutOptions {
 *   return { ...o, samples };
 * }
 * ```
 */
export interface PpoRolloutOptions {
  /** Network geometry. */
  spec: ActorCriticSpec;
  /** θ_actor of the checkpoint. */
  thetaActor: Float32Array;
  /** θ_critic of the checkpoint. */
  thetaCritic: Float32Array;
  /**
   * A fresh environment (wrapped in its TimeLimit, e.g. `makeEnv(id)`), or several stepped
   * together (then `samples` must be a multiple of their number).
   */
  env: Env | readonly Env[];
  /** The checkpoint's VecNormalize statistics (used frozen), or null when training used none. */
  vecNormalize: VecNormalizeState | null;
  /** Samples to collect (transitions over all environments). */
  samples: number;
  /** The agent's γ: the time-out bootstrap, and GAE unless `gaeGamma` is given. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** GAE's γ when it differs from the bootstrap's (the analysis' §5.2 quirk); default `gamma`. */
  gaeGamma?: number;
  /** gSDE (a spec with `sde`): the checkpoint's `sdeSampleFreq` (default −1: rollout start only). */
  sdeSampleFreq?: number;
  /** Seed of the environments' first reset (environment i: envSeed + i). */
  envSeed: number;
  /** Generator of the action noise. */
  rng: Rng;
}

/**
 * A collected rollout with GAE (float32 arrays, row-major; with several environments, SB3's
 * flattened order: environment e's step t at row e·(samples/nEnvs) + t).
 *
 * @example
 * ```ts
 * import type { PpoRollout } from "./rollout.ts";
 * function meanAdvantage(r: PpoRollout): number {
 *   return r.advantages.reduce((a, b) => a + b, 0) / r.n;
 * }
 * ```
 */
export interface PpoRollout extends TransitionBatch, RolloutColumns {
  /** Raw (unnormalised) returns of the episodes completed inside the rollout. */
  episodeReturns: number[];
}

/**
 * Rolls out a checkpoint's stochastic policy for `samples` transitions with SB3's collection
 * semantics and a **frozen** VecNormalize (SB3 `training = False`: observations normalised with
 * the frozen statistics, rewards divided by the frozen return std, both clipped to ±10), then
 * computes GAE. Episodes start at reset, so the data is whole episodes cut at the sample count.
 *
 * @example
 * ```ts
 * import { makeEnv } from "../../envs/mod.ts";
 * import { Rng } from "../../rng.ts";
 * import { initActorCritic, makeActorCriticSpec } from "./policy.ts";
 * import { collectRollout } from "./rollout.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * const rollout = collectRollout({
 *   spec, thetaActor: actor, thetaCritic: critic, env: makeEnv("Pendulum-v1"), vecNormalize: null,
 *   samples: 1000, gamma: 0.9, gaeLambda: 0.95, envSeed: 1, rng: new Rng(2),
 * });
 * rollout.episodeReturns.length; // 5 Pendulum episodes of 200 steps
 * ```
 */
export function collectRollout(options: PpoRolloutOptions): PpoRollout {
  const { spec, thetaActor, thetaCritic, samples, gamma, gaeLambda, rng } = options;
  const { obsDim, actDim } = spec;
  const envs = Array.isArray(options.env) ? options.env : [options.env as Env];
  const nEnvs = envs.length;
  if (!Number.isSafeInteger(samples) || samples < 1 || samples % nEnvs !== 0) {
    throw new RangeError(
      `collectRollout: samples must be a positive integer${
        nEnvs > 1 ? ` and a multiple of the ${nEnvs} environments` : ""
      }, got ${samples}`,
    );
  }
  for (const env of envs) {
    if (env.observationSpace.size !== obsDim || env.actionSpace.size !== actDim) {
      throw new Error(
        `collectRollout: the environment has observation/action sizes ` +
          `${env.observationSpace.size}/${env.actionSpace.size}, the networks ${obsDim}/${actDim}`,
      );
    }
  }
  let normalizer: VecNormalize | null = null;
  if (options.vecNormalize) {
    normalizer = new VecNormalize(obsDim, { nEnvs });
    normalizer.setState(
      nEnvs === 1
        ? options.vecNormalize
        : { ...options.vecNormalize, returns: Array(nEnvs).fill(0) },
    );
    normalizer.training = false; // frozen statistics, as SB3 evaluation/analysis
  }
  const collector = new EnvCollector({ envs, vecNormalize: normalizer });
  collector.reset(options.envSeed);
  const buffer = new RolloutBuffer({
    size: samples / nEnvs,
    nEnvs,
    obsDim,
    actDim,
    gamma: options.gaeGamma ?? gamma,
    gaeLambda,
  });
  const rollout = new PpoRolloutCollector(
    collector,
    new ActorCriticCpu(spec),
    buffer,
    options.sdeSampleFreq ?? -1,
  );
  const episodeReturns: number[] = [];
  for (let t = 0; t < samples; t += nEnvs) {
    let collected: PpoCollectedStep;
    try {
      collected = rollout.step(thetaActor, thetaCritic, rng, gamma, t + nEnvs);
    } catch (e) {
      throw new Error(
        `collectRollout: at sample ${t}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    for (const episode of collected.step.episodes) episodeReturns.push(episode.return);
  }
  return {
    n: samples,
    obsDim,
    actDim,
    observations: buffer.observations,
    actions: buffer.actions,
    rewards: buffer.rewards,
    episodeStarts: buffer.episodeStarts,
    values: buffer.values,
    logProbs: buffer.logProbs,
    advantages: buffer.advantages,
    returns: buffer.returns,
    episodeReturns,
  };
}
