"""What the run did and found: per operation its cases per phase and check outcomes; the run's
failures, observations and test outcomes.

Filled by the suite while it runs (in the runner's process) and read by summary.py; only masked
text is ever stored here.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from plaid_contracts.infra.instability import Instability, is_trouble_status
from plaid_contracts.recording.history import fingerprint

# Phases in the order schemathesis runs them, then ours.
SCHEMATHESIS_PHASES = ("examples", "coverage", "fuzzing", "stateful")
CLIENT_PHASE = "client"
# The schemathesis test; pytest names its item for an operation f"{SCHEMATHESIS_TEST}[{label}]".
SCHEMATHESIS_TEST = "test_schemathesis_contract"
# Moments of the test phase, in order; the runner marks the ends, the suite's conftest the rest.
PYTEST_MOMENTS = ("pytest_started", "session_started", "collected", "tests_done", "pytest_done")
# What the time between two consecutive moments is spent on.
PYTEST_SPANS = {
    "session_started": "pytest_startup",  # pytest itself and the suite's plugins
    "collected": "collection",  # suite modules, spec loading, schemathesis' coverage cases
    "tests_done": "tests",
    "pytest_done": "pytest_teardown",  # reports, junit.xml
}


@dataclass
class CheckTally:
    passed: int = 0
    failed: int = 0
    observed: int = 0  # diverged from an ASSUMED rule: an observation, not a failure

    @property
    def applied(self) -> int:
        return self.passed + self.failed + self.observed

    def add(self, other: CheckTally) -> None:
        self.passed += other.passed
        self.failed += other.failed
        self.observed += other.observed


FindingKey = tuple[str, str, str, str, str]  # operation, test, check, rule, cause


@dataclass
class OperationStats:
    """What one operation's cases and tests did."""

    cases: Counter[str] = field(default_factory=Counter)  # phase -> cases run
    # Cases each schemathesis phase was planned to run (fuzzing: its maximum), set at collection.
    planned: Counter[str] = field(default_factory=Counter)
    answers: int = 0  # answers to schemathesis cases that went through the checks
    checks: dict[str, CheckTally] = field(default_factory=dict)
    test_cases: Counter[str] = field(default_factory=Counter)  # test name -> cases
    tallies: Counter[str] = field(default_factory=Counter)  # what its success check counts
    # Valid requests carrying each field, by the class of its value ((field, values, strength)),
    # and how many of them the target accepted.
    field_values: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    field_values_accepted: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": dict(self.cases),
            "planned": dict(self.planned),
            "answers_checked": self.answers,
            "checks": {name: vars(tally) for name, tally in sorted(self.checks.items())},
            "test_cases": dict(sorted(self.test_cases.items())),
            "tallies": dict(sorted(self.tallies.items())),
            "fields": [
                {
                    "field": name,
                    "values": values,
                    "strength": strength,
                    "sent": sent,
                    "accepted": self.field_values_accepted[(name, values, strength)],
                }
                for (name, values, strength), sent in sorted(self.field_values.items())
            ],
        }


@dataclass(frozen=True)
class Finding:
    """A failure or an observation: what a check found, where, and how to reproduce it."""

    operation: str  # its label: "POST /session/token/create"
    test: str
    check: str
    title: str
    message: str
    phase: str
    status: int | None
    curl: str
    interaction: int | None  # cassette id of the exchange
    response_excerpt: str = ""
    strength: str = "DOC"  # the rule's label: DOC, SEEN, "ASSUMED A20"
    rule: str = ""  # the rule's name, or the schemathesis failure type
    cause: str = ""  # with check and rule, what makes two findings the same one
    tag: str = ""  # the sandbox assumption (observations)
    answered: str = ""
    expected: str = ""
    adopt: str = ""

    @property
    def key(self) -> FindingKey:
        return (self.operation, self.test, self.check, self.rule, self.cause)


@dataclass
class Findings:
    """Distinct findings, each with the smallest reproduction seen and how often it was seen.

    ``per_test``: failures are told apart by the test that found them too (each test fails on
    its own); an observation is about the target, whichever test saw it.
    """

    per_test: bool = True
    items: dict[FindingKey, Finding] = field(default_factory=dict)
    occurrences: Counter[FindingKey] = field(default_factory=Counter)
    phases: dict[FindingKey, set[str]] = field(default_factory=dict)

    def key(self, finding: Finding) -> FindingKey:
        if self.per_test:
            return finding.key
        return (finding.operation, "", finding.check, finding.rule, finding.cause)

    def add(self, finding: Finding) -> None:
        key = self.key(finding)
        kept = self.items.get(key)
        # The smallest request that shows it is the best reproduction (no replays needed: every
        # case of every phase runs, so the smallest one is among them).
        if kept is None or len(finding.curl) < len(kept.curl):
            self.items[key] = finding
        self.occurrences[key] += 1
        self.phases.setdefault(key, set()).add(finding.phase)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def values(self) -> list[Finding]:
        return list(self.items.values())

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {
                **vars(finding),
                "fingerprint": fingerprint(vars(finding)),
                "occurrences": self.occurrences[key],
                "phases": sorted(self.phases[key]),
            }
            for key, finding in self.items.items()
        ]


