/**
 * Box2D 2.3.10's island solver in float32 on typed arrays: {@linkcode ContactSolver} is
 * `b2ContactSolver` (world manifolds, normal and tangent masses, restitution bias, the 2×2 block
 * solver for two-point manifolds, position correction, the TOI position correction) and
 * {@linkcode solveIsland} / {@linkcode solveIslandTOI} are `b2Island::Solve` / `SolveTOI`
 * (integrate velocities, warm-started velocity iterations, integrate positions under the
 * translation and rotation caps, position iterations, sleep). Positions and velocities live in
 * flat arrays indexed by island index, as Box2D's `m_positions` and `m_velocities` do. Every
 * operation rounds to float32 in Box2D's order (see `settings.ts`).
 *
 * @module
 */
import {
  BAUMGARTE,
  f32,
  LINEAR_SLOP,
  MAX_LINEAR_CORRECTION,
  MAX_ROTATION,
  MAX_ROTATION_SQUARED,
  MAX_TRANSLATION,
  MAX_TRANSLATION_SQUARED,
  TOI_BAUMGARTE,
  VELOCITY_THRESHOLD,
} from "./settings.ts";
import { CIRCLES, FACE_A } from "./collide.ts";
import { cross, dot, mulXfX, mulXfY, rotX, rotY, setTransform } from "./math.ts";
import type { Transform } from "./shapes.ts";
import type { Body, Contact } from "./world.ts";

/** The step an island is solved with (`b2TimeStep`). */
export interface TimeStep {
  /** Time step (float32). */
  dt: number;
  /** 1/dt. */
  invDt: number;
  /** dt · (1/dt of the previous step): scales warm-starting impulses. */
  dtRatio: number;
  /** Velocity iterations. */
  velocityIterations: number;
  /** Position iterations. */
  positionIterations: number;
  /** Whether impulses are warm-started. */
  warmStarting: boolean;
}

/** The island's positions and velocities by island index (`b2Position`, `b2Velocity`). */
export interface SolverData {
  /** Centre of mass x. */
  cx: Float64Array;
  /** Centre of mass y. */
  cy: Float64Array;
  /** Angle. */
  a: Float64Array;
  /** Linear velocity x. */
  vx: Float64Array;
  /** Linear velocity y. */
  vy: Float64Array;
  /** Angular velocity. */
  w: Float64Array;
  /** The step. */
  step: TimeStep;
}

/** A joint as the island solver drives it (`revolute_joint.ts`). */
export interface IslandJoint {
  /** `InitVelocityConstraints`. */
  initVelocityConstraints(data: SolverData): void;
  /** `SolveVelocityConstraints`. */
  solveVelocityConstraints(data: SolverData): void;
  /** `SolvePositionConstraints`; true when within the slops. */
  solvePositionConstraints(data: SolverData): boolean;
}

/**
 * A time step with every field zero (warm starting on), to be filled in by the world.
 *
 * @example
 * ```ts
 * import { timeStep } from "./island.ts";
 * const step = timeStep();
 * step.dt = Math.fround(1 / 50);
 * ```
 */
export function timeStep(): TimeStep {
  return {
    dt: 0,
    invDt: 0,
    dtRatio: 0,
    velocityIterations: 0,
    positionIterations: 0,
    warmStarting: true,
  };
}

/**
 * The island's solver arrays, grown to hold `n` bodies (reusing `d` when it is large enough).
 *
 * @example
 * ```ts
 * import { solverData } from "./island.ts";
 * let data = solverData(8);
 * data = solverData(20, data); // new arrays of 20 or more entries
 * ```
 */
export function solverData(n: number, d?: SolverData): SolverData {
  if (d !== undefined && d.cx.length >= n) return d;
  const size = Math.max(n, 2 * (d?.cx.length ?? 4));
  return {
    cx: new Float64Array(size),
    cy: new Float64Array(size),
    a: new Float64Array(size),
    vx: new Float64Array(size),
    vy: new Float64Array(size),
    w: new Float64Array(size),
    step: d?.step ?? timeStep(),
  };
}

/** The two bodies of a constraint as the solvers see them (Box2D's m_indexA, m_invMassA, ...). */
export interface BodyPair {
  /** Island index of body A. */
  iA: number;
  /** Island index of body B. */
  iB: number;
  /** Inverse mass of body A. */
  mA: number;
  /** Inverse rotational inertia of body A. */
  IA: number;
  /** Inverse mass of body B. */
  mB: number;
  /** Inverse rotational inertia of body B. */
  IB: number;
}

/**
 * The island indices and inverse masses of bodies a and b (a constraint's view of them at the
 * start of a step).
 *
 * @example
 * ```ts
 * import { bodyPair } from "./island.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const a = world.createBody({ type: "dynamic", position: [0, 0] });
 * const b = world.createBody({ type: "static", position: [0, 0] });
 * bodyPair(a, b); // { iA: 0, iB: 0, mA: 1, IA: 0, mB: 0, IB: 0 }
 * ```
 */
export function bodyPair(a: Body, b: Body): BodyPair {
  return {
    iA: a.islandIndex,
    iB: b.islandIndex,
    mA: a.invMass,
    IA: a.invI,
    mB: b.invMass,
    IB: b.invI,
  };
}

// Per-contact fields (stride C) and per-point fields (stride P, two points per contact).
const C_FRICTION = 0;
const C_RESTITUTION = 1;
const C_TANGENT_SPEED = 2;
const C_NORMAL_X = 3;
const C_NORMAL_Y = 4;
const C_K11 = 5;
const C_K12 = 6;
const C_K21 = 7;
const C_K22 = 8;
const C_NM11 = 9;
const C_NM12 = 10;
const C_NM21 = 11;
const C_NM22 = 12;
const C_LC_AX = 13;
const C_LC_AY = 14;
const C_LC_BX = 15;
const C_LC_BY = 16;
const C_RADIUS_A = 17;
const C_RADIUS_B = 18;
const C_LOCAL_NORMAL_X = 19;
const C_LOCAL_NORMAL_Y = 20;
const C_LOCAL_POINT_X = 21;
const C_LOCAL_POINT_Y = 22;
const C = 23;

