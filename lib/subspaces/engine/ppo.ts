/**
 * PPO loss families of the engine (paper notes §3.1, at the analysis point where the ratio is 1):
 *
 * **Actor** (Gaussian policy, state-independent log σ = s):
 *   L = Σ_n w_n·exp(log π_n − stop(log π_n)) − c_ent·H(s),   w_n = −Â_n/N,
 *   log π_n = Σ_d [−½ z_d² − s_d − ½ log 2π],   z_d = (a_d − μ_d)·e^{−s_d}.
 * With u_d = (a_d − μ_d)·e^{−2 s_d} = ∂log π/∂μ_d and q_d = z_d² − 1 = ∂log π/∂s_d:
 *   ∇L = Σ_n w_n ∇log π_n − c_ent ∇H,   H v = Σ_n w_n (∇²log π_n v + ∇log π_n · R{log π_n})
 * (the entropy is linear in s: no Hessian). The loss head therefore seeds
 *   δ_μ = w u,   ∇_s += Σ w q,
 *   R{log π} = Σ_d u_d R{μ_d} + q_d v_{s,d},
 *   R{δ_μ,d} = w (−e^{−2 s_d} R{μ_d} − 2 u_d v_{s,d} + R{log π}·u_d),
 *   (Hv)_s,d += Σ_n w (−2 u_d R{μ_d} − 2 (q_d + 1) v_{s,d} + R{log π}·q_d).
 *
 * **Critic**: L = κ Σ_n (R̂_n − V_n)², κ = c_vf/N: δ_V = 2κ(V − R̂), R{δ_V} = 2κ R{V}.
 *
 * @module
 */
import { HALF_LOG_2PI } from "../../agents/ppo/policy.ts";
import type { FamilyRuntime, PlanContext, PlannedFamily } from "./family.ts";
import {
  backward,
  forward,
  gradient,
  type Kern,
  loadNetWeights,
  type NetBlocks,
  type NetPlan,
  packedSize,
  packedThetaIndices,
  planNet,
  rBackward,
  rForward,
  stageDirections,
} from "./mlp.ts";

/**
 * The PPO actor loss for the engine.
 *
 * @example
 * ```ts
 * import type { PpoActorEngineSpec } from "./ppo.ts";
 * function samples(s: PpoActorEngineSpec) { return s.advantages.length; }
 * ```
 */
export interface PpoActorEngineSpec {
  kind: "ppo-actor";
  /** The pi MLP (its last layer is the mean head) in θ. */
  net: NetBlocks;
  /** θ offset of log_std (actDim entries). */
  logStdOffset: number;
  /** Observations, N × obsDim. */
  obs: Float32Array;
  /** Actions, N × actDim. */
  actions: Float32Array;
  /** Advantages, already normalised over the whole data set. */
  advantages: Float32Array;
  /** c_ent. */
  entCoef: number;
}

/**
 * The PPO critic loss for the engine.
 *
 * @example
 * ```ts
 * import type { PpoCriticEngineSpec } from "./ppo.ts";
 * function samples(s: PpoCriticEngineSpec) { return s.returns.length; }
 * ```
 */
export interface PpoCriticEngineSpec {
  kind: "ppo-critic";
  /** The vf MLP (last layer: value head) in θ. */
  net: NetBlocks;
  /** Observations, N × obsDim. */
  obs: Float32Array;
  /** λ-returns R̂. */
  returns: Float32Array;
  /** c_vf. */
  vfCoef: number;
}

function netMacs(net: NetBlocks): { fb: number; r: number } {
  let fwd = 0, back = 0, r = 0;
  net.layers.forEach((l, i) => {
    const m = l.fanIn * l.fanOut;
    fwd += m;
    back += m + (i > 0 ? m : 0); // ∇W, δ_{i−1}
    r += (i > 0 ? 2 : 1) * m + (i > 0 ? 4 : 1) * m; // R-forward; R-backward
  });
  return { fb: fwd + back, r };
}

interface PpoActorPlan {
  samples: number;
  net: NetPlan;
  obs: number;
  obsDim: number;
  actions: number;
  actDim: number;
  weights: number;
  e2: number;
  vs: number;
  logStdPacked: number;
  u: number;
  q: number;
}

/**
 * Plans the PPO actor family (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./family.ts";
 * import { planPpoActor, type PpoActorEngineSpec } from "./ppo.ts";
 * function plan(spec: PpoActorEngineSpec, theta: Float32Array, ctx: PlanContext) { return planPpoActor(spec, theta, ctx); }
 * ```
 */
