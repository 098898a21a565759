/**
 * A drawable snapshot of a Box2D task's scene ({@linkcode Box2DFrame}): the terrain, the bodies'
 * outlines and poses, contact flags and task extras (helipad, lidar rays). Both Box2D tasks return
 * one from `frame()` after every `reset` or `step`; `lib/plot/box2d.ts` draws a list of them.
 *
 * @module
 */
import type { Body } from "./world.ts";

/**
 * A body's pose and outline in world coordinates.
 *
 * @example
 * ```ts
 * import type { BodyPose } from "./scene.ts";
 * const p: BodyPose = { name: "hull", x: 0, y: 0, angle: 0, polygon: [[0, 0], [1, 0], [0, 1]] };
 * ```
 */
export interface BodyPose {
  /** Which body ("lander", "leg-left", "hull", ...). */
  name: string;
  /** Origin x. */
  x: number;
  /** Origin y. */
  y: number;
  /** Angle (radians). */
  angle: number;
  /** Outline vertices in world coordinates (not closed: the last vertex joins the first). */
  polygon: [number, number][];
}

/**
 * One lidar ray of the walker: from (x1, y1) towards (x2, y2), hitting at `fraction` of its length
 * (1 when it hits nothing).
 *
 * @example
 * ```ts
 * import type { LidarRay } from "./scene.ts";
 * const ray: LidarRay = { x1: 0, y1: 5, x2: 0, y2: -0.3, fraction: 0.7 };
 * ```
 */
export interface LidarRay {
  /** Start x (the hull position). */
  x1: number;
  /** Start y. */
  y1: number;
  /** End x at full range. */
  x2: number;
  /** End y at full range. */
  y2: number;
  /** Fraction of the range at the first terrain hit. */
  fraction: number;
}

/**
 * The scene of a Box2D task at one moment, in world units (30 px per unit).
 *
 * @example
 * ```ts
 * import type { Box2DFrame } from "./scene.ts";
 * const f: Box2DFrame = {
 *   task: "LunarLander", terrain: { x: [0, 20], y: [3, 3] }, obstacles: [], bodies: [],
 *   contacts: { "leg-left": false, "leg-right": false },
 * };
 * ```
 */
export interface Box2DFrame {
  /** "LunarLander" or "BipedalWalker". */
  task: "LunarLander" | "BipedalWalker";
  /** The ground polyline (the moon surface or the walker's terrain). */
  terrain: { x: number[]; y: number[] };
  /** Static polygons on the ground (the hardcore walker's stumps, pits and stairs). */
  obstacles: [number, number][][];
  /** The moving bodies. */
  bodies: BodyPose[];
  /** Ground-contact flags by body name (the lander's legs, the walker's lower legs). */
  contacts: Record<string, boolean>;
  /** LunarLander: the helipad flags at x1 and x2, on height y. */
  helipad?: { x1: number; x2: number; y: number };
  /** BipedalWalker: the 10 lidar rays of the last step. */
  lidar?: LidarRay[];
}

/**
 * A body's pose and its (single polygon) fixture outline in world coordinates.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * import { bodyPose } from "./scene.ts";
 * const world = new World(0, -10);
 * const crate = world.createBody({ type: "dynamic", position: [0, 4] });
 * crate.createFixture(boxShape(0.5, 0.5), { density: 1 });
 * bodyPose("crate", crate).polygon; // [[-0.5, 3.5], [0.5, 3.5], [0.5, 4.5], [-0.5, 4.5]]
 * ```
 */
export function bodyPose(name: string, body: Body): BodyPose {
  const { px, py, s, c } = body.xf;
  const { vx, vy } = body.fixtures[0].shape;
  return {
    name,
    x: px,
    y: py,
    angle: body.a,
    polygon: Array.from(vx, (x, i) => [c * x - s * vy[i] + px, s * x + c * vy[i] + py]),
  };
}
