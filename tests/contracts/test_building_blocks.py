"""Unit tests of the runner's parts: masking, pacing, 429 back-off, Plaid checks, report swap."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from plaid_contracts import rules
from plaid_contracts.checks import auth_probes, response_checks
from plaid_contracts.infra.credentials import OFFLINE_DEFAULTS, Credentials
from plaid_contracts.infra.settings import PR_SEED, PROFILES, RunSettings
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.infra.throttle import BackoffPolicy, Rate, Throttle, parse_retry_after
from plaid_contracts.offline.loopback import SandboxProcess
from plaid_contracts.operations import session_token_create as endpoint
from plaid_contracts.recording.masking import Masker, curl_command, scrub
from plaid_contracts.recording.progress import Progress
from plaid_contracts.recording.recorder import Recorder
from plaid_contracts.recording.stats import RunStats
from plaid_contracts.reports import summary
from plaid_contracts.reports.staging import publish, swap_in
from plaid_contracts.rules import envelope
from plaid_contracts.runtime import context
from plaid_contracts.runtime.context import RunContext
from plaid_contracts.runtime.transport import ContractSession, ContractTransport

PAIR = Credentials("client-abcdef", "secret-123456")
OFFLINE = OFFLINE_DEFAULTS


def test_masker_masks_by_name_and_by_value() -> None:
    masker = Masker(PAIR)
    headers = masker.headers(
        [
            ("PLAID-CLIENT-ID", PAIR.client_id),
            ("PLAID-SECRET", "5ec2e75ec2e75ec2e75ec2e75ec2e7"),  # someone else's
            ("PLAID-CLIENT-ID", "test_id"),  # malformed: a replay must send a malformed one
            ("X-Echo", PAIR.secret),
        ]
    )
    assert headers == [
        ("PLAID-CLIENT-ID", "${PLAID_CLIENT_ID}"),
        ("PLAID-SECRET", "[masked]"),
        ("PLAID-CLIENT-ID", "[masked, malformed]"),
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
    recorder = Recorder(Masker(OFFLINE))
    waits: list[float] = []
    session = ContractSession(
        Throttle(None), recorder, BackoffPolicy(max_retries=3), sleep=waits.append
    )
    response = session.post(
        f"{offline_sandbox.base_url}/session/token/create",
        json={"template_id": "template_offline_default", "user": {"client_user_id": "u"}},
        headers={
            **OFFLINE.headers(),
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
    # Three 429s backed off, then two identical re-sends of what may be the target's trouble.
    assert [i.note for i in recorder] == ["429, retried"] * 2 + [
        "possibly the target's own trouble, re-sent"
    ] * 2 + [""]


def test_plaid_error_rules() -> None:
    good = {
        "error_type": "INVALID_REQUEST",
        "error_code": "MISSING_FIELDS",
        "error_message": "m",
        "display_message": None,
        "request_id": "0PBlhvIaeYbdrTp",
        "documentation_url": "https://plaid.com/docs/?ref=error#invalid-request-errors",
    }
    assert envelope.plaid_error_problems(400, json.dumps(good).encode()) == []
    assert envelope.plaid_error_problems(200, b"<html>") == []
    assert envelope.plaid_error_problems(502, b"<html>") == [
        "the 502 body is not JSON, so it is not a Plaid error object"
    ]
    bad = {**good, "error_code": "missingFields", "documentation_url": "http://example.com"}
    del bad["request_id"]
    problems = envelope.plaid_error_problems(400, json.dumps(bad).encode())
    assert problems == [
        "missing `request_id`",
        "`error_code` must be an UPPER_SNAKE string, got 'missingFields'",
        "`documentation_url` must be an https://plaid.com/docs/ URL, got 'http://example.com'",
    ]


def test_link_token_rules() -> None:
    now = datetime(2026, 3, 10, 9, 0, 0, tzinfo=UTC)
    sandbox = Target("https://sandbox.plaid.com", TargetKind.SANDBOX)

    def problems(token: str, expires: datetime, target: Target = sandbox) -> list[str]:
        body = {"link": {"link_token": token, "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}
        found = endpoint.link_token_problems(body, target, 4 * 3600, 120, now)
        return [divergence.answered for divergence in found]

    assert problems("link-sandbox-1", now + timedelta(hours=4)) == []
    assert (
        "must start with 'link-sandbox-'"
        in problems("link-production-1", now + timedelta(hours=1))[0]
    )
    assert "is not in the future" in problems("link-sandbox-1", now - timedelta(minutes=5))[0]
    assert "later than now + 14400 s" in problems("link-sandbox-1", now + timedelta(hours=5))[0]

    assert endpoint.link_token_problems({}, sandbox, 4 * 3600, 120, now)[0].cause == "no-link"

    # An unverified host may reach either environment.
    unverified = Target("https://proxy.example.com", TargetKind.UNVERIFIED)
    assert endpoint.token_prefixes(unverified) == ("link-sandbox-", "link-production-")
    for token in ("link-sandbox-1", "link-production-1"):
        assert problems(token, now, unverified) == []
    assert [
        endpoint.token_environment({"link": {"link_token": token}}, unverified)
        for token in ("link-sandbox-1", "link-production-1", "link-development-1", "link-sandbox-")
    ] == ["sandbox", "production", None, None]


def test_request_id_shape_is_an_observation_that_says_the_format_may_change() -> None:
    assert envelope.request_id_of(b'{"request_id": "OUoAFhGrwHQbZ2O"}') == "OUoAFhGrwHQbZ2O"
    assert envelope.request_id_shape_problem("OUoAFhGrwHQbZ2O") is None
    assert envelope.request_id_shape_problem("req-1") is not None
    rule = rules.REQUEST_ID_FORMAT
    assert rule.is_assumed and rule.tag == "A25"
    assert "may change" in rule.source and "REQUEST_ID_LENGTH" in rule.adopt


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


# A secret with characters every report format escapes differently.
AWKWARD = Credentials("client-abcdef", 'se"cr\\et-\u00e9<&>')


def test_scrub_finds_escaped_forms_of_a_value(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(json.dumps({"error": AWKWARD.secret}))
    (tmp_path / "raw.json").write_text(json.dumps({"error": AWKWARD.secret}, ensure_ascii=False))
    (tmp_path / "junit.xml").write_text('<failure message="se&quot;cr\\et-\u00e9&lt;&amp;&gt;"/>')
    (tmp_path / "cassette.yaml").write_text('body: "se\\"cr\\\\et-\u00e9<&>"\n')

    assert scrub(tmp_path, Masker(AWKWARD)) == [
        "cassette.yaml",
        "junit.xml",
        "raw.json",
        "summary.json",
    ]
    for path in tmp_path.iterdir():
        assert "${PLAID_SECRET}" in path.read_text(), path.name
    assert json.loads((tmp_path / "summary.json").read_text()) == {"error": "${PLAID_SECRET}"}


def _settings(credentials: Credentials) -> RunSettings:
    return RunSettings(
        target=Target("http://127.0.0.1:1", TargetKind.LOOPBACK),
        credentials=credentials,
        fixtures={"PLAID_TEMPLATE_ID": "template_offline_default"},
        profile=PROFILES["pr"],
        seed=PR_SEED,
        rate=None,
    )


def test_a_scrubbed_leak_stays_scrubbed_in_the_final_reports(tmp_path: Path) -> None:
    """The MASKING BUG note rewrites the summaries from the same stats: scrubbed again."""
    settings = _settings(AWKWARD)
    stats = RunStats()
    # A writer that forgot to mask: the failure text of a test error carries the secret.
    stats.test_errors["test_leaky"] = f"the target echoed {AWKWARD.secret}"
    outcome = summary.RunOutcome("failed", 1, 1.0, 1.0, "2024-01-01T00:00:00+00:00", 0)
    staging, reports = tmp_path / "staging", tmp_path / "contracts"
    staging.mkdir()
    masker = Masker(AWKWARD)

    publish(staging, reports, settings, stats, Recorder(masker), outcome, masker, {})

    for form, _ in masker.known_forms():
        for path in reports.iterdir():
            assert form not in path.read_text(), f"{form!r} in {path.name}"
    markdown = (reports / summary.SUMMARY_MD).read_text()
    assert "MASKING BUG" in markdown and "${PLAID_SECRET}" in markdown
    notes = json.loads((reports / summary.SUMMARY_JSON).read_text())["notes"]
    assert any(note.startswith("MASKING BUG") for note in notes)


def _run_context(tmp_path: Path, credentials: Credentials = PAIR) -> RunContext:
    settings = _settings(credentials)
    recorder, throttle, stats = Recorder(Masker(credentials)), Throttle(None), RunStats()
    return RunContext(
        settings=settings,
        recorder=recorder,
        stats=stats,
        throttle=throttle,
        session=ContractSession(throttle, recorder, BackoffPolicy()),
        probe_session=ContractSession(throttle, recorder, BackoffPolicy(), source="probe"),
        client_transport=ContractTransport(throttle, recorder, BackoffPolicy()),
        progress=Progress(stats, settings.progress_seconds),
    )


def test_auth_probes_are_sent_once_per_run_not_once_per_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = {
        "no credentials": ("INVALID_REQUEST", "MISSING_FIELDS"),
        "wrong secret": ("INVALID_INPUT", "INVALID_API_KEYS"),
        "header and body credentials disagree": ("INVALID_INPUT", "INVALID_API_KEYS"),
    }
    probes: list[str] = []

    def fake_probe(request: requests.PreparedRequest, what: str) -> requests.Response:
        probes.append(what)
        answer = requests.Response()
        answer.status_code = 400
        error_type, error_code = answers[what]
        message = "the following required fields are missing: client_id, secret"
        answer._content = json.dumps(
            {"error_type": error_type, "error_code": error_code, "error_message": message}
        ).encode()
        return answer

    monkeypatch.setattr(auth_probes, "send", fake_probe)
    sent = requests.Request(
        "POST",
        "http://127.0.0.1:1/session/token/create",
        headers=OFFLINE.headers(),
        json={"template_id": "template_offline_default", "user": {"client_user_id": "u"}},
    ).prepare()
    success: object = SimpleNamespace(status_code=200, request=sent)
    case: object = SimpleNamespace(
        operation=SimpleNamespace(method="POST", path="/session/token/create"), meta=None
    )
    for _ in range(2):  # two runs in one process (tests, or a tool calling the runner twice)
        context.set_current(_run_context(tmp_path, OFFLINE))
        try:
            for _ in range(3):
                response_checks.plaid_auth_enforced(None, success, case)  # type: ignore[arg-type]
        finally:
            context.set_current(None)

    assert probes == list(answers) * 2


def test_max_examples_caps_every_client_test() -> None:
    settings = _settings(PAIR)
    nightly = replace(settings, profile=PROFILES["nightly"])
    assert nightly.capped_examples(5) == 5  # no --max-examples: the profile's counts
    capped = replace(nightly, fuzzing_examples=2)
    assert capped.effective_fuzzing_examples == 2
    assert capped.effective_client_examples == 2
    # `few` (at least 3) and the per-combination count (nightly: 5) are capped too.
    assert capped.capped_examples(max(3, capped.effective_client_examples // 3)) == 2
    assert capped.capped_examples(nightly.profile.combination_examples) == 2
