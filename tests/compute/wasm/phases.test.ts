/** PhaseRunner: a phase's two halves give the same memory on one thread and on two. */
import { assertEquals } from "@std/assert";
import { Arena } from "../../../lib/compute/arena.ts";
import { ProgramRecorder } from "../../../lib/compute/kernels.ts";
import { WasmDevice } from "../../../lib/compute/wasm/device.ts";
import { PhaseRunner } from "../../../lib/compute/wasm/phases.ts";

function run(threads: 1 | 2): number[] {
  const plan = new Arena(64);
  const a = plan.f32(64), t1 = plan.f32(64), t2 = plan.f32(64), s = plan.f32(8);
  const dev = new WasmDevice(plan.top, { shared: threads === 2 });
  const view = dev.real(a, 64);
  for (let i = 0; i < 64; i++) view[i] = Math.sin(i);
  const first = new ProgramRecorder(), second = new ProgramRecorder();
  first.kernels.transpose(a, t1, 8, 8);
  second.kernels.colSum(a, s, 8, 8, 8, 0);
  second.kernels.tanh(t2, a, 8, 8, 1);
  const phase: [ProgramRecorder, ProgramRecorder] = [first, second];
  const runner = new PhaseRunner(dev, threads, [phase]);
  for (let r = 0; r < 3; r++) runner.run(phase);
  runner.close();
  return [...dev.real(t1, 64), ...dev.real(t2, 64), ...dev.real(s, 8)];
}

Deno.test("PhaseRunner: one and two threads write the same results", () => {
  assertEquals(run(2), run(1));
});
