/**
 * The operations of a {@linkcode Network} on a device: forward pass, backward pass (the signals
 * δ), parameter gradient, and Pearlmutter's R-operator (R-forward, R-backward) for
 * Hessian-vector products, written once as sequences of kernel calls ({@linkcode Kernels}), so
 * they run on every device (float32 WebAssembly, float64 CPU) and can be recorded into programs.
 *
 * A network has layers i = 0..L: z_i = x_i·W_i + b_i, x_{i+1} = φ(z_i) for the hidden layers
 * (φ = tanh or ReLU), the last layer linear. For a loss ℓ = Σ_n ℓ_n(y_n) of the outputs y = z_L
 * (δ_i = ∂ℓ/∂z_i, R{·} the directional derivative along v = (V_i, v_i)):
 *
 * | pass | equations |
 * |---|---|
 * | forward | z_i = x_i W_i + b_i, x_{i+1} = φ(z_i) |
 * | backward | δ_{i−1} = (δ_i W_iᵀ) ⊙ φ′(z_{i−1}) |
 * | gradient | ∇W_i = x_iᵀ δ_i, ∇b_i = Σ_n δ_i |
 * | R-forward | R{z_i} = x_i V_i + v_i + R{x_i} W_i, R{x_{i+1}} = φ′(z_i) ⊙ R{z_i} |
 * | R-backward | R{δ_{i−1}} = (R{δ_i} W_iᵀ + δ_i V_iᵀ) ⊙ φ′ + (δ_i W_iᵀ) ⊙ φ″ ⊙ R{z_{i−1}}; (Hv)_{W_i} = x_iᵀ R{δ_i} + R{x_i}ᵀ δ_i, (Hv)_{b_i} = Σ_n R{δ_i} |
 *
 * with δ_L and R{δ_L} supplied by the head and the loss. For tanh, φ′ = 1 − x², φ″ = −2x(1 − x²),
 * so (δ_i W_iᵀ) ⊙ φ″ = −2 x_i ⊙ δ_{i−1}: nothing but x and δ is kept. For ReLU φ″ = 0.
 *
 * **Memory.** Weights are read from θ in place (a device buffer holding the whole parameter
 * vector in its layout order; a layer's columns may come from several θ blocks, the column
 * groups), with a transposed copy Wᵀ per group for the backward pass. The forward and backward
 * quantities (x_i, δ_i) form a chunk's *state*, at offsets relative to a state base, so one
 * network can serve several batches (the SAC actor on s and on s′) and a chunk's state can be
 * cached. R-quantities live in a thread's scratch, stored [b, n, width] (one n × width matrix per
 * direction, one after the other), so R{x_i} W_i and R{δ_i} W_iᵀ are one product each for a block
 * of b directions.
 *
 * A network can be **frozen** (no direction: the Q-networks inside the SAC actor loss), take an
 * R-input R{x_0} on some input columns, and return ∂ℓ/∂x_0 and R{∂ℓ/∂x_0} on some columns (the
 * action input of a Q-network). A head that reads the last hidden activations (gSDE) adds its
 * ∂ℓ/∂x_L and R{∂ℓ/∂x_L} into the last hidden signal before the backward passes
 * (`accumulateLatent`).
 *
 * @module
 */
import type { Arena } from "./arena.ts";
import { GEMM, type GemmKernel, type Kernels, type Ptr } from "./kernels.ts";
import type { Network } from "./network.ts";

/** 0: none (output layer), 1: tanh, 2: ReLU. */
export type ActCode = 0 | 1 | 2;

/**
 * One column group of a planned layer (byte pointers).
 *
 * @example
 * ```ts
 * import type { GroupPlan } from "./ops.ts";
 * function columns(g: GroupPlan) { return [g.col0, g.col0 + g.width]; }
 * ```
 */
export interface GroupPlan {
  /** Output columns [col0, col0 + width) of the layer. */
  col0: number;
  width: number;
  /** θ element offsets of the group's weight (fanIn × width) and bias blocks. */
  weight: number;
  bias: number;
  /** W and b inside the device's θ buffer; Wᵀ (width × fanIn) in its own buffer. */
  w: Ptr;
  b: Ptr;
  wt: Ptr;
  /** Direction staging of Vᵀ (width × fanIn per direction, maxBlock of them); 0 when frozen. */
  vwt: Ptr;
}

