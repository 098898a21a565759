// Synthetic analysed runs for report and findings tests: S_frac, overlap and spectra chosen by
// the test, a rising learning curve so that the phase split of Eq. 6 finds three phases.
import type { OverlapRow, ResultRow } from "../../lib/experiments/analyze.ts";
import type { ReportRun } from "../../lib/experiments/reproduction_report.ts";
import type { MetricsRow, RunInfo } from "../../lib/experiments/train.ts";

/** What a synthetic run shows. */
export interface SyntheticRun {
  algo: "ppo" | "sac";
  seed: number;
  task?: string;
  /** Precise S_frac at every step, per network. */
  fraction: { actor: number; critic: number };
  /** Mini-batch S_frac = fraction × this (default 0.8). */
  miniBatchFactor?: number;
  /** S_overlap(t1, t2) at each t2 > t1 (default 0.5 everywhere). */
  overlap?: number[];
  /** Full spectrum per network (default: a few outliers over a bulk near 0). */
  spectrum?: number[] | null;
  /** Parameter counts. */
  n?: { actor: number; critic: number };
  /** Hidden layers recorded in the config (default [16, 16]). */
  netArch?: number[];
  totalSteps?: number;
  preciseSamples?: number;
  ks?: number[];
}

export const STEPS = [0, 10_000, 20_000, 30_000, 40_000];

/** A spectrum with 3 outliers (≈ 10³) above a bulk of |λ| ≈ 10⁻² (ratio ≫ 100). */
export function concentratedSpectrum(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < 3 ? 1000 / (i + 1) : ((i % 7) - 3) * 0.004));
}

export function syntheticRun(s: SyntheticRun): ReportRun {
  const task = s.task ?? "Pendulum-v1";
  const n = s.n ?? { actor: 300, critic: 290 };
  const ks = s.ks ?? [1, 5, 10];
  const runDir = `/synthetic/${s.algo}-${task}-seed${s.seed}`;
  const results: ResultRow[] = [];
  for (const step of STEPS) {
    for (const network of ["actor", "critic"] as const) {
      for (const k of ks) {
        const scale = k / Math.max(...ks);
        const precise = s.fraction[network] * scale;
        const mb = precise * (s.miniBatchFactor ?? 0.8);
        for (
          const [estimator, value] of [
            ["precise/precise", precise],
            ["minibatch/precise", mb],
            ["minibatch/minibatch", mb],
            ["precise/minibatch", precise],
          ] as const
        ) {
          results.push({
            task,
            algo: s.algo,
            seed: s.seed,
            step,
            network,
            estimator,
            k,
            value,
            n: n[network],
          });
        }
      }
    }
  }
  const overlaps: OverlapRow[] = [];
  const values = s.overlap ?? STEPS.slice(2).map(() => 0.5);
  STEPS.slice(2).forEach((t2, i) => {
    for (const network of ["actor", "critic"] as const) {
      for (const k of ks) {
        overlaps.push({
          task,
          algo: s.algo,
          seed: s.seed,
          network,
          t1: 10_000,
          t2,
          k,
          value: values[i],
        });
      }
    }
  });
  const metrics: MetricsRow[] = [];
  for (let t = 1_000; t <= 40_000; t += 1_000) {
    const r = -1000 + 800 / (1 + Math.exp(-(t - 15_000) / 2_000));
    metrics.push({ event: "train", step: t, "rollout/ep_rew_mean": r });
    if (t % 10_000 === 0) metrics.push({ event: "eval", step: t, "eval/mean_reward": r + 10 });
  }
  const spectrum = s.spectrum === undefined ? concentratedSpectrum(n.actor) : s.spectrum;
  const info = {
    format: "pgsubspace-run/1",
    algo: s.algo,
    envId: task,
    seed: s.seed,
    preset: `${s.algo}/${task}`,
    overrides: {},
    config: { netArch: s.netArch ?? [16, 16], activation: s.algo === "ppo" ? "tanh" : "relu" },
    totalSteps: s.totalSteps ?? 40_000,
    evalFreq: 10_000,
    evalEpisodes: 3,
    checkpointSteps: STEPS,
    versions: { pgsubspace: "0.1.0", deno: "2.9.6", tfjs: "4.22.0" },
    backend: "wasm",
    startedAt: "2025-01-01T00:00:00Z",
    endedAt: "2025-01-01T00:01:00Z",
    trainSeconds: 12,
    status: "completed",
  } as RunInfo;
  return {
    runDir,
    info,
    metrics,
    analysisDir: `${runDir}/analysis/synthetic`,
    results,
    overlaps,
    analysis: {
      settings: {
        algo: s.algo,
        preciseSamples: s.preciseSamples ?? 2_000,
        ks,
        tol: 1e-4,
        maxIter: 500,
        ncv: null,
        seed: 0,
        quirks: {},
      },
      versions: { pgsubspace: "0.1.0" },
    },
    spectra: spectrum === null ? [] : [
      { network: "actor", step: 40_000, eigenvalues: spectrum },
      { network: "critic", step: 40_000, eigenvalues: spectrum.map((x) => 2 * x) },
    ],
    eigen: [],
    analysisSeconds: 3,
    hvps: 1000,
  };
}
