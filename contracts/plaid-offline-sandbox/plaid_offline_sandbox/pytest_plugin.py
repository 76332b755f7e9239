"""pytest plugin: the offline Plaid Sandbox in your own tests.

Installing ``plaid-offline-sandbox`` registers it (entry point ``pytest11``); with plugin autoload
off, add ``pytest_plugins = ["plaid_offline_sandbox.pytest_plugin"]`` to your root conftest.py.

Fixtures:

* ``plaid_sandbox``: a running sandbox (its own process, a free loopback port) as a
  ``PlaidSandbox``: ``base_url``, ``client_id``, ``secret``, ``template_id``.
* ``plaid_sandbox_app``: the same sandbox inside the test process, as an ``InProcessSandbox``
  with httpx transports (``transport()``, ``async_transport()``): no process, no socket.
* ``plaid_sandbox_module`` / ``plaid_sandbox_session`` and ``plaid_sandbox_app_module`` /
  ``plaid_sandbox_app_session``: the same for module- and session-scoped fixtures.
* ``plaid_sandbox_options``: what they accept (``SandboxOptions``). Override it in a conftest.py
  to change the defaults, or change them per test with the marker::

      @pytest.mark.plaid_sandbox(fault="internal_error,ok", token_lifetime_seconds=1800)

Every test that uses a sandbox, whatever the fixture's scope, starts from a clean one: no record,
no queued answer, every fault counter at its first step. In the test, ``requests`` and
``last_request`` say what reached it (``SandboxRequest``, credentials masked),
``respond_with_error`` / ``respond_with`` queue answers for the next requests and
``fault_headers`` gives fault headers to send; a passing test that left a script or an answer
unused gets an ``UnusedFaultWarning``. A sandbox in its own process is steered through its control
API (``control.py``).

By default the credentials are random in Plaid's formats (24 / 30 lowercase hex characters) and
the template id is Dashboard-style, fresh for each test session, so code under test cannot lean
on values that only the sandbox accepts. Servers are shared by the fixtures that ask for the same
options. Nothing is imported or started until a test asks for a fixture.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import secrets
import string
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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


class SandboxHeaders(Mapping[str, str]):
    """A recorded request's headers: names looked up case-insensitively, first value wins."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items = tuple(items)
        self._first: dict[str, str] = {}
        for name, value in self._items:
            self._first.setdefault(name.lower(), value)

    def __getitem__(self, name: str) -> str:
        return self._first[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def multi_items(self) -> tuple[tuple[str, str], ...]:
        """Every header as received (names lower-cased), repeats included."""
        return self._items

    def __repr__(self) -> str:
        return f"SandboxHeaders({list(self._items)!r})"


@dataclass(frozen=True)
class SandboxRequest:
    """A request the sandbox received in this test, with what it answered.

    Credentials are masked (``***``) in ``headers`` (``PLAID-CLIENT-ID``, ``PLAID-SECRET``,
    ``Authorization``, ``Cookie``) and in the body (``client_id``, ``secret``). ``json`` is the
    parsed body (``None`` when it is not JSON or over 64 KiB); ``status`` is ``None`` when the
    sandbox dropped the connection (the ``drop`` fault); ``error_code`` and ``request_id`` are
    the answer's (``None`` when it has none).
    """

    method: str
    path: str
    headers: SandboxHeaders
    json: Any
    status: int | None
    error_code: str | None
    request_id: str | None


class UnusedFaultWarning(UserWarning):
    """A fault script or forced answer of a passing test that was not used up."""


class _Steering:
    """One sandbox's control for the test that is running: reset at its start, checked at its
    end (a server shared by several fixtures has one)."""

    def __init__(self, control: _Control, options: SandboxOptions) -> None:
        self.control = control
        self.options = options
        self.nodeid: str | None = None
        self.expected: list[tuple[str, str | None]] = []

    def begin(self, nodeid: str) -> None:
        if nodeid != self.nodeid:
            self.control.begin()
            self.nodeid, self.expected = nodeid, []

    def unused(self) -> list[str]:
        """What this test asked for and the sandbox never got to, one line each."""
        state = self.control.state()
        sent = [SandboxHeaders(map(tuple, r["headers"])) for r in state["requests"]]
        from .faults import HEADER, ID_HEADER

        lines = []
        for script, fault_id in dict.fromkeys(self.expected):
            steps = len(script.split(","))
            count = sum(1 for h in sent if h.get(HEADER) == script and h.get(ID_HEADER) == fault_id)
            if fault_id is None and (count == 0 or steps > 1):
                lines.append(
                    f"fault script {script!r} without a fault_id: {count} request(s) sent it, and "
                    "without an id every request gets its first step only"
                )
            elif count < steps:
                lines.append(
                    f"fault script {script!r} (fault_id {fault_id!r}): {count} request(s) for "
                    f"its {steps} step(s)"
                )
        server_script = self.options.fault
        if server_script and state["server_fault_requests"] < len(server_script.split(",")):
            lines.append(
                f"server-wide fault script {server_script!r}: {state['server_fault_requests']} "
                f"request(s) for its {len(server_script.split(','))} step(s)"
            )
        lines.extend(
            f"forced answer {queued['label']} still queued for {queued['times']} request(s)"
            for queued in state["queued"]
        )
        return lines


class _Accepts:
    """What a sandbox fixture accepts, what it received in this test, and how to steer it."""

    options: SandboxOptions
    _steering: _Steering

    @property
    def client_id(self) -> str:
        return self.options.client_id

    @property
    def secret(self) -> str:
        return self.options.secret

    @property
    def template_id(self) -> str:
        return self.options.template_id

    def fault_headers(self, script: str, fault_id: str | None = None) -> dict[str, str]:
        """Headers asking for a fault script on the requests that carry them.

        Step *n* answers the *n*-th request of this test with the same ``fault_id`` (counters
        start afresh in every test); the last step repeats; without a ``fault_id`` every request
        gets the first step. A script the test did not use up is reported when it passes
        (``UnusedFaultWarning``).
        """
        from .faults import parse_script

        parse_script(script)  # a typo fails here, not as an INVALID_HEADERS answer later
        self._steering.expected.append((script, fault_id))
        return fault_headers(script, fault_id)

    @property
    def requests(self) -> list[SandboxRequest]:
        """The requests this sandbox received in this test, oldest first (at most 1,000)."""
        return [
            SandboxRequest(
                method=r["method"],
                path=r["path"],
                headers=SandboxHeaders(map(tuple, r["headers"])),
                json=r["json"],
                status=r["status"],
                error_code=r["error_code"],
                request_id=r["request_id"],
            )
            for r in self._steering.control.state()["requests"]
        ]

    @property
    def last_request(self) -> SandboxRequest:
        """The latest request of this test; ``LookupError`` when there was none."""
        received = self.requests
        if not received:
            raise LookupError("no request reached the plaid sandbox in this test")
        return received[-1]

    def respond_with_error(
        self,
        error_code: str,
        *,
        error_type: str | None = None,
        status: int | None = None,
        error_message: str | None = None,
        display_message: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests of this test with a Plaid error.

        A code of the catalogue (``INVALID_API_KEYS``, ``RATE_LIMIT``, ``INTERNAL_SERVER_ERROR``,
        ``PLANNED_MAINTENANCE``, ``INVALID_FIELD``, ...) brings its ``error_type``, status and
        message; any other needs ``error_type=`` and ``status=``. The body is Plaid's envelope
        with a fresh ``request_id`` per answer. Queued answers come before faults and checks.
        """
        from .control import error_answer

        answer = error_answer(
            error_code,
            error_type=error_type,
            status=status,
            error_message=error_message,
            display_message=display_message,
        )
        self._steering.control.queue(answer, times)

    def respond_with(
        self,
        status: int,
        *,
        json: object = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests of this test with any status and body."""
        from .control import custom_answer

        answer = custom_answer(status, json_body=json, content=content, headers=headers)
        self._steering.control.queue(answer, times)


@dataclass(frozen=True)
class PlaidSandbox(_Accepts):
    """A running sandbox: point your client at ``base_url`` with these credentials."""

    base_url: str
    options: SandboxOptions
    server: RunningSandbox = dataclasses.field(repr=False)
    _steering: _Steering = dataclasses.field(repr=False)

    def log_text(self) -> str:
        """What the sandbox printed (its banner, warnings, errors)."""
        return self.server.log_text()


@dataclass(frozen=True)
class InProcessSandbox(_Accepts):
    """The sandbox's ASGI app in this process; give a client one of its transports."""

    app: SandboxApp = dataclasses.field(repr=False)
    options: SandboxOptions
    _steering: _Steering = dataclasses.field(repr=False)
    base_url: str = "http://plaid-sandbox.test"

    def transport(self) -> httpx.BaseTransport:
        """For ``httpx.Client`` (and clients built on it): the app on a private event loop."""
        return _sync_transport(self.app)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """For ``httpx.AsyncClient``."""
        return _async_transport(self.app)


class _Control(Protocol):
    def begin(self) -> None: ...
    def state(self) -> dict[str, Any]: ...
    def queue(self, answer: Mapping[str, Any], times: int) -> None: ...


class _RemoteControl:
    """The control API of a sandbox in its own process (``control.py``), over loopback."""

    def __init__(self, port: int, token: str) -> None:
        self._port = port
        self._token = token

    def _call(self, method: str, action: str, payload: object = None) -> Any:
        import http.client

        from .control import CONTROL_PREFIX, TOKEN_HEADER, ControlError

        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
        try:
            body = None if payload is None else json.dumps(payload)
            connection.request(method, CONTROL_PREFIX + action, body, {TOKEN_HEADER: self._token})
            response = connection.getresponse()
            answer = json.loads(response.read())
        finally:
            connection.close()
        if response.status != 200:
            raise ControlError(answer.get("error", "the sandbox refused a control request"))
        return answer

    def begin(self) -> None:
        self._call("POST", "begin")

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self._call("GET", "state")
        return state

    def queue(self, answer: Mapping[str, Any], times: int) -> None:
        self._call("POST", "answer", {"answer": answer, "times": times})


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

# The sandboxes of the fixtures now set up, with the fixture's name: the tests that use one (its
# name is in their fixture closure) get it reset at their start and checked at their end.
_LIVE = pytest.StashKey[list[tuple[str, _Accepts]]]()
_CURRENT = pytest.StashKey[str]()
_PASSED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the plaid_sandbox / plaid_sandbox_app fixtures "
        "(client_id, secret, template_id, token_lifetime_seconds, fault, extra_credentials, "
        "extra_template_ids, redirect_uris, android_package_names)",
    )
    config.stash[_LIVE] = []


def _used_by(item: pytest.Item) -> list[_Steering]:
    names = set(getattr(item, "fixturenames", ()))
    used = [sandbox._steering for name, sandbox in item.config.stash[_LIVE] if name in names]
    return list(dict.fromkeys(used))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.config.stash[_CURRENT] = item.nodeid
    for steering in _used_by(item):  # wider-scoped sandboxes set up by an earlier test
        steering.begin(item.nodeid)
    outcome = yield
    if outcome.excinfo is None:  # type: ignore[attr-defined]
        # Registered last, so run first at teardown: before the sandbox fixtures' own.
        for steering in _used_by(item):
            if steering.nodeid == item.nodeid:
                item.addfinalizer(functools.partial(_report_unused, item, steering))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_PASSED] = report.passed


