/**
 * Matrix WebAssembly-SIMD kernels (part of the compute layer's one kernel module, `module.ts`):
 * a register-blocked matrix product with fused epilogues, bias-gradient column sums, a transpose,
 * Adam (PyTorch's update rule, float32 state as in torch), the Polyak average and a finiteness
 * probe.
 *
 * Why: tfjs-wasm runs an untransposed 256×256×256 product at ≈ 25 GFLOP/s but falls back to a
 * naive loop for the transposed products of the backward pass (≈ 2 GFLOP/s, `bench/sac.ts`).
 * These kernels read A either row- or column-major, so ∂W = Xᵀ·∂Y needs no transpose and
 * ∂X = ∂Y·Wᵀ needs only a weight transpose; both then run at the untransposed speed.
 *
 * The matrix product is an outer-product micro-kernel: an MR×8 tile of C lives in 2·MR SIMD
 * registers; each step over k loads one 8-wide row segment of B (two v128) and MR broadcast
 * scalars of A, and issues 2·MR fused multiply-adds (`f32x4.relaxed_madd`). V8 lowers relaxed
 * multiply-add to the same instruction in every tier on a given CPU (FMA where the CPU has it),
 * so results are deterministic on one machine; they may differ in the last bit across machines.
 *
 * All pointers are byte offsets into the imported memory; all strides are in elements.
 *
 * @module
 */
import { Code, F32, I32, V128, type ValType } from "./assembler.ts";
import { GEMM } from "../kernels.ts";

/**
 * One kernel's WebAssembly function: signature, locals and body (without the final `end`).
 *
 * @example
 * ```ts
 * import { Code, I32 } from "./assembler.ts";
 * import type { KernelCode } from "./matrix.ts";
 * const add: KernelCode = { params: [I32, I32], results: [I32], locals: [], code: new Code().localGet(0).localGet(1).i32Add() };
 * ```
 */
export interface KernelCode {
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  code: Code;
}

/**
 * Rows of the register tile for row-major and column-major A: 6 × 8 keeps 12 accumulators and 3
 * operands in x86-64's 16 SIMD registers (row-major: ≈ 10 % faster than 4 × 8; every output is
 * the same sequence of multiply-adds either way, so results do not change).
 */
const MR_ROW = 6;
const MR_COL = 6;

// gemm parameters, in order.
const G = {
  a: 0,
  b: 1,
  c: 2,
  bias: 3,
  mask: 4,
  M: 5,
  N: 6,
  K: 7,
  lda: 8,
  ldb: 9,
  ldc: 10,
  flags: 11,
};

/**
 * C[m, n] (op)= Σ_k A(m, k)·B[k, n] for m < M, n < N with
 * A(m, k) = a[m·lda + k] (`layout` "row") or a[k·lda + m] ("col"), B row-major (ldb), C row-major
 * (ldc); epilogue by `flags` (see `GEMM` in `../kernels.ts`). Column tails (N mod 8) use 4-wide and
 * partial tiles; rows beyond the last full tile use 1-row tiles. Reads of B, bias and mask may
 * run up to 12 bytes past a row's end (lanes that are never stored), so buffers need that slack.
 */
