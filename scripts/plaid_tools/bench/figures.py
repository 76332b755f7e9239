"""The data a benchmark produces: spreads over rounds, figures with targets, and notes."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Spread:
    """min / median / max over repeated rounds."""

    low: float
    median: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("a spread needs at least one value")
        return cls(min(values), statistics.median(values), max(values))

    def format(self, digits: int = 2) -> str:
        if self.low == self.high:
            return f"{self.median:.{digits}f}"
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


@dataclass(frozen=True)
class Goal:
    """What the issue asks of a figure, and how to check it on the figure's median."""

    text: str
    check: Callable[[float], bool] = field(compare=False, repr=False)

    def met(self, value: float) -> bool:
        return self.check(value)


def at_most(limit: float, text: str) -> Goal:
    return Goal(text, lambda value: value <= limit)


def at_least(limit: float, text: str) -> Goal:
    return Goal(text, lambda value: value >= limit)


@dataclass
class Figure:
    """One line of the report. `value` is what the target is checked on (usually a ratio)."""

    section: str
    name: str
    value: Spread
    unit: str
    ours: str
    baseline: str
    target: Goal | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.value.median)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["value"] = asdict(self.value)
        data["target"] = self.target.text if self.target else None
        data["met"] = self.met
        return data


def ratio_rounds(ours: Sequence[float], baseline: Sequence[float]) -> Spread:
    """Per-round ratios of interleaved measurements (round i of ours / round i of baseline)."""
    return Spread.of([o / b for o, b in zip(ours, baseline, strict=True) if b > 0])
