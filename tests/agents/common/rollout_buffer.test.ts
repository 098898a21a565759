import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import {
  computeGae,
  RolloutBuffer,
  timeoutBootstrap,
} from "../../../lib/agents/common/rollout_buffer.ts";

/**
 * GAE in its closed form (paper-notes §9.4): Â_t = Σ_{k≥0} (γλ)^k δ_{t+k}, summed until the
 * episode ends (m = 0) or the buffer ends, with δ_t = r_t + γ·m_t·V_{t+1} − V_t. Written as an
 * explicit double sum, independent of the backward recursion under test.
 */
function gaeClosedForm(
  r: number[],
  v: number[],
  starts: number[],
  lastValue: number,
  lastDone: boolean,
  gamma: number,
  lambda: number,
): number[] {
  const T = r.length;
  const mask = (t: number) => (t === T - 1 ? (lastDone ? 0 : 1) : 1 - starts[t + 1]);
  const next = (t: number) => (t === T - 1 ? lastValue : v[t + 1]);
  const delta = (t: number) => r[t] + gamma * mask(t) * next(t) - v[t];
  const adv: number[] = [];
  for (let t = 0; t < T; t++) {
    let a = 0;
    let w = 1;
    for (let k = t; k < T; k++) {
      a += w * delta(k);
      if (mask(k) === 0) break;
      w *= gamma * lambda;
    }
    adv.push(a);
  }
  return adv;
}

Deno.test("GAE matches a hand-computed 3-step example", () => {
  // γ = 0.5, λ = 0.5; episode boundary before t = 2; bootstrap V = 4 after the last step.
  // δ0 = 1 + 0.5·2 − 1 = 1;  δ1 = 2 + 0 − 2 = 0 (t=2 starts a new episode);  δ2 = 3 + 0.5·4 − 1 = 4
  // Â2 = 4;  Â1 = δ1 = 0;  Â0 = δ0 + 0.25·Â1 = 1.   R̂ = Â + V = [2, 2, 5].
  const adv = new Float32Array(3), ret = new Float32Array(3);
  computeGae({
    rewards: [1, 2, 3],
    values: [1, 2, 1],
    episodeStarts: [1, 0, 1],
    lastValue: 4,
    lastDone: false,
    gamma: 0.5,
    gaeLambda: 0.5,
    advantages: adv,
    returns: ret,
  });
  assertEquals(Array.from(adv), [1, 0, 4]);
  assertEquals(Array.from(ret), [2, 2, 5]);
});

Deno.test("GAE equals the closed-form sum on a random rollout with several episode ends", () => {
  const T = 40;
  let s = 7;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const r = Array.from({ length: T }, rand);
  const v = Array.from({ length: T }, rand);
  const starts = Array.from({ length: T }, (_, t) => (t === 0 || t % 11 === 0 ? 1 : 0));
  for (const lastDone of [false, true]) {
    const adv = new Float32Array(T), ret = new Float32Array(T);
    computeGae({
      rewards: r,
      values: v,
      episodeStarts: starts,
      lastValue: 0.3,
      lastDone,
      gamma: 0.99,
      gaeLambda: 0.95,
      advantages: adv,
      returns: ret,
    });
    const expected = gaeClosedForm(r, v, starts, 0.3, lastDone, 0.99, 0.95);
    for (let t = 0; t < T; t++) {
      assertAlmostEquals(adv[t], expected[t], 1e-5);
      assertAlmostEquals(ret[t], expected[t] + v[t], 1e-5);
    }
  }
});

Deno.test("time-out bootstrap adds γ·V(terminal) only on truncation without termination", () => {
  assertEquals(timeoutBootstrap(-1, 0.9, -10, { terminated: false, truncated: true }), -10);
  assertEquals(timeoutBootstrap(-1, 0.9, -10, { terminated: true, truncated: true }), -1);
  assertEquals(timeoutBootstrap(-1, 0.9, -10, { terminated: true, truncated: false }), -1);
  assertEquals(timeoutBootstrap(-1, 0.9, -10, { terminated: false, truncated: false }), -1);
});

