/**
 * Standalone HTML reports: Markdown text and figures in one self-contained file that opens
 * offline in any browser. plotly.js is inlined once at the top (default) or linked from a given
 * path; the file is written atomically (temporary file, then rename).
 *
 * @module
 */

import { writeFileAtomic } from "../io/files.ts";
import { escapeHtml, figureDivHtml, jsonForScript } from "./html.ts";
import { markdownInline, markdownToHtml } from "./markdown.ts";
import { inlinePlotlyScript } from "./plotly_source.ts";
import type { PlotlyFigure } from "./types.ts";
import { assertFiniteFigure } from "./validate.ts";

/** One block of a report: Markdown text, or a figure with an optional (Markdown) caption. */
export type ReportBlock =
  | { markdown: string }
  | { figure: PlotlyFigure; caption?: string; height?: number };

/** A report. */
export interface Report {
  /** Page title (also the top heading). */
  title: string;
  /** Blocks in order. */
  blocks: ReportBlock[];
}

/** Options of {@link renderReportHtml} / {@link writeReport}. */
export interface ReportOptions {
  /**
   * Where plotly.js comes from: "inline" (default; self-contained, ≈ 4.8 MB) or
   * `{ src: "plotly.min.js" }`, a path or URL for a `<script src>` (smaller files sharing one copy).
   */
  plotly?: "inline" | { src: string };
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
  color: #222; line-height: 1.5; }
h1, h2, h3 { line-height: 1.2; }
code { background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; }
th { background: #f0f0f0; }
figure { margin: 1.5em 0; }
figcaption { color: #555; font-size: 0.95em; margin-top: 0.3em; }
blockquote { border-left: 4px solid #E69F00; background: #FFF8E6; margin: 1.2em 0; padding: 0.4em 1em; }
table { font-size: 0.88em; display: block; overflow-x: auto; }
td, th { vertical-align: top; }
`;

/**
 * The report as an HTML string: one `<div class="pgsubspace-figure">` per figure, each drawn by
 * `Plotly.newPlot` from its inlined JSON.
 *
 * @throws RangeError if a figure holds NaN/Infinity (validate.ts).
 *
 * @example
 * ```ts
 * import { renderReportHtml } from "./report.ts";
 * const html = renderReportHtml({
 *   title: "Pendulum",
 *   blocks: [{ markdown: "Return **improves**." }, { figure: { data: [{ type: "bar", y: [1] }], layout: {} } }],
 * }, { plotly: { src: "plotly.min.js" } });
 * ```
 */
export function renderReportHtml(report: Report, options: ReportOptions = {}): string {
  const plotly = options.plotly ?? "inline";
  const head = plotly === "inline"
    ? inlinePlotlyScript()
    : `<script type="text/javascript" src="${escapeHtml(plotly.src)}"></script>`;
  const body: string[] = [`<h1>${markdownInline(report.title)}</h1>`];
  let figureIndex = 0;
  for (const block of report.blocks) {
    if ("markdown" in block) {
      body.push(markdownToHtml(block.markdown));
    } else {
      figureIndex++;
      assertFiniteFigure(block.figure, `report figure ${figureIndex}`);
      const caption = block.caption
        ? `\n<figcaption>${markdownInline(block.caption)}</figcaption>`
        : "";
      body.push(
        `<figure>\n${
          figureDivHtml(block.figure, { id: `figure-${figureIndex}`, height: block.height })
        }${caption}\n</figure>`,
      );
    }
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="pgsubspace">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${body.join("\n")}
<script type="text/javascript">window.pgsubspaceFigures = ${jsonForScript(figureIndex)};</script>
</body>
</html>
`;
}

/**
 * Writes the report to `path` atomically (see {@link renderReportHtml}).
 *
 * @example
 * ```ts
 * import { writeReport } from "./report.ts";
 * await writeReport("/tmp/report.html", { title: "Demo", blocks: [{ markdown: "# Hi" }] });
 * ```
 */
export async function writeReport(
  path: string,
  report: Report,
  options: ReportOptions = {},
): Promise<void> {
  await writeFileAtomic(path, renderReportHtml(report, options));
}
