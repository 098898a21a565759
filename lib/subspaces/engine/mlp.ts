/**
 * Pearlmutter's R-operator for one MLP, fused per layer, on float32 WebAssembly-SIMD kernels.
 *
 * An MLP has layers i = 0..L: z_i = x_i·W_i + b_i, x_{i+1} = φ(z_i) for the hidden layers
 * (φ = tanh or ReLU), the last layer linear. For a loss ℓ = Σ_n ℓ_n(y_n) of the outputs y = z_L
 * the engine needs, per chunk of samples, four passes (δ_i = ∂ℓ/∂z_i, R{·} the directional
 * derivative along v = (V_i, v_i)):
 *
 * | pass | equations |
 * |---|---|
 * | forward | z_i = x_i W_i + b_i, x_{i+1} = φ(z_i) |
 * | backward | δ_{i−1} = (δ_i W_iᵀ) ⊙ φ′(z_{i−1}); ∇W_i = x_iᵀ δ_i, ∇b_i = Σ_n δ_i |
 * | R-forward | R{z_i} = x_i V_i + v_i + R{x_i} W_i, R{x_{i+1}} = φ′(z_i) ⊙ R{z_i} |
 * | R-backward | R{δ_{i−1}} = (R{δ_i} W_iᵀ + δ_i V_iᵀ) ⊙ φ′ + (δ_i W_iᵀ) ⊙ φ″ ⊙ R{z_{i−1}}; (Hv)_{W_i} = x_iᵀ R{δ_i} + R{x_i}ᵀ δ_i, (Hv)_{b_i} = Σ_n R{δ_i} |
 *
 * with R{δ_L} = ∂²ℓ/∂y² R{y} + (mixed terms) supplied by the loss head. For tanh,
 * φ′ = 1 − x², φ″ = −2x(1 − x²), so (δ_i W_iᵀ) ⊙ φ″ = −2 x_i ⊙ δ_{i−1}: nothing but x and δ is
 * kept. For ReLU φ″ = 0. The forward and backward quantities (x_i, δ_i) do not depend on v:
 * they form a chunk's *state*, computed once and cached when memory allows.
 *
 * **Blocks of b vectors.** R-quantities are stored [b, n, width] (one n × width matrix per
 * vector, one after the other), so R{x_i} W_i and R{δ_i} W_iᵀ are one product each, of
 * (b·n) × in by in × out (issued in row blocks that stay in the L2 cache); the products with the
 * direction (x_i V_i^j, δ_i V_i^jᵀ) and the weight gradients (x_iᵀ R{δ_i}^j, R{x_i}^jᵀ δ_i) are
 * per vector, on contiguous operands. (A sample-major [n, b, width] layout would let one wide
 * product serve all vectors, but strides its operands by b·width, a power of two that defeats
 * the L1 cache's associativity: measured 10–25 % slower.)
 *
 * A network can be **frozen** (no direction: the Q-networks inside the SAC actor loss) and can
 * take an R-input R{x_0} on some input columns and return ∂ℓ/∂x_0 and R{∂ℓ/∂x_0} on some
 * columns (the action input of a Q-network).
 *
 * Everything here is a plain description (byte pointers into the engine memory) plus functions
 * that issue kernel calls, so the same code runs on the main thread and on a worker.
 *
 * @module
 */
import { Arena } from "../../compute/arena.ts";
import { GEMM, type Kernels } from "../../compute/kernels.ts";
import type { Activation } from "../../nn/mod.ts";

export { Arena };

/**
 * The kernels one thread calls (bound to an instance on the shared memory) and the memory.
 *
 * @example
 * ```ts
 * import type { Kern } from "./mlp.ts";
 * function zeroGemm(k: Kern, c: number) { k.gemmRow(0, 0, c, 0, 0, 0, 0, 0, 1, 1, 1, 0); }
 * ```
 */
export interface Kern extends Kernels {
  /** The memory. */
  memory: WebAssembly.Memory;
}

