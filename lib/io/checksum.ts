/**
 * Checksums for data files (checkpoints, replay buffers, eigen caches): a SHA-256 digest and
 * byte count per binary file, and "sealed" JSON files that carry the digest of their own content.
 * A damaged file is detected on load and named in the error, never used silently:
 *
 * - a binary file shorter than recorded is **truncated** ({@linkcode DataIntegrityError} with
 *   `kind: "truncated"`);
 * - a binary file whose bytes do not hash to the recorded digest (zeroed, overwritten, longer) is
 *   **corrupt** (`kind: "corrupt"`);
 * - a sealed JSON file whose content does not hash to its `checksum` field is corrupt; one that
 *   does not parse at all (cut short, zeroed bytes) is reported by the JSON reader with its path.
 *
 * Files written before checksums existed carry none; they load unverified and the caller is told
 * (`onUnverified`), so old runs keep working.
 *
 * @module
 */
import { readJson, writeFileAtomic } from "./files.ts";

/** Size and SHA-256 of a byte string, as recorded next to the data. */
export interface Digest {
  /** Length in bytes. */
  bytes: number;
  /** SHA-256, lowercase hex. */
  sha256: string;
}

/** What is wrong with a file that failed verification. */
export type IntegrityProblem = "truncated" | "corrupt";

/**
 * A data file failed its checksum: names the file, what is wrong and what to do.
 *
 * @example
 * ```ts
 * import { DataIntegrityError } from "./checksum.ts";
 * const e = new DataIntegrityError("runs/x/agent.bin", "truncated", "has 3 of 8 bytes");
 * e.message; // "runs/x/agent.bin is truncated (has 3 of 8 bytes)"
 * ```
 */
export class DataIntegrityError extends Error {
  /** The damaged file. */
  readonly path: string;
  /** Truncated or corrupt. */
  readonly kind: IntegrityProblem;

  constructor(path: string, kind: IntegrityProblem, detail: string, fix?: string) {
    super(`${path} is ${kind} (${detail})${fix ? `: ${fix}` : ""}`);
    this.name = "DataIntegrityError";
    this.path = path;
    this.kind = kind;
  }
}

/**
 * SHA-256 of bytes or of a string's UTF-8 encoding, lowercase hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./checksum.ts";
 * await sha256Hex("abc"); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The {@linkcode Digest} of bytes.
 *
 * @example
 * ```ts
 * import { digestOf } from "./checksum.ts";
 * const d = await digestOf(new Uint8Array([1, 2, 3])); // { bytes: 3, sha256: "0391…" }
 * ```
 */
export async function digestOf(data: Uint8Array): Promise<Digest> {
  return { bytes: data.byteLength, sha256: await sha256Hex(data) };
}

/**
 * Checks bytes read from `path` against the recorded digest; throws a
 * {@linkcode DataIntegrityError} naming the file (truncated when shorter, corrupt otherwise).
 *
 * @example
 * ```ts
 * import { digestOf, verifyDigest } from "./checksum.ts";
 * const data = new Uint8Array([1, 2, 3]);
 * const recorded = await digestOf(data);
 * await verifyDigest("x.bin", data, recorded); // passes
 * await verifyDigest("x.bin", data.subarray(0, 2), recorded).catch((e) => e.message);
 * // "x.bin is truncated (2 of 3 bytes)"
 * ```
 */
export async function verifyDigest(
  path: string,
  data: Uint8Array,
  expected: Digest,
  fix?: string,
): Promise<void> {
  if (data.byteLength < expected.bytes) {
    throw new DataIntegrityError(
      path,
      "truncated",
      `${data.byteLength} of ${expected.bytes} bytes`,
      fix,
    );
  }
  if (data.byteLength > expected.bytes) {
    throw new DataIntegrityError(
      path,
      "corrupt",
      `${data.byteLength} bytes, ${expected.bytes} recorded`,
      fix,
    );
  }
  const sha256 = await sha256Hex(data);
  if (sha256 !== expected.sha256) {
    throw new DataIntegrityError(path, "corrupt", "SHA-256 checksum mismatch", fix);
  }
}

