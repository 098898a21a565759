import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  chromiumFlags,
  exportStaticImage,
  findChromium,
  renderReportHtml,
  requireChromium,
  screenshotHtml,
} from "../../lib/plot/mod.ts";
import { sampleFigures } from "./fixtures/sample_figures.ts";

const chromium = findChromium();
if (chromium === null) {
  console.warn(
    "static_export.test.ts: Chromium not installed (apt-get install chromium); skipping renders",
  );
}

Deno.test("requireChromium: names the install command when Chromium is missing", () => {
  const previous = Deno.env.get("PGSUBSPACE_CHROMIUM");
  Deno.env.set("PGSUBSPACE_CHROMIUM", "/nonexistent/chromium");
  try {
    assertEquals(findChromium(), null);
    assertThrows(() => requireChromium(), Error, "apt-get install chromium");
  } finally {
    if (previous === undefined) Deno.env.delete("PGSUBSPACE_CHROMIUM");
    else Deno.env.set("PGSUBSPACE_CHROMIUM", previous);
  }
  const flags = chromiumFlags("/tmp/p");
  for (
    const f of ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
  ) {
    assert(flags.includes(f), f);
  }
  assert(flags.includes("--user-data-dir=/tmp/p"));
});

Deno.test({
  name: "exportStaticImage: SVG of a Plotly figure via headless Chromium",
  ignore: chromium === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pgsubspace-export-test-" });
    try {
      const path = `${dir}/bars.svg`;
      await exportStaticImage(sampleFigures().fractionBars, path, { width: 800, height: 400 });
      const svg = await Deno.readTextFile(path);
      assert(svg.startsWith("<svg"), svg.slice(0, 80));
      assertStringIncludes(svg, 'width="800"');
      assertStringIncludes(svg, "PPO · Pendulum"); // the category label was drawn
      await assertRejects(
        () => exportStaticImage(sampleFigures().overlap, `${dir}/x.pdf`),
        RangeError,
        ".svg or .png",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "screenshotHtml: PNG of a report page",
  ignore: chromium === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pgsubspace-shot-test-" });
    try {
      await Deno.writeTextFile(
        `${dir}/r.html`,
        renderReportHtml({ title: "shot", blocks: [{ figure: sampleFigures().overlap }] }),
      );
      await screenshotHtml(`${dir}/r.html`, `${dir}/r.png`, { width: 800, height: 600 });
      const png = await Deno.readFile(`${dir}/r.png`);
      assertEquals([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      // IHDR width/height (big-endian at bytes 16–23).
      const view = new DataView(png.buffer, png.byteOffset);
      assertEquals([view.getUint32(16), view.getUint32(20)], [800, 600]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
