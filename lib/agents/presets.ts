/**
 * Named hyperparameter presets: the paper's per-task PPO and SAC settings
 * (`data/presets/ppo.json`, `data/presets/sac.json`, paper-notes §7.3), resolved into validated
 * configs with optional overrides.
 *
 * Preset ids are `<algorithm>/<env id>`, e.g. `ppo/Pendulum-v1`, `sac/Walker2d-v4`. The paper's
 * SAC ablations are variants written `<variant>/<env id>`: `sac_small/Walker2d-v4` is
 * `sac/Walker2d-v4` with 64×64 networks ("SAC (PPO network size)").
 *
 * The paper ran the MuJoCo tasks in their mujoco-py versions (Ant-v3, ..., Reacher-v2), which
 * need software that no longer installs; the presets name the v4 tasks (official mujoco bindings)
 * with the `envOptions` that give v3's observations (Ant-v4: `use_contact_forces`), and asking
 * for a v3 preset id points at its v4 replacement.
 *
 * PPO presets resolve with {@linkcode resolvePreset}, SAC presets with
 * {@linkcode resolveSacPreset}; {@linkcode presetIds} lists one algorithm's ids (PPO by default).
 *
 * @module
 */
import ppoPresetFile from "../../data/presets/ppo.json" with { type: "json" };
import sacPresetFile from "../../data/presets/sac.json" with { type: "json" };
import { makePpoConfig, PPO_SCHEMA, type PpoConfig } from "./ppo/config.ts";
import { makeSacConfig, SAC_SCHEMA, type SacConfig } from "./sac/config.ts";

/**
 * Algorithms with presets.
 *
 * @example
 * ```ts
 * import type { PresetAlgorithm } from "./presets.ts";
 * const a: PresetAlgorithm = "sac";
 * ```
 */
export type PresetAlgorithm = "ppo" | "sac";

/**
 * One preset entry as stored in the JSON file.
 *
 * @example
 * ```ts
 * import { getPreset, type PresetEntry } from "./presets.ts";
 * const entry: PresetEntry = getPreset("ppo/Walker2d-v4");
 * ```
 */
export interface PresetEntry {
  /** Environment id the preset is for (the `makeEnv` id). */
  envId: string;
  /** Which config of the paper's code it reproduces. */
  source: string;
  /** Hyperparameters, SB3/rl-zoo snake_case names; unlisted fields are SB3 defaults. */
  hyperparameters: Record<string, unknown>;
  /**
   * Options passed to `makeEnv(envId, envOptions)`, e.g. `{ use_contact_forces: true }` for
   * Ant-v4 (the paper's Ant-v3 observation); absent when the defaults are right.
   */
  envOptions?: Record<string, unknown>;
  /** Length of the paper's training runs in environment steps. */
  trainingSteps: number;
  /** Last step shown in the paper's plots (xmax), null when the paper sets none. */
  analysisHorizon: number | null;
  /** Deviations from the paper and other remarks. */
  note: string;
}

/**
 * A preset resolved into a validated config.
 *
 * @example
 * ```ts
 * import { resolvePreset, type ResolvedPpoPreset } from "./presets.ts";
 * const p: ResolvedPpoPreset = resolvePreset("ppo/Ant-v4");
 * p.config.normalize; // true
 * ```
 */
export interface ResolvedPpoPreset extends PresetEntry {
  /** The preset id, e.g. `ppo/Pendulum-v1`. */
  id: string;
  /** Algorithm. */
  algo: "ppo";
  /** SB3 defaults ← preset hyperparameters ← overrides, validated. */
  config: PpoConfig;
}

/**
 * A SAC preset resolved into a validated config.
 *
 * @example
 * ```ts
 * import { resolvePreset, type ResolvedSacPreset } from "./presets.ts";
 * const p: ResolvedSacPreset = resolvePreset("sac_small/Pendulum-v1");
 * p.config.netArch; // [64, 64]
 * ```
 */
export interface ResolvedSacPreset extends PresetEntry {
  /** The preset id, e.g. `sac/Pendulum-v1` or `sac_small/Pendulum-v1`. */
  id: string;
  /** Algorithm. */
  algo: "sac";
  /** SB3 defaults ← preset hyperparameters ← variant overrides ← overrides, validated. */
  config: SacConfig;
}

/**
 * A SAC ablation variant (`$variants` in `data/presets/sac.json`).
 *
 * @example
 * ```ts
 * import { presetVariants, type PresetVariant } from "./presets.ts";
 * const v: PresetVariant = presetVariants().sac_small;
 * ```
 */
export interface PresetVariant {
  /** What the variant is and where it comes from. */
  description: string;
  /** Overrides applied on top of the base preset. */
  hyperparameters: Record<string, unknown>;
  /** Environment ids the paper ran it on. */
  tasks: string[];
}

function entries(): Record<string, PresetEntry> {
  const out: Record<string, PresetEntry> = {};
  for (const file of [ppoPresetFile, sacPresetFile] as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(file)) {
      if (key.startsWith("$")) continue; // "$comment", "$variants"
      out[key] = value as PresetEntry;
    }
  }
  return out;
}

