/** Test helper: the recorded numpy seeding oracle (`../shared/oracles/numpy/seeding.json`). */

/** Path of the oracle file beside the checkout. */
export const ORACLE_PATH = new URL("../../../shared/oracles/numpy/seeding.json", import.meta.url)
  .pathname;

// deno-lint-ignore no-explicit-any
function load(): any | null {
  try {
    return JSON.parse(Deno.readTextFileSync(ORACLE_PATH));
  } catch {
    console.log(
      `np_random tests: SKIPPED the oracle comparisons: ${ORACLE_PATH} is missing ` +
        "(the shared oracles live beside the checkout, see the README)",
    );
    return null;
  }
}

/** The parsed oracle, or null when the file is absent (those tests are then ignored). */
// deno-lint-ignore no-explicit-any
export const oracle: any | null = load();

/** Bit-identical comparison of two number lists (distinguishes -0 and 0; NaN equals NaN). */
export function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
