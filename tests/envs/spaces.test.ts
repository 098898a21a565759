import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { Box } from "../../lib/envs/spaces.ts";
import { Rng } from "../../lib/rng.ts";

Deno.test("Box: shapes are inferred or broadcast, bounds cast to float32", () => {
  const a = new Box({ low: -2, high: 2, shape: [1] });
  assertEquals([...a.shape], [1]);
  assertEquals([...a.low], [-2]);
  const b = new Box({ low: [-1, -1, -8], high: [1, 1, 8] });
  assertEquals([...b.shape], [3]);
  assertEquals(b.size, 3);
  const c = new Box({ low: 0, high: [1, 2] });
  assertEquals([...c.shape], [2]);
  assertEquals([...c.low], [0, 0]);
  const d = new Box({ low: -1, high: 1, shape: [2, 3] });
  assertEquals(d.size, 6);
  assertEquals(new Box({ low: 0, high: 1 }).size, 1);
  // 0.07 is stored as the nearest float32, like np.array(0.07, dtype=np.float32).
  const e = new Box({ low: -0.07, high: 0.07 });
  assertEquals(e.high[0], Math.fround(0.07));
  assert(e.high[0] !== 0.07);
});

Deno.test("Box: invalid bounds and shapes are errors that name the problem", () => {
  assertThrows(() => new Box({ low: 1, high: 0 }), RangeError, "low must be <= high");
  assertThrows(() => new Box({ low: [0, 2], high: [1, 1] }), RangeError, "low[1]");
  assertThrows(() => new Box({ low: Number.NaN, high: 1 }), TypeError, "NaN");
  assertThrows(() => new Box({ low: [0, 0], high: [1, 1, 1] }), RangeError, "lengths differ");
  assertThrows(() => new Box({ low: [0, 0], high: 1, shape: [3] }), RangeError, "3 elements");
  assertThrows(() => new Box({ low: 0, high: 1, shape: [1.5] }), TypeError, "shape");
  assertThrows(() => new Box({ low: 1e39, high: 2e39 }), RangeError, "float32 range");
  assertThrows(() => new Box({ low: Infinity, high: Infinity }), RangeError, "lower bound");
  assertThrows(
    () => new Box({ low: 0, high: 1, dtype: "float16" as unknown as "float32" }),
    TypeError,
    "float32",
  );
});

Deno.test("Box float64: bounds kept in double precision, float64 members, Gymnasium's repr", () => {
  const box = new Box({ low: -Infinity, high: Infinity, shape: [17], dtype: "float64" });
  assertEquals(box.toString(), "Box(-inf, inf, (17,), float64)");
  assert(box.low instanceof Float64Array);
  assert(box.contains(new Float64Array(17)));
  assert(box.contains(new Float32Array(17))); // np.can_cast(float32, float64)
  assert(!box.contains(new Float64Array(16)));
  const narrow = new Box({ low: -0.07, high: 0.07, dtype: "float64" });
  assertEquals(narrow.high[0], 0.07); // not rounded to float32
  assert(narrow.contains([0.07]));
  assert(!narrow.contains([0.07 + 1e-12])); // would pass after a float32 cast
  assertEquals(narrow.toString(), "Box(-0.07, 0.07, (1,), float64)");
  assert(narrow.clip([1]) instanceof Float64Array);
  assertEquals(narrow.clip([1])[0], 0.07);
  assertEquals(new Box({ low: 1e39, high: 2e39, dtype: "float64" }).low[0], 1e39);
});

Deno.test("Box.contains follows Gymnasium: float32 cast, bounds inclusive, dtype and NaN rules", () => {
  const box = new Box({ low: [-2, -1], high: [2, 1] });
  assert(box.contains(new Float32Array([0, 0])));
  assert(box.contains(new Float32Array([2, -1]))); // bounds are inclusive
  assert(box.contains([-2, 1]));
  assert(!box.contains([2.5, 0]));
  assert(!box.contains([0, Number.NaN]));
  assert(!box.contains([0]));
  assert(!box.contains("ab"));
  assert(!box.contains(null));
  // np.asarray([2 + 1e-9], dtype=float32) == 2, so Gymnasium accepts it.
  assert(box.contains([2 + 1e-9, 0]));
  // np.can_cast(float64, float32) is False: float64 arrays are not members.
  assert(!box.contains(new Float64Array([0, 0])));
  assert(box.contains(new Int8Array([1, 0])));
  assert(!box.contains(new Int32Array([1, 0])));
});

