/**
 * {@linkcode forwardBatch}: a network's outputs for many inputs on a compute device, chunked, in
 * fixed memory (the SAC analysis's critic targets: the actor on s′ and the target Q-networks on
 * [s′, ã′]).
 *
 * @module
 */
import { Arena } from "./arena.ts";
import { CpuDevice } from "./cpu/device.ts";
import type { Network } from "./network.ts";
import { forward, planNet, refreshTransposes } from "./ops.ts";
import { WasmDevice } from "./wasm/device.ts";

/**
 * Outputs (n × output width, row-major) of `net` at θ for n inputs (row-major), in chunks of
 * `chunkRows` on the float32 WebAssembly device (default) or the float64 CPU device.
 *
 * @example
 * ```ts
 * import { makeNetwork } from "./network.ts";
 * import { forwardBatch } from "./forward.ts";
 * const net = makeNetwork([{ fanIn: 2, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 2 }] }], "tanh");
 * forwardBatch(net, [1, -1, 0.5], [1, 0, 0, 1], 2); // Float32Array [1.5, -0.5]
 * ```
 */
export function forwardBatch(
  net: Network,
  theta: ArrayLike<number>,
  inputs: ArrayLike<number>,
  n: number,
  options: {
    chunkRows?: number;
    device?: "wasm" | "cpu";
    /**
     * Called after each chunk with its first row, row count, outputs and the last hidden layer's
     * activations (views valid during the call; e.g. gSDE's features).
     */
    onChunk?: (
      start: number,
      count: number,
      outputs: Float32Array,
      latent: ArrayLike<number>,
    ) => void;
  } = {},
): Float32Array {
  const inDim = net.layers[0].fanIn;
  const outDim = net.layers[net.layers.length - 1].fanOut;
  if (inputs.length !== n * inDim) {
    throw new RangeError(
      `forwardBatch: ${n} inputs of width ${inDim} need ${n * inDim} values, got ${inputs.length}`,
    );
  }
  const rows = Math.max(1, Math.min(n, options.chunkRows ?? 8192));
  const E = options.device === "cpu" ? 8 : 4;
  const fixed = new Arena(64, E), state = new Arena(0, E), scratch = new Arena(0, E);
  const thetaPtr = fixed.real(theta.length);
  const plan = planNet(net, thetaPtr, theta.length, 0, {
    fixed,
    state,
    scratch,
    rows,
    maxBlock: 0,
  });
  const x = fixed.real(rows * inDim), st = fixed.bytes(state.top);
  const dev = options.device === "cpu" ? new CpuDevice(fixed.top) : new WasmDevice(fixed.top);
  dev.real(thetaPtr, theta.length).set(theta);
  refreshTransposes(dev.kernels, plan);
  const last = plan.layers[plan.layers.length - 1];
  const out = new Float32Array(n * outDim);
  for (let start = 0; start < n; start += rows) {
    const count = Math.min(rows, n - start);
    const xv = dev.real(x, count * inDim);
    for (let i = 0; i < count * inDim; i++) xv[i] = inputs[start * inDim + i];
    forward(dev.kernels, plan, x, count, st);
    out.set(dev.real(st + last.a, count * outDim), start * outDim);
    if (options.onChunk && plan.layers.length > 1) {
      const hidden = plan.layers[plan.layers.length - 2];
      const latent = dev.real(st + hidden.a, count * hidden.fanOut);
      options.onChunk(start, count, out.subarray(start * outDim, (start + count) * outDim), latent);
    }
  }
  return out;
}
