/**
 * The WebGPU device on whatever adapter this machine has (the software adapter llvmpipe here):
 * every kernel against the float32 WebAssembly kernels on the same inputs, to float32 tolerance;
 * host writes and downloads in call order. Skipped (ignored) where WebGPU has no adapter.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { Arena } from "../../../lib/compute/arena.ts";
import { GEMM, type Kernels, type Ptr } from "../../../lib/compute/kernels.ts";
import { WasmDevice } from "../../../lib/compute/wasm/device.ts";
import { webGpuAdapter, WebGpuDevice } from "../../../lib/compute/webgpu/device.ts";
import { Rng } from "../../../lib/rng.ts";
import { relativeMaxError } from "../../reference/float64.ts";

const noGpu = (await webGpuAdapter()) === null;

/** The same kernel calls on both devices; returns both memories' `out` ranges. */
async function both(
  size: number,
  init: (real: (p: Ptr, n: number) => Float32Array) => void,
  calls: (k: Kernels) => void,
  outs: [Ptr, number][],
) {
  const wasm = new WasmDevice(size);
  init((p, n) => wasm.real(p, n));
  calls(wasm.kernels);
  const gpu = await WebGpuDevice.create(size, { allowFallback: true });
  init((p, n) => gpu.real(p, n));
  calls(gpu.kernels);
  await gpu.download(outs);
  const result = outs.map(([p, n]) => [Array.from(wasm.real(p, n)), Array.from(gpu.real(p, n))]);
  gpu.destroy();
  return result;
}

Deno.test({
  name: "WebGPU kernels equal the WebAssembly kernels (matrix products with every epilogue)",
  ignore: noGpu,
  fn: async () => {
    const M = 37, N = 19, K = 23;
    const arena = new Arena(64);
    const a = arena.f32(M * K), b = arena.f32(K * N), bias = arena.f32(N), mask = arena.f32(M * N);
    const outs = [0, 1, 2, 3, 4, 5].map(() => arena.f32(M * N));
    const rng = new Rng(1);
    const data = [
      rng.fillNormal(new Float32Array(M * K)),
      rng.fillNormal(new Float32Array(K * N)),
      rng.fillNormal(new Float32Array(N)),
      rng.fillNormal(new Float32Array(M * N)),
    ];
    const start = rng.fillNormal(new Float32Array(M * N));
    const results = await both(
      arena.top,
      (real) => {
        real(a, M * K).set(data[0]);
        real(b, K * N).set(data[1]);
        real(bias, N).set(data[2]);
        real(mask, M * N).set(data[3]);
        for (const o of outs) real(o, M * N).set(start);
      },
      (k) => {
        k.gemmRow(a, b, outs[0], bias, 0, M, N, K, K, N, N, GEMM.BIAS);
        k.gemmRow(a, b, outs[1], bias, 0, M, N, K, K, N, N, GEMM.BIAS | GEMM.RELU);
        k.gemmRow(a, b, outs[2], 0, 0, M, N, K, K, N, N, GEMM.ACCUMULATE);
        k.gemmRow(a, b, outs[3], 0, mask, M, N, K, K, N, N, GEMM.MASK);
        // Aᵀ·B with A read column-major: A is K × M here.
        k.gemmCol(a, b, outs[4], 0, 0, M, N, K, M, N, N, 0);
        k.gemmCol(a, b, outs[5], 0, 0, M, N, K, M, N, N, GEMM.ACCUMULATE);
      },
      outs.map((o) => [o, M * N]),
    );
    for (const [i, [w, g]] of results.entries()) {
      assert(relativeMaxError(g, w) < 1e-5, `product ${i}`);
    }
  },
});

Deno.test({
  name: "WebGPU kernels equal the WebAssembly kernels (vectors, sums, activations, Adam, Polyak)",
  ignore: noGpu,
  fn: async () => {
    const R = 9, W = 7, B = 3, n = 50;
    const arena = new Arena(64);
    const ptrs = Object.fromEntries(
      [
        "a",
        "x",
        "y1",
        "y2",
        "h",
        "d",
        "g",
        "r",
        "o1",
        "o2",
        "o3",
        "o4",
        "cs",
        "tr",
        "p",
        "gr",
        "m",
        "v",
        "sc",
        "t",
        "ps",
      ]
        .map((k) => [k, arena.f32(512)]),
    ) as Record<string, Ptr>;
    const rng = new Rng(2);
    const values = Object.fromEntries(
      Object.keys(ptrs).map((k) => [k, rng.fillNormal(new Float32Array(512))]),
    );
    values.v = values.v.map(Math.abs);
    values.sc = new Float32Array([
      1e-3,
      Math.sqrt(1 - 0.999 ** 3),
      1e-8,
      0.1,
      0.999,
      0.001,
      ...new Float32Array(506),
    ]);
    values.ps = new Float32Array([0.995, 0.005, ...new Float32Array(510)]);
    const results = await both(
      arena.top,
      (real) => {
        for (const [k, p] of Object.entries(ptrs)) real(p, 512).set(values[k]);
      },
      (k) => {
        k.gemvRow(ptrs.a, ptrs.x, ptrs.y1, ptrs.h, R, W, W, 2, GEMM.BIAS);
        k.gemvCol(ptrs.a, ptrs.x, ptrs.y2, R, W, R, GEMM.ACCUMULATE);
        k.colSum(ptrs.a, ptrs.cs, R, W, W, 1);
        k.transpose(ptrs.a, ptrs.tr, R, W);
        k.tanh(ptrs.o1, ptrs.x, R, W, B);
        k.tanhGrad(ptrs.o2, ptrs.h, ptrs.x, R, W, B);
        k.reluGrad(ptrs.o3, ptrs.h, ptrs.x, R, W, B);
        k.tanhRBack(ptrs.o4, ptrs.h, ptrs.d, ptrs.g, ptrs.r, R, W, B);
        k.adam(ptrs.p, ptrs.gr, ptrs.m, ptrs.v, n, ptrs.sc);
        k.polyak(ptrs.t, ptrs.p, n, ptrs.ps);
      },
      [
        [ptrs.y1, 2 * R],
        [ptrs.y2, R],
        [ptrs.cs, W],
        [ptrs.tr, R * W],
        [ptrs.o1, R * W * B],
        [ptrs.o2, R * W * B],
        [ptrs.o3, R * W * B],
        [ptrs.o4, R * W * B],
        [ptrs.p, n],
        [ptrs.m, n],
        [ptrs.v, n],
        [ptrs.t, n],
      ],
    );
    const names = [
      "gemvRow",
      "gemvCol",
      "colSum",
      "transpose",
      "tanh",
      "tanhGrad",
      "reluGrad",
      "tanhRBack",
      "adam p",
      "adam m",
      "adam v",
      "polyak",
    ];
    for (const [i, [w, g]] of results.entries()) assert(relativeMaxError(g, w) < 2e-6, names[i]);
  },
});

