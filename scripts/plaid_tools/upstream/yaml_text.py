"""Edits to a hand-written, block-style YAML file that keep its comments and layout.

Our spec and deviations file are written by people, with comments that carry reasons; a
load-and-dump would drop them. These edits find a mapping by its dotted path (the `at` of
plaid_tools.upstream.locate, e.g. `components.schemas.X.properties`) by indentation, and insert
lines at the end of it. Each caller checks the result by parsing it (`ProposalError` when the
parsed document is not the intended one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

KEY = re.compile(r"^(?P<indent> *)(?P<key>'[^']*'|\"[^\"]*\"|[^\s#'\"][^:#]*?):(?:\s|$)")


class ProposalError(ValueError):
    """An edit could not be made as intended; the message says where."""


@dataclass(frozen=True)
class Block:
    """The lines of one key's value: [start, end), after the key's own line."""

    start: int
    end: int
    indent: int  # of the key


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_of(line: str) -> tuple[int, str] | None:
    match = KEY.match(line)
    if match is None:
        return None
    return len(match["indent"]), match["key"].strip("'\"")


def find(lines: list[str], path: str) -> Block:
    """The block of the key at dotted `path` (keys holding dots are not supported)."""
    block = Block(0, len(lines), -1)
    for key in path.split("."):
        entries = child_indent(lines, block)
        number = next(
            (n for n in range(block.start, block.end) if _key_of(lines[n]) == (entries, key)),
            None,
        )
        if number is None:
            raise ProposalError(f"no `{path}` in the file (missing `{key}`)")
        stop = number + 1
        while stop < block.end and (not _content(lines[stop]) or _indent(lines[stop]) > entries):
            stop += 1
        while stop > number + 1 and not _content(lines[stop - 1]):
            stop -= 1  # trailing blank lines and comments belong to what follows
        block = Block(number + 1, stop, entries)
    return block


def child_indent(lines: list[str], block: Block) -> int:
    """The indentation of the block's entries (two more than its key when it has none)."""
    for line in lines[block.start : block.end]:
        if _content(line):
            return _indent(line)
    return max(block.indent + 2, 0)


def dump(data: Any, indent: int) -> list[str]:
    """`data` as block-style YAML lines, indented."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)
    return [" " * indent + line if line else line for line in text.splitlines()]


def insert_entry(text: str, path: str, entry: dict[str, Any], comment: str) -> str:
    """Add `entry` (one key) at the end of the mapping at `path`, under a comment line."""
    lines = text.splitlines()
    block = find(lines, path)
    indent = child_indent(lines, block)
    new = [" " * indent + f"# {comment}", *dump(entry, indent)]
    return "\n".join([*lines[: block.end], *new, *lines[block.end :]]) + "\n"


def append_to_list(text: str, path: str, values: list[str], comment: str) -> str:
    """Add `values` at the end of the block list at `path`, under a comment line."""
    lines = text.splitlines()
    block = find(lines, path)
    items = [n for n in range(block.start, block.end) if lines[n].lstrip().startswith("- ")]
    if not items:
        raise ProposalError(f"`{path}` is not a block list")
    indent = _indent(lines[items[0]])
    new = [" " * indent + f"# {comment}", *(" " * indent + f"- {value}" for value in values)]
    return "\n".join([*lines[: block.end], *new, *lines[block.end :]]) + "\n"
