// WasmThreads: one worker pool and protocol. A program job on a worker computes what the caller
// would; a job the worker has not started is run by the caller; a failing job is reported; an
// idle pool stops its worker and starts it again on the next run.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { Arena } from "../../../lib/compute/arena.ts";
import { ProgramRecorder } from "../../../lib/compute/kernels.ts";
import { WasmDevice } from "../../../lib/compute/wasm/device.ts";
import { programJob } from "../../../lib/compute/wasm/jobs.ts";
import { WasmThreads } from "../../../lib/compute/wasm/threads.ts";
import { Rng } from "../../../lib/rng.ts";

function setup() {
  const plan = new Arena(64);
  const n = 64;
  const a = plan.f32(n * n), b = plan.f32(n * n), c = plan.f32(n * n), d = plan.f32(n * n);
  const scratch = plan.bytes(80);
  const dev = new WasmDevice(plan.top, { shared: true });
  new Rng(1).fillNormal(dev.f32(a, n * n));
  const p0 = new ProgramRecorder(), p1 = new ProgramRecorder();
  p0.kernels.transpose(a, b, n, n); // caller: b = aᵀ
  p1.kernels.gemmRow(a, a, c, 0, 0, n, n, n, n, n, n, 0); // worker: c = a·a
  const expected = new Float32Array(n * n);
  const view = dev.f32(a, n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += view[i * n + q] * view[q * n + j];
      expected[i * n + j] = s;
    }
  }
  return { dev, n, a, b, c, d, scratch, p0, p1, expected };
}

Deno.test("a program job on the worker equals the same program on the caller", async () => {
  const { dev, n, a, b, c, scratch, p0, p1, expected } = setup();
  const threads = new WasmThreads(dev, [[programJob(dev, p1.calls, scratch)]]);
  await threads.ready();
  const own = programJob(dev, p0.calls, scratch).local;
  for (let rep = 0; rep < 20; rep++) {
    dev.f32(c, n * n).fill(0);
    threads.run(() => own(0, 0), 0);
    const got = dev.f32(c, n * n);
    for (let i = 0; i < n * n; i++) assert(Math.abs(got[i] - expected[i]) < 1e-4);
  }
  const at = dev.f32(a, n * n), bt = dev.f32(b, n * n);
  assertEquals(bt[1 * n + 2], at[2 * n + 1]);
  threads.close();
  assertThrows(() => threads.run(() => {}, 0), Error, "after close");
});

Deno.test("the caller runs a job the worker has not claimed (before the worker is ready)", () => {
  const { dev, n, c, scratch, p1, expected } = setup();
  const threads = new WasmThreads(dev, [[programJob(dev, p1.calls, scratch)]]);
  // A long own part: the worker claims or the caller does; the result is the same either way.
  threads.run(() => {
    const t = performance.now();
    while (performance.now() - t < 5);
  }, 0);
  const got = dev.f32(c, n * n);
  for (let i = 0; i < n * n; i++) assert(Math.abs(got[i] - expected[i]) < 1e-4);
  threads.close();
});

Deno.test("idle workers stop and restart; an unshared memory is refused", async () => {
  const { dev, scratch, p1 } = setup();
  const threads = new WasmThreads(dev, [[programJob(dev, p1.calls, scratch)]], {
    idleStopMs: 50,
  });
  await threads.ready();
  threads.run(() => {}, 0);
  await new Promise((r) => setTimeout(r, 150));
  await threads.ready(); // restarted
  threads.run(() => {}, 0);
  threads.close();
  const unshared = new WasmDevice(new Arena(64).top);
  assertThrows(() => new WasmThreads(unshared, [[]]), Error, "shared memory");
});
