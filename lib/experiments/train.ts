/**
 * Training runs: an agent trained on one task with one seed, evaluated and checkpointed at fixed
 * step counts, written to a run directory, resumable after a crash or kill.
 *
 * Run directory:
 * - `run.json`: algorithm, task, seed, resolved config, schedule, versions, backend, machine,
 *   start/end times, training seconds (all calls), status (`running` | `completed` | `failed`)
 *   and, for a failed run, the reason (`failure`: NaN, error, or the signal that stopped it).
 * - `metrics.jsonl`: one row per event, in order; deterministic (no wall-clock values), so the
 *   same seed on the same backend gives a byte-identical file.
 *   - `{ "event": "train", "step", "rollout/ep_rew_mean", "rollout/ep_len_mean", "train/..." }`
 *     PPO: after each update: the rollout's episodes (the paper's FixEpInfoBufferCallback: only
 *     episodes that ended in this rollout) and the statistics of the update that followed it.
 *     SAC: at the end of every `logInterval`-th episode (SB3's `_dump_logs` cadence, default 4):
 *     the episodes since the previous row and the statistics (means over its gradient steps) of
 *     the last training phase, as SB3 logs them; no `train/*` keys before the first one.
 *   - `{ "event": "eval", "step", "eval/mean_reward", "eval/std_reward", "eval/mean_ep_length" }`:
 *     deterministic episodes on a separate environment seeded `seed + 1` (SB3's EvalCallback),
 *     at step 0 and every `evalFreq` steps.
 * - `checkpoints/step_<t>/`: `agent.json` + `agent.bin` (everything to resume exactly: weights,
 *   optimiser, VecNormalize statistics, RNG and environment states, the partial rollout) and
 *   `run_state.json` (evaluation environment, metrics row count). Written to a temporary
 *   directory and renamed, so a checkpoint on disk is always complete.
 *   SAC checkpoints also hold `replay.json` + `replay.bin`: the replay-buffer transitions added
 *   since the previous checkpoint (a `ReplayBufferChunk`, global indices [from, to)); the agent
 *   state stores the buffer's counters only. {@linkcode loadCheckpointState} and
 *   {@linkcode loadCheckpointReplayBuffer} rebuild the exact buffer from the chunks of the
 *   checkpoints up to the requested one (the last `bufferSize` transitions), so N checkpoints
 *   cost the new transitions only.
 *
 * Every checkpoint file carries a checksum (state files and `run_state.json` are sealed, see
 * lib/io/checksum.ts): loading a checkpoint verifies it and names a truncated or corrupt file.
 * Resuming validates the run (settings, the whole last checkpoint, the metrics rows it expects)
 * before it changes anything on disk. `resume` with a larger `totalSteps` continues a finished
 * run (PPO and SAC); the schedule gains the new checkpoints, and PPO/SAC learning-rate
 * schedules, if any, are stretched to the new total as in SB3's
 * `learn(..., reset_num_timesteps=False)`.
 *
 * Evaluations and checkpoints happen after the environment step that reaches their step count
 * and before the update that a full rollout buffer triggers, as SB3's callbacks do.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Env, type EnvState, makeEnv, prepareEnv } from "../envs/mod.ts";
import { PpoAgent } from "../agents/ppo/ppo.ts";
import { evaluatePolicy } from "../agents/common/collector.ts";
import { SacAgent, type SacAgentState } from "../agents/sac/sac.ts";
import { ReplayBuffer, type ReplayBufferChunk } from "../agents/sac/replay_buffer.ts";
import { netArchPart } from "../agents/common/config_schema.ts";
import { makePpoConfig } from "../agents/ppo/config.ts";
import { makeSacConfig } from "../agents/sac/config.ts";
import {
  type ResolvedPpoPreset,
  type ResolvedSacPreset,
  resolvePreset,
  resolveSacPreset,
} from "../agents/presets.ts";
import { type BackendChoice, initRuntime } from "../runtime/mod.ts";
import { exists, readJson, readJsonl, writeFileAtomic, writeJsonAtomic } from "../io/files.ts";
import { loadState, saveState } from "../io/state_io.ts";
import { noteUnverified, readSealedJson, writeSealedJson } from "../io/checksum.ts";
import { type MachineInfo, machineInfo, toolkitVersions } from "../provenance.ts";

export { PGSUBSPACE_VERSION } from "../provenance.ts";

// Evaluation is the agents' (one collector for training, evaluation and analysis).
export { evaluatePolicy, type EvaluationResult } from "../agents/common/collector.ts";

/** Algorithms a run can train. */
export type Algorithm = "ppo" | "sac";

