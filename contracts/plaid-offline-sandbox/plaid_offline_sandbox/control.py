"""What a test sees and steers in one sandbox: the requests it received and forced answers.

Off unless asked for: the pytest plugin builds its sandboxes as ``ControlledSandboxApp`` (in
process) or starts the server with ``PLAID_SANDBOX_CONTROL_TOKEN`` (a subprocess, one worker),
and nothing else does, so the contract runs, the bench and the CLI's defaults run the plain app.

* **Per test**: ``begin()`` forgets the record, the queued answers and every fault counter, so a
  test's fault ids count from their first step whatever an earlier test sent.
* **The record**: method, path, headers and the JSON body of every request (credentials masked
  here, before anything leaves the server), with the answer's status, ``error_code`` and
  ``request_id``. Kept raw and decoded only when asked for; bounded (``MAX_RECORDED`` requests,
  bodies up to ``MAX_RECORDED_BODY_BYTES``).
* **Forced answers**: queued, each for the next *n* requests that reach an endpoint (routed
  POSTs), before faults and validation.
* **The control API** (a subprocess): ``POST /__plaid_sandbox__/begin``,
  ``GET /__plaid_sandbox__/state``, ``POST /__plaid_sandbox__/answer`` with the header
  ``Plaid-Sandbox-Control-Token``; without the right token the path is an unknown route, as on
  Plaid. Control requests are never recorded.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from . import catalogue
from .app import DropConnection, SandboxApp, server_config
from .catalogue import PlaidErrorDef, documentation_url
from .config import SandboxConfig
from .endpoint import Endpoint
from .faults import FaultInjector
from .responses import JSON_CONTENT_TYPE, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CONTROL_PREFIX: Final = "/__plaid_sandbox__/"
TOKEN_HEADER: Final = "Plaid-Sandbox-Control-Token"
MAX_RECORDED: Final = 1000
MAX_RECORDED_BODY_BYTES: Final = 64 * 1024
MAX_QUEUED: Final = 1000
MASK: Final = "***"
# Header names whose values are credentials (Plaid's two, and the usual ones of HTTP).
MASKED_HEADERS: Final = frozenset(
    {"plaid-client-id", "plaid-secret", "authorization", "proxy-authorization", "cookie"}
)
# Body fields Plaid reads credentials from.
MASKED_FIELDS: Final = frozenset({"client_id", "secret"})

# Plaid's documented errors a test can force by error_code alone (https://plaid.com/docs/errors/;
# the rate-limit code is the sandbox's assumption, as Plaid documents none for this route).
FORCEABLE: Final[Mapping[str, PlaidErrorDef]] = {
    error.error_code: error
    for error in (
        catalogue.MISSING_FIELDS,
        catalogue.UNKNOWN_FIELDS,
        catalogue.INVALID_FIELD,
        catalogue.INVALID_BODY,
        catalogue.INVALID_HEADERS,
        catalogue.NOT_FOUND,
        catalogue.INVALID_API_KEYS,
        catalogue.RATE_LIMIT,
        catalogue.INTERNAL_SERVER_ERROR,
        catalogue.PLANNED_MAINTENANCE,
    )
}
# Messages for the catalogue's templates when the test gives none: Plaid's own examples.
_EXAMPLE_VALUES: Final = {
    "fields": "user",
    "detail": "client_id must be a properly formatted, non-empty string",
}


class ControlError(ValueError):
    """A forced answer that cannot be given; the message says what is allowed."""


def error_answer(
    error_code: str,
    *,
    error_type: str | None = None,
    status: int | None = None,
    error_message: str | None = None,
    display_message: str | None = None,
) -> dict[str, Any]:
    """The spec of a Plaid error answer: a catalogue entry, or any type/code/status given."""
    known = FORCEABLE.get(error_code)
    if known is not None and error_type in (None, known.error_type):
        error_type = known.error_type
        status = known.status if status is None else status
        if error_message is None:
            error_message = known.message.format(**_EXAMPLE_VALUES)
    elif error_type is None or status is None:
        raise ControlError(
            f"error_code {error_code!r} is not in the catalogue ({', '.join(sorted(FORCEABLE))}):"
            " give error_type= and status= as Plaid documents them"
        )
    _check_status(status)
    return {
        "error": {
            "display_message": display_message,
            "error_code": error_code,
            "error_message": error_message or "",
            "error_type": error_type,
        },
        "status": status,
    }


def custom_answer(
    status: int,
    *,
    json_body: object = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The spec of any answer: a JSON body (Plaid's content type) or raw bytes."""
    _check_status(status)
    if content is not None and json_body is not None:
        raise ControlError("give json= or content=, not both")
    # The sandbox sets content-length from the body.
    kept = {name.lower(): value for name, value in (headers or {}).items()}
    kept.pop("content-length", None)
    if content is None:
        content = json.dumps(json_body).encode() if json_body is not None else b""
        if json_body is not None:
            kept.setdefault("content-type", JSON_CONTENT_TYPE.decode())
    return {
        "content": base64.b64encode(content).decode("ascii"),
        "headers": sorted(kept.items()),
        "status": status,
    }


