"""The client against the offline sandbox: in-process (ASGI, async client) and over real HTTP
(a `python -m plaid_offline_sandbox` subprocess, sync and async clients), with fault injection."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterator

import httpx
import plaid_session_client as plaid
import pytest
from plaid_offline_sandbox.serving import RunningSandbox, free_port
from plaid_session_client.models import SessionTokenCreateResponse

from tests.client.conftest import CANARY_CLIENT_ID, CANARY_SECRET, Waits, request_body

sandbox_app = pytest.importorskip("plaid_offline_sandbox.app")
sandbox_config = pytest.importorskip("plaid_offline_sandbox.config")

CLIENT_ID = sandbox_config.DEFAULT_CLIENT_ID
SECRET = sandbox_config.DEFAULT_SECRET
REQUEST_ID = re.compile(r"[A-Za-z0-9]{15}")


def fault(script: str) -> dict[str, str | None]:
    """Headers scripting this request's faults, under a fresh id (so counters start at 0)."""
    return {"Plaid-Sandbox-Fault": script, "Plaid-Sandbox-Fault-Id": uuid.uuid4().hex}


# --- in-process, async client over httpx.ASGITransport -------------------------------------


@pytest.fixture
def asgi_client(waits: Waits) -> plaid.AsyncPlaidSessionClient:
    app = sandbox_app.create_app(
        sandbox_config.SandboxConfig(
            credentials=frozenset({(CLIENT_ID, SECRET), (CANARY_CLIENT_ID, CANARY_SECRET)})
        )
    )
    return plaid.AsyncPlaidSessionClient(
        client_id=CLIENT_ID,
        secret=SECRET,
        base_url="http://offline-sandbox.test",
        transport=httpx.ASGITransport(app=app),
        retry_policy=waits.policy(),
    )


def test_asgi_success(asgi_client: plaid.AsyncPlaidSessionClient) -> None:
    async def go() -> SessionTokenCreateResponse:
        async with asgi_client:
            return await asgi_client.session_token_create(body=request_body())

    created = asyncio.run(go())
    assert created.link.link_token.startswith("link-sandbox-")
    assert REQUEST_ID.fullmatch(created.request_id)


def test_asgi_fail_twice_then_succeed(
    asgi_client: plaid.AsyncPlaidSessionClient, waits: Waits
) -> None:
    async def go() -> plaid.Response[SessionTokenCreateResponse]:
        async with asgi_client:
            return await asgi_client.with_raw_response.session_token_create(
                body=request_body(), extra_headers=fault("internal_error,internal_error,ok")
            )

    response = asyncio.run(go())
    assert response.status_code == 200 and response.retries_taken == 2
    assert isinstance(response.parse(), SessionTokenCreateResponse)
    assert waits.seconds == [0.5, 1.0]


def test_asgi_persistent_rate_limit(
    asgi_client: plaid.AsyncPlaidSessionClient, waits: Waits
) -> None:
    async def go() -> None:
        async with asgi_client:
            await asgi_client.session_token_create(
                body=request_body(), extra_headers=fault("rate_limit:1")
            )

    with pytest.raises(plaid.RateLimitExceededError) as caught:
        asyncio.run(go())
    error = caught.value
    assert error.status_code == 429 and error.error_type == "RATE_LIMIT_EXCEEDED"
    assert (
        error.error_code
        and isinstance(error.body, dict)
        and error.error_code == error.body["error_code"]
    )
    assert error.request_id is not None and REQUEST_ID.fullmatch(error.request_id)
    assert waits.seconds == [1.0, 1.0]  # Retry-After: 1, honoured on both retries


