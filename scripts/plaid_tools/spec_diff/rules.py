"""Rules that compare two views of the same schema position.

Each rule is a small function `(old, new, context) -> list[Difference]`; the walker calls all of
them at every position it reaches (properties, items, variants) and adds the location.
Direction decides most verdicts: the client *writes* requests (the server must keep accepting
what it sent before) and *reads* responses (it must understand everything it may now get).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plaid_tools.spec_diff.model import Difference, Direction, Impact, Side
from plaid_tools.spec_diff.schema import DOCS_KEYWORDS, SchemaView

BREAKING, COMPATIBLE, DOCS = Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCS
OLD, NEW, BOTH = Side.OLD, Side.NEW, Side.BOTH
# Formats openapi-python-client turns into Python types; any change there changes the type.
TYPED_FORMATS = frozenset({"date-time", "date", "uuid", "binary"})
LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
# Keywords the walker or a rule below already handles; anything else is "other keyword".
HANDLED = frozenset(
    {
        "type",
        "nullable",
        "format",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "$ref",
        "pattern",
        "multipleOf",
        *LOWER_BOUNDS,
        *UPPER_BOUNDS,
        *DOCS_KEYWORDS,
    }
)


@dataclass(frozen=True)
class Context:
    """Where the compared position sits: its direction, and whether its enum is open."""

    direction: Direction
    open_enum: bool = False

    @property
    def request(self) -> bool:
        return self.direction is Direction.REQUEST


Rule = Callable[[SchemaView, SchemaView, Context], list[Difference]]


def _by_direction(ctx: Context, *, request: Impact, response: Impact) -> Impact:
    return request if ctx.request else response


def _holder(before: Any, after: Any) -> Side:
    """Which side holds a keyword: only the old schema, only the new one, or both."""
    if before is None:
        return NEW
    return OLD if after is None else BOTH


def _widens(old: frozenset[str] | None, new: frozenset[str] | None) -> bool:
    """Whether every value valid for `old` types is valid for `new` types."""
    if new is None:
        return True
    if old is None:
        return False
    return all(t in new or (t == "integer" and "number" in new) for t in old)


def class_name_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    """A title or component rename renames the generated class (policy: breaking)."""
    if not (old.generates_class and new.generates_class):
        return []
    old_name, new_name = old.class_name(), new.class_name()
    if old_name != new_name and old_name and new_name:
        return [
            Difference(
                f"generated class {old_name} is now {new_name} (its title or component name "
                "changed); code that imports or annotates with the old name breaks",
                BREAKING,
                "class_name_changed",
            )
        ]
    if old.component != new.component and old.component and new.component:
        return [
            Difference(
                f"schema renamed behind $ref: {old.component} -> {new.component}; same structure "
                f"and same generated class {new_name}, so nothing changes for clients",
                DOCS,
                "schema_renamed",
            )
        ]
    return []


def type_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    if old.types == new.types:
        return []
    shown = " | ".join(sorted(old.types or {"any"})), " | ".join(sorted(new.types or {"any"}))
    text = f"type {shown[0]} -> {shown[1]}"
    if ctx.request:
        impact = COMPATIBLE if _widens(old.types, new.types) else BREAKING
    else:
        impact = COMPATIBLE if _widens(new.types, old.types) else BREAKING
    if impact is COMPATIBLE:
        text += " (accepts everything it did; the generated annotation changes)"
    return [Difference(text, impact, "type_changed", _holder(old.types, new.types))]


def nullable_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    if old.nullable == new.nullable:
        return []
    if new.nullable:
        impact = _by_direction(ctx, request=COMPATIBLE, response=BREAKING)
        why = "" if ctx.request else " (the client may now receive null where it expected a value)"
        return [Difference(f"now nullable{why}", impact, "nullable_changed", NEW)]
    impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
    why = " (a client that sends null is rejected)" if ctx.request else ""
    return [Difference(f"no longer nullable{why}", impact, "nullable_changed", OLD)]


def format_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    before, after = old.raw.get("format"), new.raw.get("format")
    if before == after:
        return []
    text = f"format {before or '(none)'} -> {after or '(none)'}"
    side = _holder(before, after)
    if before in TYPED_FORMATS or after in TYPED_FORMATS:
        why = " (policy: the generator maps this format to a Python type, which changes)"
        return [Difference(text + why, BREAKING, "format_changed", side)]
    if ctx.request:
        impact = COMPATIBLE if after is None else BREAKING
        return [Difference(text, impact, "format_changed", side)]
    why = " (the generated client does not validate string formats in responses)"
    return [Difference(text + why, COMPATIBLE, "format_changed", side)]


def _values(values: Any) -> str:
    return ", ".join(str(value) for value in values)


def enum_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    if old.enum == new.enum:
        return []
    if old.enum is None or new.enum is None:
        return _enum_introduced_or_dropped(old, new, ctx)
    differences = []
    added = [value for value in new.enum if value not in old.enum]
    removed = [value for value in old.enum if value not in new.enum]
    if added:
        values = _values(added)
        if ctx.request:
            text, impact = f"enum values added: {values}", COMPATIBLE
        elif ctx.open_enum:
            text = (
                f"enum values added: {values} (compatible only because this enum is open: "
                "the generated client keeps unknown values as plain strings)"
            )
            impact = COMPATIBLE
        else:
            text = (
                f"enum values added: {values} (closed enum: the generated client raises "
                "ValueError on a value it does not know; make it open with anyOf [enum, string])"
            )
            impact = BREAKING
        differences.append(Difference(text, impact, "enum_added", NEW, values))
    if removed:
        impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
        why = (
            " (clients that send them are rejected; the generated enum loses the members)"
            if ctx.request
            else " (the client never receives them again; if the generated "
            "Enum loses the member, the Python API section reports it)"
        )
        differences.append(
            Difference(
                f"enum values removed: {_values(removed)}{why}",
                impact,
                "enum_removed",
                OLD,
                _values(removed),
            )
        )
    if not added and not removed:
        differences.append(Difference("enum values reordered", DOCS, "enum_reordered"))
    return differences


def _enum_introduced_or_dropped(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    if new.enum is not None:
        impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
        text = f"now restricted to enum: {_values(new.enum)}"
        return [Difference(text, impact, "enum_introduced", NEW)]
    impact = _by_direction(ctx, request=COMPATIBLE, response=BREAKING)
    why = "" if ctx.request else " (the generated type changes from an Enum class to a plain value)"
    return [Difference(f"no longer an enum{why}", impact, "enum_dropped", OLD)]


def _allows_extra(view: SchemaView) -> bool:
    return view.raw.get("additionalProperties", True) is not False


def additional_properties_changed(
    old: SchemaView, new: SchemaView, ctx: Context
) -> list[Difference]:
    if "object" not in (old.types or ()) or _allows_extra(old) == _allows_extra(new):
        return []
    if _allows_extra(new):
        return [
            Difference(
                "additionalProperties now allowed "
                "(the generated model gains additional_properties)",
                COMPATIBLE,
                "additional_properties_changed",
                OLD,
            )
        ]
    if ctx.request:
        return [
            Difference(
                "additionalProperties no longer allowed (extra keys are rejected)",
                BREAKING,
                "additional_properties_changed",
                NEW,
            )
        ]
    return [
        Difference(
            "additionalProperties no longer allowed (policy: breaking because the generated model "
            "loses its additional_properties mapping, though the wire only narrows)",
            BREAKING,
            "additional_properties_changed",
            NEW,
        )
    ]


def _tightens(key: str, before: Any, after: Any) -> bool:
    if after is None:
        return False
    if before is None or isinstance(before, bool) or isinstance(after, bool):
        return bool(after) if isinstance(after, bool) else True
    return bool(after > before) if key in LOWER_BOUNDS else bool(after < before)


def bounds_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    """minLength/maxLength/minimum/...: tightening breaks requests; responses are not checked."""
    differences = []
    for key in (*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf"):
        before, after = old.raw.get(key), new.raw.get(key)
        if before == after:
            continue
        tighter = after is not None if key == "multipleOf" else _tightens(key, before, after)
        text = f"{key} {before} -> {after}" + (" (tighter)" if tighter else " (looser)")
        if ctx.request:
            impact = BREAKING if tighter else COMPATIBLE
        else:
            impact = COMPATIBLE
            text += " (the generated client does not validate responses)"
        differences.append(Difference(text, impact, "bounds_changed", _holder(before, after), key))
    return differences


def pattern_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    before, after = old.raw.get("pattern"), new.raw.get("pattern")
    if before == after:
        return []
    text = f"pattern {before!r} -> {after!r}"
    side = _holder(before, after)
    if not ctx.request:
        why = " (responses are not validated)"
        return [Difference(text + why, COMPATIBLE, "pattern_changed", side)]
    # Two regular expressions cannot be compared in general: any new pattern may reject.
    impact = COMPATIBLE if after is None else BREAKING
    return [Difference(text, impact, "pattern_changed", side)]


def docs_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    """Wording, examples and `x-` extensions; a class-naming title is class_name_changed's."""
    keys = sorted(
        key
        for key in {*old.raw, *new.raw}
        if (key in DOCS_KEYWORDS or key.startswith("x-")) and old.raw.get(key) != new.raw.get(key)
    )
    if "title" in keys and old.generates_class and new.generates_class:
        keys.remove("title")
    return [Difference(f"{key} changed", DOCS, "docs_changed", subject=key) for key in keys]


