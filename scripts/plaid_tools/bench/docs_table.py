"""mkdocs hook: the Performance page's table, written from the committed `docs/bench.json`.

`docs/bench.json` is the `bench.json` of the last full `nox -s bench` run that was published
(copy `reports/bench/bench.json` there); the page shows every figure that has a target, so the
docs never quote a number by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MARKER = "<!-- bench-table -->"
MET = {True: "yes", False: "**no**", None: "–"}


def table(bench: dict[str, Any]) -> str:
    lines = ["| section | figure | median (min–max) | target | met |", "|---|---|---|---|---|"]
    for figure in bench["figures"]:
        if figure["target"] is None:
            continue
        value = figure["value"]
        spread = f"{value['median']:.2f} ({value['low']:.2f}–{value['high']:.2f}) {figure['unit']}"
        lines.append(
            f"| {figure['section']} | {figure['name']} | {spread} | {figure['target']} | "
            f"{MET[figure['met']]} |"
        )
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    path = Path(config["docs_dir"]) / "bench.json"
    return markdown.replace(MARKER, table(json.loads(path.read_text(encoding="utf-8"))))
