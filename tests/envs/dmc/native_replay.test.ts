// Our MJCF and dm_control's reset and step sequence on the native MuJoCo 3.14 build (Python)
// reproduce the recorded dm_control 1.0.44 episodes bit for bit: the models are exactly
// dm_control's, and what our WebAssembly environments differ by (oracle.test.ts) is arithmetic.
import { assertEquals } from "@std/assert";
import { findPython, runPythonJson } from "../../../tools/python_ref.ts";
import { DMC_ORACLE_DIR, DMC_ORACLE_TASKS } from "../../../tools/dmc_conformance.ts";

const python = await findPython("mujoco");
const oraclesPresent = DMC_ORACLE_TASKS.every((t) => {
  try {
    return Deno.statSync(DMC_ORACLE_DIR + t.file).isFile;
  } catch {
    return false;
  }
});
const skip = python === null || !oraclesPresent;
if (skip) {
  console.log(
    "native_replay.test.ts: SKIPPED: " +
      (python === null
        ? "no Python with mujoco (set PGSUBSPACE_PYTHON or run tools/setup_python_ref.sh)"
        : `the dm_control recordings are missing in ${DMC_ORACLE_DIR}`),
  );
}

Deno.test({
  name: "native MuJoCo on data/dmc/*.xml replays every recorded episode bit for bit",
  ignore: skip,
  fn: async () => {
    const cases = DMC_ORACLE_TASKS.map((t) => ({
      xml: new URL(`../../../data/dmc/${t.model}`, import.meta.url).pathname,
      oracle: DMC_ORACLE_DIR + t.file,
    }));
    const script = new URL("../../../tools/dmc_reference.py", import.meta.url).pathname;
    const answer = await runPythonJson(python!, script, { command: "replay", cases });
    const results = answer.results as { seed: number }[][];
    assertEquals(results.length, 2);
    for (const rows of results) {
      assertEquals(rows.map((r) => r.seed), [0, 1, 2, 3, 4]);
      for (const r of rows) {
        assertEquals(r, { seed: r.seed, qpos: 0, qvel: 0, qacc_warmstart: 0, time: 0 });
      }
    }
  },
});