const P_RAX = 0;
const P_RAY = 1;
const P_RBX = 2;
const P_RBY = 3;
const P_NORMAL_IMPULSE = 4;
const P_TANGENT_IMPULSE = 5;
const P_NORMAL_MASS = 6;
const P_TANGENT_MASS = 7;
const P_VELOCITY_BIAS = 8;
const P_LOCAL_X = 9;
const P_LOCAL_Y = 10;
const P = 11;

// Scratch for b2PositionSolverManifold results and the bodies' transforms.
const wm = { nx: 0, ny: 0, px: 0, py: 0, separation: 0 };
const xfA: Transform = { px: 0, py: 0, s: 0, c: 1 };
const xfB: Transform = { px: 0, py: 0, s: 0, c: 1 };
const dv = { x: 0, y: 0 };

/**
 * A face manifold's geometry at the given body transforms: the reference face's world normal and
 * plane point (on A for FACE_A, on B for FACE_B), the transform of the other, incident body, and
 * the last clip point of {@linkcode facePoint}.
 */
const face = { nx: 0, ny: 0, planeX: 0, planeY: 0, incident: xfB, clipX: 0, clipY: 0 };

function referenceFace(
  faceA: boolean,
  lnx: number,
  lny: number,
  lpx: number,
  lpy: number,
  xfA: Transform,
  xfB: Transform,
): void {
  const xfR = faceA ? xfA : xfB;
  face.nx = rotX(xfR.s, xfR.c, lnx, lny);
  face.ny = rotY(xfR.s, xfR.c, lnx, lny);
  face.planeX = mulXfX(xfR, lpx, lpy);
  face.planeY = mulXfY(xfR, lpx, lpy);
  face.incident = faceA ? xfB : xfA;
}

/**
 * The clip point (lx, ly) of the incident body in world coordinates (into `face.clipX`,
 * `face.clipY`); returns its distance from the reference face's plane along the normal.
 */
function facePoint(lx: number, ly: number): number {
  const clipX = (face.clipX = mulXfX(face.incident, lx, ly));
  const clipY = (face.clipY = mulXfY(face.incident, lx, ly));
  return dot(f32(clipX - face.planeX), f32(clipY - face.planeY), face.nx, face.ny);
}

/**
 * The state of a constraint's two bodies during a solver pass: the velocities (vx, vy, w) or the
 * positions (cx, cy, a) of body A and body B. Box2D's solvers work on such local copies; the
 * helpers below update them in place, and V8 keeps the fields in registers when they inline.
 */
export interface PairState {
  /** Body A's vx or cx. */
  xA: number;
  /** Body A's vy or cy. */
  yA: number;
  /** Body A's w or a. */
  angleA: number;
  /** Body B's vx or cx. */
  xB: number;
  /** Body B's vy or cy. */
  yB: number;
  /** Body B's w or a. */
  angleB: number;
}

/**
 * The pair state of bodies b from the island's arrays (x, y, angle: the velocities or the
 * positions); {@linkcode storePair} writes it back.
 *
 * @example
 * ```ts
 * import { loadPair, solverData, storePair } from "./island.ts";
 * const d = solverData(2);
 * const bodies = { iA: 0, iB: 1, mA: 1, IA: 1, mB: 1, IB: 1 };
 * const v = loadPair(d.vx, d.vy, d.w, bodies);
 * v.xB = 1;
 * storePair(v, d.vx, d.vy, d.w, bodies); // d.vx[1] = 1
 * ```
 */
export function loadPair(
  x: Float64Array,
  y: Float64Array,
  angle: Float64Array,
  b: BodyPair,
): PairState {
  const { iA, iB } = b;
  return { xA: x[iA], yA: y[iA], angleA: angle[iA], xB: x[iB], yB: y[iB], angleB: angle[iB] };
}

/** Writes a pair state from {@linkcode loadPair} back to the island's arrays. */
export function storePair(
  s: PairState,
  x: Float64Array,
  y: Float64Array,
  angle: Float64Array,
  b: BodyPair,
): void {
  x[b.iA] = s.xA;
  y[b.iA] = s.yA;
  angle[b.iA] = s.angleA;
  x[b.iB] = s.xB;
  y[b.iB] = s.yB;
  angle[b.iB] = s.angleB;
}

/**
 * Applies an impulse to the pair state `s` ({@linkcode loadPair}) in Box2D's float32 order: body
 * A loses mA·P and IA·angularA, body B gains mB·P and IB·angularB (the angular parts are
 * b2Cross(r, P) of an impulse at the lever arms r, plus any impulse about the axis). On
 * velocities, or for a position correction on positions.
 *
 * @example
 * ```ts
 * import { applyImpulse } from "./island.ts";
 * const s = { xA: 0, yA: 0, angleA: 0, xB: 0, yB: 0, angleB: 0 };
 * const bodies = { iA: 0, iB: 1, mA: 1, IA: 1, mB: 0.5, IB: 0.5 };
 * applyImpulse(s, bodies, 2, 0, 0, 1);
 * [s.xA, s.xB, s.angleB]; // [-2, 1, 0.5]
 * ```
 */
export function applyImpulse(
  s: PairState,
  b: BodyPair,
  px: number,
  py: number,
  angularA: number,
  angularB: number,
): void {
  s.xA = f32(s.xA - f32(b.mA * px));
  s.yA = f32(s.yA - f32(b.mA * py));
  s.angleA = f32(s.angleA - f32(b.IA * angularA));
  s.xB = f32(s.xB + f32(b.mB * px));
  s.yB = f32(s.yB + f32(b.mB * py));
  s.angleB = f32(s.angleB + f32(b.IB * angularB));
}

