"""Request pacing and 429 back-off, shared by every request of a run.

One Throttle serves both the schemathesis calls and the generated-client calls, so the configured
rate is what the target sees in total (schemathesis' own ``rate-limit`` setting would only pace
its own requests).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Final

_UNITS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0}
_RATE_PATTERN: Final = re.compile(r"^\s*(\d+)\s*/\s*([smh])\s*$")


@dataclass(frozen=True)
class Rate:
    requests: int
    per_seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``5/s``, ``300/m`` or ``1000/h``; raises ValueError."""
        match = _RATE_PATTERN.match(text)
        if not match or int(match.group(1)) <= 0:
            raise ValueError(f"rate must look like 5/s, 300/m or 1000/h, got {text!r}")
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    @property
    def interval(self) -> float:
        return self.per_seconds / self.requests

    def __str__(self) -> str:
        unit = {1.0: "s", 60.0: "m", 3600.0: "h"}[self.per_seconds]
        return f"{self.requests}/{unit}"


class Throttle:
    """Spaces requests at least ``rate.interval`` apart (no bursts: gentle on a shared Sandbox)."""

    def __init__(
        self,
        rate: Rate | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def wait(self) -> None:
        if self.rate is None:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.rate.interval
        if slot > now:
            self._sleep(slot - now)


@dataclass(frozen=True)
class BackoffPolicy:
    """How a 429 is retried, and how an answer that may be the target's own trouble is re-sent:
    Retry-After when given, else exponential, both capped."""

    max_retries: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 30.0
    max_resends: int = 2
    resend_base_seconds: float = 1.0

    def resend_delay(self, resend: int, retry_after: str | None) -> float:
        """Seconds to wait before re-send number ``resend`` (0-based)."""
        return self._capped(resend, retry_after, self.resend_base_seconds)

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        return self._capped(attempt, retry_after, self.base_seconds)

    def _capped(self, attempt: int, retry_after: str | None, base: float) -> float:
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.cap_seconds)
        return min(base * 2.0**attempt, self.cap_seconds)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
