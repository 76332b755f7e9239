"""The upstream drift report, in Markdown: new differences first, each with what to do about
it; then deviations that no longer apply; then every known deviation with its evidence."""

from __future__ import annotations

from plaid_tools.paths import NOX
from plaid_tools.spec_diff.model import Change, Side
from plaid_tools.upstream.advice import advise
from plaid_tools.upstream.drift import Drift, Known

SIDES = {
    Side.NEW: "upstream has, we lack",
    Side.OLD: "we assert, upstream does not",
    Side.BOTH: "both say it, differently",
}
REGENERATE = f"{NOX} -s generate"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _version(document: dict[str, object]) -> str:
    info = document.get("info")
    return str(info.get("version", "?")) if isinstance(info, dict) else "?"


def _headline(drift: Drift) -> str:
    if drift.exit_code == 0:
        return f"### Upstream drift: ✅ only known deviations ({len(drift.known)})"
    parts = [f"{len(drift.new)} new"] if drift.new else []
    parts += [f"{len(drift.stale)} stale"] if drift.stale else []
    return f"### Upstream drift: 🔴 {', '.join(parts)} ({len(drift.known)} known)"


def _new_section(drift: Drift, change: Change, number: int, deviations: str) -> list[str]:
    advice = advise(change, drift.ours.document, drift.upstream_extract, drift.ours.label)
    return [
        f"#### {number}. `{_cell(change.location)}`: {SIDES[change.side]}",
        "",
        f"Engine (ours → upstream): {change.change}",
        "",
        f"**Follow upstream.** {advice.follow_upstream}",
        "",
        f"**Or keep ours.** Add to `{deviations}` under `deviations:`, with the reason and the "
        "evidence filled in:",
        "",
        "```yaml",
        advice.keep_ours,
        "```",
        "",
    ]


def to_markdown(drift: Drift, deviations: str) -> str:
    """The report; `deviations` names the deviations file in the instructions."""
    lines = [
        _headline(drift),
        "",
        f"Our spec `{drift.ours.label}` ({_version(drift.ours.document)}) against Plaid's "
        f"published spec `{_cell(drift.upstream.label)}` ({_version(drift.upstream.document)}), "
        "for our operations only.",
        "",
    ]
    if drift.notes:
        lines += ["Upstream, normalized before comparing:", ""]
        lines += [f"- {note}" for note in drift.notes]
        lines.append("")
    if drift.new:
        lines += [
            f"### New differences ({len(drift.new)})",
            "",
            "Each one either goes into our spec (then run "
            f"`{REGENERATE}`, which bumps the version and writes the CHANGELOG entry) or into "
            f"`{deviations}` with its evidence.",
            "",
        ]
        lines += [
            "| # | Location | Side | Difference (engine, ours → upstream) |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {n} | `{_cell(c.location)}` | {SIDES[c.side]} | {_cell(c.change)} |"
            for n, c in enumerate(drift.new, 1)
        ]
        lines.append("")
        for number, change in enumerate(drift.new, 1):
            lines += _new_section(drift, change, number, deviations)
    if drift.stale:
        lines += [
            f"### Stale deviations ({len(drift.stale)})",
            "",
            f"Listed in `{deviations}`, but upstream and ours no longer differ this way: remove "
            "the difference from its entry (and the entry when none is left).",
            "",
            "| Deviation | At | Rule | Subject |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(d.id)} | `{_cell(k.at)}` | {k.rule} | {_cell(k.subject)} |"
            for d, k in drift.stale
        ]
        lines.append("")
    lines += [f"### Known deviations ({len(drift.known)})", ""]
    by_deviation: dict[str, list[Known]] = {}
    for known in drift.known:
        by_deviation.setdefault(known.deviation.id, []).append(known)
    for group in by_deviation.values():
        deviation = group[0].deviation
        lines += [
            f"- **{deviation.id}**: {deviation.reason}",
            f"  Evidence: {deviation.evidence}.",
            *(
                f"  - `{k.change.location}`: {SIDES[k.change.side]}: {k.change.change}"
                for k in group
            ),
        ]
    if not drift.known:
        lines.append("None.")
    lines += ["", f"Spec: `{drift.ours.label}`; deviations: `{deviations}`."]
    return "\n".join(lines) + "\n"
