/**
 * Element-wise and matrix-vector WebAssembly-SIMD kernels (part of the compute layer's one kernel
 * module, `module.ts`):
 *
 * | kernel | formula (per element) | used for |
 * |---|---|---|
 * | `tanh` | y = tanh(x) | forward pass of tanh layers |
 * | `tanhGrad` | y = (1 − h²)·x | δ = ∂ℓ/∂z and R{h} through tanh |
 * | `reluGrad` | y = x·1[h > 0] | the same through ReLU |
 * | `tanhRBack` | y = (1 − h²)·g − 2·h·d·r | R{δ} through tanh (tanh″ = −2h(1 − h²)) |
 * | `accumulateF64` | a += f64(x) | float64 accumulation of float32 chunk results |
 * | `gemvRow`, `gemvCol` | y (+)= A·x, y (+)= Aᵀ·x | layers of width 1 (value and Q heads) |
 *
 * The activation kernels work on `reps × rows × width` arrays: x, g and r are [reps, rows,
 * width] (one rows × width matrix per block vector, one after the other), h and d are
 * [rows, width] and are broadcast over the `reps` matrices (the forward state is shared by every
 * vector of a block). The output may alias x, g or r. Row tails (width mod 4) go through a 16-byte
 * scratch area per operand ({@linkcode ELEMENTWISE_SCRATCH_BYTES}), so nothing outside the arrays
 * is read or written.
 *
 * **tanh** (no tanh instruction exists): for |x| < 0.625 an odd polynomial x·P(x²) (degree 5
 * in x², fitted for minimal relative error on [0, 0.625]); above, 1 − 2/(e^{2|x|} + 1) with
 * e^y = 2^k·p(r), k = round(y/ln 2), r = y − k·ln 2 (two-part ln 2), p the degree-7 Taylor
 * polynomial (|r| ≤ ln 2/2, truncation ≤ 5e-9); |x| is capped at 10, where tanh rounds to 1 in
 * float32; the sign is copied from x. Relative error ≤ 3e-7 over all finite inputs (tested);
 * NaN propagates.
 *
 * @module
 */
import { Code, F32, I32, V128, type ValType } from "./assembler.ts";
import { GEMM } from "../kernels.ts";
import type { KernelCode } from "./matrix.ts";

/** `v128.const` holding `x` in all four f32 lanes. */
function f32x4Const(c: Code, x: number): Code {
  return c.v128Const(new Uint8Array(new Float32Array([x, x, x, x]).buffer));
}

/** `v128.const` holding the i32 `x` in all four lanes. */
function i32x4Const(c: Code, x: number): Code {
  return c.v128Const(new Uint8Array(new Int32Array([x, x, x, x]).buffer));
}

/** Coefficients of tanh(x)/x ≈ P(x²) on |x| < TANH_SMALL (float32, lowest degree first). */
const TANH_P = [
  1,
  -0.3333326280117035,
  0.13331185281276703,
  -0.0537252314388752,
  0.020603150129318237,
  -0.005672425497323275,
];
const TANH_SMALL = 0.625;
const TANH_CAP = 10;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;

/** A local-variable allocator for one function body. */
class Locals {
  readonly types: ValType[] = [];
  readonly #first: number;
  constructor(params: number) {
    this.#first = params;
  }
  add(t: ValType): number {
    this.types.push(t);
    return this.#first + this.types.length - 1;
  }
}

/**
 * Emits the body of one element-wise operation on v128 operands: `operand(k)` pushes operand k,
 * the body leaves the result on the stack.
 */
type VectorBody = (c: Code, operand: (k: number) => void, locals: Locals) => void;

/**
 * An element-wise kernel over [reps, rows, width] arrays (see the module doc).
 * Parameters: out, operand pointers…, rows, width, reps, scratch (16·(operands + 1) bytes).
 */
