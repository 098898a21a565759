/**
 * {@linkcode MujocoEnv}: what the six MuJoCo tasks share, with the semantics of Gymnasium 1.3's
 * `MujocoEnv`.
 *
 * - The model is compiled from MJCF (ours in `data/mujoco/`, or the `xml_file` option); envs built
 *   from the same file share one compiled `mjModel` (read-only while simulating) and each owns an
 *   `mjData`. `close()` frees them (a finalizer frees them too if an env is dropped unclosed).
 * - `doSimulation(action)` is Gymnasium's `do_simulation`: `ctrl ← action` (float64), `frame_skip`
 *   calls of `mj_step`, then `mj_rnePostConstraint` (which fills `cfrc_ext`, the contact forces
 *   Ant observes). `dt = timestep · frame_skip`.
 * - `reset()` is `mj_resetData` (time, warm start and controls to zero) followed by the task's
 *   `resetModel`, which samples `qpos`, `qvel` and calls `setPhysicalState(qpos, qvel)`
 *   (Gymnasium's `set_state`: copy, then `mj_forward`).
 * - `getState()` snapshots the integration state exactly (`mj_getState` with
 *   `mjSTATE_INTEGRATION`: time, qpos, qvel, act, warm start, controls, applied forces, ...) plus
 *   `xpos`, the body positions of the last forward pass, which Ant and Reacher-v4 read before
 *   simulating; `setState` restores both, so a restored env continues bit for bit.
 * - Observations are fresh `Float64Array`s (Gymnasium's MuJoCo observation spaces are float64).
 *   A `Float32Array` action is costed in float32, as NumPy does for a float32 action; any other
 *   array in float64.
 *
 * @module
 */
import type { MjData, MjModel } from "@mujoco/mujoco";
import type { Generator } from "../../np_random/mod.ts";
import {
  BaseEnv,
  checkOptions,
  describe,
  type EnvState,
  type JsonValue,
  type OptionCheck,
  optionChecks,
  type ResetOptions,
  type ResetResult,
} from "../env.ts";
import { sharedArrayPool } from "../pool.ts";
import { Box } from "../spaces.ts";
import { type DataViews, LiveData, type Mujoco, mujoco, physicsState } from "./runtime.ts";

/** Folder of our MJCF models. */
const MODEL_DIR = new URL("../../../data/mujoco/", import.meta.url);

/**
 * Resolves a model file like Gymnasium's `expand_model_path`: a path starting with `.` or `/` is
 * used as given, `~` is the home directory, anything else is a file in `data/mujoco/`.
 *
 * @example
 * ```ts
 * import { modelPath } from "./mujoco_env.ts";
 * modelPath("ant.xml"); // ".../data/mujoco/ant.xml"
 * modelPath("./my_ant.xml"); // "./my_ant.xml"
 * ```
 */
export function modelPath(xmlFile: string): string {
  if (xmlFile.startsWith(".") || xmlFile.startsWith("/")) return xmlFile;
  if (xmlFile.startsWith("~")) {
    const home = Deno.env.get("HOME") ?? "";
    return home + xmlFile.slice(1);
  }
  return new URL(xmlFile, MODEL_DIR).pathname;
}

/** One compiled model per MJCF text, shared by the envs that use it (reference counted). */
const models = new Map<string, { model: MjModel; refs: number }>();

function acquireModel(mj: Mujoco, who: string, path: string): { model: MjModel; key: string } {
  let xml: string;
  try {
    xml = Deno.readTextFileSync(path);
  } catch (e) {
    throw new Error(
      `${who}: cannot read the MuJoCo model ${path} (${(e as Error).message}); pass an existing ` +
        `MJCF file as xml_file (names without a path are looked up in data/mujoco/)`,
    );
  }
  const cached = models.get(xml);
  if (cached !== undefined) {
    cached.refs++;
    return { model: cached.model, key: xml };
  }
  let model: MjModel;
  try {
    model = mj.MjModel.from_xml_string(xml);
  } catch (e) {
    const message = String((e as Error).message ?? e).replace(/\s+/g, " ").trim();
    throw new Error(`${who}: cannot compile the MuJoCo model ${path}: ${message}`);
  }
  models.set(xml, { model, refs: 1 });
  return { model, key: xml };
}

function releaseModel(key: string): void {
  const entry = models.get(key);
  if (entry === undefined) return;
  if (--entry.refs === 0) {
    models.delete(key);
    entry.model.delete();
  }
}

