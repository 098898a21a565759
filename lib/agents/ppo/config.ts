/**
 * PPO hyperparameters: the typed config, its Stable-Baselines3 1.8.0 defaults, the mapping from
 * SB3 / rl-zoo snake_case names, and validation.
 *
 * Field names are camelCase in TypeScript. Presets and overrides may also use the snake_case
 * names of SB3's `PPO(...)` constructor and of rl-zoo's hyperparameter files; they are mapped by
 * `PPO_SCHEMA.sb3Names`:
 *
 * | SB3 / rl-zoo name | PpoConfig field |
 * |---|---|
 * | `learning_rate` (number, or rl-zoo `"lin_<x>"`) | `learningRate` (+ `learningRateSchedule: "linear"`) |
 * | `n_envs` (rl-zoo) | `nEnvs` |
 * | `n_steps` | `nSteps` |
 * | `batch_size` | `batchSize` |
 * | `n_epochs` | `nEpochs` |
 * | `gamma` | `gamma` |
 * | `gae_lambda` | `gaeLambda` |
 * | `clip_range` (number, or `"lin_<x>"`) | `clipRange` (+ `clipRangeSchedule: "linear"`) |
 * | `clip_range_vf` | `clipRangeVf` |
 * | `ent_coef` | `entCoef` |
 * | `vf_coef` | `vfCoef` |
 * | `max_grad_norm` | `maxGradNorm` |
 * | `normalize_advantage` | `normalizeAdvantage` |
 * | `target_kl` | `targetKl` |
 * | `normalize` (rl-zoo: VecNormalize on/off) | `normalize` |
 * | `policy_kwargs.net_arch` (list, or `dict(pi=[..], vf=[..])`) | `netArch` |
 * | `policy_kwargs.activation_fn` (`"tanh"`, `"relu"`, `"nn.Tanh"`, `"nn.ReLU"`) | `activation` |
 * | `policy_kwargs.ortho_init` | `orthoInit` |
 * | `policy_kwargs.log_std_init` | `logStdInit` |
 * | `use_sde` | `useSde` |
 * | `sde_sample_freq` | `sdeSampleFreq` |
 * | `policy_kwargs.full_std` | `fullStd` |
 * | `policy_kwargs.use_expln` | `useExpln` |
 * | `policy_kwargs.optimizer_kwargs.eps` | `adamEps` |
 *
 * `net_arch`, `activation_fn`, `ortho_init`, `log_std_init`, `full_std` and `use_expln` are also
 * accepted at the top level. `use_sde: true` selects gSDE (`../../compute/gsde.ts`). The schema
 * (one for every agent) is `../common/config_schema.ts`.
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
  netArch,
  nullOr,
  numberIn,
  oneOf,
  positiveNumber,
  type Schedule,
  scheduleValue,
} from "../common/config_schema.ts";

export { type Schedule, scheduleValue };

/**
 * Hidden-layer activation of both MLPs.
 *
 * @example
 * ```ts
 * import type { Activation } from "./config.ts";
 * const a: Activation = "relu";
 * ```
 */
export type Activation = "tanh" | "relu";

/**
 * Hidden-layer sizes: the same list for actor and critic, or separate lists (no shared layers).
 *
 * @example
 * ```ts
 * import type { NetArch } from "./config.ts";
 * const shared: NetArch = [64, 64];
 * const separate: NetArch = { pi: [256, 256], vf: [256, 256] };
 * ```
 */
export type NetArch = number[] | { pi: number[]; vf: number[] };

/**
 * The compute device of the update phase (pgsubspace-specific; all compute the same loss):
 * `"cpu"` float64 in a fixed summation order (bit-reproducible on every machine), `"wasm"`
 * float32 WebAssembly SIMD, `"webgpu"` float32 WGSL kernels on a GPU (any adapter, a software one
 * included), `"auto"` WebGPU on a real (non-fallback) GPU adapter, else `"cpu"`. `"webgpu"` and
 * `"auto"` read the GPU asynchronously: the update runs through `PpoAgent.updateAsync` /
 * `stepAsync` (the training loop's path).
 *
 * @example
 * ```ts
 * import type { GradientEngine } from "./config.ts";
 * const e: GradientEngine = "wasm"; // float32
 * ```
 */
export type GradientEngine = "cpu" | "wasm" | "webgpu" | "auto";

/**
 * PPO hyperparameters (SB3 1.8.0 semantics, single environment).
 *
 * @example
 * ```ts
 * import { makePpoConfig, type PpoConfig } from "./config.ts";
 * const config: PpoConfig = makePpoConfig({ gamma: 0.9 });
 * ```
 */
