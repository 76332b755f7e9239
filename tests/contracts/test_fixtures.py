"""Every case carries the run's fixtures: a Dashboard-style template and Plaid-format
credentials (what the nightly job is given) make a green offline run, in every phase."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from plaid_contracts.recording.recorder import load_cassette
from plaid_offline_sandbox.config import DEFAULT_ANDROID_PACKAGE_NAME, DEFAULT_REDIRECT_URI

from tests.contracts.helpers import DASHBOARD_RUNS, DASHBOARD_TEMPLATE_ID, RunResult

ALLOWED = {
    "redirect_uri": DEFAULT_REDIRECT_URI,
    "android_package_name": DEFAULT_ANDROID_PACKAGE_NAME,
}


@DASHBOARD_RUNS
@pytest.mark.parametrize("run", ["dashboard-loopback", "dashboard-in-process"])
def test_a_dashboard_template_and_plaid_format_credentials_run_green(
    shared_run: Callable[[str], RunResult], run: str
) -> None:
    result = shared_run(run)

    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    for phase in ("examples", "coverage", "fuzzing"):
        assert summary["cases"][phase] == summary["planned"][phase] > 0, phase
    assert summary["cases"]["client"] > 0
    assert summary["failures"] == [] and summary["observations"] == []
    assert "Every phase ran to its end" in result.summary
    # The template is the operation's fixture, in its section of the summary.
    section = result.summary.split("## `POST /session/token/create`", 1)[1]
    assert f"| Fixture `template_id` | `{DASHBOARD_TEMPLATE_ID}` (from PLAID_TEMPLATE_ID" in section
    # The allow-listed values are the offline sandbox's own (the run was given none).
    assert summary["fixtures"] == {
        "PLAID_TEMPLATE_ID": DASHBOARD_TEMPLATE_ID,
        "PLAID_REDIRECT_URI": DEFAULT_REDIRECT_URI,
        "PLAID_ANDROID_PACKAGE_NAME": DEFAULT_ANDROID_PACKAGE_NAME,
    }
    assert_cases_carry_the_run_fixtures(result)


def assert_cases_carry_the_run_fixtures(result: RunResult) -> None:
    """Schemathesis' cases: the run's template and allow-listed values wherever one is a
    non-empty string, credentials in the headers, and body credentials only where they are what
    the case breaks."""
    interactions = load_cassette(result.reports_dir / "cassette.yaml")["interactions"]
    cases = [item["request"] for item in interactions if item["source"] == "schemathesis"]
    assert len(cases) > 100
    templates = 0
    for request in cases:
        headers = {name.lower(): values for name, values in request["headers"].items()}
        assert headers["plaid-client-id"] == ["${PLAID_CLIENT_ID}"]
        assert headers["plaid-secret"] == ["${PLAID_SECRET}"]
        body = _json(request["body"]["string"])
        if not isinstance(body, dict):
            continue
        template = body.get("template_id")
        if isinstance(template, str) and template:
            assert template == DASHBOARD_TEMPLATE_ID
            templates += 1
        for key, allowed in ALLOWED.items():
            value = body.get(key)
            assert not isinstance(value, str) or value in ("", allowed), request
        for key in ("client_id", "secret"):
            # A generated (random, schema-valid) credential would be masked as [masked].
            assert body.get(key) != "[masked]", request
    # Most cases carry one: the others break template_id itself, or the body.
    assert templates > len(cases) / 2


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
