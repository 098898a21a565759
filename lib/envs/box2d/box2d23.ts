/**
 * Box2D 2.3 as pybox2d 2.3.10 compiles it, on top of `planck` (a TypeScript port of Box2D 2.3 in
 * float64): the places where planck 1.5.0 behaves differently from that C++ are patched here, so
 * that the Box2D tasks build and step the same world as Gymnasium 1.3.
 *
 * | Box2D 2.3.10 (pybox2d)                                        | planck 1.5.0                                          | here                                   |
 * | ------------------------------------------------------------- | ----------------------------------------------------- | -------------------------------------- |
 * | broadphase sorts new pairs by (proxy id A, proxy id B) before creating contacts | creates contacts in tree-query order, unsorted | {@linkcode Box2DBroadPhase} sorts      |
 * | tree node ids come from a LIFO free list (reused)            | ids only grow                                         | {@linkcode Box2DTree} reuses them      |
 * | `SetAwake(true)` on an awake body is a no-op                  | resets the body's sleep timer                         | {@linkcode Box2DBody} keeps the timer  |
 * | sleep timers add up the float32 step: 25 steps of 1/50 reach 0.5 s | float64 sum is 0.49999999 after 25 steps (26 needed) | {@linkcode sleepThreshold}         |
 * | damping v·clamp(1 − h·d, 0, 1)                                 | v/(1 + h·d)                                           | island.ts (all bodies here have d = 0) |
 * | `joint.motorSpeed = v` wakes both bodies                      | skips the wake when v is unchanged                    | {@linkcode setMotor}                   |
 * | polygon-polygon: 2.3.0 `b2FindMaxSeparation` (hill climbing from the centroid direction, relative tolerance 0.98 / 0.001) | 2.3.2 brute force, tolerance 0.1·linearSlop | {@linkcode collidePolygons230} |
 * | TOI sub-step when α < 1 − 10·FLT_EPSILON; GJK cut-off FLT_EPSILON²; push-back limit 8 | 1 − 10⁻⁸; 10⁻¹⁸; 12              | toi.ts                                 |
 * | `SetAsBox` vertices start at (−hx, −hy)                        | start at (hx, −hy)                                    | {@linkcode boxShape}                    |
 * | `b2PolygonShape::Set` keeps every vertex                      | welds vertices closer than linearSlop/2               | {@linkcode polygonShape} (no welding)  |
 * | shapes, masses and inputs are float32                         | float64                                               | rounded with `Math.fround` (below)     |
 *
 * The world's solver ({@linkcode Box2DSolver}, toi.ts) runs Box2D's island solver (island.ts) and
 * continuous collision on typed arrays and plain numbers; revolute joints are
 * {@linkcode Box2DRevoluteJoint}s (revolute_joint.ts). Only polygons, edges and revolute joints
 * made here are supported, and the world emits no "post-solve" events.
 *
 * Everything a Gymnasium env hands to Box2D (vertices, positions, angles, forces, impulses, motor
 * settings, the time step) goes through `Math.fround` first, and the quantities Box2D computes once
 * and stores (polygon normals and centroid, mass, inertia, centre of mass, the initial transform)
 * are computed here with float32 arithmetic in Box2D's operation order, so they equal pybox2d's
 * bit for bit. The step itself runs in float64, so trajectories drift from pybox2d's at the
 * float32 rounding level (the README reports the measured drift).
 *
 * Left alone: planck's contact-id key packs feature indices in 2 bits, so feature ids of polygons
 * with more than 4 vertices can collide when warm starting; the only such bodies here (the
 * lander, the walker's hull) end the episode on their first contact.
 *
 * @module
 */
import {
  type AABBValue,
  type Body,
  Body as PlanckBody,
  type BodyDef,
  BroadPhase,
  clipSegmentToLine,
  ClipVertex,
  type Contact,
  ContactFeatureType,
  DynamicTree,
  EdgeShape,
  type Fixture,
  type FixtureProxy,
  type Manifold,
  ManifoldType,
  PolygonShape,
  RevoluteJoint,
  type Solver,
  TreeNode,
  Vec2,
  World,
} from "planck";
import { Box2DRevoluteJoint } from "./revolute_joint.ts";
import { Box2DSolver } from "./toi.ts";

/** Rounds to float32 (pybox2d stores every Box2D quantity as a C `float`). */
export const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------
// Internal fields of planck objects that the patches below read or write. planck's typings hide
// them (`@internal`); they are plain JavaScript properties.
// ---------------------------------------------------------------------------------------------

/** A 2-vector as planck stores it. */
export interface XY {
  x: number;
  y: number;
}

/** planck's `Sweep`. */
export interface SweepInternals {
  localCenter: XY;
  c0: XY;
  c: XY;
  a0: number;
  a: number;
  alpha0: number;
}

/** planck's `Transform`. */
export interface TransformInternals {
  p: XY;
  q: { s: number; c: number };
}

/** The fields of a planck `Body` used here. */
export interface BodyInternals {
  m_awakeFlag: boolean;
  m_sleepTime: number;
  m_mass: number;
  m_invMass: number;
  m_I: number;
  m_invI: number;
  m_xf: TransformInternals;
  m_sweep: SweepInternals;
  m_linearVelocity: XY;
  m_angularVelocity: number;
  m_force: XY;
  m_torque: number;
  m_islandFlag: boolean;
}

/** The fields of a planck `Contact` used here. */
export interface ContactInternals {
  m_evaluateFcn: unknown;
  m_manifold: Manifold;
  m_touchingFlag: boolean;
  m_enabledFlag: boolean;
  m_filterFlag: boolean;
  m_toiFlag: boolean;
  m_toiCount: number;
  m_toi: number;
  m_friction: number;
  m_restitution: number;
  m_tangentSpeed: number;
  m_next: Contact | null;
  m_prev: Contact | null;
}

/** The fields of a planck `World` used here. */
interface WorldInternals {
  m_broadPhase: BroadPhase;
  m_contactList: Contact | null;
  m_contactCount: number;
  _addBody(body: Body): void;
  createContact(proxyA: FixtureProxy, proxyB: FixtureProxy): void;
}

/** Views a planck body's internal fields. */
export function bodyInternals(body: Body): BodyInternals {
  return body as unknown as BodyInternals;
}

/** Views a planck contact's internal fields. */
export function contactInternals(contact: Contact): ContactInternals {
  return contact as unknown as ContactInternals;
}

// ---------------------------------------------------------------------------------------------
// Broadphase: Box2D's node ids and pair order.
// ---------------------------------------------------------------------------------------------

/**
 * planck's dynamic AABB tree with Box2D's node-id allocation: freed ids go on a LIFO free list and
 * are handed out again before fresh ones. Proxy ids decide the order in which Box2D creates
 * contacts (see {@linkcode Box2DBroadPhase}), and with it the order in which the solver visits
 * them.
 *
 * @example
 * ```ts
 * import { Box2DTree } from "./box2d23.ts";
 * const tree = new Box2DTree<string>();
 * const a = tree.createProxy({ lowerBound: { x: 0, y: 0 }, upperBound: { x: 1, y: 1 } }, "a"); // 0
 * ```
 */