@pytest.mark.parametrize(("step", "status"), [("html_502", 502), ("status_520", 520)])
def test_asgi_non_plaid_responses_are_typed(
    asgi_client: plaid.AsyncPlaidSessionClient, waits: Waits, step: str, status: int
) -> None:
    async def go() -> None:
        async with asgi_client:
            await asgi_client.session_token_create(body=request_body(), extra_headers=fault(step))

    with pytest.raises(plaid.UnexpectedResponseError) as caught:
        asyncio.run(go())
    assert caught.value.status_code == status
    assert len(waits.seconds) == 2  # retried, then reported


def test_asgi_new_error_type_is_unknown_plaid_error(
    asgi_client: plaid.AsyncPlaidSessionClient, waits: Waits
) -> None:
    async def go() -> None:
        async with asgi_client:
            await asgi_client.session_token_create(
                body=request_body(), extra_headers=fault("new_error_type")
            )

    with pytest.raises(plaid.UnknownPlaidError) as caught:
        asyncio.run(go())
    assert caught.value.error_type not in plaid.errors.ERROR_CLASSES
    assert caught.value.request_id is not None
    assert waits.seconds == []  # a 400 is not retried


def test_asgi_credentials_errors(waits: Waits) -> None:
    app = sandbox_app.create_app(sandbox_config.SandboxConfig())

    async def go() -> tuple[plaid.APIStatusError | None, plaid.APIStatusError | None]:
        async with plaid.AsyncPlaidSessionClient(
            client_id=CLIENT_ID,
            secret="0bad5ec2e70bad5ec2e70bad5ec2e7",  # well-formed, unknown
            base_url="http://offline-sandbox.test",
            transport=httpx.ASGITransport(app=app),
            retry_policy=waits.policy(),
        ) as client:
            wrong = await client.with_raw_response.session_token_create(body=request_body())
            missing = await client.with_raw_response.session_token_create(
                body=request_body(), extra_headers={"PLAID-CLIENT-ID": None, "PLAID-SECRET": None}
            )
            return wrong.error, missing.error

    wrong, missing = asyncio.run(go())
    assert isinstance(wrong, plaid.InvalidInputError) and wrong.error_code == "INVALID_API_KEYS"
    assert wrong.status_code == 400
    assert isinstance(missing, plaid.InvalidRequestError) and missing.error_code == "MISSING_FIELDS"


# --- over real HTTP ------------------------------------------------------------------------


@pytest.fixture
def http_client(sandbox_server: RunningSandbox, waits: Waits) -> Iterator[plaid.PlaidSessionClient]:
    with plaid.PlaidSessionClient(
        client_id=CLIENT_ID,
        secret=SECRET,
        base_url=sandbox_server.base_url,
        retry_policy=waits.policy(),
    ) as client:
        yield client


def test_http_success(http_client: plaid.PlaidSessionClient) -> None:
    created = http_client.session_token_create(body=request_body())
    assert created.link.link_token.startswith("link-sandbox-")


def test_http_fail_twice_then_succeed(http_client: plaid.PlaidSessionClient, waits: Waits) -> None:
    response = http_client.with_raw_response.session_token_create(
        body=request_body(), extra_headers=fault("internal_error,maintenance,ok")
    )
    assert response.retries_taken == 2 and response.status_code == 200
    assert waits.seconds == [0.5, 1.0]


def test_http_persistent_rate_limit(http_client: plaid.PlaidSessionClient, waits: Waits) -> None:
    with pytest.raises(plaid.RateLimitExceededError) as caught:
        http_client.session_token_create(body=request_body(), extra_headers=fault("rate_limit:2"))
    assert caught.value.error_code and caught.value.request_id
    assert waits.seconds == [2.0, 2.0]


@pytest.mark.parametrize(("step", "status"), [("html_502", 502), ("status_520", 520)])
def test_http_non_plaid_responses_are_typed(
    http_client: plaid.PlaidSessionClient, step: str, status: int
) -> None:
    with pytest.raises(plaid.UnexpectedResponseError) as caught:
        http_client.session_token_create(body=request_body(), extra_headers=fault(step))
    assert caught.value.status_code == status
    raw = http_client.with_raw_response.session_token_create(
        body=request_body(), extra_headers=fault(step), max_retries=0
    )
    assert raw.status_code == status and isinstance(raw.error, plaid.UnexpectedResponseError)


