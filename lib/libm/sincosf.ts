/**
 * `sinf` and `cosf` exactly as glibc computes them on x86-64 with FMA: the functions pybox2d's
 * Box2D calls for every rotation (`b2Rot::Set`), so a float32 Box2D that is to match pybox2d bit
 * for bit needs them to the last bit. They are not correctly rounded: `Math.fround(Math.sin(y))`
 * differs from glibc's `sinf` in the last bit for about 1.3 % of angles in [−π, π], enough to
 * change a contact-rich trajectory within a few hundred steps.
 *
 * glibc ≥ 2.28 (Szabolcs Nagy's implementation) evaluates both in double precision, and on an
 * x86-64 CPU with FMA and AVX2 it runs the variants `__sinf_fma`, `__cosf_fma` and
 * `__sincosf_fma`, which the compiler built with fused multiply-adds; all three give the same sine
 * and the same cosine. The method, for a float32 argument y:
 *
 * - |y| < 2^-12: sin y = y, cos y = 1.
 * - |y| < π/4: the odd polynomial y + y³(s₁ + y²·(s₂ + y²s₃))·… and the even one
 *   c₀ + c₁y² + c₂y⁴ + y⁶(c₃ + c₄y²), evaluated in double with fused multiply-adds in glibc's
 *   order, then rounded once to float32.
 * - |y| < 120: n = round(y·2/π) (from a truncation of y·2^24·2/π), r = y − n·π/2 in one fused
 *   multiply-add, and sin or cos of r by the polynomials, with the sign and the polynomial picked
 *   by n mod 4 (the quadrant).
 * - larger |y|: the same with r from a 96-bit product of y's mantissa with 4/π's bits.
 *
 * Speed: the fused multiply-adds are emulated exactly (`fma.ts`) but only when needed. Each value
 * is first evaluated with plain multiplications and additions, whose result differs from the
 * fused one by less than a bound worked out below; when that double is further than the bound from
 * every float32 rounding boundary, both round to the same float32. Otherwise (about once in 50,000
 * calls for angles in [−π, π]) the exact evaluation decides.
 *
 * @module
 */
import { fma } from "./fma.ts";

const f32 = Math.fround;

/** Doubles from their IEEE-754 bit patterns (high word, low word). */
function fromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

// glibc's constants (the `__sincosf_table` data): 2^24·2/π, π/2 and the polynomial coefficients,
// minimax fits of sin and cos on [−π/4, π/4].
const HPI_INV = fromBits(0x41645f30, 0x6dc9c883);
const HPI = fromBits(0x3ff921fb, 0x54442d18);
const C1 = fromBits(0xbfdfffff, 0xfd0c621c);
const C2 = fromBits(0x3fa55553, 0xe1068f19);
const C3 = fromBits(0xbf56c087, 0xe89a359d);
const C4 = fromBits(0x3ef99343, 0x027bf8c3);
const S1 = fromBits(0xbfc55554, 0x5995a603);
const S2 = fromBits(0x3f811076, 0x05230bc4);
const S3 = fromBits(0xbf2994eb, 0x3774cf24);
/** π/2^62, the scale of the large-argument reduction's 64-bit fixed-point remainder. */
const PI63 = fromBits(0x3c1921fb, 0x54442d18);
/** Sign of the sine in quadrants 0..3. */
const QUADRANT_SIGN = [1, -1, -1, 1];

/**
 * 4/π's fractional bits as 32-bit windows at byte offsets (entry k holds bits 8k − 24 … 8k + 7 of
 * 2/π = 0.A2F9836E…), the table the large-argument reduction indexes by the exponent.
 */
const INV_PIO4 = (() => {
  const hex = "000000" + "A2F9836E4E441529FC2757D1F534DDC0DB6295993C439041";
  return Array.from({ length: 24 }, (_, k) => BigInt("0x" + hex.slice(2 * k, 2 * k + 8)));
})();

const f32Buf = new Float32Array(1);
const u32Buf = new Uint32Array(f32Buf.buffer);
const f64Buf = new Float64Array(1);
const hiBuf = new Uint32Array(f64Buf.buffer);

/** The float32 bit pattern of y. */
function bitsOf(y: number): number {
  f32Buf[0] = y;
  return u32Buf[0];
}

