/**
 * Box2D 2.3.10's continuous collision in float32: {@linkcode distance} (`b2Distance`, GJK with a
 * simplex cache) and {@linkcode timeOfImpact} (`b2TimeOfImpact`: conservative advancement with
 * the separating-axis root finder), on plain numbers without allocations. The world's
 * `SolveTOI` (`world.ts`) calls them for every contact with a static body.
 *
 * @module
 */
import { EPSILON, f32, LINEAR_SLOP, MAX_POLYGON_VERTICES, normalize, PI } from "./settings.ts";
import { cross, dot, invRotX, invRotY, mulXfX, mulXfY, rotX, rotY, setTransform } from "./math.ts";
import type { Transform } from "./shapes.ts";

/** A convex proxy (`b2DistanceProxy`): vertices and skin radius (a polygon or an edge). */
export interface DistanceProxy {
  /** Vertex x. */
  readonly vx: Float64Array;
  /** Vertex y. */
  readonly vy: Float64Array;
  /** Vertex count. */
  readonly count: number;
  /** Skin radius. */
  readonly radius: number;
}

/** (1 − β)·x0 + β·x1 in float32, with omb = 1 − β: `b2Sweep`'s interpolation. */
function mix(omb: number, beta: number, x0: number, x1: number): number {
  return f32(f32(omb * x0) + f32(beta * x1));
}

/**
 * A body's motion over the step (`b2Sweep`): local centre, centre and angle at alpha0 (c0, a0)
 * and at the end of the step (c, a). A `Body` (`world.ts`) is a sweep.
 *
 * @example
 * ```ts
 * import { Sweep } from "./toi.ts";
 * const sweep = new Sweep();
 * sweep.cx = 1; // moves from (0, 0) to (1, 0) over the step
 * const xf = { px: 0, py: 0, s: 0, c: 1 };
 * sweep.transform(xf, 0.5); // xf = { px: 0.5, py: 0, s: 0, c: 1 }
 * ```
 */
export class Sweep {
  /** Local centre of mass x. */
  localCenterX = 0;
  /** Local centre of mass y. */
  localCenterY = 0;
  /** Centre x at alpha0. */
  c0x = 0;
  /** Centre y at alpha0. */
  c0y = 0;
  /** Centre x at the end. */
  cx = 0;
  /** Centre y at the end. */
  cy = 0;
  /** Angle at alpha0. */
  a0 = 0;
  /** Angle at the end. */
  a = 0;
  /** Fraction of the step the sweep starts at (unused by the time of impact). */
  alpha0 = 0;

  /** Copies another sweep (a body's, or a copy of one) into this one. */
  copySweep(from: Sweep): void {
    this.localCenterX = from.localCenterX;
    this.localCenterY = from.localCenterY;
    this.c0x = from.c0x;
    this.c0y = from.c0y;
    this.cx = from.cx;
    this.cy = from.cy;
    this.a0 = from.a0;
    this.a = from.a;
    this.alpha0 = from.alpha0;
  }

  /** `b2Sweep::Advance`: c0 and a0 move to fraction alpha of the step. */
  advanceSweep(alpha: number): void {
    const beta = f32(f32(alpha - this.alpha0) / f32(1 - this.alpha0));
    const omb = f32(1 - beta);
    this.c0x = mix(omb, beta, this.c0x, this.cx);
    this.c0y = mix(omb, beta, this.c0y, this.cy);
    this.a0 = mix(omb, beta, this.a0, this.a);
    this.alpha0 = alpha;
  }

  /** `b2Sweep::Normalize`: a0 into [0, 2π), a shifted alike. */
  normalize(): void {
    const twoPi = f32(2 * PI);
    const d = f32(twoPi * Math.floor(f32(this.a0 / twoPi)));
    this.a0 = f32(this.a0 - d);
    this.a = f32(this.a - d);
  }

  /** `b2Sweep::GetTransform` at fraction beta into `xf`. */
  transform(xf: Transform, beta: number): void {
    const omb = f32(1 - beta);
    const px = mix(omb, beta, this.c0x, this.cx);
    const py = mix(omb, beta, this.c0y, this.cy);
    const angle = mix(omb, beta, this.a0, this.a);
    setTransform(xf, px, py, angle, this.localCenterX, this.localCenterY);
  }
}