/**
 * One layer of a planned network.
 *
 * @example
 * ```ts
 * import type { LayerPlan } from "./ops.ts";
 * function macs(l: LayerPlan) { return l.fanIn * l.fanOut; }
 * ```
 */
export interface LayerPlan {
  fanIn: number;
  fanOut: number;
  /** Activation after this layer. */
  act: ActCode;
  groups: GroupPlan[];
  /** Chunk-state offsets (relative to a state base): layer output x_{i+1} (or y), δ_i. */
  a: number;
  d: number;
  /** Scratch offsets (relative to a scratch base): R{z_i} / R{δ_i} (b × n × fanOut), R{x_i} (b × n × fanIn; i ≥ 1). */
  rz: number;
  rh: number;
}

/**
 * A network resolved to device memory.
 *
 * @example
 * ```ts
 * import type { NetPlan } from "./ops.ts";
 * function outputWidth(n: NetPlan) { return n.layers[n.layers.length - 1].fanOut; }
 * ```
 */
export interface NetPlan {
  layers: LayerPlan[];
  /** No direction: its parameters are constants of the loss. */
  frozen: boolean;
  /** Bytes of one real of the device. */
  E: 4 | 8;
  /** Elements of the θ this network lives in (stride of the direction staging). */
  thetaSize: number;
  /** Direction staging: maxBlock θ-sized vectors (0 when frozen). */
  directions: Ptr;
  /** Scratch offset of the product buffer G (b × n × max fanIn). */
  g: number;
}

/**
 * Where a network's memory comes from while an engine plans it.
 *
 * @example
 * ```ts
 * import { Arena } from "./arena.ts";
 * import type { NetMemory } from "./ops.ts";
 * const m: NetMemory = { fixed: new Arena(64), state: new Arena(0), scratch: new Arena(0), rows: 256, maxBlock: 4 };
 * ```
 */
export interface NetMemory {
  /** Absolute allocations (Wᵀ, direction staging). */
  fixed: Arena;
  /** Per-chunk state, offsets relative to a state base. */
  state: Arena;
  /** Per-thread scratch, offsets relative to a scratch base. */
  scratch: Arena;
  /** Samples per chunk. */
  rows: number;
  /** Most directions per R-pass (0: no R-passes, no R-scratch). */
  maxBlock: number;
}

/**
 * Plans a network whose θ (length `thetaSize`, layout order) lives at byte offset `theta` of the
 * device. `directions` (maxBlock θ-sized reals, or 0 for a frozen network) is where the engine
 * stages the directions of an R-pass.
 *
 * @example
 * ```ts
 * import { Arena } from "./arena.ts";
 * import { makeNetwork } from "./network.ts";
 * import { planNet } from "./ops.ts";
 * const net = makeNetwork([{ fanIn: 3, fanOut: 4, groups: [{ width: 4, weight: 0, bias: 12 }] }], "tanh");
 * const mem = { fixed: new Arena(64), state: new Arena(0), scratch: new Arena(0), rows: 256, maxBlock: 4 };
 * const theta = mem.fixed.f32(16), directions = mem.fixed.f32(4 * 16);
 * const plan = planNet(net, theta, 16, directions, mem);
 * ```
 */
