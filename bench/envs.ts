/**
 * Environment step throughput: `Pendulum-v1` through `makeEnv` (one env) and through a
 * `SyncVectorEnv` of 8 (counting all 8 env steps), with precomputed random actions, and — when a
 * Python with gymnasium is found — Gymnasium's `gym.make("Pendulum-v1")` measured in the same run.
 * Target: ≥ 50x Gymnasium.
 *
 * Usage: `deno run --allow-read --allow-env --allow-run bench/envs.ts [--seconds S]`
 *
 * @module
 */
import { Rng } from "../lib/rng.ts";
import { makeEnv, makeVecEnv } from "../lib/envs/mod.ts";
import { findPython } from "../tools/python_ref.ts";
import { stepsPerSecond as measureRate } from "./_timing.ts";

const secondsIndex = Deno.args.indexOf("--seconds");
const SECONDS = secondsIndex >= 0 ? Number(Deno.args[secondsIndex + 1]) : 1;
if (!(SECONDS > 0)) throw new RangeError("--seconds must be a positive number");
const NUM_ACTIONS = 4096; // distinct precomputed actions, cycled

function benchSingle(): number {
  const rng = new Rng(0);
  const env = makeEnv("Pendulum-v1");
  const actions = Array.from({ length: NUM_ACTIONS }, () => new Float32Array([rng.uniform(-2, 2)]));
  env.reset({ seed: 0 });
  let k = 0;
  let sink = 0;
  const chunk = () => {
    for (let i = 0; i < 1000; i++) {
      const r = env.step(actions[k]);
      k = (k + 1) & (NUM_ACTIONS - 1);
      sink += r.obs[0];
      if (r.terminated || r.truncated) env.reset();
    }
  };
  const stepsPerSecond = measureRate(chunk, 1000, SECONDS);
  if (Number.isNaN(sink)) throw new Error("unreachable");
  return stepsPerSecond;
}

function benchVector(numEnvs: number): number {
  const rng = new Rng(1);
  const venv = makeVecEnv("Pendulum-v1", numEnvs);
  const batches = Array.from(
    { length: NUM_ACTIONS },
    () => rng.fillUniform(new Float32Array(numEnvs), -2, 2),
  );
  venv.reset({ seed: 0 });
  let k = 0;
  let sink = 0;
  const chunk = () => {
    for (let i = 0; i < 125; i++) {
      const r = venv.step(batches[k]);
      k = (k + 1) & (NUM_ACTIONS - 1);
      sink += r.obs[0];
    }
  };
  const stepsPerSecond = measureRate(chunk, 125 * numEnvs, SECONDS);
  if (Number.isNaN(sink)) throw new Error("unreachable");
  return stepsPerSecond;
}

const GYM_SCRIPT = `
import sys, time
import numpy as np
import gymnasium as gym
seconds = float(sys.argv[1])
env = gym.make("Pendulum-v1")
env.reset(seed=0)
actions = np.random.default_rng(0).uniform(-2, 2, (4096, 1)).astype(np.float32)
def chunk(k):
    for i in range(1000):
        obs, r, term, trunc, info = env.step(actions[(k + i) & 4095])
        if term or trunc:
            env.reset()
t_end = time.perf_counter() + 0.2
k = 0
while time.perf_counter() < t_end:
    chunk(k); k += 1000
steps = 0
start = time.perf_counter()
now = start
while now - start < seconds:
    chunk(k); k += 1000; steps += 1000
    now = time.perf_counter()
print(steps / (now - start))
`;

async function benchGymnasium(python: string): Promise<number> {
  const { success, stdout, stderr } = await new Deno.Command(python, {
    args: ["-c", GYM_SCRIPT, String(SECONDS)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`Gymnasium benchmark failed:\n${new TextDecoder().decode(stderr)}`);
  return Number(new TextDecoder().decode(stdout).trim());
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const python = await findPython("gymnasium");
const gym = python === null ? null : await benchGymnasium(python);
const single = benchSingle();
const vector = benchVector(8);
const ratio = (x: number) => (gym === null ? "n/a" : `${(x / gym).toFixed(1)}x`);

console.log(`Pendulum-v1 env steps per second (${SECONDS} s per row, precomputed random actions)`);
console.log("| implementation | env steps/s | vs Gymnasium |");
console.log("|---|---:|---:|");
console.log(`| ours: makeEnv (TimeLimit), 1 env | ${fmt(single)} | ${ratio(single)} |`);
console.log(`| ours: makeVecEnv SyncVectorEnv x 8 | ${fmt(vector)} | ${ratio(vector)} |`);
console.log(
  gym === null
    ? "| Gymnasium gym.make | not measured (no Python with gymnasium) | |"
    : `| Gymnasium 1.3 gym.make, 1 env | ${fmt(gym)} | 1.0x |`,
);
