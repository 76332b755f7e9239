"""A comparable view of one schema node: `$ref`s followed, `allOf` folded, nullability unified.

The view is shallow (properties, items and variants stay raw nodes) so recursive schemas are
never expanded here; the differ walks them and guards against cycles.

Nullability is one flag whatever the spelling: `nullable: true` (3.0), `type: [x, "null"]`
(3.1), a `{type: "null"}` variant in `anyOf`/`oneOf`, or `null` among the enum values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plaid_tools.spec_diff.loader import Resolver, component_name

UNION_KEYWORDS = ("anyOf", "oneOf")
# Keywords that only document: changing them changes no byte on the wire.
DOCS_KEYWORDS = frozenset(
    {
        "description",
        "summary",
        "example",
        "examples",
        "externalDocs",
        "deprecated",
        "$comment",
        "xml",
        "title",
    }
)


@dataclass(frozen=True)
class SchemaView:
    """One schema node as the rules see it."""

    raw: dict[str, Any]
    component: str | None
    types: frozenset[str] | None  # None: any type; "null" is never in here (see nullable)
    nullable: bool
    enum: tuple[Any, ...] | None  # without None (see nullable)
    variants: tuple[Any, ...]  # raw variant nodes, for anyOf/oneOf
    union_kind: str | None

    @property
    def properties(self) -> dict[str, Any]:
        props = self.raw.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def required(self) -> frozenset[str]:
        return frozenset(self.raw.get("required") or ())

    @property
    def generates_class(self) -> bool:
        """Whether openapi-python-client makes a class (a model or an enum) for this node."""
        is_object = self.types == frozenset({"object"}) or bool(self.properties)
        return (is_object or self.enum is not None) and not self.variants

    def class_name(self) -> str | None:
        """The class name the generator derives from the spec, or None for inline naming."""
        title = self.raw.get("title")
        name = title if isinstance(title, str) and title else self.component
        return pascal_case(name) if name else None


def pascal_case(name: str) -> str:
    """Roughly the generator's class naming: words split on non-alphanumerics, capitalised."""
    words = re.split(r"[^0-9A-Za-z]+", name)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def _types_of(raw: dict[str, Any]) -> tuple[frozenset[str] | None, bool]:
    declared = raw.get("type")
    if isinstance(declared, str):
        names = {declared}
    elif isinstance(declared, list):
        names = {str(name) for name in declared}
    elif "properties" in raw or "additionalProperties" in raw:
        names = {"object"}
    elif "items" in raw:
        names = {"array"}
    else:
        return None, False
    nullable = "null" in names
    names.discard("null")
    return (frozenset(names) if names else None), nullable


def _is_null_schema(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") in ("null", ["null"])


def _combine(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """allOf semantics for the keywords that matter; otherwise the later part wins."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties" and isinstance(value, dict):
            props = dict(merged[key])
            for name, schema in value.items():
                props[name] = {"allOf": [props[name], schema]} if name in props else schema
            merged[key] = props
        elif key == "required":
            merged[key] = sorted({*merged[key], *value})
        elif key == "enum":
            merged[key] = [item for item in merged[key] if item in value]
        elif key == "type" and merged[key] != value:
            left = set(merged[key] if isinstance(merged[key], list) else [merged[key]])
            right = set(value if isinstance(value, list) else [value])
            both = sorted(left & right)
            merged[key] = both[0] if len(both) == 1 else both
        else:
            merged[key] = value
    return merged


def fold_all_of(
    node: dict[str, Any], resolver: Resolver, seen: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`node` with its `allOf` parts merged into it (their `$ref`s followed), as one schema."""
    parts = node.get("allOf")
    own = {key: value for key, value in node.items() if key not in ("allOf", "$ref")}
    if not isinstance(parts, list):
        return own
    merged: dict[str, Any] = {}
    for part in parts:
        target, chain = resolver.follow(part)
        if seen.intersection(chain) or not isinstance(target, dict):
            continue  # a schema that includes itself through allOf adds nothing new
        merged = _combine(merged, fold_all_of(target, resolver, seen.union(chain)))
    # The schema's own keywords come last so its description/title win over the parts'.
    return _combine(merged, own)


def _single_ref_component(node: dict[str, Any], resolver: Resolver) -> str | None:
    """`allOf: [$ref X]` with only docs beside it is X under another description."""
    parts = node.get("allOf")
    if not isinstance(parts, list) or len(parts) != 1:
        return None
    if set(node) - DOCS_KEYWORDS - {"allOf", "nullable"}:
        return None
    _, chain = resolver.follow(parts[0])
    return component_name(chain[-1]) if chain else None


def view(node: Any, resolver: Resolver) -> SchemaView:
    """The comparable view of a schema node (a raw node, possibly a `$ref`)."""
    if not isinstance(node, dict):
        # `true`/`{}` accept anything; `false` nothing: neither has structure to compare.
        return SchemaView({}, None, None, False, None, (), None)
    siblings = {key: value for key, value in node.items() if key != "$ref"}
    target, chain = resolver.follow(node)
    target = target if isinstance(target, dict) else {}
    component = component_name(chain[-1]) if chain else _single_ref_component(target, resolver)
    raw = fold_all_of(target, resolver, frozenset(chain))
    raw.update(siblings if chain else {})  # 3.1 allows docs beside a $ref; they win
    return _finish(raw, component, resolver)


def _finish(raw: dict[str, Any], component: str | None, resolver: Resolver) -> SchemaView:
    types, nullable = _types_of(raw)
    nullable = nullable or raw.get("nullable") is True
    union_kind = next((key for key in UNION_KEYWORDS if isinstance(raw.get(key), list)), None)
    variants: tuple[Any, ...] = tuple(raw[union_kind]) if union_kind else ()
    if any(_is_null_schema(resolver.follow(v)[0]) for v in variants):
        nullable = True
        variants = tuple(v for v in variants if not _is_null_schema(resolver.follow(v)[0]))
        if len(variants) == 1:
            # `anyOf: [X, null]` is a nullable X: compare it as X.
            inner = view(variants[0], resolver)
            docs = {key: raw[key] for key in DOCS_KEYWORDS if key in raw}
            return SchemaView(
                {**inner.raw, **docs},
                inner.component,
                inner.types,
                True,
                inner.enum,
                inner.variants,
                inner.union_kind,
            )
    enum: tuple[Any, ...] | None = None
    if isinstance(raw.get("enum"), list):
        values = raw["enum"]
        nullable = nullable or None in values
        enum = tuple(value for value in values if value is not None)
    elif "const" in raw:
        enum = (raw["const"],)
    return SchemaView(raw, component, types, nullable, enum, variants, union_kind)
