import { assertEquals, assertRejects } from "@std/assert";
import {
  DataIntegrityError,
  digestOf,
  readSealedJson,
  sealJson,
  sha256Hex,
  verifyDigest,
  verifySealedJson,
  writeSealedJson,
} from "../../lib/io/checksum.ts";

Deno.test("sha256Hex matches the FIPS 180-2 test vectors", async () => {
  assertEquals(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(
    await sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("verifyDigest: truncated, longer and zeroed data are reported with the file", async () => {
  const data = new Uint8Array(64).map((_, i) => i + 1);
  const recorded = await digestOf(data);
  await verifyDigest("a.bin", data, recorded);
  const short = await assertRejects(
    () => verifyDigest("a.bin", data.subarray(0, 40), recorded),
    DataIntegrityError,
    "a.bin is truncated (40 of 64 bytes)",
  );
  assertEquals(short.kind, "truncated");
  const zeroed = data.slice();
  zeroed.fill(0, 10, 20);
  const bad = await assertRejects(
    () => verifyDigest("a.bin", zeroed, recorded, "delete it"),
    DataIntegrityError,
    "a.bin is corrupt (SHA-256 checksum mismatch): delete it",
  );
  assertEquals(bad.path, "a.bin");
  const longer = new Uint8Array(65);
  longer.set(data);
  await assertRejects(() => verifyDigest("a.bin", longer, recorded), DataIntegrityError, "corrupt");
});

Deno.test("sealed JSON: verified after a round trip through disk, changed content is corrupt", async () => {
  const dir = await Deno.makeTempDir();
  const value = {
    step: 10,
    x: 0.1,
    nested: { list: [1, -0, 1e-300], s: "é\u2028" },
    gone: undefined,
  };
  await writeSealedJson(`${dir}/a.json`, value);
  const back = await readSealedJson<{ step: number; checksum: string }>(`${dir}/a.json`);
  assertEquals(back.step, 10);
  // An edit that keeps the JSON valid changes the checksum.
  const text = await Deno.readTextFile(`${dir}/a.json`);
  await Deno.writeTextFile(`${dir}/a.json`, text.replace('"step": 10', '"step": 11'));
  await assertRejects(
    () => readSealedJson(`${dir}/a.json`),
    DataIntegrityError,
    `${dir}/a.json is corrupt`,
  );
  // Zeroed bytes make it unparseable: the JSON reader names the file.
  const bytes = new TextEncoder().encode(text);
  bytes.fill(0, 5, 12);
  await Deno.writeFile(`${dir}/a.json`, bytes);
  await assertRejects(
    () => readSealedJson(`${dir}/a.json`),
    Error,
    `Malformed JSON in ${dir}/a.json`,
  );
  // A file without a checksum (older) is read, and the caller is told.
  await Deno.writeTextFile(`${dir}/old.json`, '{"step": 1}');
  const unverified: string[] = [];
  await readSealedJson(`${dir}/old.json`, { onUnverified: (p) => unverified.push(p) });
  assertEquals(unverified, [`${dir}/old.json`]);
  assertEquals(await verifySealedJson("x", await sealJson({ a: [1, 2] })), "verified");
  await Deno.remove(dir, { recursive: true });
});
