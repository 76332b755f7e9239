"""Walk a realistic history of spec revisions (modelled on Plaid's published changes to this
endpoint) and check the verdict and the deciding rule of every step."""

from __future__ import annotations

import pytest
from plaid_tools.spec_diff.document import compare_documents
from plaid_tools.spec_diff.model import Impact, verdict

from .conftest import HISTORY_FILES, history_spec

# (step, expected spec verdict, a rule that must have fired with that impact)
STEPS = [
    ("02_optional_request_field_added", Impact.COMPATIBLE, "property_added"),
    ("03_wording_only", Impact.DOCS, "docs_changed"),
    ("04_more_optional_fields", Impact.COMPATIBLE, "property_added"),
    ("05_user_made_required", Impact.BREAKING, "required_changed"),
    ("06_user_optional_again_root_user_id", Impact.COMPATIBLE, "required_changed"),
    ("07_default_error_response_added", Impact.COMPATIBLE, "response_added"),
    ("08_error_fields_added", Impact.COMPATIBLE, "property_added"),
    ("09_error_type_value_added", Impact.COMPATIBLE, "enum_added"),
    ("10_error_type_value_removed", Impact.COMPATIBLE, "enum_removed"),
    ("11_request_enum_value_removed", Impact.BREAKING, "enum_removed"),
    ("12_operation_id_changed", Impact.BREAKING, "operation_id_changed"),
    ("13_schema_renamed_behind_ref_with_title", Impact.DOCS, "schema_renamed"),
    ("14_response_field_made_nullable", Impact.BREAKING, "nullable_changed"),
]


def test_the_history_is_complete_and_ordered() -> None:
    assert [path.stem for path in HISTORY_FILES[1:]] == [step for step, _, _ in STEPS]


@pytest.mark.parametrize(("step", "expected", "rule"), STEPS, ids=[s for s, _, _ in STEPS])
def test_each_step_has_its_verdict(step: str, expected: Impact, rule: str) -> None:
    index = [path.stem for path in HISTORY_FILES].index(step)
    old, new = history_spec(HISTORY_FILES[index - 1].stem), history_spec(step)
    changes = compare_documents(old.document, new.document)
    assert verdict([c.impact for c in changes]) is expected, changes
    assert any(c.rule == rule and c.impact is expected for c in changes), changes


def test_open_enum_value_added_says_why_it_is_compatible() -> None:
    changes = compare_documents(
        history_spec("08_error_fields_added").document,
        history_spec("09_error_type_value_added").document,
    )
    (added,) = [c for c in changes if c.rule == "enum_added"]
    assert "USER_ERROR" in added.change and "open" in added.change
    assert added.location.endswith("error_type <anyOf 0>")


def test_a_step_compared_with_itself_has_no_changes() -> None:
    spec = history_spec("14_response_field_made_nullable").document
    assert compare_documents(spec, spec) == []


def test_first_to_last_accumulates_the_worst() -> None:
    changes = compare_documents(
        history_spec("01_initial").document,
        history_spec("14_response_field_made_nullable").document,
    )
    rules = {c.rule for c in changes}
    assert verdict([c.impact for c in changes]) is Impact.BREAKING
    assert {"operation_id_changed", "response_added", "enum_removed"} <= rules
    # user went optional -> required -> optional: no net change to report for it.
    assert not any(c.location.endswith(" user") for c in changes if c.rule == "required_changed")
