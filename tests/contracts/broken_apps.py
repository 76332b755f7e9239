"""The real offline sandbox with one rule broken, for the broken-target tests (both modes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.contracts.helpers import AsgiApp

Scope = dict[str, Any]
StartChange = Callable[[dict[str, Any]], None]


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
