"""The words of what Plaid answers to a request: what it breaks (``Breakage``, each with the
``ExpectedError`` answers Plaid may give), what it gets only by an assumption (``Acceptance``),
what it gets when it breaks nothing (``WhenValid``), all gathered in an ``Expectation``; and the
words an operation describes its body with (``Fields``, ``StringField``, ``Format``,
``Documented``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from plaid_contracts.infra import credentials
from plaid_contracts.rules import Rule


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


def _shown(value: str) -> str:
    """A value as a report shows it: its repr, cut to a line."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
