"""Roll Gymnasium environments from given physical states with given actions.

Reference side of tools/gym_conformance.ts. Reads JSON from stdin:

    {"cases": [{"env": "Pendulum-v1", "kwargs": {}, "state": [theta, theta_dot],
                "dtype": "float32", "actions": [[a0], [a1], ...]}, ...]}

For each case it calls gym.make(env, **kwargs), reset(seed=0), sets env.unwrapped.state to
np.array(state) (float64, as reset leaves it), then steps with np.array(action, dtype) and records
every step. Writes JSON to stdout:

    {"gymnasium": "1.3.0", "numpy": "2.x", "results": [{"obs": [[...], ...], "rewards": [...],
     "terminated": [...], "truncated": [...]}, ...]}

Floats are written with repr, so float32 observations and float64 rewards round-trip exactly.

Seeded resets: the request may also hold "resets": [{"env", "kwargs", "seed", "options",
"unseeded"}, ...]. For each, it calls reset(seed=seed, options=options) and then `unseeded` more
reset(options=options), and records every observation, env.unwrapped.state (float64) and, at the
end, the state of env.unwrapped.np_random. Output key "resets": [{"obs": [[...]], "state":
[[...]], "rng": {"state", "inc", "hasUint32", "uinteger"}}, ...].
"""

import json
import sys
import warnings

import gymnasium as gym
import numpy as np


def roll(case):
    env = gym.make(case["env"], **case.get("kwargs", {}))
    env.reset(seed=0)
    env.unwrapped.state = np.array(case["state"], dtype=np.float64)
    dtype = np.float32 if case.get("dtype", "float32") == "float32" else np.float64
    out = {"obs": [], "rewards": [], "terminated": [], "truncated": []}
    for action in case["actions"]:
        obs, reward, terminated, truncated, _ = env.step(np.array(action, dtype=dtype))
        out["obs"].append([float(x) for x in np.asarray(obs).ravel()])
        out["rewards"].append(float(reward))
        out["terminated"].append(bool(terminated))
        out["truncated"].append(bool(truncated))
    env.close()
    return out


def resets(case):
    env = gym.make(case["env"], **case.get("kwargs", {}))
    options = case.get("options")
    out = {"obs": [], "state": []}
    for k in range(1 + case.get("unseeded", 0)):
        if k == 0:
            obs, _ = env.reset(seed=case["seed"], options=options)
        else:
            obs, _ = env.reset(options=options)
        out["obs"].append([float(x) for x in np.asarray(obs).ravel()])
        out["state"].append([float(x) for x in np.asarray(env.unwrapped.state).ravel()])
    bg = env.unwrapped.np_random.bit_generator.state
    out["rng"] = {"state": str(bg["state"]["state"]), "inc": str(bg["state"]["inc"]),
                  "hasUint32": bool(bg["has_uint32"]), "uinteger": int(bg["uinteger"])}
    env.close()
    return out


def main():
    warnings.simplefilter("ignore")  # the passive env checker warns about out-of-range actions
    request = json.load(sys.stdin)
    results = [roll(case) for case in request["cases"]]
    reset_results = [resets(case) for case in request.get("resets", [])]
    json.dump(
        {"gymnasium": gym.__version__, "numpy": np.__version__, "results": results,
         "resets": reset_results},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
