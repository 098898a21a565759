/**
 * SAC hyperparameters: the typed config, Stable-Baselines3's defaults (1.8 / 2.x, identical for
 * SAC), the mapping from SB3 / rl-zoo snake_case names, and validation.
 *
 * | SB3 / rl-zoo name | SacConfig field |
 * |---|---|
 * | `learning_rate` (number, or rl-zoo `"lin_<x>"`) | `learningRate` (+ `learningRateSchedule`; one lr for actor, critic and α, as SB3) |
 * | `buffer_size` | `bufferSize` |
 * | `learning_starts` | `learningStarts` |
 * | `batch_size` | `batchSize` |
 * | `tau` | `tau` |
 * | `gamma` | `gamma` |
 * | `train_freq` (int, or `[n, "step"]`) | `trainFreq` |
 * | `gradient_steps` | `gradientSteps` (−1: as many as environment steps collected) |
 * | `ent_coef` (`"auto"`, `"auto_<init>"` or a number) | `entCoef` (+ `entCoefInit`) |
 * | `target_entropy` (`"auto"` or a number) | `targetEntropy` |
 * | `target_update_interval` | `targetUpdateInterval` |
 * | `policy_kwargs.net_arch` (list, or `dict(pi=[..], qf=[..])`) | `netArch` |
 * | `policy_kwargs.activation_fn` (`"relu"`, `"nn.ReLU"`) | `activation` |
 * | `policy_kwargs.optimizer_kwargs.eps` | `adamEps` |
 * | `use_sde` | `useSde` |
 * | `sde_sample_freq` | `sdeSampleFreq` |
 * | `use_sde_at_warmup` | `useSdeAtWarmup` |
 * | `policy_kwargs.log_std_init` | `logStdInit` |
 * | `policy_kwargs.full_std` | `fullStd` |
 * | `policy_kwargs.use_expln` | `useExpln` |
 * | `policy_kwargs.clip_mean` | `clipMean` |
 *
 * `net_arch`, `activation_fn` and the gSDE policy kwargs are also accepted at the top level.
 * `use_sde: true` selects SB3's gSDE actor (`../../compute/gsde.ts`, `SquashedGsdeHead`). Not
 * supported (rejected with an explanation): `optimize_memory_usage: true`, `n_critics` ≠ 2,
 * `share_features_extractor: true`, `n_envs` ≠ 1, `train_freq` in episodes, and activations
 * other than ReLU (SAC's default). The schema (one for every agent) is
 * `../common/config_schema.ts`.
 *
 * @module
 */
import {
  activationName,
  type ConfigSchema,
  defineConfig,
  type GsdeConfig,
  gsdeFields,
  integerFrom,
  isBoolean,
  learningRateFields,
  literalOr,
  netArch,
  numberIn,
  oneOf,
  positiveNumber,
  type Schedule,
} from "../common/config_schema.ts";

/**
 * Hidden-layer sizes: one list for the actor's latent network and each Q-network, or separate
 * lists (SB3 `dict(pi=[...], qf=[...])`).
 *
 * @example
 * ```ts
 * import type { SacNetArch } from "./config.ts";
 * const shared: SacNetArch = [256, 256];
 * const separate: SacNetArch = { pi: [64, 64], qf: [400, 300] };
 * ```
 */
export type SacNetArch = number[] | { pi: number[]; qf: number[] };

/**
 * SAC hyperparameters (SB3 semantics, one environment).
 *
 * @example
 * ```ts
 * import { makeSacConfig, type SacConfig } from "./config.ts";
 * const config: SacConfig = makeSacConfig({ learning_rate: 1e-3 });
 * ```
 */
