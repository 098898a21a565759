/**
 * The reproduction report as a pure function of analysed results on disk. `loadReproductionData`
 * reads a reproduction directory (its `reproduction.json` and every run directory below it:
 * run.json, metrics.jsonl, the analysis's results.jsonl, overlaps.jsonl, spectra, eigen-cache
 * metadata, step timings); `reproductionReport` turns that into report blocks: a caveat for
 * reduced-scale settings, the verdict of each of the paper's findings with its numbers
 * (findings.ts), tables of S_frac per phase and estimator next to k/N and of the top eigenvalues
 * next to the bulk median, Fig. 1–3 with titles and the data files they were drawn from, and the
 * settings, versions, machines and runtimes. Nothing depends on the process that trained or
 * analysed the runs, so a report can be rebuilt at any time from what is on disk, including
 * runs trained by independent jobs.
 *
 * @module
 */
import { exists, readJson, readJsonl } from "../io/files.ts";
import type { PlotlyFigure, Report, ReportBlock } from "../plot/mod.ts";
import { eigenvalueIndexFigure, seriesFromRows, spectrumHistogramFigure } from "../plot/mod.ts";
import { phaseStatistics } from "../subspaces/mod.ts";
import type { MachineInfo } from "../provenance.ts";
import type { AnalysisSettings, EigenCacheInfo, OverlapRow, ResultRow } from "./analyze.ts";
import type { MetricsRow, RunInfo } from "./train.ts";
import {
  evaluateFindings,
  type Finding,
  FINDING_IDS,
  FINDING_RULES,
  type FindingsRun,
  findingsTable,
  formatMeanStd,
  formatNumber,
  type SpectrumSample,
  spectrumStatistics,
} from "./findings.ts";
import { deviationsFromPaper, type ExperimentFacts } from "./paper_reference.ts";
import {
  type AnalysedRun,
  fractionBarsOfRuns,
  fractionOverTimeOfRuns,
  learningCurvesOfRuns,
  overlapOfRuns,
  PLOTTED_ESTIMATORS,
} from "./paper_figures.ts";

/** The file a reproduction directory describes itself with. */
export const REPRODUCTION_MANIFEST = "reproduction.json";

/** What `reproduction.json` holds: the settings the report states and checks against. */
export interface ReproductionManifest {
  /** Format tag. */
  format: "pgsubspace-reproduction/1";
  /** Preset name. */
  name: string;
  /** Whether the preset is reduced-scale by design (quick, …), stated in the caveat. */
  purpose?: string;
  /** Headline k of Fig. 2, Fig. 3 and the verdicts. */
  k: number;
  /** t1 of Fig. 3. */
  t1: number;
  /** Smoothing half-width of the phase split. */
  smoothingSteps: number;
  /** Analysis settings (to pick the matching analysis of each run). */
  analysis: { preciseSamples?: number; ks?: number[]; tol?: number; seed?: number };
  /** Experiments: algorithm, task, seeds, steps. */
  experiments: { algo: string; envId: string; seeds: number[]; totalSteps: number }[];
}

/** One analysed run with everything the report reads. */
export interface ReportRun extends AnalysedRun {
  /** analysis.json: settings, versions, machine, engine; null when the run is not analysed. */
  analysis: {
    settings: AnalysisSettings;
    versions?: Record<string, string>;
    machine?: MachineInfo;
    engine?: string;
    backend?: string;
  } | null;
  /** Full spectra (explicit or SLQ) of the analysis. */
  spectra: SpectrumSample[];
  /** Precise-Hessian eigen caches (metadata: eigenvalues, convergence, HVPs, seconds). */
  eigen: EigenCacheInfo[];
  /** Seconds of the analysed steps plus the spectra. */
  analysisSeconds: number;
  /** HVPs of all eigen solves and spectra. */
  hvps: number;
}

/** A reproduction directory as read from disk. */
export interface ReproductionData {
  /** The directory (links in the report are relative to it). */
  root: string;
  /** reproduction.json, or null (settings are then inferred). */
  manifest: ReproductionManifest | null;
  /** Runs, sorted by directory name. */
  runs: ReportRun[];
}

function analysisMatches(settings: AnalysisSettings, wanted: ReproductionManifest["analysis"]) {
  return (wanted.preciseSamples === undefined ||
    settings.preciseSamples === wanted.preciseSamples) &&
    (wanted.ks === undefined ||
      JSON.stringify(settings.ks) === JSON.stringify([...wanted.ks].sort((a, b) => a - b))) &&
    (wanted.tol === undefined || settings.tol === wanted.tol) &&
    (wanted.seed === undefined || settings.seed === wanted.seed);
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  if (!(await exists(path))) return [];
  const out: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(path)) out.push(e);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Reads one run and the analysis of it that matches `wanted` (or its only analysis).
 *
 * @example
 * ```ts
 * import { loadReportRun } from "./reproduction_report.ts";
 * const run = await loadReportRun("runs/reproduce-quick/ppo-Pendulum-v1-seed0");
 * ```
 */
