/**
 * Flat parameter layouts.
 *
 * Every network in pgsubspace keeps its parameters in **one flat Float32Array** (the master
 * copy). A {@link ParamLayout} names the blocks of that vector in a fixed order: block i starts
 * where block i−1 ends, each block is a row-major tensor of the given shape, and there are no
 * gaps. Because gradients, Hessian-vector products and eigenvectors are all vectors in the same
 * space, the layout is what makes "θ_actor" and "θ_critic" well defined for the subspace analysis.
 *
 * Build layouts with {@link LayoutBuilder}; read blocks with {@link ParamLayout.view}.
 *
 * @module
 */

/** One named block of a flat parameter vector. */
export interface ParamBlock {
  /** Unique name, e.g. `"pi.0.weight"`. */
  readonly name: string;
  /** Tensor shape; the block is stored row-major. `[]` is a scalar (size 1). */
  readonly shape: readonly number[];
  /** Index of the block's first element in the flat vector. */
  readonly offset: number;
  /** Number of elements, the product of `shape`. */
  readonly size: number;
}

/** A block before placement: its name and shape. */
export interface ParamBlockSpec {
  /** Unique name within the layout. */
  readonly name: string;
  /** Tensor shape (non-negative integers; `[]` is a scalar). */
  readonly shape: readonly number[];
}

/**
 * An ordered list of named blocks that tile a flat parameter vector.
 *
 * @example
 * ```ts
 * import { ParamLayout } from "./layout.ts";
 * const layout = new ParamLayout([
 *   { name: "w", shape: [3, 2] },
 *   { name: "b", shape: [2] },
 * ]);
 * layout.size; // 8
 * layout.block("b").offset; // 6
 * const theta = layout.zeros();
 * layout.view(theta, "b").fill(1); // writes theta[6..8)
 * ```
 */
export class ParamLayout {
  /** The blocks in storage order. */
  readonly blocks: readonly ParamBlock[];
  /** Total number of parameters (sum of block sizes). */
  readonly size: number;
  readonly #byName: Map<string, ParamBlock>;

  /**
   * @throws Error on a duplicate or empty name, or a shape that is not a list of non-negative
   *   integers.
   */
  constructor(specs: readonly ParamBlockSpec[]) {
    const blocks: ParamBlock[] = [];
    const byName = new Map<string, ParamBlock>();
    let offset = 0;
    for (const spec of specs) {
      if (typeof spec.name !== "string" || spec.name.length === 0) {
        throw new Error(`ParamLayout: block #${blocks.length} needs a non-empty name`);
      }
      if (byName.has(spec.name)) {
        throw new Error(
          `ParamLayout: duplicate block name "${spec.name}"; give each MLP or extra block a ` +
            `distinct prefix`,
        );
      }
      for (const d of spec.shape) {
        if (!Number.isInteger(d) || d < 0) {
          throw new Error(
            `ParamLayout: block "${spec.name}" has shape [${spec.shape}]; dimensions must be ` +
              `non-negative integers`,
          );
        }
      }
      const size = spec.shape.reduce((p, d) => p * d, 1);
      const block: ParamBlock = Object.freeze({
        name: spec.name,
        shape: Object.freeze([...spec.shape]),
        offset,
        size,
      });
      blocks.push(block);
      byName.set(spec.name, block);
      offset += size;
    }
    this.blocks = Object.freeze(blocks);
    this.size = offset;
    this.#byName = byName;
  }

  /** Whether a block called `name` exists. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The block called `name`; throws, listing the available names, when there is none. */
  block(name: string): ParamBlock {
    const block = this.#byName.get(name);
    if (block === undefined) {
      throw new Error(
        `ParamLayout: no block "${name}"; available: ${this.blocks.map((b) => b.name).join(", ")}`,
      );
    }
    return block;
  }

  /** Block names in storage order. */
  names(): string[] {
    return this.blocks.map((b) => b.name);
  }

  /** A new zero-filled Float32Array of length {@link size}. */
  zeros(): Float32Array {
    return new Float32Array(this.size);
  }

