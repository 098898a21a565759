/**
 * Exact snapshots of a `World`'s changing state as JSON-safe numbers: {@linkcode snapshotWorld}
 * and {@linkcode restoreWorld} (into a world that the same deterministic builder has just made),
 * after which the world steps on bit-identically.
 *
 * @module
 */
import type { Body, Fixture, World } from "./world.ts";

/** A moving body's state (shapes and masses are rebuilt from the task's own data). */
export interface BodySnapshot {
  /** Transform: position x, y, rotation sin, cos. */
  xf: [number, number, number, number];
  /** Sweep: c0.x, c0.y, c.x, c.y, a0, a, alpha0. */
  sweep: [number, number, number, number, number, number, number];
  /** Linear velocity x, y and angular velocity. */
  velocity: [number, number, number];
  /** Accumulated force x, y and torque (zero between steps unless applied). */
  force: [number, number, number];
  /** Awake flag. */
  awake: boolean;
  /** Sleep timer (s). */
  sleepTime: number;
  /** Fat AABBs of the body's fixture proxies in fixture creation order: [lx, ly, ux, uy]. */
  proxies: [number, number, number, number][];
}

/** A revolute joint's state. */
export interface JointSnapshot {
  /** Accumulated impulse x, y (point) and z (limit). */
  impulse: [number, number, number];
  /** Accumulated motor impulse. */
  motorImpulse: number;
  /** Limit state. */
  limitState: number;
  /** Motor speed. */
  motorSpeed: number;
  /** Maximum motor torque. */
  maxMotorTorque: number;
}

/** A contact: which fixtures, its flags and its manifold with the warm-starting impulses. */
export interface ContactSnapshot {
  /** Fixture A and B as indices into the world's fixtures in creation order. */
  fixtures: [number, number];
  /** Touching, enabled, filter flags. */
  flags: [boolean, boolean, boolean];
  /** TOI flag, count and time of impact. */
  toi: [boolean, number, number];
  /** Manifold type (−1 before any collision), local normal x, y, local point x, y. */
  manifold: [number, number, number, number, number];
  /** Manifold points: local point x, y, normal impulse, tangent impulse, feature key. */
  points: [number, number, number, number, number][];
}

/** The changing state of a world: bodies, joints and contacts in creation order. */
export interface WorldSnapshot {
  /** Every dynamic body, in creation order (static bodies never change). */
  bodies: BodySnapshot[];
  /** Every joint in creation order. */
  joints: JointSnapshot[];
  /** Every contact, oldest first. */
  contacts: ContactSnapshot[];
  /** 1/dt of the last step (the warm-starting ratio's memory). */
  invDt0: number;
}

/** Fixtures of all bodies in creation order. */
function allFixtures(world: World): Fixture[] {
  const out: Fixture[] = [];
  for (const body of world.bodies()) out.push(...[...body.fixtures].reverse());
  return out;
}

function moving(world: World): Body[] {
  return world.bodies().filter((b) => b.dynamic);
}

/**
 * Everything about a world that changes while it steps, exactly (plain numbers that JSON
 * round-trips).
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * import { snapshotWorld } from "./snapshot.ts";
 * const world = new World(0, -10);
 * world.createBody({ type: "dynamic", position: [0, 4] }).createFixture(boxShape(0.5, 0.5), {
 *   density: 1,
 * });
 * world.step(1 / 50, 8, 3);
 * const snap = snapshotWorld(world); // JSON.stringify(snap) restores exactly
 * ```
 */
export function snapshotWorld(world: World): WorldSnapshot {
  const fixtures = allFixtures(world);
  const index = new Map(fixtures.map((f, i) => [f, i]));
  const aabb = world.broadPhase.tree.aabb;
  return {
    bodies: moving(world).map((b): BodySnapshot => ({
      xf: [b.xf.px, b.xf.py, b.xf.s, b.xf.c],
      sweep: [b.c0x, b.c0y, b.cx, b.cy, b.a0, b.a, b.alpha0],
      velocity: [b.vx, b.vy, b.w],
      force: [b.fx, b.fy, b.torque],
      awake: b.awake,
      sleepTime: b.sleepTime,
      proxies: [...b.fixtures].reverse().map((f) => {
        const k = 4 * f.proxyId;
        return [aabb[k], aabb[k + 1], aabb[k + 2], aabb[k + 3]];
      }),
    })),
    joints: world.joints().map((j): JointSnapshot => ({
      impulse: [j.impulseX, j.impulseY, j.impulseZ],
      motorImpulse: j.motorImpulse,
      limitState: j.limitState,
      motorSpeed: j.motorSpeed,
      maxMotorTorque: j.maxMotorTorque,
    })),
    contacts: world.contacts().map((c): ContactSnapshot => {
      const m = c.manifold;
      return {
        fixtures: [index.get(c.fixtureA)!, index.get(c.fixtureB)!],
        flags: [c.touching, c.enabled, c.filter],
        toi: [c.toiFlag, c.toiCount, c.toi],
        manifold: [m.type, m.localNormalX, m.localNormalY, m.localPointX, m.localPointY],
        points: m.points.slice(0, m.pointCount).map((
          p,
        ) => [p.localPointX, p.localPointY, p.normalImpulse, p.tangentImpulse, p.id]),
      };
    }),
    invDt0: world.invDt0,
  };
}