Deno.test("a bootstrapped time-out feeds GAE like a terminal step with reward r + γV", () => {
  // Episode truncated after step 1 with V(terminal) = 5: stored r1 = 1 + 0.9·5 = 5.5; step 2
  // starts a new episode. δ1 = 5.5 − V1 (no bootstrap through the boundary).
  const buf = new RolloutBuffer({ size: 3, obsDim: 1, actDim: 1, gamma: 0.9, gaeLambda: 1 });
  buf.add([0], [0], 1, true, 2, -1);
  buf.add(
    [1],
    [0],
    timeoutBootstrap(1, 0.9, 5, { terminated: false, truncated: true }),
    false,
    3,
    -1,
  );
  buf.add([2], [0], 1, true, 1, -1);
  buf.computeReturnsAndAdvantage(0, true);
  // Â2 = 1 − 1 = 0; Â1 = 5.5 − 3 = 2.5; Â0 = (1 + 0.9·3 − 2) + 0.9·2.5 = 1.7 + 2.25 = 3.95.
  assertAlmostEquals(buf.advantages[2], 0, 1e-6);
  assertAlmostEquals(buf.advantages[1], 2.5, 1e-6);
  assertAlmostEquals(buf.advantages[0], 3.95, 1e-6);
  assertAlmostEquals(buf.returns[0], 5.95, 1e-6);
});

Deno.test("RolloutBuffer stores rows, refuses overflow, round-trips its state", () => {
  const buf = new RolloutBuffer({ size: 2, obsDim: 2, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
  buf.add([1, 2], [0.5], -1, true, 0.1, -0.9);
  assertEquals(buf.pos, 1);
  assertThrows(() => buf.computeReturnsAndAdvantage(0, false), Error, "1/2");
  buf.add([3, 4], [-3.5], -2, false, 0.2, -0.8);
  assertEquals(Array.from(buf.observations), [1, 2, 3, 4]);
  assertEquals(Array.from(buf.actions), [0.5, -3.5]);
  assertEquals(Array.from(buf.episodeStarts), [1, 0]);
  assertThrows(() => buf.add([0, 0], [0], 0, false, 0, 0), Error, "full");
  const state = buf.getState();
  const other = new RolloutBuffer({ size: 2, obsDim: 2, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
  other.setState(structuredClone(state));
  assertEquals(other.getState(), state);
  const wrong = new RolloutBuffer({ size: 3, obsDim: 2, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
  assertThrows(() => wrong.setState(state), TypeError, "different sizes");
});

Deno.test("several environments: SB3's swap_and_flatten rows (env·n_steps + t), GAE per environment", () => {
  const size = 4, nEnvs = 3, gamma = 0.9, gaeLambda = 0.8;
  const buf = new RolloutBuffer({ size, nEnvs, obsDim: 1, actDim: 1, gamma, gaeLambda });
  assertEquals(buf.rows, 12);
  const reward = (e: number, t: number) => e + 0.1 * t;
  const value = (e: number, t: number) => 0.5 * e - 0.2 * t;
  const start = (e: number, t: number) => t === 0 || (e === 1 && t === 2);
  for (let t = 0; t < size; t++) {
    for (let e = 0; e < nEnvs; e++) {
      buf.add([10 * e + t], [t], reward(e, t), start(e, t), value(e, t), -t, e);
    }
  }
  assertEquals(buf.full, true);
  for (let e = 0; e < nEnvs; e++) {
    for (let t = 0; t < size; t++) assertEquals(buf.observations[e * size + t], 10 * e + t);
  }
  const lastValues = [1, 2, 3], lastDones = [0, 1, 0];
  buf.computeReturnsAndAdvantage(lastValues, lastDones);
  for (let e = 0; e < nEnvs; e++) {
    const adv = new Float32Array(size), ret = new Float32Array(size);
    computeGae({
      rewards: Array.from({ length: size }, (_, t) => Math.fround(reward(e, t))),
      values: Array.from({ length: size }, (_, t) => Math.fround(value(e, t))),
      episodeStarts: Array.from({ length: size }, (_, t) => start(e, t) ? 1 : 0),
      lastValue: lastValues[e],
      lastDone: lastDones[e] === 1,
      gamma,
      gaeLambda,
      advantages: adv,
      returns: ret,
    });
    assertEquals(buf.advantages.subarray(e * size, (e + 1) * size), adv);
    assertEquals(buf.returns.subarray(e * size, (e + 1) * size), ret);
  }
  assertThrows(() => buf.add([0], [0], 0, false, 0, 0), Error, "full");
  const fresh = new RolloutBuffer({ size, nEnvs, obsDim: 1, actDim: 1, gamma, gaeLambda });
  assertThrows(() => fresh.add([0], [0], 0, false, 0, 0, 3), RangeError, "env 3");
});
