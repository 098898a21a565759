// The measurement of one checkpoint (lib/subspaces/measure.ts) on a problem whose Hessian is known
// in closed form: linear least squares, L = κ·mean (φᵀθ − y)² with φ = [x, 1], so
// H = (2κ/m)·Σ φφᵀ and ∇L = (2κ/m)·Σ (φᵀθ − y)·φ. Eigenpairs are checked against a dense
// eigendecomposition of that H, S_frac against Σ_{i≤k} (uᵢᵀg)²/‖g‖² on the dense eigenvectors and
// the formula's gradients, S_overlap against ‖V₁ᵀV₂‖_F²/k on explicit vectors.
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { Rng } from "../../lib/rng.ts";
import { makeNetwork } from "../../lib/compute/network.ts";
import { symmetricEigen } from "../../lib/linalg/symmetric_eigen.ts";
import {
  type CheckpointProblem,
  type DataEstimator,
  type EigenSolve,
  eigenspaceOverlaps,
  estimatorFractions,
  measureCheckpoint,
  type MeasureSettings,
  type NetworkName,
  overlapsBetweenSteps,
  type SolveKey,
  solveSeed,
} from "../../lib/subspaces/mod.ts";

const KAPPA = 0.5;
const PRECISE = 24, UNION = 16, BATCH = 4;

interface LinearData {
  /** Input width d (N = d + 1 parameters). */
  d: number;
  /** PRECISE × d inputs, multiples of 1/8 (exact in float32). */
  x: Float64Array;
  y: Float64Array;
  theta: Float32Array;
}

function linearData(d: number, seed: number): LinearData {
  const rng = new Rng(seed);
  const x = new Float64Array(PRECISE * d);
  // Columns of different scales: well separated eigenvalues.
  for (let r = 0; r < PRECISE; r++) {
    for (let j = 0; j < d; j++) x[r * d + j] = (j + 1) * Math.round(8 * rng.normal()) / 8;
  }
  const y = Float64Array.from({ length: PRECISE }, () => Math.round(8 * rng.normal()) / 8);
  const theta = Float32Array.from({ length: d + 1 }, () => rng.normal());
  return { d, x, y, theta };
}

/** φ of row r. */
function phi(data: LinearData, r: number): Float64Array {
  const f = new Float64Array(data.d + 1);
  f.set(data.x.subarray(r * data.d, (r + 1) * data.d));
  f[data.d] = 1;
  return f;
}

function referenceHessian(data: LinearData, rows: number[]): Float64Array {
  const n = data.d + 1, h = new Float64Array(n * n);
  for (const r of rows) {
    const f = phi(data, r);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) h[i * n + j] += (2 * KAPPA / rows.length) * f[i] * f[j];
    }
  }
  return h;
}

function referenceGradient(data: LinearData, rows: number[]): { g: Float64Array; loss: number } {
  const n = data.d + 1, g = new Float64Array(n);
  let loss = 0;
  for (const r of rows) {
    const f = phi(data, r);
    let e = -data.y[r];
    for (let i = 0; i < n; i++) e += f[i] * data.theta[i];
    loss += KAPPA * e * e / rows.length;
    for (let i = 0; i < n; i++) g[i] += (2 * KAPPA / rows.length) * e * f[i];
  }
  return { g, loss };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const rowsOf = (estimator: DataEstimator) => range(0, estimator === "precise" ? PRECISE : UNION);
const batchRows = (i: number) => range(i * BATCH, (i + 1) * BATCH);

/** A two-network checkpoint of linear least-squares losses; counts open losses. */
class LinearProblem implements CheckpointProblem {
  readonly algo = "linear";
  readonly networks: readonly NetworkName[] = ["actor", "critic"];
  readonly miniBatchCount = UNION / BATCH;
  open = 0;
  asked: string[] = [];
  constructor(readonly step: number, readonly data: Record<NetworkName, LinearData>) {}
  parameterCount(network: NetworkName): number {
    return this.data[network].d + 1;
  }
  sampleCount(estimator: DataEstimator): number {
    return rowsOf(estimator).length;
  }
  loss(network: NetworkName, estimator: DataEstimator) {
    this.asked.push(`${network}/${estimator}`);
    return this.#loss(network, rowsOf(estimator));
  }
  miniBatchLoss(network: NetworkName, index: number) {
    this.asked.push(`${network}/batch${index}`);
    return this.#loss(network, batchRows(index));
  }
  describe() {
    return {};
  }
  dispose() {}
  #loss(network: NetworkName, rows: number[]) {
    const data = this.data[network], d = data.d;
    const net = makeNetwork(
      [{ fanIn: d, fanOut: 1, groups: [{ width: 1, weight: 0, bias: d }] }],
      "tanh",
    );
    this.open++;
    let disposed = false;
    return {
      label: `${network} rows ${rows[0]}–${rows.at(-1)}`,
      theta: data.theta,
      objective: {
        kind: "regression" as const,
        nets: [net],
        inputs: Float64Array.from(rows.flatMap((r) => [...data.x.subarray(r * d, (r + 1) * d)])),
        targets: Float64Array.from(rows, (r) => data.y[r]),
        coef: KAPPA,
        clip: null,
      },
      dispose: () => {
        if (!disposed) this.open--;
        disposed = true;
      },
    };
  }
}

