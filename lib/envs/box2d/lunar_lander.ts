/**
 * `LunarLanderContinuous-v3` (and `LunarLander-v3` with `continuous: true`): Gymnasium 1.3's
 * lunar lander with continuous engine throttles, on the float32 Box2D 2.3.10 of `world.ts`
 * (bit-identical to pybox2d's).
 *
 * World: gravity (0, `gravity`), 20 × 13.3 units (600 × 400 px at 30 px/unit), 50 steps/s,
 * `world.Step(1/50, 180, 60)`. The moon is an edge polyline over 11 chunk x-positions whose
 * heights are `uniform(0, H/2)` draws, smoothed over three neighbours (×0.33, the first neighbour
 * of chunk 0 being the last height, as in Python), with the helipad between x = 8 and 12 at
 * H/4. The lander (a hexagon, density 5) has two legs on motorised revolute joints with limits.
 *
 * Action a = clip(a, −1, 1): main engine on when a₀ > 0 with power m = (a₀ + 1)/2 ∈ [0.5, 1];
 * side engines on when |a₁| > 0.5, power s = clip(|a₁|, 0.5, 1), direction sign(a₁). Engine
 * impulses are applied off-centre with a dispersion of two `uniform(−1, 1)/30` draws, made every
 * step whether or not an engine fires.
 *
 * Observation (8, float32): position relative to the helipad centre, velocity, angle, angular
 * velocity and the two leg-contact flags, scaled as in Gymnasium:
 *
 * | i | quantity            | formula                              |
 * | - | ------------------- | ------------------------------------ |
 * | 0 | x                   | (x − 10)/10                          |
 * | 1 | y                   | (y − (helipad_y + 18/30))/(20/3)     |
 * | 2 | vx                  | vx·10/50                             |
 * | 3 | vy                  | vy·(20/3)/50                         |
 * | 4 | angle               | θ                                    |
 * | 5 | angular velocity    | 20·ω/50                              |
 * | 6 | leg 1 contact       | 1 or 0 (leg at +20/30, right)        |
 * | 7 | leg 2 contact       | 1 or 0 (leg at −20/30, left)         |
 *
 * Reward (the shaping uses the float64 state, not the float32 observation):
 *
 * | term              | value                                                                  |
 * | ----------------- | ---------------------------------------------------------------------- |
 * | shaping           | φ = −100·‖(s₀, s₁)‖ − 100·‖(s₂, s₃)‖ − 100·|s₄| + 10·s₆ + 10·s₇       |
 * | progress          | φₜ − φₜ₋₁ (0 on the reset step)                                        |
 * | main engine cost  | −0.3·m                                                                 |
 * | side engine cost  | −0.03·s                                                                |
 * | crash / fly away  | reward = −100, terminated (lander body touches ground, or |s₀| ≥ 1)    |
 * | rest              | reward = +100, terminated (the lander body fell asleep in Box2D)       |
 *
 * `reset` ends with one internal `step([0, 0])`, as Gymnasium's does, so the reset observation is
 * one physics step in. `makeEnv` adds the 1000-step `TimeLimit`.
 *
 * Options (Gymnasium's keyword arguments): `continuous` (must be true: only Box action spaces
 * here), `gravity` (−10, in (−12, 0)), `enable_wind` (false), `wind_power` (15; recommended
 * [0, 20]) and `turbulence_power` (1.5; recommended [0, 2]). With wind, each step without leg
 * contact applies a force tanh(sin(0.02·k) + sin(0.01π·k))·wind_power and a torque of the same
 * form with its own counter, both counters drawn with `integers(−9999, 9999)` at every reset.
 *
 * `LunarLanderContinuous-v2`, the id in the paper, is registered as an alias of v3. Gymnasium's
 * v3 changed three things: the wind/turbulence counters are redrawn at every reset (v2 drew them
 * once), the world is rebuilt at every reset (v2 reused it, which made episodes depend on earlier
 * ones), and the observation bounds were widened (x, y: ±1.5 → ±2.5; velocities ±5 → ±10; angle
 * ±π → ±2π). Dynamics and rewards are the same; without wind a v2 episode from a fresh env is the
 * v3 episode.
 *
 * @module
 */
