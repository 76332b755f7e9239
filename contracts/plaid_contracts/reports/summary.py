"""summary.md (what a person reads first) and summary.json (the same, for machines).

summary.md: the run (target, profile, seed, the command that reproduces it), how to read its
counts, then one section per operation (its fixtures, cases per phase, every check with its
meaning, strength and link, its tests), then every failure and observation with a reproduction.
Every command it prints is the README's way of running things (``python3 scripts/nox_pinned.py``).
"""

from __future__ import annotations

import json
import os
import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from plaid_contracts import operations
from plaid_contracts.checks.response_checks import described_checks
from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import ENV_CLIENT_ID, ENV_SECRET
from plaid_contracts.infra.paths import NOX, ROOT
from plaid_contracts.infra.settings import (
    DEFAULT_CLOCK_SKEW_SECONDS,
    DEFAULT_REQUEST_TIMEOUT_SECONDS,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
    RunMode,
    RunSettings,
)
from plaid_contracts.infra.targets import TargetKind
from plaid_contracts.operations import Operation
from plaid_contracts.recording.history import Comparison, Previous, compare
from plaid_contracts.recording.stats import (
    CLIENT_PHASE,
    SCHEMATHESIS_PHASES,
    SCHEMATHESIS_TEST,
    Finding,
    Findings,
    OperationStats,
    RunStats,
)
from plaid_contracts.rules import ASSUMPTIONS_FILE
from plaid_contracts.rules.check_info import (
    ON_ANSWERS,
    ON_CLIENT_CALLS,
    ON_REQUESTS,
    CheckInfo,
)

SUMMARY_MD: Final = "summary.md"
SUMMARY_JSON: Final = "summary.json"
JUNIT_XML: Final = "junit.xml"
CASSETTE: Final = "cassette.yaml"
SANDBOX_LOG: Final = "sandbox.log"


@dataclass(frozen=True)
class RunOutcome:
    verdict: str  # "passed", "failed", "interrupted" or "error"
    pytest_exit_code: int
    duration_seconds: float  # the whole run: target start, tests, reports
    test_seconds: float  # pytest alone (collection and tests), without starting the target
    started_at: str
    requests_recorded: int
    detail: str = ""
    # How to run the same cases again when it is not a plain `contracts` run (the mutation
    # harness runs a modified sandbox, which `-s sandbox` cannot replay).
    reproduce: str | None = None
    previous: Previous | None = None  # --previous: the run this one is compared with


PHASE_NOTES: Final = {
    "examples": "the spec's request examples",
    "coverage": "schemathesis' deterministic boundary and negative cases",
    "fuzzing": "hypothesis-generated, valid and invalid",
    "stateful": "disabled: no links between operations to chain",
    CLIENT_PHASE: "hypothesis through the generated client (the operation's client tests)",
}


def reproduce_command(settings: RunSettings) -> str:
    """The `contracts` session with every option that changes the cases or their verdicts."""
    parts = [f"{NOX} -s contracts --"]
    if settings.mode is RunMode.REMOTE:
        parts.append(f"--base-url {settings.target.base_url}")
    if settings.mode is RunMode.IN_PROCESS:
        parts.append("--in-process")
    parts += [f"--operation {shlex.quote(_name_of(label))}" for label in settings.operations]
    parts.append(f"--profile {settings.profile.name}")
    if not settings.profile.deterministic:
        parts.append(f"--seed {settings.seed}")
    if settings.fuzzing_examples is not None:
        parts.append(f"--max-examples {settings.fuzzing_examples}")
    if settings.enforce_assumptions != (settings.target.kind is TargetKind.OFFLINE):
        parts.append(f"--assumptions {'enforce' if settings.enforce_assumptions else 'observe'}")
    if settings.token_lifetime_seconds != DEFAULT_TOKEN_LIFETIME_SECONDS:
        parts.append(f"--token-lifetime {settings.token_lifetime_seconds}")
    if settings.clock_skew_seconds != DEFAULT_CLOCK_SKEW_SECONDS:
        parts.append(f"--clock-skew {settings.clock_skew_seconds}")
    if settings.request_timeout_seconds != DEFAULT_REQUEST_TIMEOUT_SECONDS:
        parts.append(f"--request-timeout {settings.request_timeout_seconds:g}")
    if settings.mode is RunMode.REMOTE and settings.rate is not None:
        parts.append(f"--rate {settings.rate}")
    return " ".join(parts)


