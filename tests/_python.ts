// Test helper: the Python interpreter with numpy (the reference venv), or null; tests that need
// it are skipped through `ignore:` when it is missing.
import { findPython } from "../tools/python_ref.ts";

/** The interpreter that imports numpy, or null. */
export const NUMPY_PYTHON: string | null = await findPython("numpy");