export function planPpoActor(
  spec: PpoActorEngineSpec,
  theta: Float32Array,
  ctx: PlanContext,
): PlannedFamily {
  const n = spec.advantages.length;
  const layers = spec.net.layers;
  const obsDim = layers[0].fanIn, actDim = layers[layers.length - 1].fanOut;
  if (spec.obs.length !== n * obsDim || spec.actions.length !== n * actDim) {
    throw new RangeError(
      `engine (PPO actor): ${n} advantages need ${n * obsDim} observation and ${n * actDim} ` +
        `action values, got ${spec.obs.length} and ${spec.actions.length}`,
    );
  }
  const netSize = packedSize(spec.net);
  const size = netSize + actDim;
  const perm = new Int32Array(size);
  packedThetaIndices(spec.net, perm, 0);
  for (let d = 0; d < actDim; d++) perm[netSize + d] = spec.logStdOffset + d;
  const net = planNet(spec.net, 0, ctx.fixed, ctx.state, ctx.scratch, ctx.rows, ctx.maxBlock);
  const plan: PpoActorPlan = {
    samples: n,
    net,
    obs: ctx.fixed.f32(n * obsDim),
    obsDim,
    actions: ctx.fixed.f32(n * actDim),
    actDim,
    weights: ctx.fixed.f32(n),
    e2: ctx.fixed.f32(actDim),
    vs: ctx.fixed.f32(actDim * ctx.maxBlock),
    logStdPacked: netSize,
    u: ctx.state.f32(ctx.rows * actDim),
    q: ctx.state.f32(ctx.rows * actDim),
  };
  const macs = netMacs(spec.net);
  return {
    name: "ppo-actor",
    plan,
    packedSize: size,
    packedToTheta: perm,
    load(kern: Kern) {
      const buf = kern.memory.buffer;
      new Float32Array(buf, plan.obs, n * obsDim).set(spec.obs);
      new Float32Array(buf, plan.actions, n * actDim).set(spec.actions);
      const w = new Float32Array(buf, plan.weights, n);
      for (let i = 0; i < n; i++) w[i] = -spec.advantages[i] / n;
      const e2 = new Float32Array(buf, plan.e2, actDim);
      for (let d = 0; d < actDim; d++) e2[d] = Math.exp(-2 * theta[spec.logStdOffset + d]);
      loadNetWeights(kern, spec.net, net, theta);
    },
    stage(kern: Kern, packed: readonly Float32Array[]) {
      stageDirections(kern, net, packed);
      const vs = new Float32Array(kern.memory.buffer, plan.vs, actDim * packed.length);
      packed.forEach((v, j) => vs.set(v.subarray(netSize, netSize + actDim), j * actDim));
    },
    constantTerms() {
      const g = new Float64Array(size);
      let h = 0;
      for (let d = 0; d < actDim; d++) {
        g[netSize + d] = -spec.entCoef;
        h += 0.5 + HALF_LOG_2PI + theta[spec.logStdOffset + d];
      }
      return { value: -spec.entCoef * h, gradient: g };
    },
    macsPerSample: { forwardBackward: macs.fb, rPass: macs.r },
  };
}

/**
 * The PPO actor family's per-chunk work (any thread).
 *
 * @example
 * ```ts
 * import type { Kern } from "./mlp.ts";
 * import { ppoActorRuntime } from "./ppo.ts";
 * function make(plan: unknown, kern: Kern, size: number) { return ppoActorRuntime(plan, kern, size); }
 * ```
 */
export function ppoActorRuntime(planIn: unknown, k: Kern, size: number): FamilyRuntime {
  const p = planIn as PpoActorPlan;
  const { net, actDim: A, obsDim } = p;
  const last = net.layers[net.layers.length - 1];
  const buf = k.memory.buffer;
  const f32 = (ptr: number, len: number) => new Float32Array(buf, ptr, len);
  const actions = f32(p.actions, p.samples * A);
  const weights = f32(p.weights, p.samples);
  const e2 = f32(p.e2, A);
  const obsAt = (start: number) => p.obs + 4 * start * obsDim;
  return {
    prepare(start, n, st) {
      forward(k, net, obsAt(start), n, st);
      const mu = f32(st + last.a, n * A), d = f32(st + last.d, n * A);
      const u = f32(st + p.u, n * A), q = f32(st + p.q, n * A);
      for (let r = 0; r < n; r++) {
        const w = weights[start + r];
        for (let c = 0; c < A; c++) {
          const i = r * A + c;
          const diff = actions[start * A + i] - mu[i];
          const ui = diff * e2[c];
          u[i] = ui;
          q[i] = diff * ui - 1;
          d[i] = w * ui;
        }
      }
      backward(k, net, n, st);
    },
    gradient(start, n, st, out, acc, value) {
      const q = f32(st + p.q, n * A);
      let v = 0;
      const gs = new Float64Array(A);
      for (let r = 0; r < n; r++) {
        const w = weights[start + r];
        v += w;
        for (let c = 0; c < A; c++) gs[c] += w * q[r * A + c];
      }
      value[0] += v;
      for (let c = 0; c < A; c++) acc[p.logStdPacked + c] += gs[c];
      gradient(k, net, obsAt(start), n, st, out);
    },
    hvp(start, n, st, sc, b, out, acc) {
      const x0 = obsAt(start);
      rForward(k, net, x0, n, st, sc, b);
      const rmu = f32(sc + last.rz, n * b * A);
      const u = f32(st + p.u, n * A), q = f32(st + p.q, n * A);
      const vs = f32(p.vs, b * A);
      const hs = new Float64Array(b * A);
      for (let r = 0; r < n; r++) {
        const w = weights[start + r];
        for (let j = 0; j < b; j++) {
          const o = (j * n + r) * A;
          let rf = 0;
          for (let c = 0; c < A; c++) {
            rf += u[r * A + c] * rmu[o + c] + q[r * A + c] * vs[j * A + c];
          }
          for (let c = 0; c < A; c++) {
            const ui = u[r * A + c], qi = q[r * A + c], rm = rmu[o + c], v = vs[j * A + c];
            rmu[o + c] = w * (-e2[c] * rm - 2 * ui * v + rf * ui);
            hs[j * A + c] += w * (-2 * ui * rm - 2 * (qi + 1) * v + rf * qi);
          }
        }
      }
      for (let j = 0; j < b; j++) {
        for (let c = 0; c < A; c++) acc[j * size + p.logStdPacked + c] += hs[j * A + c];
      }
      rBackward(k, net, x0, n, st, sc, b, out, size);
    },
  };
}

