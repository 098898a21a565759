/**
 * Box2D 2.3's island solver on typed arrays: {@linkcode solveIsland} is `b2Island::Solve`
 * (integrate velocities, warm-started contact and joint velocity iterations, integrate positions
 * with the translation and rotation caps, position iterations, sleep), and {@linkcode ContactSolver}
 * is `b2ContactSolver` (world manifolds, normal and tangent masses, restitution bias, the 2×2 block
 * solver for two-point manifolds, the position correction). Positions and velocities of the
 * island's bodies live in flat arrays indexed by island index, the way Box2D's `m_positions` and
 * `m_velocities` do; the walker runs 180 velocity iterations per step, and planck's per-object
 * version of the same arithmetic costs about twice as much.
 *
 * @module
 */
import type { Body, Contact } from "planck";
import type { BodyInternals, ContactInternals, XY } from "./box2d23.ts";

/** Box2D settings (b2Settings.h), in float64. */
const LINEAR_SLOP = 0.005;
const BAUMGARTE = 0.2;
const MAX_LINEAR_CORRECTION = 0.2;
const MAX_TRANSLATION = 2.0;
const MAX_ROTATION = 0.5 * Math.PI;
const VELOCITY_THRESHOLD = 1.0;
const LINEAR_SLEEP_TOLERANCE = 0.01;
const ANGULAR_SLEEP_TOLERANCE = (2.0 / 180.0) * Math.PI;
const EPSILON = 1.1920928955078125e-7;
const MAX_CONDITION_NUMBER = 1000.0;

/** Manifold types (planck's `ManifoldType`). */
const CIRCLES = 0;
const FACE_A = 1;

/**
 * The island's bodies as Box2D's solver sees them: position (centre of mass, angle) and velocity
 * by island index, and the step.
 */
export interface IslandState {
  /** Centre-of-mass x. */
  cx: Float64Array;
  /** Centre-of-mass y. */
  cy: Float64Array;
  /** Angle. */
  ca: Float64Array;
  /** Linear velocity x. */
  vx: Float64Array;
  /** Linear velocity y. */
  vy: Float64Array;
  /** Angular velocity. */
  vw: Float64Array;
  /** Time step. */
  dt: number;
  /** dt / previous dt (warm-starting scale). */
  dtRatio: number;
  /** Whether impulses are warm-started. */
  warmStarting: boolean;
}

/** A joint that solves on island arrays (see `revolute_joint.ts`). */
export interface IslandJoint {
  /** `InitVelocityConstraints`. */
  initVelocity(s: IslandState): void;
  /** `SolveVelocityConstraints`. */
  solveVelocity(s: IslandState): void;
  /** `SolvePositionConstraints`; true when within the slops. */
  solvePosition(s: IslandState): boolean;
}

/** A body with its island index (set by {@linkcode solveIsland} for the current island). */
export interface IslandBody {
  /** Index into the island arrays. */
  islandIndex: number;
}

/** Grows an island state to hold `n` bodies. */
export function islandState(n: number, s?: IslandState): IslandState {
  if (s !== undefined && s.cx.length >= n) return s;
  const size = Math.max(n, 2 * (s?.cx.length ?? 4));
  return {
    cx: new Float64Array(size),
    cy: new Float64Array(size),
    ca: new Float64Array(size),
    vx: new Float64Array(size),
    vy: new Float64Array(size),
    vw: new Float64Array(size),
    dt: 0,
    dtRatio: 1,
    warmStarting: true,
  };
}

// Per-contact fields (stride C) and per-point fields (stride P, two points per contact).
const C_INV_MASS_A = 0;
const C_INV_MASS_B = 1;
const C_INV_I_A = 2;
const C_INV_I_B = 3;
const C_FRICTION = 4;
const C_RESTITUTION = 5;
const C_TANGENT_SPEED = 6;
const C_NORMAL_X = 7;
const C_NORMAL_Y = 8;
const C_K11 = 9;
const C_K12 = 10;
const C_K21 = 11;
const C_K22 = 12;
const C_NM11 = 13;
const C_NM12 = 14;
const C_NM21 = 15;
const C_NM22 = 16;
const C_LC_AX = 17;
const C_LC_AY = 18;
const C_LC_BX = 19;
const C_LC_BY = 20;
const C_RADIUS_A = 21;
const C_RADIUS_B = 22;
const C_LOCAL_NORMAL_X = 23;
const C_LOCAL_NORMAL_Y = 24;
const C_LOCAL_POINT_X = 25;
const C_LOCAL_POINT_Y = 26;
const C = 27;

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

