/**
 * SB3's SAC `MlpPolicy` as two flat parameter vectors (plus a target copy of the critic), and the
 * plain-TypeScript acting path.
 *
 * **θ_actor** (block order; SB3 module in the last column):
 * | blocks | shape | SB3 |
 * |---|---|---|
 * | `latent_pi.i.weight`, `latent_pi.i.bias`, i = 0..L−1 | [h_i, h_{i+1}], [h_{i+1}] | `actor.latent_pi.{2i}` (Linear + ReLU) |
 * | `mu.weight`, `mu.bias` | [h_L, act], [act] | `actor.mu` |
 * | `log_std.weight`, `log_std.bias` | [h_L, act], [act] | `actor.log_std` (state-dependent) |
 * | gSDE instead of `log_std.*`: `log_std` | [h_L, act] (`full_std`) or [h_L, 1] | `actor.log_std` (parameter) |
 *
 * **θ_critic**: `qf0.*` then `qf1.*`, each an MLP on concat(obs, action) with layers
 * `qfj.i.weight` [in, out] and `qfj.i.bias` (SB3 `critic.qf{j}.{2i}`), the last layer the
 * scalar Q head. The target critics have the same layout and are never part of θ_critic.
 *
 * Weights are stored [in, out] (torch's `weight.T`). Initialisation: PyTorch's default
 * `nn.Linear` init, U(±1/√fan_in) for weights and biases, drawn in module-construction order
 * (latent_pi, mu, log_std, then qf0, qf1); the target critic starts as a copy.
 *
 * The policy: log σ = clamp(log_std(s), −20, 2); u = μ(s) + σ ⊙ ε, ε ~ N(0, I); a = tanh(u) ∈
 * (−1, 1)^act; deterministic action tanh(μ(s)). With `useSde` (SB3 `use_sde`) the actor is SB3's
 * gSDE actor (`SquashedGsdeHead` in `../../compute/gsde.ts`): μ = hardtanh(mu(h), ±clipMean),
 * a = tanh(μ + hᵀE) with one exploration matrix E = σ ⊙ ξ redrawn on SB3's schedule (every
 * `sde_sample_freq` collected steps and at each rollout's start; every gradient step in
 * training), `log_std` initialised to `logStdInit`. Actions are rescaled to the environment's Box
 * (`unscaleAction`) and stored in [−1, 1] in the replay buffer.
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
  mlpNetworkWithHeads,
  type MlpSpec,
  type Network,
  type ParamLayout,
  torchDefaultLinearInit,
} from "../../compute/mod.ts";
import { SquashedGaussianHead } from "../../compute/heads.ts";
import {
  SquashedGsdeHead,
  type SquashedGsdeOptions,
  type SquashedGsdeSample,
} from "../../compute/gsde.ts";
import type { SacConfig } from "./config.ts";
import { netArchPart } from "../common/config_schema.ts";

export { LOG_STD_MAX, LOG_STD_MIN, TANH_LOG_EPS } from "../../compute/heads.ts";

/**
 * Geometry of a SAC actor and critic: MLP specs, layouts and head offsets.
 *
 * @example
 * ```ts
 * import { makeSacSpec, type SacSpec } from "./policy.ts";
 * const spec: SacSpec = makeSacSpec(3, 1, { netArch: [256, 256] });
 * spec.actorLayout.size; // 67330
 * spec.criticLayout.size; // 134658
 * ```
 */
