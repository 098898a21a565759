/**
 * Command line for the subspace analysis of a training run (lib/experiments/analyze.ts).
 *
 * ```sh
 * deno task analyze --run runs/ppo-pendulum-0                          # paper settings, all checkpoints
 * deno task analyze --run runs/x --precise-samples 100000 --k 1,5,10,20,50 --tol 1e-3
 * deno task analyze --run runs/x --min-interval 50000 --spectrum last  # grid + Fig. 1 spectrum
 * deno task analyze --run runs/x --ppo-minibatch-default-gae           # the paper code's §5.2 quirk
 * ```
 *
 * `deno task analyze --help` lists every option with its default.
 * Rerunning the same command resumes.
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { type CliSpec, parseCli, type ParsedArgs, runCli, UsageError } from "../lib/cli.ts";
import { ProgressPrinter } from "../lib/experiments/progress.ts";
import {
  type AnalyzeOptions,
  analyzeRun,
  formatAnalyzeProgress,
  selectAnalysisSteps,
} from "../lib/experiments/analyze.ts";
import { listCheckpoints } from "../lib/experiments/train.ts";

/** The `analyze` command line. */
export const ANALYZE_CLI: CliSpec = {
  command: "deno task analyze",
  summary: "Subspace analysis of a training run's checkpoints (top-k Hessian eigenpairs, " +
    "S_frac for four estimators, S_overlap, optional full spectra) into " +
    "<run>/analysis/<settings-id>/. Rerunning the same command resumes.",
  options: [
    { name: "run", type: "string", value: "DIR", description: "run directory", required: true },
    { name: "steps", type: "string", value: "all|N,N", description: "checkpoints", default: "all" },
    {
      name: "min-interval",
      type: "string",
      value: "N",
      description: "keep checkpoints at least N steps apart (the paper's grid)",
    },
    {
      name: "precise-samples",
      type: "string",
      value: "N",
      description: "PPO: fresh samples of the precise estimate; SAC: cap on the buffer",
      default: "1000000",
    },
    {
      name: "k",
      type: "string",
      value: "LIST",
      description: "subspace dimensions",
      default: "1,2,5,10,20,50,100",
    },
    { name: "tol", type: "string", value: "X", description: "Lanczos tolerance", default: "1e-4" },
    {
      name: "max-iter",
      type: "string",
      value: "N",
      description: "Lanczos restarts",
      default: "500",
    },
    {
      name: "ncv",
      type: "string",
      value: "N",
      description: "Lanczos basis size",
      default: "max(2k+1, 20)",
    },
    { name: "seed", type: "string", value: "N", description: "analysis seed", default: "0" },
    {
      name: "chunk-size",
      type: "string",
      value: "N",
      description: "samples per chunk",
      default: "8192",
    },
    {
      name: "overlap-t1",
      type: "string",
      value: "all|N,N",
      description: "t1 of S_overlap",
      default: "all",
    },
    {
      name: "spectrum",
      type: "string",
      value: "last|N,N",
      description: "steps with a full Hessian spectrum",
    },
    {
      name: "spectrum-method",
      type: "string",
      value: "auto|explicit|slq",
      description: "full-spectrum method",
      default: "auto",
    },
    {
      name: "networks",
      type: "string",
      value: "actor,critic",
      description: "networks",
      default: "both",
    },
    {
      name: "ppo-minibatch-default-gae",
      type: "boolean",
      description: "the paper code's §5.2 quirk (GAE with SB3 defaults for the mini-batch data)",
    },
    {
      name: "sac-actor-detach-q",
      type: "boolean",
      description: "the paper code's §3.2 quirk (SAC actor loss without the Q term's gradient)",
    },
    { name: "strict", type: "boolean", description: "stop when Lanczos does not converge" },
    {
      name: "backend",
      type: "string",
      value: "auto|wasm|cpu|webgpu",
      description: "tfjs backend",
      default: "auto",
    },
    {
      name: "engine",
      type: "string",
      value: "auto|fast|cpu|webgpu",
      description:
        "gradient/HVP engine: fast = float32 R-operator, cpu = float64, webgpu = a GPU, " +
        "auto = webgpu on a real GPU else fast",
      default: "auto",
    },
    {
      name: "engine-threads",
      type: "string",
      value: "1|2|auto",
      description: "fast-engine threads",
      default: "auto",
    },
    {
      name: "eigensolver",
      type: "string",
      value: "lanczos|block",
      description: "eigensolver",
      default: "lanczos",
    },
    {
      name: "block-size",
      type: "string",
      value: "N",
      description: "block eigensolver's block size",
      default: "16",
    },
    {
      name: "warm-start",
      type: "boolean",
      description: "start each solve from the previous analysed step's eigenvectors (every " +
        "solve is then verified with k extra HVPs)",
    },
  ],
  examples: [
    "deno task analyze --run runs/ppo-pendulum-0",
    "deno task analyze --run runs/x --precise-samples 100000 --k 1,5,10,20,50 --tol 1e-3",
    "deno task analyze --run runs/x --min-interval 50000 --spectrum last",
  ],
};

/**
 * Parsed command line: the analysis options plus the grid spacing, if any.
 *
 * @example
 * ```ts
 * import { type AnalyzeCommand, parseAnalyzeArgs } from "./analyze.ts";
 * const command: AnalyzeCommand = parseAnalyzeArgs(["--run", "runs/x", "--min-interval", "50000"]);
 * ```
 */
export interface AnalyzeCommand {
  /** Options for `analyzeRun` (steps resolved later when `minInterval` is set). */
  options: AnalyzeOptions;
  /** `--min-interval`: pick checkpoints at least this far apart. */
  minInterval: number | null;
}

