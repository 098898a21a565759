import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import { DynamicTree } from "../../../lib/envs/box2d/broad_phase.ts";
import { collidePolygons, FACE_A, Manifold } from "../../../lib/envs/box2d/collide.ts";
import { boxShape, edgeShape, polygonShape } from "../../../lib/envs/box2d/shapes.ts";
import { restoreWorld, snapshotWorld } from "../../../lib/envs/box2d/snapshot.ts";
import { type Body, World } from "../../../lib/envs/box2d/world.ts";
import { BipedalWalkerEnv } from "../../../lib/envs/box2d/mod.ts";

const f = Math.fround;
const S = 30;
const DT = f(1 / 50);
const LANDER = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map((
  [x, y],
) => [x / S, y / S] as [number, number]);
const HULL = [[-30, 9], [6, 9], [34, 1], [34, -8], [-30, -8]].map((
  [x, y],
) => [x / S, y / S] as [number, number]);
const identity = { px: 0, py: 0, s: 0, c: 1 };

/** pybox2d's `body.inertia` (`b2Body::GetInertia`: about the origin, in float32). */
function inertiaAboutOrigin(b: Body): number {
  return f(
    b.I + f(b.mass * f(f(b.localCenterX * b.localCenterX) + f(b.localCenterY * b.localCenterY))),
  );
}

Deno.test("shapes and mass data equal pybox2d 2.3.10's float32 values bit for bit", () => {
  // Reference values printed by pybox2d 2.3.10 (Box2D 2.3 in float32) for the same definitions.
  const world = new World(0, -10);
  const lander = world.createBody({ type: "dynamic", position: [10, 400 / 30] });
  const landerShape = polygonShape(LANDER);
  lander.createFixture(landerShape, { density: 5 });
  assertEquals(lander.mass, 4.816666603088379);
  assertEquals(inertiaAboutOrigin(lander), 0.8333148956298828);
  assertEquals([lander.localCenterX, lander.localCenterY], [0, 0.10130719095468521]);
  assertEquals([lander.cx, lander.cy], [10, 13.434639930725098]);
  assertEquals([landerShape.vx[0], landerShape.vy[0]], [0.5666666626930237, -0.3333333432674408]);
  assertEquals(
    [landerShape.centroidX, landerShape.centroidY],
    [3.867083098185731e-9, 0.10130717605352402],
  );

  const hull = world.createBody({ type: "dynamic", position: [14 / 3, 10 / 3 + 68 / 30] });
  hull.createFixture(polygonShape(HULL), { density: 5 });
  assertEquals(hull.mass, 5.42222261428833);
  assertEquals(inertiaAboutOrigin(hull), 2.0017447471618652);
  assertEquals([hull.localCenterX, hull.localCenterY], [
    -0.02003643661737442,
    -0.005646640434861183,
  ]);
  assertEquals([hull.cx, hull.cy], [4.64663028717041, 5.594353199005127]);

  const leg = world.createBody({
    type: "dynamic",
    position: [10 + 20 / 30, 400 / 30],
    angle: 0.05,
  });
  leg.createFixture(boxShape(2 / S, 8 / S), { density: 1 });
  assertEquals([leg.mass, inertiaAboutOrigin(leg)], [0.07111112028360367, 0.0017909470479935408]);
  assertEquals([leg.cx, leg.cy], [10.666666984558105, 13.333333015441895]);
  assertEquals(leg.a, f(0.05));
  // The rotation is glibc's sinf/cosf of the float32 angle.
  assertEquals([leg.xf.s, leg.xf.c], [0.04997916892170906, 0.9987502694129944]);
});