const DATA = { actor: linearData(6, 1), critic: linearData(4, 2) };
const SETTINGS: MeasureSettings = {
  ks: [1, 2, 3],
  tol: 1e-10,
  maxIter: 500,
  seed: 7,
  hessian: { engine: "cpu" },
};

/** Dense top eigenpairs of the reference Hessian (eigenvectors as rows). */
function denseTop(network: NetworkName, estimator: DataEstimator) {
  const data = DATA[network], n = data.d + 1;
  const e = symmetricEigen(referenceHessian(data, rowsOf(estimator)), n);
  const vectors = Array.from({ length: n }, (_, i) => e.vectors!.subarray(i * n, (i + 1) * n));
  return { values: e.values, vectors };
}

/** S_frac on explicit vectors: Σ_{i≤k} (uᵢᵀg)²/‖g‖², averaged over the gradients. */
function referenceFraction(vectors: Float64Array[], gradients: Float64Array[], k: number): number {
  let sum = 0;
  for (const g of gradients) {
    let inside = 0, total = 0;
    for (let i = 0; i < k; i++) inside += vectors[i].reduce((s, u, j) => s + u * g[j], 0) ** 2;
    for (const x of g) total += x * x;
    sum += inside / total;
  }
  return sum / gradients.length;
}

Deno.test("measureCheckpoint: eigenpairs, gradients and S_frac of a known Hessian; losses asked in order and disposed", async () => {
  const problem = new LinearProblem(300, DATA);
  const solved: string[] = [];
  const phases = new Set<string>();
  const m = await measureCheckpoint(problem, SETTINGS, {
    onSolve: (s) => void solved.push(`${s.network}/${s.estimator}`),
    onProgress: (p) => phases.add(p.phase),
  });
  assertEquals(problem.open, 0, "every loss is disposed");
  assertEquals(solved, ["actor/precise", "actor/minibatch", "critic/precise", "critic/minibatch"]);
  assertEquals(problem.asked, [
    ...["actor/precise", "actor/minibatch", "actor/batch0", "actor/batch1", "actor/batch2"],
    ...["actor/batch3", "critic/precise", "critic/minibatch", "critic/batch0", "critic/batch1"],
    ...["critic/batch2", "critic/batch3"],
  ]);
  assert(phases.has("hessian") && phases.has("gradients"));
  assertEquals(m.step, 300);
  assertEquals(m.networks.map((x) => x.network), ["actor", "critic"]);
  assertEquals(m.spectra, []);
  assertEquals(m.hvpCount, m.networks.flatMap((x) => x.solves).reduce((s, x) => s + x.hvpCount, 0));

  for (const net of m.networks) {
    const data = DATA[net.network];
    assertEquals(net.n, data.d + 1);
    // Eigenpairs against the dense eigendecomposition of H.
    for (const estimator of ["precise", "minibatch"] as const) {
      const dense = denseTop(net.network, estimator);
      const solve = net.solves.find((s) => s.estimator === estimator)!;
      assertEquals([solve.k, solve.samples, solve.converged], [3, rowsOf(estimator).length, true]);
      assert(solve.eigenvectors.every((v) => v instanceof Float32Array && v.length === net.n));
      for (let i = 0; i < 3; i++) {
        const rel = Math.abs(solve.eigenvalues[i] - dense.values[i]) / dense.values[i];
        assert(
          rel < 1e-9,
          `${net.network} ${estimator} λ${i}: ${solve.eigenvalues[i]} vs ${dense.values[i]}`,
        );
        const cos = dense.vectors[i].reduce((s, u, j) => s + u * solve.eigenvectors[i][j], 0);
        assertAlmostEquals(Math.abs(cos), 1, 1e-6, `${net.network} ${estimator} v${i}`);
      }
      assertEquals(net.eigen[estimator], solve);
    }
    // Gradients against the formula.
    const precise = referenceGradient(data, rowsOf("precise"));
    const batches = range(0, UNION / BATCH).map((i) => referenceGradient(data, batchRows(i)).g);
    assertAlmostEquals(net.preciseGradientNorm, Math.hypot(...precise.g), 1e-9);
    assertAlmostEquals(net.preciseLoss, precise.loss, 1e-9);
    net.miniBatchGradientNorms.forEach((x, i) =>
      assertAlmostEquals(x, Math.hypot(...batches[i]), 1e-9)
    );
    assertEquals(net.skippedZeroGradients, 0);
    // S_frac of the four combinations against the formula on the dense eigenvectors.
    assertEquals(net.fractions.map((f) => f.estimator), [
      "precise/precise",
      "minibatch/precise",
      "minibatch/minibatch",
      "precise/minibatch",
    ]);
    for (const f of net.fractions) {
      const [gradient, hessian] = f.estimator.split("/") as [DataEstimator, DataEstimator];
      const gradients = gradient === "precise" ? [precise.g] : batches;
      const vectors = denseTop(net.network, hessian).vectors;
      SETTINGS.ks.forEach((k, j) =>
        assertAlmostEquals(
          f.values[j],
          referenceFraction(vectors, gradients, k),
          1e-6,
          `${net.network} ${f.estimator} k=${k}`,
        )
      );
    }
  }
});

