/**
 * Checks that an executed notebook shows its Plotly figures when opened in JupyterLab: starts
 * `jupyter lab` headless on a free loopback port, opens the notebook in headless Chromium (driven
 * through the Chrome DevTools protocol, so the check waits for the figures rather than for a fixed
 * time), counts the rendered Plotly figures, saves a PNG of the notebook and stops the server.
 *
 * The notebook is copied into a temporary root folder, and JupyterLab gets temporary settings,
 * workspace and runtime folders, so nothing of a user's JupyterLab state is read or written. The
 * settings turn off news and update checks (no request leaves the machine) and notebook windowing
 * (every cell attaches to the page, so offscreen figures render too).
 *
 * A figure counts as rendered when an output of mime type `application/vnd.plotly.v1+json` holds a
 * `.js-plotly-plot` element with a drawn `svg.main-svg`. The check fails (exit code 1) when fewer
 * figures render than the notebook has Plotly outputs (or when it has none), and when a cell has a
 * `cell_type` nbformat 4 does not know (JupyterLab shows such cells as raw text). It prints a skip
 * message and exits 0 when JupyterLab or Chromium is not installed.
 *
 * Usage:
 *   deno run --allow-read --allow-write --allow-run --allow-env --allow-net=127.0.0.1 \
 *     tools/jupyterlab_check.ts [NOTEBOOK.ipynb] [--venv .out/lab-venv] [--out PNG] \
 *     [--timeout-s 120] [--width 1280]
 *
 * Default notebook: `.out/notebooks/03_gradient_subspace_fraction.ipynb` (made by
 * `PGSUBSPACE_QUICK=1 deno task notebooks`); default PNG: `.out/jupyterlab/<notebook>.png`.
 * JupyterLab comes from the venv, made with:
 *   python3 -m venv .out/lab-venv && .out/lab-venv/bin/pip install --retries 0 \
 *     --index-url file:///opt/pypi/simple --find-links /opt/wheels jupyterlab plotly
 *
 * @module
 */

import { chromiumFlags, findChromium } from "../lib/plot/chromium.ts";
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const PLOTLY_MIME = "application/vnd.plotly.v1+json";
/** The `jupyterlab-check` command line. */
const LAB_CHECK_CLI: CliSpec = {
  command: "deno task jupyterlab-check",
  summary: "Opens an executed notebook in a real JupyterLab under headless Chromium, counts the " +
    "rendered Plotly figures and saves a screenshot (skips when JupyterLab or Chromium is missing).",
  options: [
    {
      name: "venv",
      type: "string",
      value: "DIR",
      description: "venv with jupyterlab and plotly",
      default: ".out/lab-venv",
    },
    {
      name: "out",
      type: "string",
      value: "PNG",
      description: "screenshot",
      default: ".out/jupyterlab/<notebook>.png",
    },
    {
      name: "timeout-s",
      type: "string",
      value: "N",
      description: "seconds to wait",
      default: "120",
    },
    {
      name: "width",
      type: "string",
      value: "N",
      description: "window width in pixels",
      default: "1280",
    },
  ],
  positional: {
    name: "NOTEBOOK.ipynb",
    description: "executed notebook (default .out/notebooks/04_gradient_subspace_fraction.ipynb)",
    min: 0,
    max: 1,
  },
};

/** Parsed command line. */
interface Args {
  /** Executed notebook to open. */
  notebook: string;
  /** Python venv holding `jupyter-lab` and plotly. */
  venv: string;
  /** Where the PNG goes. */
  out: string;
  /** Seconds to wait for the server, and again for the figures. */
  timeoutS: number;
  /** Browser window width in pixels. */
  width: number;
}

/** Result of {@link checkNotebookInJupyterLab}. */
export interface LabCheckResult {
  /** Plotly outputs stored in the notebook. */
  expected: number;
  /** Plotly figures JupyterLab drew. */
  rendered: number;
  /** Outputs the jupyterlab-plotly mime renderer (`.jp-RenderedPlotly`) handled. */
  mimeRendered: number;
  /** PNG written. */
  png: string;
  /** Cells of a type nbformat does not know (e.g. "md" for "markdown"), as "cell I: ...". */
  badCellTypes: string[];
  /** Cells JupyterLab shows as raw text (includes cells of unknown type). */
  rawCells: number;
}

