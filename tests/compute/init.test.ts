import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { orthogonalInit, torchDefaultLinearInit, transpose } from "../../lib/compute/init.ts";
import { Rng } from "../../lib/rng.ts";

/** Gram matrix of the columns (cols×cols) of a rows×cols row-major matrix. */
function columnGram(a: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  for (let c1 = 0; c1 < cols; c1++) {
    for (let c2 = 0; c2 < cols; c2++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += a[i * cols + c1] * a[i * cols + c2];
      g[c1 * cols + c2] = s;
    }
  }
  return g;
}

function assertScaledIdentity(g: Float64Array, n: number, scale: number, tol = 1e-12): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const want = i === j ? scale : 0;
      assert(
        Math.abs(g[i * n + j] - want) <= tol * Math.max(1, scale),
        `G[${i},${j}]=${g[i * n + j]}`,
      );
    }
  }
}

/**
 * Independent reference: modified Gram–Schmidt on the columns of a tall matrix. With a full-rank
 * input this is the unique QR with positive diag R, i.e. what orthogonal_'s sign fix produces.
 */
function gramSchmidtColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  const q = a.slice();
  for (let c = 0; c < cols; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += q[i * cols + p] * q[i * cols + c];
      for (let i = 0; i < rows; i++) q[i * cols + c] -= dot * q[i * cols + p];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + c] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) q[i * cols + c] /= norm;
  }
  return q;
}

Deno.test("orthogonalInit: WᵀW = gain²·I for tall/square, WWᵀ = gain²·I for wide", () => {
  const rng = new Rng(3);
  for (const [rows, cols, gain] of [[64, 3, Math.SQRT2], [8, 8, 1], [1, 64, 0.01], [6, 64, 2]]) {
    const w = orthogonalInit(rows, cols, gain, rng);
    assertEquals(w.length, rows * cols);
    if (rows >= cols) {
      assertScaledIdentity(columnGram(w, rows, cols), cols, gain * gain);
    } else {
      assertScaledIdentity(columnGram(transpose(w, rows, cols), cols, rows), rows, gain * gain);
    }
  }
});

Deno.test("orthogonalInit: equals Gram–Schmidt of the same normal draws (torch's sign fix)", () => {
  // Tall: columns of A orthonormalised. Wide: rows of A orthonormalised (torch transposes).
  for (const [rows, cols] of [[7, 4], [3, 5], [5, 5]]) {
    const rng = new Rng(11);
    const drawn = rng.clone().fillNormal(new Float64Array(rows * cols));
    const gain = 1.7;
    const w = orthogonalInit(rows, cols, gain, rng);
    const ref = rows >= cols
      ? gramSchmidtColumns(drawn, rows, cols)
      : transpose(gramSchmidtColumns(transpose(drawn, rows, cols), cols, rows), cols, rows);
    for (let i = 0; i < w.length; i++) assertAlmostEquals(w[i], gain * ref[i], 1e-12);
  }
});

Deno.test("orthogonalInit: Haar-distributed entries (symmetric, E[W₀₀²] = 1/n)", () => {
  const rng = new Rng(5);
  const n = 3, draws = 2000;
  let positive = 0, sumSq = 0;
  for (let k = 0; k < draws; k++) {
    const w = orthogonalInit(n, n, 1, rng);
    if (w[0] > 0) positive++;
    sumSq += w[0] * w[0];
  }
  // Householder QR without the sign fix would give W₀₀ ≤ 0 always.
  assert(Math.abs(positive / draws - 0.5) < 0.05, `P(W00 > 0) = ${positive / draws}`);
  // W₀₀² ~ Beta(1/2, 1) on the 3-sphere: mean 1/3, sd 0.30 → standard error 0.0067.
  assert(Math.abs(sumSq / draws - 1 / 3) < 0.03, `E[W00²] = ${sumSq / draws}`);
});

Deno.test("torchDefaultLinearInit: U(±1/√fan_in) weights and biases, torch draw order", () => {
  const fanIn = 16, fanOut = 300;
  const rng = new Rng(9);
  const replay = rng.clone();
  const { weight, bias } = torchDefaultLinearInit(fanIn, fanOut, rng);
  const bound = 1 / Math.sqrt(fanIn); // kaiming_uniform(a=√5): √(1/3)·√(3/fan_in)
  assertEquals(weight.length, fanIn * fanOut);
  assertEquals(bias.length, fanOut);
  for (const arr of [weight, bias]) {
    let max = 0, sumSq = 0;
    for (const v of arr) {
      assert(Math.abs(v) <= bound, `|${v}| > ${bound}`);
      max = Math.max(max, Math.abs(v));
      sumSq += v * v;
    }
    assert(max > 0.95 * bound, "draws should reach close to the bound");
    const variance = sumSq / arr.length; // U(±b) has variance b²/3
    assert(Math.abs(variance / (bound * bound / 3) - 1) < 0.2, `variance ${variance}`);
  }
  // torch fills weight (out, in) row-major, then bias; we store W[i, o] = torch_weight[o, i].
  for (let o = 0; o < 2; o++) {
    for (let i = 0; i < fanIn; i++) {
      assertEquals(weight[i * fanOut + o], replay.uniform(-bound, bound));
    }
  }
  for (let k = 2 * fanIn; k < fanIn * fanOut; k++) replay.uniform(-bound, bound);
  assertEquals(bias[0], replay.uniform(-bound, bound));
});

Deno.test("init: bad arguments are rejected with a clear message", () => {
  const rng = new Rng(0);
  assertThrows(() => orthogonalInit(0, 3, 1, rng), RangeError, "positive integers");
  assertThrows(() => orthogonalInit(2, 3, NaN, rng), RangeError, "gain must be finite");
  assertThrows(() => torchDefaultLinearInit(3, 0, rng), RangeError, "positive integers");
  assertThrows(() => transpose(new Float64Array(5), 2, 3), RangeError, "2×3");
});
