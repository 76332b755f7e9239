"""The offline sandbox as a real HTTP server on loopback, in a subprocess of the runner."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from plaid_contracts.targets import ENV_CLIENT_ID, ENV_SECRET, ENV_TEMPLATE_ID, Credentials

LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 20.0


class SandboxStartError(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class SandboxProcess:
    """``with SandboxProcess(...) as sandbox: sandbox.base_url``; its log goes to ``log_path``."""

    def __init__(
        self,
        credentials: Credentials,
        template_id: str,
        token_lifetime_seconds: int,
        log_path: Path,
    ) -> None:
        self.credentials = credentials
        self.template_id = template_id
        self.token_lifetime_seconds = token_lifetime_seconds
        self.log_path = log_path
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        # A port freed by free_port() can be taken before the server binds it: try a few.
        for _ in range(3):
            self.port = free_port()
            self._spawn()
            if self._wait_ready():
                return
            self.stop()
        raise SandboxStartError(f"the offline sandbox did not start; see {self.log_path}")

    def _spawn(self) -> None:
        env = dict(os.environ)
        # Credentials reach the sandbox through its environment, never its command line.
        env[ENV_CLIENT_ID] = self.credentials.client_id
        env[ENV_SECRET] = self.credentials.secret
        env[ENV_TEMPLATE_ID] = self.template_id
        command = [
            sys.executable,
            "-m",
            "plaid_offline_sandbox",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--token-lifetime",
            str(self.token_lifetime_seconds),
            "--log-level",
            "warning",
        ]
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own process group: Ctrl-C reaches the runner, which stops the sandbox itself
                # after the reports are written.
                start_new_session=True,
            )
        finally:
            log.close()

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> SandboxProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