  /**
   * A view (shared memory, no copy) of block `name` inside `flat`.
   * @throws Error when `flat.length` differs from the layout size.
   */
  view<T extends Float32Array | Float64Array>(flat: T, name: string): T {
    this.#checkLength(flat, "view");
    const b = this.block(name);
    return flat.subarray(b.offset, b.offset + b.size) as T;
  }

  /**
   * Packs per-block values into a new flat Float32Array. Every block must be given, with exactly
   * its size; extra names are an error (they usually mean a typo).
   */
  flatten(values: Readonly<Record<string, ArrayLike<number>>>): Float32Array {
    const flat = new Float32Array(this.size);
    for (const key of Object.keys(values)) {
      if (!this.#byName.has(key)) this.block(key); // throws with the list of names
    }
    for (const b of this.blocks) {
      const v = values[b.name];
      if (v === undefined) {
        throw new Error(`ParamLayout.flatten: missing block "${b.name}"`);
      }
      if (v.length !== b.size) {
        throw new Error(
          `ParamLayout.flatten: block "${b.name}" has shape [${b.shape}] (size ${b.size}) but ` +
            `${v.length} values were given`,
        );
      }
      for (let i = 0; i < b.size; i++) flat[b.offset + i] = v[i];
    }
    return flat;
  }

  /** Splits a flat vector into per-block copies, keyed by block name, in storage order. */
  unflatten(flat: Float32Array): Record<string, Float32Array> {
    this.#checkLength(flat, "unflatten");
    const out: Record<string, Float32Array> = {};
    for (const b of this.blocks) out[b.name] = flat.slice(b.offset, b.offset + b.size);
    return out;
  }

  /** Blocks whose name starts with `prefix` (e.g. `"pi."`), in storage order. */
  blocksWithPrefix(prefix: string): ParamBlock[] {
    return this.blocks.filter((b) => b.name.startsWith(prefix));
  }

  /**
   * A Markdown table of the layout (index, name, shape, offset, size) plus the total, for docs
   * and run logs.
   */
  describe(): string {
    const lines = [
      "| # | block | shape | offset | size |",
      "|---|---|---|---|---|",
      ...this.blocks.map((b, i) =>
        `| ${i} | ${b.name} | [${b.shape.join(", ")}] | ${b.offset} | ${b.size} |`
      ),
      `| | total | | | ${this.size} |`,
    ];
    return lines.join("\n");
  }

  #checkLength(flat: ArrayLike<number>, what: string): void {
    if (flat.length !== this.size) {
      throw new Error(
        `ParamLayout.${what}: vector has length ${flat.length} but the layout has ${this.size} ` +
          `parameters (${this.blocks.length} blocks); pass the matching parameter vector`,
      );
    }
  }
}

/**
 * Accumulates blocks, then builds a {@link ParamLayout}. Used to compose several MLPs and extra
 * blocks into one vector (PPO actor = policy MLP + action head + `log_std`; SAC critic = q0 + q1).
 *
 * @example
 * ```ts
 * import { LayoutBuilder } from "./layout.ts";
 * import { mlpBlockSpecs } from "./mlp.ts";
 * const actor = new LayoutBuilder()
 *   .addAll(mlpBlockSpecs({ prefix: "pi", inputDim: 3, hidden: [64, 64], outputDim: 1, activation: "tanh" }))
 *   .add("log_std", [1])
 *   .build();
 * actor.size; // 4482
 * ```
 */
export class LayoutBuilder {
  readonly #specs: ParamBlockSpec[] = [];

  /** Appends one block. */
  add(name: string, shape: readonly number[]): this {
    this.#specs.push({ name, shape: [...shape] });
    return this;
  }

  /** Appends several blocks in order. */
  addAll(specs: readonly ParamBlockSpec[]): this {
    for (const s of specs) this.add(s.name, s.shape);
    return this;
  }

  /** The layout of everything added so far (validates names and shapes). */
  build(): ParamLayout {
    return new ParamLayout(this.#specs);
  }
}
