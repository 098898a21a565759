/**
 * The SAC engine tests' small problem: ragged sizes on purpose (batch 13, widths 7 and 5, 3
 * action dimensions, so every kernel has tails) and one set of gradient-step coefficients.
 *
 * @module
 */
import type { SacStepCoefficients } from "../../../lib/agents/sac/engine.ts";

/** Observation and action dimensions, hidden widths and batch size. */
export const OBS = 4, ACT = 3, HIDDEN = [7, 5], B = 13;

/** Gradient-step coefficients with automatic entropy tuning and Polyak averaging. */
export const COEFS: SacStepCoefficients = {
  gamma: 0.97,
  learningRate: 1e-3,
  tau: 0.05,
  polyak: true,
  entCoef: "auto",
  targetEntropy: -ACT,
};
