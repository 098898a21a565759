/**
 * The SAC learner: one Stable-Baselines3 gradient step (`SAC.train`, inner loop) on a sampled
 * batch, on the compute layer — the network operations of `lib/compute/ops.ts` on float32
 * WebAssembly SIMD, the squashed-Gaussian head and the soft-Q regression of `lib/compute` — in
 * SB3's order:
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
 * The losses are the ones the subspace analysis differentiates (the regression objective of the
 * twin Q-networks and the reparameterised actor objective); tests compare the step with the tfjs
 * reference and with PyTorch.
 *
 * Work is organised in *phases* of recorded kernel programs, each split into two independent
 * halves (e.g. Q-network 0 | Q-network 1: neither half reads what the other writes); with
 * `threads: 2` a worker runs the second half on a shared memory (`PhaseRunner`). Each output is
 * computed by the same kernel calls in the same order either way, so results are bit-identical
 * for 1 and 2 threads. The per-sample algebra of the head and the losses runs in TypeScript
 * between phases.
 *
 * With gSDE (a spec with `sde`, SB3 `use_sde`) step 1 and the s′ actor of step 3 use the squashed
 * gSDE head (`SquashedGsdeHead`) with one exploration matrix E = σ ⊙ ξ for the whole step (SB3
 * `actor.reset_noise()` before each gradient step; ξ in {@linkcode SacEngine.noise}`.sde`); the
 * actor loss's gradient reaches the log-std matrix through E and v, and the last hidden layer
 * through hᵀE and v as well as μ (SB3 `learn_features=True`).
 *
 * Per gradient step with 256×256 networks and batch 256 this is 16 products of 256×256×256
 * (≈ 537 MFLOP); see `bench/sac.ts` for where the time goes.
 *
 * On WebGPU ({@linkcode SacEngine.create} with `device: "webgpu"`) the same programs replay on the
 * GPU's kernels (both halves in order, one host thread); the host reads what it needs between
 * phases through asynchronous downloads ({@linkcode SacEngine.gradientStepAsync}), writes reach
 * the GPU before the next phase, and {@linkcode SacEngine.sync} brings θ and the Adam moments
 * back to the host views after a training phase.
 *
 * @module
 */
import { Adam, type AdamState } from "../../compute/mod.ts";
import type { SacSpec } from "./policy.ts";
import { Arena } from "../../compute/arena.ts";
import { type Kernels, ProgramRecorder, type Ptr } from "../../compute/kernels.ts";
import { SquashedGaussianHead, type SquashedSample } from "../../compute/heads.ts";
import {
  type SquashedGsdeBatch,
  SquashedGsdeHead,
  type SquashedGsdeSample,
} from "../../compute/gsde.ts";
import {
  backward,
  backwardLayer,
  forward,
  gradient,
  layerGradient,
  type NetPlan,
  planNet,
  refreshTransposes,
} from "../../compute/ops.ts";
import {
  type DownloadRequest,
  regressionDeltas,
  softBellmanTargets,
} from "../../compute/objectives/mod.ts";
import { WasmDevice } from "../../compute/wasm/device.ts";
import { WebGpuDevice } from "../../compute/webgpu/device.ts";
import { PhaseRunner } from "../../compute/wasm/phases.ts";

type Program = ProgramRecorder;

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
  /**
   * Runs on a GPU: the constructor of the WebGPU memory (from `WebGpuDevice.open`; one thread).
   * {@linkcode SacEngine.create} passes it for `device: "webgpu"`.
   */
  gpu?: (bytes: number) => WebGpuDevice;
}

/**
 * Options of {@linkcode SacEngine.create}.
 *
 * @example
 * ```ts
 * import type { SacEngineCreateOptions } from "./engine.ts";
 * const o: SacEngineCreateOptions = { batchSize: 256, adamEps: 1e-8, entCoefInit: 1, device: "webgpu" };
 * ```
 */
