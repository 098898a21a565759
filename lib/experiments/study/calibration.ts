/**
 * What a study's jobs cost: a calibration per algorithm × task × network (training steps per
 * second, seconds per HVP per sample and parameter, parameter counts, process memory), measured
 * on the planning machine by a short training run and a small analysis of it
 * ({@linkcode measureCalibration}), or the built-in model of a 2-core CPU
 * ({@linkcode defaultCalibration}); and the estimate of each job from it
 * ({@linkcode estimateJob}). Estimates are plans, good to a factor of about 2: Lanczos needs
 * 3.5-12 HVPs per eigenpair depending on the spectrum, modelled here as 6k + 40 per solve.
 *
 * @module
 */
import { resolvePreset, resolveSacPreset } from "../../agents/presets.ts";
import type { ReproductionExperiment, ReproductionSettings } from "../reproduce.ts";
import { trainRun } from "../train.ts";
import { analyzeRun, type EigenCacheInfo } from "../analyze.ts";
import type { BackendChoice } from "../../runtime/mod.ts";
import { readJson } from "../../io/files.ts";
import { SAC_STEP0_TRANSITIONS } from "../../subspaces/mod.ts";

/** One algorithm × task × network's costs. */
export interface CalibrationEntry {
  /** Training environment steps per second (one process, the job's threads). */
  stepsPerSecond: number;
  /** Seconds of one HVP per sample and parameter. */
  hvpSecondsPerSampleParam: number;
  /** Fixed seconds per HVP (kernel launches, chunk overheads). */
  hvpSecondsFixed: number;
  /** Parameters of the actor and of the critic (both Q-networks for SAC). */
  n: { actor: number; critic: number };
  /** Memory of a training process without a replay buffer (MiB). */
  baseMemoryMiB: number;
  /** Bytes per stored transition of the replay buffer (SAC). */
  transitionBytes: number;
}

/** A study's calibration. */
export interface Calibration {
  /** "measured on <host> (<date>)" or "built-in model of a 2-core CPU". */
  source: string;
  /** Entries by {@linkcode calibrationKey}. */
  entries: Record<string, CalibrationEntry>;
}

/**
 * The key of an experiment's calibration entry: algorithm, task and preset overrides.
 *
 * @example
 * ```ts
 * import { calibrationKey } from "./calibration.ts";
 * calibrationKey({ algo: "ppo", envId: "Pendulum-v1" }); // "ppo/Pendulum-v1"
 * ```
 */
export function calibrationKey(
  e: Pick<ReproductionExperiment, "algo" | "envId" | "overrides">,
): string {
  const o = e.overrides && Object.keys(e.overrides).length > 0 ? JSON.stringify(e.overrides) : "";
  return `${e.algo}/${e.envId}${o ? ` ${o}` : ""}`;
}

/** Hidden sizes, n_steps (PPO), buffer size (SAC) of an experiment's resolved preset. */
export function experimentConfig(
  e: Pick<ReproductionExperiment, "algo" | "envId" | "overrides">,
): { hidden: number[]; nSteps: number; bufferSize: number } {
  const id = `${e.algo}/${e.envId}`;
  if (e.algo === "sac") {
    const c = resolveSacPreset(id, e.overrides ?? {}).config;
    const arch = Array.isArray(c.netArch) ? c.netArch : c.netArch.qf;
    return { hidden: arch, nSteps: 0, bufferSize: c.bufferSize };
  }
  const c = resolvePreset(id, e.overrides ?? {}).config;
  const arch = Array.isArray(c.netArch) ? c.netArch : c.netArch.pi;
  return { hidden: arch, nSteps: c.nSteps, bufferSize: 0 };
}

