/**
 * A float32 Box2D 2.3.10 world, bit-identical to the one pybox2d 2.3.10 steps for Gymnasium's
 * Box2D tasks: bodies, fixtures (polygons and edges), revolute joints, the contact manager,
 * `b2World::Step` (collide, island solve, continuous collision), ray casts and contact callbacks.
 *
 * Every quantity Box2D stores as a C `float` (positions, angles, sweeps, velocities, forces,
 * masses, impulses, manifolds, broadphase AABBs, joint state, sleep timers, times of impact) is a
 * float32 value here, computed with float32 arithmetic in Box2D's operation order (`settings.ts`),
 * and every rotation comes from glibc's `sinf`/`cosf` (`lib/libm`). Lists keep Box2D's order
 * (new bodies, contacts and joints are prepended; contacts are created in sorted proxy-id order),
 * which decides the order in which the solver visits them.
 *
 * Supported: static and dynamic bodies; polygon and edge (no ghost vertices) fixtures with
 * category/mask filtering; revolute joints; no sensors, circles, chains, other joints, kinematic
 * bodies or body destruction (the Gymnasium tasks build a fresh world per episode).
 *
 * @module
 */
import { BroadPhase } from "./broad_phase.ts";
import { collideEdgePolygon, collidePolygons, Manifold } from "./collide.ts";
import {
  ContactSolver,
  type IslandJoint,
  solveIsland,
  solveIslandTOI,
  type SolverData,
  solverData,
  type TimeStep,
  timeStep,
} from "./island.ts";
import { type JointEdge, RevoluteJoint, type RevoluteJointDef } from "./revolute_joint.ts";
import {
  ANGULAR_SLEEP_TOLERANCE,
  EPSILON,
  f32,
  LINEAR_SLEEP_TOLERANCE,
  MAX_FLOAT,
  MAX_SUB_STEPS,
  MAX_TOI_CONTACTS,
  TIME_TO_SLEEP,
} from "./settings.ts";
import {
  computeAABB,
  computeMass,
  EdgeShape,
  PolygonShape,
  rayCastShape,
  type Shape,
  type Transform,
} from "./shapes.ts";
import { Sweep, timeOfImpact, TOI_STATE, toiOut } from "./toi.ts";
import { mulXfX, mulXfY, setTransform } from "./math.ts";
import { sincosf, sincosOut } from "../../libm/mod.ts";

/** Options of a fixture (`b2FixtureDef`; pybox2d's defaults). */
export interface FixtureOptions {
  /** Density (default 0). */
  density?: number;
  /** Friction coefficient (default 0.2). */
  friction?: number;
  /** Restitution (default 0). */
  restitution?: number;
  /** Collision category bits (default 0x0001). */
  categoryBits?: number;
  /** Collision mask bits (default 0xFFFF). */
  maskBits?: number;
}

/**
 * A shape attached to a body (`b2Fixture`), with its broadphase proxy.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const body = world.createBody({ type: "dynamic", position: [0, 1] });
 * const fixture = body.createFixture(boxShape(0.5, 0.5), { density: 1, friction: 0.3 });
 * fixture.proxyId; // 0: the first broadphase proxy
 * ```
 */
export class Fixture {
  /** The body. */
  readonly body: Body;
  /** The shape (body frame). */
  readonly shape: Shape;
  /** Density (float32). */
  readonly density: number;
  /** Friction (float32). */
  readonly friction: number;
  /** Restitution (float32). */
  readonly restitution: number;
  /** Category bits. */
  readonly categoryBits: number;
  /** Mask bits. */
  readonly maskBits: number;
  /** Broadphase proxy id. */
  proxyId = -1;
  /** The proxy's AABB (`b2FixtureProxy::aabb`): lower x, lower y, upper x, upper y. */
  readonly aabb = new Float64Array(4);

  /** A fixture (use `Body.createFixture`). */
  constructor(body: Body, shape: Shape, options: FixtureOptions) {
    this.body = body;
    this.shape = shape;
    this.density = f32(options.density ?? 0);
    this.friction = f32(options.friction ?? 0.2);
    this.restitution = f32(options.restitution ?? 0);
    this.categoryBits = options.categoryBits ?? 0x0001;
    this.maskBits = options.maskBits ?? 0xffff;
  }
}

/** A link in a body's contact list (`b2ContactEdge`). */
export interface ContactEdge {
  /** The contact. */
  contact: Contact;
  /** The body at the other end. */
  other: Body;
  /** Previous edge. */
  prev: ContactEdge | null;
  /** Next edge. */
  next: ContactEdge | null;
}

/** Options of {@linkcode World.createBody} (`b2BodyDef`). */
export interface BodyOptions {
  /** "dynamic" or "static". */
  type: "dynamic" | "static";
  /** Position of the body origin (rounded to float32). */
  position: readonly [number, number];
  /** Angle in radians (rounded to float32; default 0). */
  angle?: number;
}

