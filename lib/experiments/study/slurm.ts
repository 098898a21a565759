/**
 * The Slurm engine: `sbatch` scripts for a study's plan, one job array per stage.
 *
 * - `train.sbatch`: the training array, task i = plan.json's training job with index i;
 * - `analyze.sbatch`: the analysis array. With one analysis job per run, task i analyses the run
 *   trained by training task i and depends on it alone (`--dependency=aftercorr:<train>`), so a
 *   seed's checkpoints are analysed as soon as its training ends; with one job per checkpoint,
 *   each run's analysis tasks are submitted as their own slice of the array with
 *   `--dependency=afterok:<train>_<i>`. `--kill-on-invalid-dep=yes` cancels the analysis of a
 *   run whose training failed or was cancelled;
 * - `aggregate.sbatch`: one job with `--dependency=afterany` on both arrays: it runs whatever
 *   their outcome and lists the missing and failed jobs;
 * - `submit.sh`: submits the three with their dependencies and prints the job ids and how to
 *   follow them. Running it again resumes the study: done jobs are skipped (each array task
 *   starts, finds its `done` marker and exits), interrupted ones continue.
 *
 * Resources per stage are the largest of the plan's estimates for that stage (`--cpus-per-task`,
 * `--mem` with 25% margin, `--time` at twice the estimate plus 10 minutes); `--array=...%N`
 * throttles each array to N tasks at once. Slurm's own log of each task goes to
 * `<study>/logs/<stage>_<array job>_<task>.out`, the job's messages to `<study>/jobs/<id>/log.txt`.
 *
 * @module
 */
import type { JobStage, StudyJob, StudyPlan } from "./plan.ts";
import { writeFileAtomic } from "../../io/files.ts";

/** Options of {@linkcode slurmScripts}. */
export interface SlurmOptions {
  /** The study directory on storage shared by the nodes (absolute). */
  studyDir: string;
  /** The pgsubspace checkout on shared storage (absolute; the tasks run `deno task` there). */
  repoDir: string;
  /** Directory of the `deno` binary on the nodes (added to PATH; default: PATH as is). */
  denoDir?: string;
  /** Most tasks of one array at once (default 10). */
  throttle?: number;
  /** `--partition`. */
  partition?: string;
  /** `--account`. */
  account?: string;
}

/** A stage's resources: the largest estimate of its jobs. */
export interface StageResources {
  /** `--cpus-per-task`. */
  cpus: number;
  /** `--mem` in MiB. */
  memoryMiB: number;
  /** `--time` in minutes. */
  minutes: number;
}

/**
 * The resources of one stage of a plan (module doc).
 *
 * @example
 * ```ts
 * import { stageResources } from "./slurm.ts";
 * // stageResources(plan, "train"); // { cpus: 2, memoryMiB: 640, minutes: 12 }
 * ```
 */
export function stageResources(plan: StudyPlan, stage: JobStage): StageResources {
  const jobs = plan.jobs.filter((j) => j.stage === stage);
  return {
    cpus: Math.max(1, ...jobs.map((j) => j.cpus)),
    memoryMiB: Math.ceil(1.25 * Math.max(256, ...jobs.map((j) => j.estimate.memoryMiB))),
    minutes: Math.ceil((2 * Math.max(0, ...jobs.map((j) => j.estimate.seconds))) / 60) + 10,
  };
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function header(
  plan: StudyPlan,
  stage: JobStage,
  o: SlurmOptions,
  lines: string[],
): string {
  const r = stageResources(plan, stage);
  return [
    "#!/bin/bash",
    `#SBATCH --job-name=pgs-${plan.name}-${stage}`,
    ...lines,
    `#SBATCH --cpus-per-task=${r.cpus}`,
    `#SBATCH --mem=${r.memoryMiB}M`,
    `#SBATCH --time=${r.minutes}`,
    `#SBATCH --output=${o.studyDir}/logs/${stage}_%A_%a.out`,
    "#SBATCH --requeue",
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.account ? [`#SBATCH --account=${o.account}`] : []),
  ].join("\n");
}

function body(stage: JobStage, o: SlurmOptions, index: string): string {
  return [
    "set -euo pipefail",
    ...(o.denoDir ? [`export PATH=${quote(o.denoDir)}:"$PATH"`] : []),
    `cd ${quote(o.repoDir)}`,
    `exec deno task study job --dir ${quote(o.studyDir)} --stage ${stage} --index ${index}`,
    "",
  ].join("\n");
}

function arraySpec(first: number, last: number, throttle: number): string {
  return `${first}-${last}%${throttle}`;
}

/**
 * The scripts of the module doc, by file name.
 *
 * @example
 * ```ts
 * import { slurmScripts } from "./slurm.ts";
 * // const files = slurmScripts(plan, { studyDir: "/shared/study", repoDir: "/shared/pgsubspace" });
 * // files["submit.sh"]
 * ```
 */
