"""Where a check of ours is registered once: ``@our_check`` gives its function to schemathesis
(every run runs it) together with its failure type and what the summary says of it (meaning,
strength, link). The checks themselves are in ``response_checks``, which registers them on import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

from plaid_contracts.rules import PlaidRuleFailure
from plaid_contracts.rules.check_info import CheckInfo

CheckFunction = Callable[[CheckContext, Response, Case[Any]], bool | None]


@dataclass(frozen=True)
class OurCheck:
    """One of our checks, as it is registered: the failure type it raises and what the summary
    says of it (meaning, strength, link)."""

    failure: type[PlaidRuleFailure]
    info: CheckInfo


# Every check of ours by name, in the order checks/response_checks.py defines them (each
# operation's success check is added by the operation, `response_checks.SUCCESS_CHECKS`).
REGISTRY: dict[str, OurCheck] = {}


def our_check(
    failure: type[PlaidRuleFailure], info: CheckInfo
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check in one place: with schemathesis (every run runs it), with its failure
    type, and with the summary's description of it."""

    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY[function.__name__] = OurCheck(failure, info)
        schemathesis.check(function)
        return function

    return register
