"""How strong the ground under a check is, and what a check found.

Every rule a check applies rests on Plaid's documentation (DOC), on a real response (SEEN) or on
an assumption of ours (ASSUMED, one tagged constant in the offline sandbox's ``assumptions.py``).
A divergence from a DOC/SEEN rule fails the run. A divergence from an ASSUMED rule is an
*observation* against a real target (it teaches us what Plaid does; it never fails a run) and a
failure against the offline sandbox, which implements the assumptions (a mismatch there is a bug
in the sandbox or in the check).

This package is what a check stands on, below the operations that use it: the rule vocabulary
(here), Plaid's error envelope (``envelope``), the rules every operation follows
(``every_operation``), the words of what Plaid answers (``expectations``), what a request breaks
(``classifier``), whether an answer is Plaid's (``judge``), what each check means (``check_info``)
and the documented value classes as hypothesis strategies (``strategies``). Rules common to
every Plaid operation live in ``every_operation``; rules of one operation live in that operation's
module (``operations/session_token_create.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final

from schemathesis.core.failures import Failure, Severity

# The offline sandbox's files a rule's adopt hint names (repository paths).
SANDBOX_PACKAGE: Final = "contracts/plaid-offline-sandbox/plaid_offline_sandbox"
ASSUMPTIONS_FILE: Final = f"{SANDBOX_PACKAGE}/assumptions.py"
BEHAVIOUR_FILE: Final = f"{SANDBOX_PACKAGE}/BEHAVIOUR.md"
SANDBOX_PARSER: Final = f"{SANDBOX_PACKAGE}/validation.py"


class Strength(StrEnum):
    DOC = "DOC"  # Plaid's documentation or published spec
    SEEN = "SEEN"  # a real Plaid response, quoted with where it was seen
    ASSUMED = "ASSUMED"  # ours; an observation against a real target

    @property
    def rank(self) -> int:
        """Higher is stronger: DOC and SEEN fail a run, ASSUMED does not."""
        return {"DOC": 2, "SEEN": 2, "ASSUMED": 0}[self.value]


@dataclass(frozen=True)
class Rule:
    """One rule a check applies, with the ground it stands on."""

    name: str  # short and stable: part of a finding's identity
    strength: Strength
    source: str  # DOC: the link; SEEN: where the response was quoted; ASSUMED: the BEHAVIOUR row
    tag: str = ""  # the sandbox assumption, "A20" (ASSUMED rules only; "" for untagged rows)
    # ASSUMED rules: what to change so the offline sandbox adopts what the target did.
    adopt: str = ""
    # The value classes it is about ("an https URL with a real host"): a field's documented
    # values and the edges of its format rest on different rules, each naming its own.
    covers: str = ""

    @property
    def is_assumed(self) -> bool:
        return self.strength is Strength.ASSUMED

    @property
    def label(self) -> str:
        if self.is_assumed:
            return f"ASSUMED {self.tag}" if self.tag else "ASSUMED (untagged)"
        return self.strength.value


def adopt_constant(constant: str, row: str) -> str:
    """The usual way to adopt a target's behaviour: one constant and its BEHAVIOUR.md row."""
    return f"change `{constant}` in `{ASSUMPTIONS_FILE}` and the row {row!r} of `{BEHAVIOUR_FILE}`"


def strongest(rules: list[Rule]) -> Rule:
    """The rule a combined verdict rests on: the strongest of them (the first among equals)."""
    return max(rules, key=lambda rule: rule.strength.rank)


@dataclass(frozen=True)
class Divergence:
    """What a check found: the target did not follow ``rule``."""

    rule: Rule
    answered: str  # what the target did, in a few words ("400 INVALID_REQUEST/NOT_FOUND to GET")
    expected: str  # what the rule (or the assumption) says
    # Stable part of the finding's identity: the same divergence on another case has the same
    # cause (field names from the spec yes, generated values and request ids no).
    cause: str
    detail: str = ""

    @property
    def text(self) -> str:
        lines = [f"{self.rule.label}: answered {self.answered}; expected {self.expected}"]
        if self.detail:
            lines.append(self.detail)
        lines.append(f"Rule: {self.rule.source}")
        if self.rule.is_assumed and self.rule.adopt:
            lines.append(f"To adopt the target's behaviour: {self.rule.adopt}")
        return "\n".join(lines)


