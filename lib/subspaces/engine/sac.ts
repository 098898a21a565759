/**
 * SAC loss families of the engine (paper notes §3.2). N samples, w = 1/N.
 *
 * **Critic** (two Q-networks on x = concat(s, a), targets y constant):
 *   L = ½ Σ_j w Σ_n (Q_j − y)²:  δ_{Q_j} = w (Q_j − y),  R{δ_{Q_j}} = w R{Q_j}.
 *
 * **Actor** (squashed Gaussian, frozen Q, fixed noise ε): the actor MLP's last layer is the two
 * heads [μ | ρ] (2·act columns), ℓ = clamp(ρ, −20, 2) (c = 1 inside [−20, 2], else 0: the
 * clamp's derivative; its second derivative is 0), σ = e^ℓ, u = μ + σε, ã = tanh(u),
 *   L = w Σ_n [α log π(ã|s) − Q_k(s, ã)],  k = argmin_j Q_j (ties: Q₀, as min = a − relu(a − b)),
 *   log π = Σ_d [−½ε_d² − ℓ_d − ½ log 2π − log(1 − ã_d² + 10⁻⁶)].
 * With D = 1 − ã² + 10⁻⁶, φ′ = 2ã/D, φ″ = 2/D + 4ã²/D² (φ = −log D), g = −w ∂Q_k/∂ã (the
 * Q-networks' input gradient, 0 with `detachQ`), P = wαφ′ + g and G = P·(1 − ã²) = ∂L/∂u:
 *   δ_μ = G,  δ_ρ = c (−wα + G σε);
 *   R{ℓ} = c R{ρ},  R{u} = R{μ} + σε R{ℓ},  R{ã} = (1 − ã²) R{u},
 *   R{P} = wα φ″ R{ã} + R{g},  R{G} = R{P}(1 − ã²) − 2 P ã R{ã},
 *   R{δ_μ} = R{G},  R{δ_ρ} = c σε (R{G} + G R{ℓ}).
 * R{g} comes from an R-forward of the frozen Q-networks with R-input R{ã} and an R-backward with
 * R{δ_Q} = 0; for ReLU Q-networks it is exactly 0 (∂Q/∂ã is piecewise constant) and skipped.
 *
 * @module
 */
import { HALF_LOG_2PI } from "../../agents/ppo/policy.ts";
import { LOG_STD_MAX, LOG_STD_MIN, TANH_LOG_EPS } from "../../agents/sac/policy.ts";
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
 * The SAC critic loss for the engine.
 *
 * @example
 * ```ts
 * import type { SacCriticEngineSpec } from "./sac.ts";
 * function samples(s: SacCriticEngineSpec) { return s.targets.length; }
 * ```
 */
export interface SacCriticEngineSpec {
  kind: "sac-critic";
  /** The two Q-networks in θ_critic. */
  qNets: readonly [NetBlocks, NetBlocks];
  /** s, N × obsDim. */
  obs: Float32Array;
  /** a, N × actDim. */
  actions: Float32Array;
  /** Targets y. */
  targets: Float32Array;
}

/**
 * The SAC actor loss for the engine.
 *
 * @example
 * ```ts
 * import type { SacActorEngineSpec } from "./sac.ts";
 * function samples(s: SacActorEngineSpec) { return s.obs.length; }
 * ```
 */
export interface SacActorEngineSpec {
  kind: "sac-actor";
  /** The actor: latent MLP, then one layer holding the heads [μ | log σ] (2·actDim columns). */
  net: NetBlocks;
  /** The two (frozen) Q-networks, in `criticTheta`. */
  qNets: readonly [NetBlocks, NetBlocks];
  /** θ_critic (constant). */
  criticTheta: Float32Array;
  /** s, N × obsDim. */
  obs: Float32Array;
  /** ε, N × actDim. */
  noise: Float32Array;
  /** α (constant). */
  alpha: number;
  /** Treat min Q as a constant (the §3.2 quirk): only α·log π is differentiated. */
  detachQ: boolean;
}

function mlpMacs(net: NetBlocks): { fb: number; r: number } {
  let fb = 0, r = 0;
  net.layers.forEach((l, i) => {
    const m = l.fanIn * l.fanOut;
    fb += m + m + (i > 0 ? m : 0);
    r += (i > 0 ? 2 : 1) * m + (i > 0 ? 4 : 1) * m;
  });
  return { fb, r };
}

