/**
 * MuJoCo task throughput, random-policy returns and memory, against Gymnasium 1.3 + Python
 * mujoco 3.14 measured in the same run (`tools/mujoco_reference.py`):
 *
 * 1. env steps per second per task: one env through `makeEnv(id)` vs `gym.make(id)`, and 8 envs
 *    in a `ThreadedVectorEnv` (2 threads) and a `SyncVectorEnv` vs Gymnasium's `SyncVectorEnv`
 *    of 8 (counting all 8 env steps), float32 random actions on both sides. Targets: single env
 *    ≥ 1x, 8-env vector ≥ 1.5x. The DeepMind Control tasks are measured too, without a reference
 *    (dm_control cannot be installed here).
 * 2. mean return of a uniform random policy per task over episodes with the same reset seeds and
 *    the same actions (numpy's `default_rng(seed).uniform(low, high)` on both sides); returns
 *    differ only by the chaotic growth of the builds' rounding differences.
 *    Two further columns explain the ratios: the "2-thread ceiling" (twice our single-env rate
 *    over Gymnasium's vector, the most two threads could give) and "physics only" (env steps per
 *    second of the bare physics, `frameSkip` × `mj_step` + `mj_rnePostConstraint`, in the
 *    WebAssembly build and in the native wheel).
 * 3. resident memory at the start, middle and end of 10^6 env steps of a `ThreadedVectorEnv` of 8
 *    HalfCheetah-v4 envs.
 *
 * Usage (heavy: run it alone, under the shared lock):
 * `flock /tmp/pgsubspace-heavy.lock deno run -A bench/mujoco.ts [--seconds S] [--ids A,B]
 * [--episodes N] [--memory-steps N]`
 *
 * @module
 */
import {
  makeEnv,
  makeVecEnv,
  type MujocoEnv,
  prepareEnv,
  ThreadedVectorEnv,
  type VectorEnv,
} from "../lib/envs/mod.ts";
import { mujoco } from "../lib/envs/mujoco/runtime.ts";
import { npRandom } from "../lib/np_random/mod.ts";
import { Rng } from "../lib/rng.ts";
import { findPython, runPythonJson } from "../tools/python_ref.ts";
import { stepsPerSecond } from "./_timing.ts";

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Deno.args[at + 1] : fallback;
}
const SECONDS = Number(flag("--seconds", "3"));
const IDS = flag(
  "--ids",
  "Ant-v4,HalfCheetah-v4,Hopper-v4,Walker2d-v4,Swimmer-v4,Reacher-v4," +
    "dmc_Finger-spin-v1,dmc_Ball_in_cup-catch-v1",
).split(",");
const GYM_IDS = IDS.filter((id) => !id.startsWith("dmc"));
const EPISODES = Number(flag("--episodes", "5"));
const MEMORY_STEPS = Number(flag("--memory-steps", "1000000"));
const VECTOR_ENVS = 8;

function randomActions(id: string, count: number, width: number, seed: number): Float32Array[] {
  const env = makeEnv(id);
  const { low, high } = env.actionSpace;
  env.close();
  const rng = new Rng(seed);
  return Array.from(
    { length: count },
    () =>
      Float32Array.from(
        { length: width * low.length },
        (_, j) => rng.uniform(low[j % low.length], high[j % low.length]),
      ),
  );
}

function single(id: string): number {
  const env = makeEnv(id);
  const actions = randomActions(id, 1024, 1, 0);
  env.reset({ seed: 0 });
  let k = 0;
  const sps = stepsPerSecond(
    () => {
      for (let i = 0; i < 100; i++) {
        const r = env.step(actions[k++ & 1023]);
        if (r.terminated || r.truncated) env.reset();
      }
    },
    100,
    SECONDS,
    300,
  );
  env.close();
  return sps;
}

/**
 * Env steps per second of the bare physics of an env step (controls set, `frameSkip` ×
 * `mj_step`, `mj_rnePostConstraint`; `mj_resetData` every 1000 steps), as the Python side times
 * the native build: what is left when no env code runs around the physics.
 */
function physics(id: string): number {
  const env = makeEnv(id).unwrapped as MujocoEnv;
  const mj = mujoco(), model = env.model, data = env.data;
  const actions = randomActions(id, 1024, 1, 0);
  env.reset({ seed: 0 });
  let k = 0;
  const sps = stepsPerSecond(
    () => {
      for (let i = 0; i < 100; i++, k++) {
        if (k % 1000 === 0) mj.mj_resetData(model, data);
        data.ctrl.set(actions[k & 1023]);
        for (let f = 0; f < env.frameSkip; f++) mj.mj_step(model, data);
        mj.mj_rnePostConstraint(model, data);
      }
    },
    100,
    SECONDS,
    300,
  );
  env.close();
  return sps;
}

function vector(id: string, venv: VectorEnv): number {
  const batches = randomActions(id, 128, VECTOR_ENVS, 1);
  venv.reset({ seed: 0 });
  let k = 0;
  const sps = stepsPerSecond(
    () => {
      for (let i = 0; i < 20; i++) venv.step(batches[k++ & 127]);
    },
    20 * VECTOR_ENVS,
    SECONDS,
    300,
  );
  venv.close();
  return sps;
}

