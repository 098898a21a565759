/**
 * {@linkcode Box2DRevoluteJoint}: planck's revolute joint with Box2D 2.3's solver steps rewritten
 * on plain numbers. The arithmetic is `b2RevoluteJoint`'s (point constraint, motor, limits, the
 * 3×3 and 2×2 solves), in C++'s operation order; planck's version computes the same in float64
 * but allocates a dozen vectors per velocity iteration, and the walker runs 180 iterations over
 * four joints every step.
 *
 * @module
 */
import { type Body, RevoluteJoint, type RevoluteJointDef } from "planck";
import type { XY } from "./box2d23.ts";

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

/** The per-step solver state planck keeps on a body. */
interface SolverBody {
  c_position: { c: XY; a: number };
  c_velocity: { v: XY; w: number };
  m_sweep: { localCenter: XY };
  m_invMass: number;
  m_invI: number;
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
export class Box2DRevoluteJoint extends RevoluteJoint {
  // Per-step values (Box2D's m_rA, m_rB, m_mass, m_motorMass and the bodies' mass data).
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
  #iA = 0;
  #iB = 0;
  #lcAx = 0;
  #lcAy = 0;
  #lcBx = 0;
  #lcBy = 0;

  /** A joint from planck's definition (pass `referenceAngle` explicitly). */
  constructor(def: RevoluteJointDef) {
    super(def);
  }