/**
 * The built-in cost model of a 2-core CPU (the reproduction's ETA model): PPO 45k and SAC 6k
 * steps/s at 16×16, falling with the square of the width; 2·10⁻¹⁰ s per HVP sample and parameter
 * plus 0.2 ms (bench/hvp.ts); about 400 MiB per process.
 *
 * @example
 * ```ts
 * import { defaultCalibration } from "./calibration.ts";
 * import { studyPreset } from "./settings.ts";
 * defaultCalibration(studyPreset("quick")).source; // "built-in model of a 2-core CPU"
 * ```
 */
export function defaultCalibration(settings: ReproductionSettings): Calibration {
  const entries: Record<string, CalibrationEntry> = {};
  for (const e of settings.experiments) {
    const { hidden } = experimentConfig(e);
    const width = Math.max(...hidden);
    const body = hidden.reduce((a, h, i) => a + (i > 0 ? hidden[i - 1] * h + h : 0), 0);
    const io = 12 * width; // inputs and heads of a small task
    entries[calibrationKey(e)] = {
      stepsPerSecond: (e.algo === "sac" ? 6_000 : 45_000) * ((16 + 8) / (width + 8)) ** 2,
      hvpSecondsPerSampleParam: 2e-10,
      hvpSecondsFixed: 2e-4,
      n: { actor: body + io, critic: (e.algo === "sac" ? 2 : 1) * (body + io) },
      baseMemoryMiB: 400,
      transitionBytes: 200,
    };
  }
  return { source: "built-in model of a 2-core CPU", entries };
}

/** Starting a job's process: Deno, tfjs and the WebAssembly kernels (measured: 1-2 s). */
const PROCESS_START_SECONDS = 2;

/**
 * A job's estimated wall seconds on its CPUs and peak memory: training (`train: true`) or the analysis of
 * `steps` (top-k solves of actor and critic on precise and mini-batch data, PPO's fresh
 * rollouts, full spectra at `spectrumSteps`).
 *
 * @example
 * ```ts
 * import { defaultCalibration, estimateJob } from "./calibration.ts";
 * import { studyPreset } from "./settings.ts";
 * const s = studyPreset("quick");
 * const cal = defaultCalibration(s).entries["ppo/Pendulum-v1 {\"net_arch\":[16,16],\"n_steps\":1024}"];
 * estimateJob(cal, s.experiments[0], s, { train: true }).seconds > 0; // true
 * ```
 */
export function estimateJob(
  cal: CalibrationEntry,
  e: ReproductionExperiment,
  settings: ReproductionSettings,
  work: { train?: boolean; steps?: number[]; spectrumSteps?: number[] },
): { seconds: number; memoryMiB: number } {
  const { nSteps, bufferSize } = experimentConfig(e);
  const bufferMiB = (transitions: number) => (transitions * cal.transitionBytes) / 2 ** 20;
  if (work.train) {
    return {
      seconds: PROCESS_START_SECONDS + e.totalSteps / cal.stepsPerSecond,
      memoryMiB: cal.baseMemoryMiB +
        (e.algo === "sac" ? bufferMiB(Math.min(e.totalSteps, bufferSize)) : 0),
    };
  }
  const kmax = Math.max(...(settings.analysis.ks ?? [100]));
  const precise = settings.analysis.preciseSamples ?? 1_000_000;
  let seconds = PROCESS_START_SECONDS, memory = cal.baseMemoryMiB;
  for (const t of work.steps ?? []) {
    // SAC: the replay buffer at t (the step-0 random transitions when it is empty), capped by
    // preciseSamples as the analysis subsamples it.
    const buffer = t === 0 ? SAC_STEP0_TRANSITIONS : Math.max(1, Math.min(t, bufferSize));
    const samples = e.algo === "sac" ? Math.min(precise, buffer) : precise;
    const miniBatch = e.algo === "sac" ? 2_048 : nSteps;
    if (e.algo === "ppo") seconds += precise / (2 * cal.stepsPerSecond); // fresh rollouts
    for (const n of [cal.n.actor, cal.n.critic]) {
      const k = Math.min(kmax, n);
      const hvp = (m: number) => cal.hvpSecondsPerSampleParam * m * n + cal.hvpSecondsFixed;
      seconds += (6 * k + 40) * (hvp(samples) + hvp(miniBatch));
      if (work.spectrumSteps?.includes(t)) {
        // Explicit Hessians below ~6k parameters (N products in blocks, ~4x cheaper each);
        // stochastic Lanczos quadrature above (a few thousand products).
        seconds += n <= 6_000 ? (n * hvp(samples)) / 4 : 3_000 * hvp(samples);
      }
      // Per-chunk forward cache (capped at 1.5 GiB), two copies of the Krylov basis, the buffer.
      const cacheMiB = Math.min(1_536, (samples * 1_600) / 2 ** 20);
      const krylovMiB = (2 * (2 * k + 1) * n * 8) / 2 ** 20;
      const explicitMiB = work.spectrumSteps?.includes(t) && n <= 6_000 ? (n * n * 8) / 2 ** 20 : 0;
      memory = Math.max(
        memory,
        cal.baseMemoryMiB + cacheMiB + krylovMiB + explicitMiB +
          (e.algo === "sac" ? bufferMiB(buffer) : 0), // the whole buffer is loaded
      );
    }
  }
  return { seconds, memoryMiB: memory };
}

