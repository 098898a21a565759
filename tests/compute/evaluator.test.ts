// The objectives of lib/compute on both devices against central finite differences of the
// float64 references (tests/subspaces/_reference.ts): value, gradient and HVP of the PPO actor
// (analysis point) and critic, the PPO gSDE actor (the features detached in the variance, as
// SB3), and the SAC actor with frozen twin Q, plain and with gSDE (features learned, as SB3). The float64 CPU device
// agrees with the references to the precision of the differences, the float32 WebAssembly device
// to 1e-4.
import { assert, assertAlmostEquals } from "@std/assert";
import { actorHead, makeActorCriticSpec } from "../../lib/agents/ppo/policy.ts";
import { normalizeAdvantages } from "../../lib/compute/objectives/mod.ts";
import { LayoutBuilder, mlpBlockSpecs, type MlpSpec } from "../../lib/compute/mod.ts";
import { makeNetwork, mlpNetwork, mlpNetworkWithHeads } from "../../lib/compute/network.ts";
import { ObjectiveEvaluator } from "../../lib/compute/evaluator.ts";
import { webGpuAdapter } from "../../lib/compute/webgpu/device.ts";
import type { ObjectiveSpec } from "../../lib/compute/objectives/mod.ts";
import {
  type Act,
  fdGradient,
  fdHvp,
  gaussianProblem,
  gsdeActorReference,
  gsdeProblem,
  ppoActorReference,
  ppoCriticReference,
  relativeError,
  squashedActorReference,
  squashedGsdeActorReference,
  squashedGsdeProblem,
  squashedProblem,
  unitVector,
} from "../subspaces/_reference.ts";

// Gradient tolerance; HVPs against mixed differences (step 1e-4) are limited by the differences
// themselves to ≈ 1e-6, so the float64 device is held to 1e-5 there.
const TOL = { cpu: 1e-6, wasm: 1e-4, webgpu: 1e-4 } as const;
const HVP_TOL = { cpu: 1e-5, wasm: 1e-4, webgpu: 1e-4 } as const;
// The WebGPU device runs wherever an adapter exists (the software adapter here).
const noGpu = (await webGpuAdapter()) === null;
// The gSDE entropy depends on the state and has second derivatives: a coefficient large enough
// for them to show.
const GSDE_ENT = 0.1;

/**
 * SAC's actor (latent MLP, then [μ | ρ] heads; with `sdeColumns` μ and a [h, sdeColumns] log-std
 * block instead of ρ) and twin Q-networks over a squashed problem's sizes.
 */
function sacNets(p: ReturnType<typeof squashedProblem>, act: Act, sdeColumns: number | null) {
  const h = p.hidden[p.hidden.length - 1], a = p.actDim;
  const latent: MlpSpec = {
    prefix: "latent",
    inputDim: p.obsDim,
    hidden: p.hidden.slice(0, -1),
    outputDim: h,
    activation: act,
    activateOutput: true,
  };
  const builder = new LayoutBuilder().addAll(mlpBlockSpecs(latent)).add("mu.w", [h, a])
    .add("mu.b", [a]);
  const layout = sdeColumns === null
    ? builder.add("ls.w", [h, a]).add("ls.b", [a]).build()
    : builder.add("log_std", [h, sdeColumns]).build();
  const heads: [string, string][] = sdeColumns === null
    ? [["mu.w", "mu.b"], ["ls.w", "ls.b"]]
    : [["mu.w", "mu.b"]];
  const q = (j: number): MlpSpec => ({
    prefix: `q${j}`,
    inputDim: p.obsDim + a,
    hidden: p.hidden,
    outputDim: 1,
    activation: act,
  });
  const criticLayout = new LayoutBuilder().addAll(mlpBlockSpecs(q(0)))
    .addAll(mlpBlockSpecs(q(1))).build();
  const qNets = [mlpNetwork(q(0), criticLayout), mlpNetwork(q(1), criticLayout)] as const;
  return { net: mlpNetworkWithHeads(latent, layout, heads), qNets, layout };
}

async function check(
  label: string,
  spec: ObjectiveSpec,
  theta: Float32Array,
  reference: (t: Float64Array) => number,
  device: "cpu" | "wasm" | "webgpu",
) {
  const ev = new ObjectiveEvaluator(spec, theta, {
    device,
    allowFallbackGpu: true,
    threads: 1,
    chunkRows: 16,
    maxBlock: 3,
  });
  try {
    const t64 = Float64Array.from(theta);
    const { value, gradient } = await ev.valueAndGradient();
    assertAlmostEquals(value, reference(t64), 1e-5 * Math.max(1, Math.abs(value)), label);
    const gErr = relativeError(gradient, fdGradient(reference, t64));
    assert(gErr <= TOL[device], `${label}: gradient vs FD ${gErr.toExponential(2)}`);
    const vs = [unitVector(t64.length, 1), unitVector(t64.length, 2)];
    const hv = await ev.hvpBlock(vs);
    for (let j = 0; j < vs.length; j++) {
      const err = relativeError(hv[j], fdHvp(reference, t64, vs[j]));
      assert(err <= HVP_TOL[device], `${label}: HVP ${j} vs FD ${err.toExponential(2)}`);
    }
  } finally {
    ev.dispose();
  }
}

