/**
 * A minimal WebAssembly binary assembler: enough of the instruction set (i32, f32, f64 and
 * 128-bit SIMD, including relaxed SIMD's fused multiply-add) to write the compute layer's kernels
 * in TypeScript and compile them at load time. No toolchain, no binary files in the repository:
 * the kernels are readable code that emits bytes.
 *
 * Encoding follows the WebAssembly core specification 2.0 (binary format, §5) and the
 * fixed-width / relaxed SIMD proposals (opcode prefix 0xFD, LEB128 sub-opcodes).
 *
 * @module
 */

/**
 * WebAssembly value types (binary encodings).
 *
 * @example
 * ```ts
 * import { F32, I32 } from "./assembler.ts";
 * const params = [I32, I32, F32]; // (param i32 i32 f32)
 * ```
 */
export const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/**
 * A value type byte (one of {@linkcode I32}, {@linkcode I64}, {@linkcode F32}, {@linkcode F64},
 * {@linkcode V128}).
 *
 * @example
 * ```ts
 * import { I32, type ValType, V128 } from "./assembler.ts";
 * const locals: ValType[] = [I32, V128];
 * ```
 */
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  if (value < 0 || !Number.isInteger(value) || value > 0xffffffff) {
    throw new RangeError(`uleb: ${value} is not an unsigned 32-bit integer`);
  }
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], value: number): void {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32) {
    throw new RangeError(`sleb: ${value} is not a 32-bit integer`);
  }
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/**
 * The instruction stream of one function body. Methods append instructions and return `this`,
 * so bodies read top to bottom like the text format.
 *
 * @example
 * ```ts
 * import { Code, I32 } from "./assembler.ts";
 * const c = new Code();
 * c.localGet(0).localGet(1).i32Add(); // (i32.add (local.get 0) (local.get 1))
 * ```
 */
export class Code {
  /** Encoded instructions. */
  readonly bytes: number[] = [];

  /** Appends raw bytes. */
  raw(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  // ---- Control.
  /** `block` with no result. */
  block(): this {
    return this.raw(0x02, 0x40);
  }
  /** `loop` with no result. */
  loop(): this {
    return this.raw(0x03, 0x40);
  }
  /** `if` with no result (pops an i32 condition). */
  if(): this {
    return this.raw(0x04, 0x40);
  }
  /** `if` with one result of type `t` (pops an i32 condition). */
  ifResult(t: ValType): this {
    return this.raw(0x04, t);
  }
  /** `else`. */
  else(): this {
    return this.raw(0x05);
  }
  /** `end` of a block, loop, if or the function. */
  end(): this {
    return this.raw(0x0b);
  }
  /** `br depth`. */
  br(depth: number): this {
    this.raw(0x0c);
    uleb(this.bytes, depth);
    return this;
  }
  /** `br_if depth` (pops an i32). */
  brIf(depth: number): this {
    this.raw(0x0d);
    uleb(this.bytes, depth);
    return this;
  }
  /** `return`. */
  return(): this {
    return this.raw(0x0f);
  }
  /** `select` (pops a, b, i32 c; pushes c ? a : b). */
  select(): this {
    return this.raw(0x1b);
  }
  /** `drop`. */
  drop(): this {
    return this.raw(0x1a);
  }

  // ---- Locals.
  /** `local.get i`. */
  localGet(i: number): this {
    this.raw(0x20);
    uleb(this.bytes, i);
    return this;
  }
  /** `local.set i`. */
  localSet(i: number): this {
    this.raw(0x21);
    uleb(this.bytes, i);
    return this;
  }
  /** `local.tee i`. */
  localTee(i: number): this {
    this.raw(0x22);
    uleb(this.bytes, i);
    return this;
  }

  // ---- Memory (offset in bytes; align as log2 of the natural alignment).
  #mem(op: number, align: number, offset: number): this {
    this.raw(op);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }
  /** `i32.load offset`. */
  i32Load(offset = 0): this {
    return this.#mem(0x28, 2, offset);
  }
  /** `f32.load offset`. */
  f32Load(offset = 0): this {
    return this.#mem(0x2a, 2, offset);
  }
  /** `f64.load offset`. */
  f64Load(offset = 0): this {
    return this.#mem(0x2b, 3, offset);
  }
  /** `i32.load8_u offset`. */
  i32Load8U(offset = 0): this {
    return this.#mem(0x2d, 0, offset);
  }
  /** `i32.store offset`. */
  i32Store(offset = 0): this {
    return this.#mem(0x36, 2, offset);
  }
  /** `f32.store offset`. */
  f32Store(offset = 0): this {
    return this.#mem(0x38, 2, offset);
  }
  /** `f64.store offset`. */
  f64Store(offset = 0): this {
    return this.#mem(0x39, 3, offset);
  }

