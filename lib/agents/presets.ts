/**
 * Named hyperparameter presets: the paper's per-task PPO settings (`data/presets/ppo.json`,
 * paper-notes §7.3), resolved into validated configs with optional overrides.
 *
 * Preset ids are `<algorithm>/<env id>`, e.g. `ppo/Pendulum-v1`.
 *
 * @module
 */
import ppoPresetFile from "../../data/presets/ppo.json" with { type: "json" };
import { fromSb3Names, makePpoConfig, type PpoConfig } from "./ppo/config.ts";

/**
 * One preset entry as stored in the JSON file.
 *
 * @example
 * ```ts
 * import { getPreset, type PresetEntry } from "./presets.ts";
 * const entry: PresetEntry = getPreset("ppo/Walker2d-v3");
 * ```
 */
export interface PresetEntry {
  /** Environment id the preset is for (the `makeEnv` id). */
  envId: string;
  /** Which config of the paper's code it reproduces. */
  source: string;
  /** Hyperparameters, SB3/rl-zoo snake_case names; unlisted fields are SB3 defaults. */
  hyperparameters: Record<string, unknown>;
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
 * const p: ResolvedPpoPreset = resolvePreset("ppo/Ant-v3");
 * p.config.normalize; // true
 * ```
 */
export interface ResolvedPpoPreset extends PresetEntry {
  /** The preset id, e.g. `ppo/Pendulum-v1`. */
  id: string;
  /** SB3 defaults ← preset hyperparameters ← overrides, validated. */
  config: PpoConfig;
}

function entries(): Record<string, PresetEntry> {
  const out: Record<string, PresetEntry> = {};
  for (const [key, value] of Object.entries(ppoPresetFile as Record<string, unknown>)) {
    if (key.startsWith("$")) continue; // "$comment"
    out[key] = value as PresetEntry;
  }
  return out;
}

/**
 * All preset ids, in file order.
 *
 * @example
 * ```ts
 * import { presetIds } from "./presets.ts";
 * presetIds().includes("ppo/Pendulum-v1"); // true
 * ```
 */
export function presetIds(): string[] {
  return Object.keys(entries());
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
    throw new Error(
      `Unknown preset "${id}"; available presets: ${Object.keys(all).join(", ")}`,
    );
  }
  return structuredClone(entry);
}

/**
 * Resolves a preset: SB3 defaults, then the preset's hyperparameters, then `overrides`
 * (camelCase or SB3 snake_case names; an override replaces the preset value of the same field),
 * validated by {@linkcode validatePpoConfig}.
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
    throw new Error(`Preset "${id}": only PPO presets ("ppo/<env id>") exist so far`);
  }
  const entry = getPreset(id);
  let config: PpoConfig;
  try {
    config = makePpoConfig({ ...fromSb3Names(entry.hyperparameters), ...fromSb3Names(overrides) });
  } catch (e) {
    throw new Error(`Preset "${id}": ${(e as Error).message}`, { cause: e });
  }
  return { id, ...entry, config };
}
