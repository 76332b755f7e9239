"""The rule each of schemathesis' own checks rests on, so that its failures are failures or
observations by strength like ours: its conformance checks rest on the spec (DOC), its data
checks on what Plaid does with the request (the classifier and the judge).
"""

from __future__ import annotations

from typing import Final

import requests

from plaid_contracts import rules
from plaid_contracts.checks.response_checks import expectation_of
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.operations import Operation
from plaid_contracts.rules import Rule, Strength, strongest
from plaid_contracts.rules.judge import PlaidAnswer, judge

NEGATIVE_REJECTED: Final = Rule(
    "negative-data-rejected",
    Strength.DOC,
    "a request the spec forbids is rejected with 400 (Plaid's INVALID_REQUEST errors, "
    f"{rules.ERRORS_DOC}invalid-request/)",
)
MISSING_HEADER: Final = Rule(
    "missing-required-header",
    Strength.DOC,
    "a missing required header is 400 INVALID_REQUEST/INVALID_HEADERS "
    "(https://plaid.com/docs/errors/invalid-request/#invalid_headers)",
)
SCHEMATHESIS_RULES: Final = {
    "not_a_server_error": rules.NOT_A_SERVER_ERROR,
    "missing_required_header": MISSING_HEADER,
    "negative_data_rejection": NEGATIVE_REJECTED,
}


def schemathesis_rule(
    check: str,
    operation: Operation,
    request: requests.PreparedRequest,
    status: int,
    content: bytes,
    run_credentials: Credentials,
) -> Rule | None:
    """The rule a failure of one of schemathesis' own checks rests on; None when it is no
    finding about the target.

    Its conformance checks rest on the spec (DOC). Its data checks judge a request by the spec's
    schema alone; what Plaid does with that request is the classifier's call (rules/classifier.py
    and the operation's module):

    * a request the spec forbids and the target accepts is a finding only when Plaid rejects it:
      a spec stricter than Plaid (null accepted as absent, A5) is safe for clients;
    * a request the spec allows and the target rejects is a finding in any case: either the
      target diverges from Plaid, or the spec lets clients send what Plaid rejects, resting on
      the rule that rejects it (an assumption such as A9, or a documented rule).
    """
    data_check = check in ("negative_data_rejection", "positive_data_acceptance")
    if data_check and (check == "positive_data_acceptance" or 200 <= status < 300):
        expectation = expectation_of(operation, request, run_credentials)
        divergence = judge(expectation, PlaidAnswer.read(status, content))
        if divergence is not None:
            return divergence.rule
        if check == "negative_data_rejection" or not expectation.breakages:
            return None
        return strongest([breakage.rejected for breakage in expectation.breakages])
    return SCHEMATHESIS_RULES.get(check, rules.SPEC)
