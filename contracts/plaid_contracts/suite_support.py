"""Helpers the suite's conftest and tests share (kept here so mypy and tests see them)."""

from __future__ import annotations

from typing import Any

import requests
from schemathesis import Case
from schemathesis.core.parameters import ParameterLocation

from plaid_contracts.sanitize import Masker, curl_command
from plaid_contracts.settings import RunContext
from plaid_contracts.stats import CLIENT_PHASE, FailureRecord
from plaid_contracts.transport import text_headers

SCHEMATHESIS_TEST = "test_session_token_create_contract"
RESPONSE_EXCERPT_CHARS = 1500


def phase_of(case: Case[Any]) -> str:
    return case.meta.phase.name.value if case.meta is not None else "unknown"


def body_is_positive(case: Case[Any]) -> bool:
    """Whether schemathesis generated the body as valid (other parts may still be invalid)."""
    meta = case.meta
    if meta is None:
        return False
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


def client_check(
    run: RunContext, *, check: str, test: str, title: str, problems: list[str]
) -> None:
    """Tally a client-side check; on failure keep it with the last exchange's reproduction."""
    run.stats.check_result(check, passed=not problems)
    if not problems:
        return
    last = run.recorder.last()
    message = "\n".join(problems)
    run.stats.add_failure(
        FailureRecord(
            test=test,
            check=check,
            title=title,
            message=run.recorder.masker.text(message),
            phase=CLIENT_PHASE,
            status=None if last is None else last.status,
            curl="" if last is None else last.curl(),
            interaction=None if last is None else last.number,
            response_excerpt="" if last is None else last.response_body[:RESPONSE_EXCERPT_CHARS],
        )
    )
    raise AssertionError(run.recorder.masker.text(message))
