// Hessian-vector products by double backprop through tanh/exp/sigmoid/softmax/elu,
// compared with mixed central finite differences of float64 references of the same functions.
import * as tf from "@tensorflow/tfjs";
import { assert } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { Rng } from "../../lib/rng.ts";

type Loss64 = (theta: Float64Array) => number;
type LossTf = (theta: tf.Tensor1D) => tf.Scalar;

/** (H v)_i by mixed central differences of a float64 loss: error O(h²) + O(ε/h²). */
function hvpFiniteDifferences(f: Loss64, theta: Float64Array, v: Float64Array, h = 1e-4) {
  const n = theta.length;
  const out = new Float64Array(n);
  const p = new Float64Array(n);
  const at = (si: number, i: number, sv: number) => {
    for (let j = 0; j < n; j++) p[j] = theta[j] + sv * h * v[j];
    p[i] += si * h;
    return f(p);
  };
  for (let i = 0; i < n; i++) {
    out[i] = (at(1, i, 1) - at(1, i, -1) - at(-1, i, 1) + at(-1, i, -1)) / (4 * h * h);
  }
  return out;
}

async function hvpDoubleBackprop(f: LossTf, theta: Float64Array, v: Float64Array) {
  const result = tf.tidy(() => {
    const vt = tf.tensor1d(Float32Array.from(v));
    const loss = (t: tf.Tensor) => f(t as tf.Tensor1D);
    const gradDotV = (t: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(t), vt));
    return tf.grad(gradDotV)(tf.tensor1d(Float32Array.from(theta)));
  });
  const data = await result.data();
  result.dispose();
  return Float64Array.from(data);
}

function relativeError(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

// A small Gaussian policy: mean = tanh(x·W + b)·u, log-std s; loss = −mean_j[A_j · exp(logπ_j)]
// (exp of the log-likelihood, as in PPO's ratio) + entropy-like term through exp(s).
const OBS = 3, HID = 4, BATCH = 5;
const N_PARAMS = OBS * HID + HID + HID + 1;
const rng = new Rng(7);
const X = rng.fillNormal(new Float64Array(BATCH * OBS));
const ACT = rng.fillNormal(new Float64Array(BATCH), 0, 0.5);
const ADV = rng.fillNormal(new Float64Array(BATCH));

function policyLoss64(theta: Float64Array): number {
  const s = theta[N_PARAMS - 1];
  let total = 0;
  for (let j = 0; j < BATCH; j++) {
    let mean = 0;
    for (let h = 0; h < HID; h++) {
      let z = theta[OBS * HID + h];
      for (let i = 0; i < OBS; i++) z += X[j * OBS + i] * theta[i * HID + h];
      mean += Math.tanh(z) * theta[OBS * HID + HID + h];
    }
    const logp = -0.5 * ((ACT[j] - mean) / Math.exp(s)) ** 2 - s - 0.5 * Math.log(2 * Math.PI);
    total += ADV[j] * Math.exp(logp * 0.5);
  }
  return -total / BATCH + 0.1 * Math.exp(2 * s);
}

function policyLossTf(theta: tf.Tensor1D): tf.Scalar {
  const w = tf.reshape(tf.slice(theta, 0, OBS * HID), [OBS, HID]);
  const b = tf.slice(theta, OBS * HID, HID);
  const u = tf.reshape(tf.slice(theta, OBS * HID + HID, HID), [HID, 1]);
  const s = tf.slice(theta, N_PARAMS - 1, 1);
  const x = tf.tensor2d(Float32Array.from(X), [BATCH, OBS]);
  const mean = tf.reshape(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w), b)), u), [BATCH]);
  const z = tf.div(tf.sub(tf.tensor1d(Float32Array.from(ACT)), mean), tf.exp(s));
  const logp = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), s), 0.5 * Math.log(2 * Math.PI));
  const weighted = tf.mul(tf.tensor1d(Float32Array.from(ADV)), tf.exp(tf.mul(logp, 0.5)));
  return tf.add(tf.neg(tf.mean(weighted)), tf.mul(0.1, tf.sum(tf.exp(tf.mul(2, s))))) as tf.Scalar;
}

