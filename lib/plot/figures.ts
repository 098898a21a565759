/**
 * Pure figure builders for the paper's figures: data in, Plotly figure JSON (`{ data, layout }`)
 * out, no I/O. Display them with `show` (display.ts), put them in a report (report.ts) or export
 * them to SVG/PNG (static_export.ts). Colours, dashes and labels come from palette.ts.
 *
 * | Builder | Paper |
 * |---|---|
 * | {@link spectrumHistogramFigure} | Fig. 1: Hessian eigenvalue histogram, log counts, symlog bins |
 * | {@link eigenvalueIndexFigure} | Fig. 1 variant: eigenvalue vs index |
 * | {@link subspaceFractionBarsFigure} | Fig. 2: S_frac per phase × estimator, actor and critic panels |
 * | {@link subspaceOverlapFigure} | Fig. 3: S_overlap(t1, t2) vs t2, mean ± std bands |
 * | {@link learningCurveFigure} | Appendix: eval / training return, mean ± std over seeds |
 * | {@link subspaceFractionOverTimeFigure} | Appendix: S_frac vs step for several k |
 * | {@link eigenvalueTrajectoryFigure} | top-i eigenvalue vs step |
 *
 * Builders reject non-finite input with a RangeError (JSON would silently turn NaN into null).
 *
 * @module
 */

import type { PhaseAggregate, TrainingPhase } from "../subspaces/phases.ts";
import { TRAINING_PHASES } from "../subspaces/phases.ts";
import { type Band, emaSmooth, seedBand, type SeedBandOptions, type Series } from "./bands.ts";
import { addPanels, baseLayout } from "./layout.ts";
import {
  ALGORITHM_DASHES,
  ALGORITHM_LABELS,
  BAND_OPACITY,
  CURVE_KIND_DASHES,
  ESTIMATOR_DASHES,
  ESTIMATOR_LABELS,
  ESTIMATOR_PATTERNS,
  ESTIMATORS,
  NETWORK_COLORS,
  NETWORK_LABELS,
  PHASE_COLORS,
  PHASE_LABELS,
  REFERENCE_COLOR,
  sequentialColor,
  withAlpha,
} from "./palette.ts";
import {
  DEFAULT_LINTHRESH,
  histogramCounts,
  symlog,
  symlogBinEdges,
  symlogTicks,
} from "./symlog.ts";
import type {
  Algorithm,
  Estimator,
  Network,
  PlotlyFigure,
  PlotlyNumbers,
  PlotlyTrace,
} from "./types.ts";

function checkFinite(who: string, what: string, x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`${who}: ${what} is ${x}; it must be finite`);
}

function checkBand(who: string, band: Band, name: string): void {
  const n = band.steps.length;
  if (n === 0) throw new RangeError(`${who}: the band of "${name}" is empty`);
  if (band.mean.length !== n || band.std.length !== n) {
    throw new RangeError(
      `${who}: the band of "${name}" has ${n} steps, ${band.mean.length} means and ` +
        `${band.std.length} stds; build it with seedBand()`,
    );
  }
  for (let i = 0; i < n; i++) {
    checkFinite(who, `"${name}" step ${i}`, band.steps[i]);
    checkFinite(who, `"${name}" mean at step ${band.steps[i]}`, band.mean[i]);
    checkFinite(who, `"${name}" std at step ${band.steps[i]}`, band.std[i]);
  }
}

/** Style of one band (see {@link bandTraces}). */
export interface BandStyle {
  /** Legend name of the mean line. */
  name: string;
  /** Line and fill colour, `#RRGGBB`. */
  color: string;
  /** Line dash (default "solid"). */
  dash?: string;
  /** Legend group (default: the name). */
  legendgroup?: string;
  /** Show the mean line in the legend (default true). */
  showlegend?: boolean;
  /** Subplot axes (default "x"/"y"). */
  xaxis?: string;
  /** Subplot axes (default "x"/"y"). */
  yaxis?: string;
  /** Draw the ± std fill (default true; skipped anyway when all stds are 0). */
  fill?: boolean;
}

/**
 * The traces of a mean ± std band: an invisible upper line (mean + std), the lower line
 * (mean − std) filled up to it (`fill: "tonexty"`, colour at {@link BAND_OPACITY}), and the mean
 * line on top. Without fill (or with zero stds) only the mean line is returned.
 *
 * @example
 * ```ts
 * import { bandTraces } from "./figures.ts";
 * const traces = bandTraces(
 *   { steps: [0, 1], mean: [1, 2], std: [0.5, 0.5], seeds: 3 },
 *   { name: "PPO", color: "#009E73" },
 * );
 * traces.length; // 3: upper, filled lower, mean
 * ```
 */
