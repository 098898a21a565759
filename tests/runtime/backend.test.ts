import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { BACKEND_ENV_VAR, initRuntime, parseBackendChoice } from "../../lib/runtime/mod.ts";

async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const old = Deno.env.get(BACKEND_ENV_VAR);
  if (value === undefined) Deno.env.delete(BACKEND_ENV_VAR);
  else Deno.env.set(BACKEND_ENV_VAR, value);
  try {
    return await fn();
  } finally {
    if (old === undefined) Deno.env.delete(BACKEND_ENV_VAR);
    else Deno.env.set(BACKEND_ENV_VAR, old);
  }
}

Deno.test("explicit cpu and wasm backends initialise and are active", async () => {
  await withEnv(undefined, async () => {
    for (const name of ["cpu", "wasm"] as const) {
      const info = await initRuntime({ backend: name });
      assertEquals(info.backend, name);
      assertEquals(info.source, "option");
      assertEquals(tf.getBackend(), name);
      const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
      assertEquals((await sum.data())[0], 6);
      sum.dispose();
    }
  });
});

Deno.test("PGSUBSPACE_BACKEND selects the backend unless an explicit option is given", async () => {
  await withEnv("cpu", async () => {
    const fromEnv = await initRuntime();
    assertEquals(fromEnv.backend, "cpu");
    assertEquals(fromEnv.source, "environment");
    const fromOption = await initRuntime({ backend: "wasm" });
    assertEquals(fromOption.backend, "wasm");
    assertEquals(fromOption.source, "option");
  });
  await withEnv("tpu", async () => {
    const err = await assertRejects(() => initRuntime());
    assert(String(err).includes("auto, webgpu, wasm, cpu"), String(err));
  });
});

Deno.test("auto picks WebGPU only for a real (non-fallback) adapter", async () => {
  await withEnv(undefined, async () => {
    const info = await initRuntime({ backend: "auto" });
    const realGpu = info.adapter !== null && !info.adapter.isFallbackAdapter;
    assertEquals(info.backend === "webgpu", realGpu, info.summary);
    if (!realGpu) assertEquals(info.backend, "wasm", info.summary);
    assert(info.summary.startsWith(info.backend), info.summary);
  });
});

const adapterHere = (await initRuntime({ backend: "cpu" })).adapter !== null;

Deno.test({
  name: "an explicit webgpu request without any adapter is a clear error",
  ignore: adapterHere, // an adapter exists on this machine: nothing to check
  fn: async () => {
    const err = await assertRejects(() => initRuntime({ backend: "webgpu" }));
    assert(String(err).includes("no WebGPU adapter"), String(err));
  },
});

Deno.test("parseBackendChoice accepts names case-insensitively and lists the valid ones", () => {
  assertEquals(parseBackendChoice(" WASM "), "wasm");
  assertEquals(parseBackendChoice("auto"), "auto");
  assertThrows(() => parseBackendChoice("gpu"), Error, "expected one of auto, webgpu, wasm, cpu");
});

Deno.test("the tfjs 'running in Node.js' banner is silenced on the cpu backend", async () => {
  const script = `
    import * as tf from "@tensorflow/tfjs";
    import { initRuntime } from "${new URL("../../lib/runtime/mod.ts", import.meta.url).href}";
    await initRuntime({ backend: "cpu" });
    const t = tf.tensor1d([1, 2, 3]);
    console.log("sum", (await t.sum().data())[0]);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    env: { [BACKEND_ENV_VAR]: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert(out.success, text);
  assert(text.includes("sum 6"), text);
  assert(!text.includes("running TensorFlow.js in Node.js"), text);
});
