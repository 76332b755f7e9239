"""Writing reports/bench/bench.md and bench.json, and the table printed at the end."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from plaid_tools.bench.figures import Figure
from plaid_tools.paths import NOX


def _met(figure: Figure) -> str:
    return {True: "yes", False: "**no**", None: "–"}[figure.met]


def markdown(figures: list[Figure], notes: list[str]) -> str:
    lines = [
        "# Benchmarks and reliability figures",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()}). Every figure is a ratio "
        "against a baseline measured in the same run (median, with min–max over rounds), "
        f"unless its unit says otherwise. Reproduce with `{NOX} -s bench`.",
    ]
    section = None
    for figure in figures:
        if figure.section != section:
            section = figure.section
            lines += [
                "",
                f"## {section}",
                "",
                "| figure | value | unit | ours | baseline | target | met | note |",
                "|---|---|---|---|---|---|---|---|",
            ]
        target = figure.target.text if figure.target else ""
        lines.append(
            f"| {figure.name} | {figure.value.format()} | {figure.unit} | {figure.ours} | "
            f"{figure.baseline} | {target} | {_met(figure)} | {figure.note} |"
        )
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def write(directory: Path, figures: list[Figure], notes: list[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = markdown(figures, notes)
    (directory / "bench.md").write_text(text, encoding="utf-8")
    payload = {"figures": [f.as_json() for f in figures], "notes": notes}
    (directory / "bench.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return directory / "bench.md"
