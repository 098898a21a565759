/**
 * Access to the pinned plotly.js bundle (`plotly.js-dist-min`, see deno.json) as text, for
 * inlining into notebook outputs, reports and the headless-Chromium export. The package cannot be
 * imported under Deno (it needs `window`), so it is read from disk through
 * `import.meta.resolve`, which needs the npm package in `node_modules/` (deno.json sets
 * `"nodeModulesDir": "auto"`, so any `deno run`/`deno test` in the project installs it).
 *
 * @module
 */

let cachedSource: string | null = null;

/**
 * Absolute path of the pinned `plotly.min.js`.
 *
 * @throws Error naming the fix when the package is not installed in `node_modules/`.
 *
 * @example
 * ```ts
 * import { plotlyPath } from "./plotly_source.ts";
 * plotlyPath(); // ".../node_modules/.deno/plotly.js-dist-min@4.1.2/.../plotly.min.js"
 * ```
 */
export function plotlyPath(): string {
  let url: string;
  try {
    url = import.meta.resolve("plotly.js-dist-min");
  } catch (e) {
    // Run without the project's deno.json (e.g. a script outside the repository): fall back to
    // the package folder that `nodeModulesDir` creates next to deno.json.
    const local = new URL("../../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url);
    try {
      if (local.protocol === "file:" && Deno.statSync(local).isFile) {
        return decodeURIComponent(local.pathname);
      }
    } catch {
      // not there either
    }
    throw new Error(
      `cannot resolve "plotly.js-dist-min" (${(e as Error).message}); run from the project ` +
        "directory so that deno.json's import map applies",
    );
  }
  if (!url.startsWith("file:")) {
    throw new Error(
      `"plotly.js-dist-min" resolved to ${url}, not a file; the npm package must be installed ` +
        'in node_modules/ (deno.json "nodeModulesDir": "auto"; run `deno install` once)',
    );
  }
  return decodeURIComponent(new URL(url).pathname);
}

/**
 * The text of `plotly.min.js` (read once, then cached).
 *
 * @example
 * ```ts
 * import { plotlySource } from "./plotly_source.ts";
 * plotlySource().length > 1_000_000; // true (≈ 4.8 MB)
 * ```
 */
export function plotlySource(): string {
  if (cachedSource === null) {
    const path = plotlyPath();
    try {
      cachedSource = Deno.readTextFileSync(path);
    } catch (e) {
      throw new Error(
        `cannot read plotly.js at ${path} (${(e as Error).message}); run \`deno install\` in the ` +
          "project directory (and grant --allow-read)",
      );
    }
  }
  return cachedSource;
}

/**
 * A `<script>` element that defines `window.Plotly` from the inlined bundle, guarded so that a
 * page (or notebook) that already has Plotly does not load it twice. `</script` inside the source
 * is escaped so the element cannot be closed early.
 *
 * @example
 * ```ts
 * import { inlinePlotlyScript } from "./plotly_source.ts";
 * inlinePlotlyScript().startsWith("<script"); // true
 * ```
 */
export function inlinePlotlyScript(): string {
  const source = plotlySource().replace(/<\/(script)/gi, "<\\/$1");
  return `<script type="text/javascript">if (typeof window.Plotly === "undefined") {\n${source}\n}</script>`;
}
