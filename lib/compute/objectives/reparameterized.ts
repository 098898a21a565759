/**
 * The reparameterised actor objective: SAC's actor loss (paper notes §3.2) on the squashed
 * Gaussian head with the twin Q-networks frozen and the noise fixed, for the analysis (the SAC
 * training step composes the same head and loss functions in its own phases):
 *
 *   L = (1/N) Σ_n [ α·log π(ã_n|s_n) − Q_k(s_n, ã_n) ],  ã_n = tanh(μ + σ ⊙ ε_n),
 *   k = argmin_j Q_j(s_n, ã_n) (ties: Q₀, as min(a, b) = a − relu(a − b)).
 *
 * With g = ∂(−Q_k)/∂ã/N (the Q-networks' input gradient; 0 with `detachQ`, the paper-era quirk
 * where the Q term ran under no_grad), the head's `backward` gives δ_z; along a direction R{g}
 * comes from an R-forward of the frozen Q-networks with R-input R{ã} and an R-backward with
 * R{δ_Q} = 0 — for ReLU Q-networks ∂Q/∂ã is piecewise constant, R{g} = 0 and that pass is
 * skipped.
 *
 * With `gsde` (SAC's gSDE actor, SB3 `use_sde`) the head is `SquashedGsdeHead`: the network
 * outputs μ only, the log-std matrix L sits in θ at `gsde.headOffset` (part of θ_actor), one
 * exploration matrix E = σ(L) ⊙ ξ (ξ fixed) serves every sample, and ã = tanh(μ + hᵀE) reads the
 * last hidden activations h, which receive the head's direct gradient and its R-counterpart
 * (SB3 `learn_features=True`); L's gradient and Hessian-vector products are accumulated on the
 * host.
 *
 * @module
 */
import { SquashedGaussianHead, type SquashedSample } from "../heads.ts";
import {
  type SquashedGsdeBatch,
  type SquashedGsdeDirections,
  SquashedGsdeHead,
  type SquashedGsdeOptions,
  type SquashedGsdeSample,
} from "../gsde.ts";
import type { Network } from "../network.ts";
import type { Ptr } from "../kernels.ts";
import * as ops from "../ops.ts";
import * as common from "./common.ts";

/**
 * The reparameterised actor objective's description.
 *
 * @example
 * ```ts
 * import type { ReparameterizedSpec } from "./reparameterized.ts";
 * function samples(s: ReparameterizedSpec) { return s.noise.length; }
 * ```
 */
export interface ReparameterizedSpec {
  kind: "reparameterized";
  /** The actor: latent MLP, then one layer holding the heads [μ | ρ] (2·actDim columns; gSDE: μ). */
  net: Network;
  /** The two (frozen) Q-networks over `criticTheta`. */
  qNets: readonly [Network, Network];
  /** θ_critic (constant). */
  criticTheta: ArrayLike<number>;
  /** s, N × obsDim. */
  obs: ArrayLike<number>;
  /** ε, N × actDim (empty with `gsde`). */
  noise: ArrayLike<number>;
  /**
   * gSDE: the head's settings, the offset of L in θ and ξ of the one exploration matrix
   * (n_latent × act, standard normal).
   */
  gsde?: { options: SquashedGsdeOptions; headOffset: number; xi: ArrayLike<number> } | null;
  /** α (constant). */
  alpha: number;
  /** Treat min Q as a constant (only α·log π is differentiated). */
  detachQ: boolean;
}

interface ReparamPlan {
  /** Samples N (the weights 1/N; at most `capacity`). */
  samples: number;
  /** Rows the data buffers hold. */
  capacity: number;
  net: ops.NetPlan;
  qNets: ops.NetPlan[];
  /** Q-network state lives in the chunk state (needed by the R-pass) or in thread scratch. */
  qInState: boolean;
  /** R{g} is needed (tanh Q-networks and not detachQ). */
  qSecondOrder: boolean;
  size: number;
  obs: Ptr;
  obsDim: number;
  actDim: number;
  noise: Ptr;
  alpha: number;
  detachQ: boolean;
  /** gSDE settings with ξ (a plain copy), or null. */
  gsde: { options: SquashedGsdeOptions; headOffset: number; xi: number[] } | null;
  theta: Ptr;
  /** gSDE chunk state (f64, relative to st): μ, m, v and ∂f/∂ã per sample. */
  mean: number;
  dev: number;
  variance: number;
  gAct: number;
  // chunk state (relative to st)
  t: number;
  se: number;
  inside: number;
  pa: number;
  value: number;
  // thread scratch (relative to sc)
  qx: number;
  ga: number[];
  rt: number;
  rga: number[];
}

