/**
 * {@linkcode WasmThreads}: the compute layer's one worker pool and protocol. Worker threads share
 * a device's WebAssembly memory, each instantiates the kernel module on it and builds a list of
 * *jobs* (a job is `(a0, a1) => void`: a recorded program of kernel calls, or an engine's chunk
 * loop), and then serves requests: run job j with arguments (a0, a1).
 *
 * **Protocol** (per worker, an Int32Array of control words on a SharedArrayBuffer): the caller
 * publishes the job, the arguments, a claim word and a new sequence number s (`Atomics.store` +
 * `notify`), then runs its own part of the work. The worker's job is *claimed* by whichever thread
 * first swaps the claim word from s to −s: the worker when it wakes, or the caller when it
 * finishes its own part first (a worker descheduled on a busy machine then costs nothing but the
 * hand-over: the caller runs the job itself, with the same buffers, so the result is the same).
 * The caller waits for the worker's completion number only when the worker claimed the job. Both
 * spin briefly before sleeping in `Atomics.wait`, which keeps the hand-over at microseconds.
 *
 * Jobs are built on both sides from the same description ({@linkcode JobSpec}: a module URL and
 * plain data): the worker imports the module, the caller passes the factory it already has.
 * With `idleStopMs` the workers stop after that long without work (a live worker keeps a Deno
 * process from exiting) and restart on the next `run`.
 *
 * @module
 */
import type { Kernels } from "../kernels.ts";
import type { KernelExports } from "./module.ts";

/**
 * A job: runs on a thread with two integer arguments.
 *
 * @example
 * ```ts
 * import type { Job } from "./threads.ts";
 * const nothing: Job = (_a0, _a1) => {};
 * ```
 */
export type Job = (a0: number, a1: number) => void;

/**
 * How a thread builds a job: `createJob(init, context)` exported by the module at `module`.
 *
 * @example
 * ```ts
 * import type { JobSpec } from "./threads.ts";
 * const spec: JobSpec = { module: new URL("./jobs.ts", import.meta.url).href, init: { calls: [], scratch: 64 } };
 * ```
 */
export interface JobSpec {
  /** URL of a module exporting `createJob: JobFactory`. */
  module: string;
  /** Structured-cloneable data for the factory. */
  init: unknown;
}

/**
 * What a job factory gets on its thread.
 *
 * @example
 * ```ts
 * import type { JobContext } from "./threads.ts";
 * function memoryBytes(c: JobContext) { return c.memory.buffer.byteLength; }
 * ```
 */
export interface JobContext {
  /** The shared memory. */
  memory: WebAssembly.Memory;
  /** The kernel module's raw exports on this thread. */
  exports: KernelExports;
  /** Typed kernels of this thread bound to a scratch area. */
  kernels(scratch: number): Kernels;
}

/**
 * Builds a job on a thread.
 *
 * @example
 * ```ts
 * import type { JobFactory } from "./threads.ts";
 * export const createJob: JobFactory = () => () => {};
 * ```
 */
export type JobFactory = (init: unknown, context: JobContext) => Job;

/**
 * One job as both sides build it.
 *
 * @example
 * ```ts
 * import type { ThreadJob } from "./threads.ts";
 * const j: ThreadJob = { local: () => {}, remote: { module: "file:///job.ts", init: null } };
 * ```
 */
export interface ThreadJob {
  /** The job built on the calling thread (run when the caller claims it). */
  local: Job;
  /** How the worker builds the same job. */
  remote: JobSpec;
}

/**
 * Options of {@linkcode WasmThreads}.
 *
 * @example
 * ```ts
 * import type { WasmThreadsOptions } from "./threads.ts";
 * const o: WasmThreadsOptions = { idleStopMs: 2000 };
 * ```
 */
export interface WasmThreadsOptions {
  /** Stop the workers after this many milliseconds without work (default: never). */
  idleStopMs?: number;
}

// Control words of one worker.
const REQUEST = 0, JOB = 1, A0 = 2, A1 = 3, DONE = 4, STATE = 5, CLAIM = 6;
const CALLER_SPINS = 200_000;
const TIMEOUT_MS = 120_000;
const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

interface Worker1 {
  worker: Worker;
  ctl: Int32Array;
  ready: Promise<void>;
  error: string | null;
}

/**
 * Worker threads on a shared device memory (see the module doc).
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { ProgramRecorder } from "../kernels.ts";
 * import { WasmDevice } from "./device.ts";
 * import { programJob } from "./jobs.ts";
 * import { WasmThreads } from "./threads.ts";
 * const plan = new Arena(64);
 * const a = plan.f32(4), b = plan.f32(4), scratch = plan.bytes(80);
 * const dev = new WasmDevice(plan.top, { shared: true });
 * const p = new ProgramRecorder();
 * p.kernels.transpose(a, b, 2, 2);
 * const threads = new WasmThreads(dev, [[programJob(dev, p.calls, scratch)]]);
 * threads.run(() => {}, 0); // the worker (or the caller, if first) transposes
 * threads.close();
 * ```
 */
