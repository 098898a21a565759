/**
 * PPO's actor-critic geometry and acting path: SB3's parameter blocks and counts, the acting
 * outputs against the float64 reference MLP, sampling and SB3's orthogonal initialisation.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  ActorCriticCpu,
  initActorCritic,
  makeActorCriticSpec,
} from "../../../lib/agents/ppo/policy.ts";
import { Rng } from "../../../lib/rng.ts";
import { gaussianLogProb, gsdeLogProbRef, mlp } from "../../reference/float64.ts";

Deno.test("spec: SB3 block order and the paper's parameter counts (Pendulum 64×64 tanh)", () => {
  const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
  assertEquals(spec.actorLayout.size, 4_482); // plain Gaussian: 4,481 + 1 log_std
  assertEquals(spec.criticLayout.size, 4_481);
  assertEquals(spec.logStdOffset, spec.actorLayout.size - 1);
  // gSDE (paper-notes §7.2: 4,545): the 64×1 log_std matrix replaces the one log_std.
  const sde = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh", useSde: true });
  assertEquals(sde.actorLayout.size, 4_545);
  assertEquals(sde.actorLayout.block("log_std").shape, [64, 1]);
  assertEquals(sde.logStdOffset, 4_481);
  const shared = makeActorCriticSpec(3, 2, {
    netArch: [64, 32],
    activation: "tanh",
    useSde: true,
    fullStd: false,
  });
  assertEquals(shared.actorLayout.block("log_std").shape, [32, 1]);
  const separate = makeActorCriticSpec(17, 6, {
    netArch: { pi: [256, 256], vf: [64] },
    activation: "relu",
  });
  assertEquals(separate.pi.hidden, [256, 256]);
  assertEquals(separate.vf.hidden, [64]);
});

Deno.test("acting path: mean, value and sampled log-probability equal the float64 reference", () => {
  const spec = makeActorCriticSpec(3, 2, { netArch: [8, 8], activation: "tanh" });
  const { actor, critic } = initActorCritic(
    spec,
    { orthoInit: true, logStdInit: -0.5 },
    new Rng(1),
  );
  const ac = new ActorCriticCpu(spec);
  const obs = new Float32Array([0.3, -1.2, 0.7]);
  const mean = mlp(actor, 0, [3, 8, 8, 2], "tanh", obs);
  const mu = ac.actionMean(actor, obs);
  for (let d = 0; d < 2; d++) assertAlmostEquals(mu[d], mean[d], 1e-6);
  assertAlmostEquals(ac.value(critic, obs), mlp(critic, 0, [3, 8, 8, 1], "tanh", obs)[0], 1e-6);
  const a = new Float32Array(2);
  const lp = ac.sample(actor, obs, new Rng(4), a);
  const logStd = Array.from(actor.subarray(spec.logStdOffset));
  assertEquals(logStd, [-0.5, -0.5]);
  assertAlmostEquals(lp, gaussianLogProb(mean, logStd, a), 1e-5);
  // Sampling draws one normal per dimension from the given generator.
  const r1 = new Rng(4), r2 = new Rng(4);
  ac.sample(actor, obs, r1, a);
  const eps = [r2.normal(), r2.normal()];
  for (let d = 0; d < 2; d++) assertAlmostEquals(a[d], mean[d] + Math.exp(-0.5) * eps[d], 1e-5);
});

Deno.test("gSDE acting path: a = μ + hᵀE with the noise matrix of its environment, SB3's log π", () => {
  const spec = makeActorCriticSpec(3, 2, { netArch: [8, 6], activation: "tanh", useSde: true });
  const { actor } = initActorCritic(spec, { orthoInit: true, logStdInit: -1 }, new Rng(2));
  const L = Array.from(actor.subarray(spec.logStdOffset));
  assertEquals(L.length, 12);
  assert(L.every((x) => x === -1)); // log_std_init fills the matrix
  const ac = new ActorCriticCpu(spec);
  const obs = new Float32Array([0.3, -1.2, 0.7]);
  assertThrows(() => ac.sample(actor, obs, new Rng(0), new Float32Array(2)), Error, "resetNoise");
  ac.resetNoise(actor, new Rng(5), 2);
  // Noise of environment e: entries e·12 … e·12 + 11 of the generator's normals, times σ = e^{-1}.
  const xi = new Rng(5).fillNormal(new Float64Array(24));
  const h = mlp(actor, 0, [3, 8, 6], "tanh", obs, true);
  const mean = mlp(actor, 0, [3, 8, 6, 2], "tanh", obs);
  for (const env of [0, 1]) {
    const a = new Float32Array(2);
    const lp = ac.sample(actor, obs, new Rng(0), a, env);
    for (let d = 0; d < 2; d++) {
      let e = 0;
      for (let j = 0; j < 6; j++) e += h[j] * Math.exp(-1) * xi[env * 12 + j * 2 + d];
      assertAlmostEquals(a[d], mean[d] + e, 1e-5);
    }
    const want = gsdeLogProbRef(mean, h, L, a, { fullStd: true, useExpln: false });
    assertAlmostEquals(lp, want, 1e-4);
  }
  // The same matrix gives the same action until the next reset; the state round-trips.
  const a1 = new Float32Array(2), a2 = new Float32Array(2);
  ac.sample(actor, obs, new Rng(0), a1);
  const saved = ac.noise;
  ac.sample(actor, obs, new Rng(1), a2);
  assertEquals(a1, a2);
  ac.resetNoise(actor, new Rng(6), 2);
  ac.sample(actor, obs, new Rng(0), a2);
  assert(a1[0] !== a2[0]);
  ac.noise = saved;
  ac.sample(actor, obs, new Rng(0), a2);
  assertEquals(a1, a2);
});

Deno.test("orthogonal init: hidden gain √2, action head 0.01, value head 1, zero biases", () => {
  const spec = makeActorCriticSpec(4, 2, { netArch: [16], activation: "tanh" });
  const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(7));
  const block = (t: Float32Array, name: string) => {
    const b = (name.startsWith("vf") ? spec.criticLayout : spec.actorLayout).block(name);
    return t.subarray(b.offset, b.offset + b.size);
  };
  const frob = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  // An orthogonal (in × out) matrix with gain g has ‖W‖_F² = g²·min(in, out).
  assertAlmostEquals(frob(block(actor, "pi.0.weight")) ** 2, 2 * 4, 1e-4);
  assertAlmostEquals(frob(block(actor, "pi.1.weight")) ** 2, 1e-4 * 2, 1e-8);
  assertAlmostEquals(frob(block(critic, "vf.1.weight")) ** 2, 1, 1e-5);
  assert(block(actor, "pi.0.bias").every((x) => x === 0));
});
