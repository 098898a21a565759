/**
 * The Python oracles of the tests, in one place: reference implementations in PyTorch (SB3's PPO
 * and SAC losses, torch's Adam), numpy (LAPACK's QR) and Gymnasium, as scripts in `tools/` that
 * read JSON on stdin and write JSON to stdout (`tools/hvp_torch.py` is the benchmark's). Tests that need them are skipped with `ignore: torchPython === null`
 * (reported as ignored, never as passed).
 *
 * @module
 */
import { findPython, runPythonJson } from "../tools/python_ref.ts";

/** An interpreter that can import torch (`<repo>/.venv/bin/python` first), or null. */
export const torchPython: string | null = await findPython("torch");

/**
 * Runs `tools/<name>.py` with `python` on one JSON input and returns its parsed JSON output.
 *
 * @example
 * ```ts
 * import { runOracle, torchPython } from "./python_oracles.ts";
 * if (torchPython) await runOracle(torchPython, "torch_adam", { params: [1], grads: [[0.5]], lrs: [0.1], eps: 1e-8 });
 * ```
 */
export async function runOracle(python: string, name: string, input: unknown): Promise<unknown> {
  return await runPythonJson(
    python,
    new URL(`../tools/${name}.py`, import.meta.url).pathname,
    input,
  );
}

/** The reason given when a torch oracle is missing. */
export const NO_TORCH = "skipped: no Python with torch (see tools/setup_python_ref.sh)";