Deno.test("boxShape keeps SetAsBox's vertex order; polygonShape gift-wraps from the right", () => {
  const box = boxShape(2, 1);
  assertEquals([Array.from(box.vx), Array.from(box.vy)], [[-2, 2, 2, -2], [-1, -1, 1, 1]]);
  assertEquals([Array.from(box.nx), Array.from(box.ny)], [[0, 1, 0, -1], [-1, 0, 1, 0]]);
  // The same square given clockwise from the top left comes back counter-clockwise from the
  // right-most, lowest vertex.
  const square = polygonShape([[-2, 1], [2, 1], [2, -1], [-2, -1]]);
  assertEquals([Array.from(square.vx), Array.from(square.vy)], [[2, 2, -2, -2], [-1, 1, 1, -1]]);
  // No welding: vertices closer than linearSlop/2 stay (Box2D 2.3.10 has no weld step).
  assertEquals(polygonShape([[0, 0], [1, 0], [1.001, 0.0005], [0, 1]]).count, 4);
  const lander = polygonShape(LANDER);
  for (let i = 0; i < lander.count; i++) {
    assertAlmostEquals(Math.hypot(lander.nx[i], lander.ny[i]), 1, 1e-7);
    assertEquals(f(lander.nx[i]), lander.nx[i]);
  }
});

Deno.test("a resting body falls asleep after 25 steps of 1/50 s: the float32 timer reaches 0.5", () => {
  // Box2D adds dt to a float32 timer and compares with 0.5f; in float64 it would take 26 steps.
  const timer = new Float32Array(1);
  let expected = 0;
  while (timer[0] < 0.5) {
    timer[0] += DT;
    expected++;
  }
  let sum64 = 0;
  for (let k = 0; k < expected; k++) sum64 += DT;
  assert(expected === 25 && sum64 < 0.5);
  const world = new World(0, 0);
  const body = world.createBody({ type: "dynamic", position: [0, 0] });
  body.createFixture(boxShape(0.5, 0.5), { density: 1 });
  let steps = 0;
  while (body.awake && steps < 100) {
    world.step(DT, 8, 3);
    steps++;
  }
  assertEquals(steps, expected);
  assertEquals(body.sleepTime, 0);
});

Deno.test("setAwake(true) leaves an awake body's sleep timer alone (b2Body::SetAwake)", () => {
  const world = new World(0, -10);
  const body = world.createBody({ type: "dynamic", position: [0, 0] });
  body.createFixture(boxShape(0.5, 0.5), { density: 1 });
  body.sleepTime = 0.3;
  body.setAwake(true);
  assertEquals(body.sleepTime, 0.3);
  body.vx = 1;
  body.setAwake(false);
  assertEquals([body.awake, body.sleepTime, body.vx], [false, 0, 0]);
  body.sleepTime = 0.1;
  body.setAwake(true);
  assertEquals([body.awake, body.sleepTime], [true, 0]);
});

Deno.test("DynamicTree hands out freed node ids again, most recent first, as Box2D does", () => {
  const tree = new DynamicTree<string>();
  const aabb = (x: number) => Float64Array.of(x, 0, x + 1, 1);
  const a = tree.createProxy(aabb(0), 0, "a"); // node 0
  const b = tree.createProxy(aabb(5), 0, "b"); // node 1, its parent 2
  const c = tree.createProxy(aabb(9), 0, "c"); // node 3, its parent 4
  assertEquals([a, b, c], [0, 1, 3]);
  tree.destroyProxy(b); // frees b's parent, then b
  const d = tree.createProxy(aabb(2), 0, "d"); // b's id (freed last); its parent takes the other
  const e = tree.createProxy(aabb(7), 0, "e"); // free list empty: fresh ids 5 and 6
  assertEquals([d, e], [1, 5]);
  assertEquals(tree.nodeCount, 7);
  // The pool grows past Box2D's initial 16 nodes and keeps ids.
  const more = Array.from({ length: 10 }, (_, i) => tree.createProxy(aabb(20 + i), 0, `p${i}`));
  assertEquals(more, [7, 9, 11, 13, 15, 17, 19, 21, 23, 25]);
  // Fat AABBs are the float32 AABB grown by 0.1f.
  assertEquals(Array.from(tree.aabb.slice(0, 4)), [-f(0.1), -f(0.1), f(1 + f(0.1)), f(1 + f(0.1))]);
  const found: string[] = [];
  tree.query(
    Float64Array.of(4.5, 0.5, 5.5, 0.6),
    0,
    (id) => (found.push(tree.userData[id]!), true),
  );
  assertEquals(found, []);
  tree.query(
    Float64Array.of(2.5, 0.5, 9.5, 0.6),
    0,
    (id) => (found.push(tree.userData[id]!), true),
  );
  assertEquals(found.sort(), ["c", "d", "e"]);
});

