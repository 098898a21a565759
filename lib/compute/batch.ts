/**
 * {@linkcode BatchObjective}: the value and gradient of one objective (`objectives/`) on
 * mini-batches, on a compute device — the training update's use of the same objectives the
 * analysis differentiates twice. The device holds θ and data buffers for `capacity` samples; a
 * mini-batch is written into the columns, then one chunk of `count` rows is evaluated with the
 * loss's weights 1/count.
 *
 * On WebGPU (`BatchObjective.create(..., "webgpu")`, float32) the same objective runs through
 * `evaluateAsync`: the objective's announced reads and the gradient are downloaded
 * asynchronously (see `objectives/common.ts`); the CPU and WebAssembly devices run either way.
 *
 * @module
 */
import { CpuDevice } from "./cpu/device.ts";
import type { RealArray } from "./kernels.ts";
import {
  type DeviceContext,
  OBJECTIVE_RUNTIMES,
  type ObjectiveRuntime,
  type ObjectiveSpec,
  type ObjectiveSteps,
  type PlannedObjective,
  planObjective,
} from "./objectives/mod.ts";
import { WasmDevice } from "./wasm/device.ts";
import { WebGpuDevice } from "./webgpu/device.ts";
import { Arena } from "./arena.ts";

/**
 * Devices a {@linkcode BatchObjective} runs on: `"cpu"` (float64) or `"wasm"` (float32).
 *
 * @example
 * ```ts
 * import type { BatchDevice } from "./batch.ts";
 * const d: BatchDevice = "cpu";
 * ```
 */
export type BatchDevice = "cpu" | "wasm";

/**
 * Options of {@linkcode BatchObjective.create}.
 *
 * @example
 * ```ts
 * import type { BatchObjectiveOptions } from "./batch.ts";
 * const o: BatchObjectiveOptions = { allowFallbackGpu: true };
 * ```
 */
export interface BatchObjectiveOptions {
  /** WebGPU: accept a fallback (software) adapter (default false). */
  allowFallbackGpu?: boolean;
}

/** The memory plan of a batch objective: its arenas' layout and sizes. */
function planBatch(spec: ObjectiveSpec, theta: ArrayLike<number>, E: 4 | 8) {
  const fixed = new Arena(64, E), state = new Arena(0, E), scratch = new Arena(0, E);
  const capacity = spec.kind === "policy-gradient"
    ? spec.advantages.length
    : spec.kind === "regression"
    ? spec.targets.length
    : spec.noise.length / (spec.net.layers[spec.net.layers.length - 1].fanOut / 2);
  const planned = planObjective(spec, theta, {
    fixed,
    state,
    scratch,
    rows: capacity,
    maxBlock: 0,
  });
  const st = fixed.bytes(state.top), sc = fixed.bytes(scratch.top);
  const out = fixed.real(planned.size);
  return { planned, capacity, st, sc, out, bytes: fixed.top };
}

/**
 * An objective evaluated on mini-batches of at most `capacity` samples.
 *
 * @example
 * ```ts
 * import { makeNetwork } from "./network.ts";
 * import { BatchObjective } from "./batch.ts";
 * const net = makeNetwork([{ fanIn: 2, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 2 }] }], "tanh");
 * const zeros = (n: number) => new Float64Array(n);
 * const batch = new BatchObjective(
 *   { kind: "regression", nets: [net], inputs: zeros(2 * 4), targets: zeros(4), coef: 0.5, clip: null },
 *   new Float32Array([0.5, -0.5, 0]),
 *   "cpu",
 * );
 * batch.column("inputs").set([1, 0, 0, 1]);
 * batch.column("targets").set([1, 2]);
 * const { value, gradient } = batch.evaluate(2); // on the first two rows
 * ```
 */
export class BatchObjective {
  /** The planned objective (its `plan` holds the coefficients the runtime reads). */
  readonly planned: PlannedObjective;
  /** The runtime (its `stats`, when the objective keeps some, describe the last batch). */
  readonly runtime: ObjectiveRuntime & { stats?: unknown };
  /** Rows the data columns hold. */
  readonly capacity: number;
  /** θ on the device (read it; write through {@linkcode setParameters}). */
  readonly theta: RealArray;
  /** The device: `"cpu"`, `"wasm"` or `"webgpu"`. */
  readonly device: BatchDevice | "webgpu";
  readonly #dev: DeviceContext;
  #gpu: WebGpuDevice | null = null;
  #disposed = false;
  readonly #state: number;
  readonly #scratch: number;
  readonly #out: number;
  readonly #gradient: Float64Array;
  readonly #value = new Float64Array(1);

