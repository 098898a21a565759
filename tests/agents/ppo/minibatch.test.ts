// The PPO update's mini-batch gradient (compute layer: policy-gradient and regression objectives)
// against the float64 reference (tests/agents/ppo/_reference.ts): loss terms, gradients (central
// differences), approx KL and clip fraction, for tanh and ReLU networks, uneven widths, gathered
// (permuted) mini-batches, on the float64 CPU device and the float32 WebAssembly device; and
// against a PyTorch re-implementation of SB3's PPO.train loss (tools/sb3_ppo_loss.py).
import { assert, assertAlmostEquals } from "@std/assert";
import { PpoMinibatchGradient } from "../../../lib/agents/ppo/minibatch.ts";
import { runOracle, torchPython } from "../../python_oracles.ts";
import { makeActorCriticSpec } from "../../../lib/agents/ppo/policy.ts";
import {
  fdGradient,
  makeProblem,
  type RefBatch,
  type RefCoefs,
  refLogProbs,
  type RefNet,
  refPpoLoss,
  relativeMaxError,
} from "./_reference.ts";

const NETS: RefNet[] = [
  { obsDim: 3, hidden: [5, 4], actDim: 2, activation: "tanh" },
  { obsDim: 4, hidden: [6, 3, 5], actDim: 1, activation: "relu" },
  { obsDim: 2, hidden: [], actDim: 3, activation: "tanh" },
];
const COEFS: RefCoefs[] = [
  { clipRange: 0.2, clipRangeVf: null, entCoef: 0, vfCoef: 0.5, normalizeAdvantage: true },
  { clipRange: 0.2, clipRangeVf: 0.1, entCoef: 0.01, vfCoef: 0.8, normalizeAdvantage: true },
  { clipRange: 0.3, clipRangeVf: null, entCoef: 0.05, vfCoef: 0.5, normalizeAdvantage: false },
];

/** The rollout arrays in permuted order, so the engine must gather by index. */
/** The network's spec, a random problem of 11 samples and its rows in a fixed shuffled order. */
function shuffledProblem(net: RefNet) {
  const spec = makeActorCriticSpec(net.obsDim, net.actDim, {
    netArch: net.hidden,
    activation: net.activation,
  });
  const { actor, critic, batch } = makeProblem(net, 11);
  const perm = Int32Array.from([3, 7, 0, 10, 1, 9, 2, 8, 4, 6, 5]);
  return { spec, actor, critic, batch, perm, data: asRollout(batch, perm) };
}

function asRollout(batch: RefBatch, perm: Int32Array) {
  const n = batch.n;
  const obsDim = batch.obs.length / n, actDim = batch.actions.length / n;
  const out = {
    observations: new Float32Array(batch.obs.length),
    actions: new Float32Array(batch.actions.length),
    logProbs: new Float32Array(n),
    advantages: new Float32Array(n),
    returns: new Float32Array(n),
    values: new Float32Array(n),
  };
  // Sample b of the batch is stored at rollout row perm[b].
  for (let b = 0; b < n; b++) {
    const t = perm[b];
    out.observations.set(batch.obs.subarray(b * obsDim, (b + 1) * obsDim), t * obsDim);
    out.actions.set(batch.actions.subarray(b * actDim, (b + 1) * actDim), t * actDim);
    out.logProbs[t] = batch.oldLogProbs[b];
    out.advantages[t] = batch.advantages[b];
    out.returns[t] = batch.returns[b];
    out.values[t] = batch.oldValues[b];
  }
  return out;
}

Deno.test("CPU device: loss terms and gradients equal the float64 reference", () => {
  for (const net of NETS) {
    const { spec, actor, critic, batch, perm, data } = shuffledProblem(net);
    for (const coefs of COEFS) {
      const engine = new PpoMinibatchGradient(spec, 16, coefs);
      const gA = new Float64Array(actor.length), gC = new Float64Array(critic.length);
      const s = engine.compute(actor, critic, data, perm, 0, batch.n, coefs, gA, gC);
      const ref = refPpoLoss(net, actor, critic, batch, coefs);
      const label = `${JSON.stringify(net)} ${JSON.stringify(coefs)}`;
      assertAlmostEquals(s.loss, ref.loss, 1e-9, label);
      assertAlmostEquals(s.policyLoss, ref.policyLoss, 1e-9, label);
      assertAlmostEquals(s.valueLoss, ref.valueLoss, 1e-9, label);
      assertAlmostEquals(s.entropyLoss, ref.entropyLoss, 1e-9, label);
      const fdA = fdGradient((a) => refPpoLoss(net, a, critic, batch, coefs).loss, actor);
      const fdC = fdGradient((c) => refPpoLoss(net, actor, c, batch, coefs).loss, critic);
      assert(relativeMaxError(gA, fdA) < 1e-6, `actor gradient ${label}`);
      assert(relativeMaxError(gC, fdC) < 1e-6, `critic gradient ${label}`);
      // SB3 diagnostics: approx KL = mean[(r − 1) − log r], clip fraction = mean 1[|r − 1| > ε].
      const lp = refLogProbs(net, actor, batch);
      let kl = 0, clipped = 0;
      for (let b = 0; b < batch.n; b++) {
        const logR = lp[b] - batch.oldLogProbs[b];
        kl += Math.exp(logR) - 1 - logR;
        if (Math.abs(Math.exp(logR) - 1) > coefs.clipRange) clipped++;
      }
      assertAlmostEquals(s.approxKl, kl / batch.n, 1e-9);
      assertAlmostEquals(s.clipFraction, clipped / batch.n, 1e-12);
    }
  }
});

