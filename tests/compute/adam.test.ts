import { assert, assertEquals, assertThrows } from "@std/assert";
import { Adam } from "../../lib/compute/adam.ts";
import { runOracle, torchPython } from "../python_oracles.ts";
import { Rng } from "../../lib/rng.ts";

/**
 * Float64 transcription of torch.optim.Adam's single-tensor update (torch/optim/adam.py,
 * `_single_tensor_adam`, amsgrad=False, weight_decay=0):
 *   exp_avg.lerp_(grad, 1 − β1); exp_avg_sq.mul_(β2).addcmul_(grad, grad, 1 − β2)
 *   step_size = lr / (1 − β1^t); denom = exp_avg_sq.sqrt() / √(1 − β2^t) + eps
 *   param.addcdiv_(exp_avg, denom, −step_size)
 */
function torchAdamReference(
  params0: ArrayLike<number>,
  grads: ArrayLike<number>[],
  lrs: number[],
  eps: number,
  beta1 = 0.9,
  beta2 = 0.999,
): Float64Array {
  const p = Float64Array.from(params0);
  const expAvg = new Float64Array(p.length), expAvgSq = new Float64Array(p.length);
  grads.forEach((g, k) => {
    const t = k + 1;
    const stepSize = lrs[k] / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      expAvg[i] += (g[i] - expAvg[i]) * (1 - beta1);
      expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g[i] * g[i];
      p[i] -= stepSize * expAvg[i] / (Math.sqrt(expAvgSq[i]) / bc2Sqrt + eps);
    }
  });
  return p;
}

function problem(seed: number, n: number, steps: number) {
  const rng = new Rng(seed);
  const params = rng.fillNormal(new Float32Array(n));
  // Mix of scales, including tiny gradients where eps dominates the denominator.
  const grads = Array.from({ length: steps }, (_, k) => {
    const g = rng.fillNormal(new Float32Array(n));
    for (let i = 0; i < n; i++) g[i] *= [1, 1e-3, 1e-6, 10][(i + k) % 4];
    return g;
  });
  const lrs = Array.from({ length: steps }, (_, k) => 3e-3 * (1 - k / (steps + 1))); // linear schedule
  return { params, grads, lrs };
}

Deno.test("Adam: first step moves each parameter by lr·g/(|g| + eps) (bias correction)", () => {
  // With m = (1−β1)g and v = (1−β2)g², the corrected m̂ = g and √v̂ = |g|.
  const params = new Float32Array([1, -1, 0.5]);
  const grad = new Float32Array([2, -0.5, 1e-5]);
  const lr = 0.01, eps = 1e-5;
  const adam = new Adam(3, { lr, eps });
  adam.step(params, grad);
  const expected = [1, -1, 0.5].map((p, i) => p - lr * grad[i] / (Math.abs(grad[i]) + eps));
  for (let i = 0; i < 3; i++) {
    assert(Math.abs(params[i] - expected[i]) < 1e-7, `p[${i}] ${params[i]}`);
  }
  assertEquals(adam.stepCount, 1);
});

Deno.test("Adam: several steps with a learning-rate schedule match torch's formulas", () => {
  for (const eps of [1e-5, 1e-8]) {
    const { params, grads, lrs } = problem(1, 40, 12);
    const ref = torchAdamReference(params, grads, lrs, eps);
    const adam = new Adam(params.length, { lr: 123, eps }); // lr overridden per step
    for (let k = 0; k < grads.length; k++) adam.step(params, grads[k], lrs[k]);
    for (let i = 0; i < params.length; i++) {
      // float32 parameter storage: rounding of ~6e-8 relative per step
      assert(Math.abs(params[i] - ref[i]) < 1e-6 * Math.max(1, Math.abs(ref[i])), `p[${i}]`);
    }
  }
});

Deno.test("Adam: custom betas and the default lr", () => {
  const { params, grads } = problem(2, 10, 5);
  const ref = torchAdamReference(params, grads, grads.map(() => 0.02), 1e-8, 0.5, 0.9);
  const adam = new Adam(params.length, { lr: 0.02, beta1: 0.5, beta2: 0.9 });
  for (const g of grads) adam.step(params, g);
  for (let i = 0; i < params.length; i++) assert(Math.abs(params[i] - ref[i]) < 1e-6, `p[${i}]`);
});

Deno.test("Adam: getState/setState resumes exactly", () => {
  const { params, grads, lrs } = problem(3, 16, 8);
  const straight = params.slice();
  const a = new Adam(16, { lr: 1e-3, eps: 1e-5 });
  for (let k = 0; k < 8; k++) a.step(straight, grads[k], lrs[k]);

  const resumed = params.slice();
  const b = new Adam(16, { lr: 1e-3, eps: 1e-5 });
  for (let k = 0; k < 4; k++) b.step(resumed, grads[k], lrs[k]);
  const saved = b.getState();
  b.step(resumed.slice(), grads[7]); // mutate b after saving: the saved copy must not change
  const c = new Adam(16, { lr: 1e-3, eps: 1e-5 });
  c.setState(saved);
  assertEquals(c.stepCount, 4);
  for (let k = 4; k < 8; k++) c.step(resumed, grads[k], lrs[k]);
  assertEquals(Array.from(resumed), Array.from(straight));

  c.reset();
  assertEquals(c.stepCount, 0);
  assert(c.getState().m.every((v) => v === 0));
});

Deno.test("Adam: bad input is rejected and leaves the state unchanged", () => {
  const adam = new Adam(2, { lr: 1e-3 });
  const params = new Float32Array([1, 2]);
  assertThrows(() => adam.step(params, new Float32Array(3)), RangeError, "grad of length 3");
  assertThrows(() => adam.step(params, new Float32Array([0, NaN])), RangeError, "entry 1 is NaN");
  assertThrows(() => adam.step(params, new Float32Array([0, 1]), -1), RangeError, "learning rate");
  assertEquals(adam.stepCount, 0);
  assertEquals(Array.from(params), [1, 2]);
  assertThrows(() => new Adam(2, { lr: 1e-3, eps: 0 }), RangeError, "eps");
  assertThrows(() => new Adam(2, { lr: 1e-3, beta2: 1 }), RangeError, "beta2");
  assertThrows(
    () => adam.setState({ step: 1, m: new Float64Array(3), v: new Float64Array(3) }),
    RangeError,
    "3 parameters",
  );
});

Deno.test({
  name: "Adam: matches torch.optim.Adam run on the same numbers",
  ignore: torchPython === null,
  fn: async () => {
    const { params, grads, lrs } = problem(4, 24, 10);
    const eps = 1e-5;
    const input = { params: Array.from(params), grads: grads.map((g) => Array.from(g)), lrs, eps };
    const torchOut = await runOracle(torchPython!, "torch_adam", input) as number[];
    const adam = new Adam(params.length, { lr: 0, eps });
    for (let k = 0; k < grads.length; k++) adam.step(params, grads[k], lrs[k]);
    for (let i = 0; i < params.length; i++) {
      assert(
        Math.abs(params[i] - torchOut[i]) < 2e-6 * Math.max(1, Math.abs(torchOut[i])),
        `p[${i}] ${params[i]} vs torch ${torchOut[i]}`,
      );
    }
  },
});
