/**
 * The one palette of all pgsubspace figures, so that a colour or line style means the same thing
 * in every plot. Colours are from the Okabe–Ito colour-blind-safe set.
 *
 * | Meaning | Encoding |
 * |---|---|
 * | network: actor / critic | colour: blue `#0072B2` / vermillion `#D55E00` |
 * | algorithm: PPO / SAC | colour (when the algorithm is the series): green `#009E73` / purple `#CC79A7`; line dash (when the network is the colour): solid / dash |
 * | phase: initial / training / convergence | colour: sky blue `#56B4E9` / orange `#E69F00` / green `#009E73` |
 * | estimator: precise / mini-batch gradient / mini-batch both | bar pattern: none / `/` / `x`; line dash: solid / dash / dot |
 * | curve kind: eval / train | line dash: solid / dot |
 * | random baseline k/N, reference lines | grey `#7F7F7F`, dashed |
 * | k levels (S_frac over time, eigenvalue index) | {@link SEQUENTIAL_COLORS} in order |
 *
 * Mean ± std bands are filled with the line colour at {@link BAND_OPACITY}.
 *
 * @module
 */

import type { Algorithm, Estimator, Network } from "./types.ts";
import type { TrainingPhase } from "../subspaces/phases.ts";

/**
 * Colour of each network.
 *
 * @example
 * ```ts
 * import { NETWORK_COLORS } from "./palette.ts";
 * NETWORK_COLORS.critic; // "#D55E00"
 * ```
 */
export const NETWORK_COLORS: Readonly<Record<Network, string>> = {
  actor: "#0072B2",
  critic: "#D55E00",
};

/**
 * Display name of each network.
 *
 * @example
 * ```ts
 * import { NETWORK_LABELS } from "./palette.ts";
 * NETWORK_LABELS.actor; // "Actor"
 * ```
 */
export const NETWORK_LABELS: Readonly<Record<Network, string>> = {
  actor: "Actor",
  critic: "Critic",
};

/**
 * Colour of each algorithm (used when the algorithm, not the network, is the series).
 *
 * @example
 * ```ts
 * import { ALGORITHM_COLORS } from "./palette.ts";
 * ALGORITHM_COLORS.sac; // "#CC79A7"
 * ```
 */
export const ALGORITHM_COLORS: Readonly<Record<Algorithm, string>> = {
  ppo: "#009E73",
  sac: "#CC79A7",
};

/**
 * Line dash of each algorithm (used when the colour already encodes the network).
 *
 * @example
 * ```ts
 * import { ALGORITHM_DASHES } from "./palette.ts";
 * ALGORITHM_DASHES.ppo; // "solid"
 * ```
 */
export const ALGORITHM_DASHES: Readonly<Record<Algorithm, string>> = {
  ppo: "solid",
  sac: "dash",
};

/**
 * Display name of each algorithm.
 *
 * @example
 * ```ts
 * import { ALGORITHM_LABELS } from "./palette.ts";
 * ALGORITHM_LABELS.ppo; // "PPO"
 * ```
 */
export const ALGORITHM_LABELS: Readonly<Record<Algorithm, string>> = {
  ppo: "PPO",
  sac: "SAC",
};

/**
 * Colour of each training phase (Fig. 2).
 *
 * @example
 * ```ts
 * import { PHASE_COLORS } from "./palette.ts";
 * PHASE_COLORS.training; // "#E69F00"
 * ```
 */
export const PHASE_COLORS: Readonly<Record<TrainingPhase, string>> = {
  initial: "#56B4E9",
  training: "#E69F00",
  convergence: "#009E73",
};

/**
 * Display name of each training phase.
 *
 * @example
 * ```ts
 * import { PHASE_LABELS } from "./palette.ts";
 * PHASE_LABELS.convergence; // "Convergence"
 * ```
 */
export const PHASE_LABELS: Readonly<Record<TrainingPhase, string>> = {
  initial: "Initial",
  training: "Training",
  convergence: "Convergence",
};