def _report_unused(item: pytest.Item, steering: _Steering) -> None:
    # Only for a passing test: there an unused fault means it passed without testing what it
    # meant to (a failing one is red already).
    if not item.stash.get(_PASSED, False):
        return
    unused = steering.unused()
    if unused:
        message = (
            f"{item.nodeid}: the plaid sandbox was asked for answers it never gave: "
            + "; ".join(unused)
            + ". Step n of a fault script answers the n-th request with its fault_id "
            "(the last step repeats)."
        )
        # Located at the test, not here: the warnings summary points at the test.
        _, line, _ = item.location
        warnings.warn_explicit(
            UnusedFaultWarning(message), UnusedFaultWarning, str(item.path), (line or 0) + 1
        )


@contextlib.contextmanager
def _live(request: pytest.FixtureRequest, sandbox: _Accepts) -> Iterator[None]:
    """Reset ``sandbox`` for the running test and keep it reset for each later one in scope."""
    live = request.config.stash[_LIVE]
    entry = (request.fixturename or "", sandbox)
    sandbox._steering.begin(request.config.stash.get(_CURRENT, ""))
    live.append(entry)
    try:
        yield
    finally:
        live.remove(entry)


@pytest.fixture(scope="session")
def _plaid_sandbox_session_options() -> SandboxOptions:
    return random_options()


