/**
 * numpy's standard normal sampler (`random_standard_normal`, used by `Generator.standard_normal`
 * and `Generator.normal`): a 256-layer Marsaglia–Tsang ziggurat on one 64-bit draw per try.
 *
 * One 64-bit output r is cut into: bits 0–7 the layer index i, bit 8 the sign, bits 9–60 a 52-bit
 * integer a. The candidate is x = ±a · w_i. Then:
 *
 * - a < k_i (about 99% of draws): x lies inside layer i's rectangle; accept.
 * - i = 0 (the base layer, beyond its rectangle): sample the tail beyond r = 3.6541528853610088
 *   with Marsaglia's method: xx = −log1p(−u₁)/r, yy = −log1p(−u₂) until 2·yy > xx², return
 *   ±(r + xx) with the sign from bit 17 of the draw (bit 8 of a).
 * - otherwise (a wedge): accept x if f_i + (f_(i−1) − f_i)·u < exp(−x²/2), else start over with
 *   a fresh 64-bit draw.
 *
 * The tables are numpy's own (`ziggurat_tables.ts`), `log1p` is glibc's (`libm.ts`), so the values
 * are bit-identical to numpy's.
 *
 * @module
 */
import type { BitGenerator } from "./bit_generator.ts";
import { log1p } from "./libm.ts";
import { ZIGGURAT_FI, ZIGGURAT_KI, ZIGGURAT_WI } from "./ziggurat_tables.ts";

/** numpy's `ziggurat_nor_r`: where the tail starts. */
const R = 3.6541528853610087963519472518;
/** numpy's `ziggurat_nor_inv_r`: 1/r as a decimal literal (not 1 / R in doubles). */
const INV_R = 0.27366123732975827203338247596;

/**
 * One standard normal variate, bit-identical to numpy's `Generator.standard_normal()` on the same
 * bit generator.
 *
 * @example
 * ```ts
 * import { standardNormal } from "./ziggurat.ts";
 * import { PCG64 } from "./pcg64.ts";
 * standardNormal(new PCG64(0)); // 0.1257302210933933, numpy's default_rng(0).standard_normal()
 * ```
 */
export function standardNormal(bg: BitGenerator): number {
  for (;;) {
    bg.next64();
    const hi = bg.outHi;
    const lo = bg.outLo;
    const idx = lo & 0xff;
    // bits 9..60: 23 from the low word, 29 from the high word
    const rabs = (hi & 0x1fffffff) * 8388608 + (lo >>> 9);
    let x = rabs * ZIGGURAT_WI[idx];
    if ((lo & 0x100) !== 0) x = -x;
    if (rabs < ZIGGURAT_KI[idx]) return x;
    if (idx === 0) {
      for (;;) {
        const xx = -INV_R * log1p(-bg.nextDouble());
        const yy = -log1p(-bg.nextDouble());
        if (yy + yy > xx * xx) return (lo & 0x20000) !== 0 ? -(R + xx) : R + xx;
      }
    }
    const fi = ZIGGURAT_FI[idx];
    if ((ZIGGURAT_FI[idx - 1] - fi) * bg.nextDouble() + fi < Math.exp(-0.5 * x * x)) return x;
  }
}
