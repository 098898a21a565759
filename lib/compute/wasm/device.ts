/**
 * {@linkcode WasmDevice}: one WebAssembly memory with the kernel module instantiated on it, the
 * float32 device of the compute layer. Engines plan their buffers with an {@linkcode Arena} first
 * and then create the device with the planned size; views of the memory never go stale because
 * the memory never grows.
 *
 * @module
 */
import { Arena } from "../arena.ts";
import type { Kernels, Ptr } from "../kernels.ts";
import {
  bindKernels,
  compiledKernelModule,
  ELEMENTWISE_SCRATCH_BYTES,
  instantiateKernels,
  type KernelExports,
} from "./module.ts";

/** WebAssembly's 32-bit memories hold at most 65,536 pages of 64 KiB. */
export const WASM_MAX_PAGES = 65_536;
/** Bytes of one WebAssembly page. */
export const WASM_PAGE = 65_536;

/**
 * Options of {@linkcode WasmDevice}.
 *
 * @example
 * ```ts
 * import type { WasmDeviceOptions } from "./device.ts";
 * const o: WasmDeviceOptions = { shared: true };
 * ```
 */
export interface WasmDeviceOptions {
  /** A SharedArrayBuffer-backed memory, for worker threads (default false). */
  shared?: boolean;
  /** Byte offset of the main thread's element-wise scratch (default: allocated past `bytes`). */
  scratch?: Ptr;
}

/**
 * A float32 compute device on a WebAssembly memory.
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { GEMM } from "../kernels.ts";
 * import { WasmDevice } from "./device.ts";
 * const plan = new Arena(64);
 * const a = plan.f32(4), b = plan.f32(4), c = plan.f32(4);
 * const dev = new WasmDevice(plan.top);
 * dev.f32(a, 4).set([1, 2, 3, 4]); // A = [[1, 2], [3, 4]]
 * dev.f32(b, 4).set([1, 0, 0, 1]); // B = I
 * dev.kernels.gemmRow(a, b, c, 0, 0, 2, 2, 2, 2, 2, 2, 0);
 * dev.f32(c, 4); // [1, 2, 3, 4]
 * dev.kernels.gemmRow(a, b, c, 0, 0, 2, 2, 2, 2, 2, 2, GEMM.ACCUMULATE); // C += A·B
 * ```
 */
export class WasmDevice {
  /** 4: reals are float32. */
  readonly elementBytes = 4 as const;
  /** The memory. */
  readonly memory: WebAssembly.Memory;
  /** The compiled kernel module (to instantiate on the same memory in a worker). */
  readonly module: WebAssembly.Module;
  /** The kernels bound to this memory and the main thread's scratch. */
  readonly kernels: Kernels;
  /** The kernel module's raw exports on this thread (for binding recorded programs). */
  readonly exports: KernelExports;
  /** Bytes of memory. */
  readonly byteLength: number;
  /** Main-thread element-wise scratch. */
  readonly scratch: Ptr;

  /**
   * @param bytes bytes the engine planned (an {@linkcode Arena}'s `top`); rounded up to pages.
   */
  constructor(bytes: number, options: WasmDeviceOptions = {}) {
    const shared = options.shared ?? false;
    const scratch = options.scratch ?? Math.ceil(bytes / 16) * 16;
    const total = options.scratch === undefined ? scratch + ELEMENTWISE_SCRATCH_BYTES + 64 : bytes;
    const pages = Math.max(1, Math.ceil(total / WASM_PAGE));
    if (pages > WASM_MAX_PAGES - 1) {
      throw new RangeError(
        `WasmDevice: ${total} bytes exceed what a WebAssembly memory holds (4 GiB); use fewer ` +
          `samples, a smaller batch or smaller chunks`,
      );
    }
    this.memory = shared
      ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
      : new WebAssembly.Memory({ initial: pages });
    this.byteLength = pages * WASM_PAGE;
    this.module = compiledKernelModule(pages, shared);
    this.scratch = scratch;
    this.exports = instantiateKernels(this.module, this.memory);
    this.kernels = bindKernels(this.exports, scratch);
  }

  /** Whether the memory is shared (usable from worker threads). */
  get shared(): boolean {
    return this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** A Float32Array view of `n` entries at byte offset `ptr`. */
  f32(ptr: Ptr, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** A Float64Array view of `n` entries at byte offset `ptr`. */
  f64(ptr: Ptr, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  /** A view of `n` reals (float32 here). */
  real(ptr: Ptr, n: number): Float32Array {
    return this.f32(ptr, n);
  }

  /** An arena for planning this device's buffers (float32 reals), starting at byte 64. */
  static planner(): Arena {
    return new Arena(64, 4);
  }
}
