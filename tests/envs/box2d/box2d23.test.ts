import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  Box,
  Edge,
  Manifold,
  RevoluteJoint,
  type RevoluteJointDef,
  Transform,
  Vec2,
  World,
} from "planck";
import {
  addFixture,
  bodyInternals,
  Box2DTree,
  Box2DWorld,
  boxShape,
  collidePolygons230,
  contactInternals,
  createBody,
  edgeShape,
  polygonShape,
  sleepThreshold,
  snapshotWorld,
} from "../../../lib/envs/box2d/box2d23.ts";
import { Box2DRevoluteJoint } from "../../../lib/envs/box2d/revolute_joint.ts";

const S = 30;
const LANDER = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map((
  [x, y],
) => [x / S, y / S] as [number, number]);
const HULL = [[-30, 9], [6, 9], [34, 1], [34, -8], [-30, -8]].map((
  [x, y],
) => [x / S, y / S] as [number, number]);

/** pybox2d's `body.inertia` (`b2Body::GetInertia`: about the origin, in float32). */
function inertiaAboutOrigin(b: ReturnType<typeof bodyInternals>): number {
  const f = Math.fround;
  const lc = b.m_sweep.localCenter;
  return f(b.m_I + f(b.m_mass * f(f(lc.x * lc.x) + f(lc.y * lc.y))));
}

Deno.test("shapes and mass data equal pybox2d 2.3.10's float32 values bit for bit", () => {
  // Reference values printed by pybox2d 2.3.10 (Box2D 2.3 in float32) for the same definitions.
  const world = new Box2DWorld(-10);
  const lander = createBody(world, { type: "dynamic", position: [10, 400 / 30] });
  const landerShape = polygonShape(LANDER);
  addFixture(lander, landerShape, { density: 5 });
  const l = bodyInternals(lander);
  assertEquals(l.m_mass, 4.816666603088379);
  assertEquals(inertiaAboutOrigin(l), 0.8333148956298828);
  assertEquals([l.m_sweep.localCenter.x, l.m_sweep.localCenter.y], [0, 0.10130719095468521]);
  assertEquals([l.m_sweep.c.x, l.m_sweep.c.y], [10, 13.434639930725098]);
  assertEquals([landerShape.m_vertices[0].x, landerShape.m_vertices[0].y], [
    0.5666666626930237,
    -0.3333333432674408,
  ]);
  assertEquals(
    [landerShape.m_centroid.x, landerShape.m_centroid.y],
    [3.867083098185731e-9, 0.10130717605352402],
  );

  const hull = createBody(world, { type: "dynamic", position: [14 / 3, 10 / 3 + 68 / 30] });
  addFixture(hull, polygonShape(HULL), { density: 5 });
  const h = bodyInternals(hull);
  assertEquals(h.m_mass, 5.42222261428833);
  assertEquals(inertiaAboutOrigin(h), 2.0017447471618652);
  assertEquals(
    [h.m_sweep.localCenter.x, h.m_sweep.localCenter.y],
    [-0.02003643661737442, -0.005646640434861183],
  );
  assertEquals([h.m_sweep.c.x, h.m_sweep.c.y], [4.64663028717041, 5.594353199005127]);

  const leg = createBody(world, {
    type: "dynamic",
    position: [10 + 20 / 30, 400 / 30],
    angle: 0.05,
  });
  addFixture(leg, boxShape(2 / S, 8 / S), { density: 1 });
  const g = bodyInternals(leg);
  assertEquals([g.m_mass, inertiaAboutOrigin(g)], [0.07111112028360367, 0.0017909470479935408]);
  assertEquals([g.m_sweep.c.x, g.m_sweep.c.y], [10.666666984558105, 13.333333015441895]);
  assertEquals(g.m_sweep.a, Math.fround(0.05));
});

