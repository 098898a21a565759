/**
 * PPO hyperparameters: the typed config, its Stable-Baselines3 1.8.0 defaults, the mapping from
 * SB3 / rl-zoo snake_case names, and validation.
 *
 * Field names are camelCase in TypeScript. Presets and overrides may also use the snake_case
 * names of SB3's `PPO(...)` constructor and of rl-zoo's hyperparameter files; they are mapped by
 * {@linkcode SB3_PPO_NAMES}:
 *
 * | SB3 / rl-zoo name | PpoConfig field |
 * |---|---|
 * | `learning_rate` (number, or rl-zoo `"lin_<x>"`) | `learningRate` (+ `learningRateSchedule: "linear"`) |
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
 * | `policy_kwargs.optimizer_kwargs.eps` | `adamEps` |
 *
 * `net_arch`, `activation_fn`, `ortho_init` and `log_std_init` are also accepted at the top level.
 * `use_sde: true` is rejected: gSDE is not implemented (a plain Gaussian is used instead).
 *
 * @module
 */

/**
 * How a scalar hyperparameter evolves over training (SB3 schedules of `progress_remaining`).
 *
 * @example
 * ```ts
 * import type { Schedule } from "./config.ts";
 * const s: Schedule = "linear";
 * ```
 */
export type Schedule = "constant" | "linear";

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
 * The compute device of the update phase (pgsubspace-specific; both compute the same loss):
 * `"cpu"` float64 in a fixed summation order (bit-reproducible on every machine), `"wasm"`
 * float32 WebAssembly SIMD.
 *
 * @example
 * ```ts
 * import type { GradientEngine } from "./config.ts";
 * const e: GradientEngine = "wasm"; // float32
 * ```
 */
export type GradientEngine = "cpu" | "wasm";

/**
 * PPO hyperparameters (SB3 1.8.0 semantics, single environment).
 *
 * @example
 * ```ts
 * import { makePpoConfig, type PpoConfig } from "./config.ts";
 * const config: PpoConfig = makePpoConfig({ gamma: 0.9 });
 * ```
 */
export interface PpoConfig {
  /** Adam step size (initial value when the schedule is linear). SB3 `learning_rate`. */
  learningRate: number;
  /** `constant`, or `linear`: lr · progress_remaining, progress_remaining = 1 − t/T. */
  learningRateSchedule: Schedule;
  /** Environment steps per rollout (n_envs = 1). SB3 `n_steps`. */
  nSteps: number;
  /** Mini-batch size of the update; the last chunk of an epoch may be smaller. */
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
  /** Initial value of the state-independent log standard deviation. */
  logStdInit: number;
  /** Wrap the environment in VecNormalize (obs and reward normalisation, SB3 defaults). */
  normalize: boolean;
  /** Adam ε (SB3's ActorCriticPolicy default 1e-5). */
  adamEps: number;
  /** Compute device of the update phase: float64 CPU (default, bit-reproducible) or float32 WASM. */
  gradientEngine: GradientEngine;
}

/**
 * SB3 1.8.0 `PPO` defaults with its default `MlpPolicy` (n_envs = 1).
 *
 * @example
 * ```ts
 * import { PPO_DEFAULTS } from "./config.ts";
 * PPO_DEFAULTS.nSteps; // 2048
 * ```
 */
export const PPO_DEFAULTS: Readonly<PpoConfig> = Object.freeze({
  learningRate: 3e-4,
  learningRateSchedule: "constant",
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeSchedule: "constant",
  clipRangeVf: null,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  normalizeAdvantage: true,
  targetKl: null,
  netArch: [64, 64],
  activation: "tanh",
  orthoInit: true,
  logStdInit: 0,
  normalize: false,
  adamEps: 1e-5,
  gradientEngine: "cpu",
} as PpoConfig);

/**
 * SB3 / rl-zoo snake_case name → PpoConfig field (see the module doc for value conversions).
 *
 * @example
 * ```ts
 * import { SB3_PPO_NAMES } from "./config.ts";
 * SB3_PPO_NAMES.gae_lambda; // "gaeLambda"
 * ```
 */
export const SB3_PPO_NAMES: Readonly<Record<string, keyof PpoConfig>> = Object.freeze({
  learning_rate: "learningRate",
  n_steps: "nSteps",
  batch_size: "batchSize",
  n_epochs: "nEpochs",
  gamma: "gamma",
  gae_lambda: "gaeLambda",
  clip_range: "clipRange",
  clip_range_vf: "clipRangeVf",
  ent_coef: "entCoef",
  vf_coef: "vfCoef",
  max_grad_norm: "maxGradNorm",
  normalize_advantage: "normalizeAdvantage",
  target_kl: "targetKl",
  normalize: "normalize",
  net_arch: "netArch",
  activation_fn: "activation",
  ortho_init: "orthoInit",
  log_std_init: "logStdInit",
  adam_eps: "adamEps",
});

