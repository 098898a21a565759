/**
 * Box2D 2.3.10's polygon and edge shapes in float32: construction as pybox2d does it
 * (`b2PolygonShape::Set` / `SetAsBox`, `b2EdgeShape::Set`), their AABBs, ray casts and mass, all
 * in Box2D's float32 operation order (see `settings.ts`).
 *
 * @module
 */
import { f32, normalize, POLYGON_RADIUS } from "./settings.ts";

const unit = { x: 0, y: 0 };

/** A rigid transform as Box2D stores it: translation and rotation (sine, cosine). */
export interface Transform {
  /** Translation x. */
  px: number;
  /** Translation y. */
  py: number;
  /** Sine of the angle. */
  s: number;
  /** Cosine of the angle. */
  c: number;
}

/**
 * A convex polygon (`b2PolygonShape`): counter-clockwise float32 vertices, outward unit normals
 * (normal i belongs to edge i → i + 1), the centroid and the skin radius.
 *
 * @example
 * ```ts
 * import { polygonShape } from "./shapes.ts";
 * const triangle = polygonShape([[0, 0], [1, 0], [0, 1]]);
 * triangle.count; // 3
 * ```
 */
export class PolygonShape {
  /** Shape type. */
  readonly type = "polygon";
  /** Skin radius (`b2_polygonRadius`). */
  readonly radius: number = POLYGON_RADIUS;
  /** Vertex x (float32). */
  readonly vx: Float64Array;
  /** Vertex y. */
  readonly vy: Float64Array;
  /** Edge normal x. */
  readonly nx: Float64Array;
  /** Edge normal y. */
  readonly ny: Float64Array;
  /** Number of vertices. */
  readonly count: number;
  /** Centroid x. */
  readonly centroidX: number;
  /** Centroid y. */
  readonly centroidY: number;

  /** A polygon from its hull-ordered vertices, normals and centroid (use the factories). */
  constructor(
    vx: Float64Array,
    vy: Float64Array,
    nx: Float64Array,
    ny: Float64Array,
    centroidX: number,
    centroidY: number,
  ) {
    this.vx = vx;
    this.vy = vy;
    this.nx = nx;
    this.ny = ny;
    this.count = vx.length;
    this.centroidX = centroidX;
    this.centroidY = centroidY;
  }
}

/**
 * A two-sided line segment (`b2EdgeShape` without ghost vertices): the distance proxy of an edge
 * is its two vertices.
 *
 * @example
 * ```ts
 * import { edgeShape } from "./shapes.ts";
 * const ground = edgeShape([0, 0], [20, 0]);
 * ground.vx; // Float64Array [0, 20]
 * ```
 */
export class EdgeShape {
  /** Shape type. */
  readonly type = "edge";
  /** Skin radius (`b2_polygonRadius`). */
  readonly radius: number = POLYGON_RADIUS;
  /** Vertex x: v1, v2 (float32). */
  readonly vx: Float64Array;
  /** Vertex y. */
  readonly vy: Float64Array;
  /** Number of vertices (2). */
  readonly count = 2;

  /** The segment from (x1, y1) to (x2, y2), rounded to float32. */
  constructor(x1: number, y1: number, x2: number, y2: number) {
    this.vx = Float64Array.of(f32(x1), f32(x2));
    this.vy = Float64Array.of(f32(y1), f32(y2));
  }
}

/** The shapes the engine supports. */
export type Shape = PolygonShape | EdgeShape;

/**
 * A convex polygon as `b2PolygonShape::Set` builds it in pybox2d 2.3.10: the vertices rounded to
 * float32, ordered counter-clockwise by gift wrapping from the right-most (then lowest) vertex, no
 * welding of close vertices, float32 normals and the centroid (`ComputeCentroid` with the
 * reference point at the origin).
 *
 * @example
 * ```ts
 * import { polygonShape } from "./shapes.ts";
 * const square = polygonShape([[0, 0], [1, 0], [1, 1], [0, 1]]);
 * [square.vx[0], square.vy[0]]; // [1, 0]: the right-most, lowest vertex first
 * ```
 */
