"""What a person does about one new difference: follow upstream (an edit to our spec, as a
stanza to paste where it goes) or keep ours (a stanza for the deviations file, whose reason and
evidence only a person can write)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from plaid_tools.spec_diff.loader import Resolver
from plaid_tools.spec_diff.model import Change, Side
from plaid_tools.upstream.deviations import Key
from plaid_tools.upstream.locate import LOCATION, STEP, Node, Position, locate

# The keyword a rule is about, when it is about one keyword of one schema.
KEYWORD_OF_RULE = {
    "format_changed": "format",
    "pattern_changed": "pattern",
    "type_changed": "type",
    "additional_properties_changed": "additionalProperties",
    "nullable_changed": "nullable",
    "enum_added": "enum",
    "enum_removed": "enum",
    "enum_introduced": "enum",
    "enum_dropped": "enum",
}
SUBJECT_IS_KEYWORD = frozenset({"bounds_changed", "other_keyword_changed"})
# Upstream's names and examples are not ours to copy into a stanza.
DROPPED_KEYS = frozenset({"title", "example", "examples"})
NAME_KEYS = frozenset({"title"})


@dataclass(frozen=True)
class Advice:
    follow_upstream: str  # Markdown
    keep_ours: str  # a YAML stanza for the deviations file


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96).rstrip("\n")


def _block(data: Any) -> str:
    return f"```yaml\n{_yaml(data)}\n```"


SUBSCHEMA_KEYS = frozenset({"items", "additionalProperties", "not"})
SUBSCHEMA_LIST_KEYS = frozenset({"allOf", "anyOf", "oneOf"})


def inline(
    node: Any, resolver: Resolver, seen: frozenset[str] = frozenset(), keep_examples: bool = False
) -> Any:
    """A schema with its `$ref`s written out (a recursive one stays a `$ref`), names dropped
    (and examples, unless `keep_examples`: a proposal adopts upstream's)."""
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return node
        target, chain = resolver.follow(node)
        return inline(target, resolver, seen.union(chain), keep_examples)
    written: dict[str, Any] = {}
    for key, value in node.items():
        if key in (NAME_KEYS if keep_examples else DROPPED_KEYS) or key.startswith("x-"):
            continue
        if key == "properties" and isinstance(value, dict):
            value = {
                name: inline(schema, resolver, seen, keep_examples)
                for name, schema in value.items()
            }
        elif key in SUBSCHEMA_KEYS:
            value = inline(value, resolver, seen, keep_examples)
        elif key in SUBSCHEMA_LIST_KEYS and isinstance(value, list):
            value = [inline(member, resolver, seen, keep_examples) for member in value]
        written[key] = value  # anything else (enum, required, default) is data
    return written


def _keyword_value(keyword: str, change: Change, pos: Position) -> Any:
    """Upstream's value of `keyword` at the position (None: upstream does not say it)."""
    assert pos.upstream is not None
    theirs = pos.upstream.view
    if keyword == "nullable":
        return True if theirs.nullable else None
    if keyword == "enum":
        if theirs.enum is None:
            return None
        mine = (pos.ours.view.enum or ()) if pos.ours else ()
        dropped = set(change.subject.split(", ")) if change.rule == "enum_removed" else set()
        extra = [value for value in mine if value not in theirs.enum and value not in dropped]
        return [*theirs.enum, *extra]
    return theirs.raw.get(keyword)


def _keyword_edit(keyword: str, change: Change, pos: Position, spec: str) -> str | None:
    if pos.ours is None or pos.upstream is None:
        return None
    value = _keyword_value(keyword, change, pos)
    if value is None:
        return f"In `{spec}`, remove `{keyword}` from `{pos.ours.at}`."
    return f"In `{spec}`, at `{pos.ours.at}`, set:\n\n{_block({keyword: value})}"


def _required_of(node: Node | None) -> set[str]:
    return set(node.view.required) if node else set()


def _property_edit(
    change: Change, pos: Position, upstream: dict[str, Any], spec: str
) -> str | None:
    parent, name = pos.ours_parent, pos.name
    if parent is None or name is None:
        return None
    if change.rule == "property_removed":
        return f"In `{spec}`, remove `{name}` from `{parent.at}.properties`" + (
            f" and from `{parent.at}.required`." if name in _required_of(parent) else "."
        )
    if change.rule == "required_changed":
        verb = "add" if change.side is Side.NEW else "remove"
        where = "to" if change.side is Side.NEW else "from"
        return f"In `{spec}`, {verb} `{name}` {where} `{parent.at}.required`."
    if pos.upstream is None:
        return None
    schema = inline(pos.upstream.view.raw, Resolver(upstream))
    text = f"In `{spec}`, under `{parent.at}.properties`, add:\n\n{_block({name: schema})}"
    if name in _required_of(pos.upstream_parent):
        text += f"\n\nand add `{name}` to `{parent.at}.required` (upstream requires it)."
    return text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _subject_of(location: str) -> str:
    """What a location is about, for an id: the request or response, and the field."""
    match = LOCATION.match(location)
    if match is None:
        return location.split(" ", 2)[-1] if location[:1].isupper() else location
    names = [step["name"] for step in STEP.finditer(match["steps"] or "") if step["name"]]
    site = "request" if match["site"] == "request body" else match["site"]
    return " ".join([site, *names])


def deviation_stanza(change: Change) -> str:
    """A deviations-file entry for `change`, to complete with its reason and evidence."""
    entry = {
        "id": _slug(f"{_subject_of(change.location)} {change.rule}"),
        "reason": "TODO: why our spec keeps this, in a sentence",
        "evidence": {"kind": "TODO: DOC (link) | SEEN (quote, where) | ASSUMED (tag: A<n>)"},
        "differences": [Key.of(change).as_yaml()],
    }
    return _yaml([entry])


def advise(change: Change, ours: dict[str, Any], upstream: dict[str, Any], spec: str) -> Advice:
    """What to do about `change`; `spec` names our spec file in the instructions."""
    pos = locate(change.location, ours, upstream)
    edit = None
    if pos is not None:
        keyword = KEYWORD_OF_RULE.get(change.rule) or (
            change.subject if change.rule in SUBJECT_IS_KEYWORD else None
        )
        if keyword:
            edit = _keyword_edit(keyword, change, pos, spec)
        elif change.rule in ("property_added", "property_removed", "required_changed"):
            edit = _property_edit(change, pos, upstream, spec)
    if edit is None:
        edit = f"Edit `{spec}` at `{change.location}` so that it says what upstream says."
    return Advice(edit, deviation_stanza(change))
