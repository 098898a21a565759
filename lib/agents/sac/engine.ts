/**
 * The fast SAC gradient engine: one Stable-Baselines3 gradient step (`SAC.train`, inner loop) on
 * a sampled batch, with all matrix work in float32 WebAssembly-SIMD kernels (`wasm/kernels.ts`)
 * and hand-written backpropagation, in SB3's order:
 *
 * 1. actor on s (noise ε): ã, log π(ã|s);
 * 2. entropy coefficient: α = exp(log α) (the value used below), then one Adam step on log α
 *    with the gradient −mean(log π + H̄) (when α is learned);
 * 3. targets y = r + (1 − d)·γ·(min_j Q̄_j(s′, ã′) − α·log π(ã′|s′)), ã′ from the actor on s′
 *    with noise ε′ and the target critics Q̄;
 * 4. critic loss ½ Σ_j mean((Q_j(s, a) − y)²), gradient, Adam step on θ_critic;
 * 5. actor loss mean(α·log π(ã|s) − min_j Q_j(s, ã)) with the *updated* critic (ã from step 1),
 *    gradient through ã, Adam step on θ_actor;
 * 6. when asked, Polyak update of the target critics: θ̄ ← (1 − τ)·θ̄ + τ·θ.
 *
 * It computes the same functions as `losses.ts` (tests compare both, and a float64 reference).
 *
 * Work is organised in *phases* of kernel calls with fixed arguments, each split into two
 * independent halves (e.g. Q-network 0 | Q-network 1: neither half reads what the other
 * writes); with `threads: 2` a worker runs the second half on a shared memory. Each output is
 * computed by the same kernel calls in the same order either way, so results are bit-identical
 * for 1 and 2 threads. Small per-sample algebra (squashing, log-probabilities, targets, loss
 * derivatives) runs in TypeScript between phases.
 *
 * Per gradient step with 256×256 networks and batch 256 this is 16 products of 256×256×256
 * (≈ 537 MFLOP); see `bench/sac.ts` for where the time goes.
 *
 * @module
 */
import { HALF_LOG_2PI } from "../ppo/policy.ts";
import { Adam, type AdamState, type MlpSpec, type ParamLayout } from "../../compute/mod.ts";
import { LOG_STD_MAX, LOG_STD_MIN, type SacSpec, TANH_LOG_EPS } from "./policy.ts";
import { Arena } from "../../compute/arena.ts";
import { GEMM, ProgramRecorder } from "../../compute/kernels.ts";
import { WasmDevice } from "../../compute/wasm/device.ts";
import { bindCalls } from "../../compute/wasm/module.ts";
import { programJob } from "../../compute/wasm/jobs.ts";
import { WasmThreads } from "../../compute/wasm/threads.ts";

/** A recorded list of kernel calls (one half of a phase). */
type Program = ProgramRecorder;

/**
 * Runs the engine's phases — pairs of programs with no data dependence between the two halves —
 * on the calling thread, or the second half on a worker thread sharing the memory.
 */
class PhaseRunner {
  readonly #local: Map<Program, (() => unknown)[]>;
  readonly #jobIds: Map<Program, number>;
  readonly #threads: WasmThreads | null;

  constructor(device: WasmDevice, threads: 1 | 2, phases: [Program, Program][]) {
    this.#local = new Map();
    for (const p of phases.flat()) {
      this.#local.set(p, bindCalls(device.exports, p.calls, device.scratch));
    }
    this.#jobIds = new Map(phases.map(([, second], i) => [second, i]));
    this.#threads = threads === 2
      ? new WasmThreads(device, [
        phases.map(([, second]) => programJob(device, second.calls, device.scratch)),
      ])
      : null;
  }

  run([first, second]: readonly [Program, Program]): void {
    if (this.#threads === null || second.calls.length === 0) {
      this.#runLocal(first);
      this.#runLocal(second);
      return;
    }
    this.#threads.run(() => this.#runLocal(first), this.#jobIds.get(second)!);
  }

  close(): void {
    this.#threads?.close();
  }

  #runLocal(p: Program): void {
    const calls = this.#local.get(p)!;
    for (let i = 0; i < calls.length; i++) calls[i]();
  }
}

/** One linear layer inside a flat parameter vector (byte addresses in the engine memory). */
interface Layer {
  fanIn: number;
  fanOut: number;
  /** Weight [fanIn, fanOut] and bias in θ. */
  w: number;
  b: number;
  /** The same blocks in the gradient vector (0 when no gradient is kept). */
  gw: number;
  gb: number;
  relu: boolean;
}

function mlpLayers(
  spec: MlpSpec,
  layout: ParamLayout,
  theta: number,
  grad: number,
): Layer[] {
  const dims = [spec.inputDim, ...spec.hidden, spec.outputDim];
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const w = layout.block(`${spec.prefix}.${i}.weight`).offset * 4;
    const b = layout.block(`${spec.prefix}.${i}.bias`).offset * 4;
    layers.push({
      fanIn: dims[i],
      fanOut: dims[i + 1],
      w: theta + w,
      b: theta + b,
      gw: grad === 0 ? 0 : grad + w,
      gb: grad === 0 ? 0 : grad + b,
      relu: i + 2 < dims.length || spec.activateOutput === true,
    });
  }
  return layers;
}

