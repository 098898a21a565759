/**
 * Box2D 2.3.10's broadphase in float32 on typed arrays: {@linkcode DynamicTree}
 * (`b2DynamicTree`: fat AABBs, surface-area insertion heuristic, AVL rotations, node ids from a
 * LIFO free list) and {@linkcode BroadPhase} (`b2BroadPhase`: the move buffer and `UpdatePairs`,
 * which sorts the new pairs by proxy ids before handing them out).
 *
 * The proxy ids decide the order in which Box2D creates contacts, and with it the order in which
 * the solver visits them, so ids are allocated exactly as Box2D does (internal nodes take ids from
 * the same pool as leaves). Fat AABBs are float32 like Box2D's, so the broadphase moves proxies
 * on the same steps.
 *
 * @module
 */
import { AABB_EXTENSION, AABB_MULTIPLIER, f32, normalize } from "./settings.ts";

const NULL = -1;

/**
 * `b2DynamicTree`: a bounding-volume tree of fat AABBs whose leaves are proxies carrying user
 * data.
 *
 * @example
 * ```ts
 * import { DynamicTree } from "./broad_phase.ts";
 * const tree = new DynamicTree<string>();
 * const id = tree.createProxy(Float64Array.of(0, 0, 1, 1), 0, "a"); // 0
 * tree.query(Float64Array.of(0.5, 0.5, 2, 2), 0, (proxy) => (console.log(proxy), true));
 * ```
 */
export class DynamicTree<T> {
  /** Node AABBs: lower x, lower y, upper x, upper y (float32 values). */
  aabb = new Float64Array(4 * 16);
  parent = new Int32Array(16);
  child1 = new Int32Array(16);
  child2 = new Int32Array(16);
  /** Height in the tree; −1 for a free node. */
  height = new Int32Array(16);
  /** Free-list link (Box2D keeps it in the parent slot's union). */
  next = new Int32Array(16);
  userData: (T | null)[] = [];
  root = NULL;
  nodeCount = 0;
  capacity = 16;
  freeList = 0;
  #stack: number[] = [];

  /** An empty tree with Box2D's initial 16-node pool. */
  constructor() {
    for (let i = 0; i < this.capacity; i++) {
      this.next[i] = i + 1 < this.capacity ? i + 1 : NULL;
      this.height[i] = -1;
    }
  }