/**
 * θ blocks of one linear layer, in column order: a layer's output columns may come from several
 * θ blocks (the SAC actor's μ and log σ heads form one layer of 2·act columns).
 *
 * @example
 * ```ts
 * import type { LayerBlocks } from "./mlp.ts";
 * const plain: LayerBlocks = { fanIn: 64, fanOut: 1, groups: [{ width: 1, weight: 4416, bias: 4480 }] };
 * ```
 */
export interface LayerBlocks {
  /** Input width. */
  fanIn: number;
  /** Output width (Σ of the groups' widths). */
  fanOut: number;
  /** Column groups: a fanIn × width row-major weight block and a width bias block (θ offsets). */
  groups: { width: number; weight: number; bias: number }[];
}

/**
 * One MLP's description in terms of θ: its layers and the hidden activation.
 *
 * @example
 * ```ts
 * import type { NetBlocks } from "./mlp.ts";
 * function depth(n: NetBlocks) { return n.layers.length; }
 * ```
 */
export interface NetBlocks {
  /** The layers; all but the last are followed by the activation. */
  layers: LayerBlocks[];
  /** Hidden nonlinearity. */
  activation: Activation;
}

/** 0: none (output layer), 1: tanh, 2: ReLU. */
export type ActCode = 0 | 1 | 2;

/**
 * One layer, resolved to memory: byte pointers of its parameters and buffers.
 *
 * @example
 * ```ts
 * import type { LayerPlan } from "./mlp.ts";
 * function macs(l: LayerPlan) { return l.fanIn * l.fanOut; }
 * ```
 */
export interface LayerPlan {
  fanIn: number;
  fanOut: number;
  /** Activation after this layer. */
  act: ActCode;
  /** W (fanIn × fanOut), b, Wᵀ (fanOut × fanIn): absolute byte pointers. */
  w: number;
  b: number;
  wt: number;
  /** Element offsets of W and b in the packed parameter vector (−1: frozen). */
  pw: number;
  pb: number;
  /** Direction staging (absolute; 0 when frozen): V (fanIn × b·fanOut), v (b·fanOut), Vᵀ (fanOut × b·fanIn). */
  vw: number;
  vb: number;
  vwt: number;
  /** Chunk-state offsets (relative to a state base): layer output x_{i+1} (or y), δ_i. */
  a: number;
  d: number;
  /** Thread-scratch offsets (relative): R{z_i} / R{δ_i} (b × n × fanOut), R{x_i} (b × n × fanIn; i ≥ 1). */
  rz: number;
  rh: number;
}

/**
 * One MLP resolved to memory.
 *
 * @example
 * ```ts
 * import type { NetPlan } from "./mlp.ts";
 * function outputWidth(n: NetPlan) { return n.layers[n.layers.length - 1].fanOut; }
 * ```
 */
export interface NetPlan {
  layers: LayerPlan[];
  /** No direction (its parameters are constants of the loss). */
  frozen: boolean;
  /** Thread-scratch offset of the product buffer G (b × n × max fanIn). */
  g: number;
}

/**
 * The blocks of an MLP stored in a layout with lib/nn's naming (`<prefix>.<i>.weight/bias`).
 *
 * @example
 * ```ts
 * import { mlpLayout } from "../../nn/mod.ts";
 * import { mlpNetBlocks } from "./mlp.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * mlpNetBlocks(spec, mlpLayout(spec)).layers.length; // 3
 * ```
 */
export function mlpNetBlocks(
  spec: {
    prefix: string;
    inputDim: number;
    hidden: readonly number[];
    outputDim: number;
    activation: Activation;
  },
  layout: { block(name: string): { offset: number; shape: readonly number[] } },
): NetBlocks {
  const dims = [spec.inputDim, ...spec.hidden, spec.outputDim];
  const layers: LayerBlocks[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const w = layout.block(`${spec.prefix}.${i}.weight`);
    const b = layout.block(`${spec.prefix}.${i}.bias`);
    if (w.shape[0] !== dims[i] || w.shape[1] !== dims[i + 1]) {
      throw new Error(
        `engine: block ${spec.prefix}.${i}.weight has shape [${w.shape}], the MLP needs ` +
          `[${dims[i]}, ${dims[i + 1]}]`,
      );
    }
    layers.push({
      fanIn: dims[i],
      fanOut: dims[i + 1],
      groups: [{ width: dims[i + 1], weight: w.offset, bias: b.offset }],
    });
  }
  return { layers, activation: spec.activation };
}