export function planNet(
  net: Network,
  theta: Ptr,
  thetaSize: number,
  directions: Ptr,
  mem: NetMemory,
): NetPlan {
  const E = mem.fixed.elementBytes;
  const frozen = directions === 0;
  let needed = 0;
  for (const l of net.layers) {
    for (const g of l.groups) {
      needed = Math.max(needed, g.weight + l.fanIn * g.width, g.bias + g.width);
    }
  }
  if (needed > thetaSize) {
    throw new RangeError(
      `θ has ${thetaSize} entries but the network's blocks need ${needed}; pass the parameter ` +
        `vector of this network's layout`,
    );
  }
  const { rows, maxBlock } = mem;
  let maxIn = 0;
  const layers = net.layers.map((l, i): LayerPlan => {
    const hidden = i + 1 < net.layers.length;
    maxIn = Math.max(maxIn, l.fanIn);
    let col0 = 0;
    const groups = l.groups.map((g): GroupPlan => {
      const plan = {
        col0,
        width: g.width,
        weight: g.weight,
        bias: g.bias,
        w: theta + E * g.weight,
        b: theta + E * g.bias,
        wt: mem.fixed.real(l.fanIn * g.width),
        vwt: frozen || maxBlock === 0 ? 0 : mem.fixed.real(l.fanIn * g.width * maxBlock),
      };
      col0 += g.width;
      return plan;
    });
    return {
      fanIn: l.fanIn,
      fanOut: l.fanOut,
      act: hidden ? (net.activation === "tanh" ? 1 : 2) : 0,
      groups,
      a: mem.state.real(rows * l.fanOut),
      d: mem.state.real(rows * l.fanOut),
      rz: maxBlock === 0 ? -1 : mem.scratch.real(rows * maxBlock * l.fanOut),
      rh: i === 0 || maxBlock === 0 ? -1 : mem.scratch.real(rows * maxBlock * l.fanIn),
    };
  });
  return {
    layers,
    frozen,
    E,
    thetaSize,
    directions,
    g: maxBlock === 0 ? -1 : mem.scratch.real(rows * maxBlock * maxIn),
  };
}

/**
 * Refreshes the transposed weights Wᵀ of layers [from, to) (all by default) from θ; call after
 * θ changed (loading, an optimiser step).
 *
 * @example
 * ```ts
 * import { type NetPlan, refreshTransposes } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function afterStep(k: Kernels, net: NetPlan) { refreshTransposes(k, net); }
 * ```
 */
export function refreshTransposes(k: Kernels, net: NetPlan, from = 0, to = net.layers.length) {
  for (let i = from; i < to; i++) {
    const l = net.layers[i];
    for (const g of l.groups) k.transpose(g.w, g.wt, l.fanIn, g.width);
  }
}

/**
 * Prepares the staged directions 0..b−1 (already written, θ order, at `net.directions`): their
 * transposed weight blocks Vᵀ.
 *
 * @example
 * ```ts
 * import { type NetPlan, stageDirections } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function stage(k: Kernels, net: NetPlan) { stageDirections(k, net, 1); }
 * ```
 */
export function stageDirections(k: Kernels, net: NetPlan, b: number): void {
  if (net.frozen) return;
  const E = net.E;
  for (const l of net.layers) {
    for (const g of l.groups) {
      const m = l.fanIn * g.width;
      for (let j = 0; j < b; j++) {
        const v = net.directions + E * (j * net.thetaSize + g.weight);
        k.transpose(v, g.vwt + E * j * m, l.fanIn, g.width);
      }
    }
  }
}

/** A product issued by the network operations: the kernel arguments after the kernels and E. */
type GemmOp = (k: Kernels, E: number, ...args: Parameters<GemmKernel>) => void;

/**
 * C (op)= A·B with row-major A, issued in row blocks of A of about 256 KiB: the matrix kernel
 * sweeps all of A once per 8-column panel of B, so A should stay in the L2 cache. A single
 * contiguous column B (a width-1 layer) goes to the matrix-vector kernel, which uses all SIMD
 * lanes.
 */
const gemmRows: GemmOp = (k, E, a, b, c, bias, mask, M, N, K, lda, ldb, ldc, flags) => {
  if (N === 1 && ldb === 1 && (flags & (GEMM.RELU | GEMM.MASK)) === 0) {
    k.gemvRow(a, b, c, bias, M, K, lda, ldc, flags);
    return;
  }
  const block = Math.max(16, Math.floor(65536 / Math.max(K, 1)) & ~3);
  for (let m0 = 0; m0 < M; m0 += block) {
    const rows = Math.min(block, M - m0);
    k.gemmRow(
      a + E * m0 * lda,
      b,
      c + E * m0 * ldc,
      bias,
      mask === 0 ? 0 : mask + E * m0 * ldc,
      rows,
      N,
      K,
      lda,
      ldb,
      ldc,
      flags,
    );
  }
};

