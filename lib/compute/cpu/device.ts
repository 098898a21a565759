/**
 * {@linkcode CpuDevice}: the float64 device of the compute layer, the kernels of `../kernels.ts`
 * in plain TypeScript on one Float64Array. PPO's update runs here: float64 arithmetic in a fixed
 * order (every sum runs over its index from the first term to the last, the bias is added after
 * the products), so the same inputs give the same bits on every machine, and one seed gives one
 * run.
 *
 * The matrix kernels keep 2 × 2 blocks of C in registers (every loaded value is used twice),
 * which is what makes plain JavaScript reach ≈ 2.5 GMAC/s on these shapes.
 *
 * @module
 */
import { Arena } from "../arena.ts";
import { GEMM, type Kernels, type Ptr } from "../kernels.ts";

/** Dot products of rows a0 and a1 of `a` with K-term rows of `bt` from b0, into a scratch block. */
type RowPairDots = (
  a: Float64Array,
  a0: number,
  a1: number,
  bt: Float64Array,
  b0: number,
  K: number,
) => void;

/** Float64 kernels on one memory (byte pointers, multiples of 8). */
function cpuKernels(h: Float64Array): Kernels {
  /** The epilogue of one output: bias (added last), accumulation, ReLU, mask. */
  const finish = (
    s: number,
    ci: number,
    bias: number,
    mask: number,
    n: number,
    flags: number,
  ): number => {
    if (flags & GEMM.BIAS) s += h[bias + n];
    if (flags & GEMM.ACCUMULATE) s += h[ci];
    if (flags & GEMM.RELU) s = s > 0 ? s : 0;
    if (flags & GEMM.MASK && !(h[mask] > 0)) s = 0;
    return s;
  };
  /** The dot products of the last {@linkcode dots2x2} or {@linkcode dots2x1} call. */
  const dot = new Float64Array(4);
  /**
   * The 2×2 block of row dot products (rows a0, a1 of `a` by rows b0, b0 + K of `bt`, K terms
   * each, summed from 0 in increasing k) into `dot`: [c00, c01, c10, c11].
   */
  const dots2x2: RowPairDots = (a, a0, a1, bt, b0, K) => {
    const b1 = b0 + K;
    let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
    for (let k = 0; k < K; k++) {
      const x0 = a[a0 + k], x1 = a[a1 + k], y0 = bt[b0 + k], y1 = bt[b1 + k];
      c00 += x0 * y0;
      c01 += x0 * y1;
      c10 += x1 * y0;
      c11 += x1 * y1;
    }
    dot[0] = c00;
    dot[1] = c01;
    dot[2] = c10;
    dot[3] = c11;
  };
  /** The 2×1 block (rows a0, a1 of `a` by row b0 of `bt`) of {@linkcode dots2x2} into `dot`. */
  const dots2x1: RowPairDots = (a, a0, a1, bt, b0, K) => {
    let c0 = 0, c1 = 0;
    for (let k = 0; k < K; k++) {
      const y = bt[b0 + k];
      c0 += a[a0 + k] * y;
      c1 += a[a1 + k] * y;
    }
    dot[0] = c0;
    dot[1] = c1;
  };
  /**
   * The plain products C = A·B (+ bias added last when `bias` ≥ 0) of gemm's common epilogues,
   * without the general epilogue's per-output call (the same sums, the same bits).
   */
  const products = (
    a: Float64Array,
    aBase: number,
    aStride: number,
    bt: Float64Array,
    C: number,
    bias: number,
    M: number,
    N: number,
    K: number,
    ldc: number,
  ): void => {
    const withBias = bias >= 0;
    let m = 0;
    for (; m + 1 < M; m += 2) {
      const a0 = aBase + m * aStride, a1 = a0 + aStride;
      const r0 = C + m * ldc, r1 = r0 + ldc;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        dots2x2(a, a0, a1, bt, n * K, K);
        let c00 = dot[0], c01 = dot[1], c10 = dot[2], c11 = dot[3];
        if (withBias) {
          const e0 = h[bias + n], e1 = h[bias + n + 1];
          c00 += e0;
          c01 += e1;
          c10 += e0;
          c11 += e1;
        }
        h[r0 + n] = c00;
        h[r0 + n + 1] = c01;
        h[r1 + n] = c10;
        h[r1 + n + 1] = c11;
      }
      if (n < N) {
        dots2x1(a, a0, a1, bt, n * K, K);
        let c0 = dot[0], c1 = dot[1];
        if (withBias) {
          c0 += h[bias + n];
          c1 += h[bias + n];
        }
        h[r0 + n] = c0;
        h[r1 + n] = c1;
      }
    }
    if (m < M) {
      const a0 = aBase + m * aStride, r0 = C + m * ldc;
      for (let n = 0; n < N; n++) {
        const b0 = n * K;
        let c = 0;
        for (let k = 0; k < K; k++) c += a[a0 + k] * bt[b0 + k];
        h[r0 + n] = withBias ? c + h[bias + n] : c;
      }
    }
  };
  // Contiguous copies of the operands (grown on demand).
  let ta = new Float64Array(256), tb = new Float64Array(256);
  /**
   * C (op)= A·B with A(m, k) = h[A + m·sm + k·sk], B row-major: Bᵀ (and A when it is not stored
   * by rows) copied to contiguous rows first, then dot products of rows two by two. Every output
   * is Σ_k A(m, k)·B(k, n) summed from 0 in increasing k.
   */
  const gemm = (
    A: number,
    sm: number,
    sk: number,
    B: number,
    C: number,
    bias: number,
    mask: number,
    M: number,
    N: number,
    K: number,
    ldb: number,
    ldc: number,
    flags: number,
  ): void => {
    if (tb.length < N * K) tb = new Float64Array(N * K);
    const bt = tb;
    for (let k = 0; k < K; k++) {
      for (let n = 0, p = B + k * ldb; n < N; n++) bt[n * K + k] = h[p + n];
    }
    let a: Float64Array = h, aBase = A, aStride = sm;
    if (sk !== 1) {
      if (ta.length < M * K) ta = new Float64Array(M * K);
      for (let m = 0; m < M; m++) {
        for (let k = 0, p = A + m * sm; k < K; k++, p += sk) ta[m * K + k] = h[p];
      }
      a = ta;
      aBase = 0;
      aStride = K;
    }
    if (flags === 0 || flags === GEMM.BIAS) {
      products(a, aBase, aStride, bt, C, flags === 0 ? -1 : bias, M, N, K, ldc);
      return;
    }
    let m = 0;
    for (; m + 1 < M; m += 2) {
      const a0 = aBase + m * aStride, a1 = a0 + aStride;
      const r0 = C + m * ldc, r1 = r0 + ldc, k0 = mask + m * ldc, k1 = k0 + ldc;
      let n = 0;
      for (; n + 1 < N; n += 2) {
        dots2x2(a, a0, a1, bt, n * K, K);
        h[r0 + n] = finish(dot[0], r0 + n, bias, k0 + n, n, flags);
        h[r0 + n + 1] = finish(dot[1], r0 + n + 1, bias, k0 + n + 1, n + 1, flags);
        h[r1 + n] = finish(dot[2], r1 + n, bias, k1 + n, n, flags);
        h[r1 + n + 1] = finish(dot[3], r1 + n + 1, bias, k1 + n + 1, n + 1, flags);
      }
      if (n < N) {
        dots2x1(a, a0, a1, bt, n * K, K);
        h[r0 + n] = finish(dot[0], r0 + n, bias, k0 + n, n, flags);
        h[r1 + n] = finish(dot[1], r1 + n, bias, k1 + n, n, flags);
      }
    }
    if (m < M) {
      const a0 = aBase + m * aStride, r0 = C + m * ldc, k0 = mask + m * ldc;
      for (let n = 0; n < N; n++) {
        const b0 = n * K;
        let c = 0;
        for (let k = 0; k < K; k++) c += a[a0 + k] * bt[b0 + k];
        h[r0 + n] = finish(c, r0 + n, bias, k0 + n, n, flags);
      }
    }
  };
  return {
    gemmRow: (a, b, c, bias, mask, M, N, K, lda, ldb, ldc, flags) =>
      gemm(a >> 3, lda, 1, b >> 3, c >> 3, bias >> 3, mask >> 3, M, N, K, ldb, ldc, flags),
    gemmCol: (a, b, c, bias, mask, M, N, K, lda, ldb, ldc, flags) =>
      gemm(a >> 3, 1, lda, b >> 3, c >> 3, bias >> 3, mask >> 3, M, N, K, ldb, ldc, flags),
    gemvRow: (a, x, c, bias, M, K, lda, ldc, flags) =>
      gemm(a >> 3, lda, 1, x >> 3, c >> 3, bias >> 3, 0, M, 1, K, 1, ldc, flags),
    gemvCol: (a, x, c, M, K, lda, flags) =>
      gemm(a >> 3, 1, lda, x >> 3, c >> 3, 0, 0, M, 1, K, 1, 1, flags),
    colSum: (src, dst, M, N, ld, accumulate) => {
      const S = src >> 3, D = dst >> 3;
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let m = 0, p = S + n; m < M; m++, p += ld) s += h[p];
        h[D + n] = accumulate ? h[D + n] + s : s;
      }
    },
    transpose: (src, dst, R, C) => {
      const S = src >> 3, D = dst >> 3;
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) h[D + c * R + r] = h[S + r * C + c];
      }
    },
    tanh: (out, x, rows, width, reps) => {
      const O = out >> 3, X = x >> 3, n = rows * width * reps;
      for (let i = 0; i < n; i++) h[O + i] = Math.tanh(h[X + i]);
    },
    tanhGrad: (out, hp, x, rows, width, reps) => {
      const O = out >> 3, H = hp >> 3, X = x >> 3, m = rows * width;
      for (let j = 0; j < reps; j++) {
        for (let i = 0; i < m; i++) {
          const hi = h[H + i];
          h[O + j * m + i] = (1 - hi * hi) * h[X + j * m + i];
        }
      }
    },
    reluGrad: (out, hp, x, rows, width, reps) => {
      const O = out >> 3, H = hp >> 3, X = x >> 3, m = rows * width;
      for (let j = 0; j < reps; j++) {
        for (let i = 0; i < m; i++) h[O + j * m + i] = h[H + i] > 0 ? h[X + j * m + i] : 0;
      }
    },
    tanhRBack: (out, hp, d, g, r, rows, width, reps) => {
      const O = out >> 3, H = hp >> 3, D = d >> 3, G = g >> 3, R = r >> 3, m = rows * width;
      for (let j = 0; j < reps; j++) {
        for (let i = 0; i < m; i++) {
          const hi = h[H + i], q = j * m + i;
          h[O + q] = (1 - hi * hi) * h[G + q] - 2 * hi * h[D + i] * h[R + q];
        }
      }
    },
    accumulateF64: (acc, x, n) => {
      const A = acc >> 3, X = x >> 3;
      for (let i = 0; i < n; i++) h[A + i] += h[X + i];
    },
    adam: (p, g, m, v, n, sc) => {
      const P = p >> 3, Gr = g >> 3, Mo = m >> 3, V = v >> 3, S = sc >> 3;
      const step = h[S], bc2 = h[S + 1], eps = h[S + 2], w1 = h[S + 3], b2 = h[S + 4];
      const w2 = h[S + 5];
      for (let i = 0; i < n; i++) {
        const gi = h[Gr + i];
        const mi = h[Mo + i] + w1 * (gi - h[Mo + i]);
        const vi = b2 * h[V + i] + w2 * gi * gi;
        h[Mo + i] = mi;
        h[V + i] = vi;
        h[P + i] -= step * (mi / (Math.sqrt(vi) / bc2 + eps));
      }
    },
    polyak: (t, p, n, sc) => {
      const T = t >> 3, P = p >> 3, keep = h[sc >> 3], tau = h[(sc >> 3) + 1];
      for (let i = 0; i < n; i++) h[T + i] = h[T + i] * keep + h[P + i] * tau;
    },
    finiteProbe: (p, n) => {
      const P = p >> 3;
      let s = 0;
      for (let i = 0; i < n; i++) s += h[P + i] - h[P + i];
      return s;
    },
  };
}

