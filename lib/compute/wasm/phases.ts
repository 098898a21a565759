/**
 * {@linkcode PhaseRunner}: runs *phases* — pairs of recorded kernel programs with no data
 * dependence between the two halves — on the calling thread, or with the second half on a worker
 * thread sharing the device memory ({@linkcode WasmThreads}). Each output is produced by the same
 * calls in the same order on either thread, so one and two threads give bit-identical results.
 *
 * @module
 */
import type { KernelCall } from "../kernels.ts";
import type { WasmDevice } from "./device.ts";
import { programJob } from "./jobs.ts";
import { bindCalls } from "./module.ts";
import { WasmThreads } from "./threads.ts";

/**
 * A recorded program (a `ProgramRecorder`, or anything with its calls).
 *
 * @example
 * ```ts
 * import type { Program } from "./phases.ts";
 * const empty: Program = { calls: [] };
 * ```
 */
export interface Program {
  readonly calls: readonly KernelCall[];
}

/**
 * Runs two-halved phases on one or two threads.
 *
 * @example
 * ```ts
 * import { Arena } from "../arena.ts";
 * import { ProgramRecorder } from "../kernels.ts";
 * import { WasmDevice } from "./device.ts";
 * import { PhaseRunner } from "./phases.ts";
 * const plan = new Arena(64);
 * const a = plan.f32(4), b = plan.f32(4);
 * const dev = new WasmDevice(plan.top);
 * const first = new ProgramRecorder(), second = new ProgramRecorder();
 * first.kernels.transpose(a, b, 2, 2);
 * const phase: [ProgramRecorder, ProgramRecorder] = [first, second];
 * const runner = new PhaseRunner(dev, 1, [phase]);
 * runner.run(phase);
 * runner.close();
 * ```
 */
export class PhaseRunner {
  /** 1 or 2. */
  readonly threads: 1 | 2;
  readonly #local: Map<Program, (() => unknown)[]>;
  readonly #jobIds: Map<Program, number>;
  readonly #workers: WasmThreads | null;

  /** @param phases every phase that `run` will be given (the worker builds them once). */
  constructor(
    device: WasmDevice,
    threads: 1 | 2,
    phases: readonly (readonly [Program, Program])[],
  ) {
    this.threads = threads;
    this.#local = new Map();
    for (const p of phases.flat()) {
      this.#local.set(p, bindCalls(device.exports, p.calls, device.scratch));
    }
    this.#jobIds = new Map(phases.map(([, second], i) => [second, i]));
    this.#workers = threads === 2
      ? new WasmThreads(device, [
        phases.map(([, second]) => programJob(device, second.calls, device.scratch)),
      ])
      : null;
  }

  /** Runs both halves of a phase and returns when both are done. */
  run([first, second]: readonly [Program, Program]): void {
    if (this.#workers === null || second.calls.length === 0) {
      this.#runLocal(first);
      this.#runLocal(second);
      return;
    }
    const id = this.#jobIds.get(second);
    if (id === undefined) {
      throw new Error("PhaseRunner.run: unknown phase (not given to the constructor)");
    }
    this.#workers.run(() => this.#runLocal(first), id);
  }

  /** Stops the worker. Idempotent. */
  close(): void {
    this.#workers?.close();
  }

  #runLocal(p: Program): void {
    const calls = this.#local.get(p);
    if (!calls) throw new Error("PhaseRunner.run: unknown program (not given to the constructor)");
    for (let i = 0; i < calls.length; i++) calls[i]();
  }
}
