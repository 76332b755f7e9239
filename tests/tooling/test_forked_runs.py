"""tests/forked_runs.py: a run forked from the warm interpreter is what ``python -m`` gives."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.forked_runs import BARE_PRELOAD, PRELOAD, REPO_ROOT, run_module

PROBE = "tests.tooling.forked_probe"


def _fresh(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The probe in a fresh interpreter, as ``python -m`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", PROBE, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "args", [["exit", "0"], ["exit", "3"], ["message"], ["raise"], ["extra", "--flag"]]
)
@pytest.mark.parametrize("path", [None, [REPO_ROOT]], ids=["warm", "bare"])
def test_a_forked_run_gives_what_a_fresh_interpreter_gives(
    tmp_path: Path, args: list[str], path: list[Path] | None
) -> None:
    env = {"PROBE": "from the caller", "PYTHONPATH": str(REPO_ROOT)}
    fresh = _fresh(args, env, tmp_path)
    forked = run_module(PROBE, args, env=env, cwd=tmp_path, timeout=30, path=path)
    assert forked.returncode == fresh.returncode
    assert forked.stdout == fresh.stdout
    assert "atexit handlers ran" in forked.stdout
    # A traceback's frames differ (runpy's against the interpreter's): its last line does not.
    assert forked.stderr.splitlines()[-1] == fresh.stderr.splitlines()[-1]
    assert forked.stderr.splitlines()[0] == fresh.stderr.splitlines()[0]


def test_a_bare_fork_imports_the_given_folders_first_and_nothing_of_ours(tmp_path: Path) -> None:
    """As `PYTHONPATH=FOLDER python -m`: how a scratch copy's code runs (tests/scratch_repo.py)."""
    env = {"PYTHONPATH": str(REPO_ROOT)}
    fresh = _fresh(["path"], env, tmp_path)
    forked = run_module(PROBE, ["path"], env=env, cwd=tmp_path, timeout=30, path=[REPO_ROOT])
    assert f"path {[str(tmp_path), str(REPO_ROOT)]}\nours []\n" in fresh.stdout
    assert (forked.returncode, forked.stdout) == (fresh.returncode, fresh.stdout)


@pytest.mark.parametrize("path", [None, [REPO_ROOT]], ids=["warm", "bare"])
def test_runs_the_suite_starts_take_ctrl_c_even_when_the_suite_was_started_in_the_background(
    tmp_path: Path, path: list[Path] | None
) -> None:
    # tests/conftest.py: a suite started by `cmd &` inherits SIGINT ignored, and so would its runs.
    env = {"PYTHONPATH": str(REPO_ROOT)}
    fresh = _fresh(["ctrl-c"], env, tmp_path)
    forked = run_module(PROBE, ["ctrl-c"], env=env, cwd=tmp_path, timeout=30, path=path)
    assert "SIGINT default" in fresh.stdout
    assert "SIGINT default" in forked.stdout


@pytest.mark.parametrize("path", [None, [REPO_ROOT]], ids=["warm", "bare"])
def test_a_run_past_its_timeout_is_stopped(tmp_path: Path, path: list[Path] | None) -> None:
    with pytest.raises(subprocess.TimeoutExpired):
        run_module(PROBE, ["sleep"], env={}, cwd=tmp_path, timeout=0.5, path=path)
    with pytest.raises(ProcessLookupError):
        os.kill(int((tmp_path / "pid").read_text()), 0)


@pytest.mark.parametrize("module", sorted({*PRELOAD, *BARE_PRELOAD}))
def test_every_preloaded_module_imports(module: str) -> None:
    # The forkserver skips a name that does not import: the runs would only be slower.
    importlib.import_module(module)