def _name_of(label: str) -> str:
    return operations.for_label(label).name


def environment_note(settings: RunSettings) -> str:
    """What the environment must hold to run the same cases again."""
    fixtures = _fixture_assignments(settings)
    if settings.public_credentials:
        given = f" and {fixtures}" if fixtures else ""
        return (
            f"with {ENV_CLIENT_ID} and {ENV_SECRET} unset (the offline sandbox's default "
            f"credentials){given}"
        )
    names = [ENV_CLIENT_ID, ENV_SECRET, *settings.fixtures]
    return f"with {', '.join(names)} set as for this run" + (f" ({fixtures})" if fixtures else "")


def _fixture_assignments(settings: RunSettings) -> str:
    """The fixtures that are not the offline defaults, as shell assignments (no secret here)."""
    defaults = {fixture.env: fixture.offline_default for fixture in operations.fixtures()}
    return " ".join(
        f"{name}={shlex.quote(value)}"
        for name, value in settings.fixtures.items()
        if value != defaults.get(name)
    )


def _target_line(settings: RunSettings) -> str:
    if settings.mode is RunMode.IN_PROCESS:
        return "offline sandbox, in-process"
    if settings.mode is RunMode.LOOPBACK:
        return f"offline sandbox on {settings.target.base_url} (started by the runner)"
    return settings.target.describe


def total_cases(stats: RunStats) -> int:
    return stats.total_cases


def cases_per_second(stats: RunStats, outcome: RunOutcome) -> float:
    """Throughput of the test phase alone: starting a target is not the suite's speed."""
    return total_cases(stats) / outcome.test_seconds if outcome.test_seconds > 0 else 0.0


def _seed_line(settings: RunSettings) -> str:
    if settings.profile.deterministic:
        return f"`{settings.seed}` (derandomized: every run sends the same cases)"
    return f"`{settings.seed}`"


def _operations(stats: RunStats) -> list[Operation]:
    """The operations of this run: every registered one the suite collected tests for."""
    return [op for op in operations.registered() if op.label in stats.operations]


def render_markdown(
    settings: RunSettings, stats: RunStats, outcome: RunOutcome, reports_dir: Path
) -> str:
    lines = [f"# Contract run: {outcome.verdict.upper()}", ""]
    if outcome.detail:
        lines += [f"> {outcome.detail}", ""]
    lines += _since_previous(stats, outcome)
    rate = str(settings.rate) if settings.rate else "unthrottled"
    ops = _operations(stats)
    reproduce = outcome.reproduce or f"{reproduce_command(settings)}"
    lines += [
        "| | |",
        "|---|---|",
        f"| Target | {_target_line(settings)} |",
        f"| Operations | {', '.join(f'`{op.label}`' for op in ops) or 'none collected'} |",
        f"| Profile | `{settings.profile.name}`: {settings.profile.description} |",
        f"| Seed | {_seed_line(settings)} |",
        f"| Reproduce | `{reproduce}`"
        + ("" if outcome.reproduce else f", {environment_note(settings)}")
        + " |",
        "| Credentials | "
        + credentials.describe(settings.credentials, settings.public_credentials)
        + " |",
        f"| Started | {outcome.started_at} |",
        f"| Duration | {outcome.duration_seconds:.1f} s; tests {outcome.test_seconds:.1f} s, "
        f"{total_cases(stats)} cases, {cases_per_second(stats, outcome):.0f} cases/s |",
        f"| Requests | {outcome.requests_recorded} recorded in `{CASSETTE}`; rate {rate}; "
        f"{stats.retried_429} answered 429 and were retried; "
        f"{stats.instability.resent} re-sent as possible target trouble |",
        "",
        *_reading_guide(settings, stats, outcome),
    ]
    for operation in ops:
        lines += _operation_section(operation, settings, stats, reports_dir)
    lines += _instability_section(stats)
    lines += _failure_sections(settings, stats, outcome)
    lines += _observation_sections(settings, stats, outcome)
    lines += [
        "",
        "## Files",
        "",
        f"- `{JUNIT_XML}`: pytest's JUnit report",
        f"- `{CASSETTE}`: every request and response"
        + (
            ", credentials masked (`${PLAID_CLIENT_ID}`, `${PLAID_SECRET}`: the run's own; "
            "`[masked]`: any other value)"
            if not settings.public_credentials
            else ", other credentials than the offline defaults masked as `[masked]`"
        ),
        f"- `{SUMMARY_JSON}`: this summary for machines",
    ]
    if settings.target.kind is TargetKind.OFFLINE:
        lines.append(
            f"- `{SANDBOX_LOG}`: the offline sandbox's log, a line per request"
            if settings.sandbox_access_log
            else f"- `{SANDBOX_LOG}`: the offline sandbox's warnings and errors (a line per "
            "request with `--sandbox-access-log`)"
        )
    for note in stats.notes:
        lines += ["", f"> {note}"]
    return "\n".join(lines) + "\n"


