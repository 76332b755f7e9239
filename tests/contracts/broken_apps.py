"""The real offline sandbox with one rule broken, for the broken-target tests (both modes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.contracts.helpers import AsgiApp

Scope = dict[str, Any]
StartChange = Callable[[dict[str, Any]], None]
AppWrapper = Callable[[AsgiApp], AsgiApp]


def rewrite_start(app: AsgiApp, change: StartChange) -> AsgiApp:
    """The app, with every response start message passed through ``change``."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        async def patched_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                change(message)
            await send(message)

        await app(scope, receive, patched_send)

    return wrapped


def plain_text_content_type(message: dict[str, Any]) -> None:
    message["headers"] = [
        (name, b"text/plain") if name.lower() == b"content-type" else (name, value)
        for name, value in message["headers"]
    ]


def created_instead_of_ok(message: dict[str, Any]) -> None:
    if message["status"] == 200:
        message["status"] = 201


# name -> (change, the schemathesis check that must catch it)
BROKEN_RULES: dict[str, tuple[StartChange, str]] = {
    "wrong-content-type": (plain_text_content_type, "content_type_conformance"),
    "wrong-status": (created_instead_of_ok, "response_schema_conformance"),
}


def drop_body_credentials(app: AsgiApp) -> AsgiApp:
    """The app, aborting (raising) on every request whose body carries ``client_id``/``secret``.

    In-process that reads as a dropped connection: the generated client raises a transport
    error in the middle of its call, with the request body (credentials) among its frames'
    arguments, which is what a failure report must not print.
    """

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if b'"secret"' in body or b'"client_id"' in body:
            raise ConnectionAbortedError("broken target: dropped a request with body credentials")
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Any:
            return pending.pop() if pending else await receive()

        await app(scope, replay, send)

    return wrapped


# Rules that are not about one check: the run fails with errors rather than a check failure.
DROPS_BODY_CREDENTIALS = "drops-body-credentials"


def app_wrapper(rule: str) -> AppWrapper:
    """What turns the real sandbox app into the broken one for ``rule``."""
    if rule == DROPS_BODY_CREDENTIALS:
        return drop_body_credentials
    change, _ = BROKEN_RULES[rule]
    return lambda app: rewrite_start(app, change)
