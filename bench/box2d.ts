/**
 * Box2D task throughput: env steps/s of `LunarLanderContinuous-v3`, `BipedalWalker-v3` and
 * `BipedalWalkerHardcore-v3` through `makeEnv` (TimeLimit included), resetting whenever an
 * episode ends, under two policies: uniform random actions and the oracle recordings' sine policy
 * (`1.2·sin(0.05·t·(i+1) + 0.7·seed + i)`, unclipped). Each figure is the best of `--repeats`
 * runs of `--seconds` (the machine is shared). pybox2d cannot be installed here, so the
 * Gymnasium 1.3 + pybox2d figures are the references measured on this machine class (issue 13):
 * LunarLanderContinuous-v3 35.1k steps/s, BipedalWalker-v3 9.2k steps/s. Target ≥ 1x.
 *
 * Usage: `deno run -A bench/box2d.ts [--seconds S] [--repeats R]` (run it under
 * `flock /tmp/pgsubspace-heavy.lock`).
 *
 * @module
 */
import { makeEnv } from "../lib/envs/mod.ts";
import { npRandom } from "../lib/np_random/mod.ts";

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  const value = i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
const SECONDS = flag("--seconds", 2);
const REPEATS = Math.round(flag("--repeats", 3));

/** Gymnasium 1.3 + pybox2d steps/s on this machine class (issue 13), null where not measured. */
const REFERENCE: Record<string, number | null> = {
  "LunarLanderContinuous-v3": 35_100,
  "BipedalWalker-v3": 9_200,
  "BipedalWalkerHardcore-v3": null,
};

interface Result {
  stepsPerSecond: number;
  episodes: number;
  steps: number;
}

/**
 * Steps `id` for about SECONDS, resetting at episode ends. Actions are cycled from `actions`;
 * with `restart` every episode starts again at `actions[0]` (the sine policy's t counts steps of
 * the episode), otherwise the stream continues (random actions).
 */
function run(id: string, actions: Float32Array[], restart: boolean, seed: number): Result {
  const env = makeEnv(id);
  env.reset({ seed });
  let k = 0;
  let steps = 0;
  let episodes = 0;
  const chunk = () => {
    for (let i = 0; i < 200; i++) {
      const r = env.step(actions[k]);
      k = k + 1 === actions.length ? 0 : k + 1;
      steps++;
      if (r.terminated || r.truncated) {
        env.reset();
        episodes++;
        if (restart) k = 0;
      }
    }
  };
  const warmupEnd = performance.now() + 300;
  while (performance.now() < warmupEnd) chunk();
  steps = 0;
  episodes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < SECONDS * 1e3) {
    chunk();
    now = performance.now();
  }
  return { stepsPerSecond: steps / ((now - start) / 1e3), episodes, steps };
}

function best(id: string, actions: Float32Array[], restart: boolean): Result {
  let top: Result | null = null;
  for (let r = 0; r < REPEATS; r++) {
    const result = run(id, actions, restart, r);
    if (top === null || result.stepsPerSecond > top.stepsPerSecond) top = result;
  }
  return top!;
}

const rows: string[][] = [];
for (const id of Object.keys(REFERENCE)) {
  const dim = makeEnv(id).actionSpace.size;
  const gen = npRandom(0);
  const random = Array.from({ length: 4096 }, () => Float32Array.from(gen.uniform(-1, 1, dim)));
  // The sine policy of seed 0 over a 2000-step episode (longer than any time limit here).
  const sine = Array.from(
    { length: 2000 },
    (_, t) => Float32Array.from({ length: dim }, (_, i) => 1.2 * Math.sin(0.05 * t * (i + 1) + i)),
  );
  for (const [policy, actions] of [["random", random], ["sine", sine]] as const) {
    const r = best(id, actions, policy === "sine");
    const ref = REFERENCE[id];
    rows.push([
      id,
      policy,
      `${(r.stepsPerSecond / 1e3).toFixed(1)}k`,
      r.episodes > 0 ? (r.steps / r.episodes).toFixed(0) : "—",
      ref === null ? "—" : `${(ref / 1e3).toFixed(1)}k`,
      ref === null ? "—" : `${(r.stepsPerSecond / ref).toFixed(2)}x`,
    ]);
  }
}

const header = [
  "task",
  "policy",
  "steps/s",
  "mean episode length",
  "Gymnasium 1.3 + pybox2d",
  "ratio",
];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
const line = (cells: string[]) => `| ${cells.map((s, c) => s.padEnd(widths[c])).join(" | ")} |`;
console.log(`Box2D env steps/s: best of ${REPEATS} × ${SECONDS} s, makeEnv with resets\n`);
console.log(line(header));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const row of rows) console.log(line(row));
console.log(
  "\nReferences: Gymnasium 1.3 + pybox2d 2.3.10 on this machine class (issue 13); pybox2d is " +
    "not installable here, so they are not re-measured in this run.",
);
