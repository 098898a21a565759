/**
 * Training-phase split of a learning curve and per-phase aggregation of a metric, as used for the
 * paper's Fig. 2 (paper Eq. 6; paper notes §4.6, reference `scripts/convergence_criterion.py`).
 *
 * Per seed, on the training-return curve R_j (`rollout/ep_rew_mean`) logged at steps t_j:
 * 1. Window w = round(20,000 / (t₁ − t₀)) samples (±20k environment steps; Python's `round`, i.e.
 *    halves to even). Smoothed return R̄_j = mean(R[max(j − w, 0) : j + w]) — a Python slice, so
 *    the upper end is exclusive and clipped at the end of the curve.
 * 2. Relative improvement ρ_j = (R̄_j − R̄₀) / (max_j R̄_j − R̄₀).
 * 3. Training starts at the first j with ρ_j > 0.1 (index j_tr).
 * 4. Convergence: scan j backwards from the end; once the scan has passed the maximum
 *    (ρ_j = 1, i.e. its last occurrence), the first j with ρ_j < 0.9 is the convergence start j_c.
 * 5. With analysed steps s: initial ⇔ s ≤ t_{j_tr − 1}; training ⇔ t_{j_tr − 1} < s < t_{j_c};
 *    convergence ⇔ s ≥ t_{j_c}. (The rules are applied literally. j_c ≥ j_tr − 1 always holds; in
 *    the degenerate case j_c = j_tr − 1 the step t_{j_c} satisfies both the initial and the
 *    convergence rule and is counted in both, and the training phase is empty.)
 * 6. Per seed, the metric values at the analysed steps of each phase are averaged. Across seeds,
 *    each phase gets the mean of these per-seed means and their **population** standard deviation
 *    (`np.std`, divisor S): mean = (1/S) Σ_s m_s, std = √((1/S) Σ_s (m_s − mean)²).
 * 7. Only steps ≤ xmax are used (curve points and analysed steps), and only analysed steps common
 *    to all seeds.
 *
 * @module
 */

/** The three training phases of Fig. 2. */
export type TrainingPhase = "initial" | "training" | "convergence";

/**
 * The phases in plotting order.
 *
 * @example
 * ```ts
 * import { TRAINING_PHASES } from "./phases.ts";
 * TRAINING_PHASES[0]; // "initial"
 * ```
 */
export const TRAINING_PHASES: readonly TrainingPhase[] = ["initial", "training", "convergence"];

/** Options of {@link splitTrainingPhases}. */
export interface PhaseSplitOptions {
  /** Half-width of the smoothing window in environment steps (default 20,000). */
  smoothingSteps?: number;
  /** ρ threshold that starts the training phase, ρ_j > threshold (default 0.1). */
  trainingThreshold?: number;
  /** ρ threshold of the convergence phase, ρ_j < threshold in the backward scan (default 0.9). */
  convergenceThreshold?: number;
}

/** Result of {@link splitTrainingPhases}. */
export interface PhaseSplit {
  /** Smoothing window w in curve samples. */
  window: number;
  /** Smoothed returns R̄_j. */
  smoothed: Float64Array;
  /** Relative improvement ρ_j. */
  relativeImprovement: Float64Array;
  /** j_tr: first curve index with ρ_j > trainingThreshold (≥ 1). */
  trainingStartIndex: number;
  /** j_c: convergence-start curve index from the backward scan. */
  convergenceStartIndex: number;
  /** t_{j_tr − 1}: analysed steps ≤ this are in the initial phase. */
  lastInitialStep: number;
  /** t_{j_c}: analysed steps ≥ this are in the convergence phase. */
  convergenceStartStep: number;
}

/** Aggregate of one phase over seeds. */
export interface PhaseAggregate {
  /** Mean over seeds of the per-seed phase means; null if no seed has a step in this phase. */
  mean: number | null;
  /** Population standard deviation (divisor = seeds) of the per-seed means; null like `mean`. */
  std: number | null;
  /** Number of seeds with at least one analysed step in this phase. */
  seeds: number;
}

