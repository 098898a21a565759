/**
 * The WGSL code of the WebGPU device's kernels: one storage buffer of float32 (`mem`, indexed by
 * element: a byte offset / 4) and one uniform block of up to 16 unsigned integers per dispatch
 * (the kernel's arguments in the order of its {@linkcode Kernels} signature). Semantics as the
 * module doc of `../kernels.ts`; the matrix products use 16 × 16 tiles in workgroup memory.
 *
 * Element-wise kernels cover more than 65,535 workgroups with a 2-D grid: element index =
 * x + y·(groups in x)·64.
 *
 * @module
 */
import type { KernelName } from "../kernels.ts";

const HEADER = `
@group(0) @binding(0) var<storage, read_write> mem: array<f32>;
@group(0) @binding(1) var<uniform> u: array<vec4<u32>, 4>;
fn arg(i: u32) -> u32 { return u[i / 4u][i % 4u]; }
fn at(ptr: u32) -> u32 { return ptr / 4u; }
`;

const ELEMENTWISE = `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * 64u;
  if (t >= count()) { return; }
  body(t);
}
`;

/** The two matrix products: A row-major (gemmRow) or read column-major (gemmCol). */
function gemm(columnMajorA: boolean): string {
  const loadA = columnMajorA
    ? "mem[at(arg(0u)) + ac * arg(8u) + ar]"
    : "mem[at(arg(0u)) + ar * arg(8u) + ac]";
  return `${HEADER}
var<workgroup> ta: array<f32, 256>;
var<workgroup> tb: array<f32, 256>;
// args: a b c bias mask m n k lda ldb ldc flags
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = gid.y; let j = gid.x;
  let m = arg(5u); let n = arg(6u); let k = arg(7u);
  var s = 0.0;
  for (var t = 0u; t < k; t = t + 16u) {
    let ar = i; let ac = t + lid.x;
    var av = 0.0;
    if (ar < m && ac < k) { av = ${loadA}; }
    ta[lid.y * 16u + lid.x] = av;
    let br = t + lid.y;
    var bv = 0.0;
    if (br < k && j < n) { bv = mem[at(arg(1u)) + br * arg(9u) + j]; }
    tb[lid.y * 16u + lid.x] = bv;
    workgroupBarrier();
    for (var q = 0u; q < 16u; q = q + 1u) { s = s + ta[lid.y * 16u + q] * tb[q * 16u + lid.x]; }
    workgroupBarrier();
  }
  if (i < m && j < n) {
    let flags = arg(11u);
    let ci = at(arg(2u)) + i * arg(10u) + j;
    var r = s;
    if ((flags & 4u) != 0u) { r = mem[at(arg(3u)) + j] + r; }
    if ((flags & 1u) != 0u) { r = mem[ci] + r; }
    if ((flags & 2u) != 0u) { r = max(r, 0.0); }
    if ((flags & 8u) != 0u) { if (mem[at(arg(4u)) + i * arg(10u) + j] <= 0.0) { r = 0.0; } }
    mem[ci] = r;
  }
}`;
}

/** An element-wise kernel: `count` entries, `body(t)` for entry t. */
function elementwise(count: string, body: string): string {
  return `${HEADER}
fn count() -> u32 { return ${count}; }
fn body(t: u32) {
${body}
}
${ELEMENTWISE}`;
}

/**
 * WGSL source of every kernel the WebGPU device runs (`finiteProbe` and `accumulateF64` return or
 * accumulate on the host and have no shader: the device does them after an asynchronous read).
 *
 * @example
 * ```ts
 * import { WGSL_KERNELS } from "./kernels.ts";
 * WGSL_KERNELS.gemmRow.includes("workgroupBarrier"); // true
 * ```
 */
