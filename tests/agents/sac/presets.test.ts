// SAC presets (data/presets/sac.json): every task of the paper's SAC table resolves, the
// networks have the paper's parameter counts (§7.2), the 64×64 "SAC (PPO network size)"
// variant, task-specific values (§7.3) and overrides.
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  presetIds,
  presetVariants,
  resolvePreset,
  resolveSacPreset,
} from "../../../lib/agents/presets.ts";
import { makeSacSpec } from "../../../lib/agents/sac/policy.ts";
import { SAC_SCHEMA } from "../../../lib/agents/sac/config.ts";

const SAC_DEFAULTS = SAC_SCHEMA.defaults;

// Paper-notes §7.2 table (SAC columns): observation/action sizes and N of actor and critic.
// BipedalWalker's actor uses gSDE (132,704: the 300×4 log-std matrix instead of a 300→4 layer).
const PAPER: Record<string, { obs: number; act: number; actor: number; critic: number }> = {
  "Pendulum-v1": { obs: 3, act: 1, actor: 67330, critic: 134658 },
  "Ant-v4": { obs: 111, act: 8, actor: 98576, critic: 193538 },
  "HalfCheetah-v4": { obs: 17, act: 6, actor: 73484, critic: 144386 },
  "Hopper-v4": { obs: 11, act: 3, actor: 70406, critic: 139778 },
  "Walker2d-v4": { obs: 17, act: 6, actor: 73484, critic: 144386 },
  "Swimmer-v4": { obs: 8, act: 2, actor: 69124, critic: 137730 },
  "Reacher-v4": { obs: 11, act: 2, actor: 69892, critic: 139266 },
  "LunarLanderContinuous-v2": { obs: 8, act: 2, actor: 125104, critic: 250002 },
  "BipedalWalker-v3": { obs: 24, act: 4, actor: 132704, critic: 264402 },
  "FetchReach-v1": { obs: 16, act: 4, actor: 19720, critic: 38658 },
  "dmc_Finger-spin-v1": { obs: 9, act: 2, actor: 69380, critic: 138242 },
  "dmc_Ball_in_cup-catch-v1": { obs: 8, act: 2, actor: 69124, critic: 137730 },
};

Deno.test("every task of the paper's SAC table has a preset with the paper's network sizes", () => {
  // The paper's tasks that exist here (not FetchReach-v1); LunarLanderContinuous-v2 is v3.
  const tasks = Object.keys(PAPER).filter((e) => e !== "FetchReach-v1");
  const canonical = (e: string) =>
    e.replace("LunarLanderContinuous-v2", "LunarLanderContinuous-v3");
  assertEquals(presetIds("sac").sort(), tasks.map((e) => `sac/${canonical(e)}`).sort());
  assert(!presetIds().includes("sac/Pendulum-v1") && presetIds().includes("ppo/Pendulum-v1"));
  for (const env of tasks) {
    const s = PAPER[env];
    const p = resolveSacPreset(`sac/${env}`);
    assertEquals([p.id, p.algo, p.envId], [`sac/${canonical(env)}`, "sac", canonical(env)]);
    assert(p.trainingSteps > 0 && p.note.length > 0, env);
    const spec = makeSacSpec(s.obs, s.act, p.config);
    assertEquals(spec.actorLayout.size, s.actor, `${env} actor`);
    assertEquals(spec.criticLayout.size, s.critic, `${env} critic`);
  }
  assert(resolveSacPreset("sac/BipedalWalker-v3").note.includes("gSDE"));
});

Deno.test("Pendulum and task-specific values (§7.3)", () => {
  const p = resolveSacPreset("sac/Pendulum-v1");
  assertEquals(p.config, { ...SAC_DEFAULTS, learningRate: 1e-3, netArch: [256, 256] });
  assertEquals([p.trainingSteps, p.analysisHorizon], [500_000, 300_000]);
  const mujoco = resolveSacPreset("sac/Walker2d-v4").config;
  assertEquals([mujoco.learningRate, mujoco.learningStarts], [3e-4, 10_000]);
  const biped = resolveSacPreset("sac/BipedalWalker-v3").config;
  assertEquals(
    [biped.bufferSize, biped.tau, biped.gamma, biped.trainFreq, biped.gradientSteps],
    [300_000, 0.02, 0.98, 64, 64],
  );
  assertEquals([biped.useSde, biped.logStdInit, biped.sdeSampleFreq], [true, -3, -1]);
  assertThrows(() => resolveSacPreset("sac/FetchReach-v1"), Error, "is not offered");
  assertEquals(resolveSacPreset("sac/Swimmer-v4").config.gamma, 0.9999);
  assertEquals(resolveSacPreset("sac/dmc_Finger-spin-v1").config, {
    ...SAC_DEFAULTS,
    netArch: [256, 256],
  });
});

Deno.test("sac_small variant: the paper's 64×64 ablation (Pendulum 4,546 / 9,090 parameters)", () => {
  const v = presetVariants().sac_small;
  assert(v.tasks.includes("Walker2d-v4") && v.tasks.includes("Pendulum-v1"));
  const p = resolveSacPreset("sac_small/Pendulum-v1");
  assertEquals([p.id, p.algo], ["sac_small/Pendulum-v1", "sac"]);
  assertEquals(p.config.netArch, [64, 64]);
  assertEquals(p.config.learningRate, 1e-3); // the base preset's other values are kept
  const spec = makeSacSpec(3, 1, p.config);
  assertEquals([spec.actorLayout.size, spec.criticLayout.size], [4546, 9090]);
  // The same through an override of the base preset.
  assertEquals(resolveSacPreset("sac/Pendulum-v1", { net_arch: [64, 64] }).config, p.config);
});

Deno.test("overrides win; bad ids and values give clear errors", () => {
  assertEquals(resolveSacPreset("sac/Pendulum-v1", { batch_size: 64 }).config.batchSize, 64);
  assertEquals(resolveSacPreset("sac/Pendulum-v1", { tau: 0.01 }).config.tau, 0.01);
  assertThrows(() => resolveSacPreset("sac/Pendulum-v0"), Error, "sac/Pendulum-v1");
  assertThrows(() => resolveSacPreset("td3/Pendulum-v1"), Error, "sac_small/<env id>");
  assertThrows(() => resolveSacPreset("ppo/Pendulum-v1"), Error, "SAC preset ids");
  assertThrows(() => resolvePreset("sac/Pendulum-v1"), Error, "use resolveSacPreset");
  assertThrows(
    () => resolveSacPreset("sac/Pendulum-v1", { gamma: 2 }),
    Error,
    'Preset "sac/Pendulum-v1": SAC config: gamma = 2',
  );
});
