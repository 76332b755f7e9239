"""Fixtures for the generated client's tests: canned bodies, mock transports, no real sleeping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from plaid_offline_sandbox.serving import RunningSandbox, serve
from plaid_session_client import AsyncPlaidSessionClient, PlaidSessionClient, RetryPolicy
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser

CLIENT_ID = "7e57c11e47000000000000aa"
SECRET = "7e575ec2e700000000000000000bbb"
# Canary credentials, in Plaid's formats (24 / 30 lowercase hex): they must never show up in any
# repr, exception, log record or report.
CANARY_CLIENT_ID = "ca4a2e91c2ca4a2e91c2ca4a"
CANARY_SECRET = "ca4a2e5ec2e77f3aca4a2e5ec2e77f"

SUCCESS_BODY: dict[str, Any] = {
    "link": {
        "expiration": "2026-03-10T13:13:03Z",
        "link_token": "link-sandbox-61dfbe06-8a6c-4066-a125-c6cf83fd7b6a",
    },
    "request_id": "OUoAFhGrwHQbZ2O",
}


def plaid_error_body(
    error_type: str = "INVALID_REQUEST",
    error_code: str = "MISSING_FIELDS",
    error_message: str = "the following required fields are missing: client_id, secret",
    request_id: str = "4Jc9mQkT2bXyZ1a",
) -> dict[str, Any]:
    return {
        "display_message": None,
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-request-errors",
        "error_code": error_code,
        "error_message": error_message,
        "error_type": error_type,
        "request_id": request_id,
        "suggested_action": None,
    }


def json_response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json; charset=utf-8", **(headers or {})},
    )


def request_body() -> SessionTokenCreateRequest:
    return SessionTokenCreateRequest(
        template_id="template_offline_default",
        user=SessionTokenCreateRequestUser(client_user_id="user-8d0e7a52"),
    )


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class Script:
    """A MockTransport handler answering with `replies` in order (the last one repeats).

    An Exception reply is raised with the request attached, as httpx's transports do.
    """

    replies: list[Reply]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]
        if isinstance(reply, httpx.RequestError):
            reply.request = request
            raise reply
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        # A fresh copy each time: a Response can only be sent once.
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)


@dataclass
class Waits:
    """Injected sleeps: they record the wait instead of sleeping."""

    seconds: list[float] = field(default_factory=list)

    def sleep(self, delay: float) -> None:
        self.seconds.append(delay)

    async def async_sleep(self, delay: float) -> None:
        self.seconds.append(delay)

    def policy(
        self, *, random: float = 0.0, clock: float = 1_700_000_000.0, **kwargs: Any
    ) -> RetryPolicy:
        return RetryPolicy(
            sleep=self.sleep,
            async_sleep=self.async_sleep,
            random=lambda: random,
            clock=lambda: clock,
            **kwargs,
        )


@pytest.fixture
def waits() -> Waits:
    return Waits()


MakeClient = Callable[..., PlaidSessionClient]
MakeAsyncClient = Callable[..., AsyncPlaidSessionClient]


@pytest.fixture
def make_client(waits: Waits) -> Iterator[MakeClient]:
    """`make_client(*replies, **client_kwargs)` -> (PlaidSessionClient on a MockTransport)."""
    made: list[PlaidSessionClient] = []

    def make(*replies: Reply, script: Script | None = None, **kwargs: Any) -> PlaidSessionClient:
        handler = script if script is not None else Script(list(replies))
        kwargs.setdefault("client_id", CLIENT_ID)
        kwargs.setdefault("secret", SECRET)
        kwargs.setdefault("retry_policy", waits.policy())
        client = PlaidSessionClient(transport=httpx.MockTransport(handler), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def make_async_client(waits: Waits) -> MakeAsyncClient:
    def make(
        *replies: Reply, script: Script | None = None, **kwargs: Any
    ) -> AsyncPlaidSessionClient:
        handler = script if script is not None else Script(list(replies))
        kwargs.setdefault("client_id", CLIENT_ID)
        kwargs.setdefault("secret", SECRET)
        kwargs.setdefault("retry_policy", waits.policy())
        return AsyncPlaidSessionClient(transport=httpx.MockTransport(handler), **kwargs)

    return make


@pytest.fixture(autouse=True)
def _no_plaid_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not depend on the developer's real Plaid environment variables."""
    for name in ("PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV"):
        monkeypatch.delenv(name, raising=False)


# --- the offline sandbox over real HTTP ---------------------------------------------------


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """`python -m plaid_offline_sandbox` in a subprocess, accepting the canary credentials too."""
    log = tmp_path_factory.mktemp("client-sandbox") / "server.log"
    args = ["--log-level", "debug", "--credential", f"{CANARY_CLIENT_ID}:{CANARY_SECRET}"]
    with serve(args=args, log_path=log) as server:
        yield server
