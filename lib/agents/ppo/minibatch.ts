/**
 * The gradient of SB3's PPO training loss on one mini-batch, with respect to θ_actor and
 * θ_critic, on the compute layer: the policy-gradient objective (clipped surrogate + entropy bonus
 * on the Gaussian or gSDE head) for the actor and the regression objective (value MSE, optionally
 * clipped) for the critic — the same objectives the subspace analysis differentiates twice.
 *
 * The default device is the float64 CPU device: every sum in a fixed order, so the same inputs give
 * the same bits on every machine and a seed fixes a whole run (`"wasm"` runs the same in float32;
 * `"webgpu"`, made by {@linkcode PpoMinibatchGradient.create}, runs it in float32 on a GPU and
 * returns through {@linkcode PpoMinibatchGradient.computeAsync}).
 *
 * Loss (B = mini-batch size): L = L_pg + c_ent·L_ent + c_vf·L_vf with
 *   L_pg = −mean[min(Â·r, Â·clip(r, 1 − ε, 1 + ε))], r = exp(log π − log π_old),
 *   L_vf = mean[(R̂ − V_pred)²], V_pred = V or V_old + clip(V − V_old, ±ε_vf),
 *   L_ent = −H, the advantages normalised over the mini-batch (unbiased std + 1e-8).
 *
 * @module
 */
import {
  type BatchDevice,
  BatchObjective,
  type BatchObjectiveOptions,
} from "../../compute/batch.ts";
import type { ObjectiveSpec, PolicyGradientStats } from "../../compute/objectives/mod.ts";
import { type ActorCriticSpec, actorHead } from "./policy.ts";
import type { RolloutColumns } from "../common/rollout_buffer.ts";

/**
 * Coefficients of the training loss (the PpoConfig fields of the same names).
 *
 * @example
 * ```ts
 * import type { PpoLossCoefficients } from "./minibatch.ts";
 * const c: PpoLossCoefficients = { clipRange: 0.2, clipRangeVf: null, entCoef: 0, vfCoef: 0.5, normalizeAdvantage: true };
 * ```
 */
export interface PpoLossCoefficients {
  /** Surrogate clip ε (after its schedule). */
  clipRange: number;
  /** Value clip around the old values, or null. */
  clipRangeVf: number | null;
  /** Entropy coefficient c_ent. */
  entCoef: number;
  /** Value coefficient c_vf. */
  vfCoef: number;
  /** Normalise advantages over the mini-batch (skipped for a batch of one, as SB3). */
  normalizeAdvantage: boolean;
}

/**
 * Rollout arrays a mini-batch is gathered from (the RolloutBuffer's fields).
 *
 * @example
 * ```ts
 * import type { RolloutArrays } from "./minibatch.ts";
 * import { RolloutBuffer } from "../common/rollout_buffer.ts";
 * const data: RolloutArrays = new RolloutBuffer({ size: 8, obsDim: 3, actDim: 1, gamma: 0.99, gaeLambda: 0.95 });
 * ```
 */
export type RolloutArrays = Pick<
  RolloutColumns,
  "observations" | "actions" | "logProbs" | "advantages" | "returns" | "values"
>;

/**
 * Scalars of one mini-batch (float64).
 *
 * @example
 * ```ts
 * import type { MiniBatchStats } from "./minibatch.ts";
 * const s: MiniBatchStats = { loss: 0.1, policyLoss: 0, valueLoss: 0.2, entropyLoss: -1.42, approxKl: 0, clipFraction: 0 };
 * ```
 */
export interface MiniBatchStats {
  /** Total loss L. */
  loss: number;
  /** Clipped-surrogate loss L_pg. */
  policyLoss: number;
  /** Value MSE L_vf (before c_vf). */
  valueLoss: number;
  /** −mean H. */
  entropyLoss: number;
  /** SB3's approx KL: mean[(r − 1) − log r]. */
  approxKl: number;
  /** Fraction of samples with |r − 1| > ε. */
  clipFraction: number;
}

