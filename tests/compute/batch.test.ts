/**
 * BatchObjective: mini-batch values and gradients on both devices equal the float64 reference and
 * its finite differences; columns, parameters and bounds.
 */
import { assert, assertAlmostEquals, assertThrows } from "@std/assert";
import { BatchObjective } from "../../lib/compute/batch.ts";
import { makeNetwork } from "../../lib/compute/network.ts";
import { Rng } from "../../lib/rng.ts";
import { fdGradient, mlp, relativeMaxError } from "../reference/float64.ts";

const net = makeNetwork([
  { fanIn: 2, fanOut: 5, groups: [{ width: 5, weight: 0, bias: 10 }] },
  { fanIn: 5, fanOut: 1, groups: [{ width: 1, weight: 15, bias: 20 }] },
], "tanh");
const rng = new Rng(8);
const theta = rng.fillNormal(new Float32Array(21), 0, 0.7);
const capacity = 12, count = 7;
const inputs = rng.fillNormal(new Float32Array(capacity * 2));
const targets = rng.fillNormal(new Float32Array(capacity));

/** κ·mean over the first `count` rows of (V(x) − y)², κ = 0.5. */
function reference(t: Float64Array): number {
  let s = 0;
  for (let r = 0; r < count; r++) {
    const v = mlp(t, 0, [2, 5, 1], "tanh", inputs.subarray(2 * r, 2 * r + 2))[0];
    s += (v - targets[r]) ** 2;
  }
  return 0.5 * s / count;
}

Deno.test("BatchObjective: value and gradient of a mini-batch on both devices", () => {
  const g = fdGradient(reference, theta, 1e-6);
  for (const [device, tol] of [["cpu", 1e-8], ["wasm", 1e-5]] as const) {
    const zeros = (k: number) => new Float32Array(k);
    const batch = new BatchObjective(
      {
        kind: "regression",
        nets: [net],
        inputs: zeros(capacity * 2),
        targets: zeros(capacity),
        coef: 0.5,
        clip: null,
      },
      theta,
      device,
    );
    batch.column("inputs").set(inputs);
    batch.column("targets").set(targets);
    const { value, gradient } = batch.evaluate(count);
    assertAlmostEquals(value, reference(Float64Array.from(theta)), tol);
    assert(relativeMaxError(gradient, g) < Math.max(tol, 1e-6), device);
    // New parameters take effect on the next evaluation.
    const moved = theta.map((x) => x + 0.01);
    batch.setParameters(moved);
    assertAlmostEquals(batch.evaluate(count).value, reference(Float64Array.from(moved)), tol);
    assertThrows(() => batch.evaluate(capacity + 1), RangeError, "outside");
    assertThrows(() => batch.column("nope"), Error, "inputs");
  }
});
