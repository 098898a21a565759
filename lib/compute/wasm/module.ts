/**
 * The compute layer's one WebAssembly kernel module (matrix kernels from `matrix.ts`, element-wise
 * and matrix-vector kernels from `elementwise.ts`, exported in {@linkcode KERNEL_NAMES} order),
 * compiled once per memory size, and its binding to the typed {@linkcode Kernels} interface.
 *
 * @module
 */
import { ModuleBuilder } from "./assembler.ts";
import {
  KERNEL_NAMES,
  type KernelCall,
  type KernelName,
  type Kernels,
  type Ptr,
} from "../kernels.ts";
import { matrixKernelCode } from "./matrix.ts";
import { ELEMENTWISE_SCRATCH_BYTES, elementwiseKernelCode } from "./elementwise.ts";

export { ELEMENTWISE_SCRATCH_BYTES };

/** Kernels whose WebAssembly function takes the thread's element-wise scratch as a last argument. */
const SCRATCH_KERNELS: ReadonlySet<KernelName> = new Set([
  "tanh",
  "tanhGrad",
  "reluGrad",
  "tanhRBack",
]);

/**
 * The module's bytes for a memory of `pages` 64 KiB pages (`shared` for use from several
 * threads: then its limits must equal the memory's; an unshared module accepts any larger
 * memory).
 *
 * @example
 * ```ts
 * import { kernelModuleBytes } from "./module.ts";
 * WebAssembly.validate(kernelModuleBytes(16, false) as BufferSource); // true
 * ```
 */
export function kernelModuleBytes(pages: number, shared: boolean): Uint8Array {
  const m = new ModuleBuilder(
    shared ? { minPages: pages, maxPages: pages, shared } : { minPages: pages },
  );
  const code = { ...matrixKernelCode(), ...elementwiseKernelCode() };
  for (const name of KERNEL_NAMES) {
    const k = code[name];
    m.addFunction(name, k.params, k.results, k.locals, k.code);
  }
  return m.build();
}

// Compiled modules by (pages, shared): a shared module imports a memory of exactly its size, an
// unshared one any memory of at least one page (then one module serves every size).
const moduleCache = new Map<string, WebAssembly.Module>();

/**
 * The compiled kernel module for a memory of `pages` pages (cached).
 *
 * @example
 * ```ts
 * import { compiledKernelModule } from "./module.ts";
 * const module = compiledKernelModule(1, false);
 * ```
 */
export function compiledKernelModule(pages: number, shared: boolean): WebAssembly.Module {
  const p = shared ? pages : 1;
  const key = `${p}/${shared}`;
  let m = moduleCache.get(key);
  if (!m) {
    if (moduleCache.size >= 8) moduleCache.delete(moduleCache.keys().next().value!);
    m = new WebAssembly.Module(kernelModuleBytes(p, shared) as BufferSource);
    moduleCache.set(key, m);
  }
  return m;
}

/**
 * The raw exports of an instance of the kernel module.
 *
 * @example
 * ```ts
 * import type { KernelExports } from "./module.ts";
 * function probe(e: KernelExports, ptr: number) { return e.finiteProbe(ptr, 4); }
 * ```
 */
export type KernelExports = Record<KernelName, (...args: number[]) => number | undefined>;

/**
 * An instance of the kernel module on `memory`.
 *
 * @example
 * ```ts
 * import { compiledKernelModule, instantiateKernels } from "./module.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const exports = instantiateKernels(compiledKernelModule(1, false), memory);
 * ```
 */
export function instantiateKernels(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/**
 * The typed {@linkcode Kernels} of an instance, with the element-wise kernels bound to the
 * thread's scratch area (`ELEMENTWISE_SCRATCH_BYTES` bytes at `scratch`).
 *
 * @example
 * ```ts
 * import { bindKernels, compiledKernelModule, instantiateKernels } from "./module.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const k = bindKernels(instantiateKernels(compiledKernelModule(1, false), memory), 64);
 * k.transpose(256, 512, 2, 3);
 * ```
 */
export function bindKernels(exports: KernelExports, scratch: Ptr): Kernels {
  const bound = {} as Record<KernelName, (...args: number[]) => number | undefined>;
  for (const name of KERNEL_NAMES) {
    const fn = exports[name];
    bound[name] = SCRATCH_KERNELS.has(name) ? (...args: number[]) => fn(...args, scratch) : fn;
  }
  return bound as unknown as Kernels;
}

/**
 * Binds recorded calls to an instance: one closure per call with its arguments fixed (the fastest
 * way to replay a program many times).
 *
 * @example
 * ```ts
 * import { bindCalls, compiledKernelModule, instantiateKernels } from "./module.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const calls = bindCalls(instantiateKernels(compiledKernelModule(1, false), memory), [
 *   { kernel: "transpose", args: [256, 512, 2, 3] },
 * ], 64);
 * for (const call of calls) call();
 * ```
 */
export function bindCalls(
  exports: KernelExports,
  calls: readonly KernelCall[],
  scratch: Ptr,
): (() => unknown)[] {
  return calls.map((c) => {
    const args = SCRATCH_KERNELS.has(c.kernel) ? [...c.args, scratch] : c.args;
    return exports[c.kernel].bind(null, ...args);
  });
}
