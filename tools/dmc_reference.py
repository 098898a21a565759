"""Reference side of pgsubspace's DeepMind Control checks: Python mujoco 3.14 (native) on our MJCF.

dm_control itself cannot be installed here. This script replays the recorded dm_control 1.0.44
episodes (../shared/oracles/dmc/) with the native MuJoCo build on our models in data/dmc/, using
dm_control's reset and legacy step sequence, to show that the models and the call sequence are
exactly dm_control's: what remains between our WebAssembly environments and the recording is then
the WebAssembly build's arithmetic. Called by tests/envs/dmc/native_replay.test.ts (never by the
toolkit). Reads one JSON request from stdin, writes one JSON answer to stdout.

  replay  {"cases": [{"xml": path, "oracle": path}, ...]}
          -> {"results": [[{"seed", "qpos", "qvel", "qacc_warmstart", "time"}, ...], ...]}:
          per recorded episode the largest absolute difference over its steps. Reset:
          mj_resetData, mj_forward without actuation, the recorded model field changes and the
          recorded initial qpos, mj_forward without actuation; each step: ctrl = action, mj_step2,
          mj_step (n_sub_steps - 1) times, mj_step1.
"""

import json
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


def main():
    request = json.load(sys.stdin)
    if request.get("command") != "replay":
        raise SystemExit(f"unknown command {request.get('command')!r}; expected 'replay'")
    results = [replay(case["xml"], case["oracle"]) for case in request["cases"]]
    json.dump({"results": results, "mujoco": mujoco.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
