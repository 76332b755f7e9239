"""Client <-> target for POST /session/token/create: requests built with the generated client's
models, sent by the generated client, answered by the target, read back as the client's typed
results.

Valid requests (every combination of optional fields) must come back as the success model;
invalid ones as the typed error for Plaid's error_type, carrying the expected error_code. What is
shared with every operation's client tests (counting, judging, recording) is
plaid_contracts.client_contract.expectations; what is this endpoint's (its requests, its
expected errors) is its contract module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plaid_contracts.client_contract.expectations import NO_CREDENTIAL_HEADERS, ClientTests
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import session_token_create as endpoint
from plaid_contracts.operations.session_token_create import CLIENT_EXPECTED_ERRORS
from plaid_contracts.rules import strategies
from plaid_contracts.rules.strategies import ValidRequest
from plaid_contracts.runtime.context import current
from plaid_session_client import PlaidSessionClient
from plaid_session_client.models import (
    SessionTokenCreatePlaidVersion,
    SessionTokenCreateRequest,
    SessionTokenCreateRequestUser,
    SessionTokenCreateResponse,
)
from plaid_session_client.types import UNSET

OPERATION = endpoint.OPERATION
CALLS = ClientTests(current(), OPERATION)
FIXTURES = CALLS.fixtures
TEMPLATE_ID = FIXTURES[endpoint.TEMPLATE.name]
CREDENTIALS = CALLS.credentials
# Wrong credentials sent in the body are canaries in Plaid's formats (a malformed pair would be
# INVALID_FIELD): a report that shows them shows a leak path.
CANARY_BODY_CREDENTIALS = Credentials("ca4a2eb0d7c1e7c1eca4a2eb", "ca4a2eb0d75ec2e7d24fca4a2eb0d7")

Request = ValidRequest[SessionTokenCreateRequest]


@pytest.fixture(scope="module")
def client() -> Iterator[PlaidSessionClient]:
    with CALLS.client() as made:
        yield made


def _body(client_user_id: str, **fields: object) -> SessionTokenCreateRequest:
    return SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id=client_user_id),
        **fields,  # type: ignore[arg-type]
    )


def _send(client: PlaidSessionClient, request: Request) -> Callable[[], SessionTokenCreateResponse]:
    if request.send_plaid_version:
        return lambda: client.session_token_create(
            body=request.body, plaid_version=SessionTokenCreatePlaidVersion.VALUE_0
        )
    return lambda: client.session_token_create(
        body=request.body, extra_headers={"Plaid-Version": None}
    )


@CALLS.per_combination
@given(data=st.data())
def test_every_optional_field_combination_succeeds(
    client: PlaidSessionClient, data: st.DataObject
) -> None:
    """All 64 combinations of optional fields in every example: one hypothesis engine run
    instead of 64 (its per-test set-up cost more than the requests)."""
    test = "test_every_optional_field_combination_succeeds"
    for present in endpoint.ALL_COMBINATIONS:
        CALLS.begin(test)
        request = data.draw(
            endpoint.valid_requests(FIXTURES, CREDENTIALS, present),
            label=endpoint.combination_id(present),
        )
        CALLS.expect_success(test, request.body, _send(client, request))


@CALLS.many
@given(request=endpoint.any_valid_request(FIXTURES, CREDENTIALS))
def test_valid_requests_succeed(client: PlaidSessionClient, request: Request) -> None:
    CALLS.begin("test_valid_requests_succeed")
    CALLS.expect_success("test_valid_requests_succeed", request.body, _send(client, request))


@CALLS.per_combination  # one request per field in each example, like the combinations
@given(requests=endpoint.documented_value_requests(FIXTURES))
def test_documented_values_are_accepted(
    client: PlaidSessionClient, requests: dict[str, SessionTokenCreateRequest]
) -> None:
    """Every documented optional field alone with a documented value (the allow-listed ones
    when the run has their value), in every profile: a refusal is a DOC failure naming it."""
    test = "test_documented_values_are_accepted"
    for body in requests.values():
        CALLS.begin(test)
        CALLS.expect_success(test, body, partial(client.session_token_create, body=body))


@pytest.mark.skipif(
    not any(fixture.name in FIXTURES for fixture in endpoint.ALLOW_LISTED),
    reason="the run has no allow-listed value (PLAID_REDIRECT_URI, PLAID_ANDROID_PACKAGE_NAME)",
)
@CALLS.per_combination
@given(requests=endpoint.outside_the_allow_lists(FIXTURES))
def test_values_outside_the_allow_lists_are_refused(
    client: PlaidSessionClient, requests: dict[str, SessionTokenCreateRequest]
) -> None:
    """Given the allow-listed redirect_uri / android_package_name, another value is refused."""
    test = "test_values_outside_the_allow_lists_are_refused"
    for body in requests.values():
        CALLS.begin(test)
        CALLS.expect_error(
            test,
            CLIENT_EXPECTED_ERRORS["not_allow_listed"],
            partial(client.session_token_create, body=body),
        )


def test_body_only_credentials_succeed(client: PlaidSessionClient) -> None:
    """Plaid accepts credentials in the body instead of the headers."""
    CALLS.begin("test_body_only_credentials_succeed")
    body = _body(
        "contract-body-credentials", client_id=CREDENTIALS.client_id, secret=CREDENTIALS.secret
    )
    CALLS.expect_success(
        "test_body_only_credentials_succeed",
        body,
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
        header_credentials=False,
    )


@CALLS.few
@given(user_id=strategies.non_empty_text)
def test_a_root_user_id_instead_of_user_succeeds(client: PlaidSessionClient, user_id: str) -> None:
    """Plaid's published spec: `user` is required only when a root-level `user_id` is absent.
    (Against the real Sandbox a made-up user_id may be refused: that is assumption A29's
    observation, not a failure.)"""
    CALLS.begin("test_a_root_user_id_instead_of_user_succeeds")
    body = SessionTokenCreateRequest(template_id=TEMPLATE_ID, user_id=user_id)
    CALLS.expect_success(
        "test_a_root_user_id_instead_of_user_succeeds",
        body,
        lambda: client.session_token_create(body=body),
    )


@CALLS.few
@given(template_id=endpoint.unknown_template_ids(TEMPLATE_ID), user_id=strategies.non_empty_text)
def test_unknown_template_is_a_typed_error(
    client: PlaidSessionClient, template_id: str, user_id: str
) -> None:
    CALLS.begin("test_unknown_template_is_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=template_id, user=SessionTokenCreateRequestUser(client_user_id=user_id)
    )
    CALLS.expect_error(
        "test_unknown_template_is_a_typed_error",
        CLIENT_EXPECTED_ERRORS["unknown_template"],
        lambda: client.session_token_create(body=body),
    )


@CALLS.few
@given(pair=strategies.wrong_credentials(CREDENTIALS))
def test_wrong_credentials_are_a_typed_error(pair: Credentials) -> None:
    CALLS.begin("test_wrong_credentials_are_a_typed_error")
    body = _body("contract-wrong-keys")
    with CALLS.client(pair) as wrong_client:
        CALLS.expect_error(
            "test_wrong_credentials_are_a_typed_error",
            CLIENT_EXPECTED_ERRORS["wrong_credentials"],
            lambda: wrong_client.session_token_create(body=body),
        )


@CALLS.few
@given(client_id=strategies.malformed_client_ids())
def test_malformed_client_id_is_a_typed_error(client_id: str) -> None:
    CALLS.begin("test_malformed_client_id_is_a_typed_error")
    body = _body("contract-malformed-id")
    with CALLS.client(Credentials(client_id, CREDENTIALS.secret)) as malformed_client:
        CALLS.expect_error(
            "test_malformed_client_id_is_a_typed_error",
            CLIENT_EXPECTED_ERRORS["malformed_client_id"],
            lambda: malformed_client.session_token_create(body=body),
        )


def test_wrong_body_credentials_are_a_typed_error(client: PlaidSessionClient) -> None:
    CALLS.begin("test_wrong_body_credentials_are_a_typed_error")
    body = _body(
        "contract-wrong-body-keys",
        client_id=CANARY_BODY_CREDENTIALS.client_id,
        secret=CANARY_BODY_CREDENTIALS.secret,
    )
    CALLS.expect_error(
        "test_wrong_body_credentials_are_a_typed_error",
        CLIENT_EXPECTED_ERRORS["wrong_credentials"],
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
    )


def test_missing_credentials_are_a_typed_error(client: PlaidSessionClient) -> None:
    CALLS.begin("test_missing_credentials_are_a_typed_error")
    body = _body("contract-no-keys")
    CALLS.expect_error(
        "test_missing_credentials_are_a_typed_error",
        CLIENT_EXPECTED_ERRORS["missing_credentials"],
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
    )


def test_empty_client_user_id_is_a_typed_error(client: PlaidSessionClient) -> None:
    CALLS.begin("test_empty_client_user_id_is_a_typed_error")
    user = SessionTokenCreateRequestUser(client_user_id="")
    assert user.user_id is UNSET
    body = SessionTokenCreateRequest(template_id=TEMPLATE_ID, user=user)
    CALLS.expect_error(
        "test_empty_client_user_id_is_a_typed_error",
        CLIENT_EXPECTED_ERRORS["empty_client_user_id"],
        lambda: client.session_token_create(body=body),
    )
