import { assert, assertEquals, assertStrictEquals, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { LayoutBuilder, type ParamLayout } from "../../lib/compute/layout.ts";
import {
  forwardCpu,
  initMlp,
  mlpBlockSpecs,
  mlpLayerDims,
  mlpLayout,
  mlpNetwork,
  mlpNetworkWithHeads,
  mlpParamCount,
  type MlpSpec,
} from "../../lib/compute/network.ts";
import { mlpForwardTf } from "../reference/tfjs.ts";
import { Rng } from "../../lib/rng.ts";

if (!(await tf.setBackend("cpu"))) throw new Error("could not select the tfjs cpu backend");

/** Float64 reference forward: y = act(…act(x·W0 + b0)…)·WL + bL, from the per-block values. */
function referenceForward(
  theta: ArrayLike<number>,
  layout: ParamLayout,
  spec: MlpSpec,
  x: ArrayLike<number>,
  batch: number,
): Float64Array {
  const widths = [spec.inputDim, ...spec.hidden, spec.outputDim];
  const act = spec.activation === "tanh" ? Math.tanh : (v: number) => Math.max(0, v);
  const out = new Float64Array(batch * spec.outputDim);
  for (let s = 0; s < batch; s++) {
    let h = Array.from({ length: spec.inputDim }, (_, i) => x[s * spec.inputDim + i]);
    for (let l = 0; l + 1 < widths.length; l++) {
      const w = layout.block(`${spec.prefix}.${l}.weight`);
      const b = layout.block(`${spec.prefix}.${l}.bias`);
      const next: number[] = [];
      for (let j = 0; j < widths[l + 1]; j++) {
        let a = theta[b.offset + j];
        for (let i = 0; i < widths[l]; i++) a += h[i] * theta[w.offset + i * widths[l + 1] + j];
        const last = l + 2 === widths.length;
        next.push(last && !spec.activateOutput ? a : act(a));
      }
      h = next;
    }
    for (let j = 0; j < spec.outputDim; j++) out[s * spec.outputDim + j] = h[j];
  }
  return out;
}

/** forwardCpu of an MLP spec (an activated output read as the latent of a one-head network). */
function mlpForwardCpu(
  theta: Float32Array,
  layout: ParamLayout,
  spec: MlpSpec,
  x: Float32Array,
  batch: number,
  out?: Float32Array,
): Float32Array {
  if (!spec.activateOutput) return forwardCpu(mlpNetwork(spec, layout), theta, x, batch, out);
  const withHead = new LayoutBuilder().addAll(layout.blocks).add("h.w", [spec.outputDim, 1])
    .add("h.b", [1]).build();
  const t = new Float32Array(withHead.size);
  t.set(theta);
  const latent = out ?? new Float32Array(batch * spec.outputDim);
  const net = mlpNetworkWithHeads(spec, withHead, [["h.w", "h.b"]]);
  forwardCpu(net, t, x, batch, undefined, latent);
  return latent;
}

function randomParams(size: number, seed: number, std = 0.5): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(size), 0, std);
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = "",
) {
  assertEquals(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert(
      Math.abs(actual[i] - expected[i]) <= tol * scale,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tol ${tol})`,
    );
  }
}

const specs: MlpSpec[] = [
  { prefix: "pi", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" },
  { prefix: "qf0", inputDim: 7, hidden: [33, 18], outputDim: 3, activation: "relu" },
  {
    prefix: "lat",
    inputDim: 5,
    hidden: [9],
    outputDim: 6,
    activation: "relu",
    activateOutput: true,
  },
  { prefix: "head", inputDim: 6, hidden: [], outputDim: 2, activation: "tanh" },
];

Deno.test("mlp: layer dims, block names and parameter counts of the paper's networks", () => {
  assertEquals(mlpLayerDims(specs[0]), [[3, 64], [64, 64], [64, 1]]);
  assertEquals(
    mlpBlockSpecs(specs[3]),
    [{ name: "head.0.weight", shape: [6, 2] }, { name: "head.0.bias", shape: [2] }],
  );
  // Paper notes §7.2 table (SB3 1.8.0 MlpPolicy sizes).
  const ppo = (obs: number, act: number, h: number) => ({
    actor: mlpParamCount({
      prefix: "pi",
      inputDim: obs,
      hidden: [h, h],
      outputDim: act,
      activation: "tanh",
    }) +
      act, // + log_std
    critic: mlpParamCount({
      prefix: "vf",
      inputDim: obs,
      hidden: [h, h],
      outputDim: 1,
      activation: "tanh",
    }),
  });
  assertEquals(ppo(17, 6, 64), { actor: 5708, critic: 5377 }); // Walker2d
  assertEquals(ppo(9, 2, 64), { actor: 4932, critic: 4865 }); // Finger-spin
  assertEquals(ppo(16, 4, 128), { actor: 19208, critic: 18817 }); // FetchReach
  assertEquals(ppo(17, 6, 256), { actor: 71948, critic: 70657 }); // HalfCheetah
  // SAC Walker2d: latent 17→256→256 (relu) + μ and log σ heads; critic = two Q-nets on (s, a).
  const sacActor = new LayoutBuilder()
    .addAll(mlpBlockSpecs({
      prefix: "latent",
      inputDim: 17,
      hidden: [256],
      outputDim: 256,
      activation: "relu",
      activateOutput: true,
    }))
    .addAll(
      mlpBlockSpecs({ prefix: "mu", inputDim: 256, hidden: [], outputDim: 6, activation: "relu" }),
    )
    .addAll(
      mlpBlockSpecs({
        prefix: "log_std",
        inputDim: 256,
        hidden: [],
        outputDim: 6,
        activation: "relu",
      }),
    )
    .build();
  assertEquals(sacActor.size, 73484);
  const q = (p: string): MlpSpec => ({
    prefix: p,
    inputDim: 23,
    hidden: [256, 256],
    outputDim: 1,
    activation: "relu",
  });
  const critic = new LayoutBuilder().addAll(mlpBlockSpecs(q("qf0"))).addAll(mlpBlockSpecs(q("qf1")))
    .build();
  assertEquals(critic.size, 144386);
  assertEquals(critic.block("qf1.0.weight").offset, 144386 / 2);
});

Deno.test("mlp: TF.js, CPU and float64 reference forward passes agree", () => {
  const before = tf.memory().numTensors;
  specs.forEach((spec, k) => {
    const layout = mlpLayout(spec);
    const theta = randomParams(layout.size, 100 + k);
    const batch = 5;
    const x = new Rng(200 + k).fillNormal(new Float32Array(batch * spec.inputDim));
    const ref = referenceForward(theta, layout, spec, x, batch);
    const cpu = mlpForwardCpu(theta, layout, spec, x, batch);
    assertClose(cpu, ref, 1e-6, `cpu ${spec.prefix}`);
    const tfOut = tf.tidy(() =>
      mlpForwardTf(tf.tensor1d(theta), layout, spec, tf.tensor2d(x, [batch, spec.inputDim]))
        .dataSync()
    );
    assertClose(tfOut, ref, 2e-5, `tf ${spec.prefix}`);
  });
  assertEquals(tf.memory().numTensors, before, "forward pass leaked tensors");
});

Deno.test("mlp: blocks are read from their offsets inside a composite layout", () => {
  // Actor = policy MLP + log_std; critic = value MLP. A NaN in log_std must not reach the MLP.
  const pi: MlpSpec = { prefix: "pi", inputDim: 4, hidden: [8], outputDim: 2, activation: "tanh" };
  const vf: MlpSpec = { prefix: "vf", inputDim: 4, hidden: [8], outputDim: 1, activation: "tanh" };
  const layout = new LayoutBuilder()
    .add("log_std", [2])
    .addAll(mlpBlockSpecs(vf))
    .addAll(mlpBlockSpecs(pi))
    .build();
  const theta = randomParams(layout.size, 7);
  layout.view(theta, "log_std").fill(NaN);
  const x = new Float32Array([0.1, -0.2, 0.3, 0.4]);
  for (const spec of [pi, vf]) {
    const ref = referenceForward(theta, layout, spec, x, 1);
    assert(ref.every(Number.isFinite));
    assertClose(mlpForwardCpu(theta, layout, spec, x, 1), ref, 1e-6, spec.prefix);
    const y = tf.tidy(() =>
      mlpForwardTf(tf.tensor1d(theta), layout, spec, tf.tensor2d(x, [1, 4])).dataSync()
    );
    assertClose(y, ref, 2e-5, spec.prefix);
  }
});

Deno.test("forwardCpu: reuses the output buffer and validates sizes", () => {
  const spec = specs[1];
  const layout = mlpLayout(spec);
  const theta = randomParams(layout.size, 3);
  const x = new Float32Array(2 * spec.inputDim).fill(0.25);
  const out = new Float32Array(2 * spec.outputDim);
  assertStrictEquals(mlpForwardCpu(theta, layout, spec, x, 2, out), out);
  assertThrows(() => mlpForwardCpu(theta, layout, spec, x, 3), Error, "batch 3 × inputDim 7");
  assertThrows(
    () => mlpForwardCpu(theta, layout, spec, x, 2, new Float32Array(5)),
    Error,
    "output buffer has length 5",
  );
  assertThrows(
    () => mlpForwardCpu(theta.subarray(1), layout, spec, x, 2),
    Error,
    `network reads ${layout.size}`,
  );
  const bad = x.slice();
  bad[3] = NaN;
  assertThrows(() => mlpForwardCpu(theta, layout, spec, bad, 2, out), Error, "sample 0 is NaN");
  const wrongSpec: MlpSpec = { ...spec, hidden: [33, 19] };
  assertThrows(() => mlpForwardCpu(theta, layout, wrongSpec, x, 2), Error, "qf0.1.weight");
  assertThrows(
    () => mlpLayerDims({ ...spec, activation: "gelu" as "relu" }),
    Error,
    'must be "tanh" or "relu"',
  );
  assertThrows(
    () => tf.tidy(() => mlpForwardTf(tf.tensor1d(theta), layout, spec, tf.zeros([2, 6]))),
    Error,
    "[batch, 7]",
  );
});

/** A scalar loss with non-trivial curvature: mean((y − t)²) + 0.1·mean(y³). */
function lossRef(
  theta: ArrayLike<number>,
  layout: ParamLayout,
  spec: MlpSpec,
  x: Float32Array,
  target: Float32Array,
  batch: number,
): number {
  const y = referenceForward(theta, layout, spec, x, batch);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - target[i]) ** 2 + 0.1 * y[i] ** 3;
  return s / y.length;
}

function lossTf(
  theta: tf.Tensor1D,
  layout: ParamLayout,
  spec: MlpSpec,
  x: tf.Tensor2D,
  target: tf.Tensor2D,
): tf.Scalar {
  const y = mlpForwardTf(theta, layout, spec, x);
  return tf.add(tf.mean(tf.square(tf.sub(y, target))), tf.mul(0.1, tf.mean(tf.pow(y, 3))));
}

const smallSpecs: MlpSpec[] = [
  { prefix: "pi", inputDim: 3, hidden: [5, 4], outputDim: 2, activation: "tanh" },
  { prefix: "qf", inputDim: 3, hidden: [5, 4], outputDim: 2, activation: "relu" },
];

Deno.test("mlpForwardTf: gradient w.r.t. θ matches central finite differences (float64)", () => {
  for (const spec of smallSpecs) {
    const layout = mlpLayout(spec);
    const theta = randomParams(layout.size, 21, 0.7);
    const batch = 6;
    const x = new Rng(22).fillNormal(new Float32Array(batch * spec.inputDim));
    const target = new Rng(23).fillNormal(new Float32Array(batch * spec.outputDim));
    const grad = tf.tidy(() => {
      const xs = tf.tensor2d(x, [batch, spec.inputDim]);
      const ts = tf.tensor2d(target, [batch, spec.outputDim]);
      return tf.grad((t: tf.Tensor) => lossTf(t as tf.Tensor1D, layout, spec, xs, ts))(
        tf.tensor1d(theta),
      ).dataSync();
    });
    const h = 1e-6;
    const t64 = Float64Array.from(theta);
    let maxAbs = 0;
    const fd = new Float64Array(layout.size);
    for (let i = 0; i < layout.size; i++) {
      const keep = t64[i];
      t64[i] = keep + h;
      const up = lossRef(t64, layout, spec, x, target, batch);
      t64[i] = keep - h;
      const down = lossRef(t64, layout, spec, x, target, batch);
      t64[i] = keep;
      fd[i] = (up - down) / (2 * h);
      maxAbs = Math.max(maxAbs, Math.abs(fd[i]));
    }
    assert(maxAbs > 1e-2, "test loss should have a non-trivial gradient");
    for (let i = 0; i < layout.size; i++) {
      assert(
        Math.abs(grad[i] - fd[i]) <= 1e-4 * maxAbs + 1e-6,
        `${spec.activation} grad[${i}] ${grad[i]} vs finite difference ${fd[i]}`,
      );
    }
  }
});

Deno.test("mlpForwardTf: nested gradients give the Hessian-vector product (mixed differences)", () => {
  for (const spec of smallSpecs) {
    const layout = mlpLayout(spec);
    const theta = randomParams(layout.size, 31, 0.7);
    const v = new Rng(32).fillNormal(new Float32Array(layout.size));
    const batch = 4;
    const x = new Rng(33).fillNormal(new Float32Array(batch * spec.inputDim));
    const target = new Rng(34).fillNormal(new Float32Array(batch * spec.outputDim));
    const before = tf.memory().numTensors;
    const hvp = tf.tidy(() => {
      const xs = tf.tensor2d(x, [batch, spec.inputDim]);
      const ts = tf.tensor2d(target, [batch, spec.outputDim]);
      const vt = tf.tensor1d(v);
      const gradDotV = (t: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.grad((u: tf.Tensor) => lossTf(u as tf.Tensor1D, layout, spec, xs, ts))(t), vt),
        );
      return tf.grad(gradDotV)(tf.tensor1d(theta)).dataSync();
    });
    assertEquals(tf.memory().numTensors, before, "HVP leaked tensors");
    // (Hv)_i = ∂²L/∂θ_i∂(v·θ) ≈ [L(+e_i,+v) − L(+e_i,−v) − L(−e_i,+v) + L(−e_i,−v)] / 4h².
    const h = 1e-4;
    const t64 = new Float64Array(layout.size);
    const at = (si: number, sv: number, i: number) => {
      for (let k = 0; k < layout.size; k++) t64[k] = theta[k] + sv * h * v[k];
      t64[i] += si * h;
      return lossRef(t64, layout, spec, x, target, batch);
    };
    const ref = new Float64Array(layout.size);
    let maxAbs = 0;
    for (let i = 0; i < layout.size; i++) {
      ref[i] = (at(1, 1, i) - at(1, -1, i) - at(-1, 1, i) + at(-1, -1, i)) / (4 * h * h);
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
    }
    assert(maxAbs > 1e-2, "test loss should have non-trivial curvature");
    for (let i = 0; i < layout.size; i++) {
      assert(
        Math.abs(hvp[i] - ref[i]) <= 1e-3 * maxAbs + 1e-5,
        `${spec.activation} Hv[${i}] ${hvp[i]} vs mixed difference ${ref[i]}`,
      );
    }
  }
});

Deno.test("initMlp: SB3 orthogonal init with per-layer gains and zero biases", () => {
  const spec: MlpSpec = {
    prefix: "pi",
    inputDim: 3,
    hidden: [64, 64],
    outputDim: 2,
    activation: "tanh",
  };
  const layout = new LayoutBuilder().addAll(mlpBlockSpecs(spec)).add("log_std", [2]).build();
  const theta = layout.zeros().fill(7);
  initMlp(theta, layout, spec, { orthoInit: true, outputGain: 0.01, rng: new Rng(4) });
  assertEquals(Array.from(layout.view(theta, "log_std")), [7, 7], "other blocks untouched");
  const gains = [Math.SQRT2, Math.SQRT2, 0.01];
  mlpLayerDims(spec).forEach(([fanIn, fanOut], l) => {
    const w = layout.view(theta, `pi.${l}.weight`); // [in, out]
    assert(layout.view(theta, `pi.${l}.bias`).every((b) => b === 0));
    // torch weight (out, in) = Wᵀ is orthogonal along its smaller dimension.
    const n = Math.min(fanIn, fanOut);
    const alongIn = fanIn <= fanOut; // W·Wᵀ (in×in) when out ≥ in, else Wᵀ·W (out×out)
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let s = 0;
        if (alongIn) {
          for (let j = 0; j < fanOut; j++) s += w[a * fanOut + j] * w[b * fanOut + j];
        } else for (let i = 0; i < fanIn; i++) s += w[i * fanOut + a] * w[i * fanOut + b];
        const want = a === b ? gains[l] ** 2 : 0;
        assert(Math.abs(s - want) < 1e-5 * Math.max(1, want), `layer ${l} gram[${a},${b}] = ${s}`);
      }
    }
  });
});

Deno.test("initMlp: PyTorch default init bounds per layer", () => {
  const spec: MlpSpec = {
    prefix: "qf0",
    inputDim: 23,
    hidden: [256, 64],
    outputDim: 1,
    activation: "relu",
  };
  const layout = mlpLayout(spec);
  const theta = layout.zeros();
  initMlp(theta, layout, spec, { orthoInit: false, rng: new Rng(5) });
  mlpLayerDims(spec).forEach(([fanIn], l) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (const part of ["weight", "bias"]) {
      const v = layout.view(theta, `qf0.${l}.${part}`);
      const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      assert(max <= bound * (1 + 1e-7), `layer ${l} ${part}: ${max} > ${bound}`);
      if (v.length > 50) assert(max > 0.9 * bound, `layer ${l} ${part} spread ${max}`);
    }
  });
});
