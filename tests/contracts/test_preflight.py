"""Preflight: credentials or a template the target does not know stop the run before its first
case, with one line naming which, exit 2, and nothing learnt from it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from plaid_contracts import operations
from plaid_contracts.commands import preflight

from tests.contracts.helpers import (
    CANARY_CLIENT_ID,
    CANARY_SECRET,
    FAST,
    RunResult,
    offline_app,
    remote_env,
    serve_asgi,
)

REFUSED_INPUTS = {
    # A well-formed pair the target does not know: Plaid's INVALID_API_KEYS.
    "credentials": (
        {"PLAID_CLIENT_ID": CANARY_CLIENT_ID, "PLAID_SECRET": CANARY_SECRET},
        "PLAID_CLIENT_ID/PLAID_SECRET refused by the target (400 INVALID_INPUT/INVALID_API_KEYS",
    ),
    "template": (
        {"PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz"},
        "PLAID_TEMPLATE_ID refused by the target (400 INVALID_REQUEST/INVALID_FIELD",
    ),
}


@pytest.mark.parametrize("refused", sorted(REFUSED_INPUTS))
def test_refused_inputs_stop_the_run_with_one_line(
    refused: str, run_contracts: Callable[..., RunResult]
) -> None:
    overrides, line = REFUSED_INPUTS[refused]
    with serve_asgi(offline_app()) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env={**remote_env(), **overrides})
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]  # one line
    assert result.stderr.startswith(f"error: {line}")
    assert "contracts: REFUSED" in result.stdout
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    assert summary["verdict"] == "refused"
    assert summary["total_cases"] == 0
    assert summary["failures"] == [] and summary["observations"] == []
    assert summary["requests_recorded"] == 1  # the preflight request, in the cassette
    assert result.summary.startswith(f"# Contract run: REFUSED\n\n> {line}")
    for canary in (CANARY_CLIENT_ID, CANARY_SECRET):
        assert canary not in result.stdout + result.stderr + result.summary


def test_an_allow_listed_value_refused_is_left_to_the_cases() -> None:
    """Refusing the run's redirect URI is a DOC divergence (the cases fail the run on it), not
    a refused input: the preflight does not send it, nor stop on an error naming it."""
    operation = operations.for_label("POST /session/token/create")
    fixtures = {
        "PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz",
        "PLAID_REDIRECT_URI": "https://app.example.com/oauth",
    }
    refused = json.dumps(
        {
            "error_type": "INVALID_REQUEST",
            "error_code": "INVALID_FIELD",
            "error_message": "redirect_uri must be a properly formatted, non-empty string",
        }
    ).encode()
    assert preflight.refusal(operation, fixtures, 400, refused) is None
    template_refused = refused.replace(b"redirect_uri", b"template_id")
    assert preflight.refusal(operation, fixtures, 400, template_refused) == (
        "PLAID_TEMPLATE_ID refused by the target (400 INVALID_REQUEST/INVALID_FIELD: "
        "template_id must be a properly formatted, non-empty string)"
    )
