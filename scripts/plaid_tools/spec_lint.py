"""Spec checks that matter for this product, on top of openapi-spec-validator.

Rules (each returns readable problems, never raises on a bad spec):
- the document is valid OpenAPI (openapi-spec-validator);
- every schema, property, parameter, header, response and security scheme is described;
- every example validates against its own schema;
- every operation has a unique operationId (it names the generated function);
- no construct the pinned generator drops or rejects: a static check for known traps, then a
  real generation with --fail-on-warning (the generator is the final judge).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from openapi_spec_validator import validate as validate_openapi

from plaid_tools import paths, refs
from plaid_tools.regenerate import GenerationError, generate_into

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Json = Any


def load(spec_path: Path) -> Json:
    return yaml.safe_load(spec_path.read_text(encoding="utf-8"))


def check_valid_openapi(spec: Json) -> list[str]:
    try:
        validate_openapi(spec)
    except Exception as error:  # the validator raises several unrelated types
        return [f"not valid OpenAPI: {getattr(error, 'message', error)}"]
    return []


def _schemas_with_paths(node: Json, where: str) -> Iterator[tuple[str, Json]]:
    """Every schema reachable from `node` without following $ref, with a readable path."""
    if not isinstance(node, dict) or "$ref" in node:
        return
    yield where, node
    for name, prop in (node.get("properties") or {}).items():
        yield from _schemas_with_paths(prop, f"{where}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _schemas_with_paths(node["items"], f"{where}[]")
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, member in enumerate(node.get(keyword) or []):
            yield from _schemas_with_paths(member, f"{where}.{keyword}[{index}]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from _schemas_with_paths(node["additionalProperties"], f"{where}.*")


def _operations(spec: Json) -> Iterator[tuple[str, Json]]:
    """Each operation, with its path item's parameters merged in (they apply to it too)."""
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                operation = dict(item[method])
                operation["parameters"] = [
                    *(item.get("parameters") or []),
                    *(operation.get("parameters") or []),
                ]
                yield f"{method.upper()} {path}", operation


def _described(node: Json) -> bool:
    return isinstance(node, dict) and bool(str(node.get("description", "")).strip())


def _inline(items: Json) -> list[Json]:
    """The items of a list that are written in place, not `$ref`s to components."""
    return [item for item in items or [] if isinstance(item, dict) and "$ref" not in item]


def check_descriptions(spec: Json) -> list[str]:
    problems: list[str] = []
    components = spec.get("components") or {}
    roots: list[tuple[str, Json]] = [
        (f"components.schemas.{name}", schema)
        for name, schema in (components.get("schemas") or {}).items()
    ]
    for kind in ("parameters", "headers", "securitySchemes", "responses"):
        for name, item in (components.get(kind) or {}).items():
            if not _described(item):
                problems.append(f"components.{kind}.{name} has no description")
            if isinstance(item, dict) and "schema" in item:
                roots.append((f"components.{kind}.{name}.schema", item["schema"]))
    for label, operation in _operations(spec):
        if not _described(operation):
            problems.append(f"{label} has no description")
        for parameter in _inline(operation.get("parameters")):
            where = f"{label} parameter {parameter.get('name')}"
            if not _described(parameter):
                problems.append(f"{where} has no description")
            roots.append((f"{where} schema", parameter.get("schema")))
        for status, response in (operation.get("responses") or {}).items():
            if "$ref" not in response and not _described(response):
                problems.append(f"{label} response {status} has no description")
            for name, header in (response.get("headers") or {}).items():
                if "$ref" in header:
                    continue
                if not _described(header):
                    problems.append(f"{label} response {status} header {name} has no description")
                roots.append(
                    (f"{label} response {status} header {name} schema", header.get("schema"))
                )
            for media, content in (response.get("content") or {}).items():
                roots.append((f"{label} response {status} {media}", content.get("schema")))
        body = operation.get("requestBody") or {}
        for media, content in (body.get("content") or {}).items():
            roots.append((f"{label} request {media}", content.get("schema")))
    for root_label, root in roots:
        for where, schema in _schemas_with_paths(root, root_label):
            # A bare component reference needs no description of its own.
            is_property_or_item = where != root_label
            if (
                is_property_or_item or root_label.startswith("components.schemas")
            ) and not _described(schema):
                problems.append(f"{where} has no description")
    return problems


