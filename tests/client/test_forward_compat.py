"""Forward compatibility, property-based: bodies generated from the spec's response schemas,
with random extra keys, dropped optional keys and error types Plaid has not invented yet.

The strategies are built from openapi/plaid-session-token.yaml by a small schema walker (only
the keywords the spec uses), so a field added to the spec is exercised without editing this file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import plaid_session_client as plaid
import yaml
from hypothesis import given
from hypothesis import strategies as st
from plaid_session_client import errors
from plaid_session_client.models import SessionTokenCreateResponse

SPEC: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "openapi" / "plaid-session-token.yaml").read_text(
        encoding="utf-8"
    )
)
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=6,
)
rfc3339 = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for `schema`; objects get extra keys when they allow them."""
    if "$ref" in schema:
        return from_schema(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in schema:
        strategy: st.SearchStrategy[Any] = st.one_of(
            [from_schema(option) for option in schema["anyOf"]]
        )
    elif "enum" in schema:
        strategy = st.sampled_from(schema["enum"])
    elif schema.get("type") == "string":
        strategy = (
            rfc3339
            if schema.get("format") == "date-time"
            else st.text(min_size=schema.get("minLength", 0), max_size=30)
        )
    elif schema.get("type") == "integer":
        strategy = st.integers(min_value=-(2**31), max_value=2**31)
    elif schema.get("type") == "array":
        strategy = st.lists(from_schema(schema["items"]), max_size=3)
    elif schema.get("type") == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = st.fixed_dictionaries(
            {name: from_schema(sub) for name, sub in properties.items() if name in required},
            optional={
                name: from_schema(sub) for name, sub in properties.items() if name not in required
            },
        )
        if schema.get("additionalProperties", True) is not False:
            extra = st.dictionaries(
                st.text(max_size=12).filter(lambda key: key not in properties),
                json_values,
                max_size=3,
            )
            strategy = st.builds(lambda known, more: {**more, **known}, fixed, extra)
        else:
            strategy = fixed
    else:
        raise AssertionError(f"schema keyword not handled by the test strategy: {schema}")
    return st.one_of(strategy, st.none()) if schema.get("nullable") else strategy


success_bodies = from_schema(SCHEMAS["SessionTokenCreateResponse"])
error_bodies = from_schema(SCHEMAS["PlaidError"])
statuses = st.integers(min_value=100, max_value=999)


def respond(status: int, body: object) -> httpx.Response:
    """A response to POST /session/token/create: `parse_response` tells the operation from it."""
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        request=httpx.Request("POST", "https://sandbox.plaid.com/session/token/create"),
    )


@given(body=success_bodies)
def test_any_success_body_the_spec_allows_parses(body: dict[str, Any]) -> None:
    parsed = plaid.parse_response(respond(200, body))
    assert isinstance(parsed, SessionTokenCreateResponse), parsed
    assert parsed.request_id == body["request_id"]
    assert parsed.link.link_token == body["link"]["link_token"]
    assert parsed.link.expiration == datetime.strptime(
        body["link"]["expiration"], "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=UTC)
    assert parsed.additional_properties == {
        k: v for k, v in body.items() if k not in ("link", "request_id")
    }
    assert parsed.to_dict()["link"]["link_token"] == body["link"]["link_token"]


@given(body=error_bodies, status=st.integers(min_value=400, max_value=599))
def test_any_error_body_the_spec_allows_maps_to_its_class(
    body: dict[str, Any], status: int
) -> None:
    error = plaid.parse_response(respond(status, body))
    expected = errors.ERROR_CLASSES.get(body["error_type"], plaid.UnknownPlaidError)
    assert type(error) is expected
    assert isinstance(error, plaid.APIStatusError)
    assert (error.status_code, error.error_type, error.error_code) == (
        status,
        body["error_type"],
        body["error_code"],
    )
    assert (error.error_message, error.display_message, error.request_id) == (
        body["error_message"],
        body["display_message"],
        body["request_id"],
    )
    assert error.model is not None
    assert error.model.additional_properties == {
        k: v for k, v in body.items() if k not in SCHEMAS["PlaidError"]["properties"]
    }


@given(
    body=error_bodies,
    drop=st.sets(st.sampled_from(SCHEMAS["PlaidError"]["required"])),
    error_type=st.text(max_size=30),
)
def test_degraded_error_bodies_and_new_error_types_still_map(
    body: dict[str, Any], drop: set[str], error_type: str
) -> None:
    body = {**body, "error_type": error_type}
    for key in drop - {"error_type"}:
        body.pop(key)
    error = plaid.parse_response(respond(400, body))
    assert type(error) is errors.ERROR_CLASSES.get(error_type, plaid.UnknownPlaidError)
    assert isinstance(error, plaid.APIStatusError)
    assert error.error_type == error_type
    assert error.error_code == body.get("error_code")


@given(
    status=statuses,
    content=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_parse_response_never_raises(status: int, content: bytes) -> None:
    result = plaid.parse_response(
        httpx.Response(status, content=content), operation="session_token_create"
    )
    assert isinstance(result, (SessionTokenCreateResponse, plaid.APIStatusError))
    if isinstance(result, plaid.APIStatusError):
        assert result.status_code == status
        str(result), repr(result)


@given(status=statuses, body=success_bodies | error_bodies | json_values)
def test_parse_response_never_raises_on_json_of_any_shape(status: int, body: object) -> None:
    result = plaid.parse_response(respond(status, body))
    assert isinstance(result, (SessionTokenCreateResponse, plaid.APIStatusError))
