"""parity: replaying a recording against the offline sandbox finds every kind of difference."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_contracts.commands.parity import ReplayTarget, compare, key_paths, run_parity
from plaid_contracts.infra.instability import RESENT_NOTE
from plaid_contracts.offline.loopback import SandboxProcess

from tests.contracts.helpers import (
    DEFAULT_RUNS,
    OFFLINE_CREDENTIALS,
    OFFLINE_TEMPLATE_ID,
    RunResult,
)

# A real-Sandbox recording as `run` writes it: the real template and masked credentials.
REAL_TEMPLATE = "template_4bkq3yjTRvxQ"
HEADERS = {
    "Content-Type": ["application/json"],
    "PLAID-CLIENT-ID": ["${PLAID_CLIENT_ID}"],
    "PLAID-SECRET": ["${PLAID_SECRET}"],
}


def interaction(
    number: int,
    headers: dict[str, list[str]],
    body: dict[str, Any],
    status: int,
    response: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": number,
        "request": {
            "method": "POST",
            "uri": "https://sandbox.plaid.com/session/token/create",
            "headers": headers,
            "body": {"string": json.dumps(body)},
        },
        "response": {
            "status": {"code": status},
            "headers": {},
            "body": {"string": json.dumps(response)},
        },
    }


def error(error_type: str, error_code: str) -> dict[str, Any]:
    return {
        "display_message": None,
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-request-errors",
        "error_code": error_code,
        "error_message": "...",
        "error_type": error_type,
        "request_id": "0PBlhvIaeYbdrTp",
        "suggested_action": None,
    }


SUCCESS: dict[str, Any] = {
    "link": {"expiration": "2026-03-10T13:13:03Z", "link_token": "link-sandbox-1"},
    "request_id": "x",
}
VALID = {"template_id": REAL_TEMPLATE, "user": {"client_user_id": "user-1"}}


def matching_recording() -> dict[str, Any]:
    wrong_secret = {**HEADERS, "PLAID-SECRET": ["[masked]"]}
    no_credentials = {"Content-Type": ["application/json"]}
    body_credentials = {**VALID, "client_id": "${PLAID_CLIENT_ID}", "secret": "${PLAID_SECRET}"}
    return {
        "version": 1,
        "metadata": {
            "target": {"base_url": "https://sandbox.plaid.com", "kind": "sandbox"},
            "fixtures": {"PLAID_TEMPLATE_ID": REAL_TEMPLATE},
        },
        "interactions": [
            interaction(1, HEADERS, VALID, 200, SUCCESS),
            interaction(2, wrong_secret, VALID, 400, error("INVALID_INPUT", "INVALID_API_KEYS")),
            interaction(3, no_credentials, VALID, 400, error("INVALID_REQUEST", "MISSING_FIELDS")),
            interaction(4, no_credentials, body_credentials, 200, SUCCESS),
            interaction(
                5,
                HEADERS,
                {**VALID, "template_id": "tpl_unknown"},
                400,
                error("INVALID_REQUEST", "INVALID_FIELD"),
            ),
            # Throttled by the real Sandbox: not part of the comparison.
            interaction(6, HEADERS, VALID, 429, error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT")),
        ],
    }


@pytest.fixture
def target(offline_sandbox: SandboxProcess) -> ReplayTarget:
    return ReplayTarget(
        offline_sandbox.base_url, OFFLINE_CREDENTIALS, {"template_id": OFFLINE_TEMPLATE_ID}
    )


def test_a_matching_recording_has_no_differences(target: ReplayTarget) -> None:
    replayed, differences = run_parity(matching_recording(), target)
    assert replayed == 5
    assert differences == []


def test_a_different_status_is_reported(target: ReplayTarget) -> None:
    recording = matching_recording()
    recording["interactions"][0]["response"]["status"]["code"] = 201
    _, differences = run_parity(recording, target)
    assert [(d.interaction, d.problems) for d in differences] == [
        (1, ["status: recorded 201, offline 200"])
    ]


def test_a_different_error_code_is_reported(target: ReplayTarget) -> None:
    recording = matching_recording()
    body = error("INVALID_INPUT", "INVALID_SECRET")
    recording["interactions"][1]["response"]["body"]["string"] = json.dumps(body)
    _, differences = run_parity(recording, target)
    assert [(d.interaction, d.problems) for d in differences] == [
        (2, ["error_code: recorded INVALID_SECRET, offline INVALID_API_KEYS"])
    ]


def test_an_extra_key_is_reported(target: ReplayTarget) -> None:
    recording = matching_recording()
    success = copy.deepcopy(SUCCESS)
    success["link"]["session_id"] = "s-1"
    recording["interactions"][0]["response"]["body"]["string"] = json.dumps(success)
    _, differences = run_parity(recording, target)
    assert [(d.interaction, d.problems) for d in differences] == [
        (1, ["keys only in the recording: link.session_id"])
    ]


def test_key_paths_and_values_ignored() -> None:
    assert key_paths({"a": {"b": 1}, "c": [{"d": 2}]}) == {"a", "a.b", "c", "c[].d"}
    assert (
        compare(200, json.dumps(SUCCESS), 200, json.dumps({**SUCCESS, "request_id": "y"}).encode())
        == []
    )


def test_cli_exit_codes(run_contracts: Callable[..., RunResult], tmp_path: Path) -> None:
    same = tmp_path / "same.yaml"
    same.write_text(yaml.safe_dump(matching_recording()))
    different = matching_recording()
    different["interactions"][0]["response"]["status"]["code"] = 500
    differs = tmp_path / "differs.yaml"
    differs.write_text(yaml.safe_dump(different))

    assert run_contracts(str(same), command="parity").returncode == 0
    result = run_contracts(str(differs), command="parity")
    assert result.returncode == 1
    assert (
        "interaction #1" in result.stdout and "status: recorded 500, offline 200" in result.stdout
    )
    assert run_contracts(str(tmp_path / "missing.yaml"), command="parity").returncode == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("interactions: [\n  {request: \n", "is not valid YAML at line"),
        ("just a string\n", "no 'interactions' list"),
        ("interactions:\n  - response: {}\n", "interaction 1 has no request"),
    ],
    ids=["invalid-yaml", "not-a-mapping", "no-request"],
)
def test_a_malformed_recording_is_one_clear_line_and_exit_2(
    run_contracts: Callable[..., RunResult], tmp_path: Path, text: str, problem: str
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)

    result = run_contracts(str(broken), command="parity")

    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {broken} ")
    assert problem in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_parity_lists_the_recorded_runs_observations(
    run_contracts: Callable[..., RunResult], tmp_path: Path
) -> None:
    """Parity reads the summary.json next to the recording: the assumptions to revisit."""
    recording = tmp_path / "cassette.yaml"
    recording.write_text(yaml.safe_dump(matching_recording()))
    observation = {
        "tag": "A20",
        "check": "plaid_unsupported_method",
        "answered": "400 INVALID_REQUEST/NOT_FOUND to GET",
        "expected": "HTTP 404 (assumption A20)",
        "adopt": "change `UNSUPPORTED_METHOD_STATUS` in assumptions.py",
        "occurrences": 7,
    }
    (tmp_path / "summary.json").write_text(json.dumps({"observations": [observation]}))

    result = run_contracts(str(recording), command="parity")

    assert result.returncode == 0, result.stderr
    assert "## Assumptions the recorded run's target contradicted" in result.stdout
    assert (
        "- A20 (`plaid_unsupported_method`, seen 7 time(s)): answered 400 "
        "INVALID_REQUEST/NOT_FOUND to GET; the assumption says HTTP 404 (assumption A20). "
        "To adopt: change `UNSUPPORTED_METHOD_STATUS` in assumptions.py"
    ) in result.stdout


@DEFAULT_RUNS
def test_parity_on_an_offline_runs_own_recording_says_it_compared_the_sandbox_with_itself(
    run_contracts: Callable[..., RunResult], shared_run: Callable[[str], RunResult]
) -> None:
    run = shared_run("defaults-in-process")
    assert run.returncode == 0, run.stdout + run.stderr

    result = run_contracts(str(run.reports_dir / "cassette.yaml"), command="parity")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "differ." in result.stdout and " 0 differ." in result.stdout
    assert "compared the offline sandbox with itself" in result.stdout


def test_an_answer_re_sent_as_target_trouble_is_not_replayed(target: ReplayTarget) -> None:
    """A re-sent 500 was the target's trouble: the attempt judged in its place is replayed."""
    recording = matching_recording()
    recording["interactions"][0]["response"]["status"]["code"] = 500
    recording["interactions"][0]["note"] = RESENT_NOTE
    replayed, differences = run_parity(recording, target)
    assert replayed == 4
    assert differences == []