// Frees what an env that was never closed still holds.
const finalizer = new FinalizationRegistry<{ data: MjData; key: string }>((held) => {
  held.data.delete();
  releaseModel(held.key);
});

/**
 * Options every v5 task takes (Gymnasium's `MujocoEnv` arguments; Ant-v4 also has `xml_file`).
 *
 * @example
 * ```ts
 * import type { MujocoBaseOptions } from "./mujoco_env.ts";
 * const o: MujocoBaseOptions = { xml_file: "./my_hopper.xml", frame_skip: 2 };
 * ```
 */
export interface MujocoBaseOptions {
  /** MJCF file: a name in `data/mujoco/`, or a path starting with `.`, `/` or `~`. */
  xml_file?: string;
  /** Simulation steps per environment step. */
  frame_skip?: number;
}

/**
 * Options of the runners that share Gymnasium's forward-minus-control-cost reward (HalfCheetah,
 * Swimmer: `runner.ts`; Gymnasium's keyword arguments, `xml_file` and `frame_skip` v5 only).
 * Defaults differ per task (see its module doc).
 *
 * @example
 * ```ts
 * import type { RunnerOptions } from "./mujoco_env.ts";
 * const o: RunnerOptions = { ctrl_cost_weight: 0.05, reset_noise_scale: 0 };
 * ```
 */
export interface RunnerOptions extends MujocoBaseOptions {
  /** Weight of the forward reward (default 1). */
  forward_reward_weight?: number;
  /** Weight of the control cost. */
  ctrl_cost_weight?: number;
  /** Scale of the initial-state noise. */
  reset_noise_scale?: number;
  /** Leave the root position(s) out of the observation (default true). */
  exclude_current_positions_from_observation?: boolean;
}

/**
 * Option validators shared by the MuJoCo tasks.
 *
 * @example
 * ```ts
 * import { mujocoOptionChecks } from "./mujoco_env.ts";
 * mujocoOptionChecks.range([0.2, 1]); // null (fine)
 * mujocoOptionChecks.range([1, 0.2]); // "must be [low, high] with low <= high"
 * ```
 */
export const mujocoOptionChecks = {
  /** A finite number. */
  number: optionChecks.finiteNumber,
  /** true or false. */
  boolean: optionChecks.boolean,
  /** A positive integer. */
  positiveInteger: optionChecks.positiveInteger,
  /** `[low, high]`: two numbers (infinite allowed), low <= high. */
  range: (v: unknown): string | null =>
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number" && !isNaN(x)) &&
      v[0] <= v[1]
      ? null
      : "must be [low, high] with low <= high",
  /** A non-empty file name or path. */
  file: (v: unknown): string | null =>
    typeof v === "string" && v.length > 0 ? null : "must be a file name or path",
} satisfies Record<string, OptionCheck>;

/**
 * The validators of {@linkcode RunnerOptions} in v4 (v5 adds {@linkcode withV5Options}).
 *
 * @example
 * ```ts
 * import { RUNNER_V4_OPTIONS } from "./mujoco_env.ts";
 * Object.keys(RUNNER_V4_OPTIONS).length; // 4
 * ```
 */
export const RUNNER_V4_OPTIONS: Record<string, OptionCheck> = {
  forward_reward_weight: mujocoOptionChecks.number,
  ctrl_cost_weight: mujocoOptionChecks.number,
  reset_noise_scale: mujocoOptionChecks.number,
  exclude_current_positions_from_observation: mujocoOptionChecks.boolean,
};

/**
 * A task's v4 validators plus v5's `xml_file` and `frame_skip`.
 *
 * @example
 * ```ts
 * import { RUNNER_V4_OPTIONS, withV5Options } from "./mujoco_env.ts";
 * "frame_skip" in withV5Options(RUNNER_V4_OPTIONS); // true
 * ```
 */
export function withV5Options(v4: Record<string, OptionCheck>): Record<string, OptionCheck> {
  return {
    ...v4,
    xml_file: mujocoOptionChecks.file,
    frame_skip: mujocoOptionChecks.positiveInteger,
  };
}

/**
 * Gymnasium's rendering keyword arguments, rejected with a message that says why.
 *
 * @example
 * ```ts
 * import { RENDERING_OPTIONS } from "./mujoco_env.ts";
 * RENDERING_OPTIONS.includes("render_mode"); // true
 * ```
 */
export const RENDERING_OPTIONS: readonly string[] = [
  "render_mode",
  "width",
  "height",
  "camera_id",
  "camera_name",
  "default_camera_config",
  "max_geom",
  "visual_options",
];

