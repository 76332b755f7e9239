"""Our checks. A check is written here once: its failure type, and its function registered by
``@our_check`` (``registry``) with what the summary says of it (importing this module registers
them all, each operation's success check included).

Each check runs on every response schemathesis receives, looks the case's operation up
(``operations.for_case``), reads the run from ``runtime.context.current()``, and raises one typed
failure per divergence (``rules.PlaidRuleFailure`` subclasses). A check with nothing to say about
an answer (``plaid_link_token`` on an error) returns True, which schemathesis counts as skipped,
and the summary as not applicable. The suite's ``after_validate`` hook turns each failure into a
failure or an observation by the strength of its rule (findings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import requests
import schemathesis
from plaid_offline_sandbox import assumptions
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure, FailureGroup

from plaid_contracts import operations, rules
from plaid_contracts.checks import auth_probes
from plaid_contracts.checks import client_parsing as parsing
from plaid_contracts.checks.registry import REGISTRY, our_check
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import Operation
from plaid_contracts.rules import (
    BEHAVIOUR_FILE,
    Divergence,
    PlaidRuleFailure,
    Rule,
    Strength,
    envelope,
)
from plaid_contracts.rules.check_info import (
    ASSUMED,
    CLIENT_README,
    CLIENT_STRENGTH,
    DOC,
    ERRORS_DOC,
    OTHER_CHECKS,
    PLAID_SPEC,
    SEEN,
    SUITE_REFERENCE,
    CheckInfo,
    is_method_probe,
)
from plaid_contracts.rules.expectations import Expectation
from plaid_contracts.rules.judge import PlaidAnswer, judge
from plaid_contracts.runtime.context import RunContext, current
from plaid_contracts.runtime.transport import request_body, text_headers

# A check's return value when it does not apply to the answer (schemathesis: skipped).
NOT_APPLICABLE: Final = True

CLIENT_PARSES: Final = Rule(
    "client-parses",
    Strength.DOC,
    "the generated client's contract: parse_response turns every answer into the success model, "
    "the typed error of its error_type, or UnexpectedResponseError, and never raises",
)


class ErrorObjectFailure(PlaidRuleFailure):
    code = "PL101"
    kind_title = "Not a Plaid error object"


class ErrorStatusFailure(PlaidRuleFailure):
    code = "PL102"
    kind_title = "Not Plaid's status for this error"


class ExpectedAnswerFailure(PlaidRuleFailure):
    code = "PL103"
    kind_title = "Not Plaid's answer to this request"


class SuccessFailure(PlaidRuleFailure):
    code = "PL104"
    kind_title = "Not the success Plaid sends"


class RequestIdFailure(PlaidRuleFailure):
    code = "PL105"
    kind_title = "request_id"


class ClientParseFailure(PlaidRuleFailure):
    code = "PL106"
    kind_title = "The generated client cannot read the answer"


class AuthFailure(PlaidRuleFailure):
    code = "PL107"
    kind_title = "Credentials not checked as Plaid does"


class UnsupportedMethodFailure(PlaidRuleFailure):
    code = "PL108"
    kind_title = "Another method not answered as Plaid does"


def _raise(kind: type[PlaidRuleFailure], divergences: list[Divergence], case: Case[Any]) -> None:
    failures: list[Failure] = [kind(item, operation=case.operation.label) for item in divergences]
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise FailureGroup(failures)


def _headers(response: Response) -> list[tuple[str, str]]:
    return [(name, value) for name, values in response.headers.items() for value in values]


def expectation_of(
    operation: Operation, request: requests.PreparedRequest, run_credentials: Credentials
) -> Expectation:
    """What Plaid answers to this request as sent (computed once per request)."""
    cached = getattr(request, "plaid_expectation", None)
    if isinstance(cached, Expectation):
        return cached
    headers = dict(text_headers(request.headers.items()))
    fixtures = operation.fixture_values(current().settings.fixtures)
    expectation = operation.classify(headers, request_body(request), run_credentials, fixtures)
    request.plaid_expectation = expectation  # type: ignore[attr-defined]
    return expectation


def tally_fields(
    run: RunContext, operation: Operation, expectation: Expectation, accepted: bool
) -> None:
    """Count, per field a valid request carried, the class of its value and whether the target
    accepted the request (the summary's "Fields of valid requests")."""
    if not expectation.valid:
        return
    for item in expectation.acceptances:
        if item.value is not None:
            key = (item.name, item.rule.covers or item.rule.source, item.rule.label)
            run.stats.field_value(operation.label, key, accepted)


@our_check(
    ErrorObjectFailure,
    CheckInfo(
        "every non-2xx body is a Plaid error object: error_type, error_code (UPPER_SNAKE), "
        "error_message, display_message, request_id",
        DOC,
        ERRORS_DOC,
    ),
)
def plaid_error_object(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every non-2xx body is a PlaidError: request_id, UPPER_SNAKE error_type/error_code."""
    if response.request.method == "HEAD" or 200 <= response.status_code < 300:
        return NOT_APPLICABLE  # no body to judge, or not an error
    problems = envelope.plaid_error_problems(response.status_code, response.content)
    divergences = [
        Divergence(rules.ERROR_ENVELOPE, problem, "a Plaid error object", cause=problem)
        for problem in problems
    ]
    _raise(ErrorObjectFailure, divergences, case)
    return None


def error_status_divergence(answer: PlaidAnswer) -> Divergence | None:
    """The divergence when an error's HTTP status is not the one Plaid documents for it."""
    if answer.error is None or answer.success:
        return None
    documented = rules.documented_statuses(*answer.error)
    if not documented or answer.status in documented:
        return None
    wanted = " or ".join(str(status) for status in documented)
    return Divergence(
        rules.ERROR_STATUS,
        answered=answer.describe(),
        expected=f"HTTP {wanted} for {answer.error[0]}/{answer.error[1]}",
        cause=f"{answer.error}->{answer.status}",
    )


@our_check(
    ErrorStatusFailure,
    CheckInfo(
        "an error's HTTP status is the one Plaid documents for its error_type/error_code",
        DOC,
        ERRORS_DOC,
    ),
)
def plaid_error_status(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """An error's HTTP status is the one Plaid documents for its error_type/error_code."""
    answer = PlaidAnswer.read(response.status_code, response.content)
    if answer.error is None or answer.success:
        return NOT_APPLICABLE  # not a Plaid error
    divergence = error_status_divergence(answer)
    _raise(ErrorStatusFailure, [divergence] if divergence else [], case)
    return None


@our_check(
    ExpectedAnswerFailure,
    CheckInfo(
        "the answer Plaid gives to what the request breaks (the documented error, naming the "
        "field), or a success for a valid request",
        f"per rule: {DOC}, {SEEN} or {ASSUMED}",
        f"{SUITE_REFERENCE}#what-plaid-answers-to-each-breakage",
    ),
)
def plaid_expected_answer(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The answer is Plaid's to what the request breaks: the documented error naming the field,
    or a success for a valid request (every endpoint's rules in rules/every_operation.py,
    the operation's in its module)."""
    operation = operations.for_case(case)
    request = response.request
    if request.method != operation.method:
        return NOT_APPLICABLE  # plaid_unsupported_method judges other methods
    run = current()
    expectation = expectation_of(operation, request, run.settings.credentials)
    answer = PlaidAnswer.read(response.status_code, response.content)
    tally_fields(run, operation, expectation, answer.success)
    divergence = judge(expectation, answer)
    _raise(ExpectedAnswerFailure, [divergence] if divergence else [], case)
    return None


def success_check(name: str) -> Callable[[CheckContext, Response, Case[Any]], bool | None]:
    """The check of what a success carries, for every operation whose ``success.check`` is
    ``name`` (its ``problems``; its ``tally`` counted for the summary)."""

    def check(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        operation = operations.for_case(case)
        if operation.success.check != name or not 200 <= response.status_code < 300:
            return NOT_APPLICABLE
        run = current()
        settings = run.settings
        ok, payload = envelope.decode_json(response.content)
        tallied = operation.success.tally(payload, settings.target) if ok else None
        if tallied is not None:
            run.stats.tally(operation.label, tallied)
        divergences = operation.success.problems(
            payload if ok else None,
            settings.target,
            settings.token_lifetime_seconds,
            settings.clock_skew_seconds,
            datetime.now(UTC),
        )
        _raise(SuccessFailure, divergences, case)
        return None

    check.__name__ = check.__qualname__ = name
    check.__doc__ = f"What a success carries ({name}: the operation's Success)."
    return check


@our_check(
    RequestIdFailure,
    CheckInfo(
        "request_id is 15 letters and digits, as every real one since 2021 (Plaid may change it)",
        f"{ASSUMED} (A25)",
        BEHAVIOUR_FILE,
    ),
)
def plaid_request_id_format(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """request_id is 15 alphanumerics: an observed format Plaid may change (ASSUMED A25)."""
    request_id = envelope.request_id_of(response.content)
    if not isinstance(request_id, str):
        return NOT_APPLICABLE  # no request_id to judge (plaid_error_object wants one on errors)
    problem = envelope.request_id_shape_problem(request_id)
    if problem is not None:
        divergence = Divergence(
            rules.REQUEST_ID_FORMAT,
            answered=problem,
            expected=f"{assumptions.REQUEST_ID_LENGTH} characters of [A-Za-z0-9]",
            cause="shape",
        )
        _raise(RequestIdFailure, [divergence], case)
    return None


def request_id_repeat(
    context: RunContext, content: bytes, interaction: int | None
) -> Divergence | None:
    """A divergence when this answer's request_id was already given to another request."""
    request_id = envelope.request_id_of(content)
    if not isinstance(request_id, str) or interaction is None:
        return None
    first = context.note_request_id(request_id, interaction)
    if first is None:
        return None
    return Divergence(
        rules.REQUEST_ID_UNIQUE,
        answered=f"request_id {request_id!r} again",
        expected=f"a new request_id (cassette interaction #{first} already had this one)",
        cause="repeated",
    )


@our_check(
    RequestIdFailure,
    CheckInfo(
        "no two answers of the run share a request_id (probes and client tests included)",
        DOC,
        PLAID_SPEC,
    ),
)
def plaid_request_id_unique(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """No two answers of the run share a request_id (probes and client tests included)."""
    if not isinstance(envelope.request_id_of(response.content), str):
        return NOT_APPLICABLE
    interaction = getattr(response.request, "plaid_interaction", None)
    divergence = request_id_repeat(current(), response.content, interaction)
    _raise(RequestIdFailure, [divergence] if divergence else [], case)
    return None


def client_parse_problems(
    operation: Operation,
    status: int,
    headers: list[tuple[str, str]],
    content: bytes,
    method: str,
    url: str,
) -> list[tuple[str, str]]:
    """What the generated client makes of the response: (cause, problem) pairs, none if right."""
    outcome = parsing.parse(
        operation, parsing.as_httpx_response(status, headers, content, method, url)
    )
    if outcome.kind == "crash":
        return [("crash", f"the generated client's parse_response raised: {outcome.detail}")]
    if status == 200:
        if outcome.kind != "success":
            detail = (
                f"the generated client did not parse a 200 into the success model: {outcome.detail}"
            )
            return [("not-success", detail)]
        return []
    if 200 <= status < 300:
        return [("2xx", f"status {status} is not in the spec; the client made it {outcome.kind}")]
    ok, body = envelope.decode_json(content)
    if ok and isinstance(body, dict) and not envelope.plaid_error_problems(status, content):
        expected = (body["error_type"], body["error_code"])
        if outcome.kind != "plaid_error":
            got = f"{outcome.kind} {outcome.detail}"
            return [("not-read", f"the client did not read the Plaid error {expected}: got {got}")]
        if (outcome.error_type, outcome.error_code) != expected:
            read = (outcome.error_type, outcome.error_code)
            return [("misread", f"the client read {read}, the body says {expected}")]
        wanted = parsing.expected_error_class(str(body["error_type"]))
        if type(outcome.result) is not wanted:
            got = type(outcome.result).__name__
            should = f"error_type {body['error_type']} should give {wanted.__name__}"
            return [("wrong-class", f"{should}, the client gave {got}")]
        return []
    # Not a Plaid error object: the client must still return its typed "unexpected" error.
    if outcome.kind != "unexpected":
        detail = f"a non-Plaid error body should give UnexpectedResponseError, got {outcome.kind}"
        return [("not-unexpected", detail)]
    return []


@our_check(
    ClientParseFailure,
    CheckInfo(
        "the generated client's parse_response turns the very answer into the success model, "
        "the typed error of its error_type, or UnexpectedResponseError, and never raises",
        CLIENT_STRENGTH,
        CLIENT_README,
    ),
)
def generated_client_parses(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """The client side of the contract, on the very response the server side was checked on."""
    request = response.request
    problems = client_parse_problems(
        operations.for_case(case),
        response.status_code,
        _headers(response),
        response.content,
        request.method or "POST",
        request.url or "",
    )
    divergences = [
        Divergence(CLIENT_PARSES, problem, "the success model or the typed error", cause=cause)
        for cause, problem in problems
    ]
    _raise(ClientParseFailure, divergences, case)
    return None


@our_check(
    AuthFailure,
    CheckInfo(
        "once per operation, its first valid success is sent again without credentials, with a "
        "wrong secret and with other credentials in the body; each gets Plaid's answer",
        f"per rule: {SEEN}, {DOC}; {ASSUMED} (A11) for the conflict",
        f"{ERRORS_DOC}invalid-input/#invalid_api_keys",
    ),
)
def plaid_auth_enforced(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Replaces schemathesis' ignored_auth (which expects 401/403) with Plaid's answers.

    Once per operation, on its first valid success, the same request without credentials, with a
    wrong secret, and with a conflicting pair in the body; each answer is judged by what it breaks
    (rules/judge.py): MISSING_FIELDS naming client_id and secret (SEEN), 400 INVALID_API_KEYS
    (DOC), and whatever A11 says for the conflict. Every other answer: not applicable.
    """
    if not 200 <= response.status_code < 300 or is_method_probe(case):
        return NOT_APPLICABLE
    context = current()
    operation = operations.for_case(case)
    run_credentials = context.settings.credentials
    if not expectation_of(operation, response.request, run_credentials).valid:
        return NOT_APPLICABLE  # a probe must break only credentials: derive it from a valid one
    with context.lock:  # the flag lives on the run's context, not in this module
        if operation.label in context.auth_probed:
            return NOT_APPLICABLE
        context.auth_probed.add(operation.label)
    phase = context.recorder.current_phase
    divergences: list[Divergence] = []
    try:
        for probe in auth_probes.PROBES:
            request = probe.build(response.request)
            sent = auth_probes.send(request, probe.what)
            answer = PlaidAnswer.read(sent.status_code, sent.content)
            found = judge(expectation_of(operation, request, run_credentials), answer)
            status = error_status_divergence(answer)
            repeat = request_id_repeat(
                context, sent.content, getattr(request, "plaid_interaction", None)
            )
            divergences += [
                Divergence(
                    item.rule,
                    f"{item.answered} to the probe with {probe.what}",
                    item.expected,
                    cause=f"{probe.what}:{item.cause}",
                    detail=item.detail,
                )
                for item in (found, status, repeat)
                if item is not None
            ]
    finally:
        context.recorder.current_phase = phase
    _raise(AuthFailure, divergences, case)
    return None


@our_check(
    UnsupportedMethodFailure,
    CheckInfo(
        "another method on the path gets INVALID_REQUEST/NOT_FOUND with HTTP 404 or 400, never 405",
        f"{DOC}, {SEEN}; {ASSUMED} (A20) for 404 over 400",
        f"{ERRORS_DOC}invalid-request/#not_found",
    ),
)
def plaid_unsupported_method(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Replaces schemathesis' unsupported_method (which expects 405 + Allow) with Plaid's answer.

    A method the spec does not declare is a route Plaid does not serve: INVALID_REQUEST /
    NOT_FOUND with HTTP 404 (documented) or 400 (seen); which of the two is assumption A20 (HEAD
    answers carry no body, so only their status is checked).
    """
    if not is_method_probe(case):
        return NOT_APPLICABLE
    method = response.request.method or "?"
    answer = PlaidAnswer.read(response.status_code, response.content)
    expected = "INVALID_REQUEST/NOT_FOUND, HTTP 404 (documented) or 400 (seen)"
    divergences: list[Divergence] = []
    documented = rules.documented_statuses("INVALID_REQUEST", "NOT_FOUND")
    if answer.status not in documented or (
        method != "HEAD" and answer.error != ("INVALID_REQUEST", "NOT_FOUND")
    ):
        divergences.append(
            Divergence(
                rules.UNSUPPORTED_METHOD,
                f"{answer.describe()} to {method}",
                expected,
                cause=f"{answer.error}->{answer.status}",
            )
        )
    elif answer.status != assumptions.UNSUPPORTED_METHOD_STATUS:
        divergences.append(
            Divergence(
                rules.UNSUPPORTED_METHOD_STATUS,
                f"{answer.describe()} to {method}",
                f"HTTP {assumptions.UNSUPPORTED_METHOD_STATUS} (assumption A20)",
                cause=f"status {answer.status}",
            )
        )
    _raise(UnsupportedMethodFailure, divergences, case)
    return None


# Every operation's success check, one per name (two operations may share one).
SUCCESS_CHECKS: Final = {
    name: schemathesis.check(success_check(name))
    for name in dict.fromkeys(operation.success.check for operation in operations.registered())
}


def our_checks() -> tuple[str, ...]:
    """Our checks, as the reports name them (functions, so that a check registered further
    down this module counts too)."""
    return (*REGISTRY, *SUCCESS_CHECKS)


def described_checks() -> dict[str, CheckInfo]:
    """What the summary says of every check a response goes through: ours, then the others
    (schemathesis' own checks, the client tests', plaid_answers)."""
    return {name: registered.info for name, registered in REGISTRY.items()} | OTHER_CHECKS