/**
 * Whether every double within `bound` of `v` rounds to the same float32 as `v` does: r = f32(v)
 * and the distance from v to r plus the bound stays inside r's rounding interval, whose half
 * width is half an ulp of r (a quarter ulp below a power of two, where the spacing halves).
 */
function settles(v: number, bound: number): boolean {
  const r = f32(v);
  f32Buf[0] = r;
  const bits = u32Buf[0];
  const exp = (bits >>> 23) & 0xff;
  if (exp === 0) return false; // zero or subnormal: decide exactly
  // 2^(E − 24), E = exp − 127 the binade of r, or 2^(E − 25) when r is a power of two.
  const shift = (bits & 0x7fffff) === 0 ? 25 : 24;
  hiBuf[1] = (exp - 127 - shift + 1023) << 20;
  hiBuf[0] = 0;
  return Math.abs(v - r) + bound < f64Buf[0];
}

// Plain-arithmetic bounds on |fused − plain| (see the module doc), generous by a factor ≥ 4:
// near 0 each value carries at most a few double ulps of its own size; after the reduction
// r = y − n·π/2, the product n·π/2 < 128 rounds by at most 2^-47, and |d sin/dr| ≤ 1.
const SMALL_REL_BOUND = 2 ** -48;
const REDUCED_BOUND = 2 ** -45;

/** The sine polynomial at x (x2 = x²), fused as glibc's FMA build does. */
function sinPolyExact(x: number, x2: number): number {
  const x3 = x * x2;
  const s1 = fma(x2, S3, S2);
  const x7 = x3 * x2;
  const s = fma(x3, S1, x);
  return fma(s1, x7, s);
}

/** The cosine polynomial at x² (c0 = ±1, the other coefficients sign-flipped with it). */
function cosPolyExact(x2: number, sign: number): number {
  const x4 = x2 * x2;
  const c2 = fma(x2, sign * C4, sign * C3);
  const c1 = fma(x2, sign * C1, sign);
  const x6 = x4 * x2;
  const c = fma(x4, sign * C2, c1);
  return fma(c2, x6, c);
}

/** The large-argument reduction: r (in units of the quadrant) and n, from the bits of |y|. */
function reduceLarge(bits: number): { r: number; n: number } {
  const index = (bits >>> 26) & 15;
  const shift = (bits >>> 23) & 7;
  const m = BigInt((((bits & 0xffffff) | 0x800000) << shift) >>> 0);
  const mask64 = (1n << 64n) - 1n;
  const res0 = (m * INV_PIO4[index]) & 0xffffffffn;
  const res1 = m * INV_PIO4[index + 4];
  const res2 = m * INV_PIO4[index + 8];
  let acc = ((res2 >> 32n) | (res0 << 32n)) & mask64;
  acc = (acc + res1) & mask64;
  const n = ((acc + (1n << 61n)) & mask64) >> 62n;
  acc = (acc - (n << 62n)) & mask64;
  return { r: Number(BigInt.asIntN(64, acc)) * PI63, n: Number(n) };
}

/** The result of {@linkcode sincosf}: sine and cosine of the last argument (float32 values). */
export const sincosOut = { s: 0, c: 0 };

// What a call asks for: the sine, the cosine, or both (into sincosOut).
const SIN = 1;
const COS = 2;
const BOTH = 3;

/** The sine (odd) polynomial of the reduced argument, fused or plain. */
function sinValue(x: number, x2: number, bound: number): number {
  const x3 = x * x2;
  const v = (x + x3 * S1) + (S2 + x2 * S3) * (x3 * x2);
  return settles(v, bound) ? f32(v) : f32(sinPolyExact(x, x2));
}

/** The cosine (even) polynomial, c0 = sign, fused or plain. */
function cosValue(x2: number, sign: number, bound: number): number {
  const x4 = x2 * x2;
  const v = sign * ((1 + x2 * C1 + x4 * C2) + (C3 + x2 * C4) * (x4 * x2));
  return settles(v, bound) ? f32(v) : f32(cosPolyExact(x2, sign));
}

/**
 * glibc's `__sinf_fma` / `__cosf_fma` / `__sincosf_fma` for the float32 y: returns the sine
 * (SIN) or the cosine (COS), or stores both in sincosOut (BOTH).
 */
