import { assert, assertEquals } from "@std/assert";
import {
  CONFORMANCE_TOLERANCE,
  conformanceCases,
  conformancePassed,
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
  name: "our envs match Python Gymnasium 1.3 within 1e-6 (observations, rewards, flags)",
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
  },
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
