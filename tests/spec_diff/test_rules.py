"""Each rule on small documents, in both directions, and the OpenAPI shapes real specs use:
$ref chains, allOf (strings and objects), anyOf/oneOf, 3.0 and 3.1 nullability, x- extensions,
schemas renamed behind a $ref, recursive schemas."""

from __future__ import annotations

from typing import Any

import pytest
from plaid_tools.spec_diff.loader import Resolver, SpecLoadError
from plaid_tools.spec_diff.model import Impact, Side

from .conftest import STRING, diff, mini, obj, rules_of, verdict_of

B, C, D, N = Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCS, Impact.NONE


def both_ways(old_schema: Any, new_schema: Any) -> tuple[Impact, Impact]:
    """(verdict when the schemas are the request body, verdict when they are the response)."""
    return (
        verdict_of(mini(request=old_schema), mini(request=new_schema)),
        verdict_of(mini(response=old_schema), mini(response=new_schema)),
    )


@pytest.mark.parametrize(
    ("old", "new", "request_impact", "response_impact"),
    [
        (obj(a=STRING), obj(a=STRING, b=STRING), C, C),  # optional field added
        (obj(a=STRING), obj(["b"], a=STRING, b=STRING), B, C),  # required field added
        (obj(a=STRING, b=STRING), obj(a=STRING), B, B),  # field removed
        (obj(a=STRING), obj(["a"], a=STRING), B, C),  # optional -> required
        (obj(["a"], a=STRING), obj(a=STRING), C, B),  # required -> optional
        (obj(a=STRING), obj(a={"type": "integer"}), B, B),  # type changed
        (obj(a={"type": "integer"}), obj(a={"type": "number"}), C, B),  # widened
        (obj(a=STRING), obj(a={**STRING, "nullable": True}), C, B),  # 3.0 nullable added
        (obj(a={**STRING, "nullable": True}), obj(a=STRING), B, C),  # nullable removed
        (
            obj(a={"type": "string", "enum": ["x", "y"]}),
            obj(a={"type": "string", "enum": ["x"]}),
            B,
            C,
        ),  # enum value removed
        (
            obj(a={"type": "string", "enum": ["x"]}),
            obj(a={"type": "string", "enum": ["x", "y"]}),
            C,
            B,
        ),  # added to a closed enum
        (obj(a=STRING), obj(a={"type": "string", "enum": ["x"]}), B, C),  # now an enum
        (obj(a={**STRING, "maxLength": 10}), obj(a={**STRING, "maxLength": 5}), B, C),  # tighter
        (obj(a={**STRING, "maxLength": 5}), obj(a={**STRING, "maxLength": 10}), C, C),  # looser
        (obj(a={**STRING, "minLength": 1}), obj(a={**STRING, "minLength": 3}), B, C),
        (obj(a=STRING), obj(a={**STRING, "pattern": "^[a-z]+$"}), B, C),  # pattern added
        (obj(a={**STRING, "pattern": "^[a-z]+$"}), obj(a=STRING), C, C),  # pattern removed
        (obj(a=STRING), obj(a={**STRING, "format": "uri"}), B, C),  # untyped format added
        (obj(a=STRING), obj(a={**STRING, "format": "date-time"}), B, B),  # Python type changes
        ({**obj(a=STRING), "additionalProperties": False}, obj(a=STRING), C, C),
        (obj(a=STRING), {**obj(a=STRING), "additionalProperties": False}, B, B),
        (obj(a={**STRING, "description": "one"}), obj(a={**STRING, "description": "two"}), D, D),
        (obj(a={**STRING, "example": "x"}), obj(a={**STRING, "example": "y", "x-note": 1}), D, D),
        (obj(a={**STRING, "title": "A"}), obj(a={**STRING, "title": "B"}), D, D),  # no class
        (obj(a={**STRING, "default": "x"}), obj(a={**STRING, "default": "y"}), B, C),
    ],
)
def test_direction_decides(
    old: Any, new: Any, request_impact: Impact, response_impact: Impact
) -> None:
    assert both_ways(old, new) == (request_impact, response_impact)


def test_open_enum_added_value_is_compatible_in_responses_and_says_so() -> None:
    def error_type(values: list[str]) -> dict[str, Any]:
        return obj(t={"anyOf": [{"type": "string", "enum": values}, STRING]})

    changes = diff(mini(response=error_type(["A"])), mini(response=error_type(["A", "B"])))
    (change,) = changes
    assert change.impact is C and "open" in change.change