/**
 * Hyperparameters of one gradient step.
 *
 * @example
 * ```ts
 * import type { SacStepCoefficients } from "./engine.ts";
 * const c: SacStepCoefficients = { gamma: 0.99, learningRate: 3e-4, tau: 0.005, polyak: true, entCoef: "auto", targetEntropy: -1 };
 * ```
 */
export interface SacStepCoefficients {
  /** Discount γ. */
  gamma: number;
  /** Adam step size of actor, critic and log α. */
  learningRate: number;
  /** Polyak τ. */
  tau: number;
  /** Whether this step ends with the Polyak update of the targets. */
  polyak: boolean;
  /** `"auto"` (learned log α) or a fixed α. */
  entCoef: "auto" | number;
  /** H̄ of the α loss. */
  targetEntropy: number;
}

/**
 * Scalars of one gradient step (SB3's `train/*` values before averaging).
 *
 * @example
 * ```ts
 * import type { SacGradientStats } from "./engine.ts";
 * const s: SacGradientStats = { actorLoss: -3.1, criticLoss: 0.8, entCoef: 0.9, entCoefLoss: -0.2 };
 * ```
 */
export interface SacGradientStats {
  /** mean(α·log π − min Q) with the updated critic, before the actor's Adam step. */
  actorLoss: number;
  /** ½ Σ_j mean((Q_j − y)²) before the critic's Adam step. */
  criticLoss: number;
  /** α used in this step (before its own update). */
  entCoef: number;
  /** −log α·mean(log π + H̄) before the update; NaN for a fixed α. */
  entCoefLoss: number;
}

/**
 * Float32 Adam state as torch keeps it.
 *
 * @example
 * ```ts
 * import type { Adam32State } from "./engine.ts";
 * const s: Adam32State = { step: 0, m: new Float32Array(3), v: new Float32Array(3) };
 * ```
 */
export interface Adam32State {
  /** Steps taken. */
  step: number;
  /** First moment. */
  m: Float32Array;
  /** Second moment. */
  v: Float32Array;
}

/**
 * Everything the engine owns, for checkpoints.
 *
 * @example
 * ```ts
 * import type { SacEngineState } from "./engine.ts";
 * function sizes(s: SacEngineState) { return [s.thetaActor.length, s.thetaCritic.length]; }
 * ```
 */
export interface SacEngineState {
  thetaActor: Float32Array;
  thetaCritic: Float32Array;
  thetaCriticTarget: Float32Array;
  adamActor: Adam32State;
  adamCritic: Adam32State;
  /** log α (float32 value). */
  logEntCoef: number;
  /** Adam on log α (lib/nn Adam, float64 moments). */
  adamEntCoef: AdamState;
}

/**
 * Options of {@linkcode SacEngine}.
 *
 * @example
 * ```ts
 * import type { SacEngineOptions } from "./engine.ts";
 * const o: SacEngineOptions = { batchSize: 256, adamEps: 1e-8, entCoefInit: 1, threads: 1 };
 * ```
 */
export interface SacEngineOptions {
  /** Samples per gradient step. */
  batchSize: number;
  /** Adam ε of all three optimisers. */
  adamEps: number;
  /** Initial α (log α starts at its log). */
  entCoefInit: number;
  /** 1 (default) or 2: run each phase's second half on a worker thread (same results). */
  threads?: 1 | 2;
}

/**
 * Wall-clock milliseconds per part of the gradient step, accumulated (for benchmarks).
 *
 * @example
 * ```ts
 * import type { SacEngineTiming } from "./engine.ts";
 * const perStep = (t: SacEngineTiming) => (t.actorForward + t.qForward + t.criticUpdate + t.actorUpdate + t.scalar) / t.steps;
 * ```
 */
export interface SacEngineTiming {
  /** Gradient steps timed. */
  steps: number;
  /** Actor forward on s and s′. */
  actorForward: number;
  /** Target and critic Q forward passes. */
  qForward: number;
  /** Critic backward + Adam, actor-loss Q forward/backward, Polyak. */
  criticUpdate: number;
  /** Actor backward + Adam. */
  actorUpdate: number;
  /** Per-sample TypeScript algebra between phases. */
  scalar: number;
}

/**
 * The SAC learner: parameters, optimisers and the gradient step, on a WebAssembly memory.
 *
 * @example
 * ```ts
 * import { SacEngine } from "./engine.ts";
 * import { initSacParams, makeSacSpec } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeSacSpec(3, 1, { netArch: [64, 64] });
 * const engine = new SacEngine(spec, { batchSize: 32, adamEps: 1e-8, entCoefInit: 1 });
 * const { actor, critic } = initSacParams(spec, new Rng(0));
 * engine.setParameters(actor, critic);
 * const rng = new Rng(1);
 * rng.fillNormal(engine.batch.obs); // … fill batch.actions/rewards/nextObs/dones likewise
 * rng.fillNormal(engine.noise.current);
 * rng.fillNormal(engine.noise.next);
 * const stats = engine.gradientStep({ gamma: 0.99, learningRate: 3e-4, tau: 0.005, polyak: true, entCoef: "auto", targetEntropy: -1 });
 * engine.close();
 * ```
 */
