/**
 * Box2D 2.3.10's revolute joint (`b2RevoluteJoint`) in float32: point constraint, motor with a
 * torque limit, angle limits (the 3×3 and reduced 2×2 solves), position correction, in Box2D's
 * operation order on the island's position and velocity arrays (`island.ts`).
 *
 * @module
 */
import {
  ANGULAR_SLOP,
  f32,
  LINEAR_SLOP,
  MAX_ANGULAR_CORRECTION,
  type Rot,
  setRot,
} from "./settings.ts";
import {
  applyImpulse,
  applyPointImpulse,
  type BodyPair,
  bodyPair,
  effectiveMass,
  type IslandJoint,
  loadPair,
  type SolverData,
  storePair,
} from "./island.ts";
import { cross, rotX, rotY } from "./math.ts";
import type { Body } from "./world.ts";

/** Limit states (`b2LimitState`). */
export const INACTIVE_LIMIT = 0;
/** At the lower limit. */
export const AT_LOWER_LIMIT = 1;
/** At the upper limit. */
export const AT_UPPER_LIMIT = 2;
/** The limits are (nearly) equal. */
export const EQUAL_LIMITS = 3;

/** A revolute joint definition (`b2RevoluteJointDef`; float32 values, angles in radians). */
export interface RevoluteJointDef {
  /** Anchor in body A's frame. */
  localAnchorA: readonly [number, number];
  /** Anchor in body B's frame. */
  localAnchorB: readonly [number, number];
  /**
   * Body B's angle minus body A's in the reference pose; omitted, pybox2d's `revoluteJointDef`
   * default: B's angle − A's angle now.
   */
  referenceAngle?: number;
  /** Enable the angle limits. */
  enableLimit: boolean;
  /** Lower angle limit. */
  lowerAngle: number;
  /** Upper angle limit. */
  upperAngle: number;
  /** Enable the motor. */
  enableMotor: boolean;
  /** Motor speed (rad/s). */
  motorSpeed: number;
  /** Maximum motor torque. */
  maxMotorTorque: number;
  /** Whether the two bodies collide with each other. */
  collideConnected: boolean;
}

/** A link in a body's joint list (`b2JointEdge`). */
export interface JointEdge {
  /** The joint. */
  joint: RevoluteJoint;
  /** The body at the other end. */
  other: Body;
  /** Previous edge of the body's list. */
  prev: JointEdge | null;
  /** Next edge of the body's list. */
  next: JointEdge | null;
}

const q: Rot = { s: 0, c: 1 };
/** The lever arms rA, rB of the last `computeArms`. */
const arms = { ax: 0, ay: 0, bx: 0, by: 0 };

/**
 * `b2RevoluteJoint`: two bodies pinned at an anchor, with an optional motor and angle limits.
 * Create it with `World.createRevoluteJoint`.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { World } from "./world.ts";
 * const world = new World(0, -10);
 * const a = world.createBody({ type: "dynamic", position: [0, 2] });
 * const b = world.createBody({ type: "dynamic", position: [0, 1] });
 * a.createFixture(boxShape(0.1, 0.5), { density: 1 });
 * b.createFixture(boxShape(0.1, 0.5), { density: 1 });
 * const hinge = world.createRevoluteJoint(a, b, {
 *   localAnchorA: [0, -0.5], localAnchorB: [0, 0.5], enableLimit: false,
 *   lowerAngle: 0, upperAngle: 0, enableMotor: true, motorSpeed: 1, maxMotorTorque: 10,
 *   collideConnected: false,
 * });
 * hinge.jointAngle(); // 0
 * ```
 */
