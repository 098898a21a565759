/**
 * One SB3-named config schema for every agent: a declarative list of fields (camelCase name,
 * Stable-Baselines3 / rl-zoo snake_case name, default, check) from which each algorithm gets its
 * defaults, the SB3-name mapping (top level and inside `policy_kwargs`), the conversions of
 * rl-zoo's value forms, validation with messages that name the field, the value and the valid
 * range, and `makeConfig`. Presets (`data/presets/*.json`), the agents' constructors and the
 * command line's `--set key=value` all go through it.
 *
 * Value forms understood for every algorithm:
 * - `policy_kwargs: { net_arch, activation_fn, …, optimizer_kwargs: { eps } }` (fields marked
 *   `policyKwarg`, and `optimizer_kwargs.eps` → `adamEps`);
 * - activation names `"tanh"`, `"relu"`, `"nn.Tanh"`, `"th.nn.ReLU"`;
 * - rl-zoo's linear schedules `"lin_<initial value>"` for fields with a schedule
 *   (`learning_rate`, `clip_range`): value × progress_remaining, progress_remaining = 1 − t/T.
 *
 * @module
 */

/**
 * Checks one field: returns null when the value is valid, else what was expected.
 *
 * @example
 * ```ts
 * import type { FieldCheck } from "./config_schema.ts";
 * const positive: FieldCheck = (v) => typeof v === "number" && v > 0 ? null : "a positive number";
 * ```
 */
export type FieldCheck = (
  value: unknown,
  config: Readonly<Record<string, unknown>>,
) => string | null;

/**
 * One field of a config schema.
 *
 * @example
 * ```ts
 * import { type FieldSpec, numberIn } from "./config_schema.ts";
 * const gamma: FieldSpec = { sb3: "gamma", default: 0.99, check: numberIn(0, 1, "(]") };
 * ```
 */
export interface FieldSpec {
  /** The SB3 / rl-zoo name (snake_case), when it differs from nothing (pgsubspace-only fields omit it). */
  sb3?: string;
  /** Also accepted inside `policy_kwargs` (net_arch, activation_fn, ortho_init, log_std_init). */
  policyKwarg?: boolean;
  /** SB3's default. */
  default: unknown;
  /** Validation. */
  check: FieldCheck;
  /** A schedule field: rl-zoo's `"lin_<x>"` sets it to x and the named schedule field to "linear". */
  schedule?: string;
  /** Converts an SB3-form value into camelCase fields (default: the field itself, unchanged). */
  convert?: (value: unknown, origin: string) => Record<string, unknown>;
}

/**
 * An SB3 option pgsubspace does not support: returns why when the value is not the supported one
 * (null: accepted and ignored).
 *
 * @example
 * ```ts
 * import type { RejectedOption } from "./config_schema.ts";
 * const noSde: RejectedOption = (v) => v === true ? "gSDE is not implemented" : null;
 * ```
 */
export type RejectedOption = (value: unknown) => string | null;

/**
 * A config schema: the fields of one algorithm's config and what derives from them.
 *
 * @example
 * ```ts
 * import { defineConfig, integerFrom, numberIn } from "./config_schema.ts";
 * const schema = defineConfig<{ gamma: number; nSteps: number }>("Toy", {
 *   gamma: { sb3: "gamma", default: 0.99, check: numberIn(0, 1, "(]") },
 *   nSteps: { sb3: "n_steps", default: 2048, check: integerFrom(2) },
 * });
 * schema.make({ n_steps: 128 }); // { gamma: 0.99, nSteps: 128 }
 * ```
 */