function randomReturns(id: string, seeds: number[]): number[] {
  return seeds.map((seed) => {
    const env = makeEnv(id);
    const { low, high } = env.actionSpace;
    const rng = npRandom(seed); // numpy's default_rng(seed), as the Python side draws
    env.reset({ seed });
    let total = 0;
    for (;;) {
      const r = env.step(Float64Array.from(low, (lo, j) => rng.uniform(lo, high[j])));
      total += r.reward;
      if (r.terminated || r.truncated) break;
    }
    env.close();
    return total;
  });
}

function memory(id: string, steps: number): number[] {
  const venv = new ThreadedVectorEnv(id, VECTOR_ENVS, { threads: 2 });
  const batches = randomActions(id, 128, VECTOR_ENVS, 2);
  venv.reset({ seed: 0 });
  for (let t = 0; t < 1000; t++) venv.step(batches[t & 127]);
  const rss = [Deno.memoryUsage().rss];
  const vectorSteps = Math.ceil(steps / VECTOR_ENVS);
  for (let t = 0; t < vectorSteps; t++) {
    venv.step(batches[t & 127]);
    if (t === Math.floor(vectorSteps / 2)) rss.push(Deno.memoryUsage().rss);
  }
  rss.push(Deno.memoryUsage().rss);
  venv.close();
  return rss;
}

const python = await findPython("mujoco");
const script = new URL("../tools/mujoco_reference.py", import.meta.url).pathname;
const seeds = Array.from({ length: EPISODES }, (_, i) => i);
const gym = python === null ? null : await runPythonJson(python, script, {
  command: "bench",
  ids: GYM_IDS,
  seconds: SECONDS,
  vector_envs: VECTOR_ENVS,
});
const gymReturns = python === null
  ? null
  : await runPythonJson(python, script, { command: "random_returns", ids: GYM_IDS, seeds });
if (python === null) console.log("(no Python with gymnasium and mujoco: Gymnasium columns empty)");
else console.log(`Reference: gymnasium ${gym!.gymnasium}, mujoco ${gym!.mujoco} (${python})`);

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const ratio = (
  a: number,
  b: number | undefined,
) => (b === undefined ? "n/a" : `${(a / b).toFixed(2)}x`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `\nEnv steps per second (${SECONDS} s per cell, float32 random actions; vector = ${VECTOR_ENVS} ` +
    `envs, all env steps counted; threaded = 2 threads)\n`,
);
console.log(
  "| task | ours single | Gymnasium single | ratio | ours threaded x8 | ours sync x8 | " +
    "Gymnasium SyncVectorEnv x8 | ratio (threaded) | 2-thread ceiling | physics only: " +
    "WebAssembly / native | random return ours | random return Gymnasium |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const id of IDS) {
  await prepareEnv(id);
  type GymRates = { id: string; single_sps: number; vector_sps: number; physics_sps: number };
  const g = (gym?.results as GymRates[] | undefined)?.find((r) => r.id === id);
  const gr = (gymReturns?.results as { id: string; returns: number[] }[] | undefined)
    ?.find((r) => r.id === id);
  const s = single(id);
  const threaded = vector(id, new ThreadedVectorEnv(id, VECTOR_ENVS, { threads: 2 }));
  const sync = vector(id, makeVecEnv(id, VECTOR_ENVS));
  const bare = id.startsWith("dmc") ? null : physics(id);
  const ours = mean(randomReturns(id, seeds));
  console.log(
    `| ${id} | ${fmt(s)} | ${g ? fmt(g.single_sps) : "n/a"} | ${ratio(s, g?.single_sps)} | ` +
      `${fmt(threaded)} | ${fmt(sync)} | ${g ? fmt(g.vector_sps) : "n/a"} | ` +
      `${ratio(threaded, g?.vector_sps)} | ${ratio(2 * s, g?.vector_sps)} | ` +
      `${
        bare === null || !g
          ? "n/a"
          : `${fmt(bare)} / ${fmt(g.physics_sps)} = ${ratio(bare, g.physics_sps)}`
      } | ${ours.toFixed(1)} | ` +
      `${gr ? mean(gr.returns).toFixed(1) : "n/a"} |`,
  );
}
console.log(`\n(random returns: mean over ${EPISODES} episodes, reset seeds 0-${EPISODES - 1})`);

if (MEMORY_STEPS > 0) {
  const id = "HalfCheetah-v4";
  await prepareEnv(id);
  const [start, middle, end] = memory(id, MEMORY_STEPS).map((b) => (b / 2 ** 20).toFixed(0));
  console.log(
    `\nMemory: ${MEMORY_STEPS.toLocaleString("en-US")} env steps of ${id} in a ` +
      `ThreadedVectorEnv of ${VECTOR_ENVS}: RSS ${start} MiB at the start, ${middle} MiB halfway, ` +
      `${end} MiB at the end`,
  );
}
