/**
 * {@linkcode Box2DRevoluteJoint}: planck's revolute joint with Box2D 2.3's solver steps rewritten
 * on the island's position and velocity arrays (`island.ts`). The arithmetic is
 * `b2RevoluteJoint`'s (point constraint, motor, limits, the 3×3 and 2×2 solves), in C++'s operation
 * order; planck's version computes the same in float64 but allocates a dozen vectors per velocity
 * iteration, and the walker runs 180 iterations over four joints every step. Inside a plain planck
 * world (whose solver calls `initVelocityConstraints` etc.) it works on the bodies' solver state.
 *
 * @module
 */
import { type Body, RevoluteJoint, type RevoluteJointDef } from "planck";
import type { XY } from "./box2d23.ts";
import { type IslandBody, type IslandJoint, type IslandState, islandState } from "./island.ts";

/** planck's `LimitState` values. */
const INACTIVE = 0;
const AT_LOWER = 1;
const AT_UPPER = 2;
const EQUAL = 3;

/** The Box2D settings the joint uses (Box2D's values; planck's are the same in float64). */
const ANGULAR_SLOP = (2.0 / 180.0) * Math.PI;
const LINEAR_SLOP = 0.005;
const MAX_ANGULAR_CORRECTION = (8.0 / 180.0) * Math.PI;

/** The planck time step fields the solver reads. */
interface Step {
  dt: number;
  dtRatio: number;
  warmStarting: boolean;
}

/** The body fields the joint reads. */
interface SolverBody extends IslandBody {
  m_sweep: { localCenter: XY };
  m_invMass: number;
  m_invI: number;
}

/** The per-step solver state planck keeps on a body (plain planck worlds). */
interface PlanckSolverBody {
  c_position: { c: XY; a: number };
  c_velocity: { v: XY; w: number };
}

/** planck's joint fields that stay in use (read by snapshots and the rest of planck). */
interface Fields {
  m_bodyA: Body;
  m_bodyB: Body;
  m_localAnchorA: XY;
  m_localAnchorB: XY;
  m_referenceAngle: number;
  m_impulse: { x: number; y: number; z: number };
  m_motorImpulse: number;
  m_limitState: number;
  m_enableMotor: boolean;
  m_enableLimit: boolean;
  m_lowerAngle: number;
  m_upperAngle: number;
  m_maxMotorTorque: number;
  m_motorSpeed: number;
}

/**
 * A revolute joint whose velocity and position solvers are Box2D 2.3's, without allocations.
 *
 * @example
 * ```ts
 * import { World, Vec2, Box } from "planck";
 * import { Box2DRevoluteJoint } from "./revolute_joint.ts";
 * const world = new World({ gravity: new Vec2(0, -10) });
 * const a = world.createDynamicBody(new Vec2(0, 2));
 * const b = world.createDynamicBody(new Vec2(0, 1));
 * a.createFixture(new Box(0.1, 0.5), 1);
 * b.createFixture(new Box(0.1, 0.5), 1);
 * world.createJoint(new Box2DRevoluteJoint({
 *   bodyA: a, bodyB: b, localAnchorA: new Vec2(0, -0.5), localAnchorB: new Vec2(0, 0.5),
 *   referenceAngle: 0,
 * }));
 * world.step(1 / 50, 8, 3);
 * ```
 */
export class Box2DRevoluteJoint extends RevoluteJoint implements IslandJoint {
  // Per-step values (Box2D's m_rA, m_rB, m_mass, m_motorMass and the bodies' mass data).
  #iA = 0;
  #iB = 0;
  #rAx = 0;
  #rAy = 0;
  #rBx = 0;
  #rBy = 0;
  #k11 = 0;
  #k12 = 0;
  #k13 = 0;
  #k22 = 0;
  #k23 = 0;
  #k33 = 0;
  #motorMass = 0;
  #mA = 0;
  #mB = 0;
  #invIA = 0;
  #invIB = 0;
  #lcAx = 0;
  #lcAy = 0;
  #lcBx = 0;
  #lcBy = 0;

