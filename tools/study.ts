/**
 * A study as a plan of independent jobs (issue 14), on this machine or on Slurm.
 *
 * ```sh
 * deno task study plan --preset quick                  # jobs, estimated time and memory
 * deno task study run --preset quick --workers 2       # the local pool
 * deno task study job --dir runs/reproduce-quick train/Pendulum-v1/ppo/s0   # one job
 * deno task study slurm --preset main-text --dir /shared/mt --emit /shared/mt/slurm [--submit]
 * deno task study plan --preset main-text --scale paper   # the paper's settings per task
 * ```
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { type CliSpec, type ParsedArgs, runCli, stopOnSignals, UsageError } from "../lib/cli.ts";
import { formatAnalyzeProgress } from "../lib/experiments/analyze.ts";
import { formatTrainProgress, ProgressPrinter } from "../lib/experiments/progress.ts";
import type { ReproductionSettings } from "../lib/experiments/reproduce.ts";
import {
  type Calibration,
  DEFAULT_LAYOUT,
  defaultCalibration,
  emitSlurmScripts,
  findJob,
  formatAggregate,
  formatStudyPlan,
  measureCalibration,
  readJobStates,
  readSettingsFile,
  readStudy,
  runJob,
  runStudyLocal,
  selectStudy,
  STUDY_PRESETS,
  STUDY_SCALES,
  type StudyFile,
  type StudyLayout,
  studyPreset,
  writeStudy,
} from "../lib/experiments/study/mod.ts";
import { exists, readJson } from "../lib/io/files.ts";
import { onPath } from "./slurm/smoke_test.ts";

const COMMANDS = ["plan", "run", "job", "slurm"] as const;
const ENGINES = ["local", "slurm"] as const;

/** The `study` command line. */
export const STUDY_CLI: CliSpec = {
  command: "deno task study",
  summary: "A reproduction as a plan of independent jobs (training per run, analysis per run " +
    "or checkpoint, one aggregation): `plan` prints the jobs with estimated time and memory, " +
    "`run` runs them on a local pool, `job` runs one, `slurm` writes (and submits) sbatch " +
    "job arrays. Finished jobs are skipped, so any command can be repeated to resume.",
  positional: {
    name: "COMMAND [JOB]",
    description: "plan | run | job | slurm; for `job`, a job id (or --stage and --index)",
    min: 1,
    max: 2,
  },
  options: [
    { name: "preset", type: "string", value: STUDY_PRESETS.join("|"), description: "settings" },
    { name: "settings", type: "string", value: "FILE", description: "settings from a JSON file" },
    {
      name: "scale",
      type: "string",
      value: STUDY_SCALES.join("|"),
      description: "the preset's settings, toy (CI), or the paper's per task",
      default: "preset",
    },
    { name: "task", type: "string", value: "ID,...", description: "tasks (replace the preset's)" },
    { name: "algo", type: "string", value: "ppo,sac", description: "keep only these algorithms" },
    { name: "seeds", type: "string", value: "0,1,...", description: "seeds of every experiment" },
    {
      name: "dir",
      type: "string",
      value: "DIR",
      description: "study directory (on shared storage for Slurm)",
      default: "runs/reproduce-<name>",
    },
    {
      name: "analysis-jobs",
      type: "string",
      value: "run|checkpoint",
      description: "one analysis job per run (warm-start chain) or per checkpoint",
      default: "run",
    },
    { name: "cpus", type: "string", value: "N", description: "CPUs per job", default: "2" },
    { name: "warm-start", type: "boolean", description: "warm-start the solves along each run" },
    {
      name: "calibration",
      type: "string",
      value: "measure|default",
      description: "measure costs on this machine (kept in study.json) or use the built-in model",
      default: "measure",
    },
    { name: "recalibrate", type: "boolean", description: "measure again, replacing the saved one" },
    { name: "workers", type: "string", value: "N", description: "run: jobs at once", default: "1" },
    {
      name: "engine",
      type: "string",
      value: ENGINES.join("|"),
      description: "run: where",
      default: "local",
    },
    { name: "stage", type: "string", value: "train|analyze|aggregate", description: "job: stage" },
    { name: "index", type: "string", value: "I", description: "job: index within its stage" },
    { name: "emit", type: "string", value: "DIR", description: "slurm: where the scripts go" },
    { name: "submit", type: "boolean", description: "slurm: submit with sbatch" },
    { name: "throttle", type: "string", value: "N", description: "slurm: tasks at once per array" },
    { name: "partition", type: "string", value: "P", description: "slurm: --partition" },
    { name: "account", type: "string", value: "A", description: "slurm: --account" },
    {
      name: "backend",
      type: "string",
      value: "auto|wasm|cpu|webgpu",
      description: "tfjs backend",
      default: "auto",
    },
  ],
  examples: [
    "deno task study plan --preset quick",
    "deno task study run --preset quick --workers 2",
    "deno task study job --dir runs/reproduce-quick aggregate",
    "deno task study slurm --preset main-text --dir /shared/mt --emit /shared/mt/slurm --submit",
    "deno task study plan --preset main-text --scale paper --calibration default",
  ],
};

