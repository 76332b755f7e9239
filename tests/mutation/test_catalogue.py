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
        "transient-500",
        "maintenance-window",
    }
    # Targets no case can judge: one refusing the credentials, one going down for good.
    assert {m.name for m in subset if m.verdict} == {"refuses-credentials", "goes-down"}
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


def test_targets_that_cannot_be_judged_count_as_killed_only_with_their_verdict() -> None:
    refusing = next(m for m in MUTANTS if m.name == "refuses-credentials")
    down = next(m for m in MUTANTS if m.name == "goes-down")
    outcomes = [
        _outcome(refusing, "refused", [], []),
        _outcome(refusing, "failed", ["plaid_auth_enforced"], []),  # ran the cases anyway
        _outcome(down, "inconclusive", ["plaid_answers"], []),
        _outcome(down, "failed", ["plaid_answers"], []),  # red on Plaid's trouble
        _outcome(down, "passed", [], []),
    ]
    assert [o.status for o in outcomes] == [
        "killed",
        "killed (not as expected)",
        "killed",
        "killed (not as expected)",
        "SURVIVED",
    ]
    assert [o.ok for o in outcomes] == [True, False, True, False, False]


def test_an_unstable_variant_must_pass_with_its_instability_listed() -> None:
    transient = next(m for m in MUTANTS if m.name == "transient-500")
    listed = harness.Outcome(transient, "passed", 1.0, [], [], unstable=3)
    unlisted = harness.Outcome(transient, "passed", 1.0, [], [], unstable=0)
    red = harness.Outcome(transient, "failed", 1.0, ["not_a_server_error"], [], unstable=0)
    inconclusive = harness.Outcome(transient, "inconclusive", 1.0, [], [], unstable=30)
    assert [o.status for o in (listed, unlisted, red, inconclusive)] == [
        "passed",
        "NOT LISTED AS UNSTABLE",
        "FALSE POSITIVE",
        "ERROR (inconclusive)",
    ]