/**
 * One timed solve: its HVPs, seconds, samples per HVP and parameters (an eigen cache's
 * {@linkcode EigenCacheInfo} has these fields).
 *
 * @example
 * ```ts
 * import type { TimedSolve } from "./calibration.ts";
 * const solve: TimedSolve = { hvpCount: 48, seconds: 0.04, samples: 2_000, n: 369 };
 * ```
 */
export interface TimedSolve {
  /** HVPs of the solve. */
  hvpCount: number;
  /** Wall seconds of the solve. */
  seconds: number;
  /** Samples each HVP runs over. */
  samples: number;
  /** Parameters of the network. */
  n: number;
}

/**
 * The cost of one HVP, `perSampleParam · samples · n + fixed` seconds, fitted by least squares
 * to the per-HVP times of timed solves (each weighted by its HVPs). A fit with a negative fixed
 * cost or a non-positive slope is replaced by the fit through the origin (fixed 0), as are
 * timings with fewer than two distinct `samples · n`. Null without solves.
 *
 * @example
 * ```ts
 * import { fitHvpCost } from "./calibration.ts";
 * fitHvpCost([
 *   { hvpCount: 10, seconds: 10 * (1e-9 * 1000 * 100 + 1e-4), samples: 1000, n: 100 },
 *   { hvpCount: 10, seconds: 10 * (1e-9 * 4000 * 100 + 1e-4), samples: 4000, n: 100 },
 * ]); // ≈ { perSampleParam: 1e-9, fixed: 1e-4 }
 * ```
 */
export function fitHvpCost(
  solves: readonly TimedSolve[],
): { perSampleParam: number; fixed: number } | null {
  let w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const s of solves) {
    if (!(s.hvpCount > 0) || !(s.seconds >= 0)) continue;
    const x = s.samples * s.n, y = s.seconds / s.hvpCount, h = s.hvpCount;
    w += h, sx += h * x, sy += h * y, sxx += h * x * x, sxy += h * x * y;
  }
  if (w === 0 || sxx === 0) return null;
  const throughOrigin = { perSampleParam: sxy / sxx, fixed: 0 };
  const variance = sxx - (sx * sx) / w;
  if (!(variance > 1e-9 * sxx)) return throughOrigin;
  const perSampleParam = (sxy - (sx * sy) / w) / variance;
  const fixed = (sy - perSampleParam * sx) / w;
  return perSampleParam > 0 && fixed >= 0 ? { perSampleParam, fixed } : throughOrigin;
}

