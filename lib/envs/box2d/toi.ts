/**
 * Continuous collision as Box2D 2.3 does it: {@linkcode timeOfImpact} (conservative advancement
 * with `b2Distance`'s GJK and the separating-axis root finder) and {@linkcode Box2DSolver}, whose
 * `solveWorldTOI` is `b2World::SolveTOI` (and whose `solveIsland` is `island.ts`'s
 * `b2Island::Solve`). Everything works on plain numbers without allocations,
 * and uses Box2D's constants where planck's differ: the time-of-impact threshold 1 − 10·ε with
 * ε = `FLT_EPSILON` (planck uses 1e−9, so it sub-steps for impacts Box2D ignores), the GJK
 * direction cut-off ε², the 8-vertex push-back limit, and sweep angles normalised to [0, 2π).
 * The walker runs about 15 of these per step, so the speed matters.
 *
 * @module
 */
import { type Body, type Contact, type Fixture, Solver, TimeStep, type World } from "planck";
import { bodyInternals, sleepThreshold, type SweepInternals, type XY } from "./box2d23.ts";
import {
  ContactSolver,
  type IslandJoint,
  type IslandState,
  islandState,
  solveIsland,
} from "./island.ts";
import { Box2DRevoluteJoint } from "./revolute_joint.ts";

/** `FLT_EPSILON`, Box2D's `b2_epsilon`. */
const EPSILON = 1.1920928955078125e-7;
const LINEAR_SLOP = 0.005;
/** `b2_maxPolygonVertices` in Box2D 2.3 (the push-back iteration limit). */
const MAX_POLYGON_VERTICES = 8;
const MAX_SUB_STEPS = 8;
const TWO_PI = 2 * Math.PI;

/** A convex proxy: vertex coordinates and the skin radius. */
interface Proxy {
  vx: Float64Array;
  vy: Float64Array;
  count: number;
  radius: number;
}

/** A sweep copied into numbers: local centre, c0, c, a0, a, alpha0. */
class Sweep {
  lx = 0;
  ly = 0;
  c0x = 0;
  c0y = 0;
  cx = 0;
  cy = 0;
  a0 = 0;
  a = 0;

  set(s: SweepInternals): void {
    this.lx = s.localCenter.x;
    this.ly = s.localCenter.y;
    this.c0x = s.c0.x;
    this.c0y = s.c0.y;
    this.cx = s.c.x;
    this.cy = s.c.y;
    this.a0 = s.a0;
    this.a = s.a;
  }

  /** `b2Sweep::Normalize`: a0 into [0, 2π), a shifted alike. */
  normalize(): void {
    const d = TWO_PI * Math.floor(this.a0 / TWO_PI);
    this.a0 -= d;
    this.a -= d;
  }

  /** `b2Sweep::GetTransform` at fraction beta into `xf` (p.x, p.y, sin, cos). */
  transform(xf: Float64Array, beta: number): void {
    const px = (1.0 - beta) * this.c0x + beta * this.cx;
    const py = (1.0 - beta) * this.c0y + beta * this.cy;
    const angle = (1.0 - beta) * this.a0 + beta * this.a;
    const s = Math.sin(angle);
    const c = Math.cos(angle);
    xf[0] = px - (c * this.lx - s * this.ly);
    xf[1] = py - (s * this.lx + c * this.ly);
    xf[2] = s;
    xf[3] = c;
  }
}

/** Fills a proxy from a fixture's polygon or edge shape (`b2DistanceProxy::Set`). */
function setProxy(proxy: Proxy, fixture: Fixture): void {
  const shape = fixture.getShape() as unknown as {
    m_type: string;
    m_radius: number;
    m_vertices?: XY[];
    m_count?: number;
    m_vertex1?: XY;
    m_vertex2?: XY;
  };
  proxy.radius = shape.m_radius;
  if (shape.m_type === "polygon") {
    const n = shape.m_count!;
    for (let i = 0; i < n; i++) {
      proxy.vx[i] = shape.m_vertices![i].x;
      proxy.vy[i] = shape.m_vertices![i].y;
    }
    proxy.count = n;
  } else if (shape.m_type === "edge") {
    proxy.vx[0] = shape.m_vertex1!.x;
    proxy.vy[0] = shape.m_vertex1!.y;
    proxy.vx[1] = shape.m_vertex2!.x;
    proxy.vy[1] = shape.m_vertex2!.y;
    proxy.count = 2;
  } else {
    throw new Error(`Box2D TOI: shape type "${shape.m_type}" is not supported here`);
  }
}

