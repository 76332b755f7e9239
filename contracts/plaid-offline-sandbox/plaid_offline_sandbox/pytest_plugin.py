"""pytest plugin: the offline Plaid Sandbox in your own tests.

Installing ``plaid-offline-sandbox`` registers it (entry point ``pytest11``); with plugin autoload
off, add ``pytest_plugins = ["plaid_offline_sandbox.pytest_plugin"]`` to your root conftest.py.

Fixtures:

* ``plaid_sandbox``: a running sandbox (its own process, a free loopback port) as a
  ``PlaidSandbox``: ``base_url``, ``client_id``, ``secret``, ``template_id``.
* ``plaid_sandbox_app``: the same sandbox inside the test process, as an ``InProcessSandbox``
  with httpx transports (``transport()``, ``async_transport()``): no process, no socket.
* ``plaid_sandbox_options``: what both accept (``SandboxOptions``). Override it in a conftest.py
  to change the defaults, or change them per test with the marker::

      @pytest.mark.plaid_sandbox(fault="internal_error,ok", token_lifetime_seconds=1800)

By default the credentials are random in Plaid's formats (24 / 30 lowercase hex characters) and
the template id is Dashboard-style, fresh for each test session, so code under test cannot lean
on values that only the sandbox accepts. Servers are shared by the tests that ask for the same
options; a server-wide fault script gets a server of its own for each test (its step counter
starts at the first step). Nothing is imported or started until a test asks for a fixture.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import secrets
import string
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from .app import SandboxApp
    from .serving import RunningSandbox

MARKER = "plaid_sandbox"
_TEMPLATE_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class SandboxOptions:
    """What a sandbox accepts. ``client_id``/``secret``/``template_id`` are the ones tests use."""

    client_id: str
    secret: str
    template_id: str
    token_lifetime_seconds: int = 4 * 60 * 60
    # A server-wide fault script, e.g. "internal_error,ok" (per request: ``fault_headers``).
    fault: str | None = None
    extra_credentials: tuple[tuple[str, str], ...] = ()
    extra_template_ids: tuple[str, ...] = ()
    # Entries of the Dashboard's allow-lists, on top of the sandbox's defaults: the
    # redirect_uri / android_package_name your code sends.
    redirect_uris: tuple[str, ...] = ()
    android_package_names: tuple[str, ...] = ()

    def __repr__(self) -> str:
        # Never print a secret in a test report.
        return (
            f"SandboxOptions(client_id={self.client_id!r}, secret='***', "
            f"template_id={self.template_id!r}, "
            f"token_lifetime_seconds={self.token_lifetime_seconds}, fault={self.fault!r})"
        )

    def environment(self) -> dict[str, str]:
        """The sandbox's documented environment variables for these options."""
        env = {
            "PLAID_CLIENT_ID": self.client_id,
            "PLAID_SECRET": self.secret,
            "PLAID_TEMPLATE_ID": self.template_id,
            "PLAID_SANDBOX_TOKEN_LIFETIME": str(self.token_lifetime_seconds),
            "PLAID_SANDBOX_EXTRA_CREDENTIALS": ",".join(
                f"{a}:{b}" for a, b in self.extra_credentials
            ),
            "PLAID_SANDBOX_EXTRA_TEMPLATE_IDS": ",".join(self.extra_template_ids),
            "PLAID_SANDBOX_EXTRA_REDIRECT_URIS": ",".join(self.redirect_uris),
            "PLAID_SANDBOX_EXTRA_ANDROID_PACKAGE_NAMES": ",".join(self.android_package_names),
        }
        if self.fault:
            env["PLAID_SANDBOX_FAULT"] = self.fault
        return env


def random_options() -> SandboxOptions:
    """Fresh credentials in Plaid's formats and a Dashboard-style template id."""
    return SandboxOptions(
        client_id=secrets.token_hex(12),
        secret=secrets.token_hex(15),
        template_id="template_" + "".join(secrets.choice(_TEMPLATE_ALPHABET) for _ in range(12)),
    )


def fault_headers(script: str, fault_id: str | None = None) -> dict[str, str]:
    """Headers asking the sandbox for a fault script on this request (step n: n-th request)."""
    from .faults import HEADER, ID_HEADER

    headers = {HEADER: script}
    if fault_id is not None:
        headers[ID_HEADER] = fault_id
    return headers


class _Accepts:
    """What a sandbox fixture accepts, for the test to send."""

    options: SandboxOptions

    @property
    def client_id(self) -> str:
        return self.options.client_id

    @property
    def secret(self) -> str:
        return self.options.secret

    @property
    def template_id(self) -> str:
        return self.options.template_id

    fault_headers = staticmethod(fault_headers)


@dataclass(frozen=True)
class PlaidSandbox(_Accepts):
    """A running sandbox: point your client at ``base_url`` with these credentials."""

    base_url: str
    options: SandboxOptions
    server: RunningSandbox = dataclasses.field(repr=False)

    def log_text(self) -> str:
        """What the sandbox printed (its banner, warnings, errors)."""
        return self.server.log_text()


