// Command lines: the standard library's parseArgs behind one spec per command; --help on every
// tool prints its usage and exits 0; bad input is one or two lines naming the problem and the fix,
// never a stack trace, unless --debug; nothing is written by a rejected command.
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { type CliSpec, formatCliError, parseCli, UsageError, usageText } from "../lib/cli.ts";

const SPEC: CliSpec = {
  command: "deno task demo",
  summary: "A demo.",
  options: [
    { name: "run", type: "string", value: "DIR", description: "run", required: true },
    { name: "k", type: "string", value: "LIST", description: "ks", default: "1,2" },
    { name: "set", type: "list", value: "K=V", description: "overrides" },
    { name: "resume", type: "boolean", description: "resume" },
  ],
  positional: { name: "FILE", description: "a file", min: 0, max: 1 },
};

Deno.test("parseCli: values, flags, repeated options, positionals, typed accessors", () => {
  const a = parseCli(SPEC, [
    "--run",
    "r",
    "--k=1,5,10",
    "--set",
    "a=1",
    "--set",
    "b=[2]",
    "--resume",
    "x.txt",
  ]);
  assertEquals(a.required("run"), "r");
  assertEquals(a.intList("k", 1), [1, 5, 10]);
  assertEquals(a.list("set"), ["a=1", "b=[2]"]);
  assertEquals(a.flag("resume"), true);
  assertEquals(a.positional, ["x.txt"]);
  assertEquals(parseCli(SPEC, ["--help"]).help, true); // no "missing --run" with --help
  assertEquals(parseCli(SPEC, ["-h"]).help, true);
});

Deno.test("parseCli: bad command lines are UsageErrors naming the option", () => {
  const bad: [string[], string][] = [
    [["--run", "r", "--bogus", "1"], "unknown option --bogus"],
    [["--run"], "--run needs a value"],
    [["--run", "--resume"], "--run needs a value"],
    [["--k", "1"], "missing --run"],
    [["--run", "r", "a", "b"], "too many arguments (FILE)"],
    [["--run", "r", "--no-resume"], "unknown option --no-resume"],
  ];
  for (const [argv, message] of bad) assertThrows(() => parseCli(SPEC, argv), UsageError, message);
  const a = parseCli(SPEC, ["--run", "r", "--k", "1,x"]);
  assertThrows(() => a.intList("k"), UsageError, '--k expects integers ≥ 0, got "x"');
  assertThrows(
    () => parseCli(SPEC, ["--run", "r", "--k", "q"]).choice("k", ["a", "b"]),
    UsageError,
    "must be one of a, b",
  );
});

Deno.test("usage text and error format", () => {
  const usage = usageText(SPEC);
  assert(
    usage.startsWith("usage: deno task demo --run DIR [--k LIST] [--set K=V] [--resume] [FILE]"),
    usage,
  );
  assertStringIncludes(usage, "--k LIST");
  assertStringIncludes(usage, "(default 1,2)");
  assertStringIncludes(usage, "(repeatable)");
  assertStringIncludes(usage, "--debug");
  assertEquals(
    formatCliError(new UsageError("missing --run"), "deno task demo", false),
    "error: missing --run\nrun `deno task demo --help` for usage",
  );
  const e = new Error("Cannot resume x: seed was 3, now 4\nsecond line\nthird line");
  assertEquals(
    formatCliError(e, "c", false),
    "error: Cannot resume x: seed was 3, now 4\nsecond line …",
  );
  assertStringIncludes(formatCliError(e, "c", true), "at ");
});

const TASKS: [string, string[]][] = [
  ["tools/train.ts", ["--algo", "ppo", "--env", "Pendulum-v1", "--steps", "10"]],
  ["tools/analyze.ts", []],
  ["tools/reproduce.ts", []],
  ["tools/export.ts", []],
  ["tools/run_notebooks.ts", []],
  ["tools/notebooks_generate.ts", []],
  ["tools/demo.ts", []],
  ["tools/screenshot.ts", []],
  ["tools/jupyterlab_check.ts", []],
  ["tools/gym_conformance.ts", []],
];

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--allow-sys",
      ...args,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("every command: --help prints the usage and exits 0; an unknown option is a 2-line error", async () => {
  for (const [tool] of TASKS) {
    const help = await run([tool, "--help"]);
    assertEquals(help.code, 0, `${tool} --help: ${help.stderr}`);
    assert(help.stdout.startsWith("usage: "), `${tool}: ${help.stdout.slice(0, 200)}`);
    const bad = await run([tool, "--no-such-option"]);
    assertEquals(bad.code, 2, `${tool}: ${bad.stderr}`);
    const lines = bad.stderr.trim().split("\n");
    assertEquals(lines.length, 2, `${tool}: ${bad.stderr}`);
    assertEquals(lines[0], "error: unknown option --no-such-option");
    assert(lines[1].endsWith("--help` for usage"), lines[1]);
  }
});

Deno.test("a failing command prints its error without a stack trace; --debug adds it; nothing written", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/mine.txt`, "keep");
  const args = [
    "tools/train.ts",
    "--algo",
    "ppo",
    "--env",
    "Pendulum-v1",
    "--steps",
    "10",
    "--out",
    dir,
  ];
  const plain = await run(args);
  assertEquals(plain.code, 1);
  assertEquals(
    plain.stderr.trim(),
    `error: ${dir} is not empty and holds no run.json (found mine.txt): choose a new --out directory`,
  );
  const debug = await run([...args, "--debug"]);
  assertEquals(debug.code, 1);
  assertStringIncludes(debug.stderr, "    at ");
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["mine.txt"]);
  const missing = await run(["tools/analyze.ts", "--run", `${dir}/nope`]);
  assertEquals(
    missing.stderr.trim(),
    `error: ${dir}/nope is not a run directory (no run.json); pass --run runs/<name>`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("reproduce --tasks/--algos/--scale: an unknown value is a 2-line error listing the valid ones; nothing written", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/out`;
  const cases: [string[], string][] = [
    [["--tasks", "Foo-v1"], 'error: unknown task "Foo-v1": valid tasks are Pendulum-v1, '],
    [["--algos", "dqn"], 'error: unknown algorithm "dqn": valid algorithms are ppo, sac'],
    [["--scale", "huge"], 'error: unknown scale "huge": valid scales are '],
  ];
  for (const [extra, first] of cases) {
    const r = await run(["tools/reproduce.ts", "--preset", "quick", "--out", out, ...extra]);
    assertEquals(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert(lines.length <= 2 && lines[0].startsWith(first), r.stderr);
  }
  assertEquals([...Deno.readDirSync(dir)], []);
  // A valid selection plans the task's runs with each algorithm's preset for it.
  const plan = await run([
    "tools/reproduce.ts",
    "--preset",
    "quick",
    "--tasks",
    "dmc_Finger-spin-v1",
    "--algos",
    "ppo",
    "--out",
    out,
    "--plan",
  ]);
  assertEquals(plan.code, 0, plan.stderr);
  assertStringIncludes(plan.stdout, "PPO dmc_Finger-spin-v1 seed 0");
  assert(!plan.stdout.includes("SAC "), plan.stdout);
  await Deno.remove(dir, { recursive: true });
});
