/**
 * Box2D 2.3.10's `b2Math` in float32 on plain numbers: rotations (`b2Mul(q, v)`,
 * `b2MulT(q, v)`), transforms (`b2Mul(xf, v)`, a body's transform from its centre of mass),
 * `b2Cross` and `b2Dot`. Each helper performs the operations of Box2D's inline function in its
 * order, rounding each to float32 (see `settings.ts`), and returns one component, so that hot
 * loops allocate nothing.
 *
 * @module
 */
import { f32 } from "./settings.ts";
import type { Transform } from "./shapes.ts";
import { sincosf, sincosOut } from "../../libm/mod.ts";

/**
 * `b2Cross(a, b)` = a.x·b.y − a.y·b.x.
 *
 * @example
 * ```ts
 * import { cross } from "./math.ts";
 * cross(1, 0, 0, 1); // 1
 * ```
 */
export function cross(ax: number, ay: number, bx: number, by: number): number {
  return f32(f32(ax * by) - f32(ay * bx));
}

/**
 * `b2Dot(a, b)` = a.x·b.x + a.y·b.y.
 *
 * @example
 * ```ts
 * import { dot } from "./math.ts";
 * dot(1, 2, 3, 4); // 11
 * ```
 */
export function dot(ax: number, ay: number, bx: number, by: number): number {
  return f32(f32(ax * bx) + f32(ay * by));
}

/**
 * `b2Mul(q, v).x` = c·x − s·y for the rotation q = (s, c).
 *
 * @example
 * ```ts
 * import { rotX, rotY } from "./math.ts";
 * [rotX(1, 0, 2, 3), rotY(1, 0, 2, 3)]; // [-3, 2]: a quarter turn
 * ```
 */
export function rotX(s: number, c: number, x: number, y: number): number {
  return f32(f32(c * x) - f32(s * y));
}

/** `b2Mul(q, v).y` = s·x + c·y (see {@linkcode rotX}). */
export function rotY(s: number, c: number, x: number, y: number): number {
  return f32(f32(s * x) + f32(c * y));
}

/**
 * `b2MulT(q, v).x` = c·x + s·y: v rotated by the inverse of q = (s, c).
 *
 * @example
 * ```ts
 * import { invRotX, invRotY } from "./math.ts";
 * [invRotX(1, 0, -3, 2), invRotY(1, 0, -3, 2)]; // [2, 3]: undoes a quarter turn
 * ```
 */
export function invRotX(s: number, c: number, x: number, y: number): number {
  return f32(f32(c * x) + f32(s * y));
}

/** `b2MulT(q, v).y` = −s·x + c·y (see {@linkcode invRotX}). */
export function invRotY(s: number, c: number, x: number, y: number): number {
  return f32(f32(-s * x) + f32(c * y));
}

/**
 * `b2Mul(xf, v).x` = (q·v).x + p.x: a point of the body frame in world coordinates.
 *
 * @example
 * ```ts
 * import { mulXfX, mulXfY } from "./math.ts";
 * const xf = { px: 1, py: 0, s: 0, c: 1 };
 * [mulXfX(xf, 2, 3), mulXfY(xf, 2, 3)]; // [3, 3]
 * ```
 */
export function mulXfX(xf: Transform, x: number, y: number): number {
  return f32(rotX(xf.s, xf.c, x, y) + xf.px);
}

/** `b2Mul(xf, v).y` = (q·v).y + p.y (see {@linkcode mulXfX}). */
export function mulXfY(xf: Transform, x: number, y: number): number {
  return f32(rotY(xf.s, xf.c, x, y) + xf.py);
}

/**
 * A body's transform from its centre of mass (cx, cy), angle and local centre (lx, ly), into
 * `xf`: q = (sinf, cosf)(angle), p = c − b2Mul(q, localCenter) (`SynchronizeTransform`,
 * `b2Sweep::GetTransform`, the solvers' transforms).
 *
 * @example
 * ```ts
 * import { setTransform } from "./math.ts";
 * const xf = { px: 0, py: 0, s: 0, c: 1 };
 * setTransform(xf, 2, 3, 0, 0.5, 0); // xf = { px: 1.5, py: 3, s: 0, c: 1 }
 * ```
 */
export function setTransform(
  xf: Transform,
  cx: number,
  cy: number,
  angle: number,
  lx: number,
  ly: number,
): void {
  sincosf(angle);
  const s = sincosOut.s;
  const c = sincosOut.c;
  xf.s = s;
  xf.c = c;
  xf.px = f32(cx - rotX(s, c, lx, ly));
  xf.py = f32(cy - rotY(s, c, lx, ly));
}
