// The shipped notebooks: generated from notebooks/src/ (CI fails when a committed notebook differs
// from its source), valid nbformat 4 with the Deno kernel, a heading first, instructions to change
// the experiment, figures, and code that type-checks against lib/ (their execution is
// `deno task notebooks`, run by CI).
import { assert, assertEquals } from "@std/assert";
import { notebookCells, parseSnippets, staleNotebooks } from "../tools/notebooks_generate.ts";

const dir = new URL("../notebooks/", import.meta.url);
const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ipynb"))
  .sort();

Deno.test("notebooks: the committed notebooks equal the ones generated from notebooks/src/", async () => {
  const stale = await staleNotebooks(new URL(".", dir).pathname.replace(/\/$/, ""));
  assertEquals(stale, [], "run `deno task notebooks:generate` and commit the result");
});

Deno.test("notebooks: numbered, nbformat 4, Deno kernel, heading first, how to change, figures", () => {
  assert(names.length >= 7, `expected the seven notebooks, found ${names}`);
  names.forEach((name, i) => {
    assert(
      name.startsWith(String(i + 1).padStart(2, "0") + "_"),
      `${name} is not numbered ${i + 1}`,
    );
    const nb = JSON.parse(Deno.readTextFileSync(new URL(name, dir)));
    assertEquals(nb.nbformat, 4, name);
    assertEquals(nb.metadata?.kernelspec?.name, "deno", `${name}: kernel`);
    for (const [j, cell] of nb.cells.entries()) {
      assert(["code", "markdown"].includes(cell.cell_type), `${name} cell ${j}: ${cell.cell_type}`);
      if (cell.cell_type === "code") assertEquals(cell.outputs, [], `${name} cell ${j}: outputs`);
    }
    assert(nb.cells[0].cell_type === "markdown" && nb.cells[0].source.join("").startsWith("# "));
    const text = (type: string) =>
      nb.cells.filter((c: { cell_type: string }) => c.cell_type === type)
        .map((c: { source: string[] }) => c.source.join("")).join("\n");
    assert(text("markdown").includes("To change"), `${name}: does not say how to change it`);
    assert(text("code").includes("notebookContext("), `${name}: no quick-mode switch`);
    assert(text("code").includes("show("), `${name}: shows no figure`);
  });
});

Deno.test("notebook generator: cells, includes, splits and errors", () => {
  const snippets = parseSnippets(
    "<!-- snippet: s -->\nShared text.\n\n```ts\nconst s = 1;\n```\n<!-- end snippet -->\n",
  );
  const cells = notebookCells(
    "# T\n\nIntro.\n<!-- cell -->\nMore.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n```\n<!-- include: s -->\n",
    snippets,
    "t.md",
  );
  assertEquals(cells.map((c) => [c.cell_type, c.source.join("")]), [
    ["markdown", "# T\n\nIntro."],
    ["markdown", "More."],
    ["code", "const a = 1;\n\nconst b = 2;"],
    ["markdown", "Shared text."],
    ["code", "const s = 1;"],
  ]);
  assertEquals(cells.map((c) => c.id), ["c00", "c01", "c02", "c03", "c04"]);
  let message = "";
  try {
    notebookCells("<!-- include: nope -->", snippets, "t.md");
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, 't.md: unknown snippet "nope" (defined: s)');
});

Deno.test("notebooks: every notebook's code type-checks against lib/", async () => {
  // One level below the repository (like notebooks/, so "../lib/" resolves) and outside the
  // folders deno.json excludes from checking.
  const out = new URL(`../.nbcheck-${Deno.pid}/`, import.meta.url).pathname;
  await Deno.mkdir(out, { recursive: true });
  try {
    const files: string[] = [];
    for (const name of names) {
      const nb = JSON.parse(Deno.readTextFileSync(new URL(name, dir)));
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code")
        .map((c: { source: string[] }) => c.source.join("")).join("\n\n");
      // The kernel evaluates a cell's last expression; as a module that is a statement.
      const file = `${out}nbcheck_${name.replace(/\.ipynb$/, ".ts")}`;
      await Deno.writeTextFile(
        file,
        `// generated from notebooks/${name} by tests/notebooks.test.ts\n${code}\nexport {};\n`,
      );
      files.push(file);
    }
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", ...files],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(result.stderr);
    assert(result.success, `notebook code does not type-check:\n${text.slice(0, 3000)}`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
