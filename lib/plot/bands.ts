/**
 * Band arithmetic: mean ± standard deviation across seeds on a common step grid, exponential
 * smoothing of training curves, and extraction of curves from `metrics.jsonl` rows. Pure functions.
 *
 * Across S seeds with values x_s at one step, the band is
 *
 *   mean = (1/S) Σ_s x_s,   std = √((1/S) Σ_s (x_s − mean)²)
 *
 * — the **population** standard deviation (divisor S, NumPy's default `np.std`), as the paper's
 * plotting scripts use. One seed gives std = 0.
 *
 * @module
 */

/** One curve: values at increasing steps. */
export interface Series {
  /** Environment steps, strictly increasing. */
  steps: ArrayLike<number>;
  /** Value at each step (finite). */
  values: ArrayLike<number>;
}

/** Mean ± std of several seeds on a common grid. */
export interface Band {
  /** Grid steps, increasing. */
  steps: number[];
  /** Mean over seeds at each step. */
  mean: number[];
  /** Population standard deviation over seeds at each step. */
  std: number[];
  /** Number of seeds. */
  seeds: number;
}

/** Options of {@link seedBand}. */
export interface SeedBandOptions {
  /**
   * The step grid. `"common"` (default): the steps present in every seed, values used as logged.
   * An array: these steps, each seed linearly interpolated between its logged points; grid steps
   * outside any seed's logged range are dropped (no extrapolation).
   */
  grid?: "common" | ArrayLike<number>;
}

/**
 * Mean and population standard deviation of finite numbers (module doc formula).
 *
 * @throws RangeError for an empty list or a non-finite value.
 *
 * @example
 * ```ts
 * import { meanAndStd } from "./bands.ts";
 * meanAndStd([1, 2, 3, 4]); // { mean: 2.5, std: √1.25 ≈ 1.118 }
 * ```
 */
export function meanAndStd(xs: ArrayLike<number>): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) throw new RangeError("meanAndStd: no values; pass at least one seed");
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i])) {
      throw new RangeError(`meanAndStd: value ${i} is ${xs[i]}; drop non-finite values first`);
    }
    sum += xs[i];
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / n) };
}

function checkSeries(who: string, s: Series, index: number): void {
  if (s.steps.length !== s.values.length) {
    throw new RangeError(
      `${who}: seed ${index} has ${s.steps.length} steps but ${s.values.length} values`,
    );
  }
  if (s.steps.length === 0) throw new RangeError(`${who}: seed ${index} is empty`);
  for (let i = 0; i < s.steps.length; i++) {
    if (!Number.isFinite(s.steps[i])) {
      throw new RangeError(`${who}: seed ${index}, point ${i}: step is ${s.steps[i]}`);
    }
    if (!Number.isFinite(s.values[i])) {
      throw new RangeError(
        `${who}: seed ${index}, step ${s.steps[i]}: value is ${s.values[i]}; ` +
          "drop non-finite values (e.g. rows without finished episodes) first",
      );
    }
    if (i > 0 && !(s.steps[i] > s.steps[i - 1])) {
      throw new RangeError(`${who}: seed ${index}: steps must be strictly increasing`);
    }
  }
}

/** Linear interpolation of a checked series at `t` inside its range. */
function interpolate(s: Series, t: number): number {
  let lo = 0, hi = s.steps.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s.steps[mid] <= t) lo = mid;
    else hi = mid;
  }
  if (s.steps[lo] === t) return s.values[lo];
  if (s.steps[hi] === t) return s.values[hi];
  const w = (t - s.steps[lo]) / (s.steps[hi] - s.steps[lo]);
  return s.values[lo] + w * (s.values[hi] - s.values[lo]);
}

/**
 * Mean ± population std across seeds on a common step grid (module doc; grid rule in
 * {@link SeedBandOptions}).
 *
 * @throws RangeError for no seeds, malformed or non-finite series, or an empty common grid.
 *
 * @example
 * ```ts
 * import { seedBand } from "./bands.ts";
 * const band = seedBand([
 *   { steps: [0, 10], values: [1, 3] },
 *   { steps: [0, 10, 20], values: [3, 5, 9] },
 * ]);
 * // band.steps = [0, 10], band.mean = [2, 4], band.std = [1, 1]
 * ```
 */
