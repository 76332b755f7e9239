"""Helpers for testing the contract runner: real runs in their own processes, servers on loopback.

Nothing here contacts plaid.com: remote-mode runs point --base-url at loopback servers.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from plaid_contracts.infra.credentials import OFFLINE_DEFAULTS
from plaid_contracts.offline.loopback import free_port
from plaid_contracts.operations.session_token_create import TEMPLATE
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig

OFFLINE_CREDENTIALS = OFFLINE_DEFAULTS
OFFLINE_TEMPLATE_ID = TEMPLATE.offline_default
# The offline sandbox's fixtures as a run passes them (by environment variable).
OFFLINE_FIXTURES = {TEMPLATE.env: OFFLINE_TEMPLATE_ID}
REPO_ROOT = Path(__file__).resolve().parents[2]
# Few examples: these tests are about the runner, not about finding bugs in the sandbox.
FAST = ("--max-examples", "5")
RUN_TIMEOUT_SECONDS = 120

# A nightly job's inputs, not the offline defaults: Plaid-format credentials (24 / 30 lowercase
# hex) that double as canaries (they must appear in no report), and a Dashboard-style template.
CANARY_CLIENT_ID = "ca4a2ec11e474f1d9cca4a2e"
CANARY_SECRET = "ca4a2e5ec2e79b8e2aca4a2e5ec2e7"
CANARIES = {"PLAID_CLIENT_ID": CANARY_CLIENT_ID, "PLAID_SECRET": CANARY_SECRET}
DASHBOARD_TEMPLATE_ID = "template_b4r9mQ2kX7tz"
DASHBOARD_RUN = {**CANARIES, "PLAID_TEMPLATE_ID": DASHBOARD_TEMPLATE_ID}

# Runs that several tests read (conftest.shared_run): name -> (arguments, environment). A run is
# most of a test's time, so each is made once per xdist worker; tests reading
# the same runs share an xdist_group (SHARED_GROUPS) so that "once" means once.
WATCHED = ("--sandbox-access-log", "--progress-every", "0.05")
SHARED_RUNS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "dashboard-loopback": ((*FAST, *WATCHED), DASHBOARD_RUN),
    "dashboard-in-process": (("--in-process", *FAST, *WATCHED), DASHBOARD_RUN),
    "defaults-in-process": (("--in-process", *FAST), {}),
    "nightly-seeded": (("--profile", "nightly", "--seed", "424242", *FAST), {}),
}
DASHBOARD_RUNS = pytest.mark.xdist_group("shared-runs-dashboard")
DEFAULT_RUNS = pytest.mark.xdist_group("shared-runs-defaults")

AsgiApp = Callable[..., Any]


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    reports_dir: Path

    @property
    def summary(self) -> str:
        return (self.reports_dir / "summary.md").read_text(encoding="utf-8")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process' environment without any Plaid credentials, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAID_")}
    env.update(extra or {})
    return env


def remote_env() -> dict[str, str]:
    """What a --base-url run needs, with the offline sandbox's defaults."""
    return clean_env(
        {
            "PLAID_CLIENT_ID": OFFLINE_CREDENTIALS.client_id,
            "PLAID_SECRET": OFFLINE_CREDENTIALS.secret,
            "PLAID_TEMPLATE_ID": OFFLINE_TEMPLATE_ID,
        }
    )


@contextmanager
def serve_asgi(app: AsgiApp) -> Iterator[str]:
    """Serve an ASGI app on loopback in a thread of the test process; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def offline_app() -> AsgiApp:
    return create_app(SandboxConfig())


def all_report_text(directory: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float) -> str:
    """Read the process' stdout until a line contains ``needle``; returns what was read."""
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"{needle!r} not printed within {timeout} s; got:\n{''.join(seen)}")
