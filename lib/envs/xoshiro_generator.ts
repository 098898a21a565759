/**
 * Loading environment states saved before environments drew from numpy's generator.
 *
 * Until `lib/np_random` existed, `BaseEnv` drew from our xoshiro128** generator (`lib/rng.ts`) and
 * saved its four words as the env state's `rng`. {@linkcode XoshiroCompatGenerator} restores such
 * a state and continues that stream exactly as the old code did (`uniform(low, high)` was
 * `Rng.uniform(low, high)`), behind the `Generator` interface environments now use, until the
 * next seeded `reset` installs a numpy generator.
 *
 * @module
 */
import { Rng, type RngState } from "../rng.ts";
import {
  checkNormalArguments,
  checkSize,
  Generator,
  type GeneratorState,
  integerArguments,
  PCG64,
} from "../np_random/mod.ts";

/**
 * True for a pre-`np_random` env generator state: four unsigned 32-bit xoshiro128** words.
 *
 * @example
 * ```ts
 * import { isXoshiroState } from "./xoshiro_generator.ts";
 * isXoshiroState([1, 2, 3, 4]); // true
 * isXoshiroState({ bitGenerator: "PCG64" }); // false
 * ```
 */
export function isXoshiroState(x: unknown): x is RngState {
  return Array.isArray(x) && x.length === 4 &&
    x.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) &&
    x.some((w) => w !== 0);
}

/**
 * A `Generator` that continues an old checkpoint's xoshiro128** stream, drawing what the old
 * `Rng` drew: `random`/`uniform` from `Rng.uniform`, `standardNormal`/`normal` from `Rng.normal`,
 * `integers` from `Rng.int`. Its state is the four words ({@linkcode xoshiroState}); it has no
 * PCG64 state, so `getState`/`setState` refuse (`BaseEnv.getState` saves the words instead).
 *
 * @example
 * ```ts
 * import { XoshiroCompatGenerator } from "./xoshiro_generator.ts";
 * import { Rng } from "../rng.ts";
 * const old = new Rng(3);
 * const g = new XoshiroCompatGenerator(old.getState());
 * g.uniform(-1, 1) === old.uniform(-1, 1); // true
 * ```
 */
export class XoshiroCompatGenerator extends Generator {
  readonly #rng: Rng;

  /** Continues the stream from four xoshiro128** words. */
  constructor(words: RngState) {
    super(new PCG64(0)); // placeholder: every draw below comes from the xoshiro stream
    this.#rng = new Rng(0);
    this.#rng.setState(words);
  }

  /** The four xoshiro128** words, as the old env state stored them. */
  get xoshiroState(): RngState {
    return this.#rng.getState();
  }

  /** `Rng.uniform()`. */
  override random(): number;
  /** `size` of them. */
  override random(size: number): Float64Array;
  /** One, or `size` of them. */
  override random(size?: number): number | Float64Array;
  override random(size?: number): number | Float64Array {
    return this.uniform(0, 1, size);
  }

  /** `Rng.uniform(low, high)` (the old code's draw), with the Generator's argument checks. */
  override uniform(low?: number, high?: number): number;
  /** `size` of them. */
  override uniform(low: number, high: number, size: number): Float64Array;
  /** One, or `size` of them. */
  override uniform(low?: number, high?: number, size?: number): number | Float64Array;
  override uniform(low = 0.0, high = 1.0, size?: number): number | Float64Array {
    checkSize("Generator.uniform", size);
    const range = high - low;
    if (!Number.isFinite(range) || range < 0) {
      throw new RangeError(
        `Generator.uniform: need finite bounds with low <= high, got low = ${low}, high = ${high}`,
      );
    }
    if (size === undefined) return this.#rng.uniform(low, high);
    return this.#rng.fillUniform(new Float64Array(size), low, high);
  }

  /** `Rng.normal()`. */
  override standardNormal(): number;
  /** `size` of them. */
  override standardNormal(size: number): Float64Array;
  /** One, or `size` of them. */
  override standardNormal(size?: number): number | Float64Array;
  override standardNormal(size?: number): number | Float64Array {
    return this.normal(0, 1, size);
  }

  /** `Rng.normal(loc, scale)`. */
  override normal(loc?: number, scale?: number): number;
  /** `size` of them. */
  override normal(loc: number, scale: number, size: number): Float64Array;
  /** One, or `size` of them. */
  override normal(loc?: number, scale?: number, size?: number): number | Float64Array;
  override normal(loc = 0.0, scale = 1.0, size?: number): number | Float64Array {
    checkSize("Generator.normal", size);
    checkNormalArguments("Generator.normal", loc, scale);
    if (size === undefined) return this.#rng.normal(loc, scale);
    return this.#rng.fillNormal(new Float64Array(size), loc, scale);
  }

  /** `low + Rng.int(high − low)` for ranges up to 2^32. */
  override integers(low: number, high?: number): number;
  /** `size` of them. */
  override integers(low: number, high: number | undefined, size: number): number[];
  /** One, or `size` of them. */
  override integers(low: number, high?: number, size?: number): number | number[];
  override integers(low: number, high?: number, size?: number): number | number[] {
    checkSize("Generator.integers", size);
    const args = integerArguments("Generator.integers", low, high);
    const n = args.high - args.low;
    if (n > 2 ** 32) {
      throw new RangeError(
        `Generator.integers: a generator restored from an old (xoshiro128**) env state draws ` +
          `ranges up to 2^32, got ${n}; reset the env with a seed to use numpy's generator`,
      );
    }
    if (size === undefined) return args.low + this.#rng.int(n);
    return Array.from({ length: size }, () => args.low + this.#rng.int(n));
  }

  /** Refused: this generator's state is {@linkcode xoshiroState}, not a PCG64 state. */
  override getState(): GeneratorState {
    throw new TypeError(
      "Generator.getState: this generator continues an old env state's xoshiro128** stream and " +
        "has no PCG64 state; env.getState() saves it, or reset the env with a seed",
    );
  }

  /** Refused, as {@linkcode getState}. */
  override setState(_s: GeneratorState): void {
    throw new TypeError(
      "Generator.setState: this generator continues an old env state's xoshiro128** stream; " +
        "restore PCG64 states into npRandom(seed) or an env",
    );
  }
}