type ReparameterizedPlanner = common.Planner<ReparameterizedSpec, ReparamPlan>;

/**
 * Plans the reparameterised actor objective (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./common.ts";
 * import { planReparameterized, type ReparameterizedSpec } from "./reparameterized.ts";
 * function plan(spec: ReparameterizedSpec, theta: Float32Array, ctx: PlanContext) { return planReparameterized(spec, theta, ctx); }
 * ```
 */
export const planReparameterized: ReparameterizedPlanner = (spec, theta, ctx) => {
  const layers = spec.net.layers;
  const gsde = spec.gsde ?? null;
  const obsDim = layers[0].fanIn;
  const actDim = layers[layers.length - 1].fanOut / (gsde ? 1 : 2);
  const n = spec.obs.length / obsDim;
  const qIn = spec.qNets[0].layers[0].fanIn;
  const noiseValues = gsde ? 0 : n * actDim;
  if (
    !Number.isInteger(n) || !Number.isInteger(actDim) || spec.noise.length !== noiseValues ||
    qIn !== obsDim + actDim
  ) {
    throw new RangeError(
      `reparameterised actor objective: ${spec.obs.length} observation and ` +
        `${spec.noise.length} noise values do not fit an actor ${obsDim} → ` +
        `${gsde ? "" : "2·"}${actDim} and Q-networks of input width ${qIn}`,
    );
  }
  if (gsde) {
    const H = layers[layers.length - 1].fanIn;
    const P = new SquashedGsdeHead(actDim, { ...gsde.options, latentDim: H }).paramCount;
    if (
      layers.length < 2 || gsde.options.latentDim !== H || gsde.xi.length !== H * actDim ||
      gsde.headOffset + P > theta.length
    ) {
      throw new RangeError(
        `reparameterised actor objective (gSDE): the features (width ${H}), ξ ` +
          `(${gsde.xi.length} values, needs ${H}·${actDim}) and the log-std block at ` +
          `${gsde.headOffset} (${P} entries) do not fit θ of ${theta.length} entries`,
      );
    }
  }
  common.checkFinite("reparameterised actor objective (critic)", spec.criticTheta);
  const { rows, maxBlock } = ctx;
  const parameters = common.planParameters(
    "reparameterised actor objective",
    [spec.net],
    theta,
    ctx,
  );
  const { size, nets: [net] } = parameters;
  const criticPtr = ctx.fixed.real(spec.criticTheta.length);
  const qSecondOrder = !spec.detachQ && spec.qNets[0].activation === "tanh";
  const qInState = qSecondOrder;
  const qNets = spec.qNets.map((q) =>
    ops.planNet(q, criticPtr, spec.criticTheta.length, 0, {
      ...ctx,
      state: qInState ? ctx.state : ctx.scratch,
      maxBlock: qSecondOrder ? maxBlock : 0,
    })
  );
  const columns = common.dataColumns(ctx, n, {
    obs: [spec.obs, obsDim],
    noise: gsde ? null : [spec.noise, actDim],
  });
  const plan: ReparamPlan = {
    samples: n,
    capacity: n,
    net,
    qNets,
    qInState,
    qSecondOrder,
    size,
    obs: columns.obs.ptr,
    obsDim,
    actDim,
    noise: gsde ? 0 : columns.noise.ptr,
    alpha: spec.alpha,
    detachQ: spec.detachQ,
    gsde: gsde && {
      options: { ...gsde.options },
      headOffset: gsde.headOffset,
      xi: Array.from(gsde.xi),
    },
    theta: parameters.theta,
    mean: gsde ? ctx.state.f64(rows * actDim) : 0,
    dev: gsde ? ctx.state.f64(rows * actDim) : 0,
    variance: gsde ? ctx.state.f64(rows * actDim) : 0,
    gAct: gsde ? ctx.state.f64(rows * actDim) : 0,
    // gSDE keeps its samples in float64 host memory (ã, μ, m, v, the clamp flags).
    t: gsde ? ctx.state.f64(rows * actDim) : ctx.state.real(rows * actDim),
    se: ctx.state.real(rows * actDim),
    inside: gsde ? ctx.state.f64(rows * actDim) : ctx.state.real(rows * actDim),
    pa: ctx.state.real(rows * actDim),
    value: ctx.state.f64(rows),
    qx: ctx.scratch.real(rows * qIn),
    ga: [ctx.scratch.real(rows * actDim), ctx.scratch.real(rows * actDim)],
    rt: ctx.scratch.real(rows * Math.max(maxBlock, 1) * actDim),
    rga: [
      ctx.scratch.real(rows * Math.max(maxBlock, 1) * actDim),
      ctx.scratch.real(rows * Math.max(maxBlock, 1) * actDim),
    ],
  };
  const a = ops.networkMacs(spec.net), q = spec.qNets.map(ops.networkMacs);
  // Q-networks in the gradient pass: forward, δ and the action input gradient (no ∇W).
  const qFb = spec.qNets.reduce(
    (s, qn) =>
      s + qn.layers.reduce((t, l, i) => t + l.fanIn * l.fanOut * (i > 0 ? 2 : 1), 0) +
      actDim * qn.layers[0].fanOut,
    0,
  );
  const macsPerSample = {
    forwardBackward: a.forwardBackward + qFb,
    rPass: a.rPass + (qSecondOrder ? q[0].rPass + q[1].rPass : 0),
  };
  const constants = [[criticPtr, spec.criticTheta]] as const;
  return common.planned({
    kind: "reparameterized",
    plan,
    parameters,
    columns,
    macsPerSample,
    frozen: qNets,
    constants,
  });
};

