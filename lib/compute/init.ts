/**
 * Weight initialisers that reproduce PyTorch's, drawing from the project's {@link Rng}.
 *
 * - {@link orthogonalInit}: `torch.nn.init.orthogonal_` (used by SB3's PPO `ortho_init=True`).
 * - {@link torchDefaultLinearInit}: the default `nn.Linear.reset_parameters()` (SB3's SAC and
 *   PPO with `ortho_init=False`).
 *
 * Values are computed in float64. The random streams differ from torch's generator, so the
 * numbers differ from a torch run with the same seed; the distributions are the same.
 *
 * @module
 */

import { householderQr } from "../linalg/qr.ts";
import type { Rng } from "../rng.ts";

/**
 * A `rows`×`cols` row-major matrix initialised like `torch.nn.init.orthogonal_(W, gain)` on a
 * tensor of shape (rows, cols):
 *
 * 1. draw A ~ N(0, 1) of shape (rows, cols), row-major;
 * 2. if rows < cols, use Aᵀ (so the QR input is tall);
 * 3. thin QR, A = Q·R; Q ← Q·diag(sign(diag R)) — this makes the result Haar-distributed and
 *    independent of the QR sign convention (sign(0) is taken as +1 here; torch's 0 would zero a
 *    column, which happens with probability 0);
 * 4. transpose back when rows < cols; multiply by `gain`.
 *
 * The result has orthogonal columns (WᵀW = gain²·I) when rows ≥ cols and orthogonal rows
 * (WWᵀ = gain²·I) when rows < cols. For a torch `nn.Linear` weight, rows = out_features.
 *
 * @example
 * ```ts
 * import { orthogonalInit } from "./init.ts";
 * import { Rng } from "../rng.ts";
 * const w = orthogonalInit(64, 3, Math.SQRT2, new Rng(0)); // torch shape (out=64, in=3)
 * ```
 */
export function orthogonalInit(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`orthogonalInit: shape must be positive integers, got ${rows}×${cols}`);
  }
  if (!Number.isFinite(gain)) {
    throw new RangeError(`orthogonalInit: gain must be finite, got ${gain}`);
  }
  const drawn = rng.fillNormal(new Float64Array(rows * cols));
  const wide = rows < cols;
  // Tall orientation m×n with m ≥ n.
  const m = wide ? cols : rows;
  const n = wide ? rows : cols;
  const tall = wide ? transpose(drawn, rows, cols) : drawn;
  const { q, r } = householderQr(tall, m, n); // q is m×n (k = n)
  for (let c = 0; c < n; c++) {
    const s = r[c * n + c] < 0 ? -gain : gain;
    for (let i = 0; i < m; i++) q[i * n + c] *= s;
  }
  return wide ? transpose(q, m, n) : q;
}

/** Weight and bias of one linear layer, in the project's y = x·W + b convention. */
export interface LinearParams {
  /** fanIn×fanOut row-major weight (W[i, j] connects input i to output j). */
  weight: Float64Array;
  /** fanOut bias. */
  bias: Float64Array;
}

/**
 * PyTorch's default `nn.Linear(fanIn, fanOut)` initialisation:
 * `kaiming_uniform_(weight, a=√5)` gives bound = gain·√(3/fan_in) with gain = √(2/(1+a²)) = √(1/3),
 * i.e. weights ~ U(−1/√fan_in, 1/√fan_in); biases ~ U(−1/√fan_in, 1/√fan_in).
 *
 * Draw order follows torch: the whole weight first, in torch's (fanOut, fanIn) row-major order,
 * then the bias. The returned weight is stored transposed, as fanIn×fanOut (y = x·W + b).
 *
 * @example
 * ```ts
 * import { torchDefaultLinearInit } from "./init.ts";
 * import { Rng } from "../rng.ts";
 * const { weight, bias } = torchDefaultLinearInit(256, 6, new Rng(0)); // |w|, |b| ≤ 1/16
 * ```
 */
export function torchDefaultLinearInit(fanIn: number, fanOut: number, rng: Rng): LinearParams {
  if (!Number.isInteger(fanIn) || !Number.isInteger(fanOut) || fanIn < 1 || fanOut < 1) {
    throw new RangeError(
      `torchDefaultLinearInit: fanIn and fanOut must be positive integers, got ${fanIn}, ${fanOut}`,
    );
  }
  const bound = 1 / Math.sqrt(fanIn);
  const weight = new Float64Array(fanIn * fanOut);
  for (let o = 0; o < fanOut; o++) {
    for (let i = 0; i < fanIn; i++) weight[i * fanOut + o] = rng.uniform(-bound, bound);
  }
  const bias = rng.fillUniform(new Float64Array(fanOut), -bound, bound);
  return { weight, bias };
}

/** The transpose of a rows×cols row-major matrix (a new cols×rows array). */
export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  if (a.length !== rows * cols) {
    throw new RangeError(`transpose: ${a.length} entries do not form a ${rows}×${cols} matrix`);
  }
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  }
  return t;
}