/** Per-seed phase means: null where the seed has no analysed step in that phase. */
export type PhaseMeans = Record<TrainingPhase, number | null>;

/** One seed's data for {@link phaseStatistics}. */
export interface SeedRun {
  /** Steps t_j of the training-return curve (increasing, uniformly spaced). */
  curveSteps: ArrayLike<number>;
  /** Training returns R_j (`rollout/ep_rew_mean`). */
  curveReturns: ArrayLike<number>;
  /** Analysed checkpoint steps. */
  analysedSteps: ArrayLike<number>;
  /** Metric value (e.g. S_frac) at each analysed step. */
  values: ArrayLike<number>;
}

function intersect(a: Set<number> | null, b: Set<number>): Set<number> {
  if (a === null) return b;
  const out = new Set<number>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

/** Python 3 `round` for a non-negative float: round half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Splits a learning curve into initial / training / convergence phases (module doc, steps 1–4).
 *
 * @param steps curve steps t_j (strictly increasing; the window uses t₁ − t₀).
 * @param returns training returns R_j (finite).
 * @throws RangeError if the curve has fewer than 2 points, is not finite or increasing, the window
 *   rounds to 0 samples, or the smoothed return never rises above its start (ρ undefined).
 *
 * @example
 * ```ts
 * import { splitTrainingPhases } from "./phases.ts";
 * const steps = Array.from({ length: 100 }, (_, j) => j * 10_000);
 * const returns = steps.map((t) => Math.min(t / 500_000, 1)); // linear rise, then plateau
 * const split = splitTrainingPhases(steps, returns);
 * split.lastInitialStep; // last step of the initial phase
 * ```
 */
export function splitTrainingPhases(
  steps: ArrayLike<number>,
  returns: ArrayLike<number>,
  options: PhaseSplitOptions = {},
): PhaseSplit {
  const smoothingSteps = options.smoothingSteps ?? 20_000;
  const trainingThreshold = options.trainingThreshold ?? 0.1;
  const convergenceThreshold = options.convergenceThreshold ?? 0.9;
  const count = steps.length;
  if (returns.length !== count) {
    throw new RangeError(
      `splitTrainingPhases: ${count} steps but ${returns.length} returns; pass one return per step`,
    );
  }
  if (count < 2) {
    throw new RangeError("splitTrainingPhases: the learning curve needs at least 2 points");
  }
  for (let j = 0; j < count; j++) {
    if (!Number.isFinite(returns[j]) || !Number.isFinite(steps[j])) {
      throw new RangeError(
        `splitTrainingPhases: point ${j} (step ${steps[j]}, return ${returns[j]}) is not finite; ` +
          "drop log rows without finished episodes first",
      );
    }
    if (j > 0 && !(steps[j] > steps[j - 1])) {
      throw new RangeError("splitTrainingPhases: steps must be strictly increasing");
    }
  }
  const window = roundHalfEven(smoothingSteps / (steps[1] - steps[0]));
  if (window < 1) {
    throw new RangeError(
      `splitTrainingPhases: the ±${smoothingSteps}-step window is ${window} samples at a log ` +
        `interval of ${steps[1] - steps[0]} steps; log the return more often`,
    );
  }
  const smoothed = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const lo = Math.max(j - window, 0);
    const hi = Math.min(j + window, count);
    let s = 0;
    for (let i = lo; i < hi; i++) s += returns[i];
    smoothed[j] = s / (hi - lo);
  }
  const r0 = smoothed[0];
  let max = -Infinity;
  for (let j = 0; j < count; j++) max = Math.max(max, smoothed[j]);
  if (!(max > r0)) {
    throw new RangeError(
      "splitTrainingPhases: the smoothed return never rises above its initial value, so the " +
        "relative improvement ρ = (R̄_j − R̄₀)/(max R̄ − R̄₀) is undefined",
    );
  }
  const rho = new Float64Array(count);
  for (let j = 0; j < count; j++) rho[j] = (smoothed[j] - r0) / (max - r0);

  let trainingStartIndex = -1;
  for (let j = 0; j < count; j++) {
    if (rho[j] > trainingThreshold) {
      trainingStartIndex = j;
      break;
    }
  }
  let convergenceStartIndex = -1;
  let passedMax = false;
  for (let j = count - 1; j >= 0; j--) {
    if (smoothed[j] === max) passedMax = true;
    if (passedMax && rho[j] < convergenceThreshold) {
      convergenceStartIndex = j;
      break;
    }
  }
  // Both exist for thresholds in (0, 1): ρ₀ = 0 and ρ = 1 at the maximum.
  if (trainingStartIndex < 1 || convergenceStartIndex < 0) {
    throw new RangeError(
      "splitTrainingPhases: thresholds must satisfy 0 ≤ trainingThreshold < 1 and " +
        "0 < convergenceThreshold ≤ 1",
    );
  }
  return {
    window,
    smoothed,
    relativeImprovement: rho,
    trainingStartIndex,
    convergenceStartIndex,
    lastInitialStep: steps[trainingStartIndex - 1],
    convergenceStartStep: steps[convergenceStartIndex],
  };
}

