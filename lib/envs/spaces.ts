/**
 * Gymnasium's `Box` space for float32 or float64 vectors: bounds, membership, sampling and
 * clipping with Gymnasium 1.3's rules.
 *
 * @module
 */
import type { Generator } from "../np_random/mod.ts";
import type { Rng } from "../rng.ts";

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Constructor arguments of {@linkcode Box}.
 *
 * @example
 * ```ts
 * import type { BoxOptions } from "./spaces.ts";
 * const opts: BoxOptions = { low: -2, high: 2, shape: [1] };
 * ```
 */
export interface BoxOptions {
  /** Lower bound: one number for every element, or one per element (flattened); may be -Infinity. */
  low: number | ArrayLike<number>;
  /** Upper bound: one number for every element, or one per element (flattened); may be Infinity. */
  high: number | ArrayLike<number>;
  /** Shape; inferred from `low`/`high` (or `[1]` for two scalars) when absent. */
  shape?: readonly number[];
  /** Element type (default `"float32"`; MuJoCo observations are `"float64"`). */
  dtype?: "float32" | "float64";
}

/**
 * A box in R^n with float32 (default) or float64 elements: `low[i] <= x[i] <= high[i]`, stored
 * flat in row-major order; the bounds are arrays of the box's dtype.
 *
 * @example
 * ```ts
 * import { Box } from "./spaces.ts";
 * import { Rng } from "../rng.ts";
 * const box = new Box({ low: [-1, -1, -8], high: [1, 1, 8] });
 * box.shape; // [3]
 * const x = box.sample(new Rng(0)); // Float32Array(3) inside the box
 * box.contains(x); // true
 * box.clip([5, 0, -9]); // Float32Array [1, 0, -8]
 * ```
 */
export class Box {
  /** Lower bounds (flat, of the box's dtype). */
  readonly low: Float32Array | Float64Array;
  /** Upper bounds (flat, of the box's dtype). */
  readonly high: Float32Array | Float64Array;
  /** Shape of one element of the space. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: "float32" | "float64";
  /** Number of elements (product of the shape). */
  readonly size: number;
  /** 1 where the lower bound is finite. */
  readonly boundedBelow: Uint8Array;
  /** 1 where the upper bound is finite. */
  readonly boundedAbove: Uint8Array;

