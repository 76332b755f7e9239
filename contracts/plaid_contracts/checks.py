"""Plaid-specific rules a response must follow, beyond what the spec's schemas can say.

Pure functions from a response to a list of problems (empty: the rule holds), so they are
testable without schemathesis; st_checks.py registers them as schemathesis checks.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
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

REQUEST_ID_NOTE: Final = (
    "Plaid says changing the length or content of identifiers is not a breaking change: if the "
    "real Sandbox answers like this, update REQUEST_ID in plaid_contracts/checks.py (and the "
    "offline sandbox), not the client"
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


def link_token_problems(
    status: int,
    content: bytes,
    *,
    prefixes: tuple[str, ...],
    lifetime_seconds: int,
    skew_seconds: int,
    now: datetime,
) -> list[str]:
    """A success names a token of the target's environment that expires within its lifetime."""
    if not 200 <= status < 300:
        return []
    ok, body = decode_json(content)
    link = body.get("link") if ok and isinstance(body, dict) else None
    if not isinstance(link, dict):
        return ["the success body has no `link` object"]
    problems: list[str] = []
    token = link.get("link_token")
    if not (
        isinstance(token, str)
        and any(token.startswith(prefix) and len(token) > len(prefix) for prefix in prefixes)
    ):
        wanted = " or ".join(repr(prefix) for prefix in prefixes)
        problems.append(
            f"`link.link_token` must start with {wanted} for this target, got {token!r}"
        )
    raw_expiration = link.get("expiration")
    expiration = parse_rfc3339_utc(raw_expiration) if isinstance(raw_expiration, str) else None
    if expiration is None:
        problems.append(
            f"`link.expiration` must be an RFC 3339 UTC timestamp, got {raw_expiration!r}"
        )
        return problems
    skew = timedelta(seconds=skew_seconds)
    if expiration <= now - skew:
        problems.append(
            f"`link.expiration` {raw_expiration} is not in the future (now {_iso(now)})"
        )
    latest = now + timedelta(seconds=lifetime_seconds) + skew
    if expiration > latest:
        problems.append(
            f"`link.expiration` {raw_expiration} is later than now + {lifetime_seconds} s "
            f"(+{skew_seconds} s skew) = {_iso(latest)}; "
            "adjust --token-lifetime if Plaid changed it"
        )
    return problems


def request_id_problems(content: bytes) -> list[str]:
    """Every JSON object answer carries a request_id of the shape Plaid has always used."""
    ok, body = decode_json(content)
    if not ok or not isinstance(body, dict):
        return []  # another check reports a body that is not an object
    request_id = body.get("request_id")
    if isinstance(request_id, str) and REQUEST_ID.match(request_id):
        return []
    return [f"`request_id` {request_id!r} is not 15 characters of [A-Za-z0-9]. {REQUEST_ID_NOTE}"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