export interface PpoConfig extends GsdeConfig {
  /** Adam step size (initial value when the schedule is linear). SB3 `learning_rate`. */
  learningRate: number;
  /** `constant`, or `linear`: lr · progress_remaining, progress_remaining = 1 − t/T. */
  learningRateSchedule: Schedule;
  /** Environments stepped together (rl-zoo `n_envs`); a rollout is nSteps × nEnvs transitions. */
  nEnvs: number;
  /** Environment steps per rollout and environment. SB3 `n_steps`. */
  nSteps: number;
  /** Mini-batch size of the update (over nSteps × nEnvs transitions); the last may be smaller. */
  batchSize: number;
  /** Passes over the rollout per update, each over a fresh permutation. */
  nEpochs: number;
  /** Discount factor γ of GAE and of the time-out bootstrap. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** Surrogate clip ε (ratio clipped to [1 − ε, 1 + ε]). */
  clipRange: number;
  /** `constant`, or `linear` (ε · progress_remaining), as rl-zoo's `"lin_0.2"`. */
  clipRangeSchedule: Schedule;
  /** Value clip around the old values; null disables it (SB3 default). */
  clipRangeVf: number | null;
  /** Entropy bonus coefficient c_ent. */
  entCoef: number;
  /** Value-loss coefficient c_vf. */
  vfCoef: number;
  /** Global L2 gradient-norm clip over actor and critic parameters together. */
  maxGradNorm: number;
  /** Normalise advantages per mini-batch: (Â − mean)/(unbiased std + 1e-8). */
  normalizeAdvantage: boolean;
  /** Stop the update's epochs when a mini-batch's approx KL exceeds 1.5·targetKl; null: never. */
  targetKl: number | null;
  /** Hidden layer sizes of the policy (pi) and value (vf) MLPs. */
  netArch: NetArch;
  /** Hidden activation of both MLPs. */
  activation: Activation;
  /** SB3 orthogonal init (gains √2 hidden, 0.01 action head, 1 value head, zero biases); false: PyTorch default init. */
  orthoInit: boolean;
  /** Wrap the environment in VecNormalize (obs and reward normalisation, SB3 defaults). */
  normalize: boolean;
  /** Adam ε (SB3's ActorCriticPolicy default 1e-5). */
  adamEps: number;
  /**
   * Compute device of the update phase: float64 CPU (default, bit-reproducible), float32 WASM,
   * float32 WebGPU, or auto (WebGPU on a real GPU, else CPU); see {@linkcode GradientEngine}.
   */
  gradientEngine: GradientEngine;
}

// The shared gSDE fields, listed one by one below to keep this schema's field order (its
// defaults' key order and the order of its messages).
const gsde = gsdeFields(0);

/**
 * PPO's config schema: SB3 1.8.0 `PPO` defaults with its default `MlpPolicy` (n_envs = 1), the
 * SB3 names and the checks.
 *
 * @example
 * ```ts
 * import { PPO_SCHEMA } from "./config.ts";
 * PPO_SCHEMA.make({ n_steps: 512 }).nSteps; // 512
 * ```
 */
export const PPO_SCHEMA: ConfigSchema<PpoConfig> = defineConfig<PpoConfig>("PPO", {
  ...learningRateFields(3e-4),
  nEnvs: { sb3: "n_envs", default: 1, check: integerFrom(1) },
  nSteps: { sb3: "n_steps", default: 2048, check: integerFrom(2) },
  batchSize: {
    sb3: "batch_size",
    default: 64,
    check: (v, c) => {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) return "an integer ≥ 1";
      const rollout = (c.nSteps as number) * ((c.nEnvs as number) ?? 1);
      if (v > rollout) {
        return `an integer ≤ nSteps × nEnvs = ${rollout} (a mini-batch cannot exceed the ` +
          `rollout; nSteps = ${c.nSteps})`;
      }
      if (c.normalizeAdvantage === true && v < 2) {
        return "an integer ≥ 2 when normalizeAdvantage is true (SB3 asserts batch_size > 1)";
      }
      return null;
    },
  },
  nEpochs: { sb3: "n_epochs", default: 10, check: integerFrom(1) },
  gamma: { sb3: "gamma", default: 0.99, check: numberIn(0, 1, "(]") },
  gaeLambda: { sb3: "gae_lambda", default: 0.95, check: numberIn(0, 1, "[]") },
  clipRange: {
    sb3: "clip_range",
    default: 0.2,
    check: positiveNumber,
    schedule: "clipRangeSchedule",
  },
  clipRangeSchedule: { default: "constant", check: oneOf(["constant", "linear"]) },
  clipRangeVf: { sb3: "clip_range_vf", default: null, check: nullOr(positiveNumber) },
  entCoef: { sb3: "ent_coef", default: 0, check: numberIn(0, Infinity, "[)") },
  vfCoef: { sb3: "vf_coef", default: 0.5, check: numberIn(0, Infinity, "[)") },
  maxGradNorm: { sb3: "max_grad_norm", default: 0.5, check: positiveNumber },
  normalizeAdvantage: { sb3: "normalize_advantage", default: true, check: isBoolean },
  targetKl: { sb3: "target_kl", default: null, check: nullOr(positiveNumber) },
  netArch: { sb3: "net_arch", policyKwarg: true, default: [64, 64], check: netArch(["pi", "vf"]) },
  activation: {
    sb3: "activation_fn",
    policyKwarg: true,
    default: "tanh",
    check: oneOf(["tanh", "relu"]),
    convert: activationName,
  },
  orthoInit: { sb3: "ortho_init", policyKwarg: true, default: true, check: isBoolean },
  logStdInit: gsde.logStdInit,
  useSde: gsde.useSde,
  sdeSampleFreq: gsde.sdeSampleFreq,
  fullStd: gsde.fullStd,
  useExpln: gsde.useExpln,
  normalize: { sb3: "normalize", default: false, check: isBoolean },
  adamEps: { sb3: "adam_eps", default: 1e-5, check: positiveNumber },
  gradientEngine: { default: "cpu", check: oneOf(["cpu", "wasm", "webgpu", "auto"]) },
});

/**
 * SB3 defaults, overridden by `overrides` (camelCase or SB3/rl-zoo snake_case names), validated.
 *
 * @example
 * ```ts
 * import { makePpoConfig } from "./config.ts";
 * const cfg = makePpoConfig({ n_steps: 4096, gamma: 0.9, learningRate: 3e-3 });
 * cfg.nSteps; // 4096
 * ```
 */
export function makePpoConfig(
  overrides: Partial<PpoConfig> | Record<string, unknown> = {},
): PpoConfig {
  return PPO_SCHEMA.make(overrides);
}
