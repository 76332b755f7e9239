"""Changes only their author can see, declared in openapi/declared-changes.yaml.

The spec diff and the Python API diff see what the spec and the public signatures say, not what
the generated client does: a response it now refuses, a redirect it no longer follows, a class
that stopped being an attrs class. Whoever makes such a change declares it, with its impact on
client users; versioning counts the entries that are new since the base ref (an entry already
on main belongs to a released revision), so each declaration moves exactly one version and
shows up in that revision's CHANGELOG entry.

Deprecate before removing. A public name, parameter or behaviour that changes for our own
reasons is first a `kind: deprecation` (compatible, a minor: the old spelling keeps working
with a DeprecationWarning naming the `replacement`; listed under *Deprecated*), and only in a
later release a `kind: removal` of the same `name` (breaking, a major), which needs that
deprecation released (on the base ref) first: so a deprecation lasts at least one minor
release. A break that Plaid forces needs no deprecation: `forced_by: plaid`, with the
`evidence` link; it stays breaking and the CHANGELOG says who forced it.
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


KINDS = ("change", "deprecation", "removal")


@dataclass(frozen=True)
class DeclaredChange:
    impact: Impact
    change: str
    kind: str = "change"
    # What is deprecated or removed (`client.item_get()`), and what to use instead.
    name: str | None = None
    replacement: str | None = None
    forced_by: str | None = None  # "plaid": the break follows Plaid's API, not our choice
    evidence: str | None = None

    @property
    def label(self) -> str:
        """How the CHANGELOG names its origin: `breaking (declared, forced by Plaid)`."""
        origin = {"removal": "declared, removal of a deprecation"}.get(self.kind, "declared")
        if self.forced_by:
            origin = f"declared, forced by {self.forced_by.capitalize()}"
        return f"{self.impact.label} ({origin})"


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
    return [
        _change(item, f"{source}: change {number}")
        for number, item in enumerate(items or [], start=1)
    ]


def _change(item: object, where: str) -> DeclaredChange:
    """One declaration, checked; DeclaredChangesError names `where` and what is wrong."""
    labels = ", ".join(impact.label for impact in IMPACTS)
    fields = item if isinstance(item, dict) else {}
    impact, change, kind = fields.get("impact"), fields.get("change"), fields.get("kind", "change")
    if impact not in [i.label for i in IMPACTS] or not isinstance(change, str):
        raise DeclaredChangesError(f"{where} needs `impact` ({labels}) and a `change` text")
    if kind not in KINDS:
        raise DeclaredChangesError(f"{where}: `kind` is one of {', '.join(KINDS)}")
    text = {key: fields.get(key) for key in ("name", "replacement", "forced_by", "evidence")}
    if any(value is not None and not isinstance(value, str) for value in text.values()):
        raise DeclaredChangesError(f"{where}: name, replacement, forced_by, evidence are texts")
    needs = {
        "deprecation": ("compatible", ("name", "replacement"), "a deprecation is a minor"),
        "removal": ("breaking", ("name",), "a removal is a major"),
    }.get(kind)
    if needs is not None:
        wanted, required, why = needs
        if impact != wanted or any(not text[key] for key in required):
            raise DeclaredChangesError(
                f"{where}: {why}: `impact: {wanted}` with {' and '.join(required)}"
            )
    if text["forced_by"] is not None and (
        text["forced_by"] != "plaid" or impact != "breaking" or not text["evidence"]
    ):
        raise DeclaredChangesError(
            f"{where}: `forced_by: plaid` marks a breaking change, with its `evidence` link"
        )
    return DeclaredChange(Impact.from_label(impact), " ".join(change.split()), kind, **text)


def new_since(base_ref: str, path: Path, repo_root: Path) -> list[DeclaredChange]:
    """The declarations in `path` that the base ref's copy of the file does not have."""
    in_repo = path.resolve().relative_to(repo_root.resolve()).as_posix()
    base = parse(read_git_file(base_ref, in_repo, repo_root), f"{base_ref}:{in_repo}")
    working = parse(path.read_text(encoding="utf-8") if path.exists() else None, in_repo)
    new = [change for change in working if change not in base]
    released = {change.name for change in base if change.kind == "deprecation"}
    for change in new:
        if change.kind == "removal" and not change.forced_by and change.name not in released:
            raise DeclaredChangesError(
                f"{in_repo}: removing {change.name} needs its `kind: deprecation` released first "
                f"(on {base_ref}: it then works, with a warning, for at least one minor release); "
                "a break Plaid forces says `forced_by: plaid` with its evidence"
            )
    return new
