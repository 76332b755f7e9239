"""What every endpoint checks before its own rules: headers, then the body as JSON.

Each check returns ``None`` when it passes or a ``Rejection`` naming a catalogue entry. The first
rejection answers the request, so Plaid's one-error-per-response behaviour falls out naturally.
An endpoint's field rules run after these (``fields``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from . import assumptions, catalogue, credentials, faults
from .catalogue import PlaidErrorDef


class Rejection(NamedTuple):
    error: PlaidErrorDef
    values: dict[str, object] | None = None


class RequestHeaders:
    """The request headers the sandbox cares about (first occurrence wins)."""

    content_type: str | None = None
    content_length: str | None = None
    plaid_version: str | None = None
    client_id: str | None = None
    secret: str | None = None
    fault_script: str | None = None
    fault_id: str | None = None

    def __init__(self, **values: str | None) -> None:
        unknown = values.keys() - _HEADER_FIELDS.values()
        if unknown:
            raise TypeError(f"unknown header fields: {sorted(unknown)}")
        self.__dict__.update(values)  # absent ones fall back to the class's None

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
        headers = cls.__new__(cls)  # the names are known: skip __init__'s check
        found = headers.__dict__
        for name, value in raw:
            # ASGI servers lower-case names; do it again for hand-built scopes.
            attribute = _HEADER_FIELDS.get(name.lower())
            if attribute is not None and attribute not in found:
                found[attribute] = value.decode("latin-1")
        return headers


_HEADER_FIELDS = {
    b"content-type": "content_type",
    b"content-length": "content_length",
    b"plaid-version": "plaid_version",
    **{header.lower().encode(): name for name, header in credentials.HEADERS.items()},
    faults.HEADER.lower().encode(): "fault_script",
    faults.ID_HEADER.lower().encode(): "fault_id",
}


# --- headers ---------------------------------------------------------------------------------


def _check_content_type(headers: RequestHeaders) -> Rejection | None:
    if headers.content_type is None:
        return Rejection(
            catalogue.INVALID_HEADERS, {"detail": assumptions.MISSING_CONTENT_TYPE_MESSAGE}
        )
    media_type = headers.content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        # Documented under INVALID_BODY: "the request content-type was not of type
        # application/json".
        return Rejection(catalogue.INVALID_BODY)
    return None


def _check_plaid_version(headers: RequestHeaders) -> Rejection | None:
    version = headers.plaid_version
    if version is not None and version.strip() not in assumptions.KNOWN_PLAID_VERSIONS:
        return Rejection(catalogue.INVALID_HEADERS, {"detail": assumptions.PLAID_VERSION_MESSAGE})
    return None


_HEADER_CHECKS: dict[str, Callable[[RequestHeaders], Rejection | None]] = {
    "content_type": _check_content_type,
    "plaid_version": _check_plaid_version,
}


_ORDERED_HEADER_CHECKS = tuple(_HEADER_CHECKS[name] for name in assumptions.HEADER_CHECK_ORDER)


def check_headers(headers: RequestHeaders) -> Rejection | None:
    for check in _ORDERED_HEADER_CHECKS:
        rejection = check(headers)
        if rejection is not None:
            return rejection
    return None


# --- body parsing ----------------------------------------------------------------------------


class JsonNumber:
    """A JSON number kept as its text.

    No field of any endpoint served is numeric, so numbers only ever need a type error; keeping the
    text avoids converting 100,000-digit integers (slow, and over Python's int-conversion limit).
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _DuplicateKeyError(ValueError):
    pass


def _reject_constant(name: str) -> object:
    # NaN, Infinity and -Infinity are JavaScript, not JSON (assumption A18).
    raise ValueError(f"invalid JSON constant {name}")


def _pairs_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError("duplicate key")
    return result


_decoder_kwargs: dict[str, object] = {
    "parse_int": JsonNumber,
    "parse_float": JsonNumber,
    "parse_constant": _reject_constant,
}
if assumptions.DUPLICATE_KEY_POLICY == "reject":
    _decoder_kwargs["object_pairs_hook"] = _pairs_without_duplicates
_decoder = json.JSONDecoder(**_decoder_kwargs)  # type: ignore[arg-type]


# The decoder's C scanner, which JSONDecoder.raw_decode calls (an instance attribute typeshed
# does not declare).
_scan_once: Callable[[str, int], tuple[object, int]] = vars(_decoder)["scan_once"]
_JSON_WHITESPACE = " \t\n\r"  # what json.decoder skips around the value


def parse_body(body: bytes) -> dict[str, object] | Rejection:
    """Decode the body as UTF-8 JSON; never raises for any input.

    What ``json.JSONDecoder.decode`` does, minus two Python-level calls per request.
    """
    try:
        text = body.decode("utf-8")
        value, end = _scan_once(text, len(text) - len(text.lstrip(_JSON_WHITESPACE)))
        if text[end:].strip(_JSON_WHITESPACE):
            raise ValueError("extra data")
    except _DuplicateKeyError:
        return Rejection(catalogue.DUPLICATE_KEY)
    except (ValueError, RecursionError, StopIteration):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; the scanner raises
        # StopIteration where no value starts and RecursionError for deep nesting.
        return Rejection(catalogue.INVALID_BODY)
    if not isinstance(value, dict):
        return Rejection(catalogue.NON_OBJECT_BODY)
    return value
