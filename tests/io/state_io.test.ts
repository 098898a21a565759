import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { decodeState, encodeState, loadState, saveState } from "../../lib/io/state_io.ts";

Deno.test("state round trip is bit-exact for every stored typed array and JSON value", async () => {
  const f64 = new Float64Array([Math.PI, -0, 1e-300, Number.MAX_VALUE]);
  const state = {
    step: 12345,
    name: "ppo",
    nested: { theta: new Float32Array([0.1, -2.5, 3e-38]), flags: new Uint8Array([1, 0, 1]) },
    list: [new Int32Array([-7, 8]), f64, { rng: [1, 2, 3, 4] }],
    special: [NaN, Infinity, -Infinity],
    none: null,
  };
  const dir = await Deno.makeTempDir();
  await saveState(`${dir}/agent`, state);
  const back = await loadState(`${dir}/agent`) as typeof state;
  assertEquals(back.step, 12345);
  assertEquals(back.name, "ppo");
  assert(back.nested.theta instanceof Float32Array);
  assertEquals(Array.from(back.nested.theta), Array.from(state.nested.theta));
  assertEquals(Array.from(back.nested.flags), [1, 0, 1]);
  assertEquals(Array.from(back.list[0] as Int32Array), [-7, 8]);
  const f = back.list[1] as Float64Array;
  assert(f instanceof Float64Array);
  for (let i = 0; i < f64.length; i++) assert(Object.is(f[i], f64[i]), `f64[${i}]`);
  assertEquals(back.list[2], { rng: [1, 2, 3, 4] });
  assert(Number.isNaN(back.special[0]));
  assertEquals(back.special.slice(1), [Infinity, -Infinity]);
  assertEquals(back.none, null);
  // Views into larger buffers store only their own bytes.
  const big = new Float32Array([9, 8, 7, 6]);
  const { json, blob } = encodeState({ v: big.subarray(1, 3) });
  assertEquals(Array.from((decodeState(json, blob) as { v: Float32Array }).v), [8, 7]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad states and damaged files give clear errors", async () => {
  assertThrows(() => encodeState({ f: () => 1 }), TypeError, "state.f");
  assertThrows(() => decodeState({ format: "other" }, new Uint8Array()), Error, "Unknown state");
  const dir = await Deno.makeTempDir();
  await saveState(`${dir}/s`, { v: new Float64Array(8) });
  await Deno.writeFile(`${dir}/s.bin`, new Uint8Array(3));
  await assertRejects(() => loadState(`${dir}/s`), Error, "truncated");
  await assertRejects(() => loadState(`${dir}/missing`), Error, "File not found");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("damaged state files are named; states written before checksums load with a note", async () => {
  const dir = await Deno.makeTempDir();
  const state = { step: 7, theta: Float32Array.from({ length: 64 }, (_, i) => i / 3) };
  await saveState(`${dir}/s`, state);
  const good = await Deno.readFile(`${dir}/s.bin`);
  // Zeroed bytes in the blob: detected, never decoded into wrong numbers.
  const zeroed = good.slice();
  zeroed.fill(0, 16, 48);
  await Deno.writeFile(`${dir}/s.bin`, zeroed);
  await assertRejects(
    () => loadState(`${dir}/s`, { fix: "delete the checkpoint" }),
    Error,
    `${dir}/s.bin is corrupt (SHA-256 checksum mismatch): delete the checkpoint`,
  );
  await Deno.writeFile(`${dir}/s.bin`, good.subarray(0, 100));
  await assertRejects(
    () => loadState(`${dir}/s`),
    Error,
    `${dir}/s.bin is truncated (100 of 256 bytes)`,
  );
  await Deno.remove(`${dir}/s.bin`);
  await assertRejects(() => loadState(`${dir}/s`), Error, `File not found: ${dir}/s.bin`);
  await Deno.writeFile(`${dir}/s.bin`, good);
  // A JSON edit that stays valid JSON is caught by the .json's own checksum.
  const text = await Deno.readTextFile(`${dir}/s.json`);
  await Deno.writeTextFile(`${dir}/s.json`, text.replace('"step": 7', '"step": 8'));
  await assertRejects(() => loadState(`${dir}/s`), Error, `${dir}/s.json is corrupt`);
  // Format 1 (no checksums): loads, and the caller is told.
  const { json, blob } = encodeState(state);
  await Deno.writeTextFile(
    `${dir}/old.json`,
    JSON.stringify({ ...(json as object), format: "pgsubspace-state/1" }),
  );
  await Deno.writeFile(`${dir}/old.bin`, blob);
  const notes: string[] = [];
  const old = await loadState(`${dir}/old`, { onUnverified: (p) => notes.push(p) }) as typeof state;
  assertEquals(Array.from(old.theta), Array.from(state.theta));
  assertEquals(notes, [`${dir}/old.json`]);
  await Deno.remove(dir, { recursive: true });
});
