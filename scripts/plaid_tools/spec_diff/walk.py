"""Walk two schemas side by side, applying the rules at every position both sides share.

Positions are reached through properties (`.name`), array items (`[]`), additionalProperties
(`{*}`) and union variants (`<anyOf 1>`). Schemas are compared by their resolved structure at
the use site, so a component renamed behind a `$ref` is not a field change. Recursive schemas
stop at the second visit of the same pair of components; results for a pair already compared
are reused, so a schema used in many places costs one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plaid_tools.spec_diff import rules
from plaid_tools.spec_diff.loader import Resolver
from plaid_tools.spec_diff.model import Difference
from plaid_tools.spec_diff.rules import Context
from plaid_tools.spec_diff.schema import SchemaView, view


@dataclass(frozen=True)
class Placed:
    """A difference at a path relative to the schema where the comparison started."""

    path: str
    difference: Difference


def _join(path: str, step: str) -> str:
    if not step:
        return path
    if step.startswith(("[", "{", " <")):
        return path + step
    return f"{path}.{step}" if path else step


class SchemaDiffer:
    """Compares schemas of two documents; one instance per pair of documents."""

    def __init__(self, old: Resolver, new: Resolver) -> None:
        self.old, self.new = old, new
        self._active: set[tuple[str, str, Context]] = set()
        self._memo: dict[tuple[str, str, Context], list[Placed]] = {}
        # (old class name, new class name) pairs seen at use sites, for the component check.
        self.renamed_classes: set[tuple[str, str]] = set()

    def compare(self, old_node: Any, new_node: Any, ctx: Context) -> list[Placed]:
        return self._compare(view(old_node, self.old), view(new_node, self.new), ctx)

    def _compare(self, old: SchemaView, new: SchemaView, ctx: Context) -> list[Placed]:
        key = (old.component or "", new.component or "", ctx)
        if not (old.component and new.component):
            return self._compare_fresh(old, new, ctx)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return []  # recursion: this pair is being compared further up
        self._active.add(key)
        try:
            result = self._compare_fresh(old, new, ctx)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _compare_fresh(self, old: SchemaView, new: SchemaView, ctx: Context) -> list[Placed]:
        if old.variants or new.variants:
            return self._compare_unions(old, new, ctx)
        placed = [Placed("", f) for rule in rules.SCHEMA_RULES for f in rule(old, new, ctx)]
        if any(p.difference.rule == "class_name_changed" for p in placed):
            self.renamed_classes.add((old.class_name() or "", new.class_name() or ""))
        placed += self._compare_properties(old, new, ctx)
        placed += self._compare_child(old.raw.get("items"), new.raw.get("items"), "[]", ctx)
        old_extra, new_extra = (
            old.raw.get("additionalProperties"),
            new.raw.get("additionalProperties"),
        )
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            placed += self._compare_child(old_extra, new_extra, "{*}", ctx)
        return placed

    def _compare_child(self, old_node: Any, new_node: Any, step: str, ctx: Context) -> list[Placed]:
        if old_node is None or new_node is None:
            return []  # a type change at the parent already says it
        child_ctx = Context(ctx.direction)
        return [
            Placed(_join(step, p.path) if p.path else step, p.difference)
            for p in self.compare(old_node, new_node, child_ctx)
        ]

    def _compare_properties(self, old: SchemaView, new: SchemaView, ctx: Context) -> list[Placed]:
        placed: list[Placed] = []
        old_props, new_props = old.properties, new.properties
        for name in new_props.keys() - old_props.keys():
            placed.append(Placed(name, rules.property_added(name, name in new.required, ctx)))
        for name in old_props.keys() - new_props.keys():
            placed.append(Placed(name, rules.property_removed(name, ctx)))
        for name in sorted(old_props.keys() & new_props.keys()):
            was, now = name in old.required, name in new.required
            if was != now:
                placed.append(Placed(name, rules.required_changed(name, now, ctx)))
            for p in self.compare(old_props[name], new_props[name], Context(ctx.direction)):
                placed.append(Placed(_join(name, p.path), p.difference))
        return sorted(placed, key=lambda p: p.path)

    def _compare_unions(self, old: SchemaView, new: SchemaView, ctx: Context) -> list[Placed]:
        placed = [Placed("", f) for f in rules.docs_changed(old, new, ctx)]
        placed += [Placed("", f) for f in rules.nullable_changed(old, new, ctx)]
        placed += [Placed("", f) for f in rules.union_kind_changed(old, new, ctx)]
        old_variants = variants(old, self.old)
        new_variants = variants(new, self.new)
        pairs, removed, added = match_variants(old_variants, new_variants)
        open_enum = _is_open_enum(old_variants) and _is_open_enum(new_variants)
        kind = new.union_kind or old.union_kind or "anyOf"
        for old_v, new_v, index in pairs:
            step = f" <{kind} {index}>"
            child_ctx = Context(ctx.direction, open_enum=open_enum)
            for p in self._compare(old_v, new_v, child_ctx):
                placed.append(Placed(_join(step, p.path) if p.path else step, p.difference))
        placed += [Placed("", rules.variant_removed(_describe(v), ctx)) for v in removed]
        placed += [Placed("", rules.variant_added(_describe(v), ctx)) for v in added]
        return placed


def variants(schema: SchemaView, resolver: Resolver) -> list[SchemaView]:
    """A union's variants; a plain schema is a union of one when the other side is a union."""
    if not schema.variants:
        return [schema]
    return [view(variant, resolver) for variant in schema.variants]


def _shape_key(schema: SchemaView) -> tuple[str, ...]:
    return ("inline", *sorted(schema.types or {"any"}), "enum" if schema.enum else "")


def _variant_key(schema: SchemaView) -> tuple[str, ...]:
    return ("ref", schema.component) if schema.component else _shape_key(schema)


def match_variants(
    old: list[SchemaView], new: list[SchemaView]
) -> tuple[list[tuple[SchemaView, SchemaView, int]], list[SchemaView], list[SchemaView]]:
    """Pair variants by component name, then by shape (a component renamed inside a union, an
    enum moved between components); a lone leftover on each side is a pair too."""
    pairs: list[tuple[SchemaView, SchemaView, int]] = []
    unmatched_new = list(enumerate(new))
    removed = list(old)
    for key in (_variant_key, _shape_key):
        unmatched_old, removed = removed, []
        for old_variant in unmatched_old:
            match = next(
                (i for i, (_, v) in enumerate(unmatched_new) if key(v) == key(old_variant)),
                None,
            )
            if match is None:
                removed.append(old_variant)
            else:
                index, new_variant = unmatched_new.pop(match)
                pairs.append((old_variant, new_variant, index))
    if len(removed) == 1 and len(unmatched_new) == 1:
        index, new_variant = unmatched_new.pop()
        pairs.append((removed.pop(), new_variant, index))
    return pairs, removed, [v for _, v in unmatched_new]


def _is_open_enum(members: list[SchemaView]) -> bool:
    """anyOf [enum, plain string]: unknown values parse as the plain variant."""
    enum_types = {t for v in members if v.enum is not None for t in (v.types or ())}
    plain_types = {
        t for v in members if v.enum is None and not v.properties for t in (v.types or ())
    }
    return bool(enum_types & plain_types)


def _describe(schema: SchemaView) -> str:
    if schema.component:
        return schema.component
    kind = " | ".join(sorted(schema.types or {"any"}))
    return f"{kind} enum" if schema.enum is not None else kind
