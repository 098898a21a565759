/**
 * SB3 1.8.0 `MlpPolicy` for continuous actions, split into two flat parameter vectors with no
 * shared layers:
 *
 * **θ_actor** (block order):
 * | # | block | shape | SB3 module |
 * |---|---|---|---|
 * | 0, 1 | `pi.0.weight`, `pi.0.bias` | [obs, h1], [h1] | `mlp_extractor.policy_net.0` |
 * | … | `pi.i.weight`, `pi.i.bias` | [h_i, h_{i+1}] | `mlp_extractor.policy_net.2i` |
 * | 2L, 2L+1 | `pi.L.weight`, `pi.L.bias` | [h_L, act], [act] | `action_net` (mean head) |
 * | 2L+2 | `log_std` | [act]; gSDE: [h_L, act] (`full_std`) or [h_L, 1] | `log_std` |
 *
 * **θ_critic**: `vf.0.*` … `vf.L.*`, the last layer being `value_net` ([h_L, 1]).
 *
 * Weights are stored [in, out] (torch's `weight.T`). The policy is a diagonal Gaussian
 * N(μ_θ(s), diag(exp(log_std))²) with a state-independent log_std; log-probabilities and the
 * analytic entropy are summed over action dimensions. Initialisation (SB3): orthogonal with gain
 * √2 for hidden layers, 0.01 for the action head, 1 for the value head, zero biases,
 * log_std = logStdInit; with `orthoInit: false`, PyTorch's default `nn.Linear` init.
 *
 * With `useSde` the policy is SB3's gSDE (`../../compute/gsde.ts`): σ(s)² = Σ_j h_j(s)²·σ_jd² from
 * the pi MLP's last hidden activations h and the log_std matrix, actions μ + hᵀE with a noise
 * matrix E per environment that {@linkcode ActorCriticCpu.resetNoise} redraws (rollout start,
 * every `sde_sample_freq` steps).
 *
 * This module also holds the plain-TypeScript acting path (no tfjs per environment step).
 *
 * @module
 */
import type { Rng } from "../../rng.ts";
import {
  forwardCpu,
  initMlp,
  LayoutBuilder,
  mlpBlockSpecs,
  mlpNetwork,
  type MlpSpec,
  type Network,
  type ParamLayout,
} from "../../compute/mod.ts";
import { GaussianHead } from "../../compute/heads.ts";
import { GsdeHead, type GsdeOptions, gsdeParamCount } from "../../compute/gsde.ts";
import type { HeadOptions } from "../../compute/objectives/mod.ts";
import type { PpoConfig } from "./config.ts";
import { netArchPart } from "../common/config_schema.ts";

export { gaussianEntropy, gaussianLogProb, HALF_LOG_2PI } from "../../compute/heads.ts";

/**
 * Geometry of a PPO actor-critic: MLP specs and the two parameter layouts.
 *
 * @example
 * ```ts
 * import { type ActorCriticSpec, makeActorCriticSpec } from "./policy.ts";
 * const spec: ActorCriticSpec = makeActorCriticSpec(17, 6, { netArch: [64, 64], activation: "tanh" });
 * spec.actorLayout.describe(); // Markdown table of the blocks
 * ```
 */
export interface ActorCriticSpec {
  /** Observation length. */
  obsDim: number;
  /** Action length. */
  actDim: number;
  /** Policy MLP, its last layer is the action-mean head. */
  pi: MlpSpec;
  /** Value MLP, its last layer is the value head. */
  vf: MlpSpec;
  /** Layout of θ_actor: pi MLP blocks, then `log_std`. */
  actorLayout: ParamLayout;
  /** Layout of θ_critic: vf MLP blocks. */
  criticLayout: ParamLayout;
  /** The pi MLP as a network over θ_actor (its output is the action mean). */
  actorNet: Network;
  /** The vf MLP as a network over θ_critic (its output is the value). */
  criticNet: Network;
  /** Offset of `log_std` in θ_actor. */
  logStdOffset: number;
  /** gSDE's settings (the features are the pi MLP's last hidden layer), or null: plain Gaussian. */
  sde: Readonly<GsdeOptions> | null;
}

/**
 * The config fields that shape the actor-critic (gSDE's default off).
 *
 * @example
 * ```ts
 * import type { ActorCriticConfig } from "./policy.ts";
 * const c: ActorCriticConfig = { netArch: [64, 64], activation: "tanh", useSde: true };
 * ```
 */
export type ActorCriticConfig =
  & Pick<PpoConfig, "netArch" | "activation">
  & Partial<Pick<PpoConfig, "useSde" | "fullStd" | "useExpln">>;

