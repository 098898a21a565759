/** What PPO and SAC share as agents: option checks, progress_remaining, saved-config checks. */
import { assertEquals, assertThrows } from "@std/assert";
import { makeEnv, MountainCarContinuousEnv } from "../../../lib/envs/mod.ts";
import {
  checkAgentOptions,
  checkSavedConfig,
  progressRemaining,
} from "../../../lib/agents/common/agent.ts";

Deno.test("checkAgentOptions: seed, T, linear schedules, one environment per n_envs", () => {
  const env = makeEnv("Pendulum-v1");
  assertEquals(checkAgentOptions("X", { env, seed: 0 }, {}).envs.length, 1);
  const two = checkAgentOptions("X", {
    env: [env, makeEnv("Pendulum-v1")],
    seed: 1,
    totalTimesteps: 10,
  }, { nEnvs: 2 });
  assertEquals([two.envs.length, two.totalTimesteps], [2, 10]);
  assertThrows(() => checkAgentOptions("X", { env, seed: -1 }, {}), RangeError, "seed");
  assertThrows(
    () => checkAgentOptions("X", { env, seed: 0, totalTimesteps: 0 }, {}),
    RangeError,
    "totalTimesteps",
  );
  assertThrows(
    () => checkAgentOptions("X", { env, seed: 0 }, { schedules: { "learning-rate": "linear" } }),
    Error,
    "linear learning-rate schedule needs totalTimesteps",
  );
  assertThrows(() => checkAgentOptions("X", { env, seed: 0 }, { nEnvs: 2 }), Error, "n_envs = 2");
  assertEquals(typeof MountainCarContinuousEnv, "function");
});

Deno.test("progressRemaining is 1 − t/T clamped at 0, 1 without T", () => {
  assertEquals(progressRemaining(250, 1000), 0.75);
  assertEquals(progressRemaining(1200, 1000), 0);
  assertEquals(progressRemaining(5, null), 1);
});

Deno.test("checkSavedConfig names the fields that differ", () => {
  checkSavedConfig("X", { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] });
  assertThrows(
    () => checkSavedConfig("X", { a: 1, b: 2 }, { a: 1, b: 3 }),
    Error,
    "different config (b)",
  );
});