/**
 * The reparameterised actor objective's per-chunk work (any thread).
 *
 * @example
 * ```ts
 * import type { DeviceContext } from "./common.ts";
 * import { reparameterizedRuntime } from "./reparameterized.ts";
 * function make(plan: unknown, dev: DeviceContext) { return reparameterizedRuntime(plan, dev); }
 * ```
 */
export function reparameterizedRuntime(
  planIn: unknown,
  dev: common.DeviceContext,
): common.ObjectiveRuntime {
  const p = planIn as ReparamPlan;
  if (p.gsde) return gsdeRuntime(p, dev);
  const k = dev.kernels, E = dev.E;
  const { net, obsDim, actDim: A, capacity } = p;
  const head = new SquashedGaussianHead(A);
  const last = net.layers[net.layers.length - 1];
  const zStride = 2 * A;
  const noise = dev.real(p.noise, capacity * A);
  const obsAll = dev.real(p.obs, capacity * obsDim);
  const qIn = obsDim + A;
  const obsAt = (start: number) => p.obs + E * start * obsDim;
  let logp = new Float64Array(0), g = new Float64Array(0), rg = new Float64Array(0);
  const sampleOf = (st: Ptr, n: number): SquashedSample => ({
    actions: dev.real(st + p.t, n * A),
    sigmaEps: dev.real(st + p.se, n * A),
    inside: dev.real(st + p.inside, n * A),
    logProbs: logp,
  });
  return {
    *prepare(start, n, st, sc) {
      const w = 1 / p.samples, wa = w * p.alpha;
      ops.forward(k, net, obsAt(start), n, st);
      yield [[st + last.a, n * zStride]];
      if (logp.length < n) {
        logp = new Float64Array(n);
        g = new Float64Array(n * A);
      }
      const s = sampleOf(st, n);
      const qx = dev.real(sc + p.qx, n * qIn);
      for (let r = 0; r < n; r++) {
        qx.set(obsAll.subarray((start + r) * obsDim, (start + r + 1) * obsDim), r * qIn);
      }
      head.sample(dev.real(st + last.a, n * zStride), zStride, noise, start * A, n, s, {
        array: qx,
        stride: qIn,
        col: obsDim,
      });
      const val = dev.f64(st + p.value, n);
      for (let r = 0; r < n; r++) val[r] = wa * logp[r];
      const gOrNull = (yield* frozenQ(p, dev, n, st, sc, val, g)) ? g : null;
      head.backward(
        s,
        n,
        wa,
        gOrNull,
        dev.real(st + last.d, n * zStride),
        zStride,
        dev.real(st + p.pa, n * A),
      );
      ops.backward(k, net, n, st);
    },
    // A generator like the other phases, although this one reads no device range.
    // deno-lint-ignore require-yield
    *gradient(start, n, st, out, _acc, value) {
      const val = dev.f64(st + p.value, n);
      let s = 0;
      for (let r = 0; r < n; r++) s += val[r];
      value[0] += s;
      ops.gradient(k, net, obsAt(start), n, st, out);
    },
    *hvp(start, n, st, sc, b, out) {
      const wa = p.alpha / p.samples;
      const x0 = obsAt(start);
      ops.rForward(k, net, x0, n, st, sc, b);
      yield [[sc + last.rz, n * b * zStride]];
      const rz = dev.real(sc + last.rz, n * b * zStride);
      const s = sampleOf(st, n);
      const rt = dev.real(sc + p.rt, n * b * A);
      head.jvp(s, n, b, rz, zStride, rt);
      let rgOrNull: Float64Array | null = null;
      if (p.qSecondOrder) {
        if (rg.length < n * b * A) rg = new Float64Array(n * b * A);
        yield* frozenQDirectional(p, dev, n, st, sc, b, rg);
        rgOrNull = rg;
      }
      // A fresh view: the Q passes above ran kernels since `rz` was taken (see DeviceContext).
      const rzNow = dev.real(sc + last.rz, n * b * zStride);
      head.rBackward(s, n, b, wa, dev.real(st + p.pa, n * A), rt, rgOrNull, rzNow, zStride);
      ops.rBackward(k, net, x0, n, st, sc, b, out, p.size);
    },
  };
}

