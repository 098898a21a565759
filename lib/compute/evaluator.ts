/**
 * {@linkcode ObjectiveEvaluator}: value, gradient and (block) Hessian-vector products of one
 * objective (`objectives/`) over its whole data set, chunked, on a compute device, in fixed
 * memory, on one or two threads.
 *
 * **Memory** (planned up front with the arena): the data set and θ; per thread an R-pass scratch
 * for one chunk and `maxBlock` directions plus output and float64 accumulation buffers; and a
 * *cache* of the direction-independent chunk state (forward activations, backward signals,
 * loss-head terms) for as many chunks as `cacheBytes` allows. Cached chunks skip the forward and
 * backward pass in every HVP; the others recompute it (same result).
 *
 * **Accumulation**: each chunk's result is added into per-thread float64 sums, which the main
 * thread adds at the end; one and two threads agree to float64 rounding. Threads take chunks one
 * at a time from a shared counter, so a thread the operating system deschedules (the machines
 * are shared) delays nothing but its current chunk.
 *
 * Devices: `"wasm"` (float32 WebAssembly SIMD, one or two threads) and `"cpu"` (float64, one
 * thread: a reference and the float64 path).
 *
 * @module
 */
import { Arena } from "./arena.ts";
import type { Kernels, Ptr } from "./kernels.ts";
import { CpuDevice } from "./cpu/device.ts";
import {
  type DeviceContext,
  type DownloadRequest,
  OBJECTIVE_RUNTIMES,
  type ObjectiveRuntime,
  objectiveSamples,
  type ObjectiveSpec,
  type PlannedObjective,
  planObjective,
  runSteps,
} from "./objectives/mod.ts";
import { WASM_MAX_PAGES, WASM_PAGE, WasmDevice } from "./wasm/device.ts";
import { bindKernels, ELEMENTWISE_SCRATCH_BYTES } from "./wasm/module.ts";
import { type JobFactory, WasmThreads } from "./wasm/threads.ts";
import { hasRealGpu, WebGpuDevice } from "./webgpu/device.ts";

/**
 * Options of {@linkcode ObjectiveEvaluator}.
 *
 * @example
 * ```ts
 * import type { EvaluatorOptions } from "./evaluator.ts";
 * const o: EvaluatorOptions = { device: "wasm", threads: 2, chunkRows: 256, maxBlock: 8 };
 * ```
 */
export interface EvaluatorOptions {
  /**
   * `"wasm"` (float32, default), `"cpu"` (float64, one thread), `"webgpu"` (float32 on a GPU,
   * one host thread; created on first use, on a real adapter unless `allowFallbackGpu`) or
   * `"auto"` (WebGPU when a real, non-fallback GPU adapter exists, else WebAssembly; decided on
   * first use).
   */
  device?: "wasm" | "cpu" | "webgpu" | "auto";
  /** Accept a fallback (software) WebGPU adapter (tests, benchmarks); default false. */
  allowFallbackGpu?: boolean;
  /**
   * 1, 2, or "auto" (default: 2 when the machine reports ≥ 2 cores and the data has at least 16
   * chunks; falls back to 1 when the worker cannot start). The CPU device uses one.
   */
  threads?: 1 | 2 | "auto";
  /** Samples per chunk (default 256: a chunk's working set stays in the L2 cache; 1024 on WebGPU). */
  chunkRows?: number;
  /** Most directions per R-pass of `hvpBlock` (default 8; larger blocks are split). */
  maxBlock?: number;
  /** Bytes for cached chunk states (default 1.5 GiB, 32 MiB on WebGPU; 0 recomputes every chunk). */
  cacheBytes?: number;
}

/**
 * Per-thread buffers (absolute byte pointers).
 *
 * @example
 * ```ts
 * import type { ThreadBuffers } from "./evaluator.ts";
 * const t: ThreadBuffers = { state: 0, scratch: 0, out: 0, acc: 0, value: 0, elementwise: 0 };
 * ```
 */
export interface ThreadBuffers {
  /** Chunk state of chunks that are not cached. */
  state: Ptr;
  /** R-pass scratch. */
  scratch: Ptr;
  /** θ-sized output of one chunk (maxBlock vectors, device reals). */
  out: Ptr;
  /** float64 accumulators (maxBlock vectors). */
  acc: Ptr;
  /** float64 value slot. */
  value: Ptr;
  /** Element-wise kernel scratch. */
  elementwise: Ptr;
}

