/**
 * The kernel interface every compute device implements: matrix products with fused epilogues,
 * column sums, transposes, the activation functions and their first and second derivatives,
 * float64 accumulation, Adam, the Polyak average and a finiteness probe.
 *
 * Operands are **byte offsets** ({@linkcode Ptr}) into the device's one memory; strides and
 * sizes count elements. A device stores real numbers as float32 (`elementBytes` 4: the WebAssembly
 * and WebGPU devices) or float64 (8: the CPU device); float64 accumulators are always 8 bytes.
 * Every signature below is the one a device implements and a {@linkcode ProgramRecorder} records:
 * one definition, no untyped table.
 *
 * | kernel | computes |
 * |---|---|
 * | `gemmRow` | C (op)= A·B, A(m, k) = a[m·lda + k] (row-major), B row-major, epilogue by `flags` |
 * | `gemmCol` | the same with A(m, k) = a[k·lda + m] (A read column-major: C = Xᵀ·Y) |
 * | `gemvRow` | y (op)= A·x for one output column (`flags` ACCUMULATE, BIAS) |
 * | `gemvCol` | y (op)= Aᵀ·x, A read column-major (`flags` ACCUMULATE) |
 * | `colSum` | dst (+)= column sums of an m × n matrix |
 * | `transpose` | dst = srcᵀ |
 * | `tanh` | y = tanh(x) |
 * | `tanhGrad` | y = (1 − h²)·x (h broadcast over `reps`) |
 * | `reluGrad` | y = x·1[h > 0] |
 * | `tanhRBack` | y = (1 − h²)·g − 2·h·d·r (h, d broadcast) |
 * | `accumulateF64` | acc (float64) += x |
 * | `adam` | PyTorch's Adam step; scalars [stepSize, √(1 − β2ᵗ), eps, 1 − β1, β2, 1 − β2] |
 * | `polyak` | t ← (1 − τ)·t + τ·p; scalars [1 − τ, τ] |
 * | `finiteProbe` | Σ (x − x): 0 when every entry is finite, NaN otherwise |
 *
 * The activation kernels work on `reps × rows × width` arrays: x, g, r and the output are
 * [reps, rows, width], h and d are [rows, width] and broadcast over the reps (one forward state
 * shared by a block of directions).
 *
 * @module
 */

/**
 * A byte offset into a device memory.
 *
 * @example
 * ```ts
 * import type { Ptr } from "./kernels.ts";
 * const weights: Ptr = 4096;
 * ```
 */
export type Ptr = number;

/**
 * Epilogue flags of `gemmRow`/`gemmCol` (bit mask; `gemvRow` honours ACCUMULATE and BIAS,
 * `gemvCol` ACCUMULATE).
 *
 * @example
 * ```ts
 * import { GEMM } from "./kernels.ts";
 * const forwardHidden = GEMM.BIAS | GEMM.RELU; // y = relu(x·W + b)
 * const reluBackward = GEMM.MASK; // ∂X = (∂Y·Wᵀ) ⊙ 1[h > 0]
 * ```
 */
export const GEMM = Object.freeze({
  /** C += A·B instead of C = A·B. */
  ACCUMULATE: 1,
  /** C ← max(C, 0) after everything else but the mask. */
  RELU: 2,
  /** Add the bias row vector (float32 devices start from it; the float64 CPU device adds it last). */
  BIAS: 4,
  /** C ← C ⊙ 1[mask > 0], mask read with the same shape and stride as C (ReLU backward). */
  MASK: 8,
});

/**
 * A matrix-product kernel: C (m × n, leading dimension ldc) (op)= op(A)·B + bias, with A m × k
 * (lda), B k × n (ldb), `flags` a {@linkcode GEMM} mask; `mask` is the ReLU mask of MASK.
 *
 * @example
 * ```ts
 * import type { GemmKernel } from "./kernels.ts";
 * const square = (gemm: GemmKernel, a: number, c: number) => gemm(a, a, c, 0, 0, 4, 4, 4, 4, 4, 4, 0);
 * ```
 */
export type GemmKernel = (
  a: Ptr,
  b: Ptr,
  c: Ptr,
  bias: Ptr,
  mask: Ptr,
  m: number,
  n: number,
  k: number,
  lda: number,
  ldb: number,
  ldc: number,
  flags: number,
) => void;

/**
 * The kernels of a device (bound to its memory and, for the element-wise kernels, to one
 * thread's scratch). See the module doc for the formulas.
 *
 * @example
 * ```ts
 * import type { Kernels } from "./kernels.ts";
 * function copyTransposed(k: Kernels, src: number, dst: number) { k.transpose(src, dst, 3, 4); }
 * ```
 */
