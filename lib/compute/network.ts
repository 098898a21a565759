/**
 * One description of the networks of pgsubspace: multi-layer perceptrons over a flat parameter
 * vector θ, and the {@linkcode Network} form every engine of the compute layer evaluates.
 *
 * **MLP specs and layouts.** An MLP with spec `{ prefix, inputDim, hidden: [h1, …, hL],
 * outputDim }` has L+1 linear layers i = 0..L with widths inputDim → h1 → … → hL → outputDim.
 * Layer i owns two blocks, stored in this order: `"<prefix>.<i>.weight"` with shape [in, out]
 * (row-major, so y = x·W + b) and `"<prefix>.<i>.bias"` with shape [out]. The activation follows
 * every layer except the last (unless `activateOutput` is set, for a latent network that feeds
 * several heads). Compared with a torch `nn.Linear`, our W is torch's `weight.T`; layer i
 * corresponds to SB3's `Sequential` index 2i (activations sit at the odd indices).
 *
 * **Networks.** A {@linkcode Network} is the resolved geometry the engines use: dense layers
 * whose output columns come from one or more θ blocks (*column groups*: the SAC actor's last layer
 * is the μ head followed by the log σ head), every layer but the last followed by the hidden
 * activation, the last one linear. Heads (`heads.ts`) turn the last layer's outputs into a
 * distribution or a value.
 *
 * **Acting.** {@linkcode forwardCpu} evaluates a network for a few observations in plain
 * TypeScript, reading θ in place (float64 arithmetic, float32 outputs, no allocation).
 *
 * @example
 * ```ts
 * import { LayoutBuilder } from "./layout.ts";
 * import { forwardCpu, initMlp, mlpBlockSpecs, mlpNetwork } from "./network.ts";
 * import { Rng } from "../rng.ts";
 * // SB3 PPO actor for Pendulum: pi MLP 3→64→64→1 (last layer = action head) + log_std.
 * const pi = { prefix: "pi", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = new LayoutBuilder().addAll(mlpBlockSpecs(pi)).add("log_std", [1]).build();
 * const theta = layout.zeros();
 * initMlp(theta, layout, pi, { orthoInit: true, outputGain: 0.01, rng: new Rng(0) });
 * const mean = forwardCpu(mlpNetwork(pi, layout), theta, new Float32Array([1, 0, 0]), 1);
 * ```
 *
 * @module
 */

import type { Rng } from "../rng.ts";
import { orthogonalInit, torchDefaultLinearInit } from "./init.ts";
import { ParamLayout } from "./layout.ts";
import type { ParamBlockSpec } from "./layout.ts";

/** Hidden-layer nonlinearity. */
export type Activation = "tanh" | "relu";

/** Architecture of one MLP and where its blocks live in a layout. */
export interface MlpSpec {
  /** Block-name prefix: layer i owns `"<prefix>.<i>.weight"` and `"<prefix>.<i>.bias"`. */
  readonly prefix: string;
  /** Input width (observation size, or obs + action size for a Q-network). */
  readonly inputDim: number;
  /** Hidden widths in order, e.g. [64, 64]; empty for a single linear layer. */
  readonly hidden: readonly number[];
  /** Output width (action size for a mean head, 1 for a value or Q head). */
  readonly outputDim: number;
  /** Nonlinearity after each hidden layer. */
  readonly activation: Activation;
  /** Also apply the activation after the last layer (latent nets feeding heads). Default false. */
  readonly activateOutput?: boolean;
}

/**
 * Checks an MLP spec and returns its layer widths as [in, out] pairs.
 *
 * @example
 * ```ts
 * import { mlpLayerDims } from "./network.ts";
 * mlpLayerDims({ prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" });
 * // [[3, 64], [64, 64], [64, 1]]
 * ```
 */
export function mlpLayerDims(spec: MlpSpec): [number, number][] {
  if (typeof spec.prefix !== "string" || spec.prefix.length === 0) {
    throw new Error('MlpSpec.prefix must be a non-empty string such as "pi" or "qf0"');
  }
  const widths = [spec.inputDim, ...spec.hidden, spec.outputDim];
  for (const w of widths) {
    if (!Number.isInteger(w) || w < 1) {
      throw new Error(
        `MlpSpec "${spec.prefix}": widths must be positive integers, got ` +
          `inputDim ${spec.inputDim}, hidden [${spec.hidden}], outputDim ${spec.outputDim}`,
      );
    }
  }
  if (spec.activation !== "tanh" && spec.activation !== "relu") {
    throw new Error(
      `MlpSpec "${spec.prefix}": activation must be "tanh" or "relu", got "${spec.activation}"`,
    );
  }
  const dims: [number, number][] = [];
  for (let i = 0; i + 1 < widths.length; i++) dims.push([widths[i], widths[i + 1]]);
  return dims;
}

