"""The generated client's public API diff with griffe (regenerates clients: a few seconds)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from plaid_tools.spec_diff import compare
from plaid_tools.spec_diff.__main__ import main
from plaid_tools.spec_diff.api_diff import diff_packages
from plaid_tools.spec_diff.loader import load_source
from plaid_tools.spec_diff.model import Impact

from .conftest import HISTORY

ClientFactory = Callable[[str], Path]


def test_a_request_field_made_required_breaks_the_model_constructor(
    generated_client: ClientFactory,
) -> None:
    changes = diff_packages(
        generated_client("04_more_optional_fields"), generated_client("05_user_made_required")
    )
    required = {(c.location.rsplit(".", 2)[-2], c.kind) for c in changes}
    assert ("SessionTokenCreateRequest", "parameter_changed_required") in required
    assert ("SessionTokenCreateRequestUser", "parameter_changed_required") in required


def test_fields_made_optional_or_added_as_optional_are_compatible_additions(
    generated_client: ClientFactory,
) -> None:
    changes = diff_packages(
        generated_client("05_user_made_required"),
        generated_client("06_user_optional_again_root_user_id"),
    )
    assert {c.impact for c in changes} == {Impact.COMPATIBLE}, changes
    added = {(*c.location.rsplit(".", 2)[-2:], c.kind) for c in changes}
    # The new root-level field, as a model attribute and as a constructor keyword.
    assert ("SessionTokenCreateRequest", "user_id", "attribute_added") in added
    assert ("SessionTokenCreateRequest", "__init__", "parameter_added") in added


def test_a_removed_enum_value_removes_the_enum_member(generated_client: ClientFactory) -> None:
    changes = diff_packages(
        generated_client("09_error_type_value_added"),
        generated_client("10_error_type_value_removed"),
    )
    assert [c.location.rsplit(".", 2)[-2:] for c in changes] == [
        ["KnownPlaidErrorType", "INSTITUTION_ERROR"]
    ]


@pytest.mark.timeout(120)
def test_cli_reports_griffe_breakages_with_the_repository_templates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = HISTORY / "11_request_enum_value_removed.yaml"
    new = HISTORY / "12_operation_id_changed.yaml"
    code = main([str(old), str(new), "--format", "json", "--fail-on", "breaking"])
    data = json.loads(capsys.readouterr().out)
    assert data["api_diff"] == "done", data["api_diff"]
    assert data["verdict"] == "breaking" and code == 1
    # The generated function module is named after the operationId.
    assert any(
        c["location"].endswith("api.session.session_token_create") for c in data["api_changes"]
    ), data["api_changes"]
    assert {c["impact"] for c in data["api_changes"]} <= {"breaking", "compatible"}


def test_a_spec_our_templates_cannot_render_still_gets_a_stock_api_diff() -> None:
    """Early revisions have no PlaidError model, which our error templates build on."""
    old = load_source(str(HISTORY / "01_initial.yaml"))
    new = load_source(str(HISTORY / "02_optional_request_field_added.yaml"))
    report = compare(old, new)
    assert report.api_diff_status.startswith("done with the generator's stock templates")


def test_an_attribute_made_a_read_only_property_is_breaking(tmp_path: Path) -> None:
    """griffe sees an attribute on both sides; assigning to it now raises AttributeError."""
    old, new = tmp_path / "old" / "pk", tmp_path / "new" / "pk"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    (old / "__init__.py").write_text(
        "class E(Exception):\n"
        "    def __init__(self, model: int | None = None, body: int = 0) -> None:\n"
        "        self.model = model\n"
        "        self.body = body\n"
    )
    (new / "__init__.py").write_text(
        "class E(Exception):\n"
        "    def __init__(self, model: int | None = None, body: int = 0) -> None:\n"
        "        self._model = model\n"
        "        self._body = body\n\n"
        "    @property\n"
        "    def model(self) -> int | None:\n"
        "        return self._model\n\n"
        "    @property\n"
        "    def body(self) -> int:\n"
        "        return self._body\n\n"
        "    @body.setter\n"
        "    def body(self, value: int) -> None:\n"
        "        self._body = value\n"
    )
    changes = diff_packages(old.parent, new.parent, "pk")
    assert [(c.location, c.kind) for c in changes] == [("pk.E.model", "attribute_made_read_only")]