interface SacCriticPlan {
  samples: number;
  nets: NetPlan[];
  x: number;
  inDim: number;
  targets: number;
}

/**
 * Plans the SAC critic family (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./family.ts";
 * import { planSacCritic, type SacCriticEngineSpec } from "./sac.ts";
 * function plan(spec: SacCriticEngineSpec, theta: Float32Array, ctx: PlanContext) { return planSacCritic(spec, theta, ctx); }
 * ```
 */
export function planSacCritic(
  spec: SacCriticEngineSpec,
  theta: Float32Array,
  ctx: PlanContext,
): PlannedFamily {
  const n = spec.targets.length;
  const inDim = spec.qNets[0].layers[0].fanIn;
  const actDim = spec.actions.length / n, obsDim = spec.obs.length / n;
  if (!Number.isInteger(actDim) || !Number.isInteger(obsDim) || obsDim + actDim !== inDim) {
    throw new RangeError(
      `engine (SAC critic): ${n} targets with ${spec.obs.length} observation and ` +
        `${spec.actions.length} action values do not fit Q-networks of input width ${inDim}`,
    );
  }
  const sizes = spec.qNets.map(packedSize);
  const size = sizes[0] + sizes[1];
  const perm = new Int32Array(size);
  packedThetaIndices(spec.qNets[1], perm, packedThetaIndices(spec.qNets[0], perm, 0));
  const nets = spec.qNets.map((q, j) =>
    planNet(q, j === 0 ? 0 : sizes[0], ctx.fixed, ctx.state, ctx.scratch, ctx.rows, ctx.maxBlock)
  );
  const plan: SacCriticPlan = {
    samples: n,
    nets,
    x: ctx.fixed.f32(n * inDim),
    inDim,
    targets: ctx.fixed.f32(n),
  };
  const macs = spec.qNets.map(mlpMacs);
  return {
    name: "sac-critic",
    plan,
    packedSize: size,
    packedToTheta: perm,
    load(kern: Kern) {
      const buf = kern.memory.buffer;
      const x = new Float32Array(buf, plan.x, n * inDim);
      for (let i = 0; i < n; i++) {
        x.set(spec.obs.subarray(i * obsDim, (i + 1) * obsDim), i * inDim);
        x.set(spec.actions.subarray(i * actDim, (i + 1) * actDim), i * inDim + obsDim);
      }
      new Float32Array(buf, plan.targets, n).set(spec.targets);
      spec.qNets.forEach((q, j) => loadNetWeights(kern, q, nets[j], theta));
    },
    stage(kern: Kern, packed: readonly Float32Array[]) {
      for (const net of nets) stageDirections(kern, net, packed);
    },
    constantTerms: () => ({ value: 0, gradient: null }),
    macsPerSample: { forwardBackward: macs[0].fb + macs[1].fb, rPass: macs[0].r + macs[1].r },
  };
}

/**
 * The SAC critic family's per-chunk work (any thread).
 *
 * @example
 * ```ts
 * import type { Kern } from "./mlp.ts";
 * import { sacCriticRuntime } from "./sac.ts";
 * function make(plan: unknown, kern: Kern, size: number) { return sacCriticRuntime(plan, kern, size); }
 * ```
 */
export function sacCriticRuntime(planIn: unknown, k: Kern, size: number): FamilyRuntime {
  const p = planIn as SacCriticPlan;
  const buf = k.memory.buffer;
  const f32 = (ptr: number, len: number) => new Float32Array(buf, ptr, len);
  const targets = f32(p.targets, p.samples);
  const w = 1 / p.samples;
  const xAt = (start: number) => p.x + 4 * start * p.inDim;
  return {
    prepare(start, n, st) {
      for (const net of p.nets) {
        const last = net.layers[net.layers.length - 1];
        forward(k, net, xAt(start), n, st);
        const q = f32(st + last.a, n), d = f32(st + last.d, n);
        for (let r = 0; r < n; r++) d[r] = w * (q[r] - targets[start + r]);
        backward(k, net, n, st);
      }
    },
    gradient(start, n, st, out, _acc, value) {
      let s = 0;
      for (const net of p.nets) {
        const q = f32(st + net.layers[net.layers.length - 1].a, n);
        for (let r = 0; r < n; r++) s += (q[r] - targets[start + r]) ** 2;
        gradient(k, net, xAt(start), n, st, out);
      }
      value[0] += 0.5 * w * s;
    },
    hvp(start, n, st, sc, b, out) {
      for (const net of p.nets) {
        rForward(k, net, xAt(start), n, st, sc, b);
        const rq = f32(sc + net.layers[net.layers.length - 1].rz, n * b);
        for (let i = 0; i < n * b; i++) rq[i] *= w;
        rBackward(k, net, xAt(start), n, st, sc, b, out, size);
      }
    },
  };
}

