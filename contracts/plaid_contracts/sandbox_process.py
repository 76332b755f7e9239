"""The offline sandbox as a real HTTP server on loopback, in a subprocess of the runner.

A thin adapter over the sandbox's own launcher (`plaid_offline_sandbox.serving`): it turns a
run's credentials, template and token lifetime into the sandbox's environment and flags.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from plaid_offline_sandbox.serving import SandboxStartError, free_port, serve

from plaid_contracts.targets import ENV_CLIENT_ID, ENV_SECRET, ENV_TEMPLATE_ID, Credentials

__all__ = ["SandboxProcess", "SandboxStartError", "free_port"]


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
        self.base_url = ""
        self._running = contextlib.ExitStack()

    def __enter__(self) -> SandboxProcess:
        # Credentials reach the sandbox through its environment, never its command line.
        env = {
            **os.environ,
            ENV_CLIENT_ID: self.credentials.client_id,
            ENV_SECRET: self.credentials.secret,
            ENV_TEMPLATE_ID: self.template_id,
        }
        args = ["--token-lifetime", str(self.token_lifetime_seconds), "--log-level", "warning"]
        sandbox = self._running.enter_context(serve(args=args, env=env, log_path=self.log_path))
        self.base_url = sandbox.base_url
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._running.close()