def test_nullable_spellings_3_0_and_3_1_are_the_same_fact() -> None:
    v30 = mini(response=obj(a={**STRING, "nullable": True}))
    v31 = mini(response=obj(a={"type": ["string", "null"]}), version="3.1.0")
    v31_union = mini(response=obj(a={"anyOf": [STRING, {"type": "null"}]}), version="3.1.0")
    assert [c.rule for c in diff(v30, v31)] == ["docs_changed"]  # only the openapi field
    assert diff(v31, v31_union) == []
    plain = mini(response=obj(a={"type": "string"}), version="3.1.0")
    assert rules_of(diff(plain, v31)) == {"nullable_changed": B}


def test_ref_chains_are_followed_and_compared_by_structure() -> None:
    schemas_old = {"Req": {"$ref": "#/components/schemas/Base"}, "Base": obj(a=STRING)}
    schemas_new = {
        "Req": {"$ref": "#/components/schemas/Mid"},
        "Mid": {"$ref": "#/components/schemas/Base"},
        "Base": obj(["a"], a=STRING),
    }
    ref = {"$ref": "#/components/schemas/Req"}
    changes = diff(mini(request=ref, schemas=schemas_old), mini(request=ref, schemas=schemas_new))
    assert rules_of(changes) == {"required_changed": B}


def test_pure_reference_cycles_are_reported_not_looped() -> None:
    doc = {
        "components": {
            "schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
            }
        }
    }
    with pytest.raises(SpecLoadError, match="cycle"):
        Resolver(doc).follow({"$ref": "#/components/schemas/A"})


def test_all_of_over_strings_merges_constraints() -> None:
    def name(max_length: int) -> dict[str, Any]:
        return obj(n={"allOf": [{"$ref": "#/components/schemas/Name"}, {"maxLength": max_length}]})

    schemas = {"Name": {"type": "string", "minLength": 1}}
    assert (
        verdict_of(mini(request=name(10), schemas=schemas), mini(request=name(10), schemas=schemas))
        is N
    )
    changes = diff(mini(request=name(10), schemas=schemas), mini(request=name(5), schemas=schemas))
    assert rules_of(changes) == {"bounds_changed": B}
    assert changes[0].location.endswith("(application/json) n")


def test_all_of_merges_object_parts() -> None:
    schemas = {"Base": obj(["id"], id=STRING)}
    old = {"allOf": [{"$ref": "#/components/schemas/Base"}, obj(extra=STRING)]}
    new = {"allOf": [{"$ref": "#/components/schemas/Base"}, obj(["extra"], extra=STRING)]}
    flat = obj(["id", "extra"], id=STRING, extra=STRING)
    assert rules_of(
        diff(mini(request=old, schemas=schemas), mini(request=new, schemas=schemas))
    ) == {"required_changed": B}
    # The same shape written flat is not a field change.
    assert verdict_of(mini(request=new, schemas=schemas), mini(request=flat, schemas=schemas)) is N


def test_any_of_and_one_of_variants() -> None:
    two = {"anyOf": [STRING, {"type": "integer"}]}
    three = {"anyOf": [STRING, {"type": "integer"}, {"type": "boolean"}]}
    assert both_ways(obj(v=two), obj(v=three)) == (C, B)
    assert both_ways(obj(v=three), obj(v=two)) == (B, C)
    one_of = {"oneOf": [STRING, {"type": "integer"}]}
    assert rules_of(diff(mini(request=obj(v=two)), mini(request=obj(v=one_of)))) == {
        "union_kind_changed": C
    }
    assert both_ways(obj(v=STRING), obj(v=two)) == (C, B)  # a plain schema gains a variant