  /** Validates and casts the bounds; throws on NaN, low > high or mismatched shapes. */
  constructor(options: BoxOptions) {
    const { low, high, shape, dtype = "float32" } = options;
    if (dtype !== "float32" && dtype !== "float64") {
      throw new TypeError(`Box: dtype must be "float32" or "float64", got ${String(dtype)}`);
    }
    this.dtype = dtype;
    let resolved: number[];
    if (shape !== undefined) {
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new TypeError(
          `Box: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
        );
      }
      resolved = [...shape];
    } else if (typeof low !== "number" && typeof high !== "number") {
      if (low.length !== high.length) {
        throw new RangeError(
          `Box: low and high lengths differ (${low.length} vs ${high.length}); give equal lengths`,
        );
      }
      resolved = [low.length];
    } else if (typeof low !== "number") resolved = [low.length];
    else if (typeof high !== "number") resolved = [high.length];
    else resolved = [1];
    this.shape = Object.freeze(resolved);
    this.size = resolved.reduce((a, b) => a * b, 1);
    this.low = castBound("low", low, this.size, resolved, dtype);
    this.high = castBound("high", high, this.size, resolved, dtype);
    this.boundedBelow = new Uint8Array(this.size);
    this.boundedAbove = new Uint8Array(this.size);
    for (let i = 0; i < this.size; i++) {
      if (this.low[i] > this.high[i]) {
        throw new RangeError(
          `Box: low must be <= high everywhere, but low[${i}] = ${this.low[i]} > high[${i}] = ` +
            `${this.high[i]}`,
        );
      }
      this.boundedBelow[i] = this.low[i] > -Infinity ? 1 : 0;
      this.boundedAbove[i] = this.high[i] < Infinity ? 1 : 0;
    }
  }

  /** True when every element is bounded in the given manner (Gymnasium's `is_bounded`). */
  isBounded(manner: "both" | "below" | "above" = "both"): boolean {
    if (manner !== "both" && manner !== "below" && manner !== "above") {
      throw new RangeError(`Box.isBounded: manner must be "both", "below" or "above"`);
    }
    const below = this.boundedBelow.every((b) => b === 1);
    const above = this.boundedAbove.every((b) => b === 1);
    return manner === "both" ? below && above : manner === "below" ? below : above;
  }

  /**
   * Gymnasium's `Box.contains`: `x` has `size` elements, each within the bounds. Plain arrays are
   * first cast to the box's dtype (as `np.asarray(x, dtype=...)`); typed arrays that NumPy cannot
   * cast safely to it (for a float32 box: `Float64Array` and 32-bit integer arrays) are not
   * members, as in Gymnasium. NaN is never a member.
   */
  contains(x: unknown): boolean {
    let values: ArrayLike<number>;
    const f64 = this.dtype === "float64";
    if (Array.isArray(x)) {
      if (!x.every((v) => typeof v === "number")) return false;
      values = x as number[];
    } else if (
      x instanceof Float32Array || x instanceof Int8Array || x instanceof Uint8Array ||
      x instanceof Int16Array || x instanceof Uint16Array || x instanceof Uint8ClampedArray ||
      (f64 && (x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint32Array))
    ) values = x;
    else return false;
    if (values.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = f64 ? values[i] : Math.fround(values[i]);
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  /**
   * A random element, drawn like Gymnasium's `Box.sample`: uniform on bounded elements, standard
   * normal on unbounded ones, `low + Exp(1)` when only bounded below and `high − Exp(1)` when only
   * bounded above. As in Gymnasium, the normals are drawn first, then the lower-bounded, then the
   * upper-bounded exponentials, then the uniforms (each group in element order), in float64, and
   * the result is cast to the box's dtype. `rng` is our `Rng` (agents) or a numpy `Generator` (an
   * env's `npRandom`); with a Generator, bounded and unbounded elements draw exactly what
   * Gymnasium's `Box.sample` draws (half-bounded ones use −log(1 − u), not numpy's ziggurat
   * exponential).
   */
  sample(
    rng: Rng | Generator,
    out: Float32Array | Float64Array = this.#array(),
  ): Float32Array | Float64Array {
    if (out.length !== this.size) {
      throw new RangeError(`Box.sample: out has length ${out.length}, expected ${this.size}`);
    }
    const { low, high, boundedBelow: bb, boundedAbove: ba } = this;
    for (let i = 0; i < this.size; i++) if (!bb[i] && !ba[i]) out[i] = rng.normal();
    for (let i = 0; i < this.size; i++) {
      if (bb[i] && !ba[i]) out[i] = -Math.log(1 - rng.uniform()) + low[i];
    }
    for (let i = 0; i < this.size; i++) {
      if (!bb[i] && ba[i]) out[i] = Math.log(1 - rng.uniform()) + high[i];
    }
    for (let i = 0; i < this.size; i++) {
      if (bb[i] && ba[i]) {
        const range = high[i] - low[i];
        if (!Number.isFinite(range)) {
          throw new RangeError(
            `Box.sample: range high[${i}] - low[${i}] overflows; narrow the bounds`,
          );
        }
        out[i] = low[i] + range * rng.uniform();
      }
    }
    return out;
  }

  /**
   * `np.clip(x, low, high)` in the box's dtype. Throws on a wrong length or NaN (which NumPy would
   * propagate silently).
   */
  clip(
    x: ArrayLike<number>,
    out: Float32Array | Float64Array = this.#array(),
  ): Float32Array | Float64Array {
    if (x === null || typeof x !== "object" || x.length !== this.size) {
      throw new RangeError(
        `Box.clip: expected ${this.size} numbers (shape [${this.shape}]), got ` +
          `${x === null || typeof x !== "object" ? String(x) : `length ${x.length}`}`,
      );
    }
    if (out.length !== this.size) {
      throw new RangeError(`Box.clip: out has length ${out.length}, expected ${this.size}`);
    }
    for (let i = 0; i < this.size; i++) {
      const v = this.dtype === "float64" ? x[i] : Math.fround(x[i]);
      if (Number.isNaN(v)) throw new RangeError(`Box.clip: element ${i} is NaN`);
      out[i] = v < this.low[i] ? this.low[i] : v > this.high[i] ? this.high[i] : v;
    }
    return out;
  }

  /**
   * Gymnasium's repr, e.g. `Box(-2.0, 2.0, (1,), float32)`, `Box([-1.2  -0.07], …)` or
   * `Box(-inf, inf, (17,), float64)`.
   */
  toString(): string {
    const f64 = this.dtype === "float64";
    const short = (a: Float32Array | Float64Array) =>
      a.every((v) => v === a[0]) ? scalarText(a[0], f64) : arrayText(a, f64);
    const shape = this.shape.length === 1 ? `(${this.shape[0]},)` : `(${this.shape.join(", ")})`;
    return `Box(${short(this.low)}, ${short(this.high)}, ${shape}, ${this.dtype})`;
  }

  /** A zero array of the box's dtype and size. */
  #array(): Float32Array | Float64Array {
    return this.dtype === "float64" ? new Float64Array(this.size) : new Float32Array(this.size);
  }
}

/**
 * Shortest decimal that reads back as the same float32 (NumPy's "unique" float32 digits), or as
 * the same double when `f64`.
 */
function float32Digits(v: number, f64 = false): string {
  if (f64) return String(v);
  for (let p = 1; p < 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return String(candidate);
  }
  return String(Number(v.toPrecision(9)));
}

/** `str(np.float32(v))` (or `str(np.float64(v))` when `f64`). */
function scalarText(v: number, f64 = false): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  const s = float32Digits(v, f64);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** `str(np.array(a, dtype=float32))` (float64 when `f64`) for 1-D arrays, positional format. */
function arrayText(a: Float32Array | Float64Array, f64 = false): string {
  const finite = Array.from(a).filter(Number.isFinite);
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  const max = nonZero.length ? Math.max(...nonZero) : 0;
  const min = nonZero.length ? Math.min(...nonZero) : 0;
  if (nonZero.length && (max >= 1e8 || min < 1e-4 || max / min > 1000)) {
    return `[${Array.from(a, (v) => scalarText(v, f64)).join(" ")}]`; // NumPy would use exponents
  }
  const parts = Array.from(a, (v) => {
    if (!Number.isFinite(v)) return null;
    const [int, frac = ""] = float32Digits(v, f64).split(".");
    return { int: Object.is(v, -0) ? "-0" : int, frac };
  });
  const padLeft = Math.max(...parts.map((p) => (p ? p.int.length : 0)));
  const padRight = Math.max(...parts.map((p) => (p ? p.frac.length : 0)));
  const width = padLeft + 1 + padRight;
  const items = parts.map((p, i) =>
    p === null
      ? scalarText(a[i], f64).padStart(width)
      : `${p.int.padStart(padLeft)}.${p.frac.padEnd(padRight)}`
  );
  return `[${items.join(" ")}]`;
}

function castBound(
  name: "low" | "high",
  value: number | ArrayLike<number>,
  size: number,
  shape: number[],
  dtype: "float32" | "float64",
): Float32Array | Float64Array {
  const out = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  if (typeof value === "number") {
    checkBoundValue(name, value, -1, dtype);
    out.fill(value);
    return out;
  }
  if (value === null || typeof value !== "object" || value.length !== size) {
    throw new RangeError(
      `Box: ${name} must be a number or have ${size} elements (shape [${shape}]), got ` +
        `${value === null || typeof value !== "object" ? String(value) : `${value.length}`}`,
    );
  }
  for (let i = 0; i < size; i++) {
    checkBoundValue(name, value[i], i, dtype);
    out[i] = value[i];
  }
  return out;
}

function checkBoundValue(
  name: "low" | "high",
  v: number,
  index: number,
  dtype: "float32" | "float64",
): void {
  const where = index < 0 ? name : `${name}[${index}]`;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new TypeError(`Box: ${where} must be a number (not NaN), got ${String(v)}`);
  }
  if (name === "low" && v === Infinity) {
    throw new RangeError(`Box: ${where} is +Infinity; a lower bound must be < Infinity`);
  }
  if (name === "high" && v === -Infinity) {
    throw new RangeError(`Box: ${where} is -Infinity; an upper bound must be > -Infinity`);
  }
  if (dtype === "float32" && Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) {
    throw new RangeError(
      `Box: ${where} = ${v} is outside the float32 range; use ±Infinity for unbounded`,
    );
  }
}
