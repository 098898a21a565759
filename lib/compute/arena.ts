/**
 * The one allocator of device memory: a bump allocator over byte offsets that engines use to
 * plan their whole memory up front (data, weights, state, scratch), before the memory exists.
 * Every buffer is 16-byte aligned and followed by 64 bytes of slack, because the SIMD kernels may
 * read up to 12 bytes past a row's end (lanes that are never stored).
 *
 * @module
 */

/** Bytes of padding after every allocation (kernels may read 12 bytes past a row). */
export const ARENA_SLACK = 64;

/**
 * A bump allocator over byte offsets.
 *
 * @example
 * ```ts
 * import { Arena } from "./arena.ts";
 * const a = new Arena(64, 4); // float32 reals
 * const x = a.real(10), acc = a.f64(3);
 * a.top; // bytes planned so far
 * ```
 */
export class Arena {
  /** Next free byte offset. */
  top: number;
  /** Bytes of one real of the device (4: float32, 8: float64). */
  readonly elementBytes: 4 | 8;

  /**
   * @param start first byte offset handed out (a memory's first bytes are kept free so that
   *   0 can mean "no buffer").
   * @param elementBytes bytes of one real of the device.
   */
  constructor(start = 0, elementBytes: 4 | 8 = 4) {
    this.top = start;
    this.elementBytes = elementBytes;
  }

  /** Room for `n` reals of the device; returns the byte offset. */
  real(n: number): number {
    return this.bytes(this.elementBytes * n);
  }

  /** Room for `n` float32 values. */
  f32(n: number): number {
    return this.bytes(4 * n);
  }

  /** Room for `n` float64 values. */
  f64(n: number): number {
    return this.bytes(8 * n);
  }

  /** Room for `n` bytes. */
  bytes(n: number): number {
    if (!Number.isFinite(n) || n < 0) {
      throw new RangeError(`Arena: cannot allocate ${n} bytes`);
    }
    const p = this.top;
    this.top += Math.ceil(n / 16) * 16 + ARENA_SLACK;
    return p;
  }
}