/**
 * C (op)= Aᵀ·B (A read column-major; no bias or mask); a matrix-vector kernel when B is one
 * contiguous column.
 */
const gemmCols: GemmOp = (k, _E, a, b, c, _bias, _mask, M, N, K, lda, ldb, ldc, flags) => {
  if (N === 1 && ldb === 1 && ldc === 1) k.gemvCol(a, b, c, M, K, lda, flags);
  else k.gemmCol(a, b, c, 0, 0, M, N, K, lda, ldb, ldc, flags);
};

/** Input of layer i: x0 (ld = fanIn) for i = 0, else the previous layer's output. */
function inputOf(net: NetPlan, i: number, x0: Ptr, st: Ptr): Ptr {
  return i === 0 ? x0 : st + net.layers[i - 1].a;
}

/**
 * An operation on layer i of a chunk of n rows (the network's input x_0 at `x0`, the chunk's
 * state at `st`), with further arguments `Rest`.
 *
 * @example
 * ```ts
 * import { forwardLayer, type LayerOp } from "./ops.ts";
 * const op: LayerOp = forwardLayer;
 * ```
 */
export type LayerOp<Rest extends unknown[] = []> = (
  k: Kernels,
  net: NetPlan,
  i: number,
  x0: Ptr,
  n: number,
  st: Ptr,
  ...rest: Rest
) => void;

/**
 * Forward pass of layer i for `n` rows (its input at x0 for i = 0, else in the state at `st`).
 *
 * @example
 * ```ts
 * import { forwardLayer, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function first(k: Kernels, net: NetPlan, x0: number, n: number, st: number) { forwardLayer(k, net, 0, x0, n, st); }
 * ```
 */
export const forwardLayer: LayerOp = (k, net, i, x0, n, st) => {
  const E = net.E, l = net.layers[i];
  const x = inputOf(net, i, x0, st);
  const out = st + l.a;
  const relu = l.act === 2 ? GEMM.RELU : 0;
  for (const g of l.groups) {
    gemmRows(
      k,
      E,
      x,
      g.w,
      out + E * g.col0,
      g.b,
      0,
      n,
      g.width,
      l.fanIn,
      l.fanIn,
      g.width,
      l.fanOut,
      GEMM.BIAS | relu,
    );
  }
  if (l.act === 1) k.tanh(out, out, 1, n * l.fanOut, 1);
};

/**
 * Forward pass of `n` rows from input x_0 (row-major, fanIn wide) into the state at `st`.
 *
 * @example
 * ```ts
 * import { forward, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function run(k: Kernels, net: NetPlan, x0: number, n: number, st: number) { forward(k, net, x0, n, st); }
 * ```
 */
export function forward(k: Kernels, net: NetPlan, x0: Ptr, n: number, st: Ptr): void {
  for (let i = 0; i < net.layers.length; i++) forwardLayer(k, net, i, x0, n, st);
}

/**
 * δ_{i−1} from δ_i (i ≥ 1): (Σ_g δ_i[:, g] W_gᵀ) ⊙ φ′. With `accumulate`, δ_{i−1} already holds a
 * direct contribution (a head reading the latent activations) that is added before φ′.
 *
 * @example
 * ```ts
 * import { backwardLayer, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function top(k: Kernels, net: NetPlan, n: number, st: number) { backwardLayer(k, net, net.layers.length - 1, n, st); }
 * ```
 */
export function backwardLayer(
  k: Kernels,
  net: NetPlan,
  i: number,
  n: number,
  st: Ptr,
  accumulate = false,
): void {
  const E = net.E, l = net.layers[i], p = net.layers[i - 1];
  const dst = st + p.d;
  l.groups.forEach((g, q) => {
    const last = q === l.groups.length - 1;
    k.gemmRow(
      st + l.d + E * g.col0,
      g.wt,
      dst,
      0,
      st + p.a,
      n,
      l.fanIn,
      g.width,
      l.fanOut,
      l.fanIn,
      l.fanIn,
      (q > 0 || accumulate ? GEMM.ACCUMULATE : 0) | (last && p.act === 2 ? GEMM.MASK : 0),
    );
  });
  if (p.act === 1) k.tanhGrad(dst, st + p.a, dst, 1, n * l.fanIn, 1);
}

