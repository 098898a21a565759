// Every offered preset (paper-notes §7.1-7.3, both algorithms, the ppo_large and sac_small
// ablations included) is for a registered environment, resolves, builds its environment, and has
// the network sizes an MLP of its net_arch has (counted by hand below, and against the paper's
// table where the table lists the same shapes). Aliases resolve to the canonical presets; the
// paper's presets for tasks that do not exist here are kept in the files but not offered.
import { assert, assertEquals, assertThrows } from "@std/assert";
import ppoFile from "../../data/presets/ppo.json" with { type: "json" };
import sacFile from "../../data/presets/sac.json" with { type: "json" };
import {
  canonicalPresetId,
  getPreset,
  type PresetAlgorithm,
  presetIds,
  presetVariants,
  resolvePreset,
  resolveSacPreset,
} from "../../lib/agents/presets.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { makeSacSpec } from "../../lib/agents/sac/policy.ts";
import { envSpec, listEnvs, makeEnv, prepareEnv } from "../../lib/envs/mod.ts";

// Weights and biases of a dense MLP with layer sizes `sizes` (input first).
const mlp = (sizes: number[]) => sizes.slice(1).reduce((n, out, i) => n + sizes[i] * out + out, 0);

function offered(): [PresetAlgorithm, string][] {
  return (["ppo", "sac"] as const).flatMap((algo) =>
    presetIds(algo, { variants: true }).map((id) => [algo, id] as [PresetAlgorithm, string])
  );
}

const resolve = (algo: PresetAlgorithm, id: string) =>
  algo === "ppo" ? resolvePreset(id) : resolveSacPreset(id);

Deno.test("every offered preset resolves, names a registered canonical env and builds it", async () => {
  const ids = offered();
  assertEquals(ids.length, 11 + 5 + 11 + 5); // 11 tasks per algorithm, 5 ablation tasks each
  for (const [algo, id] of ids) {
    const p = resolve(algo, id);
    assertEquals([p.id, p.algo], [id, algo]);
    assert(listEnvs().includes(p.envId), `${id}: environment ${p.envId} is not registered`);
    assertEquals(envSpec(p.envId).aliasOf, undefined, `${id}: names an alias`);
    assertEquals(p.unavailable, undefined, id);
    assert(p.trainingSteps > 0 && p.note.length > 0, id);
    await prepareEnv(p.envId);
    const env = makeEnv(p.envId, { ...p.envOptions });
    const [obs, act] = [env.observationSpace.size, env.actionSpace.size];
    env.close();
    const widths = (part: "pi" | "vf" | "qf") => {
      const arch = p.config.netArch as number[] | Record<string, number[]>;
      return Array.isArray(arch) ? arch : arch[part];
    };
    if (p.algo === "ppo") {
      // gSDE replaces the log_std vector by a matrix; its presets are counted elsewhere.
      if ((p.config as unknown as Record<string, unknown>).useSde === true) continue;
      const spec = makeActorCriticSpec(obs, act, p.config);
      assertEquals(spec.actorLayout.size, mlp([obs, ...widths("pi"), act]) + act, `${id} actor`);
      assertEquals(spec.criticLayout.size, mlp([obs, ...widths("vf"), 1]), `${id} critic`);
    } else {
      const spec = makeSacSpec(obs, act, p.config);
      if ((p.config as unknown as Record<string, unknown>).useSde !== true) {
        const h = widths("pi");
        const actor = mlp([obs, ...h]) + 2 * mlp([h.at(-1)!, act]); // trunk, mean and log-std heads
        assertEquals(spec.actorLayout.size, actor, `${id} actor`);
      }
      assertEquals(
        spec.criticLayout.size,
        2 * mlp([obs + act, ...widths("qf"), 1]),
        `${id} critic`,
      );
    }
  }
});

