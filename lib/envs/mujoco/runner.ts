/**
 * What HalfCheetah and Swimmer share (Gymnasium 1.3 gives them the same reward, observation and
 * reset; they differ in the model, the defaults, the reset's velocity noise and the info):
 *
 * - reward = `forward_reward_weight · Δx/dt − ctrl_cost_weight · Σ aᵢ²`, x = `qpos[0]`;
 * - never terminated (`makeEnv` truncates at 1000 steps);
 * - observation = `qpos[k:]` (k root positions left out unless
 *   `exclude_current_positions_from_observation` is false), then `qvel`;
 * - reset: `qpos = qpos0 + U(−s, s)`, `qvel = U(−s, s)` or `s · N(0, 1)`.
 *
 * @module
 */
import type { Generator } from "../../np_random/mod.ts";
import type { StepResult } from "../env.ts";
import type { Box } from "../spaces.ts";
import {
  checkMujocoOptions,
  MujocoEnv,
  observationBox,
  RUNNER_V4_OPTIONS,
  type RunnerOptions,
  withV5Options,
} from "./mujoco_env.ts";
import { controlCost } from "./reductions.ts";

/**
 * The task-specific part of a runner.
 *
 * @example
 * ```ts
 * import type { RunnerTask } from "./runner.ts";
 * const t: RunnerTask = {
 *   name: "Swimmer", xml: "swimmer.xml", frameSkip: 4, ctrlCostWeight: 1e-4,
 *   rootPositions: 2, velocityNoise: "uniform",
 * };
 * ```
 */
export interface RunnerTask {
  /** Task name, e.g. `"HalfCheetah"`. */
  name: string;
  /** Default model file. */
  xml: string;
  /** Default `frame_skip`. */
  frameSkip: number;
  /** Default `ctrl_cost_weight`. */
  ctrlCostWeight: number;
  /** How many leading `qpos` entries are root positions (left out of the observation). */
  rootPositions: number;
  /** The reset noise on `qvel`: `U(−s, s)` or `s · N(0, 1)`. */
  velocityNoise: "uniform" | "normal";
}

/**
 * Where the runner is after a step and what it earned, for the task's info.
 *
 * @example
 * ```ts
 * import type { RunnerStep } from "./runner.ts";
 * const s: RunnerStep = { x: 1, y: 0, xVelocity: 2, yVelocity: 0, forwardReward: 2, ctrlCost: 0.1 };
 * ```
 */
export interface RunnerStep {
  /** `qpos[0]` after the step. */
  x: number;
  /** `qpos[1]` after the step. */
  y: number;
  /** Δx / dt. */
  xVelocity: number;
  /** Δy / dt. */
  yVelocity: number;
  /** `forward_reward_weight · Δx / dt`. */
  forwardReward: number;
  /** `ctrl_cost_weight · Σ aᵢ²`. */
  ctrlCost: number;
}

/**
 * Base class of HalfCheetah and Swimmer (see the module doc); subclasses name their info.
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { HalfCheetahEnv } from "./half_cheetah.ts";
 * await loadMujoco();
 * const env = new HalfCheetahEnv("v4");
 * env.observationSpace.size; // 17: the root x is left out
 * env.close();
 * ```
 */
export abstract class RunnerEnv extends MujocoEnv {
  /** `"v4"` or `"v5"`. */
  readonly version: "v4" | "v5";
  /** Box(−inf, inf, (nq − k + nv,), float64), k root positions left out (0 when included). */
  readonly observationSpace: Box;
  readonly #forwardWeight: number;
  readonly #ctrlWeight: number;
  readonly #noise: number;
  readonly #velocityNoise: "uniform" | "normal";
  readonly #skip: number;

  /** Validates the options and builds the env. */
  constructor(task: RunnerTask, version: "v4" | "v5", options: RunnerOptions) {
    const id = `${task.name}-${version}`;
    checkMujocoOptions(
      id,
      options,
      version === "v4" ? RUNNER_V4_OPTIONS : withV5Options(RUNNER_V4_OPTIONS),
    );
    super(id, options.xml_file ?? task.xml, options.frame_skip ?? task.frameSkip);
    this.version = version;
    this.#forwardWeight = options.forward_reward_weight ?? 1;
    this.#ctrlWeight = options.ctrl_cost_weight ?? task.ctrlCostWeight;
    this.#noise = options.reset_noise_scale ?? 0.1;
    this.#velocityNoise = task.velocityNoise;
    this.#skip = (options.exclude_current_positions_from_observation ?? true)
      ? task.rootPositions
      : 0;
    this.observationSpace = observationBox(this.nq + this.nv - this.#skip);
  }

  /** One step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const tracked = this.simulateTracking(action, "qpos", 0);
    const forwardReward = this.#forwardWeight * tracked.xVelocity;
    const ctrlCost = controlCost(this.#ctrlWeight, action);
    return {
      obs: this.observation(),
      reward: forwardReward - ctrlCost,
      terminated: false,
      truncated: false,
      info: this.stepInfo({ ...tracked, forwardReward, ctrlCost }),
    };
  }

  /** The task's step info (Gymnasium's names for the reward terms and positions). */
  protected abstract stepInfo(step: RunnerStep): Record<string, unknown>;

  /** `qpos = qpos0 + U(−s, s)`, then `qvel = 0 + U(−s, s)` or `0 + s · N(0, 1)`. */
  protected resetModel(rng: Generator): Float64Array {
    return this.resetWithNoise(rng, this.#noise, this.#velocityNoise);
  }

  /** `qpos[skip:]` then `qvel`. */
  protected observation(): Float64Array {
    return this.jointObservation(this.observationSpace.size, this.#skip);
  }
}
