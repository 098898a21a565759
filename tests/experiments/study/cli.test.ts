// `deno task study` on bad input: one or two lines that name the problem and the valid values, no
// stack trace, nothing written; a missing sbatch says how to emit the scripts instead.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";

const SCRIPT = new URL("../../../tools/study.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

async function study(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG, "-A", SCRIPT, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

Deno.test("study CLI: unknown preset, scale, task, algorithm, engine or command", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string[], string][] = [
    [["plan", "--preset", "nope"], "valid presets are quick, pendulum, paper-pendulum, main-text"],
    [["plan", "--preset", "quick", "--scale", "huge"], "valid scales are preset, toy, paper"],
    [["plan", "--preset", "quick", "--task", "Pendulum-v9"], "valid tasks are Pendulum-v1,"],
    [["plan", "--preset", "quick", "--algo", "td3"], "valid algorithms are ppo, sac"],
    [["run", "--preset", "quick", "--engine", "k8s"], "--engine must be one of local, slurm"],
    [["launch"], "valid commands are plan, run, job, slurm"],
  ];
  for (const [args, expected] of cases) {
    const r = await study([...args, "--dir", `${dir}/s`]);
    assert(r.code !== 0, args.join(" "));
    assertStringIncludes(r.stderr, expected);
    assert(r.stderr.startsWith("error: "), r.stderr);
    assert(r.stderr.split("\n").length <= 3, r.stderr);
    assert(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
  }
  assertEquals([...Deno.readDirSync(dir)], [], "nothing written");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("study CLI: --submit without sbatch says how to emit the scripts instead", async () => {
  const dir = await Deno.makeTempDir();
  const r = await study(
    ["slurm", "--preset", "quick", "--dir", `${dir}/s`, "--emit", `${dir}/e`, "--submit"],
    { PATH: "/nonexistent" },
  );
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "sbatch not found");
  assertStringIncludes(r.stderr, "--emit DIR`, without --submit");
  assert(r.stderr.split("\n").length === 2, r.stderr);
  assertEquals([...Deno.readDirSync(dir)], [], "nothing written");
  await Deno.remove(dir, { recursive: true });
});
