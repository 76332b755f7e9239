"""``python -m MODULE ARGS`` forked from a warm interpreter: the tests' contract runs.

Most of the suite's time is whole contract runs, and a fresh interpreter spends about half of a
short one starting: the interpreter, then importing pytest, hypothesis, schemathesis and the
runner. A forkserver (multiprocessing's, one per process that uses this module) imports them
once; each run is a fork of it that runs the module as ``python -m`` does (argv, environment,
working directory, stdout and stderr, atexit handlers, exit code) and exits. The forkserver has
one thread and has run nothing, so every fork starts from the same clean state; the tests that
are about the real entry point (signals, exit codes, the commands printed) keep subprocesses.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

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


def run_module(
    module: str, args: Sequence[str], *, env: Mapping[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """What ``subprocess.run([python, "-m", module, *args], capture_output=True, text=True)``
    returns, from a fork of the warm interpreter; raises ``subprocess.TimeoutExpired`` as it
    does."""
    with tempfile.TemporaryDirectory(prefix="forked-run-") as scratch:
        stdout, stderr = Path(scratch, "stdout"), Path(scratch, "stderr")
        for path in (stdout, stderr):  # a fork that fails before it runs leaves them empty
            path.touch()
        process = _FORKSERVER.Process(
            target=_run, args=(module, list(args), dict(env), str(cwd), str(stdout), str(stderr))
        )
        process.start()
        try:
            process.join(timeout)
            if process.exitcode is None:
                raise subprocess.TimeoutExpired([module, *args], timeout)
        finally:
            if process.exitcode is None:  # timed out, or the test was interrupted
                process.kill()
                process.join()
        return subprocess.CompletedProcess(
            [module, *args],
            process.exitcode,
            stdout.read_text(encoding="utf-8"),
            stderr.read_text(encoding="utf-8"),
        )


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
