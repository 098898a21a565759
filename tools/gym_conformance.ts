/**
 * Conformance of our classic-control environments with Python Gymnasium.
 *
 * Builds trajectories (start states plus action sequences: random states, random and partly
 * out-of-range actions, float32 and float64 actions, non-default env options, and for
 * MountainCarContinuous runs that reach the goal, hit the left wall and run into the 999-step
 * limit), rolls them in our environments and in Gymnasium (`tools/gym_conformance.py`), and reports
 * the largest absolute differences of observations and rewards plus any differing
 * `terminated`/`truncated` flag.
 *
 * Seeded resets are compared separately and must be bit-identical: for seeds 0-49 and a few
 * large ones, with and without reset options, `reset({ seed })` followed by unseeded resets gives
 * the same observations, the same float64 physical state and the same final generator state as
 * Gymnasium's `reset(seed=...)` (both draw from numpy's `np_random(seed)`).
 *
 * Usage: `deno run --allow-read --allow-env --allow-run tools/gym_conformance.ts [--seed N]`.
 * Exits 1 when a difference exceeds 1e-6 or a flag differs; exits 0 with a message when no Python
 * with gymnasium is found (`PGSUBSPACE_PYTHON`, `.venv/bin/python`, `python3`).
 *
 * @module
 */
import { Rng } from "../lib/rng.ts";
import {
  makeEnv,
  MountainCarContinuousEnv,
  type PendulumEnv,
  type StepResult,
} from "../lib/envs/mod.ts";
import { findPython, runPythonJson } from "./python_ref.ts";

/**
 * Largest allowed absolute difference of observations and rewards.
 *
 * @example
 * ```ts
 * import { CONFORMANCE_TOLERANCE } from "./gym_conformance.ts";
 * Math.abs(0.1 - 0.1000000001) <= CONFORMANCE_TOLERANCE; // true
 * ```
 */
export const CONFORMANCE_TOLERANCE = 1e-6;

/**
 * One trajectory to roll in both implementations.
 *
 * @example
 * ```ts
 * import type { ConformanceCase } from "./gym_conformance.ts";
 * const c: ConformanceCase = {
 *   env: "Pendulum-v1", kwargs: {}, state: [1, 0], dtype: "float32", actions: [[0.5], [-3]],
 * };
 * ```
 */
export interface ConformanceCase {
  /** Registered id (same in Gymnasium). */
  env: "Pendulum-v1" | "MountainCarContinuous-v0";
  /** Environment options (Gymnasium keyword arguments). */
  kwargs: Record<string, number>;
  /** Physical state set after `reset(seed=0)`, float64. */
  state: [number, number];
  /** Action dtype: float32 (`Float32Array`) or float64 (plain arrays). */
  dtype: "float32" | "float64";
  /** One action per step. */
  actions: number[][];
  /** What the case exercises, for the report. */
  label?: string;
}

/**
 * The recorded steps of one trajectory.
 *
 * @example
 * ```ts
 * import type { Trajectory } from "./gym_conformance.ts";
 * const t: Trajectory = { obs: [[1, 0, 0]], rewards: [-0], terminated: [false], truncated: [false] };
 * ```
 */
export interface Trajectory {
  /** Observation after each step. */
  obs: number[][];
  /** Reward of each step. */
  rewards: number[];
  /** `terminated` of each step. */
  terminated: boolean[];
  /** `truncated` of each step. */
  truncated: boolean[];
}

/**
 * The comparison for one environment id.
 *
 * @example
 * ```ts
 * import type { ConformanceRow } from "./gym_conformance.ts";
 * const row: ConformanceRow = {
 *   env: "Pendulum-v1", cases: 7, steps: 1400, maxObsDiff: 0, maxRewardDiff: 0,
 *   flagMismatches: 0, exactSteps: 1400, terminations: 0, truncations: 7,
 * };
 * ```
 */