export interface Kernels {
  /** C (op)= A·B with row-major A. */
  gemmRow: GemmKernel;
  /** C (op)= Aᵀ·B, A read column-major (A(m, k) = a[k·lda + m]). */
  gemmCol: GemmKernel;
  /** y[i·ldc] (op)= Σ_k a[i·lda + k]·x[k] (+ bias[0]), i < m. */
  gemvRow(
    a: Ptr,
    x: Ptr,
    c: Ptr,
    bias: Ptr,
    m: number,
    k: number,
    lda: number,
    ldc: number,
    flags: number,
  ): void;
  /** y[i] (op)= Σ_k a[k·lda + i]·x[k], i < m. */
  gemvCol(a: Ptr, x: Ptr, c: Ptr, m: number, k: number, lda: number, flags: number): void;
  /** dst[j] (+)= Σ_{i<m} src[i·ld + j], j < n; `accumulate` ≠ 0 adds. */
  colSum(src: Ptr, dst: Ptr, m: number, n: number, ld: number, accumulate: number): void;
  /** dst (cols × rows) = transpose of src (rows × cols). */
  transpose(src: Ptr, dst: Ptr, rows: number, cols: number): void;
  /** out = tanh(x) on [reps, rows, width]. */
  tanh(out: Ptr, x: Ptr, rows: number, width: number, reps: number): void;
  /** out = (1 − h²)·x. */
  tanhGrad(out: Ptr, h: Ptr, x: Ptr, rows: number, width: number, reps: number): void;
  /** out = x·1[h > 0]. */
  reluGrad(out: Ptr, h: Ptr, x: Ptr, rows: number, width: number, reps: number): void;
  /** out = (1 − h²)·g − 2·h·d·r. */
  tanhRBack(
    out: Ptr,
    h: Ptr,
    d: Ptr,
    g: Ptr,
    r: Ptr,
    rows: number,
    width: number,
    reps: number,
  ): void;
  /** acc[i] += x[i] for i < n (acc float64, x a device real). */
  accumulateF64(acc: Ptr, x: Ptr, n: number): void;
  /** PyTorch's Adam step on n entries (see the module doc for the scalars). */
  adam(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, scalars: Ptr): void;
  /** t ← t·(1 − τ) + τ·p on n entries; scalars [1 − τ, τ]. */
  polyak(t: Ptr, p: Ptr, n: number, scalars: Ptr): void;
  /** 0 when all n entries are finite, NaN otherwise. */
  finiteProbe(p: Ptr, n: number): number;
}

/**
 * The kernel names, in the order a recorded program and the WebAssembly module refer to them.
 *
 * @example
 * ```ts
 * import { KERNEL_NAMES } from "./kernels.ts";
 * KERNEL_NAMES.indexOf("adam"); // 10
 * ```
 */
export const KERNEL_NAMES = [
  "gemmRow",
  "gemmCol",
  "gemvRow",
  "gemvCol",
  "colSum",
  "transpose",
  "tanh",
  "tanhGrad",
  "reluGrad",
  "tanhRBack",
  "adam",
  "polyak",
  "accumulateF64",
  "finiteProbe",
] as const satisfies readonly (keyof Kernels)[];

// Compile-time check that every kernel of the interface is listed above.
const _everyKernelListed: [Exclude<keyof Kernels, typeof KERNEL_NAMES[number]>] extends [never]
  ? true
  : false = true;

/**
 * A kernel name.
 *
 * @example
 * ```ts
 * import type { KernelName } from "./kernels.ts";
 * const k: KernelName = "gemmRow";
 * ```
 */
export type KernelName = typeof KERNEL_NAMES[number];

/**
 * One recorded kernel call: the kernel and its arguments, in the order of its signature.
 *
 * @example
 * ```ts
 * import type { KernelCall } from "./kernels.ts";
 * const call: KernelCall = { kernel: "transpose", args: [0, 64, 3, 4] };
 * ```
 */
export interface KernelCall {
  /** Which kernel. */
  readonly kernel: KernelName;
  /** Its arguments. */
  readonly args: readonly number[];
}

/**
 * Records kernel calls instead of running them: it implements {@linkcode Kernels} with the same
 * signatures, so code that issues kernels can build a program once (a training step's phases)
 * and a device replays it many times.
 *
 * @example
 * ```ts
 * import { ProgramRecorder } from "./kernels.ts";
 * const p = new ProgramRecorder();
 * p.kernels.transpose(0, 64, 3, 4);
 * p.calls; // [{ kernel: "transpose", args: [0, 64, 3, 4] }]
 * ```
 */
export class ProgramRecorder {
  /** The calls so far. */
  readonly calls: KernelCall[] = [];
  /** A {@linkcode Kernels} whose methods append to {@linkcode calls}. */
  readonly kernels: Kernels;

  constructor() {
    const record = {} as Record<KernelName, (...args: number[]) => number>;
    for (const name of KERNEL_NAMES) {
      record[name] = (...args: number[]) => {
        this.calls.push({ kernel: name, args });
        return 0;
      };
    }
    this.kernels = record as unknown as Kernels;
  }
}

/**
 * Values a device stores its reals in.
 *
 * @example
 * ```ts
 * import type { RealArray } from "./kernels.ts";
 * const x: RealArray = new Float32Array(4);
 * ```
 */
export type RealArray = Float32Array | Float64Array;
