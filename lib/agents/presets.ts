/**
 * Named hyperparameter presets: the paper's per-task PPO and SAC settings
 * (`data/presets/ppo.json`, `data/presets/sac.json`, paper-notes §7.2-7.3), resolved into
 * validated configs with optional overrides.
 *
 * Preset ids are `<algorithm>/<env id>`, e.g. `ppo/Pendulum-v1`, `sac/Walker2d-v4`. The paper's
 * network-size ablations are variants written `<variant>/<env id>`, offered on the tasks the
 * paper ran them on: `ppo_large/Walker2d-v4` is `ppo/Walker2d-v4` with 256×256 networks ("PPO
 * (SAC network size)"), `sac_small/Walker2d-v4` is `sac/Walker2d-v4` with 64×64 networks ("SAC
 * (PPO network size)").
 *
 * An environment alias resolves to the preset of its canonical id (`ppo/dmc/finger-spin` is
 * `ppo/dmc_Finger-spin-v1`, `sac/LunarLanderContinuous-v2` is `sac/LunarLanderContinuous-v3`).
 * Presets are offered only for registered environments: the paper's FetchReach-v1 settings stay
 * in the files, marked `unavailable`, and asking for them names the presets that exist.
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
import { canonicalEnvId } from "../envs/mod.ts";
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
  /**
   * Why the preset is not offered (its task is not implemented); such entries are kept in the
   * files but never returned.
   */
  unavailable?: string;
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
  /** The canonical preset id, e.g. `ppo/Pendulum-v1` or `ppo_large/Pendulum-v1`. */
  id: string;
  /** Algorithm. */
  algo: "ppo";
  /** SB3 defaults ← preset hyperparameters ← variant overrides ← overrides, validated. */
  config: PpoConfig;
}

/**
 * A SAC preset resolved into a validated config.
 *
 * @example
 * ```ts
 * import { resolveSacPreset, type ResolvedSacPreset } from "./presets.ts";
 * const p: ResolvedSacPreset = resolveSacPreset("sac_small/Pendulum-v1");
 * p.config.netArch; // [64, 64]
 * ```
 */
export interface ResolvedSacPreset extends PresetEntry {
  /** The canonical preset id, e.g. `sac/Pendulum-v1` or `sac_small/Pendulum-v1`. */
  id: string;
  /** Algorithm. */
  algo: "sac";
  /** SB3 defaults ← preset hyperparameters ← variant overrides ← overrides, validated. */
  config: SacConfig;
}

/**
 * A network-size ablation variant (`$variants` in `data/presets/ppo.json` and `sac.json`).
 *
 * @example
 * ```ts
 * import { presetVariants, type PresetVariant } from "./presets.ts";
 * const v: PresetVariant = presetVariants().sac_small;
 * v.algo; // "sac"
 * ```
 */
export interface PresetVariant {
  /** The algorithm whose presets it modifies. */
  algo: PresetAlgorithm;
  /** What the variant is and where it comes from. */
  description: string;
  /** Overrides applied on top of the base preset. */
  hyperparameters: Record<string, unknown>;
  /** Environment ids the paper ran it on (the tasks it is offered for). */
  tasks: string[];
}

const PRESET_FILES: Record<PresetAlgorithm, Record<string, unknown>> = {
  ppo: ppoPresetFile,
  sac: sacPresetFile,
};

/** Every stored entry, offered or not, by id. */
function entries(): Record<string, PresetEntry> {
  const out: Record<string, PresetEntry> = {};
  for (const file of Object.values(PRESET_FILES)) {
    for (const [key, value] of Object.entries(file)) {
      if (key.startsWith("$")) continue; // "$comment", "$variants"
      out[key] = value as PresetEntry;
    }
  }
  return out;
}

/**
 * The network-size ablation variants of both algorithms, by name (a copy).
 *
 * @example
 * ```ts
 * import { presetVariants } from "./presets.ts";
 * presetVariants().sac_small.tasks.includes("Walker2d-v4"); // true
 * presetVariants().ppo_large.hyperparameters; // { policy_kwargs: { net_arch: [256, 256] } }
 * ```
 */