/**
 * {@linkcode applyImpulse} of the impulse P applied at the lever arms rA and rB: the angular
 * parts are b2Cross(rA, P) and b2Cross(rB, P).
 *
 * @example
 * ```ts
 * import { applyPointImpulse } from "./island.ts";
 * const s = { xA: 0, yA: 0, angleA: 0, xB: 0, yB: 0, angleB: 0 };
 * const bodies = { iA: 0, iB: 1, mA: 1, IA: 1, mB: 1, IB: 1 };
 * applyPointImpulse(s, bodies, 0, 1, 0, 1, 2, 0);
 * [s.xA, s.angleA, s.xB, s.angleB]; // [-2, 2, 2, -2]
 * ```
 */
export function applyPointImpulse(
  s: PairState,
  b: BodyPair,
  rAx: number,
  rAy: number,
  rBx: number,
  rBy: number,
  px: number,
  py: number,
): void {
  applyImpulse(s, b, px, py, cross(rAx, rAy, px, py), cross(rBx, rBy, px, py));
}

/**
 * The velocity of the point at lever arm rB on body B relative to the one at rA on body A, for
 * the velocities `s` ({@linkcode loadPair}): vB + b2Cross(wB, rB) − vA − b2Cross(wA, rA) with
 * b2Cross(w, r) = (−w r.y, w r.x), into `out`.
 *
 * @example
 * ```ts
 * import { relativeVelocity } from "./island.ts";
 * const s = { xA: 0, yA: 0, angleA: 0, xB: 0, yB: 0, angleB: 2 }; // B turns at 2 rad/s
 * const out = { x: 0, y: 0 };
 * relativeVelocity(s, 0, 0, 1, 0, out); // out = { x: 0, y: 2 }
 * ```
 */
export function relativeVelocity(
  s: PairState,
  rAx: number,
  rAy: number,
  rBx: number,
  rBy: number,
  out: { x: number; y: number },
): void {
  const wA = s.angleA;
  const wB = s.angleB;
  out.x = f32(f32(f32(s.xB + f32(-wB * rBy)) - s.xA) - f32(-wA * rAy));
  out.y = f32(f32(f32(s.yB + f32(wB * rBx)) - s.yA) - f32(wA * rAx));
}

/**
 * An entry of the effective mass matrix of a point constraint, mAB + IA·a1·a2 + IB·b1·b2 (mAB =
 * mA + mB; a and b the lever arms' components along the constraint directions).
 *
 * @example
 * ```ts
 * import { effectiveMass } from "./island.ts";
 * effectiveMass(2, 1, 0.5, 0.5, 1, 0.5, 0.5); // 2.5
 * ```
 */
export function effectiveMass(
  mAB: number,
  IA: number,
  a1: number,
  a2: number,
  IB: number,
  b1: number,
  b2: number,
): number {
  return f32(f32(mAB + f32(f32(IA * a1) * a2)) + f32(f32(IB * b1) * b2));
}

/**
 * `b2ContactSolver` over typed arrays: one constraint per touching contact of the island, up to
 * two points each.
 *
 * @example
 * ```ts
 * import { ContactSolver } from "./island.ts";
 * const solver = new ContactSolver(); // reused across islands; grows as needed
 * ```
 */
export class ContactSolver {
  #f = new Float64Array(C * 8);
  #p = new Float64Array(2 * P * 8);
  #bodies: BodyPair[] = [];
  /** Velocity constraint point count (the block solver may drop a redundant point). */
  #pointCount = new Int32Array(8);
  /** Position constraint point count (the manifold's). */
  #manifoldCount = new Int32Array(8);
  #type = new Int32Array(8);
  #contacts: Contact[] = [];
  #count = 0;

