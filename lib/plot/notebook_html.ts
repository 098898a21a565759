/**
 * Standalone HTML of an executed notebook, drawn from its outputs the way JupyterLab shows them:
 * markdown cells and `text/markdown` outputs through the report's Markdown subset, code cells as
 * code, Plotly JSON outputs (`application/vnd.plotly.v1+json`) as figures with plotly.js inlined
 * once per page, other HTML outputs as they are, text and errors as preformatted text. Notebooks
 * keep only the Plotly JSON (small files); this page is what you open in a browser or screenshot.
 *
 * @module
 */
import { escapeHtml, figureDivHtml } from "./html.ts";
import { markdownToHtml } from "./markdown.ts";
import { inlinePlotlyScript } from "./plotly_source.ts";
import type { PlotlyFigure } from "./types.ts";
import { PLOTLY_MIME } from "./display.ts";

/** The parts of an .ipynb file the page needs. */
export interface NotebookDocument {
  /** Cells in order. */
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: {
      output_type: string;
      data?: Record<string, unknown>;
      text?: string | string[];
      ename?: string;
      evalue?: string;
      traceback?: string[];
    }[];
  }[];
}

const joined = (x: string | string[] | undefined) => Array.isArray(x) ? x.join("") : x ?? "";
// deno-lint-ignore no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
  color: #222; line-height: 1.5; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; border-radius: 4px; font-size: 0.85em; }
pre.code { border-left: 3px solid #4C72B0; }
pre.error { background: #fdecea; }
.output { margin: 0.4em 0 1.2em 1em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.88em; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; vertical-align: top; }
th { background: #f0f0f0; }
blockquote { border-left: 4px solid #E69F00; background: #FFF8E6; margin: 1.2em 0; padding: 0.4em 1em; }
code { background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
`;

/**
 * The page (module doc) of an executed notebook.
 *
 * @example
 * ```ts
 * import { notebookHtml } from "./notebook_html.ts";
 * const html = notebookHtml({ cells: [{ cell_type: "markdown", source: "# Title" }] }, "demo");
 * ```
 */
export function notebookHtml(notebook: NotebookDocument, title: string): string {
  const body: string[] = [];
  let figures = 0;
  for (const cell of notebook.cells) {
    const source = joined(cell.source);
    if (cell.cell_type === "markdown") {
      body.push(markdownToHtml(source));
      continue;
    }
    if (cell.cell_type !== "code") continue;
    body.push(`<pre class="code"><code>${escapeHtml(source)}</code></pre>`);
    const out: string[] = [];
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "stream") {
        out.push(`<pre>${escapeHtml(joined(o.text).replace(ANSI, ""))}</pre>`);
      } else if (o.output_type === "error") {
        const trace = (o.traceback ?? []).join("\n").replace(ANSI, "");
        out.push(`<pre class="error">${escapeHtml(trace || `${o.ename}: ${o.evalue}`)}</pre>`);
      } else if (o.data) {
        const d = o.data;
        if (d[PLOTLY_MIME]) {
          figures++;
          out.push(figureDivHtml(d[PLOTLY_MIME] as PlotlyFigure, { id: `figure-${figures}` }));
        } else if (d["text/markdown"] !== undefined) {
          out.push(markdownToHtml(joined(d["text/markdown"] as string | string[])));
        } else if (d["text/html"] !== undefined) {
          out.push(joined(d["text/html"] as string | string[]));
        } else if (d["text/plain"] !== undefined) {
          out.push(`<pre>${escapeHtml(joined(d["text/plain"] as string | string[]))}</pre>`);
        }
      }
    }
    if (out.length > 0) body.push(`<div class="output">\n${out.join("\n")}\n</div>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="pgsubspace">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${figures > 0 ? inlinePlotlyScript() : ""}
</head>
<body>
${body.join("\n")}
<script type="text/javascript">window.pgsubspaceFigures = ${figures};</script>
</body>
</html>
`;
}