/**
 * Which phases an analysed step belongs to (module doc, step 5): initial ⇔ s ≤ t_{j_tr−1},
 * training ⇔ t_{j_tr−1} < s < t_{j_c}, convergence ⇔ s ≥ t_{j_c}.
 *
 * @returns the phases (one, or two in the degenerate case j_c = j_tr − 1).
 *
 * @example
 * ```ts
 * import { phasesOfStep, type PhaseSplit } from "./phases.ts";
 * const split = { lastInitialStep: 50_000, convergenceStartStep: 400_000 } as PhaseSplit;
 * phasesOfStep(100_000, split); // ["training"]
 * ```
 */
export function phasesOfStep(
  step: number,
  split: Pick<PhaseSplit, "lastInitialStep" | "convergenceStartStep">,
): TrainingPhase[] {
  const phases: TrainingPhase[] = [];
  if (step <= split.lastInitialStep) phases.push("initial");
  if (step > split.lastInitialStep && step < split.convergenceStartStep) phases.push("training");
  if (step >= split.convergenceStartStep) phases.push("convergence");
  return phases;
}

/**
 * Per-seed phase means (module doc, step 6): for each phase, the mean of `values[i]` over the
 * analysed steps `analysedSteps[i]` in that phase; null if there is none.
 *
 * @example
 * ```ts
 * import { phaseMeans, type PhaseSplit } from "./phases.ts";
 * const split = { lastInitialStep: 0, convergenceStartStep: 200_000 } as PhaseSplit;
 * phaseMeans([0, 100_000, 200_000, 300_000], [0.1, 0.2, 0.5, 0.7], split);
 * // { initial: 0.1, training: 0.2, convergence: 0.6 }
 * ```
 */
export function phaseMeans(
  analysedSteps: ArrayLike<number>,
  values: ArrayLike<number>,
  split: Pick<PhaseSplit, "lastInitialStep" | "convergenceStartStep">,
): PhaseMeans {
  if (analysedSteps.length !== values.length) {
    throw new RangeError(
      `phaseMeans: ${analysedSteps.length} analysed steps but ${values.length} values`,
    );
  }
  const sums: Record<TrainingPhase, number> = { initial: 0, training: 0, convergence: 0 };
  const counts: Record<TrainingPhase, number> = { initial: 0, training: 0, convergence: 0 };
  for (let i = 0; i < analysedSteps.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new RangeError(`phaseMeans: value at step ${analysedSteps[i]} is ${v}`);
    }
    for (const phase of phasesOfStep(analysedSteps[i], split)) {
      sums[phase] += v;
      counts[phase]++;
    }
  }
  const out = {} as PhaseMeans;
  for (const phase of TRAINING_PHASES) {
    out[phase] = counts[phase] > 0 ? sums[phase] / counts[phase] : null;
  }
  return out;
}