  #grow(): void {
    const old = this.capacity;
    const cap = 2 * old;
    const grow = <A extends Int32Array | Float64Array>(a: A, size: number): A => {
      const b = new (a.constructor as new (n: number) => A)(size);
      b.set(a);
      return b;
    };
    this.aabb = grow(this.aabb, 4 * cap);
    this.parent = grow(this.parent, cap);
    this.child1 = grow(this.child1, cap);
    this.child2 = grow(this.child2, cap);
    this.height = grow(this.height, cap);
    this.next = grow(this.next, cap);
    for (let i = this.nodeCount; i < cap; i++) {
      this.next[i] = i + 1 < cap ? i + 1 : NULL;
      this.height[i] = -1;
    }
    this.capacity = cap;
    this.freeList = this.nodeCount;
  }

  /** `AllocateNode`: the head of the free list (the pool doubles when it is empty). */
  allocateNode(): number {
    if (this.freeList === NULL) this.#grow();
    const id = this.freeList;
    this.freeList = this.next[id];
    this.parent[id] = NULL;
    this.child1[id] = NULL;
    this.child2[id] = NULL;
    this.height[id] = 0;
    this.userData[id] = null;
    this.nodeCount++;
    return id;
  }

  /** `FreeNode`: the id goes on top of the free list. */
  freeNode(id: number): void {
    this.next[id] = this.freeList;
    this.height[id] = -1;
    this.userData[id] = null;
    this.freeList = id;
    this.nodeCount--;
  }

  /** `CreateProxy`: a leaf with the AABB at `aabb[o..o+3]` fattened by `b2_aabbExtension`. */
  createProxy(aabb: Float64Array, o: number, data: T): number {
    const id = this.allocateNode();
    const a = this.aabb;
    a[4 * id] = f32(aabb[o] - AABB_EXTENSION);
    a[4 * id + 1] = f32(aabb[o + 1] - AABB_EXTENSION);
    a[4 * id + 2] = f32(aabb[o + 2] + AABB_EXTENSION);
    a[4 * id + 3] = f32(aabb[o + 3] + AABB_EXTENSION);
    this.userData[id] = data;
    this.height[id] = 0;
    this.insertLeaf(id);
    return id;
  }

  /** `DestroyProxy`. */
  destroyProxy(id: number): void {
    this.removeLeaf(id);
    this.freeNode(id);
  }

  /**
   * `MoveProxy`: when the fat AABB no longer contains the new AABB, re-inserts the leaf with a
   * new fat AABB stretched by twice the displacement; returns whether it moved.
   */
  moveProxy(id: number, aabb: Float64Array, o: number, dx: number, dy: number): boolean {
    const a = this.aabb;
    const k = 4 * id;
    if (
      a[k] <= aabb[o] && a[k + 1] <= aabb[o + 1] && aabb[o + 2] <= a[k + 2] &&
      aabb[o + 3] <= a[k + 3]
    ) {
      return false;
    }
    this.removeLeaf(id);
    let lx = f32(aabb[o] - AABB_EXTENSION);
    let ly = f32(aabb[o + 1] - AABB_EXTENSION);
    let ux = f32(aabb[o + 2] + AABB_EXTENSION);
    let uy = f32(aabb[o + 3] + AABB_EXTENSION);
    const ddx = f32(AABB_MULTIPLIER * dx);
    const ddy = f32(AABB_MULTIPLIER * dy);
    if (ddx < 0) lx = f32(lx + ddx);
    else ux = f32(ux + ddx);
    if (ddy < 0) ly = f32(ly + ddy);
    else uy = f32(uy + ddy);
    a[k] = lx;
    a[k + 1] = ly;
    a[k + 2] = ux;
    a[k + 3] = uy;
    this.insertLeaf(id);
    return true;
  }

  /** The perimeter of the union of nodes i and j's AABBs (`b2AABB::Combine` + `GetPerimeter`). */
  #combinedPerimeter(a: Float64Array, i: number, j: number): number {
    const lx = a[4 * i] < a[4 * j] ? a[4 * i] : a[4 * j];
    const ly = a[4 * i + 1] < a[4 * j + 1] ? a[4 * i + 1] : a[4 * j + 1];
    const ux = a[4 * i + 2] > a[4 * j + 2] ? a[4 * i + 2] : a[4 * j + 2];
    const uy = a[4 * i + 3] > a[4 * j + 3] ? a[4 * i + 3] : a[4 * j + 3];
    return f32(2 * f32(f32(ux - lx) + f32(uy - ly)));
  }

  #perimeter(a: Float64Array, i: number): number {
    return f32(2 * f32(f32(a[4 * i + 2] - a[4 * i]) + f32(a[4 * i + 3] - a[4 * i + 1])));
  }

  /**
   * The cost of descending into `child` to insert `leaf`: the perimeter of the child's box
   * grown to hold the leaf (for an inner child, its growth) plus the inherited cost.
   */
  #descendCost(a: Float64Array, leaf: number, child: number, inheritanceCost: number): number {
    const newArea = this.#combinedPerimeter(a, leaf, child);
    if (this.child1[child] === NULL) return f32(newArea + inheritanceCost);
    return f32(f32(newArea - this.#perimeter(a, child)) + inheritanceCost);
  }

  /** Node i's AABB := union of nodes j and k's. */
  #combine(i: number, j: number, k: number): void {
    const a = this.aabb;
    a[4 * i] = a[4 * j] < a[4 * k] ? a[4 * j] : a[4 * k];
    a[4 * i + 1] = a[4 * j + 1] < a[4 * k + 1] ? a[4 * j + 1] : a[4 * k + 1];
    a[4 * i + 2] = a[4 * j + 2] > a[4 * k + 2] ? a[4 * j + 2] : a[4 * k + 2];
    a[4 * i + 3] = a[4 * j + 3] > a[4 * k + 3] ? a[4 * j + 3] : a[4 * k + 3];
  }

  /** `InsertLeaf`: descends by the surface-area heuristic, adds a parent, rebalances upwards. */
  insertLeaf(leaf: number): void {
    if (this.root === NULL) {
      this.root = leaf;
      this.parent[leaf] = NULL;
      return;
    }
    const a = this.aabb;
    let index = this.root;
    while (this.child1[index] !== NULL) {
      const c1 = this.child1[index];
      const c2 = this.child2[index];
      const area = this.#perimeter(a, index);
      const combinedArea = this.#combinedPerimeter(a, index, leaf);
      const cost = f32(2 * combinedArea);
      const inheritanceCost = f32(2 * f32(combinedArea - area));
      const cost1 = this.#descendCost(a, leaf, c1, inheritanceCost);
      const cost2 = this.#descendCost(a, leaf, c2, inheritanceCost);
      if (cost < cost1 && cost < cost2) break;
      index = cost1 < cost2 ? c1 : c2;
    }
    const sibling = index;
    const oldParent = this.parent[sibling];
    const newParent = this.allocateNode();
    this.parent[newParent] = oldParent;
    this.#combine(newParent, leaf, sibling);
    this.height[newParent] = this.height[sibling] + 1;
    if (oldParent !== NULL) {
      if (this.child1[oldParent] === sibling) this.child1[oldParent] = newParent;
      else this.child2[oldParent] = newParent;
    } else {
      this.root = newParent;
    }
    this.child1[newParent] = sibling;
    this.child2[newParent] = leaf;
    this.parent[sibling] = newParent;
    this.parent[leaf] = newParent;
    this.#refit(this.parent[leaf]);
  }

  /** Walks up from `index`, rebalancing and refitting heights and AABBs. */
  #refit(index: number): void {
    while (index !== NULL) {
      index = this.#balance(index);
      const c1 = this.child1[index];
      const c2 = this.child2[index];
      this.height[index] = 1 + Math.max(this.height[c1], this.height[c2]);
      this.#combine(index, c1, c2);
      index = this.parent[index];
    }
  }

  /** `RemoveLeaf`: the leaf's parent is freed and its sibling takes its place. */
  removeLeaf(leaf: number): void {
    if (leaf === this.root) {
      this.root = NULL;
      return;
    }
    const parent = this.parent[leaf];
    const grandParent = this.parent[parent];
    const sibling = this.child1[parent] === leaf ? this.child2[parent] : this.child1[parent];
    if (grandParent !== NULL) {
      if (this.child1[grandParent] === parent) this.child1[grandParent] = sibling;
      else this.child2[grandParent] = sibling;
      this.parent[sibling] = grandParent;
      this.freeNode(parent);
      this.#refit(grandParent);
    } else {
      this.root = sibling;
      this.parent[sibling] = NULL;
      this.freeNode(parent);
    }
  }

  /** `Balance`: a left or right rotation at node iA when its children's heights differ by > 1. */
  #balance(iA: number): number {
    if (this.child1[iA] === NULL || this.height[iA] < 2) return iA;
    const iB = this.child1[iA];
    const iC = this.child2[iA];
    const balance = this.height[iC] - this.height[iB];
    if (balance > 1) return this.#rotate(iA, iC, iB, true);
    if (balance < -1) return this.#rotate(iA, iB, iC, false);
    return iA;
  }

  /**
   * Rotates the taller child `up` (C when `right`, else B) above iA; `other` is iA's other child.
   * Box2D writes the two cases out; they are mirror images.
   */
  #rotate(iA: number, up: number, other: number, right: boolean): number {
    const iF = this.child1[up];
    const iG = this.child2[up];
    this.child1[up] = iA;
    this.parent[up] = this.parent[iA];
    this.parent[iA] = up;
    const p = this.parent[up];
    if (p !== NULL) {
      if (this.child1[p] === iA) this.child1[p] = up;
      else this.child2[p] = up;
    } else {
      this.root = up;
    }
    const [keep, move] = this.height[iF] > this.height[iG] ? [iF, iG] : [iG, iF];
    this.child2[up] = keep;
    if (right) this.child2[iA] = move;
    else this.child1[iA] = move;
    this.parent[move] = iA;
    this.#combine(iA, other, move);
    this.#combine(up, iA, keep);
    this.height[iA] = 1 + Math.max(this.height[other], this.height[move]);
    this.height[up] = 1 + Math.max(this.height[iA], this.height[keep]);
    return up;
  }

  /** `Query`: calls `callback(proxyId)` for every leaf whose fat AABB overlaps `aabb[o..]`. */
  query(aabb: Float64Array, o: number, callback: (proxyId: number) => boolean): void {
    const stack = this.#stack;
    stack.length = 0;
    stack.push(this.root);
    const a = this.aabb;
    const lx = aabb[o];
    const ly = aabb[o + 1];
    const ux = aabb[o + 2];
    const uy = aabb[o + 3];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === NULL) continue;
      const k = 4 * id;
      // b2TestOverlap: no overlap when a gap is positive on either axis.
      if (lx > a[k + 2] || ly > a[k + 3] || a[k] > ux || a[k + 1] > uy) continue;
      if (this.child1[id] === NULL) {
        if (!callback(id)) return;
      } else {
        stack.push(this.child1[id], this.child2[id]);
      }
    }
  }

  /**
   * `RayCast`: visits the leaves the segment p1 → p2 may hit, nearest-first pruning with the
   * fraction the callback returns (0 stops, a positive value clips the ray, −1 ignores the leaf).
   */
  rayCast(
    p1x: number,
    p1y: number,
    p2x: number,
    p2y: number,
    maxFraction: number,
    callback: (proxyId: number, maxFraction: number) => number,
  ): void {
    const r = { x: 0, y: 0 };
    normalize(f32(p2x - p1x), f32(p2y - p1y), r);
    // v = b2Cross(1, r) = (−r.y, r.x), and its absolute value.
    const vx = -r.y;
    const vy = r.x;
    const avx = vx > 0 ? vx : -vx;
    const avy = vy > 0 ? vy : -vy;
    const dx = f32(p2x - p1x);
    const dy = f32(p2y - p1y);
    let tx = f32(p1x + f32(maxFraction * dx));
    let ty = f32(p1y + f32(maxFraction * dy));
    let slx = p1x < tx ? p1x : tx;
    let sly = p1y < ty ? p1y : ty;
    let sux = p1x > tx ? p1x : tx;
    let suy = p1y > ty ? p1y : ty;
    const stack = this.#stack;
    stack.length = 0;
    stack.push(this.root);
    const a = this.aabb;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === NULL) continue;
      const k = 4 * id;
      if (slx > a[k + 2] || sly > a[k + 3] || a[k] > sux || a[k + 1] > suy) continue;
      // Separating axis of the segment: |dot(v, p1 − c)| − dot(|v|, h) > 0.
      const cx = f32(0.5 * f32(a[k] + a[k + 2]));
      const cy = f32(0.5 * f32(a[k + 1] + a[k + 3]));
      const hx = f32(0.5 * f32(a[k + 2] - a[k]));
      const hy = f32(0.5 * f32(a[k + 3] - a[k + 1]));
      const dot = f32(f32(vx * f32(p1x - cx)) + f32(vy * f32(p1y - cy)));
      const separation = f32((dot > 0 ? dot : -dot) - f32(f32(avx * hx) + f32(avy * hy)));
      if (separation > 0) continue;
      if (this.child1[id] === NULL) {
        const value = callback(id, maxFraction);
        if (value === 0) return;
        if (value > 0) {
          maxFraction = value;
          tx = f32(p1x + f32(maxFraction * dx));
          ty = f32(p1y + f32(maxFraction * dy));
          slx = p1x < tx ? p1x : tx;
          sly = p1y < ty ? p1y : ty;
          sux = p1x > tx ? p1x : tx;
          suy = p1y > ty ? p1y : ty;
        }
      } else {
        stack.push(this.child1[id], this.child2[id]);
      }
    }
  }
}