  /**
   * @param spec the objective with data arrays of `capacity` rows (their values are the initial
   *   column contents).
   * @param device `"cpu"` or `"wasm"`; for WebGPU use {@linkcode BatchObjective.create}.
   */
  constructor(
    spec: ObjectiveSpec,
    theta: ArrayLike<number>,
    device: BatchDevice = "cpu",
    gpu: WebGpuDevice | null = null,
  ) {
    const { planned, capacity, st, sc, out, bytes } = planBatch(
      spec,
      theta,
      device === "cpu" && gpu === null ? 8 : 4,
    );
    if (gpu !== null) {
      this.#gpu = gpu;
      this.#dev = {
        kernels: gpu.kernels,
        E: 4,
        real: (p, n) => gpu.real(p, n),
        f64: (p, n) => gpu.f64(p, n),
      };
    } else if (device === "cpu") {
      const cpu = new CpuDevice(bytes);
      this.#dev = {
        kernels: cpu.kernels,
        E: 8,
        real: (p, n) => cpu.real(p, n),
        f64: (p, n) => cpu.f64(p, n),
      };
    } else {
      const wasm = new WasmDevice(bytes);
      const memory = wasm.memory;
      this.#dev = {
        kernels: wasm.kernels,
        E: 4,
        real: (p, n) => new Float32Array(memory.buffer, p, n),
        f64: (p, n) => new Float64Array(memory.buffer, p, n),
      };
    }
    planned.load(this.#dev);
    this.planned = planned;
    this.capacity = capacity;
    this.device = gpu !== null ? "webgpu" : device;
    this.runtime = OBJECTIVE_RUNTIMES[planned.kind](planned.plan, this.#dev);
    this.theta = this.#dev.real(planned.theta, planned.size);
    this.#state = st;
    this.#scratch = sc;
    this.#out = out;
    this.#gradient = device === "cpu" && gpu === null
      ? this.#dev.real(out, planned.size) as Float64Array
      : new Float64Array(planned.size);
  }

  /**
   * A batch objective on `device`, WebGPU included (created asynchronously; on a real adapter
   * unless `allowFallbackGpu`). Evaluate a WebGPU one with {@linkcode evaluateAsync}.
   *
   * @example
   * ```ts
   * import { makeNetwork } from "./network.ts";
   * import { BatchObjective } from "./batch.ts";
   * const net = makeNetwork([{ fanIn: 2, fanOut: 1, groups: [{ width: 1, weight: 0, bias: 2 }] }], "tanh");
   * const zeros = (n: number) => new Float64Array(n);
   * const spec = { kind: "regression", nets: [net], inputs: zeros(8), targets: zeros(4), coef: 0.5, clip: null } as const;
   * const batch = await BatchObjective.create(spec, new Float32Array(3), "wasm");
   * const { gradient } = await batch.evaluateAsync(4);
   * batch.dispose();
   * ```
   */
  static async create(
    spec: ObjectiveSpec,
    theta: ArrayLike<number>,
    device: BatchDevice | "webgpu",
    options: BatchObjectiveOptions = {},
  ): Promise<BatchObjective> {
    if (device !== "webgpu") return new BatchObjective(spec, theta, device);
    const { bytes } = planBatch(spec, theta, 4);
    const gpu = await WebGpuDevice.create(bytes, { allowFallback: options.allowFallbackGpu });
    return new BatchObjective(spec, theta, "wasm", gpu);
  }

  /** The device view of data column `name` (capacity rows). */
  column(name: string): RealArray {
    const c = this.planned.columns[name];
    if (!c) {
      throw new Error(
        `BatchObjective: no column "${name}"; the ${this.planned.kind} objective has ` +
          `${Object.keys(this.planned.columns).join(", ")}`,
      );
    }
    return this.#dev.real(c.ptr, this.capacity * c.width);
  }

  /** Copies θ to the device and refreshes what depends on it. */
  setParameters(theta: ArrayLike<number>): void {
    // A fresh view: on WebGPU, host writes reach the GPU through views taken since the last kernel.
    const t = this.#dev.real(this.planned.theta, this.planned.size);
    for (let i = 0; i < t.length; i++) t[i] = theta[i];
    this.planned.refresh(this.#dev);
  }

  /**
   * Value and gradient (θ order, float64; a view reused by the next call) of the objective on
   * the first `count` rows of the columns, with the loss's weights 1/count (CPU and
   * WebAssembly devices).
   */
  evaluate(count: number): { value: number; gradient: Float64Array } {
    if (this.#gpu !== null) {
      throw new Error("BatchObjective: a WebGPU objective reads asynchronously; use evaluateAsync");
    }
    const steps = this.#steps(count);
    for (let r = steps.next(); !r.done; r = steps.next());
    return { value: this.#value[0], gradient: this.#gradient };
  }

  /** {@linkcode evaluate} on any device, WebGPU included (its reads awaited). */
  async evaluateAsync(count: number): Promise<{ value: number; gradient: Float64Array }> {
    const gpu = this.#gpu;
    const steps = this.#steps(count);
    for (let r = steps.next(); !r.done; r = steps.next()) {
      if (gpu !== null) await gpu.download(r.value);
    }
    return { value: this.#value[0], gradient: this.#gradient };
  }

  /** Releases the GPU memory (WebGPU). Idempotent. */
  dispose(): void {
    this.#gpu?.destroy();
    this.#gpu = null;
    this.#disposed = true;
  }

  /** The evaluation as steps that announce what the host reads (see `objectives/common.ts`). */
  *#steps(count: number): ObjectiveSteps {
    if (this.#disposed) throw new Error("BatchObjective: used after dispose()");
    if (!Number.isInteger(count) || count < 1 || count > this.capacity) {
      throw new RangeError(`BatchObjective: batch of ${count} outside [1, ${this.capacity}]`);
    }
    (this.planned.plan as { samples: number }).samples = count;
    this.#value[0] = 0;
    yield* this.runtime.prepare(0, count, this.#state, this.#scratch);
    const size = this.planned.size, g = this.#gradient;
    // The network blocks are written to `out`, the head's own blocks added to the float64
    // gradient (the same memory on the CPU device): both start at zero.
    this.#dev.real(this.#out, size).fill(0);
    g.fill(0);
    yield* this.runtime.gradient(0, count, this.#state, this.#out, g, this.#value);
    if (this.device === "cpu") return;
    yield [[this.#out, size]];
    const out = this.#dev.real(this.#out, size);
    for (let i = 0; i < size; i++) g[i] += out[i];
  }
}
