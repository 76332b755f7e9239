"""Unit tests of the runner's parts: masking, pacing, 429 back-off, Plaid checks, report swap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from plaid_contracts import checks
from plaid_contracts.recorder import Recorder
from plaid_contracts.runner import scrub, swap_in
from plaid_contracts.sandbox_process import SandboxProcess
from plaid_contracts.sanitize import Masker, curl_command
from plaid_contracts.targets import Credentials
from plaid_contracts.throttle import BackoffPolicy, Rate, Throttle, parse_retry_after
from plaid_contracts.transport import ContractSession

PAIR = Credentials("client-abcdef", "secret-123456")


def test_masker_masks_by_name_and_by_value() -> None:
    masker = Masker(PAIR)
    headers = masker.headers(
        [
            ("PLAID-CLIENT-ID", PAIR.client_id),
            ("PLAID-SECRET", "someone-elses"),
            ("X-Echo", PAIR.secret),
        ]
    )
    assert headers == [
        ("PLAID-CLIENT-ID", "${PLAID_CLIENT_ID}"),
        ("PLAID-SECRET", "[masked]"),
        ("X-Echo", "${PLAID_SECRET}"),
    ]
    body = json.dumps(
        {"client_id": PAIR.client_id, "secret": "", "user": {"client_user_id": PAIR.secret}}
    )
    assert json.loads(masker.body(body)) == {
        "client_id": "${PLAID_CLIENT_ID}",
        "secret": "",  # empty: what the case is about, and no secret
        "user": {"client_user_id": "${PLAID_SECRET}"},
    }
    assert masker.body(b"not json " + PAIR.secret.encode()) == "not json ${PLAID_SECRET}"


def test_curl_turns_markers_into_shell_variables() -> None:
    command = curl_command(
        "post",
        "http://127.0.0.1:1/session/token/create",
        [("PLAID-SECRET", "${PLAID_SECRET}"), ("Content-Length", "3")],
        '{"secret": "${PLAID_SECRET}", "x": "it\'s"}',
    )
    assert "-H 'PLAID-SECRET: '\"$PLAID_SECRET\"" in command
    assert "Content-Length" not in command
    assert '--data-raw \'{"secret": "\'"$PLAID_SECRET"\'", "x": "it\'"\'"\'s"}\'' in command


def test_rate_parsing_and_spacing() -> None:
    assert Rate.parse("5/s").interval == pytest.approx(0.2)
    assert str(Rate.parse("300/m")) == "300/m"
    for bad in ("5", "0/s", "5/d", "x/s"):
        with pytest.raises(ValueError):
            Rate.parse(bad)
    now = [0.0]
    slept: list[float] = []
    throttle = Throttle(Rate.parse("4/s"), clock=lambda: now[0], sleep=slept.append)
    for _ in range(3):
        throttle.wait()
    assert slept == [pytest.approx(0.25), pytest.approx(0.5)]


def test_backoff_honours_retry_after_and_caps() -> None:
    policy = BackoffPolicy(max_retries=3, base_seconds=1, cap_seconds=10)
    assert [policy.delay(n, None) for n in range(5)] == [1, 2, 4, 8, 10]
    assert policy.delay(0, "3") == 3
    assert policy.delay(0, "3600") == 10
    assert parse_retry_after("soon") is None


def test_a_429_is_backed_off_retried_and_recorded(offline_sandbox: SandboxProcess) -> None:
    recorder = Recorder(Masker(Credentials("offline-client-id", "offline-secret")))
    waits: list[float] = []
    session = ContractSession(
        Throttle(None), recorder, BackoffPolicy(max_retries=3), sleep=waits.append
    )
    response = session.post(
        f"{offline_sandbox.base_url}/session/token/create",
        json={"template_id": "template_offline_default", "user": {"client_user_id": "u"}},
        headers={
            "PLAID-CLIENT-ID": "offline-client-id",
            "PLAID-SECRET": "offline-secret",
            # The offline sandbox's fault injection: a 429 with Retry-After: 2, then normal.
            "Plaid-Sandbox-Fault": "rate_limit:2,ok",
            "Plaid-Sandbox-Fault-Id": "test-429-retry",
        },
    )
    assert response.status_code == 200
    assert session.retried_429 == 1
    assert waits == [2.0]
    assert [(i.status, i.note) for i in recorder] == [(429, "429, retried"), (200, "")]


def test_a_persistent_429_is_returned_after_the_last_retry(offline_sandbox: SandboxProcess) -> None:
    recorder = Recorder(Masker(None))
    session = ContractSession(
        Throttle(None), recorder, BackoffPolicy(max_retries=2), sleep=lambda _: None
    )
    response = session.post(
        f"{offline_sandbox.base_url}/session/token/create",
        json={},
        headers={"Plaid-Sandbox-Fault": "rate_limit", "Plaid-Sandbox-Fault-Id": "test-429-forever"},
    )
    assert response.status_code == 429
    assert len(recorder) == 3


def test_plaid_error_rules() -> None:
    good = {
        "error_type": "INVALID_REQUEST",
        "error_code": "MISSING_FIELDS",
        "error_message": "m",
        "display_message": None,
        "request_id": "0PBlhvIaeYbdrTp",
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-request-errors",
    }
    assert checks.plaid_error_problems(400, json.dumps(good).encode()) == []
    assert checks.plaid_error_problems(200, b"<html>") == []
    assert checks.plaid_error_problems(502, b"<html>") == [
        "the 502 body is not JSON, so it is not a Plaid error object"
    ]
    bad = {**good, "error_code": "missingFields", "documentation_url": "http://example.com"}
    del bad["request_id"]
    problems = checks.plaid_error_problems(400, json.dumps(bad).encode())
    assert problems == [
        "missing `request_id`",
        "`error_code` must be an UPPER_SNAKE string, got 'missingFields'",
        "`documentation_url` must be an https://plaid.com/docs/ URL, got 'http://example.com'",
    ]


def test_link_token_rules() -> None:
    now = datetime(2026, 3, 10, 9, 0, 0, tzinfo=UTC)

    def problems(token: str, expires: datetime) -> list[str]:
        body = {"link": {"link_token": token, "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}
        return checks.link_token_problems(
            200,
            json.dumps(body).encode(),
            prefix="link-sandbox-",
            lifetime_seconds=4 * 3600,
            skew_seconds=120,
            now=now,
        )

    assert problems("link-sandbox-1", now + timedelta(hours=4)) == []
    assert (
        "must start with 'link-sandbox-'"
        in problems("link-production-1", now + timedelta(hours=1))[0]
    )
    assert "is not in the future" in problems("link-sandbox-1", now - timedelta(minutes=5))[0]
    assert "later than now + 14400 s" in problems("link-sandbox-1", now + timedelta(hours=5))[0]


def test_request_id_failure_says_the_format_may_change() -> None:
    assert checks.request_id_problems(b'{"request_id": "OUoAFhGrwHQbZ2O"}') == []
    [problem] = checks.request_id_problems(b'{"request_id": "req-1"}')
    assert "not a breaking change" in problem


def test_swap_replaces_the_previous_reports_whole(tmp_path: Path) -> None:
    reports, staging = tmp_path / "contracts", tmp_path / ".contracts.staging-1"
    reports.mkdir()
    (reports / "old.txt").write_text("old")
    staging.mkdir()
    (staging / "summary.md").write_text("new")
    swap_in(staging, reports)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contracts"]
    assert [p.name for p in reports.iterdir()] == ["summary.md"]


def test_scrub_finds_and_masks_a_leaked_value(tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text("nothing here")
    (tmp_path / "leaky.txt").write_text(f"echo {PAIR.secret}")
    assert scrub(tmp_path, Masker(PAIR)) == ["leaky.txt"]
    assert (tmp_path / "leaky.txt").read_text() == "echo ${PLAID_SECRET}"
