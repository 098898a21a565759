// The MuJoCo base environment: loading, heap growth, exact snapshots, freeing, options.
import { assert, assertEquals, assertNotStrictEquals, assertThrows } from "@std/assert";
import {
  AntEnv,
  HalfCheetahEnv,
  heapGrew,
  HopperEnv,
  loadMujoco,
  mujoco,
  mujocoLoaded,
  Walker2dEnv,
} from "../../../lib/envs/mujoco/mod.ts";
import { type Env, makeEnv, prepareEnv } from "../../../lib/envs/mod.ts";
import { Rng } from "../../../lib/rng.ts";

// Before anything loads the module: a clear error that names the fix.
Deno.test("before loading, building a MuJoCo env says to await prepareEnv / loadMujoco", () => {
  if (mujocoLoaded()) return; // another test in this module already loaded it
  const err = assertThrows(() => new HalfCheetahEnv("v4"), Error, "await prepareEnv(id)");
  assert(err.message.includes("loadMujoco"), err.message);
});

await loadMujoco();

function actions(n: number, dim: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from(
    { length: n },
    () => Float64Array.from({ length: dim }, () => rng.uniform(-1, 1)),
  );
}

function roll(env: Env, acts: Float64Array[]): number[][] {
  return acts.map((a) => {
    const r = env.step(a);
    return [...r.obs, r.reward, r.terminated ? 1 : 0];
  });
}

Deno.test("heap growth detaches views; the env fetches them again and steps exactly as before", () => {
  const acts = actions(40, 6, 1);
  const reference = new HalfCheetahEnv("v5");
  reference.reset({ seed: 3 });
  const expected = roll(reference, acts);

  const env = new HalfCheetahEnv("v5");
  env.reset({ seed: 3 });
  const first = roll(env, acts.slice(0, 20));
  const stale: Float64Array = env.data.qpos;
  assert(!heapGrew(stale));
  // Grow the WebAssembly heap: each HalfCheetah mjData reserves a 2.4 MB stack (nstack 300000).
  const mj = mujoco();
  const grown = Array.from({ length: 40 }, () => new mj.MjData(env.model));
  try {
    assert(heapGrew(stale), "40 more mjData did not grow the heap; the test needs more");
    assertEquals(stale.length, 0);
    const second = roll(env, acts.slice(20));
    assertEquals([...first, ...second], expected);
    assert(second.flat().every(Number.isFinite));
  } finally {
    grown.forEach((d) => d.delete());
    env.close();
    reference.close();
  }
});

Deno.test("getState/setState: JSON snapshots continue bit for bit (Ant's contact forces, Reacher-v4's lagged body positions)", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["Ant-v4", { use_contact_forces: true }],
    ["Ant-v5", {}],
    ["Reacher-v4", {}],
    ["Hopper-v5", {}],
    ["Walker2d-v4", {}],
  ];
  for (const [id, options] of cases) {
    const env = makeEnv(id, options);
    const acts = actions(50, env.actionSpace.size, 5);
    env.reset({ seed: 11 });
    roll(env, acts.slice(0, 25));
    const snapshot = JSON.parse(JSON.stringify(env.getState()));
    const rest = roll(env, acts.slice(25));
    const restored = makeEnv(id, options);
    restored.setState(snapshot);
    assertEquals(roll(restored, acts.slice(25)), rest, env.id);
    // The generator is part of the snapshot: the next seedless reset matches too.
    assertEquals(Array.from(restored.reset().obs), Array.from(env.reset().obs), env.id);
    env.close();
    restored.close();
  }
});

Deno.test("setState rejects snapshots of other models, frame skips or malformed physics", () => {
  const a = makeEnv("HalfCheetah-v5", { frame_skip: 3 });
  a.reset({ seed: 0 });
  const b = makeEnv("HalfCheetah-v5");
  assertThrows(() => b.setState(a.getState()), RangeError, "frame_skip");
  const bad = structuredClone(a.getState()) as { env: { physics: { xpos: number[] } } };
  bad.env.physics.xpos = [1, 2];
  assertThrows(() => a.setState(bad), TypeError, "malformed physics");
  a.close();
  b.close();
});

Deno.test("envs from one file share a compiled model; close frees data and the last one the model", () => {
  const a = new HopperEnv("v4"), b = new HopperEnv("v5");
  const model = a.model;
  assert(model === b.model, "one mjModel for one MJCF file");
  const c = new Walker2dEnv("v4");
  assertNotStrictEquals(c.model, model);
  a.close();
  a.close(); // idempotent
  assertThrows(() => a.reset(), Error, "closed");
  assert(!model.isDeleted()); // still used by b
  b.close();
  assert(model.isDeleted(), "the model is deleted with its last user");
  c.close();
});