export function bandTraces(band: Band, style: BandStyle): PlotlyTrace[] {
  checkBand("bandTraces", band, style.name);
  const group = style.legendgroup ?? style.name;
  const axes = { xaxis: style.xaxis ?? "x", yaxis: style.yaxis ?? "y" };
  const x = [...band.steps];
  const meanLine: PlotlyTrace = {
    type: "scatter",
    mode: "lines",
    name: style.name,
    x,
    y: [...band.mean],
    line: { color: style.color, dash: style.dash ?? "solid", width: 2 },
    legendgroup: group,
    showlegend: style.showlegend ?? true,
    customdata: [...band.std],
    hovertemplate: `${style.name}<br>step %{x}<br>%{y:.4g} ± %{customdata:.3g}<extra></extra>`,
    ...axes,
  };
  const hasSpread = band.std.some((s) => s > 0);
  if (style.fill === false || !hasSpread) return [meanLine];
  const edge = { color: style.color, width: 0 };
  return [
    {
      type: "scatter",
      mode: "lines",
      name: `${style.name} + std`,
      x,
      y: band.mean.map((m, i) => m + band.std[i]),
      line: edge,
      legendgroup: group,
      showlegend: false,
      hoverinfo: "skip",
      ...axes,
    },
    {
      type: "scatter",
      mode: "lines",
      name: `${style.name} − std`,
      x,
      y: band.mean.map((m, i) => m - band.std[i]),
      line: edge,
      fill: "tonexty",
      fillcolor: withAlpha(style.color, BAND_OPACITY),
      legendgroup: group,
      showlegend: false,
      hoverinfo: "skip",
      ...axes,
    },
    meanLine,
  ];
}

// ---------------------------------------------------------------------------------------------
// Fig. 1: Hessian spectrum

/** One panel of a spectrum figure. */
export interface SpectrumPanel {
  /** The network whose Hessian this is (colour and default title). */
  network: Network;
  /** Eigenvalues (any order; the full spectrum or the computed top part). */
  eigenvalues: ArrayLike<number>;
  /** Panel title (default: the network label). */
  title?: string;
}

/** Options of {@link spectrumHistogramFigure}. */
export interface SpectrumHistogramOptions {
  /** Symlog linear threshold c (default 10⁻², the paper's). */
  linthresh?: number;
  /** Bins per decade of |λ| (default 4). */
  binsPerDecade?: number;
  /** Figure title. */
  title?: string;
}

function checkPanels(who: string, panels: readonly SpectrumPanel[]): void {
  if (panels.length === 0) throw new RangeError(`${who}: no panels given`);
  for (const p of panels) {
    if (p.eigenvalues.length === 0) {
      throw new RangeError(`${who}: the ${p.network} panel has no eigenvalues`);
    }
    for (let i = 0; i < p.eigenvalues.length; i++) {
      checkFinite(who, `${p.network} eigenvalue ${i}`, p.eigenvalues[i]);
    }
  }
}

/**
 * Fig. 1: histogram of Hessian eigenvalues with log-scaled counts. Bins are uniform in
 * u = symlog(λ) = sign(λ)·log10(1 + |λ|/c) and symmetric about 0 (`symlogBinEdges`); the x axis
 * shows u with ticks labelled in λ. Empty bins are left out (log axis). One panel per entry.
 *
 * @example
 * ```ts
 * import { spectrumHistogramFigure } from "./figures.ts";
 * const fig = spectrumHistogramFigure([
 *   { network: "actor", eigenvalues: [250, 12, 0.3, 0.001, -0.02, 0] },
 *   { network: "critic", eigenvalues: [900, 40, 0.5, 0.0, -0.1, -0.004] },
 * ]);
 * fig.data.length; // 2 bar traces
 * ```
 */