def _check_status(status: object) -> None:
    if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
        raise ControlError("status must be an HTTP status from 200 to 599")


def _render(answer: Mapping[str, Any], request_id: str) -> Response:
    status = int(answer["status"])
    error = answer.get("error")
    if error is not None:
        envelope = {
            **error,
            "documentation_url": documentation_url(error["error_type"]),
            "request_id": request_id,
            "suggested_action": None,
        }
        body = json.dumps(envelope, indent=2, sort_keys=True).encode("ascii")
        headers = [(b"content-type", JSON_CONTENT_TYPE)]
        label = str(error["error_code"])
    else:
        body = base64.b64decode(answer["content"])
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in answer["headers"]
        ]
        label = f"FORCED_{status}"
    headers.append((b"content-length", b"%d" % len(body)))
    return Response(status, headers, body, label)


@dataclass
class _Recorded:
    method: str
    path: str
    headers: list[tuple[bytes, bytes]]
    body: bytes | None  # None: larger than MAX_RECORDED_BODY_BYTES
    status: int | None = None  # None: the connection was dropped
    answer: bytes = b""


class Control:
    """The per-test state of one app."""

    def __init__(self, app: ControlledSandboxApp) -> None:
        self._app = app
        self.begin()

    def begin(self) -> None:
        """A new test: no record, no queued answer, every fault counter at its first step."""
        self._recorded: deque[_Recorded] = deque(maxlen=MAX_RECORDED)
        self._total = 0
        self._queued: deque[list[Any]] = deque()  # [answer spec, times left]
        self._app.faults = FaultInjector(self._app.config.fault_script)

    def queue(self, answer: Mapping[str, Any], times: int) -> None:
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            raise ControlError("times must be a whole number of requests, at least 1")
        if len(self._queued) >= MAX_QUEUED:
            raise ControlError(f"at most {MAX_QUEUED} queued answers")
        _render(answer, "x")  # refuse a malformed spec now, not at a request
        self._queued.append([dict(answer), times])

    def take(self, request_id: str) -> Response | None:
        """The forced answer for this request, if one is queued."""
        if not self._queued:
            return None
        entry = self._queued[0]
        entry[1] -= 1
        if entry[1] == 0:
            self._queued.popleft()
        return _render(entry[0], request_id)

    def record(self, entry: _Recorded) -> None:
        self._total += 1
        self._recorded.append(entry)

    def state(self) -> dict[str, Any]:
        """Everything a test may read, as JSON-able data, credentials masked."""
        return {
            "requests": [_describe(entry) for entry in self._recorded],
            "not_kept": self._total - len(self._recorded),
            "queued": [{"label": _label(answer), "times": times} for answer, times in self._queued],
            "server_fault_requests": self._app.faults.server_requests,
        }


def _label(answer: Mapping[str, Any]) -> str:
    error = answer.get("error")
    return str(error["error_code"]) if error else f"status {answer['status']}"


