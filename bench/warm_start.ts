/**
 * Warm-started vs cold top-k eigensolves over the analysed checkpoints of a real training run
 * (issue 14 part 4). For every checkpoint (ascending) and network, on one precise data set (the
 * same for every solve at that checkpoint):
 *
 * - **cold**: the solver from a seeded random start;
 * - **warm**: the same solver started from the warm solve's eigenvectors at the previous
 *   checkpoint (`initialVectors`, the chain `analyzeRun({ warmStart: true })` follows), plus its
 *   next `--extra P` Ritz vectors (default 0: the k eigenvectors the eigen cache holds);
 * - **own vectors** (control, `--no-ceiling` drops it): started from this checkpoint's own cold
 *   eigenvectors (and `--extra` Ritz vectors), a perfect warm basis: what this warm start saves
 *   when the basis is exact;
 * - **large block** (`--large-block`): all previous eigenvectors as one block of k + 12, the
 *   "whole old subspace as the first block, then Rayleigh–Ritz" variant.
 *
 * Every solve runs with `verify: true` (its residuals recomputed with k extra HVPs, counted in
 * the HVP columns, unless the warm pairs were returned with the residuals of their warm products;
 * pairs at the float32 noise floor pass as noise-limited, the "nl" column); a solve whose pairs
 * miss tol otherwise is an error. Each warm solve also prints its Rayleigh–Ritz step: warm
 * vectors multiplied, pairs meeting tol, pairs kept, returned or continued. Printed per checkpoint: S_overlap of
 * the previous and the current top-k eigenspaces, HVPs, passes and seconds of each solve, and the
 * largest relative eigenvalue difference warm vs cold (must be ≤ tol); then totals and ratios.
 *
 * Run (under the heavy lock; minutes per run):
 * `deno run -A bench/warm_start.ts --run runs/ppo-pendulum-0 [--run DIR ...] [--steps all|N,N]
 * [--samples 10000] [--sac-samples N] [--k 100] [--tol 1e-4] [--solver block|lanczos]
 * [--block-size 16] [--networks actor,critic] [--extra 0] [--no-ceiling] [--large-block] [--seed 0]`.
 * `--samples`: PPO precise samples (fresh on-policy rollout per checkpoint); `--sac-samples`: cap
 * on the SAC replay buffer (default: the whole buffer, as the paper).
 *
 * @module
 */
import { initRuntime } from "../lib/runtime/mod.ts";
import { prepareEnv } from "../lib/envs/mod.ts";
import { listCheckpoints, loadCheckpointState } from "../lib/experiments/train.ts";
import {
  type AnalysisAlgorithm,
  blockLanczosTopK,
  FLOAT32_ROUNDOFF,
  type LanczosResult,
  lanczosTopK,
  type NetworkName,
  ppoAnalysis,
  sacAnalysis,
  subspaceOverlap,
  type WarmStartReport,
} from "../lib/subspaces/mod.ts";
import { makeHessianOperator } from "../lib/subspaces/hvp.ts";
import { parseBenchArgs } from "./_cli.ts";

const cli = parseBenchArgs(Deno.args);
const option = cli.value;
const runs = cli.values("run");
if (runs.length === 0) {
  console.error(
    "usage: deno run -A bench/warm_start.ts --run runs/DIR [--run DIR ...] [--steps all|N,N] " +
      "[--samples 10000] [--sac-samples N] [--k 100] [--tol 1e-4] [--solver block|lanczos] " +
      "[--block-size 16] [--networks actor,critic] [--extra 0] [--no-ceiling] [--large-block] " +
      "[--seed 0]",
  );
  Deno.exit(2);
}
const K = Number(option("k", "100"));
const TOL = Number(option("tol", "1e-4"));
const SOLVER = option("solver", "block");
if (SOLVER !== "block" && SOLVER !== "lanczos") {
  console.error(`--solver must be block or lanczos, got "${SOLVER}"`);
  Deno.exit(2);
}
const BLOCK = Number(option("block-size", "16"));
const PPO_SAMPLES = Number(option("samples", "10000"));
const SAC_SAMPLES = Number(option("sac-samples", "1000000"));
const SEED = Number(option("seed", "0"));
const NETWORKS = option("networks", "actor,critic").split(",") as NetworkName[];
const CEILING = !cli.has("no-ceiling");
const LARGE = cli.has("large-block");
const EXTRA = Number(option("extra", "0"));
const ALGORITHMS: Record<string, AnalysisAlgorithm> = { ppo: ppoAnalysis, sac: sacAnalysis };

await initRuntime({ backend: "cpu" }); // the fast engine does the work; tfjs is not used

interface Solve {
  result: LanczosResult & {
    passes?: number;
    extraVectors?: Float64Array[];
    warmStart?: WarmStartReport;
  };
  seconds: number;
}

type Op = ReturnType<typeof makeHessianOperator>;

async function solve(op: Op, n: number, initialVectors?: readonly ArrayLike<number>[], b = BLOCK) {
  const t0 = performance.now();
  const common = {
    k: Math.min(K, n),
    tol: TOL,
    seed: SEED + 1,
    verify: true,
    operatorPrecision: FLOAT32_ROUNDOFF,
    initialVectors,
    extraVectors: EXTRA,
  };
  const result = SOLVER === "block"
    ? await blockLanczosTopK(op.asBlockOperator(), n, { ...common, blockSize: b })
    : await lanczosTopK(op.asOperator(), n, common);
  return { result, seconds: (performance.now() - t0) / 1000 } as Solve;
}

function maxRelativeDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), 1e-300));
  }
  return worst;
}

const pad = (x: string | number, w: number) => String(x).padStart(w);
const cell = (s: Solve | null) =>
  s === null
    ? pad("—", 7) + pad("—", 7) + pad("—", 7)
    : pad(s.result.hvpCount, 7) + pad(s.result.passes ?? s.result.hvpCount, 7) +
      pad(s.seconds.toFixed(1), 7);