/**
 * A rigid body (`b2Body`). Its state is public and float32-valued: the transform `xf`, the sweep
 * (local centre, c0/a0 at alpha0, c/a at the end of the step), velocities, accumulated force,
 * mass data and the sleep timer.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const crate = world.createBody({ type: "dynamic", position: [0, 4], angle: 0.1 });
 * crate.createFixture(boxShape(0.5, 0.5), { density: 1 });
 * crate.applyForceToCenter(0, 50, true);
 * world.step(1 / 50, 8, 3);
 * [crate.xf.px, crate.xf.py, crate.a, crate.vy]; // float32 values, as pybox2d's
 * ```
 */
export class Body extends Sweep {
  /** The world. */
  readonly world: World;
  /** Whether the body is dynamic (else static). */
  readonly dynamic: boolean;
  /** Transform of the body origin. */
  readonly xf: Transform;
  /** Linear velocity x. */
  vx = 0;
  /** Linear velocity y. */
  vy = 0;
  /** Angular velocity. */
  w = 0;
  /** Accumulated force x. */
  fx = 0;
  /** Accumulated force y. */
  fy = 0;
  /** Accumulated torque. */
  torque = 0;
  /** Mass. */
  mass: number;
  /** 1/mass. */
  invMass: number;
  /** Rotational inertia about the centre of mass. */
  I = 0;
  /** 1/I. */
  invI = 0;
  /** Linear damping (0). */
  readonly linearDamping = 0;
  /** Angular damping (0). */
  readonly angularDamping = 0;
  /** Gravity scale (1). */
  readonly gravityScale = 1;
  /** Awake flag. */
  awake = true;
  /** Sleep timer (float32 seconds). */
  sleepTime = 0;
  /** Island bookkeeping. */
  islandFlag = false;
  /** Index in the island being solved. */
  islandIndex = 0;
  /** Fixtures, newest first (Box2D's `m_fixtureList` order). */
  readonly fixtures: Fixture[] = [];
  /** Contact edges, newest first. */
  contactList: ContactEdge | null = null;
  /** Joint edges, newest first. */
  jointList: JointEdge | null = null;
  /** World body list links (newest first). */
  prev: Body | null = null;
  /** World body list links. */
  next: Body | null = null;

  /** A body (use {@linkcode World.createBody}). */
  constructor(world: World, options: BodyOptions) {
    super();
    this.world = world;
    this.dynamic = options.type === "dynamic";
    const x = f32(options.position[0]);
    const y = f32(options.position[1]);
    const angle = f32(options.angle ?? 0);
    sincosf(angle);
    this.xf = { px: x, py: y, s: sincosOut.s, c: sincosOut.c };
    this.c0x = this.cx = x;
    this.c0y = this.cy = y;
    this.a0 = this.a = angle;
    this.mass = this.invMass = this.dynamic ? 1 : 0;
  }

  /**
   * `b2Body::CreateFixture`: the fixture's broadphase proxy is created at once, and a fixture
   * with density updates the mass data (`ResetMassData`).
   */
  createFixture(shape: Shape, options: FixtureOptions = {}): Fixture {
    if (this.world.locked) throw new Error("Body.createFixture: the world is stepping");
    const fixture = new Fixture(this, shape, options);
    computeAABB(shape, this.xf, fixture.aabb, 0);
    fixture.proxyId = this.world.broadPhase.createProxy(fixture.aabb, 0, fixture);
    this.fixtures.unshift(fixture);
    if (fixture.density > 0) this.resetMassData();
    this.world.newFixture = true;
    return fixture;
  }

  /** `ResetMassData`: mass, centre of mass and inertia from the fixtures, in float32. */
  resetMassData(): void {
    this.mass = 0;
    this.invMass = 0;
    this.I = 0;
    this.invI = 0;
    this.localCenterX = 0;
    this.localCenterY = 0;
    if (!this.dynamic) {
      this.c0x = this.cx = this.xf.px;
      this.c0y = this.cy = this.xf.py;
      this.a0 = this.a;
      return;
    }
    let lcx = 0;
    let lcy = 0;
    for (const f of this.fixtures) {
      if (f.density === 0) continue;
      const md = computeMass(f.shape, f.density);
      this.mass = f32(this.mass + md.mass);
      lcx = f32(lcx + f32(md.mass * md.cx));
      lcy = f32(lcy + f32(md.mass * md.cy));
      this.I = f32(this.I + md.I);
    }
    if (this.mass > 0) {
      this.invMass = f32(1 / this.mass);
      lcx = f32(lcx * this.invMass);
      lcy = f32(lcy * this.invMass);
    } else {
      this.mass = 1;
      this.invMass = 1;
    }
    if (this.I > 0) {
      this.I = f32(this.I - f32(this.mass * f32(f32(lcx * lcx) + f32(lcy * lcy))));
      this.invI = f32(1 / this.I);
    } else {
      this.I = 0;
      this.invI = 0;
    }
    const oldX = this.cx;
    const oldY = this.cy;
    this.localCenterX = lcx;
    this.localCenterY = lcy;
    this.c0x = this.cx = mulXfX(this.xf, lcx, lcy);
    this.c0y = this.cy = mulXfY(this.xf, lcx, lcy);
    // v += b2Cross(w, c − oldCenter) = (−w·dy, w·dx).
    this.vx = f32(this.vx + f32(-this.w * f32(this.cy - oldY)));
    this.vy = f32(this.vy + f32(this.w * f32(this.cx - oldX)));
  }

