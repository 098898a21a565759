/**
 * Executes notebooks headless with the Deno Jupyter kernel and checks their figures
 * (`deno task notebooks`).
 *
 * Each notebook (default: every `notebooks/*.ipynb`) runs in a fresh Deno kernel in quick mode
 * (`PGSUBSPACE_QUICK=1`, `NO_COLOR=1`) through tools/notebook_runner.py (Python `jupyter_client`),
 * and its executed copy goes to `.out/notebooks/` (git-ignored). The run fails when a cell raises
 * (the notebook, the 0-based cell index, the cell's first line and the error are printed) or when
 * the figure check fails: every code cell that calls `show(` must have produced an
 * `application/vnd.plotly.v1+json` output, and every such output must hold finite numeric data;
 * or when an executed notebook exceeds the size limit (1 MB: plotly.js is never stored in a
 * notebook and each figure's data once). With `--html`, each executed notebook is also rendered to
 * a standalone HTML page (lib/plot/notebook_html.ts: figures drawn from the Plotly JSON,
 * plotly.js inlined once).
 *
 * Usage:
 *   deno run --allow-read --allow-write --allow-run --allow-env tools/run_notebooks.ts \
 *     [--html] [--out DIR] [--timeout SECONDS] [NOTEBOOK.ipynb ...]
 *
 * Needs: `apt-get install jupyter-client python3-jupyter-client python3-nbformat` and
 * `deno jupyter --install`. `$PGSUBSPACE_PYTHON` overrides the Python interpreter
 * (default /usr/bin/python3, where the Debian packages live).
 *
 * @module
 */

import { figureProblems } from "../lib/plot/validate.ts";
import { notebookHtml } from "../lib/plot/notebook_html.ts";
import { writeFileAtomic } from "../lib/io/files.ts";
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";

/** The Plotly mime type the figure check looks for. */
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const RUNNER = new URL("./notebook_runner.py", import.meta.url).pathname;
const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Options of {@link runNotebooks}. */
export interface RunNotebooksOptions {
  /** Notebooks to run (paths). */
  notebooks: string[];
  /** Folder of the executed copies (default `.out/notebooks` in the repository). */
  outDir?: string;
  /** Also render each executed notebook to a standalone HTML page in outDir. */
  html?: boolean;
  /** Seconds per cell before it is interrupted (default 600). */
  timeoutSeconds?: number;
  /** Extra kernel environment (added to PGSUBSPACE_QUICK=1, NO_COLOR=1). */
  env?: Record<string, string>;
  /** Largest executed notebook in bytes (default 1 MB, {@link MAX_NOTEBOOK_BYTES}). */
  maxBytes?: number;
  /** Progress printer (default console.log; pass () => {} for silence). */
  log?: (line: string) => void;
}

/** Result of {@link runNotebooks}. */
export interface RunNotebooksResult {
  /** True when every notebook ran and passed the figure check. */
  ok: boolean;
  /** Executed copies written. */
  executed: string[];
  /** HTML files written (with `html`). */
  htmlFiles: string[];
  /** Human-readable failures: cell errors, figure-check and size problems. */
  failures: string[];
}

/** The size limit of an executed quick-mode notebook. */
export const MAX_NOTEBOOK_BYTES = 1_000_000;

/** Minimal view of an .ipynb file. */
interface NotebookJson {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: { output_type: string; data?: Record<string, unknown> }[];
  }[];
}

function sourceText(source: string | string[]): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** Code without `//` line comments and block comments (roughly: enough to find calls). */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/**
 * The figure check of one executed notebook: for each code cell whose code calls `show(`, at
 * least one `application/vnd.plotly.v1+json` output; for every such output, a figure whose
 * traces hold finite numeric data (lib/plot/validate.ts). Returns the problems, empty when fine;
 * cells are named by their 0-based index in the notebook.
 *
 * @example
 * ```ts
 * import { checkNotebookFigures } from "./run_notebooks.ts";
 * checkNotebookFigures({ cells: [{ cell_type: "code", source: "show(fig)", outputs: [] }] });
 * // ["cell 0 calls show( but produced no application/vnd.plotly.v1+json output"]
 * ```
 */
