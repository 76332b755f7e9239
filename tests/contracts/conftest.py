"""Fixtures for testing the contract runner (helpers live in helpers.py).

Nothing here contacts plaid.com: remote-mode runs point --base-url at loopback servers.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from plaid_contracts.offline.loopback import SandboxProcess

from tests.contracts.helpers import (
    OFFLINE_CREDENTIALS,
    OFFLINE_FIXTURES,
    REPO_ROOT,
    RUN_TIMEOUT_SECONDS,
    SHARED_RUNS,
    RunResult,
    clean_env,
)


@pytest.fixture
def run_contracts(tmp_path: Path) -> Callable[..., RunResult]:
    """Run ``python -m plaid_contracts run`` as a user would, reports under tmp_path."""

    def run(*args: str, env: Mapping[str, str] | None = None, command: str = "run") -> RunResult:
        argv = [sys.executable, "-m", "plaid_contracts", command, *args]
        return _run_reporting(argv, tmp_path, env, with_reports_dir=command == "run")

    return run


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], RunResult]:
    """The run of helpers.SHARED_RUNS by that name, made on first use; tests only read it."""
    made: dict[str, RunResult] = {}

    def get(name: str) -> RunResult:
        if name not in made:
            args, env = SHARED_RUNS[name]
            argv = [sys.executable, "-m", "plaid_contracts", "run", *args]
            made[name] = _run_reporting(
                argv, tmp_path_factory.mktemp(name), clean_env(env), with_reports_dir=True
            )
        return made[name]

    return get


@pytest.fixture
def run_mutant_in_process(tmp_path: Path) -> Callable[..., RunResult]:
    """``run --in-process`` against one mutant of the sandbox (tests.mutation.mutants)."""

    def run(mutant: str, *args: str, env: Mapping[str, str] | None = None) -> RunResult:
        argv = [sys.executable, "-m", "tests.mutation.run_one", mutant, *args]
        # The subprocess imports tests.contracts.
        env = clean_env({**(env or {}), "PYTHONPATH": str(REPO_ROOT)})
        return _run_reporting(argv, tmp_path, env, with_reports_dir=True)

    return run


def _run_reporting(
    argv: list[str], tmp_path: Path, env: Mapping[str, str] | None, *, with_reports_dir: bool
) -> RunResult:
    reports = tmp_path / "reports" / "contracts"
    if with_reports_dir:
        argv = [*argv, "--reports-dir", str(reports)]
    completed = subprocess.run(
        argv,
        env=dict(env) if env is not None else clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    return RunResult(completed.returncode, completed.stdout, completed.stderr, reports)


@pytest.fixture(scope="session")
def offline_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One real offline sandbox (subprocess, loopback) shared by the tests that only read it."""
    log = tmp_path_factory.mktemp("sandbox") / "sandbox.log"
    with SandboxProcess(OFFLINE_CREDENTIALS, OFFLINE_FIXTURES, 4 * 3600, log) as sandbox:
        yield sandbox


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and block) every DNS lookup and connection attempt made in this process."""
    attempts: list[str] = []

    def refuse_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(f"getaddrinfo {host}")
        raise OSError("network blocked by test")

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address}")
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse_connect)
    return attempts