function argsOf(args: ParsedArgs): Args {
  const notebook = args.positional[0] ??
    `${REPO}/.out/notebooks/04_gradient_subspace_fraction.ipynb`;
  const stem = notebook.split("/").pop()!.replace(/\.ipynb$/, "");
  return {
    notebook,
    venv: args.string("venv") ?? `${REPO}/.out/lab-venv`,
    out: args.string("out") ?? `${REPO}/.out/jupyterlab/${stem}.png`,
    timeoutS: args.int("timeout-s", 1) ?? 120,
    width: args.int("width", 1) ?? 1280,
  };
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** What {@link inspectNotebook} finds in a notebook file. */
interface NotebookFacts {
  /** Outputs of mime type `application/vnd.plotly.v1+json`. */
  plotlyOutputs: number;
  /** Cells whose `cell_type` nbformat 4 does not know (JupyterLab shows them as raw text). */
  badCellTypes: string[];
}

/** Counts a notebook's Plotly outputs and lists cells of unknown type. */
function inspectNotebook(notebookJson: string, path: string): NotebookFacts {
  let nb: { cells?: { cell_type?: string; outputs?: { data?: Record<string, unknown> }[] }[] };
  try {
    nb = JSON.parse(notebookJson);
  } catch (e) {
    throw new Error(`${path} is not valid notebook JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(nb.cells)) throw new Error(`${path} has no "cells": is it a notebook?`);
  let plotlyOutputs = 0;
  const badCellTypes: string[] = [];
  nb.cells.forEach((cell, i) => {
    if (!["code", "markdown", "raw"].includes(cell.cell_type ?? "")) {
      badCellTypes.push(`cell ${i}: cell_type ${JSON.stringify(cell.cell_type)}`);
    }
    for (const output of cell.outputs ?? []) if (output.data?.[PLOTLY_MIME]) plotlyOutputs++;
  });
  return { plotlyOutputs, badCellTypes };
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes JupyterLab user settings: no news or update checks, no notebook windowing. */
async function writeLabSettings(dir: string): Promise<void> {
  const put = async (plugin: string, settings: unknown) => {
    await Deno.mkdir(`${dir}/@jupyterlab/${plugin.split(":")[0]}`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/@jupyterlab/${plugin.replace(":", "/")}.jupyterlab-settings`,
      JSON.stringify(settings),
    );
  };
  await put("apputils-extension:notification", { fetchNews: "false", checkForUpdates: false });
  await put("notebook-extension:tracker", { windowingMode: "none" });
}

/** Polls `/api/status` until the server answers 200, or throws after `timeoutMs`. */
async function waitForServer(
  base: string,
  token: string,
  server: Deno.ChildProcess,
  timeoutMs: number,
) {
  const exited = server.status.then(() => true);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.race([exited, sleep(0).then(() => false)])) {
      throw new Error("jupyter lab exited before it answered");
    }
    try {
      const res = await fetch(`${base}/api/status`, {
        headers: { Authorization: `token ${token}` },
      });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`jupyter lab did not answer at ${base} within ${timeoutMs} ms`);
}

/** Minimal Chrome DevTools protocol client over one page's WebSocket. */
class DevToolsPage {
  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data as string);
      const resolve = this.#pending.get(msg.id);
      if (resolve) {
        this.#pending.delete(msg.id);
        resolve(msg);
      }
    };
  }

  static async connect(url: string): Promise<DevToolsPage> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`cannot open the DevTools socket ${url}`));
    });
    return new DevToolsPage(ws);
  }

  send<T = Record<string, unknown>>(method: string, params: unknown = {}): Promise<T> {
    const id = this.#nextId++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (msg) => {
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result as T);
      });
    });
  }

  /** Evaluates `expression` in the page and returns its (JSON-serializable) value. */
  async evaluate<T>(expression: string): Promise<T> {
    const out = await this.send<{ result: { value: T }; exceptionDetails?: unknown }>(
      "Runtime.evaluate",
      { expression, returnByValue: true },
    );
    if (out.exceptionDetails) throw new Error(`page script failed: ${expression}`);
    return out.result.value;
  }

  close() {
    this.#ws.close();
  }
}