for (const device of ["cpu", "wasm", "webgpu"] as const) {
  const ignore = device === "webgpu" && noGpu;
  for (const act of ["tanh", "relu"] as Act[]) {
    Deno.test(`PPO actor and critic objectives (${act}, ${device}) match finite differences`, {
      ignore,
    }, async () => {
      const p = gaussianProblem(3, 2, [6, 5], act, 48, act === "tanh" ? 11 : 12);
      const spec = makeActorCriticSpec(p.obsDim, p.actDim, { netArch: p.hidden, activation: act });
      const ENT = 0.01, VF = 0.5;
      await check(
        `actor ${act}`,
        {
          kind: "policy-gradient",
          net: spec.actorNet,
          head: "gaussian",
          headOffset: spec.logStdOffset,
          obs: p.obs,
          actions: p.actions,
          advantages: normalizeAdvantages(p.advantages),
          oldLogProbs: null,
          clipRange: 0.2,
          entCoef: ENT,
          normalizeAdvantage: false,
        },
        p.actor,
        ppoActorReference(p, ENT),
        device,
      );
      await check(
        `critic ${act}`,
        {
          kind: "regression",
          nets: [spec.criticNet],
          inputs: p.obs,
          targets: p.returns,
          coef: VF,
          clip: null,
        },
        p.critic,
        ppoCriticReference(p, VF),
        device,
      );
    });

    Deno.test(`PPO gSDE actor objective (${act}, ${device}) matches finite differences`, {
      ignore,
    }, async () => {
      for (
        const o of [
          { fullStd: true, useExpln: false },
          { fullStd: false, useExpln: true },
        ]
      ) {
        const p = gsdeProblem(gaussianProblem(3, 2, [6, 5], act, 40, act === "tanh" ? 13 : 14), o);
        const spec = makeActorCriticSpec(p.obsDim, p.actDim, {
          netArch: p.hidden,
          activation: act,
          useSde: true,
          ...o,
        });
        assert(spec.actorLayout.size === p.actor.length);
        await check(
          `gSDE actor ${act} ${JSON.stringify(o)}`,
          {
            kind: "policy-gradient",
            net: spec.actorNet,
            ...actorHead(spec),
            obs: p.obs,
            actions: p.actions,
            advantages: normalizeAdvantages(p.advantages),
            oldLogProbs: null,
            clipRange: 0.2,
            entCoef: GSDE_ENT,
            normalizeAdvantage: false,
          },
          p.actor,
          gsdeActorReference(p, GSDE_ENT, o),
          device,
        );
      }
    });

    Deno.test(
      `SAC actor objective with frozen twin Q (${act}, ${device}) matches finite differences`,
      {
        ignore,
      },
      async () => {
        const p = squashedProblem(3, 2, [5, 4], act, 32, 21);
        const { net, qNets } = sacNets(p, act, null);
        await check(
          `SAC actor ${act}`,
          {
            kind: "reparameterized",
            net,
            qNets,
            criticTheta: p.critic,
            obs: p.obs,
            noise: p.noise,
            alpha: p.alpha,
            detachQ: false,
          },
          p.actor,
          squashedActorReference(p),
          device,
        );
        assert(makeNetwork(net.layers, act).layers.length === p.hidden.length + 1 - 1 + 1);
      },
    );
    Deno.test(`SAC gSDE actor objective (${act}, ${device}) matches finite differences`, {
      ignore,
    }, async () => {
      for (const fullStd of [true, false]) {
        const o = { fullStd, useExpln: false, clipMean: 2 };
        const base = squashedProblem(3, 2, [5, 4], act, 32, 31);
        const { problem: p, xi, headOffset } = squashedGsdeProblem(base, o, 32);
        const h = p.hidden[p.hidden.length - 1];
        const { net, qNets, layout } = sacNets(p, act, fullStd ? p.actDim : 1);
        assert(layout.size === p.actor.length && layout.block("log_std").offset === headOffset);
        await check(
          `SAC gSDE actor ${act} full_std ${fullStd}`,
          {
            kind: "reparameterized",
            net,
            qNets,
            criticTheta: p.critic,
            obs: p.obs,
            noise: p.noise,
            gsde: { options: { ...o, latentDim: h }, headOffset, xi },
            alpha: p.alpha,
            detachQ: false,
          },
          p.actor,
          squashedGsdeActorReference(p, xi, o),
          device,
        );
      }
    });
  }
}
