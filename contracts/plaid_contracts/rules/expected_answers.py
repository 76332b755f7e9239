"""What Plaid answers to a request, from what the request breaks: the rules every Plaid endpoint
follows, the classifier that applies them, and the judge that compares an answer with them.

An operation's module adds what is its own (its fields, their formats, the rule of its valid
request) through ``Classifier``'s primitives; everything here holds on every endpoint: headers
(Content-Type, Plaid-Version), a body that is a JSON object, credentials in headers or body,
unknown fields, missing, null, mistyped and empty strings.

Every rule carries its strength: DOC/SEEN from Plaid's documentation and real responses (written
here from Plaid's documentation and the real answers quoted in BEHAVIOUR.md, not taken from the
offline sandbox, which the suite judges), ASSUMED from the offline sandbox's tagged assumptions
(whose constants are what the assumption *says*, so they are read from there). The classifier reads
a request exactly as it was sent (headers and body bytes), so it judges examples, coverage, fuzzing
cases and probes alike.
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
from plaid_contracts.rules import (
    SANDBOX_PARSER,
    Divergence,
    Rule,
    Strength,
    adopt_constant,
    strongest,
)
from plaid_contracts.rules.envelope import decode_json

INVALID_REQUEST_DOC: Final = "https://plaid.com/docs/errors/invalid-request/"

# --- rules of every endpoint ---------------------------------------------------------------

MISSING_FIELD: Final = Rule(
    "missing-field",
    Strength.DOC,
    f"a missing required field is 400 INVALID_REQUEST/MISSING_FIELDS naming it "
    f"({INVALID_REQUEST_DOC}#missing_fields)",
)
MISSING_CREDENTIALS: Final = Rule(
    "missing-credentials",
    Strength.SEEN,
    'no credentials: "the following required fields are missing: client_id, secret" '
    "(plaid/pattern#192); only one missing names only it (plaid/plaid-ruby#344)",
)
UNKNOWN_FIELD: Final = Rule(
    "unknown-field",
    Strength.DOC,
    f"an unknown field is 400 INVALID_REQUEST/UNKNOWN_FIELDS naming its dotted path "
    f'({INVALID_REQUEST_DOC}#unknown_fields; SEEN: "...not recognized by this endpoint: '
    'user.phone_number")',
)
WRONG_TYPE: Final = Rule(
    "invalid-field",
    Strength.DOC,
    f"a field of the wrong type or improperly formatted is 400 INVALID_REQUEST/INVALID_FIELD, "
    f'with a message specific to the field ({INVALID_REQUEST_DOC}#invalid_field: "client_id must '
    'be a properly formatted, non-empty string")',
)
MALFORMED_CLIENT_ID: Final = Rule(
    "malformed-client-id",
    Strength.SEEN,
    "a client_id that is not a Plaid id is INVALID_FIELD, not INVALID_API_KEYS "
    "(plaid/plaid-ruby#163 `test_id`, #418; plaid/plaid-node#221; a 2026 probe)",
)
MALFORMED_SECRET: Final = Rule(
    "malformed-secret",
    Strength.ASSUMED,
    "a secret that is not 30 hex characters is INVALID_FIELD, like a malformed client_id",
    tag="A28",
    adopt=adopt_constant("SECRET_PATTERN", "Malformed `secret`"),
)
WRONG_CREDENTIALS: Final = Rule(
    "wrong-credentials",
    Strength.DOC,
    "a well-formed pair Plaid does not know is HTTP 400 INVALID_INPUT/INVALID_API_KEYS "
    "(https://plaid.com/docs/errors/invalid-input/#invalid_api_keys)",
)
CREDENTIAL_CONFLICT: Final = Rule(
    "credential-conflict",
    Strength.ASSUMED,
    f"header and body credentials that disagree: policy {assumptions.CREDENTIAL_CONFLICT_POLICY!r}",
    tag="A11",
    adopt=adopt_constant("CREDENTIAL_CONFLICT_POLICY", "Header and body disagree"),
)
EMPTY_OPTIONAL: Final = Rule(
    "empty-optional-string",
    Strength.ASSUMED,
    "an empty optional string is INVALID_FIELD like an empty required one",
    tag="A7",
    adopt=adopt_constant("EMPTY_OPTIONAL_STRING_IS_INVALID", "Empty optional strings"),
)
NULL_MEANS_ABSENT: Final = Rule(
    "null-means-absent",
    Strength.ASSUMED,
    "JSON null counts as absent (a required field: MISSING_FIELDS; an optional one: accepted)",
    tag="A5",
    adopt=adopt_constant("NULL_MEANS_ABSENT", "JSON `null`"),
)
CONTENT_TYPE_MISSING: Final = Rule(
    "content-type-missing",
    Strength.DOC,
    f"no Content-Type is 400 INVALID_REQUEST/INVALID_HEADERS ({INVALID_REQUEST_DOC}"
    '#invalid_headers: "typically the Content-Type header")',
)
CONTENT_TYPE_NOT_JSON: Final = Rule(
    "content-type-not-json",
    Strength.DOC,
    f"a Content-Type other than application/json is 400 INVALID_REQUEST/INVALID_BODY "
    f"({INVALID_REQUEST_DOC}#invalid_body)",
)
CONTENT_TYPE_PARAMETERS: Final = Rule(
    "content-type-parameters",
    Strength.ASSUMED,
    "application/json is matched case-insensitively, with parameters such as charset",
    tag="A13",
    adopt=adopt_constant("MISSING_CONTENT_TYPE_MESSAGE", "Content-Type present but not JSON"),
)
UNPARSABLE_BODY: Final = Rule(
    "unparsable-body",
    Strength.DOC,
    f"a body that is not JSON is 400 INVALID_REQUEST/INVALID_BODY ({INVALID_REQUEST_DOC}"
    "#invalid_body)",
)
NON_JSON_CONSTANTS: Final = Rule(
    "non-json-constants",
    Strength.ASSUMED,
    "NaN / Infinity are not JSON: INVALID_BODY",
    tag="A18",
    adopt=f"change the parser in `{SANDBOX_PARSER}` and the row "
    "'`NaN`, `Infinity`, `-Infinity` literals' of BEHAVIOUR.md ([A18])",
)
NOT_AN_OBJECT: Final = Rule(
    "body-not-an-object",
    Strength.ASSUMED,
    "a JSON value that is not an object is INVALID_BODY",
    tag="A16",
    adopt=adopt_constant("NON_OBJECT_BODY_MESSAGE", "JSON value that is not an object"),
)
NOT_AN_OBJECT_REJECTED: Final = Rule(
    "body-not-an-object-rejected",
    Strength.DOC,
    "a body that is not an object has none of the required fields: Plaid cannot accept it",
)
PLAID_VERSION_MALFORMED: Final = Rule(
    "plaid-version-malformed",
    Strength.SEEN,
    "a malformed Plaid-Version is INVALID_HEADERS (plaid/plaid-node#245, `0.1.0`)",
)
PLAID_VERSION_UNKNOWN: Final = Rule(
    "plaid-version-known",
    Strength.ASSUMED,
    f"only Plaid's API versions are accepted ({', '.join(assumptions.KNOWN_PLAID_VERSIONS)}); a "
    "well-formed unknown one is INVALID_HEADERS",
    tag="A14",
    adopt=adopt_constant("KNOWN_PLAID_VERSIONS", "Plaid-Version"),
)


# --- what a request breaks --------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedError:
    """One answer Plaid gives to a breakage: an error code, naming a field (or not)."""

    error_type: str
    error_code: str
    names: str | None  # the dotted path the message must name; None: no naming required
    rule: Rule  # the strength of "Plaid answers with this code"
    naming: Rule | None = None  # the strength of "...naming that path" (default: ``rule``)

    def describe(self) -> str:
        named = f" naming `{self.names}`" if self.names else ""
        return f"400 {self.error_type}/{self.error_code}{named}"


@dataclass(frozen=True)
class Breakage:
    """One thing wrong with a request, what Plaid answers to it, and how sure we are."""

    kind: str  # stable: part of a finding's identity
    field: str | None
    rejected: Rule  # the strength of "Plaid rejects this request at all"
    answers: tuple[ExpectedError, ...]

    @property
    def what(self) -> str:
        return f"{self.kind.replace('_', ' ')} `{self.field}`" if self.field else self.kind


@dataclass(frozen=True)
class Acceptance:
    """A present value Plaid accepts, and what that rests on: a documented value (DOC: a refusal
    fails the run, naming the field and the value) or one accepted only by an assumption (a
    refusal is an observation). ``codes``: the answers that would mean that refusal."""

    name: str
    rule: Rule
    codes: frozenset[str] | None = None  # None: any code but the structural ones, naming `name`
    value: str | None = None  # the field's value, for the report
    # A refusal of it may not name it (Plaid's allow-list wording): an INVALID_FIELD naming no
    # field is taken as its refusal.
    unnamed: bool = False

    def describe(self) -> str:
        shown = "" if self.value is None else f" {_shown(self.value)}"
        values = f" ({self.rule.covers})" if self.rule.covers else ""
        return f"`{self.name}`{shown}{values}"


@dataclass(frozen=True)
class WhenValid:
    """What a request that breaks nothing gets from an operation, and what that rests on."""

    rule: Rule
    answer: str  # "200 with a link token"
    hint: str = ""  # why a valid request might still be refused (a fixture the target lacks)


@dataclass(frozen=True)
class Expectation:
    when_valid: WhenValid
    breakages: tuple[Breakage, ...] = ()
    acceptances: tuple[Acceptance, ...] = ()
    known: frozenset[str] = frozenset()  # the operation's field paths (``Fields.paths``)

    @property
    def valid(self) -> bool:
        return not self.breakages


def plaid_error(
    code: str, names: str | None, rule: Rule, naming: Rule | None = None, error_type: str = ""
) -> ExpectedError:
    return ExpectedError(error_type or "INVALID_REQUEST", code, names, rule, naming)


def invalid_field(path: str, rule: Rule) -> ExpectedError:
    return plaid_error("INVALID_FIELD", path, rule)


@dataclass(frozen=True)
class Format:
    """A format a string field must have beyond being non-empty, with the rule that says so."""

    kind: str  # the breakage's kind, e.g. "webhook_not_a_url"
    rule: Rule
    accepts: Callable[[str], bool]


@dataclass(frozen=True)
class Documented:
    """The values of a field Plaid documents (the canonical ones): accepting them is ``rule``'s
    (DOC), whatever the edges of the field's format rest on."""

    rule: Rule
    accepts: Callable[[str], bool]