const FIELDS = Object.keys(PPO_DEFAULTS) as (keyof PpoConfig)[];

/**
 * Hidden sizes of the policy MLP.
 *
 * @example
 * ```ts
 * import { piArch } from "./config.ts";
 * piArch({ netArch: { pi: [256, 256], vf: [64] } }); // [256, 256]
 * ```
 */
export function piArch(config: Pick<PpoConfig, "netArch">): number[] {
  return Array.isArray(config.netArch) ? config.netArch : config.netArch.pi;
}

/**
 * Hidden sizes of the value MLP.
 *
 * @example
 * ```ts
 * import { vfArch } from "./config.ts";
 * vfArch({ netArch: [64, 64] }); // [64, 64]
 * ```
 */
export function vfArch(config: Pick<PpoConfig, "netArch">): number[] {
  return Array.isArray(config.netArch) ? config.netArch : config.netArch.vf;
}

/**
 * Converts SB3/rl-zoo style hyperparameters (snake_case, `policy_kwargs`, `"lin_x"` schedules,
 * `"nn.Tanh"`) to camelCase PpoConfig fields. camelCase keys pass through unchanged. Does not
 * fill defaults or validate; unknown keys are kept so that validation can name them.
 *
 * @example
 * ```ts
 * import { fromSb3Names } from "./config.ts";
 * fromSb3Names({ learning_rate: "lin_3e-4", policy_kwargs: { net_arch: [256, 256] } });
 * // { learningRate: 3e-4, learningRateSchedule: "linear", netArch: [256, 256] }
 * ```
 */
export function fromSb3Names(
  obj: Partial<PpoConfig> | Record<string, unknown>,
): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`PPO config must be an object, got ${describe(obj)}`);
  }
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, origin: string) => {
    if (key in out) {
      throw new Error(`PPO config: "${origin}" sets ${key}, which is already set by another key`);
    }
    out[key] = value;
  };
  for (const [key, value] of Object.entries(obj)) {
    if (key === "policy_kwargs" || key === "policyKwargs") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new TypeError(`PPO config: policy_kwargs must be an object, got ${describe(value)}`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === "optimizer_kwargs") {
          const eps = (v as Record<string, unknown> | null)?.eps;
          const extra = Object.keys((v ?? {}) as object).filter((x) => x !== "eps");
          if (extra.length > 0) {
            throw new Error(
              `PPO config: policy_kwargs.optimizer_kwargs supports only "eps", got ${extra}`,
            );
          }
          if (eps !== undefined) put("adamEps", eps, "policy_kwargs.optimizer_kwargs.eps");
          continue;
        }
        const field = SB3_PPO_NAMES[k] ?? k;
        put(field, convertValue(field, v), `policy_kwargs.${k}`);
      }
      continue;
    }
    if (key === "use_sde" || key === "useSde") {
      if (value === true) {
        throw new Error(
          "PPO config: use_sde=true (gSDE) is not supported; pgsubspace uses a plain diagonal " +
            "Gaussian. Remove use_sde/sde_sample_freq from the config.",
        );
      }
      continue;
    }
    const field = SB3_PPO_NAMES[key] ?? key;
    if (
      (field === "learningRate" || field === "clipRange") && typeof value === "string"
    ) {
      const m = /^lin_(.+)$/.exec(value);
      const initial = m ? Number(m[1]) : NaN;
      if (!m || !Number.isFinite(initial)) {
        throw new Error(
          `PPO config: ${key} = "${value}" is not a number or an rl-zoo linear schedule ` +
            `"lin_<initial value>"`,
        );
      }
      put(field, initial, key);
      put(field === "learningRate" ? "learningRateSchedule" : "clipRangeSchedule", "linear", key);
      continue;
    }
    put(field, convertValue(field, value), key);
  }
  return out;
}

function convertValue(field: string, value: unknown): unknown {
  if (field === "activation" && typeof value === "string") {
    const v = value.replace(/^(th\.)?nn\./, "").toLowerCase();
    return v;
  }
  return value;
}

/**
 * Checks a complete config object and returns it typed. Rejects unknown fields, missing fields
 * and invalid values with a message naming the field, the value and the valid range. Accepts
 * camelCase names only (run {@linkcode fromSb3Names} first for SB3 names, or use
 * {@linkcode makePpoConfig}).
 *
 * @example
 * ```ts
 * import { PPO_DEFAULTS, validatePpoConfig } from "./config.ts";
 * validatePpoConfig({ ...PPO_DEFAULTS, gamma: 0.9 });
 * // validatePpoConfig({ ...PPO_DEFAULTS, gamma: 1.5 }) throws
 * // "PPO config: gamma = 1.5 is invalid; expected a number in (0, 1]"
 * ```
 */
