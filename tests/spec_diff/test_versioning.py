"""`versioning bump` and `check` in throwaway git repositories: bump by verdict, once; CHANGELOG
entry written, replaced by a worse change, never duplicated; the version line edited in place;
template-only changes seen by diffing the base ref's client (built from the base's templates)
with the working tree's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from plaid_tools.declared_changes import DeclaredChangesError
from plaid_tools.spec_diff.client_diff import compare_clients
from plaid_tools.spec_diff.loader import default_base_ref, load_source
from plaid_tools.spec_diff.model import Impact
from plaid_tools.spec_version import InvalidSpecVersion, package_version_of
from plaid_tools.versioning import (
    SpecVersion,
    VersioningError,
    bump,
    check,
    main,
    set_version_line,
)

from .conftest import HISTORY, git, repo_paths, spec_version


def run_bump(repo: Path, base: str | None = None) -> str:
    return bump(
        repo_root=repo,
        spec_path=repo / "openapi" / "plaid-session-token.yaml",
        changelog_path=repo / "openapi" / "CHANGELOG.md",
        base_ref=base,
        api_diff=False,
    )


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
    git(git_repo, "branch", "-m", "main", "work")  # neither origin/main nor main
    assert "no base ref" in run_bump(git_repo)
    ok, line = check(**repo_paths(git_repo), api_diff=False)
    assert ok and "no base ref" in line and "nothing to check" in line
    assert spec_version(git_repo) == "2020-09-14_1.0.0"
    empty_tree = git(git_repo, "hash-object", "-t", "tree", "/dev/null").strip()
    commit = git(git_repo, "commit-tree", empty_tree, "-m", "no spec").strip()
    git(git_repo, "update-ref", "refs/heads/empty", commit)
    assert "does not exist at empty" in run_bump(git_repo, base="empty")


def test_an_explicit_base_that_does_not_resolve_is_an_error(
    git_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change_spec_to(git_repo, "02_optional_request_field_added")
    with pytest.raises(VersioningError, match="'mian' is not a commit"):
        run_bump(git_repo, base="mian")
    assert spec_version(git_repo) == "2020-09-14_1.0.0"
    assert main(["check", "--base", "no-such-ref-anywhere"]) == 1
    assert main(["bump", "--base", "no-such-ref-anywhere"]) == 1
    assert "'no-such-ref-anywhere' is not a commit" in capsys.readouterr().out


def test_origin_main_is_preferred_over_a_stale_local_main(git_repo: Path) -> None:
    assert default_base_ref(git_repo) == "main"
    change_spec_to(git_repo, "02_optional_request_field_added")
    spec = git_repo / "openapi" / "plaid-session-token.yaml"
    spec.write_text(spec.read_text().replace("1.0.0", "1.1.0"))
    git(git_repo, "commit", "-qam", "1.1.0, pushed; local main not pulled")
    git(git_repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(git_repo, "reset", "-q", "--hard", "HEAD~1")
    assert default_base_ref(git_repo) == "origin/main"
    change_spec_to(git_repo, "02_optional_request_field_added")
    run_bump(git_repo)
    # Against the stale main this change would be a pending 1.1.0 with its own entry;
    # origin/main already released it: the version is origin/main's and there is no entry.
    assert spec_version(git_repo) == "2020-09-14_1.1.0"
    assert "## 2020-09-14_1.1.0" not in (git_repo / "openapi" / "CHANGELOG.md").read_text()


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


def test_package_version_of_validates_the_revision() -> None:
    assert package_version_of("2020-09-14_1.2.3") == "1.2.3"
    for bad in ("2020-09-14", "2020-09-14_1.2", "2020-09-14_v1.2.3", "1.2.3", "_1.2.3"):
        with pytest.raises(InvalidSpecVersion):
            package_version_of(bad)


def test_the_repository_changelog_starts_with_1_0_0() -> None:
    changelog = Path(__file__).resolve().parents[2] / "openapi" / "CHANGELOG.md"
    assert "## 2020-09-14_1.0.0" in changelog.read_text()


# --- the generated-client comparison: a repository with our spec, templates, config and hook.


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {path.name}; update this test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_no_input_change_skips_the_client_comparison(client_repo: Path) -> None:
    """`nox -s generate` runs this every time: nothing changed must cost no generation."""
    spec_file = client_repo / "openapi" / "plaid-session-token.yaml"
    committed = load_source(str(spec_file))
    version = str(committed.document["info"]["version"])
    spec_file.write_text(committed.text.replace(version, "2020-09-14_99.0.0"))
    diff = compare_clients(committed, load_source(str(spec_file)), "main", client_repo)
    assert diff.status.startswith("skipped") and diff.verdict is Impact.NONE


@pytest.mark.timeout(120)
def test_a_template_only_change_bumps_patch_and_check_enforces_it(client_repo: Path) -> None:
    base = SpecVersion.parse(spec_version(client_repo))
    patch = str(base.bumped(Impact.DOCS, base.api))
    edit(
        client_repo / "openapi" / "templates" / "README.md.jinja",
        "## Construct a client",
        "One more sentence for readers.\n\n## Construct a client",
    )
    ok, line = check(**repo_paths(client_repo))
    assert not ok and f"expected version {patch}, found {base}" in line, line
    assert "run python3 scripts/nox_pinned.py -s generate" in line and spec_version(
        client_repo
    ) == str(base)
    message = bump(**repo_paths(client_repo))
    assert f"{base} -> {patch}" in message, message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert f"## {patch}" in changelog and "Verdict: **docs**" in changelog
    assert "(generated client): 1 generated file(s) changed: `README.md`" in changelog
    assert "`openapi/templates/README.md.jinja`" in changelog
    assert check(**repo_paths(client_repo))[0], "check must pass after bump"


@pytest.mark.timeout(120)
def test_a_template_that_renames_a_public_attribute_bumps_major(client_repo: Path) -> None:
    base = SpecVersion.parse(spec_version(client_repo))
    errors = client_repo / "openapi" / "templates" / "errors.py.jinja"
    edit(errors, "    request_id: str | None\n", "    plaid_request_id: str | None\n")
    edit(errors, "self.request_id = request_id", "self.plaid_request_id = request_id")
    bump(**repo_paths(client_repo))
    assert spec_version(client_repo) == str(base.bumped(Impact.BREAKING, base.api))
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "Verdict: **breaking**" in changelog
    removed = "- breaking (Python API): `plaid_session_client.errors.APIStatusError.request_id`"
    assert removed in changelog, changelog


@pytest.mark.timeout(120)
def test_a_template_that_adds_a_public_attribute_bumps_minor(client_repo: Path) -> None:
    """A new public attribute is an addition users can rely on: compatible, never "docs"."""
    base = SpecVersion.parse(spec_version(client_repo))
    errors = client_repo / "openapi" / "templates" / "errors.py.jinja"
    request_id = "    request_id: str | None\n"
    edit(errors, request_id, request_id + "    trace_id: str | None\n")
    bump(**repo_paths(client_repo))
    assert spec_version(client_repo) == str(base.bumped(Impact.COMPATIBLE, base.api))
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "Verdict: **compatible**" in changelog, changelog
    added = "- compatible (Python API): `plaid_session_client.errors.APIStatusError.trace_id`"
    assert added in changelog, changelog
    assert "docs (generated client)" not in changelog
    assert "- generated client: 1 generated file(s) changed: `plaid_session_client/errors.py`" in (
        changelog
    )


def test_declared_changes_new_since_the_base_count_once(client_repo: Path) -> None:
    """A behaviour change no diff can see moves the version by its declared impact, once."""
    base = SpecVersion.parse(spec_version(client_repo))
    declared = client_repo / "openapi" / "declared-changes.yaml"
    declared.write_text(
        "changes:\n  - impact: breaking\n    change: >-\n      The client now refuses\n"
        "      redirects.\n"
    )
    message = bump(**repo_paths(client_repo), api_diff=False)
    major = str(base.bumped(Impact.BREAKING, base.api))
    assert f"{base} -> {major}" in message and "declared changes" in message, message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "- breaking (declared): The client now refuses redirects.\n" in changelog
    assert check(**repo_paths(client_repo), api_diff=False)[0]
    # Released with that entry, the declaration is old news: nothing more to bump.
    git(client_repo, "add", ".")
    git(client_repo, "commit", "-q", "-m", "release")
    assert "nothing to do" in bump(**repo_paths(client_repo), api_diff=False)


@pytest.mark.parametrize(
    "text",
    ["changes: [{impact: huge, change: x}]", "changes: [{impact: docs}]", "changes: {a: 1}", "["],
)
def test_unreadable_declarations_are_one_line_errors(client_repo: Path, text: str) -> None:
    (client_repo / "openapi" / "declared-changes.yaml").write_text(text)
    with pytest.raises(DeclaredChangesError, match=r"^openapi/declared-changes\.yaml"):
        bump(**repo_paths(client_repo), api_diff=False)


# --- deprecate before removing ------------------------------------------------------------------

DEPRECATION = """changes:
  - kind: deprecation
    impact: compatible
    name: "`client.fetch_item()`"
    replacement: "`client.item_get()`"
    change: The method is named after its operation now.
