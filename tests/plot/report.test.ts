import { assert, assertEquals, assertFalse, assertStringIncludes } from "@std/assert";
import {
  markdownInline,
  markdownToHtml,
  plotlyPath,
  renderReportHtml,
  writeReport,
} from "../../lib/plot/mod.ts";
import { sampleFigures } from "./fixtures/sample_figures.ts";

Deno.test("markdownToHtml: escapes HTML, formats the subset", () => {
  assertEquals(markdownInline("<b>&"), "&lt;b&gt;&amp;");
  assertEquals(
    markdownInline("**bold** and *it* and _it2_ and `a<b`"),
    "<strong>bold</strong> and <em>it</em> and <em>it2</em> and <code>a&lt;b</code>",
  );
  assertEquals(markdownInline("snake_case_name stays"), "snake_case_name stays");
  assertEquals(
    markdownInline("[docs](https://x.org/a?b=1&c=2)"),
    '<a href="https://x.org/a?b=1&amp;c=2">docs</a>',
  );
  assertEquals(markdownInline("[x](javascript:alert(1))"), "[x](javascript:alert(1))");
  const html = markdownToHtml(
    [
      "# Title <script>",
      "",
      "Para line one",
      "line two.",
      "",
      "- a",
      "- **b**",
      "",
      "1. one",
      "2. two",
      "",
      "| k | S_frac |",
      "|---|--:|",
      "| 1 | 0.5 |",
      "| 100 | <0.9> |",
      "",
      "```ts",
      'const s = "</script>";',
      "```",
    ].join("\n"),
  );
  assertEquals(
    html,
    [
      "<h1>Title &lt;script&gt;</h1>",
      "<p>Para line one line two.</p>",
      "<ul><li>a</li><li><strong>b</strong></li></ul>",
      "<ol><li>one</li><li>two</li></ol>",
      '<table><thead><tr><th>k</th><th style="text-align:right">S_frac</th></tr></thead>' +
      '<tbody><tr><td>1</td><td style="text-align:right">0.5</td></tr>' +
      '<tr><td>100</td><td style="text-align:right">&lt;0.9&gt;</td></tr></tbody></table>',
      '<pre><code class="language-ts">const s = &quot;&lt;/script&gt;&quot;;</code></pre>',
    ].join("\n"),
  );
});

Deno.test("writeReport: one file, plotly.js inlined, one div per figure, atomic", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pgsubspace-report-test-" });
  try {
    const figs = sampleFigures();
    const path = `${dir}/report.html`;
    await writeReport(path, {
      title: "Test <report>",
      blocks: [
        { markdown: "Intro with <img src=x onerror=alert(1)>." },
        { figure: figs.overlap, caption: "**Fig. 3**" },
        { figure: figs.fractionBars },
      ],
    });
    const html = await Deno.readTextFile(path);
    const plotly = await Deno.readTextFile(plotlyPath());
    // The bundle's own text is inlined (first and last 200 characters of plotly.min.js).
    assertStringIncludes(html, plotly.slice(0, 200));
    assertStringIncludes(html, plotly.slice(-200));
    assertEquals(html.match(/class="pgsubspace-figure"/g)?.length, 2);
    assertStringIncludes(html, 'id="figure-1"');
    assertStringIncludes(html, "<figcaption><strong>Fig. 3</strong></figcaption>");
    assertStringIncludes(html, "<title>Test &lt;report&gt;</title>");
    assertStringIncludes(html, "&lt;img src=x onerror=alert(1)&gt;");
    assertFalse(html.includes("<img"));
    assertFalse(/src="https?:/.test(html), "no network resources");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["report.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderReportHtml: linked plotly.js instead of inlined", () => {
  const html = renderReportHtml(
    { title: "t", blocks: [{ figure: { data: [{ type: "bar", y: [1] }], layout: {} } }] },
    { plotly: { src: "../plotly.min.js" } },
  );
  assertStringIncludes(html, '<script type="text/javascript" src="../plotly.min.js"></script>');
  assert(html.length < 20_000);
});

Deno.test("markdown: block quotes hold formatted Markdown (the report's caveat box)", () => {
  const html = markdownToHtml(
    "> **Reduced scale.** Read this.\n>\n> | a | b |\n> |---|---|\n> | 1 | 2 |\n\nAfter.",
  );
  assertEquals(
    html,
    "<blockquote><p><strong>Reduced scale.</strong> Read this.</p>\n<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table></blockquote>\n<p>After.</p>",
  );
});
