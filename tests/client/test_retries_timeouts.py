"""Timeouts and retries: exact attempt counts and waits, with injected sleep/clock/random."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

import httpx
import plaid_session_client as plaid
import pytest
from plaid_session_client import RetryPolicy

from tests.client.conftest import (
    SUCCESS_BODY,
    MakeAsyncClient,
    MakeClient,
    Script,
    Waits,
    json_response,
    plaid_error_body,
    request_body,
)

NOW = 1_700_000_000.0
INTERNAL = json_response(
    500, plaid_error_body("API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred")
)
OK = json_response(200, SUCCESS_BODY)


def timeout_of(request: httpx.Request) -> dict[str, float | None]:
    timeout: dict[str, float | None] = request.extensions["timeout"]
    return timeout


# --- timeouts ------------------------------------------------------------------------------


def test_default_timeout_is_5s_connect_30s_read(make_client: MakeClient) -> None:
    script = Script([OK])
    make_client(script=script).session_token_create(body=request_body())
    assert timeout_of(script.requests[0]) == {
        "connect": 5.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 30.0,
    }
    assert httpx.Timeout(30.0, connect=5.0) == plaid.DEFAULT_TIMEOUT


def test_a_deadline_as_long_as_the_timeout_leaves_it_whole(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At this clock value `(now + 60) - now` is 59.99999999999997 in floating point.
    monkeypatch.setattr(time, "monotonic", lambda: 234.43537133582825)
    script = Script([OK])
    make_client(script=script, timeout=60.0, attempt_deadline=60.0).session_token_create(
        body=request_body()
    )
    assert timeout_of(script.requests[0]) == dict.fromkeys(
        ("connect", "read", "write", "pool"), 60.0
    )


def test_timeout_per_client_and_per_call(make_client: MakeClient) -> None:
    script = Script([OK])
    client = make_client(script=script, timeout=10.0)
    client.session_token_create(body=request_body())
    client.session_token_create(body=request_body(), timeout=httpx.Timeout(60.0, connect=1.0))
    client.session_token_create(body=request_body(), timeout=None)
    client.session_token_create(body=request_body(), timeout=None, attempt_deadline=None)
    assert timeout_of(script.requests[0]) == {
        "connect": 10.0,
        "read": 10.0,
        "write": 10.0,
        "pool": 10.0,
    }
    assert timeout_of(script.requests[1]) == {
        "connect": 1.0,
        "read": 60.0,
        "write": 60.0,
        "pool": 60.0,
    }
    # No timeout still ends with the attempt: no phase may outlast the attempt deadline (60 s).
    assert timeout_of(script.requests[2]) == {
        "connect": 60.0,
        "read": 60.0,
        "write": 60.0,
        "pool": 60.0,
    }
    assert timeout_of(script.requests[3]) == {
        "connect": None,
        "read": None,
        "write": None,
        "pool": None,
    }


def test_timeout_is_retried_then_raised_as_api_timeout_error(
    make_client: MakeClient, waits: Waits
) -> None:
    script = Script([httpx.ReadTimeout("timed out")])
    client = make_client(script=script)
    with pytest.raises(plaid.APITimeoutError) as caught:
        client.session_token_create(body=request_body())
    assert len(script.requests) == 3
    assert waits.seconds == [0.5, 1.0]
    assert isinstance(caught.value, plaid.APIConnectionError)
    assert caught.value.method == "POST"
    assert caught.value.url == "https://sandbox.plaid.com/session/token/create"
    assert "ReadTimeout" in str(caught.value)
    # Raised outside the except block: nothing chains back to httpx's request object.
    assert caught.value.__cause__ is None and caught.value.__context__ is None


# --- retries -------------------------------------------------------------------------------


def test_fail_twice_then_succeed_takes_exactly_two_retries(
    make_client: MakeClient, waits: Waits
) -> None:
    script = Script([INTERNAL, INTERNAL, OK])
    client = make_client(script=script)
    response = client.with_raw_response.session_token_create(body=request_body())
    assert response.retries_taken == 2
    assert response.parse().request_id == "OUoAFhGrwHQbZ2O"
    assert len(script.requests) == 3
    assert waits.seconds == [0.5, 1.0]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 520, 599])
def test_retryable_statuses(make_client: MakeClient, status: int) -> None:
    script = Script([httpx.Response(status, text="busy"), OK])
    assert make_client(script=script).session_token_create(body=request_body()).request_id
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_not_retried(make_client: MakeClient, status: int) -> None:
    script = Script([json_response(status, plaid_error_body()), OK])
    with pytest.raises(plaid.APIStatusError):
        make_client(script=script).session_token_create(body=request_body())
    assert len(script.requests) == 1


def test_persistent_failure_gives_up_after_max_retries_with_the_last_error(
    make_client: MakeClient, waits: Waits
) -> None:
    script = Script([INTERNAL])
    with pytest.raises(plaid.ApiError) as caught:
        make_client(script=script).session_token_create(body=request_body())
    assert caught.value.error_code == "INTERNAL_SERVER_ERROR"
    assert len(script.requests) == 3
    assert waits.seconds == [0.5, 1.0]


def test_backoff_doubles_up_to_the_cap(make_client: MakeClient, waits: Waits) -> None:
    script = Script([INTERNAL])
    with pytest.raises(plaid.ApiError):
        make_client(script=script, max_retries=7).session_token_create(body=request_body())
    assert len(script.requests) == 8
    assert waits.seconds == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_jitter_shortens_waits_by_up_to_a_quarter(make_client: MakeClient, waits: Waits) -> None:
    client = make_client(INTERNAL, retry_policy=waits.policy(random=0.999999))
    with pytest.raises(plaid.ApiError):
        client.session_token_create(body=request_body())
    assert waits.seconds == pytest.approx([0.375, 0.75], abs=1e-5)
    real = RetryPolicy()
    assert all(0.375 <= real.backoff(0) <= 0.5 for _ in range(200))
    assert all(6.0 <= real.backoff(10) <= 8.0 for _ in range(200))


def test_max_retries_per_client_and_per_call(make_client: MakeClient, waits: Waits) -> None:
    script = Script([INTERNAL])
    client = make_client(script=script, max_retries=0)
    with pytest.raises(plaid.ApiError):
        client.session_token_create(body=request_body())
    assert len(script.requests) == 1
    with pytest.raises(plaid.ApiError):
        client.session_token_create(body=request_body(), max_retries=3)
    assert len(script.requests) == 5
    assert waits.seconds == [0.5, 1.0, 2.0]
    with pytest.raises(plaid.ClientConfigurationError):
        client.session_token_create(body=request_body(), max_retries=-2)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("60", 60.0),
        (email.utils.formatdate(NOW + 7, usegmt=True), 7.0),
        # Not sane: ignored in favour of the normal backoff.
        ("61", 0.5),
        ("-1", 0.5),
        ("soon", 0.5),
        ("nan", 0.5),
        ("inf", 0.5),
        (email.utils.formatdate(NOW - 30, usegmt=True), 0.5),
        (email.utils.formatdate(NOW + 3600, usegmt=True), 0.5),
    ],
)
def test_retry_after(make_client: MakeClient, waits: Waits, header: str, expected: float) -> None:
    rate_limited = json_response(
        429,
        plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT", "rate limit exceeded"),
        headers={"Retry-After": header},
    )
    client = make_client(rate_limited, OK, retry_policy=waits.policy(clock=NOW))
    client.session_token_create(body=request_body())
    assert waits.seconds == [pytest.approx(expected)]


def test_retry_after_also_applies_to_5xx(make_client: MakeClient, waits: Waits) -> None:
    unavailable = httpx.Response(503, headers={"Retry-After": "2"}, text="maintenance")
    make_client(unavailable, OK).session_token_create(body=request_body())
    assert waits.seconds == [2.0]


def test_connection_errors_are_retried(make_client: MakeClient, waits: Waits) -> None:
    script = Script([httpx.ConnectError("refused"), httpx.RemoteProtocolError("dropped"), OK])
    response = make_client(script=script).with_raw_response.session_token_create(
        body=request_body()
    )
    assert response.retries_taken == 2
    assert waits.seconds == [0.5, 1.0]


def test_connection_error_after_retries(make_client: MakeClient) -> None:
    script = Script([httpx.ConnectError("[Errno 111] Connection refused")])
    with pytest.raises(plaid.APIConnectionError) as caught:
        make_client(script=script).session_token_create(body=request_body())
    assert not isinstance(caught.value, plaid.APITimeoutError)
    assert "Connection refused" in str(caught.value)
    assert len(script.requests) == 3


def test_retries_are_logged(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="plaid_session_client")
    make_client(INTERNAL, OK).session_token_create(body=request_body())
    messages = [r.getMessage() for r in caplog.records if r.name == "plaid_session_client"]
    assert any(
        "Retrying POST" in m and "after HTTP 500" in m and "retry 1 of 2" in m for m in messages
    )


def test_a_fresh_request_is_built_for_each_attempt(make_client: MakeClient) -> None:
    script = Script([INTERNAL, OK])
    make_client(script=script).session_token_create(body=request_body())
    first, second = script.requests
    assert first is not second
    assert first.content == second.content and first.headers == second.headers


# --- async parity ------------------------------------------------------------------------


def test_async_retries_match_sync(make_async_client: MakeAsyncClient, waits: Waits) -> None:
    script = Script([INTERNAL, httpx.ConnectError("refused"), OK])

    async def run() -> int:
        async with make_async_client(script=script) as client:
            response = await client.with_raw_response.session_token_create(body=request_body())
            return response.retries_taken

    assert asyncio.run(run()) == 2
    assert waits.seconds == [0.5, 1.0]


def test_async_retry_after_timeout_and_per_call_options(
    make_async_client: MakeAsyncClient, waits: Waits
) -> None:
    limited = json_response(
        429, plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": "4"}
    )
    script = Script([limited])

    async def run() -> None:
        async with make_async_client(script=script, max_retries=1) as client:
            with pytest.raises(plaid.RateLimitExceededError):
                await client.session_token_create(body=request_body(), timeout=3.0)
            with pytest.raises(plaid.RateLimitExceededError):
                await client.session_token_create(body=request_body(), max_retries=0)

    asyncio.run(run())
    assert len(script.requests) == 3
    assert waits.seconds == [4.0]
    assert timeout_of(script.requests[0]) == {
        "connect": 3.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }


def test_async_timeout_error(make_async_client: MakeAsyncClient, waits: Waits) -> None:
    script = Script([httpx.ConnectTimeout("slow")])

    async def run() -> None:
        async with make_async_client(script=script) as client:
            await client.session_token_create(body=request_body())

    with pytest.raises(plaid.APITimeoutError):
        asyncio.run(run())
    assert len(script.requests) == 3 and waits.seconds == [0.5, 1.0]