Deno.test("measureCheckpoint: known eigenpairs skip their solves and give the same S_frac to the bit; warm starts; spectra", async () => {
  const first = await measureCheckpoint(new LinearProblem(300, DATA), SETTINGS);
  const known: Partial<Record<SolveKey, EigenSolve>> = {};
  for (const net of first.networks) {
    for (const s of net.solves) known[`${s.network}/${s.estimator}`] = s;
  }

  // Everything known: no solves, no HVPs, the precise gradient still measured.
  const problem = new LinearProblem(300, DATA);
  const again = await measureCheckpoint(problem, SETTINGS, { known });
  assertEquals(again.hvpCount, 0);
  assertEquals(again.networks.flatMap((x) => x.solves), []);
  assertEquals(
    problem.asked.filter((a) => a.endsWith("minibatch")),
    [],
    "known mini-batch Hessians need no loss",
  );
  again.networks.forEach((net, i) => {
    assertEquals(net.fractions, first.networks[i].fractions);
    assertEquals(net.preciseGradientNorm, first.networks[i].preciseGradientNorm);
  });

  // Only the critic, one known pair, warm starts with verification, and its full spectrum.
  const warm = await measureCheckpoint(
    new LinearProblem(600, DATA),
    { ...SETTINGS, verify: true },
    {
      networks: ["critic"],
      spectra: ["critic"],
      known: { "critic/minibatch": known["critic/minibatch"] },
      startVectors: { "critic/precise": known["critic/precise"]!.eigenvectors },
    },
  );
  assertEquals(warm.networks.map((x) => x.network), ["critic"]);
  const [solve] = warm.networks[0].solves;
  assertEquals([solve.step, solve.network, solve.estimator, solve.warmStarted], [
    600,
    "critic",
    "precise",
    true,
  ]);
  assert(solve.verification !== undefined && solve.verification.maxRelativeResidual <= 1e-10);
  const dense = denseTop("critic", "precise");
  solve.eigenvalues.forEach((x, i) =>
    assertAlmostEquals(x, dense.values[i], 1e-9 * dense.values[i])
  );
  const [spectrum] = warm.spectra;
  assertEquals([spectrum.network, spectrum.samples, spectrum.spectrum.kind], [
    "critic",
    PRECISE,
    "explicit",
  ]);
  if (spectrum.spectrum.kind !== "explicit") throw new Error("unreachable");
  spectrum.spectrum.eigenvalues.forEach((x, i) =>
    assertAlmostEquals(x, dense.values[i], 1e-9 * Math.max(1, dense.values[i]))
  );
  assertEquals(warm.hvpCount, solve.hvpCount + spectrum.spectrum.hvpCount);
});