export function spectrumHistogramFigure(
  panels: readonly SpectrumPanel[],
  options: SpectrumHistogramOptions = {},
): PlotlyFigure {
  checkPanels("spectrumHistogramFigure", panels);
  const c = options.linthresh ?? DEFAULT_LINTHRESH;
  const layout = baseLayout(options.title);
  const histograms = panels.map((p) => {
    const edges = symlogBinEdges(p.eigenvalues, {
      linthresh: c,
      binsPerDecade: options.binsPerDecade,
    });
    return { edges, counts: histogramCounts(p.eigenvalues, edges) };
  });
  const maxCount = Math.max(...histograms.flatMap((h) => h.counts));
  const axes = addPanels(
    layout,
    panels.map((p) => p.title ?? NETWORK_LABELS[p.network]),
    { title: { text: "eigenvalue λ (symlog)" }, zeroline: false, showline: true, tickangle: 0 },
    {
      type: "log",
      dtick: 1,
      title: { text: "count" },
      range: [Math.log10(0.5), Math.log10(Math.max(2, maxCount) * 1.5)],
      showline: true,
    },
  );
  const data: PlotlyTrace[] = panels.map((p, i) => {
    const { edges, counts } = histograms[i];
    const u = edges.map((e) => symlog(e, c));
    const ticks = symlogTicks(u[u.length - 1], c);
    const ax = layout[axes[i].xKey] as Record<string, unknown>;
    Object.assign(ax, {
      tickmode: "array",
      ...ticks,
      range: [u[0] * 1.02, u[u.length - 1] * 1.02],
    });
    const centers: (number | null)[] = [], widths: number[] = [], ys: PlotlyNumbers = [];
    const ranges: string[] = [];
    for (let j = 0; j < counts.length; j++) {
      centers.push((u[j] + u[j + 1]) / 2);
      widths.push(u[j + 1] - u[j]);
      ys.push(counts[j] > 0 ? counts[j] : null);
      ranges.push(`[${edges[j].toPrecision(3)}, ${edges[j + 1].toPrecision(3)})`);
    }
    return {
      type: "bar",
      name: `${p.title ?? NETWORK_LABELS[p.network]} (N = ${p.eigenvalues.length})`,
      x: centers,
      y: ys,
      width: widths,
      marker: { color: NETWORK_COLORS[p.network], line: { width: 0.5, color: "white" } },
      customdata: ranges,
      hovertemplate: "λ ∈ %{customdata}<br>count %{y}<extra></extra>",
      xaxis: axes[i].x,
      yaxis: axes[i].y,
    };
  });
  layout.bargap = 0;
  layout.showlegend = false;
  return { data, layout };
}

/** Options of {@link eigenvalueIndexFigure}. */
export interface EigenvalueIndexOptions {
  /** Symlog linear threshold c of the y axis (default 10⁻²). */
  linthresh?: number;
  /** Leading eigenvalues always plotted (default 200, the paper's). */
  head?: number;
  /** Trailing eigenvalues always plotted (default 200). */
  tail?: number;
  /** Stride between head and tail (default 10). */
  stride?: number;
  /** Figure title. */
  title?: string;
}

/**
 * Indices (0-based) kept by the paper's eigenvalue-vs-index subsampling: all of the first `head`
 * and last `tail`, every `stride`-th in between.
 *
 * @example
 * ```ts
 * import { subsampleIndices } from "./figures.ts";
 * subsampleIndices(10, 2, 2, 3); // [0, 1, 2, 5, 8, 9]
 * ```
 */
export function subsampleIndices(n: number, head = 200, tail = 200, stride = 10): number[] {
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`subsampleIndices: stride must be a positive integer, got ${stride}`);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i < head || i >= n - tail || (i - head) % stride === 0) out.push(i);
  }
  return out;
}

/**
 * Fig. 1 variant: eigenvalues sorted descending against their index i = 1 … N, subsampled like
 * the paper ({@link subsampleIndices}), on a symlog y axis (u = symlog(λ); ticks in λ; hover
 * shows λ). One panel per entry.
 *
 * @example
 * ```ts
 * import { eigenvalueIndexFigure } from "./figures.ts";
 * const fig = eigenvalueIndexFigure([{ network: "critic", eigenvalues: [5, 120, -0.3, 0.01] }]);
 * fig.data[0].x; // [1, 2, 3, 4]
 * ```
 */
