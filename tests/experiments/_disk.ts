// Test helper: a snapshot of every file under a directory (path → SHA-256), to assert that a
// rejected operation changed nothing on disk.
import { sha256Hex } from "../../lib/io/checksum.ts";

/** Relative path → SHA-256 of every file under `dir` (directories listed with "dir"). */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        out[path] = "dir";
        await walk(path);
      } else out[path] = await sha256Hex(await Deno.readFile(`${dir}/${path}`));
    }
  };
  await walk("");
  return out;
}