export async function loadReportRun(
  runDir: string,
  wanted: ReproductionManifest["analysis"] = {},
): Promise<ReportRun> {
  const info = await readJson<RunInfo>(`${runDir}/run.json`);
  const metrics = (await exists(`${runDir}/metrics.jsonl`))
    ? await readJsonl<MetricsRow>(`${runDir}/metrics.jsonl`)
    : [];
  const candidates: { dir: string; manifest: ReportRun["analysis"] }[] = [];
  for (const e of await listDir(`${runDir}/analysis`)) {
    const file = `${runDir}/analysis/${e.name}/analysis.json`;
    if (!e.isDirectory || !(await exists(file))) continue;
    const manifest = await readJson<NonNullable<ReportRun["analysis"]>>(file);
    if (analysisMatches(manifest.settings, wanted)) {
      candidates.push({ dir: `${runDir}/analysis/${e.name}`, manifest });
    }
  }
  if (candidates.length > 1) {
    throw new Error(
      `${runDir} holds ${candidates.length} analyses matching the reproduction's settings ` +
        `(${candidates.map((c) => c.dir.split("/").pop()).join(", ")}): remove the unwanted ones`,
    );
  }
  const empty: ReportRun = {
    runDir,
    info,
    metrics,
    analysisDir: "",
    results: [],
    overlaps: [],
    analysis: null,
    spectra: [],
    eigen: [],
    analysisSeconds: 0,
    hvps: 0,
  };
  if (candidates.length === 0) return empty;
  const { dir, manifest } = candidates[0];
  const results = (await exists(`${dir}/results.jsonl`))
    ? await readJsonl<ResultRow>(`${dir}/results.jsonl`)
    : [];
  const overlaps = (await exists(`${dir}/overlaps.jsonl`))
    ? await readJsonl<OverlapRow>(`${dir}/overlaps.jsonl`)
    : [];
  let seconds = 0, hvps = 0;
  for (const e of await listDir(`${dir}/steps`)) {
    if (e.name.endsWith(".json")) {
      seconds += (await readJson<{ seconds?: number }>(`${dir}/steps/${e.name}`)).seconds ?? 0;
    }
  }
  const spectra: SpectrumSample[] = [];
  for (const e of await listDir(`${dir}/spectrum`)) {
    if (!e.name.endsWith(".json")) continue;
    const s = await readJson<
      {
        step: number;
        network: "actor" | "critic";
        kind: string;
        eigenvalues?: number[];
        nodes?: number[][];
        weights?: number[][];
        seconds?: number;
        hvpCount?: number;
      }
    >(`${dir}/spectrum/${e.name}`);
    seconds += s.seconds ?? 0;
    hvps += s.hvpCount ?? 0;
    spectra.push(
      s.kind === "explicit"
        ? { network: s.network, step: s.step, eigenvalues: s.eigenvalues ?? [] }
        : {
          network: s.network,
          step: s.step,
          slq: { nodes: s.nodes ?? [], weights: s.weights ?? [] },
        },
    );
  }
  const eigen: EigenCacheInfo[] = [];
  for (const e of await listDir(`${dir}/eigen`)) {
    if (!e.name.endsWith(".json")) continue;
    const cache = await readJson<EigenCacheInfo>(`${dir}/eigen/${e.name}`);
    hvps += cache.hvpCount ?? 0;
    if (cache.estimator === "precise") eigen.push(cache);
  }
  return {
    ...empty,
    analysisDir: dir,
    results,
    overlaps,
    analysis: manifest,
    spectra,
    eigen,
    analysisSeconds: seconds,
    hvps,
  };
}

/**
 * Reads a reproduction directory (module doc): `reproduction.json` when present and every
 * subdirectory holding a run.json.
 *
 * @throws Error naming the command that produces the data when the directory holds no run.
 *
 * @example
 * ```ts
 * import { loadReproductionData, reproductionReport } from "./reproduction_report.ts";
 * const report = reproductionReport(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export async function loadReproductionData(root: string): Promise<ReproductionData> {
  root = root.replace(/\/+$/, "");
  const manifestPath = `${root}/${REPRODUCTION_MANIFEST}`;
  const manifest = (await exists(manifestPath))
    ? await readJson<ReproductionManifest>(manifestPath)
    : null;
  const runs: ReportRun[] = [];
  for (const e of await listDir(root)) {
    if (e.isDirectory && (await exists(`${root}/${e.name}/run.json`))) {
      runs.push(await loadReportRun(`${root}/${e.name}`, manifest?.analysis ?? {}));
    }
  }
  if (runs.length === 0) {
    const name = root.split("/").pop()?.replace(/^reproduce-/, "") ?? "quick";
    throw new Error(
      `No runs under ${root}${(await exists(root)) ? "" : " (the directory does not exist)"}: ` +
        `produce them with \`deno task reproduce --preset ${name}\` (or --out ${root})`,
    );
  }
  return { root, manifest, runs };
}

/**
 * Report settings: the manifest's, or inferred from the runs (largest common k, …).
 *
 * @example
 * ```ts
 * import { loadReproductionData, reportSettings } from "./reproduction_report.ts";
 * const { k, t1 } = reportSettings(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function reportSettings(
  data: ReproductionData,
): { k: number; t1: number; smoothingSteps: number; name: string } {
  if (data.manifest) {
    const { k, t1, smoothingSteps, name } = data.manifest;
    return { k, t1, smoothingSteps, name };
  }
  const ks = data.runs.map((r) => new Set(r.results.map((x) => x.k)));
  const common = [...(ks[0] ?? [])].filter((k) => ks.every((s) => s.has(k)));
  const t1s = data.runs.flatMap((r) => r.overlaps.map((o) => o.t1));
  return {
    k: common.length ? Math.max(...common) : 1,
    t1: t1s.length ? Math.min(...t1s) : 0,
    smoothingSteps: 20_000,
    name: data.root.split("/").pop() ?? data.root,
  };
}

/**
 * The findings (verdicts with numbers) of a reproduction directory.
 *
 * @example
 * ```ts
 * import { loadReproductionData, reproductionFindings } from "./reproduction_report.ts";
 * const findings = reproductionFindings(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function reproductionFindings(data: ReproductionData): Finding[] {
  const { k, t1 } = reportSettings(data);
  return evaluateFindings(data.runs.map(findingsRunOf), { k, t1 });
}

/**
 * What the findings read of a run: its identity, result and overlap rows, and spectra.
 *
 * @example
 * ```ts
 * import { findingsRunOf, loadReportRun } from "./reproduction_report.ts";
 * const run = findingsRunOf(await loadReportRun("runs/reproduce-quick/ppo-Pendulum-v1-seed0"));
 * ```
 */
