"""Reference side of pgsubspace's MuJoCo checks: Python mujoco 3.14 and Gymnasium 1.3.

Called by tools/mujoco_conformance.ts and bench/mujoco.ts (never by the toolkit itself). Reads one
JSON request from stdin and writes one JSON answer to stdout. Floats are written with repr, so
float64 values round-trip exactly; non-finite ones as the strings "Infinity", "-Infinity", "NaN". Commands (the "command" field):

  versions          {} -> {"gymnasium", "mujoco", "numpy"}
  compare_models    {"pairs": [[our_xml_path, gymnasium_asset_name], ...]}
                    -> {"results": [{"arrays", "scalars", "differences": [...]}, ...]}
                    Compiles both files and compares every numeric mjModel array, every integer
                    size and every field of opt, stat and vis.
  spaces            {"ids": [...]} -> {"results": [{"obs_shape", "obs_low", "obs_high",
                    "obs_dtype", "act_shape", "act_low", "act_high", "act_dtype",
                    "max_episode_steps", "reward_threshold"}, ...]}
  reset             {"id", "kwargs", "seeds"} -> {"results": [{"obs", "info"}, ...]}
  one_step          {"id", "kwargs", "dtype", "cases": [{"qpos", "qvel", "action"}]}
                    -> {"results": [{"obs", "reward", "terminated", "truncated", "info"}]}
                    Each case: reset(seed=0), set_state(qpos, qvel), step(action) with the action
                    an array of dtype ("float64" unless given).
  rollouts          {"id", "kwargs", "dtype", "runs": [{"seed", "actions"}], "self_divergence"}
                    -> {"results": [{"reset_obs", "reset_info", "steps": [...]}]}: per run
                    reset(seed), then the actions (resetting unseeded when an episode ends).
                    With "self_divergence": shift (a number), each result also has
                    "self_divergence": the max |Δobs| between that run and the same run on a
                    second env whose initial qpos entries are all moved by +shift, up to the first
                    episode end: how far native MuJoCo drifts from itself after a difference of
                    that size.
  bench             {"ids", "seconds", "vector_envs"}
                    -> {"results": [{"id", "single_sps", "vector_sps", "physics_sps"}]}: env steps
                    per second of gym.make(id) and of gymnasium's SyncVectorEnv of that many
                    gym.make(id), with action_space.sample() actions, each timed for `seconds`
                    after a warm-up; physics_sps: the bare physics of an env step (controls set,
                    mj_step with nstep=frame_skip, mj_rnePostConstraint; mj_resetData every 1000
                    steps) with no Python env code around it.
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
    """numpy scalars and arrays to plain Python (floats keep every bit through repr); non-finite
    floats become the strings "Infinity", "-Infinity" and "NaN" (JSON has no such numbers)."""
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
        x = float(x)
        return x if np.isfinite(x) else repr(x).replace("inf", "Infinity").replace("nan", "NaN")
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


def make(request):
    return gym.make(request["id"], **request.get("kwargs", {}))


def step_record(env, action, dtype="float64"):
    obs, reward, terminated, truncated, info = env.step(np.asarray(action, dtype=dtype))
    return {
        "obs": obs,
        "reward": reward,
        "terminated": terminated,
        "truncated": truncated,
        "info": info,
    }


def spaces(request):
    results = []
    for env_id in request["ids"]:
        env = gym.make(env_id)
        o, a = env.observation_space, env.action_space
        results.append(
            {
                "id": env_id,
                "obs_shape": list(o.shape),
                "obs_low": o.low.ravel(),
                "obs_high": o.high.ravel(),
                "obs_dtype": str(o.dtype),
                "act_shape": list(a.shape),
                "act_low": a.low.ravel(),
                "act_high": a.high.ravel(),
                "act_dtype": str(a.dtype),
                "max_episode_steps": env.spec.max_episode_steps,
                "reward_threshold": env.spec.reward_threshold,
            }
        )
        env.close()
    return {"results": results}


def reset(request):
    env = make(request)
    results = []
    for seed in request["seeds"]:
        obs, info = env.reset(seed=seed)
        results.append({"obs": obs, "info": info})
    return {"results": results}


def one_step(request):
    env = make(request)
    results = []
    for case in request["cases"]:
        env.reset(seed=0)
        env.unwrapped.set_state(
            np.asarray(case["qpos"], dtype=np.float64), np.asarray(case["qvel"], dtype=np.float64)
        )
        results.append(step_record(env, case["action"], request.get("dtype", "float64")))
    return {"results": results}


def rollouts(request):
    env = make(request)
    dtype = request.get("dtype", "float64")
    results = []
    for run in request["runs"]:
        obs, info = env.reset(seed=run["seed"])
        steps = []
        for action in run["actions"]:
            record = step_record(env, action, dtype)
            steps.append(record)
            if record["terminated"] or record["truncated"]:
                env.reset()
        result = {"reset_obs": obs, "reset_info": info, "steps": steps}
        if request.get("self_divergence") is not None:
            result["self_divergence"] = self_divergence(
                request, run, steps, request["self_divergence"]
            )
        results.append(result)
    return {"results": results}


def self_divergence(request, run, steps, shift):
    """Max |Δobs| between `steps` and the same actions from the same seeded reset with every
    initial qpos entry moved by +shift, up to the first episode end in either."""
    env = make(request)
    env.reset(seed=run["seed"])
    base = env.unwrapped
    base.set_state(base.data.qpos + shift, base.data.qvel.copy())
    largest = 0.0
    for action, reference in zip(run["actions"], steps):
        record = step_record(env, action, request.get("dtype", "float64"))
        largest = max(largest, float(np.max(np.abs(record["obs"] - np.asarray(reference["obs"])))))
        if record["terminated"] or record["truncated"] or reference["terminated"] or reference[
            "truncated"
        ]:
            break
    env.close()
    return largest


def rate(chunk, steps_per_chunk, seconds):
    """Runs chunk() for about `seconds` after a 0.3 s warm-up; returns steps per second."""
    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        chunk()
    steps, start = 0, time.perf_counter()
    now = start
    while now - start < seconds:
        chunk()
        steps += steps_per_chunk
        now = time.perf_counter()
    return steps / (now - start)


def bench(request):
    results = []
    seconds = request["seconds"]
    for env_id in request["ids"]:
        env = gym.make(env_id)
        env.reset(seed=0)
        env.action_space.seed(0)
        actions = [env.action_space.sample() for _ in range(1024)]
        k = [0]

        def single_chunk():
            for _ in range(100):
                _, _, terminated, truncated, _ = env.step(actions[k[0] & 1023])
                k[0] += 1
                if terminated or truncated:
                    env.reset()

        single = rate(single_chunk, 100, seconds)
        env.close()
        n = request["vector_envs"]
        venv = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(n)])
        venv.reset(seed=0)
        venv.action_space.seed(0)
        batches = [venv.action_space.sample() for _ in range(128)]

        def vector_chunk():
            for _ in range(20):
                venv.step(batches[k[0] & 127])
                k[0] += 1

        vector = rate(vector_chunk, 20 * n, seconds)
        venv.close()
        physics = physics_rate(env_id, actions, seconds)
        results.append(
            {"id": env_id, "single_sps": single, "vector_sps": vector, "physics_sps": physics}
        )
    return {"results": results}


def physics_rate(env_id, actions, seconds):
    """Env steps per second of the bare physics of gym.make(env_id)'s step (see `bench`)."""
    env = gym.make(env_id)
    env.reset(seed=0)
    model, data, skip = env.unwrapped.model, env.unwrapped.data, env.unwrapped.frame_skip
    k = [0]

    def chunk():
        for _ in range(100):
            if k[0] % 1000 == 0:
                mujoco.mj_resetData(model, data)
            data.ctrl[:] = actions[k[0] & 1023]
            mujoco.mj_step(model, data, nstep=skip)
            mujoco.mj_rnePostConstraint(model, data)
            k[0] += 1

    physics = rate(chunk, 100, seconds)
    env.close()
    return physics


def random_returns(request):
    results = []
    for env_id in request["ids"]:
        returns = []
        for seed in request["seeds"]:
            env = gym.make(env_id)
            low, high = env.action_space.low, env.action_space.high
            rng = np.random.default_rng(seed)
            env.reset(seed=seed)
            total, done = 0.0, False
            while not done:
                action = rng.uniform(low.astype(np.float64), high.astype(np.float64))
                _, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
                done = terminated or truncated
            returns.append(total)
            env.close()
        results.append({"id": env_id, "returns": returns})
    return {"results": results}


COMMANDS = {
    "compare_models": compare_models,
    "spaces": spaces,
    "reset": reset,
    "one_step": one_step,
    "rollouts": rollouts,
    "bench": bench,
    "random_returns": random_returns,
}


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