def other_keyword_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    """default, readOnly, discriminator, uniqueItems, not...: not classified in detail."""
    keys = sorted(
        key
        for key in {*old.raw, *new.raw}
        if key not in HANDLED and not key.startswith("x-") and old.raw.get(key) != new.raw.get(key)
    )
    impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
    why = (
        "policy: a request keyword change may change what the server accepts or assumes"
        if ctx.request
        else "policy: the generated client does not check it in responses"
    )
    return [
        Difference(
            f"{key}: {old.raw.get(key)!r} -> {new.raw.get(key)!r} ({why})",
            impact,
            "other_keyword_changed",
            _holder(old.raw.get(key), new.raw.get(key)),
            key,
        )
        for key in keys
    ]


SCHEMA_RULES: tuple[Rule, ...] = (
    class_name_changed,
    type_changed,
    nullable_changed,
    format_changed,
    enum_changed,
    additional_properties_changed,
    bounds_changed,
    pattern_changed,
    other_keyword_changed,
    docs_changed,
)


def property_added(name: str, required: bool, ctx: Context) -> Difference:
    if ctx.request and required:
        return Difference(
            f"required field {name} added (clients that do not send it are rejected)",
            BREAKING,
            "property_added",
            NEW,
        )
    kind = "required" if required else "optional"
    return Difference(f"{kind} field {name} added", COMPATIBLE, "property_added", NEW)


