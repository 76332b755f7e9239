"""Where a check's finding goes: a failure, or an observation of one of our assumptions.

DOC and SEEN rules fail the run. An ASSUMED rule is an observation against any target but the
offline sandbox; against the offline sandbox (``RunSettings.enforce_assumptions``) it fails too,
since the sandbox implements the assumptions and a mismatch there is a bug in it or in the check.
Every text is masked before it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from plaid_contracts.recording.stats import Finding
from plaid_contracts.rules import Divergence, Rule
from plaid_contracts.runtime.context import RunContext

FAILED = "failed"
OBSERVED = "observed"
PASSED = "passed"


@dataclass(frozen=True)
class Where:
    """The exchange a finding was made on (already masked)."""

    operation: str  # its label: "POST /session/token/create"
    test: str
    phase: str
    status: int | None
    curl: str
    interaction: int | None
    excerpt: str = ""


def record(
    run: RunContext,
    check: str,
    rule: Rule,
    *,
    title: str,
    message: str,
    cause: str,
    where: Where,
    answered: str = "",
    expected: str = "",
) -> str:
    """Keep the finding as a failure or an observation; returns which (FAILED / OBSERVED)."""
    text = run.recorder.masker.text
    finding = Finding(
        operation=where.operation,
        test=where.test,
        check=check,
        title=text(title),
        message=text(message),
        phase=where.phase,
        status=where.status,
        curl=where.curl,
        interaction=where.interaction,
        response_excerpt=where.excerpt,
        strength=rule.label,
        rule=rule.name,
        cause=text(cause),
        tag=rule.tag,
        answered=text(answered),
        expected=text(expected),
        adopt=rule.adopt,
    )
    if rule.is_assumed and not run.settings.enforce_assumptions:
        run.stats.add_observation(finding)
        return OBSERVED
    run.stats.add_failure(finding)
    return FAILED


def record_divergence(run: RunContext, check: str, divergence: Divergence, where: Where) -> str:
    return record(
        run,
        check,
        divergence.rule,
        title=f"{divergence.rule.name}: {divergence.answered}",
        message=divergence.text,
        cause=divergence.cause,
        where=where,
        answered=divergence.answered,
        expected=divergence.expected,
    )


def worst(outcomes: list[str]) -> str:
    """A check's outcome on one response: failed beats observed beats passed."""
    for outcome in (FAILED, OBSERVED):
        if outcome in outcomes:
            return outcome
    return PASSED
