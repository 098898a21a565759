/**
 * Export of an analysis for numpy: every array behind the numbers of `results.jsonl` as `.npy`
 * files, so that any value can be checked in Python (`np.load`).
 *
 * `exportAnalysis` writes `<run>/export/<analysisId>/` (or `outDir`):
 * - `manifest.json`: run identity, analysis settings, and one entry per file (what it is, step,
 *   network, estimator, dtype, shape);
 * - per analysed step `step_XXXXXXX/`:
 *   - `<network>_parameters.npy` θ of the checkpoint (float32, N);
 *   - `<network>_<precise|minibatch>_eigenvalues.npy` (float64, k, descending) and
 *     `_eigenvectors.npy` (float32, k × N, one eigenvector per row), from the eigen cache;
 *   - `<network>_precise_gradient.npy` (float64, N) and `<network>_minibatch_gradients.npy`
 *     (float64, m × N, one mini-batch gradient per row), recomputed from the checkpoint with the
 *     analysis's settings and seed, so they are the gradients behind S_frac;
 *   - `batch_<precise|minibatch>_<field>.npy`: the samples the losses were evaluated on (PPO:
 *     observations, actions, log-probabilities, values, advantages, returns, episode starts, and
 *     the mini-batch split as `minibatch_indices` + `minibatch_offsets`; SAC: observations,
 *     actions, critic targets and the actor noise ε; the mini-batch i of SAC is rows
 *     [i·batch, (i+1)·batch) of the mini-batch union).
 *
 * With them, `S_frac = ‖V_kᵀ g‖² / ‖g‖²` in numpy reproduces `results.jsonl` to float32 rounding.
 *
 * @module
 */
import { initRuntime } from "../runtime/mod.ts";
import { ROLLOUT_SCALAR_COLUMNS } from "../agents/common/rollout_buffer.ts";
import {
  type CheckpointProblem,
  type DataEstimator,
  type HvpEngine,
  makeHessianOperator,
  type NetworkName,
  PpoCheckpointProblem,
} from "../subspaces/mod.ts";
import { SacCheckpointProblem } from "../subspaces/sac_estimators.ts";
import { exists, readJson, writeJsonAtomic } from "../io/files.ts";
import { type NpyArray, type NpyTypedArray, readNpy, writeNpy } from "../io/npy.ts";
import { analysisAlgorithmOf, type AnalysisSettings, loadEigenCache } from "./analyze.ts";
import { checkpointDirName, loadCheckpointState } from "./train.ts";

/** Options of {@linkcode exportAnalysis}. */
export interface ExportOptions {
  /** The run directory. */
  runDir: string;
  /** The analysis to export (default: the run's only analysis). */
  analysisId?: string;
  /** Output directory (default `<run>/export/<analysisId>`). */
  outDir?: string;
  /** Analysed steps to export (default all). */
  steps?: number[] | "all";
  /** Write the sample batches too (default true; they are the largest files). */
  batches?: boolean;
  /** Progress messages. */
  log?: (message: string) => void;
}

/** One exported file. */
export interface ExportedFile {
  /** Path relative to the export directory. */
  path: string;
  /** What it holds, e.g. "eigenvectors", "precise_gradient", "batch". */
  kind: string;
  /** Checkpoint step. */
  step: number;
  /** Network, when the array belongs to one. */
  network?: NetworkName;
  /** Data estimator, when the array belongs to one. */
  estimator?: DataEstimator;
  /** numpy dtype, e.g. "float32". */
  dtype: string;
  /** Shape. */
  shape: number[];
}

/** `manifest.json` of an export. */
export interface ExportManifest {
  /** Format tag. */
  format: "pgsubspace-export/1";
  /** Run identity. */
  run: { algo: string; envId: string; seed: number; runDir: string };
  /** The analysis id. */
  analysisId: string;
  /** Its settings (analysis.json). */
  settings: AnalysisSettings;
  /** Exported steps. */
  steps: number[];
  /** The files. */
  files: ExportedFile[];
}

const DTYPE_NAMES: Record<string, string> = {
  Float32Array: "float32",
  Float64Array: "float64",
  Int32Array: "int32",
  Uint8Array: "uint8",
};

/**
 * The analyses of a run (directory names under `<run>/analysis/`).
 *
 * @example
 * ```ts
 * import { listAnalyses } from "./export.ts";
 * const ids = await listAnalyses("runs/ppo-pendulum-0");
 * ```
 */
export async function listAnalyses(runDir: string): Promise<string[]> {
  const ids: string[] = [];
  if (!(await exists(`${runDir}/analysis`))) return ids;
  for await (const e of Deno.readDir(`${runDir}/analysis`)) {
    if (e.isDirectory && (await exists(`${runDir}/analysis/${e.name}/analysis.json`))) {
      ids.push(e.name);
    }
  }
  return ids.sort();
}

