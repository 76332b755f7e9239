"""Credentials never reach a report file or the console (issue 5, point 6), in either offline
mode, whether the run passes or fails."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from plaid_contracts.recorder import load_cassette

from tests.contracts.broken_apps import DROPS_BODY_CREDENTIALS
from tests.contracts.helpers import FAST, RunResult, all_report_text, clean_env

# In Plaid's formats (24 / 30 lowercase hex), as the real Sandbox's credentials are.
CANARY_CLIENT_ID = "ca4a2ec11e474f1d9cca4a2e"
CANARY_SECRET = "ca4a2e5ec2e79b8e2aca4a2e5ec2e7"
CANARIES = {"PLAID_CLIENT_ID": CANARY_CLIENT_ID, "PLAID_SECRET": CANARY_SECRET}


@pytest.mark.parametrize("mode", [(), ("--in-process",)], ids=["loopback", "in-process"])
def test_canary_credentials_appear_nowhere(
    run_contracts: Callable[..., RunResult], mode: tuple[str, ...]
) -> None:
    result = run_contracts(*mode, *FAST, env=clean_env(CANARIES))

    assert result.returncode == 0, result.stdout + result.stderr
    assert_no_canary_anywhere(result)
    # The credentials were really sent, as headers and (body-credentials tests) in bodies.
    requests = [
        item["request"]
        for item in load_cassette(result.reports_dir / "cassette.yaml")["interactions"]
    ]
    header_secrets = {
        value
        for request in requests
        for name, values in request["headers"].items()
        if name.lower() == "plaid-secret"
        for value in values
    }
    assert "${PLAID_SECRET}" in header_secrets
    body_secrets = [
        body.get("secret")
        for request in requests
        if isinstance(body := _json_or_none(request["body"]["string"]), dict)
    ]
    assert "${PLAID_SECRET}" in body_secrets


def test_canary_credentials_appear_nowhere_when_the_run_fails(
    run_broken_in_process: Callable[..., RunResult],
) -> None:
    """A failing run prints tracebacks: none of them may show the request (body credentials).

    The broken app drops every request with credentials in its body, so the generated client
    raises a transport error while its frames hold the request's JSON body.
    """
    result = run_broken_in_process(DROPS_BODY_CREDENTIALS, *FAST, env=CANARIES)

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.summary.startswith("# Contract run: FAILED")
    # The failure really happened where the body carries the run's credentials.
    assert "test_body_only_credentials_succeed" in result.stdout
    assert_no_canary_anywhere(result)


def assert_no_canary_anywhere(result: RunResult) -> None:
    files = all_report_text(result.reports_dir)
    assert {path.name for path in files} >= {
        "summary.md",
        "junit.xml",
        "cassette.yaml",
        "summary.json",
        "sandbox.log",
    }
    for canary in (CANARY_CLIENT_ID, CANARY_SECRET):
        for path, data in files.items():
            assert canary.encode() not in data, f"{canary} leaked into {path}"
        assert canary not in result.stdout
        assert canary not in result.stderr
    # Masked at the source, not by the last-resort scrub (which would report a masking bug).
    assert "MASKING BUG" not in result.stdout + result.stderr


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None