function evaluate(y: number, what: number): number {
  const bits = bitsOf(y);
  const top = (bits >>> 20) & 0x7ff;
  const x = f32Buf[0];
  let sin = NaN;
  let cos = NaN;
  if (top < 0x3f4) { // |y| < π/4
    if (top < 0x398) { // |y| < 2^-12
      sin = x;
      cos = 1;
    } else {
      const x2 = x * x;
      if (what & SIN) sin = sinValue(x, x2, SMALL_REL_BOUND * Math.abs(x));
      if (what & COS) cos = cosValue(x2, 1, SMALL_REL_BOUND);
    }
  } else if (top < 0x7f8) {
    let n: number;
    let r: number;
    let quadrant: number;
    let bound = REDUCED_BOUND;
    if (top < 0x42f) { // |y| < 120: n = round(y·2/π), r = y − n·π/2 (fused; plain first)
      n = ((Math.trunc(x * HPI_INV) | 0) + 0x800000) >> 24;
      r = x - n * HPI;
      quadrant = n;
    } else {
      const reduced = reduceLarge(bits);
      n = reduced.n;
      r = reduced.r;
      quadrant = n + (bits >>> 31);
      bound = -1; // always exact
    }
    const sign = QUADRANT_SIGN[quadrant & 3];
    const flip = (quadrant & 2) !== 0 ? -1 : 1;
    const odd = (n & 1) !== 0;
    // Even quadrants: sin from the odd polynomial, cos from the even one; odd ones swap.
    const wantOdd = ((what & SIN) && !odd) || ((what & COS) && odd);
    const wantEven = ((what & SIN) && odd) || ((what & COS) && !odd);
    let vOdd = NaN;
    let vEven = NaN;
    const x2 = r * r;
    if (bound > 0) {
      if (wantOdd) {
        const xs = r * sign;
        const x3 = xs * x2;
        vOdd = (xs + x3 * S1) + (S2 + x2 * S3) * (x3 * x2);
      }
      if (wantEven) {
        const x4 = x2 * x2;
        vEven = flip * ((1 + x2 * C1 + x4 * C2) + (C3 + x2 * C4) * (x4 * x2));
      }
    }
    if ((wantOdd && !settles(vOdd, bound)) || (wantEven && !settles(vEven, bound))) {
      if (bound > 0) r = fma(-n, HPI, x);
      const rr = r * r;
      if (wantOdd) vOdd = sinPolyExact(r * sign, rr);
      if (wantEven) vEven = cosPolyExact(rr, flip);
    }
    sin = f32(odd ? vEven : vOdd);
    cos = f32(odd ? vOdd : vEven);
  }
  if (what === BOTH) {
    sincosOut.s = sin;
    sincosOut.c = cos;
  }
  return what === COS ? cos : sin;
}

/**
 * glibc's `sinf` (x86-64, FMA variant) of a float32 value, bit for bit. The argument is rounded
 * to float32 first (C's implicit conversion); the result is a float32 value.
 *
 * @example
 * ```ts
 * import { sinf } from "./sincosf.ts";
 * sinf(1); // 0.8414709568023682 (float32)
 * ```
 */
export function sinf(y: number): number {
  return evaluate(y, SIN);
}

/**
 * glibc's `cosf` (x86-64, FMA variant) of a float32 value, bit for bit.
 *
 * @example
 * ```ts
 * import { cosf } from "./sincosf.ts";
 * cosf(1); // 0.5403022766113281 (float32)
 * ```
 */
export function cosf(y: number): number {
  return evaluate(y, COS);
}

/**
 * Both `sinf(y)` and `cosf(y)` (glibc's `sincosf`, which equals them), into
 * {@linkcode sincosOut}: Box2D's `b2Rot::Set`, which gcc compiles to one `sincosf` call.
 *
 * @example
 * ```ts
 * import { sincosf, sincosOut } from "./sincosf.ts";
 * sincosf(1);
 * [sincosOut.s, sincosOut.c]; // [0.8414709568023682, 0.5403022766113281]
 * ```
 */
export function sincosf(y: number): void {
  evaluate(y, BOTH);
}