Deno.test("ablations: ppo_large is the SAC size, sac_small the PPO size, on the paper's tasks only", () => {
  const v = presetVariants();
  assertEquals([v.ppo_large.algo, v.sac_small.algo], ["ppo", "sac"]);
  const tasks = ["Ant-v4", "Walker2d-v4", "Pendulum-v1", "dmc_Ball_in_cup-catch-v1"];
  for (const t of [...tasks, "dmc_Finger-spin-v1"]) {
    assert(v.ppo_large.tasks.includes(t) && v.sac_small.tasks.includes(t), t);
  }
  // PPO on Walker2d-v4 (17 → 6) at 256×256 has the shapes of the paper's HalfCheetah PPO networks
  // (§7.2 table: 71,948 / 70,657); everything else is the Walker2d preset.
  const large = resolvePreset("ppo_large/Walker2d-v4");
  const spec = makeActorCriticSpec(17, 6, large.config);
  assertEquals([spec.actorLayout.size, spec.criticLayout.size], [71948, 70657]);
  assertEquals(large.config, { ...resolvePreset("ppo/Walker2d-v4").config, netArch: [256, 256] });
  assertEquals(large.config.activation, "tanh");
  assertEquals(resolveSacPreset("sac_small/Walker2d-v4").config.netArch, [64, 64]);
  const err = assertThrows(() => resolvePreset("ppo_large/Hopper-v4"), Error);
  assert(err.message.includes("Walker2d-v4") && err.message.includes('"ppo/Hopper-v4"'));
  assert(err.message.includes("net_arch=[256,256]"), err.message);
  assertThrows(() => resolveSacPreset("ppo_large/Walker2d-v4"), Error, "SAC preset ids");
  assertThrows(() => resolvePreset("sac_small/Walker2d-v4"), Error, "only PPO presets");
});

Deno.test("environment aliases resolve to the presets of their canonical id", () => {
  const aliases = listEnvs().filter((id) => envSpec(id).aliasOf !== undefined);
  assertEquals(aliases.sort(), [
    "LunarLanderContinuous-v2",
    "dmc/ball_in_cup-catch",
    "dmc/finger-spin",
  ]);
  for (const alias of aliases) {
    const canonical = envSpec(alias).aliasOf!;
    for (const prefix of ["ppo", "sac", "ppo_large", "sac_small"]) {
      const id = `${prefix}/${canonical}`;
      const algo = prefix.startsWith("ppo") ? "ppo" : "sac";
      if (!presetIds(algo, { variants: true }).includes(id)) continue;
      const viaAlias = resolve(algo, `${prefix}/${alias}`);
      assertEquals(viaAlias, resolve(algo, id), `${prefix}/${alias}`);
      assertEquals(canonicalPresetId(`${prefix}/${alias}`), id);
    }
  }
  assertEquals(resolvePreset("ppo/dmc/finger-spin").id, "ppo/dmc_Finger-spin-v1");
  assertEquals(resolveSacPreset("sac_small/dmc/finger-spin").id, "sac_small/dmc_Finger-spin-v1");
  assertEquals(getPreset("sac/LunarLanderContinuous-v2").envId, "LunarLanderContinuous-v3");
});

Deno.test("presets of tasks that do not exist (FetchReach-v1) are kept but not offered", () => {
  const unavailable = [ppoFile, sacFile].flatMap((file) =>
    Object.entries(file as Record<string, { envId?: string; unavailable?: string }>)
      .filter(([, e]) => typeof e.unavailable === "string")
  );
  assertEquals(unavailable.map(([id]) => id), ["ppo/FetchReach-v1", "sac/FetchReach-v1"]);
  for (const [id, e] of unavailable) {
    // When the task is implemented, this fails: drop "unavailable" from the entry.
    assert(!listEnvs().includes(e.envId!), `${e.envId} exists now: offer ${id}`);
    assert(!offered().some(([, o]) => o === id), id);
    const err = assertThrows(() => getPreset(id), Error);
    assert(err.message.includes("not implemented"), err.message);
    assert(err.message.includes(`${id.split("/")[0]}/Walker2d-v4`), err.message); // names valid ids
  }
  assertThrows(() => resolveSacPreset("sac/FetchReach-v1"), Error, "available SAC presets");
});

Deno.test("LunarLanderContinuous and BipedalWalker: rl-zoo's parallel PPO rollouts, SAC 400×300", () => {
  const lunar = resolvePreset("ppo/LunarLanderContinuous-v3").config;
  assertEquals(
    [lunar.nEnvs, lunar.nSteps, lunar.batchSize, lunar.nEpochs, lunar.gamma, lunar.gaeLambda],
    [16, 1024, 64, 4, 0.999, 0.98],
  );
  assertEquals([lunar.entCoef, lunar.normalize, lunar.netArch], [0.01, false, [64, 64]]);
  const biped = resolvePreset("ppo/BipedalWalker-v3").config;
  assertEquals([biped.nEnvs, biped.nSteps, biped.clipRange, biped.normalize], [
    32,
    2048,
    0.18,
    true,
  ]);
  const sacLunar = resolveSacPreset("sac/LunarLanderContinuous-v3").config;
  assertEquals(
    [sacLunar.learningRate, sacLunar.learningStarts, sacLunar.tau, sacLunar.netArch],
    [1e-4, 10_000, 0.01, [400, 300]],
  );
  assertEquals(resolveSacPreset("sac/BipedalWalker-v3").config.netArch, [400, 300]);
});