  /** A joint from planck's definition (pass `referenceAngle` explicitly). */
  constructor(def: RevoluteJointDef) {
    super(def);
  }

  /** `b2RevoluteJoint::InitVelocityConstraints` on island arrays. */
  initVelocity(s: IslandState): void {
    const j = this as unknown as Fields;
    const bA = j.m_bodyA as unknown as SolverBody;
    const bB = j.m_bodyB as unknown as SolverBody;
    const iA = (this.#iA = bA.islandIndex);
    const iB = (this.#iB = bB.islandIndex);
    this.#lcAx = bA.m_sweep.localCenter.x;
    this.#lcAy = bA.m_sweep.localCenter.y;
    this.#lcBx = bB.m_sweep.localCenter.x;
    this.#lcBy = bB.m_sweep.localCenter.y;
    const mA = (this.#mA = bA.m_invMass);
    const mB = (this.#mB = bB.m_invMass);
    const IA = (this.#invIA = bA.m_invI);
    const IB = (this.#invIB = bB.m_invI);
    const aA = s.ca[iA];
    const aB = s.ca[iB];
    let wA = s.vw[iA];
    let wB = s.vw[iB];

    const sA = Math.sin(aA);
    const cA = Math.cos(aA);
    const sB = Math.sin(aB);
    const cB = Math.cos(aB);
    const ax = j.m_localAnchorA.x - this.#lcAx;
    const ay = j.m_localAnchorA.y - this.#lcAy;
    const bx = j.m_localAnchorB.x - this.#lcBx;
    const by = j.m_localAnchorB.y - this.#lcBy;
    const rAx = (this.#rAx = cA * ax - sA * ay);
    const rAy = (this.#rAy = sA * ax + cA * ay);
    const rBx = (this.#rBx = cB * bx - sB * by);
    const rBy = (this.#rBy = sB * bx + cB * by);

    const fixedRotation = IA + IB === 0.0;
    this.#k11 = mA + mB + rAy * rAy * IA + rBy * rBy * IB;
    this.#k12 = -rAy * rAx * IA - rBy * rBx * IB;
    this.#k13 = -rAy * IA - rBy * IB;
    this.#k22 = mA + mB + rAx * rAx * IA + rBx * rBx * IB;
    this.#k23 = rAx * IA + rBx * IB;
    this.#k33 = IA + IB;
    this.#motorMass = IA + IB;
    if (this.#motorMass > 0.0) this.#motorMass = 1.0 / this.#motorMass;

    if (j.m_enableMotor === false || fixedRotation) j.m_motorImpulse = 0.0;

    const impulse = j.m_impulse;
    if (j.m_enableLimit && fixedRotation === false) {
      const jointAngle = aB - aA - j.m_referenceAngle;
      if (Math.abs(j.m_upperAngle - j.m_lowerAngle) < 2.0 * ANGULAR_SLOP) {
        j.m_limitState = EQUAL;
      } else if (jointAngle <= j.m_lowerAngle) {
        if (j.m_limitState !== AT_LOWER) impulse.z = 0.0;
        j.m_limitState = AT_LOWER;
      } else if (jointAngle >= j.m_upperAngle) {
        if (j.m_limitState !== AT_UPPER) impulse.z = 0.0;
        j.m_limitState = AT_UPPER;
      } else {
        j.m_limitState = INACTIVE;
        impulse.z = 0.0;
      }
    } else {
      j.m_limitState = INACTIVE;
    }

    if (s.warmStarting) {
      impulse.x *= s.dtRatio;
      impulse.y *= s.dtRatio;
      impulse.z *= s.dtRatio;
      j.m_motorImpulse *= s.dtRatio;
      const px = impulse.x;
      const py = impulse.y;
      s.vx[iA] -= mA * px;
      s.vy[iA] -= mA * py;
      wA -= IA * (rAx * py - rAy * px + j.m_motorImpulse + impulse.z);
      s.vx[iB] += mB * px;
      s.vy[iB] += mB * py;
      wB += IB * (rBx * py - rBy * px + j.m_motorImpulse + impulse.z);
    } else {
      impulse.x = 0;
      impulse.y = 0;
      impulse.z = 0;
      j.m_motorImpulse = 0.0;
    }
    s.vw[iA] = wA;
    s.vw[iB] = wB;
  }

  /** `b2RevoluteJoint::SolveVelocityConstraints` on island arrays. */
  solveVelocity(s: IslandState): void {
    const j = this as unknown as Fields;
    const iA = this.#iA;
    const iB = this.#iB;
    let vAx = s.vx[iA];
    let vAy = s.vy[iA];
    let wA = s.vw[iA];
    let vBx = s.vx[iB];
    let vBy = s.vy[iB];
    let wB = s.vw[iB];
    const mA = this.#mA;
    const mB = this.#mB;
    const IA = this.#invIA;
    const IB = this.#invIB;
    const rAx = this.#rAx;
    const rAy = this.#rAy;
    const rBx = this.#rBx;
    const rBy = this.#rBy;
    const fixedRotation = IA + IB === 0.0;
    const limitState = j.m_limitState;

    if (j.m_enableMotor && limitState !== EQUAL && fixedRotation === false) {
      const cdot = wB - wA - j.m_motorSpeed;
      let impulse = -this.#motorMass * cdot;
      const oldImpulse = j.m_motorImpulse;
      const maxImpulse = s.dt * j.m_maxMotorTorque;
      const sum = j.m_motorImpulse + impulse;
      j.m_motorImpulse = sum < -maxImpulse ? -maxImpulse : sum > maxImpulse ? maxImpulse : sum;
      impulse = j.m_motorImpulse - oldImpulse;
      wA -= IA * impulse;
      wB += IB * impulse;
    }

    const acc = j.m_impulse;
    if (j.m_enableLimit && limitState !== INACTIVE && fixedRotation === false) {
      // Cdot1 = vB + cross(wB, rB) - vA - cross(wA, rA); cross(w, r) = (-w r.y, w r.x).
      const cdot1x = vBx + -wB * rBy - vAx - -wA * rAy;
      const cdot1y = vBy + wB * rBx - vAy - wA * rAx;
      const cdot2 = wB - wA;
      // impulse = -K⁻¹ Cdot (b2Mat33::Solve33 by Cramer's rule), K's columns
      // ex = (k11, k12, k13), ey = (k12, k22, k23), ez = (k13, k23, k33).
      const k11 = this.#k11;
      const k12 = this.#k12;
      const k13 = this.#k13;
      const k22 = this.#k22;
      const k23 = this.#k23;
      const k33 = this.#k33;
      const eyezX = k22 * k33 - k23 * k23;
      const eyezY = k23 * k13 - k12 * k33;
      const eyezZ = k12 * k23 - k22 * k13;
      let det = k11 * eyezX + k12 * eyezY + k13 * eyezZ;
      if (det !== 0.0) det = 1.0 / det;
      const bx = cdot1x;
      const by = cdot1y;
      const bz = cdot2;
      const bezX = by * k33 - bz * k23;
      const bezY = bz * k13 - bx * k33;
      const bezZ = bx * k23 - by * k13;
      const eybX = k22 * bz - k23 * by;
      const eybY = k23 * bx - k12 * bz;
      const eybZ = k12 * by - k22 * bx;
      let ix = -(det * (bx * eyezX + by * eyezY + bz * eyezZ));
      let iy = -(det * (k11 * bezX + k12 * bezY + k13 * bezZ));
      let iz = -(det * (k11 * eybX + k12 * eybY + k13 * eybZ));

      if (limitState === EQUAL) {
        acc.x += ix;
        acc.y += iy;
        acc.z += iz;
      } else {
        const newImpulse = acc.z + iz;
        if (limitState === AT_LOWER ? newImpulse < 0.0 : newImpulse > 0.0) {
          // rhs = -Cdot1 + impulse.z · (K.ez.x, K.ez.y), solved with the 2×2 block.
          const rx = -cdot1x + acc.z * k13;
          const ry = -cdot1y + acc.z * k23;
          let d2 = k11 * k22 - k12 * k12;
          if (d2 !== 0.0) d2 = 1.0 / d2;
          const redX = d2 * (k22 * rx - k12 * ry);
          const redY = d2 * (k11 * ry - k12 * rx);
          ix = redX;
          iy = redY;
          iz = -acc.z;
          acc.x += redX;
          acc.y += redY;
          acc.z = 0.0;
        } else {
          acc.x += ix;
          acc.y += iy;
          acc.z += iz;
        }
      }
      vAx -= mA * ix;
      vAy -= mA * iy;
      wA -= IA * (rAx * iy - rAy * ix + iz);
      vBx += mB * ix;
      vBy += mB * iy;
      wB += IB * (rBx * iy - rBy * ix + iz);
    } else {
      const cdotx = vBx + -wB * rBy - vAx - -wA * rAy;
      const cdoty = vBy + wB * rBx - vAy - wA * rAx;
      // impulse = K22⁻¹ (-Cdot) (b2Mat33::Solve22).
      const k11 = this.#k11;
      const k12 = this.#k12;
      const k22 = this.#k22;
      let det = k11 * k22 - k12 * k12;
      if (det !== 0.0) det = 1.0 / det;
      const ix = det * (k22 * -cdotx - k12 * -cdoty);
      const iy = det * (k11 * -cdoty - k12 * -cdotx);
      acc.x += ix;
      acc.y += iy;
      vAx -= mA * ix;
      vAy -= mA * iy;
      wA -= IA * (rAx * iy - rAy * ix);
      vBx += mB * ix;
      vBy += mB * iy;
      wB += IB * (rBx * iy - rBy * ix);
    }
    s.vx[iA] = vAx;
    s.vy[iA] = vAy;
    s.vw[iA] = wA;
    s.vx[iB] = vBx;
    s.vy[iB] = vBy;
    s.vw[iB] = wB;
  }

  /** `b2RevoluteJoint::SolvePositionConstraints` on island arrays; true when within the slops. */
  solvePosition(s: IslandState): boolean {
    const j = this as unknown as Fields;
    const iA = this.#iA;
    const iB = this.#iB;
    let cAx = s.cx[iA];
    let cAy = s.cy[iA];
    let aA = s.ca[iA];
    let cBx = s.cx[iB];
    let cBy = s.cy[iB];
    let aB = s.ca[iB];
    let angularError = 0.0;
    let positionError = 0.0;
    const fixedRotation = this.#invIA + this.#invIB === 0.0;

    if (j.m_enableLimit && j.m_limitState !== INACTIVE && fixedRotation === false) {
      const angle = aB - aA - j.m_referenceAngle;
      let limitImpulse = 0.0;
      if (j.m_limitState === EQUAL) {
        const d = angle - j.m_lowerAngle;
        const C = d < -MAX_ANGULAR_CORRECTION
          ? -MAX_ANGULAR_CORRECTION
          : d > MAX_ANGULAR_CORRECTION
          ? MAX_ANGULAR_CORRECTION
          : d;
        limitImpulse = -this.#motorMass * C;
        angularError = Math.abs(C);
      } else if (j.m_limitState === AT_LOWER) {
        let C = angle - j.m_lowerAngle;
        angularError = -C;
        C += ANGULAR_SLOP;
        C = C < -MAX_ANGULAR_CORRECTION ? -MAX_ANGULAR_CORRECTION : C > 0.0 ? 0.0 : C;
        limitImpulse = -this.#motorMass * C;
      } else if (j.m_limitState === AT_UPPER) {
        let C = angle - j.m_upperAngle;
        angularError = C;
        C -= ANGULAR_SLOP;
        C = C < 0.0 ? 0.0 : C > MAX_ANGULAR_CORRECTION ? MAX_ANGULAR_CORRECTION : C;
        limitImpulse = -this.#motorMass * C;
      }
      aA -= this.#invIA * limitImpulse;
      aB += this.#invIB * limitImpulse;
    }

    {
      const sA = Math.sin(aA);
      const qA = Math.cos(aA);
      const sB = Math.sin(aB);
      const qB = Math.cos(aB);
      const ax = j.m_localAnchorA.x - this.#lcAx;
      const ay = j.m_localAnchorA.y - this.#lcAy;
      const bx = j.m_localAnchorB.x - this.#lcBx;
      const by = j.m_localAnchorB.y - this.#lcBy;
      const rAx = qA * ax - sA * ay;
      const rAy = sA * ax + qA * ay;
      const rBx = qB * bx - sB * by;
      const rBy = sB * bx + qB * by;
      const Cx = cBx + rBx - cAx - rAx;
      const Cy = cBy + rBy - cAy - rAy;
      positionError = Math.sqrt(Cx * Cx + Cy * Cy);
      const mA = this.#mA;
      const mB = this.#mB;
      const IA = this.#invIA;
      const IB = this.#invIB;
      const k11 = mA + mB + IA * rAy * rAy + IB * rBy * rBy;
      const k12 = -IA * rAx * rAy - IB * rBx * rBy;
      const k22 = mA + mB + IA * rAx * rAx + IB * rBx * rBx;
      // impulse = -K⁻¹ C (b2Mat22::Solve).
      let det = k11 * k22 - k12 * k12;
      if (det !== 0.0) det = 1.0 / det;
      const ix = -(det * (k22 * Cx - k12 * Cy));
      const iy = -(det * (k11 * Cy - k12 * Cx));
      cAx -= mA * ix;
      cAy -= mA * iy;
      aA -= IA * (rAx * iy - rAy * ix);
      cBx += mB * ix;
      cBy += mB * iy;
      aB += IB * (rBx * iy - rBy * ix);
    }
    s.cx[iA] = cAx;
    s.cy[iA] = cAy;
    s.ca[iA] = aA;
    s.cx[iB] = cBx;
    s.cy[iB] = cBy;
    s.ca[iB] = aB;
    return positionError <= LINEAR_SLOP && angularError <= ANGULAR_SLOP;
  }

  // planck's solver interface (a plain planck world): the same steps on the bodies' solver state.

  /** planck's `initVelocityConstraints`. */
  override initVelocityConstraints(step: Step): void {
    const s = this.#gather(step);
    this.initVelocity(s);
    this.#scatter(s);
  }

  /** planck's `solveVelocityConstraints`. */
  override solveVelocityConstraints(step: Step): void {
    const s = this.#gather(step);
    this.solveVelocity(s);
    this.#scatter(s);
  }

  /** planck's `solvePositionConstraints`. */
  override solvePositionConstraints(step: Step): boolean {
    const s = this.#gather(step);
    const ok = this.solvePosition(s);
    this.#scatter(s);
    return ok;
  }

  #gather(step: Step): IslandState {
    const j = this as unknown as Fields;
    const s = pairState;
    [j.m_bodyA, j.m_bodyB].forEach((body, i) => {
      const b = body as unknown as SolverBody & PlanckSolverBody;
      b.islandIndex = i;
      s.cx[i] = b.c_position.c.x;
      s.cy[i] = b.c_position.c.y;
      s.ca[i] = b.c_position.a;
      s.vx[i] = b.c_velocity.v.x;
      s.vy[i] = b.c_velocity.v.y;
      s.vw[i] = b.c_velocity.w;
    });
    s.dt = step.dt;
    s.dtRatio = step.dtRatio;
    s.warmStarting = step.warmStarting;
    return s;
  }

  #scatter(s: IslandState): void {
    const j = this as unknown as Fields;
    [j.m_bodyA, j.m_bodyB].forEach((body, i) => {
      const b = body as unknown as PlanckSolverBody;
      b.c_position.c.x = s.cx[i];
      b.c_position.c.y = s.cy[i];
      b.c_position.a = s.ca[i];
      b.c_velocity.v.x = s.vx[i];
      b.c_velocity.v.y = s.vy[i];
      b.c_velocity.w = s.vw[i];
    });
  }
}

/** Scratch arrays for joints solved inside a plain planck world. */
const pairState = islandState(2);
