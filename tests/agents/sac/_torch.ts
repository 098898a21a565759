/**
 * Access to tools/sb3_sac_loss.py (SB3's SAC in PyTorch) for the SAC tests; skipped by callers
 * when `<repo>/.venv/bin/python` cannot import torch.
 *
 * @module
 */
import { assert } from "@std/assert";

const PYTHON = new URL("../../../.venv/bin/python", import.meta.url).pathname;
const SCRIPT = new URL("../../../tools/sb3_sac_loss.py", import.meta.url).pathname;

/** Whether the repository's venv has torch (prints the skip reason when not). */
export async function torchAvailable(): Promise<boolean> {
  try {
    const out = await new Deno.Command(PYTHON, { args: ["-c", "import torch"], stderr: "null" })
      .output();
    if (out.success) return true;
  } catch {
    // no interpreter or no --allow-run
  }
  console.log(`skipped: ${PYTHON} cannot import torch`);
  return false;
}

/** Runs tools/sb3_sac_loss.py on one JSON input and returns its JSON output. */
export async function runTorchSac(input: unknown): Promise<Record<string, unknown>> {
  const child = new Deno.Command(PYTHON, {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  assert(success, `tools/sb3_sac_loss.py failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
