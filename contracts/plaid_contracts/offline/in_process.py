"""The offline sandbox inside the test process (``run --in-process``): no subprocess, no socket.

Every request still goes through the run's ContractSession / ContractTransport, so it is paced,
recorded and masked exactly as over loopback; only the last hop changes:

* schemathesis (and our probes): schemathesis' own in-process ASGI adapter, mounted on our
  requests session. ``schema.app`` is deliberately not set: with it, schemathesis would mine the
  app's source for constants (a different case set than over loopback, seeded with the sandbox's
  literals) and would bypass any session that is not its own client.
* the generated client (sync): ``AsgiThreadTransport``, an httpx transport that runs the app on
  an event loop in a background thread, so the client tests are the same code in both modes.

An exception escaping the app becomes a transport error, which is what a client sees when a real
server aborts the connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import anyio
import httpx
import requests
import requests.adapters
from anyio.from_thread import BlockingPortal, start_blocking_portal
from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import SandboxConfig
from schemathesis.python import asgi

from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.offline.loopback import sandbox_environment

AsgiApp = Callable[..., Any]
# Turns the sandbox's configuration into the app; tests substitute a deliberately broken one.
AppFactory = Callable[[SandboxConfig], AsgiApp]

# Where `nox -s sandbox` listens by default: the run's curl reproductions replay against it.
IN_PROCESS_BASE_URL: Final = "http://127.0.0.1:8100"
SANDBOX_LOGGER: Final = "plaid_offline_sandbox"


def sandbox_config(
    credentials: Credentials,
    fixtures: Mapping[str, str],
    token_lifetime_seconds: int,
    *,
    access_log: bool = False,
) -> SandboxConfig:
    """The configuration SandboxProcess' subprocess builds: from the same environment."""
    return SandboxConfig.from_env(
        sandbox_environment(credentials, fixtures, token_lifetime_seconds, access_log=access_log)
    )


def sandbox_app(config: SandboxConfig) -> AsgiApp:
    return create_app(config)


class AppErrorAsConnectionError(requests.adapters.BaseAdapter):
    """Wraps schemathesis' ASGI adapter: an app crash reads as an aborted connection."""

    def __init__(self, inner: requests.adapters.BaseAdapter) -> None:
        super().__init__()
        self._inner = inner

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return self._inner.send(request, *args, **kwargs)
        except requests.RequestException:
            raise
        except Exception as exc:
            message = f"the in-process app raised {type(exc).__name__}"
            raise requests.ConnectionError(message, request=request) from exc

    def close(self) -> None:
        self._inner.close()


def mount(session: requests.Session, app: AsgiApp) -> None:
    """Answer every request of ``session`` with ``app``, in this process."""
    adapter = AppErrorAsConnectionError(asgi.get_client(app).adapter)
    session.mount("http://", adapter)
    session.mount("https://", adapter)


class AsgiThreadTransport(httpx.BaseTransport):
    """A sync httpx transport answering with an ASGI app run on the portal's event loop."""

    def __init__(self, app: AsgiApp, portal: BlockingPortal) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._portal.call(self._handle, request)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        # The read timeout a socket would enforce (the ASGI transport has none).
        read_timeout = request.extensions.get("timeout", {}).get("read")
        try:
            with anyio.fail_after(read_timeout):
                response = await self._asgi.handle_async_request(request)
                content = await response.aread()
        except TimeoutError:
            message = f"the in-process app did not answer within {read_timeout} s"
            raise httpx.ReadTimeout(message, request=request) from None
        except Exception as exc:
            message = f"the in-process app raised {type(exc).__name__}"
            raise httpx.RemoteProtocolError(message, request=request) from exc
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )


@dataclass(frozen=True)
class InProcessSandbox:
    app: AsgiApp
    portal: BlockingPortal

    def client_transport(self) -> AsgiThreadTransport:
        return AsgiThreadTransport(self.app, self.portal)


@contextmanager
def running(app: AsgiApp, log_path: Path) -> Iterator[InProcessSandbox]:
    """The app with its lifespan started (as uvicorn does), its log lines in ``log_path``."""
    with ExitStack() as stack:
        stack.enter_context(_sandbox_log(log_path))
        portal = stack.enter_context(start_blocking_portal())
        # Entering schemathesis' client runs the app's lifespan startup once for the run; the
        # callback runs its shutdown, as uvicorn would when the sandbox process stops.
        stack.callback(asgi.shutdown_lifespans)
        stack.enter_context(asgi.get_client(app))
        yield InProcessSandbox(app, portal)


@contextmanager
def _sandbox_log(log_path: Path) -> Iterator[None]:
    """The sandbox's warnings into sandbox.log, as the subprocess' --log-level warning does, and
    its access log's line per request (its own logger, at INFO when the configuration asks)."""
    logger = logging.getLogger(SANDBOX_LOGGER)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # not into pytest's captured logs or the console
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.level, logger.propagate = saved
