import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { lanczosTopK } from "../../lib/subspaces/lanczos.ts";
import {
  checkResidualBound,
  FLOAT32_ROUNDOFF,
  maxRelativeResidual,
  NOISE_FLOOR_ROUNDOFFS,
  WARM_START_RANDOM_WEIGHT,
  warmStartVectors,
} from "../../lib/subspaces/warm_start.ts";
import { conjugateDiagonal, inner, randomOrthogonal, rng } from "../linalg/_fixtures.ts";

const unit = (n: number, i: number) =>
  Float64Array.from({ length: n }, (_, j) => (j === i ? 3 : 0));

/** ‖P x‖² for the projector onto the span of orthogonal unit vectors e_i, i in `support`. */
function inSpan(x: Float64Array, support: number[]): number {
  return support.reduce((s, i) => s + x[i] ** 2, 0);
}

Deno.test("warmStartVectors: unit rows near the warm span, random completion, seeded", () => {
  const n = 4000;
  const support = [0, 1, 2, 3, 4, 5];
  const basis = support.map((i) => unit(n, i)); // not normalised: the function normalises
  // Fewer warm vectors than start vectors: rows 0..5 are the warm vectors plus the random part,
  // rows 6..7 are random.
  const few = warmStartVectors(basis, n, 8, rng(1), "test");
  // Weight w of the random unit part: ‖P x‖² ≈ 1/(1 + w²) (the random part is nearly ⟂ the span).
  const expected = 1 / (1 + WARM_START_RANDOM_WEIGHT ** 2);
  for (let r = 0; r < 8; r++) {
    const row = few.subarray(r * n, (r + 1) * n);
    assertAlmostEquals(inner(row, row), 1, 1e-12);
    if (r < 6) {
      assertAlmostEquals(inSpan(row, support), expected, 0.01);
      assertAlmostEquals(row[r] ** 2, expected, 0.01, `row ${r} is warm vector ${r}`);
    } else {
      assert(inSpan(row, support) < 0.01, `completion row ${r} is random`);
    }
  }
  // More warm vectors than start vectors: random combinations touch every warm direction.
  const many = warmStartVectors(basis, n, 2, rng(1), "test");
  for (let r = 0; r < 2; r++) {
    const row = many.subarray(r * n, (r + 1) * n);
    assertAlmostEquals(inSpan(row, support), expected, 0.01);
    assert(support.every((i) => Math.abs(row[i]) > 1e-3), "every warm direction is present");
  }
  assertEquals(warmStartVectors(basis, n, 2, rng(1), "test"), many, "same seed, same start");
  assertThrows(
    () => warmStartVectors([], n, 2, rng(1), "who"),
    RangeError,
    "who: initialVectors is empty",
  );
  assertThrows(
    () => warmStartVectors([new Float32Array(3)], n, 2, rng(1), "who"),
    RangeError,
    "has length 3",
  );
  assertThrows(
    () => warmStartVectors([new Float64Array(n).fill(NaN)], n, 2, rng(1), "who"),
    RangeError,
    "finite and non-zero",
  );
});

Deno.test("checkResidualBound: the stopping test's bound, the floor for θ ≈ 0, the operator's noise floor", () => {
  const theta = new Float64Array([10, 5, 1e-20]);
  // Pair 2 has θ ≈ 0: its bound is tol·ε^{2/3}·scale, not tol·|θ|.
  const floor = (2 ** -52) ** (2 / 3) * 10;
  const fine = new Float64Array([5e-4, 4e-4, 0.5e-4 * floor]);
  assertEquals(checkResidualBound(theta, fine, { tol: 1e-4, scale: 10 }, "who"), {
    maxRelativeResidual: 4e-4 / 5,
    noiseLimited: 0,
  });
  assertEquals(maxRelativeResidual(theta, fine, 10).index, 1);
  const bad = new Float64Array([5e-4, 4e-4, 2e-4 * floor]);
  assertThrows(
    () => checkResidualBound(theta, bad, { tol: 1e-4, scale: 10 }, "who"),
    Error,
    "who: verification failed: pair 2",
  );
  assertThrows(
    () => checkResidualBound(theta, new Float64Array([NaN, 0, 0]), { tol: 1e-4, scale: 10 }, "who"),
    Error,
    "pair 0",
  );
  // An operator with roundoff u: residuals up to 16·u·scale pass, counted as noise-limited.
  const u = 2 ** -24;
  const noisy = new Float64Array([5e-4, 4e-4, 15 * u * 10]);
  assertEquals(
    checkResidualBound(theta, noisy, { tol: 1e-4, scale: 10, precision: u }, "who").noiseLimited,
    1,
  );
  assertThrows(
    () =>
      checkResidualBound(theta, new Float64Array([5e-4, 4e-4, 17 * u * 10]), {
        tol: 1e-4,
        scale: 10,
        precision: u,
      }, "who"),
    Error,
    "noise floor",
  );
  assertEquals(NOISE_FLOOR_ROUNDOFFS, 16);
  assertEquals(FLOAT32_ROUNDOFF, u);
});

Deno.test("verify with float32 products: small eigenvalues are noise-limited, not failures", async () => {
  // Eigenvalues from 1 down to 1e-5 among the wanted ones: float32 products cannot show a
  // residual of tol·|θ| = 1e-9 for θ = 1e-5 (their rounding is ~1e-8), so an exact-operator
  // verification fails and a float32-aware one passes, counting those pairs as noise-limited.
  const n = 300, k = 12;
  const lambda = Float64Array.from(
    { length: n },
    (_, i) => (i < k + 8 ? 10 ** (-i / 4) : -0.5 - i / n),
  );
  const a = conjugateDiagonal(randomOrthogonal(n, rng(51)), lambda);
  // Products accumulated in float32, like the engine's per-sample work: their error is relative
  // to ‖A‖, not to ‖A v‖.
  const a32 = Float32Array.from(a);
  const f32 = (v: Float64Array) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s = Math.fround(s + Math.fround(a32[i * n + j] * v[j]));
      out[i] = s;
    }
    return out;
  };
  await assertRejects(
    () => lanczosTopK(f32, n, { k, seed: 1, verify: true, tol: 1e-4 }),
    Error,
    "verification failed",
  );
  const r = await lanczosTopK(f32, n, {
    k,
    seed: 1,
    verify: true,
    tol: 1e-4,
    operatorPrecision: FLOAT32_ROUNDOFF,
  });
  assert(r.verification!.noiseLimited > 0, "the smallest pairs are noise-limited");
  assert(r.verification!.noiseLimited < k, "the largest pairs meet tol");
  for (let i = 0; i < k; i++) assertAlmostEquals(r.eigenvalues[i], lambda[i], 1e-6);
});
