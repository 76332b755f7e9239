"""Building response bytes the way Plaid formats them.

Errors are pretty-printed with sorted keys and a two-space indent, the success body is compact
with sorted keys (both as quoted from real responses); every JSON answer is
``content-type: application/json; charset=utf-8``. This is the hot path of every request: bodies
are assembled from pre-rendered parts, byte for byte what ``json.dumps`` would give.
"""

from __future__ import annotations

import os
import random
import string
from collections.abc import Mapping
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from typing import NamedTuple

from . import assumptions
from .catalogue import PlaidErrorDef, documentation_url

Headers = list[tuple[bytes, bytes]]

_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
# Maps each byte to a character of the alphabet (the first 256 % 62 characters come a little more
# often: request ids are opaque, only their alphabet and length are Plaid's).
_REQUEST_ID_TABLE = bytes((_REQUEST_ID_ALPHABET * 5)[:256], "ascii")
# Neither request ids nor sandbox link tokens are secrets; the non-cryptographic generator is
# several times faster than os.urandom-based uuid4. Reseeded in forked children (as the random
# module does for its own generator), so two worker processes never repeat each other's tokens.
_random = random.Random()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_random.seed)

JSON_CONTENT_TYPE = b"application/json; charset=utf-8"

# uuid4's version and variant bits, as uuid.UUID(version=4) sets them.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (4 << 76) | (0x8000 << 48)


class Response(NamedTuple):
    """A complete response; ``error_code`` is kept only for the access log."""

    status: int
    headers: Headers
    body: bytes
    error_code: str | None = None


def new_request_id() -> str:
    return _random.randbytes(assumptions.REQUEST_ID_LENGTH).translate(_REQUEST_ID_TABLE).decode()


def new_link_token() -> str:
    """``link-sandbox-`` and a random UUID in uuid4's format."""
    digits = "%032x" % (_random.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)
    return f"link-sandbox-{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def format_expiration(now: datetime, lifetime_seconds: int) -> str:
    """RFC 3339 in UTC with ``Z`` and no fractional seconds (truncated, assumption A24)."""
    moment = now + timedelta(seconds=lifetime_seconds)
    if moment.tzinfo is not None:
        offset = moment.utcoffset()
        if offset:
            moment = moment - offset
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Expirations:
    """``format_expiration`` for one lifetime, formatted once per second of the clock."""

    def __init__(self, lifetime_seconds: int) -> None:
        self._lifetime_seconds = lifetime_seconds
        self._second: tuple[object, ...] = ()
        self._text = ""

    def at(self, now: datetime) -> str:
        # Everything but the microseconds (which the format truncates): equal keys are the same
        # second of the same clock. Cheaper than now.replace(microsecond=0).
        second = (
            now.second,
            now.minute,
            now.hour,
            now.day,
            now.month,
            now.year,
            now.fold,
            now.tzinfo,
        )
        if second != self._second:
            self._text = format_expiration(now, self._lifetime_seconds)
            self._second = second
        return self._text


def _headers(body: bytes, extra_headers: Headers | None = None) -> Headers:
    headers: Headers = [
        (b"content-type", JSON_CONTENT_TYPE),
        (b"content-length", b"%d" % len(body)),
    ]
    if extra_headers:
        headers.extend(extra_headers)
    return headers


# Error bodies are json.dumps(payload, indent=2, sort_keys=True) of Plaid's seven keys (the tests
# compare the bytes); the pure-Python indenting encoder is slow, so the constant parts of each
# catalogue entry are rendered once and strings are escaped by the same C function json uses.
_error_parts: dict[PlaidErrorDef, tuple[str, str]] = {}


def _parts(error: PlaidErrorDef) -> tuple[str, str]:
    parts = _error_parts.get(error)
    if parts is None:
        url = encode_basestring_ascii(documentation_url(error.error_type))
        before = (
            f'{{\n  "display_message": null,\n  "documentation_url": {url},\n'
            f'  "error_code": {encode_basestring_ascii(error.error_code)},\n  "error_message": '
        )
        after = f',\n  "error_type": {encode_basestring_ascii(error.error_type)},\n  "request_id": '
        parts = _error_parts[error] = (before, after)
    return parts


def error_body(error: PlaidErrorDef, request_id: str, message: str) -> bytes:
    before, after = _parts(error)
    text = (
        f"{before}{encode_basestring_ascii(message)}{after}"
        f'{encode_basestring_ascii(request_id)},\n  "suggested_action": null\n}}'
    )
    return text.encode("ascii")  # ensure_ascii escaping leaves nothing else


def error_response(
    error: PlaidErrorDef,
    request_id: str,
    extra_headers: Headers | None = None,
    values: Mapping[str, object] | None = None,
) -> Response:
    message = error.render(**values) if values else error.message
    body = error_body(error, request_id, message)
    return Response(error.status, _headers(body, extra_headers), body, error.error_code)


def json_response(body: bytes, status: int = 200) -> Response:
    """A JSON answer from body bytes an endpoint rendered (compact, sorted keys, as Plaid's)."""
    return Response(status, _headers(body), body)


def raw_response(status: int, content_type: bytes, body: bytes, label: str) -> Response:
    """A non-JSON response, as a proxy or CDN in front of Plaid would send."""
    headers: Headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
    return Response(status, headers, body, label)


HTML_502_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
# Cloudflare answers its 52x statuses with a short plain-text body like this one.
STATUS_520_BODY = b"error code: 520"
