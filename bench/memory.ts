/**
 * Peak memory of a paper-scale analysis (issue 14 acceptance: each under 4 GiB peak RSS):
 *
 * - **PPO**: a 10⁶-sample precise analysis of a Walker2d-sized PPO agent (obs 17, act 6, 64×64
 *   tanh actor and critic, the `ppo/Walker2d-v3` preset with VecNormalize);
 * - **SAC**: an analysis over a 10⁶-transition replay buffer of a Walker2d-sized SAC agent
 *   (256×256 ReLU actor and twin-Q critic, the `sac/Walker2d-v3` preset).
 *
 * Walker2d itself is not available yet, so both run on `Walker2dShaped-v0`, registered here: a
 * synthetic environment with Walker2d's observation and action shapes and its 1000-step time
 * limit (seeded random tanh-linear dynamics; the memory path does not depend on the physics).
 * Everything else is the real pipeline: `trainRun` writes a run directory (PPO: one 512-step
 * update; SAC: 10⁶ uniform-random warm-up steps into a 10⁶ replay buffer, saved in the checkpoint),
 * then `analyzeRun` analyses its last checkpoint (PPO: 10⁶ fresh on-policy samples; SAC: the whole
 * buffer read back from the checkpoint) for actor and critic: precise and mini-batch Hessians, the
 * precise and mini-batch gradients, S_frac. The eigensolves use a small k and a loose tolerance
 * (they exercise the memory path; a top-100 solve adds its Krylov basis, printed as "k = 100
 * solver" below: (ncv + 1)·N·8 bytes twice for `lanczosTopK`).
 *
 * Each analysis runs in its own process, which reports its peak RSS (VmHWM); training runs in a
 * separate process first and is reused when its run directory is complete.
 *
 * Run: `deno run -A bench/memory.ts [--scenario ppo|sac|both] [--samples 1000000]
 * [--dir .out/memory-bench] [--networks actor,critic] [--limit-gib 4]` (under the heavy lock:
 * PPO a few minutes, SAC about half an hour on 2 cores).
 *
 * @module
 */
import { BaseEnv, type EnvState, type StepResult } from "../lib/envs/env.ts";
import { registerEnv } from "../lib/envs/registry.ts";
import { Box } from "../lib/envs/spaces.ts";
import { Rng } from "../lib/rng.ts";
import { trainRun } from "../lib/experiments/train.ts";
import { analyzeRun } from "../lib/experiments/analyze.ts";
import type { NetworkName } from "../lib/subspaces/mod.ts";
import { parseBenchArgs } from "./_cli.ts";

const ENV_ID = "Walker2dShaped-v0";
const OBS = 17;
const ACT = 6;

/** Walker2d's shapes with seeded tanh-linear dynamics s′ = tanh(A s + B a); reward −‖s′ − g‖². */
class Walker2dShapedEnv extends BaseEnv {
  readonly id = ENV_ID;
  readonly observationSpace = new Box({ low: -1, high: 1, shape: [OBS] });
  readonly actionSpace = new Box({ low: -1, high: 1, shape: [ACT] });
  readonly #a = new Float64Array(OBS * OBS);
  readonly #b = new Float64Array(OBS * ACT);
  #s = new Float64Array(OBS);

