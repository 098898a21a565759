import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { LayoutBuilder, ParamLayout } from "../../lib/compute/layout.ts";

function sampleLayout(): ParamLayout {
  return new LayoutBuilder()
    .add("a.weight", [3, 2])
    .add("a.bias", [2])
    .add("alpha", [])
    .add("log_std", [4])
    .build();
}

Deno.test("ParamLayout: offsets tile the vector in insertion order", () => {
  const layout = sampleLayout();
  // Hand-computed: 6 + 2 + 1 + 4.
  assertEquals(layout.size, 13);
  assertEquals(layout.names(), ["a.weight", "a.bias", "alpha", "log_std"]);
  assertEquals(
    layout.blocks.map((b) => [b.offset, b.size]),
    [[0, 6], [6, 2], [8, 1], [9, 4]],
  );
  assertEquals(layout.block("alpha").shape, []);
  assert(layout.has("log_std") && !layout.has("log_std2"));
  assertEquals(layout.blocksWithPrefix("a.").map((b) => b.name), ["a.weight", "a.bias"]);
});

Deno.test("ParamLayout: view shares memory with the flat vector", () => {
  const layout = sampleLayout();
  const theta = layout.zeros();
  layout.view(theta, "log_std").fill(-2);
  layout.view(theta, "a.bias")[1] = 5;
  assertEquals(Array.from(theta), [0, 0, 0, 0, 0, 0, 0, 5, 0, -2, -2, -2, -2]);
  const f64 = new Float64Array(13);
  const v = layout.view(f64, "alpha");
  assert(v instanceof Float64Array);
  v[0] = 1.5;
  assertEquals(f64[8], 1.5);
});

Deno.test("ParamLayout: flatten and unflatten round-trip", () => {
  const layout = sampleLayout();
  const values = {
    "a.weight": [1, 2, 3, 4, 5, 6],
    "a.bias": [7, 8],
    "alpha": [9],
    "log_std": [10, 11, 12, 13],
  };
  const flat = layout.flatten(values);
  assertEquals(Array.from(flat), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  const back = layout.unflatten(flat);
  for (const [name, v] of Object.entries(values)) assertEquals(Array.from(back[name]), v);
  assertEquals(Object.keys(back), layout.names());
  // unflatten copies
  back["alpha"][0] = -1;
  assertEquals(flat[8], 9);
  assertEquals(Array.from(layout.flatten(back)).slice(0, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
});

Deno.test("ParamLayout: clear errors for bad layouts and mismatched vectors", () => {
  assertThrows(
    () => new LayoutBuilder().add("x", [2]).add("x", [3]).build(),
    Error,
    'duplicate block name "x"',
  );
  assertThrows(() => new ParamLayout([{ name: "w", shape: [2, 1.5] }]), Error, "non-negative");
  assertThrows(() => new ParamLayout([{ name: "", shape: [2] }]), Error, "non-empty name");
  const layout = sampleLayout();
  assertThrows(() => layout.block("nope"), Error, "available: a.weight, a.bias, alpha, log_std");
  assertThrows(() => layout.view(new Float32Array(12), "alpha"), Error, "length 12");
  assertThrows(() => layout.unflatten(new Float32Array(14)), Error, "13 parameters");
  assertThrows(
    () => layout.flatten({ "a.weight": [1, 2, 3, 4, 5, 6], "a.bias": [1, 2], alpha: [1] }),
    Error,
    'missing block "log_std"',
  );
  assertThrows(
    () =>
      layout.flatten({
        "a.weight": [1, 2, 3],
        "a.bias": [1, 2],
        alpha: [1],
        log_std: [1, 2, 3, 4],
      }),
    Error,
    "size 6",
  );
  assertThrows(
    () =>
      layout.flatten({
        "a.weight": [1, 2, 3, 4, 5, 6],
        "a.bias": [1, 2],
        alpha: [1],
        log_std: [1, 2, 3, 4],
        logstd: [0],
      }),
    Error,
    'no block "logstd"',
  );
});

Deno.test("ParamLayout: describe lists every block and the total", () => {
  const text = sampleLayout().describe();
  const lines = text.split("\n");
  assertEquals(lines.length, 2 + 4 + 1);
  assertStrictEquals(lines[3], "| 1 | a.bias | [2] | 6 | 2 |");
  assertStrictEquals(lines[4], "| 2 | alpha | [] | 8 | 1 |");
  assertStrictEquals(lines[6], "| | total | | | 13 |");
});

Deno.test("ParamLayout: blocks are immutable", () => {
  const layout = sampleLayout();
  assertThrows(() => {
    (layout.blocks[0] as { offset: number }).offset = 3;
  }, TypeError);
  assertThrows(() => {
    (layout.block("a.weight").shape as number[]).push(1);
  }, TypeError);
});