/**
 * SB3's PPO mini-batch loss and gradient on a compute device.
 *
 * @example
 * ```ts
 * import { PpoMinibatchGradient } from "./minibatch.ts";
 * import { initActorCritic, makeActorCriticSpec } from "./policy.ts";
 * import { Rng } from "../../rng.ts";
 * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
 * const { actor, critic } = initActorCritic(spec, { orthoInit: true, logStdInit: 0 }, new Rng(0));
 * const coefs = { clipRange: 0.2, clipRangeVf: null, entCoef: 0, vfCoef: 0.5, normalizeAdvantage: true };
 * const engine = new PpoMinibatchGradient(spec, 64, coefs);
 * const n = 64;
 * const data = {
 *   observations: new Float32Array(n * 3).fill(0.5), actions: new Float32Array(n).fill(0.1),
 *   logProbs: new Float32Array(n).fill(-1), advantages: new Float32Array(n).map((_, i) => i % 3),
 *   returns: new Float32Array(n).fill(1), values: new Float32Array(n),
 * };
 * const gradA = new Float64Array(actor.length), gradC = new Float64Array(critic.length);
 * const idx = Int32Array.from({ length: n }, (_, i) => i);
 * const stats = engine.compute(actor, critic, data, idx, 0, n, coefs, gradA, gradC);
 * ```
 */
export class PpoMinibatchGradient {
  /** The actor-critic geometry. */
  readonly spec: ActorCriticSpec;
  /** Largest mini-batch this engine accepts. */
  readonly maxBatch: number;
  /** The device. */
  readonly device: BatchDevice | "webgpu";
  readonly #actor: BatchObjective;
  readonly #critic: BatchObjective;
  readonly #clipVf: boolean;

  /**
   * @param coefs the loss coefficients (whether the value clip is on fixes the critic's plan;
   *   the values themselves are given to every `compute`).
   * @param device `"cpu"` or `"wasm"`; WebGPU through {@linkcode PpoMinibatchGradient.create}.
   */
  constructor(
    spec: ActorCriticSpec,
    maxBatch: number,
    coefs: Pick<PpoLossCoefficients, "clipRangeVf">,
    device: BatchDevice = "cpu",
    objectives?: readonly [BatchObjective, BatchObjective],
  ) {
    this.spec = spec;
    this.maxBatch = maxBatch;
    this.#clipVf = coefs.clipRangeVf !== null;
    const [actor, critic] = objectives ?? minibatchSpecs(spec, maxBatch, this.#clipVf).map(
      ([s, theta]) => new BatchObjective(s, theta, device),
    );
    this.#actor = actor;
    this.#critic = critic;
    this.device = actor.device;
  }

  /**
   * The engine on any device, WebGPU included (created asynchronously; a fallback adapter only
   * with `allowFallbackGpu`).
   *
   * @example
   * ```ts
   * import { PpoMinibatchGradient } from "./minibatch.ts";
   * import { makeActorCriticSpec } from "./policy.ts";
   * const spec = makeActorCriticSpec(3, 1, { netArch: [64, 64], activation: "tanh" });
   * const engine = await PpoMinibatchGradient.create(spec, 64, { clipRangeVf: null }, "wasm");
   * engine.dispose();
   * ```
   */
  static async create(
    spec: ActorCriticSpec,
    maxBatch: number,
    coefs: Pick<PpoLossCoefficients, "clipRangeVf">,
    device: BatchDevice | "webgpu",
    options: BatchObjectiveOptions = {},
  ): Promise<PpoMinibatchGradient> {
    const made: BatchObjective[] = [];
    try {
      for (const [s, theta] of minibatchSpecs(spec, maxBatch, coefs.clipRangeVf !== null)) {
        made.push(await BatchObjective.create(s, theta, device, options));
      }
    } catch (e) {
      for (const m of made) m.dispose();
      throw e;
    }
    return new PpoMinibatchGradient(spec, maxBatch, coefs, "cpu", [made[0], made[1]]);
  }