Deno.test("options: unknown, version-specific, rendering and malformed options are rejected", () => {
  assertThrows(
    () => new HalfCheetahEnv("v4", { frame_skip: 2 }),
    TypeError,
    `unknown option "frame_skip"`,
  );
  assertThrows(
    () => new AntEnv("v5", { use_contact_forces: true } as never),
    TypeError,
    `unknown option "use_contact_forces"`,
  );
  assertThrows(
    () => new AntEnv("v4", { include_cfrc_ext_in_observation: false } as never),
    TypeError,
    "include_cfrc_ext_in_observation",
  );
  assertThrows(() => makeEnv("Hopper-v5", { render_mode: "human" }), TypeError, "do not render");
  assertThrows(() => makeEnv("Hopper-v5", { healthy_z_range: [1, 0] }), TypeError, "low <= high");
  assertThrows(
    () => makeEnv("Reacher-v4", { reward_dist_weight: 2 }),
    TypeError,
    "takes no options",
  );
  assertThrows(() => makeEnv("Swimmer-v5", { frame_skip: 0 }), TypeError, "positive integer");
  assertThrows(() => makeEnv("Ant-v5", { main_body: "head" }), RangeError, `no body "head"`);
  assertThrows(() => makeEnv("Ant-v5", { xml_file: "nothere.xml" }), Error, "cannot read");
  const walker = makeEnv("Walker2d-v4");
  assertThrows(() => walker.reset({ options: { x: 1 } }), TypeError, "unknown");
  walker.close();
});

Deno.test("xml_file: a custom model is compiled; a broken one is a one-line error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ant = await Deno.readTextFile(new URL("../../../data/mujoco/ant.xml", import.meta.url));
    await Deno.writeTextFile(`${dir}/ant.xml`, ant.replace(`timestep="0.01"`, `timestep="0.005"`));
    const env = makeEnv("Ant-v5", { xml_file: `${dir}/ant.xml` });
    assertEquals((env.unwrapped as AntEnv).dt, 0.025);
    env.close();
    await Deno.writeTextFile(
      `${dir}/bad.xml`,
      "<mujoco><worldbody><geom type='blob'/></worldbody></mujoco>",
    );
    const err = assertThrows(() => makeEnv("Ant-v5", { xml_file: `${dir}/bad.xml` }), Error);
    assert(err.message.includes("cannot compile") && err.message.includes("blob"), err.message);
    assert(!err.message.includes("\n"), err.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Hopper terminates below the healthy height; v4 still pays the healthy reward then", async () => {
  await prepareEnv("Hopper-v4");
  for (const version of ["v4", "v5"] as const) {
    const env = new HopperEnv(version);
    env.reset({ seed: 0 });
    const qpos = Array.from(env.initQpos);
    qpos[1] = 0.5; // torso far below 0.7
    env.setPhysicalState(qpos, new Array(6).fill(0));
    const r = env.step([0, 0, 0]);
    assert(r.terminated);
    const forward = (r.info.x_velocity as number) * 1;
    assertEquals(r.reward, forward + (version === "v4" ? 1 : 0) - 0);
    env.close();
  }
});

Deno.test("observation sizes follow the options (Ant's 111-dim v3 observation)", () => {
  const size = (env: Env) => {
    const n = env.observationSpace.size;
    env.reset({ seed: 0 });
    assertEquals(env.step(new Float64Array(env.actionSpace.size)).obs.length, n);
    env.close();
    return n;
  };
  assertEquals(size(makeEnv("Ant-v4", { use_contact_forces: true })), 111);
  assertEquals(size(makeEnv("Ant-v4", { exclude_current_positions_from_observation: false })), 29);
  assertEquals(size(makeEnv("Ant-v5")), 105);
  assertEquals(size(makeEnv("Ant-v5", { include_cfrc_ext_in_observation: false })), 27);
  assertEquals(
    size(makeEnv("HalfCheetah-v5", { exclude_current_positions_from_observation: false })),
    18,
  );
  assertEquals(
    size(makeEnv("Swimmer-v4", { exclude_current_positions_from_observation: false })),
    10,
  );
  assertEquals(size(makeEnv("Reacher-v4")), 11);
  assertEquals(size(makeEnv("Reacher-v5")), 10);
});