@dataclass
class RunStats:
    operations: dict[str, OperationStats] = field(default_factory=dict)  # by label
    failures: Findings = field(default_factory=Findings)
    observations: Findings = field(default_factory=lambda: Findings(per_test=False))
    # Every failure as it was found (keys, repeats included): which test found which.
    failure_log: list[FindingKey] = field(default_factory=list)
    test_outcomes: dict[str, str] = field(default_factory=dict)  # by pytest node id
    test_operations: dict[str, str] = field(default_factory=dict)  # node id -> operation label
    test_errors: dict[str, str] = field(default_factory=dict)  # failures outside any check
    retried_429: int = 0
    # Re-sends of possible target trouble, what they showed, whether the run can be judged.
    instability: Instability = field(default_factory=Instability)
    interrupted: bool = False  # Ctrl-C or SIGTERM, as opposed to pytest's other reasons to stop
    notes: list[str] = field(default_factory=list)
    moments: dict[str, float] = field(default_factory=dict)  # PYTEST_MOMENTS, monotonic clock
    # Seconds per part of the test phase of merged shards (which have no moments of their own).
    shard_spans: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def operation(self, label: str) -> OperationStats:
        with self._lock:
            return self.operations.setdefault(label, OperationStats())

    def count_case(self, operation: str, phase: str, test: str) -> None:
        stats = self.operation(operation)
        with self._lock:
            stats.cases[phase] += 1
            stats.test_cases[test] += 1

    def count_answer(self, operation: str) -> None:
        stats = self.operation(operation)
        with self._lock:
            stats.answers += 1

    def tally(self, operation: str, key: str) -> None:
        stats = self.operation(operation)
        with self._lock:
            stats.tallies[key] += 1

    def field_value(self, operation: str, key: tuple[str, str, str], accepted: bool) -> None:
        """A valid request carried a field with a value of this class (field, values, strength)."""
        stats = self.operation(operation)
        with self._lock:
            stats.field_values[key] += 1
            stats.field_values_accepted[key] += accepted

    def check_result(self, operation: str, check: str, outcome: str) -> None:
        """``outcome``: "passed", "failed" or "observed"."""
        stats = self.operation(operation)
        with self._lock:
            tally = stats.checks.setdefault(check, CheckTally())
            setattr(tally, outcome, getattr(tally, outcome) + 1)

    def mark(self, moment: str) -> None:
        self.moments[moment] = time.monotonic()

    def span_seconds(self) -> dict[str, float]:
        """Seconds per part of the test phase (only the parts whose two ends were marked)."""
        spans: dict[str, float] = {
            name: round(value, 3) for name, value in self.shard_spans.items()
        }
        for start, end in pairwise(PYTEST_MOMENTS):
            if start in self.moments and end in self.moments:
                spans[PYTEST_SPANS[end]] = round(self.moments[end] - self.moments[start], 3)
        return spans

    def add_failure(self, finding: Finding) -> None:
        with self._lock:
            self.failures.add(finding)
            self.failure_log.append(finding.key)

    def add_observation(self, finding: Finding) -> None:
        with self._lock:
            self.observations.add(finding)

    def failures_since(self, position: int) -> list[Finding]:
        """The distinct failures found after ``len(failure_log)`` was ``position``."""
        with self._lock:
            keys = dict.fromkeys(self.failure_log[position:])
            return [self.failures.items[key] for key in keys]

    @property
    def cases(self) -> Counter[str]:
        """Cases per phase, every operation together."""
        return sum((stats.cases for stats in self.operations.values()), Counter())

    @property
    def planned(self) -> Counter[str]:
        return sum((stats.planned for stats in self.operations.values()), Counter())

    @property
    def checks(self) -> dict[str, CheckTally]:
        """Each check's outcomes, every operation together."""
        merged: dict[str, CheckTally] = {}
        for stats in self.operations.values():
            for name, tally in stats.checks.items():
                merged.setdefault(name, CheckTally()).add(tally)
        return merged

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())

    @property
    def failed_tests(self) -> list[str]:
        return sorted(name for name, outcome in self.test_outcomes.items() if outcome == "failed")

    @property
    def has_contract_failure(self) -> bool:
        return bool(self.failures) or bool(self.failed_tests)

    @property
    def fails_on_judged_answers(self) -> bool:
        """A failure on an answer that is no target trouble (a 400 to a valid request, a wrong
        body): the contract broke, however unstable the rest of the run was."""
        return any(not is_trouble_status(f.status) for f in self.failures.values())

    def to_json(self) -> dict[str, Any]:
        return {
            # Every operation together (what the mutation harness and the bench read) ...
            "cases": dict(self.cases),
            "planned": dict(self.planned),
            "checks": {name: vars(tally) for name, tally in sorted(self.checks.items())},
            # ... and each on its own.
            "operations": {label: stats.to_json() for label, stats in self.operations.items()},
            "failures": self.failures.to_json(),
            "observations": self.observations.to_json(),
            "tests": dict(sorted(self.test_outcomes.items())),
            "test_operations": dict(sorted(self.test_operations.items())),
            "test_errors": self.test_errors,
            "retried_429": self.retried_429,
            "instability": self.instability.to_json(),
            "test_phase_seconds": self.span_seconds(),
            "notes": self.notes,
        }
