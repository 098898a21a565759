/**
 * `BipedalWalker-v3` and `BipedalWalkerHardcore-v3`: Gymnasium 1.3's 4-joint walker on the float32
 * Box2D 2.3.10 of `world.ts` (bit-identical to pybox2d's).
 *
 * World: gravity (0, −10), 50 steps/s, `world.Step(1/50, 180, 60)`. A hull (pentagon, density 5)
 * carries two legs, each an upper leg on a hip joint (limits −0.8 to 1.1) and a lower leg on a knee
 * joint (limits −1.6 to −0.1); all four joints are motors with maximum torque 80. The terrain is
 * 200 points 14/30 apart: a flat start pad of 20 points, then grass whose height follows a damped
 * random walk (one `uniform(−1, 1)/30` draw per point); hardcore mode alternates grass with
 * stumps, stairs and pits (`integers` and `random` draws). The reset also makes the draws for the
 * 10 decorative clouds, then pushes the hull with a force `uniform(−5, 5)` along x.
 *
 * Action a ∈ [−1, 1]⁴ (hip 1, knee 1, hip 2, knee 2): joint i gets motor speed
 * speedᵢ·sign(aᵢ) (speed 4 for hips, 6 for knees) and maximum torque 80·clip(|aᵢ|, 0, 1).
 *
 * Observation (24, float32):
 *
 * | i      | quantity                               |
 * | ------ | -------------------------------------- |
 * | 0      | hull angle                             |
 * | 1      | 2·ω/50 (hull angular velocity)         |
 * | 2, 3   | 0.3·vx·20/50, 0.3·vy·(40/3)/50         |
 * | 4, 5   | hip 1 angle, hip 1 speed/4             |
 * | 6, 7   | knee 1 angle + 1, knee 1 speed/6       |
 * | 8      | lower leg 1 ground contact (1 or 0)    |
 * | 9–13   | the same for leg 2                     |
 * | 14–23  | 10 lidar fractions, rays at angles 0.15·k below the hull, range 160/30 |
 *
 * Reward:
 *
 * | term          | value                                                                |
 * | ------------- | -------------------------------------------------------------------- |
 * | shaping       | φ = 130·x/30 − 5·|hull angle|                                        |
 * | progress      | φₜ − φₜ₋₁ (0 on the reset step)                                      |
 * | torque cost   | −0.00035·80·clip(|aᵢ|, 0, 1) for each of the 4 joints                |
 * | fall          | reward = −100, terminated (hull touches the ground, or x < 0)       |
 * | finish        | terminated (x > (200 − 10)·14/30), reward as above                  |
 *
 * With a `Float32Array` action the torque costs are float32 (numpy's weak Python scalars promote
 * to the action's float32), as when SB3 passes float32 actions to Gymnasium; with any other array
 * everything is float64. `reset` ends with one internal `step([0, 0, 0, 0])`, as Gymnasium's
 * does. `makeEnv` adds the `TimeLimit` (1600 steps, 2000 for hardcore).
 *
 * Gymnasium keeps one Box2D world for the env's whole life and destroys and re-creates the
 * bodies at every reset; Box2D then hands out broadphase proxy ids from its free list, so the
 * order in which contacts are created (and solved) depends on the episodes before. Here every
 * reset builds a fresh world, as a freshly made Gymnasium env does: `reset({ seed })` gives the
 * same episode whatever ran before (a reused Gymnasium env follows it only approximately).
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
import { edgeShape, polygonShape } from "./shapes.ts";
import { hullBody, legBody, legJoint } from "./legged_body.ts";
import { restoreWorld, snapshotWorld, type WorldSnapshot } from "./snapshot.ts";
import { type Body, type Contact, type Fixture, World } from "./world.ts";
import type { Box2DDraws } from "./draws.ts";
import { bodyPose, type Box2DFrame, type LidarRay } from "./scene.ts";

const FPS = 50;
const SCALE = 30.0;
const MOTORS_TORQUE = 80;
const SPEED_HIP = 4;
const SPEED_KNEE = 6;
const LIDAR_RANGE = 160 / SCALE;
const INITIAL_RANDOM = 5;
const HULL_POLY: [number, number][] = [[-30, 9], [6, 9], [34, 1], [34, -8], [-30, -8]];
const LEG_DOWN = -8 / SCALE;
const LEG_W = 8 / SCALE;
const LEG_H = 34 / SCALE;
const VIEWPORT_W = 600;
const VIEWPORT_H = 400;
const TERRAIN_STEP = 14 / SCALE;
const TERRAIN_LENGTH = 200;
const TERRAIN_HEIGHT = VIEWPORT_H / SCALE / 4;
const TERRAIN_GRASS = 10;
const TERRAIN_STARTPAD = 20;
const FRICTION = 2.5;
const DT = f32(1.0 / FPS);
const GRASS = 0;
const STUMP = 1;
const STAIRS = 2;
const PIT = 3;
const STATES = 4;
/** 0.00035·80, the torque cost per unit of |a|. */
const TORQUE_COST = 0.00035 * MOTORS_TORQUE;
const F32_TORQUE_COST = f32(TORQUE_COST);

