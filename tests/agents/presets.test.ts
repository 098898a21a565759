import { assert, assertEquals, assertThrows } from "@std/assert";
import { getPreset, presetIds, resolvePreset } from "../../lib/agents/presets.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { listEnvs, makeEnv, prepareEnv } from "../../lib/envs/mod.ts";

// Paper-notes §7.2 table: observation/action sizes and the PPO parameter counts N of the
// paper's networks (independent of our code). Pendulum's actor has gSDE's 64×1 log_std matrix.
const PAPER_SIZES: Record<string, { obs: number; act: number; actor: number; critic: number }> = {
  "ppo/Pendulum-v1": { obs: 3, act: 1, actor: 4545, critic: 4481 },
  "ppo/Ant-v4": { obs: 111, act: 8, actor: 11856, critic: 11393 },
  "ppo/HalfCheetah-v4": { obs: 17, act: 6, actor: 71948, critic: 70657 },
  "ppo/Hopper-v4": { obs: 11, act: 3, actor: 69638, critic: 69121 },
  "ppo/Walker2d-v4": { obs: 17, act: 6, actor: 5708, critic: 5377 },
  "ppo/Swimmer-v4": { obs: 8, act: 2, actor: 4868, critic: 4801 },
  "ppo/Reacher-v4": { obs: 11, act: 2, actor: 5060, critic: 4993 },
  "ppo/LunarLanderContinuous-v2": { obs: 8, act: 2, actor: 4868, critic: 4801 },
  "ppo/BipedalWalker-v3": { obs: 24, act: 4, actor: 6024, critic: 5825 },
  "ppo/FetchReach-v1": { obs: 16, act: 4, actor: 19208, critic: 18817 },
  "ppo/dmc_Finger-spin-v1": { obs: 9, act: 2, actor: 4932, critic: 4865 },
  "ppo/dmc_Ball_in_cup-catch-v1": { obs: 8, act: 2, actor: 4868, critic: 4801 },
};

Deno.test("every task of the paper's PPO table has a preset that resolves", () => {
  // The paper's tasks that exist here (not FetchReach-v1); LunarLanderContinuous-v2 is v3.
  const offered = Object.keys(PAPER_SIZES).filter((id) => id !== "ppo/FetchReach-v1")
    .map((id) => id.replace("LunarLanderContinuous-v2", "LunarLanderContinuous-v3"));
  assertEquals(presetIds().sort(), offered.sort());
  for (const id of presetIds()) {
    const p = resolvePreset(id);
    assertEquals(p.id, id);
    assertEquals(`ppo/${p.envId}`, id);
    assert(p.trainingSteps > 0, id);
    assert(p.note.length > 0, id);
  }
});

Deno.test("preset networks have the paper's parameter counts (§7.2)", () => {
  for (const [id, s] of Object.entries(PAPER_SIZES)) {
    if (id === "ppo/FetchReach-v1") continue; // not offered: the task does not exist here
    const { config } = resolvePreset(id);
    const spec = makeActorCriticSpec(s.obs, s.act, config);
    assertEquals(spec.actorLayout.size, s.actor, `${id} actor`);
    assertEquals(spec.criticLayout.size, s.critic, `${id} critic`);
  }
});

Deno.test("Pendulum preset: paper hyperparameters with gSDE, training steps", () => {
  const p = resolvePreset("ppo/Pendulum-v1");
  assertEquals(p.config.learningRate, 3e-3);
  assertEquals(p.config.nSteps, 4096);
  assertEquals(p.config.gamma, 0.9);
  assertEquals(p.config.normalize, false);
  assertEquals(p.trainingSteps, 1_000_000);
  assertEquals(p.analysisHorizon, 300_000);
  assertEquals([p.config.useSde, p.config.sdeSampleFreq], [true, 4]);
  assertEquals([p.config.fullStd, p.config.useExpln, p.config.logStdInit], [true, false, 0]);
  assert(p.note.includes("gSDE"));
});

Deno.test("rl-zoo presets map policy_kwargs (HalfCheetah: ReLU, no ortho init, log_std -2)", () => {
  const c = resolvePreset("ppo/HalfCheetah-v4").config;
  assertEquals(c.activation, "relu");
  assertEquals(c.orthoInit, false);
  assertEquals(c.logStdInit, -2);
  assertEquals(c.normalize, true);
  assertEquals(c.nEpochs, 20);
});

Deno.test("overrides win over preset values, in camel or snake case", () => {
  assertEquals(resolvePreset("ppo/Pendulum-v1", { learningRate: 1e-3 }).config.learningRate, 1e-3);
  assertEquals(resolvePreset("ppo/Pendulum-v1", { n_steps: 256 }).config.nSteps, 256);
  // The stored preset is not modified by resolving.
  assertEquals(getPreset("ppo/Pendulum-v1").hyperparameters.learning_rate, 0.003);
});

Deno.test("bad preset ids and bad overrides give clear errors", () => {
  assertThrows(() => resolvePreset("ppo/Pendulum-v0"), Error, "ppo/Pendulum-v1");
  assertThrows(() => resolvePreset("sac/Pendulum-v1"), Error, "only PPO presets");
  assertThrows(
    () => resolvePreset("ppo/Pendulum-v1", { batch_size: 8192 }),
    Error,
    'Preset "ppo/Pendulum-v1": PPO config: batchSize = 8192',
  );
});

Deno.test("presets of registered envs make envs with the paper's sizes (Ant-v4's envOptions: 111)", async () => {
  for (const [id, s] of Object.entries(PAPER_SIZES)) {
    if (id === "ppo/FetchReach-v1") continue; // not offered: the task does not exist here
    const p = getPreset(id);
    assert(listEnvs().includes(p.envId), `${id}: ${p.envId} is not registered`);
    await prepareEnv(p.envId);
    const env = makeEnv(p.envId, { ...p.envOptions });
    assertEquals([env.observationSpace.size, env.actionSpace.size], [s.obs, s.act], id);
    env.close();
  }
  assertEquals(getPreset("ppo/Ant-v4").envOptions, { use_contact_forces: true });
  const err = assertThrows(() => getPreset("ppo/Walker2d-v3"), Error);
  assert(err.message.includes(`use "ppo/Walker2d-v4"`), err.message);
});
