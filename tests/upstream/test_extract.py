"""Cutting our operations out of upstream's whole-API document, and the normalizations."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from plaid_tools.spec_diff.loader import SpecLoadError
from plaid_tools.spec_lint import check_generator_traps
from plaid_tools.upstream.extract import cut, extract, operations

from .conftest import OURS, UPSTREAM, load, schemas


def test_only_our_operations_and_what_they_reach_are_kept() -> None:
    upstream = load(UPSTREAM)
    document = extract(upstream, load(OURS), "upstream").document
    assert list(document["paths"]) == ["/widget/create"]
    assert set(schemas(document)) == {
        "APIClientID",
        "APISecret",
        "PlaidError",
        "PlaidErrorType",
        "RequestID",  # reached through the WidgetRequestID -> RequestID chain
        "UserId",
        "Widget",
        "WidgetCreateRequest",
        "WidgetCreateRequestOwner",
        "WidgetCreateResponse",
        "WidgetRequestID",
    }
    assert set(document["components"]["securitySchemes"]) == {
        "WidgetClientId",
        "WidgetSecret",
        "plaidVersion",
    }
    assert document["openapi"] == "3.0.0" and document["info"]["x-generated-by"]


def test_allof_over_a_string_becomes_one_string_schema() -> None:
    upstream = load(UPSTREAM)
    raw = cut(upstream, operations(load(OURS)), "upstream")
    assert check_generator_traps(raw)  # what our lint and generator reject
    result = extract(upstream, load(OURS), "upstream")
    owner = schemas(result.document)["WidgetCreateRequestOwner"]
    assert owner["properties"]["user_id"] == {
        "title": "UserId",
        "type": "string",
        "description": "Provide this field only if you created the user with /user/create.",
    }
    assert check_generator_traps(result.document) == []
    assert any("WidgetCreateRequestOwner.properties.user_id" in note for note in result.notes)


def test_allof_over_objects_is_left_alone() -> None:
    ours: dict[str, Any] = {"paths": {"/gadget/list": {"post": {"responses": {}}}}}
    document = extract(load(UPSTREAM), ours, "upstream").document
    items = schemas(document)["GadgetListResponse"]["properties"]["gadgets"]["items"]
    assert [part.get("$ref") for part in items["allOf"]] == [
        "#/components/schemas/GadgetBase",
        None,
    ]


def test_security_schemes_take_our_names_only_for_the_same_header() -> None:
    result = extract(load(UPSTREAM), load(OURS), "upstream")
    assert result.document["security"] == [
        {"WidgetClientId": [], "WidgetSecret": [], "plaidVersion": []}
    ]
    assert "security scheme `clientId` is our `WidgetClientId` (same header)" in result.notes


def test_the_upstream_document_is_not_changed() -> None:
    upstream = load(UPSTREAM)
    before = copy.deepcopy(upstream)
    extract(upstream, load(OURS), "upstream")
    assert upstream == before


def test_an_operation_missing_upstream_is_a_load_error() -> None:
    ours: dict[str, Any] = {"paths": {"/widget/delete": {"post": {"responses": {}}}}}
    with pytest.raises(SpecLoadError, match=r"POST /widget/delete is not in upstream's paths"):
        extract(load(UPSTREAM), ours, "upstream.yaml")
