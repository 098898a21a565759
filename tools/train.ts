/**
 * Command line for training runs (lib/experiments/train.ts).
 *
 * ```sh
 * deno task train --algo ppo --env Pendulum-v1 --seed 0 --steps 300000 --out runs/ppo-pendulum-0
 * deno task train --algo sac --env Pendulum-v1 --seed 0 --steps 50000 --out runs/sac-pendulum-0
 * deno task train ... --resume                       # continue a killed or failed run
 * deno task train ... --resume --steps 400000        # continue a finished run to 400k steps
 * deno task train ... --set learning_rate=1e-3       # override preset fields (repeatable)
 * deno task train --algo sac --preset sac_small/Pendulum-v1 ...   # the paper's 64x64 SAC ablation
 * deno task train --algo ppo --preset ppo_large/Walker2d-v4 ...   # the paper's 256x256 PPO ablation
 * deno task train --algo ppo --env dmc_Finger-spin-v1 --seed 0 --steps 100000 --out runs/ppo-finger-0
 * deno task train --algo sac --env dmc/finger-spin ...   # an alias: the dmc_Finger-spin-v1 preset
 * deno task train --algo ppo --env Walker2d-v4 --seed 0 --steps 50000 --out runs/ppo-walker2d-0
 * deno task train ... --env-set terminate_when_unhealthy=false   # environment options (repeatable)
 * ```
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the run after the current environment step and records
 * `status: "failed"` with the reason in run.json; `--resume` continues from the last checkpoint.
 *
 * `--env-set key=value` sets environment options (replacing the preset's `envOptions`).
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { type CliSpec, type ParsedArgs, runCli, stopOnSignals, UsageError } from "../lib/cli.ts";
import { formatTrainProgress, ProgressPrinter } from "../lib/experiments/progress.ts";
import { type Algorithm, trainRun, type TrainRunOptions } from "../lib/experiments/train.ts";

/** The `train` command line. */
export const TRAIN_CLI: CliSpec = {
  command: "deno task train",
  summary: "Trains PPO or SAC on one task with one seed into a run directory (run.json, " +
    "metrics.jsonl, checkpoints/), resumable and continuable.",
  options: [
    { name: "algo", type: "string", value: "ppo|sac", description: "algorithm", required: true },
    { name: "env", type: "string", value: "ID", description: "environment id", required: true },
    { name: "steps", type: "string", value: "N", description: "environment steps", required: true },
    { name: "out", type: "string", value: "DIR", description: "run directory", required: true },
    { name: "seed", type: "string", value: "N", description: "seed", default: "0" },
    {
      name: "resume",
      type: "boolean",
      description: "continue the run in --out (killed, failed, or finished with fewer --steps)",
    },
    {
      name: "env-set",
      type: "list",
      value: "KEY=VALUE",
      description: "set an environment option (replaces the preset's envOptions)",
    },
    {
      name: "set",
      type: "list",
      value: "KEY=VALUE",
      description: "override a preset field (JSON value or bare string)",
    },
    {
      name: "preset",
      type: "string",
      value: "ID",
      description:
        "preset: <algo>/<env id>, or the ablations ppo_large/<env id>, sac_small/<env id>",
      default: "<algo>/<env>",
    },
    {
      name: "eval-freq",
      type: "string",
      value: "N",
      description: "evaluate every N steps",
      default: "10000",
    },
    {
      name: "eval-episodes",
      type: "string",
      value: "N",
      description: "episodes per evaluation",
      default: "10",
    },
    {
      name: "checkpoint-every",
      type: "string",
      value: "N",
      description: "checkpoint interval",
      default: "50000",
    },
    {
      name: "checkpoint-extra",
      type: "string",
      value: "N,N|none",
      description: "extra checkpoint steps",
      default: "10000",
    },
    {
      name: "backend",
      type: "string",
      value: "auto|wasm|cpu|webgpu",
      description: "tfjs backend",
      default: "auto",
    },
    {
      name: "threads",
      type: "string",
      value: "1|2|auto",
      description: "SAC gradient-engine threads",
      default: "auto",
    },
    {
      name: "log-interval",
      type: "string",
      value: "N",
      description: "SAC: episodes between train rows",
      default: "4",
    },
  ],
  examples: [
    "deno task train --algo ppo --env Pendulum-v1 --seed 0 --steps 300000 --out runs/ppo-pendulum-0",
    "deno task train --algo ppo --env Pendulum-v1 --seed 0 --steps 400000 --out runs/ppo-pendulum-0 --resume",
    "deno task train --algo sac --env Pendulum-v1 --steps 50000 --out runs/sac-small --set net_arch=[64,64]",
  ],
};

