/**
 * Runs the quick benchmark scripts one after another (never in parallel: the machines have two
 * cores). Long ones (`bench/ppo_learning.ts`) are run by hand.
 *
 * @module
 */
import { runCli } from "../lib/cli.ts";

const scripts = ["envs.ts", "box2d.ts", "ppo.ts", "sac.ts", "eigen.ts", "np_random.ts"];

await runCli(
  {
    command: "deno task bench",
    summary:
      `Runs the quick benchmarks one after another (bench/${scripts.join(", bench/")}) and ` +
      "prints their tables; run it under `flock /tmp/pgsubspace-heavy.lock`.",
    options: [],
  },
  Deno.args,
  async () => {
    let code = 0;
    for (const name of scripts) {
      console.log(`\n## bench/${name}\n`);
      const path = new URL(`./${name}`, import.meta.url).pathname;
      const { success } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", path],
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (!success) {
        console.error(`bench/${name} failed`);
        code = 1;
      }
    }
    return code;
  },
);