export function eigenvalueIndexFigure(
  panels: readonly SpectrumPanel[],
  options: EigenvalueIndexOptions = {},
): PlotlyFigure {
  checkPanels("eigenvalueIndexFigure", panels);
  const c = options.linthresh ?? DEFAULT_LINTHRESH;
  const layout = baseLayout(options.title);
  let maxU = 0;
  for (const p of panels) {
    for (let i = 0; i < p.eigenvalues.length; i++) {
      maxU = Math.max(maxU, Math.abs(symlog(p.eigenvalues[i], c)));
    }
  }
  const ticks = symlogTicks(maxU, c);
  const axes = addPanels(
    layout,
    panels.map((p) => p.title ?? NETWORK_LABELS[p.network]),
    { title: { text: "index i" }, showline: true, zeroline: false },
    { title: { text: "eigenvalue λᵢ (symlog)" }, tickmode: "array", ...ticks, showline: true },
  );
  const data: PlotlyTrace[] = panels.map((p, k) => {
    const sorted = Array.from(p.eigenvalues).sort((a, b) => b - a);
    const keep = subsampleIndices(sorted.length, options.head, options.tail, options.stride);
    return {
      type: "scatter",
      mode: "markers",
      name: p.title ?? NETWORK_LABELS[p.network],
      x: keep.map((i) => i + 1),
      y: keep.map((i) => symlog(sorted[i], c)),
      customdata: keep.map((i) => sorted[i]),
      marker: { color: NETWORK_COLORS[p.network], size: 4 },
      hovertemplate: "i = %{x}<br>λ = %{customdata:.4g}<extra></extra>",
      xaxis: axes[k].x,
      yaxis: axes[k].y,
    };
  });
  layout.showlegend = false;
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Fig. 2: S_frac bars

/** Mean ± std of one bar (a `PhaseAggregate` from `phaseStatistics` fits). */
export type BarValue = Pick<PhaseAggregate, "mean"> & { std?: number | null };

/** One group of bars: one task × algorithm, e.g. "PPO · Walker2D". */
export interface FractionBarGroup {
  /** Category label under the group. */
  label: string;
  /** Random-subspace expectation k/N of this group's network (dashed line), if known. */
  baseline?: number;
  /**
   * Per estimator, per phase: the bar's mean ± std over seeds, e.g.
   * `{ precise: phaseStatistics(...).phases, ... }`. Missing or null means: no bar.
   */
  values: Partial<Record<Estimator, Partial<Record<TrainingPhase, BarValue>>>>;
}

/** One panel (network) of the bar figure. */
export interface FractionBarPanel {
  /** Network of this panel. */
  network: Network;
  /** The bar groups. */
  groups: FractionBarGroup[];
  /** Panel title (default: the network label). */
  title?: string;
}

/** Input of {@link subspaceFractionBarsFigure}. */
export interface SubspaceFractionBarsInput {
  /** Subspace dimension k (axis title). */
  k: number;
  /** Panels, usually actor then critic. */
  panels: FractionBarPanel[];
  /** Figure title. */
  title?: string;
}

/** Half-width of a group's baseline segment, in category units. */
const GROUP_HALF_WIDTH = 0.45;

/**
 * Fig. 2: gradient subspace fraction bars per training phase (colour) × estimator (pattern),
 * grouped by task/algorithm, one panel per network. Bars show the mean over seeds with the
 * population std as error bar; the random baseline k/N of each group is a dashed segment across
 * the group. Groups sit at x = 0, 1, 2, … (labelled ticks); the y axis is [0, 1].
 *
 * Trace order: for each panel, up to 9 bar traces (phase-major: initial × 3 estimators,
 * training × 3, convergence × 3; a phase × estimator without any value gets no trace), then one
 * baseline trace if any group has a baseline.
 *
 * @example
 * ```ts
 * import { subspaceFractionBarsFigure } from "./figures.ts";
 * const fig = subspaceFractionBarsFigure({
 *   k: 100,
 *   panels: [{
 *     network: "critic",
 *     groups: [{
 *       label: "PPO · Pendulum",
 *       baseline: 100 / 4545,
 *       values: { precise: { initial: { mean: 0.8, std: 0.05 }, training: { mean: 0.9, std: 0.02 } } },
 *     }],
 *   }],
 * });
 * ```
 */
export function subspaceFractionBarsFigure(input: SubspaceFractionBarsInput): PlotlyFigure {
  const who = "subspaceFractionBarsFigure";
  if (input.panels.length === 0) throw new RangeError(`${who}: no panels given`);
  const layout = baseLayout(input.title);
  const axes = addPanels(
    layout,
    input.panels.map((p) => p.title ?? NETWORK_LABELS[p.network]),
    { showline: true },
    { title: { text: `S<sub>frac</sub> (k = ${input.k})` }, range: [0, 1], showline: true },
  );
  const data: PlotlyTrace[] = [];
  let baselineInLegend = false;
  input.panels.forEach((panel, p) => {
    if (panel.groups.length === 0) throw new RangeError(`${who}: panel ${p} has no groups`);
    Object.assign(layout[axes[p].xKey] as Record<string, unknown>, {
      tickmode: "array",
      tickvals: panel.groups.map((_, g) => g),
      ticktext: panel.groups.map((g) => g.label),
      range: [-0.5, panel.groups.length - 0.5],
    });
    for (const phase of TRAINING_PHASES) {
      for (const estimator of ESTIMATORS) {
        const means: PlotlyNumbers = [], stds: number[] = [];
        for (const group of panel.groups) {
          const v = group.values[estimator]?.[phase];
          const mean = v?.mean ?? null;
          if (mean !== null) checkFinite(who, `${group.label} ${estimator} ${phase} mean`, mean);
          const std = v?.std ?? 0;
          checkFinite(who, `${group.label} ${estimator} ${phase} std`, std);
          means.push(mean);
          stds.push(mean === null ? 0 : std);
        }
        if (means.every((m) => m === null)) continue; // estimator/phase not computed: no trace
        const name = `${PHASE_LABELS[phase]} · ${ESTIMATOR_LABELS[estimator]}`;
        data.push({
          type: "bar",
          name: PHASE_LABELS[phase],
          x: panel.groups.map((_, g) => g),
          y: means,
          error_y: {
            type: "data",
            array: stds,
            visible: true,
            thickness: 1,
            width: 2,
            color: "#333333",
          },
          marker: {
            color: PHASE_COLORS[phase],
            pattern: { shape: ESTIMATOR_PATTERNS[estimator], fillmode: "overlay", size: 6 },
            line: { color: "white", width: 0.5 },
          },
          legendgroup: estimator,
          legendgrouptitle: { text: ESTIMATOR_LABELS[estimator] },
          legendrank: ESTIMATORS.indexOf(estimator) * 10 + TRAINING_PHASES.indexOf(phase),
          showlegend: p === 0,
          offsetgroup: name,
          meta: { phase, estimator },
          customdata: panel.groups.map((g, i) => [g.label, stds[i]]),
          hovertemplate:
            `%{customdata[0]}<br>${name}<br>%{y:.3f} ± %{customdata[1]:.3f}<extra></extra>`,
          xaxis: axes[p].x,
          yaxis: axes[p].y,
        });
      }
    }
    const xs: (number | null)[] = [], ys: PlotlyNumbers = [];
    panel.groups.forEach((g, i) => {
      if (g.baseline === undefined) return;
      checkFinite(who, `${g.label} baseline`, g.baseline);
      xs.push(i - GROUP_HALF_WIDTH, i + GROUP_HALF_WIDTH, null);
      ys.push(g.baseline, g.baseline, null);
    });
    if (xs.length > 0) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `Random subspace (k/N)`,
        x: xs.slice(0, -1),
        y: ys.slice(0, -1),
        line: { color: REFERENCE_COLOR, dash: "dash", width: 1.5 },
        legendgroup: "baseline",
        legendrank: 100,
        showlegend: !baselineInLegend,
        hovertemplate: "k/N = %{y:.4f}<extra></extra>",
        xaxis: axes[p].x,
        yaxis: axes[p].y,
      });
      baselineInLegend = true;
    }
  });
  layout.barmode = "group";
  layout.bargap = 0.15;
  layout.bargroupgap = 0.05;
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Fig. 3: S_overlap

