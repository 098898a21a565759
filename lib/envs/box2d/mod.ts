/**
 * Gymnasium 1.3's Box2D tasks on a float32 Box2D 2.3.10 that steps bit-identically to the
 * pybox2d Gymnasium runs: `LunarLanderContinuous-v3` ({@linkcode LunarLanderEnv}) and
 * `BipedalWalker-v3` / `BipedalWalkerHardcore-v3` ({@linkcode BipedalWalkerEnv}), their drawable
 * scene frames, and the engine ({@linkcode World}, `world.ts` and the modules it uses).
 *
 * The engine reimplements the algorithms of Box2D 2.3.10 (Erin Catto, zlib licence), as pybox2d
 * 2.3.10 compiles them, operation for operation in float32 so that it reproduces pybox2d's
 * numbers; it is an altered, partial version (only what these tasks use), not Box2D itself.
 *
 * @example
 * ```ts
 * import { BipedalWalkerEnv, LunarLanderEnv } from "./mod.ts";
 * const lander = new LunarLanderEnv({ enable_wind: true });
 * const walker = new BipedalWalkerEnv({ hardcore: true });
 * lander.reset({ seed: 0 });
 * walker.reset({ seed: 0 });
 * walker.frame().bodies.length; // 5: hull and four leg segments
 * ```
 *
 * @module
 */
export * from "./lunar_lander.ts";
export * from "./bipedal_walker.ts";
export * from "./scene.ts";
export type { Box2DDraws } from "./draws.ts";
export { Body, Contact, Fixture, World } from "./world.ts";
export { boxShape, edgeShape, polygonShape } from "./shapes.ts";
export { RevoluteJoint } from "./revolute_joint.ts";
