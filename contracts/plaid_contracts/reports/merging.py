"""Shards of one run (``run --operation NAME``) as one summary: ``python -m plaid_contracts merge
A/summary.json B/summary.json ... --output DIR``.

Each shard's summary.json is read back into the objects a run reports from (settings, stats,
outcome), the shards are added up (cases, checks, occurrences, instability; the same fingerprints
are the same finding) and the result is written by the very code that writes a run's summary, so a
merged summary reads as one run's. The verdict is the worst shard's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, Final

from plaid_contracts import operations
from plaid_contracts.infra.credentials import OFFLINE_DEFAULTS, Credentials
from plaid_contracts.infra.instability import Attempt, Instability
from plaid_contracts.infra.settings import PROFILES, RunSettings
from plaid_contracts.infra.targets import Target, TargetKind
from plaid_contracts.infra.throttle import Rate
from plaid_contracts.recording.history import Previous
from plaid_contracts.recording.stats import CheckTally, Finding, Findings, OperationStats, RunStats
from plaid_contracts.reports.summary import RunOutcome

# Better to worse: the merged verdict is the worst of its shards'.
VERDICT_ORDER: Final = ("passed", "inconclusive", "failed", "error", "refused", "interrupted")
# What must be the same in every shard of one run.
SAME_RUN_KEYS: Final = ("target", "profile", "seed", "fixtures", "assumptions", "mode")
_FINDING_FIELDS: Final = frozenset(field.name for field in fields(Finding))


class MergeError(ValueError):
    """The summaries are not shards of one run; the message is one line."""


def worst(verdicts: Sequence[str]) -> str:
    return max(verdicts, key=lambda v: VERDICT_ORDER.index(v) if v in VERDICT_ORDER else 0)


def merge(
    documents: Sequence[tuple[str, Mapping[str, Any]]], previous: Previous | None = None
) -> tuple[RunSettings, RunStats, RunOutcome]:
    """``documents``: (where it was read, summary.json) of each shard."""
    (first_path, first), *rest = documents
    for path, document in rest:
        for key in SAME_RUN_KEYS:
            if document.get(key) != first.get(key):
                raise MergeError(
                    f"{path} is not a shard of the run of {first_path}: its {key} is "
                    f"{document.get(key)!r}, not {first.get(key)!r}"
                )
    stats = RunStats()
    for _, document in documents:
        add(stats, stats_of(document))
    outcomes = [document.get("outcome") or {} for _, document in documents]
    details = dict.fromkeys(str(o.get("detail")) for o in outcomes if o.get("detail"))
    outcome = RunOutcome(
        verdict=worst([str(document["verdict"]) for _, document in documents]),
        pytest_exit_code=max(int(o.get("pytest_exit_code", 0)) for o in outcomes),
        # Shards run side by side: the run took as long as its longest shard.
        duration_seconds=max(float(d["duration_seconds"]) for _, d in documents),
        test_seconds=sum(float(d["test_seconds"]) for _, d in documents),
        started_at=min(str(d.get("started_at", "")) for _, d in documents),
        requests_recorded=sum(int(d["requests_recorded"]) for _, d in documents),
        detail="; ".join(details),
        reproduce=_same([o.get("reproduce") for o in outcomes]),
        previous=previous,
    )
    return settings_of(first, documents), stats, outcome


def _same(values: Sequence[Any]) -> Any:
    return values[0] if len(set(map(str, values))) == 1 else None


def settings_of(
    document: Mapping[str, Any], documents: Sequence[tuple[str, Mapping[str, Any]]]
) -> RunSettings:
    """The settings a shard ran with, checking the operations of every shard together."""
    options = document["settings"]
    chosen: set[str] = set()
    for _, shard in documents:
        chosen |= set(shard["settings"]["operations"]) or {
            op.label for op in operations.registered()
        }
    every = {op.label for op in operations.registered()}
    target = document["target"]
    kind = TargetKind(target["kind"])
    public = bool(options["public_credentials"])
    return RunSettings(
        target=Target(target["base_url"], kind),
        # Never in a summary: only the public defaults are ever shown, and only when they ran.
        credentials=OFFLINE_DEFAULTS if public else Credentials("", ""),
        fixtures=dict(document["fixtures"]),
        profile=PROFILES[document["profile"]],
        seed=int(document["seed"]),
        rate=Rate.parse(options["rate"]) if options["rate"] else None,
        token_lifetime_seconds=int(options["token_lifetime_seconds"]),
        clock_skew_seconds=int(options["clock_skew_seconds"]),
        fuzzing_examples=options["fuzzing_examples"],
        in_process=document["mode"] == "in-process",
        enforce_assumptions=document["assumptions"] == "enforced",
        request_timeout_seconds=float(options["request_timeout_seconds"]),
        public_credentials=public,
        sandbox_access_log=bool(options["sandbox_access_log"]),
        silence_limit_seconds=float(options["silence_limit_seconds"]),
        operations=()
        if chosen >= every
        else tuple(op.label for op in operations.registered() if op.label in chosen),
    )


def stats_of(document: Mapping[str, Any]) -> RunStats:
    """A shard's RunStats, read back from its summary.json."""
    stats = RunStats(
        failures=findings_of(document["failures"], per_test=True),
        observations=findings_of(document["observations"], per_test=False),
        test_outcomes=dict(document["tests"]),
        test_operations=dict(document.get("test_operations", {})),
        test_errors=dict(document["test_errors"]),
        retried_429=int(document["retried_429"]),
        instability=instability_of(document["instability"]),
        notes=list(document["notes"]),
        shard_spans=Counter(document.get("test_phase_seconds", {})),
    )
    for label, data in document["operations"].items():
        stats.operations[label] = OperationStats(
            cases=Counter(data["cases"]),
            planned=Counter(data["planned"]),
            answers=int(data["answers_checked"]),
            checks={name: CheckTally(**tally) for name, tally in data["checks"].items()},
            test_cases=Counter(data["test_cases"]),
            tallies=Counter(data["tallies"]),
            field_values=Counter({_field_key(item): item["sent"] for item in data["fields"]}),
            field_values_accepted=Counter(
                {_field_key(item): item["accepted"] for item in data["fields"]}
            ),
        )
    return stats


