"""Helpers for the offline sandbox tests: clients, a server launcher and envelope assertions.

Both clients expose the same synchronous ``request`` interface returning ``httpx.Response`` so
one rule table can be parametrised over both transports.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from plaid_offline_sandbox.config import (
    CONFIG_JSON_ENV,
    DEFAULT_CLIENT_ID,
    DEFAULT_SECRET,
    DEFAULT_TEMPLATE_ID,
)
from plaid_tools.fuzz.verdict import ENVELOPE_KEYS, REQUEST_ID

ENDPOINT = "/session/token/create"
FIXED_NOW = datetime(2026, 3, 10, 9, 13, 3, 987654, tzinfo=UTC)
AUTH_HEADERS = {"PLAID-CLIENT-ID": DEFAULT_CLIENT_ID, "PLAID-SECRET": DEFAULT_SECRET}
JSON_HEADERS = {"Content-Type": "application/json"}
VALID_BODY: dict[str, Any] = {
    "template_id": DEFAULT_TEMPLATE_ID,
    "user": {"client_user_id": "user-1"},
}


def banner_curl(banner: str, path: str = ENDPOINT) -> str:
    """The start-up banner's curl for ``path`` (it prints one per endpoint), as a reader copies
    it."""
    start = banner.rindex("    curl ", 0, banner.index(f"{path} \\\n"))
    lines = []
    for line in banner[start:].splitlines():
        lines.append(line)
        if not line.endswith("\\"):
            break
    return "\n".join(lines)


class Client(Protocol):
    kind: str

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response: ...


class AsgiClient:
    """httpx.AsyncClient over ASGITransport, driven synchronously on a private event loop."""

    kind = "asgi"

    def __init__(self, app: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return self._loop.run_until_complete(
            self._client.request(method, url, content=content, headers=headers)
        )

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


class HttpClient:
    """A real HTTP client against a running server."""

    kind = "http"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._client = httpx.Client(base_url=base_url, timeout=30)

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return self._client.request(method, url, content=content, headers=headers)

    def close(self) -> None:
        self._client.close()


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without any sandbox configuration, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLAID_") and key != CONFIG_JSON_ENV
    }
    env.update(extra)
    return env


def post(
    client: Client,
    body: object = None,
    *,
    raw: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    auth: bool = True,
    content_type: str | None = "application/json",
) -> httpx.Response:
    """POST to the endpoint; ``body`` is JSON-encoded unless ``raw`` is given."""
    all_headers: dict[str, str] = {}
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    if auth:
        all_headers.update(AUTH_HEADERS)
    all_headers.update(headers or {})
    content = raw if raw is not None else json.dumps(body).encode()
    return client.request("POST", ENDPOINT, content=content, headers=all_headers)


def assert_plaid_error(
    response: httpx.Response,
    status: int,
    error_type: str,
    error_code: str,
    message: str | None = None,
) -> dict[str, Any]:
    """Exact Plaid envelope checks; returns the parsed body."""
    assert response.status_code == status, response.text
    assert_envelope(response)
    data: dict[str, Any] = response.json()
    assert (data["error_type"], data["error_code"]) == (error_type, error_code), data
    if message is not None:
        assert data["error_message"] == message
    return data


def assert_envelope(response: httpx.Response) -> None:
    """The seven-key envelope, formatted like Plaid's, with Plaid's headers."""
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "plaid-version" not in response.headers  # none on record (BEHAVIOUR.md)
    data = response.json()
    assert set(data) == ENVELOPE_KEYS
    assert data["display_message"] is None
    assert data["suggested_action"] is None
    assert REQUEST_ID.fullmatch(data["request_id"])
    assert data["documentation_url"].startswith("https://plaid.com/docs/?ref=error#")
    assert isinstance(data["error_message"], str) and data["error_message"]
    if response.request.method != "HEAD":
        assert response.content == json.dumps(data, indent=2, sort_keys=True).encode()