def _example_sites(spec: Json) -> Iterator[tuple[str, Json, Json]]:
    """(label, schema, example value) for every example in the document."""
    for label, operation in _operations(spec):
        sites = [("request", operation.get("requestBody") or {})]
        sites += [(f"response {s}", r) for s, r in (operation.get("responses") or {}).items()]
        for site_label, site in sites:
            for media, content in (site.get("content") or {}).items():
                schema = content.get("schema")
                if "example" in content:
                    yield f"{label} {site_label} {media} example", schema, content["example"]
                for name, example in (content.get("examples") or {}).items():
                    yield (
                        f"{label} {site_label} {media} examples.{name}",
                        schema,
                        example.get("value"),
                    )
    for name, schema in ((spec.get("components") or {}).get("schemas") or {}).items():
        if isinstance(schema, dict) and "example" in schema:
            yield f"components.schemas.{name} example", schema, schema["example"]


URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")  # RFC 3986: scheme ":" hier-part


def _format_checker(is_31: bool) -> Any:  # jsonschema.FormatChecker (jsonschema has no stubs)
    """The OpenAPI format checker plus the formats it leaves unchecked that our spec uses."""
    checker = copy.deepcopy(oas31_format_checker if is_31 else oas30_format_checker)
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(URI.fullmatch(value)))
    return checker


def _formats_used(node: Json) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats_used(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats_used(value)


def check_examples(spec: Json) -> list[str]:
    is_31 = str(spec.get("openapi", "")).startswith("3.1")
    validator_class = OAS31Validator if is_31 else OAS30Validator
    format_checker = _format_checker(is_31)
    # A format without a checker would let a wrong example through silently.
    problems = [
        f"no checker for format {name!r}: examples using it would not be checked"
        for name in sorted(
            set(_formats_used(spec.get("components") or {}))
            | set(_formats_used(spec.get("paths") or {}))
        )
        if name not in format_checker.checkers
    ]
    count = 0
    for label, schema, value in _example_sites(spec):
        count += 1
        validator = validator_class(refs.inline(schema, spec), format_checker=format_checker)
        for error in validator.iter_errors(value):
            location = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{label} is invalid at {location}: {error.message}")
    if count == 0:
        problems.append("the spec has no examples")
    return problems


def check_operation_ids(spec: Json) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for label, operation in _operations(spec):
        operation_id = operation.get("operationId")
        if not operation_id:
            problems.append(f"{label} has no operationId (it names the generated function)")
        elif operation_id in seen:
            problems.append(f"{label} reuses operationId {operation_id!r} of {seen[operation_id]}")
        else:
            seen[operation_id] = label
    return problems


def check_generator_traps(spec: Json) -> list[str]:
    """Constructs openapi-python-client 0.29 drops with only a warning.

    allOf with a single member is inlined and fine; with several members the generator merges
    them as objects, and a string member makes it drop the whole endpoint.
    """
    problems: list[str] = []
    for where, schema in _all_schemas(spec):
        members = [refs.inline(member, spec) for member in schema.get("allOf") or []]
        if len(members) > 1 and any(_is_non_object(member) for member in members):
            problems.append(
                f"{where} uses allOf over a non-object; openapi-python-client drops the "
                "whole endpoint ('Cannot take allOf a non-object')"
            )
    return problems


def _is_non_object(schema: Json) -> bool:
    declared = schema.get("type")
    return declared not in (None, "object") or (
        declared is None and "properties" not in schema and "allOf" not in schema
    )


def _all_schemas(spec: Json) -> Iterator[tuple[str, Json]]:
    for name, schema in ((spec.get("components") or {}).get("schemas") or {}).items():
        yield from _schemas_with_paths(schema, f"components.schemas.{name}")
    for label, operation in _operations(spec):
        for site in [
            operation.get("requestBody") or {},
            *(operation.get("responses") or {}).values(),
        ]:
            for media, content in (site.get("content") or {}).items():
                yield from _schemas_with_paths(content.get("schema"), f"{label} {media}")


def check_generates(spec_path: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="plaid-lint-") as tmp:
        try:
            generate_into(Path(tmp) / "client", spec_path=spec_path)
        except GenerationError as error:
            return [f"the pinned generator rejects the spec: {error}"]
    return []


def lint(spec_path: Path, *, generate: bool = True) -> list[str]:
    spec = load(spec_path)
    problems = check_valid_openapi(spec)
    if problems:
        return problems  # the other rules assume a well-formed document
    problems += check_descriptions(spec)
    problems += check_examples(spec)
    problems += check_operation_ids(spec)
    problems += check_generator_traps(spec)
    if generate and not problems:
        problems += check_generates(spec_path)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the OpenAPI spec.")
    parser.add_argument("spec", nargs="?", type=Path, default=paths.SPEC)
    parser.add_argument("--no-generate", action="store_true", help="skip the real generation")
    args = parser.parse_args(argv)
    problems = lint(args.spec, generate=not args.no_generate)
    for problem in problems:
        print(f"{args.spec.name}: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{args.spec.name}: all spec checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