interface SacActorPlan {
  samples: number;
  net: NetPlan;
  qNets: NetPlan[];
  /** Q-network state lives in the chunk state (tanh: needed by the R-pass) or thread scratch. */
  qInState: boolean;
  /** R{g} is needed (tanh Q-networks and not detachQ). */
  qSecondOrder: boolean;
  obs: number;
  obsDim: number;
  actDim: number;
  noise: number;
  alpha: number;
  detachQ: boolean;
  // chunk state (relative to st)
  t: number;
  se: number;
  clampMask: number;
  pa: number;
  value: number;
  // thread scratch (relative to sc)
  qx: number;
  ga: number[];
  rt: number;
  rga: number[];
}

/**
 * Plans the SAC actor family (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./family.ts";
 * import { planSacActor, type SacActorEngineSpec } from "./sac.ts";
 * function plan(spec: SacActorEngineSpec, theta: Float32Array, ctx: PlanContext) { return planSacActor(spec, theta, ctx); }
 * ```
 */
export function planSacActor(
  spec: SacActorEngineSpec,
  theta: Float32Array,
  ctx: PlanContext,
): PlannedFamily {
  const layers = spec.net.layers;
  const obsDim = layers[0].fanIn;
  const actDim = layers[layers.length - 1].fanOut / 2;
  const n = spec.obs.length / obsDim;
  const qIn = spec.qNets[0].layers[0].fanIn;
  if (
    !Number.isInteger(n) || !Number.isInteger(actDim) || spec.noise.length !== n * actDim ||
    qIn !== obsDim + actDim
  ) {
    throw new RangeError(
      `engine (SAC actor): ${spec.obs.length} observation and ${spec.noise.length} noise ` +
        `values do not fit an actor ${obsDim} → 2·${actDim} and Q-networks of input width ${qIn}`,
    );
  }
  const size = packedSize(spec.net);
  const perm = new Int32Array(size);
  packedThetaIndices(spec.net, perm, 0);
  const { rows, maxBlock } = ctx;
  const net = planNet(spec.net, 0, ctx.fixed, ctx.state, ctx.scratch, rows, maxBlock);
  const qSecondOrder = !spec.detachQ && spec.qNets[0].activation === "tanh";
  const qInState = qSecondOrder;
  const qNets = spec.qNets.map((q) =>
    planNet(
      q,
      -1,
      ctx.fixed,
      qInState ? ctx.state : ctx.scratch,
      ctx.scratch,
      rows,
      maxBlock,
    )
  );
  const plan: SacActorPlan = {
    samples: n,
    net,
    qNets,
    qInState,
    qSecondOrder,
    obs: ctx.fixed.f32(n * obsDim),
    obsDim,
    actDim,
    noise: ctx.fixed.f32(n * actDim),
    alpha: spec.alpha,
    detachQ: spec.detachQ,
    t: ctx.state.f32(rows * actDim),
    se: ctx.state.f32(rows * actDim),
    clampMask: ctx.state.f32(rows * actDim),
    pa: ctx.state.f32(rows * actDim),
    value: ctx.state.f32(rows),
    qx: ctx.scratch.f32(rows * qIn),
    ga: [ctx.scratch.f32(rows * actDim), ctx.scratch.f32(rows * actDim)],
    rt: ctx.scratch.f32(rows * maxBlock * actDim),
    rga: [ctx.scratch.f32(rows * maxBlock * actDim), ctx.scratch.f32(rows * maxBlock * actDim)],
  };
  const a = mlpMacs(spec.net), q = spec.qNets.map(mlpMacs);
  // Q-networks in the gradient pass: forward, δ and the action input gradient (no ∇W).
  const qFb = spec.qNets.reduce(
    (s, qn) =>
      s + qn.layers.reduce((t, l, i) => t + l.fanIn * l.fanOut * (i > 0 ? 2 : 1), 0) +
      actDim * qn.layers[0].fanOut,
    0,
  );
  return {
    name: "sac-actor",
    plan,
    packedSize: size,
    packedToTheta: perm,
    load(kern: Kern) {
      const buf = kern.memory.buffer;
      new Float32Array(buf, plan.obs, n * obsDim).set(spec.obs);
      new Float32Array(buf, plan.noise, n * actDim).set(spec.noise);
      loadNetWeights(kern, spec.net, net, theta);
      spec.qNets.forEach((qn, j) => loadNetWeights(kern, qn, qNets[j], spec.criticTheta));
    },
    stage(kern: Kern, packed: readonly Float32Array[]) {
      stageDirections(kern, net, packed);
    },
    constantTerms: () => ({ value: 0, gradient: null }),
    macsPerSample: {
      forwardBackward: a.fb + qFb,
      rPass: a.r + (qSecondOrder ? q[0].r + q[1].r : 0),
    },
  };
}

