/**
 * {@linkcode FastHessianOperator}: exact gradients and (block) Hessian-vector products of the
 * engine's loss families, on float32 WebAssembly-SIMD kernels with float64 accumulation, in
 * fixed memory, on one or two threads.
 *
 * **Memory** (one WebAssembly memory, planned up front): the data set and the weights; per
 * thread an R-pass scratch for one chunk and `maxBlock` vectors plus float32/float64 output
 * buffers; and a *cache* of the v-independent chunk state (forward activations, backward
 * signals, loss-head terms) for as many chunks as `cacheBytes` allows. Cached chunks skip the
 * forward and backward pass in every HVP; the others recompute it (same result).
 *
 * **Accumulation**: each chunk's float32 result is added into per-thread float64 sums, which
 * the main thread adds at the end; one and two threads agree to float64 rounding.
 *
 * @module
 */
import { Arena } from "../../compute/arena.ts";
import { WASM_MAX_PAGES, WASM_PAGE, WasmDevice } from "../../compute/wasm/device.ts";
import { bindKernels, ELEMENTWISE_SCRATCH_BYTES } from "../../compute/wasm/module.ts";
import { WasmThreads } from "../../compute/wasm/threads.ts";
import type { PlannedFamily } from "./family.ts";
import type { Kern } from "./mlp.ts";
import {
  planPpoActor,
  planPpoCritic,
  type PpoActorEngineSpec,
  type PpoCriticEngineSpec,
} from "./ppo.ts";
import { ChunkRunner, createJob, type EnginePlan, OP, type ThreadBuffers } from "./runtime.ts";
import {
  planSacActor,
  planSacCritic,
  type SacActorEngineSpec,
  type SacCriticEngineSpec,
} from "./sac.ts";

/**
 * A loss the engine can differentiate (its data and network geometry).
 *
 * @example
 * ```ts
 * import type { FastLossSpec } from "./operator.ts";
 * function kind(s: FastLossSpec) { return s.kind; }
 * ```
 */
export type FastLossSpec =
  | PpoActorEngineSpec
  | PpoCriticEngineSpec
  | SacActorEngineSpec
  | SacCriticEngineSpec;

/**
 * Engine options.
 *
 * @example
 * ```ts
 * import type { FastEngineOptions } from "./operator.ts";
 * const o: FastEngineOptions = { threads: 2, chunkRows: 256, maxBlock: 8 };
 * ```
 */
export interface FastEngineOptions {
  /**
   * 1, 2, or "auto" (default: 2 when the machine reports ≥ 2 cores and the data has at least 16
   * chunks; falls back to 1 when the worker cannot start).
   */
  threads?: 1 | 2 | "auto";
  /** Samples per chunk (default 256: a chunk's working set stays in the L2 cache). */
  chunkRows?: number;
  /** Most vectors per R-pass of `hvpBlock` (default 8; larger blocks are split). */
  maxBlock?: number;
  /** Bytes for cached chunk states (default 1.5 GiB; 0 recomputes every chunk). */
  cacheBytes?: number;
}

/** The worker thread stops after this long without work (it is restarted when needed). */
const WORKER_IDLE_MS = 2000;

const MAX_PAGES = WASM_MAX_PAGES;
const PAGE = WASM_PAGE;

function planFamily(
  spec: FastLossSpec,
  theta: Float32Array,
  ctx: Parameters<typeof planPpoActor>[2],
): PlannedFamily {
  switch (spec.kind) {
    case "ppo-actor":
      return planPpoActor(spec, theta, ctx);
    case "ppo-critic":
      return planPpoCritic(spec, theta, ctx);
    case "sac-actor":
      return planSacActor(spec, theta, ctx);
    case "sac-critic":
      return planSacCritic(spec, theta, ctx);
    default:
      throw new Error(`engine: unknown loss kind "${(spec as { kind: string }).kind}"`);
  }
}

