import { assert, assertThrows } from "@std/assert";
import { REPRODUCTION_PRESETS, reproductionPreset } from "../../lib/experiments/reproduce.ts";
import { checkpointSchedule } from "../../lib/experiments/train.ts";

Deno.test("reproduction presets: t1 is an analysed step of every experiment; k is analysed", () => {
  for (const name of REPRODUCTION_PRESETS) {
    const s = reproductionPreset(name);
    assert(s.analysis.ks!.includes(s.k), `${name}: k = ${s.k} not in ks`);
    for (const e of s.experiments) {
      const steps = checkpointSchedule(e.totalSteps, e.checkpointEvery, e.checkpointExtra);
      assert(steps.includes(s.t1), `${name}/${e.algo}: t1 ${s.t1} not a checkpoint (${steps})`);
      assert(steps.some((t) => t > s.t1), `${name}/${e.algo}: no checkpoint after t1`);
      assert(e.seeds.length >= 2, `${name}: mean ± std needs several seeds`);
    }
  }
  // deno-lint-ignore no-explicit-any
  assertThrows(() => reproductionPreset("huge" as any), Error, "quick, pendulum, paper-pendulum");
});
