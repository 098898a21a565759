/**
 * The analysis' Hessian operator interface: engine choice, counters, the operator adapters and
 * the pointer to the tfjs reference for a "tfjs" request.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { makeActorCriticSpec } from "../../lib/agents/mod.ts";
import { HVP_ENGINES, type HvpEngine, makeHessianOperator } from "../../lib/subspaces/hvp.ts";
import { hasRealGpu, webGpuAdapter } from "../../lib/compute/webgpu/device.ts";
import { ppoLoss } from "../../lib/subspaces/ppo_estimators.ts";
import { gaussianProblem, ppoCriticReference, rolloutOf } from "./_reference.ts";
import { fdHvp, relativeError, unitVector } from "../reference/float64.ts";

const p = gaussianProblem(3, 1, [8], "tanh", 40, 2);
const spec = makeActorCriticSpec(3, 1, { netArch: [8], activation: "tanh" });
const loss = () => ppoLoss("critic", spec, p.critic, rolloutOf(p), 0.5);

const noGpu = (await webGpuAdapter()) === null;

/** One engine's products, counters and value against the float64 reference. */
async function checkEngine(engine: HvpEngine) {
  const v = unitVector(p.critic.length, 3);
  const ref = fdHvp(ppoCriticReference(p, 0.5), p.critic, v);
  const op = makeHessianOperator(loss(), { engine });
  assertEquals(op.engine, engine === "auto" ? "fast" : engine);
  assertEquals(op.n, p.critic.length);
  assertEquals(op.samples, 40);
  const hv = await op.hvp(v);
  assert(relativeError(hv, ref) < (engine === "cpu" ? 1e-6 : 1e-4), engine);
  if (engine === "auto") {
    // auto takes the GPU only on a real (non-fallback) adapter.
    const device = (op as unknown as { device: string }).device;
    assertEquals(device, (await hasRealGpu()) ? "webgpu" : "wasm");
  }
  // The adapters and the block form give the same products; counters count products.
  const [b0, b1] = await op.asBlockOperator()([Float64Array.from(v), Float64Array.from(v)]);
  const single = await op.asOperator()(Float64Array.from(v));
  for (let i = 0; i < v.length; i++) {
    assertAlmostEquals(b0[i], hv[i], 1e-6);
    assertAlmostEquals(b1[i], single[i], 1e-6);
  }
  assertEquals(op.hvpCount, 4);
  const { value } = await op.valueAndGradient();
  assertAlmostEquals(value, ppoCriticReference(p, 0.5)(Float64Array.from(p.critic)), 1e-5);
  assertEquals(op.gradientCount, 1);
  op.dispose();
}

Deno.test("engines: auto and fast are float32 WebAssembly here, cpu float64; tfjs points to the tests", async () => {
  assertEquals([...HVP_ENGINES], ["auto", "fast", "cpu", "webgpu"]);
  for (const engine of ["auto", "fast", "cpu"] as const) await checkEngine(engine);
  assertThrows(
    () => makeHessianOperator(loss(), { engine: "tfjs" as never }),
    RangeError,
    "tests/reference",
  );
});

Deno.test({
  name: "engine webgpu: the same products on the WebGPU adapter (software here)",
  ignore: noGpu,
  fn: () => checkEngine("webgpu"),
});