function gemmCode(layout: "row" | "col"): KernelCode {
  const MR = layout === "row" ? MR_ROW : MR_COL;
  const locals: ValType[] = [];
  let next = 12;
  const i32 = () => (locals.push(I32), next++);
  const v128 = () => (locals.push(V128), next++);
  const n0 = i32(), m0 = i32(), k = i32(), pb = i32(), pa = i32(), pc = i32(), pm = i32();
  const ldaB = i32(), ldbB = i32(), ldcB = i32();
  const paRow: number[] = Array.from({ length: MR }, () => i32());
  const acc: number[][] = Array.from({ length: MR }, () => [v128(), v128()]);
  const bv = [v128(), v128()];
  const av = v128();
  const zero = v128();
  const c = new Code();
  c.localGet(G.lda).i32Const(2).i32Shl().localSet(ldaB);
  c.localGet(G.ldb).i32Const(2).i32Shl().localSet(ldbB);
  c.localGet(G.ldc).i32Const(2).i32Shl().localSet(ldcB);
  c.v128Const(new Uint8Array(16)).localSet(zero);

  // One tile of `mr` rows × `nv` vectors at (m0, n0); the last vector stores `lanes` lanes.
  const tile = (mr: number, nv: number, lanes: number) => {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nv; j++) {
        c.localGet(G.flags).i32Const(GEMM.BIAS).i32And().if()
          .localGet(G.bias).localGet(n0).i32Const(2).i32Shl().i32Add().v128Load(16 * j)
          .localSet(acc[i][j])
          .else().localGet(zero).localSet(acc[i][j]).end();
      }
    }
    if (layout === "row") {
      for (let i = 0; i < mr; i++) {
        c.localGet(G.a).localGet(m0).i32Const(i).i32Add().localGet(ldaB).i32Mul().i32Add()
          .localSet(paRow[i]);
      }
    } else c.localGet(G.a).localGet(m0).i32Const(2).i32Shl().i32Add().localSet(pa);
    c.localGet(G.b).localGet(n0).i32Const(2).i32Shl().i32Add().localSet(pb);
    c.localGet(G.K).localSet(k);
    c.block().loop();
    c.localGet(k).i32Eqz().brIf(1);
    for (let j = 0; j < nv; j++) c.localGet(pb).v128Load(16 * j).localSet(bv[j]);
    for (let i = 0; i < mr; i++) {
      if (layout === "row") c.localGet(paRow[i]).v128Load32Splat(0);
      else c.localGet(pa).v128Load32Splat(4 * i);
      c.localSet(av);
      for (let j = 0; j < nv; j++) {
        c.localGet(av).localGet(bv[j]).localGet(acc[i][j]).f32x4RelaxedMadd().localSet(acc[i][j]);
      }
    }
    if (layout === "row") {
      for (let i = 0; i < mr; i++) c.localGet(paRow[i]).i32Const(4).i32Add().localSet(paRow[i]);
    } else c.localGet(pa).localGet(ldaB).i32Add().localSet(pa);
    c.localGet(pb).localGet(ldbB).i32Add().localSet(pb);
    c.localGet(k).i32Const(1).i32Sub().localSet(k);
    c.br(0).end().end();
    for (let i = 0; i < mr; i++) {
      const rowOffset = () =>
        c.localGet(m0).i32Const(i).i32Add().localGet(ldcB).i32Mul().localGet(n0).i32Const(2)
          .i32Shl().i32Add();
      c.localGet(G.c);
      rowOffset();
      c.i32Add().localSet(pc);
      c.localGet(G.mask);
      rowOffset();
      c.i32Add().localSet(pm);
      for (let j = 0; j < nv; j++) {
        const x = acc[i][j];
        c.localGet(G.flags).i32Const(GEMM.ACCUMULATE).i32And().if()
          .localGet(x).localGet(pc).v128Load(16 * j).f32x4Add().localSet(x).end();
        c.localGet(G.flags).i32Const(GEMM.RELU).i32And().if()
          .localGet(x).localGet(zero).f32x4Max().localSet(x).end();
        c.localGet(G.flags).i32Const(GEMM.MASK).i32And().if()
          .localGet(x).localGet(pm).v128Load(16 * j).localGet(zero).f32x4Gt().v128And().localSet(x)
          .end();
        const l = j === nv - 1 ? lanes : 4;
        if (l === 4) c.localGet(pc).localGet(x).v128Store(16 * j);
        else {
          for (let q = 0; q < l; q++) {
            c.localGet(pc).localGet(x).f32x4ExtractLane(q).f32Store(16 * j + 4 * q);
          }
        }
      }
    }
  };

  // All rows for the current column panel: full MR tiles, then single rows.
  const rows = (nv: number, lanes: number) => {
    c.i32Const(0).localSet(m0);
    c.block().loop();
    c.localGet(m0).i32Const(MR).i32Add().localGet(G.M).i32GtS().brIf(1);
    tile(MR, nv, lanes);
    c.localGet(m0).i32Const(MR).i32Add().localSet(m0);
    c.br(0).end().end();
    c.block().loop();
    c.localGet(m0).localGet(G.M).i32GeS().brIf(1);
    tile(1, nv, lanes);
    c.localGet(m0).i32Const(1).i32Add().localSet(m0);
    c.br(0).end().end();
  };
  c.i32Const(0).localSet(n0);
  c.block().loop();
  c.localGet(n0).i32Const(8).i32Add().localGet(G.N).i32GtS().brIf(1);
  rows(2, 4);
  c.localGet(n0).i32Const(8).i32Add().localSet(n0);
  c.br(0).end().end();
  c.localGet(n0).i32Const(4).i32Add().localGet(G.N).i32LeS().if();
  rows(1, 4);
  c.localGet(n0).i32Const(4).i32Add().localSet(n0);
  c.end();
  for (const lanes of [1, 2, 3]) {
    c.localGet(G.N).localGet(n0).i32Sub().i32Const(lanes).i32Sub().i32Eqz().if();
    rows(1, lanes);
    c.end();
  }
  return { params: Array<ValType>(12).fill(I32), results: [], locals, code: c };
}