/** `b2DistanceProxy::GetSupport`: the first vertex with the largest dot product with d. */
function support(p: Proxy, dx: number, dy: number): number {
  let best = 0;
  let bestValue = p.vx[0] * dx + p.vy[0] * dy;
  for (let i = 1; i < p.count; i++) {
    const value = p.vx[i] * dx + p.vy[i] * dy;
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

/** The simplex cache carried between GJK calls of one TOI query. */
const cache = { count: 0, metric: 0, indexA: [0, 0, 0], indexB: [0, 0, 0] };

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
  pA: Proxy,
  xfA: Float64Array,
  iA: number,
  pB: Proxy,
  xfB: Float64Array,
  iB: number,
): void {
  sIndexA[k] = iA;
  sIndexB[k] = iB;
  const ax = pA.vx[iA];
  const ay = pA.vy[iA];
  const bx = pB.vx[iB];
  const by = pB.vy[iB];
  sWAx[k] = xfA[3] * ax - xfA[2] * ay + xfA[0];
  sWAy[k] = xfA[2] * ax + xfA[3] * ay + xfA[1];
  sWBx[k] = xfB[3] * bx - xfB[2] * by + xfB[0];
  sWBy[k] = xfB[2] * bx + xfB[3] * by + xfB[1];
  sWx[k] = sWBx[k] - sWAx[k];
  sWy[k] = sWBy[k] - sWAy[k];
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
  if (sCount === 2) return Math.hypot(sWx[0] - sWx[1], sWy[0] - sWy[1]);
  if (sCount === 3) {
    return (sWx[1] - sWx[0]) * (sWy[2] - sWy[0]) - (sWy[1] - sWy[0]) * (sWx[2] - sWx[0]);
  }
  return 0;
}

/** `b2Simplex::Solve2`: the closest point on segment w1 w2 to the origin. */
function solve2(): void {
  const e12x = sWx[1] - sWx[0];
  const e12y = sWy[1] - sWy[0];
  const d12_2 = -(sWx[0] * e12x + sWy[0] * e12y);
  if (d12_2 <= 0.0) {
    sA[0] = 1.0;
    sCount = 1;
    return;
  }
  const d12_1 = sWx[1] * e12x + sWy[1] * e12y;
  if (d12_1 <= 0.0) {
    sA[1] = 1.0;
    sCount = 1;
    copyVertex(0, 1);
    return;
  }
  const inv = 1.0 / (d12_1 + d12_2);
  sA[0] = d12_1 * inv;
  sA[1] = d12_2 * inv;
  sCount = 2;
}

/** `b2Simplex::Solve3`: the closest point on triangle w1 w2 w3 (Voronoi regions). */
function solve3(): void {
  const w1x = sWx[0];
  const w1y = sWy[0];
  const w2x = sWx[1];
  const w2y = sWy[1];
  const w3x = sWx[2];
  const w3y = sWy[2];
  const e12x = w2x - w1x;
  const e12y = w2y - w1y;
  const d12_1 = w2x * e12x + w2y * e12y;
  const d12_2 = -(w1x * e12x + w1y * e12y);
  const e13x = w3x - w1x;
  const e13y = w3y - w1y;
  const d13_1 = w3x * e13x + w3y * e13y;
  const d13_2 = -(w1x * e13x + w1y * e13y);
  const e23x = w3x - w2x;
  const e23y = w3y - w2y;
  const d23_1 = w3x * e23x + w3y * e23y;
  const d23_2 = -(w2x * e23x + w2y * e23y);
  const n123 = e12x * e13y - e12y * e13x;
  const d123_1 = n123 * (w2x * w3y - w2y * w3x);
  const d123_2 = n123 * (w3x * w1y - w3y * w1x);
  const d123_3 = n123 * (w1x * w2y - w1y * w2x);
  if (d12_2 <= 0.0 && d13_2 <= 0.0) {
    sA[0] = 1.0;
    sCount = 1;
    return;
  }
  if (d12_1 > 0.0 && d12_2 > 0.0 && d123_3 <= 0.0) {
    const inv = 1.0 / (d12_1 + d12_2);
    sA[0] = d12_1 * inv;
    sA[1] = d12_2 * inv;
    sCount = 2;
    return;
  }
  if (d13_1 > 0.0 && d13_2 > 0.0 && d123_2 <= 0.0) {
    const inv = 1.0 / (d13_1 + d13_2);
    sA[0] = d13_1 * inv;
    sA[2] = d13_2 * inv;
    sCount = 2;
    copyVertex(1, 2);
    return;
  }
  if (d12_1 <= 0.0 && d23_2 <= 0.0) {
    sA[1] = 1.0;
    sCount = 1;
    copyVertex(0, 1);
    return;
  }
  if (d13_1 <= 0.0 && d23_1 <= 0.0) {
    sA[2] = 1.0;
    sCount = 1;
    copyVertex(0, 2);
    return;
  }
  if (d23_1 > 0.0 && d23_2 > 0.0 && d123_1 <= 0.0) {
    const inv = 1.0 / (d23_1 + d23_2);
    sA[1] = d23_1 * inv;
    sA[2] = d23_2 * inv;
    sCount = 2;
    copyVertex(0, 2);
    return;
  }
  const inv = 1.0 / (d123_1 + d123_2 + d123_3);
  sA[0] = d123_1 * inv;
  sA[1] = d123_2 * inv;
  sA[2] = d123_3 * inv;
  sCount = 3;
}

/**
 * `b2Distance` without radii (`useRadii = false`, as the TOI uses it): the distance between the
 * two convex proxies at the given transforms, warm-started from and written back to the cache.
 */
function distance(pA: Proxy, xfA: Float64Array, pB: Proxy, xfB: Float64Array): number {
  // b2Simplex::ReadCache.
  sCount = cache.count;
  for (let i = 0; i < sCount; i++) {
    setVertex(i, pA, xfA, cache.indexA[i], pB, xfB, cache.indexB[i]);
    sA[i] = 0.0;
  }
  if (sCount > 1) {
    const metric1 = cache.metric;
    const metric2 = metric();
    if (metric2 < 0.5 * metric1 || 2.0 * metric1 < metric2 || metric2 < EPSILON) sCount = 0;
  }
  if (sCount === 0) {
    setVertex(0, pA, xfA, 0, pB, xfB, 0);
    sA[0] = 1.0;
    sCount = 1;
  }

  const saveA = [0, 0, 0];
  const saveB = [0, 0, 0];
  for (let iter = 0; iter < 20;) {
    const saveCount = sCount;
    for (let i = 0; i < saveCount; i++) {
      saveA[i] = sIndexA[i];
      saveB[i] = sIndexB[i];
    }
    if (sCount === 2) solve2();
    else if (sCount === 3) solve3();
    if (sCount === 3) break;
    // Search direction (b2Simplex::GetSearchDirection).
    let dx: number;
    let dy: number;
    if (sCount === 1) {
      dx = -sWx[0];
      dy = -sWy[0];
    } else {
      const e12x = sWx[1] - sWx[0];
      const e12y = sWy[1] - sWy[0];
      const sgn = e12x * -sWy[0] - e12y * -sWx[0];
      if (sgn > 0.0) {
        dx = -e12y;
        dy = e12x;
      } else {
        dx = e12y;
        dy = -e12x;
      }
    }
    if (dx * dx + dy * dy < EPSILON * EPSILON) break;
    // Support points: A against -d, B against d, each in its own frame.
    const iA = support(pA, xfA[3] * -dx + xfA[2] * -dy, -xfA[2] * -dx + xfA[3] * -dy);
    const iB = support(pB, xfB[3] * dx + xfB[2] * dy, -xfB[2] * dx + xfB[3] * dy);
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

  // Witness points (b2Simplex::GetWitnessPoints) and the distance between them.
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
    ax = sA[0] * sWAx[0] + sA[1] * sWAx[1];
    ay = sA[0] * sWAy[0] + sA[1] * sWAy[1];
    bx = sA[0] * sWBx[0] + sA[1] * sWBx[1];
    by = sA[0] * sWBy[0] + sA[1] * sWBy[1];
  } else {
    ax = sA[0] * sWAx[0] + sA[1] * sWAx[1] + sA[2] * sWAx[2];
    ay = sA[0] * sWAy[0] + sA[1] * sWAy[1] + sA[2] * sWAy[2];
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
  return Math.hypot(bx - ax, by - ay);
}

// b2SeparationFunction state.
const POINTS = 0;
const FACE_A = 1;
const FACE_B = 2;
let sepType = POINTS;
let axisX = 0;
let axisY = 0;
let localX = 0;
let localY = 0;
let minIndexA = 0;
let minIndexB = 0;
const xfA = new Float64Array(4);
const xfB = new Float64Array(4);

/** `b2SeparationFunction::Initialize` from the cached simplex at time t1. */
function initSeparation(
  pA: Proxy,
  sweepA: Sweep,
  pB: Proxy,
  sweepB: Sweep,
  t1: number,
): void {
  sweepA.transform(xfA, t1);
  sweepB.transform(xfB, t1);
  if (cache.count === 1) {
    sepType = POINTS;
    const ia = cache.indexA[0];
    const ib = cache.indexB[0];
    const pax = xfA[3] * pA.vx[ia] - xfA[2] * pA.vy[ia] + xfA[0];
    const pay = xfA[2] * pA.vx[ia] + xfA[3] * pA.vy[ia] + xfA[1];
    const pbx = xfB[3] * pB.vx[ib] - xfB[2] * pB.vy[ib] + xfB[0];
    const pby = xfB[2] * pB.vx[ib] + xfB[3] * pB.vy[ib] + xfB[1];
    axisX = pbx - pax;
    axisY = pby - pay;
    normalizeAxis();
    return;
  }
  if (cache.indexA[0] === cache.indexA[1]) {
    // Two points on B and one on A.
    sepType = FACE_B;
    const b1 = cache.indexB[0];
    const b2 = cache.indexB[1];
    axisX = pB.vy[b2] - pB.vy[b1];
    axisY = -(pB.vx[b2] - pB.vx[b1]);
    normalizeAxis();
    const nx = xfB[3] * axisX - xfB[2] * axisY;
    const ny = xfB[2] * axisX + xfB[3] * axisY;
    localX = 0.5 * (pB.vx[b1] + pB.vx[b2]);
    localY = 0.5 * (pB.vy[b1] + pB.vy[b2]);
    const pbx = xfB[3] * localX - xfB[2] * localY + xfB[0];
    const pby = xfB[2] * localX + xfB[3] * localY + xfB[1];
    const ia = cache.indexA[0];
    const pax = xfA[3] * pA.vx[ia] - xfA[2] * pA.vy[ia] + xfA[0];
    const pay = xfA[2] * pA.vx[ia] + xfA[3] * pA.vy[ia] + xfA[1];
    if ((pax - pbx) * nx + (pay - pby) * ny < 0.0) {
      axisX = -axisX;
      axisY = -axisY;
    }
    return;
  }
  // Two points on A and one or two points on B.
  sepType = FACE_A;
  const a1 = cache.indexA[0];
  const a2 = cache.indexA[1];
  axisX = pA.vy[a2] - pA.vy[a1];
  axisY = -(pA.vx[a2] - pA.vx[a1]);
  normalizeAxis();
  const nx = xfA[3] * axisX - xfA[2] * axisY;
  const ny = xfA[2] * axisX + xfA[3] * axisY;
  localX = 0.5 * (pA.vx[a1] + pA.vx[a2]);
  localY = 0.5 * (pA.vy[a1] + pA.vy[a2]);
  const pax = xfA[3] * localX - xfA[2] * localY + xfA[0];
  const pay = xfA[2] * localX + xfA[3] * localY + xfA[1];
  const ib = cache.indexB[0];
  const pbx = xfB[3] * pB.vx[ib] - xfB[2] * pB.vy[ib] + xfB[0];
  const pby = xfB[2] * pB.vx[ib] + xfB[3] * pB.vy[ib] + xfB[1];
  if ((pbx - pax) * nx + (pby - pay) * ny < 0.0) {
    axisX = -axisX;
    axisY = -axisY;
  }
}

/** `b2Vec2::Normalize` on the separation axis (left alone when shorter than ε). */
function normalizeAxis(): void {
  const length = Math.sqrt(axisX * axisX + axisY * axisY);
  if (length < EPSILON) return;
  const inv = 1.0 / length;
  axisX *= inv;
  axisY *= inv;
}

/**
 * `b2SeparationFunction::FindMinSeparation` (find = true: picks the deepest support points into
 * minIndexA/B) or `Evaluate` (find = false: uses minIndexA/B) at time t.
 */
function separation(
  pA: Proxy,
  sweepA: Sweep,
  pB: Proxy,
  sweepB: Sweep,
  t: number,
  find: boolean,
): number {
  sweepA.transform(xfA, t);
  sweepB.transform(xfB, t);
  if (sepType === POINTS) {
    if (find) {
      // axisA = mulT(qA, axis), axisB = mulT(qB, -axis).
      minIndexA = support(pA, xfA[3] * axisX + xfA[2] * axisY, -xfA[2] * axisX + xfA[3] * axisY);
      minIndexB = support(
        pB,
        xfB[3] * -axisX + xfB[2] * -axisY,
        -xfB[2] * -axisX + xfB[3] * -axisY,
      );
    }
    const ia = minIndexA;
    const ib = minIndexB;
    const pax = xfA[3] * pA.vx[ia] - xfA[2] * pA.vy[ia] + xfA[0];
    const pay = xfA[2] * pA.vx[ia] + xfA[3] * pA.vy[ia] + xfA[1];
    const pbx = xfB[3] * pB.vx[ib] - xfB[2] * pB.vy[ib] + xfB[0];
    const pby = xfB[2] * pB.vx[ib] + xfB[3] * pB.vy[ib] + xfB[1];
    return (pbx - pax) * axisX + (pby - pay) * axisY;
  }
  if (sepType === FACE_A) {
    const nx = xfA[3] * axisX - xfA[2] * axisY;
    const ny = xfA[2] * axisX + xfA[3] * axisY;
    const pax = xfA[3] * localX - xfA[2] * localY + xfA[0];
    const pay = xfA[2] * localX + xfA[3] * localY + xfA[1];
    if (find) {
      minIndexA = -1;
      minIndexB = support(pB, xfB[3] * -nx + xfB[2] * -ny, -xfB[2] * -nx + xfB[3] * -ny);
    }
    const ib = minIndexB;
    const pbx = xfB[3] * pB.vx[ib] - xfB[2] * pB.vy[ib] + xfB[0];
    const pby = xfB[2] * pB.vx[ib] + xfB[3] * pB.vy[ib] + xfB[1];
    return (pbx - pax) * nx + (pby - pay) * ny;
  }
  const nx = xfB[3] * axisX - xfB[2] * axisY;
  const ny = xfB[2] * axisX + xfB[3] * axisY;
  const pbx = xfB[3] * localX - xfB[2] * localY + xfB[0];
  const pby = xfB[2] * localX + xfB[3] * localY + xfB[1];
  if (find) {
    minIndexB = -1;
    minIndexA = support(pA, xfA[3] * -nx + xfA[2] * -ny, -xfA[2] * -nx + xfA[3] * -ny);
  }
  const ia = minIndexA;
  const pax = xfA[3] * pA.vx[ia] - xfA[2] * pA.vy[ia] + xfA[0];
  const pay = xfA[2] * pA.vx[ia] + xfA[3] * pA.vy[ia] + xfA[1];
  return (pax - pbx) * nx + (pay - pby) * ny;
}

/** The outcome of {@linkcode timeOfImpact} (`b2TOIOutput::State`). */
export const TOI_STATE = {
  unknown: 0,
  failed: 1,
  overlapped: 2,
  touching: 3,
  separated: 4,
} as const;

const toiOut = { state: 0, t: 0 };

/**
 * `b2TimeOfImpact`: the first fraction t ∈ [0, tMax] of the sweeps at which the two proxies come
 * within the target separation max(linearSlop, r_A + r_B − 3·linearSlop), found by conservative
 * advancement. Returns a shared `{ state, t }` (see {@linkcode TOI_STATE}).
 */
function timeOfImpact(
  pA: Proxy,
  sweepA: Sweep,
  pB: Proxy,
  sweepB: Sweep,
  tMax: number,
): { state: number; t: number } {
  toiOut.state = TOI_STATE.unknown;
  toiOut.t = tMax;
  sweepA.normalize();
  sweepB.normalize();
  const totalRadius = pA.radius + pB.radius;
  const target = Math.max(LINEAR_SLOP, totalRadius - 3.0 * LINEAR_SLOP);
  const tolerance = 0.25 * LINEAR_SLOP;
  let t1 = 0.0;
  let iter = 0;
  cache.count = 0;
  for (;;) {
    sweepA.transform(xfA, t1);
    sweepB.transform(xfB, t1);
    const d = distance(pA, xfA, pB, xfB);
    if (d <= 0.0) {
      toiOut.state = TOI_STATE.overlapped;
      toiOut.t = 0.0;
      break;
    }
    if (d < target + tolerance) {
      toiOut.state = TOI_STATE.touching;
      toiOut.t = t1;
      break;
    }
    initSeparation(pA, sweepA, pB, sweepB, t1);
    let done = false;
    let t2 = tMax;
    let pushBackIter = 0;
    for (;;) {
      let s2 = separation(pA, sweepA, pB, sweepB, t2, true);
      if (s2 > target + tolerance) {
        toiOut.state = TOI_STATE.separated;
        toiOut.t = tMax;
        done = true;
        break;
      }
      if (s2 > target - tolerance) {
        t1 = t2;
        break;
      }
      let s1 = separation(pA, sweepA, pB, sweepB, t1, false);
      if (s1 < target - tolerance) {
        toiOut.state = TOI_STATE.failed;
        toiOut.t = t1;
        done = true;
        break;
      }
      if (s1 <= target + tolerance) {
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
          ? a1 + ((target - s1) * (a2 - a1)) / (s2 - s1)
          : 0.5 * (a1 + a2);
        ++rootIterCount;
        const s = separation(pA, sweepA, pB, sweepB, t, false);
        if (Math.abs(s - target) < tolerance) {
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
  return toiOut;
}

/** The contact fields `SolveTOI` reads and writes. */
interface ToiContact {
  m_toiFlag: boolean;
  m_toiCount: number;
  m_toi: number;
  m_islandFlag: boolean;
  m_enabledFlag: boolean;
  m_fixtureA: Fixture;
  m_fixtureB: Fixture;
  m_next: Contact | null;
  update(listener: World): void;
  isTouching(): boolean;
  setEnabled(flag: boolean): void;
}

interface ToiWorld {
  m_contactList: Contact | null;
  m_bodyList: Body | null;
  m_stepComplete: boolean;
  m_subStepping: boolean;
  findNewContacts(): void;
}

interface ToiBody {
  m_islandFlag: boolean;
  m_sweep: SweepInternals;
  m_contactList: { contact: Contact; other: Body; next: unknown } | null;
  m_next: Body | null;
}

const proxyA: Proxy = { vx: new Float64Array(8), vy: new Float64Array(8), count: 0, radius: 0 };
const proxyB: Proxy = { vx: new Float64Array(8), vy: new Float64Array(8), count: 0, radius: 0 };
const sweepA = new Sweep();
const sweepB = new Sweep();
const backupA = { c0x: 0, c0y: 0, cx: 0, cy: 0, a0: 0, a: 0, alpha0: 0 };
const backupB = { c0x: 0, c0y: 0, cx: 0, cy: 0, a0: 0, a: 0, alpha0: 0 };
const backupOther = { c0x: 0, c0y: 0, cx: 0, cy: 0, a0: 0, a: 0, alpha0: 0 };

function saveSweep(to: typeof backupA, s: SweepInternals): void {
  to.c0x = s.c0.x;
  to.c0y = s.c0.y;
  to.cx = s.c.x;
  to.cy = s.c.y;
  to.a0 = s.a0;
  to.a = s.a;
  to.alpha0 = s.alpha0;
}

function loadSweep(s: SweepInternals, from: typeof backupA): void {
  s.c0.x = from.c0x;
  s.c0.y = from.c0y;
  s.c.x = from.cx;
  s.c.y = from.cy;
  s.a0 = from.a0;
  s.a = from.a;
  s.alpha0 = from.alpha0;
}

/**
 * planck's solver with Box2D 2.3's `b2World::SolveTOI` (see the module doc); the sub-step island
 * is solved by planck's `solveIslandTOI`, which matches Box2D's `b2Island::SolveTOI`.
 *
 * @example
 * ```ts
 * import { Box2DWorld } from "./box2d23.ts";
 * const world = new Box2DWorld(-10); // uses a Box2DSolver
 * world.step(Math.fround(1 / 50), 180, 60);
 * ```
 */
export class Box2DSolver extends Solver {
  #subStep = new TimeStep();
  #state: IslandState = islandState(8);
  #contactSolver = new ContactSolver();

  /** `b2Island::Solve` on typed arrays (see `island.ts`). */
  override solveIsland(step: TimeStep): void {
    const world = this.m_world as unknown as { m_gravity: XY; m_allowSleep: boolean };
    for (const joint of this.m_joints) {
      if (!(joint instanceof Box2DRevoluteJoint)) {
        throw new TypeError(
          "Box2DSolver: only revolute joints made with revoluteJoint() are supported",
        );
      }
    }
    this.#state = islandState(this.m_bodies.length, this.#state);
    solveIsland(
      this.m_bodies,
      this.m_contacts,
      this.m_joints as unknown as IslandJoint[],
      step,
      world.m_gravity,
      world.m_allowSleep,
      sleepThreshold(step.dt),
      this.#state,
      this.#contactSolver,
    );
  }

  /** `b2World::SolveTOI`. */
  override solveWorldTOI(step: TimeStep): void {
    const world = this.m_world as unknown as ToiWorld;
    if (world.m_stepComplete) {
      for (let b = world.m_bodyList; b; b = (b as unknown as ToiBody).m_next) {
        const bi = b as unknown as ToiBody;
        bi.m_islandFlag = false;
        bi.m_sweep.alpha0 = 0.0;
      }
      for (let c = world.m_contactList; c; c = (c as unknown as ToiContact).m_next) {
        const ci = c as unknown as ToiContact;
        ci.m_toiFlag = false;
        ci.m_islandFlag = false;
        ci.m_toiCount = 0;
        ci.m_toi = 1.0;
      }
    }
    for (;;) {
      // Find the first time of impact.
      let minContact: ToiContact | null = null;
      let minAlpha = 1.0;
      for (let c = world.m_contactList; c; c = (c as unknown as ToiContact).m_next) {
        const ci = c as unknown as ToiContact;
        if (!ci.m_enabledFlag) continue;
        if (ci.m_toiCount > MAX_SUB_STEPS) continue;
        let alpha = 1.0;
        if (ci.m_toiFlag) {
          alpha = ci.m_toi;
        } else {
          const fA = ci.m_fixtureA;
          const fB = ci.m_fixtureB;
          if (fA.isSensor() || fB.isSensor()) continue;
          const bA = fA.getBody();
          const bB = fB.getBody();
          const activeA = bA.isAwake() && !bA.isStatic();
          const activeB = bB.isAwake() && !bB.isStatic();
          if (!activeA && !activeB) continue;
          const collideA = bA.isBullet() || !bA.isDynamic();
          const collideB = bB.isBullet() || !bB.isDynamic();
          if (!collideA && !collideB) continue;
          const sA = bodyInternals(bA).m_sweep;
          const sB = bodyInternals(bB).m_sweep;
          let alpha0 = sA.alpha0;
          if (sA.alpha0 < sB.alpha0) {
            alpha0 = sB.alpha0;
            advanceSweep(sA, alpha0);
          } else if (sB.alpha0 < sA.alpha0) {
            alpha0 = sA.alpha0;
            advanceSweep(sB, alpha0);
          }
          setProxy(proxyA, fA);
          setProxy(proxyB, fB);
          sweepA.set(sA);
          sweepB.set(sB);
          const out = timeOfImpact(proxyA, sweepA, proxyB, sweepB, 1.0);
          const beta = out.t;
          alpha = out.state === TOI_STATE.touching
            ? Math.min(alpha0 + (1.0 - alpha0) * beta, 1.0)
            : 1.0;
          ci.m_toi = alpha;
          ci.m_toiFlag = true;
        }
        if (alpha < minAlpha) {
          minContact = ci;
          minAlpha = alpha;
        }
      }
      if (minContact === null || 1.0 - 10.0 * EPSILON < minAlpha) {
        world.m_stepComplete = true;
        break;
      }

      // Advance the bodies to the time of impact and check the contact there.
      const bA = minContact.m_fixtureA.getBody();
      const bB = minContact.m_fixtureB.getBody();
      const iA = bodyInternals(bA);
      const iB = bodyInternals(bB);
      saveSweep(backupA, iA.m_sweep);
      saveSweep(backupB, iB.m_sweep);
      bA.advance(minAlpha);
      bB.advance(minAlpha);
      minContact.update(this.m_world);
      minContact.m_toiFlag = false;
      ++minContact.m_toiCount;
      if (!minContact.m_enabledFlag || !minContact.isTouching()) {
        minContact.setEnabled(false);
        loadSweep(iA.m_sweep, backupA);
        loadSweep(iB.m_sweep, backupB);
        bA.synchronizeTransform();
        bB.synchronizeTransform();
        continue;
      }
      bA.setAwake(true);
      bB.setAwake(true);

      // The island of the two bodies and their contacts with static (or bullet) bodies.
      this.clear();
      this.addBody(bA);
      this.addBody(bB);
      this.addContact(minContact as unknown as Contact);
      iA.m_islandFlag = true;
      iB.m_islandFlag = true;
      minContact.m_islandFlag = true;
      for (const body of [bA, bB]) {
        if (!body.isDynamic()) continue;
        for (let ce = (body as unknown as ToiBody).m_contactList; ce; ce = ce.next as typeof ce) {
          const contact = ce.contact as unknown as ToiContact;
          if (contact.m_islandFlag) continue;
          const other = ce.other;
          if (other.isDynamic() && !body.isBullet() && !other.isBullet()) continue;
          if (contact.m_fixtureA.isSensor() || contact.m_fixtureB.isSensor()) continue;
          const io = bodyInternals(other);
          saveSweep(backupOther, io.m_sweep);
          if (!io.m_islandFlag) other.advance(minAlpha);
          contact.update(this.m_world);
          if (!contact.m_enabledFlag || !contact.isTouching()) {
            loadSweep(io.m_sweep, backupOther);
            other.synchronizeTransform();
            continue;
          }
          contact.m_islandFlag = true;
          this.addContact(contact as unknown as Contact);
          if (io.m_islandFlag) continue;
          io.m_islandFlag = true;
          if (!other.isStatic()) other.setAwake(true);
          this.addBody(other);
        }
      }

      const subStep = this.#subStep;
      subStep.dt = (1.0 - minAlpha) * step.dt;
      subStep.inv_dt = 1.0 / subStep.dt;
      subStep.dtRatio = 1.0;
      subStep.positionIterations = 20;
      subStep.velocityIterations = step.velocityIterations;
      subStep.warmStarting = false;
      subStep.blockSolve = step.blockSolve;
      this.solveIslandTOI(subStep, bA, bB);

      // Reset island flags and synchronize broad-phase proxies.
      for (const body of this.m_bodies) {
        (body as unknown as ToiBody).m_islandFlag = false;
        if (!body.isDynamic()) continue;
        body.synchronizeFixtures();
        for (let ce = (body as unknown as ToiBody).m_contactList; ce; ce = ce.next as typeof ce) {
          const contact = ce.contact as unknown as ToiContact;
          contact.m_toiFlag = false;
          contact.m_islandFlag = false;
        }
      }
      world.findNewContacts();
      if (world.m_subStepping) {
        world.m_stepComplete = false;
        break;
      }
    }
  }
}

/** `b2Sweep::Advance` on a body's sweep (c0 and a0 moved to fraction alpha). */
function advanceSweep(s: SweepInternals, alpha: number): void {
  const beta = (alpha - s.alpha0) / (1.0 - s.alpha0);
  s.c0.x += beta * (s.c.x - s.c0.x);
  s.c0.y += beta * (s.c.y - s.c0.y);
  s.a0 += beta * (s.a - s.a0);
  s.alpha0 = alpha;
}
