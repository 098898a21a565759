import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import {
  describeFigure,
  flushDisplays,
  inKernel,
  type KernelChannel,
  LiveDisplay,
  PLOTLY_MIME,
  type PlotlyFigure,
  resetPlotlyInjection,
  show,
  showMarkdown,
} from "../../lib/plot/mod.ts";

const fig: PlotlyFigure = {
  data: [{ type: "scatter", x: [0, 1], y: [2, 3], name: "a" }],
  layout: { title: { text: "S<sub>frac</sub>" } },
};

/** A fake kernel channel that records messages. */
function recorder(fail = false) {
  const messages: { type: string; content: Record<string, unknown> }[] = [];
  const channel: KernelChannel = {
    broadcast(type, content) {
      if (fail) return Promise.reject(new Error("iopub closed"));
      messages.push({ type, content });
      return Promise.resolve();
    },
  };
  return { messages, channel };
}

Deno.test("show outside a kernel: returns the bundle, sends nothing, renders nothing twice", () => {
  assertFalse(inKernel());
  const bundle = show(fig);
  assertEquals(bundle[PLOTLY_MIME], { data: fig.data, layout: fig.layout });
  assertEquals(bundle["text/plain"], 'Plotly figure "Sfrac": 1 trace (scatter ×1)');
  const html = bundle["text/html"] as string;
  assert(html.includes("Plotly.newPlot"));
  assertFalse(html.includes("plotly.js v4"), "no 4.8 MB plotly.js outside the kernel");
  const display = (bundle as Record<symbol, () => unknown>)[Symbol.for("Jupyter.display")];
  assertEquals(display(), {});
  assertEquals(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
});

Deno.test("show in a (fake) kernel: the data once (Plotly JSON), a data-free HTML note", async () => {
  resetPlotlyInjection();
  const { messages, channel } = recorder();
  const bundle = show(fig, { channel });
  await flushDisplays();
  const data = messages[0].content.data as Record<string, unknown>;
  assertEquals(data[PLOTLY_MIME], bundle[PLOTLY_MIME]);
  const note = data["text/html"] as string;
  assertFalse(note.includes("plotly.js v4"), "no plotly.js in the notebook");
  assertFalse(note.includes('"y"'), "no second copy of the data");
  assert(note.includes("PGSUBSPACE_PLOTLY_HTML=inline"), note);
  assert(note.length < 500);
  resetPlotlyInjection();
});

Deno.test("show with html 'figure': plotly.js inlined once per session", async () => {
  resetPlotlyInjection();
  const { messages, channel } = recorder();
  show(fig, { channel, html: "figure" });
  show(fig, { channel, html: "figure" });
  await flushDisplays();
  assertEquals(messages.map((m) => m.type), ["display_data", "display_data"]);
  const html = (i: number) => (messages[i].content.data as Record<string, string>)["text/html"];
  assert(html(0).includes("plotly.js v4.1.2"), "first figure carries plotly.js");
  assert(html(0).includes('if (typeof window.Plotly === "undefined")'), "guarded");
  assertFalse(html(1).includes("plotly.js v4.1.2"));
  assertEquals(messages[0].content.transient, {});
  assertEquals(messages[0].content.metadata, {});
  resetPlotlyInjection();
});

Deno.test("show: a failing broadcast does not throw; NaN figures are rejected", async () => {
  resetPlotlyInjection();
  const { channel } = recorder(true);
  const bundle = show(fig, { channel, html: "figure", inlinePlotly: "never" });
  await flushDisplays();
  assert(bundle[PLOTLY_MIME]);
  const throwing: KernelChannel = {
    broadcast() {
      throw new Error("not in a kernel");
    },
  };
  show(fig, { channel: throwing });
  assertThrows(
    () => show({ data: [{ type: "scatter", y: [1, NaN] }], layout: {} }),
    RangeError,
    "y[1] is NaN",
  );
  assertThrows(() => show({ data: [], layout: {} }), RangeError, "no traces");
});

Deno.test("LiveDisplay: one display id, created then updated in place, updates coalesced", async () => {
  resetPlotlyInjection();
  Deno.env.set("PGSUBSPACE_PLOTLY_HTML", "inline"); // the HTML path, with plotly.js
  const { messages, channel } = recorder();
  const live = new LiveDisplay({ channel, minIntervalMs: 60_000 });
  live.update("step 1");
  live.update("step 2"); // within minIntervalMs: coalesced
  live.update("step 3", fig);
  await live.done("done");
  const text = messages.filter((m) =>
    (m.content.transient as { display_id?: string }).display_id === `${live.id}-text`
  );
  assertEquals(text.map((m) => m.type), ["display_data", "update_display_data"]);
  assertEquals(text.map((m) => (m.content.data as Record<string, string>)["text/plain"]), [
    "step 1",
    "done",
  ]);
  const figure = messages.filter((m) =>
    (m.content.transient as { display_id?: string }).display_id === `${live.id}-figure`
  );
  assertEquals(figure.map((m) => m.type), ["display_data"]);
  // plotly.js went into its own, never-updated output before the live figure.
  const loader = messages.findIndex((m) =>
    ((m.content.data as Record<string, string>)["text/html"] ?? "").includes("plotly.js v4.1.2")
  );
  assert(loader >= 0 && loader < messages.indexOf(figure[0]));
  assertEquals(messages[loader].content.transient, {});
  resetPlotlyInjection();
  Deno.env.delete("PGSUBSPACE_PLOTLY_HTML");
});

Deno.test("LiveDisplay outside a kernel: silent when asked, never throws", async () => {
  const live = new LiveDisplay({ consoleIntervalMs: 0 });
  assertFalse(live.live);
  live.update("x", fig);
  await live.done("y");
});

Deno.test("describeFigure: counts trace types and strips markup", () => {
  assertEquals(
    describeFigure({ data: [{ type: "bar" }, { type: "bar" }, { type: "scatter" }], layout: {} }),
    "Plotly figure: 3 traces (bar ×2, scatter ×1)",
  );
});

Deno.test("showMarkdown: text/markdown in the kernel, nothing printed twice", async () => {
  const { messages, channel } = recorder();
  const bundle = showMarkdown("**holds** in 4 of 4 cases", { channel });
  await flushDisplays();
  assertEquals(messages[0].type, "display_data");
  assertEquals(
    (messages[0].content.data as Record<string, string>)["text/markdown"],
    "**holds** in 4 of 4 cases",
  );
  assertEquals(bundle["text/markdown"], "**holds** in 4 of 4 cases");
});
