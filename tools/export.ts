/**
 * Command line of the numpy export of an analysis (lib/experiments/export.ts).
 *
 * ```sh
 * deno task export --run runs/reproduce-quick/ppo-Pendulum-v1-seed0
 * deno task export --run runs/x --analysis ppo-n10000-k20-tol0.0001-s0-1a2b3c4d --steps 0,100000
 * ```
 *
 * @module
 */
import { type CliSpec, type ParsedArgs, runCli } from "../lib/cli.ts";
import { exportAnalysis } from "../lib/experiments/export.ts";

/** The `export` command line. */
export const EXPORT_CLI: CliSpec = {
  command: "deno task export",
  summary: "Writes an analysis's eigenvalues, eigenvectors, gradients and sample batches as " +
    ".npy files (with a manifest.json) for numpy, e.g. to check S_frac = |V_k^T g|^2/|g|^2.",
  options: [
    { name: "run", type: "string", value: "DIR", description: "run directory", required: true },
    {
      name: "analysis",
      type: "string",
      value: "ID",
      description: "analysis id (a directory under <run>/analysis/)",
      default: "the run's only analysis",
    },
    {
      name: "steps",
      type: "string",
      value: "all|N,N",
      description: "analysed steps",
      default: "all",
    },
    {
      name: "out",
      type: "string",
      value: "DIR",
      description: "output",
      default: "<run>/export/<id>",
    },
    {
      name: "no-batches",
      type: "boolean",
      description: "skip the sample batches (the largest files)",
    },
  ],
  examples: [
    "deno task export --run runs/reproduce-quick/ppo-Pendulum-v1-seed0",
    "python3 -c \"import numpy as np; print(np.load('runs/.../step_0040960/critic_precise_eigenvalues.npy'))\"",
  ],
};

async function main(args: ParsedArgs): Promise<void> {
  const steps = args.string("steps");
  const { outDir, manifest } = await exportAnalysis({
    runDir: args.required("run"),
    analysisId: args.string("analysis"),
    outDir: args.string("out"),
    steps: steps === undefined || steps === "all" ? "all" : args.intList("steps"),
    batches: !args.flag("no-batches"),
    log: (m) => console.error(m),
  });
  const bytes = manifest.files.reduce(
    (a, f) => a + f.shape.reduce((x, y) => x * y, 1) * (f.dtype.endsWith("64") ? 8 : 4),
    0,
  );
  console.log(
    `wrote ${manifest.files.length} .npy files (${(bytes / 1e6).toFixed(1)} MB) for ` +
      `${manifest.steps.length} step(s) to ${outDir} (see manifest.json)`,
  );
}

if (import.meta.main) await runCli(EXPORT_CLI, Deno.args, main);
