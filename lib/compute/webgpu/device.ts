/**
 * {@linkcode WebGpuDevice}: the compute layer's float32 device on a GPU (WebGPU, WGSL kernels of
 * `./kernels.ts`). Its memory is one storage buffer on the GPU plus a host **mirror** of the same
 * layout:
 *
 * - kernel calls are encoded into a command buffer and submitted in batches (nothing waits);
 * - `real(ptr, n)` returns a view of the mirror; every range handed out since the last kernel is
 *   written to the GPU before the next kernel runs (host writes reach the GPU in order);
 * - {@linkcode WebGpuDevice.download} copies GPU ranges into the mirror **asynchronously**
 *   (submit, copy to a mappable buffer, `mapAsync`): host code that reads what kernels wrote
 *   awaits it first (the objectives announce these reads; see `../objectives/common.ts`);
 * - `f64(ptr, n)` views are host-only (float64 accumulators never go to the GPU), and the two
 *   kernels that return or accumulate on the host (`finiteProbe`, `accumulateF64`) are replaced
 *   by the asynchronous {@linkcode WebGpuDevice.finite} and host accumulation after a download.
 *
 * {@linkcode webGpuAdapter} finds an adapter; `auto` choices use a GPU only when the adapter is
 * real hardware (not a fallback/software adapter such as llvmpipe), as `lib/runtime` does for
 * tfjs. Tests and benchmarks run the device on the software adapter explicitly.
 *
 * @module
 */
import { KERNEL_NAMES, type KernelName, type Kernels, type Ptr } from "../kernels.ts";
import { dispatchSize, WGSL_KERNELS } from "./kernels.ts";

/** Minimal WebGPU typings used here (Deno ships the real ones under --unstable-webgpu too). */
type Gpu = {
  requestAdapter(o?: { powerPreference?: string; forceFallbackAdapter?: boolean }): Promise<
    GpuAdapter | null
  >;
};
type GpuAdapter = GPUAdapter & { info?: { description?: string; vendor?: string } };

/**
 * The adapter found, or null.
 *
 * @example
 * ```ts
 * import { webGpuAdapter } from "./device.ts";
 * const a = await webGpuAdapter();
 * a === null || typeof a.isFallbackAdapter === "boolean"; // true
 * ```
 */
export async function webGpuAdapter(): Promise<GpuAdapter | null> {
  const gpu = (globalThis.navigator as { gpu?: Gpu } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    return null;
  }
}

/**
 * Whether a real (non-fallback) GPU adapter exists: what `auto` device choices check (probed
 * once per process).
 *
 * @example
 * ```ts
 * import { hasRealGpu } from "./device.ts";
 * const useGpu = await hasRealGpu(); // false on a software adapter
 * ```
 */
export function hasRealGpu(): Promise<boolean> {
  realGpu ??= webGpuAdapter().then((a) => a !== null && !isFallback(a));
  return realGpu;
}

let realGpu: Promise<boolean> | null = null;

