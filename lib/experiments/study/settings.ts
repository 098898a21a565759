/**
 * What a study runs: a reproduction's settings (presets of `reproduce.ts`, plus `main-text`, or a
 * settings file), restricted to some tasks and algorithms, at a scale:
 *
 * - `preset`: the preset's own settings;
 * - `toy`: tiny networks, 2,048 steps, a few hundred samples (the Slurm CI test; seconds a job);
 * - `paper`: the paper's protocol per task (paper-notes §7.1, §7.4, §7.5): training to the task's
 *   `xmax`, checkpoints every 50k plus 10k and 0, analysis every 100k, precise estimates from 10^6
 *   samples (PPO) and the whole replay buffer (SAC), k = 100, 10 seeds, the presets' networks.
 *
 * Every bad choice (preset, scale, task, algorithm) is an error that lists the valid ones.
 *
 * @module
 */
import { presetIds } from "../../agents/presets.ts";
import { canonicalEnvId, listEnvs } from "../../envs/registry.ts";
import {
  paperAnalysis,
  paperPpoExperiment,
  REPRODUCTION_PRESETS,
  type ReproductionExperiment,
  reproductionPreset,
  type ReproductionSettings,
} from "../reproduce.ts";
import { readJson } from "../../io/files.ts";

/** Presets a study accepts: the reproduction presets and `main-text`. */
export const STUDY_PRESETS = [...REPRODUCTION_PRESETS, "main-text"] as const;
/** A study preset name. */
export type StudyPreset = (typeof STUDY_PRESETS)[number];
/** Scales (module doc). */
export const STUDY_SCALES = ["preset", "toy", "paper"] as const;
/** A scale. */
export type StudyScale = (typeof STUDY_SCALES)[number];
/** Algorithms. */
export const STUDY_ALGOS = ["ppo", "sac"] as const;

/**
 * The last analysed step of each task in the paper's plots (`xmax`, paper-notes §7.1); Swimmer has
 * none there, so its training length (1M) is used.
 */
export const PAPER_XMAX: Record<string, number> = {
  "Pendulum-v1": 300_000,
  "Ant-v4": 3_000_000,
  "HalfCheetah-v4": 3_000_000,
  "Hopper-v4": 1_500_000,
  "Walker2d-v4": 3_000_000,
  "Swimmer-v4": 1_000_000,
  "Reacher-v4": 500_000,
  "LunarLanderContinuous-v3": 1_000_000,
  "BipedalWalker-v3": 3_000_000,
  "FetchReach-v1": 500_000,
  "dmc_Ball_in_cup-catch-v1": 1_000_000,
  "dmc_Finger-spin-v1": 1_000_000,
};

/**
 * Tasks a study can run: ids with a preset for `algo` (or for any algorithm) that `makeEnv` knows,
 * then the registered aliases of those ids (`LunarLanderContinuous-v2`, `dmc/finger-spin`).
 *
 * @example
 * ```ts
 * import { studyTasks } from "./settings.ts";
 * studyTasks("ppo").includes("Walker2d-v4"); // true
 * ```
 */
export function studyTasks(algo?: "ppo" | "sac"): string[] {
  const known = new Set(listEnvs());
  const ids = (algo ? [algo] : STUDY_ALGOS).flatMap((a) =>
    presetIds(a).map((id) => id.slice(a.length + 1))
  );
  const tasks = [...new Set(ids)].filter((id) => known.has(id));
  const aliases = listEnvs().filter((id) => id !== canonicalEnvId(id));
  return [...tasks, ...aliases.filter((id) => tasks.includes(canonicalEnvId(id)))];
}

/**
 * The `main-text` preset: Fig. 1-3 of the paper's main text, Walker2d and Finger-spin, PPO with
 * the paper's presets (64×64) and SAC with the paper's 256×256 networks, 3 seeds, shortened
 * horizons and sample counts so that a 2-core machine finishes overnight (`deno task study plan
 * --preset main-text` prints the estimate).
 *
 * @example
 * ```ts
 * import { mainTextPreset } from "./settings.ts";
 * mainTextPreset().experiments.map((e) => e.envId); // Walker2d-v4 and dmc_Finger-spin-v1, twice
 * ```
 */
