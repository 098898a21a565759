/**
 * Command lines of the toolkit (`deno task train`, `analyze`, `reproduce`, `export`, …): one
 * declarative spec per command, parsed with the Deno standard library's `parseArgs`
 * (`@std/cli/parse-args`, mapped in deno.json to the pinned npm republication
 * `deno-std@1.4.0`), one usage text generated from the spec, and one error policy:
 *
 * - `--help` / `-h` prints the usage and exits 0;
 * - a bad command line prints the problem and "run `<command> --help` for usage" (exit 2);
 * - any other error prints `error: <message>` in one or two lines, without a stack trace
 *   (exit 1); `--debug` prints the stack as well.
 *
 * @example
 * ```ts
 * import { type CliSpec, parseCli } from "./cli.ts";
 * const spec: CliSpec = {
 *   command: "deno task demo",
 *   summary: "A demo.",
 *   options: [{ name: "steps", type: "string", value: "N", description: "steps to run" }],
 * };
 * const args = parseCli(spec, ["--steps", "10"]);
 * args.int("steps"); // 10
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

/** One option of a command. */
export interface CliOption {
  /** Long name without dashes, e.g. `steps` for `--steps`. */
  name: string;
  /** `string` takes a value, `boolean` is a flag, `list` takes a value and may repeat. */
  type: "string" | "boolean" | "list";
  /** One line of help. */
  description: string;
  /** Placeholder of the value in the usage, e.g. `N` (default `VALUE`). */
  value?: string;
  /** Default shown in the help (parsing does not apply it; the command does). */
  default?: string;
  /** Must be given. */
  required?: boolean;
}

/** A command's interface. */
export interface CliSpec {
  /** How the user runs it, e.g. `deno task train`. */
  command: string;
  /** What it does (a sentence or two). */
  summary: string;
  /** Its options (`--help` and `--debug` are added). */
  options: CliOption[];
  /** Positional arguments, e.g. `{ name: "PAGE.html", min: 1, max: 1 }`; default none. */
  positional?: { name: string; description: string; min: number; max: number };
  /** Example command lines. */
  examples?: string[];
}

/**
 * A bad command line (unknown option, missing or malformed value). Commands throw it from their
 * own checks too, so that the user is pointed to `--help`.
 *
 * @example
 * ```ts
 * import { UsageError } from "./cli.ts";
 * throw new UsageError("--steps expects an integer, got \"ten\"");
 * ```
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const BUILTIN: CliOption[] = [
  { name: "help", type: "boolean", description: "print this help and exit" },
  { name: "debug", type: "boolean", description: "print the stack trace of an error" },
];

/**
 * The usage text of a command: synopsis, summary, options with their defaults, examples.
 *
 * @example
 * ```ts
 * import { usageText } from "./cli.ts";
 * console.log(usageText({ command: "deno task x", summary: "Does x.", options: [] }));
 * ```
 */