/**
 * The blocks of one MLP in storage order: weight then bias for each layer.
 *
 * @example
 * ```ts
 * import { mlpBlockSpecs } from "./network.ts";
 * mlpBlockSpecs({ prefix: "qf0", inputDim: 4, hidden: [256], outputDim: 1, activation: "relu" })
 *   .map((b) => b.name); // ["qf0.0.weight", "qf0.0.bias", "qf0.1.weight", "qf0.1.bias"]
 * ```
 */
export function mlpBlockSpecs(spec: MlpSpec): ParamBlockSpec[] {
  return mlpLayerDims(spec).flatMap(([fanIn, fanOut], i) => [
    { name: `${spec.prefix}.${i}.weight`, shape: [fanIn, fanOut] },
    { name: `${spec.prefix}.${i}.bias`, shape: [fanOut] },
  ]);
}

/**
 * Number of parameters (weights and biases) of one MLP: Σ_i (in_i + 1)·out_i.
 *
 * @example
 * ```ts
 * import { mlpParamCount } from "./network.ts";
 * mlpParamCount({ prefix: "vf", inputDim: 17, hidden: [64, 64], outputDim: 1, activation: "tanh" }); // 5377
 * ```
 */
export function mlpParamCount(spec: MlpSpec): number {
  return mlpLayerDims(spec).reduce((n, [fanIn, fanOut]) => n + (fanIn + 1) * fanOut, 0);
}

/**
 * A layout holding just this MLP.
 *
 * @example
 * ```ts
 * import { mlpLayout } from "./network.ts";
 * const layout = mlpLayout({ prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" });
 * layout.size; // 4481
 * ```
 */
export function mlpLayout(spec: MlpSpec): ParamLayout {
  return new ParamLayout(mlpBlockSpecs(spec));
}

/**
 * One column group of a dense layer: a fanIn × width weight block (row-major) and a width bias
 * block, by their θ offsets.
 *
 * @example
 * ```ts
 * import type { DenseGroup } from "./network.ts";
 * const valueHead: DenseGroup = { width: 1, weight: 4416, bias: 4480 };
 * ```
 */
export interface DenseGroup {
  /** Output columns of this group. */
  readonly width: number;
  /** θ offset of the fanIn × width weight block. */
  readonly weight: number;
  /** θ offset of the width bias block. */
  readonly bias: number;
}

/**
 * One dense layer of a {@linkcode Network}: y = x·W + b, W's columns stored as column groups.
 *
 * @example
 * ```ts
 * import type { DenseLayer } from "./network.ts";
 * const heads: DenseLayer = {
 *   fanIn: 256, fanOut: 2,
 *   groups: [{ width: 1, weight: 66560, bias: 66816 }, { width: 1, weight: 66817, bias: 67073 }],
 * };
 * ```
 */
export interface DenseLayer {
  /** Input width. */
  readonly fanIn: number;
  /** Output width (Σ of the groups' widths). */
  readonly fanOut: number;
  /** Column groups in output-column order. */
  readonly groups: readonly DenseGroup[];
}

/**
 * A network over θ: dense layers, each but the last followed by the hidden activation.
 *
 * @example
 * ```ts
 * import { mlpLayout, mlpNetwork, type Network } from "./network.ts";
 * const vf = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const net: Network = mlpNetwork(vf, mlpLayout(vf));
 * net.layers.length; // 3
 * ```
 */
export interface Network {
  /** The layers in order. */
  readonly layers: readonly DenseLayer[];
  /** Hidden nonlinearity. */
  readonly activation: Activation;
  /** Largest layer width (inputs included). */
  readonly maxWidth: number;
  /** Length θ needs: the end of the last block the network reads. */
  readonly thetaSize: number;
}

/**
 * Builds a network from its layers (validates widths and groups).
 *
 * @example
 * ```ts
 * import { makeNetwork } from "./network.ts";
 * const net = makeNetwork([{ fanIn: 3, fanOut: 2, groups: [{ width: 2, weight: 0, bias: 6 }] }], "relu");
 * net.maxWidth; // 3
 * ```
 */
