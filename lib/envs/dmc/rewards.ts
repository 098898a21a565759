/**
 * dm_control's soft indicator `rewards.tolerance` and its sigmoids (`dm_control/utils/rewards.py`),
 * the building block of the Control Suite's shaped rewards.
 *
 * `tolerance(x, { bounds: [lo, hi], margin, sigmoid, valueAtMargin })` is 1 for lo ≤ x ≤ hi; outside
 * it is 0 when `margin` is 0, else `sigmoid(d)` of the distance to the nearest bound in units of
 * the margin, d = (lo − x)/margin or (x − hi)/margin, where every sigmoid s has s(0) = 1 and
 * s(1) = valueAtMargin (v below):
 *
 * | sigmoid        | s(d)                                    | scale                  |
 * | -------------- | --------------------------------------- | ---------------------- |
 * | `gaussian`     | exp(−(d·scale)²/2)                      | √(−2 ln v)             |
 * | `hyperbolic`   | 1 / cosh(d·scale)                       | arccosh(1/v)           |
 * | `long_tail`    | 1 / ((d·scale)² + 1)                    | √(1/v − 1)             |
 * | `reciprocal`   | 1 / (abs(d)·scale + 1)                  | 1/v − 1                |
 * | `cosine`       | (1 + cos(π·d·scale))/2 if d·scale < 1, else 0 | arccos(2v − 1)/π |
 * | `linear`       | 1 − d·scale if d·scale < 1, else 0      | 1 − v                  |
 * | `quadratic`    | 1 − (d·scale)² if d·scale < 1, else 0   | √(1 − v)               |
 * | `tanh_squared` | 1 − tanh(d·scale)²                      | arctanh(√(1 − v))      |
 *
 * `cosine`, `linear` and `quadratic` accept v = 0; the others need 0 < v < 1.
 *
 * @module
 */

/**
 * The sigmoid names of {@linkcode tolerance}.
 *
 * @example
 * ```ts
 * import type { Sigmoid } from "./rewards.ts";
 * const s: Sigmoid = "long_tail";
 * ```
 */
export type Sigmoid =
  | "gaussian"
  | "hyperbolic"
  | "long_tail"
  | "reciprocal"
  | "cosine"
  | "linear"
  | "quadratic"
  | "tanh_squared";

const SIGMOIDS: readonly Sigmoid[] = [
  "gaussian",
  "hyperbolic",
  "long_tail",
  "reciprocal",
  "cosine",
  "linear",
  "quadratic",
  "tanh_squared",
];

/**
 * dm_control's `_sigmoids(x, value_at_1, sigmoid)`: 1 at x = 0, `valueAt1` at x = 1, between 0
 * and 1 elsewhere (formulas in the module doc).
 *
 * @example
 * ```ts
 * import { sigmoid } from "./rewards.ts";
 * sigmoid(1, 0.1, "gaussian"); // 0.1 (up to rounding)
 * sigmoid(0.5, 0.5, "linear"); // 0.75
 * ```
 */
export function sigmoid(x: number, valueAt1: number, kind: Sigmoid): number {
  const zeroAllowed = kind === "cosine" || kind === "linear" || kind === "quadratic";
  if (zeroAllowed ? !(valueAt1 >= 0 && valueAt1 < 1) : !(valueAt1 > 0 && valueAt1 < 1)) {
    throw new RangeError(
      zeroAllowed
        ? `tolerance: valueAtMargin must be nonnegative and smaller than 1 for the ${kind} ` +
          `sigmoid, got ${valueAt1}`
        : `tolerance: valueAtMargin must be strictly between 0 and 1 for the ${kind} sigmoid, ` +
          `got ${valueAt1}`,
    );
  }
  switch (kind) {
    case "gaussian": {
      const scale = Math.sqrt(-2 * Math.log(valueAt1));
      return Math.exp(-0.5 * (x * scale) ** 2);
    }
    case "hyperbolic":
      return 1 / Math.cosh(x * Math.acosh(1 / valueAt1));
    case "long_tail": {
      const scale = Math.sqrt(1 / valueAt1 - 1);
      return 1 / ((x * scale) ** 2 + 1);
    }
    case "reciprocal":
      return 1 / (Math.abs(x) * (1 / valueAt1 - 1) + 1);
    case "cosine": {
      const scaled = x * (Math.acos(2 * valueAt1 - 1) / Math.PI);
      return Math.abs(scaled) < 1 ? (1 + Math.cos(Math.PI * scaled)) / 2 : 0;
    }
    case "linear": {
      const scaled = x * (1 - valueAt1);
      return Math.abs(scaled) < 1 ? 1 - scaled : 0;
    }
    case "quadratic": {
      const scaled = x * Math.sqrt(1 - valueAt1);
      return Math.abs(scaled) < 1 ? 1 - scaled ** 2 : 0;
    }
    case "tanh_squared":
      return 1 - Math.tanh(x * Math.atanh(Math.sqrt(1 - valueAt1))) ** 2;
    default:
      throw new RangeError(
        `tolerance: unknown sigmoid ${JSON.stringify(kind)}; choose one of ${SIGMOIDS.join(", ")}`,
      );
  }
}

/**
 * Options of {@linkcode tolerance} (dm_control's keyword arguments).
 *
 * @example
 * ```ts
 * import type { ToleranceOptions } from "./rewards.ts";
 * const upright: ToleranceOptions = { bounds: [0.9, Infinity], margin: 0.5, sigmoid: "linear" };
 * ```
 */
export interface ToleranceOptions {
  /** Inclusive `[lower, upper]` target interval (either end may be infinite); default `[0, 0]`. */
  bounds?: readonly [number, number];
  /** Distance outside the bounds over which the value falls to `valueAtMargin`; default 0. */
  margin?: number;
  /** Shape of the fall-off; default `"gaussian"`. */
  sigmoid?: Sigmoid;
  /** Value at `margin` distance from the bounds; default 0.1. */
  valueAtMargin?: number;
}

/**
 * dm_control's `rewards.tolerance`: 1 when `x` lies in `bounds`, falling off sigmoidally with the
 * distance to the nearest bound (0 outside when `margin` is 0); see the module doc.
 *
 * @example
 * ```ts
 * import { tolerance } from "./rewards.ts";
 * tolerance(0.5, { bounds: [0, 1] }); // 1
 * tolerance(1.5, { bounds: [0, 1] }); // 0 (margin 0)
 * tolerance(1.5, { bounds: [0, 1], margin: 0.5, valueAtMargin: 0.1 }); // 0.1 (gaussian)
 * ```
 */
export function tolerance(x: number, options: ToleranceOptions = {}): number {
  const [lower, upper] = options.bounds ?? [0, 0];
  const margin = options.margin ?? 0;
  if (lower > upper) {
    throw new RangeError(`tolerance: the lower bound ${lower} is above the upper bound ${upper}`);
  }
  if (!(margin >= 0)) throw new RangeError(`tolerance: margin must be non-negative, got ${margin}`);
  const inBounds = lower <= x && x <= upper;
  if (margin === 0) return inBounds ? 1 : 0;
  // dm_control evaluates the sigmoid (and validates its arguments) even inside the bounds.
  const d = (x < lower ? lower - x : x - upper) / margin;
  const value = sigmoid(d, options.valueAtMargin ?? 0.1, options.sigmoid ?? "gaussian");
  return inBounds ? 1 : value;
}
