// dm_control's rewards.tolerance: the properties its documentation and test suite state
// (dm_control/utils/rewards.py, rewards_test.py) and the sigmoids' closed forms.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { type Sigmoid, sigmoid, tolerance } from "../../../lib/envs/dmc/rewards.ts";

const EPS = 2 ** -52;
const SIGMOIDS: Sigmoid[] = [
  "gaussian",
  "hyperbolic",
  "long_tail",
  "cosine",
  "tanh_squared",
  "linear",
  "quadratic",
  "reciprocal",
];

Deno.test("tolerance: at `margin` outside either bound every sigmoid gives valueAtMargin", () => {
  const bounds: [number, number][] = [[0, 0], [-1, 1], [-Math.PI, Math.PI], [-100, 100]];
  for (const s of SIGMOIDS) {
    for (const b of bounds) {
      for (const margin of [0.01, 1, 100, 10000]) {
        for (const v of [0.1, 0.5, 0.9]) {
          const o = { bounds: b, margin, valueAtMargin: v, sigmoid: s };
          assertAlmostEquals(tolerance(b[1] + margin, o), v, Math.sqrt(EPS), `${s} ${b} ${margin}`);
          assertAlmostEquals(tolerance(b[0] - margin, o), v, Math.sqrt(EPS), `${s} ${b} ${margin}`);
        }
      }
    }
  }
});

Deno.test("tolerance: the parameterisation holds at extreme margins and values", () => {
  const cases: [number, number][] = [[0.5, 0.95], [1e12, 1 - EPS], [1e12, EPS], [EPS, 1 - EPS], [
    EPS,
    EPS,
  ]];
  for (const [margin, v] of cases) {
    assertAlmostEquals(tolerance(margin, { margin, valueAtMargin: v }), v, 1e-7);
  }
});

Deno.test("tolerance: the gaussian loss shape around an exact target", () => {
  const expected: [number, number][] = [[-1, 0], [-0.5, 0.1], [0, 1], [0.5, 0.1], [1, 0]];
  for (const [x, want] of expected) {
    assertAlmostEquals(tolerance(x, { margin: 0.5, valueAtMargin: 0.1 }), want, 1e-3);
  }
});

Deno.test("tolerance: with margin 0 it is the exact indicator of the closed interval", () => {
  const cases: [number, [number, number], number][] = [
    [0, [0, 0], 1],
    [EPS, [0, 0], 0],
    [-EPS, [0, 0], 0],
    [0, [0, Infinity], 1],
    [EPS, [0, Infinity], 1],
    [-EPS, [0, Infinity], 0],
    [0, [0, 1], 1],
    [EPS, [0, 1], 1],
    [-EPS, [0, 1], 0],
    [1, [0, 1], 1],
    [1 + EPS, [0, 1], 0],
  ];
  for (const [x, bounds, want] of cases) assertEquals(tolerance(x, { bounds }), want);
});

Deno.test("sigmoids: closed forms at other distances", () => {
  const v = 0.2;
  // gaussian: exp(−d² ln(1/v)) = v^(d²)
  assertAlmostEquals(sigmoid(2, v, "gaussian"), v ** 4, 1e-15);
  // long_tail: 1 / (d²(1/v − 1) + 1)
  assertAlmostEquals(sigmoid(3, v, "long_tail"), 1 / (9 * 4 + 1), 1e-15);
  // reciprocal: 1 / (d(1/v − 1) + 1)
  assertAlmostEquals(sigmoid(0.5, v, "reciprocal"), 1 / 3, 1e-15);
  // linear reaches 0 at d = 1/(1 − v) and stays there
  assertAlmostEquals(sigmoid(0.625, v, "linear"), 0.5, 1e-15);
  assertEquals(sigmoid(1.25, v, "linear"), 0);
  assertEquals(sigmoid(5, v, "quadratic"), 0);
  // cosine: halfway to its zero, (1 + cos(π/2))/2 = 1/2; zero beyond
  const zero = Math.PI / Math.acos(2 * v - 1);
  assertAlmostEquals(sigmoid(zero / 2, v, "cosine"), 0.5, 1e-15);
  assertEquals(sigmoid(zero * 1.01, v, "cosine"), 0);
  // hyperbolic: 1/cosh(d·arccosh(1/v)); at d = 2, 1/(2(1/v)² − 1) (double-angle formula)
  assertAlmostEquals(sigmoid(2, v, "hyperbolic"), 1 / (2 * 25 - 1), 1e-15);
  // tanh_squared: 1 − tanh², which is 1/cosh²
  assertAlmostEquals(
    sigmoid(1.7, v, "tanh_squared"),
    1 / Math.cosh(1.7 * Math.atanh(Math.sqrt(0.8))) ** 2,
    1e-15,
  );
  for (const s of SIGMOIDS) assertEquals(sigmoid(0, v, s), 1, s);
});

Deno.test("tolerance: inside the bounds it is 1 and outside it decreases with the distance", () => {
  for (const s of SIGMOIDS) {
    const o = { bounds: [-1, 2] as [number, number], margin: 1.5, sigmoid: s };
    assertEquals(tolerance(-1, o), 1);
    assertEquals(tolerance(0.3, o), 1);
    let previous = 1;
    for (let d = 0.1; d < 5; d += 0.3) {
      const value = tolerance(2 + d, o);
      assert(value <= previous && value >= 0, `${s} at ${d}`);
      assertAlmostEquals(tolerance(-1 - d, o), value, 1e-12);
      previous = value;
    }
  }
});

Deno.test("tolerance: bad arguments are errors that name the problem", () => {
  assertThrows(() => tolerance(0, { bounds: [1, 0], margin: 0.05 }), RangeError, "lower bound");
  assertThrows(() => tolerance(0, { bounds: [0, 1], margin: -0.05 }), RangeError, "non-negative");
  assertThrows(
    () => tolerance(0, { bounds: [0, 1], margin: 1, valueAtMargin: 0 }),
    RangeError,
    "strictly between 0 and 1",
  );
  assertEquals(tolerance(3, { bounds: [0, 1], margin: 1, valueAtMargin: 0, sigmoid: "linear" }), 0);
  assertThrows(
    () => tolerance(0, { bounds: [0, 1], margin: 0.1, sigmoid: "unsupported" as Sigmoid }),
    RangeError,
    "unknown sigmoid",
  );
});