/** The float32 operations of one lane width: 4 (SIMD, v128) or 1 (the scalar tail). */
interface Lanes {
  width: 1 | 4;
  zero(c: Code): Code;
  load(c: Code): Code;
  store(c: Code): Code;
  add(c: Code): Code;
  sub(c: Code): Code;
  mul(c: Code): Code;
  div(c: Code): Code;
  sqrt(c: Code): Code;
}

/** The operations of `width` lanes. */
function lanes(width: 1 | 4): Lanes {
  const v = width === 4;
  return {
    width,
    zero: (c) => v ? c.v128Const(new Uint8Array(16)) : c.f32Const(0),
    load: (c) => v ? c.v128Load(0) : c.f32Load(0),
    store: (c) => v ? c.v128Store(0) : c.f32Store(0),
    add: (c) => v ? c.f32x4Add() : c.f32Add(),
    sub: (c) => v ? c.f32x4Sub() : c.f32Sub(),
    mul: (c) => v ? c.f32x4Mul() : c.f32Mul(),
    div: (c) => v ? c.f32x4Div() : c.f32Div(),
    sqrt: (c) => v ? c.f32x4Sqrt() : c.f32Sqrt(),
  };
}

const SIMD = lanes(4), SCALAR = lanes(1);

/**
 * An element-wise loop over n float32 entries: `body` runs with the byte offset in local `off`
 * first on 4 lanes while 4 entries remain, then on 1 lane for the tail (local `i` counts).
 */
function laneLoops(
  c: Code,
  i: number,
  n: number,
  off: number,
  body: (lanes: Lanes) => void,
): void {
  c.i32Const(0).localSet(i);
  for (const lanes of [SIMD, SCALAR]) {
    c.block().loop();
    breakAtEnd(c, i, n, lanes.width);
    c.localGet(i).i32Const(2).i32Shl().localSet(off);
    body(lanes);
    c.localGet(i).i32Const(lanes.width).i32Add().localSet(i);
    c.br(0).end().end();
  }
}

/** Leaves the enclosing block when fewer than `width` entries remain (i + width > n). */
function breakAtEnd(c: Code, i: number, n: number, width: 1 | 4): void {
  if (width === 4) c.localGet(i).i32Const(4).i32Add().localGet(n).i32GtS().brIf(1);
  else c.localGet(i).localGet(n).i32GeS().brIf(1);
}

/** dst[n] (op)= Σ_{m<M} src[m·ld + n] for n < N; `accumulate` ≠ 0 adds to dst. */
function colSumCode(): KernelCode {
  // params: src dst M N ld accumulate
  const [src, dst, M, N, ld, accumulate] = [0, 1, 2, 3, 4, 5];
  const n = 6, m = 7, p = 8, ldB = 9, acc = 10, s = 11;
  const c = new Code();
  c.localGet(ld).i32Const(2).i32Shl().localSet(ldB);
  c.i32Const(0).localSet(n);
  // 4 columns at a time, then the remaining ones one at a time.
  for (const L of [SIMD, SCALAR]) {
    const sum = L.width === 4 ? acc : s;
    c.block().loop();
    breakAtEnd(c, n, N, L.width);
    L.zero(c).localSet(sum);
    c.localGet(src).localGet(n).i32Const(2).i32Shl().i32Add().localSet(p);
    c.i32Const(0).localSet(m);
    c.block().loop();
    c.localGet(m).localGet(M).i32GeS().brIf(1);
    L.add(L.load(c.localGet(sum).localGet(p))).localSet(sum);
    c.localGet(p).localGet(ldB).i32Add().localSet(p);
    c.localGet(m).i32Const(1).i32Add().localSet(m);
    c.br(0).end().end();
    const at = () => c.localGet(dst).localGet(n).i32Const(2).i32Shl().i32Add();
    c.localGet(accumulate).if().localGet(sum);
    L.add(L.load(at())).localSet(sum).end();
    L.store(at().localGet(sum));
    c.localGet(n).i32Const(L.width).i32Add().localSet(n);
    c.br(0).end().end();
  }
  return {
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, V128, F32],
    code: c,
  };
}