export function findingsRunOf(r: ReportRun): FindingsRun {
  return {
    task: r.info.envId,
    algo: r.info.algo,
    seed: r.info.seed,
    results: r.results,
    overlaps: r.overlaps,
    spectra: r.spectra,
  };
}

/** Groups runs by algorithm × task, in a stable order. */
function groups(runs: readonly ReportRun[]): [string, ReportRun[]][] {
  const m = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const key = `${r.info.algo.toUpperCase()} · ${r.info.envId}`;
    m.set(key, [...(m.get(key) ?? []), r]);
  }
  return [...m];
}

function rel(data: ReproductionData, path: string): string {
  return path.startsWith(`${data.root}/`) ? path.slice(data.root.length + 1) : path;
}

function link(data: ReproductionData, path: string, label?: string): string {
  const r = rel(data, path);
  return `[${label ?? r}](${r})`;
}

/** Per-network parameter counts N of a run (from its result rows). */
function parameterCounts(run: ReportRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of run.results) out[r.network] = r.n;
  return out;
}

/**
 * The experiment facts of the runs (for the deviations from the paper).
 */
function experimentFacts(data: ReproductionData): ExperimentFacts[] {
  return groups(data.runs).map(([, rs]) => {
    const r = rs[0];
    const config = r.info.config as { netArch?: number[]; useSde?: boolean };
    const settings = r.analysis?.settings;
    return {
      algo: r.info.algo,
      envId: r.info.envId,
      netArch: config.netArch ?? [],
      useSde: config.useSde === true,
      totalSteps: r.info.totalSteps,
      seeds: rs.length,
      preciseSamples: settings?.preciseSamples ?? 0,
      ks: settings?.ks ?? [0],
      tol: settings?.tol ?? 0,
    };
  });
}

/**
 * Pseudo-eigenvalues of an SLQ estimate for a histogram: each node repeated in proportion to its
 * weight (N total).
 */
function slqPseudoSpectrum(s: SpectrumSample, n: number): number[] {
  const out: number[] = [];
  const probes = s.slq!.nodes.length;
  s.slq!.nodes.forEach((nodes, p) => {
    for (let i = 0; i < nodes.length; i++) {
      const count = Math.round((s.slq!.weights[p][i] * n) / probes);
      for (let j = 0; j < count; j++) out.push(nodes[i]);
    }
  });
  return out;
}

/** A figure with where its data came from. */
export interface ReportFigure {
  /** Stable name. */
  name: string;
  /** The figure. */
  figure: PlotlyFigure;
  /** Caption (Markdown). */
  caption: string;
  /** Files (paths) the figure was drawn from. */
  sources: string[];
}

