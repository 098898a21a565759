/**
 * Shared layout pieces of the figure builders: the base layout (fonts, margins, white background)
 * and side-by-side subplot axes, so that every figure looks the same.
 *
 * @module
 */

import type { PlotlyLayout } from "./types.ts";

/** Axis ids of one subplot panel. */
export interface PanelAxes {
  /** Trace `xaxis` value ("x", "x2", ...). */
  x: string;
  /** Trace `yaxis` value ("y", "y2", ...). */
  y: string;
  /** Layout key of the x axis ("xaxis", "xaxis2", ...). */
  xKey: string;
  /** Layout key of the y axis ("yaxis", "yaxis2", ...). */
  yKey: string;
}

/**
 * The base layout of all figures: white template, compact margins, legend below the plot.
 *
 * @example
 * ```ts
 * import { baseLayout } from "./layout.ts";
 * const layout = baseLayout("Hessian spectrum");
 * layout.title; // { text: "Hessian spectrum" }
 * ```
 */
export function baseLayout(title?: string): PlotlyLayout {
  const layout: PlotlyLayout = {
    paper_bgcolor: "white",
    plot_bgcolor: "white",
    font: { family: "Helvetica, Arial, sans-serif", size: 13 },
    margin: { l: 70, r: 20, t: title ? 60 : 30, b: 70 },
    legend: { orientation: "h", x: 0, y: -0.3, yanchor: "top" },
    hovermode: "closest",
  };
  if (title) layout.title = { text: title };
  return layout;
}

/**
 * Axis ids of panel i (0-based): "x"/"y" for the first, "x2"/"y2" for the second, ...
 *
 * @example
 * ```ts
 * import { panelAxes } from "./layout.ts";
 * panelAxes(1); // { x: "x2", y: "y2", xKey: "xaxis2", yKey: "yaxis2" }
 * ```
 */
export function panelAxes(i: number): PanelAxes {
  const suffix = i === 0 ? "" : String(i + 1);
  return { x: `x${suffix}`, y: `y${suffix}`, xKey: `xaxis${suffix}`, yKey: `yaxis${suffix}` };
}

/**
 * Adds `count` side-by-side panels to a layout: x-axis domains split the width with a gap,
 * each y axis is anchored to its x axis, and the panel titles become annotations above them.
 * `xAxis`/`yAxis` are merged into every panel's axes.
 *
 * @example
 * ```ts
 * import { addPanels, baseLayout } from "./layout.ts";
 * const layout = baseLayout();
 * addPanels(layout, ["Actor", "Critic"], { title: { text: "step" } }, { type: "log" });
 * layout.xaxis2; // { ..., domain: [0.54, 1], anchor: "y2" }
 * ```
 */
export function addPanels(
  layout: PlotlyLayout,
  titles: readonly string[],
  xAxis: Record<string, unknown> = {},
  yAxis: Record<string, unknown> = {},
  gap = 0.08,
): PanelAxes[] {
  const count = titles.length;
  if (count < 1) throw new RangeError("addPanels: need at least one panel");
  const width = (1 - gap * (count - 1)) / count;
  const annotations = (layout.annotations as Record<string, unknown>[] | undefined) ?? [];
  const axes: PanelAxes[] = [];
  for (let i = 0; i < count; i++) {
    const a = panelAxes(i);
    const lo = i * (width + gap), hi = i === count - 1 ? 1 : lo + width;
    layout[a.xKey] = { ...xAxis, domain: [round(lo), round(hi)], anchor: a.y };
    layout[a.yKey] = { ...yAxis, anchor: a.x };
    if (count > 1 && titles[i]) {
      annotations.push({
        text: `<b>${titles[i]}</b>`,
        x: round((lo + hi) / 2),
        y: 1.0,
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "bottom",
        showarrow: false,
      });
    }
    axes.push(a);
  }
  if (annotations.length > 0) layout.annotations = annotations;
  return axes;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
