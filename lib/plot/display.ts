/**
 * Figure display in the Deno Jupyter kernel, harmless everywhere else.
 *
 * `show(fig)` sends one `display_data` message on the kernel's IOPub channel
 * (`Deno.jupyter.broadcast`) with three representations; the frontend picks the richest it can
 * render:
 * - `application/vnd.plotly.v1+json`: the figure JSON (JupyterLab with the plotly renderer,
 *   VS Code, nteract render it natively) — the only copy of the figure's data;
 * - `text/html`: by default a one-line note without data (for frontends without a Plotly
 *   renderer), so an executed notebook stays small: no copy of plotly.js (≈ 4.8 MB) and no second
 *   copy of the data. With `inlinePlotly: "once"` (or `PGSUBSPACE_PLOTLY_HTML=inline` in the
 *   kernel's environment) it is instead a `<div>` drawn by `Plotly.newPlot`, with plotly.js from
 *   the pinned npm package inlined into the **first** figure of the kernel session (guarded;
 *   later figures reuse it), for frontends that render only HTML;
 * - `text/plain`: a one-line description.
 *
 * `tools/run_notebooks.ts --html` renders executed notebooks to standalone HTML from the Plotly
 * JSON, with plotly.js inlined once per page.
 *
 * Outside the kernel (`Deno.jupyter` absent — it throws outside `deno jupyter` — or broadcast
 * failing) nothing is sent and `show` simply returns the bundle. The returned bundle carries a
 * `Symbol.for("Jupyter.display")` method that renders nothing, so `show(fig)` as the last line of
 * a cell does not print the bundle a second time.
 *
 * `LiveDisplay` keeps one output area per display id and rewrites it in place
 * (`display_data` with `transient.display_id`, then `update_display_data`) for progress lines and
 * small live figures during long computations. `showMarkdown` displays computed Markdown text.
 *
 * @module
 */

import { escapeHtml, figureDivHtml, figureJson } from "./html.ts";
import { inlinePlotlyScript } from "./plotly_source.ts";
import type { PlotlyFigure } from "./types.ts";
import { assertFiniteFigure } from "./validate.ts";

/** A Jupyter mime bundle: mime type → data. */
export type MimeBundle = Record<string, unknown>;

/** The part of `Deno.jupyter` that display needs (injectable, e.g. for tests). */
export interface KernelChannel {
  /** Sends one IOPub message (`Deno.jupyter.broadcast`). */
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void>;
}

/** The mime type of Plotly figure JSON. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

const INLINED_KEY = Symbol.for("pgsubspace.plot.plotlyInlined");
const pending = new Set<Promise<void>>();
let warned = false;

/**
 * The Deno kernel's channel, or null when not running inside `deno jupyter`.
 *
 * @example
 * ```ts
 * import { kernelChannel } from "./display.ts";
 * kernelChannel(); // null under `deno run` / `deno test`
 * ```
 */
export function kernelChannel(): KernelChannel | null {
  try {
    const jupyter = (Deno as unknown as { jupyter?: Partial<KernelChannel> }).jupyter;
    if (jupyter && typeof jupyter.broadcast === "function") return jupyter as KernelChannel;
  } catch {
    // Deno.jupyter's getter throws outside the kernel.
  }
  return null;
}

/**
 * True when running inside the Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * import { inKernel } from "./display.ts";
 * if (!inKernel()) console.log("figures are only returned, not displayed");
 * ```
 */
export function inKernel(): boolean {
  return kernelChannel() !== null;
}

function inlined(): boolean {
  return (globalThis as Record<symbol, unknown>)[INLINED_KEY] === true;
}

function setInlined(value: boolean): void {
  (globalThis as Record<symbol, unknown>)[INLINED_KEY] = value;
}

/**
 * Forgets that plotly.js was inlined in this kernel session, so the next figure inlines it again
 * (call it after clearing all outputs, whose first figure carried plotly.js).
 *
 * @example
 * ```ts
 * import { resetPlotlyInjection } from "./display.ts";
 * resetPlotlyInjection();
 * ```
 */