  /** `SetAwake`: waking resets the sleep timer of a sleeping body; sleeping stops the body. */
  setAwake(flag: boolean): void {
    if (flag) {
      if (!this.awake) {
        this.awake = true;
        this.sleepTime = 0;
      }
    } else {
      this.awake = false;
      this.sleepTime = 0;
      this.vx = 0;
      this.vy = 0;
      this.w = 0;
      this.fx = 0;
      this.fy = 0;
      this.torque = 0;
    }
  }

  /** `ApplyForceToCenter` (float32 force). */
  applyForceToCenter(fx: number, fy: number, wake: boolean): void {
    if (!this.dynamic) return;
    if (wake && !this.awake) this.setAwake(true);
    if (this.awake) {
      this.fx = f32(this.fx + f32(fx));
      this.fy = f32(this.fy + f32(fy));
    }
  }

  /** `ApplyTorque`. */
  applyTorque(torque: number, wake: boolean): void {
    if (!this.dynamic) return;
    if (wake && !this.awake) this.setAwake(true);
    if (this.awake) this.torque = f32(this.torque + f32(torque));
  }

  /** `ApplyLinearImpulse` of (ix, iy) at the world point (px, py) (all rounded to float32). */
  applyLinearImpulse(ix: number, iy: number, px: number, py: number, wake: boolean): void {
    if (!this.dynamic) return;
    if (wake && !this.awake) this.setAwake(true);
    if (this.awake) {
      const jx = f32(ix);
      const jy = f32(iy);
      this.vx = f32(this.vx + f32(this.invMass * jx));
      this.vy = f32(this.vy + f32(this.invMass * jy));
      // w += invI·b2Cross(point − c, impulse).
      const rx = f32(f32(px) - this.cx);
      const ry = f32(f32(py) - this.cy);
      this.w = f32(this.w + f32(this.invI * f32(f32(rx * jy) - f32(ry * jx))));
    }
  }

  /** `SynchronizeTransform`: the transform from the sweep's end (c, a). */
  synchronizeTransform(): void {
    setTransform(this.xf, this.cx, this.cy, this.a, this.localCenterX, this.localCenterY);
  }

  /** `SynchronizeFixtures`: each proxy gets the AABB swept from (c0, a0) to the transform. */
  synchronizeFixtures(): void {
    const xf1 = xf1Scratch;
    setTransform(xf1, this.c0x, this.c0y, this.a0, this.localCenterX, this.localCenterY);
    const broadPhase = this.world.broadPhase;
    const xf2 = this.xf;
    for (const f of this.fixtures) {
      computeAABB(f.shape, xf1, aabbScratch, 0);
      computeAABB(f.shape, xf2, aabbScratch, 4);
      const a = aabbScratch;
      const b = f.aabb;
      b[0] = a[0] < a[4] ? a[0] : a[4];
      b[1] = a[1] < a[5] ? a[1] : a[5];
      b[2] = a[2] > a[6] ? a[2] : a[6];
      b[3] = a[3] > a[7] ? a[3] : a[7];
      broadPhase.moveProxy(f.proxyId, b, 0, f32(xf2.px - xf1.px), f32(xf2.py - xf1.py));
    }
  }

  /**
   * `b2Body::Advance`: `b2Sweep::Advance` to alpha, then the sweep's end and the transform move
   * there too.
   */
  advance(alpha: number): void {
    this.advanceSweep(alpha);
    this.cx = this.c0x;
    this.cy = this.c0y;
    this.a = this.a0;
    this.synchronizeTransform();
  }

  /** `ShouldCollide`: one body dynamic, and no joint between them that disables collision. */
  shouldCollide(other: Body): boolean {
    if (!this.dynamic && !other.dynamic) return false;
    for (let je = this.jointList; je; je = je.next) {
      if (je.other === other && !je.joint.collideConnected) return false;
    }
    return true;
  }
}

const xf1Scratch: Transform = { px: 0, py: 0, s: 0, c: 1 };
const aabbScratch = new Float64Array(8);
const oldManifold = new Manifold();

/** Contact callbacks (Gymnasium's `contactListener` subclasses use the first two). */
export interface ContactListener {
  /** Two fixtures started touching. */
  beginContact(contact: Contact): void;
  /** Two fixtures stopped touching. */
  endContact(contact: Contact): void;
}