class PlaidRuleFailure(Failure):
    """A divergence from one of our rules, as schemathesis' typed failure.

    One subclass per check keeps distinct problems distinct wherever failures are grouped by
    type (hypothesis, schemathesis' reports); ``_unique_key`` separates causes within a check.
    """

    code: ClassVar[str] = "PL900"
    kind_title: ClassVar[str] = "Plaid rule violated"

    __slots__ = ("divergence",)

    def __init__(self, divergence: Divergence, *, operation: str | None) -> None:
        super().__init__(
            operation=operation,
            title=f"{self.kind_title}: {divergence.rule.name}",
            message=divergence.text,
            severity=Severity.LOW if divergence.rule.is_assumed else Severity.HIGH,
        )
        self.divergence = divergence

    @property
    def _unique_key(self) -> str:
        return f"{self.divergence.rule.name}|{self.divergence.cause}"


# --- rules common to every Plaid endpoint ------------------------------------------------------

ERRORS_DOC: Final = "https://plaid.com/docs/errors/"

ERROR_ENVELOPE: Final = Rule(
    "error-envelope",
    Strength.DOC,
    "Plaid's published spec, PlaidError: error_type, error_code, error_message, display_message "
    "and request_id are required; documentation_url points into https://plaid.com/docs/",
)
ERROR_STATUS: Final = Rule(
    "error-status",
    Strength.DOC,
    f"the HTTP status Plaid documents for each error_type/error_code ({ERRORS_DOC})",
)
REQUEST_ID_UNIQUE: Final = Rule(
    "request-id-unique",
    Strength.DOC,
    'Plaid\'s published spec: request_id is "A unique identifier for the request"',
)
REQUEST_ID_FORMAT: Final = Rule(
    "request-id-format",
    Strength.ASSUMED,
    "15 characters of [A-Za-z0-9] in every real value since 2021 (5 in 2018); Plaid says the "
    "length and content of identifiers may change without notice",
    tag="A25",
    adopt=adopt_constant("REQUEST_ID_LENGTH", "request_id")
    + " (and `REQUEST_ID` in `contracts/plaid_contracts/rules/envelope.py`)",
)
ANSWERS: Final = Rule(
    "answers",
    Strength.DOC,
    "every request gets an HTTP answer within the run's --request-timeout (Plaid's API "
    "reference: every response is JSON with a request_id)",
)
NOT_A_SERVER_ERROR: Final = Rule(
    "not-a-server-error",
    Strength.DOC,
    f"5xx means Plaid failed (API_ERROR, {ERRORS_DOC}api/); a request a client builds never "
    "deserves one",
)
SPEC: Final = Rule(
    "spec",
    Strength.DOC,
    "the spec's response schemas, content types and headers, written from Plaid's published spec",
)
UNSUPPORTED_METHOD: Final = Rule(
    "unsupported-method",
    Strength.DOC,
    "a route Plaid does not serve is INVALID_REQUEST/NOT_FOUND, HTTP 404 "
    "(https://plaid.com/docs/errors/invalid-request/#not_found); a GET was answered NOT_FOUND with "
    "HTTP 400 (SEEN: plaid/plaid-java#123, 2018); never 405",
)
UNSUPPORTED_METHOD_STATUS: Final = Rule(
    "unsupported-method-status",
    Strength.ASSUMED,
    "404 (documented for NOT_FOUND) rather than the 400 seen in 2018",
    tag="A20",
    adopt=adopt_constant("UNSUPPORTED_METHOD_STATUS", "Other methods on the endpoint"),
)

# HTTP status per documented error (https://plaid.com/docs/errors/): every INVALID_REQUEST code
# is 400 except NOT_FOUND (404), every INVALID_INPUT code 400, RATE_LIMIT_EXCEEDED 429, API_ERROR
# 500 except PLANNED_MAINTENANCE (503). NOT_FOUND to a method was also seen with 400.
DOCUMENTED_STATUS_BY_TYPE: Final = {
    "INVALID_REQUEST": (400,),
    "INVALID_INPUT": (400,),
    "RATE_LIMIT_EXCEEDED": (429,),
    "API_ERROR": (500,),
}
DOCUMENTED_STATUS_BY_CODE: Final = {
    ("INVALID_REQUEST", "NOT_FOUND"): (404, 400),
    ("API_ERROR", "PLANNED_MAINTENANCE"): (503,),
}


def documented_statuses(error_type: str, error_code: str) -> tuple[int, ...]:
    """The statuses Plaid documents (or was seen answering) for this error; () when unknown."""
    by_code = DOCUMENTED_STATUS_BY_CODE.get((error_type, error_code))
    if by_code is not None:
        return by_code
    return DOCUMENTED_STATUS_BY_TYPE.get(error_type, ())