function sampleCount(spec: FastLossSpec): number {
  switch (spec.kind) {
    case "ppo-actor":
      return spec.advantages.length;
    case "ppo-critic":
      return spec.returns.length;
    case "sac-actor":
      return spec.noise.length / (spec.net.layers[spec.net.layers.length - 1].fanOut / 2);
    case "sac-critic":
      return spec.targets.length;
  }
}

function defaultThreads(chunks: number): 1 | 2 {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency ?? 1;
  return cores >= 2 && chunks >= 16 ? 2 : 1;
}

/**
 * Gradient and Hessian-vector products of one loss of the engine's families at its θ.
 *
 * @example
 * ```ts
 * import { makeActorCriticSpec } from "../../agents/ppo/policy.ts";
 * import { FastHessianOperator, mlpNetBlocks } from "./mod.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
 * const theta = spec.criticLayout.zeros().map((_, i) => Math.sin(i));
 * const op = new FastHessianOperator({
 *   label: "critic", theta,
 *   fast: {
 *     kind: "ppo-critic", net: mlpNetBlocks(spec.vf, spec.criticLayout),
 *     obs: new Float32Array([1, 0, 0, 0, 1, 0]), returns: new Float32Array([1, 2]), vfCoef: 0.5,
 *   },
 * }, { threads: 1 });
 * const hv = await op.hvp(new Float64Array(op.n).fill(1));
 * op.dispose();
 * ```
 */
export class FastHessianOperator {
  // Implements HessianOperatorLike (lib/subspaces/hvp.ts), which imports this module.
  /** "fast". */
  readonly engine = "fast" as const;
  /** What this is, for messages. */
  readonly label: string;
  /** Dimension of θ. */
  readonly n: number;
  /** Total samples N. */
  readonly samples: number;
  /** Threads used (1 after a failed worker start with threads "auto"). */
  threads: 1 | 2;
  /** Chunks whose state is cached, and all chunks. */
  readonly cachedChunks: number;
  readonly chunks: number;
  /** Bytes of the engine memory. */
  readonly memoryBytes: number;
  /** Multiply-adds of one gradient pass and of one R-pass per vector, over all samples. */
  readonly macs: { forwardBackward: number; rPass: number };
  /** Hessian-vector products computed so far (a block of b counts b). */
  hvpCount = 0;
  /** Gradients computed so far. */
  gradientCount = 0;
  readonly #family: PlannedFamily;
  readonly #plan: EnginePlan;
  readonly #kern: Kern;
  readonly #runner: ChunkRunner;
  readonly #perm: Int32Array;
  #acc: Float64Array[];
  #value: Float64Array[];
  readonly #autoThreads: boolean;
  #prepared = false;
  readonly #device: WasmDevice;
  #threads: WasmThreads | null = null;
  #counter = new Int32Array(new SharedArrayBuffer(4));
  #disposed = false;