/**
 * An input-column window of a network's first layer: columns [col, col + width) of x_0.
 *
 * @example
 * ```ts
 * import type { InputWindow } from "./ops.ts";
 * const action: InputWindow = { ptr: 4096, col: 17, width: 6 };
 * ```
 */
export interface InputWindow {
  /** Absolute byte pointer of the buffer (row-major; n rows, or b·n rows for R-quantities). */
  ptr: Ptr;
  /** First column. */
  col: number;
  /** Number of columns. */
  width: number;
}

/**
 * Backward pass: δ_i for i = L−1..0 from δ_L (already in the state's last `d` buffer);
 * optionally ∂ℓ/∂x_0 on an input window (n × width). `accumulateLatent`: δ_{L−1} already holds a
 * head's direct contribution.
 *
 * @example
 * ```ts
 * import { backward, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function run(k: Kernels, net: NetPlan, n: number, st: number) { backward(k, net, n, st); }
 * ```
 */
export function backward(
  k: Kernels,
  net: NetPlan,
  n: number,
  st: Ptr,
  inputGrad?: InputWindow,
  accumulateLatent = false,
): void {
  const L = net.layers.length;
  for (let i = L - 1; i >= 1; i--) {
    backwardLayer(k, net, i, n, st, accumulateLatent && i === L - 1);
  }
  if (inputGrad) inputGradient(k, net, n, st, inputGrad);
}

/** ∂ℓ/∂x_0 on an input window from δ_0 (n × width, written). */
export function inputGradient(
  k: Kernels,
  net: NetPlan,
  n: number,
  st: Ptr,
  inputGrad: InputWindow,
): void {
  const l = net.layers[0];
  windowProduct(k, net.E, l, st + l.d, n, inputGrad);
}

/**
 * The input window of δ_0·W_0ᵀ for `rows` rows of layer 0's δ (or R{δ}) at `src`: what
 * ∂ℓ/∂x_0 and R{∂ℓ/∂x_0} restrict to the window (written, the groups summed).
 */
function windowProduct(
  k: Kernels,
  E: number,
  l: LayerPlan,
  src: Ptr,
  rows: number,
  w: InputWindow,
): void {
  l.groups.forEach((g, q) => {
    const flags = q > 0 ? GEMM.ACCUMULATE : 0;
    const wt = g.wt + E * w.col;
    gemmRows(
      k,
      E,
      src + E * g.col0,
      wt,
      w.ptr,
      0,
      0,
      rows,
      w.width,
      g.width,
      l.fanOut,
      l.fanIn,
      w.width,
      flags,
    );
  });
}

/**
 * Parameter gradient of layer i for the chunk, ∇W = x_iᵀ δ_i, ∇b = Σ δ_i, written (not added)
 * into the θ-ordered gradient at `out`.
 *
 * @example
 * ```ts
 * import { layerGradient, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function top(k: Kernels, net: NetPlan, x0: number, n: number, st: number, out: number) {
 *   layerGradient(k, net, net.layers.length - 1, x0, n, st, out);
 * }
 * ```
 */
export const layerGradient: LayerOp<[out: Ptr]> = (k, net, i, x0, n, st, out) => {
  const E = net.E, l = net.layers[i];
  const x = inputOf(net, i, x0, st);
  for (const g of l.groups) {
    const d = st + l.d + E * g.col0;
    gemmCols(
      k,
      E,
      x,
      d,
      out + E * g.weight,
      0,
      0,
      l.fanIn,
      g.width,
      n,
      l.fanIn,
      l.fanOut,
      g.width,
      0,
    );
    k.colSum(d, out + E * g.bias, n, g.width, l.fanOut, 0);
  }
};