def rename_docs(new_name: str, title: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    link = obj(["token"], token=STRING)
    titled = {**link, "title": title} if title else link
    old = mini(response=obj(link={"$ref": "#/components/schemas/Link"}), schemas={"Link": titled})
    new = mini(
        response=obj(link={"$ref": f"#/components/schemas/{new_name}"}), schemas={new_name: titled}
    )
    return old, new


def test_schema_renamed_behind_ref_with_a_title_is_docs() -> None:
    old, new = rename_docs("SessionLink", title="Link")
    assert rules_of(diff(old, new)) == {"schema_renamed": D}


def test_schema_renamed_without_title_renames_the_class_once() -> None:
    old, new = rename_docs("SessionLink", title=None)
    changes = diff(old, new)
    assert rules_of(changes) == {"class_name_changed": B}
    assert "Link is now SessionLink" in changes[0].change
    assert len(changes) == 1  # not also reported as a removed component class


def test_a_title_change_on_a_model_renames_its_class() -> None:
    def doc(title: str) -> dict[str, Any]:
        return mini(
            request={"$ref": "#/components/schemas/R"},
            schemas={"R": {**obj(a=STRING), "title": title}},
        )

    assert rules_of(diff(doc("Request"), doc("ThingRequest"))) == {"class_name_changed": B}


def test_unused_component_class_removed_is_breaking() -> None:
    old = mini(schemas={"Unused": obj(a=STRING)})
    assert rules_of(diff(old, mini())) == {"class_removed": B}
    assert rules_of(diff(mini(), old)) == {"class_added": C}


def test_recursive_schemas_terminate_and_find_deep_changes() -> None:
    def tree(required: list[str]) -> dict[str, Any]:
        node = obj(
            required,
            name=STRING,
            children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        )
        return mini(request={"$ref": "#/components/schemas/Node"}, schemas={"Node": node})

    assert diff(tree([]), tree([])) == []
    changes = diff(tree([]), tree(["name"]))
    assert rules_of(changes) == {"required_changed": B}


def test_x_extensions_anywhere_are_docs() -> None:
    old = mini(request=obj(a=STRING))
    new = mini(request=obj(a={**STRING, "x-internal": True}))
    new["x-logo"] = "l.png"
    new["paths"]["/things"]["post"]["x-plaid-business-unit"] = "u"
    assert verdict_of(old, new) is D


def header(required: bool, enum: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": "Plaid-Version", "in": "header", "required": required, "schema": schema}


def with_params(*params: dict[str, Any]) -> dict[str, Any]:
    doc = mini()
    doc["paths"]["/things"]["post"]["parameters"] = list(params)
    return doc


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (with_params(), with_params(header(False)), C),
        (with_params(), with_params(header(True)), B),
        (with_params(header(False)), with_params(), B),
        (with_params(header(False)), with_params(header(True)), B),
        (with_params(header(True)), with_params(header(False)), C),
        (with_params(header(False, ["a", "b"])), with_params(header(False, ["a"])), B),
        (with_params(header(False, ["a"])), with_params(header(False, ["a", "b"])), C),
    ],
)
def test_parameters(old: dict[str, Any], new: dict[str, Any], expected: Impact) -> None:
    assert verdict_of(old, new) is expected


def test_header_parameter_names_are_case_insensitive() -> None:
    lower = {**header(False), "name": "plaid-version"}
    assert diff(with_params(header(False)), with_params(lower)) == []


def test_responses_added_and_removed() -> None:
    old = mini(response=obj(a=STRING))
    new = mini(response=obj(a=STRING))
    new["paths"]["/things"]["post"]["responses"]["default"] = {"description": "error"}
    assert rules_of(diff(old, new)) == {"response_added": C}
    assert rules_of(diff(new, old)) == {"response_removed": B}


def test_operations_added_removed_and_renamed() -> None:
    old, new = mini(), mini()
    new["paths"]["/other"] = {"get": {"operationId": "getOther", "responses": {}}}
    assert rules_of(diff(old, new)) == {"operation_added": C}
    assert rules_of(diff(new, old)) == {"operation_removed": B}
    renamed = mini()
    renamed["paths"]["/things"]["post"]["operationId"] = "thingCreate"
    assert rules_of(diff(old, renamed)) == {"operation_id_changed": B}


def test_path_parameter_renames_match_the_same_operation() -> None:
    old, new = mini(), mini()
    old["paths"] = {"/things/{id}": old["paths"]["/things"]}
    new["paths"] = {"/things/{thing_id}": new["paths"]["/things"]}
    assert diff(old, new) == []


def test_security_servers_and_info() -> None:
    schemes = {
        "Key": {"type": "apiKey", "in": "header", "name": "X-KEY"},
        "Token": {"type": "http", "scheme": "bearer"},
    }
    old = mini(security=[{"Key": []}])
    old["components"]["securitySchemes"] = schemes
    either = mini(security=[{"Key": []}, {"Token": []}])
    either["components"]["securitySchemes"] = schemes
    assert rules_of(diff(old, either)) == {"security_added": C}
    assert rules_of(diff(either, old)) == {"security_removed": B}
    renamed_header = mini(security=[{"Key": []}])
    renamed_header["components"]["securitySchemes"] = {
        **schemes,
        "Key": {**schemes["Key"], "name": "X-API-KEY"},
    }
    assert rules_of(diff(old, renamed_header)) == {"security_scheme_changed": B}

    servers = [{"url": "https://a.example"}, {"url": "https://b.example"}]
    assert verdict_of(mini(servers=servers), mini(servers=servers[:1])) is B
    assert verdict_of(mini(servers=servers[:1]), mini(servers=servers)) is C
    new_info = mini()
    new_info["info"] = {"title": "t2", "version": "2020-09-14_9.9.9", "description": "d"}
    assert rules_of(diff(mini(), new_info)) == {"info_changed": D}  # version is ignored


