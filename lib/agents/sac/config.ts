/**
 * SAC hyperparameters: the typed config, Stable-Baselines3's defaults (1.8 / 2.x, identical for
 * SAC), the mapping from SB3 / rl-zoo snake_case names, and validation.
 *
 * | SB3 / rl-zoo name | SacConfig field |
 * |---|---|
 * | `learning_rate` | `learningRate` (one lr for actor, critic and α, as SB3) |
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
 *
 * `net_arch` and `activation_fn` are also accepted at the top level. Not supported (rejected with
 * an explanation): `use_sde: true` (gSDE), `optimize_memory_usage: true`, `n_critics` ≠ 2,
 * `share_features_extractor: true`, learning-rate schedules, `train_freq` in episodes, and
 * activations other than ReLU (the SAC engine's kernels fuse ReLU).
 *
 * @module
 */

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
export interface SacConfig {
  /** Adam step size of the actor, the critic and log α. SB3 `learning_rate`. */
  learningRate: number;
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
}

/**
 * SB3 `SAC` defaults with its default `MlpPolicy`.
 *
 * @example
 * ```ts
 * import { SAC_DEFAULTS } from "./config.ts";
 * SAC_DEFAULTS.batchSize; // 256
 * ```
 */
export const SAC_DEFAULTS: Readonly<SacConfig> = Object.freeze({
  learningRate: 3e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 256,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 1,
  entCoef: "auto",
  entCoefInit: 1.0,
  targetEntropy: "auto",
  targetUpdateInterval: 1,
  netArch: [256, 256],
  activation: "relu",
  adamEps: 1e-8,
} as SacConfig);

/**
 * SB3 / rl-zoo snake_case name → SacConfig field.
 *
 * @example
 * ```ts
 * import { SB3_SAC_NAMES } from "./config.ts";
 * SB3_SAC_NAMES.learning_starts; // "learningStarts"
 * ```
 */
export const SB3_SAC_NAMES: Readonly<Record<string, keyof SacConfig>> = Object.freeze({
  learning_rate: "learningRate",
  buffer_size: "bufferSize",
  learning_starts: "learningStarts",
  batch_size: "batchSize",
  tau: "tau",
  gamma: "gamma",
  train_freq: "trainFreq",
  gradient_steps: "gradientSteps",
  ent_coef: "entCoef",
  target_entropy: "targetEntropy",
  target_update_interval: "targetUpdateInterval",
  net_arch: "netArch",
  activation_fn: "activation",
  adam_eps: "adamEps",
});

const FIELDS = Object.keys(SAC_DEFAULTS) as (keyof SacConfig)[];

/**
 * Hidden sizes of the actor's latent network.
 *
 * @example
 * ```ts
 * import { sacPiArch } from "./config.ts";
 * sacPiArch({ netArch: { pi: [64, 64], qf: [256, 256] } }); // [64, 64]
 * ```
 */
export function sacPiArch(config: Pick<SacConfig, "netArch">): number[] {
  return Array.isArray(config.netArch) ? config.netArch : config.netArch.pi;
}

/**
 * Hidden sizes of each Q-network.
 *
 * @example
 * ```ts
 * import { sacQfArch } from "./config.ts";
 * sacQfArch({ netArch: [256, 256] }); // [256, 256]
 * ```
 */
export function sacQfArch(config: Pick<SacConfig, "netArch">): number[] {
  return Array.isArray(config.netArch) ? config.netArch : config.netArch.qf;
}

/**
 * Converts SB3/rl-zoo style hyperparameters (snake_case, `policy_kwargs`, `"auto_0.1"`,
 * `[1, "step"]`, `"nn.ReLU"`) to camelCase SacConfig fields; camelCase keys pass through.
 * Unsupported SB3 options are rejected with the reason. Does not fill defaults or validate.
 *
 * @example
 * ```ts
 * import { sacFromSb3Names } from "./config.ts";
 * sacFromSb3Names({ ent_coef: "auto_0.1", policy_kwargs: { net_arch: [64, 64] } });
 * // { entCoef: "auto", entCoefInit: 0.1, netArch: [64, 64] }
 * ```
 */