function elementwiseCode(
  broadcast: readonly boolean[],
  body: VectorBody,
): KernelCode {
  const m = broadcast.length;
  const P_OUT = 0, P_IN = 1, P_ROWS = 1 + m, P_WIDTH = 2 + m, P_REPS = 3 + m, P_SCRATCH = 4 + m;
  const params: ValType[] = Array<ValType>(5 + m).fill(I32);
  const L = new Locals(params.length);
  const r = L.add(I32), j = L.add(I32), i = L.add(I32), rowB = L.add(I32), sliceB = L.add(I32);
  const pOut = L.add(I32), rem = L.add(I32);
  const pIn = broadcast.map(() => L.add(I32));
  const c = new Code();
  // Emits the vector body with operand k read from `ptr(k)` and stores to `dst`.
  const vector = (ptr: (k: number) => void, dst: () => void) => {
    dst();
    body(c, (k) => {
      ptr(k);
      c.v128Load(0);
    }, L);
    c.v128Store(0);
  };
  c.i32Const(0).localSet(j);
  c.block().loop();
  c.localGet(j).localGet(P_REPS).i32GeS().brIf(1);
  c.i32Const(0).localSet(r);
  c.block().loop();
  c.localGet(r).localGet(P_ROWS).i32GeS().brIf(1);
  // Byte offsets of this row of a broadcast operand and of this (rep, row) slice.
  c.localGet(r).localGet(P_WIDTH).i32Mul().i32Const(2).i32Shl().localSet(rowB);
  c.localGet(j).localGet(P_ROWS).i32Mul().localGet(r).i32Add().localGet(P_WIDTH).i32Mul()
    .i32Const(2).i32Shl().localSet(sliceB);
  c.localGet(P_OUT).localGet(sliceB).i32Add().localSet(pOut);
  for (let k = 0; k < m; k++) {
    c.localGet(P_IN + k).localGet(broadcast[k] ? rowB : sliceB).i32Add().localSet(pIn[k]);
  }
  c.i32Const(0).localSet(i);
  c.block().loop();
  c.localGet(i).i32Const(4).i32Add().localGet(P_WIDTH).i32GtS().brIf(1);
  vector(
    (k) => c.localGet(pIn[k]).localGet(i).i32Const(2).i32Shl().i32Add(),
    () => c.localGet(pOut).localGet(i).i32Const(2).i32Shl().i32Add(),
  );
  c.localGet(i).i32Const(4).i32Add().localSet(i);
  c.br(0).end().end();
  // Tail: copy the remaining 1–3 lanes (zero-padded) to scratch, compute there, copy back.
  c.localGet(P_WIDTH).localGet(i).i32Sub().localSet(rem);
  c.localGet(rem).if();
  for (let k = 0; k < m; k++) {
    for (let q = 0; q < 4; q++) {
      c.localGet(P_SCRATCH);
      c.localGet(rem).i32Const(q).i32GtS().ifResult(F32)
        .localGet(pIn[k]).localGet(i).i32Const(2).i32Shl().i32Add().f32Load(4 * q)
        .else().f32Const(0).end();
      c.f32Store(16 * (k + 1) + 4 * q);
    }
  }
  vector(
    (k) => c.localGet(P_SCRATCH).i32Const(16 * (k + 1)).i32Add(),
    () => c.localGet(P_SCRATCH),
  );
  for (let q = 0; q < 3; q++) {
    c.localGet(rem).i32Const(q).i32GtS().if()
      .localGet(pOut).localGet(i).i32Const(2).i32Shl().i32Add()
      .localGet(P_SCRATCH).f32Load(4 * q).f32Store(4 * q)
      .end();
  }
  c.end();
  c.localGet(r).i32Const(1).i32Add().localSet(r);
  c.br(0).end().end();
  c.localGet(j).i32Const(1).i32Add().localSet(j);
  c.br(0).end().end();
  return { params, results: [], locals: L.types, code: c };
}

