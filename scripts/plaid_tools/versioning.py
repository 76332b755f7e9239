"""Bump the spec revision by the spec-diff verdict and keep openapi/CHANGELOG.md in step.

`python -m plaid_tools.versioning bump [--base REF] [--no-api-diff]`, run by `nox -s generate`
before regeneration. The version lives in one place, the revision part of the spec's
info.version (`<Plaid API version>_<semver>`); the generator derives the package version from
it. The expected version is bump(base version, verdict of base spec -> working-tree spec):
breaking -> major, compatible -> minor, docs -> patch, none -> the base version. The step is
idempotent: it edits the one `version:` line textually (comments and layout survive) and
replaces the pending CHANGELOG entry (any entry newer than the base version) instead of adding
another, so a later, worse change moves the pending version and rewrites its entry.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from plaid_tools import paths
from plaid_tools.regenerate import VERSION_SEPARATOR
from plaid_tools.spec_diff import compare
from plaid_tools.spec_diff.loader import (
    LoadedSpec,
    default_base_ref,
    parse,
    read_git_file,
    ref_exists,
)
from plaid_tools.spec_diff.model import Impact
from plaid_tools.spec_diff.report import Report

CHANGELOG_HEADER = """# Changelog of the session token spec

Newest first. One entry per spec revision (`info.version` in
`openapi/plaid-session-token.yaml`, which is also the generated package's version). Entries are
written by `python -m plaid_tools.versioning bump` (run by `nox -s generate`) from the
`nox -s spec-diff` verdict: breaking -> major, compatible -> minor, docs -> patch.
"""
SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class VersioningError(RuntimeError):
    """The spec's version cannot be read or written."""


@dataclass(frozen=True)
class SpecVersion:
    """`2020-09-14_1.2.3`: Plaid's API version and our semver revision."""

    api: str
    revision: tuple[int, int, int]

    @classmethod
    def parse(cls, text: str) -> SpecVersion:
        api, sep, revision = str(text).partition(VERSION_SEPARATOR)
        match = SEMVER.match(revision)
        if not sep or not match:
            raise VersioningError(f"info.version {text!r} is not '<api version>_<semver>'")
        major, minor, patch = (int(part) for part in match.groups())
        return cls(api, (major, minor, patch))

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


def render_entry(version: SpecVersion, report: Report, base_ref: str) -> str:
    lines = [
        f"## {version}",
        "",
        f"Verdict: **{report.verdict.label}** (compared with `{base_ref}`).",
        "",
    ]
    lines += [f"- {c.impact.label}: `{c.location}`: {c.change}" for c in report.ordered()]
    lines += [f"- breaking (Python API): `{a.location}`: {a.change}" for a in report.api_changes]
    if report.api_diff_status.startswith("failed"):
        lines.append(f"- note: Python API diff {report.api_diff_status}")
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


def bump(
    *,
    repo_root: Path = paths.ROOT,
    spec_path: Path = paths.SPEC,
    changelog_path: Path = paths.OPENAPI_DIR / "CHANGELOG.md",
    base_ref: str | None = None,
    api_diff: bool = True,
) -> str:
    """Bring info.version and the CHANGELOG in line with the verdict; returns what it did."""
    base_ref = base_ref or default_base_ref(repo_root)
    if base_ref is None or not ref_exists(base_ref, repo_root):
        return f"versioning: no base ref ({base_ref or 'main, origin/main'}); nothing to do"
    spec_in_repo = spec_path.resolve().relative_to(repo_root.resolve()).as_posix()
    base_text = read_git_file(base_ref, spec_in_repo, repo_root)
    if base_text is None:
        return f"versioning: {spec_in_repo} does not exist at {base_ref}; nothing to do"
    spec_text = spec_path.read_text(encoding="utf-8")
    old = LoadedSpec(f"{base_ref}:{spec_in_repo}", base_text, parse(base_text, base_ref))
    new = LoadedSpec(spec_in_repo, spec_text, parse(spec_text, spec_in_repo))
    base_version = SpecVersion.parse(old.document["info"]["version"])
    current = SpecVersion.parse(new.document["info"]["version"])
    report = compare(old, new, api_diff=api_diff)
    expected = base_version.bumped(report.verdict, current.api)
    entry = render_entry(expected, report, base_ref) if report.verdict > Impact.NONE else None
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else ""
    updated_changelog = update_changelog(changelog, base_version, entry)
    what = (
        f"{report.verdict.label} changes since {base_ref}"
        if report.verdict > Impact.NONE
        else f"no spec changes since {base_ref}"
    )
    if current == expected and updated_changelog == changelog:
        return f"versioning: version {current} already matches ({what}); nothing to do"
    if updated_changelog != changelog:
        changelog_path.write_text(updated_changelog, encoding="utf-8")
    if current == expected:
        return f"versioning: version {current} matches ({what}); CHANGELOG entry refreshed"
    spec_path.write_text(set_version_line(spec_text, str(current), str(expected)), encoding="utf-8")
    return f"versioning: {what}: {current} -> {expected}; CHANGELOG updated"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plaid_tools.versioning",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    bump_parser = commands.add_parser("bump", help="bump info.version by the spec-diff verdict")
    bump_parser.add_argument("--base", help="git ref to compare with (default: main, origin/main)")
    bump_parser.add_argument(
        "--no-api-diff",
        action="store_true",
        help="judge by the spec rules only (skips regenerating two clients)",
    )
    args = parser.parse_args(argv)
    try:
        print(bump(base_ref=args.base, api_diff=not args.no_api_diff))
    except VersioningError as error:
        print(f"versioning: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