export interface SacEngineCreateOptions extends Omit<SacEngineOptions, "gpu"> {
  /** `"wasm"` (default) or `"webgpu"` (float32 WGSL kernels, asynchronous reads). */
  device?: "wasm" | "webgpu";
  /** WebGPU: accept a fallback (software) adapter (default false). */
  allowFallbackGpu?: boolean;
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

/** {@linkcode SacEngine}'s gSDE views: the head, its samples and h of s and s′, δh, L. */
type SdeViews = {
  head: SquashedGsdeHead;
  cur: SquashedGsdeSample;
  next: SquashedGsdeSample;
  hCur: Float32Array;
  hNext: Float32Array;
  dLatent: Float32Array;
  logStd: Float32Array;
  gradLogStd: Float32Array;
};

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
  /**
   * Reparameterisation noise for s (`current`) and s′ (`next`), [B, act] each (views; empty with
   * gSDE); gSDE: `sde` holds ξ of the step's exploration matrix E = σ ⊙ ξ, [n_latent, act]
   * standard normals (host array; empty without gSDE).
   */
  readonly noise: { current: Float32Array; next: Float32Array; sde: Float32Array };
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

  /** `"wasm"` or `"webgpu"`. */
  readonly device: "wasm" | "webgpu";
  readonly #dev: WasmDevice | null;
  #gpu: WebGpuDevice | null;
  readonly #runner: PhaseRunner | null;
  readonly #head: SquashedGaussianHead;
  /** gSDE: the head, its samples of s and s′, the features h of s and s′, δh, L (views). */
  readonly #sde: SdeViews | null;
  readonly #adamEntCoef: Adam;
  readonly #adamEps: number;
  readonly #adamActor: { m: Float32Array; v: Float32Array; step: number };
  readonly #adamCritic: { m: Float32Array; v: Float32Array; step: number };
  readonly #scalars: { actor: Float32Array; critic: Float32Array; polyak: Float32Array };
  // Views used by the per-sample algebra.
  readonly #zCur: Float32Array;
  readonly #zNext: Float32Array;
  readonly #deltaZ: Float32Array;
  readonly #cur: SquashedSample;
  readonly #next: SquashedSample;
  readonly #qInTarget: Float32Array;
  readonly #qInCritic: Float32Array;
  readonly #qInPi: Float32Array;
  readonly #qTarget: [Float32Array, Float32Array];
  readonly #qCritic: [Float32Array, Float32Array];
  readonly #dqCritic: [Float32Array, Float32Array];
  readonly #qPi: [Float32Array, Float32Array];
  readonly #dActPi: [Float32Array, Float32Array];
  readonly #targets: Float32Array;
  readonly #gAct: Float64Array;
  readonly #gradActorPtr: Ptr;
  readonly #gradCriticPtr: Ptr;
  // Phases: [thread-0 program, thread-1 program].
  readonly #phases: {
    actorForward: [Program, Program];
    qForward: [Program, Program];
    criticUpdate: [Program, Program];
    criticUpdatePolyak: [Program, Program];
    actorHeads: [Program, Program];
    actorUpdate: [Program, Program];
  };
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
    if (options.gpu && threads !== 1) {
      throw new RangeError("SacEngine: the WebGPU engine runs on one host thread (threads: 1)");
    }
    this.spec = spec;
    this.batchSize = B;
    this.threads = threads;
    this.#adamEps = options.adamEps;
    this.#head = new SquashedGaussianHead(spec.actDim);
    const { obsDim: O, actDim: A } = spec;
    const Na = spec.actorLayout.size, Nc = spec.criticLayout.size;
    const QI = O + A;

    // ---- Memory plan: parameters, optimiser state, batch, network states, scratch.
    const fixed = new Arena(64, 4);
    const thetaA = fixed.f32(Na), thetaC = fixed.f32(Nc), thetaT = fixed.f32(Nc);
    const gradA = fixed.f32(Na), gradC = fixed.f32(Nc);
    const mA = fixed.f32(Na), vA = fixed.f32(Na), mC = fixed.f32(Nc), vC = fixed.f32(Nc);
    const obs = fixed.f32(B * O), act = fixed.f32(B * A), rew = fixed.f32(B);
    const nextObs = fixed.f32(B * O), dones = fixed.f32(B);
    const sde = spec.sde;
    const eps1 = fixed.f32(sde ? 0 : B * A), eps2 = fixed.f32(sde ? 0 : B * A);
    const qInT = fixed.f32(B * QI), qInC = fixed.f32(B * QI), qInPi = fixed.f32(B * QI);
    const scA = fixed.f32(6), scC = fixed.f32(6), scP = fixed.f32(2);
    // A network plan holds its transposed weights; one plan serves several batches (states).
    const plan = (net: SacSpec["actorNet"], theta: Ptr, size: number) => {
      const state = new Arena(0, 4);
      const p = planNet(net, theta, size, 0, {
        fixed,
        state,
        scratch: new Arena(0, 4),
        rows: B,
        maxBlock: 0,
      });
      return { p, stateBytes: state.top };
    };
    const actor = plan(spec.actorNet, thetaA, Na);
    const stCur = fixed.bytes(actor.stateBytes), stNext = fixed.bytes(actor.stateBytes);
    const critic = spec.qNets.map((q) => plan(q, thetaC, Nc));
    const target = spec.qNets.map((q) => plan(q, thetaT, Nc));
    const stCritic = critic.map((c) => fixed.bytes(c.stateBytes));
    const stPi = critic.map((c) => fixed.bytes(c.stateBytes));
    const stTarget = target.map((t) => fixed.bytes(t.stateBytes));
    const dAct = [fixed.f32(B * A), fixed.f32(B * A)];

    // On WebGPU the views are of the host mirror (taking them marks them for upload).
    const gpu = options.gpu ? options.gpu(fixed.top) : null;
    const dev = gpu === null ? new WasmDevice(fixed.top, { shared: threads === 2 }) : null;
    this.#dev = dev;
    this.#gpu = gpu;
    this.device = gpu === null ? "wasm" : "webgpu";
    const f32 = (ptr: Ptr, n: number) => gpu !== null ? gpu.real(ptr, n) : dev!.f32(ptr, n);
    this.#gradActorPtr = gradA;
    this.#gradCriticPtr = gradC;
    this.thetaActor = f32(thetaA, Na);
    this.thetaCritic = f32(thetaC, Nc);
    this.thetaCriticTarget = f32(thetaT, Nc);
    this.grad = { actor: f32(gradA, Na), critic: f32(gradC, Nc) };
    this.#adamActor = { m: f32(mA, Na), v: f32(vA, Na), step: 0 };
    this.#adamCritic = { m: f32(mC, Nc), v: f32(vC, Nc), step: 0 };
    this.batch = {
      obs: f32(obs, B * O),
      actions: f32(act, B * A),
      rewards: f32(rew, B),
      nextObs: f32(nextObs, B * O),
      dones: f32(dones, B),
    };
    const nEps = sde ? 0 : B * A;
    this.noise = {
      current: f32(eps1, nEps),
      next: f32(eps2, nEps),
      sde: new Float32Array(sde ? spec.latentDim * A : 0),
    };
    this.#scalars = { actor: f32(scA, 6), critic: f32(scC, 6), polyak: f32(scP, 2) };
    const a = actor.p, last = a.layers[a.layers.length - 1];
    const W = last.fanOut; // [μ | ρ], or μ with gSDE
    this.#zCur = f32(stCur + last.a, B * W);
    this.#zNext = f32(stNext + last.a, B * W);
    this.#deltaZ = f32(stCur + last.d, B * W);
    if (sde) {
      const head = new SquashedGsdeHead(A, sde), H = spec.latentDim;
      const hidden = a.layers[a.layers.length - 2], P = head.paramCount;
      const off = spec.heads.logStdWeight;
      this.#sde = {
        head,
        cur: head.newSample(B),
        next: head.newSample(B),
        hCur: f32(stCur + hidden.a, B * H),
        hNext: f32(stNext + hidden.a, B * H),
        dLatent: f32(stCur + hidden.d, B * H),
        logStd: f32(thetaA + 4 * off, P),
        gradLogStd: f32(gradA + 4 * off, P),
      };
    } else this.#sde = null;
    const sample = (): SquashedSample => ({
      actions: new Float32Array(B * A),
      sigmaEps: new Float32Array(B * A),
      inside: new Float32Array(B * A),
      logProbs: new Float64Array(B),
    });
    this.#cur = sample();
    this.#next = sample();
    this.#qInTarget = f32(qInT, B * QI);
    this.#qInCritic = f32(qInC, B * QI);
    this.#qInPi = f32(qInPi, B * QI);
    const out = (plans: { p: NetPlan }[], sts: Ptr[], field: "a" | "d") =>
      plans.map((c, j) => f32(sts[j] + c.p.layers[c.p.layers.length - 1][field], B)) as [
        Float32Array,
        Float32Array,
      ];
    this.#qTarget = out(target, stTarget, "a");
    this.#qCritic = out(critic, stCritic, "a");
    this.#dqCritic = out(critic, stCritic, "d");
    this.#qPi = out(critic, stPi, "a");
    // ∂Q_j/∂ã per sample with upstream 1; the actor loss picks min_j afterwards.
    for (const d of out(critic, stPi, "d")) d.fill(1);
    this.#dActPi = [f32(dAct[0], B * A), f32(dAct[1], B * A)];
    this.#targets = new Float32Array(B);
    this.#gAct = new Float64Array(B * A);
    this.last = { logProbs: new Float64Array(B), actions: new Float64Array(B * A) };

    // ---- Phase programs.
    const adamRange = (k: Kernels, which: "actor" | "critic", from: number, to: number) => {
      if (to <= from) return;
      const [theta, grad, m, v, sc] = which === "actor"
        ? [thetaA, gradA, mA, vA, scA]
        : [thetaC, gradC, mC, vC, scC];
      k.adam(theta + 4 * from, grad + 4 * from, m + 4 * from, v + 4 * from, to - from, sc);
    };
    const pair = (): [Program, Program] => [new ProgramRecorder(), new ProgramRecorder()];

    const actorForwardPhase = pair();
    forward(actorForwardPhase[0].kernels, a, obs, B, stCur);
    forward(actorForwardPhase[1].kernels, a, nextObs, B, stNext);

    const qForwardPhase = pair();
    for (let j = 0; j < 2; j++) {
      const k = qForwardPhase[j].kernels;
      forward(k, target[j].p, qInT, B, stTarget[j]);
      forward(k, critic[j].p, qInC, B, stCritic[j]);
    }

    const criticPhase = (withPolyak: boolean) => {
      const ph = pair();
      for (let j = 0; j < 2; j++) {
        const k = ph[j].kernels, q = critic[j].p;
        refreshTransposes(k, q);
        backward(k, q, B, stCritic[j]);
        gradient(k, q, qInC, B, stCritic[j], gradC);
        adamRange(k, "critic", j * spec.qfSize, (j + 1) * spec.qfSize);
        forward(k, q, qInPi, B, stPi[j]);
        refreshTransposes(k, q);
        backward(k, q, B, stPi[j], { ptr: dAct[j], col: O, width: A });
        if (withPolyak) {
          const off = 4 * j * spec.qfSize;
          k.polyak(thetaT + off, thetaC + off, spec.qfSize, scP);
        }
      }
      return ph;
    };

    // Actor backward: the heads' gradients and δ of the top latent layer on thread 0, then the
    // top latent layer's weight gradient and Adam (thread 1) in parallel with the rest of the
    // chain (thread 0), which reads that layer's Wᵀ taken in the first phase.
    const L = a.layers.length - 1; // the heads layer
    const top = a.layers[L - 1];
    const actorHeads = pair();
    {
      const k = actorHeads[0].kernels;
      refreshTransposes(k, a, L, L + 1);
      layerGradient(k, a, L, obs, B, stCur, gradA);
      // gSDE: δh of the head (through hᵀE and v) is already in δ_{L−1}; μ's part is added.
      backwardLayer(k, a, L, B, stCur, sde !== null);
      if (L > 1) refreshTransposes(k, a, L - 1, L);
    }
    const actorUpdate = pair();
    {
      const topFrom = top.groups[0].weight, topTo = top.groups[0].bias + top.fanOut;
      const k1 = actorUpdate[1].kernels;
      layerGradient(k1, a, L - 1, obs, B, stCur, gradA);
      adamRange(k1, "actor", topFrom, topTo);
      const k0 = actorUpdate[0].kernels;
      if (L > 1) {
        backwardLayer(k0, a, L - 1, B, stCur);
        refreshTransposes(k0, a, 0, L - 1);
        for (let i = L - 2; i >= 1; i--) backwardLayer(k0, a, i, B, stCur);
        for (let i = 0; i < L - 1; i++) layerGradient(k0, a, i, obs, B, stCur, gradA);
      }
      adamRange(k0, "actor", 0, topFrom);
      adamRange(k0, "actor", topTo, Na);
    }
    this.#phases = {
      actorForward: actorForwardPhase,
      qForward: qForwardPhase,
      criticUpdate: criticPhase(false),
      criticUpdatePolyak: criticPhase(true),
      actorHeads,
      actorUpdate,
    };
    this.#runner = dev === null ? null : new PhaseRunner(dev, threads, Object.values(this.#phases));

    this.logEntCoef = Math.fround(Math.log(options.entCoefInit));
    // SB3 builds the log α optimiser without the policy's optimizer_kwargs: torch's default ε.
    this.#adamEntCoef = new Adam(1, { lr: 1e-3, eps: 1e-8 });
  }

  /**
   * An engine on `device` (WebGPU created asynchronously; a fallback adapter only with
   * `allowFallbackGpu`).
   *
   * @example
   * ```ts
   * import { SacEngine } from "./engine.ts";
   * import { makeSacSpec } from "./policy.ts";
   * const spec = makeSacSpec(3, 1, { netArch: [64, 64] });
   * const engine = await SacEngine.create(spec, { batchSize: 32, adamEps: 1e-8, entCoefInit: 1, device: "wasm" });
   * engine.close();
   * ```
   */
  static async create(spec: SacSpec, options: SacEngineCreateOptions): Promise<SacEngine> {
    const { device = "wasm", allowFallbackGpu, ...rest } = options;
    if (device === "wasm") return new SacEngine(spec, rest);
    const gpu = await WebGpuDevice.open({ allowFallback: allowFallbackGpu });
    return new SacEngine(spec, { ...rest, threads: 1, gpu });
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
    this.#touch(this.thetaActor, this.thetaCritic, this.thetaCriticTarget);
  }

  /** Current α = exp(log α) as float32, or the fixed value. */
  entCoef(fixed: "auto" | number): number {
    return fixed === "auto" ? Math.fround(Math.exp(this.logEntCoef)) : fixed;
  }

  /**
   * One SB3 gradient step on `batch` with noise `noise` (both filled by the caller), on the
   * WebAssembly device (a WebGPU engine steps with {@linkcode SacEngine.gradientStepAsync}).
   *
   * @throws Error naming the quantity when a loss, log-probability, target or gradient is
   *   NaN/Inf (the parameters are then partly updated: stop training).
   */
  gradientStep(c: SacStepCoefficients): SacGradientStats {
    if (this.#gpu !== null) {
      throw new Error("SacEngine: a WebGPU engine reads asynchronously; use gradientStepAsync");
    }
    const steps = this.#gradientSteps(c);
    let r = steps.next();
    while (!r.done) r = steps.next();
    return r.value;
  }

  /**
   * {@linkcode SacEngine.gradientStep} on either device; on WebGPU the host's reads between
   * phases are awaited downloads. θ and the Adam moments stay on the GPU until
   * {@linkcode SacEngine.sync}.
   */
  async gradientStepAsync(c: SacStepCoefficients): Promise<SacGradientStats> {
    const gpu = this.#gpu;
    const steps = this.#gradientSteps(c);
    let r = steps.next();
    while (!r.done) {
      if (gpu !== null) await gpu.download(r.value);
      r = steps.next();
    }
    return r.value;
  }

  /**
   * WebGPU: copies θ_actor, θ_critic, the targets and the Adam moments back into the host views
   * (acting, `getState`); nothing on the WebAssembly device.
   */
  async sync(): Promise<void> {
    if (this.#gpu === null) return;
    await this.#gpu.download(ranges(...this.#stateViews()));
  }

  /** The gradient step as steps that announce what the host reads (download requests). */
  *#gradientSteps(c: SacStepCoefficients): Generator<DownloadRequest, SacGradientStats, void> {
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
    const { obs, actions, rewards, nextObs, dones } = this.batch;
    this.#touch(obs, actions, rewards, nextObs, dones, this.noise.current, this.noise.next);
    this.#touch(this.#qInCritic);
    const t1 = performance.now();
    this.#run(this.#phases.actorForward);
    const sde = this.#sde;
    yield sde
      ? ranges(this.#zCur, this.#zNext, sde.hCur, sde.hNext, sde.logStd)
      : ranges(this.#zCur, this.#zNext);
    const t2 = performance.now();

    // ---- Squashed samples (s: ã into [s, ã]; s′: ã′ into [s′, ã′]).
    const W = this.#zCur.length / B;
    const cur = sde ? sde.cur : this.#cur, next = sde ? sde.next : this.#next;
    try {
      if (sde) {
        sde.head.sample(this.#sdeBatch(sde, "cur"), sde.cur);
        sde.head.sample(this.#sdeBatch(sde, "next"), sde.next);
        for (let b = 0; b < B; b++) {
          for (let d = 0; d < A; d++) {
            this.#qInPi[b * QI + O + d] = sde.cur.actions[b * A + d];
            this.#qInTarget[b * QI + O + d] = sde.next.actions[b * A + d];
          }
        }
      } else {
        this.#head.sample(this.#zCur, W, this.noise.current, 0, B, this.#cur, {
          array: this.#qInPi,
          stride: QI,
          col: O,
        });
        this.#head.sample(this.#zNext, W, this.noise.next, 0, B, this.#next, {
          array: this.#qInTarget,
          stride: QI,
          col: O,
        });
      }
    } catch (e) {
      throw new Error(`SAC gradient step: ${(e as Error).message}`, { cause: e });
    }
    const logProbs = cur.logProbs;
    this.last.logProbs.set(logProbs);
    this.last.actions.set(cur.actions);
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
    this.#touch(this.#qInPi, this.#qInTarget);
    const t3 = performance.now();
    this.#run(this.#phases.qForward);
    yield ranges(...this.#qTarget, ...this.#qCritic);
    const t4 = performance.now();

    // ---- Targets and the critic loss's output gradient (the soft-Q regression, κ = ½).
    const [qt0, qt1] = this.#qTarget;
    const y = softBellmanTargets(
      this.batch.rewards,
      this.batch.dones,
      qt0,
      qt1,
      next.logProbs,
      alpha,
      c.gamma,
      B,
      this.#targets,
    );
    let criticLoss = 0;
    for (let j = 0; j < 2; j++) {
      criticLoss += regressionDeltas(this.#qCritic[j], y, 0, B, 0.5, B, this.#dqCritic[j]);
    }
    criticLoss *= 0.5 / B;
    this.#check("critic loss", criticLoss);
    this.#adamScalars(this.#scalars.critic, ++this.#adamCritic.step, c.learningRate);
    this.#scalars.polyak.set([1 - c.tau, c.tau]);
    this.#touch(...this.#dqCritic, this.#scalars.critic, this.#scalars.polyak);
    const t5 = performance.now();
    this.#run(c.polyak ? this.#phases.criticUpdatePolyak : this.#phases.criticUpdate);
    if (this.#gpu !== null) yield ranges(...this.#qPi, ...this.#dActPi, this.grad.critic);
    this.#checkVector("critic gradient", this.#gradCriticPtr, this.thetaCritic.length);
    const t6 = performance.now();

    // ---- Actor loss and its gradient with respect to the heads (the reparameterised objective).
    const [qp0, qp1] = this.#qPi, [ja0, ja1] = this.#dActPi;
    const g = this.#gAct;
    let actorLoss = 0;
    for (let b = 0; b < B; b++) {
      const first = qp0[b] <= qp1[b];
      actorLoss += alpha * logProbs[b] - (first ? qp0[b] : qp1[b]);
      const jac = first ? ja0 : ja1;
      for (let d = 0; d < A; d++) g[b * A + d] = -jac[b * A + d] / B;
    }
    actorLoss /= B;
    this.#check("actor loss", actorLoss);
    if (sde) {
      const { head, dLatent, gradLogStd } = sde;
      dLatent.fill(0);
      gradLogStd.fill(0);
      head.backward(this.#sdeBatch(sde, "cur"), sde.cur, alpha / B, g, {
        deltaZ: this.#deltaZ,
        deltaLatent: dLatent,
        gradParams: gradLogStd,
      });
      this.#touch(dLatent, gradLogStd);
    } else this.#head.backward(this.#cur, B, alpha / B, g, this.#deltaZ, W);
    this.#adamScalars(this.#scalars.actor, ++this.#adamActor.step, c.learningRate);
    this.#touch(this.#deltaZ, this.#scalars.actor);
    const t7 = performance.now();
    this.#run(this.#phases.actorHeads);
    this.#run(this.#phases.actorUpdate);
    if (this.#gpu !== null) yield ranges(this.grad.actor);
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

  /** The gSDE head's batch of s (`"cur"`) or s′ (`"next"`): z, h, L and this step's ξ. */
  #sdeBatch(sde: SdeViews, which: "cur" | "next"): SquashedGsdeBatch {
    const z = which === "cur" ? this.#zCur : this.#zNext;
    return {
      n: this.batchSize,
      z,
      zStride: z.length / this.batchSize,
      latent: which === "cur" ? sde.hCur : sde.hNext,
      params: sde.logStd,
      paramsOffset: 0,
      xi: this.noise.sde,
    };
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

  /** Runs a phase: on the worker pool (WebAssembly), or both halves in order on the GPU. */
  #run(phase: readonly [Program, Program]): void {
    if (this.#runner !== null) {
      this.#runner.run(phase);
      return;
    }
    if (this.#gpu === null) throw new Error("SacEngine: used after close()");
    const k = this.#gpu.kernels as unknown as Record<string, (...args: number[]) => unknown>;
    for (const half of phase) {
      for (const { kernel, args } of half.calls) k[kernel](...args);
    }
  }

  /** WebGPU: host views written since the last phase go to the GPU before the next kernel. */
  #touch(...views: Float32Array[]): void {
    const gpu = this.#gpu;
    if (gpu === null) return;
    for (const v of views) gpu.real(v.byteOffset, v.length);
  }

  /** Throws when a vector has a NaN/Inf (on WebGPU, checks the downloaded host copy). */
  #checkVector(what: string, ptr: number, n: number): void {
    let probe = 0;
    if (this.#dev !== null) probe = this.#dev.kernels.finiteProbe(ptr, n);
    else {
      // The downloaded host copy, through the view taken at construction (a new view would
      // mark the range for upload).
      const v = ptr === this.#gradActorPtr ? this.grad.actor : this.grad.critic;
      for (let i = 0; i < n && probe === 0; i++) if (!Number.isFinite(v[i])) probe = NaN;
    }
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
    this.#touch(...this.#stateViews());
  }

  /** The device views of the state: θ_actor, θ_critic, the targets, the Adam moments. */
  #stateViews(): Float32Array[] {
    const { thetaActor, thetaCritic, thetaCriticTarget } = this;
    const a = this.#adamActor, c = this.#adamCritic;
    return [thetaActor, thetaCritic, thetaCriticTarget, a.m, a.v, c.m, c.v];
  }

  /** Stops the worker thread (when `threads` is 2) and releases the GPU memory. Idempotent. */
  close(): void {
    this.#runner?.close();
    this.#gpu?.destroy();
    this.#gpu = null;
  }
}

/** The download request of host views (of a WebGPU mirror). */
function ranges(...views: Float32Array[]): DownloadRequest {
  return views.map((v) => [v.byteOffset, v.length] as const);
}
