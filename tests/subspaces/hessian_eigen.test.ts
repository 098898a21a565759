// Top-k Hessian eigenpairs of real network losses: thick-restart Lanczos on the chunked HVP
// operator against a dense eigendecomposition of the explicit Hessian (N ≤ 2,000), and the full
// spectrum against the spectrum of a finite-difference Hessian of the float64 reference.
import { assert } from "@std/assert";
import { initRuntime } from "../../lib/runtime/mod.ts";
import { makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { symmetricEigen } from "../../lib/linalg/symmetric_eigen.ts";
import {
  explicitHessian,
  fullSpectrum,
  type HessianOperatorLike,
  hessianSpectrum,
  lanczosTopK,
  makeHessianOperator,
  ppoLoss,
  slqTrace,
  subspaceOverlap,
} from "../../lib/subspaces/mod.ts";
import {
  fdHvp,
  type GaussianProblem,
  gaussianProblem,
  ppoActorReference,
  ppoCriticReference,
  rolloutOf,
} from "./_reference.ts";

await initRuntime({ backend: "cpu" });

function operators(p: GaussianProblem, chunkRows: number) {
  const spec = makeActorCriticSpec(p.obsDim, p.actDim, { netArch: p.hidden, activation: p.act });
  const rollout = rolloutOf(p);
  const actorLoss = ppoLoss("actor", spec, p.actor, rollout, 0);
  const criticLoss = ppoLoss("critic", spec, p.critic, rollout, 0.5);
  const options = { fast: { chunkRows, threads: 1 as const } };
  return {
    actor: makeHessianOperator(actorLoss, options),
    critic: makeHessianOperator(criticLoss, options),
    theta: { actor: p.actor, critic: p.critic },
    dispose(this: { actor: HessianOperatorLike; critic: HessianOperatorLike }) {
      this.actor.dispose();
      this.critic.dispose();
      actorLoss.dispose();
      criticLoss.dispose();
    },
  };
}

Deno.test("Lanczos top-20 vs dense eigendecomposition of the explicit Hessian (actor N=372, critic N=721)", async () => {
  const p = gaussianProblem(3, 2, [16, 16], "tanh", 96, 31);
  const ops = operators(p, 96);
  // The critic on a wider net: N = 3·24 + 24 + 24·24 + 24 + 24 + 1 = 721.
  const pc = gaussianProblem(3, 1, [24, 24], "tanh", 96, 32);
  const opsC = operators(pc, 96);
  try {
    for (const [label, op] of [["actor", ops.actor], ["critic", opsC.critic]] as const) {
      const n = op.n;
      const dense = symmetricEigen((await explicitHessian(op.asOperator(), n)).matrix, n);
      const k = 20;
      const result = await lanczosTopK(op.asOperator(), n, { k, tol: 1e-4, seed: 3 });
      assert(result.converged, `${label}: Lanczos did not converge`);
      for (let i = 0; i < k; i++) {
        const exact = dense.values[i];
        const rel = Math.abs(result.eigenvalues[i] - exact) / Math.abs(exact);
        assert(
          rel <= 1e-4,
          `${label}: eigenvalue ${i}: Lanczos ${
            result.eigenvalues[i]
          } vs dense ${exact} (rel ${rel})`,
        );
      }
      const denseTop = Array.from(
        { length: k },
        (_, i) => dense.vectors!.subarray(i * n, (i + 1) * n),
      );
      const overlap = subspaceOverlap(denseTop, result.eigenvectors, k);
      assert(overlap >= 0.999, `${label}: top-${k} subspace overlap ${overlap} < 0.999`);
      // A real Hessian spectrum: a few large outliers above a bulk (acceptance check 1 in spirit).
      assert(dense.values[0] > 10 * Math.abs(dense.values[Math.floor(n / 2)]));
      assert(result.hvpCount < 10 * n, `${label}: ${result.hvpCount} HVPs for N = ${n}`);
    }
  } finally {
    ops.dispose();
    opsC.dispose();
  }
});

Deno.test("full spectrum == spectrum of the finite-difference Hessian of the float64 reference", async () => {
  const p = gaussianProblem(3, 1, [6, 5], "tanh", 40, 41);
  const ops = operators(p, 40);
  try {
    for (
      const [label, op, ref] of [
        ["actor", ops.actor, ppoActorReference(p, 0)],
        ["critic", ops.critic, ppoCriticReference(p, 0.5)],
      ] as const
    ) {
      const n = op.n;
      const theta = Float64Array.from(ops.theta[label]);
      const fd = new Float64Array(n * n);
      for (let j = 0; j < n; j++) {
        const e = new Float64Array(n);
        e[j] = 1;
        const col = fdHvp(ref, theta, e);
        for (let i = 0; i < n; i++) fd[i * n + j] = col[i];
      }
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          fd[i * n + j] = fd[j * n + i] = 0.5 * (fd[i * n + j] + fd[j * n + i]);
        }
      }
      const reference = symmetricEigen(fd, n, { vectors: false }).values;
      const spectrum = await fullSpectrum(op.asOperator(), n, { vectors: 2 });
      assert(spectrum.eigenvalues.length === n && spectrum.eigenvectors.length === 2, "sizes");
      assert(spectrum.asymmetry < 1e-5, `${label}: asymmetry ${spectrum.asymmetry}`);
      const scale = Math.max(...reference.map(Math.abs));
      for (let i = 0; i < n; i++) {
        const err = Math.abs(spectrum.eigenvalues[i] - reference[i]) / scale;
        assert(
          err <= 1e-4,
          `${label}: eigenvalue ${i}: ${spectrum.eigenvalues[i]} vs ${reference[i]}`,
        );
      }
    }
  } finally {
    ops.dispose();
  }
});

Deno.test("hessianSpectrum: explicit up to maxExplicit, SLQ above; SLQ moments match", async () => {
  const n = 300;
  const op = (v: Float64Array) => v.map((x, i) => (i < 3 ? 100 * (3 - i) : (i % 7) / 7) * x);
  const exact = Array.from({ length: n }, (_, i) => (i < 3 ? 100 * (3 - i) : (i % 7) / 7));
  const auto = await hessianSpectrum(op, n);
  if (auto.kind !== "explicit") throw new Error("auto should form the explicit Hessian");
  assert(Math.abs(auto.eigenvalues[0] - 300) < 1e-9 && auto.hvpCount === n, "explicit");
  const slq = await hessianSpectrum(op, n, { maxExplicit: 100, probes: 30, steps: 40 });
  if (slq.kind !== "slq") throw new Error("auto should switch to SLQ above maxExplicit");
  // 10 distinct eigenvalues: every probe's Krylov space breaks down after ≤ 10 steps.
  assert(slq.hvpCount <= 30 * 10, `SLQ made ${slq.hvpCount} operator calls`);
  const mean = exact.reduce((a, b) => a + b, 0) / n;
  const estimate = slqTrace(slq.slq, (x) => x);
  assert(Math.abs(estimate - mean) < 0.2 * mean, `SLQ mean eigenvalue ${estimate} vs ${mean}`);
  assert(Math.abs(Math.max(...slq.slq.nodes.map((x) => x[0])) - 300) < 1e-6);
});
