import { assert, assertEquals, assertThrows } from "@std/assert";
import { ArrayPool } from "../../lib/envs/pool.ts";

Deno.test("ArrayPool hands out zeroed, disjoint, never-reused arrays", () => {
  const pool = new ArrayPool(256);
  const arrays = Array.from({ length: 200 }, (_, i) => {
    const a = i % 3 === 0 ? pool.float32(3) : i % 3 === 1 ? pool.float64(2) : pool.uint8(5);
    assertEquals([...a], new Array(a.length).fill(0));
    a.fill(i + 1);
    return a;
  });
  arrays.forEach((a, i) => assertEquals([...a], new Array(a.length).fill(i + 1)));
  for (const a of arrays) assertEquals(a.byteOffset % 8, 0);
  // Requests above a quarter of a chunk get their own buffer.
  const big = pool.float32(100);
  assertEquals(big.length, 100);
  assertEquals(big.byteOffset, 0);
  assertEquals(big.buffer.byteLength, 400);
  assert(pool.float32(0).length === 0);
  assertThrows(() => new ArrayPool(100), RangeError, "multiple of 8");
});