export interface ConfigSchema<C> {
  /** "PPO", "SAC": the prefix of messages. */
  readonly name: string;
  /** The fields in order. */
  readonly fields: Readonly<Record<keyof C & string, FieldSpec>>;
  /** SB3's defaults. */
  readonly defaults: Readonly<C>;
  /** SB3 / rl-zoo name → field. */
  readonly sb3Names: Readonly<Record<string, keyof C & string>>;
  /**
   * Converts SB3/rl-zoo style hyperparameters (snake_case, `policy_kwargs`, schedules, value
   * forms) to camelCase fields; camelCase keys pass through. Does not fill defaults or validate;
   * unknown keys are kept so that validation can name them.
   */
  fromSb3(obj: unknown): Record<string, unknown>;
  /** Checks a complete camelCase config and returns a typed copy. */
  validate(obj: unknown): C;
  /** Defaults ← overrides (camelCase or SB3 names), validated. */
  make(overrides?: unknown): C;
}

/** How a value reads in a message. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Builds a schema from its fields, the SB3 options it rejects and a cross-field check.
 *
 * @example
 * ```ts
 * import { defineConfig, numberIn } from "./config_schema.ts";
 * const s = defineConfig<{ tau: number }>("Toy", { tau: { sb3: "tau", default: 0.005, check: numberIn(0, 1, "[]") } });
 * s.defaults.tau; // 0.005
 * ```
 */