export interface SacSpec {
  /** Observation length. */
  obsDim: number;
  /** Action length. */
  actDim: number;
  /** The actor's latent MLP (ReLU after every layer, including the last). */
  latent: MlpSpec;
  /** Width of the latent output (the heads' input). */
  latentDim: number;
  /** The two Q-networks (prefixes `qf0`, `qf1`; input obs + act; output 1). */
  qf: readonly [MlpSpec, MlpSpec];
  /** Layout of θ_actor. */
  actorLayout: ParamLayout;
  /** Layout of θ_critic (and of the target critic). */
  criticLayout: ParamLayout;
  /** The actor as a network over θ_actor: the latent MLP, then the heads [μ | ρ] (gSDE: [μ]). */
  actorNet: Network;
  /** The two Q-networks as networks over θ_critic. */
  qNets: readonly [Network, Network];
  /**
   * Offsets in θ_actor of `mu.weight`, `mu.bias`, `log_std.weight`, `log_std.bias` (gSDE:
   * `logStdWeight` is the `log_std` matrix, `logStdBias` −1).
   */
  heads: { muWeight: number; muBias: number; logStdWeight: number; logStdBias: number };
  /** gSDE settings (SB3 `use_sde`), or null for the state-dependent squashed Gaussian. */
  sde: Readonly<SquashedGsdeOptions> | null;
  /** Parameters of one Q-network; qf1 starts at this offset in θ_critic. */
  qfSize: number;
}

/**
 * Builds the SAC geometry for an observation/action size and a network architecture.
 *
 * @example
 * ```ts
 * import { makeSacSpec } from "./policy.ts";
 * const spec = makeSacSpec(17, 6, { netArch: { pi: [64, 64], qf: [256, 256] } });
 * spec.actorLayout.describe(); // Markdown table of the blocks
 * ```
 */
export function makeSacSpec(
  obsDim: number,
  actDim: number,
  config:
    & Pick<SacConfig, "netArch">
    & Partial<Pick<SacConfig, "useSde" | "fullStd" | "useExpln" | "clipMean">>,
): SacSpec {
  for (const [what, v] of [["obsDim", obsDim], ["actDim", actDim]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`makeSacSpec: ${what} must be a positive integer, got ${v}`);
    }
  }
  const pi = netArchPart(config.netArch, "pi"), qfArch = netArchPart(config.netArch, "qf");
  if (pi.length === 0 || qfArch.length === 0) {
    throw new Error("makeSacSpec: netArch needs at least one hidden layer for actor and critic");
  }
  const latentDim = pi[pi.length - 1];
  const latent: MlpSpec = Object.freeze({
    prefix: "latent_pi",
    inputDim: obsDim,
    hidden: Object.freeze(pi.slice(0, -1)),
    outputDim: latentDim,
    activation: "relu",
    activateOutput: true,
  });
  const qf = [0, 1].map((j) =>
    Object.freeze({
      prefix: `qf${j}`,
      inputDim: obsDim + actDim,
      hidden: Object.freeze([...qfArch]),
      outputDim: 1,
      activation: "relu",
    }) as MlpSpec
  ) as unknown as readonly [MlpSpec, MlpSpec];
  const sde: SquashedGsdeOptions | null = config.useSde
    ? Object.freeze({
      latentDim,
      fullStd: config.fullStd ?? true,
      useExpln: config.useExpln ?? false,
      clipMean: config.clipMean ?? 2,
    })
    : null;
  const actorBuilder = new LayoutBuilder()
    .addAll(mlpBlockSpecs(latent))
    .add("mu.weight", [latentDim, actDim])
    .add("mu.bias", [actDim]);
  const actorLayout = sde
    ? actorBuilder.add("log_std", [latentDim, sde.fullStd ? actDim : 1]).build()
    : actorBuilder.add("log_std.weight", [latentDim, actDim]).add("log_std.bias", [actDim])
      .build();
  const criticLayout = new LayoutBuilder().addAll(mlpBlockSpecs(qf[0]))
    .addAll(mlpBlockSpecs(qf[1])).build();
  return {
    obsDim,
    actDim,
    latent,
    latentDim,
    qf,
    actorLayout,
    criticLayout,
    actorNet: mlpNetworkWithHeads(
      latent,
      actorLayout,
      sde ? [["mu.weight", "mu.bias"]] : [
        ["mu.weight", "mu.bias"],
        ["log_std.weight", "log_std.bias"],
      ],
    ),
    qNets: [mlpNetwork(qf[0], criticLayout), mlpNetwork(qf[1], criticLayout)],
    heads: {
      muWeight: actorLayout.block("mu.weight").offset,
      muBias: actorLayout.block("mu.bias").offset,
      logStdWeight: actorLayout.block(sde ? "log_std" : "log_std.weight").offset,
      logStdBias: sde ? -1 : actorLayout.block("log_std.bias").offset,
    },
    sde,
    qfSize: criticLayout.size / 2,
  };
}