/**
 * Measures a calibration on this machine: per algorithm × task × network, a short training run
 * (two PPO rollouts, or 1,000 SAC steps with learning from step 100) in a temporary directory,
 * then top-10 solves of its last checkpoint: a warm-up analysis on 200 samples (the first
 * solves of a process run before the JIT has compiled the kernels), then one on 8,000 samples
 * (SAC: its 1,000 buffered transitions) whose precise and mini-batch solves, timed from their
 * eigen caches, give the HVP cost by {@linkcode fitHvpCost}; the process's memory after both.
 * Seconds to a minute per entry (256×256 SAC networks take longest).
 *
 * @example
 * ```ts
 * import { measureCalibration } from "./calibration.ts";
 * import { selectStudy, studyPreset } from "./settings.ts";
 * const cal = await measureCalibration(selectStudy(studyPreset("quick"), { scale: "toy" }));
 * ```
 */
export async function measureCalibration(
  settings: ReproductionSettings,
  options: { backend?: BackendChoice; threads?: 1 | 2; log?: (line: string) => void } = {},
): Promise<Calibration> {
  const base = defaultCalibration(settings);
  const entries: Record<string, CalibrationEntry> = {};
  const tmp = await Deno.makeTempDir({ prefix: "pgsubspace-calibration-" });
  try {
    for (const e of settings.experiments) {
      const key = calibrationKey(e);
      if (entries[key]) continue;
      const { nSteps } = experimentConfig(e);
      const steps = e.algo === "ppo" ? 2 * nSteps : 1_000;
      const outDir = `${tmp}/${e.algo}-${e.envId}`;
      const t0 = performance.now();
      let rate = 0;
      await trainRun({
        algo: e.algo,
        envId: e.envId,
        seed: 0,
        totalSteps: steps,
        outDir,
        overrides: {
          ...(e.overrides ?? {}),
          ...(e.algo === "sac" ? { learning_starts: 100 } : {}),
        },
        evalFreq: 0,
        checkpointEvery: 0,
        checkpointExtra: [],
        backend: options.backend,
        threads: options.threads,
        onProgress: (p) => {
          if (p.step > steps / 2) rate = p.stepsPerSecond;
        },
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      const analyse = (preciseSamples: number) =>
        analyzeRun({
          runDir: outDir,
          steps: [steps],
          preciseSamples,
          ks: [10],
          tol: 1e-3,
          backend: options.backend,
          engineThreads: options.threads,
        });
      await analyse(200); // warm-up: its timings include compiling the kernels
      const analysed = await analyse(8_000);
      const solves: TimedSolve[] = [];
      const n = { actor: 0, critic: 0 };
      for await (const f of Deno.readDir(`${analysed.analysisDir}/eigen`)) {
        if (!f.name.endsWith(".json")) continue;
        const info = await readJson<EigenCacheInfo>(`${analysed.analysisDir}/eigen/${f.name}`);
        n[info.network as "actor" | "critic"] = info.n;
        solves.push(info);
      }
      const fit = fitHvpCost(solves);
      entries[key] = {
        stepsPerSecond: rate > 0 ? rate : steps / trainSeconds,
        hvpSecondsPerSampleParam: Math.max(1e-12, fit?.perSampleParam ?? 2e-10),
        hvpSecondsFixed: fit?.fixed ?? base.entries[key].hvpSecondsFixed,
        n,
        baseMemoryMiB: Math.round(Deno.memoryUsage().rss / 2 ** 20),
        transitionBytes: base.entries[key].transitionBytes,
      };
      options.log?.(
        `calibrated ${key}: ${Math.round(entries[key].stepsPerSecond)} steps/s, ${
          entries[key].hvpSecondsPerSampleParam.toExponential(2)
        } s per HVP sample and parameter + ${
          (entries[key].hvpSecondsFixed * 1e3).toFixed(2)
        } ms per HVP, N = ${n.actor} / ${n.critic}`,
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  let host = "this machine";
  try {
    host = Deno.hostname();
  } catch {
    // no --allow-sys: the source names no host
  }
  return {
    source: `calibration measured on ${host} (${new Date().toISOString().slice(0, 10)})`,
    entries,
  };
}
