import { assert, assertEquals } from "@std/assert";
import { fma } from "../../lib/libm/mod.ts";
import { PCG64 } from "../../lib/np_random/mod.ts";

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