export function resetPlotlyInjection(): void {
  setInlined(false);
}

function send(channel: KernelChannel, msgType: string, content: Record<string, unknown>): boolean {
  let p: Promise<void>;
  try {
    p = Promise.resolve(channel.broadcast(msgType, content));
  } catch (e) {
    warnOnce(e);
    return false;
  }
  const tracked = p.catch((e) => {
    if (msgType === "display_data" && content.data && (content.data as MimeBundle)["text/html"]) {
      setInlined(false); // the output carrying plotly.js may not have arrived
    }
    warnOnce(e);
  }).finally(() => pending.delete(tracked));
  pending.add(tracked);
  return true;
}

function warnOnce(e: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`pgsubspace display: could not send output to the kernel: ${e}`);
}

/**
 * Waits until every display message sent so far has been handed to the kernel (call at the end
 * of a cell that updates displays from async code).
 *
 * @example
 * ```ts
 * import { flushDisplays } from "./display.ts";
 * await flushDisplays();
 * ```
 */
export async function flushDisplays(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/**
 * One-line description of a figure for `text/plain`: title and trace types.
 *
 * @example
 * ```ts
 * import { describeFigure } from "./display.ts";
 * describeFigure({ data: [{ type: "bar" }, { type: "bar" }], layout: { title: { text: "S_frac" } } });
 * // 'Plotly figure "S_frac": 2 traces (bar ×2)'
 * ```
 */
export function describeFigure(figure: PlotlyFigure): string {
  const t = figure.layout.title;
  const title = typeof t === "string" ? t : t?.text;
  const counts = new Map<string, number>();
  for (const tr of figure.data) counts.set(tr.type, (counts.get(tr.type) ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => `${k} ×${n}`).join(", ");
  const plain = title ? ` "${title.replace(/<[^>]*>/g, "")}"` : "";
  const n = figure.data.length;
  return `Plotly figure${plain}: ${n} trace${n === 1 ? "" : "s"} (${kinds})`;
}

/** Options of {@link figureBundle} and {@link show}. */
export interface ShowOptions {
  /**
   * The HTML representation: "note" (default: one line without data; the frontend's Plotly
   * renderer draws the JSON) or "figure" (a `<div>` drawn by plotly.js; the default when the
   * kernel's environment has `PGSUBSPACE_PLOTLY_HTML=inline`).
   */
  html?: "note" | "figure";
  /**
   * With `html: "figure"`, inline plotly.js: "once" (default: the first figure of the session),
   * "always", or "never" (the page must already have Plotly).
   */
  inlinePlotly?: "once" | "always" | "never";
  /** Height of the HTML figure in pixels (default layout.height, else 450). */
  height?: number;
  /** Kernel channel (default: `Deno.jupyter` when in the kernel). */
  channel?: KernelChannel | null;
  /** Display id: later `show(..., { displayId })` with `update: true` replaces this output. */
  displayId?: string;
  /** Replace the output with `displayId` instead of adding one (`update_display_data`). */
  update?: boolean;
}

/**
 * The mime bundle of a figure (module doc): plotly JSON, HTML (with plotly.js inlined when
 * `withPlotly`), and a text description. Pure apart from reading plotly.js when inlining.
 *
 * @example
 * ```ts
 * import { figureBundle, PLOTLY_MIME } from "./display.ts";
 * const bundle = figureBundle({ data: [{ type: "bar", y: [1, 2] }], layout: {} }, false);
 * Object.keys(bundle); // [PLOTLY_MIME, "text/html", "text/plain"]
 * ```
 */
export function figureBundle(
  figure: PlotlyFigure,
  withPlotly: boolean,
  height?: number,
  html: "figure" | "note" = "figure",
): MimeBundle {
  const json = figureJson(figure);
  const text = describeFigure(json);
  const htmlText = html === "note"
    ? `<div style="color:#777;font-size:90%">${escapeHtml(text)}. This frontend has no Plotly ` +
      "renderer for the figure's application/vnd.plotly.v1+json output: use JupyterLab with the " +
      "plotly package or VS Code, or set PGSUBSPACE_PLOTLY_HTML=inline to embed plotly.js.</div>"
    : (withPlotly ? inlinePlotlyScript() + "\n" : "") + figureDivHtml(json, { height });
  return { [PLOTLY_MIME]: json, "text/html": htmlText, "text/plain": text };
}

function defaultHtml(): "note" | "figure" {
  try {
    return Deno.env.get("PGSUBSPACE_PLOTLY_HTML") === "inline" ? "figure" : "note";
  } catch {
    return "note"; // no --allow-env
  }
}

function quietBundle(bundle: MimeBundle): MimeBundle {
  // Rendering nothing when `show(fig)` is a cell's last expression (the figure is already shown).
  Object.defineProperty(bundle, Symbol.for("Jupyter.display"), {
    value: () => ({}),
    enumerable: false,
  });
  return bundle;
}

/**
 * Displays a figure in the Deno Jupyter kernel (module doc) and returns its mime bundle; outside
 * the kernel only returns the bundle (HTML without inlined plotly.js). Sends without waiting; use
 * `await flushDisplays()` when ordering against later output matters.
 *
 * @throws RangeError if the figure holds NaN/Infinity or has no traces (see validate.ts).
 *
 * @example
 * ```ts
 * import { show } from "./display.ts";
 * import { learningCurveFigure } from "./figures.ts";
 * const bundle = show(learningCurveFigure({
 *   series: [{ label: "PPO", kind: "eval", seeds: [{ steps: [0, 1000], values: [-1200, -300] }] }],
 * }));
 * ```
 */
export function show(figure: PlotlyFigure, options: ShowOptions = {}): MimeBundle {
  assertFiniteFigure(figure, "show");
  const channel = options.channel === undefined ? kernelChannel() : options.channel;
  if (channel === null) return quietBundle(figureBundle(figure, false, options.height));
  const html = options.html ?? defaultHtml();
  const mode = options.inlinePlotly ?? "once";
  const withPlotly = html === "figure" &&
    (mode === "always" || (mode === "once" && !inlined()));
  const bundle = figureBundle(figure, withPlotly, options.height, html);
  const content: Record<string, unknown> = {
    data: bundle,
    metadata: {},
    transient: options.displayId ? { display_id: options.displayId } : {},
  };
  const ok = send(channel, options.update ? "update_display_data" : "display_data", content);
  if (ok && withPlotly) setInlined(true);
  return quietBundle(bundle);
}

/** Options of {@link LiveDisplay}. */
export interface LiveDisplayOptions {
  /** Minimum milliseconds between two kernel updates; faster updates are coalesced (default 250). */
  minIntervalMs?: number;
  /** Outside the kernel, print the progress line to stderr at most this often (default 5000 ms; 0 = never). */
  consoleIntervalMs?: number;
  /** Height of the live figure in pixels (default 320). */
  figureHeight?: number;
  /** Kernel channel (default: `Deno.jupyter` when in the kernel). */
  channel?: KernelChannel | null;
}

/**
 * A progress line (and optionally a small figure) updated in place in the notebook.
 *
 * The first `update` creates the outputs (`display_data` with `transient.display_id`), later ones
 * rewrite them (`update_display_data`); updates closer together than `minIntervalMs` are
 * coalesced and the latest state is sent by the next update or by `done()`. Outside the kernel the
 * line goes to stderr every `consoleIntervalMs`.
 *
 * @example
 * ```ts
 * import { LiveDisplay } from "./display.ts";
 * const live = new LiveDisplay();
 * for (let step = 0; step <= 100; step += 10) live.update(`step ${step}/100`);
 * await live.done("finished");
 * ```
 */
export class LiveDisplay {
  /** Base display id; the line uses `<id>-text`, the figure `<id>-figure`. */
  readonly id: string;
  readonly #channel: KernelChannel | null;
  readonly #minIntervalMs: number;
  readonly #consoleIntervalMs: number;
  readonly #figureHeight: number;
  #textShown = false;
  #figureShown = false;
  #lastSent = -Infinity;
  #lastPrinted = -Infinity;
  #line = "";
  #figure: PlotlyFigure | null = null;
  #dirty = false;

  constructor(options: LiveDisplayOptions = {}) {
    this.id = `pgsubspace-live-${crypto.randomUUID()}`;
    this.#channel = options.channel === undefined ? kernelChannel() : options.channel;
    this.#minIntervalMs = options.minIntervalMs ?? 250;
    this.#consoleIntervalMs = options.consoleIntervalMs ?? 5000;
    this.#figureHeight = options.figureHeight ?? 320;
  }

  /** Whether updates go to a kernel (else to stderr). */
  get live(): boolean {
    return this.#channel !== null;
  }

  /**
   * Sets the progress line (and figure, if given; a later update without figure keeps the last).
   *
   * @throws RangeError if the figure holds NaN/Infinity.
   */
  update(line: string, figure?: PlotlyFigure): void {
    if (figure) assertFiniteFigure(figure, "LiveDisplay.update");
    this.#line = line;
    if (figure) this.#figure = figure;
    this.#dirty = true;
    const now = performance.now();
    if (this.#channel === null) {
      if (this.#consoleIntervalMs > 0 && now - this.#lastPrinted >= this.#consoleIntervalMs) {
        this.#lastPrinted = now;
        this.#dirty = false;
        console.error(line);
      }
      return;
    }
    if (now - this.#lastSent >= this.#minIntervalMs) this.#render(now);
  }

  /** Sends the latest state (optionally a final line/figure) and waits until it is delivered. */
  async done(line?: string, figure?: PlotlyFigure): Promise<void> {
    if (figure) assertFiniteFigure(figure, "LiveDisplay.done");
    if (line !== undefined) {
      this.#line = line;
      this.#dirty = true;
    }
    if (figure) {
      this.#figure = figure;
      this.#dirty = true;
    }
    if (this.#channel === null) {
      if (this.#dirty && this.#consoleIntervalMs > 0) console.error(this.#line);
      this.#dirty = false;
      return;
    }
    if (this.#dirty) this.#render(performance.now());
    await flushDisplays();
  }

  #render(now: number): void {
    const channel = this.#channel!;
    this.#lastSent = now;
    this.#dirty = false;
    const text: MimeBundle = {
      "text/plain": this.#line,
      "text/html": `<pre style="margin:0">${escapeHtml(this.#line)}</pre>`,
    };
    send(channel, this.#textShown ? "update_display_data" : "display_data", {
      data: text,
      metadata: {},
      transient: { display_id: `${this.id}-text` },
    });
    this.#textShown = true;
    if (this.#figure) {
      const html = defaultHtml();
      if (!this.#figureShown && !inlined() && html === "figure") {
        // plotly.js goes into its own output: an update of the figure must not remove it.
        const ok = send(channel, "display_data", {
          data: { "text/html": inlinePlotlyScript(), "text/plain": "" },
          metadata: {},
          transient: {},
        });
        if (ok) setInlined(true);
      }
      show(this.#figure, {
        channel,
        html,
        inlinePlotly: "never",
        height: this.#figureHeight,
        displayId: `${this.id}-figure`,
        update: this.#figureShown,
      });
      this.#figureShown = true;
    }
  }
}

/**
 * Displays Markdown text (computed conclusions, tables) in the Deno Jupyter kernel and returns its
 * bundle; outside the kernel only returns it.
 *
 * @example
 * ```ts
 * import { showMarkdown } from "./display.ts";
 * showMarkdown(`S_frac = **${(0.62).toFixed(2)}**, 19× the random baseline.`);
 * ```
 */
export function showMarkdown(
  markdown: string,
  options: { channel?: KernelChannel | null } = {},
): MimeBundle {
  const bundle: MimeBundle = { "text/markdown": markdown, "text/plain": markdown };
  const channel = options.channel === undefined ? kernelChannel() : options.channel;
  if (channel !== null) {
    send(channel, "display_data", { data: bundle, metadata: {}, transient: {} });
  }
  return quietBundle(bundle);
}