export class WasmThreads {
  /** Number of worker threads (the caller is one more). */
  readonly workers: number;
  readonly #device: { module: WebAssembly.Module; memory: WebAssembly.Memory };
  readonly #jobs: ThreadJob[][];
  readonly #idleStopMs: number | null;
  #live: Worker1[] | null = null;
  #seq = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  /**
   * @param device the memory (shared) and its kernel module.
   * @param jobs per worker, the jobs it can run (job ids are indices into each list).
   */
  constructor(
    device: { module: WebAssembly.Module; memory: WebAssembly.Memory },
    jobs: ThreadJob[][],
    options: WasmThreadsOptions = {},
  ) {
    if (!(device.memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error("WasmThreads: worker threads need a device on a shared memory");
    }
    if (jobs.length < 1) throw new RangeError("WasmThreads: needs at least one worker");
    this.workers = jobs.length;
    this.#device = device;
    this.#jobs = jobs;
    this.#idleStopMs = options.idleStopMs ?? null;
  }

  /** Resolves when every worker has built its jobs (rejects when one failed). */
  async ready(): Promise<void> {
    for (const w of this.#start()) await w.ready;
  }

  /**
   * Runs job `job` on every worker with (a0, a1) while the caller runs `own`; returns when all
   * are done. Jobs a worker has not started when the caller is done are run by the caller.
   *
   * @throws Error when a job failed on a worker, or a worker did not start or finish in time.
   */
  run(own: () => void, job: number, a0 = 0, a1 = 0): void {
    if (this.#closed) throw new Error("WasmThreads: used after close()");
    const live = this.#start();
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    try {
      for (const w of live) this.#waitReady(w);
      const seq = ++this.#seq;
      for (const w of live) {
        const ctl = w.ctl;
        Atomics.store(ctl, JOB, job);
        Atomics.store(ctl, A0, a0);
        Atomics.store(ctl, A1, a1);
        Atomics.store(ctl, CLAIM, seq);
        Atomics.store(ctl, REQUEST, seq);
        Atomics.notify(ctl, REQUEST);
      }
      own();
      live.forEach((w, i) => {
        if (Atomics.compareExchange(w.ctl, CLAIM, seq, -seq) === seq) {
          this.#jobs[i][job].local(a0, a1); // the worker had not started it
          return;
        }
        this.#waitDone(w, seq);
      });
    } finally {
      this.#scheduleIdleStop();
    }
  }

  /** Stops the workers. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #start(): Worker1[] {
    if (this.#live) return this.#live;
    this.#live = this.#jobs.map((jobs) => {
      const ctl = new Int32Array(new SharedArrayBuffer(32));
      const worker = new Worker(WORKER_URL, { type: "module" });
      const w: Worker1 = { worker, ctl, ready: Promise.resolve(), error: null };
      w.ready = new Promise<void>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent) => {
          const d = e.data as { ready: boolean; error?: string };
          if (d.ready) resolve();
          else {
            w.error = d.error ?? "unknown error";
            reject(new Error(`WasmThreads: a worker failed: ${w.error}`));
          }
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          w.error = e.message;
          Atomics.store(ctl, STATE, 2);
          reject(new Error(`WasmThreads: a worker failed: ${e.message}`));
        };
      });
      w.ready.catch(() => {}); // reported by run() / ready()
      worker.postMessage({
        module: this.#device.module,
        memory: this.#device.memory,
        ctl,
        jobs: jobs.map((j) => j.remote),
      });
      return w;
    });
    return this.#live;
  }

  #waitReady(w: Worker1): void {
    const ctl = w.ctl;
    if (Atomics.load(ctl, STATE) === 0 && Atomics.wait(ctl, STATE, 0, TIMEOUT_MS) === "timed-out") {
      throw new Error("WasmThreads: a worker thread did not start within 120 s");
    }
    if (Atomics.load(ctl, STATE) !== 1) {
      throw new Error(
        `WasmThreads: a worker thread failed to start${w.error ? `: ${w.error}` : ""}`,
      );
    }
  }

  #waitDone(w: Worker1, seq: number): void {
    const ctl = w.ctl;
    let done = Atomics.load(ctl, DONE);
    for (let i = 0; done !== seq && i < CALLER_SPINS; i++) done = Atomics.load(ctl, DONE);
    while (done !== seq) {
      if (Atomics.wait(ctl, DONE, done, TIMEOUT_MS) === "timed-out") {
        throw new Error("WasmThreads: a worker thread did not finish a job within 120 s");
      }
      done = Atomics.load(ctl, DONE);
    }
    if (Atomics.load(ctl, STATE) === 2) {
      throw new Error("WasmThreads: a job failed on a worker thread (see its error output)");
    }
  }

  #scheduleIdleStop(): void {
    if (this.#idleStopMs === null || this.#live === null) return;
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    const timer = setTimeout(() => this.#stop(), this.#idleStopMs);
    Deno.unrefTimer(timer as unknown as number); // the timer alone must not keep the process alive
    this.#idleTimer = timer;
  }

  #stop(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    for (const w of this.#live ?? []) {
      Atomics.store(w.ctl, REQUEST, -1);
      Atomics.notify(w.ctl, REQUEST);
      w.worker.terminate();
    }
    this.#live = null;
  }
}

export { A0, A1, CLAIM, DONE, JOB, REQUEST, STATE };
