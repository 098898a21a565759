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
 * | 2L+2 | `log_std` | [act] | `log_std` |
 *
 * **θ_critic**: `vf.0.*` … `vf.L.*`, the last layer being `value_net` ([h_L, 1]).
 *
 * Weights are stored [in, out] (torch's `weight.T`). The policy is a diagonal Gaussian
 * N(μ_θ(s), diag(exp(log_std))²) with a state-independent log_std; log-probabilities and the
 * analytic entropy are summed over action dimensions. Initialisation (SB3): orthogonal with gain
 * √2 for hidden layers, 0.01 for the action head, 1 for the value head, zero biases,
 * log_std = logStdInit; with `orthoInit: false`, PyTorch's default `nn.Linear` init.
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
 * ```
 */
export function makeActorCriticSpec(
  obsDim: number,
  actDim: number,
  config: Pick<PpoConfig, "netArch" | "activation">,
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
  const actorLayout = new LayoutBuilder().addAll(mlpBlockSpecs(pi)).add("log_std", [actDim])
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
  actor.fill(config.logStdInit, spec.logStdOffset, spec.logStdOffset + spec.actDim);
  return { actor, critic };
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

  constructor(spec: ActorCriticSpec) {
    this.spec = spec;
    this.#mean = new Float32Array(spec.actDim);
    this.#head = new GaussianHead(spec.actDim);
  }

  /** μ_θ(obs) for one observation, written into `out` (default: an internal buffer). */
  actionMean(actor: Float32Array, obs: Float32Array, out: Float32Array = this.#mean): Float32Array {
    return forwardCpu(this.spec.actorNet, actor, obs, 1, out);
  }

  /** V_θ(obs) for one observation. */
  value(critic: Float32Array, obs: Float32Array): number {
    forwardCpu(this.spec.criticNet, critic, obs, 1, this.#value);
    return this.#value[0];
  }

  /**
   * Samples a ~ N(μ_θ(obs), σ²) into `outAction` (unclipped, float32) with one `rng.normal()`
   * per dimension, and returns log π(a|obs) computed from the stored float32 action.
   */
  sample(actor: Float32Array, obs: Float32Array, rng: Rng, outAction: Float32Array): number {
    return this.#head.sample(
      this.actionMean(actor, obs),
      actor,
      this.spec.logStdOffset,
      rng,
      outAction,
    );
  }
}
