import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { RunningMeanStd, VecNormalize } from "../../../lib/agents/common/vec_normalize.ts";

/**
 * Closed form of SB3's RunningMeanStd after merging samples xs one by one: the prior is a
 * pseudo-sample of weight ε = 1e-4 with mean 0 and variance 1, so the pooled moments are
 *   μ = Σx/(n + ε),  σ² = (ε·(1 + μ²) + Σ(x − μ)²)/(n + ε).
 */
function pooled(xs: number[]): { mean: number; var: number } {
  const eps = 1e-4;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / (n + eps);
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, var: (eps * (1 + mean * mean) + ss) / (n + eps) };
}

Deno.test("RunningMeanStd equals the pooled-moments closed form", () => {
  const xs = [0.3, -1.2, 4.5, 2.25, -0.7, 0.01];
  const rms = new RunningMeanStd(1);
  xs.forEach((x, i) => {
    rms.update([x]);
    const p = pooled(xs.slice(0, i + 1));
    assertAlmostEquals(rms.mean[0], p.mean, 1e-12);
    assertAlmostEquals(rms.var[0], p.var, 1e-12);
  });
  assertAlmostEquals(rms.count, xs.length + 1e-4, 1e-12);
  // A batch merge gives the same as sample-by-sample merges.
  const batch = new RunningMeanStd(1);
  const m = xs.reduce((a, b) => a + b) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  batch.updateFromMoments([m], [v], xs.length);
  assertAlmostEquals(batch.mean[0], rms.mean[0], 1e-12);
  assertAlmostEquals(batch.var[0], rms.var[0], 1e-12);
});

Deno.test("VecNormalize follows SB3's step order: reset obs in stats, terminal obs not", () => {
  const vn = new VecNormalize(1);
  const o0 = 1.0, o1 = 2.0, terminal = 100.0, reset = -1.0, o3 = 0.5;
  const rewards = [2.0, -3.0, 1.5];
  const gamma = 0.99;
  const z = (x: number, s: { mean: number; var: number }, clip = 10) =>
    Math.max(-clip, Math.min(clip, (x - s.mean) / Math.sqrt(s.var + 1e-8)));
  const zr = (r: number, gs: number[]) =>
    Math.max(-10, Math.min(10, r / Math.sqrt(pooled(gs).var + 1e-8)));

  // reset: obs stats see o0.
  const n0 = vn.processReset([o0]);
  assertAlmostEquals(n0[0], z(o0, pooled([o0])), 1e-6);

  // step 1 (no done): stats see o1; G = r0.
  const s1 = vn.processStep([o1], rewards[0], false, null);
  assertAlmostEquals(s1.obs[0], z(o1, pooled([o0, o1])), 1e-6);
  const g1 = rewards[0];
  assertEquals(s1.reward, 10); // 2/√(Var of one return ≈ 5e-4) is clipped
  assertAlmostEquals(s1.reward, zr(rewards[0], [g1]), 1e-12);

  // step 2 ends the episode: the env auto-resets; stats see the reset obs, never `terminal`.
  const s2 = vn.processStep([reset], rewards[1], true, [terminal]);
  const stats2 = pooled([o0, o1, reset]);
  assertAlmostEquals(s2.obs[0], z(reset, stats2), 1e-6);
  assertAlmostEquals(s2.terminalObs![0], z(terminal, stats2), 1e-6); // clipped to +10
  assertEquals(s2.terminalObs![0], 10);
  const g2 = gamma * g1 + rewards[1];
  assertAlmostEquals(s2.reward, zr(rewards[1], [g1, g2]), 1e-12);
  assertEquals(vn.returns, 0); // reset on done

  // step 3: G restarts from 0.
  const s3 = vn.processStep([o3], rewards[2], false, null);
  const g3 = rewards[2];
  assertAlmostEquals(s3.reward, zr(rewards[2], [g1, g2, g3]), 1e-12);
  assertAlmostEquals(s3.obs[0], z(o3, pooled([o0, o1, reset, o3])), 1e-6);
});