export function presetVariants(): Record<string, PresetVariant> {
  const out: Record<string, PresetVariant> = {};
  for (const [algo, file] of Object.entries(PRESET_FILES) as [PresetAlgorithm, unknown][]) {
    const variants = (file as { $variants?: Record<string, Omit<PresetVariant, "algo">> })
      .$variants ?? {};
    for (const [name, v] of Object.entries(variants)) out[name] = { algo, ...structuredClone(v) };
  }
  return out;
}

/**
 * One algorithm's offered preset ids in file order (PPO when `algo` is omitted): those whose
 * environment is implemented. With `variants: true`, the ablation ids (`ppo_large/...`,
 * `sac_small/...`) of that algorithm follow.
 *
 * @example
 * ```ts
 * import { presetIds } from "./presets.ts";
 * presetIds().includes("ppo/Pendulum-v1"); // true
 * presetIds("sac").length; // 11 (FetchReach-v1 is not offered)
 * presetIds("sac", { variants: true }).includes("sac_small/Walker2d-v4"); // true
 * ```
 */
export function presetIds(
  algo: PresetAlgorithm = "ppo",
  options: { variants?: boolean } = {},
): string[] {
  const ids = Object.entries(entries())
    .filter(([id, e]) => id.startsWith(`${algo}/`) && e.unavailable === undefined)
    .map(([id]) => id);
  if (options.variants) {
    for (const [name, v] of Object.entries(presetVariants())) {
      if (v.algo === algo) ids.push(...v.tasks.map((t) => `${name}/${t}`));
    }
  }
  return ids;
}

/**
 * The canonical form of a preset id: its environment alias replaced by the id it stands for
 * (`ppo/dmc/finger-spin` → `ppo/dmc_Finger-spin-v1`); other ids unchanged.
 *
 * @example
 * ```ts
 * import { canonicalPresetId } from "./presets.ts";
 * canonicalPresetId("sac/LunarLanderContinuous-v2"); // "sac/LunarLanderContinuous-v3"
 * canonicalPresetId("ppo_large/dmc/finger-spin"); // "ppo_large/dmc_Finger-spin-v1"
 * ```
 */
export function canonicalPresetId(id: string): string {
  const slash = typeof id === "string" ? id.indexOf("/") : -1;
  if (slash <= 0) return id;
  return `${id.slice(0, slash)}/${canonicalEnvId(id.slice(slash + 1))}`;
}

const listIds = (ids: string[]) => ids.join(", ");

/**
 * The raw entry of an offered base preset `<algorithm>/<env id>` (a copy); environment aliases
 * resolve to their canonical id.
 *
 * @throws Error naming the offered ids when `id` is unknown or its task is not implemented.
 * @example
 * ```ts
 * import { getPreset } from "./presets.ts";
 * getPreset("ppo/Pendulum-v1").trainingSteps; // 1000000
 * getPreset("ppo/dmc/finger-spin").envId; // "dmc_Finger-spin-v1"
 * ```
 */
export function getPreset(id: string): PresetEntry {
  const all = entries();
  const key = canonicalPresetId(id);
  const entry = all[key];
  const algo = typeof key === "string" && key.startsWith("sac/") ? "sac" : "ppo";
  const offered = `available ${algo.toUpperCase()} presets: ${listIds(presetIds(algo))}`;
  if (entry === undefined) {
    const v4 = typeof key === "string" ? key.replace(/-v[23]$/, "-v4") : "";
    const hint = v4 !== key && v4 in all
      ? `; the paper's mujoco-py tasks are run in their v4 versions here: use "${v4}"`
      : "";
    throw new Error(`Unknown preset "${id}"${hint}; ${offered}`);
  }
  if (entry.unavailable !== undefined) {
    throw new Error(`Preset "${id}" is not offered: ${entry.unavailable}; ${offered}`);
  }
  return structuredClone(entry);
}

/**
 * Resolves a preset of `algo`: `<algo>/<env id>` or `<variant>/<env id>` for a variant of `algo`
 * offered on that task.
 */
