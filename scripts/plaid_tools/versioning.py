"""Bump the spec revision by what changed for client users and keep openapi/CHANGELOG.md in step.

`python -m plaid_tools.versioning bump [--base REF] [--no-api-diff]`, run by `nox -s generate`
before regeneration; `... check` is its dry run for CI (exit 1 when `bump` would change
anything). The version lives in one place, the revision part of the spec's info.version
(`<Plaid API version>_<semver>`); the generator derives the package version from it
(`plaid_tools.spec_version`). The base is `--base`, else origin/main, else main.

The expected version is bump(base version, verdict): breaking -> major, compatible -> minor,
docs -> patch, none -> the base version. The verdict is the worst of the spec diff (base spec
-> working spec) and the generated-client diff: the base ref's client, generated from the
base's own spec, templates, generator config and header hook, against the working tree's.
A griffe breakage there is breaking, a public addition compatible, any other changed file at
least a patch, so a template-only change moves the version too. The client diff is skipped when
none of those inputs differ from the base. Changes neither diff can see (the client's
behaviour) are declared in openapi/declared-changes.yaml (plaid_tools.declared_changes); the
ones new since the base count like the others.

The step is idempotent: it edits the one `version:` line textually (comments and layout survive)
and replaces the pending CHANGELOG entry (any entry newer than the base version) instead of
adding another, so a later, worse change moves the pending version and rewrites its entry.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plaid_tools import declared_changes, paths
from plaid_tools.declared_changes import DeclaredChange, DeclaredChangesError
from plaid_tools.spec_diff import compare
from plaid_tools.spec_diff.client_diff import ClientDiff, compare_clients
from plaid_tools.spec_diff.loader import (
    DEFAULT_BASE_REFS,
    LoadedSpec,
    SpecLoadError,
    default_base_ref,
    parse,
    read_git_file,
    ref_exists,
)
from plaid_tools.spec_diff.model import Impact
from plaid_tools.spec_diff.report import Report
from plaid_tools.spec_version import VERSION_SEPARATOR, InvalidSpecVersion, split

CHANGELOG_HEADER = """# Changelog of the session token spec