/**
 * `b2BroadPhase`: a dynamic tree, the buffer of proxies that moved since the last pair update,
 * and the pair update that reports new overlapping pairs in (proxy id A, proxy id B) order.
 *
 * @example
 * ```ts
 * import { BroadPhase } from "./broad_phase.ts";
 * const bp = new BroadPhase<string>();
 * bp.createProxy(Float64Array.of(0, 0, 1, 1), 0, "a");
 * bp.createProxy(Float64Array.of(0.5, 0, 2, 1), 0, "b");
 * bp.updatePairs((a, b) => console.log(a, b), () => true); // "a" "b"
 * ```
 */
export class BroadPhase<T> {
  /** The tree of fat AABBs. */
  readonly tree = new DynamicTree<T>();
  /** Proxies to query at the next pair update (−1: removed). */
  moveBuffer: number[] = [];
  #pairs: number[] = [];
  #queryId = 0;
  #queryMovable = false;
  #movable: (data: T) => boolean = () => true;
  #collect = (proxyId: number): boolean => {
    const q = this.#queryId;
    if (proxyId === q) return true;
    // A pair of two proxies that cannot move never makes a contact (b2Body::ShouldCollide);
    // skipping it changes nothing but the work.
    if (!this.#queryMovable && !this.#movable(this.tree.userData[proxyId]!)) return true;
    // Pair key (smaller id, larger id), exact in a double.
    this.#pairs.push(proxyId < q ? proxyId * 0x100000000 + q : q * 0x100000000 + proxyId);
    return true;
  };

