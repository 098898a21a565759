import { assert, assertEquals, assertThrows } from "@std/assert";
import { decodeNpy, encodeNpy, readNpy, writeNpy } from "../../lib/io/npy.ts";
import { NUMPY_PYTHON } from "../_python.ts";

const PYTHON = NUMPY_PYTHON ?? "python3";
const hasNumpy = NUMPY_PYTHON !== null;

Deno.test("npy: header layout of numpy's format 1.0 (magic, 64-byte alignment, dict)", () => {
  const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assertEquals(Array.from(bytes.subarray(0, 8)), [0x93, 78, 85, 77, 80, 89, 1, 0]);
  const headerLength = bytes[8] + 256 * bytes[9];
  assertEquals((10 + headerLength) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  assert(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
  assert(header.endsWith("\n"));
  assertEquals(bytes.length, 10 + headerLength + 24);
  const back = decodeNpy(bytes);
  assertEquals(back.shape, [2, 3]);
  assertEquals(Array.from(back.data), [1, 2, 3, 4, 5, 6]);
  assertEquals(decodeNpy(encodeNpy(new Int32Array([7]))).shape, [1]);
  assertEquals(decodeNpy(encodeNpy(new Float64Array([7]), [])).shape, []);
});

Deno.test("npy: bad shapes and damaged files are named", () => {
  assertThrows(() => encodeNpy(new Float32Array(5), [2, 3]), RangeError, "6 elements");
  const bytes = encodeNpy(new Float64Array(10));
  assertThrows(
    () => decodeNpy(bytes.subarray(0, bytes.length - 8), "x.npy"),
    Error,
    "x.npy is truncated",
  );
  assertThrows(() => decodeNpy(new Uint8Array(20), "y.npy"), Error, "y.npy is not a .npy file");
});

Deno.test({
  name:
    "npy: round trip with numpy (our files load in numpy, numpy's load here) with identical values",
  ignore: !hasNumpy,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const f32 = Float32Array.from({ length: 12 }, (_, i) => Math.fround(Math.sin(i) * 1e3) / 7);
    const f64 = Float64Array.from([Math.PI, -0, 1e-310, Number.MAX_VALUE, -1 / 3, 2 ** -52]);
    const i32 = Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, -5]);
    const u8 = Uint8Array.from([0, 255, 7]);
    await writeNpy(`${dir}/f32.npy`, f32, [3, 4]);
    await writeNpy(`${dir}/f64.npy`, f64, [6]);
    await writeNpy(`${dir}/i32.npy`, i32, [2, 2]);
    await writeNpy(`${dir}/u8.npy`, u8);
    // numpy checks our files against the values it computes itself, then saves its own arrays
    // (including a big-endian one) for us to read.
    const script = `
import numpy as np, sys, json
d = sys.argv[1]
f32 = np.load(d + "/f32.npy"); f64 = np.load(d + "/f64.npy"); i32 = np.load(d + "/i32.npy"); u8 = np.load(d + "/u8.npy")
ref32 = (np.sin(np.arange(12)) * 1e3).astype(np.float32) / np.float32(7)
out = {
  "f32": [str(f32.dtype), list(f32.shape), bool(np.array_equal(f32, ref32.reshape(3, 4)))],
  "f64": [str(f64.dtype), list(f64.shape), f64.tobytes().hex()],
  "i32": [str(i32.dtype), list(i32.shape), i32.tolist()],
  "u8": [str(u8.dtype), list(u8.shape), u8.tolist()],
}
np.save(d + "/np_f64.npy", np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 3)
np.save(d + "/np_be.npy", np.arange(5, dtype=">f4") * 1.5)
np.save(d + "/np_i2.npy", np.array([[-3, 4]], dtype=np.int16))
print(json.dumps(out))
`;
    const out = await new Deno.Command(PYTHON, { args: ["-c", script, dir], stdout: "piped" })
      .output();
    assert(out.success, "numpy script failed");
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(r.f32, ["float32", [3, 4], true]);
    const hex = Array.from(new Uint8Array(f64.buffer), (b) => b.toString(16).padStart(2, "0"))
      .join("");
    assertEquals(r.f64, ["float64", [6], hex]);
    assertEquals(r.i32, ["int32", [2, 2], [[-(2 ** 31), 2 ** 31 - 1], [0, -5]]]);
    assertEquals(r.u8, ["uint8", [3], [0, 255, 7]]);
    const a = await readNpy(`${dir}/np_f64.npy`);
    assertEquals(a.shape, [2, 3, 4]);
    assert(a.data instanceof Float64Array);
    assertEquals(Array.from(a.data), Array.from({ length: 24 }, (_, i) => i / 3));
    const be = await readNpy(`${dir}/np_be.npy`);
    assert(be.data instanceof Float32Array);
    assertEquals(Array.from(be.data), [0, 1.5, 3, 4.5, 6]);
    const i2 = await readNpy(`${dir}/np_i2.npy`);
    assertEquals([i2.shape, Array.from(i2.data)], [[1, 2], [-3, 4]]);
    await Deno.remove(dir, { recursive: true });
  },
});