/**
 * Everything a thread needs, as plain data.
 *
 * @example
 * ```ts
 * import type { EvaluatorPlan } from "./evaluator.ts";
 * function chunkCount(p: EvaluatorPlan) { return p.chunks; }
 * ```
 */
export interface EvaluatorPlan {
  /** Objective kind (key of `OBJECTIVE_RUNTIMES`). */
  kind: string;
  /** The objective's own plan. */
  objective: unknown;
  /** θ length. */
  size: number;
  /** Samples per chunk. */
  rows: number;
  /** Total samples. */
  samples: number;
  /** ⌈samples/rows⌉. */
  chunks: number;
  /** Chunks 0..cachedChunks−1 keep their state in the cache. */
  cachedChunks: number;
  /** Byte address of the cache. */
  cacheBase: Ptr;
  /** Bytes of one chunk's state (stride of the cache). */
  stateBytes: number;
  /** Most directions per R-pass. */
  maxBlock: number;
  /** Bytes of a real. */
  E: 4 | 8;
  /** One entry per thread. */
  threads: ThreadBuffers[];
}

/**
 * Operation codes of {@linkcode ChunkRunner.run}.
 *
 * @example
 * ```ts
 * import { OP } from "./evaluator.ts";
 * OP.HVP; // 2
 * ```
 */
export const OP = Object.freeze({ PREPARE: 0, GRADIENT: 1, HVP: 2 });

/**
 * One thread's executor of evaluator operations over its share of the chunks.
 *
 * @example
 * ```ts
 * import { ChunkRunner, type EvaluatorPlan, OP } from "./evaluator.ts";
 * import type { DeviceContext } from "./objectives/mod.ts";
 * function gradientOnOneThread(plan: EvaluatorPlan, dev: DeviceContext) {
 *   let c = 0;
 *   new ChunkRunner(plan, dev, 0).run(OP.GRADIENT, 1, () => c++);
 * }
 * ```
 */
export class ChunkRunner {
  readonly #plan: EvaluatorPlan;
  readonly #k: Kernels;
  readonly #t: ThreadBuffers;
  readonly #runtime: ObjectiveRuntime;
  readonly #acc: Float64Array;
  readonly #value: Float64Array;
  readonly #real: DeviceContext["real"];

  constructor(plan: EvaluatorPlan, dev: DeviceContext, thread: number) {
    const factory = OBJECTIVE_RUNTIMES[plan.kind];
    if (!factory) throw new Error(`evaluator: unknown objective "${plan.kind}"`);
    this.#plan = plan;
    this.#t = plan.threads[thread];
    this.#k = dev.kernels;
    this.#runtime = factory(plan.objective, dev);
    this.#acc = dev.f64(this.#t.acc, plan.maxBlock * plan.size);
    this.#value = dev.f64(this.#t.value, 1);
    this.#real = dev.real;
  }

