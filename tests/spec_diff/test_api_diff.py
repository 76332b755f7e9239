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

# On one xdist worker, so that its fixture is made once: conftest.generated_client.
pytestmark = pytest.mark.xdist_group("spec-diff-clients")

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


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / "pk" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "pk" / name).write_text(text)
    return root


SURFACE_OLD = {
    "__init__.py": "from ._impl import Thing, make\n\n__all__ = ['Thing', 'make']\n",
    "client.py": "from ._impl import Thing\n\n__all__ = ['Thing']\n",
    "_impl.py": (
        "class Thing:\n"
        "    def run(self, a: int, b: int = 0) -> int:\n"
        "        return a + b\n\n"
        "def make() -> Thing:\n"
        "    return Thing()\n\n"
        "def helper(x: int) -> int:\n"
        "    return x\n"
    ),
}


def test_what_a_private_module_defines_counts_where_it_is_re_exported(tmp_path: Path) -> None:
    """The public surface is what users import: a re-export of a private module's object is
    guarded under the public name (the shortest one), and the private module itself is not."""
    old = write_package(tmp_path / "old", SURFACE_OLD)
    impl = SURFACE_OLD["_impl.py"]
    changed = (
        impl.replace("b: int = 0", "c: int = 0")  # a public parameter renamed: breaking
        .replace("return a + b\n", "return a + c\n\n    def stop(self) -> None: ...\n")
        .replace("def helper(x: int)", "def helper(y: int, z: int)")  # private: free to change
    )
    new = write_package(tmp_path / "new", {**SURFACE_OLD, "_impl.py": changed})
    changes = {(c.location, c.kind, c.impact) for c in diff_packages(old, new, "pk")}
    assert changes == {
        ("pk.Thing.run", "parameter_removed", Impact.BREAKING),
        ("pk.Thing.stop", "function_added", Impact.COMPATIBLE),
        ("pk.Thing.run", "parameter_added", Impact.COMPATIBLE),
    }


def test_moving_an_object_into_a_private_module_behind_its_old_name_changes_nothing(
    tmp_path: Path,
) -> None:
    old = write_package(tmp_path / "old", {"__init__.py": SURFACE_OLD["_impl.py"]})
    new = write_package(
        tmp_path / "new",
        {
            "__init__.py": "from ._impl import Thing, helper, make\n\n"
            "__all__ = ['Thing', 'helper', 'make']\n",
            "_impl.py": SURFACE_OLD["_impl.py"],
        },
    )
    assert diff_packages(old, new, "pk") == []
