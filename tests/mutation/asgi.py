"""Composing the real offline sandbox with one divergence: ASGI middleware, never a patch.

``mutate(app, request=..., response=...)`` wraps an ASGI app: the whole request is read into an
``Exchange`` (which a request change may rewrite before the app sees it), the app's whole answer
is captured and may be rewritten before it is sent. ``delay`` and ``drop`` model slow and
broken servers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AsgiApp = Callable[..., Any]
Headers = list[tuple[bytes, bytes]]


@dataclass
class Exchange:
    """One request as the mutant sees it, and its number in the run (1-based)."""

    number: int
    method: str
    path: str
    headers: dict[str, str]  # lower-case names, first value
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()


@dataclass
class Reply:
    """The app's answer, to rewrite."""

    status: int
    headers: Headers
    body: bytes
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def error(self) -> dict[str, Any] | None:
        """The Plaid error object of a non-2xx JSON answer."""
        body = self.json() if self.status >= 400 else None
        return body if isinstance(body, dict) and "error_code" in body else None

    def set_body(self, body: bytes, content_type: bytes | None = None) -> None:
        self.body = body
        kept = [(k, v) for k, v in self.headers if k not in (b"content-length", b"content-type")]
        original = dict(self.headers).get(b"content-type", b"application/json; charset=utf-8")
        self.headers = [
            *kept,
            (b"content-type", content_type or original),
            (b"content-length", str(len(body)).encode()),
        ]

    def set_json(self, value: Any, *, pretty: bool = True) -> None:
        # Pretty is how Plaid (and the sandbox) write errors: json.dumps(indent=2, sort_keys=True).
        indent = 2 if pretty else None
        self.set_body(json.dumps(value, indent=indent, sort_keys=True).encode())


RequestChange = Callable[[Exchange], None]
ResponseChange = Callable[[Exchange, Reply], None]


def mutate(
    app: AsgiApp,
    *,
    request: RequestChange | None = None,
    response: ResponseChange | None = None,
    delay: Callable[[Exchange], float] | None = None,
    drop: Callable[[Exchange], bool] | None = None,
) -> AsgiApp:
    counter = 0

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal counter
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        counter += 1
        exchange = Exchange(
            number=counter,
            method=scope["method"],
            path=scope["path"],
            headers=_first_values(scope["headers"]),
            body=await _read(receive),
        )
        if drop is not None and drop(exchange):
            raise ConnectionAbortedError("mutant: dropped the connection")
        if delay is not None and (seconds := delay(exchange)) > 0:
            await asyncio.sleep(seconds)
        original_headers = dict(exchange.headers)
        if request is not None:
            request(exchange)
        if exchange.headers != original_headers:
            scope = {**scope, "headers": _asgi_headers(exchange.headers)}
        scope = _with_length(scope, exchange.body)
        pending = [{"type": "http.request", "body": exchange.body, "more_body": False}]

        async def replay() -> Any:
            return pending.pop() if pending else await receive()

        captured: dict[str, Any] = {"body": b""}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                captured["status"], captured["headers"] = message["status"], message["headers"]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")

        await app(scope, replay, capture)
        answer = Reply(captured["status"], list(captured["headers"]), captured["body"])
        if response is not None:
            response(exchange, answer)
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": answer.body})

    return wrapped


async def _read(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _first_values(raw: Headers) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


def _asgi_headers(headers: dict[str, str]) -> Headers:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def _with_length(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The request's Content-Length, kept true after a request change rewrote the body."""
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    if any(k.lower() == b"content-length" for k, _ in scope["headers"]):
        headers.append((b"content-length", str(len(body)).encode()))
    return {**scope, "headers": headers}
