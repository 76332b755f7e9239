"""A sandbox started by serve() never outlives the process that started it, workers included."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sandbox.sandbox_support import clean_env

# The caller: serves a sandbox, says where, then waits to be killed.
PARENT = """
import json, sys, time
from plaid_offline_sandbox.serving import serve
with serve(args=sys.argv[1:]) as sandbox:
    print(json.dumps({"port": sandbox.port, "pid": sandbox.process.pid}), flush=True)
    time.sleep(600)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_sandbox_stops_when_its_parent_is_killed(workers: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, "--workers", workers],
        env=clean_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        started = json.loads(parent.stdout.readline())
        sandbox, port = started["pid"], started["port"]
        deadline = time.monotonic() + 20
        processes = {sandbox}
        while workers == "2" and len(processes) < 3 and time.monotonic() < deadline:
            processes = {sandbox} | _children(sandbox)  # uvicorn's workers (and its helper)
            time.sleep(0.1)
        assert len(processes) >= (3 if workers == "2" else 1)
        assert _listening(port)

        os.kill(parent.pid, signal.SIGKILL)  # no chance to stop the sandbox itself
        parent.wait()

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            _listening(port) or any(_alive(pid) for pid in processes)
        ):
            time.sleep(0.1)
        assert not _listening(port)
        assert not [pid for pid in processes if _alive(pid)]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_without_the_variable_nothing_is_watched() -> None:
    from plaid_offline_sandbox import lifeline

    lifeline.watch_parent({})
    lifeline.watch_parent({lifeline.PARENT_PID_ENV: str(os.getpid())})  # itself: its workers'
    assert not lifeline._started.is_set()
