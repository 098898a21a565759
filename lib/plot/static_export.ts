/**
 * Static SVG/PNG export of figures, and PNG screenshots of HTML pages, through headless Chromium
 * (chromium.ts; `apt-get install chromium`). No network is used: plotly.js is inlined from the
 * pinned npm package.
 *
 * Export renders the figure in a temporary page that calls `Plotly.toImage`, writes the resulting
 * data URL into the page, and reads it back with `--dump-dom` (with a virtual-time budget, so
 * Chromium waits for the asynchronous rendering).
 *
 * @module
 */

import { writeFileAtomic } from "../io/files.ts";
import { runChromium } from "./chromium.ts";
import { figureJson, jsonForScript } from "./html.ts";
import { inlinePlotlyScript } from "./plotly_source.ts";
import type { PlotlyFigure } from "./types.ts";
import { assertFiniteFigure } from "./validate.ts";

/** Options of {@link renderStaticImage} / {@link exportStaticImage}. */
export interface StaticExportOptions {
  /** "svg" or "png" (default: from the file extension, else "svg"). */
  format?: "svg" | "png";
  /** Width in CSS pixels (default: layout.width, else 900). */
  width?: number;
  /** Height in CSS pixels (default: layout.height, else 500). */
  height?: number;
  /** Pixel scale of PNG output (default 2). */
  scale?: number;
  /** Chromium timeout in milliseconds (default 120,000). */
  timeoutMs?: number;
}

const RESULT_ID = "pgsubspace-result";

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Renders a figure to SVG or PNG bytes with headless Chromium.
 *
 * @throws Error naming `apt-get install chromium` when Chromium is missing, or Plotly's error.
 *
 * @example
 * ```ts
 * import { renderStaticImage } from "./static_export.ts";
 * const svg = await renderStaticImage({ data: [{ type: "bar", y: [1, 3] }], layout: {} }, { format: "svg" });
 * new TextDecoder().decode(svg).startsWith("<svg"); // true
 * ```
 */
export async function renderStaticImage(
  figure: PlotlyFigure,
  options: StaticExportOptions = {},
): Promise<Uint8Array> {
  assertFiniteFigure(figure, "renderStaticImage");
  const format = options.format ?? "svg";
  const layout = figure.layout;
  const width = options.width ?? (typeof layout.width === "number" ? layout.width : 900);
  const height = options.height ?? (typeof layout.height === "number" ? layout.height : 500);
  const imageOptions = { format, width, height, scale: format === "png" ? options.scale ?? 2 : 1 };
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8">${inlinePlotlyScript()}</head>
<body><script type="text/javascript">
(function () {
  function finish(text) {
    var pre = document.createElement("pre");
    pre.id = ${jsonForScript(RESULT_ID)};
    pre.textContent = text;
    document.querySelectorAll("script").forEach(function (s) { s.remove(); });
    document.body.replaceChildren(pre);
  }
  var fig = ${jsonForScript(figureJson(figure))};
  window.Plotly.toImage({ data: fig.data, layout: fig.layout }, ${jsonForScript(imageOptions)})
    .then(finish, function (e) { finish("ERROR: " + (e && e.message ? e.message : e)); });
})();
</script></body></html>`;
  const dir = await Deno.makeTempDir({ prefix: "pgsubspace-export-" });
  try {
    const pagePath = `${dir}/figure.html`;
    await Deno.writeTextFile(pagePath, page);
    const out = await runChromium(
      ["--virtual-time-budget=30000", "--dump-dom", `file://${pagePath}`],
      { timeoutMs: options.timeoutMs },
    );
    const m = new RegExp(`<pre id="${RESULT_ID}">([\\s\\S]*?)</pre>`).exec(out.stdout);
    if (!m) {
      throw new Error(
        `static export: Chromium returned no image (exit code ${out.code}); its log:\n` +
          out.stderr.split("\n").slice(-15).join("\n"),
      );
    }
    const result = unescapeHtml(m[1]);
    if (result.startsWith("ERROR: ")) {
      throw new Error(`static export: Plotly failed: ${result.slice(7)}`);
    }
    const comma = result.indexOf(",");
    const header = result.slice(0, comma), body = result.slice(comma + 1);
    if (header.endsWith(";base64")) return decodeBase64(body);
    return new TextEncoder().encode(decodeURIComponent(body));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Renders a figure and writes it to `path` atomically; the format follows the extension (`.svg`,
 * `.png`) unless `options.format` is given.
 *
 * @example
 * ```ts
 * import { exportStaticImage } from "./static_export.ts";
 * await exportStaticImage({ data: [{ type: "bar", y: [1, 3] }], layout: {} }, "/tmp/bars.png");
 * ```
 */
export async function exportStaticImage(
  figure: PlotlyFigure,
  path: string,
  options: StaticExportOptions = {},
): Promise<void> {
  const ext = path.toLowerCase().split(".").pop();
  const format = options.format ?? (ext === "png" ? "png" : ext === "svg" ? "svg" : undefined);
  if (format === undefined) {
    throw new RangeError(
      `exportStaticImage: cannot tell the format of "${path}"; use .svg or .png`,
    );
  }
  await writeFileAtomic(path, await renderStaticImage(figure, { ...options, format }));
}

/** Options of {@link screenshotHtml}. */
export interface ScreenshotOptions {
  /** Window width in pixels (default 1280). */
  width?: number;
  /** Window height in pixels, i.e. how much of the page is captured (default 2400). */
  height?: number;
  /** Virtual time Chromium gives the page to render before the shot, ms (default 15,000). */
  waitMs?: number;
  /** Chromium timeout in milliseconds (default 120,000). */
  timeoutMs?: number;
}

/**
 * Saves a PNG screenshot of a local HTML file (a report, an nbconvert export) as rendered by
 * headless Chromium, e.g. to check that its figures really draw.
 *
 * @example
 * ```ts
 * import { screenshotHtml } from "./static_export.ts";
 * await screenshotHtml("/tmp/report.html", "/tmp/report.png", { height: 3000 });
 * ```
 */
export async function screenshotHtml(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<void> {
  const abs = (p: string) => (p.startsWith("/") ? p : `${Deno.cwd()}/${p}`);
  const source = abs(htmlPath), target = abs(pngPath);
  try {
    await Deno.stat(source);
  } catch {
    throw new Error(`screenshotHtml: ${source} does not exist`);
  }
  const out = await runChromium([
    `--window-size=${options.width ?? 1280},${options.height ?? 2400}`,
    `--virtual-time-budget=${options.waitMs ?? 15_000}`,
    `--screenshot=${target}`,
    `file://${source}`,
  ], { timeoutMs: options.timeoutMs });
  try {
    await Deno.stat(target);
  } catch {
    throw new Error(
      `screenshotHtml: Chromium wrote no screenshot (exit code ${out.code}); its log:\n` +
        out.stderr.split("\n").slice(-15).join("\n"),
    );
  }
}