export function usageText(spec: CliSpec): string {
  const all = [...spec.options, ...BUILTIN];
  const synopsis = [spec.command];
  for (const o of spec.options) {
    const v = o.type === "boolean" ? `--${o.name}` : `--${o.name} ${o.value ?? "VALUE"}`;
    synopsis.push(o.required ? v : `[${v}]`);
  }
  if (spec.positional) {
    const p = spec.positional;
    synopsis.push(p.min > 0 ? p.name : `[${p.name}]`);
    if (p.max > 1) synopsis.push("...");
  }
  const left = all.map((o) =>
    (o.name === "help" ? "-h, " : "    ") +
    (o.type === "boolean" ? `--${o.name}` : `--${o.name} ${o.value ?? "VALUE"}`)
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = [`usage: ${synopsis.join(" ")}`, "", spec.summary, "", "options:"];
  all.forEach((o, i) => {
    const extra = [
      o.required ? "required" : "",
      o.default !== undefined ? `default ${o.default}` : "",
      o.type === "list" ? "repeatable" : "",
    ].filter((s) => s).join("; ");
    lines.push(`  ${left[i].padEnd(width)}${o.description}${extra ? ` (${extra})` : ""}`);
  });
  if (spec.positional) {
    lines.push("", "arguments:", `  ${spec.positional.name}  ${spec.positional.description}`);
  }
  if (spec.examples?.length) lines.push("", "examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/**
 * A parsed command line with typed accessors that throw {@linkcode UsageError}s naming the option.
 *
 * @example
 * ```ts
 * import { parseCli } from "./cli.ts";
 * const args = parseCli({
 *   command: "deno task x", summary: "", options: [{ name: "k", type: "string", description: "" }],
 * }, ["--k", "1,5,10"]);
 * args.intList("k"); // [1, 5, 10]
 * ```
 */
export class ParsedArgs {
  /** `--help` was given. */
  readonly help: boolean;
  /** `--debug` was given. */
  readonly debug: boolean;
  /** Positional arguments. */
  readonly positional: string[];
  readonly #values: Record<string, unknown>;

  constructor(values: Record<string, unknown>, positional: string[]) {
    this.#values = values;
    this.help = values.help === true;
    this.debug = values.debug === true;
    this.positional = positional;
  }

  /** Whether the option was given. */
  has(name: string): boolean {
    const v = this.#values[name];
    return v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
  }

  /** A string option's value, or undefined. */
  string(name: string): string | undefined {
    const v = this.#values[name];
    return typeof v === "string" ? v : undefined;
  }

  /** A string option's value; a UsageError when absent. */
  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`missing --${name}`);
    return v;
  }

  /** A flag. */
  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  /** A repeatable option's values (empty when absent). */
  list(name: string): string[] {
    const v = this.#values[name];
    return Array.isArray(v) ? v.map(String) : [];
  }

  /** An integer option ≥ `min` (default 0), or undefined when absent. */
  int(name: string, min = 0): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < min) {
      throw new UsageError(`--${name} expects an integer ≥ ${min}, got "${s}"`);
    }
    return v;
  }

  /** A finite number option, or undefined when absent. */
  number(name: string): number | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const v = Number(s);
    if (s.trim() === "" || !Number.isFinite(v)) {
      throw new UsageError(`--${name} expects a number, got "${s}"`);
    }
    return v;
  }

  /** A comma-separated list of integers ≥ `min` (default 0), or undefined when absent. */
  intList(name: string, min = 0): number[] | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    const parts = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
    if (parts.length === 0) throw new UsageError(`--${name} expects a list like 1,5,10`);
    return parts.map((x) => {
      const v = Number(x);
      if (!Number.isSafeInteger(v) || v < min) {
        throw new UsageError(`--${name} expects integers ≥ ${min}, got "${x}"`);
      }
      return v;
    });
  }

  /** One of `choices`, or undefined when absent. */
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    if (!(choices as readonly string[]).includes(s)) {
      throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${s}"`);
    }
    return s as T;
  }
}

/**
 * Parses a command line against its spec with the standard library's `parseArgs`.
 *
 * @throws UsageError for an unknown option, an option without its value, a missing required
 *   option (unless `--help` is given) or a wrong number of positional arguments.
 *
 * @example
 * ```ts
 * import { parseCli } from "./cli.ts";
 * const args = parseCli({
 *   command: "deno task x", summary: "",
 *   options: [{ name: "resume", type: "boolean", description: "" }],
 * }, ["--resume"]);
 * args.flag("resume"); // true
 * ```
 */
