/**
 * Gymnasium's `gymnasium.utils.seeding.np_random(seed)`: the generator every Gymnasium environment
 * draws from after `reset(seed=seed)`.
 *
 * @module
 */
import { describeValue } from "./bit_generator.ts";
import { Generator } from "./generator.ts";
import { PCG64 } from "./pcg64.ts";
import { SeedSequence } from "./seed_sequence.ts";

/**
 * `Generator(PCG64(SeedSequence(seed)))`, as Gymnasium 1.3 seeds an environment; without a seed,
 * from 128 bits of OS entropy. The seed must be a non-negative integer (Gymnasium: "Seed must be
 * greater or equal to zero").
 *
 * @example
 * ```ts
 * import { npRandom } from "./np_random.ts";
 * const rng = npRandom(0);
 * rng.uniform(-1, 1); // 0.2739233746429086, as gymnasium's np_random(0)[0].uniform(-1, 1)
 * ```
 */
export function npRandom(seed?: number | bigint): Generator {
  if (seed !== undefined) {
    const isInteger = typeof seed === "bigint" || Number.isSafeInteger(seed);
    if (!isInteger || seed < 0) {
      throw new RangeError(
        `npRandom: the seed must be a non-negative integer (numbers up to 2^53 - 1, larger as ` +
          `bigint), got ${describeValue(seed)}`,
      );
    }
  }
  return new Generator(new PCG64(new SeedSequence(seed)));
}