export interface ConformanceRow {
  /** Environment id. */
  env: string;
  /** Number of trajectories. */
  cases: number;
  /** Steps compared. */
  steps: number;
  /** max |obs_ours − obs_gym| over all steps and elements. */
  maxObsDiff: number;
  /** max |r_ours − r_gym| over all steps. */
  maxRewardDiff: number;
  /** Steps whose `terminated` or `truncated` flag differs. */
  flagMismatches: number;
  /** Steps where observation and reward agree bit for bit. */
  exactSteps: number;
  /** Steps with terminated = true (in Gymnasium's rollout). */
  terminations: number;
  /** Steps with truncated = true (in Gymnasium's rollout). */
  truncations: number;
}

/**
 * A seeded reset followed by unseeded ones, to compare with Gymnasium.
 *
 * @example
 * ```ts
 * import type { ResetCase } from "./gym_conformance.ts";
 * const c: ResetCase = { env: "Pendulum-v1", kwargs: {}, seed: 0, unseeded: 2 };
 * ```
 */
export interface ResetCase {
  /** Registered id (same in Gymnasium). */
  env: "Pendulum-v1" | "MountainCarContinuous-v0";
  /** Environment options (Gymnasium keyword arguments). */
  kwargs: Record<string, number>;
  /** The seed of the first reset. */
  seed: number;
  /** Reset options, passed to every reset. */
  options?: Record<string, number>;
  /** How many unseeded resets follow. */
  unseeded: number;
}

/**
 * What a reset case produced: every reset's observation and float64 physical state, and the
 * generator state at the end.
 *
 * @example
 * ```ts
 * import type { ResetRecord } from "./gym_conformance.ts";
 * const r: ResetRecord = { obs: [[1, 0, 0]], state: [[0, 0]], rng: null };
 * ```
 */
export interface ResetRecord {
  /** Observation of each reset. */
  obs: number[][];
  /** Physical state after each reset (Gymnasium's `env.unwrapped.state`). */
  state: number[][];
  /** The generator state after the last reset (`{ state, inc, hasUint32, uinteger }`). */
  rng: Record<string, unknown> | null;
}

/**
 * The comparison of seeded resets for one environment id: counts of differing resets.
 *
 * @example
 * ```ts
 * import type { ResetRow } from "./gym_conformance.ts";
 * const row: ResetRow = { env: "Pendulum-v1", cases: 60, resets: 180, obsMismatches: 0,
 *   stateMismatches: 0, rngMismatches: 0 };
 * ```
 */
export interface ResetRow {
  /** Environment id. */
  env: string;
  /** Reset cases (seeds × option sets). */
  cases: number;
  /** Resets compared. */
  resets: number;
  /** Resets whose observation is not bit-identical. */
  obsMismatches: number;
  /** Resets whose float64 physical state is not bit-identical. */
  stateMismatches: number;
  /** Cases whose final generator state differs. */
  rngMismatches: number;
}

/**
 * A reproducible set of conformance trajectories (≥ 1000 steps per environment).
 *
 * @example
 * ```ts
 * import { conformanceCases } from "./gym_conformance.ts";
 * const cases = conformanceCases(0);
 * cases.length; // a dozen or so trajectories
 * ```
 */