export function slurmScripts(plan: StudyPlan, o: SlurmOptions): Record<string, string> {
  const throttle = o.throttle ?? 10;
  if (!Number.isSafeInteger(throttle) || throttle < 1) {
    throw new RangeError(`throttle must be a positive integer, got ${throttle}`);
  }
  const of = (stage: JobStage) => plan.jobs.filter((j) => j.stage === stage);
  const train = of("train"), analyze = of("analyze");
  const perRun = plan.layout.analysisJobs === "run";
  const ids = (jobs: StudyJob[]) => jobs.map((j) => `#   ${j.index}: ${j.id}`).join("\n");
  const files: Record<string, string> = {};
  files["train.sbatch"] = header(plan, "train", o, [
    `#SBATCH --array=${arraySpec(0, train.length - 1, throttle)}`,
  ]) + "\n# Array task i runs plan.json's training job with index i:\n" + ids(train) + "\n" +
    body("train", o, '"$SLURM_ARRAY_TASK_ID"');
  files["analyze.sbatch"] = header(plan, "analyze", o, [
    ...(perRun ? [`#SBATCH --array=${arraySpec(0, analyze.length - 1, throttle)}`] : []),
    "#SBATCH --kill-on-invalid-dep=yes",
  ]) + "\n# Array task i runs plan.json's analysis job with index i:\n" + ids(analyze) + "\n" +
    body("analyze", o, '"$SLURM_ARRAY_TASK_ID"');
  files["aggregate.sbatch"] = header(plan, "aggregate", o, []) + "\n" +
    body("aggregate", o, "0");

  const submitAnalysis: string[] = [];
  if (perRun) {
    submitAnalysis.push(
      'ANALYZE=$(submit --dependency=aftercorr:"$TRAIN" analyze.sbatch)',
    );
  } else {
    submitAnalysis.push("ANALYZE=");
    for (const t of train) {
      const mine = analyze.filter((a) => a.dependsOn[0] === t.id).map((a) => a.index);
      if (mine.length === 0) continue;
      submitAnalysis.push(
        `ANALYZE="$ANALYZE\${ANALYZE:+:}$(submit --array=${
          arraySpec(Math.min(...mine), Math.max(...mine), throttle)
        } --dependency=afterok:"$TRAIN"_${t.index} analyze.sbatch)" # ${t.id}`,
      );
    }
  }
  const list = perRun ? '"$ANALYZE"' : '"${ANALYZE//:/,}"';
  files["submit.sh"] = [
    "#!/bin/bash",
    `# Submits study ${plan.name} (${plan.jobs.length} jobs) to Slurm. Running it again resumes`,
    "# the study: finished jobs are skipped, interrupted ones continue.",
    "set -euo pipefail",
    'cd "$(dirname "$0")"',
    "if ! command -v sbatch >/dev/null 2>&1; then",
    '  echo "error: sbatch not found: run this script on a Slurm login node" >&2',
    "  exit 1",
    "fi",
    `mkdir -p ${quote(`${o.studyDir}/logs`)}`,
    "submit() { sbatch --parsable \"$@\" | cut -d';' -f1; }",
    "TRAIN=$(submit train.sbatch)",
    ...submitAnalysis,
    'AGGREGATE=$(submit --dependency=afterany:"$TRAIN":"$ANALYZE" aggregate.sbatch)',
    `echo "submitted: training array $TRAIN (${train.length} tasks), analysis ${
      perRun ? "array" : "arrays"
    } $ANALYZE (${analyze.length} tasks), aggregation $AGGREGATE"`,
    `echo "jobs: train=$TRAIN analyze=${list.slice(1, -1)} aggregate=$AGGREGATE"`,
    `echo "follow: squeue -j $TRAIN,${list.slice(1, -1)},$AGGREGATE"`,
    `echo "        sacct -X -j $TRAIN,${
      list.slice(1, -1)
    },$AGGREGATE --format=JobID,JobName%30,State,Elapsed,MaxRSS"`,
    `echo "logs: ${o.studyDir}/logs/ and ${o.studyDir}/jobs/<job id>/log.txt"`,
    `echo "report: ${o.studyDir}/report.html and aggregate.json when job $AGGREGATE has ended"`,
    `echo "resume (after failures or cancellations): bash $0"`,
    "",
  ].join("\n");
  return files;
}

/**
 * Writes {@linkcode slurmScripts} into `emitDir` (submit.sh executable) and returns their paths.
 *
 * @example
 * ```ts
 * import { emitSlurmScripts } from "./slurm.ts";
 * // await emitSlurmScripts(plan, "/shared/study/slurm", options);
 * ```
 */
export async function emitSlurmScripts(
  plan: StudyPlan,
  emitDir: string,
  o: SlurmOptions,
): Promise<string[]> {
  const files = slurmScripts(plan, o);
  await Deno.mkdir(emitDir, { recursive: true });
  const paths: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = `${emitDir.replace(/\/+$/, "")}/${name}`;
    await writeFileAtomic(path, text);
    await Deno.chmod(path, name.endsWith(".sh") ? 0o755 : 0o644);
    paths.push(path);
  }
  return paths;
}