export function sacFromSb3Names(
  obj: Partial<SacConfig> | Record<string, unknown>,
): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`SAC config must be an object, got ${describe(obj)}`);
  }
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, origin: string) => {
    if (key in out) {
      throw new Error(`SAC config: "${origin}" sets ${key}, which is already set by another key`);
    }
    out[key] = value;
  };
  const handle = (key: string, value: unknown, origin: string) => {
    const unsupported = (why: string): never => {
      throw new Error(`SAC config: ${origin} = ${describe(value)} is not supported: ${why}`);
    };
    switch (key) {
      case "use_sde":
      case "useSde":
        if (value === true) {
          unsupported(
            "gSDE is not implemented; pgsubspace uses SB3's plain squashed Gaussian. Remove " +
              "use_sde/sde_sample_freq/log_std_init from the config",
          );
        }
        return;
      case "optimize_memory_usage":
        if (value === true) unsupported("the replay buffer always stores next observations");
        return;
      case "n_critics":
        if (value !== 2) unsupported("SAC here always has two Q-networks (SB3's default)");
        return;
      case "share_features_extractor":
        if (value !== false) unsupported("actor and critic never share layers (SB3's default)");
        return;
    }
    const field = SB3_SAC_NAMES[key] ?? key;
    if (field === "entCoef" && typeof value === "string") {
      const m = /^auto(?:_(.+))?$/.exec(value);
      const init = m?.[1] === undefined ? 1.0 : Number(m[1]);
      if (!m || !Number.isFinite(init)) {
        throw new Error(
          `SAC config: ${origin} = "${value}" is not "auto", "auto_<initial α>" or a number`,
        );
      }
      put("entCoef", "auto", origin);
      if (m[1] !== undefined) put("entCoefInit", init, origin);
      return;
    }
    if (field === "trainFreq" && Array.isArray(value)) {
      if (value.length !== 2 || value[1] !== "step") {
        unsupported('train_freq must count steps, e.g. 64 or [64, "step"]');
      }
      put("trainFreq", value[0], origin);
      return;
    }
    if (field === "learningRate" && typeof value === "string") {
      unsupported("learning-rate schedules are not implemented for SAC; give a number");
    }
    if (field === "activation" && typeof value === "string") {
      put(field, value.replace(/^(th\.)?nn\./, "").toLowerCase(), origin);
      return;
    }
    put(field, value, origin);
  };
  for (const [key, value] of Object.entries(obj)) {
    if (key === "policy_kwargs" || key === "policyKwargs") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new TypeError(`SAC config: policy_kwargs must be an object, got ${describe(value)}`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === "optimizer_kwargs") {
          const extra = Object.keys((v ?? {}) as object).filter((x) => x !== "eps");
          if (extra.length > 0) {
            throw new Error(
              `SAC config: policy_kwargs.optimizer_kwargs supports only "eps", got ${extra}`,
            );
          }
          const eps = (v as Record<string, unknown> | null)?.eps;
          if (eps !== undefined) put("adamEps", eps, "policy_kwargs.optimizer_kwargs.eps");
          continue;
        }
        if (k === "log_std_init") {
          throw new Error(
            "SAC config: policy_kwargs.log_std_init only applies to gSDE, which is not " +
              "implemented; remove it",
          );
        }
        handle(k, v, `policy_kwargs.${k}`);
      }
      continue;
    }
    handle(key, value, key);
  }
  return out;
}

/**
 * Checks a complete config object (camelCase) and returns it typed; rejects unknown, missing and
 * invalid fields with a message naming the field, the value and the valid range.
 *
 * @example
 * ```ts
 * import { SAC_DEFAULTS, validateSacConfig } from "./config.ts";
 * validateSacConfig({ ...SAC_DEFAULTS, tau: 0.01 });
 * // validateSacConfig({ ...SAC_DEFAULTS, tau: 2 }) throws "SAC config: tau = 2 is invalid; ..."
 * ```
 */
export function validateSacConfig(obj: unknown): SacConfig {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new TypeError(`SAC config must be an object, got ${describe(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `SAC config: unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")}; valid fields: ` +
        `${FIELDS.join(", ")} (or their SB3 snake_case names)`,
    );
  }
  const missing = FIELDS.filter((k) => !(k in o));
  if (missing.length > 0) {
    throw new Error(
      `SAC config: missing field(s) ${missing.join(", ")}; start from SAC_DEFAULTS or use ` +
        `makeSacConfig()`,
    );
  }
  const bad = (field: string, expected: string): never => {
    throw new RangeError(
      `SAC config: ${field} = ${describe(o[field])} is invalid; expected ${expected}`,
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
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo) {
      bad(field, `an integer ≥ ${lo}`);
    }
  };
  num("learningRate", 0, Infinity, true, true);
  int("bufferSize", 1);
  int("learningStarts", 0);
  int("batchSize", 1);
  num("tau", 0, 1, false, false);
  num("gamma", 0, 1, false, false);
  int("trainFreq", 1);
  if (o.gradientSteps !== -1) int("gradientSteps", 0);
  if (o.entCoef !== "auto") num("entCoef", 0, Infinity, false, true);
  num("entCoefInit", 0, Infinity, true, true);
  if (o.targetEntropy !== "auto") num("targetEntropy", -Infinity, Infinity, true, true);
  int("targetUpdateInterval", 1);
  const arch = o.netArch;
  const archOk = (a: unknown) =>
    Array.isArray(a) && a.length > 0 &&
    a.every((h) => typeof h === "number" && Number.isInteger(h) && h >= 1);
  if (
    !(archOk(arch) ||
      (arch !== null && typeof arch === "object" && !Array.isArray(arch) &&
        Object.keys(arch).sort().join() === "pi,qf" &&
        archOk((arch as { pi: unknown }).pi) && archOk((arch as { qf: unknown }).qf)))
  ) {
    bad(
      "netArch",
      "a non-empty list of positive integers (e.g. [256, 256]) or { pi: [...], qf: [...] }",
    );
  }
  if (o.activation !== "relu") {
    bad("activation", '"relu" (SB3\'s SAC default; the SAC engine supports ReLU only)');
  }
  num("adamEps", 0, Infinity, true, true);
  const copy = { ...o } as unknown as SacConfig;
  copy.netArch = Array.isArray(arch)
    ? [...arch]
    : { pi: [...(arch as { pi: number[] }).pi], qf: [...(arch as { qf: number[] }).qf] };
  return copy;
}

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
  return validateSacConfig({ ...SAC_DEFAULTS, ...sacFromSb3Names(overrides) });
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