/** Parameters of one layer in the packed vector: W (fanIn × fanOut) then b. */
function layerPackedSize(l: LayerBlocks): number {
  return l.fanIn * l.fanOut + l.fanOut;
}

/**
 * Packed-vector size of a network (Σ (fanIn + 1)·fanOut).
 *
 * @example
 * ```ts
 * import { packedSize } from "./mlp.ts";
 * packedSize({ activation: "tanh", layers: [{ fanIn: 3, fanOut: 2, groups: [] }] }); // 8
 * ```
 */
export function packedSize(net: NetBlocks): number {
  return net.layers.reduce((s, l) => s + layerPackedSize(l), 0);
}

/**
 * Writes, for each packed index of the network (starting at `start`), the θ index it holds.
 *
 * @example
 * ```ts
 * import { packedThetaIndices } from "./mlp.ts";
 * const perm = new Int32Array(8);
 * packedThetaIndices({ activation: "tanh", layers: [{ fanIn: 3, fanOut: 2, groups: [{ width: 2, weight: 0, bias: 6 }] }] }, perm, 0);
 * ```
 */
export function packedThetaIndices(net: NetBlocks, out: Int32Array, start: number): number {
  let p = start;
  for (const l of net.layers) {
    for (let r = 0; r < l.fanIn; r++) {
      for (const g of l.groups) {
        for (let c = 0; c < g.width; c++) out[p++] = g.weight + r * g.width + c;
      }
    }
    for (const g of l.groups) for (let c = 0; c < g.width; c++) out[p++] = g.bias + c;
    const width = l.groups.reduce((s, g) => s + g.width, 0);
    if (width !== l.fanOut) {
      throw new Error(`engine: a layer's column groups cover ${width} of ${l.fanOut} columns`);
    }
  }
  return p;
}

/**
 * Lays out one network: parameters (absolute, from `fixed`), chunk-state and thread-scratch
 * offsets (relative, from `state` and `scratch`).
 *
 * @param packedOffset where the network's parameters start in the packed vector (−1: frozen).
 * @param rows samples per chunk; `maxBlock` vectors per R-pass.
 *
 * @example
 * ```ts
 * import { Arena, planNet } from "./mlp.ts";
 * const net = { activation: "tanh" as const, layers: [{ fanIn: 3, fanOut: 4, groups: [{ width: 4, weight: 0, bias: 12 }] }] };
 * const plan = planNet(net, 0, new Arena(64), new Arena(0), new Arena(0), 256, 4);
 * ```
 */
export function planNet(
  net: NetBlocks,
  packedOffset: number,
  fixed: Arena,
  state: Arena,
  scratch: Arena,
  rows: number,
  maxBlock: number,
): NetPlan {
  const frozen = packedOffset < 0;
  const layers: LayerPlan[] = [];
  let p = packedOffset;
  let maxIn = 0;
  net.layers.forEach((l, i) => {
    const hidden = i + 1 < net.layers.length;
    maxIn = Math.max(maxIn, l.fanIn);
    layers.push({
      fanIn: l.fanIn,
      fanOut: l.fanOut,
      act: hidden ? (net.activation === "tanh" ? 1 : 2) : 0,
      w: fixed.f32(l.fanIn * l.fanOut),
      b: fixed.f32(l.fanOut),
      wt: fixed.f32(l.fanIn * l.fanOut),
      pw: frozen ? -1 : p,
      pb: frozen ? -1 : p + l.fanIn * l.fanOut,
      vw: frozen ? 0 : fixed.f32(l.fanIn * l.fanOut * maxBlock),
      vb: frozen ? 0 : fixed.f32(l.fanOut * maxBlock),
      vwt: frozen ? 0 : fixed.f32(l.fanIn * l.fanOut * maxBlock),
      a: state.f32(rows * l.fanOut),
      d: state.f32(rows * l.fanOut),
      rz: scratch.f32(rows * maxBlock * l.fanOut),
      rh: i === 0 ? -1 : scratch.f32(rows * maxBlock * l.fanIn),
    });
    if (!frozen) p += layerPackedSize(l);
  });
  return { layers, frozen, g: scratch.f32(rows * maxBlock * maxIn) };
}