/**
 * A potential contact between two fixtures whose fat AABBs overlap (`b2Contact`), with its
 * manifold and the warm-starting impulses. Fixture A is the edge of an edge-polygon pair.
 *
 * @example
 * ```ts
 * import { boxShape, edgeShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * world.createBody({ type: "static", position: [0, 0] }).createFixture(edgeShape([-5, 0], [5, 0]));
 * world.createBody({ type: "dynamic", position: [0, 0.5] }).createFixture(boxShape(0.5, 0.5), {
 *   density: 1,
 * });
 * world.step(1 / 50, 8, 3);
 * const contact = world.contactList!;
 * [contact.touching, contact.manifold.pointCount]; // [true, 2]
 * ```
 */
export class Contact {
  /** Fixture A. */
  readonly fixtureA: Fixture;
  /** Fixture B. */
  readonly fixtureB: Fixture;
  /** The manifold. */
  readonly manifold = new Manifold();
  /** Touching flag (the manifold has points). */
  touching = false;
  /** Enabled flag. */
  enabled = true;
  /** Needs re-filtering. */
  filter = false;
  /** Island bookkeeping. */
  islandFlag = false;
  /** The time of impact is valid. */
  toiFlag = false;
  /** TOI sub-steps this step. */
  toiCount = 0;
  /** Time of impact (fraction of the step). */
  toi = 0;
  /** Mixed friction √(μA μB). */
  readonly friction: number;
  /** Mixed restitution max(eA, eB). */
  readonly restitution: number;
  /** Tangent speed (0). */
  readonly tangentSpeed = 0;
  /** World contact list links (newest first). */
  prev: Contact | null = null;
  /** World contact list links. */
  next: Contact | null = null;
  /** This contact in body A's list. */
  readonly nodeA: ContactEdge;
  /** This contact in body B's list. */
  readonly nodeB: ContactEdge;

  /** A contact (the world creates them). */
  constructor(fixtureA: Fixture, fixtureB: Fixture) {
    this.fixtureA = fixtureA;
    this.fixtureB = fixtureB;
    this.friction = f32(Math.sqrt(f32(fixtureA.friction * fixtureB.friction)));
    this.restitution = fixtureA.restitution > fixtureB.restitution
      ? fixtureA.restitution
      : fixtureB.restitution;
    this.nodeA = { contact: this, other: fixtureB.body, prev: null, next: null };
    this.nodeB = { contact: this, other: fixtureA.body, prev: null, next: null };
  }

  /** `Evaluate`: the manifold at the bodies' current transforms. */
  evaluate(): void {
    const a = this.fixtureA;
    const b = this.fixtureB;
    if (a.shape instanceof EdgeShape) {
      collideEdgePolygon(this.manifold, a.shape, a.body.xf, b.shape as PolygonShape, b.body.xf);
    } else {
      collidePolygons(
        this.manifold,
        a.shape as PolygonShape,
        a.body.xf,
        b.shape as PolygonShape,
        b.body.xf,
      );
    }
  }

  /**
   * `Update`: re-evaluates the manifold, carries the impulses of matching feature ids over, wakes
   * the bodies when touching changes and reports begin/end to the listener.
   */
  update(listener: ContactListener | null): void {
    const m = this.manifold;
    oldManifold.copyFrom(m);
    this.enabled = true;
    const wasTouching = this.touching;
    this.evaluate();
    const touching = m.pointCount > 0;
    for (let i = 0; i < m.pointCount; i++) {
      const mp2 = m.points[i];
      mp2.normalImpulse = 0;
      mp2.tangentImpulse = 0;
      for (let j = 0; j < oldManifold.pointCount; j++) {
        const mp1 = oldManifold.points[j];
        if (mp1.id === mp2.id) {
          mp2.normalImpulse = mp1.normalImpulse;
          mp2.tangentImpulse = mp1.tangentImpulse;
          break;
        }
      }
    }
    if (touching !== wasTouching) {
      this.fixtureA.body.setAwake(true);
      this.fixtureB.body.setAwake(true);
    }
    this.touching = touching;
    if (listener !== null) {
      if (!wasTouching && touching) listener.beginContact(this);
      if (wasTouching && !touching) listener.endContact(this);
    }
  }
}

/** Whether two fixtures' filters let them collide (`b2ContactFilter::ShouldCollide`). */
function filterCollide(a: Fixture, b: Fixture): boolean {
  return (a.maskBits & b.categoryBits) !== 0 && (a.categoryBits & b.maskBits) !== 0;
}

/** A ray-cast callback: return −1 to ignore the fixture, 0 to stop, or a fraction to clip to. */
export type RayCastCallback = (fixture: Fixture, fraction: number) => number;

/**
 * `b2World`: gravity, bodies, joints, contacts, the broadphase and `Step`.
 *
 * @example
 * ```ts
 * import { boxShape, edgeShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * world.createBody({ type: "static", position: [0, 0] }).createFixture(edgeShape([-5, 0], [5, 0]));
 * const crate = world.createBody({ type: "dynamic", position: [0, 2] });
 * crate.createFixture(boxShape(0.5, 0.5), { density: 1 });
 * for (let i = 0; i < 100; i++) world.step(1 / 50, 8, 3);
 * crate.cy; // ≈ 0.5: resting on the ground
 * ```
 */
