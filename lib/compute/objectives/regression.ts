/**
 * The regression objective of value heads: one or more networks fitted to targets by mean squared
 * error (paper notes §3.1, §3.2), written once for the training updates and the analysis:
 *
 *   L = κ · Σ_j (1/N) Σ_n (ŷ_{j,n} − y_n)²,   ŷ_{j,n} = V_j(x_n), or with value clipping
 *   ŷ = V_old + clip(V_j(x_n) − V_old, −ε_vf, ε_vf)
 *
 * PPO's critic is one network with κ = c_vf and y the λ-returns; SAC's critic is the two
 * Q-networks on x = [s, a] with κ = ½ and y the (constant) targets. Per sample
 * ∂L/∂V_j = κ·2·(ŷ_j − y)/N·1[not clipped], and R{∂L/∂V_j} = κ·2/N·1[not clipped]·R{V_j}.
 *
 * The per-sample loss head ({@linkcode regressionDeltas}) is shared with the SAC training step.
 *
 * @module
 */
import type { Network } from "../network.ts";
import type { Ptr, RealArray } from "../kernels.ts";
import * as ops from "../ops.ts";
import * as common from "./common.ts";

/**
 * Squared-error loss head of one network's outputs: writes δ_n = κ·2·(ŷ_n − y_n)/N (0 where the
 * value clip is active) into `delta` and returns Σ_n (ŷ_n − y_n)² (the caller scales by κ/N).
 * `clip`: ŷ = V_old + clip(V − V_old, ±range). `squares` (when given) gets each sample's (ŷ − y)²
 * added.
 *
 * @example
 * ```ts
 * import { regressionDeltas } from "./regression.ts";
 * const delta = new Float32Array(2);
 * regressionDeltas(new Float32Array([1, 3]), [0, 0], 0, 2, 0.5, 2, delta); // 5; delta = [0.5, 1.5]
 * ```
 */
export function regressionDeltas(
  values: ArrayLike<number>,
  targets: ArrayLike<number>,
  targetOffset: number,
  n: number,
  coef: number,
  samples: number,
  delta: RealArray,
  clip?: { old: ArrayLike<number>; range: number },
  squares?: Float64Array,
): number {
  let sq = 0;
  for (let r = 0; r < n; r++) {
    const v = values[r];
    let pred = v;
    let pass = 1;
    if (clip) {
      const old = clip.old[targetOffset + r];
      const diff = v - old;
      if (diff < -clip.range) {
        pred = old - clip.range;
        pass = 0;
      } else if (diff > clip.range) {
        pred = old + clip.range;
        pass = 0;
      }
    }
    const err = pred - targets[targetOffset + r];
    sq += err * err;
    if (squares) squares[r] += err * err;
    delta[r] = pass * coef * 2 * err / samples;
  }
  return sq;
}

/**
 * Rows [s, a] of the Q-networks' input from n observations and actions (row-major).
 *
 * @example
 * ```ts
 * import { stateActionRows } from "./regression.ts";
 * stateActionRows([1, 2, 3, 4], 2, [9, 8], 1); // Float32Array [1, 2, 9, 3, 4, 8]
 * ```
 */
export function stateActionRows(
  obs: ArrayLike<number>,
  obsDim: number,
  actions: ArrayLike<number>,
  actDim: number,
): Float32Array {
  const n = actions.length / actDim, w = obsDim + actDim;
  const out = new Float32Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < obsDim; d++) out[i * w + d] = obs[i * obsDim + d];
    for (let d = 0; d < actDim; d++) out[i * w + obsDim + d] = actions[i * actDim + d];
  }
  return out;
}

/**
 * SAC's critic targets (the soft Bellman backup), rounded to float32 as torch computes them:
 *
 *   y = r + (1 − d)·γ·(min(Q̄_0, Q̄_1) − α·log π(ã′|s′)),
 *
 * with d the done mask (terminal and not a time-out), Q̄ the target critics at [s′, ã′] and ã′
 * sampled from the current actor. Writes `out` (n values) and returns it.
 *
 * @example
 * ```ts
 * import { softBellmanTargets } from "./regression.ts";
 * softBellmanTargets([1], [0], [2], [3], [-1], 0.5, 0.9, 1); // [1 + 0.9·(2 + 0.5)] = [3.25]
 * ```
 */
export function softBellmanTargets(
  rewards: ArrayLike<number>,
  dones: ArrayLike<number>,
  q0: ArrayLike<number>,
  q1: ArrayLike<number>,
  nextLogProbs: ArrayLike<number>,
  alpha: number,
  gamma: number,
  n: number,
  out: Float32Array | Float64Array = new Float32Array(n),
): Float32Array | Float64Array {
  for (let b = 0; b < n; b++) {
    const minQ = Math.min(q0[b], q1[b]);
    out[b] = Math.fround(rewards[b] + (1 - dones[b]) * gamma * (minQ - alpha * nextLogProbs[b]));
  }
  return out;
}

/**
 * The regression objective's description.
 *
 * @example
 * ```ts
 * import type { RegressionSpec } from "./regression.ts";
 * function samples(s: RegressionSpec) { return s.targets.length; }
 * ```
 */
export interface RegressionSpec {
  kind: "regression";
  /** The networks (one value network, or the two Q-networks), all over the same θ. */
  nets: readonly Network[];
  /** Inputs, N × inputDim: observations (value networks) or [s, a] rows (Q-networks). */
  inputs: ArrayLike<number>;
  /** Targets y. */
  targets: ArrayLike<number>;
  /** κ (c_vf for PPO, ½ for SAC). */
  coef: number;
  /** Value clipping around the old values (PPO `clip_range_vf`), or null. */
  clip: { oldValues: ArrayLike<number>; range: number } | null;
}

