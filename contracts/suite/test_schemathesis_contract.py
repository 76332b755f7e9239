"""Spec <-> target: schemathesis generates requests from the spec (examples, coverage, fuzzing)
and checks every response with its conformance checks and ours
(plaid_contracts.checks.response_checks), including that the generated client parses it.

One test per operation of the spec (``@schema.parametrize``): pytest names each
``test_schemathesis_contract[POST /session/token/create]``, and each finds its operation's
contract module (plaid_contracts.operations) through the case.

A failing case does not stop its phase: hypothesis would skip the fuzzing phase after a failing
explicit example (examples and coverage are explicit examples) and stop generating soon after a
first failing fuzzing case. Every finding is kept by the ``after_validate`` hook instead, and the
test fails at its end with all of them (conftest.py, ``pytest_runtest_call``).
"""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from plaid_contracts import operations
from plaid_contracts.checks.results import phase_of, record_no_answer, schemathesis_test
from plaid_contracts.checks.schemathesis_config import build_config
from plaid_contracts.infra.paths import SPEC
from plaid_contracts.runtime.context import RunContext, current
from schemathesis import Case
from schemathesis.core.failures import FailureGroup

loaded = schemathesis.openapi.from_path(SPEC, config=build_config(current().settings))
# --operation: a shard of the run checks the operations it names.
selected = current().settings.operations
schema = loaded.include(name=list(selected)) if selected else loaded


@schema.parametrize()
def test_schemathesis_contract(
    case: Case[Any], run_context: RunContext, auth_headers: dict[str, str]
) -> None:
    operation = operations.for_case(case)
    run_context.count_case(operation.label, phase_of(case), schemathesis_test(operation))
    try:
        # Credentials travel as headers, the way Plaid's SDKs send them.
        case.call_and_validate(session=run_context.session, headers=auth_headers)
    except FailureGroup:
        pass  # every failure of this case is already a finding (after_validate)
    except requests.RequestException as error:
        record_no_answer(run_context, case, error)
