"""Every fixture spec's package passes `mypy --strict` and pyright, as the product's does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.templates.conftest import Rendered

# On one xdist worker, so that its fixture is made once: conftest.rendered.
pytestmark = [pytest.mark.xdist_group("template-specs"), pytest.mark.heavy]


def packages(rendered: dict[str, Rendered]) -> list[str]:
    return [str(r.project / r.package) for r in rendered.values()]


@pytest.mark.timeout(240)
def test_mypy_strict(rendered: dict[str, Rendered], tmp_path: Path) -> None:
    mypy = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy")]
    result = subprocess.run(
        [*mypy, *packages(rendered)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.timeout(240)
def test_pyright(rendered: dict[str, Rendered]) -> None:
    # The pyright wrapper beside this interpreter, on this interpreter's packages (httpx, attrs).
    pyright = Path(sys.executable).with_name("pyright")
    result = subprocess.run(
        [str(pyright), "--pythonpath", sys.executable, *packages(rendered)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