/**
 * `b2ContactSolver` over typed arrays: one constraint per touching contact of the island, up to
 * two points each.
 *
 * @example
 * ```ts
 * import { ContactSolver } from "./island.ts";
 * const solver = new ContactSolver(); // reused across steps; grows as needed
 * ```
 */
export class ContactSolver {
  #f = new Float64Array(C * 8);
  #p = new Float64Array(2 * P * 8);
  #indexA = new Int32Array(8);
  #indexB = new Int32Array(8);
  #pointCount = new Int32Array(8);
  #type = new Int32Array(8);
  #contacts: Contact[] = [];
  #count = 0;

  /**
   * The constructor part of `b2ContactSolver`: copies the contacts' manifolds, masses and
   * warm-starting impulses (scaled by dtRatio, or zero without warm starting).
   */
  setup(contacts: readonly Contact[], s: IslandState): void {
    const n = contacts.length;
    this.#count = n;
    if (this.#indexA.length < n) {
      const size = 2 * n;
      this.#f = new Float64Array(C * size);
      this.#p = new Float64Array(2 * P * size);
      this.#indexA = new Int32Array(size);
      this.#indexB = new Int32Array(size);
      this.#pointCount = new Int32Array(size);
      this.#type = new Int32Array(size);
    }
    this.#contacts.length = n;
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < n; k++) {
      const contact = contacts[k];
      this.#contacts[k] = contact;
      const c = contact as unknown as ContactInternals;
      const fixtureA = contact.getFixtureA();
      const fixtureB = contact.getFixtureB();
      const bodyA = fixtureA.getBody();
      const bodyB = fixtureB.getBody();
      const bA = bodyA as unknown as BodyInternals & IslandBody;
      const bB = bodyB as unknown as BodyInternals & IslandBody;
      const m = c.m_manifold;
      const o = C * k;
      this.#indexA[k] = bA.islandIndex;
      this.#indexB[k] = bB.islandIndex;
      this.#pointCount[k] = m.pointCount;
      this.#type[k] = m.type;
      f[o + C_INV_MASS_A] = bA.m_invMass;
      f[o + C_INV_MASS_B] = bB.m_invMass;
      f[o + C_INV_I_A] = bA.m_invI;
      f[o + C_INV_I_B] = bB.m_invI;
      f[o + C_FRICTION] = c.m_friction;
      f[o + C_RESTITUTION] = c.m_restitution;
      f[o + C_TANGENT_SPEED] = c.m_tangentSpeed;
      f[o + C_LC_AX] = bA.m_sweep.localCenter.x;
      f[o + C_LC_AY] = bA.m_sweep.localCenter.y;
      f[o + C_LC_BX] = bB.m_sweep.localCenter.x;
      f[o + C_LC_BY] = bB.m_sweep.localCenter.y;
      f[o + C_RADIUS_A] = fixtureA.getShape().getRadius();
      f[o + C_RADIUS_B] = fixtureB.getShape().getRadius();
      f[o + C_LOCAL_NORMAL_X] = m.localNormal.x;
      f[o + C_LOCAL_NORMAL_Y] = m.localNormal.y;
      f[o + C_LOCAL_POINT_X] = m.localPoint.x;
      f[o + C_LOCAL_POINT_Y] = m.localPoint.y;
      for (let j = 0; j < m.pointCount; j++) {
        const cp = m.points[j];
        const q = P * (2 * k + j);
        p[q + P_NORMAL_IMPULSE] = s.warmStarting ? s.dtRatio * cp.normalImpulse : 0.0;
        p[q + P_TANGENT_IMPULSE] = s.warmStarting ? s.dtRatio * cp.tangentImpulse : 0.0;
        p[q + P_LOCAL_X] = cp.localPoint.x;
        p[q + P_LOCAL_Y] = cp.localPoint.y;
      }
    }
  }

  /** `InitializeVelocityConstraints`: world manifold, effective masses, restitution bias, K. */
  initializeVelocityConstraints(s: IslandState): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const iA = this.#indexA[k];
      const iB = this.#indexB[k];
      const mA = f[o + C_INV_MASS_A];
      const mB = f[o + C_INV_MASS_B];
      const IA = f[o + C_INV_I_A];
      const IB = f[o + C_INV_I_B];
      const cAx = s.cx[iA];
      const cAy = s.cy[iA];
      const cBx = s.cx[iB];
      const cBy = s.cy[iB];
      const vAx = s.vx[iA];
      const vAy = s.vy[iA];
      const wA = s.vw[iA];
      const vBx = s.vx[iB];
      const vBy = s.vy[iB];
      const wB = s.vw[iB];
      // Transforms from the solver positions.
      const sA = Math.sin(s.ca[iA]);
      const qA = Math.cos(s.ca[iA]);
      const sB = Math.sin(s.ca[iB]);
      const qB = Math.cos(s.ca[iB]);
      const pAx = cAx - (qA * f[o + C_LC_AX] - sA * f[o + C_LC_AY]);
      const pAy = cAy - (sA * f[o + C_LC_AX] + qA * f[o + C_LC_AY]);
      const pBx = cBx - (qB * f[o + C_LC_BX] - sB * f[o + C_LC_BY]);
      const pBy = cBy - (sB * f[o + C_LC_BX] + qB * f[o + C_LC_BY]);
      // b2WorldManifold::Initialize.
      const radiusA = f[o + C_RADIUS_A];
      const radiusB = f[o + C_RADIUS_B];
      const lnx = f[o + C_LOCAL_NORMAL_X];
      const lny = f[o + C_LOCAL_NORMAL_Y];
      const lpx = f[o + C_LOCAL_POINT_X];
      const lpy = f[o + C_LOCAL_POINT_Y];
      const type = this.#type[k];
      const count = this.#pointCount[k];
      let nx: number;
      let ny: number;
      // The world points go into rA (then made relative).
      if (type === CIRCLES) {
        nx = 1.0;
        ny = 0.0;
        const ax = qA * lpx - sA * lpy + pAx;
        const ay = sA * lpx + qA * lpy + pAy;
        const q0 = P * (2 * k);
        const bx = qB * p[q0 + P_LOCAL_X] - sB * p[q0 + P_LOCAL_Y] + pBx;
        const by = sB * p[q0 + P_LOCAL_X] + qB * p[q0 + P_LOCAL_Y] + pBy;
        const dx = bx - ax;
        const dy = by - ay;
        if (dx * dx + dy * dy > EPSILON * EPSILON) {
          const len = Math.sqrt(dx * dx + dy * dy);
          if (len >= EPSILON) {
            nx = dx / len;
            ny = dy / len;
          }
        }
        const cAx2 = ax + radiusA * nx;
        const cAy2 = ay + radiusA * ny;
        const cBx2 = bx - radiusB * nx;
        const cBy2 = by - radiusB * ny;
        p[q0 + P_RAX] = 0.5 * (cAx2 + cBx2);
        p[q0 + P_RAY] = 0.5 * (cAy2 + cBy2);
      } else if (type === FACE_A) {
        nx = qA * lnx - sA * lny;
        ny = sA * lnx + qA * lny;
        const planeX = qA * lpx - sA * lpy + pAx;
        const planeY = sA * lpx + qA * lpy + pAy;
        for (let j = 0; j < count; j++) {
          const q = P * (2 * k + j);
          const clipX = qB * p[q + P_LOCAL_X] - sB * p[q + P_LOCAL_Y] + pBx;
          const clipY = sB * p[q + P_LOCAL_X] + qB * p[q + P_LOCAL_Y] + pBy;
          const d = radiusA - ((clipX - planeX) * nx + (clipY - planeY) * ny);
          const cAx2 = clipX + d * nx;
          const cAy2 = clipY + d * ny;
          const cBx2 = clipX - radiusB * nx;
          const cBy2 = clipY - radiusB * ny;
          p[q + P_RAX] = 0.5 * (cAx2 + cBx2);
          p[q + P_RAY] = 0.5 * (cAy2 + cBy2);
        }
      } else {
        nx = qB * lnx - sB * lny;
        ny = sB * lnx + qB * lny;
        const planeX = qB * lpx - sB * lpy + pBx;
        const planeY = sB * lpx + qB * lpy + pBy;
        for (let j = 0; j < count; j++) {
          const q = P * (2 * k + j);
          const clipX = qA * p[q + P_LOCAL_X] - sA * p[q + P_LOCAL_Y] + pAx;
          const clipY = sA * p[q + P_LOCAL_X] + qA * p[q + P_LOCAL_Y] + pAy;
          const d = radiusB - ((clipX - planeX) * nx + (clipY - planeY) * ny);
          const cBx2 = clipX + d * nx;
          const cBy2 = clipY + d * ny;
          const cAx2 = clipX - radiusA * nx;
          const cAy2 = clipY - radiusA * ny;
          p[q + P_RAX] = 0.5 * (cAx2 + cBx2);
          p[q + P_RAY] = 0.5 * (cAy2 + cBy2);
        }
        nx = -nx;
        ny = -ny;
      }
      f[o + C_NORMAL_X] = nx;
      f[o + C_NORMAL_Y] = ny;
      const tx = ny; // tangent = cross(normal, 1)
      const ty = -nx;
      const restitution = f[o + C_RESTITUTION];
      for (let j = 0; j < count; j++) {
        const q = P * (2 * k + j);
        const wx = p[q + P_RAX];
        const wy = p[q + P_RAY];
        const rAx = wx - cAx;
        const rAy = wy - cAy;
        const rBx = wx - cBx;
        const rBy = wy - cBy;
        p[q + P_RAX] = rAx;
        p[q + P_RAY] = rAy;
        p[q + P_RBX] = rBx;
        p[q + P_RBY] = rBy;
        const rnA = rAx * ny - rAy * nx;
        const rnB = rBx * ny - rBy * nx;
        const kNormal = mA + mB + IA * rnA * rnA + IB * rnB * rnB;
        p[q + P_NORMAL_MASS] = kNormal > 0.0 ? 1.0 / kNormal : 0.0;
        const rtA = rAx * ty - rAy * tx;
        const rtB = rBx * ty - rBy * tx;
        const kTangent = mA + mB + IA * rtA * rtA + IB * rtB * rtB;
        p[q + P_TANGENT_MASS] = kTangent > 0.0 ? 1.0 / kTangent : 0.0;
        p[q + P_VELOCITY_BIAS] = 0.0;
        // vRel = dot(n, vB + cross(wB, rB) - vA - cross(wA, rA)).
        const vRel = nx * (vBx + -wB * rBy - vAx - -wA * rAy) +
          ny * (vBy + wB * rBx - vAy - wA * rAx);
        if (vRel < -VELOCITY_THRESHOLD) p[q + P_VELOCITY_BIAS] = -restitution * vRel;
      }
      // Block solver for two points, if the system is well conditioned.
      if (count === 2) {
        const q1 = P * (2 * k);
        const q2 = q1 + P;
        const rn1A = p[q1 + P_RAX] * ny - p[q1 + P_RAY] * nx;
        const rn1B = p[q1 + P_RBX] * ny - p[q1 + P_RBY] * nx;
        const rn2A = p[q2 + P_RAX] * ny - p[q2 + P_RAY] * nx;
        const rn2B = p[q2 + P_RBX] * ny - p[q2 + P_RBY] * nx;
        const k11 = mA + mB + IA * rn1A * rn1A + IB * rn1B * rn1B;
        const k22 = mA + mB + IA * rn2A * rn2A + IB * rn2B * rn2B;
        const k12 = mA + mB + IA * rn1A * rn2A + IB * rn1B * rn2B;
        if (k11 * k11 < MAX_CONDITION_NUMBER * (k11 * k22 - k12 * k12)) {
          // K = [ex ey] with ex = (k11, k12), ey = (k12, k22); normalMass = K⁻¹.
          f[o + C_K11] = k11;
          f[o + C_K21] = k12;
          f[o + C_K12] = k12;
          f[o + C_K22] = k22;
          let det = k11 * k22 - k12 * k12;
          if (det !== 0.0) det = 1.0 / det;
          f[o + C_NM11] = det * k22;
          f[o + C_NM12] = -det * k12;
          f[o + C_NM21] = -det * k12;
          f[o + C_NM22] = det * k11;
        } else {
          // Constraints are redundant: use one of them.
          this.#pointCount[k] = 1;
        }
      }
    }
  }

  /** `WarmStart`: applies the accumulated impulses. */
  warmStart(s: IslandState): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const iA = this.#indexA[k];
      const iB = this.#indexB[k];
      const mA = f[o + C_INV_MASS_A];
      const mB = f[o + C_INV_MASS_B];
      const IA = f[o + C_INV_I_A];
      const IB = f[o + C_INV_I_B];
      const nx = f[o + C_NORMAL_X];
      const ny = f[o + C_NORMAL_Y];
      const tx = ny;
      const ty = -nx;
      let vAx = s.vx[iA];
      let vAy = s.vy[iA];
      let wA = s.vw[iA];
      let vBx = s.vx[iB];
      let vBy = s.vy[iB];
      let wB = s.vw[iB];
      for (let j = 0; j < this.#pointCount[k]; j++) {
        const q = P * (2 * k + j);
        const Px = p[q + P_NORMAL_IMPULSE] * nx + p[q + P_TANGENT_IMPULSE] * tx;
        const Py = p[q + P_NORMAL_IMPULSE] * ny + p[q + P_TANGENT_IMPULSE] * ty;
        wA -= IA * (p[q + P_RAX] * Py - p[q + P_RAY] * Px);
        vAx -= mA * Px;
        vAy -= mA * Py;
        wB += IB * (p[q + P_RBX] * Py - p[q + P_RBY] * Px);
        vBx += mB * Px;
        vBy += mB * Py;
      }
      s.vx[iA] = vAx;
      s.vy[iA] = vAy;
      s.vw[iA] = wA;
      s.vx[iB] = vBx;
      s.vy[iB] = vBy;
      s.vw[iB] = wB;
    }
  }

  /** `SolveVelocityConstraints`: friction, then normal impulses (block solver for 2 points). */
  solveVelocityConstraints(s: IslandState): void {
    const f = this.#f;
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const iA = this.#indexA[k];
      const iB = this.#indexB[k];
      const mA = f[o + C_INV_MASS_A];
      const mB = f[o + C_INV_MASS_B];
      const IA = f[o + C_INV_I_A];
      const IB = f[o + C_INV_I_B];
      const count = this.#pointCount[k];
      let vAx = s.vx[iA];
      let vAy = s.vy[iA];
      let wA = s.vw[iA];
      let vBx = s.vx[iB];
      let vBy = s.vy[iB];
      let wB = s.vw[iB];
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
        const dvx = vBx + -wB * rBy - vAx - -wA * rAy;
        const dvy = vBy + wB * rBx - vAy - wA * rAx;
        const vt = dvx * tx + dvy * ty - tangentSpeed;
        let lambda = p[q + P_TANGENT_MASS] * -vt;
        const maxFriction = friction * p[q + P_NORMAL_IMPULSE];
        const old = p[q + P_TANGENT_IMPULSE];
        const sum = old + lambda;
        const newImpulse = sum < -maxFriction
          ? -maxFriction
          : sum > maxFriction
          ? maxFriction
          : sum;
        lambda = newImpulse - old;
        p[q + P_TANGENT_IMPULSE] = newImpulse;
        const Px = lambda * tx;
        const Py = lambda * ty;
        vAx -= mA * Px;
        vAy -= mA * Py;
        wA -= IA * (rAx * Py - rAy * Px);
        vBx += mB * Px;
        vBy += mB * Py;
        wB += IB * (rBx * Py - rBy * Px);
      }

      if (count === 1) {
        const q = P * (2 * k);
        const rAx = p[q + P_RAX];
        const rAy = p[q + P_RAY];
        const rBx = p[q + P_RBX];
        const rBy = p[q + P_RBY];
        const dvx = vBx + -wB * rBy - vAx - -wA * rAy;
        const dvy = vBy + wB * rBx - vAy - wA * rAx;
        const vn = dvx * nx + dvy * ny;
        let lambda = -p[q + P_NORMAL_MASS] * (vn - p[q + P_VELOCITY_BIAS]);
        const old = p[q + P_NORMAL_IMPULSE];
        const newImpulse = Math.max(old + lambda, 0.0);
        lambda = newImpulse - old;
        p[q + P_NORMAL_IMPULSE] = newImpulse;
        const Px = lambda * nx;
        const Py = lambda * ny;
        vAx -= mA * Px;
        vAy -= mA * Py;
        wA -= IA * (rAx * Py - rAy * Px);
        vBx += mB * Px;
        vBy += mB * Py;
        wB += IB * (rBx * Py - rBy * Px);
      } else {
        // Block solver (Box2D's "Case 1..4"): total impulse x with x ≥ 0 and vn ≥ 0.
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
        const dv1x = vBx + -wB * r1By - vAx - -wA * r1Ay;
        const dv1y = vBy + wB * r1Bx - vAy - wA * r1Ax;
        const dv2x = vBx + -wB * r2By - vAx - -wA * r2Ay;
        const dv2y = vBy + wB * r2Bx - vAy - wA * r2Ax;
        let vn1 = dv1x * nx + dv1y * ny;
        let vn2 = dv2x * nx + dv2y * ny;
        const k11 = f[o + C_K11];
        const k12 = f[o + C_K12];
        const k21 = f[o + C_K21];
        const k22 = f[o + C_K22];
        let bx = vn1 - p[q1 + P_VELOCITY_BIAS];
        let by = vn2 - p[q2 + P_VELOCITY_BIAS];
        // b -= K a, with K = [ex ey]: (K a).x = ex.x a.x + ey.x a.y.
        bx -= k11 * ax + k12 * ay;
        by -= k21 * ax + k22 * ay;
        let xx: number;
        let xy: number;
        let solved = false;
        // Case 1: both constraints active, x = −K⁻¹ b.
        xx = -(f[o + C_NM11] * bx + f[o + C_NM12] * by);
        xy = -(f[o + C_NM21] * bx + f[o + C_NM22] * by);
        if (xx >= 0.0 && xy >= 0.0) solved = true;
        if (!solved) {
          // Case 2: only the first.
          xx = -p[q1 + P_NORMAL_MASS] * bx;
          xy = 0.0;
          vn1 = 0.0;
          vn2 = k21 * xx + by;
          if (xx >= 0.0 && vn2 >= 0.0) solved = true;
        }
        if (!solved) {
          // Case 3: only the second.
          xx = 0.0;
          xy = -p[q2 + P_NORMAL_MASS] * by;
          vn1 = k12 * xy + bx;
          vn2 = 0.0;
          if (xy >= 0.0 && vn1 >= 0.0) solved = true;
        }
        if (!solved) {
          // Case 4: neither.
          xx = 0.0;
          xy = 0.0;
          vn1 = bx;
          vn2 = by;
          if (vn1 >= 0.0 && vn2 >= 0.0) solved = true;
        }
        if (solved) {
          const dx = xx - ax;
          const dy = xy - ay;
          const P1x = dx * nx;
          const P1y = dx * ny;
          const P2x = dy * nx;
          const P2y = dy * ny;
          vAx -= mA * (P1x + P2x);
          vAy -= mA * (P1y + P2y);
          wA -= IA * (r1Ax * P1y - r1Ay * P1x + (r2Ax * P2y - r2Ay * P2x));
          vBx += mB * (P1x + P2x);
          vBy += mB * (P1y + P2y);
          wB += IB * (r1Bx * P1y - r1By * P1x + (r2Bx * P2y - r2By * P2x));
          p[q1 + P_NORMAL_IMPULSE] = xx;
          p[q2 + P_NORMAL_IMPULSE] = xy;
        }
      }
      s.vx[iA] = vAx;
      s.vy[iA] = vAy;
      s.vw[iA] = wA;
      s.vx[iB] = vBx;
      s.vy[iB] = vBy;
      s.vw[iB] = wB;
    }
  }

  /** `StoreImpulses`: writes the accumulated impulses back to the manifolds (warm starting). */
  storeImpulses(): void {
    const p = this.#p;
    for (let k = 0; k < this.#count; k++) {
      const m = (this.#contacts[k] as unknown as ContactInternals).m_manifold;
      for (let j = 0; j < this.#pointCount[k]; j++) {
        const q = P * (2 * k + j);
        m.points[j].normalImpulse = p[q + P_NORMAL_IMPULSE];
        m.points[j].tangentImpulse = p[q + P_TANGENT_IMPULSE];
      }
    }
  }

  /** `SolvePositionConstraints` (Baumgarte-style correction); true when no point is too deep. */
  solvePositionConstraints(s: IslandState): boolean {
    const f = this.#f;
    const p = this.#p;
    let minSeparation = 0.0;
    for (let k = 0; k < this.#count; k++) {
      const o = C * k;
      const iA = this.#indexA[k];
      const iB = this.#indexB[k];
      const mA = f[o + C_INV_MASS_A];
      const mB = f[o + C_INV_MASS_B];
      const IA = f[o + C_INV_I_A];
      const IB = f[o + C_INV_I_B];
      const lcAx = f[o + C_LC_AX];
      const lcAy = f[o + C_LC_AY];
      const lcBx = f[o + C_LC_BX];
      const lcBy = f[o + C_LC_BY];
      const radii = f[o + C_RADIUS_A] + f[o + C_RADIUS_B];
      const lnx = f[o + C_LOCAL_NORMAL_X];
      const lny = f[o + C_LOCAL_NORMAL_Y];
      const lpx = f[o + C_LOCAL_POINT_X];
      const lpy = f[o + C_LOCAL_POINT_Y];
      const type = this.#type[k];
      // The position solver uses every manifold point (the velocity solver may have dropped one).
      const count = (this.#contacts[k] as unknown as ContactInternals).m_manifold.pointCount;
      let cAx = s.cx[iA];
      let cAy = s.cy[iA];
      let aA = s.ca[iA];
      let cBx = s.cx[iB];
      let cBy = s.cy[iB];
      let aB = s.ca[iB];
      for (let j = 0; j < count; j++) {
        const sA = Math.sin(aA);
        const qA = Math.cos(aA);
        const sB = Math.sin(aB);
        const qB = Math.cos(aB);
        const pAx = cAx - (qA * lcAx - sA * lcAy);
        const pAy = cAy - (sA * lcAx + qA * lcAy);
        const pBx = cBx - (qB * lcBx - sB * lcBy);
        const pBy = cBy - (sB * lcBx + qB * lcBy);
        // b2PositionSolverManifold::Initialize.
        const q = P * (2 * k + j);
        let nx: number;
        let ny: number;
        let pointX: number;
        let pointY: number;
        let separation: number;
        if (type === CIRCLES) {
          const ax = qA * lpx - sA * lpy + pAx;
          const ay = sA * lpx + qA * lpy + pAy;
          const q0 = P * (2 * k);
          const bx = qB * p[q0 + P_LOCAL_X] - sB * p[q0 + P_LOCAL_Y] + pBx;
          const by = sB * p[q0 + P_LOCAL_X] + qB * p[q0 + P_LOCAL_Y] + pBy;
          nx = bx - ax;
          ny = by - ay;
          const len = Math.sqrt(nx * nx + ny * ny);
          if (len >= EPSILON) {
            nx /= len;
            ny /= len;
          }
          pointX = 0.5 * (ax + bx);
          pointY = 0.5 * (ay + by);
          separation = (bx - ax) * nx + (by - ay) * ny - radii;
        } else if (type === FACE_A) {
          nx = qA * lnx - sA * lny;
          ny = sA * lnx + qA * lny;
          const planeX = qA * lpx - sA * lpy + pAx;
          const planeY = sA * lpx + qA * lpy + pAy;
          pointX = qB * p[q + P_LOCAL_X] - sB * p[q + P_LOCAL_Y] + pBx;
          pointY = sB * p[q + P_LOCAL_X] + qB * p[q + P_LOCAL_Y] + pBy;
          separation = (pointX - planeX) * nx + (pointY - planeY) * ny - radii;
        } else {
          nx = qB * lnx - sB * lny;
          ny = sB * lnx + qB * lny;
          const planeX = qB * lpx - sB * lpy + pBx;
          const planeY = sB * lpx + qB * lpy + pBy;
          pointX = qA * p[q + P_LOCAL_X] - sA * p[q + P_LOCAL_Y] + pAx;
          pointY = sA * p[q + P_LOCAL_X] + qA * p[q + P_LOCAL_Y] + pAy;
          separation = (pointX - planeX) * nx + (pointY - planeY) * ny - radii;
          nx = -nx;
          ny = -ny;
        }
        const rAx = pointX - cAx;
        const rAy = pointY - cAy;
        const rBx = pointX - cBx;
        const rBy = pointY - cBy;
        minSeparation = Math.min(minSeparation, separation);
        // Prevent large corrections and allow slop.
        const Cv = BAUMGARTE * (separation + LINEAR_SLOP);
        const Cc = Cv < -MAX_LINEAR_CORRECTION ? -MAX_LINEAR_CORRECTION : Cv > 0.0 ? 0.0 : Cv;
        const rnA = rAx * ny - rAy * nx;
        const rnB = rBx * ny - rBy * nx;
        const K = mA + mB + IA * rnA * rnA + IB * rnB * rnB;
        const impulse = K > 0.0 ? -Cc / K : 0.0;
        const Px = impulse * nx;
        const Py = impulse * ny;
        cAx -= mA * Px;
        cAy -= mA * Py;
        aA -= IA * (rAx * Py - rAy * Px);
        cBx += mB * Px;
        cBy += mB * Py;
        aB += IB * (rBx * Py - rBy * Px);
      }
      s.cx[iA] = cAx;
      s.cy[iA] = cAy;
      s.ca[iA] = aA;
      s.cx[iB] = cBx;
      s.cy[iB] = cBy;
      s.ca[iB] = aB;
    }
    return minSeparation >= -3.0 * LINEAR_SLOP;
  }
}

/**
 * `b2Island::Solve` for planck's island (bodies, contacts and joints in the order planck's
 * `solveWorld` collected them, which is Box2D's): integrates velocities with gravity and forces,
 * runs the warm-started velocity iterations (joints, then contacts), integrates positions under
 * Box2D's translation and rotation caps, runs the position iterations until the contacts and
 * joints are within their slops, writes the state back and puts the island to sleep once every
 * body has rested `timeToSleep` (see `sleepThreshold`).
 */
export function solveIsland(
  bodies: readonly Body[],
  contacts: readonly Contact[],
  joints: readonly IslandJoint[],
  step: {
    dt: number;
    dtRatio: number;
    warmStarting: boolean;
    velocityIterations: number;
    positionIterations: number;
  },
  gravity: XY,
  allowSleep: boolean,
  timeToSleep: number,
  s: IslandState,
  contactSolver: ContactSolver,
): void {
  const h = step.dt;
  const n = bodies.length;
  for (let i = 0; i < n; i++) {
    const body = bodies[i];
    const b = body as unknown as BodyInternals & IslandBody & {
      m_gravityScale: number;
      m_linearDamping: number;
      m_angularDamping: number;
    };
    b.islandIndex = i;
    const sw = b.m_sweep;
    let vx = b.m_linearVelocity.x;
    let vy = b.m_linearVelocity.y;
    let w = b.m_angularVelocity;
    // Store positions for continuous collision.
    sw.c0.x = sw.c.x;
    sw.c0.y = sw.c.y;
    sw.a0 = sw.a;
    if (body.isDynamic()) {
      // Integrate velocities: v += h·(gravityScale·g + invMass·f), w += h·invI·torque.
      vx += h * (b.m_gravityScale * gravity.x + b.m_invMass * b.m_force.x);
      vy += h * (b.m_gravityScale * gravity.y + b.m_invMass * b.m_force.y);
      w += h * b.m_invI * b.m_torque;
      // Damping (Box2D 2.3's clamp(1 − h·d, 0, 1)).
      const ld = Math.min(Math.max(1.0 - h * b.m_linearDamping, 0.0), 1.0);
      const ad = Math.min(Math.max(1.0 - h * b.m_angularDamping, 0.0), 1.0);
      vx *= ld;
      vy *= ld;
      w *= ad;
    }
    s.cx[i] = sw.c.x;
    s.cy[i] = sw.c.y;
    s.ca[i] = sw.a;
    s.vx[i] = vx;
    s.vy[i] = vy;
    s.vw[i] = w;
  }
  s.dt = h;
  s.dtRatio = step.dtRatio;
  s.warmStarting = step.warmStarting;

  contactSolver.setup(contacts, s);
  contactSolver.initializeVelocityConstraints(s);
  if (step.warmStarting) contactSolver.warmStart(s);
  for (const joint of joints) joint.initVelocity(s);

  for (let it = 0; it < step.velocityIterations; it++) {
    for (const joint of joints) joint.solveVelocity(s);
    contactSolver.solveVelocityConstraints(s);
  }
  contactSolver.storeImpulses();

  // Integrate positions.
  for (let i = 0; i < n; i++) {
    let vx = s.vx[i];
    let vy = s.vy[i];
    let w = s.vw[i];
    const tx = h * vx;
    const ty = h * vy;
    const t2 = tx * tx + ty * ty;
    if (t2 > MAX_TRANSLATION * MAX_TRANSLATION) {
      const ratio = MAX_TRANSLATION / Math.sqrt(t2);
      vx *= ratio;
      vy *= ratio;
    }
    const rotation = h * w;
    if (rotation * rotation > MAX_ROTATION * MAX_ROTATION) {
      w *= MAX_ROTATION / Math.abs(rotation);
    }
    s.cx[i] += h * vx;
    s.cy[i] += h * vy;
    s.ca[i] += h * w;
    s.vx[i] = vx;
    s.vy[i] = vy;
    s.vw[i] = w;
  }

  let positionSolved = false;
  for (let it = 0; it < step.positionIterations; it++) {
    const contactsOkay = contactSolver.solvePositionConstraints(s);
    let jointsOkay = true;
    for (const joint of joints) {
      const jointOkay = joint.solvePosition(s);
      jointsOkay = jointsOkay && jointOkay;
    }
    if (contactsOkay && jointsOkay) {
      positionSolved = true;
      break;
    }
  }

  // Copy state back to the bodies.
  for (let i = 0; i < n; i++) {
    const body = bodies[i];
    const b = body as unknown as BodyInternals;
    b.m_sweep.c.x = s.cx[i];
    b.m_sweep.c.y = s.cy[i];
    b.m_sweep.a = s.ca[i];
    b.m_linearVelocity.x = s.vx[i];
    b.m_linearVelocity.y = s.vy[i];
    b.m_angularVelocity = s.vw[i];
    body.synchronizeTransform();
  }

  if (allowSleep) {
    let minSleepTime = Infinity;
    const linTolSqr = LINEAR_SLEEP_TOLERANCE * LINEAR_SLEEP_TOLERANCE;
    const angTolSqr = ANGULAR_SLEEP_TOLERANCE * ANGULAR_SLEEP_TOLERANCE;
    for (let i = 0; i < n; i++) {
      const body = bodies[i];
      if (body.isStatic()) continue;
      const b = body as unknown as BodyInternals & { m_autoSleepFlag: boolean };
      const v = b.m_linearVelocity;
      if (
        !b.m_autoSleepFlag || b.m_angularVelocity * b.m_angularVelocity > angTolSqr ||
        v.x * v.x + v.y * v.y > linTolSqr
      ) {
        b.m_sleepTime = 0.0;
        minSleepTime = 0.0;
      } else {
        b.m_sleepTime += h;
        minSleepTime = Math.min(minSleepTime, b.m_sleepTime);
      }
    }
    if (minSleepTime >= timeToSleep && positionSolved) {
      for (const body of bodies) body.setAwake(false);
    }
  }
}