/**
 * Copies a network's weights (from θ) into its W, b and Wᵀ buffers.
 *
 * @example
 * ```ts
 * import { type Kern, loadNetWeights, type NetBlocks, type NetPlan } from "./mlp.ts";
 * function load(k: Kern, blocks: NetBlocks, plan: NetPlan, theta: Float32Array) {
 *   loadNetWeights(k, blocks, plan, theta);
 * }
 * ```
 */
export function loadNetWeights(
  k: Kern,
  blocks: NetBlocks,
  plan: NetPlan,
  theta: ArrayLike<number>,
): void {
  const buf = k.memory.buffer;
  blocks.layers.forEach((l, i) => {
    const lp = plan.layers[i];
    const w = new Float32Array(buf, lp.w, l.fanIn * l.fanOut);
    const b = new Float32Array(buf, lp.b, l.fanOut);
    let c0 = 0;
    for (const g of l.groups) {
      for (let r = 0; r < l.fanIn; r++) {
        for (let c = 0; c < g.width; c++) {
          w[r * l.fanOut + c0 + c] = theta[g.weight + r * g.width + c];
        }
      }
      for (let c = 0; c < g.width; c++) b[c0 + c] = theta[g.bias + c];
      c0 += g.width;
    }
    k.transpose(lp.w, lp.wt, l.fanIn, l.fanOut);
  });
}

/**
 * Writes the direction staging of a (non-frozen) network for `b` vectors given in packed order
 * (vector j at `packed[j]`): per vector V_i (fanIn × fanOut), v_i (fanOut) and V_iᵀ
 * (fanOut × fanIn), vector j's block after vector j − 1's.
 *
 * @example
 * ```ts
 * import { type Kern, type NetPlan, stageDirections } from "./mlp.ts";
 * function stage(k: Kern, plan: NetPlan, v: Float32Array) { stageDirections(k, plan, [v]); }
 * ```
 */
export function stageDirections(k: Kern, plan: NetPlan, packed: readonly Float32Array[]): void {
  if (plan.frozen) return;
  const b = packed.length;
  const buf = k.memory.buffer;
  for (const l of plan.layers) {
    const { fanIn, fanOut } = l;
    const m = fanIn * fanOut;
    const vw = new Float32Array(buf, l.vw, m * b);
    const vb = new Float32Array(buf, l.vb, fanOut * b);
    const vwt = new Float32Array(buf, l.vwt, m * b);
    for (let j = 0; j < b; j++) {
      const v = packed[j];
      vw.set(v.subarray(l.pw, l.pw + m), j * m);
      for (let r = 0; r < fanIn; r++) {
        const src = l.pw + r * fanOut, dst = j * m + r;
        for (let c = 0; c < fanOut; c++) vwt[dst + c * fanIn] = v[src + c];
      }
      vb.set(v.subarray(l.pb, l.pb + fanOut), j * fanOut);
    }
  }
}

/**
 * C (op)= A·B with row-major A, issued in row blocks of A of about 256 KiB: the kernel sweeps
 * all of A once per 8-column panel of B, so A should stay in the L2 cache. A single contiguous
 * column B (a width-1 layer) goes to the matrix-vector kernel, which uses all SIMD lanes.
 */
function gemmRows(
  k: Kern,
  a: number,
  b: number,
  c: number,
  bias: number,
  mask: number,
  M: number,
  N: number,
  K: number,
  lda: number,
  ldb: number,
  ldc: number,
  flags: number,
): void {
  if (N === 1 && ldb === 1 && (flags & (GEMM.RELU | GEMM.MASK)) === 0) {
    k.gemvRow(a, b, c, bias, M, K, lda, ldc, flags);
    return;
  }
  const block = Math.max(16, Math.floor(65536 / Math.max(K, 1)) & ~3);
  for (let m0 = 0; m0 < M; m0 += block) {
    const rows = Math.min(block, M - m0);
    k.gemmRow(
      a + 4 * m0 * lda,
      b,
      c + 4 * m0 * ldc,
      bias,
      mask === 0 ? 0 : mask + 4 * m0 * ldc,
      rows,
      N,
      K,
      lda,
      ldb,
      ldc,
      flags,
    );
  }
}

