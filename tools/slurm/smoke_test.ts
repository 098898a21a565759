/**
 * Smoke test of a real single-node Slurm cluster (`tools/slurm/cluster.sh`): the features the
 * study's job plan relies on (issue 14), checked with `sacct`:
 *
 * - a job array with a `%1` throttle (`--array=0-3%1`: its tasks never overlap although the node
 *   has room for two), one task failing on purpose (exit 3 → FAILED 3:0);
 * - a second array with `--dependency=aftercorr:<first>` and `--kill-on-invalid-dep=yes`: task i
 *   starts only after task i of the first array completed; the task behind the failed one is
 *   cancelled (dependency never satisfied); one task is `scancel`led while it runs;
 * - an "aggregation" job with `--dependency=afterany:<second>` that runs after every task ended,
 *   whatever its state, and lists which tasks left their result marker (0 and 3 only).
 *
 * Run: `deno task slurm-test` (as root; installs Debian's Slurm, munge and MariaDB when missing,
 * starts a private cluster, runs the scenario, stops every daemon it started). Options:
 * `--keep` leaves the cluster running; `--dir DIR` and `--port N` choose the state directory and
 * the first of four ports (defaults: a fresh temporary directory, a free port range);
 * `--no-study` skips the study scenario (study_scenario.ts: a tiny study as job arrays, a task
 * cancelled mid-run, its aggregation, a resubmission), which `deno task slurm-test` runs after
 * the smoke test.
 *
 * @module
 */

import { runStudyScenario, type StudyScenarioReport } from "./study_scenario.ts";

const CLUSTER_SCRIPT = new URL("./cluster.sh", import.meta.url).pathname;

/** Options of {@linkcode runSlurmSmokeTest}. */
export interface SlurmSmokeOptions {
  /** State directory of the cluster (default: a fresh temporary directory, removed afterwards). */
  stateDir?: string;
  /** First of the four ports (slurmctld, slurmd, slurmdbd, MariaDB); default: a free range. */
  port?: number;
  /** Leave the cluster running afterwards (default false: stop what was started). */
  keep?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Also run a tiny study on the cluster (study_scenario.ts; default false). */
  study?: boolean;
}

/** What {@linkcode runSlurmSmokeTest} measured. */
export interface SlurmSmokeReport {
  /** Seconds: cluster start, the job scenario, cluster stop, total. */
  seconds: { start: number; jobs: number; stop: number; total: number };
  /** Final sacct state per job or array task id, e.g. `{"12_0": "COMPLETED"}`. */
  states: Record<string, string>;
  /** The slurm.conf used. */
  slurmConf: string;
  /** The study scenario's report, when it ran. */
  study: StudyScenarioReport | null;
}

/** One `sacct -X -P` row. */
interface SacctRow {
  jobId: string;
  state: string;
  exitCode: string;
  start: number;
  end: number;
}

/**
 * Whether the Slurm test can run here: root (slurmd starts jobs as their users) and either the
 * daemons and clients installed or apt-get to install them. Returns a reason when it cannot.
 *
 * @example
 * ```ts
 * import { slurmTestUnavailable } from "./smoke_test.ts";
 * const why = slurmTestUnavailable(); // null when the cluster can be started
 * ```
 */
export function slurmTestUnavailable(options: { requireInstalled?: boolean } = {}): string | null {
  if (Deno.build.os !== "linux") return "Slurm test cluster: Linux only";
  if (effectiveUid() !== 0) {
    return "Slurm test cluster: needs root (slurmd starts jobs as their users)";
  }
  const tools = [
    "slurmctld",
    "slurmd",
    "slurmdbd",
    "sbatch",
    "sacct",
    "munged",
    "mariadbd",
    "mariadb-install-db",
  ];
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length === 0) return null;
  if (options.requireInstalled) return `Slurm test cluster: not installed (${missing.join(", ")})`;
  return onPath("apt-get") ? null : `Slurm test cluster: missing ${missing.join(", ")}, no apt-get`;
}