export class RevoluteJoint implements IslandJoint {
  /** Body A. */
  readonly bodyA: Body;
  /** Body B. */
  readonly bodyB: Body;
  /** Anchor x in A's frame. */
  readonly localAnchorAX: number;
  /** Anchor y in A's frame. */
  readonly localAnchorAY: number;
  /** Anchor x in B's frame. */
  readonly localAnchorBX: number;
  /** Anchor y in B's frame. */
  readonly localAnchorBY: number;
  /** Reference angle. */
  readonly referenceAngle: number;
  /** Whether the bodies collide. */
  readonly collideConnected: boolean;
  /** Limits enabled. */
  enableLimit: boolean;
  /** Lower limit. */
  lowerAngle: number;
  /** Upper limit. */
  upperAngle: number;
  /** Motor enabled. */
  enableMotor: boolean;
  /** Motor speed (float32). */
  motorSpeed: number;
  /** Maximum motor torque (float32). */
  maxMotorTorque: number;
  /** Accumulated point impulse x. */
  impulseX = 0;
  /** Accumulated point impulse y. */
  impulseY = 0;
  /** Accumulated limit impulse. */
  impulseZ = 0;
  /** Accumulated motor impulse. */
  motorImpulse = 0;
  /** {@linkcode INACTIVE_LIMIT}, ... */
  limitState = INACTIVE_LIMIT;
  /** Island bookkeeping. */
  islandFlag = false;
  /** This joint in body A's joint list. */
  readonly edgeA: JointEdge;
  /** This joint in body B's joint list. */
  readonly edgeB: JointEdge;
  /** World joint list links. */
  prev: RevoluteJoint | null = null;
  /** World joint list links. */
  next: RevoluteJoint | null = null;

  // Solver temporaries (Box2D's m_indexA, m_invMassA, m_rA, m_mass, ...).
  #bodies: BodyPair;
  #lcAx = 0;
  #lcAy = 0;
  #lcBx = 0;
  #lcBy = 0;
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
  // Parts of K.Solve33 and K.Solve22 that depend on K alone (Box2D recomputes them every
  // iteration; the values are the same): b2Cross(ey, ez) and the inverse determinants.
  #eyezX = 0;
  #eyezY = 0;
  #eyezZ = 0;
  #det33 = 0;
  #det22 = 0;
  #fixedRotation = false;

  /** A joint between two bodies (use `World.createRevoluteJoint`, which links it in). */
  constructor(bodyA: Body, bodyB: Body, def: RevoluteJointDef) {
    this.bodyA = bodyA;
    this.bodyB = bodyB;
    this.#bodies = bodyPair(bodyA, bodyB);
    this.localAnchorAX = f32(def.localAnchorA[0]);
    this.localAnchorAY = f32(def.localAnchorA[1]);
    this.localAnchorBX = f32(def.localAnchorB[0]);
    this.localAnchorBY = f32(def.localAnchorB[1]);
    this.referenceAngle = f32(def.referenceAngle ?? f32(bodyB.a - bodyA.a));
    this.enableLimit = def.enableLimit;
    this.lowerAngle = f32(def.lowerAngle);
    this.upperAngle = f32(def.upperAngle);
    this.enableMotor = def.enableMotor;
    this.motorSpeed = f32(def.motorSpeed);
    this.maxMotorTorque = f32(def.maxMotorTorque);
    this.collideConnected = def.collideConnected;
    this.edgeA = { joint: this, other: bodyB, prev: null, next: null };
    this.edgeB = { joint: this, other: bodyA, prev: null, next: null };
  }

  /** pybox2d's `joint.angle` (`GetJointAngle`): B's angle − A's angle − reference angle. */
  jointAngle(): number {
    return f32(f32(this.bodyB.a - this.bodyA.a) - this.referenceAngle);
  }

  /** pybox2d's `joint.speed` (`GetJointSpeed`): B's angular velocity − A's. */
  jointSpeed(): number {
    return f32(this.bodyB.w - this.bodyA.w);
  }

  /** `SetMotorSpeed` (pybox2d's `joint.motorSpeed = v`): wakes both bodies. */
  setMotorSpeed(speed: number): void {
    this.bodyA.setAwake(true);
    this.bodyB.setAwake(true);
    this.motorSpeed = f32(speed);
  }

