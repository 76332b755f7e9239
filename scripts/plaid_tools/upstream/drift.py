"""Our spec against upstream's description of the same operations, read in both directions.

The spec-diff engine compares ours (old) with upstream (new); each change's side says who holds
it: upstream only (a field, enum value, requirement or format we lack), ours only (a constraint,
field or header we assert that upstream does not), or both, differently. What the engine reports
about our generated client's names and about wording is not drift: Plaid's class names, tags,
operation ids, descriptions and examples are theirs to choose and ours to word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plaid_tools.spec_diff.document import compare_documents
from plaid_tools.spec_diff.loader import LoadedSpec
from plaid_tools.spec_diff.model import Change, Impact
from plaid_tools.upstream.deviations import Deviation, Key
from plaid_tools.upstream.extract import extract

# Naming of the generated client (classes from titles and component names, modules from tags,
# functions from operation ids): ours to choose, whatever upstream calls things.
NAMING_RULES = frozenset(
    {
        "class_name_changed",
        "class_added",
        "class_removed",
        "operation_id_changed",
        "operation_tag_changed",
    }
)


def is_drift(change: Change) -> bool:
    """Whether a change says something about the wire rather than about names or wording;
    a deprecation is wording too, but one that tells us to stop sending a field."""
    if change.rule == "docs_changed":
        return change.subject == "deprecated"
    return change.impact > Impact.DOCS and change.rule not in NAMING_RULES


@dataclass(frozen=True)
class Known:
    change: Change
    deviation: Deviation


@dataclass
class Drift:
    """Every difference, sorted into known and new, and the deviations that no longer apply."""

    ours: LoadedSpec
    upstream: LoadedSpec
    upstream_extract: dict[str, Any]
    known: list[Known] = field(default_factory=list)
    new: list[Change] = field(default_factory=list)
    stale: list[tuple[Deviation, Key]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every difference is known and every deviation still applies, else 1."""
        return 1 if self.new or self.stale else 0


def compare_with_upstream(
    ours: LoadedSpec, upstream: LoadedSpec, deviations: list[Deviation]
) -> Drift:
    cut = extract(upstream.document, ours.document, upstream.label)
    drift = Drift(ours, upstream, cut.document, notes=cut.notes)
    by_key = {key: deviation for deviation in deviations for key in deviation.differences}
    found: set[Key] = set()
    for change in compare_documents(ours.document, cut.document):
        if not is_drift(change):
            continue
        key = Key.of(change)
        if key in by_key:
            found.add(key)
            drift.known.append(Known(change, by_key[key]))
        else:
            drift.new.append(change)
    drift.stale = [(d, key) for d in deviations for key in d.differences if key not in found]
    return drift