Newest first. One entry per spec revision (`info.version` in
`openapi/plaid-session-token.yaml`, which is also the generated package's version). Entries are
written by `python -m plaid_tools.versioning bump` (run by `nox -s generate`) from the
`nox -s spec-diff` verdict, the generated client's API diff and the changes declared in
`openapi/declared-changes.yaml`: breaking -> major, compatible -> minor, docs -> patch. A
deprecation is a minor (*Deprecated*: the old spelling still works, with a warning); its removal,
a later major.
"""


class VersioningError(RuntimeError):
    """The spec's version cannot be read or written."""


@dataclass(frozen=True)
class SpecVersion:
    """`2020-09-14_1.2.3`: Plaid's API version and our semver revision."""

    api: str
    revision: tuple[int, int, int]

    @classmethod
    def parse(cls, text: str) -> SpecVersion:
        try:
            api, revision = split(text)
        except InvalidSpecVersion as error:
            raise VersioningError(str(error)) from None
        return cls(api, revision)

    def __str__(self) -> str:
        return f"{self.api}{VERSION_SEPARATOR}{'.'.join(map(str, self.revision))}"

    def bumped(self, verdict: Impact, api: str) -> SpecVersion:
        major, minor, patch = self.revision
        revision = {
            Impact.BREAKING: (major + 1, 0, 0),
            Impact.COMPATIBLE: (major, minor + 1, 0),
            Impact.DOCS: (major, minor, patch + 1),
        }.get(verdict, self.revision)
        return SpecVersion(api, revision)


def set_version_line(spec_text: str, current: str, new: str) -> str:
    """Replace the value of info.version in place, keeping quotes, comments and layout."""
    info = re.search(r"^info:[ \t]*(#.*)?$", spec_text, re.MULTILINE)
    if info is None:
        raise VersioningError("no top-level `info:` block in the spec")
    line = re.compile(
        r"^([ \t]+version:[ \t]*['\"]?)" + re.escape(current) + r"(['\"]?[ \t]*(#.*)?)$",
        re.MULTILINE,
    )
    match = line.search(spec_text, info.end())
    if match is None:
        raise VersioningError(f"no `version: {current}` line under info:")
    updated = spec_text[: match.start()] + match.group(1) + new + match.group(2)
    updated += spec_text[match.end() :]
    if str(parse(updated, "spec")["info"]["version"]) != new:
        raise VersioningError("editing the version line did not change info.version")
    return updated


def _verdict(
    report: Report, client: ClientDiff | None, declared: Sequence[DeclaredChange]
) -> Impact:
    client_verdict = client.verdict if client else Impact.NONE
    return max([report.verdict, client_verdict, *(change.impact for change in declared)])


def render_entry(
    version: SpecVersion,
    report: Report,
    base_ref: str,
    client: ClientDiff | None = None,
    declared: Sequence[DeclaredChange] = (),
) -> str:
    verdict = _verdict(report, client, declared)
    lines = [
        f"## {version}",
        "",
        f"Verdict: **{verdict.label}** (compared with `{base_ref}`).",
        "",
    ]
    lines += [f"- {c.label}: {c.change}" for c in declared if c.kind != "deprecation"]
    lines += [f"- {c.impact.label}: `{c.location}`: {c.change}" for c in report.ordered()]
    lines += [
        f"- {a.impact.label} (Python API): `{a.location}`: {a.change}" for a in report.api_changes
    ]
    if client is not None and client.files_changed:
        # Files behind a public API change are listed, not labelled "docs": the change above
        # already says what they do to users.
        label = "generated client" if report.api_changes else "docs (generated client)"
        lines.append(f"- {label}: {client.summary()}")
    status = client.status if client is not None else report.api_diff_status
    if status.startswith("failed"):
        lines.append(f"- note: client comparison {status}")
    # Keep a Changelog's section: what still works, with a warning, until a later major.
    deprecated = [c for c in declared if c.kind == "deprecation"]
    if deprecated:
        lines += ["", "### Deprecated", ""]
        lines += [f"- {c.name}: use {c.replacement} instead. {c.change}" for c in deprecated]
    return "\n".join(lines) + "\n"


def _entries(changelog: str) -> tuple[str, list[str]]:
    """The text before the first entry, and the entries (each from its `## ` heading)."""
    parts = re.split(r"(?m)^(?=## )", changelog)
    return parts[0], parts[1:]


def _entry_revision(entry: str) -> tuple[int, int, int] | None:
    heading = entry.splitlines()[0][3:].strip()
    try:
        return SpecVersion.parse(heading.split()[0]).revision
    except (VersioningError, IndexError):
        return None


def update_changelog(changelog: str, base: SpecVersion, entry: str | None) -> str:
    """Drop pending entries (newer than the base version), then put `entry` first."""
    head, entries = _entries(changelog or CHANGELOG_HEADER + "\n")
    released = [e for e in entries if (_entry_revision(e) or (0, 0, 0)) <= base.revision]
    kept = [e if e.endswith("\n\n") else e.rstrip("\n") + "\n\n" for e in released]
    new_entries = ([entry + "\n"] if entry else []) + kept
    return (head.rstrip("\n") + "\n\n" + "".join(new_entries)).rstrip("\n") + "\n"


@dataclass(frozen=True)
class Plan:
    """What `bump` would write; `current` is None when there is nothing to compare with."""

    summary: str
    current: SpecVersion | None = None
    expected: SpecVersion | None = None
    spec_text: str = ""
    changelog: str = ""
    updated_changelog: str = ""


def plan(
    *,
    repo_root: Path = paths.ROOT,
    spec_path: Path = paths.SPEC,
    changelog_path: Path = paths.OPENAPI_DIR / "CHANGELOG.md",
    base_ref: str | None = None,
    api_diff: bool = True,
) -> Plan:
    """The expected version and CHANGELOG, from the spec diff and the generated-client diff.

    An explicit `base_ref` must exist; only the default (origin/main, main) may be missing.
    """
    if base_ref is not None and not ref_exists(base_ref, repo_root):
        raise VersioningError(f"--base {base_ref!r} is not a commit in this repository")
    base_ref = base_ref or default_base_ref(repo_root)
    if base_ref is None:
        return Plan(f"no base ref ({', '.join(DEFAULT_BASE_REFS)} do not exist)")
    spec_in_repo = spec_path.resolve().relative_to(repo_root.resolve()).as_posix()
    base_text = read_git_file(base_ref, spec_in_repo, repo_root)
    if base_text is None:
        return Plan(f"{spec_in_repo} does not exist at {base_ref}")
    spec_text = spec_path.read_text(encoding="utf-8")
    old = LoadedSpec(f"{base_ref}:{spec_in_repo}", base_text, parse(base_text, base_ref))
    new = LoadedSpec(spec_in_repo, spec_text, parse(spec_text, spec_in_repo))
    base_version = SpecVersion.parse(old.document["info"]["version"])
    current = SpecVersion.parse(new.document["info"]["version"])
    report = compare(old, new, api_diff=False)
    client = compare_clients(old, new, base_ref, repo_root) if api_diff else None
    if client is not None:
        report.api_changes, report.api_diff_status = client.api_changes, client.status
    declared_path = spec_path.parent / declared_changes.FILE_NAME
    declared = declared_changes.new_since(base_ref, declared_path, repo_root)
    verdict = _verdict(report, client, declared)
    expected = base_version.bumped(verdict, current.api)
    entry = (
        render_entry(expected, report, base_ref, client, declared)
        if verdict > Impact.NONE
        else None
    )
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else ""
    if verdict is Impact.NONE:
        what = f"no spec or client changes since {base_ref}"
    elif max((c.impact for c in report.changes), default=Impact.NONE) is Impact.NONE:
        what = (
            f"{verdict.label}: the generated client changed since {base_ref}, the spec did not"
            if client is not None and client.verdict > Impact.NONE
            else f"{verdict.label}: declared changes since {base_ref}"
        )
    else:
        what = f"{verdict.label} changes since {base_ref}"
    if client is not None and client.status.startswith("failed"):
        what += f"; client comparison {client.status}"
    return Plan(
        what,
        current,
        expected,
        spec_text,
        changelog,
        update_changelog(changelog, base_version, entry),
    )


def bump(
    *,
    repo_root: Path = paths.ROOT,
    spec_path: Path = paths.SPEC,
    changelog_path: Path = paths.OPENAPI_DIR / "CHANGELOG.md",
    base_ref: str | None = None,
    api_diff: bool = True,
) -> str:
    """Bring info.version and the CHANGELOG in line with the verdict; returns what it did."""
    p = plan(
        repo_root=repo_root,
        spec_path=spec_path,
        changelog_path=changelog_path,
        base_ref=base_ref,
        api_diff=api_diff,
    )
    if p.current is None or p.expected is None:
        return f"versioning: {p.summary}; nothing to do"
    if p.current == p.expected and p.updated_changelog == p.changelog:
        return f"versioning: version {p.current} already matches ({p.summary}); nothing to do"
    if p.updated_changelog != p.changelog:
        changelog_path.write_text(p.updated_changelog, encoding="utf-8")
    if p.current == p.expected:
        return f"versioning: version {p.current} matches ({p.summary}); CHANGELOG entry refreshed"
    spec_path.write_text(
        set_version_line(p.spec_text, str(p.current), str(p.expected)), encoding="utf-8"
    )
    return f"versioning: {p.summary}: {p.current} -> {p.expected}; CHANGELOG updated"


def check(
    *,
    repo_root: Path = paths.ROOT,
    spec_path: Path = paths.SPEC,
    changelog_path: Path = paths.OPENAPI_DIR / "CHANGELOG.md",
    base_ref: str | None = None,
    api_diff: bool = True,
) -> tuple[bool, str]:
    """A dry run of `bump`: (whether it would change nothing, one line saying so)."""
    p = plan(
        repo_root=repo_root,
        spec_path=spec_path,
        changelog_path=changelog_path,
        base_ref=base_ref,
        api_diff=api_diff,
    )
    if p.current is None or p.expected is None:
        return True, f"versioning: {p.summary}; nothing to check"
    if p.current != p.expected:
        return False, (
            f"versioning: expected version {p.expected}, found {p.current} ({p.summary}); "
            f"run {paths.NOX} -s generate"
        )
    if p.updated_changelog != p.changelog:
        return False, (
            f"versioning: version {p.current} is right but {changelog_path.name} lacks its "
            f"up-to-date entry ({p.summary}); run {paths.NOX} -s generate"
        )
    return True, f"versioning: version {p.current} matches ({p.summary})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plaid_tools.versioning",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("bump", "bump info.version by the verdict and write the CHANGELOG entry"),
        ("check", "exit 1 when `bump` would change the version or the CHANGELOG (changes nothing)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--base", help="git ref to compare with (default: origin/main, else main)"
        )
        command.add_argument(
            "--no-api-diff",
            action="store_true",
            help="judge by the spec rules only (skips generating the two clients)",
        )
    args = parser.parse_args(argv)
    options = {"base_ref": args.base, "api_diff": not args.no_api_diff}
    try:
        if args.command == "check":
            ok, line = check(**options)
            print(line)
            return 0 if ok else 1
        print(bump(**options))
    except (VersioningError, SpecLoadError, DeclaredChangesError) as error:
        print(f"versioning: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