  /**
   * The `b2ContactSolver` constructor: copies the contacts' manifolds, masses and warm-starting
   * impulses (scaled by dtRatio, or zero without warm starting).
   */
  setup(contacts: readonly Contact[], count: number, step: TimeStep): void {
    this.#count = count;
    if (this.#pointCount.length < count) {
      const size = 2 * count;
      this.#f = new Float64Array(C * size);
      this.#p = new Float64Array(2 * P * size);
      this.#pointCount = new Int32Array(size);
      this.#manifoldCount = new Int32Array(size);
      this.#type = new Int32Array(size);
    }
    this.#contacts.length = count;
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < count; k++) {
      const contact = contacts[k];
      this.#contacts[k] = contact;
      const bA = contact.fixtureA.body;
      const bB = contact.fixtureB.body;
      const m = contact.manifold;
      const o = C * k;
      this.#bodies[k] = bodyPair(bA, bB);
      this.#pointCount[k] = m.pointCount;
      this.#manifoldCount[k] = m.pointCount;
      this.#type[k] = m.type;
      f[o + C_FRICTION] = contact.friction;
      f[o + C_RESTITUTION] = contact.restitution;
      f[o + C_TANGENT_SPEED] = contact.tangentSpeed;
      f[o + C_LC_AX] = bA.localCenterX;
      f[o + C_LC_AY] = bA.localCenterY;
      f[o + C_LC_BX] = bB.localCenterX;
      f[o + C_LC_BY] = bB.localCenterY;
      f[o + C_RADIUS_A] = contact.fixtureA.shape.radius;
      f[o + C_RADIUS_B] = contact.fixtureB.shape.radius;
      f[o + C_LOCAL_NORMAL_X] = m.localNormalX;
      f[o + C_LOCAL_NORMAL_Y] = m.localNormalY;
      f[o + C_LOCAL_POINT_X] = m.localPointX;
      f[o + C_LOCAL_POINT_Y] = m.localPointY;
      for (let j = 0; j < m.pointCount; j++) {
        const cp = m.points[j];
        const q = P * (2 * k + j);
        p[q + P_NORMAL_IMPULSE] = step.warmStarting ? f32(step.dtRatio * cp.normalImpulse) : 0;
        p[q + P_TANGENT_IMPULSE] = step.warmStarting ? f32(step.dtRatio * cp.tangentImpulse) : 0;
        p[q + P_RAX] = 0;
        p[q + P_RAY] = 0;
        p[q + P_RBX] = 0;
        p[q + P_RBY] = 0;
        p[q + P_NORMAL_MASS] = 0;
        p[q + P_TANGENT_MASS] = 0;
        p[q + P_VELOCITY_BIAS] = 0;
        p[q + P_LOCAL_X] = cp.localPointX;
        p[q + P_LOCAL_Y] = cp.localPointY;
      }
    }
  }

  /** `InitializeVelocityConstraints`: world manifold, effective masses, restitution bias, K. */
  initializeVelocityConstraints(d: SolverData): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const b = this.#bodies[k];
      const { iA, iB, mA, IA, mB, IB } = b;
      const v = loadPair(d.vx, d.vy, d.w, b);
      const cAx = d.cx[iA];
      const cAy = d.cy[iA];
      const cBx = d.cx[iB];
      const cBy = d.cy[iB];
      setTransform(xfA, cAx, cAy, d.a[iA], f[o + C_LC_AX], f[o + C_LC_AY]);
      setTransform(xfB, cBx, cBy, d.a[iB], f[o + C_LC_BX], f[o + C_LC_BY]);
      const count = this.#pointCount[k];
      // b2WorldManifold::Initialize; the world points go into rA (made relative below).
      const radiusA = f[o + C_RADIUS_A];
      const radiusB = f[o + C_RADIUS_B];
      const type = this.#type[k];
      if (type === CIRCLES) throw new Error("ContactSolver: circle manifolds are not supported");
      // The reference face is on A (FACE_A) or B (FACE_B); the clip points are on the other body.
      const faceA = type === FACE_A;
      this.#referenceFace(k, xfA, xfB);
      const radiusRef = faceA ? radiusA : radiusB;
      const radiusInc = faceA ? radiusB : radiusA;
      let nx = face.nx;
      let ny = face.ny;
      for (let j = 0; j < count; j++) {
        const q = P * (2 * k + j);
        const dist = f32(radiusRef - facePoint(p[q + P_LOCAL_X], p[q + P_LOCAL_Y]));
        const { clipX, clipY } = face;
        // The point halfway between the two surfaces: 0.5·(cA + cB) (addition commutes).
        const refX = f32(clipX + f32(dist * nx));
        const refY = f32(clipY + f32(dist * ny));
        const incX = f32(clipX - f32(radiusInc * nx));
        const incY = f32(clipY - f32(radiusInc * ny));
        p[q + P_RAX] = f32(0.5 * f32(refX + incX));
        p[q + P_RAY] = f32(0.5 * f32(refY + incY));
      }
      if (!faceA) {
        nx = -nx;
        ny = -ny;
      }
      f[o + C_NORMAL_X] = nx;
      f[o + C_NORMAL_Y] = ny;
      const tx = ny; // tangent = b2Cross(normal, 1) = (n.y, −n.x)
      const ty = -nx;
      const restitution = f[o + C_RESTITUTION];
      for (let j = 0; j < count; j++) {
        const q = P * (2 * k + j);
        const wx = p[q + P_RAX];
        const wy = p[q + P_RAY];
        const rAx = f32(wx - cAx);
        const rAy = f32(wy - cAy);
        const rBx = f32(wx - cBx);
        const rBy = f32(wy - cBy);
        p[q + P_RAX] = rAx;
        p[q + P_RAY] = rAy;
        p[q + P_RBX] = rBx;
        p[q + P_RBY] = rBy;
        const rnA = cross(rAx, rAy, nx, ny);
        const rnB = cross(rBx, rBy, nx, ny);
        const kNormal = effectiveMass(f32(mA + mB), IA, rnA, rnA, IB, rnB, rnB);
        p[q + P_NORMAL_MASS] = kNormal > 0 ? f32(1 / kNormal) : 0;
        const rtA = cross(rAx, rAy, tx, ty);
        const rtB = cross(rBx, rBy, tx, ty);
        const kTangent = effectiveMass(f32(mA + mB), IA, rtA, rtA, IB, rtB, rtB);
        p[q + P_TANGENT_MASS] = kTangent > 0 ? f32(1 / kTangent) : 0;
        p[q + P_VELOCITY_BIAS] = 0;
        relativeVelocity(v, rAx, rAy, rBx, rBy, dv);
        const vRel = dot(nx, ny, dv.x, dv.y);
        if (vRel < -VELOCITY_THRESHOLD) p[q + P_VELOCITY_BIAS] = f32(-restitution * vRel);
      }
      if (count === 2) {
        const q1 = P * (2 * k);
        const q2 = q1 + P;
        const rn1A = cross(p[q1 + P_RAX], p[q1 + P_RAY], nx, ny);
        const rn1B = cross(p[q1 + P_RBX], p[q1 + P_RBY], nx, ny);
        const rn2A = cross(p[q2 + P_RAX], p[q2 + P_RAY], nx, ny);
        const rn2B = cross(p[q2 + P_RBX], p[q2 + P_RBY], nx, ny);
        const mAB = f32(mA + mB);
        const k11 = effectiveMass(mAB, IA, rn1A, rn1A, IB, rn1B, rn1B);
        const k22 = effectiveMass(mAB, IA, rn2A, rn2A, IB, rn2B, rn2B);
        const k12 = effectiveMass(mAB, IA, rn1A, rn2A, IB, rn1B, rn2B);
        if (f32(k11 * k11) < f32(1000 * f32(f32(k11 * k22) - f32(k12 * k12)))) {
          // K = [ex ey], ex = (k11, k12), ey = (k12, k22); normalMass = K.GetInverse().
          f[o + C_K11] = k11;
          f[o + C_K21] = k12;
          f[o + C_K12] = k12;
          f[o + C_K22] = k22;
          let det = f32(f32(k11 * k22) - f32(k12 * k12));
          if (det !== 0) det = f32(1 / det);
          f[o + C_NM11] = f32(det * k22);
          f[o + C_NM12] = f32(-det * k12);
          f[o + C_NM21] = f32(-det * k12);
          f[o + C_NM22] = f32(det * k11);
        } else {
          this.#pointCount[k] = 1; // redundant constraints: keep the first
        }
      }
    }
  }

  /** `WarmStart`: applies the scaled impulses of the previous step. */
  warmStart(d: SolverData): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const b = this.#bodies[k];
      const v = loadPair(d.vx, d.vy, d.w, b);
      const nx = f[o + C_NORMAL_X];
      const ny = f[o + C_NORMAL_Y];
      const tx = ny;
      const ty = -nx;
      for (let j = 0; j < this.#pointCount[k]; j++) {
        const q = P * (2 * k + j);
        const ni = p[q + P_NORMAL_IMPULSE];
        const ti = p[q + P_TANGENT_IMPULSE];
        const Px = f32(f32(ni * nx) + f32(ti * tx));
        const Py = f32(f32(ni * ny) + f32(ti * ty));
        this.#applyImpulse(v, k, q, Px, Py);
      }
      storePair(v, d.vx, d.vy, d.w, b);
    }
  }

  /** {@linkcode applyPointImpulse} of P at point q of contact k to `v`. */
  #applyImpulse(v: PairState, k: number, q: number, px: number, py: number): void {
    const p = this.#p;
    const rAx = p[q + P_RAX];
    const rAy = p[q + P_RAY];
    const rBx = p[q + P_RBX];
    const rBy = p[q + P_RBY];
    applyPointImpulse(v, this.#bodies[k], rAx, rAy, rBx, rBy, px, py);
  }

  /** `SolveVelocityConstraints`: friction, then the normal constraints (block solver for two). */
  solveVelocityConstraints(d: SolverData): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const { iA, iB, mA, IA, mB, IB } = this.#bodies[k];
      const count = this.#pointCount[k];
      let vAx = d.vx[iA];
      let vAy = d.vy[iA];
      let wA = d.w[iA];
      let vBx = d.vx[iB];
      let vBy = d.vy[iB];
      let wB = d.w[iB];
      const nx = f[o + C_NORMAL_X];
      const ny = f[o + C_NORMAL_Y];
      const tx = ny;
      const ty = -nx;
      const friction = f[o + C_FRICTION];
      const tangentSpeed = f[o + C_TANGENT_SPEED];

      // Tangent constraints first: friction is bounded by the normal impulse.
      for (let j = 0; j < count; j++) {
        const q = P * (2 * k + j);
        const rAx = p[q + P_RAX];
        const rAy = p[q + P_RAY];
        const rBx = p[q + P_RBX];
        const rBy = p[q + P_RBY];
        const dvx = f32(f32(f32(vBx + f32(-wB * rBy)) - vAx) - f32(-wA * rAy));
        const dvy = f32(f32(f32(vBy + f32(wB * rBx)) - vAy) - f32(wA * rAx));
        const vt = f32(f32(f32(dvx * tx) + f32(dvy * ty)) - tangentSpeed);
        let lambda = f32(p[q + P_TANGENT_MASS] * -vt);
        const maxFriction = f32(friction * p[q + P_NORMAL_IMPULSE]);
        const old = p[q + P_TANGENT_IMPULSE];
        // b2Clamp(a, lo, hi) = b2Max(lo, b2Min(a, hi)).
        const sum = f32(old + lambda);
        const clamped = sum < maxFriction ? sum : maxFriction;
        const newImpulse = -maxFriction > clamped ? -maxFriction : clamped;
        lambda = f32(newImpulse - old);
        p[q + P_TANGENT_IMPULSE] = newImpulse;
        const Px = f32(lambda * tx);
        const Py = f32(lambda * ty);
        vAx = f32(vAx - f32(mA * Px));
        vAy = f32(vAy - f32(mA * Py));
        wA = f32(wA - f32(IA * f32(f32(rAx * Py) - f32(rAy * Px))));
        vBx = f32(vBx + f32(mB * Px));
        vBy = f32(vBy + f32(mB * Py));
        wB = f32(wB + f32(IB * f32(f32(rBx * Py) - f32(rBy * Px))));
      }

      if (count === 1) {
        const q = P * (2 * k);
        const rAx = p[q + P_RAX];
        const rAy = p[q + P_RAY];
        const rBx = p[q + P_RBX];
        const rBy = p[q + P_RBY];
        const dvx = f32(f32(f32(vBx + f32(-wB * rBy)) - vAx) - f32(-wA * rAy));
        const dvy = f32(f32(f32(vBy + f32(wB * rBx)) - vAy) - f32(wA * rAx));
        const vn = f32(f32(dvx * nx) + f32(dvy * ny));
        let lambda = f32(-p[q + P_NORMAL_MASS] * f32(vn - p[q + P_VELOCITY_BIAS]));
        const old = p[q + P_NORMAL_IMPULSE];
        const sum = f32(old + lambda);
        const newImpulse = sum > 0 ? sum : 0; // b2Max(sum, 0)
        lambda = f32(newImpulse - old);
        p[q + P_NORMAL_IMPULSE] = newImpulse;
        const Px = f32(lambda * nx);
        const Py = f32(lambda * ny);
        vAx = f32(vAx - f32(mA * Px));
        vAy = f32(vAy - f32(mA * Py));
        wA = f32(wA - f32(IA * f32(f32(rAx * Py) - f32(rAy * Px))));
        vBx = f32(vBx + f32(mB * Px));
        vBy = f32(vBy + f32(mB * Py));
        wB = f32(wB + f32(IB * f32(f32(rBx * Py) - f32(rBy * Px))));
      } else {
        // Block solver (Box2D's cases 1-4): the total impulse x ≥ 0 with vn ≥ 0 complementary.
        const q1 = P * (2 * k);
        const q2 = q1 + P;
        const r1Ax = p[q1 + P_RAX];
        const r1Ay = p[q1 + P_RAY];
        const r1Bx = p[q1 + P_RBX];
        const r1By = p[q1 + P_RBY];
        const r2Ax = p[q2 + P_RAX];
        const r2Ay = p[q2 + P_RAY];
        const r2Bx = p[q2 + P_RBX];
        const r2By = p[q2 + P_RBY];
        const ax = p[q1 + P_NORMAL_IMPULSE];
        const ay = p[q2 + P_NORMAL_IMPULSE];
        const dv1x = f32(f32(f32(vBx + f32(-wB * r1By)) - vAx) - f32(-wA * r1Ay));
        const dv1y = f32(f32(f32(vBy + f32(wB * r1Bx)) - vAy) - f32(wA * r1Ax));
        const dv2x = f32(f32(f32(vBx + f32(-wB * r2By)) - vAx) - f32(-wA * r2Ay));
        const dv2y = f32(f32(f32(vBy + f32(wB * r2Bx)) - vAy) - f32(wA * r2Ax));
        const vn1 = f32(f32(dv1x * nx) + f32(dv1y * ny));
        const vn2 = f32(f32(dv2x * nx) + f32(dv2y * ny));
        const k11 = f[o + C_K11];
        const k12 = f[o + C_K12];
        const k21 = f[o + C_K21];
        const k22 = f[o + C_K22];
        // b = vn − velocityBias − K a; b2Mul(K, a) = (ex.x a.x + ey.x a.y, ex.y a.x + ey.y a.y).
        const bx = f32(f32(vn1 - p[q1 + P_VELOCITY_BIAS]) - f32(f32(k11 * ax) + f32(k12 * ay)));
        const by = f32(f32(vn2 - p[q2 + P_VELOCITY_BIAS]) - f32(f32(k21 * ax) + f32(k22 * ay)));
        let xx: number;
        let xy: number;
        let solved = false;
        // Case 1: both constraints active, x = −normalMass·b.
        xx = -f32(f32(f[o + C_NM11] * bx) + f32(f[o + C_NM12] * by));
        xy = -f32(f32(f[o + C_NM21] * bx) + f32(f[o + C_NM22] * by));
        if (xx >= 0 && xy >= 0) solved = true;
        if (!solved) {
          // Case 2: only the first, vn1 = 0.
          xx = f32(-p[q1 + P_NORMAL_MASS] * bx);
          xy = 0;
          const vn2b = f32(f32(k21 * xx) + by);
          if (xx >= 0 && vn2b >= 0) solved = true;
        }
        if (!solved) {
          // Case 3: only the second, vn2 = 0.
          xx = 0;
          xy = f32(-p[q2 + P_NORMAL_MASS] * by);
          const vn1b = f32(f32(k12 * xy) + bx);
          if (xy >= 0 && vn1b >= 0) solved = true;
        }
        if (!solved) {
          // Case 4: neither.
          xx = 0;
          xy = 0;
          if (bx >= 0 && by >= 0) solved = true;
        }
        if (solved) {
          const dx = f32(xx - ax);
          const dy = f32(xy - ay);
          const P1x = f32(dx * nx);
          const P1y = f32(dx * ny);
          const P2x = f32(dy * nx);
          const P2y = f32(dy * ny);
          const sx = f32(P1x + P2x);
          const sy = f32(P1y + P2y);
          vAx = f32(vAx - f32(mA * sx));
          vAy = f32(vAy - f32(mA * sy));
          wA = f32(
            wA - f32(
              IA * f32(
                f32(f32(r1Ax * P1y) - f32(r1Ay * P1x)) + f32(f32(r2Ax * P2y) - f32(r2Ay * P2x)),
              ),
            ),
          );
          vBx = f32(vBx + f32(mB * sx));
          vBy = f32(vBy + f32(mB * sy));
          wB = f32(
            wB + f32(
              IB * f32(
                f32(f32(r1Bx * P1y) - f32(r1By * P1x)) + f32(f32(r2Bx * P2y) - f32(r2By * P2x)),
              ),
            ),
          );
          p[q1 + P_NORMAL_IMPULSE] = xx;
          p[q2 + P_NORMAL_IMPULSE] = xy;
        }
      }
      d.vx[iA] = vAx;
      d.vy[iA] = vAy;
      d.w[iA] = wA;
      d.vx[iB] = vBx;
      d.vy[iB] = vBy;
      d.w[iB] = wB;
    }
  }

  /** `StoreImpulses`: the accumulated impulses go back to the manifolds (warm starting). */
  storeImpulses(): void {
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const m = this.#contacts[k].manifold;
      for (let j = 0; j < this.#pointCount[k]; j++) {
        const q = P * (2 * k + j);
        m.points[j].normalImpulse = p[q + P_NORMAL_IMPULSE];
        m.points[j].tangentImpulse = p[q + P_TANGENT_IMPULSE];
      }
    }
  }

  /** {@linkcode referenceFace} of contact k's manifold at the given body transforms. */
  #referenceFace(k: number, xfA: Transform, xfB: Transform): void {
    const f = this.#f;
    const o = C * k;
    const lnx = f[o + C_LOCAL_NORMAL_X];
    const lny = f[o + C_LOCAL_NORMAL_Y];
    const lpx = f[o + C_LOCAL_POINT_X];
    const lpy = f[o + C_LOCAL_POINT_Y];
    referenceFace(this.#type[k] === FACE_A, lnx, lny, lpx, lpy, xfA, xfB);
  }

  /**
   * `b2PositionSolverManifold::Initialize` for point j of contact k at the given transforms,
   * into `wm` (normal, point, separation).
   */
  #positionManifold(k: number, j: number, xfA: Transform, xfB: Transform): void {
    const f = this.#f;
    const p = this.#p;
    const o = C * k;
    const q = P * (2 * k + j);
    // Reference face on A (FACE_A) or B (FACE_B), the clip point on the other body.
    const faceA = this.#type[k] === FACE_A;
    this.#referenceFace(k, xfA, xfB);
    const dist = facePoint(p[q + P_LOCAL_X], p[q + P_LOCAL_Y]);
    wm.separation = f32(f32(dist - f[o + C_RADIUS_A]) - f[o + C_RADIUS_B]);
    wm.px = face.clipX;
    wm.py = face.clipY;
    wm.nx = faceA ? face.nx : -face.nx;
    wm.ny = faceA ? face.ny : -face.ny;
  }

  /**
   * `SolvePositionConstraints` (Baumgarte 0.2) or, with `toi`, `SolveTOIPositionConstraints`
   * (0.75; only the two TOI bodies move); true when no point is deeper than 3 (TOI: 1.5)
   * linear slops.
   */
  solvePositionConstraints(d: SolverData, toi: boolean, toiA = -1, toiB = -1): boolean {
    const f = this.#f;
    let minSeparation = 0;
    const baumgarte = toi ? TOI_BAUMGARTE : BAUMGARTE;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const b = toi ? toiBodies(this.#bodies[k], toiA, toiB) : this.#bodies[k];
      const { mA, IA, mB, IB } = b;
      const lcAx = f[o + C_LC_AX];
      const lcAy = f[o + C_LC_AY];
      const lcBx = f[o + C_LC_BX];
      const lcBy = f[o + C_LC_BY];
      const count = this.#manifoldCount[k];
      const v = loadPair(d.cx, d.cy, d.a, b);
      for (let j = 0; j < count; j++) {
        const cAx = v.xA;
        const cAy = v.yA;
        const cBx = v.xB;
        const cBy = v.yB;
        setTransform(xfA, cAx, cAy, v.angleA, lcAx, lcAy);
        setTransform(xfB, cBx, cBy, v.angleB, lcBx, lcBy);
        this.#positionManifold(k, j, xfA, xfB);
        const nx = wm.nx;
        const ny = wm.ny;
        const separation = wm.separation;
        const rAx = f32(wm.px - cAx);
        const rAy = f32(wm.py - cAy);
        const rBx = f32(wm.px - cBx);
        const rBy = f32(wm.py - cBy);
        minSeparation = minSeparation < separation ? minSeparation : separation;
        // C = b2Clamp(baumgarte·(separation + slop), −maxCorrection, 0).
        const cv = f32(baumgarte * f32(separation + LINEAR_SLOP));
        const clamped = cv < 0 ? cv : 0;
        const Cc = -MAX_LINEAR_CORRECTION > clamped ? -MAX_LINEAR_CORRECTION : clamped;
        const rnA = cross(rAx, rAy, nx, ny);
        const rnB = cross(rBx, rBy, nx, ny);
        const K = effectiveMass(f32(mA + mB), IA, rnA, rnA, IB, rnB, rnB);
        const impulse = K > 0 ? f32(-Cc / K) : 0;
        const Px = f32(impulse * nx);
        const Py = f32(impulse * ny);
        applyPointImpulse(v, b, rAx, rAy, rBx, rBy, Px, Py);
      }
      storePair(v, d.cx, d.cy, d.a, b);
    }
    return minSeparation >= f32((toi ? -1.5 : -3) * LINEAR_SLOP);
  }
}

