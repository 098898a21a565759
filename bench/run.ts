/**
 * Runs the quick benchmark scripts one after another (never in parallel: the machines have two
 * cores). Long ones (`bench/ppo_learning.ts`) are run by hand.
 *
 * @module
 */
const scripts = ["envs.ts", "ppo.ts", "sac.ts", "eigen.ts", "np_random.ts"];
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
    Deno.exitCode = 1;
  }
}
