"""What each check of a run means, what it rests on, and which answers it applies to.

The summary prints one line per check (meaning, strength, a link). Our checks are described where
they are registered (``checks/response_checks.py``, ``our_check``), an operation's own checks in its
module (``Operation.checks``); here are the others: schemathesis' own checks, the client tests' and
``plaid_answers``, and the ``CheckInfo`` they all use. ``applies`` tells an answer a check had
nothing to say about from one it passed: schemathesis counts both as a success, the summary does
not. Our checks say so themselves (a check returning True is skipped by schemathesis); for
schemathesis' own checks the predicates below mirror the conditions they start with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from schemathesis import Case, Response
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from plaid_contracts.rules import Strength

# A check's strength is spelled as the rules' (Strength: DOC, SEEN, ASSUMED); "per rule" ones
# apply rules of several strengths, and each finding names its own.
DOC, SEEN, ASSUMED = Strength.DOC.value, Strength.SEEN.value, Strength.ASSUMED.value

SCHEMATHESIS_DOCS: Final = "https://schemathesis.readthedocs.io/en/stable/reference/checks/"
ERRORS_DOC: Final = "https://plaid.com/docs/errors/"
PLAID_SPEC: Final = "https://github.com/plaid/plaid-openapi"
# Repository files, linked relative to the report that names them.
CLIENT_README: Final = "generated/plaid-session-client/README.md"
SUITE_REFERENCE: Final = "docs/contract-suite.md"


# What a check's counts are counted on.
ON_ANSWERS: Final = "answers"  # each answer to a schemathesis case (not applicable: not counted)
ON_REQUESTS: Final = "requests"  # each schemathesis case and client call, answered or not
ON_CLIENT_CALLS: Final = "client calls"  # the client tests' calls it judges


@dataclass(frozen=True)
class CheckInfo:
    meaning: str  # one line: what it holds the target (or the client) to
    strength: str  # "DOC", "SEEN, DOC", "per rule: ...", "ASSUMED (A25)"
    link: str  # a URL, or a repository path
    # False for an answer the check has nothing to say about (counted "not applicable").
    applies: Callable[[Case[Any], Response], bool] | None = None
    counted_on: str = ON_ANSWERS


def _coverage_scenario(case: Case[Any]) -> CoverageScenario | None:
    data = case.meta.phase.data if case.meta is not None else None
    return data.scenario if isinstance(data, CoveragePhaseData) else None


def is_method_probe(case: Case[Any] | None) -> bool:
    """Coverage's requests with a method the spec does not declare for the path."""
    return case is not None and _coverage_scenario(case) == CoverageScenario.UNSPECIFIED_HTTP_METHOD


def _negative(case: Case[Any], response: Response) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_negative


def _positive(case: Case[Any], response: Response) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _drops_a_required_header(case: Case[Any], response: Response) -> bool:
    data = case.meta.phase.data if case.meta is not None else None
    return (
        isinstance(data, CoveragePhaseData)
        and data.scenario == CoverageScenario.MISSING_PARAMETER
        and data.parameter_location == ParameterLocation.HEADER
    )


def _allow_to_options(case: Case[Any], response: Response) -> bool:
    return response.request.method == "OPTIONS" and bool(response.headers.get("allow"))


SPEC_STRENGTH: Final = f"{DOC} (the spec, written from Plaid's)"
CLIENT_STRENGTH: Final = f"{DOC} (the client's own contract)"

OTHER_CHECKS: Final = {
    "plaid_answers": CheckInfo(
        "every request gets an HTTP answer within --request-timeout",
        DOC,
        f"{ERRORS_DOC}api/",
        counted_on=ON_REQUESTS,
    ),
    "not_a_server_error": CheckInfo(
        "no 5xx: a request a client can build never deserves one",
        DOC,
        f"{SCHEMATHESIS_DOCS}#not_a_server_error",
    ),
    "status_code_conformance": CheckInfo(
        "the status is one the spec declares",
        SPEC_STRENGTH,
        f"{SCHEMATHESIS_DOCS}#status_code_conformance",
    ),
    "content_type_conformance": CheckInfo(
        "the Content-Type is one the spec declares for that status",
        SPEC_STRENGTH,
        f"{SCHEMATHESIS_DOCS}#content_type_conformance",
    ),
    "response_headers_conformance": CheckInfo(
        "the headers the spec declares for that status are there and valid",
        SPEC_STRENGTH,
        f"{SCHEMATHESIS_DOCS}#response_headers_conformance",
    ),
    "response_schema_conformance": CheckInfo(
        "the body matches the spec's schema for that status",
        SPEC_STRENGTH,
        f"{SCHEMATHESIS_DOCS}#response_schema_conformance",
    ),
    "missing_required_header": CheckInfo(
        "a request without a required header gets 400 (no header is required today)",
        DOC,
        f"{SCHEMATHESIS_DOCS}#missing_required_header",
        applies=_drops_a_required_header,
    ),
    "allow_header_conformance": CheckInfo(
        "an Allow header sent to OPTIONS lists the spec's methods (Plaid sends none)",
        SPEC_STRENGTH,
        f"{SCHEMATHESIS_DOCS}#allow_header_conformance",
        applies=_allow_to_options,
    ),
    "negative_data_rejection": CheckInfo(
        "a request the spec forbids is rejected with 400, unless Plaid accepts it by assumption",
        f"per rule: {DOC}, or {ASSUMED} where Plaid accepts what the spec forbids",
        f"{SCHEMATHESIS_DOCS}#negative_data_rejection",
        applies=_negative,
    ),
    "positive_data_acceptance": CheckInfo(
        "a request the spec allows is accepted",
        f"per rule: {DOC}; {ASSUMED} where only an assumption rejects it",
        f"{SCHEMATHESIS_DOCS}#positive_data_acceptance",
        applies=_positive,
    ),
    "client_typed_success": CheckInfo(
        "through the generated client, a valid request returns the success model, valid for "
        "this target",
        CLIENT_STRENGTH,
        CLIENT_README,
        counted_on=ON_CLIENT_CALLS,
    ),
    "client_typed_error": CheckInfo(
        "through the generated client, an error raises the APIStatusError subclass of its "
        "error_type",
        CLIENT_STRENGTH,
        CLIENT_README,
        counted_on=ON_CLIENT_CALLS,
    ),
    "client_expected_error": CheckInfo(
        "each invalid request of the client tests gets Plaid's error for it, with its "
        "documented status",
        f"per rule: {DOC}, {SEEN} or {ASSUMED}",
        f"{SUITE_REFERENCE}#how-the-suite-is-built",
        counted_on=ON_CLIENT_CALLS,
    ),
}