/** The effective uid, from `id -u` (Deno.uid needs --allow-sys, /proc/self needs --allow-all). */
function effectiveUid(): number {
  try {
    const out = new Deno.Command("id", { args: ["-u"], stdout: "piped", stderr: "null" })
      .outputSync();
    return out.success ? Number(new TextDecoder().decode(out.stdout).trim()) : -1;
  } catch {
    return -1;
  }
}

/**
 * Whether an executable named `name` is in a directory of PATH.
 *
 * @example
 * ```ts
 * import { onPath } from "./smoke_test.ts";
 * onPath("bash"); // true
 * ```
 */
export function onPath(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** A free range of four TCP ports on 127.0.0.1 (probing by listening). */
function freePortRange(): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      }
      return base;
    } catch {
      // in use: try another range
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error("Slurm smoke test: found no four free consecutive ports on 127.0.0.1");
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function must(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await run(cmd, args, env);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  seconds: number,
  probe: () => Promise<T | null>,
): Promise<T> {
  const deadline = performance.now() + seconds * 1000;
  while (true) {
    const value = await probe();
    if (value !== null) return value;
    if (performance.now() > deadline) {
      throw new Error(`Slurm smoke test: timed out after ${seconds} s waiting for ${what}`);
    }
    await sleep(500);
  }
}

const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED)/;

function parseTime(s: string): number {
  const t = Date.parse(s);
  return Number.isFinite(t) ? t / 1000 : NaN;
}

async function sacct(ids: string[], env: Record<string, string>): Promise<SacctRow[]> {
  const out = await must("sacct", [
    "-X",
    "-P",
    "-n",
    "--format=JobID,State,ExitCode,Start,End",
    "-j",
    ids.join(","),
  ], env);
  return out.trim().split("\n").filter((l) => l).map((line) => {
    const [jobId, state, exitCode, start, end] = line.split("|");
    return { jobId, state, exitCode, start: parseTime(start), end: parseTime(end) };
  });
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`Slurm smoke test: ${message}`);
}

/**
 * Starts the cluster (unless it is already running in `stateDir`), runs the scenario of the
 * module doc, checks every state with `sacct`, and stops what it started.
 *
 * @throws Error naming the first check that failed (with the job states seen).
 *
 * @example
 * ```ts
 * import { runSlurmSmokeTest } from "./smoke_test.ts";
 * const report = await runSlurmSmokeTest({ log: console.log });
 * console.log(report.seconds.total);
 * ```
 */