/** C (op)= Aᵀ·B (A read column-major); a matrix-vector kernel when B is one contiguous column. */
function gemmCols(
  k: Kern,
  a: number,
  b: number,
  c: number,
  M: number,
  N: number,
  K: number,
  lda: number,
  ldb: number,
  ldc: number,
  flags: number,
): void {
  if (N === 1 && ldb === 1 && ldc === 1) k.gemvCol(a, b, c, M, K, lda, flags);
  else k.gemmCol(a, b, c, 0, 0, M, N, K, lda, ldb, ldc, flags);
}

/**
 * Forward pass of `n` rows from input x_0 (row-major, fanIn wide) into the state at `st`.
 *
 * @example
 * ```ts
 * import { forward, type Kern, type NetPlan } from "./mlp.ts";
 * function run(k: Kern, net: NetPlan, x0: number, n: number, st: number) { forward(k, net, x0, n, st); }
 * ```
 */
export function forward(k: Kern, net: NetPlan, x0: number, n: number, st: number): void {
  const layers = net.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const x = i === 0 ? x0 : st + layers[i - 1].a;
    const out = st + l.a;
    gemmRows(
      k,
      x,
      l.w,
      out,
      l.b,
      0,
      n,
      l.fanOut,
      l.fanIn,
      l.fanIn,
      l.fanOut,
      l.fanOut,
      GEMM.BIAS | (l.act === 2 ? GEMM.RELU : 0),
    );
    if (l.act === 1) k.tanh(out, out, 1, n * l.fanOut, 1);
  }
}

/**
 * An input-column window of a network's first layer: columns [col, col + width) of x_0.
 *
 * @example
 * ```ts
 * import type { InputWindow } from "./mlp.ts";
 * const action: InputWindow = { ptr: 4096, col: 17, width: 6 };
 * ```
 */
export interface InputWindow {
  /** Absolute byte pointer of the buffer (row-major; n rows, or b·n rows for R-quantities). */
  ptr: number;
  /** First column. */
  col: number;
  /** Number of columns. */
  width: number;
}

/**
 * Backward pass: δ_i for i = L−1..0 from δ_L (already in the state's last `d` buffer);
 * optionally ∂ℓ/∂x_0 on an input window (n × width).
 *
 * @example
 * ```ts
 * import { backward, type Kern, type NetPlan } from "./mlp.ts";
 * function run(k: Kern, net: NetPlan, n: number, st: number) { backward(k, net, n, st); }
 * ```
 */
export function backward(
  k: Kern,
  net: NetPlan,
  n: number,
  st: number,
  inputGrad?: InputWindow,
): void {
  const layers = net.layers;
  for (let i = layers.length - 1; i >= 1; i--) {
    const l = layers[i], p = layers[i - 1];
    const dst = st + p.d;
    k.gemmRow(
      st + l.d,
      l.wt,
      dst,
      0,
      st + p.a,
      n,
      l.fanIn,
      l.fanOut,
      l.fanOut,
      l.fanIn,
      l.fanIn,
      p.act === 2 ? GEMM.MASK : 0,
    );
    if (p.act === 1) k.tanhGrad(dst, st + p.a, dst, 1, n * l.fanIn, 1);
  }
  if (inputGrad) {
    const l = layers[0];
    k.gemmRow(
      st + l.d,
      l.wt + 4 * inputGrad.col,
      inputGrad.ptr,
      0,
      0,
      n,
      inputGrad.width,
      l.fanOut,
      l.fanOut,
      l.fanIn,
      inputGrad.width,
      0,
    );
  }
}