/** The reparameterised actor objective with SAC's gSDE head (see the module doc). */
function gsdeRuntime(p: ReparamPlan, dev: common.DeviceContext): common.ObjectiveRuntime {
  const k = dev.kernels, E = dev.E;
  const { net, obsDim, actDim: A, capacity } = p;
  const g0 = p.gsde!;
  const head = new SquashedGsdeHead(A, g0.options);
  const P = head.paramCount, H = g0.options.latentDim, xi = Float64Array.from(g0.xi);
  const last = net.layers[net.layers.length - 1], hidden = net.layers[net.layers.length - 2];
  const obsAll = dev.real(p.obs, capacity * obsDim);
  const params = dev.real(p.theta + E * g0.headOffset, P);
  const qIn = obsDim + A;
  const obsAt = (start: number) => p.obs + E * start * obsDim;
  const sink = new Float64Array(P);
  let logp = new Float64Array(0);
  let dz = new Float64Array(0), dh = new Float64Array(0);
  let vHead = new Float64Array(0), hv = new Float64Array(0), rg = new Float64Array(0);
  const sampleOf = (st: Ptr, n: number): SquashedGsdeSample => ({
    actions: dev.f64(st + p.t, n * A),
    mean: dev.f64(st + p.mean, n * A),
    dev: dev.f64(st + p.dev, n * A),
    variance: dev.f64(st + p.variance, n * A),
    inside: dev.f64(st + p.inside, n * A),
    logProbs: logp,
  });
  /** The head's batch: z and h of the chunk in the device state `st`. */
  const batchOf = (st: Ptr, n: number): SquashedGsdeBatch => ({
    n,
    z: dev.real(st + last.a, n * A),
    zStride: A,
    latent: dev.real(st + hidden.a, n * H),
    params,
    paramsOffset: 0,
    xi,
  });
  /** b directions of the chunk: R{z} and R{h} from the device scratch `sc`, R{L} from vHead. */
  const directionsOf = (sc: Ptr, n: number, b: number): SquashedGsdeDirections => ({
    b,
    rz: dev.real(sc + last.rz, n * b * A),
    rLatent: dev.real(sc + last.rh, n * b * H),
    rParams: vHead,
  });
  return {
    *prepare(start, n, st, sc) {
      const w = 1 / p.samples, wa = w * p.alpha;
      ops.forward(k, net, obsAt(start), n, st);
      yield [[st + last.a, n * A], [st + hidden.a, n * H]];
      if (logp.length < n) logp = new Float64Array(n);
      const s = sampleOf(st, n), x = batchOf(st, n);
      head.sample(x, s);
      const qx = dev.real(sc + p.qx, n * qIn);
      for (let r = 0; r < n; r++) {
        qx.set(obsAll.subarray((start + r) * obsDim, (start + r + 1) * obsDim), r * qIn);
        for (let d = 0; d < A; d++) qx[r * qIn + obsDim + d] = s.actions[r * A + d];
      }
      const val = dev.f64(st + p.value, n);
      for (let r = 0; r < n; r++) val[r] = wa * logp[r];
      const g = dev.f64(st + p.gAct, n * A);
      g.fill(0);
      yield* frozenQ(p, dev, n, st, sc, val, g);
      // δh of the head goes straight into δ of the last hidden layer (before its ReLU mask).
      const dLatent = dev.real(st + hidden.d, n * H);
      dLatent.fill(0);
      sink.fill(0);
      head.backward(x, s, wa, g, {
        deltaZ: dev.real(st + last.d, n * A),
        deltaLatent: dLatent,
        gradParams: sink,
      });
      ops.backward(k, net, n, st, undefined, true);
    },
    // A generator like the other phases, although this one reads no device range.
    // deno-lint-ignore require-yield
    *gradient(start, n, st, out, acc, value) {
      const val = dev.f64(st + p.value, n);
      let v = 0;
      for (let r = 0; r < n; r++) v += val[r];
      value[0] += v;
      // L's gradient: the head's backward again, from the kept samples and ∂f/∂ã.
      if (dz.length < n * A) dz = new Float64Array(n * A);
      if (dh.length < n * H) dh = new Float64Array(n * H);
      const wa = p.alpha / p.samples;
      const hp = acc.subarray(g0.headOffset, g0.headOffset + P);
      const g = dev.f64(st + p.gAct, n * A);
      head.backward(batchOf(st, n), sampleOf(st, n), wa, g, {
        deltaZ: dz,
        deltaLatent: dh,
        gradParams: hp,
      });
      ops.gradient(k, net, obsAt(start), n, st, out);
    },
    *hvp(start, n, st, sc, b, out, acc) {
      const wa = p.alpha / p.samples;
      const x0 = obsAt(start);
      ops.rForward(k, net, x0, n, st, sc, b);
      yield [[sc + last.rz, n * b * A], [sc + last.rh, n * b * H]];
      const s = sampleOf(st, n), x = batchOf(st, n);
      if (vHead.length < b * P) {
        vHead = new Float64Array(b * P);
        hv = new Float64Array(b * P);
      }
      for (let j = 0; j < b; j++) {
        const dir = dev.real(net.directions + E * (j * p.size + g0.headOffset), P);
        for (let d = 0; d < P; d++) vHead[j * P + d] = dir[d];
      }
      const g = dev.f64(st + p.gAct, n * A);
      let rgOrNull: Float64Array | null = null;
      if (p.qSecondOrder) {
        const rt = dev.real(sc + p.rt, n * b * A);
        head.jvp(x, s, directionsOf(sc, n, b), rt);
        if (rg.length < n * b * A) rg = new Float64Array(n * b * A);
        yield* frozenQDirectional(p, dev, n, st, sc, b, rg);
        rgOrNull = rg;
      }
      hv.fill(0, 0, b * P);
      // Fresh views: the Q passes above ran kernels since the R-buffers were first read.
      head.rBackward(batchOf(st, n), s, directionsOf(sc, n, b), wa, g, rgOrNull, {
        rDeltaLatent: dev.real(sc + net.g, n * b * H),
        hvParams: hv,
      });
      for (let j = 0; j < b; j++) {
        for (let d = 0; d < P; d++) acc[j * p.size + g0.headOffset + d] += hv[j * P + d];
      }
      ops.rBackward(k, net, x0, n, st, sc, b, out, p.size, undefined, true);
    },
  };
}

