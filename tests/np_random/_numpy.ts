/**
 * Test helper: runs the same calls on numpy (through `tools/numpy_reference.py`) and on our
 * generators, and compares every value bit for bit.
 */
import {
  Generator,
  npRandom,
  PCG64,
  RandomState,
  type SeedEntropy,
  SeedSequence,
} from "../../lib/np_random/mod.ts";
import { findPython, runPythonJson } from "../../tools/python_ref.ts";

/** A Python interpreter with numpy, or null (the Python-backed tests are then ignored). */
export const numpyPython: string | null = await findPython("numpy");
/** A Python interpreter with gymnasium, or null. */
export const gymPython: string | null = await findPython("gymnasium");
if (numpyPython === null || gymPython === null) {
  console.log(
    `np_random tests: SKIPPED the comparisons with ${
      numpyPython === null ? "numpy" : "gymnasium"
    }: ` +
      "no Python with it (set PGSUBSPACE_PYTHON or create .venv, see tools/setup_python_ref.sh)",
  );
}

/** One method call, in numpy's spelling (snake_case method, positional args, kwargs). */
export interface Call {
  method: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
}

/** A generator and the calls to make on it, in order. */
export interface Case {
  kind: "generator" | "gym" | "randomstate" | "pcg64" | "seedsequence";
  /** A seed; bigints travel as decimal strings. */
  seed?: number | bigint | (number | bigint)[];
  calls: Call[];
}

/** What one side produced for one call: the values as doubles, or the error text. */
export type Outcome = { values: Float64Array } | { error: string };

/** The numpy side of a comparison. */
export interface Reference {
  numpy: string;
  outcomes: Outcome[][];
  states: (Record<string, unknown> | null)[];
}

/** Runs the cases in numpy. */
export async function numpyReference(python: string, cases: Case[]): Promise<Reference> {
  const dir = await Deno.makeTempDir({ prefix: "np_random_ref_" });
  const out = `${dir}/values.bin`;
  try {
    const toJson = (s: Case["seed"]): unknown =>
      typeof s === "bigint" ? s.toString() : Array.isArray(s) ? s.map(toJson) : s;
    const request = { out, cases: cases.map((c) => ({ ...c, seed: toJson(c.seed) })) };
    const script = new URL("../../tools/numpy_reference.py", import.meta.url).pathname;
    // NaN, ±Infinity and -0 do not survive JSON: send them as {"__float__": text}
    const parsed = await runPythonJson(
      python,
      script,
      request,
      (_k, v) =>
        typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))
          ? { __float__: Object.is(v, -0) ? "-0.0" : String(v) }
          : v,
    ) as {
      numpy: string;
      results: ({ count: number } | { error: string })[][];
      states: (Record<string, unknown> | null)[];
    };
    const bytes = await Deno.readFile(out);
    const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    let at = 0;
    const outcomes = parsed.results.map((rows) =>
      rows.map((r): Outcome => {
        if ("error" in r) return { error: r.error };
        const values = all.slice(at, at + r.count);
        at += r.count;
        return { values };
      })
    );
    return { numpy: parsed.numpy, outcomes, states: parsed.states };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

type AnyGen = Generator | RandomState | PCG64 | SeedSequence;

function make(c: Case): AnyGen {
  const seed = c.seed as SeedEntropy | undefined;
  switch (c.kind) {
    case "generator":
      return new Generator(new PCG64(seed));
    case "gym":
      return npRandom(seed as number);
    case "randomstate":
      return new RandomState(seed as number);
    case "pcg64":
      return new PCG64(seed);
    case "seedsequence":
      return new SeedSequence(seed);
  }
}

