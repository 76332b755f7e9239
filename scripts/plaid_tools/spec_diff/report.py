"""The comparison result and its three renderings: a terminal table, JSON and Markdown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from plaid_tools.spec_diff.api_diff import ApiChange
from plaid_tools.spec_diff.model import Change, Impact, verdict

MARKS = {Impact.BREAKING: "🔴", Impact.COMPATIBLE: "🟡", Impact.DOCS: "⚪"}


@dataclass
class Report:
    """Spec changes plus, when it ran, the Python API diff of the generated clients."""

    old_label: str
    new_label: str
    changes: list[Change]
    api_changes: list[ApiChange] = field(default_factory=list)
    api_diff_status: str = "skipped"  # "done", "skipped" or "failed: <why>"

    @property
    def verdict(self) -> Impact:
        impacts = [change.impact for change in self.changes]
        return verdict(impacts + [change.impact for change in self.api_changes])

    @property
    def api_breakages(self) -> list[ApiChange]:
        return [a for a in self.api_changes if a.impact is Impact.BREAKING]

    def ordered(self) -> list[Change]:
        """Worst first, document order within an impact."""
        return sorted(self.changes, key=lambda change: -change.impact)

    def counts(self) -> str:
        parts = [
            f"{sum(c.impact is impact for c in self.changes)} {impact.label}"
            for impact in (Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCS)
        ]
        additions = len(self.api_changes) - len(self.api_breakages)
        return (
            ", ".join(parts)
            + f"; {len(self.api_breakages)} Python API breakage(s), {additions} addition(s)"
        )


def to_json(report: Report) -> str:
    return json.dumps(
        {
            "verdict": report.verdict.label,
            "old": report.old_label,
            "new": report.new_label,
            "changes": [change.as_json() for change in report.ordered()],
            "api_changes": [change.as_json() for change in report.api_changes],
            "api_diff": report.api_diff_status,
        },
        indent=2,
        ensure_ascii=False,
    )


def _rows(rows: list[tuple[str, str, str]], header: tuple[str, str, str]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    widths[1] = min(widths[1], 72)
    return [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in [header, *rows]]


def to_table(report: Report) -> str:
    lines = [
        f"spec diff: {report.old_label} -> {report.new_label}",
        f"verdict: {report.verdict.label} ({report.counts()})",
        "",
    ]
    if report.changes:
        lines += _rows(
            [(c.impact.label, c.location, c.change) for c in report.ordered()],
            ("IMPACT", "LOCATION", "CHANGE"),
        )
    else:
        lines.append("no spec changes")
    lines += ["", f"Python API (griffe, generated package): {report.api_diff_status}"]
    if report.api_changes:
        lines += _rows(
            [(a.impact.label, a.location, a.change) for a in report.api_changes],
            ("IMPACT", "OBJECT", "CHANGE"),
        )
    elif report.api_diff_status == "done":
        lines.append("no changes in the public API")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    """GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`."""
    mark = MARKS.get(report.verdict, "✅")
    lines = [
        f"### Spec diff: {mark} {report.verdict.label}",
        "",
        f"`{_cell(report.old_label)}` → `{_cell(report.new_label)}`: {report.counts()}",
        "",
    ]
    if report.changes:
        lines += ["| Impact | Location | Change |", "|---|---|---|"]
        lines += [
            f"| {MARKS[c.impact]} {c.impact.label} | `{_cell(c.location)}` | {_cell(c.change)} |"
            for c in report.ordered()
        ]
    else:
        lines.append("No spec changes.")
    lines += [
        "",
        "#### Python API",
        "",
        f"griffe on the generated package: {report.api_diff_status}",
        "",
    ]
    if report.api_changes:
        lines += ["| Impact | Object | Change |", "|---|---|---|"]
        lines += [
            f"| {MARKS[a.impact]} {a.impact.label} | `{_cell(a.location)}` | {_cell(a.change)} |"
            for a in report.api_changes
        ]
    elif report.api_diff_status == "done":
        lines.append("No changes in the public API.")
    return "\n".join(lines) + "\n"
