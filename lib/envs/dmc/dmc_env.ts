/**
 * {@linkcode DmcEnv}: a DeepMind Control Suite task (dm_control 1.0.44) as the paper used it,
 * through dmc2gym: `control.Environment` with the suite's `base.Task`, wrapped as a Gymnasium
 * environment.
 *
 * - **Model.** Each env compiles its own copy of our MJCF in `data/dmc/` (tasks change model
 *   fields when an episode starts, so envs never share one).
 * - **Seeding.** The task draws its initial state from numpy's legacy `RandomState` (MT19937), as
 *   dm_control's `task.random`: `reset({ seed })` makes a fresh `RandomState(seed)` (seed in
 *   [0, 2³² − 1]; the first episode is then `suite.load(domain, task, task_kwargs={"random":
 *   seed})`'s first episode), `reset()` continues the stream (dm_control's next episode), and an
 *   env never seeded uses OS entropy, as `RandomState(None)`.
 * - **Reset** (`Environment.reset` in `Physics.reset_context`): `mj_resetData`, `mj_forward` with
 *   actuation disabled, the task's `initialize_episode` (model fields, random state; rejection
 *   sampling calls `mj_forward` without actuation after every draw and retries while
 *   `ncon > 0`), then `mj_forward` without actuation again. The observation is read from that.
 * - **Step** (legacy `Physics.step(n_sub_steps)`): `ctrl ← action`, then `mj_step2`, `mj_step`
 *   n − 1 times and `mj_step1`, so positions, velocities and their sensors match the new state;
 *   acceleration-stage sensors (touch) are those of the last `mj_step`'s forward pass. Reward and
 *   observation are read after that. `n_sub_steps = round(control_timestep / timestep)`; the step
 *   limit is `time_limit / (timestep · n_sub_steps)` = 1000 for 20 s (dm_control ends the episode
 *   there with discount 1: `truncated`, never `terminated`). Info: `discount` (1) and `step_type`
 *   (dm_env's 0 FIRST at reset, 1 MID, 2 LAST at the limit).
 * - **Actions** (dmc2gym): `Box(−1, 1, float32)`; an action a is mapped to the action spec
 *   [min, max] (the actuators' ctrlrange) as `float32(((a + 1) / 2) · (max − min) + min)`, and
 *   actions outside [−1, 1] are rejected, as dmc2gym asserts. With `normalize_actions: false` the
 *   env takes dm_control's own actions: `Box(min, max, float64)`, copied to `ctrl` unchanged
 *   (MuJoCo clamps them to ctrlrange).
 * - **Observations**: dm_control's observation dict flattened in its order (dmc2gym), float64,
 *   `Box(−inf, inf)`; {@linkcode DmcEnv.observationKeys} names the parts.
 * - **Snapshots**: `getState()` holds the integration state (`mj_getState` with
 *   `mjSTATE_INTEGRATION`: time, qpos, qvel, warm start, controls, ...), `sensordata`, the model
 *   fields the task changes, the step count and the `RandomState`; `setState` restores them and
 *   recomputes the position and velocity stages (`mj_step1`), so the env continues bit for bit.
 * - **Physics errors**: when MuJoCo meets a bad position, velocity or acceleration it resets the
 *   simulation and counts a warning; dm_control then raises `PhysicsError`, and so does `step`
 *   here (checked through the simulation time, which such a reset sets back, and the warning
 *   counters on an episode's first step).
 *
 * @module
 */
import type { MjData, MjModel, MjOption } from "@mujoco/mujoco";
import { type Generator, RandomState, type RandomStateState } from "../../np_random/mod.ts";
import {
  BaseEnv,
  describe,
  type EnvState,
  type JsonValue,
  optionChecks,
  type ResetOptions,
  type ResetResult,
  type StepResult,
} from "../env.ts";
import { checkMujocoOptions, observationBox } from "../mujoco/mujoco_env.ts";
import { type DataViews, LiveData, type Mujoco, mujoco, physicsState } from "../mujoco/runtime.ts";
import { Box } from "../spaces.ts";

/** Folder of our DeepMind Control MJCF models. */
const MODEL_DIR = new URL("../../../data/dmc/", import.meta.url);

/** Compiled models per file; each env works on its own copy (`new MjModel(template)`). */
const templates = new Map<string, MjModel>();