/**
 * Parameter gradient of the chunk, ∇W_i = x_iᵀ δ_i, ∇b_i = Σ δ_i, written (not added) into the
 * float32 packed vector at `out`.
 *
 * @example
 * ```ts
 * import { gradient, type Kern, type NetPlan } from "./mlp.ts";
 * function run(k: Kern, net: NetPlan, x0: number, n: number, st: number, out: number) { gradient(k, net, x0, n, st, out); }
 * ```
 */
export function gradient(
  k: Kern,
  net: NetPlan,
  x0: number,
  n: number,
  st: number,
  out: number,
): void {
  const layers = net.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const x = i === 0 ? x0 : st + layers[i - 1].a;
    gemmCols(
      k,
      x,
      st + l.d,
      out + 4 * l.pw,
      l.fanIn,
      l.fanOut,
      n,
      l.fanIn,
      l.fanOut,
      l.fanOut,
      0,
    );
    k.colSum(st + l.d, out + 4 * l.pb, n, l.fanOut, l.fanOut, 0);
  }
}

/**
 * R-forward pass for `b` vectors: R{z_i} into the scratch `rz` buffers, R{x_{i+1}} into `rh`
 * (both [b, n, width]). `rInput`: R{x_0} on an input window ((b·n) × width); otherwise
 * R{x_0} = 0.
 *
 * @example
 * ```ts
 * import { type Kern, type NetPlan, rForward } from "./mlp.ts";
 * function run(k: Kern, net: NetPlan, x0: number, n: number, st: number, sc: number) { rForward(k, net, x0, n, st, sc, 1); }
 * ```
 */
export function rForward(
  k: Kern,
  net: NetPlan,
  x0: number,
  n: number,
  st: number,
  sc: number,
  b: number,
  rInput?: InputWindow,
): void {
  const layers = net.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const rz = sc + l.rz;
    let flags = 0;
    if (!net.frozen) {
      const x = i === 0 ? x0 : st + layers[i - 1].a;
      const m = l.fanIn * l.fanOut;
      for (let j = 0; j < b; j++) {
        gemmRows(
          k,
          x,
          l.vw + 4 * j * m,
          rz + 4 * j * n * l.fanOut,
          l.vb + 4 * j * l.fanOut,
          0,
          n,
          l.fanOut,
          l.fanIn,
          l.fanIn,
          l.fanOut,
          l.fanOut,
          GEMM.BIAS,
        );
      }
      flags = GEMM.ACCUMULATE;
    }
    if (i > 0) {
      gemmRows(
        k,
        sc + l.rh,
        l.w,
        rz,
        0,
        0,
        n * b,
        l.fanOut,
        l.fanIn,
        l.fanIn,
        l.fanOut,
        l.fanOut,
        flags,
      );
    } else if (rInput) {
      gemmRows(
        k,
        rInput.ptr,
        l.w + 4 * rInput.col * l.fanOut,
        rz,
        0,
        0,
        n * b,
        l.fanOut,
        rInput.width,
        rInput.width,
        l.fanOut,
        l.fanOut,
        flags,
      );
    } else if (net.frozen) {
      throw new Error("engine: a frozen network needs an R-input");
    }
    if (l.act !== 0) {
      const next = sc + layers[i + 1].rh;
      const grad = l.act === 1 ? k.tanhGrad : k.reluGrad;
      grad(next, st + l.a, rz, n, l.fanOut, b);
    }
  }
}

/**
 * R-backward pass for `b` vectors, from R{δ_L} (in the last layer's `rz` scratch, written by
 * the loss head). Writes (Hv)_j for the network's parameters into the float32 packed vectors at
 * `out + 4·j·stride` (not added), and R{∂ℓ/∂x_0} on `inputGrad` ((b·n) × width) when given.
 * Frozen networks write no parameters.
 *
 * @example
 * ```ts
 * import { type Kern, type NetPlan, rBackward } from "./mlp.ts";
 * function run(k: Kern, net: NetPlan, x0: number, n: number, st: number, sc: number, out: number, stride: number) {
 *   rBackward(k, net, x0, n, st, sc, 1, out, stride);
 * }
 * ```
 */
