/**
 * Command-line options of the benchmark scripts: `--name value` pairs (repeatable) and bare
 * `--flag`s.
 *
 * @module
 */

/** Parsed `--name value` options and flags. */
export interface BenchArgs {
  /** The last value of `--name`, or the fallback. */
  value(name: string, fallback: string): string;
  /** Every value of a repeated `--name`. */
  values(name: string): string[];
  /** Whether `--name` appears. */
  has(name: string): boolean;
}

/**
 * Parses `args`: `--name value` when the next word does not start with `--`, else a flag.
 *
 * @example
 * ```ts
 * import { parseBenchArgs } from "./_cli.ts";
 * const a = parseBenchArgs(["--run", "x", "--run", "y", "--quick"]);
 * a.values("run"); // ["x", "y"]
 * a.has("quick"); // true
 * ```
 */
export function parseBenchArgs(args: readonly string[]): BenchArgs {
  const seen = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("--")) continue;
    const name = args[i].slice(2);
    const next = args[i + 1];
    const value = next !== undefined && !next.startsWith("--") ? args[++i] : "";
    seen.set(name, [...(seen.get(name) ?? []), value]);
  }
  return {
    value: (name, fallback) => seen.get(name)?.at(-1) || fallback,
    values: (name) => (seen.get(name) ?? []).filter((v) => v !== ""),
    has: (name) => seen.has(name),
  };
}
