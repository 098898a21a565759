/**
 * numpy-compatible randomness for environments: the same seed gives the same numbers as numpy
 * 2.x and Gymnasium 1.3, bit for bit.
 *
 * - {@linkcode SeedSequence}, {@linkcode PCG64} and {@linkcode Generator}: numpy's default
 *   generator (`np.random.default_rng(seed)` = `new Generator(new PCG64(seed))`).
 * - {@linkcode npRandom}: Gymnasium's `np_random(seed)`, what `Env.reset(seed=...)` installs.
 * - {@linkcode RandomState} on {@linkcode MT19937}: numpy's legacy generator, which dm_control uses.
 *
 * States are exact and JSON-serialisable (`getState` / `setState`).
 *
 * @example
 * ```ts
 * import { npRandom, RandomState } from "./mod.ts";
 * const rng = npRandom(0);
 * rng.uniform(-1, 1); // 0.2739233746429086, as Gymnasium
 * rng.standardNormal(); // numpy's ziggurat
 * rng.integers(0, 10);
 * const legacy = new RandomState(0);
 * legacy.uniform(-Math.PI, Math.PI); // 0.3067042906681201, as dm_control
 * ```
 *
 * @module
 */
export * from "./bit_generator.ts";
export * from "./seed_sequence.ts";
export * from "./pcg64.ts";
export * from "./generator.ts";
export * from "./np_random.ts";
export * from "./mt19937.ts";
export * from "./random_state.ts";
export { log, log1p } from "./libm.ts";
export { standardNormal as zigguratStandardNormal } from "./ziggurat.ts";