/** One overlap curve: mean ± std over seeds of S_overlap(t1, t2) at steps t2 > t1. */
export interface OverlapCurve {
  /** Network (colour). */
  network: Network;
  /** Algorithm (line dash). */
  algo: Algorithm;
  /** Band over seeds; steps are t2 (> t1; a point at t1 must have mean 1). */
  band: Band;
  /** Legend name (default "PPO actor" etc.). */
  label?: string;
}

/** Input of {@link subspaceOverlapFigure}. */
export interface SubspaceOverlapInput {
  /** The reference step t1 (dashed vertical line). */
  t1: number;
  /** Subspace dimension k (axis title). */
  k: number;
  /** The curves. */
  curves: OverlapCurve[];
  /** Horizontal dashed reference lines, e.g. `[{ label: "k/N actor", value: 100/4545 }]`. */
  baselines?: { label: string; value: number }[];
  /** Prepend the point (t1, 1) with std 0 to each curve, as the paper does (default true). */
  insertT1Point?: boolean;
  /** Figure title. */
  title?: string;
}

/**
 * Fig. 3: subspace overlap S_overlap(t1, t2; k) against t2 with filled mean ± std bands; colour =
 * network, dash = algorithm; a dashed vertical line at t1 (a layout shape). By default each curve
 * starts with the point (t1, 1), since a subspace fully overlaps itself.
 *
 * @example
 * ```ts
 * import { subspaceOverlapFigure } from "./figures.ts";
 * const fig = subspaceOverlapFigure({
 *   t1: 100_000,
 *   k: 100,
 *   curves: [{
 *     network: "critic",
 *     algo: "ppo",
 *     band: { steps: [200_000, 300_000], mean: [0.6, 0.5], std: [0.05, 0.04], seeds: 3 },
 *   }],
 * });
 * fig.layout.shapes![0].x0; // 100000
 * ```
 */