Deno.test("measureCheckpoint: k above N is measured at N (S_frac 1); the block solver agrees; zero gradients are an error", async () => {
  const wide = await measureCheckpoint(
    new LinearProblem(0, DATA),
    { ...SETTINGS, ks: [1, 5, 10] },
    {
      networks: ["critic"],
    },
  );
  const critic = wide.networks[0];
  assertEquals(critic.n, 5);
  assertEquals(critic.solves.map((s) => s.k), [5, 5]);
  for (const f of critic.fractions) assertAlmostEquals(f.values[2], 1, 1e-6, f.estimator);
  for (const f of critic.fractions) assertEquals(f.values[1], f.values[2]);

  const block = await measureCheckpoint(new LinearProblem(0, DATA), { ...SETTINGS, blockSize: 2 }, {
    networks: ["actor"],
  });
  const dense = denseTop("actor", "precise");
  assertEquals(block.networks[0].eigen.precise.eigenvalues.length, 3);
  for (let i = 0; i < 3; i++) {
    assertAlmostEquals(
      block.networks[0].eigen.precise.eigenvalues[i],
      dense.values[i],
      1e-9 * dense.values[i],
    );
  }

  // Targets fitted exactly: every gradient is zero, S_frac = 0/0.
  const fitted = structuredClone(DATA);
  for (const net of ["actor", "critic"] as const) {
    const d = fitted[net];
    for (let r = 0; r < PRECISE; r++) {
      d.y[r] = phi(d, r).reduce((s, f, i) => s + f * d.theta[i], 0);
    }
  }
  const problem = new LinearProblem(100, fitted);
  await assertRejects(
    () => measureCheckpoint(problem, SETTINGS, { networks: ["actor"] }),
    Error,
    "Step 100, actor: every mini-batch gradient is zero",
  );
  assertEquals(problem.open, 0, "losses are disposed on errors too");
});

Deno.test("estimatorFractions and overlaps on explicit vectors", () => {
  const e = (i: number, n = 4) => Float32Array.from({ length: n }, (_, j) => (i === j ? 1 : 0));
  const precise = { eigenvalues: [3, 2, 1], eigenvectors: [e(0, 3), e(1, 3), e(2, 3)] };
  const minibatch = { eigenvalues: [3, 2, 1], eigenvectors: [e(2, 3), e(0, 3), e(1, 3)] };
  const g = new Float64Array([3, 4, 0]), h = new Float64Array([0, 0, 2]);
  const f = estimatorFractions({ precise, minibatch }, { precise: [g], minibatch: [g, h] }, [
    1,
    2,
    5,
  ]);
  const byKey = Object.fromEntries(f.map((x) => [x.estimator, x.values]));
  // precise/precise: 9/25, 25/25; minibatch/precise: (9/25 + 0)/2, (1 + 0)/2;
  // minibatch/minibatch: (0 + 1)/2, (9/25 + 1)/2; precise/minibatch: 0, 9/25; k = 5 → k = 3: 1.
  const expected: Record<string, number[]> = {
    "precise/precise": [0.36, 1, 1],
    "minibatch/precise": [0.18, 0.5, 1],
    "minibatch/minibatch": [0.5, 0.68, 1],
    "precise/minibatch": [0, 0.36, 1],
  };
  for (const [key, values] of Object.entries(expected)) {
    values.forEach((v, j) => assertAlmostEquals(byKey[key][j], v, 1e-12, `${key} ${j}`));
  }

  // S_overlap = ‖V₁ᵀV₂‖_F²/k: a rotation by θ in the (e0, e3) plane.
  const [c, s] = [Math.cos(0.3), Math.sin(0.3)];
  const rotated = Float32Array.from([c, 0, 0, s]);
  const prev = [e(0), e(1), e(2)], now = [rotated, e(1), e(2).map((x) => -x)];
  const c2 = Math.fround(c) ** 2;
  const o = eigenspaceOverlaps(prev, now, [1, 2, 3, 4]);
  assertEquals(o.map((x) => x.k), [1, 2, 3], "k = 4 is more than either basis holds");
  [c2, (c2 + 1) / 2, (c2 + 2) / 3].forEach((v, j) => assertAlmostEquals(o[j].value, v, 1e-7));

  const bases = new Map([[20, now], [0, prev], [10, prev]]);
  const rows = overlapsBetweenSteps(bases, [10, 0, 99], [1, 2]);
  assertEquals(rows.map((r) => [r.t1, r.t2, r.k]), [
    [10, 20, 1],
    [10, 20, 2],
    [0, 10, 1],
    [0, 10, 2],
    [0, 20, 1],
    [0, 20, 2],
  ]);
  assertAlmostEquals(rows[0].value, c2, 1e-7);
  assertAlmostEquals(rows[2].value, 1, 1e-12);

  // Every solve of an analysis starts from its own seed.
  const seeds = new Set(
    [0, 1].flatMap((step) =>
      (["actor", "critic"] as const).flatMap((n) =>
        (["precise", "minibatch"] as const).map((d) => solveSeed(3, step, n, d))
      )
    ),
  );
  assertEquals(seeds.size, 8);
});