def _describe(entry: _Recorded) -> dict[str, Any]:
    headers = [
        [name, MASK if name in MASKED_HEADERS else value]
        for name, value in (
            (raw_name.decode("latin-1").lower(), raw_value.decode("latin-1"))
            for raw_name, raw_value in entry.headers
        )
    ]
    body = _json_or_none(entry.body)
    if isinstance(body, dict):
        body = {key: MASK if key in MASKED_FIELDS else value for key, value in body.items()}
    answer = _json_or_none(entry.answer)
    answered = answer if isinstance(answer, dict) else {}
    return {
        "method": entry.method,
        "path": entry.path,
        "headers": headers,
        "json": body,
        "status": entry.status,
        "error_code": _str_or_none(answered.get("error_code")),
        "request_id": _str_or_none(answered.get("request_id")),
    }


def _json_or_none(content: bytes | None) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def _buffered(receive: Receive, limit: int) -> tuple[bytes, bool, Receive]:
    """Read the body (up to just past ``limit``) and a ``receive`` that gives it again."""
    chunks: list[bytes] = []
    size = 0
    message = await receive()
    while message["type"] == "http.request":
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or size > limit:
            break
        message = await receive()
    body = b"".join(chunks)
    complete = message["type"] == "http.request" and not message.get("more_body", False)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        if message["type"] != "http.request":
            return message
        return {"type": "http.request", "body": body, "more_body": not complete}

    return body, complete, replay


class ControlledSandboxApp(SandboxApp):
    """The sandbox with a record of its requests, forced answers and the control API."""

    def __init__(
        self,
        config: SandboxConfig,
        endpoints: Iterable[Endpoint] | None = None,
        token: str | None = None,
    ) -> None:
        super().__init__(config, endpoints)
        self._token = token.encode("latin-1") if token else None
        self.control = Control(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if self._token is not None and scope["path"].startswith(CONTROL_PREFIX):
            token = dict(scope["headers"]).get(TOKEN_HEADER.lower().encode())
            if token == self._token:
                await self._serve_control(scope, receive, send)
                return
        body, complete, receive = await _buffered(receive, self.config.max_body_bytes)
        entry = _Recorded(
            scope["method"],
            scope["path"],
            list(scope["headers"]),
            body if complete and len(body) <= MAX_RECORDED_BODY_BYTES else None,
        )

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            elif message["type"] == "http.response.body":
                entry.answer += message.get("body", b"")
            await send(message)

        try:
            await super().__call__(scope, receive, send_and_keep)
        except DropConnection:
            entry.status = None  # the `drop` fault: headers sent, then the connection cut
            raise
        finally:
            self.control.record(entry)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, request_id: str
    ) -> Response:
        if scope["method"] == "POST" and scope["path"] in self._routes:
            forced = self.control.take(request_id)
            if forced is not None:
                return forced
        return await super()._handle(scope, receive, send, request_id)

    async def _serve_control(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, _, _ = await _buffered(receive, self.config.max_body_bytes)
        action = scope["path"][len(CONTROL_PREFIX) :]
        status, answer = 200, {}
        try:
            if action == "begin" and scope["method"] == "POST":
                self.control.begin()
            elif action == "state" and scope["method"] == "GET":
                answer = self.control.state()
            elif action == "answer" and scope["method"] == "POST":
                spec = json.loads(body)
                self.control.queue(spec["answer"], spec["times"])
            else:
                status, answer = 404, {"error": f"no control action {action[:40]!r}"}
        except (ControlError, KeyError, TypeError, ValueError) as error:
            status, answer = 400, {"error": str(error)}
        content = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", JSON_CONTENT_TYPE),
                    (b"content-length", b"%d" % len(content)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


def create_server_app() -> ControlledSandboxApp:
    """The CLI's uvicorn factory when ``PLAID_SANDBOX_CONTROL_TOKEN`` is set (one worker)."""
    config = server_config()
    return ControlledSandboxApp(config, token=config.control_token)