/** dst[c·R + r] = src[r·C + c] (an R×C row-major matrix into its C×R transpose). */
function transposeCode(): KernelCode {
  const [src, dst, R, C] = [0, 1, 2, 3];
  const r = 4, col = 5, ps = 6, pd = 7, rB = 8;
  const c = new Code();
  c.localGet(R).i32Const(2).i32Shl().localSet(rB);
  c.i32Const(0).localSet(r);
  c.block().loop();
  c.localGet(r).localGet(R).i32GeS().brIf(1);
  c.localGet(src).localGet(r).localGet(C).i32Mul().i32Const(2).i32Shl().i32Add().localSet(ps);
  c.localGet(dst).localGet(r).i32Const(2).i32Shl().i32Add().localSet(pd);
  c.i32Const(0).localSet(col);
  c.block().loop();
  c.localGet(col).localGet(C).i32GeS().brIf(1);
  c.localGet(pd).localGet(ps).f32Load(0).f32Store(0);
  c.localGet(ps).i32Const(4).i32Add().localSet(ps);
  c.localGet(pd).localGet(rB).i32Add().localSet(pd);
  c.localGet(col).i32Const(1).i32Add().localSet(col);
  c.br(0).end().end();
  c.localGet(r).i32Const(1).i32Add().localSet(r);
  c.br(0).end().end();
  return { params: [I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32, I32], code: c };
}

/**
 * PyTorch's single-tensor Adam step in float32 on n entries (torch.optim.Adam, no weight decay):
 *   m ← m + (1 − β1)·(g − m)          (torch: exp_avg.lerp_(grad, 1 − β1))
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − stepSize · m / (√v / √(1 − β2ᵗ) + eps),  stepSize = lr / (1 − β1ᵗ)
 * Scalars are read as f32 from `scalars`: [stepSize, √(1 − β2ᵗ), eps, 1 − β1, β2, 1 − β2].
 */
function adamCode(): KernelCode {
  const [p, g, m, v, n, sc] = [0, 1, 2, 3, 4, 5];
  const i = 6, off = 7;
  // Locals of the SIMD loop (v128) and of the scalar tail (f32): the six scalars, g, m, v.
  const simd = { step: 8, bc2: 9, eps: 10, w1: 11, b2: 12, w2: 13, g: 14, m: 15, v: 16 };
  const scalar = { step: 17, bc2: 18, eps: 19, w1: 20, b2: 21, w2: 22, g: 23, m: 24, v: 25 };
  const c = new Code();
  (["step", "bc2", "eps", "w1", "b2", "w2"] as const).forEach((name, slot) => {
    c.localGet(sc).f32Load(4 * slot).localTee(scalar[name]).f32x4Splat().localSet(simd[name]);
  });
  const at = (base: number) => c.localGet(base).localGet(off).i32Add();
  laneLoops(c, i, n, off, (L) => {
    const r = L.width === 4 ? simd : scalar;
    L.load(at(g)).localSet(r.g);
    // m ← m + w1·(g − m)
    L.load(at(m)).localSet(r.m);
    L.add(L.mul(L.sub(c.localGet(r.m).localGet(r.w1).localGet(r.g).localGet(r.m)))).localSet(r.m);
    L.store(at(m).localGet(r.m));
    // v ← β2·v + w2·g·g
    L.mul(L.load(at(v)).localGet(r.b2));
    L.add(L.mul(L.mul(c.localGet(r.w2).localGet(r.g).localGet(r.g)))).localSet(r.v);
    L.store(at(v).localGet(r.v));
    // p ← p − step·(m / (√v / bc2 + eps))
    at(p);
    L.load(at(p)).localGet(r.step).localGet(r.m);
    L.sqrt(c.localGet(r.v));
    L.div(c.localGet(r.bc2));
    L.add(c.localGet(r.eps));
    L.store(L.sub(L.mul(L.div(c))));
  });
  return {
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [
      I32,
      I32,
      ...Array<ValType>(9).fill(V128),
      ...Array<ValType>(9).fill(F32),
    ],
    code: c,
  };
}