/** Options of {@linkcode trainRun}. */
export interface TrainRunOptions {
  /** Algorithm. */
  algo: Algorithm;
  /** Environment id for `makeEnv`, e.g. `Pendulum-v1`. */
  envId: string;
  /** Seed of the agent and the training environment; evaluation uses `seed + 1`. */
  seed: number;
  /** Environment steps to train for. */
  totalSteps: number;
  /** Run directory (created; must be empty or a run to resume). */
  outDir: string;
  /** Hyperparameter preset id; default `<algo>/<envId>`. */
  preset?: string;
  /**
   * Environment options for `makeEnv` (e.g. `{ use_contact_forces: true }`); default the preset's
   * `envOptions` (the options that give the paper's v3 observations), else none.
   */
  envOptions?: Record<string, unknown>;
  /** Overrides of preset fields (camelCase or SB3 snake_case names). */
  overrides?: Record<string, unknown>;
  /** Evaluate every this many steps (and at step 0); 0 disables evaluation. Default 10,000. */
  evalFreq?: number;
  /** Deterministic episodes per evaluation. Default 10. */
  evalEpisodes?: number;
  /** Checkpoint every this many steps. Default 50,000. */
  checkpointEvery?: number;
  /** Extra checkpoint steps besides 0 and the multiples of `checkpointEvery`. Default [10,000]. */
  checkpointExtra?: number[];
  /** Continue an interrupted run from its last checkpoint. */
  resume?: boolean;
  /** tfjs backend (training itself runs on typed arrays; the backend matters for tfjs paths). */
  backend?: BackendChoice;
  /**
   * SAC: threads of the gradient engine, 1, 2 or `"auto"` (default: 2 when the machine has ≥ 2
   * CPUs and a network is ≥ 128 wide). Results are identical for any choice.
   */
  threads?: 1 | 2 | "auto";
  /** SAC: episodes between `train` metrics rows (SB3's `log_interval`, default 4). */
  logInterval?: number;
  /** Called after every environment step with a progress snapshot (for notebooks and bars). */
  onProgress?: (progress: TrainProgress) => void;
  /**
   * Stops the run after the current environment step when aborted (the CLI aborts on SIGINT and
   * SIGTERM): run.json then records `status: "failed"` with the abort reason, and the run
   * resumes from its last checkpoint.
   */
  signal?: AbortSignal;
  /**
   * Stop (as if killed) once this many steps are done; for tests of `resume`. Runs always stop at
   * exactly `totalSteps`: unlike SB3's `learn`, a rollout cut short by the end is not completed.
   */
  stopAtStep?: number;
}

/** A progress snapshot. */
export interface TrainProgress {
  /** Environment steps done. */
  step: number;
  /** Steps to reach. */
  totalSteps: number;
  /** Steps per second since this process started the run. */
  stepsPerSecond: number;
  /** Seconds to go at the current rate. */
  etaSeconds: number;
  /** Mean return of the episodes of the last completed rollout, or null. */
  recentReturn: number | null;
  /** Last evaluation's mean return, or null. */
  lastEval: number | null;
  /** The event that triggered this call: a step, an update, an evaluation or a checkpoint. */
  event: "step" | "train" | "eval" | "checkpoint";
}

/** What {@linkcode trainRun} returns. */
export interface TrainRunResult {
  /** The run directory. */
  outDir: string;
  /** All metrics rows of the run (also on disk). */
  metrics: MetricsRow[];
  /** Steps of the checkpoints on disk. */
  checkpoints: number[];
  /** Steps trained in this call (0 when the run was already complete: it was reused). */
  stepsThisCall: number;
  /** Wall-clock seconds of this call. */
  seconds: number;
  /** Whether the run reached `totalSteps`. */
  completed: boolean;
}

/** One metrics row. */
export type MetricsRow =
  & { event: "train" | "eval"; step: number }
  & Record<string, number | string | null>;

/** The run metadata file. */
export interface RunInfo {
  format: "pgsubspace-run/1";
  algo: Algorithm;
  envId: string;
  /** The environment options the run's envs were made with (absent in runs made before envOptions existed: none). */
  envOptions?: Record<string, unknown>;
  seed: number;
  preset: string;
  overrides: Record<string, unknown>;
  config: unknown;
  totalSteps: number;
  evalFreq: number;
  evalEpisodes: number;
  checkpointSteps: number[];
  /** pgsubspace, Deno, tfjs and registered component versions (lib/provenance.ts). */
  versions: Record<string, string>;
  backend: string;
  /** The machine of the latest call. */
  machine?: MachineInfo;
  startedAt: string;
  endedAt: string | null;
  /** Wall-clock seconds spent training, summed over all calls. */
  trainSeconds?: number;
  status: "running" | "completed" | "failed";
  /** Why the run failed (status "failed"), else null. */
  failure?: RunFailure | null;
  /** Failures that later calls resumed from, oldest first. */
  pastFailures?: RunFailure[];
}