  /** `SetMaxMotorTorque` (pybox2d's `joint.maxMotorTorque = t`): wakes both bodies. */
  setMaxMotorTorque(torque: number): void {
    this.bodyA.setAwake(true);
    this.bodyB.setAwake(true);
    this.maxMotorTorque = f32(torque);
  }

  /**
   * The lever arms at body angles aA and aB, rA = b2Mul(qA, localAnchorA − localCenterA) and
   * rB likewise, into `arms`.
   */
  #computeArms(aA: number, aB: number): void {
    const dAx = f32(this.localAnchorAX - this.#lcAx);
    const dAy = f32(this.localAnchorAY - this.#lcAy);
    const dBx = f32(this.localAnchorBX - this.#lcBx);
    const dBy = f32(this.localAnchorBY - this.#lcBy);
    setRot(q, aA);
    arms.ax = rotX(q.s, q.c, dAx, dAy);
    arms.ay = rotY(q.s, q.c, dAx, dAy);
    setRot(q, aB);
    arms.bx = rotX(q.s, q.c, dBx, dBy);
    arms.by = rotY(q.s, q.c, dBx, dBy);
  }

  /** `InitVelocityConstraints`. */
  initVelocityConstraints(data: SolverData): void {
    const bA = this.bodyA;
    const bB = this.bodyB;
    const b = (this.#bodies = bodyPair(bA, bB));
    const { mA, IA, mB, IB } = b;
    this.#lcAx = bA.localCenterX;
    this.#lcAy = bA.localCenterY;
    this.#lcBx = bB.localCenterX;
    this.#lcBy = bB.localCenterY;
    const aA = data.a[b.iA];
    const aB = data.a[b.iB];
    this.#computeArms(aA, aB);
    const rAx = (this.#rAx = arms.ax);
    const rAy = (this.#rAy = arms.ay);
    const rBx = (this.#rBx = arms.bx);
    const rBy = (this.#rBy = arms.by);

    const fixedRotation = f32(IA + IB) === 0;
    const mAB = f32(mA + mB);
    this.#k11 = f32(f32(mAB + f32(f32(rAy * rAy) * IA)) + f32(f32(rBy * rBy) * IB));
    this.#k12 = f32(f32(f32(-rAy * rAx) * IA) - f32(f32(rBy * rBx) * IB));
    this.#k13 = f32(f32(-rAy * IA) - f32(rBy * IB));
    this.#k22 = f32(f32(mAB + f32(f32(rAx * rAx) * IA)) + f32(f32(rBx * rBx) * IB));
    this.#k23 = f32(f32(rAx * IA) + f32(rBx * IB));
    this.#k33 = f32(IA + IB);
    this.#motorMass = f32(IA + IB);
    if (this.#motorMass > 0) this.#motorMass = f32(1 / this.#motorMass);
    this.#fixedRotation = fixedRotation;
    const k11 = this.#k11;
    const k12 = this.#k12;
    const k13 = this.#k13;
    const k22 = this.#k22;
    const k23 = this.#k23;
    const k33 = this.#k33;
    const eyezX = (this.#eyezX = f32(f32(k22 * k33) - f32(k23 * k23)));
    const eyezY = (this.#eyezY = f32(f32(k23 * k13) - f32(k12 * k33)));
    const eyezZ = (this.#eyezZ = f32(f32(k12 * k23) - f32(k22 * k13)));
    let det = f32(f32(f32(k11 * eyezX) + f32(k12 * eyezY)) + f32(k13 * eyezZ));
    if (det !== 0) det = f32(1 / det);
    this.#det33 = det;
    det = f32(f32(k11 * k22) - f32(k12 * k12));
    if (det !== 0) det = f32(1 / det);
    this.#det22 = det;

    if (!this.enableMotor || fixedRotation) this.motorImpulse = 0;

    if (this.enableLimit && !fixedRotation) {
      const jointAngle = f32(f32(aB - aA) - this.referenceAngle);
      const span = f32(this.upperAngle - this.lowerAngle);
      if ((span > 0 ? span : -span) < f32(2 * ANGULAR_SLOP)) {
        this.limitState = EQUAL_LIMITS;
      } else if (jointAngle <= this.lowerAngle) {
        if (this.limitState !== AT_LOWER_LIMIT) this.impulseZ = 0;
        this.limitState = AT_LOWER_LIMIT;
      } else if (jointAngle >= this.upperAngle) {
        if (this.limitState !== AT_UPPER_LIMIT) this.impulseZ = 0;
        this.limitState = AT_UPPER_LIMIT;
      } else {
        this.limitState = INACTIVE_LIMIT;
        this.impulseZ = 0;
      }
    } else {
      this.limitState = INACTIVE_LIMIT;
    }

    const step = data.step;
    if (step.warmStarting) {
      this.impulseX = f32(this.impulseX * step.dtRatio);
      this.impulseY = f32(this.impulseY * step.dtRatio);
      this.impulseZ = f32(this.impulseZ * step.dtRatio);
      this.motorImpulse = f32(this.motorImpulse * step.dtRatio);
      const Px = this.impulseX;
      const Py = this.impulseY;
      // The point impulse, with the motor and limit impulses about the axis.
      const angularA = f32(f32(cross(rAx, rAy, Px, Py) + this.motorImpulse) + this.impulseZ);
      const angularB = f32(f32(cross(rBx, rBy, Px, Py) + this.motorImpulse) + this.impulseZ);
      const v = loadPair(data.vx, data.vy, data.w, b);
      applyImpulse(v, b, Px, Py, angularA, angularB);
      storePair(v, data.vx, data.vy, data.w, b);
    } else {
      this.impulseX = 0;
      this.impulseY = 0;
      this.impulseZ = 0;
      this.motorImpulse = 0;
    }
  }

  /** `SolveVelocityConstraints`: motor, then limit + point (3×3) or point only (2×2). */
  solveVelocityConstraints(data: SolverData): void {
    const { iA, iB, mA, IA, mB, IB } = this.#bodies;
    let vAx = data.vx[iA];
    let vAy = data.vy[iA];
    let wA = data.w[iA];
    let vBx = data.vx[iB];
    let vBy = data.vy[iB];
    let wB = data.w[iB];
    const rAx = this.#rAx;
    const rAy = this.#rAy;
    const rBx = this.#rBx;
    const rBy = this.#rBy;
    const fixedRotation = this.#fixedRotation;

    if (this.enableMotor && this.limitState !== EQUAL_LIMITS && !fixedRotation) {
      const cdot = f32(f32(wB - wA) - this.motorSpeed);
      let impulse = f32(-this.#motorMass * cdot);
      const oldImpulse = this.motorImpulse;
      const maxImpulse = f32(data.step.dt * this.maxMotorTorque);
      const sum = f32(this.motorImpulse + impulse);
      const m = sum < maxImpulse ? sum : maxImpulse;
      this.motorImpulse = -maxImpulse > m ? -maxImpulse : m;
      impulse = f32(this.motorImpulse - oldImpulse);
      wA = f32(wA - f32(IA * impulse));
      wB = f32(wB + f32(IB * impulse));
    }

    const k11 = this.#k11;
    const k12 = this.#k12;
    const k13 = this.#k13;
    const k22 = this.#k22;
    const k23 = this.#k23;
    const k33 = this.#k33;
    // Cdot1 = vB + b2Cross(wB, rB) − vA − b2Cross(wA, rA), b2Cross(w, r) = (−w r.y, w r.x).
    const cdot1x = f32(f32(f32(vBx + f32(-wB * rBy)) - vAx) - f32(-wA * rAy));
    const cdot1y = f32(f32(f32(vBy + f32(wB * rBx)) - vAy) - f32(wA * rAx));
    if (this.enableLimit && this.limitState !== INACTIVE_LIMIT && !fixedRotation) {
      const cdot2 = f32(wB - wA);
      // impulse = −K.Solve33(Cdot), K's columns ex = (k11, k12, k13), ey = (k12, k22, k23),
      // ez = (k13, k23, k33); Cramer's rule with b2Dot/b2Cross in Box2D's order.
      const eyezX = this.#eyezX;
      const eyezY = this.#eyezY;
      const eyezZ = this.#eyezZ;
      const det = this.#det33;
      const bx = cdot1x;
      const by = cdot1y;
      const bz = cdot2;
      const bezX = f32(f32(by * k33) - f32(bz * k23));
      const bezY = f32(f32(bz * k13) - f32(bx * k33));
      const bezZ = f32(f32(bx * k23) - f32(by * k13));
      const eybX = f32(f32(k22 * bz) - f32(k23 * by));
      const eybY = f32(f32(k23 * bx) - f32(k12 * bz));
      const eybZ = f32(f32(k12 * by) - f32(k22 * bx));
      let ix = -f32(det * f32(f32(f32(bx * eyezX) + f32(by * eyezY)) + f32(bz * eyezZ)));
      let iy = -f32(det * f32(f32(f32(k11 * bezX) + f32(k12 * bezY)) + f32(k13 * bezZ)));
      let iz = -f32(det * f32(f32(f32(k11 * eybX) + f32(k12 * eybY)) + f32(k13 * eybZ)));
      const state = this.limitState;
      if (state === EQUAL_LIMITS) {
        this.impulseX = f32(this.impulseX + ix);
        this.impulseY = f32(this.impulseY + iy);
        this.impulseZ = f32(this.impulseZ + iz);
      } else {
        const newImpulse = f32(this.impulseZ + iz);
        if (state === AT_LOWER_LIMIT ? newImpulse < 0 : newImpulse > 0) {
          // rhs = −Cdot1 + impulse.z·(ez.x, ez.y), solved with K's 2×2 block (Solve22).
          const rx = f32(-cdot1x + f32(this.impulseZ * k13));
          const ry = f32(-cdot1y + f32(this.impulseZ * k23));
          const d2 = this.#det22;
          const redX = f32(d2 * f32(f32(k22 * rx) - f32(k12 * ry)));
          const redY = f32(d2 * f32(f32(k11 * ry) - f32(k12 * rx)));
          ix = redX;
          iy = redY;
          iz = -this.impulseZ;
          this.impulseX = f32(this.impulseX + redX);
          this.impulseY = f32(this.impulseY + redY);
          this.impulseZ = 0;
        } else {
          this.impulseX = f32(this.impulseX + ix);
          this.impulseY = f32(this.impulseY + iy);
          this.impulseZ = f32(this.impulseZ + iz);
        }
      }
      vAx = f32(vAx - f32(mA * ix));
      vAy = f32(vAy - f32(mA * iy));
      wA = f32(wA - f32(IA * f32(f32(f32(rAx * iy) - f32(rAy * ix)) + iz)));
      vBx = f32(vBx + f32(mB * ix));
      vBy = f32(vBy + f32(mB * iy));
      wB = f32(wB + f32(IB * f32(f32(f32(rBx * iy) - f32(rBy * ix)) + iz)));
    } else {
      // impulse = K.Solve22(−Cdot).
      const det = this.#det22;
      const bx = -cdot1x;
      const by = -cdot1y;
      const ix = f32(det * f32(f32(k22 * bx) - f32(k12 * by)));
      const iy = f32(det * f32(f32(k11 * by) - f32(k12 * bx)));
      this.impulseX = f32(this.impulseX + ix);
      this.impulseY = f32(this.impulseY + iy);
      vAx = f32(vAx - f32(mA * ix));
      vAy = f32(vAy - f32(mA * iy));
      wA = f32(wA - f32(IA * f32(f32(rAx * iy) - f32(rAy * ix))));
      vBx = f32(vBx + f32(mB * ix));
      vBy = f32(vBy + f32(mB * iy));
      wB = f32(wB + f32(IB * f32(f32(rBx * iy) - f32(rBy * ix))));
    }
    data.vx[iA] = vAx;
    data.vy[iA] = vAy;
    data.w[iA] = wA;
    data.vx[iB] = vBx;
    data.vy[iB] = vBy;
    data.w[iB] = wB;
  }

  /** `SolvePositionConstraints`: limit correction, then the point constraint; true when solved. */
  solvePositionConstraints(data: SolverData): boolean {
    const b = this.#bodies;
    const { mA, IA, mB, IB } = b;
    const v = loadPair(data.cx, data.cy, data.a, b);
    let angularError = 0;
    const fixedRotation = f32(IA + IB) === 0;
    if (this.enableLimit && this.limitState !== INACTIVE_LIMIT && !fixedRotation) {
      const aA = v.angleA;
      const aB = v.angleB;
      const angle = f32(f32(aB - aA) - this.referenceAngle);
      let limitImpulse = 0;
      if (this.limitState === EQUAL_LIMITS) {
        const C = clamp(
          f32(angle - this.lowerAngle),
          -MAX_ANGULAR_CORRECTION,
          MAX_ANGULAR_CORRECTION,
        );
        limitImpulse = f32(-this.#motorMass * C);
        angularError = C > 0 ? C : -C;
      } else if (this.limitState === AT_LOWER_LIMIT) {
        let C = f32(angle - this.lowerAngle);
        angularError = -C;
        C = clamp(f32(C + ANGULAR_SLOP), -MAX_ANGULAR_CORRECTION, 0);
        limitImpulse = f32(-this.#motorMass * C);
      } else if (this.limitState === AT_UPPER_LIMIT) {
        let C = f32(angle - this.upperAngle);
        angularError = C;
        C = clamp(f32(C - ANGULAR_SLOP), 0, MAX_ANGULAR_CORRECTION);
        limitImpulse = f32(-this.#motorMass * C);
      }
      v.angleA = f32(aA - f32(IA * limitImpulse));
      v.angleB = f32(aB + f32(IB * limitImpulse));
    }
    this.#computeArms(v.angleA, v.angleB);
    const { ax: rAx, ay: rAy, bx: rBx, by: rBy } = arms;
    // C = cB + rB − cA − rA.
    const Cx = f32(f32(f32(v.xB + rBx) - v.xA) - rAx);
    const Cy = f32(f32(f32(v.yB + rBy) - v.yA) - rAy);
    const positionError = f32(Math.sqrt(f32(f32(Cx * Cx) + f32(Cy * Cy))));
    const mAB = f32(mA + mB);
    const k11 = effectiveMass(mAB, IA, rAy, rAy, IB, rBy, rBy);
    const k12 = f32(f32(f32(-IA * rAx) * rAy) - f32(f32(IB * rBx) * rBy));
    const k22 = effectiveMass(mAB, IA, rAx, rAx, IB, rBx, rBx);
    // impulse = −K.Solve(C) (b2Mat22::Solve).
    let det = f32(f32(k11 * k22) - f32(k12 * k12));
    if (det !== 0) det = f32(1 / det);
    const ix = -f32(det * f32(f32(k22 * Cx) - f32(k12 * Cy)));
    const iy = -f32(det * f32(f32(k11 * Cy) - f32(k12 * Cx)));
    applyPointImpulse(v, b, rAx, rAy, rBx, rBy, ix, iy);
    storePair(v, data.cx, data.cy, data.a, b);
    return positionError <= LINEAR_SLOP && angularError <= ANGULAR_SLOP;
  }
}

/** b2Clamp(a, low, high) = b2Max(low, b2Min(a, high)). */
function clamp(a: number, low: number, high: number): number {
  const m = a < high ? a : high;
  return low > m ? low : m;
}
