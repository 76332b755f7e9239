"""Fixtures for the upstream-watch tests: a made-up upstream document shaped like Plaid's, our
side of it, the deviations between them, and a runner for the command line."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from plaid_tools.upstream.__main__ import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
UPSTREAM, OURS, DEVIATIONS = (
    FIXTURES / "upstream.yaml",
    FIXTURES / "ours.yaml",
    FIXTURES / "deviations.yaml",
)
REQUEST = "POST /widget/create request body (application/json)"
ERROR = "POST /widget/create response default (application/json)"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    report: str


Runner = Callable[..., Run]
Editor = Callable[[Path, Callable[[dict[str, Any]], None]], Path]


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    """`python -m plaid_tools.upstream SOURCE` on the fixtures (or the files given)."""

    def run_main(
        source: str | Path = UPSTREAM, *, spec: Path = OURS, deviations: Path = DEVIATIONS
    ) -> Run:
        output = tmp_path / "reports" / "upstream.md"
        output.unlink(missing_ok=True)
        argv = [str(source), "--spec", str(spec), "--deviations", str(deviations)]
        code = main([*argv, "--output", str(output), "--timeout", "5"])
        captured = capsys.readouterr()
        report = output.read_text(encoding="utf-8") if output.exists() else ""
        return Run(code, captured.out, captured.err, report)

    return run_main


@pytest.fixture
def edited(tmp_path: Path) -> Editor:
    """A copy of a fixture with `edit` applied to its parsed document."""

    copies = itertools.count(1)

    def edit_copy(path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
        document = copy.deepcopy(load(path))
        edit(document)
        target = tmp_path / f"edited-{next(copies)}-{path.name}"
        target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return target

    return edit_copy
