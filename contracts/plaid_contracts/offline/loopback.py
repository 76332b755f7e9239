"""The offline sandbox as a real HTTP server on loopback, in a subprocess of the runner.

A thin adapter over the sandbox's own launcher (`plaid_offline_sandbox.serving`): it turns a
run's credentials, fixtures and token lifetime into the sandbox's environment
(`sandbox_environment`, which --in-process uses too, so both modes configure the same sandbox).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from plaid_offline_sandbox.config import (
    CONFIG_JSON_ENV,
    ENV_ACCESS_LOG,
    ENV_LOG_LEVEL,
    ENV_TOKEN_LIFETIME,
)
from plaid_offline_sandbox.serving import SandboxStartError, free_port, serve

from plaid_contracts.infra.credentials import ENV_CLIENT_ID, ENV_SECRET, Credentials

__all__ = ["SandboxProcess", "SandboxStartError", "free_port", "sandbox_environment"]
# During a run the sandbox logs its warnings and errors into sandbox.log, and with
# `run --sandbox-access-log` a line per request (method, path, status, error_code, request_id;
# never credentials or bodies), to find a cassette's request there by its request_id. Off by
# default: it costs the sandbox about a third of its speed.
SANDBOX_LOG_LEVEL = "warning"


def sandbox_environment(
    credentials: Credentials,
    fixtures: Mapping[str, str],
    token_lifetime_seconds: int,
    base: Mapping[str, str] | None = None,
    *,
    access_log: bool = False,
) -> dict[str, str]:
    """The offline sandbox's whole environment for one run, in either offline mode.

    ``base`` (``os.environ`` by default, so the sandbox's other documented variables still apply)
    with the run's credentials, the operations' fixtures (by environment variable: the template
    in PLAID_TEMPLATE_ID), token lifetime, log level and access log on top, and without the
    sandbox's internal packed configuration (``PLAID_SANDBOX_CONFIG_JSON``), which would
    override all of them. Credentials reach the sandbox through its environment, never its
    command line.
    """
    env = {k: v for k, v in (os.environ if base is None else base).items() if k != CONFIG_JSON_ENV}
    env.update(
        {
            ENV_CLIENT_ID: credentials.client_id,
            ENV_SECRET: credentials.secret,
            **fixtures,
            ENV_TOKEN_LIFETIME: str(token_lifetime_seconds),
            ENV_LOG_LEVEL: SANDBOX_LOG_LEVEL,
            ENV_ACCESS_LOG: "1" if access_log else "0",
        }
    )
    return env


class SandboxProcess:
    """``with SandboxProcess(...) as sandbox: sandbox.base_url``; its log goes to ``log_path``."""

    def __init__(
        self,
        credentials: Credentials,
        fixtures: Mapping[str, str],
        token_lifetime_seconds: int,
        log_path: Path,
        *,
        access_log: bool = False,
    ) -> None:
        self.credentials = credentials
        self.fixtures = fixtures
        self.token_lifetime_seconds = token_lifetime_seconds
        self.log_path = log_path
        self.access_log = access_log
        self.base_url = ""
        self._running = contextlib.ExitStack()

    def __enter__(self) -> SandboxProcess:
        env = sandbox_environment(
            self.credentials,
            self.fixtures,
            self.token_lifetime_seconds,
            access_log=self.access_log,
        )
        sandbox = self._running.enter_context(serve(env=env, log_path=self.log_path))
        self.base_url = sandbox.base_url
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._running.close()
