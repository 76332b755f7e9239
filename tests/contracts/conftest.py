"""Fixtures for testing the contract runner (helpers live in helpers.py).

Nothing here contacts plaid.com: remote-mode runs point --base-url at loopback servers.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from plaid_contracts.offline.loopback import SandboxProcess

from tests.contracts.helpers import (
    OFFLINE_CREDENTIALS,
    OFFLINE_FIXTURES,
    RUN_TIMEOUT_SECONDS,
    SHARED_RUNS,
    RunResult,
    clean_env,
)
from tests.forked_runs import run_module


@pytest.fixture
def run_contracts(tmp_path: Path) -> Callable[..., RunResult]:
    """``python -m plaid_contracts COMMAND`` as a user runs it (forked warm: tests/forked_runs.py),
    reports under tmp_path."""

    def run(*args: str, env: Mapping[str, str] | None = None, command: str = "run") -> RunResult:
        return _run_reporting(
            "plaid_contracts", [command, *args], tmp_path, env, with_reports_dir=command == "run"
        )

    return run


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], RunResult]:
    """The run of helpers.SHARED_RUNS by that name, made on first use; tests only read it."""
    made: dict[str, RunResult] = {}

    def get(name: str) -> RunResult:
        if name not in made:
            args, env = SHARED_RUNS[name]
            made[name] = _run_reporting(
                "plaid_contracts",
                ["run", *args],
                tmp_path_factory.mktemp(name),
                clean_env(env),
                with_reports_dir=True,
            )
        return made[name]

    return get


@pytest.fixture
def run_mutant_in_process(tmp_path: Path) -> Callable[..., RunResult]:
    """``run --in-process`` against one mutant of the sandbox (tests.mutation.mutants)."""

    def run(mutant: str, *args: str, env: Mapping[str, str] | None = None) -> RunResult:
        return _run_reporting(
            "tests.mutation.run_one",
            [mutant, *args],
            tmp_path,
            clean_env(env),
            with_reports_dir=True,
        )

    return run


def _run_reporting(
    module: str,
    args: list[str],
    tmp_path: Path,
    env: Mapping[str, str] | None,
    *,
    with_reports_dir: bool,
) -> RunResult:
    reports = tmp_path / "reports" / "contracts"
    if with_reports_dir:
        args = [*args, "--reports-dir", str(reports)]
    completed = run_module(
        module,
        args,
        env=env if env is not None else clean_env(),
        cwd=tmp_path,
        timeout=RUN_TIMEOUT_SECONDS,
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