/** tanh(x), see the module doc. Operand 0 is x. */
const tanhBody: VectorBody = (c, operand, L) => {
  const x = L.add(V128), ax = L.add(V128), s = L.add(V128), p = L.add(V128), k = L.add(V128);
  const rr = L.add(V128), e = L.add(V128);
  operand(0);
  c.localTee(x);
  c.f32x4Abs().localSet(ax);
  // Small |x|: x·P(x²) (with |x|; the sign is applied at the end).
  c.localGet(ax).localGet(ax).f32x4Mul().localSet(s);
  f32x4Const(c, TANH_P[TANH_P.length - 1]).localSet(p);
  for (let q = TANH_P.length - 2; q >= 0; q--) {
    c.localGet(p).localGet(s).f32x4Mul();
    f32x4Const(c, TANH_P[q]);
    c.f32x4Add().localSet(p);
  }
  c.localGet(ax).localGet(p).f32x4Mul().localSet(p);
  // Large |x|: y = 2·min(|x|, cap); e^y = 2^k·poly(r).
  c.localGet(ax);
  f32x4Const(c, TANH_CAP);
  c.f32x4Min();
  f32x4Const(c, 2);
  c.f32x4Mul().localSet(s);
  c.localGet(s);
  f32x4Const(c, Math.LOG2E);
  c.f32x4Mul();
  c.f32x4Nearest().localSet(k);
  c.localGet(s).localGet(k);
  f32x4Const(c, LN2_HI);
  c.f32x4Mul().f32x4Sub().localGet(k);
  f32x4Const(c, LN2_LO);
  c.f32x4Mul().f32x4Sub().localSet(rr);
  // Taylor polynomial of e^r, degree 7 (Horner).
  f32x4Const(c, 1 / factorial(7)).localSet(e);
  for (let q = 6; q >= 0; q--) {
    c.localGet(e).localGet(rr).f32x4Mul();
    f32x4Const(c, 1 / factorial(q));
    c.f32x4Add().localSet(e);
  }
  // 2^k from the exponent bits: (k + 127) << 23.
  c.localGet(e).localGet(k);
  c.i32x4TruncSatF32x4S();
  i32x4Const(c, 127);
  c.i32x4Add();
  c.i32Const(23);
  c.i32x4Shl();
  c.f32x4Mul().localSet(e);
  // 1 − 2/(e + 1)
  f32x4Const(c, 1);
  f32x4Const(c, 2);
  c.localGet(e);
  f32x4Const(c, 1);
  c.f32x4Add().f32x4Div().f32x4Sub();
  // select: small where |x| < TANH_SMALL; then copy the sign of x.
  c.localSet(e);
  c.localGet(p).localGet(e).localGet(ax);
  f32x4Const(c, TANH_SMALL);
  c.f32x4Lt();
  c.v128Bitselect();
  c.localGet(x);
  i32x4Const(c, -0x80000000);
  c.v128And();
  c.v128Or();
};

function factorial(q: number): number {
  let f = 1;
  for (let i = 2; i <= q; i++) f *= i;
  return f;
}

/** (1 − h²)·x: operands h (broadcast), x. */
const tanhGradBody: VectorBody = (c, operand) => {
  f32x4Const(c, 1);
  operand(0);
  operand(0);
  c.f32x4Mul().f32x4Sub();
  operand(1);
  c.f32x4Mul();
};

/** x·1[h > 0]: operands h (broadcast), x. */
const reluGradBody: VectorBody = (c, operand) => {
  operand(1);
  operand(0);
  c.v128Const(new Uint8Array(16));
  c.f32x4Gt();
  c.v128And();
};

/** (1 − h²)·g − 2·h·d·r: operands h, d (broadcast), g, r. */
const tanhRBackBody: VectorBody = (c, operand, L) => {
  const h = L.add(V128);
  f32x4Const(c, 1);
  operand(0);
  c.localTee(h).localGet(h).f32x4Mul().f32x4Sub();
  operand(2);
  c.f32x4Mul();
  f32x4Const(c, 2);
  c.localGet(h).f32x4Mul();
  operand(1);
  c.f32x4Mul();
  operand(3);
  c.f32x4Mul().f32x4Sub();
};

/** a[i] += f64(x[i]) for i < n (a float64, x float32). Params: a, x, n. */
function accumulateF64Code(): KernelCode {
  const [a, x, n] = [0, 1, 2];
  const i = 3;
  const c = new Code();
  c.i32Const(0).localSet(i);
  c.block().loop();
  c.localGet(i).i32Const(2).i32Add().localGet(n).i32GtS().brIf(1);
  c.localGet(a).localGet(i).i32Const(3).i32Shl().i32Add();
  c.localGet(a).localGet(i).i32Const(3).i32Shl().i32Add().v128Load(0);
  c.localGet(x).localGet(i).i32Const(2).i32Shl().i32Add();
  c.v128Load64Splat(0);
  c.f64x2PromoteLowF32x4().f64x2Add().v128Store(0);
  c.localGet(i).i32Const(2).i32Add().localSet(i);
  c.br(0).end().end();
  c.localGet(i).localGet(n).i32LtS().if();
  c.localGet(a).localGet(i).i32Const(3).i32Shl().i32Add();
  c.localGet(a).localGet(i).i32Const(3).i32Shl().i32Add().f64Load(0);
  c.localGet(x).localGet(i).i32Const(2).i32Shl().i32Add().f32Load(0).f64PromoteF32();
  c.f64Add().f64Store(0);
  c.end();
  return { params: [I32, I32, I32], results: [], locals: [I32], code: c };
}

