"""numpy reference of tests/linalg/qr.test.ts: numpy.linalg.qr (LAPACK) of one matrix.

Reads {"a": [row-major entries], "m": rows, "n": cols} as JSON on stdin and writes
{"q": [...], "r": [...]} (row-major, numpy's reduced QR) as JSON on stdout.
"""
import json
import sys

import numpy as np

d = json.load(sys.stdin)
q, r = np.linalg.qr(np.array(d["a"]).reshape(d["m"], d["n"]))
print(json.dumps({"q": q.ravel().tolist(), "r": r.ravel().tolist()}))