Deno.test("new contacts are created in Box2D's order: sorted by (proxy id A, proxy id B)", () => {
  const world = new World(0, 0);
  const ground = world.createBody({ type: "static", position: [0, 0] });
  for (let i = 0; i < 6; i++) ground.createFixture(edgeShape([i, 0], [i + 1, 0]));
  const plank = world.createBody({ type: "dynamic", position: [3, 0.05] });
  plank.createFixture(boxShape(2.9, 0.05), { density: 1 });
  world.step(DT, 8, 3);
  // The world list is newest first: ascending edge proxy ids read backwards.
  const order = world.contacts().map((c) => c.fixtureA.proxyId);
  assertEquals(order.length, 6);
  assertEquals(order, [...order].sort((x, y) => x - y));
  // The edge is fixture A of an edge-polygon contact, whatever the pair order.
  for (const c of world.contacts()) assertEquals(c.fixtureA.shape.type, "edge");
});

Deno.test("collidePolygons: two overlapping boxes give A's top face and two clip points", () => {
  const m = new Manifold();
  const a = boxShape(1, 1);
  const b = boxShape(0.5, 0.5);
  // B rests on A's top face, 0.05 deep, shifted right by 0.25.
  collidePolygons(m, a, identity, b, { px: 0.25, py: 1.45, s: 0, c: 1 });
  assertEquals(m.pointCount, 2);
  assertEquals(m.type, FACE_A);
  assertEquals([m.localNormalX, m.localNormalY], [0, 1]);
  assertEquals([m.localPointX, m.localPointY], [0, 1]);
  // The incident face is B's bottom, clipped to A's top edge: B's two lower corners (B's frame).
  const pts = m.points.map((p) => [p.localPointX, p.localPointY]).sort((p, q) => p[0] - q[0]);
  assertEquals(pts, [[-0.5, -0.5], [0.5, -0.5]]);
  // Separated boxes: no points.
  collidePolygons(m, a, identity, b, { px: 0, py: 1.6, s: 0, c: 1 });
  assertEquals(m.pointCount, 0);
});

Deno.test("continuous collision stops a fast box at a thin ground edge", () => {
  // A box moving 2 units per step (Box2D's translation cap) from 0.6 above the edge: a discrete
  // step would put its bottom at −1.4.
  const world = new World(0, 0);
  world.createBody({ type: "static", position: [0, 0] }).createFixture(edgeShape([-5, 0], [5, 0]));
  const box = world.createBody({ type: "dynamic", position: [0, 1.1] });
  box.createFixture(boxShape(0.5, 0.5), { density: 1 });
  box.vy = -400;
  world.step(DT, 8, 3);
  const bottom = box.cy - 0.5;
  assert(bottom > -0.02 && bottom < 0.05, `box bottom at ${bottom}: tunnelled`);
  const contact = world.contactList!;
  assert(contact.touching);
  assertEquals(contact.toiCount, 1);
});