Deno.test("boxShape keeps SetAsBox's vertex order; polygonShape gift-wraps from the right", () => {
  const box = boxShape(2, 1);
  assertEquals(box.m_vertices.map((v) => [v.x, v.y]), [[-2, -1], [2, -1], [2, 1], [-2, 1]]);
  assertEquals(box.m_normals.map((v) => [v.x, v.y]), [[0, -1], [1, 0], [0, 1], [-1, 0]]);
  // The same square given clockwise from the top left comes back counter-clockwise from the
  // right-most, lowest vertex.
  const square = polygonShape([[-2, 1], [2, 1], [2, -1], [-2, -1]]);
  assertEquals(square.m_vertices.map((v) => [v.x, v.y]), [[2, -1], [2, 1], [-2, 1], [-2, -1]]);
  // No welding: vertices closer than linearSlop/2 stay (Box2D 2.3.10 has no weld step).
  const sliver = polygonShape([[0, 0], [1, 0], [1.001, 0.0005], [0, 1]]);
  assertEquals(sliver.m_count, 4);
  // Unit normals in float32.
  for (const n of polygonShape(LANDER).m_normals) {
    assertAlmostEquals(Math.hypot(n.x, n.y), 1, 1e-7);
    assertEquals(Math.fround(n.x), n.x);
  }
});

Deno.test("sleepThreshold: bodies sleep after as many steps as float32 Box2D counts", () => {
  const dt = Math.fround(1 / 50);
  // Box2D adds dt to a float32 timer and compares with 0.5f.
  const timer = new Float32Array(1);
  let steps = 0;
  while (timer[0] < 0.5) {
    timer[0] += dt;
    steps++;
  }
  assertEquals(steps, 25);
  let sum = 0;
  for (let k = 0; k < 24; k++) sum += dt;
  assert(sum < sleepThreshold(dt));
  sum += dt;
  assert(sum >= sleepThreshold(dt));
  assert(25 * 0.02 > 0.5 - 1e-9 && sum < 0.5); // planck's float64 timer needs 26 steps for 0.5
});

Deno.test("setAwake(true) leaves an awake body's sleep timer alone (b2Body::SetAwake)", () => {
  const world = new Box2DWorld(-10);
  const body = createBody(world, { type: "dynamic", position: [0, 0] });
  addFixture(body, boxShape(0.5, 0.5), { density: 1 });
  const b = bodyInternals(body);
  b.m_sleepTime = 0.3;
  body.setAwake(true);
  assertEquals(b.m_sleepTime, 0.3);
  body.setAwake(false);
  assertEquals([b.m_awakeFlag, b.m_sleepTime], [false, 0]);
  b.m_sleepTime = 0.1;
  body.setAwake(true);
  assertEquals([b.m_awakeFlag, b.m_sleepTime], [true, 0]);
});