/** Why a run stopped with an error. */
export interface RunFailure {
  /** The error message (or the signal, e.g. "interrupted by SIGINT"). */
  reason: string;
  /** The environment step reached. */
  step: number;
  /** When (ISO time). */
  at: string;
}

/** The agent interface the run loop needs (PPO and SAC). */
interface TrainingAgent {
  readonly numTimesteps: number;
  readonly updatePending: boolean;
  step(): {
    numTimesteps: number;
    episode: { return: number; length: number } | null;
    episodes?: { return: number; length: number }[];
    rolloutComplete: boolean;
    update: object | null;
  };
  update(): object;
  /** Whether updates must run through `stepAsync`/`updateAsync` (a GPU gradient engine). */
  readonly asyncUpdate: boolean;
  stepAsync(): Promise<ReturnType<TrainingAgent["step"]>>;
  updateAsync(): Promise<object>;
  predict(obs: ArrayLike<number>, deterministic?: boolean): Float32Array;
  getState(): unknown;
  setState(state: never): void;
  close?(): void;
}

interface RunState {
  metricsRows: number;
  evalEnv: EnvState;
  rolloutEpisodes: { return: number; length: number }[];
  completedRollout: { meanReturn: number | null; meanLength: number | null } | null;
  lastEval: number | null;
  /** SAC: episodes finished so far (for the log interval). */
  episodes?: number;
  /** SAC: statistics of the last training phase, or null before the first. */
  lastUpdate?: Record<string, number | null> | null;
  /** SAC: replay transitions saved in checkpoints so far (the next chunk starts here). */
  replaySaved?: number;
}

/**
 * The checkpoint steps of a run: 0, the extra steps and the multiples of `every` up to
 * `totalSteps`, and `totalSteps` itself, sorted and unique.
 *
 * @example
 * ```ts
 * import { checkpointSchedule } from "./train.ts";
 * checkpointSchedule(120_000, 50_000, [10_000]); // [0, 10000, 50000, 100000, 120000]
 * ```
 */
export function checkpointSchedule(totalSteps: number, every: number, extra: number[]): number[] {
  const steps = new Set<number>([0, totalSteps]);
  for (const s of extra) if (s > 0 && s <= totalSteps) steps.add(s);
  if (every > 0) { for (let s = every; s <= totalSteps; s += every) steps.add(s); }
  return [...steps].sort((a, b) => a - b);
}

/**
 * The directory name of the checkpoint at `step`, e.g. `step_0010000`.
 *
 * @example
 * ```ts
 * import { checkpointDirName } from "./train.ts";
 * checkpointDirName(10_000); // "step_0010000"
 * ```
 */
export function checkpointDirName(step: number): string {
  return `step_${String(step).padStart(7, "0")}`;
}

/**
 * Steps of the complete checkpoints in a run directory, ascending.
 *
 * @example
 * ```ts
 * import { listCheckpoints } from "./train.ts";
 * const steps = await listCheckpoints("runs/pendulum-ppo-0");
 * ```
 */
export async function listCheckpoints(outDir: string): Promise<number[]> {
  const dir = `${outDir}/checkpoints`;
  if (!(await exists(dir))) return [];
  const steps: number[] = [];
  for await (const e of Deno.readDir(dir)) {
    const m = /^step_(\d+)$/.exec(e.name);
    if (e.isDirectory && m) steps.push(Number(m[1]));
  }
  return steps.sort((a, b) => a - b);
}

/**
 * Loads the agent state stored in a checkpoint (weights, optimiser, normaliser, config). For SAC
 * the replay buffer is rebuilt from the incremental chunks (`state.replayBuffer.data` holds the
 * live transitions), so the state resumes exactly with `SacAgent.setState`.
 *
 * @example
 * ```ts
 * import { loadCheckpointState } from "./train.ts";
 * const state = await loadCheckpointState("runs/pendulum-ppo-0", 10_000);
 * ```
 */
export async function loadCheckpointState(outDir: string, step: number): Promise<unknown> {
  const dir = await checkpointDir(outDir, step);
  const state = await loadState(`${dir}/agent`, { fix: damagedCheckpointFix(dir) });
  if (isSacState(state) && state.replayBuffer.data === null) {
    const buffer = await loadCheckpointReplayBuffer(outDir, step);
    state.replayBuffer = buffer.getState(true);
  }
  return state;
}

/**
 * The SAC replay buffer exactly as it was at a checkpoint (all min(t, bufferSize) transitions:
 * the paper's "precise" SAC data, paper-notes §5.3), rebuilt from the chunks stored in the
 * checkpoints up to `step`.
 *
 * @throws Error when the checkpoint is not a SAC one, or a chunk it needs is missing.
 * @example
 * ```ts
 * import { loadCheckpointReplayBuffer } from "./train.ts";
 * const buffer = await loadCheckpointReplayBuffer("runs/sac-pendulum-0", 20_000);
 * console.log(buffer.size, buffer.rewards.subarray(0, buffer.size));
 * ```
 */
