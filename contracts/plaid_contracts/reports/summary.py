"""summary.md (what a person reads first) and summary.json (the same, for machines)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plaid_contracts.checks.rules import ASSUMPTIONS_FILE, CHECK_GROUNDS
from plaid_contracts.infra.settings import RunMode, RunSettings
from plaid_contracts.reports.stats import CLIENT_PHASE, SCHEMATHESIS_PHASES, Finding, Findings, RunStats
from plaid_contracts.infra.targets import TargetKind

SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"
JUNIT_XML = "junit.xml"
CASSETTE = "cassette.yaml"
SANDBOX_LOG = "sandbox.log"


@dataclass(frozen=True)
class RunOutcome:
    verdict: str  # "passed", "failed", "interrupted" or "error"
    pytest_exit_code: int
    duration_seconds: float  # the whole run: target start, tests, reports
    test_seconds: float  # pytest alone (collection and tests), without starting the target
    started_at: str
    requests_recorded: int
    detail: str = ""


PHASE_NOTES = {
    "examples": "the spec's request examples",
    "coverage": "schemathesis' deterministic boundary and negative cases",
    "fuzzing": "hypothesis-generated, valid and invalid",
    "stateful": "disabled: one operation, no links to chain",
    CLIENT_PHASE: "hypothesis through the generated client (plaid_contracts suite)",
}


def reproduce_command(settings: RunSettings) -> str:
    parts = ["nox -s contracts --"]
    if settings.mode is RunMode.REMOTE:
        parts.append(f"--base-url {settings.target.base_url}")
    if settings.mode is RunMode.IN_PROCESS:
        parts.append("--in-process")
    parts.append(f"--profile {settings.profile.name}")
    if not settings.profile.deterministic:
        parts.append(f"--seed {settings.seed}")
    return " ".join(parts)


def _target_line(settings: RunSettings) -> str:
    if settings.mode is RunMode.IN_PROCESS:
        return "offline sandbox, in-process"
    if settings.mode is RunMode.LOOPBACK:
        return f"offline sandbox on {settings.target.base_url} (started by the runner)"
    return settings.target.describe


def _link_token_line(settings: RunSettings, stats: RunStats) -> str:
    """What the target's tokens may name, and what the successes' tokens named."""
    expected = " or ".join(f"`{prefix}`" for prefix in settings.link_token_prefixes)
    seen = ", ".join(
        f"`link-{env}-` {count}" for env, count in sorted(stats.link_token_environments.items())
    )
    return f"expected {expected}; seen: {seen or 'none'}"


def total_cases(stats: RunStats) -> int:
    return sum(stats.cases.values())


def cases_per_second(stats: RunStats, outcome: RunOutcome) -> float:
    """Throughput of the test phase alone: starting a target is not the suite's speed."""
    return total_cases(stats) / outcome.test_seconds if outcome.test_seconds > 0 else 0.0


def _seed_line(settings: RunSettings) -> str:
    if settings.profile.deterministic:
        return f"`{settings.seed}` (derandomized: every run sends the same cases)"
    return f"`{settings.seed}`"


