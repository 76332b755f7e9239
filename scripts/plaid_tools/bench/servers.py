"""Servers the benchmarks talk to over loopback: the offline sandbox, and Prism as its peer."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plaid_offline_sandbox import serving

from plaid_tools import paths

PRISM_VERSION = "5.16.0"  # @stoplight/prism-cli, pinned like everything else
PRISM_DIR = paths.ROOT / ".bench-cache" / f"prism-{PRISM_VERSION}"


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int


@contextlib.contextmanager
def offline_sandbox(
    workers: int = 1, *extra_args: str, log_path: Path | None = None
) -> Iterator[Server]:
    args = ["--workers", str(workers), "--log-level", "warning", *extra_args]
    with serving.serve(args=args, log_path=log_path) as running:
        yield Server(running.base_url, running.process.pid)


def bare_app(
    body: bytes, status: int = 200, workers: int = 1
) -> contextlib.AbstractContextManager[Server]:
    """uvicorn answering `status` and `body` to every request, with the sandbox's options."""
    port = serving.free_port()
    command = [sys.executable, "-m", "plaid_tools.bench.bare_app", "--port", str(port)]
    command += ["--workers", str(workers), "--body", body.decode(), "--status", str(status)]
    return _serve_command(command, port, timeout=20)


@contextlib.contextmanager
def _serve_command(command: list[str], port: int, timeout: float) -> Iterator[Server]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not serving.wait_until_listening("127.0.0.1", port, process, timeout):
            raise RuntimeError(f"{command[0]} did not listen on port {port} within {timeout} s")
        yield Server(f"http://127.0.0.1:{port}", process.pid)
    finally:
        serving.stop_process(process)


def prism_command() -> list[str] | str:
    """The Prism command line, installing the pinned version once; or why it cannot run."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        return "Node.js/npm not found: Prism skipped"
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(PRISM_DIR),
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
        if result.returncode != 0 or not binary.exists():
            return f"npm could not install Prism {PRISM_VERSION}: {result.stderr.strip()[:200]}"
    return [str(binary)]


def prism(spec: Path, base: list[str]) -> contextlib.AbstractContextManager[Server]:
    port = serving.free_port()
    command = [*base, "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)]
    return _serve_command(command, port, timeout=60)


def rss_kib(pid: int) -> int:
    """Resident set size of a process and its children (uvicorn workers), in KiB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    return []
