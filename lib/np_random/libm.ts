/**
 * The C math functions that numpy's samplers call, reproduced to the bit where JavaScript's
 * `Math` differs from the C library numpy runs on.
 *
 * numpy's rare sampling paths call the platform's libm, so numpy's own output depends on it. The
 * reference here is glibc ≥ 2.28 on x86-64 with FMA (every x86-64 CPU since 2013, and the machines
 * that recorded our oracles), which selects its FMA-compiled variants at load time:
 *
 * - `log1p` (ziggurat tail of `standard_normal`): glibc uses fdlibm's algorithm with the polynomial
 *   evaluated in Estrin form, compiled with fused multiply-adds. V8's `Math.log1p` is correctly
 *   rounded and differs from it in about 7% of arguments; {@linkcode log1p} matches it on every
 *   argument we tested (tests/np_random/libm.test.ts, 10^6 arguments against Python's
 *   `math.log1p`).
 * - `log` (legacy `RandomState.randn`): glibc's table-driven log, about 0.52 ulp; V8's `Math.log`
 *   differs from it in about 0.08% of arguments. {@linkcode log} reproduces it with glibc's own
 *   constants (`glibc_log_table.ts`) and FMA placement (the fused multiply-add emulation is
  `lib/libm/fma.ts`).
 * - `exp` (ziggurat wedge test): only compared against a uniform, where a last-bit difference
 *   changes the outcome with probability ~1e-14; `Math.exp` is used.
 *
 * @module
 */

import { fma } from "../libm/fma.ts";
import { LOG_LN2_HI, LOG_LN2_LO, LOG_POLY, LOG_POLY1, LOG_TABLE } from "./glibc_log_table.ts";

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: words[0] low, words[1] high

// fdlibm's log1p constants: ln 2 split so that k·LN2_HI is exact, and the minimax coefficients of
// R(z) ≈ (log(1+s) − log(1−s) − 2s)/s with s = f/(2+f), z = s².
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const LP1 = 6.666666666666735130e-01;
const LP2 = 3.999999999940941908e-01;
const LP3 = 2.857142874366239149e-01;
const LP4 = 2.222219843214978396e-01;
const LP5 = 1.818357216161805012e-01;
const LP6 = 1.531383769920937332e-01;
const LP7 = 1.479819860511658591e-01;
const TWO_THIRDS = 0.66666666666666666;

/**
 * log(1 + x) exactly as glibc computes it on x86-64 with FMA (see the module doc), which is what
 * numpy's `standard_normal` tail uses there.
 *
 * Method (fdlibm): write 1 + x = 2^k (1 + f) with √2/2 < 1 + f < √2, keeping the rounding error
 * of 1 + x as a correction c/u; then log(1 + f) = f − (f²/2 − s(f²/2 + R(s²))) with s = f/(2 + f)
 * and R a degree-7 polynomial in s² (evaluated in Estrin form), and log1p(x) = k·ln2 + log(1 + f).
 * The fused multiply-adds sit where glibc's FMA build has them.
 *
 * @example
 * ```ts
 * import { log1p } from "./libm.ts";
 * log1p(-0.5); // -0.6931471805599453
 * ```
 */
export function log1p(x: number): number {
  bits[0] = x;
  const hx = words[1] | 0;
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let c = 0;
  let hu = 0;
  if (hx < 0x3fda827a) { // x < 0.41422
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN; // x <= -1
    if (ax < 0x3e200000) { // |x| < 2^-29
      if (ax < 0x3c900000) return x; // |x| < 2^-54
      return fma(-(x * x), 0.5, x);
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) { // -0.2929 < x < 0.41422: no reduction
      k = 0;
      f = x;
      hu = 1;
    }
  } else if (hx >= 0x7ff00000) return x + x; // +Inf or NaN
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) { // x < 2^53
      u = 1.0 + x;
      bits[0] = u;
      hu = words[1];
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      bits[0] = u;
      hu = words[1];
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    bits[0] = u;
    if (hu < 0x6a09e) { // u's mantissa below √2: normalise u to [1, √2)
      words[1] = hu | 0x3ff00000;
    } else { // normalise u/2 to [√2/2, 1)
      k += 1;
      words[1] = hu | 0x3fe00000;
      hu = (0x00100000 - hu) >> 2;
    }
    f = bits[0] - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) { // |f| < 2^-20
    if (f === 0) return k === 0 ? 0 : fma(k, LN2_HI, fma(k, LN2_LO, c));
    const r = fma(-f, TWO_THIRDS, 1.0) * hfsq;
    if (k === 0) return f - r;
    return fma(k, LN2_HI, -((r - fma(k, LN2_LO, c)) - f));
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z2 * z4;
  const r = fma(
    z6,
    fma(z, LP7, LP6),
    fma(z4, fma(z, LP5, LP4), fma(z, LP1, z2 * fma(z, LP3, LP2))),
  );
  const sr = (r + hfsq) * s;
  if (k === 0) return f - (hfsq - sr);
  return fma(k, LN2_HI, -((hfsq - (sr + fma(k, LN2_LO, c))) - f));
}

