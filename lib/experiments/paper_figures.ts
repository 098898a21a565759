/**
 * The paper's figures from analysed run directories: learning curves, Fig. 1 (Hessian spectra),
 * Fig. 2 (S_frac bars per training phase and estimator), Fig. 3 (S_overlap against t2), and
 * S_frac over time (Fig. 1 of a reproduction: `spectrumFigures` in reproduction_report.ts). Runs of several seeds of the same task and algorithm are aggregated as mean
 * ± population std (the paper's np.std).
 *
 * A run is "analysed" when `analyzeRun` has written `<run>/analysis/<id>/`; this module only
 * reads files and builds Plotly figures.
 *
 * @module
 */
import { exists, readJson, readJsonl } from "../io/files.ts";
import type { MetricsRow, RunInfo } from "./train.ts";
import type { OverlapRow, ResultRow } from "./analyze.ts";
import { phaseStatistics } from "../subspaces/mod.ts";
import {
  type Band,
  type Estimator,
  type FractionBarGroup,
  learningCurveFigure,
  type LearningCurveSeries,
  type OverlapCurve,
  type PlotlyFigure,
  seedBand,
  seriesFromRows,
  subspaceFractionBarsFigure,
  subspaceFractionOverTimeFigure,
  subspaceOverlapFigure,
} from "../plot/mod.ts";

/** One training run with one of its analyses, as read from disk. */
export interface AnalysedRun {
  /** The run directory. */
  runDir: string;
  /** `run.json`. */
  info: RunInfo;
  /** `metrics.jsonl`. */
  metrics: MetricsRow[];
  /** The analysis directory used. */
  analysisDir: string;
  /** `results.jsonl` (S_frac rows). */
  results: ResultRow[];
  /** `overlaps.jsonl`. */
  overlaps: OverlapRow[];
}

/** Maps the analysis's `<gradient>/<hessian>` keys to the three estimators the paper plots. */
export const PLOTTED_ESTIMATORS: Readonly<Record<string, Estimator>> = Object.freeze({
  "precise/precise": "precise",
  "minibatch/precise": "minibatch_gradient",
  "minibatch/minibatch": "minibatch",
});

/**
 * Reads a run and one of its analyses. With no `analysisId`, the run must hold exactly one
 * analysis (else the error lists them).
 *
 * @example
 * ```ts
 * import { loadAnalysedRun } from "./paper_figures.ts";
 * const run = await loadAnalysedRun("runs/ppo-pendulum-0");
 * console.log(run.results.length, run.overlaps.length);
 * ```
 */
