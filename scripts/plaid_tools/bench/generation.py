"""Wall time of our regeneration pipeline and drift check, against the bare generator."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from plaid_tools import check_generated, paths
from plaid_tools.bench.figures import Figure, Spread, ratio_rounds
from plaid_tools.regenerate import generate_into

ROUNDS = 3


def _seconds(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _bare_generator(out: Path) -> None:
    """openapi-python-client with its defaults: no config, templates or hooks of ours."""
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(paths.SPEC),
            "--meta",
            "uv",
            "--output-path",
            str(out),
            "--overwrite",
        ],
        capture_output=True,
        check=False,
    )


def measure(notes: list[str]) -> list[Figure]:
    ours, drift, bare = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(ROUNDS):
            bare.append(_seconds(partial(_bare_generator, Path(tmp) / f"bare{index}")))
            ours.append(_seconds(partial(generate_into, Path(tmp) / f"ours{index}")))
            drift.append(_seconds(check_generated.main))
    section = "Generation"
    return [
        Figure(
            section,
            "regenerate (nox -s generate's work)",
            ratio_rounds(ours, bare),
            "× bare generator",
            f"{Spread.of(ours).format()} s",
            f"bare openapi-python-client {Spread.of(bare).format()} s",
        ),
        Figure(
            section,
            "drift check (nox -s check-generated's work)",
            ratio_rounds(drift, bare),
            "× bare generator",
            f"{Spread.of(drift).format()} s",
            f"bare openapi-python-client {Spread.of(bare).format()} s",
        ),
    ]
