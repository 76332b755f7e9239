"""A target that breaks rules makes the run fail, every divergence reported with a reproduction,
every phase run to its end; one that differs only where our assumptions may be wrong passes,
with each divergence listed as an observation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from plaid_contracts.offline.in_process import IN_PROCESS_BASE_URL
from plaid_offline_sandbox.config import SandboxConfig

from tests.contracts.helpers import FAST, OFFLINE_CREDENTIALS, RunResult, remote_env, serve_asgi
from tests.mutation.mutants import BY_NAME, composed

# name -> the check that must catch it
BROKEN_RULES = {
    "success-as-text-plain": "content_type_conformance",
    "created-201": "response_schema_conformance",
}
# Divergences from three documented rules at once, and the check that reports each.
DOCUMENTED_DIVERGENCES = {
    "unknown-fields-ignored": "plaid_expected_answer",
    "validation-422": "plaid_error_status",
    "constant-request-id": "plaid_request_id_unique",
}
# Divergences from assumptions only, and the assumption each contradicts.
ASSUMED_DIVERGENCES = {
    "other-methods-400": "A20",
    "header-credentials-win": "A11",
    "empty-optional-strings-accepted": "A7",
    "new-error-type": "A10",
    "short-request-ids": "A25",
}


def assert_failed_with_reproduction(
    result: RunResult, failing_check: str, base_url: str, *, default_credentials: bool = False
) -> str:
    """The run failed on ``failing_check`` with a curl against ``base_url``; returns the summary.

    The curl reads the credentials from the environment where the run took them from there, and
    carries the offline sandbox's published defaults where the run used those."""
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.summary
    assert summary.startswith("# Contract run: FAILED")
    assert f"`{failing_check}`]" in summary  # its row in the operation's checks table
    row = next(line for line in summary.splitlines() if f"[`{failing_check}`]" in line)
    assert "**FAILED**" in row
    failures = summary.split("## Failures", 1)[1].split("## Observations", 1)[0]
    assert f"`{failing_check}`" in failures
    # A reproduction against the broken target, and the seed.
    assert f"curl -sS -i -X POST {base_url}/session/token/create" in failures
    if default_credentials:
        assert f"-H 'PLAID-CLIENT-ID: {OFFLINE_CREDENTIALS.client_id}'" in failures
    else:
        assert '"$PLAID_CLIENT_ID"' in failures and '"$PLAID_SECRET"' in failures
    assert "seed `20200914`" in failures
    assert "summary.md" in result.stdout and "FAILED" in result.stdout
    # Failure reports (junit.xml, hypothesis' falsifying examples) are masked at the source.
    assert "MASKING BUG" not in result.stdout + result.stderr
    return summary


def summary_json(result: RunResult) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((result.reports_dir / "summary.json").read_text())
    return data


def assert_every_phase_ran_to_its_end(summary: dict[str, Any], markdown: str) -> None:
    for phase in ("examples", "coverage"):
        assert summary["cases"][phase] == summary["planned"][phase] > 0, phase
    assert summary["cases"]["fuzzing"] == summary["planned"]["fuzzing"] > 0
    assert summary["cases"]["client"] > 0
    assert "Every phase ran to its end" in markdown


@pytest.mark.parametrize("mutant", sorted(BROKEN_RULES))
def test_broken_rule_fails_the_run_with_a_reproduction(
    run_contracts: Callable[..., RunResult], mutant: str
) -> None:
    with serve_asgi(BY_NAME[mutant].app(SandboxConfig())) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=remote_env())

    assert_failed_with_reproduction(result, BROKEN_RULES[mutant], base_url)


@pytest.mark.parametrize("mutant", sorted(BROKEN_RULES))
def test_broken_in_process_app_fails_the_run_with_a_reproduction(
    run_mutant_in_process: Callable[..., RunResult], mutant: str
) -> None:
    result = run_mutant_in_process(mutant, *FAST)

    summary = assert_failed_with_reproduction(
        result, BROKEN_RULES[mutant], IN_PROCESS_BASE_URL, default_credentials=True
    )
    assert "| Target | offline sandbox, in-process |" in summary
    # A mutant is no sandbox `-s sandbox` serves: the summary names the harness' command.
    command = f"`python3 scripts/nox_pinned.py -s mutation -- --only {mutant}`"
    assert f"| Reproduce | {command} |" in summary
    assert f"Rerun the whole case set with {command}" in summary
    assert "-s sandbox" not in summary


