"""Live progress on the console during a long run: every ``--progress-every`` seconds, each
operation's cases done per phase against what the phase plans, and the time elapsed.

Checked on every case, printed only when the interval has passed (a PR run of a few seconds
prints nothing). Inside pytest the line goes through the suite's writer, which writes past
pytest's output capture (conftest.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from plaid_contracts.recording.stats import (
    CLIENT_PHASE,
    SCHEMATHESIS_PHASES,
    SCHEMATHESIS_TEST,
    RunStats,
)


def _print(line: str) -> None:
    print(line, flush=True)


@dataclass
class Progress:
    stats: RunStats
    interval_seconds: float
    clock: Callable[[], float] = time.monotonic
    write: Callable[[str], None] = _print
    started: float = field(default=0.0)
    _next: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.started = self.started or self.clock()
        self._next = self.started + self.interval_seconds

    def tick(self) -> None:
        """A case was counted: print the line if the interval has passed."""
        now = self.clock()
        if now < self._next:
            return
        self._next = now + self.interval_seconds
        self.write(self.line(now))

    def line(self, now: float) -> str:
        elapsed = int(now - self.started)
        parts = [f"{label}: {self._phases(label)}" for label in self.stats.operations]
        return f"contracts: {elapsed // 60}:{elapsed % 60:02d} elapsed; " + "; ".join(parts)

    def _phases(self, label: str) -> str:
        stats = self.stats.operations[label]
        shown = []
        for phase in SCHEMATHESIS_PHASES:
            planned = stats.planned.get(phase)
            if planned:
                bound = f"≤{planned}" if phase == "fuzzing" else str(planned)
                shown.append(f"{phase} {stats.cases.get(phase, 0)}/{bound}")
        client_tests = [
            name
            for name, operation in self.stats.test_operations.items()
            if operation == label and not name.split("::")[-1].startswith(SCHEMATHESIS_TEST)
        ]
        done = sum(1 for name in client_tests if name in self.stats.test_outcomes)
        shown.append(
            f"{CLIENT_PHASE} {stats.cases.get(CLIENT_PHASE, 0)} cases, "
            f"{done}/{len(client_tests)} tests done"
        )
        return ", ".join(shown)