def test_http_new_error_type(http_client: plaid.PlaidSessionClient) -> None:
    with pytest.raises(plaid.UnknownPlaidError):
        http_client.session_token_create(body=request_body(), extra_headers=fault("new_error_type"))


def test_http_dropped_connections_are_retried(
    http_client: plaid.PlaidSessionClient, waits: Waits
) -> None:
    response = http_client.with_raw_response.session_token_create(
        body=request_body(), extra_headers=fault("drop,drop,ok")
    )
    assert response.retries_taken == 2 and response.status_code == 200
    with pytest.raises(plaid.APIConnectionError):
        http_client.session_token_create(body=request_body(), extra_headers=fault("drop"))


def test_http_timeout_then_success(http_client: plaid.PlaidSessionClient, waits: Waits) -> None:
    with pytest.raises(plaid.APITimeoutError):
        http_client.session_token_create(
            body=request_body(), extra_headers=fault("slow:2"), timeout=0.3, max_retries=0
        )
    response = http_client.with_raw_response.session_token_create(
        body=request_body(), extra_headers=fault("slow:2,ok"), timeout=0.3
    )
    assert response.retries_taken == 1 and response.status_code == 200


def test_http_connection_refused(waits: Waits) -> None:

    with (
        plaid.PlaidSessionClient(
            client_id=CLIENT_ID,
            secret=SECRET,
            base_url=f"http://127.0.0.1:{free_port()}",
            retry_policy=waits.policy(),
        ) as client,
        pytest.raises(plaid.APIConnectionError) as caught,
    ):
        client.session_token_create(body=request_body())
    assert not isinstance(caught.value, plaid.APITimeoutError)
    assert waits.seconds == [0.5, 1.0]


def test_http_async_client_parity(sandbox_server: RunningSandbox, waits: Waits) -> None:
    async def go() -> int:
        async with plaid.AsyncPlaidSessionClient(
            client_id=CLIENT_ID,
            secret=SECRET,
            base_url=sandbox_server.base_url,
            retry_policy=waits.policy(),
        ) as client:
            response = await client.with_raw_response.session_token_create(
                body=request_body(), extra_headers=fault("internal_error,drop,ok")
            )
            with pytest.raises(plaid.UnexpectedResponseError):
                await client.session_token_create(
                    body=request_body(), extra_headers=fault("status_520"), max_retries=0
                )
            return response.retries_taken

    assert asyncio.run(go()) == 2
    assert waits.seconds == [0.5, 1.0]


def test_http_canaries_never_leak(
    sandbox_server: RunningSandbox,
    waits: Waits,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "plaid_session_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    seen: list[str] = []
    with plaid.PlaidSessionClient(
        client_id=CANARY_CLIENT_ID,
        secret=CANARY_SECRET,
        base_url=sandbox_server.base_url,
        retry_policy=waits.policy(),
    ) as client:
        seen.append(repr(client.session_token_create(body=request_body())))
        for step in (
            "internal_error",
            "rate_limit:1",
            "html_502",
            "status_520",
            "new_error_type",
            "drop",
            "slow:1",
        ):
            try:
                client.session_token_create(
                    body=request_body(), extra_headers=fault(step), timeout=0.5
                )
            except plaid.PlaidClientError as error:
                seen += [str(error), repr(error), repr(error.args), repr(vars(error))]
    assert any("httpcore" in record.name for record in caplog.records)  # debug logging was on
    seen += [record.getMessage() for record in caplog.records] + [caplog.text]
    captured = capsys.readouterr()
    seen += [captured.out, captured.err]
    text = "\n".join(seen)
    assert CANARY_SECRET not in text and CANARY_CLIENT_ID not in text