export function polygonShape(vertices: readonly (readonly [number, number])[]): PolygonShape {
  const n = vertices.length;
  if (n < 3 || n > 16) {
    throw new RangeError(
      `polygonShape: expected 3 to 16 vertices (b2_maxPolygonVertices), got ${n}`,
    );
  }
  const px = vertices.map(([x]) => f32(x));
  const py = vertices.map(([, y]) => f32(y));
  let i0 = 0;
  let x0 = px[0];
  for (let i = 1; i < n; i++) {
    const x = px[i];
    if (x > x0 || (x === x0 && py[i] < py[i0])) {
      i0 = i;
      x0 = x;
    }
  }
  const hull: number[] = [];
  let ih = i0;
  for (;;) {
    if (hull.length >= n) throw new RangeError("polygonShape: the vertices are not convex");
    hull.push(ih);
    let ie = 0;
    for (let j = 1; j < n; j++) {
      if (ie === ih) {
        ie = j;
        continue;
      }
      const rx = f32(px[ie] - px[ih]);
      const ry = f32(py[ie] - py[ih]);
      const vx = f32(px[j] - px[ih]);
      const vy = f32(py[j] - py[ih]);
      const c = f32(f32(rx * vy) - f32(ry * vx));
      if (c < 0) ie = j;
      if (c === 0 && f32(f32(vx * vx) + f32(vy * vy)) > f32(f32(rx * rx) + f32(ry * ry))) ie = j;
    }
    ih = ie;
    if (ie === i0) break;
  }
  if (hull.length < 3) throw new RangeError("polygonShape: the vertices are collinear");
  const m = hull.length;
  const vx = Float64Array.from(hull, (i) => px[i]);
  const vy = Float64Array.from(hull, (i) => py[i]);
  const nx = new Float64Array(m);
  const ny = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const j = i + 1 < m ? i + 1 : 0;
    const ex = f32(vx[j] - vx[i]);
    const ey = f32(vy[j] - vy[i]);
    normalize(ey, -ex, unit); // b2Cross(edge, 1) = (edge.y, −edge.x)
    nx[i] = unit.x;
    ny[i] = unit.y;
  }
  // ComputeCentroid with pRef = (0, 0).
  const inv3 = f32(1 / 3);
  let cx = 0;
  let cy = 0;
  let area = 0;
  for (let i = 0; i < m; i++) {
    const j = i + 1 < m ? i + 1 : 0;
    const d = f32(f32(vx[i] * vy[j]) - f32(vy[i] * vx[j]));
    const triangleArea = f32(0.5 * d);
    area = f32(area + triangleArea);
    const k = f32(triangleArea * inv3);
    cx = f32(cx + f32(k * f32(f32(0 + vx[i]) + vx[j])));
    cy = f32(cy + f32(k * f32(f32(0 + vy[i]) + vy[j])));
  }
  const invArea = f32(1 / area);
  return new PolygonShape(vx, vy, nx, ny, f32(cx * invArea), f32(cy * invArea));
}

/**
 * A box of half-widths (hx, hy) centred at the origin, as `b2PolygonShape::SetAsBox`: vertices
 * (−hx, −hy), (hx, −hy), (hx, hy), (−hx, hy), normals −y, +x, +y, −x, centroid 0.
 *
 * @example
 * ```ts
 * import { boxShape } from "./shapes.ts";
 * const box = boxShape(0.5, 0.25);
 * [box.vx[0], box.vy[0]]; // [-0.5, -0.25]
 * ```
 */
export function boxShape(hx: number, hy: number): PolygonShape {
  const x = f32(hx);
  const y = f32(hy);
  return new PolygonShape(
    Float64Array.of(-x, x, x, -x),
    Float64Array.of(-y, -y, y, y),
    Float64Array.of(0, 1, 0, -1),
    Float64Array.of(-1, 0, 1, 0),
    0,
    0,
  );
}

/**
 * A two-sided edge with float32 end points (pybox2d's `edgeShape(vertices=[v1, v2])`).
 *
 * @example
 * ```ts
 * import { edgeShape } from "./shapes.ts";
 * const ramp = edgeShape([0, 0], [10, 1]);
 * ```
 */
export function edgeShape(
  v1: readonly [number, number],
  v2: readonly [number, number],
): EdgeShape {
  return new EdgeShape(v1[0], v1[1], v2[0], v2[1]);
}

/**
 * A shape's AABB under a transform (`ComputeAABB`), as lower x, lower y, upper x, upper y into
 * `out` at `o`.
 *
 * @example
 * ```ts
 * import { boxShape, computeAABB } from "./shapes.ts";
 * const out = new Float64Array(4);
 * computeAABB(boxShape(1, 1), { px: 0, py: 0, s: 0, c: 1 }, out, 0);
 * ```
 */
export function computeAABB(shape: Shape, xf: Transform, out: Float64Array, o: number): void {
  const { vx, vy, count } = shape;
  const { px, py, s, c } = xf;
  let lx = f32(f32(f32(c * vx[0]) - f32(s * vy[0])) + px);
  let ly = f32(f32(f32(s * vx[0]) + f32(c * vy[0])) + py);
  let ux = lx;
  let uy = ly;
  for (let i = 1; i < count; i++) {
    const x = f32(f32(f32(c * vx[i]) - f32(s * vy[i])) + px);
    const y = f32(f32(f32(s * vx[i]) + f32(c * vy[i])) + py);
    // b2Min / b2Max: a < b ? a : b.
    lx = lx < x ? lx : x;
    ly = ly < y ? ly : y;
    ux = ux > x ? ux : x;
    uy = uy > y ? uy : y;
  }
  const r = shape.radius;
  out[o] = f32(lx - r);
  out[o + 1] = f32(ly - r);
  out[o + 2] = f32(ux + r);
  out[o + 3] = f32(uy + r);
}

/** Mass data of a shape (`b2MassData`). */
export interface MassData {
  /** Mass. */
  mass: number;
  /** Centre of mass x (shape frame). */
  cx: number;
  /** Centre of mass y. */
  cy: number;
  /** Rotational inertia about the shape origin. */
  I: number;
}