export function mainTextPreset(): ReproductionSettings {
  const experiments: ReproductionExperiment[] = [];
  for (const envId of ["Walker2d-v4", "dmc_Finger-spin-v1"]) {
    experiments.push(paperPpoExperiment(envId, 200_000, [10_000]), {
      algo: "sac",
      envId,
      seeds: [0, 1, 2],
      totalSteps: 50_000,
      checkpointEvery: 25_000,
      checkpointExtra: [10_000],
      evalFreq: 10_000,
      evalEpisodes: 10,
    });
  }
  return {
    name: "main-text",
    experiments,
    ...paperAnalysis(50_000, [1, 2, 5, 10, 20], 20),
    purpose:
      "preset main-text: Fig. 1-3 for Walker2d and Finger-spin, sized for one night on 2 CPUs",
  };
}

/**
 * A named study preset.
 *
 * @throws Error listing the presets when `name` is unknown.
 * @example
 * ```ts
 * import { studyPreset } from "./settings.ts";
 * studyPreset("quick").name; // "quick"
 * ```
 */
export function studyPreset(name: string): ReproductionSettings {
  if (name === "main-text") return mainTextPreset();
  if ((REPRODUCTION_PRESETS as readonly string[]).includes(name)) {
    return reproductionPreset(name as (typeof REPRODUCTION_PRESETS)[number]);
  }
  throw new Error(`unknown preset "${name}": valid presets are ${STUDY_PRESETS.join(", ")}`);
}

/** Changes to a study's settings (all optional). */
export interface StudySelection {
  /** Tasks: every algorithm of the settings runs on each (replaces the settings' tasks). */
  tasks?: string[];
  /** Keep only these algorithms. */
  algos?: string[];
  /** Seeds of every experiment. */
  seeds?: number[];
  /** Scale (module doc; default "preset"). */
  scale?: string;
}

/**
 * Settings with a selection applied (module doc). The name records every change, so changed
 * settings get their own directory.
 *
 * @throws Error listing the valid values for an unknown task, algorithm or scale, or a task
 *   without a preset for one of the algorithms.
 * @example
 * ```ts
 * import { selectStudy, studyPreset } from "./settings.ts";
 * const s = selectStudy(studyPreset("quick"), { scale: "toy", tasks: ["Pendulum-v1"] });
 * s.name; // "quick-toy"
 * ```
 */
export function selectStudy(
  base: ReproductionSettings,
  selection: StudySelection = {},
): ReproductionSettings {
  const scale = selection.scale ?? "preset";
  if (!(STUDY_SCALES as readonly string[]).includes(scale)) {
    throw new Error(`unknown scale "${scale}": valid scales are ${STUDY_SCALES.join(", ")}`);
  }
  const parts: string[] = [];
  let experiments = base.experiments.map((e) => structuredClone(e));
  if (selection.algos) {
    const bad = selection.algos.filter((a) => !(STUDY_ALGOS as readonly string[]).includes(a));
    if (bad.length > 0) {
      throw new Error(
        `unknown algorithm "${bad[0]}": valid algorithms are ${STUDY_ALGOS.join(", ")}`,
      );
    }
    experiments = experiments.filter((e) => selection.algos!.includes(e.algo));
    if (experiments.length === 0) {
      throw new Error(
        `no experiment of ${base.name} uses ${selection.algos.join(", ")}; it has ${
          [...new Set(base.experiments.map((e) => e.algo))].join(", ")
        }`,
      );
    }
    if (experiments.length !== base.experiments.length) parts.push(selection.algos.join("+"));
  }
  if (selection.tasks) {
    const valid = studyTasks();
    const bad = selection.tasks.filter((t) => !valid.includes(t));
    if (bad.length > 0) {
      throw new Error(`unknown task "${bad[0]}": valid tasks are ${valid.join(", ")}`);
    }
    // One experiment per task and algorithm, from the first experiment of that algorithm.
    const perAlgo = new Map<string, ReproductionExperiment>();
    for (const e of experiments) if (!perAlgo.has(e.algo)) perAlgo.set(e.algo, e);
    experiments = selection.tasks.flatMap((envId) =>
      [...perAlgo.values()].map((e) => {
        if (!studyTasks(e.algo).includes(envId)) {
          throw new Error(
            `task ${envId} has no ${e.algo} preset: valid ${e.algo} tasks are ${
              studyTasks(e.algo).join(", ")
            }`,
          );
        }
        return { ...structuredClone(e), envId };
      })
    );
    const sameTasks = JSON.stringify([...new Set(base.experiments.map((e) => e.envId))]) ===
      JSON.stringify(selection.tasks);
    if (!sameTasks) parts.push(selection.tasks.join("+"));
  }
  if (selection.seeds) {
    experiments = experiments.map((e) => ({ ...e, seeds: [...selection.seeds!] }));
    parts.push(`seeds${selection.seeds.join(".")}`);
  }
  let settings: ReproductionSettings = { ...base, experiments };
  if (scale === "toy") settings = toyScale(settings);
  if (scale === "paper") settings = paperScale(settings, selection.seeds);
  if (scale !== "preset") parts.push(scale);
  return { ...settings, name: [base.name, ...parts].join("-") };
}

