/**
 * PPO's rollout collection for the analysis (collectRollout): the same transitions as the
 * training agent's collection, whole episodes from reset, a frozen VecNormalize, and several
 * environments in SB3's flattened layout.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { makeEnv } from "../../../lib/envs/mod.ts";
import { PpoAgent } from "../../../lib/agents/ppo/ppo.ts";
import { collectRollout } from "../../../lib/agents/ppo/rollout.ts";
import { Rng } from "../../../lib/rng.ts";

Deno.test("collectRollout reproduces the training agent's first rollout bit for bit", () => {
  for (const sde of [{}, { use_sde: true, sde_sample_freq: 7 }]) {
    const config = { n_steps: 300, batch_size: 100, net_arch: [8], ...sde };
    const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config, seed: 3 });
    const thetaActor = agent.thetaActor.slice(), thetaCritic = agent.thetaCritic.slice();
    while (!agent.updatePending) agent.step();
    const r = collectRollout({
      spec: agent.spec,
      thetaActor,
      thetaCritic,
      env: makeEnv("Pendulum-v1"),
      vecNormalize: null,
      samples: 300,
      gamma: agent.config.gamma,
      gaeLambda: agent.config.gaeLambda,
      envSeed: 3,
      rng: new Rng(3, 2), // the agent's action stream
      sdeSampleFreq: agent.config.sdeSampleFreq,
    });
    const b = agent.rolloutBuffer;
    for (
      const k of ["observations", "actions", "rewards", "values", "logProbs", "advantages"] as const
    ) {
      assertEquals(r[k], b[k], k);
    }
    assertEquals(r.episodeReturns, agent.rolloutEpisodes.map((e) => e.return));
  }
});

Deno.test("collectRollout: a frozen VecNormalize normalises and clips, and stays frozen", () => {
  const agent = new PpoAgent({
    env: makeEnv("Pendulum-v1"),
    config: { net_arch: [8], normalize: true },
    seed: 1,
  });
  for (let t = 0; t < 50; t++) agent.step();
  const vn = agent.vecNormalize!.getState();
  const r = collectRollout({
    spec: agent.spec,
    thetaActor: agent.thetaActor,
    thetaCritic: agent.thetaCritic,
    env: makeEnv("Pendulum-v1"),
    vecNormalize: vn,
    samples: 64,
    gamma: 0.99,
    gaeLambda: 0.95,
    envSeed: 9,
    rng: new Rng(2),
  });
  assert(r.observations.every((x) => Math.abs(x) <= 10));
  assertEquals(agent.vecNormalize!.getState(), vn);
});

Deno.test("collectRollout with several environments: rows per environment, whole episodes", () => {
  const agent = new PpoAgent({ env: makeEnv("Pendulum-v1"), config: { net_arch: [8] }, seed: 0 });
  const envs = [0, 1, 2].map(() => makeEnv("Pendulum-v1", { maxEpisodeSteps: 10 }));
  const r = collectRollout({
    spec: agent.spec,
    thetaActor: agent.thetaActor,
    thetaCritic: agent.thetaCritic,
    env: envs,
    vecNormalize: null,
    samples: 3 * 25,
    gamma: 0.99,
    gaeLambda: 0.95,
    envSeed: 5,
    rng: new Rng(1),
  });
  // Each environment's 25 steps are contiguous, starting with a reset every 10 steps.
  for (let e = 0; e < 3; e++) {
    for (let t = 0; t < 25; t++) assertEquals(r.episodeStarts[e * 25 + t], t % 10 === 0 ? 1 : 0);
  }
  assertEquals(r.episodeReturns.length, 3 * 2);
  assertThrows(
    () =>
      collectRollout({
        ...r,
        spec: agent.spec,
        thetaActor: agent.thetaActor,
        thetaCritic: agent.thetaCritic,
        env: envs,
        vecNormalize: null,
        samples: 10,
        gamma: 0.99,
        gaeLambda: 0.95,
        envSeed: 0,
        rng: new Rng(0),
      }),
    RangeError,
    "multiple of the 3 environments",
  );
});