Deno.test("Box2DTree hands out freed node ids again, most recent first", () => {
  const tree = new Box2DTree<string>();
  const aabb = (x: number) => ({ lowerBound: { x, y: 0 }, upperBound: { x: x + 1, y: 1 } });
  const a = tree.createProxy(aabb(0), "a"); // node 0
  const b = tree.createProxy(aabb(5), "b"); // node 1, its parent 2
  const c = tree.createProxy(aabb(9), "c"); // node 3, its parent 4
  assertEquals([a, b, c], [0, 1, 3]);
  tree.destroyProxy(b); // frees b's parent, then b
  const d = tree.createProxy(aabb(2), "d"); // b's id (freed last); its parent takes the other
  const e = tree.createProxy(aabb(7), "e"); // free list empty: fresh ids 5 and 6
  assertEquals([d, e], [1, 5]);
  assertEquals(Object.keys(tree.m_nodes).map(Number).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("new contacts are created in Box2D's order: sorted by (proxy id A, proxy id B)", () => {
  const world = new Box2DWorld(0);
  const ground = createBody(world, { type: "static", position: [0, 0] });
  for (let i = 0; i < 6; i++) addFixture(ground, edgeShape([i, 0], [i + 1, 0]));
  const plank = createBody(world, { type: "dynamic", position: [3, 0.05] });
  addFixture(plank, boxShape(2.9, 0.05), { density: 1 });
  world.step(Math.fround(1 / 50), 8, 3);
  const order: number[] = [];
  for (let c = world.getContactList(); c; c = c.getNext()) {
    order.push(
      (c.getFixtureA() as unknown as { m_proxies: { proxyId: number }[] }).m_proxies[0].proxyId,
    );
  }
  // The world list is newest first: ascending edge ids read backwards.
  assertEquals(order.length, 6);
  assertEquals([...order].reverse(), [...order].sort((x, y) => x - y));
});

Deno.test("collidePolygons230: two overlapping boxes give A's top face and two clip points", () => {
  const m = new Manifold();
  const a = boxShape(1, 1);
  const b = boxShape(0.5, 0.5);
  // B rests on A's top face, 0.05 deep, shifted right by 0.25.
  collidePolygons230(m, a, Transform.identity(), b, new Transform(new Vec2(0.25, 1.45), 0));
  assertEquals(m.pointCount, 2);
  assertEquals(m.type, 1); // e_faceA
  assertEquals([m.localNormal.x, m.localNormal.y], [0, 1]);
  assertEquals([m.localPoint.x, m.localPoint.y], [0, 1]);
  // The incident face is B's bottom, clipped to A's top edge: B's two lower corners (in B's frame).
  const pts = m.points.slice(0, 2).map((p) => [p.localPoint.x, p.localPoint.y]).sort((p, q) =>
    p[0] - q[0]
  );
  assertEquals(pts, [[-0.5, -0.5], [0.5, -0.5]]);
  // Separated boxes: no points.
  collidePolygons230(m, a, Transform.identity(), b, new Transform(new Vec2(0, 1.6), 0));
  assertEquals(m.pointCount, 0);
});

Deno.test("Box2DRevoluteJoint solves like planck's joint (motor, limits, point constraint)", () => {
  const run = (Joint: new (def: RevoluteJointDef) => RevoluteJoint) => {
    const world = new World({ gravity: new Vec2(0, -10) });
    const base = world.createBody({ type: "static", position: new Vec2(0, 2) });
    const arm = world.createDynamicBody({ position: new Vec2(0.5, 2), angle: 0.1 });
    arm.createFixture(new Box(0.5, 0.05), 2);
    const forearm = world.createDynamicBody({ position: new Vec2(1.5, 2) });
    forearm.createFixture(new Box(0.5, 0.04), 1);
    world.createJoint(
      new Joint({
        bodyA: base,
        bodyB: arm,
        localAnchorA: new Vec2(0, 0),
        localAnchorB: new Vec2(-0.5, 0),
        referenceAngle: 0,
        enableMotor: true,
        maxMotorTorque: 3,
        motorSpeed: 2,
        enableLimit: true,
        lowerAngle: -0.5,
        upperAngle: 0.8,
      }),
    );
    world.createJoint(
      new Joint({
        bodyA: arm,
        bodyB: forearm,
        localAnchorA: new Vec2(0.5, 0),
        localAnchorB: new Vec2(-0.5, 0),
        referenceAngle: 0,
        enableLimit: true,
        lowerAngle: -1,
        upperAngle: 0.2,
      }),
    );
    const states: number[] = [];
    for (let t = 0; t < 60; t++) {
      world.step(1 / 50, 30, 10);
      for (const b of [arm, forearm]) {
        states.push(b.getPosition().x, b.getPosition().y, b.getAngle(), b.getAngularVelocity());
      }
    }
    return states;
  };
  const ours = run(Box2DRevoluteJoint);
  const planck = run(RevoluteJoint);
  // The limits engage (the motor drives the arm into its upper limit) and both agree to rounding.
  assert(ours.some((v, i) => i % 8 === 2 && Math.abs(v - 0.8) < 0.05));
  ours.forEach((v, i) => assertAlmostEquals(v, planck[i], 1e-9));
});

Deno.test("Box2DSolver's time of impact stops a fast box at a thin ground edge", () => {
  // A box moving 2 units per step (Box2D's translation cap) from 0.6 above the edge: without
  // continuous collision it ends below the edge.
  const fall = (world: World) => {
    const ground = world.createBody({ type: "static", position: new Vec2(0, 0) });
    ground.createFixture(new Edge(new Vec2(-5, 0), new Vec2(5, 0)), 0);
    const box = world.createDynamicBody({
      position: new Vec2(0, 1.1),
      linearVelocity: new Vec2(0, -400),
    });
    box.createFixture(new Box(0.5, 0.5), 1);
    world.step(Math.fround(1 / 50), 8, 3);
    return { bottom: box.getPosition().y - 0.5, contact: world.getContactList() };
  };
  const discrete = fall(new World({ gravity: new Vec2(0, 0), continuousPhysics: false }));
  assert(
    discrete.bottom < -0.5,
    `without CCD the box should pass the edge, bottom ${discrete.bottom}`,
  );
  const { bottom, contact } = fall(new Box2DWorld(0));
  assert(bottom > -0.02 && bottom < 0.05, `box bottom at ${bottom}: tunnelled`);
  // The sub-step left the contact touching and counted one time of impact.
  assert(contact !== null && contact.isTouching());
  assertEquals(contactInternals(contact!).m_toiCount, 1);
});

Deno.test("snapshotWorld is plain JSON even for contacts that never touched (no manifold type)", () => {
  const world = new Box2DWorld(-10);
  const ground = createBody(world, { type: "static", position: [0, 0] });
  addFixture(ground, edgeShape([-5, 0], [5, 0]));
  const box = createBody(world, { type: "dynamic", position: [0, 0.55] });
  addFixture(box, boxShape(0.5, 0.5), { density: 1 });
  world.step(Math.fround(1 / 50), 8, 3);
  const contact = world.getContactList()!;
  // A contact fresh from planck's pool that has not touched yet carries no manifold type.
  contactInternals(contact).m_manifold.type = undefined as unknown as number;
  contactInternals(contact).m_manifold.pointCount = 0;
  const snap = snapshotWorld(world);
  assertEquals(JSON.parse(JSON.stringify(snap)), snap);
  assertEquals(snap.contacts[0].manifold[0], -1);
});

Deno.test("the typed-array island solver solves like planck's (contact friction, joint, motor)", () => {
  // One contact and one joint, so that the order of constraints cannot differ: a box sliding on an
  // edge with friction, and an arm on a motorised, limited revolute joint hanging from it.
  const run = (world: World) => {
    const ground = world.createBody({ type: "static", position: new Vec2(0, 0) });
    ground.createFixture(new Edge(new Vec2(-10, 0), new Vec2(10, 0)), { friction: 0.6 });
    const box = world.createDynamicBody({
      position: new Vec2(0, 0.5),
      linearVelocity: new Vec2(3, 0),
      allowSleep: false,
    });
    box.createFixture(new Box(0.5, 0.5), { density: 1, friction: 0.6 });
    const arm = world.createDynamicBody({ position: new Vec2(0.9, 1.2), allowSleep: false });
    arm.createFixture(new Box(0.4, 0.05), { density: 1, filterMaskBits: 0 });
    world.createJoint(
      new Box2DRevoluteJoint({
        bodyA: box,
        bodyB: arm,
        localAnchorA: new Vec2(0.5, 0.7),
        localAnchorB: new Vec2(-0.4, 0),
        referenceAngle: 0,
        enableMotor: true,
        maxMotorTorque: 2,
        motorSpeed: -3,
        enableLimit: true,
        lowerAngle: -1,
        upperAngle: 0.5,
      }),
    );
    const out: number[] = [];
    for (let t = 0; t < 60; t++) {
      world.step(1 / 50, 30, 10);
      for (const b of [box, arm]) {
        out.push(b.getPosition().x, b.getPosition().y, b.getAngle(), b.getLinearVelocity().x);
      }
    }
    return out;
  };
  const ours = run(new Box2DWorld(-10));
  const planck = run(new World({ gravity: new Vec2(0, -10) }));
  assert(ours[ours.length - 8] < 3 && ours[ours.length - 8] > 0.5); // friction slowed the box
  ours.forEach((v, i) => assertAlmostEquals(v, planck[i], 1e-9));
});
