/**
 * Minimal typings of the Plotly figure JSON that the builders produce (`{ data, layout }`, the
 * schema of `application/vnd.plotly.v1+json`). Only the fields this project uses are named; any
 * other Plotly attribute is allowed through the index signatures.
 *
 * @module
 */

/** A numeric data array of a trace; `null` marks a gap (Plotly breaks the line there). */
export type PlotlyNumbers = (number | null)[];

/** One Plotly trace (scatter, bar, ...). */
export interface PlotlyTrace {
  /** Trace type, e.g. "scatter" or "bar". */
  type: string;
  /** Legend and hover name. */
  name?: string;
  /** x values (numbers, or category labels). */
  x?: (number | string | null)[];
  /** y values. */
  y?: (number | string | null)[];
  /** Axis ids of a subplot, e.g. "x2" / "y2". */
  xaxis?: string;
  /** Axis ids of a subplot, e.g. "x2" / "y2". */
  yaxis?: string;
  /** Any other Plotly attribute. */
  [attribute: string]: unknown;
}

/** Plotly layout (free-form apart from the fields the builders rely on). */
export interface PlotlyLayout {
  /** Figure title. */
  title?: { text: string } | string;
  /** Layout shapes (reference lines). */
  shapes?: Record<string, unknown>[];
  /** Any other layout attribute. */
  [attribute: string]: unknown;
}

/** A Plotly figure: the JSON of `application/vnd.plotly.v1+json`. */
export interface PlotlyFigure {
  /** The traces. */
  data: PlotlyTrace[];
  /** The layout. */
  layout: PlotlyLayout;
}

/** The two networks analysed by the paper. */
export type Network = "actor" | "critic";

/** The two algorithms of the paper. */
export type Algorithm = "ppo" | "sac";

/**
 * The three S_frac estimator combinations plotted in Fig. 2 (gradient / Hessian):
 * `precise` = precise gradient, precise Hessian; `minibatch_gradient` = mini-batch gradient,
 * precise Hessian; `minibatch` = mini-batch gradient, mini-batch Hessian.
 */
export type Estimator = "precise" | "minibatch_gradient" | "minibatch";
