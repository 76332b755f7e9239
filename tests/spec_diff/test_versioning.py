"""`versioning bump` in a throwaway git repository: bump by verdict, once; CHANGELOG entry
written, replaced by a worse change, never duplicated; the version line edited in place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from plaid_tools.spec_diff.model import Impact
from plaid_tools.versioning import SpecVersion, VersioningError, bump, set_version_line

from .conftest import HISTORY, git


def run_bump(repo: Path, base: str | None = None) -> str:
    return bump(
        repo_root=repo,
        spec_path=repo / "openapi" / "plaid-session-token.yaml",
        changelog_path=repo / "openapi" / "CHANGELOG.md",
        base_ref=base,
        api_diff=False,
    )


def spec_version(repo: Path) -> str:
    spec = yaml.safe_load((repo / "openapi" / "plaid-session-token.yaml").read_text())
    return str(spec["info"]["version"])


def change_spec_to(repo: Path, step: str) -> None:
    """Put a later history step in the working tree, keeping the committed version."""
    spec = repo / "openapi" / "plaid-session-token.yaml"
    text = (HISTORY / f"{step}.yaml").read_text(encoding="utf-8")
    version = str(yaml.safe_load(text)["info"]["version"])
    current = spec_version(repo)
    spec.write_text(
        text.replace(f"version: {version}", f"version: {current}").replace(
            "info:\n", "info:\n  # keep this comment\n", 1
        ),
        encoding="utf-8",
    )


def test_bump_twice_bumps_once_with_one_entry(git_repo: Path) -> None:
    change_spec_to(git_repo, "02_optional_request_field_added")
    first = run_bump(git_repo)
    second = run_bump(git_repo)
    assert spec_version(git_repo) == "2020-09-14_1.1.0"
    assert "1.0.0 -> 2020-09-14_1.1.0" in first and "nothing to do" in second
    changelog = (git_repo / "openapi" / "CHANGELOG.md").read_text()
    assert changelog.count("## 2020-09-14_1.1.0") == 1 and "redirect_uri" in changelog
    assert "# keep this comment" in (git_repo / "openapi" / "plaid-session-token.yaml").read_text()


def test_a_worse_change_replaces_the_pending_entry(git_repo: Path) -> None:
    change_spec_to(git_repo, "02_optional_request_field_added")
    run_bump(git_repo)
    change_spec_to(git_repo, "05_user_made_required")
    message = run_bump(git_repo)
    assert spec_version(git_repo) == "2020-09-14_2.0.0", message
    changelog = (git_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "## 2020-09-14_2.0.0" in changelog and "## 2020-09-14_1.1.0" not in changelog
    assert "Verdict: **breaking**" in changelog


def test_released_entries_are_kept_and_the_new_one_goes_first(git_repo: Path) -> None:
    changelog = git_repo / "openapi" / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## 2020-09-14_1.0.0\n\nFirst release.\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "changelog")
    spec = git_repo / "openapi" / "plaid-session-token.yaml"
    spec.write_text(
        spec.read_text().replace(
            "description: The end user.", "description: The end user of the session."
        )
    )
    run_bump(git_repo)
    text = changelog.read_text()
    assert spec_version(git_repo) == "2020-09-14_1.0.1"
    assert text.index("## 2020-09-14_1.0.1") < text.index("## 2020-09-14_1.0.0")
    assert "First release." in text


def test_reverting_the_change_resets_the_version(git_repo: Path) -> None:
    spec = git_repo / "openapi" / "plaid-session-token.yaml"
    committed = spec.read_text()
    change_spec_to(git_repo, "02_optional_request_field_added")
    run_bump(git_repo)
    spec.write_text(committed.replace("1.0.0", "1.1.0"))
    run_bump(git_repo)
    assert spec_version(git_repo) == "2020-09-14_1.0.0"
    assert "## 2020-09-14_1.1.0" not in (git_repo / "openapi" / "CHANGELOG.md").read_text()


def test_without_a_base_it_does_nothing(git_repo: Path) -> None:
    change_spec_to(git_repo, "02_optional_request_field_added")
    assert "nothing to do" in run_bump(git_repo, base="no-such-branch")
    assert spec_version(git_repo) == "2020-09-14_1.0.0"
    empty_tree = git(git_repo, "hash-object", "-t", "tree", "/dev/null").strip()
    commit = git(git_repo, "commit-tree", empty_tree, "-m", "no spec").strip()
    git(git_repo, "update-ref", "refs/heads/empty", commit)
    assert "does not exist at empty" in run_bump(git_repo, base="empty")


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (Impact.BREAKING, "2020-09-14_2.0.0"),
        (Impact.COMPATIBLE, "2020-09-14_1.3.0"),
        (Impact.DOCS, "2020-09-14_1.2.4"),
        (Impact.NONE, "2020-09-14_1.2.3"),
    ],
)
def test_bump_rules(verdict: Impact, expected: str) -> None:
    base = SpecVersion.parse("2020-09-14_1.2.3")
    assert str(base.bumped(verdict, base.api)) == expected


def test_version_line_edit_keeps_quotes_and_comments() -> None:
    text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '2020-09-14_1.0.0'  # rev\npaths: {}\n"
    assert set_version_line(text, "2020-09-14_1.0.0", "2020-09-14_1.1.0") == text.replace(
        "1.0.0", "1.1.0"
    )
    with pytest.raises(VersioningError):
        set_version_line(text, "2020-09-14_9.9.9", "2020-09-14_1.1.0")


def test_the_repository_changelog_starts_with_1_0_0() -> None:
    changelog = Path(__file__).resolve().parents[2] / "openapi" / "CHANGELOG.md"
    assert "## 2020-09-14_1.0.0" in changelog.read_text()
