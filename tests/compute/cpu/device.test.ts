/** The float64 CPU device: its kernels agree with the float32 WebAssembly kernels and with loops. */
import { assert, assertEquals } from "@std/assert";
import { Arena } from "../../../lib/compute/arena.ts";
import { CpuDevice } from "../../../lib/compute/cpu/device.ts";
import { WasmDevice } from "../../../lib/compute/wasm/device.ts";
import { GEMM } from "../../../lib/compute/kernels.ts";
import { Rng } from "../../../lib/rng.ts";
import { relativeMaxError } from "../../reference/float64.ts";

const M = 5, N = 3, K = 4;
const rng = new Rng(2);
const A = rng.fillNormal(new Float64Array(M * K)), B = rng.fillNormal(new Float64Array(K * N));
const bias = rng.fillNormal(new Float64Array(N));

function run(device: "cpu" | "wasm") {
  const E = device === "cpu" ? 8 : 4;
  const arena = new Arena(64, E);
  const a = arena.real(M * K), b = arena.real(K * N), c = arena.real(M * N), bi = arena.real(N);
  const s = arena.real(N);
  const dev = device === "cpu" ? new CpuDevice(arena.top) : new WasmDevice(arena.top);
  dev.real(a, M * K).set(A);
  dev.real(b, K * N).set(B);
  dev.real(bi, N).set(bias);
  dev.kernels.gemmRow(a, b, c, bi, 0, M, N, K, K, N, N, GEMM.BIAS);
  dev.kernels.colSum(c, s, M, N, N, 0);
  return {
    c: Array.from(dev.real(c, M * N)),
    s: Array.from(dev.real(s, N)),
    E: dev.real(a, 1).BYTES_PER_ELEMENT,
  };
}

Deno.test("CpuDevice: float64 kernels equal float64 loops exactly and the float32 device closely", () => {
  const want: number[] = [];
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let x = bias[n];
      for (let k = 0; k < K; k++) x += A[m * K + k] * B[k * N + n];
      want.push(x);
    }
  }
  const cpu = run("cpu"), wasm = run("wasm");
  assertEquals(cpu.E, 8);
  assert(relativeMaxError(cpu.c, want) < 1e-14);
  assert(relativeMaxError(wasm.c, want) < 1e-6);
  const sums = [0, 1, 2].map((n) => want.filter((_, i) => i % N === n).reduce((a, b) => a + b, 0));
  assert(relativeMaxError(cpu.s, sums) < 1e-14);
});