/**
 * Parameter gradient of the chunk (every layer) into the θ-ordered gradient at `out`.
 *
 * @example
 * ```ts
 * import { gradient, type NetPlan } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function run(k: Kernels, net: NetPlan, x0: number, n: number, st: number, out: number) { gradient(k, net, x0, n, st, out); }
 * ```
 */
export function gradient(k: Kernels, net: NetPlan, x0: Ptr, n: number, st: Ptr, out: Ptr): void {
  for (let i = 0; i < net.layers.length; i++) layerGradient(k, net, i, x0, n, st, out);
}

/**
 * A second-order pass over a chunk of n rows for b staged directions (input x_0 at `x0`, the
 * chunk's state at `st`, the thread's scratch at `sc`), with further arguments `Rest`.
 *
 * @example
 * ```ts
 * import { rForward, type RPass } from "./ops.ts";
 * const pass: RPass<[]> = rForward;
 * ```
 */
export type RPass<Rest extends unknown[]> = (
  k: Kernels,
  net: NetPlan,
  x0: Ptr,
  n: number,
  st: Ptr,
  sc: Ptr,
  b: number,
  ...rest: Rest
) => void;

/**
 * R-forward pass for `b` directions: R{z_i} into the scratch `rz` buffers, R{x_{i+1}} into `rh`
 * (both [b, n, width]). `rInput`: R{x_0} on an input window ((b·n) × width); otherwise
 * R{x_0} = 0.
 *
 * @example
 * ```ts
 * import { type NetPlan, rForward } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function run(k: Kernels, net: NetPlan, x0: number, n: number, st: number, sc: number) { rForward(k, net, x0, n, st, sc, 1); }
 * ```
 */
export const rForward: RPass<[rInput?: InputWindow]> = (k, net, x0, n, st, sc, b, rInput) => {
  const E = net.E, layers = net.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const rz = sc + l.rz;
    let flags = 0;
    if (!net.frozen) {
      const x = inputOf(net, i, x0, st);
      for (let j = 0; j < b; j++) {
        const dir = net.directions + E * j * net.thetaSize;
        for (const g of l.groups) {
          gemmRows(
            k,
            E,
            x,
            dir + E * g.weight,
            rz + E * (j * n * l.fanOut + g.col0),
            dir + E * g.bias,
            0,
            n,
            g.width,
            l.fanIn,
            l.fanIn,
            g.width,
            l.fanOut,
            GEMM.BIAS,
          );
        }
      }
      flags = GEMM.ACCUMULATE;
    }
    const rIn = i > 0 ? { ptr: sc + l.rh, col: 0, width: l.fanIn } : rInput;
    if (rIn) {
      for (const g of l.groups) {
        gemmRows(
          k,
          E,
          rIn.ptr,
          g.w + E * rIn.col * g.width,
          rz + E * g.col0,
          0,
          0,
          n * b,
          g.width,
          rIn.width,
          rIn.width,
          g.width,
          l.fanOut,
          flags,
        );
      }
    } else if (net.frozen) {
      throw new Error("compute: a frozen network needs an R-input");
    }
    if (l.act !== 0) {
      const next = sc + layers[i + 1].rh;
      if (l.act === 1) k.tanhGrad(next, st + l.a, rz, n, l.fanOut, b);
      else k.reluGrad(next, st + l.a, rz, n, l.fanOut, b);
    }
  }
};

/**
 * R-backward pass for `b` directions, from R{δ_L} (in the last layer's `rz` scratch, written by
 * the head and the loss). Writes (Hv)_j for the network's parameters into the θ-ordered float
 * vectors at `out + E·j·stride` (not added), and R{∂ℓ/∂x_0} on `inputGrad` ((b·n) × width) when
 * given. Frozen networks write no parameters. `accumulateLatent`: R{δ_{L−1}}'s product buffer
 * already holds a head's direct contribution R{∂ℓ/∂x_L} (at scratch offset `net.g`).
 *
 * @example
 * ```ts
 * import { type NetPlan, rBackward } from "./ops.ts";
 * import type { Kernels } from "./kernels.ts";
 * function run(k: Kernels, net: NetPlan, x0: number, n: number, st: number, sc: number, out: number, stride: number) {
 *   rBackward(k, net, x0, n, st, sc, 1, out, stride);
 * }
 * ```
 */
