// Structure of the shipped notebooks (their execution is `deno task notebooks`, run by CI):
// valid nbformat 4 cells that JupyterLab renders, the Deno kernel, a heading first, and the
// quick-mode switch every notebook must honour.
import { assert, assertEquals } from "@std/assert";

const dir = new URL("../notebooks/", import.meta.url);
const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ipynb"))
  .sort();

Deno.test("notebooks: numbered, valid nbformat 4, Deno kernel, heading first, quick switch", () => {
  assert(names.length >= 6, `expected the six notebooks, found ${names}`);
  names.forEach((name, i) => {
    assert(
      name.startsWith(String(i + 1).padStart(2, "0") + "_"),
      `${name} is not numbered ${i + 1}`,
    );
    const nb = JSON.parse(Deno.readTextFileSync(new URL(name, dir)));
    assertEquals(nb.nbformat, 4, name);
    assertEquals(nb.metadata?.kernelspec?.name, "deno", `${name}: kernel`);
    for (const [j, cell] of nb.cells.entries()) {
      assert(
        ["code", "markdown", "raw"].includes(cell.cell_type),
        `${name} cell ${j}: cell_type "${cell.cell_type}" (JupyterLab shows it as raw text)`,
      );
      if (cell.cell_type === "code") assertEquals(cell.outputs, [], `${name} cell ${j}: outputs`);
    }
    const first = nb.cells[0];
    assert(
      first.cell_type === "markdown" && first.source.join("").startsWith("# "),
      `${name}: the first cell must be a markdown heading`,
    );
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code")
      .map((c: { source: string[] }) => c.source.join("")).join("\n");
    assert(code.includes("PGSUBSPACE_QUICK"), `${name}: no quick-mode switch`);
    assert(code.includes("show("), `${name}: shows no figure`);
  });
});