/**
 * Constructor options of {@linkcode BipedalWalkerEnv} (Gymnasium's `gym.make` keyword arguments).
 *
 * @example
 * ```ts
 * import type { BipedalWalkerOptions } from "./bipedal_walker.ts";
 * const opts: BipedalWalkerOptions = { hardcore: true };
 * ```
 */
export interface BipedalWalkerOptions {
  /** Stumps, stairs and pits in the terrain. Default false. */
  hardcore?: boolean;
}

/** Lidar ray directions: angle 1.5·k/10 from straight down, k = 0..9. */
const LIDAR_DX = Array.from({ length: 10 }, (_, k) => Math.sin((1.5 * k) / 10.0) * LIDAR_RANGE);
const LIDAR_DY = Array.from({ length: 10 }, (_, k) => -Math.cos((1.5 * k) / 10.0) * LIDAR_RANGE);

/**
 * `BipedalWalker-v3` (`hardcore: false`) and `BipedalWalkerHardcore-v3` (`hardcore: true`).
 *
 * @example
 * ```ts
 * import { BipedalWalkerEnv } from "./bipedal_walker.ts";
 * const env = new BipedalWalkerEnv();
 * const { obs } = env.reset({ seed: 0 });
 * const r = env.step(new Float32Array([0.5, -0.5, 0.5, -0.5]));
 * r.obs.length; // 24
 * ```
 */
export class BipedalWalkerEnv extends BaseEnv {
  /** Registered id. */
  readonly id: string;
  /** Box with Gymnasium 1.3's bounds (24,). */
  readonly observationSpace: Box = new Box({
    low: [
      -Math.PI,
      -5,
      -5,
      -5,
      -Math.PI,
      -5,
      -Math.PI,
      -5,
      -0,
      -Math.PI,
      -5,
      -Math.PI,
      -5,
      -0,
      ...Array(10).fill(-1),
    ],
    high: [
      Math.PI,
      5,
      5,
      5,
      Math.PI,
      5,
      Math.PI,
      5,
      5,
      Math.PI,
      5,
      Math.PI,
      5,
      5,
      ...Array(10).fill(1),
    ],
  });
  /** Box(−1, 1, (4,)): motor commands for hip 1, knee 1, hip 2, knee 2. */
  readonly actionSpace: Box = new Box({ low: -1, high: 1, shape: [4] });
  /** Stumps, stairs and pits. */
  readonly hardcore: boolean;

  #world: World | null = null;
  #hull: Body | null = null;
  /** Upper leg 1, lower leg 1, upper leg 2, lower leg 2 (Gymnasium's `legs`). */
  #legs: Body[] = [];
  /** Hip 1, knee 1, hip 2, knee 2. */
  #joints: RevoluteJoint[] = [];
  #groundContact = [false, false];
  #gameOver = false;
  #prevShaping: number | null = null;
  #terrain: Terrain = { x: [], y: [], obstacles: [] };
  #clouds: [number, number][][] = [];
  #lidar: LidarRay[] = [];

  /** Builds the env from Gymnasium's keyword arguments; unknown keys are errors. */
  constructor(options: BipedalWalkerOptions = {}) {
    super();
    checkOptions("BipedalWalker-v3", options, { hardcore: optionChecks.boolean });
    this.hardcore = options.hardcore ?? false;
    this.id = this.hardcore ? "BipedalWalkerHardcore-v3" : "BipedalWalker-v3";
  }

  /**
   * The generator the task draws from (Gymnasium's `np_random`). Tests override it to replay or
   * record the draws.
   */
  protected get draws(): Box2DDraws {
    return this.npRandom;
  }

  /** The Box2D world of the current episode (for inspection; null before the first reset). */
  get world(): World | null {
    return this.#world;
  }