export class SacEngine {
  /** Geometry. */
  readonly spec: SacSpec;
  /** Samples per gradient step. */
  readonly batchSize: number;
  /** Worker threads used (1 or 2). */
  readonly threads: 1 | 2;
  /** θ_actor (a view into the engine memory; updated in place). */
  readonly thetaActor: Float32Array;
  /** θ_critic: qf0 then qf1 (view). */
  readonly thetaCritic: Float32Array;
  /** Target critics, same layout (view). */
  readonly thetaCriticTarget: Float32Array;
  /** The last step's gradients (views): ∂L_a/∂θ_actor and ∂L_c/∂θ_critic. */
  readonly grad: { actor: Float32Array; critic: Float32Array };
  /** Batch inputs, filled by the caller before `gradientStep` (views). */
  readonly batch: {
    obs: Float32Array;
    actions: Float32Array;
    rewards: Float32Array;
    nextObs: Float32Array;
    /** Done mask d (terminal and not a time-out). */
    dones: Float32Array;
  };
  /** Reparameterisation noise for s (`current`) and s′ (`next`), [B, act] each (views). */
  readonly noise: { current: Float32Array; next: Float32Array };
  /** Outputs of the last step: log π(ã|s) [B] and ã [B, act] (float64 copies). */
  readonly last: { logProbs: Float64Array; actions: Float64Array };
  /** Timing of the gradient steps so far. */
  readonly timing: SacEngineTiming = {
    steps: 0,
    actorForward: 0,
    qForward: 0,
    criticUpdate: 0,
    actorUpdate: 0,
    scalar: 0,
  };
  /** log α (float32 value). */
  logEntCoef: number;