def _field_key(item: Mapping[str, Any]) -> tuple[str, str, str]:
    return item["field"], item["values"], item["strength"]


def findings_of(items: Sequence[Mapping[str, Any]], *, per_test: bool) -> Findings:
    findings = Findings(per_test=per_test)
    for item in items:
        finding = Finding(**{key: value for key, value in item.items() if key in _FINDING_FIELDS})
        key = findings.key(finding)
        findings.items[key] = finding
        findings.occurrences[key] = int(item["occurrences"])
        findings.phases[key] = set(item["phases"])
    return findings


def instability_of(data: Mapping[str, Any]) -> Instability:
    return Instability(
        requests=int(data["requests"]),
        resent=int(data["resent"]),
        unanswered=int(data["unanswered"]),
        transient=[
            Attempt(
                item["answer"],
                item["status"],
                item["error_code"],
                item["request_id"],
                item["interaction"],
                item["source"],
            )
            for item in data["transient"]
        ],
        transient_requests=int(data["transient_requests"]),
        stopped=str(data.get("stopped") or ""),
    )


def add(total: RunStats, shard: RunStats) -> None:
    """Add a shard's stats to ``total``: counts summed, the same finding counted once."""
    for label, data in shard.operations.items():
        into = total.operations.setdefault(label, OperationStats())
        into.cases.update(data.cases)
        into.planned.update(data.planned)
        into.answers += data.answers
        for name, tally in data.checks.items():
            into.checks.setdefault(name, CheckTally()).add(tally)
        into.test_cases.update(data.test_cases)
        into.tallies.update(data.tallies)
        into.field_values.update(data.field_values)
        into.field_values_accepted.update(data.field_values_accepted)
    for findings, more in (
        (total.failures, shard.failures),
        (total.observations, shard.observations),
    ):
        for key, finding in more.items.items():
            kept = findings.items.get(key)
            if kept is None or len(finding.curl) < len(kept.curl):
                findings.items[key] = finding
            findings.occurrences[key] += more.occurrences[key]
            findings.phases.setdefault(key, set()).update(more.phases[key])
    total.test_outcomes.update(shard.test_outcomes)
    total.test_operations.update(shard.test_operations)
    total.test_errors.update(shard.test_errors)
    total.retried_429 += shard.retried_429
    total.notes += shard.notes
    total.shard_spans.update(shard.shard_spans)
    instability, other = total.instability, shard.instability
    instability.requests += other.requests
    instability.resent += other.resent
    instability.unanswered += other.unanswered
    instability.transient += other.transient
    instability.transient_requests += other.transient_requests
    instability.stopped = instability.stopped or other.stopped


def read(paths: Sequence[Path]) -> list[tuple[str, dict[str, Any]]]:
    """Each summary.json; MergeError (one line) for one that is not a run's."""
    documents = []
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise MergeError(f"{path}: not a readable summary.json ({exc})") from None
        if not isinstance(document, dict) or "settings" not in document:
            raise MergeError(f"{path}: not a contract run's summary.json")
        documents.append((str(path), document))
    return documents