/**
 * The frozen twin Q on the chunk's Q inputs [s, ã] (scratch `qx`): subtracts w·min_j Q_j from
 * `val`, seeds δ_Q (−w on the smaller, 0 with `detachQ`) and, unless `detachQ`, writes
 * g = ∂(−w·min Q)/∂ã into `g` (n × act). Returns whether g was written.
 */
function* frozenQ(
  p: ReparamPlan,
  dev: common.DeviceContext,
  n: number,
  st: Ptr,
  sc: Ptr,
  val: Float64Array,
  g: Float64Array,
): Generator<common.DownloadRequest, boolean, undefined> {
  const k = dev.kernels, w = 1 / p.samples, A = p.actDim;
  const qLast = p.qNets.map((q) => q.layers[q.layers.length - 1]);
  const qBase = p.qInState ? st : sc;
  for (const q of p.qNets) ops.forward(k, q, sc + p.qx, n, qBase);
  yield [[qBase + qLast[0].a, n], [qBase + qLast[1].a, n]];
  const q0 = dev.real(qBase + qLast[0].a, n), q1 = dev.real(qBase + qLast[1].a, n);
  const d0 = dev.real(qBase + qLast[0].d, n), d1 = dev.real(qBase + qLast[1].d, n);
  for (let r = 0; r < n; r++) {
    const first = q0[r] <= q1[r];
    val[r] -= w * (first ? q0[r] : q1[r]);
    d0[r] = p.detachQ ? 0 : first ? -w : 0;
    d1[r] = p.detachQ ? 0 : first ? 0 : -w;
  }
  if (p.detachQ) return false;
  p.qNets.forEach((q, j) =>
    ops.backward(k, q, n, qBase, { ptr: sc + p.ga[j], col: p.obsDim, width: A })
  );
  yield [[sc + p.ga[0], n * A], [sc + p.ga[1], n * A]];
  const g0 = dev.real(sc + p.ga[0], n * A), g1 = dev.real(sc + p.ga[1], n * A);
  for (let i = 0; i < n * A; i++) g[i] = g0[i] + g1[i];
  return true;
}

