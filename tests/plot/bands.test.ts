import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { emaSmooth, meanAndStd, seedBand, seriesFromRows } from "../../lib/plot/bands.ts";

Deno.test("meanAndStd: population std (divisor S), hand-computed", () => {
  // [1, 2, 3, 4]: mean 2.5, Σ(x − 2.5)² = 5, population variance 5/4.
  const r = meanAndStd([1, 2, 3, 4]);
  assertEquals(r.mean, 2.5);
  assertAlmostEquals(r.std, Math.sqrt(1.25), 1e-15);
  assertEquals(meanAndStd([7]), { mean: 7, std: 0 });
  assertThrows(() => meanAndStd([]), RangeError, "no values");
  assertThrows(() => meanAndStd([1, NaN]), RangeError, "value 1 is NaN");
});

Deno.test("seedBand: common grid is the intersection of logged steps", () => {
  const band = seedBand([
    { steps: [0, 10, 20], values: [1, 3, 5] },
    { steps: [0, 10, 20, 30], values: [3, 5, 9, 11] },
    { steps: [0, 10, 25], values: [2, 7, 0] },
  ]);
  assertEquals(band.steps, [0, 10]);
  assertEquals(band.seeds, 3);
  // step 0: {1, 3, 2} → mean 2, var (1 + 1 + 0)/3; step 10: {3, 5, 7} → mean 5, var 8/3.
  assertEquals(band.mean, [2, 5]);
  assertAlmostEquals(band.std[0], Math.sqrt(2 / 3), 1e-15);
  assertAlmostEquals(band.std[1], Math.sqrt(8 / 3), 1e-15);
});

Deno.test("seedBand: interpolated grid, no extrapolation", () => {
  const band = seedBand([
    { steps: [0, 10], values: [0, 10] },
    { steps: [5, 15], values: [20, 30] },
  ], { grid: [0, 5, 7.5, 10, 15] });
  // Common range [5, 10]. Seed 0 at 5, 7.5, 10: 5, 7.5, 10; seed 1: 20, 22.5, 25.
  assertEquals(band.steps, [5, 7.5, 10]);
  assertEquals(band.mean, [12.5, 15, 17.5]);
  assertEquals(band.std, [7.5, 7.5, 7.5]);
});

Deno.test("seedBand: clear errors", () => {
  assertThrows(() => seedBand([]), RangeError, "no seeds");
  assertThrows(
    () => seedBand([{ steps: [0, 1], values: [1, NaN] }]),
    RangeError,
    "seed 0, step 1: value is NaN",
  );
  assertThrows(() => seedBand([{ steps: [1, 0], values: [1, 2] }]), RangeError, "increasing");
  assertThrows(
    () => seedBand([{ steps: [0], values: [1] }, { steps: [1], values: [1] }]),
    RangeError,
    "share no logged step",
  );
});

Deno.test("emaSmooth: TensorBoard recursion s_t = w s_{t−1} + (1 − w) x_t", () => {
  // s0 = 0; s1 = 0.6·0 + 0.4·10 = 4; s2 = 0.6·4 + 0.4·10 = 6.4; s3 = 0.6·6.4 + 0.4·(−5) = 1.84.
  const s = emaSmooth([0, 10, 10, -5], 0.6);
  [0, 4, 6.4, 1.84].forEach((v, i) => assertAlmostEquals(s[i], v, 1e-12));
  assertEquals(emaSmooth([3, 4], 0), [3, 4]);
  assertThrows(() => emaSmooth([1], 1), RangeError, "[0, 1)");
});

Deno.test("seriesFromRows: filters event, skips null, sorts, last row wins", () => {
  const rows = [
    { event: "train", step: 4096, "rollout/ep_rew_mean": -900 },
    { event: "train", step: 2048, "rollout/ep_rew_mean": null },
    { event: "eval", step: 4096, "eval/mean_reward": -700, "rollout/ep_rew_mean": 1 },
    { event: "train", step: 6144, "rollout/ep_rew_mean": -800 },
    { event: "train", step: 4096, "rollout/ep_rew_mean": -850 },
  ];
  assertEquals(seriesFromRows(rows, "rollout/ep_rew_mean", "train"), {
    steps: [4096, 6144],
    values: [-850, -800],
  });
  assertEquals(seriesFromRows(rows, "eval/mean_reward"), { steps: [4096], values: [-700] });
});