def test_several_documented_divergences_are_all_reported_and_every_phase_runs(
    run_contracts: Callable[..., RunResult],
) -> None:
    with serve_asgi(composed(*DOCUMENTED_DIVERGENCES)(SandboxConfig())) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=remote_env())

    markdown = result.summary
    for check in DOCUMENTED_DIVERGENCES.values():
        assert_failed_with_reproduction(result, check, base_url)
    summary = summary_json(result)
    by_check = {finding["check"]: finding for finding in summary["failures"]}
    assert by_check["plaid_expected_answer"]["strength"] == "DOC"
    assert "UNKNOWN_FIELDS" in by_check["plaid_expected_answer"]["expected"]
    assert "422" in by_check["plaid_error_status"]["answered"]
    # Distinct failures stay distinct, each with its own reproduction, and no phase stopped.
    assert len(summary["failures"]) >= len(DOCUMENTED_DIVERGENCES)
    assert all(finding["curl"].startswith("curl ") for finding in summary["failures"])
    assert_every_phase_ran_to_its_end(summary, markdown)


def test_a_server_differing_only_in_assumptions_passes_with_observations(
    run_contracts: Callable[..., RunResult],
) -> None:
    with serve_asgi(composed(*ASSUMED_DIVERGENCES)(SandboxConfig())) as base_url:
        result = run_contracts("--base-url", base_url, *FAST, env=remote_env())

    assert result.returncode == 0, result.stdout + result.stderr
    markdown = result.summary
    assert markdown.startswith("# Contract run: PASSED")
    summary = summary_json(result)
    assert summary["failures"] == [] and summary["assumptions"] == "observed"
    observed = {finding["tag"] for finding in summary["observations"]}
    assert observed >= set(ASSUMED_DIVERGENCES.values())
    for finding in summary["observations"]:
        assert finding["strength"].startswith("ASSUMED")
        assert finding["answered"] and finding["expected"] and finding["curl"]
    # One A20 observation per operation (each has its method probes): this one's.
    [a20] = [
        f
        for f in summary["observations"]
        if f["tag"] == "A20" and f["operation"] == "POST /session/token/create"
    ]
    assert "400 INVALID_REQUEST/NOT_FOUND" in a20["answered"] and "404" in a20["expected"]
    assert "UNSUPPORTED_METHOD_STATUS" in a20["adopt"]
    section = markdown.split("## Observations", 1)[1]
    assert (
        "| A20 | `POST /session/token/create` | `plaid_unsupported_method` | "
        "400 INVALID_REQUEST/NOT_FOUND to "
    ) in section
    assert "To adopt the target's behaviour: change `UNSUPPORTED_METHOD_STATUS`" in section
    assert_every_phase_ran_to_its_end(summary, markdown)


def test_offline_an_assumption_the_sandbox_breaks_is_a_failure(
    run_mutant_in_process: Callable[..., RunResult],
) -> None:
    """The offline sandbox implements the assumptions: a mismatch there is a bug, so it fails
    (unless the run is told to observe, as the mutation harness does for its variants)."""
    enforced = run_mutant_in_process("other-methods-400", *FAST)

    assert enforced.returncode == 1, enforced.stdout + enforced.stderr
    [finding] = summary_json(enforced)["failures"]
    assert (finding["check"], finding["strength"]) == ("plaid_unsupported_method", "ASSUMED A20")
    assert "Failures marked ASSUMED are enforced" in enforced.summary

    observed = run_mutant_in_process("other-methods-400", "--assumptions", "observe", *FAST)
    assert observed.returncode == 0, observed.stdout + observed.stderr
    assert [f["tag"] for f in summary_json(observed)["observations"]] == ["A20"]
