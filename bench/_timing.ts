/**
 * Throughput timing shared by the benchmark scripts.
 *
 * @module
 */

/**
 * Runs `chunk` (which performs `stepsPerChunk` steps) for `warmupMs`, then for about `seconds`,
 * and returns the steps per second of the timed part.
 *
 * @example
 * ```ts
 * import { stepsPerSecond } from "./_timing.ts";
 * let x = 0;
 * const rate = stepsPerSecond(() => { for (let i = 0; i < 1000; i++) x += i; }, 1000, 0.1);
 * ```
 */
export function stepsPerSecond(
  chunk: () => void,
  stepsPerChunk: number,
  seconds: number,
  warmupMs = 200,
): number {
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) chunk();
  let steps = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1e3) {
    chunk();
    steps += stepsPerChunk;
    now = performance.now();
  }
  return steps / ((now - start) / 1e3);
}
