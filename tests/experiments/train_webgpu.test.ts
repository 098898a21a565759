/**
 * The training loop with a GPU gradient engine (whatever WebGPU adapter this machine has: the
 * software adapter llvmpipe here): the loop awaits the asynchronous updates, the run completes,
 * and its first update's losses equal the CPU run's to float32 tolerance; `"auto"` without a
 * real GPU writes the default engine's metrics byte for byte. GPU runs are skipped (ignored)
 * where WebGPU has no adapter.
 */
import { assert, assertEquals } from "@std/assert";
import { trainRun } from "../../lib/experiments/train.ts";
import { hasRealGpu, webGpuAdapter } from "../../lib/compute/webgpu/device.ts";
import { SAC_SMALL, SMALL } from "./_runs.ts";

const noGpu = (await webGpuAdapter()) === null;
const PPO = {
  ...SMALL,
  totalSteps: 1_024,
  evalFreq: 0,
  checkpointEvery: 0,
  overrides: { ...SMALL.overrides, n_epochs: 1 },
};

async function trainRows(engine: string, options = PPO) {
  const dir = await Deno.makeTempDir();
  try {
    const result = await trainRun({
      ...options,
      outDir: dir,
      overrides: { ...options.overrides, gradientEngine: engine },
    });
    assert(result.completed, engine);
    const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
    return { text, rows: text.trim().split("\n").map((l) => JSON.parse(l)) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "trainRun: PPO with gradientEngine webgpu awaits its updates and follows the CPU run",
  ignore: noGpu,
  fn: async () => {
    const cpu = (await trainRows("cpu")).rows.filter((r) => r.event === "train");
    const gpu = (await trainRows("webgpu")).rows.filter((r) => r.event === "train");
    assertEquals(gpu.map((r) => r.step), [512, 1024]);
    assertEquals(gpu.map((r) => r.step), cpu.map((r) => r.step));
    for (const k of ["train/value_loss", "train/policy_gradient_loss", "train/entropy_loss"]) {
      const a = gpu[0][k], b = cpu[0][k];
      assert(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${k}: ${a} vs ${b}`);
    }
  },
});

Deno.test({
  name: "trainRun: SAC with gradientEngine webgpu completes through the asynchronous path",
  ignore: noGpu,
  fn: async () => {
    const { rows } = await trainRows(
      "webgpu",
      {
        ...SAC_SMALL,
        totalSteps: 210,
        evalFreq: 0,
        checkpointEvery: 0,
      } as unknown as typeof PPO,
    );
    const train = rows.filter((r) => r.event === "train" && "train/critic_loss" in r);
    assert(train.length > 0 && train.every((r) => Number.isFinite(r["train/critic_loss"])));
  },
});

Deno.test({
  name: "trainRun: gradientEngine auto without a real GPU writes the CPU run's metrics exactly",
  ignore: await hasRealGpu(),
  fn: async () => {
    assertEquals((await trainRows("auto")).text, (await trainRows("cpu")).text);
  },
});