/**
 * The SAC ablation variants, by name (a copy).
 *
 * @example
 * ```ts
 * import { presetVariants } from "./presets.ts";
 * presetVariants().sac_small.tasks.includes("Walker2d-v4"); // true
 * ```
 */
export function presetVariants(): Record<string, PresetVariant> {
  return structuredClone(
    (sacPresetFile as unknown as { $variants: Record<string, PresetVariant> }).$variants,
  );
}

/**
 * One algorithm's preset ids in file order (PPO when `algo` is omitted). Variant ids
 * (`sac_small/...`) are not listed; see {@linkcode presetVariants}.
 *
 * @example
 * ```ts
 * import { presetIds } from "./presets.ts";
 * presetIds().includes("ppo/Pendulum-v1"); // true
 * presetIds("sac").length; // 12
 * ```
 */
export function presetIds(algo: PresetAlgorithm = "ppo"): string[] {
  return Object.keys(entries()).filter((id) => id.startsWith(`${algo}/`));
}

/**
 * The raw preset entry for `id` (a copy).
 *
 * @throws Error naming the available ids when `id` is unknown.
 * @example
 * ```ts
 * import { getPreset } from "./presets.ts";
 * getPreset("ppo/Pendulum-v1").trainingSteps; // 1000000
 * ```
 */
export function getPreset(id: string): PresetEntry {
  const all = entries();
  const entry = all[id];
  if (entry === undefined) {
    const v4 = typeof id === "string" ? id.replace(/-v[23]$/, "-v4") : "";
    const hint = v4 !== id && v4 in all
      ? `; the paper's mujoco-py tasks are run in their v4 versions here: use "${v4}"`
      : "";
    throw new Error(
      `Unknown preset "${id}"${hint}; available presets: ${Object.keys(all).join(", ")}`,
    );
  }
  return structuredClone(entry);
}

/**
 * Resolves a PPO preset: SB3 defaults, then the preset's hyperparameters, then `overrides`
 * (camelCase or SB3 snake_case names; an override replaces the preset value of the same field),
 * validated by the PPO config schema. SAC presets resolve with
 * {@linkcode resolveSacPreset}.
 *
 * @example
 * ```ts
 * import { resolvePreset } from "./presets.ts";
 * const { config, trainingSteps } = resolvePreset("ppo/Pendulum-v1", { learningRate: 1e-3 });
 * config.learningRate; // 0.001
 * config.nSteps; // 4096
 * ```
 */
export function resolvePreset(
  id: string,
  overrides: Record<string, unknown> = {},
): ResolvedPpoPreset {
  if (!id.startsWith("ppo/")) {
    throw new Error(
      `Preset "${id}": resolvePreset resolves only PPO presets ("ppo/<env id>"); use ` +
        `resolveSacPreset for SAC presets ("sac/<env id>", "sac_small/<env id>")`,
    );
  }
  const entry = getPreset(id);
  let config: PpoConfig;
  try {
    const fromSb3 = PPO_SCHEMA.fromSb3;
    config = makePpoConfig({ ...fromSb3(entry.hyperparameters), ...fromSb3(overrides) });
  } catch (e) {
    throw new Error(`Preset "${id}": ${(e as Error).message}`, { cause: e });
  }
  return { id, algo: "ppo", ...entry, config };
}

/**
 * Resolves a SAC preset `sac/<env id>` or a variant `<variant>/<env id>` (e.g. `sac_small`):
 * SB3 defaults, then the preset's hyperparameters, then the variant's, then `overrides`
 * (camelCase or SB3 snake_case names), validated by the SAC config schema.
 *
 * @example
 * ```ts
 * import { resolveSacPreset } from "./presets.ts";
 * const { config } = resolveSacPreset("sac/Pendulum-v1", { batch_size: 128 });
 * config.learningRate; // 0.001
 * resolveSacPreset("sac_small/Pendulum-v1").config.netArch; // [64, 64]
 * ```
 */
export function resolveSacPreset(
  id: string,
  overrides: Record<string, unknown> = {},
): ResolvedSacPreset {
  const slash = id.indexOf("/");
  const prefix = slash > 0 ? id.slice(0, slash) : "";
  const variants = presetVariants();
  if (prefix !== "sac" && !(prefix in variants)) {
    throw new Error(
      `Preset "${id}": SAC preset ids are "sac/<env id>" or a variant ` +
        `(${Object.keys(variants).map((v) => `"${v}/<env id>"`).join(", ")})`,
    );
  }
  const entry = getPreset(`sac/${id.slice(slash + 1)}`);
  const variant = prefix === "sac" ? {} : variants[prefix].hyperparameters;
  let config: SacConfig;
  try {
    config = makeSacConfig({
      ...SAC_SCHEMA.fromSb3(entry.hyperparameters),
      ...SAC_SCHEMA.fromSb3(variant),
      ...SAC_SCHEMA.fromSb3(overrides),
    });
  } catch (e) {
    throw new Error(`Preset "${id}": ${(e as Error).message}`, { cause: e });
  }
  return { id, algo: "sac", ...entry, config };
}