/**
 * A float64 compute device on one ArrayBuffer.
 *
 * @example
 * ```ts
 * import { CpuDevice } from "./device.ts";
 * const plan = CpuDevice.planner();
 * const a = plan.real(4), b = plan.real(4), c = plan.real(4);
 * const dev = new CpuDevice(plan.top);
 * dev.real(a, 4).set([1, 2, 3, 4]); // A = [[1, 2], [3, 4]]
 * dev.real(b, 4).set([1, 0, 0, 1]); // B = I
 * dev.kernels.gemmRow(a, b, c, 0, 0, 2, 2, 2, 2, 2, 2, 0);
 * dev.real(c, 4); // [1, 2, 3, 4]
 * ```
 */
export class CpuDevice {
  /** 8: reals are float64. */
  readonly elementBytes = 8 as const;
  /** The memory. */
  readonly buffer: ArrayBuffer;
  /** The kernels. */
  readonly kernels: Kernels;
  /** Bytes of memory. */
  readonly byteLength: number;
  readonly #heap: Float64Array;

  /** @param bytes bytes the engine planned (an {@linkcode Arena}'s `top`). */
  constructor(bytes: number) {
    this.byteLength = Math.ceil(bytes / 8) * 8 + 64;
    this.buffer = new ArrayBuffer(this.byteLength);
    this.#heap = new Float64Array(this.buffer);
    this.kernels = cpuKernels(this.#heap);
  }

  /** A view of `n` reals (float64) at byte offset `ptr`. */
  real(ptr: Ptr, n: number): Float64Array {
    return new Float64Array(this.buffer, ptr, n);
  }

  /** The same as {@linkcode CpuDevice.real} (float64 accumulators are reals here). */
  f64(ptr: Ptr, n: number): Float64Array {
    return this.real(ptr, n);
  }

  /** An arena for planning this device's buffers (float64 reals), starting at byte 64. */
  static planner(): Arena {
    return new Arena(64, 8);
  }
}