  constructor() {
    super();
    const rng = new Rng(17);
    for (let i = 0; i < this.#a.length; i++) this.#a[i] = 0.9 * rng.normal() / Math.sqrt(OBS);
    for (let i = 0; i < this.#b.length; i++) this.#b[i] = rng.normal() / Math.sqrt(ACT);
  }

  protected resetPhysics(rng: Rng): Float32Array {
    for (let i = 0; i < OBS; i++) this.#s[i] = rng.uniform(-0.1, 0.1);
    return Float32Array.from(this.#s);
  }

  protected stepPhysics(action: ArrayLike<number>): StepResult {
    const next = new Float64Array(OBS);
    let reward = 0;
    for (let i = 0; i < OBS; i++) {
      let x = 0;
      for (let j = 0; j < OBS; j++) x += this.#a[i * OBS + j] * this.#s[j];
      for (let j = 0; j < ACT; j++) {
        x += this.#b[i * ACT + j] * Math.max(-1, Math.min(1, action[j]));
      }
      next[i] = Math.tanh(x);
      reward -= (next[i] - 0.5) ** 2;
    }
    this.#s = next;
    return {
      obs: Float32Array.from(next),
      reward,
      terminated: false,
      truncated: false,
      info: {},
    };
  }

  protected getPhysicsState(): EnvState {
    return { s: Array.from(this.#s) };
  }

  protected setPhysicsState(s: EnvState): void {
    this.#s = Float64Array.from(s.s as number[]);
  }
}

registerEnv({ id: ENV_ID, entryPoint: () => new Walker2dShapedEnv(), maxEpisodeSteps: 1000 });

const args = Deno.args;
const cli = parseBenchArgs(args);
const option = cli.value;
const SAMPLES = Number(option("samples", "1000000"));
const DIR = option("dir", new URL("../.out/memory-bench", import.meta.url).pathname);
const NETWORKS = option("networks", "actor,critic").split(",") as NetworkName[];
const LIMIT = Number(option("limit-gib", "4")) * 2 ** 30;

/** This process's peak resident set (VmHWM) in bytes. */
function peakRss(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : NaN;
}

const runDir = (scenario: string) => `${DIR}/${scenario}-walker2d-shaped-${SAMPLES}`;

/** The child processes: train a run, or analyse its last checkpoint; print one JSON line. */
async function child(what: string): Promise<void> {
  const [stage, scenario] = what.split("-");
  const t0 = performance.now();
  const dir = runDir(scenario);
  const report: Record<string, unknown> = { stage, scenario };
  if (stage === "train") {
    const ppo = scenario === "ppo";
    const steps = ppo ? 1024 : SAMPLES;
    await trainRun({
      algo: ppo ? "ppo" : "sac",
      envId: ENV_ID,
      preset: ppo ? "ppo/Walker2d-v3" : "sac/Walker2d-v3",
      seed: 0,
      totalSteps: steps,
      outDir: dir,
      evalFreq: 0,
      checkpointEvery: steps,
      checkpointExtra: [],
      // SAC: every step a uniform-random warm-up step (no gradient step), so the buffer fills
      // to 10⁶ transitions in minutes; the networks keep their initial weights.
      overrides: ppo ? {} : { buffer_size: SAMPLES, learning_starts: 2 * SAMPLES },
      backend: "cpu",
    });
  } else {
    const run = JSON.parse(await Deno.readTextFile(`${dir}/run.json`));
    const last = run.checkpointSteps.at(-1);
    const result = await analyzeRun({
      runDir: dir,
      steps: [last],
      preciseSamples: SAMPLES,
      ks: scenario === "ppo" ? [1, 5] : [1],
      tol: scenario === "ppo" ? 1e-2 : 1e-1,
      ncv: scenario === "ppo" ? undefined : 3,
      networks: NETWORKS,
      engine: "fast",
      backend: "cpu",
    });
    report.step = last;
    report.hvps = result.hvpCount;
    report.rows = result.results.length;
    report.n = Object.fromEntries(
      NETWORKS.map((net) => [net, result.results.find((r) => r.network === net)?.n ?? null]),
    );
  }
  report.seconds = (performance.now() - t0) / 1000;
  report.peakRss = peakRss();
  console.log(JSON.stringify(report));
}

async function spawn(what: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--child", what, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (!out.success) throw new Error(`${what} failed (exit ${out.code}): ${text}`);
  return JSON.parse(text);
}

if (cli.has("child")) {
  await child(option("child", ""));
} else {
  const which = option("scenario", "both");
  const scenarios = which === "both" ? ["ppo", "sac"] : [which];
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  console.log(
    `Peak RSS of an analysis (limit ${gib(LIMIT)} GiB), ${SAMPLES.toLocaleString("en")} ` +
      `samples, ${ENV_ID} (obs ${OBS}, act ${ACT}), networks ${NETWORKS.join(", ")}`,
  );
  console.log(
    "scenario  stage     seconds  peak RSS [GiB]  N (actor / critic)    HVPs  k = 100 solver [GiB]",
  );
  for (const scenario of scenarios) {
    let trained = false;
    try {
      const run = JSON.parse(await Deno.readTextFile(`${runDir(scenario)}/run.json`));
      trained = run.status === "completed";
    } catch {
      // not trained yet
    }
    const rows = trained ? [] : [await spawn(`train-${scenario}`)];
    rows.push(await spawn(`analyze-${scenario}`));
    for (const r of rows) {
      const n = r.n as Record<string, number | null> | undefined;
      const nmax = n ? Math.max(...Object.values(n).map((x) => x ?? 0)) : 0;
      const solver = n ? gib(2 * 202 * nmax * 8) : "";
      const over = (r.peakRss as number) > LIMIT;
      console.log(
        `${scenario.padEnd(10)}${String(r.stage).padEnd(10)}${
          (r.seconds as number).toFixed(0).padStart(7)
        }  ${gib(r.peakRss as number).padStart(14)}${over ? " OVER" : "     "}  ${
          (n ? `${n.actor ?? "-"} / ${n.critic ?? "-"}` : "").padEnd(20)
        }${String(r.hvps ?? "").padStart(6)}  ${solver.padStart(20)}`,
      );
      if (r.stage === "analyze" && over) Deno.exitCode = 1;
    }
  }
}