  /**
   * Loss terms and gradients of the mini-batch `indices[start .. start+count)` of `data`.
   * Overwrites `gradActor` / `gradCritic` with ∂L/∂θ_actor and ∂L/∂θ_critic (CPU and
   * WebAssembly devices).
   */
  compute(
    actor: Float32Array,
    critic: Float32Array,
    data: RolloutArrays,
    indices: Int32Array,
    start: number,
    count: number,
    coefs: PpoLossCoefficients,
    gradActor: Float64Array,
    gradCritic: Float64Array,
  ): MiniBatchStats {
    this.#stage(actor, critic, data, indices, start, count, coefs, gradActor, gradCritic);
    gradActor.set(this.#actor.evaluate(count).gradient);
    gradCritic.set(this.#critic.evaluate(count).gradient);
    return this.#stats(count, coefs);
  }

  /** {@linkcode compute} on any device, WebGPU included (its reads awaited). */
  async computeAsync(
    ...args: Parameters<PpoMinibatchGradient["compute"]>
  ): Promise<MiniBatchStats> {
    const [, , , , , count, coefs, gradActor, gradCritic] = args;
    this.#stage(...args);
    gradActor.set((await this.#actor.evaluateAsync(count)).gradient);
    gradCritic.set((await this.#critic.evaluateAsync(count)).gradient);
    return this.#stats(count, coefs);
  }

  /** Releases the devices' memory (WebGPU). Idempotent. */
  dispose(): void {
    this.#actor.dispose();
    this.#critic.dispose();
  }

  /** Writes the mini-batch, the coefficients and θ into both objectives. */
  #stage(...args: Parameters<PpoMinibatchGradient["compute"]>): void {
    const [actor, critic, data, indices, start, count, coefs] = args;
    const B = count;
    if (B < 1 || B > this.maxBatch) {
      throw new RangeError(
        `PpoMinibatchGradient: mini-batch of ${B} outside [1, ${this.maxBatch}]`,
      );
    }
    if ((coefs.clipRangeVf !== null) !== this.#clipVf) {
      throw new Error("PpoMinibatchGradient: the value clip was switched on or off after planning");
    }
    const { obsDim, actDim } = this.spec;
    const a = this.#actor, c = this.#critic;
    const obsA = a.column("obs"), obsC = c.column("inputs"), act = a.column("actions");
    const adv = a.column("advantages"), old = a.column("oldLogProbs");
    const ret = c.column("targets"), oldV = this.#clipVf ? c.column("oldValues") : null;
    for (let b = 0; b < B; b++) {
      const t = indices[start + b];
      for (let k = 0; k < obsDim; k++) {
        const o = data.observations[t * obsDim + k];
        obsA[b * obsDim + k] = o;
        obsC[b * obsDim + k] = o;
      }
      for (let d = 0; d < actDim; d++) act[b * actDim + d] = data.actions[t * actDim + d];
      adv[b] = data.advantages[t];
      old[b] = data.logProbs[t];
      ret[b] = data.returns[t];
      if (oldV) oldV[b] = data.values[t];
    }
    Object.assign(a.planned.plan as object, {
      clipRange: coefs.clipRange,
      entCoef: coefs.entCoef,
      normalize: coefs.normalizeAdvantage,
    });
    Object.assign(c.planned.plan as object, {
      coef: coefs.vfCoef,
      clipRange: coefs.clipRangeVf,
    });
    a.setParameters(actor);
    c.setParameters(critic);
  }

  /** The loss terms of the batch just evaluated. */
  #stats(B: number, coefs: PpoLossCoefficients): MiniBatchStats {
    const pg = this.#actor.runtime.stats as PolicyGradientStats;
    const valueLoss = (this.#critic.runtime.stats as { squaredErrors: number[] }).squaredErrors[0] /
      B;
    return {
      loss: pg.policyLoss + coefs.entCoef * pg.entropyLoss + coefs.vfCoef * valueLoss,
      policyLoss: pg.policyLoss,
      valueLoss,
      entropyLoss: pg.entropyLoss,
      approxKl: pg.approxKl,
      clipFraction: pg.clipFraction,
    };
  }
}

/** The actor's and the critic's objectives (data columns of `maxBatch` rows) and zero θ. */
function minibatchSpecs(
  spec: ActorCriticSpec,
  maxBatch: number,
  clipVf: boolean,
): [ObjectiveSpec, Float32Array][] {
  const { obsDim, actDim } = spec;
  const zeros = (n: number) => new Float32Array(n);
  return [
    [{
      kind: "policy-gradient",
      net: spec.actorNet,
      ...actorHead(spec),
      obs: zeros(maxBatch * obsDim),
      actions: zeros(maxBatch * actDim),
      advantages: zeros(maxBatch),
      oldLogProbs: zeros(maxBatch),
      clipRange: 0.2,
      entCoef: 0,
      normalizeAdvantage: true,
    }, spec.actorLayout.zeros()],
    [{
      kind: "regression",
      nets: [spec.criticNet],
      inputs: zeros(maxBatch * obsDim),
      targets: zeros(maxBatch),
      coef: 0.5,
      clip: clipVf ? { oldValues: zeros(maxBatch), range: 0 } : null,
    }, spec.criticLayout.zeros()],
  ];
}