function resolveEntry(
  algo: PresetAlgorithm,
  id: string,
): { id: string; entry: PresetEntry; variant: Record<string, unknown> } {
  const key = canonicalPresetId(id);
  const slash = typeof key === "string" ? key.indexOf("/") : -1;
  const prefix = slash > 0 ? key.slice(0, slash) : "";
  const envId = key.slice(slash + 1);
  if (prefix === algo) return { id: key, entry: getPreset(key), variant: {} };
  const variant = presetVariants()[prefix];
  if (variant?.algo !== algo) {
    throw new Error(`Preset "${id}": ${idForms(algo)}`);
  }
  const entry = getPreset(`${algo}/${envId}`);
  if (!variant.tasks.includes(envId)) {
    throw new Error(
      `Preset "${id}": the paper ran ${prefix} on ${variant.tasks.join(", ")} only; for ` +
        `${envId} use "${algo}/${envId}" with the override ` +
        `net_arch=${JSON.stringify(netArchOf(variant.hyperparameters))}`,
    );
  }
  return { id: key, entry, variant: variant.hyperparameters };
}

function netArchOf(hyperparameters: Record<string, unknown>): unknown {
  return (hyperparameters.policy_kwargs as { net_arch?: unknown } | undefined)?.net_arch;
}

/** The id forms of one algorithm, for messages. */
function idForms(algo: PresetAlgorithm): string {
  const names = [
    algo,
    ...Object.entries(presetVariants())
      .filter(([, v]) => v.algo === algo).map(([name]) => name),
  ];
  return `${algo.toUpperCase()} preset ids are ${names.map((n) => `"${n}/<env id>"`).join(", ")}`;
}

/**
 * Resolves a PPO preset `ppo/<env id>` or a variant `ppo_large/<env id>`: SB3 defaults, then the
 * preset's hyperparameters, then the variant's, then `overrides` (camelCase or SB3 snake_case
 * names; an override replaces the preset value of the same field), validated by the PPO config
 * schema. SAC presets resolve with {@linkcode resolveSacPreset}.
 *
 * @example
 * ```ts
 * import { resolvePreset } from "./presets.ts";
 * const { config, trainingSteps } = resolvePreset("ppo/Pendulum-v1", { learningRate: 1e-3 });
 * config.learningRate; // 0.001
 * config.nSteps; // 4096
 * resolvePreset("ppo_large/Walker2d-v4").config.netArch; // [256, 256]
 * resolvePreset("ppo/LunarLanderContinuous-v2").config.nEnvs; // 16 (the v3 preset)
 * ```
 */
export function resolvePreset(
  id: string,
  overrides: Record<string, unknown> = {},
): ResolvedPpoPreset {
  if (
    typeof id !== "string" || id.startsWith("sac/") ||
    presetVariants()[id.split("/")[0]]?.algo === "sac"
  ) {
    throw new Error(
      `Preset "${id}": resolvePreset resolves only PPO presets (${idForms("ppo")}); use ` +
        `resolveSacPreset for SAC presets (${idForms("sac")})`,
    );
  }
  const r = resolveEntry("ppo", id);
  let config: PpoConfig;
  try {
    const fromSb3 = PPO_SCHEMA.fromSb3;
    config = makePpoConfig({
      ...fromSb3(r.entry.hyperparameters),
      ...fromSb3(r.variant),
      ...fromSb3(overrides),
    });
  } catch (e) {
    throw new Error(`Preset "${id}": ${(e as Error).message}`, { cause: e });
  }
  return { ...r.entry, id: r.id, algo: "ppo", config };
}

/**
 * Resolves a SAC preset `sac/<env id>` or a variant `sac_small/<env id>`: SB3 defaults, then the
 * preset's hyperparameters, then the variant's, then `overrides` (camelCase or SB3 snake_case
 * names), validated by the SAC config schema.
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
  const r = resolveEntry("sac", id);
  let config: SacConfig;
  try {
    config = makeSacConfig({
      ...SAC_SCHEMA.fromSb3(r.entry.hyperparameters),
      ...SAC_SCHEMA.fromSb3(r.variant),
      ...SAC_SCHEMA.fromSb3(overrides),
    });
  } catch (e) {
    throw new Error(`Preset "${id}": ${(e as Error).message}`, { cause: e });
  }
  return { ...r.entry, id: r.id, algo: "sac", config };
}
