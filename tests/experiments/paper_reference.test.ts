/** The deviations from the paper's protocol: gSDE (the paper's PPO Pendulum and SAC BipedalWalker). */
import { assertEquals } from "@std/assert";
import {
  deviationsFromPaper,
  type ExperimentFacts,
} from "../../lib/experiments/paper_reference.ts";

const report = { k: 100, t1: 100_000, smoothingSteps: 10_000 };
const facts = (
  algo: string,
  envId: string,
  netArch: number[],
  useSde?: boolean,
): ExperimentFacts => ({
  algo,
  envId,
  netArch,
  ...(useSde === undefined ? {} : { useSde }),
  totalSteps: 3_000_000,
  seeds: 3,
  preciseSamples: 1_000_000,
  ks: [100],
  tol: 1e-4,
});
const noise = (e: ExperimentFacts) =>
  deviationsFromPaper([e], report).filter((d) => d.setting === "exploration noise")
    .map((d) => d.here);

Deno.test("gSDE: a deviation only where the paper used it and the runs did not", () => {
  assertEquals(noise(facts("ppo", "Pendulum-v1", [64, 64], true)), []);
  assertEquals(noise(facts("ppo", "Pendulum-v1", [64, 64])), []); // the preset's gSDE
  assertEquals(noise(facts("ppo", "Pendulum-v1", [64, 64], false)), ["state-independent Gaussian"]);
  assertEquals(noise(facts("ppo", "Ant-v4", [64, 64], false)), []);
  assertEquals(noise(facts("sac", "BipedalWalker-v3", [400, 300], false)), ["squashed Gaussian"]);
  assertEquals(noise(facts("sac", "BipedalWalker-v3", [400, 300], true)), []);
  assertEquals(noise(facts("sac", "BipedalWalker-v3", [400, 300])), []); // the preset's gSDE
});
