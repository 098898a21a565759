/**
 * Throughput of `lib/np_random` against numpy in the same run: draws per second of `uniform`,
 * `standardNormal`, `integers` (32-bit and 64-bit ranges), the legacy `RandomState.randn` and
 * `randint`, and seeded generators per second (`npRandom(seed)`, what a seeded reset costs).
 *
 * Ours are measured as scalar calls in a loop (how environments draw) and as one call with
 * `size`; numpy as one vectorised call with `size` (its best case) and as scalar calls from Python
 * (what a Gymnasium env's `reset` pays per draw).
 *
 * Usage: `deno run --allow-read --allow-env --allow-run bench/np_random.ts [--n N]`
 * (run it under the shared lock: `flock /tmp/pgsubspace-heavy.lock deno run ... `).
 *
 * @module
 */
import { npRandom, RandomState } from "../lib/np_random/mod.ts";
import { findPython } from "../tools/python_ref.ts";

const nIndex = Deno.args.indexOf("--n");
const N = nIndex >= 0 ? Number(Deno.args[nIndex + 1]) : 1_000_000;
if (!Number.isSafeInteger(N) || N < 1000) throw new RangeError("--n must be an integer >= 1000");

interface Row {
  what: string;
  scalar: number; // our draws/s, scalar calls
  sized: number; // our draws/s, one call with size
  numpySized?: number;
  numpyScalar?: number;
}

/** Best of three timings of `f`, which makes `count` draws; returns draws/s. */
function rate(count: number, f: () => number): number {
  let best = Infinity;
  let sink = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    sink += f();
    best = Math.min(best, performance.now() - t0);
  }
  if (Number.isNaN(sink)) console.log("(NaN sink)");
  return count / (best / 1e3);
}

function scalarLoop(draw: () => number): () => number {
  return () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += draw();
    return s;
  };
}

const g = npRandom(0);
const rs = new RandomState(0);
const rows: Row[] = [
  {
    what: "uniform(-1, 1)",
    scalar: rate(N, scalarLoop(() => g.uniform(-1, 1))),
    sized: rate(N, () => g.uniform(-1, 1, N)[0]),
  },
  {
    what: "standard_normal",
    scalar: rate(N, scalarLoop(() => g.standardNormal())),
    sized: rate(N, () => g.standardNormal(N)[0]),
  },
  {
    what: "integers(0, 10)",
    scalar: rate(N, scalarLoop(() => g.integers(0, 10))),
    sized: rate(N, () => g.integers(0, 10, N)[0]),
  },
  {
    what: "integers(0, 2**40)",
    scalar: rate(N, scalarLoop(() => g.integers(0, 2 ** 40))),
    sized: rate(N, () => g.integers(0, 2 ** 40, N)[0]),
  },
  {
    what: "RandomState.uniform",
    scalar: rate(N, scalarLoop(() => rs.uniform(-1, 1))),
    sized: rate(N, () => rs.uniform(-1, 1, N)[0]),
  },
  {
    what: "RandomState.randn",
    scalar: rate(N, scalarLoop(() => rs.randn())),
    sized: rate(N, () => rs.randn(N)[0]),
  },
  {
    what: "RandomState.randint(0, 10)",
    scalar: rate(N, scalarLoop(() => rs.randint(0, 10))),
    sized: rate(N, () => rs.randint(0, 10, N)[0]),
  },
];
const seeds = Math.max(1000, Math.floor(N / 100));
rows.push({
  what: "np_random(seed) (generators/s)",
  scalar: rate(seeds, () => {
    let s = 0;
    for (let i = 0; i < seeds; i++) s += npRandom(i).uniform();
    return s;
  }),
  sized: NaN,
});

const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
from gymnasium.utils import seeding
n = int(sys.argv[1])
ns = max(1000, n // 10)
g = np.random.default_rng(0)
rs = np.random.RandomState(0)
def rate(count, f):
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    return count / best
def loop(f):
    def run():
        for _ in range(ns): f()
    return run
out = {
  "uniform(-1, 1)": [rate(n, lambda: g.uniform(-1, 1, n)), rate(ns, loop(lambda: g.uniform(-1, 1)))],
  "standard_normal": [rate(n, lambda: g.standard_normal(n)), rate(ns, loop(g.standard_normal))],
  "integers(0, 10)": [rate(n, lambda: g.integers(0, 10, n)), rate(ns, loop(lambda: g.integers(0, 10)))],
  "integers(0, 2**40)": [rate(n, lambda: g.integers(0, 2**40, n)), rate(ns, loop(lambda: g.integers(0, 2**40)))],
  "RandomState.uniform": [rate(n, lambda: rs.uniform(-1, 1, n)), rate(ns, loop(lambda: rs.uniform(-1, 1)))],
  "RandomState.randn": [rate(n, lambda: rs.randn(n)), rate(ns, loop(rs.randn))],
  "RandomState.randint(0, 10)": [rate(n, lambda: rs.randint(0, 10, n)), rate(ns, loop(lambda: rs.randint(0, 10)))],
  "np_random(seed) (generators/s)": [None, rate(ns // 10, lambda: [seeding.np_random(i)[0].uniform() for i in range(ns // 10)])],
}
json.dump({"numpy": np.__version__, "rows": out}, sys.stdout)
`;

const python = await findPython("gymnasium");
let reference = "numpy: not measured (no Python with numpy and gymnasium found)";
if (python !== null) {
  const { success, stdout, stderr } = await new Deno.Command(python, {
    args: ["-c", NUMPY_SCRIPT, String(N)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(new TextDecoder().decode(stderr));
  const parsed = JSON.parse(new TextDecoder().decode(stdout));
  reference = `numpy ${parsed.numpy} (${python}), same run`;
  for (const row of rows) {
    const [sized, scalar] = parsed.rows[row.what] ?? [undefined, undefined];
    row.numpySized = sized ?? undefined;
    row.numpyScalar = scalar;
  }
}

const fmt = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? "–" : `${(x / 1e6).toFixed(x < 1e6 ? 3 : 1)}M`;
const ratio = (a: number, b: number | undefined) =>
  b === undefined || Number.isNaN(a) ? "–" : `${(a / b).toFixed(2)}x`;
console.log(`np_random throughput, N = ${N} draws; reference: ${reference}\n`);
console.log(
  "| draw | ours scalar calls/s | ours size=N /s | numpy size=N /s | numpy scalar calls/s | " +
    "ours scalar / numpy scalar | ours size=N / numpy size=N |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.what} | ${fmt(r.scalar)} | ${fmt(r.sized)} | ${fmt(r.numpySized)} | ` +
      `${fmt(r.numpyScalar)} | ${ratio(r.scalar, r.numpyScalar)} | ${
        ratio(r.sized, r.numpySized)
      } |`,
  );
}
