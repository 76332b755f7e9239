"""``python -m MODULE ARGS`` forked from a warm interpreter: the tests' contract runs.

Most of the suite's time is whole contract runs, and a fresh interpreter spends about half of a
short one starting: the interpreter, then importing pytest, hypothesis, schemathesis and the
runner. A forkserver (multiprocessing's, one per process that uses this module) imports them
once and computes what schemathesis caches for a process (tests/warm_caches.py); each run is a
fork of it that runs the module as ``python -m`` does (argv, environment, working directory,
stdout and stderr, atexit handlers, exit code) and exits. The forkserver has one thread and has
run no test, so every fork starts from the same clean state. A scratch copy's commands fork from
a bare interpreter instead (``python -m tests.forked_runs``: the same but nothing of ours), with
the copy's folders first on the path. The tests that are about the real entry point (signals,
exit codes, the commands printed) keep subprocesses; a signal a run sends itself is the same in
a fork.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import multiprocessing
import os
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Imported once by the forkserver: what a contract run imports, up to its suite's own test
# modules (pytest imports those itself). A name that no longer imports is skipped by
# multiprocessing (runs are slower, not wrong); tests/tooling/test_forked_runs.py fails on it.
PRELOAD = (
    "plaid_contracts.commands.cli",
    "plaid_contracts.commands.run",
    "plaid_contracts.checks.response_checks",
    "plaid_contracts.checks.schemathesis_config",
    "plaid_contracts.client_contract.expectations",
    "plaid_contracts.offline.in_process",
    "plaid_offline_sandbox.app",
    "plaid_session_client",
    "plaid_session_client.api.session.session_token_create",
    "tests.mutation.run_one",
    # pytest's start-up loads its default plugins
    "_pytest.main",
    "_pytest.python",
    "_pytest.junitxml",
    "_pytest.faulthandler",
    "_pytest.helpconfig",
    "_pytest.pastebin",
    "_pytest.setuponly",
    "_pytest.setupplan",
    "_pytest.skipping",
    "_pytest.threadexception",
    "_pytest.tracemalloc",
    "_pytest.unittest",
    "_pytest.unraisableexception",
    "_pytest.warnings",
    "pytest_timeout",
    "hypothesis.core",
    "hypothesis.stateful",
    "hypothesis.strategies._internal.regex",
    "schemathesis.pytest.plugin",
    "schemathesis.specs.openapi.schemas",
    "schemathesis.openapi.checks",
    "schemathesis.generation.stateful",
    "schemathesis.transport.asgi",
    "schemathesis.transport.wsgi",
    "requests",
    "werkzeug.routing",
    "werkzeug.test",
    "yaml",
    "anyio._backends._asyncio",
    "anyio.to_thread",
    "pyrate_limiter",
    "tests.warm_caches",  # last: it runs what the modules above cache
)

_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(list(PRELOAD))

# Our packages: a scratch copy of the repository brings its own (tests/scratch_repo.py).
OURS = ("plaid_contracts", "plaid_offline_sandbox", "plaid_session_client", "plaid_tools", "tests")
# What the interpreter that forks a copy's runs imports: PRELOAD without anything of ours, the
# generator and the API differ the copy's tooling runs in its own process, and the warm-up.
BARE_PRELOAD = (
    *(name for name in PRELOAD if name.split(".")[0] not in OURS),
    "openapi_python_client.cli",
    "griffe",
    "tests.warm_caches",
)
REPO_ROOT = Path(__file__).resolve().parents[1]
_bare: subprocess.Popen[str] | None = None


def run_module(
    module: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    timeout: float,
    path: Sequence[Path] | None = None,
) -> subprocess.CompletedProcess[str]:
    """What ``subprocess.run([python, "-m", module, *args], capture_output=True, text=True)``
    returns, from a fork of the warm interpreter; raises ``subprocess.TimeoutExpired`` as it
    does.

    With ``path`` (folders imported first, as PYTHONPATH puts them: a scratch copy's packages),
    the fork is of an interpreter that has imported nothing of ours (BARE_PRELOAD)."""
    with tempfile.TemporaryDirectory(prefix="forked-run-") as scratch:
        stdout, stderr = Path(scratch, "stdout"), Path(scratch, "stderr")
        for output in (stdout, stderr):  # a fork that fails before it runs leaves them empty
            output.touch()
        request = [module, list(args), dict(env), str(cwd), str(stdout), str(stderr)]
        if path is None:
            code = _fork_warm(request, timeout)
        else:
            code = _fork_bare(request, [str(folder) for folder in path], timeout)
        if code is None:
            raise subprocess.TimeoutExpired([module, *args], timeout)
        return subprocess.CompletedProcess(
            [module, *args],
            code,
            stdout.read_text(encoding="utf-8"),
            stderr.read_text(encoding="utf-8"),
        )


def _fork_warm(request: list[Any], timeout: float) -> int | None:
    """The exit code of ``_run(*request)`` in a fork of the forkserver; None past the timeout."""
    process = _FORKSERVER.Process(target=_run, args=request)
    process.start()
    try:
        process.join(timeout)
        return process.exitcode
    finally:
        if process.exitcode is None:  # timed out, or the test was interrupted
            process.kill()
            process.join()


def _fork_bare(request: list[Any], path: list[str], timeout: float) -> int | None:
    """The same from the bare interpreter (``python -m tests.forked_runs``), one per process."""
    global _bare
    if _bare is None or _bare.poll() is not None:
        _bare = subprocess.Popen(
            [sys.executable, "-m", "tests.forked_runs"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
        )
    assert _bare.stdin is not None and _bare.stdout is not None
    _bare.stdin.write(json.dumps([request, path, timeout]) + "\n")
    _bare.stdin.flush()
    answer = _bare.stdout.readline().strip()
    if not answer:
        raise RuntimeError(f"the bare forking interpreter exited ({_bare.poll()})")
    return None if answer == "timeout" else int(answer)


def _serve_bare() -> None:
    """Import BARE_PRELOAD, then fork a run per request on stdin and answer its exit code, or
    "timeout" once it was killed for running past its timeout."""
    for name in BARE_PRELOAD:  # one that fails is skipped, as the forkserver skips it
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for line in sys.stdin:
        request, path, timeout = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # not the requests' pipe
            sys.path[0:1] = [request[3], *path]  # python -m puts the working directory first
            _run(*request)
        print(_exit_code_within(pid, timeout), flush=True)


def _exit_code_within(pid: int, timeout: float) -> int | str:
    process = os.pidfd_open(pid)  # readable once the process has ended
    try:
        ended, _, _ = select.select([process], [], [], timeout)
    finally:
        os.close(process)
    if not ended:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if ended else "timeout"


def _run(
    module: str, args: list[str], env: dict[str, str], cwd: str, stdout: str, stderr: str
) -> None:
    """In the fork: become ``python -m module args`` and exit with its code."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, stdout), (2, stderr)):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    # As the interpreter opens them for a pipe: stdout block-buffered, stderr by line.
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), "utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), "utf-8", "backslashreplace", line_buffering=True
    )
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit_:
        code = _exit_code(exit_.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # not multiprocessing's exit: it would print its own traceback and code


def _exit_code(code: object) -> int:
    """The status ``sys.exit(code)`` gives a process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    _serve_bare()