interface RegressionPlan {
  /** Samples N (the weights 1/N; at most `capacity`). */
  samples: number;
  /** Rows the data buffers hold. */
  capacity: number;
  nets: ops.NetPlan[];
  inDim: number;
  size: number;
  inputs: Ptr;
  targets: Ptr;
  coef: number;
  oldValues: Ptr;
  clipRange: number | null;
  /** Chunk state: Σ (ŷ − y)² of each network, per sample. */
  sq: number;
}

type RegressionPlanner = common.Planner<RegressionSpec, RegressionPlan>;

/**
 * Plans the regression objective (main thread).
 *
 * @example
 * ```ts
 * import type { PlanContext } from "./common.ts";
 * import { planRegression, type RegressionSpec } from "./regression.ts";
 * function plan(spec: RegressionSpec, theta: Float32Array, ctx: PlanContext) { return planRegression(spec, theta, ctx); }
 * ```
 */
export const planRegression: RegressionPlanner = (spec, theta, ctx) => {
  const n = spec.targets.length;
  const inDim = spec.nets[0].layers[0].fanIn;
  for (const net of spec.nets) {
    const last = net.layers[net.layers.length - 1];
    if (net.layers[0].fanIn !== inDim || last.fanOut !== 1) {
      throw new RangeError(
        "regression objective: the networks need one input width and one output",
      );
    }
  }
  if (spec.inputs.length !== n * inDim || (spec.clip && spec.clip.oldValues.length !== n)) {
    throw new RangeError(
      `regression objective: ${n} targets need ${
        n * inDim
      } input values, got ${spec.inputs.length}`,
    );
  }
  const parameters = common.planParameters("regression objective", spec.nets, theta, ctx);
  const { size, nets } = parameters;
  const columns = common.dataColumns(ctx, n, {
    inputs: [spec.inputs, inDim],
    targets: [spec.targets, 1],
    oldValues: spec.clip && [spec.clip.oldValues, 1],
  });
  const plan: RegressionPlan = {
    samples: n,
    capacity: n,
    nets,
    inDim,
    size,
    inputs: columns.inputs.ptr,
    targets: columns.targets.ptr,
    coef: spec.coef,
    oldValues: columns.oldValues?.ptr ?? 0,
    clipRange: spec.clip ? spec.clip.range : null,
    sq: ctx.state.f64(ctx.rows),
  };
  const macs = spec.nets.map(ops.networkMacs);
  const macsPerSample = {
    forwardBackward: macs.reduce((s, m) => s + m.forwardBackward, 0),
    rPass: macs.reduce((s, m) => s + m.rPass, 0),
  };
  return common.planned({ kind: "regression", plan, parameters, columns, macsPerSample });
};

/**
 * The regression objective's per-chunk work (any thread), with Σ(ŷ − y)² of the last prepared
 * chunk per network.
 *
 * @example
 * ```ts
 * import type { DeviceContext } from "./common.ts";
 * import { regressionRuntime } from "./regression.ts";
 * function make(plan: unknown, dev: DeviceContext) { return regressionRuntime(plan, dev); }
 * ```
 */
export function regressionRuntime(
  planIn: unknown,
  dev: common.DeviceContext,
): common.ObjectiveRuntime & { stats: { squaredErrors: number[] } } {
  const p = planIn as RegressionPlan;
  const k = dev.kernels, E = dev.E;
  const targets = dev.real(p.targets, p.capacity);
  const oldValues = p.clipRange === null ? null : dev.real(p.oldValues, p.capacity);
  // The clip range is read at every call (a training schedule may change it).
  const clipOf = () =>
    oldValues === null || p.clipRange === null ? undefined : { old: oldValues, range: p.clipRange };
  const xAt = (start: number) => p.inputs + E * start * p.inDim;
  const stats = { squaredErrors: p.nets.map(() => 0) };
  return {
    stats,
    *prepare(start, n, st) {
      const sq = dev.f64(st + p.sq, n);
      sq.fill(0);
      for (const [j, net] of p.nets.entries()) {
        const last = net.layers[net.layers.length - 1];
        ops.forward(k, net, xAt(start), n, st);
        yield [[st + last.a, n]];
        const v = dev.real(st + last.a, n), d = dev.real(st + last.d, n);
        stats.squaredErrors[j] = regressionDeltas(
          v,
          targets,
          start,
          n,
          p.coef,
          p.samples,
          d,
          clipOf(),
          sq,
        );
        ops.backward(k, net, n, st);
      }
    },
    // A generator like the other phases, although this one reads no device range.
    // deno-lint-ignore require-yield
    *gradient(start, n, st, out, _acc, value) {
      const sq = dev.f64(st + p.sq, n);
      let s = 0;
      for (let r = 0; r < n; r++) s += sq[r];
      value[0] += p.coef * s / p.samples;
      for (const net of p.nets) ops.gradient(k, net, xAt(start), n, st, out);
    },
    *hvp(start, n, st, sc, b, out) {
      const c = p.coef * 2 / p.samples;
      const clip = clipOf();
      for (const net of p.nets) {
        const last = net.layers[net.layers.length - 1];
        ops.rForward(k, net, xAt(start), n, st, sc, b);
        yield [[sc + last.rz, n * b]];
        const rv = dev.real(sc + last.rz, n * b);
        if (clip) {
          const v = dev.real(st + last.a, n);
          for (let j = 0; j < b; j++) {
            for (let r = 0; r < n; r++) {
              const diff = v[r] - clip.old[start + r];
              rv[j * n + r] *= diff < -clip.range || diff > clip.range ? 0 : c;
            }
          }
        } else {
          for (let i = 0; i < n * b; i++) rv[i] *= c;
        }
        ops.rBackward(k, net, xAt(start), n, st, sc, b, out, p.size);
      }
    },
  };
}