export function conformanceCases(seed = 20240101): ConformanceCase[] {
  const rng = new Rng(seed);
  const cases: ConformanceCase[] = [];
  const randomActions = (n: number, lo: number, hi: number, f32: boolean) =>
    Array.from({ length: n }, () => {
      const a = rng.uniform(lo, hi);
      return [f32 ? Math.fround(a) : a];
    });

  // Pendulum-v1: random states (some far outside [-π, π] or at the speed limit), actions in
  // [-3, 3] (a third out of range) with a few exact bounds; 210 steps cross the 200-step limit.
  const pendulumStates: [number, number][] = [
    [rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1)],
    [rng.uniform(-Math.PI, Math.PI), rng.uniform(-8, 8)],
    [rng.uniform(-20, 20), rng.uniform(-8, 8)],
    [Math.PI, 0],
    [0.1, 7.99],
  ];
  for (const state of pendulumStates) {
    const actions = randomActions(210, -3, 3, true);
    actions[3] = [2];
    actions[4] = [-2];
    actions[5] = [0];
    cases.push({ env: "Pendulum-v1", kwargs: {}, state, dtype: "float32", actions });
  }
  cases.push({
    env: "Pendulum-v1",
    kwargs: {},
    state: [rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1)],
    dtype: "float64",
    actions: randomActions(120, -3, 3, false),
    label: "float64 actions",
  });
  cases.push({
    env: "Pendulum-v1",
    kwargs: { g: 9.81 },
    state: [rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1)],
    dtype: "float32",
    actions: randomActions(80, -3, 3, true),
    label: "g = 9.81",
  });

  // MountainCarContinuous-v0: random states and actions in [-2, 2] (half out of range).
  for (let k = 0; k < 3; k++) {
    cases.push({
      env: "MountainCarContinuous-v0",
      kwargs: {},
      state: [rng.uniform(-1.2, 0.44), rng.uniform(-0.07, 0.07)],
      dtype: "float32",
      actions: randomActions(150, -2, 2, true),
    });
  }
  cases.push({
    env: "MountainCarContinuous-v0",
    kwargs: {},
    state: [rng.uniform(-1.2, 0.44), rng.uniform(-0.07, 0.07)],
    dtype: "float64",
    actions: randomActions(150, -2, 2, false),
    label: "float64 actions",
  });
  // Energy pumping from the usual start region: reaches the goal; some actions exactly ±1,
  // some beyond the bounds, some inside.
  for (const [k, gain] of [[0, 1], [1, 1.7], [2, 0.8]] as const) {
    cases.push(pumpingCase([rng.uniform(-0.6, -0.4), 0], gain, k === 2 ? "float64" : "float32"));
  }
  // Into the left wall at full reverse thrust, then away from it.
  cases.push({
    env: "MountainCarContinuous-v0",
    kwargs: {},
    state: [-1.1, -0.06],
    dtype: "float32",
    actions: [
      ...Array.from({ length: 25 }, () => [-1]),
      ...Array.from({ length: 15 }, () => [-1.5]),
      ...randomActions(40, -1, 1, true),
    ],
    label: "left wall",
  });
  // Just below the goal; and a stricter goal velocity.
  cases.push({
    env: "MountainCarContinuous-v0",
    kwargs: {},
    state: [0.449, 0.01],
    dtype: "float32",
    actions: [[0.5], [0.5], [0.5]],
    label: "goal",
  });
  cases.push(pumpingCase([-0.5, 0], 1, "float32", { goal_velocity: 0.03 }));
  // Weak random actions from a reset-like state: runs into the 999-step limit.
  cases.push({
    env: "MountainCarContinuous-v0",
    kwargs: {},
    state: [rng.uniform(-0.6, -0.4), 0],
    dtype: "float32",
    actions: randomActions(1002, -0.3, 0.3, true),
    label: "time limit 999",
  });
  return cases;
}

/**
 * Seeded reset cases: seeds 0-49 and some large ones for both envs, with default and custom reset
 * options, each followed by two unseeded resets.
 *
 * @example
 * ```ts
 * import { resetCases } from "./gym_conformance.ts";
 * resetCases().length; // 2 envs × 56 seeds × 2 option sets
 * ```
 */
export function resetCases(): ResetCase[] {
  const seeds = [
    ...Array.from({ length: 50 }, (_, i) => i),
    2 ** 31 - 1,
    2 ** 32,
    2 ** 32 + 5,
    10 ** 12,
    123456789,
    2 ** 53 - 1,
  ];
  const cases: ResetCase[] = [];
  for (const seed of seeds) {
    for (const options of [undefined, { x_init: 0.5, y_init: 0.1 }]) {
      cases.push({ env: "Pendulum-v1", kwargs: {}, seed, options, unseeded: 2 });
    }
    for (const options of [undefined, { low: -0.7, high: -0.5 }]) {
      cases.push({ env: "MountainCarContinuous-v0", kwargs: {}, seed, options, unseeded: 2 });
    }
  }
  return cases;
}

