"""Run the offline sandbox as a real HTTP server from Python, for tests and tools.

    from plaid_offline_sandbox.serving import serve

    with serve(args=["--credential", "my-id:my-secret"]) as sandbox:
        httpx.post(sandbox.base_url + "/session/token/create", ...)

The server is `python -m plaid_offline_sandbox` in a subprocess on a free loopback port, in a
session of its own: a Ctrl-C in the terminal interrupts only the caller, which then stops the
server itself (so a test runner can still write its reports). `serve` returns once the server
accepts connections and stops it, workers included, on exit; if the caller dies without stopping
it (SIGKILL), the server stops by itself within a second (`lifeline`). Pass credentials through
`env` (PLAID_CLIENT_ID, ...), never `args`: command lines are visible to other users.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_HOST
from .lifeline import PARENT_PID_ENV

START_TIMEOUT_SECONDS = 20.0
# A port freed by free_port() can be taken before the server binds it: try a few.
START_ATTEMPTS = 3


class SandboxStartError(RuntimeError):
    """The sandbox process exited or did not listen in time; the message has its log tail."""


@dataclass(frozen=True)
class RunningSandbox:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path | None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


def free_port(host: str = DEFAULT_HOST) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it lingers: the whole process group when it leads one.

    uvicorn's `--workers` are children of the process we started; signalling only the parent
    with SIGKILL would orphan them.
    """
    if process.poll() is not None:
        return
    try:
        leads_group = os.name == "posix" and os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return
    process.terminate()  # uvicorn stops its workers itself on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if leads_group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.wait()


def wait_until_listening(
    host: str, port: int, process: subprocess.Popen[bytes], timeout: float
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _spawn(
    host: str, port: int, args: Sequence[str], env: Mapping[str, str] | None, log_path: Path | None
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "plaid_offline_sandbox", "--host", host, "--port", str(port)]
    # The server watches this process: it never outlives it.
    environ = {**(os.environ if env is None else env), PARENT_PID_ENV: str(os.getpid())}
    log = log_path.open("ab") if log_path else None
    try:
        return subprocess.Popen(
            [*command, *args],
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log:
            log.close()


@contextlib.contextmanager
def serve(
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    host: str = DEFAULT_HOST,
    log_path: Path | None = None,
    start_timeout: float = START_TIMEOUT_SECONDS,
) -> Iterator[RunningSandbox]:
    """Start the sandbox (`args` are its CLI flags, `env` its whole environment) and stop it."""
    for _ in range(START_ATTEMPTS):
        port = free_port(host)
        process = _spawn(host, port, args, env, log_path)
        if wait_until_listening(host, port, process, start_timeout):
            break
        stop_process(process)
    else:
        tail = log_path.read_text(errors="replace")[-2000:] if log_path else "(no log kept)"
        raise SandboxStartError(f"the offline sandbox did not start:\n{tail}")
    try:
        yield RunningSandbox(f"http://{host}:{port}", port, process, log_path)
    finally:
        stop_process(process)
