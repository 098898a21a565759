/**
 * Saving and loading nested state objects (agent, optimiser, environment, normaliser states)
 * that mix JSON values with typed arrays, as two files: `<name>.json` (the structure, with each
 * typed array replaced by a reference into the blob) and `<name>.bin` (the arrays' bytes,
 * little-endian, each aligned to 8 bytes). Bit-exact for float32/float64, so a resumed run
 * continues exactly.
 *
 * Integrity (format `pgsubspace-state/2`): the `.json` records the byte count and SHA-256 of the
 * `.bin` and is itself sealed (checksum.ts), so a truncated or corrupted file is reported with
 * its path on load instead of being decoded into wrong numbers. Files of format
 * `pgsubspace-state/1` (no checksums) still load, unverified, with a note (`onUnverified`).
 *
 * @module
 */
import { exists, readJson, writeFileAtomic } from "./files.ts";
import {
  DataIntegrityError,
  type Digest,
  digestOf,
  noteUnverified,
  sealJson,
  verifyDigest,
  verifySealedJson,
} from "./checksum.ts";

/** Typed arrays that the blob format stores. */
export type StoredTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array;

const CONSTRUCTORS = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
  Int8Array,
  Int16Array,
  Uint16Array,
} as const;
type TypedName = keyof typeof CONSTRUCTORS;

interface BlobRef {
  $typed: TypedName;
  offset: number;
  length: number;
}

const FORMAT = "pgsubspace-state/2";
/** The format before checksums: readable, not verifiable. */
const FORMAT_V1 = "pgsubspace-state/1";

/**
 * Encodes a state into a JSON-safe structure plus one byte blob.
 *
 * @example
 * ```ts
 * import { decodeState, encodeState } from "./state_io.ts";
 * const { json, blob } = encodeState({ step: 3, theta: new Float32Array([1, 2]) });
 * const back = decodeState(json, blob) as { theta: Float32Array };
 * ```
 */
export function encodeState(state: unknown): { json: unknown; blob: Uint8Array } {
  const arrays: { bytes: Uint8Array; offset: number }[] = [];
  let size = 0;
  const walk = (v: unknown, path: string): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as TypedName;
      if (!(name in CONSTRUCTORS)) throw new TypeError(`Cannot store ${name} at ${path}`);
      const offset = Math.ceil(size / 8) * 8; // 8-byte alignment lets Float64Array view the blob
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      arrays.push({ bytes, offset });
      size = offset + bytes.byteLength;
      const ref: BlobRef = { $typed: name, offset, length: (v as StoredTypedArray).length };
      return ref;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}.${k}`);
      return out;
    }
    if (typeof v === "number" && !Number.isFinite(v)) {
      return { $number: String(v) }; // JSON has no NaN/Infinity
    }
    if (v === undefined || typeof v === "function" || typeof v === "symbol") {
      throw new TypeError(`Cannot store ${typeof v} at ${path}`);
    }
    return v;
  };
  const json = walk(state, "state");
  const blob = new Uint8Array(size);
  for (const { bytes, offset } of arrays) blob.set(bytes, offset);
  return { json: { format: FORMAT, state: json }, blob };
}

/**
 * Inverse of {@linkcode encodeState}; typed arrays are fresh copies.
 *
 * @example
 * ```ts
 * import { decodeState, encodeState } from "./state_io.ts";
 * const { json, blob } = encodeState({ v: new Float64Array([0.1]) });
 * console.log(decodeState(json, blob));
 * ```
 */
export function decodeState(json: unknown, blob: Uint8Array): unknown {
  const wrapper = json as { format?: string; state?: unknown };
  if (wrapper?.format !== FORMAT && wrapper?.format !== FORMAT_V1) {
    throw new Error(`Unknown state format ${JSON.stringify(wrapper?.format)}; expected ${FORMAT}`);
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.$typed === "string") {
        const ref = o as unknown as BlobRef;
        const C = CONSTRUCTORS[ref.$typed];
        if (!C) throw new Error(`Unknown typed array ${ref.$typed} in state`);
        const bytes = ref.length * C.BYTES_PER_ELEMENT;
        if (ref.offset + bytes > blob.byteLength) {
          throw new Error("State blob is truncated (the .bin file does not match the .json file)");
        }
        const copy = blob.slice(ref.offset, ref.offset + bytes);
        return new C(copy.buffer, 0, ref.length);
      }
      if (typeof o.$number === "string" && Object.keys(o).length === 1) return Number(o.$number);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(wrapper.state);
}

/**
 * Saves a state as `<base>.json` + `<base>.bin`, each written atomically (the .bin first, so a
 * .json on disk always has its blob). The .json carries the blob's size and SHA-256 and its own
 * checksum.
 *
 * @example
 * ```ts
 * import { loadState, saveState } from "./state_io.ts";
 * await saveState("/tmp/agent", { theta: new Float32Array(4) });
 * const s = await loadState("/tmp/agent");
 * ```
 */
export async function saveState(base: string, state: unknown): Promise<void> {
  const { json, blob } = encodeState(state);
  const sealed = await sealJson({ ...(json as object), blob: await digestOf(blob) });
  await writeFileAtomic(`${base}.bin`, blob);
  await writeFileAtomic(`${base}.json`, JSON.stringify(sealed, null, 2) + "\n");
}

/** Options of {@linkcode loadState}. */
export interface LoadStateOptions {
  /**
   * Called with the .json path when the files carry no checksum (format 1); default: a note on
   * stderr once per file.
   */
  onUnverified?: (path: string) => void;
  /** What the reader should do about a damaged file (appended to the error). */
  fix?: string;
}

/**
 * Loads a state saved by {@linkcode saveState}, verifying both files: a missing, truncated or
 * corrupt `.json`/`.bin` throws an error that names the file (see the module doc).
 *
 * @example
 * ```ts
 * import { loadState } from "./state_io.ts";
 * const state = await loadState("/tmp/agent").catch(() => null);
 * ```
 */
export async function loadState(base: string, options: LoadStateOptions = {}): Promise<unknown> {
  const jsonPath = `${base}.json`, binPath = `${base}.bin`;
  const json = await readJson<{ format?: string; blob?: Digest }>(jsonPath);
  if (!(await exists(binPath))) {
    throw new Error(`File not found: ${binPath} (the data file of ${jsonPath})`);
  }
  const blob = await Deno.readFile(binPath);
  if (json?.format === FORMAT_V1) {
    (options.onUnverified ?? noteUnverified)(jsonPath);
  } else {
    const sealed = await verifySealedJson(jsonPath, json, options.fix);
    if (sealed === "unsealed" || !json.blob) {
      throw new DataIntegrityError(jsonPath, "corrupt", "its checksum fields are missing");
    }
    await verifyDigest(binPath, blob, json.blob, options.fix);
  }
  return decodeState(json, blob);
}