  // ---- Constants.
  /** `i32.const v`. */
  i32Const(v: number): this {
    this.raw(0x41);
    sleb(this.bytes, v);
    return this;
  }
  /** `f32.const v`. */
  f32Const(v: number): this {
    this.raw(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.raw(...b);
  }
  /** `f64.const v`. */
  f64Const(v: number): this {
    this.raw(0x44);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.raw(...b);
  }

  // ---- i32 arithmetic and comparisons.
  /** `i32.eqz`. */
  i32Eqz(): this {
    return this.raw(0x45);
  }
  /** `i32.lt_s`. */
  i32LtS(): this {
    return this.raw(0x48);
  }
  /** `i32.gt_s`. */
  i32GtS(): this {
    return this.raw(0x4a);
  }
  /** `i32.le_s`. */
  i32LeS(): this {
    return this.raw(0x4c);
  }
  /** `i32.ge_s`. */
  i32GeS(): this {
    return this.raw(0x4e);
  }
  /** `i32.ne`. */
  i32Ne(): this {
    return this.raw(0x47);
  }
  /** `i32.add`. */
  i32Add(): this {
    return this.raw(0x6a);
  }
  /** `i32.sub`. */
  i32Sub(): this {
    return this.raw(0x6b);
  }
  /** `i32.mul`. */
  i32Mul(): this {
    return this.raw(0x6c);
  }
  /** `i32.and`. */
  i32And(): this {
    return this.raw(0x71);
  }
  /** `i32.shl`. */
  i32Shl(): this {
    return this.raw(0x74);
  }

  // ---- f32 / f64 scalar.
  /** `f32.add`. */
  f32Add(): this {
    return this.raw(0x92);
  }
  /** `f32.sub`. */
  f32Sub(): this {
    return this.raw(0x93);
  }
  /** `f32.mul`. */
  f32Mul(): this {
    return this.raw(0x94);
  }
  /** `f32.div`. */
  f32Div(): this {
    return this.raw(0x95);
  }
  /** `f32.sqrt`. */
  f32Sqrt(): this {
    return this.raw(0x91);
  }
  /** `f32.gt`. */
  f32Gt(): this {
    return this.raw(0x5e);
  }
  /** `f32.max`. */
  f32Max(): this {
    return this.raw(0x97);
  }
  /** `f64.add`. */
  f64Add(): this {
    return this.raw(0xa0);
  }
  /** `f64.sub`. */
  f64Sub(): this {
    return this.raw(0xa1);
  }
  /** `f64.mul`. */
  f64Mul(): this {
    return this.raw(0xa2);
  }
  /** `f64.div`. */
  f64Div(): this {
    return this.raw(0xa3);
  }
  /** `f64.sqrt`. */
  f64Sqrt(): this {
    return this.raw(0x9f);
  }
  /** `f32.demote_f64`. */
  f32DemoteF64(): this {
    return this.raw(0xb6);
  }
  /** `f64.promote_f32`. */
  f64PromoteF32(): this {
    return this.raw(0xbb);
  }

  // ---- SIMD (prefix 0xFD).
  #simd(op: number): this {
    this.raw(0xfd);
    uleb(this.bytes, op);
    return this;
  }
  #simdMem(op: number, align: number, offset: number): this {
    this.#simd(op);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }
  /** `v128.load offset` (align 16 is a hint only). */
  v128Load(offset = 0): this {
    return this.#simdMem(0x00, 4, offset);
  }
  /** `v128.load32_splat offset`: one f32/i32 broadcast to all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.#simdMem(0x09, 2, offset);
  }
  /** `v128.load64_splat offset`: one 64-bit value broadcast to both halves. */
  v128Load64Splat(offset = 0): this {
    return this.#simdMem(0x0a, 3, offset);
  }
  /** `v128.store offset`. */
  v128Store(offset = 0): this {
    return this.#simdMem(0x0b, 4, offset);
  }
  /** `f32x4.splat`. */
  f32x4Splat(): this {
    return this.#simd(0x13);
  }
  /** `f64x2.splat`. */
  f64x2Splat(): this {
    return this.#simd(0x14);
  }
  /** `f32x4.extract_lane lane`. */
  f32x4ExtractLane(lane: number): this {
    return this.#simd(0x1f).raw(lane);
  }
  /** `f32x4.gt`. */
  f32x4Gt(): this {
    return this.#simd(0x44);
  }
  /** `v128.and`. */
  v128And(): this {
    return this.#simd(0x4e);
  }
  /** `v128.or`. */
  v128Or(): this {
    return this.#simd(0x50);
  }
  /** `v128.bitselect` (pops a, b, mask; bits of a where mask is 1, else of b). */
  v128Bitselect(): this {
    return this.#simd(0x52);
  }
  /** `f32x4.lt`. */
  f32x4Lt(): this {
    return this.#simd(0x43);
  }
  /** `f32x4.nearest` (round to nearest, ties to even). */
  f32x4Nearest(): this {
    return this.#simd(0x6a);
  }
  /** `i32x4.shl` (pops a vector and an i32 shift). */
  i32x4Shl(): this {
    return this.#simd(0xab);
  }
  /** `i32x4.add`. */
  i32x4Add(): this {
    return this.#simd(0xae);
  }
  /** `f32x4.abs`. */
  f32x4Abs(): this {
    return this.#simd(0xe0);
  }
  /** `f32x4.min`. */
  f32x4Min(): this {
    return this.#simd(0xe8);
  }
  /** `i32x4.trunc_sat_f32x4_s`. */
  i32x4TruncSatF32x4S(): this {
    return this.#simd(0xf8);
  }
  /** `f32x4.demote_f64x2_zero`. */
  f32x4DemoteF64x2Zero(): this {
    return this.#simd(0x5e);
  }
  /** `f64x2.promote_low_f32x4`. */
  f64x2PromoteLowF32x4(): this {
    return this.#simd(0x5f);
  }
  /** `f32x4.add`. */
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  /** `f32x4.sub`. */
  f32x4Sub(): this {
    return this.#simd(0xe5);
  }
  /** `f32x4.mul`. */
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  /** `f32x4.div`. */
  f32x4Div(): this {
    return this.#simd(0xe7);
  }
  /** `f32x4.sqrt`. */
  f32x4Sqrt(): this {
    return this.#simd(0xe3);
  }
  /** `f32x4.max`. */
  f32x4Max(): this {
    return this.#simd(0xe9);
  }
  /** `f64x2.sqrt`. */
  f64x2Sqrt(): this {
    return this.#simd(0xef);
  }
  /** `f64x2.add`. */
  f64x2Add(): this {
    return this.#simd(0xf0);
  }
  /** `f64x2.sub`. */
  f64x2Sub(): this {
    return this.#simd(0xf1);
  }
  /** `f64x2.mul`. */
  f64x2Mul(): this {
    return this.#simd(0xf2);
  }
  /** `f64x2.div`. */
  f64x2Div(): this {
    return this.#simd(0xf3);
  }
  /** `i32x4.shuffle`-free lane broadcast: `v128.const` of 16 bytes. */
  v128Const(bytes: ArrayLike<number>): this {
    this.#simd(0x0c);
    for (let i = 0; i < 16; i++) this.raw(bytes[i] & 0xff);
    return this;
  }
  /** `f32x4.relaxed_madd` (a·b + c; fused or not, fixed per machine). */
  f32x4RelaxedMadd(): this {
    return this.#simd(0x105);
  }
}