const toiPair: BodyPair = { iA: 0, iB: 0, mA: 0, IA: 0, mB: 0, IB: 0 };

/**
 * The bodies of a contact as `SolveTOIPositionConstraints` sees them: only the two TOI bodies
 * (island indices toiA, toiB) move, the others have zero inverse mass and inertia.
 */
function toiBodies(b: BodyPair, toiA: number, toiB: number): BodyPair {
  Object.assign(toiPair, b);
  if (b.iA !== toiA && b.iA !== toiB) {
    toiPair.mA = 0;
    toiPair.IA = 0;
  }
  if (b.iB !== toiA && b.iB !== toiB) {
    toiPair.mB = 0;
    toiPair.IB = 0;
  }
  return toiPair;
}

/**
 * Integrates positions under Box2D's caps: a step moves at most `b2_maxTranslation` and turns at
 * most `b2_maxRotation` (the velocity is scaled down to fit).
 */
function integratePositions(d: SolverData, n: number, h: number): void {
  for (let i = 0; i < n; i++) {
    let vx = d.vx[i];
    let vy = d.vy[i];
    let w = d.w[i];
    const tx = f32(h * vx);
    const ty = f32(h * vy);
    if (f32(f32(tx * tx) + f32(ty * ty)) > MAX_TRANSLATION_SQUARED) {
      const ratio = f32(MAX_TRANSLATION / f32(Math.sqrt(f32(f32(tx * tx) + f32(ty * ty)))));
      vx = f32(vx * ratio);
      vy = f32(vy * ratio);
    }
    const rotation = f32(h * w);
    if (f32(rotation * rotation) > MAX_ROTATION_SQUARED) {
      const ratio = f32(MAX_ROTATION / (rotation > 0 ? rotation : -rotation));
      w = f32(w * ratio);
    }
    d.cx[i] = f32(d.cx[i] + f32(h * vx));
    d.cy[i] = f32(d.cy[i] + f32(h * vy));
    d.a[i] = f32(d.a[i] + f32(h * w));
    d.vx[i] = vx;
    d.vy[i] = vy;
    d.w[i] = w;
  }
}