export class World {
  /** Gravity x (float32). */
  readonly gx: number;
  /** Gravity y (float32). */
  readonly gy: number;
  /** The broadphase (proxies carry their fixtures). */
  readonly broadPhase = new BroadPhase<Fixture>();
  /** Body list head (newest first). */
  bodyList: Body | null = null;
  /** Number of bodies. */
  bodyCount = 0;
  /** Joint list head (newest first). */
  jointList: RevoluteJoint | null = null;
  /** Number of joints. */
  jointCount = 0;
  /** Contact list head (newest first). */
  contactList: Contact | null = null;
  /** Number of contacts. */
  contactCount = 0;
  /** A fixture was added since the last step (`e_newFixture`). */
  newFixture = false;
  /** Inside `step` (`e_locked`). */
  locked = false;
  /** 1/dt of the previous step (warm-starting ratio). */
  invDt0 = 0;
  /** The last step ran to completion (no sub-stepping here). */
  stepComplete = true;
  /** Bodies may fall asleep. */
  readonly allowSleep = true;
  /** Contact callbacks. */
  listener: ContactListener | null = null;

  #island: Body[] = [];
  #islandContacts: Contact[] = [];
  #islandJoints: IslandJoint[] = [];
  #stack: Body[] = [];
  #data: SolverData = solverData(8);
  #solver = new ContactSolver();
  #sweepA = new Sweep();
  #sweepB = new Sweep();
  #step: TimeStep = timeStep();
  #subStep: TimeStep = timeStep();
  #addPair = (a: Fixture, b: Fixture): void => this.#addPairImpl(a, b);
  #movable = (f: Fixture): boolean => f.body.dynamic;

  /** A world with gravity (gx, gy) rounded to float32 (`b2World(gravity)`). */
  constructor(gx: number, gy: number) {
    this.gx = f32(gx);
    this.gy = f32(gy);
  }

  /** `CreateBody`: the body goes to the head of the body list. */
  createBody(options: BodyOptions): Body {
    if (this.locked) throw new Error("World.createBody: the world is stepping");
    const body = new Body(this, options);
    body.next = this.bodyList;
    if (this.bodyList) this.bodyList.prev = body;
    this.bodyList = body;
    this.bodyCount++;
    return body;
  }

  /** `CreateJoint` for a revolute joint: linked into the world's and both bodies' lists. */
  createRevoluteJoint(bodyA: Body, bodyB: Body, def: RevoluteJointDef): RevoluteJoint {
    if (this.locked) throw new Error("World.createRevoluteJoint: the world is stepping");
    const j = new RevoluteJoint(bodyA, bodyB, def);
    j.next = this.jointList;
    if (this.jointList) this.jointList.prev = j;
    this.jointList = j;
    this.jointCount++;
    j.edgeA.next = bodyA.jointList;
    if (bodyA.jointList) bodyA.jointList.prev = j.edgeA;
    bodyA.jointList = j.edgeA;
    j.edgeB.next = bodyB.jointList;
    if (bodyB.jointList) bodyB.jointList.prev = j.edgeB;
    bodyB.jointList = j.edgeB;
    if (!def.collideConnected) {
      for (let edge = bodyB.contactList; edge; edge = edge.next) {
        if (edge.other === bodyA) edge.contact.filter = true;
      }
    }
    return j;
  }

  /** Bodies in creation order. */
  bodies(): Body[] {
    const out: Body[] = [];
    for (let b = this.bodyList; b; b = b.next) out.push(b);
    return out.reverse();
  }

  /** Joints in creation order. */
  joints(): RevoluteJoint[] {
    const out: RevoluteJoint[] = [];
    for (let j = this.jointList; j; j = j.next) out.push(j);
    return out.reverse();
  }

  /** Contacts in creation order (oldest first). */
  contacts(): Contact[] {
    const out: Contact[] = [];
    for (let c = this.contactList; c; c = c.next) out.push(c);
    return out.reverse();
  }

  /**
   * `b2World::Step(dt, velocityIterations, positionIterations)`: new contacts, narrow phase,
   * island solve, continuous collision, then the forces are cleared.
   */
  step(dt: number, velocityIterations: number, positionIterations: number): void {
    if (this.newFixture) {
      this.findNewContacts();
      this.newFixture = false;
    }
    this.locked = true;
    const step = this.#step;
    step.dt = f32(dt);
    step.velocityIterations = velocityIterations;
    step.positionIterations = positionIterations;
    step.invDt = step.dt > 0 ? f32(1 / step.dt) : 0;
    step.dtRatio = f32(this.invDt0 * step.dt);
    step.warmStarting = true;
    this.collide();
    if (this.stepComplete && step.dt > 0) this.#solve(step);
    if (step.dt > 0) this.#solveTOI(step);
    if (step.dt > 0) this.invDt0 = step.invDt;
    for (let b = this.bodyList; b; b = b.next) {
      b.fx = 0;
      b.fy = 0;
      b.torque = 0;
    }
    this.locked = false;
  }