/**
 * Fresh θ_actor and θ_critic with PyTorch's default Linear init, drawn from `rng` in SB3's
 * module-construction order (latent_pi, mu, log_std, qf0, qf1). With gSDE the `log_std` matrix is
 * `logStdInit` everywhere (SB3 default −3) and draws nothing. The target critic is a copy of the
 * critic.
 *
 * @example
 * ```ts
 * import { initSacParams, makeSacSpec } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeSacSpec(3, 1, { netArch: [64, 64] });
 * const { actor, critic } = initSacParams(spec, new Rng(0));
 * ```
 */
export function initSacParams(
  spec: SacSpec,
  rng: Rng,
  logStdInit = -3,
): { actor: Float32Array; critic: Float32Array } {
  const actor = spec.actorLayout.zeros();
  const critic = spec.criticLayout.zeros();
  initMlp(actor, spec.actorLayout, spec.latent, { orthoInit: false, rng });
  const heads = spec.sde
    ? [["mu.weight", "mu.bias"]]
    : [["mu.weight", "mu.bias"], ["log_std.weight", "log_std.bias"]];
  if (spec.sde) spec.actorLayout.view(actor, "log_std").fill(logStdInit);
  for (const [w, b] of heads) {
    const { weight, bias } = torchDefaultLinearInit(spec.latentDim, spec.actDim, rng);
    spec.actorLayout.view(actor, w).set(weight);
    spec.actorLayout.view(actor, b).set(bias);
  }
  for (const q of spec.qf) initMlp(critic, spec.criticLayout, q, { orthoInit: false, rng });
  return { actor, critic };
}

/**
 * SB3 `scale_action`: maps an action in the Box [low, high] to [−1, 1]: 2(a − low)/(high − low) − 1.
 *
 * @example
 * ```ts
 * import { scaleAction } from "./policy.ts";
 * scaleAction([1], new Float32Array([-2]), new Float32Array([2]), new Float32Array(1)); // [0.5]
 * ```
 */
export function scaleAction(
  action: ArrayLike<number>,
  low: Float32Array,
  high: Float32Array,
  out: Float32Array,
): Float32Array {
  for (let d = 0; d < out.length; d++) {
    out[d] = 2 * (action[d] - low[d]) / (high[d] - low[d]) - 1;
  }
  return out;
}

/**
 * SB3 `unscale_action`: maps [−1, 1] to the Box: low + ½(a + 1)(high − low).
 *
 * @example
 * ```ts
 * import { unscaleAction } from "./policy.ts";
 * unscaleAction([0.5], new Float32Array([-2]), new Float32Array([2]), new Float32Array(1)); // [1]
 * ```
 */
export function unscaleAction(
  scaled: ArrayLike<number>,
  low: Float32Array,
  high: Float32Array,
  out: Float32Array,
): Float32Array {
  for (let d = 0; d < out.length; d++) {
    out[d] = low[d] + 0.5 * (scaled[d] + 1) * (high[d] - low[d]);
  }
  return out;
}

/**
 * Plain-TypeScript acting path of the actor (one observation, float64 arithmetic, float32
 * output, no allocation per call).
 *
 * @example
 * ```ts
 * import { initSacParams, makeSacSpec, SacActorCpu } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeSacSpec(3, 1, { netArch: [64, 64] });
 * const { actor } = initSacParams(spec, new Rng(0));
 * const cpu = new SacActorCpu(spec);
 * const a = new Float32Array(1);
 * cpu.sample(actor, new Float32Array([1, 0, 0]), new Rng(1), a); // tanh-squashed, in (−1, 1)
 * cpu.deterministic(actor, new Float32Array([1, 0, 0]), a); // tanh(μ)
 * ```
 */