export async function loadCheckpointReplayBuffer(
  outDir: string,
  step: number,
): Promise<ReplayBuffer> {
  const dir = await checkpointDir(outDir, step);
  const state = await loadState(`${dir}/agent`, { fix: damagedCheckpointFix(dir) });
  if (!isSacState(state)) {
    throw new Error(`The checkpoint at step ${step} in ${outDir} is not a SAC checkpoint`);
  }
  const meta = state.replayBuffer;
  const buffer = new ReplayBuffer({
    capacity: meta.capacity,
    obsDim: meta.obsDim,
    actDim: meta.actDim,
  });
  if (meta.data !== null) {
    buffer.setState(meta);
    return buffer;
  }
  // Chunks of this and earlier checkpoints, newest first, until the live range is covered.
  const need = Math.max(0, meta.added - meta.capacity);
  const chunks: ReplayBufferChunk[] = [];
  const steps = (await listCheckpoints(outDir)).filter((s) => s <= step).reverse();
  let covered = meta.added;
  for (const s of steps) {
    if (covered <= need) break;
    const base = `${outDir}/checkpoints/${checkpointDirName(s)}/replay`;
    if (!(await exists(`${base}.json`))) continue;
    const chunk = (await loadState(base, {
      fix: damagedCheckpointFix(`${outDir}/checkpoints/${checkpointDirName(s)}`),
    })) as ReplayBufferChunk;
    if (chunk.to > meta.added || chunk.to < covered) continue; // not on this run's chain
    chunks.push(chunk);
    covered = Math.min(covered, chunk.from);
  }
  try {
    buffer.restoreChunks(meta.added, chunks);
  } catch (e) {
    throw new Error(
      `Cannot rebuild the replay buffer of ${outDir} at step ${step}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return buffer;
}

async function checkpointDir(outDir: string, step: number): Promise<string> {
  const dir = `${outDir}/checkpoints/${checkpointDirName(step)}`;
  if (!(await exists(dir))) {
    const have = await listCheckpoints(outDir);
    throw new Error(
      `No checkpoint at step ${step} in ${outDir}; available steps: ${have.join(", ") || "none"}`,
    );
  }
  return dir;
}

/** What to do about a damaged checkpoint file (appended to the integrity error). */
function damagedCheckpointFix(dir: string): string {
  return `delete ${dir} (and later checkpoints) to go back to an earlier checkpoint, or retrain`;
}

/**
 * The run state stored next to a checkpoint's agent state (evaluation environment, metrics rows
 * written, episode bookkeeping), verified.
 */
async function loadRunState(dir: string): Promise<RunState> {
  return await readSealedJson<RunState>(`${dir}/run_state.json`, {
    fix: damagedCheckpointFix(dir),
    onUnverified: noteUnverified,
  });
}

/**
 * The config fields whose values differ between a run's saved config and the config resolved now,
 * `field (was → now)`. Both are filled with the schema's defaults first, so fields added to the
 * toolkit after the run was made (their defaults reproduce the old behaviour) are not changes.
 */
function changedConfigFields(algo: Algorithm, saved: unknown, now: unknown): string[] {
  const make = (c: unknown): Record<string, unknown> => {
    const config = c as Record<string, unknown>;
    try {
      return (algo === "sac" ? makeSacConfig(config) : makePpoConfig(config)) as unknown as Record<
        string,
        unknown
      >;
    } catch {
      return config; // a config the schema no longer accepts: compare as saved
    }
  };
  const a = make(saved), b = make(now);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${JSON.stringify(a[k])} → ${JSON.stringify(b[k])}`);
}

function isSacState(state: unknown): state is SacAgentState {
  return (state as { algo?: unknown } | null)?.algo === "sac";
}

/**
 * Trains an agent, writing metrics and checkpoints to `outDir`; resumes exactly with
 * `resume: true`. Usable from notebooks (no process exit, no global state besides the tfjs
 * backend): the metrics come back in the result.
 *
 * @example
 * ```ts
 * import { trainRun } from "./train.ts";
 * const result = await trainRun({
 *   algo: "ppo", envId: "Pendulum-v1", seed: 0, totalSteps: 20_000, outDir: "runs/demo",
 * });
 * console.log(result.metrics.filter((r) => r.event === "eval"));
 * await trainRun({
 *   algo: "sac", envId: "Pendulum-v1", seed: 0, totalSteps: 20_000, outDir: "runs/demo-sac",
 *   overrides: { net_arch: [64, 64] }, checkpointEvery: 5_000,
 * });
 * ```
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const t0 = performance.now();
  const o = normaliseOptions(options);
  const runtime = await initRuntime(o.backend ? { backend: o.backend } : {});
  const preset: ResolvedPpoPreset | ResolvedSacPreset = o.algo === "sac"
    ? resolveSacPreset(o.preset, o.overrides)
    : resolvePreset(o.preset, o.overrides);
  const envOptions = options.envOptions ?? preset.envOptions ?? {};
  const runFile = `${o.outDir}/run.json`;
  const metricsFile = `${o.outDir}/metrics.jsonl`;

  const info: RunInfo = {
    format: "pgsubspace-run/1",
    algo: o.algo,
    envId: o.envId,
    envOptions,
    seed: o.seed,
    preset: o.preset,
    overrides: o.overrides,
    config: preset.config,
    totalSteps: o.totalSteps,
    evalFreq: o.evalFreq,
    evalEpisodes: o.evalEpisodes,
    checkpointSteps: checkpointSchedule(o.totalSteps, o.checkpointEvery, o.checkpointExtra),
    versions: toolkitVersions({ tfjs: tf.version_core }),
    backend: runtime.summary,
    machine: machineInfo(),
    startedAt: new Date().toISOString(),
    endedAt: null,
    trainSeconds: 0,
    status: "running",
    failure: null,
  };
  // Read-only checks first: nothing on disk changes unless the run can go ahead.
  const previous = await inspectRunDir(o, info, runFile);
  if (previous) {
    info.startedAt = previous.startedAt;
    info.trainSeconds = previous.trainSeconds ?? 0;
    info.pastFailures = [...(previous.pastFailures ?? [])];
    if (previous.failure) info.pastFailures.push(previous.failure);
    // Checkpoints already on the old schedule stay part of the run's schedule.
    info.checkpointSteps = [...new Set([...previous.checkpointSteps, ...info.checkpointSteps])]
      .sort((a, b) => a - b);
    if (previous.status === "completed" && previous.totalSteps === o.totalSteps) {
      return {
        outDir: o.outDir,
        metrics: await readJsonl<MetricsRow>(metricsFile),
        checkpoints: await listCheckpoints(o.outDir),
        stepsThisCall: 0,
        seconds: (performance.now() - t0) / 1000,
        completed: true,
      };
    }
  }

  await prepareEnv(o.envId);
  const env = makeEnv(o.envId, { ...envOptions });
  const evalEnv = makeEnv(o.envId, { ...envOptions });
  // PPO with n_envs > 1 steps that many training environments together.
  const nEnvs = preset.algo === "ppo" ? preset.config.nEnvs : 1;
  const envs = [
    env,
    ...Array.from({ length: nEnvs - 1 }, () => makeEnv(o.envId, { ...envOptions })),
  ];
  let agent: TrainingAgent;
  if (preset.algo === "sac") {
    const arch = preset.config.netArch;
    const widths = [...netArchPart(arch, "pi"), ...netArchPart(arch, "qf")];
    const threads = o.threads === "auto" || o.threads === undefined
      ? (navigator.hardwareConcurrency >= 2 && Math.max(...widths) >= 128 ? 2 : 1)
      : o.threads;
    agent = new SacAgent({
      env,
      config: preset.config,
      seed: o.seed,
      totalTimesteps: o.totalSteps,
      threads,
    });
  } else {
    agent = new PpoAgent({
      env: nEnvs === 1 ? env : envs,
      config: preset.config,
      seed: o.seed,
      totalTimesteps: o.totalSteps,
    });
  }
  try {
    return await runLoop(o, info, previous, runFile, metricsFile, agent, evalEnv, t0);
  } finally {
    agent.close?.();
  }
}

async function runLoop(
  o: NormalisedOptions,
  info: RunInfo,
  previous: RunInfo | null,
  runFile: string,
  metricsFile: string,
  agent: TrainingAgent,
  evalEnv: Env,
  t0: number,
): Promise<TrainRunResult> {
  const schedule = info.checkpointSteps;
  let state: RunState = {
    metricsRows: 0,
    evalEnv: evalEnv.getState(),
    rolloutEpisodes: [],
    completedRollout: null,
    lastEval: null,
  };
  if (o.algo === "sac") {
    state.episodes = 0;
    state.lastUpdate = null;
    state.replaySaved = 0;
  }
  let evalSeeded = false;

  // ---- Resume: load and verify everything needed before touching a file.
  let keptMetrics: string | null = null;
  const last = previous ? (await listCheckpoints(o.outDir)).at(-1) : undefined;
  if (previous && last !== undefined) {
    const dir = `${o.outDir}/checkpoints/${checkpointDirName(last)}`;
    const agentState = (await loadCheckpointState(o.outDir, last)) as { totalTimesteps?: unknown };
    const runState = await loadRunState(dir);
    const text = (await exists(metricsFile)) ? await Deno.readTextFile(metricsFile) : "";
    // Keep the rows written up to the checkpoint; later ones (and a line cut by a kill) go.
    const lines = text.split("\n").slice(0, runState.metricsRows);
    if (lines.length < runState.metricsRows || lines.some((l) => l.trim() === "")) {
      throw new Error(
        `Cannot resume ${o.outDir}: metrics.jsonl has ${lines.filter((l) => l).length} rows, ` +
          `the checkpoint at step ${last} expects ${runState.metricsRows}; restore ` +
          "metrics.jsonl or start a new run",
      );
    }
    if (agentState.totalTimesteps !== undefined && agentState.totalTimesteps !== null) {
      agentState.totalTimesteps = o.totalSteps; // continuing to a new total (no-op otherwise)
    }
    agent.setState(agentState as never);
    evalEnv.setState(runState.evalEnv);
    state = runState;
    evalSeeded = true;
    keptMetrics = lines.map((l) => l + "\n").join("");
  }
  // ---- From here on the run directory changes.
  await Deno.mkdir(`${o.outDir}/checkpoints`, { recursive: true });
  if (keptMetrics !== null) {
    await writeFileAtomic(metricsFile, keptMetrics);
  } else {
    await writeFileAtomic(metricsFile, "");
    state.metricsRows = 0;
  }
  await writeJsonAtomic(runFile, info);
  const secondsBefore = info.trainSeconds ?? 0;
  const elapsed = () => secondsBefore + (performance.now() - t0) / 1000;

  try {
    const result = await trainLoop();
    info.trainSeconds = elapsed();
    if (result.completed) {
      info.endedAt = new Date().toISOString();
      info.status = "completed";
    }
    await writeJsonAtomic(runFile, info);
    return result;
  } catch (e) {
    // A diverged, crashed or interrupted run says so in run.json, with the reason.
    info.status = "failed";
    info.failure = {
      reason: (e as Error).message ?? String(e),
      step: agent.numTimesteps,
      at: new Date().toISOString(),
    };
    info.endedAt = info.failure.at;
    info.trainSeconds = elapsed();
    await writeJsonAtomic(runFile, info).catch(() => {});
    throw e;
  }

  async function trainLoop(): Promise<TrainRunResult> {
    const metrics = await readJsonl<MetricsRow>(metricsFile);
    const emit = async (row: MetricsRow) => {
      for (const [k, v] of Object.entries(row)) {
        // Explained variance is NaN when the returns have zero variance, as in SB3.
        if (typeof v === "number" && Number.isNaN(v) && k !== "train/explained_variance") {
          throw new Error(`Training produced NaN for ${k} at step ${row.step} (${o.outDir})`);
        }
      }
      metrics.push(row);
      state.metricsRows++;
      await Deno.writeTextFile(metricsFile, JSON.stringify(row) + "\n", { append: true });
    };

    const startStep = agent.numTimesteps;
    const tStart = performance.now();
    const progress = (event: TrainProgress["event"]) => {
      if (!o.onProgress) return;
      const done = agent.numTimesteps - startStep;
      const rate = done / Math.max((performance.now() - tStart) / 1000, 1e-9);
      o.onProgress({
        step: agent.numTimesteps,
        totalSteps: o.totalSteps,
        stepsPerSecond: rate,
        etaSeconds: rate > 0 ? (o.totalSteps - agent.numTimesteps) / rate : Infinity,
        recentReturn: state.completedRollout?.meanReturn ?? null,
        lastEval: state.lastEval,
        event,
      });
    };

    const evaluate = async () => {
      const seed = evalSeeded ? undefined : o.seed + 1;
      evalSeeded = true;
      const result = evaluatePolicy(agent, evalEnv, o.evalEpisodes, seed);
      state.lastEval = result.meanReward;
      await emit({
        event: "eval",
        step: agent.numTimesteps,
        "eval/mean_reward": result.meanReward,
        "eval/std_reward": result.stdReward,
        "eval/mean_ep_length": result.meanLength,
      });
      progress("eval");
    };

    const checkpoint = async () => {
      const step = agent.numTimesteps;
      const dir = `${o.outDir}/checkpoints/${checkpointDirName(step)}`;
      const tmp = `${dir}.tmp-${Deno.pid}`;
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      await Deno.mkdir(tmp, { recursive: true });
      state.evalEnv = evalEnv.getState();
      if (agent instanceof SacAgent) {
        // Agent state without the transitions; the transitions added since the last checkpoint.
        await saveState(`${tmp}/agent`, agent.getState({ replayData: false }));
        const chunk = agent.replayBuffer.exportChunk(state.replaySaved ?? 0);
        await saveState(`${tmp}/replay`, chunk);
        state.replaySaved = chunk.to;
      } else {
        await saveState(`${tmp}/agent`, agent.getState());
      }
      await writeSealedJson(`${tmp}/run_state.json`, state);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.rename(tmp, dir);
      info.trainSeconds = elapsed();
      await writeJsonAtomic(runFile, info);
      progress("checkpoint");
    };

    // SAC: a train row at the end of every logInterval-th episode (SB3's _dump_logs).
    const recordSacLog = async () => {
      state.completedRollout = summariseEpisodes(state.rolloutEpisodes);
      state.rolloutEpisodes = [];
      const row: MetricsRow = {
        event: "train",
        step: agent.numTimesteps,
        "rollout/ep_rew_mean": state.completedRollout?.meanReturn ?? null,
        "rollout/ep_len_mean": state.completedRollout?.meanLength ?? null,
      };
      for (const [k, v] of Object.entries(state.lastUpdate ?? {})) {
        if (typeof v === "number" && k !== "numTimesteps") row[`train/${snakeCase(k)}`] = v;
      }
      await emit(row);
      progress("train");
    };

    const recordUpdate = async (stats: object) => {
      // The update belongs to the rollout that ended at stats.numTimesteps (it runs on the next
      // step() call, after that step's callbacks, as in SB3).
      const { numTimesteps, ...rest } = stats as { numTimesteps?: number };
      const row: MetricsRow = {
        event: "train",
        step: numTimesteps ?? agent.numTimesteps,
        // null when no episode ended in the rollout (SB3 then logs nothing).
        "rollout/ep_rew_mean": state.completedRollout?.meanReturn ?? null,
        "rollout/ep_len_mean": state.completedRollout?.meanLength ?? null,
      };
      for (const [k, v] of Object.entries(rest)) {
        if (typeof v === "number" || typeof v === "boolean") row[`train/${snakeCase(k)}`] = +v;
      }
      await emit(row);
      progress("train");
    };

    // ---- Step 0: evaluation and checkpoint of the initial policy.
    if (agent.numTimesteps === 0 && state.metricsRows === 0) {
      if (o.evalFreq > 0) await evaluate();
      if (schedule.includes(0)) await checkpoint();
    }

    const finish = async (completed: boolean): Promise<TrainRunResult> => ({
      outDir: o.outDir,
      metrics,
      checkpoints: await listCheckpoints(o.outDir),
      stepsThisCall: agent.numTimesteps - startStep,
      seconds: (performance.now() - t0) / 1000,
      completed,
    });

    // ---- The training loop, one environment step at a time.
    const schedulePending = new Set(schedule.filter((s) => s > agent.numTimesteps));
    while (agent.numTimesteps < o.totalSteps) {
      if (o.stopAtStep !== undefined && agent.numTimesteps >= o.stopAtStep) {
        return await finish(false);
      }
      if (o.signal?.aborted) throw new Error(`interrupted by ${o.signal.reason ?? "abort"}`);
      const before = agent.numTimesteps;
      // A step that runs a pending update on a GPU awaits its reads; the others stay synchronous.
      const stepInfo = agent.updatePending && agent.asyncUpdate
        ? await agent.stepAsync()
        : agent.step();
      if (o.algo === "sac") {
        if (stepInfo.update) {
          state.lastUpdate = { ...(stepInfo.update as Record<string, number | null>) };
        }
        if (stepInfo.episode) {
          state.rolloutEpisodes.push(stepInfo.episode);
          state.episodes = (state.episodes ?? 0) + 1;
          if (state.episodes % o.logInterval === 0) await recordSacLog();
        }
      } else {
        if (stepInfo.update) await recordUpdate(stepInfo.update);
        state.rolloutEpisodes.push(...(stepInfo.episodes ?? []));
        if (stepInfo.rolloutComplete) {
          state.completedRollout = summariseEpisodes(state.rolloutEpisodes);
          state.rolloutEpisodes = [];
        }
      }
      const step = agent.numTimesteps;
      // One agent step is n_envs environment steps: evaluate and checkpoint when a multiple or a
      // scheduled step is reached or crossed.
      if (o.evalFreq > 0 && Math.floor(step / o.evalFreq) > Math.floor(before / o.evalFreq)) {
        await evaluate();
      }
      const due = [...schedulePending].filter((s) => s <= step);
      if (due.length > 0) {
        for (const s of due) schedulePending.delete(s);
        await checkpoint();
      }
      if ((step & 255) === 0) progress("step");
    }
    // ---- The update that the last rollout triggered (SB3's learn ends with it). SAC logs by
    // episodes, so its final training phase only updates the agent.
    if (agent.updatePending) {
      const stats = agent.asyncUpdate ? await agent.updateAsync() : agent.update();
      if (o.algo === "ppo") await recordUpdate(stats);
    }

    return await finish(true);
  }
}

function summariseEpisodes(
  episodes: { return: number; length: number }[],
): RunState["completedRollout"] {
  if (episodes.length === 0) return { meanReturn: null, meanLength: null };
  const n = episodes.length;
  return {
    meanReturn: episodes.reduce((a, e) => a + e.return, 0) / n,
    meanLength: episodes.reduce((a, e) => a + e.length, 0) / n,
  };
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

type NormalisedOptions =
  & Required<
    Omit<
      TrainRunOptions,
      "onProgress" | "stopAtStep" | "backend" | "threads" | "signal" | "envOptions"
    >
  >
  & Pick<TrainRunOptions, "onProgress" | "stopAtStep" | "backend" | "threads" | "signal">;

function normaliseOptions(options: TrainRunOptions): NormalisedOptions {
  const o = {
    preset: `${options.algo}/${options.envId}`,
    overrides: {},
    evalFreq: 10_000,
    evalEpisodes: 10,
    checkpointEvery: 50_000,
    checkpointExtra: [10_000],
    resume: false,
    logInterval: 4,
    ...options,
  };
  if (o.algo !== "ppo" && o.algo !== "sac") {
    throw new Error(`Unknown algorithm "${o.algo}": expected "ppo" or "sac"`);
  }
  if (o.threads !== undefined && o.threads !== 1 && o.threads !== 2 && o.threads !== "auto") {
    throw new RangeError(`threads must be 1, 2 or "auto", got ${o.threads}`);
  }
  const positiveInt = (name: string, v: number, allowZero = false) => {
    if (!Number.isSafeInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new RangeError(
        `${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${v}`,
      );
    }
  };
  positiveInt("totalSteps", o.totalSteps);
  positiveInt("seed", o.seed, true);
  positiveInt("evalFreq", o.evalFreq, true);
  positiveInt("evalEpisodes", o.evalEpisodes);
  positiveInt("checkpointEvery", o.checkpointEvery, true);
  positiveInt("logInterval", o.logInterval);
  for (const s of o.checkpointExtra) positiveInt("checkpointExtra entries", s);
  if (!o.outDir) {
    throw new Error("outDir is required (the run directory, e.g. runs/ppo-pendulum-0)");
  }
  return o;
}

/**
 * Checks, without writing anything, that `outDir` can take this run: a new or empty directory,
 * or (with `resume`) a run of the same task, seed and hyperparameters whose step count is not
 * larger than the requested one. Returns the previous run.json, or null for a new run.
 */
async function inspectRunDir(
  o: NormalisedOptions,
  info: RunInfo,
  runFile: string,
): Promise<RunInfo | null> {
  if (!(await exists(runFile))) {
    const entries = [];
    if (await exists(o.outDir)) {
      if (!(await Deno.stat(o.outDir)).isDirectory) {
        throw new Error(`${o.outDir} is a file, not a directory: choose a new --out directory`);
      }
      for await (const e of Deno.readDir(o.outDir)) {
        if (e.name !== "checkpoints") entries.push(e.name);
      }
      const checkpoints = await listCheckpoints(o.outDir);
      if (checkpoints.length > 0) entries.push("checkpoints");
    }
    if (entries.length > 0) {
      throw new Error(
        `${o.outDir} is not empty and holds no run.json (found ${entries.slice(0, 3).join(", ")}` +
          `${entries.length > 3 ? ", …" : ""}): choose a new --out directory`,
      );
    }
    return null;
  }
  const previous = await readJson<RunInfo>(runFile);
  if (!o.resume) {
    throw new Error(
      `${o.outDir} already holds a run (status ${previous.status}): pass resume (--resume) ` +
        `to continue it, or choose a new output directory`,
    );
  }
  if (JSON.stringify(previous.envOptions ?? {}) !== JSON.stringify(info.envOptions)) {
    throw new Error(
      `Cannot resume ${o.outDir}: envOptions were ${JSON.stringify(previous.envOptions ?? {})}, ` +
        `now ${JSON.stringify(info.envOptions)}`,
    );
  }
  for (const key of ["algo", "envId", "seed", "preset", "evalFreq"] as const) {
    if (previous[key] !== info[key]) {
      throw new Error(
        `Cannot resume ${o.outDir}: ${key} was ${JSON.stringify(previous[key])}, now ` +
          `${JSON.stringify(info[key])}; pass the run's own settings or choose a new --out`,
      );
    }
  }
  const changed = changedConfigFields(o.algo, previous.config, info.config);
  if (changed.length > 0) {
    throw new Error(
      `Cannot resume ${o.outDir}: the resolved hyperparameters differ from the run's ` +
        `(${changed.slice(0, 4).join(", ")}${changed.length > 4 ? ", …" : ""}); pass ` +
        "the run's own --preset/--set values or choose a new --out",
    );
  }
  if (o.totalSteps < previous.totalSteps) {
    throw new Error(
      `Cannot resume ${o.outDir} to ${o.totalSteps} steps: the run is set to ` +
        `${previous.totalSteps}; pass --steps ${previous.totalSteps} or more`,
    );
  }
  return previous;
}