  /**
   * Runs `op` on the chunks that `next()` hands out (until it returns a chunk past the last):
   * PREPARE fills the cache of the cached chunks; GRADIENT and HVP (with `b` staged directions)
   * zero and then fill this thread's accumulators.
   */
  run(op: number, b: number, next: () => number): void {
    runSteps(this.#steps(op, b, next, false));
  }

  /**
   * {@linkcode ChunkRunner.run} on a device whose kernels run asynchronously: awaits each
   * download the objective asks for, and accumulates the outputs on the host.
   */
  async runAsync(
    op: number,
    b: number,
    next: () => number,
    download: (ranges: DownloadRequest) => Promise<void>,
  ): Promise<void> {
    const steps = this.#steps(op, b, next, true);
    for (let r = steps.next(); !r.done; r = steps.next()) await download(r.value);
  }

  /** The chunk loop as steps; `hostAccumulate` downloads the outputs and adds them on the host. */
  *#steps(
    op: number,
    b: number,
    next: () => number,
    hostAccumulate: boolean,
  ): Generator<DownloadRequest, void, undefined> {
    const p = this.#plan, t = this.#t, k = this.#k, f = this.#runtime;
    const size = p.size, acc = this.#acc;
    if (op !== OP.PREPARE) {
      acc.fill(0, 0, Math.max(b, 1) * size);
      this.#value[0] = 0;
    }
    const last = op === OP.PREPARE ? p.cachedChunks : p.chunks;
    for (let c = next(); c < last; c = next()) {
      const start = c * p.rows;
      const n = Math.min(p.rows, p.samples - start);
      const cached = c < p.cachedChunks;
      const st = cached ? p.cacheBase + c * p.stateBytes : t.state;
      if (op === OP.PREPARE || !cached) yield* f.prepare(start, n, st, t.scratch);
      if (op === OP.PREPARE) continue;
      const m = op === OP.GRADIENT ? 1 : b;
      if (op === OP.GRADIENT) yield* f.gradient(start, n, st, t.out, acc, this.#value);
      else yield* f.hvp(start, n, st, t.scratch, b, t.out, acc);
      if (!hostAccumulate) {
        k.accumulateF64(t.acc, t.out, m * size);
        continue;
      }
      yield [[t.out, m * size]];
      const out = this.#real(t.out, m * size);
      for (let i = 0; i < m * size; i++) acc[i] += out[i];
    }
  }
}
/** A device context for the float32 WebAssembly device on one thread. */
function wasmContext(kernels: Kernels, memory: WebAssembly.Memory): DeviceContext {
  return {
    kernels,
    E: 4,
    real: (ptr, n) => new Float32Array(memory.buffer, ptr, n),
    f64: (ptr, n) => new Float64Array(memory.buffer, ptr, n),
  };
}

/**
 * The evaluator's job for {@linkcode WasmThreads}: thread `init.thread`'s chunk loop,
 * `(op, b) => runner.run(op, b, next)`, taking chunks from the shared counter `init.counter`.
 *
 * @example
 * ```ts
 * import { createJob } from "./evaluator.ts";
 * typeof createJob; // "function"
 * ```
 */
export const createJob: JobFactory = (init, context) => {
  const { plan, thread, counter } = init as {
    plan: EvaluatorPlan;
    thread: number;
    counter: Int32Array;
  };
  const dev = wasmContext(context.kernels(plan.threads[thread].elementwise), context.memory);
  const runner = new ChunkRunner(plan, dev, thread);
  return (op, b) => runner.run(op, b, () => Atomics.add(counter, 0, 1));
};

function defaultThreads(chunks: number): 1 | 2 {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency ?? 1;
  return cores >= 2 && chunks >= 16 ? 2 : 1;
}

/** The evaluator stops its worker thread after this long without work (and restarts it). */
const WORKER_IDLE_MS = 2000;

/**
 * Value, gradient and Hessian-vector products of one objective at its θ (see the module doc).
 *
 * @example
 * ```ts
 * import { makeNetwork } from "./network.ts";
 * import { ObjectiveEvaluator } from "./evaluator.ts";
 * // L(θ) = ½·mean[(θ₀x₀ + θ₁x₁ + θ₂ − y)²] on two samples.
 * const net = makeNetwork([{ fanIn: 2, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 2 }] }], "tanh");
 * const ev = new ObjectiveEvaluator(
 *   { kind: "regression", nets: [net], inputs: [1, 0, 0, 1], targets: [1, 2], coef: 0.5, clip: null },
 *   new Float32Array([0.5, -0.5, 0]),
 *   { threads: 1 },
 * );
 * const { value, gradient } = await ev.valueAndGradient();
 * const [hv] = await ev.hvpBlock([new Float64Array([1, 0, 0])]);
 * ev.dispose();
 * ```
 */
export class ObjectiveEvaluator {
  /** What this is, for messages. */
  readonly label: string;
  /** `"wasm"`, `"cpu"` or `"webgpu"` (`"auto"` until the first use decides). */
  device: "wasm" | "cpu" | "webgpu" | "auto";
  /** Dimension of θ. */
  readonly n: number;
  /** Total samples N. */
  readonly samples: number;
  /** Threads used (1 after a failed worker start with threads "auto"). */
  threads: 1 | 2;
  /** Chunks whose state is cached, and all chunks. */
  readonly cachedChunks: number;
  readonly chunks: number;
  /** Bytes of the device memory. */
  memoryBytes: number;
  /** Multiply-adds of one gradient pass and of one R-pass per direction, over all samples. */
  readonly macs: { forwardBackward: number; rPass: number };
  readonly #planned: PlannedObjective;
  readonly #plan: EvaluatorPlan;
  #dev!: DeviceContext;
  #runner!: ChunkRunner;
  #acc: Float64Array[] = [];
  #value: Float64Array[] = [];
  #readyOnce: Promise<void> | null = null;
  #gpuDevice: WebGpuDevice | null = null;
  readonly #gpuOptions: { bytes: number; allowFallback: boolean };
  readonly #wasmOptions: { bytes: number; shared: boolean; scratch: Ptr };
  readonly #autoThreads: boolean;
  #prepared = false;
  #wasm: WasmDevice | null;
  #threads: WasmThreads | null = null;
  readonly #counter = new Int32Array(new SharedArrayBuffer(4));
  #disposed = false;