export interface SacConfig extends GsdeConfig {
  /** Adam step size of the actor, the critic and log α. SB3 `learning_rate`. */
  learningRate: number;
  /** `constant`, or `linear`: lr · progress_remaining (rl-zoo `"lin_<x>"`). */
  learningRateSchedule: Schedule;
  /** Replay-buffer capacity in transitions (circular). */
  bufferSize: number;
  /** Uniform-random actions for this many first steps; no gradient step until t > learningStarts. */
  learningStarts: number;
  /** Transitions per gradient step, sampled uniformly with replacement. */
  batchSize: number;
  /** Polyak coefficient τ of the target critics. */
  tau: number;
  /** Discount factor γ. */
  gamma: number;
  /** Environment steps between training phases. */
  trainFreq: number;
  /** Gradient steps per training phase; −1: as many as environment steps collected (trainFreq). */
  gradientSteps: number;
  /** Entropy coefficient α: `"auto"` (learned log α) or a fixed number. */
  entCoef: "auto" | number;
  /** Initial α when `entCoef` is `"auto"` (SB3 `"auto_<init>"`, default 1.0). */
  entCoefInit: number;
  /** Target entropy of the α loss: `"auto"` = −dim(A), or a number. */
  targetEntropy: "auto" | number;
  /** Polyak-update the targets when (gradient step index within a training phase) % this = 0. */
  targetUpdateInterval: number;
  /** Hidden sizes of the actor's latent network and of each Q-network. */
  netArch: SacNetArch;
  /** Hidden activation (ReLU only; SB3's SAC default). */
  activation: "relu";
  /** Adam ε (SB3's SAC default 1e-8; the paper's submission-era runs forced 1e-5). */
  adamEps: number;
  /**
   * Device of the gradient steps (pgsubspace-specific): `"wasm"` (float32 WebAssembly SIMD,
   * default), `"webgpu"` (float32 WGSL kernels on any adapter, a software one included) or
   * `"auto"` (WebGPU on a real, non-fallback GPU adapter, else `"wasm"`). `"webgpu"` and `"auto"`
   * train through `SacAgent.updateAsync` / `stepAsync` (the training loop's path).
   */
  gradientEngine: "wasm" | "webgpu" | "auto";
  /** gSDE: act with the policy (not uniformly) during the learningStarts warm-up. */
  useSdeAtWarmup: boolean;
  /** gSDE: μ = hardtanh(μ, ±clipMean) when > 0 (SB3 default 2.0). */
  clipMean: number;
}

// The shared gSDE fields, listed one by one below to keep this schema's field order (its
// defaults' key order and the order of its messages).
const gsde = gsdeFields(-3);

/**
 * SAC's config schema: SB3 `SAC` defaults with its default `MlpPolicy`, the SB3 names, the
 * value forms (`"auto_0.1"`, `[1, "step"]`) and the checks.
 *
 * @example
 * ```ts
 * import { SAC_SCHEMA } from "./config.ts";
 * SAC_SCHEMA.make({ ent_coef: "auto_0.1" }).entCoefInit; // 0.1
 * ```
 */