  /** Draws the terrain and clouds, builds the walker in a fresh world, takes the first step. */
  protected resetPhysics(_rng: Generator, options: ResetOptions["options"]): Observation {
    checkOptions(`${this.id}.reset`, options, {});
    const draws = this.draws;
    const terrain = generateTerrain(draws, this.hardcore);
    this.#clouds = generateClouds(draws);
    this.#build(terrain);
    this.#hull!.applyForceToCenter(draws.uniform(-INITIAL_RANDOM, INITIAL_RANDOM), 0, true);
    this.#gameOver = false;
    this.#prevShaping = null;
    this.#groundContact = [false, false];
    return this.#step([0, 0, 0, 0]).obs;
  }

  /**
   * Builds the world from terrain data in Gymnasium's creation order: the obstacles, the 199
   * terrain edges, the hull, then upper and lower leg of each side with their joints. Draws
   * nothing, so a snapshot can rebuild the same world.
   */
  #build(terrain: Terrain): void {
    const world = new World(0, -10);
    this.#world = world;
    this.#terrain = terrain;
    const { x: terrainX, y: terrainY, obstacles } = terrain;
    for (const poly of obstacles) {
      const body = world.createBody({ type: "static", position: [0, 0] });
      body.createFixture(polygonShape(poly), { friction: FRICTION });
    }
    for (let i = 0; i < TERRAIN_LENGTH - 1; i++) {
      const body = world.createBody({ type: "static", position: [0, 0] });
      body.createFixture(
        edgeShape([terrainX[i], terrainY[i]], [terrainX[i + 1], terrainY[i + 1]]),
        { friction: FRICTION, categoryBits: 0x0001 },
      );
    }

    const initX = (TERRAIN_STEP * TERRAIN_STARTPAD) / 2;
    const initY = TERRAIN_HEIGHT + 2 * LEG_H;
    const hull = hullBody(world, initX, initY, HULL_POLY, SCALE, 0x0020);
    this.#hull = hull;