Deno.test("a sub-range of the permutation is one mini-batch", () => {
  const net = NETS[0];
  const spec = makeActorCriticSpec(net.obsDim, net.actDim, {
    netArch: net.hidden,
    activation: "tanh",
  });
  const { actor, critic, batch } = makeProblem(net, 11);
  const identity = Int32Array.from({ length: 11 }, (_, i) => i);
  const data = asRollout(batch, identity);
  // Mini-batch = samples 4..8 of the batch.
  const sub: RefBatch = {
    n: 4,
    obs: batch.obs.slice(4 * 3, 8 * 3),
    actions: batch.actions.slice(4 * 2, 8 * 2),
    oldLogProbs: batch.oldLogProbs.slice(4, 8),
    advantages: batch.advantages.slice(4, 8),
    returns: batch.returns.slice(4, 8),
    oldValues: batch.oldValues.slice(4, 8),
  };
  const engine = new PpoMinibatchGradient(spec, 11, COEFS[1]);
  const gA = new Float64Array(actor.length), gC = new Float64Array(critic.length);
  const s = engine.compute(actor, critic, data, identity, 4, 4, COEFS[1], gA, gC);
  assertAlmostEquals(s.loss, refPpoLoss(net, actor, critic, sub, COEFS[1]).loss, 1e-9);
  const fdA = fdGradient((a) => refPpoLoss(net, a, critic, sub, COEFS[1]).loss, actor);
  assert(relativeMaxError(gA, fdA) < 1e-6);
});

Deno.test("float32 WebAssembly device: the same loss terms and gradients to float32 rounding", () => {
  for (const net of NETS) {
    const { spec, actor, critic, batch, perm, data } = shuffledProblem(net);
    for (const coefs of COEFS) {
      const cpu = new PpoMinibatchGradient(spec, 16, coefs);
      const wasm = new PpoMinibatchGradient(spec, 16, coefs, "wasm");
      const g = (e: PpoMinibatchGradient) => {
        const gA = new Float64Array(actor.length), gC = new Float64Array(critic.length);
        const s = e.compute(actor, critic, data, perm, 0, batch.n, coefs, gA, gC);
        return { s, gA, gC };
      };
      const a = g(cpu), b = g(wasm);
      assertAlmostEquals(b.s.loss, a.s.loss, 1e-5 * Math.max(1, Math.abs(a.s.loss)));
      assert(relativeMaxError(b.gA, a.gA) < 1e-5, "actor gradient");
      assert(relativeMaxError(b.gC, a.gC) < 1e-5, "critic gradient");
    }
  }
});

Deno.test({
  name: "training loss and gradients match a PyTorch SB3 re-implementation",
  ignore: torchPython === null,
  fn: async () => {
    const NET: RefNet = { obsDim: 3, hidden: [5, 4], actDim: 2, activation: "tanh" };
    const spec = makeActorCriticSpec(NET.obsDim, NET.actDim, {
      netArch: NET.hidden,
      activation: NET.activation,
    });
    const { actor, critic, batch } = makeProblem(NET);
    const inputs = COEFS.map((coefs) => ({
      obs_dim: NET.obsDim,
      act_dim: NET.actDim,
      hidden: NET.hidden,
      activation: NET.activation,
      actor: Array.from(actor),
      critic: Array.from(critic),
      batch: {
        obs: Array.from(batch.obs),
        actions: Array.from(batch.actions),
        old_log_prob: Array.from(batch.oldLogProbs),
        advantages: Array.from(batch.advantages),
        returns: Array.from(batch.returns),
        old_values: Array.from(batch.oldValues),
      },
      clip_range: coefs.clipRange,
      clip_range_vf: coefs.clipRangeVf,
      ent_coef: coefs.entCoef,
      vf_coef: coefs.vfCoef,
      normalize_advantage: coefs.normalizeAdvantage,
    }));
    const torchOuts = await runOracle(torchPython!, "sb3_ppo_loss", inputs) as {
      loss: number;
      policy_loss: number;
      value_loss: number;
      entropy_loss: number;
      grad_actor: number[];
      grad_critic: number[];
    }[];
    const identity = Int32Array.from({ length: batch.n }, (_, i) => i);
    const data = asRollout(batch, identity);
    for (const [k, coefs] of COEFS.entries()) {
      const torchOut = torchOuts[k];
      const engine = new PpoMinibatchGradient(spec, batch.n, coefs);
      const ga = new Float64Array(actor.length), gc = new Float64Array(critic.length);
      const ours = engine.compute(actor, critic, data, identity, 0, batch.n, coefs, ga, gc);
      const label = JSON.stringify(coefs);
      assertAlmostEquals(ours.loss, torchOut.loss, 1e-5, label);
      assertAlmostEquals(ours.policyLoss, torchOut.policy_loss, 1e-5, label);
      assertAlmostEquals(ours.valueLoss, torchOut.value_loss, 1e-5, label);
      assertAlmostEquals(ours.entropyLoss, torchOut.entropy_loss, 1e-5, label);
      assert(relativeMaxError(ga, torchOut.grad_actor) < 1e-5, `actor grad vs torch ${label}`);
      assert(relativeMaxError(gc, torchOut.grad_critic) < 1e-5, `critic grad vs torch ${label}`);
    }
  },
});
