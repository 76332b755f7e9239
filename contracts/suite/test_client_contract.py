"""Client <-> target: requests built with the generated client's models, sent by the generated
client, answered by the target, read back as the client's typed results.

Valid requests (every combination of optional fields) must come back as the success model;
invalid ones as the typed error for Plaid's error_type, carrying the expected error_code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from plaid_contracts import checks, client_contract
from plaid_contracts import client_strategies as strategies
from plaid_contracts.settings import RunContext, current
from plaid_contracts.stats import CLIENT_PHASE
from plaid_contracts.suite_support import client_check
from plaid_contracts.targets import Credentials
from plaid_session_client import APIStatusError, PlaidSessionClient
from plaid_session_client.models import (
    SessionTokenCreatePlaidVersion,
    SessionTokenCreateRequest,
    SessionTokenCreateRequestUser,
    SessionTokenCreateResponse,
)
from plaid_session_client.types import UNSET

RUN = current()
TEMPLATE_ID = RUN.settings.template_id
CREDENTIALS = RUN.settings.credentials
NO_CREDENTIAL_HEADERS: dict[str, str | None] = {"PLAID-CLIENT-ID": None, "PLAID-SECRET": None}
# Wrong credentials sent in the body are canaries in Plaid's formats (a malformed pair would be
# INVALID_FIELD): a report that shows them shows a leak path.
CANARY_BODY_CREDENTIALS = Credentials("ca4a2eb0d7c1e7c1eca4a2eb", "ca4a2eb0d75ec2e7d24fca4a2eb0d7")

# (error_type, error_code) each invalid request must give, and where the expectation comes from.
EXPECTED_ERRORS = {
    "unknown_template": (
        "INVALID_REQUEST",
        "INVALID_FIELD",
    ),  # undocumented: sandbox assumption A10
    "wrong_credentials": (
        "INVALID_INPUT",
        "INVALID_API_KEYS",
    ),  # plaid.com/docs/errors/invalid-input
    "malformed_client_id": (
        "INVALID_REQUEST",
        "INVALID_FIELD",
    ),  # seen: plaid-ruby#163 (`test_id`), plaid-node#221
    "missing_credentials": (
        "INVALID_REQUEST",
        "MISSING_FIELDS",
    ),  # plaid.com/docs/errors/invalid-request
    "empty_client_user_id": (
        "INVALID_REQUEST",
        "INVALID_FIELD",
    ),  # spec minLength 1; Plaid's field rule
}


def _examples(count: int) -> settings:
    # No example database (reproduce by seed), no deadline (a remote target is slow on purpose).
    # Repeatable through the run's seed, which the runner gives hypothesis (--hypothesis-seed):
    # the PR profile's is fixed, so PR runs send the same cases every time.
    phases = [phase for phase in Phase if phase is not Phase.explain]
    if not RUN.settings.profile.shrink:
        phases.remove(Phase.shrink)
    return settings(
        max_examples=count,
        phases=phases,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        print_blob=False,
    )


# --max-examples caps all three (capped_examples).
many = _examples(RUN.settings.effective_client_examples)
few = _examples(RUN.settings.capped_examples(max(3, RUN.settings.effective_client_examples // 3)))
per_combination = _examples(RUN.settings.capped_examples(RUN.settings.profile.combination_examples))


@pytest.fixture(scope="module")
def client(run_context: RunContext) -> Iterator[PlaidSessionClient]:
    with client_contract.make_client(
        run_context.settings.target.base_url, CREDENTIALS, run_context.client_transport
    ) as made:
        yield made


def _begin(test: str) -> None:
    RUN.recorder.current_test = test
    RUN.recorder.current_phase = CLIENT_PHASE
    RUN.stats.count_case(CLIENT_PHASE)


def _skip_if_throttled() -> None:
    last = RUN.recorder.last()
    if last is not None and last.status == 429:
        pytest.skip("the target kept answering 429 after every retry (not a contract failure)")


def _expect_success(test: str, make_call: Callable[[], SessionTokenCreateResponse]) -> None:
    """Call the client; the result must be the success model, valid for this target."""
    try:
        result = make_call()
    except APIStatusError as exc:
        _skip_if_throttled()
        client_check(
            RUN,
            check="client_typed_success",
            test=test,
            title="a valid request did not come back as the success model",
            problems=[
                f"{type(exc).__name__}: {exc.error_type}/{exc.error_code}: {exc.error_message}"
            ],
        )
        return
    problems: list[str] = []
    link = result.link
    environment = RUN.settings.link_token_environment(link.link_token)
    if environment is None:
        wanted = " or ".join(repr(prefix) for prefix in RUN.settings.link_token_prefixes)
        problems.append(f"link_token {link.link_token!r} does not start with {wanted}")
    else:
        RUN.stats.count_link_token(environment)
    now = datetime.now(UTC)
    skew = timedelta(seconds=RUN.settings.clock_skew_seconds)
    lifetime = timedelta(seconds=RUN.settings.token_lifetime_seconds)
    if link.expiration.tzinfo is None or not now - skew < link.expiration <= now + lifetime + skew:
        problems.append(
            f"expiration {link.expiration.isoformat()} is outside (now, now + lifetime]"
        )
    if not checks.REQUEST_ID.match(result.request_id):
        problems.append(f"request_id {result.request_id!r}: {checks.REQUEST_ID_NOTE}")
    client_check(
        RUN,
        check="client_typed_success",
        test=test,
        title="the success model is not valid",
        problems=problems,
    )


def _expect_error(test: str, case: str, make_call: Callable[[], object]) -> None:
    """Call the client; it must raise the typed error of the expected error_type/error_code."""
    error_type, error_code = EXPECTED_ERRORS[case]
    wanted = client_contract.expected_error_class(error_type)
    title = f"{case} did not give {wanted.__name__} {error_type}/{error_code}"
    try:
        make_call()
    except APIStatusError as exc:
        _skip_if_throttled()
        got = (type(exc), exc.error_type, exc.error_code)
        problems = (
            []
            if got == (wanted, error_type, error_code)
            else [
                f"expected {wanted.__name__} {error_type}/{error_code}, "
                f"got {type(exc).__name__} {exc.error_type}/{exc.error_code}: {exc.error_message}"
            ]
        )
        client_check(RUN, check="client_typed_error", test=test, title=title, problems=problems)
        return
    client_check(
        RUN, check="client_typed_error", test=test, title=title, problems=["the request succeeded"]
    )


def _send(
    client: PlaidSessionClient, request: strategies.ValidRequest
) -> Callable[[], SessionTokenCreateResponse]:
    if request.send_plaid_version:
        return lambda: client.session_token_create(
            body=request.body, plaid_version=SessionTokenCreatePlaidVersion.VALUE_0
        )
    return lambda: client.session_token_create(
        body=request.body, extra_headers={"Plaid-Version": None}
    )


@pytest.mark.parametrize("present", strategies.ALL_COMBINATIONS, ids=strategies.combination_id)
@per_combination
@given(data=st.data())
def test_every_optional_field_combination_succeeds(
    client: PlaidSessionClient, present: frozenset[str], data: st.DataObject
) -> None:
    _begin("test_every_optional_field_combination_succeeds")
    request = data.draw(strategies.valid_requests(TEMPLATE_ID, CREDENTIALS, present))
    _expect_success("test_every_optional_field_combination_succeeds", _send(client, request))


@many
@given(request=strategies.any_valid_request(TEMPLATE_ID, CREDENTIALS))
def test_valid_requests_succeed(
    client: PlaidSessionClient, request: strategies.ValidRequest
) -> None:
    _begin("test_valid_requests_succeed")
    _expect_success("test_valid_requests_succeed", _send(client, request))


def test_body_only_credentials_succeed(client: PlaidSessionClient) -> None:
    """Plaid accepts credentials in the body instead of the headers."""
    _begin("test_body_only_credentials_succeed")
    body = SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id="contract-body-credentials"),
        client_id=CREDENTIALS.client_id,
        secret=CREDENTIALS.secret,
    )
    _expect_success(
        "test_body_only_credentials_succeed",
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
    )


@few
@given(template_id=strategies.unknown_template_ids(TEMPLATE_ID), user_id=strategies.non_empty_text)
def test_unknown_template_is_a_typed_error(
    client: PlaidSessionClient, template_id: str, user_id: str
) -> None:
    _begin("test_unknown_template_is_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=template_id, user=SessionTokenCreateRequestUser(client_user_id=user_id)
    )
    _expect_error(
        "test_unknown_template_is_a_typed_error",
        "unknown_template",
        lambda: client.session_token_create(body=body),
    )


@few
@given(pair=strategies.wrong_credentials(CREDENTIALS))
def test_wrong_credentials_are_a_typed_error(run_context: RunContext, pair: Credentials) -> None:
    _begin("test_wrong_credentials_are_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id="contract-wrong-keys"),
    )
    with client_contract.make_client(
        run_context.settings.target.base_url, pair, run_context.client_transport
    ) as wrong_client:
        _expect_error(
            "test_wrong_credentials_are_a_typed_error",
            "wrong_credentials",
            lambda: wrong_client.session_token_create(body=body),
        )


@few
@given(client_id=strategies.malformed_client_ids())
def test_malformed_client_id_is_a_typed_error(run_context: RunContext, client_id: str) -> None:
    _begin("test_malformed_client_id_is_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id="contract-malformed-id"),
    )
    pair = Credentials(client_id, CREDENTIALS.secret)
    with client_contract.make_client(
        run_context.settings.target.base_url, pair, run_context.client_transport
    ) as malformed_client:
        _expect_error(
            "test_malformed_client_id_is_a_typed_error",
            "malformed_client_id",
            lambda: malformed_client.session_token_create(body=body),
        )


def test_wrong_body_credentials_are_a_typed_error(client: PlaidSessionClient) -> None:
    _begin("test_wrong_body_credentials_are_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id="contract-wrong-body-keys"),
        client_id=CANARY_BODY_CREDENTIALS.client_id,
        secret=CANARY_BODY_CREDENTIALS.secret,
    )
    _expect_error(
        "test_wrong_body_credentials_are_a_typed_error",
        "wrong_credentials",
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
    )


def test_missing_credentials_are_a_typed_error(client: PlaidSessionClient) -> None:
    _begin("test_missing_credentials_are_a_typed_error")
    body = SessionTokenCreateRequest(
        template_id=TEMPLATE_ID,
        user=SessionTokenCreateRequestUser(client_user_id="contract-no-keys"),
    )
    _expect_error(
        "test_missing_credentials_are_a_typed_error",
        "missing_credentials",
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
    )


def test_empty_client_user_id_is_a_typed_error(client: PlaidSessionClient) -> None:
    _begin("test_empty_client_user_id_is_a_typed_error")
    user = SessionTokenCreateRequestUser(client_user_id="")
    assert user.user_id is UNSET
    body = SessionTokenCreateRequest(template_id=TEMPLATE_ID, user=user)
    _expect_error(
        "test_empty_client_user_id_is_a_typed_error",
        "empty_client_user_id",
        lambda: client.session_token_create(body=body),
    )
