"""Building response bytes the way Plaid formats them.

Errors are pretty-printed with sorted keys and a two-space indent, the success body is compact
with sorted keys (both as quoted from real responses); every JSON answer is
``content-type: application/json; charset=utf-8``.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import assumptions
from .catalogue import PlaidErrorDef, documentation_url

Headers = list[tuple[bytes, bytes]]

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
# request ids are not secrets; the non-cryptographic generator is several times faster.
_random = random.Random()

JSON_CONTENT_TYPE = b"application/json; charset=utf-8"


@dataclass(frozen=True)
class Response:
    """A complete response; ``error_code`` is kept only for the access log."""

    status: int
    headers: Headers
    body: bytes
    error_code: str | None = None


def new_request_id() -> str:
    return "".join(_random.choices(_REQUEST_ID_ALPHABET, k=assumptions.REQUEST_ID_LENGTH))


def new_link_token() -> str:
    return f"link-sandbox-{uuid.uuid4()}"


def format_expiration(now: datetime, lifetime_seconds: int) -> str:
    """RFC 3339 in UTC with ``Z`` and no fractional seconds (truncated, assumption A24)."""
    moment = now + timedelta(seconds=lifetime_seconds)
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        if offset:
            moment = moment - offset
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def plaid_json(payload: object) -> bytes:
    return json.dumps(payload, indent=2, sort_keys=True).encode("utf-8")


def json_response(status: int, payload: object, extra_headers: Headers | None = None) -> Response:
    body = plaid_json(payload)
    headers: Headers = [
        (b"content-type", JSON_CONTENT_TYPE),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if extra_headers:
        headers.extend(extra_headers)
    return Response(status, headers, body)


def error_payload(error: PlaidErrorDef, request_id: str, **values: object) -> dict[str, object]:
    """Plaid's seven-key error envelope."""
    return {
        "display_message": None,
        "documentation_url": documentation_url(error.error_type),
        "error_code": error.error_code,
        "error_message": error.render(**values),
        "error_type": error.error_type,
        "request_id": request_id,
        "suggested_action": None,
    }


def error_response(
    error: PlaidErrorDef,
    request_id: str,
    extra_headers: Headers | None = None,
    values: Mapping[str, object] | None = None,
) -> Response:
    response = json_response(
        error.status, error_payload(error, request_id, **(values or {})), extra_headers
    )
    return Response(response.status, response.headers, response.body, error.error_code)


# The success body is the hot path: a template gives the bytes of json.dumps(payload,
# sort_keys=True, separators=(",", ":")) (the tests compare them) without building a dict.
_SUCCESS_TEMPLATE = (
    '{{"link":{{"expiration":{expiration},"link_token":{link_token}}},"request_id":{request_id}}}'
)


def success_response(request_id: str, link_token: str, expiration: str) -> Response:
    body = _SUCCESS_TEMPLATE.format(
        expiration=json.dumps(expiration),
        link_token=json.dumps(link_token),
        request_id=json.dumps(request_id),
    ).encode("utf-8")
    headers: Headers = [
        (b"content-type", JSON_CONTENT_TYPE),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    return Response(200, headers, body)


def raw_response(status: int, content_type: bytes, body: bytes, label: str) -> Response:
    """A non-JSON response, as a proxy or CDN in front of Plaid would send."""
    headers: Headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    return Response(status, headers, body, label)


HTML_502_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
# Cloudflare answers its 52x statuses with a short plain-text body like this one.
STATUS_520_BODY = b"error code: 520"