    this.#legs = [];
    this.#joints = [];
    for (const i of [-1, 1]) {
      const leg = legBody(
        world,
        initX,
        initY - LEG_H / 2 - LEG_DOWN,
        i * 0.05,
        LEG_W / 2,
        LEG_H / 2,
      );
      this.#legs.push(leg);
      this.#joints.push(legJoint(world, hull, leg, {
        localAnchorA: [0, LEG_DOWN],
        localAnchorB: [0, LEG_H / 2],
        maxMotorTorque: MOTORS_TORQUE,
        motorSpeed: i,
        lowerAngle: -0.8,
        upperAngle: 1.1,
      }));
      const lower = legBody(
        world,
        initX,
        initY - (LEG_H * 3) / 2 - LEG_DOWN,
        i * 0.05,
        (0.8 * LEG_W) / 2,
        LEG_H / 2,
      );
      this.#legs.push(lower);
      this.#joints.push(legJoint(world, leg, lower, {
        localAnchorA: [0, -LEG_H / 2],
        localAnchorB: [0, LEG_H / 2],
        maxMotorTorque: MOTORS_TORQUE,
        motorSpeed: 1,
        lowerAngle: -1.6,
        upperAngle: -0.1,
      }));
    }

    world.listener = {
      beginContact: (contact) => this.#contact(contact, true),
      endContact: (contact) => this.#contact(contact, false),
    };
  }

  #contact(contact: Contact, begins: boolean): void {
    const a = contact.fixtureA.body;
    const b = contact.fixtureB.body;
    if (begins && (a === this.#hull || b === this.#hull)) this.#gameOver = true;
    for (let k = 0; k < 2; k++) {
      const lower = this.#legs[2 * k + 1];
      if (a === lower || b === lower) this.#groundContact[k] = begins;
    }
  }

  /** One Gymnasium step (see the module doc). */
  protected stepPhysics(action: ArrayLike<number>): StepResult {
    return this.#step(action);
  }

  #step(action: ArrayLike<number>): StepResult {
    const world = this.#world!;
    const joints = this.#joints;
    for (let k = 0; k < 4; k++) {
      // joint.motorSpeed = …; joint.maxMotorTorque = … (each wakes both bodies).
      const a = action[k];
      const abs = Math.abs(a);
      joints[k].setMotorSpeed((k % 2 === 0 ? SPEED_HIP : SPEED_KNEE) * Math.sign(a));
      joints[k].setMaxMotorTorque(MOTORS_TORQUE * (abs > 1 ? 1 : abs));
    }

    world.step(DT, 6 * 30, 2 * 30);

    const hull = this.#hull!;
    const posX = hull.xf.px;
    const posY = hull.xf.py;
    const fractions = this.#castLidar(posX, posY);

    const obs = sharedArrayPool.float32(24);
    const hullAngle = hull.a;
    obs[0] = hullAngle;
    obs[1] = (2.0 * hull.w) / FPS;
    obs[2] = (0.3 * hull.vx * (VIEWPORT_W / SCALE)) / FPS;
    obs[3] = (0.3 * hull.vy * (VIEWPORT_H / SCALE)) / FPS;
    for (let leg = 0; leg < 2; leg++) {
      const hip = joints[2 * leg];
      const knee = joints[2 * leg + 1];
      const o = 4 + 5 * leg;
      obs[o] = hip.jointAngle();
      obs[o + 1] = hip.jointSpeed() / SPEED_HIP;
      obs[o + 2] = knee.jointAngle() + 1.0;
      obs[o + 3] = knee.jointSpeed() / SPEED_KNEE;
      obs[o + 4] = this.#groundContact[leg] ? 1.0 : 0.0;
    }
    for (let k = 0; k < 10; k++) obs[14 + k] = fractions[k];

    let shaping = (130 * posX) / SCALE;
    shaping -= 5.0 * Math.abs(hullAngle);
    let reward = 0;
    if (this.#prevShaping !== null) reward = shaping - this.#prevShaping;
    this.#prevShaping = shaping;
    if (action instanceof Float32Array) {
      // numpy: Python float − float32 scalar is a float32 subtraction (NEP 50).
      for (let k = 0; k < 4; k++) {
        const abs = Math.abs(action[k]);
        reward = f32(f32(reward) - f32(F32_TORQUE_COST * (abs > 1 ? 1 : abs)));
      }
    } else {
      for (let k = 0; k < 4; k++) {
        const abs = Math.abs(action[k]);
        reward -= TORQUE_COST * (abs > 1 ? 1 : abs);
      }
    }

    let terminated = false;
    if (this.#gameOver || posX < 0) {
      reward = -100;
      terminated = true;
    }
    if (posX > (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP) terminated = true;
    return { obs, reward, terminated, truncated: false, info: {} };
  }

  /**
   * The 10 lidar fractions from the hull position: Box2D's `RayCast` towards each ray's end with
   * Gymnasium's callback, which ignores fixtures without category bit 1 (the walker's own) and
   * clips the ray to every hit, so the last reported fraction is the nearest terrain hit.
   */
  #castLidar(posX: number, posY: number): number[] {
    const fractions: number[] = [];
    this.#lidar = [];
    const world = this.#world!;
    for (let k = 0; k < 10; k++) {
      const x2 = posX + LIDAR_DX[k];
      const y2 = posY + LIDAR_DY[k];
      lidarHit.fraction = 1.0;
      world.rayCast(lidarCallback, posX, posY, x2, y2);
      fractions.push(lidarHit.fraction);
      this.#lidar.push({
        x1: posX,
        y1: posY,
        x2: f32(x2),
        y2: f32(y2),
        fraction: lidarHit.fraction,
      });
    }
    return fractions;
  }

  /**
   * The scene now, for plotting: terrain polyline, obstacles, hull and leg outlines, the lower
   * legs' ground contacts and the lidar rays of the last step.
   */
  frame(): Box2DFrame {
    if (this.#world === null) {
      throw new Error(`${this.id}.frame: call reset() first; there is no world yet`);
    }
    const names = ["upper-leg-1", "lower-leg-1", "upper-leg-2", "lower-leg-2"];
    return {
      task: "BipedalWalker",
      terrain: { x: [...this.#terrain.x], y: [...this.#terrain.y] },
      obstacles: this.#terrain.obstacles.map((p) =>
        p.map(([x, y]) => [f32(x), f32(y)] as [number, number])
      ),
      bodies: [
        bodyPose("hull", this.#hull!),
        ...this.#legs.map((leg, k) => bodyPose(names[k], leg)),
      ],
      contacts: { "lower-leg-1": this.#groundContact[0], "lower-leg-2": this.#groundContact[1] },
      lidar: this.#lidar.map((r) => ({ ...r })),
    };
  }

  /**
   * The episode as JSON: the terrain the world is built from, the clouds, the world's changing
   * state (bodies, joints, contacts with their warm-starting impulses, broadphase), the ground
   * contacts, the fall flag, the previous shaping and the last lidar rays.
   */
  protected getPhysicsState(): EnvState {
    if (this.#world === null) return { hardcore: this.hardcore, episode: null };
    return {
      hardcore: this.hardcore,
      episode: {
        terrain: this.#terrain as unknown as JsonValue,
        clouds: this.#clouds,
        gameOver: this.#gameOver,
        groundContact: [...this.#groundContact],
        prevShaping: this.#prevShaping,
        lidar: this.#lidar as unknown as JsonValue,
        world: snapshotWorld(this.#world) as unknown as JsonValue,
      },
    };
  }

  /** Rebuilds the world from the snapshot's terrain and restores its changing state. */
  protected setPhysicsState(s: EnvState): void {
    if (s.hardcore !== this.hardcore) {
      throw new RangeError(
        `${this.id}.setState: the state was taken with hardcore = ${describe(s.hardcore)}; ` +
          `restore into an env made with the same options`,
      );
    }
    const e = s.episode as Record<string, JsonValue> | null | undefined;
    if (e === null) {
      this.#world = null;
      return;
    }
    const terrain = e?.terrain as Record<string, JsonValue> | undefined;
    if (
      e === undefined || terrain === undefined || terrain === null ||
      !Array.isArray(terrain.x) || terrain.x.length !== TERRAIN_LENGTH ||
      !Array.isArray(terrain.y) || terrain.y.length !== TERRAIN_LENGTH ||
      !Array.isArray(terrain.obstacles) || !Array.isArray(e.clouds) ||
      typeof e.gameOver !== "boolean" || !Array.isArray(e.groundContact) ||
      !(e.prevShaping === null || typeof e.prevShaping === "number") ||
      !Array.isArray(e.lidar) || typeof e.world !== "object" || e.world === null
    ) {
      throw new TypeError(`${this.id}.setState: malformed episode state ${describe(e)}`);
    }
    this.#clouds = e.clouds as [number, number][][];
    this.#build(terrain as unknown as Terrain);
    restoreWorld(this.#world!, e.world as unknown as WorldSnapshot);
    this.#gameOver = e.gameOver;
    this.#groundContact = [e.groundContact[0] === true, e.groundContact[1] === true];
    this.#prevShaping = e.prevShaping;
    this.#lidar = e.lidar as unknown as LidarRay[];
  }
}

/**
 * The walker's terrain: the 200-point polyline and, in hardcore, the obstacle polygons in the
 * order Gymnasium creates their bodies (float64, as Gymnasium computes them).
 *
 * @example
 * ```ts
 * import type { Terrain } from "./bipedal_walker.ts";
 * const flat: Terrain = { x: [0, 14 / 30], y: [10 / 3, 10 / 3], obstacles: [] };
 * ```
 */
export interface Terrain {
  /** Polyline x (i·14/30). */
  x: number[];
  /** Polyline y. */
  y: number[];
  /** Static polygons (stumps, stair steps, pit walls). */
  obstacles: [number, number][][];
}

/**
 * Gymnasium's `_generate_terrain` without the world: a flat start pad, grass as a damped random
 * walk, and in hardcore mode stumps, stairs and pits, making exactly Gymnasium's draws in order.
 *
 * @example
 * ```ts
 * import { generateTerrain } from "./bipedal_walker.ts";
 * let u = 0.1;
 * const draws = {
 *   uniform: (lo: number, hi: number) => lo + (hi - lo) * (u = (u * 7.3) % 1),
 *   integers: (lo: number, hi: number) => Math.ceil(lo),
 *   random: () => 0.5,
 * } as Parameters<typeof generateTerrain>[0];
 * generateTerrain(draws, false).x.length; // 200
 * ```
 */
export function generateTerrain(draws: Box2DDraws, hardcore: boolean): Terrain {
  let state = GRASS;
  let velocity = 0.0;
  let y = TERRAIN_HEIGHT;
  let counter = TERRAIN_STARTPAD;
  let oneshot = false;
  const terrainX: number[] = [];
  const terrainY: number[] = [];
  const obstacles: [number, number][][] = [];
  let stairSteps = 0;
  let stairWidth = 0;
  let stairHeight = 0;
  let originalY = 0;
  for (let i = 0; i < TERRAIN_LENGTH; i++) {
    const x = i * TERRAIN_STEP;
    terrainX.push(x);
    if (state === GRASS && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * Math.sign(TERRAIN_HEIGHT - y);
      if (i > TERRAIN_STARTPAD) velocity += draws.uniform(-1, 1) / SCALE;
      y += velocity;
    } else if (state === PIT && oneshot) {
      counter = draws.integers(3, 5);
      const poly: [number, number][] = [
        [x, y],
        [x + TERRAIN_STEP, y],
        [x + TERRAIN_STEP, y - 4 * TERRAIN_STEP],
        [x, y - 4 * TERRAIN_STEP],
      ];
      obstacles.push(poly);
      obstacles.push(poly.map(([px, py]) => [px + TERRAIN_STEP * counter, py]));
      counter += 2;
      originalY = y;
    } else if (state === PIT && !oneshot) {
      y = originalY;
      if (counter > 1) y -= 4 * TERRAIN_STEP;
    } else if (state === STUMP && oneshot) {
      counter = draws.integers(1, 3);
      obstacles.push([
        [x, y],
        [x + counter * TERRAIN_STEP, y],
        [x + counter * TERRAIN_STEP, y + counter * TERRAIN_STEP],
        [x, y + counter * TERRAIN_STEP],
      ]);
    } else if (state === STAIRS && oneshot) {
      stairHeight = draws.random() > 0.5 ? 1 : -1;
      stairWidth = draws.integers(4, 5);
      stairSteps = draws.integers(3, 5);
      originalY = y;
      for (let s = 0; s < stairSteps; s++) {
        obstacles.push([
          [x + s * stairWidth * TERRAIN_STEP, y + s * stairHeight * TERRAIN_STEP],
          [x + (1 + s) * stairWidth * TERRAIN_STEP, y + s * stairHeight * TERRAIN_STEP],
          [x + (1 + s) * stairWidth * TERRAIN_STEP, y + (-1 + s * stairHeight) * TERRAIN_STEP],
          [x + s * stairWidth * TERRAIN_STEP, y + (-1 + s * stairHeight) * TERRAIN_STEP],
        ]);
      }
      counter = stairSteps * stairWidth;
    } else if (state === STAIRS && !oneshot) {
      const s = stairSteps * stairWidth - counter - stairHeight;
      const n = s / stairWidth;
      y = originalY + n * stairHeight * TERRAIN_STEP;
    }
    oneshot = false;
    terrainY.push(y);
    counter -= 1;
    if (counter === 0) {
      counter = draws.integers(TERRAIN_GRASS / 2, TERRAIN_GRASS);
      if (state === GRASS && hardcore) {
        state = draws.integers(1, STATES);
        oneshot = true;
      } else {
        state = GRASS;
        oneshot = true;
      }
    }
  }
  return { x: terrainX, y: terrainY, obstacles };
}

/**
 * Gymnasium's `_generate_clouds`: 10 decorative pentagons; only their draws matter (they shift
 * every draw after them).
 *
 * @example
 * ```ts
 * import { generateClouds } from "./bipedal_walker.ts";
 * const draws = { uniform: (lo: number, hi: number) => (lo + hi) / 2 } as Parameters<
 *   typeof generateClouds
 * >[0];
 * generateClouds(draws).length; // 10
 * ```
 */
export function generateClouds(draws: Box2DDraws): [number, number][][] {
  const clouds: [number, number][][] = [];
  for (let k = 0; k < TERRAIN_LENGTH / 20; k++) {
    const x = draws.uniform(0, TERRAIN_LENGTH) * TERRAIN_STEP;
    const y = ((VIEWPORT_H / SCALE) * 3) / 4;
    const poly: [number, number][] = [];
    for (let a = 0; a < 5; a++) {
      const px = x + 15 * TERRAIN_STEP * Math.sin((3.14 * 2 * a) / 5) +
        draws.uniform(0, 5 * TERRAIN_STEP);
      const py = y + 5 * TERRAIN_STEP * Math.cos((3.14 * 2 * a) / 5) +
        draws.uniform(0, 5 * TERRAIN_STEP);
      poly.push([px, py]);
    }
    clouds.push(poly);
  }
  return clouds;
}

/** The state of Gymnasium's `LidarCallback` during one ray cast. */
const lidarHit = { fraction: 1.0 };

/** Gymnasium's `LidarCallback.ReportFixture`. */
function lidarCallback(fixture: Fixture, fraction: number): number {
  if ((fixture.categoryBits & 1) === 0) return -1;
  lidarHit.fraction = fraction;
  return fraction;
}
