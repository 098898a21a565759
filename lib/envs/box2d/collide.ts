/**
 * Box2D 2.3.10's narrow phase in float32: contact manifolds ({@linkcode Manifold}), the
 * polygon-polygon collider pybox2d ships (2.3.0's `b2CollidePolygons`: reference face from a
 * hill-climbing separation search, relative tolerance 0.98·sA + 0.001, Sutherland-Hodgman
 * clipping) and the edge-polygon collider (`b2EPCollider` for an edge without ghost vertices).
 *
 * @module
 */
import { type EdgeShape, type PolygonShape, type Transform } from "./shapes.ts";
import { ANGULAR_SLOP, f32, MAX_FLOAT, normalize, POLYGON_RADIUS } from "./settings.ts";
import { dot, invRotX, invRotY, mulXfX, mulXfY, rotX, rotY } from "./math.ts";

/** Manifold types (`b2Manifold::Type`); −1 before the first evaluation. */
export const CIRCLES = 0;
/** The normal is on shape A. */
export const FACE_A = 1;
/** The normal is on shape B. */
export const FACE_B = 2;

/** Contact feature types (`b2ContactFeature::Type`). */
const VERTEX = 0;
const FACE = 1;

/**
 * A contact feature id (`b2ContactID::key`): index A, index B, type A, type B as the bytes of a
 * little-endian uint32, so that two ids compare as Box2D compares them.
 *
 * @example
 * ```ts
 * import { featureKey } from "./collide.ts";
 * featureKey(1, 2, 1, 0); // 0x00010201
 * ```
 */
export function featureKey(indexA: number, indexB: number, typeA: number, typeB: number): number {
  return ((indexA & 0xff) | ((indexB & 0xff) << 8) | ((typeA & 0xff) << 16) |
    ((typeB & 0xff) << 24)) >>> 0;
}

/** A key with A and B's features swapped. */
function swapFeatures(key: number): number {
  return featureKey((key >>> 8) & 0xff, key & 0xff, (key >>> 24) & 0xff, (key >>> 16) & 0xff);
}

/**
 * One manifold point (`b2ManifoldPoint`).
 *
 * @example
 * ```ts
 * import { Manifold } from "./collide.ts";
 * const point = new Manifold().points[0];
 * point.normalImpulse; // 0 until the solver stores an impulse
 * ```
 */
export class ManifoldPoint {
  /** Local point x (meaning depends on the manifold type). */
  localPointX = 0;
  /** Local point y. */
  localPointY = 0;
  /** Accumulated normal impulse (warm starting). */
  normalImpulse = 0;
  /** Accumulated tangent impulse. */
  tangentImpulse = 0;
  /** Feature key ({@linkcode featureKey}). */
  id = 0;
}

/**
 * `b2Manifold`: up to two contact points in local coordinates.
 *
 * @example
 * ```ts
 * import { Manifold } from "./collide.ts";
 * const m = new Manifold();
 * m.pointCount; // 0
 * ```
 */
export class Manifold {
  /** {@linkcode CIRCLES}, {@linkcode FACE_A} or {@linkcode FACE_B}; −1 before any collision. */
  type = -1;
  /** Local normal x (not used for circles). */
  localNormalX = 0;
  /** Local normal y. */
  localNormalY = 0;
  /** Local point x (meaning depends on the type). */
  localPointX = 0;
  /** Local point y. */
  localPointY = 0;
  /** Number of points (0, 1 or 2). */
  pointCount = 0;
  /** The two points. */
  readonly points: [ManifoldPoint, ManifoldPoint] = [new ManifoldPoint(), new ManifoldPoint()];

  /** Copies another manifold into this one. */
  copyFrom(m: Manifold): void {
    this.type = m.type;
    this.localNormalX = m.localNormalX;
    this.localNormalY = m.localNormalY;
    this.localPointX = m.localPointX;
    this.localPointY = m.localPointY;
    this.pointCount = m.pointCount;
    for (let i = 0; i < 2; i++) {
      const a = this.points[i];
      const b = m.points[i];
      a.localPointX = b.localPointX;
      a.localPointY = b.localPointY;
      a.normalImpulse = b.normalImpulse;
      a.tangentImpulse = b.tangentImpulse;
      a.id = b.id;
    }
  }
}