/** `b2DistanceProxy::GetSupport`: the first vertex with the largest dot product with d. */
function support(p: DistanceProxy, dx: number, dy: number): number {
  let best = 0;
  let bestValue = f32(f32(p.vx[0] * dx) + f32(p.vy[0] * dy));
  for (let i = 1; i < p.count; i++) {
    const value = f32(f32(p.vx[i] * dx) + f32(p.vy[i] * dy));
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/** The simplex cache carried between `distance` calls (`b2SimplexCache`). */
export const cache = { count: 0, metric: 0, indexA: [0, 0, 0], indexB: [0, 0, 0] };

// GJK simplex: up to three vertices with their support points on A and B, w = wB − wA and the
// barycentric coordinate a.
const sIndexA = new Int32Array(3);
const sIndexB = new Int32Array(3);
const sWAx = new Float64Array(3);
const sWAy = new Float64Array(3);
const sWBx = new Float64Array(3);
const sWBy = new Float64Array(3);
const sWx = new Float64Array(3);
const sWy = new Float64Array(3);
const sA = new Float64Array(3);
let sCount = 0;

function setVertex(
  k: number,
  pA: DistanceProxy,
  xfA: Transform,
  iA: number,
  pB: DistanceProxy,
  xfB: Transform,
  iB: number,
): void {
  sIndexA[k] = iA;
  sIndexB[k] = iB;
  sWAx[k] = mulXfX(xfA, pA.vx[iA], pA.vy[iA]);
  sWAy[k] = mulXfY(xfA, pA.vx[iA], pA.vy[iA]);
  sWBx[k] = mulXfX(xfB, pB.vx[iB], pB.vy[iB]);
  sWBy[k] = mulXfY(xfB, pB.vx[iB], pB.vy[iB]);
  sWx[k] = f32(sWBx[k] - sWAx[k]);
  sWy[k] = f32(sWBy[k] - sWAy[k]);
}

function copyVertex(to: number, from: number): void {
  sIndexA[to] = sIndexA[from];
  sIndexB[to] = sIndexB[from];
  sWAx[to] = sWAx[from];
  sWAy[to] = sWAy[from];
  sWBx[to] = sWBx[from];
  sWBy[to] = sWBy[from];
  sWx[to] = sWx[from];
  sWy[to] = sWy[from];
  sA[to] = sA[from];
}

/** `b2Simplex::GetMetric`. */
function metric(): number {
  if (sCount === 2) {
    const dx = f32(sWx[0] - sWx[1]);
    const dy = f32(sWy[0] - sWy[1]);
    return f32(Math.sqrt(f32(f32(dx * dx) + f32(dy * dy))));
  }
  if (sCount === 3) {
    const e1x = f32(sWx[1] - sWx[0]);
    const e1y = f32(sWy[1] - sWy[0]);
    const e2x = f32(sWx[2] - sWx[0]);
    const e2y = f32(sWy[2] - sWy[0]);
    return f32(f32(e1x * e2y) - f32(e1y * e2x));
  }
  return 0;
}

/** b2Dot(a, b) of simplex w's i and the vector (x, y). */
function dotW(i: number, x: number, y: number): number {
  return dot(sWx[i], sWy[i], x, y);
}

/** b2Cross of simplex w's i and j. */
function crossW(i: number, j: number): number {
  return cross(sWx[i], sWy[i], sWx[j], sWy[j]);
}

/** The closest point is vertex i: the simplex shrinks to it (moved to slot 0), weight 1. */
function keepVertex(i: number): void {
  sA[i] = 1;
  sCount = 1;
  if (i !== 0) copyVertex(0, i);
}

/**
 * The closest point is on edge (i, j), with unnormalised weights wi and wj: the simplex shrinks
 * to the edge (vertex j moved to the free one of slots 0 and 1).
 */
function keepEdge(i: number, j: number, wi: number, wj: number): void {
  const inv = f32(1 / f32(wi + wj));
  sA[i] = f32(wi * inv);
  sA[j] = f32(wj * inv);
  sCount = 2;
  if (j === 2) copyVertex(i === 0 ? 1 : 0, 2);
}

/** `b2Simplex::Solve2`: the closest point on segment w1 w2 to the origin. */
function solve2(): void {
  const e12x = f32(sWx[1] - sWx[0]);
  const e12y = f32(sWy[1] - sWy[0]);
  const d12_2 = -dotW(0, e12x, e12y);
  if (d12_2 <= 0) return keepVertex(0);
  const d12_1 = dotW(1, e12x, e12y);
  if (d12_1 <= 0) return keepVertex(1);
  keepEdge(0, 1, d12_1, d12_2);
}

/** `b2Simplex::Solve3`: the closest point on triangle w1 w2 w3 (Voronoi regions). */
function solve3(): void {
  const e12x = f32(sWx[1] - sWx[0]);
  const e12y = f32(sWy[1] - sWy[0]);
  const d12_1 = dotW(1, e12x, e12y);
  const d12_2 = -dotW(0, e12x, e12y);
  const e13x = f32(sWx[2] - sWx[0]);
  const e13y = f32(sWy[2] - sWy[0]);
  const d13_1 = dotW(2, e13x, e13y);
  const d13_2 = -dotW(0, e13x, e13y);
  const e23x = f32(sWx[2] - sWx[1]);
  const e23y = f32(sWy[2] - sWy[1]);
  const d23_1 = dotW(2, e23x, e23y);
  const d23_2 = -dotW(1, e23x, e23y);
  const n123 = cross(e12x, e12y, e13x, e13y);
  const d123_1 = f32(n123 * crossW(1, 2));
  const d123_2 = f32(n123 * crossW(2, 0));
  const d123_3 = f32(n123 * crossW(0, 1));
  if (d12_2 <= 0 && d13_2 <= 0) return keepVertex(0);
  if (d12_1 > 0 && d12_2 > 0 && d123_3 <= 0) return keepEdge(0, 1, d12_1, d12_2);
  if (d13_1 > 0 && d13_2 > 0 && d123_2 <= 0) return keepEdge(0, 2, d13_1, d13_2);
  if (d12_1 <= 0 && d23_2 <= 0) return keepVertex(1);
  if (d13_1 <= 0 && d23_1 <= 0) return keepVertex(2);
  if (d23_1 > 0 && d23_2 > 0 && d123_1 <= 0) return keepEdge(1, 2, d23_1, d23_2);
  const inv = f32(1 / f32(f32(d123_1 + d123_2) + d123_3));
  sA[0] = f32(d123_1 * inv);
  sA[1] = f32(d123_2 * inv);
  sA[2] = f32(d123_3 * inv);
  sCount = 3;
}

const saveA = [0, 0, 0];
const saveB = [0, 0, 0];

/**
 * `b2Distance` without radii (`useRadii = false`, as the TOI uses it): the distance between the
 * two proxies at the given transforms, warm-started from and written back to
 * {@linkcode cache}.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { cache, distance } from "./toi.ts";
 * const box = boxShape(1, 1);
 * cache.count = 0;
 * distance(box, { px: 0, py: 0, s: 0, c: 1 }, box, { px: 3, py: 0, s: 0, c: 1 }); // 1
 * ```
 */
export function distance(
  pA: DistanceProxy,
  xfA: Transform,
  pB: DistanceProxy,
  xfB: Transform,
): number {
  // b2Simplex::ReadCache.
  sCount = cache.count;
  for (let i = 0; i < sCount; i++) {
    setVertex(i, pA, xfA, cache.indexA[i], pB, xfB, cache.indexB[i]);
    sA[i] = 0;
  }
  if (sCount > 1) {
    const metric1 = cache.metric;
    const metric2 = metric();
    if (metric2 < f32(0.5 * metric1) || f32(2 * metric1) < metric2 || metric2 < EPSILON) {
      sCount = 0;
    }
  }
  if (sCount === 0) {
    setVertex(0, pA, xfA, 0, pB, xfB, 0);
    sA[0] = 1;
    sCount = 1;
  }

  for (let iter = 0; iter < 20;) {
    const saveCount = sCount;
    for (let i = 0; i < saveCount; i++) {
      saveA[i] = sIndexA[i];
      saveB[i] = sIndexB[i];
    }
    if (sCount === 2) solve2();
    else if (sCount === 3) solve3();
    if (sCount === 3) break;
    // b2Simplex::GetSearchDirection.
    let dx: number;
    let dy: number;
    if (sCount === 1) {
      dx = -sWx[0];
      dy = -sWy[0];
    } else {
      const e12x = f32(sWx[1] - sWx[0]);
      const e12y = f32(sWy[1] - sWy[0]);
      // sgn = b2Cross(e12, −w1).
      const sgn = f32(f32(e12x * -sWy[0]) - f32(e12y * -sWx[0]));
      if (sgn > 0) {
        dx = -e12y; // b2Cross(1, e12) = (−e12.y, e12.x)
        dy = e12x;
      } else {
        dx = e12y; // b2Cross(e12, 1) = (e12.y, −e12.x)
        dy = -e12x;
      }
    }
    if (f32(f32(dx * dx) + f32(dy * dy)) < f32(EPSILON * EPSILON)) break;
    // Support points: A against −d, B against d, each in its own frame (b2MulT(q, v)).
    const iA = support(pA, invRotX(xfA.s, xfA.c, -dx, -dy), invRotY(xfA.s, xfA.c, -dx, -dy));
    const iB = support(pB, invRotX(xfB.s, xfB.c, dx, dy), invRotY(xfB.s, xfB.c, dx, dy));
    setVertex(sCount, pA, xfA, iA, pB, xfB, iB);
    ++iter;
    let duplicate = false;
    for (let i = 0; i < saveCount; i++) {
      if (iA === saveA[i] && iB === saveB[i]) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) break;
    ++sCount;
  }

  // b2Simplex::GetWitnessPoints and the distance between them.
  let ax: number;
  let ay: number;
  let bx: number;
  let by: number;
  if (sCount === 1) {
    ax = sWAx[0];
    ay = sWAy[0];
    bx = sWBx[0];
    by = sWBy[0];
  } else if (sCount === 2) {
    ax = f32(f32(sA[0] * sWAx[0]) + f32(sA[1] * sWAx[1]));
    ay = f32(f32(sA[0] * sWAy[0]) + f32(sA[1] * sWAy[1]));
    bx = f32(f32(sA[0] * sWBx[0]) + f32(sA[1] * sWBx[1]));
    by = f32(f32(sA[0] * sWBy[0]) + f32(sA[1] * sWBy[1]));
  } else {
    ax = f32(f32(f32(sA[0] * sWAx[0]) + f32(sA[1] * sWAx[1])) + f32(sA[2] * sWAx[2]));
    ay = f32(f32(f32(sA[0] * sWAy[0]) + f32(sA[1] * sWAy[1])) + f32(sA[2] * sWAy[2]));
    bx = ax;
    by = ay;
  }
  // b2Simplex::WriteCache.
  cache.metric = metric();
  cache.count = sCount;
  for (let i = 0; i < sCount; i++) {
    cache.indexA[i] = sIndexA[i];
    cache.indexB[i] = sIndexB[i];
  }
  const dx = f32(ax - bx);
  const dy = f32(ay - by);
  return f32(Math.sqrt(f32(f32(dx * dx) + f32(dy * dy))));
}

// b2SeparationFunction state: the proxies and sweeps of the last initSeparation, the type, the
// axis and the face's local point.
const POINTS = 0;
const FACE_A = 1;
const FACE_B = 2;
let sepProxyA!: DistanceProxy;
let sepSweepA!: Sweep;
let sepProxyB!: DistanceProxy;
let sepSweepB!: Sweep;
let sepType = POINTS;
let axisX = 0;
let axisY = 0;
let localX = 0;
let localY = 0;
const indices = { a: 0, b: 0 };
const xfA: Transform = { px: 0, py: 0, s: 0, c: 1 };
const xfB: Transform = { px: 0, py: 0, s: 0, c: 1 };
const unit = { x: 0, y: 0 };
const offset = { x: 0, y: 0 };

/** Vertex ib of B minus vertex ia of A, in world coordinates at xfA and xfB, into `offset`. */
function pointOffset(ia: number, ib: number): void {
  const pA = sepProxyA;
  const pB = sepProxyB;
  offset.x = f32(mulXfX(xfB, pB.vx[ib], pB.vy[ib]) - mulXfX(xfA, pA.vx[ia], pA.vy[ia]));
  offset.y = f32(mulXfY(xfB, pB.vx[ib], pB.vy[ib]) - mulXfY(xfA, pA.vx[ia], pA.vy[ia]));
}

/**
 * The height of vertex i of `other` (at xfOther) above the face (its local point, world normal
 * (nx, ny)) at xfFace.
 */
function faceSeparation(
  xfFace: Transform,
  nx: number,
  ny: number,
  other: DistanceProxy,
  xfOther: Transform,
  i: number,
): number {
  const fx = mulXfX(xfFace, localX, localY);
  const fy = mulXfY(xfFace, localX, localY);
  const ox = mulXfX(xfOther, other.vx[i], other.vy[i]);
  const oy = mulXfY(xfOther, other.vx[i], other.vy[i]);
  return dot(f32(ox - fx), f32(oy - fy), nx, ny);
}

/** `b2SeparationFunction::Initialize` from the cached simplex at time t1. */
function initSeparation(
  pA: DistanceProxy,
  sweepA: Sweep,
  pB: DistanceProxy,
  sweepB: Sweep,
  t1: number,
): void {
  sepProxyA = pA;
  sepSweepA = sweepA;
  sepProxyB = pB;
  sepSweepB = sweepB;
  sweepA.transform(xfA, t1);
  sweepB.transform(xfB, t1);
  if (cache.count === 1) {
    sepType = POINTS;
    pointOffset(cache.indexA[0], cache.indexB[0]);
    normalize(offset.x, offset.y, unit);
    axisX = unit.x;
    axisY = unit.y;
    return;
  }
  const [own, other, xfOwn, xfOther, ownIndex, otherIndex] = cache.indexA[0] === cache.indexA[1]
    ? [pB, pA, xfB, xfA, cache.indexB, cache.indexA[0]] as const
    : [pA, pB, xfA, xfB, cache.indexA, cache.indexB[0]] as const;
  sepType = cache.indexA[0] === cache.indexA[1] ? FACE_B : FACE_A;
  // Two points on one proxy (the face) and one on the other.
  const i1 = ownIndex[0];
  const i2 = ownIndex[1];
  // m_axis = b2Cross(v2 − v1, 1) = ((v2 − v1).y, −(v2 − v1).x), normalised.
  normalize(f32(own.vy[i2] - own.vy[i1]), -f32(own.vx[i2] - own.vx[i1]), unit);
  axisX = unit.x;
  axisY = unit.y;
  const nx = rotX(xfOwn.s, xfOwn.c, axisX, axisY);
  const ny = rotY(xfOwn.s, xfOwn.c, axisX, axisY);
  localX = f32(0.5 * f32(own.vx[i1] + own.vx[i2]));
  localY = f32(0.5 * f32(own.vy[i1] + own.vy[i2]));
  if (faceSeparation(xfOwn, nx, ny, other, xfOther, otherIndex) < 0) {
    axisX = -axisX;
    axisY = -axisY;
  }
}

/**
 * `b2SeparationFunction::FindMinSeparation` (find = true: picks the deepest support points into
 * `indices`) or `Evaluate` (find = false: uses `indices`) at time t, for the proxies and sweeps
 * of the last {@linkcode initSeparation}.
 */
function separation(t: number, find: boolean): number {
  const pA = sepProxyA;
  const pB = sepProxyB;
  sepSweepA.transform(xfA, t);
  sepSweepB.transform(xfB, t);
  if (sepType === POINTS) {
    if (find) {
      // axisA = b2MulT(qA, axis), axisB = b2MulT(qB, −axis).
      const { s: sinA, c: cosA } = xfA;
      const { s: sinB, c: cosB } = xfB;
      indices.a = support(pA, invRotX(sinA, cosA, axisX, axisY), invRotY(sinA, cosA, axisX, axisY));
      indices.b = support(
        pB,
        invRotX(sinB, cosB, -axisX, -axisY),
        invRotY(sinB, cosB, -axisX, -axisY),
      );
    }
    pointOffset(indices.a, indices.b);
    return dot(offset.x, offset.y, axisX, axisY);
  }
  // FACE_A: the face on A, the witness vertex on B; FACE_B mirrored.
  const faceA = sepType === FACE_A;
  const xfFace = faceA ? xfA : xfB;
  const xfOther = faceA ? xfB : xfA;
  const other = faceA ? pB : pA;
  const nx = rotX(xfFace.s, xfFace.c, axisX, axisY);
  const ny = rotY(xfFace.s, xfFace.c, axisX, axisY);
  let index: number;
  if (find) {
    // axis = b2MulT(q_other, −normal).
    const { s, c } = xfOther;
    index = support(other, invRotX(s, c, -nx, -ny), invRotY(s, c, -nx, -ny));
    if (faceA) {
      indices.a = -1;
      indices.b = index;
    } else {
      indices.b = -1;
      indices.a = index;
    }
  } else {
    index = faceA ? indices.b : indices.a;
  }
  return faceSeparation(xfFace, nx, ny, other, xfOther, index);
}

/** The outcome of {@linkcode timeOfImpact} (`b2TOIOutput::State`). */
export const TOI_STATE = {
  unknown: 0,
  failed: 1,
  overlapped: 2,
  touching: 3,
  separated: 4,
} as const;

/** The result of the last {@linkcode timeOfImpact} call. */
export const toiOut = { state: 0, t: 0 };

/**
 * `b2TimeOfImpact` with tMax = 1: the first fraction t of the sweeps at which the two proxies
 * come within max(linearSlop, r_A + r_B − 3·linearSlop), by conservative advancement. The sweeps
 * are normalised in place (they are the caller's copies). Writes {@linkcode toiOut}.
 *
 * @example
 * ```ts
 * import { boxShape, edgeShape } from "./shapes.ts";
 * import { Sweep, timeOfImpact, TOI_STATE, toiOut } from "./toi.ts";
 * const ground = new Sweep();
 * const box = new Sweep();
 * box.c0y = 3; // falls from y = 3 to y = −3 in one step
 * box.cy = -3;
 * timeOfImpact(edgeShape([-5, 0], [5, 0]), ground, boxShape(1, 1), box);
 * toiOut.state === TOI_STATE.touching; // true, near t = 1/3
 * ```
 */
export function timeOfImpact(
  pA: DistanceProxy,
  sweepA: Sweep,
  pB: DistanceProxy,
  sweepB: Sweep,
): void {
  const tMax = 1;
  toiOut.state = TOI_STATE.unknown;
  toiOut.t = tMax;
  sweepA.normalize();
  sweepB.normalize();
  const totalRadius = f32(pA.radius + pB.radius);
  const candidate = f32(totalRadius - f32(3 * LINEAR_SLOP));
  const target = LINEAR_SLOP > candidate ? LINEAR_SLOP : candidate; // b2Max(slop, r − 3·slop)
  const tolerance = f32(0.25 * LINEAR_SLOP);
  const upper = f32(target + tolerance);
  const lower = f32(target - tolerance);
  let t1 = 0;
  let iter = 0;
  cache.count = 0;
  for (;;) {
    sweepA.transform(xfA, t1);
    sweepB.transform(xfB, t1);
    const d = distance(pA, xfA, pB, xfB);
    if (d <= 0) {
      toiOut.state = TOI_STATE.overlapped;
      toiOut.t = 0;
      break;
    }
    if (d < upper) {
      toiOut.state = TOI_STATE.touching;
      toiOut.t = t1;
      break;
    }
    initSeparation(pA, sweepA, pB, sweepB, t1);
    let done = false;
    let t2 = tMax;
    let pushBackIter = 0;
    for (;;) {
      let s2 = separation(t2, true);
      if (s2 > upper) {
        toiOut.state = TOI_STATE.separated;
        toiOut.t = tMax;
        done = true;
        break;
      }
      if (s2 > lower) {
        t1 = t2;
        break;
      }
      let s1 = separation(t1, false);
      if (s1 < lower) {
        toiOut.state = TOI_STATE.failed;
        toiOut.t = t1;
        done = true;
        break;
      }
      if (s1 <= upper) {
        toiOut.state = TOI_STATE.touching;
        toiOut.t = t1;
        done = true;
        break;
      }
      // Root of s(t) = target in [t1, t2]: alternating secant and bisection steps.
      let rootIterCount = 0;
      let a1 = t1;
      let a2 = t2;
      for (;;) {
        const t = rootIterCount & 1
          ? f32(a1 + f32(f32(f32(target - s1) * f32(a2 - a1)) / f32(s2 - s1)))
          : f32(0.5 * f32(a1 + a2));
        ++rootIterCount;
        const s = separation(t, false);
        const err = f32(s - target);
        if ((err > 0 ? err : -err) < tolerance) {
          t2 = t;
          break;
        }
        if (s > target) {
          a1 = t;
          s1 = s;
        } else {
          a2 = t;
          s2 = s;
        }
        if (rootIterCount === 50) break;
      }
      ++pushBackIter;
      if (pushBackIter === MAX_POLYGON_VERTICES) break;
    }
    ++iter;
    if (done) break;
    if (iter === 20) {
      toiOut.state = TOI_STATE.failed;
      toiOut.t = t1;
      break;
    }
  }
}
