#!/usr/bin/env python3
"""Headless notebook executor for the Deno Jupyter kernel (driven by tools/run_notebooks.ts).

Runs every code cell of each notebook in a fresh kernel (working directory: the notebook's
folder), stores the outputs in an executed copy, and reports progress as JSON lines on stdout.

Why not nbclient: the Deno kernel can publish outputs *after* its `status: idle` message (e.g. an
`execute_result`, or a display sent from a timer or an un-awaited promise). This runner routes
every IOPub message by `parent_header.msg_id` to the cell whose request produced it, and after
`idle` keeps draining IOPub until it has been quiet for a grace period, so late outputs land in
the right cell instead of being lost or attached to the next one.

Usage:
  notebook_runner.py --check [--kernel deno]
  notebook_runner.py --out DIR [--timeout S] [--grace S] [--kernel deno] [--env K=V ...] NB...

JSON events (one per line): {"event": "start" | "cell" | "error" | "done", ...}.
Exit status: 0 all notebooks ran, 1 a cell failed or timed out, 3 setup problem (message on
stderr: missing Python packages or kernel).
"""

import argparse
import json
import os
import queue
import sys
import time

INSTALL_HINT = (
    "install the Jupyter client stack: `sudo apt-get install jupyter-client python3-nbclient "
    "jupyter-nbconvert` (Debian/Ubuntu; it uses /usr/bin/python3)"
)

try:
    import jupyter_client
    import nbformat
    from nbformat.v4 import output_from_msg
except ImportError as e:  # reported by --check and by every run
    jupyter_client = None
    IMPORT_ERROR = str(e)