function toDoubles(v: unknown): Float64Array {
  if (typeof v === "number") return Float64Array.of(v);
  if (typeof v === "bigint") return Float64Array.of(Number(v & 0xffffffffn), Number(v >> 32n));
  if (v instanceof BigUint64Array) {
    const out = new Float64Array(2 * v.length);
    v.forEach((x, i) => {
      out[2 * i] = Number(x & 0xffffffffn);
      out[2 * i + 1] = Number(x >> 32n);
    });
    return out;
  }
  if (v instanceof Uint32Array) return Float64Array.from(v);
  return Float64Array.from(v as ArrayLike<number>);
}

/** One call on our side, numpy's method names mapped to ours. */
function callOurs(g: AnyGen, call: Call): unknown {
  const args = [...(call.args ?? [])];
  const kw = call.kwargs ?? {};
  const size = kw.size as number | undefined;
  // deno-lint-ignore no-explicit-any
  const o = g as any;
  switch (call.method) {
    case "random":
      return o.random(size);
    case "random_sample":
    case "rand":
      return o.randomSample(args[0] ?? size);
    case "uniform":
      return o.uniform(args[0] ?? kw.low ?? 0, args[1] ?? kw.high ?? 1, size);
    case "standard_normal":
      return o.standardNormal(args[0] ?? size);
    case "randn":
      return o.randn(args[0]);
    case "normal":
      return o.normal(args[0] ?? kw.loc ?? 0, args[1] ?? kw.scale ?? 1, size);
    case "integers":
      return o.integers(args[0], args[1] ?? kw.high, size);
    case "randint":
      return o.randint(args[0], args[1] ?? kw.high, size);
    case "choice":
      return o.choice(args[0], size, kw.replace ?? true, kw.p);
    case "permutation":
      return o.permutation(args[0]);
    case "random_raw":
      return o.randomRaw(args[0] ?? size);
    case "generate_state":
      return o.generateState(args[0], args[1] ?? "uint32");
  }
  throw new Error(`no mapping for ${call.method}`);
}

/** Runs the cases on our side. */
export function ours(cases: Case[]): { outcomes: Outcome[][]; gens: (AnyGen | null)[] } {
  const gens: (AnyGen | null)[] = [];
  const outcomes = cases.map((c) => {
    let g: AnyGen;
    try {
      g = make(c);
    } catch (e) {
      gens.push(null);
      return [{ error: (e as Error).message }];
    }
    gens.push(g);
    return c.calls.map((call): Outcome => {
      try {
        return { values: toDoubles(callOurs(g, call)) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
  });
  return { outcomes, gens };
}

/** Differences between our outcomes and numpy's: values not bit-identical, or errors on one side. */
export function differences(cases: Case[], a: Outcome[][], b: Outcome[][]): string[] {
  const out: string[] = [];
  cases.forEach((c, k) => {
    if (a[k].length !== b[k].length) {
      out.push(`case ${k} (${c.kind} ${c.seed}): ${a[k].length} vs ${b[k].length} outcomes`);
      return;
    }
    a[k].forEach((x, j) => {
      const y = b[k][j];
      const where = `case ${k} (${c.kind} seed ${c.seed}) call ${j} ${
        JSON.stringify(c.calls[j] ?? "constructor", (_k, v) => typeof v === "bigint" ? `${v}` : v)
      }`;
      if ("error" in x || "error" in y) {
        if (!("error" in x && "error" in y)) {
          out.push(
            `${where}: ${
              "error" in x
                ? `ours threw ${x.error}`
                : `numpy raised ${(y as { error: string }).error}`
            }`,
          );
        }
        return;
      }
      if (x.values.length !== y.values.length) {
        out.push(`${where}: ${x.values.length} vs ${y.values.length} values`);
        return;
      }
      let bad = 0;
      let first = -1;
      for (let i = 0; i < x.values.length; i++) {
        if (!Object.is(x.values[i], y.values[i])) {
          bad++;
          if (first < 0) first = i;
        }
      }
      if (bad > 0) {
        out.push(
          `${where}: ${bad} of ${x.values.length} values differ, first at ${first}: ` +
            `${x.values[first]} vs ${y.values[first]}`,
        );
      }
    });
  });
  return out;
}
