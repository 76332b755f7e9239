"""The vocabulary of a comparison: impacts, directions and changes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class Impact(IntEnum):
    """How a change affects the people who use the generated client; ordered, worst last."""

    NONE = 0
    DOCS = 1
    COMPATIBLE = 2
    BREAKING = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Impact:
        return cls[label.upper()]


class Side(Enum):
    """Which document holds what a change is about, for comparisons read in both directions
    (our spec against Plaid's): a field, value or constraint only the old document has, only
    the new one has, or one both have with different values."""

    OLD = "old"
    NEW = "new"
    BOTH = "both"


class Direction(Enum):
    """Who writes the data: the client (request) or the server (response)."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Change:
    """One change between two specs, at its location, with its impact and the rule that found it.

    `subject` tells apart several changes of one rule at one location (the keyword, the
    enum values or the variant concerned); `side` says which document holds it.
    """

    location: str
    change: str
    impact: Impact
    rule: str
    side: Side = Side.BOTH
    subject: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "location": self.location,
            "change": self.change,
            "impact": self.impact.label,
            "rule": self.rule,
        }


def verdict(impacts: list[Impact]) -> Impact:
    """The worst impact among the changes; NONE when there are none."""
    return max(impacts, default=Impact.NONE)


@dataclass(frozen=True)
class Difference:
    """A change found by a rule, before the walker places it at a location."""

    change: str
    impact: Impact
    rule: str
    side: Side = Side.BOTH
    subject: str = ""
