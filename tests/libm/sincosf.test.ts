import { assert, assertEquals } from "@std/assert";
import { cosf, sincosf, sincosOut, sinf } from "../../lib/libm/mod.ts";
import { NUMPY_PYTHON } from "../_python.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => ((u32[0] = b), f32[0]);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]);

/**
 * glibc 2.36's `sinf` / `cosf` (x86-64, FMA variants) printed through Python's ctypes: input,
 * sine and cosine as float32 bit patterns. Rows: zeros, subnormals and the |y| < 2^-12 cut-off;
 * the π/4 (polynomial vs reduction) and 120 (fast vs 96-bit reduction) boundaries; floats next to
 * multiples of π/2 (results near 0, where the reduction's fused multiply-add decides); large
 * arguments up to FLT_MAX; ordinary values; arguments where `Math.fround(Math.sin(x))` (correctly
 * rounded) differs from glibc; and all positive arguments below 120 where glibc's result depends
 * on its fused multiply-adds (the same evaluation without them rounds to the other float32).
 */
const GLIBC: [number, number, number][] = [
  [0x0, 0x0, 0x3f800000],
  [0x80000000, 0x80000000, 0x3f800000],
  [0x1, 0x1, 0x3f800000],
  [0x80000001, 0x80000001, 0x3f800000],
  [0x7fffff, 0x7fffff, 0x3f800000],
  [0x800000, 0x800000, 0x3f800000],
  [0xda24260, 0xda24260, 0x3f800000],
  [0x397fffff, 0x397fffff, 0x3f800000],
  [0x39800000, 0x39800000, 0x3f800000],
  [0xb9800000, 0xb9800000, 0x3f800000],
  [0x39800001, 0x39800001, 0x3f7fffff],
  [0x3f3fffff, 0x3f2e7fe0, 0x3f3b4ff7],
  [0x3f400000, 0x3f2e7fe1, 0x3f3b4ff6],
  [0x3f490fda, 0x3f3504f3, 0x3f3504f4],
  [0x3f490fdb, 0x3f3504f3, 0x3f3504f3],
  [0x3f490fdc, 0x3f3504f4, 0x3f3504f2],
  [0xbf490fdb, 0xbf3504f3, 0x3f3504f3],
  [0x3fc90fda, 0x3f800000, 0x33a22169],
  [0x3fc90fdb, 0x3f800000, 0xb33bbd2e],
  [0x3fc90fdc, 0x3f800000, 0xb42eef4c],
  [0x40490fdb, 0xb3bbbd2e, 0xbf800000],
  [0xc0490fdb, 0x33bbbd2e, 0xbf800000],
  [0x4096cbe4, 0xbf800000, 0x324cde2e],
  [0x40c90fdb, 0x343bbd2e, 0x3f800000],
  [0x439d1463, 0x36c55799, 0x3f800000],
  [0x42efffff, 0x3f14a287, 0x3f506e74],
  [0x42f00000, 0x3f14a2ef, 0x3f506e2a],
  [0xc2f00000, 0xbf14a2ef, 0x3f506e2a],
  [0x42f00001, 0x3f14a357, 0x3f506de0],
  [0x447a0000, 0x3f53ae61, 0x3f0ff813],
  [0x4640e6b7, 0xbf341d93, 0x3f35eb2d],
  [0x501502f9, 0xbef99a64, 0x3f5f84c5],
  [0xe0ad78ec, 0xbf281569, 0x3f411723],
  [0x7f7fffff, 0xbf0599b3, 0x3f5a5f96],
  [0xff7fffff, 0x3f0599b3, 0x3f5a5f96],
  [0x3d4ccccd, 0x3d4cb6f5, 0x3f7fae19],
  [0x3f000000, 0x3ef57744, 0x3f60a940],
  [0x3f800000, 0x3f576aa4, 0x3f0a5140],
  [0x40000000, 0x3f68c7b7, 0xbed51133],
  [0xbf800000, 0xbf576aa4, 0x3f0a5140],
  // Math.fround(Math.sin(x)) or Math.fround(Math.cos(x)) is not glibc's here.
  [0x3e5cade2, 0x3e5af99b, 0x3f7a1407],
  [0xc10ec2b9, 0xbef67890, 0xbf6062c8],
  [0x3d6d959a, 0x3d6d7381, 0x3f7f91c9],
  [0x414ebd04, 0x3eb1dbcf, 0x3f700eb5],
  [0xbdac30b9, 0xbdabfccf, 0x3f7f1880],
  [0xbe84968f, 0xbe831c76, 0x3f7776cd],
  [0x41e071e4, 0x3e5e30e9, 0xbf79e6a0],
  [0xbf31ef5d, 0xbf23f341, 0x3f449cb5],
  [0x42b8b608, 0xbf72e310, 0xbea1c3ab],
  [0xc0e86495, 0xbf547a56, 0x3f0eca64],
  [0xbfdc9307, 0xbf7d0802, 0xbe1b7ecc],
  [0xc2726c1d, 0x3f4af220, 0xbf1c0aab],
  [0x3ff136e6, 0x3f7381e8, 0xbe9dfd2b],
  [0xbf813f45, 0xbf58c106, 0x3f083644],
  [0x425de6ba, 0xbf60f943, 0x3ef45173],
  [0x3f5ae730, 0x3f412f70, 0x3f27f97b],
  // The fused multiply-adds decide here: glibc's polynomial without them (plain double
  // multiplications and additions) rounds to the other float32 (every such argument in
  // [2^-12, 120), found by an exhaustive scan; results near zero, where r = y − n·π/2 matters).
  [0x418a3adb, 0xbf800000, 0xb7b4f770],
  [0x418a3adc, 0xbf800000, 0xb7a4f770],
  [0x418a3add, 0xbf800000, 0xb794f770],
  [0x418a3ade, 0xbf800000, 0xb784f770],
  [0x41bc76d9, 0xbf7fff80, 0xbb803f6b],
  [0x4202eb4b, 0x3f779884, 0x3e821ce2],
  [0x4255b0a9, 0xbc7d08a9, 0xbf7ff82f],
  [0x42687a55, 0x3f800000, 0xb552257c],
  [0x4280ce28, 0x3f800000, 0x34fdd672],
  [0x42870e40, 0xbf7ff72d, 0xbc866cc4],
  [0x42a35c07, 0xbadaa3b4, 0x3f7fffe9],
  [0x42a35d44, 0x3a44b889, 0x3f7ffffb],
  [0x42a97360, 0x3dc7b08a, 0xbf7ec7ba],
  [0x42c55faa, 0xbf767f39, 0xbe8a34d1],
  [0x42cf5854, 0x382ee64e, 0xbf800000],
  [0x42d8d23e, 0x3f7fea63, 0xbcd25ea8],
  [0x42e87a55, 0xb5d2257c, 0xbf800000],
];