def _reading_guide(settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> list[str]:
    """How the console's pytest count, the cases and the requests relate, and what a check's
    counts mean."""
    tests = len(stats.test_outcomes)
    by_outcome = Counter(stats.test_outcomes.values())
    pytest_line = ", ".join(f"{count} {state}" for state, count in sorted(by_outcome.items()))
    cases = total_cases(stats)
    extra = outcome.requests_recorded - cases
    per_operation = "; ".join(
        f"`{label}`: {sum(op.cases.values())}" for label, op in stats.operations.items()
    )
    enforced = (
        "enforced here (the offline sandbox implements them, so a mismatch is a bug in it or in "
        "the check)"
        if settings.enforce_assumptions
        else "observations (see below), never failures"
    )
    return [
        "## Reading the counts",
        "",
        f"pytest printed `{pytest_line or 'nothing'}`: it counts tests, not cases. Each "
        "operation has one schemathesis test, which runs every case of its phases (examples, "
        "coverage, fuzzing), and its client tests, which call the generated client; "
        f"here {tests} tests ran {cases} cases ({per_operation or 'none'}). Each case sent one "
        f"request; the other {max(extra, 0)} of the {outcome.requests_recorded} recorded were "
        "the preflight request, the auth probes (`plaid_auth_enforced`), 429s that were retried "
        "and answers re-sent as possible target trouble (Target instability).",
        "",
        "Every answer to a schemathesis case goes through every check. A check with nothing to "
        "say about an answer (`plaid_link_token` about an error, `negative_data_rejection` "
        "about a valid request) counts it as **not applicable**, not as passed: per check, "
        "passed + failed + observed + not applicable = the operation's answers checked. "
        "`plaid_answers` counts every request of the cases and client calls; the `client_*` "
        "checks count the client calls they judge.",
        "",
        "Strength: **documented** (Plaid's documentation or published spec) and **seen** (a real "
        "Plaid response) rules fail the run; **assumed** ones (the offline sandbox's "
        f"assumptions, `[A<n>]`) are {enforced}.",
    ]


def _operation_section(
    operation: Operation, settings: RunSettings, stats: RunStats, reports_dir: Path
) -> list[str]:
    op_stats = stats.operations[operation.label]
    client_tests = [
        node
        for node, label in stats.test_operations.items()
        if label == operation.label and not node.split("::")[-1].startswith(SCHEMATHESIS_TEST)
    ]
    client_cases = op_stats.cases.get(CLIENT_PHASE, 0)
    schemathesis_cases = sum(op_stats.cases.values()) - client_cases
    lines = [
        "",
        f"## `{operation.label}`",
        "",
        "| | |",
        "|---|---|",
        f"| Plaid's reference | {operation.doc} |",
    ]
    for fixture in operation.fixtures:
        value = settings.fixtures.get(fixture.env)
        given = "not given" if value is None else f"`{value}`"
        lines.append(
            f"| Fixture `{fixture.name}` | {given} (from {fixture.env}, else "
            f"`{fixture.offline_default}` offline): {fixture.about} |"
        )
    lines += [
        f"| {label} | {text} |"
        for label, text in operation.success.rows(settings.target, op_stats.tallies)
    ]
    lines += [
        f"| Cases | {schemathesis_cases + client_cases}: {schemathesis_cases} by its schemathesis "
        f"test, {client_cases} by its {len(client_tests)} client tests |",
        "",
        "### Cases per phase",
        "",
        _phases_line(op_stats),
        "",
        "| Phase | Cases | Planned | What |",
        "|---|---:|---:|---|",
    ]
    for phase in (*SCHEMATHESIS_PHASES, CLIENT_PHASE):
        planned = op_stats.planned.get(phase)
        shown = "-" if planned is None else (f"≤ {planned}" if phase == "fuzzing" else planned)
        cases = op_stats.cases.get(phase, 0)
        lines.append(f"| {phase} | {cases} | {shown} | {PHASE_NOTES[phase]} |")
    lines += [
        "",
        f"### Checks ({op_stats.answers} answers to schemathesis cases checked)",
        "",
        "| Check | What it holds the target to | Strength | Passed | Failed | Observed "
        "| Not applicable |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for name, info in _checks_of(operation).items():
        tally = op_stats.checks.get(name)
        passed, failed, observed = (
            (tally.passed, tally.failed, tally.observed) if tally else (0, 0, 0)
        )
        applied = passed + failed + observed
        not_applicable = op_stats.answers - applied if info.counted_on == ON_ANSWERS else "-"
        mark = " **FAILED**" if failed else ""
        counted = {ON_REQUESTS: " (every request)", ON_CLIENT_CALLS: " (client calls)"}.get(
            info.counted_on, ""
        )
        lines.append(
            f"| [`{name}`]({_link(info.link, reports_dir)}){mark} | {info.meaning}{counted} | "
            f"{info.strength} | {passed} | {failed} | {observed} | {not_applicable} |"
        )
    lines += _fields_table(op_stats)
    lines += [
        "",
        "### Tests",
        "",
        "| Test | Cases | Passed | Failed | Skipped |",
        "|---|---:|---:|---:|---:|",
    ]
    grouped = _grouped_outcomes(stats, operation)
    for name in sorted(grouped, key=lambda test: (not test.startswith(SCHEMATHESIS_TEST), test)):
        counts = grouped[name]
        lines.append(
            f"| `{name}` | {op_stats.test_cases.get(name, 0)} | {counts['passed']} | "
            f"{counts['failed']} | {counts['skipped']} |"
        )
    return lines


def _fields_table(op_stats: OperationStats) -> list[str]:
    """Per field, the valid requests that carried it (by the class of its value) and how many
    the target accepted: a documented value refused is a DOC failure, an edge one an
    observation."""
    lines = [
        "",
        "### Fields of valid requests",
        "",
        "| Field | Values | Rests on | Sent | Accepted |",
        "|---|---|---|---:|---:|",
    ]
    for (name, values, strength), sent in sorted(op_stats.field_values.items()):
        accepted = op_stats.field_values_accepted[(name, values, strength)]
        mark = "" if accepted == sent else " **refused**"
        lines.append(f"| `{name}` | {_cell(values)} | {strength} | {sent} | {accepted}{mark} |")
    if len(lines) == 5:
        lines.append("| (no valid request carried a field with a value to judge) | | | | |")
    return lines


def _checks_of(operation: Operation) -> dict[str, CheckInfo]:
    """The checks an operation's answers go through, its own success check after the answer."""
    checks = described_checks()
    ordered: dict[str, CheckInfo] = {}
    for name, info in checks.items():
        ordered[name] = info
        if name == "plaid_expected_answer":
            ordered[operation.success.check] = operation.success.info
    return ordered


def _link(link: str, reports_dir: Path) -> str:
    """A URL as it is; a repository file relative to where the report is read."""
    if "://" in link:
        return link
    path, _, anchor = link.partition("#")
    relative = os.path.relpath(ROOT / path, reports_dir)
    return relative + (f"#{anchor}" if anchor else "")


def _grouped_outcomes(stats: RunStats, operation: Operation) -> dict[str, Counter[str]]:
    """Outcomes per test of the operation, by the name pytest gives it."""
    grouped: dict[str, Counter[str]] = {}
    for node_id, state in stats.test_outcomes.items():
        if stats.test_operations.get(node_id) != operation.label:
            continue
        grouped.setdefault(node_id.split("::")[-1], Counter())[state] += 1
    return grouped


def _phases_line(op_stats: OperationStats) -> str:
    """Whether every planned phase ran all its cases (a stopped phase hides findings)."""
    short = [
        f"{phase} ran {op_stats.cases.get(phase, 0)} of {planned}"
        for phase, planned in op_stats.planned.items()
        if phase != "fuzzing" and op_stats.cases.get(phase, 0) < planned
    ]
    if short:
        return "**Not every phase ran to its end**: " + "; ".join(short) + "."
    if op_stats.planned:
        return "Every phase ran to its end (fuzzing up to its maximum of examples)."
    return "No schemathesis phase was collected."


def _reproduce_intro(settings: RunSettings, outcome: RunOutcome) -> list[str]:
    if outcome.reproduce:
        return [
            f"Rerun the whole case set with `{outcome.reproduce}`. Each finding shows the "
            "smallest request it was seen on."
        ]
    lines = [
        f"Rerun the whole case set with `{reproduce_command(settings)}`, "
        f"{environment_note(settings)}. Each finding shows the smallest request it was seen on, "
        "as a curl command"
        + (
            " that works as printed."
            if settings.public_credentials
            else f' that reads the credentials from "${ENV_CLIENT_ID}" and "${ENV_SECRET}": '
            "export them as for this run first."
        )
    ]
    if settings.target.kind is TargetKind.OFFLINE:
        port = settings.target.base_url.rsplit(":", 1)[-1]
        where = (
            "inside the test process; its curls name port 8100"
            if settings.mode is RunMode.IN_PROCESS
            else f"on port {port} for this run only"
        )
        fixtures = _fixture_assignments(settings)
        command = f"{fixtures + ' ' if fixtures else ''}{NOX} -s sandbox -- --port {port}"
        credentials = (
            "it accepts the default credentials the curls carry"
            if settings.public_credentials
            else f"in a shell with {ENV_CLIENT_ID} and {ENV_SECRET} exported as for this run"
        )
        lines.append(
            f"The offline sandbox ran {where}: to replay a curl, start one there with "
            f"`{command}` ({credentials})."
        )
    return lines


def _finding_block(
    number: int, finding: Finding, occurrences: int, phases: set[str], seed: int
) -> list[str]:
    lines = [
        "",
        f"### {number}. `{finding.check}` [{finding.strength}]: {finding.title}",
        "",
        f"Operation `{finding.operation}`, test `{finding.test}`, phase "
        f"{', '.join(sorted(phases))}, status {finding.status}, seed `{seed}`, seen "
        f"{occurrences} time(s)"
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


def _failure_sections(settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> list[str]:
    if not stats.failures and not stats.test_errors:
        return ["", "## Failures", "", "None."]
    lines = ["", "## Failures", "", *_reproduce_intro(settings, outcome)]
    if outcome.verdict == "inconclusive":
        lines += [
            "",
            "The run is inconclusive: these were seen on the target's trouble (5xx, no answer) "
            "and do not fail it. A failure on any other answer would have.",
        ]
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


def _observation_sections(settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> list[str]:
    lines = [
        "",
        "## Observations",
        "",
        "Where the target did not follow one of the offline sandbox's assumptions (ASSUMED "
        f"rules, `{ASSUMPTIONS_FILE}`): never a failure against "
        "Plaid, but a lesson: the target's answer may be Plaid's truth. `summary.json` carries "
        f"them for `{NOX} -s parity`.",
    ]
    if settings.enforce_assumptions:
        return [*lines, "", "None: ASSUMED rules are enforced in this run (see Failures)."]
    if not stats.observations:
        return [*lines, "", "None."]
    lines += [
        "",
        "| # | Assumption | Operation | Check | Target answered | The assumption says | Seen |",
        "|---:|---|---|---|---|---|---:|",
    ]
    for number, (key, finding) in enumerate(stats.observations.items.items(), start=1):
        lines.append(
            f"| {number} | {finding.tag or 'untagged'} | `{finding.operation}` | "
            f"`{finding.check}` | {_cell(finding.answered)} | {_cell(finding.expected)} | "
            f"{stats.observations.occurrences[key]} |"
        )
    lines += ["", *_reproduce_intro(settings, outcome), *_blocks(stats.observations, settings.seed)]
    return lines


def comparison(stats: RunStats, outcome: RunOutcome) -> Comparison | None:
    if outcome.previous is None:
        return None
    return compare(outcome.previous, stats.failures.to_json(), stats.operations)


def _since_previous(stats: RunStats, outcome: RunOutcome) -> list[str]:
    """What summary.md opens with: the failures new since the previous run, still failing,
    fixed (by fingerprint: operation, check, rule, answer class)."""
    previous, changes = outcome.previous, comparison(stats, outcome)
    lines = ["## Since the previous run", ""]
    if previous is None or changes is None:
        return [
            *lines,
            "No previous run to compare with (`--previous PATH`: a previous run's summary.json).",
            "",
        ]
    lines += [
        f"Compared with `{previous.path}` ({previous.verdict}"
        + (f", started {previous.started_at}" if previous.started_at else "")
        + f"): {len(changes.new)} new, {len(changes.still_failing)} still failing, "
        f"{len(changes.fixed)} fixed.",
        "",
    ]
    for heading, items in (
        ("New since the previous run", changes.new),
        ("Still failing", changes.still_failing),
        ("Fixed", changes.fixed),
    ):
        lines += [f"**{heading}**: " + ("none." if not items else ""), ""]
        lines += [f"- {_cell(title)} (`{key}`)" for key, title in items]
        if items:
            lines.append("")
    return lines


def _instability_section(stats: RunStats) -> list[str]:
    """Target trouble that a re-send did not see again: listed, never a failure."""
    instability = stats.instability
    lines = [
        "",
        "## Target instability",
        "",
        "An answer that may be the target's own trouble (a 5xx, an `API_ERROR`, a 429 once "
        "backed off, a reset connection, a timeout) is re-sent identically, up to "
        "twice, with back-off. When a re-send got another answer, that answer was judged and "
        "the trouble is listed here, never as a failure; when every attempt got it, it was "
        f"judged like any answer. {instability.resent} of {instability.requests} requests "
        f"needed a re-send: {instability.transient_requests} got another answer, "
        f"{instability.unanswered} got no answer at all.",
    ]
    reason = instability.inconclusive_reason()
    if reason:
        lines += ["", f"**Inconclusive**: {reason}."]
    if not instability.transient:
        return [*lines, "", "None."]
    by_answer: dict[tuple[int | None, str], list[str]] = {}
    for attempt in instability.transient:
        key = (attempt.status, attempt.error_code)
        by_answer.setdefault(key, []).append(attempt.request_id or f"#{attempt.interaction}")
    lines += [
        "",
        "| Status | error_code | Count | Request ids (or cassette interactions) |",
        "|---|---|---:|---|",
    ]
    for (status, code), ids in by_answer.items():
        shown = ", ".join(f"`{item}`" for item in ids[:20]) + (" ..." if len(ids) > 20 else "")
        lines.append(
            f"| {'no answer' if status is None else status} | {code or '-'} | {len(ids)} "
            f"| {shown} |"
        )
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
        "reproduce": outcome.reproduce or reproduce_command(settings),
        "fixtures": dict(settings.fixtures),
        "duration_seconds": round(outcome.duration_seconds, 2),
        "test_seconds": round(outcome.test_seconds, 3),
        "total_cases": total_cases(stats),
        "cases_per_second": round(cases_per_second(stats, outcome), 1),
        "requests_recorded": outcome.requests_recorded,
        "started_at": outcome.started_at,
        "assumptions": "enforced" if settings.enforce_assumptions else "observed",
        "since_previous": _since_previous_json(stats, outcome),
        # What `merge` needs to render shards as one run (reports/merging.py).
        "settings": {
            "rate": str(settings.rate) if settings.rate else None,
            "token_lifetime_seconds": settings.token_lifetime_seconds,
            "clock_skew_seconds": settings.clock_skew_seconds,
            "request_timeout_seconds": settings.request_timeout_seconds,
            "fuzzing_examples": settings.fuzzing_examples,
            "public_credentials": settings.public_credentials,
            "sandbox_access_log": settings.sandbox_access_log,
            "silence_limit_seconds": settings.silence_limit_seconds,
            "operations": list(settings.operations),
        },
        "outcome": {
            "pytest_exit_code": outcome.pytest_exit_code,
            "detail": outcome.detail,
            "reproduce": outcome.reproduce,
        },
        **stats.to_json(),
    }


def _since_previous_json(stats: RunStats, outcome: RunOutcome) -> dict[str, Any] | None:
    changes = comparison(stats, outcome)
    if outcome.previous is None or changes is None:
        return None
    return {"path": outcome.previous.path, **changes.to_json()}


def write(directory: Path, settings: RunSettings, stats: RunStats, outcome: RunOutcome) -> Path:
    path = directory / SUMMARY_MD
    path.write_text(render_markdown(settings, stats, outcome, directory), encoding="utf-8")
    (directory / SUMMARY_JSON).write_text(
        json.dumps(summary_json(settings, stats, outcome), indent=2) + "\n", encoding="utf-8"
    )
    return path
