// The compute layer's WebAssembly kernels against plain float64 loops written from their
// formulas: matrix products in both A layouts with every epilogue and ragged shapes, matrix-vector
// products, column sums, transposes, Adam (against lib/nn's PyTorch-rule Adam), the Polyak
// average, the finiteness probe, tanh and the activation derivatives.
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { Arena } from "../../../lib/compute/arena.ts";
import { GEMM } from "../../../lib/compute/kernels.ts";
import { WasmDevice } from "../../../lib/compute/wasm/device.ts";
import { Adam } from "../../../lib/compute/adam.ts";
import { Rng } from "../../../lib/rng.ts";

const dev = new WasmDevice(8 << 20);
const arena = new Arena(64);
const k = dev.kernels;
const rng = new Rng(11);

function buffer(n: number, scale = 1): { ptr: number; view: Float32Array } {
  const ptr = arena.f32(n);
  const view = dev.f32(ptr, n);
  rng.fillNormal(view, 0, scale);
  return { ptr, view };
}

function gemm(layout: "row" | "col", ...args: Parameters<typeof k.gemmRow>): void {
  (layout === "row" ? k.gemmRow : k.gemmCol)(...args);
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
        gemm(layout, a.ptr, b.ptr, c.ptr, bias.ptr, mask.ptr, M, N, K, lda, N, N, flags);
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
  gemm("row", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, lda, ldb, ldc, 0);
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
  gemm("col", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, M, N, N, 0);
  const first = c.view.slice();
  for (let i = 0; i < 3000; i++) gemm("col", a.ptr, b.ptr, c.ptr, 0, 0, M, N, K, M, N, N, 0);
  assertEquals(c.view, first);
});

Deno.test("colSum and transpose", () => {
  const M = 7, N = 11, ld = 13;
  const src = buffer(M * ld), dst = buffer(N);
  const old = dst.view.slice();
  k.colSum(src.ptr, dst.ptr, M, N, ld, 1);
  for (let n = 0; n < N; n++) {
    let s = old[n];
    for (let m = 0; m < M; m++) s += src.view[m * ld + n];
    assert(Math.abs(s - dst.view[n]) < 1e-5);
  }
  k.colSum(src.ptr, dst.ptr, M, N, ld, 0);
  let s0 = 0;
  for (let m = 0; m < M; m++) s0 += src.view[m * ld];
  assert(Math.abs(s0 - dst.view[0]) < 1e-5);
  const R = 5, C = 37; // two full 16-column blocks and a partial one
  const t = buffer(R * C), tt = buffer(R * C);
  k.transpose(t.ptr, tt.ptr, R, C);
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
    k.adam(p.ptr, g.ptr, m.ptr, v.ptr, n, sc.ptr);
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
  k.polyak(t.ptr, p.ptr, n, sc.ptr);
  for (let i = 0; i < n; i++) assert(Math.abs(t.view[i] - expected[i]) < 1e-6);
});

Deno.test("finiteProbe: 0 for finite vectors, NaN when any entry is NaN or infinite", () => {
  const n = 9;
  const x = buffer(n);
  assertEquals(k.finiteProbe(x.ptr, n), 0);
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const at of [0, 5, 8]) {
      const old = x.view[at];
      x.view[at] = bad;
      assert(Number.isNaN(k.finiteProbe(x.ptr, n)), `${bad} at ${at}`);
      x.view[at] = old;
    }
  }
});

Deno.test("gemv: row and column forms with bias and accumulation match a float64 loop", () => {
  for (const [M, K] of [[1, 1], [7, 13], [33, 40], [5, 3]]) {
    const a = buffer(M * K), x = buffer(K), bias = buffer(1), y = buffer(M), y0 = y.view.slice();
    k.gemvRow(a.ptr, x.ptr, y.ptr, bias.ptr, M, K, K, 1, GEMM.BIAS | GEMM.ACCUMULATE);
    for (let m = 0; m < M; m++) {
      let s = bias.view[0] + y0[m];
      for (let q = 0; q < K; q++) s += a.view[m * K + q] * x.view[q];
      assertAlmostEquals(y.view[m], s, 1e-5);
    }
    const z = buffer(M), z0 = z.view.slice(); // Aᵀx with A read column-major (K × M)
    k.gemvCol(a.ptr, x.ptr, z.ptr, M, K, M, GEMM.ACCUMULATE);
    for (let m = 0; m < M; m++) {
      let s = z0[m];
      for (let q = 0; q < K; q++) s += a.view[q * M + m] * x.view[q];
      assertAlmostEquals(z.view[m], s, 1e-5);
    }
  }
});

Deno.test("element-wise kernels: tanh within 3e-7 of Math.tanh; activation derivatives exact", () => {
  const n = 200_003; // not a multiple of 4: the tail path runs too
  const xb = buffer(n), yb = buffer(n);
  const x = xb.view, y = yb.view;
  for (let i = 0; i < n; i++) x[i] = rng.normal() * 10 ** rng.uniform(-8, 1.5);
  x.set([0, -0, 0.625, -0.625, 9, 10, -40, 1e-30, NaN], 0);
  k.tanh(yb.ptr, xb.ptr, 1, n, 1);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const want = Math.tanh(x[i]);
    if (Number.isNaN(x[i])) assert(Number.isNaN(y[i]), "tanh(NaN) must be NaN");
    else worst = Math.max(worst, want === 0 ? Math.abs(y[i]) : Math.abs(y[i] / want - 1));
  }
  assert(worst <= 3e-7, `tanh relative error ${worst.toExponential(2)}`);
  assert(Object.is(y[1], -0) && y[5] === 1 && y[6] === -1);
  // [reps, rows, width] with broadcast h, d; width 7 exercises the tail.
  const rows = 5, reps = 3, width = 7;
  const h = buffer(rows * width), d = buffer(rows * width);
  const g = buffer(rows * reps * width), r = buffer(rows * reps * width);
  rng.fillUniform(h.view, -1, 1);
  const out = buffer(rows * reps * width), relu = buffer(rows * reps * width);
  const guard = dev.f32(relu.ptr + 4 * rows * reps * width, 4).fill(7); // in relu's slack
  const tg = buffer(rows * reps * width);
  k.tanhRBack(out.ptr, h.ptr, d.ptr, g.ptr, r.ptr, rows, width, reps);
  k.reluGrad(relu.ptr, h.ptr, g.ptr, rows, width, reps);
  k.tanhGrad(tg.ptr, h.ptr, g.ptr, rows, width, reps);
  for (let a = 0; a < rows; a++) {
    for (let j = 0; j < reps; j++) {
      for (let i = 0; i < width; i++) {
        const hb = h.view[a * width + i], db = d.view[a * width + i];
        const q = (j * rows + a) * width + i;
        const want = (1 - hb * hb) * g.view[q] - 2 * hb * db * r.view[q];
        assertAlmostEquals(out.view[q], want, 1e-6 * (1 + Math.abs(want)));
        assert(relu.view[q] === (hb > 0 ? g.view[q] : 0));
        assertAlmostEquals(tg.view[q], (1 - hb * hb) * g.view[q], 1e-6);
      }
    }
  }
  assert(guard.every((v) => v === 7));
});

Deno.test("accumulateF64: float64 sums of float32 values", () => {
  const n = 9;
  const x = buffer(n), acc = arena.f64(n);
  const a = dev.f64(acc, n).fill(0.25);
  k.accumulateF64(acc, x.ptr, n);
  k.accumulateF64(acc, x.ptr, n);
  for (let i = 0; i < n; i++) assertEquals(a[i], 0.25 + 2 * x.view[i]);
});
