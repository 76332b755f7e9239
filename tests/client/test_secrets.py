"""No secret leaks: canary credentials must not appear in reprs, exceptions, logs or output."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import plaid_session_client as plaid
import pytest
from plaid_session_client import models
from plaid_session_client._fields import credential_repr
from plaid_session_client._parsing import error_from_response
from plaid_session_client.api.session import session_token_create as session_token_create_module
from plaid_session_client.models import SessionTokenCreateRequest, SessionTokenCreateRequestUser
from plaid_session_client.types import UNSET

from tests.client.conftest import (
    CANARY_CLIENT_ID,
    CANARY_SECRET,
    SUCCESS_BODY,
    MakeClient,
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
        # The message, repr, args and body are scrubbed.
        assert_clean(str(caught.value) + repr(caught.value) + repr(caught.value.args))
        assert_clean(repr(caught.value.body))
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


# --- credentials carried in the request body ---------------------------------------------

BODY_CLIENT_ID = "CANARY-BODY-CLIENT-ID-3e5d"
BODY_SECRET = "CANARY-BODY-SECRET-a04b"
BODY_CANARIES = (BODY_CLIENT_ID, BODY_SECRET)
CREDENTIAL_PROPERTIES = ("client_id", "secret")  # plaid_macros.jinja: credential_properties


def body_with_credentials() -> SessionTokenCreateRequest:
    return SessionTokenCreateRequest(
        template_id="template_offline_default",
        user=SessionTokenCreateRequestUser(client_user_id="user-8d0e7a52"),
        client_id=BODY_CLIENT_ID,
        secret=BODY_SECRET,
    )


def assert_no_body_canary(text: str) -> None:
    for canary in (*CANARIES, *BODY_CANARIES):
        assert canary not in text


def scrubbed_texts(error: BaseException) -> str:
    """Everything of an error that must be scrubbed: all of it.

    `vars()` covers `error_message`, `display_message`, `body_excerpt`, `headers` and `body`.
    """
    return "\n".join(
        [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
        + [repr(value) for value in vars(error).values()]
        + [repr(getattr(error, "model", None))]
    )


def echoing_error(status: int = 400) -> httpx.Response:
    body = plaid_error_body(
        "INVALID_INPUT",
        "INVALID_API_KEYS",
        error_message=f"invalid client_id or secret provided: {BODY_CLIENT_ID} / {BODY_SECRET}",
    )
    body["display_message"] = f"secret {BODY_SECRET} and {CANARY_SECRET} are not valid"
    return json_response(status, body)


def test_request_model_repr_and_str_hide_credentials() -> None:
    request = body_with_credentials()
    for text in (repr(request), str(request), repr([request]), f"{request!r}"):
        assert_no_body_canary(text)
        assert "client_id='***'" in text
        assert "secret='***'" in text
        assert "template_offline_default" in text  # other fields still show
    # Not set is not a secret: it shows as UNSET.
    assert "secret=UNSET" in repr(request_body())
    # The values themselves are untouched and still sent.
    assert request.to_dict()["secret"] == BODY_SECRET
    assert attrs.evolve(request, webhook="https://example.com").secret == BODY_SECRET


def test_every_generated_model_hides_its_credential_properties() -> None:
    found: list[str] = []
    for name in models.__all__:
        cls = getattr(models, name)
        if not attrs.has(cls):
            continue
        for field in attrs.fields(cls):
            if field.name in CREDENTIAL_PROPERTIES:
                assert field.repr is credential_repr, f"{name}.{field.name} shows its value"
                found.append(f"{name}.{field.name}")
    assert "SessionTokenCreateRequest.client_id" in found
    assert "SessionTokenCreateRequest.secret" in found


def test_credential_repr() -> None:
    assert credential_repr(BODY_SECRET) == "'***'"
    assert credential_repr(UNSET) == "UNSET"
    assert credential_repr(None) == "None"


@pytest.mark.parametrize(
    "reply",
    [
        echoing_error(),
        echoing_error(500),
        httpx.Response(
            502, content=f"<pre>secret={BODY_SECRET}&client_id={BODY_CLIENT_ID}</pre>".encode()
        ),
        httpx.Response(200, content=f'{{"echo": "{BODY_SECRET}"}}'.encode()),
    ],
    ids=["plaid error", "plaid 500", "html 502", "bad success"],
)
def test_body_credentials_echoed_by_the_server_are_scrubbed(
    reply: httpx.Response, waits: Waits, debug_logs: pytest.LogCaptureFixture
) -> None:
    script = Script([reply])
    seen: list[str] = []
    with plaid.PlaidSessionClient(
        client_id=CANARY_CLIENT_ID,
        secret=CANARY_SECRET,
        transport=httpx.MockTransport(script),
        retry_policy=waits.policy(),
    ) as client:
        seen += [repr(client), str(client), repr(vars(client)), repr(client.with_raw_response)]
        with pytest.raises(plaid.APIStatusError) as caught:
            client.session_token_create(body=body_with_credentials())
        seen.append(scrubbed_texts(caught.value))
        raw = client.with_raw_response.session_token_create(
            body=body_with_credentials(), max_retries=0
        )
        seen.append(repr(raw))
        assert raw.error is not None
        seen.append(scrubbed_texts(raw.error))
    # The body credentials really were sent: the test would be vacuous otherwise.
    sent = json.loads(script.requests[0].content)
    assert (sent["client_id"], sent["secret"]) == (BODY_CLIENT_ID, BODY_SECRET)
    seen += [record.getMessage() for record in debug_logs.records]
    assert_no_body_canary("\n".join(seen))
    if isinstance(caught.value, plaid.UnexpectedResponseError):
        assert "[REDACTED]" in caught.value.body_excerpt
    else:
        error = caught.value
        assert error.error_message == (
            "invalid client_id or secret provided: [REDACTED] / [REDACTED]"
        )
        assert error.display_message == "secret [REDACTED] and [REDACTED] are not valid"
        # `body` (and so `model`) are scrubbed too; the rest of the body is intact.
        assert isinstance(error.body, dict)
        assert error.body["error_message"] == error.error_message
        assert error.body["error_code"] == "INVALID_API_KEYS"
        assert error.model is not None
        assert error.model.error_message == error.error_message
        assert_no_body_canary(json.dumps(error.body) + repr(error.model))


def test_async_body_credentials_echoed_by_the_server_are_scrubbed(waits: Waits) -> None:
    script = Script([echoing_error()])

    async def run() -> plaid.APIStatusError:
        async with plaid.AsyncPlaidSessionClient(
            client_id=CANARY_CLIENT_ID,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(script),
            retry_policy=waits.policy(),
        ) as client:
            with pytest.raises(plaid.APIStatusError) as caught:
                await client.session_token_create(body=body_with_credentials())
            return caught.value

    error = asyncio.run(run())
    assert_no_body_canary(scrubbed_texts(error))
    assert error.error_message is not None
    assert "[REDACTED]" in error.error_message


def test_header_credentials_echoed_in_error_fields_are_scrubbed() -> None:
    # No credentials in the body: the client's own are still scrubbed from the fields.
    body = plaid_error_body(error_message=f"bad secret {CANARY_SECRET} for {CANARY_CLIENT_ID}")
    body["display_message"] = f"client {CANARY_CLIENT_ID}"
    error = _error_answering(body, CANARY_CLIENT_ID)
    assert_clean(scrubbed_texts(error))
    assert error.error_message == "bad secret [REDACTED] for [REDACTED]"
    assert error.display_message == "client [REDACTED]"


def _error_answering(body: dict[str, Any], client_id: str) -> plaid.APIStatusError:
    """The error a client built with ``client_id`` raises when the server answers 400 ``body``."""
    with (
        plaid.PlaidSessionClient(
            client_id=client_id,
            secret=CANARY_SECRET,
            transport=httpx.MockTransport(Script([json_response(400, body)])),
            max_retries=0,
        ) as client,
        pytest.raises(plaid.APIStatusError) as caught,
    ):
        client.session_token_create(body=request_body())
    return caught.value


@pytest.mark.parametrize("client_id", ["N", "I", "test_id"])
def test_a_short_malformed_credential_leaves_the_error_typed_and_readable(client_id: str) -> None:
    # The contract suite sends malformed client ids such as "N" on purpose: Plaid's answer must
    # stay an InvalidRequestError with its error_code, while the id is still hidden where the
    # server echoes it as a value of its own.
    body = plaid_error_body(
        error_code="INVALID_FIELD",
        error_message="client_id must be a properly formatted, non-empty string",
    )
    body["display_message"] = f'client_id "{client_id}" is not valid'
    error = _error_answering(body, client_id)
    assert isinstance(error, plaid.InvalidRequestError)
    assert (error.error_type, error.error_code) == ("INVALID_REQUEST", "INVALID_FIELD")
    assert error.error_message == body["error_message"]
    assert error.display_message == 'client_id "[REDACTED]" is not valid'


def test_error_from_response_redacts_the_message_fields() -> None:
    body = plaid_error_body(error_message=f"echo {BODY_SECRET}")
    body["display_message"] = f"echo {BODY_CLIENT_ID}"
    error = error_from_response(
        400, {}, json.dumps(body).encode(), secrets=(BODY_SECRET, BODY_CLIENT_ID)
    )
    assert (error.error_message, error.display_message) == ("echo [REDACTED]", "echo [REDACTED]")
    assert_no_body_canary(str(error) + repr(error) + repr(error.args))
    # Without secrets nothing is touched, and a missing field stays None.
    plain = error_from_response(400, {}, json.dumps(plaid_error_body()).encode())
    assert plain.error_message == plaid_error_body()["error_message"]
    assert plain.display_message is None


def test_secrets_are_gathered_only_when_an_error_is_built(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = session_token_create_module._secrets  # pyright: ignore[reportPrivateUsage]

    def counting(*args: Any) -> tuple[str, ...]:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(session_token_create_module, "_secrets", counting)
    client = make_client(json_response(200, SUCCESS_BODY))
    client.session_token_create(body=body_with_credentials())
    client.with_raw_response.session_token_create(body=body_with_credentials())
    assert calls == []  # the success path pays nothing for scrubbing
    failing = make_client(echoing_error(), max_retries=0)
    with pytest.raises(plaid.InvalidInputError):
        failing.session_token_create(body=body_with_credentials())
    assert len(calls) == 1
