"""Spec <-> target: schemathesis generates requests from the spec (examples, coverage, fuzzing)
and checks every response with its conformance checks and ours (plaid_contracts.st_checks),
including that the generated client parses it."""

from __future__ import annotations

from typing import Any

import schemathesis
from plaid_contracts.paths import SPEC
from plaid_contracts.settings import RunContext, current
from plaid_contracts.st_config import build_config
from plaid_contracts.suite_support import phase_of
from schemathesis import Case

schema = schemathesis.openapi.from_path(SPEC, config=build_config(current().settings))


@schema.parametrize()
def test_session_token_create_contract(
    case: Case[Any], run_context: RunContext, auth_headers: dict[str, str]
) -> None:
    run_context.stats.count_case(phase_of(case))
    # Credentials travel as headers, the way Plaid's SDKs send them (see case_policy).
    case.call_and_validate(session=run_context.session, headers=auth_headers)