export function parseCli(spec: CliSpec, argv: readonly string[]): ParsedArgs {
  const all = [...spec.options, ...BUILTIN];
  const takesValue = all.filter((o) => o.type !== "boolean").map((o) => o.name);
  const values = parseArgs([...argv], {
    string: takesValue,
    boolean: all.filter((o) => o.type === "boolean").map((o) => o.name),
    collect: all.filter((o) => o.type === "list").map((o) => o.name),
    alias: { h: "help" },
    unknown: (arg: string, key?: string) => {
      if (key === undefined) return true; // positional
      throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    },
  }) as Record<string, unknown>;
  const positional = ((values._ as unknown[]) ?? []).map(String);
  const parsed = new ParsedArgs(values, positional);
  if (parsed.help) return parsed;
  for (const name of takesValue) {
    const v = values[name];
    const given = Array.isArray(v) ? v : v === undefined ? [] : [v];
    if (given.some((x) => x === "")) throw new UsageError(`--${name} needs a value`);
  }
  for (const o of spec.options) {
    if (o.required && !parsed.has(o.name)) throw new UsageError(`missing --${o.name}`);
  }
  const p = spec.positional ?? { name: "", min: 0, max: 0 };
  if (positional.length > p.max) {
    throw new UsageError(
      p.max === 0 ? `unexpected argument "${positional[0]}"` : `too many arguments (${p.name})`,
    );
  }
  if (positional.length < p.min) throw new UsageError(`missing ${p.name}`);
  return parsed;
}

/**
 * The user-facing text of an error: the message (at most its first two lines); for a
 * {@linkcode UsageError} a pointer to `--help`; with `debug`, the stack trace.
 *
 * @example
 * ```ts
 * import { formatCliError, UsageError } from "./cli.ts";
 * formatCliError(new UsageError("missing --run"), "deno task analyze", false);
 * // "error: missing --run\nrun `deno task analyze --help` for usage"
 * ```
 */
export function formatCliError(error: unknown, command: string, debug: boolean): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const lines = e.message.split("\n").filter((l) => l.trim() !== "");
  let text = `error: ${lines.slice(0, 2).join("\n")}`;
  if (lines.length > 2) text += " …";
  if (e instanceof UsageError) text += `\nrun \`${command} --help\` for usage`;
  if (debug) text += `\n\n${e.stack ?? ""}`;
  return text;
}

/**
 * Runs a command's `main` with the error policy of the module doc and exits the process with
 * its status (`main` returns the exit code, default 0).
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * if (import.meta.main) {
 *   await runCli({ command: "deno task hello", summary: "Greets.", options: [] }, Deno.args, () => {
 *     console.log("hello");
 *   });
 * }
 * ```
 */
export async function runCli(
  spec: CliSpec,
  argv: readonly string[],
  main: (args: ParsedArgs) => Promise<number | void> | number | void,
): Promise<never> {
  const debug = argv.includes("--debug");
  let code: number;
  try {
    const args = parseCli(spec, argv);
    if (args.help) {
      console.log(usageText(spec));
      Deno.exit(0);
    }
    code = (await main(args)) ?? 0;
  } catch (e) {
    console.error(formatCliError(e, spec.command, debug));
    code = e instanceof UsageError ? 2 : 1;
  }
  Deno.exit(code);
}

/**
 * Stops a command cleanly on SIGINT (Ctrl-C) or SIGTERM: the first signal aborts `controller`
 * (loops that watch its signal stop after the current step and record why); if the command has
 * not finished `graceMs` later, or on a second signal, `message` is printed and the process
 * exits with status 130 (everything the toolkit writes is atomic, so nothing is half-written).
 * Returns a function that removes the handlers.
 *
 * @example
 * ```ts
 * import { stopOnSignals } from "./cli.ts";
 * const controller = new AbortController();
 * const release = stopOnSignals(controller, "interrupted; rerun to continue");
 * // ... work that watches controller.signal ...
 * release();
 * ```
 */
export function stopOnSignals(
  controller: AbortController,
  message: string,
  graceMs = 3_000,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const handler = (signal: Deno.Signal) => () => {
    if (controller.signal.aborted) {
      console.error(`\nerror: ${message}`);
      Deno.exit(130);
    }
    controller.abort(signal);
    timer = setTimeout(() => {
      console.error(`\nerror: ${message}`);
      Deno.exit(130);
    }, graceMs);
  };
  const handlers: [Deno.Signal, () => void][] = [
    ["SIGINT", handler("SIGINT")],
    ["SIGTERM", handler("SIGTERM")],
  ];
  for (const [s, f] of handlers) Deno.addSignalListener(s, f);
  return () => {
    clearTimeout(timer);
    for (const [s, f] of handlers) Deno.removeSignalListener(s, f);
  };
}
