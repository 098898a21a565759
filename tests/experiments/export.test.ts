// The numpy export: arrays, shapes and the S_frac they reproduce, checked here (lib/ reads the
// .npy back) and in numpy itself when the Python reference venv is present.
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "@std/assert";
import { trainRun } from "../../lib/experiments/train.ts";
import { analyzeRun, readAnalysis } from "../../lib/experiments/analyze.ts";
import { exportAnalysis, readExport } from "../../lib/experiments/export.ts";
import { gradientSubspaceFraction } from "../../lib/subspaces/mod.ts";
import { snapshotDir } from "./_disk.ts";
import { NUMPY_PYTHON } from "../_python.ts";

const PYTHON = NUMPY_PYTHON ?? "python3";
const hasNumpy = NUMPY_PYTHON !== null;

const root = await Deno.makeTempDir({ prefix: "pgsubspace-export-" });
const runs = {
  ppo: {
    algo: "ppo" as const,
    overrides: { n_steps: 200, batch_size: 64, n_epochs: 2, net_arch: [8], learning_rate: 3e-3 },
  },
  sac: {
    algo: "sac" as const,
    overrides: { net_arch: [8], batch_size: 256, buffer_size: 500, learning_starts: 100 },
  },
};
const analyses: Record<string, string> = {};
for (const [name, r] of Object.entries(runs)) {
  await trainRun({
    ...r,
    envId: "Pendulum-v1",
    seed: 1,
    totalSteps: 400,
    outDir: `${root}/${name}`,
    evalFreq: 0,
    checkpointEvery: 400,
    checkpointExtra: [],
    backend: "cpu",
  });
  const a = await analyzeRun({
    runDir: `${root}/${name}`,
    preciseSamples: 300,
    ks: [1, 3],
    seed: 2,
    chunkSize: 128,
    backend: "cpu",
  });
  analyses[name] = a.analysisDir;
}

function fractionRows(analysisDir: string) {
  return readAnalysis(analysisDir).then(({ results }) => results);
}

for (const name of ["ppo", "sac"] as const) {
  Deno.test(`export (${name}): arrays read back by lib/ reproduce the S_frac of results.jsonl`, async () => {
    const { outDir, manifest } = await exportAnalysis({ runDir: `${root}/${name}` });
    assertEquals(manifest.steps, [0, 400]);
    const exp = await readExport(outDir);
    const results = await fractionRows(analyses[name]);
    for (const step of manifest.steps) {
      for (const network of ["actor", "critic"] as const) {
        const theta = await exp.load(step, `${network}_parameters`);
        const n = theta.shape[0];
        const vectors = await exp.load(step, `${network}_precise_eigenvectors`);
        assertEquals(vectors.shape, [3, n]);
        const values = await exp.load(step, `${network}_precise_eigenvalues`);
        assertEquals(values.shape, [3]);
        assert(values.data[0] >= values.data[1] && values.data[1] >= values.data[2]);
        const g = await exp.load(step, `${network}_precise_gradient`);
        const rows = Array.from({ length: 3 }, (_, i) => vectors.data.subarray(i * n, (i + 1) * n));
        for (const k of [1, 3]) {
          const row = results.find((r) =>
            r.step === step && r.network === network && r.k === k &&
            r.estimator === "precise/precise"
          )!;
          const value = gradientSubspaceFraction(rows as Float32Array[], g.data as Float64Array, k);
          assertAlmostEquals(value, row.value, 1e-6, `${name} ${network} step ${step} k ${k}`);
        }
        const mb = await exp.load(step, `${network}_minibatch_gradients`);
        assertEquals(mb.shape[1], n);
      }
      const obs = await exp.load(step, "batch_precise_observations");
      assertEquals(obs.shape[1], 3);
    }
    assert(manifest.files.every((f) => f.shape.length >= 1));
  });
}

Deno.test("export: a run without analysis, an unknown step or analysis are named; nothing written", async () => {
  const bare = `${root}/bare`;
  await trainRun({
    ...runs.ppo,
    envId: "Pendulum-v1",
    seed: 1,
    totalSteps: 200,
    outDir: bare,
    evalFreq: 0,
    checkpointEvery: 200,
    checkpointExtra: [],
    backend: "cpu",
  });
  const before = await snapshotDir(bare);
  await assertRejects(
    () => exportAnalysis({ runDir: bare }),
    Error,
    `${bare} has no analysis to export: run \`deno task analyze --run ${bare}\` first`,
  );
  assertEquals(await snapshotDir(bare), before);
  const ppo = await snapshotDir(`${root}/ppo`);
  await assertRejects(
    () => exportAnalysis({ runDir: `${root}/ppo`, steps: [200], outDir: `${root}/x` }),
    Error,
    "Step 200",
  );
  await assertRejects(
    () => exportAnalysis({ runDir: `${root}/ppo`, analysisId: "nope" }),
    Error,
    "has no analysis nope",
  );
  assertEquals(await snapshotDir(`${root}/ppo`), ppo);
});

Deno.test({
  name: "export: numpy loads every array with the manifest's dtype and shape and reproduces S_frac",
  ignore: !hasNumpy,
  fn: async () => {
    for (const name of ["ppo", "sac"]) {
      const { outDir } = await exportAnalysis({ runDir: `${root}/${name}`, batches: true });
      await Deno.writeTextFile(
        `${outDir}/results.jsonl`,
        await Deno.readTextFile(`${analyses[name]}/results.jsonl`),
      );
      const script = `
import json, sys, numpy as np
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
for f in m["files"]:
    a = np.load(d + "/" + f["path"])
    assert str(a.dtype) == f["dtype"] and list(a.shape) == f["shape"], (f, a.dtype, a.shape)
worst = 0.0
for line in open(d + "/results.jsonl"):
    r = json.loads(line)
    if r["estimator"] not in ("precise/precise", "minibatch/precise"): continue
    s = "step_%07d/" % r["step"]
    V = np.load(d + "/" + s + r["network"] + "_precise_eigenvectors.npy").astype(np.float64)[: r["k"]]
    if r["estimator"] == "precise/precise":
        G = np.load(d + "/" + s + r["network"] + "_precise_gradient.npy")[None, :]
    else:
        G = np.load(d + "/" + s + r["network"] + "_minibatch_gradients.npy")
        G = G[np.linalg.norm(G, axis=1) > 0]
    frac = np.mean(np.sum((G @ V.T) ** 2, axis=1) / np.sum(G ** 2, axis=1))
    worst = max(worst, abs(frac - r["value"]))
print(json.dumps({"files": len(m["files"]), "worst": worst}))
`;
      const out = await new Deno.Command(PYTHON, {
        args: ["-c", script, outDir],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(out.success, new TextDecoder().decode(out.stderr));
      const r = JSON.parse(new TextDecoder().decode(out.stdout));
      assert(r.files > 10, `${name}: ${r.files} files`);
      assert(r.worst < 1e-6, `${name}: numpy's S_frac differs by ${r.worst}`);
    }
  },
});