export function checkNotebookFigures(notebook: NotebookJson): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const figures = (cell.outputs ?? [])
      .filter((o) => o.data && PLOTLY_MIME in o.data)
      .map((o) => o.data![PLOTLY_MIME]);
    const callsShow = /(^|[^\w.$])show\s*\(/.test(stripComments(sourceText(cell.source)));
    if (callsShow && figures.length === 0) {
      problems.push(`cell ${index} calls show( but produced no ${PLOTLY_MIME} output`);
    }
    figures.forEach((figure, k) => {
      for (const p of figureProblems(figure)) problems.push(`cell ${index}, figure ${k}: ${p}`);
    });
  });
  return problems;
}

function pythonPath(): string {
  const fromEnv = Deno.env.get("PGSUBSPACE_PYTHON");
  if (fromEnv) return fromEnv;
  try {
    if (Deno.statSync("/usr/bin/python3").isFile) return "/usr/bin/python3";
  } catch {
    // fall through
  }
  return "python3";
}

/**
 * Checks that Python with `jupyter_client` and the Deno kernel are available; returns null when
 * they are, else the reason with the fix.
 *
 * @example
 * ```ts
 * import { notebookSetupProblem } from "./run_notebooks.ts";
 * const problem = await notebookSetupProblem();
 * if (problem) console.log(`skipping: ${problem}`);
 * ```
 */
export async function notebookSetupProblem(): Promise<string | null> {
  const python = pythonPath();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: [RUNNER, "--check"],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (e) {
    return `cannot run ${python} (${(e as Error).message}); install Python 3 and ` +
      "`apt-get install jupyter-client python3-nbclient jupyter-nbconvert`";
  }
  if (out.code === 0) return null;
  return new TextDecoder().decode(out.stderr).trim() || `${python} ${RUNNER} --check failed`;
}

interface RunnerEvent {
  event: "start" | "cell" | "error" | "done";
  notebook: string;
  cell?: number;
  cells?: number;
  seconds?: number;
  output?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  first_line?: string;
}

// deno-lint-ignore no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Runs notebooks (module doc) and returns what happened; never throws for a failing cell.
 *
 * @example
 * ```ts
 * import { runNotebooks } from "./run_notebooks.ts";
 * const result = await runNotebooks({ notebooks: ["notebooks/01_quickstart.ipynb"], html: true });
 * if (!result.ok) console.error(result.failures.join("\n"));
 * ```
 */
