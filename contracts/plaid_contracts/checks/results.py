"""From what was checked to tallies and findings: schemathesis' check results on each response,
requests that got no answer, and the client tests' checks."""

from __future__ import annotations

from typing import Any, Final

import requests
from schemathesis import Case, CheckResult, Response
from schemathesis.core.failures import Failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase

from plaid_contracts import operations, rules
from plaid_contracts.checks import findings
from plaid_contracts.checks.findings import Where
from plaid_contracts.checks.response_checks import described_checks
from plaid_contracts.checks.schemathesis_rules import schemathesis_rule
from plaid_contracts.operations import Operation
from plaid_contracts.recording.masking import Masker, curl_command
from plaid_contracts.recording.stats import CLIENT_PHASE, SCHEMATHESIS_TEST
from plaid_contracts.rules import Divergence, PlaidRuleFailure
from plaid_contracts.runtime.context import RunContext
from plaid_contracts.runtime.transport import text_headers

RESPONSE_EXCERPT_CHARS: Final = 1500
SCHEMATHESIS_EXPECTED: Final = {
    "negative_data_rejection": "400: the spec forbids this request",
    "positive_data_acceptance": "2xx: the spec allows this request",
}


def phase_of(case: Case[Any]) -> str:
    return case.meta.phase.name.value if case.meta is not None else "unknown"


def is_valid_case(case: Case[Any]) -> bool:
    """Whether schemathesis meant the body to be valid (other parts may still be invalid).

    The examples phase sends the spec's example bodies, which have no generation mode: they are
    valid by the spec's own examples lint.
    """
    meta = case.meta
    if meta is None:
        return False
    if meta.phase.name == TestPhase.EXAMPLES:
        return True
    component = meta.components.get(ParameterLocation.BODY)
    return component is not None and component.mode.is_positive


def masked_curl(masker: Masker, request: requests.PreparedRequest) -> str:
    body = request.body if isinstance(request.body, bytes | str) else None
    return curl_command(
        request.method or "POST",
        masker.text(request.url or ""),
        masker.headers(text_headers(request.headers.items())),
        masker.body(body),
    )


def schemathesis_test(operation: Operation) -> str:
    return f"{SCHEMATHESIS_TEST}[{operation.label}]"


def where_of(
    run: RunContext, case: Case[Any], request: requests.PreparedRequest, response: Any
) -> Where:
    """Where a finding on this case's exchange was made (``response``: None when none came)."""
    masker = run.recorder.masker
    content = getattr(response, "content", b"")
    operation = operations.for_case(case)
    return Where(
        operation=operation.label,
        test=schemathesis_test(operation),
        phase=phase_of(case),
        status=getattr(response, "status_code", None),
        curl=masked_curl(masker, request),
        interaction=getattr(request, "plaid_interaction", None),
        excerpt=masker.body(content)[:RESPONSE_EXCERPT_CHARS] if content else "",
    )


def record_check_results(
    run: RunContext, case: Case[Any], response: Response, results: list[CheckResult]
) -> None:
    """Tally every check outcome of one response and keep every finding (failure or observation).

    A check that did not apply to the answer is not counted (the summary shows it as not
    applicable): ours are skipped by schemathesis then, and schemathesis' own data and header
    checks, which report a success where they had nothing to judge, are told apart by
    ``CheckInfo.applies``.
    """
    operation = operations.for_case(case)
    by_check: dict[str, list[Failure]] = {}
    for result in results:
        by_check.setdefault(result.name, [])
        if result.failure is not None:
            by_check[result.name].append(result.failure)
    where = where_of(run, case, response.request, response)
    stats = run.stats
    stats.count_answer(operation.label)
    for check, failures in by_check.items():
        info = described_checks().get(check)
        if not failures and info is not None and info.applies and not info.applies(case, response):
            continue
        outcomes = [
            _record_failure(run, operation, check, failure, response, where) for failure in failures
        ]
        stats.check_result(operation.label, check, findings.worst(outcomes))
    stats.check_result(operation.label, "plaid_answers", findings.PASSED)


def _record_failure(
    run: RunContext,
    operation: Operation,
    check: str,
    failure: Failure,
    response: Response,
    where: Where,
) -> str:
    if isinstance(failure, PlaidRuleFailure):
        return findings.record_divergence(run, check, failure.divergence, where)
    rule = schemathesis_rule(
        check,
        operation,
        response.request,
        response.status_code,
        response.content,
        run.settings.credentials,
    )
    if rule is None:
        return findings.PASSED
    message = failure.message or failure.title
    if rule.is_assumed:
        message += f"\n\nThis rests on {rule.label}: {rule.source}."
        if rule.adopt:
            message += f"\nTo adopt the target's behaviour: {rule.adopt}"
    return findings.record(
        run,
        check,
        rule,
        title=failure.title,
        message=message,
        # Schemathesis' own identity of a failure (its class and key), not its message.
        cause=f"{type(failure).__name__}:{getattr(failure, '_unique_key', '')}",
        where=where,
        answered=f"{response.status_code}",
        expected=SCHEMATHESIS_EXPECTED.get(check, f"what the spec says ({failure.title})"),
    )


def record_no_answer(run: RunContext, case: Case[Any], error: requests.RequestException) -> None:
    """A request that got no answer (timeout, dropped connection) is a finding like any other."""
    request = error.request
    if not isinstance(request, requests.PreparedRequest):
        return
    where = where_of(run, case, request, None)
    divergence = Divergence(
        rules.ANSWERS,
        answered=f"no answer ({type(error).__name__})",
        expected=f"an HTTP answer within {run.settings.request_timeout_seconds:g} s",
        cause=type(error).__name__,
    )
    outcome = findings.record_divergence(run, "plaid_answers", divergence, where)
    run.stats.check_result(where.operation, "plaid_answers", outcome)


def client_check(
    run: RunContext,
    operation: Operation,
    *,
    check: str,
    test: str,
    divergences: list[Divergence],
) -> None:
    """Tally a client-side check and keep its findings with the last exchange's reproduction.
    Never raises: the test fails at its end (the suite's conftest), after every example ran."""
    last = run.recorder.last()
    where = Where(
        operation=operation.label,
        test=test,
        phase=CLIENT_PHASE,
        status=None if last is None else last.status,
        curl="" if last is None else last.curl(),
        interaction=None if last is None else last.number,
        excerpt="" if last is None else last.response_body[:RESPONSE_EXCERPT_CHARS],
    )
    outcomes = [findings.record_divergence(run, check, item, where) for item in divergences]
    run.stats.check_result(operation.label, check, findings.worst(outcomes))
