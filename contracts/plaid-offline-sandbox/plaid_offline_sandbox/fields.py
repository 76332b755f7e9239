"""Checks on a parsed request body, built from an endpoint's field rules.

An endpoint module declares its rules as data (``BodyRules``): its known fields, its required
fields and their order, its type checks and their order, and checks of its own. ``compile_rules``
turns them into one function that runs the checks in the endpoint's order and returns the first
``Rejection``. The checks common to every Plaid endpoint are written here once: unknown fields,
missing fields (credentials from a header count), field types (credential formats included) and
the credential pair.

Field paths are dotted, at most one level deep (``user.client_user_id``), as Plaid's messages
name them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import SplitResult, urlsplit

from . import assumptions, catalogue, credentials
from .config import SandboxConfig
from .validation import Rejection, RequestHeaders

Check = Callable[[dict[str, object], RequestHeaders, SandboxConfig], Rejection | None]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

_NULL_MEANS_ABSENT: Final = assumptions.NULL_MEANS_ABSENT
if _NULL_MEANS_ABSENT:

    def get(container: dict[str, object], key: str) -> object:
        """The field's value, or ``MISSING`` when absent (or null, assumption A5)."""
        value = container.get(key)
        return MISSING if value is None else value

else:

    def get(container: dict[str, object], key: str) -> object:
        """The field's value, or ``MISSING`` when absent."""
        return container.get(key, MISSING)


# --- field types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class String:
    """A string; empty only where assumption A7 allows it (never in a required field)."""


@dataclass(frozen=True)
class Object:
    """A JSON object; anything else is INVALID_FIELD with ``message``."""

    message: str


@dataclass(frozen=True)
class Url:
    """A string that must be an absolute URL with a host and one of ``schemes``."""

    schemes: frozenset[str]
    message: str


FieldType = String | Object | Url


def string_message(path: str) -> str:
    return f"{path} must be a properly formatted, non-empty string"


# What str.isspace() calls whitespace (re's \s for str patterns is the same test) and ASCII
# control characters.
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")
# urlsplit keeps its last 128 results in an lru_cache: 128 URLs of up to a body's size each, all
# chosen by clients. The undecorated function parses the same way and keeps nothing.
_urlsplit: Callable[[str], SplitResult] = getattr(urlsplit, "__wrapped__", urlsplit)


def is_absolute_url(value: str, schemes: frozenset[str]) -> bool:
    if _NOT_IN_URL.search(value):
        return False
    try:
        parts = _urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(host)


# --- the rules an endpoint declares ----------------------------------------------------------


@dataclass(frozen=True)
class BodyRules:
    """Everything about a request body that is specific to one endpoint.

    ``client_id`` and ``secret`` are Plaid's credentials on every endpoint: name them in
    ``required`` and ``types`` (their place in each order is the endpoint's) and they are
    checked as credentials, header copies included.
    """

    # Every field the endpoint knows, nested ones as dotted paths (an object field and its
    # members: "user", "user.client_user_id").
    known: frozenset[str]
    # Required fields in the order MISSING_FIELDS lists them.
    required: tuple[str, ...]
    # Type checks in the order they run; only the first failure is reported.
    types: tuple[tuple[str, FieldType], ...]
    # Names of checks in the order they run: the shared "unknown_fields", "missing_fields",
    # "field_types", "credentials", and the endpoint's own from ``checks``.
    order: tuple[str, ...]
    # A required field that may be left out when another (top-level) field is given.
    required_unless: Mapping[str, str] = field(default_factory=dict)
    checks: Mapping[str, Check] = field(default_factory=dict)


def _split(path: str) -> tuple[str, str | None]:
    head, _, tail = path.partition(".")
    if "." in tail:
        raise ValueError(f"field paths are at most one level deep: {path!r}")
    return head, tail or None


def header_credential(value: str | None) -> str | None:
    if value is None:
        return None
    if value == "" and assumptions.EMPTY_CREDENTIAL_HEADER_IS_ABSENT:
        return None
    return value


def resolve_credential(body_value: object, header_value: str | None) -> str | None:
    """The credential to check; ``None`` means header and body disagree under "reject"."""
    header = header_credential(header_value)
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
    client_id = resolve_credential(get(data, "client_id"), headers.client_id)
    secret = resolve_credential(get(data, "secret"), headers.secret)
    if client_id is None or secret is None or (client_id, secret) not in config.credentials:
        return Rejection(catalogue.INVALID_API_KEYS)
    return None


def _unknown_fields_check(rules: BodyRules) -> Check:
    top = frozenset(_split(path)[0] for path in rules.known)
    nested: dict[str, frozenset[str]] = {}
    for path in rules.known:
        head, tail = _split(path)
        if tail is not None:
            nested[head] = nested.get(head, frozenset()) | {tail}
    nested_items = tuple(nested.items())
    sort = assumptions.UNKNOWN_FIELDS_ORDER == "sorted"

    def check_unknown_fields(
        data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
    ) -> Rejection | None:
        if data.keys() <= top:
            for name, members in nested_items:
                value = data.get(name)
                if isinstance(value, dict) and not value.keys() <= members:
                    break
            else:
                return None  # the usual case, decided without building a list
        unknown: list[str] = []
        for key, value in data.items():
            if key not in top:
                unknown.append(key)
            elif isinstance(value, dict) and key in nested:
                members = nested[key]
                unknown.extend(f"{key}.{sub}" for sub in value if sub not in members)
        if sort:
            unknown.sort()
        return Rejection(catalogue.UNKNOWN_FIELDS, {"fields": ", ".join(unknown)})

    return check_unknown_fields


