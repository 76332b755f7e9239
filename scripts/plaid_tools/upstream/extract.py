"""Cut our operations out of Plaid's whole-API document, with everything they reach, and
normalize what our pipeline cannot take, so the spec-diff engine compares like with like.

Normalizations (each is reported in the notes):
- `allOf` over a non-object (Plaid's `user.user_id` is `allOf: [$ref UserId, {type: string}]`),
  which makes openapi-python-client drop the endpoint, is folded into one schema;
- security schemes that are the same credential on the wire (type, place, header name) take
  our scheme's name: scheme names are labels, the header is the contract.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from plaid_tools.spec_diff.document import METHODS
from plaid_tools.spec_diff.loader import Resolver, SpecLoadError
from plaid_tools.spec_diff.schema import fold_all_of, view

# What a document keeps besides its paths and components.
TOP_LEVEL_KEYS = ("openapi", "info", "servers", "security", "tags", "externalDocs")
OBJECT = frozenset({"object"})


@dataclass
class Extract:
    """Upstream's document cut down to our operations, and what was done to it."""

    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, method) of every operation in a document, in document order."""
    paths = document.get("paths") or {}
    return [
        (path, method)
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in METHODS
        if isinstance(item.get(method), dict)
    ]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _security_names(*requirement_lists: Any) -> set[str]:
    return {
        name
        for requirements in requirement_lists
        if isinstance(requirements, list)
        for requirement in requirements
        if isinstance(requirement, dict)
        for name in requirement
    }


def cut(upstream: dict[str, Any], wanted: list[tuple[str, str]], label: str) -> dict[str, Any]:
    """Our operations from `upstream` and every component they reach (by `$ref` or by name)."""
    resolver = Resolver(upstream)
    paths: dict[str, dict[str, Any]] = {}
    for path, method in wanted:
        item, _ = resolver.follow((upstream.get("paths") or {}).get(path))
        if not isinstance(item, dict) or not isinstance(item.get(method), dict):
            raise SpecLoadError(f"{label}: {method.upper()} {path} is not in upstream's paths")
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in METHODS})
        kept[method] = item[method]
    document = {key: upstream[key] for key in TOP_LEVEL_KEYS if key in upstream}
    document["paths"] = paths
    components: dict[str, dict[str, Any]] = {}
    schemes = (upstream.get("components") or {}).get("securitySchemes") or {}
    operation_security = [op.get("security") for item in paths.values() for op in item.values()]
    for name in sorted(_security_names(upstream.get("security"), *operation_security)):
        if name in schemes:
            components.setdefault("securitySchemes", {})[name] = schemes[name]
    pending = list(_refs([paths, components]))
    while pending:
        ref = pending.pop()
        parts = ref.split("/")
        if len(parts) < 4 or parts[:2] != ["#", "components"]:
            raise SpecLoadError(f"{label}: unsupported reference {ref!r}")
        section, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
        if name in components.get(section, {}):
            continue
        target = resolver.lookup(f"#/components/{parts[2]}/{parts[3]}")
        components.setdefault(section, {})[name] = target
        pending.extend(_refs(target))
    document["components"] = {section: dict(sorted(c.items())) for section, c in components.items()}
    return copy.deepcopy(document)


def _fold_non_object_all_of(node: Any, resolver: Resolver, where: str, notes: list[str]) -> Any:
    """Replace every `allOf` of several members, one of them not an object, by its merge."""
    if isinstance(node, list):
        return [
            _fold_non_object_all_of(v, resolver, f"{where}[{i}]", notes) for i, v in enumerate(node)
        ]
    if not isinstance(node, dict):
        return node
    members = node.get("allOf")
    members = members if isinstance(members, list) else []
    if len(members) > 1 and any(view(member, resolver).types != OBJECT for member in members):
        node = fold_all_of(node, resolver)
        notes.append(f"`{where}`: allOf over a non-object folded into one schema")
    return {
        key: value
        if key in ("example", "examples")  # data, not schemas
        else _fold_non_object_all_of(value, resolver, f"{where}.{key}" if where else key, notes)
        for key, value in node.items()
    }


def _wire_identity(scheme: Any) -> tuple[str, ...] | None:
    if not isinstance(scheme, dict):
        return None
    name = str(scheme.get("name", ""))
    where = str(scheme.get("in", ""))
    return (str(scheme.get("type")), where, name.lower() if where == "header" else name)


def _align_security(document: dict[str, Any], ours: dict[str, Any], notes: list[str]) -> None:
    our_schemes = (ours.get("components") or {}).get("securitySchemes") or {}
    by_identity = {_wire_identity(scheme): name for name, scheme in our_schemes.items()}
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    renames = {
        name: by_identity[_wire_identity(scheme)]
        for name, scheme in schemes.items()
        if by_identity.get(_wire_identity(scheme), name) != name
    }
    if not renames:
        return
    document["components"]["securitySchemes"] = {
        renames.get(name, name): scheme for name, scheme in schemes.items()
    }

    def renamed(requirements: Any) -> Any:
        if not isinstance(requirements, list):
            return requirements
        return [
            {renames.get(n, n): scopes for n, scopes in r.items()} if isinstance(r, dict) else r
            for r in requirements
        ]

    if "security" in document:
        document["security"] = renamed(document["security"])
    for item in document["paths"].values():
        for method in METHODS:
            if isinstance(item.get(method), dict) and "security" in item[method]:
                item[method]["security"] = renamed(item[method]["security"])
    for before, after in sorted(renames.items()):
        notes.append(f"security scheme `{before}` is our `{after}` (same header)")


def extract(upstream: dict[str, Any], ours: dict[str, Any], label: str) -> Extract:
    """Upstream's description of our operations, normalized for comparison with `ours`."""
    document = cut(upstream, operations(ours), label)
    notes: list[str] = []
    document = _fold_non_object_all_of(document, Resolver(document), "", notes)
    _align_security(document, ours, notes)
    return Extract(document, notes)
