/**
 * SAC's networks and acting path: SB3's parameter counts, the actor's outputs against the float64
 * reference (latent rounded to float32 as the engine keeps it), sampling, and the action
 * rescaling between the Box and [−1, 1].
 */
import { assertAlmostEquals, assertEquals } from "@std/assert";
import {
  initSacParams,
  makeSacSpec,
  SacActorCpu,
  scaleAction,
  unscaleAction,
} from "../../../lib/agents/sac/policy.ts";
import { Rng } from "../../../lib/rng.ts";
import { mlp, squashedSample } from "../../reference/float64.ts";

Deno.test("spec: SB3 parameter counts on Pendulum (256×256: 67,330 / 134,658; 64×64: 4,546 / 9,090 as the paper)", () => {
  const big = makeSacSpec(3, 1, { netArch: [256, 256] });
  assertEquals([big.actorLayout.size, big.criticLayout.size], [67_330, 134_658]);
  const small = makeSacSpec(3, 1, { netArch: [64, 64] });
  assertEquals([small.actorLayout.size, small.criticLayout.size], [4_546, 9_090]);
});

Deno.test("acting path: μ, log σ, samples and tanh(μ) equal the float64 reference", () => {
  const spec = makeSacSpec(3, 2, { netArch: [16, 16] });
  const { actor } = initSacParams(spec, new Rng(2));
  const actorCpu = new SacActorCpu(spec);
  const obs = new Float32Array([0.2, -0.4, 1.1]);
  const latent = Float32Array.from(mlp(actor, 0, [3, 16, 16], "relu", obs, true));
  const headOffset = spec.actorLayout.size - 2 * (16 * 2 + 2);
  const mu = mlp(actor, headOffset, [16, 2], "relu", latent);
  const rho = mlp(actor, headOffset + 16 * 2 + 2, [16, 2], "relu", latent);
  const z = actorCpu.outputs(actor, obs);
  for (let d = 0; d < 2; d++) {
    assertAlmostEquals(z[d], mu[d], 1e-6);
    assertAlmostEquals(z[2 + d], rho[d], 1e-6);
  }
  const a = actorCpu.sample(actor, obs, new Rng(5), new Float32Array(2));
  const r = new Rng(5);
  const ref = squashedSample(mu, rho, [r.normal(), r.normal()]);
  for (let d = 0; d < 2; d++) assertAlmostEquals(a[d], ref.action[d], 1e-6);
  const det = actorCpu.deterministic(actor, obs, new Float32Array(2));
  for (let d = 0; d < 2; d++) assertAlmostEquals(det[d], Math.tanh(mu[d]), 1e-6);
});

Deno.test("scaleAction and unscaleAction map the Box to [−1, 1] and back", () => {
  const low = new Float32Array([-2, 0]), high = new Float32Array([2, 10]);
  const scaled = scaleAction([1, 2.5], low, high, new Float32Array(2));
  assertEquals(Array.from(scaled), [0.5, -0.5]);
  assertEquals(Array.from(unscaleAction(scaled, low, high, new Float32Array(2))), [1, 2.5]);
});