export function subspaceOverlapFigure(input: SubspaceOverlapInput): PlotlyFigure {
  const who = "subspaceOverlapFigure";
  checkFinite(who, "t1", input.t1);
  if (input.curves.length === 0) throw new RangeError(`${who}: no curves given`);
  const layout = baseLayout(input.title);
  layout.xaxis = { title: { text: "step t<sub>2</sub>" }, showline: true };
  layout.yaxis = {
    title: { text: `S<sub>overlap</sub>(t<sub>1</sub>, t<sub>2</sub>), k = ${input.k}` },
    range: [0, 1.02],
    showline: true,
  };
  const data: PlotlyTrace[] = [];
  let xmax = input.t1;
  for (const curve of input.curves) {
    const name = curve.label ?? `${ALGORITHM_LABELS[curve.algo]} ${NETWORK_LABELS[curve.network]}`;
    checkBand(who, curve.band, name);
    let band = curve.band;
    const before = band.steps.findIndex((t) => t <= input.t1);
    if (before >= 0) {
      const isSelf = band.steps[before] === input.t1 && Math.abs(band.mean[before] - 1) < 1e-9;
      if (!isSelf || before > 0) {
        throw new RangeError(
          `${who}: "${name}" has a point at step ${band.steps[before]} ≤ t1 = ${input.t1}; ` +
            "S_overlap(t1, t2) is defined for t2 > t1",
        );
      }
    } else if (input.insertT1Point ?? true) {
      band = {
        steps: [input.t1, ...band.steps],
        mean: [1, ...band.mean],
        std: [0, ...band.std],
        seeds: band.seeds,
      };
    }
    xmax = Math.max(xmax, band.steps[band.steps.length - 1]);
    data.push(
      ...bandTraces(band, {
        name,
        color: NETWORK_COLORS[curve.network],
        dash: ALGORITHM_DASHES[curve.algo],
      }),
    );
  }
  for (const b of input.baselines ?? []) {
    checkFinite(who, `baseline "${b.label}"`, b.value);
    data.push({
      type: "scatter",
      mode: "lines",
      name: b.label,
      x: [input.t1, xmax],
      y: [b.value, b.value],
      line: { color: REFERENCE_COLOR, dash: "dot", width: 1.5 },
      hovertemplate: `${b.label} = %{y:.4f}<extra></extra>`,
    });
  }
  (layout.xaxis as Record<string, unknown>).range = [Math.min(0, input.t1), xmax];
  layout.shapes = [{
    type: "line",
    xref: "x",
    yref: "paper",
    x0: input.t1,
    x1: input.t1,
    y0: 0,
    y1: 1,
    line: { color: REFERENCE_COLOR, dash: "dash", width: 1.5 },
  }];
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Learning curves

/** One learning curve: several seeds of one configuration. */
export interface LearningCurveSeries {
  /** Legend name, e.g. "PPO Pendulum". */
  label: string;
  /** `eval` (eval/mean_reward, solid) or `train` (rollout/ep_rew_mean, dotted). */
  kind: "eval" | "train";
  /** One curve per seed (e.g. from `seriesFromRows`). */
  seeds: Series[];
  /** Line colour (default: by label, {@link sequentialColor}). */
  color?: string;
  /**
   * EMA smoothing weight applied to each seed before averaging (default 0.6 for `train`, as the
   * paper's training curves; 0 for `eval`). 0 = no smoothing.
   */
  smoothing?: number;
}

/** Input of {@link learningCurveFigure}. */
export interface LearningCurveInput {
  /** The curves. */
  series: LearningCurveSeries[];
  /** Step grid of the bands (default: steps common to all seeds). */
  grid?: SeedBandOptions["grid"];
  /** Figure title. */
  title?: string;
}

/**
 * Learning curves: return vs environment steps, mean ± population std over seeds (filled band);
 * training curves EMA-smoothed per seed first (weight 0.6 by default). Series with the same label
 * share a colour; eval is solid, train dotted.
 *
 * @example
 * ```ts
 * import { learningCurveFigure } from "./figures.ts";
 * const fig = learningCurveFigure({
 *   series: [{
 *     label: "PPO Pendulum",
 *     kind: "eval",
 *     seeds: [
 *       { steps: [0, 5000, 10000], values: [-1400, -900, -300] },
 *       { steps: [0, 5000, 10000], values: [-1300, -1000, -250] },
 *     ],
 *   }],
 * });
 * ```
 */
export function learningCurveFigure(input: LearningCurveInput): PlotlyFigure {
  if (input.series.length === 0) throw new RangeError("learningCurveFigure: no series given");
  const layout = baseLayout(input.title);
  layout.xaxis = { title: { text: "environment steps" }, showline: true };
  layout.yaxis = { title: { text: "return" }, showline: true };
  const labels = [...new Set(input.series.map((s) => s.label))];
  const data: PlotlyTrace[] = [];
  for (const s of input.series) {
    if (s.seeds.length === 0) {
      throw new RangeError(`learningCurveFigure: "${s.label}" (${s.kind}) has no seeds`);
    }
    const weight = s.smoothing ?? (s.kind === "train" ? 0.6 : 0);
    const seeds = weight > 0
      ? s.seeds.map((seed) => ({ steps: seed.steps, values: emaSmooth(seed.values, weight) }))
      : s.seeds;
    const band = seedBand(seeds, { grid: input.grid });
    const name = `${s.label} (${s.kind}${weight > 0 ? `, EMA ${weight}` : ""})`;
    data.push(
      ...bandTraces(band, {
        name,
        color: s.color ?? sequentialColor(labels.indexOf(s.label)),
        dash: CURVE_KIND_DASHES[s.kind],
      }),
    );
  }
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// S_frac over time, eigenvalue trajectories

/** One S_frac-vs-step curve. */
export interface FractionOverTimeSeries {
  /** Subspace dimension k (colour). */
  k: number;
  /** Estimator (line dash). */
  estimator: Estimator;
  /** Mean ± std over seeds. */
  band: Band;
}

/** Input of {@link subspaceFractionOverTimeFigure}. */
export interface FractionOverTimeInput {
  /** The curves. */
  series: FractionOverTimeSeries[];
  /** Parameter count N of the network: draws the random baseline k/N for each k (dash-dot). */
  parameterCount?: number;
  /** Network (title). */
  network?: Network;
  /** Figure title (default: "S_frac over training — <network>"). */
  title?: string;
}

/**
 * S_frac vs step for several k (colour, in increasing k) and estimators (dash), mean ± std bands;
 * with `parameterCount` N, a dash-dot line at k/N in each k's colour.
 *
 * @example
 * ```ts
 * import { subspaceFractionOverTimeFigure } from "./figures.ts";
 * const band = { steps: [0, 10_000], mean: [0.3, 0.6], std: [0.1, 0.05], seeds: 2 };
 * const fig = subspaceFractionOverTimeFigure({
 *   series: [{ k: 1, estimator: "precise", band }, { k: 100, estimator: "precise", band }],
 *   parameterCount: 4545,
 * });
 * ```
 */
export function subspaceFractionOverTimeFigure(input: FractionOverTimeInput): PlotlyFigure {
  const who = "subspaceFractionOverTimeFigure";
  if (input.series.length === 0) throw new RangeError(`${who}: no series given`);
  const title = input.title ??
    `S<sub>frac</sub> over training${input.network ? ` — ${NETWORK_LABELS[input.network]}` : ""}`;
  const layout = baseLayout(title);
  layout.xaxis = { title: { text: "environment steps" }, showline: true };
  layout.yaxis = { title: { text: "S<sub>frac</sub>" }, range: [0, 1.02], showline: true };
  const ks = [...new Set(input.series.map((s) => s.k))].sort((a, b) => a - b);
  const data: PlotlyTrace[] = [];
  let xmin = Infinity, xmax = -Infinity;
  for (const s of input.series) {
    const name = `k = ${s.k}, ${ESTIMATOR_LABELS[s.estimator]}`;
    checkBand(who, s.band, name);
    xmin = Math.min(xmin, s.band.steps[0]);
    xmax = Math.max(xmax, s.band.steps[s.band.steps.length - 1]);
    data.push(
      ...bandTraces(s.band, {
        name,
        color: sequentialColor(ks.indexOf(s.k)),
        dash: ESTIMATOR_DASHES[s.estimator],
      }),
    );
  }
  if (input.parameterCount !== undefined) {
    const n = input.parameterCount;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`${who}: parameterCount must be a positive integer, got ${n}`);
    }
    for (const k of ks) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `random, k/N = ${k}/${n}`,
        x: [xmin, xmax],
        y: [k / n, k / n],
        line: { color: sequentialColor(ks.indexOf(k)), dash: "dashdot", width: 1 },
        hovertemplate: `k/N = %{y:.4g}<extra></extra>`,
      });
    }
  }
  return { data, layout };
}

