"""Whether a target's answer is what Plaid answers: ``judge`` compares a ``PlaidAnswer`` with the
``Expectation`` the classifier made of the request, and returns the divergence, with the strength
of the rule it breaks, if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plaid_contracts.rules import Divergence, strongest
from plaid_contracts.rules.envelope import decode_json
from plaid_contracts.rules.expectations import (
    STRUCTURAL_CODES,
    Acceptance,
    Breakage,
    Expectation,
    ExpectedError,
)


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


def _expected(breakages: tuple[Breakage, ...]) -> str:
    return " or ".join(dict.fromkeys(item.describe() for b in breakages for item in b.answers))


def _with_message(answer: PlaidAnswer) -> str:
    if isinstance(answer.message, str):
        return f"{answer.describe()} ({answer.message!r})"
    return answer.describe()