/**
 * Fig. 1 for each algorithm × task: the full spectrum of actor and critic at the last step with
 * a spectrum, of the first seed that has one (SLQ estimates as a weighted histogram).
 *
 * @example
 * ```ts
 * import { loadReproductionData, spectrumFigures } from "./reproduction_report.ts";
 * const figures = spectrumFigures(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function spectrumFigures(data: ReproductionData): ReportFigure[] {
  const out: ReportFigure[] = [];
  for (const [label, rs] of groups(data.runs)) {
    const withSpectra = rs.filter((r) => r.spectra.length > 0);
    if (withSpectra.length === 0) continue;
    const run = withSpectra[0];
    const step = Math.max(...run.spectra.map((s) => s.step));
    const counts = parameterCounts(run);
    const panels = run.spectra.filter((s) => s.step === step).sort((a, b) =>
      a.network < b.network ? -1 : 1
    ).map((s) => ({
      network: s.network,
      eigenvalues: s.eigenvalues ?? slqPseudoSpectrum(s, counts[s.network] ?? 1000),
      title: `${s.network}${s.eigenvalues ? "" : " (SLQ estimate)"}`,
    }));
    const which = `${label}, seed ${run.info.seed}, step ${step.toLocaleString("en-US")}`;
    const others = rs.length > 1
      ? ` Shown for seed ${run.info.seed}; ${withSpectra.length} of ${rs.length} seeds have a ` +
        "full spectrum, all of them are in the table above."
      : "";
    const sources = run.spectra.filter((s) => s.step === step).map((s) =>
      `${run.analysisDir}/spectrum/step_${String(step).padStart(7, "0")}_${s.network}.json`
    );
    out.push({
      name: `spectrumHistogram:${label}`,
      figure: spectrumHistogramFigure(panels, { title: `Fig. 1 — Hessian spectrum, ${which}` }),
      caption: `Histogram of all eigenvalues of the precise-loss Hessian (symlog bins, log ` +
        `counts).${others}`,
      sources,
    });
    out.push({
      name: `spectrumByIndex:${label}`,
      figure: eigenvalueIndexFigure(panels, { title: `Eigenvalues by index, ${which}` }),
      caption: "The same eigenvalues sorted descending against their index (the first and last " +
        "200, every 10th in between).",
      sources,
    });
  }
  return out;
}

/**
 * All figures of the report with captions and data sources (pure; figures that cannot be drawn
 * from these data are left out, with the reason in `problems`).
 *
 * @example
 * ```ts
 * import { loadReproductionData, reportFigures } from "./reproduction_report.ts";
 * const { figures } = reportFigures(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function reportFigures(
  data: ReproductionData,
): { figures: ReportFigure[]; problems: string[] } {
  const { k, t1, smoothingSteps } = reportSettings(data);
  const analysed = data.runs.filter((r) => r.results.length > 0);
  const figures: ReportFigure[] = [];
  const problems: string[] = [];
  const attempt = (name: string, f: () => ReportFigure | ReportFigure[]) => {
    try {
      const r = f();
      figures.push(...(Array.isArray(r) ? r : [r]));
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  };
  const evalEpisodes = data.runs[0]?.info.evalEpisodes;
  attempt("learning curves", () => ({
    name: "learningCurves",
    figure: learningCurvesOfRuns(data.runs, "Learning curves (mean ± std over seeds)"),
    caption: `Evaluation return (${evalEpisodes} deterministic episodes on an environment ` +
      "seeded seed + 1; solid) and training return `rollout/ep_rew_mean` (the episodes that " +
      "ended in each rollout, EMA-smoothed with weight 0.6 per seed; dotted).",
    sources: data.runs.map((r) => `${r.runDir}/metrics.jsonl`),
  }));
  attempt("Fig. 1", () => spectrumFigures(data));
  attempt("Fig. 2", () => ({
    name: "fractionBars",
    figure: fractionBarsOfRuns(analysed, {
      k,
      smoothingSteps,
      title: `Fig. 2 — S<sub>frac</sub> at k = ${k} per training phase and estimator`,
    }),
    caption: "Bars: phase (colour) × estimator (pattern: plain = precise gradient and Hessian, " +
      "/// = mini-batch gradient with the precise Hessian, xxx = both from mini-batches). " +
      "Grey dashed segments: the random-subspace expectation k/N of each group.",
    sources: analysed.flatMap((
      r,
    ) => [`${r.analysisDir}/results.jsonl`, `${r.runDir}/metrics.jsonl`]),
  }));
  for (const [label, rs] of groups(analysed)) {
    const ks = rs[0].analysis?.settings.ks ?? [k];
    for (const network of ["actor", "critic"] as const) {
      attempt(`S_frac over time (${label}, ${network})`, () => ({
        name: `fractionOverTime:${label}:${network}`,
        figure: fractionOverTimeOfRuns(rs, network, ks),
        caption: `S_frac against the training step for k ∈ {${ks.join(", ")}} (colour), precise ` +
          "gradient (solid) and mini-batch gradient (dashed), both with the precise Hessian, " +
          "mean ± std over seeds; dash-dot lines in each k's colour: the random baseline k/N.",
        sources: rs.map((r) => `${r.analysisDir}/results.jsonl`),
      }));
    }
  }
  attempt("Fig. 3", () => ({
    name: "overlap",
    figure: overlapOfRuns(analysed, {
      t1,
      k,
      title: `Fig. 3 — S<sub>overlap</sub>(t<sub>1</sub> = ${
        t1.toLocaleString("en-US")
      }, t<sub>2</sub>) at k = ${k}`,
    }),
    caption: "Overlap of the precise top-k eigenspaces at t1 and at each later analysed step t2 " +
      "(1 = the same subspace); colour = network, line dash = algorithm, bands = ± std over " +
      "seeds; grey dotted horizontal lines: the random-subspace expectation k/N of each network; " +
      "grey dashed vertical line: t1.",
    sources: analysed.map((r) => `${r.analysisDir}/overlaps.jsonl`),
  }));
  return { figures, problems };
}

/**
 * S_frac(k) per phase and estimator, mean ± std over seeds, next to k/N: one Markdown table per
 * algorithm × task × network.
 *
 * @example
 * ```ts
 * import { fractionTables, loadReproductionData } from "./reproduction_report.ts";
 * const md = fractionTables(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function fractionTables(data: ReproductionData): string[] {
  const { smoothingSteps } = reportSettings(data);
  const out: string[] = [];
  for (const [label, rs] of groups(data.runs.filter((r) => r.results.length > 0))) {
    const ks = rs[0].analysis?.settings.ks ?? [];
    const curves = rs.map((r) => seriesFromRows(r.metrics, "rollout/ep_rew_mean", "train"));
    for (const network of ["actor", "critic"] as const) {
      const n = rs[0].results.find((x) => x.network === network)?.n;
      if (n === undefined) continue;
      const lines = [
        `| phase | estimator (gradient/Hessian) | ${ks.map((k) => `k = ${k}`).join(" | ")} |`,
        `|---|---|${ks.map(() => "---:").join("|")}|`,
      ];
      let note = "";
      const rows = new Map<string, string[]>(); // "phase|estimator" → cells, phase-major below
      for (const estimator of Object.keys(PLOTTED_ESTIMATORS)) {
        const cells: Record<string, string[]> = {};
        for (const k of ks) {
          const seeds = rs.map((r, i) => {
            const rows = r.results.filter((x) =>
              x.network === network && x.k === k && x.estimator === estimator
            )
              .sort((a, b) => a.step - b.step);
            return {
              curveSteps: curves[i].steps,
              curveReturns: curves[i].values,
              analysedSteps: rows.map((x) => x.step),
              values: rows.map((x) => x.value),
            };
          });
          let phases: Record<string, { mean: number | null; std: number | null }>;
          try {
            phases = phaseStatistics(seeds, { smoothingSteps }).phases;
          } catch (e) {
            note = `The phase split failed (${
              (e as Error).message
            }); values are over all analysed steps.`;
            const all = seeds.map((s) => s.values.reduce((a, b) => a + b, 0) / s.values.length);
            const mean = all.reduce((a, b) => a + b, 0) / all.length;
            const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
            phases = { all: { mean, std } };
          }
          for (const [phase, v] of Object.entries(phases)) {
            (cells[phase] ??= []).push(
              v.mean === null ? "—" : formatMeanStd(v.mean, v.std ?? 0),
            );
          }
        }
        for (const [phase, values] of Object.entries(cells)) {
          rows.set(`${phase}|${estimator}`, values);
        }
      }
      for (const phase of ["initial", "training", "convergence", "all"]) {
        for (const estimator of Object.keys(PLOTTED_ESTIMATORS)) {
          const values = rows.get(`${phase}|${estimator}`);
          if (values) lines.push(`| ${phase} | ${estimator} | ${values.join(" | ")} |`);
        }
      }
      lines.push(
        `| — | **k/N (random subspace)** | ${
          ks.map((k) => `**${formatNumber(k / n)}**`).join(" | ")
        } |`,
      );
      out.push(
        `**${label} · ${network}** (N = ${n.toLocaleString("en-US")}, ${rs.length} seeds)\n\n${
          lines.join("\n")
        }${note ? `\n\n${note}` : ""}`,
      );
    }
  }
  return out;
}

/**
 * The phase boundaries of each seed (Eq. 6) and the phase of each analysed step, as Markdown.
 *
 * @example
 * ```ts
 * import { phaseBoundaryTable, loadReproductionData } from "./reproduction_report.ts";
 * const md = phaseBoundaryTable(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function phaseBoundaryTable(data: ReproductionData): string {
  const { smoothingSteps } = reportSettings(data);
  const lines = [
    "| run | last step of the initial phase | convergence starts at | analysed steps (phase) |",
    "|---|---:|---:|---|",
  ];
  for (const r of data.runs.filter((x) => x.results.length > 0)) {
    const curve = seriesFromRows(r.metrics, "rollout/ep_rew_mean", "train");
    const steps = [...new Set(r.results.map((x) => x.step))].sort((a, b) => a - b);
    try {
      const s = phaseStatistics(
        [{
          curveSteps: curve.steps,
          curveReturns: curve.values,
          analysedSteps: steps,
          values: steps.map(() => 0),
        }],
        { smoothingSteps },
      ).splits[0];
      const phaseOf = (t: number) =>
        t <= s.lastInitialStep ? "i" : t >= s.convergenceStartStep ? "c" : "t";
      lines.push(
        `| ${r.info.algo.toUpperCase()} seed ${r.info.seed} | ${
          s.lastInitialStep.toLocaleString("en-US")
        } | ${s.convergenceStartStep.toLocaleString("en-US")} | ${
          steps.map((t) => `${t.toLocaleString("en-US")} (${phaseOf(t)})`).join(", ")
        } |`,
      );
    } catch (e) {
      lines.push(
        `| ${r.info.algo.toUpperCase()} seed ${r.info.seed} | — | — | split failed: ${
          (e as Error).message
        } |`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * The top eigenvalues next to the bulk median |λ|, per run and network, as Markdown.
 *
 * @example
 * ```ts
 * import { eigenvalueTable, loadReproductionData } from "./reproduction_report.ts";
 * const md = eigenvalueTable(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function eigenvalueTable(data: ReproductionData): string {
  const lines = [
    "| run | network | step | N | λ₁ | λ₂ | λ₃ | bulk median \\|λ\\| | λ₁ / median | negative share | source |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of data.runs) {
    for (const network of ["actor", "critic"] as const) {
      const spectra = r.spectra.filter((s) => s.network === network).sort((a, b) =>
        b.step - a.step
      );
      const who = `${r.info.algo.toUpperCase()} ${r.info.envId} seed ${r.info.seed}`;
      if (spectra.length > 0) {
        const s = spectrumStatistics(spectra[0]);
        const n = s.n || parameterCounts(r)[network];
        const top = [0, 1, 2].map((i) => s.top[i] === undefined ? "—" : formatNumber(s.top[i]));
        lines.push(
          `| ${who} | ${network} | ${spectra[0].step.toLocaleString("en-US")} | ${n} | ${
            top.join(" | ")
          } | ${formatNumber(s.bulkMedian)} | ${formatNumber(s.ratio, 2)} | ${
            formatNumber(s.negativeShare, 2)
          } | ${spectra[0].eigenvalues ? "full spectrum (explicit)" : "SLQ estimate"} |`,
        );
        continue;
      }
      const caches = r.eigen.filter((c) => c.network === network).sort((a, b) => b.step - a.step);
      if (caches.length === 0) continue;
      const c = caches[0];
      const top = [0, 1, 2].map((i) =>
        c.eigenvalues[i] === undefined ? "—" : formatNumber(c.eigenvalues[i])
      );
      lines.push(
        `| ${who} | ${network} | ${c.step.toLocaleString("en-US")} | ${c.n} | ${
          top.join(" | ")
        } | not measured | — | — | top-${c.k} Lanczos${c.converged ? "" : " (not converged)"} |`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * S_overlap(t1, t2) per t2, mean ± std over seeds, next to k/N, as Markdown.
 *
 * @example
 * ```ts
 * import { overlapTable, loadReproductionData } from "./reproduction_report.ts";
 * const md = overlapTable(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function overlapTable(data: ReproductionData): string {
  const { k, t1 } = reportSettings(data);
  const out: string[] = [];
  for (const [label, rs] of groups(data.runs)) {
    for (const network of ["actor", "critic"] as const) {
      const rows = rs.flatMap((r) =>
        r.overlaps.filter((o) => o.network === network && o.k === k && o.t1 === t1 && o.t2 > t1)
      );
      if (rows.length === 0) continue;
      const t2s = [...new Set(rows.map((o) => o.t2))].sort((a, b) => a - b);
      const n = rs[0].results.find((x) => x.network === network)?.n;
      const cells = t2s.map((t2) => {
        const xs = rows.filter((o) => o.t2 === t2).map((o) => o.value);
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
        return formatMeanStd(mean, std);
      });
      out.push(
        `| ${label} · ${network} | ${n ? formatNumber(k / n) : "—"} | ${
          t2s.map((t, i) => `${t.toLocaleString("en-US")}: ${cells[i]}`).join("; ")
        } |`,
      );
    }
  }
  if (out.length === 0) return `No S_overlap rows with t1 = ${t1} and k = ${k}.`;
  return ["| group · network | k/N | S_overlap(t1, t2) by t2 |", "|---|---:|---|", ...out].join(
    "\n",
  );
}

function seconds(x: number): string {
  if (x < 60) return `${x.toFixed(1)} s`;
  const m = Math.floor(x / 60), s = Math.round(x % 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Runtime per stage and run, machines, versions. */
