/**
 * Box2D 2.3.10's settings (`b2Settings.h` as pybox2d compiles it) as float32 values, and the
 * float32 helpers the engine's arithmetic is written with.
 *
 * The engine (`world.ts` and the modules it uses) stores every quantity Box2D stores as a C
 * `float` as a float32 value in a JavaScript number, and rounds after every single operation
 * with `f32` (`Math.fround`): a float32 +, −, ×, ÷ or √ computed in float64 and rounded once is
 * the IEEE float32 result, so `f32(f32(a * b) + c)` is exactly C's `a * b + c` in `float` without
 * fused multiply-adds (pybox2d is built for generic x86-64, which has none). Expressions are
 * evaluated in Box2D's order (C evaluates `a + b + c` as `(a + b) + c`).
 *
 * @module
 */
import { sincosf, sincosOut } from "../../libm/mod.ts";

/** Rounds to float32: one C `float` operation. */
export const f32 = Math.fround;

/** `FLT_EPSILON` (`b2_epsilon`). */
export const EPSILON = 1.1920928955078125e-7;
/** `FLT_MAX` (`b2_maxFloat`). */
export const MAX_FLOAT = 3.4028234663852886e38;
/** `b2_pi` = 3.14159265359f. */
export const PI = f32(3.14159265359);
/** `b2_linearSlop` = 0.005f: collision and constraint tolerance. */
export const LINEAR_SLOP = f32(0.005);
/** `b2_angularSlop` = 2/180·π. */
export const ANGULAR_SLOP = f32(f32(2 / 180) * PI);
/** `b2_polygonRadius` = 2·linearSlop: the skin of polygons and edges. */
export const POLYGON_RADIUS = f32(2 * LINEAR_SLOP);
/** `b2_aabbExtension` = 0.1f: fattening of broadphase AABBs. */
export const AABB_EXTENSION = f32(0.1);
/** `b2_aabbMultiplier` = 2: how far ahead the AABB of a moving proxy reaches. */
export const AABB_MULTIPLIER = 2;
/** `b2_maxSubSteps` = 8 sub-steps per contact in continuous collision. */
export const MAX_SUB_STEPS = 8;
/** `b2_maxTOIContacts` = 32. */
export const MAX_TOI_CONTACTS = 32;
/** `b2_maxPolygonVertices` = 16 in pybox2d's build (the TOI push-back limit). */
export const MAX_POLYGON_VERTICES = 16;
/** `b2_velocityThreshold` = 1: restitution only above this approach speed. */
export const VELOCITY_THRESHOLD = 1;
/** `b2_maxLinearCorrection` = 0.2f. */
export const MAX_LINEAR_CORRECTION = f32(0.2);
/** `b2_maxAngularCorrection` = 8/180·π. */
export const MAX_ANGULAR_CORRECTION = f32(f32(8 / 180) * PI);
/** `b2_maxTranslation` = 2 per step. */
export const MAX_TRANSLATION = 2;
/** `b2_maxTranslationSquared`. */
export const MAX_TRANSLATION_SQUARED = 4;
/** `b2_maxRotation` = π/2 per step. */
export const MAX_ROTATION = f32(0.5 * PI);
/** `b2_maxRotationSquared`. */
export const MAX_ROTATION_SQUARED = f32(MAX_ROTATION * MAX_ROTATION);
/** `b2_baumgarte` = 0.2f. */
export const BAUMGARTE = f32(0.2);
/** `b2_toiBaugarte` = 0.75f. */
export const TOI_BAUMGARTE = f32(0.75);
/** `b2_timeToSleep` = 0.5 s. */
export const TIME_TO_SLEEP = 0.5;
/** `b2_linearSleepTolerance` = 0.01f. */
export const LINEAR_SLEEP_TOLERANCE = f32(0.01);
/** `b2_angularSleepTolerance` = 2/180·π. */
export const ANGULAR_SLEEP_TOLERANCE = f32(f32(2 / 180) * PI);

/** A rotation as Box2D stores it: sine and cosine of the angle. */
export interface Rot {
  /** Sine. */
  s: number;
  /** Cosine. */
  c: number;
}

/**
 * `b2Rot::Set(angle)`: glibc's `sinf` and `cosf` of the float32 angle, into `q`.
 *
 * @example
 * ```ts
 * import { setRot } from "./settings.ts";
 * const q = { s: 0, c: 1 };
 * setRot(q, 0.5); // q.s = sinf(0.5), q.c = cosf(0.5)
 * ```
 */
export function setRot(q: Rot, angle: number): void {
  sincosf(angle);
  q.s = sincosOut.s;
  q.c = sincosOut.c;
}

/**
 * `b2Vec2::Normalize` in float32 on (x, y), written to `out`; returns the length (0 and `out`
 * = (x, y) unchanged when the length is below ε, as Box2D leaves the vector alone).
 *
 * @example
 * ```ts
 * import { normalize } from "./settings.ts";
 * const out = { x: 0, y: 0 };
 * normalize(3, 4, out); // 5; out = (0.6, 0.8) in float32
 * ```
 */
export function normalize(x: number, y: number, out: { x: number; y: number }): number {
  const length = f32(Math.sqrt(f32(f32(x * x) + f32(y * y))));
  if (length < EPSILON) {
    out.x = x;
    out.y = y;
    return 0;
  }
  const inv = f32(1 / length);
  out.x = f32(x * inv);
  out.y = f32(y * inv);
  return length;
}
