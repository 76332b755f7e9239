"""Success models check the JSON type of every field they read, property-based.

A valid body is generated from the spec's response schema (test_forward_compat's walker), then
one field, at any depth, gets a value of a JSON type its schema does not allow. The client must
answer UnexpectedResponseError, never a model holding the wrong type. Fields and types come from
openapi/plaid-session-token.yaml, so this exercises the templates' generic checks for whatever
the spec holds; extra fields and unknown enum values stay accepted (test_forward_compat).
"""

from __future__ import annotations

from typing import Any

import plaid_session_client as plaid
import pytest
from hypothesis import given
from hypothesis import strategies as st
from plaid_session_client import errors
from plaid_session_client.models import SessionTokenCreateResponse

from tests.client.test_forward_compat import (
    SCHEMAS,
    error_bodies,
    json_values,
    respond,
    success_bodies,
)

Path = tuple[str, ...]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def allowed_types(schema: dict[str, Any]) -> set[str]:
    schema = resolve(schema)
    if "anyOf" in schema:
        allowed = set().union(*(allowed_types(option) for option in schema["anyOf"]))
    elif "enum" in schema:
        allowed = {json_type(value) for value in schema["enum"]}
    else:
        allowed = {schema["type"]} | ({"integer"} if schema["type"] == "number" else set())
    return allowed | ({"null"} if schema.get("nullable") else set())


def field_paths(
    schema: dict[str, Any], body: object, path: Path = ()
) -> list[tuple[Path, dict[str, Any]]]:
    """Every declared property present in `body`, at any depth, with its schema."""
    schema = resolve(schema)
    found: list[tuple[Path, dict[str, Any]]] = []
    if schema.get("type") == "object" and isinstance(body, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in body:
                found.append(((*path, name), sub))
                found += field_paths(sub, body[name], (*path, name))
    return found


def replaced(body: Any, path: Path, value: object) -> Any:
    if not path:
        return value
    return {**body, path[0]: replaced(body[path[0]], path[1:], value)}


def wrong_value(schema: dict[str, Any]) -> st.SearchStrategy[object]:
    """A JSON value `schema` does not accept; for a date-time, also strings without an offset."""
    allowed = allowed_types(schema)
    wrong = json_values.filter(lambda value: json_type(value) not in allowed)
    if resolve(schema).get("format") == "date-time":
        naive = st.datetimes().map(lambda moment: moment.isoformat(timespec="seconds"))
        wrong = wrong | naive | st.sampled_from(["2030-01-01", "20300101T000000Z", "tomorrow"])
    return wrong


@st.composite
def mistyped(draw: st.DrawFn, schema_name: str, bodies: st.SearchStrategy[Any]) -> tuple[Any, Path]:
    body = draw(bodies)
    path, schema = draw(st.sampled_from(field_paths(SCHEMAS[schema_name], body)))
    return replaced(body, path, draw(wrong_value(schema))), path


@given(case=mistyped("SessionTokenCreateResponse", success_bodies))
def test_a_success_body_with_a_mistyped_field_is_unexpected(case: tuple[Any, Path]) -> None:
    body, path = case
    result = plaid.parse_response(respond(200, body))
    assert type(result) is plaid.UnexpectedResponseError, (path, body)
    assert "does not match SessionTokenCreateResponse" in str(result)


@given(case=mistyped("PlaidError", error_bodies))
def test_an_error_body_with_a_mistyped_field_still_maps_but_has_no_model(
    case: tuple[Any, Path],
) -> None:
    # Errors are read leniently (a handler needs error_type and error_code whatever else is
    # wrong); only the full model, which promises the spec's types, is withheld.
    body, path = case
    result = plaid.parse_response(respond(400, body))
    assert isinstance(result, plaid.APIStatusError)
    if path == ("error_type",) and not isinstance(body["error_type"], str):
        assert type(result) is plaid.UnexpectedResponseError
    else:
        assert type(result) is errors.ERROR_CLASSES.get(body["error_type"], plaid.UnknownPlaidError)
        assert result.model is None, (path, body)


def test_the_walker_reaches_nested_fields() -> None:
    paths = {
        path for path, _ in field_paths(SCHEMAS["SessionTokenCreateResponse"], success_example())
    }
    assert {("link",), ("link", "link_token"), ("link", "expiration"), ("request_id",)} <= paths


def success_example() -> dict[str, Any]:
    return {
        "link": {"link_token": "link-sandbox-x", "expiration": "2030-01-01T00:00:00Z"},
        "request_id": "Ab1Cd2Ef3Gh4Ij5",
    }


@pytest.mark.parametrize(
    "expiration",
    [
        "2030-01-01T00:00:00Z",
        "2030-01-01t00:00:00z",
        "2030-01-01T00:00:00.5+05:30",
        "2030-01-01T00:00:00-00:00",
    ],
)
def test_rfc3339_date_times_with_an_offset_parse_aware(expiration: str) -> None:
    body = {**success_example(), "link": {"link_token": "x", "expiration": expiration}}
    result = plaid.parse_response(respond(200, body))
    assert isinstance(result, SessionTokenCreateResponse)
    assert result.link.expiration.tzinfo is not None
