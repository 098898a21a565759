/**
 * Runs the SAC engine's phases — pairs of kernel-call programs with no data dependence between
 * the two halves — on one thread, or on two (the calling thread and one worker sharing the
 * WebAssembly memory).
 *
 * The worker is created from an inline script (no file access), instantiates the same compiled
 * module on the shared memory, and waits on a control word: the caller publishes a sequence
 * number s and a program id (`Atomics.store` + `notify`) and runs its own half. The second half
 * is *claimed* by whichever thread first swaps the claim word from s to −s: the worker when it
 * wakes, or the caller when it finishes its own half first (a worker descheduled on a busy
 * machine then costs nothing but the hand-over). The caller waits for the worker's completion
 * number only when the worker claimed the half. Both threads spin briefly before sleeping in
 * `Atomics.wait`, which keeps the hand-over at a few microseconds when both cores are free.
 *
 * Each output is produced by the same calls in the same order on either thread, so one and two
 * threads give bit-identical results.
 *
 * @module
 */
import { KERNEL_NAMES, type WasmKernels } from "./kernels.ts";

/** A program: calls [kernel index, ...args]. */
interface CallList {
  readonly calls: number[][];
}

const REQUEST = 0, PROGRAM = 1, DONE = 2, STATE = 3, CLAIM = 4;
const SPINS = 4000;

// The worker: instantiate, then serve program requests until the sequence number is negative.
const WORKER_SOURCE = `
self.onmessage = (event) => {
  const { module, memory, ctl, programs, names } = event.data;
  let bound;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    bound = programs.map((calls) => calls.map((c) => {
      const fn = instance.exports[names[c[0]]];
      return fn.bind(null, ...c.slice(1));
    }));
  } catch (e) {
    Atomics.store(ctl, ${STATE}, 2);
    Atomics.notify(ctl, ${STATE});
    throw e;
  }
  Atomics.store(ctl, ${STATE}, 1);
  Atomics.notify(ctl, ${STATE});
  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, ${REQUEST});
    for (let i = 0; s === seen && i < ${SPINS}; i++) s = Atomics.load(ctl, ${REQUEST});
    if (s === seen) { Atomics.wait(ctl, ${REQUEST}, seen); continue; }
    if (s < 0) break;
    seen = s;
    if (Atomics.compareExchange(ctl, ${CLAIM}, s, -s) !== s) continue; // the caller took it
    try {
      const calls = bound[Atomics.load(ctl, ${PROGRAM})];
      for (let i = 0; i < calls.length; i++) calls[i]();
    } catch (e) {
      Atomics.store(ctl, ${STATE}, 2);
      Atomics.store(ctl, ${DONE}, s);
      Atomics.notify(ctl, ${DONE});
      throw e;
    }
    Atomics.store(ctl, ${DONE}, s);
    Atomics.notify(ctl, ${DONE});
  }
};
`;

/**
 * Executes phases [program for thread 0, program for thread 1].
 *
 * @example
 * ```ts
 * import { PhaseRunner } from "./threads.ts";
 * import { WasmKernels } from "./kernels.ts";
 * import { Program } from "../engine.ts";
 * const k = new WasmKernels(1 << 16);
 * const a = k.alloc(4), b = k.alloc(4);
 * const phase: [Program, Program] = [new Program().call("transpose", a, b, 2, 2), new Program()];
 * const runner = new PhaseRunner(k, 1, phase);
 * runner.run(phase);
 * runner.close();
 * ```
 */
export class PhaseRunner {
  /** 1 or 2. */
  readonly threads: 1 | 2;
  readonly #ids: Map<CallList, number>;
  readonly #bound: (() => unknown)[][];
  readonly #ctl: Int32Array | null = null;
  #worker: Worker | null = null;
  #seq = 0;
  #ready = false;

  /**
   * @param programs every program that `run` will be given (the worker receives them once).
   */
  constructor(k: WasmKernels, threads: 1 | 2, programs: CallList[]) {
    this.threads = threads;
    this.#ids = new Map(programs.map((p, i) => [p, i]));
    this.#bound = programs.map((p) =>
      p.calls.map((c) => {
        const fn = k.exports[KERNEL_NAMES[c[0]]];
        return fn.bind(null, ...c.slice(1));
      })
    );
    if (threads === 2) {
      if (!(k.memory.buffer instanceof SharedArrayBuffer)) {
        throw new Error("PhaseRunner: two threads need kernels built on a shared memory");
      }
      this.#ctl = new Int32Array(new SharedArrayBuffer(32));
      const url = URL.createObjectURL(
        new Blob([WORKER_SOURCE], { type: "application/javascript" }),
      );
      this.#worker = new Worker(url, { type: "module" });
      URL.revokeObjectURL(url);
      this.#worker.postMessage({
        module: k.module,
        memory: k.memory,
        ctl: this.#ctl,
        programs: programs.map((p) => p.calls),
        names: [...KERNEL_NAMES],
      });
    }
  }

  /** Runs both halves of a phase and returns when both are done. */
  run(phase: readonly [CallList, CallList]): void {
    const [first, second] = phase;
    const ctl = this.#ctl;
    if (ctl === null || second.calls.length === 0) {
      this.#runLocal(first);
      this.#runLocal(second);
      return;
    }
    if (!this.#ready) this.#waitReady(ctl);
    const id = this.#ids.get(second);
    if (id === undefined) {
      throw new Error("PhaseRunner.run: unknown program (not given to the constructor)");
    }
    const seq = ++this.#seq;
    Atomics.store(ctl, PROGRAM, id);
    Atomics.store(ctl, CLAIM, seq);
    Atomics.store(ctl, REQUEST, seq);
    Atomics.notify(ctl, REQUEST);
    this.#runLocal(first);
    if (Atomics.compareExchange(ctl, CLAIM, seq, -seq) === seq) {
      this.#runLocal(second); // the worker had not started it
      return;
    }
    let done = Atomics.load(ctl, DONE);
    for (let i = 0; done !== seq && i < SPINS; i++) done = Atomics.load(ctl, DONE);
    while (done !== seq) {
      if (Atomics.wait(ctl, DONE, done, 30_000) === "timed-out") {
        throw new Error("PhaseRunner: the worker thread did not finish a phase within 30 s");
      }
      done = Atomics.load(ctl, DONE);
    }
    if (Atomics.load(ctl, STATE) === 2) {
      throw new Error("PhaseRunner: a kernel failed on the worker thread (see its error output)");
    }
  }

  /** Stops the worker. Idempotent. */
  close(): void {
    if (this.#worker === null || this.#ctl === null) return;
    Atomics.store(this.#ctl, REQUEST, -1);
    Atomics.notify(this.#ctl, REQUEST);
    this.#worker.terminate();
    this.#worker = null;
  }

  #runLocal(p: CallList): void {
    const id = this.#ids.get(p);
    if (id === undefined) {
      throw new Error("PhaseRunner.run: unknown program (not given to the constructor)");
    }
    const calls = this.#bound[id];
    for (let i = 0; i < calls.length; i++) calls[i]();
  }

  #waitReady(ctl: Int32Array): void {
    if (this.#worker === null) throw new Error("PhaseRunner: used after close()");
    if (Atomics.load(ctl, STATE) === 0 && Atomics.wait(ctl, STATE, 0, 30_000) === "timed-out") {
      throw new Error("PhaseRunner: the worker thread did not start within 30 s");
    }
    if (Atomics.load(ctl, STATE) !== 1) {
      throw new Error("PhaseRunner: the worker thread failed to instantiate the kernels");
    }
    this.#ready = true;
  }
}
