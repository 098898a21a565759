/**
 * SAC's gradient step on the WebGPU device (whatever adapter this machine has: the software
 * adapter llvmpipe here) against the float32 WebAssembly engine: the same programs, batches and
 * noise give the same losses, α and parameters (actor, critic, targets, Adam moments) to float32
 * tolerance over several steps, and the agent's asynchronous training phase equals the
 * synchronous one. Skipped (ignored) where WebGPU has no adapter.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { SacEngine } from "../../../lib/agents/sac/engine.ts";
import { initSacParams, makeSacSpec } from "../../../lib/agents/sac/policy.ts";
import { SacAgent } from "../../../lib/agents/sac/sac.ts";
import { makeEnv } from "../../../lib/envs/mod.ts";
import { webGpuAdapter } from "../../../lib/compute/webgpu/device.ts";
import { Rng } from "../../../lib/rng.ts";

const noGpu = (await webGpuAdapter()) === null;

/** max |a − b|. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test({
  name: "SAC gradient steps on WebGPU equal the WebAssembly engine (float32 tolerance)",
  ignore: noGpu,
  fn: async () => {
    const OBS = 5, ACT = 2, B = 24;
    const spec = makeSacSpec(OBS, ACT, { netArch: [32, 32] });
    const options = { batchSize: B, adamEps: 1e-8, entCoefInit: 1 };
    const wasm = new SacEngine(spec, options);
    const gpu = await SacEngine.create(spec, {
      ...options,
      device: "webgpu",
      allowFallbackGpu: true,
    });
    try {
      assertEquals(gpu.device, "webgpu");
      const { actor, critic } = initSacParams(spec, new Rng(11));
      wasm.setParameters(actor, critic);
      gpu.setParameters(actor, critic);
      const coefs = {
        gamma: 0.99,
        learningRate: 3e-3,
        tau: 0.05,
        polyak: true,
        entCoef: "auto" as const,
        targetEntropy: -ACT,
      };
      for (let step = 0; step < 4; step++) {
        for (const e of [wasm, gpu]) {
          const r = new Rng(100 + step);
          r.fillNormal(e.batch.obs);
          r.fillNormal(e.batch.actions);
          r.fillNormal(e.batch.rewards);
          r.fillNormal(e.batch.nextObs);
          e.batch.dones.set(e.batch.rewards.map((x) => x > 1 ? 1 : 0));
          r.fillNormal(e.noise.current);
          r.fillNormal(e.noise.next);
        }
        const sw = wasm.gradientStep(coefs);
        const sg = await gpu.gradientStepAsync(coefs);
        assertAlmostEquals(
          sg.criticLoss,
          sw.criticLoss,
          1e-5 * Math.max(1, Math.abs(sw.criticLoss)),
        );
        assertAlmostEquals(sg.actorLoss, sw.actorLoss, 1e-5 * Math.max(1, Math.abs(sw.actorLoss)));
        assertAlmostEquals(sg.entCoef, sw.entCoef, 1e-6);
        assertAlmostEquals(gpu.logEntCoef, wasm.logEntCoef, 1e-6);
      }
      assertThrows(() => gpu.gradientStep(coefs), Error, "gradientStepAsync");
      await gpu.sync();
      const a = wasm.getState(), g = gpu.getState();
      let moved = 0;
      for (const k of ["thetaActor", "thetaCritic", "thetaCriticTarget"] as const) {
        const d = maxDiff(g[k], a[k]);
        if (Deno.env.get("PGSUBSPACE_VERBOSE")) console.log(`${k}: |gpu−wasm| ${d}`);
        assert(d <= 1e-6, `${k}: |gpu − wasm| = ${d}`);
      }
      moved = maxDiff(a.thetaActor, actor);
      assert(moved > 1e-3, `the actor moved only ${moved}`);
      for (const k of ["adamActor", "adamCritic"] as const) {
        assertEquals(g[k].step, a[k].step);
        assert(maxDiff(g[k].m, a[k].m) <= 1e-5 * (1 + maxAbs(a[k].m)), `${k}.m`);
        assert(maxDiff(g[k].v, a[k].v) <= 1e-5 * (1 + maxAbs(a[k].v)), `${k}.v`);
      }
    } finally {
      wasm.close();
      gpu.close();
    }
  },
});

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * The GPU agent ran on WebGPU and made the same 9 gradient steps as the WebAssembly agent, its
 * parameters within float32 tolerance (1e-6) of the other's.
 */
function assertFollowsWasm(gpu: SacAgent, wasm: SacAgent): void {
  assertEquals(gpu.engine.device, "webgpu");
  assertEquals([gpu.nUpdates, wasm.nUpdates], [9, 9]);
  for (const k of ["thetaActor", "thetaCritic", "thetaCriticTarget"] as const) {
    const d = maxDiff(gpu[k], wasm[k]);
    assert(d <= 1e-6, `${k}: |gpu − wasm| = ${d}`);
  }
}

/** A small SAC agent that trains from step 20 on, with `engine` (and gSDE when asked). */
function smallAgent(engine: "wasm" | "webgpu" | "auto", useSde = false): SacAgent {
  return new SacAgent({
    env: makeEnv("Pendulum-v1"),
    config: {
      net_arch: [16, 16],
      batch_size: 16,
      learning_starts: 20,
      learning_rate: 3e-3,
      gradientEngine: engine,
      use_sde: useSde,
      log_std_init: -1,
    },
    seed: 4,
  });
}

Deno.test({
  name: "SacAgent: training phases on WebGPU follow the WebAssembly agent (float32 tolerance)",
  ignore: noGpu,
  fn: async () => {
    const wasm = smallAgent("wasm"), gpu = smallAgent("webgpu");
    try {
      assertEquals(gpu.asyncUpdate, true);
      assertThrows(
        () => {
          while (true) gpu.step();
        },
        Error,
        "updateAsync",
      );
      const sync = smallAgent("wasm");
      while (wasm.numTimesteps < 30) {
        await wasm.stepAsync();
        sync.step();
      }
      // The asynchronous path on the WebAssembly engine is the synchronous one, bit for bit.
      assertEquals(wasm.getState().engine, sync.getState().engine);
      sync.close();
      // The refused update left the agent unchanged: step on through the asynchronous path.
      while (gpu.numTimesteps < 30) await gpu.stepAsync();
      // 9 gradient steps (acting in between with the synced θ_actor).
      assertFollowsWasm(gpu, wasm);
      assertAlmostEquals(gpu.entCoef, wasm.entCoef, 1e-6);
    } finally {
      wasm.close();
      gpu.close();
    }
  },
});

Deno.test({
  name: "SacAgent with gSDE: training phases on WebGPU follow the WebAssembly agent",
  ignore: noGpu,
  fn: async () => {
    const wasm = smallAgent("wasm", true), gpu = smallAgent("webgpu", true);
    try {
      while (wasm.numTimesteps < 30) await wasm.stepAsync();
      while (gpu.numTimesteps < 30) await gpu.stepAsync();
      assertFollowsWasm(gpu, wasm);
      // The log-std matrix trained on both devices alike.
      const off = wasm.spec.heads.logStdWeight;
      assert(maxDiff(wasm.thetaActor.subarray(off), new Float32Array(16).fill(-1)) > 1e-4);
    } finally {
      wasm.close();
      gpu.close();
    }
  },
});
