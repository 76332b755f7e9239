"""Every case carries the run's fixtures: a Dashboard-style template and Plaid-format
credentials (what the nightly job is given) make a green offline run, in every phase."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from plaid_contracts.reports.recorder import load_cassette

from tests.contracts.helpers import FAST, RunResult, clean_env

TEMPLATE_ID = "template_b4r9mQ2kX7tz"
DASHBOARD_RUN = {
    "PLAID_TEMPLATE_ID": TEMPLATE_ID,
    # 24 / 30 lowercase hex, as Plaid's are, and not the offline sandbox's defaults.
    "PLAID_CLIENT_ID": "5f3a9c0e1b7d4a6f8e2c0b19",
    "PLAID_SECRET": "9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
}


@pytest.mark.parametrize("mode", [(), ("--in-process", *FAST)], ids=["loopback", "in-process"])
def test_a_dashboard_template_and_plaid_format_credentials_run_green(
    run_contracts: Callable[..., RunResult], mode: tuple[str, ...]
) -> None:
    result = run_contracts(*mode, env=clean_env(DASHBOARD_RUN))

    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    for phase in ("examples", "coverage", "fuzzing"):
        assert summary["cases"][phase] == summary["planned"][phase] > 0, phase
    assert summary["cases"]["client"] > 0
    assert summary["failures"] == [] and summary["observations"] == []
    assert "Every phase ran to its end" in result.summary
    # The template is the operation's fixture, in its section of the summary.
    section = result.summary.split("## `POST /session/token/create`", 1)[1]
    assert f"| Fixture `template_id` | `{TEMPLATE_ID}` (from PLAID_TEMPLATE_ID" in section
    assert summary["fixtures"] == {"PLAID_TEMPLATE_ID": TEMPLATE_ID}
    assert_cases_carry_the_run_fixtures(result)


def assert_cases_carry_the_run_fixtures(result: RunResult) -> None:
    """Schemathesis' cases: the run's template wherever one is a non-empty string, credentials
    in the headers, and body credentials only where they are what the case breaks."""
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
            assert template == TEMPLATE_ID
            templates += 1
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