export class SacActorCpu {
  /** The geometry. */
  readonly spec: SacSpec;
  readonly #z: Float64Array;
  readonly #latent: Float32Array;
  readonly #head: SquashedGaussianHead | SquashedGsdeHead;
  /** gSDE: the standard normals ξ of the exploration matrix E = σ ⊙ ξ (n_latent × act). */
  readonly #xi: Float32Array;
  #hasNoise = false;
  readonly #sdeSample: SquashedGsdeSample | null;

  constructor(spec: SacSpec) {
    this.spec = spec;
    this.#z = new Float64Array(spec.actorNet.layers[spec.actorNet.layers.length - 1].fanOut);
    this.#latent = new Float32Array(spec.latentDim);
    this.#head = spec.sde
      ? new SquashedGsdeHead(spec.actDim, spec.sde)
      : new SquashedGaussianHead(spec.actDim);
    this.#xi = new Float32Array(spec.sde ? spec.latentDim * spec.actDim : 0);
    this.#sdeSample = this.#head instanceof SquashedGsdeHead ? this.#head.newSample(1) : null;
  }

  /**
   * The actor network's outputs [μ(obs) | ρ(obs)] (gSDE: the pre-clip μ) in float64, from the
   * latent features rounded to float32 as the engine's (a view valid until the next call).
   */
  outputs(actor: Float32Array, obs: Float32Array): Float64Array {
    return forwardCpu(this.spec.actorNet, actor, obs, 1, this.#z, this.#latent);
  }

  /**
   * gSDE: draws a new exploration matrix (ξ, one `rng.normal()` per entry, row-major; SB3
   * `actor.reset_noise()`); nothing without gSDE.
   */
  resetNoise(rng: Rng): void {
    if (!this.spec.sde) return;
    rng.fillNormal(this.#xi);
    this.#hasNoise = true;
  }

  /** gSDE: ξ of the current exploration matrix (a view; read for checkpoints, set to restore). */
  get noise(): Float32Array {
    return this.#xi;
  }

  /** gSDE: whether an exploration matrix has been drawn (or restored). */
  get hasNoise(): boolean {
    return this.#hasNoise;
  }

  /** Marks {@linkcode SacActorCpu.noise} as set (after restoring it from a checkpoint). */
  noiseRestored(): void {
    this.#hasNoise = this.spec.sde !== null;
  }

  /**
   * tanh(μ + σ·ε) with one `rng.normal()` per dimension, into `out` (in [−1, 1]); gSDE:
   * tanh(μ + hᵀE) with the current exploration matrix (drawn from `rng` first when there is none).
   */
  sample(actor: Float32Array, obs: Float32Array, rng: Rng, out: Float32Array): Float32Array {
    const head = this.#head, z = this.outputs(actor, obs);
    if (head instanceof SquashedGaussianHead) return this.#checked(head.sampleAction(z, rng, out));
    if (!this.#hasNoise) this.resetNoise(rng);
    const s = this.#sdeSample!;
    const logStdAt = this.spec.heads.logStdWeight;
    head.sample(
      {
        n: 1,
        z,
        zStride: head.actDim,
        latent: this.#latent,
        params: actor,
        paramsOffset: logStdAt,
        xi: this.#xi,
      },
      s,
    );
    out.set(s.actions);
    return this.#checked(out);
  }

  /** The deterministic action tanh(μ) (gSDE: μ clipped at ±clipMean), into `out`. */
  deterministic(actor: Float32Array, obs: Float32Array, out: Float32Array): Float32Array {
    return this.#checked(this.#head.deterministicAction(this.outputs(actor, obs), out));
  }

  #checked(out: Float32Array): Float32Array {
    for (let d = 0; d < this.spec.actDim; d++) {
      if (!Number.isFinite(out[d])) {
        throw new Error(
          `SAC actor: action ${d} is ${out[d]}; the actor parameters or the observation contain ` +
            `NaN/Inf`,
        );
      }
    }
    return out;
  }
}
