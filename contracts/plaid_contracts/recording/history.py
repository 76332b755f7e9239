"""Night over night: every finding's fingerprint, and what changed since a previous run.

A fingerprint names what broke, never how this run happened to show it: the operation, the
check, the rule and the class of the answer (its status and error code: "400
INVALID_REQUEST/INVALID_FIELD"), never a seed, a request id or a value. Two nights with different
seeds that find the same divergence give the same fingerprint; ``run --previous PATH`` (a previous
run's summary.json) opens summary.md with what is new, what is still failing and what is fixed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plaid_contracts.infra.instability import answer_class


def fingerprint(finding: Mapping[str, Any]) -> str:
    """A finding's fingerprint, from its summary.json entry (or a Finding's fields)."""
    status = finding.get("status")
    excerpt = str(finding.get("response_excerpt") or "")
    answered = answer_class(status if isinstance(status, int) else None, excerpt.encode())
    parts = (finding.get("operation"), finding.get("check"), finding.get("rule"), answered)
    return " | ".join(str(part or "") for part in parts)


@dataclass(frozen=True)
class Previous:
    """What a previous run's summary.json says about its failures."""

    path: str
    verdict: str
    started_at: str
    operations: frozenset[str]
    failures: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> title


def load_previous(path: Path) -> Previous:
    """A previous summary.json; ValueError with one line when it is none."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"--previous {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"--previous {path}: not a readable JSON file ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("failures"), list):
        raise ValueError(f"--previous {path}: not a contract run's summary.json (no failures)")
    failures = {
        item.get("fingerprint") or fingerprint(item): str(item.get("title", ""))
        for item in document["failures"]
        if isinstance(item, dict)
    }
    return Previous(
        path=str(path),
        verdict=str(document.get("verdict", "?")),
        started_at=str(document.get("started_at", "")),
        operations=frozenset(document.get("operations") or ()),
        failures=failures,
    )


@dataclass(frozen=True)
class Comparison:
    """This run's failures against the previous run's, each list by fingerprint and title."""

    new: list[tuple[str, str]]
    still_failing: list[tuple[str, str]]
    fixed: list[tuple[str, str]]

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            name: [{"fingerprint": key, "title": title} for key, title in items]
            for name, items in (
                ("new", self.new),
                ("still_failing", self.still_failing),
                ("fixed", self.fixed),
            )
        }


def compare(
    previous: Previous, failures: Iterable[Mapping[str, Any]], operations: Iterable[str]
) -> Comparison:
    """``failures``: this run's (summary.json entries); a previous failure counts as fixed only
    for an operation this run checked (a shard says nothing about the others)."""
    current: dict[str, str] = {}
    for item in failures:
        current.setdefault(str(item.get("fingerprint") or fingerprint(item)), str(item["title"]))
    checked = set(operations)
    return Comparison(
        new=[(key, title) for key, title in current.items() if key not in previous.failures],
        still_failing=[(key, title) for key, title in current.items() if key in previous.failures],
        fixed=[
            (key, title)
            for key, title in previous.failures.items()
            if key not in current and key.split(" | ", 1)[0] in checked
        ],
    )
