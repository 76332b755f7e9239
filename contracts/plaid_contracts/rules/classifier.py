"""What a request breaks, from the request exactly as it was sent (headers and body bytes), so it
classifies examples, coverage, fuzzing cases and probes alike: ``classify`` applies the rules of
every operation (``every_operation``), then an operation's own through ``Classifier``'s
primitives, and returns the ``Expectation``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from plaid_offline_sandbox import assumptions

from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.rules import Rule
from plaid_contracts.rules.every_operation import (
    CONTENT_TYPE_MISSING,
    CONTENT_TYPE_NOT_JSON,
    CONTENT_TYPE_PARAMETERS,
    CREDENTIAL_CONFLICT,
    EMPTY_OPTIONAL,
    MALFORMED_CLIENT_ID,
    MALFORMED_SECRET,
    MISSING_CREDENTIALS,
    MISSING_FIELD,
    NON_JSON_CONSTANTS,
    NOT_AN_OBJECT,
    NOT_AN_OBJECT_REJECTED,
    NULL_MEANS_ABSENT,
    PLAID_VERSION_MALFORMED,
    PLAID_VERSION_UNKNOWN,
    UNKNOWN_FIELD,
    UNPARSABLE_BODY,
    WRONG_CREDENTIALS,
    WRONG_TYPE,
)
from plaid_contracts.rules.expectations import (
    Acceptance,
    Breakage,
    Expectation,
    ExpectedError,
    Fields,
    StringField,
    WhenValid,
    invalid_field,
    plaid_error,
)

_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class Absent:
    """A field that is not there (or null, under assumption A5)."""


ABSENT: Final = Absent()


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> object:
    raise _NotJson(name)


def _number(text: str) -> object:
    # Kept as text: no rule reads a number's value, and a 100,000-digit integer must not be
    # converted.
    return _JsonNumber(text)


@dataclass(frozen=True)
class _JsonNumber:
    text: str


_DECODER: Final = json.JSONDecoder(
    parse_constant=_reject_constant, parse_int=_number, parse_float=_number
)


@dataclass
class Classifier:
    """Collects what is wrong with one request (``broken``) and what it gets only by an assumption
    (``accepted``): the rules of every Plaid endpoint here, an operation's own in its module."""

    headers: dict[str, str]  # lower-case names
    credentials: Credentials
    # The run's fixtures by body field (an optional one the run was not given is absent).
    fixtures: Mapping[str, str] = field(default_factory=dict)
    breakages: list[Breakage] = field(default_factory=list)
    acceptances: list[Acceptance] = field(default_factory=list)

    def broken(self, kind: str, path: str | None, rejected: Rule, *answers: ExpectedError) -> None:
        self.breakages.append(Breakage(kind, path, rejected, answers))

    def accepted(
        self,
        name: str,
        rule: Rule,
        codes: frozenset[str] | None = None,
        *,
        value: str | None = None,
        unnamed: bool = False,
    ) -> None:
        self.acceptances.append(Acceptance(name, rule, codes, value, unnamed))

    def headers_rules(self) -> None:
        content_type = self.headers.get("content-type")
        if content_type is None:
            rule = CONTENT_TYPE_MISSING
            self.broken(
                "content_type_missing", None, rule, plaid_error("INVALID_HEADERS", None, rule)
            )
        elif content_type.split(";", 1)[0].strip().lower() != "application/json":
            rule = CONTENT_TYPE_NOT_JSON
            self.broken(
                "content_type_not_json", None, rule, plaid_error("INVALID_BODY", None, rule)
            )
        elif content_type != "application/json":
            codes = frozenset({"INVALID_HEADERS", "INVALID_BODY"})
            self.accepted("Content-Type", CONTENT_TYPE_PARAMETERS, codes)
        version = self.headers.get("plaid-version")
        if version is None:
            return
        if version.strip() not in assumptions.KNOWN_PLAID_VERSIONS:
            well_formed = _DATE.fullmatch(version.strip())
            rule = PLAID_VERSION_UNKNOWN if well_formed else PLAID_VERSION_MALFORMED
            self.broken("plaid_version", None, rule, plaid_error("INVALID_HEADERS", None, rule))
        elif version != "2020-09-14":
            self.accepted("Plaid-Version", PLAID_VERSION_UNKNOWN, frozenset({"INVALID_HEADERS"}))

    def body(self, raw: bytes) -> dict[str, Any] | None:
        """The body as a JSON object, or None when it is not one (which is then a breakage)."""
        try:
            data = _DECODER.decode(raw.decode("utf-8"))
        except _NotJson:
            expected = plaid_error("INVALID_BODY", None, NON_JSON_CONSTANTS)
            self.broken("not_json_constant", None, UNPARSABLE_BODY, expected)
            return None
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            expected = plaid_error("INVALID_BODY", None, UNPARSABLE_BODY)
            self.broken("unparsable_body", None, UNPARSABLE_BODY, expected)
            return None
        if not isinstance(data, dict):
            expected = plaid_error("INVALID_BODY", None, NOT_AN_OBJECT)
            self.broken("body_not_an_object", None, NOT_AN_OBJECT_REJECTED, expected)
            return None
        return data

    def unknown_fields(self, data: dict[str, Any], fields: Fields) -> None:
        known = fields.top_level | set(credentials.BODY_KEYS)
        unknown = [key for key in data if key not in known]
        for name, nested in fields.nested.items():
            value = data.get(name)
            if isinstance(value, dict):
                unknown += [f"{name}.{key}" for key in value if key not in nested]
        for path in unknown:
            expected = plaid_error("UNKNOWN_FIELDS", path, UNKNOWN_FIELD)
            self.broken("unknown_field", path, UNKNOWN_FIELD, expected)

    def string_rule(self, spec: StringField, container: Mapping[str, Any]) -> None:
        """A string field's rules: absent, null, wrong type, empty, malformed, accepted."""
        path = spec.path
        value = container.get(path.rsplit(".", 1)[-1], ABSENT)
        if value is None and assumptions.NULL_MEANS_ABSENT:
            self.null(path, spec.required)
        elif value is ABSENT:
            if spec.required:
                expected = plaid_error("MISSING_FIELDS", path, MISSING_FIELD)
                self.broken("missing_field", path, MISSING_FIELD, expected)
        elif not isinstance(value, str):
            self.broken("wrong_type", path, WRONG_TYPE, invalid_field(path, WRONG_TYPE))
        elif value == "":
            if spec.required or assumptions.EMPTY_OPTIONAL_STRING_IS_INVALID:
                self.broken("empty_string", path, spec.empty, invalid_field(path, spec.empty))
            else:
                self.accepted(path, EMPTY_OPTIONAL)
        elif spec.format is not None and not spec.format.accepts(value):
            rule = spec.format.rule
            self.broken(spec.format.kind, path, rule, invalid_field(path, rule))
        elif spec.documented is not None and spec.documented.accepts(value):
            self.accepted(path, spec.documented.rule, value=value)
        elif spec.accepted is not None:
            self.accepted(path, spec.accepted, value=value)

    def null(self, path: str, required: bool) -> None:
        """JSON null under A5: a missing required field, an accepted optional one. Plaid may
        instead see a wrong type (INVALID_FIELD): an observation of A5, not a failure."""
        if required:
            self.broken(
                "null_field",
                path,
                WRONG_TYPE,
                plaid_error("MISSING_FIELDS", path, NULL_MEANS_ABSENT),
                invalid_field(path, WRONG_TYPE),
            )
        else:
            self.accepted(path, NULL_MEANS_ABSENT)

    def credential_rules(self, data: dict[str, Any]) -> None:
        resolved = [self.credential_rule(name, data) for name in credentials.BODY_KEYS]
        if None not in resolved and tuple(resolved) != (
            self.credentials.client_id,
            self.credentials.secret,
        ):
            expected = plaid_error(
                "INVALID_API_KEYS", None, WRONG_CREDENTIALS, error_type="INVALID_INPUT"
            )
            self.broken("wrong_credentials", None, WRONG_CREDENTIALS, expected)

    def credential_rule(self, name: str, data: dict[str, Any]) -> str | None:
        """The credential Plaid checks, or None when this copy is itself what is broken."""
        header = self.headers.get(credentials.HEADERS[name].lower()) or None  # A12: "" is absent
        body = data.get(name, ABSENT)
        null = body is None and assumptions.NULL_MEANS_ABSENT
        if null:
            if header is not None:
                self.accepted(name, NULL_MEANS_ABSENT)
            body = ABSENT
        if body is ABSENT and header is None:
            missing = plaid_error(
                "MISSING_FIELDS", name, NULL_MEANS_ABSENT if null else MISSING_CREDENTIALS
            )
            if null:
                self.broken(
                    "null_field", name, WRONG_TYPE, missing, invalid_field(name, WRONG_TYPE)
                )
            else:
                self.broken("missing_credential", name, MISSING_CREDENTIALS, missing)
            return None
        if body is not ABSENT and not isinstance(body, str):
            self.broken("wrong_type", name, WRONG_TYPE, invalid_field(name, WRONG_TYPE))
            return None
        copies = [value for value in (header, body) if isinstance(value, str)]
        if any(not credentials.FORMATS[name].fullmatch(value) for value in copies):
            # Not a Plaid credential, so never a valid one (DOC); INVALID_FIELD for it is seen for
            # client_id and assumed for secret, where INVALID_API_KEYS would be an observation.
            answers: tuple[ExpectedError, ...]
            if name == "client_id":
                answers = (invalid_field(name, MALFORMED_CLIENT_ID),)
            else:
                answers = (
                    invalid_field(name, MALFORMED_SECRET),
                    plaid_error(
                        "INVALID_API_KEYS", None, WRONG_CREDENTIALS, error_type="INVALID_INPUT"
                    ),
                )
            self.broken("malformed_credential", name, WRONG_CREDENTIALS, *answers)
            return None
        if header is None or not isinstance(body, str) or header == body:
            return header or (body if isinstance(body, str) else None)
        policy = assumptions.CREDENTIAL_CONFLICT_POLICY
        if policy == "reject":
            expected = plaid_error(
                "INVALID_API_KEYS", None, CREDENTIAL_CONFLICT, error_type="INVALID_INPUT"
            )
            self.broken("credential_conflict", name, CREDENTIAL_CONFLICT, expected)
            return None
        self.accepted(name, CREDENTIAL_CONFLICT, frozenset({"INVALID_API_KEYS"}))
        return header if policy == "header" else body


def classify(
    fields: Fields,
    body_rules: Callable[[Classifier, dict[str, Any]], None],
    when_valid: WhenValid,
    headers: Mapping[str, str],
    body: bytes | str | None,
    run_credentials: Credentials,
    fixtures: Mapping[str, str] | None = None,
) -> Expectation:
    """What is wrong with this request, as sent, and what Plaid answers to each thing: the rules of
    every endpoint, then the operation's own (``body_rules``) on a body that is a JSON object."""
    classifier = Classifier(
        {name.lower(): value for name, value in headers.items()}, run_credentials, fixtures or {}
    )
    classifier.headers_rules()
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    data = classifier.body(raw)
    if data is not None:
        classifier.unknown_fields(data, fields)
        classifier.credential_rules(data)
        body_rules(classifier, data)
    return Expectation(
        when_valid, tuple(classifier.breakages), tuple(classifier.acceptances), fields.paths
    )