@dataclass(frozen=True)
class InProcessSandbox(_Accepts):
    """The sandbox's ASGI app in this process; give a client one of its transports."""

    app: SandboxApp = dataclasses.field(repr=False)
    options: SandboxOptions
    base_url: str = "http://plaid-sandbox.test"

    def transport(self) -> httpx.BaseTransport:
        """For ``httpx.Client`` (and clients built on it): the app on a private event loop."""
        return _sync_transport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """For ``httpx.AsyncClient``."""
        return _async_transport(self.app)


def _async_transport(app: SandboxApp) -> httpx.AsyncBaseTransport:
    import httpx

    class Transport(httpx.ASGITransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            try:
                return await super().handle_async_request(request)
            except Exception as error:  # the `drop` fault: a server would abort the connection
                raise httpx.RemoteProtocolError(
                    f"the sandbox dropped the connection ({type(error).__name__})",
                    request=request,
                ) from error

    return Transport(app=app)


def _sync_transport(app: SandboxApp) -> httpx.BaseTransport:
    import httpx

    inner = _async_transport(app)

    class Transport(httpx.BaseTransport):
        """Runs the app on a loop in a thread: works inside a running event loop too."""

        def __init__(self) -> None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
            self._thread.start()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
                response = await inner.handle_async_request(
                    httpx.Request(
                        request.method, request.url, headers=request.headers, content=request.read()
                    )
                )
                return response.status_code, response.headers.raw, await response.aread()

            running = asyncio.run_coroutine_threadsafe(call(), self._loop)
            status, headers, content = running.result()
            return httpx.Response(status, headers=headers, content=content, request=request)

        def close(self) -> None:
            if not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
                self._loop.close()

    return Transport()


# --- pytest hooks and fixtures ---------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the plaid_sandbox / plaid_sandbox_app fixtures "
        "(client_id, secret, template_id, token_lifetime_seconds, fault, extra_credentials, "
        "extra_template_ids, redirect_uris, android_package_names)",
    )


@pytest.fixture(scope="session")
def _plaid_sandbox_session_options() -> SandboxOptions:
    return random_options()


@pytest.fixture
def plaid_sandbox_options(_plaid_sandbox_session_options: SandboxOptions) -> SandboxOptions:
    """What the sandbox accepts; override this fixture to change the defaults."""
    return _plaid_sandbox_session_options


def _requested_options(request: pytest.FixtureRequest, base: SandboxOptions) -> SandboxOptions:
    """The options with the test's markers applied, checked as the sandbox checks them."""
    from .config import ConfigError, SandboxConfig

    changes: dict[str, Any] = {}
    # Closest marker last: a test's marker wins over its class's and module's.
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
        changes.update(marker.kwargs)
    try:
        options = dataclasses.replace(base, **changes)
    except TypeError as error:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {error}") from None
    try:
        SandboxConfig.from_env(options.environment())
    except ConfigError as error:  # the message never contains a secret
        raise pytest.UsageError(f"plaid_sandbox options: {error}") from None
    return options


class _Servers:
    """Running sandboxes, one per distinct options, stopped at the end of the session."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._running: dict[SandboxOptions, PlaidSandbox] = {}
        self._started = 0
        self._stack = contextlib.ExitStack()

    def start(self, options: SandboxOptions, stack: contextlib.ExitStack) -> PlaidSandbox:
        from .config import CONFIG_JSON_ENV
        from .serving import serve

        # The caller's environment minus any sandbox or Plaid setting: only the options count.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PLAID_") and key != CONFIG_JSON_ENV
        }
        env.update(options.environment())
        self._started += 1
        log_path = self._log_dir / f"sandbox-{self._started}.log"
        server = stack.enter_context(serve(env=env, log_path=log_path))
        return PlaidSandbox(server.base_url, options, server)

    def shared(self, options: SandboxOptions) -> PlaidSandbox:
        sandbox = self._running.get(options)
        if sandbox is None or sandbox.server.process.poll() is not None:
            sandbox = self._running[options] = self.start(options, self._stack)
        return sandbox

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _plaid_sandbox_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    servers = _Servers(tmp_path_factory.mktemp("plaid-sandbox"))
    yield servers
    servers.close()


@pytest.fixture
def plaid_sandbox(
    request: pytest.FixtureRequest,
    plaid_sandbox_options: SandboxOptions,
    _plaid_sandbox_servers: _Servers,
) -> Iterator[PlaidSandbox]:
    """A running offline Plaid Sandbox on a free loopback port."""
    options = _requested_options(request, plaid_sandbox_options)
    if options.fault is None:
        yield _plaid_sandbox_servers.shared(options)
        return
    with contextlib.ExitStack() as own:  # a fault script counts from its first step
        yield _plaid_sandbox_servers.start(options, own)


@pytest.fixture
def plaid_sandbox_app(
    request: pytest.FixtureRequest, plaid_sandbox_options: SandboxOptions
) -> InProcessSandbox:
    """The offline Plaid Sandbox in this process (fresh for each test: its fault counters too)."""
    from .app import create_app
    from .config import SandboxConfig

    options = _requested_options(request, plaid_sandbox_options)
    return InProcessSandbox(create_app(SandboxConfig.from_env(options.environment())), options)
