/**
 * The random draws the Box2D tasks make: the subset of numpy's `Generator` (Gymnasium's
 * `np_random`) that `LunarLander` and `BipedalWalker` call, with numpy's semantics.
 *
 * @module
 */

/**
 * The `np_random` calls of the Box2D tasks (numpy `Generator` semantics: `uniform(low, high)` is
 * `low + (high − low)·U[0, 1)`, `integers(low, high)` is uniform on [low, high), `random()` is
 * U[0, 1)). The numpy-compatible `Generator` of `lib/np_random` satisfies it.
 *
 * @example
 * ```ts
 * import type { Box2DDraws } from "./draws.ts";
 * function terrainHeights(draws: Box2DDraws): Float64Array {
 *   return draws.uniform(0, 20 / 3, 12);
 * }
 * ```
 */
export interface Box2DDraws {
  /** One float64 drawn uniformly from [low, high). */
  uniform(low: number, high: number): number;
  /** `size` float64s drawn uniformly from [low, high) (one numpy call). */
  uniform(low: number, high: number, size: number): Float64Array;
  /** An integer drawn uniformly from [low, high) (numpy's int64 `integers`). */
  integers(low: number, high: number): number;
  /** One float64 drawn uniformly from [0, 1). */
  random(): number;
}
