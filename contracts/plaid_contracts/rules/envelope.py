"""Rules every Plaid response follows, beyond what the spec's schemas can say.

Pure functions from a response to a list of problems (empty: the rule holds), so they are
testable without schemathesis; response_checks.py registers them as schemathesis checks. What is
specific to one endpoint (its link token, its errors) lives in that endpoint's module.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Final

UPPER_SNAKE: Final = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9]{15}$")
DOCUMENTATION_URL: Final = re.compile(r"^https://plaid\.com/docs/\S*$")
PLAID_ERROR_REQUIRED: Final = (
    "error_type",
    "error_code",
    "error_message",
    "display_message",
    "request_id",
)


def decode_json(content: bytes) -> tuple[bool, Any]:
    try:
        return True, json.loads(content)
    except ValueError:
        return False, None


def plaid_error_problems(status: int, content: bytes) -> list[str]:
    """A non-2xx body must be a well-formed PlaidError (Plaid handles errors by type and code)."""
    if 200 <= status < 300:
        return []
    ok, body = decode_json(content)
    if not ok:
        return [f"the {status} body is not JSON, so it is not a Plaid error object"]
    if not isinstance(body, dict):
        return [f"the {status} body is JSON {type(body).__name__}, not a Plaid error object"]
    problems = [f"missing `{key}`" for key in PLAID_ERROR_REQUIRED if key not in body]
    for key in ("error_type", "error_code"):
        value = body.get(key)
        if key in body and not (isinstance(value, str) and UPPER_SNAKE.match(value)):
            problems.append(f"`{key}` must be an UPPER_SNAKE string, got {value!r}")
    if "error_message" in body and not isinstance(body["error_message"], str):
        problems.append(f"`error_message` must be a string, got {body['error_message']!r}")
    if "display_message" in body and not isinstance(body["display_message"], str | None):
        problems.append(
            f"`display_message` must be a string or null, got {body['display_message']!r}"
        )
    if "request_id" in body and not isinstance(body["request_id"], str):
        problems.append(f"`request_id` must be a string, got {body['request_id']!r}")
    url = body.get("documentation_url")
    if "documentation_url" in body and not (isinstance(url, str) and DOCUMENTATION_URL.match(url)):
        problems.append(f"`documentation_url` must be an https://plaid.com/docs/ URL, got {url!r}")
    return problems


def parse_rfc3339_utc(value: str) -> datetime | None:
    """``2026-03-10T13:13:03Z`` (Plaid's form); other offsets are accepted and converted."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def request_id_of(content: bytes) -> object:
    """The request_id of a JSON object answer; None when the body is not one or has none."""
    ok, body = decode_json(content)
    return body.get("request_id") if ok and isinstance(body, dict) else None


def request_id_shape_problem(request_id: object) -> str | None:
    """request_id has the shape every real one since 2021 has (an observation: Plaid may change
    the length and content of identifiers without notice)."""
    if isinstance(request_id, str) and REQUEST_ID.match(request_id):
        return None
    return f"`request_id` {request_id!r} is not 15 characters of [A-Za-z0-9]"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