const FLAG_ACCUMULATE = GEMM.ACCUMULATE, FLAG_BIAS = GEMM.BIAS;

/**
 * Matrix-vector product y (op)= A·x for one output column (a layer of width 1: value and Q
 * heads), where the general product would use one of four SIMD lanes. Params: a, x, c, bias, M,
 * K, lda, ldc, flags; y[m] = c[m·ldc], x contiguous, flags ACCUMULATE | BIAS (bias[0]).
 */
function gemvRowCode(): KernelCode {
  const [a, x, cp, bias, M, K, lda, ldc, flags] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const m = L.add(I32), k = L.add(I32), pa = L.add(I32), pc = L.add(I32);
  const acc0 = L.add(V128), acc1 = L.add(V128), s = L.add(F32);
  const c = new Code();
  c.i32Const(0).localSet(m);
  c.block().loop();
  c.localGet(m).localGet(M).i32GeS().brIf(1);
  c.localGet(a).localGet(m).localGet(lda).i32Mul().i32Const(2).i32Shl().i32Add().localSet(pa);
  c.v128Const(new Uint8Array(16)).localTee(acc0).localSet(acc1);
  c.i32Const(0).localSet(k);
  // Two accumulators, 8 per step.
  c.block().loop();
  c.localGet(k).i32Const(8).i32Add().localGet(K).i32GtS().brIf(1);
  c.localGet(pa).localGet(k).i32Const(2).i32Shl().i32Add().v128Load(0);
  c.localGet(x).localGet(k).i32Const(2).i32Shl().i32Add().v128Load(0);
  c.f32x4Mul().localGet(acc0).f32x4Add().localSet(acc0);
  c.localGet(pa).localGet(k).i32Const(2).i32Shl().i32Add().v128Load(16);
  c.localGet(x).localGet(k).i32Const(2).i32Shl().i32Add().v128Load(16);
  c.f32x4Mul().localGet(acc1).f32x4Add().localSet(acc1);
  c.localGet(k).i32Const(8).i32Add().localSet(k);
  c.br(0).end().end();
  c.localGet(acc0).localGet(acc1).f32x4Add().localSet(acc0);
  c.localGet(acc0).f32x4ExtractLane(0).localGet(acc0).f32x4ExtractLane(1).f32Add()
    .localGet(acc0).f32x4ExtractLane(2).localGet(acc0).f32x4ExtractLane(3).f32Add().f32Add()
    .localSet(s);
  c.block().loop();
  c.localGet(k).localGet(K).i32GeS().brIf(1);
  c.localGet(s);
  c.localGet(pa).localGet(k).i32Const(2).i32Shl().i32Add().f32Load(0);
  c.localGet(x).localGet(k).i32Const(2).i32Shl().i32Add().f32Load(0);
  c.f32Mul().f32Add().localSet(s);
  c.localGet(k).i32Const(1).i32Add().localSet(k);
  c.br(0).end().end();
  c.localGet(cp).localGet(m).localGet(ldc).i32Mul().i32Const(2).i32Shl().i32Add().localSet(pc);
  c.localGet(flags).i32Const(FLAG_BIAS).i32And().if()
    .localGet(s).localGet(bias).f32Load(0).f32Add().localSet(s).end();
  c.localGet(flags).i32Const(FLAG_ACCUMULATE).i32And().if()
    .localGet(s).localGet(pc).f32Load(0).f32Add().localSet(s).end();
  c.localGet(pc).localGet(s).f32Store(0);
  c.localGet(m).i32Const(1).i32Add().localSet(m);
  c.br(0).end().end();
  return { params: Array<ValType>(9).fill(I32), results: [], locals: L.types, code: c };
}

/**
 * y (op)= Aᵀ·x for one output column with A read column-major (the weight gradient of a width-1
 * layer: y[m] = Σ_k a[k·lda + m]·x[k]). Params: a, x, c, M, K, lda, flags; y contiguous,
 * flags ACCUMULATE. SIMD over 16 (then 4, then 1) outputs at a time.
 */
