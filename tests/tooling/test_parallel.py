"""The suite's parallel run keeps each xdist_group on one worker, as its shared fixtures assume.

The tests session runs `pytest -n auto --dist loadgroup`; a group's module- or session-scoped
fixture (a scratch copy, a shared contract run, a fresh client) is made once only while the
group stays on one worker. With pytest 9.2 and pytest-xdist 3.8 it silently stopped doing so
(pytest-dev/pytest-xdist#1386): every test still passed, each worker made its own copy. Proved on
a throwaway project with the pinned pytest and xdist.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

GROUPED_MODULE = """\
import pytest

pytestmark = pytest.mark.xdist_group("shared")


@pytest.mark.parametrize("n", range(4))
def test_grouped(n):
    pass
"""
UNGROUPED_MODULE = """\
import pytest


@pytest.mark.parametrize("n", range(8))
def test_alone(n):
    pass
"""
RAN_ON = re.compile(r"^\[(?P<worker>gw\d+)\] .*PASSED (?P<test>\S+)", re.M)


def test_a_group_runs_on_one_worker_across_modules(tmp_path: Path) -> None:
    for name in ("test_a.py", "test_b.py"):
        (tmp_path / name).write_text(GROUPED_MODULE, encoding="utf-8")
    (tmp_path / "test_c.py").write_text(UNGROUPED_MODULE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    # pytest and xdist alone: the workers start without the other plugins this venv holds.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist", "-n", "2", "--dist", "loadgroup", "-v"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ran = [(m["worker"], m["test"]) for m in RAN_ON.finditer(result.stdout)]
    assert len(ran) == 16, result.stdout
    grouped = {worker for worker, test in ran if "test_grouped" in test}
    assert len(grouped) == 1, f"the group ran on {sorted(grouped)}:\n{result.stdout}"
    # The other tests are still spread: the group did not serialise the run.
    assert {worker for worker, _ in ran} == {"gw0", "gw1"}, result.stdout
