"""Write lib/np_random/glibc_log_table.ts: the constants of glibc's `log` (glibc >= 2.28).

numpy's legacy Gaussian (RandomState.randn, used by dm_control) computes sqrt(-2 log(r2) / r2)
with the C library's `log`. glibc's `log` is a table-driven algorithm (Szabolcs Nagy's, 2018):
x = 2^k z, log x = k ln2 + log c + log1p(z/c - 1) with 128 table points c, plus a separate
polynomial near 1. It is accurate to about 0.52 ulp but not correctly rounded, so matching
numpy bit for bit needs glibc's own constants: its ln2 split, the two polynomials and the
128 (1/c, log c) pairs, none of which can be recomputed exactly (they were chosen by a search).

This script reads them from the installed glibc (`libm.so.6`), finding its `__log_data` block by
its first two doubles (ln2 split at bit 42) and checking every field before writing anything.

Usage: python3 tools/glibc_log_table.py [OUT.ts]
"""

import ctypes.util
import math
import os
import struct
import sys

from ts_data import number_rows, write_atomically

LN2_HI = float.fromhex("0x1.62e42fefa3800p-1")
LN2_LO = float.fromhex("0x1.ef35793c76730p-45")
TABLE_BITS = 7
N = 1 << TABLE_BITS
POLY = 5  # A[0..4]: log1p(r) - r on |r| < 1/256
POLY1 = 11  # B[0..10]: log(1 + r) - r near 1


def libm_path():
    for line in open("/proc/self/maps"):
        if "libm.so" in line:
            return line.split()[-1]
    ctypes.CDLL(ctypes.util.find_library("m"))
    for line in open("/proc/self/maps"):
        if "libm.so" in line:
            return line.split()[-1]
    raise SystemExit("libm.so not found")


def find(blob):
    needle = struct.pack("<2d", LN2_HI, LN2_LO)
    at = blob.find(needle)
    while at >= 0:
        values = struct.unpack_from(f"<{2 + POLY + POLY1 + 2 * N}d", blob, at)
        poly, poly1 = values[2:2 + POLY], values[2 + POLY:2 + POLY + POLY1]
        tab = values[2 + POLY + POLY1:]
        # __log_data: poly[0] = -0.5 (rounded up an ulp), poly1[0] = -0.5, 1/c from 1.45 down
        if abs(poly[0] + 0.5) < 1e-15 and poly1[0] == -0.5 and 1.44 < tab[0] < 1.46:
            return at, poly, poly1, tab
        at = blob.find(needle, at + 1)
    raise SystemExit("glibc's __log_data not found (glibc older than 2.28?)")


def check(poly, poly1, tab):
    # A and B approximate log1p(r) - r: coefficients close to (-1)^(n+1)/n for r^n, n = 2, 3, ...
    for n, a in enumerate(poly, start=2):
        assert abs(a - (-1) ** (n + 1) / n) < 1e-4, (n, a)
    for n, b in enumerate(poly1, start=2):
        assert abs(b - (-1) ** (n + 1) / n) < 2e-2, (n, b)
    for i in range(N):
        invc, logc = tab[2 * i], tab[2 * i + 1]
        assert abs(logc - math.log(1 / invc)) < 1e-15, i
        assert 0.6875 <= 1 / invc <= 1.375, i  # z = x / 2^k lies in [0x1.6p-1, 0x1.6p0)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "lib", "np_random", "glibc_log_table.ts")
    path = libm_path()
    with open(path, "rb") as f:
        blob = f.read()
    at, poly, poly1, tab = find(blob)
    check(poly, poly1, tab)
    text = f'''/**
 * The constants of glibc's `log` (glibc ≥ 2.28), read from {os.path.basename(path)} by
 * `tools/glibc_log_table.py`; do not edit by hand. See `libm.ts` for the algorithm.
 *
 * @module
 */

/**
 * ln 2 split as hi + lo with hi's low 42 bits zero, so k · hi is exact.
 *
 * @example
 * ```ts
 * import {{ LOG_LN2_HI, LOG_LN2_LO }} from "./glibc_log_table.ts";
 * LOG_LN2_HI + LOG_LN2_LO; // 0.6931471805599453
 * ```
 */
export const LOG_LN2_HI = {LN2_HI!r};
/**
 * The low part of ln 2 (see {{@linkcode LOG_LN2_HI}}).
 *
 * @example
 * ```ts
 * import {{ LOG_LN2_LO }} from "./glibc_log_table.ts";
 * LOG_LN2_LO < 1e-13; // true
 * ```
 */
export const LOG_LN2_LO = {LN2_LO!r};

/**
 * A[0..4]: log1p(r) − r ≈ A0 r² + A1 r³ + … + A4 r⁶ for |r| < 1/256.
 *
 * @example
 * ```ts
 * import {{ LOG_POLY }} from "./glibc_log_table.ts";
 * LOG_POLY[0]; // about -0.5
 * ```
 */
export const LOG_POLY: Float64Array = new Float64Array([
{number_rows(poly)}
]);

/**
 * B[0..10]: log(1 + r) − r ≈ B0 r² + … + B10 r¹² for 1 + r in [1 − 2^-4, 1 + 0x1.09p-4).
 *
 * @example
 * ```ts
 * import {{ LOG_POLY1 }} from "./glibc_log_table.ts";
 * LOG_POLY1[0]; // -0.5
 * ```
 */
export const LOG_POLY1: Float64Array = new Float64Array([
{number_rows(poly1)}
]);

/**
 * 128 pairs (1/c, log c), interleaved: entry i serves z in subinterval i of [0x1.6p-1, 0x1.6p0).
 *
 * @example
 * ```ts
 * import {{ LOG_TABLE }} from "./glibc_log_table.ts";
 * const [invc, logc] = [LOG_TABLE[0], LOG_TABLE[1]]; // logc ≈ -Math.log(invc)
 * ```
 */
export const LOG_TABLE: Float64Array = new Float64Array([
{number_rows(tab)}
]);
'''
    write_atomically(out, text)
    print(f"wrote {out} from {path}")


if __name__ == "__main__":
    main()