export function rBackward(
  k: Kern,
  net: NetPlan,
  x0: number,
  n: number,
  st: number,
  sc: number,
  b: number,
  out: number,
  stride: number,
  inputGrad?: InputWindow,
): void {
  const layers = net.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const rd = sc + l.rz; // now R{δ_i}
    if (!net.frozen) {
      const x = i === 0 ? x0 : st + layers[i - 1].a;
      for (let j = 0; j < b; j++) {
        const o = out + 4 * j * stride;
        const rdj = rd + 4 * j * n * l.fanOut;
        gemmCols(k, x, rdj, o + 4 * l.pw, l.fanIn, l.fanOut, n, l.fanIn, l.fanOut, l.fanOut, 0);
        if (i > 0) {
          gemmCols(
            k,
            sc + l.rh + 4 * j * n * l.fanIn,
            st + l.d,
            o + 4 * l.pw,
            l.fanIn,
            l.fanOut,
            n,
            l.fanIn,
            l.fanOut,
            l.fanOut,
            GEMM.ACCUMULATE,
          );
        }
        k.colSum(rdj, o + 4 * l.pb, n, l.fanOut, l.fanOut, 0);
      }
    }
    if (i > 0) {
      const p = layers[i - 1];
      const g = sc + net.g;
      gemmRows(k, rd, l.wt, g, 0, 0, n * b, l.fanIn, l.fanOut, l.fanOut, l.fanIn, l.fanIn, 0);
      if (!net.frozen) {
        const m = l.fanIn * l.fanOut;
        for (let j = 0; j < b; j++) {
          k.gemmRow(
            st + l.d,
            l.vwt + 4 * j * m,
            g + 4 * j * n * l.fanIn,
            0,
            0,
            n,
            l.fanIn,
            l.fanOut,
            l.fanOut,
            l.fanIn,
            l.fanIn,
            GEMM.ACCUMULATE,
          );
        }
      }
      const dst = sc + p.rz;
      if (p.act === 1) k.tanhRBack(dst, st + p.a, st + p.d, g, dst, n, l.fanIn, b);
      else if (p.act === 2) k.reluGrad(dst, st + p.a, g, n, l.fanIn, b);
      else throw new Error("engine: hidden layers need an activation");
    } else if (inputGrad) {
      if (!net.frozen) {
        throw new Error("engine: R{∂ℓ/∂x_0} is only implemented for frozen networks");
      }
      gemmRows(
        k,
        rd,
        l.wt + 4 * inputGrad.col,
        inputGrad.ptr,
        0,
        0,
        n * b,
        inputGrad.width,
        l.fanOut,
        l.fanOut,
        l.fanIn,
        inputGrad.width,
        0,
      );
    }
  }
}

/**
 * The SAC actor as one MLP: the latent network (ReLU after every layer) followed by one linear
 * layer whose columns are the μ head, then the log σ head.
 *
 * @example
 * ```ts
 * import { makeSacSpec } from "../../agents/sac/policy.ts";
 * import { sacActorNetBlocks } from "./mlp.ts";
 * const spec = makeSacSpec(3, 1, { netArch: [64, 64] });
 * sacActorNetBlocks(spec).layers.at(-1)!.fanOut; // 2
 * ```
 */
export function sacActorNetBlocks(spec: {
  latent: {
    prefix: string;
    inputDim: number;
    hidden: readonly number[];
    outputDim: number;
    activation: Activation;
  };
  latentDim: number;
  actDim: number;
  actorLayout: { block(name: string): { offset: number; shape: readonly number[] } };
  heads: { muWeight: number; muBias: number; logStdWeight: number; logStdBias: number };
}): NetBlocks {
  const latent = mlpNetBlocks(spec.latent, spec.actorLayout);
  const a = spec.actDim, h = spec.heads;
  latent.layers.push({
    fanIn: spec.latentDim,
    fanOut: 2 * a,
    groups: [
      { width: a, weight: h.muWeight, bias: h.muBias },
      { width: a, weight: h.logStdWeight, bias: h.logStdBias },
    ],
  });
  return latent;
}
