/**
 * {@linkcode BatchObjective}: the value and gradient of one objective (`objectives/`) on
 * mini-batches, on a compute device — the training update's use of the same objectives the
 * analysis differentiates twice. The device holds θ and data buffers for `capacity` samples; a
 * mini-batch is written into the columns, then one chunk of `count` rows is evaluated with the
 * loss's weights 1/count.
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
  type PlannedObjective,
  planObjective,
  runSteps,
} from "./objectives/mod.ts";
import { WasmDevice } from "./wasm/device.ts";
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
  /** θ on the device. */
  readonly theta: RealArray;
  readonly #dev: DeviceContext;
  readonly #state: number;
  readonly #scratch: number;
  readonly #out: number;
  readonly #gradient: Float64Array;
  readonly #value = new Float64Array(1);
  readonly #outView: RealArray;

  /**
   * @param spec the objective with data arrays of `capacity` rows (their values are the initial
   *   column contents).
   */
  constructor(spec: ObjectiveSpec, theta: ArrayLike<number>, device: BatchDevice = "cpu") {
    const E = device === "cpu" ? 8 : 4;
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
    if (device === "cpu") {
      const cpu = new CpuDevice(fixed.top);
      this.#dev = {
        kernels: cpu.kernels,
        E: 8,
        real: (p, n) => cpu.real(p, n),
        f64: (p, n) => cpu.f64(p, n),
      };
    } else {
      const wasm = new WasmDevice(fixed.top);
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
    this.runtime = OBJECTIVE_RUNTIMES[planned.kind](planned.plan, this.#dev);
    this.theta = this.#dev.real(planned.theta, planned.size);
    this.#state = st;
    this.#scratch = sc;
    this.#out = out;
    this.#outView = this.#dev.real(out, planned.size);
    this.#gradient = device === "cpu"
      ? this.#outView as Float64Array
      : new Float64Array(planned.size);
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
    const t = this.theta;
    for (let i = 0; i < t.length; i++) t[i] = theta[i];
    this.planned.refresh(this.#dev);
  }

  /**
   * Value and gradient (θ order, float64; a view reused by the next call) of the objective on
   * the first `count` rows of the columns, with the loss's weights 1/count.
   */
  evaluate(count: number): { value: number; gradient: Float64Array } {
    if (!Number.isInteger(count) || count < 1 || count > this.capacity) {
      throw new RangeError(`BatchObjective: batch of ${count} outside [1, ${this.capacity}]`);
    }
    (this.planned.plan as { samples: number }).samples = count;
    this.#value[0] = 0;
    runSteps(this.runtime.prepare(0, count, this.#state, this.#scratch));
    const out = this.#outView, g = this.#gradient;
    // The network blocks are written to `out`, the head's own blocks added to the float64
    // gradient (the same memory on the CPU device): both start at zero.
    out.fill(0);
    g.fill(0);
    runSteps(this.runtime.gradient(0, count, this.#state, this.#out, g, this.#value));
    if (g !== out) { for (let i = 0; i < g.length; i++) g[i] += out[i]; }
    return { value: this.#value[0], gradient: g };
  }
}
