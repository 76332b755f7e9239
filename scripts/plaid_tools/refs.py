"""Local `$ref`s in one OpenAPI document: following one, writing them all out.

Shared by the spec lint and the spec diff; it needs nothing beyond the standard library, so the
lint's environment does without the diff's tools.
"""

from __future__ import annotations

from typing import Any


class RefError(ValueError):
    """A reference that is not local or points at nothing."""


def unescape(token: str) -> str:
    # JSON pointer escapes (RFC 6901): "~1" is "/", "~0" is "~"; decode in that order.
    return token.replace("~1", "/").replace("~0", "~")


def lookup(document: Any, ref: str) -> Any:
    """The node a local reference (`#/components/schemas/User`) points at."""
    if not ref.startswith("#"):
        raise RefError(f"only local references are supported, not {ref!r}")
    node = document
    for token in filter(None, ref[1:].split("/")):
        key = unescape(token)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise RefError(f"unresolvable reference {ref!r}")
    return node


def inline(node: Any, document: Any, seen: frozenset[str] = frozenset()) -> Any:
    """``node`` with every local `$ref` written out; one that goes round stays a `$ref`
    (examples never need to go round), and so does a non-local one."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            if ref in seen:
                return node
            return inline(lookup(document, ref), document, seen | {ref})
        return {key: inline(value, document, seen) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(item, document, seen) for item in node]
    return node
