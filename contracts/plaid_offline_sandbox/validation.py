"""Request validation for POST /session/token/create, in the order set by ``assumptions``.

Each check returns ``None`` when it passes or a ``Rejection`` naming a catalogue entry. The first
rejection answers the request, so Plaid's one-error-per-response behaviour falls out naturally.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Rejection:
    error: PlaidErrorDef
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestHeaders:
    """The request headers the sandbox cares about (first occurrence wins)."""

    content_type: str | None = None
    content_length: str | None = None
    plaid_version: str | None = None
    client_id: str | None = None
    secret: str | None = None
    fault_script: str | None = None
    fault_id: str | None = None

    @classmethod
    def from_asgi(cls, raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
        found: dict[bytes, str] = {}
        for name, value in raw:
            # ASGI servers lower-case names; do it again for hand-built scopes.
            key = name.lower()
            if key in _HEADER_FIELDS and key not in found:
                found[key] = value.decode("latin-1")
        return cls(**{_HEADER_FIELDS[key]: value for key, value in found.items()})


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


def check_headers(headers: RequestHeaders) -> Rejection | None:
    for name in assumptions.HEADER_CHECK_ORDER:
        rejection = _HEADER_CHECKS[name](headers)
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


def parse_body(body: bytes) -> dict[str, object] | Rejection:
    """Decode the body as UTF-8 JSON; never raises for any input."""
    try:
        text = body.decode("utf-8")
        value = _decoder.decode(text)
    except _DuplicateKeyError:
        return Rejection(catalogue.DUPLICATE_KEY)
    except (ValueError, RecursionError):
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; deep nesting raises
        # RecursionError from the C scanner.
        return Rejection(catalogue.INVALID_BODY)
    if not isinstance(value, dict):
        return Rejection(catalogue.NON_OBJECT_BODY)
    return value


# --- body checks -----------------------------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def _get(container: dict[str, object], key: str) -> object:
    value = container.get(key, MISSING)
    if value is None and assumptions.NULL_MEANS_ABSENT:
        return MISSING
    return value


def _get_path(data: dict[str, object], path: str) -> object:
    head, _, tail = path.partition(".")
    value = _get(data, head)
    if not tail:
        return value
    if not isinstance(value, dict):
        return MISSING
    return _get(value, tail)


@dataclass(frozen=True)
class _Context:
    data: dict[str, object]
    headers: RequestHeaders
    config: SandboxConfig


def _header_credential(value: str | None) -> str | None:
    if value is None:
        return None
    if value == "" and assumptions.EMPTY_CREDENTIAL_HEADER_IS_ABSENT:
        return None
    return value


def _check_unknown_fields(ctx: _Context) -> Rejection | None:
    unknown: list[str] = []
    for key, value in ctx.data.items():
        if key not in TOP_LEVEL_FIELDS:
            unknown.append(key)
        elif key == "user" and isinstance(value, dict):
            unknown.extend(f"user.{sub}" for sub in value if sub not in USER_FIELDS)
    if not unknown:
        return None
    if assumptions.UNKNOWN_FIELDS_ORDER == "sorted":
        unknown.sort()
    return Rejection(catalogue.UNKNOWN_FIELDS, {"fields": ", ".join(unknown)})


def _check_missing_fields(ctx: _Context) -> Rejection | None:
    missing: list[str] = []
    for path in assumptions.MISSING_FIELD_ORDER:
        if path in ("client_id", "secret"):
            from_header = _header_credential(getattr(ctx.headers, path))
            if from_header is None and _get(ctx.data, path) is MISSING:
                missing.append(path)
        elif path == "user":
            # Documented: `user` is "required if a root-level `user_id` is not provided".
            if _get(ctx.data, "user") is MISSING and _get(ctx.data, "user_id") is MISSING:
                missing.append(path)
        elif path.startswith("user."):
            # Only meaningful once `user` is an object; otherwise `user` itself is reported.
            user = _get(ctx.data, "user")
            if isinstance(user, dict) and _get(user, path[5:]) is MISSING:
                missing.append(path)
        elif _get(ctx.data, path) is MISSING:
            missing.append(path)
    if not missing:
        return None
    return Rejection(catalogue.MISSING_FIELDS, {"fields": ", ".join(missing)})


def _string_message(path: str) -> str:
    return f"{path} must be a properly formatted, non-empty string"


def _is_absolute_http_url(value: str) -> bool:
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return False
    try:
        parts = _urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in assumptions.WEBHOOK_SCHEMES and bool(host)


# urlsplit keeps its last 128 results in an lru_cache: 128 webhooks of up to a body's size each,
# all chosen by clients. The undecorated function parses the same way and keeps nothing.
_urlsplit: Callable[[str], SplitResult] = getattr(urlsplit, "__wrapped__", urlsplit)

_CREDENTIAL_FIELDS: dict[str, credentials.CredentialName] = {
    "client_id": "client_id",
    "secret": "secret",
}


def _check_field_types(ctx: _Context) -> Rejection | None:
    for path in assumptions.FIELD_TYPE_CHECK_ORDER:
        value = _get_path(ctx.data, path)
        credential = _CREDENTIAL_FIELDS.get(path)
        if credential is not None:
            if not _credential_well_formed(credential, value, getattr(ctx.headers, credential)):
                return Rejection(catalogue.INVALID_FIELD, {"detail": _string_message(path)})
            continue
        if value is MISSING:
            continue
        if path == "user":
            if not isinstance(value, dict):
                return Rejection(
                    catalogue.INVALID_FIELD, {"detail": assumptions.USER_NOT_OBJECT_MESSAGE}
                )
            continue
        may_be_empty = (
            path not in REQUIRED_STRINGS and not assumptions.EMPTY_OPTIONAL_STRING_IS_INVALID
        )
        if not isinstance(value, str) or (value == "" and not may_be_empty):
            return Rejection(catalogue.INVALID_FIELD, {"detail": _string_message(path)})
        if path == "webhook" and value and not _is_absolute_http_url(value):
            return Rejection(
                catalogue.INVALID_FIELD, {"detail": assumptions.WEBHOOK_INVALID_MESSAGE}
            )
    return None


def _credential_well_formed(
    name: credentials.CredentialName, body_value: object, header_value: str | None
) -> bool:
    """Every copy of the credential that was sent (body, header) has Plaid's form."""
    header = _header_credential(header_value)
    if header is not None and not credentials.is_well_formed(name, header):
        return False
    if body_value is MISSING:
        return True
    return isinstance(body_value, str) and credentials.is_well_formed(name, body_value)


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


