/**
 * The network operations (forward, backward, parameter and input gradients, R-forward and
 * R-backward) on a network with column groups, on both devices (float64 CPU, float32
 * WebAssembly), against a float64 forward pass written here and its finite differences.
 */
import { assert } from "@std/assert";
import { Arena } from "../../lib/compute/arena.ts";
import { CpuDevice } from "../../lib/compute/cpu/device.ts";
import { WasmDevice } from "../../lib/compute/wasm/device.ts";
import { type DenseLayer, makeNetwork, type Network } from "../../lib/compute/network.ts";
import {
  backward,
  forward,
  gradient,
  networkMacs,
  planNet,
  rBackward,
  refreshTransposes,
  rForward,
  stageDirections,
} from "../../lib/compute/ops.ts";
import { Rng } from "../../lib/rng.ts";
import { fdGradient, relativeMaxError } from "../reference/float64.ts";

// 3 → 4 (hidden) → [2 | 1]: the output layer has two column groups (as SAC's μ | log σ heads).
const LAYERS: DenseLayer[] = [
  { fanIn: 3, fanOut: 4, groups: [{ width: 4, weight: 0, bias: 12 }] },
  {
    fanIn: 4,
    fanOut: 3,
    groups: [{ width: 2, weight: 16, bias: 24 }, { width: 1, weight: 26, bias: 30 }],
  },
];
const SIZE = 31, N = 6;
const rng = new Rng(21);
const THETA = rng.fillNormal(new Float64Array(SIZE), 0, 0.6);
const X = rng.fillNormal(new Float64Array(N * 3));
const W = rng.fillNormal(new Float64Array(N * 3)); // the linear loss L = Σ W ⊙ y

/** Float64 forward pass of the grouped network (written from the layer description). */
function reference(net: Network, theta: ArrayLike<number>, x: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r < N; r++) {
    let h = Array.from(x).slice(r * 3, r * 3 + 3);
    net.layers.forEach((l, li) => {
      const y: number[] = [];
      for (const g of l.groups) {
        for (let j = 0; j < g.width; j++) {
          let s = theta[g.bias + j];
          for (let i = 0; i < l.fanIn; i++) s += h[i] * theta[g.weight + i * g.width + j];
          y.push(s);
        }
      }
      const hidden = li < net.layers.length - 1;
      h = hidden ? y.map((v) => net.activation === "tanh" ? Math.tanh(v) : Math.max(0, v)) : y;
    });
    out.push(...h);
  }
  return out;
}

const loss = (net: Network) => (theta: Float64Array) =>
  reference(net, theta, X).reduce((s, y, i) => s + W[i] * y, 0);

/** Runs the operations on one device: outputs, gradient and Hv of the linear loss. */
function run(net: Network, device: "cpu" | "wasm", v: Float64Array) {
  const E = device === "cpu" ? 8 : 4;
  const fixed = new Arena(64, E), state = new Arena(0, E), scratch = new Arena(0, E);
  const thetaPtr = fixed.real(SIZE), directions = fixed.real(SIZE);
  const plan = planNet(net, thetaPtr, SIZE, directions, {
    fixed,
    state,
    scratch,
    rows: N,
    maxBlock: 1,
  });
  const x = fixed.real(N * 3), grad = fixed.real(SIZE), hv = fixed.real(SIZE);
  const st = fixed.bytes(state.top), sc = fixed.bytes(scratch.top);
  const dev = device === "cpu" ? new CpuDevice(fixed.top) : new WasmDevice(fixed.top);
  const k = dev.kernels;
  dev.real(thetaPtr, SIZE).set(THETA);
  dev.real(x, N * 3).set(X);
  dev.real(directions, SIZE).set(v);
  refreshTransposes(k, plan);
  stageDirections(k, plan, 1);
  const last = plan.layers[plan.layers.length - 1];
  forward(k, plan, x, N, st);
  const outputs = Array.from(dev.real(st + last.a, N * 3));
  dev.real(st + last.d, N * 3).set(W); // δ of the linear loss
  backward(k, plan, N, st);
  gradient(k, plan, x, N, st, grad);
  rForward(k, plan, x, N, st, sc, 1);
  dev.real(sc + last.rz, N * 3).fill(0); // R{δ} = 0 for a linear loss
  rBackward(k, plan, x, N, st, sc, 1, hv, SIZE);
  return {
    outputs,
    gradient: Array.from(dev.real(grad, SIZE)),
    hv: Array.from(dev.real(hv, SIZE)),
  };
}

for (const activation of ["tanh", "relu"] as const) {
  Deno.test(`network operations (${activation}, column groups): outputs, gradient and Hv on both devices`, () => {
    const net = makeNetwork(LAYERS, activation);
    const v = new Rng(5).fillNormal(new Float64Array(SIZE));
    const want = reference(net, THETA, X);
    const g = fdGradient(loss(net), THETA, 1e-6);
    const h = 1e-4;
    const gradAt = (s: number) =>
      fdGradient(loss(net), THETA.map((t, i) => t + s * h * v[i]), 1e-6);
    const gp = gradAt(1), gm = gradAt(-1);
    const hvRef = gp.map((x, i) => (x - gm[i]) / (2 * h));
    for (const [device, tol] of [["cpu", 1e-9], ["wasm", 2e-5]] as const) {
      const got = run(net, device, v);
      assert(relativeMaxError(got.outputs, want) < tol, `${device} outputs`);
      assert(relativeMaxError(got.gradient, g) < Math.max(tol, 1e-7), `${device} gradient`);
      // (ReLU: the cross terms between layers; no kink lies within the difference step here.)
      assert(relativeMaxError(got.hv, hvRef) < Math.max(tol, 1e-5), `${device} Hv`);
    }
  });
}

Deno.test("networkMacs counts the products of the gradient pass and of one R-pass", () => {
  const macs = networkMacs(makeNetwork(LAYERS, "tanh"));
  const dense = 3 * 4 + 4 * 3;
  assert(macs.forwardBackward >= 2 * dense && macs.forwardBackward <= 3 * dense);
  assert(macs.rPass >= macs.forwardBackward);
});
