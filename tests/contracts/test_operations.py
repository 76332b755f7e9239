"""The per-operation registry: every operation of the spec has its contract module, found by
discovery, and the shared machinery looks it up by the case, the route or the label at hand."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from plaid_contracts import operations
from plaid_contracts.operations import session_token_create
from plaid_session_client import PlaidSessionClient
from plaid_tools.paths import SPEC

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec_operations() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> operationId in snake_case (the generated client's name), from the spec."""
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return {
        (method.upper(), path): re.sub(r"(?<!^)(?=[A-Z])", "_", definition["operationId"]).lower()
        for path, item in spec["paths"].items()
        for method, definition in item.items()
        if method in HTTP_METHODS
    }


def test_every_operation_of_the_spec_has_a_contract_module_and_no_other() -> None:
    registered = {(op.method, op.path): op.name for op in operations.registered()}
    assert registered == spec_operations()
    for operation in operations.registered():
        # Its name is the generated client's method, which its client tests call.
        assert callable(getattr(PlaidSessionClient, operation.name))
        assert operation.label == f"{operation.method} {operation.path}"


def test_operations_are_found_by_route_label_and_case() -> None:
    operation = session_token_create.OPERATION
    assert operations.for_route("post", "/session/token/create") is operation
    assert operations.for_route("GET", "/session/token/create") is None
    assert operations.for_label("POST /session/token/create") is operation
    case: Any = SimpleNamespace(operation=SimpleNamespace(method="post", path=operation.path))
    assert operations.for_case(case) is operation
    with pytest.raises(KeyError, match="no contract module for POST /link/token/create"):
        operations.for_label("POST /link/token/create")


def test_fixtures_are_the_operations_own_each_variable_once() -> None:
    endpoint = session_token_create
    assert operations.fixtures() == (
        endpoint.TEMPLATE,
        endpoint.REDIRECT_URI,
        endpoint.ANDROID_PACKAGE_NAME,
    )
    assert endpoint.TEMPLATE.env == "PLAID_TEMPLATE_ID"
    assert [f.optional for f in operations.fixtures()] == [False, True, True]
    # An optional fixture the run was not given is left out.
    assert endpoint.OPERATION.fixture_values({"PLAID_TEMPLATE_ID": "template_x"}) == {
        "template_id": "template_x"
    }


def test_a_module_without_an_operation_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Discovery imports every module of the package: one that defines no OPERATION is named."""
    (tmp_path / "half_written.py").write_text("PATH = '/link/token/create'\n")
    monkeypatch.setattr(operations, "__path__", [*operations.__path__, str(tmp_path)])
    monkeypatch.setattr(operations, "_registered", None)

    with pytest.raises(TypeError, match=r"plaid_contracts\.operations\.half_written must define"):
        operations.registered()
