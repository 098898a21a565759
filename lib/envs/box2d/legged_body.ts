/**
 * The parts LunarLander and BipedalWalker build their vehicle from, as Gymnasium defines them: a
 * hull polygon drawn in pixels, box-shaped legs, and motorised, limited revolute joints between
 * them. Each helper creates exactly the bodies and fixtures Gymnasium's code does, so the worlds
 * (and their float32 trajectories) stay the same.
 *
 * @module
 */
import type { RevoluteJoint } from "./revolute_joint.ts";
import { boxShape, polygonShape } from "./shapes.ts";
import type { Body, World } from "./world.ts";

/** Collision category of the legs (both tasks). */
const LEG_CATEGORY = 0x0020;

/**
 * The hull: a dynamic body at (x, y) with one polygon fixture, `pixels` divided by `scale`
 * (density 5, friction 0.1, restitution 0; collides with the ground, category 0x001, only).
 *
 * @example
 * ```ts
 * import { hullBody } from "./legged_body.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const hull = hullBody(world, 10, 13, [[-14, 17], [-17, 0], [17, 0], [14, 17]], 30, 0x0010);
 * hull.fixtures.length; // 1
 * ```
 */
export function hullBody(
  world: World,
  x: number,
  y: number,
  pixels: readonly (readonly [number, number])[],
  scale: number,
  categoryBits: number,
): Body {
  const hull = world.createBody({ type: "dynamic", position: [x, y] });
  hull.createFixture(polygonShape(pixels.map(([px, py]) => [px / scale, py / scale])), {
    density: 5.0,
    friction: 0.1,
    categoryBits,
    maskBits: 0x001,
    restitution: 0.0,
  });
  return hull;
}

/**
 * A leg: a dynamic box body with half extents (hx, hy) at (x, y), turned by `angle` (density 1,
 * restitution 0, category 0x0020; collides with the ground only).
 *
 * @example
 * ```ts
 * import { legBody } from "./legged_body.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const leg = legBody(world, 10, 12, -0.05, 2 / 30, 8 / 30);
 * leg.a; // -0.05 as float32
 * ```
 */
export function legBody(
  world: World,
  x: number,
  y: number,
  angle: number,
  hx: number,
  hy: number,
): Body {
  const leg = world.createBody({ type: "dynamic", position: [x, y], angle });
  leg.createFixture(boxShape(hx, hy), {
    density: 1.0,
    restitution: 0.0,
    categoryBits: LEG_CATEGORY,
    maskBits: 0x001,
  });
  return leg;
}

/**
 * What differs between the tasks' leg joints: the anchors, the motor and the limits.
 *
 * @example
 * ```ts
 * import type { LegJointDef } from "./legged_body.ts";
 * const hip: LegJointDef = {
 *   localAnchorA: [0, 4 / 30], localAnchorB: [0, 17 / 30],
 *   maxMotorTorque: 80, motorSpeed: 1, lowerAngle: -0.8, upperAngle: 1.1,
 * };
 * ```
 */
export interface LegJointDef {
  /** Anchor in body A's frame. */
  localAnchorA: readonly [number, number];
  /** Anchor in body B's frame. */
  localAnchorB: readonly [number, number];
  /** Maximum motor torque. */
  maxMotorTorque: number;
  /** Initial motor speed (rad/s). */
  motorSpeed: number;
  /** Lower angle limit. */
  lowerAngle: number;
  /** Upper angle limit. */
  upperAngle: number;
}

/**
 * A leg joint: a revolute joint from `a` to `b` with its motor and limits enabled, the two bodies
 * not colliding with each other.
 *
 * @example
 * ```ts
 * import { hullBody, legBody, legJoint } from "./legged_body.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const hull = hullBody(world, 10, 13, [[-14, 17], [-17, 0], [17, 0], [14, 17]], 30, 0x0010);
 * const leg = legBody(world, 10, 12, 0.05, 2 / 30, 8 / 30);
 * legJoint(world, hull, leg, {
 *   localAnchorA: [0, 0], localAnchorB: [0, 0],
 *   maxMotorTorque: 40, motorSpeed: 0.3, lowerAngle: -0.9, upperAngle: -0.4,
 * });
 * ```
 */
export function legJoint(world: World, a: Body, b: Body, def: LegJointDef): RevoluteJoint {
  return world.createRevoluteJoint(a, b, {
    ...def,
    enableMotor: true,
    enableLimit: true,
    collideConnected: false,
  });
}
