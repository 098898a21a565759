// The SAC engine's WebAssembly kernels against plain float64 loops written from their formulas:
// matrix products in both A layouts with every epilogue and ragged shapes, column sums,
// transposes, Adam (against lib/nn's PyTorch-rule Adam) and the Polyak average.
import { assert, assertEquals } from "@std/assert";
import { GEMM, WasmKernels } from "../../../lib/agents/sac/wasm/kernels.ts";
import { Adam } from "../../../lib/nn/mod.ts";
import { Rng } from "../../../lib/rng.ts";

const k = new WasmKernels(8 << 20);
const rng = new Rng(11);

function buffer(n: number, scale = 1): { ptr: number; view: Float32Array } {
  const ptr = k.alloc(n);
  const view = k.f32(ptr, n);
  rng.fillNormal(view, 0, scale);
  return { ptr, view };
}

Deno.test("gemm: both A layouts, every epilogue, ragged shapes match a float64 loop", () => {
  const shapes = [[1, 1, 1], [7, 13, 5], [5, 3, 2], [9, 4, 7], [33, 1, 40], [4, 17, 3], [
    13,
    19,
    11,
  ]];
  for (const layout of ["row", "col"] as const) {
    for (const [M, N, K] of shapes) {
      for (const flags of [0, 1, 2, 4, 8, 6, 15, 12]) {
        const a = buffer(M * K), b = buffer(K * N), c = buffer(M * N), bias = buffer(N);
        const mask = buffer(M * N);
        const c0 = c.view.slice();
        const lda = layout === "row" ? K : M;
        k.gemm(layout, a.ptr, b.ptr, c.ptr, bias.ptr, mask.ptr, M, N, K, lda, N, N, flags);
        let err = 0;
        for (let m = 0; m < M; m++) {
          for (let n = 0; n < N; n++) {
            let s = flags & GEMM.BIAS ? bias.view[n] : 0;
            for (let q = 0; q < K; q++) {
              s += a.view[layout === "row" ? m * K + q : q * M + m] * b.view[q * N + n];
            }
            if (flags & GEMM.ACCUMULATE) s += c0[m * N + n];
            if (flags & GEMM.RELU) s = Math.max(s, 0);
            if (flags & GEMM.MASK && !(mask.view[m * N + n] > 0)) s = 0;
            err = Math.max(err, Math.abs(s - c.view[m * N + n]));
          }
        }
        assert(err < 1e-5, `${layout} ${M}×${N}×${K} flags ${flags}: error ${err}`);
      }
    }
  }
});

Deno.test("gemm: strided operands (sub-blocks of larger matrices)", () => {
  const M = 6, N = 9, K = 5, lda = 11, ldb = 13, ldc = 10;
  const a = buffer(M * lda), b = buffer(K * ldb), c = buffer(M * ldc);
  const before = c.view.slice();
  k.gemm("row", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, lda, ldb, ldc, 0);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < ldc; n++) {
      if (n >= N) {
        assertEquals(c.view[m * ldc + n], before[m * ldc + n], "outside the block is untouched");
        continue;
      }
      let s = 0;
      for (let q = 0; q < K; q++) s += a.view[m * lda + q] * b.view[q * ldb + n];
      assert(Math.abs(s - c.view[m * ldc + n]) < 1e-5);
    }
  }
});

Deno.test("gemm is bit-reproducible from the first (baseline-tier) call to later (optimised) calls", () => {
  const M = 64, N = 64, K = 64;
  const a = buffer(M * K), b = buffer(K * N), c = buffer(M * N);
  k.gemm("col", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, M, N, N, 0);
  const first = c.view.slice();
  for (let i = 0; i < 3000; i++) k.gemm("col", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, M, N, N, 0);
  assertEquals(c.view, first);
});

Deno.test("colSum and transpose", () => {
  const M = 7, N = 11, ld = 13;
  const src = buffer(M * ld), dst = buffer(N);
  const old = dst.view.slice();
  k.exports.colSum(src.ptr, dst.ptr, M, N, ld, 1);
  for (let n = 0; n < N; n++) {
    let s = old[n];
    for (let m = 0; m < M; m++) s += src.view[m * ld + n];
    assert(Math.abs(s - dst.view[n]) < 1e-5);
  }
  k.exports.colSum(src.ptr, dst.ptr, M, N, ld, 0);
  let s0 = 0;
  for (let m = 0; m < M; m++) s0 += src.view[m * ld];
  assert(Math.abs(s0 - dst.view[0]) < 1e-5);
  const R = 5, C = 37; // two full 16-column blocks and a partial one
  const t = buffer(R * C), tt = buffer(R * C);
  k.exports.transpose(t.ptr, tt.ptr, R, C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) assertEquals(tt.view[c * R + r], t.view[r * C + c]);
  }
});

Deno.test("adam: PyTorch's update rule, agrees with lib/nn Adam over many steps", () => {
  const n = 23; // vector body plus a scalar tail
  const lr = 3e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const p = buffer(n), g = buffer(n), m = buffer(n), v = buffer(n), sc = buffer(6);
  m.view.fill(0);
  v.view.fill(0);
  const ref = p.view.slice();
  const adam = new Adam(n, { lr, beta1, beta2, eps });
  for (let t = 1; t <= 50; t++) {
    rng.fillNormal(g.view, 0, t % 7 === 0 ? 1e-3 : 1);
    sc.view.set([
      lr / (1 - beta1 ** t),
      Math.sqrt(1 - beta2 ** t),
      eps,
      1 - beta1,
      beta2,
      1 - beta2,
    ]);
    k.exports.adam(p.ptr, g.ptr, m.ptr, v.ptr, n, sc.ptr);
    adam.step(ref, g.view);
  }
  for (let i = 0; i < n; i++) {
    assert(Math.abs(p.view[i] - ref[i]) < 2e-6, `entry ${i}: ${p.view[i]} vs ${ref[i]}`);
  }
});

Deno.test("polyak: t ← (1 − τ)·t + τ·p", () => {
  const n = 10, tau = 0.005;
  const t = buffer(n), p = buffer(n), sc = buffer(2);
  sc.view.set([1 - tau, tau]);
  const expected = Array.from(t.view, (x, i) => (1 - tau) * x + tau * p.view[i]);
  k.exports.polyak(t.ptr, p.ptr, n, sc.ptr);
  for (let i = 0; i < n; i++) assert(Math.abs(t.view[i] - expected[i]) < 1e-6);
});

Deno.test("finiteProbe: 0 for finite vectors, NaN when any entry is NaN or infinite", () => {
  const n = 9;
  const x = buffer(n);
  assertEquals(k.exports.finiteProbe(x.ptr, n), 0);
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const at of [0, 5, 8]) {
      const old = x.view[at];
      x.view[at] = bad;
      assert(Number.isNaN(k.exports.finiteProbe(x.ptr, n)), `${bad} at ${at}`);
      x.view[at] = old;
    }
  }
});