  /** `b2ContactManager::FindNewContacts`: the broadphase's new pairs become contacts. */
  findNewContacts(): void {
    this.broadPhase.updatePairs(this.#addPair, this.#movable);
  }

  /** `b2ContactManager::AddPair`. */
  #addPairImpl(fixtureA: Fixture, fixtureB: Fixture): void {
    const bodyA = fixtureA.body;
    const bodyB = fixtureB.body;
    if (bodyA === bodyB) return;
    for (let edge = bodyB.contactList; edge; edge = edge.next) {
      if (edge.other === bodyA) {
        const fA = edge.contact.fixtureA;
        const fB = edge.contact.fixtureB;
        if (fA === fixtureA && fB === fixtureB) return;
        if (fA === fixtureB && fB === fixtureA) return;
      }
    }
    if (!bodyB.shouldCollide(bodyA)) return;
    if (!filterCollide(fixtureA, fixtureB)) return;
    this.createContact(fixtureA, fixtureB);
  }

  /**
   * `b2Contact::Create` (edge-polygon pairs put the edge first; edge-edge pairs make no contact)
   * and the contact manager's linking: head of the world's and both bodies' contact lists, and
   * both bodies woken. Returns the contact, or null.
   */
  createContact(fixtureA: Fixture, fixtureB: Fixture): Contact | null {
    const typeA = fixtureA.shape.type;
    const typeB = fixtureB.shape.type;
    if (typeA === "edge" && typeB === "edge") return null;
    const c = typeA === "polygon" && typeB === "edge"
      ? new Contact(fixtureB, fixtureA)
      : new Contact(fixtureA, fixtureB);
    const bodyA = c.fixtureA.body;
    const bodyB = c.fixtureB.body;
    c.next = this.contactList;
    if (this.contactList) this.contactList.prev = c;
    this.contactList = c;
    c.nodeA.next = bodyA.contactList;
    if (bodyA.contactList) bodyA.contactList.prev = c.nodeA;
    bodyA.contactList = c.nodeA;
    c.nodeB.next = bodyB.contactList;
    if (bodyB.contactList) bodyB.contactList.prev = c.nodeB;
    bodyB.contactList = c.nodeB;
    bodyA.setAwake(true);
    bodyB.setAwake(true);
    this.contactCount++;
    return c;
  }

