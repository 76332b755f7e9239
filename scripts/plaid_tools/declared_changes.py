"""Changes only their author can see, declared in openapi/declared-changes.yaml.

The spec diff and the Python API diff see what the spec and the public signatures say, not what
the generated client does: a response it now refuses, a redirect it no longer follows, a class
that stopped being an attrs class. Whoever makes such a change declares it, with its impact on
client users; versioning counts the entries that are new since the base ref (an entry already
on main belongs to a released revision), so each declaration moves exactly one version and
shows up in that revision's CHANGELOG entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from plaid_tools.spec_diff.loader import read_git_file
from plaid_tools.spec_diff.model import Impact

FILE_NAME = "declared-changes.yaml"
IMPACTS = (Impact.BREAKING, Impact.COMPATIBLE, Impact.DOCS)


class DeclaredChangesError(ValueError):
    """The declarations cannot be read; the message is one line naming the file."""


@dataclass(frozen=True)
class DeclaredChange:
    impact: Impact
    change: str


def parse(text: str | None, source: str) -> list[DeclaredChange]:
    """The declarations in `text` (None or empty: none)."""
    if not text:
        return []
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DeclaredChangesError(f"{source} is not valid YAML: {error}") from None
    items = (document or {}).get("changes") if isinstance(document, dict | None) else None
    if not isinstance(items, list | None):
        raise DeclaredChangesError(f"{source}: `changes` must be a list")
    changes = []
    labels = ", ".join(impact.label for impact in IMPACTS)
    for number, item in enumerate(items or [], start=1):
        impact = item.get("impact") if isinstance(item, dict) else None
        change = item.get("change") if isinstance(item, dict) else None
        if impact not in [i.label for i in IMPACTS] or not isinstance(change, str):
            raise DeclaredChangesError(
                f"{source}: change {number} needs `impact` ({labels}) and a `change` text"
            )
        changes.append(DeclaredChange(Impact.from_label(impact), " ".join(change.split())))
    return changes


def new_since(base_ref: str, path: Path, repo_root: Path) -> list[DeclaredChange]:
    """The declarations in `path` that the base ref's copy of the file does not have."""
    in_repo = path.resolve().relative_to(repo_root.resolve()).as_posix()
    base = parse(read_git_file(base_ref, in_repo, repo_root), f"{base_ref}:{in_repo}")
    working = parse(path.read_text(encoding="utf-8") if path.exists() else None, in_repo)
    return [change for change in working if change not in base]
