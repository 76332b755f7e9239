"""Error mapping: every error_type, unknown types, HTML 502, 520, odd JSON, raw responses."""

from __future__ import annotations

import asyncio
import json
from typing import Final

import httpx
import plaid_session_client as plaid
import pytest
from plaid_session_client import _parsing, errors
from plaid_session_client.models import KnownPlaidErrorType, PlaidError, SessionTokenCreateResponse

from tests.client.conftest import (
    SUCCESS_BODY,
    MakeAsyncClient,
    MakeClient,
    json_response,
    plaid_error_body,
    request_body,
)

OPERATION: Final = "session_token_create"
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)

EXPECTED_CLASS_NAMES = {
    "INVALID_REQUEST": "InvalidRequestError",
    "INVALID_INPUT": "InvalidInputError",
    "RATE_LIMIT_EXCEEDED": "RateLimitExceededError",
    "API_ERROR": "ApiError",
    "ITEM_ERROR": "ItemError",
    "INSTITUTION_ERROR": "InstitutionError",
    "OAUTH_ERROR": "OauthError",
}


def test_error_hierarchy() -> None:
    assert issubclass(plaid.APIStatusError, plaid.PlaidClientError)
    assert issubclass(plaid.APIConnectionError, plaid.PlaidClientError)
    assert issubclass(plaid.APITimeoutError, plaid.APIConnectionError)
    assert issubclass(plaid.UnknownPlaidError, plaid.APIStatusError)
    assert issubclass(plaid.UnexpectedResponseError, plaid.APIStatusError)
    # The spec's model keeps its name; the exception base is a different class.
    assert PlaidError.__module__ == "plaid_session_client.models.plaid_error"
    assert not issubclass(PlaidError, BaseException)


def test_there_is_one_class_per_known_error_type() -> None:
    assert set(errors.ERROR_CLASSES) == {member.value for member in KnownPlaidErrorType}
    for error_type, name in EXPECTED_CLASS_NAMES.items():
        cls = errors.ERROR_CLASSES[error_type]
        assert cls.__name__ == name and cls.plaid_error_type == error_type
        assert getattr(plaid, name) is cls
        assert issubclass(cls, plaid.APIStatusError)


@pytest.mark.parametrize("error_type", [member.value for member in KnownPlaidErrorType])
def test_each_error_type_raises_its_class_with_all_fields(
    make_client: MakeClient, error_type: str
) -> None:
    body = plaid_error_body(error_type, "SOME_CODE", "something went wrong", "Req1234567890ab")
    body["display_message"] = "Try again"
    client = make_client(json_response(400, body))
    with pytest.raises(plaid.APIStatusError) as caught:
        client.session_token_create(body=request_body())
    error = caught.value
    assert type(error) is errors.ERROR_CLASSES[error_type]
    assert (error.status_code, error.error_type, error.error_code) == (400, error_type, "SOME_CODE")
    assert error.error_message == "something went wrong"
    assert error.display_message == "Try again"
    assert error.request_id == "Req1234567890ab"
    assert error.body == body
    assert isinstance(error.model, PlaidError)
    assert str(error) == (
        f"{error_type} SOME_CODE: something went wrong "
        "(HTTP 400 Bad Request, request_id=Req1234567890ab)"
    )


def test_documented_examples_map_as_plaid_says(make_client: MakeClient) -> None:
    cases = [
        (400, plaid_error_body(), plaid.InvalidRequestError),
        (
            400,
            plaid_error_body(
                "INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided"
            ),
            plaid.InvalidInputError,
        ),
        (429, plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), plaid.RateLimitExceededError),
        (500, plaid_error_body("API_ERROR", "INTERNAL_SERVER_ERROR"), plaid.ApiError),
        (503, plaid_error_body("API_ERROR", "PLANNED_MAINTENANCE"), plaid.ApiError),
    ]
    for status, body, cls in cases:
        client = make_client(json_response(status, body), max_retries=0)
        with pytest.raises(cls) as caught:
            client.session_token_create(body=request_body())
        assert caught.value.status_code == status
        assert caught.value.error_code == body["error_code"]


def test_unknown_error_type_becomes_unknown_plaid_error(make_client: MakeClient) -> None:
    # A type no spec revision lists (BASE_REPORT_ERROR, the earlier example, is known since 4.0.0).
    body = plaid_error_body(
        "NEW_FUTURE_ERROR_TYPE", "REPORT_NOT_READY", "not ready", "Zr4TkPq9LmW2sXa"
    )
    client = make_client(json_response(400, body))
    with pytest.raises(plaid.UnknownPlaidError) as caught:
        client.session_token_create(body=request_body())
    assert caught.value.error_type == "NEW_FUTURE_ERROR_TYPE"
    assert caught.value.error_code == "REPORT_NOT_READY"
    assert caught.value.request_id == "Zr4TkPq9LmW2sXa"
    assert caught.value.model is not None
    assert caught.value.model.error_type == "NEW_FUTURE_ERROR_TYPE"


