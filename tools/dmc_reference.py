"""Reference side of pgsubspace's DeepMind Control checks: Python mujoco 3.14 (native) on our MJCF.

dm_control itself cannot be installed here. This script replays the recorded dm_control 1.0.44
episodes (../shared/oracles/dmc/) with the native MuJoCo build on our models in data/dmc/, using
dm_control's reset and legacy step sequence, to show that the models and the call sequence are
exactly dm_control's: what remains between our WebAssembly environments and the recording is then
the WebAssembly build's arithmetic. Called by tests/envs/dmc/native_replay.test.ts (never by the
toolkit). Reads one JSON request from stdin, writes one JSON answer to stdout.

Run by hand with two arguments, it compares our models with dm_control's own files instead:

  python tools/dmc_reference.py compare DM_CONTROL_SUITE_DIR
      compiles data/dmc/{finger,ball_in_cup}.xml and DM_CONTROL_SUITE_DIR/{same}.xml (a checkout's
      dm_control/suite, with its common/ folder) and prints every mjModel array, size and opt /
      stat field that differs; only rendering fields should (cameras, lights, materials,
      textures, names).

  replay  {"cases": [{"xml": path, "oracle": path}, ...]}
          -> {"results": [[{"seed", "qpos", "qvel", "qacc_warmstart", "time"}, ...], ...]}:
          per recorded episode the largest absolute difference over its steps. Reset:
          mj_resetData, mj_forward without actuation, the recorded model field changes and the
          recorded initial qpos, mj_forward without actuation; each step: ctrl = action, mj_step2,
          mj_step (n_sub_steps - 1) times, mj_step1.
"""

import json
import os
import sys

import mujoco
import numpy as np


def forward_without_actuation(model, data):
    flags = model.opt.disableflags
    model.opt.disableflags = flags | mujoco.mjtDisableBit.mjDSBL_ACTUATION
    mujoco.mj_forward(model, data)
    model.opt.disableflags = flags


def replay(xml, oracle_path):
    with open(oracle_path) as f:
        oracle = json.load(f)
    rows = []
    for episode in oracle["episodes"]:
        model = mujoco.MjModel.from_xml_path(xml)
        data = mujoco.MjData(model)
        mujoco.mj_resetData(model, data)
        forward_without_actuation(model, data)
        for field, change in episode["model_fields_changed_by_reset"].items():
            getattr(model, field)[...] = np.array(change["after"])
        data.qpos[:] = episode["reset"]["qpos"]
        forward_without_actuation(model, data)
        worst = {"seed": episode["seed"], "qpos": 0.0, "qvel": 0.0, "qacc_warmstart": 0.0, "time": 0.0}
        for step in episode["steps"]:
            data.ctrl[:] = step["action"]
            mujoco.mj_step2(model, data)
            for _ in range(oracle["n_sub_steps"] - 1):
                mujoco.mj_step(model, data)
            mujoco.mj_step1(model, data)
            for key in ("qpos", "qvel", "qacc_warmstart"):
                diff = float(np.max(np.abs(getattr(data, key) - np.array(step[key]))))
                worst[key] = max(worst[key], diff)
            worst["time"] = max(worst["time"], abs(data.time - step["time"]))
        rows.append(worst)
    return rows


def numeric_fields(model):
    """Every numeric array and size of an mjModel, and the numbers of opt and stat."""
    fields = {}
    for owner, prefix in ((model, ""), (model.opt, "opt."), (model.stat, "stat.")):
        for name in dir(owner):
            if name.startswith("_"):
                continue
            try:
                value = getattr(owner, name)
            except Exception:  # noqa: BLE001 (some attributes are not readable)
                continue
            if isinstance(value, np.ndarray) and value.dtype != object:
                fields[prefix + name] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                fields[prefix + name] = np.array(value)
    return fields


def compare(suite_dir):
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "dmc")
    for name in ("finger.xml", "ball_in_cup.xml"):
        ours = numeric_fields(mujoco.MjModel.from_xml_path(os.path.join(here, name)))
        theirs = numeric_fields(mujoco.MjModel.from_xml_path(os.path.join(suite_dir, name)))
        differ = []
        for key in sorted(set(ours) | set(theirs)):
            a, b = ours.get(key), theirs.get(key)
            if a is None or b is None or a.shape != b.shape or not np.array_equal(a, b):
                differ.append(key)
        print(f"{name}: {len(theirs)} fields compared; differ: {', '.join(differ) or 'none'}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "compare":
        compare(sys.argv[2])
        return
    request = json.load(sys.stdin)
    if request.get("command") != "replay":
        raise SystemExit(f"unknown command {request.get('command')!r}; expected 'replay'")
    results = [replay(case["xml"], case["oracle"]) for case in request["cases"]]
    json.dump({"results": results, "mujoco": mujoco.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