/** One function of a module. */
interface FunctionDef {
  name: string;
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  code: Code;
}

/**
 * Builds a module that imports one linear memory (`env.memory`) and exports functions.
 *
 * @example
 * ```ts
 * import { Code, I32, ModuleBuilder } from "./assembler.ts";
 * const m = new ModuleBuilder({ minPages: 1 });
 * m.addFunction("add", [I32, I32], [I32], [], new Code().localGet(0).localGet(1).i32Add());
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const { exports } = new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { memory } });
 * (exports.add as (a: number, b: number) => number)(2, 3); // 5
 * ```
 */
export class ModuleBuilder {
  readonly #functions: FunctionDef[] = [];
  readonly #minPages: number;
  readonly #maxPages: number | null;
  readonly #shared: boolean;

  /**
   * @param memory the imported memory's limits in 64 KiB pages; `shared` needs `maxPages`.
   */
  constructor(memory: { minPages: number; maxPages?: number; shared?: boolean }) {
    this.#minPages = memory.minPages;
    this.#maxPages = memory.maxPages ?? null;
    this.#shared = memory.shared ?? false;
    if (this.#shared && this.#maxPages === null) {
      throw new Error("ModuleBuilder: a shared memory needs maxPages");
    }
  }

  /** Adds an exported function; the body must not include the final `end`. */
  addFunction(
    name: string,
    params: ValType[],
    results: ValType[],
    locals: ValType[],
    code: Code,
  ): this {
    this.#functions.push({ name, params, results, locals, code });
    return this;
  }