function gemvColCode(): KernelCode {
  const [a, x, cp, M, K, lda, flags] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(7);
  const m0 = L.add(I32), k = L.add(I32), pa = L.add(I32), ldaB = L.add(I32);
  const acc = [L.add(V128), L.add(V128), L.add(V128), L.add(V128)];
  const xs = L.add(V128), s = L.add(F32);
  const c = new Code();
  c.localGet(lda).i32Const(2).i32Shl().localSet(ldaB);
  c.i32Const(0).localSet(m0);
  const panel = (width: 16 | 4) => {
    const nv = width / 4;
    c.block().loop();
    c.localGet(m0).i32Const(width).i32Add().localGet(M).i32GtS().brIf(1);
    for (let u = 0; u < nv; u++) c.v128Const(new Uint8Array(16)).localSet(acc[u]);
    c.localGet(a).localGet(m0).i32Const(2).i32Shl().i32Add().localSet(pa);
    c.i32Const(0).localSet(k);
    c.block().loop();
    c.localGet(k).localGet(K).i32GeS().brIf(1);
    c.localGet(x).localGet(k).i32Const(2).i32Shl().i32Add().v128Load32Splat(0).localSet(xs);
    for (let u = 0; u < nv; u++) {
      c.localGet(pa).v128Load(16 * u).localGet(xs).f32x4Mul().localGet(acc[u]).f32x4Add()
        .localSet(acc[u]);
    }
    c.localGet(pa).localGet(ldaB).i32Add().localSet(pa);
    c.localGet(k).i32Const(1).i32Add().localSet(k);
    c.br(0).end().end();
    for (let u = 0; u < nv; u++) {
      const at = () => c.localGet(cp).localGet(m0).i32Const(2).i32Shl().i32Add();
      c.localGet(flags).i32Const(FLAG_ACCUMULATE).i32And().if()
        .localGet(acc[u]);
      at();
      c.v128Load(16 * u).f32x4Add().localSet(acc[u]).end();
      at();
      c.localGet(acc[u]).v128Store(16 * u);
    }
    c.localGet(m0).i32Const(width).i32Add().localSet(m0);
    c.br(0).end().end();
  };
  panel(16);
  panel(4);
  // Remaining outputs one at a time.
  c.block().loop();
  c.localGet(m0).localGet(M).i32GeS().brIf(1);
  c.f32Const(0).localSet(s);
  c.localGet(a).localGet(m0).i32Const(2).i32Shl().i32Add().localSet(pa);
  c.i32Const(0).localSet(k);
  c.block().loop();
  c.localGet(k).localGet(K).i32GeS().brIf(1);
  c.localGet(s).localGet(pa).f32Load(0);
  c.localGet(x).localGet(k).i32Const(2).i32Shl().i32Add().f32Load(0);
  c.f32Mul().f32Add().localSet(s);
  c.localGet(pa).localGet(ldaB).i32Add().localSet(pa);
  c.localGet(k).i32Const(1).i32Add().localSet(k);
  c.br(0).end().end();
  c.localGet(flags).i32Const(FLAG_ACCUMULATE).i32And().if()
    .localGet(s).localGet(cp).localGet(m0).i32Const(2).i32Shl().i32Add().f32Load(0).f32Add()
    .localSet(s).end();
  c.localGet(cp).localGet(m0).i32Const(2).i32Shl().i32Add().localGet(s).f32Store(0);
  c.localGet(m0).i32Const(1).i32Add().localSet(m0);
  c.br(0).end().end();
  return { params: Array<ValType>(7).fill(I32), results: [], locals: L.types, code: c };
}

/**
 * The element-wise and matrix-vector kernels' code, by kernel name (all return nothing).
 *
 * @example
 * ```ts
 * import { elementwiseKernelCode } from "./elementwise.ts";
 * Object.keys(elementwiseKernelCode()); // ["tanh", "tanhGrad", …]
 * ```
 */
export function elementwiseKernelCode(): Record<
  "tanh" | "tanhGrad" | "reluGrad" | "tanhRBack" | "accumulateF64" | "gemvRow" | "gemvCol",
  KernelCode
> {
  return {
    tanh: elementwiseCode([false], tanhBody),
    tanhGrad: elementwiseCode([true, false], tanhGradBody),
    reluGrad: elementwiseCode([true, false], reluGradBody),
    tanhRBack: elementwiseCode([true, true, false, false], tanhRBackBody),
    accumulateF64: accumulateF64Code(),
    gemvRow: gemvRowCode(),
    gemvCol: gemvColCode(),
  };
}

/**
 * Bytes of scratch each thread gives the element-wise kernels (16 per operand and output).
 *
 * @example
 * ```ts
 * import { ELEMENTWISE_SCRATCH_BYTES } from "./elementwise.ts";
 * ELEMENTWISE_SCRATCH_BYTES; // 80
 * ```
 */
export const ELEMENTWISE_SCRATCH_BYTES = 80;