/**
 * The policy-gradient objective's head for a spec: `"gaussian"` or `"gsde"` with its settings
 * and the θ offset of `log_std` (training and analysis build their objectives from it).
 *
 * @example
 * ```ts
 * import { actorHead, makeActorCriticSpec } from "./policy.ts";
 * actorHead(makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh", useSde: true })).head; // "gsde"
 * ```
 */
export function actorHead(
  spec: ActorCriticSpec,
): { head: string; headOptions: HeadOptions; headOffset: number } {
  return spec.sde
    ? {
      head: "gsde",
      headOptions: { fullStd: spec.sde.fullStd, useExpln: spec.sde.useExpln },
      headOffset: spec.logStdOffset,
    }
    : { head: "gaussian", headOptions: {}, headOffset: spec.logStdOffset };
}

/**
 * Builds the actor-critic geometry for an observation/action size and a config.
 *
 * @example
 * ```ts
 * import { makeActorCriticSpec } from "./policy.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * spec.actorLayout.size; // 4482  (4481 + log_std)
 * spec.criticLayout.size; // 4481
 * makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh", useSde: true }).actorLayout.size; // 4545
 * ```
 */
export function makeActorCriticSpec(
  obsDim: number,
  actDim: number,
  config: ActorCriticConfig,
): ActorCriticSpec {
  const pi: MlpSpec = Object.freeze({
    prefix: "pi",
    inputDim: obsDim,
    hidden: Object.freeze([...netArchPart(config.netArch, "pi")]),
    outputDim: actDim,
    activation: config.activation,
  });
  const vf: MlpSpec = Object.freeze({
    prefix: "vf",
    inputDim: obsDim,
    hidden: Object.freeze([...netArchPart(config.netArch, "vf")]),
    outputDim: 1,
    activation: config.activation,
  });
  const latentDim = pi.hidden.length > 0 ? pi.hidden[pi.hidden.length - 1] : 0;
  if (config.useSde && latentDim === 0) {
    throw new RangeError(
      "gSDE needs a hidden layer in the policy network (its features); set net_arch or use_sde=false",
    );
  }
  const sde: GsdeOptions | null = config.useSde
    ? Object.freeze({
      latentDim,
      fullStd: config.fullStd ?? true,
      useExpln: config.useExpln ?? false,
    })
    : null;
  const logStdShape = sde ? [latentDim, sde.fullStd ? actDim : 1] : [actDim];
  const actorLayout = new LayoutBuilder().addAll(mlpBlockSpecs(pi)).add("log_std", logStdShape)
    .build();
  const criticLayout = new LayoutBuilder().addAll(mlpBlockSpecs(vf)).build();
  return {
    obsDim,
    actDim,
    pi,
    vf,
    actorLayout,
    criticLayout,
    actorNet: mlpNetwork(pi, actorLayout),
    criticNet: mlpNetwork(vf, criticLayout),
    logStdOffset: actorLayout.block("log_std").offset,
    sde,
  };
}

/**
 * Fresh θ_actor and θ_critic with SB3's initialisation (see the module doc). Draws the actor
 * first, then the critic, from `rng`.
 *
 * @example
 * ```ts
 * import { initActorCritic, makeActorCriticSpec } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * ```
 */
export function initActorCritic(
  spec: ActorCriticSpec,
  config: Pick<PpoConfig, "orthoInit" | "logStdInit">,
  rng: Rng,
): { actor: Float32Array; critic: Float32Array } {
  const actor = spec.actorLayout.zeros();
  const critic = spec.criticLayout.zeros();
  if (config.orthoInit) {
    initMlp(actor, spec.actorLayout, spec.pi, { orthoInit: true, outputGain: 0.01, rng });
    initMlp(critic, spec.criticLayout, spec.vf, { orthoInit: true, outputGain: 1, rng });
  } else {
    initMlp(actor, spec.actorLayout, spec.pi, { orthoInit: false, rng });
    initMlp(critic, spec.criticLayout, spec.vf, { orthoInit: false, rng });
  }
  actor.fill(config.logStdInit, spec.logStdOffset, spec.logStdOffset + logStdSize(spec));
  return { actor, critic };
}

/**
 * Entries of `log_std`: act, or gSDE's matrix.
 *
 * @example
 * ```ts
 * import { logStdSize, makeActorCriticSpec } from "./policy.ts";
 * logStdSize(makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh", useSde: true })); // 64
 * ```
 */
export function logStdSize(spec: ActorCriticSpec): number {
  return spec.sde ? gsdeParamCount(spec.sde, spec.actDim) : spec.actDim;
}

/**
 * Plain-TypeScript acting path: action means, values, sampling and log-probabilities on
 * Float32Arrays, reusing internal buffers (no allocation per call, no tfjs).
 *
 * @example
 * ```ts
 * import { ActorCriticCpu, initActorCritic, makeActorCriticSpec } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * const ac = new ActorCriticCpu(spec);
 * const obs = new Float32Array([1, 0, 0]);
 * const action = new Float32Array(1);
 * const logProb = ac.sample(actor, obs, new Rng(1), action);
 * const v = ac.value(critic, obs);
 * ```
 */