/** Toy scale: 8×8 networks, 2,048 steps, checkpoints every 1,024, 300 precise samples. */
function toyScale(s: ReproductionSettings): ReproductionSettings {
  return {
    ...s,
    experiments: s.experiments.map((e) => ({
      ...e,
      totalSteps: 2_048,
      overrides: e.algo === "ppo"
        ? { net_arch: [8, 8], n_steps: 256, batch_size: 64, n_epochs: 2 }
        : { net_arch: [8, 8], learning_starts: 256, buffer_size: 4_096 },
      checkpointEvery: 1_024,
      checkpointExtra: [],
      analysisEvery: undefined,
      evalFreq: 1_024,
      evalEpisodes: 1,
    })),
    analysis: { preciseSamples: 300, ks: [1, 3], tol: 1e-3, seed: 0, spectrumSteps: "last" },
    k: 3,
    t1: 1_024,
    smoothingSteps: 256,
    spectrumSeeds: "first",
    purpose: "scale toy: a test of the job machinery, numbers mean nothing",
  };
}

/** Paper scale (module doc); seeds 0-9 unless chosen. */
function paperScale(s: ReproductionSettings, seeds?: number[]): ReproductionSettings {
  return {
    ...s,
    experiments: s.experiments.map((e) => {
      const xmax = PAPER_XMAX[canonicalEnvId(e.envId)];
      if (xmax === undefined) {
        throw new Error(
          `task ${e.envId} has no paper-scale settings: tasks with them are ${
            Object.keys(PAPER_XMAX).join(", ")
          }`,
        );
      }
      return {
        algo: e.algo,
        envId: e.envId,
        seeds: seeds ? [...seeds] : [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        totalSteps: xmax,
        checkpointEvery: 50_000,
        checkpointExtra: [10_000],
        analysisEvery: 100_000,
        evalFreq: 10_000,
        evalEpisodes: 10,
      };
    }),
    analysis: {
      preciseSamples: 1_000_000,
      ks: [1, 2, 5, 10, 20, 50, 100],
      tol: 1e-4,
      seed: 0,
      spectrumSteps: "last",
    },
    k: 100,
    t1: 100_000,
    smoothingSteps: 20_000,
    spectrumSeeds: "first",
    purpose: undefined,
  };
}

/**
 * Reads a settings file (a {@linkcode ReproductionSettings} as JSON) and checks its shape.
 *
 * @throws Error naming the file and the first problem.
 * @example
 * ```ts
 * import { readSettingsFile } from "./settings.ts";
 * const settings = await readSettingsFile("my-study.json");
 * ```
 */
export async function readSettingsFile(path: string): Promise<ReproductionSettings> {
  const s = await readJson<ReproductionSettings>(path);
  const bad = (what: string) => new Error(`${path}: ${what}`);
  if (typeof s?.name !== "string" || !/^[\w.+-]+$/.test(s.name)) {
    throw bad('"name" must be a word (letters, digits, . + - _)');
  }
  if (!Array.isArray(s.experiments) || s.experiments.length === 0) {
    throw bad('"experiments" must be a non-empty list');
  }
  for (const e of s.experiments) {
    if (!(STUDY_ALGOS as readonly string[]).includes(e.algo)) {
      throw bad(`unknown algorithm "${e.algo}": valid algorithms are ${STUDY_ALGOS.join(", ")}`);
    }
    if (!studyTasks(e.algo).includes(e.envId)) {
      throw bad(`unknown task "${e.envId}": valid tasks are ${studyTasks(e.algo).join(", ")}`);
    }
    if (!Array.isArray(e.seeds) || e.seeds.some((x) => !Number.isSafeInteger(x) || x < 0)) {
      throw bad(`${e.algo} ${e.envId}: "seeds" must be non-negative integers`);
    }
    if (!(Number.isSafeInteger(e.totalSteps) && e.totalSteps > 0)) {
      throw bad(`${e.algo} ${e.envId}: "totalSteps" must be a positive integer`);
    }
  }
  if (!(Number.isSafeInteger(s.k) && s.k > 0) || !Number.isSafeInteger(s.t1)) {
    throw bad('"k" and "t1" must be integers');
  }
  return s;
}