export function makeNetwork(layers: readonly DenseLayer[], activation: Activation): Network {
  if (activation !== "tanh" && activation !== "relu") {
    throw new Error(`Network: activation must be "tanh" or "relu", got "${activation}"`);
  }
  if (layers.length === 0) throw new Error("Network: needs at least one layer");
  let maxWidth = 0, thetaSize = 0;
  layers.forEach((l, i) => {
    for (const g of l.groups) {
      thetaSize = Math.max(thetaSize, g.weight + l.fanIn * g.width, g.bias + g.width);
    }
    const width = l.groups.reduce((s, g) => s + g.width, 0);
    if (width !== l.fanOut || l.fanIn < 1 || l.fanOut < 1) {
      throw new Error(
        `Network: layer ${i} is ${l.fanIn} → ${l.fanOut} but its column groups cover ${width} ` +
          `columns`,
      );
    }
    if (i > 0 && layers[i - 1].fanOut !== l.fanIn) {
      throw new Error(
        `Network: layer ${i} takes ${l.fanIn} inputs but layer ${i - 1} gives ${
          layers[i - 1].fanOut
        }`,
      );
    }
    maxWidth = Math.max(maxWidth, l.fanIn, l.fanOut);
  });
  return Object.freeze({
    layers: Object.freeze(
      layers.map((l) => Object.freeze({ ...l, groups: Object.freeze([...l.groups]) })),
    ),
    activation,
    maxWidth,
    thetaSize,
  });
}

/** The dense layers of an MLP's blocks in a layout, checked against the spec. */
function mlpLayers(spec: MlpSpec, layout: ParamLayout): DenseLayer[] {
  return mlpLayerDims(spec).map(([fanIn, fanOut], i) => {
    const w = layout.block(`${spec.prefix}.${i}.weight`);
    const b = layout.block(`${spec.prefix}.${i}.bias`);
    if (w.shape.length !== 2 || w.shape[0] !== fanIn || w.shape[1] !== fanOut) {
      throw new Error(
        `block "${w.name}" has shape [${w.shape}] but MlpSpec "${spec.prefix}" needs ` +
          `[${fanIn}, ${fanOut}]; build the layout from mlpBlockSpecs(spec)`,
      );
    }
    if (b.shape.length !== 1 || b.shape[0] !== fanOut) {
      throw new Error(
        `block "${b.name}" has shape [${b.shape}] but MlpSpec "${spec.prefix}" needs ` +
          `[${fanOut}]; build the layout from mlpBlockSpecs(spec)`,
      );
    }
    return { fanIn, fanOut, groups: [{ width: fanOut, weight: w.offset, bias: b.offset }] };
  });
}

/**
 * The network of an MLP whose blocks live in `layout` (its last layer linear).
 *
 * @example
 * ```ts
 * import { mlpLayout, mlpNetwork } from "./network.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * mlpNetwork(spec, mlpLayout(spec)).layers[2].fanOut; // 1
 * ```
 */
export function mlpNetwork(spec: MlpSpec, layout: ParamLayout): Network {
  if (spec.activateOutput === true) {
    throw new Error(
      `mlpNetwork "${spec.prefix}": an activated output feeds heads; build the network with ` +
        `mlpNetworkWithHeads`,
    );
  }
  return makeNetwork(mlpLayers(spec, layout), spec.activation);
}

/**
 * A latent MLP (activated output, e.g. SAC's `latent_pi`) followed by one linear layer whose
 * column groups are the heads, each a `[latent, width]` weight block and a bias block of
 * `layout` (e.g. `mu.weight`/`mu.bias` then `log_std.weight`/`log_std.bias`).
 *
 * @example
 * ```ts
 * import { LayoutBuilder } from "./layout.ts";
 * import { mlpBlockSpecs, mlpNetworkWithHeads } from "./network.ts";
 * const latent = { prefix: "latent_pi", inputDim: 3, hidden: [], outputDim: 64, activation: "relu", activateOutput: true } as const;
 * const layout = new LayoutBuilder().addAll(mlpBlockSpecs(latent))
 *   .add("mu.weight", [64, 1]).add("mu.bias", [1]).add("log_std.weight", [64, 1]).add("log_std.bias", [1]).build();
 * mlpNetworkWithHeads(latent, layout, [["mu.weight", "mu.bias"], ["log_std.weight", "log_std.bias"]])
 *   .layers[1].fanOut; // 2
 * ```
 */