/**
 * Polyak average t ← t·(1 − τ) + τ·p on n entries (SB3 `polyak_update`: `mul_` then `add_`
 * with alpha τ), float32. Scalars from `scalars`: [1 − τ, τ].
 */
function polyakCode(): KernelCode {
  const [t, p, n, sc] = [0, 1, 2, 3];
  const i = 4, off = 5;
  const simd = { keep: 6, tau: 7 }, scalar = { keep: 8, tau: 9 };
  const c = new Code();
  c.localGet(sc).f32Load(0).localTee(scalar.keep).f32x4Splat().localSet(simd.keep);
  c.localGet(sc).f32Load(4).localTee(scalar.tau).f32x4Splat().localSet(simd.tau);
  const at = (base: number) => c.localGet(base).localGet(off).i32Add();
  laneLoops(c, i, n, off, (L) => {
    const r = L.width === 4 ? simd : scalar;
    at(t);
    L.mul(L.load(at(t)).localGet(r.keep));
    L.mul(L.load(at(p)).localGet(r.tau));
    L.store(L.add(c));
  });
  return {
    params: [I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, V128, V128, F32, F32],
    code: c,
  };
}

/**
 * Σ (x − x) over n float32 entries: 0 when all are finite, NaN when any is NaN or ±∞ (a cheap
 * finiteness check of a gradient or parameter vector).
 */
function finiteProbeCode(): KernelCode {
  const [p, n] = [0, 1];
  const i = 2, acc = 3, s = 4, x = 5, y = 6;
  const c = new Code();
  c.v128Const(new Uint8Array(16)).localSet(acc);
  c.i32Const(0).localSet(i);
  c.block().loop();
  c.localGet(i).i32Const(4).i32Add().localGet(n).i32GtS().brIf(1);
  c.localGet(p).localGet(i).i32Const(2).i32Shl().i32Add().v128Load(0).localTee(x).localGet(x)
    .f32x4Sub().localGet(acc).f32x4Add().localSet(acc);
  c.localGet(i).i32Const(4).i32Add().localSet(i);
  c.br(0).end().end();
  c.localGet(acc).f32x4ExtractLane(0).localGet(acc).f32x4ExtractLane(1).f32Add()
    .localGet(acc).f32x4ExtractLane(2).f32Add().localGet(acc).f32x4ExtractLane(3).f32Add()
    .localSet(s);
  c.block().loop();
  c.localGet(i).localGet(n).i32GeS().brIf(1);
  c.localGet(s).localGet(p).localGet(i).i32Const(2).i32Shl().i32Add().f32Load(0).localTee(y)
    .localGet(y).f32Sub().f32Add().localSet(s);
  c.localGet(i).i32Const(1).i32Add().localSet(i);
  c.br(0).end().end();
  c.localGet(s);
  return { params: [I32, I32], results: [F32], locals: [I32, V128, F32, V128, F32], code: c };
}

/**
 * The matrix kernels' code, by kernel name.
 *
 * @example
 * ```ts
 * import { matrixKernelCode } from "./matrix.ts";
 * matrixKernelCode().gemmRow.params.length; // 12
 * ```
 */
export function matrixKernelCode(): Record<
  "gemmRow" | "gemmCol" | "colSum" | "transpose" | "adam" | "polyak" | "finiteProbe",
  KernelCode
> {
  return {
    gemmRow: gemmCode("row"),
    gemmCol: gemmCode("col"),
    colSum: colSumCode(),
    transpose: transposeCode(),
    adam: adamCode(),
    polyak: polyakCode(),
    finiteProbe: finiteProbeCode(),
  };
}
