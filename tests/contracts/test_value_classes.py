"""Strength per value class, against targets on loopback (the PR profile, as a maintainer would
run it): a documented value refused fails the run naming the field and the value; an allow-listed
value given as fixture and refused fails; a value outside the target's allow-list refused passes,
with the fixture (it must be refused) and without it (an observation)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from plaid_offline_sandbox.app import create_app
from plaid_offline_sandbox.config import DEFAULT_REDIRECT_URI, SandboxConfig

from tests.contracts.helpers import RunResult, remote_env, serve_asgi
from tests.mutation.mutants import BY_NAME

# A Dashboard's allow-list that is not the sandbox's default.
DASHBOARD_REDIRECT_URI = "https://app.acme-payments.com/plaid/oauth-return"
REDIRECT_REFUSED = "rejected:redirect_uri->"


def _summary(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((result.reports_dir / "summary.json").read_text())
    return data


def _fields(summary: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    [operation] = summary["operations"].values()
    return {(row["field"], row["strength"]): row for row in operation["fields"]}


def test_a_target_refusing_every_webhook_fails_the_pr_run_naming_webhook_as_doc(
    run_contracts: Callable[..., RunResult],
) -> None:
    with serve_asgi(BY_NAME["refuses-webhook"].app(SandboxConfig())) as base_url:
        result = run_contracts("--base-url", base_url, env=remote_env())

    assert result.returncode == 1, result.stdout + result.stderr
    summary = _summary(result)
    webhook = [f for f in summary["failures"] if f["cause"].startswith("rejected:webhook->")]
    assert webhook and {f["strength"] for f in webhook} == {"DOC"}
    assert {f["rule"] for f in webhook} == {"webhook-documented"}
    assert all("`webhook` 'https://" in f["expected"] for f in webhook)
    # The client test that sends each documented field alone is among those that caught it.
    assert "test_documented_values_are_accepted" in {f["test"] for f in webhook}
    # Its edges (http, odd hosts) stay observations of A9, never failures.
    assert {f["tag"] for f in summary["observations"]} >= {"A9"}
    assert all(f["strength"] != "ASSUMED A9" for f in summary["failures"])
    # The per-field table: documented webhooks were sent and none was accepted.
    row = _fields(summary)[("webhook", "DOC")]
    assert row["sent"] > 0 and row["accepted"] == 0
    assert "### Fields of valid requests" in result.summary
    assert "| `webhook` | an https URL with a real host" in result.summary


def test_a_target_refusing_the_allow_listed_redirect_uri_given_as_fixture_fails(
    run_contracts: Callable[..., RunResult],
) -> None:
    app = BY_NAME["refuses-allow-listed-redirect-uri"].app(SandboxConfig())
    env = {**remote_env(), "PLAID_REDIRECT_URI": DEFAULT_REDIRECT_URI}
    with serve_asgi(app) as base_url:
        result = run_contracts("--base-url", base_url, "--max-examples", "5", env=env)

    assert result.returncode == 1, result.stdout + result.stderr
    failures = _summary(result)["failures"]
    # Plaid's wording names no field: the refusal is known by its error, and named here.
    redirect = [f for f in failures if f["cause"] == "rejected:redirect_uri->INVALID_FIELD"]
    assert redirect and {f["strength"] for f in redirect} == {"DOC"}
    assert all(f"`redirect_uri` '{DEFAULT_REDIRECT_URI}'" in f["expected"] for f in redirect)
    assert "| Fixture `redirect_uri` | `https://app.offline-sandbox.dev/" in result.summary


def _allow_list_run(run_contracts: Callable[..., RunResult], **fixtures: str) -> RunResult:
    """A PR run against a sandbox whose Dashboard allows DASHBOARD_REDIRECT_URI only."""
    app = create_app(SandboxConfig(redirect_uris=frozenset({DASHBOARD_REDIRECT_URI})))
    with serve_asgi(app) as base_url:
        return run_contracts(
            "--base-url", base_url, "--max-examples", "5", env={**remote_env(), **fixtures}
        )


def test_given_the_allowed_value_a_target_refusing_other_values_passes(
    run_contracts: Callable[..., RunResult],
) -> None:
    result = _allow_list_run(run_contracts, PLAID_REDIRECT_URI=DASHBOARD_REDIRECT_URI)

    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(result)
    outside = "test_session_token_create_client.py::test_values_outside_the_allow_lists_are_refused"
    assert summary["tests"][outside] == "passed"
    # Cases carried the allowed value (DOC; some also a package name the target's list lacks,
    # refused for that); no redirect refusal was left to observe.
    assert _fields(summary)[("redirect_uri", "DOC")]["accepted"] > 0
    assert not [f for f in summary["observations"] if f["cause"].startswith(REDIRECT_REFUSED)]


def test_without_the_allowed_value_a_target_refusing_other_values_passes_with_observations(
    run_contracts: Callable[..., RunResult],
) -> None:
    """Plaid's wording names no field: the refusals are known by their error, not by a name."""
    result = _allow_list_run(run_contracts)

    assert result.returncode == 0, result.stdout + result.stderr
    summary = _summary(result)
    assert summary["failures"] == []
    observed = [f for f in summary["observations"] if f["cause"].startswith(REDIRECT_REFUSED)]
    assert observed and {f["rule"] for f in observed} == {"allow-list-unknown"}
    assert all("PLAID_REDIRECT_URI" in f["adopt"] for f in observed)
    assert "| Fixture `redirect_uri` | not given (from PLAID_REDIRECT_URI" in result.summary