export const WGSL_KERNELS: Readonly<Partial<Record<KernelName, string>>> = Object.freeze({
  gemmRow: gemm(false),
  gemmCol: gemm(true),
  // a x c bias m k lda ldc flags: y[i·ldc] (op)= Σ_k a[i·lda + k]·x[k] (+ bias[0])
  gemvRow: elementwise(
    "arg(4u)",
    `  var s = 0.0;
  for (var q = 0u; q < arg(5u); q = q + 1u) {
    s = s + mem[at(arg(0u)) + t * arg(6u) + q] * mem[at(arg(1u)) + q];
  }
  let ci = at(arg(2u)) + t * arg(7u);
  if ((arg(8u) & 4u) != 0u) { s = mem[at(arg(3u))] + s; }
  if ((arg(8u) & 1u) != 0u) { s = mem[ci] + s; }
  mem[ci] = s;`,
  ),
  // a x c m k lda flags: y[i] (op)= Σ_k a[k·lda + i]·x[k]
  gemvCol: elementwise(
    "arg(3u)",
    `  var s = 0.0;
  for (var q = 0u; q < arg(4u); q = q + 1u) {
    s = s + mem[at(arg(0u)) + q * arg(5u) + t] * mem[at(arg(1u)) + q];
  }
  let ci = at(arg(2u)) + t;
  if ((arg(6u) & 1u) != 0u) { s = mem[ci] + s; }
  mem[ci] = s;`,
  ),
  // src dst m n ld accumulate: dst[j] (+)= Σ_i src[i·ld + j]
  colSum: elementwise(
    "arg(3u)",
    `  var s = 0.0;
  for (var i = 0u; i < arg(2u); i = i + 1u) { s = s + mem[at(arg(0u)) + i * arg(4u) + t]; }
  let d = at(arg(1u)) + t;
  if (arg(5u) != 0u) { s = mem[d] + s; }
  mem[d] = s;`,
  ),
  // src dst rows cols: dst[j·rows + i] = src[i·cols + j]
  transpose: elementwise(
    "arg(2u) * arg(3u)",
    `  let i = t / arg(3u); let j = t % arg(3u);
  mem[at(arg(1u)) + j * arg(2u) + i] = mem[at(arg(0u)) + t];`,
  ),
  // out x rows width reps
  tanh: elementwise(
    "arg(2u) * arg(3u) * arg(4u)",
    "  mem[at(arg(0u)) + t] = tanh(mem[at(arg(1u)) + t]);",
  ),
  // out h x rows width reps: (1 − h²)·x, h broadcast over reps
  tanhGrad: elementwise(
    "arg(3u) * arg(4u) * arg(5u)",
    `  let h = mem[at(arg(1u)) + t % (arg(3u) * arg(4u))];
  mem[at(arg(0u)) + t] = (1.0 - h * h) * mem[at(arg(2u)) + t];`,
  ),
  // out h x rows width reps: x·1[h > 0]
  reluGrad: elementwise(
    "arg(3u) * arg(4u) * arg(5u)",
    `  let h = mem[at(arg(1u)) + t % (arg(3u) * arg(4u))];
  mem[at(arg(0u)) + t] = select(0.0, mem[at(arg(2u)) + t], h > 0.0);`,
  ),
  // out h d g r rows width reps: (1 − h²)·g − 2·h·d·r
  tanhRBack: elementwise(
    "arg(5u) * arg(6u) * arg(7u)",
    `  let s = t % (arg(5u) * arg(6u));
  let h = mem[at(arg(1u)) + s]; let d = mem[at(arg(2u)) + s];
  mem[at(arg(0u)) + t] = (1.0 - h * h) * mem[at(arg(3u)) + t] - 2.0 * h * d * mem[at(arg(4u)) + t];`,
  ),
  // p g m v n scalars: [stepSize, √(1 − β2ᵗ), eps, 1 − β1, β2, 1 − β2]
  adam: elementwise(
    "arg(4u)",
    `  let sc = at(arg(5u));
  let g = mem[at(arg(1u)) + t];
  let m = mem[at(arg(2u)) + t] + mem[sc + 3u] * (g - mem[at(arg(2u)) + t]);
  let v = mem[sc + 4u] * mem[at(arg(3u)) + t] + mem[sc + 5u] * g * g;
  mem[at(arg(2u)) + t] = m;
  mem[at(arg(3u)) + t] = v;
  let p = at(arg(0u)) + t;
  mem[p] = mem[p] - mem[sc] * (m / (sqrt(v) / mem[sc + 1u] + mem[sc + 2u]));`,
  ),
  // t p n scalars: [1 − τ, τ]
  polyak: elementwise(
    "arg(2u)",
    `  let sc = at(arg(3u));
  let i = at(arg(0u)) + t;
  mem[i] = mem[i] * mem[sc] + mem[sc + 1u] * mem[at(arg(1u)) + t];`,
  ),
});

/**
 * Workgroups of one dispatch: 16 × 16 output tiles for the matrix products, 64 entries per
 * workgroup (in a 2-D grid past 65,535 groups) for the element-wise kernels.
 *
 * @example
 * ```ts
 * import { dispatchSize } from "./kernels.ts";
 * dispatchSize("tanh", [0, 0, 10, 10, 1]); // [2, 1, 1]
 * ```
 */
export function dispatchSize(name: KernelName, args: readonly number[]): [number, number, number] {
  if (name === "gemmRow" || name === "gemmCol") {
    return [Math.ceil(args[6] / 16), Math.ceil(args[5] / 16), 1];
  }
  const count = ELEMENT_COUNTS[name]?.(args) ?? 0;
  const groups = Math.max(1, Math.ceil(count / 64));
  const x = Math.min(groups, 65_535);
  return [x, Math.ceil(groups / x), 1];
}

const ELEMENT_COUNTS: Partial<Record<KernelName, (a: readonly number[]) => number>> = {
  gemvRow: (a) => a[4],
  gemvCol: (a) => a[3],
  colSum: (a) => a[3],
  transpose: (a) => a[2] * a[3],
  tanh: (a) => a[2] * a[3] * a[4],
  tanhGrad: (a) => a[3] * a[4] * a[5],
  reluGrad: (a) => a[3] * a[4] * a[5],
  tanhRBack: (a) => a[5] * a[6] * a[7],
  adam: (a) => a[4],
  polyak: (a) => a[2],
};
