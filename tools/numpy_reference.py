"""Draw reference streams from numpy for tests/np_random (reference side, never a dependency).

Reads a JSON request on stdin:

    {"out": "/tmp/x.bin",
     "cases": [{"kind": "generator" | "gym" | "randomstate" | "pcg64" | "seedsequence",
                "seed": 0 | "123456789012345678901234567890" | [1, 2],
                "calls": [{"method": "uniform", "args": [-1, 1], "kwargs": {"size": 5}}, ...]}]}

Integer seeds may be given as decimal strings (for values beyond 2^53); NaN, infinities and -0.0
as {"__float__": "NaN" | "Infinity" | "-Infinity" | "-0.0"}. For every call it writes
the returned values to `out` as little-endian float64 (uint64 arrays, such as `random_raw` and
`generate_state(n, uint64)` return, as two float64 per value: low 32 bits, then high 32 bits),
or the exception it
raised. Writes JSON to stdout:

    {"numpy": "2.x", "results": [[{"count": n} | {"error": "ValueError: ..."}, ...], ...],
     "states": [state after the last call, JSON-safe, ...]}
"""

import json
import sys

import numpy as np


def seed_value(seed):
    if isinstance(seed, str):
        return int(seed)
    if isinstance(seed, list):
        return [seed_value(s) for s in seed]
    return seed


def make(case):
    kind, seed = case["kind"], seed_value(case.get("seed"))
    if kind == "generator":
        return np.random.default_rng(seed)
    if kind == "gym":
        from gymnasium.utils import seeding

        return seeding.np_random(seed)[0]
    if kind == "randomstate":
        return np.random.RandomState(seed)
    if kind == "pcg64":
        return np.random.PCG64(seed)
    if kind == "seedsequence":
        return np.random.SeedSequence(seed)
    raise ValueError(f"unknown kind {kind}")


def as_words(values):
    """uint64 values as (low, high) 32-bit pairs, flattened."""
    words = np.asarray(values, dtype=np.uint64).reshape(-1).astype("<u8").view("<u4")
    return words.astype(np.float64)


def state_of(obj):
    if isinstance(obj, np.random.Generator):
        obj = obj.bit_generator
    if isinstance(obj, np.random.RandomState):
        _, key, pos, has_gauss, gauss = obj.get_state()
        return {"key": [int(k) for k in key], "pos": int(pos), "hasGauss": bool(has_gauss),
                "gauss": float(gauss)}
    if isinstance(obj, np.random.PCG64):
        s = obj.state
        return {"state": str(s["state"]["state"]), "inc": str(s["state"]["inc"]),
                "hasUint32": bool(s["has_uint32"]), "uinteger": int(s["uinteger"])}
    if isinstance(obj, np.random.SeedSequence):
        return {"pool": [int(x) for x in obj.pool]}
    return None


def main():
    request = json.load(sys.stdin, object_hook=lambda d: float(d["__float__"]) if "__float__" in d else d)
    chunks, results, states = [], [], []
    for case in request["cases"]:
        try:
            obj = make(case)
        except Exception as e:  # noqa: BLE001 - the error is the reference
            results.append([{"error": f"{type(e).__name__}: {e}"}])
            states.append(None)
            continue
        rows = []
        for call in case.get("calls", []):
            try:
                value = getattr(obj, call["method"])(*call.get("args", []), **call.get("kwargs", {}))
            except Exception as e:  # noqa: BLE001
                rows.append({"error": f"{type(e).__name__}: {e}"})
                continue
            if np.asarray(value).dtype == np.uint64:
                flat = as_words(value)
            else:
                flat = np.asarray(value, dtype=np.float64).reshape(-1)
            chunks.append(flat.astype("<f8").tobytes())
            rows.append({"count": int(flat.size)})
        results.append(rows)
        states.append(state_of(obj))
    with open(request["out"], "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    json.dump({"numpy": np.__version__, "results": results, "states": states}, sys.stdout)


if __name__ == "__main__":
    main()
