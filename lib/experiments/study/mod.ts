/**
 * Studies as plans of independent jobs (issue 14): settings and scales (settings.ts), cost
 * calibration (calibration.ts), the plan and its job ids (plan.ts), running one job and the
 * aggregation (jobs.ts), the local pool (pool.ts) and the Slurm scripts (slurm.ts).
 *
 * @example
 * ```ts
 * import { defaultCalibration, runStudyLocal, selectStudy, studyPreset, writeStudy } from "./mod.ts";
 * const settings = selectStudy(studyPreset("quick"), { scale: "toy" });
 * await writeStudy("runs/study-toy", {
 *   format: "pgsubspace-study/1", settings, calibration: defaultCalibration(settings),
 *   layout: { analysisJobs: "run", cpusPerJob: 2, warmStart: false },
 * });
 * const result = await runStudyLocal("runs/study-toy", { log: console.log });
 * ```
 *
 * @module
 */
export * from "./settings.ts";
export * from "./calibration.ts";
export * from "./plan.ts";
export * from "./jobs.ts";
export * from "./pool.ts";
export * from "./slurm.ts";
