// Notebook setup: quick/real settings, the reader's changes (own directory, k added to ks), and
// a missing reproduction named with the command that produces it.
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { loadRuns, notebookContext, RUNS_DIR } from "../../lib/experiments/notebook.ts";
import { customizePreset, reproductionPreset } from "../../lib/experiments/reproduce.ts";

Deno.test("notebookContext: quick or real preset, changes give their own directory", () => {
  const quick = notebookContext({}, true);
  assertEquals([quick.settings.name, quick.outRoot], ["quick", `${RUNS_DIR}/reproduce-quick`]);
  assertEquals(notebookContext({}, false).settings.name, "pendulum");
  const changed = notebookContext({ algos: ["ppo"], k: 7, preciseSamples: 3_000 }, true);
  assertEquals(changed.settings.name, "quick-ppo-k7-n3000");
  assertEquals(changed.settings.experiments.map((e) => e.algo), ["ppo"]);
  assertEquals(changed.settings.analysis.ks, [1, 5, 7, 10]);
  assertEquals(changed.settings.analysis.preciseSamples, 3_000);
  // No change, same name: the runs of `deno task reproduce --preset quick` are shared.
  assertEquals(customizePreset(reproductionPreset("quick"), { k: 10 }).name, "quick");
  assertThrows(
    () => customizePreset(reproductionPreset("quick"), { algos: ["a2c" as "ppo"] }),
    RangeError,
    "unknown a2c",
  );
});

Deno.test("loadRuns: missing runs name the command that produces them", async () => {
  const ctx = { ...notebookContext({}, true), outRoot: "/tmp/pgsubspace-no-runs/reproduce-quick" };
  await assertRejects(
    () => loadRuns(ctx),
    Error,
    "No analysed runs in /tmp/pgsubspace-no-runs/reproduce-quick: run `deno task reproduce --preset quick` (or notebooks 03-06 with PGSUBSPACE_QUICK=1) first",
  );
  const changed = { ...notebookContext({ k: 5 }, true), outRoot: "/tmp/pgsubspace-no-runs/x" };
  await assertRejects(
    () => loadRuns(changed),
    Error,
    "one of notebooks 03-06 with the same changes",
  );
});
