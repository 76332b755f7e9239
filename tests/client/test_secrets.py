"""No secret leaks: canary credentials must not appear in reprs, exceptions, logs or output."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Iterator

import httpx
import plaid_session_client as plaid
import pytest

from tests.client.conftest import (
    CANARY_CLIENT_ID,
    CANARY_SECRET,
    SUCCESS_BODY,
    Script,
    Waits,
    json_response,
    plaid_error_body,
    request_body,
)

CANARIES = (CANARY_CLIENT_ID, CANARY_SECRET)
LOGGERS = ("httpx", "httpcore", "plaid_session_client")


def assert_clean(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text


def exception_texts(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
        + [repr(value) for value in vars(error).values()]
    )


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


SCENARIOS: list[tuple[str, list[httpx.Response | Exception]]] = [
    ("success", [json_response(200, SUCCESS_BODY)]),
    ("invalid request", [json_response(400, plaid_error_body())]),
    (
        "invalid api keys",
        [json_response(400, plaid_error_body("INVALID_INPUT", "INVALID_API_KEYS"))],
    ),
    (
        "rate limit",
        [
            json_response(
                429, plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), {"Retry-After": "1"}
            )
        ],
    ),
    ("api error", [json_response(500, plaid_error_body("API_ERROR", "INTERNAL_SERVER_ERROR"))]),
    ("new error type", [json_response(400, plaid_error_body("NEW_FUTURE_ERROR_TYPE", "X"))]),
    ("html 502", [httpx.Response(502, content=b"<html>Bad Gateway</html>")]),
    ("520", [httpx.Response(520, content=b"error code: 520")]),
    ("other json", [json_response(500, {"message": "nope"})]),
    ("bad success", [httpx.Response(200, content=b'{"request_id": 1}')]),
    ("retry then success", [httpx.ConnectError("refused"), json_response(200, SUCCESS_BODY)]),
    ("connection error", [httpx.ConnectError("[Errno 111] Connection refused")]),
    ("timeout", [httpx.ReadTimeout("read timed out")]),
    (
        "dropped",
        [httpx.RemoteProtocolError("peer closed connection without sending complete message body")],
    ),
]


@pytest.mark.parametrize(("name", "replies"), SCENARIOS, ids=[name for name, _ in SCENARIOS])
def test_canaries_never_leak(
    name: str,
    replies: list[httpx.Response | Exception],
    debug_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    waits: Waits,
) -> None:
    script = Script(list(replies))
    seen: list[str] = []
    with plaid.PlaidSessionClient(
        client_id=CANARY_CLIENT_ID,
        secret=CANARY_SECRET,
        transport=httpx.MockTransport(script),
        retry_policy=waits.policy(),
    ) as client:
        seen += [repr(client), str(client), repr(vars(client))]
        try:
            seen.append(repr(client.session_token_create(body=request_body())))
        except plaid.PlaidClientError as error:
            seen.append(exception_texts(error))
        try:
            seen.append(
                repr(
                    client.with_raw_response.session_token_create(
                        body=request_body(), max_retries=0
                    )
                )
            )
        except plaid.PlaidClientError as error:
            seen.append(exception_texts(error))
    # The canaries did reach the server, in headers: the test would be vacuous otherwise.
    assert script.requests[0].headers["PLAID-SECRET"] == CANARY_SECRET
    seen += [record.getMessage() for record in debug_logs.records]
    seen += [debug_logs.text]
    captured = capsys.readouterr()
    seen += [captured.out, captured.err]
    assert_clean("\n".join(seen))


def test_async_canaries_never_leak(debug_logs: pytest.LogCaptureFixture, waits: Waits) -> None:
    script = Script([httpx.ConnectError("refused"), httpx.Response(520, content=b"x")])
    seen: list[str] = []

    async def run() -> None:
        async with plaid.AsyncPlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(script),
            retry_policy=waits.policy(),
        ) as client:
            seen.append(repr(client))
            try:
                await client.session_token_create(body=request_body())
            except plaid.PlaidClientError as error:
                seen.append(exception_texts(error))

    asyncio.run(run())
    seen += [record.getMessage() for record in debug_logs.records]
    assert_clean("\n".join(seen))


def test_a_server_echoing_the_secret_is_scrubbed_from_messages(waits: Waits) -> None:
    echo = json_response(
        400,
        plaid_error_body(error_message=f"bad secret {CANARY_SECRET} for {CANARY_CLIENT_ID}"),
    )
    html = httpx.Response(502, content=f"<pre>PLAID-SECRET: {CANARY_SECRET}</pre>".encode())
    for reply in (echo, html):
        with (
            plaid.PlaidSessionClient(
                client_id=CANARY_CLIENT_ID,
                secret=CANARY_SECRET,
                transport=httpx.MockTransport(Script([reply])),
                max_retries=0,
            ) as client,
            pytest.raises(plaid.APIStatusError) as caught,
        ):
            client.session_token_create(body=request_body())
        # The message, repr and args are scrubbed; `body` stays the server's raw answer.
        assert_clean(str(caught.value) + repr(caught.value) + repr(caught.value.args))
        assert "[REDACTED]" in str(caught.value)


def test_connection_error_messages_are_scrubbed(waits: Waits) -> None:
    # Some transports quote header values in their errors; ours must not pass that on.
    failing = Script([httpx.LocalProtocolError(f"Illegal header value b'{CANARY_SECRET}'")])
    with (
        plaid.PlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(failing),
            retry_policy=waits.policy(),
        ) as client,
        pytest.raises(plaid.APIConnectionError) as caught,
    ):
        client.session_token_create(body=request_body())
    assert_clean(exception_texts(caught.value))
    assert not hasattr(caught.value, "request")


def test_exceptions_carry_no_request_headers_or_body(waits: Waits) -> None:
    with (
        plaid.PlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(Script([json_response(400, plaid_error_body())])),
        ) as client,
        pytest.raises(plaid.APIStatusError) as caught,
    ):
        client.session_token_create(body=request_body())
    everything = json.dumps({k: repr(v) for k, v in vars(caught.value).items()})
    assert_clean(everything)
    assert "user-8d0e7a52" not in everything  # the request body's client_user_id
