"""The raw ASGI application: routing, fault injection, body reading, validation, answering.

Everything here is shared by every endpoint; what is specific to one lives in its module under
``endpoints/`` (its field rules and its success answer), found by ``endpoint.discover``. Raw ASGI
(no framework) keeps a request to about ten microseconds of Python. Apart from the fault counters
the app is stateless, so any number of uvicorn workers behave identically.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Final

from . import catalogue, lifeline
from .config import LOG_LEVELS, SandboxConfig
from .endpoint import Endpoint, Responder, discover, routing_table
from .faults import FaultInjector, FaultScriptError, FaultStep
from .fields import Check, compile_rules
from .responses import (
    HTML_502_BODY,
    STATUS_520_BODY,
    Headers,
    Response,
    error_response,
    new_request_id,
    raw_response,
)
from .validation import Rejection, RequestHeaders, check_headers, parse_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger("plaid_offline_sandbox")
access_logger = logging.getLogger("plaid_offline_sandbox.access")

# Every endpoint module, found when this module loads: whoever imports the app has loaded them
# (hypothesis draws from constants in loaded local modules, so the contract runner's two offline
# modes must load the same ones to send the same cases).
ENDPOINTS: Final = discover()

# Announced length for the `drop` fault; the body never follows.
_DROP_CONTENT_LENGTH = b"1024"


class DropConnection(Exception):
    """Raised after a response has started so the ASGI server aborts the connection."""


class SandboxApp:
    """ASGI callable answering the endpoints' requests like Plaid's Sandbox."""

    def __init__(self, config: SandboxConfig, endpoints: Iterable[Endpoint] | None = None) -> None:
        self.config = config
        self.endpoints = routing_table(ENDPOINTS if endpoints is None else endpoints)
        # Per path: the endpoint's compiled body checks and its answer, worked out once.
        self._routes: dict[str, tuple[Check, Responder]] = {
            path: (compile_rules(endpoint.rules), endpoint.success(config))
            for path, endpoint in self.endpoints.items()
        }
        self.faults = FaultInjector(config.fault_script)
        self._access_log = config.access_log
        if config.access_log and not access_logger.isEnabledFor(logging.INFO):
            access_logger.setLevel(logging.INFO)  # asked for: whatever the sandbox's log level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope_type = scope["type"]
        if scope_type == "lifespan":
            await self._lifespan(receive, send)
        if scope_type != "http":
            return  # other scope types (websocket) are refused by returning without accepting
        # The HTTP request itself, here rather than in a method of its own: one coroutine less
        # per request on the hot path.
        request_id = new_request_id()
        try:
            response = await self._handle(scope, receive, send, request_id)
        except DropConnection:
            if self._access_log:
                _log_request(scope, 0, "DROPPED", request_id)
            raise
        except Exception as exc:
            # Last resort: never crash, answer in Plaid's format. Log only the exception type,
            # since messages from parsers may quote request content.
            logger.error("unhandled %s while serving request %s", type(exc).__name__, request_id)
            response = error_response(catalogue.INTERNAL_SERVER_ERROR, request_id)
        if self._access_log:
            # Before the answer leaves (as uvicorn's own access log): whoever has the answer
            # finds its line in the log.
            _log_request(scope, response.status, response.error_code, request_id)
        await send(
            {"type": "http.response.start", "status": response.status, "headers": response.headers}
        )
        await send({"type": "http.response.body", "body": response.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, request_id: str
    ) -> Response:
        route = self._routes.get(scope["path"])
        if route is None:
            return error_response(catalogue.NOT_FOUND, request_id)
        if scope["method"] != "POST":
            return error_response(catalogue.UNSUPPORTED_METHOD, request_id)

        headers = RequestHeaders.from_asgi(scope["headers"])
        try:
            step = self.faults.step_for(headers.fault_script, headers.fault_id)
        except FaultScriptError as exc:
            return error_response(
                catalogue.INVALID_FAULT_HEADER, request_id, values={"detail": str(exc)}
            )
        if step.kind != "ok":
            faulted = await _apply_fault(step, receive, send, request_id)
            if faulted is not None:
                return faulted

        rejection = check_headers(headers)
        if rejection is not None:
            return _reject(rejection, request_id)

        body = await self._read_body(receive, headers.content_length)
        if body is None:
            limit = {"limit": self.config.max_body_bytes}
            return error_response(catalogue.BODY_TOO_LARGE, request_id, values=limit)
        parsed = parse_body(body)
        if isinstance(parsed, Rejection):
            return _reject(parsed, request_id)
        check_body, answer = route
        rejection = check_body(parsed, headers, self.config)
        if rejection is not None:
            return _reject(rejection, request_id)
        return answer(parsed, request_id)

    async def _read_body(self, receive: Receive, declared_length: str | None) -> bytes | None:
        """The request body, or ``None`` as soon as it is known to exceed the limit."""
        limit = self.config.max_body_bytes
        if declared_length is not None:
            declared = declared_length.strip()
            # isascii: str.isdigit also accepts digits int() refuses; length: int()'s digit limit.
            if (
                declared.isascii()
                and declared.isdigit()
                and (len(declared) > 18 or int(declared) > limit)
            ):
                return None
        message = await receive()
        if message["type"] != "http.request":
            return b""  # http.disconnect: answer with what arrived; the server discards it
        chunk: bytes = message.get("body", b"")
        if not message.get("more_body", False):  # the usual case: one message
            return chunk if len(chunk) <= limit else None
        chunks = [chunk]
        size = len(chunk)
        while size <= limit:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        # Past the limit, reading stops: the rest is never buffered.
        return b"".join(chunks) if size <= limit else None


def _reject(rejection: Rejection, request_id: str) -> Response:
    return error_response(rejection.error, request_id, values=rejection.values)


async def _apply_fault(
    step: FaultStep, receive: Receive, send: Send, request_id: str
) -> Response | None:
    """The response for a fault step, or ``None`` to continue normally (after ``slow``)."""
    kind = step.kind
    if kind == "slow":
        await asyncio.sleep(step.argument or 0.0)
        return None
    if kind == "rate_limit":
        extra: Headers | None = None
        if step.argument is not None:
            extra = [(b"retry-after", str(int(step.argument)).encode("ascii"))]
        return error_response(catalogue.RATE_LIMIT, request_id, extra)
    if kind == "internal_error":
        return error_response(catalogue.INTERNAL_SERVER_ERROR, request_id)
    if kind == "maintenance":
        return error_response(catalogue.PLANNED_MAINTENANCE, request_id)
    if kind == "new_error_type":
        return error_response(catalogue.NEW_FUTURE_ERROR, request_id)
    if kind == "html_502":
        return raw_response(502, b"text/html", HTML_502_BODY, "FAULT_HTML_502")
    if kind == "status_520":
        return raw_response(520, b"text/plain; charset=utf-8", STATUS_520_BODY, "FAULT_520")
    if kind == "drop":
        # Consume the request first: closing a socket with unread input makes the kernel send a
        # reset, which clients report as a different error (ReadError) from time to time.
        await _discard_body(receive)
        # Promise a body, then fail: uvicorn can only abort the connection, so the client sees
        # an incomplete response (a transport error), as with a crashed proxy.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", _DROP_CONTENT_LENGTH),
                ],
            }
        )
        raise DropConnection("fault injection: drop")
    return None


async def _discard_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _log_request(scope: Scope, status: int, error_code: str | None, request_id: str) -> None:
    # Never log credentials or bodies: only method, path, status, error_code and request_id.
    path = repr(str(scope.get("path", ""))[:200])[1:-1]
    access_logger.info(
        "%s %s %d %s request_id=%s",
        scope.get("method", "-"),
        path,
        status,
        error_code or "-",
        request_id,
    )


def create_app(
    config: SandboxConfig | None = None, endpoints: Iterable[Endpoint] | None = None
) -> SandboxApp:
    """Public factory; without a config the documented environment variables are read.

    ``endpoints`` defaults to every module of the ``endpoints`` package (``ENDPOINTS``).
    """
    return SandboxApp(config if config is not None else SandboxConfig.from_env(), endpoints)


class _HideDropTracebacks(logging.Filter):
    """uvicorn logs every exception escaping the app; a requested drop is not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DropConnection)


def configure_logging(level: str) -> None:
    """Send the sandbox's own log lines to stderr (idempotent)."""
    if level not in LOG_LEVELS:
        raise ValueError(f"unknown log level {level!r}")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level.upper())
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDropTracebacks) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(_HideDropTracebacks())


def server_config() -> SandboxConfig:
    """What every uvicorn worker does first: watch the CLI's process, read the configuration
    from the environment, set up logging."""
    lifeline.watch_parent()  # a worker stops when the CLI's process dies
    config = SandboxConfig.from_env()
    configure_logging(config.log_level)
    return config


def create_server_app() -> SandboxApp:
    """Factory used by the CLI in every uvicorn worker (``control.create_server_app`` when it
    was given a control token)."""
    return create_app(server_config())