"""
REMOVAL = """  - kind: removal
    impact: breaking
    name: "`client.fetch_item()`"
    change: "`client.fetch_item()` is gone: call `client.item_get()`."
"""


def declare(repo: Path, text: str) -> None:
    (repo / "openapi" / "declared-changes.yaml").write_text(text)


def test_a_deprecation_is_a_minor_with_its_deprecated_section(client_repo: Path) -> None:
    base = SpecVersion.parse(spec_version(client_repo))
    declare(client_repo, DEPRECATION)
    message = bump(**repo_paths(client_repo), api_diff=False)
    assert f"{base} -> {base.bumped(Impact.COMPATIBLE, base.api)}" in message, message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "Verdict: **compatible**" in changelog
    assert (
        "### Deprecated\n\n- `client.fetch_item()`: use `client.item_get()` instead. The method "
        "is named after its operation now.\n"
    ) in changelog


def test_a_removal_needs_its_deprecation_released_first(client_repo: Path) -> None:
    declare(client_repo, DEPRECATION + REMOVAL)  # deprecated and removed in one release
    with pytest.raises(DeclaredChangesError, match=r"removing `client\.fetch_item\(\)` needs"):
        bump(**repo_paths(client_repo), api_diff=False)


def test_the_removal_of_a_released_deprecation_is_a_major(client_repo: Path) -> None:
    declare(client_repo, DEPRECATION)
    bump(**repo_paths(client_repo), api_diff=False)
    git(client_repo, "add", ".")
    git(client_repo, "commit", "-q", "-m", "release the deprecation")
    released = SpecVersion.parse(spec_version(client_repo))
    declare(client_repo, DEPRECATION + REMOVAL)
    message = bump(**repo_paths(client_repo), api_diff=False)
    assert f"{released} -> {released.bumped(Impact.BREAKING, released.api)}" in message, message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "- breaking (declared, removal of a deprecation): `client.fetch_item()` is gone" in (
        changelog
    )


def test_a_break_plaid_forces_needs_no_deprecation_and_says_so(client_repo: Path) -> None:
    base = SpecVersion.parse(spec_version(client_repo))
    declare(
        client_repo,
        "changes:\n  - kind: removal\n    impact: breaking\n    forced_by: plaid\n"
        "    evidence: https://plaid.com/docs/api/link/#session-token-create\n"
        "    name: '`user.legal_name`'\n    change: Plaid removed `user.legal_name`.\n",
    )
    message = bump(**repo_paths(client_repo), api_diff=False)
    assert f"{base} -> {base.bumped(Impact.BREAKING, base.api)}" in message, message
    changelog = (client_repo / "openapi" / "CHANGELOG.md").read_text()
    assert "- breaking (declared, forced by Plaid): Plaid removed `user.legal_name`.\n" in changelog


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (DEPRECATION.replace("compatible", "breaking"), "a deprecation is a minor"),
        (DEPRECATION.replace('    replacement: "`client.item_get()`"\n', ""), "replacement"),
        ("changes: [{kind: rename, impact: docs, change: x}]", "`kind` is one of"),
        ("changes: [{impact: compatible, forced_by: plaid, change: x}]", "forced_by: plaid"),
    ],
)
def test_malformed_deprecations_are_one_line_errors(
    client_repo: Path, text: str, complaint: str
) -> None:
    declare(client_repo, text)
    with pytest.raises(DeclaredChangesError, match=r"^openapi/declared-changes\.yaml") as caught:
        bump(**repo_paths(client_repo), api_diff=False)
    assert complaint in str(caught.value)
