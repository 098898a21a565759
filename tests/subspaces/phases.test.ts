import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  aggregatePhaseMeans,
  phaseMeans,
  phasesOfStep,
  phaseStatistics,
  splitTrainingPhases,
} from "../../lib/subspaces/phases.ts";

/**
 * Curve logged every 10k steps (window w = round(20k/10k) = 2): flat 0 until j = 20, linear ramp
 * R_j = 2.5(j − 20) up to 100 at j = 60, then flat 100, 100 points in total.
 *
 * Worked by hand: R̄_j = mean(R_{j−2..j+1}) = 2.5(j − 20.5) on the ramp, so ρ_j = R̄_j/100 first
 * exceeds 0.1 at j = 25 (ρ₂₄ = 0.0875, ρ₂₅ = 0.1125) → last initial step t₂₄ = 240k. Backwards
 * from the end (max 100 at j = 99): ρ₅₇ = mean(87.5, 90, 92.5, 95)/100 = 0.9125,
 * ρ₅₆ = mean(85, 87.5, 90, 92.5)/100 = 0.8875 < 0.9 → convergence starts at t₅₆ = 560k.
 */
function rampCurve(): { steps: number[]; returns: number[] } {
  const steps = Array.from({ length: 100 }, (_, j) => j * 10_000);
  const returns = steps.map((_, j) => (j < 20 ? 0 : j > 60 ? 100 : 2.5 * (j - 20)));
  return { steps, returns };
}

Deno.test("splitTrainingPhases: ramp curve, worked by hand", () => {
  const { steps, returns } = rampCurve();
  const split = splitTrainingPhases(steps, returns);
  assertEquals(split.window, 2);
  assertAlmostEquals(split.smoothed[30], 2.5 * 9.5, 1e-12);
  assertEquals(split.smoothed[0], 0);
  assertEquals(split.smoothed[99], 100); // R[97:101] clipped to 3 samples
  assertEquals(split.trainingStartIndex, 25);
  assertEquals(split.lastInitialStep, 240_000);
  assertEquals(split.convergenceStartIndex, 56);
  assertEquals(split.convergenceStartStep, 560_000);
  assertEquals(phasesOfStep(240_000, split), ["initial"]);
  assertEquals(phasesOfStep(240_001, split), ["training"]);
  assertEquals(phasesOfStep(559_999, split), ["training"]);
  assertEquals(phasesOfStep(560_000, split), ["convergence"]);
  const analysed = [0, 100_000, 200_000, 240_000, 250_000, 300_000, 550_000, 560_000, 900_000];
  const values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const means = phaseMeans(analysed, values, split);
  assertAlmostEquals(means.initial!, 0.25, 1e-15);
  assertAlmostEquals(means.training!, 0.6, 1e-15);
  assertAlmostEquals(means.convergence!, 0.85, 1e-15);
});

Deno.test("splitTrainingPhases: window uses Python's round-half-even", () => {
  const { returns } = rampCurve();
  // 20k / 8k = 2.5 → 2 (not 3).
  const steps8k = returns.map((_, j) => j * 8_000);
  assertEquals(splitTrainingPhases(steps8k, returns).window, 2);
  // 35k / 10k = 3.5 → 4.
  const steps10k = returns.map((_, j) => j * 10_000);
  assertEquals(splitTrainingPhases(steps10k, returns, { smoothingSteps: 35_000 }).window, 4);
  // 20k / 40k = 0.5 → 0: an empty window is an error, not NaN.
  const steps40k = returns.map((_, j) => j * 40_000);
  assertThrows(() => splitTrainingPhases(steps40k, returns), RangeError, "0 samples");
});

Deno.test("splitTrainingPhases: backward scan starts at the last maximum; degenerate overlap", () => {
  // w = 1: R̄_j = mean(R_{j−1}, R_j), R̄₀ = R₀.
  // R = [0, 0, 0, 200, 0, 0, 0] → R̄ = [0, 0, 0, 100, 100, 0, 0], ρ = [0, 0, 0, 1, 1, 0, 0].
  // Training starts at j = 3 (last initial step t₂); the scan from the end passes the maximum
  // at j = 4 and the first ρ < 0.9 below it is j = 2 = j_tr − 1: t₂ is both initial and
  // convergence, the training phase is empty.
  const steps = [0, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000];
  const split = splitTrainingPhases(steps, [0, 0, 0, 200, 0, 0, 0]);
  assertEquals(split.window, 1);
  assertEquals(split.trainingStartIndex, 3);
  assertEquals(split.convergenceStartIndex, 2);
  assertEquals(phasesOfStep(40_000, split), ["initial", "convergence"]);
  assertEquals(phasesOfStep(60_000, split), ["convergence"]);

  // Maximum reached twice with a dip between: R̄ = [0, 50, 100, 60, 60, 100, 100].
  // The scan passes the *last* maximum (j = 6, ρ = 1), so the dip (j = 4) starts convergence.
  const twice = splitTrainingPhases(steps, [0, 100, 100, 20, 100, 100, 100]);
  assertEquals(Array.from(twice.smoothed), [0, 50, 100, 60, 60, 100, 100]);
  assertEquals(twice.trainingStartIndex, 1);
  assertEquals(twice.convergenceStartIndex, 4);
});

