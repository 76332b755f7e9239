"""``run --in-process``: the offline sandbox inside the test process, everything else unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from plaid_contracts.checks.response_checks import our_checks
from plaid_contracts.commands import cli
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.throttle import BackoffPolicy, Throttle
from plaid_contracts.offline import in_process, loopback
from plaid_contracts.recording.masking import Masker
from plaid_contracts.recording.recorder import Recorder, load_cassette
from plaid_contracts.runtime.transport import ContractSession, ContractTransport
from plaid_offline_sandbox.config import CONFIG_JSON_ENV, SandboxConfig

from tests.contracts.helpers import DASHBOARD_RUNS, RunResult

ENDPOINT = f"{in_process.IN_PROCESS_BASE_URL}/session/token/create"
# Differ between two runs of the same cases: where the target listened, and schemathesis' ids.
VARYING_HEADERS = frozenset({"host", "x-schemathesis-testcaseid"})
# Plaid-format credentials of a run that are not the sandbox's defaults.
RUN_CLIENT_ID = "f00dfeedf00dfeedf00dfeed"
RUN_SECRET = "feedf00dfeedf00dfeedf00dfeedf0"


def test_in_process_is_refused_with_a_base_url(
    no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--in-process", "--base-url", "http://127.0.0.1:9"]) == 2

    assert capsys.readouterr().err.strip() == (
        "error: --in-process runs the offline sandbox inside the test process; "
        "it cannot be combined with --base-url"
    )
    assert no_network == []


@DASHBOARD_RUNS
def test_in_process_sends_and_checks_what_loopback_does(
    shared_run: Callable[[str], RunResult],
) -> None:
    """Two runs that differ only in --in-process."""
    loopback = _outcome(shared_run("dashboard-loopback"))
    inside = _outcome(shared_run("dashboard-in-process"))

    summary = inside["summary"]
    assert summary["verdict"] == "passed", inside["markdown"]
    assert "| Target | offline sandbox, in-process |" in inside["markdown"]
    assert "--in-process" in summary["reproduce"]
    assert (summary["mode"], loopback["summary"]["mode"]) == ("in-process", "loopback")
    # The same requests, in the same order, with the same answers and the same verdicts.
    assert inside["exchanges"] == loopback["exchanges"]
    assert summary["cases"] == loopback["summary"]["cases"]
    assert summary["checks"] == loopback["summary"]["checks"]
    assert inside["junit_tests"] == loopback["junit_tests"] == len(summary["tests"]) >= 11
    for name in our_checks():
        assert summary["checks"][name]["passed"] > 0 and summary["checks"][name]["failed"] == 0
    # What a benchmark reads.
    assert summary["total_cases"] == sum(summary["cases"].values()) > 150
    assert 0 < summary["test_seconds"] <= summary["duration_seconds"]
    assert set(summary["test_phase_seconds"]) == {
        "pytest_startup",
        "collection",
        "tests",
        "pytest_teardown",
    }


def _outcome(result: RunResult) -> dict[str, Any]:
    """What two runs of the same cases must agree on."""
    reports = result.reports_dir
    cassette = load_cassette(reports / "cassette.yaml")
    return {
        "summary": json.loads((reports / "summary.json").read_text()),
        "markdown": result.summary,
        "exchanges": [_exchange(item) for item in cassette["interactions"]],
        "junit_tests": (reports / "junit.xml").read_text().count("<testcase "),
    }


def _exchange(interaction: dict[str, Any]) -> tuple[Any, ...]:
    request, response = interaction["request"], interaction["response"]
    headers = sorted(
        (name.lower(), tuple(values))
        for name, values in request["headers"].items()
        if name.lower() not in VARYING_HEADERS
    )
    path = request["uri"].split("/", 3)[3]
    status = None if response is None else response["status"]["code"]
    return (interaction["source"], interaction["test"], interaction["phase"],
            request["method"], path, request["body"]["string"], headers, status)  # fmt: skip


async def crashing_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise RuntimeError("the app is broken")


def test_an_app_crash_reads_as_a_lost_connection_and_is_recorded(tmp_path: Path) -> None:
    recorder = Recorder(Masker(None))
    backoff = BackoffPolicy(resend_base_seconds=0)  # a lost connection is re-sent, at once here
    with in_process.running(crashing_app, tmp_path / "sandbox.log") as sandbox:
        session = ContractSession(Throttle(None), recorder, backoff)
        in_process.mount(session, sandbox.app)
        with pytest.raises(requests.ConnectionError, match="in-process app raised RuntimeError"):
            session.post(ENDPOINT, json={})
        transport = ContractTransport(
            Throttle(None), recorder, backoff, inner=sandbox.client_transport()
        )
        with (
            httpx.Client(transport=transport) as client,
            pytest.raises(httpx.RemoteProtocolError, match="in-process app raised RuntimeError"),
        ):
            client.post(ENDPOINT, json={})

    assert [(item.source, item.status, item.note) for item in recorder] == [
        *[("schemathesis", None, "no response: ConnectionError, re-sent")] * 2,
        ("schemathesis", None, "no response: ConnectionError"),
        *[("client", None, "no response: RemoteProtocolError, re-sent")] * 2,
        ("client", None, "no response: RemoteProtocolError"),
    ]


def test_both_offline_modes_build_the_sandbox_from_one_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A stale packed configuration in the caller's environment overrides neither mode."""
    stale = SandboxConfig(
        credentials=frozenset({("57a1e0000000000000000000", "57a1e0000000000000000000000000")})
    )
    monkeypatch.setenv(CONFIG_JSON_ENV, stale.to_json())
    monkeypatch.setenv("PLAID_SANDBOX_EXTRA_TEMPLATE_IDS", "template_extra")
    run = (Credentials(RUN_CLIENT_ID, RUN_SECRET), {"PLAID_TEMPLATE_ID": "template_run"}, 1800)
    expected = SandboxConfig(
        credentials=frozenset({(RUN_CLIENT_ID, RUN_SECRET)}),
        template_ids=frozenset({"template_run", "template_extra"}),
        token_lifetime_seconds=1800,
        log_level="warning",
    )

    # In-process: the app's configuration.
    assert in_process.sandbox_config(*run) == expected
    # Loopback: the subprocess' whole environment, which its CLI turns into the same thing.
    seen: dict[str, Any] = {}

    def fake_serve(**kwargs: Any) -> Any:
        seen.update(kwargs)
        raise loopback.SandboxStartError("not started in this test")

    monkeypatch.setattr(loopback, "serve", fake_serve)
    with (
        pytest.raises(loopback.SandboxStartError),
        loopback.SandboxProcess(*run, tmp_path / "sandbox.log"),
    ):
        pass
    assert seen["env"] == loopback.sandbox_environment(*run)
    assert CONFIG_JSON_ENV not in seen["env"] and not seen.get("args")
    assert SandboxConfig.from_env(seen["env"]) == expected
