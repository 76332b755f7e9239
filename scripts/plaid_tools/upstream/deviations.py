"""The checked-in list of known deviations from Plaid's published spec, and its validation.

Each deviation says why our spec differs from upstream and on what evidence, and names the
differences it covers by the spec-diff engine's key: `at` (the location), `rule` and, where
one rule can differ several ways at one location, `subject` (the keyword, enum values or
variant). A key matches exactly; a missing `subject` means the engine gave none.

Evidence is one of:
- DOC: Plaid's documentation, `link` required (`quote` optional);
- SEEN: a real Plaid response, `quote` and `where` required;
- ASSUMED: our choice where Plaid says nothing, `tag` required: the offline sandbox's
  assumption (`A7`), which the nightly run against the real Sandbox confirms or overturns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plaid_tools.spec_diff.loader import SpecLoadError, parse
from plaid_tools.spec_diff.model import Change

EVIDENCE_FIELDS = {
    "DOC": ({"link"}, {"quote"}),
    "SEEN": ({"quote", "where"}, set()),
    "ASSUMED": ({"tag"}, set()),
}
ASSUMPTION_TAG = re.compile(r"^A\d+$")
ENTRY_FIELDS = {"id", "reason", "evidence", "differences"}
KEY_FIELDS = {"at", "rule", "subject"}


class DeviationsError(SpecLoadError):
    """The deviations file is not what this module's docstring describes."""


@dataclass(frozen=True, order=True)
class Key:
    """How a deviation names one difference."""

    at: str
    rule: str
    subject: str = ""

    @classmethod
    def of(cls, change: Change) -> Key:
        return cls(change.location, change.rule, change.subject)

    def as_yaml(self) -> dict[str, str]:
        data = {"at": self.at, "rule": self.rule}
        return data | ({"subject": self.subject} if self.subject else {})


@dataclass(frozen=True)
class Evidence:
    kind: str
    fields: dict[str, str]

    def __str__(self) -> str:
        if self.kind == "DOC":
            quote = f" “{self.fields['quote']}”" if "quote" in self.fields else ""
            return f"DOC {self.fields['link']}{quote}"
        if self.kind == "SEEN":
            return f"SEEN “{self.fields['quote']}” ({self.fields['where']})"
        return (
            f"ASSUMED [{self.fields['tag']}], which the nightly run against the real Sandbox "
            "confirms or overturns"
        )


@dataclass(frozen=True)
class Deviation:
    id: str
    reason: str
    evidence: Evidence
    differences: tuple[Key, ...]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DeviationsError(f"{where}: `{key}` must be a non-empty string")
    return " ".join(value.split())


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise DeviationsError(f"{where}: unknown field(s) {', '.join(extra)}")


def _evidence(data: Any, where: str) -> Evidence:
    if not isinstance(data, dict) or data.get("kind") not in EVIDENCE_FIELDS:
        raise DeviationsError(f"{where}: evidence needs `kind: DOC | SEEN | ASSUMED`")
    kind = data["kind"]
    required, optional = EVIDENCE_FIELDS[kind]
    _unknown(data, {"kind", *required, *optional}, f"{where} evidence")
    fields = {key: _text(data, key, f"{where} evidence {kind}") for key in required}
    fields |= {key: _text(data, key, f"{where} evidence") for key in optional if key in data}
    if kind == "DOC" and not fields["link"].startswith("https://"):
        raise DeviationsError(f"{where}: a DOC link must be an https:// URL")
    if kind == "ASSUMED" and not ASSUMPTION_TAG.match(fields["tag"]):
        raise DeviationsError(f"{where}: an ASSUMED tag looks like A7 (the sandbox's tag)")
    return Evidence(kind, fields)


def _key(data: Any, where: str) -> Key:
    if not isinstance(data, dict):
        raise DeviationsError(f"{where}: a difference is a mapping with `at` and `rule`")
    _unknown(data, KEY_FIELDS, where)
    subject = _text(data, "subject", where) if "subject" in data else ""
    return Key(_text(data, "at", where), _text(data, "rule", where), subject)


def _deviation(entry: Any, index: int) -> Deviation:
    where = f"deviation {index + 1}"
    if not isinstance(entry, dict):
        raise DeviationsError(f"{where}: must be a mapping")
    where = f"deviation {entry.get('id', index + 1)!s}"
    _unknown(entry, ENTRY_FIELDS, where)
    keys = entry.get("differences")
    if not isinstance(keys, list) or not keys:
        raise DeviationsError(f"{where}: `differences` must list at least one difference")
    reason = _text(entry, "reason", where)
    if reason.startswith("TODO"):
        raise DeviationsError(f"{where}: `reason` still says TODO; write why our spec differs")
    return Deviation(
        _text(entry, "id", where),
        reason,
        _evidence(entry.get("evidence"), where),
        tuple(_key(key, f"{where} difference {i + 1}") for i, key in enumerate(keys)),
    )


def load_deviations(path: Path) -> list[Deviation]:
    """The deviations in `path`; DeviationsError (one line) when the file is not valid."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DeviationsError(f"{path}: {error.strerror}") from None
    return load_deviations_text(text, path)


def load_deviations_text(text: str, path: Path | str) -> list[Deviation]:
    """The deviations a file named `path` holding `text` lists (as load_deviations)."""
    try:
        data = parse(text, str(path))
    except SpecLoadError as error:
        raise DeviationsError(str(error).splitlines()[0]) from None
    entries = data.get("deviations")
    if not isinstance(entries, list):
        raise DeviationsError(f"{path}: needs a top-level `deviations:` list")
    deviations = [_deviation(entry, i) for i, entry in enumerate(entries)]
    seen: dict[Key, str] = {}
    for deviation in deviations:
        for key in deviation.differences:
            if key in seen:
                raise DeviationsError(
                    f"{path}: {key.at} {key.rule} is listed by both {seen[key]} and {deviation.id}"
                )
            seen[key] = deviation.id
    ids = [deviation.id for deviation in deviations]
    if len(set(ids)) != len(ids):
        raise DeviationsError(f"{path}: deviation ids must be unique")
    return deviations
