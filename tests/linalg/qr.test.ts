import { assert, assertEquals, assertThrows } from "@std/assert";
import { householderQr } from "../../lib/linalg/qr.ts";
import { Rng } from "../../lib/rng.ts";
import { findPython } from "../../tools/python_ref.ts";
import { runOracle } from "../python_oracles.ts";

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  return new Rng(seed).fillNormal(new Float64Array(rows * cols));
}

/** Checks A = QR, QᵀQ = I and R upper triangular, to `tol` relative to ‖A‖_max. */
function assertValidQr(a: Float64Array, rows: number, cols: number, tol = 1e-12): void {
  const { q, r, k } = householderQr(a, rows, cols);
  assertEquals(k, Math.min(rows, cols));
  assertEquals(q.length, rows * k);
  assertEquals(r.length, k * cols);
  const scale = Math.max(1, ...Array.from(a, Math.abs));
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += q[i * k + t] * r[t * cols + c];
      assert(
        Math.abs(s - a[i * cols + c]) <= tol * scale,
        `QR[${i},${c}] = ${s} but A = ${a[i * cols + c]}`,
      );
    }
  }
  for (let c1 = 0; c1 < k; c1++) {
    for (let c2 = 0; c2 < k; c2++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += q[i * k + c1] * q[i * k + c2];
      assert(Math.abs(s - (c1 === c2 ? 1 : 0)) <= tol, `(QᵀQ)[${c1},${c2}] = ${s}`);
    }
  }
  for (let i = 0; i < k; i++) {
    for (let c = 0; c < Math.min(i, cols); c++) assertEquals(r[i * cols + c], 0);
  }
}

Deno.test("householderQr: tall, square and wide random matrices", () => {
  assertValidQr(randomMatrix(7, 4, 1), 7, 4);
  assertValidQr(randomMatrix(5, 5, 2), 5, 5);
  assertValidQr(randomMatrix(3, 6, 3), 3, 6);
  assertValidQr(randomMatrix(64, 17, 4), 64, 17);
  assertValidQr(randomMatrix(1, 1, 5), 1, 1);
  assertValidQr(randomMatrix(1, 4, 6), 1, 4);
  assertValidQr(randomMatrix(4, 1, 7), 4, 1);
});

Deno.test("householderQr: analytic 2×2 case with LAPACK signs", () => {
  // First column (3, 4) has norm 5 and a positive pivot, so R[0,0] = −5 and Q[:,0] = −(3, 4)/5.
  const { q, r } = householderQr(new Float64Array([3, 1, 4, 2]), 2, 2);
  const close = (x: number, y: number) => Math.abs(x - y) < 1e-14;
  assert(close(r[0], -5) && close(r[1], -11 / 5) && r[2] === 0, `R = ${r}`);
  assert(close(Math.abs(r[3]), 2 / 5), `|R[1,1]| = |det A| / 5 = 0.4, got ${r[3]}`);
  assert(close(q[0], -0.6) && close(q[2], -0.8), `Q[:,0] = ${q[0]}, ${q[2]}`);
});

Deno.test("householderQr: rank-deficient, already-triangular and badly scaled inputs", () => {
  // Zero column and a duplicated column.
  const a = randomMatrix(5, 3, 8);
  for (let i = 0; i < 5; i++) {
    a[i * 3 + 1] = 0;
    a[i * 3 + 2] = a[i * 3];
  }
  assertValidQr(a, 5, 3);
  // Upper-triangular input takes the τ = 0 path everywhere.
  const tri = new Float64Array([2, 1, 3, 0, -1, 4, 0, 0, 5]);
  assertValidQr(tri, 3, 3);
  const { r } = householderQr(tri, 3, 3);
  assertEquals(Array.from(r), Array.from(tri));
  // Entries near 1e200 would overflow a naive sum of squares.
  const big = randomMatrix(4, 3, 9).map((v) => v * 1e200);
  const { r: rBig } = householderQr(big, 4, 3);
  assert(rBig.every(Number.isFinite), "R must stay finite for entries of size 1e200");
});

Deno.test("householderQr: rejects bad input with a clear message", () => {
  assertThrows(() => householderQr(new Float64Array(5), 2, 3), RangeError, "2×3 = 6");
  assertThrows(() => householderQr(new Float64Array(0), 0, 3), RangeError, "positive integers");
  assertThrows(
    () => householderQr(new Float64Array([1, NaN, 0, 1]), 2, 2),
    RangeError,
    "entry (0, 1) is NaN",
  );
});

const pythonWithNumpy = await findPython("numpy");

Deno.test({
  name: "householderQr: matches numpy.linalg.qr (LAPACK) including signs",
  ignore: pythonWithNumpy === null,
  fn: async () => {
    const cases: [number, number, number][] = [[6, 4, 11], [4, 4, 12], [3, 5, 13]];
    for (const [rows, cols, seed] of cases) {
      const a = randomMatrix(rows, cols, seed);
      const ref = await runOracle(pythonWithNumpy!, "numpy_qr", {
        a: Array.from(a),
        m: rows,
        n: cols,
      }) as { q: number[]; r: number[] };
      const { q, r } = householderQr(a, rows, cols);
      for (let i = 0; i < q.length; i++) assert(Math.abs(q[i] - ref.q[i]) < 1e-12, `Q[${i}]`);
      for (let i = 0; i < r.length; i++) assert(Math.abs(r[i] - ref.r[i]) < 1e-12, `R[${i}]`);
    }
  },
});