def property_removed(name: str, ctx: Context) -> Difference:
    why = "the client can no longer send it" if ctx.request else "code that reads it breaks"
    return Difference(
        f"field {name} removed ({why}; the generated model loses the attribute)",
        BREAKING,
        "property_removed",
        OLD,
    )


def required_changed(name: str, now_required: bool, ctx: Context) -> Difference:
    if now_required:
        impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
        why = (
            "clients that omit it are rejected"
            if ctx.request
            else "the attribute is always set now"
        )
        text = f"field {name} optional -> required ({why})"
        return Difference(text, impact, "required_changed", NEW)
    impact = _by_direction(ctx, request=COMPATIBLE, response=BREAKING)
    why = (
        "clients may omit it"
        if ctx.request
        else "the attribute may now be missing (UNSET); code that reads it must check"
    )
    return Difference(f"field {name} required -> optional ({why})", impact, "required_changed", OLD)


def variant_added(description: str, ctx: Context) -> Difference:
    impact = _by_direction(ctx, request=COMPATIBLE, response=BREAKING)
    why = "" if ctx.request else " (the client may receive a shape it does not expect)"
    text = f"union variant added: {description}{why}"
    return Difference(text, impact, "variant_added", NEW, description)


def variant_removed(description: str, ctx: Context) -> Difference:
    impact = _by_direction(ctx, request=BREAKING, response=COMPATIBLE)
    why = " (clients that send it are rejected)" if ctx.request else ""
    text = f"union variant removed: {description}{why}"
    return Difference(text, impact, "variant_removed", OLD, description)


def union_kind_changed(old: SchemaView, new: SchemaView, ctx: Context) -> list[Difference]:
    if old.union_kind == new.union_kind or not (old.union_kind and new.union_kind):
        return []
    return [
        Difference(
            f"{old.union_kind} -> {new.union_kind} (policy: compatible; the generated client "
            "tries the variants in order either way)",
            COMPATIBLE,
            "union_kind_changed",
        )
    ]
