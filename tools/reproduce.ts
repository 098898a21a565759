/**
 * The main job: a reproduction of the paper's three measurements with an HTML report.
 *
 * ```sh
 * deno task reproduce                      # preset "pendulum" into runs/reproduce-pendulum/
 * deno task reproduce --preset quick       # a few minutes: small networks, few samples
 * deno task reproduce --preset paper-pendulum --out runs/paper
 * deno task reproduce --preset quick --plan          # print what would run, and exit
 * deno task reproduce --preset quick --report-only   # rebuild the report from disk
 * ```
 *
 * Re-running continues an interrupted reproduction (runs resume, analyses reuse their cache).
 * The reproduction is a study (`deno task study`): its jobs run one after another in this
 * process; `deno task study run --preset P --workers N` runs the same jobs N at a time.
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { type CliSpec, type ParsedArgs, runCli, stopOnSignals } from "../lib/cli.ts";
import { formatAnalyzeProgress } from "../lib/experiments/analyze.ts";
import { formatTrainProgress, ProgressPrinter } from "../lib/experiments/progress.ts";
import {
  formatPlan,
  rebuildReport,
  reproductionPlan,
  runReproduction,
} from "../lib/experiments/reproduce.ts";
import {
  DEFAULT_LAYOUT,
  defaultCalibration,
  formatStudyPlan,
  planStudy,
  readJobStates,
  readStudy,
  selectStudy,
  STUDY_FORMAT,
  STUDY_PRESETS,
  STUDY_SCALES,
  studyPreset,
} from "../lib/experiments/study/mod.ts";

/** The `reproduce` command line. */
export const REPRODUCE_CLI: CliSpec = {
  command: "deno task reproduce",
  summary: "Trains PPO and SAC seeds, analyses every checkpoint (Hessian spectra, S_frac, " +
    "S_overlap) and writes a standalone HTML report with a verdict for each of the paper's " +
    "findings. Re-running continues where it stopped and reuses what is on disk.",
  options: [
    {
      name: "preset",
      type: "string",
      value: STUDY_PRESETS.join("|"),
      description: "settings",
      default: "pendulum",
    },
    {
      name: "tasks",
      type: "string",
      value: "ID,...",
      description: "tasks (replace the preset's; each algorithm's preset for the task)",
    },
    { name: "algos", type: "string", value: "ppo,sac", description: "keep only these algorithms" },
    { name: "seeds", type: "string", value: "0,1,...", description: "seeds of every experiment" },
    {
      name: "scale",
      type: "string",
      value: STUDY_SCALES.join("|"),
      description: "the preset's settings, toy, or the paper's per task",
      default: "preset",
    },
    {
      name: "out",
      type: "string",
      value: "DIR",
      description: "output",
      default: "runs/reproduce-<name>",
    },
    {
      name: "backend",
      type: "string",
      value: "auto|wasm|cpu|webgpu",
      description: "tfjs backend",
      default: "auto",
    },
    { name: "plan", type: "boolean", description: "print the plan and its ETA, then exit" },
    {
      name: "report-only",
      type: "boolean",
      description: "rebuild report.html from the files on disk",
    },
  ],
  examples: [
    "deno task reproduce --preset quick",
    "deno task reproduce --tasks dmc_Finger-spin-v1 --preset quick",
    "deno task reproduce --preset main-text",
    "deno task reproduce --preset quick --report-only",
  ],
};

async function main(args: ParsedArgs): Promise<number> {
  const list = (name: string) =>
    args.string(name)?.split(",").map((x) => x.trim()).filter((x) => x);
  const settings = selectStudy(studyPreset(args.choice("preset", STUDY_PRESETS) ?? "pendulum"), {
    tasks: list("tasks"),
    algos: list("algos"),
    seeds: args.intList("seeds"),
    scale: args.string("scale"),
  });
  const out = args.string("out") ?? `runs/reproduce-${settings.name}`;
  if (args.flag("report-only")) {
    console.log(`report: ${await rebuildReport(out)}`);
    return 0;
  }
  if (args.flag("plan")) {
    console.log(formatPlan(await reproductionPlan(settings, out)));
    // The same reproduction as jobs (`deno task study plan` measures the costs instead).
    const { study, plan } = await readStudy(out).catch(() => ({
      study: null,
      plan: planStudy({
        format: STUDY_FORMAT,
        settings,
        layout: DEFAULT_LAYOUT,
        calibration: defaultCalibration(settings),
      }),
    }));
    console.log(formatStudyPlan(plan, study ? await readJobStates(out, plan) : undefined));
    return 0;
  }
  const controller = new AbortController();
  const release = stopOnSignals(
    controller,
    "reproduction interrupted; run the same command again to continue where it stopped",
  );
  const bar = new ProgressPrinter();
  try {
    await runReproduction(settings, {
      outRoot: out,
      backend: args.has("backend") ? parseBackendChoice(args.string("backend")!) : undefined,
      log: (m) => bar.finish(m),
      signal: controller.signal,
      onTrainProgress: (p) => bar.update(p.step, p.totalSteps, formatTrainProgress(p, false)),
      onAnalyzeProgress: (p) => bar.update(p.solvesDone, p.solvesTotal, formatAnalyzeProgress(p)),
    });
    return 0;
  } catch (e) {
    if (controller.signal.aborted) {
      console.error(
        `error: reproduction interrupted by ${controller.signal.reason}\n` +
          "run the same command again to continue from the last checkpoints",
      );
      return 130;
    }
    throw e;
  } finally {
    release();
  }
}

if (import.meta.main) await runCli(REPRODUCE_CLI, Deno.args, main);
