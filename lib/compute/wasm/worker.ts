/**
 * A worker thread of {@linkcode WasmThreads} (see `threads.ts` for the protocol): instantiates
 * the kernel module on the shared memory, builds its jobs from their module URLs, and runs the
 * jobs the caller requests until the sequence number is negative.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { JobFactory } from "./threads.ts";
import { A0, A1, CLAIM, DONE, JOB, REQUEST, STATE } from "./threads.ts";
import { bindKernels, instantiateKernels } from "./module.ts";

/** Spins before sleeping in `Atomics.wait` (a hand-over then costs microseconds). */
const SPINS = 20_000;

self.onmessage = async (event: MessageEvent) => {
  const { module, memory, ctl, jobs } = event.data as {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    ctl: Int32Array;
    jobs: { module: string; init: unknown }[];
  };
  let built: ((a0: number, a1: number) => void)[];
  try {
    const exports = instantiateKernels(module, memory);
    const context = {
      memory,
      exports,
      kernels: (scratch: number) => bindKernels(exports, scratch),
    };
    built = [];
    for (const spec of jobs) {
      const factory = (await import(spec.module)).createJob as JobFactory;
      built.push(factory(spec.init, context));
    }
  } catch (e) {
    Atomics.store(ctl, STATE, 2);
    Atomics.notify(ctl, STATE);
    self.postMessage({ ready: false, error: String((e as Error)?.stack ?? e) });
    return;
  }
  Atomics.store(ctl, STATE, 1);
  Atomics.notify(ctl, STATE);
  self.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, REQUEST);
    for (let i = 0; s === seen && i < SPINS; i++) s = Atomics.load(ctl, REQUEST);
    if (s === seen) {
      Atomics.wait(ctl, REQUEST, seen);
      continue;
    }
    if (s < 0) break;
    seen = s;
    if (Atomics.compareExchange(ctl, CLAIM, s, -s) !== s) continue; // the caller took it
    try {
      built[Atomics.load(ctl, JOB)](Atomics.load(ctl, A0), Atomics.load(ctl, A1));
    } catch (e) {
      Atomics.store(ctl, STATE, 2);
      console.error(`compute worker: ${(e as Error)?.stack ?? e}`);
    }
    Atomics.store(ctl, DONE, s);
    Atomics.notify(ctl, DONE);
  }
  self.close();
};
