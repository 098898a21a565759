import { assert, assertEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { LayoutBuilder } from "../../lib/compute/layout.ts";
// Importing the tfjs reference installs the second-order-safe gradients: the plain tfjs ops
// below must then have exact second derivatives without any call to initRuntime.
import { blockTensor } from "./tfjs.ts";

if (!(await tf.setBackend("cpu"))) throw new Error("could not select the tfjs cpu backend");

const xs = [-2.5, -0.3, 0, 0.1, 0.8, 3];

/** Values, first and second derivatives of Σ f(g(x)) with g(x) = x²/2 + x (so chain terms matter). */
function derivatives(f: (t: tf.Tensor) => tf.Tensor): [number[], number[], number[]] {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const inner = (t: tf.Tensor) => tf.add(tf.mul(0.5, tf.square(t)), t);
    const total = (t: tf.Tensor) => tf.sum(f(inner(t)));
    const value = f(inner(x));
    const d1 = tf.grad(total)(x);
    const d2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(total)(t)))(x);
    return [Array.from(value.dataSync()), Array.from(d1.dataSync()), Array.from(d2.dataSync())];
  });
}

/** Exact values for F(x) = f(g(x)): F' = f'(g)·g', F'' = f''(g)·g'² + f'(g)·g'' with g'' = 1. */
function exact(f0: (u: number) => number, f1: (u: number) => number, f2: (u: number) => number) {
  const v: number[] = [], d1: number[] = [], d2: number[] = [];
  for (const x of xs) {
    const g = 0.5 * x * x + x, gp = x + 1;
    v.push(f0(g));
    d1.push(f1(g) * gp);
    d2.push(f2(g) * gp * gp + f1(g));
  }
  return [v, d1, d2];
}

function assertAllClose(a: number[], b: number[], tol: number, what: string) {
  for (let i = 0; i < a.length; i++) {
    assert(
      Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])),
      `${what}[${i}]: ${a[i]} vs ${b[i]}`,
    );
  }
}

const sig = (u: number) => 1 / (1 + Math.exp(-u));
const cases = [
  {
    name: "tf.tanh",
    op: tf.tanh,
    f0: Math.tanh,
    f1: (u: number) => 1 - Math.tanh(u) ** 2,
    f2: (u: number) => -2 * Math.tanh(u) * (1 - Math.tanh(u) ** 2),
  },
  {
    name: "tf.exp",
    op: tf.exp,
    f0: Math.exp,
    f1: Math.exp,
    f2: Math.exp,
  },
  {
    name: "tf.sigmoid",
    op: tf.sigmoid,
    f0: sig,
    f1: (u: number) => sig(u) * (1 - sig(u)),
    f2: (u: number) => sig(u) * (1 - sig(u)) * (1 - 2 * sig(u)),
  },
];

for (const c of cases) {
  Deno.test(`${c.name}: value, first and second derivatives are exact once lib/nn is imported`, () => {
    const before = tf.memory().numTensors;
    const [v, d1, d2] = derivatives(c.op);
    assertEquals(tf.memory().numTensors, before, "leaked tensors");
    const [ev, ed1, ed2] = exact(c.f0, c.f1, c.f2);
    assertAllClose(v, ev, 1e-5, "value");
    assertAllClose(d1, ed1, 1e-5, "first derivative");
    assertAllClose(d2, ed2, 1e-4, "second derivative");
  });
}

Deno.test("blockTensor: slices and reshapes blocks; gradient lands in the block's range", () => {
  const layout = new LayoutBuilder().add("w", [2, 3]).add("b", [3]).add("s", []).build();
  const theta = Float32Array.from({ length: layout.size }, (_, i) => i + 1);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const t = tf.tensor1d(theta);
    const w = blockTensor(t, layout, "w");
    assertEquals(w.shape, [2, 3]);
    assertEquals(Array.from(w.dataSync()), [1, 2, 3, 4, 5, 6]);
    assertEquals(blockTensor(t, layout, "s").shape, []);
    assertEquals(Array.from(blockTensor(t, layout, "s").dataSync()), [10]);
    const g = tf.grad((u: tf.Tensor) =>
      tf.sum(tf.square(blockTensor(u as tf.Tensor1D, layout, "b")))
    )(t);
    assertEquals(Array.from(g.dataSync()), [0, 0, 0, 0, 0, 0, 14, 16, 18, 0]);
    assertThrows(
      () => blockTensor(tf.zeros([9]) as tf.Tensor1D, layout, "w"),
      Error,
      "10 elements",
    );
    assertThrows(() => blockTensor(t, layout, "bias"), Error, 'no block "bias"');
  });
  assertEquals(tf.memory().numTensors, before);
});
