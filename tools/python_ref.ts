/**
 * Locating the optional Python reference stack (Gymnasium, NumPy) used by conformance checks and
 * benchmarks. Python is never a dependency of pgsubspace: callers skip their check when no
 * interpreter with the module is found.
 *
 * @module
 */

/**
 * Environment variable naming the Python interpreter to use.
 *
 * @example
 * ```ts
 * import { PYTHON_ENV_VAR } from "./python_ref.ts";
 * console.log(`set ${PYTHON_ENV_VAR}=/path/to/python to choose the interpreter`);
 * ```
 */
export const PYTHON_ENV_VAR = "PGSUBSPACE_PYTHON";

/**
 * The candidate interpreters in order: `$PGSUBSPACE_PYTHON` (when set), `<repo>/.venv/bin/python`,
 * `python3`.
 *
 * @example
 * ```ts
 * import { pythonCandidates } from "./python_ref.ts";
 * pythonCandidates(); // e.g. ["/work/main/.venv/bin/python", "python3"]
 * ```
 */
export function pythonCandidates(): string[] {
  const candidates: string[] = [];
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get(PYTHON_ENV_VAR);
  } catch {
    fromEnv = undefined; // no --allow-env: skip the variable
  }
  if (fromEnv) candidates.push(fromEnv);
  candidates.push(new URL("../.venv/bin/python", import.meta.url).pathname, "python3");
  return candidates;
}

/**
 * The first interpreter among {@linkcode pythonCandidates} that can `import module`, or null when
 * none can (or subprocesses are not permitted).
 *
 * @example
 * ```ts
 * import { findPython } from "./python_ref.ts";
 * const python = await findPython("gymnasium");
 * if (python === null) console.log("no Python with gymnasium; skipping");
 * ```
 */
export async function findPython(module: string): Promise<string | null> {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(module)) {
    throw new TypeError(`findPython: ${JSON.stringify(module)} is not a Python module name`);
  }
  for (const python of pythonCandidates()) {
    try {
      const { success } = await new Deno.Command(python, {
        args: ["-c", `import ${module}`],
        stdout: "null",
        stderr: "null",
      }).output();
      if (success) return python;
    } catch {
      // not installed, not executable, or no --allow-run: try the next candidate
    }
  }
  return null;
}

/**
 * Runs a reference script that reads one JSON request on stdin (serialised with `replacer` when
 * given) and writes one JSON answer on stdout; the strings "Infinity", "-Infinity" and "NaN" in
 * the answer become those numbers (JSON has no literals for them). A failing script is an error
 * carrying its stderr.
 *
 * @example
 * ```ts
 * import { findPython, runPythonJson } from "./python_ref.ts";
 * const python = await findPython("gymnasium");
 * const script = new URL("./mujoco_reference.py", import.meta.url).pathname;
 * if (python) console.log(await runPythonJson(python, script, { command: "versions" }));
 * ```
 */
export async function runPythonJson(
  python: string,
  script: string,
  request: unknown,
  replacer?: (key: string, value: unknown) => unknown,
): Promise<Record<string, unknown>> {
  const child = new Deno.Command(python, {
    args: [script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(request, replacer)));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  if (!success) throw new Error(`${script} failed:\n${new TextDecoder().decode(stderr)}`);
  return JSON.parse(
    new TextDecoder().decode(stdout),
    (_, v) => v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "NaN" ? NaN : v,
  );
}