/** Page script: figure counts and the notebook's scroll height. */
const PROBE = `(() => {
  // The jupyterlab-plotly renderer draws into its own output node (.jp-RenderedPlotly).
  const outputs = [...document.querySelectorAll('.jp-OutputArea-output')]
    .filter((o) => o.matches('.js-plotly-plot') || o.querySelector('.js-plotly-plot'));
  const drawn = outputs.filter((o) => {
    const svg = o.querySelector('svg.main-svg');
    if (!svg) return false;
    const box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
  const scroller = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  return {
    rendered: drawn.length,
    mimeRendered: document.querySelectorAll('.jp-RenderedPlotly').length,
    notebookHeight: scroller ? scroller.scrollHeight : 0,
    chromeHeight: scroller ? window.innerHeight - scroller.clientHeight : 0,
    rawCells: document.querySelectorAll('.jp-Notebook .jp-RawCell').length,
  };
})()`;

interface Probe {
  rendered: number;
  mimeRendered: number;
  notebookHeight: number;
  chromeHeight: number;
  rawCells: number;
}

/**
 * Opens `notebookPath` in JupyterLab from `venv` and checks its Plotly figures draw.
 * The caller checks that the venv and Chromium exist.
 *
 * @example
 * ```ts
 * import { checkNotebookInJupyterLab } from "./jupyterlab_check.ts";
 * const r = await checkNotebookInJupyterLab(".out/notebooks/01_quickstart.ipynb", {
 *   venv: ".out/lab-venv", chromium: "/usr/bin/chromium", out: "/tmp/lab.png",
 *   timeoutS: 120, width: 1280,
 * });
 * console.log(`${r.rendered}/${r.expected} figures`);
 * ```
 */
