"""Fault injection: scripted failures so clients can test retries and error handling.

A script is comma-separated steps, e.g. ``internal_error,rate_limit:2,ok``. It comes per request
in the ``Plaid-Sandbox-Fault`` header (real Plaid ignores unknown headers) or server-wide from
``--fault`` / ``PLAID_SANDBOX_FAULT``; the header wins when both are present.

Step *n* of a header script applies to the *n*-th request carrying the same
``Plaid-Sandbox-Fault-Id``; without an id every request gets the first step. A server-wide script
advances on a counter global to the process (each uvicorn worker counts on its own). Once the
script is exhausted its last step repeats. The counters are the sandbox's only state; they live in
a bounded LRU keyed on a fixed-size hash of the id, so no client text is kept.
"""

from __future__ import annotations

import contextlib
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

# The request headers that carry a script and the id that counts its steps.
HEADER: Final = "Plaid-Sandbox-Fault"
ID_HEADER: Final = "Plaid-Sandbox-Fault-Id"

STEP_KINDS: Final = frozenset(
    {
        "ok",
        "rate_limit",
        "internal_error",
        "maintenance",
        "slow",
        "html_502",
        "status_520",
        "drop",
        "new_error_type",
    }
)
MAX_SLOW_SECONDS: Final = 60.0
MAX_SCRIPT_STEPS: Final = 100
MAX_FAULT_ID_LENGTH: Final = 256
MAX_TRACKED_IDS: Final = 10_000
_MAX_FLOAT_DIGITS: Final = 309


class FaultScriptError(ValueError):
    """A fault script or fault id that cannot be used; the message is safe to return."""


@dataclass(frozen=True)
class FaultStep:
    kind: str
    # Seconds for `slow`, Retry-After seconds for `rate_limit` (None: no header).
    argument: float | None = None


OK = FaultStep("ok")


def _parse_step(text: str) -> FaultStep:
    kind, sep, raw_arg = text.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in STEP_KINDS:
        raise FaultScriptError(f"unknown step {kind[:40]!r}")
    if kind == "slow":
        try:
            seconds = float(raw_arg)
        except ValueError:
            raise FaultScriptError("slow needs a number of seconds, e.g. slow:0.5") from None
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SLOW_SECONDS:
            raise FaultScriptError(f"slow seconds must be between 0 and {MAX_SLOW_SECONDS:g}")
        return FaultStep(kind, seconds)
    if kind == "rate_limit" and sep:
        digits = raw_arg.strip()
        # isascii: str.isdigit also accepts digits int() refuses (latin-1 superscripts); past
        # 309 digits float() overflows (and int() refuses 4300).
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_FLOAT_DIGITS:
            with contextlib.suppress(OverflowError):
                return FaultStep(kind, float(int(digits)))
        raise FaultScriptError("rate_limit takes whole seconds, e.g. rate_limit:2")
    if sep:
        raise FaultScriptError(f"step {kind!r} takes no argument")
    return FaultStep(kind)


def parse_script(text: str) -> tuple[FaultStep, ...]:
    """Parse ``step[,step...]``; raises ``FaultScriptError``.

    Not cached: a cache keyed on header text kept up to 512 client headers of any size (the
    request head is bounded, but a short script parses in microseconds anyway).
    """
    parts = text.split(",")
    if len(parts) > MAX_SCRIPT_STEPS:
        raise FaultScriptError(f"at most {MAX_SCRIPT_STEPS} steps")
    if not text.strip():
        raise FaultScriptError("empty script")
    return tuple(_parse_step(part) for part in parts)


class FaultInjector:
    """Chooses the fault step for each request."""

    def __init__(self, server_script: str | None = None) -> None:
        self._server_steps = parse_script(server_script) if server_script else None
        self._server_count = 0
        self._counts: OrderedDict[int, int] = OrderedDict()

    def step_for(self, header_script: str | None, fault_id: str | None) -> FaultStep:
        """The step for this request; raises ``FaultScriptError`` for a bad header."""
        if header_script is not None:
            steps = parse_script(header_script)
            if fault_id is None:
                return steps[0]
            if len(fault_id) > MAX_FAULT_ID_LENGTH:
                raise FaultScriptError(
                    f"Plaid-Sandbox-Fault-Id must be at most {MAX_FAULT_ID_LENGTH} characters"
                )
            return steps[min(self._advance(fault_id), len(steps) - 1)]
        if self._server_steps is not None:
            last = len(self._server_steps) - 1
            index = min(self._server_count, last)
            # Capped: once the last step repeats, the exact count no longer matters.
            self._server_count = index + 1
            return self._server_steps[index]
        return OK

    @property
    def server_requests(self) -> int:
        """Requests the server-wide script answered, counted up to its last step."""
        return self._server_count

    def _advance(self, fault_id: str) -> int:
        """Return how many earlier requests carried this id, and count this one.

        Keyed on the id's 64-bit hash (seeded per process): a few dozen bytes per id whatever
        its length. Two of 10,000 live ids share a counter with odds of about 1 in 10^11.
        """
        key = hash(fault_id)
        seen = self._counts.pop(key, 0)
        self._counts[key] = seen + 1
        if len(self._counts) > MAX_TRACKED_IDS:
            self._counts.popitem(last=False)
        return seen
