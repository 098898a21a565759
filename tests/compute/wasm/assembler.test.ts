/** The WebAssembly assembler: LEB128 immediates, locals, loops, memory and SIMD, run in Deno. */
import { assertEquals, assertThrows } from "@std/assert";
import { Code, F32, I32, ModuleBuilder, V128 } from "../../../lib/compute/wasm/assembler.ts";

function instantiate(m: ModuleBuilder, memory = new WebAssembly.Memory({ initial: 1 })) {
  const bytes = m.build();
  return {
    exports:
      new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory } })
        .exports,
    memory,
    bytes,
  };
}

Deno.test("assembler: constants of every LEB128 length, a loop, and locals", () => {
  const m = new ModuleBuilder({ minPages: 1 });
  // sum(n) = Σ_{i<n} i with a block/loop/br_if, and constants needing 1–5 LEB bytes.
  const c = new Code();
  c.i32Const(0).localSet(1).i32Const(0).localSet(2);
  c.block().loop();
  c.localGet(1).localGet(0).i32GeS().brIf(1);
  c.localGet(2).localGet(1).i32Add().localSet(2);
  c.localGet(1).i32Const(1).i32Add().localSet(1);
  c.br(0).end().end();
  c.localGet(2);
  m.addFunction("sum", [I32], [I32], [I32, I32], c);
  for (
    const [name, v] of [["small", -3], ["mid", 300], ["big", -123456], ["huge", 2 ** 30]] as const
  ) {
    m.addFunction(name, [], [I32], [], new Code().i32Const(v));
  }
  const { exports } = instantiate(m);
  const call = (name: string, ...a: number[]) =>
    (exports[name] as (...x: number[]) => number)(...a);
  assertEquals(call("sum", 100), 4950);
  assertEquals([call("small"), call("mid"), call("big"), call("huge")], [
    -3,
    300,
    -123456,
    2 ** 30,
  ]);
});

Deno.test("assembler: f32 memory and SIMD lanes", () => {
  const m = new ModuleBuilder({ minPages: 1 });
  // out[0..4) = a[0..4) * b[0..4) + 1 (f32x4), and a scalar f32 square root.
  const c = new Code();
  c.localGet(2);
  c.localGet(0).v128Load(0).localGet(1).v128Load(0).f32x4Mul();
  c.f32Const(1).f32x4Splat().f32x4Add().v128Store(0);
  m.addFunction("fma4", [I32, I32, I32], [], [], c);
  m.addFunction("root", [F32], [F32], [], new Code().localGet(0).f32Sqrt());
  m.addFunction(
    "lane",
    [I32],
    [F32],
    [V128],
    new Code().localGet(0).v128Load(0).localSet(1).localGet(1).f32x4ExtractLane(2),
  );
  const { exports, memory } = instantiate(m);
  const f = new Float32Array(memory.buffer);
  f.set([1, 2, 3, 4], 0);
  f.set([0.5, 0.5, 2, -1], 4);
  (exports.fma4 as (a: number, b: number, o: number) => void)(0, 16, 32);
  assertEquals(Array.from(f.subarray(8, 12)), [1.5, 2, 7, -3]);
  assertEquals((exports.root as (x: number) => number)(9), 3);
  assertEquals((exports.lane as (p: number) => number)(32), 7);
});

Deno.test("assembler: a shared memory needs its maximum; the module says what it imports", () => {
  assertThrows(() => new ModuleBuilder({ minPages: 1, shared: true }).build());
  const m = new ModuleBuilder({ minPages: 2, maxPages: 2, shared: true });
  m.addFunction("one", [], [I32], [], new Code().i32Const(1));
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const { exports } = instantiate(m, memory);
  assertEquals((exports.one as () => number)(), 1);
});