export function seedBand(seeds: readonly Series[], options: SeedBandOptions = {}): Band {
  if (seeds.length === 0) throw new RangeError("seedBand: no seeds given");
  seeds.forEach((s, i) => checkSeries("seedBand", s, i));
  const grid = options.grid ?? "common";
  let steps: number[];
  let columns: number[][];
  if (grid === "common") {
    let common = new Set<number>(Array.from(seeds[0].steps));
    for (const s of seeds.slice(1)) {
      const mine = new Set<number>(Array.from(s.steps));
      common = new Set([...common].filter((t) => mine.has(t)));
    }
    steps = [...common].sort((a, b) => a - b);
    if (steps.length === 0) {
      throw new RangeError(
        "seedBand: the seeds share no logged step; pass options.grid (an array of steps) to " +
          "interpolate them onto a common grid",
      );
    }
    const lookup = seeds.map((s) => {
      const m = new Map<number, number>();
      for (let i = 0; i < s.steps.length; i++) m.set(s.steps[i], s.values[i]);
      return m;
    });
    columns = steps.map((t) => lookup.map((m) => m.get(t)!));
  } else {
    const lo = Math.max(...seeds.map((s) => s.steps[0]));
    const hi = Math.min(...seeds.map((s) => s.steps[s.steps.length - 1]));
    steps = Array.from(grid).filter((t) => t >= lo && t <= hi);
    for (let i = 1; i < steps.length; i++) {
      if (!(steps[i] > steps[i - 1])) {
        throw new RangeError("seedBand: options.grid must be strictly increasing");
      }
    }
    if (steps.length === 0) {
      throw new RangeError(
        `seedBand: no grid step lies in [${lo}, ${hi}], the step range covered by every seed`,
      );
    }
    columns = steps.map((t) => seeds.map((s) => interpolate(s, t)));
  }
  const mean: number[] = [], std: number[] = [];
  for (const column of columns) {
    const m = meanAndStd(column);
    mean.push(m.mean);
    std.push(m.std);
  }
  return { steps, mean, std, seeds: seeds.length };
}

/**
 * Exponential moving average with smoothing weight w (TensorBoard's slider, the paper's training
 * curves use w = 0.6): s₀ = x₀, s_t = w·s_{t−1} + (1 − w)·x_t. No bias correction.
 *
 * @throws RangeError if w ∉ [0, 1) or a value is not finite.
 *
 * @example
 * ```ts
 * import { emaSmooth } from "./bands.ts";
 * emaSmooth([0, 10, 10], 0.6); // [0, 4, 6.4]
 * ```
 */
export function emaSmooth(values: ArrayLike<number>, weight = 0.6): number[] {
  if (!(weight >= 0 && weight < 1)) {
    throw new RangeError(`emaSmooth: weight must be in [0, 1), got ${weight}`);
  }
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new RangeError(`emaSmooth: value ${i} is ${x}`);
    s = i === 0 ? x : weight * s + (1 - weight) * x;
    out.push(s);
  }
  return out;
}

/**
 * Extracts one curve from `metrics.jsonl` rows: the rows with the given `event` (if set) whose
 * `key` is a finite number, as `{ steps, values }` sorted by step. Rows where the value is null
 * (e.g. `rollout/ep_rew_mean` before the first finished episode) are skipped; a repeated step
 * keeps its last row (a resumed run may log a step twice).
 *
 * @example
 * ```ts
 * import { seriesFromRows } from "./bands.ts";
 * const rows = [
 *   { event: "train", step: 2048, "rollout/ep_rew_mean": null },
 *   { event: "train", step: 4096, "rollout/ep_rew_mean": -1200.5 },
 *   { event: "eval", step: 5000, "eval/mean_reward": -900 },
 * ];
 * seriesFromRows(rows, "rollout/ep_rew_mean", "train"); // { steps: [4096], values: [-1200.5] }
 * ```
 */
export function seriesFromRows(
  rows: readonly Record<string, unknown>[],
  key: string,
  event?: string,
): { steps: number[]; values: number[] } {
  const byStep = new Map<number, number>();
  for (const row of rows) {
    if (event !== undefined && row.event !== event) continue;
    const step = row.step, value = row[key];
    if (typeof step !== "number" || typeof value !== "number" || !Number.isFinite(value)) continue;
    byStep.set(step, value);
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  return { steps, values: steps.map((t) => byStep.get(t)!) };
}
