/**
 * Writes `notebooks/*.ipynb` from their sources `notebooks/src/*.md` (`deno task
 * notebooks:generate`; `--check` only compares, for CI). One source per notebook, shared pieces
 * defined once in `notebooks/src/_shared.md`.
 *
 * Source format (Markdown):
 * - a ```` ```ts ```` fenced block is a code cell; the text between code blocks is a markdown
 *   cell (`<!-- cell -->` on its own line splits it into two);
 * - `<!-- include: NAME -->` on its own line inserts the snippet NAME of `_shared.md`, where it is
 *   defined between `<!-- snippet: NAME -->` and `<!-- end snippet -->` (snippets may hold text
 *   and code blocks, but no includes).
 *
 * The output is nbformat 4.5 with the Deno kernel, stable cell ids (`c00`, `c01`, …), no outputs
 * and one-space JSON indentation, so the committed notebooks are reproducible byte for byte.
 *
 * @module
 */
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";
import { writeFileAtomic } from "../lib/io/files.ts";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** One generated cell. */
export interface NotebookCell {
  /** "markdown" or "code". */
  cell_type: "markdown" | "code";
  /** Stable id. */
  id: string;
  /** Always empty. */
  metadata: Record<string, never>;
  /** Lines, each but the last ending in "\n". */
  source: string[];
  /** Code cells: null. */
  execution_count?: null;
  /** Code cells: empty. */
  outputs?: [];
}

/**
 * The snippets of a `_shared.md` text, by name.
 *
 * @example
 * ```ts
 * import { parseSnippets } from "./notebooks_generate.ts";
 * parseSnippets("<!-- snippet: a -->\nHello\n<!-- end snippet -->").get("a"); // "Hello"
 * ```
 */
export function parseSnippets(shared: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^<!-- snippet: ([\w-]+) -->\n([\s\S]*?)^<!-- end snippet -->$/gm;
  for (const m of shared.matchAll(re)) out.set(m[1], m[2].replace(/\n+$/, ""));
  return out;
}

function lines(text: string): string[] {
  const parts = text.split("\n");
  return parts.map((l, i) => (i < parts.length - 1 ? l + "\n" : l));
}

/**
 * The cells of one source (module doc); `name` names the source in errors.
 *
 * @throws Error for an unknown snippet, an unclosed code block or an empty notebook.
 *
 * @example
 * ```ts
 * import { notebookCells } from "./notebooks_generate.ts";
 * const cells = notebookCells("# Title\n\n```ts\nconst x = 1;\n```\n", new Map(), "demo.md");
 * cells.map((c) => c.cell_type); // ["markdown", "code"]
 * ```
 */
export function notebookCells(
  source: string,
  snippets: Map<string, string>,
  name: string,
): NotebookCell[] {
  const expanded = source.replace(/\r\n?/g, "\n").replace(
    /^<!-- include: ([\w-]+) -->$/gm,
    (_m, snippet: string) => {
      const text = snippets.get(snippet);
      if (text === undefined) {
        throw new Error(
          `${name}: unknown snippet "${snippet}" (defined: ${[...snippets.keys()].join(", ")})`,
        );
      }
      return text;
    },
  );
  const cells: NotebookCell[] = [];
  const push = (type: "markdown" | "code", text: string) => {
    const body = type === "markdown" ? text.trim() : text.replace(/^\n+|\n+$/g, "");
    if (body === "") return;
    const cell: NotebookCell = {
      cell_type: type,
      id: `c${String(cells.length).padStart(2, "0")}`,
      metadata: {},
      source: lines(body),
    };
    if (type === "code") {
      cell.execution_count = null;
      cell.outputs = [];
    }
    cells.push(cell);
  };
  const all = expanded.split("\n");
  let text: string[] = [];
  const flushText = () => {
    for (const part of text.join("\n").split(/^<!-- cell -->$/m)) push("markdown", part);
    text = [];
  };
  for (let i = 0; i < all.length; i++) {
    if (/^```ts\s*$/.test(all[i])) {
      flushText();
      const code: string[] = [];
      i++;
      while (i < all.length && !/^```\s*$/.test(all[i])) code.push(all[i++]);
      if (i >= all.length) throw new Error(`${name}: a \`\`\`ts block is not closed`);
      push("code", code.join("\n"));
    } else text.push(all[i]);
  }
  flushText();
  if (cells.length === 0) throw new Error(`${name}: no cells`);
  return cells;
}

