"""What an operation's module gives the suite: one ``Operation`` named ``OPERATION``.

Everything here is what differs from one Plaid endpoint to the next; what every endpoint shares
(headers, credentials, the error envelope, request ids, auth probes, recording, masking, rule
strengths) is written once elsewhere and looks the operation up by the case or request at hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from plaid_contracts.infra import credentials
from plaid_contracts.infra.credentials import Credentials
from plaid_contracts.infra.targets import Target
from plaid_contracts.rules import Divergence
from plaid_contracts.rules.check_info import CheckInfo
from plaid_contracts.rules.classifier import Classifier, classify
from plaid_contracts.rules.expectations import Expectation, Fields, WhenValid


@dataclass(frozen=True)
class Fixture:
    """A value the target must know for the operation's valid requests (a Dashboard template):
    every run takes it from the environment (a --base-url run requires it), the offline sandbox is
    given the same value, or its default when the environment has none.

    An ``optional`` one (an allow-listed value: a redirect URI of the Dashboard's list) may be
    left out of a --base-url run: the field's values are then only assumed acceptable."""

    name: str  # the body field it fills: "template_id"
    env: str  # "PLAID_TEMPLATE_ID"
    offline_default: str
    about: str  # "the Link template every valid request names"
    optional: bool = False


@dataclass(frozen=True)
class Success:
    """What a success of the operation must carry, judged by a check of its own (registered with
    ``checks.response_checks.success_check``) on schemathesis' answers and on the client's."""

    check: str  # its name in the reports: "plaid_link_token"
    info: CheckInfo
    # The divergences of a decoded success body: (payload, target, token lifetime, skew, now).
    problems: Callable[[object, Target, int, int, datetime], list[Divergence]]
    # What the summary counts per success (e.g. which environment a link token names), or None.
    tally: Callable[[object, Target], str | None]
    # The summary's rows about those counts: (label, text).
    rows: Callable[[Target, Counter[str]], list[tuple[str, str]]]


def _as_generated(body: dict[str, Any], fixtures: Mapping[str, str], valid: bool) -> dict[str, Any]:
    return body


@dataclass(frozen=True, eq=False)
class Operation:
    name: str  # the spec's operationId in snake_case: the generated client's method name
    method: str
    path: str
    doc: str  # Plaid's reference page
    # The request: its known fields (any other is UNKNOWN_FIELDS), its own rules on top of every
    # endpoint's (rules/every_operation.py), and what a request breaking nothing gets.
    fields: Fields
    body_rules: Callable[[Classifier, dict[str, Any]], None]
    when_valid: WhenValid
    success: Success
    example: str  # the spec's request example ``try`` sends
    # The generated client: its success model, and its parse function for this operation.
    success_model: type
    parse: Callable[[httpx.Response], object]
    # An operation without fixtures (a Dashboard template, ...) leaves these two out.
    fixtures: tuple[Fixture, ...] = ()
    # The body to send for a generated one, once generated credentials are dropped (which every
    # operation needs: ``body_to_send``): the run's fixtures wherever they are not what the case
    # breaks (body, fixture values by name, whether the case is meant to be valid).
    prepare: Callable[[dict[str, Any], Mapping[str, str], bool], dict[str, Any]] = _as_generated

    @property
    def label(self) -> str:
        """How schemathesis, the tests' names and the reports call it."""
        return f"{self.method} {self.path}"

    def classify(
        self,
        headers: Mapping[str, str],
        body: bytes | str | None,
        credentials: Credentials,
        fixtures: Mapping[str, str] | None = None,
    ) -> Expectation:
        """What this request, as sent, breaks, and what Plaid answers to each thing
        (``fixtures``: the run's values by body field, ``fixture_values``)."""
        return classify(
            self.fields, self.body_rules, self.when_valid, headers, body, credentials, fixtures
        )

    def body_to_send(
        self, body: dict[str, Any], by_env: Mapping[str, str], valid: bool
    ) -> dict[str, Any]:
        """A generated (or example) body as a case sends it: no generated credentials (the run's
        travel in the headers), the run's fixtures (``prepare``; ``by_env``: by variable)."""
        return self.prepare(credentials.without_generated(body), self.fixture_values(by_env), valid)

    def fixture_values(self, by_env: Mapping[str, str]) -> dict[str, str]:
        """The run's values of this operation's fixtures, by body field (an optional one the run
        was not given is left out)."""
        return {f.name: by_env[f.env] for f in self.fixtures if f.env in by_env}
