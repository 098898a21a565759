import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  checkNotebookFigures,
  notebookSetupProblem,
  runNotebooks,
} from "../../tools/run_notebooks.ts";

const FIXTURES = new URL("./fixtures/notebooks/", import.meta.url).pathname;

Deno.test("checkNotebookFigures: show( without a plotly output, or with empty data, is reported", () => {
  const plotly = (y: unknown[]) => ({
    output_type: "display_data",
    data: { "application/vnd.plotly.v1+json": { data: [{ type: "scatter", y }], layout: {} } },
  });
  const problems = checkNotebookFigures({
    cells: [
      { cell_type: "markdown", source: "show(fig) in prose is fine" },
      { cell_type: "code", source: ["const a = 1;\n", "show(fig);"], outputs: [] },
      { cell_type: "code", source: "// show(fig) is commented out\nconst b = 2;", outputs: [] },
      { cell_type: "code", source: "show(fig)", outputs: [plotly([null, null])] },
      { cell_type: "code", source: "show(fig)", outputs: [plotly([1, 2])] },
      { cell_type: "code", source: "live.show(x)", outputs: [] },
    ],
  });
  assertEquals(problems, [
    "cell 1 calls show( but produced no application/vnd.plotly.v1+json output",
    "cell 3, figure 0: trace 0 (scatter): y holds no finite number",
  ]);
});

const setup = await notebookSetupProblem();
if (setup) console.warn(`notebook_runner.test.ts: skipping the kernel run: ${setup}`);

Deno.test({
  name: "runNotebooks: scratch notebook runs headless, late outputs routed; failures named",
  ignore: setup !== null,
  async fn() {
    const outDir = await Deno.makeTempDir({ prefix: "pgsubspace-nb-test-" });
    try {
      const result = await runNotebooks({
        notebooks: [`${FIXTURES}scratch.ipynb`, `${FIXTURES}failing.ipynb`],
        outDir,
        html: true,
        timeoutSeconds: 60,
        log: () => {},
      });
      assertEquals(result.ok, false);
      assertEquals(result.failures.length, 1, result.failures.join("\n"));
      const failure = result.failures[0];
      assertStringIncludes(failure, "failing.ipynb, cell 2");
      assertStringIncludes(failure, "RangeError: deliberate failure in the fixture");

      const nb = JSON.parse(await Deno.readTextFile(`${outDir}/scratch.ipynb`));
      const outputs = (i: number) => nb.cells[i].outputs as Record<string, unknown>[];
      const text = (i: number) =>
        outputs(i).map((o) => {
          const t = o.text ?? (o.data as Record<string, unknown> | undefined)?.["text/plain"] ?? "";
          return Array.isArray(t) ? t.join("") : String(t);
        }).join("|");
      assertEquals(text(1), "quick mode: 1\n", "PGSUBSPACE_QUICK=1 reaches the kernel");
      const plotlyCount = (i: number) =>
        outputs(i).filter((o) => "application/vnd.plotly.v1+json" in ((o.data as object) ?? {}))
          .length;
      assertEquals(plotlyCount(2), 1);
      assertEquals(outputs(2).length, 1, "show() as last expression adds no execute_result");
      assertEquals(plotlyCount(3), 2);
      assertStringIncludes(text(3), '"two figures shown"');
      assertStringIncludes(text(4), "finished 3/3"); // update_display_data applied in place
      assertEquals(plotlyCount(4), 1);
      assertStringIncludes(text(5), "late output", "output after idle kept in its cell");
      assertEquals(checkNotebookFigures(nb), []);

      const failing = JSON.parse(await Deno.readTextFile(`${outDir}/failing.ipynb`));
      assertEquals(failing.cells[3].outputs, [], "cells after the error do not run");

      assert(result.htmlFiles.some((f) => f.endsWith("scratch.html")));
      const html = await Deno.readTextFile(`${outDir}/scratch.html`);
      assertStringIncludes(html, "Plotly.newPlot");
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