export async function loadAnalysedRun(runDir: string, analysisId?: string): Promise<AnalysedRun> {
  const info = await readJson<RunInfo>(`${runDir}/run.json`);
  const metrics = await readJsonl<MetricsRow>(`${runDir}/metrics.jsonl`);
  let id = analysisId;
  if (id === undefined) {
    const ids: string[] = [];
    try {
      for await (const e of Deno.readDir(`${runDir}/analysis`)) if (e.isDirectory) ids.push(e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (ids.length !== 1) {
      throw new Error(
        `${runDir} holds ${ids.length} analyses (${ids.join(", ") || "none"}): ` +
          (ids.length === 0 ? "run analyzeRun first" : "pass the analysisId to use"),
      );
    }
    id = ids[0];
  }
  const analysisDir = `${runDir}/analysis/${id}`;
  const results = await readJsonl<ResultRow>(`${analysisDir}/results.jsonl`);
  const overlaps = (await exists(`${analysisDir}/overlaps.jsonl`))
    ? await readJsonl<OverlapRow>(`${analysisDir}/overlaps.jsonl`)
    : [];
  return { runDir, info, metrics, analysisDir, results, overlaps };
}

/** Groups runs by (algorithm, task): the seeds of one configuration. */
function groupRuns(runs: readonly AnalysedRun[]): Map<string, AnalysedRun[]> {
  const groups = new Map<string, AnalysedRun[]>();
  for (const r of runs) {
    const key = `${r.info.algo.toUpperCase()} · ${r.info.envId}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

/**
 * Learning curves of runs (evaluation and training return, mean ± std over the seeds of each
 * algorithm × task). Works on plain training runs too (only `info` and `metrics` are read).
 *
 * @example
 * ```ts
 * import { learningCurvesOfRuns, loadAnalysedRun } from "./paper_figures.ts";
 * const fig = learningCurvesOfRuns([await loadAnalysedRun("runs/ppo-pendulum-0")]);
 * ```
 */
export function learningCurvesOfRuns(
  runs: readonly Pick<AnalysedRun, "info" | "metrics">[],
  title = "Learning curves",
): PlotlyFigure {
  const series: LearningCurveSeries[] = [];
  for (const [label, group] of groupRuns(runs as AnalysedRun[])) {
    series.push({
      label,
      kind: "eval",
      seeds: group.map((r) => seriesFromRows(r.metrics, "eval/mean_reward", "eval")),
    });
    series.push({
      label,
      kind: "train",
      seeds: group.map((r) => seriesFromRows(r.metrics, "rollout/ep_rew_mean", "train")),
    });
  }
  return learningCurveFigure({
    series: series.filter((s) => s.seeds.every((x) => x.steps.length)),
    title,
  });
}

/**
 * Fig. 2: S_frac at subspace dimension k per training phase (§4.6 split of each seed's
 * `rollout/ep_rew_mean` curve, smoothed over ±`smoothingSteps`, default the paper's 20k) ×
 * estimator, mean ± std over seeds, one bar group per algorithm × task, actor and critic panels, with the random baseline k/N.
 *
 * @example
 * ```ts
 * import { fractionBarsOfRuns, loadAnalysedRun } from "./paper_figures.ts";
 * const fig = fractionBarsOfRuns([await loadAnalysedRun("runs/ppo-pendulum-0")], { k: 100 });
 * ```
 */
export function fractionBarsOfRuns(
  runs: readonly AnalysedRun[],
  options: { k: number; xmax?: number; smoothingSteps?: number; title?: string },
): PlotlyFigure {
  const { k } = options;
  const phaseOptions = {
    ...(options.xmax === undefined ? {} : { xmax: options.xmax }),
    ...(options.smoothingSteps === undefined ? {} : { smoothingSteps: options.smoothingSteps }),
  };
  const panels = (["actor", "critic"] as const).map((network) => {
    const groups: FractionBarGroup[] = [];
    for (const [label, group] of groupRuns(runs)) {
      const values: FractionBarGroup["values"] = {};
      let n: number | undefined;
      for (const [key, estimator] of Object.entries(PLOTTED_ESTIMATORS)) {
        const seeds = group.map((r) => {
          const rows = r.results
            .filter((x) => x.network === network && x.k === k && x.estimator === key)
            .sort((a, b) => a.step - b.step);
          n = rows[0]?.n ?? n;
          const curve = seriesFromRows(r.metrics, "rollout/ep_rew_mean", "train");
          return {
            curveSteps: curve.steps,
            curveReturns: curve.values,
            analysedSteps: rows.map((x) => x.step),
            values: rows.map((x) => x.value),
          };
        });
        if (seeds.some((s) => s.analysedSteps.length === 0 || s.curveSteps.length < 2)) continue;
        const stats = phaseStatistics(seeds, phaseOptions);
        values[estimator] = stats.phases;
      }
      if (Object.keys(values).length > 0) {
        groups.push({ label, values, baseline: n === undefined ? undefined : k / n });
      }
    }
    return { network, groups };
  }).filter((p) => p.groups.length > 0);
  if (panels.length === 0) {
    throw new Error(`No S_frac rows with k = ${k} in these runs (analysed with other k?)`);
  }
  return subspaceFractionBarsFigure({ k, panels, title: options.title });
}

/**
 * Fig. 3: S_overlap(t1, t2; k) against t2, mean ± std over seeds, one curve per algorithm ×
 * network (several tasks: call once per task).
 *
 * @example
 * ```ts
 * import { loadAnalysedRun, overlapOfRuns } from "./paper_figures.ts";
 * const fig = overlapOfRuns([await loadAnalysedRun("runs/ppo-pendulum-0")], { t1: 10_000, k: 100 });
 * ```
 */
export function overlapOfRuns(
  runs: readonly AnalysedRun[],
  options: { t1: number; k: number; title?: string },
): PlotlyFigure {
  const { t1, k } = options;
  const curves: OverlapCurve[] = [];
  const baselines: { label: string; value: number }[] = [];
  for (const group of groupRuns(runs).values()) {
    const algo = group[0].info.algo as OverlapCurve["algo"];
    for (const network of ["actor", "critic"] as const) {
      const seeds = group.map((r) => {
        const rows = r.overlaps
          .filter((x) => x.network === network && x.k === k && x.t1 === t1 && x.t2 > t1)
          .sort((a, b) => a.t2 - b.t2);
        return { steps: rows.map((x) => x.t2), values: rows.map((x) => x.value) };
      });
      if (seeds.some((s) => s.steps.length === 0)) continue;
      curves.push({ network, algo, band: seedBand(seeds) });
      const n = group[0].results.find((x) => x.network === network)?.n;
      if (n !== undefined) {
        baselines.push({ label: `k/N ${algo.toUpperCase()} ${network}`, value: k / n });
      }
    }
  }
  if (curves.length === 0) {
    throw new Error(`No overlap rows with t1 = ${t1}, k = ${k} (choose an analysed t1)`);
  }
  return subspaceOverlapFigure({ t1, k, curves, baselines, title: options.title });
}

/**
 * S_frac over training for several k (mean ± std over seeds), one figure per network, for the
 * given estimator combination (default precise gradient, precise Hessian), with the k/N lines.
 *
 * @example
 * ```ts
 * import { fractionOverTimeOfRuns, loadAnalysedRun } from "./paper_figures.ts";
 * const fig = fractionOverTimeOfRuns([await loadAnalysedRun("runs/ppo-pendulum-0")], "critic", [1, 10, 100]);
 * ```
 */
export function fractionOverTimeOfRuns(
  runs: readonly AnalysedRun[],
  network: "actor" | "critic",
  ks: number[],
  estimators: string[] = ["precise/precise", "minibatch/precise"],
): PlotlyFigure {
  const configs = new Set(runs.map((r) => `${r.info.algo} ${r.info.envId}`));
  if (configs.size !== 1) {
    throw new Error(
      `fractionOverTimeOfRuns aggregates seeds of one algorithm and task, got ${
        [...configs].join(", ")
      }`,
    );
  }
  const series = [];
  let n: number | undefined;
  for (const key of estimators) {
    for (const k of ks) {
      const seeds = runs.map((r) => {
        const rows = r.results
          .filter((x) => x.network === network && x.k === k && x.estimator === key)
          .sort((a, b) => a.step - b.step);
        n = rows[0]?.n ?? n;
        return { steps: rows.map((x) => x.step), values: rows.map((x) => x.value) };
      });
      if (seeds.some((s) => s.steps.length === 0)) continue;
      const estimator = PLOTTED_ESTIMATORS[key];
      if (estimator === undefined) throw new Error(`Estimator ${key} is not one the paper plots`);
      series.push({ k, estimator, band: seedBand(seeds) as Band });
    }
  }
  const r0 = runs[0].info;
  return subspaceFractionOverTimeFigure({
    series,
    network,
    parameterCount: n,
    title: `S<sub>frac</sub> over training — ${r0.algo.toUpperCase()} ${r0.envId}, ${network}`,
  });
}