  /** `CreateProxy`: a tree leaf, buffered as moved. */
  createProxy(aabb: Float64Array, o: number, data: T): number {
    const id = this.tree.createProxy(aabb, o, data);
    this.moveBuffer.push(id);
    return id;
  }

  /** `DestroyProxy`: unbuffers and removes the leaf. */
  destroyProxy(id: number): void {
    const moves = this.moveBuffer;
    for (let i = 0; i < moves.length; i++) if (moves[i] === id) moves[i] = NULL;
    this.tree.destroyProxy(id);
  }

  /** `MoveProxy`: buffers the proxy when its fat AABB had to grow. */
  moveProxy(id: number, aabb: Float64Array, o: number, dx: number, dy: number): void {
    if (this.tree.moveProxy(id, aabb, o, dx, dy)) this.moveBuffer.push(id);
  }

  /** `TouchProxy`: buffers the proxy so that its pairs are looked up again. */
  touchProxy(id: number): void {
    this.moveBuffer.push(id);
  }

  /** `TestOverlap` of two proxies' fat AABBs. */
  testOverlap(idA: number, idB: number): boolean {
    const a = this.tree.aabb;
    const ka = 4 * idA;
    const kb = 4 * idB;
    return !(a[kb] > a[ka + 2] || a[kb + 1] > a[ka + 3] || a[ka] > a[kb + 2] ||
      a[ka + 1] > a[kb + 3]);
  }

  /**
   * `UpdatePairs`: every buffered proxy queries the tree; the pairs are sorted by (id A, id B),
   * duplicates dropped, and handed to `addPair` in that order. `movable(data)` tells whether a
   * proxy belongs to a body that can move (pairs of two immovable proxies are skipped).
   */
  updatePairs(addPair: (a: T, b: T) => void, movable: (data: T) => boolean): void {
    const pairs = this.#pairs;
    pairs.length = 0;
    this.#movable = movable;
    const tree = this.tree;
    for (const id of this.moveBuffer) {
      if (id === NULL) continue;
      this.#queryId = id;
      this.#queryMovable = movable(tree.userData[id]!);
      tree.query(tree.aabb, 4 * id, this.#collect);
    }
    this.moveBuffer.length = 0;
    if (pairs.length === 0) return;
    const sorted = Float64Array.from(pairs).sort();
    let last = -1;
    for (const key of sorted) {
      if (key === last) continue;
      last = key;
      const a = Math.floor(key / 0x100000000);
      addPair(tree.userData[a]!, tree.userData[key - a * 0x100000000]!);
    }
  }
}