  /** The module's bytes. */
  build(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, body: number[]) => {
      out.push(id);
      uleb(out, body.length);
      for (const b of body) out.push(b);
    };
    // Type section: one type per function (duplicates are allowed).
    const types: number[] = [];
    uleb(types, this.#functions.length);
    for (const f of this.#functions) {
      types.push(0x60);
      uleb(types, f.params.length);
      types.push(...f.params);
      uleb(types, f.results.length);
      types.push(...f.results);
    }
    section(1, types);
    // Import section: env.memory.
    const imports: number[] = [];
    uleb(imports, 1);
    name(imports, "env");
    name(imports, "memory");
    imports.push(0x02);
    if (this.#maxPages === null) {
      imports.push(0x00);
      uleb(imports, this.#minPages);
    } else {
      imports.push(this.#shared ? 0x03 : 0x01);
      uleb(imports, this.#minPages);
      uleb(imports, this.#maxPages);
    }
    section(2, imports);
    // Function section.
    const funcs: number[] = [];
    uleb(funcs, this.#functions.length);
    this.#functions.forEach((_, i) => uleb(funcs, i));
    section(3, funcs);
    // Export section.
    const exps: number[] = [];
    uleb(exps, this.#functions.length);
    this.#functions.forEach((f, i) => {
      name(exps, f.name);
      exps.push(0x00);
      uleb(exps, i);
    });
    section(7, exps);
    // Code section.
    const code: number[] = [];
    uleb(code, this.#functions.length);
    for (const f of this.#functions) {
      const body: number[] = [];
      // Locals, run-length encoded.
      const groups: [number, number][] = [];
      for (const t of f.locals) {
        const last = groups.at(-1);
        if (last && last[1] === t) last[0]++;
        else groups.push([1, t]);
      }
      uleb(body, groups.length);
      for (const [n, t] of groups) {
        uleb(body, n);
        body.push(t);
      }
      for (const b of f.code.bytes) body.push(b);
      body.push(0x0b);
      uleb(code, body.length);
      for (const b of body) code.push(b);
    }
    section(10, code);
    return new Uint8Array(out);
  }
}