@dataclass(frozen=True)
class StringField:
    path: str  # dotted: "user.client_user_id"
    required: bool
    empty: Rule  # the rule that rejects ""
    # What accepting any other well-formed value rests on (None: the operation's own rules, or
    # the valid request's).
    accepted: Rule | None
    format: Format | None = None
    documented: Documented | None = None


@dataclass(frozen=True)
class Fields:
    """The body fields an operation knows besides the credentials; any other is UNKNOWN_FIELDS."""

    top_level: frozenset[str]
    nested: Mapping[str, frozenset[str]] = field(default_factory=dict)  # object -> its fields

    @property
    def paths(self) -> frozenset[str]:
        """Every field as an error message names it, the credentials included."""
        nested = {f"{name}.{member}" for name, members in self.nested.items() for member in members}
        return self.top_level | nested | set(credentials.BODY_KEYS)


# Error codes whose documented meaning is not "this value is not acceptable": a valid request
# answered with one of them is a failure even when a field's acceptance is only assumed.
STRUCTURAL_CODES: Final = frozenset(
    {"MISSING_FIELDS", "UNKNOWN_FIELDS", "INVALID_BODY", "INVALID_HEADERS", "NOT_FOUND"}
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


# --- judging an answer -------------------------------------------------------------------------


def names(message: object, path: str) -> bool:
    """Whether an error message names ``path`` as a whole (``user`` is not ``user.user_id``)."""
    if not isinstance(message, str):
        return False
    return re.search(rf"(?<![\w.]){re.escape(path)}(?![\w.])", message) is not None


@dataclass(frozen=True)
class PlaidAnswer:
    status: int
    error: tuple[str, str] | None  # (error_type, error_code) of a Plaid error body
    message: object

    @classmethod
    def read(cls, status: int, content: bytes) -> PlaidAnswer:
        ok, body = decode_json(content)
        if ok and isinstance(body, dict) and isinstance(body.get("error_code"), str):
            return cls(
                status, (str(body.get("error_type")), body["error_code"]), body.get("error_message")
            )
        return cls(status, None, None)

    @property
    def success(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        if self.success:
            return f"{self.status} success"
        if self.error is None:
            return f"{self.status}, not a Plaid error"
        return f"{self.status} {self.error[0]}/{self.error[1]}"

    def matches(self, answer: ExpectedError) -> bool:
        return self.error == (answer.error_type, answer.error_code)


def judge(expectation: Expectation, answer: PlaidAnswer) -> Divergence | None:
    """The divergence between what the target answered and what Plaid answers, if any."""
    if expectation.valid:
        return _judge_valid(expectation, answer)
    breakages = expectation.breakages
    listed = "; ".join(breakage.what for breakage in breakages)
    kinds = ",".join(sorted({breakage.kind for breakage in breakages}))
    if answer.success:
        rule = strongest([breakage.rejected for breakage in breakages])
        return Divergence(
            rule,
            answered=answer.describe(),
            expected=_expected(breakages),
            cause=f"accepted:{kinds}",
            detail=f"The request breaks: {listed}.",
        )
    alternatives = [item for breakage in breakages for item in breakage.answers]
    coded = [item for item in alternatives if answer.matches(item)]
    named = [item for item in coded if item.names is None or names(answer.message, item.names)]
    if any(item is breakage.answers[0] for breakage in breakages for item in named):
        return None
    if named:
        # Consistent with Plaid's documentation, but not what the (assumed) first answer says.
        breakage = next(b for b in breakages if any(item in b.answers for item in named))
        primary = breakage.answers[0]
        return Divergence(
            primary.rule,
            answered=_with_message(answer),
            expected=primary.describe(),
            cause=f"alternative:{breakage.kind}->{answer.error}",
            detail=f"The request breaks: {listed}.",
        )
    if coded:  # the right code, but it does not name what is wrong
        rule = strongest([item.naming or item.rule for item in coded])
        return Divergence(
            rule,
            answered=f"{answer.describe()} with message {answer.message!r}",
            expected=" or ".join(item.describe() for item in coded),
            cause=f"unnamed:{kinds}->{answer.error}",
            detail=f"The request breaks: {listed}.",
        )
    rule = strongest([item.rule for item in alternatives])
    return Divergence(
        rule,
        answered=_with_message(answer),
        expected=_expected(breakages),
        cause=f"{kinds}->{answer.error or answer.status}",
        detail=f"The request breaks: {listed}.",
    )


def _refused_value(expectation: Expectation, answer: PlaidAnswer) -> Acceptance | None:
    """The present value a refusal of a valid request is about, if it says which.

    A non-structural error naming the field (or a code the acceptance names); else an
    INVALID_FIELD naming no field of the operation is the refusal of a value whose refusals may
    not name it (a value an allow-list may lack: Plaid's wording names no field).
    """
    if answer.error is None:
        return None
    code = answer.error[1]
    for acceptance in expectation.acceptances:
        if acceptance.codes is not None:
            hit = code in acceptance.codes
        else:
            hit = code not in STRUCTURAL_CODES and names(answer.message, acceptance.name)
        if hit:
            return acceptance
    if code != "INVALID_FIELD" or any(names(answer.message, path) for path in expectation.known):
        return None
    # Of several, the one whose acceptance is only assumed: a refusal it explains is no failure.
    unnamed = [item for item in expectation.acceptances if item.unnamed]
    return min(unnamed, key=lambda item: item.rule.strength.rank, default=None)


def _judge_valid(expectation: Expectation, answer: PlaidAnswer) -> Divergence | None:
    if answer.success:
        return None
    acceptance = _refused_value(expectation, answer)
    if acceptance is not None:
        code = answer.error[1] if answer.error else answer.status
        return Divergence(
            acceptance.rule,
            answered=_with_message(answer),
            expected=f"success: {acceptance.describe()} is accepted ({acceptance.rule.label})",
            cause=f"rejected:{acceptance.name}->{code}",
        )
    when_valid = expectation.when_valid
    return Divergence(
        when_valid.rule,
        answered=_with_message(answer),
        expected=when_valid.answer,
        cause=f"valid->{answer.error or answer.status}",
        detail="Nothing in the request breaks a documented rule: the run's fixtures, "
        "credentials in the headers." + (f" ({when_valid.hint})" if when_valid.hint else ""),
    )


def _shown(value: str) -> str:
    """A value as a report shows it: its repr, cut to a line."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _expected(breakages: tuple[Breakage, ...]) -> str:
    return " or ".join(dict.fromkeys(item.describe() for b in breakages for item in b.answers))


def _with_message(answer: PlaidAnswer) -> str:
    if isinstance(answer.message, str):
        return f"{answer.describe()} ({answer.message!r})"
    return answer.describe()