function provenance(data: ReproductionData): string {
  const lines = ["| run | training | analysis | HVPs |", "|---|---:|---:|---:|"];
  let train = 0, analysis = 0;
  const machine = (m?: MachineInfo) =>
    m
      ? `${m.hostname ?? "?"}: ${m.cpus} CPUs${m.cpuModel ? ` (${m.cpuModel})` : ""}, ${
        m.memoryGiB ?? "?"
      } GiB, ${m.platform}`
      : "not recorded";
  const machines = new Map<string, string[]>();
  for (const r of data.runs) {
    train += r.info.trainSeconds ?? 0;
    analysis += r.analysisSeconds;
    lines.push(
      `| ${link(data, r.runDir)} | ${
        r.info.trainSeconds === undefined ? "not recorded" : seconds(r.info.trainSeconds)
      } | ${r.analysis ? seconds(r.analysisSeconds) : "not analysed"} | ${
        r.hvps.toLocaleString("en-US")
      } |`,
    );
    for (
      const [stage, m] of [["training", r.info.machine], ["analysis", r.analysis?.machine]] as const
    ) {
      const key = machine(m);
      machines.set(key, [...(machines.get(key) ?? []), `${stage} of ${rel(data, r.runDir)}`]);
    }
  }
  lines.push(`| **total** | **${seconds(train)}** | **${seconds(analysis)}** | |`);
  const machineText = machines.size === 1
    ? `Every stage ran on ${[...machines.keys()][0]}.`
    : `Machines: ${[...machines].map(([m, what]) => `${m} (${what.join(", ")})`).join("; ")}.`;
  const versions = new Map<string, Set<string>>();
  for (const r of data.runs) {
    for (const v of [r.info.versions, r.analysis?.versions ?? {}]) {
      for (const [k, x] of Object.entries(v)) {
        versions.set(k, (versions.get(k) ?? new Set()).add(x));
      }
    }
  }
  const backends = [
    ...new Set(data.runs.flatMap((r) => [r.info.backend, r.analysis?.backend].filter((x) => x))),
  ];
  const engines = [...new Set(data.runs.map((r) => r.analysis?.engine).filter((x) => x))];
  return `${lines.join("\n")}\n\n${machineText} Versions: ${
    [...versions].map(([k, v]) => `${k} ${[...v].join(" / ")}`).join(", ")
  }. tfjs backend: ${backends.join("; ") || "not recorded"}. HVP engine: ${
    engines.join(", ") || "not recorded"
  }.`;
}

