/**
 * The engine's worker thread: builds a {@linkcode ChunkRunner} on the shared memory and runs
 * the operations the main thread requests through a shared control word (see `operator.ts`).
 *
 * Control words (Int32Array): [0] request sequence number (−1: stop), [1] operation, [2] block
 * size, [3] completed sequence number, [4] state (0 starting, 1 ready, 2 failed), [5] next chunk
 * (taken with `Atomics.add` by both threads).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { bindKernels, ChunkRunner, type EnginePlan } from "./runtime.ts";

/** Spins before sleeping in `Atomics.wait` (a hand-over then costs microseconds). */
const SPINS = 20_000;

self.onmessage = (event: MessageEvent) => {
  const { plan, matrix, elementwise, memory, ctl, thread } = event.data as {
    plan: EnginePlan;
    matrix: WebAssembly.Module;
    elementwise: WebAssembly.Module;
    memory: WebAssembly.Memory;
    ctl: Int32Array;
    thread: number;
  };
  let runner: ChunkRunner;
  try {
    runner = new ChunkRunner(
      plan,
      bindKernels(matrix, elementwise, memory, plan.threads[thread].elementwise),
      thread,
    );
  } catch (e) {
    Atomics.store(ctl, 4, 2);
    self.postMessage({ ready: false, error: String(e) });
    return;
  }
  Atomics.store(ctl, 4, 1);
  self.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    let s = Atomics.load(ctl, 0);
    for (let i = 0; s === seen && i < SPINS; i++) s = Atomics.load(ctl, 0);
    if (s === seen) {
      Atomics.wait(ctl, 0, seen);
      continue;
    }
    if (s < 0) break;
    seen = s;
    try {
      runner.run(Atomics.load(ctl, 1), Atomics.load(ctl, 2), () => Atomics.add(ctl, 5, 1));
    } catch (e) {
      Atomics.store(ctl, 4, 2);
      console.error(`engine worker: ${(e as Error)?.stack ?? e}`);
    }
    Atomics.store(ctl, 3, s);
    Atomics.notify(ctl, 3);
  }
  self.close();
};