  /** `b2RevoluteJoint::InitVelocityConstraints`. */
  override initVelocityConstraints(step: Step): void {
    const j = this as unknown as Fields;
    const bA = j.m_bodyA as unknown as SolverBody;
    const bB = j.m_bodyB as unknown as SolverBody;
    this.#lcAx = bA.m_sweep.localCenter.x;
    this.#lcAy = bA.m_sweep.localCenter.y;
    this.#lcBx = bB.m_sweep.localCenter.x;
    this.#lcBy = bB.m_sweep.localCenter.y;
    const mA = (this.#mA = bA.m_invMass);
    const mB = (this.#mB = bB.m_invMass);
    const iA = (this.#iA = bA.m_invI);
    const iB = (this.#iB = bB.m_invI);
    const aA = bA.c_position.a;
    const aB = bB.c_position.a;
    const vA = bA.c_velocity.v;
    const vB = bB.c_velocity.v;
    let wA = bA.c_velocity.w;
    let wB = bB.c_velocity.w;

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

    const fixedRotation = iA + iB === 0.0;
    this.#k11 = mA + mB + rAy * rAy * iA + rBy * rBy * iB;
    this.#k12 = -rAy * rAx * iA - rBy * rBx * iB;
    this.#k13 = -rAy * iA - rBy * iB;
    this.#k22 = mA + mB + rAx * rAx * iA + rBx * rBx * iB;
    this.#k23 = rAx * iA + rBx * iB;
    this.#k33 = iA + iB;
    this.#motorMass = iA + iB;
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

    if (step.warmStarting) {
      impulse.x *= step.dtRatio;
      impulse.y *= step.dtRatio;
      impulse.z *= step.dtRatio;
      j.m_motorImpulse *= step.dtRatio;
      const px = impulse.x;
      const py = impulse.y;
      vA.x -= mA * px;
      vA.y -= mA * py;
      wA -= iA * (rAx * py - rAy * px + j.m_motorImpulse + impulse.z);
      vB.x += mB * px;
      vB.y += mB * py;
      wB += iB * (rBx * py - rBy * px + j.m_motorImpulse + impulse.z);
    } else {
      impulse.x = 0;
      impulse.y = 0;
      impulse.z = 0;
      j.m_motorImpulse = 0.0;
    }
    bA.c_velocity.w = wA;
    bB.c_velocity.w = wB;
  }

  /** `b2RevoluteJoint::SolveVelocityConstraints`. */
  override solveVelocityConstraints(step: Step): void {
    const j = this as unknown as Fields;
    const bA = j.m_bodyA as unknown as SolverBody;
    const bB = j.m_bodyB as unknown as SolverBody;
    const vA = bA.c_velocity.v;
    const vB = bB.c_velocity.v;
    let wA = bA.c_velocity.w;
    let wB = bB.c_velocity.w;
    const mA = this.#mA;
    const mB = this.#mB;
    const iA = this.#iA;
    const iB = this.#iB;
    const rAx = this.#rAx;
    const rAy = this.#rAy;
    const rBx = this.#rBx;
    const rBy = this.#rBy;
    const fixedRotation = iA + iB === 0.0;
    const limitState = j.m_limitState;

    if (j.m_enableMotor && limitState !== EQUAL && fixedRotation === false) {
      const cdot = wB - wA - j.m_motorSpeed;
      let impulse = -this.#motorMass * cdot;
      const oldImpulse = j.m_motorImpulse;
      const maxImpulse = step.dt * j.m_maxMotorTorque;
      const sum = j.m_motorImpulse + impulse;
      j.m_motorImpulse = sum < -maxImpulse ? -maxImpulse : sum > maxImpulse ? maxImpulse : sum;
      impulse = j.m_motorImpulse - oldImpulse;
      wA -= iA * impulse;
      wB += iB * impulse;
    }

    const acc = j.m_impulse;
    if (j.m_enableLimit && limitState !== INACTIVE && fixedRotation === false) {
      // Cdot1 = vB + cross(wB, rB) - vA - cross(wA, rA); cross(w, r) = (-w r.y, w r.x).
      const cdot1x = vB.x + -wB * rBy - vA.x - -wA * rAy;
      const cdot1y = vB.y + wB * rBx - vA.y - wA * rAx;
      const cdot2 = wB - wA;
      // impulse = -K⁻¹ Cdot (b2Mat33::Solve33 by Cramer's rule).
      const k11 = this.#k11;
      const k12 = this.#k12;
      const k13 = this.#k13;
      const k22 = this.#k22;
      const k23 = this.#k23;
      const k33 = this.#k33;
      // ey × ez, with ex = (k11, k12, k13), ey = (k12, k22, k23), ez = (k13, k23, k33).
      const eyezX = k22 * k33 - k23 * k23;
      const eyezY = k23 * k13 - k12 * k33;
      const eyezZ = k12 * k23 - k22 * k13;
      let det = k11 * eyezX + k12 * eyezY + k13 * eyezZ;
      if (det !== 0.0) det = 1.0 / det;
      const bx = cdot1x;
      const by = cdot1y;
      const bz = cdot2;
      // b × ez and ey × b.
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
      } else if (limitState === AT_LOWER || limitState === AT_UPPER) {
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
      vA.x -= mA * ix;
      vA.y -= mA * iy;
      wA -= iA * (rAx * iy - rAy * ix + iz);
      vB.x += mB * ix;
      vB.y += mB * iy;
      wB += iB * (rBx * iy - rBy * ix + iz);
    } else {
      const cdotx = vB.x + -wB * rBy - vA.x - -wA * rAy;
      const cdoty = vB.y + wB * rBx - vA.y - wA * rAx;
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
      vA.x -= mA * ix;
      vA.y -= mA * iy;
      wA -= iA * (rAx * iy - rAy * ix);
      vB.x += mB * ix;
      vB.y += mB * iy;
      wB += iB * (rBx * iy - rBy * ix);
    }
    bA.c_velocity.w = wA;
    bB.c_velocity.w = wB;
  }

  /** `b2RevoluteJoint::SolvePositionConstraints`; true when within the slops. */
  override solvePositionConstraints(_step: Step): boolean {
    const j = this as unknown as Fields;
    const bA = j.m_bodyA as unknown as SolverBody;
    const bB = j.m_bodyB as unknown as SolverBody;
    const cA = bA.c_position.c;
    const cB = bB.c_position.c;
    let aA = bA.c_position.a;
    let aB = bB.c_position.a;
    let angularError = 0.0;
    let positionError = 0.0;
    const fixedRotation = this.#iA + this.#iB === 0.0;

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
      aA -= this.#iA * limitImpulse;
      aB += this.#iB * limitImpulse;
    }

    {
      const sA = Math.sin(aA);
      const cosA = Math.cos(aA);
      const sB = Math.sin(aB);
      const cosB = Math.cos(aB);
      const ax = j.m_localAnchorA.x - this.#lcAx;
      const ay = j.m_localAnchorA.y - this.#lcAy;
      const bx = j.m_localAnchorB.x - this.#lcBx;
      const by = j.m_localAnchorB.y - this.#lcBy;
      const rAx = cosA * ax - sA * ay;
      const rAy = sA * ax + cosA * ay;
      const rBx = cosB * bx - sB * by;
      const rBy = sB * bx + cosB * by;
      const Cx = cB.x + rBx - cA.x - rAx;
      const Cy = cB.y + rBy - cA.y - rAy;
      positionError = Math.sqrt(Cx * Cx + Cy * Cy);
      const mA = this.#mA;
      const mB = this.#mB;
      const iA = this.#iA;
      const iB = this.#iB;
      const k11 = mA + mB + iA * rAy * rAy + iB * rBy * rBy;
      const k12 = -iA * rAx * rAy - iB * rBx * rBy;
      const k22 = mA + mB + iA * rAx * rAx + iB * rBx * rBx;
      // impulse = -K⁻¹ C (b2Mat22::Solve).
      let det = k11 * k22 - k12 * k12;
      if (det !== 0.0) det = 1.0 / det;
      const ix = -(det * (k22 * Cx - k12 * Cy));
      const iy = -(det * (k11 * Cy - k12 * Cx));
      cA.x -= mA * ix;
      cA.y -= mA * iy;
      aA -= iA * (rAx * iy - rAy * ix);
      cB.x += mB * ix;
      cB.y += mB * iy;
      aB += iB * (rBx * iy - rBy * ix);
    }
    bA.c_position.a = aA;
    bB.c_position.a = aB;
    return positionError <= LINEAR_SLOP && angularError <= ANGULAR_SLOP;
  }
}
