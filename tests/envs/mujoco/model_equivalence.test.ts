// Our MJCF files compile to the same mjModel as the files Gymnasium 1.3 ships: every numeric
// array, every size and every field of opt, stat and vis, compiled by Python's mujoco 3.14.
import { assert, assertEquals } from "@std/assert";
import { findPython, runPythonJson } from "../../../tools/python_ref.ts";

const python = await findPython("mujoco");
const skip = python === null;
if (skip) {
  console.log(
    "model_equivalence.test.ts: SKIPPED: no Python with mujoco and gymnasium (set " +
      "PGSUBSPACE_PYTHON or run tools/setup_python_ref.sh)",
  );
}
const script = new URL("../../../tools/mujoco_reference.py", import.meta.url).pathname;
const ours = (file: string) => new URL(`../../../data/mujoco/${file}`, import.meta.url).pathname;
const FILES = [
  "ant.xml",
  "half_cheetah.xml",
  "hopper.xml",
  "walker2d.xml",
  "walker2d_v5.xml",
  "swimmer.xml",
  "reacher.xml",
];

interface Comparison {
  arrays: number;
  scalars: number;
  differences: { field: string; problem: string }[];
}

Deno.test({
  name: "data/mujoco/*.xml compile to Gymnasium's models (every numeric mjModel array)",
  ignore: skip,
  fn: async () => {
    const answer = await runPythonJson(python!, script, {
      command: "compare_models",
      pairs: FILES.map((f) => [ours(f), f]),
    });
    const results = answer.results as Comparison[];
    assertEquals(results.length, FILES.length);
    results.forEach((r, i) => {
      assert(r.arrays > 500, `${FILES[i]}: only ${r.arrays} arrays compared`);
      assert(r.scalars > 80, `${FILES[i]}: only ${r.scalars} sizes compared`);
      assertEquals(r.differences, [], `${FILES[i]} differs from Gymnasium's`);
    });
  },
});

Deno.test({
  name: "the model comparison notices a changed gear, friction or name",
  ignore: skip,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const ant = await Deno.readTextFile(ours("ant.xml"));
      const walker = await Deno.readTextFile(ours("walker2d_v5.xml"));
      await Deno.writeTextFile(`${dir}/ant.xml`, ant.replace(`gear="150"`, `gear="151"`));
      await Deno.writeTextFile(`${dir}/walker.xml`, walker.replace(`name="foot_left"`, `name="f"`));
      const answer = await runPythonJson(python!, script, {
        command: "compare_models",
        pairs: [[`${dir}/ant.xml`, "ant.xml"], [`${dir}/walker.xml`, "walker2d_v5.xml"], [
          ours("walker2d.xml"),
          "walker2d_v5.xml",
        ]],
      });
      const [gear, name, friction] = (answer.results as Comparison[]).map((r) =>
        r.differences.map((d) => d.field)
      );
      assert(gear.includes("actuator_gear"), gear.join());
      assert(name.includes("names"), name.join());
      assertEquals(friction, ["geom_friction"]); // v4's right foot: 0.9, v5's: 1.9
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