Deno.test("rewards are clipped to ±10 and training = false freezes everything", () => {
  const vn = new VecNormalize(2);
  vn.processReset([0, 0]);
  // First reward: Var[G] is pooled([1000]).var ≈ 1e-4·1000²/(1+1e-4) ≈ 100 → 1000/10 clipped to 10.
  const s = vn.processStep([0, 0], 1000, false, null);
  assertEquals(s.reward, 10);
  vn.training = false;
  const before = vn.getState();
  const frozen = vn.processStep([5, -5], 3, true, [1, 1]);
  assertEquals(vn.obsRms.getState(), before.obsRms);
  assertEquals(vn.retRms.getState(), before.retRms);
  assertAlmostEquals(frozen.reward, 3 / Math.sqrt(before.retRms.var[0] + 1e-8), 1e-12);
});

Deno.test("normalisation can be switched off per part; state round-trips", () => {
  const vn = new VecNormalize(1, { normObs: false, normReward: false });
  vn.processReset([3]);
  const s = vn.processStep([4], -2, false, null);
  assertEquals(s.obs[0], 4);
  assertEquals(s.reward, -2);
  assertEquals(vn.obsRms.count, 1e-4); // obs stats untouched when normObs is false
  const a = new VecNormalize(1);
  a.processReset([1]);
  a.processStep([2], 1, false, null);
  const b = new VecNormalize(1);
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  assertEquals(b.getState(), a.getState());
  assertEquals(
    Array.from(b.processStep([3], 2, false, null).obs),
    Array.from(a.processStep([3], 2, false, null).obs),
  );
});

Deno.test("several environments: batch moments per step, one running return per environment", () => {
  // Merging a batch equals the pooled moments of all samples merged so far.
  const rms = new RunningMeanStd(2);
  const xs = [[1, 2], [3, -1], [0.5, 0.5], [-2, 4]];
  rms.updateBatch(xs.slice(0, 2).flat(), 2);
  rms.updateBatch(xs.slice(2).flat(), 2);
  for (let d = 0; d < 2; d++) {
    const p = pooled(xs.map((x) => x[d]));
    assertAlmostEquals(rms.mean[d], p.mean, 1e-12);
    assertAlmostEquals(rms.var[d], p.var, 1e-12);
  }
  // A batch of one is update() bit for bit.
  const a = new RunningMeanStd(2), b = new RunningMeanStd(2);
  a.update([0.3, 0.7]);
  b.updateBatch([0.3, 0.7], 1);
  assertEquals(a.getState(), b.getState());

  const vn = new VecNormalize(1, { nEnvs: 2, gamma: 0.5 });
  const obs = new Float32Array(2);
  vn.resetBatch(new Float32Array([1, 2]), obs);
  assertEquals(vn.obsRms.count, 2 + 1e-4);
  const rewards = new Float64Array([1, 2]);
  vn.stepBatch(obs, new Float32Array([3, 4]), rewards, [0, 1], [null, [9]], [
    null,
    new Float32Array(1),
  ]);
  assertEquals(Array.from(vn.returnsAll), [1, 0]); // env 1 ended: its return restarts
  const ret = pooled([1, 2]);
  assertAlmostEquals(vn.retRms.var[0], ret.var, 1e-12);
  assertAlmostEquals(rewards[0], 1 / Math.sqrt(ret.var + 1e-8), 1e-12);
  vn.stepBatch(obs, new Float32Array([5, 6]), new Float64Array([1, 1]), [0, 0], [null, null], [
    null,
    null,
  ]);
  assertEquals(Array.from(vn.returnsAll), [1.5, 1]);
  // The state keeps every environment's return; a one-env state keeps a number.
  const s = vn.getState();
  assertEquals(s.returns, [1.5, 1]);
  const copy = new VecNormalize(1, { nEnvs: 2 });
  copy.setState(s);
  assertEquals(copy.getState(), s);
  assertEquals(typeof new VecNormalize(1).getState().returns, "number");
  assertThrows(() => new VecNormalize(1).setState(s), TypeError, "a number");
  assertThrows(() => new VecNormalize(1, { nEnvs: 0 }), RangeError, "nEnvs");
});
