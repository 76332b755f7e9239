"""The live state of the run in progress, which the suite reads while it runs.

The runner runs pytest in its own process and hands the suite a RunContext through
``set_current``; the suite's conftest, checks and tests read it with ``current``. Credentials
therefore never travel through a file or a command line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from plaid_contracts.infra.paths import NOX
from plaid_contracts.infra.settings import RunSettings
from plaid_contracts.infra.throttle import Throttle
from plaid_contracts.recording.progress import Progress
from plaid_contracts.recording.recorder import Recorder
from plaid_contracts.recording.stats import RunStats
from plaid_contracts.runtime.transport import ContractSession, ContractTransport


@dataclass
class RunContext:
    settings: RunSettings
    recorder: Recorder
    stats: RunStats
    throttle: Throttle
    session: ContractSession  # schemathesis cases
    probe_session: ContractSession  # extra requests our checks send
    client_transport: ContractTransport  # the generated client
    progress: Progress
    # plaid_auth_enforced probes each operation once: its label, added at its first success.
    auth_probed: set[str] = field(default_factory=set)
    # Guards what the run shares between threads: the probe flag and the request ids.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # request_id -> cassette interaction that carried it first (plaid_request_id_unique).
    request_ids: dict[str, int] = field(default_factory=dict, repr=False)

    def count_case(self, operation: str, phase: str, test: str) -> None:
        """One more case of ``test`` (the console hears about it every --progress-every s)."""
        self.stop_if_interrupted()
        self.stats.count_case(operation, phase, test)
        self.progress.tick()

    def stop_if_interrupted(self) -> None:
        """Deliver a Ctrl-C/SIGTERM whose own KeyboardInterrupt got lost (commands/run.py)."""
        if self.stats.interrupted:
            raise KeyboardInterrupt

    def note_request_id(self, request_id: str, interaction: int) -> int | None:
        """Remember who got ``request_id``; the earlier interaction if another one already did."""
        with self.lock:
            first = self.request_ids.setdefault(request_id, interaction)
        return None if first == interaction else first


_current: RunContext | None = None


def set_current(context: RunContext | None) -> None:
    global _current
    _current = context


def current() -> RunContext:
    if _current is None:
        raise RuntimeError(
            "the contract suite runs through its runner: python -m plaid_contracts run "
            f"({NOX} -s contracts); it cannot be collected by a plain pytest"
        )
    return _current