def render_markdown(settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> str:
    lines = [f"# Contract run: {outcome.verdict.upper()}", ""]
    if outcome.detail:
        lines += [f"> {outcome.detail}", ""]
    rate = str(settings.rate) if settings.rate else "unthrottled"
    lines += [
        "| | |",
        "|---|---|",
        f"| Target | {_target_line(settings)} |",
        f"| Profile | `{settings.profile.name}`: {settings.profile.description} |",
        f"| Seed | {_seed_line(settings)} |",
        f"| Reproduce | `{reproduce_command(settings)}` |",
        f"| Started | {outcome.started_at} |",
        f"| Duration | {outcome.duration_seconds:.1f} s; tests {outcome.test_seconds:.1f} s, "
        f"{total_cases(stats)} cases, {cases_per_second(stats, outcome):.0f} cases/s |",
        f"| Requests | {outcome.requests_recorded} recorded in `{CASSETTE}`; rate {rate}; "
        f"{stats.retried_429} answered 429 and were retried |",
        f"| Template | `{settings.template_id}` |",
        f"| Link tokens | {_link_token_line(settings, stats)} |",
        "",
        "## Cases per phase",
        "",
        _phases_line(stats),
        "",
        "| Phase | Cases | Planned | What |",
        "|---|---:|---:|---|",
    ]
    for phase in (*SCHEMATHESIS_PHASES, CLIENT_PHASE):
        planned = stats.planned.get(phase)
        shown = "-" if planned is None else (f"≤ {planned}" if phase == "fuzzing" else planned)
        lines.append(f"| {phase} | {stats.cases.get(phase, 0)} | {shown} | {PHASE_NOTES[phase]} |")
    lines += [
        "",
        "## Checks",
        "",
        "DOC/SEEN rules fail the run; ASSUMED ones are "
        + (
            "enforced here (the offline sandbox implements them)."
            if settings.enforce_assumptions
            else "observations (see below), never failures."
        ),
        "",
        "| Check | Rests on | Passed | Failed | Observed |",
        "|---|---|---:|---:|---:|",
    ]
    for name, tally in sorted(stats.checks.items()):
        mark = " **FAILED**" if tally.failed else ""
        ground = CHECK_GROUNDS.get(name, "DOC")
        lines.append(
            f"| `{name}`{mark} | {ground} | {tally.passed} | {tally.failed} | {tally.observed} |"
        )
    lines += ["", "## Tests", "", "| Test | Passed | Failed | Skipped |", "|---|---:|---:|---:|"]
    for name, counts in sorted(_grouped_outcomes(stats).items()):
        lines.append(
            f"| `{name}` | {counts['passed']} | {counts['failed']} | {counts['skipped']} |"
        )
    lines += _failure_sections(settings, stats)
    lines += _observation_sections(settings, stats)
    lines += [
        "",
        "## Files",
        "",
        f"- `{JUNIT_XML}`: pytest's JUnit report",
        f"- `{CASSETTE}`: every request and response, credentials masked "
        "(`${PLAID_CLIENT_ID}`, `${PLAID_SECRET}`: the run's own; `[masked]`: any other value)",
        f"- `{SUMMARY_JSON}`: this summary for machines",
    ]
    if settings.target.kind is TargetKind.OFFLINE:
        lines.append(f"- `{SANDBOX_LOG}`: the offline sandbox's log")
    for note in stats.notes:
        lines += ["", f"> {note}"]
    return "\n".join(lines) + "\n"


def _grouped_outcomes(stats: RunStats) -> dict[str, Counter[str]]:
    """Outcomes per test function: parametrized variants (64 field combinations) in one row."""
    grouped: dict[str, Counter[str]] = {}
    for node_id, state in stats.test_outcomes.items():
        name = node_id.split("::")[-1].split("[")[0]
        grouped.setdefault(name, Counter())[state] += 1
    return grouped


def _phases_line(stats: RunStats) -> str:
    """Whether every planned phase ran all its cases (a stopped phase hides findings)."""
    short = [
        f"{phase} ran {stats.cases.get(phase, 0)} of {planned}"
        for phase, planned in stats.planned.items()
        if phase != "fuzzing" and stats.cases.get(phase, 0) < planned
    ]
    if short:
        return "**Not every phase ran to its end**: " + "; ".join(short) + "."
    if stats.planned:
        return "Every phase ran to its end (fuzzing up to its maximum of examples)."
    return "No schemathesis phase was collected."


def _reproduce_intro(settings: RunSettings) -> list[str]:
    lines = [
        "Reproduce a request with the credentials in `PLAID_CLIENT_ID` / `PLAID_SECRET`; "
        f"rerun the whole case set with `{reproduce_command(settings)}`. Each finding shows the "
        "smallest request it was seen on."
    ]
    if settings.target.kind is TargetKind.OFFLINE:
        port = settings.target.base_url.rsplit(":", 1)[-1]
        where = (
            "inside the test process"
            if settings.mode is RunMode.IN_PROCESS
            else f"on port {port} for this run only"
        )
        lines.append(
            f"The offline sandbox ran {where}: start it with "
            f"`nox -s sandbox -- --port {port}` (same credentials in the environment) to replay."
        )
    return lines


def _finding_block(
    number: int, finding: Finding, occurrences: int, phases: set[str], seed: int
) -> list[str]:
    lines = [
        "",
        f"### {number}. `{finding.check}` [{finding.strength}]: {finding.title}",
        "",
        f"Test `{finding.test}`, phase {', '.join(sorted(phases))}, status {finding.status}, "
        f"seed `{seed}`, seen {occurrences} time(s)"
        + (f", cassette interaction #{finding.interaction}" if finding.interaction else "")
        + ".",
        "",
        "```text",
        finding.message.strip() or finding.title,
        "```",
    ]
    if finding.response_excerpt:
        lines += ["", "Response body:", "", "```json", finding.response_excerpt.strip(), "```"]
    if finding.curl:
        lines += ["", "```sh", finding.curl, "```"]
    return lines


def _blocks(findings: Findings, seed: int) -> list[str]:
    lines: list[str] = []
    for number, (key, finding) in enumerate(findings.items.items(), start=1):
        occurrences, phases = findings.occurrences[key], findings.phases[key]
        lines += _finding_block(number, finding, occurrences, phases, seed)
    return lines


def _failure_sections(settings: RunSettings, stats: RunStats) -> list[str]:
    if not stats.failures and not stats.test_errors:
        return ["", "## Failures", "", "None."]
    lines = ["", "## Failures", "", *_reproduce_intro(settings)]
    if any(finding.strength.startswith("ASSUMED") for finding in stats.failures.values()):
        lines += [
            "",
            "Failures marked ASSUMED are enforced because the offline sandbox implements the "
            "assumption: a mismatch is a bug in the sandbox or in the check.",
        ]
    lines += _blocks(stats.failures, settings.seed)
    reported_tests = {finding.test for finding in stats.failures.values()}
    for test, text in sorted(stats.test_errors.items()):
        if any(test.endswith(name) or name in test for name in reported_tests):
            continue
        lines += ["", f"### Test `{test}` failed", "", "```text", text.strip(), "```"]
    return lines


def _observation_sections(settings: RunSettings, stats: RunStats) -> list[str]:
    lines = [
        "",
        "## Observations",
        "",
        "Where the target did not follow one of the offline sandbox's assumptions (ASSUMED "
        f"rules, `{ASSUMPTIONS_FILE}`): never a failure against "
        "Plaid, but a lesson: the target's answer may be Plaid's truth. `summary.json` carries "
        "them for `nox -s parity`.",
    ]
    if settings.enforce_assumptions:
        return [*lines, "", "None: ASSUMED rules are enforced in this run (see Failures)."]
    if not stats.observations:
        return [*lines, "", "None."]
    lines += [
        "",
        "| # | Assumption | Check | Target answered | The assumption says | Seen |",
        "|---:|---|---|---|---|---:|",
    ]
    for number, (key, finding) in enumerate(stats.observations.items.items(), start=1):
        lines.append(
            f"| {number} | {finding.tag or 'untagged'} | `{finding.check}` | "
            f"{_cell(finding.answered)} | {_cell(finding.expected)} | "
            f"{stats.observations.occurrences[key]} |"
        )
    lines += ["", *_reproduce_intro(settings), *_blocks(stats.observations, settings.seed)]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:200]


def summary_json(settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> dict[str, Any]:
    return {
        "verdict": outcome.verdict,
        "target": {"base_url": settings.target.base_url, "kind": settings.target.kind.value},
        "mode": settings.mode.value,
        "profile": settings.profile.name,
        "seed": settings.seed,
        "deterministic": settings.profile.deterministic,
        "reproduce": reproduce_command(settings),
        "duration_seconds": round(outcome.duration_seconds, 2),
        "test_seconds": round(outcome.test_seconds, 3),
        "total_cases": total_cases(stats),
        "cases_per_second": round(cases_per_second(stats, outcome), 1),
        "requests_recorded": outcome.requests_recorded,
        "assumptions": "enforced" if settings.enforce_assumptions else "observed",
        **stats.to_json(),
    }


def write(directory: Path, settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> Path:
    path = directory / SUMMARY_MD
    path.write_text(render_markdown(settings, stats, outcome), encoding="utf-8")
    (directory / SUMMARY_JSON).write_text(
        json.dumps(summary_json(settings, stats, outcome), indent=2) + "\n", encoding="utf-8"
    )
    return path