export class Box2DTree<T> extends DynamicTree<T> {
  /** Ids freed and not yet reused, most recent last. */
  freeIds: number[] = [];
  /** The next never-used id (Box2D's node count when the free list is empty). */
  nextId = 0;

  /** Box2D's `AllocateNode`: the most recently freed id, else a fresh one. */
  override allocateNode(): TreeNode<T> {
    const node = new TreeNode<T>();
    node.id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.nextId++;
    this.m_nodes[node.id] = node;
    return node;
  }

  /** Box2D's `FreeNode`: the id goes on top of the free list. */
  override freeNode(node: TreeNode<T>): void {
    delete this.m_nodes[node.id];
    this.freeIds.push(node.id);
  }
}

/**
 * planck's broadphase with Box2D 2.3's `UpdatePairs`: every moved proxy queries the tree, the
 * candidate pairs (smaller id first) are sorted by (id A, id B), duplicates are dropped, and the
 * pairs are handed to the world in that order.
 *
 * @example
 * ```ts
 * import { Box2DBroadPhase } from "./box2d23.ts";
 * const broadPhase = new Box2DBroadPhase();
 * broadPhase.updatePairs(() => {}); // nothing to pair yet
 * ```
 */
export class Box2DBroadPhase extends BroadPhase {
  #pairs: number[] = [];
  #queryId = -1;
  #queryDynamic = false;
  #collect = (proxyId: number): boolean => {
    const q = this.#queryId;
    // A pair with no dynamic body never makes a contact (b2Body::ShouldCollide), so skipping it
    // here changes nothing but the work (each reset queries ~200 static terrain proxies).
    if (proxyId !== q && (this.#queryDynamic || isDynamicProxy(this.m_tree.getUserData(proxyId)))) {
      if (proxyId < q) this.#pairs.push(proxyId, q);
      else this.#pairs.push(q, proxyId);
    }
    return true;
  };

  /** A broadphase on a {@linkcode Box2DTree}. */
  constructor() {
    super();
    this.m_tree = new Box2DTree<FixtureProxy>();
  }

  /** Box2D 2.3's `b2BroadPhase::UpdatePairs` (sorted, de-duplicated pairs). */
  override updatePairs(addPair: (a: FixtureProxy, b: FixtureProxy) => void): void {
    const pairs = this.#pairs;
    pairs.length = 0;
    const moves = this.m_moveBuffer;
    for (let i = 0; i < moves.length; i++) {
      const id = moves[i];
      if (id === null) continue;
      this.#queryId = id;
      this.#queryDynamic = isDynamicProxy(this.m_tree.getUserData(id));
      this.m_tree.query(this.m_tree.getFatAABB(id), this.#collect);
    }
    moves.length = 0;
    const n = pairs.length / 2;
    if (n === 0) return;
    // Sort pair indices by (a, b); equal pairs are identical, so stability does not matter.
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((i, j) => pairs[2 * i] - pairs[2 * j] || pairs[2 * i + 1] - pairs[2 * j + 1]);
    let lastA = -1;
    let lastB = -1;
    for (const k of order) {
      const a = pairs[2 * k];
      const b = pairs[2 * k + 1];
      if (a === lastA && b === lastB) continue;
      lastA = a;
      lastB = b;
      addPair(this.m_tree.getUserData(a), this.m_tree.getUserData(b));
    }
  }
}

function isDynamicProxy(proxy: FixtureProxy): boolean {
  return proxy.fixture.getBody().isDynamic();
}

// ---------------------------------------------------------------------------------------------
// Bodies and the world.
// ---------------------------------------------------------------------------------------------

const PlanckBodyClass = PlanckBody as unknown as new (world: World, def: BodyDef) => Body;

/**
 * A planck body whose `setAwake(true)` is Box2D's: it wakes a sleeping body and resets its sleep
 * timer, and leaves an awake body alone (planck resets the timer of awake bodies too, which
 * delays sleeping, and LunarLander ends an episode when the lander falls asleep).
 */
class Box2DBody extends PlanckBodyClass {
  /** Index in the island being solved (Box2D's `m_islandIndex`). */
  islandIndex = 0;

  override setAwake(flag: boolean): void {
    const self = this as unknown as BodyInternals;
    if (flag) {
      if (!self.m_awakeFlag) {
        self.m_awakeFlag = true;
        self.m_sleepTime = 0;
      }
    } else super.setAwake(false);
  }
}

const sleepThresholds = new Map<number, number>();

/**
 * The float64 sleep-time threshold that makes planck put bodies to sleep after as many resting
 * steps of length `dt` as Box2D, whose timer adds up `dt` in float32 and compares with 0.5f:
 * with k the first count at which the float32 sum reaches 0.5, the threshold is the float64 sum
 * of k steps (planck's timer is that float64 sum).
 *
 * @example
 * ```ts
 * import { sleepThreshold } from "./box2d23.ts";
 * sleepThreshold(Math.fround(1 / 50)); // 0.4999999888241291: 25 steps, as float32 Box2D
 * ```
 */
export function sleepThreshold(dt: number): number {
  let threshold = sleepThresholds.get(dt);
  if (threshold === undefined) {
    const h = f32(dt);
    const target = f32(0.5);
    let sum32 = 0;
    let sum64 = 0;
    do {
      sum32 = f32(sum32 + h);
      sum64 += dt;
    } while (sum32 < target);
    threshold = sum64;
    sleepThresholds.set(dt, threshold);
  }
  return threshold;
}

const planckCreateContact = (World.prototype as unknown as WorldInternals).createContact;

/**
 * A planck world with pybox2d 2.3.10's behaviour (see the module doc): Box2D's broadphase pair
 * order, Box2D's `SetAwake`, and the 2.3.0 polygon-polygon collider.
 *
 * @example
 * ```ts
 * import { Box2DWorld } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * world.step(Math.fround(1 / 50), 6 * 30, 2 * 30);
 * ```
 */
export class Box2DWorld extends World {
  /** A world with gravity (0, gravityY) (float32), sleeping allowed, as `b2World(gravity)`. */
  constructor(gravityY: number) {
    super({ gravity: new Vec2(0, f32(gravityY)) });
    (this as unknown as WorldInternals).m_broadPhase = new Box2DBroadPhase();
    (this as unknown as { m_solver: Solver }).m_solver = new Box2DSolver(this);
  }

  /** Creates a {@linkcode Box2DBody}, prepended to the body list as in Box2D. */
  override createBody(def?: BodyDef): Body;
  override createBody(position: Vec2, angle?: number): Body;
  override createBody(def?: BodyDef | Vec2, _angle?: number): Body {
    if (this.isLocked()) throw new Error("Box2DWorld.createBody: the world is locked (mid-step)");
    const body = new Box2DBody(this, (def ?? {}) as BodyDef);
    (this as unknown as WorldInternals)._addBody(body);
    return body;
  }

