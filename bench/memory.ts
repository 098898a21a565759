/**
 * Peak memory of a paper-scale analysis (issue 14 acceptance: each under 4 GiB peak RSS), on
 * Walker2d-v4:
 *
 * - **PPO**: a 10⁶-sample precise analysis of the `ppo/Walker2d-v4` agent (obs 17, act 6, 64×64
 *   tanh actor and critic, VecNormalize);
 * - **SAC**: an analysis over a 10⁶-transition replay buffer of the `sac/Walker2d-v4` agent
 *   (256×256 ReLU actor and twin-Q critic).
 *
 * The real pipeline: `trainRun` writes a run directory (PPO: one 512-step update; SAC: 10⁶
 * uniform-random warm-up steps into a 10⁶ replay buffer, saved in the checkpoint), then
 * `analyzeRun` analyses its last checkpoint (PPO: 10⁶ fresh on-policy samples; SAC: the whole
 * buffer read back from the checkpoint) for actor and critic: precise and mini-batch Hessians, the
 * precise and mini-batch gradients, S_frac. The eigensolves use a small k and a loose tolerance
 * (they exercise the memory path; a top-100 solve adds its Krylov basis, printed as "k = 100
 * solver": (ncv + 1)·N·8 bytes twice for `lanczosTopK`).
 *
 * Each analysis runs in its own process, which reports its peak RSS (VmHWM); training runs in a
 * separate process first and is reused when its run directory is complete.
 *
 * Run: `deno run -A bench/memory.ts [--scenario ppo|sac|both] [--samples 1000000]
 * [--dir .out/memory-bench] [--networks actor,critic] [--limit-gib 4]` (under the heavy lock:
 * PPO a few minutes, SAC about 15 minutes on 2 cores).
 *
 * @module
 */
import { trainRun } from "../lib/experiments/train.ts";
import { analyzeRun } from "../lib/experiments/analyze.ts";
import type { NetworkName } from "../lib/subspaces/mod.ts";
import { parseBenchArgs } from "./_cli.ts";

const ENV_ID = "Walker2d-v4";

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

const runDir = (scenario: string) => `${DIR}/${scenario}-walker2d-${SAMPLES}`;

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
      preset: ppo ? "ppo/Walker2d-v4" : "sac/Walker2d-v4",
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
      `samples, ${ENV_ID} (obs 17, act 6), networks ${NETWORKS.join(", ")}`,
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
