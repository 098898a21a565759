/**
 * File handling shared by every layer above: atomic writes and named-error JSON readers
 * (files.ts), checksums and sealed JSON (checksum.ts), typed-array state files (state_io.ts) and
 * numpy `.npy` arrays (npy.ts). Imports nothing else from lib/.
 *
 * @example
 * ```ts
 * import { loadState, saveState } from "./mod.ts";
 * await saveState("/tmp/pgsubspace-io-example", { theta: new Float32Array([1, 2]) });
 * const state = await loadState("/tmp/pgsubspace-io-example");
 * ```
 *
 * @module
 */
export * from "./files.ts";
export * from "./checksum.ts";
export * from "./state_io.ts";
export * from "./npy.ts";
