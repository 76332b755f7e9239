"""The stanzas a report offers: upstream's schema written out for our spec."""

from __future__ import annotations

from typing import Any

from plaid_tools.spec_diff.loader import Resolver
from plaid_tools.upstream.advice import inline


def test_inline_writes_refs_out_and_drops_upstreams_names_not_fields() -> None:
    document: dict[str, Any] = {
        "components": {
            "schemas": {
                "Label": {"title": "Label", "type": "string", "x-hidden-from-docs": True},
                "Node": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Node"}},
                },
            }
        }
    }
    schema = {
        "type": "object",
        "title": "Widget",
        "example": {"title": "x"},
        "required": ["title"],
        "properties": {
            "title": {"$ref": "#/components/schemas/Label"},
            "tree": {"$ref": "#/components/schemas/Node"},
        },
    }
    assert inline(schema, Resolver(document)) == {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string"},  # a field called title stays; the schema's title goes
            "tree": {
                "type": "object",
                "properties": {"child": {"$ref": "#/components/schemas/Node"}},  # recursion
            },
        },
    }
