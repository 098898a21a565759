"""Reference side of pgsubspace's MuJoCo checks: Python mujoco 3.14 and Gymnasium 1.3.

Called by tools/mujoco_conformance.ts and bench/mujoco.ts (never by the toolkit itself). Reads one
JSON request from stdin and writes one JSON answer to stdout. Floats are written with repr, so
float64 values round-trip exactly. Commands (the "command" field):

  versions          {} -> {"gymnasium", "mujoco", "numpy"}
  compare_models    {"pairs": [[our_xml_path, gymnasium_asset_name], ...]}
                    -> {"results": [{"arrays", "scalars", "differences": [...]}, ...]}
                    Compiles both files and compares every numeric mjModel array, every integer
                    size and every field of opt, stat and vis.
  spaces            {"ids": [...]} -> {"results": [{"obs_shape", "obs_low", "obs_high",
                    "obs_dtype", "act_shape", "act_low", "act_high", "act_dtype",
                    "max_episode_steps", "reward_threshold"}, ...]}
  reset             {"id", "kwargs", "seeds"} -> {"results": [{"obs", "info"}, ...]}
  one_step          {"id", "kwargs", "cases": [{"qpos", "qvel", "action"}]}
                    -> {"results": [{"obs", "reward", "terminated", "truncated", "info"}]}
                    Each case: reset(seed=0), set_state(qpos, qvel), step(float64 action).
  rollout           {"id", "kwargs", "seed", "actions"} -> {"reset_obs", "steps": [...]}
                    reset(seed), then steps with float64 actions (resetting when an episode ends).
  bench             {"ids", "steps", "vector_envs", "vector_steps"}
                    -> {"results": [{"id", "single_sps", "vector_sps"}]}: gym.make(id) and
                    gymnasium's SyncVectorEnv of that many gym.make(id), random actions.
  random_returns    {"ids", "seeds", "episodes"} -> {"results": [{"id", "returns"}]}: uniform
                    random actions from a generator seeded per episode, as bench/mujoco.ts draws.
"""

import json
import os
import sys
import time
import warnings

import gymnasium as gym
import mujoco
import numpy as np

ASSETS = os.path.join(os.path.dirname(gym.__file__), "envs", "mujoco", "assets")


def jsonable(x):
    """numpy scalars and arrays to plain Python (floats keep every bit through repr)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return float(x)
    return x


def struct_fields(obj, prefix):
    """Every numeric field of an mjOption / mjStatistic / mjVisual (nested) as {name: array}."""
    out = {}
    for name in dir(obj):
        if name.startswith("_") or name[0].isupper():
            continue
        value = getattr(obj, name)
        if callable(value):
            continue
        if isinstance(value, (int, float, np.ndarray)):
            out[f"{prefix}.{name}"] = np.asarray(value)
        else:
            out.update(struct_fields(value, f"{prefix}.{name}"))
    return out


def model_fields(m):
    arrays, scalars = {}, {}
    for name in dir(m):
        if name.startswith("_"):
            continue
        value = getattr(m, name)
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            scalars[name] = value
    for part in ("opt", "stat", "vis"):
        arrays.update(struct_fields(getattr(m, part), part))
    return arrays, scalars


def compare_models(request):
    results = []
    for ours_path, asset in request["pairs"]:
        ours = mujoco.MjModel.from_xml_path(ours_path)
        theirs = mujoco.MjModel.from_xml_path(os.path.join(ASSETS, asset))
        a_arrays, a_scalars = model_fields(ours)
        b_arrays, b_scalars = model_fields(theirs)
        differences = []
        for name in sorted(set(a_arrays) | set(b_arrays)):
            a, b = a_arrays.get(name), b_arrays.get(name)
            if a is None or b is None:
                differences.append({"field": name, "problem": "missing"})
            elif a.shape != b.shape:
                differences.append(
                    {"field": name, "problem": f"shape {a.shape} vs {b.shape}"}
                )
            elif not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                if a.dtype.kind in "fiu":
                    diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
                    differences.append({"field": name, "problem": f"max |diff| {diff!r}"})
                else:
                    differences.append({"field": name, "problem": "values differ"})
        for name in sorted(set(a_scalars) | set(b_scalars)):
            if a_scalars.get(name) != b_scalars.get(name):
                differences.append(
                    {
                        "field": name,
                        "problem": f"{a_scalars.get(name)!r} vs {b_scalars.get(name)!r}",
                    }
                )
        for name in ("names", "paths", "text_data"):
            if getattr(ours, name) != getattr(theirs, name):
                differences.append({"field": name, "problem": "text differs"})
        results.append(
            {
                "ours": ours_path,
                "gymnasium": asset,
                "arrays": len(a_arrays),
                "scalars": len(a_scalars),
                "differences": differences,
            }
        )
    return {"results": results}


COMMANDS = {"compare_models": compare_models}


def main():
    warnings.simplefilter("ignore")
    request = json.load(sys.stdin)
    command = request.get("command")
    if command == "versions":
        answer = {}
    elif command in COMMANDS:
        answer = COMMANDS[command](request)
    else:
        raise SystemExit(f"unknown command {command!r}; known: versions, {', '.join(COMMANDS)}")
    answer.update(
        {"gymnasium": gym.__version__, "mujoco": mujoco.__version__, "numpy": np.__version__}
    )
    json.dump(jsonable(answer), sys.stdout)


if __name__ == "__main__":
    main()