// One elementwise case per re-registered kernel: f(θ) = Σ_i c_i·g(θ_i·θ_{i+1}) couples neighbours
// so that H has off-diagonal entries.
const M = 6;
const C = new Rng(3).fillNormal(new Float64Array(M));
function coupled64(g: (z: number) => number): Loss64 {
  return (t) => {
    let s = 0;
    for (let i = 0; i < M; i++) s += C[i] * g(t[i] * t[(i + 1) % M] + t[i]);
    return s;
  };
}
function coupledTf(g: (z: tf.Tensor) => tf.Tensor): LossTf {
  return (t) => {
    const shifted = tf.concat([tf.slice(t, 1, M - 1), tf.slice(t, 0, 1)]);
    const z = tf.add(tf.mul(t, shifted), t);
    return tf.sum(tf.mul(tf.tensor1d(Float32Array.from(C)), g(z))) as tf.Scalar;
  };
}
// Softmax / logSoftmax over the whole vector, weighted.
function softmax64(t: Float64Array): Float64Array {
  const m = Math.max(...t);
  const e = t.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

const cases: { name: string; f64: Loss64; ftf: LossTf; n: number }[] = [
  { name: "Gaussian policy (tanh, exp)", f64: policyLoss64, ftf: policyLossTf, n: N_PARAMS },
  { name: "tanh", f64: coupled64(Math.tanh), ftf: coupledTf(tf.tanh), n: M },
  { name: "exp", f64: coupled64(Math.exp), ftf: coupledTf(tf.exp), n: M },
  {
    name: "sigmoid",
    f64: coupled64((z) => 1 / (1 + Math.exp(-z))),
    ftf: coupledTf(tf.sigmoid),
    n: M,
  },
  {
    name: "elu",
    f64: coupled64((z) => (z > 0 ? z : Math.exp(z) - 1)),
    ftf: coupledTf(tf.elu),
    n: M,
  },
  {
    name: "softmax",
    f64: (t) => softmax64(t.map((x, i) => x * (1 + 0.3 * i))).reduce((a, p, i) => a + C[i] * p, 0),
    ftf: (t) => {
      const scale = tf.tensor1d(Array.from({ length: M }, (_, i) => 1 + 0.3 * i));
      const p = tf.softmax(tf.reshape(tf.mul(t, scale), [1, M]));
      return tf.sum(tf.mul(tf.tensor1d(Float32Array.from(C)), tf.reshape(p, [M]))) as tf.Scalar;
    },
    n: M,
  },
  {
    name: "log(softmax) (the second-order-safe logSoftmax)",
    f64: (t) =>
      softmax64(t.map((x, i) => x * (1 + 0.3 * i)))
        .reduce((a, p, i) => a + C[i] * Math.log(p) * Math.exp(-0.1 * i), 0),
    ftf: (t) => {
      const scale = tf.tensor1d(Array.from({ length: M }, (_, i) => 1 + 0.3 * i));
      const w = tf.tensor1d(Array.from({ length: M }, (_, i) => C[i] * Math.exp(-0.1 * i)));
      const lp = tf.log(tf.softmax(tf.reshape(tf.mul(t, scale), [1, M])));
      return tf.sum(tf.mul(w, tf.reshape(lp, [M]))) as tf.Scalar;
    },
    n: M,
  },
  {
    // A clamp and an element-wise min/max, as in SAC's log-std clamp and min over twin Q-nets.
    name: "clipByValue, minimum, maximum",
    f64: (t) => {
      let s = 0;
      for (let i = 0; i < M; i++) {
        const z = t[i] * t[(i + 1) % M] + t[i];
        const clamped = Math.min(Math.max(z, -0.4), 0.5);
        s += C[i] * Math.tanh(clamped + Math.min(z, 0.2 * z * z) + Math.max(z, -z * z));
      }
      return s;
    },
    ftf: (t) => {
      const shifted = tf.concat([tf.slice(t, 1, M - 1), tf.slice(t, 0, 1)]);
      const z = tf.add(tf.mul(t, shifted), t);
      const clamped = tf.clipByValue(z, -0.4, 0.5);
      const inner = tf.add(
        tf.add(clamped, tf.minimum(z, tf.mul(0.2, tf.square(z)))),
        tf.maximum(z, tf.neg(tf.square(z))),
      );
      return tf.sum(tf.mul(tf.tensor1d(Float32Array.from(C)), tf.tanh(inner))) as tf.Scalar;
    },
    n: M,
  },
];

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`HVP by double backprop equals float64 finite differences (${backend})`, async (t) => {
    await initRuntime({ backend });
    for (const c of cases) {
      await t.step(c.name, async () => {
        const r = new Rng(11);
        const theta = r.fillNormal(new Float64Array(c.n), 0, 0.6);
        const v = r.fillNormal(new Float64Array(c.n));
        // Round θ and v to float32 first so both sides evaluate at the same point.
        const theta32 = Float64Array.from(Float32Array.from(theta));
        const v32 = Float64Array.from(Float32Array.from(v));
        const reference = hvpFiniteDifferences(c.f64, theta32, v32);
        const before = tf.memory().numTensors;
        const hv = await hvpDoubleBackprop(c.ftf, theta32, v32);
        assert(tf.memory().numTensors === before, "HVP leaked tensors");
        const err = relativeError(hv, reference);
        assert(err <= 1e-4, `${c.name}: relative error ${err.toExponential(2)} > 1e-4`);
      });
    }
  });
}

Deno.test("tf.logSoftmax refuses double backprop loudly (so code must use log(softmax))", async () => {
  await initRuntime({ backend: "cpu" });
  const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(t), tf.tensor1d([1, 2, 3])));
  const secondOrder = () =>
    tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(tf.tensor1d([0.1, 0.2, 0.3])));
  let threw = false;
  try {
    secondOrder();
  } catch {
    threw = true;
  }
  assert(threw, "tf.logSoftmax now supports double backprop: update second_order_gradients.ts");
});