/** The field of a sealed JSON object that holds its checksum. */
export const CHECKSUM_FIELD = "checksum";

/**
 * The value with a `checksum` field: `sha256:<hex>` of its JSON text without that field. The
 * value is normalised through JSON first, so what is read back hashes to the same digest.
 *
 * @example
 * ```ts
 * import { sealJson } from "./checksum.ts";
 * const sealed = await sealJson({ step: 10 }); // { step: 10, checksum: "sha256:…" }
 * ```
 */
export async function sealJson<T extends object>(value: T): Promise<T & { checksum: string }> {
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  delete plain[CHECKSUM_FIELD];
  const checksum = `sha256:${await sha256Hex(JSON.stringify(plain))}`;
  return { ...plain, [CHECKSUM_FIELD]: checksum } as T & { checksum: string };
}

/**
 * Verifies a parsed sealed JSON object read from `path`: "verified" when its checksum matches,
 * "unsealed" when it has none (an older file); throws a corrupt {@linkcode DataIntegrityError}
 * naming the file on a mismatch.
 *
 * @example
 * ```ts
 * import { sealJson, verifySealedJson } from "./checksum.ts";
 * const sealed = await sealJson({ a: 1 });
 * await verifySealedJson("a.json", sealed); // "verified"
 * await verifySealedJson("a.json", { ...sealed, a: 2 }).catch((e) => e.message);
 * // "a.json is corrupt (SHA-256 checksum mismatch)"
 * ```
 */
export async function verifySealedJson(
  path: string,
  value: unknown,
  fix?: string,
): Promise<"verified" | "unsealed"> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DataIntegrityError(path, "corrupt", "not a JSON object", fix);
  }
  const record = value as Record<string, unknown>;
  const recorded = record[CHECKSUM_FIELD];
  if (recorded === undefined) return "unsealed";
  const rest = { ...record };
  delete rest[CHECKSUM_FIELD];
  const actual = `sha256:${await sha256Hex(JSON.stringify(rest))}`;
  if (recorded !== actual) {
    throw new DataIntegrityError(path, "corrupt", "SHA-256 checksum mismatch", fix);
  }
  return "verified";
}

/**
 * Writes a sealed JSON file atomically (pretty-printed, trailing newline).
 *
 * @example
 * ```ts
 * import { readSealedJson, writeSealedJson } from "./checksum.ts";
 * await writeSealedJson("/tmp/state.json", { step: 3 });
 * const back = await readSealedJson<{ step: number }>("/tmp/state.json");
 * ```
 */
export async function writeSealedJson(path: string, value: object): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(await sealJson(value), null, 2) + "\n");
}

/** Options of {@linkcode readSealedJson}. */
export interface ReadSealedOptions {
  /** Called when the file carries no checksum (written before checksums); default: nothing. */
  onUnverified?: (path: string) => void;
  /** The fix to name in the error (default: none). */
  fix?: string;
}

/**
 * Reads and verifies a sealed JSON file (see {@linkcode verifySealedJson}); the returned value
 * keeps its `checksum` field.
 *
 * @example
 * ```ts
 * import { readSealedJson } from "./checksum.ts";
 * const info = await readSealedJson("/tmp/state.json", {
 *   onUnverified: (p) => console.warn(`${p}: no checksum`),
 * }).catch(() => null);
 * ```
 */
export async function readSealedJson<T = unknown>(
  path: string,
  options: ReadSealedOptions = {},
): Promise<T> {
  const value = await readJson<T>(path);
  const status = await verifySealedJson(path, value, options.fix);
  if (status === "unsealed") options.onUnverified?.(path);
  return value;
}

const noted = new Set<string>();

/**
 * The default note for a file without checksum: one line on stderr per file and process.
 *
 * @example
 * ```ts
 * import { noteUnverified } from "./checksum.ts";
 * noteUnverified("runs/old/checkpoints/step_0000000/agent.json");
 * ```
 */
export function noteUnverified(path: string): void {
  if (noted.has(path)) return;
  noted.add(path);
  console.error(
    `note: ${path} carries no checksum (written before pgsubspace recorded checksums); ` +
      "loaded without verification",
  );
}