export function validatePpoConfig(obj: unknown): PpoConfig {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`PPO config must be an object, got ${describe(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `PPO config: unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")}; valid fields: ` +
        `${FIELDS.join(", ")} (or their SB3 snake_case names)`,
    );
  }
  const missing = FIELDS.filter((k) => !(k in o));
  if (missing.length > 0) {
    throw new Error(
      `PPO config: missing field(s) ${missing.join(", ")}; start from PPO_DEFAULTS or use ` +
        `makePpoConfig()`,
    );
  }
  const bad = (field: string, expected: string): never => {
    throw new RangeError(
      `PPO config: ${field} = ${describe(o[field])} is invalid; expected ${expected}`,
    );
  };
  const num = (field: string, lo: number, hi: number, loOpen: boolean, hiOpen: boolean) => {
    const v = o[field];
    const okLo = loOpen ? (v as number) > lo : (v as number) >= lo;
    const okHi = hiOpen ? (v as number) < hi : (v as number) <= hi;
    if (typeof v !== "number" || !Number.isFinite(v) || !okLo || !okHi) {
      bad(field, `a number in ${loOpen ? "(" : "["}${lo}, ${hi}${hiOpen ? ")" : "]"}`);
    }
  };
  const int = (field: string, lo: number) => {
    const v = o[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo) {
      bad(field, `an integer ≥ ${lo}`);
    }
  };
  const oneOf = (field: string, values: readonly unknown[]) => {
    if (!values.includes(o[field])) bad(field, `one of ${values.map((v) => JSON.stringify(v))}`);
  };
  const bool = (field: string) => {
    if (typeof o[field] !== "boolean") bad(field, "true or false");
  };
  num("learningRate", 0, Infinity, true, true);
  oneOf("learningRateSchedule", ["constant", "linear"]);
  int("nSteps", 2);
  int("batchSize", 1);
  if ((o.batchSize as number) > (o.nSteps as number)) {
    bad("batchSize", `an integer ≤ nSteps = ${o.nSteps} (a mini-batch cannot exceed the rollout)`);
  }
  int("nEpochs", 1);
  num("gamma", 0, 1, true, false);
  num("gaeLambda", 0, 1, false, false);
  num("clipRange", 0, Infinity, true, true);
  oneOf("clipRangeSchedule", ["constant", "linear"]);
  if (o.clipRangeVf !== null) num("clipRangeVf", 0, Infinity, true, true);
  num("entCoef", 0, Infinity, false, true);
  num("vfCoef", 0, Infinity, false, true);
  num("maxGradNorm", 0, Infinity, true, true);
  bool("normalizeAdvantage");
  if (o.normalizeAdvantage === true && (o.batchSize as number) < 2) {
    bad("batchSize", "an integer ≥ 2 when normalizeAdvantage is true (SB3 asserts batch_size > 1)");
  }
  if (o.targetKl !== null) num("targetKl", 0, Infinity, true, true);
  const arch = o.netArch;
  const archOk = (a: unknown) =>
    Array.isArray(a) && a.every((h) => typeof h === "number" && Number.isInteger(h) && h >= 1);
  if (
    !(archOk(arch) ||
      (arch !== null && typeof arch === "object" && !Array.isArray(arch) &&
        Object.keys(arch).sort().join() === "pi,vf" &&
        archOk((arch as { pi: unknown }).pi) && archOk((arch as { vf: unknown }).vf)))
  ) {
    bad("netArch", "a list of positive integers (e.g. [64, 64]) or { pi: [...], vf: [...] }");
  }
  oneOf("activation", ["tanh", "relu"]);
  bool("orthoInit");
  num("logStdInit", -Infinity, Infinity, true, true);
  bool("normalize");
  num("adamEps", 0, Infinity, true, true);
  oneOf("gradientEngine", ["cpu", "wasm"]);
  const copy = { ...o } as unknown as PpoConfig;
  copy.netArch = Array.isArray(arch)
    ? [...arch]
    : { pi: [...(arch as { pi: number[] }).pi], vf: [...(arch as { vf: number[] }).vf] };
  return copy;
}

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
  return validatePpoConfig({ ...PPO_DEFAULTS, ...fromSb3Names(overrides) });
}

/**
 * Value of a schedule at SB3's `progress_remaining` (1 at the start of training, 0 at the end).
 *
 * Formula: constant → v; linear → v · progress_remaining.
 *
 * @example
 * ```ts
 * import { scheduleValue } from "./config.ts";
 * scheduleValue("linear", 3e-4, 0.5); // 1.5e-4
 * ```
 */
export function scheduleValue(schedule: Schedule, initial: number, progressRemaining: number) {
  return schedule === "linear" ? initial * progressRemaining : initial;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