  constructor(
    loss: { label: string; theta: Float32Array; fast: FastLossSpec },
    options: FastEngineOptions = {},
  ) {
    const { theta, fast } = loss;
    this.label = loss.label;
    for (let i = 0; i < theta.length; i++) {
      if (!Number.isFinite(theta[i])) {
        throw new RangeError(
          `FastHessianOperator(${loss.label}): θ[${i}] is ${theta[i]}; the checkpoint's ` +
            "parameters must be finite",
        );
      }
    }
    const rows = options.chunkRows ?? 256;
    const maxBlock = options.maxBlock ?? 8;
    for (const [name, x] of [["chunkRows", rows], ["maxBlock", maxBlock]] as const) {
      if (!Number.isSafeInteger(x) || x < 1) {
        throw new RangeError(`FastHessianOperator: ${name} must be a positive integer, got ${x}`);
      }
    }
    const samples = sampleCount(fast);
    if (samples < 1) {
      throw new RangeError(`FastHessianOperator(${loss.label}): the loss has no samples`);
    }
    const auto = options.threads === undefined || options.threads === "auto";
    const threads = auto ? defaultThreads(Math.ceil(samples / rows)) : options.threads;
    if (threads !== 1 && threads !== 2) {
      throw new RangeError(`FastHessianOperator: threads must be 1, 2 or "auto", got ${threads}`);
    }
    this.#autoThreads = auto;
    // ---- Plan the memory.
    const fixed = new Arena(64), state = new Arena(0), scratch = new Arena(0);
    const family = planFamily(fast, theta, { fixed, state, scratch, rows, maxBlock });
    const size = family.packedSize;
    if (size !== theta.length) {
      throw new RangeError(
        `FastHessianOperator(${loss.label}): θ has ${theta.length} entries, the network ` +
          `geometry ${size}`,
      );
    }
    const stateBytes = Math.ceil(state.top / 16) * 16;
    const buffers: ThreadBuffers[] = [];
    for (let t = 0; t < threads; t++) {
      buffers.push({
        state: fixed.bytes(stateBytes),
        scratch: fixed.bytes(scratch.top),
        out: fixed.f32(maxBlock * size),
        acc: fixed.f64(maxBlock * size),
        value: fixed.f64(1),
        elementwise: fixed.bytes(ELEMENTWISE_SCRATCH_BYTES),
      });
    }
    const chunks = Math.ceil(samples / rows);
    const cacheBase = Math.ceil(fixed.top / 64) * 64;
    const room = (MAX_PAGES - 1) * PAGE - cacheBase - 1024;
    if (room < 0) {
      throw new RangeError(
        `FastHessianOperator(${loss.label}): the data and buffers need ${cacheBase} bytes, ` +
          `more than a WebAssembly memory holds (4 GiB); use fewer samples or a smaller ` +
          `maxBlock/chunkRows`,
      );
    }
    const cacheBytes = Math.min(options.cacheBytes ?? 1.5 * 2 ** 30, room);
    const cachedChunks = Math.max(0, Math.min(chunks, Math.floor(cacheBytes / stateBytes)));
    const total = cacheBase + cachedChunks * stateBytes + 1024;
    const device = new WasmDevice(total, { shared: threads > 1, scratch: buffers[0].elementwise });
    const memory = device.memory;
    this.#device = device;
    this.#kern = { ...bindKernels(device.exports, buffers[0].elementwise), memory };
    family.load(this.#kern);
    this.#plan = {
      family: family.name,
      familyPlan: family.plan,
      packedSize: size,
      rows,
      samples,
      chunks,
      cachedChunks,
      cacheBase,
      stateBytes,
      maxBlock,
      threads: buffers,
    };
    this.#family = family;
    this.#perm = family.packedToTheta;
    this.#runner = new ChunkRunner(this.#plan, this.#kern, 0);
    this.#acc = buffers.map((b) => new Float64Array(memory.buffer, b.acc, maxBlock * size));
    this.#value = buffers.map((b) => new Float64Array(memory.buffer, b.value, 1));
    this.n = size;
    this.samples = samples;
    this.threads = threads;
    this.chunks = chunks;
    this.cachedChunks = cachedChunks;
    this.memoryBytes = device.byteLength;
    this.macs = {
      forwardBackward: family.macsPerSample.forwardBackward * samples,
      rPass: family.macsPerSample.rPass * samples,
    };
  }