export const SAC_SCHEMA: ConfigSchema<SacConfig> = defineConfig<SacConfig>("SAC", {
  ...learningRateFields(3e-4),
  bufferSize: { sb3: "buffer_size", default: 1_000_000, check: integerFrom(1) },
  learningStarts: { sb3: "learning_starts", default: 100, check: integerFrom(0) },
  batchSize: { sb3: "batch_size", default: 256, check: integerFrom(1) },
  tau: { sb3: "tau", default: 0.005, check: numberIn(0, 1, "[]") },
  gamma: { sb3: "gamma", default: 0.99, check: numberIn(0, 1, "[]") },
  trainFreq: {
    sb3: "train_freq",
    default: 1,
    check: integerFrom(1),
    convert: (value, origin) => {
      if (!Array.isArray(value)) return { trainFreq: value };
      if (value.length !== 2 || value[1] !== "step") {
        throw new Error(
          `SAC config: ${origin} = ${JSON.stringify(value)} is not supported: train_freq must ` +
            `count steps, e.g. 64 or [64, "step"]`,
        );
      }
      return { trainFreq: value[0] };
    },
  },
  gradientSteps: {
    sb3: "gradient_steps",
    default: 1,
    check: (v, c) => v === -1 ? null : integerFrom(0)(v, c) && "an integer ≥ 0, or −1",
  },
  entCoef: {
    sb3: "ent_coef",
    default: "auto",
    check: literalOr("auto", numberIn(0, Infinity, "[)")),
    convert: (value, origin) => {
      if (typeof value !== "string") return { entCoef: value };
      const m = /^auto(?:_(.+))?$/.exec(value);
      const init = m?.[1] === undefined ? 1.0 : Number(m[1]);
      if (!m || !Number.isFinite(init)) {
        throw new Error(
          `SAC config: ${origin} = "${value}" is not "auto", "auto_<initial α>" or a number`,
        );
      }
      return m[1] === undefined ? { entCoef: "auto" } : { entCoef: "auto", entCoefInit: init };
    },
  },
  entCoefInit: { default: 1.0, check: positiveNumber },
  targetEntropy: {
    sb3: "target_entropy",
    default: "auto",
    check: literalOr("auto", numberIn(-Infinity, Infinity, "()")),
  },
  targetUpdateInterval: { sb3: "target_update_interval", default: 1, check: integerFrom(1) },
  netArch: {
    sb3: "net_arch",
    policyKwarg: true,
    default: [256, 256],
    check: netArch(["pi", "qf"], false),
  },
  activation: {
    sb3: "activation_fn",
    policyKwarg: true,
    default: "relu",
    check: (v) => v === "relu" ? null : '"relu" (SB3\'s SAC default; the one SAC supports here)',
    convert: activationName,
  },
  adamEps: { sb3: "adam_eps", default: 1e-8, check: positiveNumber },
  gradientEngine: { default: "wasm", check: oneOf(["wasm", "webgpu", "auto"]) },
  useSde: gsde.useSde,
  sdeSampleFreq: gsde.sdeSampleFreq,
  useSdeAtWarmup: { sb3: "use_sde_at_warmup", default: false, check: isBoolean },
  logStdInit: gsde.logStdInit,
  fullStd: gsde.fullStd,
  useExpln: gsde.useExpln,
  clipMean: {
    sb3: "clip_mean",
    policyKwarg: true,
    default: 2.0,
    check: numberIn(-Infinity, Infinity, "()"),
  },
}, {
  rejected: {
    optimize_memory_usage: (v) =>
      v === true ? "the replay buffer always stores next observations" : null,
    n_critics: (v) => v !== 2 ? "SAC here always has two Q-networks (SB3's default)" : null,
    share_features_extractor: (v) =>
      v !== false ? "actor and critic never share layers (SB3's default)" : null,
    n_envs: (v) => v !== 1 ? "SAC collects from one environment here" : null,
  },
});

/**
 * SB3 defaults, overridden by `overrides` (camelCase or SB3/rl-zoo names), validated.
 *
 * @example
 * ```ts
 * import { makeSacConfig } from "./config.ts";
 * const cfg = makeSacConfig({ learning_rate: 1e-3, net_arch: [64, 64] });
 * cfg.netArch; // [64, 64]
 * ```
 */
export function makeSacConfig(
  overrides: Partial<SacConfig> | Record<string, unknown> = {},
): SacConfig {
  return SAC_SCHEMA.make(overrides);
}

/**
 * Gradient steps of one training phase: `gradientSteps`, or the steps collected (trainFreq)
 * when it is −1 (SB3: `rollout.episode_timesteps`).
 *
 * @example
 * ```ts
 * import { gradientStepsPerPhase, makeSacConfig } from "./config.ts";
 * gradientStepsPerPhase(makeSacConfig({ train_freq: 64, gradient_steps: -1 })); // 64
 * ```
 */
export function gradientStepsPerPhase(config: SacConfig): number {
  return config.gradientSteps === -1 ? config.trainFreq : config.gradientSteps;
}