/**
 * Validates `options` against `checks`; Gymnasium's rendering options get their own message.
 *
 * @example
 * ```ts
 * import { checkMujocoOptions, mujocoOptionChecks } from "./mujoco_env.ts";
 * checkMujocoOptions("Swimmer-v5", { frame_skip: 2 }, { frame_skip: mujocoOptionChecks.positiveInteger });
 * ```
 */
export function checkMujocoOptions(
  id: string,
  options: unknown,
  checks: Record<string, OptionCheck>,
): void {
  if (options !== null && typeof options === "object") {
    const rendering = Object.keys(options).find((k) => RENDERING_OPTIONS.includes(k));
    if (rendering !== undefined) {
      throw new TypeError(
        `${id}: option "${rendering}" is a rendering option; pgsubspace environments do not ` +
          `render (remove it)`,
      );
    }
  }
  checkOptions(id, options, checks);
}

/**
 * Base class of the MuJoCo tasks (see the module doc). Subclasses set `observationSpace`,
 * implement `resetModel` (sample and set the initial state, return the first observation) and
 * `stepPhysics`, and may override `resetInfo`.
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { HalfCheetahEnv } from "./half_cheetah.ts";
 * await loadMujoco();
 * const env = new HalfCheetahEnv("v5");
 * env.reset({ seed: 0 });
 * env.dt; // 0.05
 * env.close();
 * ```
 */