function templateModel(mj: Mujoco, who: string, file: string): MjModel {
  const path = new URL(file, MODEL_DIR).pathname;
  let model = templates.get(path);
  if (model !== undefined) return model;
  try {
    model = mj.MjModel.from_xml_string(Deno.readTextFileSync(path));
  } catch (e) {
    const message = String((e as Error).message ?? e).replace(/\s+/g, " ").trim();
    throw new Error(`${who}: cannot load the MuJoCo model ${path}: ${message}`);
  }
  templates.set(path, model);
  return model;
}

// Frees what an env that was never closed still holds.
const finalizer = new FinalizationRegistry<{ model: MjModel; data: MjData; opt: MjOption }>(
  (held) => {
    held.opt.delete();
    held.data.delete();
    held.model.delete();
  },
);

/**
 * Options every DeepMind Control task takes.
 *
 * @example
 * ```ts
 * import type { DmcOptions } from "./dmc_env.ts";
 * const o: DmcOptions = { time_limit: 10, normalize_actions: false };
 * ```
 */
export interface DmcOptions {
  /** Episode length in seconds (dm_control's `time_limit`, default 20 s = 1000 steps). */
  time_limit?: number;
  /** dmc2gym's actions in [−1, 1] cast to float32 (default true), else dm_control's own. */
  normalize_actions?: boolean;
}

const OPTION_CHECKS = {
  time_limit: (v: unknown) =>
    typeof v === "number" && v > 0 ? null : "must be a positive number of seconds (or Infinity)",
  normalize_actions: optionChecks.boolean,
};

/**
 * One part of a flattened DeepMind Control observation: its key in dm_control's observation dict
 * and its number of elements.
 *
 * @example
 * ```ts
 * import type { ObservationKey } from "./dmc_env.ts";
 * const touch: ObservationKey = { key: "touch", size: 2 };
 * ```
 */
export interface ObservationKey {
  /** Key in dm_control's observation `OrderedDict`. */
  key: string;
  /** Number of elements (flattened). */
  size: number;
}

/**
 * What a task passes to {@linkcode DmcEnv}'s constructor.
 *
 * @example
 * ```ts
 * import type { DmcTaskSpec } from "./dmc_env.ts";
 * const spec: DmcTaskSpec = {
 *   id: "dmc_Ball_in_cup-catch-v1", domain: "ball_in_cup", task: "catch", xmlFile: "ball_in_cup.xml",
 *   controlTimestep: 0.02, observationKeys: [{ key: "position", size: 4 }, { key: "velocity", size: 4 }],
 *   modelFields: [],
 * };
 * ```
 */
export interface DmcTaskSpec {
  /** Registered id (the paper's dmc2gym id). */
  id: string;
  /** dm_control domain name, e.g. `"finger"`. */
  domain: string;
  /** dm_control task name, e.g. `"spin"`. */
  task: string;
  /** Model file in `data/dmc/`. */
  xmlFile: string;
  /** Seconds between agent actions (the task module's `_CONTROL_TIMESTEP`). */
  controlTimestep: number;
  /** The observation dict's keys and sizes, in order. */
  observationKeys: readonly ObservationKey[];
  /** `mjModel` array fields the task changes in `initialize_episode` (saved in snapshots). */
  modelFields: readonly string[];
}

/**
 * Base class of the DeepMind Control tasks (see the module doc). A task implements
 * `initializeEpisode` (dm_control's `Task.initialize_episode`), `observation` and `reward`.
 *
 * @example
 * ```ts
 * import { loadMujoco } from "../mujoco/runtime.ts";
 * import { FingerSpinEnv } from "./finger.ts";
 * await loadMujoco();
 * const env = new FingerSpinEnv();
 * env.reset({ seed: 0 });
 * env.nSubSteps; // 2
 * env.step(new Float32Array([0.5, -0.5])).info; // { discount: 1, step_type: 1 }
 * env.close();
 * ```
 */