/**
 * Runs the reset cases in our environments (through `makeEnv`).
 *
 * @example
 * ```ts
 * import { resetCases, rollResetsOurs } from "./gym_conformance.ts";
 * const records = rollResetsOurs(resetCases().slice(0, 2));
 * ```
 */
export function rollResetsOurs(cases: readonly ResetCase[]): ResetRecord[] {
  return cases.map((c) => {
    const env = makeEnv(c.env, { ...c.kwargs });
    const inner = env.unwrapped as PendulumEnv | MountainCarContinuousEnv;
    const out: ResetRecord = { obs: [], state: [], rng: null };
    for (let k = 0; k <= c.unseeded; k++) {
      const { obs } = env.reset(
        k === 0 ? { seed: c.seed, options: c.options } : { options: c.options },
      );
      out.obs.push(Array.from(obs));
      out.state.push([...inner.physicalState]);
    }
    const { bitGenerator: _, ...rng } = inner.npRandom.getState();
    out.rng = rng;
    return out;
  });
}

/**
 * Compares reset records per environment id (bit-identical or not).
 *
 * @example
 * ```ts
 * import { compareResets, resetCases, rollResetsOurs } from "./gym_conformance.ts";
 * const cases = resetCases();
 * const ours = rollResetsOurs(cases);
 * compareResets(cases, ours, ours); // no mismatches
 * ```
 */
export function compareResets(
  cases: readonly ResetCase[],
  ours: readonly ResetRecord[],
  reference: readonly ResetRecord[],
): ResetRow[] {
  const rows = new Map<string, ResetRow>();
  const same = (a: number[], b: number[]) =>
    a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  cases.forEach((c, k) => {
    const row = rowOf(rows, c.env, () => ({
      env: c.env,
      cases: 0,
      resets: 0,
      obsMismatches: 0,
      stateMismatches: 0,
      rngMismatches: 0,
    }));
    row.cases++;
    const a = ours[k], b = reference[k];
    for (let t = 0; t < b.obs.length; t++) {
      row.resets++;
      if (!same(a.obs[t], b.obs[t])) row.obsMismatches++;
      if (!same(a.state[t], b.state[t])) row.stateMismatches++;
    }
    if (JSON.stringify(a.rng) !== JSON.stringify(b.rng)) row.rngMismatches++;
  });
  return [...rows.values()];
}

/** The row for `env` in `rows`, created by `make` on first use. */
function rowOf<R>(rows: Map<string, R>, env: string, make: () => R): R {
  let row = rows.get(env);
  if (row === undefined) {
    row = make();
    rows.set(env, row);
  }
  return row;
}

/** Bang-bang "push along the velocity" actions, computed by rolling our own env. */
function pumpingCase(
  state: [number, number],
  gain: number,
  dtype: "float32" | "float64",
  kwargs: Record<string, number> = {},
): ConformanceCase {
  const env = new MountainCarContinuousEnv(kwargs);
  env.reset({ seed: 0 });
  env.setPhysicalState(state);
  const actions: number[][] = [];
  let velocity = state[1];
  for (let t = 0; t < 400; t++) {
    const a = velocity >= 0 ? gain : -gain;
    actions.push([a]);
    const r = env.step(dtype === "float32" ? new Float32Array([a]) : [a]);
    velocity = r.obs[1];
    if (r.terminated) {
      actions.push([gain], [-gain]); // keep stepping a little past the goal
      break;
    }
  }
  const label = `reach goal (gain ${gain}${kwargs.goal_velocity ? ", goal_velocity" : ""})`;
  return { env: "MountainCarContinuous-v0", kwargs, state, dtype, actions, label };
}