export function defineConfig<C>(
  name: string,
  fields: Record<keyof C & string, FieldSpec>,
  options: {
    rejected?: Record<string, RejectedOption>;
    refine?: (
      config: Readonly<Record<string, unknown>>,
    ) => [field: string, expected: string] | null;
  } = {},
): ConfigSchema<C> {
  type K = keyof C & string;
  const keys = Object.keys(fields) as K[];
  const defaults = Object.freeze(
    Object.fromEntries(keys.map((k) => [k, structuredClone(fields[k].default)])),
  ) as unknown as Readonly<C>;
  const sb3Names: Record<string, K> = {};
  for (const k of keys) if (fields[k].sb3) sb3Names[fields[k].sb3!] = k;
  const rejected = options.rejected ?? {};
  const what = `${name} config`;

  const fromSb3 = (obj: unknown): Record<string, unknown> => {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw new TypeError(`${what} must be an object, got ${describeValue(obj)}`);
    }
    const out: Record<string, unknown> = {};
    const put = (key: string, value: unknown, origin: string) => {
      if (key in out) {
        throw new Error(`${what}: "${origin}" sets ${key}, which is already set by another key`);
      }
      out[key] = value;
    };
    const handle = (key: string, value: unknown, origin: string, inPolicyKwargs: boolean) => {
      const reject = rejected[key];
      if (reject) {
        const why = reject(value);
        if (why !== null) {
          throw new Error(`${what}: ${origin} = ${describeValue(value)} is not supported: ${why}`);
        }
        return;
      }
      const field = (sb3Names[key] ?? key) as K;
      const spec = fields[field] as FieldSpec | undefined;
      if (inPolicyKwargs && spec && !spec.policyKwarg) {
        throw new Error(
          `${what}: policy_kwargs.${key} is not a policy keyword; set it at the top level`,
        );
      }
      if (spec?.schedule && typeof value === "string") {
        const m = /^lin_(.+)$/.exec(value);
        const initial = m ? Number(m[1]) : NaN;
        if (!m || !Number.isFinite(initial)) {
          throw new Error(
            `${what}: ${origin} = "${value}" is not a number or an rl-zoo linear schedule ` +
              `"lin_<initial value>"`,
          );
        }
        put(field, initial, origin);
        put(spec.schedule, "linear", origin);
        return;
      }
      if (spec?.convert) {
        for (const [k, v] of Object.entries(spec.convert(value, origin))) put(k, v, origin);
        return;
      }
      put(field, value, origin);
    };
    for (const [key, value] of Object.entries(obj)) {
      if (key === "policy_kwargs" || key === "policyKwargs") {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          throw new TypeError(
            `${what}: policy_kwargs must be an object, got ${describeValue(value)}`,
          );
        }
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (k === "optimizer_kwargs") {
            const extra = Object.keys((v ?? {}) as object).filter((x) => x !== "eps");
            if (extra.length > 0) {
              throw new Error(
                `${what}: policy_kwargs.optimizer_kwargs supports only "eps", got ${extra}`,
              );
            }
            const eps = (v as Record<string, unknown> | null)?.eps;
            if (eps !== undefined) put("adamEps", eps, "policy_kwargs.optimizer_kwargs.eps");
            continue;
          }
          handle(k, v, `policy_kwargs.${k}`, true);
        }
        continue;
      }
      handle(key, value, key, false);
    }
    return out;
  };

  const validate = (obj: unknown): C => {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw new TypeError(`${what} must be an object, got ${describeValue(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !(k in fields));
    if (unknown.length > 0) {
      throw new Error(
        `${what}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(", ")}; valid fields: ` +
          `${keys.join(", ")} (or their SB3 snake_case names)`,
      );
    }
    const missing = keys.filter((k) => !(k in o));
    if (missing.length > 0) {
      throw new Error(
        `${what}: missing field(s) ${missing.join(", ")}; start from the defaults or use ` +
          `make${name[0]}${name.slice(1).toLowerCase()}Config()`,
      );
    }
    const bad = (field: string, expected: string): never => {
      throw new RangeError(
        `${what}: ${field} = ${describeValue(o[field])} is invalid; expected ${expected}`,
      );
    };
    for (const k of keys) {
      const expected = fields[k].check(o[k], o);
      if (expected !== null) bad(k, expected);
    }
    const refined = options.refine?.(o) ?? null;
    if (refined) bad(refined[0], refined[1]);
    return structuredClone(o) as C;
  };

  return Object.freeze({
    name,
    fields,
    defaults,
    sb3Names: Object.freeze(sb3Names),
    fromSb3,
    validate,
    make: (overrides: unknown = {}) => validate({ ...defaults, ...fromSb3(overrides) }),
  });
}

// ---- Checks.

const inRange = (v: number, lo: number, hi: number, bounds: string) =>
  (bounds[0] === "(" ? v > lo : v >= lo) && (bounds[1] === ")" ? v < hi : v <= hi);

/**
 * A finite number in an interval; `bounds` is "()", "(]", "[)" or "[]".
 *
 * @example
 * ```ts
 * import { numberIn } from "./config_schema.ts";
 * numberIn(0, 1, "(]")(1.5, {}); // "a number in (0, 1]"
 * ```
 */
export function numberIn(lo: number, hi: number, bounds: "()" | "(]" | "[)" | "[]"): FieldCheck {
  return (v) =>
    typeof v === "number" && Number.isFinite(v) && inRange(v, lo, hi, bounds)
      ? null
      : `a number in ${bounds[0]}${lo}, ${hi}${bounds[1]}`;
}

/**
 * A finite number > 0.
 *
 * @example
 * ```ts
 * import { positiveNumber } from "./config_schema.ts";
 * positiveNumber(0, {}); // "a number in (0, Infinity)"
 * ```
 */
export const positiveNumber: FieldCheck = numberIn(0, Infinity, "()");

/**
 * An integer ≥ lo.
 *
 * @example
 * ```ts
 * import { integerFrom } from "./config_schema.ts";
 * integerFrom(1)(0, {}); // "an integer ≥ 1"
 * ```
 */
export function integerFrom(lo: number): FieldCheck {
  return (v) =>
    typeof v === "number" && Number.isSafeInteger(v) && v >= lo ? null : `an integer ≥ ${lo}`;
}

/**
 * One of the given values.
 *
 * @example
 * ```ts
 * import { oneOf } from "./config_schema.ts";
 * oneOf(["tanh", "relu"])("gelu", {}); // 'one of "tanh","relu"'
 * ```
 */
export function oneOf(values: readonly unknown[]): FieldCheck {
  return (v) => values.includes(v) ? null : `one of ${values.map((x) => JSON.stringify(x))}`;
}

/**
 * true or false.
 *
 * @example
 * ```ts
 * import { isBoolean } from "./config_schema.ts";
 * isBoolean(1, {}); // "true or false"
 * ```
 */
export const isBoolean: FieldCheck = (v) => typeof v === "boolean" ? null : "true or false";

/**
 * null, or what `check` accepts.
 *
 * @example
 * ```ts
 * import { nullOr, numberIn } from "./config_schema.ts";
 * nullOr(numberIn(0, Infinity, "()"))(null, {}); // null (valid)
 * ```
 */
export function nullOr(check: FieldCheck): FieldCheck {
  return (v, c) => v === null ? null : check(v, c);
}

/**
 * A literal value, or what `check` accepts (e.g. `"auto"` or a number).
 *
 * @example
 * ```ts
 * import { literalOr, numberIn } from "./config_schema.ts";
 * literalOr("auto", numberIn(0, Infinity, "[)"))("auto", {}); // null (valid)
 * ```
 */
export function literalOr(literal: unknown, check: FieldCheck): FieldCheck {
  return (v, c) => v === literal ? null : check(v, c);
}

/**
 * Hidden-layer sizes: a list of positive integers (non-empty unless `allowEmpty`) for every
 * network, or an object with exactly the given keys (e.g. `pi`, `vf`), each such a list.
 *
 * @example
 * ```ts
 * import { netArch } from "./config_schema.ts";
 * netArch(["pi", "vf"])({ pi: [64], vf: [64] }, {}); // null (valid)
 * ```
 */
export function netArch(keys: readonly string[], allowEmpty = true): FieldCheck {
  const list = (a: unknown) =>
    Array.isArray(a) && (allowEmpty || a.length > 0) &&
    a.every((h) => typeof h === "number" && Number.isInteger(h) && h >= 1);
  return (v) => {
    if (list(v)) return null;
    if (
      v !== null && typeof v === "object" && !Array.isArray(v) &&
      Object.keys(v).sort().join() === [...keys].sort().join() &&
      keys.every((k) => list((v as Record<string, unknown>)[k]))
    ) {
      return null;
    }
    const example = allowEmpty ? "[64, 64]" : "[256, 256]";
    return `a ${allowEmpty ? "" : "non-empty "}list of positive integers (e.g. ${example}) or ` +
      `{ ${keys.map((k) => `${k}: [...]`).join(", ")} }`;
  };
}

/**
 * Converts torch activation names (`"nn.ReLU"`, `"th.nn.Tanh"`) to `"relu"`, `"tanh"`.
 *
 * @example
 * ```ts
 * import { activationName } from "./config_schema.ts";
 * activationName("nn.ReLU", "activation_fn"); // { activation: "relu" }
 * ```
 */
export function activationName(value: unknown, _origin: string): Record<string, unknown> {
  return {
    activation: typeof value === "string" ? value.replace(/^(th\.)?nn\./, "").toLowerCase() : value,
  };
}

/**
 * How a scalar hyperparameter evolves over training (SB3 schedules of `progress_remaining`).
 *
 * @example
 * ```ts
 * import type { Schedule } from "./config_schema.ts";
 * const s: Schedule = "linear";
 * ```
 */
export type Schedule = "constant" | "linear";

/**
 * Value of a schedule at SB3's `progress_remaining` (1 at the start of training, 0 at the end).
 *
 * Formula: constant → v; linear → v · progress_remaining.
 *
 * @example
 * ```ts
 * import { scheduleValue } from "./config_schema.ts";
 * scheduleValue("linear", 3e-4, 0.5); // 1.5e-4
 * ```
 */
export function scheduleValue(schedule: Schedule, initial: number, progressRemaining: number) {
  return schedule === "linear" ? initial * progressRemaining : initial;
}

/**
 * Parses a `--set key=value` override: the value as JSON (numbers, booleans, null, lists,
 * objects), else as a bare string (`tanh`, `lin_3e-4`).
 *
 * @example
 * ```ts
 * import { parseOverride } from "./config_schema.ts";
 * parseOverride("net_arch=[256,256]"); // ["net_arch", [256, 256]]
 * parseOverride("learning_rate=lin_3e-4"); // ["learning_rate", "lin_3e-4"]
 * ```
 */
export function parseOverride(text: string): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`--set expects key=value, got "${text}"`);
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return [text.slice(0, eq), value];
}

/**
 * Hidden sizes of one network of an SB3 `net_arch`: the list itself when it is shared, else its
 * `part` (`pi`, `vf`, `qf`).
 *
 * @example
 * ```ts
 * import { netArchPart } from "./config_schema.ts";
 * netArchPart([64, 64], "pi"); // [64, 64]
 * netArchPart({ pi: [256, 256], vf: [64] }, "vf"); // [64]
 * ```
 */
export function netArchPart<K extends string>(
  arch: number[] | Record<K, number[]>,
  part: K,
): number[] {
  return Array.isArray(arch) ? arch : arch[part];
}

/**
 * SB3's `learning_rate` as two fields: the value (initial value of a linear schedule) and its
 * schedule (rl-zoo's `"lin_<x>"` sets it to "linear").
 *
 * @example
 * ```ts
 * import { defineConfig, learningRateFields, type Schedule } from "./config_schema.ts";
 * const s = defineConfig<{ learningRate: number; learningRateSchedule: Schedule }>("Toy", learningRateFields(1e-3));
 * s.make({ learning_rate: "lin_3e-4" }).learningRateSchedule; // "linear"
 * ```
 */
export function learningRateFields(initial: number): {
  learningRate: FieldSpec;
  learningRateSchedule: FieldSpec;
} {
  return {
    learningRate: {
      sb3: "learning_rate",
      default: initial,
      check: positiveNumber,
      schedule: "learningRateSchedule",
    },
    learningRateSchedule: { default: "constant", check: oneOf(["constant", "linear"]) },
  };
}

/**
 * The generalised State-Dependent Exploration (gSDE) fields that every agent with a Gaussian
 * policy shares (SB3 `use_sde`, `sde_sample_freq`, `log_std_init`, `full_std`, `use_expln`).
 *
 * @example
 * ```ts
 * import type { GsdeConfig } from "./config_schema.ts";
 * const off: GsdeConfig = {
 *   useSde: false,
 *   sdeSampleFreq: -1,
 *   logStdInit: 0,
 *   fullStd: true,
 *   useExpln: false,
 * };
 * ```
 */
export interface GsdeConfig {
  /** gSDE instead of the algorithm's default Gaussian exploration. */
  useSde: boolean;
  /** gSDE: draw a new noise matrix every n collected steps (−1 or 0: only at a rollout's start). */
  sdeSampleFreq: number;
  /**
   * Initial value of the log-std: gSDE's log-std matrix, or (PPO without gSDE) its
   * state-independent log-std vector.
   */
  logStdInit: number;
  /** gSDE: one σ per (feature, action) pair (true), or per feature. */
  fullStd: boolean;
  /** gSDE: expln(log σ) instead of exp(log σ), which grows only logarithmically above 1. */
  useExpln: boolean;
}

/**
 * The schema fields of {@linkcode GsdeConfig} with SB3's defaults, but for `log_std_init`, whose
 * default differs between algorithms (PPO 0, SAC −3). Each schema lists them in its own order.
 *
 * @example
 * ```ts
 * import { defineConfig, type GsdeConfig, gsdeFields } from "./config_schema.ts";
 * const s = defineConfig<GsdeConfig>("Toy", gsdeFields(-3));
 * s.make({ use_sde: true }).logStdInit; // -3
 * ```
 */
export function gsdeFields(logStdInit: number): Record<keyof GsdeConfig, FieldSpec> {
  return {
    useSde: { sb3: "use_sde", default: false, check: isBoolean },
    sdeSampleFreq: { sb3: "sde_sample_freq", default: -1, check: integerFrom(-1) },
    logStdInit: {
      sb3: "log_std_init",
      policyKwarg: true,
      default: logStdInit,
      check: numberIn(-Infinity, Infinity, "()"),
    },
    fullStd: { sb3: "full_std", policyKwarg: true, default: true, check: isBoolean },
    useExpln: { sb3: "use_expln", policyKwarg: true, default: false, check: isBoolean },
  };
}