  /** `b2ContactManager::Destroy`. */
  #destroyContact(c: Contact): void {
    const bodyA = c.fixtureA.body;
    const bodyB = c.fixtureB.body;
    if (this.listener !== null && c.touching) this.listener.endContact(c);
    if (c.prev) c.prev.next = c.next;
    if (c.next) c.next.prev = c.prev;
    if (c === this.contactList) this.contactList = c.next;
    const unlink = (node: ContactEdge, body: Body): void => {
      if (node.prev) node.prev.next = node.next;
      if (node.next) node.next.prev = node.prev;
      if (node === body.contactList) body.contactList = node.next;
    };
    unlink(c.nodeA, bodyA);
    unlink(c.nodeB, bodyB);
    if (c.manifold.pointCount > 0) {
      bodyA.setAwake(true);
      bodyB.setAwake(true);
    }
    this.contactCount--;
  }

  /** `b2ContactManager::Collide`: drops contacts whose proxies separated, updates the rest. */
  collide(): void {
    let c = this.contactList;
    while (c) {
      const fixtureA = c.fixtureA;
      const fixtureB = c.fixtureB;
      const bodyA = fixtureA.body;
      const bodyB = fixtureB.body;
      if (c.filter) {
        if (!bodyB.shouldCollide(bodyA) || !filterCollide(fixtureA, fixtureB)) {
          const nuke = c;
          c = nuke.next;
          this.#destroyContact(nuke);
          continue;
        }
        c.filter = false;
      }
      const activeA = bodyA.awake && bodyA.dynamic;
      const activeB = bodyB.awake && bodyB.dynamic;
      if (!activeA && !activeB) {
        c = c.next;
        continue;
      }
      if (!this.broadPhase.testOverlap(fixtureA.proxyId, fixtureB.proxyId)) {
        const nuke = c;
        c = nuke.next;
        this.#destroyContact(nuke);
        continue;
      }
      c.update(this.listener);
      c = c.next;
    }
  }

  /** `b2World::Solve`: builds islands by depth-first search from awake bodies and solves them. */
  #solve(step: TimeStep): void {
    for (let b = this.bodyList; b; b = b.next) b.islandFlag = false;
    for (let c = this.contactList; c; c = c.next) c.islandFlag = false;
    for (let j = this.jointList; j; j = j.next) j.islandFlag = false;
    const bodies = this.#island;
    const contacts = this.#islandContacts;
    const joints = this.#islandJoints;
    const stack = this.#stack;
    this.#data = solverData(this.bodyCount, this.#data);
    const data = this.#data;
    data.step = step;
    for (let seed = this.bodyList; seed; seed = seed.next) {
      if (seed.islandFlag || !seed.awake || !seed.dynamic) continue;
      let bodyCount = 0;
      let contactCount = 0;
      let jointCount = 0;
      stack.length = 0;
      stack.push(seed);
      seed.islandFlag = true;
      while (stack.length > 0) {
        const b = stack.pop()!;
        b.islandIndex = bodyCount;
        bodies[bodyCount++] = b;
        b.setAwake(true);
        if (!b.dynamic) continue;
        for (let ce = b.contactList; ce; ce = ce.next) {
          const contact = ce.contact;
          if (contact.islandFlag) continue;
          if (!contact.enabled || !contact.touching) continue;
          contacts[contactCount++] = contact;
          contact.islandFlag = true;
          const other = ce.other;
          if (other.islandFlag) continue;
          stack.push(other);
          other.islandFlag = true;
        }
        for (let je = b.jointList; je; je = je.next) {
          if (je.joint.islandFlag) continue;
          const other = je.other;
          joints[jointCount++] = je.joint;
          je.joint.islandFlag = true;
          if (other.islandFlag) continue;
          stack.push(other);
          other.islandFlag = true;
        }
      }
      const positionSolved = solveIsland(
        bodies,
        bodyCount,
        contacts,
        contactCount,
        joints,
        jointCount,
        data,
        this.#solver,
        this.gx,
        this.gy,
      );
      if (this.allowSleep) this.#sleep(bodies, bodyCount, step.dt, positionSolved);
      // Static bodies may take part in other islands.
      for (let i = 0; i < bodyCount; i++) if (!bodies[i].dynamic) bodies[i].islandFlag = false;
    }
    for (let b = this.bodyList; b; b = b.next) {
      if (b.islandFlag && b.dynamic) b.synchronizeFixtures();
    }
    this.findNewContacts();
  }

  /** The sleep pass of `b2Island::Solve`: float32 timers, the island sleeps together. */
  #sleep(bodies: Body[], n: number, h: number, positionSolved: boolean): void {
    let minSleepTime = MAX_FLOAT;
    const linTolSqr = f32(LINEAR_SLEEP_TOLERANCE * LINEAR_SLEEP_TOLERANCE);
    const angTolSqr = f32(ANGULAR_SLEEP_TOLERANCE * ANGULAR_SLEEP_TOLERANCE);
    for (let i = 0; i < n; i++) {
      const b = bodies[i];
      if (!b.dynamic) continue;
      if (
        f32(b.w * b.w) > angTolSqr || f32(f32(b.vx * b.vx) + f32(b.vy * b.vy)) > linTolSqr
      ) {
        b.sleepTime = 0;
        minSleepTime = 0;
      } else {
        b.sleepTime = f32(b.sleepTime + h);
        minSleepTime = minSleepTime < b.sleepTime ? minSleepTime : b.sleepTime;
      }
    }
    if (minSleepTime >= TIME_TO_SLEEP && positionSolved) {
      for (let i = 0; i < n; i++) bodies[i].setAwake(false);
    }
  }

  /** `b2World::SolveTOI`: sub-steps the earliest time of impact with a static body, repeatedly. */
  #solveTOI(step: TimeStep): void {
    if (this.stepComplete) {
      for (let b = this.bodyList; b; b = b.next) {
        b.islandFlag = false;
        b.alpha0 = 0;
      }
      for (let c = this.contactList; c; c = c.next) {
        c.toiFlag = false;
        c.islandFlag = false;
        c.toiCount = 0;
        c.toi = 1;
      }
    }
    const bodies = this.#island;
    const contacts = this.#islandContacts;
    for (;;) {
      // Find the first time of impact.
      let minContact: Contact | null = null;
      let minAlpha = 1;
      for (let c = this.contactList; c; c = c.next) {
        if (!c.enabled) continue;
        if (c.toiCount > MAX_SUB_STEPS) continue;
        let alpha = 1;
        if (c.toiFlag) {
          alpha = c.toi;
        } else {
          const bA = c.fixtureA.body;
          const bB = c.fixtureB.body;
          const activeA = bA.awake && bA.dynamic;
          const activeB = bB.awake && bB.dynamic;
          if (!activeA && !activeB) continue;
          // Only pairs with a non-dynamic body (no bullets here).
          if (bA.dynamic && bB.dynamic) continue;
          let alpha0 = bA.alpha0;
          if (bA.alpha0 < bB.alpha0) {
            alpha0 = bB.alpha0;
            bA.advanceSweep(alpha0);
          } else if (bB.alpha0 < bA.alpha0) {
            alpha0 = bA.alpha0;
            bB.advanceSweep(alpha0);
          }
          this.#sweepA.copySweep(bA);
          this.#sweepB.copySweep(bB);
          timeOfImpact(c.fixtureA.shape, this.#sweepA, c.fixtureB.shape, this.#sweepB);
          const beta = toiOut.t;
          if (toiOut.state === TOI_STATE.touching) {
            const v = f32(alpha0 + f32(f32(1 - alpha0) * beta));
            alpha = v < 1 ? v : 1;
          } else {
            alpha = 1;
          }
          c.toi = alpha;
          c.toiFlag = true;
        }
        if (alpha < minAlpha) {
          minContact = c;
          minAlpha = alpha;
        }
      }
      if (minContact === null || f32(1 - f32(10 * EPSILON)) < minAlpha) {
        this.stepComplete = true;
        break;
      }

      // Advance the bodies to the time of impact and check the contact there.
      const bA = minContact.fixtureA.body;
      const bB = minContact.fixtureB.body;
      backupA.copySweep(bA);
      backupB.copySweep(bB);
      bA.advance(minAlpha);
      bB.advance(minAlpha);
      minContact.update(this.listener);
      minContact.toiFlag = false;
      ++minContact.toiCount;
      if (!minContact.enabled || !minContact.touching) {
        minContact.enabled = false;
        bA.copySweep(backupA);
        bB.copySweep(backupB);
        bA.synchronizeTransform();
        bB.synchronizeTransform();
        continue;
      }
      bA.setAwake(true);
      bB.setAwake(true);

      // The island of the two bodies and their contacts with static bodies.
      let bodyCount = 0;
      let contactCount = 0;
      bA.islandIndex = bodyCount;
      bodies[bodyCount++] = bA;
      bB.islandIndex = bodyCount;
      bodies[bodyCount++] = bB;
      contacts[contactCount++] = minContact;
      bA.islandFlag = true;
      bB.islandFlag = true;
      minContact.islandFlag = true;
      for (const body of [bA, bB]) {
        if (!body.dynamic) continue;
        for (let ce = body.contactList; ce; ce = ce.next) {
          if (bodyCount === 2 * MAX_TOI_CONTACTS) break;
          if (contactCount === MAX_TOI_CONTACTS) break;
          const contact = ce.contact;
          if (contact.islandFlag) continue;
          const other = ce.other;
          if (other.dynamic) continue; // no bullets
          backupOther.copySweep(other);
          if (!other.islandFlag) other.advance(minAlpha);
          contact.update(this.listener);
          if (!contact.enabled || !contact.touching) {
            other.copySweep(backupOther);
            other.synchronizeTransform();
            continue;
          }
          contact.islandFlag = true;
          contacts[contactCount++] = contact;
          if (other.islandFlag) continue;
          other.islandFlag = true;
          if (other.dynamic) other.setAwake(true);
          other.islandIndex = bodyCount;
          bodies[bodyCount++] = other;
        }
      }

      const subStep = this.#subStep;
      subStep.dt = f32(f32(1 - minAlpha) * step.dt);
      subStep.invDt = f32(1 / subStep.dt);
      subStep.dtRatio = 1;
      subStep.positionIterations = 20;
      subStep.velocityIterations = step.velocityIterations;
      subStep.warmStarting = false;
      this.#data = solverData(bodyCount, this.#data);
      this.#data.step = subStep;
      solveIslandTOI(
        bodies,
        bodyCount,
        contacts,
        contactCount,
        this.#data,
        this.#solver,
        bA.islandIndex,
        bB.islandIndex,
      );

      // Reset island flags and synchronize broadphase proxies.
      for (let i = 0; i < bodyCount; i++) {
        const body = bodies[i];
        body.islandFlag = false;
        if (!body.dynamic) continue;
        body.synchronizeFixtures();
        for (let ce = body.contactList; ce; ce = ce.next) {
          ce.contact.toiFlag = false;
          ce.contact.islandFlag = false;
        }
      }
      this.findNewContacts();
    }
  }

  /**
   * `b2World::RayCast` from p1 to p2 (rounded to float32): `callback(fixture, fraction)` for
   * every fixture the ray hits within the current fraction (see {@linkcode RayCastCallback}).
   */
  rayCast(callback: RayCastCallback, x1: number, y1: number, x2: number, y2: number): void {
    const p1x = f32(x1);
    const p1y = f32(y1);
    const p2x = f32(x2);
    const p2y = f32(y2);
    const tree = this.broadPhase.tree;
    tree.rayCast(p1x, p1y, p2x, p2y, 1, (proxyId, maxFraction) => {
      const fixture = tree.userData[proxyId]!;
      const t = rayCastShape(fixture.shape, fixture.body.xf, p1x, p1y, p2x, p2y, maxFraction);
      return t >= 0 ? callback(fixture, t) : maxFraction;
    });
  }
}

// Copies of the TOI bodies' sweeps, restored when the contact at the time of impact is off.
const backupA = new Sweep();
const backupB = new Sweep();
const backupOther = new Sweep();