/**
 * Restores a {@linkcode snapshotWorld} snapshot into a world that the same deterministic builder
 * has just made (same bodies, fixtures and joints in the same order, not stepped yet): body and
 * joint states, the broadphase's fat AABBs (and an empty move buffer, as between steps), and the
 * contacts re-created oldest first, so that the world's and every body's contact lists have the
 * same order as before.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * import { restoreWorld, snapshotWorld } from "./snapshot.ts";
 * const build = () => {
 *   const world = new World(0, -10);
 *   world.createBody({ type: "dynamic", position: [0, 4] }).createFixture(boxShape(0.5, 0.5), {
 *     density: 1,
 *   });
 *   return world;
 * };
 * const a = build();
 * a.step(1 / 50, 8, 3);
 * const b = build();
 * restoreWorld(b, JSON.parse(JSON.stringify(snapshotWorld(a))));
 * ```
 */
export function restoreWorld(world: World, snap: WorldSnapshot): void {
  const bodies = moving(world);
  const joints = world.joints();
  if (bodies.length !== snap.bodies.length || joints.length !== snap.joints.length) {
    throw new RangeError(
      `restoreWorld: the snapshot has ${snap.bodies.length} moving bodies and ` +
        `${snap.joints.length} joints, the world ${bodies.length} and ${joints.length}; restore ` +
        `into a world built from the same task state`,
    );
  }
  if (world.contactList !== null) {
    throw new Error("restoreWorld: the world already has contacts; restore into a fresh world");
  }
  const fixtures = allFixtures(world);
  const tree = world.broadPhase.tree;
  bodies.forEach((b, k) => {
    const s = snap.bodies[k];
    [b.xf.px, b.xf.py, b.xf.s, b.xf.c] = s.xf;
    [b.c0x, b.c0y, b.cx, b.cy, b.a0, b.a, b.alpha0] = s.sweep;
    [b.vx, b.vy, b.w] = s.velocity;
    [b.fx, b.fy, b.torque] = s.force;
    [...b.fixtures].reverse().forEach((f, i) => {
      const [lx, ly, ux, uy] = s.proxies[i];
      tree.removeLeaf(f.proxyId);
      const o = 4 * f.proxyId;
      tree.aabb[o] = lx;
      tree.aabb[o + 1] = ly;
      tree.aabb[o + 2] = ux;
      tree.aabb[o + 3] = uy;
      tree.insertLeaf(f.proxyId);
    });
  });
  joints.forEach((j, k) => {
    const s = snap.joints[k];
    [j.impulseX, j.impulseY, j.impulseZ] = s.impulse;
    j.motorImpulse = s.motorImpulse;
    j.limitState = s.limitState;
    j.motorSpeed = s.motorSpeed;
    j.maxMotorTorque = s.maxMotorTorque;
  });
  world.broadPhase.moveBuffer.length = 0;
  world.newFixture = false;
  for (const s of snap.contacts) {
    const [fa, fb] = s.fixtures;
    const c = fixtures[fa] && fixtures[fb] ? world.createContact(fixtures[fa], fixtures[fb]) : null;
    if (c === null || c.fixtureA !== fixtures[fa]) {
      throw new Error(`restoreWorld: could not re-create the contact of fixtures ${fa} and ${fb}`);
    }
    [c.touching, c.enabled, c.filter] = s.flags;
    [c.toiFlag, c.toiCount, c.toi] = s.toi;
    const m = c.manifold;
    [m.type, m.localNormalX, m.localNormalY, m.localPointX, m.localPointY] = s.manifold;
    m.pointCount = s.points.length;
    s.points.forEach((p, i) => {
      const mp = m.points[i];
      [mp.localPointX, mp.localPointY, mp.normalImpulse, mp.tangentImpulse, mp.id] = p;
    });
  }
  // Contact creation wakes bodies; the snapshot's flags and timers win.
  bodies.forEach((b, k) => {
    b.awake = snap.bodies[k].awake;
    b.sleepTime = snap.bodies[k].sleepTime;
  });
  world.invDt0 = snap.invDt0;
}