  /**
   * planck's contact creation (an internal method planck calls for each new pair), then the
   * 2.3.0 collider for polygon pairs.
   */
  createContact(proxyA: FixtureProxy, proxyB: FixtureProxy): void {
    const self = this as unknown as WorldInternals;
    const before = self.m_contactCount;
    planckCreateContact.call(this, proxyA, proxyB);
    if (self.m_contactCount === before) return;
    const contact = self.m_contactList!;
    if (
      contact.getFixtureA().getType() === "polygon" && contact.getFixtureB().getType() === "polygon"
    ) {
      contactInternals(contact).m_evaluateFcn = polygonContact230;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes with pybox2d's float32 data.
// ---------------------------------------------------------------------------------------------

/** `b2_polygonRadius` = 2 · `b2_linearSlop` = 2 · 0.005f, as float32. */
export const POLYGON_RADIUS = f32(2 * f32(0.005));

/** Box2D's `b2Vec2::Normalize` in float32; returns [x, y] scaled to unit length. */
function normalize32(x: number, y: number): [number, number] {
  const length = f32(Math.sqrt(f32(f32(x * x) + f32(y * y))));
  if (length < 1.1920928955078125e-7) return [x, y];
  const inv = f32(1 / length);
  return [f32(x * inv), f32(y * inv)];
}

/** Fills a planck polygon with float32 vertices, their outward normals and the centroid. */
function fillPolygon(shape: PolygonShape, vs: [number, number][]): PolygonShape {
  const n = vs.length;
  shape.m_count = n;
  shape.m_radius = POLYGON_RADIUS;
  shape.m_vertices = vs.map(([x, y]) => new Vec2(x, y));
  shape.m_normals = vs.map(([x1, y1], i) => {
    const [x2, y2] = vs[(i + 1) % n];
    // b2Cross(edge, 1) = (edge.y, -edge.x), then Normalize.
    const [nx, ny] = normalize32(f32(y2 - y1), -f32(x2 - x1));
    return new Vec2(nx, ny);
  });
  // Box2D's ComputeCentroid with the reference point at the origin, in float32.
  const inv3 = f32(1 / 3);
  let cx = 0;
  let cy = 0;
  let area = 0;
  for (let i = 0; i < n; i++) {
    const [x2, y2] = vs[i];
    const [x3, y3] = vs[(i + 1) % n];
    const d = f32(f32(x2 * y3) - f32(y2 * x3));
    const triangleArea = f32(0.5 * d);
    area = f32(area + triangleArea);
    const k = f32(triangleArea * inv3);
    cx = f32(cx + f32(k * f32(f32(0 + x2) + x3)));
    cy = f32(cy + f32(k * f32(f32(0 + y2) + y3)));
  }
  const invArea = f32(1 / area);
  shape.m_centroid = new Vec2(f32(cx * invArea), f32(cy * invArea));
  return shape;
}

/**
 * A convex polygon as `b2PolygonShape::Set` builds it in pybox2d 2.3.10: the vertices rounded to
 * float32, ordered counter-clockwise by gift wrapping from the right-most (then lowest) vertex, no
 * welding of close vertices, and float32 normals and centroid.
 *
 * @example
 * ```ts
 * import { polygonShape } from "./box2d23.ts";
 * const triangle = polygonShape([[0, 0], [1, 0], [0, 1]]);
 * triangle.m_count; // 3
 * ```
 */
export function polygonShape(vertices: readonly (readonly [number, number])[]): PolygonShape {
  const n = vertices.length;
  if (n < 3 || n > 8) {
    throw new RangeError(
      `polygonShape: expected 3 to 8 vertices (b2_maxPolygonVertices), got ${n}`,
    );
  }
  const ps = vertices.map(([x, y]) => [f32(x), f32(y)] as [number, number]);
  let i0 = 0;
  let x0 = ps[0][0];
  for (let i = 1; i < n; i++) {
    const x = ps[i][0];
    if (x > x0 || (x === x0 && ps[i][1] < ps[i0][1])) {
      i0 = i;
      x0 = x;
    }
  }
  const hull: number[] = [];
  let ih = i0;
  for (;;) {
    if (hull.length >= n) throw new RangeError("polygonShape: the vertices are not convex");
    hull.push(ih);
    const [hx, hy] = ps[ih];
    let ie = 0;
    for (let j = 1; j < n; j++) {
      if (ie === ih) {
        ie = j;
        continue;
      }
      const rx = f32(ps[ie][0] - hx);
      const ry = f32(ps[ie][1] - hy);
      const vx = f32(ps[j][0] - hx);
      const vy = f32(ps[j][1] - hy);
      const c = f32(f32(rx * vy) - f32(ry * vx));
      if (c < 0) ie = j;
      if (c === 0 && f32(f32(vx * vx) + f32(vy * vy)) > f32(f32(rx * rx) + f32(ry * ry))) ie = j;
    }
    ih = ie;
    if (ie === i0) break;
  }
  if (hull.length < 3) throw new RangeError("polygonShape: the vertices are collinear");
  return fillPolygon(new PolygonShape(), hull.map((i) => ps[i]));
}

/**
 * A box of half-widths (hx, hy) centred at the origin, as `b2PolygonShape::SetAsBox`: vertices
 * (−hx, −hy), (hx, −hy), (hx, hy), (−hx, hy) in that order (planck starts one vertex later, which
 * changes contact feature ids and tie-breaks).
 *
 * @example
 * ```ts
 * import { boxShape } from "./box2d23.ts";
 * const box = boxShape(0.5, 0.25);
 * box.m_vertices[0]; // (-0.5, -0.25)
 * ```
 */
export function boxShape(hx: number, hy: number): PolygonShape {
  const x = f32(hx);
  const y = f32(hy);
  const shape = new PolygonShape();
  shape.m_count = 4;
  shape.m_radius = POLYGON_RADIUS;
  shape.m_vertices = [new Vec2(-x, -y), new Vec2(x, -y), new Vec2(x, y), new Vec2(-x, y)];
  shape.m_normals = [new Vec2(0, -1), new Vec2(1, 0), new Vec2(0, 1), new Vec2(-1, 0)];
  shape.m_centroid = new Vec2(0, 0);
  return shape;
}

/**
 * A two-sided edge (no ghost vertices) with float32 end points and Box2D's radius.
 *
 * @example
 * ```ts
 * import { edgeShape } from "./box2d23.ts";
 * const ground = edgeShape([0, 0], [20, 0]);
 * ```
 */
export function edgeShape(
  v1: readonly [number, number],
  v2: readonly [number, number],
): EdgeShape {
  const shape = new EdgeShape(new Vec2(f32(v1[0]), f32(v1[1])), new Vec2(f32(v2[0]), f32(v2[1])));
  shape.m_radius = POLYGON_RADIUS;
  return shape;
}

/**
 * Mass, centre of mass and rotational inertia of a polygon of the given density, computed with
 * `b2PolygonShape::ComputeMass`'s float32 arithmetic.
 */
function polygonMass32(
  shape: PolygonShape,
  density: number,
): { mass: number; cx: number; cy: number; I: number } {
  const vs = shape.m_vertices;
  const n = shape.m_count;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx = f32(sx + vs[i].x);
    sy = f32(sy + vs[i].y);
  }
  const invN = f32(1 / n);
  sx = f32(sx * invN);
  sy = f32(sy * invN);
  const inv3 = f32(1 / 3);
  let cx = 0;
  let cy = 0;
  let area = 0;
  let I = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 < n ? i + 1 : 0;
    const ex1 = f32(vs[i].x - sx);
    const ey1 = f32(vs[i].y - sy);
    const ex2 = f32(vs[j].x - sx);
    const ey2 = f32(vs[j].y - sy);
    const d = f32(f32(ex1 * ey2) - f32(ey1 * ex2));
    const triangleArea = f32(0.5 * d);
    area = f32(area + triangleArea);
    const k = f32(triangleArea * inv3);
    cx = f32(cx + f32(k * f32(ex1 + ex2)));
    cy = f32(cy + f32(k * f32(ey1 + ey2)));
    const intx2 = f32(f32(f32(ex1 * ex1) + f32(ex2 * ex1)) + f32(ex2 * ex2));
    const inty2 = f32(f32(f32(ey1 * ey1) + f32(ey2 * ey1)) + f32(ey2 * ey2));
    I = f32(I + f32(f32(f32(f32(0.25 * inv3) * d)) * f32(intx2 + inty2)));
  }
  const mass = f32(density * area);
  const invArea = f32(1 / area);
  cx = f32(cx * invArea);
  cy = f32(cy * invArea);
  const mcx = f32(cx + sx);
  const mcy = f32(cy + sy);
  let inertia = f32(density * I);
  const centerDot = f32(f32(mcx * mcx) + f32(mcy * mcy));
  const localDot = f32(f32(cx * cx) + f32(cy * cy));
  inertia = f32(inertia + f32(mass * f32(centerDot - localDot)));
  return { mass, cx: mcx, cy: mcy, I: inertia };
}

/** Options of {@linkcode createBody}. */
export interface BodyOptions {
  /** "dynamic" or "static". */
  type: "dynamic" | "static";
  /** Position of the body origin (rounded to float32). */
  position: readonly [number, number];
  /** Angle in radians (rounded to float32; default 0). */
  angle?: number;
}

/** Options of {@linkcode addFixture}. */
export interface FixtureOptions {
  /** Density (default 0). */
  density?: number;
  /** Friction coefficient (default 0.2, as b2FixtureDef). */
  friction?: number;
  /** Restitution (default 0). */
  restitution?: number;
  /** Collision category bits (default 0x0001). */
  categoryBits?: number;
  /** Collision mask bits (default 0xFFFF). */
  maskBits?: number;
}

/**
 * Creates a body as `b2World::CreateBody` does from a body definition: float32 position and
 * angle, the rotation from `sinf`/`cosf` of the float32 angle, the sweep angle equal to the given
 * angle (planck would recompute it with atan2).
 *
 * @example
 * ```ts
 * import { Box2DWorld, createBody } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * const ball = createBody(world, { type: "dynamic", position: [0, 4], angle: 0.1 });
 * ```
 */
export function createBody(world: Box2DWorld, options: BodyOptions): Body {
  const x = f32(options.position[0]);
  const y = f32(options.position[1]);
  const angle = f32(options.angle ?? 0);
  const body = world.createBody({ type: options.type, position: new Vec2(x, y), angle });
  const b = bodyInternals(body);
  b.m_xf.q.s = f32(Math.sin(angle));
  b.m_xf.q.c = f32(Math.cos(angle));
  b.m_xf.p.x = x;
  b.m_xf.p.y = y;
  b.m_sweep.a = b.m_sweep.a0 = angle;
  b.m_sweep.c.x = b.m_sweep.c0.x = x;
  b.m_sweep.c.y = b.m_sweep.c0.y = y;
  return body;
}

/**
 * Adds a fixture as `b2Body::CreateFixture` does, then sets the body's mass data the way
 * `b2Body::ResetMassData` computes it in float32 (for a body with this one dense polygon).
 *
 * @example
 * ```ts
 * import { addFixture, boxShape, Box2DWorld, createBody } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * const crate = createBody(world, { type: "dynamic", position: [0, 4] });
 * addFixture(crate, boxShape(0.5, 0.5), { density: 1, friction: 0.3 });
 * crate.getMass(); // 1
 * ```
 */
export function addFixture(
  body: Body,
  shape: PolygonShape | EdgeShape,
  options: FixtureOptions = {},
): Fixture {
  const density = f32(options.density ?? 0);
  const fixture = body.createFixture({
    shape,
    density,
    friction: f32(options.friction ?? 0.2),
    restitution: f32(options.restitution ?? 0),
    filterCategoryBits: options.categoryBits ?? 0x0001,
    filterMaskBits: options.maskBits ?? 0xffff,
  });
  if (body.isDynamic() && density > 0) {
    if (!(shape instanceof PolygonShape) || body.getFixtureList()!.getNext() !== null) {
      throw new Error("addFixture: float32 mass data is implemented for one polygon per body");
    }
    const m = polygonMass32(shape, density);
    const b = bodyInternals(body);
    b.m_mass = m.mass;
    b.m_invMass = f32(1 / m.mass);
    const lcx = f32(f32(m.mass * m.cx) * b.m_invMass);
    const lcy = f32(f32(m.mass * m.cy) * b.m_invMass);
    b.m_I = f32(m.I - f32(m.mass * f32(f32(lcx * lcx) + f32(lcy * lcy))));
    b.m_invI = f32(1 / b.m_I);
    b.m_sweep.localCenter.x = lcx;
    b.m_sweep.localCenter.y = lcy;
    const { q, p } = b.m_xf;
    const cx = f32(f32(f32(q.c * lcx) - f32(q.s * lcy)) + p.x);
    const cy = f32(f32(f32(q.s * lcx) + f32(q.c * lcy)) + p.y);
    b.m_sweep.c.x = b.m_sweep.c0.x = cx;
    b.m_sweep.c.y = b.m_sweep.c0.y = cy;
  }
  return fixture;
}

/** Options of {@linkcode revoluteJoint} (a `b2RevoluteJointDef`; angles in radians). */
export interface RevoluteJointOptions {
  /** Anchor in body A's frame. */
  localAnchorA: readonly [number, number];
  /** Anchor in body B's frame. */
  localAnchorB: readonly [number, number];
  /** Enable the motor. */
  enableMotor: boolean;
  /** Enable the angle limits. */
  enableLimit: boolean;
  /** Maximum motor torque. */
  maxMotorTorque: number;
  /** Motor speed (rad/s). */
  motorSpeed: number;
  /** Lower angle limit. */
  lowerAngle: number;
  /** Upper angle limit. */
  upperAngle: number;
}

/**
 * Creates a revolute joint as pybox2d's `revoluteJointDef(bodyA=…, bodyB=…, …)` defines it: the
 * reference angle is the bodies' current angle difference (pybox2d's Python wrapper sets it; the
 * C++ default would be 0), the bodies do not collide, all values rounded to float32.
 *
 * @example
 * ```ts
 * import { addFixture, boxShape, Box2DWorld, createBody, revoluteJoint } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * const a = createBody(world, { type: "dynamic", position: [0, 2] });
 * const b = createBody(world, { type: "dynamic", position: [0, 1] });
 * addFixture(a, boxShape(0.1, 0.5), { density: 1 });
 * addFixture(b, boxShape(0.1, 0.5), { density: 1 });
 * revoluteJoint(world, a, b, {
 *   localAnchorA: [0, -0.5], localAnchorB: [0, 0.5], enableMotor: true, enableLimit: true,
 *   maxMotorTorque: 10, motorSpeed: 1, lowerAngle: -1, upperAngle: 1,
 * });
 * ```
 */
export function revoluteJoint(
  world: Box2DWorld,
  bodyA: Body,
  bodyB: Body,
  options: RevoluteJointOptions,
): RevoluteJoint {
  const joint = new Box2DRevoluteJoint({
    bodyA,
    bodyB,
    localAnchorA: new Vec2(f32(options.localAnchorA[0]), f32(options.localAnchorA[1])),
    localAnchorB: new Vec2(f32(options.localAnchorB[0]), f32(options.localAnchorB[1])),
    // pybox2d's revoluteJointDef(bodyA=…, bodyB=…) sets referenceAngle = bodyB.angle − bodyA.angle.
    referenceAngle: f32(bodyInternals(bodyB).m_sweep.a - bodyInternals(bodyA).m_sweep.a),
    enableMotor: options.enableMotor,
    enableLimit: options.enableLimit,
    maxMotorTorque: f32(options.maxMotorTorque),
    motorSpeed: f32(options.motorSpeed),
    lowerAngle: f32(options.lowerAngle),
    upperAngle: f32(options.upperAngle),
    collideConnected: false,
  });
  world.createJoint(joint);
  return joint;
}

/** The fields of a planck `RevoluteJoint` used here. */
export interface RevoluteJointInternals {
  m_bodyA: Body;
  m_bodyB: Body;
  m_motorSpeed: number;
  m_maxMotorTorque: number;
  m_motorImpulse: number;
  m_impulse: { x: number; y: number; z: number };
  m_limitState: number;
  m_referenceAngle: number;
}

/**
 * Sets a joint's motor speed and maximum torque the way pybox2d's `joint.motorSpeed = …` and
 * `joint.maxMotorTorque = …` do: each wakes both bodies (planck skips the wake when the value is
 * unchanged, which would let a resting walker fall asleep), values rounded to float32.
 *
 * @example
 * ```ts
 * import { addFixture, boxShape, Box2DWorld, createBody, revoluteJoint, setMotor } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * const a = createBody(world, { type: "dynamic", position: [0, 2] });
 * const b = createBody(world, { type: "dynamic", position: [0, 1] });
 * addFixture(a, boxShape(0.1, 0.5), { density: 1 });
 * addFixture(b, boxShape(0.1, 0.5), { density: 1 });
 * const j = revoluteJoint(world, a, b, {
 *   localAnchorA: [0, -0.5], localAnchorB: [0, 0.5], enableMotor: true, enableLimit: false,
 *   maxMotorTorque: 10, motorSpeed: 0, lowerAngle: 0, upperAngle: 0,
 * });
 * setMotor(j, 4, 80);
 * ```
 */
export function setMotor(joint: RevoluteJoint, speed: number, maxTorque: number): void {
  const j = joint as unknown as RevoluteJointInternals;
  j.m_bodyA.setAwake(true);
  j.m_bodyB.setAwake(true);
  j.m_motorSpeed = f32(speed);
  j.m_bodyA.setAwake(true);
  j.m_bodyB.setAwake(true);
  j.m_maxMotorTorque = f32(maxTorque);
}

// ---------------------------------------------------------------------------------------------
// Box2D 2.3.0's polygon-polygon collider (pybox2d 2.3.10 ships it; planck has 2.3.2's).
// ---------------------------------------------------------------------------------------------

interface Rot2 {
  s: number;
  c: number;
}
interface Xf {
  p: XY;
  q: Rot2;
}

/** Separation of poly2 from edge `edge` of poly1 (2.3.0's `b2EdgeSeparation`). */
function edgeSeparation(
  poly1: PolygonShape,
  xf1: Xf,
  edge: number,
  poly2: PolygonShape,
  xf2: Xf,
): number {
  const n1 = poly1.m_normals[edge];
  const v1 = poly1.m_vertices[edge];
  // Normal in world frame, then in poly2's frame.
  const nwx = xf1.q.c * n1.x - xf1.q.s * n1.y;
  const nwy = xf1.q.s * n1.x + xf1.q.c * n1.y;
  const n2x = xf2.q.c * nwx + xf2.q.s * nwy;
  const n2y = -xf2.q.s * nwx + xf2.q.c * nwy;
  // Support vertex of poly2 against the normal.
  const vs2 = poly2.m_vertices;
  let index = 0;
  let minDot = Infinity;
  for (let i = 0; i < poly2.m_count; i++) {
    const dot = vs2[i].x * n2x + vs2[i].y * n2y;
    if (dot < minDot) {
      minDot = dot;
      index = i;
    }
  }
  const w1x = xf1.q.c * v1.x - xf1.q.s * v1.y + xf1.p.x;
  const w1y = xf1.q.s * v1.x + xf1.q.c * v1.y + xf1.p.y;
  const w2x = xf2.q.c * vs2[index].x - xf2.q.s * vs2[index].y + xf2.p.x;
  const w2y = xf2.q.s * vs2[index].x + xf2.q.c * vs2[index].y + xf2.p.y;
  return (w2x - w1x) * nwx + (w2y - w1y) * nwy;
}

/** 2.3.0's `b2FindMaxSeparation`: hill climbing from the edge facing poly2's centroid. */
function findMaxSeparation(
  out: { edge: number },
  poly1: PolygonShape,
  xf1: Xf,
  poly2: PolygonShape,
  xf2: Xf,
): number {
  const count1 = poly1.m_count;
  const normals1 = poly1.m_normals;
  const c2 = poly2.m_centroid;
  const c1 = poly1.m_centroid;
  const dx = (xf2.q.c * c2.x - xf2.q.s * c2.y + xf2.p.x) -
    (xf1.q.c * c1.x - xf1.q.s * c1.y + xf1.p.x);
  const dy = (xf2.q.s * c2.x + xf2.q.c * c2.y + xf2.p.y) -
    (xf1.q.s * c1.x + xf1.q.c * c1.y + xf1.p.y);
  const lx = xf1.q.c * dx + xf1.q.s * dy;
  const ly = -xf1.q.s * dx + xf1.q.c * dy;
  let edge = 0;
  let maxDot = -Infinity;
  for (let i = 0; i < count1; i++) {
    const dot = normals1[i].x * lx + normals1[i].y * ly;
    if (dot > maxDot) {
      maxDot = dot;
      edge = i;
    }
  }
  let s = edgeSeparation(poly1, xf1, edge, poly2, xf2);
  const prevEdge = edge - 1 >= 0 ? edge - 1 : count1 - 1;
  const sPrev = edgeSeparation(poly1, xf1, prevEdge, poly2, xf2);
  const nextEdge = edge + 1 < count1 ? edge + 1 : 0;
  const sNext = edgeSeparation(poly1, xf1, nextEdge, poly2, xf2);
  let bestEdge: number;
  let bestSeparation: number;
  let increment: number;
  if (sPrev > s && sPrev > sNext) {
    increment = -1;
    bestEdge = prevEdge;
    bestSeparation = sPrev;
  } else if (sNext > s) {
    increment = 1;
    bestEdge = nextEdge;
    bestSeparation = sNext;
  } else {
    out.edge = edge;
    return s;
  }
  for (;;) {
    if (increment === -1) edge = bestEdge - 1 >= 0 ? bestEdge - 1 : count1 - 1;
    else edge = bestEdge + 1 < count1 ? bestEdge + 1 : 0;
    s = edgeSeparation(poly1, xf1, edge, poly2, xf2);
    if (s > bestSeparation) {
      bestEdge = edge;
      bestSeparation = s;
    } else break;
  }
  out.edge = bestEdge;
  return bestSeparation;
}

const sepOut = { edge: 0 };
const incident = [new ClipVertex(), new ClipVertex()];
const clip1 = [new ClipVertex(), new ClipVertex()];
const clip2 = [new ClipVertex(), new ClipVertex()];

/**
 * Box2D 2.3.0's `b2CollidePolygons` (the version pybox2d 2.3.10 compiles): reference face from
 * hill-climbing separation search, the relative tolerance 0.98·sA + 0.001 for flipping to B's
 * face, then Sutherland-Hodgman clipping of the incident edge.
 *
 * @example
 * ```ts
 * import { boxShape, collidePolygons230 } from "./box2d23.ts";
 * import { Manifold, Transform, Vec2 } from "planck";
 * const m = new Manifold();
 * const a = boxShape(1, 1);
 * const b = boxShape(1, 1);
 * collidePolygons230(m, a, Transform.identity(), b, new Transform(new Vec2(0, 1.9), 0));
 * m.pointCount; // 2
 * ```
 */
export function collidePolygons230(
  manifold: Manifold,
  polyA: PolygonShape,
  xfA: Xf,
  polyB: PolygonShape,
  xfB: Xf,
): void {
  manifold.pointCount = 0;
  const totalRadius = polyA.m_radius + polyB.m_radius;
  const separationA = findMaxSeparation(sepOut, polyA, xfA, polyB, xfB);
  const edgeA = sepOut.edge;
  if (separationA > totalRadius) return;
  const separationB = findMaxSeparation(sepOut, polyB, xfB, polyA, xfA);
  const edgeB = sepOut.edge;
  if (separationB > totalRadius) return;

  let poly1: PolygonShape;
  let poly2: PolygonShape;
  let xf1: Xf;
  let xf2: Xf;
  let edge1: number;
  let flip: boolean;
  if (separationB > 0.98 * separationA + 0.001) {
    poly1 = polyB;
    poly2 = polyA;
    xf1 = xfB;
    xf2 = xfA;
    edge1 = edgeB;
    manifold.type = ManifoldType.e_faceB;
    flip = true;
  } else {
    poly1 = polyA;
    poly2 = polyB;
    xf1 = xfA;
    xf2 = xfB;
    edge1 = edgeA;
    manifold.type = ManifoldType.e_faceA;
    flip = false;
  }

  // Incident edge: the edge of poly2 most anti-parallel to the reference normal.
  const rn = poly1.m_normals[edge1];
  const rwx = xf1.q.c * rn.x - xf1.q.s * rn.y;
  const rwy = xf1.q.s * rn.x + xf1.q.c * rn.y;
  const r2x = xf2.q.c * rwx + xf2.q.s * rwy;
  const r2y = -xf2.q.s * rwx + xf2.q.c * rwy;
  const count2 = poly2.m_count;
  let index = 0;
  let minDot = Infinity;
  for (let i = 0; i < count2; i++) {
    const dot = r2x * poly2.m_normals[i].x + r2y * poly2.m_normals[i].y;
    if (dot < minDot) {
      minDot = dot;
      index = i;
    }
  }
  const i1 = index;
  const i2 = i1 + 1 < count2 ? i1 + 1 : 0;
  for (const [k, vi] of [[0, i1], [1, i2]] as const) {
    const v = poly2.m_vertices[vi];
    incident[k].v.x = xf2.q.c * v.x - xf2.q.s * v.y + xf2.p.x;
    incident[k].v.y = xf2.q.s * v.x + xf2.q.c * v.y + xf2.p.y;
    incident[k].id.setFeatures(edge1, ContactFeatureType.e_face, vi, ContactFeatureType.e_vertex);
  }

  const count1 = poly1.m_count;
  const iv1 = edge1;
  const iv2 = edge1 + 1 < count1 ? edge1 + 1 : 0;
  const v11 = poly1.m_vertices[iv1];
  const v12 = poly1.m_vertices[iv2];
  let tx = v12.x - v11.x;
  let ty = v12.y - v11.y;
  const tl = Math.sqrt(tx * tx + ty * ty);
  if (tl >= 1.1920928955078125e-7) {
    tx /= tl;
    ty /= tl;
  }
  const localNormalX = ty;
  const localNormalY = -tx;
  const planeX = 0.5 * (v11.x + v12.x);
  const planeY = 0.5 * (v11.y + v12.y);
  const tangentX = xf1.q.c * tx - xf1.q.s * ty;
  const tangentY = xf1.q.s * tx + xf1.q.c * ty;
  const normalX = tangentY;
  const normalY = -tangentX;
  const w11x = xf1.q.c * v11.x - xf1.q.s * v11.y + xf1.p.x;
  const w11y = xf1.q.s * v11.x + xf1.q.c * v11.y + xf1.p.y;
  const w12x = xf1.q.c * v12.x - xf1.q.s * v12.y + xf1.p.x;
  const w12y = xf1.q.s * v12.x + xf1.q.c * v12.y + xf1.p.y;
  const frontOffset = normalX * w11x + normalY * w11y;
  const sideOffset1 = -(tangentX * w11x + tangentY * w11y) + totalRadius;
  const sideOffset2 = tangentX * w12x + tangentY * w12y + totalRadius;

  if (clipSegmentToLine(clip1, incident, new Vec2(-tangentX, -tangentY), sideOffset1, iv1) < 2) {
    return;
  }
  if (clipSegmentToLine(clip2, clip1, new Vec2(tangentX, tangentY), sideOffset2, iv2) < 2) return;

  manifold.localNormal.x = localNormalX;
  manifold.localNormal.y = localNormalY;
  manifold.localPoint.x = planeX;
  manifold.localPoint.y = planeY;
  let pointCount = 0;
  for (let i = 0; i < 2; i++) {
    const v = clip2[i].v;
    const separation = normalX * v.x + normalY * v.y - frontOffset;
    if (separation <= totalRadius) {
      const cp = manifold.points[pointCount];
      const px = v.x - xf2.p.x;
      const py = v.y - xf2.p.y;
      cp.localPoint.x = xf2.q.c * px + xf2.q.s * py;
      cp.localPoint.y = -xf2.q.s * px + xf2.q.c * py;
      cp.id.set(clip2[i].id);
      if (flip) cp.id.swapFeatures();
      pointCount++;
    }
  }
  manifold.pointCount = pointCount;
}

function polygonContact230(
  manifold: Manifold,
  xfA: Xf,
  fixtureA: Fixture,
  _indexA: number,
  xfB: Xf,
  fixtureB: Fixture,
  _indexB: number,
): void {
  collidePolygons230(
    manifold,
    fixtureA.getShape() as PolygonShape,
    xfA,
    fixtureB.getShape() as PolygonShape,
    xfB,
  );
}

/** The fat AABB the broadphase keeps for a fixture's first proxy. */
export function fatAABB(world: World, fixture: Fixture): AABBValue {
  const proxy = (fixture as unknown as { m_proxies: FixtureProxy[] }).m_proxies[0];
  return (world as unknown as WorldInternals).m_broadPhase.getFatAABB(proxy.proxyId);
}

// ---------------------------------------------------------------------------------------------
// Exact snapshots of a world's changing state.
// ---------------------------------------------------------------------------------------------

/** A body's changing state (the shapes and masses are rebuilt from the task's own data). */
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
  /** Fat AABBs of the body's proxies as [lowerX, lowerY, upperX, upperY] (dynamic bodies). */
  proxies: [number, number, number, number][];
}

/** A revolute joint's changing state. */
export interface JointSnapshot {
  /** Accumulated impulse x, y (point) and z (limit). */
  impulse: [number, number, number];
  /** Accumulated motor impulse. */
  motorImpulse: number;
  /** Limit state (planck's enum value). */
  limitState: number;
  /** Motor speed. */
  motorSpeed: number;
  /** Maximum motor torque. */
  maxMotorTorque: number;
}

/** A contact: which fixtures, its flags and its manifold with the warm-starting impulses. */
export interface ContactSnapshot {
  /** Fixture A and B as indices into the world's fixtures in creation order, and child indices. */
  fixtures: [number, number, number, number];
  /** Touching, enabled, filter flags. */
  flags: [boolean, boolean, boolean];
  /** TOI flag, count and time of impact. */
  toi: [boolean, number, number];
  /** Manifold type, local normal x, y, local point x, y. */
  manifold: [number, number, number, number, number];
  /** Manifold points: local point x, y, normal impulse, tangent impulse, feature ids. */
  points: [number, number, number, number, number, number, number, number][];
}

/**
 * The changing state of a world built by a deterministic builder: bodies, joints and contacts in
 * creation order, the broadphase's fat AABBs and the time-step ratio state. Restore it into a
 * world the same builder just made with {@linkcode restoreWorld}.
 */
export interface WorldSnapshot {
  /** Every non-static body, in creation order (static bodies never change). */
  bodies: BodySnapshot[];
  /** Every joint in creation order. */
  joints: JointSnapshot[];
  /** Every contact, oldest first. */
  contacts: ContactSnapshot[];
  /** planck's step record: dt, 1/dt and the previous 1/dt (for the warm-starting ratio). */
  step: [number, number, number];
}

interface StepInternals {
  s_step: { dt: number; inv_dt: number; inv_dt0: number };
}

function creationOrder<T extends { getNext(): T | null }>(first: T | null): T[] {
  const items: T[] = [];
  for (let x = first; x; x = x.getNext()) items.push(x);
  return items.reverse();
}

function fixturesOf(body: Body): Fixture[] {
  return creationOrder(body.getFixtureList());
}

function proxyOf(fixture: Fixture, childIndex: number): FixtureProxy {
  return (fixture as unknown as { m_proxies: FixtureProxy[] }).m_proxies[childIndex];
}

/**
 * Snapshots everything about a world that changes while it steps, exactly (plain numbers that
 * JSON round-trips).
 *
 * @example
 * ```ts
 * import { addFixture, boxShape, Box2DWorld, createBody, snapshotWorld } from "./box2d23.ts";
 * const world = new Box2DWorld(-10);
 * const crate = createBody(world, { type: "dynamic", position: [0, 4] });
 * addFixture(crate, boxShape(0.5, 0.5), { density: 1 });
 * world.step(Math.fround(1 / 50), 8, 3);
 * const snap = snapshotWorld(world); // JSON.stringify(snap) restores exactly
 * ```
 */
export function snapshotWorld(world: Box2DWorld): WorldSnapshot {
  const broadPhase = (world as unknown as WorldInternals).m_broadPhase;
  const bodies = creationOrder(world.getBodyList());
  const fixtureIndex = new Map<Fixture, number>();
  for (const body of bodies) {
    for (const f of fixturesOf(body)) fixtureIndex.set(f, fixtureIndex.size);
  }
  const bodySnaps = bodies.filter((body) => !body.isStatic()).map((body): BodySnapshot => {
    const b = bodyInternals(body);
    const s = b.m_sweep;
    return {
      xf: [b.m_xf.p.x, b.m_xf.p.y, b.m_xf.q.s, b.m_xf.q.c],
      sweep: [s.c0.x, s.c0.y, s.c.x, s.c.y, s.a0, s.a, s.alpha0],
      velocity: [b.m_linearVelocity.x, b.m_linearVelocity.y, b.m_angularVelocity],
      force: [b.m_force.x, b.m_force.y, b.m_torque],
      awake: b.m_awakeFlag,
      sleepTime: b.m_sleepTime,
      proxies: fixturesOf(body).map((f) => {
        const aabb = broadPhase.getFatAABB(proxyOf(f, 0).proxyId);
        return [aabb.lowerBound.x, aabb.lowerBound.y, aabb.upperBound.x, aabb.upperBound.y];
      }),
    };
  });
  const joints = creationOrder(world.getJointList()).map((joint): JointSnapshot => {
    const j = joint as unknown as RevoluteJointInternals;
    return {
      impulse: [j.m_impulse.x, j.m_impulse.y, j.m_impulse.z],
      motorImpulse: j.m_motorImpulse,
      limitState: j.m_limitState,
      motorSpeed: j.m_motorSpeed,
      maxMotorTorque: j.m_maxMotorTorque,
    };
  });
  const contacts = creationOrder(world.getContactList()).map((contact): ContactSnapshot => {
    const c = contactInternals(contact);
    const m = c.m_manifold;
    return {
      fixtures: [
        fixtureIndex.get(contact.getFixtureA())!,
        contact.getChildIndexA(),
        fixtureIndex.get(contact.getFixtureB())!,
        contact.getChildIndexB(),
      ],
      flags: [c.m_touchingFlag, c.m_enabledFlag, c.m_filterFlag],
      toi: [c.m_toiFlag, c.m_toiCount, c.m_toi],
      // A contact that never touched has no manifold type yet: store e_unset (−1).
      manifold: [m.type ?? -1, m.localNormal.x, m.localNormal.y, m.localPoint.x, m.localPoint.y],
      points: m.points.slice(0, m.pointCount).map((p) => [
        p.localPoint.x,
        p.localPoint.y,
        p.normalImpulse,
        p.tangentImpulse,
        p.id.indexA,
        p.id.indexB,
        p.id.typeA,
        p.id.typeB,
      ]),
    };
  });
  const step = (world as unknown as StepInternals).s_step;
  return { bodies: bodySnaps, joints, contacts, step: [step.dt, step.inv_dt, step.inv_dt0] };
}

/**
 * Restores a {@linkcode snapshotWorld} snapshot into a world that the same deterministic builder
 * has just made (same bodies, fixtures and joints, created in the same order, before any step):
 * body and joint states, the broadphase's fat AABBs (an empty move buffer, as between steps), and
 * the contacts re-created oldest first, so that the world's and every body's contact lists have
 * the same order as before.
 *
 * @example
 * ```ts
 * import {
 *   addFixture, boxShape, Box2DWorld, createBody, restoreWorld, snapshotWorld,
 * } from "./box2d23.ts";
 * const build = () => {
 *   const world = new Box2DWorld(-10);
 *   const crate = createBody(world, { type: "dynamic", position: [0, 4] });
 *   addFixture(crate, boxShape(0.5, 0.5), { density: 1 });
 *   return world;
 * };
 * const a = build();
 * a.step(Math.fround(1 / 50), 8, 3);
 * const b = build();
 * restoreWorld(b, JSON.parse(JSON.stringify(snapshotWorld(a))));
 * ```
 */
export function restoreWorld(world: Box2DWorld, snap: WorldSnapshot): void {
  const w = world as unknown as WorldInternals & StepInternals & { m_newFixture: boolean };
  const broadPhase = w.m_broadPhase as Box2DBroadPhase;
  const bodies = creationOrder(world.getBodyList());
  const moving = bodies.filter((body) => !body.isStatic());
  const joints = creationOrder(world.getJointList());
  if (moving.length !== snap.bodies.length || joints.length !== snap.joints.length) {
    throw new RangeError(
      `restoreWorld: the snapshot has ${snap.bodies.length} moving bodies and ` +
        `${snap.joints.length} joints, the world ${moving.length} and ${joints.length}; restore ` +
        `into a world built from the same task state`,
    );
  }
  if (world.getContactList() !== null) {
    throw new Error("restoreWorld: the world already has contacts; restore into a fresh world");
  }
  const fixtures: Fixture[] = [];
  for (const body of bodies) fixtures.push(...fixturesOf(body));
  moving.forEach((body, k) => {
    const s = snap.bodies[k];
    const b = bodyInternals(body);
    [b.m_xf.p.x, b.m_xf.p.y, b.m_xf.q.s, b.m_xf.q.c] = s.xf;
    [b.m_sweep.c0.x, b.m_sweep.c0.y, b.m_sweep.c.x, b.m_sweep.c.y] = s.sweep;
    [b.m_sweep.a0, b.m_sweep.a, b.m_sweep.alpha0] = s.sweep.slice(4);
    [b.m_linearVelocity.x, b.m_linearVelocity.y, b.m_angularVelocity] = s.velocity;
    [b.m_force.x, b.m_force.y, b.m_torque] = s.force;
    fixturesOf(body).forEach((f, i) => {
      const [lx, ly, ux, uy] = s.proxies[i];
      const node = broadPhase.m_tree.m_nodes[proxyOf(f, 0).proxyId];
      broadPhase.m_tree.removeLeaf(node);
      node.aabb.lowerBound.x = lx;
      node.aabb.lowerBound.y = ly;
      node.aabb.upperBound.x = ux;
      node.aabb.upperBound.y = uy;
      broadPhase.m_tree.insertLeaf(node);
    });
  });
  joints.forEach((joint, k) => {
    const s = snap.joints[k];
    const j = joint as unknown as RevoluteJointInternals;
    [j.m_impulse.x, j.m_impulse.y, j.m_impulse.z] = s.impulse;
    j.m_motorImpulse = s.motorImpulse;
    j.m_limitState = s.limitState;
    j.m_motorSpeed = s.motorSpeed;
    j.m_maxMotorTorque = s.maxMotorTorque;
  });
  broadPhase.m_moveBuffer.length = 0;
  w.m_newFixture = false;
  for (const s of snap.contacts) {
    const [fa, ia, fb, ib] = s.fixtures;
    const before = w.m_contactCount;
    world.createContact(proxyOf(fixtures[fa], ia), proxyOf(fixtures[fb], ib));
    const contact = w.m_contactList;
    if (w.m_contactCount !== before + 1 || contact === null) {
      throw new Error(`restoreWorld: could not re-create the contact of fixtures ${fa} and ${fb}`);
    }
    const c = contactInternals(contact);
    [c.m_touchingFlag, c.m_enabledFlag, c.m_filterFlag] = s.flags;
    [c.m_toiFlag, c.m_toiCount, c.m_toi] = s.toi;
    const m = c.m_manifold;
    [m.type, m.localNormal.x, m.localNormal.y, m.localPoint.x, m.localPoint.y] = s.manifold;
    m.pointCount = s.points.length;
    s.points.forEach((p, i) => {
      const mp = m.points[i];
      [mp.localPoint.x, mp.localPoint.y, mp.normalImpulse, mp.tangentImpulse] = p;
      mp.id.setFeatures(p[4], p[6], p[5], p[7]);
    });
  }
  // Contact creation wakes bodies; the snapshot's flags and timers win.
  moving.forEach((body, k) => {
    const b = bodyInternals(body);
    b.m_awakeFlag = snap.bodies[k].awake;
    b.m_sleepTime = snap.bodies[k].sleepTime;
  });
  [w.s_step.dt, w.s_step.inv_dt, w.s_step.inv_dt0] = snap.step;
}