def test_plaid_error_missing_required_fields_still_maps(make_client: MakeClient) -> None:
    client = make_client(json_response(400, {"error_type": "INVALID_REQUEST", "error_code": "X"}))
    with pytest.raises(plaid.InvalidRequestError) as caught:
        client.session_token_create(body=request_body())
    assert caught.value.model is None
    assert caught.value.request_id is None and caught.value.error_message is None


def test_html_502_is_an_unexpected_response_error(make_client: MakeClient) -> None:
    client = make_client(
        httpx.Response(502, content=HTML_502, headers={"content-type": "text/html"})
    )
    with pytest.raises(plaid.UnexpectedResponseError) as caught:
        client.session_token_create(body=request_body())
    error = caught.value
    assert error.status_code == 502
    assert error.error_type is None and error.request_id is None
    assert error.body_excerpt.startswith("<html> <head><title>502 Bad Gateway</title>")
    assert "HTTP 502 Bad Gateway: body is not JSON" in str(error)
    assert "\n" not in str(error)
    assert isinstance(error.body, str) and "nginx" in error.body


def test_status_520_is_an_unexpected_response_error(make_client: MakeClient) -> None:
    client = make_client(httpx.Response(520, content=b"error code: 520"))
    with pytest.raises(plaid.UnexpectedResponseError) as caught:
        client.session_token_create(body=request_body())
    assert caught.value.status_code == 520
    assert str(caught.value) == "HTTP 520: body is not JSON: 'error code: 520'"


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Internal Server Error"},
        [1, 2, 3],
        "error",
        None,
        {"error_type": 5, "error_code": "X"},
    ],
)
def test_json_that_is_not_a_plaid_error(make_client: MakeClient, body: object) -> None:
    client = make_client(json_response(418, body))
    with pytest.raises(
        plaid.UnexpectedResponseError, match="JSON body is not a Plaid error object"
    ) as caught:
        client.session_token_create(body=request_body())
    assert caught.value.body == body


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html>ok</html>", "success body is not JSON"),
        (b'{"request_id": "abc"}', "does not match SessionTokenCreateResponse (KeyError: 'link')"),
        (
            b'{"link": {"link_token": "t", "expiration": "next week"}, "request_id": "r"}',
            "does not match",
        ),
        (b'{"link": "nope", "request_id": "r"}', "does not match"),
        (b"[]", "does not match"),
    ],
)
def test_unusable_success_body_is_an_unexpected_response_error(
    make_client: MakeClient, content: bytes, reason: str
) -> None:
    client = make_client(httpx.Response(200, content=content))
    with pytest.raises(plaid.UnexpectedResponseError, match="HTTP 200 OK") as caught:
        client.session_token_create(body=request_body())
    assert reason in str(caught.value)


def test_long_bodies_are_shortened_in_messages(make_client: MakeClient) -> None:
    client = make_client(httpx.Response(502, content=b"x" * 5000), max_retries=0)
    with pytest.raises(plaid.UnexpectedResponseError) as caught:
        client.session_token_create(body=request_body())
    assert len(caught.value.body_excerpt) == _parsing.BODY_EXCERPT_CHARS + 3
    assert len(str(caught.value)) < 300
    assert isinstance(caught.value.body, str) and len(caught.value.body) == 5000


def test_raw_response_returns_errors_instead_of_raising(make_client: MakeClient) -> None:
    client = make_client(
        httpx.Response(520, content=b"error code: 520", headers={"x-test": "1"}), max_retries=1
    )
    response = client.with_raw_response.session_token_create(body=request_body())
    assert response.status_code == 520
    assert response.content == b"error code: 520"
    assert response.headers["x-test"] == "1"
    assert response.parsed is None and isinstance(response.error, plaid.UnexpectedResponseError)
    assert response.retries_taken == 1
    assert response.request_id is None
    with pytest.raises(plaid.UnexpectedResponseError):
        response.parse()


def test_raw_response_on_plaid_error_and_success(make_client: MakeClient) -> None:
    client = make_client(json_response(400, plaid_error_body()), json_response(200, SUCCESS_BODY))
    failed = client.with_raw_response.session_token_create(body=request_body())
    assert failed.request_id == "4Jc9mQkT2bXyZ1a"
    assert isinstance(failed.error, plaid.InvalidRequestError)
    ok = client.with_raw_response.session_token_create(body=request_body())
    assert ok.error is None and isinstance(ok.parsed, SessionTokenCreateResponse)
    assert ok.request_id == "OUoAFhGrwHQbZ2O"
    assert ok.parse() is ok.parsed