/**
 * Aggregates per-seed phase means over seeds (module doc, step 6): mean = (1/S) Σ m_s and
 * population std = √((1/S) Σ (m_s − mean)²), over the S seeds that have a value for the phase.
 *
 * @example
 * ```ts
 * import { aggregatePhaseMeans } from "./phases.ts";
 * aggregatePhaseMeans([
 *   { initial: 0.2, training: 0.5, convergence: 0.6 },
 *   { initial: 0.4, training: 0.7, convergence: null },
 * ]).initial; // { mean: 0.3, std: 0.1, seeds: 2 }
 * ```
 */
export function aggregatePhaseMeans(
  perSeed: readonly PhaseMeans[],
): Record<TrainingPhase, PhaseAggregate> {
  const out = {} as Record<TrainingPhase, PhaseAggregate>;
  for (const phase of TRAINING_PHASES) {
    const xs = perSeed.map((m) => m[phase]).filter((x): x is number => x !== null);
    if (xs.length === 0) {
      out[phase] = { mean: null, std: null, seeds: 0 };
      continue;
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    out[phase] = { mean, std: Math.sqrt(variance), seeds: xs.length };
  }
  return out;
}

/** Options of {@link phaseStatistics}. */
export interface PhaseStatisticsOptions extends PhaseSplitOptions {
  /** Last step used (the task's `xmax`); default: no limit. */
  xmax?: number;
}

/** Result of {@link phaseStatistics}. */
export interface PhaseStatistics {
  /** The phase split of each seed. */
  splits: PhaseSplit[];
  /** Analysed steps present in every seed (and ≤ xmax), ascending. */
  commonSteps: number[];
  /** Per-seed phase means over `commonSteps`. */
  perSeed: PhaseMeans[];
  /** Mean and population std over seeds, per phase. */
  phases: Record<TrainingPhase, PhaseAggregate>;
}

/**
 * The whole §4.6 pipeline for one metric over several seeds: truncate curves and analysed steps
 * at xmax, keep the analysed steps common to all seeds, split each seed's curve into phases,
 * average the metric per phase per seed, then mean and population std over seeds.
 *
 * @example
 * ```ts
 * import { phaseStatistics } from "./phases.ts";
 * const curveSteps = Array.from({ length: 60 }, (_, j) => j * 10_000);
 * const curveReturns = curveSteps.map((t) => Math.min(t / 300_000, 1));
 * const stats = phaseStatistics([
 *   { curveSteps, curveReturns, analysedSteps: [0, 100_000, 500_000], values: [0.1, 0.3, 0.5] },
 * ], { xmax: 500_000 });
 * stats.phases.convergence.mean; // 0.5
 * ```
 */
export function phaseStatistics(
  runs: readonly SeedRun[],
  options: PhaseStatisticsOptions = {},
): PhaseStatistics {
  if (runs.length === 0) throw new RangeError("phaseStatistics: no seeds given");
  const xmax = options.xmax ?? Infinity;
  const splits: PhaseSplit[] = [];
  let common: Set<number> | null = null;
  for (const run of runs) {
    if (run.analysedSteps.length !== run.values.length) {
      throw new RangeError(
        `phaseStatistics: ${run.analysedSteps.length} analysed steps but ${run.values.length} values`,
      );
    }
    const steps: number[] = [];
    const returns: number[] = [];
    for (let j = 0; j < run.curveSteps.length; j++) {
      if (run.curveSteps[j] <= xmax) {
        steps.push(run.curveSteps[j]);
        returns.push(run.curveReturns[j]);
      }
    }
    splits.push(splitTrainingPhases(steps, returns, options));
    const mine = new Set<number>();
    for (let i = 0; i < run.analysedSteps.length; i++) {
      if (run.analysedSteps[i] <= xmax) mine.add(run.analysedSteps[i]);
    }
    common = intersect(common, mine);
  }
  const commonSteps = [...(common ?? [])].sort((a, b) => a - b);
  const perSeed = runs.map((run, s) => {
    const index = new Map<number, number>();
    for (let i = 0; i < run.analysedSteps.length; i++) index.set(run.analysedSteps[i], i);
    const values = commonSteps.map((step) => run.values[index.get(step)!]);
    return phaseMeans(commonSteps, values, splits[s]);
  });
  return { splits, commonSteps, perSeed, phases: aggregatePhaseMeans(perSeed) };
}
