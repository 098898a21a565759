import { assert, assertEquals } from "@std/assert";
import { log, log1p } from "../../lib/np_random/mod.ts";
import { numpyPython } from "./_numpy.ts";

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
