"""Request validation for POST /session/token/create, in the order set by ``assumptions``.

Each check returns ``None`` when it passes or a ``Rejection`` naming a catalogue entry. The first
rejection answers the request, so Plaid's one-error-per-response behaviour falls out naturally.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Final, NamedTuple
from urllib.parse import SplitResult, urlsplit

from . import assumptions, catalogue, credentials
from .catalogue import PlaidErrorDef
from .config import SandboxConfig

TOP_LEVEL_FIELDS = frozenset(
    {
        "client_id",
        "secret",
        "template_id",
        "user",
        "user_id",
        "webhook",
        "redirect_uri",
        "android_package_name",
    }
)
USER_FIELDS = frozenset({"client_user_id", "user_id"})
# Fields that must be non-empty strings whatever EMPTY_OPTIONAL_STRING_IS_INVALID says.
REQUIRED_STRINGS = frozenset({"template_id", "user.client_user_id"})


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
    b"plaid-client-id": "client_id",
    b"plaid-secret": "secret",
    b"plaid-sandbox-fault": "fault_script",
    b"plaid-sandbox-fault-id": "fault_id",
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

    No field of this endpoint is numeric, so numbers only ever need a type error; keeping the
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


# --- body checks -----------------------------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


_NULL_MEANS_ABSENT: Final = assumptions.NULL_MEANS_ABSENT
if _NULL_MEANS_ABSENT:

    def _get(container: dict[str, object], key: str) -> object:
        value = container.get(key)
        return MISSING if value is None else value

else:

    def _get(container: dict[str, object], key: str) -> object:
        return container.get(key, MISSING)


def _split(path: str) -> tuple[str, str | None]:
    head, _, tail = path.partition(".")
    return head, tail or None


def _header_credential(value: str | None) -> str | None:
    if value is None:
        return None
    if value == "" and assumptions.EMPTY_CREDENTIAL_HEADER_IS_ABSENT:
        return None
    return value


Check = Callable[[dict[str, object], RequestHeaders, SandboxConfig], Rejection | None]


def _check_unknown_fields(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    user = data.get("user")
    if data.keys() <= TOP_LEVEL_FIELDS and (
        not isinstance(user, dict) or user.keys() <= USER_FIELDS
    ):
        return None  # the usual case, decided without building a list
    unknown: list[str] = []
    for key, value in data.items():
        if key not in TOP_LEVEL_FIELDS:
            unknown.append(key)
        elif key == "user" and isinstance(value, dict):
            unknown.extend(f"user.{sub}" for sub in value if sub not in USER_FIELDS)
    if assumptions.UNKNOWN_FIELDS_ORDER == "sorted":
        unknown.sort()
    return Rejection(catalogue.UNKNOWN_FIELDS, {"fields": ", ".join(unknown)})


_CREDENTIAL, _USER, _IN_USER, _FIELD = range(4)


def _missing_kind(path: str) -> int:
    if path in ("client_id", "secret"):
        return _CREDENTIAL
    if path == "user":
        return _USER
    return _IN_USER if path.startswith("user.") else _FIELD


# MISSING_FIELD_ORDER, each path with how its absence is decided (worked out once).
_MISSING_TESTS = tuple(
    (path, _missing_kind(path), path.removeprefix("user."))
    for path in assumptions.MISSING_FIELD_ORDER
)


def _check_missing_fields(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    missing: list[str] = []
    for path, kind, key in _MISSING_TESTS:
        if kind == _CREDENTIAL:
            absent = (
                _header_credential(getattr(headers, path)) is None and _get(data, path) is MISSING
            )
        elif kind == _USER:
            # Documented: `user` is "required if a root-level `user_id` is not provided".
            absent = _get(data, "user") is MISSING and _get(data, "user_id") is MISSING
        elif kind == _IN_USER:
            # Only meaningful once `user` is an object; otherwise `user` itself is reported.
            user = _get(data, "user")
            absent = isinstance(user, dict) and _get(user, key) is MISSING
        else:
            absent = _get(data, key) is MISSING
        if absent:
            missing.append(path)
    if not missing:
        return None
    return Rejection(catalogue.MISSING_FIELDS, {"fields": ", ".join(missing)})


def _string_message(path: str) -> str:
    return f"{path} must be a properly formatted, non-empty string"


# What str.isspace() calls whitespace (re's \s for str patterns is the same test) and ASCII
# control characters.
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")
# urlsplit keeps its last 128 results in an lru_cache: 128 webhooks of up to a body's size each,
# all chosen by clients. The undecorated function parses the same way and keeps nothing.
_urlsplit: Callable[[str], SplitResult] = getattr(urlsplit, "__wrapped__", urlsplit)


def _is_absolute_http_url(value: str) -> bool:
    if _NOT_IN_URL.search(value):
        return False
    try:
        parts = _urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in assumptions.WEBHOOK_SCHEMES and bool(host)


_CREDENTIAL_FORMATS = {
    "client_id": credentials.matcher("client_id"),
    "secret": credentials.matcher("secret"),
}
# FIELD_TYPE_CHECK_ORDER, split once: (path, head, tail, the credential's format check or None,
# whether an empty string is allowed).
_TYPED_FIELDS = tuple(
    (
        path,
        *_split(path),
        _CREDENTIAL_FORMATS.get(path),
        path not in REQUIRED_STRINGS and not assumptions.EMPTY_OPTIONAL_STRING_IS_INVALID,
    )
    for path in assumptions.FIELD_TYPE_CHECK_ORDER
)


def _check_field_types(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    for path, head, tail, well_formed, may_be_empty in _TYPED_FIELDS:
        value = data.get(head, MISSING)  # _get, inlined: this loop runs on every request
        if tail is not None:
            value = value.get(tail, MISSING) if isinstance(value, dict) else MISSING
        if value is None and _NULL_MEANS_ABSENT:
            value = MISSING
        if well_formed is not None:
            # Every copy of the credential that was sent (header, body) must have Plaid's form.
            header = _header_credential(getattr(headers, path))
            if (header is not None and not well_formed(header)) or (
                value is not MISSING and not (isinstance(value, str) and well_formed(value))
            ):
                return Rejection(catalogue.INVALID_FIELD, {"detail": _string_message(path)})
        elif value is MISSING:
            continue
        elif path == "user":
            if not isinstance(value, dict):
                return Rejection(
                    catalogue.INVALID_FIELD, {"detail": assumptions.USER_NOT_OBJECT_MESSAGE}
                )
        elif not isinstance(value, str) or (value == "" and not may_be_empty):
            return Rejection(catalogue.INVALID_FIELD, {"detail": _string_message(path)})
        elif path == "webhook" and value and not _is_absolute_http_url(value):
            return Rejection(
                catalogue.INVALID_FIELD, {"detail": assumptions.WEBHOOK_INVALID_MESSAGE}
            )
    return None


def resolve_credential(body_value: object, header_value: str | None) -> str | None:
    """The credential to check; ``None`` means header and body disagree under "reject"."""
    header = _header_credential(header_value)
    body = body_value if isinstance(body_value, str) else None
    if header is None or body is None or header == body:
        return header if header is not None else body
    policy = assumptions.CREDENTIAL_CONFLICT_POLICY
    if policy == "header":
        return header
    if policy == "body":
        return body
    return None


def _check_credentials(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    client_id = resolve_credential(_get(data, "client_id"), headers.client_id)
    secret = resolve_credential(_get(data, "secret"), headers.secret)
    if client_id is None or secret is None or (client_id, secret) not in config.credentials:
        return Rejection(catalogue.INVALID_API_KEYS)
    return None


def _check_template_id(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    template_id = _get(data, "template_id")
    if not isinstance(template_id, str) or template_id not in config.template_ids:
        return Rejection(catalogue.UNKNOWN_TEMPLATE)
    return None


_BODY_CHECKS: dict[str, Check] = {
    "unknown_fields": _check_unknown_fields,
    "missing_fields": _check_missing_fields,
    "field_types": _check_field_types,
    "credentials": _check_credentials,
    "template_id": _check_template_id,
}
# BODY_CHECK_ORDER, looked up once.
_ORDERED_BODY_CHECKS = tuple(_BODY_CHECKS[name] for name in assumptions.BODY_CHECK_ORDER)


def check_body(
    data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
) -> Rejection | None:
    for check in _ORDERED_BODY_CHECKS:
        rejection = check(data, headers, config)
        if rejection is not None:
            return rejection
    return None
