"""CONTRIBUTING.md "Adding a check", proved: a scratch copy of the repository gets a made-up check
(tests/fixtures/adding_a_check/check.py.txt) appended to checks/response_checks.py, its one place,
and nothing else by hand; the copy's contract run then runs it on every answer and the summary
describes it (meaning, strength, link) and counts it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scratch_repo import changed_files, run_in, scratch_copy

CHECK = Path(__file__).resolve().parents[1] / "fixtures" / "adding_a_check" / "check.py.txt"
CHECKS_MODULE = "contracts/plaid_contracts/checks/response_checks.py"
LABEL = "POST /session/token/create"


def test_a_check_added_in_its_one_place_runs_and_is_reported(tmp_path: Path) -> None:
    repo = scratch_copy(tmp_path)
    with (repo / CHECKS_MODULE).open("a", encoding="utf-8") as module:
        module.write(CHECK.read_text(encoding="utf-8"))
    assert changed_files(repo) == {CHECKS_MODULE}

    done = run_in(repo, "-m", "plaid_contracts", "run", "--in-process", "--max-examples", "5")

    assert done.returncode == 0, done.stdout + done.stderr
    reports = repo / "reports" / "contracts"
    summary: dict[str, Any] = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    tally = summary["operations"][LABEL]["checks"]["fixture_error_has_type"]
    assert tally["passed"] > 0 and tally["failed"] == 0
    row = next(
        line
        for line in (reports / "summary.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| [`fixture_error_has_type`]")
    )
    assert "every error answer names its error_type (a made-up check)" in row
    assert "DOC" in row


pytestmark = pytest.mark.timeout(300)