/**
 * The estimator combinations in plotting order (Fig. 2 legend order).
 *
 * @example
 * ```ts
 * import { ESTIMATORS } from "./palette.ts";
 * ESTIMATORS[0]; // "precise"
 * ```
 */
export const ESTIMATORS: readonly Estimator[] = ["precise", "minibatch_gradient", "minibatch"];

/**
 * Legend text of each estimator combination (the paper's legend).
 *
 * @example
 * ```ts
 * import { ESTIMATOR_LABELS } from "./palette.ts";
 * ESTIMATOR_LABELS.minibatch; // "Mini-batch gradient, mini-batch Hessian"
 * ```
 */
export const ESTIMATOR_LABELS: Readonly<Record<Estimator, string>> = {
  precise: "Precise gradient, precise Hessian",
  minibatch_gradient: "Mini-batch gradient, precise Hessian",
  minibatch: "Mini-batch gradient, mini-batch Hessian",
};

/**
 * Bar fill pattern of each estimator (Plotly `marker.pattern.shape`; the paper's plain, `///`,
 * `XXX` hatches).
 *
 * @example
 * ```ts
 * import { ESTIMATOR_PATTERNS } from "./palette.ts";
 * ESTIMATOR_PATTERNS.minibatch_gradient; // "/"
 * ```
 */
export const ESTIMATOR_PATTERNS: Readonly<Record<Estimator, string>> = {
  precise: "",
  minibatch_gradient: "/",
  minibatch: "x",
};

/**
 * Line dash of each estimator in line plots.
 *
 * @example
 * ```ts
 * import { ESTIMATOR_DASHES } from "./palette.ts";
 * ESTIMATOR_DASHES.minibatch; // "dot"
 * ```
 */
export const ESTIMATOR_DASHES: Readonly<Record<Estimator, string>> = {
  precise: "solid",
  minibatch_gradient: "dash",
  minibatch: "dot",
};

/**
 * Line dash of evaluation vs training-return curves.
 *
 * @example
 * ```ts
 * import { CURVE_KIND_DASHES } from "./palette.ts";
 * CURVE_KIND_DASHES.train; // "dot"
 * ```
 */
export const CURVE_KIND_DASHES: Readonly<Record<"eval" | "train", string>> = {
  eval: "solid",
  train: "dot",
};

/**
 * Colour of reference lines (random baseline k/N, t1 marker).
 *
 * @example
 * ```ts
 * import { REFERENCE_COLOR } from "./palette.ts";
 * REFERENCE_COLOR; // "#7F7F7F"
 * ```
 */
export const REFERENCE_COLOR = "#7F7F7F";

/**
 * Colours for an ordered family of series (k levels, eigenvalue indices, several runs); cycled.
 *
 * @example
 * ```ts
 * import { SEQUENTIAL_COLORS } from "./palette.ts";
 * SEQUENTIAL_COLORS.length; // 7
 * ```
 */
export const SEQUENTIAL_COLORS: readonly string[] = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#000000",
];

/**
 * Opacity of the mean ± std band fill.
 *
 * @example
 * ```ts
 * import { BAND_OPACITY } from "./palette.ts";
 * BAND_OPACITY; // 0.2
 * ```
 */
export const BAND_OPACITY = 0.2;

/**
 * The i-th colour of {@link SEQUENTIAL_COLORS}, cycling.
 *
 * @example
 * ```ts
 * import { sequentialColor } from "./palette.ts";
 * sequentialColor(7); // "#0072B2" (wraps around)
 * ```
 */
export function sequentialColor(i: number): string {
  const n = SEQUENTIAL_COLORS.length;
  return SEQUENTIAL_COLORS[((i % n) + n) % n];
}

/**
 * `#RRGGBB` → `rgba(r,g,b,alpha)` (band fills).
 *
 * @example
 * ```ts
 * import { withAlpha } from "./palette.ts";
 * withAlpha("#0072B2", 0.2); // "rgba(0,114,178,0.2)"
 * ```
 */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-fA-F]{6})$/.exec(hex);
  if (!m) throw new RangeError(`withAlpha: expected a colour like "#0072B2", got "${hex}"`);
  const v = parseInt(m[1], 16);
  return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
}
