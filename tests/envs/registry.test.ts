import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  envSpec,
  listEnvs,
  makeEnv,
  makeVecEnv,
  MountainCarContinuousEnv,
  PendulumEnv,
  prepareEnv,
  RecordEpisodeStatistics,
  registerEnv,
  TimeLimit,
} from "../../lib/envs/mod.ts";

Deno.test("importing lib/envs/mod.ts registers Pendulum-v1 and MountainCarContinuous-v0", () => {
  const ids = listEnvs();
  assert(ids.includes("Pendulum-v1"));
  assert(ids.includes("MountainCarContinuous-v0"));
  assertEquals(envSpec("Pendulum-v1").maxEpisodeSteps, 200);
  assertEquals(envSpec("MountainCarContinuous-v0").maxEpisodeSteps, 999);
  assertEquals(envSpec("MountainCarContinuous-v0").rewardThreshold, 90);
});

Deno.test("makeEnv wraps in TimeLimit like gym.make: truncation at exactly 200 and 999", () => {
  for (const [id, limit] of [["Pendulum-v1", 200], ["MountainCarContinuous-v0", 999]] as const) {
    const env = makeEnv(id);
    assert(env instanceof TimeLimit);
    assertEquals((env as TimeLimit).maxEpisodeSteps, limit);
    env.reset({ seed: 0 });
    let steps = 0;
    while (true) {
      const r = env.step(new Float32Array([0])); // zero force never reaches the car's goal
      steps++;
      assertEquals(r.terminated, false);
      if (r.truncated) break;
      assert(steps < limit);
    }
    assertEquals(steps, limit);
  }
  assert(makeEnv("Pendulum-v1").unwrapped instanceof PendulumEnv);
  assert(makeEnv("MountainCarContinuous-v0").unwrapped instanceof MountainCarContinuousEnv);
});

Deno.test("makeEnv options: time-limit override, episode statistics, env options", () => {
  const env = makeEnv("Pendulum-v1", {
    maxEpisodeSteps: 7,
    recordEpisodeStatistics: true,
    g: 9.81,
  });
  assert(env instanceof RecordEpisodeStatistics);
  assertEquals(((env as RecordEpisodeStatistics).env as TimeLimit).maxEpisodeSteps, 7);
  assertEquals((env.unwrapped as PendulumEnv).g, 9.81);
  env.reset({ seed: 0 });
  let last;
  for (let t = 0; t < 7; t++) last = env.step([0]);
  assertEquals((last!.info.episode as { l: number }).l, 7);
  const car = makeEnv("MountainCarContinuous-v0", { goal_velocity: 0.01 });
  assertEquals((car.unwrapped as MountainCarContinuousEnv).goalVelocity, 0.01);
});

Deno.test("makeEnv errors: unknown ids list the known ids and the closest match", () => {
  const err = assertThrows(() => makeEnv("Pendulum-v0"), Error);
  assert(err.message.includes(`did you mean "Pendulum-v1"?`), err.message);
  assert(err.message.includes("Known ids:"), err.message);
  assert(err.message.includes("MountainCarContinuous-v0"), err.message);
  assert(err.message.includes("Pendulum-v1"), err.message);
  const far = assertThrows(() => makeEnv("FetchReachDense-v9"), Error);
  assert(!far.message.includes("did you mean"), far.message);
  assert(far.message.includes("Pendulum-v1"), far.message);
  // The paper's v3 ids (mujoco-py) are not registered; the error points at v4.
  const v3 = assertThrows(() => makeEnv("Walker2d-v3"), Error);
  assert(v3.message.includes(`did you mean "Walker2d-v4"?`), v3.message);
});