/**
 * Writes the `.npy` export of an analysis (module doc) and returns its manifest.
 *
 * @throws Error naming the problem and the fix when the run has no (or several) analyses, a
 *   step was not analysed, or a checkpoint or cache is damaged.
 *
 * @example
 * ```ts
 * import { exportAnalysis } from "./export.ts";
 * const { outDir, manifest } = await exportAnalysis({ runDir: "runs/ppo-pendulum-0" });
 * console.log(`${manifest.files.length} files in ${outDir}`);
 * ```
 */
export async function exportAnalysis(
  options: ExportOptions,
): Promise<{ outDir: string; manifest: ExportManifest }> {
  const runDir = options.runDir.replace(/\/+$/, "");
  const log = options.log ?? (() => {});
  if (!(await exists(`${runDir}/run.json`))) {
    throw new Error(`${runDir} is not a run directory (no run.json); pass --run runs/<name>`);
  }
  const run = await readJson<{ algo: string; envId: string; seed: number }>(`${runDir}/run.json`);
  const ids = await listAnalyses(runDir);
  let id = options.analysisId;
  if (id === undefined) {
    if (ids.length !== 1) {
      throw new Error(
        ids.length === 0
          ? `${runDir} has no analysis to export: run \`deno task analyze --run ${runDir}\` first`
          : `${runDir} holds ${ids.length} analyses (${ids.join(", ")}): pass --analysis ID`,
      );
    }
    id = ids[0];
  } else if (!ids.includes(id)) {
    throw new Error(`${runDir} has no analysis ${id}; it has: ${ids.join(", ") || "none"}`);
  }
  const analysisDir = `${runDir}/analysis/${id}`;
  const manifestIn = await readJson<
    { settings: AnalysisSettings; engine?: HvpEngine; chunkSize?: number }
  >(
    `${analysisDir}/analysis.json`,
  );
  const settings = manifestIn.settings;
  const analysed: number[] = [];
  if (await exists(`${analysisDir}/steps`)) {
    for await (const e of Deno.readDir(`${analysisDir}/steps`)) {
      const m = /^step_(\d+)\.json$/.exec(e.name);
      if (e.isFile && m) analysed.push(Number(m[1]));
    }
  }
  analysed.sort((a, b) => a - b);
  const steps = options.steps === undefined || options.steps === "all"
    ? analysed
    : [...new Set(options.steps)].sort((a, b) => a - b);
  for (const s of steps) {
    if (!analysed.includes(s)) {
      throw new Error(
        `Step ${s} of ${runDir} was not analysed by ${id}; analysed: ${
          analysed.join(", ") || "none"
        }`,
      );
    }
  }
  if (steps.length === 0) {
    throw new Error(`${analysisDir} has no finished step: run the analysis first`);
  }
  const algorithm = analysisAlgorithmOf(run.algo);
  const networks = settings.networks ?? algorithm.networks;
  const outDir = (options.outDir ?? `${runDir}/export/${id}`).replace(/\/+$/, "");
  await initRuntime();
  const hessianOptions = { engine: manifestIn.engine ?? "auto" };

  const files: ExportedFile[] = [];
  const put = async (
    rel: string,
    data: NpyTypedArray,
    shape: number[],
    meta: Omit<ExportedFile, "path" | "dtype" | "shape">,
  ) => {
    await writeNpy(`${outDir}/${rel}`, data, shape);
    files.push({ path: rel, ...meta, dtype: DTYPE_NAMES[data.constructor.name], shape });
  };

  for (const step of steps) {
    log(`export step ${step}`);
    const dir = checkpointDirName(step);
    await Deno.mkdir(`${outDir}/${dir}`, { recursive: true });
    const problem = await algorithm.prepare({
      state: await loadCheckpointState(runDir, step),
      envId: run.envId,
      step,
      settings: {
        preciseSamples: settings.preciseSamples,
        chunkSize: manifestIn.chunkSize ?? 8192,
        seed: settings.seed,
        quirks: settings.quirks,
      },
    });
    try {
      for (const network of networks) {
        const n = problem.parameterCount(network);
        const theta = parametersOf(problem, network);
        if (theta) {
          await put(`${dir}/${network}_parameters.npy`, theta, [n], {
            kind: "parameters",
            step,
            network,
          });
        }
        for (const estimator of ["precise", "minibatch"] as const) {
          const cache = await loadEigenCache(analysisDir, step, network, estimator);
          if (!cache) {
            throw new Error(
              `No eigen cache for step ${step} ${network} ${estimator} in ${analysisDir}: ` +
                "rerun the analysis to complete it",
            );
          }
          const k = cache.eigenvectors.length;
          const base = `${dir}/${network}_${estimator}`;
          const meta = { step, network, estimator };
          await put(`${base}_eigenvalues.npy`, Float64Array.from(cache.info.eigenvalues), [k], {
            kind: "eigenvalues",
            ...meta,
          });
          const vectors = new Float32Array(k * n);
          cache.eigenvectors.forEach((v, i) => vectors.set(v, i * n));
          await put(`${base}_eigenvectors.npy`, vectors, [k, n], { kind: "eigenvectors", ...meta });
        }
        const gradientOf = async (loss: ReturnType<CheckpointProblem["loss"]>) => {
          const op = makeHessianOperator(loss, hessianOptions);
          try {
            return await op.gradient();
          } finally {
            op.dispose();
            loss.dispose();
          }
        };
        const g = await gradientOf(problem.loss(network, "precise"));
        await put(`${dir}/${network}_precise_gradient.npy`, g, [n], {
          kind: "precise_gradient",
          step,
          network,
          estimator: "precise",
        });
        const m = problem.miniBatchCount;
        const gs = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          gs.set(await gradientOf(problem.miniBatchLoss(network, i)), i * n);
        }
        await put(`${dir}/${network}_minibatch_gradients.npy`, gs, [m, n], {
          kind: "minibatch_gradients",
          step,
          network,
          estimator: "minibatch",
        });
      }
      if (options.batches !== false) {
        for (const [name, array, shape] of batchArrays(problem)) {
          const estimator = name.startsWith("precise") ? "precise" : "minibatch";
          await put(`${dir}/batch_${name}.npy`, array, shape, { kind: "batch", step, estimator });
        }
      }
    } finally {
      problem.dispose();
    }
  }
  const manifest: ExportManifest = {
    format: "pgsubspace-export/1",
    run: { algo: run.algo, envId: run.envId, seed: run.seed, runDir },
    analysisId: id,
    settings,
    steps,
    files,
  };
  await writeJsonAtomic(`${outDir}/manifest.json`, manifest);
  return { outDir, manifest };
}