/**
 * Parses the command line; throws a UsageError on bad input.
 *
 * @example
 * ```ts
 * import { parseAnalyzeArgs } from "./analyze.ts";
 * const { options } = parseAnalyzeArgs(["--run", "runs/x", "--k", "1,10", "--tol", "1e-3"]);
 * options.ks; // [1, 10]
 * ```
 */
export function parseAnalyzeArgs(argv: string[]): AnalyzeCommand {
  return analyzeCommandOf(parseCli(ANALYZE_CLI, argv));
}

function analyzeCommandOf(args: ParsedArgs): AnalyzeCommand {
  const options: AnalyzeOptions = { runDir: args.required("run") };
  const steps = args.string("steps");
  if (steps !== undefined && steps !== "all") options.steps = args.intList("steps");
  if (args.has("precise-samples")) options.preciseSamples = args.int("precise-samples", 2);
  if (args.has("k")) options.ks = args.intList("k", 1);
  if (args.has("tol")) options.tol = args.number("tol");
  if (args.has("max-iter")) options.maxIter = args.int("max-iter", 1);
  if (args.has("ncv")) options.ncv = args.int("ncv", 1);
  if (args.has("seed")) options.seed = args.int("seed");
  if (args.has("chunk-size")) options.chunkSize = args.int("chunk-size", 1);
  const t1 = args.string("overlap-t1");
  if (t1 !== undefined && t1 !== "all") options.overlapT1 = args.intList("overlap-t1");
  const spectrum = args.string("spectrum");
  if (spectrum !== undefined && spectrum !== "none") {
    options.spectrumSteps = spectrum === "last" ? "last" : args.intList("spectrum");
  }
  options.spectrumMethod = args.choice("spectrum-method", ["auto", "explicit", "slq"] as const);
  if (args.has("networks")) {
    const nets = args.string("networks")!.split(",").filter((s) => s.trim() !== "");
    for (const n of nets) {
      if (n !== "actor" && n !== "critic") {
        throw new UsageError(`--networks expects actor and/or critic, got "${n}"`);
      }
    }
    options.networks = nets as ("actor" | "critic")[];
  }
  if (args.has("backend")) options.backend = parseBackendChoice(args.string("backend")!);
  options.engine = args.choice("engine", ["auto", "fast", "cpu", "webgpu"] as const);
  options.eigensolver = args.choice("eigensolver", ["lanczos", "block"] as const);
  if (args.has("block-size")) options.blockSize = args.int("block-size", 1);
  const threads = args.choice("engine-threads", ["1", "2", "auto"] as const);
  if (threads) options.engineThreads = threads === "auto" ? "auto" : (Number(threads) as 1 | 2);
  options.quirks = {
    ppoMiniBatchDefaultGae: args.flag("ppo-minibatch-default-gae"),
    sacActorDetachQ: args.flag("sac-actor-detach-q"),
  };
  if (args.flag("strict")) options.onNotConverged = "throw";
  if (args.flag("warm-start")) options.warmStart = true;
  for (const key of Object.keys(options) as (keyof AnalyzeOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  if (args.has("min-interval") && options.steps !== undefined) {
    throw new UsageError("--steps and --min-interval exclude each other: give one");
  }
  return { options, minInterval: args.int("min-interval") ?? null };
}

async function main(args: ParsedArgs): Promise<void> {
  const command = analyzeCommandOf(args);
  const { options } = command;
  if (command.minInterval !== null) {
    options.steps = selectAnalysisSteps(await listCheckpoints(options.runDir), command.minInterval);
  }
  const tty = Deno.stderr.isTerminal();
  const bar = new ProgressPrinter(tty);
  let lastLine = 0;
  const encoder = new TextEncoder();
  const result = await analyzeRun({
    ...options,
    onProgress: (p) => {
      const line = formatAnalyzeProgress(p);
      if (tty) bar.update(p.solvesDone, Math.max(p.solvesTotal, 1), line);
      else if (performance.now() - lastLine > 30_000 || p.phase === "done") {
        // A log file gets a line every 30 s at most.
        lastLine = performance.now();
        Deno.stderr.writeSync(encoder.encode(line + "\n"));
      }
    },
  });
  bar.finish(
    result.computedSteps.length === 0 && result.hvpCount === 0
      ? `analysis ${result.analysisId}: reused (all ${result.steps.length} steps were already ` +
        `analysed); files in ${result.analysisDir}`
      : `analysis ${result.analysisId}: ${result.computedSteps.length} step(s) computed, ` +
        `${result.steps.length} finished in total, ${result.hvpCount} HVPs, ` +
        `${result.seconds.toFixed(1)} s; files in ${result.analysisDir}`,
  );
  const kmax = Math.max(...result.results.map((r) => r.k));
  const rows = result.results.filter((r) => r.k === kmax);
  if (rows.length > 0) {
    console.log(`\nS_frac at k = ${kmax} (gradient/hessian estimator):`);
    const estimators = [...new Set(rows.map((r) => r.estimator))];
    console.log(["step", "network", ...estimators].join("\t"));
    for (const step of result.steps) {
      for (const network of ["actor", "critic"]) {
        const sel = rows.filter((r) => r.step === step && r.network === network);
        if (sel.length === 0) continue;
        const cells = estimators.map((e) => sel.find((r) => r.estimator === e)?.value.toFixed(3));
        console.log([step, network, ...cells].join("\t"));
      }
    }
  }
}

if (import.meta.main) await runCli(ANALYZE_CLI, Deno.args, main);