export abstract class DmcEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string;
  /** dm_control domain name. */
  readonly domain: string;
  /** dm_control task name. */
  readonly task: string;
  /** Physics time step in seconds (`model.opt.timestep`). */
  readonly physicsTimestep: number;
  /** Seconds between agent actions: `physicsTimestep · nSubSteps`. */
  readonly controlTimestep: number;
  /** Physics steps per agent step. */
  readonly nSubSteps: number;
  /** Episode length in seconds. */
  readonly timeLimit: number;
  /** Agent steps per episode: `timeLimit / controlTimestep` (dm_control's `_step_limit`). */
  readonly stepLimit: number;
  /** The observation dict's keys and sizes, in flattening order. */
  readonly observationKeys: readonly ObservationKey[];
  /** Box(−inf, inf, (n,), float64). */
  readonly observationSpace: Box;
  /** Box(−1, 1, float32) (dmc2gym), or dm_control's action spec with `normalize_actions: false`. */
  readonly actionSpace: Box;
  /** dm_control's action spec bounds (the actuators' ctrlrange; ±inf where unlimited). */
  readonly actionSpec: { minimum: Float64Array; maximum: Float64Array };
  /** True when actions are dmc2gym's normalised float32 ones. */
  readonly normalizeActions: boolean;
  /** Position coordinates. */
  readonly nq: number;
  /** Degrees of freedom. */
  readonly nv: number;
  /** Actuators. */
  readonly nu: number;

  readonly #mj: Mujoco;
  readonly #model: MjModel;
  readonly #live: LiveData;
  readonly #opt: MjOption;
  readonly #token = {};
  readonly #modelFields: readonly string[];
  readonly #actionText: string;
  readonly #stateSpec: number;
  readonly #rk4: boolean;
  readonly #actuationOff: number;
  readonly #ctrlLow: Float64Array;
  readonly #ctrlDelta: Float64Array;
  readonly #jointLimited: boolean[];
  #random: RandomState | null = null;
  #pendingSeed: number | undefined;
  #stepCount = 0;
  #warningsAtReset: number[] = [];

  /**
   * Loads the task's model and creates its data.
   *
   * @param spec the task's description.
   * @param options the env options (validated here).
   */
  constructor(spec: DmcTaskSpec, options: DmcOptions = {}) {
    super();
    checkMujocoOptions(spec.id, options, OPTION_CHECKS);
    this.id = spec.id;
    this.domain = spec.domain;
    this.task = spec.task;
    this.#mj = mujoco(spec.id);
    this.#model = new this.#mj.MjModel(templateModel(this.#mj, spec.id, spec.xmlFile));
    const data = new this.#mj.MjData(this.#model);
    this.#live = new LiveData(data, spec.id);
    this.#opt = this.#model.opt;
    finalizer.register(this, { model: this.#model, data, opt: this.#opt }, this.#token);
    this.#modelFields = [...spec.modelFields];
    this.physicsTimestep = this.#opt.timestep;
    this.nSubSteps = nSubSteps(spec.controlTimestep, this.physicsTimestep);
    this.controlTimestep = this.physicsTimestep * this.nSubSteps;
    this.timeLimit = options.time_limit ?? 20;
    this.stepLimit = this.timeLimit / this.controlTimestep;
    this.#rk4 = this.#opt.integrator === this.#mj.mjtIntegrator.mjINT_RK4.value;
    this.#actuationOff = this.#mj.mjtDisableBit.mjDSBL_ACTUATION.value;
    this.#stateSpec = this.#mj.mjtState.mjSTATE_INTEGRATION.value;
    this.nq = this.#model.nq;
    this.nv = this.#model.nv;
    this.nu = this.#model.nu;

    this.observationKeys = spec.observationKeys.map((k) => ({ ...k }));
    this.observationSpace = observationBox(
      spec.observationKeys.reduce((n, k) => n + k.size, 0),
    );
    // (boolean model arrays are only readable through the element accessors)
    const limited = (acc: { delete(): void }, key: string) => {
      const value = (acc as unknown as Record<string, unknown>)[key] === true;
      acc.delete();
      return value;
    };
    const range = this.#model.actuator_ctrlrange as Float64Array;
    const minimum = new Float64Array(this.nu), maximum = new Float64Array(this.nu);
    for (let i = 0; i < this.nu; i++) {
      const bounded = limited(this.#model.actuator(i), "ctrllimited");
      minimum[i] = bounded ? range[2 * i] : -Infinity;
      maximum[i] = bounded ? range[2 * i + 1] : Infinity;
    }
    this.#jointLimited = Array.from(
      { length: this.#model.njnt },
      (_, j) => limited(this.#model.jnt(j), "limited"),
    );
    this.actionSpec = { minimum, maximum };
    this.normalizeActions = options.normalize_actions ?? true;
    // dmc2gym's true action space is float32: its bounds and their difference are float32.
    this.#ctrlLow = minimum.map(Math.fround);
    this.#ctrlDelta = maximum.map((hi, i) => Math.fround(Math.fround(hi) - this.#ctrlLow[i]));
    if (this.normalizeActions) {
      if (!this.#ctrlDelta.every(Number.isFinite)) {
        this.close();
        throw new RangeError(
          `${spec.id}: an actuator has no ctrlrange, so actions cannot be normalised; pass ` +
            `normalize_actions: false`,
        );
      }
      this.actionSpace = new Box({ low: -1, high: 1, shape: [this.nu] });
    } else {
      this.actionSpace = new Box({ low: minimum, high: maximum, dtype: "float64" });
    }
    this.#actionText = this.actionSpace.toString();
  }

  /** The env's own compiled model (do not delete it). */
  get model(): MjModel {
    this.#live.data;
    return this.#model;
  }

  /** The simulation data (owned by this env; do not delete it). */
  get data(): MjData {
    return this.#live.data;
  }

  /** dm_control's `task.random`: the `RandomState` episodes are drawn from (null before). */
  get random(): RandomState | null {
    return this.#random;
  }

  /** Agent steps since the last reset. */
  get stepCount(): number {
    return this.#stepCount;
  }

  /** Live views of qpos, qvel, ctrl, sensordata, xpos and site_xpos (until the heap grows). */
  protected get views(): DataViews {
    return this.#live.views;
  }

  /**
   * Starts an episode: `seed` (an integer in [0, 2³² − 1]) makes a fresh `RandomState(seed)`;
   * without it the current stream continues. Info: `{ step_type: 0 }`.
   */
  override reset(opts: ResetOptions = {}): ResetResult {
    const seed = opts?.seed;
    if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
      throw new RangeError(
        `${this.id}.reset: seed must be an integer in [0, 2**32 - 1] (dm_control seeds numpy's ` +
          `RandomState with it), got ${describe(seed)}`,
      );
    }
    this.#pendingSeed = seed;
    try {
      const r = super.reset(opts);
      r.info = { step_type: 0 };
      return r;
    } finally {
      this.#pendingSeed = undefined;
    }
  }

  /** Frees the model copy and the data. Idempotent; the env is unusable afterwards. */
  override close(): void {
    if (this.#live.closed) return;
    finalizer.unregister(this.#token);
    this.#opt.delete();
    this.#live.close();
    this.#model.delete();
  }

  /** dm_control's `Environment.reset` (see the module doc). */
  protected resetPhysics(_rng: Generator, options: ResetOptions["options"]): Float64Array {
    checkMujocoOptions(`${this.id}.reset`, options, {});
    if (this.#pendingSeed !== undefined) this.#random = new RandomState(this.#pendingSeed);
    else this.#random ??= new RandomState();
    const data = this.#live.data;
    this.#mj.mj_resetData(this.#model, data);
    this.afterReset();
    this.initializeEpisode(this.#random);
    this.afterReset();
    this.#stepCount = 0;
    this.#warningsAtReset = this.#warningCounts();
    return this.observation();
  }

  /** One agent step: the action, the legacy physics step, reward and observation. */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const ctrl = this.views.ctrl;
    if (this.normalizeActions) {
      for (let i = 0; i < this.nu; i++) {
        const a = action[i];
        if (!(a >= -1 && a <= 1)) {
          throw new RangeError(
            `${this.id}.step: action ${describe(action)} is outside the action space ` +
              `${this.#actionText}; dmc2gym rejects it (clip actions to [-1, 1] first)`,
          );
        }
      }
      for (let i = 0; i < this.nu; i++) {
        ctrl[i] = Math.fround(((action[i] + 1) / 2) * this.#ctrlDelta[i] + this.#ctrlLow[i]);
      }
    } else {
      for (let i = 0; i < this.nu; i++) ctrl[i] = action[i];
    }
    this.#physicsStep();
    this.#stepCount++;
    const last = this.#stepCount >= this.stepLimit;
    return {
      obs: this.observation(),
      reward: this.reward(),
      terminated: false,
      truncated: last,
      info: { discount: 1, step_type: last ? 2 : 1 },
    };
  }

  /** dm_control's `Task.initialize_episode`: model fields and the random initial state. */
  protected abstract initializeEpisode(random: RandomState): void;
  /** The flattened observation dict (a fresh array). */
  protected abstract observation(): Float64Array;
  /** The task's reward for the current state. */
  protected abstract reward(): number;

  /** dm_control's `Physics.after_reset`: `mj_forward` with actuation disabled. */
  protected afterReset(): void {
    const opt = this.#opt, flags = opt.disableflags;
    opt.disableflags = flags | this.#actuationOff;
    try {
      this.#mj.mj_forward(this.#model, this.#live.data);
    } finally {
      opt.disableflags = flags;
    }
  }

  /** Number of contacts found by the last forward pass. */
  protected get ncon(): number {
    return this.#live.data.ncon;
  }

  /**
   * dm_control's `randomizers.randomize_limited_and_rotational_joints` for hinge and slide
   * joints: a limited joint ~ U(range), an unlimited hinge ~ U(−π, π), in joint order (one draw
   * each). Ball and free joints are not supported (no task here has them).
   */
  protected randomizeLimitedAndRotationalJoints(random: RandomState): void {
    const m = this.#model, types = this.#mj.mjtJoint;
    const type = m.jnt_type as Int32Array, limited = this.#jointLimited;
    const range = m.jnt_range as Float64Array, adr = m.jnt_qposadr as Int32Array;
    const qpos = this.views.qpos;
    for (let j = 0; j < m.njnt; j++) {
      const t = type[j];
      if (t === types.mjJNT_BALL.value || t === types.mjJNT_FREE.value) {
        throw new Error(`${this.id}: randomizing ball and free joints is not implemented`);
      }
      if (limited[j]) {
        if (t === types.mjJNT_HINGE.value || t === types.mjJNT_SLIDE.value) {
          qpos[adr[j]] = random.uniform(range[2 * j], range[2 * j + 1]);
        }
      } else if (t === types.mjJNT_HINGE.value) qpos[adr[j]] = random.uniform(-Math.PI, Math.PI);
    }
  }

  /** Id of a named model element (`mjtObj` key such as `"mjOBJ_SENSOR"`); throws when absent. */
  protected elementId(
    kind: "mjOBJ_BODY" | "mjOBJ_GEOM" | "mjOBJ_JOINT" | "mjOBJ_SITE" | "mjOBJ_SENSOR",
    name: string,
  ): number {
    const id = this.#mj.mj_name2id(this.#model, this.#mj.mjtObj[kind].value, name);
    if (id < 0) {
      throw new RangeError(`${this.id}: the model has no ${kind.slice(6).toLowerCase()} "${name}"`);
    }
    return id;
  }

  /** Offset of a named sensor's values in `sensordata`. */
  protected sensorAddress(name: string): number {
    return (this.#model.sensor_adr as Int32Array)[this.elementId("mjOBJ_SENSOR", name)];
  }

  /** Offset of a named joint's coordinates in `qpos`. */
  protected jointQposAddress(name: string): number {
    return (this.#model.jnt_qposadr as Int32Array)[this.elementId("mjOBJ_JOINT", name)];
  }

  /** Snapshot: integration state, sensordata, changed model fields, step count, RandomState. */
  protected getPhysicsState(): EnvState {
    const integration = physicsState(this.#mj, this.#model, this.#live.data, this.#stateSpec);
    const modelFields: Record<string, number[]> = {};
    for (const f of this.#modelFields) modelFields[f] = Array.from(this.#field(f));
    return {
      integration: this.#finite(integration),
      sensordata: this.#finite(Array.from(this.views.sensordata)),
      modelFields,
      stepCount: this.#stepCount,
      random: this.#random === null ? null : this.#random.getState() as unknown as JsonValue,
    };
  }

  /** Restores {@linkcode DmcEnv.getPhysicsState}'s snapshot, then recomputes with `mj_step1`. */
  protected setPhysicsState(s: EnvState): void {
    const mj = this.#mj, model = this.#model, data = this.#live.data;
    const size = mj.mj_stateSize(model, this.#stateSpec);
    const numbers = (x: unknown, n: number): x is number[] =>
      Array.isArray(x) && x.length === n && x.every((v) => typeof v === "number" && isFinite(v));
    const fields = s.modelFields as Record<string, unknown> | null;
    const badFields = fields === null || typeof fields !== "object" ||
      Object.keys(fields).sort().join() !== [...this.#modelFields].sort().join() ||
      this.#modelFields.some((f) => !numbers(fields[f], this.#field(f).length));
    if (
      !numbers(s.integration, size) || !numbers(s.sensordata, model.nsensordata) || badFields ||
      !(Number.isSafeInteger(s.stepCount) && (s.stepCount as number) >= 0) ||
      !(s.random === null || (typeof s.random === "object" && !Array.isArray(s.random)))
    ) {
      throw new TypeError(
        `${this.id}.setState: malformed physics state (integration must have ${size} finite ` +
          `numbers, sensordata ${model.nsensordata}, modelFields ` +
          `${JSON.stringify(this.#modelFields)}, stepCount a count, random a RandomState state)`,
      );
    }
    let random: RandomState | null = null;
    if (s.random !== null) {
      random = new RandomState(0);
      random.setState(s.random as unknown as RandomStateState);
    }
    for (const f of this.#modelFields) this.#field(f).set(fields![f] as number[]);
    mj.mj_setState(model, data, s.integration as number[], this.#stateSpec);
    mj.mj_step1(model, data);
    this.views.sensordata.set(s.sensordata as number[]);
    this.#stepCount = s.stepCount as number;
    this.#random = random;
    this.#warningsAtReset = this.#warningCounts();
  }

  /** Legacy `Physics.step(nSubSteps)` with dm_control's check for an invalid physics state. */
  #physicsStep(): void {
    const mj = this.#mj, model = this.#model, data = this.#live.data;
    const n = this.nSubSteps;
    const t0 = data.time;
    let expected = t0;
    for (let k = 0; k < n; k++) expected += this.physicsTimestep;
    if (this.#rk4) {
      for (let k = 0; k < n; k++) mj.mj_step(model, data);
    } else {
      mj.mj_step2(model, data);
      for (let k = 1; k < n; k++) mj.mj_step(model, data);
    }
    mj.mj_step1(model, data);
    // MuJoCo resets the simulation (time 0) when it meets bad values. On an episode's first step
    // the time cannot show that, so the warning counters are compared there.
    const reset = data.time !== expected;
    if (reset || t0 === 0) this.#checkWarnings(reset);
  }

  #checkWarnings(reset: boolean): void {
    const now = this.#warningCounts();
    const names: string[] = [];
    for (const [key, value] of Object.entries(this.#mj.mjtWarning)) {
      if (key.startsWith("mjWARN_")) names[(value as { value: number }).value] = key;
    }
    const raised = now.flatMap((c, i) => c > (this.#warningsAtReset[i] ?? 0) ? [names[i]] : []);
    if (reset || raised.length > 0) {
      throw new Error(
        `${this.id}: the physics state became invalid (MuJoCo ` +
          `${raised.length > 0 ? `warnings ${raised.join(", ")}` : "reset the simulation"}), ` +
          `as in dm_control's PhysicsError; reset the environment`,
      );
    }
  }

  #warningCounts(): number[] {
    const warnings = this.#live.data.warning, counts: number[] = [];
    for (let k = 0; k < warnings.size(); k++) {
      const w = warnings.get(k)!;
      counts.push(w.number);
      w.delete();
    }
    return counts;
  }

  #field(name: string): Float64Array | Float32Array {
    const value = (this.#model as unknown as Record<string, unknown>)[name];
    if (!(value instanceof Float64Array || value instanceof Float32Array)) {
      throw new TypeError(`${this.id}: mjModel has no floating-point field "${name}"`);
    }
    return value;
  }

  #finite(values: number[]): number[] {
    if (!values.every(Number.isFinite)) {
      throw new RangeError(
        `${this.id}.getState: the physics state is not finite; it cannot be saved`,
      );
    }
    return values;
  }
}

/**
 * dm_control's `compute_n_steps`: physics steps per control step, `round(control / physics)`;
 * the control time step must be a multiple of the physics one (within 1e-8).
 *
 * @example
 * ```ts
 * import { nSubSteps } from "./dmc_env.ts";
 * nSubSteps(0.02, 0.002); // 10
 * ```
 */
export function nSubSteps(controlTimestep: number, physicsTimestep: number): number {
  const ratio = controlTimestep / physicsTimestep;
  if (controlTimestep < physicsTimestep || Math.abs(ratio - pyRound(ratio)) > 1e-8) {
    throw new RangeError(
      `the control time step (${controlTimestep}) must be a positive multiple of the physics ` +
        `time step (${physicsTimestep})`,
    );
  }
  return pyRound(ratio);
}

/** Python's `round` (half to even). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
