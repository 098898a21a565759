/**
 * numpy's `.npy` format (version 1.0, C order), so that any array of an analysis can be checked
 * in Python with `np.load`. Layout: the magic `\x93NUMPY`, version bytes 1, 0, a little-endian
 * uint16 header length, an ASCII header `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
 * padded with spaces to a multiple of 64 bytes and ended by `\n`, then the raw element bytes.
 * Reading also accepts version 2/3 headers (uint32 length) and big-endian element types.
 *
 * @module
 */
import { writeFileAtomic } from "./files.ts";

/** Typed arrays that map to a numpy dtype. */
export type NpyTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** An n-dimensional array: flat C-order data and its shape. */
export interface NpyArray {
  /** Elements in C (row-major) order. */
  data: NpyTypedArray;
  /** Shape; `[]` for a scalar. */
  shape: number[];
}

const DTYPES: Record<string, { ctor: { new (b: ArrayBuffer): NpyTypedArray }; size: number }> = {
  f4: { ctor: Float32Array, size: 4 },
  f8: { ctor: Float64Array, size: 8 },
  i1: { ctor: Int8Array, size: 1 },
  i2: { ctor: Int16Array, size: 2 },
  i4: { ctor: Int32Array, size: 4 },
  u1: { ctor: Uint8Array, size: 1 },
  u2: { ctor: Uint16Array, size: 2 },
  u4: { ctor: Uint32Array, size: 4 },
  b1: { ctor: Uint8Array, size: 1 },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function descrOf(data: NpyTypedArray): string {
  const byName: Record<string, string> = {
    Float32Array: "<f4",
    Float64Array: "<f8",
    Int8Array: "|i1",
    Int16Array: "<i2",
    Int32Array: "<i4",
    Uint8Array: "|u1",
    Uint16Array: "<u2",
    Uint32Array: "<u4",
  };
  const descr = byName[data.constructor.name];
  if (!descr) throw new TypeError(`.npy: cannot store a ${data.constructor.name}`);
  return descr;
}

function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * The bytes of a `.npy` file holding `data` with `shape` (default 1-D).
 *
 * @throws RangeError when the shape does not multiply to the element count.
 *
 * @example
 * ```ts
 * import { encodeNpy } from "./npy.ts";
 * const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * ```
 */
export function encodeNpy(
  data: NpyTypedArray,
  shape: readonly number[] = [data.length],
): Uint8Array {
  if (!hostIsLittleEndian()) throw new Error(".npy: writing needs a little-endian host");
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`.npy: bad dimension ${d}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(`.npy: shape [${shape}] holds ${count} elements, data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + headerBytes.length);
  return out;
}

/**
 * Parses the bytes of a `.npy` file; `source` names the file in errors.
 *
 * @throws Error naming the source when the bytes are not a C-order `.npy` of a supported dtype
 *   (float32/64, int8/16/32, uint8/16/32, bool) or are cut short.
 *
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const { data, shape } = decodeNpy(encodeNpy(new Int32Array([1, 2, 3, 4]), [2, 2]));
 * ```
 */
export function decodeNpy(bytes: Uint8Array, source = "<bytes>"): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${source} is not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3) throw new Error(`${source}: unsupported .npy version ${major}`);
  if (start + headerLength > bytes.length) throw new Error(`${source}: .npy header is cut short`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeMatch) {
    throw new Error(`${source}: cannot parse the .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran[1] === "True") {
    throw new Error(`${source}: Fortran-ordered arrays are not supported (save with order="C")`);
  }
  const dtype = DTYPES[descr[2]];
  if (!dtype) throw new Error(`${source}: unsupported dtype ${descr[1]}${descr[2]}`);
  const shape = shapeMatch[1].split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  const byteLength = count * dtype.size;
  if (dataStart + byteLength > bytes.length) {
    throw new Error(
      `${source} is truncated: ${bytes.length - dataStart} data bytes, shape [${shape}] needs ` +
        `${byteLength}`,
    );
  }
  const copy = bytes.slice(dataStart, dataStart + byteLength);
  const bigEndian = descr[1] === ">" || (descr[1] === "=" && !hostIsLittleEndian());
  if (dtype.size > 1 && bigEndian === hostIsLittleEndian()) {
    for (let i = 0; i < copy.length; i += dtype.size) copy.subarray(i, i + dtype.size).reverse();
  }
  return { data: new dtype.ctor(copy.buffer), shape };
}

/**
 * Writes an array as a `.npy` file, atomically.
 *
 * @example
 * ```ts
 * import { readNpy, writeNpy } from "./npy.ts";
 * await writeNpy("/tmp/eigenvectors.npy", new Float32Array(6), [2, 3]);
 * const { shape } = await readNpy("/tmp/eigenvectors.npy"); // [2, 3]
 * ```
 */
export async function writeNpy(
  path: string,
  data: NpyTypedArray,
  shape?: readonly number[],
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

/**
 * Reads a `.npy` file (see {@linkcode decodeNpy}).
 *
 * @example
 * ```ts
 * import { readNpy } from "./npy.ts";
 * const array = await readNpy("/tmp/eigenvectors.npy").catch(() => null);
 * ```
 */
export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`File not found: ${path}`);
    throw e;
  }
  return decodeNpy(bytes, path);
}
