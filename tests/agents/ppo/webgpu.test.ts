/**
 * PPO's update on the WebGPU device (whatever adapter this machine has: the software adapter
 * llvmpipe here) against the float32 WebAssembly and float64 CPU devices: one full update phase
 * (2 epochs of 4 mini-batches) from the same rollout gives the same loss terms and parameters to
 * float32 tolerance; the synchronous `update()` refuses an asynchronous engine. Skipped (ignored)
 * where WebGPU has no adapter.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { makeEnv } from "../../../lib/envs/mod.ts";
import { PpoAgent, type PpoUpdateStats } from "../../../lib/agents/ppo/ppo.ts";
import type { GradientEngine } from "../../../lib/agents/ppo/config.ts";
import { hasRealGpu, webGpuAdapter } from "../../../lib/compute/webgpu/device.ts";

const noGpu = (await webGpuAdapter()) === null;
const CONFIG = {
  n_steps: 64,
  batch_size: 16,
  n_epochs: 2,
  net_arch: [16, 16],
  learning_rate: 3e-3,
};

/** Steps to the first rollout's end and runs its update through the asynchronous path. */
async function firstUpdate(engine: GradientEngine): Promise<[PpoAgent, PpoUpdateStats]> {
  const agent = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { ...CONFIG, gradientEngine: engine },
    seed: 3,
  });
  while (!agent.updatePending) agent.step();
  const stats = await agent.updateAsync();
  return [agent, stats];
}

Deno.test({
  name: "PPO update on WebGPU equals the WebAssembly and float64 CPU devices (float32 tolerance)",
  ignore: noGpu,
  fn: async () => {
    const [cpu, sc] = await firstUpdate("cpu");
    const [wasm, sw] = await firstUpdate("wasm");
    const [gpu, sg] = await firstUpdate("webgpu");
    try {
      assertEquals(gpu.asyncUpdate, true);
      assertEquals(wasm.asyncUpdate, false);
      // Before the update the three agents saw the same rollout (bit-identical acting path).
      assertEquals(sg.explainedVariance, sc.explainedVariance);
      for (const [label, s, tol] of [["wasm", sw, 1e-5], ["webgpu", sg, 1e-5]] as const) {
        for (const k of ["policyGradientLoss", "valueLoss", "entropyLoss", "approxKl"] as const) {
          assertAlmostEquals(s[k], sc[k], tol * Math.max(1, Math.abs(sc[k])), `${label} ${k}`);
        }
        assertEquals(s.clipFraction, sc.clipFraction, label);
        assertEquals(s.epochs, 2);
      }
      // Parameters after 8 Adam steps: float32 gradients agree with float64 to ≤ 1e-5 (a
      // coordinate moves up to lr·8 = 2.4e-3, so the tolerance is ~1% of the largest move).
      const init = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: CONFIG, seed: 3 });
      for (
        const [name, ref, a, b, start] of [
          ["actor", cpu.thetaActor, wasm.thetaActor, gpu.thetaActor, init.thetaActor],
          ["critic", cpu.thetaCritic, wasm.thetaCritic, gpu.thetaCritic, init.thetaCritic],
        ] as const
      ) {
        let moved = 0, vsWasm = 0, vsCpu = 0;
        for (let i = 0; i < ref.length; i++) {
          moved = Math.max(moved, Math.abs(ref[i] - start[i]));
          vsWasm = Math.max(vsWasm, Math.abs(b[i] - a[i]));
          vsCpu = Math.max(vsCpu, Math.abs(b[i] - ref[i]));
        }
        assert(moved > 1e-3, `${name} moved only ${moved}`);
        assert(vsWasm <= 1e-6, `${name}: webgpu vs wasm ${vsWasm}`);
        assert(vsCpu <= 1e-6, `${name}: webgpu vs cpu ${vsCpu}`);
        if (Deno.env.get("PGSUBSPACE_VERBOSE")) {
          console.log(`${name}: moved ${moved}, |gpu−wasm| ${vsWasm}, |gpu−cpu| ${vsCpu}`);
        }
      }
    } finally {
      gpu.close();
    }
  },
});

Deno.test({
  name: "PPO: the synchronous update refuses an asynchronous (WebGPU or auto) engine",
  fn: () => {
    for (const engine of ["webgpu", "auto"] as const) {
      const agent = new PpoAgent({
        env: makeEnv("Pendulum-v1"),
        config: { ...CONFIG, gradientEngine: engine },
        seed: 1,
      });
      while (!agent.updatePending) agent.step();
      assertThrows(() => agent.update(), Error, "updateAsync");
      assertThrows(() => agent.step(), Error, "updateAsync");
    }
  },
});

Deno.test({
  name: "PPO: gradientEngine auto without a real GPU is the float64 CPU update, bit for bit",
  ignore: await hasRealGpu(),
  fn: async () => {
    const [cpu, sc] = await firstUpdate("cpu");
    const [auto, sa] = await firstUpdate("auto");
    assertEquals(sa, sc);
    assertEquals(auto.thetaActor, cpu.thetaActor);
    assertEquals(auto.thetaCritic, cpu.thetaCritic);
    assertEquals(auto.getState().adamActor, cpu.getState().adamActor);
  },
});