/**
 * Reads an export back: its manifest and a loader for its arrays.
 *
 * @example
 * ```ts
 * import { readExport } from "./export.ts";
 * const exp = await readExport("runs/ppo-pendulum-0/export/ID");
 * const v = await exp.load(0, "critic_precise_eigenvectors"); // { data, shape: [k, N] }
 * ```
 */
export async function readExport(outDir: string): Promise<{
  manifest: ExportManifest;
  load: (step: number, name: string) => Promise<NpyArray>;
}> {
  const manifest = await readJson<ExportManifest>(`${outDir}/manifest.json`);
  return {
    manifest,
    load: (step, name) => readNpy(`${outDir}/${checkpointDirName(step)}/${name}.npy`),
  };
}

function parametersOf(problem: CheckpointProblem, network: NetworkName): Float32Array | null {
  if (problem instanceof PpoCheckpointProblem) {
    return network === "actor" ? problem.thetaActor : problem.thetaCritic;
  }
  if (problem instanceof SacCheckpointProblem) {
    return network === "actor" ? problem.input.thetaActor : problem.input.thetaCritic;
  }
  return null;
}

/** The sample arrays of a problem: [name, data, shape]. */
function batchArrays(problem: CheckpointProblem): [string, NpyTypedArray, number[]][] {
  const out: [string, NpyTypedArray, number[]][] = [];
  if (problem instanceof PpoCheckpointProblem) {
    for (
      const [which, r] of [["precise", problem.precise], [
        "minibatch",
        problem.miniBatchRollout,
      ]] as const
    ) {
      out.push([`${which}_observations`, r.observations, [r.n, r.obsDim]]);
      out.push([`${which}_actions`, r.actions, [r.n, r.actDim]]);
      for (const field of ROLLOUT_SCALAR_COLUMNS) {
        out.push([`${which}_${snake(field)}`, r[field], [r.n]]);
      }
    }
    const offsets = new Int32Array(problem.miniBatches.length + 1);
    problem.miniBatches.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
    const indices = new Int32Array(offsets[offsets.length - 1]);
    problem.miniBatches.forEach((b, i) => indices.set(b, offsets[i]));
    out.push(["minibatch_indices", indices, [indices.length]]);
    out.push(["minibatch_offsets", offsets, [offsets.length]]);
  } else if (problem instanceof SacCheckpointProblem) {
    const { obsDim, actDim } = problem.input.spec;
    for (
      const [which, d] of [["precise", problem.precise], [
        "minibatch",
        problem.miniBatchUnion,
      ]] as const
    ) {
      out.push([`${which}_observations`, d.observations, [d.n, obsDim]]);
      out.push([`${which}_actions`, d.actions, [d.n, actDim]]);
      out.push([`${which}_targets`, d.targets, [d.n]]);
      out.push([`${which}_noise`, d.noise, [d.n, actDim]]);
    }
  }
  return out;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
