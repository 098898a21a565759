/**
 * Crash-safe file output: every file is written to a temporary name in the same directory and
 * renamed into place, so a killed process never leaves a half-written checkpoint, metrics file or
 * report behind, and nothing already written is lost; JSON readers that name the file they fail
 * on. The lowest layer of file handling (no imports from the rest of lib/).
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically (temporary file in the same directory, then rename).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./files.ts";
 * await writeFileAtomic("/tmp/example.json", JSON.stringify({ ok: true }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Writes a JSON value atomically, pretty-printed with a trailing newline.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "./files.ts";
 * await writeJsonAtomic("/tmp/run.json", { seed: 0 });
 * ```
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** A text file's content, with "File not found: <path>" when it is missing. */
async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`File not found: ${path}`);
    throw e;
  }
}

/**
 * Reads a JSON file, with an error that names the file when it is missing or malformed.
 *
 * @example
 * ```ts
 * import { readJson, writeJsonAtomic } from "./files.ts";
 * await writeJsonAtomic("/tmp/x.json", { a: 1 });
 * const x = await readJson<{ a: number }>("/tmp/x.json");
 * ```
 */
export async function readJson<T = unknown>(path: string): Promise<T> {
  const text = await readText(path);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(
      `Malformed JSON in ${path} (the file is damaged or was cut short): ${(e as Error).message}`,
    );
  }
}

/**
 * Reads a JSON-lines file into rows (empty lines skipped; a malformed line names file and line).
 *
 * @example
 * ```ts
 * import { readJsonl } from "./files.ts";
 * await Deno.writeTextFile("/tmp/m.jsonl", '{"step":1}\n{"step":2}\n');
 * const rows = await readJsonl("/tmp/m.jsonl"); // [{step: 1}, {step: 2}]
 * ```
 */
export async function readJsonl<T = Record<string, unknown>>(path: string): Promise<T[]> {
  const text = await readText(path);
  const rows: T[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      rows.push(JSON.parse(line) as T);
    } catch (e) {
      throw new Error(`Malformed JSON on line ${i + 1} of ${path}: ${(e as Error).message}`);
    }
  });
  return rows;
}

/**
 * True when `path` exists (file or directory).
 *
 * @example
 * ```ts
 * import { exists } from "./files.ts";
 * console.log(await exists("/tmp"));
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
