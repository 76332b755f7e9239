"""Remote mode against a loopback server, throttling, and reports that survive Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from plaid_contracts.offline.loopback import SandboxProcess

from tests.contracts.helpers import FAST, RunResult, clean_env, remote_env, wait_for_line


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


def test_nightly_profile_prints_its_seed_and_reuses_a_given_one(
    run_contracts: Callable[..., RunResult],
) -> None:
    result = run_contracts("--profile", "nightly", "--seed", "424242", *FAST)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "seed 424242" in result.stdout
    summary = json.loads((result.reports_dir / "summary.json").read_text())
    assert summary["seed"] == 424242 and summary["deterministic"] is False
    assert "--profile nightly --seed 424242" in summary["reproduce"]


def test_ctrl_c_still_writes_reports_and_keeps_no_staging(tmp_path: Path) -> None:
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
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 130, output
    assert (reports / "summary.md").read_text().startswith("# Contract run: INTERRUPTED")
    assert (reports / "cassette.yaml").exists()
    assert [p.name for p in reports.parent.iterdir()] == ["contracts"]