export async function checkNotebookInJupyterLab(
  notebookPath: string,
  opts: { venv: string; chromium: string; out: string; timeoutS: number; width: number },
): Promise<LabCheckResult> {
  const source = await Deno.readTextFile(notebookPath).catch(() => {
    throw new Error(
      `${notebookPath} does not exist; make it with \`PGSUBSPACE_QUICK=1 deno task notebooks\``,
    );
  });
  const facts = inspectNotebook(source, notebookPath);
  const expected = facts.plotlyOutputs;
  const name = notebookPath.split("/").pop()!;
  const tmp = await Deno.makeTempDir({ prefix: "pgsubspace-lab-" });
  const token = crypto.randomUUID().replaceAll("-", "");
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  let server: Deno.ChildProcess | undefined;
  let browser: Deno.ChildProcess | undefined;
  let page: DevToolsPage | undefined;
  try {
    await Deno.mkdir(`${tmp}/root`);
    await Deno.writeTextFile(`${tmp}/root/${name}`, source);
    await writeLabSettings(`${tmp}/settings`);
    server = new Deno.Command(`${opts.venv}/bin/jupyter-lab`, {
      args: [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        `--ServerApp.port=${port}`,
        "--ServerApp.port_retries=0",
        `--IdentityProvider.token=${token}`,
        `--ServerApp.root_dir=${tmp}/root`,
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly", // no PyPI queries
        "--allow-root", // containers run as root; a no-op otherwise
      ],
      env: {
        JUPYTERLAB_SETTINGS_DIR: `${tmp}/settings`,
        JUPYTERLAB_WORKSPACES_DIR: `${tmp}/workspaces`,
        JUPYTER_RUNTIME_DIR: `${tmp}/runtime`,
      },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Keep the server log for error messages instead of flooding the terminal.
    const serverLog = collect(server.stderr);
    await waitForServer(base, token, server, opts.timeoutS * 1000).catch(async (e) => {
      server?.kill("SIGTERM");
      throw new Error(`${(e as Error).message}; its log:\n${(await serverLog).slice(-3000)}`);
    });

    // Chromium with a DevTools port on loopback; the port is read from its log line.
    browser = new Deno.Command(opts.chromium, {
      args: [
        ...chromiumFlags(`${tmp}/chromium-profile`),
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        `--window-size=${opts.width},1000`,
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const browserWs = await readDevToolsUrl(browser.stderr, opts.timeoutS * 1000);
    const devtoolsPort = new URL(browserWs).port;
    const targets: { type: string; webSocketDebuggerUrl: string }[] = await (
      await fetch(`http://127.0.0.1:${devtoolsPort}/json/list`)
    ).json();
    const target = targets.find((t) => t.type === "page");
    if (!target) throw new Error("Chromium opened no page target");
    page = await DevToolsPage.connect(target.webSocketDebuggerUrl);
    await page.send("Page.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: opts.width,
      height: 1000,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await page.send("Page.navigate", {
      url: `${base}/lab/tree/${encodeURIComponent(name)}?token=${token}`,
    });

    // Wait for every Plotly output to draw (or the timeout), then for the layout to settle.
    const deadline = Date.now() + opts.timeoutS * 1000;
    let probe: Probe = {
      rendered: 0,
      mimeRendered: 0,
      notebookHeight: 0,
      chromeHeight: 0,
      rawCells: 0,
    };
    while (Date.now() < deadline) {
      probe = await page.evaluate<Probe>(PROBE).catch(() => probe);
      if (expected > 0 && probe.rendered >= expected) break;
      await sleep(500);
    }
    await sleep(2000);
    // Make the window as tall as the notebook (plus the lab's chrome) so the PNG shows every cell.
    probe = await page.evaluate<Probe>(PROBE);
    const height = Math.min(16_000, Math.max(1000, probe.notebookHeight + probe.chromeHeight));
    await page.send("Emulation.setDeviceMetricsOverride", {
      width: opts.width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    await sleep(2000);
    probe = await page.evaluate<Probe>(PROBE);
    const shot = await page.send<{ data: string }>("Page.captureScreenshot", { format: "png" });
    const png = Uint8Array.from(atob(shot.data), (c) => c.charCodeAt(0));
    const dir = opts.out.includes("/") ? opts.out.slice(0, opts.out.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(opts.out, png);
    return {
      expected,
      rendered: probe.rendered,
      mimeRendered: probe.mimeRendered,
      png: opts.out,
      badCellTypes: facts.badCellTypes,
      rawCells: probe.rawCells,
    };
  } finally {
    page?.close();
    if (browser) {
      try {
        browser.kill("SIGTERM");
      } catch { /* already gone */ }
      await browser.status;
    }
    if (server) {
      try {
        server.kill("SIGTERM"); // jupyter server shuts its kernels down on SIGTERM
      } catch { /* already gone */ }
      await server.status;
    }
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Collects a stream's text until it ends. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
}

/** Reads Chromium's log until the "DevTools listening on ws://..." line; drains the rest. */
async function readDevToolsUrl(
  stderr: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<string> {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => lines.cancel().catch(() => {}), timeoutMs);
  try {
    while (true) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
      const match = text.match(/DevTools listening on (ws:\/\/\S+)/);
      if (match) {
        // Keep draining so Chromium never blocks on a full pipe.
        (async () => {
          while (!(await lines.read().catch(() => ({ done: true }))).done) { /* discard */ }
        })();
        return match[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`Chromium printed no DevTools address; its log:\n${text.slice(-2000)}`);
}

async function main(parsed: ParsedArgs): Promise<number> {
  const args = argsOf(parsed);
  const chromium = findChromium();
  const lab = `${args.venv}/bin/jupyter-lab`;
  if (
    !isFile(lab) ||
    !isFile(`${args.venv}/share/jupyter/labextensions/jupyterlab-plotly/package.json`)
  ) {
    console.log(
      `jupyterlab_check: SKIP: no JupyterLab with plotly in ${args.venv}; make it with ` +
        `\`python3 -m venv ${args.venv} && ${args.venv}/bin/pip install --retries 0 ` +
        "--index-url file:///opt/pypi/simple --find-links /opt/wheels jupyterlab plotly`",
    );
    return 0;
  }
  if (chromium === null) {
    console.log("jupyterlab_check: SKIP: Chromium not found (`apt-get install chromium`)");
    return 0;
  }
  const r = await checkNotebookInJupyterLab(args.notebook, { ...args, chromium });
  const verdict = r.expected > 0 && r.rendered >= r.expected ? "OK" : "FAIL";
  console.log(
    `jupyterlab_check: ${verdict}: ${r.rendered}/${r.expected} Plotly figures rendered in ` +
      `JupyterLab (${r.mimeRendered} by the jupyterlab-plotly renderer); screenshot ${r.png}`,
  );
  if (r.badCellTypes.length > 0) {
    console.log(
      `jupyterlab_check: FAIL: ${r.badCellTypes.length} cell(s) of a type nbformat 4 does not ` +
        `know, which JupyterLab shows as raw text (${r.rawCells} raw cells on the page): ` +
        `${r.badCellTypes.join("; ")}. Use "markdown", "code" or "raw".`,
    );
  }
  return verdict !== "OK" || r.badCellTypes.length > 0 ? 1 : 0;
}

if (import.meta.main) await runCli(LAB_CHECK_CLI, Deno.args, main);