export function mlpNetworkWithHeads(
  latent: MlpSpec,
  layout: ParamLayout,
  heads: readonly (readonly [weight: string, bias: string])[],
): Network {
  if (latent.activateOutput !== true) {
    throw new Error(`mlpNetworkWithHeads "${latent.prefix}": the latent MLP must be activated`);
  }
  const layers = mlpLayers(latent, layout);
  const groups = heads.map(([wName, bName]) => {
    const w = layout.block(wName), b = layout.block(bName);
    if (w.shape.length !== 2 || w.shape[0] !== latent.outputDim || b.size !== w.shape[1]) {
      throw new Error(
        `mlpNetworkWithHeads: head blocks "${wName}" [${w.shape}] and "${bName}" [${b.shape}] ` +
          `do not form a [${latent.outputDim}, width] layer`,
      );
    }
    return { width: w.shape[1], weight: w.offset, bias: b.offset };
  });
  layers.push({
    fanIn: latent.outputDim,
    fanOut: groups.reduce((s, g) => s + g.width, 0),
    groups,
  });
  return makeNetwork(layers, latent.activation);
}

// Two ping-pong float64 buffers for hidden activations, grown on demand. JavaScript runs one
// call at a time, so sharing them between calls is safe and keeps the acting path allocation-free.
let scratchA = new Float64Array(256);
let scratchB = new Float64Array(256);

/**
 * Plain-TypeScript forward pass of `net` for a batch of `batch` inputs stored row-major in `x`
 * (length batch·inputDim), reading θ in place. Writes batch·outputDim outputs, row-major, into
 * `out` (allocated when omitted) and returns it.
 *
 * Precision: each output starts from its bias and accumulates the products in **float64**
 * (float32 weights times float64 activations); hidden activations are kept in float64, and only
 * the outputs are rounded to float32 (kept in float64 when `out` is a Float64Array). It agrees
 * with the float32 devices to about float32 rounding (≈1e-6 relative). With `latent`, the last
 * hidden activations (the input of the last layer, batch × fanIn) are rounded to float32,
 * written there, and the last layer reads the rounded values (as a float32 device's latent
 * buffer; SAC's acting path matches its float32 engine this way).
 *
 * A NaN/±Inf output throws (it means diverged parameters or a bad observation).
 *
 * @example
 * ```ts
 * import { forwardCpu, mlpLayout, mlpNetwork } from "./network.ts";
 * const spec = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = mlpLayout(spec);
 * const value = new Float32Array(1);
 * forwardCpu(mlpNetwork(spec, layout), layout.zeros(), new Float32Array([1, 0, 0.5]), 1, value);
 * ```
 */
export function forwardCpu<T extends Float32Array | Float64Array = Float32Array>(
  net: Network,
  params: ArrayLike<number>,
  x: ArrayLike<number>,
  batch: number,
  out?: T,
  latent?: Float32Array,
): T {
  const layers = net.layers;
  const nLayers = layers.length;
  const inputDim = layers[0].fanIn, outputDim = layers[nLayers - 1].fanOut;
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * inputDim) {
    throw new Error(
      `forwardCpu: input has length ${x.length} but batch ${batch} × inputDim ${inputDim} = ` +
        `${batch * inputDim} was declared`,
    );
  }
  if (params.length < net.thetaSize) {
    throw new Error(
      `forwardCpu: the parameter vector has ${params.length} entries but the network reads ` +
        `${net.thetaSize}; pass the vector of the network's layout`,
    );
  }
  const y = out ?? (new Float32Array(batch * outputDim) as T);
  if (y.length !== batch * outputDim) {
    throw new Error(
      `forwardCpu: output buffer has length ${y.length} but batch ${batch} × outputDim ` +
        `${outputDim} = ${batch * outputDim} is needed`,
    );
  }
  if (scratchA.length < net.maxWidth) {
    scratchA = new Float64Array(net.maxWidth);
    scratchB = new Float64Array(net.maxWidth);
  }
  const useTanh = net.activation === "tanh";
  for (let s = 0; s < batch; s++) {
    let h = scratchA, next = scratchB;
    const xOff = s * inputDim;
    for (let i = 0; i < inputDim; i++) h[i] = x[xOff + i];
    for (let l = 0; l < nLayers; l++) {
      const layer = layers[l];
      const fanIn = layer.fanIn;
      if (l === nLayers - 1 && latent) {
        for (let i = 0; i < fanIn; i++) {
          latent[s * fanIn + i] = h[i];
          h[i] = latent[s * fanIn + i]; // the float32-rounded value
        }
      }
      const groups = layer.groups;
      for (let q = 0, c0 = 0; q < groups.length; q++) {
        const g = groups[q];
        const width = g.width, wOff = g.weight, bOff = g.bias;
        // next[c0 + j] = b[j] + Σ_i h[i]·W[i, j], four outputs at a time so the four running sums
        // stay in registers and each weight row is read contiguously (≈1.5× faster than one).
        let j = 0;
        for (; j + 3 < width; j += 4) {
          let a0 = params[bOff + j], a1 = params[bOff + j + 1];
          let a2 = params[bOff + j + 2], a3 = params[bOff + j + 3];
          for (let i = 0, r = wOff + j; i < fanIn; i++, r += width) {
            const hi = h[i];
            a0 += hi * params[r];
            a1 += hi * params[r + 1];
            a2 += hi * params[r + 2];
            a3 += hi * params[r + 3];
          }
          next[c0 + j] = a0;
          next[c0 + j + 1] = a1;
          next[c0 + j + 2] = a2;
          next[c0 + j + 3] = a3;
        }
        for (; j < width; j++) {
          let a = params[bOff + j];
          for (let i = 0, r = wOff + j; i < fanIn; i++, r += width) a += h[i] * params[r];
          next[c0 + j] = a;
        }
        c0 += width;
      }
      if (l < nLayers - 1) {
        const fanOut = layer.fanOut;
        if (useTanh) {
          for (let j = 0; j < fanOut; j++) next[j] = Math.tanh(next[j]);
        } else {
          for (let j = 0; j < fanOut; j++) if (next[j] < 0) next[j] = 0;
        }
      }
      const t = h;
      h = next;
      next = t;
    }
    const yOff = s * outputDim;
    for (let j = 0; j < outputDim; j++) {
      if (!Number.isFinite(h[j])) {
        throw new Error(
          `forwardCpu: output ${j} of sample ${s} is ${h[j]}; the parameters or the input ` +
            `contain NaN/Inf or overflow (check the loss and observations)`,
        );
      }
      y[yOff + j] = h[j];
    }
  }
  return y;
}

