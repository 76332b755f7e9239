"""Wall time of our regeneration pipeline and drift check, against the bare generator.

Each is a fresh process, as `nox -s generate` and `nox -s check-generated` run them: ours run
the generator in their own process, so a second generation in one process would skip the
imports the bare generator's command pays every time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from plaid_tools import paths
from plaid_tools.bench.figures import Figure, Spread, ratio_rounds

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


def _ours(*command: str) -> None:
    subprocess.run([sys.executable, "-m", *command], capture_output=True, check=False)


def measure(notes: list[str]) -> list[Figure]:
    ours, drift, bare = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(ROUNDS):
            bare.append(_seconds(partial(_bare_generator, Path(tmp) / f"bare{index}")))
            output = str(Path(tmp) / f"ours{index}")
            ours.append(_seconds(partial(_ours, "plaid_tools.regenerate", "--output", output)))
            drift.append(_seconds(partial(_ours, "plaid_tools.check_generated")))
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