export const rBackward: RPass<
  [out: Ptr, stride: number, inputGrad?: InputWindow, accumulateLatent?: boolean]
> = (k, net, x0, n, st, sc, b, out, stride, inputGrad, accumulateLatent = false) => {
  const E = net.E, layers = net.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const rd = sc + l.rz; // now R{δ_i}
    if (!net.frozen) {
      const x = inputOf(net, i, x0, st);
      for (let j = 0; j < b; j++) {
        const o = out + E * j * stride;
        const rdj = rd + E * j * n * l.fanOut;
        for (const g of l.groups) {
          const w = o + E * g.weight;
          gemmCols(
            k,
            E,
            x,
            rdj + E * g.col0,
            w,
            0,
            0,
            l.fanIn,
            g.width,
            n,
            l.fanIn,
            l.fanOut,
            g.width,
            0,
          );
          if (i > 0) {
            gemmCols(
              k,
              E,
              sc + l.rh + E * j * n * l.fanIn,
              st + l.d + E * g.col0,
              w,
              0,
              0,
              l.fanIn,
              g.width,
              n,
              l.fanIn,
              l.fanOut,
              g.width,
              GEMM.ACCUMULATE,
            );
          }
          k.colSum(rdj + E * g.col0, o + E * g.bias, n, g.width, l.fanOut, 0);
        }
      }
    }
    if (i > 0) {
      const p = layers[i - 1];
      const gBuf = sc + net.g;
      const accumulate = accumulateLatent && i === layers.length - 1;
      l.groups.forEach((g, q) => {
        gemmRows(
          k,
          E,
          rd + E * g.col0,
          g.wt,
          gBuf,
          0,
          0,
          n * b,
          l.fanIn,
          g.width,
          l.fanOut,
          l.fanIn,
          l.fanIn,
          q > 0 || accumulate ? GEMM.ACCUMULATE : 0,
        );
      });
      if (!net.frozen) {
        for (let j = 0; j < b; j++) {
          for (const g of l.groups) {
            k.gemmRow(
              st + l.d + E * g.col0,
              g.vwt + E * j * l.fanIn * g.width,
              gBuf + E * j * n * l.fanIn,
              0,
              0,
              n,
              l.fanIn,
              g.width,
              l.fanOut,
              l.fanIn,
              l.fanIn,
              GEMM.ACCUMULATE,
            );
          }
        }
      }
      const dst = sc + p.rz;
      if (p.act === 1) k.tanhRBack(dst, st + p.a, st + p.d, gBuf, dst, n, l.fanIn, b);
      else if (p.act === 2) k.reluGrad(dst, st + p.a, gBuf, n, l.fanIn, b);
      else throw new Error("compute: hidden layers need an activation");
    } else if (inputGrad) {
      if (!net.frozen) {
        throw new Error("compute: R{∂ℓ/∂x_0} is only implemented for frozen networks");
      }
      windowProduct(k, E, l, rd, n * b, inputGrad);
    }
  }
};

/**
 * Multiply-adds per sample of a network's gradient pass (forward, backward, gradient) and of one
 * R-pass (R-forward, R-backward) for one direction, for FLOP counts.
 *
 * @example
 * ```ts
 * import { networkMacs } from "./ops.ts";
 * import { makeNetwork } from "./network.ts";
 * networkMacs(makeNetwork([{ fanIn: 3, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 3 }] }], "tanh"));
 * ```
 */
export function networkMacs(net: Network): { forwardBackward: number; rPass: number } {
  let fb = 0, r = 0;
  net.layers.forEach((l, i) => {
    const m = l.fanIn * l.fanOut;
    fb += m + m + (i > 0 ? m : 0); // forward, ∇W, δ_{i−1}
    r += (i > 0 ? 2 : 1) * m + (i > 0 ? 4 : 1) * m; // R-forward; R-backward
  });
  return { forwardBackward: fb, rPass: r };
}
