"""Client <-> target: requests built with the generated client's models, sent by the generated
client, answered by the target, read back as the client's typed results.

Valid requests (every combination of optional fields) must come back as the success model;
invalid ones as the typed error for Plaid's error_type, carrying the expected error_code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from plaid_contracts.checks import envelope, rules
from plaid_contracts.checks.response_checks import (
    CLIENT_PARSES,
    LINK_TOKEN,
    error_status_divergence,
    request_id_repeat,
)
from plaid_contracts.checks.results import client_check
from plaid_contracts.checks.rules import Divergence
from plaid_contracts.client_contract import parsing, strategies
from plaid_contracts.infra import credentials
from plaid_contracts.infra.context import RunContext, current
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import session_token_create as endpoint
from plaid_contracts.operations.session_token_create import CLIENT_EXPECTED_ERRORS
from plaid_contracts.reports.stats import CLIENT_PHASE
from plaid_session_client import APIConnectionError, APIStatusError, PlaidSessionClient
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
NO_CREDENTIAL_HEADERS: dict[str, str | None] = dict.fromkeys(credentials.HEADERS.values())
# Wrong credentials sent in the body are canaries in Plaid's formats (a malformed pair would be
# INVALID_FIELD): a report that shows them shows a leak path.
CANARY_BODY_CREDENTIALS = Credentials("ca4a2eb0d7c1e7c1eca4a2eb", "ca4a2eb0d75ec2e7d24fca4a2eb0d7")


def _examples(count: int) -> settings:
    # No example database (reproduce by seed), no deadline (a remote target is slow on purpose).
    # Repeatable through the run's seed, which the runner gives hypothesis (--hypothesis-seed):
    # the PR profile's is fixed, so PR runs send the same cases every time.
    # No shrinking: findings never raise into hypothesis (see the suite's conftest).
    phases = [phase for phase in Phase if phase not in (Phase.explain, Phase.shrink)]
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
    with parsing.make_client(
        run_context.settings.target.base_url,
        CREDENTIALS,
        run_context.client_transport,
        run_context.settings.request_timeout_seconds,
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


def _request_id_findings(request_id: str) -> list[Divergence]:
    """request_id: the shape every real one has had (an observation), unique across the run."""
    found: list[Divergence] = []
    if envelope.request_id_shape_problem(request_id) is not None:
        expected = "15 characters of [A-Za-z0-9]"
        found.append(Divergence(rules.REQUEST_ID_FORMAT, repr(request_id), expected, "shape"))
    last = RUN.recorder.last()
    content = b"" if last is None else last.response_body.encode()
    repeat = request_id_repeat(RUN, content, None if last is None else last.number)
    return found + ([repeat] if repeat else [])


def _no_answer(test: str, exc: APIConnectionError) -> None:
    """No answer (a reset, a timeout): a finding like any other, not a crash of the test."""
    timeout = RUN.settings.request_timeout_seconds
    divergence = Divergence(
        rules.ANSWERS,
        f"no answer ({type(exc).__name__})",
        f"an HTTP answer within {timeout:g} s",
        cause=type(exc).__name__,
    )
    client_check(RUN, check="plaid_answers", test=test, divergences=[divergence])


def _rejection(
    body: SessionTokenCreateRequest, header_credentials: bool, exc: APIStatusError
) -> Divergence:
    """A valid request rejected: a failure, unless the rejection names a value whose acceptance
    is only assumed (a random user_id, a redirect_uri no allow-list has): an observation."""
    headers = {"Content-Type": "application/json"}
    if header_credentials:
        headers |= CREDENTIALS.headers()
    expectation = endpoint.classify(headers, json.dumps(body.to_dict()), CREDENTIALS)
    error = (str(exc.error_type), str(exc.error_code))
    answer = endpoint.PlaidAnswer(exc.status_code, error, exc.error_message)
    return endpoint.judge(expectation, answer) or Divergence(
        endpoint.VALID_ACCEPTED,
        f"{type(exc).__name__}: {error[0]}/{error[1]}: {exc.error_message}",
        "the success model",
        cause=f"rejected:{error}",
    )


def _expect_success(
    test: str,
    body: SessionTokenCreateRequest,
    make_call: Callable[[], SessionTokenCreateResponse],
    *,
    header_credentials: bool = True,
) -> None:
    """Call the client; the result must be the success model, valid for this target."""
    try:
        result = make_call()
    except APIConnectionError as exc:
        _no_answer(test, exc)
        return
    except APIStatusError as exc:
        _skip_if_throttled()
        divergence = _rejection(body, header_credentials, exc)
        client_check(RUN, check="client_typed_success", test=test, divergences=[divergence])
        return
    found: list[Divergence] = []
    link = result.link
    environment = RUN.settings.link_token_environment(link.link_token)
    if environment is None:
        wanted = " or ".join(repr(prefix) for prefix in RUN.settings.link_token_prefixes)
        problem = f"link_token {link.link_token!r} does not start with {wanted}"
        found.append(Divergence(LINK_TOKEN, problem, "a token of this target", "prefix"))
    else:
        RUN.stats.count_link_token(environment)
    now = datetime.now(UTC)
    skew = timedelta(seconds=RUN.settings.clock_skew_seconds)
    lifetime = timedelta(seconds=RUN.settings.token_lifetime_seconds)
    if link.expiration.tzinfo is None or not now - skew < link.expiration <= now + lifetime + skew:
        problem = f"expiration {link.expiration.isoformat()} is outside (now, now + lifetime]"
        found.append(Divergence(LINK_TOKEN, problem, "within the token lifetime", "expiration"))
    found += _request_id_findings(result.request_id)
    client_check(RUN, check="client_typed_success", test=test, divergences=found)


def _expect_error(test: str, case: str, make_call: Callable[[], object]) -> None:
    """Call the client: it must raise the typed error of the body's error_type (the client's
    contract), and the error must be Plaid's answer to this request (its rule's strength)."""
    error_type, error_code, rule = CLIENT_EXPECTED_ERRORS[case]
    try:
        make_call()
    except APIConnectionError as exc:
        _no_answer(test, exc)
        return
    except APIStatusError as exc:
        _skip_if_throttled()
        got = type(exc)
        wanted = parsing.expected_error_class(str(exc.error_type))
        typed = (
            []
            if got is wanted
            else [
                Divergence(
                    CLIENT_PARSES,
                    f"{got.__name__} for error_type {exc.error_type}",
                    wanted.__name__,
                    cause=f"class:{exc.error_type}",
                )
            ]
        )
        client_check(RUN, check="client_typed_error", test=test, divergences=typed)
        answered = (str(exc.error_type), str(exc.error_code))
        expected: list[Divergence] = []
        if answered != (error_type, error_code):
            expected.append(
                Divergence(
                    rule,
                    f"{exc.status_code} {answered[0]}/{answered[1]} ({exc.error_message!r})",
                    f"{error_type}/{error_code} to {case.replace('_', ' ')}",
                    cause=f"{case}->{answered}",
                )
            )
        status = error_status_divergence(
            endpoint.PlaidAnswer(exc.status_code, answered, exc.error_message)
        )
        expected += [status] if status else []
        client_check(RUN, check="client_expected_error", test=test, divergences=expected)
        return
    divergence = Divergence(
        rule,
        "success",
        f"{error_type}/{error_code} to {case.replace('_', ' ')}",
        cause=f"{case}->success",
    )
    client_check(RUN, check="client_expected_error", test=test, divergences=[divergence])


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


@per_combination
@given(data=st.data())
def test_every_optional_field_combination_succeeds(
    client: PlaidSessionClient, data: st.DataObject
) -> None:
    """All 64 combinations of optional fields in every example: one hypothesis engine run
    instead of 64 (its per-test set-up cost more than the requests)."""
    for present in strategies.ALL_COMBINATIONS:
        _begin("test_every_optional_field_combination_succeeds")
        request = data.draw(
            strategies.valid_requests(TEMPLATE_ID, CREDENTIALS, present),
            label=strategies.combination_id(present),
        )
        _expect_success(
            "test_every_optional_field_combination_succeeds", request.body, _send(client, request)
        )


@many
@given(request=strategies.any_valid_request(TEMPLATE_ID, CREDENTIALS))
def test_valid_requests_succeed(
    client: PlaidSessionClient, request: strategies.ValidRequest
) -> None:
    _begin("test_valid_requests_succeed")
    _expect_success("test_valid_requests_succeed", request.body, _send(client, request))


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
        body,
        lambda: client.session_token_create(body=body, extra_headers=NO_CREDENTIAL_HEADERS),
        header_credentials=False,
    )


@few
@given(user_id=strategies.non_empty_text)
def test_a_root_user_id_instead_of_user_succeeds(client: PlaidSessionClient, user_id: str) -> None:
    """Plaid's published spec: `user` is required only when a root-level `user_id` is absent.
    (Against the real Sandbox a made-up user_id may be refused: that is assumption A29's
    observation, not a failure.)"""
    _begin("test_a_root_user_id_instead_of_user_succeeds")
    body = SessionTokenCreateRequest(template_id=TEMPLATE_ID, user_id=user_id)
    _expect_success(
        "test_a_root_user_id_instead_of_user_succeeds",
        body,
        lambda: client.session_token_create(body=body),
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
    with parsing.make_client(
        run_context.settings.target.base_url,
        pair,
        run_context.client_transport,
        run_context.settings.request_timeout_seconds,
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
    with parsing.make_client(
        run_context.settings.target.base_url,
        pair,
        run_context.client_transport,
        run_context.settings.request_timeout_seconds,
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