/**
 * Rolls the cases in our environments (through `makeEnv`, so with the registered time limits).
 *
 * @example
 * ```ts
 * import { conformanceCases, rollOurs } from "./gym_conformance.ts";
 * const trajectories = rollOurs(conformanceCases());
 * ```
 */
export function rollOurs(cases: readonly ConformanceCase[]): Trajectory[] {
  return cases.map((c) => {
    const env = makeEnv(c.env, { ...c.kwargs });
    env.reset({ seed: 0 });
    (env.unwrapped as PendulumEnv | MountainCarContinuousEnv).setPhysicalState(c.state);
    const out: Trajectory = { obs: [], rewards: [], terminated: [], truncated: [] };
    for (const a of c.actions) {
      const r: StepResult = env.step(c.dtype === "float32" ? Float32Array.from(a) : [...a]);
      out.obs.push(Array.from(r.obs));
      out.rewards.push(r.reward);
      out.terminated.push(r.terminated);
      out.truncated.push(r.truncated);
    }
    return out;
  });
}

/**
 * Rolls the cases in Gymnasium with `tools/gym_conformance.py`.
 *
 * @example
 * ```ts
 * import { conformanceCases, rollGymnasium } from "./gym_conformance.ts";
 * import { findPython, runPythonJson } from "./python_ref.ts";
 * const python = await findPython("gymnasium");
 * if (python) await rollGymnasium(python, conformanceCases());
 * ```
 */
export async function rollGymnasium(
  python: string,
  cases: readonly ConformanceCase[],
  resets: readonly ResetCase[] = [],
): Promise<{ trajectories: Trajectory[]; resets: ResetRecord[]; versions: string }> {
  const script = new URL("./gym_conformance.py", import.meta.url).pathname;
  // deno-lint-ignore no-explicit-any
  const parsed = await runPythonJson(python, script, { cases, resets }) as any;
  return {
    trajectories: parsed.results,
    resets: parsed.resets ?? [],
    versions: `gymnasium ${parsed.gymnasium}, numpy ${parsed.numpy}`,
  };
}

/**
 * Compares two sets of trajectories per environment id.
 *
 * @example
 * ```ts
 * import { compareTrajectories, conformanceCases, rollOurs } from "./gym_conformance.ts";
 * const cases = conformanceCases();
 * const ours = rollOurs(cases);
 * compareTrajectories(cases, ours, ours); // all differences 0
 * ```
 */
export function compareTrajectories(
  cases: readonly ConformanceCase[],
  ours: readonly Trajectory[],
  reference: readonly Trajectory[],
): ConformanceRow[] {
  const rows = new Map<string, ConformanceRow>();
  cases.forEach((c, k) => {
    const row = rowOf(rows, c.env, () => ({
      env: c.env,
      cases: 0,
      steps: 0,
      maxObsDiff: 0,
      maxRewardDiff: 0,
      flagMismatches: 0,
      exactSteps: 0,
      terminations: 0,
      truncations: 0,
    }));
    const a = ours[k];
    const b = reference[k];
    if (a.rewards.length !== b.rewards.length) {
      throw new Error(`case ${k}: ${a.rewards.length} vs ${b.rewards.length} steps`);
    }
    row.cases++;
    for (let t = 0; t < a.rewards.length; t++) {
      row.steps++;
      let exact = a.rewards[t] === b.rewards[t];
      row.maxRewardDiff = Math.max(row.maxRewardDiff, Math.abs(a.rewards[t] - b.rewards[t]));
      for (let i = 0; i < b.obs[t].length; i++) {
        const d = Math.abs(a.obs[t][i] - b.obs[t][i]);
        if (!(d === 0)) exact = false;
        row.maxObsDiff = Math.max(row.maxObsDiff, Number.isNaN(d) ? Infinity : d);
      }
      if (exact) row.exactSteps++;
      if (a.terminated[t] !== b.terminated[t] || a.truncated[t] !== b.truncated[t]) {
        row.flagMismatches++;
      }
      if (b.terminated[t]) row.terminations++;
      if (b.truncated[t]) row.truncations++;
    }
  });
  return [...rows.values()];
}