  constructor(
    spec: ObjectiveSpec,
    theta: ArrayLike<number>,
    options: EvaluatorOptions = {},
    label: string = spec.kind,
  ) {
    this.label = label;
    const device = options.device ?? "wasm";
    if (device !== "wasm" && device !== "cpu" && device !== "webgpu" && device !== "auto") {
      throw new RangeError(
        `ObjectiveEvaluator: device must be "wasm", "cpu", "webgpu" or "auto", got "${device}"`,
      );
    }
    this.device = device;
    // A GPU wants large chunks (few dispatches); the CPU devices want them L2-sized.
    const rows = options.chunkRows ?? (device === "webgpu" ? 1024 : 256);
    const maxBlock = options.maxBlock ?? 8;
    for (const [name, x] of [["chunkRows", rows], ["maxBlock", maxBlock]] as const) {
      if (!Number.isSafeInteger(x) || x < 1) {
        throw new RangeError(`ObjectiveEvaluator: ${name} must be a positive integer, got ${x}`);
      }
    }
    const samples = objectiveSamples(spec);
    if (!(samples >= 1)) {
      throw new RangeError(`ObjectiveEvaluator(${label}): the objective has no samples`);
    }
    const auto = options.threads === undefined || options.threads === "auto";
    const chunks = Math.ceil(samples / rows);
    const threads = device === "cpu" || device === "webgpu"
      ? 1
      : auto
      ? defaultThreads(chunks)
      : options.threads;
    if (threads !== 1 && threads !== 2) {
      throw new RangeError(`ObjectiveEvaluator: threads must be 1, 2 or "auto", got ${threads}`);
    }
    this.#autoThreads = auto;
    // ---- Plan the memory.
    const E = device === "cpu" ? 8 : 4;
    const fixed = new Arena(64, E), state = new Arena(0, E), scratch = new Arena(0, E);
    let planned: PlannedObjective;
    try {
      planned = planObjective(spec, theta, { fixed, state, scratch, rows, maxBlock });
    } catch (e) {
      throw new RangeError(`ObjectiveEvaluator(${label}): ${(e as Error).message}`, { cause: e });
    }
    const size = planned.size;
    const stateBytes = Math.ceil(state.top / 16) * 16;
    const buffers: ThreadBuffers[] = [];
    for (let t = 0; t < threads; t++) {
      buffers.push({
        state: fixed.bytes(stateBytes),
        scratch: fixed.bytes(scratch.top),
        out: fixed.real(maxBlock * size),
        acc: fixed.f64(maxBlock * size),
        value: fixed.f64(1),
        elementwise: fixed.bytes(ELEMENTWISE_SCRATCH_BYTES),
      });
    }
    const cacheBase = Math.ceil(fixed.top / 64) * 64;
    // A GPU memory is one storage binding: 1 GiB at most here (the adapter may allow less).
    const limit = device === "wasm" || device === "auto"
      ? (WASM_MAX_PAGES - 1) * WASM_PAGE
      : device === "webgpu"
      ? 2 ** 30
      : 2 ** 31 + cacheBase + 1024;
    const room = limit - cacheBase - 1024;
    if (room < 0) {
      throw new RangeError(
        `ObjectiveEvaluator(${label}): the data and buffers need ${cacheBase} bytes, more than ` +
          `a WebAssembly memory holds (4 GiB); use fewer samples or a smaller maxBlock/chunkRows`,
      );
    }
    const cacheBytes = Math.min(
      options.cacheBytes ?? (device === "webgpu" ? 2 ** 25 : 1.5 * 2 ** 30),
      room,
    );
    const cachedChunks = Math.max(0, Math.min(chunks, Math.floor(cacheBytes / stateBytes)));
    const total = cacheBase + cachedChunks * stateBytes + 1024;
    this.#gpuOptions = { bytes: total, allowFallback: options.allowFallbackGpu ?? false };
    this.#wasmOptions = { bytes: total, shared: threads > 1, scratch: buffers[0].elementwise };
    if (device === "webgpu" || device === "auto") {
      // Created on first use (asynchronously): see #ready().
      this.#wasm = null;
      this.memoryBytes = total;
    } else if (device === "wasm") {
      this.#wasm = this.#wasmDevice();
      this.memoryBytes = this.#wasm.byteLength;
    } else {
      const cpu = new CpuDevice(total);
      this.#wasm = null;
      this.#dev = {
        kernels: cpu.kernels,
        E: 8,
        real: (p, n) => cpu.real(p, n),
        f64: (p, n) => cpu.f64(p, n),
      };
      this.memoryBytes = cpu.byteLength;
    }
    this.#plan = {
      kind: planned.kind,
      objective: planned.plan,
      size,
      rows,
      samples,
      chunks,
      cachedChunks,
      cacheBase,
      stateBytes,
      maxBlock,
      E,
      threads: buffers,
    };
    this.#planned = planned;
    if (device === "wasm" || device === "cpu") this.#attach(this.#dev);
    this.n = size;
    this.samples = samples;
    this.threads = threads;
    this.chunks = chunks;
    this.cachedChunks = cachedChunks;
    this.macs = {
      forwardBackward: planned.macsPerSample.forwardBackward * samples,
      rPass: planned.macsPerSample.rPass * samples,
    };
  }

  /** Loads the data and θ into the device and builds the chunk runner. */
  #attach(dev: DeviceContext): void {
    this.#dev = dev;
    this.#planned.load(dev);
    const { maxBlock, size, threads } = this.#plan;
    this.#runner = new ChunkRunner(this.#plan, dev, 0);
    this.#acc = threads.map((b) => dev.f64(b.acc, maxBlock * size));
    this.#value = threads.map((b) => dev.f64(b.value, 1));
  }

  /** The WebAssembly device of the planned memory (and its context). */
  #wasmDevice(): WasmDevice {
    const o = this.#wasmOptions;
    const wasm = new WasmDevice(o.bytes, { shared: o.shared, scratch: o.scratch });
    this.#dev = wasmContext(wasm.kernels, wasm.memory);
    return wasm;
  }

  /**
   * The device of an `"auto"` or `"webgpu"` evaluator, created and loaded on first use (nothing
   * for the other devices).
   */
  #ready(): Promise<void> {
    this.#readyOnce ??= this.#resolveDevice();
    return this.#readyOnce;
  }

  async #resolveDevice(): Promise<void> {
    if (this.device === "auto") {
      if (await hasRealGpu()) {
        this.device = "webgpu";
        this.threads = 1;
      } else {
        this.device = "wasm";
        this.#wasm = this.#wasmDevice();
        this.memoryBytes = this.#wasm.byteLength;
        this.#attach(this.#dev);
        return;
      }
    }
    if (this.device !== "webgpu") return;
    const gpu = await WebGpuDevice.create(this.#gpuOptions.bytes, {
      allowFallback: this.#gpuOptions.allowFallback,
    });
    this.#gpuDevice = gpu;
    this.#attach({
      kernels: gpu.kernels,
      E: 4,
      real: (p, n) => gpu.real(p, n),
      f64: (p, n) => gpu.f64(p, n),
    });
  }

  /** The worker (started lazily, stopped after {@linkcode WORKER_IDLE_MS} idle and on dispose). */
  #workerThreads(): WasmThreads {
    const wasm = this.#wasm!;
    const init = { plan: this.#plan, thread: 1, counter: this.#counter };
    this.#threads ??= new WasmThreads(wasm, [[{
      local: createJob(init, {
        memory: wasm.memory,
        exports: wasm.exports,
        kernels: (s) => bindKernels(wasm.exports, s),
      }),
      remote: { module: import.meta.url, init },
    }]], { idleStopMs: WORKER_IDLE_MS });
    return this.#threads;
  }

  /** Runs one operation on all threads and returns when every thread is done. */
  async #dispatch(op: number, b: number): Promise<void> {
    if (this.#disposed) throw new Error(`ObjectiveEvaluator(${this.label}): used after dispose()`);
    if (this.#gpuDevice !== null) {
      const gpu = this.#gpuDevice;
      let c = 0;
      await this.#runner.runAsync(op, b, () => c++, (ranges) => gpu.download(ranges));
      return;
    }
    if (this.threads === 1) {
      let c = 0;
      this.#runner.run(op, b, () => c++);
      return;
    }
    const threads = this.#workerThreads();
    try {
      await threads.ready();
    } catch (e) {
      if (!this.#autoThreads) throw e;
      this.#singleThreaded();
      return this.#dispatch(op, b);
    }
    const counter = this.#counter;
    Atomics.store(counter, 0, 0);
    threads.run(() => this.#runner.run(op, b, () => Atomics.add(counter, 0, 1)), 0, op, b);
  }

  /** Falls back to the main thread alone (the worker could not start). */
  #singleThreaded(): void {
    this.#threads?.close();
    this.#threads = null;
    this.threads = 1;
    this.#acc = this.#acc.slice(0, 1);
    this.#value = this.#value.slice(0, 1);
  }

  async #prepare(): Promise<void> {
    await this.#ready();
    if (this.#prepared) return;
    if (this.#plan.cachedChunks > 0) await this.#dispatch(OP.PREPARE, 0);
    this.#prepared = true;
  }

  /**
   * H·[v_1 … v_b] in one pass over the data per group of `maxBlock` directions.
   *
   * @throws RangeError for a wrong length or a non-finite result.
   */
  async hvpBlock(vectors: readonly ArrayLike<number>[]): Promise<Float64Array[]> {
    const size = this.n;
    for (const v of vectors) {
      if (v.length !== size) {
        throw new RangeError(
          `ObjectiveEvaluator(${this.label}).hvp: vector has length ${v.length}, θ has ${size}`,
        );
      }
    }
    await this.#prepare();
    const results: Float64Array[] = [];
    const staging = this.#dev.real(this.#planned.directions, this.#plan.maxBlock * size);
    for (let g = 0; g < vectors.length; g += this.#plan.maxBlock) {
      const group = vectors.slice(g, g + this.#plan.maxBlock);
      group.forEach((v, j) => {
        for (let i = 0; i < size; i++) staging[j * size + i] = v[i];
      });
      this.#planned.stage(this.#dev, group.length);
      await this.#dispatch(OP.HVP, group.length);
      for (let j = 0; j < group.length; j++) {
        results.push(this.#collect(j, "Hessian-vector product"));
      }
    }
    return results;
  }

  /** L and ∇L in one pass over the data. */
  async valueAndGradient(): Promise<{ value: number; gradient: Float64Array }> {
    await this.#prepare();
    await this.#dispatch(OP.GRADIENT, 1);
    const gradient = this.#collect(0, "gradient");
    let value = 0;
    for (const v of this.#value) value += v[0];
    if (!Number.isFinite(value)) {
      throw new RangeError(`ObjectiveEvaluator(${this.label}): the loss value is ${value}`);
    }
    return { value, gradient };
  }

  /** Stops the worker and drops the memory. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#threads?.close();
    this.#threads = null;
    this.#gpuDevice?.destroy();
    this.#gpuDevice = null;
  }

  /** Σ over threads of accumulator j. */
  #collect(j: number, what: string): Float64Array {
    const size = this.n;
    const out = new Float64Array(size);
    for (const acc of this.#acc) {
      for (let i = 0; i < size; i++) out[i] += acc[j * size + i];
    }
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(out[i])) {
        throw new RangeError(
          `ObjectiveEvaluator(${this.label}): ${what} is ${out[i]} at index ${i}; the loss or ` +
            "the data produce non-finite derivatives",
        );
      }
    }
    return out;
  }
}