/** A clip vertex (`b2ClipVertex`): a point and its feature key. */
interface ClipVertex {
  x: number;
  y: number;
  id: number;
}

const clipVertex = (): ClipVertex => ({ x: 0, y: 0, id: 0 });
const incident = [clipVertex(), clipVertex()];
const clip1 = [clipVertex(), clipVertex()];
const clip2 = [clipVertex(), clipVertex()];

/**
 * `b2ClipSegmentToLine`: the part of segment vIn on the back side of the line
 * dot(normal, v) = offset, into vOut; returns the number of points.
 */
function clipSegmentToLine(
  vOut: ClipVertex[],
  vIn: ClipVertex[],
  nx: number,
  ny: number,
  offset: number,
  vertexIndexA: number,
): number {
  let numOut = 0;
  const d0 = f32(f32(f32(nx * vIn[0].x) + f32(ny * vIn[0].y)) - offset);
  const d1 = f32(f32(f32(nx * vIn[1].x) + f32(ny * vIn[1].y)) - offset);
  if (d0 <= 0) {
    vOut[numOut].x = vIn[0].x;
    vOut[numOut].y = vIn[0].y;
    vOut[numOut].id = vIn[0].id;
    numOut++;
  }
  if (d1 <= 0) {
    vOut[numOut].x = vIn[1].x;
    vOut[numOut].y = vIn[1].y;
    vOut[numOut].id = vIn[1].id;
    numOut++;
  }
  if (f32(d0 * d1) < 0) {
    const interp = f32(d0 / f32(d0 - d1));
    vOut[numOut].x = f32(vIn[0].x + f32(interp * f32(vIn[1].x - vIn[0].x)));
    vOut[numOut].y = f32(vIn[0].y + f32(interp * f32(vIn[1].y - vIn[0].y)));
    vOut[numOut].id = featureKey(vertexIndexA, (vIn[0].id >>> 8) & 0xff, VERTEX, FACE);
    numOut++;
  }
  return numOut;
}

/** b2Mul(xf, v) into out. */
function mulXf(xf: Transform, x: number, y: number, out: { x: number; y: number }): void {
  out.x = mulXfX(xf, x, y);
  out.y = mulXfY(xf, x, y);
}

const normalWorld = { x: 0, y: 0 };

/**
 * Puts normal `edge1` of poly1 in world coordinates (b2Mul(xf1.q, n)) into `normalWorld` and
 * returns the index of the first of the `count` vectors (xs, ys) of poly2 (its vertices or its
 * normals) with the smallest dot product with that normal in poly2's frame (b2MulT(xf2.q, ·)).
 */
function leastAlongNormal(
  poly1: PolygonShape,
  xf1: Transform,
  edge1: number,
  xf2: Transform,
  xs: Float64Array,
  ys: Float64Array,
  count: number,
): number {
  const n1x = poly1.nx[edge1];
  const n1y = poly1.ny[edge1];
  const nwx = (normalWorld.x = rotX(xf1.s, xf1.c, n1x, n1y));
  const nwy = (normalWorld.y = rotY(xf1.s, xf1.c, n1x, n1y));
  const n2x = invRotX(xf2.s, xf2.c, nwx, nwy);
  const n2y = invRotY(xf2.s, xf2.c, nwx, nwy);
  let index = 0;
  let minDot = MAX_FLOAT;
  for (let i = 0; i < count; i++) {
    const d = dot(xs[i], ys[i], n2x, n2y);
    if (d < minDot) {
      minDot = d;
      index = i;
    }
  }
  return index;
}

const pA = { x: 0, y: 0 };
const pB = { x: 0, y: 0 };