Deno.test("prepareEnv: a no-op for classic control; required before makeEnv for MuJoCo ids", async () => {
  await prepareEnv("Pendulum-v1");
  await assertRejects(() => prepareEnv("Nope-v0"), Error, "Unknown environment id");
  // (whether MuJoCo is already loaded depends on other tests in this process)
  await prepareEnv("Hopper-v4");
  makeEnv("Hopper-v4").close();
  assertThrows(
    () =>
      registerEnv({ id: "Half-v0", entryPoint: () => new PendulumEnv(), prepare: async () => {} }),
    TypeError,
    "both",
  );
  let ready = false;
  registerEnv({
    id: "NeedsSetup-v0",
    entryPoint: () => new PendulumEnv(),
    prepare: () => Promise.resolve().then(() => (ready = true)),
    isPrepared: () => ready,
  });
  const err = assertThrows(() => makeEnv("NeedsSetup-v0"), Error, "asynchronous setup");
  assert(err.message.includes(`await prepareEnv("NeedsSetup-v0")`), err.message);
  await prepareEnv("NeedsSetup-v0");
  assert(makeEnv("NeedsSetup-v0").unwrapped instanceof PendulumEnv);
});

Deno.test("makeEnv errors: invalid options name the option", () => {
  assertThrows(
    () => makeEnv("Pendulum-v1", { gravity: 9.81 }),
    TypeError,
    `unknown option "gravity"`,
  );
  assertThrows(() => makeEnv("Pendulum-v1", { g: "high" }), TypeError, `option "g"`);
  assertThrows(
    () => makeEnv("Pendulum-v1", { maxEpisodeSteps: 0 }),
    TypeError,
    `option "maxEpisodeSteps"`,
  );
  assertThrows(
    () => makeEnv("Pendulum-v1", { recordEpisodeStatistics: "yes" as unknown as boolean }),
    TypeError,
    `option "recordEpisodeStatistics"`,
  );
  assertThrows(
    () => makeEnv("MountainCarContinuous-v0", { goalVelocity: 0 }),
    TypeError,
    `did you mean "goal_velocity"`,
  );
});

Deno.test("registerEnv: custom ids, duplicate and malformed specs", () => {
  registerEnv({
    id: "TestPendulum-v9",
    entryPoint: (o: { g?: number }) => new PendulumEnv(o),
    maxEpisodeSteps: 3,
  });
  const env = makeEnv("TestPendulum-v9");
  env.reset({ seed: 0 });
  env.step([0]);
  env.step([0]);
  assertEquals(env.step([0]).truncated, true);
  assertThrows(
    () => registerEnv({ id: "TestPendulum-v9", entryPoint: () => new PendulumEnv() }),
    Error,
    "already registered",
  );
  registerEnv({ id: "TestNoLimit-v0", entryPoint: () => new PendulumEnv() });
  assert(makeEnv("TestNoLimit-v0") instanceof PendulumEnv); // no limit registered: no TimeLimit
  assertThrows(
    () => registerEnv({ id: "", entryPoint: () => new PendulumEnv() }),
    TypeError,
    `option "id"`,
  );
  assertThrows(
    () => registerEnv({ id: "X-v0", entryPoint: () => new PendulumEnv(), maxEpisodeSteps: -1 }),
    TypeError,
    "maxEpisodeSteps",
  );
  registerEnv({ id: "TestBroken-v0", entryPoint: () => 5 as unknown as PendulumEnv });
  assertThrows(() => makeEnv("TestBroken-v0"), TypeError, "not an Env");
});

Deno.test("makeVecEnv builds n copies in a SyncVectorEnv", () => {
  const venv = makeVecEnv("Pendulum-v1", 4, { maxEpisodeSteps: 10 });
  assertEquals(venv.numEnvs, 4);
  assertEquals(venv.obsDim, 3);
  venv.reset({ seed: 0 });
  let truncations = 0;
  for (let t = 0; t < 10; t++) {
    truncations += venv.step(new Float32Array(4)).truncated.reduce((a, b) => a + b, 0);
  }
  assertEquals(truncations, 4);
  assertThrows(() => makeVecEnv("Pendulum-v1", 0), RangeError, "numEnvs");
});