@pytest.fixture(scope="session")
def plaid_sandbox_options(_plaid_sandbox_session_options: SandboxOptions) -> SandboxOptions:
    """What the sandbox accepts; override this fixture to change the defaults (at session or
    module scope for the ``_module`` / ``_session`` fixtures)."""
    return _plaid_sandbox_session_options


def _requested_options(request: pytest.FixtureRequest, base: SandboxOptions) -> SandboxOptions:
    """The options with the markers of the fixture's node applied, checked as the sandbox
    checks them (a module-scoped fixture sees the module's ``pytestmark``)."""
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

    def _start(self, options: SandboxOptions) -> PlaidSandbox:
        from .config import CONFIG_JSON_ENV, ENV_CONTROL_TOKEN
        from .serving import serve

        # The caller's environment minus any sandbox or Plaid setting: only the options count.
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PLAID_") and key != CONFIG_JSON_ENV
        }
        token = secrets.token_hex(16)
        env.update(options.environment(), **{ENV_CONTROL_TOKEN: token})
        self._started += 1
        log_path = self._log_dir / f"sandbox-{self._started}.log"
        server = self._stack.enter_context(serve(env=env, log_path=log_path))
        steering = _Steering(_RemoteControl(server.port, token), options)
        return PlaidSandbox(server.base_url, options, server, steering)

    def shared(self, options: SandboxOptions) -> PlaidSandbox:
        sandbox = self._running.get(options)
        if sandbox is None or sandbox.server.process.poll() is not None:
            sandbox = self._running[options] = self._start(options)
        return sandbox

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _plaid_sandbox_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    servers = _Servers(tmp_path_factory.mktemp("plaid-sandbox"))
    yield servers
    servers.close()