function list(args: ParsedArgs, name: string): string[] | undefined {
  const s = args.string(name);
  return s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter((x) => x);
}

/** The settings the command line names (preset or file, selection, scale). */
async function settingsOf(args: ParsedArgs): Promise<ReproductionSettings | null> {
  if (args.has("preset") && args.has("settings")) {
    throw new UsageError("give --preset or --settings, not both");
  }
  let base: ReproductionSettings;
  if (args.has("settings")) base = await readSettingsFile(args.string("settings")!);
  else if (args.has("preset")) base = studyPreset(args.string("preset")!);
  else {
    const dir = args.string("dir");
    if (dir && (await exists(`${dir}/study.json`))) return null; // the saved study
    base = studyPreset("pendulum");
  }
  return selectStudy(base, {
    tasks: list(args, "task"),
    algos: list(args, "algo"),
    seeds: args.intList("seeds"),
    scale: args.string("scale"),
  });
}

/** Writes (or reuses) the study directory and returns its path. */
async function prepareStudy(args: ParsedArgs, log: (m: string) => void): Promise<string> {
  const settings = await settingsOf(args);
  if (settings === null) return args.string("dir")!;
  const dir = args.string("dir") ?? `runs/reproduce-${settings.name}`;
  const layout: StudyLayout = {
    analysisJobs: args.choice("analysis-jobs", ["run", "checkpoint"] as const) ??
      DEFAULT_LAYOUT.analysisJobs,
    cpusPerJob: args.int("cpus", 1) ?? DEFAULT_LAYOUT.cpusPerJob,
    warmStart: args.flag("warm-start"),
  };
  const how = args.choice("calibration", ["measure", "default"] as const) ?? "measure";
  let calibration: Calibration | null = null;
  if (!args.flag("recalibrate") && (await exists(`${dir}/study.json`))) {
    const saved = await readJson<StudyFile>(`${dir}/study.json`);
    if (JSON.stringify(saved.settings) === JSON.stringify(settings)) {
      calibration = saved.calibration;
    }
  }
  if (calibration === null) {
    if (how === "measure") {
      log(`calibrating on this machine (${settings.experiments.length} experiments)...`);
      calibration = await measureCalibration(settings, {
        backend: backendOf(args),
        threads: layout.cpusPerJob >= 2 ? 2 : 1,
        log,
      });
    } else calibration = defaultCalibration(settings);
  }
  await writeStudy(dir, { format: "pgsubspace-study/1", settings, layout, calibration });
  return dir;
}

function backendOf(args: ParsedArgs) {
  return args.has("backend") ? parseBackendChoice(args.string("backend")!) : undefined;
}

async function slurm(args: ParsedArgs, submit: boolean): Promise<number> {
  const emit = args.string("emit") ?? (submit ? undefined : args.required("emit"));
  if (submit && !onPath("sbatch")) {
    throw new Error(
      "sbatch not found: this machine is not a Slurm submit host. Emit the scripts instead " +
        "(`deno task study slurm ... --emit DIR`, without --submit)\nand run DIR/submit.sh on " +
        "the cluster's login node",
    );
  }
  const dir = await prepareStudy(args, (m) => console.log(m));
  const studyDir = await Deno.realPath(dir);
  const { plan } = await readStudy(studyDir);
  const emitDir = emit ?? `${studyDir}/slurm`;
  const repoDir = new URL("..", import.meta.url).pathname.replace(/\/+$/, "");
  const files = await emitSlurmScripts(plan, emitDir, {
    studyDir,
    repoDir,
    denoDir: Deno.execPath().replace(/\/[^/]*$/, ""),
    throttle: args.int("throttle", 1),
    partition: args.string("partition"),
    account: args.string("account"),
  });
  console.log(formatStudyPlan(plan, await readJobStates(studyDir, plan)));
  console.log(`scripts: ${files.join(", ")}`);
  if (!submit) {
    console.log(`submit with: bash ${emitDir}/submit.sh   (again to resume)`);
    return 0;
  }
  const out = await new Deno.Command("bash", { args: [`${emitDir}/submit.sh`] }).output();
  await Deno.stdout.write(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-2).join("\n");
    throw new Error(`submitting failed: ${err || `submit.sh exited ${out.code}`}`);
  }
  return 0;
}