/** 2.3.0's `b2EdgeSeparation`: separation of poly2 from edge `edge1` of poly1. */
function edgeSeparation(
  poly1: PolygonShape,
  xf1: Transform,
  edge1: number,
  poly2: PolygonShape,
  xf2: Transform,
): number {
  // The vertex of poly2 deepest along the edge's normal.
  const index = leastAlongNormal(poly1, xf1, edge1, xf2, poly2.vx, poly2.vy, poly2.count);
  mulXf(xf1, poly1.vx[edge1], poly1.vy[edge1], pA);
  mulXf(xf2, poly2.vx[index], poly2.vy[index], pB);
  return dot(f32(pB.x - pA.x), f32(pB.y - pA.y), normalWorld.x, normalWorld.y);
}

const sepOut = { edge: 0 };

/** 2.3.0's `b2FindMaxSeparation`: hill climbing from the edge facing poly2's centroid. */
function findMaxSeparation(
  poly1: PolygonShape,
  xf1: Transform,
  poly2: PolygonShape,
  xf2: Transform,
): number {
  const count1 = poly1.count;
  mulXf(xf2, poly2.centroidX, poly2.centroidY, pB);
  mulXf(xf1, poly1.centroidX, poly1.centroidY, pA);
  const dx = f32(pB.x - pA.x);
  const dy = f32(pB.y - pA.y);
  const lx = invRotX(xf1.s, xf1.c, dx, dy);
  const ly = invRotY(xf1.s, xf1.c, dx, dy);
  let edge = 0;
  let maxDot = -MAX_FLOAT;
  for (let i = 0; i < count1; i++) {
    const dot = f32(f32(poly1.nx[i] * lx) + f32(poly1.ny[i] * ly));
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
    sepOut.edge = edge;
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
  sepOut.edge = bestEdge;
  return bestSeparation;
}

/**
 * Box2D 2.3.0's `b2CollidePolygons` (the version pybox2d 2.3.10 compiles), in float32.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * import { collidePolygons, Manifold } from "./collide.ts";
 * const m = new Manifold();
 * const box = boxShape(1, 1);
 * collidePolygons(m, box, { px: 0, py: 0, s: 0, c: 1 }, box, { px: 0, py: 1.9, s: 0, c: 1 });
 * m.pointCount; // 2
 * ```
 */
export function collidePolygons(
  manifold: Manifold,
  polyA: PolygonShape,
  xfA: Transform,
  polyB: PolygonShape,
  xfB: Transform,
): void {
  manifold.pointCount = 0;
  const totalRadius = f32(polyA.radius + polyB.radius);
  const separationA = findMaxSeparation(polyA, xfA, polyB, xfB);
  const edgeA = sepOut.edge;
  if (separationA > totalRadius) return;
  const separationB = findMaxSeparation(polyB, xfB, polyA, xfA);
  const edgeB = sepOut.edge;
  if (separationB > totalRadius) return;

  let poly1 = polyA;
  let poly2 = polyB;
  let xf1 = xfA;
  let xf2 = xfB;
  let edge1 = edgeA;
  let flip = false;
  if (separationB > f32(f32(f32(0.98) * separationA) + f32(0.001))) {
    poly1 = polyB;
    poly2 = polyA;
    xf1 = xfB;
    xf2 = xfA;
    edge1 = edgeB;
    manifold.type = FACE_B;
    flip = true;
  } else {
    manifold.type = FACE_A;
  }

  // b2FindIncidentEdge: the edge of poly2 most anti-parallel to the reference normal.
  const count2 = poly2.count;
  const i1 = leastAlongNormal(poly1, xf1, edge1, xf2, poly2.nx, poly2.ny, count2);
  const i2 = i1 + 1 < count2 ? i1 + 1 : 0;
  mulXf(xf2, poly2.vx[i1], poly2.vy[i1], incident[0]);
  incident[0].id = featureKey(edge1, i1, FACE, VERTEX);
  mulXf(xf2, poly2.vx[i2], poly2.vy[i2], incident[1]);
  incident[1].id = featureKey(edge1, i2, FACE, VERTEX);

  const count1 = poly1.count;
  const iv1 = edge1;
  const iv2 = edge1 + 1 < count1 ? edge1 + 1 : 0;
  const v11x = poly1.vx[iv1];
  const v11y = poly1.vy[iv1];
  const v12x = poly1.vx[iv2];
  const v12y = poly1.vy[iv2];
  const tangent = { x: 0, y: 0 };
  normalize(f32(v12x - v11x), f32(v12y - v11y), tangent);
  const ltx = tangent.x;
  const lty = tangent.y;
  // localNormal = b2Cross(localTangent, 1) = (t.y, −t.x).
  const localNormalX = lty;
  const localNormalY = -ltx;
  const planeX = f32(0.5 * f32(v11x + v12x));
  const planeY = f32(0.5 * f32(v11y + v12y));
  const tx = rotX(xf1.s, xf1.c, ltx, lty);
  const ty = rotY(xf1.s, xf1.c, ltx, lty);
  const normalX = ty;
  const normalY = -tx;
  mulXf(xf1, v11x, v11y, pA);
  mulXf(xf1, v12x, v12y, pB);
  const frontOffset = f32(f32(normalX * pA.x) + f32(normalY * pA.y));
  const sideOffset1 = f32(-f32(f32(tx * pA.x) + f32(ty * pA.y)) + totalRadius);
  const sideOffset2 = f32(f32(f32(tx * pB.x) + f32(ty * pB.y)) + totalRadius);

  if (clipSegmentToLine(clip1, incident, -tx, -ty, sideOffset1, iv1) < 2) return;
  if (clipSegmentToLine(clip2, clip1, tx, ty, sideOffset2, iv2) < 2) return;

  manifold.localNormalX = localNormalX;
  manifold.localNormalY = localNormalY;
  manifold.localPointX = planeX;
  manifold.localPointY = planeY;
  let pointCount = 0;
  for (let i = 0; i < 2; i++) {
    const v = clip2[i];
    const separation = f32(f32(f32(normalX * v.x) + f32(normalY * v.y)) - frontOffset);
    if (separation <= totalRadius) {
      const cp = manifold.points[pointCount];
      // b2MulT(xf2, v).
      const px = f32(v.x - xf2.px);
      const py = f32(v.y - xf2.py);
      cp.localPointX = invRotX(xf2.s, xf2.c, px, py);
      cp.localPointY = invRotY(xf2.s, xf2.c, px, py);
      cp.id = flip ? swapFeatures(v.id) : v.id;
      pointCount++;
    }
  }
  manifold.pointCount = pointCount;
}

// b2EPCollider state for one call (polygon B in edge A's frame).
const polyX = new Float64Array(16);
const polyY = new Float64Array(16);
const polyNx = new Float64Array(16);
const polyNy = new Float64Array(16);
const EDGE_A = 1;
const EDGE_B = 2;
const UNKNOWN = 0;

/**
 * `b2CollideEdgeAndPolygon` (`b2EPCollider::Collide`) for an edge without ghost vertices, in
 * float32: the polygon in the edge's frame, the edge and polygon separating axes with the
 * 0.98/0.001 tolerance, the reference face and two clips.
 *
 * @example
 * ```ts
 * import { boxShape, edgeShape } from "./shapes.ts";
 * import { collideEdgePolygon, Manifold } from "./collide.ts";
 * const m = new Manifold();
 * const ground = edgeShape([-5, 0], [5, 0]);
 * collideEdgePolygon(m, ground, { px: 0, py: 0, s: 0, c: 1 }, boxShape(1, 1), {
 *   px: 0, py: 0.99, s: 0, c: 1,
 * });
 * m.pointCount; // 2
 * ```
 */
export function collideEdgePolygon(
  manifold: Manifold,
  edgeA: EdgeShape,
  xfA: Transform,
  polygonB: PolygonShape,
  xfB: Transform,
): void {
  // m_xf = b2MulT(xfA, xfB).
  const xs = f32(f32(xfA.c * xfB.s) - f32(xfA.s * xfB.c));
  const xc = f32(f32(xfA.c * xfB.c) + f32(xfA.s * xfB.s));
  const dpx = f32(xfB.px - xfA.px);
  const dpy = f32(xfB.py - xfA.py);
  const xpx = invRotX(xfA.s, xfA.c, dpx, dpy);
  const xpy = invRotY(xfA.s, xfA.c, dpx, dpy);
  const xf: Transform = xfScratch;
  xf.px = xpx;
  xf.py = xpy;
  xf.s = xs;
  xf.c = xc;
  mulXf(xf, polygonB.centroidX, polygonB.centroidY, pA);
  const centroidX = pA.x;
  const centroidY = pA.y;
  const v1x = edgeA.vx[0];
  const v1y = edgeA.vy[0];
  const v2x = edgeA.vx[1];
  const v2y = edgeA.vy[1];
  const e1 = { x: 0, y: 0 };
  normalize(f32(v2x - v1x), f32(v2y - v1y), e1);
  const n1x = e1.y;
  const n1y = -e1.x;
  const offset1 = f32(f32(n1x * f32(centroidX - v1x)) + f32(n1y * f32(centroidY - v1y)));
  // No ghost vertices: the front side is where the polygon's centroid is.
  const front = offset1 >= 0;
  const normalX = front ? n1x : -n1x;
  const normalY = front ? n1y : -n1y;
  const lowerX = -normalX;
  const lowerY = -normalY;
  const upperX = lowerX;
  const upperY = lowerY;

  const count = polygonB.count;
  for (let i = 0; i < count; i++) {
    mulXf(xf, polygonB.vx[i], polygonB.vy[i], pB);
    polyX[i] = pB.x;
    polyY[i] = pB.y;
    const nx = polygonB.nx[i];
    const ny = polygonB.ny[i];
    polyNx[i] = f32(f32(xc * nx) - f32(xs * ny));
    polyNy[i] = f32(f32(xs * nx) + f32(xc * ny));
  }
  const radius = f32(2 * POLYGON_RADIUS);
  manifold.pointCount = 0;

  // ComputeEdgeSeparation.
  let edgeSeparation = MAX_FLOAT;
  for (let i = 0; i < count; i++) {
    const s = f32(f32(normalX * f32(polyX[i] - v1x)) + f32(normalY * f32(polyY[i] - v1y)));
    if (s < edgeSeparation) edgeSeparation = s;
  }
  if (edgeSeparation > radius) return;

  // ComputePolygonSeparation.
  let polygonType = UNKNOWN;
  let polygonIndex = -1;
  let polygonSeparation = -MAX_FLOAT;
  const perpX = -normalY;
  const perpY = normalX;
  for (let i = 0; i < count; i++) {
    const nx = -polyNx[i];
    const ny = -polyNy[i];
    const s1 = f32(f32(nx * f32(polyX[i] - v1x)) + f32(ny * f32(polyY[i] - v1y)));
    const s2 = f32(f32(nx * f32(polyX[i] - v2x)) + f32(ny * f32(polyY[i] - v2y)));
    const s = s1 < s2 ? s1 : s2;
    if (s > radius) {
      polygonType = EDGE_B;
      polygonIndex = i;
      polygonSeparation = s;
      break;
    }
    if (f32(f32(nx * perpX) + f32(ny * perpY)) >= 0) {
      if (
        f32(f32(f32(nx - upperX) * normalX) + f32(f32(ny - upperY) * normalY)) < -ANGULAR_SLOP
      ) continue;
    } else if (
      f32(f32(f32(nx - lowerX) * normalX) + f32(f32(ny - lowerY) * normalY)) < -ANGULAR_SLOP
    ) continue;
    if (s > polygonSeparation) {
      polygonType = EDGE_B;
      polygonIndex = i;
      polygonSeparation = s;
    }
  }
  if (polygonType !== UNKNOWN && polygonSeparation > radius) return;

  let primaryType: number;
  let primaryIndex: number;
  if (polygonType === UNKNOWN) {
    primaryType = EDGE_A;
    primaryIndex = front ? 0 : 1;
  } else if (polygonSeparation > f32(f32(f32(0.98) * edgeSeparation) + f32(0.001))) {
    primaryType = EDGE_B;
    primaryIndex = polygonIndex;
  } else {
    primaryType = EDGE_A;
    primaryIndex = front ? 0 : 1;
  }

  let rfI1: number;
  let rfI2: number;
  let rfV1x: number;
  let rfV1y: number;
  let rfV2x: number;
  let rfV2y: number;
  let rfNx: number;
  let rfNy: number;
  if (primaryType === EDGE_A) {
    manifold.type = FACE_A;
    let bestIndex = 0;
    let bestValue = f32(f32(normalX * polyNx[0]) + f32(normalY * polyNy[0]));
    for (let i = 1; i < count; i++) {
      const value = f32(f32(normalX * polyNx[i]) + f32(normalY * polyNy[i]));
      if (value < bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    }
    const i1 = bestIndex;
    const i2 = i1 + 1 < count ? i1 + 1 : 0;
    incident[0].x = polyX[i1];
    incident[0].y = polyY[i1];
    incident[0].id = featureKey(0, i1, FACE, VERTEX);
    incident[1].x = polyX[i2];
    incident[1].y = polyY[i2];
    incident[1].id = featureKey(0, i2, FACE, VERTEX);
    // The edge is the reference face, traversed backwards when the polygon is behind it.
    rfI1 = front ? 0 : 1;
    rfI2 = front ? 1 : 0;
    rfV1x = front ? v1x : v2x;
    rfV1y = front ? v1y : v2y;
    rfV2x = front ? v2x : v1x;
    rfV2y = front ? v2y : v1y;
    rfNx = front ? n1x : -n1x;
    rfNy = front ? n1y : -n1y;
  } else {
    manifold.type = FACE_B;
    incident[0].x = v1x;
    incident[0].y = v1y;
    incident[0].id = featureKey(0, primaryIndex, VERTEX, FACE);
    incident[1].x = v2x;
    incident[1].y = v2y;
    incident[1].id = featureKey(0, primaryIndex, VERTEX, FACE);
    rfI1 = primaryIndex;
    rfI2 = rfI1 + 1 < count ? rfI1 + 1 : 0;
    rfV1x = polyX[rfI1];
    rfV1y = polyY[rfI1];
    rfV2x = polyX[rfI2];
    rfV2y = polyY[rfI2];
    rfNx = polyNx[rfI1];
    rfNy = polyNy[rfI1];
  }
  const side1x = rfNy;
  const side1y = -rfNx;
  const side2x = -side1x;
  const side2y = -side1y;
  const sideOffset1 = f32(f32(side1x * rfV1x) + f32(side1y * rfV1y));
  const sideOffset2 = f32(f32(side2x * rfV2x) + f32(side2y * rfV2y));
  if (clipSegmentToLine(clip1, incident, side1x, side1y, sideOffset1, rfI1) < 2) return;
  if (clipSegmentToLine(clip2, clip1, side2x, side2y, sideOffset2, rfI2) < 2) return;

  if (primaryType === EDGE_A) {
    manifold.localNormalX = rfNx;
    manifold.localNormalY = rfNy;
    manifold.localPointX = rfV1x;
    manifold.localPointY = rfV1y;
  } else {
    manifold.localNormalX = polygonB.nx[rfI1];
    manifold.localNormalY = polygonB.ny[rfI1];
    manifold.localPointX = polygonB.vx[rfI1];
    manifold.localPointY = polygonB.vy[rfI1];
  }
  let pointCount = 0;
  for (let i = 0; i < 2; i++) {
    const v = clip2[i];
    const separation = f32(f32(rfNx * f32(v.x - rfV1x)) + f32(rfNy * f32(v.y - rfV1y)));
    if (separation <= radius) {
      const cp = manifold.points[pointCount];
      if (primaryType === EDGE_A) {
        // b2MulT(m_xf, v).
        const px = f32(v.x - xpx);
        const py = f32(v.y - xpy);
        cp.localPointX = f32(f32(xc * px) + f32(xs * py));
        cp.localPointY = f32(f32(-xs * px) + f32(xc * py));
        cp.id = v.id;
      } else {
        cp.localPointX = v.x;
        cp.localPointY = v.y;
        cp.id = swapFeatures(v.id);
      }
      pointCount++;
    }
  }
  manifold.pointCount = pointCount;
}

const xfScratch: Transform = { px: 0, py: 0, s: 0, c: 1 };