def _running(
    request: pytest.FixtureRequest, options: SandboxOptions, servers: _Servers
) -> Iterator[PlaidSandbox]:
    sandbox = servers.shared(_requested_options(request, options))
    with _live(request, sandbox):
        yield sandbox


def _in_process(
    request: pytest.FixtureRequest, options: SandboxOptions
) -> Iterator[InProcessSandbox]:
    from .config import SandboxConfig
    from .control import ControlledSandboxApp

    chosen = _requested_options(request, options)
    app = ControlledSandboxApp(SandboxConfig.from_env(chosen.environment()))
    sandbox = InProcessSandbox(app, chosen, _Steering(app.control, chosen))
    with _live(request, sandbox):
        yield sandbox


@pytest.fixture
def plaid_sandbox(
    request: pytest.FixtureRequest,
    plaid_sandbox_options: SandboxOptions,
    _plaid_sandbox_servers: _Servers,
) -> Iterator[PlaidSandbox]:
    """A running offline Plaid Sandbox on a free loopback port, reset for this test."""
    yield from _running(request, plaid_sandbox_options, _plaid_sandbox_servers)


@pytest.fixture(scope="module")
def plaid_sandbox_module(
    request: pytest.FixtureRequest,
    plaid_sandbox_options: SandboxOptions,
    _plaid_sandbox_servers: _Servers,
) -> Iterator[PlaidSandbox]:
    """``plaid_sandbox`` for module-scoped fixtures (options: the module's marker); still reset
    at the start of every test that uses it."""
    yield from _running(request, plaid_sandbox_options, _plaid_sandbox_servers)


@pytest.fixture(scope="session")
def plaid_sandbox_session(
    request: pytest.FixtureRequest,
    plaid_sandbox_options: SandboxOptions,
    _plaid_sandbox_servers: _Servers,
) -> Iterator[PlaidSandbox]:
    """``plaid_sandbox`` for session-scoped fixtures; still reset for every test that uses it."""
    yield from _running(request, plaid_sandbox_options, _plaid_sandbox_servers)


@pytest.fixture
def plaid_sandbox_app(
    request: pytest.FixtureRequest, plaid_sandbox_options: SandboxOptions
) -> Iterator[InProcessSandbox]:
    """The offline Plaid Sandbox in this process, fresh for this test."""
    yield from _in_process(request, plaid_sandbox_options)


@pytest.fixture(scope="module")
def plaid_sandbox_app_module(
    request: pytest.FixtureRequest, plaid_sandbox_options: SandboxOptions
) -> Iterator[InProcessSandbox]:
    """``plaid_sandbox_app`` for module-scoped fixtures; reset for every test that uses it."""
    yield from _in_process(request, plaid_sandbox_options)


@pytest.fixture(scope="session")
def plaid_sandbox_app_session(
    request: pytest.FixtureRequest, plaid_sandbox_options: SandboxOptions
) -> Iterator[InProcessSandbox]:
    """``plaid_sandbox_app`` for session-scoped fixtures; reset for every test that uses it."""
    yield from _in_process(request, plaid_sandbox_options)