Deno.test({
  name: "WebGPU device: host writes and downloads keep call order; host-side kernels say so",
  ignore: noGpu,
  fn: async () => {
    const arena = new Arena(64);
    const a = arena.f32(4), b = arena.f32(4);
    const dev = await WebGpuDevice.create(arena.top, { allowFallback: true });
    dev.real(a, 4).set([1, -2, 3, -4]);
    dev.kernels.tanh(b, a, 1, 4, 1);
    dev.real(a, 4).set([0, 0, 0, 0]); // after the kernel: it must still have read the old a
    dev.kernels.tanh(a, a, 1, 4, 1);
    assertEquals(Array.from(await dev.read(b, 4)).map((x) => Math.round(x * 1e4)), [
      7616,
      -9640,
      9951,
      -9993,
    ]);
    assertEquals(Array.from(await dev.read(a, 4)), [0, 0, 0, 0]);
    dev.real(a, 4)[2] = NaN;
    assertEquals(await dev.finite(a, 4), false);
    let threw = false;
    try {
      dev.kernels.finiteProbe(a, 4);
    } catch {
      threw = true;
    }
    assert(threw);
    dev.destroy();
    await assertRejects(
      () => WebGpuDevice.create(2 ** 40, { allowFallback: true }),
      RangeError,
      "storage binding",
    );
  },
});

Deno.test({
  name:
    "network operations on WebGPU equal the WebAssembly device (forward, backward, gradient, R-passes)",
  ignore: noGpu,
  fn: async () => {
    const { makeNetwork } = await import("../../../lib/compute/network.ts");
    const ops = await import("../../../lib/compute/ops.ts");
    const net = makeNetwork([
      { fanIn: 5, fanOut: 32, groups: [{ width: 32, weight: 0, bias: 160 }] },
      { fanIn: 32, fanOut: 32, groups: [{ width: 32, weight: 192, bias: 1216 }] },
      {
        fanIn: 32,
        fanOut: 3,
        groups: [{ width: 2, weight: 1248, bias: 1312 }, { width: 1, weight: 1314, bias: 1346 }],
      },
    ], "tanh");
    const size = 1347, n = 300, b = 4;
    const rng = new Rng(11);
    const theta = rng.fillNormal(new Float32Array(size), 0, 0.3);
    const x0 = rng.fillNormal(new Float32Array(n * 5));
    const delta = rng.fillNormal(new Float32Array(n * 3));
    const dirs = rng.fillNormal(new Float32Array(size * b));
    const fixed = new Arena(64), state = new Arena(0), scratch = new Arena(0);
    const thetaPtr = fixed.real(size), directions = fixed.real(size * b);
    const plan = ops.planNet(net, thetaPtr, size, directions, {
      fixed,
      state,
      scratch,
      rows: n,
      maxBlock: b,
    });
    const x = fixed.real(n * 5), grad = fixed.real(size), hv = fixed.real(size * b);
    const st = fixed.bytes(state.top), sc = fixed.bytes(scratch.top);
    const last = plan.layers[plan.layers.length - 1];
    const run = (k: Kernels, real: (p: Ptr, n: number) => Float32Array) => {
      real(thetaPtr, size).set(theta);
      real(x, n * 5).set(x0);
      real(directions, size * b).set(dirs);
      ops.refreshTransposes(k, plan);
      ops.stageDirections(k, plan, b);
      ops.forward(k, plan, x, n, st);
      real(st + last.d, n * 3).set(delta);
      ops.backward(k, plan, n, st);
      ops.gradient(k, plan, x, n, st, grad);
      ops.rForward(k, plan, x, n, st, sc, b);
      real(sc + last.rz, n * b * 3).fill(0);
      ops.rBackward(k, plan, x, n, st, sc, b, hv, size);
    };
    const wasm = new WasmDevice(fixed.top);
    run(wasm.kernels, (p, m) => wasm.real(p, m));
    const gpu = await WebGpuDevice.create(fixed.top, { allowFallback: true });
    run(gpu.kernels, (p, m) => gpu.real(p, m));
    for (
      const [name, p, m] of [["outputs", st + last.a, n * 3], ["gradient", grad, size], [
        "Hv",
        hv,
        size * b,
      ]] as const
    ) {
      const g = await gpu.read(p, m);
      assert(relativeMaxError(g, wasm.real(p, m)) < 2e-5, name);
    }
    gpu.destroy();
  },
});
