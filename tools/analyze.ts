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
 * Options: `--steps all|N,N,...`, `--min-interval N` (keep checkpoints at least N apart, as the
 * paper's analysis script), `--precise-samples N` (1000000), `--k LIST` (1,2,5,10,20,50,100),
 * `--tol X` (1e-4), `--max-iter N` (500), `--ncv N`, `--seed N` (0), `--chunk-size N` (8192),
 * `--overlap-t1 all|N,N`, `--spectrum last|N,N`, `--spectrum-method auto|explicit|slq`,
 * `--networks actor,critic` (default both),
 * `--ppo-minibatch-default-gae`, `--sac-actor-detach-q`, `--strict` (stop when Lanczos does not
 * converge), `--backend auto|wasm|cpu|webgpu`, `--engine auto|fast|cpu|webgpu` (gradient/HVP
 * engine: fast = float32 R-operator, cpu = float64, webgpu = a GPU, auto = webgpu on a real GPU
 * else fast), `--engine-threads 1|2|auto`,
 * `--eigensolver lanczos|block` (block Krylov–Schur on block HVPs) and `--block-size N` (16).
 * Rerunning the same command resumes.
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { ProgressPrinter } from "../lib/experiments/progress.ts";
import {
  type AnalyzeOptions,
  analyzeRun,
  formatAnalyzeProgress,
  selectAnalysisSteps,
} from "../lib/experiments/analyze.ts";
import { listCheckpoints } from "../lib/experiments/train.ts";

const USAGE = "usage: deno task analyze --run runs/NAME [--steps all|N,N] [--min-interval N] " +
  "[--precise-samples N] [--k 1,2,5,10,20,50,100] [--tol 1e-4] [--max-iter N] [--ncv N] " +
  "[--seed N] [--chunk-size N] [--overlap-t1 all|N,N] [--spectrum last|N,N] " +
  "[--spectrum-method auto|explicit|slq] [--networks actor,critic] [--ppo-minibatch-default-gae] " +
  "[--sac-actor-detach-q] " +
  "[--strict] [--backend auto|wasm|cpu|webgpu] [--engine auto|fast|cpu|webgpu] [--engine-threads 1|2|auto] " +
  "[--eigensolver lanczos|block] [--block-size N]";

const FLAGS = ["ppo-minibatch-default-gae", "sac-actor-detach-q", "strict"];
const VALUES = [
  "run",
  "steps",
  "min-interval",
  "precise-samples",
  "k",
  "tol",
  "max-iter",
  "ncv",
  "seed",
  "chunk-size",
  "overlap-t1",
  "spectrum",
  "spectrum-method",
  "networks",
  "backend",
  "engine",
  "engine-threads",
  "eigensolver",
  "block-size",
];

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
 * Parses the command line; throws with the usage on bad input.
 *
 * @example
 * ```ts
 * import { parseAnalyzeArgs } from "./analyze.ts";
 * const { options } = parseAnalyzeArgs(["--run", "runs/x", "--k", "1,10", "--tol", "1e-3"]);
 * options.ks; // [1, 10]
 * ```
 */
export function parseAnalyzeArgs(args: string[]): AnalyzeCommand {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--help" || a === "-h") throw new Error(USAGE);
    if (!a.startsWith("--")) throw new Error(`bad argument "${a}"\n${USAGE}`);
    const name = a.slice(2);
    if (FLAGS.includes(name)) {
      flags.add(name);
      continue;
    }
    if (!VALUES.includes(name)) throw new Error(`unknown option ${a}\n${USAGE}`);
    if (i + 1 >= args.length) throw new Error(`${a} needs a value\n${USAGE}`);
    values[name] = args[++i];
  }
  if (!values.run) throw new Error(`missing --run\n${USAGE}`);
  const int = (k: string) => {
    const v = Number(values[k]);
    if (!Number.isSafeInteger(v)) throw new Error(`--${k} expects an integer, got "${values[k]}"`);
    return v;
  };
  const num = (k: string) => {
    const v = Number(values[k]);
    if (!Number.isFinite(v)) throw new Error(`--${k} expects a number, got "${values[k]}"`);
    return v;
  };
  const list = (k: string) =>
    values[k].split(",").filter((s) => s.trim() !== "").map((s) => {
      const v = Number(s);
      if (!Number.isSafeInteger(v)) throw new Error(`--${k} expects integers, got "${s}"`);
      return v;
    });
  const options: AnalyzeOptions = { runDir: values.run };
  if (values.steps && values.steps !== "all") options.steps = list("steps");
  if (values["precise-samples"]) options.preciseSamples = int("precise-samples");
  if (values.k) options.ks = list("k");
  if (values.tol) options.tol = num("tol");
  if (values["max-iter"]) options.maxIter = int("max-iter");
  if (values.ncv) options.ncv = int("ncv");
  if (values.seed) options.seed = int("seed");
  if (values["chunk-size"]) options.chunkSize = int("chunk-size");
  if (values["overlap-t1"] && values["overlap-t1"] !== "all") {
    options.overlapT1 = list("overlap-t1");
  }
  if (values.spectrum && values.spectrum !== "none") {
    options.spectrumSteps = values.spectrum === "last" ? "last" : list("spectrum");
  }
  if (values["spectrum-method"]) {
    const m = values["spectrum-method"];
    if (m !== "auto" && m !== "explicit" && m !== "slq") {
      throw new Error(`--spectrum-method must be auto, explicit or slq, got "${m}"`);
    }
    options.spectrumMethod = m;
  }
  if (values.networks) {
    const nets = values.networks.split(",").filter((s) => s.trim() !== "");
    for (const n of nets) {
      if (n !== "actor" && n !== "critic") {
        throw new Error(`--networks expects actor and/or critic, got "${n}"`);
      }
    }
    options.networks = nets as ("actor" | "critic")[];
  }
  if (values.backend) options.backend = parseBackendChoice(values.backend);
  if (values.engine) {
    const e = values.engine;
    if (e !== "auto" && e !== "fast" && e !== "cpu" && e !== "webgpu") {
      throw new Error(`--engine must be auto, fast, cpu or webgpu, got "${e}"`);
    }
    options.engine = e;
  }
  if (values.eigensolver) {
    const e = values.eigensolver;
    if (e !== "lanczos" && e !== "block") {
      throw new Error(`--eigensolver must be lanczos or block, got "${e}"`);
    }
    options.eigensolver = e;
  }
  if (values["block-size"]) options.blockSize = int("block-size");
  if (values["engine-threads"]) {
    const t = values["engine-threads"];
    if (t !== "1" && t !== "2" && t !== "auto") {
      throw new Error(`--engine-threads must be 1, 2 or auto, got "${t}"`);
    }
    options.engineThreads = t === "auto" ? "auto" : (Number(t) as 1 | 2);
  }
  options.quirks = {
    ppoMiniBatchDefaultGae: flags.has("ppo-minibatch-default-gae"),
    sacActorDetachQ: flags.has("sac-actor-detach-q"),
  };
  if (flags.has("strict")) options.onNotConverged = "throw";
  if (values["min-interval"] && values.steps && values.steps !== "all") {
    throw new Error("--steps and --min-interval exclude each other: give one");
  }
  return { options, minInterval: values["min-interval"] ? int("min-interval") : null };
}

if (import.meta.main) {
  let command: AnalyzeCommand;
  try {
    command = parseAnalyzeArgs(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
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
    `analysis ${result.analysisId}: ${result.computedSteps.length} step(s) computed, ` +
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