import {
  BaseEnv,
  checkOptions,
  describe,
  type EnvState,
  type JsonValue,
  type Observation,
  optionChecks,
  type ResetOptions,
  type StepResult,
} from "../env.ts";
import { sharedArrayPool } from "../pool.ts";
import { Box } from "../spaces.ts";
import type { Generator } from "../../np_random/mod.ts";
import type { RevoluteJoint } from "./revolute_joint.ts";
import { f32 } from "./settings.ts";
import { edgeShape } from "./shapes.ts";
import { hullBody, legBody, legJoint } from "./legged_body.ts";
import { restoreWorld, snapshotWorld, type WorldSnapshot } from "./snapshot.ts";
import { type Body, type Contact, World } from "./world.ts";
import type { Box2DDraws } from "./draws.ts";
import { bodyPose, type Box2DFrame } from "./scene.ts";

const ID = "LunarLanderContinuous-v3";

const FPS = 50;
const SCALE = 30.0;
const MAIN_ENGINE_POWER = 13.0;
const SIDE_ENGINE_POWER = 0.6;
const INITIAL_RANDOM = 1000.0;
const LANDER_POLY: [number, number][] = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [
  14,
  17,
]];
const LEG_AWAY = 20;
const LEG_DOWN = 18;
const LEG_W = 2;
const LEG_H = 8;
const LEG_SPRING_TORQUE = 40;
const SIDE_ENGINE_HEIGHT = 14;
const SIDE_ENGINE_AWAY = 12;
const MAIN_ENGINE_Y_LOCATION = 4;
const VIEWPORT_W = 600;
const VIEWPORT_H = 400;
const W = VIEWPORT_W / SCALE;
const H = VIEWPORT_H / SCALE;
const CHUNKS = 11;
const DT = f32(1.0 / FPS);

/**
 * Constructor options of {@linkcode LunarLanderEnv} (Gymnasium's `gym.make` keyword arguments).
 *
 * @example
 * ```ts
 * import type { LunarLanderOptions } from "./lunar_lander.ts";
 * const windy: LunarLanderOptions = { enable_wind: true, wind_power: 10 };
 * ```
 */
export interface LunarLanderOptions {
  /** Continuous throttles (must be true; discrete actions are not supported). Default true. */
  continuous?: boolean;
  /** Gravity along y, in (−12, 0). Default −10. */
  gravity?: number;
  /** Apply wind and turbulence. Default false. */
  enable_wind?: boolean;
  /** Maximum wind force (recommended 0 to 20). Default 15. */
  wind_power?: number;
  /** Maximum turbulence torque (recommended 0 to 2). Default 1.5. */
  turbulence_power?: number;
}

/**
 * `LunarLanderContinuous-v3`: Gymnasium 1.3's `LunarLander` with `continuous=True`.
 *
 * @example
 * ```ts
 * import { LunarLanderEnv } from "./lunar_lander.ts";
 * const env = new LunarLanderEnv();
 * const { obs } = env.reset({ seed: 0 });
 * const r = env.step(new Float32Array([0.5, 0])); // main engine at 75 %
 * r.obs.length; // 8
 * ```
 */