Deno.test("sinf/cosf/sincosf equal glibc's on a table of hard cases (no Python needed)", () => {
  const bad: string[] = [];
  let crDiffers = 0;
  for (const [x, s, c] of GLIBC) {
    const y = fromBits(x);
    sincosf(y);
    const got = [bitsOf(sinf(y)), bitsOf(cosf(y)), bitsOf(sincosOut.s), bitsOf(sincosOut.c)];
    if (got.join() !== [s, c, s, c].join()) {
      bad.push(`${x.toString(16)}: ${got.map((b) => b.toString(16))} vs ${s.toString(16)}`);
    }
    if (bitsOf(Math.sin(y)) !== s || bitsOf(Math.cos(y)) !== c) crDiffers++;
  }
  assertEquals(bad, []);
  // The reason for the emulation: correctly rounded values differ from glibc on these rows.
  assert(crDiffers >= 16, `${crDiffers} rows where Math.sin/cos differ`);
});

Deno.test("sinf and cosf: symmetry, NaN and infinities", () => {
  for (let k = 0; k < 2000; k++) {
    const y = Math.fround(Math.sin(k) * 10 ** ((k % 9) - 3));
    assertEquals(bitsOf(sinf(-y)), bitsOf(-sinf(y)));
    assertEquals(bitsOf(cosf(-y)), bitsOf(cosf(y)));
  }
  for (const y of [NaN, Infinity, -Infinity]) {
    assert(Number.isNaN(sinf(y)) && Number.isNaN(cosf(y)));
  }
});

/**
 * Whether glibc on this machine runs its FMA variants (x86-64 Linux with FMA and AVX2; asked
 * through the Python interpreter, since reading /proc needs more than --allow-read).
 */
async function glibcUsesFma(python: string | null): Promise<boolean> {
  if (python === null || Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return false;
  const flags = "set(open('/proc/cpuinfo').read().split())";
  const { stdout, success } = await new Deno.Command(python, {
    args: ["-c", `f = ${flags}; print('fma' in f and 'avx2' in f)`],
    stdout: "piped",
  }).output();
  return success && new TextDecoder().decode(stdout).trim() === "True";
}
const FMA_GLIBC = await glibcUsesFma(NUMPY_PYTHON);

Deno.test({
  name: "sinf/cosf equal the C library's (ctypes) on 1.5·10^6 float32 arguments",
  // The comparison needs Python and a glibc that picks its FMA-built sinf/cosf (the variant
  // pybox2d ran on when Gymnasium's recordings were made).
  ignore: !FMA_GLIBC,
  fn: async () => {
    const script = `
import ctypes, ctypes.util, sys
import numpy as np
m = ctypes.CDLL(ctypes.util.find_library("m"))
for fn in (m.sinf, m.cosf):
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
r = np.random.default_rng(5)
parts = [r.integers(0x39000000, 0x43000000, 600_000),           # 2^-13 .. 128
         r.integers(0x3f400000, 0x3fd00000, 300_000),           # around pi/4 .. pi/2+
         r.integers(0x42e00000, 0x4f000000, 100_000)]           # 112 .. 2^31 (large reduction)
b = np.concatenate(parts).astype(np.uint32)
b[::2] |= np.uint32(0x80000000)
x = b.view(np.float32)
s = np.array([m.sinf(v) for v in x.tolist()], dtype=np.float32)
c = np.array([m.cosf(v) for v in x.tolist()], dtype=np.float32)
sys.stdout.buffer.write(np.stack([x, s, c]).astype("<f4").tobytes())
`;
    const { stdout, success } = await new Deno.Command(NUMPY_PYTHON!, {
      args: ["-c", script],
      stdout: "piped",
    }).output();
    assert(success);
    const v = new Float32Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 4);
    const n = v.length / 3;
    let bad = 0;
    let crDiffers = 0;
    for (let i = 0; i < n; i++) {
      const y = v[i];
      if (!Object.is(sinf(y), v[n + i]) || !Object.is(cosf(y), v[2 * n + i])) bad++;
      if (Math.fround(Math.sin(y)) !== v[n + i]) crDiffers++;
    }
    assertEquals(bad, 0);
    assert(crDiffers > 10, `Math.sin rounded to float32 differs from glibc on ${crDiffers}`);
  },
});