export class ActorCriticCpu {
  /** The geometry. */
  readonly spec: ActorCriticSpec;
  readonly #mean: Float32Array;
  readonly #value = new Float32Array(1);
  readonly #head: GaussianHead;
  readonly #sde: GsdeHead | null;
  readonly #latent: Float32Array;
  /** gSDE: one noise matrix (h_L × act) per environment; empty before the first reset. */
  #noise = new Float32Array(0);
  readonly #freshNoise: Float32Array;

  constructor(spec: ActorCriticSpec) {
    this.spec = spec;
    this.#mean = new Float32Array(spec.actDim);
    this.#head = new GaussianHead(spec.actDim);
    this.#sde = spec.sde ? new GsdeHead(spec.actDim, spec.sde) : null;
    const latentDim = spec.sde?.latentDim ?? 0;
    this.#latent = new Float32Array(latentDim);
    this.#freshNoise = new Float32Array(latentDim * spec.actDim);
  }

  /** μ_θ(obs) for one observation, written into `out` (default: an internal buffer). */
  actionMean(actor: Float32Array, obs: Float32Array, out: Float32Array = this.#mean): Float32Array {
    if (this.#sde) return forwardCpu(this.spec.actorNet, actor, obs, 1, out, this.#latent);
    return forwardCpu(this.spec.actorNet, actor, obs, 1, out);
  }

  /**
   * gSDE (SB3 `reset_noise(n_envs)`): draws one noise matrix per environment, E_jd ~ N(0, σ_jd²)
   * from the current log_std, environment 0 first. No-op without gSDE.
   */
  resetNoise(actor: Float32Array, rng: Rng, nEnvs = 1): void {
    const sde = this.#sde;
    if (!sde) return;
    const size = this.#freshNoise.length;
    if (this.#noise.length !== nEnvs * size) this.#noise = new Float32Array(nEnvs * size);
    for (let e = 0; e < nEnvs; e++) {
      sde.sampleNoise(actor, this.spec.logStdOffset, rng, this.#noise.subarray(e * size));
    }
  }

  /** Whether gSDE noise matrices for `nEnvs` environments are drawn (true without gSDE). */
  hasNoise(nEnvs = 1): boolean {
    return !this.#sde || this.#noise.length === nEnvs * this.#freshNoise.length;
  }

  /** gSDE's current noise matrices (a copy; empty without gSDE or before the first reset). */
  get noise(): Float32Array {
    return this.#noise.slice();
  }

  /** Restores noise matrices saved from {@linkcode ActorCriticCpu.noise}. */
  set noise(value: Float32Array) {
    this.#noise = value.slice();
  }

  /** V_θ(obs) for one observation. */
  value(critic: Float32Array, obs: Float32Array): number {
    forwardCpu(this.spec.criticNet, critic, obs, 1, this.#value);
    return this.#value[0];
  }

  /**
   * Samples a ~ N(μ_θ(obs), σ²) into `outAction` (unclipped, float32) with one `rng.normal()`
   * per dimension, and returns log π(a|obs) computed from the stored float32 action. With gSDE
   * the action is μ + hᵀE with environment `env`'s current noise matrix (`rng` unused).
   */
  sample(
    actor: Float32Array,
    obs: Float32Array,
    rng: Rng,
    outAction: Float32Array,
    env = 0,
  ): number {
    const mean = this.actionMean(actor, obs);
    if (this.#sde) {
      const size = this.#freshNoise.length;
      if (this.#noise.length < (env + 1) * size) {
        throw new Error(
          `gSDE: no noise matrix for environment ${env}; call resetNoise(actor, rng, nEnvs) first`,
        );
      }
      const noise = this.#noise.subarray(env * size, (env + 1) * size);
      return this.#sde.sample(mean, this.#latent, actor, this.spec.logStdOffset, noise, outAction);
    }
    return this.#head.sample(mean, actor, this.spec.logStdOffset, rng, outAction);
  }

  /**
   * A sample with noise of its own: the Gaussian's sample, or with gSDE a fresh noise matrix from
   * `rng` (the training matrices untouched): marginally a ~ N(μ(s), diag σ(s)²).
   */
  sampleFresh(actor: Float32Array, obs: Float32Array, rng: Rng, outAction: Float32Array): number {
    if (!this.#sde) return this.sample(actor, obs, rng, outAction);
    this.#sde.sampleNoise(actor, this.spec.logStdOffset, rng, this.#freshNoise);
    const mean = this.actionMean(actor, obs);
    return this.#sde.sample(
      mean,
      this.#latent,
      actor,
      this.spec.logStdOffset,
      this.#freshNoise,
      outAction,
    );
  }
}