export class LunarLanderEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string;
  /** Box(low, high, (8,)) with Gymnasium 1.3's bounds. */
  readonly observationSpace: Box = new Box({
    low: [-2.5, -2.5, -10, -10, -2 * Math.PI, -10, -0, -0],
    high: [2.5, 2.5, 10, 10, 2 * Math.PI, 10, 1, 1],
  });
  /** Box(−1, 1, (2,)): [main engine, side engines]. */
  readonly actionSpace: Box = new Box({ low: -1, high: 1, shape: [2] });
  /** Gravity along y. */
  readonly gravity: number;
  /** Wind and turbulence on. */
  readonly enableWind: boolean;
  /** Maximum wind force. */
  readonly windPower: number;
  /** Maximum turbulence torque. */
  readonly turbulencePower: number;

  #world: World | null = null;
  #lander: Body | null = null;
  #legs: Body[] = [];
  #joints: RevoluteJoint[] = [];
  #legContact: [boolean, boolean] = [false, false];
  #gameOver = false;
  #prevShaping: number | null = null;
  #windIdx = 0;
  #torqueIdx = 0;
  #helipadX1 = 0;
  #helipadX2 = 0;
  #helipadY = 0;
  #height: number[] = [];
  #terrainX: number[] = [];
  #terrainY: number[] = [];

  /**
   * Builds the env from Gymnasium's keyword arguments; unknown keys are errors.
   *
   * @param options Gymnasium's keyword arguments.
   * @param id the registered id to report (`LunarLanderContinuous-v3` unless made under another).
   */
  constructor(options: LunarLanderOptions = {}, id: string = ID) {
    super();
    this.id = id;
    checkOptions(ID, options, {
      continuous: optionChecks.boolean,
      gravity: optionChecks.finiteNumber,
      enable_wind: optionChecks.boolean,
      wind_power: optionChecks.finiteNumber,
      turbulence_power: optionChecks.finiteNumber,
    });
    if (options.continuous === false) {
      throw new RangeError(
        `${ID}: discrete actions (continuous: false) are not supported, only Box action ` +
          `spaces; pass { continuous: true } or use "LunarLanderContinuous-v3"`,
      );
    }
    const gravity = options.gravity ?? -10.0;
    if (!(gravity > -12 && gravity < 0)) {
      throw new RangeError(`${ID}: gravity must be in (-12, 0), got ${describe(gravity)}`);
    }
    this.gravity = gravity;
    this.enableWind = options.enable_wind ?? false;
    this.windPower = options.wind_power ?? 15.0;
    this.turbulencePower = options.turbulence_power ?? 1.5;
  }

  /**
   * The generator the task draws from (Gymnasium's `np_random`). Tests override it to replay or
   * record the draws.
   */
  protected get draws(): Box2DDraws {
    return this.npRandom;
  }

  /** Builds a fresh world (Gymnasium v3 does) and takes the internal first step. */
  protected resetPhysics(_rng: Generator, options: ResetOptions["options"]): Observation {
    checkOptions(`${ID}.reset`, options, {});
    const draws = this.draws;
    // Terrain: 12 heights in one call, the helipad chunks flattened to H/4.
    const height = Array.from(draws.uniform(0, H / 2, CHUNKS + 1));
    for (let k = -2; k <= 2; k++) height[(CHUNKS >> 1) + k] = H / 4;
    this.#build(height);
    // Python evaluates the two draws left to right.
    const fx = draws.uniform(-INITIAL_RANDOM, INITIAL_RANDOM);
    const fy = draws.uniform(-INITIAL_RANDOM, INITIAL_RANDOM);
    this.#lander!.applyForceToCenter(fx, fy, true);
    if (this.enableWind) {
      this.#windIdx = draws.integers(-9999, 9999);
      this.#torqueIdx = draws.integers(-9999, 9999);
    }
    this.#gameOver = false;
    this.#prevShaping = null;
    this.#legContact = [false, false];
    return this.#step([0, 0]).obs;
  }

  /**
   * Builds the world from the terrain heights (12 chunk heights, helipad already flattened): the
   * moon, the lander, its legs and joints, in Gymnasium's creation order. Draws nothing, so a
   * snapshot can rebuild the same world.
   */
  #build(height: number[]): void {
    const world = new World(0, this.gravity);
    this.#world = world;
    this.#height = height;
    const chunkX = Array.from({ length: CHUNKS }, (_, i) => (W / (CHUNKS - 1)) * i);
    this.#helipadX1 = chunkX[(CHUNKS >> 1) - 1];
    this.#helipadX2 = chunkX[(CHUNKS >> 1) + 1];
    this.#helipadY = H / 4;
    // Smoothing over three neighbours; chunk 0's left neighbour is height[-1] in Python.
    const smoothY = chunkX.map((_, i) =>
      0.33 * (height[(i - 1 + height.length) % height.length] + height[i] + height[i + 1])
    );
    this.#terrainX = chunkX;
    this.#terrainY = smoothY;

    const moon = world.createBody({ type: "static", position: [0, 0] });
    moon.createFixture(edgeShape([0, 0], [W, 0]));
    for (let i = 0; i < CHUNKS - 1; i++) {
      moon.createFixture(edgeShape([chunkX[i], smoothY[i]], [chunkX[i + 1], smoothY[i + 1]]), {
        density: 0,
        friction: 0.1,
      });
    }

    const initialX = VIEWPORT_W / SCALE / 2;
    const initialY = VIEWPORT_H / SCALE;
    const lander = hullBody(world, initialX, initialY, LANDER_POLY, SCALE, 0x0010);
    this.#lander = lander;

    this.#legs = [];
    this.#joints = [];
    for (const i of [-1, 1]) {
      const leg = legBody(
        world,
        initialX - (i * LEG_AWAY) / SCALE,
        initialY,
        i * 0.05,
        LEG_W / SCALE,
        LEG_H / SCALE,
      );
      const joint = legJoint(world, lander, leg, {
        localAnchorA: [0, 0],
        localAnchorB: [(i * LEG_AWAY) / SCALE, LEG_DOWN / SCALE],
        maxMotorTorque: LEG_SPRING_TORQUE,
        motorSpeed: 0.3 * i,
        lowerAngle: i === -1 ? 0.9 - 0.5 : -0.9,
        upperAngle: i === -1 ? 0.9 : -0.9 + 0.5,
      });
      this.#legs.push(leg);
      this.#joints.push(joint);
    }

    world.listener = {
      beginContact: (contact) => this.#beginContact(contact),
      endContact: (contact) => this.#endContact(contact),
    };
  }

  /** One Gymnasium step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    return this.#step(action);
  }

  #beginContact(contact: Contact): void {
    const a = contact.fixtureA.body;
    const b = contact.fixtureB.body;
    if (a === this.#lander || b === this.#lander) this.#gameOver = true;
    for (let i = 0; i < 2; i++) {
      if (a === this.#legs[i] || b === this.#legs[i]) this.#legContact[i] = true;
    }
  }

  #endContact(contact: Contact): void {
    const a = contact.fixtureA.body;
    const b = contact.fixtureB.body;
    for (let i = 0; i < 2; i++) {
      if (a === this.#legs[i] || b === this.#legs[i]) this.#legContact[i] = false;
    }
  }

  #step(action: ArrayLike<number>): StepResult {
    const world = this.#world!;
    const lander = this.#lander!;
    const draws = this.draws;

    if (this.enableWind && !(this.#legContact[0] || this.#legContact[1])) {
      const windMag = Math.tanh(
        Math.sin(0.02 * this.#windIdx) + Math.sin(Math.PI * 0.01 * this.#windIdx),
      ) * this.windPower;
      this.#windIdx += 1;
      lander.applyForceToCenter(windMag, 0, true);
      const torqueMag = Math.tanh(
        Math.sin(0.02 * this.#torqueIdx) + Math.sin(Math.PI * 0.01 * this.#torqueIdx),
      ) * this.turbulencePower;
      this.#torqueIdx += 1;
      lander.applyTorque(torqueMag, true);
    }

    const a0 = action[0] < -1 ? -1 : action[0] > 1 ? 1 : action[0];
    const a1 = action[1] < -1 ? -1 : action[1] > 1 ? 1 : action[1];

    const angle = lander.a;
    const tip0 = Math.sin(angle);
    const tip1 = Math.cos(angle);
    const side0 = -tip1;
    const side1 = tip0;
    const disp0 = draws.uniform(-1.0, 1.0) / SCALE;
    const disp1 = draws.uniform(-1.0, 1.0) / SCALE;
    const posX = lander.xf.px;
    const posY = lander.xf.py;

    let mPower = 0.0;
    if (a0 > 0.0) {
      mPower = ((a0 < 0 ? 0 : a0 > 1 ? 1 : a0) + 1.0) * 0.5;
      const ox = tip0 * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * disp0) + side0 * disp1;
      const oy = -tip1 * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * disp0) - side1 * disp1;
      lander.applyLinearImpulse(
        -ox * MAIN_ENGINE_POWER * mPower,
        -oy * MAIN_ENGINE_POWER * mPower,
        posX + ox,
        posY + oy,
        true,
      );
    }

    let sPower = 0.0;
    if (Math.abs(a1) > 0.5) {
      const direction = Math.sign(a1);
      const abs1 = Math.abs(a1);
      sPower = abs1 < 0.5 ? 0.5 : abs1 > 1 ? 1 : abs1;
      const lever = 3 * disp1 + (direction * SIDE_ENGINE_AWAY) / SCALE;
      const ox = tip0 * disp0 + side0 * lever;
      const oy = -tip1 * disp0 - side1 * lever;
      lander.applyLinearImpulse(
        -ox * SIDE_ENGINE_POWER * sPower,
        -oy * SIDE_ENGINE_POWER * sPower,
        posX + ox - (tip0 * 17) / SCALE,
        posY + oy + (tip1 * SIDE_ENGINE_HEIGHT) / SCALE,
        true,
      );
    }

    world.step(DT, 6 * 30, 2 * 30);

    const x = lander.xf.px;
    const y = lander.xf.py;
    const vx = lander.vx;
    const vy = lander.vy;
    const s0 = (x - VIEWPORT_W / SCALE / 2) / (VIEWPORT_W / SCALE / 2);
    const s1 = (y - (this.#helipadY + LEG_DOWN / SCALE)) / (VIEWPORT_H / SCALE / 2);
    const s2 = (vx * (VIEWPORT_W / SCALE / 2)) / FPS;
    const s3 = (vy * (VIEWPORT_H / SCALE / 2)) / FPS;
    const s4 = lander.a;
    const s5 = (20.0 * lander.w) / FPS;
    const s6 = this.#legContact[0] ? 1.0 : 0.0;
    const s7 = this.#legContact[1] ? 1.0 : 0.0;

    const shaping = -100 * Math.sqrt(s0 * s0 + s1 * s1) - 100 * Math.sqrt(s2 * s2 + s3 * s3) -
      100 * Math.abs(s4) + 10 * s6 + 10 * s7;
    let reward = 0;
    if (this.#prevShaping !== null) reward = shaping - this.#prevShaping;
    this.#prevShaping = shaping;
    reward -= mPower * 0.30;
    reward -= sPower * 0.03;

    let terminated = false;
    if (this.#gameOver || Math.abs(s0) >= 1.0) {
      terminated = true;
      reward = -100;
    }
    if (!lander.awake) {
      terminated = true;
      reward = +100;
    }

    const obs = sharedArrayPool.float32(8);
    obs[0] = s0;
    obs[1] = s1;
    obs[2] = s2;
    obs[3] = s3;
    obs[4] = s4;
    obs[5] = s5;
    obs[6] = s6;
    obs[7] = s7;
    return { obs, reward, terminated, truncated: false, info: {} };
  }

  /** The Box2D world of the current episode (for inspection; null before the first reset). */
  get world(): World | null {
    return this.#world;
  }

  /**
   * The scene now, for plotting: the moon polyline, the helipad, the lander and leg outlines and
   * the leg contacts ("leg-right" is Gymnasium's first leg, at +20/30, observation 6).
   */
  frame(): Box2DFrame {
    if (this.#world === null) {
      throw new Error(`${ID}.frame: call reset() first; there is no world yet`);
    }
    return {
      task: "LunarLander",
      terrain: { x: [...this.#terrainX], y: [...this.#terrainY] },
      obstacles: [],
      bodies: [
        bodyPose("lander", this.#lander!),
        bodyPose("leg-right", this.#legs[0]),
        bodyPose("leg-left", this.#legs[1]),
      ],
      contacts: { "leg-right": this.#legContact[0], "leg-left": this.#legContact[1] },
      helipad: { x1: this.#helipadX1, x2: this.#helipadX2, y: this.#helipadY },
    };
  }

  /**
   * The episode as JSON: the terrain heights the world is built from, the world's changing state
   * (bodies, joints, contacts with their warm-starting impulses, broadphase), the leg contacts,
   * the crash flag, the previous shaping and the wind counters.
   */
  protected getPhysicsState(): EnvState {
    const options = {
      gravity: this.gravity,
      enable_wind: this.enableWind,
      wind_power: this.windPower,
      turbulence_power: this.turbulencePower,
    };
    if (this.#world === null) return { options, episode: null };
    return {
      options,
      episode: {
        height: [...this.#height],
        gameOver: this.#gameOver,
        legContact: [...this.#legContact],
        prevShaping: this.#prevShaping,
        windIdx: this.#windIdx,
        torqueIdx: this.#torqueIdx,
        world: snapshotWorld(this.#world) as unknown as JsonValue,
      },
    };
  }

  /** Rebuilds the world from the snapshot's terrain and restores its changing state. */
  protected setPhysicsState(s: EnvState): void {
    const o = s.options as Record<string, JsonValue> | undefined;
    if (
      o === undefined || o === null || o.gravity !== this.gravity ||
      o.enable_wind !== this.enableWind || o.wind_power !== this.windPower ||
      o.turbulence_power !== this.turbulencePower
    ) {
      throw new RangeError(
        `${ID}.setState: the state was taken with options ${describe(o)}; restore into an env ` +
          `made with the same options`,
      );
    }
    const e = s.episode as Record<string, JsonValue> | null | undefined;
    if (e === null) {
      this.#world = null;
      return;
    }
    if (
      e === undefined || !isNumbers(e.height, CHUNKS + 1) || typeof e.gameOver !== "boolean" ||
      !Array.isArray(e.legContact) || e.legContact.length !== 2 ||
      !(e.prevShaping === null || typeof e.prevShaping === "number") ||
      !Number.isSafeInteger(e.windIdx) || !Number.isSafeInteger(e.torqueIdx) ||
      typeof e.world !== "object" || e.world === null
    ) {
      throw new TypeError(`${ID}.setState: malformed episode state ${describe(e)}`);
    }
    this.#build(e.height as number[]);
    restoreWorld(this.#world!, e.world as unknown as WorldSnapshot);
    this.#gameOver = e.gameOver;
    this.#legContact = [e.legContact[0] === true, e.legContact[1] === true];
    this.#prevShaping = e.prevShaping;
    this.#windIdx = e.windIdx as number;
    this.#torqueIdx = e.torqueIdx as number;
  }
}

/** True when `v` is an array of `n` finite numbers. */
function isNumbers(v: JsonValue | undefined, n: number): boolean {
  return Array.isArray(v) && v.length === n && v.every((x) => Number.isFinite(x));
}