_CREDENTIAL, _UNLESS, _NESTED, _FIELD = range(4)


def _missing_fields_check(rules: BodyRules) -> Check:
    tests: list[tuple[str, int, str, str]] = []  # path, kind, key (or parent), other key
    for path in rules.required:
        head, tail = _split(path)
        if path in credentials.NAMES:
            tests.append((path, _CREDENTIAL, path, ""))
        elif path in rules.required_unless:
            tests.append((path, _UNLESS, path, rules.required_unless[path]))
        elif tail is not None:
            tests.append((path, _NESTED, head, tail))
        else:
            tests.append((path, _FIELD, path, ""))
    ordered = tuple(tests)

    def check_missing_fields(
        data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
    ) -> Rejection | None:
        missing: list[str] = []
        for path, kind, key, other in ordered:
            if kind == _CREDENTIAL:
                absent = (
                    header_credential(getattr(headers, path)) is None and get(data, path) is MISSING
                )
            elif kind == _UNLESS:
                absent = get(data, key) is MISSING and get(data, other) is MISSING
            elif kind == _NESTED:
                # Only meaningful once the parent is an object; otherwise the parent is reported.
                parent = get(data, key)
                absent = isinstance(parent, dict) and get(parent, other) is MISSING
            else:
                absent = get(data, key) is MISSING
            if absent:
                missing.append(path)
        if not missing:
            return None
        return Rejection(catalogue.MISSING_FIELDS, {"fields": ", ".join(missing)})

    return check_missing_fields


_CREDENTIAL_FORMATS: Final[dict[str, Callable[[str], object]]] = {
    name: credentials.matcher(name) for name in credentials.NAMES
}
_STRING, _OBJECT, _URL = range(3)


def _field_types_check(rules: BodyRules) -> Check:
    required = frozenset(rules.required)
    # Worked out once per field: (path, head, tail, the credential's format check or None,
    # kind, whether an empty string is allowed, the INVALID_FIELD detail, URL schemes).
    typed: list[
        tuple[str, str, str | None, Callable[[str], object] | None, int, bool, str, frozenset[str]]
    ] = []
    for path, field_type in rules.types:
        head, tail = _split(path)
        may_be_empty = path not in required and not assumptions.EMPTY_OPTIONAL_STRING_IS_INVALID
        schemes: frozenset[str] = frozenset()
        if isinstance(field_type, Object):
            kind, detail = _OBJECT, field_type.message
        elif isinstance(field_type, Url):
            kind, detail, schemes = _URL, field_type.message, field_type.schemes
        else:
            kind, detail = _STRING, string_message(path)
        well_formed = _CREDENTIAL_FORMATS.get(path)
        typed.append((path, head, tail, well_formed, kind, may_be_empty, detail, schemes))
    ordered = tuple(typed)

    def check_field_types(
        data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
    ) -> Rejection | None:
        for path, head, tail, well_formed, kind, may_be_empty, detail, schemes in ordered:
            value = data.get(head, MISSING)  # get(), inlined: this loop runs on every request
            if tail is not None:
                value = value.get(tail, MISSING) if isinstance(value, dict) else MISSING
            if value is None and _NULL_MEANS_ABSENT:
                value = MISSING
            if well_formed is not None:
                # Every copy of the credential that was sent (header, body) must have Plaid's
                # form.
                header = header_credential(getattr(headers, path))
                if (header is not None and not well_formed(header)) or (
                    value is not MISSING and not (isinstance(value, str) and well_formed(value))
                ):
                    return Rejection(catalogue.INVALID_FIELD, {"detail": detail})
            elif value is MISSING:
                continue
            elif kind == _OBJECT:
                if not isinstance(value, dict):
                    return Rejection(catalogue.INVALID_FIELD, {"detail": detail})
            elif not isinstance(value, str) or (value == "" and not may_be_empty):
                return Rejection(catalogue.INVALID_FIELD, {"detail": string_message(path)})
            elif kind == _URL and value and not is_absolute_url(value, schemes):
                return Rejection(catalogue.INVALID_FIELD, {"detail": detail})
        return None

    return check_field_types


_SHARED_CHECKS: Final[dict[str, Callable[[BodyRules], Check]]] = {
    "unknown_fields": _unknown_fields_check,
    "missing_fields": _missing_fields_check,
    "field_types": _field_types_check,
    "credentials": lambda rules: _check_credentials,
}


def compile_rules(rules: BodyRules) -> Check:
    """One function running the endpoint's checks in its order; the first rejection answers."""
    checks: list[Check] = []
    for name in rules.order:
        if name in rules.checks:
            checks.append(rules.checks[name])
        elif name in _SHARED_CHECKS:
            checks.append(_SHARED_CHECKS[name](rules))
        else:
            raise ValueError(f"unknown body check {name!r}")
    ordered = tuple(checks)

    def check_body(
        data: dict[str, object], headers: RequestHeaders, config: SandboxConfig
    ) -> Rejection | None:
        for check in ordered:
            rejection = check(data, headers, config)
            if rejection is not None:
                return rejection
        return None

    return check_body
