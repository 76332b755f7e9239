"""Find the schemas a spec-diff location names, in our spec and in upstream's, side by side.

Locations are the engine's, e.g. `POST /session/token/create request body (application/json)
user.user_id` or `... response default (application/json) error_type <anyOf 0>` (the variant
index is upstream's; our side takes the variant the engine paired with it). Each schema comes
with where it is written in its document (`components.schemas.X.properties.y`), which is
where a person edits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plaid_tools.spec_diff.loader import Resolver
from plaid_tools.spec_diff.schema import SchemaView, view
from plaid_tools.spec_diff.walk import match_variants

LOCATION = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<site>request body|response \S+) "
    r"\((?P<media>[^)]*)\)(?: (?P<steps>.+))?$"
)
STEP = re.compile(r"\[\]|\{\*\}|\s?<(?:anyOf|oneOf) (?P<variant>\d+)>|\.?(?P<name>[^.\[{<\s]+)")


@dataclass(frozen=True)
class Node:
    """A schema and where it is written in its document, as a dotted path."""

    view: SchemaView
    at: str


@dataclass(frozen=True)
class Position:
    """The schema at a location on each side (None where that side has none), and its parent."""

    ours: Node | None
    upstream: Node | None
    ours_parent: Node | None
    upstream_parent: Node | None
    name: str | None  # the property the location ends with, if it ends with one


def _pointer(ref: str) -> str:
    tokens = ref.lstrip("#/").split("/")
    return ".".join(token.replace("~1", "/").replace("~0", "~") for token in tokens)


def _node(raw: Any, at: str, resolver: Resolver) -> Node | None:
    if raw is None:
        return None
    _, chain = resolver.follow(raw)
    return Node(view(raw, resolver), _pointer(chain[-1]) if chain else at)


def _site(document: dict[str, Any], match: re.Match[str], resolver: Resolver) -> Node | None:
    path, method, site, media = (
        match["path"],
        match["method"].lower(),
        match["site"],
        match["media"],
    )
    operation = resolver.follow((document.get("paths") or {}).get(path))[0] or {}
    operation = operation.get(method) or {}
    if site == "request body":
        container, _ = resolver.follow(operation.get("requestBody"))
        at = f"paths.{path}.{method}.requestBody"
    else:
        status = site.split(" ", 1)[1]
        container, _ = resolver.follow((operation.get("responses") or {}).get(status))
        at = f"paths.{path}.{method}.responses.{status}"
    content = ((container or {}).get("content") or {}).get(media) or {}
    return _node(content.get("schema"), f"{at}.content.{media}.schema", resolver)


def _variant_nodes(node: Node, resolver: Resolver) -> list[Node]:
    kind = node.view.union_kind
    if kind is None:
        return [node]  # a plain schema is a union of one when the other side is a union
    found = (
        _node(raw, f"{node.at}.{kind}[{i}]", resolver) for i, raw in enumerate(node.view.variants)
    )
    return [n for n in found if n is not None]


def _child(node: Node | None, name: str, resolver: Resolver) -> Node | None:
    if node is None:
        return None
    if name == "[]":
        return _node(node.view.raw.get("items"), f"{node.at}.items", resolver)
    if name == "{*}":
        extra = node.view.raw.get("additionalProperties")
        return _node(
            extra if isinstance(extra, dict) else None, f"{node.at}.additionalProperties", resolver
        )
    return _node(node.view.properties.get(name), f"{node.at}.properties.{name}", resolver)


def _variant(
    ours: Node | None, upstream: Node | None, index: int, ours_r: Resolver, up_r: Resolver
) -> tuple[Node | None, Node | None]:
    if upstream is None:
        return None, None
    up_variants = _variant_nodes(upstream, up_r)
    if index >= len(up_variants):
        return None, None
    if ours is None:
        return None, up_variants[index]
    our_variants = _variant_nodes(ours, ours_r)
    pairs, _, _ = match_variants([n.view for n in our_variants], [n.view for n in up_variants])
    mine = next((old for old, _, i in pairs if i == index), None)
    ours_node = next((n for n in our_variants if n.view is mine), None)
    return ours_node, up_variants[index]


def locate(location: str, ours: dict[str, Any], upstream: dict[str, Any]) -> Position | None:
    """The schemas at a schema location on both sides; None for other kinds of location."""
    match = LOCATION.match(location)
    if match is None:
        return None
    ours_r, up_r = Resolver(ours), Resolver(upstream)
    mine, theirs = _site(ours, match, ours_r), _site(upstream, match, up_r)
    mine_parent = theirs_parent = None
    name = None
    for step in STEP.finditer(match["steps"] or ""):
        mine_parent, theirs_parent = mine, theirs
        if step["variant"] is not None:
            mine, theirs = _variant(mine, theirs, int(step["variant"]), ours_r, up_r)
            name = None
        else:
            child = step["name"] or step[0]  # a field, `[]` or `{*}`
            mine, theirs = _child(mine, child, ours_r), _child(theirs, child, up_r)
            name = step["name"]
    return Position(mine, theirs, mine_parent, theirs_parent, name)
