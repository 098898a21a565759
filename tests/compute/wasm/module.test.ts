/** The kernel module: deterministic bytes, every kernel exported and bound, compiled once. */
import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { KERNEL_NAMES, ProgramRecorder } from "../../../lib/compute/kernels.ts";
import {
  bindCalls,
  bindKernels,
  compiledKernelModule,
  instantiateKernels,
  kernelModuleBytes,
} from "../../../lib/compute/wasm/module.ts";

Deno.test("kernel module: valid, deterministic, every kernel exported; compiled modules are cached", () => {
  const a = kernelModuleBytes(4, false), b = kernelModuleBytes(4, false);
  assertEquals(a, b);
  assert(WebAssembly.validate(a as BufferSource));
  const module = compiledKernelModule(4, false);
  assertStrictEquals(compiledKernelModule(8, false), module); // unshared: one module for every size
  const names = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  assertEquals(names, [...KERNEL_NAMES].sort());
});

Deno.test("bindKernels and bindCalls run the same kernels on the same memory", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = instantiateKernels(compiledKernelModule(1, false), memory);
  const f = new Float32Array(memory.buffer);
  f.set([1, 2, 3, 4, 5, 6], 0);
  const k = bindKernels(exports, 4096);
  k.transpose(0, 64, 2, 3);
  assertEquals(Array.from(f.subarray(16, 22)), [1, 4, 2, 5, 3, 6]);
  const rec = new ProgramRecorder();
  rec.kernels.transpose(64, 128, 3, 2);
  for (const call of bindCalls(exports, rec.calls, 4096)) call();
  assertEquals(Array.from(f.subarray(32, 38)), [1, 2, 3, 4, 5, 6]);
});
