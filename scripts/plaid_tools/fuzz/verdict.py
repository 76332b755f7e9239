"""What an answer to a hostile request must look like, checked byte for byte."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from plaid_tools.fuzz.corpus import HostileRequest

JSON_TYPE = b"application/json; charset=utf-8"
ENVELOPE_KEYS = frozenset(
    {
        "display_message",
        "documentation_url",
        "error_code",
        "error_message",
        "error_type",
        "request_id",
        "suggested_action",
    }
)
REQUEST_ID = re.compile(r"[A-Za-z0-9]{15}")
LINK_TOKEN = re.compile(
    r"link-sandbox-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)
# uvicorn refuses what is not HTTP/1.1 before the app runs, with this plain-text 400.
SERVER_REFUSAL = b"Invalid HTTP request received."


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n.lower() == name), None)


def judge(request: HostileRequest, answer: Answer, *, head: bool = False) -> str | None:
    """``None`` when the answer is acceptable, else what is wrong with it."""
    content_type = answer.header(b"content-type")
    if answer.status >= 500 and not request.deliberate:
        return f"{answer.status} to a client's mistake: {answer.body[:300]!r}"
    if answer.header(b"plaid-version") is not None:
        return "a plaid-version response header (none is on record)"
    if content_type == b"text/plain; charset=utf-8" and answer.body == SERVER_REFUSAL:
        return None if answer.status == 400 else f"server refusal with status {answer.status}"
    if content_type != JSON_TYPE:
        return None if request.deliberate else f"non-JSON answer {content_type!r}"
    if head and not answer.body:
        return None  # HEAD answers carry no body
    if answer.status == 200:
        return _judge_success(answer.body)
    if request.expect_success:
        return f"{answer.status} to a valid request: {answer.body[:300]!r}"
    return _judge_envelope(answer.body)


def _judge_success(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return f"success body is not JSON: {body[:200]!r}"
    if set(data) != {"link", "request_id"} or set(data["link"]) != {"expiration", "link_token"}:
        return f"success body keys: {body[:200]!r}"
    if not LINK_TOKEN.fullmatch(data["link"]["link_token"]):
        return f"link_token {data['link']['link_token']!r}"
    if body != json.dumps(data, sort_keys=True, separators=(",", ":")).encode():
        return "success body not compact sorted JSON"
    return None


def _judge_envelope(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return f"error body is not JSON: {body[:200]!r}"
    if not isinstance(data, dict) or set(data) != ENVELOPE_KEYS:
        return f"not Plaid's envelope: {body[:200]!r}"
    if data["display_message"] is not None or data["suggested_action"] is not None:
        return "display_message / suggested_action not null"
    if not REQUEST_ID.fullmatch(data["request_id"]):
        return f"request_id {data['request_id']!r}"
    if not data["documentation_url"].startswith("https://plaid.com/docs/?ref=error#"):
        return f"documentation_url {data['documentation_url']!r}"
    if body != json.dumps(data, indent=2, sort_keys=True).encode():
        return "error body not formatted like Plaid's (sorted keys, 2-space indent)"
    return None


@dataclass
class Tally:
    """What a fuzz run saw: answers by status, server refusals, problems with examples."""

    requests: int = 0
    answers: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    refused_by_server: int = 0
    no_answer: int = 0  # connection closed without an answer (drop faults, truncated bodies)
    deliberate_5xx: int = 0
    problems: list[str] = field(default_factory=list)

    def record(self, request: HostileRequest, answer: Answer, index: int, head: bool) -> None:
        self.answers += 1
        self.statuses[answer.status] += 1
        if answer.body == SERVER_REFUSAL:
            self.refused_by_server += 1
        if answer.status >= 500 and request.deliberate:
            self.deliberate_5xx += 1
        problem = judge(request, answer, head=head)
        if problem is not None:
            self.problems.append(f"#{index} [{request.family}] {problem}")

    @property
    def unexpected_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) - self.deliberate_5xx

    def summary(self) -> str:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"{self.requests} requests, {self.answers} answers ({statuses}); "
            f"{self.refused_by_server} refused by the HTTP parser, {self.no_answer} unanswered, "
            f"{self.deliberate_5xx} deliberate fault 5xx, {self.unexpected_5xx} other 5xx, "
            f"{len(self.problems)} problems"
        )
