import { assert, assertEquals } from "@std/assert";
import {
  CONFORMANCE_TOLERANCE,
  conformanceCases,
  conformancePassed,
  resetCases,
  resetsPassed,
  runConformance,
} from "../../tools/gym_conformance.ts";
import { findPython, PYTHON_ENV_VAR, pythonCandidates } from "../../tools/python_ref.ts";

const python = await findPython("gymnasium");
if (python === null) {
  console.log(
    "gym_conformance.test.ts: SKIPPED the Gymnasium comparison: no Python with gymnasium " +
      "(set PGSUBSPACE_PYTHON or create .venv with gymnasium)",
  );
}

Deno.test("conformance cases cover ≥ 1000 steps per env, the goal, the wall and the time limits", () => {
  const cases = conformanceCases();
  const steps = (id: string) =>
    cases.filter((c) => c.env === id).reduce((s, c) => s + c.actions.length, 0);
  assert(steps("Pendulum-v1") >= 1000);
  assert(steps("MountainCarContinuous-v0") >= 1000);
  const labels = cases.map((c) => c.label ?? "");
  assert(labels.some((l) => l.startsWith("reach goal")));
  assert(labels.includes("left wall"));
  assert(labels.includes("time limit 999"));
  assert(cases.some((c) => c.dtype === "float64"));
  assert(cases.some((c) => c.actions.some(([a]) => Math.abs(a) > 2)), "out-of-range actions");
});

Deno.test({
  name: "our envs match Python Gymnasium 1.3: steps within 1e-6, seeded resets bit for bit",
  ignore: python === null,
  fn: async () => {
    const report = await runConformance({ python: python! });
    assert(report !== null);
    for (const row of report!.rows) {
      assert(row.steps >= 1000, `${row.env}: ${row.steps} steps`);
      assert(row.maxObsDiff <= CONFORMANCE_TOLERANCE, `${row.env}: Δobs ${row.maxObsDiff}`);
      assert(row.maxRewardDiff <= CONFORMANCE_TOLERANCE, `${row.env}: Δr ${row.maxRewardDiff}`);
      assertEquals(row.flagMismatches, 0, `${row.env}: terminated/truncated differ`);
    }
    const car = report!.rows.find((r) => r.env === "MountainCarContinuous-v0")!;
    assert(car.terminations > 0, "some MountainCar trajectory reached the goal");
    assert(car.truncations > 0, "the 999-step limit was hit");
    assert(conformancePassed(report!.rows));
    // seeded resets: the same observations, physical states and generator states, bit for bit
    for (const row of report!.resetRows) {
      assert(row.resets >= 300, `${row.env}: ${row.resets} resets`);
      assertEquals(
        [row.obsMismatches, row.stateMismatches, row.rngMismatches],
        [0, 0, 0],
        `${row.env}: seeded resets differ from Gymnasium's`,
      );
    }
    assert(resetsPassed(report!.resetRows));
  },
});

Deno.test("reset cases cover seeds 0-4 and beyond, default and custom options, unseeded resets", () => {
  const cases = resetCases();
  for (const env of ["Pendulum-v1", "MountainCarContinuous-v0"]) {
    const seeds = new Set(cases.filter((c) => c.env === env).map((c) => c.seed));
    for (let s = 0; s < 5; s++) assert(seeds.has(s), `${env} seed ${s}`);
    assert(seeds.size >= 50 && [...seeds].some((s) => s > 2 ** 32));
    assert(cases.some((c) => c.env === env && c.options !== undefined && c.unseeded > 0));
  }
});

Deno.test("findPython: candidates honour PGSUBSPACE_PYTHON; missing modules give null", async () => {
  const previous = Deno.env.get(PYTHON_ENV_VAR);
  try {
    Deno.env.set(PYTHON_ENV_VAR, "/nonexistent/python");
    const candidates = pythonCandidates();
    assertEquals(candidates[0], "/nonexistent/python");
    assert(candidates[1].endsWith("/.venv/bin/python"));
    assertEquals(candidates[2], "python3");
    assertEquals(await findPython("no_such_module_pgsubspace_xyz"), null);
  } finally {
    if (previous === undefined) Deno.env.delete(PYTHON_ENV_VAR);
    else Deno.env.set(PYTHON_ENV_VAR, previous);
  }
  let threw = false;
  try {
    await findPython("os; import sys");
  } catch (e) {
    threw = e instanceof TypeError;
  }
  assert(threw, "a non-module name is rejected before running anything");
});