/**
 * The whole check: null when no Python with gymnasium is found, else the per-env rows.
 *
 * @example
 * ```ts
 * import { runConformance } from "./gym_conformance.ts";
 * const report = await runConformance();
 * if (report) console.table(report.rows);
 * ```
 */
export async function runConformance(
  options: { python?: string; seed?: number } = {},
): Promise<
  { rows: ConformanceRow[]; resetRows: ResetRow[]; versions: string; python: string } | null
> {
  const python = options.python ?? await findPython("gymnasium");
  if (python === null) return null;
  const cases = conformanceCases(options.seed);
  const ours = rollOurs(cases);
  const resets = resetCases();
  const { trajectories, resets: gymResets, versions } = await rollGymnasium(python, cases, resets);
  return {
    rows: compareTrajectories(cases, ours, trajectories),
    resetRows: compareResets(resets, rollResetsOurs(resets), gymResets),
    versions,
    python,
  };
}

/**
 * True when every seeded reset was bit-identical to Gymnasium's.
 *
 * @example
 * ```ts
 * import { resetsPassed } from "./gym_conformance.ts";
 * resetsPassed([]); // true
 * ```
 */
export function resetsPassed(rows: readonly ResetRow[]): boolean {
  return rows.every((r) =>
    r.obsMismatches === 0 && r.stateMismatches === 0 && r.rngMismatches === 0
  );
}

/**
 * True when every row is within {@linkcode CONFORMANCE_TOLERANCE} and no flag differs.
 *
 * @example
 * ```ts
 * import { conformancePassed } from "./gym_conformance.ts";
 * conformancePassed([]); // true
 * ```
 */
export function conformancePassed(rows: readonly ConformanceRow[]): boolean {
  return rows.every((r) =>
    r.maxObsDiff <= CONFORMANCE_TOLERANCE && r.maxRewardDiff <= CONFORMANCE_TOLERANCE &&
    r.flagMismatches === 0
  );
}

if (import.meta.main) {
  const seedIndex = Deno.args.indexOf("--seed");
  const seed = seedIndex >= 0 ? Number(Deno.args[seedIndex + 1]) : undefined;
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    console.error("usage: gym_conformance.ts [--seed N]");
    Deno.exit(2);
  }
  const report = await runConformance({ seed });
  if (report === null) {
    console.log(
      "SKIPPED: no Python with gymnasium found (set PGSUBSPACE_PYTHON or create .venv)",
    );
    Deno.exit(0);
  }
  console.log(`Reference: ${report.versions} (${report.python})`);
  console.log(
    "| env | cases | steps | max abs Δobs | max abs Δreward | flag mismatches | bit-exact steps | " +
      "terminations | truncations |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of report.rows) {
    console.log(
      `| ${r.env} | ${r.cases} | ${r.steps} | ${r.maxObsDiff.toExponential(2)} | ` +
        `${r.maxRewardDiff.toExponential(2)} | ${r.flagMismatches} | ${r.exactSteps} | ` +
        `${r.terminations} | ${r.truncations} |`,
    );
  }
  console.log("\nSeeded resets (bit-identical required):\n");
  console.log("| env | cases | resets | Δobs | Δstate | Δgenerator state |");
  console.log("|---|---|---|---|---|---|");
  for (const r of report.resetRows) {
    console.log(
      `| ${r.env} | ${r.cases} | ${r.resets} | ${r.obsMismatches} | ${r.stateMismatches} | ` +
        `${r.rngMismatches} |`,
    );
  }
  const ok = conformancePassed(report.rows) && resetsPassed(report.resetRows);
  console.log(ok ? `PASS (tolerance ${CONFORMANCE_TOLERANCE}, resets exact)` : "FAIL");
  if (!ok) Deno.exit(1);
}