async function main(args: ParsedArgs): Promise<number> {
  const command = args.positional[0];
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}": valid commands are ${COMMANDS.join(", ")}`);
  }
  if (command !== "job" && args.positional.length > 1) {
    throw new UsageError(`unexpected argument "${args.positional[1]}"`);
  }
  const interactive = Deno.stdout.isTerminal();
  const bar = new ProgressPrinter();
  const log = (m: string) => interactive ? bar.finish(m) : console.log(m);
  const progress = interactive
    ? {
      onTrainProgress: (p: Parameters<typeof formatTrainProgress>[0]) =>
        bar.update(p.step, p.totalSteps, formatTrainProgress(p, false)),
      onAnalyzeProgress: (p: Parameters<typeof formatAnalyzeProgress>[0]) =>
        bar.update(p.solvesDone, p.solvesTotal, formatAnalyzeProgress(p)),
    }
    : {};
  if (command === "job") {
    const dir = args.string("dir") ?? "runs/reproduce-pendulum";
    const { plan } = await readStudy(dir);
    const id = args.positional[1];
    if (id === undefined && !(args.has("stage") && args.has("index"))) {
      throw new UsageError("job needs a job id, or --stage and --index");
    }
    const job = id !== undefined ? findJob(plan, id) : findJob(plan, {
      stage: args.choice("stage", ["train", "analyze", "aggregate"] as const)!,
      index: args.int("index")!,
    });
    const controller = new AbortController();
    const release = stopOnSignals(
      controller,
      `job ${job.id} interrupted; run it again to continue`,
    );
    try {
      const r = await runJob(dir, job, {
        backend: backendOf(args),
        log,
        signal: controller.signal,
        ...progress,
      });
      if (r.outcome === "skipped") console.log(`job ${job.id}: already done, skipped`);
      return 0;
    } finally {
      release();
    }
  }
  if (command === "slurm") return await slurm(args, args.flag("submit"));
  const engine = args.choice("engine", ENGINES) ?? "local";
  if (command === "run" && engine === "slurm") return await slurm(args, true);
  const dir = await prepareStudy(args, log);
  const { plan } = await readStudy(dir);
  if (command === "plan") {
    console.log(formatStudyPlan(plan, await readJobStates(dir, plan)));
    console.log(`study: ${dir}/plan.json`);
    return 0;
  }
  const workers = args.int("workers", 1) ?? 1;
  const config = new URL("../deno.json", import.meta.url).pathname;
  const script = new URL("./study.ts", import.meta.url).pathname;
  const backend = args.string("backend");
  const controller = new AbortController();
  const release = stopOnSignals(controller, "study interrupted; run the same command to resume");
  try {
    const result = await runStudyLocal(dir, {
      workers,
      backend: backendOf(args),
      log,
      signal: controller.signal,
      ...(workers === 1 ? progress : {}),
      spawn: (job) => ({
        command: Deno.execPath(),
        args: [
          "run",
          "--config",
          config,
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-sys",
          "--allow-run",
          script,
          "job",
          "--dir",
          dir,
          job.id,
          ...(backend ? ["--backend", backend] : []),
        ],
      }),
    });
    if (result.aggregate && workers > 1) console.log(formatAggregate(result.aggregate));
    const bad = result.failed.length + result.blocked.length;
    if (bad > 0) {
      console.error(
        `error: ${result.failed.length} jobs failed (${result.failed[0]?.id ?? "-"}: ${
          result.failed[0]?.error.split("\n")[0] ?? ""
        }), ${result.blocked.length} not started\nsee ${dir}/jobs/<id>/log.txt; run the same ` +
          "command again to retry them",
      );
      return 1;
    }
    return 0;
  } finally {
    release();
  }
}

if (import.meta.main) await runCli(STUDY_CLI, Deno.args, main);
