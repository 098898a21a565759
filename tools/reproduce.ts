/**
 * The main job: a reproduction of the paper's three measurements with an HTML report.
 *
 * ```sh
 * deno task reproduce                      # preset "pendulum" into runs/reproduce-pendulum/
 * deno task reproduce --preset quick       # a minute or two: small networks, few samples
 * deno task reproduce --preset paper-pendulum --out runs/paper
 * ```
 *
 * Re-running continues an interrupted reproduction (runs resume, analyses reuse their cache).
 *
 * @module
 */
import { parseBackendChoice } from "../lib/runtime/mod.ts";
import { formatAnalyzeProgress } from "../lib/experiments/analyze.ts";
import { formatProgressLine, ProgressPrinter } from "../lib/experiments/progress.ts";
import {
  REPRODUCTION_PRESETS,
  reproductionPreset,
  runReproduction,
} from "../lib/experiments/reproduce.ts";

const USAGE = `usage: deno task reproduce [--preset ${REPRODUCTION_PRESETS.join("|")}] ` +
  "[--out DIR] [--backend auto|wasm|cpu|webgpu]";

if (import.meta.main) {
  const args = [...Deno.args];
  const take = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined) {
      console.error(`${name} needs a value\n${USAGE}`);
      Deno.exit(2);
    }
    args.splice(i, 2);
    return v;
  };
  const presetName = take("--preset") ?? "pendulum";
  const out = take("--out") ?? `runs/reproduce-${presetName}`;
  const backendArg = take("--backend");
  if (args.length > 0) {
    console.error(`unknown arguments: ${args.join(" ")}\n${USAGE}`);
    Deno.exit(2);
  }
  let settings;
  try {
    settings = reproductionPreset(presetName as (typeof REPRODUCTION_PRESETS)[number]);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  const bar = new ProgressPrinter();
  const result = await runReproduction(settings, {
    outRoot: out,
    backend: backendArg ? parseBackendChoice(backendArg) : undefined,
    log: (m) => bar.finish(m),
    onTrainProgress: (p) =>
      bar.update(
        p.step,
        p.totalSteps,
        formatProgressLine({
          done: p.step,
          total: p.totalSteps,
          unit: "steps",
          rate: p.stepsPerSecond,
        }),
      ),
    onAnalyzeProgress: (p) => bar.update(p.solvesDone, p.solvesTotal, formatAnalyzeProgress(p)),
  });
  console.log(`report: ${result.reportPath}`);
}