def _check_credentials(ctx: _Context) -> Rejection | None:
    client_id = resolve_credential(_get(ctx.data, "client_id"), ctx.headers.client_id)
    secret = resolve_credential(_get(ctx.data, "secret"), ctx.headers.secret)
    if client_id is None or secret is None or (client_id, secret) not in ctx.config.credentials:
        return Rejection(catalogue.INVALID_API_KEYS)
    return None


def _check_template_id(ctx: _Context) -> Rejection | None:
    template_id = _get(ctx.data, "template_id")
    if not isinstance(template_id, str) or template_id not in ctx.config.template_ids:
        return Rejection(catalogue.UNKNOWN_TEMPLATE)
    return None


_BODY_CHECKS: dict[str, Callable[[_Context], Rejection | None]] = {
    "unknown_fields": _check_unknown_fields,
    "missing_fields": _check_missing_fields,
    "field_types": _check_field_types,
    "credentials": _check_credentials,
    "template_id": _check_template_id,
}


def check_body(
    data: dict[str, object],
    headers: RequestHeaders,
    config: SandboxConfig,
    order: Sequence[str] = assumptions.BODY_CHECK_ORDER,
) -> Rejection | None:
    ctx = _Context(data, headers, config)
    for name in order:
        rejection = _BODY_CHECKS[name](ctx)
        if rejection is not None:
            return rejection
    return None
