/**
 * Measures how far our Box2D tasks drift from the Gymnasium 1.3 + pybox2d 2.3.10 recordings in
 * `../shared/oracles/box2d/` and prints Markdown tables (the README's): for every task, policy and
 * seed, the largest |Δobs| up to steps 1, 10, 50 and 100, the termination step and return
 * against Gymnasium's, and whether the episode is bit-identical (every observation, reward and
 * termination flag) or where it first differs. The recorded actions are replayed and the recorded
 * draws answered in order.
 *
 * Usage: `deno run --allow-read tools/box2d_drift.ts [--oracles DIR]`
 *
 * @module
 */
import { type Recording, replayEpisode } from "../lib/envs/box2d/recording.ts";

const i = Deno.args.indexOf("--oracles");
const dir = i >= 0
  ? Deno.args[i + 1]
  : new URL("../../shared/oracles/box2d/", import.meta.url).pathname;
const MARKS = [1, 10, 50, 100];

function fmt(x: number | undefined): string {
  return x === undefined ? "—" : x === 0 ? "0" : x.toExponential(1);
}

for (const id of ["LunarLanderContinuous-v3", "BipedalWalker-v3", "BipedalWalkerHardcore-v3"]) {
  let recording: Recording;
  try {
    recording = JSON.parse(Deno.readTextFileSync(`${dir}/${id}.json`));
  } catch (e) {
    console.error(`cannot read ${dir}/${id}.json: ${(e as Error).message}; pass --oracles DIR`);
    Deno.exit(1);
  }
  console.log(`\n### ${id}\n`);
  console.log(
    `| policy | seed | reset | ${
      MARKS.map((m) => `≤ ${m}`).join(" | ")
    } | end step (ours / Gymnasium) ` +
      `| return (ours / Gymnasium) | bit-identical |`,
  );
  console.log(`| --- | --- | --- | ${MARKS.map(() => "---").join(" | ")} | --- | --- | --- |`);
  const matching = { sine: 0, heuristic: 0 };
  const identical = { sine: 0, heuristic: 0 };
  for (const policy of ["sine", "heuristic"] as const) {
    const episodes = policy === "sine" ? recording.episodes : recording.heuristic_episodes;
    for (const episode of episodes) {
      const c = replayEpisode(recording, episode);
      const upTo = (m: number) =>
        c.stepObsError.length >= m ? Math.max(...c.stepObsError.slice(0, m)) : undefined;
      const end = (s: number | null) => (s === null ? `${episode.n_steps}+` : String(s));
      const same = c.terminationStep === c.recordedTerminationStep &&
        Math.abs(c.episodeReturn - c.recordedReturn) <= 0.01 * Math.abs(c.recordedReturn);
      if (same) matching[policy]++;
      if (c.mismatch === null) identical[policy]++;
      console.log(
        `| ${policy} | ${episode.seed} | ${fmt(c.resetObsError)} | ` +
          `${MARKS.map((m) => fmt(upTo(m))).join(" | ")} | ` +
          `${end(c.terminationStep)} / ${end(c.recordedTerminationStep)}${same ? "" : " ✗"} | ` +
          `${c.episodeReturn.toFixed(2)} / ${c.recordedReturn.toFixed(2)} | ` +
          `${c.mismatch === null ? "yes" : `no (${c.mismatch})`} |`,
      );
    }
  }
  console.log(
    `\nSame end step and return within 1 %: sine ${matching.sine}/5, heuristic ` +
      `${matching.heuristic}/5; bit-identical: sine ${identical.sine}/5, heuristic ` +
      `${identical.heuristic}/5. (\`n+\`: ran to the recording's cap of n steps.)`,
  );
}
