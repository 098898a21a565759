// Arena: 16-byte aligned buffers with 64 bytes of slack, reals sized by the device.
import { assertEquals, assertThrows } from "@std/assert";
import { Arena, ARENA_SLACK } from "../../lib/compute/arena.ts";

Deno.test("Arena: aligned offsets, slack after every buffer, element size of the device", () => {
  const a = new Arena(64, 4);
  const x = a.real(3), y = a.f64(2), z = a.bytes(1);
  assertEquals([x, y, z], [64, 64 + 16 + ARENA_SLACK, 64 + 2 * (16 + ARENA_SLACK)]);
  for (const p of [x, y, z]) assertEquals(p % 16, 0);
  const b = new Arena(0, 8);
  b.real(3); // 24 bytes → 32 + slack
  assertEquals(b.top, 32 + ARENA_SLACK);
  assertThrows(() => a.bytes(-1), RangeError, "cannot allocate");
});