/** One seed of eigenvalue trajectories. */
export interface EigenvalueRun {
  /** Analysed steps, increasing. */
  steps: number[];
  /** Top eigenvalues at each step, descending (λ₁ ≥ λ₂ ≥ …). */
  eigenvalues: ArrayLike<number>[];
}

/** Input of {@link eigenvalueTrajectoryFigure}. */
export interface EigenvalueTrajectoryInput {
  /** One run per seed. */
  runs: EigenvalueRun[];
  /** 1-based eigenvalue indices i to plot (default [1, 2, 5, 10, 20, 50, 100] that exist). */
  indices?: number[];
  /** Network (title). */
  network?: Network;
  /** y-axis type (default "linear"; "log" needs positive means). */
  yScale?: "linear" | "log";
  /** Figure title. */
  title?: string;
}

/**
 * Top-i Hessian eigenvalue λ_i against the training step, mean ± std over seeds, one colour per i.
 *
 * @example
 * ```ts
 * import { eigenvalueTrajectoryFigure } from "./figures.ts";
 * const fig = eigenvalueTrajectoryFigure({
 *   runs: [{ steps: [0, 10_000], eigenvalues: [[50, 10, 2], [80, 12, 3]] }],
 *   indices: [1, 3],
 *   yScale: "log",
 * });
 * fig.data.length; // 2 (one seed: no std fill)
 * ```
 */