/**
 * `b2Island::Solve` (without the sleep pass, which the world runs with its timers): integrates
 * velocities with gravity and forces, runs the warm-started velocity iterations (joints, then
 * contacts), integrates positions, runs the position iterations until contacts and joints are
 * within their slops, and writes the state back to the bodies. Returns whether the position
 * iterations converged (needed for sleeping). `World.step` calls it for every island.
 *
 * @example
 * ```ts
 * import { ContactSolver, solverData, solveIsland } from "./island.ts";
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const body = world.createBody({ type: "dynamic", position: [0, 2] });
 * body.createFixture(boxShape(0.5, 0.5), { density: 1 });
 * const data = solverData(1);
 * data.step = {
 *   dt: Math.fround(1 / 50), invDt: 50, dtRatio: 1, velocityIterations: 8,
 *   positionIterations: 3, warmStarting: true,
 * };
 * body.islandIndex = 0;
 * solveIsland([body], 1, [], 0, [], 0, data, new ContactSolver(), 0, -10); // a free fall step
 * ```
 */
export function solveIsland(
  bodies: readonly Body[],
  bodyCount: number,
  contacts: readonly Contact[],
  contactCount: number,
  joints: readonly IslandJoint[],
  jointCount: number,
  d: SolverData,
  solver: ContactSolver,
  gx: number,
  gy: number,
): boolean {
  const step = d.step;
  const h = step.dt;
  for (let i = 0; i < bodyCount; i++) {
    const b = bodies[i];
    let vx = b.vx;
    let vy = b.vy;
    let w = b.w;
    b.c0x = b.cx;
    b.c0y = b.cy;
    b.a0 = b.a;
    if (b.dynamic) {
      // v += h·(gravityScale·g + invMass·f); w += h·invI·τ.
      const ax = f32(f32(b.gravityScale * gx) + f32(b.invMass * b.fx));
      const ay = f32(f32(b.gravityScale * gy) + f32(b.invMass * b.fy));
      vx = f32(vx + f32(h * ax));
      vy = f32(vy + f32(h * ay));
      w = f32(w + f32(f32(h * b.invI) * b.torque));
      // v *= b2Clamp(1 − h·damping, 0, 1).
      const ld = clamp01(f32(1 - f32(h * b.linearDamping)));
      const ad = clamp01(f32(1 - f32(h * b.angularDamping)));
      vx = f32(vx * ld);
      vy = f32(vy * ld);
      w = f32(w * ad);
    }
    d.cx[i] = b.cx;
    d.cy[i] = b.cy;
    d.a[i] = b.a;
    d.vx[i] = vx;
    d.vy[i] = vy;
    d.w[i] = w;
  }

  solver.setup(contacts, contactCount, step);
  solver.initializeVelocityConstraints(d);
  if (step.warmStarting) solver.warmStart(d);
  for (let j = 0; j < jointCount; j++) joints[j].initVelocityConstraints(d);
  for (let it = 0; it < step.velocityIterations; it++) {
    for (let j = 0; j < jointCount; j++) joints[j].solveVelocityConstraints(d);
    solver.solveVelocityConstraints(d);
  }
  solver.storeImpulses();
  integratePositions(d, bodyCount, h);

  let positionSolved = false;
  for (let it = 0; it < step.positionIterations; it++) {
    const contactsOkay = solver.solvePositionConstraints(d, false);
    let jointsOkay = true;
    for (let j = 0; j < jointCount; j++) {
      const jointOkay = joints[j].solvePositionConstraints(d);
      jointsOkay = jointsOkay && jointOkay;
    }
    if (contactsOkay && jointsOkay) {
      positionSolved = true;
      break;
    }
  }

  writeBack(bodies, bodyCount, d);
  return positionSolved;
}

