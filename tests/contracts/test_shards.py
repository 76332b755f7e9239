"""Ready to shard: ``run --operation NAME`` checks a subset of the operations, and ``merge`` makes
one summary of the shards (same fingerprints, counts summed, verdict the worst)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.contracts.helpers import DEFAULT_RUNS, FAST, RunResult

# What differs between two runs of the same cases: when and how fast they ran.
VOLATILE = ("duration_seconds", "test_seconds", "cases_per_second", "started_at")
VOLATILE_LINES = re.compile(r"^\| (Duration|Started) \|.*$", re.MULTILINE)

pytestmark = DEFAULT_RUNS


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _comparable(summary: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in summary.items() if key not in VOLATILE}
    kept["test_phase_seconds"] = sorted(summary["test_phase_seconds"])
    return kept


def merge(
    run_contracts: Callable[..., RunResult], output: Path, *summaries: Path, **kwargs: Any
) -> RunResult:
    paths = [str(path) for path in summaries]
    return run_contracts(*paths, "--output", str(output), command="merge", **kwargs)


def test_operation_shards_merged_give_the_summary_of_one_whole_run(
    shared_run: Callable[[str], RunResult],
    run_contracts: Callable[..., RunResult],
    tmp_path: Path,
) -> None:
    whole = shared_run("defaults-in-process")
    shard = run_contracts("--in-process", *FAST, "--operation", "session_token_create")
    assert shard.returncode == 0, shard.stdout + shard.stderr
    shard_summary = _json(shard.reports_dir / "summary.json")
    assert shard_summary["settings"]["operations"] == ["POST /session/token/create"]
    assert "--operation session_token_create" in shard_summary["reproduce"]

    # As deep as the whole run's reports: summary.md links to the repository relatively.
    output = tmp_path / "reports" / "merged"
    merged = merge(run_contracts, output, shard.reports_dir / "summary.json")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    merged_summary = _json(output / "summary.json")
    assert _comparable(merged_summary) == _comparable(_json(whole.reports_dir / "summary.json"))
    markdown = (output / "summary.md").read_text(encoding="utf-8")
    assert VOLATILE_LINES.sub("", markdown) == VOLATILE_LINES.sub("", whole.summary)


def test_merge_sums_the_shards_and_takes_the_worst_verdict(
    shared_run: Callable[[str], RunResult],
    run_mutant_in_process: Callable[..., RunResult],
    run_contracts: Callable[..., RunResult],
    tmp_path: Path,
) -> None:
    passed = _json(shared_run("defaults-in-process").reports_dir / "summary.json")
    broken = run_mutant_in_process("validation-422", *FAST)
    assert broken.returncode == 1
    failed_path = tmp_path / "failed-summary.json"
    shutil.copy(broken.reports_dir / "summary.json", failed_path)
    failed = _json(failed_path)

    passed_path = shared_run("defaults-in-process").reports_dir / "summary.json"
    result = merge(run_contracts, tmp_path / "merged", passed_path, failed_path)
    assert result.returncode == 1, result.stdout + result.stderr
    merged = _json(tmp_path / "merged" / "summary.json")
    assert merged["verdict"] == "failed"
    assert merged["total_cases"] == passed["total_cases"] + failed["total_cases"]
    assert merged["requests_recorded"] == passed["requests_recorded"] + failed["requests_recorded"]
    for check, tally in merged["checks"].items():
        for outcome in ("passed", "failed", "observed"):
            assert tally[outcome] == sum(
                run["checks"].get(check, {}).get(outcome, 0) for run in (passed, failed)
            ), (check, outcome)
    # The same fingerprints, each finding with its occurrences.
    assert sorted((f["fingerprint"], f["occurrences"]) for f in merged["failures"]) == sorted(
        (f["fingerprint"], f["occurrences"]) for f in failed["failures"]
    )
    assert (tmp_path / "merged" / "summary.md").read_text().startswith("# Contract run: FAILED")


def test_merge_refuses_summaries_of_different_runs(
    shared_run: Callable[[str], RunResult],
    run_contracts: Callable[..., RunResult],
    tmp_path: Path,
) -> None:
    one = shared_run("defaults-in-process").reports_dir / "summary.json"
    other = shared_run("nightly-seeded").reports_dir / "summary.json"
    result = merge(run_contracts, tmp_path / "merged", one, other)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {other} is not a shard of the run of {one}: its ")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "merged").exists()


@pytest.mark.parametrize("name", ["nope", "GET /session/token/create"])
def test_an_unknown_operation_is_one_line_and_exit_2(
    run_contracts: Callable[..., RunResult], name: str
) -> None:
    result = run_contracts("--operation", name)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: --operation {name!r} is no operation (known: session_token_create)\n"
    )
