"""Credentials never reach a report file or the console (issue 5, point 6), in either offline
mode, whether the run passes or fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from plaid_contracts.recording.recorder import load_cassette
from plaid_offline_sandbox.config import SandboxConfig

from tests.contracts.helpers import (
    CANARIES,
    CANARY_CLIENT_ID,
    CANARY_SECRET,
    DASHBOARD_RUNS,
    FAST,
    RunResult,
    all_report_text,
    clean_env,
    serve_asgi,
)
from tests.mutation import __main__ as harness
from tests.mutation.mutants import composed


@DASHBOARD_RUNS
@pytest.mark.parametrize("run", ["dashboard-loopback", "dashboard-in-process"])
def test_canary_credentials_appear_nowhere(
    shared_run: Callable[[str], RunResult], run: str
) -> None:
    """The shared runs' credentials are canaries; they also log every request and print
    progress, so neither the access log nor a progress line may show them."""
    result = shared_run(run)

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
    run_mutant_in_process: Callable[..., RunResult],
) -> None:
    """A failing run prints failures: none of them may show the request (body credentials).

    The mutant drops every request with credentials in its body, so the generated client gets
    a transport error while its frames hold the request's JSON body.
    """
    result = run_mutant_in_process("drops-body-credentials", *FAST, env=CANARIES)

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


def test_canary_credentials_appear_in_no_observation(
    run_contracts: Callable[..., RunResult],
) -> None:
    """Observations quote what the target answered and carry reproductions: masked too."""
    config = SandboxConfig(
        credentials=frozenset({(CANARY_CLIENT_ID, CANARY_SECRET)}),
        template_ids=frozenset({"template_b4r9mQ2kX7tz"}),
    )
    variants = composed("header-credentials-win", "other-methods-400", "short-request-ids")
    env = clean_env({**CANARIES, "PLAID_TEMPLATE_ID": "template_b4r9mQ2kX7tz"})
    with serve_asgi(variants(config)) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    observations = json.loads((result.reports_dir / "summary.json").read_text())["observations"]
    assert {item["tag"] for item in observations} >= {"A11", "A20", "A25"}
    files = all_report_text(result.reports_dir)
    for canary in (CANARY_CLIENT_ID, CANARY_SECRET):
        assert all(canary.encode() not in data for data in files.values())
        assert canary not in result.stdout + result.stderr


def test_the_mutation_harness_reports_no_credentials(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "mutation"
    # In this process (`nox -s mutation` runs the command itself): its runs are forks, as ever.
    code = harness.main(
        ["--only", "header-credentials-win", "constant-request-id", "--reports-dir", str(reports)]
    )
    completed = capfd.readouterr()  # the forkserver's output too

    assert code == 0, completed.out + completed.err
    assert "100 % (1/1 mutants killed), 0 false positive(s)" in completed.out
    files = all_report_text(reports)
    assert {path.name for path in files} >= {"mutation.md", "mutation.json", "summary.md"}
    for secret in (harness.CLIENT_ID, harness.SECRET):
        assert all(secret.encode() not in data for data in files.values())
        assert secret not in completed.out + completed.err