/**
 * The run options of a parsed `train` command line.
 *
 * @example
 * ```ts
 * import { parseCli } from "../lib/cli.ts";
 * import { TRAIN_CLI, trainOptionsOf } from "./train.ts";
 * const options = trainOptionsOf(parseCli(TRAIN_CLI, [
 *   "--algo", "ppo", "--env", "Pendulum-v1", "--steps", "1000", "--out", "runs/x",
 * ]));
 * ```
 */
export function trainOptionsOf(args: ParsedArgs): TrainRunOptions {
  const algo = args.choice("algo", ["ppo", "sac"] as const) as Algorithm;
  const overrides: Record<string, unknown> = {};
  for (const item of args.list("set")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${item}"`);
    overrides[item.slice(0, eq)] = parseValue(item.slice(eq + 1));
  }
  let envOptions: Record<string, unknown> | undefined;
  for (const item of args.list("env-set")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env-set expects key=value, got "${item}"`);
    (envOptions ??= {})[item.slice(0, eq)] = parseValue(item.slice(eq + 1));
  }
  const options: TrainRunOptions = {
    algo,
    envId: args.required("env"),
    seed: args.int("seed") ?? 0,
    totalSteps: args.int("steps", 1)!,
    outDir: args.required("out"),
    overrides,
    resume: args.flag("resume"),
  };
  if (envOptions !== undefined) options.envOptions = envOptions;
  if (args.has("preset")) options.preset = args.string("preset");
  if (args.has("eval-freq")) options.evalFreq = args.int("eval-freq");
  if (args.has("eval-episodes")) options.evalEpisodes = args.int("eval-episodes", 1);
  if (args.has("checkpoint-every")) options.checkpointEvery = args.int("checkpoint-every");
  if (args.has("checkpoint-extra")) {
    options.checkpointExtra = args.string("checkpoint-extra") === "none"
      ? []
      : args.intList("checkpoint-extra", 1);
  }
  if (args.has("backend")) options.backend = parseBackendChoice(args.string("backend")!);
  const threads = args.choice("threads", ["1", "2", "auto"] as const);
  if (threads) options.threads = threads === "auto" ? "auto" : (Number(threads) as 1 | 2);
  if (args.has("log-interval")) options.logInterval = args.int("log-interval", 1);
  return options;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text); // numbers, booleans, null, arrays like [64,64]
  } catch {
    return text; // bare strings such as tanh
  }
}

async function main(args: ParsedArgs): Promise<number> {
  const options = trainOptionsOf(args);
  const controller = new AbortController();
  const release = stopOnSignals(
    controller,
    `training interrupted; continue from the last checkpoint with the same command and --resume`,
  );
  const bar = new ProgressPrinter();
  let started = false;
  try {
    const result = await trainRun({
      ...options,
      signal: controller.signal,
      onProgress: (p) => {
        started = true;
        bar.update(p.step, p.totalSteps, formatTrainProgress(p));
      },
    });
    const last = result.metrics.filter((r) => r.event === "eval").at(-1);
    const what = result.stepsThisCall === 0
      ? `reused: the run in ${result.outDir} already has ${options.totalSteps} steps`
      : `${result.completed ? "completed" : "stopped"}: ${result.stepsThisCall} steps in ` +
        `${result.seconds.toFixed(1)} s`;
    bar.finish(
      `${what}; last eval ${
        last ? Number(last["eval/mean_reward"]).toFixed(1) : "n/a"
      }; run directory ${result.outDir}`,
    );
    return 0;
  } catch (e) {
    if (started) bar.finish("");
    if (controller.signal.aborted) {
      console.error(
        `error: training interrupted by ${controller.signal.reason}; run.json records status ` +
          `"failed"\ncontinue from the last checkpoint with the same command and --resume`,
      );
      return 130;
    }
    throw e;
  } finally {
    release();
  }
}

if (import.meta.main) await runCli(TRAIN_CLI, Deno.args, main);