  /**
   * The worker (started lazily, and again after an idle stop: a live worker keeps a Deno process
   * from exiting, so it is stopped after {@linkcode WORKER_IDLE_MS} without work and on dispose).
   */
  #workerThreads(): WasmThreads {
    this.#threads ??= new WasmThreads(this.#device, [[{
      local: createJob(
        { plan: this.#plan, thread: 1, counter: this.#counter },
        {
          memory: this.#device.memory,
          exports: this.#device.exports,
          kernels: (s) => bindKernels(this.#device.exports, s),
        },
      ),
      remote: {
        module: new URL("./runtime.ts", import.meta.url).href,
        init: { plan: this.#plan, thread: 1, counter: this.#counter },
      },
    }]], { idleStopMs: WORKER_IDLE_MS });
    return this.#threads;
  }

  /** Runs one operation on all threads and returns when every thread is done. */
  async #dispatch(op: number, b: number): Promise<void> {
    if (this.#disposed) throw new Error(`FastHessianOperator(${this.label}): used after dispose()`);
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
    if (this.#prepared) return;
    if (this.#plan.cachedChunks > 0) await this.#dispatch(OP.PREPARE, 0);
    this.#prepared = true;
  }

  /** H v, float64. */
  async hvp(v: ArrayLike<number>): Promise<Float64Array> {
    return (await this.hvpBlock([v]))[0];
  }

  /**
   * H·[v_1 … v_b] in one pass over the data per group of `maxBlock` vectors.
   *
   * @throws RangeError for a wrong length or a non-finite result.
   */
  async hvpBlock(vectors: readonly ArrayLike<number>[]): Promise<Float64Array[]> {
    const size = this.n;
    for (const v of vectors) {
      if (v.length !== size) {
        throw new RangeError(
          `FastHessianOperator(${this.label}).hvp: vector has length ${v.length}, θ has ${size}`,
        );
      }
    }
    await this.#prepare();
    const results: Float64Array[] = [];
    const perm = this.#perm;
    for (let g = 0; g < vectors.length; g += this.#plan.maxBlock) {
      const group = vectors.slice(g, g + this.#plan.maxBlock);
      const packed = group.map((v) => {
        const p = new Float32Array(size);
        for (let i = 0; i < size; i++) p[i] = v[perm[i]];
        return p;
      });
      this.#family.stage(this.#kern, packed);
      await this.#dispatch(OP.HVP, group.length);
      for (let j = 0; j < group.length; j++) {
        results.push(this.#collect(j, "Hessian-vector product"));
      }
    }
    this.hvpCount += vectors.length;
    return results;
  }

  /** ∇L, float64. */
  async gradient(): Promise<Float64Array> {
    return (await this.valueAndGradient()).gradient;
  }

  /** L and ∇L in one pass over the data. */
  async valueAndGradient(): Promise<{ value: number; gradient: Float64Array }> {
    await this.#prepare();
    await this.#dispatch(OP.GRADIENT, 1);
    const gradient = this.#collect(0, "gradient");
    const constant = this.#family.constantTerms();
    let value = constant.value;
    for (const v of this.#value) value += v[0];
    if (constant.gradient) {
      const g = constant.gradient;
      for (let i = 0; i < this.n; i++) gradient[this.#perm[i]] += g[i];
    }
    if (!Number.isFinite(value)) {
      throw new RangeError(`FastHessianOperator(${this.label}): the loss value is ${value}`);
    }
    this.gradientCount++;
    return { value, gradient };
  }

  /** This operator as a plain function for `lanczosTopK` / `stochasticLanczosQuadrature`. */
  asOperator(): (v: Float64Array) => Promise<Float64Array> {
    return (v) => this.hvp(v);
  }

  /** The block form [v_1 … v_b] ↦ [H v_1 … H v_b] (one pass over the data per maxBlock vectors). */
  asBlockOperator(): (vectors: readonly Float64Array[]) => Promise<Float64Array[]> {
    return (vectors) => this.hvpBlock(vectors);
  }

  /** Stops the worker and drops the memory. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#threads?.close();
    this.#threads = null;
  }

  /** Σ over threads of accumulator j, permuted to θ order. */
  #collect(j: number, what: string): Float64Array {
    const size = this.n, perm = this.#perm;
    const out = new Float64Array(size);
    for (const acc of this.#acc) {
      for (let i = 0; i < size; i++) out[perm[i]] += acc[j * size + i];
    }
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(out[i])) {
        throw new RangeError(
          `FastHessianOperator(${this.label}): ${what} is ${out[i]} at index ${i}; the loss or ` +
            "the data produce non-finite derivatives",
        );
      }
    }
    return out;
  }
}