function isFallback(a: GpuAdapter): boolean {
  const info = a.info as { isFallbackAdapter?: boolean } | undefined;
  return Boolean(
    info?.isFallbackAdapter ?? (a as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
}

/** Dispatches encoded before a submit (each uses one 256-byte uniform slot). */
const SLOTS = 2048;
const SLOT_BYTES = 256;
/** Kernel arguments per dispatch (the uniform block's u32s). */
const ARGS = 16;

/**
 * Options of {@linkcode WebGpuDevice.create}.
 *
 * @example
 * ```ts
 * import type { WebGpuDeviceOptions } from "./device.ts";
 * const o: WebGpuDeviceOptions = { allowFallback: true };
 * ```
 */
export interface WebGpuDeviceOptions {
  /** Accept a fallback (software) adapter (tests, benchmarks); default false. */
  allowFallback?: boolean;
}

/**
 * A float32 compute device on a GPU (see the module doc).
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { WebGpuDevice } from "./device.ts";
 * const plan = new Arena(64);
 * const a = plan.f32(4), b = plan.f32(4), c = plan.f32(4);
 * const dev = await WebGpuDevice.create(plan.top, { allowFallback: true });
 * dev.real(a, 4).set([1, 2, 3, 4]);
 * dev.real(b, 4).set([1, 0, 0, 1]);
 * dev.kernels.gemmRow(a, b, c, 0, 0, 2, 2, 2, 2, 2, 2, 0);
 * await dev.download([[c, 4]]);
 * dev.real(c, 4); // [1, 2, 3, 4]
 * dev.destroy();
 * ```
 */
export class WebGpuDevice {
  /** 4: reals are float32. */
  readonly elementBytes = 4 as const;
  /** The kernels (encoded, run asynchronously in call order). */
  readonly kernels: Kernels;
  /** Bytes of the memory. */
  readonly byteLength: number;
  /** The adapter's description, for reports. */
  readonly adapterDescription: string;
  /** Whether the adapter is a fallback (software) one. */
  readonly fallback: boolean;
  /** Dispatches submitted so far (for benchmarks). */
  dispatches = 0;
  readonly #device: GPUDevice;
  readonly #memory: GPUBuffer;
  readonly #uniforms: GPUBuffer;
  readonly #bindGroup: GPUBindGroup;
  readonly #pipelines: Map<KernelName, GPUComputePipeline>;
  readonly #mirror: ArrayBuffer;
  readonly #args = new Uint32Array((SLOTS * SLOT_BYTES) / 4);
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #slots = 0;
  #dirty: [number, number][] = [];

  private constructor(device: GPUDevice, bytes: number, adapter: GpuAdapter) {
    this.#device = device;
    this.byteLength = Math.ceil(bytes / 16) * 16;
    this.adapterDescription = adapter.info?.description || adapter.info?.vendor || "unknown GPU";
    this.fallback = isFallback(adapter);
    this.#memory = device.createBuffer({
      size: this.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.#uniforms = device.createBuffer({
      size: SLOTS * SLOT_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.#mirror = new ArrayBuffer(this.byteLength);
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
        {
          binding: 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: "uniform", hasDynamicOffset: true },
        },
      ],
    });
    this.#bindGroup = device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: this.#memory } },
        { binding: 1, resource: { buffer: this.#uniforms, size: ARGS * 4 } },
      ],
    });
    const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
    this.#pipelines = new Map();
    for (const [name, code] of Object.entries(WGSL_KERNELS) as [KernelName, string][]) {
      this.#pipelines.set(
        name,
        device.createComputePipeline({
          layout: pipelineLayout,
          compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
        }),
      );
    }
    const kernels: Record<string, (...args: number[]) => unknown> = {};
    for (const name of KERNEL_NAMES) {
      kernels[name] = (...args: number[]) => this.#dispatch(name, args);
    }
    kernels.finiteProbe = () => {
      throw new Error(
        "WebGpuDevice: finiteProbe returns on the host; await device.finite(ptr, n) instead",
      );
    };
    kernels.accumulateF64 = () => {
      throw new Error(
        "WebGpuDevice: accumulateF64 accumulates on the host; download the values and add them",
      );
    };
    this.kernels = kernels as unknown as Kernels;
  }

  /**
   * A device with `bytes` of memory on the best adapter (a fallback adapter only with
   * `allowFallback`).
   *
   * @throws Error when there is no (acceptable) adapter or the memory exceeds the adapter's
   *   largest storage binding.
   */
  static async create(bytes: number, options: WebGpuDeviceOptions = {}): Promise<WebGpuDevice> {
    return (await WebGpuDevice.open(options))(bytes);
  }

  /**
   * Opens the best adapter's device (a fallback adapter only with `allowFallback`) and returns
   * the constructor of one memory on it: for engines that plan their memory after choosing the
   * device. Call the returned function once.
   *
   * @throws Error when there is no (acceptable) adapter; the function throws a RangeError when
   *   the memory exceeds the adapter's largest storage binding.
   * @example
   * ```ts
   * import { WebGpuDevice } from "./device.ts";
   * const make = await WebGpuDevice.open({ allowFallback: true });
   * const dev = make(1024);
   * dev.destroy();
   * ```
   */
  static async open(options: WebGpuDeviceOptions = {}): Promise<(bytes: number) => WebGpuDevice> {
    const adapter = await webGpuAdapter();
    if (adapter === null) throw new Error("WebGpuDevice: no WebGPU adapter on this machine");
    if (isFallback(adapter) && !options.allowFallback) {
      throw new Error(
        "WebGpuDevice: only a fallback (software) adapter is available; pass allowFallback to " +
          "use it (slower than the WebAssembly device)",
      );
    }
    const max = adapter.limits.maxStorageBufferBindingSize;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: max,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return (bytes) => {
      if (bytes > max) {
        device.destroy();
        throw new RangeError(
          `WebGpuDevice: ${bytes} bytes exceed the adapter's largest storage binding (${max}); ` +
            `use smaller chunks`,
        );
      }
      return new WebGpuDevice(device, bytes, adapter);
    };
  }

  /** A host view of `n` reals at `ptr` (written to the GPU before the next kernel). */
  real(ptr: Ptr, n: number): Float32Array {
    this.#dirty.push([ptr, ptr + 4 * n]);
    return new Float32Array(this.#mirror, ptr, n);
  }

  /** A host-only view of `n` float64 values at `ptr` (accumulators; never on the GPU). */
  f64(ptr: Ptr, n: number): Float64Array {
    return new Float64Array(this.#mirror, ptr, n);
  }

  /** Submits the encoded kernels (returns at once; the GPU runs them in order). */
  flush(): void {
    if (this.#encoder === null) return;
    this.#pass!.end();
    this.#device.queue.writeBuffer(
      this.#uniforms,
      0,
      this.#args,
      0,
      (this.#slots * SLOT_BYTES) / 4,
    );
    this.#device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
    this.#pass = null;
    this.#slots = 0;
  }

  /** Copies GPU ranges (`[ptr, reals]`) into the host mirror, after every kernel encoded so far. */
  async download(ranges: readonly (readonly [Ptr, number])[]): Promise<void> {
    if (ranges.length === 0) return;
    this.#uploadDirty();
    this.flush();
    const merged = mergeRanges(ranges.map(([p, n]) => [p, p + 4 * n]));
    const total = merged.reduce((s, [a, b]) => s + (b - a), 0);
    const staging = this.#device.createBuffer({
      size: Math.max(16, Math.ceil(total / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.#device.createCommandEncoder();
    let offset = 0;
    for (const [a, b] of merged) {
      encoder.copyBufferToBuffer(this.#memory, a, staging, offset, b - a);
      offset += b - a;
    }
    this.#device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = new Uint8Array(staging.getMappedRange());
    const mirror = new Uint8Array(this.#mirror);
    offset = 0;
    for (const [a, b] of merged) {
      mirror.set(data.subarray(offset, offset + (b - a)), a);
      offset += b - a;
    }
    staging.unmap();
    staging.destroy();
  }

  /** The values of `n` reals at `ptr` (a copy), after every kernel encoded so far. */
  async read(ptr: Ptr, n: number): Promise<Float32Array> {
    await this.download([[ptr, n]]);
    return new Float32Array(this.#mirror, ptr, n).slice();
  }

  /** Whether all `n` reals at `ptr` are finite (the asynchronous `finiteProbe`). */
  async finite(ptr: Ptr, n: number): Promise<boolean> {
    const v = await this.read(ptr, n);
    for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) return false;
    return true;
  }

  /** Releases the GPU buffers and the device. */
  destroy(): void {
    this.#encoder = null;
    this.#pass = null;
    this.#memory.destroy();
    this.#uniforms.destroy();
    this.#device.destroy();
  }

  #uploadDirty(): void {
    if (this.#dirty.length === 0) return;
    // Host writes must land after the kernels encoded before them: submit those first.
    this.flush();
    for (const [a, b] of mergeRanges(this.#dirty)) {
      this.#device.queue.writeBuffer(this.#memory, a, this.#mirror, a, b - a);
    }
    this.#dirty = [];
  }

  #dispatch(name: KernelName, args: number[]): void {
    this.#uploadDirty();
    if (this.#slots === SLOTS) this.flush();
    if (this.#encoder === null) {
      this.#encoder = this.#device.createCommandEncoder();
      this.#pass = this.#encoder.beginComputePass();
    }
    const slot = this.#slots++;
    const base = (slot * SLOT_BYTES) / 4;
    for (let i = 0; i < ARGS; i++) this.#args[base + i] = i < args.length ? args[i] >>> 0 : 0;
    const pass = this.#pass!;
    pass.setPipeline(this.#pipelines.get(name)!);
    pass.setBindGroup(0, this.#bindGroup, [slot * SLOT_BYTES]);
    const [x, y, z] = dispatchSize(name, args);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
  }
}

/** Sorted, merged [start, end) byte ranges, aligned to 4 bytes. */
function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = ranges.map(([a, b]) => [a & ~3, (b + 3) & ~3] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