Deno.test("Box.sample: uniform on bounded elements", () => {
  const box = new Box({ low: [-2, 10], high: [2, 10] });
  const rng = new Rng(0);
  let sum = 0;
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const x = box.sample(rng);
    assert(box.contains(x));
    assertEquals(x[1], 10); // a degenerate interval
    sum += x[0];
  }
  // Var of U[-2, 2] is 4/3; the standard error of the mean is sqrt(4/3/n) ≈ 0.008.
  assertAlmostEquals(sum / n, 0, 0.05);
  // The values are the generator's uniforms, low + (high - low) * u, rounded to float32.
  const r1 = new Rng(5);
  const r2 = new Rng(5);
  const x = box.sample(r1);
  assertEquals(x[0], Math.fround(-2 + 4 * r2.uniform()));
});

Deno.test("Box.sample: normal when unbounded, shifted exponential when half-bounded", () => {
  const box = new Box({ low: [-Infinity, 3, -Infinity], high: [Infinity, Infinity, -1] });
  assert(!box.isBounded());
  assert(!box.isBounded("below"));
  assert(!box.isBounded("above"));
  const rng = new Rng(1);
  const n = 20_000;
  const sums = [0, 0, 0];
  const squares = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = box.sample(rng);
    assert(x[1] >= 3, "low + Exp(1) is at least low");
    assert(x[2] <= -1, "high - Exp(1) is at most high");
    for (let j = 0; j < 3; j++) {
      sums[j] += x[j];
      squares[j] += x[j] * x[j];
    }
  }
  const mean = sums.map((s) => s / n);
  const variance = squares.map((s, j) => s / n - mean[j] ** 2);
  assertAlmostEquals(mean[0], 0, 0.05); // N(0, 1)
  assertAlmostEquals(variance[0], 1, 0.05);
  assertAlmostEquals(mean[1], 3 + 1, 0.05); // 3 + Exp(1): mean 4, variance 1
  assertAlmostEquals(variance[1], 1, 0.1);
  assertAlmostEquals(mean[2], -1 - 1, 0.05); // -1 - Exp(1): mean -2
  assertAlmostEquals(variance[2], 1, 0.1);
  assert(new Box({ low: 0, high: 1 }).isBounded());
});

Deno.test("Box.clip clips to the float32 bounds and rejects NaN and wrong lengths", () => {
  const box = new Box({ low: [-2, -0.07], high: [2, 0.07] });
  assertEquals([...box.clip([5, -1])], [2, Math.fround(-0.07)]);
  assertEquals([...box.clip([0.5, 0.01])], [0.5, Math.fround(0.01)]);
  const out = new Float32Array(2);
  assert(box.clip([0, 0], out) === out);
  assertThrows(() => box.clip([Number.NaN, 0]), RangeError, "NaN");
  assertThrows(() => box.clip([1]), RangeError, "expected 2");
});

Deno.test("Box.toString prints like Gymnasium's repr", () => {
  assertEquals(
    new Box({ low: -2, high: 2, shape: [1] }).toString(),
    "Box(-2.0, 2.0, (1,), float32)",
  );
  assertEquals(
    new Box({ low: [-1, -1, -8], high: [1, 1, 8] }).toString(),
    "Box([-1. -1. -8.], [1. 1. 8.], (3,), float32)",
  );
  assertEquals(
    new Box({ low: [-1.2, -0.07], high: [0.6, 0.07] }).toString(),
    "Box([-1.2  -0.07], [0.6  0.07], (2,), float32)",
  );
  assertEquals(
    new Box({ low: -Infinity, high: Infinity, shape: [2, 2] }).toString(),
    "Box(-inf, inf, (2, 2), float32)",
  );
});
