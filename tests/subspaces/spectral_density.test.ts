import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  slqTrace,
  spectralDensity,
  stochasticLanczosQuadrature,
} from "../../lib/subspaces/spectral_density.ts";
import { conjugateDiagonal, inner, matVec, randomOrthogonal, rng } from "../linalg/_fixtures.ts";

const n = 200;
// Two clusters: 70% of the eigenvalues near −1, 30% near 5.
const lambda = Float64Array.from(
  { length: n },
  (_, i) => (i < 140 ? -1 + 0.3 * Math.sin(i) : 5 + 0.5 * Math.cos(i)),
);
const a = conjugateDiagonal(randomOrthogonal(n, rng(1)), lambda);
const op = (v: Float64Array) => matVec(a, v);

Deno.test("SLQ: Gauss quadrature is exact for low-degree polynomials of a given probe", async () => {
  const v = rng(2).fillNormal(new Float64Array(n));
  const vv = inner(v, v);
  const av = matVec(a, v);
  const a2v = matVec(a, av);
  const a3v = matVec(a, a2v);
  // 4 Lanczos steps → exact up to degree 7.
  const slq = await stochasticLanczosQuadrature(op, n, { probes: 1, steps: 4, probeVectors: [v] });
  assertEquals(slq.hvpCount, 4);
  assertAlmostEquals(slq.weights[0].reduce((s, x) => s + x, 0), 1, 1e-14);
  assertAlmostEquals(slqTrace(slq, (x) => x), inner(v, av) / vv, 1e-12);
  assertAlmostEquals(slqTrace(slq, (x) => x * x), inner(av, av) / vv, 1e-11);
  assertAlmostEquals(
    slqTrace(slq, (x) => x ** 6),
    inner(a3v, a3v) / vv,
    1e-9 * inner(a3v, a3v) / vv,
  );
});

Deno.test("SLQ: tr(A²)/n within 4σ of the Hutchinson variance, nodes inside the spectrum", async () => {
  const probes = 30;
  const slq = await stochasticLanczosQuadrature(op, n, { probes, steps: 20, seed: 3 });
  assertEquals(slq.nodes.length, probes);
  assertEquals(slq.hvpCount, probes * 20);
  const truth = lambda.reduce((s, x) => s + x * x, 0) / n;
  // Rademacher: Var(zᵀBz) = 2(‖B‖_F² − Σ Bᵢᵢ²) for B = A²; per probe divide by n².
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ai = a.subarray(i * n, (i + 1) * n);
    for (let j = 0; j < n; j++) b[i * n + j] = inner(ai, a.subarray(j * n, (j + 1) * n));
  }
  let frob = 0;
  let diag = 0;
  for (let i = 0; i < n; i++) {
    diag += b[i * n + i] ** 2;
    for (let j = 0; j < n; j++) frob += b[i * n + j] ** 2;
  }
  const sigma = Math.sqrt((2 * (frob - diag)) / n ** 2 / probes);
  const estimate = slqTrace(slq, (x) => x * x);
  assert(Math.abs(estimate - truth) < 4 * sigma, `${estimate} vs ${truth} (σ = ${sigma})`);
  const lo = Math.min(...lambda);
  const hi = Math.max(...lambda);
  for (const th of slq.nodes) for (const x of th) assert(x >= lo - 1e-9 && x <= hi + 1e-9);
});

Deno.test("SLQ density integrates to 1 and puts ≈30% of the mass in the upper cluster", async () => {
  const slq = await stochasticLanczosQuadrature(op, n, {
    probes: 20,
    steps: 30,
    seed: 5,
    distribution: "gaussian",
  });
  const { grid, density, sigma } = spectralDensity(slq, { sigma: 0.1, gridSize: 2000 });
  assertEquals(sigma, 0.1);
  const dx = grid[1] - grid[0];
  let total = 0;
  let upper = 0;
  for (let i = 0; i + 1 < grid.length; i++) {
    const area = 0.5 * dx * (density[i] + density[i + 1]);
    total += area;
    if (grid[i] > 2) upper += area;
  }
  assertAlmostEquals(total, 1, 1e-6);
  assert(Math.abs(upper - 0.3) < 0.06, `upper cluster mass ${upper}`);
  // Default σ and grid also integrate to 1.
  const d2 = spectralDensity(slq);
  let t2 = 0;
  for (let i = 0; i + 1 < d2.grid.length; i++) {
    t2 += 0.5 * (d2.grid[i + 1] - d2.grid[i]) * (d2.density[i] + d2.density[i + 1]);
  }
  assertAlmostEquals(t2, 1, 1e-6);
});

Deno.test("SLQ: invariant subspace ends a probe early with exact quadrature", async () => {
  // Identity: the first Krylov step is already invariant.
  const slq = await stochasticLanczosQuadrature((v) => v.slice(), 10, { probes: 2, steps: 5 });
  assertEquals(slq.hvpCount, 2);
  assertEquals(Array.from(slq.nodes[0]), [1]);
  assertAlmostEquals(slqTrace(slq, (x) => x * x), 1, 1e-15);
});

Deno.test("SLQ: bad input gives clear errors", async () => {
  await assertRejects(
    () => stochasticLanczosQuadrature(op, n, { probes: 0, steps: 3 }),
    RangeError,
    "probes",
  );
  await assertRejects(
    () => stochasticLanczosQuadrature(op, n, { probes: 1, steps: 0 }),
    RangeError,
    "steps",
  );
  await assertRejects(
    () => stochasticLanczosQuadrature((v) => v.map(() => Infinity), n, { probes: 1, steps: 2 }),
    RangeError,
    "Infinity",
  );
  const slq = await stochasticLanczosQuadrature(op, n, { probes: 1, steps: 2 });
  assertThrows(() => spectralDensity(slq, { sigma: 0 }), RangeError, "sigma");
});