/** Copies the solved positions and velocities back to the bodies and updates their transforms. */
function writeBack(bodies: readonly Body[], n: number, d: SolverData): void {
  for (let i = 0; i < n; i++) {
    const b = bodies[i];
    b.cx = d.cx[i];
    b.cy = d.cy[i];
    b.a = d.a[i];
    b.vx = d.vx[i];
    b.vy = d.vy[i];
    b.w = d.w[i];
    b.synchronizeTransform();
  }
}

/** b2Clamp(x, 0, 1) = b2Max(0, b2Min(x, 1)). */
function clamp01(x: number): number {
  const m = x < 1 ? x : 1;
  return 0 > m ? 0 : m;
}

/**
 * `b2Island::SolveTOI`: moves the two TOI bodies (island indices toiA, toiB) out of overlap with
 * the TOI position correction, makes their positions the new sweep start, then solves the
 * velocities (no warm starting) and integrates over the rest of the step. `World.step` calls it
 * for every time-of-impact event (see the `solveIsland` example for the arguments).
 *
 * @example
 * ```ts
 * import { solveIslandTOI } from "./island.ts";
 * // World's SolveTOI: solveIslandTOI(bodies, n, contacts, m, data, solver, iA, iB), with
 * // data.step the sub-step (dt = (1 − α)·dt, 20 position iterations, no warm starting).
 * typeof solveIslandTOI; // "function"
 * ```
 */
