"""The spec checks pass on our spec and catch each kind of problem they exist for."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from plaid_tools import paths, refs, spec_lint


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(paths.SPEC.read_text(encoding="utf-8"))
    return loaded


def lint_variant(spec: dict[str, Any], tmp_path: Path, edit: Any) -> list[str]:
    variant = copy.deepcopy(spec)
    edit(variant)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
    return spec_lint.lint(path, generate=False)


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"]["/session/token/create"]["post"]  # type: ignore[no-any-return]


def test_committed_spec_passes_every_check_including_generation() -> None:
    assert spec_lint.lint(paths.SPEC) == []


def test_invalid_openapi_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    problems = lint_variant(spec, tmp_path, lambda s: s.pop("info"))
    assert len(problems) == 1 and problems[0].startswith("not valid OpenAPI")


def test_undescribed_property_is_named_by_its_path(spec: dict[str, Any], tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        del schemas(s)["SessionTokenCreateRequestUser"]["properties"]["user_id"]["description"]

    problems = lint_variant(spec, tmp_path, edit)
    assert problems == [
        "components.schemas.SessionTokenCreateRequestUser.user_id has no description"
    ]


def test_undescribed_schema_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    problems = lint_variant(
        spec, tmp_path, lambda s: schemas(s)["SessionTokenCreateResponse"].pop("description")
    )
    assert problems == ["components.schemas.SessionTokenCreateResponse has no description"]


def test_example_that_breaks_its_schema_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        created = operation(s)["responses"]["200"]["content"]["application/json"]["examples"]
        created["created"]["value"]["link"]["expiration"] = "tomorrow"

    problems = lint_variant(spec, tmp_path, edit)
    assert len(problems) == 1
    assert "examples.created is invalid at link/expiration" in problems[0]
    assert "date-time" in problems[0]


def test_request_example_with_unknown_field_is_reported(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    def edit(s: dict[str, Any]) -> None:
        examples = operation(s)["requestBody"]["content"]["application/json"]["examples"]
        examples["minimal"]["value"]["user"]["phone_number"] = "+1 415 555 0123"

    problems = lint_variant(spec, tmp_path, edit)
    assert len(problems) == 1 and "examples.minimal is invalid at user" in problems[0]


def test_missing_operation_id_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    problems = lint_variant(spec, tmp_path, lambda s: operation(s).pop("operationId"))
    assert problems == [
        "POST /session/token/create has no operationId (it names the generated function)"
    ]


def test_allof_over_a_string_is_reported_before_the_generator_drops_the_endpoint(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    def edit(s: dict[str, Any]) -> None:
        schemas(s)["PlaidUserId"] = {"type": "string", "description": "A Plaid user id."}
        user = schemas(s)["SessionTokenCreateRequestUser"]["properties"]
        user["user_id"] = {
            "description": "Plaid's id.",
            "allOf": [{"$ref": "#/components/schemas/PlaidUserId"}, {"description": "Plaid's id."}],
        }

    problems = lint_variant(spec, tmp_path, edit)
    assert len(problems) == 1 and "allOf over a non-object" in problems[0]


def test_generator_rejection_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    # Plaid's own published fragment: allOf over a string. Without --fail-on-warning the
    # generator would drop the endpoint and exit 0; our pipeline must fail instead.
    variant = copy.deepcopy(spec)
    schemas(variant)["PlaidUserId"] = {"type": "string", "description": "A Plaid user id."}
    schemas(variant)["SessionTokenCreateRequestUser"]["properties"]["user_id"] = {
        "allOf": [{"$ref": "#/components/schemas/PlaidUserId"}, {"description": "Plaid's id."}],
    }
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
    problems = spec_lint.check_generates(path)
    assert len(problems) == 1
    assert "rejects the spec" in problems[0] and "allOf" in problems[0]


def test_webhook_example_that_is_not_a_uri_is_reported(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    def edit(s: dict[str, Any]) -> None:
        examples = operation(s)["requestBody"]["content"]["application/json"]["examples"]
        examples["full"]["value"]["webhook"] = "not a uri at all"

    problems = lint_variant(spec, tmp_path, edit)
    assert len(problems) == 1 and "examples.full is invalid at webhook" in problems[0]


def test_a_format_without_a_checker_is_reported(spec: dict[str, Any], tmp_path: Path) -> None:
    def edit(s: dict[str, Any]) -> None:
        schemas(s)["SessionTokenCreateRequestUser"]["properties"]["user_id"]["format"] = "plaid-id"

    problems = lint_variant(spec, tmp_path, edit)
    assert problems == ["no checker for format 'plaid-id': examples using it would not be checked"]


def test_inline_parameter_and_response_header_need_descriptions(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    def edit(s: dict[str, Any]) -> None:
        operation(s)["parameters"].append(
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
        )
        headers = operation(s)["responses"]["200"].setdefault("headers", {})
        headers["X-Request"] = {"schema": {"type": "string"}}

    problems = lint_variant(spec, tmp_path, edit)
    assert sorted(problems) == [
        "POST /session/token/create parameter X-Trace has no description",
        "POST /session/token/create response 200 header X-Request has no description",
    ]


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"template_id": "t", "user": {"client_user_id": "u"}}, True),
        ({"template_id": "t", "user_id": "usr_1"}, True),
        ({"template_id": "t", "user": {"client_user_id": "u"}, "user_id": "usr_1"}, True),
        ({"template_id": "t"}, False),
        ({"template_id": "t", "user_id": ""}, False),
    ],
)
def test_the_spec_requires_user_or_a_root_level_user_id(
    spec: dict[str, Any], body: dict[str, Any], valid: bool
) -> None:
    """Plaid's rule ("user required if a root-level user_id is not provided"), as validators
    and schemathesis read the spec."""
    request = refs.inline(schemas(spec)["SessionTokenCreateRequest"], spec)
    assert OAS30Validator(request).is_valid(body) is valid
