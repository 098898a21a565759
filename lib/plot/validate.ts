/**
 * Checks that a Plotly figure holds real numbers. JSON has no NaN or Infinity
 * (`JSON.stringify(NaN)` is `null`), so a figure built from broken data would silently render
 * empty; `show`, the report writer and the notebook checker call these checks instead.
 *
 * @module
 */

import type { PlotlyFigure } from "./types.ts";

function walk(value: unknown, path: string, out: string[]): void {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path} is ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, out));
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    Array.from(value as unknown as ArrayLike<number>).forEach((v, i) =>
      walk(v, `${path}[${i}]`, out)
    );
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, out);
  }
}

function hasFiniteNumber(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasFiniteNumber);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>).some((v) => Number.isFinite(v));
  }
  return false;
}

/**
 * Problems of a figure, empty when it is fine: the figure must have a `data` array with at least
 * one trace and a `layout` object; no number anywhere in a trace may be NaN or ±Infinity; and each
 * trace with a `y` (else `x`) array must hold at least one finite number there.
 *
 * @example
 * ```ts
 * import { figureProblems } from "./validate.ts";
 * figureProblems({ data: [{ type: "scatter", x: [0, 1], y: [1, NaN] }], layout: {} });
 * // ["trace 0 (scatter): y[1] is NaN"]
 * ```
 */
export function figureProblems(figure: unknown): string[] {
  const out: string[] = [];
  if (figure === null || typeof figure !== "object") return ["the figure is not an object"];
  const { data, layout } = figure as Partial<PlotlyFigure>;
  if (!Array.isArray(data)) return ["the figure has no `data` array"];
  if (data.length === 0) out.push("the figure has no traces");
  if (layout === null || typeof layout !== "object") out.push("the figure has no `layout` object");
  data.forEach((trace, i) => {
    const label = `trace ${i} (${trace?.name ?? trace?.type ?? "?"})`;
    if (trace === null || typeof trace !== "object") {
      out.push(`${label} is not an object`);
      return;
    }
    const bad: string[] = [];
    for (const [k, v] of Object.entries(trace)) walk(v, k, bad);
    for (const b of bad.slice(0, 5)) out.push(`${label}: ${b}`);
    if (bad.length > 5) out.push(`${label}: … ${bad.length - 5} more non-finite numbers`);
    const key = Array.isArray(trace.y) ? "y" : Array.isArray(trace.x) ? "x" : null;
    if (key !== null && !hasFiniteNumber(trace[key])) {
      out.push(`${label}: ${key} holds no finite number`);
    }
  });
  return out;
}

/**
 * Throws a RangeError listing {@link figureProblems} when there are any.
 *
 * @example
 * ```ts
 * import { assertFiniteFigure } from "./validate.ts";
 * assertFiniteFigure({ data: [{ type: "bar", x: [0], y: [3] }], layout: {} }); // ok
 * ```
 */
export function assertFiniteFigure(figure: unknown, who = "figure"): void {
  const problems = figureProblems(figure);
  if (problems.length > 0) {
    throw new RangeError(
      `${who}: the figure has invalid data (NaN/Infinity would render as gaps):\n  - ` +
        problems.join("\n  - "),
    );
  }
}
