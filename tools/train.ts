/**
 * Command line for training runs.
 *
 * ```sh
 * deno task train --algo ppo --env Pendulum-v1 --seed 0 --steps 300000 --out runs/ppo-pendulum-0
 * deno task train --algo sac --env Pendulum-v1 --seed 0 --steps 50000 --out runs/sac-pendulum-0
 * deno task train ... --resume                       # continue a killed run from its last checkpoint
 * deno task train ... --set learning_rate=1e-3       # override preset fields (repeatable)
 * deno task train --algo sac --preset sac_small/Pendulum-v1 ...   # the paper's 64x64 SAC ablation
 * deno task train --algo ppo --env Walker2d-v4 --seed 0 --steps 50000 --out runs/ppo-walker2d-0
 * deno task train ... --env-set terminate_when_unhealthy=false   # environment options (repeatable)
 * ```
 *
 * Options: `--preset ID` (default `<algo>/<env>`), `--env-set key=value` (environment options,
 * replacing the preset's `envOptions`), `--eval-freq N` (10000), `--eval-episodes N`
 * (10), `--checkpoint-every N` (50000), `--checkpoint-extra N,N` (10000), `--backend NAME`;
 * SAC only: `--threads 1|2|auto` (gradient-engine threads, default auto; same results) and
 * `--log-interval N` (episodes between train rows, default 4).
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { formatProgressLine, ProgressPrinter } from "../lib/experiments/progress.ts";
import { type Algorithm, trainRun, type TrainRunOptions } from "../lib/experiments/train.ts";

const USAGE = "usage: deno task train --algo ppo|sac --env Pendulum-v1 --seed 0 --steps 300000 " +
  "--out runs/NAME [--resume] [--set key=value ...] [--env-set key=value ...] [--preset ID] " +
  "[--eval-freq N] " +
  "[--eval-episodes N] [--checkpoint-every N] [--checkpoint-extra N,N] " +
  "[--backend auto|wasm|cpu|webgpu] [--threads 1|2|auto] [--log-interval N]";

/** Parses the command line into run options; throws with the usage on bad input. */
export function parseTrainArgs(args: string[]): TrainRunOptions {
  const values: Record<string, string> = {};
  const overrides: Record<string, unknown> = {};
  let envOptions: Record<string, unknown> | undefined;
  let resume = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--resume") {
      resume = true;
      continue;
    }
    if (a === "--help" || a === "-h") throw new Error(USAGE);
    if (!a.startsWith("--") || i + 1 >= args.length) {
      throw new Error(`bad argument "${a}"\n${USAGE}`);
    }
    const value = args[++i];
    if (a === "--set" || a === "--env-set") {
      const eq = value.indexOf("=");
      if (eq <= 0) throw new Error(`${a} expects key=value, got "${value}"`);
      const target = a === "--set" ? overrides : (envOptions ??= {});
      target[value.slice(0, eq)] = parseValue(value.slice(eq + 1));
    } else values[a.slice(2)] = value;
  }
  const known = [
    "algo",
    "env",
    "seed",
    "steps",
    "out",
    "preset",
    "eval-freq",
    "eval-episodes",
    "checkpoint-every",
    "checkpoint-extra",
    "backend",
    "threads",
    "log-interval",
  ];
  for (const k of Object.keys(values)) {
    if (!known.includes(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  }
  for (const k of ["algo", "env", "steps", "out"]) {
    if (values[k] === undefined) throw new Error(`missing --${k}\n${USAGE}`);
  }
  const int = (k: string) => {
    const v = Number(values[k]);
    if (!Number.isSafeInteger(v)) throw new Error(`--${k} expects an integer, got "${values[k]}"`);
    return v;
  };
  const options: TrainRunOptions = {
    algo: values.algo as Algorithm,
    envId: values.env,
    seed: values.seed === undefined ? 0 : int("seed"),
    totalSteps: int("steps"),
    outDir: values.out,
    overrides,
    resume,
  };
  if (values.preset) options.preset = values.preset;
  if (envOptions !== undefined) options.envOptions = envOptions;
  if (values["eval-freq"]) options.evalFreq = int("eval-freq");
  if (values["eval-episodes"]) options.evalEpisodes = int("eval-episodes");
  if (values["checkpoint-every"]) options.checkpointEvery = int("checkpoint-every");
  if (values["checkpoint-extra"]) {
    options.checkpointExtra = values["checkpoint-extra"].split(",").filter((s) => s).map(Number);
  }
  if (values.backend) options.backend = parseBackendChoice(values.backend);
  if (values.threads) {
    const t = values.threads === "auto" ? "auto" : Number(values.threads);
    if (t !== "auto" && t !== 1 && t !== 2) {
      throw new Error(`--threads expects 1, 2 or auto, got "${values.threads}"`);
    }
    options.threads = t;
  }
  if (values["log-interval"]) options.logInterval = int("log-interval");
  return options;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text); // numbers, booleans, null, arrays like [64,64]
  } catch {
    return text; // bare strings such as tanh
  }
}

if (import.meta.main) {
  let options: TrainRunOptions;
  try {
    options = parseTrainArgs(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const bar = new ProgressPrinter();
  const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(1));
  const result = await trainRun({
    ...options,
    onProgress: (p) =>
      bar.update(
        p.step,
        p.totalSteps,
        formatProgressLine({
          done: p.step,
          total: p.totalSteps,
          unit: "steps",
          rate: p.stepsPerSecond,
          extra: `return ${fmt(p.recentReturn)}  eval ${fmt(p.lastEval)}`,
        }),
      ),
  });
  const evals = result.metrics.filter((r) => r.event === "eval");
  const last = evals.at(-1);
  bar.finish(
    `${result.completed ? "completed" : "stopped"}: ${result.stepsThisCall} steps in ` +
      `${result.seconds.toFixed(1)} s; last eval ${
        last ? Number(last["eval/mean_reward"]).toFixed(1) : "n/a"
      }; run directory ${result.outDir}`,
  );
}
