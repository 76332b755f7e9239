"""The mutation harness' catalogue and report (the runs themselves: ``nox -s mutation``)."""

from __future__ import annotations

from collections import Counter

from tests.mutation import __main__ as harness
from tests.mutation.mutants import COMPATIBLE, MUTANTS, Mutant


def test_the_catalogue_covers_every_kind_of_divergence() -> None:
    mutants = [m for m in MUTANTS if not m.compatible]
    variants = [m for m in MUTANTS if m.compatible]
    assert len(mutants) >= 30 and len(variants) >= 4
    assert len({m.name for m in MUTANTS}) == len(MUTANTS)
    categories = Counter(m.category for m in mutants)
    assert set(categories) == {
        "auth",
        "success shape and formats",
        "error envelope",
        "validation",
        "status codes",
        "identity (request_id)",
        "server errors",
        "slowness",
        "documented values",
    }
    # Every mutant names the checks expected to kill it; variants the assumptions they touch
    # ("untagged": a rule that is no sandbox constant, such as an allow-list the run lacks).
    assert all(m.expect for m in mutants)
    assert all(all(t.startswith("A") or t == "untagged" for t in m.expect) for m in variants)
    # One mutant per documented optional field, refusing it whatever its value.
    refused = {m.name for m in mutants if m.category == "documented values"}
    assert refused >= {
        "refuses-webhook",
        "refuses-redirect-uri",
        "refuses-android-package-name",
    }


def test_the_ci_subset_has_a_mutant_of_every_kind_and_the_required_variants() -> None:
    subset = harness.select(ci=True, only=())
    kinds = {m.category for m in subset if not m.compatible}
    assert kinds == {m.category for m in MUTANTS if not m.compatible}
    names = {m.name for m in subset if m.compatible}
    assert names >= {
        "extra-response-fields",
        "new-error-type",
        "optional-error-fields-filled",
        "latency-2s",
    }
    assert len(subset) < len(MUTANTS) / 2


def _outcome(
    mutant: Mutant, verdict: str, failed: list[str], observed: list[str]
) -> harness.Outcome:
    return harness.Outcome(mutant, verdict, 1.0, failed, observed)


def test_the_report_counts_survivors_and_false_positives() -> None:
    mutant = next(m for m in MUTANTS if m.name == "validation-422")
    variant = next(m for m in MUTANTS if m.name == "other-methods-400")
    quiet = next(m for m in MUTANTS if m.category == COMPATIBLE and not m.expect)
    outcomes = [
        _outcome(mutant, "failed", ["plaid_error_status"], []),
        _outcome(mutant, "passed", [], []),  # survived
        _outcome(variant, "passed", [], []),  # the A20 observation is missing
        _outcome(quiet, "failed", ["plaid_error_object"], []),  # false positive
    ]
    assert [o.status for o in outcomes] == ["killed", "SURVIVED", "NOT OBSERVED", "FALSE POSITIVE"]
    text = harness.render(outcomes, 1.0, "test")
    assert text.startswith("# Mutation score: 50 % (1/2 mutants killed), 2 false positive(s)")
    assert "Survivors: validation-422." in text
    assert f"False positives: other-methods-400, {quiet.name}." in text