/**
 * `b2PolygonShape::ComputeMass` in float32 (an edge has no mass: mass 0 at its midpoint).
 *
 * @example
 * ```ts
 * import { boxShape, computeMass } from "./shapes.ts";
 * computeMass(boxShape(0.5, 0.5), 1).mass; // 1
 * ```
 */
export function computeMass(shape: Shape, density: number): MassData {
  if (shape instanceof EdgeShape) {
    return {
      mass: 0,
      cx: f32(0.5 * f32(shape.vx[0] + shape.vx[1])),
      cy: f32(0.5 * f32(shape.vy[0] + shape.vy[1])),
      I: 0,
    };
  }
  const { vx, vy, count: n } = shape;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx = f32(sx + vx[i]);
    sy = f32(sy + vy[i]);
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
    const ex1 = f32(vx[i] - sx);
    const ey1 = f32(vy[i] - sy);
    const ex2 = f32(vx[j] - sx);
    const ey2 = f32(vy[j] - sy);
    const d = f32(f32(ex1 * ey2) - f32(ey1 * ex2));
    const triangleArea = f32(0.5 * d);
    area = f32(area + triangleArea);
    const k = f32(triangleArea * inv3);
    cx = f32(cx + f32(k * f32(ex1 + ex2)));
    cy = f32(cy + f32(k * f32(ey1 + ey2)));
    const intx2 = f32(f32(f32(ex1 * ex1) + f32(ex2 * ex1)) + f32(ex2 * ex2));
    const inty2 = f32(f32(f32(ey1 * ey1) + f32(ey2 * ey1)) + f32(ey2 * ey2));
    I = f32(I + f32(f32(f32(0.25 * inv3) * d) * f32(intx2 + inty2)));
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

/**
 * A shape's ray cast (`RayCast` of `b2PolygonShape` / `b2EdgeShape`): the hit fraction of the
 * ray p1 → p2 (world frame, float32) within `maxFraction`, or −1 for no hit. The normal of the
 * hit is not computed (no caller here needs it).
 *
 * @example
 * ```ts
 * import { edgeShape, rayCastShape } from "./shapes.ts";
 * const ground = edgeShape([-10, 0], [10, 0]);
 * rayCastShape(ground, { px: 0, py: 0, s: 0, c: 1 }, 0, 1, 0, -1, 1); // 0.5
 * ```
 */
export function rayCastShape(
  shape: Shape,
  xf: Transform,
  p1x: number,
  p1y: number,
  p2x: number,
  p2y: number,
  maxFraction: number,
): number {
  // The ray in the shape's frame: b2MulT(xf.q, p − xf.p).
  const { s, c } = xf;
  let dx = f32(p1x - xf.px);
  let dy = f32(p1y - xf.py);
  const x1 = f32(f32(c * dx) + f32(s * dy));
  const y1 = f32(f32(-s * dx) + f32(c * dy));
  dx = f32(p2x - xf.px);
  dy = f32(p2y - xf.py);
  const x2 = f32(f32(c * dx) + f32(s * dy));
  const y2 = f32(f32(-s * dx) + f32(c * dy));
  const rx = f32(x2 - x1);
  const ry = f32(y2 - y1);
  if (shape instanceof EdgeShape) {
    const v1x = shape.vx[0];
    const v1y = shape.vy[0];
    const ex = f32(shape.vx[1] - v1x);
    const ey = f32(shape.vy[1] - v1y);
    normalize(ey, -ex, unit);
    const numerator = f32(f32(unit.x * f32(v1x - x1)) + f32(unit.y * f32(v1y - y1)));
    const denominator = f32(f32(unit.x * rx) + f32(unit.y * ry));
    if (denominator === 0) return -1;
    const t = f32(numerator / denominator);
    if (t < 0 || maxFraction < t) return -1;
    const qx = f32(x1 + f32(t * rx));
    const qy = f32(y1 + f32(t * ry));
    const rr = f32(f32(ex * ex) + f32(ey * ey));
    if (rr === 0) return -1;
    const sEdge = f32(f32(f32(f32(qx - v1x) * ex) + f32(f32(qy - v1y) * ey)) / rr);
    if (sEdge < 0 || 1 < sEdge) return -1;
    return t;
  }
  let lower = 0;
  let upper = maxFraction;
  let index = -1;
  const { vx, vy, nx, ny, count } = shape;
  for (let i = 0; i < count; i++) {
    const numerator = f32(f32(nx[i] * f32(vx[i] - x1)) + f32(ny[i] * f32(vy[i] - y1)));
    const denominator = f32(f32(nx[i] * rx) + f32(ny[i] * ry));
    if (denominator === 0) {
      if (numerator < 0) return -1;
    } else if (denominator < 0 && numerator < f32(lower * denominator)) {
      lower = f32(numerator / denominator);
      index = i;
    } else if (denominator > 0 && numerator < f32(upper * denominator)) {
      upper = f32(numerator / denominator);
    }
    if (upper < lower) return -1;
  }
  return index >= 0 ? lower : -1;
}