/**
 * The `.ipynb` text of a source.
 *
 * @example
 * ```ts
 * import { notebookJson } from "./notebooks_generate.ts";
 * const ipynb = notebookJson("# Title\n", new Map(), "demo.md");
 * ```
 */
export function notebookJson(source: string, snippets: Map<string, string>, name: string): string {
  const notebook = {
    cells: notebookCells(source, snippets, name),
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: { file_extension: ".ts", name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(notebook, null, 1) + "\n";
}

/**
 * Every notebook generated from `notebooks/src/` (or `srcDir`): output file name → text.
 *
 * @example
 * ```ts
 * import { generateNotebooks } from "./notebooks_generate.ts";
 * const notebooks = await generateNotebooks();
 * Object.keys(notebooks); // ["01_quickstart.ipynb", …]
 * ```
 */
export async function generateNotebooks(
  srcDir = `${REPO}/notebooks/src`,
): Promise<Record<string, string>> {
  const snippets = parseSnippets(await Deno.readTextFile(`${srcDir}/_shared.md`));
  const out: Record<string, string> = {};
  const names = [...Deno.readDirSync(srcDir)].map((e) => e.name)
    .filter((n) => n.endsWith(".md") && !n.startsWith("_")).sort();
  for (const name of names) {
    out[name.replace(/\.md$/, ".ipynb")] = notebookJson(
      await Deno.readTextFile(`${srcDir}/${name}`),
      snippets,
      name,
    );
  }
  return out;
}

/**
 * The committed notebooks that differ from their sources (or have none, or are missing).
 *
 * @example
 * ```ts
 * import { staleNotebooks } from "./notebooks_generate.ts";
 * const stale = await staleNotebooks(); // [] when notebooks/ is up to date
 * ```
 */
export async function staleNotebooks(
  dir = `${REPO}/notebooks`,
): Promise<string[]> {
  const generated = await generateNotebooks(`${dir}/src`);
  const committed = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.endsWith(".ipynb")
  );
  const stale: string[] = [];
  for (const [name, text] of Object.entries(generated)) {
    let current: string | null = null;
    try {
      current = await Deno.readTextFile(`${dir}/${name}`);
    } catch {
      current = null;
    }
    if (current !== text) stale.push(current === null ? `${name} (missing)` : name);
  }
  for (const name of committed) {
    if (!(name in generated)) stale.push(`${name} (no source in notebooks/src/)`);
  }
  return stale.sort();
}

/** The command line. */
const GENERATE_CLI: CliSpec = {
  command: "deno task notebooks:generate",
  summary: "Writes notebooks/*.ipynb from their sources notebooks/src/*.md (shared pieces in " +
    "notebooks/src/_shared.md); --check only reports notebooks that differ from their sources.",
  options: [{ name: "check", type: "boolean", description: "compare, write nothing" }],
};

async function main(args: ParsedArgs): Promise<number> {
  if (args.flag("check")) {
    const stale = await staleNotebooks();
    if (stale.length > 0) {
      console.error(
        `error: ${stale.length} notebook(s) differ from notebooks/src/: ${stale.join(", ")}\n` +
          "run `deno task notebooks:generate` and commit the result",
      );
      return 1;
    }
    console.log("notebooks/ matches notebooks/src/");
    return 0;
  }
  const generated = await generateNotebooks();
  for (const name of [...Deno.readDirSync(`${REPO}/notebooks`)].map((e) => e.name)) {
    if (name.endsWith(".ipynb") && !(name in generated)) {
      await Deno.remove(`${REPO}/notebooks/${name}`);
      console.log(`removed notebooks/${name} (no source)`);
    }
  }
  for (const [name, text] of Object.entries(generated)) {
    await writeFileAtomic(`${REPO}/notebooks/${name}`, text);
  }
  console.log(`wrote ${Object.keys(generated).length} notebooks from notebooks/src/`);
  return 0;
}

if (import.meta.main) await runCli(GENERATE_CLI, Deno.args, main);