export abstract class MujocoEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string;
  /** Simulation steps per environment step. */
  readonly frameSkip: number;
  /** Environment time step: `model.opt.timestep · frameSkip`. */
  readonly dt: number;
  /** Position coordinates. */
  readonly nq: number;
  /** Degrees of freedom. */
  readonly nv: number;
  /** Actuators. */
  readonly nu: number;
  /** Bodies, including the world body. */
  readonly nbody: number;
  /** `qpos` after `mjData` creation (`qpos0`), Gymnasium's `init_qpos`. */
  readonly initQpos: Float64Array;
  /** Zero velocities, Gymnasium's `init_qvel`. */
  readonly initQvel: Float64Array;
  /** Box(ctrlrange low, ctrlrange high) as float32, as Gymnasium builds it. */
  readonly actionSpace: Box;
  /** The model file this env was built from. */
  readonly modelFile: string;

  readonly #mj: Mujoco;
  readonly #model: MjModel;
  readonly #live: LiveData;
  readonly #modelKey: string;
  readonly #token = {};
  readonly #stateSpec: number;

  /**
   * Loads the model and creates the data.
   *
   * @param id the registered id, for messages and snapshots.
   * @param xmlFile the `xml_file` option or the task's default model.
   * @param frameSkip simulation steps per environment step.
   */
  constructor(id: string, xmlFile: string, frameSkip: number) {
    super();
    this.id = id;
    this.#mj = mujoco(id);
    this.modelFile = modelPath(xmlFile);
    const { model, key } = acquireModel(this.#mj, id, this.modelFile);
    this.#model = model;
    this.#modelKey = key;
    const data = new this.#mj.MjData(model);
    this.#live = new LiveData(data, id);
    finalizer.register(this, { data, key }, this.#token);
    this.frameSkip = frameSkip;
    const opt = model.opt;
    this.dt = opt.timestep * frameSkip;
    opt.delete();
    this.nq = model.nq;
    this.nv = model.nv;
    this.nu = model.nu;
    this.nbody = model.nbody;
    this.initQpos = this.#live.views.qpos.slice();
    this.initQvel = this.#live.views.qvel.slice();
    const range = model.actuator_ctrlrange as Float64Array;
    const low = new Float32Array(this.nu), high = new Float32Array(this.nu);
    for (let i = 0; i < this.nu; i++) {
      low[i] = range[2 * i];
      high[i] = range[2 * i + 1];
    }
    this.actionSpace = new Box({ low, high });
    this.#stateSpec = this.#mj.mjtState.mjSTATE_INTEGRATION.value;
  }

  /** The compiled model (shared with other envs built from the same file; do not delete it). */
  get model(): MjModel {
    this.#live.data;
    return this.#model;
  }

  /** The simulation data (owned by this env; do not delete it). */
  get data(): MjData {
    return this.#live.data;
  }

  /** Live views of qpos, qvel, act, ctrl, xpos and cfrc_ext (valid until the heap next grows). */
  protected get views(): DataViews {
    return this.#live.views;
  }

  /** Gymnasium's `state_vector()`: qpos then qvel. */
  stateVector(): Float64Array {
    const { qpos, qvel } = this.views;
    const out = new Float64Array(this.nq + this.nv);
    out.set(qpos);
    out.set(qvel, this.nq);
    return out;
  }

  /**
   * Gymnasium's `set_state(qpos, qvel)`: copies both, then `mj_forward`; returns the observation
   * of the new state. The env must still be reset once before stepping.
   */
  setPhysicalState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): Float64Array {
    const bad = (x: ArrayLike<number>, n: number) =>
      x === null || typeof x !== "object" || x.length !== n ||
      !Array.from({ length: n }, (_, i) => x[i]).every(Number.isFinite);
    if (bad(qpos, this.nq) || bad(qvel, this.nv)) {
      throw new TypeError(
        `${this.id}.setPhysicalState: expected qpos of ${this.nq} and qvel of ${this.nv} finite ` +
          `numbers, got ${describe(qpos)} and ${describe(qvel)}`,
      );
    }
    const v = this.views;
    v.qpos.set(qpos);
    v.qvel.set(qvel);
    this.#mj.mj_forward(this.#model, this.#live.data);
    return this.observation();
  }

  /** Starts an episode; the info is the task's reset info (empty for v4, as in Gymnasium). */
  override reset(opts: ResetOptions = {}): ResetResult {
    const r = super.reset(opts);
    r.info = this.resetInfo();
    return r;
  }

  /** Frees the data and releases the model. Idempotent; the env is unusable afterwards. */
  override close(): void {
    if (this.#live.closed) return;
    finalizer.unregister(this.#token);
    this.#live.close();
    releaseModel(this.#modelKey);
  }

  /** `mj_resetData`, then the task's {@linkcode MujocoEnv.resetModel}. */
  protected resetPhysics(rng: Generator, options: ResetOptions["options"]): Float64Array {
    checkOptions(`${this.id}.reset`, options, {});
    this.#mj.mj_resetData(this.#model, this.#live.data);
    return this.resetModel(rng);
  }

  /**
   * Gymnasium's `do_simulation`: sets the controls (`step` has checked the action), runs
   * `frameSkip` steps and `mj_rnePostConstraint`.
   */
  protected doSimulation(action: ArrayLike<number>): void {
    const mj = this.#mj, model = this.#model, data = this.#live.data;
    const ctrl = this.views.ctrl;
    for (let i = 0; i < this.nu; i++) ctrl[i] = action[i];
    for (let k = 0; k < this.frameSkip; k++) mj.mj_step(model, data);
    mj.mj_rnePostConstraint(model, data);
  }

  /**
   * Gymnasium's `do_simulation` while tracking a point in the plane: reads `(x, y)` at
   * `views[source][index..index + 1]` (`qpos`, or `xpos` for a body) before and after, and returns
   * the position after and the velocity Δ/dt.
   */
  protected simulateTracking(
    action: ArrayLike<number>,
    source: "qpos" | "xpos",
    index: number,
  ): { x: number; y: number; xVelocity: number; yVelocity: number } {
    let at = this.views[source];
    const xBefore = at[index], yBefore = at[index + 1];
    this.doSimulation(action);
    at = this.views[source];
    const x = at[index], y = at[index + 1];
    return { x, y, xVelocity: (x - xBefore) / this.dt, yVelocity: (y - yBefore) / this.dt };
  }

  /**
   * Gymnasium's noisy initial state: `qpos = qpos0 + U(−s, s)` (nq draws), then
   * `qvel = 0 + U(−s, s)` or `0 + s · N(0, 1)` (nv draws); sets it (`set_state`) and returns the
   * observation.
   */
  protected resetWithNoise(
    rng: Generator,
    s: number,
    velocityNoise: "uniform" | "normal",
  ): Float64Array {
    const qpos = this.initQpos.map((q) => q + rng.uniform(-s, s));
    const qvel = velocityNoise === "uniform"
      ? this.initQvel.map((v) => v + rng.uniform(-s, s))
      : this.initQvel.map((v) => v + s * rng.standardNormal());
    return this.setPhysicalState(qpos, qvel);
  }

  /**
   * A fresh observation of `size` elements: `qpos[skip:]`, then `qvel` (clipped to ±`clip`), then
   * zeros for the caller to fill.
   */
  protected jointObservation(size: number, skip: number, clip = Infinity): Float64Array {
    const { qpos, qvel } = this.views;
    const obs = sharedArrayPool.float64(size);
    obs.set(skip ? qpos.subarray(skip) : qpos);
    const base = this.nq - skip;
    if (clip === Infinity) obs.set(qvel, base);
    else {
      for (let i = 0; i < qvel.length; i++) {
        const v = qvel[i];
        obs[base + i] = v < -clip ? -clip : v > clip ? clip : v;
      }
    }
    return obs;
  }

  /** Samples the initial state (calling `setPhysicalState`) and returns the first observation. */
  protected abstract resetModel(rng: Generator): Float64Array;
  /** The observation of the current state. */
  protected abstract observation(): Float64Array;
  /** The info `reset` returns (Gymnasium's `_get_reset_info`); empty by default. */
  protected resetInfo(): Record<string, unknown> {
    return {};
  }

  /** The integration state (`mjSTATE_INTEGRATION`) and the last forward pass's body positions. */
  protected getPhysicsState(): EnvState {
    const state = physicsState(this.#mj, this.#model, this.#live.data, this.#stateSpec);
    return {
      model: this.modelFile,
      frameSkip: this.frameSkip,
      integration: finiteJson(state, this.id),
      xpos: finiteJson(Array.from(this.views.xpos), this.id),
    };
  }

  /** Restores {@linkcode MujocoEnv.getPhysicsState}'s snapshot (same model and frame skip). */
  protected setPhysicsState(s: EnvState): void {
    if (s.model !== this.modelFile || s.frameSkip !== this.frameSkip) {
      throw new RangeError(
        `${this.id}.setState: the state was taken with model ${describe(s.model)} and frame_skip ` +
          `${describe(s.frameSkip)}, this env has ${this.modelFile} and ${this.frameSkip}; ` +
          `restore into an env made with the same options`,
      );
    }
    const mj = this.#mj, model = this.#model, data = this.#live.data;
    const size = mj.mj_stateSize(model, this.#stateSpec);
    const numbers = (x: JsonValue, n: number): x is number[] =>
      Array.isArray(x) && x.length === n && x.every((v) => typeof v === "number" && isFinite(v));
    if (!numbers(s.integration, size) || !numbers(s.xpos, 3 * this.nbody)) {
      throw new TypeError(
        `${this.id}.setState: malformed physics state (integration must have ${size} finite ` +
          `numbers, xpos ${3 * this.nbody})`,
      );
    }
    mj.mj_setState(model, data, s.integration, this.#stateSpec);
    this.views.xpos.set(s.xpos);
  }
}

/**
 * Gymnasium's MuJoCo observation space: `Box(-inf, inf, (size,), float64)`.
 *
 * @example
 * ```ts
 * import { observationBox } from "./mujoco_env.ts";
 * observationBox(17).toString(); // "Box(-inf, inf, (17,), float64)"
 * ```
 */
export function observationBox(size: number): Box {
  return new Box({ low: -Infinity, high: Infinity, shape: [size], dtype: "float64" });
}

function finiteJson(values: number[], id: string): number[] {
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new RangeError(`${id}.getState: the physics state holds ${v}; it cannot be saved`);
    }
  }
  return values;
}

/**
 * Gymnasium's planar position info: `x_position`, `y_position` and `distance_from_origin`
 * (‖(x, y)‖).
 *
 * @example
 * ```ts
 * import { planarPositionInfo } from "./mujoco_env.ts";
 * planarPositionInfo(3, 4).distance_from_origin; // 5
 * ```
 */
export function planarPositionInfo(
  x: number,
  y: number,
): { x_position: number; y_position: number; distance_from_origin: number } {
  return { x_position: x, y_position: y, distance_from_origin: Math.sqrt(x * x + y * y) };
}

/**
 * Looks up a body by id (an integer) or name, as Gymnasium's `data.body(main_body)`.
 *
 * @example
 * ```ts
 * import { loadMujoco } from "./runtime.ts";
 * import { bodyId } from "./mujoco_env.ts";
 * import { AntEnv } from "./ant.ts";
 * await loadMujoco();
 * const env = new AntEnv("v5");
 * bodyId(env, "torso"); // 1
 * ```
 */
export function bodyId(env: MujocoEnv, body: number | string): number {
  const mj = mujoco(env.id);
  const id = typeof body === "number"
    ? body
    : mj.mj_name2id(env.model, mj.mjtObj.mjOBJ_BODY.value, body);
  if (!Number.isSafeInteger(id) || id < 0 || id >= env.nbody) {
    throw new RangeError(
      `${env.id}: no body ${describe(body)} in ${env.modelFile} (${env.nbody} bodies, ids ` +
        `0..${env.nbody - 1}); give a body name or id`,
    );
  }
  return id;
}