const LOG_OFF_HI = 0x3fe60000; // high word of 0x1.6p-1: z = x / 2^k is reduced into [OFF, 2 OFF)
const TWO27 = 134217728;
const A0 = LOG_POLY[0], A1 = LOG_POLY[1], A2 = LOG_POLY[2], A3 = LOG_POLY[3], A4 = LOG_POLY[4];
const B0 = LOG_POLY1[0], B1 = LOG_POLY1[1], B2 = LOG_POLY1[2], B3 = LOG_POLY1[3];
const B4 = LOG_POLY1[4], B5 = LOG_POLY1[5], B6 = LOG_POLY1[6], B7 = LOG_POLY1[7];
const B8 = LOG_POLY1[8], B9 = LOG_POLY1[9], B10 = LOG_POLY1[10];

/**
 * The natural logarithm exactly as glibc ≥ 2.28 computes it on x86-64 with FMA, which is what
 * numpy's legacy Gaussian (`RandomState.randn`) uses there. V8's `Math.log` is correctly rounded;
 * glibc's is not (≈ 0.52 ulp) and differs from it in about 0.08% of arguments.
 *
 * Method (glibc's, by Szabolcs Nagy): near 1 (x in [1 − 2^-4, 1 + 0x1.09p-4)) log(1 + r) =
 * r − r²/2 + r³·B(r) with r²/2 split exactly; elsewhere x = 2^k z with z in [0x1.6p-1, 0x1.6p0),
 * the top 7 bits of z's mantissa select a table point c, r = z/c − 1 by one fused multiply-add,
 * and log x = k·ln2 + log c + r + r²·A(r). Constants from `glibc_log_table.ts`; the fused
 * multiply-adds sit where glibc's FMA build has them.
 *
 * @example
 * ```ts
 * import { log } from "./libm.ts";
 * log(0.5); // -0.6931471805599453
 * ```
 */
export function log(x: number): number {
  bits[0] = x;
  let hi = words[1];
  let lo = words[0];
  if (hi >= 0x3fee0000 && hi < 0x3ff10900) { // close to 1
    if (x === 1) return 0;
    const r = x - 1.0;
    const r2 = r * r;
    const r3 = r * r2;
    let p = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)));
    p = fma(p, r3, fma(r2, B6, fma(r, B5, B4)));
    p = fma(p, r3, fma(r2, B3, fma(r, B2, B1)));
    // r²/2 = rhi²/2 + rlo·(rhi + r)/2 exactly enough: rhi holds r's top 26 bits
    const rhi = (r + r * TWO27) - r * TWO27;
    const rlo = r - rhi;
    const rhi2 = rhi * rhi;
    const h = fma(rhi2, B0, r);
    let l = fma(rhi2, B0, r - h);
    l = fma(B0 * rlo, r + rhi, l);
    return h + fma(p, r3, l);
  }
  const top = hi >>> 16;
  if (top < 0x0010 || top >= 0x7ff0) { // x ≤ 0, subnormal, +Inf or NaN
    if (x === 0) return -Infinity;
    if (x === Infinity) return x;
    if ((top & 0x8000) !== 0 || (top & 0x7ff0) === 0x7ff0) return NaN;
    bits[0] = x * 4503599627370496; // subnormal: scale by 2^52 and take 52 off the exponent
    words[1] -= 52 << 20;
    hi = words[1];
    lo = words[0];
  }
  const tmpHi = (hi - LOG_OFF_HI) | 0; // high word of ix − OFF (OFF's low word is 0)
  const i = (tmpHi >>> 13) & 0x7f;
  const k = tmpHi >> 20;
  words[1] = hi - (tmpHi & 0xfff00000);
  words[0] = lo;
  const z = bits[0];
  const invc = LOG_TABLE[2 * i];
  const logc = LOG_TABLE[2 * i + 1];
  const r = fma(z, invc, -1.0);
  const w = fma(k, LOG_LN2_HI, logc);
  const h = w + r;
  const l = fma(k, LOG_LN2_LO, (w - h) + r);
  const r2 = r * r;
  return fma(r * r2, fma(fma(r, A4, A3), r2, fma(r, A2, A1)), fma(r2, A0, l)) + h;
}
