/**
 * What every notebook needs before its first figure, in one place: quick or real settings
 * (`PGSUBSPACE_QUICK=1`), the changes a reader made (task, algorithms, k, sample count), the
 * shared output directory under the repository's `runs/`, and the runs trained and analysed (or
 * reused from disk) with live progress. Notebooks call these instead of copying setup code.
 *
 * @module
 */
import { initRuntime } from "../runtime/mod.ts";
import { liveReproductionProgress } from "./live_progress.ts";
import {
  customizePreset,
  type PresetChanges,
  reproductionPreset,
  type ReproductionSettings,
  runReproduction,
} from "./reproduce.ts";
import { loadReproductionData, type ReproductionData } from "./reproduction_report.ts";

/** The repository's `runs/` folder (git-ignored), wherever the notebook runs from. */
export const RUNS_DIR = new URL("../../runs/", import.meta.url).pathname.replace(/\/$/, "");

/** A notebook's settings. */
export interface NotebookContext {
  /** Quick mode (`PGSUBSPACE_QUICK=1`): the `quick` preset, else `pendulum`. */
  quick: boolean;
  /** The settings after the reader's changes. */
  settings: ReproductionSettings;
  /** Where the runs live (shared with `deno task reproduce` for unchanged presets). */
  outRoot: string;
}

/**
 * The settings of a notebook: the `quick` preset when `PGSUBSPACE_QUICK=1` (or `quick` is
 * passed), else `pendulum`, with `changes` applied (see `customizePreset`).
 *
 * @example
 * ```ts
 * import { notebookContext } from "./notebook.ts";
 * const ctx = notebookContext({ algos: ["ppo"], k: 5 });
 * ctx.outRoot; // ".../runs/reproduce-quick-ppo-k5" in quick mode
 * ```
 */
export function notebookContext(changes: PresetChanges = {}, quick?: boolean): NotebookContext {
  let q = quick;
  if (q === undefined) {
    try {
      q = Deno.env.get("PGSUBSPACE_QUICK") === "1";
    } catch {
      q = false;
    }
  }
  const settings = customizePreset(reproductionPreset(q ? "quick" : "pendulum"), changes);
  return { quick: q, settings, outRoot: `${RUNS_DIR}/reproduce-${settings.name}` };
}

/**
 * Trains and analyses the notebook's runs (or reuses them from disk) with a progress display
 * updated in place, and returns the data as on disk (the report's input).
 *
 * @example
 * ```ts
 * import { notebookContext, prepareRuns } from "./notebook.ts";
 * const data = await prepareRuns(notebookContext());
 * data.runs.length;
 * ```
 */
export async function prepareRuns(ctx: NotebookContext): Promise<ReproductionData> {
  await initRuntime();
  const progress = liveReproductionProgress();
  const { data } = await runReproduction(ctx.settings, {
    outRoot: ctx.outRoot,
    report: false,
    ...progress,
  });
  await progress.done();
  return data;
}

/**
 * The analysed runs already on disk for these settings; an error that names the command (or
 * notebook) producing them when there are none.
 *
 * @example
 * ```ts
 * import { loadRuns, notebookContext } from "./notebook.ts";
 * const data = await loadRuns(notebookContext());
 * ```
 */
export async function loadRuns(ctx: NotebookContext): Promise<ReproductionData> {
  try {
    return await loadReproductionData(ctx.outRoot);
  } catch (e) {
    const preset = ctx.settings.name.startsWith("quick") ? "quick" : "pendulum";
    const customized = ctx.settings.name !== preset;
    throw new Error(
      `No analysed runs in ${ctx.outRoot}: run ${
        customized
          ? "one of notebooks 03-06 with the same changes"
          : `\`deno task reproduce --preset ${preset}\` (or notebooks 03-06${
            preset === "quick" ? " with PGSUBSPACE_QUICK=1" : ""
          })`
      } first`,
      { cause: e },
    );
  }
}
