import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  exists,
  readJson,
  readJsonl,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../lib/io/files.ts";

Deno.test("atomic writes replace the file and leave no temporary files behind", async () => {
  const dir = await Deno.makeTempDir();
  await writeJsonAtomic(`${dir}/a.json`, { v: 1 });
  await writeJsonAtomic(`${dir}/a.json`, { v: 2 });
  assertEquals(await readJson(`${dir}/a.json`), { v: 2 });
  await writeFileAtomic(`${dir}/b.bin`, new Uint8Array([1, 2, 3]));
  assertEquals(Array.from(await Deno.readFile(`${dir}/b.bin`)), [1, 2, 3]);
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(names, ["a.json", "b.bin"]);
  // A failed write (target directory missing) keeps nothing half-written.
  await assertRejects(() => writeFileAtomic(`${dir}/missing/c.txt`, "x"));
  assert(!(await exists(`${dir}/missing`)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("JSON readers name the file and line of malformed input", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/m.jsonl`, '{"step":1}\n\n{"step":2}\n{oops\n');
  await assertRejects(() => readJsonl(`${dir}/m.jsonl`), Error, "line 4");
  await Deno.writeTextFile(`${dir}/m.jsonl`, '{"step":1}\n\n{"step":2}\n');
  assertEquals(await readJsonl(`${dir}/m.jsonl`), [{ step: 1 }, { step: 2 }]);
  await Deno.writeTextFile(`${dir}/bad.json`, "{");
  await assertRejects(() => readJson(`${dir}/bad.json`), Error, "bad.json");
  await Deno.remove(dir, { recursive: true });
});
