"""What the run did and found: cases per phase, check outcomes, failures, test outcomes.

Filled by the suite while it runs (in the runner's process) and read by report.py; only masked
text is ever stored here.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

# Phases in the order schemathesis runs them, then ours.
SCHEMATHESIS_PHASES = ("examples", "coverage", "fuzzing", "stateful")
CLIENT_PHASE = "client"
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


@dataclass(frozen=True)
class FailureRecord:
    test: str
    check: str
    title: str
    message: str
    phase: str
    status: int | None
    curl: str
    interaction: int | None  # cassette id of the exchange
    response_excerpt: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.test, self.check, self.title)


@dataclass
class RunStats:
    cases: Counter[str] = field(default_factory=Counter)
    checks: dict[str, CheckTally] = field(default_factory=dict)
    # One record per (test, check, title): hypothesis replays a failure while shrinking, and the
    # last replay is the minimal example, so a later record replaces an earlier one.
    failures: dict[tuple[str, str, str], FailureRecord] = field(default_factory=dict)
    failure_occurrences: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    test_outcomes: dict[str, str] = field(default_factory=dict)
    test_errors: dict[str, str] = field(default_factory=dict)  # failures outside any check
    retried_429: int = 0
    interrupted: bool = False  # Ctrl-C, as opposed to pytest's other reasons to stop
    notes: list[str] = field(default_factory=list)
    # Successes per environment their link token named (sandbox/production): which one an
    # unverified host (TargetKind.UNVERIFIED) reached.
    link_token_environments: Counter[str] = field(default_factory=Counter)
    moments: dict[str, float] = field(default_factory=dict)  # PYTEST_MOMENTS, monotonic clock
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count_case(self, phase: str) -> None:
        with self._lock:
            self.cases[phase] += 1

    def count_link_token(self, environment: str) -> None:
        with self._lock:
            self.link_token_environments[environment] += 1

    def mark(self, moment: str) -> None:
        self.moments[moment] = time.monotonic()

    def span_seconds(self) -> dict[str, float]:
        """Seconds per part of the test phase (only the parts whose two ends were marked)."""
        spans: dict[str, float] = {}
        for start, end in pairwise(PYTEST_MOMENTS):
            if start in self.moments and end in self.moments:
                spans[PYTEST_SPANS[end]] = round(self.moments[end] - self.moments[start], 3)
        return spans

    def check_result(self, name: str, *, passed: bool) -> None:
        with self._lock:
            tally = self.checks.setdefault(name, CheckTally())
            if passed:
                tally.passed += 1
            else:
                tally.failed += 1

    def add_failure(self, record: FailureRecord) -> None:
        with self._lock:
            self.failures[record.key] = record
            self.failure_occurrences[record.key] += 1

    @property
    def failed_tests(self) -> list[str]:
        return sorted(name for name, outcome in self.test_outcomes.items() if outcome == "failed")

    @property
    def has_contract_failure(self) -> bool:
        return bool(self.failures) or bool(self.failed_tests)

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": dict(self.cases),
            "checks": {name: vars(tally) for name, tally in sorted(self.checks.items())},
            "failures": [
                {**vars(record), "occurrences": self.failure_occurrences[key]}
                for key, record in self.failures.items()
            ],
            "tests": dict(sorted(self.test_outcomes.items())),
            "test_errors": self.test_errors,
            "retried_429": self.retried_429,
            "link_token_environments": dict(sorted(self.link_token_environments.items())),
            "test_phase_seconds": self.span_seconds(),
            "notes": self.notes,
        }