else:
    IMPORT_ERROR = None


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def fail_setup(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(3)


def check_setup(kernel_name):
    if IMPORT_ERROR is not None:
        fail_setup(f"Python cannot import the Jupyter client ({IMPORT_ERROR}); {INSTALL_HINT}")
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if kernel_name not in specs:
        fail_setup(
            f"the Jupyter kernel '{kernel_name}' is not installed (found: "
            f"{', '.join(sorted(specs)) or 'none'}); register Deno's with `deno jupyter --install`"
        )


class CellRun:
    """Outputs of one executing cell, in nbformat form."""

    def __init__(self, index, cell):
        self.index = index
        self.cell = cell
        self.outputs = []
        self.idle = False
        self.reply = None
        self.error = None
        self.clear_pending = False
        cell.outputs = self.outputs
        cell.execution_count = None


class NotebookRun:
    def __init__(self, kc, grace):
        self.kc = kc
        self.grace = grace
        self.by_msg_id = {}
        self.by_display_id = {}  # display_id -> list of output dicts to update in place
        self.current = None

    def handle(self, msg):
        parent = msg.get("parent_header", {}).get("msg_id")
        run = self.by_msg_id.get(parent, self.current)
        if run is None:
            return
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status":
            if content.get("execution_state") == "idle" and parent in self.by_msg_id:
                self.by_msg_id[parent].idle = True
            return
        if kind == "execute_input":
            run.cell.execution_count = content.get("execution_count")
            return
        if kind == "clear_output":
            if content.get("wait"):
                run.clear_pending = True
            else:
                run.outputs.clear()
            return
        if kind == "update_display_data":
            display_id = content.get("transient", {}).get("display_id")
            for out in self.by_display_id.get(display_id, []):
                out["data"] = content.get("data", {})
                out["metadata"] = content.get("metadata", {})
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return
        if run.clear_pending:
            run.outputs.clear()
            run.clear_pending = False
        if kind == "execute_result" and not content.get("data"):
            # The Deno kernel's result for values that render as nothing (e.g. what show()
            # returns): keep the count, drop the empty output.
            run.cell.execution_count = content.get("execution_count", run.cell.execution_count)
            return
        out = output_from_msg(msg)
        if kind == "stream" and run.outputs and run.outputs[-1].get("output_type") == "stream" \
                and run.outputs[-1].get("name") == out.get("name"):
            run.outputs[-1]["text"] += out["text"]
            return
        if kind == "execute_result":
            run.cell.execution_count = content.get("execution_count", run.cell.execution_count)
        if kind == "error":
            run.error = run.error or {
                "ename": content.get("ename", ""),
                "evalue": content.get("evalue", ""),
                "traceback": content.get("traceback", []),
            }
        display_id = content.get("transient", {}).get("display_id")
        if display_id:
            self.by_display_id.setdefault(display_id, []).append(out)
        run.outputs.append(out)

    def drain(self, quiet_seconds, until=None):
        """Reads IOPub until `until()` holds and no message arrived for `quiet_seconds`."""
        while True:
            done = until is None or until()
            try:
                msg = self.kc.get_iopub_msg(timeout=quiet_seconds if done else 0.2)
            except queue.Empty:
                if done:
                    return
                continue
            self.handle(msg)

    def poll_reply(self, run, msg_id):
        while run.reply is None:
            try:
                reply = self.kc.get_shell_msg(timeout=0)
            except queue.Empty:
                return
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                run.reply = reply["content"]

    def execute(self, index, cell, timeout):
        run = CellRun(index, cell)
        msg_id = self.kc.execute(cell.source, store_history=True, allow_stdin=False,
                                 stop_on_error=True)
        self.by_msg_id[msg_id] = run
        self.current = run
        deadline = time.monotonic() + timeout

        def finished():
            self.poll_reply(run, msg_id)
            if time.monotonic() > deadline:
                raise TimeoutError
            return run.idle and run.reply is not None

        try:
            self.drain(self.grace, finished)
        except TimeoutError:
            run.error = {"ename": "TimeoutError",
                         "evalue": f"the cell did not finish within {timeout:g} s",
                         "traceback": []}
            return run
        reply = run.reply
        if reply.get("execution_count") is not None:
            cell.execution_count = reply["execution_count"]
        if reply.get("status") == "error" and run.error is None:
            run.error = {"ename": reply.get("ename", "Error"), "evalue": reply.get("evalue", ""),
                         "traceback": reply.get("traceback", [])}
        return run


def run_notebook(path, out_dir, kernel_name, timeout, grace, extra_env):
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    emit("start", notebook=path, cells=len(nb.cells))
    env = dict(os.environ)
    env.update(extra_env)
    km = jupyter_client.KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=os.path.dirname(os.path.abspath(path)) or ".", env=env)
    failed = None
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        runner = NotebookRun(kc, grace)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if not cell.source.strip():
                cell.outputs = []
                cell.execution_count = None
                continue
            t0 = time.monotonic()
            run = runner.execute(index, cell, timeout)
            if run.error is not None:
                failed = run
                if run.error["ename"] == "TimeoutError":
                    km.interrupt_kernel()
                break
            emit("cell", notebook=path, cell=index, seconds=round(time.monotonic() - t0, 3))
        # Late outputs (timers, un-awaited promises) of any cell.
        runner.current = None
        runner.drain(max(grace, 1.0))
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    os.makedirs(out_dir, exist_ok=True)
    out_path = os.path.join(out_dir, os.path.basename(path))
    tmp = out_path + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, out_path)
    if failed is not None:
        source = failed.cell.source.strip().splitlines()
        emit("error", notebook=path, cell=failed.index, output=out_path,
             first_line=source[0][:120] if source else "", **failed.error)
        return False
    emit("done", notebook=path, output=out_path, seconds=round(time.monotonic() - started, 3))
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--out", help="folder for the executed copies")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell")
    parser.add_argument("--grace", type=float, default=0.3,
                        help="quiet seconds after a cell's idle before it counts as finished")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the kernel")
    parser.add_argument("--check", action="store_true", help="only check the setup")
    args = parser.parse_args()
    check_setup(args.kernel)
    if args.check:
        print(f"jupyter_client {jupyter_client.__version__}, kernel '{args.kernel}' found")
        return 0
    if not args.out or not args.notebooks:
        parser.error("--out and at least one notebook are required")
    extra_env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--env expects KEY=VALUE, got {item!r}")
        extra_env[key] = value
    ok = True
    for path in args.notebooks:
        ok = run_notebook(path, args.out, args.kernel, args.timeout, args.grace, extra_env) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