/**
 * The SAC actor family's per-chunk work (any thread).
 *
 * @example
 * ```ts
 * import type { Kern } from "./mlp.ts";
 * import { sacActorRuntime } from "./sac.ts";
 * function make(plan: unknown, kern: Kern, size: number) { return sacActorRuntime(plan, kern, size); }
 * ```
 */
export function sacActorRuntime(planIn: unknown, k: Kern, size: number): FamilyRuntime {
  const p = planIn as SacActorPlan;
  const { net, qNets, obsDim, actDim: A } = p;
  const last = net.layers[net.layers.length - 1];
  const qLast = qNets.map((q) => q.layers[q.layers.length - 1]);
  const buf = k.memory.buffer;
  const f32 = (ptr: number, len: number) => new Float32Array(buf, ptr, len);
  const noise = f32(p.noise, p.samples * A);
  const obsAll = f32(p.obs, p.samples * obsDim);
  const w = 1 / p.samples, wa = w * p.alpha;
  const qIn = obsDim + A;
  const obsAt = (start: number) => p.obs + 4 * start * obsDim;
  return {
    prepare(start, n, st, sc) {
      forward(k, net, obsAt(start), n, st);
      const z = f32(st + last.a, n * 2 * A);
      const t = f32(st + p.t, n * A), se = f32(st + p.se, n * A), cm = f32(st + p.clampMask, n * A);
      const val = f32(st + p.value, n), qx = f32(sc + p.qx, n * qIn);
      for (let r = 0; r < n; r++) {
        qx.set(obsAll.subarray((start + r) * obsDim, (start + r + 1) * obsDim), r * qIn);
        let logProb = 0;
        for (let d = 0; d < A; d++) {
          const i = r * A + d;
          const mu = z[r * 2 * A + d], rho = z[r * 2 * A + A + d];
          const inside = rho >= LOG_STD_MIN && rho <= LOG_STD_MAX;
          const ls = inside ? rho : rho < LOG_STD_MIN ? LOG_STD_MIN : LOG_STD_MAX;
          const eps = noise[(start + r) * A + d];
          // float32 rounding as in the float32 reference (tfjs, PyTorch): it decides whether ã
          // saturates to ±1, where log(1 − ã² + 10⁻⁶) is most sensitive.
          const s = Math.fround(Math.fround(Math.exp(ls)) * eps);
          const a = Math.fround(Math.tanh(Math.fround(mu + s)));
          t[i] = a;
          se[i] = s;
          cm[i] = inside ? 1 : 0;
          qx[r * qIn + obsDim + d] = a;
          logProb += -0.5 * eps * eps - ls - HALF_LOG_2PI - Math.log(1 - a * a + TANH_LOG_EPS);
        }
        val[r] = wa * logProb;
      }
      const qBase = p.qInState ? st : sc;
      for (const q of qNets) forward(k, q, sc + p.qx, n, qBase);
      const q0 = f32(qBase + qLast[0].a, n), q1 = f32(qBase + qLast[1].a, n);
      const d0 = f32(qBase + qLast[0].d, n), d1 = f32(qBase + qLast[1].d, n);
      for (let r = 0; r < n; r++) {
        const first = q0[r] <= q1[r];
        val[r] -= w * (first ? q0[r] : q1[r]);
        d0[r] = p.detachQ ? 0 : first ? -w : 0;
        d1[r] = p.detachQ ? 0 : first ? 0 : -w;
      }
      const g0 = f32(sc + p.ga[0], n * A), g1 = f32(sc + p.ga[1], n * A);
      if (!p.detachQ) {
        qNets.forEach((q, j) =>
          backward(k, q, n, qBase, { ptr: sc + p.ga[j], col: obsDim, width: A })
        );
      }
      const pa = f32(st + p.pa, n * A), delta = f32(st + last.d, n * 2 * A);
      for (let r = 0; r < n; r++) {
        for (let d = 0; d < A; d++) {
          const i = r * A + d;
          const a = t[i];
          const g = p.detachQ ? 0 : g0[i] + g1[i];
          const P = wa * 2 * a / (1 - a * a + TANH_LOG_EPS) + g;
          const G = P * (1 - a * a);
          pa[i] = P;
          delta[r * 2 * A + d] = G;
          delta[r * 2 * A + A + d] = cm[i] * (-wa + G * se[i]);
        }
      }
      backward(k, net, n, st);
    },
    gradient(start, n, st, out, _acc, value) {
      const val = f32(st + p.value, n);
      let s = 0;
      for (let r = 0; r < n; r++) s += val[r];
      value[0] += s;
      gradient(k, net, obsAt(start), n, st, out);
    },
    hvp(start, n, st, sc, b, out) {
      const x0 = obsAt(start);
      rForward(k, net, x0, n, st, sc, b);
      const rz = f32(sc + last.rz, n * b * 2 * A);
      const t = f32(st + p.t, n * A), se = f32(st + p.se, n * A), cm = f32(st + p.clampMask, n * A);
      const pa = f32(st + p.pa, n * A), rt = f32(sc + p.rt, n * b * A);
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < b; j++) {
          const o = (j * n + r) * 2 * A;
          for (let d = 0; d < A; d++) {
            const i = r * A + d;
            const rl = cm[i] * rz[o + A + d];
            rt[(j * n + r) * A + d] = (1 - t[i] * t[i]) * (rz[o + d] + se[i] * rl);
          }
        }
      }
      let rg0: Float32Array | null = null, rg1: Float32Array | null = null;
      if (p.qSecondOrder) {
        qNets.forEach((q, j) => {
          rForward(k, q, 0, n, st, sc, b, { ptr: sc + p.rt, col: obsDim, width: A });
          f32(sc + qLast[j].rz, n * b).fill(0); // R{δ_Q} = 0: the seed −w·1[k = j] is constant
          rBackward(k, q, 0, n, st, sc, b, 0, 0, { ptr: sc + p.rga[j], col: obsDim, width: A });
        });
        rg0 = f32(sc + p.rga[0], n * b * A);
        rg1 = f32(sc + p.rga[1], n * b * A);
      }
      for (let r = 0; r < n; r++) {
        for (let d = 0; d < A; d++) {
          const i = r * A + d;
          const a = t[i], tp = 1 - a * a, D = tp + TANH_LOG_EPS;
          const phi2 = 2 / D + 4 * a * a / (D * D);
          const P = pa[i], G = P * tp, c = cm[i], s = se[i];
          for (let j = 0; j < b; j++) {
            const o = (j * n + r) * 2 * A;
            const q = (j * n + r) * A + d;
            const rT = rt[q];
            const rP = wa * phi2 * rT + (rg0 && rg1 ? rg0[q] + rg1[q] : 0);
            const rG = rP * tp - 2 * P * a * rT;
            const rl = c * rz[o + A + d];
            rz[o + d] = rG;
            rz[o + A + d] = c * s * (rG + G * rl);
          }
        }
      }
      rBackward(k, net, x0, n, st, sc, b, out, size);
    },
  };
}
