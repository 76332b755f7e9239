"""Remote mode against a loopback server, throttling, progress, the sandbox log, reports that
survive Ctrl-C and SIGTERM, and a seed's cases."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from plaid_contracts.offline.loopback import SandboxProcess
from plaid_contracts.recording.progress import Progress
from plaid_contracts.recording.recorder import load_cassette
from plaid_contracts.recording.stats import RunStats

from tests.contracts.helpers import (
    DASHBOARD_RUNS,
    DEFAULT_RUNS,
    FAST,
    RunResult,
    clean_env,
    remote_env,
    wait_for_line,
)
from tests.forked_runs import run_module

LABEL = "POST /session/token/create"


def test_remote_mode_uses_the_given_target_and_rate(
    run_contracts: Callable[..., RunResult], offline_sandbox: SandboxProcess
) -> None:
    result = run_contracts(
        "--base-url", offline_sandbox.base_url, "--rate", "200/s", *FAST, env=remote_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    assert summary["target"] == {"base_url": offline_sandbox.base_url, "kind": "loopback"}
    assert summary["cases"]["client"] > 0 and summary["cases"]["coverage"] > 0
    assert "rate 200/s" in result.summary
    assert f"--base-url {offline_sandbox.base_url}" in summary["reproduce"]


@DEFAULT_RUNS
def test_nightly_profile_prints_its_seed_and_reuses_a_given_one(
    shared_run: Callable[[str], RunResult],
) -> None:
    result = shared_run("nightly-seeded")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "seed 424242" in result.stdout
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    assert summary["seed"] == 424242 and summary["deterministic"] is False
    assert "--profile nightly --seed 424242" in summary["reproduce"]


@DEFAULT_RUNS
def test_a_run_sends_the_cases_the_tests_forked_run_sends(
    shared_run: Callable[[str], RunResult], tmp_path: Path
) -> None:
    """Same seed, same cases, from `python -m plaid_contracts` as from the tests' forks
    (tests/forked_runs.py): neither what their forkserver computed ahead (tests/warm_caches.py)
    nor the modules it imported change one. (Hypothesis also draws from constants in the local
    modules a process loaded: a difference would start there.)"""
    forked = shared_run("defaults-in-process")
    command = [sys.executable, "-m", "plaid_contracts", "run", "--in-process", *FAST]
    fresh = subprocess.run(
        [*command, "--reports-dir", str(tmp_path)],
        env=clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (fresh.returncode, forked.returncode) == (0, 0), fresh.stderr + forked.stderr
    sent = _cases(tmp_path / "cassette.yaml")
    assert len(sent) > 100
    assert sent == _cases(forked.reports_dir / "cassette.yaml")


def _cases(cassette: Path) -> list[tuple[str, str, object, object]]:
    """What each request sent, but the id schemathesis gives each case (random, never seeded)."""
    sent = [item["request"] for item in load_cassette(cassette)["interactions"]]
    return [
        (
            request["method"],
            request["uri"],
            {k: v for k, v in request["headers"].items() if k != "X-Schemathesis-TestCaseId"},
            request["body"],
        )
        for request in sent
    ]


@DEFAULT_RUNS
@pytest.mark.parametrize("run", ["nightly-seeded", "defaults-in-process"])
def test_without_the_flag_the_sandbox_log_has_no_access_lines(
    shared_run: Callable[[str], RunResult], run: str
) -> None:
    quiet = shared_run(run)  # a loopback and an in-process run

    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "plaid_offline_sandbox.access" not in (quiet.reports_dir / "sandbox.log").read_text()
    assert "a line per request with `--sandbox-access-log`" in quiet.summary


@DASHBOARD_RUNS
@pytest.mark.parametrize("run", ["dashboard-loopback", "dashboard-in-process"])
def test_sandbox_access_log_has_a_line_per_request_when_asked_for(
    shared_run: Callable[[str], RunResult], run: str
) -> None:
    result = shared_run(run)

    assert result.returncode == 0, result.stdout + result.stderr
    log = (result.reports_dir / "sandbox.log").read_text()
    logged = re.findall(r"plaid_offline_sandbox\.access: \S+ \S+ \d{3} .*request_id=(\w+)", log)
    cassette = (result.reports_dir / "cassette.yaml").read_text()
    answered = set(re.findall(r'"request_id": ?"(\w{15})"', cassette.replace('\\"', '"')))
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    assert len(logged) == summary["requests_recorded"]
    assert answered and answered <= set(logged)
    assert "`sandbox.log`: the offline sandbox's log, a line per request" in result.summary


def test_sandbox_access_log_is_refused_for_a_base_url(
    run_contracts: Callable[..., RunResult],
) -> None:
    result = run_contracts("--base-url", "http://127.0.0.1:9", "--sandbox-access-log")

    assert result.returncode == 2
    assert "--sandbox-access-log" in result.stderr and "Traceback" not in result.stderr


@DASHBOARD_RUNS
@pytest.mark.parametrize("run", ["dashboard-loopback", "dashboard-in-process"])
def test_a_long_run_prints_progress_per_phase(
    shared_run: Callable[[str], RunResult], run: str
) -> None:
    result = shared_run(run)  # --progress-every 0.05

    assert result.returncode == 0, result.stdout + result.stderr
    lines = re.findall(
        r"^contracts: \d+:\d\d elapsed; POST /session/token/create: .*$", result.stdout, re.M
    )
    assert lines, result.stdout
    assert re.search(r"examples \d+/3", lines[-1]) and "client " in lines[-1]


def test_progress_prints_once_per_interval_with_cases_against_the_plan() -> None:
    now = [100.0]
    stats, printed = RunStats(), list[str]()
    progress = Progress(stats, 15.0, clock=lambda: now[0], write=printed.append)
    stats.operation(LABEL).planned.update({"examples": 3, "fuzzing": 60})

    for seconds in (1.0, 14.0, 15.0, 16.0, 31.0):
        now[0] = 100.0 + seconds
        stats.count_case(LABEL, "examples", "test_schemathesis_contract")
        progress.tick()

    assert printed == [
        f"contracts: 0:15 elapsed; {LABEL}: examples 3/3, fuzzing 0/≤60, client 0 cases, "
        "0/0 tests done",
        f"contracts: 0:31 elapsed; {LABEL}: examples 5/3, fuzzing 0/≤60, client 0 cases, "
        "0/0 tests done",
    ]


def _descendants(pid: int) -> set[int]:
    """Every process started below ``pid`` (Linux /proc), children first."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found |= {int(child), *_descendants(int(child))}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_run_writes_reports_and_leaves_no_process_or_staging(
    tmp_path: Path, stop: signal.Signals
) -> None:
    reports = tmp_path / "reports" / "contracts"
    reports.mkdir(parents=True)
    (reports / "summary.md").write_text("# the previous run\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "plaid_contracts", "run", "--reports-dir", str(reports)],
        env=clean_env(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_line(process, "contracts: target", timeout=60)
        # The previous run's reports stay whole while this one runs.
        assert (reports / "summary.md").read_text() == "# the previous run\n"
        started = _descendants(process.pid)
        assert started, "the loopback run serves the offline sandbox from a process of its own"
        process.send_signal(stop)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 130, output
    assert not [pid for pid in started if _alive(pid)]
    assert (reports / "summary.md").read_text().startswith("# Contract run: INTERRUPTED")
    assert (reports / "cassette.yaml").exists()
    assert [p.name for p in reports.parent.iterdir()] == ["contracts"]


def test_a_ctrl_c_swallowed_during_start_up_still_stops_the_run(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = run_module(
        "tests.contracts.swallowed_ctrl_c",
        ["run", "--in-process", "--reports-dir", str(reports)],
        env=clean_env(),
        cwd=tmp_path,
        timeout=120,
    )

    assert result.returncode == 130, result.stdout + result.stderr
    summary = json.loads((reports / "summary.json").read_text())
    assert (summary["verdict"], summary["total_cases"]) == ("interrupted", 0)
