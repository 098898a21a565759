/**
 * Gymnasium 1.3's Box2D tasks on `planck` with pybox2d 2.3.10's behaviour:
 * `LunarLanderContinuous-v3` ({@linkcode LunarLanderEnv}) and `BipedalWalker-v3` /
 * `BipedalWalkerHardcore-v3` ({@linkcode BipedalWalkerEnv}), their drawable scene frames, and the
 * Box2D 2.3 layer over planck (`box2d23.ts`).
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
