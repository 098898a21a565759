// Data safety of the analysis: eigen caches carry checksums; a damaged cache is named (with the
// fix) and never used, and nothing on disk changes; caches written before checksums still load.
import { assertEquals, assertRejects } from "@std/assert";
import { trainRun } from "../../lib/experiments/train.ts";
import { type AnalyzeOptions, analyzeRun, loadEigenCache } from "../../lib/experiments/analyze.ts";
import { snapshotDir } from "./_disk.ts";

const runDir = await Deno.makeTempDir({ prefix: "pgsubspace-analyze-safety-" });
await trainRun({
  algo: "ppo",
  envId: "Pendulum-v1",
  seed: 2,
  totalSteps: 400,
  outDir: runDir,
  evalFreq: 0,
  checkpointEvery: 200,
  checkpointExtra: [],
  overrides: { n_steps: 200, batch_size: 64, n_epochs: 2, net_arch: [8], learning_rate: 3e-3 },
  backend: "cpu",
});
const OPTIONS: AnalyzeOptions = {
  runDir,
  preciseSamples: 300,
  ks: [1, 3],
  seed: 1,
  chunkSize: 256,
  backend: "cpu",
};

Deno.test("a damaged eigen cache is named with the fix, never used; the analysis dir is unchanged", async () => {
  const { analysisDir } = await analyzeRun(OPTIONS);
  const base = `${analysisDir}/eigen/step_0000200_critic_precise`;
  const good = await Deno.readFile(`${base}.bin`);
  const cases: [string, Uint8Array, string][] = [
    ["zeroed", good.slice().fill(0, 8, 40), `${base}.bin is corrupt (SHA-256 checksum mismatch)`],
    ["truncated", good.subarray(0, 20), `${base}.bin is truncated (20 of ${good.length} bytes)`],
  ];
  for (const [what, bytes, message] of cases) {
    await Deno.writeFile(`${base}.bin`, bytes);
    const before = await snapshotDir(runDir);
    const e = await assertRejects(() => analyzeRun(OPTIONS), Error, message);
    assertEquals(
      e.message.endsWith(`delete ${base}.json and ${base}.bin to recompute them`),
      true,
      e.message,
    );
    await assertRejects(
      () => loadEigenCache(analysisDir, 200, "critic", "precise"),
      Error,
      message,
    );
    assertEquals(await snapshotDir(runDir), before, what);
  }
  // The fix works: delete both files and rerun.
  await Deno.remove(`${base}.bin`);
  await Deno.remove(`${base}.json`);
  await analyzeRun(OPTIONS);
  const again = await loadEigenCache(analysisDir, 200, "critic", "precise");
  assertEquals(again?.info.k, 3);

  // A cache written before checksums (no checksum fields) loads with a note.
  const json = JSON.parse(await Deno.readTextFile(`${base}.json`));
  delete json.checksum;
  delete json.bin;
  await Deno.writeTextFile(`${base}.json`, JSON.stringify(json));
  const old = await loadEigenCache(analysisDir, 200, "critic", "precise");
  assertEquals(old?.eigenvectors.length, 3);
});

Deno.test("bad analysis settings are rejected before any file is written", async () => {
  const before = await snapshotDir(runDir);
  for (
    const [options, message] of [
      [{ ...OPTIONS, steps: [123] }, "No checkpoint at step 123"],
      [{ ...OPTIONS, ks: [0] }, "ks must be positive integers"],
      [{ ...OPTIONS, tol: 2 }, "tol must be in (0, 1)"],
      [{ ...OPTIONS, spectrumSteps: [7] }, "spectrumSteps: step 7"],
    ] as const
  ) {
    await assertRejects(() => analyzeRun(options as AnalyzeOptions), Error, message);
    assertEquals(await snapshotDir(runDir), before, message);
  }
});
