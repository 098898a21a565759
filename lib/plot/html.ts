/**
 * HTML pieces shared by notebook display, reports and static export: escaping, JSON that is safe
 * inside `<script>`, and the `<div>` + `Plotly.newPlot` snippet of one figure.
 *
 * @module
 */

import type { PlotlyFigure } from "./types.ts";

/**
 * Escapes `& < > " '` for HTML text and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * escapeHtml('<b a="1">&'); // "&lt;b a=&quot;1&quot;&gt;&amp;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * Plain-JSON copy of a figure: typed arrays become arrays (JSON.stringify would turn a
 * Float64Array into an object with "0", "1", … keys).
 *
 * @example
 * ```ts
 * import { figureJson } from "./html.ts";
 * figureJson({ data: [{ type: "scatter", y: new Float64Array([1, 2]) as never }], layout: {} });
 * // { data: [{ type: "scatter", y: [1, 2] }], layout: {} }
 * ```
 */
export function figureJson(figure: PlotlyFigure): PlotlyFigure {
  return JSON.parse(JSON.stringify(figure, (_key, value) => {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number>);
    }
    return value;
  }));
}

/**
 * JSON text safe to embed in a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are written
 * as `\uXXXX` escapes, so neither `</script>` nor `<!--` can appear.
 *
 * @example
 * ```ts
 * import { jsonForScript } from "./html.ts";
 * jsonForScript({ t: "</script>" }); // '{"t":"\\u003c/script\\u003e"}'
 * ```
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Options of {@link figureDivHtml}. */
export interface FigureDivOptions {
  /** Element id (default: a random `pgsubspace-fig-…`). */
  id?: string;
  /** Height in CSS pixels (default: `layout.height`, else 450). */
  height?: number;
}

/**
 * A `<div>` and a `<script>` that draws the figure into it with `Plotly.newPlot` (responsive, no
 * Plotly logo). Needs `window.Plotly` loaded earlier on the page; without it the div says so.
 *
 * @example
 * ```ts
 * import { figureDivHtml } from "./html.ts";
 * const html = figureDivHtml({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, { id: "f1" });
 * html.includes('id="f1"'); // true
 * ```
 */
export function figureDivHtml(figure: PlotlyFigure, options: FigureDivOptions = {}): string {
  const id = options.id ?? `pgsubspace-fig-${crypto.randomUUID().slice(0, 12)}`;
  const layoutHeight = typeof figure.layout.height === "number" ? figure.layout.height : undefined;
  const height = options.height ?? layoutHeight ?? 450;
  const fig = figureJson(figure);
  const config = { responsive: true, displaylogo: false };
  return `<div id="${
    escapeHtml(id)
  }" class="pgsubspace-figure" style="width:100%;height:${height}px;"></div>
<script type="text/javascript">(function () {
  var el = document.getElementById(${jsonForScript(id)});
  var fig = ${jsonForScript(fig)};
  if (typeof window.Plotly === "undefined") {
    el.textContent = "plotly.js is not loaded on this page: re-run the first cell that shows a figure.";
    return;
  }
  window.Plotly.newPlot(el, fig.data, fig.layout, ${jsonForScript(config)});
})();</script>`;
}