export async function runSlurmSmokeTest(
  options: SlurmSmokeOptions = {},
): Promise<SlurmSmokeReport> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const tempDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? await Deno.makeTempDir({ prefix: "pgsubspace-slurm-" });
  const port = options.port ?? freePortRange();
  const clusterEnv = {
    PGSUBSPACE_SLURM_DIR: stateDir,
    PGSUBSPACE_SLURM_PORT: String(port),
  };
  const status = await run("bash", [CLUSTER_SCRIPT, "status"], clusterEnv);
  const wasRunning = status.code === 0;
  log(
    `cluster: ${wasRunning ? "already running" : "starting"} in ${stateDir} (ports ${port}-${
      port + 3
    })`,
  );
  const started = await run("bash", [CLUSTER_SCRIPT, "start"], clusterEnv);
  if (started.code !== 0) {
    throw new Error(`Slurm smoke test: cluster.sh start failed:\n${started.stderr.trim()}`);
  }
  const slurmConf = `${stateDir}/etc/slurm.conf`;
  const env = { SLURM_CONF: slurmConf };
  const tStart = (performance.now() - t0) / 1000;
  log(`cluster up after ${tStart.toFixed(1)} s`);

  const tJobs = performance.now();
  let states: Record<string, string> = {};
  let stopSeconds = 0;
  let study: StudyScenarioReport | null = null;
  try {
    const work = `${stateDir}/jobs/smoke-${Date.now()}`;
    await Deno.mkdir(`${work}/done`, { recursive: true });
    await Deno.mkdir(`${work}/logs`, { recursive: true });
    const header = (name: string, extra: string) =>
      `#!/bin/bash\n#SBATCH --job-name=${name}\n#SBATCH --cpus-per-task=1\n#SBATCH --mem=64M\n` +
      `#SBATCH --time=5\n#SBATCH --output=${work}/logs/%x_%A_%a.out\n${extra}set -euo pipefail\n`;
    const marker = (name: string) =>
      `echo ok > ${work}/done/${name}_$SLURM_ARRAY_TASK_ID.tmp && ` +
      `mv ${work}/done/${name}_$SLURM_ARRAY_TASK_ID.tmp ${work}/done/${name}_$SLURM_ARRAY_TASK_ID\n`;
    await Deno.writeTextFile(
      `${work}/a.sh`,
      header("smoke-a", "#SBATCH --array=0-3%1\n") +
        `sleep 2\nif [ "$SLURM_ARRAY_TASK_ID" = 2 ]; then echo "fails on purpose" >&2; exit 3; fi\n` +
        marker("a"),
    );
    await Deno.writeTextFile(
      `${work}/b.sh`,
      header("smoke-b", "#SBATCH --array=0-3\n#SBATCH --kill-on-invalid-dep=yes\n") +
        `if [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then sleep 600; else sleep 1; fi\n` + marker("b"),
    );
    await Deno.writeTextFile(
      `${work}/c.sh`,
      header("smoke-c", "") +
        `ls ${work}/done | grep '^b_' | sed 's/^b_//' | sort -n | tr '\\n' ' ' > ${work}/summary\n`,
    );
    const submit = async (script: string, extra: string[] = []) =>
      (await must("sbatch", ["--parsable", ...extra, script], env)).trim().split(";")[0];
    const a = await submit(`${work}/a.sh`);
    const b = await submit(`${work}/b.sh`, [`--dependency=aftercorr:${a}`]);
    const c = await submit(`${work}/c.sh`, [`--dependency=afterany:${b}`]);
    log(`submitted: array ${a} (0-3%1), array ${b} (aftercorr:${a}), job ${c} (afterany:${b})`);

    // scancel task 1 of the second array while it runs.
    await until(`${b}_1 to run`, 120, async () => {
      const out = await must("squeue", ["-h", "-t", "R", "-o", "%i", "-j", `${b}_1`], env);
      return out.includes(`${b}_1`) ? true : null;
    });
    await sleep(1000);
    await must("scancel", [`${b}_1`], env);
    log(`scancelled ${b}_1 while running`);

    await until("the queue to drain", 180, async () => {
      const out = await must("squeue", ["-h", "-o", "%i", "-j", [a, b, c].join(",")], env);
      return out.trim() === "" ? true : null;
    });
    const expected = [0, 1, 2, 3].flatMap((i) => [`${a}_${i}`, `${b}_${i}`]).concat([c]);
    const rows = await until("sacct to record every job", 60, async () => {
      const r = await sacct([a, b, c], env);
      const ids = new Set(r.filter((x) => TERMINAL.test(x.state)).map((x) => x.jobId));
      return expected.every((id) => ids.has(id)) ? r : null;
    });
    const byId = new Map(rows.map((r) => [r.jobId, r]));
    states = Object.fromEntries(expected.map((id) => [id, byId.get(id)!.state]));
    const seen = JSON.stringify(states);
    const row = (id: string) => byId.get(id)!;

    // First array: throttle %1, one failure.
    for (const i of [0, 1, 3]) {
      check(row(`${a}_${i}`).state === "COMPLETED", `${a}_${i} should be COMPLETED; ${seen}`);
    }
    check(
      row(`${a}_2`).state === "FAILED" && row(`${a}_2`).exitCode === "3:0",
      `${a}_2 should be FAILED with exit code 3:0, got ${row(`${a}_2`).state} ${
        row(`${a}_2`).exitCode
      }`,
    );
    const aRows = [0, 1, 2, 3].map((i) => row(`${a}_${i}`)).sort((x, y) => x.start - y.start);
    for (let i = 1; i < aRows.length; i++) {
      check(
        aRows[i].start >= aRows[i - 1].end,
        `throttle %1 violated: ${aRows[i].jobId} started before ${aRows[i - 1].jobId} ended`,
      );
    }
    // Second array: aftercorr, an invalid dependency, a cancelled running task.
    for (const i of [0, 3]) {
      check(row(`${b}_${i}`).state === "COMPLETED", `${b}_${i} should be COMPLETED; ${seen}`);
      check(
        row(`${b}_${i}`).start >= row(`${a}_${i}`).end,
        `aftercorr violated: ${b}_${i} started before ${a}_${i} ended`,
      );
    }
    check(row(`${b}_1`).state.startsWith("CANCELLED"), `${b}_1 should be CANCELLED; ${seen}`);
    check(
      row(`${b}_1`).end > row(`${b}_1`).start,
      `${b}_1 should have run before it was cancelled`,
    );
    check(
      row(`${b}_2`).state.startsWith("CANCELLED") && !(row(`${b}_2`).start > 0),
      `${b}_2 (behind the failed ${a}_2) should be cancelled without running; ${seen}`,
    );
    // Aggregation: afterany, after every task of the second array, sees results 0 and 3.
    check(row(c).state === "COMPLETED", `${c} should be COMPLETED; ${seen}`);
    for (const i of [0, 1, 3]) {
      check(
        row(c).start >= row(`${b}_${i}`).end,
        `afterany violated: ${c} started before ${b}_${i} ended`,
      );
    }
    const summary = (await Deno.readTextFile(`${work}/summary`)).trim();
    check(
      summary === "0 3",
      `the aggregation job should see results of tasks 0 and 3, saw "${summary}"`,
    );
    log(`sacct: ${expected.map((id) => `${id} ${states[id]}`).join(", ")}`);
    if (options.study) {
      const studyWork = `${stateDir}/jobs/study-${Date.now()}`;
      await Deno.mkdir(studyWork, { recursive: true });
      study = await runStudyScenario({ env, work: studyWork, log, must, until, sacct, check });
    }
  } finally {
    const jobSeconds = (performance.now() - tJobs) / 1000;
    log(`job scenario: ${jobSeconds.toFixed(1)} s`);
    if (!wasRunning && !options.keep) {
      const tStop = performance.now();
      const stopped = await run(
        "bash",
        [CLUSTER_SCRIPT, "stop", ...(tempDir ? ["--purge"] : [])],
        clusterEnv,
      );
      stopSeconds = (performance.now() - tStop) / 1000;
      if (stopped.code !== 0) log(`cluster.sh stop failed: ${stopped.stderr.trim()}`);
      else log(`cluster stopped in ${stopSeconds.toFixed(1)} s`);
    }
  }
  const total = (performance.now() - t0) / 1000;
  return {
    seconds: {
      start: tStart,
      jobs: total - tStart - stopSeconds,
      stop: stopSeconds,
      total,
    },
    states,
    slurmConf,
    study,
  };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const why = slurmTestUnavailable();
  if (why) {
    console.error(why);
    Deno.exit(2);
  }
  try {
    const report = await runSlurmSmokeTest({
      stateDir: value("--dir"),
      port: value("--port") ? Number(value("--port")) : undefined,
      keep: args.includes("--keep"),
      study: !args.includes("--no-study"),
      log: (line) => console.log(line),
    });
    const s = report.seconds;
    console.log(
      `Slurm smoke test passed in ${s.total.toFixed(1)} s (cluster start ${
        s.start.toFixed(1)
      } s, ` +
        `jobs ${s.jobs.toFixed(1)} s, stop ${s.stop.toFixed(1)} s)`,
    );
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
