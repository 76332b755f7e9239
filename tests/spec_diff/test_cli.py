"""The command line: JSON shape, Markdown, table, --fail-on exit codes, git refs as sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from plaid_tools.spec_diff.__main__ import main
from plaid_tools.spec_diff.loader import SpecLoadError, load_source

from .conftest import HISTORY, git

FIRST, OPTIONAL_ADDED = (
    HISTORY / "01_initial.yaml",
    HISTORY / "02_optional_request_field_added.yaml",
)
WORDING, REQUIRED = HISTORY / "03_wording_only.yaml", HISTORY / "05_user_made_required.yaml"
BEFORE_REQUIRED = HISTORY / "04_more_optional_fields.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "--no-api-diff"])
    return code, capsys.readouterr().out


def test_json_has_the_agreed_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, str(BEFORE_REQUIRED), str(REQUIRED), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["verdict"] == "breaking"
    assert {"verdict", "changes", "api_changes"} <= data.keys()
    assert data["changes"] and all(
        {"location", "change", "impact"} <= change.keys()
        and change["impact"] in {"breaking", "compatible", "docs"}
        for change in data["changes"]
    )
    assert data["changes"][0]["impact"] == "breaking"  # worst first
    assert data["api_diff"] == "skipped"


@pytest.mark.parametrize(
    ("old", "new", "fail_on", "code"),
    [
        (BEFORE_REQUIRED, REQUIRED, "breaking", 1),
        (FIRST, OPTIONAL_ADDED, "breaking", 0),
        (FIRST, OPTIONAL_ADDED, "compatible", 1),
        (OPTIONAL_ADDED, WORDING, "compatible", 0),
        (OPTIONAL_ADDED, WORDING, "docs", 1),
        (FIRST, FIRST, "docs", 0),
    ],
)
def test_fail_on(
    capsys: pytest.CaptureFixture[str], old: Path, new: Path, fail_on: str, code: int
) -> None:
    assert run(capsys, str(old), str(new), "--fail-on", fail_on)[0] == code


def test_markdown_is_a_table_for_the_job_summary(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, str(BEFORE_REQUIRED), str(REQUIRED), "--markdown")
    assert out.startswith("### Spec diff: ")
    assert "| Impact | Location | Change |" in out and "#### Python API" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "breaking" in line]
    assert len(rows) == 2 and all(row.count(" | ") == 2 for row in rows)


def test_table_names_verdict_and_changes(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, str(FIRST), str(OPTIONAL_ADDED))
    assert "verdict: compatible" in out and "redirect_uri" in out


def test_unreadable_source_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-ref-or-file", str(FIRST), "--no-api-diff"]) == 2


def test_git_refs_and_ref_colon_path(git_repo: Path) -> None:
    spec = git_repo / "openapi" / "plaid-session-token.yaml"
    shutil.copy(OPTIONAL_ADDED, spec)
    git(git_repo, "commit", "-qam", "add redirect_uri")
    git(git_repo, "tag", "v2")
    assert "redirect_uri" not in str(load_source("main~1", git_repo).document)
    assert "redirect_uri" in str(load_source("v2", git_repo).document)
    by_path = load_source("main~1:openapi/plaid-session-token.yaml", git_repo)
    assert by_path.label == "main~1:openapi/plaid-session-token.yaml"
    with pytest.raises(SpecLoadError, match="does not exist"):
        load_source("main:openapi/missing.yaml", git_repo)