interface PpoCriticPlan {
  samples: number;
  net: NetPlan;
  obs: number;
  obsDim: number;
  returns: number;
  kappa: number;
}

/**
 * Plans the PPO critic family (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./family.ts";
 * import { planPpoCritic, type PpoCriticEngineSpec } from "./ppo.ts";
 * function plan(spec: PpoCriticEngineSpec, theta: Float32Array, ctx: PlanContext) { return planPpoCritic(spec, theta, ctx); }
 * ```
 */
export function planPpoCritic(
  spec: PpoCriticEngineSpec,
  theta: Float32Array,
  ctx: PlanContext,
): PlannedFamily {
  const n = spec.returns.length;
  const layers = spec.net.layers;
  const obsDim = layers[0].fanIn;
  if (spec.obs.length !== n * obsDim || layers[layers.length - 1].fanOut !== 1) {
    throw new RangeError(
      `engine (PPO critic): ${n} returns need ${n * obsDim} observation values (got ` +
        `${spec.obs.length}) and a value head of width 1`,
    );
  }
  const size = packedSize(spec.net);
  const perm = new Int32Array(size);
  packedThetaIndices(spec.net, perm, 0);
  const net = planNet(spec.net, 0, ctx.fixed, ctx.state, ctx.scratch, ctx.rows, ctx.maxBlock);
  const plan: PpoCriticPlan = {
    samples: n,
    net,
    obs: ctx.fixed.f32(n * obsDim),
    obsDim,
    returns: ctx.fixed.f32(n),
    kappa: spec.vfCoef / n,
  };
  const macs = netMacs(spec.net);
  return {
    name: "ppo-critic",
    plan,
    packedSize: size,
    packedToTheta: perm,
    load(kern: Kern) {
      const buf = kern.memory.buffer;
      new Float32Array(buf, plan.obs, n * obsDim).set(spec.obs);
      new Float32Array(buf, plan.returns, n).set(spec.returns);
      loadNetWeights(kern, spec.net, net, theta);
    },
    stage(kern: Kern, packed: readonly Float32Array[]) {
      stageDirections(kern, net, packed);
    },
    constantTerms: () => ({ value: 0, gradient: null }),
    macsPerSample: { forwardBackward: macs.fb, rPass: macs.r },
  };
}

/**
 * The PPO critic family's per-chunk work (any thread).
 *
 * @example
 * ```ts
 * import type { Kern } from "./mlp.ts";
 * import { ppoCriticRuntime } from "./ppo.ts";
 * function make(plan: unknown, kern: Kern, size: number) { return ppoCriticRuntime(plan, kern, size); }
 * ```
 */
export function ppoCriticRuntime(planIn: unknown, k: Kern, size: number): FamilyRuntime {
  const p = planIn as PpoCriticPlan;
  const { net, obsDim, kappa } = p;
  const last = net.layers[net.layers.length - 1];
  const buf = k.memory.buffer;
  const f32 = (ptr: number, len: number) => new Float32Array(buf, ptr, len);
  const returns = f32(p.returns, p.samples);
  const obsAt = (start: number) => p.obs + 4 * start * obsDim;
  return {
    prepare(start, n, st) {
      forward(k, net, obsAt(start), n, st);
      const v = f32(st + last.a, n), d = f32(st + last.d, n);
      for (let r = 0; r < n; r++) d[r] = 2 * kappa * (v[r] - returns[start + r]);
      backward(k, net, n, st);
    },
    gradient(start, n, st, out, _acc, value) {
      const v = f32(st + last.a, n);
      let s = 0;
      for (let r = 0; r < n; r++) s += (returns[start + r] - v[r]) ** 2;
      value[0] += kappa * s;
      gradient(k, net, obsAt(start), n, st, out);
    },
    hvp(start, n, st, sc, b, out, _acc) {
      const x0 = obsAt(start);
      rForward(k, net, x0, n, st, sc, b);
      const rv = f32(sc + last.rz, n * b);
      const c = 2 * kappa;
      for (let i = 0; i < n * b; i++) rv[i] *= c;
      rBackward(k, net, x0, n, st, sc, b, out, size);
    },
  };
}