export function solveIslandTOI(
  bodies: readonly Body[],
  bodyCount: number,
  contacts: readonly Contact[],
  contactCount: number,
  d: SolverData,
  solver: ContactSolver,
  toiA: number,
  toiB: number,
): void {
  const step = d.step;
  for (let i = 0; i < bodyCount; i++) {
    const b = bodies[i];
    d.cx[i] = b.cx;
    d.cy[i] = b.cy;
    d.a[i] = b.a;
    d.vx[i] = b.vx;
    d.vy[i] = b.vy;
    d.w[i] = b.w;
  }
  solver.setup(contacts, contactCount, step);
  for (let it = 0; it < step.positionIterations; it++) {
    if (solver.solvePositionConstraints(d, true, toiA, toiB)) break;
  }
  const bA = bodies[toiA];
  bA.c0x = d.cx[toiA];
  bA.c0y = d.cy[toiA];
  bA.a0 = d.a[toiA];
  const bB = bodies[toiB];
  bB.c0x = d.cx[toiB];
  bB.c0y = d.cy[toiB];
  bB.a0 = d.a[toiB];
  solver.initializeVelocityConstraints(d);
  for (let it = 0; it < step.velocityIterations; it++) solver.solveVelocityConstraints(d);
  integratePositions(d, bodyCount, step.dt);
  writeBack(bodies, bodyCount, d);
}