export function eigenvalueTrajectoryFigure(input: EigenvalueTrajectoryInput): PlotlyFigure {
  const who = "eigenvalueTrajectoryFigure";
  if (input.runs.length === 0) throw new RangeError(`${who}: no runs given`);
  const available = Math.min(
    ...input.runs.flatMap((r) => r.eigenvalues.map((ev) => ev.length)),
  );
  const indices = input.indices ?? [1, 2, 5, 10, 20, 50, 100].filter((i) => i <= available);
  const title = input.title ??
    `Top Hessian eigenvalues${input.network ? ` — ${NETWORK_LABELS[input.network]}` : ""}`;
  const layout = baseLayout(title);
  const yScale = input.yScale ?? "linear";
  layout.xaxis = { title: { text: "environment steps" }, showline: true };
  layout.yaxis = { title: { text: "eigenvalue λ<sub>i</sub>" }, type: yScale, showline: true };
  const data: PlotlyTrace[] = [];
  indices.forEach((index, c) => {
    if (!Number.isInteger(index) || index < 1 || index > available) {
      throw new RangeError(
        `${who}: index ${index} is not in 1…${available} (the eigenvalues computed at every step)`,
      );
    }
    const seeds = input.runs.map((r) => {
      if (r.steps.length !== r.eigenvalues.length) {
        throw new RangeError(
          `${who}: a run has ${r.steps.length} steps but ${r.eigenvalues.length} eigenvalue lists`,
        );
      }
      return { steps: r.steps, values: r.eigenvalues.map((ev) => ev[index - 1]) };
    });
    const band = seedBand(seeds);
    if (yScale === "log" && band.mean.some((m) => !(m > 0))) {
      throw new RangeError(`${who}: λ_${index} has a non-positive mean; use yScale "linear"`);
    }
    data.push(...bandTraces(band, { name: `λ<sub>${index}</sub>`, color: sequentialColor(c) }));
  });
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// S_frac against k (one checkpoint)

/** Input of {@link subspaceFractionByKFigure}. */
export interface FractionByKInput {
  /** Subspace dimensions k (increasing). */
  ks: readonly number[];
  /** One line per network/estimator: S_frac at each k. */
  lines: { network: Network; label: string; values: readonly number[]; parameterCount: number }[];
  /** Figure title. */
  title?: string;
}

/**
 * S_frac of one checkpoint against k (log x axis), one line per network, with each network's
 * random baseline k/N as a dotted grey line of the same marker.
 *
 * @example
 * ```ts
 * import { subspaceFractionByKFigure } from "./figures.ts";
 * const fig = subspaceFractionByKFigure({
 *   ks: [1, 5, 10],
 *   lines: [{ network: "critic", label: "critic", values: [0.3, 0.6, 0.7], parameterCount: 300 }],
 * });
 * ```
 */
export function subspaceFractionByKFigure(input: FractionByKInput): PlotlyFigure {
  const who = "subspaceFractionByKFigure";
  if (input.lines.length === 0) throw new RangeError(`${who}: no lines given`);
  const layout = baseLayout(input.title ?? "S<sub>frac</sub> against the subspace dimension k");
  layout.xaxis = {
    title: { text: "subspace dimension k" },
    type: "log",
    tickmode: "array",
    tickvals: [...input.ks],
    ticktext: input.ks.map(String),
    showline: true,
  };
  layout.yaxis = { title: { text: "S<sub>frac</sub>" }, range: [0, 1.02], showline: true };
  const data: PlotlyTrace[] = [];
  for (const line of input.lines) {
    if (line.values.length !== input.ks.length) {
      throw new RangeError(
        `${who}: "${line.label}" has ${line.values.length} values for ${input.ks.length} ks`,
      );
    }
    line.values.forEach((v, i) => checkFinite(who, `${line.label} at k = ${input.ks[i]}`, v));
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: line.label,
      x: [...input.ks],
      y: [...line.values],
      line: { color: NETWORK_COLORS[line.network] },
      hovertemplate: `${line.label}<br>k = %{x}<br>S<sub>frac</sub> = %{y:.3f}<extra></extra>`,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${line.label}: random k/N (N = ${line.parameterCount})`,
      x: [...input.ks],
      y: input.ks.map((k) => k / line.parameterCount),
      line: { color: REFERENCE_COLOR, dash: "dot", width: 1.5 },
      hovertemplate: `k/N = %{y:.4f}<extra></extra>`,
    });
  }
  return { data, layout };
}