export async function runNotebooks(options: RunNotebooksOptions): Promise<RunNotebooksResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = options.outDir ?? `${REPO}/.out/notebooks`;
  const result: RunNotebooksResult = { ok: true, executed: [], htmlFiles: [], failures: [] };
  if (options.notebooks.length === 0) {
    result.ok = false;
    result.failures.push("no notebooks to run");
    return result;
  }
  const setup = await notebookSetupProblem();
  if (setup) {
    result.ok = false;
    result.failures.push(setup);
    return result;
  }
  await Deno.mkdir(outDir, { recursive: true });
  const env = { PGSUBSPACE_QUICK: "1", NO_COLOR: "1", ...options.env };
  const args = [
    RUNNER,
    "--out",
    outDir,
    "--timeout",
    String(options.timeoutSeconds ?? 600),
    ...Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...options.notebooks,
  ];
  const child = new Deno.Command(pythonPath(), { args, stdout: "piped", stderr: "inherit" })
    .spawn();
  let buffer = "";
  const decoder = new TextDecoder();
  const handle = (line: string) => {
    if (!line.trim()) return;
    let ev: RunnerEvent;
    try {
      ev = JSON.parse(line);
    } catch {
      log(line);
      return;
    }
    if (ev.event === "start") log(`▶ ${ev.notebook} (${ev.cells} cells)`);
    else if (ev.event === "cell") log(`  cell ${ev.cell} ok (${ev.seconds?.toFixed(1)} s)`);
    else if (ev.event === "done") {
      log(`✔ ${ev.notebook} (${ev.seconds?.toFixed(1)} s) → ${ev.output}`);
      result.executed.push(ev.output!);
    } else if (ev.event === "error") {
      const headline = `${ev.ename}: ${ev.evalue}`;
      const lines = (ev.traceback ?? []).join("\n").replace(ANSI, "").split("\n");
      const trace = (lines[0] === headline ? lines.slice(1) : lines).join("\n").trim();
      const message = `${ev.notebook}, cell ${ev.cell} (\`${ev.first_line}\`): ` +
        `${headline}${trace ? `\n${trace}` : ""}`;
      log(`✘ ${message}`);
      result.failures.push(message);
      if (ev.output) result.executed.push(ev.output);
    }
  };
  for await (const chunk of child.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      handle(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  handle(buffer);
  const status = await child.status;
  if (status.code !== 0 && result.failures.length === 0) {
    result.failures.push(`notebook runner exited with code ${status.code}`);
  }
  for (const path of result.executed) {
    const text = await Deno.readTextFile(path);
    const problems = checkNotebookFigures(JSON.parse(text));
    for (const p of problems) result.failures.push(`${path}: ${p}`);
    if (problems.length === 0) log(`  figures ok: ${path}`);
    const bytes = new TextEncoder().encode(text).length;
    const limit = options.maxBytes ?? MAX_NOTEBOOK_BYTES;
    if (bytes > limit) {
      result.failures.push(
        `${path} is ${(bytes / 1e6).toFixed(2)} MB, over the ${(limit / 1e6).toFixed(1)} MB ` +
          "limit (plotly.js or duplicated figure data in the outputs?)",
      );
    } else log(`  size ok: ${(bytes / 1e3).toFixed(0)} kB`);
    if (options.html) {
      const htmlPath = path.replace(/\.ipynb$/, ".html");
      const title = path.split("/").pop()!.replace(/\.ipynb$/, "");
      await writeFileAtomic(htmlPath, notebookHtml(JSON.parse(text), title));
      result.htmlFiles.push(htmlPath);
      log(`  html: ${htmlPath}`);
    }
  }
  result.ok = result.failures.length === 0;
  return result;
}

/** The `notebooks` command line. */
const NOTEBOOKS_CLI: CliSpec = {
  command: "deno task notebooks",
  summary: "Executes notebooks headless with the Deno Jupyter kernel in quick mode " +
    "(PGSUBSPACE_QUICK=1), writes the executed copies to .out/notebooks/ and checks their " +
    "figures and sizes.",
  options: [
    { name: "html", type: "boolean", description: "also render each executed notebook to HTML" },
    {
      name: "out",
      type: "string",
      value: "DIR",
      description: "executed copies",
      default: ".out/notebooks",
    },
    { name: "timeout", type: "string", value: "SECONDS", description: "per cell", default: "600" },
  ],
  positional: {
    name: "NOTEBOOK.ipynb",
    description: "notebooks to run (default: every notebooks/*.ipynb)",
    min: 0,
    max: Infinity,
  },
};

async function main(args: ParsedArgs): Promise<number> {
  const notebooks = [...args.positional];
  const html = args.flag("html"), outDir = args.string("out");
  const timeoutSeconds = args.int("timeout", 1);
  if (notebooks.length === 0) {
    try {
      for (const e of Deno.readDirSync(`${REPO}/notebooks`)) {
        if (e.isFile && e.name.endsWith(".ipynb")) notebooks.push(`${REPO}/notebooks/${e.name}`);
      }
    } catch {
      // no notebooks/ folder
    }
    notebooks.sort();
    if (notebooks.length === 0) throw new Error("no notebooks found in notebooks/");
  }
  const result = await runNotebooks({ notebooks, html, outDir, timeoutSeconds });
  if (!result.ok) {
    console.error(`\n${result.failures.length} problem(s):\n- ${result.failures.join("\n- ")}`);
    return 1;
  }
  console.log(`\nall ${notebooks.length} notebook(s) ran and passed the figure check`);
  return 0;
}

if (import.meta.main) await runCli(NOTEBOOKS_CLI, Deno.args, main);