Deno.test("aggregatePhaseMeans: mean over seeds and population std", () => {
  const agg = aggregatePhaseMeans([
    { initial: 0.2, training: 0.5, convergence: 0.9 },
    { initial: 0.4, training: 0.5, convergence: null },
    { initial: 0.6, training: 0.8, convergence: 0.7 },
  ]);
  assertAlmostEquals(agg.initial.mean!, 0.4, 1e-15);
  assertAlmostEquals(agg.initial.std!, Math.sqrt(0.08 / 3), 1e-15); // divisor S = 3, not S − 1
  assertAlmostEquals(agg.training.mean!, 0.6, 1e-15);
  assertAlmostEquals(agg.training.std!, Math.sqrt(0.06 / 3), 1e-15);
  assertEquals(agg.convergence.seeds, 2);
  assertAlmostEquals(agg.convergence.mean!, 0.8, 1e-15);
  assertAlmostEquals(agg.convergence.std!, 0.1, 1e-15);
  assertEquals(
    aggregatePhaseMeans([{ initial: null, training: null, convergence: null }]).initial,
    {
      mean: null,
      std: null,
      seeds: 0,
    },
  );
});

Deno.test("phaseStatistics: xmax truncation and steps common to all seeds", () => {
  const { steps, returns } = rampCurve();
  // Seed B improves later: ramp shifted by 10 points.
  const returnsB = steps.map((_, j) => (j < 30 ? 0 : j > 70 ? 100 : 2.5 * (j - 30)));
  const stats = phaseStatistics(
    [
      {
        curveSteps: steps,
        curveReturns: returns,
        analysedSteps: [0, 100_000, 300_000, 600_000, 800_000, 950_000],
        values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
      },
      {
        curveSteps: steps,
        curveReturns: returnsB,
        analysedSteps: [0, 300_000, 600_000, 700_000, 800_000, 950_000],
        values: [0.2, 0.3, 0.5, 0.6, 0.7, 0.8],
      },
    ],
    { xmax: 800_000 },
  );
  assertEquals(stats.commonSteps, [0, 300_000, 600_000, 800_000]);
  // Seed A as in the hand-worked ramp; the 90% level is unchanged by truncation at 800k.
  assertEquals(stats.splits[0].lastInitialStep, 240_000);
  assertEquals(stats.splits[0].convergenceStartStep, 560_000);
  // Seed B: everything shifted by 100k.
  assertEquals(stats.splits[1].lastInitialStep, 340_000);
  assertEquals(stats.splits[1].convergenceStartStep, 660_000);
  // A: initial {0 → 0.1}, training {300k → 0.3}, convergence {600k, 800k → 0.4, 0.5}.
  // B: initial {0, 300k → 0.2, 0.3}, training {600k → 0.5}, convergence {800k → 0.7}.
  assertEquals(stats.perSeed[0].initial, 0.1);
  assertEquals(stats.perSeed[0].training, 0.3);
  assertAlmostEquals(stats.perSeed[0].convergence!, 0.45, 1e-15);
  assertAlmostEquals(stats.perSeed[1].initial!, 0.25, 1e-15);
  assertEquals(stats.perSeed[1].training, 0.5);
  assertEquals(stats.perSeed[1].convergence, 0.7);
  assertAlmostEquals(stats.phases.initial.mean!, 0.175, 1e-15);
  assertAlmostEquals(stats.phases.initial.std!, 0.075, 1e-15);
  assertAlmostEquals(stats.phases.convergence.mean!, 0.575, 1e-15);
  assertAlmostEquals(stats.phases.convergence.std!, 0.125, 1e-15);
});

Deno.test("splitTrainingPhases: bad curves give clear errors", () => {
  assertThrows(
    () => splitTrainingPhases([0, 10_000, 20_000], [5, 5, 5]),
    RangeError,
    "never rises",
  );
  assertThrows(() => splitTrainingPhases([0, 10_000], [0, NaN]), RangeError, "not finite");
  assertThrows(() => splitTrainingPhases([0], [1]), RangeError, "at least 2");
  assertThrows(() => splitTrainingPhases([0, 10_000], [1]), RangeError, "one return per step");
  assertThrows(() => splitTrainingPhases([10_000, 0], [0, 1]), RangeError, "increasing");
});