/**
 * R{g} of the frozen twin Q for b directions ([b, n, act] into `rg`) from R{ã} in the scratch
 * `rt`: an R-forward with R-input R{ã} and an R-backward with R{δ_Q} = 0.
 */
function* frozenQDirectional(
  p: ReparamPlan,
  dev: common.DeviceContext,
  n: number,
  st: Ptr,
  sc: Ptr,
  b: number,
  rg: Float64Array,
): common.ObjectiveSteps {
  const k = dev.kernels, A = p.actDim;
  p.qNets.forEach((q, j) => {
    ops.rForward(k, q, 0, n, st, sc, b, { ptr: sc + p.rt, col: p.obsDim, width: A });
    const last = q.layers[q.layers.length - 1];
    dev.real(sc + last.rz, n * b).fill(0); // R{δ_Q} = 0: the seed −w·1[k = j] is constant
    ops.rBackward(k, q, 0, n, st, sc, b, 0, 0, { ptr: sc + p.rga[j], col: p.obsDim, width: A });
  });
  yield [[sc + p.rga[0], n * b * A], [sc + p.rga[1], n * b * A]];
  const r0 = dev.real(sc + p.rga[0], n * b * A), r1 = dev.real(sc + p.rga[1], n * b * A);
  for (let i = 0; i < n * b * A; i++) rg[i] = r0[i] + r1[i];
}