function settingsSection(data: ReproductionData): string {
  const { k, t1, smoothingSteps, name } = reportSettings(data);
  const lines = [
    "| algorithm · task | seeds | steps | hidden layers | N actor / critic | preset (overrides) | precise samples | k analysed | Lanczos tol | analysis seed |",
    "|---|---|---:|---|---|---|---:|---|---:|---:|",
  ];
  for (const [label, rs] of groups(data.runs)) {
    const r = rs[0];
    const config = r.info.config as { netArch?: number[]; activation?: string };
    const n = parameterCounts(r);
    const s = r.analysis?.settings;
    lines.push(
      `| ${label} | ${rs.map((x) => x.info.seed).join(", ")} | ${
        r.info.totalSteps.toLocaleString("en-US")
      } | ${(config.netArch ?? []).join("×")} ${config.activation ?? ""} | ${n.actor ?? "?"} / ${
        n.critic ?? "?"
      } | ${r.info.preset}${
        Object.keys(r.info.overrides ?? {}).length
          ? ` (\`${JSON.stringify(r.info.overrides)}\`)`
          : ""
      } | ${s ? s.preciseSamples.toLocaleString("en-US") : "—"} | ${
        s ? s.ks.join(", ") : "not analysed"
      } | ${s?.tol ?? "—"} | ${s?.seed ?? "—"} |`,
    );
  }
  return `Preset **${name}**. Headline subspace dimension k = ${k}, overlap reference t1 = ${
    t1.toLocaleString("en-US")
  }, phase-split smoothing ±${smoothingSteps.toLocaleString("en-US")} steps.\n\n${
    lines.join("\n")
  }`;
}

function sourcesLine(data: ReproductionData, sources: string[]): string {
  const unique = [...new Set(sources)];
  const shown = unique.slice(0, 8).map((s) => link(data, s)).join(", ");
  return `Data: ${shown}${unique.length > 8 ? `, and ${unique.length - 8} more` : ""}.`;
}

/**
 * The caveat of reduced-scale data (a Markdown block quote listing every difference from the
 * paper's protocol and what it can change), or null when the runs follow the paper.
 *
 * @example
 * ```ts
 * import { loadReproductionData, reportCaveat } from "./reproduction_report.ts";
 * const caveat = reportCaveat(await loadReproductionData("runs/reproduce-quick"));
 * ```
 */
export function reportCaveat(data: ReproductionData): string | null {
  const { k, t1, smoothingSteps } = reportSettings(data);
  const facts = experimentFacts(data);
  const experiments = facts.length;
  const deviations = deviationsFromPaper(facts, { k, t1, smoothingSteps });
  if (deviations.length === 0) return null;
  const purpose = data.manifest?.purpose ? ` (${data.manifest.purpose})` : "";
  // One row per setting: the experiments it concerns side by side.
  const bySetting = new Map<string, typeof deviations>();
  for (const d of deviations) bySetting.set(d.setting, [...(bySetting.get(d.setting) ?? []), d]);
  const s = bySetting.size === 1 ? "" : "s";
  const rows = [...bySetting].map(([setting, ds]) => {
    // A value shared by every experiment is stated once, else per experiment.
    const everywhere = ds.every((d) => d.scope === "all") || ds.length === experiments;
    const values = (pick: (d: (typeof ds)[number]) => string) =>
      everywhere && new Set(ds.map(pick)).size === 1
        ? pick(ds[0])
        : ds.map((d) => `${d.scope === "all" ? "" : `${d.scope}: `}${pick(d)}`).join("; ");
    return `> | ${setting} | ${values((d) => d.paper)} | ${values((d) => d.here)} | ${
      [...new Set(ds.map((d) => d.effect))].join(" ")
    } |`;
  });
  return `> **Reduced-scale reproduction${purpose}.** These runs differ from the paper's ` +
    `protocol in ${bySetting.size} setting${s} (table below). The verdicts say what *these* ` +
    "data show; they are not a test of the paper's numbers.\n>\n" +
    "> | setting | paper | here | what it can change |\n> |---|---|---|---|\n" +
    rows.join("\n");
}

/**
 * The report (module doc) of a reproduction directory's data. Pure: the same data give the same
 * report.
 *
 * @example
 * ```ts
 * import { loadReproductionData, reproductionReport } from "./reproduction_report.ts";
 * import { writeReport } from "../plot/mod.ts";
 * const data = await loadReproductionData("runs/reproduce-quick");
 * await writeReport("runs/reproduce-quick/report.html", reproductionReport(data));
 * ```
 */
export function reproductionReport(data: ReproductionData): Report {
  const { k, t1, smoothingSteps, name } = reportSettings(data);
  const findings = reproductionFindings(data);
  const { figures, problems } = reportFigures(data);
  const byName = (prefix: string) => figures.filter((f) => f.name.startsWith(prefix));
  const figureBlocks = (fs: ReportFigure[]): ReportBlock[] =>
    fs.flatMap((
      f,
    ) => [{ figure: f.figure, caption: `${f.caption} ${sourcesLine(data, f.sources)}` }]);
  const blocks: ReportBlock[] = [];

  const unanalysed = data.runs.filter((r) => r.results.length === 0);
  const caveat = reportCaveat(data);
  if (caveat !== null) blocks.push({ markdown: caveat });
  if (unanalysed.length > 0) {
    blocks.push({
      markdown:
        `> **Incomplete:** ${unanalysed.length} run(s) have no analysis matching the settings ` +
        `(${
          unanalysed.map((r) => rel(data, r.runDir)).join(", ")
        }); they appear only in the learning curves.`,
    });
  }
  const counts = { holds: 0, "does not hold": 0, "not measured": 0 };
  for (const f of findings) counts[f.verdict]++;
  blocks.push({
    markdown: "## Findings\n\n" +
      `Schneider et al. (ICLR 2024) report that, for PPO and SAC, the actor's and the critic's ` +
      "gradients lie in a low-dimensional, slowly changing subspace of high curvature. Each row " +
      `tests one of their findings on these runs (k = ${k}): ${counts.holds} hold, ` +
      `${counts["does not hold"]} do not hold, ${counts["not measured"]} are not measured.\n\n` +
      findingsTable(findings) + "\n\n" +
      "**How the verdicts are computed** (lib/experiments/findings.ts). S_frac is the precise " +
      "gradient's fraction in the precise Hessian's top-k eigenspace, averaged per seed over its " +
      "analysed steps; means and population std are over seeds; k/N is the expectation for a " +
      "random k-dimensional subspace.\n\n" +
      FINDING_IDS.map((id) => `- **${FINDING_RULES[id].claim}**: ${FINDING_RULES[id].rule}.`).join(
        "\n",
      ),
  });
  blocks.push({ markdown: `## What was run\n\n${settingsSection(data)}` });
  blocks.push({ markdown: "## Learning curves" }, ...figureBlocks(byName("learningCurves")));
  blocks.push({
    markdown: "## Curvature is concentrated (Fig. 1)\n\n" +
      "The top eigenvalues of each network's Hessian next to the median |λ| of its whole " +
      "spectrum (the bulk). Full spectra come from the explicit Hessian (N exact Hessian-vector " +
      "products and a dense eigensolver) or, for large networks, stochastic Lanczos quadrature; " +
      "without a full spectrum only the Lanczos top-k is known and the bulk is not measured.\n\n" +
      eigenvalueTable(data),
  }, ...figureBlocks(byName("spectrum")));
  blocks.push(
    {
      markdown: "## The gradient lies in the high-curvature subspace (Fig. 2)\n\n" +
        "S_frac(P_k, g) = ‖V_kᵀ g‖² / ‖g‖² (paper Eq. 5) for the paper's three estimator pairs. " +
        "**Training phases (paper Eq. 6)**: per seed, the training return `rollout/ep_rew_mean` is " +
        `smoothed over ±${
          smoothingSteps.toLocaleString("en-US")
        } steps (R̄_j); ρ_j = (R̄_j − R̄₀) / ` +
        "(max R̄ − R̄₀). The training phase starts at the first j with ρ_j > 0.1; the convergence " +
        "phase starts where a backward scan from the end, after passing the maximum, first finds " +
        "ρ_j < 0.9. Steps up to the last one before training are *initial*, steps from the " +
        "convergence start on are *convergence*, the rest *training*. Per-phase values are means " +
        "over the seed's analysed steps in that phase, then mean ± std over seeds.\n\n" +
        phaseBoundaryTable(data) + "\n\n(i = initial, t = training, c = convergence.)\n\n" +
        "S_frac(k) per phase and estimator, mean ± std over seeds, next to k/N:\n\n" +
        fractionTables(data).join("\n\n"),
    },
    ...figureBlocks(byName("fractionBars")),
    ...figureBlocks(byName("fractionOverTime")),
  );
  blocks.push({
    markdown: "## The subspace changes slowly (Fig. 3)\n\n" +
      "S_overlap(t1, t2) = ‖V_k(t1)ᵀ V_k(t2)‖_F² / k (paper Eq. 7), precise Hessians, " +
      `t1 = ${t1.toLocaleString("en-US")}, k = ${k}; mean ± std over seeds.\n\n` +
      overlapTable(data),
  }, ...figureBlocks(byName("overlap")));
  if (problems.length > 0) {
    blocks.push({
      markdown: "## Figures that could not be drawn\n\n" + problems.map((p) => `- ${p}`).join("\n"),
    });
  }
  blocks.push({
    markdown:
      "## Provenance\n\nRuntime per stage (training: all calls of the run, from run.json; " +
      "analysis: the analysed steps and full spectra, from the analysis files), machines and " +
      `versions.\n\n${provenance(data)}\n\nEvery run directory holds run.json (settings, ` +
      "versions), metrics.jsonl, checkpoints/ and analysis/<id>/ (analysis.json, results.jsonl, " +
      "overlaps.jsonl, eigen/, spectrum/, steps/); `deno task export --run DIR` writes the " +
      "arrays as .npy for numpy.",
  });
  return { title: `pgsubspace reproduction — preset ${name}`, blocks };
}