def test_async_errors_match_sync(make_async_client: MakeAsyncClient) -> None:
    async def run() -> None:
        async with make_async_client(
            httpx.Response(502, content=HTML_502),
            httpx.Response(520, content=b"error code: 520"),
            json_response(400, plaid_error_body("NEW_FUTURE_ERROR_TYPE", "X")),
            max_retries=0,
        ) as client:
            with pytest.raises(plaid.UnexpectedResponseError):
                await client.session_token_create(body=request_body())
            raw = await client.with_raw_response.session_token_create(body=request_body())
            assert raw.status_code == 520 and isinstance(raw.error, plaid.UnexpectedResponseError)
            with pytest.raises(plaid.UnknownPlaidError):
                await client.session_token_create(body=request_body())

    asyncio.run(run())


# --- the public parse function -----------------------------------------------------------


def test_parse_response_returns_models_and_error_instances() -> None:
    created = plaid.parse_response(json_response(200, SUCCESS_BODY), operation=OPERATION)
    assert isinstance(created, SessionTokenCreateResponse)
    failed = plaid.parse_response(
        json_response(429, plaid_error_body("RATE_LIMIT_EXCEEDED", "RATE_LIMIT")),
        operation=OPERATION,
    )
    assert isinstance(failed, plaid.RateLimitExceededError)
    assert isinstance(
        plaid.parse_response(httpx.Response(520, content=b"x"), operation=OPERATION),
        plaid.UnexpectedResponseError,
    )
    no_body = plaid.parse_response(httpx.Response(204), operation=OPERATION)
    assert isinstance(no_body, plaid.UnexpectedResponseError)


def answering(response: httpx.Response, method: str, url: str) -> httpx.Response:
    response.request = httpx.Request(method, url)
    return response


@pytest.mark.parametrize(
    "base_url",
    ["https://sandbox.plaid.com", "http://127.0.0.1:8100", "https://proxy.example/plaid/v1"],
)
def test_parse_response_tells_the_operation_from_the_request(base_url: str) -> None:
    url = f"{base_url}/session/token/create"
    created = plaid.parse_response(answering(json_response(200, SUCCESS_BODY), "POST", url))
    assert isinstance(created, SessionTokenCreateResponse)
    assert created.request_id == SUCCESS_BODY["request_id"]
    failed = plaid.parse_response(answering(json_response(400, plaid_error_body()), "POST", url))
    assert type(failed) is plaid.InvalidRequestError


def test_parse_response_of_a_real_client_call_needs_no_operation(make_client: MakeClient) -> None:
    raw = make_client(json_response(200, SUCCESS_BODY)).with_raw_response.session_token_create(
        body=request_body()
    )
    response = httpx.Response(raw.status_code, headers=raw.headers, content=raw.content)
    response.request = httpx.Request("POST", "https://sandbox.plaid.com/session/token/create")
    assert isinstance(plaid.parse_response(response), SessionTokenCreateResponse)


def test_a_response_to_no_operation_of_the_client_can_only_be_an_error() -> None:
    """Which model a success parses into depends on the operation; errors do not."""
    not_found = plaid_error_body("INVALID_REQUEST", "NOT_FOUND", "not found")
    wrong_method = answering(
        json_response(404, not_found), "GET", "https://sandbox.plaid.com/session/token/create"
    )
    error = plaid.parse_response(wrong_method)
    assert type(error) is plaid.InvalidRequestError and error.error_code == "NOT_FOUND"
    other_route = answering(json_response(200, SUCCESS_BODY), "POST", "https://x.test/item/get")
    unexpected = plaid.parse_response(other_route)
    assert type(unexpected) is plaid.UnexpectedResponseError
    assert "POST /item/get is none of this client's operations" in str(unexpected)


def test_parse_response_refuses_to_guess_the_operation() -> None:
    # Every operation is listed (another endpoint may come before this one).
    no_request = r"no request.*pass operation= \(one of [a-z_, ]*\bsession_token_create\b"
    with pytest.raises(ValueError, match=no_request):
        plaid.parse_response(json_response(200, SUCCESS_BODY))
    with pytest.raises(ValueError, match="unknown operation 'no_such_operation'"):
        plaid.parse_response(json_response(200, SUCCESS_BODY), operation="no_such_operation")  # type: ignore[call-overload]


def test_parse_response_scrubs_secrets_from_messages() -> None:
    from plaid_session_client.api.session import session_token_create

    echo = httpx.Response(502, content=json.dumps({"oops": "secret was s3cr3t-value"}).encode())
    error = session_token_create.parse_response(echo, secrets=("s3cr3t-value",))
    assert isinstance(error, plaid.UnexpectedResponseError)
    assert "s3cr3t-value" not in str(error) and "[REDACTED]" in str(error)