/** How to initialise an MLP. */
export type MlpInit =
  | {
    /** SB3 `ortho_init=True`: orthogonal weights, zero biases. */
    orthoInit: true;
    /** Gain of every layer but the last (SB3: √2, the default). */
    hiddenGain?: number;
    /** Gain of the last layer (SB3: 0.01 action head, 1 value head, √2 latent net). */
    outputGain: number;
    /** Random source. */
    rng: Rng;
  }
  | {
    /** PyTorch nn.Linear default: weights and biases ~ U(±1/√fan_in) (SB3 SAC, rl-zoo PPO). */
    orthoInit: false;
    /** Random source. */
    rng: Rng;
  };

/**
 * Initialises the blocks of one MLP inside `params` (other blocks are left untouched), layer by
 * layer in storage order.
 *
 * - `orthoInit: true` (SB3 PPO): W_i = orthogonal_(gain_i) drawn in torch's (out, in) shape and
 *   stored transposed; gain_i = hiddenGain (default √2) for all but the last layer, outputGain for
 *   the last; biases 0.
 * - `orthoInit: false` (SB3 SAC): {@link torchDefaultLinearInit} per layer.
 *
 * @example
 * ```ts
 * import { initMlp, mlpLayout } from "./network.ts";
 * import { Rng } from "../rng.ts";
 * const vf = { prefix: "vf", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" } as const;
 * const layout = mlpLayout(vf);
 * const theta = layout.zeros();
 * initMlp(theta, layout, vf, { orthoInit: true, outputGain: 1, rng: new Rng(1) });
 * ```
 */
export function initMlp(
  params: Float32Array,
  layout: ParamLayout,
  spec: MlpSpec,
  init: MlpInit,
): void {
  const layers = mlpLayers(spec, layout);
  if (params.length !== layout.size) {
    throw new Error(
      `initMlp "${spec.prefix}": parameter vector has length ${params.length} but the layout ` +
        `has ${layout.size}`,
    );
  }
  const nLayers = layers.length;
  for (let l = 0; l < nLayers; l++) {
    const { fanIn, fanOut } = layers[l];
    const wOff = layers[l].groups[0].weight, bOff = layers[l].groups[0].bias;
    if (init.orthoInit) {
      const gain = l < nLayers - 1 ? init.hiddenGain ?? Math.SQRT2 : init.outputGain;
      const torchWeight = orthogonalInit(fanOut, fanIn, gain, init.rng); // (out, in)
      for (let o = 0; o < fanOut; o++) {
        for (let i = 0; i < fanIn; i++) params[wOff + i * fanOut + o] = torchWeight[o * fanIn + i];
      }
      params.fill(0, bOff, bOff + fanOut);
    } else {
      const { weight, bias } = torchDefaultLinearInit(fanIn, fanOut, init.rng);
      params.set(weight, wOff);
      params.set(bias, bOff);
    }
  }
}
