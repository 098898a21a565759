import { assert, assertEquals } from "@std/assert";
import { fma, log, log1p, PCG64 } from "../../lib/np_random/mod.ts";
import { numpyPython } from "./_numpy.ts";

/** a·b + c rounded once, computed exactly with BigInt (the reference for the fma emulation). */
function exactFma(a: number, b: number, c: number): number {
  const view = new DataView(new ArrayBuffer(8));
  const parts = (x: number): [bigint, number] => {
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    let m = bits & 0xfffffffffffffn;
    if (e !== 0) m |= 1n << 52n;
    return [bits >> 63n ? -m : m, e === 0 ? -1074 : e - 1075];
  };
  const [ma, ea] = parts(a), [mb, eb] = parts(b), [mc, ec] = parts(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return a * b + c; // signed zero as IEEE has it
  const negative = sum < 0n;
  let mag = negative ? -sum : sum;
  let shift = 0;
  const length = mag.toString(2).length;
  if (length > 60) { // keep 60 bits and a sticky bit, then let Number() round once
    shift = length - 60;
    const rest = mag & ((1n << BigInt(shift)) - 1n);
    mag >>= BigInt(shift);
    if (rest !== 0n) mag |= 1n;
  }
  const v = Number(mag) * 2 ** (e + shift);
  return negative ? -v : v;
}

Deno.test("fma: equals the exactly rounded a·b + c on 2·10^5 triples, cancellations included", () => {
  const bg = new PCG64(3);
  const r = () => (bg.nextDouble() - 0.5) * 2 ** Math.floor(bg.nextDouble() * 60 - 30);
  let mismatches = 0;
  for (let i = 0; i < 200_000; i++) {
    const a = r(), b = r();
    let c = r();
    if (i % 3 === 0) c = -(a * b) * (1 + (bg.nextDouble() - 0.5) * 2 ** -40); // near-cancellation
    if (i % 5 === 0) c = -(a * b); // leaves exactly the product's rounding error
    if (!Object.is(fma(a, b, c), exactFma(a, b, c))) mismatches++;
  }
  assertEquals(mismatches, 0);
  const x = 1 + 2 ** -30;
  assertEquals(fma(x, x, -1), 2 ** -29 + 2 ** -60);
  assert(x * x - 1 !== 2 ** -29 + 2 ** -60, "the plain expression loses the last term");
});

Deno.test("log1p and log: special values and identities", () => {
  assertEquals(log1p(0), 0);
  assertEquals(log1p(-1), -Infinity);
  assert(Number.isNaN(log1p(-2)));
  assertEquals(log1p(Infinity), Infinity);
  assertEquals(log1p(1e-300), 1e-300);
  assertEquals(log(1), 0);
  assertEquals(log(0), -Infinity);
  assert(Number.isNaN(log(-1)));
  assertEquals(log(Infinity), Infinity);
  assertEquals(log(2), Math.LN2);
  for (const x of [0.3, 0.97, 1.05, 7, 1e-310, 1e300]) {
    assert(Math.abs(log(x) - Math.log(x)) <= 2e-16 * Math.abs(Math.log(x)), `log(${x})`);
    assert(Math.abs(log1p(x) - Math.log1p(x)) <= 2e-16 * Math.abs(Math.log1p(x)), `log1p(${x})`);
  }
});

Deno.test({
  name: "log1p and log equal the C library's (Python's math) on 1.2·10^6 arguments each",
  ignore: numpyPython === null,
  fn: async () => {
    const script = `
import math, struct, sys
import numpy as np
r = np.random.default_rng(17)
xs = np.concatenate([-r.random(500_000), r.random(300_000), r.uniform(-1, 10, 200_000),
                     r.uniform(0.9, 1.1, 100_000), 10 ** r.uniform(-300, 300, 100_000),
                     r.random(1000) * 2.0 ** -1060, np.array([1e-30, -1e-20, 2.0 ** -29, 0.5])])
out = np.stack([xs, [math.log1p(x) if x > -1 else 0.0 for x in xs],
                [math.log(x) if x > 0 else 0.0 for x in xs]])
sys.stdout.buffer.write(out.astype("<f8").tobytes())
`;
    const { stdout, success } = await new Deno.Command(numpyPython!, {
      args: ["-c", script],
      stdout: "piped",
    }).output();
    assert(success);
    const v = new Float64Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 8);
    const n = v.length / 3;
    let bad1p = 0, badLog = 0, v8Log = 0, v8Log1p = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x > -1 && !Object.is(log1p(x), v[n + i])) bad1p++;
      if (x > 0 && !Object.is(log(x), v[2 * n + i])) badLog++;
      if (x > 0 && !Object.is(Math.log(x), v[2 * n + i])) v8Log++;
      if (x > -1 && !Object.is(Math.log1p(x), v[n + i])) v8Log1p++;
    }
    assertEquals({ log1p: bad1p, log: badLog }, { log1p: 0, log: 0 });
    // the reason these functions exist: Math.log / Math.log1p differ from the C library
    assert(v8Log > 100 && v8Log1p > 1000, `Math differs in ${v8Log} logs, ${v8Log1p} log1ps`);
  },
});