for (const runDir of runs) {
  const run = JSON.parse(await Deno.readTextFile(`${runDir}/run.json`));
  const algorithm = ALGORITHMS[run.algo];
  if (!algorithm) throw new Error(`${runDir}: no analysis for algo "${run.algo}"`);
  await prepareEnv(run.envId); // MuJoCo tasks load their WebAssembly module first
  const all = await listCheckpoints(runDir);
  const stepsArg = option("steps", "all");
  const steps = stepsArg === "all" ? all : stepsArg.split(",").map(Number);
  const samples = run.algo === "ppo" ? PPO_SAMPLES : SAC_SAMPLES;
  console.log(
    `\n${runDir} (${run.algo}, ${run.envId}, seed ${run.seed}): top-${K} "LA", tol ${TOL}, ` +
      `${SOLVER === "block" ? `block Krylov–Schur b = ${BLOCK}` : "single-vector Lanczos"}, ` +
      `${run.algo === "ppo" ? `${samples} precise samples` : `replay buffer (cap ${samples})`}; ` +
      `HVPs include the ${K} of the verification`,
  );
  console.log(
    "step     network   N      overlap |  cold: HVPs passes  s   |  warm: HVPs passes  s   " +
      "| max|Δλ|/λ | nl |" + (CEILING ? "  own vectors: HVPs passes s |" : "") +
      (LARGE ? " large block: HVPs passes  s |" : ""),
  );
  const previous = new Map<NetworkName, { cold: Float64Array[]; warm: Float64Array[] }>();
  const totals = { cold: 0, warm: 0, ceiling: 0, large: 0, coldS: 0, warmS: 0, coldAfterFirst: 0 };
  let worstDiff = 0;
  for (const step of steps) {
    const state = await loadCheckpointState(runDir, step);
    const problem = await algorithm.prepare({
      state,
      envId: run.envId,
      envOptions: run.envOptions ?? {},
      step,
      settings: { preciseSamples: samples, chunkSize: 8192, seed: SEED, quirks: {} },
    });
    try {
      for (const network of NETWORKS) {
        const loss = problem.loss(network, "precise");
        const op = makeHessianOperator(loss, { engine: "fast" });
        try {
          const n = op.n;
          const prev = previous.get(network);
          const cold = await solve(op, n);
          const warm = prev ? await solve(op, n, prev.warm) : null;
          const ws = warm?.result.warmStart;
          if (ws) {
            console.log(
              `    warm: Rayleigh–Ritz on ${ws.vectors} vectors (${ws.hvpCount} HVPs), ` +
                `${ws.converged} pairs met tol, ${ws.kept} kept, ` +
                `${ws.returned ? "returned as they are" : "Krylov continued"}`,
            );
          }
          const ceiling = CEILING
            ? await solve(op, n, [...cold.result.eigenvectors, ...(cold.result.extraVectors ?? [])])
            : null;
          const large = LARGE && prev ? await solve(op, n, prev.warm, K + 12) : null;
          const overlap = prev
            ? subspaceOverlap(prev.cold, cold.result.eigenvectors, Math.min(K, n))
            : NaN;
          const diff = warm
            ? maxRelativeDifference(cold.result.eigenvalues, warm.result.eigenvalues)
            : NaN;
          if (warm) {
            worstDiff = Math.max(worstDiff, diff);
            totals.coldAfterFirst += cold.result.hvpCount;
            totals.warm += warm.result.hvpCount;
            totals.coldS += cold.seconds;
            totals.warmS += warm.seconds;
          }
          totals.cold += cold.result.hvpCount;
          totals.ceiling += ceiling?.result.hvpCount ?? 0;
          totals.large += large?.result.hvpCount ?? 0;
          console.log(
            `${pad(step, 7)}  ${network.padEnd(8)}${pad(n, 7)}  ${
              pad(prev ? overlap.toFixed(3) : "—", 7)
            } | ${cell(cold)}   | ${cell(warm)}   | ${
              pad(warm ? diff.toExponential(1) : "—", 9)
            } |${pad(cold.result.verification!.noiseLimited, 3)} |` +
              (CEILING ? ` ${cell(ceiling)}  |` : "") + (LARGE ? ` ${cell(large)}        |` : ""),
          );
          previous.set(network, {
            cold: cold.result.eigenvectors,
            warm: [
              ...(warm ?? cold).result.eigenvectors,
              ...((warm ?? cold).result.extraVectors ?? []),
            ],
          });
        } finally {
          op.dispose();
          loss.dispose();
        }
      }
    } finally {
      problem.dispose();
    }
  }
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "—");
  console.log(
    `totals over the checkpoints with a predecessor: cold ${totals.coldAfterFirst} HVPs ` +
      `(${totals.coldS.toFixed(0)} s), warm ${totals.warm} HVPs (${totals.warmS.toFixed(0)} s): ` +
      `${ratio(totals.coldAfterFirst, totals.warm)}x fewer HVPs, ` +
      `${ratio(totals.coldS, totals.warmS)}x less time; ` +
      `max relative eigenvalue difference ${worstDiff.toExponential(1)} ` +
      `(${worstDiff <= TOL ? "≤" : "ABOVE"} tol ${TOL})` +
      (CEILING
        ? `; started from its own cold eigenvectors (a perfect warm basis, all checkpoints): ${
          ratio(totals.cold, totals.ceiling)
        }x fewer HVPs than cold`
        : "") +
      (LARGE ? `; large block: ${ratio(totals.coldAfterFirst, totals.large)}x` : ""),
  );
  if (worstDiff > TOL) Deno.exitCode = 1;
}