  readonly #k: WasmDevice;
  readonly #runner: PhaseRunner;
  readonly #adamEntCoef: Adam;
  readonly #adamEps: number;
  readonly #adamActor: { m: Float32Array; v: Float32Array; step: number };
  readonly #adamCritic: { m: Float32Array; v: Float32Array; step: number };
  readonly #scalars: { actor: Float32Array; critic: Float32Array; polyak: Float32Array };
  // Views used by the per-sample algebra.
  readonly #cur: { mu: Float32Array; ls: Float32Array; dmu: Float32Array; dls: Float32Array };
  readonly #next: { mu: Float32Array; ls: Float32Array };
  readonly #qInTarget: Float32Array;
  readonly #qInCritic: Float32Array;
  readonly #qInPi: Float32Array;
  readonly #qTarget: [Float32Array, Float32Array];
  readonly #qCritic: [Float32Array, Float32Array];
  readonly #dqCritic: [Float32Array, Float32Array];
  readonly #qPi: [Float32Array, Float32Array];
  readonly #dActPi: [Float32Array, Float32Array];
  readonly #thetaActorPtr: number;
  readonly #thetaCriticPtr: number;
  readonly #gradActorPtr: number;
  readonly #gradCriticPtr: number;
  // Phases: [thread-0 program, thread-1 program].
  readonly #phases: {
    actorForward: [Program, Program];
    qForward: [Program, Program];
    criticUpdate: [Program, Program];
    criticUpdatePolyak: [Program, Program];
    actorHeads: [Program, Program];
    actorUpdate: [Program, Program];
  };
  readonly #logStdTmp: Float64Array;
  readonly #nextLogProbs: Float64Array;
  readonly #logEntCoefParam = new Float32Array(1);
  readonly #logEntCoefGrad = new Float64Array(1);

  constructor(spec: SacSpec, options: SacEngineOptions) {
    const B = options.batchSize;
    if (!Number.isSafeInteger(B) || B < 1) {
      throw new RangeError(`SacEngine: batchSize must be a positive integer, got ${B}`);
    }
    const threads = options.threads ?? 1;
    if (threads !== 1 && threads !== 2) {
      throw new RangeError(`SacEngine: threads must be 1 or 2, got ${threads}`);
    }
    this.spec = spec;
    this.batchSize = B;
    this.threads = threads;
    this.#adamEps = options.adamEps;
    const { obsDim: O, actDim: A, latentDim: H } = spec;
    const Na = spec.actorLayout.size, Nc = spec.criticLayout.size;
    const latentWidths = [...spec.latent.hidden, spec.latent.outputDim];
    const qWidths = [...spec.qf[0].hidden, 1];
    const QI = O + A;
    const maxLayer = Math.max(
      ...mlpLayerSizes(spec.latent),
      ...mlpLayerSizes(spec.qf[0]),
      H * A,
    );

    // ---- Memory: count floats, then allocate.
    const sizes: number[] = [];
    const plan = (n: number) => (sizes.push(n), n);
    plan(Na), plan(Nc), plan(Nc), plan(Na), plan(Nc); // θa θc θt ga gc
    plan(Na), plan(Na), plan(Nc), plan(Nc); // adam moments
    plan(B * O), plan(B * A), plan(B), plan(B * O), plan(B), plan(B * A), plan(B * A);
    for (let pass = 0; pass < 2; pass++) {
      for (const w of latentWidths) plan(B * w);
      plan(B * A), plan(B * A);
    }
    for (const w of latentWidths) plan(B * w); // actor deltas
    plan(B * A), plan(B * A); // dmu, dls
    plan(B * QI), plan(B * QI), plan(B * QI);
    for (let j = 0; j < 2; j++) {
      for (let pass = 0; pass < 3; pass++) for (const w of qWidths) plan(B * w);
      for (let pass = 0; pass < 2; pass++) for (const w of qWidths) plan(B * w); // deltas
      plan(B * A);
    }
    plan(maxLayer), plan(maxLayer), plan(B), plan(6), plan(6), plan(2);
    const floats = sizes.reduce((a, b) => a + b, 0);
    const bytes = 4 * floats + 96 * sizes.length + 4096;
    const k = new WasmDevice(bytes, { shared: threads === 2 });
    this.#k = k;
    const arena = new Arena(64, 4);
    const alloc = (n: number) => {
      const p = arena.f32(n);
      if (arena.top > bytes) throw new RangeError("SacEngine: the memory plan is too small");
      return p;
    };

    const thetaA = alloc(Na), thetaC = alloc(Nc), thetaT = alloc(Nc);
    const gradA = alloc(Na), gradC = alloc(Nc);
    const mA = alloc(Na), vA = alloc(Na), mC = alloc(Nc), vC = alloc(Nc);
    this.#thetaActorPtr = thetaA;
    this.#thetaCriticPtr = thetaC;
    this.#gradActorPtr = gradA;
    this.#gradCriticPtr = gradC;
    this.thetaActor = k.f32(thetaA, Na);
    this.thetaCritic = k.f32(thetaC, Nc);
    this.thetaCriticTarget = k.f32(thetaT, Nc);
    this.grad = { actor: k.f32(gradA, Na), critic: k.f32(gradC, Nc) };
    this.#adamActor = { m: k.f32(mA, Na), v: k.f32(vA, Na), step: 0 };
    this.#adamCritic = { m: k.f32(mC, Nc), v: k.f32(vC, Nc), step: 0 };

    const obs = alloc(B * O), act = alloc(B * A), rew = alloc(B), nextObs = alloc(B * O);
    const dones = alloc(B), eps1 = alloc(B * A), eps2 = alloc(B * A);
    this.batch = {
      obs: k.f32(obs, B * O),
      actions: k.f32(act, B * A),
      rewards: k.f32(rew, B),
      nextObs: k.f32(nextObs, B * O),
      dones: k.f32(dones, B),
    };
    this.noise = { current: k.f32(eps1, B * A), next: k.f32(eps2, B * A) };

    const actorPass = () => ({
      outs: latentWidths.map((w) => alloc(B * w)),
      mu: alloc(B * A),
      ls: alloc(B * A),
    });
    const cur = actorPass(), next = actorPass();
    const actorDeltas = latentWidths.map((w) => alloc(B * w));
    const dmu = alloc(B * A), dls = alloc(B * A);
    this.#cur = {
      mu: k.f32(cur.mu, B * A),
      ls: k.f32(cur.ls, B * A),
      dmu: k.f32(dmu, B * A),
      dls: k.f32(dls, B * A),
    };
    this.#next = { mu: k.f32(next.mu, B * A), ls: k.f32(next.ls, B * A) };
    const qInT = alloc(B * QI), qInC = alloc(B * QI), qInPi = alloc(B * QI);
    this.#qInTarget = k.f32(qInT, B * QI);
    this.#qInCritic = k.f32(qInC, B * QI);
    this.#qInPi = k.f32(qInPi, B * QI);
    const qPasses = [0, 1].map(() => ({
      target: qWidths.map((w) => alloc(B * w)),
      critic: qWidths.map((w) => alloc(B * w)),
      pi: qWidths.map((w) => alloc(B * w)),
      criticDeltas: qWidths.map((w) => alloc(B * w)),
      piDeltas: qWidths.map((w) => alloc(B * w)),
      dAct: alloc(B * A),
    }));
    const scratch = [alloc(maxLayer), alloc(maxLayer)];
    const ones = alloc(B);
    k.f32(ones, B).fill(1);
    const scA = alloc(6), scC = alloc(6), scP = alloc(2);
    this.#scalars = { actor: k.f32(scA, 6), critic: k.f32(scC, 6), polyak: k.f32(scP, 2) };
    const L = qWidths.length;
    this.#qTarget = [k.f32(qPasses[0].target[L - 1], B), k.f32(qPasses[1].target[L - 1], B)];
    this.#qCritic = [k.f32(qPasses[0].critic[L - 1], B), k.f32(qPasses[1].critic[L - 1], B)];
    this.#dqCritic = [
      k.f32(qPasses[0].criticDeltas[L - 1], B),
      k.f32(qPasses[1].criticDeltas[L - 1], B),
    ];
    this.#qPi = [k.f32(qPasses[0].pi[L - 1], B), k.f32(qPasses[1].pi[L - 1], B)];
    this.#dActPi = [k.f32(qPasses[0].dAct, B * A), k.f32(qPasses[1].dAct, B * A)];
    this.last = { logProbs: new Float64Array(B), actions: new Float64Array(B * A) };
    this.#logStdTmp = new Float64Array(B * A);
    this.#nextLogProbs = new Float64Array(B);

    // ---- Layer plans.
    const latent = mlpLayers(spec.latent, spec.actorLayout, thetaA, gradA);
    const heads = {
      muW: thetaA + 4 * spec.heads.muWeight,
      muB: thetaA + 4 * spec.heads.muBias,
      lsW: thetaA + 4 * spec.heads.logStdWeight,
      lsB: thetaA + 4 * spec.heads.logStdBias,
      gMuW: gradA + 4 * spec.heads.muWeight,
      gMuB: gradA + 4 * spec.heads.muBias,
      gLsW: gradA + 4 * spec.heads.logStdWeight,
      gLsB: gradA + 4 * spec.heads.logStdBias,
    };
    const qCritic = spec.qf.map((q) => mlpLayers(q, spec.criticLayout, thetaC, gradC));
    const qTarget = spec.qf.map((q) => mlpLayers(q, spec.criticLayout, thetaT, 0));

    // ---- Program emitters.
    const forward = (
      p: Program,
      layers: Layer[],
      input: number,
      inputLd: number,
      outs: number[],
    ) => {
      let x = input, ld = inputLd;
      layers.forEach((l, i) => {
        p.kernels.gemmRow(
          x,
          l.w,
          outs[i],
          l.b,
          0,
          B,
          l.fanOut,
          l.fanIn,
          ld,
          l.fanOut,
          l.fanOut,
          GEMM.BIAS | (l.relu ? GEMM.RELU : 0),
        );
        x = outs[i];
        ld = l.fanOut;
      });
    };
    const actorForward = (p: Program, input: number, pass: typeof cur) => {
      forward(p, latent, input, O, pass.outs);
      const top = pass.outs[pass.outs.length - 1];
      p.kernels.gemmRow(top, heads.muW, pass.mu, heads.muB, 0, B, A, H, H, A, A, GEMM.BIAS);
      p.kernels.gemmRow(top, heads.lsW, pass.ls, heads.lsB, 0, B, A, H, H, A, A, GEMM.BIAS);
    };
    // Backward of layers [from..0] given deltas[from]; parameter gradients unless `noParams`;
    // the gradient with respect to input columns [col0, col0 + ncols) into `inputGrad`.
    const backward = (
      p: Program,
      layers: Layer[],
      from: number,
      input: number,
      inputLd: number,
      outs: number[],
      deltas: number[],
      scr: number,
      opts: { noParams?: boolean; inputGrad?: { ptr: number; col0: number; ncols: number } },
    ) => {
      for (let i = from; i >= 0; i--) {
        const l = layers[i];
        const x = i === 0 ? input : outs[i - 1], ldx = i === 0 ? inputLd : l.fanIn;
        if (!opts.noParams) {
          p.kernels.gemmCol(
            x,
            deltas[i],
            l.gw,
            0,
            0,
            l.fanIn,
            l.fanOut,
            B,
            ldx,
            l.fanOut,
            l.fanOut,
            0,
          );
          p.kernels.colSum(deltas[i], l.gb, B, l.fanOut, l.fanOut, 0);
        }
        if (i > 0) {
          p.kernels.transpose(l.w, scr, l.fanIn, l.fanOut);
          p.kernels.gemmRow(
            deltas[i],
            scr,
            deltas[i - 1],
            0,
            outs[i - 1],
            B,
            l.fanIn,
            l.fanOut,
            l.fanOut,
            l.fanIn,
            l.fanIn,
            GEMM.MASK,
          );
        } else if (opts.inputGrad) {
          const { ptr, col0, ncols } = opts.inputGrad;
          p.kernels.transpose(l.w + 4 * col0 * l.fanOut, scr, ncols, l.fanOut);
          p.kernels.gemmRow(
            deltas[0],
            scr,
            ptr,
            0,
            0,
            B,
            ncols,
            l.fanOut,
            l.fanOut,
            ncols,
            ncols,
            0,
          );
        }
      }
    };
    const adamRange = (p: Program, which: "actor" | "critic", from: number, to: number) => {
      if (to <= from) return;
      const [theta, grad, m, v, sc] = which === "actor"
        ? [thetaA, gradA, mA, vA, scA]
        : [thetaC, gradC, mC, vC, scC];
      p.kernels.adam(theta + 4 * from, grad + 4 * from, m + 4 * from, v + 4 * from, to - from, sc);
    };
    const pair = (): [Program, Program] => [new ProgramRecorder(), new ProgramRecorder()];

    const actorForwardPhase = pair();
    actorForward(actorForwardPhase[0], obs, cur);
    actorForward(actorForwardPhase[1], nextObs, next);

    const qForwardPhase = pair();
    for (let j = 0; j < 2; j++) {
      forward(qForwardPhase[j], qTarget[j], qInT, QI, qPasses[j].target);
      forward(qForwardPhase[j], qCritic[j], qInC, QI, qPasses[j].critic);
    }

    const criticPhase = (withPolyak: boolean) => {
      const ph = pair();
      for (let j = 0; j < 2; j++) {
        const p = ph[j], q = qPasses[j], layers = qCritic[j];
        backward(p, layers, L - 1, qInC, QI, q.critic, q.criticDeltas, scratch[j], {});
        adamRange(p, "critic", j * spec.qfSize, (j + 1) * spec.qfSize);
        forward(p, layers, qInPi, QI, q.pi);
        // ∂Q_j/∂ã per sample (upstream 1); the actor loss picks min_j afterwards.
        backward(
          p,
          layers,
          L - 1,
          qInPi,
          QI,
          q.pi,
          [...q.piDeltas.slice(0, L - 1), ones],
          scratch[j],
          {
            noParams: true,
            inputGrad: { ptr: q.dAct, col0: O, ncols: A },
          },
        );
        if (withPolyak) {
          const off = 4 * j * spec.qfSize;
          p.kernels.polyak(thetaT + off, thetaC + off, spec.qfSize, scP);
        }
      }
      return ph;
    };

    // Actor backward: heads and ∂latent on thread 0, then the top latent layer's weight
    // gradient (thread 1) in parallel with the rest of the chain (thread 0).
    const actorHeads = pair();
    {
      const p = actorHeads[0];
      const top = cur.outs[cur.outs.length - 1];
      const dTop = actorDeltas[actorDeltas.length - 1];
      p.kernels.gemmCol(top, dmu, heads.gMuW, 0, 0, H, A, B, H, A, A, 0);
      p.kernels.colSum(dmu, heads.gMuB, B, A, A, 0);
      p.kernels.gemmCol(top, dls, heads.gLsW, 0, 0, H, A, B, H, A, A, 0);
      p.kernels.colSum(dls, heads.gLsB, B, A, A, 0);
      p.kernels.transpose(heads.muW, scratch[0], H, A);
      p.kernels.gemmRow(dmu, scratch[0], dTop, 0, 0, B, H, A, A, H, H, 0);
      p.kernels.transpose(heads.lsW, scratch[0], H, A);
      p.kernels.gemmRow(
        dls,
        scratch[0],
        dTop,
        0,
        top,
        B,
        H,
        A,
        A,
        H,
        H,
        GEMM.ACCUMULATE | GEMM.MASK,
      );
      // Wᵀ of the top latent layer for thread 0's ∂X in the next phase, taken here because
      // thread 1 updates that layer (Adam) in parallel there.
      const topLayer = latent[latent.length - 1];
      if (latent.length > 1) {
        p.kernels.transpose(topLayer.w, scratch[0], topLayer.fanIn, topLayer.fanOut);
      }
    }
    const actorUpdate = pair();
    {
      const T = latent.length - 1;
      const topLayer = latent[T];
      const xTop = T === 0 ? obs : cur.outs[T - 1], ldTop = T === 0 ? O : topLayer.fanIn;
      const p1 = actorUpdate[1];
      p1.kernels.gemmCol(
        xTop,
        actorDeltas[T],
        topLayer.gw,
        0,
        0,
        topLayer.fanIn,
        topLayer.fanOut,
        B,
        ldTop,
        topLayer.fanOut,
        topLayer.fanOut,
        0,
      );
      p1.kernels.colSum(actorDeltas[T], topLayer.gb, B, topLayer.fanOut, topLayer.fanOut, 0);
      const topFrom = (topLayer.w - thetaA) / 4;
      const topTo = (topLayer.b - thetaA) / 4 + topLayer.fanOut;
      adamRange(p1, "actor", topFrom, topTo);
      const p0 = actorUpdate[0];
      if (T > 0) {
        p0.kernels.gemmRow(
          actorDeltas[T],
          scratch[0],
          actorDeltas[T - 1],
          0,
          cur.outs[T - 1],
          B,
          topLayer.fanIn,
          topLayer.fanOut,
          topLayer.fanOut,
          topLayer.fanIn,
          topLayer.fanIn,
          GEMM.MASK,
        );
        backward(p0, latent, T - 1, obs, O, cur.outs, actorDeltas, scratch[0], {});
      }
      adamRange(p0, "actor", 0, topFrom);
      adamRange(p0, "actor", topTo, Na);
    }
    this.#phases = {
      actorForward: actorForwardPhase,
      qForward: qForwardPhase,
      criticUpdate: criticPhase(false),
      criticUpdatePolyak: criticPhase(true),
      actorHeads,
      actorUpdate,
    };
    this.#runner = new PhaseRunner(k, threads, Object.values(this.#phases));

    this.logEntCoef = Math.fround(Math.log(options.entCoefInit));
    // SB3 builds the log α optimiser without the policy's optimizer_kwargs: torch's default ε.
    this.#adamEntCoef = new Adam(1, { lr: 1e-3, eps: 1e-8 });
  }

  /**
   * Loads θ_actor and θ_critic and resets the target critic to a copy of the critic (SB3:
   * `critic_target.load_state_dict(critic.state_dict())`).
   */
  setParameters(actor: Float32Array, critic: Float32Array): void {
    if (actor.length !== this.thetaActor.length || critic.length !== this.thetaCritic.length) {
      throw new RangeError(
        `SacEngine.setParameters: got ${actor.length} actor and ${critic.length} critic ` +
          `parameters; this engine has ${this.thetaActor.length} and ${this.thetaCritic.length}`,
      );
    }
    this.thetaActor.set(actor);
    this.thetaCritic.set(critic);
    this.thetaCriticTarget.set(critic);
  }

  /** Current α = exp(log α) as float32, or the fixed value. */
  entCoef(fixed: "auto" | number): number {
    return fixed === "auto" ? Math.fround(Math.exp(this.logEntCoef)) : fixed;
  }

  /**
   * One SB3 gradient step on `batch` with noise `noise` (both filled by the caller).
   *
   * @throws Error naming the quantity when a loss, log-probability, target or gradient is
   *   NaN/Inf (the parameters are then partly updated: stop training).
   */
  gradientStep(c: SacStepCoefficients): SacGradientStats {
    const B = this.batchSize, { obsDim: O, actDim: A } = this.spec;
    const QI = O + A;
    const t0 = performance.now();
    // Observations and stored actions into the Q inputs [s, a] and [s′, ·], [s, ·].
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < O; i++) {
        const s = this.batch.obs[b * O + i];
        this.#qInCritic[b * QI + i] = s;
        this.#qInPi[b * QI + i] = s;
        this.#qInTarget[b * QI + i] = this.batch.nextObs[b * O + i];
      }
      for (let d = 0; d < A; d++) this.#qInCritic[b * QI + O + d] = this.batch.actions[b * A + d];
    }
    const t1 = performance.now();
    this.#runner.run(this.#phases.actorForward);
    const t2 = performance.now();

    // ---- Squash and log-probabilities (s: ã into [s, ã]; s′: ã′ into [s′, ã′]).
    const logProbs = this.last.logProbs, actions = this.last.actions;
    this.#squash(this.#cur.mu, this.#cur.ls, this.noise.current, this.#qInPi, logProbs, actions);
    const nextLogProbs = this.#squash(
      this.#next.mu,
      this.#next.ls,
      this.noise.next,
      this.#qInTarget,
      this.#nextLogProbs,
      null,
    );
    // ---- Entropy coefficient: α before its update, then one Adam step on log α.
    let entCoefLoss = NaN;
    const alpha = this.entCoef(c.entCoef);
    if (c.entCoef === "auto") {
      let meanShifted = 0;
      for (let b = 0; b < B; b++) meanShifted += logProbs[b] + c.targetEntropy;
      meanShifted /= B;
      entCoefLoss = -this.logEntCoef * meanShifted;
      this.#logEntCoefParam[0] = this.logEntCoef;
      this.#logEntCoefGrad[0] = -meanShifted;
      this.#adamEntCoef.step(this.#logEntCoefParam, this.#logEntCoefGrad, c.learningRate);
      this.logEntCoef = this.#logEntCoefParam[0];
    }
    const t3 = performance.now();
    this.#runner.run(this.#phases.qForward);
    const t4 = performance.now();

    // ---- Targets and the critic loss's output gradient.
    const [qt0, qt1] = this.#qTarget, [qc0, qc1] = this.#qCritic, [dq0, dq1] = this.#dqCritic;
    let criticLoss = 0;
    for (let b = 0; b < B; b++) {
      const minQ = Math.min(qt0[b], qt1[b]);
      const y = Math.fround(
        this.batch.rewards[b] +
          (1 - this.batch.dones[b]) * c.gamma * (minQ - alpha * nextLogProbs[b]),
      );
      const e0 = qc0[b] - y, e1 = qc1[b] - y;
      criticLoss += e0 * e0 + e1 * e1;
      dq0[b] = e0 / B;
      dq1[b] = e1 / B;
    }
    criticLoss *= 0.5 / B;
    this.#check("critic loss", criticLoss);
    this.#adamScalars(this.#scalars.critic, ++this.#adamCritic.step, c.learningRate);
    this.#scalars.polyak.set([1 - c.tau, c.tau]);
    const t5 = performance.now();
    this.#runner.run(c.polyak ? this.#phases.criticUpdatePolyak : this.#phases.criticUpdate);
    this.#checkVector("critic gradient", this.#gradCriticPtr, this.thetaCritic.length);
    const t6 = performance.now();

    // ---- Actor loss and its gradient with respect to μ and log σ (pre-clamp).
    const [qp0, qp1] = this.#qPi, [ja0, ja1] = this.#dActPi;
    const { dmu, dls, ls: lsRaw } = this.#cur;
    const eps = this.noise.current, logStd = this.#logStdTmp;
    let actorLoss = 0;
    for (let b = 0; b < B; b++) {
      const first = qp0[b] <= qp1[b];
      actorLoss += alpha * logProbs[b] - (first ? qp0[b] : qp1[b]);
      const jac = first ? ja0 : ja1;
      for (let d = 0; d < A; d++) {
        const i = b * A + d;
        const a = actions[i], s = 1 - a * a;
        const du = -jac[i] / B * s + (alpha / B) * 2 * a * s / (s + TANH_LOG_EPS);
        dmu[i] = du;
        const inside = lsRaw[i] >= LOG_STD_MIN && lsRaw[i] <= LOG_STD_MAX;
        dls[i] = inside ? du * Math.exp(logStd[i]) * eps[i] - alpha / B : 0;
      }
    }
    actorLoss /= B;
    this.#check("actor loss", actorLoss);
    this.#adamScalars(this.#scalars.actor, ++this.#adamActor.step, c.learningRate);
    const t7 = performance.now();
    this.#runner.run(this.#phases.actorHeads);
    this.#runner.run(this.#phases.actorUpdate);
    this.#checkVector("actor gradient", this.#gradActorPtr, this.thetaActor.length);
    const t8 = performance.now();
    const tm = this.timing;
    tm.steps++;
    tm.actorForward += t2 - t1;
    tm.qForward += t4 - t3;
    tm.criticUpdate += t6 - t5;
    tm.actorUpdate += t8 - t7;
    tm.scalar += (t1 - t0) + (t3 - t2) + (t5 - t4) + (t7 - t6);
    return { actorLoss, criticLoss, entCoef: alpha, entCoefLoss };
  }

  /**
   * Per sample and dimension: log σ = clamp(ls, −20, 2), u = μ + σ·ε, ã = tanh(u) (float32,
   * written into the action columns of `qIn`), and log π summed over dimensions.
   */
  #squash(
    mu: Float32Array,
    ls: Float32Array,
    eps: Float32Array,
    qIn: Float32Array,
    logProbs: Float64Array,
    actionsOut: Float64Array | null,
  ): Float64Array {
    const B = this.batchSize, { obsDim: O, actDim: A } = this.spec;
    const QI = O + A;
    for (let b = 0; b < B; b++) {
      let lp = 0;
      for (let d = 0; d < A; d++) {
        const i = b * A + d;
        const raw = ls[i];
        const logStd = raw < LOG_STD_MIN ? LOG_STD_MIN : raw > LOG_STD_MAX ? LOG_STD_MAX : raw;
        const e = eps[i];
        const u = mu[i] + Math.exp(logStd) * e;
        const a = Math.fround(Math.tanh(u));
        qIn[b * QI + O + d] = a;
        lp += -0.5 * e * e - logStd - HALF_LOG_2PI - Math.log(1 - a * a + TANH_LOG_EPS);
        if (actionsOut) {
          actionsOut[i] = a;
          this.#logStdTmp[i] = logStd;
        }
      }
      if (!Number.isFinite(lp)) {
        throw new Error(
          `SAC gradient step: log-probability of sample ${b} is ${lp} (actor outputs μ/log σ ` +
            `non-finite); the actor diverged`,
        );
      }
      logProbs[b] = lp;
    }
    return logProbs;
  }

  #adamScalars(sc: Float32Array, t: number, lr: number): void {
    const beta1 = 0.9, beta2 = 0.999;
    sc[0] = lr / (1 - beta1 ** t);
    sc[1] = Math.sqrt(1 - beta2 ** t);
    sc[2] = this.#adamEps;
    sc[3] = 1 - beta1;
    sc[4] = beta2;
    sc[5] = 1 - beta2;
  }

  #check(what: string, value: number): void {
    if (!Number.isFinite(value)) {
      throw new Error(`SAC gradient step: ${what} is ${value}; the networks diverged`);
    }
  }

  #checkVector(what: string, ptr: number, n: number): void {
    const probe = this.#k.kernels.finiteProbe(ptr, n);
    if (probe !== 0) {
      throw new Error(`SAC gradient step: the ${what} contains NaN/Inf; the networks diverged`);
    }
  }

  /** A copy of everything the engine owns. */
  getState(): SacEngineState {
    return {
      thetaActor: this.thetaActor.slice(),
      thetaCritic: this.thetaCritic.slice(),
      thetaCriticTarget: this.thetaCriticTarget.slice(),
      adamActor: {
        step: this.#adamActor.step,
        m: this.#adamActor.m.slice(),
        v: this.#adamActor.v.slice(),
      },
      adamCritic: {
        step: this.#adamCritic.step,
        m: this.#adamCritic.m.slice(),
        v: this.#adamCritic.v.slice(),
      },
      logEntCoef: this.logEntCoef,
      adamEntCoef: this.#adamEntCoef.getState(),
    };
  }

  /** Restores {@linkcode SacEngine.getState}. */
  setState(s: SacEngineState): void {
    const sizes: [string, ArrayLike<number>, number][] = [
      ["thetaActor", s.thetaActor, this.thetaActor.length],
      ["thetaCritic", s.thetaCritic, this.thetaCritic.length],
      ["thetaCriticTarget", s.thetaCriticTarget, this.thetaCritic.length],
      ["adamActor.m", s.adamActor.m, this.thetaActor.length],
      ["adamActor.v", s.adamActor.v, this.thetaActor.length],
      ["adamCritic.m", s.adamCritic.m, this.thetaCritic.length],
      ["adamCritic.v", s.adamCritic.v, this.thetaCritic.length],
    ];
    for (const [name, v, n] of sizes) {
      if (v.length !== n) {
        throw new RangeError(`SacEngine.setState: ${name} has ${v.length} entries, expected ${n}`);
      }
    }
    this.thetaActor.set(s.thetaActor);
    this.thetaCritic.set(s.thetaCritic);
    this.thetaCriticTarget.set(s.thetaCriticTarget);
    this.#adamActor.m.set(s.adamActor.m);
    this.#adamActor.v.set(s.adamActor.v);
    this.#adamActor.step = s.adamActor.step;
    this.#adamCritic.m.set(s.adamCritic.m);
    this.#adamCritic.v.set(s.adamCritic.v);
    this.#adamCritic.step = s.adamCritic.step;
    this.logEntCoef = s.logEntCoef;
    this.#adamEntCoef.setState(s.adamEntCoef);
  }

  /** Stops the worker thread (when `threads` is 2). Idempotent. */
  close(): void {
    this.#runner.close();
  }
}

function mlpLayerSizes(spec: MlpSpec): number[] {
  const dims = [spec.inputDim, ...spec.hidden, spec.outputDim];
  const out: number[] = [];
  for (let i = 0; i + 1 < dims.length; i++) out.push(dims[i] * dims[i + 1]);
  return out;
}
