"""Plaid-side trouble told apart from the contract's answers: what may be transient, what each
request's re-sends showed, and when a run is too unstable to judge.

Plaid documents 5xx as its own trouble and API_ERROR as what maintenance and internal errors return
(https://plaid.com/docs/errors/api/); a 429 once the back-off gave up, a reset connection and a
timeout are the same kind of news. Such an answer is re-sent identically (transport.Pacer). When a
re-send gets another answer, that answer is the one judged and the trouble is listed as *target
instability*, never as a failure; when every attempt gets it, it is judged like any answer (a 500
for every non-ASCII `client_user_id` stays a failure).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

# More than this share of the run's requests unstable (a re-send got another answer): the run
# is inconclusive. An answer every attempt got, even none, is no instability: it is judged.
UNSTABLE_SHARE: Final = 0.20
# Nothing but trouble (or nothing at all) from the target for this long: the run is inconclusive,
# and what is left of it is not sent.
DEFAULT_SILENCE_LIMIT_SECONDS: Final = 60.0
API_ERROR: Final = "API_ERROR"
NO_ANSWER: Final = "no answer"
# The cassette's note on an attempt that was re-sent (parity replays none of them: they are the
# target's trouble, not its contract).
RESENT_NOTE: Final = "possibly the target's own trouble, re-sent"


def _error_fields(content: bytes) -> tuple[str, str, str]:
    """error_type, error_code and request_id of a Plaid error body ("" where absent)."""
    try:
        body = json.loads(content)
    except ValueError:
        return "", "", ""
    if not isinstance(body, dict):
        return "", "", ""
    return (
        _text(body.get("error_type")),
        _text(body.get("error_code")),
        _text(body.get("request_id")),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def answer_class(status: int | None, content: bytes = b"") -> str:
    """What tells two answers apart for the purpose of re-sends: the status and error, never a
    request id or a value ("500 API_ERROR/INTERNAL_SERVER_ERROR", "200", "no answer": a reset
    and a timeout are the same news)."""
    if status is None:
        return NO_ANSWER
    if status < 400:
        return str(status)
    error_type, error_code, _ = _error_fields(content)
    return f"{status} {error_type}/{error_code}" if error_code else str(status)


def is_trouble(status: int | None, content: bytes = b"") -> bool:
    """Whether an answer may be the target's own trouble: worth an identical re-send."""
    if status is None or status == 429 or status >= 500:
        return True
    return status >= 400 and _error_fields(content)[0] == API_ERROR


def is_trouble_status(status: int | None) -> bool:
    """The same, from a finding's status alone (a finding keeps no error type of its own)."""
    return status is None or status == 429 or status >= 500


@dataclass(frozen=True)
class Attempt:
    """One attempt that was re-sent."""

    answer: str  # answer_class
    status: int | None
    error_code: str
    request_id: str
    interaction: int  # in the cassette
    source: str  # schemathesis, client, probe

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "interaction": self.interaction,
            "source": self.source,
            "answer": self.answer,
        }


@dataclass
class Instability:
    """Shared by every Pacer of a run: what needed re-sends and whether the run can be judged."""

    silence_limit_seconds: float = DEFAULT_SILENCE_LIMIT_SECONDS
    clock: Callable[[], float] = time.monotonic
    requests: int = 0  # requests of the run (each with its re-sends)
    resent: int = 0  # requests that needed a re-send
    unanswered: int = 0  # requests no attempt of which got an answer
    # The re-sent attempts whose answer a later attempt did not repeat: the instability.
    transient: list[Attempt] = field(default_factory=list)
    transient_requests: int = 0
    # Set once the target gave nothing but trouble for silence_limit_seconds: why the rest of the
    # run is not sent.
    stopped: str = ""
    _trouble_since: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attempted(self, trouble: bool) -> None:
        """One attempt's answer (or its absence) came back."""
        with self._lock:
            now = self.clock()
            if not trouble:
                self._trouble_since = None
            elif self._trouble_since is None:
                self._trouble_since = now
            elif not self.stopped and now - self._trouble_since >= self.silence_limit_seconds:
                self.stopped = (
                    f"the target gave nothing but trouble (5xx, API_ERROR, 429 or no answer) "
                    f"for {self.silence_limit_seconds:g} s"
                )

    def finished(self, resent: list[Attempt], final: str) -> None:
        """A request is done; ``resent``: its attempts that were re-sent, ``final``: the answer
        class of the last one, which is judged."""
        with self._lock:
            self.requests += 1
            if final == NO_ANSWER:
                self.unanswered += 1
            if not resent:
                return
            self.resent += 1
            changed = [attempt for attempt in resent if attempt.answer != final]
            if changed:
                self.transient.extend(changed)
                self.transient_requests += 1

    @property
    def unstable_share(self) -> float:
        return self.transient_requests / self.requests if self.requests else 0.0

    def inconclusive_reason(self) -> str:
        """Why the run cannot be judged, or "" when it can."""
        if self.stopped:
            return self.stopped
        if self.unstable_share > UNSTABLE_SHARE:
            return (
                f"{self.unstable_share:.0%} of the {self.requests} requests were unstable (a "
                f"re-send got another answer), more than {UNSTABLE_SHARE:.0%}"
            )
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "resent": self.resent,
            "transient_requests": self.transient_requests,
            "unanswered": self.unanswered,
            "unstable_share": round(self.unstable_share, 4),
            "inconclusive": self.inconclusive_reason() or None,
            "stopped": self.stopped,
            "transient": [attempt.to_json() for attempt in self.transient],
        }


def attempt_of(
    status: int | None, content: bytes, failure: str, interaction: int, source: str
) -> Attempt:
    _, error_code, request_id = _error_fields(content) if status is not None else ("", "", "")
    return Attempt(
        answer_class(status, content),
        status,
        error_code if status is not None else failure,
        request_id,
        interaction,
        source,
    )