def test_first_tag_decides_the_generated_module() -> None:
    old, new = mini(), mini()
    old["paths"]["/things"]["post"]["tags"] = ["things"]
    new["paths"]["/things"]["post"]["tags"] = ["stuff"]
    assert rules_of(diff(old, new)) == {"operation_tag_changed": B}


def _with_security_scheme(doc: dict[str, Any]) -> dict[str, Any]:
    doc["components"]["securitySchemes"] = {
        "Key": {"type": "apiKey", "in": "header", "name": "X-Key"}
    }
    return doc


def test_security_scheme_removed_is_breaking_and_added_is_compatible() -> None:
    with_scheme, without = _with_security_scheme(mini()), mini()
    assert rules_of(diff(with_scheme, without)) == {"security_scheme_removed": Impact.BREAKING}
    assert rules_of(diff(without, with_scheme)) == {"security_scheme_added": Impact.COMPATIBLE}


def _with_response_header(doc: dict[str, Any]) -> dict[str, Any]:
    response = doc["paths"]["/things"]["post"]["responses"]["200"]
    response["headers"] = {"Plaid-Version": {"schema": STRING}}
    return doc


def test_response_header_removed_is_breaking_and_added_is_compatible() -> None:
    with_header, without = _with_response_header(mini()), mini()
    assert rules_of(diff(with_header, without)) == {"response_header_removed": Impact.BREAKING}
    assert rules_of(diff(without, with_header)) == {"response_header_added": Impact.COMPATIBLE}


def sides_of(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Side, str]]:
    return [(change.rule, change.side, change.subject) for change in diff(old, new)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (obj(a=STRING), obj(a=STRING, b=STRING), ("property_added", Side.NEW, "")),
        (obj(a=STRING, b=STRING), obj(a=STRING), ("property_removed", Side.OLD, "")),
        (obj(a=STRING), obj(["a"], a=STRING), ("required_changed", Side.NEW, "")),
        (obj(["a"], a=STRING), obj(a=STRING), ("required_changed", Side.OLD, "")),
        (
            obj(a={**STRING, "minLength": 1}),
            obj(a=STRING),
            ("bounds_changed", Side.OLD, "minLength"),
        ),
        (
            obj(a={**STRING, "maxLength": 5}),
            obj(a={**STRING, "maxLength": 9}),
            ("bounds_changed", Side.BOTH, "maxLength"),
        ),
        (obj(a=STRING), obj(a={**STRING, "format": "uri"}), ("format_changed", Side.NEW, "")),
        (obj(a={**STRING, "nullable": True}), obj(a=STRING), ("nullable_changed", Side.OLD, "")),
        (
            {**obj(a=STRING), "additionalProperties": False},
            obj(a=STRING),
            ("additional_properties_changed", Side.OLD, ""),
        ),
        (
            obj(a={"type": "string", "enum": ["x"]}),
            obj(a={"type": "string", "enum": ["x", "y", "z"]}),
            ("enum_added", Side.NEW, "y, z"),
        ),
        (obj(a={"type": "object"}), obj(a={}), ("type_changed", Side.OLD, "")),
        (
            obj(a={**STRING, "default": "x"}),
            obj(a=STRING),
            ("other_keyword_changed", Side.OLD, "default"),
        ),
    ],
)
def test_each_change_says_which_side_holds_it(
    old: Any, new: Any, expected: tuple[str, Side, str]
) -> None:
    """Read in both directions (our spec against Plaid's), old only, new only or both."""
    assert sides_of(mini(request=old), mini(request=new)) == [expected]


def test_document_level_changes_say_which_side_holds_them() -> None:
    with_header, without = _with_response_header(mini()), mini()
    assert sides_of(with_header, without) == [("response_header_removed", Side.OLD, "")]
    with_scheme = _with_security_scheme(mini())
    assert sides_of(mini(), with_scheme) == [("security_scheme_added", Side.NEW, "")]


def test_a_component_renamed_inside_a_union_is_paired_by_shape() -> None:
    """Plaid's closed PlaidErrorType against our anyOf [KnownErrorType, string]: the enums pair
    up, so a new value shows as such, not as one variant removed and another added."""
    ours = mini(
        response=obj(t={"anyOf": [{"$ref": "#/components/schemas/Known"}, STRING]}),
        schemas={"Known": {"type": "string", "enum": ["A"]}},
    )
    theirs = mini(
        response=obj(t={"$ref": "#/components/schemas/Kind"}),
        schemas={"Kind": {"type": "string", "enum": ["A", "B"]}},
    )
    found = {(c.rule, c.subject) for c in diff(ours, theirs)}
    assert ("enum_added", "B") in found
    assert ("variant_removed", "string") in found
    assert not any(rule == "variant_added" for rule, _ in found)