Deno.test("a revolute motor drives an arm into its upper limit, which holds within the slop", () => {
  const world = new World(0, -10);
  const base = world.createBody({ type: "static", position: [0, 2] });
  const arm = world.createBody({ type: "dynamic", position: [0.5, 2] });
  arm.createFixture(boxShape(0.5, 0.05), { density: 2 });
  const hinge = world.createRevoluteJoint(base, arm, {
    localAnchorA: [0, 0],
    localAnchorB: [-0.5, 0],
    enableMotor: true,
    maxMotorTorque: 30,
    motorSpeed: 2,
    enableLimit: true,
    lowerAngle: -0.5,
    upperAngle: 0.8,
    collideConnected: false,
  });
  for (let t = 0; t < 100; t++) world.step(DT, 30, 10);
  const angle = hinge.jointAngle();
  assert(Math.abs(angle - 0.8) < 2 * (2 / 180) * Math.PI, `joint angle ${angle}`);
  // The pin holds: the arm's anchor stays at the base.
  const ax = arm.xf.px + arm.xf.c * -0.5;
  const ay = arm.xf.py + arm.xf.s * -0.5;
  assert(Math.hypot(ax, ay - 2) < 0.01);
});

Deno.test("every number in a stepped walker world is float32, as Box2D stores it", () => {
  const env = new BipedalWalkerEnv({ hardcore: true });
  env.reset({ seed: 3 });
  for (let t = 0; t < 150; t++) env.step([Math.sin(0.1 * t), 1, Math.cos(0.1 * t), -1]);
  const snap = snapshotWorld(env.world!);
  const numbers: number[] = [];
  JSON.stringify(snap, (_k, v) => (typeof v === "number" && numbers.push(v), v));
  assert(numbers.length > 100);
  for (const v of numbers) assertEquals(f(v), v);
});

Deno.test("snapshotWorld/restoreWorld: JSON, a contact that never touched, exact continuation", () => {
  const build = () => {
    const world = new World(0, -10);
    const ground = world.createBody({ type: "static", position: [0, 0] });
    ground.createFixture(edgeShape([-5, 0], [5, 0]));
    const box = world.createBody({ type: "dynamic", position: [0, 0.7], angle: 0.3 });
    box.createFixture(boxShape(0.5, 0.5), { density: 1 });
    return world;
  };
  const a = build();
  a.step(DT, 8, 3);
  // The AABBs overlap but the box is not touching yet: a contact without a manifold type.
  assertEquals(a.contactCount, 1);
  assertEquals([a.contactList!.touching, a.contactList!.manifold.type], [false, -1]);
  for (let t = 0; t < 20; t++) a.step(DT, 8, 3);
  const snap = snapshotWorld(a);
  assertEquals(JSON.parse(JSON.stringify(snap)), snap);
  const b = build();
  restoreWorld(b, JSON.parse(JSON.stringify(snap)));
  for (let t = 0; t < 40; t++) {
    a.step(DT, 8, 3);
    b.step(DT, 8, 3);
    assertEquals(snapshotWorld(b), snapshotWorld(a));
  }
});

Deno.test("rayCast reports the nearest hit fraction in float32 and honours the callback", () => {
  const world = new World(0, -10);
  const ground = world.createBody({ type: "static", position: [0, 0] });
  ground.createFixture(edgeShape([-5, 0], [5, 0]));
  const box = world.createBody({ type: "static", position: [0, 2] });
  box.createFixture(boxShape(0.5, 0.5), { categoryBits: 0x2 });
  const hits: number[] = [];
  world.rayCast((_fixture, fraction) => (hits.push(fraction), fraction), 0, 4, 0, -4);
  // The box's top (y = 2.5) at 1.5/8 and the ground (y = 0) at 4/8, in either visiting order;
  // clipping to the first hit can hide the other.
  assert(hits.includes(f(1.5 / 8)));
  let nearestGround = 1;
  world.rayCast(
    (fixture, fraction) => {
      if ((fixture.categoryBits & 1) === 0) return -1; // ignore the box
      nearestGround = fraction;
      return fraction;
    },
    0,
    4,
    0,
    -4,
  );
  assertEquals(nearestGround, 0.5);
});
